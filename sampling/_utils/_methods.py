"""The one registry of method names: sample-size methods and interval methods.

Every stage, the command line's ``choices`` and the error messages read the names from here,
so a method is added in one place.
"""
from __future__ import annotations

from typing import Any

from ..errors import ArgumentError

__all__ = ["ROUNDINGS", "PLAN_METHODS", "ANALYTIC", "HYPERGEOMETRIC", "STRATIFIED", "FINITE", "BOOTSTRAP", "AUTO",
           "AUTO_KNOWN", "AUTO_WEIGHTED", "AUTO_UNKNOWN",
           "DEFAULT_METHOD", "INTERVAL_METHODS", "ALIASES", "check_method", "method_name", "resolve_method", "used_method"]

#: Rounding rules for published percentages a set of rating rules may name.
ROUNDINGS = ("half_up", "half_even", "none")

#: Sample-size methods of :func:`sampling.sample_size`.
PLAN_METHODS = ("cochran", "exact")
#: Analytic proportion intervals (statsmodels' ``proportion_confint`` behind them).
ANALYTIC = ("wilson", "clopper-pearson", "jeffreys", "agresti-coull")
#: Finite-population intervals from the hypergeometric distribution (N must be known).
HYPERGEOMETRIC = ("hypergeometric", "hypergeometric-midp")
#: The stratified finite-population interval: mid-quantiles of the exact posterior of the
#: population count, each stratum cell's unseen cases beta-binomial (the Pólya urn's form,
#: matched to the design variance) given its N_h (:mod:`sampling.stats._stratified`); on a row
#: without N_h, the sample is one cell of its N.
STRATIFIED = "stratified-finite"
#: Every interval method that needs the population N.
FINITE = HYPERGEOMETRIC + (STRATIFIED,)
#: Case-bootstrap intervals.
BOOTSTRAP = ("bootstrap-percentile", "bootstrap-bca")
#: The default interval method: each key question's interval is resolved by
#: :func:`resolve_method` — mid-p hypergeometric where the population is known, the stratified
#: finite-population interval for a design-weighted row, else Wilson.
AUTO = "auto"
#: What ``"auto"`` becomes for a simple random sample whose population N is known …
AUTO_KNOWN = "hypergeometric-midp"
#: … for a design-weighted row with unequal weights (stratum populations N_h known and in use) …
AUTO_WEIGHTED = STRATIFIED
#: … and where N is unknown (or not used).
AUTO_UNKNOWN = "wilson"
#: The interval method every stage uses unless told otherwise.
DEFAULT_METHOD = AUTO
#: Every interval method, in display order.
INTERVAL_METHODS = (AUTO,) + ANALYTIC + FINITE + BOOTSTRAP

#: Other spellings accepted for interval methods (case-insensitive).
ALIASES = {"beta": "clopper-pearson", "exact": "clopper-pearson", "clopper_pearson": "clopper-pearson",
           "agresti_coull": "agresti-coull", "percentile": "bootstrap-percentile",
           "bca": "bootstrap-bca", "bootstrap_percentile": "bootstrap-percentile",
           "bootstrap_bca": "bootstrap-bca", "hypergeometric-exact": "hypergeometric",
           "hypergeometric_exact": "hypergeometric", "hypergeometric_midp": "hypergeometric-midp",
           "midp": "hypergeometric-midp", "mid-p": "hypergeometric-midp", "default": AUTO,
           "stratified": STRATIFIED, "stratified_finite": STRATIFIED,
           "stratified-finite-population": STRATIFIED}

_NAMES = {"wilson": "Wilson", "clopper-pearson": "Clopper–Pearson", "jeffreys": "Jeffreys",
          "agresti-coull": "Agresti–Coull", "bootstrap-percentile": "bootstrap percentile",
          "bootstrap-bca": "bootstrap BCa", "hypergeometric": "exact hypergeometric",
          "hypergeometric-midp": "mid-p hypergeometric", "cochran": "Cochran", "exact": "exact",
          STRATIFIED: "stratified finite-population",
          AUTO: "auto (mid-p hypergeometric where the population is known, stratified finite-population "
                "where stratum populations are, else Wilson)"}


def check_method(method: Any, allowed: tuple[str, ...] = INTERVAL_METHODS, *, name: str = "method",
                 aliases: bool = True) -> str:
    """The canonical name of ``method`` if it is one of ``allowed``, else :class:`ArgumentError`.

    Names are matched case-insensitively; with ``aliases`` the spellings in :data:`ALIASES`
    are accepted too.

    >>> check_method("Clopper-Pearson")
    'clopper-pearson'
    >>> check_method("bca")
    'bootstrap-bca'
    >>> check_method("exact", PLAN_METHODS, aliases=False)
    'exact'
    """
    key = method.strip().casefold() if isinstance(method, str) else method
    if aliases and isinstance(key, str):
        key = ALIASES.get(key, key)
    if key not in allowed:
        raise ArgumentError(name, method, f"must be one of: {', '.join(allowed)}")
    return key


def method_name(method: str) -> str:
    """The display name of a method ("bootstrap-bca" → "bootstrap BCa"); of the methods an
    ``"auto"`` table used, joined by "+" (:func:`used_method`), each part's name.

    >>> method_name("clopper-pearson")
    'Clopper–Pearson'
    >>> method_name("hypergeometric-midp+wilson")
    'mid-p hypergeometric (population known) + Wilson'
    """
    method = str(method)
    if "+" in method:
        parts = method.split("+")
        return " + ".join(_NAMES.get(m, m) + (" (population known)" if m in HYPERGEOMETRIC else "") for m in parts)
    return _NAMES.get(method, method)


def resolve_method(method: str, known, weighted=None):
    """The interval method each row uses, as an object array: ``method`` itself, except that
    :data:`AUTO` (the default) becomes :data:`AUTO_KNOWN` (mid-p hypergeometric) where the
    row's population N is known and its sample is not design-weighted with unequal weights,
    :data:`AUTO_WEIGHTED` (the stratified finite-population interval) where it is known and the
    sample is design-weighted with unequal weights, else :data:`AUTO_UNKNOWN` (Wilson; on the
    Korn–Graubard effective sample for a design-weighted row whose N is not in use).

    The one place the default is decided. The rule comes from exact enumeration over every
    true count (``benchmarks/fpc_enumeration.py``): at N = 56 and 79 the mid-p interval keeps
    mean coverage within 79–83% with fewer truths under 75% than Wilson + FPC and is
    narrower; from N = 668 up the two agree. For a design-weighted row the simulation of
    ``benchmarks/stratified_fpc.py`` (12 stratified designs, 144 truths) picks the stratified
    finite-population interval: mean coverage within 79–83% where the Korn–Graubard Wilson
    interval falls below 79, far fewer truths under 75%, and narrower. A stratified sample with
    proportional allocation is self-weighting: pass ``weighted`` False for it.

    Parameters
    ----------
    method : str
        A canonical method name (:func:`check_method`).
    known : bool array
        Whether each row's population N is known and in use.
    weighted : bool array, optional
        Whether each row's sample is design-weighted with unequal weights.

    >>> resolve_method("auto", [True, False]).tolist()
    ['hypergeometric-midp', 'wilson']
    >>> resolve_method("auto", [True, True, False], [False, True, True]).tolist()
    ['hypergeometric-midp', 'stratified-finite', 'wilson']
    >>> resolve_method("wilson", [True, False]).tolist()
    ['wilson', 'wilson']
    """
    import numpy as np

    known = np.asarray(known, dtype=bool)
    if method != AUTO:
        return np.full(known.shape, method, dtype=object)
    unequal = np.zeros(known.shape, dtype=bool) if weighted is None else np.asarray(weighted, dtype=bool)
    return np.where(known & ~unequal, AUTO_KNOWN, np.where(known, AUTO_WEIGHTED, AUTO_UNKNOWN)).astype(object)


def used_method(methods) -> str:
    """One name for the methods a table's rows used: the method when they share one, else the
    distinct methods joined by "+", the hypergeometric ones first, else in order of first use
    ("hypergeometric-midp+wilson").

    >>> used_method(["wilson", "wilson"])
    'wilson'
    >>> used_method(["wilson", "hypergeometric-midp", "wilson"])
    'hypergeometric-midp+wilson'
    """
    distinct = sorted(dict.fromkeys(str(m) for m in methods if isinstance(m, str)), key=lambda m: m not in FINITE)
    return "+".join(distinct) if distinct else AUTO_UNKNOWN
