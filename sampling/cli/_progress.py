"""``sampling progress``: which sampled cases of a draw workbook are scored, and whether the
scored cases are still a fair picture of the sample."""
from __future__ import annotations

import argparse

from ._common import fraction, text_table
from ._options import groups
from ..errors import ArgumentError

__all__ = ["EXAMPLES", "add_arguments", "run"]

EXAMPLES = """\
Example:
  sampling draw --example --sample case_supervision --out draw.xlsx
  sampling progress draw.xlsx --level 0.1
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = groups(p, input="the draw workbook, as filled so far",
               method="when the scored cases stop being a fair picture of the sample",
               output="prints cases complete, partly answered and not started, by stratum; balance; reserves "
                      "used; nothing is written")
    g["input"].add_argument("workbook", metavar="WORKBOOK",
                            help="the draw workbook (.xlsx) or folder of `sampling draw --sample`, as filled so far")
    g["method"].add_argument("--level", type=fraction("--level", "0.05"), default=0.05, metavar="A",
                             help="warn when a balance test's p-value is below A, a fraction in (0, 1) "
                                  "(default 0.05)")


def run(args: argparse.Namespace) -> int:
    """Print progress counts by stratum and carried column, reserves used, balance, warnings."""
    import numpy as np
    from ..results._fieldwork import is_draw_workbook
    from ..results._progress import fieldwork_progress

    if not is_draw_workbook(args.workbook):
        from ..draw._drawread import missing_draw_sheet

        gap = missing_draw_sheet(args.workbook)  # a draw workbook with its fieldwork or manifest sheet gone
        if gap is not None:
            raise gap
        raise ArgumentError("WORKBOOK", args.workbook, "must be a draw workbook (.xlsx) or folder written by "
                                                       "`sampling draw --sample`")
    p = fieldwork_progress(args.workbook, level=args.level)
    print(p._title() + "\n")
    print(text_table(p.counts))
    print("\nBalance of the scored cases (complete or partly answered) against the drawn sample")
    bal = p.balance.assign(chi_square=p.balance["chi_square"].map(lambda v: "" if np.isnan(v) else f"{v:.2f}"),
                           p_value=p.balance["p_value"].map(lambda v: "" if np.isnan(v) else f"{v:.3f}"))
    print(text_table(bal) if len(bal) else "(no strata in this draw)")
    print()
    if len(p.reserves):
        print(f"Reserves used ({len(p.reserves)})")
        print(text_table(p.reserves.fillna("")))
    else:
        print("Reserves used: none")
    outstanding = p.cases[p.cases["status"] != "complete"]
    if len(outstanding):
        print(f"\nOutstanding ({len(outstanding)}): " + ", ".join(
            f"{r.case_id} (row {r.row}, {r.status})" for r in outstanding.head(30).itertuples())
              + (" …" if len(outstanding) > 30 else ""))
    for w in p.warnings:
        print(w)
    _settling(args.workbook, p)
    return 0


def _settling(workbook, p) -> None:
    """For a partly scored workbook: how many more cases would settle each flagged rating,
    bounded by the cases still to score and the reserves not yet used."""
    from ..errors import SamplingError
    from ..rating._ratings import rate
    from ..results._fieldwork import draw_sheet, read_fieldwork
    from ._settle import print_settling

    try:
        results = read_fieldwork(workbook)
        assessment = rate(results, n_resamples=2000, rng=1)
    except SamplingError:  # nothing scored yet, or not enough to rate: no such section
        return
    unused = max(len(draw_sheet(workbook, "reserves")) - len(p.reserves), 0)
    outstanding = int((p.cases["status"] != "complete").sum())
    if print_settling(assessment, results, available=outstanding + unused):
        print(f"(Available: the {outstanding} drawn cases not yet fully scored and the {unused} reserves not used.)")
