"""Option builders that several ``sampling`` commands share, and the named groups their help
is laid out in (input, design, method, output). Pure argparse and the option types of
``_common``, so building every parser (``sampling --help``) loads neither numpy nor pandas."""
from __future__ import annotations

import argparse

from ._common import comma_list, fraction, parse_assignment, parse_population
from .._utils._methods import DEFAULT_METHOD, INTERVAL_METHODS

__all__ = ["HelpFormatter", "groups", "add_inspection", "add_sheet_options", "add_allow_edited_strata",
           "add_analysis_options", "add_breakdown_options", "add_source_options", "add_blank_options"]

class HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, except that a text of several lines (an "Examples:" epilog, the
    workflow) keeps its line breaks; one-line descriptions are wrapped as usual."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" not in text.strip():
            return super()._fill_text(text, width, indent)
        return "".join(indent + line for line in text.splitlines(keepends=True))

#: what each named group holds, in the user's words (a command may say more)
GROUP_WORDS = {
    "input": "what is read",
    "design": "the inspection's design: framework, samples, strata, populations",
    "method": "how the numbers are worked out",
    "output": "what is printed or written",
}


def groups(p: argparse.ArgumentParser, *names: str, **described: str) -> dict[str, argparse._ArgumentGroup]:
    """The named argument groups of a command's help, in the order given: ``groups(p, "input",
    "output")``; a keyword gives a group its own description (``output="nothing is written"``)."""
    out = {}
    for name in (*names, *described):
        out[name] = p.add_argument_group(name, described.get(name, GROUP_WORDS.get(name)))
    return out


def add_inspection(g) -> None:
    g.add_argument("--inspection", metavar="DIR", default=None,
                   help="the inspection's folder, holding inspection.toml (default: the current "
                        "folder when it holds one)")


def add_sheet_options(g, what: str) -> None:
    g.add_argument("--sheet", default=None, metavar="NAME",
                   help=f"the {what} workbook's sheet (default: the first holding the columns sought)")
    g.add_argument("--header-row", type=int, default=None, metavar="K",
                   help="the header's row number, 1 or more (default: found: the first row holding the "
                        "columns sought, so title rows above it are skipped)")


def add_allow_edited_strata(g) -> None:
    g.add_argument("--allow-edited-strata", action="store_true",
                   help="draw workbooks: analyse with stratum values edited on the fieldwork sheet (a warning "
                        "names them) instead of refusing; each case's design weight then follows its edited cell")


def add_blank_options(g) -> None:
    """How blank answers are read: ``--blank-means-na`` and ``--complete``."""
    g.add_argument("--blank-means-na", action="store_true",
                   help="treat blank answer cells as 'not applicable' (otherwise a blank answer of a partly "
                        "answered case is missing for that question, and a wholly blank row not yet scored)")
    g.add_argument("--complete", action="store_true",
                   help="the final analysis: any blank answer of a scored case is an error")


def _analysis_input(g) -> None:
    add_inspection(g)
    add_sheet_options(g, "RESULTS")
    g.add_argument("results", nargs="*", metavar="RESULTS",
                   help="case-level or aggregate results (CSV/XLSX), or the filled draw workbook(s) of "
                        "`sampling draw --sample` (one per sample: provider, N and strata from their manifests)")
    g.add_argument("--example", action="store_true",
                   help="analyse the built-in example instead: the seed inspection (HM Inspectorate of "
                        "Probation, Kent, Surrey and Sussex CRC, 2019)")


def _analysis_design(g) -> None:
    g.add_argument("--framework", metavar="F", default=None,
                   help="framework: hmip-adult (default), hmip-youth, a TOML file or a folder with "
                        "standards.csv and key_questions.csv")
    g.add_argument("--rules", metavar="R", default=None,
                   help="rating rules: hmip-adult, hmip-youth or a TOML file (default: the framework's)")
    g.add_argument("--population", metavar="N", type=parse_population, default=None,
                   help="eligible population: N for every sample, sample=N,… per sample, or 'implied' "
                        "(--example only: the largest N giving the published sample sizes)")
    g.add_argument("--strata", type=comma_list,
                   default=None, metavar="COLS",
                   help="case-level RESULTS: the design's stratum columns, e.g. gender,disposal,rosh "
                        "(the bootstrap resamples within strata)")


def _analysis_method(g) -> None:
    g.add_argument("--method", default=DEFAULT_METHOD, metavar="M",
                   help="interval method: " + ", ".join(INTERVAL_METHODS) + " (default auto: mid-p "
                        "hypergeometric where the population N is known, stratified-finite where the stratum "
                        "populations N_h are too and the design weights differ, else Wilson; wilson for Wilson "
                        "with the finite population correction everywhere)")
    g.add_argument("--confidence", type=float, default=0.8, metavar="C",
                   help="two-sided confidence level, a fraction in (0, 1): 0.8 = 80%% (default 0.8)")
    g.add_argument("--resamples", type=int, default=10_000, metavar="B",
                   help="draws for the rating probabilities (posterior draws of the population), a count "
                        "(default 10000)")
    g.add_argument("--seed", type=int, default=None, metavar="S",
                   help="random seed, for reproducible output (default: the inspection's seed, else 2019; "
                        "printed in every output)")
    g.add_argument("--threshold", type=float, default=0.9, metavar="T",
                   help="flag the overall rating when its probability is below T, a fraction in (0, 1] (default 0.9); "
                        "standards are flagged when a band edge lies inside their deciding question's "
                        "interval, and graded by P(rule rating)")


def _analysis_ratings(g) -> None:
    g.add_argument("--judgement", action="append", type=parse_assignment("--judgement"), metavar="ID=RATING",
                   help="rating of a judgement-rated standard, e.g. 1.1=Good (repeat)")
    g.add_argument("--published", action="append", type=parse_assignment("--published"), metavar="ID=RATING",
                   help="published rating of a standard, for comparison (repeat)")
    g.add_argument("--override", action="append", type=parse_assignment("--override"),
                   metavar="'ID=RATING: reason'", help="recorded professional-discretion override (repeat)")
    g.add_argument("--partial", action="store_true",
                   help="allow standards without data (left out; no overall rating)")


def add_analysis_options(p: argparse.ArgumentParser) -> dict[str, argparse._ArgumentGroup]:
    """RESULTS and the analysis options shared by ``sampling analyse`` and ``sampling report``,
    in the groups input, design, method and ratings (returned, with an empty output group, so the
    command adds its own options to them)."""
    g = groups(p, "input", "design", "method",
               ratings="standards rated by judgement, published ratings and recorded overrides")
    _analysis_input(g["input"])
    add_blank_options(g["input"])
    _analysis_design(g["design"])
    add_allow_edited_strata(g["design"])
    g["design"].add_argument(
        "--subsample-share", type=fraction("--subsample-share", "0.6", closed=True), default=None,
        metavar="R", help="published percentages: the share (0, 1] of cases a relevant sub-sample holds "
                          "where its n is not published, e.g. the frame's share of medium-or-higher RoSH "
                          "(default: the smallest plausible sub-sample, at least 40%% of cases)")
    _analysis_method(g["method"])
    _analysis_ratings(g["ratings"])
    return g


def add_breakdown_options(p: argparse.ArgumentParser) -> argparse._ArgumentGroup:
    g = p.add_argument_group("breakdown by subgroup (case-level results)")
    g.add_argument("--by", metavar="COLUMN[,COLUMN]", default=None,
                   help="break every key question down by a case column (gender, disposal, rosh, office, …), "
                        "or several cross-classified (--by Office,Sex): per subgroup its n, %% and interval, "
                        "and the difference between two subgroups")
    g.add_argument("--frame", metavar="FRAME", default=None,
                   help="with --by: the eligible-population frame (.csv/.xlsx) the sample was drawn from, to "
                        "count each subgroup's population N_g (else N_g = N x its share of the sample)")
    g.add_argument("--subgroup-population", action="append",
                   type=parse_assignment("--subgroup-population", "[SAMPLE:]VALUE=N", whole=True),
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
    return g


def add_source_options(p: argparse.ArgumentParser, *, nargs: str = "+",
                       metavar: str = "RESULTS") -> dict[str, argparse._ArgumentGroup]:
    """Several inspections on one command line (``compare``, ``pool``): the positional sources
    and the loading options they share, in the groups input and design (returned, with method
    and output, for the command's own options)."""
    g = groups(p, "input", "design", "method", "output")
    g["input"].add_argument(
        "sources", nargs=nargs, metavar=metavar,
        help="one provider's results each: a results file (CSV/XLSX) or a filled draw workbook/folder "
             "of `sampling draw --sample`; PATH=N gives its eligible population N, PATH=sample=N,… one per "
             "sample when it holds several (draw workbooks "
             "carry theirs)")
    g["design"].add_argument("--framework", metavar="F", default=None,
                             help="framework of every source: hmip-adult (default), hmip-youth, a TOML file "
                                  "or a folder")
    g["design"].add_argument("--rules", metavar="R", default=None, help="rating rules (default: the framework's)")
    g["input"].add_argument("--sheet", default=None, metavar="NAME",
                            help="the results workbooks' sheet (default: found)")
    g["input"].add_argument("--header-row", type=int, default=None, metavar="K",
                            help="the header's row number, 1 or more (default: found)")
    add_blank_options(g["input"])
    add_inspection(g["input"])
    return g
