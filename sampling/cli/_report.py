"""``sampling report``: rate the results as ``sampling analyse`` does, then write every chart and
table of a publication (report.md, CSV, XLSX, PNG, SVG) into one folder."""
from __future__ import annotations

import argparse
import time

from ._analyse import assess, beyond, load, statements, subgroups
from ._options import add_analysis_options, add_breakdown_options
from .._utils._progress import Progress
from ..errors import ArgumentError

__all__ = ["EXAMPLES", "add_arguments", "run"]

EXAMPLES = """\
Examples:
  sampling report --example --out report
  sampling report --example --out report --resamples 2000 --formats png --quiet
  (your own: sampling report draw.xlsx --sample draw.xlsx --out report, once fieldwork is done)
"""


def _add_beyond(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("beyond this inspection")
    g.add_argument("--compare-with", metavar="EARLIER[=N]", default=None,
                   help="an earlier inspection's results (or another provider's), as for `sampling compare`: adds "
                        "the dumbbell chart and the comparison tables")
    g.add_argument("--national", nargs="+", metavar="OTHER=N", default=None,
                   help="the other providers' results, each PATH=N (N: its eligible population; PATH=sample=N,… "
                        "when it holds several samples): adds this "
                        "provider's place in the national picture (funnel plots, the pooled %%); this "
                        "inspection needs its own N")


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = add_analysis_options(p)
    add_breakdown_options(p)
    _add_beyond(p)
    out = p.add_argument_group("output", "the report's folder and files")
    out.add_argument("--out", metavar="DIR", default=None,
                     help="output folder (default figures/ with --example; required with RESULTS)")
    g["input"].add_argument("--sample", metavar="SAMPLE.xlsx", default=None,
                            help="the workbook written by `sampling draw` (or its folder): adds the "
                                 "balance chart and sheet")
    out.add_argument("--formats", default="png,svg", metavar="F,F",
                     help="chart formats: png, svg, pdf (default png,svg)")
    out.add_argument("--quiet", action="store_true", help="no progress lines on stderr")


def run(args: argparse.Namespace) -> int:
    """Run ``sampling report``: rate, then write every chart and table; one progress line per
    step on stderr and the path of report.md on stdout."""
    from ..charts._style import SAVE_FORMATS
    from ..report._report import write_report

    say = Progress("sampling report", quiet=args.quiet, always=True)  # its step lines, as before
    t0 = say.t0

    formats = tuple(f.strip().lower() for f in str(args.formats).split(",") if f.strip())
    if not formats or any(f not in SAVE_FORMATS for f in formats):
        raise ArgumentError("--formats", args.formats, "must be png, svg and/or pdf, comma-separated")
    if args.results and args.out is None:
        raise ArgumentError("--out", None, "give an output folder with RESULTS (figures/ holds "
                            "the built-in example's report)")
    results, source = load(args, say)
    sections = [x for x in (subgroups(args, results), *beyond(args, results, say)) if x is not None]
    assessment, source = assess(args, say, results=(results, source))
    files = write_report(assessment, args.out if args.out is not None else "figures", sample=args.sample,
                         formats=formats, progress=say, settings={"source": source, "random seed": args.seed},
                         sections=sections, design=statements(args, results))
    say(f"done: {len(files.files)} files in {str(files.out_dir)!r}"
        + (f"; flagged standards {', '.join(files.flagged)}" if files.flagged else "")
        + f" ({time.perf_counter() - t0:.1f} s)")
    print(str(files.markdown))
    return 0
