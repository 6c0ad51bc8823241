"""Inspection results: case-level answers or published aggregate percentages.

:func:`load_results` reads either

* **case-level** results — one row per inspected case, a ``case_id`` column, one column per
  key-question id holding yes / no / not applicable (also ``Y``/``N``/``NA``/``N/A``/``n/a``/
  ``1``/``0``/``True``/``False``, case-insensitive, trimmed), an optional ``sample`` column
  and any stratum or attribute columns; or
* **aggregate** results — one row per key question: ``key_question`` and ``percent``
  (0–100) or ``yes``, with optional ``n`` (and optional ``sample``, ``sample_n``,
  ``n_known``),

validates it against a :class:`~sampling.Framework` and returns a
:class:`Results`: one summary row per key question (its own yes and n) plus, at case level,
the answer matrix the bootstrap resamples.

The two readers live in :mod:`sampling._results_case` and :mod:`sampling._results_aggregate`
(rounded percentages reconstructed openly there); tables are read by the one reader shared
with frames (:mod:`sampling._tables`), with the same column aliases (``CRN`` for ``case_id``).
Nothing is dropped silently: a case with no answers at all is listed in ``Results.excluded``
with the reason.

References
----------
.. [1] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed. Wiley.
.. [2] Lohr, S. L. (2010). *Sampling: Design and Analysis*, 2nd ed., §4.2 (domains). Brooks/Cole.

"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import pandas as pd

from .._utils._checks import check_fraction, check_populations
from .._utils._display import TableResult
from ..design._framework import Framework, load_framework
from ._case import EXCLUDED_COLUMNS, MISSING_ASSUMPTION, MISSING_COLUMNS, load_case, parse_answer
from ..design._rules import RatingRules
from .._utils._tables import is_blank, match_columns, read_table, position
from ._weights import WEIGHTED_NOTE, check_stratum_populations, weighted_estimates
from ..errors import ArgumentError, DataError

if TYPE_CHECKING:
    from .._utils._types import FrameSource, PopulationLike


__all__ = ["Results", "load_results", "reconstruct_counts", "parse_answer", "with_weighted_percent"]


def __getattr__(name: str) -> Any:
    """``reconstruct_counts`` stays importable from here, its module (aggregate results: published
    percentages) loaded only when asked for, as case-level results do not need it."""
    if name == "reconstruct_counts":
        from ._aggregate import reconstruct_counts

        return reconstruct_counts
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

#: Our results columns, found by name or alias (e.g. ``CRN`` for ``case_id``).
RESULT_COLUMNS = ("case_id", "key_question", "sample")


@dataclass(frozen=True, repr=False)
class Results(TableResult):
    """Validated inspection results (see :func:`load_results`).

    Attributes
    ----------
    framework : Framework
    level : {"case", "aggregate"}
    summary : DataFrame
        One row per key question with data, in framework order: ``key_question, standard,
        sample, relevant_subsample, yes, n, missing, percent, published_percent, yes_candidates,
        n_known, note``. ``yes`` and ``n`` are the counts used; ``missing`` counts the
        question's blank answers in partly answered cases (left out of n); ``n_known`` is
        False when n was inferred (the note says how).
    answers : DataFrame or None
        Case level: index ``case_id``, one column per key question, 1.0 yes / 0.0 no /
        NaN not applicable.
    cases : DataFrame or None
        Case level: index ``case_id``; ``sample``, the stratum columns and any other columns.
    populations : Mapping[str, int]
        Eligible population N per sample (empty = unknown).
    strata : Mapping[str, tuple]
        Design stratum columns per sample (case level).
    judgements, published, overrides, published_overall
        Judgement ratings (standards rated without key questions), published ratings,
        recorded professional-discretion overrides ``(label, reason)`` and the published
        overall rating — labels normalised to the rules' spelling.
    excluded : DataFrame
        ``row, case_id, column, value, reason`` — everything read but not used, with why.
    source : str
    sample_sizes : Mapping[str, int]
        Cases per sample: counted (case level), or as given (``sample_sizes=``, a
        ``sample_n`` column) or else the largest key-question n of the sample (aggregate).
    provider : str or None
        The inspected provider's name, for titles and reports.
    stratum_populations : Mapping[str, DataFrame]
        Per sample with known stratum populations: one row per stratum cell of the design —
        the sample's stratum columns, ``population`` (N_h) and ``n`` (the cell's cases in
        these results; 0 for a cell with no case). Empty: unweighted (a simple random
        sample, or strata without N_h). When present, ``summary`` has a ``weighted_percent``
        column (after ``percent``): the N_h-weighted estimate that the intervals, flags and
        probabilities describe; ``percent`` stays the sample's own (published) percentage.
    missing : DataFrame
        ``row, case_id, key_question`` — each blank answer of a partly answered case, left
        out of that question's n and estimate (missing answers are taken to be like the
        answered ones in the same stratum).
    weighted_banding : tuple of str
        Samples drawn with a non-proportional allocation (Neyman, equal, or a minimum per
        cell that moved cases): their sample percentage is not an estimate of the
        population's, so their key questions are banded on ``weighted_percent``.
    """

    framework: Framework
    level: str
    summary: pd.DataFrame
    answers: pd.DataFrame | None
    cases: pd.DataFrame | None
    populations: Mapping[str, int] = field(default_factory=dict)
    strata: Mapping[str, tuple] = field(default_factory=dict)
    judgements: Mapping[str, str] = field(default_factory=dict)
    published: Mapping[str, str] = field(default_factory=dict)
    overrides: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    published_overall: str | None = None
    excluded: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=EXCLUDED_COLUMNS))
    source: str = "results"
    sample_sizes: Mapping[str, int] = field(default_factory=dict)
    provider: str | None = None
    stratum_populations: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    missing: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=MISSING_COLUMNS))
    weighted_banding: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The summary table (a copy)."""
        return self.summary.copy()

    @property
    def rules(self) -> RatingRules:
        return self.framework.rules

    @property
    def case_table(self) -> pd.DataFrame:
        """The cases of case-level results (one row per case); published percentages have none."""
        if self.cases is None:
            raise DataError("these are published percentages: this needs case-level results (one row per case)")
        return self.cases

    @property
    def answer_table(self) -> pd.DataFrame:
        """The answers of case-level results (cases × key questions); published percentages have none."""
        if self.answers is None:
            raise DataError("these are published percentages: this needs case-level results (one row per case)")
        return self.answers

    @property
    def key_questions(self) -> tuple[str, ...]:
        """Key questions with data, in framework order."""
        return tuple(self.summary["key_question"])

    @property
    def samples(self) -> tuple[str, ...]:
        """Sample names, in order of first appearance in the summary."""
        return tuple(dict.fromkeys(self.summary["sample"]))

    def _title(self) -> str:
        n = ", ".join(f"{s} n={m}" for s, m in self.sample_sizes.items())
        return (f"Results ({self.level} level, {len(self.summary)} key questions; {n}) "
                f"from {self.source}")

    def _notes(self) -> list[str]:
        notes = []
        if len(self.excluded):
            notes.append(f"{len(self.excluded)} item(s) excluded — see .excluded")
        if len(self.missing):
            notes.append(f"{len(self.missing)} blank answer(s) in {self.missing['case_id'].nunique()} partly "
                         f"answered case(s), missing for their question — see .missing; {MISSING_ASSUMPTION}")
        if self.populations:
            notes.append("populations: " + ", ".join(f"{k} N={v}" for k, v in self.populations.items()))
        if self.stratum_populations:
            notes.append(f"{WEIGHTED_NOTE} (samples: {', '.join(self.stratum_populations)})")
        return notes



def _label(rules: RatingRules, label: Any, *, what: str) -> str:
    if label is None or is_blank(label):
        raise DataError(f"{what}: a rating label is blank", values=(label,),
                        hint=f"Use one of: {', '.join(rules.labels)}.")
    try:
        return rules.labels[rules.band_of(str(label))]
    except DataError as exc:
        raise DataError(f"{what}: {exc.message}", values=(label,), hint=exc.hint) from None



def _check_standard(framework: Framework, sid: Any, what: str) -> str:
    sid = str(sid).strip()
    if sid not in framework.standard_ids:
        raise DataError(f"{what} names a standard the framework {framework.name!r} does not have",
                        column="standard", values=(sid,), hint=f"Known: {', '.join(framework.standard_ids)}.")
    return sid



def _ratings(framework: Framework, judgements, published, overrides, published_overall):
    rules = framework.rules
    jd: dict[str, str] = {}
    for sid, label in dict(judgements or {}).items():
        sid = _check_standard(framework, sid, "judgements")  # any standard not rated from cases
        jd[sid] = _label(rules, label, what=f"judgement for {sid}")
    pb = {(_check_standard(framework, sid, "published")): _label(rules, label, what=f"published rating of {sid}")
          for sid, label in dict(published or {}).items()}
    ov: dict[str, tuple[str, str]] = {}
    for sid, value in dict(overrides or {}).items():
        sid = _check_standard(framework, sid, "overrides")
        if isinstance(value, Mapping):
            label, reason = value.get("rating", value.get("label")), value.get("reason")
        elif isinstance(value, (tuple, list)) and len(value) == 2:
            label, reason = value
        else:
            raise DataError(f"override for {sid} must be (rating label, reason)", values=(value,))
        if reason is None or is_blank(reason):
            raise DataError(f"override for {sid} needs a reason (professional discretion is recorded, "
                            "never silent)", values=(value,))
        ov[sid] = (_label(rules, label, what=f"override of {sid}"), str(reason).strip())
    po = None if published_overall is None else _label(rules, published_overall, what="published_overall")
    return jd, pb, ov, po



def _strata(strata: Any, samples: Sequence[str], columns: Sequence[str]) -> dict[str, tuple]:
    if strata is None:
        return {}
    if isinstance(strata, str):
        strata = (strata,)
    if isinstance(strata, Mapping):
        unknown = [str(k) for k in strata if str(k) not in samples]
        if unknown:
            raise DataError("strata names samples that the results do not have", values=unknown,
                            hint=f"Samples: {', '.join(samples)}.")
        out = {str(k): tuple([v] if isinstance(v, str) else (v or ())) for k, v in strata.items()}
    else:
        cols = tuple(strata)
        out = {s: cols for s in samples}
    for s, cols in out.items():
        missing = [c for c in cols if c not in columns]
        if missing:
            raise DataError(f"stratum column(s) for sample {s!r} are not in the results", values=missing,
                            hint=f"Columns: {', '.join(columns)}.")
    return {s: tuple(str(c) for c in cols) for s, cols in out.items()}



def _read(source: Any, sheet: Any = None, header_row: Any = None) -> tuple[pd.DataFrame, str]:
    """The results table (cells as objects, columns trimmed and matched) and its description."""
    if isinstance(source, (str, os.PathLike)):
        from ..draw._drawread import missing_draw_sheet

        gap = missing_draw_sheet(source)  # a draw workbook whose fieldwork or manifest sheet is gone
        if gap is not None:
            raise gap
    frame, desc, _ = read_table(source, what="results", as_text=False, sheet=sheet, header_row=header_row,
                                find=[("case_id",), ("key_question",)])
    frame = frame.astype(object)
    cols = [str(c).strip() for c in frame.columns]
    dup = sorted({c for c in cols if cols.count(c) > 1})
    if dup:
        raise DataError("results have repeated column names", values=dup)
    frame.columns = cols
    renames = match_columns(cols, RESULT_COLUMNS, what="results")
    return (frame.rename(columns=renames) if renames else frame), desc


def _level(frame: pd.DataFrame, level: str | None) -> str:
    if level is None:
        if "key_question" in frame.columns:
            level = "aggregate"
        elif "case_id" in frame.columns:
            level = "case"
        else:
            raise DataError("results need a 'case_id' column (case level) or a 'key_question' column "
                            "(aggregate)", values=list(frame.columns)[:10])
    if level not in ("case", "aggregate"):
        raise ArgumentError("level", level, "must be 'case' or 'aggregate' (or None to detect)")
    if not len(frame):
        raise DataError("results table has no rows")
    need = "case_id" if level == "case" else "key_question"
    if need not in frame.columns:
        raise DataError(f"{'case-level' if level == 'case' else 'aggregate'} results need a {need!r} column")
    return level


def _case_level(frame: pd.DataFrame, fw: Framework, blank_means_na: bool, sample: Any, strata: Any,
                complete: bool = False):
    summary, answers, cases, excluded, missing = load_case(frame, fw, blank_means_na=blank_means_na,
                                                           sample=sample, complete=complete)
    sizes = {s: int((cases["sample"] == s).sum()) for s in dict.fromkeys(cases["sample"])}
    st = _strata(strata, list(sizes), list(cases.columns))
    for s, cols in st.items():
        sub = cases[cases["sample"] == s]
        for c in cols:
            blank = [r for r, v in sub[c].items() if is_blank(v)]
            if blank:
                raise DataError(f"stratum value is blank (sample {s!r})", column=c, rows=blank)
    return summary, answers, cases, excluded, missing, sizes, st


def _provider(provider: Any) -> str | None:
    if provider is None:
        return None
    if not isinstance(provider, str) or not provider.strip():
        raise ArgumentError("provider", provider, "must be the provider's name (a non-empty text) or None")
    return provider.strip()


def load_results(source: FrameSource, *, framework: Framework | str | os.PathLike | None = None,
                 level: str | None = None, blank_means_na: bool = False, complete: bool = False,
                 population: PopulationLike = None,
                 strata: Sequence[str] | Mapping[str, Sequence[str]] | None = None, sample: str | None = None, judgements: Mapping | None = None,
                 published: Mapping | None = None, overrides: Mapping | None = None,
                 published_overall: str | None = None,
                 sample_sizes: Mapping[str, int] | None = None, provider: str | None = None,
                 sheet: str | None = None, header_row: int | None = None,
                 stratum_populations: pd.DataFrame | Mapping[str, pd.DataFrame] | None = None, subsample_share: float | None = None) -> Results:
    """Read and validate inspection results.

    Parameters
    ----------
    source : DataFrame or path (CSV, XLSX)
        Column names are matched as for frames (any case; ``CRN`` or ``Case ID`` for
        ``case_id``). Case level: ``case_id``, one column per key-question id, optional ``sample``, stratum
        and attribute columns. Aggregate: ``key_question`` and ``percent`` (0–100) or ``yes``,
        optional ``n`` (the question's own n), ``sample``, ``sample_n`` (the sample's size, an
        upper bound for the question's n) and ``n_known`` (False: the ``n`` given is only the
        sample size).
    framework : Framework, name or path, optional
        Default: the inspectorate's adult framework, ``hmip-adult`` (:func:`sampling.load_framework`).
    level : {"case", "aggregate"}, optional
        Default: aggregate when the table has a ``key_question`` column, case level when it has
        ``case_id``.
    blank_means_na : bool
        Case level: read a blank answer as not applicable. Otherwise a blank answer of a
        partly answered case is missing for its question (left out of its n and estimate,
        listed in ``missing``), and a row with every key question blank is not yet scored
        (listed in ``excluded``).
    complete : bool
        Case level: the final analysis — any blank answer of a scored case is an error
        naming its case, question and row.
    population : int or {sample: int}, optional
        Eligible population N per sample (an int applies to every sample). Must be ≥ n.
    strata : sequence of column names or {sample: columns}, optional
        Case level: the design's stratum columns (the bootstrap resamples within them).
    sample : str, optional
        The sample name for every row when the table has no ``sample`` column. When it has
        one, selects that sample; the other rows are listed in ``excluded``.
    judgements, published, overrides, published_overall
        Judgement ratings ``{standard: label}`` (standards without key questions only),
        published ratings ``{standard: label}``, recorded discretion
        ``{standard: (label, reason)}`` and the published overall label. Labels must be the
        rules' labels (any case); standards must exist.
    sample_sizes : {sample: n}, optional
        Aggregate level: the size of each sample, used where a row has no ``n`` (a
        sub-sample question's n is then inferred from its percentage, n_known False).

    provider : str, optional
        The inspected provider's name, carried to the assessment and the report's titles.
    subsample_share : float in (0, 1], optional
        Aggregate level: the share of a sample's cases that a relevant sub-sample holds (for
        example the share of cases with medium or higher RoSH in the frame), used where the
        sub-sample's n is not published. By default the smallest plausible sub-sample (at
        least 40% of cases) consistent with the published %, so the interval is as wide as
        the data allow; the note of each question says which was used.
    sheet, header_row : optional
        A workbook's sheet and the header's row number; by default the first sheet and row
        holding ``case_id`` (or an alias such as ``CRN``) or ``key_question``. Error rows are
        the spreadsheet's own row numbers.
    stratum_populations : DataFrame or {sample: DataFrame}, optional
        Case level: the population N_h of each stratum cell — the stratum columns and
        ``population`` (a ``sample`` column splits one table by sample; a table without it
        applies to every sample). Every sampled cell needs an N_h ≥ its n_h; Σ_h N_h must
        equal N when ``population`` is given, and is N otherwise; a sample without ``strata``
        takes the table's columns as its strata. Estimates are then design-weighted
        (``summary["weighted_percent"]``, see :mod:`sampling._weights`).

    Returns
    -------
    Results

    Notes
    -----
    Aggregate reconstruction: a rounded percentage of n admits the counts whose half-up
    rounded percentage equals it (the rules' rounding). Two candidates → the one whose exact
    percentage is nearest (ties: the lower), reported in ``yes_candidates`` and ``note``.
    None → the question used a sub-sample: n is taken as the largest n' < n that admits a
    count (``n_known`` False). A relevant-sub-sample question without its own n: the largest
    n' ≤ the sample's n that admits a count — the interval then understates the uncertainty,
    as the note says.

    Examples
    --------
    >>> import pandas as pd, sampling
    >>> table = pd.DataFrame({"case_id": ["A1", "A2", "A3", "A4"], "2.1.1": ["Yes", "No", "Yes", "Yes"]})
    >>> results = sampling.load_results(table)
    >>> results.level, len(results.cases)
    ('case', 4)
    """
    fw = framework if isinstance(framework, Framework) else load_framework(framework)
    provider = _provider(provider)
    frame, desc = _read(source, sheet, header_row)
    level = _level(frame, level)
    if level == "case":
        if subsample_share is not None:
            raise ArgumentError("subsample_share", subsample_share, "applies to aggregate results (published "
                                "percentages); case-level results count each question's n")
        summary, answers, cases, excluded, missing, sizes, st = _case_level(frame, fw, blank_means_na, sample,
                                                                            strata, complete)
    else:
        if strata:
            raise ArgumentError("strata", strata, "applies to case-level results only")
        share = None if subsample_share is None else check_fraction(subsample_share, "subsample_share",
                                                                     high_open=False)
        from ._aggregate import load_aggregate

        summary, sizes = load_aggregate(frame, fw, sample=sample, sample_sizes=sample_sizes, subsample_share=share)
        answers = cases = None
        excluded = pd.DataFrame(columns=EXCLUDED_COLUMNS)
        missing = pd.DataFrame(columns=MISSING_COLUMNS)
        st = {}
    pops = check_populations(population, sizes)
    weights: dict[str, pd.DataFrame] = {}
    if stratum_populations is not None:
        if level != "case":
            raise ArgumentError("stratum_populations", type(stratum_populations).__name__,
                                "applies to case-level results only")
        weights, st, pops = check_stratum_populations(stratum_populations, cases, st, pops)
        pops = check_populations(None, sizes, base=pops)
    jd, pb, ov, po = _ratings(fw, judgements, published, overrides, published_overall)
    results = Results(framework=fw, level=level, summary=summary, answers=answers, cases=cases,
                      populations=pops, strata=st, judgements=jd, published=pb, overrides=ov,
                      published_overall=po, excluded=excluded, missing=missing, source=desc, sample_sizes=sizes,
                      provider=provider, stratum_populations=weights)
    return with_weighted_percent(results) if weights else results


def with_weighted_percent(results: Results) -> Results:
    """``results`` with ``summary["weighted_percent"]`` (after ``percent``) computed from its
    stratum populations (NaN for a sample without them)."""
    import dataclasses

    summary = results.summary.drop(columns="weighted_percent", errors="ignore")
    summary.insert(position(summary, "percent") + 1, "weighted_percent",
                   weighted_estimates(results)["weighted_percent"].to_numpy())
    return dataclasses.replace(results, summary=summary)
