"""The ``sampling`` command: a thin shell over the Python API.

    sampling init     a folder for one inspection, with a commented inspection.toml
    sampling plan     sample sizes, achieved margins, implied populations
    sampling draw     a stratified random sample from an eligible-population frame
    sampling analyse  key-question intervals, ratings and uncertainty flags
    sampling report   every chart and table for a publication

Each subcommand parses its options, calls the public API and prints a table (or JSON with
``--json``). Bad input prints one line ``sampling <command>: error: …`` and exits with
status 2; nothing is written. The built-in seed inspection is reached only with ``--example``.

This module holds only the argument parsers (argparse and pure-Python option types, so
``sampling --help`` answers at once); each command runs from its own private module
(``_plan``, ``_draw``, ``_analyse`` in this package), imported when the command runs.
"""
from __future__ import annotations

import argparse
import importlib
import sys
import warnings
from typing import Callable, Sequence

from ._common import comma_list, fraction, number_list, percent_list, parse_assignment, parse_n, parse_population, parse_reserves
from .._utils._methods import INTERVAL_METHODS, PLAN_METHODS
from ..errors import ArgumentError, SamplingError

__all__ = ["main", "build_parser", "COMMANDS", "FLAGS"]

#: the command-line flag of each Python keyword an error may name
FLAGS = {
    "n_resamples": "--resamples", "confidence_level": "--confidence", "rng": "--seed", "seed": "--seed",
    "population": "--population", "margin": "--margin", "threshold": "--threshold", "method": "--method",
    "strata": "--strata", "reserves": "--reserves", "n": "--n", "rules": "--rules",
    "framework": "--framework", "blank_means_na": "--blank-means-na", "complete": "--complete",
    "allow_edited_strata": "--allow-edited-strata", "judgements": "--judgement",
    "published": "--published", "overrides": "--override", "mapping": "--map", "size": "--synthetic",
    "as_of": "--as-of", "months_since_start": "--months-since-start", "share": "--subsample-share",
    "set_aside": "--set-aside", "carry": "--carry",
    "p": "--p", "source": "FILE", "case_id": "CASE_ID", "sheet": "--sheet", "header_row": "--header-row",
    "by": "--by", "frame": "--frame", "pairs": "--pairs", "contrast": "--contrast", "bands": "--bands",
    "min_cases": "--min-cases", "populations": "--subgroup-population", "columns": "--column",
    "subsample_share": "--subsample-share",
    "start_column": "--column",
}
FLAGS.update({"key_questions": "--key-question"})  # sampling pool
#: keywords whose flag differs by command
COMMAND_FLAGS = {"pool": {"populations": "RESULTS"}, "compare": {"populations": "RESULTS"},
                 "report": {"populations": "--national"}}


def _add_inspection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--inspection", metavar="DIR", default=None,
                        help="the inspection's folder, holding inspection.toml (default: the current "
                             "folder when it holds one)")


def _add_sheet_options(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--sheet", default=None, metavar="NAME",
                        help=f"the {what} workbook's sheet (default: the first holding the columns sought)")
    parser.add_argument("--header-row", type=int, default=None, metavar="K",
                        help="the header's row number, 1 or more (default: found: the first row holding the "
                             "columns sought, so title rows above it are skipped)")


def _add_init(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", metavar="DIR", help="the inspection's folder (created if needed)")
    parser.add_argument("--provider", required=True, help="the provider's full name, e.g. \"Northshire CRC\"")
    parser.add_argument("--short-name", default=None, help="a short name for charts and tables (default: --provider)")
    parser.add_argument("--framework", default="hmip-adult", metavar="F",
                        help="the inspection framework: hmip-adult (default) or hmip-youth")
    parser.add_argument("--seed", type=int, default=None, metavar="S",
                        help="random seed every command of this inspection uses (default 2019)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing inspection.toml")
    parser.set_defaults(run=("_init", "run"))


def _add_plan(parser: argparse.ArgumentParser) -> None:
    _add_inspection(parser)
    parser.add_argument("--population", "-N", action="append", metavar="N",
                        type=number_list(int, "--population", thousands=True),
                        help="eligible population size; repeat or comma-separate for one row "
                             "each (omit for an infinite population)")
    parser.add_argument("--confidence", type=fraction("--confidence", "0.8"), default=None, metavar="LEVEL",
                        help="two-sided confidence level, a fraction in (0, 1): 0.8 = 80%% (default: the "
                             "inspection's, else 0.8)")
    parser.add_argument("--margin", type=fraction("--margin", "0.05"), default=None, metavar="E",
                        help="margin of error as a fraction in (0, 1): 0.05 = five "
                             "percentage points (default: the inspection's, else 0.05)")
    parser.add_argument("--p", type=fraction("--p", "0.5", closed=True, zero=True), default=0.5, metavar="P",
                        help="planning proportion, a fraction in [0, 1] (default 0.5, the worst case)")
    parser.add_argument("--method", choices=PLAN_METHODS, default="cochran",
                        help="cochran (normal approximation with finite population "
                             "correction, default) or exact (hypergeometric/Clopper-Pearson)")
    parser.add_argument("--subsample-share", type=fraction("--subsample-share", "0.6", closed=True), metavar="R",
                        help="share (0, 1] of cases a key question applies to: its expected "
                             "sub-sample, margin and the n needed")
    parser.add_argument("--from-sample", action="append", metavar="n",
                        type=number_list(int, "--from-sample"),
                        help="a published sample size: print the population range that "
                             "implies it (repeatable, comma list)")
    parser.add_argument("--misrating-risk", action="append", metavar="PCT",
                        type=percent_list("--misrating-risk"),
                        help="true percentage(s) yes, 0-100 (55 = 55%%): probability the published "
                             "band is wrong, at the planned n (or --n) for each population")
    parser.add_argument("--n", type=int, metavar="n",
                        help="sample size to use for --subsample-share and --misrating-risk "
                             "instead of the planned one")
    parser.add_argument("--detect-change", type=float, default=None, metavar="PTS",
                        help="a change in %% yes, in percentage points (15 = fifteen points): cases "
                             "needed in each of two independent inspections to detect it")
    parser.add_argument("--power", type=fraction("--power", "0.8"), default=0.8, metavar="POWER",
                        help="with --detect-change: probability of detecting the change, a fraction "
                             "in (0, 1) (default 0.8)")
    parser.add_argument("--one-sided", action="store_true",
                        help="with --detect-change: a change in a stated direction (one-sided test)")
    parser.add_argument("--example", action="store_true",
                        help="the seed inspection's samples (seeds/inspection.toml): implied "
                             "population ranges and margins")
    parser.add_argument("--json", action="store_true", help="machine-readable JSON output")
    parser.set_defaults(run=("_plan", "run"))



def _add_draw(parser: argparse.ArgumentParser) -> None:
    _add_inspection(parser)
    parser.add_argument("frame", nargs="?", metavar="FRAME",
                        help="eligible-population frame, .csv or .xlsx, one row per case "
                             "(case_id, gender, disposal, rosh, …)")
    parser.add_argument("--n", type=parse_n, default="auto",
                        help="sample size, or 'auto': Cochran's size for the frame's eligible population N at the "
                             "inspection's confidence and margin (default auto)")
    _add_sheet_options(parser, "FRAME")
    parser.add_argument("--sample", metavar="NAME", default=None,
                        help="the framework's sample being drawn (case_supervision, unpaid_work, "
                             "through_the_gate): its strata come from the inspection (else the "
                             "framework), and --out becomes the draw workbook with the fieldwork sheet "
                             "(one Yes/No/N/A column per key question)")
    parser.add_argument("--framework", default=None, metavar="F",
                        help="the framework whose sample --sample names (default: the inspection's, "
                             "else hmip-adult)")
    parser.add_argument("--seed", type=int, default=None,
                        help="random seed (default: the inspection's, else 2019; printed to reproduce the draw)")
    parser.add_argument("--strata", type=comma_list, default=None,
                        help="comma-separated stratification variables (default: the inspection's for "
                             "--sample, else gender,disposal,rosh)")
    parser.add_argument("--reserves", type=parse_reserves, default=None,
                        help="reserves per cell: a count (3) or a fraction of n_h (0.5); default max(2, ceil(n_h/2))")
    parser.add_argument("--allocation", choices=("proportional", "neyman", "equal"), default=None,
                        help="how the sample is shared between cells: proportional (the sample mirrors the "
                             "population's mix), neyman (more cases where answers are anticipated to vary most; "
                             "needs --anticipated) or equal (default: the inspection's [draw] allocation, else "
                             "proportional); estimates are weighted whatever the choice")
    parser.add_argument("--min-per-cell", type=int, default=None, metavar="K",
                        help="every cell of the frame gets at least K cases (or all its cases if fewer); the rest "
                             "is shared by the allocation (default: the inspection's [draw] min_per_cell, else 0)")
    parser.add_argument("--anticipated", default=None, metavar="FILE|P",
                        help="anticipated %% yes per cell for --allocation neyman and the planned margin: a previous "
                             "inspection's filled draw workbook, a table (.csv/.xlsx) of the strata and p or "
                             "percent_yes, or one proportion such as 0.7 (one value for all cells makes Neyman "
                             "proportional)")
    parser.add_argument("--out", default=None,
                        help="write the draw: an .xlsx workbook (every table), or CSV files: a FOLDER, or "
                             "NAME.csv (with --sample: the folder NAME; else NAME.csv beside NAME_reserves.csv, "
                             "NAME_allocation.csv, NAME_balance.csv and NAME_manifest.json)")
    parser.add_argument("--map", action="append", metavar="COLUMN:SPELLING=CATEGORY",
                        help="extra spelling, e.g. gender:X=female (repeatable)")
    parser.add_argument("--column", action="append", type=parse_assignment("--column", "'YOUR COLUMN=OURS'"),
                        metavar="'YOURS=OURS'",
                        help="read a frame column under our name, e.g. 'Offender ID=case_id' or "
                             "'Sentence start=start_date' (repeatable; common names such as CRN are found without it)")
    parser.add_argument("--months-since-start", type=number_list(float, "--months-since-start"),
                        default=None, metavar="LOW,HIGH",
                        help="eligibility: supervision began LOW to HIGH months before --as-of (e.g. 6,7)")
    parser.add_argument("--as-of", default=None, help="reference date for --months-since-start (default today)")
    parser.add_argument("--set-aside", action="append", type=parse_assignment("--set-aside", "'COLUMN=VALUE'"),
                        metavar="'COLUMN=VALUE'",
                        help="leave cases with this value out of the eligible population, e.g. "
                             "'RoSH Level=Not Assessed' (repeatable; listed in the excluded sheet)")
    parser.add_argument("--carry", default=None, metavar="COLUMNS",
                        help="frame columns to copy onto the fieldwork sheet, e.g. Office,Officer,'Start Date' "
                             "(default: office, officer, team and start date columns if present; '' for none)")
    parser.add_argument("--example", action="store_true",
                        help="draw from a synthetic 8,600-case KSS CRC caseload, keeping the cases "
                             "supervised 6-7 months on 2019-02-01 as the report did (no data needed)")
    parser.add_argument("--synthetic", type=int, default=None, metavar="SIZE",
                        help="draw from a synthetic frame of SIZE cases")
    parser.add_argument("--synthetic-seed", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.set_defaults(run=("_draw", "run"))



def _add_allow_edited_strata(p: argparse.ArgumentParser) -> None:
    p.add_argument("--allow-edited-strata", action="store_true",
                   help="draw workbooks: analyse with stratum values edited on the fieldwork sheet (a warning "
                        "names them) instead of refusing; each case's design weight then follows its edited cell")


def _add_analysis_options(p: argparse.ArgumentParser) -> None:
    """RESULTS and the analysis options shared by ``sampling analyse`` and ``sampling report``."""
    _add_inspection(p)
    _add_sheet_options(p, "RESULTS")
    p.add_argument("results", nargs="*", metavar="RESULTS",
                   help="case-level or aggregate results (CSV/XLSX), or the filled draw workbook(s) of "
                        "`sampling draw --sample` (one per sample: provider, N and strata from their manifests)")
    p.add_argument("--example", action="store_true",
                   help="analyse the built-in example instead: the seed inspection (HM Inspectorate of "
                        "Probation, Kent, Surrey and Sussex CRC, 2019)")
    p.add_argument("--framework", metavar="F", default=None,
                   help="framework: hmip-adult (default), hmip-youth, a TOML file or a folder with "
                        "standards.csv and key_questions.csv")
    p.add_argument("--rules", metavar="R", default=None,
                   help="rating rules: hmip-adult, hmip-youth or a TOML file (default: the framework's)")
    p.add_argument("--population", metavar="N", type=parse_population, default=None,
                   help="eligible population: N for every sample, sample=N,… per sample, or 'implied' "
                        "(--example only: the largest N giving the published sample sizes)")
    p.add_argument("--strata", type=comma_list,
                   default=None, metavar="COLS",
                   help="case-level RESULTS: the design's stratum columns, e.g. gender,disposal,rosh "
                        "(the bootstrap resamples within strata)")
    p.add_argument("--method", default="wilson", metavar="M",
                   help="interval method: " + ", ".join(INTERVAL_METHODS) + " (default wilson)")
    p.add_argument("--confidence", type=float, default=0.8, metavar="C",
                   help="two-sided confidence level, a fraction in (0, 1): 0.8 = 80%% (default 0.8)")
    p.add_argument("--resamples", type=int, default=10_000, metavar="B",
                   help="bootstrap replicates for the rating probabilities, a count (default 10000)")
    p.add_argument("--seed", type=int, default=None, metavar="S",
                   help="random seed, for reproducible output (default: the inspection's seed, else 2019; "
                        "printed in every output)")
    p.add_argument("--threshold", type=float, default=0.9, metavar="T",
                   help="flag the overall rating when its probability is below T, a fraction in (0, 1] (default 0.9); "
                        "standards are flagged when a band edge lies inside their deciding question's "
                        "interval, and graded by P(rule rating)")
    p.add_argument("--blank-means-na", action="store_true",
                   help="treat blank answer cells as 'not applicable' (otherwise a blank answer of a partly "
                        "answered case is missing for that question, and a wholly blank row not yet scored)")
    p.add_argument("--complete", action="store_true",
                   help="the final analysis: any blank answer of a scored case is an error")
    _add_allow_edited_strata(p)
    p.add_argument("--subsample-share", type=fraction("--subsample-share", "0.6", closed=True), default=None,
                   metavar="R", help="published percentages: the share (0, 1] of cases a relevant sub-sample holds "
                                     "where its n is not published, e.g. the frame's share of medium-or-higher RoSH "
                                     "(default: the smallest plausible sub-sample, at least 40%% of cases)")
    p.add_argument("--judgement", action="append", type=parse_assignment("--judgement"), metavar="ID=RATING",
                   help="rating of a judgement-rated standard, e.g. 1.1=Good (repeat)")
    p.add_argument("--published", action="append", type=parse_assignment("--published"), metavar="ID=RATING",
                   help="published rating of a standard, for comparison (repeat)")
    p.add_argument("--override", action="append", type=parse_assignment("--override"),
                   metavar="'ID=RATING: reason'", help="recorded professional-discretion override (repeat)")
    p.add_argument("--partial", action="store_true",
                   help="allow standards without data (left out; no overall rating)")



def _add_breakdown_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("breakdown by subgroup (case-level results)")
    g.add_argument("--by", metavar="COLUMN[,COLUMN]", default=None,
                   help="break every key question down by a case column (gender, disposal, rosh, office, …), "
                        "or several cross-classified (--by Office,Sex): per subgroup its n, %% and interval, "
                        "and the difference between two subgroups")
    g.add_argument("--frame", metavar="FRAME", default=None,
                   help="with --by: the eligible-population frame (.csv/.xlsx) the sample was drawn from, to "
                        "count each subgroup's population N_g (else N_g = N x its share of the sample)")
    g.add_argument("--subgroup-population", action="append", type=parse_assignment("--subgroup-population", "[SAMPLE:]VALUE=N", whole=True),
                   metavar="[SAMPLE:]VALUE=N", help="with --by: a subgroup's eligible population, e.g. female=61, or "
                   "case_supervision:female=61 when the results hold several samples (repeat)")
    g.add_argument("--pairs", action="store_true",
                   help="with --by: compare every pair of subgroups (Bonferroni-adjusted intervals)")
    g.add_argument("--contrast", type=comma_list, metavar="A,B", default=None,
                   help="with --by: the one difference A - B to show, e.g. female,male")
    g.add_argument("--bands", action="store_true",
                   help="with --by: give each subgroup's rating band (never for fewer than --min-cases cases)")
    g.add_argument("--min-cases", type=int, default=10, metavar="K",
                   help="with --by: a count of cases; fewer applicable cases than K are shown with a warning "
                        "(default 10)")


def _add_analyse(p: argparse.ArgumentParser) -> None:
    _add_analysis_options(p)
    _add_breakdown_options(p)
    p.add_argument("--wide", action="store_true",
                   help="with --by: the wide layout, one row per subgroup and one column per key question "
                        "(%% and n; * = fewer than --min-cases cases)")
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    p.set_defaults(run=("_analyse", "run_analyse"))



def _add_report(p: argparse.ArgumentParser) -> None:
    _add_analysis_options(p)
    _add_breakdown_options(p)
    g = p.add_argument_group("beyond this inspection")
    g.add_argument("--compare-with", metavar="EARLIER[=N]", default=None,
                   help="an earlier inspection's results (or another provider's), as for `sampling compare`: adds "
                        "the dumbbell chart and the comparison tables")
    g.add_argument("--national", nargs="+", metavar="OTHER=N", default=None,
                   help="the other providers' results, each PATH=N (N: its eligible population; PATH=sample=N,… "
                        "when it holds several samples): adds this "
                        "provider's place in the national picture (funnel plots, the pooled %%); this "
                        "inspection needs its own N")
    p.add_argument("--out", metavar="DIR", default=None,
                   help="output folder (default figures/ with --example; required with RESULTS)")
    p.add_argument("--sample", metavar="SAMPLE.xlsx", default=None,
                   help="the workbook written by `sampling draw` (or its folder): adds the "
                        "balance chart and sheet")
    p.add_argument("--formats", default="png,svg", metavar="F,F",
                   help="chart formats: png, svg, pdf (default png,svg)")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.set_defaults(run=("_analyse", "run_report"))



def _add_compare(p: argparse.ArgumentParser) -> None:
    from ._sources import add_source_options

    add_source_options(p, nargs="+", metavar="RESULTS")
    _add_inspection(p)
    p.add_argument("--confidence", type=fraction("--confidence", "0.8"), default=0.8, metavar="C",
                   help="two-sided confidence level of the intervals, a fraction (default 0.8)")
    p.add_argument("--resamples", type=int, default=10_000, metavar="B",
                   help="bootstrap replicates per inspection for the rating probabilities (default 10000)")
    p.add_argument("--seed", type=int, default=None, metavar="S",
                   help="random seed, for reproducible output (default 2019; printed in every output)")
    p.add_argument("--out", metavar="DIR", default=None,
                   help="also write the dumbbell chart (dumbbell.png, .svg) and comparison.csv there")
    p.add_argument("--label", action="append", metavar="TEXT", default=None,
                   help="the name of a side in tables and charts: give it twice, first then second "
                        "(default: each side's provider, then its file name)")
    p.add_argument("--adjust", choices=("none", "holm", "bonferroni"), default="none",
                   help="adjust 'beyond noise' for the number of key questions compared: holm or bonferroni "
                        "(default none: the multiplicity is stated, not adjusted)")
    p.add_argument("--power", type=fraction("--power", "0.8"), default=0.8, metavar="P",
                   help="power of the smallest detectable change printed per key question, a fraction "
                        "(default 0.8)")
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    p.set_defaults(run=("_compare", "run_compare"))


def _add_substitute(p: argparse.ArgumentParser) -> None:
    p.add_argument("workbook", metavar="WORKBOOK",
                   help="the draw workbook (.xlsx) or folder of `sampling draw --sample`")
    p.add_argument("case_id", metavar="CASE_ID", help="the sampled case that cannot be inspected")
    p.add_argument("--reason", required=True, help="why (recorded in the workbook)")
    p.set_defaults(run=("_fieldwork", "run_substitute"))


def _add_verify(p: argparse.ArgumentParser) -> None:
    p.add_argument("workbook", metavar="WORKBOOK",
                   help="the draw workbook (.xlsx) or folder of `sampling draw --sample`")
    p.add_argument("frame", metavar="FRAME", help="the frame it was drawn from (.csv/.xlsx); the draw's "
                                                  "eligibility filters are applied again from its manifest")
    _add_sheet_options(p, "FRAME")
    p.add_argument("--map", action="append", metavar="COLUMN:SPELLING=CATEGORY",
                   help="the extra spellings given to `sampling draw` (repeatable)")
    p.set_defaults(run=("_fieldwork", "run_verify"))


def _add_progress(p: argparse.ArgumentParser) -> None:
    p.add_argument("workbook", metavar="WORKBOOK",
                   help="the draw workbook (.xlsx) or folder of `sampling draw --sample`, as filled so far")
    p.add_argument("--level", type=fraction("--level", "0.05"), default=0.05, metavar="A",
                   help="warn when a balance test's p-value is below A, a fraction in (0, 1) (default 0.05)")
    p.set_defaults(run=("_progress", "run_progress"))


def _add_pool(p: argparse.ArgumentParser) -> None:
    from ._sources import add_source_options

    add_source_options(p)
    _add_inspection(p)
    p.add_argument("--confidence", type=float, default=0.8, metavar="C",
                   help="two-sided confidence level of the national and difference intervals, a fraction in "
                        "(0, 1): 0.8 = 80%% (default 0.8)")
    p.add_argument("--key-question", action="append", type=comma_list, metavar="ID",
                   help="only these key questions (repeat, or comma-separated; default: all)")
    p.add_argument("--out", metavar="DIR", default=None,
                   help="also write pool.csv, providers.csv and a funnel plot per key question (PNG, SVG)")
    p.add_argument("--label", action="append", metavar="TEXT", default=None,
                   help="the name of a provider in tables and charts: give it once per RESULTS, in order "
                        "(default: each provider's name, then its file name)")
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    p.set_defaults(run=("_pool", "run_pool"))


def _add_export(p: argparse.ArgumentParser) -> None:
    p.add_argument("draw", nargs="+", metavar="DRAW.xlsx",
                   help="filled draw workbook(s) of one inspection (one per sample)")
    p.add_argument("--to", required=True, metavar="FILE.csv",
                   help="the CSV to write: case id, sample, strata, N_h, n_h, weight, fpc, answers 1/0/blank")
    form = p.add_mutually_exclusive_group()
    form.add_argument("--wide", dest="layout", action="store_const", const="wide",
                      help="one row per case, one column per key question (default)")
    form.add_argument("--long", dest="layout", action="store_const", const="long",
                      help="one row per case and key question")
    p.add_argument("--blank-means-na", action="store_true",
                   help="read a blank key-question answer as not applicable")
    _add_allow_edited_strata(p)
    p.set_defaults(run=("_export", "run_export"), layout="wide")


#: (name, help, add-options) of each subcommand, in ``--help`` order.
COMMANDS: tuple[tuple[str, str, Callable[[argparse.ArgumentParser], None]], ...] = (
    ("init", "a folder for one inspection, with a commented inspection.toml to edit", _add_init),
    ("plan", "Sample sizes, achieved margins, implied populations and misrating risk.", _add_plan),
    ("draw", "a stratified random sample from an eligible-population frame", _add_draw),
    ("substitute", "replace a sampled case by the next reserve of its cell, in the draw workbook", _add_substitute),
    ("verify", "re-draw from the frame and check a draw workbook is that draw", _add_verify),
    ("progress", "fieldwork so far: cases complete, partly answered, not started; balance; reserves used",
     _add_progress),
    ("analyse", "key-question intervals, ratings, uncertainty flags and rating probabilities", _add_analyse),
    ("compare", "two inspections (a re-inspection, two providers): differences per key question, ratings", _add_compare),
    ("report", "every chart (PNG, SVG) and table (report.md/.csv/.xlsx) for a publication", _add_report),
    ("pool", "the national picture: providers pooled by eligible population, each against the pool, "
             "funnel plots", _add_pool),
    ("export", "a filled draw workbook as a design R survey, SPSS or Stata reads (CSV with strata, "
               "weights, fpc)", _add_export),
)


#: the top-level help's epilog: the workflow in order, one example per stage
WORKFLOW = """\
an inspection, stage by stage (plan, draw, analyse and report also take --example: the built-in one):
  1. set up     sampling init northshire --provider "Northshire CRC"   (then cd northshire)
  2. plan       sampling plan --population 668
  3. draw       sampling draw frame.xlsx --sample case_supervision --out draw.xlsx
  4. fieldwork  sampling progress draw.xlsx
                sampling substitute draw.xlsx CASE_ID --reason "transferred out of area"
                sampling verify draw.xlsx frame.xlsx
  5. analyse    sampling analyse draw.xlsx
  6. report     sampling report draw.xlsx --out report
  7. beyond     sampling compare earlier.xlsx draw.xlsx · sampling pool A.xlsx=668 B.xlsx=700

'sampling COMMAND --help' describes each command's options.
"""


class _Version(argparse.Action):
    """``--version``: the installed version, read only when asked for."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS,
                 help="show program's version number and exit"):
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from .. import __version__

        parser._print_message(f"inspection-sampling {__version__}\n")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sampling",
        description="Plan, draw and analyse case-file inspection samples.",
        epilog=WORKFLOW,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, help_text, add in COMMANDS:
        p = sub.add_parser(name, help=help_text, description=help_text)
        add(p)
    return parser



def _as_given(flag: str, value: object) -> str:
    """An option as the user typed it: ``--wide`` for a switch, ``--n='abc'`` for a value
    (never Python's True or None)."""
    if isinstance(value, bool):
        return flag if value else f"{flag} (off)"
    return flag if value is None else f"{flag}={value!r}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        module, name = args.run
        with warnings.catch_warnings():  # a warning is one line in the user's terms, not our source line
            warnings.showwarning = lambda message, *_a, **_k: print(
                f"sampling {args.command}: warning: {message}", file=sys.stderr)
            status = getattr(importlib.import_module(f".{module}", __package__), name)(args)
    except ArgumentError as exc:  # a keyword of the Python API is the flag that set it
        flag = {**FLAGS, **COMMAND_FLAGS.get(args.command, {})}.get(exc.argument.split("[")[0], exc.argument)
        print(f"sampling {args.command}: error: {_as_given(flag, exc.value)} is invalid: {exc.expected}",
              file=sys.stderr)
        return 2
    except SamplingError as exc:  # a data error's hint in the command line's terms
        print(f"sampling {args.command}: error: {exc.cli_text() if hasattr(exc, 'cli_text') else exc}",
              file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except MemoryError:
        print(f"sampling {args.command}: error: not enough memory for this request; ask for less "
              "(fewer --resamples, a smaller frame)", file=sys.stderr)
        return 2
    except OSError as exc:  # a path the system refuses (too long, no permission, disk full)
        where = f" {exc.filename!r}" if getattr(exc, "filename", None) else ""
        print(f"sampling {args.command}: error: cannot read or write{where}: {exc.strerror or exc}",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # pragma: no cover
        print("sampling: interrupted", file=sys.stderr)
        return 130
    return int(status or 0)



if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
