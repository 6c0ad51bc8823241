"""inspection-sampling: plan, draw and analyse case-file inspection samples.

The pipeline runs one way, one module per stage::

    plan → frame → allocate → draw → (fieldwork) → results → intervals → ratings → charts

Everything a notebook needs is importable from here, e.g. ``sampling.sample_size(668)``.
Names are loaded lazily so ``import sampling`` stays fast.
"""
from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("inspection-sampling")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

from .errors import ArgumentError, DataError, OutputError, SamplingError

# public name -> module that defines it (each stage adds its own line(s))
_EXPORTS = {
    # plan
    "sample_size": "plan",
    "achieved_margin": "plan",
    "implied_population": "plan",
    "subsample_plan": "plan",
    "misrating_risk": "plan",
    "plan_table": "plan",
    "band_probabilities": "plan",
    "Plan": "plan",
    # frame / allocate / draw
    "load_frame": "frame",
    "Frame": "frame",
    "allocate": "allocate",
    "Allocation": "allocate",
    "draw_sample": "draw",
    "Sample": "draw",
    # framework / results / intervals / ratings
    "Framework": "framework",
    "RatingRules": "framework",
    "load_rules": "framework",
    "load_framework": "framework",
    "load_results": "results",
    "Results": "results",
    "reconstruct_counts": "results",
    "intervals": "intervals",
    "bootstrap": "intervals",
    "bootstrap_replicates": "intervals",
    "proportion_interval": "intervals",
    "Intervals": "intervals",
    "Replicates": "intervals",
    "rate": "ratings",
    "Assessment": "ratings",
    # report (charts live in sampling.charts: forest, rating_probabilities, overall, ...)
    "write_report": "report",
    "ReportFiles": "report",
    # examples
    "seed_inspection": "examples",
    "seed_tables": "examples",
    "synthetic_frame": "examples",
    "synthetic_results": "examples",
}

__all__ = ["__version__", "SamplingError", "ArgumentError", "DataError", "OutputError",
           *sorted(_EXPORTS)]


# Two stages share their module's name (sampling.allocate, sampling.intervals). Importing a
# submodule binds the package attribute to the module, so these two functions are bound
# eagerly, after their modules have loaded, and `sampling.allocate(...)` is the function.
from .allocate import allocate  # noqa: E402,F401 (re-exported)
from .intervals import intervals  # noqa: E402,F401 (re-exported)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sampling' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
