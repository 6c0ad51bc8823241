"""``sampling compare A B``: two inspections of one framework (a re-inspection, or two
providers) side by side: per key question the difference and its interval, per standard the
two ratings, and with ``--out`` the dumbbell chart and the tables as CSV."""
from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

from ._common import to_json
from ._sources import load_sources
from .._utils._format import text_table
from ..design._inspection import DEFAULT_SEED
from ..errors import ArgumentError

__all__ = ["run_compare"]


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


def run_compare(args: argparse.Namespace) -> int:
    """Run ``sampling compare``: load two sources, compare, print (or JSON) and write."""
    from ..comparison._compare import compare
    from ..comparison._multiplicity import adjust_beyond_noise, multiplicity_note

    if len(args.sources) != 2:
        raise ArgumentError("RESULTS", args.sources, "give exactly two results (first, then second: "
                            "e.g. the inspection, then the re-inspection)")
    if args.seed is None:
        args.seed = DEFAULT_SEED
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
