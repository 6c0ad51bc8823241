"""``sampling substitute`` and ``sampling verify``: a draw workbook through fieldwork."""
from __future__ import annotations

import argparse

from .errors import DataError

__all__ = ["run_substitute", "run_verify"]


def run_substitute(args: argparse.Namespace) -> int:
    """Replace a case by the next reserve of its cell, recorded in the workbook."""
    from ._fieldwork import substitute_in_workbook

    rec = substitute_in_workbook(args.workbook, args.case_id, args.reason)
    print(f"{rec['replaced_case_id']} replaced by {rec['reserve_case_id']} (cell {rec['cell']}, reserve "
          f"{rec['reserve_rank']}): {rec['reason']}\nrecorded in {args.workbook} (sheets fieldwork, cases, "
          "substitutions)")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    """Re-draw from the frame with the workbook's manifest and say whether it is the same."""
    from ._fieldwork import verify_workbook

    same, sample = verify_workbook(args.workbook, args.frame)
    m = sample.manifest
    if not same:
        raise DataError(f"{args.workbook!r} is not the draw that {args.frame!r} and seed {m.get('seed')} give "
                        "(a different frame, or an edited workbook)",
                        hint="Check the frame is the one drawn from (its fingerprint is in the manifest).")
    subs = sample.substitutions
    print(f"verified: {args.workbook} is the draw of {m.get('n')} cases that {args.frame} and seed "
          f"{m.get('seed')} give (frame fingerprint {str(m.get('frame_sha256'))[:12]}…)")
    for rec in subs.itertuples(index=False):
        print(f"  substitution: {rec.replaced_case_id} -> {rec.reserve_case_id} ({getattr(rec, 'reason', '')})")
    return 0
