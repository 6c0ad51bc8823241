"""Charts of an assessment: the forest plot of key questions, the rating probabilities of
each standard, and the distribution of the overall score.

References
----------
.. [1] Nuñez, J. R., Anderton, C. R. & Renslow, R. S. (2018). Optimizing colormaps with
   consideration for color vision deficiency. *PLOS ONE* 13(7): e0199239.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Iterable

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure, FigureBase
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import blended_transform_factory

from ..rating._assessment import Assessment
from ..rating._view import assessment_tables, count_or_unknown, select_standards, shown_probabilities
from ._style import (FLAG_COLOUR, GRID, INK, RC, WIDTH, band_colours, chart_figure, chart_subfigure,
                     chart_title, band_handles, draw_zones, finish, fit_height, legend_and_note, text_colour, titled,
                     zone_hatches, zone_label_pad)
from .._utils._format import is_true, text
from .._utils._methods import method_name
from ..errors import DataError

if TYPE_CHECKING:
    from ..design._rules import RatingRules
    from ..design._framework import Framework

__all__ = ["forest", "rating_probabilities", "overall"]


# --------------------------------------------------------------------------- forest
def _forest_rows(kq: pd.DataFrame, ids: list[str], framework: Framework) -> tuple[pd.DataFrame, list, float]:
    """One row per key question with its y position, grouped by standard in framework order."""
    kq_order = {k: i for i, k in enumerate(framework.key_question_ids)}
    rows: list[dict] = []
    groups: list[tuple[str, float, float]] = []
    y = 0.0
    for sid in ids:
        sub = kq[kq["standard"] == sid]
        sub = sub.iloc[np.argsort([kq_order.get(k, 10**6) for k in sub["key_question"]], kind="stable")]
        start = y
        for rec in sub.to_dict("records"):
            rows.append({**rec, "y": y})
            y += 1
        groups.append((sid, start, y - 1))
        y += 0.8
    return pd.DataFrame(rows), groups, y


def _forest_marks(ax, data: pd.DataFrame) -> None:
    """Intervals as bars, points as dots, flagged questions as vermillion diamonds."""
    flagged = data["flagged"].map(is_true).to_numpy(bool)
    ok = ~flagged
    ax.hlines(data["y"], data["low"], data["high"], color=INK, linewidth=2.2, zorder=3, gid="intervals")
    ax.plot(data.loc[ok, "percent"], data.loc[ok, "y"], linestyle="none", marker="o",
            markersize=6, color=INK, markeredgecolor="white", zorder=4, gid="points")
    if flagged.any():
        ax.plot(data.loc[flagged, "percent"], data.loc[flagged, "y"], linestyle="none", marker="D",
                markersize=7, color=FLAG_COLOUR, markeredgecolor=INK, markeredgewidth=0.8,
                zorder=5, gid="flagged")


def _forest_ticks(ax, data: pd.DataFrame, st: pd.DataFrame, y_end: float) -> None:
    """Key-question tick labels (n, † sub-sample, * inferred n; bold: the deciding one)."""
    labels = []
    for rec in data.to_dict("records"):
        mark = "†" if is_true(rec.get("relevant_subsample", False)) else ""
        inferred = not is_true(rec.get("n_known", True))
        labels.append(f"{rec['key_question']}{mark}  n={count_or_unknown(rec['n'])}{'*' if inferred else ''}")
    ax.set_yticks(data["y"].to_numpy(), labels)
    driving = set(st["driving_key_question"].map(text)) if "driving_key_question" in st else set()
    for tick, kid in zip(ax.get_yticklabels(), data["key_question"]):
        if kid in driving:
            tick.set_fontweight("bold")
    ax.set_ylim(y_end - 0.8 + 0.2, -0.8)
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel("% yes (published whole-number % is what the rules band)")


def _verdict_lines(sid: str, name: str, srow: Any) -> list[str]:
    """The text beside a standard's group: its rating, discretion, published rating, flag."""
    lines = [f"{sid} {name}"]
    if srow is None:
        return lines
    rating = text(srow.get("rating")) or text(srow.get("rule_rating"))
    rule = text(srow.get("rule_rating"))
    override = text(srow.get("override_rating"))
    published = text(srow.get("published_rating"))
    if override and override != rule:
        lines += [f"Rating: {rating}", f"(recorded discretion; rule: {rule})"]
    else:
        lines.append(f"Rating: {rating}")
    if published and published != rating:
        lines.append(f"Published: {published}")
    p_rule = srow.get(f"P({rule})") if rule else None
    grade = text(srow.get("grade"))
    shown = f"P({rule}) = {float(p_rule):.2f}" if p_rule is not None and not pd.isna(p_rule) else ""
    if is_true(srow.get("flagged", False)):
        lines.append("◆ Flagged" + (f": {shown}" if shown else ""))
    if grade:
        lines.append(f"Grade: {grade}" + (f" ({shown})" if shown and not is_true(srow.get("flagged", False)) else ""))
    return lines


def _forest_verdicts(ax, groups: list, st: pd.DataFrame, framework: Framework) -> None:
    """Group separators and each standard's verdict beside its group."""
    side = blended_transform_factory(ax.transAxes, ax.transData)
    for j, (sid, first, last) in enumerate(groups):
        if j:
            ax.axhline(first - 0.9, color=GRID, linewidth=0.6, zorder=2)
        srow = st.loc[sid] if sid in st.index else None
        ax.text(1.02, (first + last) / 2, "\n".join(_verdict_lines(sid, framework.standard(sid).name, srow)),
                transform=side, ha="left", va="center", fontsize=8.5, color=INK, clip_on=False)


def _forest_handles(assessment: Assessment, rules: RatingRules) -> list:
    handles = [
        Line2D([], [], color=INK, marker="o", markeredgecolor="white", linewidth=2.2,
               label=f"% yes and {assessment.confidence_level:.0%} interval"),
        Line2D([], [], color=FLAG_COLOUR, marker="D", markeredgecolor=INK, linestyle="none",
               markersize=7, label="Flagged: a band edge lies inside the interval"),
        Line2D([], [], color=INK, linestyle="--", linewidth=0.9, label="Band edge"),
    ]
    return handles + band_handles(rules)


def _forest_notes(assessment: Assessment, rules: RatingRules, data: pd.DataFrame) -> str:
    notes = [f"Intervals: {method_name(assessment.method)}, {assessment.confidence_level:.0%} "
             f"confidence. Bands ({rules.name}): edges at "
             + ", ".join(f"{e:g}%" for e in rules.kq_edges)
             + (", applied to the whole-number % (64.5 → 65), so each edge is drawn where a % starts to "
                "publish as it (" + ", ".join(f"{e:g}" for e in rules.effective_edges) + ")."
                if rules.round_percent else ".")
             + " Grade: settled (P(rule) ≥ 0.9), leaning (0.7–0.9), could go either way (< 0.7)."]
    marks = ["bold: the key question that decides its standard's rating"]
    if data.get("relevant_subsample", pd.Series(False)).map(is_true).any():
        marks.append("† relevant sub-sample: only the cases where the question applies")
    if (~data.get("n_known", pd.Series(True, index=data.index)).map(is_true)).any():
        marks.append("* n not published: a relevant sub-sample is taken at its smallest plausible size "
                     "(as wide as the data allow), otherwise inferred from the rounded %")
    notes.append("; ".join(marks) + ".")
    return "\n".join(notes)


def forest(assessment: Assessment, *, standards: str | Iterable[str] | None = None, ax: Axes | None = None,
           save: str | os.PathLike | None = None) -> Figure:
    """Forest plot: every key question's % yes (point) and interval (bar) against the bands.

    One row per key question, grouped by standard in framework order. The rating bands are
    shaded zones with their edges (``rules.kq_edges``: 50, 65 and 80 % for HM Inspectorate
    of Probation) drawn as dashed lines and labelled on the axis. A flagged key question
    (a band edge inside its interval) is drawn as a vermillion diamond; each standard's
    rating, its published rating where different, any recorded discretion and its flag are
    written beside its group. Tick labels mark relevant-sub-sample questions (†) and
    inferred sample sizes (*). A footnote gives the interval method, confidence level and n.

    Parameters
    ----------
    assessment : Assessment
        From :func:`sampling.rate`.
    standards : str or iterable of str, optional
        One standard id or several (default: every standard with key-question data); an
        unknown id raises :class:`~sampling.errors.DataError`.
    ax : matplotlib.axes.Axes, optional
        Draw into this axes (of any figure or subfigure; its figure is returned). Default: a
        new figure of its own, sized to the content, with the title naming the provider.
    save : path stem, optional
        Also write ``<save>.png`` and ``<save>.svg`` atomically.

    Returns
    -------
    matplotlib.figure.Figure
    """
    kq, st = assessment_tables(assessment)
    ids = select_standards(assessment, standards, need_key_questions=True)
    framework, rules = assessment.framework, assessment.rules
    kq = kq.assign(standard=kq["standard"].astype(str), key_question=kq["key_question"].astype(str))
    st = st.assign(standard=st["standard"].astype(str)).set_index("standard", drop=False)
    data, groups, y_end = _forest_rows(kq, ids, framework)
    low = float(np.nanmin(data["low"].astype(float))) if data["low"].notna().any() else 0.0
    xlo = 0.0 if low < 30 else float(np.floor((low - 8) / 10) * 10)
    plot_in = 0.3 * len(data) + 0.24 * (len(ids) - 1) + 0.2
    with mpl.rc_context(RC):
        fig, ax, owned = chart_figure(ax, (WIDTH, plot_in + 3.0))
        draw_zones(ax, rules, xlim=(xlo, 100.0))
        _forest_marks(ax, data)
        _forest_ticks(ax, data, st, y_end)
        _forest_verdicts(ax, groups, st, framework)
        chart_title(ax, titled(assessment.provider, "key questions, % yes with uncertainty, against the "
                                                    "rating bands"), owned=owned, pad=zone_label_pad(rules))
        legend_and_note(ax, _forest_handles(assessment, rules), _forest_notes(assessment, rules, data),
                        owned=owned, ncol=4)
        if owned:
            fit_height(fig, [ax], plot_in)
    return finish(fig, save)


# --------------------------------------------------------------------------- probabilities
def _rated_standards(assessment: Assessment, standards: Any) -> tuple[list[str], pd.DataFrame, list[str]]:
    """The standards to chart (rated ones only), the standards table by id, the P columns."""
    _, st = assessment_tables(assessment)
    ids = select_standards(assessment, standards, need_key_questions=False)
    st = st.assign(standard=st["standard"].astype(str)).set_index("standard", drop=False)
    missing = [s for s in ids if s not in st.index]
    ids = [s for s in ids if s in st.index]
    if not ids:
        raise DataError("the assessment has no rated standards to chart", values=missing)
    pcols = [f"P({lab})" for lab in assessment.rules.labels]
    absent = [c for c in pcols if c not in st.columns]
    if absent:
        raise DataError("the assessment's standards table lacks rating probabilities", column=absent[0])
    return ids, st, pcols


def _stacked_bars(ax, ys: np.ndarray, probs: np.ndarray, labels: Iterable[str], colours: list[str]) -> None:
    left = np.zeros(len(ys))
    for j, (lab, col) in enumerate(zip(labels, colours)):
        width = probs[:, j]
        ax.barh(ys, width, left=left, height=0.56, color=col, edgecolor="white", linewidth=0.8,
                label=lab, gid=f"prob-{j}")
        for y, l, w in zip(ys, left, width):
            if w >= 0.09:
                ax.text(l + w / 2, y, f"{w:.0%}", ha="center", va="center", fontsize=8,
                        color=text_colour(col))
        left = left + width


def _mark_band(ax, rules: RatingRules, cum_row: np.ndarray, y: float, label: str, published: bool) -> None:
    """▼ above the bar at the rule's rating, or ○ below it at the published rating."""
    b = rules.band_of(label)
    x = (cum_row[b] + cum_row[b + 1]) / 2
    if published:
        ax.plot(x, y + 0.45, marker="o", markerfacecolor="white", markeredgecolor=INK, markersize=6.5,
                linestyle="none", zorder=5, clip_on=False, gid="published-rating")
    else:
        ax.plot(x, y - 0.45, marker="v", color=INK, markersize=7, linestyle="none", zorder=5,
                clip_on=False, gid="rule-rating")


def _standard_note(row: Any, judgement: bool) -> str:
    rule, published = text(row.get("rule_rating")), text(row.get("published_rating"))
    lines = [f"{'judgement' if judgement else 'rule'}: {rule or '—'}"]
    if text(row.get("override_rating")):
        lines.append(f"recorded discretion: {text(row.get('override_rating'))}")
    lines.append(f"published: {published or '—'}")
    if is_true(row.get("flagged", False)):
        lines.append("◆ flagged: a band edge inside an interval")
    return "\n".join(lines)


def _probability_rows(ax, ids: list[str], st: pd.DataFrame, ys: np.ndarray, cum: np.ndarray,
                      assessment: Assessment) -> list[str]:
    """Markers and notes beside each standard's bar; returns the tick labels."""
    rules, framework = assessment.rules, assessment.framework
    labels = []
    side = blended_transform_factory(ax.transAxes, ax.transData)
    for i, sid in enumerate(ids):
        row = st.loc[sid]
        judgement = text(row.get("rated_by")) == "judgement"
        labels.append(f"{sid} {framework.standard(sid).name}" + (" (judgement)" if judgement else ""))
        if text(row.get("rule_rating")):
            _mark_band(ax, rules, cum[i], ys[i], text(row.get("rule_rating")), published=False)
        if text(row.get("published_rating")):
            _mark_band(ax, rules, cum[i], ys[i], text(row.get("published_rating")), published=True)
        ax.text(1.02, ys[i], _standard_note(row, judgement), transform=side, fontsize=8, va="center",
                ha="left", color=INK, clip_on=False)
    return labels


def _probability_handles(rules: RatingRules, colours: list[str]) -> list:
    handles = [Patch(facecolor=c, label=lab) for c, lab in zip(colours, rules.labels)]
    return handles + [Line2D([], [], marker="v", color=INK, linestyle="none", markersize=7,
                             label="Rating by the rule"),
                      Line2D([], [], marker="o", markerfacecolor="white", markeredgecolor=INK,
                             linestyle="none", markersize=6.5, label="Published rating")]


def rating_probabilities(assessment: Assessment, *, standards: str | Iterable[str] | None = None,
                         ax: Axes | None = None, save: str | os.PathLike | None = None) -> Figure:
    """Per standard, a stacked bar of the probability of each rating.

    The probabilities are the assessment's ``P(<label>)`` columns (see
    ``assessment.probability_source``: a joint case bootstrap at case level, independent
    parametric draws per key question for published aggregates). A ▼ above the bar marks
    the rating the rule gives, an open ○ below it the published rating. Standards rated by
    judgement are fixed (probability one) and labelled so.

    Parameters
    ----------
    assessment : Assessment
        From :func:`sampling.rate`.
    standards : str or iterable of str, optional
        Standard ids to show (default: every rated standard).
    ax : matplotlib.axes.Axes, optional
        Draw into this axes (of any figure or subfigure; its figure is returned). Default: a
        new figure of its own, sized to the content, with the title naming the provider.
    save : path stem, optional
        Also write ``<save>.png`` and ``<save>.svg`` atomically.

    Returns
    -------
    matplotlib.figure.Figure
    """
    ids, st, pcols = _rated_standards(assessment, standards)
    rules = assessment.rules
    colours = band_colours(len(rules.labels))
    pitch = 1.4  # data units between bars; one unit = 0.45 in
    plot_in = 0.45 * pitch * len(ids)
    with mpl.rc_context(RC):
        fig, ax, owned = chart_figure(ax, (WIDTH, plot_in + 2.2))
        probs = st.loc[ids, pcols].astype(float).fillna(0.0).to_numpy()
        ys = pitch * np.arange(len(ids), dtype=float)
        _stacked_bars(ax, ys, probs, rules.labels, colours)
        cum = np.hstack([np.zeros((len(ids), 1)), np.cumsum(probs, axis=1)])
        ax.set_yticks(ys, _probability_rows(ax, ids, st, ys, cum, assessment))
        ax.set_ylim(ys[-1] + pitch / 2, -pitch / 2)
        ax.tick_params(axis="y", length=0)
        ax.set_xlim(0, 1)
        ax.set_xticks(np.linspace(0, 1, 5), [f"{x:.0%}" for x in np.linspace(0, 1, 5)])
        ax.set_xlabel("Probability of each rating")
        source = text(getattr(assessment, "probability_source", "")) or "not stated"
        chart_title(ax, titled(assessment.provider, "how sure is each rating? The probability of each "
                                                    "rating per standard"), owned=owned, pad=12)
        legend_and_note(ax, _probability_handles(rules, colours), f"Probabilities: {source}.", owned=owned,
                        ncol=6)
        if owned:
            fit_height(fig, [ax], plot_in)
    return finish(fig, save)


def overall(assessment: Assessment, *, fig: FigureBase | None = None, save: str | os.PathLike | None = None) -> Figure:
    """The distribution of the overall score, one panel per basis, over the overall bands.

    Bases as in ``assessment.overall`` ("rule", "rule + recorded overrides", "published").
    The bands are ``rules.overall_ranges()`` (ten standards, HM Inspectorate of Probation:
    0–5, 6–15, 16–25, 26–30); the basis's own score is a dashed line.

    Parameters
    ----------
    assessment : Assessment
        From :func:`sampling.rate`.
    fig : matplotlib.figure.Figure or SubFigure, optional
        Draw the panels into this (sub)figure, one axes per panel (its root figure is
        returned). Default: a new figure of its own, sized to the content.
    save : path stem, optional
        Also write ``<save>.png`` and ``<save>.svg`` atomically.

    Returns
    -------
    matplotlib.figure.Figure
    """
    assessment_tables(assessment)
    rules = assessment.rules
    scores = assessment.overall_scores
    table = assessment.overall
    if scores is None or len(scores) == 0:
        raise DataError("the assessment has no overall score distribution to chart")
    bases = list(dict.fromkeys(scores["basis"].astype(str)))
    panel_in = 1.15
    with mpl.rc_context(RC):
        root, fig, owned = chart_subfigure(fig, (WIDTH, 1.9 * len(bases) + 1.6))
        axes = list(np.atleast_1d(fig.subplots(len(bases), 1, sharex=True, squeeze=False)[:, 0]))
        info = table.assign(basis=table["basis"].astype(str)).set_index("basis") if table is not None else None
        for ax, basis in zip(axes, bases):
            _overall_panel(ax, rules, scores[scores["basis"].astype(str) == basis], basis, info)
            ax.tick_params(axis="x", labelsize=8, labelbottom=ax is axes[-1])
        axes[-1].set_xlabel("Overall score (sum of standard scores: "
                            + ", ".join(f"{lab} {s}" for lab, s in zip(rules.labels, rules.scores)) + ")")
        chart_title(fig, titled(assessment.provider, "overall rating, the distribution of the total score"),
                    owned=True)
        legend_and_note(axes[-1], [Patch(facecolor=INK, label="Probability of each total score"),
                                   Line2D([], [], color=FLAG_COLOUR, linestyle="--", label="Score on this basis")],
                        None, owned=owned, ncol=2)
        if owned:
            fit_height(root, axes, panel_in * len(bases))
    return finish(root, save)


def _overall_panel(ax: Any, rules: RatingRules, sub: pd.DataFrame, basis: str, info: Any) -> None:
    """One basis: its bands (named above the panel), the score distribution, its own score."""
    colours, hatches = band_colours(len(rules.labels)), zone_hatches(len(rules.labels))
    rated = info is None or basis not in info.index or bool(text(info.loc[basis].get("rating")))
    ranges = rules.overall_ranges()
    spans = zip(ranges["score_from"].to_numpy(float), ranges["score_to"].to_numpy(float), ranges["rating"])
    for i, (lo, hi, rating) in enumerate(spans if rated else ()):
        ax.axvspan(lo - 0.5, hi + 0.5, facecolor=colours[i], edgecolor="#6b6b6b",
                   hatch=hatches[i], linewidth=0, zorder=0, gid=f"band-{i}")
        ax.annotate(rating, ((lo + hi) / 2, 1.0), xycoords=("data", "axes fraction"),
                    xytext=(0, 2), textcoords="offset points", ha="center", va="bottom", fontsize=8, color=INK)
    ax.bar(sub["score"].astype(float), sub["probability"].astype(float), width=0.7, color=INK,
           zorder=3, gid=f"scores-{basis}")
    title = basis
    if info is not None and basis in info.index:
        r = info.loc[basis]
        score = r.get("score")
        if score is not None and not pd.isna(score):
            ax.axvline(float(score), color=FLAG_COLOUR, linestyle="--", linewidth=1.4, zorder=4, gid="score")
        pr = [f"P({lab}) {p:.0%}" for lab, p in shown_probabilities(r, rules.labels)]
        title = (f"{basis}: score {count_or_unknown(score)} → "
                 + (text(r.get("rating")) or "no overall rating (not every standard is rated)")
                 + (f"   ({', '.join(pr)})" if pr else "")
                 + ("   ◆ flagged" if is_true(r.get("flagged", False)) else ""))
    ax.set_title(title, loc="left", fontsize=9, pad=15)
    ax.set_xlim(-0.5, rules.max_total + 0.5)
    ax.set_ylim(0, 1)
    ax.set_yticks([0, 0.5, 1], ["0", "0.5", "1"])
    ax.set_ylabel("Probability")
    ax.set_xticks(range(0, rules.max_total + 1, 1 if rules.max_total <= 40 else 5))
