"""``sampling export DRAW.xlsx --to FILE.csv [--wide|--long]``: filled draw workbooks as a
design another package reads (R ``survey``, SPSS, Stata)."""
from __future__ import annotations

import argparse

from ._options import add_allow_edited_strata, groups
from ..errors import ArgumentError

__all__ = ["EXAMPLES", "add_arguments", "run"]

EXAMPLES = """\
Examples:
  sampling export draw.xlsx --to design.csv
  sampling export case_supervision.xlsx unpaid_work.xlsx --to design.csv --long
  (filled draw workbooks of `sampling draw --sample`, one per sample)
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = groups(p, input="the filled draw workbooks", design="the strata each case's weight follows",
               output="the CSV written")
    g["input"].add_argument("draw", nargs="+", metavar="DRAW.xlsx",
                            help="filled draw workbook(s) of one inspection (one per sample)")
    g["output"].add_argument("--to", required=True, metavar="FILE.csv",
                             help="the CSV to write: case id, sample, strata, N_h, n_h, weight, fpc, answers "
                                  "1/0/blank")
    form = g["output"].add_mutually_exclusive_group()
    form.add_argument("--wide", dest="layout", action="store_const", const="wide",
                      help="one row per case, one column per key question (default)")
    form.add_argument("--long", dest="layout", action="store_const", const="long",
                      help="one row per case and key question")
    g["input"].add_argument("--blank-means-na", action="store_true",
                            help="read a blank key-question answer as not applicable")
    add_allow_edited_strata(g["design"])
    p.set_defaults(layout="wide")


def run(args: argparse.Namespace) -> int:
    from ..results._export import export_design
    from ..results._fieldwork import read_fieldwork

    if not str(args.to).lower().endswith(".csv"):
        raise ArgumentError("--to", args.to, "must name a .csv file")
    results = read_fieldwork(args.draw, blank_means_na=args.blank_means_na,
                             allow_edited_strata=getattr(args, "allow_edited_strata", False))
    table = export_design(results, args.to, layout=args.layout)
    samples = table["sample"].nunique()
    cases = table["case_id"].nunique()
    print(f"wrote {args.to}: {cases} cases of {samples} sample(s), {len(table)} rows ({args.layout} layout)")
    if args.layout == "wide":
        strata = "var_stratum, fpc=~var_N" if (table["n_h"] == 1).any() else "stratum, fpc=~N_h"
        print(f"R: des <- svydesign(ids=~1, strata=~{strata}, weights=~weight, data=read.csv(\"{args.to}\"))")
        if (table["n_h"] == 1).any():
            print("(some strata hold one case: var_stratum pools them as the package's variance does)")
    missing = sum(int(t.loc[t["n"] == 0, "population"].sum()) for t in (results.stratum_populations or {}).values())
    if missing:
        print(f"note: {missing} eligible case(s) in stratum cells with no sampled case are not represented "
              "by any weight (the estimates describe the sampled cells)")
    if results.excluded is not None and len(results.excluded):
        print(f"not exported: {len(results.excluded)} case(s) not yet scored or excluded, as analyse lists them")
    return 0
