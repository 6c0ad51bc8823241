"""Chart style shared by every figure: the band palette, fonts, zones, and atomic saving.

References
----------
.. [1] Nuñez, J. R., Anderton, C. R. & Renslow, R. S. (2018). Optimizing colormaps with
   consideration for color vision deficiency. *PLOS ONE* 13(7): e0199239.
.. [2] W3C (2018). Web Content Accessibility Guidelines (WCAG) 2.1, §1.4.3 (relative luminance).
.. [3] Machado, G. M., Oliveira, M. M. & Fernandes, L. A. F. (2009). A physiologically-based
   model for simulation of color vision deficiency. *IEEE Transactions on Visualization and
   Computer Graphics* 15(6), 1291–1298.
"""
from __future__ import annotations

import contextlib
import os
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .._utils._io import atomic_path
from ..errors import ArgumentError
from ._canvas import MemoCanvas, MemoRenderer, memo_canvas
from ._colour import srgb_to_lab

if TYPE_CHECKING:
    from ..design._rules import RatingRules
    from matplotlib.typing import RcKeyType

__all__ = ["BAND_COLOURS", "ZONE_COLOURS", "ZONE_HATCHES", "FLAG_COLOUR", "MIN_FONT_SIZE", "INK", "GRID",
           "SAVE_FORMATS", "RC", "WIDTH", "relative_luminance", "band_colours", "text_colour", "save", "finish",
           "draw_zones", "zone_hatches", "chart_figure", "chart_subfigure", "wrap_text", "titled", "chart_title",
           "legend_and_note", "fit_height", "band_handles", "zone_label_pad"]

#: The one band palette, worst to best, used by every chart for solid fills and background
#: zones alike: cividis (Nuñez et al. 2018) at 0, 0.3, 0.65 and 1, each mixed with white to
#: CIELAB lightness 52, 66, 80 and 93, so black ink reads on every band and the order
#: survives greyscale. Checked in the tests under Machado et al.'s (2009) protanopia,
#: deuteranopia and tritanopia simulations: every pair stays at least 10 CIEDE2000 apart
#: and the lightness order holds.
BAND_COLOURS: tuple[str, ...] = ("#6a7e97", "#9ca0ac", "#cbc7b3", "#feee68")
#: The zones behind data use the band palette itself (one palette across all charts).
ZONE_COLOURS: tuple[str, ...] = BAND_COLOURS
#: Hatches of the zones: adjacent bands alternate plain and hatched.
ZONE_HATCHES: tuple[str, ...] = ("", "///", "", "...")
#: Flagged key questions (Okabe–Ito vermillion; also a distinct marker shape).
FLAG_COLOUR = "#D55E00"
#: Smallest font size (points) used anywhere.
MIN_FONT_SIZE = 8.0

INK = "#1a1a1a"
GRID = "#9a9a9a"
SAVE_FORMATS = ("png", "svg", "pdf")


RC: dict[RcKeyType, Any] = {
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


def relative_luminance(colour: Any) -> float:
    """WCAG 2.1 relative luminance of a matplotlib colour (0 = black, 1 = white).

    L = 0.2126 R + 0.7152 G + 0.0722 B on linearised sRGB channels
    (c ≤ 0.03928: c/12.92, else ((c + 0.055)/1.055)^2.4), W3C WCAG 2.1 §1.4.3.

    Parameters
    ----------
    colour : matplotlib colour

    Returns
    -------
    float

    References
    ----------
    .. [1] W3C (2018). Web Content Accessibility Guidelines (WCAG) 2.1, §1.4.3.
    """
    rgb = np.asarray(mpl.colors.to_rgb(colour))
    lin = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(lin @ np.array([0.2126, 0.7152, 0.0722]))


def band_colours(k: int) -> list[str]:
    """``k`` ordinal band colours, worst to best, with strictly increasing lightness.

    Four bands use :data:`BAND_COLOURS`; other counts sample cividis evenly, each mixed with
    white to a CIELAB lightness evenly spaced from 52 to 93 (rules with more or fewer labels).

    Parameters
    ----------
    k : int
        Number of bands.

    Returns
    -------
    list of str
        Hex colours.

    References
    ----------
    .. [1] Nuñez, J. R., Anderton, C. R. & Renslow, R. S. (2018). Optimizing colormaps with
       consideration for color vision deficiency. *PLOS ONE* 13(7): e0199239.
    """
    if k == 4:
        return list(BAND_COLOURS)
    cmap = mpl.colormaps["cividis"]
    return [_tint(np.asarray(cmap(x)[:3]), lightness)
            for x, lightness in zip(np.linspace(0.0, 1.0, k), np.linspace(52.0, 93.0, k))]


def _tint(rgb: np.ndarray, lightness: float) -> str:
    """``rgb`` mixed with white until its CIELAB lightness is ``lightness`` (bisection)."""
    lo, hi = 0.0, 1.0  # the colour's weight in the mix
    for _ in range(40):
        t = (lo + hi) / 2
        if srgb_to_lab([t * rgb + (1 - t)])[0, 0] > lightness:
            lo = t
        else:
            hi = t
    r, g, b = (float(v) for v in lo * rgb + (1 - lo))
    return mpl.colors.to_hex((r, g, b))


def text_colour(background: str) -> str:
    """White or black, whichever has the higher WCAG contrast ratio on ``background``."""
    lum = relative_luminance(background)
    return "white" if 1.05 / (lum + 0.05) > (lum + 0.05) / 0.05 else "black"


def save(fig: Figure, path_stem: str | os.PathLike, formats: Sequence[str] = ("png", "svg"), *,
         dpi: int = 200) -> tuple[Path, ...]:
    """Write ``fig`` as ``<path_stem>.png`` and ``<path_stem>.svg`` (or other ``formats``).

    Every file is rendered to a temporary file beside its target and renamed into place
    only when all formats have rendered, so a failure leaves no partial file behind
    (:func:`sampling._io.atomic_path`). PNG and SVG carry no timestamp. Returns the paths.

    Parameters
    ----------
    fig : Figure
    path_stem : path
        The file name without its extension.
    formats : sequence of str
        Any of "png", "svg", "pdf".
    dpi : int
        Resolution of raster formats.
    """
    if isinstance(formats, str):
        formats = (formats,)
    formats = tuple(str(f).lower().lstrip(".") for f in formats)
    bad = [f for f in formats if f not in SAVE_FORMATS]
    if bad or not formats:
        raise ArgumentError("formats", formats, f"must be one or more of {', '.join(SAVE_FORMATS)}")
    stem = Path(path_stem)
    targets = [stem.with_name(f"{stem.name}.{fmt}") for fmt in formats]
    meta = {"png": {"Software": None}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}
    with contextlib.ExitStack() as stack:
        tmps = [stack.enter_context(atomic_path(t)) for t in targets]
        with mpl.rc_context(RC), laid_out(fig, dpi) as bbox:
            for tmp, fmt in zip(tmps, formats):
                fig.savefig(tmp, format=fmt, dpi=dpi, metadata=meta[fmt], bbox_inches=bbox,
                            facecolor="white")
    return tuple(targets)


#: rc settings under which ``set_layout_engine(None)`` means no engine
_NO_AUTO_LAYOUT: dict[RcKeyType, Any] = {"figure.autolayout": False, "figure.constrained_layout.use": False}


@contextlib.contextmanager
def laid_out(fig: Figure, dpi: float, pad: float = 0.15):
    """Lay ``fig`` out once at ``dpi`` and yield its tight bounding box (inches, padded as
    ``bbox_inches="tight"`` would), with the layout engine off meanwhile, so that every
    format is drawn once from the same layout (``savefig`` would redo the layout and a
    measuring draw per file). The engine and the figure's dpi are restored afterwards."""
    canvas = memo_canvas(fig)
    engine, original_dpi = fig.get_layout_engine(), fig.dpi
    fig.dpi = dpi
    try:
        renderer = canvas.get_renderer()
        if engine is not None:
            _layout_and_check(fig, engine)
        bbox = fig.get_tightbbox(renderer).padded(pad)
        with mpl.rc_context(_NO_AUTO_LAYOUT):
            fig.set_layout_engine(None)
        yield bbox
    finally:
        with mpl.rc_context(_NO_AUTO_LAYOUT):
            fig.set_layout_engine(engine)
        fig.dpi = original_dpi


def finish(fig: Figure, save_to: str | os.PathLike | None) -> Figure:
    if save_to is not None:
        save(fig, save_to)
    return fig


def draw_zones(ax, rules, *, xlim: tuple[float, float] = (0.0, 100.0)) -> None:
    """Shade the key-question bands and draw each edge where the rules put it on the
    unrounded scale (``rules.effective_edges``: 49.5 for the 50% edge when the published
    whole-number % is banded), labelled with the published edge ("50%"), so a flagged
    interval visibly reaches its edge."""
    edges = [float(e) for e in rules.effective_edges]
    colours = band_colours(len(rules.labels))
    hatches = zone_hatches(len(rules.labels))
    lo, hi = xlim
    bounds = [0.0, *edges, 100.0]
    for i, rating in enumerate(rules.labels):
        ax.axvspan(bounds[i], bounds[i + 1], facecolor=colours[i], edgecolor="#6b6b6b",
                   hatch=hatches[i], linewidth=0, zorder=0, gid=f"band-{i}")
        a, b = max(bounds[i], lo), min(bounds[i + 1], hi)
        if b > a:
            label = rating.replace(" ", "\n", 1) if len(rating) > 12 and b - a < 25 else rating
            ax.annotate(label, ((a + b) / 2, 1.0), xycoords=("data", "axes fraction"), xytext=(0, 2),
                        textcoords="offset points", ha="center", va="bottom", fontsize=8, color=INK)
    shown = dict(zip(edges, (float(e) for e in rules.kq_edges)))  # where drawn -> the published edge
    for edge, published in shown.items():
        ax.axvline(edge, color=INK, linewidth=0.9, linestyle="--", zorder=1, gid=f"edge-{published:g}")
    ticks = sorted({lo, hi, *(e for e in edges if lo <= e <= hi)})
    ax.set_xticks(ticks, [f"{shown.get(t, t):g}%" for t in ticks])
    ax.set_xlim(lo, hi)


def zone_hatches(k: int) -> list[str]:
    if k == 4:
        return list(ZONE_HATCHES)
    return ["" if i % 2 == 0 else "///" for i in range(k)]



# --------------------------------------------------------------------------- layout
#: Figure width (inches) of the charts a function makes itself.
WIDTH = 10.0


def chart_figure(ax: Any, size: tuple[float, float]) -> tuple[Figure, Axes, bool]:
    """The figure, the axes and whether the chart owns the figure: the caller's ``ax`` (the
    root figure of its (sub)figure), or a new constrained-layout figure of ``size``."""
    if ax is None:
        fig = Figure(figsize=size, layout="constrained")
        MemoCanvas(fig)
        return fig, fig.add_subplot(), True
    if not isinstance(ax, mpl.axes.Axes):
        raise ArgumentError("ax", type(ax).__name__, "must be a matplotlib Axes (or left out)")
    return _root(ax), ax, False


def _root(artist: Any) -> Figure:
    """The root figure of an axes or a (sub)figure."""
    root = artist.get_figure(root=True)
    assert isinstance(root, Figure)
    return root


def chart_subfigure(fig: Any, size: tuple[float, float]) -> tuple[Figure, Any, bool]:
    """The root figure, the (sub)figure to draw panels in, and whether the chart owns it."""
    if fig is None:
        new = Figure(figsize=size, layout="constrained")
        MemoCanvas(new)
        return new, new, True
    if not isinstance(fig, mpl.figure.FigureBase):
        raise ArgumentError("fig", type(fig).__name__, "must be a matplotlib Figure or SubFigure (or left out)")
    return _root(fig), fig, False


def _measurer(dpi: float = 72.0) -> MemoRenderer:
    return MemoRenderer(10, 10, dpi)


def wrap_text(text: str, width_in: float, fontsize: float) -> str:
    """``text`` with its lines broken between words so that none is wider than ``width_in``
    inches at ``fontsize`` (measured with the Agg renderer; a single longer word stays).

    Each line takes the most words that fit, found by bisection: a line's width never
    shrinks as words are added, so this is the greedy word-by-word fill with a few
    measurements per line instead of one per word."""
    measure = _measurer()
    prop = mpl.font_manager.FontProperties(size=fontsize)
    limit = 72.0 * width_in * 0.97  # a margin for hinting at other resolutions

    def fits(words: list[str]) -> bool:
        return measure.get_text_width_height_descent(" ".join(words), prop, ismath=False)[0] <= limit

    out = []
    for para in str(text).split("\n"):
        words = para.split(" ")
        start = 0
        while True:
            while start < len(words) and not words[start]:
                start += 1  # a line never starts with a space
            if start == len(words):
                out.append("")
                break
            lo, hi = start + 1, len(words)  # words[start:lo] fits (one word always stays)
            if not fits(words[start:hi]):
                while hi - lo > 1:
                    mid = (lo + hi) // 2
                    lo, hi = (mid, hi) if fits(words[start:mid]) else (lo, mid)
                hi = lo
            out.append(" ".join(words[start:hi]))
            if hi >= len(words):
                break
            start = hi
    return "\n".join(out)


def titled(provider: Any, what: str) -> str:
    """A chart title naming the provider first, when there is one."""
    who = str(provider).strip() if provider is not None else ""
    return f"{who}: {what}" if who else what


def chart_title(target: Any, text: str, *, owned: bool, pad: float = 6.0) -> None:
    """The title: wrapped to the width of the figure the chart owns (a left-aligned figure
    title), else to the caller's axes (its left-aligned axes title) or (sub)figure."""
    if isinstance(target, mpl.axes.Axes) and not owned:
        # the caller's layout may still shrink the axes: wrap to 80% of its width now
        width = 0.8 * target.get_position().width * _root(target).get_figwidth()
        target.set_title(wrap_text(text, max(width, 1.5), 10), loc="left", fontsize=10, pad=pad)
        return
    fig = target.get_figure(root=False) if isinstance(target, mpl.axes.Axes) else target
    assert fig is not None
    width = fig.bbox.width / _root(fig).dpi
    fig.suptitle(wrap_text(text, width - 0.3, 11), x=0.01, ha="left", fontsize=11)


def legend_and_note(ax: Any, handles: Sequence[Any], note: str | None, *, owned: bool, ncol: int = 4,
                    fontsize: float = 8.0) -> None:
    """A legend and a footnote under ``ax``'s x axis, aligned with its tick labels' left edge,
    the legend in as many of ``ncol`` columns as fit the width, the note wrapped to it."""
    from matplotlib.transforms import ScaledTranslation

    root = _root(ax)
    measure = _measurer(root.dpi)
    box = ax.get_window_extent(measure)
    xaxis = ax.xaxis.get_tightbbox(measure)
    yaxis = ax.yaxis.get_tightbbox(measure)
    down = (box.y0 - xaxis.y0) * 72 / root.dpi + 6 if xaxis is not None else 6.0
    left = max(0.0, (box.x0 - yaxis.x0) * 72 / root.dpi) if yaxis is not None else 0.0
    width = (root.get_figwidth() - 0.4) if owned else 0.8 * (box.width * 72 / root.dpi + left) / 72
    at = ax.transAxes + ScaledTranslation(-left / 72, -down / 72, root.dpi_scale_trans)
    height = 0.0
    if handles:
        for cols in range(max(1, ncol), 0, -1):
            legend = ax.legend(handles=list(handles), loc="upper left", bbox_to_anchor=(0, 0), bbox_transform=at,
                               ncol=cols, frameon=False, fontsize=fontsize, borderaxespad=0, borderpad=0)
            extent = legend.get_window_extent(measure)
            if extent.width * 72 / root.dpi <= 72 * width or cols == 1:
                break
        height = extent.height * 72 / root.dpi + 5
    if note:
        ax.text(0, 0, wrap_text(note, width, fontsize), transform=at + ScaledTranslation(0, -height / 72,
                root.dpi_scale_trans), ha="left", va="top", fontsize=fontsize, color=INK, clip_on=False)


#: Figures :func:`fit_height` resized whose new height is still to be checked: figure →
#: (its axes, the inches they should fill). :func:`laid_out` checks when it lays the figure out.
_UNCHECKED: weakref.WeakKeyDictionary[Figure, tuple[tuple[Any, ...], float]] = weakref.WeakKeyDictionary()


def fit_height(fig: Figure, axes: Sequence[Any], plot_in: float) -> None:
    """Set the height of a figure the chart owns so that, after its constrained layout, its
    axes together are ``plot_in`` inches tall: the data get their room, and no more.

    One layout measures the room the margins take (titles, tick labels, legend and notes:
    lengths fixed in points, whatever the height), and the figure is resized by the
    difference (when the axes miss ``plot_in`` by 0.02 in or more). The new height is
    checked by the next layout the figure needs anyway, the one :func:`save` makes at the
    saving resolution (:func:`laid_out`): text measured there differs by a few hundredths
    of an inch, so only a miss of :data:`_RECHECK_IN` or more (a layout that did not follow
    the height, such as ticks chosen by the axes' length) is resized again, twice at most."""
    engine = fig.get_layout_engine()
    assert engine is not None, "fit_height is for the figures a chart makes (constrained layout)"
    engine.execute(fig)
    if _refit(fig, tuple(axes), plot_in):
        _UNCHECKED[fig] = (tuple(axes), plot_in)
    else:
        _UNCHECKED.pop(fig, None)


#: Inches by which the axes may miss their height in the saving layout before it is refitted.
_RECHECK_IN = 0.1


def _refit(fig: Figure, axes: tuple[Any, ...], plot_in: float, tolerance: float = 0.02) -> bool:
    """After a layout: resize ``fig`` if its axes miss ``plot_in`` inches by ``tolerance`` or
    more (True), else False."""
    have = sum(a.get_position().height for a in axes) * fig.get_figheight()
    if abs(have - plot_in) < tolerance:
        return False
    fig.set_size_inches(fig.get_figwidth(), max(fig.get_figheight() + plot_in - have, 1.0))
    return True


def _layout_and_check(fig: Figure, engine: Any) -> None:
    """Run the layout engine, and, for a height :func:`fit_height` set, check it (resizing
    and laying out again, twice at most)."""
    engine.execute(fig)
    pending = _UNCHECKED.pop(fig, None)
    if pending is not None:
        for _ in range(2):
            if not _refit(fig, *pending, tolerance=_RECHECK_IN):
                break
            engine.execute(fig)


def band_handles(rules: RatingRules) -> list:
    """Legend entries of the band zones (colour and hatch), worst to best."""
    k = len(rules.labels)
    return [mpl.patches.Patch(facecolor=c, edgecolor="#6b6b6b", hatch=h, linewidth=0, label=lab)
            for c, h, lab in zip(band_colours(k), zone_hatches(k), rules.labels)]


def zone_label_pad(rules: RatingRules) -> float:
    """Points between an axes and its title that the band names above the axes need."""
    two_lines = any(len(lab) > 12 for lab in rules.labels)
    return 24.0 if two_lines else 14.0
