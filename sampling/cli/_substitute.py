"""``sampling substitute``: replace a sampled case that cannot be inspected by the next reserve
of its cell, recorded in the draw workbook."""
from __future__ import annotations

import argparse

from ._common import in_cli_terms
from ._options import groups

__all__ = ["EXAMPLES", "add_arguments", "run"]

EXAMPLES = """\
Example:
  sampling draw --example --sample case_supervision --out draw.xlsx
  sampling substitute draw.xlsx KSS0000675 --reason "transferred out of area"
  (KSS0000675: a case id of the fieldwork sheet; the reserve takes its row)
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = groups(p, input="the draw workbook", design="the sample: the case that leaves it",
               output="recorded in WORKBOOK (its fieldwork row, the substitutions sheet)")
    g["input"].add_argument("workbook", metavar="WORKBOOK",
                            help="the draw workbook (.xlsx) or folder of `sampling draw --sample`")
    g["design"].add_argument("case_id", metavar="CASE_ID", help="the sampled case that cannot be inspected")
    g["output"].add_argument("--reason", required=True, help="why (recorded in the workbook)")


def run(args: argparse.Namespace) -> int:
    """Replace a case by the next reserve of its cell, recorded in the workbook."""
    from ..draw._substitution import substitute_case

    with in_cli_terms():
        rec = substitute_case(args.workbook, args.case_id, args.reason)
    print(f"{rec['replaced_case_id']} replaced by {rec['reserve_case_id']} (cell {rec['cell']}, reserve "
          f"{rec['reserve_rank']}): {rec['reason']}")
    print(f"recorded in {args.workbook} (its fieldwork row now holds {rec['reserve_case_id']}, answers blank; "
          "sheet substitutions; sheet cases keeps the draw as drawn)")
    return 0
