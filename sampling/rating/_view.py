"""What charts and report files read from an assessment: its tables checked, the standards
to show, and the probabilities worth printing. Shared by :mod:`sampling.charts` and
:mod:`sampling.report`."""
from __future__ import annotations

from typing import Any, Iterable

import pandas as pd

from ._assessment import Assessment
from .._utils._format import is_missing
from ..errors import ArgumentError, DataError

__all__ = ["assessment_tables", "select_standards", "shown_probabilities", "count_or_unknown"]


def assessment_tables(assessment: Assessment) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The key-question and standards tables of an assessment (checked non-empty)."""
    if not isinstance(assessment, Assessment):
        raise ArgumentError("assessment", type(assessment).__name__,
                            "must be an Assessment from sampling.rate(results)")
    kq = assessment.key_questions
    if kq is None or len(kq) == 0:
        raise DataError("the assessment has no key questions to chart: the results held no key-"
                        "question data", hint="Check that the results name key questions of the "
                        "framework (columns of case-level results, or the key_question column).")
    return kq, assessment.standards


def select_standards(assessment: Any, standards: str | Iterable[str] | None, *,
                      need_key_questions: bool) -> list[str]:
    """Standard ids to draw, in framework order; unknown ids raise DataError."""
    framework = assessment.framework
    kq = assessment.key_questions
    with_data = set(kq["standard"].astype(str))
    if standards is None:
        rated = set() if need_key_questions else set(assessment.standards["standard"].astype(str))
        ids = [s.id for s in framework.standards if s.id in with_data or s.id in rated]
        if not ids:
            raise DataError("no standard has key-question data to chart")
        return ids
    if isinstance(standards, str):
        standards = [standards]
    wanted = [str(s) for s in standards]
    if not wanted:
        raise ArgumentError("standards", standards, "must name at least one standard")
    for sid in wanted:
        framework.standard(sid)  # DataError naming the unknown id and the known ones
        if need_key_questions and sid not in with_data:
            raise DataError(f"standard {sid!r} has no key-question data to chart "
                            f"(rated by {framework.standard(sid).rated_by})", column="standard",
                            values=(sid,))
    order = {s.id: i for i, s in enumerate(framework.standards)}
    return sorted(dict.fromkeys(wanted), key=order.__getitem__)


def shown_probabilities(row: Any, labels: Iterable[str]) -> list[tuple[str, float]]:
    """``(label, P(label))`` for each rating whose ``P(label)`` in ``row`` (a dict or Series) is
    known and at least 0.005 (so it shows as 1% or more), in ``labels`` order."""
    out = []
    for lab in labels:
        p = row.get(f"P({lab})")
        if not is_missing(p) and float(p) >= 0.005:
            out.append((lab, float(p)))
    return out


def count_or_unknown(value: Any) -> str:
    """A count as text (``132``), or ``?`` when it is missing."""
    return "?" if is_missing(value) else f"{float(value):g}"

