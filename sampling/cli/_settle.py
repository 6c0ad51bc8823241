"""The "more cases to settle it" lines of ``sampling analyse`` and ``sampling progress``."""
from __future__ import annotations

import textwrap

from ._common import text_table

__all__ = ["print_settling"]


def print_settling(assessment, results=None, *, available=None) -> bool:
    """Print, for each flagged standard, how many more cases would settle its rating; False
    when no standard is flagged (nothing printed)."""
    from ..rating._settle import cases_to_settle

    s = cases_to_settle(assessment, results, available=available)
    if not len(s.table):
        return False
    t = s.table
    show = t.assign(percent=t["percent"].map(lambda v: f"{v:.1f}"), edge=t["edge"].map(lambda v: f"{v:g}"),
                    n=t["n"].map(lambda v: f"{v:g}"), available=t["available"].map(lambda v: f"{v:g}"),
                    more_if_held=t["more_if_held"].map(lambda v: "not feasible" if v != v else f"{v:.0f}"),
                    more_assured=t["more_assured"].map(lambda v: "not feasible" if v != v else f"{v:.0f}"))
    show = show[["standard", "key_question", "percent", "edge", "n", "available", "more_if_held", "more_assured"]]
    show.columns = ["standard", "key question", "%", "edge", "n", "available",
                    "more if % held", f"more for {s.assurance:.0%} assurance"]
    print("\nMore cases to settle each flagged rating")
    print(text_table(show))
    print(textwrap.fill(
        "'More if % held': further cases that would take the interval off the edge if the current % held "
        "(by construction that settles it only about half the time). 'More for 80% assurance': further "
        "cases that settle it, one way or the other, with 80% probability allowing for the uncertainty "
        "in the current % (in simulation 74-79% when the truth lay within 15 points of the edge, "
        "62-73% within 5 points). 'Not feasible': the % sits too close to the edge."
        + ("".join(f" ({n}.)" for n in s.notes)), width=100))
    return True
