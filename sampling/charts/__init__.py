"""Report figures: uncertainty made visible.

Every function returns a :class:`matplotlib.figure.Figure` built with matplotlib's object
API (no pyplot state, so nothing leaks between calls and any backend, including
``matplotlib.use("Agg")``, works), draws into the caller's axes with ``ax=`` (or figure or
subfigure with ``fig=``, for :func:`overall` and :func:`balance`, which draw one panel per
item), and accepts ``save=PATH_STEM`` to write PNG and SVG atomically (see :func:`save`).
Without ``ax=``/``fig=`` a chart makes its own figure, sized to its content, with a
constrained layout; its title names the provider and wraps to the figure. The figures live in private modules
of this package (``_assessment``, ``_planning``, … with the shared style in ``_style``);
this package is their public namespace.

* :func:`forest` — each key question's % yes and its interval against the rating bands;
* :func:`subgroup_forest` — a breakdown's key questions per subgroup, against the bands;
* :func:`rating_probabilities` — per standard, the probability of each rating;
* :func:`overall` — the distribution of the overall score per basis, with its bands;
* :func:`balance` — population against sample shares for each stratification variable;
* :func:`planning_curve` — sample size n against population N, with an inspection's samples;
* :func:`misrating_curve` — the chance a sample of n puts a key question in the wrong band;
* :func:`dumbbell` — two inspections' % per key question (before and after) against the bands;
* :func:`funnel` — providers' % against sample size around the national %, with control limits.

Design choices, for readers in print and on screen:

* the rating bands are one palette in every chart, zones and bars alike (:data:`BAND_COLOURS`):
  cividis (Nuñez, Anderton & Renslow 2018, "Optimizing colormaps with consideration for color
  vision deficiency", PLOS ONE 13(7): e0199239) mixed with white to CIELAB lightness 52, 66,
  80 and 93, dark = worst, light = best, so the order survives greyscale printing and black
  ink reads on every band; under Machado et al.'s (2009) simulations of protanopia,
  deuteranopia and tritanopia every pair stays at least 10 CIEDE2000 apart (checked in the
  tests); adjacent band zones alternate plain and hatched fills;
* probability axes run from 0 to 1; strata are named as the frame's export names them;
* every text is at least 8 pt at the saved size; no case identifier is ever drawn;
* SVG keeps text as text (searchable, editable) and is written without a timestamp, so a
  figure rebuilt from the same inputs is byte-identical.
"""
from __future__ import annotations

from .._utils._lazy import load_export

# public name -> the private module that defines it; loaded when first used, so a caller
# of one chart (the report) does not import what the others need (comparisons, pools)
_EXPORTS = {
    "forest": "_assessment", "overall": "_assessment", "rating_probabilities": "_assessment",
    "subgroup_forest": "_breakdown",
    "dumbbell": "_compare",
    "balance": "_planning", "misrating_curve": "_planning", "planning_curve": "_planning",
    "funnel": "_pool",
    **{name: "_style" for name in ("BAND_COLOURS", "FLAG_COLOUR", "MIN_FONT_SIZE", "SAVE_FORMATS", "ZONE_COLOURS",
                                   "ZONE_HATCHES", "band_colours", "relative_luminance", "save")},
}

__all__ = [
    "BAND_COLOURS",
    "ZONE_COLOURS",
    "ZONE_HATCHES",
    "FLAG_COLOUR",
    "MIN_FONT_SIZE",
    "SAVE_FORMATS",
    "relative_luminance",
    "band_colours",
    "forest",
    "subgroup_forest",
    "rating_probabilities",
    "overall",
    "balance",
    "planning_curve",
    "misrating_curve",
    "dumbbell",
    "funnel",
    "save",
]


def __getattr__(name: str):
    return load_export(__name__, _EXPORTS, name, globals())


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
