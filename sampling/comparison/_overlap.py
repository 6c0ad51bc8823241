"""Case ids shared between results that are compared or pooled.

A comparison's difference and a pool's stratified variance assume independent samples:
different cases, drawn separately. Two copies of one draw, or a file compared with itself,
share their cases, and the intervals then describe samples that were never drawn. The note
says how many case ids are shared, so the reader is not misled.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence


if TYPE_CHECKING:
    from ..results._results import Results

__all__ = ["overlap_notes"]


def _case_ids(results: Results) -> set[str]:
    """The case ids of case-level results (none for aggregate results)."""
    answers = getattr(results, "answers", None)
    if getattr(results, "level", None) != "case" or answers is None:
        return set()
    return {str(c) for c in answers.index}


def overlap_notes(results: Sequence[Any], labels: Sequence[str], *, what: str = "difference") -> list[str]:
    """One note per pair of case-level results that share case ids: how many of each side's
    cases are shared, and that the ``what`` (difference, pool) assumes independent samples.

    >>> import pandas as pd, sampling
    >>> r = sampling.load_results(pd.DataFrame({"case_id": ["A1", "A2"], "2.1.1": ["Yes", "No"]}))
    >>> overlap_notes([r, r], ["first", "second"])[0][:60]
    'first and second share 2 case ids (all 2 of first, all 2 of '
    """
    ids = [_case_ids(r) for r in results]
    notes = []
    for i in range(len(ids)):
        for j in range(i + 1, len(ids)):
            shared = ids[i] & ids[j]
            if not shared:
                continue

            def part(k: int) -> str:
                whole = len(ids[k])
                return (f"all {whole} of {labels[k]}" if len(shared) == whole
                        else f"{len(shared)} of the {whole} of {labels[k]}")

            same = ids[i] == ids[j]
            notes.append(f"{labels[i]} and {labels[j]} share {len(shared)} case id"
                         f"{'s' if len(shared) != 1 else ''} ({part(i)}, {part(j)})"
                         + (": the same cases, perhaps the same file or two copies of one draw" if same else "")
                         + f". The {what} assumes independent samples (different cases, drawn separately), "
                           "so with shared cases its intervals do not describe these results.")
    return notes
