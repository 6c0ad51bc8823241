"""Chart style shared by every figure: the band palette, fonts, zones, and atomic saving.

References
----------
.. [1] Nuñez, J. R., Anderton, C. R. & Renslow, R. S. (2018). Optimizing colormaps with
   consideration for color vision deficiency. *PLOS ONE* 13(7): e0199239.
.. [2] W3C (2018). Web Content Accessibility Guidelines (WCAG) 2.1, §1.4.3 (relative luminance).
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any, Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from .._utils._io import atomic_path
from ..errors import ArgumentError

__all__ = ["BAND_COLOURS", "ZONE_COLOURS", "ZONE_HATCHES", "FLAG_COLOUR", "MIN_FONT_SIZE", "INK", "GRID",
           "SAVE_FORMATS", "RC", "relative_luminance", "band_colours", "text_colour", "save", "finish",
           "draw_zones", "zone_hatches"]

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

INK = "#1a1a1a"
GRID = "#9a9a9a"
SAVE_FORMATS = ("png", "svg", "pdf")


RC = {
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


def band_colours(k: int, *, zone: bool = False) -> list[str]:
    """``k`` ordinal colours, worst to best, with strictly increasing luminance.

    Four bands use :data:`BAND_COLOURS` (or :data:`ZONE_COLOURS`); other counts sample
    cividis evenly (rules with more or fewer labels).

    Parameters
    ----------
    k : int
        Number of bands.
    zone : bool
        Light tints for background zones instead of solid fills.

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
        return list(ZONE_COLOURS if zone else BAND_COLOURS)
    cmap = mpl.colormaps["cividis"]
    cols = [np.asarray(cmap(x)[:3]) for x in np.linspace(0.05, 0.98, k)]
    if zone:
        cols = [0.45 * c + 0.55 for c in cols]
    return [mpl.colors.to_hex(c) for c in cols]


def text_colour(background: str) -> str:
    return "white" if relative_luminance(background) < 0.2 else "black"


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
        with mpl.rc_context(RC):
            bbox = tight_bbox(fig)  # computed once for every format (saves a draw per file)
            for tmp, fmt in zip(tmps, formats):
                fig.savefig(tmp, format=fmt, dpi=dpi, metadata=meta[fmt], bbox_inches=bbox,
                            facecolor="white")
    return tuple(targets)


def tight_bbox(fig: Figure, pad: float = 0.15):
    """The figure's tight bounding box in inches, padded (as ``bbox_inches="tight"`` would)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    renderer = canvas.get_renderer()
    bbox = fig.get_tightbbox(renderer)
    return bbox.padded(pad)


def finish(fig: Figure, save_to: str | os.PathLike | None) -> Figure:
    if save_to is not None:
        save(fig, save_to)
    return fig


def draw_zones(ax, rules, *, xlim: tuple[float, float] = (0.0, 100.0), alpha: float = 1.0) -> None:
    """Shade the key-question bands and draw each edge where the rules put it on the
    unrounded scale (``rules.effective_edges``: 49.5 for the 50% edge when the published
    whole-number % is banded), labelled with the published edge ("50%"), so a flagged
    interval visibly reaches its edge."""
    edges = [float(e) for e in rules.effective_edges]
    colours = band_colours(len(rules.labels), zone=True)
    hatches = zone_hatches(len(rules.labels))
    lo, hi = xlim
    bounds = [0.0, *edges, 100.0]
    for i, rating in enumerate(rules.labels):
        ax.axvspan(bounds[i], bounds[i + 1], facecolor=colours[i], edgecolor="#6b6b6b",
                   hatch=hatches[i], linewidth=0, zorder=0, gid=f"band-{i}", alpha=alpha)
        a, b = max(bounds[i], lo), min(bounds[i + 1], hi)
        if b > a:
            label = rating.replace(" ", "\n", 1) if len(rating) > 12 and b - a < 25 else rating
            ax.text((a + b) / 2, 1.005, label, ha="center", va="bottom",
                    fontsize=8, transform=blended_transform_factory(ax.transData, ax.transAxes),
                    color=INK)
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

