"""Report figures: uncertainty made visible.

Every function returns a :class:`matplotlib.figure.Figure` built with matplotlib's object
API (no pyplot state, so nothing leaks between calls and any backend, including
``matplotlib.use("Agg")``, works) and accepts ``save=PATH_STEM`` to write PNG and SVG
atomically (see :func:`save`).

* :func:`forest` — each key question's % yes and its interval against the rating bands;
* :func:`rating_probabilities` — per standard, the probability of each rating;
* :func:`overall` — the distribution of the overall score per basis, with its bands;
* :func:`balance` — population against sample shares for each stratification variable;
* :func:`planning_curve` — sample size n against population N, with the seed's samples;
* :func:`misrating_curve` — the chance a sample of n puts a key question in the wrong band.

Design choices, for readers in print and on screen:

* the four rating bands use an ordinal palette sampled from *cividis* (Nuñez, Anderton &
  Renslow 2018, "Optimizing colormaps with consideration for color vision deficiency",
  PLOS ONE 13(7): e0199239), dark = worst, light = best, with strictly increasing relative
  luminance (WCAG 2.1) so that the order survives greyscale printing and colour-vision
  deficiency; adjacent band zones alternate plain and hatched fills;
* every text is at least 8 pt at the saved size; no case identifier is ever drawn;
* SVG keeps text as text (searchable, editable) and is written without a timestamp, so a
  figure rebuilt from the same inputs is byte-identical.
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import blended_transform_factory

from ._io import atomic_path
from .errors import ArgumentError, DataError

__all__ = [
    "BAND_COLOURS",
    "ZONE_COLOURS",
    "ZONE_HATCHES",
    "FLAG_COLOUR",
    "MIN_FONT_SIZE",
    "relative_luminance",
    "band_colours",
    "forest",
    "rating_probabilities",
    "overall",
    "balance",
    "planning_curve",
    "misrating_curve",
    "save",
]

#: Band colours, worst to best (cividis at 0.05, 0.38, 0.68, 0.98): relative luminance
#: 0.026, 0.131, 0.345, 0.754. Used for solid fills (stacked probability bars).
BAND_COLOURS: tuple[str, ...] = ("#002b62", "#62656f", "#a99f73", "#fce236")
#: The same colours as 45 % tints on white, for background zones behind data
#: (luminance 0.342, 0.490, 0.655, 0.873).
ZONE_COLOURS: tuple[str, ...] = ("#8ca0b8", "#b8babe", "#d8d4c0", "#fef2a5")
#: Hatches of the zones: adjacent bands alternate plain and hatched.
ZONE_HATCHES: tuple[str, ...] = ("", "///", "", "...")
#: Flagged key questions (Okabe–Ito vermillion; also a distinct marker shape).
FLAG_COLOUR = "#D55E00"
#: Smallest font size (points) used anywhere.
MIN_FONT_SIZE = 8.0

_INK = "#1a1a1a"
_GRID = "#9a9a9a"
_SAVE_FORMATS = ("png", "svg", "pdf")


_RC = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 8,
    "legend.title_fontsize": 8,
    "figure.titlesize": 11,
    "hatch.linewidth": 0.6,
    "svg.fonttype": "none",          # keep text as text in SVG
    "svg.hashsalt": "inspection-sampling",  # deterministic SVG ids
    "axes.spines.top": False,
    "axes.spines.right": False,
}


# --------------------------------------------------------------------------- colour
def relative_luminance(colour: Any) -> float:
    """WCAG 2.1 relative luminance of a matplotlib colour (0 = black, 1 = white).

    L = 0.2126 R + 0.7152 G + 0.0722 B on linearised sRGB channels
    (c ≤ 0.03928: c/12.92, else ((c + 0.055)/1.055)^2.4), W3C WCAG 2.1 §1.4.3.
    """
    rgb = np.asarray(mpl.colors.to_rgb(colour))
    lin = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(lin @ np.array([0.2126, 0.7152, 0.0722]))


def band_colours(k: int, *, zone: bool = False) -> list[str]:
    """``k`` ordinal colours, worst to best, with strictly increasing luminance.

    Four bands use :data:`BAND_COLOURS` (or :data:`ZONE_COLOURS`); other counts sample
    cividis evenly (rules with more or fewer labels)."""
    if k == 4:
        return list(ZONE_COLOURS if zone else BAND_COLOURS)
    cmap = mpl.colormaps["cividis"]
    cols = [np.asarray(cmap(x)[:3]) for x in np.linspace(0.05, 0.98, k)]
    if zone:
        cols = [0.45 * c + 0.55 for c in cols]
    return [mpl.colors.to_hex(c) for c in cols]


def _text_colour(background: str) -> str:
    return "white" if relative_luminance(background) < 0.2 else "black"


# --------------------------------------------------------------------------- saving
def save(fig: Figure, path_stem: str | os.PathLike, formats: Sequence[str] = ("png", "svg"), *,
         dpi: int = 200) -> tuple[Path, ...]:
    """Write ``fig`` as ``<path_stem>.png`` and ``<path_stem>.svg`` (or other ``formats``).

    Every file is rendered to a temporary file beside its target and renamed into place
    only when all formats have rendered, so a failure leaves no partial file behind
    (:func:`sampling._io.atomic_path`). PNG and SVG carry no timestamp. Returns the paths.
    """
    if isinstance(formats, str):
        formats = (formats,)
    formats = tuple(str(f).lower().lstrip(".") for f in formats)
    bad = [f for f in formats if f not in _SAVE_FORMATS]
    if bad or not formats:
        raise ArgumentError("formats", formats, f"must be one or more of {', '.join(_SAVE_FORMATS)}")
    stem = Path(path_stem)
    targets = [stem.with_name(f"{stem.name}.{fmt}") for fmt in formats]
    meta = {"png": {"Software": None}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}
    with contextlib.ExitStack() as stack:
        tmps = [stack.enter_context(atomic_path(t)) for t in targets]
        with mpl.rc_context(_RC):
            bbox = _tight_bbox(fig)  # computed once for every format (saves a draw per file)
            for tmp, fmt in zip(tmps, formats):
                fig.savefig(tmp, format=fmt, dpi=dpi, metadata=meta[fmt], bbox_inches=bbox,
                            facecolor="white")
    return tuple(targets)


def _tight_bbox(fig: Figure, pad: float = 0.15):
    """The figure's tight bounding box in inches, padded (as ``bbox_inches="tight"`` would)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    renderer = canvas.get_renderer()
    bbox = fig.get_tightbbox(renderer)
    return bbox.padded(pad)


def _finish(fig: Figure, save_to: str | os.PathLike | None) -> Figure:
    if save_to is not None:
        save(fig, save_to)
    return fig


# --------------------------------------------------------------------------- checks
def _assessment_tables(assessment: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    for name in ("key_questions", "standards", "framework", "rules"):
        if not hasattr(assessment, name):
            raise ArgumentError("assessment", type(assessment).__name__,
                                "must be an Assessment from sampling.rate(results)")
    kq = assessment.key_questions
    if kq is None or len(kq) == 0:
        raise DataError("the assessment has no key questions to chart: the results held no key-"
                        "question data", hint="Check that the results name key questions of the "
                        "framework (columns of case-level results, or the key_question column).")
    return kq, assessment.standards


def _select_standards(assessment: Any, standards: str | Iterable[str] | None, *,
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


def _is_true(value: Any) -> bool:
    try:
        return bool(value) and not pd.isna(value)
    except (TypeError, ValueError):
        return bool(value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def _shown_probabilities(row: Any, labels: Iterable[str]) -> list[tuple[str, float]]:
    """``(label, P(label))`` for each rating whose ``P(label)`` in ``row`` (a dict or Series) is
    known and at least 0.005 (so it shows as 1% or more), in ``labels`` order."""
    out = []
    for lab in labels:
        p = row.get(f"P({lab})")
        if p is not None and not pd.isna(p) and float(p) >= 0.005:
            out.append((lab, float(p)))
    return out


def _num(value: Any) -> str:
    return f"{float(value):g}" if value is not None and not pd.isna(value) else "?"


def _method_name(method: str) -> str:
    names = {"wilson": "Wilson", "clopper-pearson": "Clopper–Pearson", "jeffreys": "Jeffreys",
             "agresti-coull": "Agresti–Coull", "bootstrap-percentile": "bootstrap percentile",
             "bootstrap-bca": "bootstrap BCa"}
    return names.get(str(method), str(method))


def _draw_zones(ax, rules, *, xlim: tuple[float, float] = (0.0, 100.0), alpha: float = 1.0) -> None:
    """Shade the key-question bands and draw their edges at ``rules.kq_edges``."""
    ranges = rules.kq_ranges()
    colours = band_colours(len(rules.labels), zone=True)
    hatches = _zone_hatches(len(rules.labels))
    lo, hi = xlim
    for i, row in enumerate(ranges.itertuples(index=False)):
        ax.axvspan(row.percent_from, row.percent_below, facecolor=colours[i], edgecolor="#6b6b6b",
                   hatch=hatches[i], linewidth=0, zorder=0, gid=f"band-{i}", alpha=alpha)
        a, b = max(row.percent_from, lo), min(row.percent_below, hi)
        if b > a:
            label = row.rating.replace(" ", "\n", 1) if len(row.rating) > 12 and b - a < 25 else row.rating
            ax.text((a + b) / 2, 1.005, label, ha="center", va="bottom",
                    fontsize=8, transform=blended_transform_factory(ax.transData, ax.transAxes),
                    color=_INK)
    for edge in rules.kq_edges:
        ax.axvline(edge, color=_INK, linewidth=0.9, linestyle="--", zorder=1, gid=f"edge-{edge:g}")
    ticks = sorted({lo, hi, *(float(e) for e in rules.kq_edges if lo <= e <= hi)})
    ax.set_xticks(ticks, [f"{t:g}%" for t in ticks])
    ax.set_xlim(lo, hi)


def _zone_hatches(k: int) -> list[str]:
    if k == 4:
        return list(ZONE_HATCHES)
    return ["" if i % 2 == 0 else "///" for i in range(k)]


# --------------------------------------------------------------------------- forest
def forest(assessment: Any, *, standards: str | Iterable[str] | None = None,
           save: str | os.PathLike | None = None) -> Figure:
    """Forest plot: every key question's % yes (point) and interval (bar) against the bands.

    One row per key question, grouped by standard in framework order. The rating bands are
    shaded zones with their edges (``rules.kq_edges``: 50, 65 and 80 % for HM Inspectorate
    of Probation) drawn as dashed lines and labelled on the axis. A flagged key question
    (a band edge inside its interval) is drawn as a vermillion diamond; each standard's
    rating, its published rating where different, any recorded discretion and its flag are
    written beside its group. Tick labels mark relevant-sub-sample questions (†) and
    inferred sample sizes (*). A footnote gives the interval method, confidence level and n.

    ``standards``: one id or several (default: every standard with key-question data);
    an unknown id raises :class:`~sampling.errors.DataError`.
    """
    kq, st = _assessment_tables(assessment)
    ids = _select_standards(assessment, standards, need_key_questions=True)
    framework, rules = assessment.framework, assessment.rules
    kq = kq.assign(standard=kq["standard"].astype(str), key_question=kq["key_question"].astype(str))
    st = st.assign(standard=st["standard"].astype(str)).set_index("standard", drop=False)
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
    data = pd.DataFrame(rows)
    low = float(np.nanmin(data["low"].astype(float))) if data["low"].notna().any() else 0.0
    xlo = 0.0 if low < 30 else float(np.floor((low - 8) / 10) * 10)
    top_in, bottom_in = 0.8, 1.55
    plot_in = 0.3 * len(data) + 0.24 * (len(ids) - 1) + 0.2
    height = top_in + bottom_in + plot_in
    with mpl.rc_context(_RC):
        fig = Figure(figsize=(10, height), layout=None)
        ax = fig.add_axes((0.15, bottom_in / height, 0.5, plot_in / height))
        _draw_zones(ax, rules, xlim=(xlo, 100.0))
        flagged = data["flagged"].map(_is_true).to_numpy(bool)
        ok = ~flagged
        ax.hlines(data["y"], data["low"], data["high"], color=_INK, linewidth=2.2, zorder=3,
                  gid="intervals")
        ax.plot(data.loc[ok, "percent"], data.loc[ok, "y"], linestyle="none", marker="o",
                markersize=6, color=_INK, markeredgecolor="white", zorder=4, gid="points")
        if flagged.any():
            ax.plot(data.loc[flagged, "percent"], data.loc[flagged, "y"], linestyle="none", marker="D",
                    markersize=7, color=FLAG_COLOUR, markeredgecolor=_INK, markeredgewidth=0.8,
                    zorder=5, gid="flagged")
        labels = []
        for rec in data.to_dict("records"):
            mark = "†" if _is_true(rec.get("relevant_subsample", False)) else ""
            inferred = not _is_true(rec.get("n_known", True))
            labels.append(f"{rec['key_question']}{mark}  n={_num(rec['n'])}{'*' if inferred else ''}")
        ax.set_yticks(data["y"].to_numpy(), labels)
        driving = set(st["driving_key_question"].map(_text)) if "driving_key_question" in st else set()
        for tick, kid in zip(ax.get_yticklabels(), data["key_question"]):
            if kid in driving:
                tick.set_fontweight("bold")
        ax.set_ylim(y - 0.8 + 0.2, -0.8)
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel("% yes (published whole-number % is what the rules band)")
        # group separators and the standard's verdict beside each group
        side = blended_transform_factory(ax.transAxes, ax.transData)
        for j, (sid, first, last) in enumerate(groups):
            if j:
                ax.axhline(first - 0.9, color=_GRID, linewidth=0.6, zorder=2)
            srow = st.loc[sid] if sid in st.index else None
            name = framework.standard(sid).name
            lines = [f"{sid} {name}"]
            if srow is not None:
                rating = _text(srow.get("rating")) or _text(srow.get("rule_rating"))
                rule = _text(srow.get("rule_rating"))
                override = _text(srow.get("override_rating"))
                published = _text(srow.get("published_rating"))
                if override and override != rule:
                    lines += [f"Rating: {rating}", f"(recorded discretion; rule: {rule})"]
                else:
                    lines.append(f"Rating: {rating}")
                if published and published != rating:
                    lines.append(f"Published: {published}")
                if _is_true(srow.get("flagged", False)):
                    p_rule = srow.get(f"P({rule})") if rule else None
                    lines.append("◆ Flagged" + (f": P({rule}) = {float(p_rule):.2f}"
                                                if p_rule is not None and not pd.isna(p_rule) else ""))
            ax.text(1.02, (first + last) / 2, "\n".join(lines), transform=side, ha="left",
                    va="center", fontsize=8.5, color=_INK, clip_on=False)
        # legend and footnote
        handles = [
            Line2D([], [], color=_INK, marker="o", markeredgecolor="white", linewidth=2.2,
                   label=f"% yes and {assessment.confidence_level:.0%} interval"),
            Line2D([], [], color=FLAG_COLOUR, marker="D", markeredgecolor=_INK, linestyle="none",
                   markersize=7, label="Flagged: a band edge lies inside the interval"),
            Line2D([], [], color=_INK, linestyle="--", linewidth=0.9, label="Band edge"),
        ]
        handles += [Patch(facecolor=c, edgecolor="#6b6b6b", hatch=h, linewidth=0, label=lab)
                    for c, h, lab in zip(band_colours(len(rules.labels), zone=True),
                                         _zone_hatches(len(rules.labels)), rules.labels)]
        fig.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.01, 0.42 / height), ncol=4,
                   frameon=False, fontsize=8)
        notes = [f"Intervals: {_method_name(assessment.method)}, {assessment.confidence_level:.0%} "
                 f"confidence. Bands (rules {rules.short_name}): edges at "
                 + ", ".join(f"{e:g}%" for e in rules.kq_edges)
                 + (", applied to the whole-number % (64.5 → 65)." if rules.round_percent else ".")]
        marks = ["bold: the key question that decides its standard's rating"]
        if data.get("relevant_subsample", pd.Series(False)).map(_is_true).any():
            marks.append("† relevant sub-sample: only the cases where the question applies")
        if (~data.get("n_known", pd.Series(True, index=data.index)).map(_is_true)).any():
            marks.append("* n not published, inferred from the rounded %: the true interval is wider")
        if marks:
            notes.append("; ".join(marks) + ".")
        fig.text(0.01, 0.04 / height, "\n".join(notes), fontsize=8, va="bottom", ha="left", color=_INK)
        fig.suptitle("Key questions: % yes with uncertainty, against the rating bands",
                     x=0.01, ha="left", y=1 - 0.08 / height, va="top", fontsize=11)
    return _finish(fig, save)


# --------------------------------------------------------------------------- probabilities
def rating_probabilities(assessment: Any, *, standards: str | Iterable[str] | None = None,
                         save: str | os.PathLike | None = None) -> Figure:
    """Per standard, a stacked bar of the probability of each rating.

    The probabilities are the assessment's ``P(<label>)`` columns (see
    ``assessment.probability_source``: a joint case bootstrap at case level, independent
    parametric draws per key question for published aggregates). A ▼ above the bar marks
    the rating the rule gives, an open ○ below it the published rating. Standards rated by
    judgement are fixed (probability one) and labelled so.
    """
    _, st = _assessment_tables(assessment)
    ids = _select_standards(assessment, standards, need_key_questions=False)
    rules, framework = assessment.rules, assessment.framework
    st = st.assign(standard=st["standard"].astype(str)).set_index("standard", drop=False)
    missing = [s for s in ids if s not in st.index]
    ids = [s for s in ids if s in st.index]
    if not ids:
        raise DataError("the assessment has no rated standards to chart", values=missing)
    pcols = [f"P({lab})" for lab in rules.labels]
    absent = [c for c in pcols if c not in st.columns]
    if absent:
        raise DataError("the assessment's standards table lacks rating probabilities", column=absent[0])
    colours = band_colours(len(rules.labels))
    pitch = 1.4  # data units between bars; one unit = 0.45 in
    top_in, bottom_in = 0.55, 1.3
    plot_in = 0.45 * pitch * len(ids)
    height = top_in + bottom_in + plot_in
    with mpl.rc_context(_RC):
        fig = Figure(figsize=(10, height))
        ax = fig.add_axes((0.27, bottom_in / height, 0.45, plot_in / height))
        probs = st.loc[ids, pcols].astype(float).fillna(0.0).to_numpy()
        ys = pitch * np.arange(len(ids), dtype=float)
        left = np.zeros(len(ids))
        for j, (lab, col) in enumerate(zip(rules.labels, colours)):
            width = probs[:, j]
            ax.barh(ys, width, left=left, height=0.56, color=col, edgecolor="white", linewidth=0.8,
                    label=lab, gid=f"prob-{j}")
            for y, l, w in zip(ys, left, width):
                if w >= 0.09:
                    ax.text(l + w / 2, y, f"{w:.0%}", ha="center", va="center", fontsize=8,
                            color=_text_colour(col))
            left = left + width
        cum = np.hstack([np.zeros((len(ids), 1)), np.cumsum(probs, axis=1)])
        labels = []
        side = blended_transform_factory(ax.transAxes, ax.transData)
        for i, sid in enumerate(ids):
            row = st.loc[sid]
            y = ys[i]
            judgement = _text(row.get("rated_by")) == "judgement"
            labels.append(f"{sid} {framework.standard(sid).name}" + (" (judgement)" if judgement else ""))
            rule = _text(row.get("rule_rating"))
            published = _text(row.get("published_rating"))
            if rule:
                b = rules.band_of(rule)
                ax.plot((cum[i, b] + cum[i, b + 1]) / 2, y - 0.45, marker="v", color=_INK,
                        markersize=7, linestyle="none", zorder=5, clip_on=False, gid="rule-rating")
            if published:
                b = rules.band_of(published)
                ax.plot((cum[i, b] + cum[i, b + 1]) / 2, y + 0.45, marker="o", markerfacecolor="white",
                        markeredgecolor=_INK, markersize=6.5, linestyle="none", zorder=5, clip_on=False,
                        gid="published-rating")
            text = [f"{'judgement' if judgement else 'rule'}: {rule or '—'}"]
            if _text(row.get("override_rating")):
                text.append(f"recorded discretion: {_text(row.get('override_rating'))}")
            text.append(f"published: {published or '—'}")
            if _is_true(row.get("flagged", False)):
                text.append("◆ flagged: a band edge inside an interval")
            ax.text(1.02, y, "\n".join(text), transform=side, fontsize=8, va="center", ha="left",
                    color=_INK, clip_on=False)
        ax.set_yticks(ys, labels)
        ax.set_ylim(ys[-1] + pitch / 2, -pitch / 2)
        ax.tick_params(axis="y", length=0)
        ax.set_xlim(0, 1)
        ax.set_xticks(np.linspace(0, 1, 5), [f"{x:.0%}" for x in np.linspace(0, 1, 5)])
        ax.set_xlabel("Probability of each rating")
        handles = [Patch(facecolor=c, label=lab) for c, lab in zip(colours, rules.labels)]
        handles += [Line2D([], [], marker="v", color=_INK, linestyle="none", markersize=7,
                           label="Rating by the rule"),
                    Line2D([], [], marker="o", markerfacecolor="white", markeredgecolor=_INK,
                           linestyle="none", markersize=6.5, label="Published rating")]
        fig.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.01, 0.3 / height), ncol=6,
                   frameon=False, fontsize=8)
        source = _text(getattr(assessment, "probability_source", "")) or "not stated"
        fig.text(0.01, 0.04 / height, f"Probabilities: {source}.", fontsize=8, ha="left",
                 va="bottom", color=_INK)
        fig.suptitle("How sure is each rating? Probability of each rating per standard", x=0.01,
                     ha="left", y=1 - 0.08 / height, va="top", fontsize=11)
    return _finish(fig, save)


# --------------------------------------------------------------------------- overall
def overall(assessment: Any, *, save: str | os.PathLike | None = None) -> Figure:
    """The distribution of the overall score, one panel per basis, over the overall bands.

    Bases as in ``assessment.overall`` ("rule", "rule + recorded overrides", "published").
    The bands are ``rules.overall_ranges()`` (ten standards, HM Inspectorate of Probation:
    0–5, 6–15, 16–25, 26–30); the basis's own score is a dashed line.
    """
    _assessment_tables(assessment)
    rules = assessment.rules
    scores = assessment.overall_scores
    table = assessment.overall
    if scores is None or len(scores) == 0:
        raise DataError("the assessment has no overall score distribution to chart")
    bases = list(dict.fromkeys(scores["basis"].astype(str)))
    ranges = rules.overall_ranges()
    colours = band_colours(len(rules.labels), zone=True)
    hatches = _zone_hatches(len(rules.labels))
    height = 1.6 + 1.7 * len(bases)
    with mpl.rc_context(_RC):
        fig = Figure(figsize=(10, height))
        axes = [fig.add_axes((0.07, (1.0 + (len(bases) - 1 - i) * 1.7) / height + 0.22 / height,
                              0.9, 1.15 / height)) for i in range(len(bases))]
        info = table.assign(basis=table["basis"].astype(str)).set_index("basis") if table is not None else None
        for ax, basis in zip(axes, bases):
            sub = scores[scores["basis"].astype(str) == basis]
            rated = info is None or basis not in info.index or bool(_text(info.loc[basis].get("rating")))
            for i, r in enumerate(ranges.itertuples(index=False) if rated else ()):
                ax.axvspan(r.score_from - 0.5, r.score_to + 0.5, facecolor=colours[i], edgecolor="#6b6b6b",
                           hatch=hatches[i], linewidth=0, zorder=0, gid=f"band-{i}")
                ax.text((r.score_from + r.score_to) / 2, 1.0, r.rating, ha="center", va="top", fontsize=8,
                        transform=blended_transform_factory(ax.transData, ax.transAxes), color=_INK)
            ax.bar(sub["score"].astype(float), sub["probability"].astype(float), width=0.7, color=_INK,
                   zorder=3, gid=f"scores-{basis}")
            title = basis
            if info is not None and basis in info.index:
                r = info.loc[basis]
                score = r.get("score")
                if score is not None and not pd.isna(score):
                    ax.axvline(float(score), color=FLAG_COLOUR, linestyle="--", linewidth=1.4, zorder=4)
                pr = [f"P({lab}) {p:.0%}" for lab, p in _shown_probabilities(r, rules.labels)]
                title = (f"{basis}: score {_num(score)} → "
                         + (_text(r.get("rating")) or "no overall rating (not every standard is rated)")
                         + (f"   ({', '.join(pr)})" if pr else "")
                         + ("   ◆ flagged" if _is_true(r.get("flagged", False)) else ""))
            ax.set_title(title, loc="left", fontsize=9, pad=3)
            ax.set_xlim(-0.5, rules.max_total + 0.5)
            top = float(sub["probability"].max()) if len(sub) else 1.0
            ax.set_ylim(0, max(top * 1.5, 0.05))
            ax.set_ylabel("Probability")
            ax.set_xticks(range(0, rules.max_total + 1, 1 if rules.max_total <= 40 else 5))
            ax.tick_params(axis="x", labelsize=8, labelbottom=ax is axes[-1])
        axes[-1].set_xlabel("Overall score (sum of standard scores: "
                            + ", ".join(f"{lab} {s}" for lab, s in zip(rules.labels, rules.scores)) + ")")
        fig.legend(handles=[Patch(facecolor=_INK, label="Probability of each total score"),
                            Line2D([], [], color=FLAG_COLOUR, linestyle="--", label="Score on this basis")],
                   loc="lower left", bbox_to_anchor=(0.01, 0.0), ncol=2, frameon=False, fontsize=8)
        fig.suptitle("Overall rating: distribution of the total score", x=0.01, ha="left",
                     y=1 - 0.1 / height, va="top", fontsize=11)
    return _finish(fig, save)


# --------------------------------------------------------------------------- balance
def balance(sample: Any, *, save: str | os.PathLike | None = None) -> Figure:
    """Population against sample shares (%) of each category of each stratification variable.

    Reads ``sample.balance`` (columns variable, category, population_pct, sample_pct,
    difference_pts, p_value); each variable is a panel, the difference in points is written
    beside each pair, and the panel title gives the balance test's p-value.
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
    height = 0.95 + sum(0.42 * c + 0.75 for c in counts)
    pop_colour, sample_colour = "#c9c9c9", BAND_COLOURS[0]
    with mpl.rc_context(_RC):
        fig = Figure(figsize=(8, height))
        top = 1 - 0.55 / height
        for v, c in zip(variables, counts):
            h = 0.42 * c / height
            ax = fig.add_axes((0.25, top - h, 0.62, h))
            top -= h + 0.75 / height
            sub = table[table["variable"].astype(str) == v]
            ys = np.arange(len(sub), dtype=float)
            pop = sub["population_pct"].astype(float).to_numpy()
            smp = sub["sample_pct"].astype(float).to_numpy()
            ax.barh(ys - 0.19, pop, height=0.36, color=pop_colour, edgecolor=_INK, linewidth=0.5,
                    hatch="///", label="Population")
            ax.barh(ys + 0.19, smp, height=0.36, color=sample_colour, label="Sample")
            for y, a, b in zip(ys, pop, smp):
                ax.text(max(a, b) + 1, y, f"{b - a:+.1f} pts", va="center", fontsize=8, color=_INK)
            ax.set_yticks(ys, [str(x) for x in sub["category"]])
            ax.set_ylim(len(sub) - 0.5, -0.5)
            ax.set_xlim(0, min(100, max(float(np.nanmax(np.r_[pop, smp])) * 1.25 + 8, 10)))
            ax.tick_params(axis="y", length=0)
            title = v
            if "p_value" in sub.columns:
                pv = sub["p_value"].dropna().unique()
                if len(pv) == 1:
                    title += f"  (balance test p = {float(pv[0]):.2f})"
            ax.set_title(title, loc="left", fontsize=9, pad=3)
        ax.set_xlabel("Share of cases (%)")
        fig.legend(handles=[Patch(facecolor=pop_colour, edgecolor=_INK, hatch="///", label="Population"),
                            Patch(facecolor=sample_colour, label="Sample")],
                   loc="lower left", bbox_to_anchor=(0.01, 0.0), ncol=2, frameon=False, fontsize=8)
        fig.suptitle("Sample balance: population and sample shares", x=0.01, ha="left",
                     y=1 - 0.08 / height, va="top", fontsize=11)
    return _finish(fig, save)


# --------------------------------------------------------------------------- planning
def _seed_marks() -> dict[str, int]:
    from .examples import seed_tables

    samples = seed_tables().inspection["samples"]
    return {s["label"]: int(s["n"]) for s in samples.values()}


def planning_curve(*, populations: Sequence[int] | None = None, confidence_level: float = 0.8,
                   margin: float = 0.05, p: float = 0.5, method: str = "cochran",
                   mark: bool | Mapping[str, int] | None = True,
                   save: str | os.PathLike | None = None) -> Figure:
    """Sample size n against eligible population N (log scale), with samples marked.

    The curve is :func:`sampling.plan.sample_size` at each N of ``populations`` (default: 80
    values from 10 to 100,000), with the infinite-population size ⌈n₀⌉ dashed (Cochran 1977,
    §4.4). ``mark=True`` marks the seed inspection's three samples (n from
    ``seeds/inspection.toml``) over the populations that give exactly that n
    (:func:`sampling.plan.implied_population`); a mapping ``{label: n}`` marks other samples;
    ``False``/``None`` marks none.
    """
    from ._plan import implied_population, sample_size

    kw = dict(confidence_level=confidence_level, margin=margin, p=p, method=method)
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
    if mark is True:
        marks = _seed_marks()
    elif not mark:
        marks = {}
    elif isinstance(mark, Mapping):
        marks = {str(k): v for k, v in mark.items()}
    else:
        raise ArgumentError("mark", mark, "must be True (the seed samples), False, or {label: n}")
    with mpl.rc_context(_RC):
        fig = Figure(figsize=(8, 5))
        ax = fig.add_axes((0.1, 0.2, 0.86, 0.7))
        ax.plot(pops, ns, color=_INK, linewidth=1.8, label=f"n needed ({method})", zorder=3)
        ax.axhline(n_inf, color=_GRID, linestyle="--", linewidth=1,
                   label=f"infinite population: n = {n_inf}")
        ax.set_xscale("log")
        markers = ["o", "s", "^", "D", "v", "P"]
        xmax = float(pops.max())
        for i, (label, n) in enumerate(marks.items()):
            imp = implied_population(n, **kw)
            if imp.empty:
                continue
            hi = imp.high if imp.high is not None else xmax
            ax.hlines(n, imp.low, hi, color=FLAG_COLOUR, linewidth=4, alpha=0.9, zorder=4)
            ax.plot(hi, n, marker=markers[i % len(markers)], color=FLAG_COLOUR, markeredgecolor=_INK,
                    linestyle="none", markersize=7, zorder=5,
                    label=f"{label}: n = {n}, N = {imp.low:,}–{imp.high:,}" if imp.high is not None
                    else f"{label}: n = {n}, N ≥ {imp.low:,}")
            xmax = max(xmax, hi)
        ax.set_xlabel("Eligible population N (log scale)")
        ax.set_ylabel("Cases to inspect n")
        ax.set_ylim(0, n_inf * 1.12)
        ax.grid(True, which="major", color="#dddddd", linewidth=0.6)
        ax.legend(loc="lower right", frameon=False, fontsize=8)
        fig.text(0.01, 0.02, f"{confidence_level:.0%} confidence, ±{100 * margin:g} points, p = {p:g}; "
                 "Cochran (1977) §4.4 with the finite population correction." if method == "cochran"
                 else f"{confidence_level:.0%} confidence, ±{100 * margin:g} points, exact method.",
                 fontsize=8, color=_INK)
        fig.suptitle("How many cases? Sample size against population", x=0.01, ha="left", fontsize=11)
    return _finish(fig, save)


def misrating_curve(n: int | Sequence[int], population: int | Sequence[int | None] | None = None, *,
                    bands: Sequence[float] | None = None, rounding: str = "half_up", rules: Any = None,
                    step: float = 0.25, save: str | os.PathLike | None = None) -> Figure:
    """Chance that a sample of ``n`` puts a key question in the wrong band, against the true %.

    Exact sums over the binomial (no population) or hypergeometric (``population`` N)
    distribution of the yes count, via :func:`sampling.plan.misrating_risk`. ``n`` may be
    several sample sizes (one curve each); ``population`` then is one N for all or one per n.
    ``bands`` default to the rules' key-question edges (``rules`` default: hmip-adult),
    drawn as zones with dashed edges. The risk peaks at each edge, where a sample is nearly
    as likely to land on either side.
    """
    from ._framework import load_rules
    from ._plan import misrating_risk

    rules = load_rules(rules if rules is not None else "hmip-adult")
    edges = tuple(rules.kq_edges) if bands is None else tuple(bands)
    ns = [n] if np.ndim(n) == 0 else list(n)
    if not ns:
        raise ArgumentError("n", n, "must be one or more sample sizes")
    if population is None or np.ndim(population) == 0:
        pops = [population] * len(ns)
    else:
        pops = list(population)
        if len(pops) != len(ns):
            raise ArgumentError("population", population, f"must be one N or one per n ({len(ns)})")
    if not (isinstance(step, (int, float)) and 0 < step <= 10):
        raise ArgumentError("step", step, "must be a number in (0, 10]")
    x = np.arange(0, 100 + step / 2, step)
    curves = [misrating_risk(x, k, N, bands=edges, rounding=rounding) for k, N in zip(ns, pops)]
    styles = ["-", "--", "-.", ":"]
    with mpl.rc_context(_RC):
        fig = Figure(figsize=(8, 4.8))
        ax = fig.add_axes((0.1, 0.2, 0.86, 0.68))
        if bands is None:
            _draw_zones(ax, rules, alpha=0.5)
        else:
            for e in edges:
                ax.axvline(e, color=_INK, linewidth=0.9, linestyle="--", zorder=1)
            ax.set_xlim(0, 100)
        for i, (k, N, risk) in enumerate(zip(ns, pops, curves)):
            ax.plot(x, risk, color=_INK if i == 0 else FLAG_COLOUR if i == 1 else "#0072B2",
                    linestyle=styles[i % len(styles)], linewidth=1.8, zorder=3,
                    label=f"n = {k}" + (f", N = {N:,}" if N is not None else ""))
        ax.set_ylim(0, 1.0)
        ax.set_yticks(np.linspace(0, 1, 6), [f"{t:.0%}" for t in np.linspace(0, 1, 6)])
        ax.set_ylabel("Risk of the wrong band")
        ax.set_xlabel("True % yes in the population")
        ax.legend(loc="upper right", frameon=True, framealpha=0.9, fontsize=8)
        fig.text(0.01, 0.02, "Exact " + ("hypergeometric" if any(N is not None for N in pops) else "binomial")
                 + f" probability that the published % ({rounding.replace('_', ' ')} rounding) falls in a "
                 "different band from the true %.", fontsize=8, color=_INK)
        fig.suptitle("Misrating risk against the true percentage", x=0.01, ha="left", fontsize=11)
    return _finish(fig, save)
