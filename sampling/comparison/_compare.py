"""Two inspections of one framework side by side: a re-inspection, or two providers.

:func:`compare` gives, per key question, the difference in percentage points (second minus
first) with an interval for two independent samples, and per standard the two rule ratings
and how often independent re-samplings of the two inspections give different ratings.

Method
------
**Difference interval.** Newcombe's hybrid score interval (Newcombe 1998, method 10): with
p̂₁, p̂₂ the two proportions and (l₁, u₁), (l₂, u₂) their Wilson limits, the interval for
d = p₂ − p₁ is

    ( d̂ − √((p̂₂ − l₂)² + (u₁ − p̂₁)²),  d̂ + √((u₂ − p̂₂)² + (p̂₁ − l₁)²) ).

It is statsmodels' ``confint_proportions_2indep(method="newcomb")`` (with the sign turned:
statsmodels gives p₁ − p₂). When a side's eligible population is known, that side's Wilson
limits are the finite-population-corrected ones of :func:`~sampling.proportion_interval`
(each distance from p̂ times √((N − n)/(N − 1)), Cochran 1977 §3.3), combined the same way,
so the interval narrows by the correction; a relevant sub-sample's population is
N·n_j/n_sample, as everywhere in the toolkit.

**Ratings.** :func:`~sampling.rate` on each side, each with its own generator spawned from
``rng``. For each standard, with P_a(k), P_b(k) the two bootstrap probabilities of band k,
the two bootstraps are taken as independent:

    P(differ) = 1 − Σ_k P_a(k) P_b(k),   P(up) = Σ_{j<k} P_a(j) P_b(k),   P(down) = Σ_{j>k} P_a(j) P_b(k).

This is the chance that two *re-samplings* of the inspections give different ratings. It
is not the probability that the providers' true ratings differ: a provider whose true % is
unchanged and sits near a band edge has P(differ) near one half. In simulation
(``benchmarks/compare_study.py``: 1,000 pairs of inspections, half with no true change)
standards with P(differ) 0.4–0.6 had truly changed rating 18% of the time, 0.6–0.8 33%,
0.8–0.95 71%, above 0.95 97%: read it as how firmly the two samples separate the ratings,
not as a probability of change.

References
----------
.. [1] Newcombe, R. G. (1998). Interval estimation for the difference between independent
   proportions: comparison of eleven methods. *Statistics in Medicine* 17, 873–890 (method 10).
.. [2] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., §3.3. Wiley.
.. [3] Fagerland, M. W., Lydersen, S. & Laake, P. (2015). Recommended confidence intervals for
   two independent binomial proportions. *Statistical Methods in Medical Research* 24, 224–254.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._utils._checks import check_bool, check_confidence_level, check_count, check_rng
from ..stats._difference import newcombe_difference
from .._utils._display import TableResult
from .._utils._format import interval_text, jsonable
from ..stats._proportion import proportion_interval
from ..rating._ratings import rate
from ..estimation._resampling import question_populations
from ..results._results import Results
from ..errors import ArgumentError

__all__ = ["compare", "Comparison", "difference_interval", "rating_change"]

#: what the standards table's probability columns are (see the module docstring)
P_DIFFER, P_UP, P_DOWN = "P(differ)", "P(up)", "P(down)"


def difference_interval(yes_a, n_a, yes_b, n_b, *, confidence_level: float = 0.8,
                        population_a=None, population_b=None):
    """Newcombe's hybrid score interval for p_b − p_a, in proportions (vectorised): the
    shared :func:`sampling._difference.newcombe_difference` in the comparison's order.

    Each side's Wilson limits (finite-population corrected where its population is known,
    NaN = unknown) combined as in Newcombe (1998), method 10.

    Parameters
    ----------
    yes_a, n_a, yes_b, n_b : int or array
        Yes counts and sample sizes of the first and the second inspection.
    confidence_level : float
        Two-sided, in (0, 1).
    population_a, population_b : int, array or None
        Eligible populations (None or NaN: unknown, no correction on that side).

    Returns
    -------
    (difference, low, high)
        Floats for scalar input, else arrays, in proportions (multiply by 100 for points).

    References
    ----------
    .. [1] Newcombe, R. G. (1998). *Statistics in Medicine* 17, 873–890, method 10.
    .. [2] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., §3.3.

    >>> d, lo, hi = difference_interval(65, 132, 80, 132)
    >>> round(100 * d, 1), round(100 * lo, 1), round(100 * hi, 1)
    (11.4, 3.5, 19.0)
    """
    cl = check_confidence_level(confidence_level)
    return newcombe_difference(yes_b, n_b, yes_a, n_a, confidence_level=cl, population1=population_b,
                               population2=population_a)


def rating_change(p_a, p_b) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(P(differ), P(up), P(down))`` of two independent band distributions, worst band first.

    Parameters
    ----------
    p_a, p_b : array (..., k)
        Probabilities of each band, first and second inspection.

    Returns
    -------
    tuple of arrays
        1 − Σ_k P_a(k)P_b(k); Σ_{j<k} P_a(j)P_b(k) (the second rating higher); the rest.

    >>> [round(float(x), 2) for x in rating_change([0.5, 0.5, 0, 0], [0, 0.5, 0.5, 0])]
    [0.75, 0.75, 0.0]
    """
    a, b = np.asarray(p_a, dtype=float), np.asarray(p_b, dtype=float)
    joint = a[..., :, None] * b[..., None, :]  # [j, k]: first in band j, second in band k
    k = a.shape[-1]
    up = (joint * np.triu(np.ones((k, k)), 1)).sum(axis=(-2, -1))
    down = (joint * np.tril(np.ones((k, k)), -1)).sum(axis=(-2, -1))
    return 1.0 - np.trace(joint, axis1=-2, axis2=-1), up, down


# --------------------------------------------------------------------------- inputs
def _labels(a: Results, b: Results) -> tuple[str, str]:
    la, lb = a.provider or "first", b.provider or "second"
    if la == lb:
        la, lb = f"{la} (first)", f"{lb} (second)"
    return la, lb


def _given_labels(labels: Any) -> tuple[str, str]:
    if isinstance(labels, str) or len(tuple(labels)) != 2:
        raise ArgumentError("labels", labels, "two names, first then second")
    la, lb = (str(x).strip() for x in labels)
    if not la or not lb or la == lb:
        raise ArgumentError("labels", labels, "two different, non-empty names")
    return la, lb


def _check_pair(a: Any, b: Any) -> None:
    for name, r in (("a", a), ("b", b)):
        if not isinstance(r, Results):
            raise ArgumentError(name, type(r).__name__, "must be a Results object (see sampling.load_results)")
    fa, fb = a.framework, b.framework
    if tuple(fa.key_question_ids) != tuple(fb.key_question_ids):
        raise ArgumentError("b", fb.name, f"must use the framework of a ({fa.name!r}): the two inspections' "
                            "frameworks have different key questions, so they cannot be compared")
    ra, rb = fa.rules, fb.rules
    if tuple(ra.labels) != tuple(rb.labels) or tuple(ra.kq_edges) != tuple(rb.kq_edges):
        raise ArgumentError("b", rb.short_name, f"must use the rating rules of a ({ra.short_name!r}): "
                            "different bands or edges cannot be compared")


def _populations(results: Results, finite_population: bool | None, side: str) -> np.ndarray:
    """N_j per key question of ``results.summary`` (NaN where unknown or not used)."""
    s = results.summary.reset_index(drop=True)
    if finite_population is False:
        return np.full(len(s), np.nan)
    N = question_populations(s, dict(results.populations or {}), dict(results.sample_sizes or {}))
    if finite_population and np.isnan(N).any():
        missing = sorted(set(s.loc[np.isnan(N), "sample"].astype(str)))
        raise ArgumentError("finite_population", True, f"needs the eligible population of {side}'s "
                            f"sample(s) {', '.join(missing)} (load_results(..., population=...))")
    return N


def _side(results: Results, kqs: list[str], cl: float, fp: bool | None, side: str) -> pd.DataFrame:
    s = results.summary.reset_index(drop=True)
    s = s.assign(N=_populations(results, fp, side)).set_index("key_question").loc[kqs]
    low, high = proportion_interval(s["yes"].to_numpy(float), s["n"].to_numpy(float), confidence_level=cl,
                                    population=s["N"].to_numpy(float))
    return pd.DataFrame({"standard": s["standard"].astype(str).to_numpy(), "yes": s["yes"].to_numpy(float),
                         "n": s["n"].to_numpy(float), "percent": 100 * s["yes"].to_numpy(float) / s["n"].to_numpy(float),
                         "low": 100 * np.asarray(low), "high": 100 * np.asarray(high),
                         "population": s["N"].to_numpy(float)}, index=kqs)


# --------------------------------------------------------------------------- tables
def _key_question_table(a: Results, b: Results, labels, cl: float, fp) -> tuple[pd.DataFrame, list[str]]:
    have_a = set(a.summary["key_question"].astype(str))
    have_b = set(b.summary["key_question"].astype(str))
    order = [k for k in a.framework.key_question_ids if k in have_a | have_b]
    kqs = [k for k in order if k in have_a and k in have_b]
    notes = []
    only = [(labels[0], [k for k in order if k in have_a - have_b]), (labels[1], [k for k in order if k in have_b - have_a])]
    for who, ids in only:
        if ids:
            notes.append(f"Only {who} has key question(s) {', '.join(ids)}: not compared.")
    if not kqs:
        raise ArgumentError("b", labels[1], f"must share at least one key question with a ({labels[0]}); "
                            "the two inspections have none in common")
    sa, sb = _side(a, kqs, cl, fp, "a"), _side(b, kqs, cl, fp, "b")
    d, low, high = difference_interval(sa["yes"].to_numpy(), sa["n"].to_numpy(), sb["yes"].to_numpy(),
                                       sb["n"].to_numpy(), confidence_level=cl,
                                       population_a=sa["population"].to_numpy(), population_b=sb["population"].to_numpy())
    table = pd.DataFrame({"standard": sa["standard"].to_numpy(), "key_question": kqs,
                          "provider_a": labels[0], **{f"{c}_a": sa[c].to_numpy() for c in sa.columns[1:]},
                          "provider_b": labels[1], **{f"{c}_b": sb[c].to_numpy() for c in sb.columns[1:]},
                          "difference": 100 * d, "low": 100 * low, "high": 100 * high})
    table["finite_population"] = table["population_a"].notna() | table["population_b"].notna()
    table["changed_beyond_noise"] = (table["low"] > 0) | (table["high"] < 0)
    return table, notes


def _standards_table(ass_a: Any, ass_b: Any, rules: Any) -> tuple[pd.DataFrame, list[str]]:
    pcols = [f"P({lab})" for lab in rules.labels]
    sa = ass_a.standards.set_index("standard")
    sb = ass_b.standards.set_index("standard")
    both = [s for s in sa.index if s in sb.index]
    kq = [s for s in both if sa.at[s, "rated_by"] == "key questions" and sb.at[s, "rated_by"] == "key questions"]
    skipped = [s for s in both if s not in kq]
    pa, pb = sa.loc[kq, pcols].to_numpy(float), sb.loc[kq, pcols].to_numpy(float)
    differ, up, down = rating_change(pa, pb) if kq else (np.array([]),) * 3
    table = pd.DataFrame({
        "standard": kq, "name": [sa.at[s, "name"] for s in kq],
        "rating_a": [sa.at[s, "rule_rating"] for s in kq], "P(rating_a)": [sa.at[s, f"P({sa.at[s, 'rule_rating']})"] for s in kq],
        "rating_b": [sb.at[s, "rule_rating"] for s in kq], "P(rating_b)": [sb.at[s, f"P({sb.at[s, 'rule_rating']})"] for s in kq],
        "rating_changed": [sa.at[s, "rule_rating"] != sb.at[s, "rule_rating"] for s in kq],
        P_DIFFER: differ, P_UP: up, P_DOWN: down,
    })
    notes = [f"Standard(s) {', '.join(skipped)} rated by judgement on at least one side: not compared."] if skipped else []
    return table, notes


# --------------------------------------------------------------------------- result
@dataclass(frozen=True, repr=False)
class Comparison(TableResult):
    """Two inspections compared (see :func:`compare`).

    Attributes
    ----------
    key_questions : DataFrame
        One row per key question both have, in framework order: ``standard, key_question,
        provider_a, yes_a, n_a, percent_a, low_a, high_a, population_a`` (and the same for
        b), ``difference`` (b − a, percentage points), ``low, high`` (its interval),
        ``finite_population``, ``changed_beyond_noise`` (the interval excludes 0).
    standards : DataFrame
        One row per standard rated by key questions on both sides: ``standard, name,
        rating_a, P(rating_a), rating_b, P(rating_b), rating_changed`` and the re-sampling
        probabilities ``P(differ), P(up), P(down)``.
    labels : (str, str)
        The two inspections' names (providers), first then second.
    confidence_level, n_resamples
    framework, rules
    notes : tuple of str
    """

    key_questions: pd.DataFrame
    standards: pd.DataFrame
    labels: tuple
    confidence_level: float
    n_resamples: int
    framework: Any
    rules: Any
    notes: tuple = ()

    def to_frame(self) -> pd.DataFrame:
        """The key-question table (a copy)."""
        return self.key_questions.copy()

    def _title(self) -> str:
        return (f"Comparison: {self.labels[1]} minus {self.labels[0]}, {len(self.key_questions)} key questions, "
                f"{self.confidence_level:.0%} intervals")

    def _notes(self) -> list[str]:
        return list(self.notes)

    def key_questions_summary(self) -> pd.DataFrame:
        """The key-question table for reading: % each side, difference and its interval."""
        t = self.key_questions
        return pd.DataFrame({
            "standard": t["standard"], "key_question": t["key_question"],
            f"% {self.labels[0]}": t["percent_a"], "n a": t["n_a"].map(lambda v: f"{v:.0f}"),
            f"% {self.labels[1]}": t["percent_b"], "n b": t["n_b"].map(lambda v: f"{v:.0f}"),
            "difference": t["difference"], f"{self.confidence_level:.0%} interval":
                [interval_text(lo, hi, signed=True) for lo, hi in zip(t["low"], t["high"])],
            "beyond noise": t["changed_beyond_noise"],
        })

    def standards_summary(self) -> pd.DataFrame:
        """The standards table for reading."""
        t = self.standards
        return pd.DataFrame({
            "standard": t["standard"], f"rating {self.labels[0]}": t["rating_a"],
            f"rating {self.labels[1]}": t["rating_b"],
            "P(ratings differ on re-sampling)": t[P_DIFFER].map(lambda v: f"{v:.2f}"),
            P_UP: t[P_UP].map(lambda v: f"{v:.2f}"), P_DOWN: t[P_DOWN].map(lambda v: f"{v:.2f}"),
        })

    def to_dict(self) -> dict:
        """A JSON-able dict: settings, both tables as lists of records, and the notes."""
        return {"framework": self.framework.name, "rules": self.rules.short_name,
                "first": self.labels[0], "second": self.labels[1],
                "confidence_level": self.confidence_level, "n_resamples": self.n_resamples,
                "key_questions": jsonable(self.key_questions), "standards": jsonable(self.standards),
                "notes": list(self.notes)}


def _method_notes(kq: pd.DataFrame, labels, cl: float, n_resamples: int, level: tuple) -> list[str]:
    fp = []
    for side, who in (("a", labels[0]), ("b", labels[1])):
        known = kq[f"population_{side}"].notna()
        fp.append(f"{who}: " + ("finite-population corrected" if known.all() else
                                "no population given, no correction" if not known.any() else
                                "corrected where its population is known"))
    notes = [f"Difference = {labels[1]} minus {labels[0]}, in percentage points. Interval: Newcombe's hybrid "
             f"score interval (1998, method 10) from each side's {cl:.0%} Wilson limits; " + "; ".join(fp) + ".",
             f"'beyond noise': the {cl:.0%} interval of the difference excludes 0.",
             f"P(differ), P(up), P(down): from {n_resamples:,} bootstrap replicates of each inspection, taken as "
             "independent: how often re-sampling the two inspections gives different ratings (up: the second "
             "higher). It is not the probability that the true rating changed: two inspections with the same "
             "true % near a band edge differ on re-sampling about half the time, and in simulation "
             "of 1,000 pairs of inspections, half with no true change, it overstated the share of true changes except near 0 and 1."]
    if "aggregate" in level:
        notes.append("Aggregate results: the rating probabilities draw each key question independently.")
    return notes


def compare(a: Results, b: Results, *, confidence_level: float = 0.8, n_resamples: int = 10_000,
            rng: Any = None, finite_population: bool | None = None,
            labels: tuple[str, str] | None = None) -> Comparison:
    """Compare two inspections of one framework: a re-inspection, or two providers.

    Per key question both have: each side's yes, n, % and interval, and the difference
    b − a in percentage points with Newcombe's hybrid score interval (finite-population
    corrected on a side whose eligible population is known). Per standard rated by key
    questions on both sides: the two rule ratings and the probabilities that independent
    re-samplings of the two inspections give different ratings (and higher, lower).

    Parameters
    ----------
    a, b : Results
        The first (before) and second (after) inspection, same framework; case level or
        aggregate. Comparing an inspection with itself is allowed (difference 0).
    confidence_level : float
        Two-sided, in (0, 1); default 0.8.
    n_resamples : int
        Bootstrap replicates per inspection, for the rating probabilities.
    rng : int, Generator or None
        Seed; each side gets its own generator spawned from it, so a seed reproduces
        everything.
    finite_population : bool or None
        None: correct each side where its population is known; True: require both
        populations; False: never correct.
    labels : (str, str), optional
        Names of the two sides in tables and charts (default: each side's provider).

    Returns
    -------
    Comparison

    Raises
    ------
    ArgumentError
        Not Results; different frameworks or rules; no key question in common.

    References
    ----------
    .. [1] Newcombe, R. G. (1998). Interval estimation for the difference between independent
       proportions: comparison of eleven methods. *Statistics in Medicine* 17, 873–890.
    .. [2] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., §3.3. Wiley.

    >>> from sampling.examples import synthetic_results
    >>> c = compare(synthetic_results(1), synthetic_results(2), n_resamples=200, rng=3)
    >>> row = c.key_questions.iloc[0]
    >>> row["key_question"], round(float(row["difference"]), 1), bool(row["changed_beyond_noise"])
    ('2.1.1', 8.3, True)

    Examples
    --------
    >>> import sampling
    >>> last = sampling.synthetic_results(rng=1, n=100)
    >>> this = sampling.synthetic_results(rng=2, n=100)
    >>> table = sampling.compare(last, this, rng=3).to_frame()
    >>> "difference" in table.columns
    True
    """
    _check_pair(a, b)
    cl = check_confidence_level(confidence_level)
    B = check_count(n_resamples, "n_resamples", minimum=1)
    fp = check_bool(finite_population, "finite_population", allow_none=True)
    gen_a, gen_b = check_rng(rng).spawn(2)
    labels = _labels(a, b) if labels is None else _given_labels(labels)
    kq, notes = _key_question_table(a, b, labels, cl, fp)
    opts = dict(confidence_level=cl, n_resamples=B, finite_population=fp)
    ass_a, ass_b = rate(a, rng=gen_a, **opts), rate(b, rng=gen_b, **opts)
    std, std_notes = _standards_table(ass_a, ass_b, a.framework.rules)
    notes = _method_notes(kq, labels, cl, B, (a.level, b.level)) + notes + std_notes
    return Comparison(kq, std, labels, cl, B, a.framework, a.framework.rules, tuple(notes))
