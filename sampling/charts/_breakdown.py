"""Chart of a breakdown: the forest plot per subgroup, against the rating bands."""
from __future__ import annotations

import os
from typing import Iterable

import matplotlib as mpl
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..comparison._breakdown import Breakdown
from ._style import (GRID, INK, RC, WIDTH, chart_figure, chart_title, draw_zones, finish, fit_height,
                     legend_and_note, titled, zone_label_pad)
from .._utils._methods import method_name
from ..errors import ArgumentError

__all__ = ["subgroup_forest"]

#: subgroup markers (shape carries the subgroup, so print and colour-blind readers can tell them apart)
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
#: Okabe & Ito (2008) colours that stay dark on the band zones
COLOURS = ("#000000", "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#999999")


def _rows(table: pd.DataFrame, key_questions: list[str], groups: list[str]) -> pd.DataFrame:
    rows, y = [], 0.0
    for kq in key_questions:
        sub = table[table["key_question"] == kq].set_index("subgroup")
        for g in groups:
            if g in sub.index:
                rows.append({**sub.loc[g].to_dict(), "subgroup": g, "y": y})
                y += 0.7
        y += 0.6
    return pd.DataFrame(rows)


def _marks(ax, data: pd.DataFrame, groups: list[str]) -> None:
    for i, g in enumerate(groups):
        mine = data[(data["subgroup"] == g) & (data["n"] > 0)]
        colour, marker = COLOURS[i % len(COLOURS)], MARKERS[i % len(MARKERS)]
        few = mine["few_cases"].astype(bool).to_numpy()
        ax.hlines(mine["y"], mine["low"], mine["high"], color=colour, linewidth=2.0, zorder=3,
                  linestyles=["dotted" if f else "solid" for f in few])
        ax.plot(mine.loc[~few, "percent"], mine.loc[~few, "y"], linestyle="none", marker=marker, markersize=6,
                color=colour, markeredgecolor="white", zorder=4)
        ax.plot(mine.loc[few, "percent"], mine.loc[few, "y"], linestyle="none", marker=marker, markersize=6,
                markerfacecolor="white", markeredgecolor=colour, zorder=4)


def _handles(groups: list[str], min_cases: int) -> list:
    handles = [Line2D([], [], color=COLOURS[i % len(COLOURS)], marker=MARKERS[i % len(MARKERS)], linewidth=2,
                      markeredgecolor="white", label=g) for i, g in enumerate(groups)]
    handles.append(Line2D([], [], color=INK, marker="o", markerfacecolor="white", linestyle="dotted",
                          label=f"fewer than {min_cases} cases (too few to read)"))
    return handles


def subgroup_forest(breakdown: Breakdown, *, key_questions: str | Iterable[str] | None = None,
                    ax: Axes | None = None, save: str | os.PathLike | None = None) -> Figure:
    """Forest plot per subgroup: each key question's % yes and interval, one line per
    subgroup (colour and marker shape), against the rating bands and their edges.

    Subgroups with fewer than the breakdown's ``min_cases`` applicable cases are drawn hollow
    with a dotted interval (shown, never hidden); each tick names the subgroup's n.

    Parameters
    ----------
    breakdown : Breakdown
        From :func:`sampling.breakdown`.
    key_questions : str or iterable of str, optional
        Default: every key question of the breakdown.
    ax : matplotlib.axes.Axes, optional
        Draw into this axes (of any figure or subfigure; its figure is returned). Default: a
        new figure of its own, sized to the content, with the title naming the provider.
    save : path stem, optional
        Also write ``<save>.png`` and ``<save>.svg`` atomically.

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    .. [1] Okabe, M. & Ito, K. (2008). *Color Universal Design*. https://jfly.uni-koeln.de/color/
    """
    if not isinstance(breakdown, Breakdown):
        raise ArgumentError("breakdown", type(breakdown).__name__, "must be a Breakdown (see sampling.breakdown)")
    table = breakdown.table
    known = list(dict.fromkeys(table["key_question"]))
    kqs = known if key_questions is None else [key_questions] if isinstance(key_questions, str) else list(key_questions)
    unknown = [k for k in kqs if k not in known]
    if unknown or not kqs:
        raise ArgumentError("key_questions", unknown or kqs, f"key questions of the breakdown: {', '.join(known)}")
    groups = list(dict.fromkeys(breakdown.subgroups["subgroup"]))
    data = _rows(table, kqs, groups)
    plot_in = max(data["y"].max() + 0.7, 1.5) * 0.32
    with mpl.rc_context(RC):
        fig, ax, owned = chart_figure(ax, (WIDTH, plot_in + 2.5))
        draw_zones(ax, breakdown.rules, xlim=(0.0, 100.0))
        _marks(ax, data, groups)
        ax.set_yticks(data["y"].to_numpy(), [f"{kq}  {g}  n={int(k)}" for kq, g, k in zip(data["key_question"], data["subgroup"], data["n"].to_numpy(int))])
        ax.set_ylim(data["y"].max() + 0.5, -0.5)
        ax.tick_params(axis="y", length=0, labelsize=8)
        ax.grid(axis="x", color=GRID, linewidth=0.4)
        ax.set_xlabel("% yes, with its interval")
        chart_title(ax, titled(breakdown.provider, f"key questions by {breakdown.by}"), owned=owned,
                    pad=zone_label_pad(breakdown.rules))
        legend_and_note(ax, _handles(groups, breakdown.min_cases),
                        f"{method_name(breakdown.method)}, {breakdown.confidence_level:.0%} intervals; a subgroup's percentage is "
                        "not a rating.", owned=owned, ncol=4)
        if owned:
            fit_height(fig, [ax], plot_in)
    return finish(fig, save)
