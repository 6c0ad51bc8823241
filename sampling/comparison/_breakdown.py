"""Breakdowns by subgroup: each key question's percentage and interval per subgroup (domain)
of the sample — the inspection analyst's ``svyby``.

A subgroup (women, high-RoSH cases, one office) is a *domain*: its size in the sample is
random, and its eligible population N_g is known only when the frame carries the column.
Each subgroup's interval is the single-sample interval of its own cases, with its own
population: N_g from ``population=`` or a ``frame=`` (counted), else estimated as
N · n_g / n (the domain's share of the sample, Lohr 2022 §4.2 — as for relevant
sub-samples), else unknown (no finite-population correction; the note says which).
Subgroups with few cases are shown with their n and a warning, never hidden, and given no
band unless ``bands=True`` (and then only with enough cases). Two subgroups are compared by
Newcombe's hybrid score interval for the difference (:mod:`sampling._difference`); with
``pairs=True`` every pair is compared and each interval widened by Bonferroni so that all of
a key question's pair intervals hold together at the confidence level asked.
"""
from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .._utils._checks import check_bool, check_confidence_level, check_count
from ..stats._difference import bonferroni_level, newcombe_difference
from .._utils._types import FrameSource, SeedLike
from .._utils._display import TableResult
from ..estimation._intervals import intervals
from ..results._weights import stratified_intervals, weighted_estimates, weighted_interval
from ._compare import mover_difference
from ._subgroups import BLANK, SEPARATOR, by_text, cross_labels, subgroup_populations
from .._utils._methods import ANALYTIC, AUTO, DEFAULT_METHOD, STRATIFIED, check_method, method_name, used_method
from ..results._results import Results
from ..results._case import SUMMARY_COLUMNS
from .._utils._tables import column_key, match_columns, norm_label
from ..errors import ArgumentError

__all__ = ["breakdown", "Breakdown", "MIN_CASES"]

#: a subgroup's key question with fewer applicable cases than this is shown with a warning and no band
MIN_CASES = 10

#: all pairs are compared for at most this many subgroups (190 pairs)
MAX_PAIR_GROUPS = 20

TABLE_COLUMNS = ["subgroup", "key_question", "standard", "sample", "cases", "yes", "n", "percent", "weighted_percent", "low",
                 "high", "margin", "se", "population", "population_source", "method", "few_cases", "band", "note"]
DIFFERENCE_COLUMNS = ["key_question", "subgroup_a", "subgroup_b", "percent_a", "percent_b", "difference",
                      "low", "high", "confidence_level", "comparisons", "differs", "note"]


@dataclass(frozen=True, repr=False)
class Breakdown(TableResult):
    """Key-question percentages per subgroup (see :func:`breakdown`).

    Attributes
    ----------
    by : str
        The case column broken down by, as the cases spell it; for several, their names
        joined by " × " ("Office × Sex").
    table : DataFrame
        One row per subgroup and key question: ``subgroup, key_question, standard, sample,
        cases`` (the subgroup's cases in that sample), ``yes, n, percent, low, high, margin``
        (points; about ``weighted_percent``, the N_h-weighted estimate, when the design's stratum
        populations are known, else about ``percent``), ``se`` (the design standard error of
        ``weighted_percent``, points: the domain's linearised variance on the whole design,
        R ``svyby``; NaN when not weighted), ``population`` (N used, NaN if none),
        ``population_source`` (frame / given / N_h — summed over the subgroup's stratum cells /
        estimated / unknown), ``method``, ``few_cases``, ``band`` (only with ``bands=True``),
        ``note``.
    differences : DataFrame
        Subgroup a minus subgroup b per key question, in points, with its interval, the
        confidence level each interval was built at (Bonferroni-adjusted for all pairs), the
        number of comparisons, and ``differs`` (the interval excludes 0).
    subgroups : DataFrame
        ``subgroup, sample, cases, population, population_source`` (and, for several columns,
        one column each with the subgroup's value, under the cases' own names).
    by_columns : tuple of str
        The column(s) broken down by.
    method : str
        The interval method.
    confidence_level : float
        Two-sided, e.g. 0.8.
    min_cases : int
        Subgroups with fewer cases are marked ``few_cases`` (and said to be unreliable).
    notes : tuple of str
        What the reader should know, in words.
    provider : str or None
        The inspected provider's name, when the results give it.
    rules : RatingRules or None
        The rating rules, when bands were asked for.
    """

    by: str
    table: pd.DataFrame
    differences: pd.DataFrame
    subgroups: pd.DataFrame
    method: str
    confidence_level: float
    min_cases: int
    notes: tuple[str, ...] = ()
    provider: str | None = None
    rules: Any = None
    by_columns: tuple = ()

    def to_frame(self) -> pd.DataFrame:
        """The per-subgroup table (a copy)."""
        return self.table.copy()

    def wide(self, text: bool = False) -> pd.DataFrame:
        """The wide layout: one row per subgroup, one column per key question (for a pivot
        table or a spreadsheet).

        Parameters
        ----------
        text : bool
            False: numeric columns ``<question> %`` (the weighted % where the design's
            stratum populations are known, else the sample's own) and ``<question> n``;
            True: one column per question reading "62.5 (16)" (% and n), with "*" after a
            cell of fewer than ``min_cases`` applicable cases and "–" where none applies.

        Returns
        -------
        DataFrame
            ``subgroup``, the breakdown's column(s) when several, ``cases`` and
            ``population`` (summed over samples), then the questions in framework order.
        """
        t = self.table
        est = t["weighted_percent"].where(t["weighted_percent"].notna(), t["percent"])
        groups = list(dict.fromkeys(t["subgroup"]))
        kqs = list(dict.fromkeys(t["key_question"]))
        subs = self.subgroups.groupby("subgroup", sort=False).agg(cases=("cases", "sum"),
                                                                  population=("population", "sum"))
        out = pd.DataFrame({"subgroup": groups})
        extra = [c for c in self.by_columns if c in self.subgroups.columns] if len(self.by_columns) > 1 else []
        for c in extra:
            out[c] = out["subgroup"].map(self.subgroups.drop_duplicates("subgroup").set_index("subgroup")[c])
        out["cases"] = out["subgroup"].map(subs["cases"]).fillna(0).astype(int).to_numpy()
        pop = out["subgroup"].map(subs["population"].where(
            self.subgroups.groupby("subgroup", sort=False)["population"].apply(lambda v: v.notna().all())))
        out["population"] = pop.to_numpy(float)
        cell = t.assign(est=est.to_numpy()).set_index(["subgroup", "key_question"])
        for kq in kqs:
            rows = cell.xs(kq, level="key_question").reindex(groups)
            if text:
                cols = (rows[c].to_numpy(float) for c in ("n", "est", "few_cases"))
                out[kq] = ["–" if not (n > 0) else f"{e:.1f} ({n:.0f})" + ("*" if few == 1 else "")
                           for n, e, few in zip(*cols)]
            else:
                out[f"{kq} %"] = np.where(rows["n"].to_numpy(float) > 0, rows["est"].to_numpy(float), np.nan)
                out[f"{kq} n"] = rows["n"].fillna(0).astype(int).to_numpy()
        return out

    def _title(self) -> str:
        who = f"{self.provider}: " if self.provider else ""
        k = self.subgroups["subgroup"].nunique()
        return (f"{who}key questions by {self.by} ({k} subgroups; {method_name(self.method)}, "
                f"{self.confidence_level:.0%} intervals)")

    def _notes(self) -> list[str]:
        return list(self.notes)

    def to_dict(self) -> dict:
        """Everything, as plain data (for JSON)."""
        return {"by": self.by, "by_columns": list(self.by_columns), "provider": self.provider, "method": self.method,
                "confidence_level": self.confidence_level, "min_cases": self.min_cases,
                "subgroups": self.subgroups.to_dict("records"), "table": self.table.to_dict("records"),
                "differences": self.differences.to_dict("records"), "notes": list(self.notes)}


# --------------------------------------------------------------------------- subgroups
def _check_by(results: Results, by: Any) -> list[str]:
    """The case column(s) ``by`` names, as the cases spell them: one column, a list of
    columns, or "A,B" (when no single column is called that)."""
    cases = getattr(results, "cases", None) if isinstance(results, Results) else None
    if isinstance(by, str) and cases is not None and by not in cases.columns and "," in by:
        parts = [x.strip() for x in by.split(",") if x.strip()]
        by = parts if len(parts) > 1 else by
    if isinstance(by, (list, tuple)) and cases is not None:
        cols = [_check_one_by(results, b) for b in by]
        if not cols:
            raise ArgumentError("by", by, "one column or more")
        if len(set(cols)) < len(cols):
            raise ArgumentError("by", by, "different columns (a column named twice cross-classifies nothing)")
        return cols
    return [_check_one_by(results, by)]


def _check_one_by(results: Results, by: Any) -> str:
    if not isinstance(results, Results):
        raise ArgumentError("results", type(results).__name__, "must be a Results object (see sampling.load_results)")
    if results.level != "case" or results.cases is None:
        raise ArgumentError("by", by, "needs case-level results (one row per case with its answers): "
                            "published percentages hold no subgroups")
    columns = [c for c in results.case_table.columns if c != "sample"]
    if not isinstance(by, str) or by not in results.case_table.columns:
        found = {column_key(c): c for c in columns}.get(column_key(by)) if isinstance(by, str) else None
        if found is None and isinstance(by, str):  # a frame's own name for one of ours ("RoSH Level")
            found = match_columns([by], columns, what="cases").get(by)
        if found is None:
            raise ArgumentError("by", by, f"a column of the cases: {', '.join(map(str, columns)) or '(none)'}")
        by = found
    return by


# --------------------------------------------------------------------------- one subgroup
def _subgroup_results(results: Results, mask: np.ndarray, pops: Mapping[str, int]) -> Any:
    """The subgroup's own cases as Results (key questions it has applicable cases for)."""
    answers = results.answer_table[mask]
    cases = results.case_table[mask]
    n = answers.notna().sum()
    yes = answers.sum(skipna=True)
    summary = results.summary[results.summary["key_question"].map(lambda q: n[q] > 0)].copy()
    summary["yes"] = summary["key_question"].map(yes).astype(float)
    summary["n"] = summary["key_question"].map(n).astype(float)
    summary["percent"] = 100 * summary["yes"] / summary["n"]
    summary["published_percent"], summary["n_known"], summary["note"] = np.nan, True, ""
    missing = results.missing[results.missing["case_id"].isin(set(answers.index))].reset_index(drop=True)
    summary["missing"] = summary["key_question"].map(missing["key_question"].value_counts()).fillna(0).astype(int)
    sizes = {s: int((cases["sample"] == s).sum()) for s in results.samples if (cases["sample"] == s).any()}
    return dataclasses.replace(results, summary=summary[SUMMARY_COLUMNS].reset_index(drop=True), answers=answers,
                               missing=missing,
                               cases=cases, populations={s: N for s, N in pops.items() if s in sizes},
                               sample_sizes=sizes, judgements={}, published={}, overrides={})


def _domain_rows(results: Results, mask: np.ndarray, table: pd.DataFrame, options: dict) -> pd.DataFrame:
    """Design-weighted analytic rows of a subgroup recomputed as domain estimates on the whole
    design (Lohr 2022 §4.2; R ``svyby``): the subgroup's answers kept, every other case's
    set to not applicable, so each stratum keeps its n_h and N_h and the linearised variance
    counts the other cases as zeros. For a subgroup made of whole strata this is the
    subgroup's own design; for one that cuts across strata (an office) it is the
    unconditional domain variance R's ``svyby(~q, ~office, design, svymean)`` gives."""
    table = table.assign(se=np.nan, variance=np.nan, variance_wr=np.nan, domain_population=np.nan)
    if not getattr(results, "stratum_populations", None) or "weighted_percent" not in table.columns or not len(table):
        return table
    answers = results.answer_table.where(np.repeat(mask[:, None], results.answer_table.shape[1], axis=1))
    masked = dataclasses.replace(results, answers=answers)
    est = weighted_estimates(masked)
    est.index = results.summary["key_question"].astype(str).to_numpy()
    rows = table["weighted_percent"].notna().to_numpy() & table["key_question"].astype(str).isin(est.index[est["weighted"]]).to_numpy()
    if not rows.any():
        return table
    e = est.loc[table.loc[rows, "key_question"].astype(str).tolist()]
    table.loc[rows, "se"] = 100 * np.sqrt(e["variance"].to_numpy(float))
    for c in ("variance", "variance_wr", "domain_population"):  # for the differences, then dropped
        table.loc[rows, c] = e[c].to_numpy(float)
    redo = rows & table["method"].isin(ANALYTIC).to_numpy()
    for method in table.loc[redo, "method"].unique():
        r = redo & (table["method"] == method).to_numpy()
        ek = est.loc[table.loc[r, "key_question"].astype(str).tolist()]
        low, high = weighted_interval(ek, table.loc[r, "n"].to_numpy(float), method, options["confidence_level"],
                                      yes=table.loc[r, "yes"].to_numpy(float))
        table.loc[r, "low"], table.loc[r, "high"] = low, high
        table.loc[r, "margin"] = (high - low) / 2
    strat = rows & (table["method"] == STRATIFIED).to_numpy()
    if strat.any():  # the subgroup as a domain of each stratum cell: its cases there of the cell's n_h
        si = stratified_intervals(masked, options["confidence_level"])
        si.index = est.index
        got = si.loc[table.loc[strat, "key_question"].astype(str).tolist()]
        for c in ("low", "high", "population"):
            table.loc[strat, c] = got[c].to_numpy(float)
        table.loc[strat, "margin"] = (table.loc[strat, "high"] - table.loc[strat, "low"]) / 2
    return table


def _subgroup_rows(results: Results, g: str, mask: np.ndarray, subs: pd.DataFrame, options: dict) -> pd.DataFrame:
    mine = subs[subs["subgroup"] == g]
    pops = {str(s): int(N) for s, N in zip(mine["sample"], mine["population"].to_numpy(float)) if not np.isnan(N)}
    sub = _subgroup_results(results, mask, pops)
    table = intervals(sub, **options).table if len(sub.summary) else pd.DataFrame(columns=TABLE_COLUMNS)
    table = _domain_rows(results, mask, table, options)
    table = results.summary[["key_question", "standard", "sample"]].merge(
        table.drop(columns=["standard", "sample"]), on="key_question", how="left")
    table.insert(0, "subgroup", g)
    table["cases"] = table["sample"].map(dict(zip(mine["sample"], mine["cases"]))).fillna(0).astype(int)
    table["population_source"] = table["sample"].map(dict(zip(mine["sample"], mine["population_source"])))
    table["yes"], table["n"] = table["yes"].fillna(0.0), table["n"].fillna(0.0)
    table["note"] = table["note"].where(table["n"] > 0, "no applicable case in this subgroup")
    if "weighted_percent" not in table.columns:
        table["weighted_percent"] = np.nan
    table["population_source"] = table["population_source"].fillna("unknown")
    return table


# --------------------------------------------------------------------------- differences
def _pairs(groups: list[str], pairs: bool, contrast: Any) -> list[tuple[str, str]]:
    if contrast is not None:
        if isinstance(contrast, str) or len(contrast) != 2:
            raise ArgumentError("contrast", contrast, "two subgroups, (a, b): the difference a − b")
        found = {norm_label(g): g for g in groups}
        out = []
        for c in contrast:
            if norm_label(c) not in found:
                raise ArgumentError("contrast", c, f"one of the subgroups: {', '.join(groups)}")
            out.append(found[norm_label(c)])
        return [(out[0], out[1])]
    if pairs:
        if len(groups) > MAX_PAIR_GROUPS:
            raise ArgumentError("pairs", f"{len(groups)} subgroups", f"every pair of at most {MAX_PAIR_GROUPS} "
                                f"subgroups ({MAX_PAIR_GROUPS * (MAX_PAIR_GROUPS - 1) // 2} pairs, each interval "
                                "Bonferroni-widened until it says little); compare two with contrast=(a, b)")
        return list(itertools.combinations(groups, 2))
    return [(groups[0], groups[1])] if len(groups) == 2 else []


def _weighted_difference(ra: pd.Series, rb: pd.Series, level: float) -> tuple[float, float, float]:
    """a − b (points) of two design-weighted subgroup rows: each one's design-weighted Wilson
    interval at ``level`` (:func:`sampling.comparison._compare.side_limits`; also where the
    rows show the stratified finite-population interval: the notes say so,
    :data:`WILSON_LIMITS_NOTE`) combined by Newcombe's hybrid rule
    (MOVER, Zou & Donner 2008), as ``compare`` does."""
    sides = {}
    for x, r in (("a", rb), ("b", ra)):  # mover_difference gives b − a: here subgroup a − subgroup b
        sides.update({f"yes_{x}": [float(r["yes"])], f"n_{x}": [float(r["n"])], f"weighted_{x}": [True],
                      f"estimate_{x}": [float(r["weighted_percent"])], f"variance_{x}": [float(r["variance"])],
                      f"variance_wr_{x}": [float(r["variance_wr"])],
                      f"population_{x}": [float(np.round(r["domain_population"]))
                                          if np.isfinite(float(r["population"])) else np.nan]})
    d, lo, hi = mover_difference(pd.DataFrame(sides), level)
    return float(d[0]), float(lo[0]), float(hi[0])


def _differences(table: pd.DataFrame, pair_list: list, cl: float, adjust: bool) -> pd.DataFrame:
    level = bonferroni_level(cl, len(pair_list)) if adjust else cl
    rows = []
    for kq in dict.fromkeys(table["key_question"]):
        rows_kq = table[table["key_question"] == kq].set_index("subgroup")
        for a, b in pair_list:
            ra, rb = rows_kq.loc[a], rows_kq.loc[b]
            row = dict(key_question=kq, subgroup_a=a, subgroup_b=b, percent_a=ra["percent"], percent_b=rb["percent"],
                       confidence_level=level, comparisons=len(pair_list) if adjust else 1)
            weighted = all(np.isfinite(float(r.get("variance_wr", np.nan))) for r in (ra, rb))
            if weighted and ra["n"] > 0 and rb["n"] > 0:
                d, lo, hi = _weighted_difference(ra, rb, level)
                row.update(percent_a=ra["weighted_percent"], percent_b=rb["weighted_percent"], difference=d, low=lo,
                           high=hi, differs=bool(lo > 0 or hi < 0), note="design-weighted")
            elif ra["n"] > 0 and rb["n"] > 0:
                d, lo, hi = newcombe_difference(ra["yes"], ra["n"], rb["yes"], rb["n"], confidence_level=level,
                                                population1=ra["population"], population2=rb["population"])
                row.update(difference=100 * d, low=100 * lo, high=100 * hi, differs=bool(lo > 0 or hi < 0), note="")
            else:
                row.update(difference=np.nan, low=np.nan, high=np.nan, differs=False,
                           note="a subgroup has no applicable case")
            rows.append(row)
    return pd.DataFrame(rows, columns=DIFFERENCE_COLUMNS)


# --------------------------------------------------------------------------- entry point
def _notes(by: str, subs: pd.DataFrame, table: pd.DataFrame, min_cases: int, diffs: pd.DataFrame,
           adjust: bool, cross: bool = False) -> list[str]:
    notes = []
    src = set(subs["population_source"])
    if "estimated" in src:
        notes.append("Subgroup populations estimated as N × n_g / n (each subgroup's share of the sample); "
                     "give the eligible frame (or each subgroup's N) for the exact finite-population correction.")
    if "unknown" in src:
        notes.append("Eligible population unknown for some subgroups: no finite-population correction there.")
    few = table[table["few_cases"] & (table["n"] > 0)]
    if len(few):
        names = list(dict.fromkeys(few["subgroup"]))
        groups = ", ".join(f"{g} (n={int(few[few['subgroup'] == g]['n'].min())})" for g in names[:8])
        if len(names) > 8:
            groups += f" and {len(names) - 8} more"
        notes.append(f"Fewer than {min_cases} applicable cases for some key questions of: {groups}. Their "
                     "percentages are shown but too few to read; they get no band.")
    if len(few) or cross:
        notes.append(f"Small subgroups: nothing is hidden; a subgroup's key question with fewer than {min_cases} "
                     "applicable cases is shown with its n, marked few, and given no band (set the threshold "
                     "with min_cases, --min-cases on the command line).")
    if any(BLANK in str(g).split(SEPARATOR) for g in set(subs["subgroup"])):
        notes.append(f"Cases with no {by} recorded form the subgroup {BLANK!r}" + (
            " (in the part of the name for that column)." if cross else "."))
    if cross:
        notes.append(f"Subgroups cross-classify {by}: each is the cases with that combination of values, "
                     f"named by the values in that order, joined by '{SEPARATOR.strip()}'.")
    if "N_h weights" in src:
        notes.append("Subgroup populations N_g estimated from the design weights (Σ N_h/n_h over the subgroup's "
                     "cases); each subgroup's design-weighted interval is that of a domain of the whole design.")
    if len(diffs):
        notes.append("Differences a − b in points" + (" of the design-weighted %s" if (diffs["note"] == "design-weighted").any()
                     else "") + ", Newcombe's hybrid score interval (the subgroups taken as "
                     "independent samples: exact for strata of the design, close for other columns)"
                     + (f"; {int(diffs['comparisons'].iloc[0])} pairs per key question, each interval at "
                        f"{diffs['confidence_level'].iloc[0]:.2%} (Bonferroni) so all hold together"
                        if adjust else "") + ". 'differs' = the interval excludes 0.")
        if set(table["method"].dropna().astype(str)) - {"wilson"}:
            notes.append(WILSON_LIMITS_NOTE)
    return notes


#: why a difference is built on Wilson limits when the rows show another interval
#: (``benchmarks/compare_study.py``, as for :func:`~sampling.compare`)
WILSON_LIMITS_NOTE = ("Each difference is built on the two subgroups' Wilson limits (finite-population corrected "
                      "where the population is known; design-weighted rows' on the effective sample size), not on "
                      "the intervals shown per subgroup: in simulation at populations of 56 to 668 cases the "
                      "hybrid built on Wilson limits covered the true difference 78-80% of the time at 80%, built "
                      "on the mid-p hypergeometric limits only 70-76% at 56 and 79 cases.")


def breakdown(results: Results, by: str | Sequence[str], *, method: str = DEFAULT_METHOD, confidence_level: float = 0.8,
              populations: Mapping[str, Any] | None = None, frame: FrameSource | None = None, pairs: bool = False,
              contrast: Sequence[str] | None = None, bands: bool = False, min_cases: int = MIN_CASES,
              n_resamples: int = 10_000, rng: SeedLike = None) -> Breakdown:
    """Each key question's percentage and interval per subgroup of a case column.

    Parameters
    ----------
    results : Results
        Case-level results (:func:`~sampling.load_results`, :func:`~sampling.read_fieldwork`).
    by : str or list of str
        A case column: a stratum (gender, disposal, rosh) or any other (office, …); or
        several (``["Office", "Sex"]``, or "Office,Sex"), cross-classified: one subgroup per
        combination present, named "North / female".
    method, confidence_level, n_resamples, rng
        As for :func:`~sampling.intervals`; each subgroup's interval is the single-sample
        interval of its own cases (the bootstrap methods resample within it, by the design's
        strata). Default ``"auto"``: mid-p hypergeometric where N_g is known, else Wilson.
    populations : {sample: {subgroup: N}} or {subgroup: N}, optional
        Each subgroup's eligible population (the short form when the results hold one sample).
    frame : DataFrame or path, optional
        The eligible-population frame the sample was drawn from (one sample's): N_g is the
        count of its rows in each subgroup.
    pairs : bool
        Compare every pair of subgroups (Bonferroni-adjusted); by default two subgroups are
        compared, more only with ``pairs`` or ``contrast``.
    contrast : (a, b), optional
        The one difference a − b to show.
    bands : bool
        Add each subgroup's rating band (not for key questions under ``min_cases``).
    min_cases : int
        A key question with fewer applicable cases in a subgroup is flagged ``few_cases``.

    Returns
    -------
    Breakdown

    References
    ----------
    .. [1] Lohr, S. L. (2022). *Sampling: Design and Analysis*, 3rd ed., §4.2 (domains). CRC Press.
    .. [2] Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*, §2.3 (``svyby``). Wiley.
    .. [3] Newcombe, R. G. (1998). Interval estimation for the difference between independent
       proportions. *Statistics in Medicine* 17, 873–890.

    Examples
    --------
    >>> import sampling
    >>> results = sampling.synthetic_results(rng=1, n=120)
    >>> table = sampling.breakdown(results, "rosh").to_frame()
    >>> sorted(table["subgroup"].unique())
    ['high', 'low', 'medium']
    """
    columns = _check_by(results, by)
    by = by_text(columns)
    method = check_method(method)
    cl = check_confidence_level(confidence_level)
    min_cases = check_count(min_cases, "min_cases")
    bands, pairs = check_bool(bands, "bands"), check_bool(pairs, "pairs")
    if frame is not None and populations is not None:
        raise ArgumentError("frame", "given with populations", "give the frame or the populations, not both")
    if isinstance(populations, Mapping) and len(results.samples) > 1 and populations and not all(
            isinstance(v, Mapping) for v in populations.values()):
        raise ArgumentError("populations", populations, f"per sample, {{sample: {{subgroup: N}}}}: these results "
                            f"hold {len(results.samples)} samples ({', '.join(results.samples)})")
    if frame is not None and len(results.samples) > 1:
        raise ArgumentError("frame", frame, f"a frame is one sample's population; these results hold "
                            f"{len(results.samples)} samples ({', '.join(results.samples)}): give each subgroup's "
                            "population per sample instead (populations={sample: {subgroup: N}} in Python, "
                            "--subgroup-population SAMPLE:VALUE=N on the command line)")
    labels, groups = cross_labels(results.case_table, columns)
    subs = subgroup_populations(results, columns, labels, groups, populations, frame)
    if len(columns) > 1 and not set(columns) & set(subs.columns):
        parts = subs["subgroup"].str.split(SEPARATOR, regex=False)
        for i, c in enumerate(columns):
            subs.insert(1 + i, c, parts.str[i])
    options = dict(method=method, confidence_level=cl, n_resamples=n_resamples, rng=rng)
    table = pd.concat([_subgroup_rows(results, g, (labels == g).to_numpy(), subs, options) for g in groups],
                      ignore_index=True)
    table["few_cases"] = table["n"] < min_cases
    band = results.rules.label(results.rules.kq_band(table["percent"].to_numpy(dtype=float)))
    table["band"] = np.where(bands & ~table["few_cases"].to_numpy(bool), np.asarray(band, dtype=object),
                             np.array(None, dtype=object))  # an array: numpy's stubs refuse a bare None
    pair_list = _pairs(groups, pairs, contrast)
    diffs = _differences(table, pair_list, cl, pairs and contrast is None and len(pair_list) > 1)
    table = table[TABLE_COLUMNS]
    used = used_method(table["method"]) if method == AUTO else str(next(iter(table["method"].dropna()), method))
    return Breakdown(by=by, table=table, differences=diffs, subgroups=subs, method=used, confidence_level=cl,
                     min_cases=min_cases,
                     notes=tuple(_notes(by, subs, table, min_cases, diffs, pairs and contrast is None,
                                        len(columns) > 1)),
                     provider=results.provider, rules=results.rules, by_columns=tuple(columns))
