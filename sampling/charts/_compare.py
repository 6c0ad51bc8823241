"""The dumbbell chart of a comparison: each key question's % in the first and the second
inspection, joined, against the rating bands.

References
----------
.. [1] Nuñez, J. R., Anderton, C. R. & Renslow, R. S. (2018). Optimizing colormaps with
   consideration for color vision deficiency. *PLOS ONE* 13(7): e0199239.
"""
from __future__ import annotations

import os

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.transforms import blended_transform_factory

from ._style import (GRID, INK, RC, WIDTH, band_handles, chart_figure, chart_title, draw_zones, finish,
                     fit_height, legend_and_note, zone_label_pad)
from ..comparison._compare import Comparison
from ..errors import ArgumentError

__all__ = ["dumbbell"]

#: vertical offset of each side's interval bar from the row (data units; rows are 1 apart)
_OFFSET = 0.17
_JOIN = "#5a5a5a"


def _rows(kq: pd.DataFrame, framework) -> tuple[pd.DataFrame, list]:
    """One row per key question with its y, grouped by standard in framework order."""
    order = {k: i for i, k in enumerate(framework.key_question_ids)}
    kq = kq.iloc[np.argsort([order.get(k, 10 ** 6) for k in kq["key_question"]], kind="stable")]
    rows, groups, y = [], [], 0.0
    for sid in dict.fromkeys(kq["standard"]):
        start = y
        for rec in kq[kq["standard"] == sid].to_dict("records"):
            rows.append({**rec, "y": y})
            y += 1
        groups.append((sid, start, y - 1))
        y += 0.8
    return pd.DataFrame(rows), groups


def _marks(ax, data: pd.DataFrame) -> None:
    ya, yb = data["y"] - _OFFSET, data["y"] + _OFFSET
    data = data.assign(**{f"percent_{x}": data[f"estimate_{x}"] for x in "ab" if f"estimate_{x}" in data})
    ax.hlines(ya, data["low_a"], data["high_a"], color=INK, linewidth=1.0, zorder=3, gid="intervals-a")
    ax.hlines(yb, data["low_b"], data["high_b"], color=INK, linewidth=1.0, zorder=3, gid="intervals-b")
    for rec in data.to_dict("records"):
        ax.annotate("", xy=(rec["percent_b"], rec["y"]), xytext=(rec["percent_a"], rec["y"]), zorder=4,
                    arrowprops=dict(arrowstyle="-", color=_JOIN, linewidth=2.0, shrinkA=0, shrinkB=0))
    ax.plot(data["percent_a"], data["y"], linestyle="none", marker="o", markersize=6.5, markerfacecolor="white",
            markeredgecolor=INK, markeredgewidth=1.3, zorder=5, gid="points-a")
    ax.plot(data["percent_b"], data["y"], linestyle="none", marker="o", markersize=6.5, color=INK,
            markeredgecolor="white", markeredgewidth=0.6, zorder=6, gid="points-b")


def _ticks(ax, data: pd.DataFrame) -> None:
    labels = [f"{r['key_question']}  n={r['n_a']:.0f}→{r['n_b']:.0f}" for r in data.to_dict("records")]
    ax.set_yticks(data["y"].to_numpy(), labels)
    ax.set_ylim(data["y"].max() + 0.6, -0.6)
    ax.tick_params(axis="y", length=0)
    side = blended_transform_factory(ax.transAxes, ax.transData)
    for rec in data.to_dict("records"):
        beyond = bool(rec["changed_beyond_noise"])
        ax.text(1.02, rec["y"], f"{rec['difference']:+.1f}  ({rec['low']:+.1f} to {rec['high']:+.1f})",
                transform=side, ha="left", va="center", fontsize=8, color=INK,
                fontweight="bold" if beyond else "normal", clip_on=False)


def _standards(ax, comparison: Comparison, groups: list) -> None:
    st = comparison.standards.set_index("standard") if len(comparison.standards) else None
    side = blended_transform_factory(ax.transAxes, ax.transData)
    for j, (sid, first, last) in enumerate(groups):
        if j:
            ax.axhline(first - 0.9, color=GRID, linewidth=0.6, zorder=2)
        lines = [f"{sid} {comparison.framework.standard(sid).name}"]
        if st is not None and sid in st.index:
            r = st.loc[sid]
            lines += [f"{r['rating_a']} →", f"{r['rating_b']}", f"P(differ) {r['P(differ)']:.2f}"]
        ax.text(1.36, (first + last) / 2, "\n".join(lines), transform=side, ha="left", va="center",
                fontsize=8, color=INK, clip_on=False)


def _handles(comparison: Comparison) -> list:
    a, b = comparison.labels
    cl = f"{comparison.confidence_level:.0%}"
    return [Line2D([], [], marker="o", markerfacecolor="white", markeredgecolor=INK, color=INK, linewidth=1.0,
                   label=f"{a} (first): % and {cl} interval"),
            Line2D([], [], marker="o", color=INK, markeredgecolor="white", linewidth=1.0,
                   label=f"{b} (second): % and {cl} interval"),
            Line2D([], [], color=INK, linestyle="--", linewidth=0.9, label="Band edge"),
            *band_handles(comparison.rules)]


def _footnote(comparison: Comparison) -> str:
    a, b = comparison.labels
    cl = f"{comparison.confidence_level:.0%}"
    rules = comparison.rules
    return (f"Right: difference {b} minus {a} in points and its {cl} interval\n(Newcombe hybrid score, "
            "finite-population corrected where N is known); bold: the interval excludes 0.\n"
            "P(differ): how often independent re-samplings of the two inspections give different ratings, "
            "not the probability that the true rating changed.\n"
            f"Band edges at {', '.join(f'{e:g}%' for e in rules.kq_edges)} of the whole-number %, drawn where a "
            f"% starts to publish as the edge ({', '.join(f'{e:g}' for e in rules.effective_edges)}).")


def dumbbell(comparison: Comparison, *, ax: Axes | None = None, save: str | os.PathLike | None = None) -> Figure:
    """Dumbbell chart: each key question's % in the first (open dot) and the second (filled
    dot) inspection, joined by a line, each with its interval as a thin bar, against the
    rating bands (edges drawn where a % publishes as the edge, labelled with the published
    edge). Grouped by standard; the difference and its interval on the right of each row
    (bold when it excludes 0), each standard's two rule ratings and P(differ) beside it.

    Parameters
    ----------
    comparison : Comparison
        From :func:`sampling.compare`.
    ax : matplotlib.axes.Axes, optional
        Draw into this axes (of any figure or subfigure; its figure is returned). Default: a
        new figure of its own, sized to the content, with the title naming the provider.
    save : path stem, optional
        Also write ``<save>.png`` and ``<save>.svg`` atomically.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not isinstance(comparison, Comparison):
        raise ArgumentError("comparison", type(comparison).__name__, "must be a Comparison (see sampling.compare)")
    data, groups = _rows(comparison.key_questions, comparison.framework)
    est = [c if c in data else c.replace("estimate", "percent") for c in ("estimate_a", "estimate_b")]
    low = float(np.nanmin(data[["low_a", "low_b", *est]].to_numpy(float)))
    xlo = 0.0 if low < 30 else float(np.floor((low - 8) / 10) * 10)
    plot_in = 0.34 * len(data) + 0.27 * (len(groups) - 1) + 0.2
    a, b = comparison.labels
    with mpl.rc_context(RC):
        fig, ax, owned = chart_figure(ax, (WIDTH, plot_in + 3.0))
        draw_zones(ax, comparison.rules, xlim=(xlo, 100.0))
        _marks(ax, data)
        _ticks(ax, data)
        _standards(ax, comparison, groups)
        ax.set_xlabel("% yes")
        chart_title(ax, f"Key questions: {a} (first) and {b} (second), against the rating bands", owned=owned,
                    pad=zone_label_pad(comparison.rules))
        legend_and_note(ax, _handles(comparison), _footnote(comparison), owned=owned, ncol=3)
        if owned:
            fit_height(fig, [ax], plot_in)
    return finish(fig, save)
