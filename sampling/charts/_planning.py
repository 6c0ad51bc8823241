"""Planning and drawing charts: sample balance, the planning curve and the misrating curve.

References
----------
.. [1] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., §4.4. Wiley.
"""
from __future__ import annotations

import os
from typing import Any, Mapping, Sequence, cast

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure, FigureBase
from matplotlib.patches import Patch

from ._style import (FLAG_COLOUR, GRID, INK, RC, chart_figure, chart_subfigure, chart_title, draw_zones, finish,
                     fit_height, legend_and_note, titled)

#: The sample's bars in the balance chart (Okabe–Ito blue: not a band colour, so no band is implied).
SAMPLE_COLOUR = "#0072B2"
POPULATION_COLOUR = "#c9c9c9"
from ..errors import ArgumentError, DataError

__all__ = ["balance", "planning_curve", "misrating_curve"]


def balance(sample: Any, *, provider: str | None = None, fig: FigureBase | None = None,
            save: str | os.PathLike | None = None) -> Figure:
    """Population against sample shares (%) of each category of each stratification variable.

    Reads ``sample.balance`` (columns variable, category, population_pct, sample_pct,
    difference_pts, p_value); each variable is a panel, titled as the frame's export names it
    (a draw's balance table carries the export's headers: ``Sex``, ``RoSH Level``), the
    difference in points is written beside each pair, and the panel title gives the balance
    test's p-value.

    Parameters
    ----------
    sample : Sample or DataFrame
        A drawn sample, or its balance table.
    provider : str, optional
        The inspected provider, named first in the title.
    fig : matplotlib.figure.Figure or SubFigure, optional
        Draw the panels into this (sub)figure, one axes per panel (its root figure is
        returned). Default: a new figure of its own, sized to the content.
    save : path stem, optional
        Also write ``<save>.png`` and ``<save>.svg`` atomically.

    Returns
    -------
    matplotlib.figure.Figure
    """
    table = getattr(sample, "balance", sample)
    if not isinstance(table, pd.DataFrame):
        raise ArgumentError("sample", type(sample).__name__, "must be a Sample from sampling.draw_sample "
                            "(or its balance table)")
    need = ("variable", "category", "population_pct", "sample_pct")
    missing = [c for c in need if c not in table.columns]
    if missing:
        raise DataError("balance table is missing columns", column=missing[0],
                        hint=f"Needs: {', '.join(need)}.")
    if len(table) == 0:
        raise DataError("the sample has no balance table to chart (no stratification variables)")
    variables = list(dict.fromkeys(table["variable"].astype(str)))
    counts = [int((table["variable"].astype(str) == v).sum()) for v in variables]
    with mpl.rc_context(RC):
        root, fig, owned = chart_subfigure(fig, (8, sum(0.42 * c + 0.75 for c in counts) + 1.2))
        axes = list(fig.subplots(len(variables), 1, squeeze=False,
                                 gridspec_kw={"height_ratios": counts})[:, 0])
        for ax, v in zip(axes, variables):
            _balance_panel(ax, v, table[table["variable"].astype(str) == v])
        axes[-1].set_xlabel("Share of cases (%)")
        chart_title(fig, titled(provider, "sample balance, population and sample shares"), owned=True)
        legend_and_note(axes[-1], [Patch(facecolor=POPULATION_COLOUR, edgecolor=INK, hatch="///", label="Population"),
                                   Patch(facecolor=SAMPLE_COLOUR, label="Sample")], None, owned=owned, ncol=2)
        if owned:
            fit_height(root, axes, sum(0.42 * c for c in counts))
    return finish(root, save)


def _balance_panel(ax: Any, variable: str, sub: pd.DataFrame) -> None:
    """One stratification variable (named as the frame names it): population and sample bars."""
    ys = np.arange(len(sub), dtype=float)
    pop = sub["population_pct"].astype(float).to_numpy()
    smp = sub["sample_pct"].astype(float).to_numpy()
    ax.barh(ys - 0.19, pop, height=0.36, color=POPULATION_COLOUR, edgecolor=INK, linewidth=0.5,
            hatch="///", label="Population")
    ax.barh(ys + 0.19, smp, height=0.36, color=SAMPLE_COLOUR, label="Sample")
    for y, a, b in zip(ys, pop, smp):
        ax.text(max(a, b) + 1, y, f"{b - a:+.1f} pts", va="center", fontsize=8, color=INK)
    ax.set_yticks(ys, [str(x) for x in sub["category"]])
    ax.set_ylim(len(sub) - 0.5, -0.5)
    ax.set_xlim(0, min(100, max(float(np.nanmax(np.r_[pop, smp])) * 1.25 + 8, 10)))
    ax.tick_params(axis="y", length=0)
    title = variable
    if "p_value" in sub.columns:
        pv = sub["p_value"].dropna().unique()
        if len(pv) == 1:
            title += f"  (balance test p = {float(pv[0]):.2f})"
    ax.set_title(title, loc="left", fontsize=9, pad=3)


def planning_curve(*, populations: Sequence[int] | None = None, confidence_level: float = 0.8,
                   margin: float = 0.05, p: float = 0.5, method: str = "cochran",
                   marks: Mapping[str, int] | None = None, provider: str | None = None, ax: Axes | None = None,
                   save: str | os.PathLike | None = None) -> Figure:
    """Sample size n against eligible population N (log scale), with samples marked.

    The curve is :func:`sampling.sample_size` at each N of ``populations`` (default: 80
    values from 10 to 100,000), with the infinite-population size ⌈n₀⌉ dashed (Cochran 1977,
    §4.4).

    Parameters
    ----------
    populations : sequence of int, optional
        The populations N to draw the curve at.
    confidence_level, margin, p, method
        As for :func:`sampling.sample_size`.
    marks : mapping {label: n or (n, N)}, optional
        Samples to mark: ``n`` alone over the populations that give exactly that n
        (:func:`sampling.implied_population`); ``(n, N)`` with the sample's own eligible
        population N as one point, or with N None over those populations, labelled
        "N unknown". None marks nothing.
    provider : str, optional
        The inspected provider, named first in the title.
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
    .. [1] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., §4.4. Wiley.
    """
    from ..plan._plan import implied_population, sample_size

    kw: dict[str, Any] = dict(confidence_level=confidence_level, margin=margin, p=p, method=method)
    if populations is None:
        pops = np.unique(np.round(np.geomspace(10, 100_000, 80)).astype(int))
    else:
        try:
            pops = np.unique(np.asarray(list(populations), dtype=float))
        except (TypeError, ValueError):
            raise ArgumentError("populations", populations, "must be whole numbers ≥ 1") from None
        if pops.size == 0 or not np.all(np.isfinite(pops)) or np.any(pops < 1) or np.any(pops != np.round(pops)):
            raise ArgumentError("populations", populations, "must be whole numbers ≥ 1")
        pops = pops.astype(int)
    ns = np.array([sample_size(int(N), **kw) for N in pops])
    n_inf = sample_size(None, **kw)
    if marks is None:
        marks = {}
    elif not isinstance(marks, Mapping):
        raise ArgumentError("marks", marks, "must be None or a mapping {label: n}")
    marks = {str(k): v for k, v in marks.items()}
    with mpl.rc_context(RC):
        fig, ax, owned = chart_figure(ax, (8, 5))
        ax.plot(pops, ns, color=INK, linewidth=1.8, label="n needed (Cochran, finite population corrected)" if method == "cochran"
                else "n needed (exact, hypergeometric)", zorder=3)
        ax.axhline(n_inf, color=GRID, linestyle="--", linewidth=1,
                   label=f"infinite population: n = {n_inf}")
        ax.set_xscale("log")
        markers = ["o", "s", "^", "D", "v", "P"]
        xmax = float(pops.max())
        for i, (label, mark) in enumerate(marks.items()):
            n, N, stated = _mark(label, mark)
            if N is not None:  # the sample's own N: one point
                ax.plot(N, n, marker=markers[i % len(markers)], color=FLAG_COLOUR, markeredgecolor=INK,
                        linestyle="none", markersize=7, zorder=5, label=f"{label}: n = {n:,}, N = {N:,}")
                xmax = max(xmax, N)
                continue
            imp = implied_population(n, **kw)
            unknown = "N unknown; " if stated else ""
            if imp.empty:
                if stated:
                    ax.plot([], [], linestyle="none", label=f"{label}: n = {n:,}, N unknown")
                continue
            hi = imp.high if imp.high is not None else xmax
            ax.hlines(n, cast(int, imp.low), hi, color=FLAG_COLOUR, linewidth=4, alpha=0.9, zorder=4)
            ax.plot(hi, n, marker=markers[i % len(markers)], color=FLAG_COLOUR, markeredgecolor=INK,
                    linestyle="none", markersize=7, zorder=5,
                    label=f"{label}: n = {n}, {unknown}" + (f"N = {imp.low:,}–{imp.high:,}" if imp.high is not None
                                                            else f"N ≥ {imp.low:,}")
                    + (" would give this n" if stated else ""))
            xmax = max(xmax, hi)
        ax.set_xlabel("Eligible population N (log scale)")
        ax.set_ylabel("Cases to inspect n")
        ax.set_ylim(0, n_inf * 1.12)
        ax.grid(True, which="major", color="#dddddd", linewidth=0.6)
        ax.legend(loc="lower right", frameon=False, fontsize=8)
        note = (f"{confidence_level:.0%} confidence, ±{100 * margin:g} points, p = {p:g}; "
                "Cochran (1977) §4.4 with the finite population correction." if method == "cochran"
                else f"{confidence_level:.0%} confidence, ±{100 * margin:g} points, exact method.")
        chart_title(ax, titled(provider, "how many cases? Sample size against population"), owned=owned)
        legend_and_note(ax, [], note, owned=owned)
    return finish(fig, save)


def _mark(label: str, mark: Any) -> tuple[int, int | None, bool]:
    """(n, N or None, whether N was stated) of a planning-curve mark: n, or (n, N)."""
    stated = isinstance(mark, (tuple, list))
    n, N = (tuple(mark) + (None,))[:2] if stated else (mark, None)
    try:
        n, N = int(n), None if N is None else int(N)
    except (TypeError, ValueError):
        raise ArgumentError("marks", {label: mark}, "must map a label to n or (n, N), whole numbers") from None
    return n, N, stated


def misrating_curve(n: int | Sequence[int], population: int | Sequence[int | None] | None = None, *,
                    bands: Sequence[float] | None = None, rounding: str = "half_up", rules: Any = None,
                    step: float = 0.25, labels: Sequence[str] | None = None, provider: str | None = None,
                    ax: Axes | None = None,
                    save: str | os.PathLike | None = None) -> Figure:
    """Chance that a sample of ``n`` puts a key question in the wrong band, against the true %.

    Exact sums over the binomial (no population) or hypergeometric (``population`` N)
    distribution of the yes count, via :func:`sampling.misrating_risk`. ``n`` may be
    several sample sizes (one curve each); ``population`` then is one N for all or one per n.
    ``bands`` default to the rules' key-question edges (``rules`` default: hmip-adult),
    drawn as zones with dashed edges. The risk peaks at each edge, where a sample is nearly
    as likely to land on either side.

    Parameters
    ----------
    n : int or sequence of int
        Sample size(s), one curve each.
    population : int, sequence or None
        Eligible population N, one for all or one per n (None: binomial).
    bands : sequence of float, optional
        Band edges (default: the rules' key-question edges).
    rounding : {"half_up", "half_even", "none"}
        How the observed percentage is rounded.
    rules : RatingRules or name, optional
        Default ``hmip-adult``.
    step : float
        Spacing of the true percentages, in points.
    labels : sequence of str, optional
        One legend label per curve (default "n = …, N = …").
    provider : str, optional
        The inspected provider, named first in the title.
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
    .. [1] Johnson, N. L., Kemp, A. W. & Kotz, S. (2005). *Univariate Discrete Distributions*,
       3rd ed., ch. 3 and 6. Wiley.
    """
    from ..design._rules import load_rules
    from ..plan._plan import misrating_risk

    rules = load_rules(rules if rules is not None else "hmip-adult")
    edges = tuple(rules.kq_edges) if bands is None else tuple(bands)
    ns: list[int] = [cast(int, n)] if np.ndim(n) == 0 else list(cast(Sequence[int], n))
    if not ns:
        raise ArgumentError("n", n, "must be one or more sample sizes")
    pops: list[int | None]
    if population is None or np.ndim(cast(Any, population)) == 0:
        pops = [cast("int | None", population)] * len(ns)
    else:
        pops = list(cast(Sequence["int | None"], population))
        if len(pops) != len(ns):
            raise ArgumentError("population", population, f"must be one N or one per n ({len(ns)})")
    if labels is not None and (isinstance(labels, str) or len(labels) != len(ns)):
        raise ArgumentError("labels", labels, f"must be one label per n ({len(ns)})")
    if not (isinstance(step, (int, float)) and 0 < step <= 10):
        raise ArgumentError("step", step, "must be a number in (0, 10]")
    x = np.arange(0, 100 + step / 2, step)
    curves = [misrating_risk(x, k, N, bands=edges, rounding=rounding) for k, N in zip(ns, pops)]
    styles = ["-", "--", "-.", ":"]
    with mpl.rc_context(RC):
        fig, ax, owned = chart_figure(ax, (8, 4.8))
        if bands is None:
            draw_zones(ax, rules)
        else:
            for e in edges:
                ax.axvline(e, color=INK, linewidth=0.9, linestyle="--", zorder=1)
            ax.set_xlim(0, 100)
        for i, (k, N, risk) in enumerate(zip(ns, pops, curves)):
            ax.plot(x, risk, color=INK if i == 0 else FLAG_COLOUR if i == 1 else "#0072B2",
                    linestyle=styles[i % len(styles)], linewidth=1.8, zorder=3,
                    label=str(labels[i]) if labels is not None else f"n = {k}" + (f", N = {N:,}" if N is not None else ""))
        ax.set_ylim(0, 1.0)
        ax.set_yticks(np.linspace(0, 1, 6), [f"{t:.0%}" for t in np.linspace(0, 1, 6)])
        ax.set_ylabel("Risk of the wrong band")
        ax.set_xlabel("True % yes in the population")
        ax.legend(loc="upper right", frameon=True, framealpha=0.9, fontsize=8)
        note = ("Exact " + ("hypergeometric" if any(N is not None for N in pops) else "binomial")
                + f" probability that the published % ({rounding.replace('_', ' ')} rounding) falls in a "
                "different band from the true %.")
        chart_title(ax, titled(provider, "misrating risk against the true percentage"), owned=owned,
                    pad=24.0 if bands is None else 6.0)
        legend_and_note(ax, [], note, owned=owned)
    return finish(fig, save)
