"""``sampling substitute`` and ``sampling verify``: a draw workbook through fieldwork."""
from __future__ import annotations

import argparse
import contextlib
import sys
from typing import Iterator

from ..errors import ArgumentError

__all__ = ["run_substitute", "run_verify"]

#: the Python keywords of these commands' errors, as the command line names them
_WORDS = {"path": "WORKBOOK", "case_id": "CASE_ID", "reason": "--reason", "frame": "FRAME", "source": "FRAME",
          "mapping": "--map", "sheet": "--sheet", "header_row": "--header-row"}


@contextlib.contextmanager
def _in_cli_terms() -> Iterator[None]:
    try:
        yield
    except ArgumentError as exc:
        raise ArgumentError(_WORDS.get(exc.argument, exc.argument), exc.value, exc.expected) from None


def run_substitute(args: argparse.Namespace) -> int:
    """Replace a case by the next reserve of its cell, recorded in the workbook."""
    from ..draw._substitution import substitute_case

    with _in_cli_terms():
        rec = substitute_case(args.workbook, args.case_id, args.reason)
    print(f"{rec['replaced_case_id']} replaced by {rec['reserve_case_id']} (cell {rec['cell']}, reserve "
          f"{rec['reserve_rank']}): {rec['reason']}")
    print(f"recorded in {args.workbook} (its fieldwork row now holds {rec['reserve_case_id']}, answers blank; "
          "sheet substitutions; sheet cases keeps the draw as drawn)")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    """Re-draw from the frame with the workbook's manifest and say whether it is the same."""
    from ._draw import spelling_map
    from ..draw._substitution import verify_draw

    with _in_cli_terms():
        check = verify_draw(args.workbook, args.frame, mapping=spelling_map(args.map), sheet=args.sheet,
                            header_row=args.header_row)
    if not check.identical:
        print(f"sampling verify: {check.headline}", file=sys.stderr)
        for line in (*check.differences[1:], *check.problems):
            print(f"sampling verify: also: {line}", file=sys.stderr)
        if not check.frame_matches:
            print("sampling verify: give the frame the draw was made from, read with the same --map, --sheet and "
                  "--header-row (its fingerprint is in the manifest)", file=sys.stderr)
        else:
            print("sampling verify: the frame is the one drawn from, so the workbook was edited after the draw; "
                  "draw again from the frame with the recorded seed to get the true draw", file=sys.stderr)
        return 1
    print(check.headline)
    for rec in check.substitutions.itertuples(index=False):
        print(f"  substitution: {rec.replaced_case_id} -> {rec.reserve_case_id} (cell {rec.cell}, reserve "
              f"{rec.reserve_rank}): {rec.reason}")
    if check.problems:
        print("sampling verify: NOT verified: the draw verifies, but " + "; ".join(check.problems)
              + " (restore the fieldwork sheet's rows, and record replacements with `sampling substitute`)",
              file=sys.stderr)
        return 1
    print(f"fieldwork sheet: {check.manifest.get('n')} cases, every sampled case once (none lost or duplicated)")
    return 0
