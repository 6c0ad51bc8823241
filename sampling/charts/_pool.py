"""The funnel plot of a national picture: each provider's % against its sample size, with the
national % and the 80% and 95% control limits — how inspectorates and health-care regulators
compare providers of different sizes without a league table.

References
----------
.. [1] Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional performance.
   *Statistics in Medicine* 24, 1185–1202.
"""
from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ._style import FLAG_COLOUR, GRID, INK, RC, chart_figure, chart_title, finish, legend_and_note
from ..comparison._pool import Pool
from ..stats._pool_stats import funnel_limits
from ..errors import ArgumentError

if TYPE_CHECKING:
    from ..design._rules import RatingRules
    from matplotlib.axes import Axes

__all__ = ["funnel", "short_labels", "funnel_range", "label_width"]

NATIONAL_COLOUR = "#0072B2"  # Okabe–Ito blue: the national line, distinct from flagged vermillion
_SMALL_WORDS = {"and", "of", "the", "for", "in", "on"}
_LIMIT_STYLE: dict[str, dict[str, Any]] = {"95": dict(color=INK, linewidth=1.3, linestyle="-"),
                "80": dict(color="#5a5a5a", linewidth=1.1, linestyle=(0, (4, 2)))}


def short_labels(names: list[str], width: int = 12) -> list[str]:
    """Labels of at most ``width`` characters: a longer name becomes its words' initials
    ("North Shire Probation Service" → "NSPS"), else is cut with "…"; clashes get a number.

    >>> short_labels(["Northshire", "North Shire Probation Service", "Westmoor and Fen CRC"])
    ['Northshire', 'NSPS', 'WaFC']
    """
    out = []
    for name in names:
        words = re.findall(r"[A-Za-z0-9]+", name)
        if len(name) <= width:
            label = name
        elif len(words) >= 2:
            label = "".join(w[0] if w.lower() in _SMALL_WORDS else w[0].upper() for w in words)[:width]
        else:
            label = name[: width - 1] + "…"
        out.append(label)
    return [f"{lab}{out[:i].count(lab) + 1}" if out.count(lab) > 1 else lab for i, lab in enumerate(out)]


def label_width(providers: int, budget: int = 90) -> int:
    """Characters a provider's label may take in a funnel plot: full names while the
    providers' labels fit in about ``budget`` characters together (at least 12, at most 40).

    >>> label_width(3), label_width(12)
    (30, 12)
    """
    return max(12, min(40, budget // max(1, int(providers))))


def funnel_range(n: Any) -> np.ndarray:
    """Every whole n the funnel draws its limits over: from half the smallest provider's n
    (at least 1) to a tenth beyond the largest."""
    n = np.asarray(n, dtype=float)
    lo = max(1, int(np.floor(0.5 * n.min())))
    hi = int(np.ceil(1.1 * n.max())) + 1
    return np.arange(lo, hi + 1)


def _label_positions(x: np.ndarray, y: np.ndarray, xspan: float, gap: float) -> np.ndarray:
    """Label heights nudged apart (at least ``gap``) among providers at nearly the same n."""
    out = y.astype(float).copy()
    cluster = np.round(x / max(xspan * 0.04, 1e-9))
    for c in np.unique(cluster):
        idx = np.flatnonzero(cluster == c)
        idx = idx[np.argsort(y[idx], kind="stable")]
        for a, b in zip(idx[:-1], idx[1:]):
            out[b] = max(out[b], out[a] + gap)
        shift = (out[idx] - y[idx]).mean()  # keep the group centred on its points
        out[idx] -= shift / 2
    return out


def _draw_limits(ax, P: float, ns: np.ndarray) -> pd.DataFrame:
    lim = funnel_limits(P, ns)
    for tag, style in _LIMIT_STYLE.items():
        for side in ("low", "high"):
            ax.plot(lim["n"], lim[f"{side}_{tag}"], drawstyle="steps-mid", zorder=2, gid=f"limit-{side}-{tag}",
                    **style)
    ax.axhline(P, color=NATIONAL_COLOUR, linewidth=1.6, zorder=3, gid="national")
    return lim


def _draw_edges(ax: Axes, rules: RatingRules, ylim: tuple[float, float]) -> None:
    for edge, published in zip(rules.effective_edges, rules.kq_edges):
        if ylim[0] < edge < ylim[1]:
            ax.axhline(float(edge), color=GRID, linewidth=0.7, linestyle=":", zorder=1, gid=f"edge-{published:g}")
            ax.text(1.005, float(edge), f"{published:g}% edge", transform=ax.get_yaxis_transform(),
                    fontsize=8, va="center", ha="left", color="#5a5a5a")


def _draw_providers(ax, rows: pd.DataFrame, labels: list[str], xspan: float, yspan: float) -> None:
    x, y = rows["n"].to_numpy(float), rows["percent"].to_numpy(float)
    out95, out80 = rows["outside_95"].to_numpy(bool), rows["outside_80"].to_numpy(bool)
    inside = ~out80
    ax.plot(x[inside], y[inside], "o", color=INK, markersize=6, markeredgecolor="white", zorder=5, gid="within")
    mid = out80 & ~out95
    ax.plot(x[mid], y[mid], "o", color="white", markeredgecolor=INK, markeredgewidth=1.3, markersize=6,
            zorder=5, gid="outside-80")
    ax.plot(x[out95], y[out95], "D", color=FLAG_COLOUR, markeredgecolor=INK, markersize=7, zorder=6,
            gid="outside-95")
    ly = _label_positions(x, y, xspan, 0.045 * yspan)
    for xi, yi, li, lab in zip(x, y, ly, labels):
        ax.annotate(lab, (xi, yi), xytext=(xi + 0.012 * xspan, li), textcoords="data", fontsize=8,
                    va="center", ha="left", color=INK, zorder=4,
                    bbox=dict(facecolor="white", edgecolor="none", alpha=0.75, pad=0.4))


def funnel(pool: Pool, key_question: str, *, provider: str | None = None, ax: Axes | None = None,
           save: str | os.PathLike | None = None) -> Figure:
    """Funnel plot of one key question: provider % against its sample size n.

    The national % (from :func:`sampling.pool`) is the horizontal line; the 80% (dashed) and
    95% (solid) control limits are the binomial quantiles ``binom.ppf(q, n, P)/n·100`` at every
    whole n across the plot (:func:`sampling.funnel_limits`; Spiegelhalter 2005), drawn
    as steps because a provider of n cases can only score whole counts. Providers outside the
    95% limits are vermillion diamonds, outside the 80% limits open circles. Band edges are
    light dotted lines where the rounding rule puts them (49.5 for the published 50%). No
    ranking is drawn or implied.

    Parameters
    ----------
    pool : Pool
        From :func:`sampling.pool`.
    key_question : str
        The key question to draw.
    provider : str, optional
        The provider the chart is for (its report), named first in the title.
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
    .. [1] Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional performance.
       *Statistics in Medicine* 24, 1185–1202.
    """
    if not isinstance(pool, Pool):
        raise ArgumentError("pool", type(pool).__name__, "a Pool from sampling.pool")
    rows = pool.providers[pool.providers["key_question"] == str(key_question)]
    if not len(rows):
        raise ArgumentError("key_question", key_question, "one of the pool's key questions: "
                            + ", ".join(pool.national["key_question"]))
    P = float(pool.national.loc[pool.national["key_question"] == str(key_question), "percent"].iloc[0])
    ns = funnel_range(rows["n"])
    labels = short_labels(list(rows["provider"]), width=label_width(len(rows)))
    with mpl.rc_context(RC):
        fig, ax, owned = chart_figure(ax, (8.5, 5.6))
        lim = _draw_limits(ax, P, ns)
        values = np.concatenate([rows["percent"].to_numpy(float), lim["low_95"], lim["high_95"]])
        ylim = (max(0.0, values.min() - 4), min(100.0, values.max() + 4))
        ax.set_ylim(*ylim)
        ax.set_xlim(ns[0] - 0.5, ns[-1] + 0.5)
        _draw_edges(ax, pool.framework.rules, ylim)
        _draw_providers(ax, rows, labels, float(ns[-1] - ns[0] + 1), ylim[1] - ylim[0])
        ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
        ax.set_xlabel("Cases answering the key question (n)")
        ax.set_ylabel("% yes")
        who = f"{provider} against the national picture. " if provider else ""
        chart_title(ax, f"{who}Key question {key_question}: each provider against the national {P:.1f}% "
                        f"({len(rows)} providers, weighted by eligible population)", owned=owned)
        legend_and_note(ax, _handles(P), _note(rows, labels), owned=owned, ncol=6)
    return finish(fig, save)


def _handles(P: float) -> list:
    return [Line2D([], [], color=NATIONAL_COLOUR, linewidth=1.6, label=f"National {P:.1f}%"),
            Line2D([], [], label="80% limits", **_LIMIT_STYLE["80"]),
            Line2D([], [], label="95% limits", **_LIMIT_STYLE["95"]),
            Line2D([], [], marker="o", color=INK, markeredgecolor="white", linestyle="none",
                   label="Within 80% limits"),
            Line2D([], [], marker="o", color="white", markeredgecolor=INK, linestyle="none",
                   label="Outside 80% limits"),
            Line2D([], [], marker="D", color=FLAG_COLOUR, markeredgecolor=INK, linestyle="none",
                   label="Outside 95% limits")]


def _note(rows: pd.DataFrame, labels: list[str]) -> str:
    key = [f"{s} = {p}" for s, p in zip(labels, rows["provider"]) if s != p]
    note = ("Limits: binomial quantiles around the national % at each n (Spiegelhalter 2005); "
            "steps because a provider's % moves in whole cases.")
    return note + ("  " + "; ".join(key) if key else "")
