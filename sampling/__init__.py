"""inspection-sampling: plan, draw and analyse case-file inspection samples.

The pipeline runs one way, one subpackage per stage::

    design → plan → draw → (fieldwork) → results → estimation → rating → comparison → charts → report

Everything a notebook needs is importable from here, e.g. ``sampling.sample_size(668)``.
Names are loaded lazily so ``import sampling`` stays fast.
"""
from __future__ import annotations

import importlib

from ._utils._lazy import load_export
from .errors import ArgumentError, DataError, OutputError, SamplingError

# public name -> module that defines it (each stage adds its own line(s))
_EXPORTS = {
    # inspection (a folder with inspection.toml)
    "Inspection": "design._inspection",
    "InspectionSample": "design._inspection",
    "load_inspection": "design._inspection",
    "find_inspection": "design._inspection",
    "init_inspection": "design._inspection",
    "DEFAULT_SEED": "design._inspection",
    # plan
    "sample_size": "plan._sizes",
    "achieved_margin": "plan._sizes",
    "implied_population": "plan._plan",
    "subsample_plan": "plan._plan",
    "misrating_risk": "plan._plan",
    "plan_table": "plan._plan",
    "band_probabilities": "plan._plan",
    "Plan": "plan._plan",
    "change_sample_size": "plan._change",
    "ChangePlan": "plan._change",
    "detectable_change": "plan._change",
    # frame / allocate / draw
    "load_frame": "draw._frame",
    "Frame": "draw._frame",
    "VOCABULARY": "draw._frame",
    "allocate": "draw._allocate",
    "Allocation": "draw._allocate",
    "draw_sample": "draw._draw",
    "Sample": "draw._draw",
    "write_draw_workbook": "draw._drawfile",
    "write_draw_folder": "draw._drawfile",
    "read_draw": "draw._drawread",
    "check_draw_matches": "draw._drawread",
    "substitute_case": "draw._substitution",
    "verify_draw": "draw._substitution",
    "DrawCheck": "draw._substitution",
    "read_fieldwork": "results._fieldwork",
    "fieldwork_progress": "results._progress",
    "Progress": "results._progress",
    "design_statement": "results._statement",
    "design_statements": "results._statement",
    "DesignStatement": "results._statement",
    "survey_design": "results._design",
    "SurveyDesign": "results._design",
    # framework / results / intervals / ratings
    "Framework": "design._framework",
    "load_framework": "design._framework",
    "available_frameworks": "design._framework",
    "RatingRules": "design._rules",
    "load_rules": "design._rules",
    "load_results": "results._results",
    "Results": "results._results",
    "reconstruct_counts": "results._aggregate",
    "intervals": "estimation._intervals",
    "bootstrap": "estimation._intervals",
    "bootstrap_replicates": "estimation._intervals",
    "proportion_interval": "stats._proportion",
    "hypergeometric_exact_interval": "stats._hypergeometric",
    "hypergeometric_midp_interval": "stats._hypergeometric",
    "stratified_count_interval": "stats._stratified",
    "stratified_proportion_interval": "stats._stratified",
    "Intervals": "estimation._intervals",
    "Replicates": "estimation._intervals",
    "rate": "rating._ratings",
    "cases_to_settle": "rating._settle",
    "Settling": "rating._settle",
    "breakdown": "comparison._breakdown",
    "Breakdown": "comparison._breakdown",
    "Assessment": "rating._assessment",
    "IntervalOptions": "stats._options",
    # compare (two inspections of one framework)
    "compare": "comparison._compare",
    "Comparison": "comparison._compare",
    # the national picture (several providers pooled)
    "pool": "comparison._pool",
    "Pool": "comparison._pool",
    "funnel_limits": "stats._pool_stats",
    # report (charts live in sampling.charts: forest, rating_probabilities, overall, ...)
    "write_report": "report",
    "ReportFiles": "report",
    # examples
    "seed_inspection": "examples",
    "seed_tables": "examples",
    "synthetic_frame": "examples",
    "synthetic_results": "examples",
    # design weights (stratum populations N_h known)
    "weighted_estimates": "results._weights",
    # allocation choice: anticipated % yes per cell, planned margin of a stratified allocation
    "anticipated_yes": "results._anticipated",
    "stratified_margin": "plan._stratified",
    # export for other packages (R survey, SPSS, Stata)
    "export_design": "results._export",
}

__all__ = ["__version__", "SamplingError", "ArgumentError", "DataError", "OutputError",
           *sorted(_EXPORTS)]




#: public subpackages reachable as attributes
_SUBPACKAGES = ("charts", "report", "examples")


def _package_version() -> str:
    # read on first use: importlib.metadata alone takes a tenth of a second to load
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("inspection-sampling")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0.0.0+unknown"


def __getattr__(name: str):  # returns Any: the lazily loaded names have types of their own
    if name == "__version__":
        version = globals()["__version__"] = _package_version()
        return version
    if name in _SUBPACKAGES:  # sampling.charts.forest without importing sampling.charts first
        subpackage = importlib.import_module(f".{name}", __name__)
        globals()[name] = subpackage
        return subpackage
    return load_export(__name__, _EXPORTS, name, globals())


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS) | set(_SUBPACKAGES))
