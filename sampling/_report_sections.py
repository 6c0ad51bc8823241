"""Extra sections of a report: the analyses beyond one rating (a breakdown by subgroup), each
with its chart, its Markdown section and its workbook sheets."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from ._breakdown import Breakdown
from ._format import markdown_table, number, text
from ._tables import column_key
from .errors import ArgumentError

__all__ = ["Section", "section_of"]


@dataclass(frozen=True)
class Section:
    """One extra part of a report: ``chart`` (name → make-figure), Markdown lines, sheets."""

    chart: str
    caption: str
    make: Callable[[], Any]
    markdown: tuple[str, ...]
    sheets: Mapping[str, pd.DataFrame]


def _interval(low: Any, high: Any) -> str:
    return "" if pd.isna(low) else f"{number(low, '.1f')}–{number(high, '.1f')}"


def _breakdown_markdown(bd: Breakdown, chart: str, caption: str) -> list[str]:
    t = bd.table
    shown = pd.DataFrame({
        "subgroup": t["subgroup"], "question": t["key_question"], "n": t["n"].map(lambda v: number(v, "g")),
        "% yes": t["percent"].map(lambda v: number(v, ".1f")),
        f"{bd.confidence_level:.0%} interval": [_interval(a, b) for a, b in zip(t["low"], t["high"])],
        "N": t["population"].map(lambda v: number(v, "g")) + np.where(t["population_source"] == "estimated", "≈", ""),
        "few cases": np.where(t["few_cases"] & (t["n"] > 0), "few", np.where(t["n"] == 0, "none", "")),
        **({"band": t["band"].map(text)} if t["band"].notna().any() else {}),
    })
    out = [f"## Key questions by {bd.by}", "", f"![{caption}]({chart}.png)", "", f"*{caption}* ([SVG]({chart}.svg))",
           "", markdown_table(shown), ""]
    if len(bd.differences):
        d = bd.differences
        diff = pd.DataFrame({
            "question": d["key_question"], "a": d["subgroup_a"], "b": d["subgroup_b"],
            "a − b (points)": d["difference"].map(lambda v: number(v, "+.1f")),
            "interval": [_interval(a, b) for a, b in zip(d["low"], d["high"])],
            "level": d["confidence_level"].map(lambda v: f"{v:.1%}"),
            "differs": np.where(d["differs"], "yes", ""),
        })
        out += ["### Differences between subgroups", "", markdown_table(diff), ""]
    return out + [f"- {n}" for n in bd.notes] + ["- ≈ = subgroup population estimated from its share of the "
                                                  "sample.", ""]


def _breakdown_section(bd: Breakdown) -> Section:
    from .charts import subgroup_forest

    key = column_key(bd.by) or "subgroup"
    chart, caption = f"by_{key}", f"Key questions by {bd.by}: % yes and interval per subgroup"
    sheets = {f"by_{key}"[:31]: bd.table}
    if len(bd.differences):
        sheets[f"by_{key}_differences"[:31]] = bd.differences
    return Section(chart=chart, caption=caption, make=lambda: subgroup_forest(bd),
                   markdown=tuple(_breakdown_markdown(bd, chart, caption)), sheets=sheets)


def section_of(item: Any) -> Section:
    """The report section of an analysis object (a :class:`~sampling.Breakdown`)."""
    if isinstance(item, Breakdown):
        return _breakdown_section(item)
    raise ArgumentError("sections", type(item).__name__, "Breakdown objects (sampling.breakdown)")
