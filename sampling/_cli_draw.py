"""``sampling draw``: a stratified random sample from an eligible-population frame."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Sequence

from ._cli_common import inspection_of, to_json
from ._format import text_table
from .errors import ArgumentError, OutputError

__all__ = ["run"]


def _mapping(entries: Sequence[str] | None) -> dict | None:
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
    """The --out path, checked before any work (nothing is written on error)."""
    if not out:
        return None
    out_path = Path(out)
    if out_path.suffix.lower() not in (".xlsx", ".csv"):
        raise OutputError(f"--out {str(out_path)!r}: must end in .xlsx or .csv")
    folder = out_path.parent if str(out_path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"--out {str(out_path)!r}: folder {str(folder)!r} does not exist")
    if out_path.is_dir():
        raise OutputError(f"--out {str(out_path)!r} is a folder")
    return out_path


def _filters(args: argparse.Namespace) -> dict[str, Any]:
    if args.months_since_start is None:
        return {}
    if len(args.months_since_start) != 2:
        raise ArgumentError("--months-since-start", args.months_since_start, "must be two numbers LOW,HIGH")
    return {"months_since_start": tuple(args.months_since_start), "as_of": args.as_of}


def _load(args: argparse.Namespace):
    """The frame the options name: a file, --example (the seed's caseload) or --synthetic."""
    import dataclasses

    from ._frame import load_frame

    sources = sum(x is not None and x is not False for x in (args.frame, args.synthetic)) + bool(args.example)
    if sources != 1:
        raise ArgumentError("FRAME", args.frame,
                            "give exactly one of: a frame file (.csv/.xlsx), --example, --synthetic SIZE")
    filters = _filters(args)
    if args.frame is not None:
        return load_frame(args.frame, mapping=_mapping(args.map), sheet=args.sheet, header_row=args.header_row,
                          **filters)
    from .examples import seed_tables, synthetic_frame

    # --example: a synthetic caseload the size of the seed provider's (seeds/inspection.toml)
    size = seed_tables().inspection["inspection"]["caseload"] if args.example else args.synthetic
    source = synthetic_frame(size, rng=0 if args.synthetic_seed is None else args.synthetic_seed)
    if args.example and not filters:  # the report's rule: supervised six to seven months
        filters = {"months_since_start": (6.0, 7.0), "as_of": "2019-02-01"}
    frame = load_frame(source, mapping=_mapping(args.map), **filters)
    return dataclasses.replace(frame, source=f"a synthetic KSS CRC caseload of {len(source):,}")


def _print(frame, sample, args: argparse.Namespace, n_note: str, written: list) -> None:
    print(f"Frame: {len(frame):,} eligible cases from {frame.source}"
          + (f" ({len(frame.excluded):,} excluded by eligibility filters)" if len(frame.excluded) else ""))
    print(f"Sample: n={sample.n}{n_note}, seed {args.seed} (re-run with --seed {args.seed} for the same draw)")
    print()
    table = sample.allocation.drop(columns=[c for c in sample.manifest["strata"]] + ["reserves_wanted"])
    print(text_table(table, floatfmt="{:.2f}"))
    print()
    print(text_table(sample.balance.assign(p_value=sample.balance["p_value"].map(lambda v: f"{v:.3f}")),
                     floatfmt="{:.1f}"))
    for note in sample.notes:
        print(f"note: {note}")
    for path in written:
        print(f"wrote {path}")
    if not written:
        print("(no --out given: nothing written)")


def _settings(args: argparse.Namespace):
    """(inspection, strata, seed): the flags first, then the inspection's, then the defaults."""
    from ._inspection import DEFAULT_SEED

    inspection = None if args.example else inspection_of(args)
    spec = inspection.sample(args.sample) if inspection is not None and args.sample else None
    strata = args.strata if args.strata is not None else (
        list(spec.strata) if spec is not None else ["gender", "disposal", "rosh"])
    seed = args.seed if args.seed is not None else (inspection.seed if inspection is not None else DEFAULT_SEED)
    return inspection, strata, seed


def _sample_size(frame, inspection) -> tuple[int, str]:
    from ._plan import sample_size

    cl = inspection.confidence_level if inspection is not None else 0.8
    e = inspection.margin if inspection is not None else 0.05
    n = int(sample_size(len(frame), confidence_level=cl, margin=e))
    return n, f" (--n auto: Cochran at {cl:.0%} confidence, ±{100 * e:g} points, N={len(frame):,})"


def _write(sample, out_path: Path, args: argparse.Namespace, inspection, frame) -> list:
    if args.sample:
        from ._fieldwork import write_draw_folder, write_draw_workbook
        from ._framework import load_framework

        framework = load_framework(inspection.framework_source() if inspection is not None else None)
        kw = dict(framework=framework, sample_name=args.sample, inspection=inspection, frame=frame)
        if out_path.suffix.lower() == ".xlsx":
            return [write_draw_workbook(sample, out_path, **kw)]
        folder = out_path.with_suffix("") if out_path.suffix.lower() == ".csv" else out_path
        return write_draw_folder(sample, folder, **kw)
    return [sample.to_excel(out_path)] if out_path.suffix.lower() == ".xlsx" else sample.to_csv(out_path)


def run(args: argparse.Namespace) -> int:
    """Run ``sampling draw`` with parsed ``args``; print the sample's tables (or JSON)."""
    from ._draw import draw_sample

    out_path = _check_out(args.out)
    inspection, strata, args.seed = _settings(args)
    frame = _load(args)
    n, n_note = args.n, ""
    if n == "auto":
        n, n_note = _sample_size(frame, inspection)
    sample = draw_sample(frame, n, strata=strata, rng=args.seed, reserves=args.reserves)
    written = [] if out_path is None else _write(sample, out_path, args, inspection, frame)
    if args.json:
        print(to_json({"n": sample.n, "allocation": sample.allocation, "marginals": sample.marginals,
                       "balance": sample.balance, "notes": list(sample.notes),
                       "manifest": sample.manifest, "written": [str(p) for p in written]}))
        return 0
    _print(frame, sample, args, n_note, written)
    return 0
