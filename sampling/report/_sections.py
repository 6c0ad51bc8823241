"""Extra sections of a report: the analyses beyond one rating — a breakdown by subgroup, a
comparison with another inspection, the national picture — each with its chart(s), its
Markdown section and its workbook sheets."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from ..comparison._breakdown import Breakdown
from ..comparison._compare import Comparison
from ..comparison._pool import Pool
from .._utils._format import interval_text, markdown_table, md_text, number, text
from .._utils._tables import column_key
from ..errors import ArgumentError

__all__ = ["Section", "section_of"]


@dataclass(frozen=True)
class Section:
    """One extra part of a report: ``chart`` (name → make-figure), Markdown lines, sheets."""

    chart: str
    caption: str
    make: Callable[[], Any]
    markdown: tuple[str, ...]
    sheets: Mapping[str, pd.DataFrame]


def _breakdown_markdown(bd: Breakdown, chart: str, caption: str) -> list[str]:
    t = bd.table
    shown = pd.DataFrame({
        "subgroup": t["subgroup"], "question": t["key_question"], "n": t["n"].map(lambda v: number(v, "g")),
        "% yes": t["percent"].map(lambda v: number(v, ".1f")),
        f"{bd.confidence_level:.0%} interval": [interval_text(a, b) for a, b in zip(t["low"], t["high"])],
        "N": t["population"].map(lambda v: number(v, "g")) + np.where(t["population_source"] == "estimated", "≈", ""),
        "few cases": np.where(t["few_cases"] & (t["n"] > 0), "few", np.where(t["n"] == 0, "none", "")),
        **({"band": t["band"].map(text)} if t["band"].notna().any() else {}),
    })
    out = [f"## Key questions by {md_text(bd.by)}", "", f"![{caption}]({chart}.png)", "", f"*{caption}* ([SVG]({chart}.svg))",
           "", markdown_table(shown), ""]
    if len(bd.differences):
        d = bd.differences
        diff = pd.DataFrame({
            "question": d["key_question"], "a": d["subgroup_a"], "b": d["subgroup_b"],
            "a − b (points)": d["difference"].map(lambda v: number(v, "+.1f")),
            "interval": [interval_text(a, b, signed=True) for a, b in zip(d["low"], d["high"])],
            "level": d["confidence_level"].map(lambda v: f"{v:.1%}"),
            "differs": np.where(d["differs"], "yes", ""),
        })
        out += ["### Differences between subgroups", "", markdown_table(diff), ""]
    return out + [f"- {md_text(n)}" for n in bd.notes] + ["- ≈ = subgroup population estimated from its share of the "
                                                  "sample.", ""]


def _breakdown_section(bd: Breakdown) -> Section:
    from ..charts import subgroup_forest

    key = "_".join(column_key(c) for c in (bd.by_columns or (bd.by,))) or "subgroup"
    chart, caption = f"by_{key}", f"Key questions by {bd.by}: % yes and interval per subgroup"
    sheets = {f"by_{key}"[:31]: bd.table}
    if len(bd.differences):
        sheets[f"by_{key}_differences"[:31]] = bd.differences
    sheets[f"by_{key}"[:26] + "_wide"] = bd.wide()
    return Section(chart=chart, caption=caption, make=lambda: subgroup_forest(bd),
                   markdown=tuple(_breakdown_markdown(bd, chart, caption)), sheets=sheets)


def _comparison_markdown(c: Comparison, chart: str, caption: str) -> list[str]:
    a, b = c.labels
    k = c.key_questions
    kq = pd.DataFrame({
        "question": k["key_question"], f"{a} %": k["estimate_a"].map(lambda v: number(v, ".1f")),
        f"{b} %": k["estimate_b"].map(lambda v: number(v, ".1f")),
        "difference (points)": k["difference"].map(lambda v: number(v, "+.1f")),
        f"{c.confidence_level:.0%} interval": [interval_text(lo, hi, signed=True) for lo, hi in zip(k["low"], k["high"])],
        "beyond noise": np.where(k["changed_beyond_noise"], "yes", ""),
        "smallest detectable change": k["detectable_change"].map(lambda v: number(v, ".1f")),
    })
    st = c.standards
    std = pd.DataFrame({"standard": st["standard"], a: st["rating_a"].map(text), b: st["rating_b"].map(text),
                        "P(ratings differ on re-sampling)": st["P(differ)"].map(lambda v: number(v, ".2f"))})
    return ([f"## Compared with {md_text(a)}", "", f"![{caption}]({chart}.png)", "",
             f"*{caption}* ([SVG]({chart}.svg))", "", markdown_table(kq), "", markdown_table(std), ""]
            + [f"- {md_text(n)}" for n in c.notes] + [""])


def _comparison_section(c: Comparison) -> Section:
    from ..charts import dumbbell

    caption = f"{c.labels[0]} and {c.labels[1]}: % yes per key question against the bands"
    return Section(chart="compare", caption=caption, make=lambda: dumbbell(c),
                   markdown=tuple(_comparison_markdown(c, "compare", caption)),
                   sheets={"compare_key_questions": c.key_questions, "compare_standards": c.standards})


def _pool_section(p: Pool, provider: str | None) -> list[Section]:
    """The provider (default: the first pooled) against the pool: its table, and one funnel chart
    per key question where it lies outside the 80% limits (else the first key question's)."""
    from ..charts import funnel

    provider = provider if provider in p.provider_names else p.provider_names[0]
    mine = p.providers[p.providers["provider"] == provider]
    shown = list(dict.fromkeys(mine.loc[mine["outside_80"], "key_question"])) or [p.national["key_question"].iloc[0]]
    table = pd.DataFrame({
        "provider": mine["provider"], "question": mine["key_question"], "%": mine["percent"].map(lambda v: number(v, ".1f")),
        "national %": mine["national_percent"].map(lambda v: number(v, ".1f")),
        "difference": mine["difference"].map(lambda v: number(v, "+.1f")),
        f"{p.confidence_level:.0%} interval": [interval_text(a, b, signed=True) for a, b in zip(mine["difference_low"], mine["difference_high"])],
        "funnel": np.where(mine["outside_95"], "outside 95%", np.where(mine["outside_80"], "outside 80%", "")),
    })
    md = ["## Against the national picture", "",
          f"{len(p.provider_names)} providers pooled, each weighted by its eligible population; {md_text(provider)} "
          "against the national % per key question, and funnel plots where it lies outside the 80% control "
          "limits.", "", markdown_table(table.drop(columns=["provider"])), ""]
    sections = []
    for i, kq in enumerate(shown):
        name, caption = f"funnel_{kq.replace('.', '_')}", f"Key question {kq}: providers against the national %"
        md += [f"![{caption}]({name}.png)", "", f"*{caption}* ([SVG]({name}.svg))", ""]
        sections.append(Section(chart=name, caption=caption, make=functools.partial(funnel, p, kq, provider=provider),
                                markdown=(),
                                sheets={}))
    sheets = {"national": p.national, "against_national": p.providers}
    first = sections[0]
    sections[0] = Section(chart=first.chart, caption=first.caption, make=first.make, markdown=tuple(md), sheets=sheets)
    return sections


def section_of(item: Any, provider: str | None = None) -> list[Section]:
    """The report sections of an analysis object: a :class:`~sampling.Breakdown`, a
    :class:`~sampling.Comparison` or a :class:`~sampling.Pool` (placing ``provider``)."""
    if isinstance(item, Breakdown):
        return [_breakdown_section(item)]
    if isinstance(item, Comparison):
        return [_comparison_section(item)]
    if isinstance(item, Pool):
        return _pool_section(item, provider)
    raise ArgumentError("sections", type(item).__name__,
                        "Breakdown, Comparison or Pool objects (sampling.breakdown, compare, pool)")
