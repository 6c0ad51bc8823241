"""The interval and resampling options an analysis is run with, validated once."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._utils._checks import check_bool, check_confidence_level, check_count, check_rng
from .._utils._methods import DEFAULT_METHOD, check_method

__all__ = ["IntervalOptions"]


@dataclass(frozen=True)
class IntervalOptions:
    """How key-question intervals and bootstrap replicates are computed.

    Attributes
    ----------
    method : str
        An interval method (see :data:`sampling._utils._methods.INTERVAL_METHODS`); default
        ``"auto"``: mid-p hypergeometric where the population is known, else Wilson
        (:func:`sampling._utils._methods.resolve_method`).
    confidence_level : float
        Two-sided, in (0, 1); default 0.8.
    population : None, int or {sample: N}
        Eligible population(s), for the finite population correction.
    finite_population : bool or None
        None: correct wherever N is known; True: require N; False: never correct.
    n_resamples : int
        Bootstrap replicates (also for the rating probabilities).
    rng : int, Generator or None
        Seed; one generator serves intervals and replicates, so a seed reproduces everything.

    Examples
    --------
    >>> IntervalOptions(method="bca", n_resamples=2000).method
    'bootstrap-bca'
    """

    method: str = DEFAULT_METHOD
    confidence_level: float = 0.8
    population: Any = None
    finite_population: bool | None = None
    n_resamples: int = 10_000
    rng: Any = None

    def __post_init__(self):
        object.__setattr__(self, "method", check_method(self.method))
        object.__setattr__(self, "confidence_level", check_confidence_level(self.confidence_level))
        object.__setattr__(self, "finite_population",
                           check_bool(self.finite_population, "finite_population", allow_none=True))
        object.__setattr__(self, "n_resamples", check_count(self.n_resamples, "n_resamples", minimum=1))

    def generator(self) -> np.random.Generator:
        """The generator the options' ``rng`` names (the same object if it is a Generator)."""
        return check_rng(self.rng)

    def design_kwargs(self) -> dict:
        """Keyword arguments of :func:`sampling.survey_design` (the population options)."""
        return dict(population=self.population, finite_population=self.finite_population)

    def interval_kwargs(self, rng: np.random.Generator) -> dict:
        """Keyword arguments of :func:`sampling.intervals` of a survey design, with this
        generator."""
        return dict(method=self.method, confidence_level=self.confidence_level, n_resamples=self.n_resamples,
                    rng=rng)

    def replicate_kwargs(self, rng: np.random.Generator) -> dict:
        """Keyword arguments of :func:`sampling.bootstrap_replicates` of a survey design,
        with this generator."""
        return dict(n_resamples=self.n_resamples, rng=rng)
