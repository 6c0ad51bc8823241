"""``sampling draw``: a stratified random sample from an eligible-population frame."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Sequence

from ._common import comma_list, inspection_of, number_list, parse_assignment, parse_n, parse_reserves
from ._common import text_table, to_json
from ._options import add_inspection, add_sheet_options, groups
from .._utils._progress import Progress
from ..errors import ArgumentError, OutputError

__all__ = ["EXAMPLES", "add_arguments", "run", "spelling_map"]

EXAMPLES = """\
Examples:
  sampling draw --example --sample case_supervision --out draw.xlsx
  sampling draw frame.xlsx --sample case_supervision --min-per-cell 1 --seed 7 --out draw.xlsx
  (frame.xlsx: your eligible-population frame, one row per case)
"""


def _add_input(g) -> None:
    add_inspection(g)
    g.add_argument("frame", nargs="?", metavar="FRAME",
                   help="eligible-population frame, .csv or .xlsx, one row per case "
                        "(case_id, gender, disposal, rosh, …)")
    add_sheet_options(g, "FRAME")
    g.add_argument("--map", action="append", metavar="COLUMN:SPELLING=CATEGORY",
                   help="extra spelling, e.g. gender:X=female (repeatable)")
    g.add_argument("--column", action="append", type=parse_assignment("--column", "'YOUR COLUMN=OURS'"),
                   metavar="'YOURS=OURS'",
                   help="read a frame column under our name, e.g. 'Offender ID=case_id' or "
                        "'Sentence start=start_date' (repeatable; common names such as CRN are found without it)")
    g.add_argument("--example", action="store_true",
                   help="draw from a synthetic 8,600-case KSS CRC caseload, keeping the cases "
                        "supervised 6-7 months on 2019-02-01 as the report did (no data needed)")
    g.add_argument("--synthetic", type=int, default=None, metavar="SIZE",
                   help="draw from a synthetic frame of SIZE cases")
    g.add_argument("--synthetic-seed", type=int, default=None, help=argparse.SUPPRESS)


def _add_design(g) -> None:
    g.add_argument("--n", type=parse_n, default="auto",
                   help="sample size, or 'auto': Cochran's size for the frame's eligible population N at the "
                        "inspection's confidence and margin (default auto)")
    g.add_argument("--sample", metavar="NAME", default=None,
                   help="the framework's sample being drawn (case_supervision, unpaid_work, "
                        "through_the_gate): its strata come from the inspection (else the "
                        "framework), and --out becomes the draw workbook with the fieldwork sheet "
                        "(one Yes/No/N/A column per key question)")
    g.add_argument("--framework", default=None, metavar="F",
                   help="the framework whose sample --sample names (default: the inspection's, "
                        "else hmip-adult)")
    g.add_argument("--strata", type=comma_list, default=None,
                   help="comma-separated stratification variables (default: the inspection's for "
                        "--sample, else gender,disposal,rosh)")
    g.add_argument("--reserves", type=parse_reserves, default=None,
                   help="reserves per cell: a count (3) or a fraction of n_h (0.5); default max(2, ceil(n_h/2))")
    g.add_argument("--min-per-cell", type=int, default=None, metavar="K",
                   help="every cell of the frame gets at least K cases (or all its cases if fewer); the rest "
                        "is shared by the allocation (default: the inspection's [draw] min_per_cell, else 0)")


def _add_eligibility(g) -> None:
    g.add_argument("--months-since-start", type=number_list(float, "--months-since-start"),
                   default=None, metavar="LOW,HIGH",
                   help="eligibility: supervision began LOW to HIGH months before --as-of (e.g. 6,7)")
    g.add_argument("--as-of", default=None, help="reference date for --months-since-start (default today)")
    g.add_argument("--set-aside", action="append", type=parse_assignment("--set-aside", "'COLUMN=VALUE'"),
                   metavar="'COLUMN=VALUE'",
                   help="leave cases with this value out of the eligible population, e.g. "
                        "'RoSH Level=Not Assessed' (repeatable; listed in the excluded sheet)")


def _add_method(g) -> None:
    g.add_argument("--seed", type=int, default=None,
                   help="random seed (default: the inspection's, else 2019; printed to reproduce the draw)")
    g.add_argument("--allocation", choices=("proportional", "neyman", "equal"), default=None,
                   help="how the sample is shared between cells: proportional (the sample mirrors the "
                        "population's mix), neyman (more cases where answers are anticipated to vary most; "
                        "needs --anticipated) or equal (default: the inspection's [draw] allocation, else "
                        "proportional); estimates are weighted whatever the choice")
    g.add_argument("--anticipated", default=None, metavar="FILE|P",
                   help="anticipated %% yes per cell for --allocation neyman and the planned margin: a previous "
                        "inspection's filled draw workbook, a table (.csv/.xlsx) of the strata and p or "
                        "percent_yes, or one proportion such as 0.7 (one value for all cells makes Neyman "
                        "proportional)")


def _add_output(g) -> None:
    g.add_argument("--out", default=None,
                   help="write the draw: an .xlsx workbook (every table), or CSV files: a FOLDER, or "
                        "NAME.csv (with --sample: the folder NAME; else NAME.csv beside NAME_reserves.csv, "
                        "NAME_allocation.csv, NAME_balance.csv and NAME_manifest.json)")
    g.add_argument("--carry", default=None, metavar="COLUMNS",
                   help="frame columns to copy onto the fieldwork sheet, e.g. Office,Officer,'Start Date' "
                        "(default: office, officer, team and start date columns if present; '' for none)")
    g.add_argument("--json", action="store_true", help="print JSON instead of tables")


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = groups(p, "input", "design", eligibility="which of the frame's cases may be sampled",
               method="how cases are shared between cells and chosen", output="what is printed or written")
    _add_input(g["input"])
    _add_design(g["design"])
    _add_eligibility(g["eligibility"])
    _add_method(g["method"])
    _add_output(g["output"])


def spelling_map(entries: Sequence[str] | None) -> dict | None:
    """'gender:X=female' entries -> {"gender": {"X": "female"}}."""
    if not entries:
        return None
    out: dict[str, dict[str, str]] = {}
    for entry in entries:
        column, sep, rest = entry.partition(":")
        spelling, eq, category = rest.partition("=")
        if not (sep and eq and column.strip() and spelling.strip() and category.strip()):
            raise ArgumentError("--map", entry, "must look like COLUMN:SPELLING=CATEGORY, e.g. gender:X=female")
        out.setdefault(column.strip(), {})[spelling.strip()] = category.strip()
    return out


def _check_out(out: str | None) -> Path | None:
    """The --out path, checked before any work (nothing is written on error): an .xlsx
    workbook, a .csv (with --sample: the folder of that name), or a folder."""
    if not out:
        return None
    out_path = Path(out)
    suffix = out_path.suffix.lower()
    if out_path.is_dir():
        if suffix in (".xlsx", ".csv"):
            raise OutputError(f"--out {str(out_path)!r} is a folder")
        return out_path
    if suffix not in (".xlsx", ".csv", ""):
        raise OutputError(f"--out {str(out_path)!r}: must end in .xlsx or .csv, or be a folder")
    if out_path.exists() and not suffix:
        raise OutputError(f"--out {str(out_path)!r} is a file, not a folder")
    folder = out_path.parent if str(out_path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"--out {str(out_path)!r}: folder {str(folder)!r} does not exist")
    return out_path


def _set_aside(args: argparse.Namespace) -> dict[str, list[str]]:
    """--set-aside's cases (repeatable), else inspection.toml's [frame] set_aside."""
    if not getattr(args, "set_aside", None):
        return {column: list(values) for column, values in getattr(args, "inspection_set_aside", ())}
    wanted: dict[str, list[str]] = {}
    for column, value in getattr(args, "set_aside", None) or []:
        wanted.setdefault(column, []).append(value)
    return wanted


def _filters(args: argparse.Namespace) -> dict[str, Any]:
    set_aside = _set_aside(args)
    if args.months_since_start is None:
        return {"set_aside": set_aside} if set_aside else {}
    if len(args.months_since_start) != 2:
        raise ArgumentError("--months-since-start", args.months_since_start, "must be two numbers LOW,HIGH")
    return {"months_since_start": tuple(args.months_since_start), "as_of": args.as_of,
            **({"set_aside": set_aside} if set_aside else {})}


def _load(args: argparse.Namespace):
    """The frame the options name: a file, --example (the seed's caseload) or --synthetic."""
    import dataclasses

    from ..draw._frame import load_frame

    sources = sum(x is not None and x is not False for x in (args.frame, args.synthetic)) + bool(args.example)
    if sources != 1:
        raise ArgumentError("FRAME", args.frame,
                            "give exactly one of: a frame file (.csv/.xlsx), --example, --synthetic SIZE")
    filters = _filters(args)
    if args.frame is not None:
        return load_frame(args.frame, mapping=spelling_map(args.map), sheet=args.sheet, header_row=args.header_row,
                          columns=dict(args.column) if args.column else None, **filters)
    from ..examples._examples import seed_tables, synthetic_frame

    # --example: a synthetic caseload the size of the seed provider's (seeds/inspection.toml)
    size = seed_tables().inspection["inspection"]["caseload"] if args.example else args.synthetic
    source = synthetic_frame(size, rng=0 if args.synthetic_seed is None else args.synthetic_seed,
                             neutral=not args.example)
    if args.example and "months_since_start" not in filters:  # the report's rule: supervised six to seven months
        filters = {"months_since_start": (6.0, 7.0), "as_of": "2019-02-01"}
    frame = load_frame(source, mapping=spelling_map(args.map), **filters)
    what = "a synthetic KSS CRC caseload" if args.example else "a synthetic caseload"
    return dataclasses.replace(frame, source=f"{what} of {len(source):,}")


def _print(frame, sample, args: argparse.Namespace, n_note: str, written: list, context) -> None:
    inspection, framework, spec = context
    if args.sample:
        who = inspection.provider if inspection is not None else "no inspection folder"
        label = getattr(spec, "label", "") or args.sample
        print(f"Inspection: {who}; sample {args.sample} ({label}) of {framework.short_name or framework.name}, "
              f"strata {', '.join(sample.manifest['strata']) or '(none)'}")
    print(f"Frame: {len(frame):,} eligible cases from {frame.source}"
          + (f" ({len(frame.excluded):,} excluded by eligibility filters)" if len(frame.excluded) else ""))
    for header, values in (frame.filters.get("set_aside") or {}).items():
        for value in values:
            count = int((frame.excluded["reason"] == f"set aside: {header} = {value!r}").sum())
            print(f"Set aside: {count:,} case{'s' if count != 1 else ''} with {header} = {value!r}")
    print(f"Sample: n={sample.n}{n_note}, seed {args.seed} (re-run with --seed {args.seed} for the same draw)")
    from ..draw._draw import margin_note

    print(margin_note(sample.manifest)[0].upper() + margin_note(sample.manifest)[1:])
    print()
    table = sample.allocation.drop(columns=[c for c in sample.manifest["strata"]] + ["reserves_wanted"])
    print(text_table(table, floatfmt="{:.2f}"))
    print()
    print(text_table(sample.balance.drop(columns=["matching"], errors="ignore").assign(p_value=sample.balance["p_value"].map(lambda v: f"{v:.3f}")),
                     floatfmt="{:.1f}"))
    for note in [*sample.notes, *_context_notes(frame, args, inspection, framework)]:
        print(f"note: {note}")
    for path in written:
        print(f"wrote {path}")
    if not written:
        print("(no --out given: nothing written)")


def _context_notes(frame, args: argparse.Namespace, inspection, framework) -> list[str]:
    """What the user may not expect: no fieldwork sheet without --sample; an N that differs
    from the inspection's."""
    if not args.sample:
        samples = getattr(framework, "samples", None) or getattr(inspection, "samples", None) or ()
        names = ", ".join(s.name for s in samples) or "e.g. case_supervision"
        return [f"--sample NAME ({names}) adds the fieldwork sheet inspectors fill in (one Yes/No/N/A column "
                "per key question), with the provider, N and column names in its manifest"]
    known = inspection.populations.get(args.sample) if inspection is not None else None
    if known is not None and known != len(frame):
        return [f"inspection.toml gives population {known:,} for {args.sample}; this frame has N={len(frame):,} "
                "eligible cases; the draw uses the frame's N, the cases it was actually drawn from (the manifest "
                "records both, as population_stated and population_frame)"]
    return []


def _framework(args: argparse.Namespace, inspection):
    from ..design._framework import load_framework

    if args.framework is not None:
        return load_framework(args.framework)
    return load_framework(inspection.framework_source() if inspection is not None else None)


def _spec(args: argparse.Namespace, inspection, framework):
    """The sample's definition: the inspection's, else the framework's (--sample checked)."""
    ours = {s.name: s for s in getattr(inspection, "samples", ())}
    theirs = {s.name: s for s in framework.samples}
    spec = ours.get(args.sample) or theirs.get(args.sample)
    if spec is None:
        raise ArgumentError("--sample", args.sample, "must be a sample of the "
                            + ("inspection or its framework: " if inspection is not None else "framework: ")
                            + (", ".join(dict.fromkeys([*ours, *theirs])) or "(none defined)"))
    return spec


def _settings(args: argparse.Namespace):
    """(inspection, framework, sample spec, strata, seed): the flags first, then the
    inspection's, then the framework's, then the defaults."""
    from ..design._inspection import DEFAULT_SEED

    inspection = None if args.example else inspection_of(args)
    framework = _framework(args, inspection) if (args.sample or args.framework) else None
    spec = _spec(args, inspection, framework) if args.sample else None
    strata = args.strata if args.strata is not None else (
        list(spec.strata) if spec is not None else ["gender", "disposal", "rosh"])
    seed = args.seed if args.seed is not None else (inspection.seed if inspection is not None else DEFAULT_SEED)
    return inspection, framework, spec, strata, seed


def _sample_size(frame, inspection) -> tuple[int, str]:
    from ..plan._plan import sample_size

    cl = inspection.confidence_level if inspection is not None else 0.8
    e = inspection.margin if inspection is not None else 0.05
    n = int(sample_size(len(frame), confidence_level=cl, margin=e))
    return n, f" (--n auto: Cochran at {cl:.0%} confidence, ±{100 * e:g} points, N={len(frame):,})"


def _write(sample, out_path: Path, args: argparse.Namespace, inspection, framework, frame) -> list:
    """The draw workbook (or its folder) with --sample; else the sample's own tables."""
    suffix = out_path.suffix.lower()
    if args.sample:
        from ..draw._drawfile import write_draw_folder, write_draw_workbook

        carry = None if args.carry is None else [c.strip() for c in args.carry.split(",") if c.strip()]
        kw = dict(framework=framework, sample_name=args.sample, inspection=inspection, frame=frame, carry=carry)
        if suffix == ".xlsx":
            return [write_draw_workbook(sample, out_path, **kw)]
        return write_draw_folder(sample, out_path.with_suffix("") if suffix == ".csv" else out_path, **kw)
    return [sample.to_excel(out_path)] if suffix == ".xlsx" else sample.to_csv(out_path)


def _allocation_settings(args: argparse.Namespace, inspection) -> dict:
    """allocation, min_per_cell and anticipated: the flags first, then the inspection's
    ``[draw]``, then the defaults (an anticipated file in inspection.toml is relative to its
    folder)."""
    from ..results._anticipated import read_anticipated

    toml = dict(getattr(inspection, "draw", ()) or ())
    rule = args.allocation or toml.get("allocation") or "proportional"
    k = args.min_per_cell if args.min_per_cell is not None else toml.get("min_per_cell", 0)
    if isinstance(k, int) and k < 0:
        raise ArgumentError("--min-per-cell", k, "must be a whole number of cases, 0 or more")
    source = args.anticipated
    if source is None and "anticipated" in toml:
        source = toml["anticipated"]
        if isinstance(source, str) and not Path(source).is_absolute():
            source = str(Path(inspection.folder) / source)
    if rule == "neyman" and source is None:
        raise ArgumentError("--anticipated", None, "must be given with --allocation neyman: a previous "
                            "inspection's filled draw workbook, a table of % yes per cell, or one proportion")
    return {"allocation": rule, "min_per_cell": k, "anticipated": read_anticipated(source)}


def run(args: argparse.Namespace) -> int:
    """Run ``sampling draw`` with parsed ``args``; print the sample's tables (or JSON)."""
    from ..draw._draw import draw_sample

    out_path = _check_out(args.out)
    inspection, framework, spec, strata, args.seed = _settings(args)
    args.inspection_set_aside = getattr(inspection, "set_aside", ())
    say = Progress("sampling draw", quiet=getattr(args, "quiet", False))  # on a terminal only
    say("reading the frame …")
    frame = _load(args)
    n, n_note = args.n, ""
    if n == "auto":
        n, n_note = _sample_size(frame, inspection)
    say(f"allocating and drawing from {len(frame.data) if hasattr(frame, 'data') else len(frame):,} cases …")
    settings = _allocation_settings(args, inspection)
    cl = inspection.confidence_level if inspection is not None else 0.8
    sample = draw_sample(frame, n, strata=strata, rng=args.seed, reserves=args.reserves, confidence_level=cl,
                         **settings)
    if out_path is not None:
        say(f"writing {str(out_path)!r} …")
    written = [] if out_path is None else _write(sample, out_path, args, inspection, framework, frame)
    if args.json:
        print(to_json({"seed": args.seed, "n": sample.n, "sample": args.sample,
                       "provider": getattr(inspection, "provider", None), "allocation": sample.allocation,
                       "marginals": sample.marginals, "balance": sample.balance,
                       "notes": [*sample.notes, *_context_notes(frame, args, inspection, framework)],
                       "manifest": sample.manifest, "written": [str(p) for p in written]}))
        return 0
    _print(frame, sample, args, n_note, written, (inspection, framework, spec))
    return 0
