"""Case-level results: one row per inspected case, one yes / no / not-applicable column per
key question. Parsed, checked and summarised into one row per key question; nothing is
dropped silently (a case with no applicable answer is listed with the reason)."""
from __future__ import annotations

import math
import numbers
import re
from typing import Any

import numpy as np
import pandas as pd

from ..design._framework import Framework
from .._utils._tables import is_blank
from ..errors import DataError

__all__ = ["parse_answer", "load_case", "KQ_PATTERN", "SUMMARY_COLUMNS", "EXCLUDED_COLUMNS"]

#: What a key-question column name looks like ("2.1.3").
KQ_PATTERN = re.compile(r"^\d+(\.\d+)+$")

_YES = {"yes", "y", "1", "1.0", "true", "t"}
_NO = {"no", "n", "0", "0.0", "false", "f"}
_NA = {"na", "n/a", "n.a.", "not applicable", "notapplicable", "not_applicable"}
_BLANK = {"", "nan", "none", "<na>", "nat"}

#: Columns of ``Results.summary``.
SUMMARY_COLUMNS = ["key_question", "standard", "sample", "relevant_subsample", "yes", "n", "missing", "percent",
                   "published_percent", "yes_candidates", "n_known", "note"]
#: Columns of ``Results.missing``: one row per blank answer of a partly answered case.
MISSING_COLUMNS = ["row", "case_id", "key_question"]
#: The assumption behind leaving a missing answer out of its question, in words.
MISSING_ASSUMPTION = ("missing answers are taken to be like the answered ones in the same stratum: "
                      "each question's n and estimate use the cases that answered it")
#: Columns of ``Results.excluded``.
EXCLUDED_COLUMNS = ["row", "case_id", "column", "value", "reason"]


def parse_answer(value: Any, *, blank_means_na: bool = False) -> float | None:
    """One answer cell → 1.0 (yes), 0.0 (no), NaN (not applicable) or None (unreadable).

    A blank cell is NaN only when ``blank_means_na``; otherwise it returns None (an error
    for the caller to report).

    Parameters
    ----------
    value : object
        The cell.
    blank_means_na : bool
        Read a blank cell as not applicable.

    Returns
    -------
    float or None

    >>> [parse_answer(v) for v in ("Yes", "n", "N/A", 1, "maybe")]
    [1.0, 0.0, nan, 1.0, None]
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



def _key_question_columns(frame: pd.DataFrame, framework: Framework) -> list[str]:
    index = {k: i for i, k in enumerate(framework.key_question_ids)}
    unknown = [c for c in frame.columns if KQ_PATTERN.match(c) and c not in index]
    if unknown:
        raise DataError(f"results have key-question columns that the framework {framework.name!r} "
                        "does not have", values=unknown, hint=f"Known: {', '.join(framework.key_question_ids)}.")
    kq_cols = sorted((c for c in frame.columns if c in index), key=lambda c: index[c])
    if not kq_cols:
        raise DataError("case-level results have no key-question columns",
                        hint=f"Name columns by key-question id, e.g. {framework.key_question_ids[0]!r}.")
    return kq_cols


def _case_ids(ids: pd.Series) -> pd.Series:
    blank = [r for r, v in ids.items() if is_blank(v)]
    if blank:
        raise DataError("case_id is blank", column="case_id", rows=blank)
    case_ids = ids.map(lambda v: str(v).strip())
    dup_mask = case_ids.duplicated(keep=False)
    if dup_mask.any():
        raise DataError("case_id repeats", column="case_id", rows=list(case_ids.index[dup_mask]),
                        values=sorted(set(case_ids[dup_mask])))
    return case_ids


def _parse_column(col: pd.Series, column: str, blank_means_na: bool, bad: list, blanks: list) -> np.ndarray:
    """One key question's answers as 1/0/NaN, each distinct value parsed once."""
    lookup: dict = {}
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
            (blanks if is_blank(v) else bad).append((r, column, v))
            out[i] = np.nan
        else:
            out[i] = code
    return out


def _row_words(row: Any) -> str:
    text = str(row)
    return text if "row" in text else f"row {text}"


def blank_message(cells: list, case_ids: pd.Series, limit: int = 8) -> str:
    """Blank answer cells in plain words: case id, question id and spreadsheet row of each."""
    words = [f"case {case_ids[r]} question {c} ({_row_words(r)})" for r, c, *_ in cells[:limit]]
    more = f" and {len(cells) - limit} more" if len(cells) > limit else ""
    return "; ".join(words) + more


def _answers(frame: pd.DataFrame, kq_cols: list[str], case_ids: pd.Series, blank_means_na: bool,
             complete: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    bad_cells: list[tuple[Any, str, Any]] = []  # (row, column, value)
    blank_cells: list[tuple[Any, str, Any]] = []
    na = blank_means_na and not complete
    parsed = {c: _parse_column(frame[c], c, na, bad_cells, blank_cells) for c in kq_cols}
    if bad_cells:
        raise DataError("unreadable answers (expected yes / no / not applicable)",
                        rows=[(r, c) for r, c, _ in bad_cells], values=[v for *_, v in bad_cells],
                        hint="Cells listed as (row, column). Accepted: yes/no/n/a, Y/N/NA, 1/0, True/False.")
    if blank_cells and complete:
        cases = sorted({case_ids[r] for r, *_ in blank_cells})
        raise DataError(f"{len(blank_cells)} blank answer(s) in {len(cases)} case(s), and a complete "
                        f"analysis was asked for: {blank_message(blank_cells, case_ids)}",
                        hint="Answer each of these questions (yes, no or N/A), or leave out "
                             "complete=True for an interim analysis that counts them as missing.",
                        cli_hint="Answer each of these questions (yes, no or N/A), or leave out "
                                 "--complete for an interim analysis that counts them as missing.")
    missing = pd.DataFrame([(r, case_ids[r], c) for r, c, _ in blank_cells], columns=MISSING_COLUMNS)
    answers = pd.DataFrame(parsed, index=pd.Index(case_ids.to_numpy(dtype=object), name="case_id"))
    answers.columns.name = None
    return answers, missing


def _inferred_samples(answers: pd.DataFrame, kq_cols: list[str], framework: Framework) -> np.ndarray:
    """Each case's sample from the framework samples of the questions it answers."""
    kq_sample = np.array([framework.key_question(c).sample or "" for c in kq_cols], dtype=object)
    answered = ~np.isnan(answers.to_numpy())
    samples = np.empty(len(answers), dtype=object)
    for i in range(len(answers)):
        names = set(kq_sample[answered[i]]) - {""}
        samples[i] = names.pop() if len(names) == 1 else "all"
    named = set(samples) - {"all"}
    if len(named) == 1 and "all" in set(samples):
        # mixed: a case answering nothing still falls into its file's only framework sample
        samples = np.where(~answered.any(axis=1), named.pop(), samples).astype(object)
    return samples


def _samples(frame: pd.DataFrame, answers: pd.DataFrame, kq_cols: list[str], framework: Framework,
             sample: Any) -> np.ndarray:
    if "sample" in frame.columns:
        blank = [r for r, v in frame["sample"].items() if is_blank(v)]
        if blank:
            raise DataError("sample is blank", column="sample", rows=blank)
        return frame["sample"].map(lambda v: str(v).strip()).to_numpy(dtype=object)
    if sample is not None:
        return np.full(len(frame), str(sample), dtype=object)
    return _inferred_samples(answers, kq_cols, framework)


def _cases(frame: pd.DataFrame, kq_cols: list[str], index: pd.Index, samples: np.ndarray) -> pd.DataFrame:
    attrs = [c for c in frame.columns if c not in kq_cols and c not in ("case_id", "sample")]
    cases = frame[attrs].copy()
    cases.index = index
    for c in attrs:
        cases[c] = cases[c].map(lambda v: v.strip() if isinstance(v, str) else v).astype(object)
    cases.insert(0, "sample", samples)
    return cases


def _select_sample(frame: pd.DataFrame, answers: pd.DataFrame, samples: np.ndarray, sample: Any,
                   excluded: list) -> np.ndarray:
    """Cases kept when one sample is selected from a file holding several."""
    keep = np.ones(len(frame), dtype=bool)
    if sample is None or "sample" not in frame.columns:
        return keep
    rows = list(frame.index)
    other = samples != str(sample)
    for i in np.flatnonzero(other).tolist():
        excluded.append((rows[i], answers.index[i], "sample", samples[i],
                         f"case belongs to sample {samples[i]!r}; sample={str(sample)!r} was selected"))
    if other.all():
        raise DataError(f"no case belongs to sample {str(sample)!r}", column="sample", values=sorted(set(samples)))
    return ~other


def _drop_unanswered(answers: pd.DataFrame, kq_cols: list[str], keep: np.ndarray, sample: Any,
                     rows: list, excluded: list) -> tuple[pd.DataFrame, list[str], np.ndarray]:
    """Questions no kept case answers, and cases answering no question, listed and left out."""
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
    for i in np.flatnonzero(empty).tolist():
        excluded.append((rows[i], answers.index[i], "", "",
                         "no key question answered (all not applicable): the case adds nothing to any "
                         "percentage"))
    return answers, kq_cols, keep & ~empty


def _case_summary(answers: pd.DataFrame, cases: pd.DataFrame, kq_cols: list[str], framework: Framework,
                  missing: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for c in kq_cols:
        kq = framework.key_question(c)
        has = ~answers[c].isna()
        in_samples = sorted(set(cases.loc[has.to_numpy(), "sample"]))
        if len(in_samples) > 1:
            raise DataError(f"key question {c} is answered by cases of more than one sample",
                            column=c, values=in_samples,
                            hint="A key question is rated on one sample; check the sample column.")
        yes, nn = float(answers[c].sum(skipna=True)), float(has.sum())
        rows.append(dict(key_question=c, standard=kq.standard, sample=in_samples[0],
                         relevant_subsample=bool(kq.relevant_subsample), yes=yes, n=nn,
                         missing=int((missing["key_question"] == c).sum()),
                         percent=100.0 * yes / nn, published_percent=np.nan, yes_candidates="",
                         n_known=True, note=""))
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def _unscored(frame: pd.DataFrame, kq_cols: list[str], excluded: list) -> pd.DataFrame:
    """Rows with every key question blank: not yet scored, listed and left out."""
    blank = frame[kq_cols].apply(lambda col: col.map(is_blank)).all(axis=1).to_numpy()
    if blank.all():
        raise DataError(f"nothing scored yet: every key question of all {len(frame)} case(s) is blank "
                        f"({len(frame)} await scoring)",
                        hint="Enter the answers (yes, no or N/A) first.")
    if not blank.any():
        return frame
    for r in frame.index[blank]:
        excluded.append((r, str(frame.at[r, "case_id"]).strip(), "", "",
                         "not yet scored (every key question blank)"))
    return frame[~blank]


def load_case(frame: pd.DataFrame, framework: Framework, *, blank_means_na: bool, sample: Any,
              complete: bool = False) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame,
                                               pd.DataFrame]:
    """Case-level results checked and summarised.

    A blank answer of a partly answered case is *missing for that question*: left out of
    that question's n (and, by the caller, its estimate) and listed in ``missing``; a row
    with every key question blank is not yet scored and listed in ``excluded``.

    Parameters
    ----------
    frame : DataFrame
        One row per case, rows numbered as in the file; ``case_id`` and key-question columns.
    framework : Framework
    blank_means_na : bool
        Read blank answers as not applicable (otherwise they are missing).
    sample : str or None
        The sample of every case, or the one sample to keep.
    complete : bool
        Any blank answer of a scored case is an error (the final analysis).

    Returns
    -------
    summary, answers, cases, excluded, missing : DataFrame
    """
    kq_cols = _key_question_columns(frame, framework)
    excluded: list = []
    frame = _unscored(frame, kq_cols, excluded)
    case_ids = _case_ids(frame["case_id"])
    answers, missing = _answers(frame, kq_cols, case_ids, blank_means_na, complete)
    samples = _samples(frame, answers, kq_cols, framework, sample)
    cases = _cases(frame, kq_cols, answers.index, samples)
    keep = _select_sample(frame, answers, samples, sample, excluded)
    answers, kq_cols, keep = _drop_unanswered(answers, kq_cols, keep, sample, list(frame.index), excluded)
    answers, cases = answers[keep], cases[keep]
    if not len(answers):
        raise DataError("no case has any answer")
    missing = missing[missing["case_id"].isin(set(answers.index)) & missing["key_question"].isin(kq_cols)]
    return (_case_summary(answers, cases, kq_cols, framework, missing), answers, cases,
            pd.DataFrame(excluded, columns=EXCLUDED_COLUMNS), missing.reset_index(drop=True))
