"""Argument checks shared by every stage. Each raises :class:`ArgumentError` naming the
argument and its value, so no bad value travels deep into numpy or pandas."""
from __future__ import annotations

import math
import numbers
import os
from typing import Any, Literal, Mapping, cast, overload

import numpy as np

from ..errors import ArgumentError, DataError

__all__ = [
    "check_confidence_level",
    "check_fraction",
    "check_population",
    "check_count",
    "check_memory",
    "MAX_CASES",
    "MAX_SEED",
    "check_rng",
    "check_bool",
    "check_populations",
    "as_bool",
]


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_confidence_level(value: Any, name: str = "confidence_level") -> float:
    """A two-sided confidence level strictly between 0 and 1."""
    if not _is_real(value) or not np.isfinite(value) or not 0 < value < 1:
        hint = f": a fraction, not a percentage ({value / 100:g} for {value:g}%)" if (
            _is_real(value) and np.isfinite(value) and 1 < value < 100) else " (e.g. 0.8)"
        raise ArgumentError(name, value, f"must be a number strictly between 0 and 1{hint}")
    return float(value)


def check_fraction(value: Any, name: str, *, low_open: bool = True, high_open: bool = True) -> float:
    """A number in (0, 1), [0, 1], (0, 1] or [0, 1) as the flags say."""
    ok = _is_real(value) and np.isfinite(value)
    if ok:
        ok = (value > 0 if low_open else value >= 0) and (value < 1 if high_open else value <= 1)
    if not ok:
        lo = "(" if low_open else "["
        hi = ")" if high_open else "]"
        raise ArgumentError(name, value, f"must be a number in {lo}0, 1{hi}")
    return float(value)


#: no eligible population (or count of cases) is larger than this: a bigger number is a typo
MAX_CASES = 10 ** 9
#: the largest seed (numpy's SeedSequence takes 128 bits of entropy)
MAX_SEED = 2 ** 128 - 1


def check_count(value: Any, name: str, *, minimum: int = 1, maximum: int | None = MAX_CASES) -> int:
    """A whole number from ``minimum`` to ``maximum`` (by default :data:`MAX_CASES`, so no
    count reaches an allocation unbounded; floats such as 132.0 are accepted; 1.5, 10**30,
    NaN and booleans are not)."""
    whole = f"must be a whole number ≥ {minimum:,}" + ("" if maximum is None else f" and ≤ {maximum:,}")
    if isinstance(value, bool) or not _is_real(value):
        raise ArgumentError(name, value, whole)
    try:
        ok = math.isfinite(float(value)) and int(value) == value
    except OverflowError:
        ok = False
    if not ok or value < minimum or (maximum is not None and value > maximum):
        raise ArgumentError(name, value, whole)
    return int(value)


def check_population(value: Any, name: str = "population") -> int | None:
    """``None`` (an infinite population) or a whole number from 1 to :data:`MAX_CASES`."""
    if value is None:
        return None
    return check_count(value, name, minimum=1, maximum=MAX_CASES)


def check_memory(n_bytes: float, what: str, name: str, value: Any) -> None:
    """Refuse, before any work, a request whose arrays would need more than half the
    machine's physical memory (or 16 GiB where that cannot be read), saying how much."""
    try:
        limit = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        limit = 16 * 2 ** 30
    if n_bytes > limit:
        raise ArgumentError(name, value, f"would need about {n_bytes / 2 ** 30:,.1f} GiB of memory for {what} "
                            f"(this machine allows {limit / 2 ** 30:,.1f} GiB); ask for less")


def check_rng(rng: Any, name: str = "rng") -> np.random.Generator:
    """An int seed, a numpy ``SeedSequence``/``Generator``, or None → a Generator.

    ``None`` gives fresh OS entropy (not reproducible); pass a seed to reproduce a result.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool) and int(rng) > MAX_SEED:
        raise ArgumentError(name, rng, f"must be a whole number from 0 to {MAX_SEED:,}: a seed "
                            "is a label for one draw, e.g. 2019")
    if rng is None or isinstance(rng, (np.random.SeedSequence,)) or (
        isinstance(rng, numbers.Integral) and not isinstance(rng, bool) and int(rng) >= 0
    ):
        # an Integral here is an int or a numpy integer (the registered ones), both valid seeds
        return np.random.default_rng(cast("int | np.integer[Any] | np.random.SeedSequence | None", rng))
    raise ArgumentError(name, rng, "must be a non-negative int seed or a numpy Generator")


@overload
def check_bool(value: Any, name: str, *, allow_none: Literal[False] = False) -> bool: ...
@overload
def check_bool(value: Any, name: str, *, allow_none: bool) -> bool | None: ...
def check_bool(value: Any, name: str, *, allow_none: bool = False) -> bool | None:
    """``value`` if it is True or False (or None when ``allow_none``), else :class:`ArgumentError`.

    >>> check_bool(True, "partial")
    True
    """
    if allow_none and value is None:
        return None
    if not isinstance(value, (bool, np.bool_)):
        allowed = "None, True or False" if allow_none else "True or False"
        raise ArgumentError(name, value, f"must be {allowed}")
    return bool(value)


_TRUE = ("true", "yes", "y", "1", "1.0")
_FALSE = ("false", "no", "n", "0", "0.0", "", "nan", "none")


def as_bool(value: Any, *, column: str, row: Any) -> bool:
    """A true/false cell of a table (true/yes/y/1 or false/no/n/0/blank), else :class:`DataError`
    naming the column and row.

    >>> as_bool("Yes", column="relevant_subsample", row=2), as_bool(False, column="x", row=3)
    (True, False)
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    key = str(value).strip().casefold()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise DataError("expected true/false", column=column, rows=(row,), values=(value,))


def check_populations(population: Any, sizes: Mapping[str, int], *,
                 base: Mapping[str, int] | None = None) -> dict[str, int]:
    """N per sample: ``population`` (None, an int for every sample, or {sample: N or None})
    applied over ``base`` (the populations already known; a None value in a mapping removes
    that sample's N), checked against the sample sizes."""
    pops = dict(base or {})
    if isinstance(population, Mapping):
        unknown = [str(k) for k in population if str(k) not in sizes]
        if unknown:
            raise DataError("population names samples that the results do not have", values=unknown,
                            hint=f"Samples: {', '.join(sizes)}.")
        for k, v in population.items():
            if v is None:
                pops.pop(str(k), None)
            else:
                pops[str(k)] = check_count(v, f"population[{str(k)!r}]", minimum=1, maximum=MAX_CASES)
    elif population is not None:
        value = check_count(population, "population", minimum=1, maximum=MAX_CASES)
        pops = {s: value for s in sizes}
    for s, N in pops.items():
        if s in sizes and N < sizes[s]:
            raise DataError(f"population N={N} of sample {s!r} is smaller than its n={sizes[s]}",
                            column="population", values=(s, N, sizes[s]),
                            hint="N is the eligible population the sample was drawn from; it must be ≥ n.")
    return pops
