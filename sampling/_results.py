"""Inspection results: case-level answers or published aggregate percentages.

:func:`load_results` reads either

* **case-level** results — one row per inspected case, a ``case_id`` column, one column per
  key-question id holding yes / no / not applicable (also ``Y``/``N``/``NA``/``N/A``/``n/a``/
  ``1``/``0``/``True``/``False``, case-insensitive, trimmed), an optional ``sample`` column
  and any stratum or attribute columns; or
* **aggregate** results — one row per key question: ``key_question`` and ``percent``
  (0–100) or ``yes``, with optional ``n`` (and optional ``sample``, ``sample_n``,
  ``n_known``),

validates it against a :class:`~sampling.framework.Framework` and returns a
:class:`Results`: one summary row per key question (its own yes and n) plus, at case level,
the answer matrix the bootstrap resamples.

Rounded published percentages are reconstructed openly: a published "49%" of 132 cases is
65 yes (65/132 = 49.2%); "61%" of 132 admits 80 (60.6%) or 81 (61.4%) — both are reported
and the nearer chosen; "54%" of 42 admits no count at all, so that question must have used a
sub-sample, and the largest n' < 42 that admits one (41, with 22 yes) is assumed and said
so. Rounding follows the framework's rules (:meth:`RatingRules.published_percent`, half up),
so reconstruction and banding agree. Nothing is dropped silently: a case with no answers at
all is listed in ``Results.excluded`` with the reason.
"""
from __future__ import annotations

import math
import numbers
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ._checks import check_count, check_population, check_populations
from ._display import TableResult
from .errors import ArgumentError, DataError
from ._checks import as_bool as _as_bool
from ._framework import Framework, RatingRules, load_framework

__all__ = ["Results", "load_results", "reconstruct_counts", "parse_answer"]

KQ_PATTERN = re.compile(r"^\d+(\.\d+)+$")

_YES = {"yes", "y", "1", "1.0", "true", "t"}
_NO = {"no", "n", "0", "0.0", "false", "f"}
_NA = {"na", "n/a", "n.a.", "not applicable", "notapplicable", "not_applicable"}
_BLANK = {"", "nan", "none", "<na>", "nat"}

SUMMARY_COLUMNS = ["key_question", "standard", "sample", "relevant_subsample", "yes", "n", "percent",
                   "published_percent", "yes_candidates", "n_known", "note"]
EXCLUDED_COLUMNS = ["row", "case_id", "column", "value", "reason"]


# --------------------------------------------------------------------------- Results
@dataclass(frozen=True, repr=False)
class Results(TableResult):
    """Validated inspection results (see :func:`load_results`).

    Attributes
    ----------
    framework : Framework
    level : {"case", "aggregate"}
    summary : DataFrame
        One row per key question with data, in framework order: ``key_question, standard,
        sample, relevant_subsample, yes, n, percent, published_percent, yes_candidates,
        n_known, note``. ``yes`` and ``n`` are the counts used; ``n_known`` is False when n
        was inferred (the note says how).
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

    def to_frame(self) -> pd.DataFrame:
        return self.summary.copy()

    @property
    def rules(self) -> RatingRules:
        return self.framework.rules

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
        if self.populations:
            notes.append("populations: " + ", ".join(f"{k} N={v}" for k, v in self.populations.items()))
        return notes


# --------------------------------------------------------------------------- answers
def parse_answer(value: Any, *, blank_means_na: bool = False) -> float | None:
    """One answer cell → 1.0 (yes), 0.0 (no), NaN (not applicable) or None (unreadable).

    A blank cell is NaN only when ``blank_means_na``; otherwise it returns None (an error
    for the caller to report).
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return np.nan if blank_means_na else None
    if isinstance(value, (bool, np.bool_)):
        return 1.0 if value else 0.0
    if isinstance(value, numbers.Real):
        if isinstance(value, float) and math.isnan(value):
            return np.nan if blank_means_na else None
        if value == 1:
            return 1.0
        if value == 0:
            return 0.0
        return None
    text = str(value).strip().casefold()
    if text in _YES:
        return 1.0
    if text in _NO:
        return 0.0
    if text in _NA:
        return np.nan
    if text in _BLANK:
        return np.nan if blank_means_na else None
    return None


def _is_blank(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().casefold() in _BLANK


# --------------------------------------------------------------------------- reading
def _read_source(source: Any) -> tuple[pd.DataFrame, str]:
    """(table as object dtype, description)."""
    if isinstance(source, pd.DataFrame):
        return source.astype(object), "DataFrame"
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise ArgumentError("source", str(source), "must be a DataFrame or an existing CSV/XLSX file")
        suffix = path.suffix.lower()
        try:
            if suffix in (".xlsx", ".xlsm", ".xls"):
                frame = pd.read_excel(path, dtype=object, keep_default_na=False)
            else:
                frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=False)
        except (ValueError, OSError, UnicodeDecodeError) as exc:
            raise DataError(f"cannot read results file {str(path)!r} ({exc})") from None
        frame = frame.astype(object)
        frame.index = pd.RangeIndex(1, len(frame) + 1)  # 1-based data-row numbers
        return frame, str(path)
    raise ArgumentError("source", type(source).__name__, "must be a DataFrame or a CSV/XLSX path")


def _norm_columns(frame: pd.DataFrame) -> pd.DataFrame:
    cols = [str(c).strip() for c in frame.columns]
    dup = sorted({c for c in cols if cols.count(c) > 1})
    if dup:
        raise DataError("results have repeated column names", values=dup)
    out = frame.copy()
    out.columns = cols
    return out


def _label(rules: RatingRules, label: Any, *, what: str) -> str:
    if label is None or _is_blank(label):
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
        sid = _check_standard(framework, sid, "judgements")
        if framework.standard(sid).rated_by != "judgement":
            raise DataError("judgements are for standards rated without key questions; "
                            f"standard {sid} is rated by its key questions",
                            column="standard", values=(sid,),
                            hint="Record professional discretion on such a standard in overrides.")
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
        if reason is None or _is_blank(reason):
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


# --------------------------------------------------------------------------- case level
def _load_case(frame: pd.DataFrame, framework: Framework, *, blank_means_na: bool,
               sample: Any) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    kq_index = framework._kq_index
    unknown = [c for c in frame.columns if KQ_PATTERN.match(c) and c not in kq_index]
    if unknown:
        raise DataError(f"results have key-question columns that the framework {framework.name!r} "
                        "does not have", values=unknown, hint=f"Known: {', '.join(framework.key_question_ids)}.")
    kq_cols = sorted((c for c in frame.columns if c in kq_index), key=kq_index.get)
    if not kq_cols:
        raise DataError("case-level results have no key-question columns",
                        hint=f"Name columns by key-question id, e.g. {framework.key_question_ids[0]!r}.")
    # case ids
    ids = frame["case_id"]
    blank = [r for r, v in ids.items() if _is_blank(v)]
    if blank:
        raise DataError("case_id is blank", column="case_id", rows=blank)
    case_ids = ids.map(lambda v: str(v).strip())
    dup_mask = case_ids.duplicated(keep=False)
    if dup_mask.any():
        raise DataError("case_id repeats", column="case_id", rows=list(case_ids.index[dup_mask]),
                        values=sorted(set(case_ids[dup_mask])))
    # answers: parse each distinct value once
    bad_cells, blank_cells = [], []
    parsed = {}
    for c in kq_cols:
        col = frame[c]
        lookup = {}
        out = np.empty(len(col))
        for i, (r, v) in enumerate(col.items()):
            key = (type(v), v) if not (isinstance(v, float) and math.isnan(v)) else ("nan",)
            try:
                code = lookup[key]
            except (KeyError, TypeError):
                code = parse_answer(v, blank_means_na=blank_means_na)
                try:
                    lookup[key] = code
                except TypeError:
                    pass
            if code is None:
                (blank_cells if _is_blank(v) else bad_cells).append((r, c, v))
                out[i] = np.nan
            else:
                out[i] = code
        parsed[c] = out
    if bad_cells:
        raise DataError("unreadable answers (expected yes / no / not applicable)",
                        rows=[(r, c) for r, c, _ in bad_cells], values=[v for *_, v in bad_cells],
                        hint="Cells listed as (row, column). Accepted: yes/no/n/a, Y/N/NA, 1/0, True/False.")
    if blank_cells:
        raise DataError("blank answers", rows=[(r, c) for r, c, _ in blank_cells],
                        values=[v for *_, v in blank_cells],
                        hint="Cells listed as (row, column). Write 'not applicable' (or NA), or pass "
                             "blank_means_na=True if a blank means not applicable.")
    answers = pd.DataFrame(parsed, index=pd.Index(case_ids.to_numpy(dtype=object), name="case_id"))
    answers.columns.name = None
    # sample of each case
    others = [c for c in frame.columns if c not in kq_cols and c != "case_id"]
    if "sample" in frame.columns:
        blank = [r for r, v in frame["sample"].items() if _is_blank(v)]
        if blank:
            raise DataError("sample is blank", column="sample", rows=blank)
        samples = frame["sample"].map(lambda v: str(v).strip()).to_numpy(dtype=object)
    elif sample is not None:
        samples = np.full(len(frame), str(sample), dtype=object)
    else:
        kq_sample = np.array([framework.key_question(c).sample or "" for c in kq_cols], dtype=object)
        answered = ~np.isnan(answers.to_numpy())
        samples = np.empty(len(frame), dtype=object)
        for i in range(len(frame)):
            names = set(kq_sample[answered[i]]) - {""}
            samples[i] = names.pop() if len(names) == 1 else "all"
        if len(set(samples) - {"all"}) >= 1 and "all" in set(samples):
            # mixed: a case answering nothing still falls into its file's only framework sample
            named = set(samples) - {"all"}
            if len(named) == 1:
                only = named.pop()
                samples = np.where(~answered.any(axis=1), only, samples).astype(object)
    attrs = [c for c in others if c != "sample"]
    cases = frame[attrs].copy()
    cases.index = answers.index
    for c in attrs:
        cases[c] = cases[c].map(lambda v: v.strip() if isinstance(v, str) else v).astype(object)
    cases.insert(0, "sample", samples)
    # selection of one sample from a file holding several
    excluded = []
    rows = list(frame.index)
    keep = np.ones(len(frame), dtype=bool)
    if sample is not None and "sample" in frame.columns:
        other = samples != str(sample)
        for i in np.flatnonzero(other):
            excluded.append((rows[i], answers.index[i], "sample", samples[i],
                             f"case belongs to sample {samples[i]!r}; sample={str(sample)!r} was selected"))
        keep &= ~other
        if not keep.any():
            raise DataError(f"no case belongs to sample {str(sample)!r}", column="sample",
                            values=sorted(set(samples)))
    n_all = (~answers.isna()).sum()
    zero = [c for c in kq_cols if n_all[c] == 0]
    if zero:
        raise DataError("n = 0 for a question: no case has an applicable answer", values=zero,
                        hint="Drop the column, or check the answers were entered.")
    if not keep.all():
        n_kept = (~answers[keep].isna()).sum()
        other_only = [c for c in kq_cols if n_kept[c] == 0]
        for c in other_only:
            excluded.append(("", "", c, "", f"key question answered only by cases of other samples "
                                            f"(sample={str(sample)!r} was selected)"))
        kq_cols = [c for c in kq_cols if c not in other_only]
        answers = answers[kq_cols]
    empty = np.isnan(answers.to_numpy()).all(axis=1) & keep
    for i in np.flatnonzero(empty):
        excluded.append((rows[i], answers.index[i], "", "",
                         "no key question answered (all not applicable): the case adds nothing to any "
                         "percentage"))
    keep &= ~empty
    answers, cases = answers[keep], cases[keep]
    if not len(answers):
        raise DataError("no case has any answer")
    # one sample per key question
    summary_rows = []
    for c in kq_cols:
        kq = framework.key_question(c)
        has = ~answers[c].isna()
        in_samples = sorted(set(cases.loc[has.to_numpy(), "sample"]))
        if len(in_samples) > 1:
            raise DataError(f"key question {c} is answered by cases of more than one sample",
                            column=c, values=in_samples,
                            hint="A key question is rated on one sample; check the sample column.")
        yes = float(answers[c].sum(skipna=True))
        nn = float(has.sum())
        summary_rows.append(dict(key_question=c, standard=kq.standard, sample=in_samples[0],
                                 relevant_subsample=bool(kq.relevant_subsample), yes=yes, n=nn,
                                 percent=100.0 * yes / nn, published_percent=np.nan, yes_candidates="",
                                 n_known=True, note=""))
    summary = pd.DataFrame(summary_rows, columns=SUMMARY_COLUMNS)
    return summary, answers, cases, pd.DataFrame(excluded, columns=EXCLUDED_COLUMNS)


# --------------------------------------------------------------------------- aggregate level
def _decimals(value: float, text: str | None) -> int:
    if text is not None:
        t = text.strip().rstrip("%").strip()
        if "e" not in t.lower() and "." in t:
            # "49.0" (a float written to CSV) is a whole number; "64.81" has two decimals
            return len(t.split(".", 1)[1].rstrip("0"))
        if "e" not in t.lower():
            return 0
    for d in range(0, 7):
        if abs(round(value, d) - value) < 1e-9:
            return d
    return 6


def _rounder(rules: RatingRules, decimals: int):
    if decimals == 0 and rules.round_percent and rules.rounding != "none":
        return rules.published_percent
    scale = 10.0 ** decimals

    def half_up(x):
        return np.floor(np.asarray(x, dtype=float) * scale + 0.5 + 1e-9) / scale

    return half_up


def reconstruct_counts(percent: float, n: int, *, rules: RatingRules | None = None,
                       decimals: int | None = None) -> list[int]:
    """Every yes count out of ``n`` whose percentage, rounded as published, equals ``percent``.

    Whole-number percentages round with the rules (:meth:`RatingRules.published_percent`,
    half up for the inspectorate); a percentage given with d decimals (64.81) is matched at
    d decimals, half up.

    >>> reconstruct_counts(49, 132), reconstruct_counts(61, 132), reconstruct_counts(54, 42)
    ([65], [80, 81], [])
    """
    if rules is None:
        rules = load_framework().rules  # the seed framework's rules (memoised, so cheap)
    d = _decimals(float(percent), None) if decimals is None else int(decimals)
    target = round(float(percent), d)
    counts = np.arange(int(n) + 1)
    shown = _rounder(rules, d)(100.0 * counts / int(n))
    return [int(c) for c in counts[np.abs(shown - target) < 0.5 * 10.0 ** (-d) * 1e-3]]


def _num(value: Any, *, column: str, row: Any, whole: bool = False, minimum: float | None = None,
         maximum: float | None = None) -> float:
    try:
        if isinstance(value, str):
            x = float(value.strip().rstrip("%").strip())
        elif isinstance(value, bool):
            raise ValueError
        else:
            x = float(value)
    except (TypeError, ValueError):
        raise DataError("not a number", column=column, rows=(row,), values=(value,)) from None
    if not math.isfinite(x):
        raise DataError("not a finite number", column=column, rows=(row,), values=(value,))
    if whole and x != int(x):
        raise DataError("must be a whole number", column=column, rows=(row,), values=(value,))
    if minimum is not None and x < minimum or maximum is not None and x > maximum:
        lo = "" if minimum is None else f"{minimum:g}"
        hi = "" if maximum is None else f"{maximum:g}"
        raise DataError(f"out of range ({lo}–{hi})", column=column, rows=(row,), values=(value,))
    return x


def _fmt(x: float) -> str:
    return f"{x:.1f}%"


def _reconstruct(percent: float, text: str | None, n_max: int, rules: RatingRules, *,
                 subsample_unknown: bool, n_given: bool, row: Any):
    """(yes, n, candidates str, n_known, note) for a published percentage."""
    d = _decimals(percent, text)
    shown = f"{percent:.{d}f}%"
    if not subsample_unknown:
        cands = reconstruct_counts(percent, n_max, rules=rules, decimals=d)
        if len(cands) == 1:
            return float(cands[0]), float(n_max), str(cands[0]), True, ""
        if len(cands) > 1:
            exact = [100.0 * c / n_max for c in cands]
            best = min(range(len(cands)), key=lambda i: (abs(exact[i] - percent), cands[i]))
            alts = " or ".join(f"{c} ({_fmt(e)})" for c, e in zip(cands, exact))
            note = (f"{shown} of {n_max} admits {alts} yes; used {cands[best]}, the count whose exact "
                    f"percentage is nearest {shown} (ambiguous)")
            return float(cands[best]), float(n_max), ", ".join(map(str, cands)), True, note
    # no count fits n_max (or the sub-sample size is unknown): the largest n' that admits one
    start = n_max if subsample_unknown else n_max - 1
    for m in range(start, 0, -1):
        cands = reconstruct_counts(percent, m, rules=rules, decimals=d)
        if cands:
            exact = [100.0 * c / m for c in cands]
            best = min(range(len(cands)), key=lambda i: (abs(exact[i] - percent), cands[i]))
            if subsample_unknown:
                note = (f"sub-sample size not published; interval assumes n={m} (the largest n ≤ {n_max} "
                        f"consistent with {shown}, {cands[best]} yes); the true interval is wider")
            else:
                note = (f"{shown} is not a whole count out of {n_max}, so this question used a sub-sample; "
                        f"assumed n={m} (the largest n < {n_max} that admits it), {cands[best]} yes"
                        + (f" (candidates {', '.join(map(str, cands))})" if len(cands) > 1 else ""))
            return float(cands[best]), float(m), ", ".join(map(str, cands)), False, note
    raise DataError(f"no count out of any n ≤ {n_max} gives {shown}", column="percent", rows=(row,),
                    values=(text if text is not None else percent,))


def _load_aggregate(frame: pd.DataFrame, framework: Framework, *, sample: Any,
                    sample_sizes: Mapping[str, int] | None) -> tuple[pd.DataFrame, dict[str, int]]:
    """The summary table and the size of each sample in it."""
    rules = framework.rules
    if "percent" not in frame.columns and "yes" not in frame.columns:
        raise DataError("aggregate results need a 'percent' or a 'yes' column",
                        hint="Columns: key_question, percent (0–100) or yes, optional n.")
    kq_index = framework._kq_index
    ids = frame["key_question"]
    blank = [r for r, v in ids.items() if _is_blank(v)]
    if blank:
        raise DataError("key_question is blank", column="key_question", rows=blank)
    ids = ids.map(lambda v: str(v).strip())
    unknown = [(r, v) for r, v in ids.items() if v not in kq_index]
    if unknown:
        raise DataError(f"results name key questions that the framework {framework.name!r} does not have",
                        column="key_question", rows=[r for r, _ in unknown], values=[v for _, v in unknown],
                        hint=f"Known: {', '.join(framework.key_question_ids)}.")
    dup = ids.duplicated(keep=False)
    if dup.any():
        raise DataError("key question repeats", column="key_question", rows=list(ids.index[dup]),
                        values=sorted(set(ids[dup])))

    def cell(col, r):
        if col not in frame.columns:
            return None
        v = frame.at[r, col]
        return None if _is_blank(v) else v

    recs = []
    for r, kid in ids.items():
        kq = framework.key_question(kid)
        smp = cell("sample", r)
        smp = str(smp).strip() if smp is not None else (
            str(sample) if sample is not None else (kq.sample or "all"))
        p = cell("percent", r)
        y = cell("yes", r)
        n = cell("n", r)
        sn = cell("sample_n", r)
        nk = cell("n_known", r)
        if p is None and y is None:
            raise DataError("neither percent nor yes is given", column="percent", rows=(r,), values=(kid,))
        rec = dict(row=r, key_question=kid, standard=kq.standard, sample=smp,
                   relevant_subsample=bool(kq.relevant_subsample),
                   percent_given=None if p is None else _num(p, column="percent", row=r, minimum=0, maximum=100),
                   percent_text=p if isinstance(p, str) else None,
                   yes_given=None if y is None else _num(y, column="yes", row=r, whole=True, minimum=0),
                   n_given=None if n is None else _num(n, column="n", row=r, whole=True, minimum=1),
                   sample_n=None if sn is None else _num(sn, column="sample_n", row=r, whole=True, minimum=1),
                   n_flag=None if nk is None else _as_bool(nk, column="n_known", row=r))
        recs.append(rec)
    # sample sizes: the argument, else a sample_n column, else the largest n given in the sample
    sizes: dict[str, int] = {}
    for rec in recs:
        s = rec["sample"]
        if rec["sample_n"] is not None:
            sizes[s] = max(sizes.get(s, 0), int(rec["sample_n"]))
    given = {}
    for rec in recs:
        if rec["n_given"] is not None:
            given[rec["sample"]] = max(given.get(rec["sample"], 0), int(rec["n_given"]))
    for s, v in given.items():
        sizes.setdefault(s, v)
    sizes.update({str(k): check_count(v, f"sample_sizes[{str(k)!r}]") for k, v in dict(sample_sizes or {}).items()})
    rows = []
    for rec in recs:
        r = rec["row"]
        s = rec["sample"]
        n_given = rec["n_given"]
        if rec["n_flag"] is False:
            n_given = None  # "n" is an upper bound (the sample), not the question's own n
        upper = n_given if n_given is not None else (rec["sample_n"] or sizes.get(s) or
                                                     (rec["n_given"] if rec["n_given"] is not None else None))
        if upper is None:
            raise DataError(f"n is unknown for key question {rec['key_question']} (no n, sample_n or other "
                            f"row of sample {s!r} gives it)", column="n", rows=(r,),
                            hint="Give the question's n, or the sample size in sample_n / sample_sizes.")
        upper = int(upper)
        p, y = rec["percent_given"], rec["yes_given"]
        note, cands, n_known = "", "", True
        if y is not None:
            if n_given is None and rec["relevant_subsample"] and p is None:
                raise DataError(f"yes is given for sub-sample question {rec['key_question']} but not its n",
                                column="n", rows=(r,))
            nn = float(n_given if n_given is not None else upper)
            if y > nn:
                raise DataError(f"yes={y:g} is more than n={nn:g}", column="yes", rows=(r,), values=(y,))
            if p is not None:
                d = _decimals(p, rec["percent_text"])
                if abs(float(_rounder(rules, d)(100.0 * y / nn)) - p) > 1e-6:
                    raise DataError(f"yes={y:g} of n={nn:g} is {100 * y / nn:.2f}%, which does not round to the "
                                    f"percent given", column="percent", rows=(r,), values=(p,))
            yes = float(y)
            if n_given is None:
                note = f"n taken from the sample size ({int(nn)})"
        else:
            sub_unknown = n_given is None and rec["relevant_subsample"]
            yes, nn, cands, n_known, note = _reconstruct(p, rec["percent_text"], upper, rules,
                                                         subsample_unknown=sub_unknown,
                                                         n_given=n_given is not None, row=r)
            if n_given is None and n_known:
                note = "; ".join(x for x in (f"n taken from the sample size ({upper})", note) if x)
        rows.append(dict(key_question=rec["key_question"], standard=rec["standard"], sample=s,
                         relevant_subsample=rec["relevant_subsample"], yes=float(yes), n=float(nn),
                         percent=100.0 * yes / nn, published_percent=np.nan if p is None else float(p),
                         yes_candidates=cands, n_known=bool(n_known), note=note))
    summary = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    summary = summary.sort_values("key_question", key=lambda s: s.map(kq_index)).reset_index(drop=True)
    # a sample is at least as large as any n used in it (an inferred n never exceeds it)
    used = {s: max(sizes.get(s, 0), int(g["n"].max())) for s, g in summary.groupby("sample", sort=False)}
    return summary, used


# --------------------------------------------------------------------------- entry point
def load_results(source: Any, *, framework: Framework | str | os.PathLike | None = None,
                 level: str | None = None, blank_means_na: bool = False, population: Any = None,
                 strata: Any = None, sample: str | None = None, judgements: Mapping | None = None,
                 published: Mapping | None = None, overrides: Mapping | None = None,
                 published_overall: str | None = None,
                 sample_sizes: Mapping[str, int] | None = None) -> Results:
    """Read and validate inspection results.

    Parameters
    ----------
    source : DataFrame or path (CSV, XLSX)
        Case level: ``case_id``, one column per key-question id, optional ``sample``, stratum
        and attribute columns. Aggregate: ``key_question`` and ``percent`` (0–100) or ``yes``,
        optional ``n`` (the question's own n), ``sample``, ``sample_n`` (the sample's size, an
        upper bound for the question's n) and ``n_known`` (False: the ``n`` given is only the
        sample size).
    framework : Framework or path, optional
        Defaults to the seed inspection's framework (:func:`~sampling.framework.load_framework`).
    level : {"case", "aggregate"}, optional
        Default: aggregate when the table has a ``key_question`` column, case level when it has
        ``case_id``.
    blank_means_na : bool
        Case level: read a blank answer as not applicable. Otherwise blank answers are an
        error listing the cells (row, column).
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

    Notes
    -----
    Aggregate reconstruction: a rounded percentage of n admits the counts whose half-up
    rounded percentage equals it (the rules' rounding). Two candidates → the one whose exact
    percentage is nearest (ties: the lower), reported in ``yes_candidates`` and ``note``.
    None → the question used a sub-sample: n is taken as the largest n' < n that admits a
    count (``n_known`` False). A relevant-sub-sample question without its own n: the largest
    n' ≤ the sample's n that admits a count — the interval then understates the uncertainty,
    as the note says.
    """
    fw = framework if isinstance(framework, Framework) else load_framework(framework)
    frame, desc = _read_source(source)
    frame = _norm_columns(frame)
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
    if level == "case":
        if "case_id" not in frame.columns:
            raise DataError("case-level results need a 'case_id' column")
        summary, answers, cases, excluded = _load_case(frame, fw, blank_means_na=blank_means_na,
                                                       sample=sample)
        sizes = {s: int((cases["sample"] == s).sum()) for s in dict.fromkeys(cases["sample"])}
        st = _strata(strata, list(sizes), list(cases.columns))
        for s, cols in st.items():
            sub = cases[cases["sample"] == s]
            for c in cols:
                blank = [r for r, v in sub[c].items() if _is_blank(v)]
                if blank:
                    raise DataError(f"stratum value is blank (sample {s!r})", column=c, rows=blank)
    else:
        if "key_question" not in frame.columns:
            raise DataError("aggregate results need a 'key_question' column")
        if strata:
            raise ArgumentError("strata", strata, "applies to case-level results only")
        summary, sizes = _load_aggregate(frame, fw, sample=sample, sample_sizes=sample_sizes)
        answers = cases = None
        excluded = pd.DataFrame(columns=EXCLUDED_COLUMNS)
        st = {}
    pops = check_populations(population, sizes)
    jd, pb, ov, po = _ratings(fw, judgements, published, overrides, published_overall)
    return Results(framework=fw, level=level, summary=summary, answers=answers, cases=cases,
                   populations=pops, strata=st, judgements=jd, published=pb, overrides=ov,
                   published_overall=po, excluded=excluded, source=desc, sample_sizes=sizes)
