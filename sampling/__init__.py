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
    # inspection (a folder with inspection.toml)
    "Inspection": "_inspection",
    "InspectionSample": "_inspection",
    "load_inspection": "_inspection",
    "find_inspection": "_inspection",
    "init_inspection": "_inspection",
    "DEFAULT_SEED": "_inspection",
    # plan
    "sample_size": "_plan_sizes",
    "achieved_margin": "_plan_sizes",
    "implied_population": "_plan",
    "subsample_plan": "_plan",
    "misrating_risk": "_plan",
    "plan_table": "_plan",
    "band_probabilities": "_plan",
    "Plan": "_plan",
    # frame / allocate / draw
    "load_frame": "_frame",
    "Frame": "_frame",
    "VOCABULARY": "_frame",
    "allocate": "_allocate",
    "Allocation": "_allocate",
    "draw_sample": "_draw",
    "Sample": "_draw",
    "write_draw_workbook": "_drawfile",
    "write_draw_folder": "_drawfile",
    "read_draw": "_drawfile",
    "check_draw_matches": "_drawfile",
    "substitute_case": "_substitution",
    "verify_draw": "_substitution",
    "DrawCheck": "_substitution",
    "read_fieldwork": "_fieldwork",
    # framework / results / intervals / ratings
    "Framework": "_framework",
    "load_framework": "_framework",
    "available_frameworks": "_framework",
    "RatingRules": "_rules",
    "load_rules": "_rules",
    "load_results": "_results",
    "Results": "_results",
    "reconstruct_counts": "_results",
    "intervals": "_intervals",
    "bootstrap": "_intervals",
    "bootstrap_replicates": "_intervals",
    "proportion_interval": "_proportion",
    "Intervals": "_intervals",
    "Replicates": "_intervals",
    "rate": "_ratings",
    "breakdown": "_breakdown",
    "Breakdown": "_breakdown",
    "Assessment": "_assessment",
    "IntervalOptions": "_options",
    # compare (two inspections of one framework)
    "compare": "_compare",
    "Comparison": "_compare",
    # the national picture (several providers pooled)
    "pool": "_pool",
    "Pool": "_pool",
    "funnel_limits": "_pool_stats",
    # report (charts live in sampling.charts: forest, rating_probabilities, overall, ...)
    "write_report": "report",
    "ReportFiles": "report",
    # examples
    "seed_inspection": "examples",
    "seed_tables": "examples",
    "synthetic_frame": "examples",
    "synthetic_results": "examples",
    # design weights (stratum populations N_h known)
    "weighted_estimates": "_weights",
}

__all__ = ["__version__", "SamplingError", "ArgumentError", "DataError", "OutputError",
           *sorted(_EXPORTS)]




def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sampling' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
