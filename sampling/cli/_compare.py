"""``sampling compare A B``: two inspections of one framework (a re-inspection, or two
providers) side by side: per key question the difference and its interval, per standard the
two ratings, and with ``--out`` the dumbbell chart and the tables as CSV."""
from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

from ._common import default_seed, fraction, text_table, to_json
from ._options import add_source_options
from ._sources import load_sources
from ..errors import ArgumentError

__all__ = ["EXAMPLES", "add_arguments", "run"]

EXAMPLES = """\
Example:
  sampling compare earlier.xlsx draw.xlsx --label 2019 --label 2022 --out compare
  (two filled draw workbooks, or results files: the inspection, then the re-inspection)
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = add_source_options(p, nargs="+", metavar="RESULTS")
    m, out = g["method"], g["output"]
    m.add_argument("--confidence", type=fraction("--confidence", "0.8"), default=0.8, metavar="C",
                   help="two-sided confidence level of the intervals, a fraction (default 0.8)")
    m.add_argument("--resamples", type=int, default=10_000, metavar="B",
                   help="bootstrap replicates per inspection for the rating probabilities (default 10000)")
    m.add_argument("--seed", type=int, default=None, metavar="S",
                   help="random seed, for reproducible output (default 2019; printed in every output)")
    out.add_argument("--out", metavar="DIR", default=None,
                     help="also write the dumbbell chart (dumbbell.png, .svg) and comparison.csv there")
    out.add_argument("--label", action="append", metavar="TEXT", default=None,
                     help="the name of a side in tables and charts: give it twice, first then second "
                          "(default: each side's provider, then its file name)")
    m.add_argument("--adjust", choices=("none", "holm", "bonferroni"), default="none",
                   help="adjust 'beyond noise' for the number of key questions compared: holm or bonferroni "
                        "(default none: the multiplicity is stated, not adjusted)")
    m.add_argument("--power", type=fraction("--power", "0.8"), default=0.8, metavar="P",
                   help="power of the smallest detectable change printed per key question, a fraction "
                        "(default 0.8)")
    out.add_argument("--json", action="store_true", help="print JSON instead of tables")


def _write(comparison, out: str) -> list[Path]:
    """The dumbbell chart (PNG, SVG) and the two tables as CSV, in ``out``: all or nothing
    (built in a staging folder, moved in when every file is written)."""
    from ..charts._compare import dumbbell
    from ..charts._style import save
    from .._utils._io import atomic_dir, write_csv

    with atomic_dir(out) as staging:
        names = [p.name for p in save(dumbbell(comparison), staging / "dumbbell", ("png", "svg"))]
        for name, table in (("comparison.csv", comparison.key_questions),
                            ("comparison_standards.csv", comparison.standards)):
            write_csv(table, staging / name)
            names.append(name)
    return [Path(out) / n for n in names]


def run(args: argparse.Namespace) -> int:
    """Run ``sampling compare``: load two sources, compare, print (or JSON) and write."""
    from ..comparison._compare import compare
    from ..comparison._multiplicity import adjust_beyond_noise, multiplicity_note

    if len(args.sources) != 2:
        raise ArgumentError("RESULTS", args.sources, "give exactly two results (first, then second: "
                            "e.g. the inspection, then the re-inspection)")
    if args.seed is None:
        args.seed = default_seed()
    labels = getattr(args, "label", None)
    if labels is not None and len(labels) != 2:
        raise ArgumentError("--label", labels, "give --label twice: the first side's name, then the second's")
    adjust = getattr(args, "adjust", "none")
    a, b = load_sources(list(args.sources), args)
    comparison = compare(a, b, confidence_level=args.confidence, n_resamples=args.resamples, rng=args.seed,
                         labels=tuple(labels) if labels else None, power=getattr(args, "power", 0.8))
    adjusted = adjust_beyond_noise(comparison, adjust)
    note = multiplicity_note(comparison, adjust, adjusted)
    files = _write(comparison, args.out) if args.out is not None else []
    if args.json:
        print(to_json({**comparison.to_dict(), "seed": args.seed, "sources": list(args.sources),
                       "adjust": adjust, "multiplicity": note,
                       "beyond_noise_adjusted": dict(zip(adjusted["key_question"],
                                                         map(bool, adjusted["beyond_noise_adjusted"]))),
                       "files": [str(f) for f in files]}))
        return 0
    print(f"{comparison._title()}\nFirst: {comparison.labels[0]}; second: {comparison.labels[1]}; seed "
          f"{args.seed} (re-run with --seed {args.seed} for the same figures)\n")
    weighted = bool(comparison.key_questions["design_weighted"].all())
    print("Key questions (difference = second minus first, percentage points"
          + (", of the design-weighted estimates w%" if weighted else "") + "; detectable = smallest change "
          f"these samples detect with {comparison.power:.0%} power)")
    table = comparison.key_questions_summary()
    if adjust != "none":
        table[f"beyond noise ({adjust})"] = adjusted["beyond_noise_adjusted"].to_numpy()
    print(text_table(table))
    print("\nStandards (rule ratings; P = share of independent re-samplings of the two inspections)")
    print(text_table(comparison.standards_summary()))
    print()
    for text in (*comparison.notes, note):
        print(textwrap.fill(text, width=100))
    for f in files:
        print(f"wrote {f}")
    return 0
