"""The one registry of method names: sample-size methods and interval methods.

Every stage, the command line's ``choices`` and the error messages read the names from here,
so a method is added in one place.
"""
from __future__ import annotations

from typing import Any

from ..errors import ArgumentError

__all__ = ["ROUNDINGS", "PLAN_METHODS", "ANALYTIC", "FINITE", "BOOTSTRAP", "INTERVAL_METHODS", "ALIASES",
           "check_method", "method_name"]

#: Rounding rules for published percentages a set of rating rules may name.
ROUNDINGS = ("half_up", "half_even", "none")

#: Sample-size methods of :func:`sampling.sample_size`.
PLAN_METHODS = ("cochran", "exact")
#: Analytic proportion intervals (statsmodels' ``proportion_confint`` behind them).
ANALYTIC = ("wilson", "clopper-pearson", "jeffreys", "agresti-coull")
#: Finite-population intervals from the hypergeometric distribution (N must be known).
FINITE = ("hypergeometric", "hypergeometric-midp")
#: Case-bootstrap intervals.
BOOTSTRAP = ("bootstrap-percentile", "bootstrap-bca")
#: Every interval method, in display order.
INTERVAL_METHODS = ANALYTIC + FINITE + BOOTSTRAP

#: Other spellings accepted for interval methods (case-insensitive).
ALIASES = {"beta": "clopper-pearson", "exact": "clopper-pearson", "clopper_pearson": "clopper-pearson",
           "agresti_coull": "agresti-coull", "percentile": "bootstrap-percentile",
           "bca": "bootstrap-bca", "bootstrap_percentile": "bootstrap-percentile",
           "bootstrap_bca": "bootstrap-bca", "hypergeometric-exact": "hypergeometric",
           "hypergeometric_exact": "hypergeometric", "hypergeometric_midp": "hypergeometric-midp",
           "midp": "hypergeometric-midp", "mid-p": "hypergeometric-midp"}

_NAMES = {"wilson": "Wilson", "clopper-pearson": "Clopper–Pearson", "jeffreys": "Jeffreys",
          "agresti-coull": "Agresti–Coull", "bootstrap-percentile": "bootstrap percentile",
          "bootstrap-bca": "bootstrap BCa", "hypergeometric": "exact hypergeometric",
          "hypergeometric-midp": "mid-p hypergeometric", "cochran": "Cochran", "exact": "exact"}


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
    """The display name of a method ("bootstrap-bca" → "bootstrap BCa").

    >>> method_name("clopper-pearson")
    'Clopper–Pearson'
    """
    return _NAMES.get(str(method), str(method))
