"""``sampling verify``: draw again from the frame with the workbook's manifest and say whether
the workbook is that draw (exit status 1 when it is not)."""
from __future__ import annotations

import argparse
import sys

from ._common import in_cli_terms
from ._options import add_sheet_options, groups

__all__ = ["EXAMPLES", "add_arguments", "run"]

EXAMPLES = """\
Example:
  sampling draw frame.csv --sample case_supervision --out draw.xlsx
  sampling verify draw.xlsx frame.csv
  (frame.csv: the eligible-population frame the draw was made from)
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = groups(p, input="the draw and the frame it was drawn from",
               method="read FRAME as the draw read it",
               output="prints whether WORKBOOK is the draw from FRAME; exit status 0 if it is, 1 if not; "
                      "nothing is written")
    g["input"].add_argument("workbook", metavar="WORKBOOK",
                            help="the draw workbook (.xlsx) or folder of `sampling draw --sample`")
    g["input"].add_argument("frame", metavar="FRAME",
                            help="the frame it was drawn from (.csv/.xlsx); the draw's "
                                 "eligibility filters are applied again from its manifest")
    add_sheet_options(g["method"], "FRAME")
    g["method"].add_argument("--map", action="append", metavar="COLUMN:SPELLING=CATEGORY",
                             help="the extra spellings given to `sampling draw` (repeatable)")


def run(args: argparse.Namespace) -> int:
    """Re-draw from the frame with the workbook's manifest and say whether it is the same."""
    from ._draw import spelling_map
    from ..draw._substitution import verify_draw

    with in_cli_terms():
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
