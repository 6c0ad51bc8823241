"""``sampling analyse``: load results (a file, or the built-in seed inspection with
``--example``), rate them, and print the assessment; its loading and rating helpers are the
ones ``sampling report`` uses."""
from __future__ import annotations

import argparse
import textwrap
from typing import Any, Callable

from ._common import default_seed, inspection_of, text_table, to_json
from ._options import add_analysis_options, add_breakdown_options, groups
from ._settle import print_settling
from ..errors import ArgumentError

#: a breakdown printing more rows than this gets a hint of --wide, --pairs and --contrast
MANY_ROWS = 24

__all__ = ["EXAMPLES", "add_arguments", "run", "assess", "load", "subgroups", "beyond", "statements"]

EXAMPLES = """\
Examples:
  sampling analyse --example
  sampling analyse --example --population implied --method hypergeometric --resamples 2000
  (your own: sampling analyse draw.xlsx, the draw workbook once fieldwork has filled it)
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_analysis_options(p)
    add_breakdown_options(p)
    out = groups(p, "output")["output"]
    out.add_argument("--wide", action="store_true",
                     help="with --by: the wide layout, one row per subgroup and one column per key question "
                          "(%% and n; * = fewer than --min-cases cases)")
    out.add_argument("--json", action="store_true", help="print JSON instead of tables")


_ANALYSE_LEGEND = (
    "Legend: ? after n = n not published (for a relevant sub-sample the interval assumes the "
    "smallest sub-sample, at least 40% of cases, consistent with the %, so it is never narrower "
    "than the data allow). 'edge inside' = a band edge (%) lies "
    "inside the key question's interval, so the sample cannot tell which side of it the provider "
    "is on. FLAG on a standard = that happens to the key question driving its rating. P(rule) = "
    "the probability that a census of every eligible case would give the rule rating; grade: {grades}."
)


def _legend() -> str:
    """The legend, with each grade's error rate as the calibration study measured it
    (``sampling/rating/grade_rates.json``), never a copied figure."""
    from ..rating._grades import GRADE_RANGES, GRADES, grade_rates

    pooled = grade_rates()["rates"]["pooled"]
    parts = [f"{g} (P(rule) {GRADE_RANGES[g]}: wrong {100 * pooled[g]['wrong_all']:.1f}% of the time in simulated "
             f"inspections, {100 * pooled[g]['wrong_near']:.0f}% when the truth was within 2 points of an edge)"
             for g in GRADES]
    return _ANALYSE_LEGEND.format(grades=", ".join(parts))


def _source_given(args: argparse.Namespace) -> None:
    args.results = list(args.results or []) or None
    if args.results is not None and len(args.results) > 1 and not all(map(_is_workbook, args.results)):
        raise ArgumentError("RESULTS", args.results, "give one results file, or several draw workbooks "
                            "(one per sample)")
    if args.results is None and not args.example:
        raise ArgumentError("RESULTS", None, "give a results file (CSV/XLSX), or --example for the "
                            "built-in seed inspection")
    if args.results is not None and args.example:
        raise ArgumentError("--example", True, "give either a RESULTS file or --example, not both")


def _load_example(args: argparse.Namespace, say: Callable[[str], None]):
    from ..examples._examples import seed_inspection

    if args.framework is not None:
        raise ArgumentError("--framework", args.framework,
                            "applies to a RESULTS file; --example analyses the built-in seed inspection "
                            "(with its own framework)")
    say("loading the built-in seed inspection …")
    return (seed_inspection(population=args.population, subsample_share=getattr(args, "subsample_share", None)),
            "the built-in seed inspection (HMI Probation, KSS CRC 2019)")


def _load_file(args: argparse.Namespace, say: Callable[[str], None], inspection=None):
    from ..design._framework import load_framework
    from ..results._results import load_results

    if args.population == "implied":
        raise ArgumentError("--population", "implied", "'implied' applies to the built-in seed "
                            "inspection (--example) only; give N or sample=N,…")
    say(f"loading {args.results} …")
    overrides = {}
    for sid, text in args.override or []:
        label, _, reason = text.partition(":")
        overrides[sid] = (label.strip(), reason.strip())
    framework = args.framework if args.framework is not None else (
        inspection.framework_source() if inspection is not None else None)
    if all(map(_is_workbook, args.results)):
        return _load_workbooks(args, inspection), ", ".join(args.results)

    def load(population):
        return load_results(
            args.results[0], framework=load_framework(framework, rules=args.rules),
            provider=inspection.short_name if inspection is not None else None, sheet=args.sheet,
            header_row=args.header_row,
            blank_means_na=args.blank_means_na, complete=getattr(args, "complete", False), population=population, strata=args.strata or None,
            subsample_share=args.subsample_share,
            judgements=dict(args.judgement or []) or None,
            published=dict(args.published or []) or None, overrides=overrides or None,
        )

    if args.population is not None or inspection is None or not inspection.populations:
        return load(args.population), str(args.results[0])
    samples = load(None).samples  # the inspection's N for the samples these results hold
    known = {s: N for s, N in inspection.populations.items() if s in samples}
    return load(known or None), str(args.results[0])


def _is_workbook(path: str) -> bool:
    from ..results._fieldwork import is_draw_workbook

    return is_draw_workbook(path)


def _load_workbooks(args: argparse.Namespace, inspection):
    """Filled draw workbooks: provider, N and strata from their manifests (flags win)."""
    from ..results._fieldwork import read_fieldwork

    if getattr(args, "subsample_share", None) is not None:
        raise ArgumentError("--subsample-share", args.subsample_share, "applies to published percentages; a "
                            "draw workbook holds every case, so each question's n is counted")
    if args.framework is not None or args.strata:
        raise ArgumentError("--framework" if args.framework is not None else "--strata",
                            args.framework or args.strata, "comes from the draw workbook's manifest")
    overrides = {sid: (t.partition(":")[0].strip(), t.partition(":")[2].strip()) for sid, t in args.override or []}
    return read_fieldwork(args.results, blank_means_na=args.blank_means_na, complete=getattr(args, "complete", False),
                          allow_edited_strata=getattr(args, "allow_edited_strata", False), population=args.population,
                          judgements=dict(args.judgement or []) or None,
                          published=dict(args.published or []) or None, overrides=overrides or None)


def load(args: argparse.Namespace, say: Callable[[str], None] = lambda msg: None):
    """Load the results the options name (a file, or the seed with ``--example``); returns
    ``(results, source)`` and settles the seed."""
    from .._utils._methods import check_method

    args.method = check_method(args.method)
    _source_given(args)
    inspection = None if args.example else inspection_of(args)
    if args.seed is None:  # one default seed everywhere: the inspection's, else default_seed()
        args.seed = inspection.seed if inspection is not None else default_seed()
    return _load_example(args, say) if args.example else _load_file(args, say, inspection)


def subgroups(args: argparse.Namespace, results):
    """The breakdown ``--by`` asks for (None without it)."""
    if getattr(args, "by", None) is None:
        for flag, given in (("--frame", args.frame), ("--subgroup-population", args.subgroup_population),
                            ("--pairs", args.pairs), ("--contrast", args.contrast), ("--bands", args.bands),
                            ("--wide", getattr(args, "wide", False))):
            if given:
                raise ArgumentError(flag, given, "applies with --by COLUMN (a breakdown by subgroup)")
        return None
    from ..comparison._breakdown import breakdown

    return breakdown(results, args.by, method=args.method, confidence_level=args.confidence,
                     populations=_subgroup_populations(args, results),
                     frame=args.frame, pairs=args.pairs, contrast=args.contrast, bands=args.bands,
                     min_cases=args.min_cases, n_resamples=args.resamples, rng=args.seed)


def _subgroup_populations(args: argparse.Namespace, results) -> dict | None:
    """--subgroup-population [SAMPLE:]VALUE=N entries as {sample: {value: N}} (or {value: N})."""
    populations: dict[str, Any] | None = None
    for key, N in args.subgroup_population or []:
        sample, sep, value = key.rpartition(":")
        populations = populations or {}
        if sep:
            populations.setdefault(sample.strip(), {})[value.strip()] = N
        elif len(results.samples) > 1:
            raise ArgumentError("--subgroup-population", f"{key}={N}", f"SAMPLE:VALUE=N: these results hold "
                                f"{len(results.samples)} samples ({', '.join(results.samples)}), e.g. "
                                f"{results.samples[0]}:{key}={N}")
        else:
            populations[value.strip()] = N
    return populations


def beyond(args: argparse.Namespace, results, say: Callable[[str], None] = lambda msg: None) -> list:
    """The comparison (``--compare-with``) and national picture (``--national``) a report asks for."""
    import dataclasses

    from ._sources import load_source, load_sources

    out: list[Any] = []  # comparisons and pools, in the order asked
    if results.provider is None:
        results = dataclasses.replace(results, provider="this inspection")
    if getattr(args, "compare_with", None):
        from ..comparison._compare import compare

        say(f"comparing with {args.compare_with} …")
        out.append(compare(load_source(args.compare_with, args), results, confidence_level=args.confidence,
                           n_resamples=args.resamples, rng=args.seed))
    if getattr(args, "national", None):
        from ..comparison._pool import pool

        say(f"pooling with {len(args.national)} other provider(s) …")
        out.append(pool([results, *load_sources(args.national, args)], confidence_level=args.confidence))
    return out


def assess(args: argparse.Namespace, say: Callable[[str], None] = lambda msg: None, results=None):
    """Rate the results the options name (loaded unless given); returns ``(assessment, source)``."""
    from ..rating._ratings import rate

    results, source = load(args, say) if results is None else results
    from .._utils._methods import method_name

    say(f"rating: {method_name(args.method)} {args.confidence:.0%} intervals, {args.resamples:,} draws for "
        f"the probabilities, seed {args.seed} …")
    assessment = rate(results, rules=args.rules, method=args.method, confidence_level=args.confidence,
                      population=None if args.example else args.population,
                      n_resamples=args.resamples, rng=args.seed, threshold=args.threshold,
                      partial=True if args.partial else None)
    return assessment, source


def _print_wide(bd) -> None:
    weighted = bd.table["weighted_percent"].notna().any()
    print(("Design-weighted % " if weighted else "% ") + "yes (n applicable cases) per subgroup and key question; "
          f"* = fewer than {bd.min_cases} cases, – = none applies")
    wide = bd.wide(text=True)
    wide["population"] = wide["population"].round().astype("Int64")
    print(text_table(wide.rename(columns={"population": "N"})))


def _hint(bd, wide: bool) -> str:
    """A pointer to --wide and --pairs/--contrast when a breakdown prints many rows."""
    if len(bd.table) <= MANY_ROWS:
        return ""
    groups = list(dict.fromkeys(bd.table["subgroup"]))
    tips = [] if wide else ["--wide for one row per subgroup"]
    if not len(bd.differences) and len(groups) > 2:
        tips.append(f"--pairs to compare every pair of the {len(groups)} subgroups (Bonferroni-adjusted), or "
                    f"--contrast \"{groups[0]},{groups[1]}\" for one difference")
    return f"{len(bd.table)} rows. Add " + "; add ".join(tips) + "." if tips else ""


def _print_breakdown(bd, source: str, seed: int, wide: bool = False) -> None:
    import numpy as np
    print(f"{bd._title()}\nSource: {source}; seed {seed}\n")
    if wide:
        _print_wide(bd)
    table = bd.table.drop(columns=["standard", "margin", "method", "note", "se"], errors="ignore")
    table = table.drop(columns=[c for c in ("band", "weighted_percent") if table[c].isna().all()])
    whole = {c: table[c].round().astype("Int64") for c in ("yes", "n", "population")}
    if not wide:
        print(text_table(table.assign(**whole, few_cases=np.where(table["n"] == 0, "none", np.where(
            table["few_cases"], "few", ""))).rename(columns={"population_source": "N from"})))
    if len(bd.differences):
        print("\nDifferences between subgroups (a − b, in percentage points)")
        print(text_table(bd.differences.drop(columns=["note"]).assign(
            differs=bd.differences["differs"].map({True: "yes", False: ""}),
            confidence_level=bd.differences["confidence_level"].map(lambda v: f"{v:.1%}"))))
    print()
    for note in (*bd.notes, _hint(bd, wide)):
        if note:
            print(textwrap.fill(note, width=100))


def interim_text(results) -> str:
    """A plain note when the results are unfinished: cases not yet scored, blank answers."""
    excluded = getattr(results, "excluded", None)
    unscored = 0 if excluded is None or not len(excluded) else int(
        excluded["reason"].astype(str).str.startswith("not yet scored").sum())
    missing = getattr(results, "missing", None)
    blanks, partly = (0, 0) if missing is None else (len(missing), missing["case_id"].nunique())
    if not unscored and not blanks:
        return ""
    parts = []
    if unscored:
        parts.append(f"{unscored} case(s) not yet scored")
    if blanks:
        parts.append(f"{blanks} blank answer(s) in {partly} partly answered case(s)")
    return ("This is an interim result: " + " and ".join(parts) + " are outstanding. Blank answers are "
            "left out of their question's n; missing answers are taken to be like the answered ones "
            "in the same stratum. Add --complete for the final analysis.")


def statements(args: argparse.Namespace, results) -> tuple:
    """The design of each sample analysed: from the draw workbooks given, else from the results."""
    from ..results._statement import design_statements

    draws = list(args.results or []) if not args.example and args.results and all(map(_is_workbook, args.results)) \
        else []
    return design_statements(results, draws)


def left_out_text(results, designs=(), *, limit: int = 20) -> list[str]:
    """The cases left out, listed (case id: reason), the first ``limit`` of each kind."""
    from ..results._statement import left_out_lines

    out = []
    excluded = getattr(results, "excluded", None)
    if excluded is not None and len(excluded):
        out += [f"Cases and cells not used in the analysis ({len(excluded):,}), case id: reason"]
        out += [f"  {line}" for line in left_out_lines(excluded, limit=limit)]
    for d in designs:
        if len(d.substitutions):
            out += [f"Substituted in {d.label or d.sample} ({len(d.substitutions):,}), case id: reason"]
            out += [f"  {line}" for line in left_out_lines(d.substitutions, limit=limit)]
        if len(d.left_out):
            out += [f"Left out of the eligible population of {d.label or d.sample} ({len(d.left_out):,}), "
                    "case id: reason"]
            out += [f"  {line}" for line in left_out_lines(d.left_out, limit=limit)]
    return out


def run(args: argparse.Namespace) -> int:
    """Run ``sampling analyse``: print the key questions, standards, overall and notes (with
    ``--by``: the breakdown by subgroup instead)."""
    from ..draw._drawread import sheets_read_once

    with sheets_read_once():  # the results and the design statement read the same draw sheets
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    results, source = load(args)
    bd = subgroups(args, results)
    if bd is not None:
        designs = statements(args, results)
        if args.json:
            print(to_json({**bd.to_dict(), "seed": args.seed, "source": source,
                           "design": [d.to_dict() for d in designs],
                           **({"wide": bd.wide().to_dict("records")} if getattr(args, "wide", False) else {})}))
        else:
            _print_breakdown(bd, source, args.seed, wide=getattr(args, "wide", False))
            for d in designs:
                print("\n" + textwrap.fill("Design. " + d.text(), width=100))
        return 0
    assessment, source = assess(args, results=(results, source))
    designs = statements(args, results)
    if args.json:
        print(to_json({**assessment.to_dict(), "seed": args.seed, "source": source,
                       "design": [d.to_dict() for d in designs]}))
        return 0
    print(f"{assessment._title()}\nSource: {source}; seed {args.seed} (re-run with --seed {args.seed} "
          "for the same figures)\n")
    for d in designs:
        print(textwrap.fill("Design. " + d.text(), width=100) + "\n")
    interim = interim_text(results[0] if isinstance(results, tuple) else results)
    if interim:
        print(textwrap.fill(interim, width=100) + "\n")
    print("Key questions")
    print(text_table(assessment.key_questions_summary()))
    print("\nStandards")
    print(text_table(assessment.standards_summary()))
    for rec in assessment.standards[assessment.standards["flagged"]].itertuples():
        print(f"  {rec.standard}: {rec.flag_reason}")
    for rec in assessment.standards[assessment.standards["override_rating"].notna()].itertuples():
        print(f"  {rec.standard}: recorded override {rec.rule_rating} -> {rec.override_rating}"
              + (f" ({rec.override_reason})" if rec.override_reason else ""))
    print_settling(assessment, results[0] if isinstance(results, tuple) else results)
    print("\nOverall")
    print(text_table(assessment.overall_summary()))
    print()
    for note in assessment.notes:
        print(note)
    left = left_out_text(results, designs)
    if left:
        print()
        print("\n".join(left))
    print()
    print(textwrap.fill(_legend(), width=100))
    return 0
