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

**Shown per side.** Each side's ``low, high, method`` are :func:`~sampling.intervals`' default
(as ``analyse``: mid-p hypergeometric where N is known, stratified finite-population for a
design-weighted row, else Wilson). The difference is built on the Wilson limits above, not on
them: in ``benchmarks/compare_study.py`` the hybrid on Wilson + FPC limits covers 77.8–80.3%
at 80% (N = 56, 79, 668), on mid-p limits 69.7–76.0% at N = 56 and 79. The notes say so.

**On the design.** When a side's stratum populations N_h are known (every filled draw
workbook), its % is the design-weighted estimate p̂ = Σ w_i y_i / Σ w_i (w_i = N_h/n_h); the
difference's interval takes its Wilson limits on the Korn–Graubard effective sample size,
each stratum with its own finite-population correction (:mod:`sampling.results._weights`;
``intervals(..., method="wilson")``), combined by the same hybrid rule, which is the method
of variance estimates recovery (MOVER) of Zou & Donner (2008); the difference is that of the
weighted estimates — R ``survey``'s ``svycontrast`` of the two ``svymean`` — and ``se``
its standard error √(v̂_a + v̂_b), the two inspections being independent samples.

**Smallest detectable change.** The change each question's two samples would detect with
80% power at the confidence level, two-sided: :func:`~sampling.plan.detectable_change` at
the pooled %, each side's n and finite-population correction, and its design effect
when weighted (Kish 1965 §8.2; Fleiss, Levin & Paik 2003 §4.2).

**Ratings.** :func:`~sampling.rate` on each side, each with its own generator spawned from
``rng``. For each standard, with P_a(k), P_b(k) the two bootstrap probabilities of band k,
the two bootstraps are taken as independent:

    P(differ) = 1 − Σ_k P_a(k) P_b(k),   P(up) = Σ_{j<k} P_a(j) P_b(k),   P(down) = Σ_{j>k} P_a(j) P_b(k).

This is the chance that two *re-samplings* of the inspections give different ratings. It
is not the probability that the providers' true ratings differ: a provider whose true % is
unchanged and sits near a band edge has P(differ) near one half. In simulation
(``benchmarks/compare_study.py``: 1,000 pairs of inspections, half with no true change)
standards with P(differ) 0.4–0.6 had truly changed rating 17% of the time, 0.6–0.8 37%,
0.8–0.95 68%, above 0.95 95%: read it as how firmly the two samples separate the ratings,
not as a probability of change.

References
----------
.. [1] Newcombe, R. G. (1998). Interval estimation for the difference between independent
   proportions: comparison of eleven methods. *Statistics in Medicine* 17, 873–890 (method 10).
.. [2] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., §3.3. Wiley.
.. [3] Fagerland, M. W., Lydersen, S. & Laake, P. (2015). Recommended confidence intervals for
   two independent binomial proportions. *Statistical Methods in Medical Research* 24, 224–254.
.. [4] Zou, G. Y. & Donner, A. (2008). Construction of confidence limits about effect
   measures: a general approach. *Statistics in Medicine* 27, 1693–1702.
.. [5] Korn, E. L. & Graubard, B. I. (1998). Confidence intervals for proportions with small
   expected number of positive counts estimated from survey data. *Survey Methodology* 24,
   193–201.
.. [6] Lumley, T. (2004). Analysis of complex survey samples. *J. Statistical Software* 9(8).
.. [7] Kish, L. (1965). *Survey Sampling*, §8.2. Wiley.
.. [8] Fleiss, J. L., Levin, B. & Paik, M. C. (2003). *Statistical Methods for Rates and
   Proportions*, 3rd ed., §4.2. Wiley.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._utils._checks import check_bool, check_confidence_level, check_count, check_fraction, check_rng
from ..stats._difference import newcombe_difference
from .._utils._types import SeedLike
from .._utils._display import TableResult
from .._utils._format import interval_text, jsonable
from ._overlap import overlap_notes
from ..stats._proportion import proportion_interval
from ..rating._ratings import rate
from ..results._weights import weighted_estimates, weighted_interval
from ..estimation._intervals import intervals
from .._utils._methods import method_name, used_method
from ..plan._change import detectable_change
from ..results._design import question_populations
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


def _srs_variance(p: np.ndarray, n: np.ndarray, N: np.ndarray) -> np.ndarray:
    """v̂(p̂) = (1 − n/N)·p̂(1 − p̂)/(n − 1) of a simple random sample (Cochran 1977, eq. 3.11;
    no correction where N is unknown); NaN for n < 2."""
    with np.errstate(invalid="ignore", divide="ignore"):
        keep = np.where(np.isfinite(N), np.clip(1.0 - n / N, 0.0, 1.0), 1.0)
        return np.where(n >= 2, keep * p * (1 - p) / (n - 1), np.nan)


def _weighted(results: Results, fp: bool | None) -> pd.DataFrame | None:
    """:func:`~sampling.weighted_estimates` of ``results`` (stratum FPC unless ``fp`` is
    False), or None when no sample of it has known stratum populations."""
    if getattr(results, "level", None) != "case" or not getattr(results, "stratum_populations", None):
        return None
    samples = list(results.stratum_populations)
    est = weighted_estimates(results, fpc={s: fp is not False for s in samples})
    return est if est["weighted"].any() else None


def _side(results: Results, kqs: list[str], cl: float, fp: bool | None, side: str) -> pd.DataFrame:
    s = results.summary.reset_index(drop=True)
    s = s.assign(N=_populations(results, fp, side))
    est = _weighted(results, fp)
    cols = ["weighted", "weighted_percent", "variance", "variance_wr", "domain_population", "design_effect",
            "effective_n", "fpc"]
    if est is None:
        est = pd.DataFrame({"weighted": False, "weighted_percent": np.nan, "variance": np.nan, "variance_wr": np.nan,
                            "domain_population": np.nan, "design_effect": np.nan, "effective_n": np.nan,
                            "fpc": False}, index=s.index)
    s = pd.concat([s.drop(columns=[c for c in cols if c in s.columns]), est[cols].set_axis(s.index)], axis=1).set_index("key_question").loc[kqs]
    yes, n, N = s["yes"].to_numpy(float), s["n"].to_numpy(float), s["N"].to_numpy(float)
    w = s["weighted"].to_numpy(bool)
    N = np.where(w, np.where(s["fpc"].to_numpy(bool), np.round(s["domain_population"].to_numpy(float)), np.nan), N)
    out = pd.DataFrame({"standard": s["standard"].astype(str).to_numpy(), "yes": yes, "n": n,
                        "percent": 100 * yes / n, "weighted": w,
                        "weighted_percent": np.where(w, s["weighted_percent"].to_numpy(float), np.nan),
                        "estimate": np.where(w, s["weighted_percent"].to_numpy(float), 100 * yes / n),
                        "low": np.nan, "high": np.nan, "population": N,
                        "variance": np.where(w, s["variance"].to_numpy(float), _srs_variance(yes / n, n, N)),
                        "variance_wr": np.where(w, s["variance_wr"].to_numpy(float), np.nan),
                        "design_effect": np.where(w, s["design_effect"].to_numpy(float), np.nan),
                        "effective_n": np.where(w, s["effective_n"].to_numpy(float), np.nan)}, index=kqs)
    shown = _analyse_limits(results, kqs, cl, fp)
    out["low"], out["high"], out["method"] = shown["low"], shown["high"], shown["method"]
    return out


def _analyse_limits(results: Results, kqs: list[str], cl: float, fp: bool | None) -> pd.DataFrame:
    """Each key question's ``low, high, method`` as ``analyse`` shows them: :func:`~sampling.intervals`'
    default (``resolve_method``'s rule) with the comparison's ``finite_population``."""
    t = intervals(results, confidence_level=cl, finite_population=fp).table
    return t.drop_duplicates("key_question").set_index("key_question").loc[kqs, ["low", "high", "method"]]


#: the per-side columns of the key-question table (each with the suffix _a or _b)
SIDE_COLUMNS = ("yes", "n", "percent", "weighted", "weighted_percent", "estimate", "low", "high", "method",
                "population", "variance", "variance_wr", "design_effect", "effective_n")


def side_limits(side: pd.DataFrame, confidence_level: float) -> tuple[np.ndarray, np.ndarray]:
    """Each row's Wilson-type limits (percentages) at ``confidence_level``, the inputs of the
    difference interval (:func:`mover_difference`; not the limits shown per side, which are
    ``analyse``'s default, :func:`_analyse_limits`): for a design-weighted row
    the interval ``analyse --method wilson`` gives (:func:`~sampling.results._weights.weighted_interval`:
    Wilson on the Korn–Graubard effective n, each stratum's finite-population correction),
    else the Wilson interval, finite-population corrected where the population is known.

    ``side`` holds ``yes, n, weighted, estimate, variance, variance_wr, population`` (one
    side's columns of a comparison, suffix removed)."""
    yes, n = side["yes"].to_numpy(float), side["n"].to_numpy(float)
    N = side["population"].to_numpy(float)
    w = side["weighted"].to_numpy(bool)
    low, high = proportion_interval(yes, n, confidence_level=confidence_level, population=N)
    low, high = 100 * np.asarray(low, dtype=float), 100 * np.asarray(high, dtype=float)
    if w.any():
        est = pd.DataFrame({"weighted_percent": side["estimate"].to_numpy(float)[w],
                            "variance": side["variance"].to_numpy(float)[w],
                            "variance_wr": side["variance_wr"].to_numpy(float)[w],
                            "domain_population": N[w], "fpc": np.isfinite(N[w])})
        wl, wh = weighted_interval(est, n[w], "wilson", confidence_level, yes=yes[w])
        low[w], high[w] = wl, wh
    return low, high


def _side_frame(table: pd.DataFrame, side: str) -> pd.DataFrame:
    need = ("yes", "n", "weighted", "estimate", "variance", "variance_wr", "population")
    return pd.DataFrame({c: table[f"{c}_{side}"].to_numpy() for c in need})


def mover_difference(table: pd.DataFrame, confidence_level: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The difference b − a (points) of a comparison's key-question table and its interval
    at ``confidence_level``, recomputed from each side's columns: each side's interval
    (:func:`side_limits`) combined by Newcombe's hybrid rule, the method of variance
    estimates recovery (MOVER, Zou & Donner 2008) — exactly :func:`difference_interval`
    when neither side is design-weighted."""
    a, b = _side_frame(table, "a"), _side_frame(table, "b")
    la, ha = side_limits(a, confidence_level)
    lb, hb = side_limits(b, confidence_level)
    pa, pb = a["estimate"].to_numpy(float), b["estimate"].to_numpy(float)
    d = pb - pa
    return d, d - np.sqrt((pb - lb) ** 2 + (ha - pa) ** 2), d + np.sqrt((hb - pb) ** 2 + (pa - la) ** 2)


def _detectable(sa: pd.DataFrame, sb: pd.DataFrame, cl: float, power: float) -> np.ndarray:
    """Smallest change (points) each question's two samples detect with ``power``
    (:func:`~sampling.plan.detectable_change`, each side's design effect where weighted)."""
    cols = ("n", "estimate", "population", "design_effect")
    a, b = ({c: t[c].to_numpy(float) for c in cols} for t in (sa, sb))
    wa, wb = sa["weighted"].to_numpy(bool), sb["weighted"].to_numpy(bool)
    out: list[float] = []
    for i in range(len(sa)):
        na, nb = a["n"][i], b["n"][i]
        p = (na * a["estimate"][i] + nb * b["estimate"][i]) / (100 * (na + nb)) if na + nb else np.nan
        deff_a, deff_b = (float(s["design_effect"][i]) if w[i] and np.isfinite(s["design_effect"][i]) else 1.0
                          for s, w in ((a, wa), (b, wb)))
        pops = [int(s["population"][i]) if np.isfinite(s["population"][i]) and s["population"][i] >= s["n"][i]
                else None for s in (a, b)]
        if not np.isfinite(p) or p <= 0 or p >= 1:
            p = 0.5 if not np.isfinite(p) else min(max(p, 0.5 / (na + nb)), 1 - 0.5 / (na + nb))
        out.append(100 * detectable_change(int(na), int(nb), pops[0], pops[1], p=float(p), confidence_level=cl,
                                           power=power, design_effects=(deff_a, deff_b)))
    return np.asarray(out, dtype=float)


# --------------------------------------------------------------------------- tables
def _key_question_table(a: Results, b: Results, labels, cl: float, fp,
                        power: float = 0.8) -> tuple[pd.DataFrame, list[str]]:
    have_a = set(a.summary["key_question"].astype(str))
    have_b = set(b.summary["key_question"].astype(str))
    order = [k for k in a.framework.key_question_ids if k in have_a | have_b]
    kqs = [k for k in order if k in have_a and k in have_b]
    notes = []
    only = [(labels[0], [k for k in order if k in have_a - have_b]), (labels[1], [k for k in order if k in have_b - have_a])]
    notes += [f"Only {who} has key question(s) {', '.join(ids)}: not compared." for who, ids in only if ids]
    if not kqs:
        raise ArgumentError("b", labels[1], f"must share at least one key question with a ({labels[0]}); "
                            "the two inspections have none in common")
    sa, sb = _side(a, kqs, cl, fp, "a"), _side(b, kqs, cl, fp, "b")
    table = pd.DataFrame({"standard": sa["standard"].to_numpy(), "key_question": kqs,
                          "provider_a": labels[0], **{f"{c}_a": sa[c].to_numpy() for c in SIDE_COLUMNS},
                          "provider_b": labels[1], **{f"{c}_b": sb[c].to_numpy() for c in SIDE_COLUMNS}})
    d, low, high = mover_difference(table, cl)
    table["difference"], table["low"], table["high"] = d, low, high
    with np.errstate(invalid="ignore"):
        table["se"] = 100 * np.sqrt(sa["variance"].to_numpy(float) + sb["variance"].to_numpy(float))
    table["design_weighted"] = table["weighted_a"] & table["weighted_b"]
    table["finite_population"] = table["population_a"].notna() | table["population_b"].notna()
    table["changed_beyond_noise"] = (table["low"] > 0) | (table["high"] < 0)
    table["detectable_change"] = _detectable(sa, sb, cl, power)
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
        provider_a``, then per side (suffix ``_a``, and the same for b) ``yes, n, percent``
        (the sample's own %), ``weighted`` (stratum populations known), ``weighted_percent``
        (the N_h-weighted %, NaN when not weighted), ``estimate`` (the % compared: weighted
        where known), ``low, high, method`` (its interval as ``analyse`` gives it; the
        difference is built on Wilson limits), ``population``
        (N used for the correction; N̂_d when weighted), ``variance`` (of the proportion:
        design or simple random sample), ``variance_wr``, ``design_effect, effective_n``;
        then ``difference`` (b − a of the estimates, percentage points), ``low, high`` (its
        interval), ``se`` (its standard error, points: √(v_a + v_b)), ``design_weighted``
        (both sides weighted), ``finite_population``, ``changed_beyond_noise`` (the interval
        excludes 0) and ``detectable_change`` (points: the smallest change these samples
        detect with the comparison's power at its confidence, two-sided).
    standards : DataFrame
        One row per standard rated by key questions on both sides: ``standard, name,
        rating_a, P(rating_a), rating_b, P(rating_b), rating_changed`` and the re-sampling
        probabilities ``P(differ), P(up), P(down)``.
    labels : (str, str)
        The two inspections' names (providers), first then second.
    confidence_level, n_resamples
    framework, rules
    notes : tuple of str
    power : float
        The power of ``detectable_change``.
    """

    key_questions: pd.DataFrame
    standards: pd.DataFrame
    labels: tuple
    confidence_level: float
    n_resamples: int
    framework: Any
    rules: Any
    notes: tuple = ()
    power: float = 0.8

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
        head = ["w%" if t[f"weighted_{x}"].any() else "%" for x in ("a", "b")]
        return pd.DataFrame({
            "standard": t["standard"], "key_question": t["key_question"],
            f"{head[0]} {self.labels[0]}": t["estimate_a"], "n a": t["n_a"].map(lambda v: f"{v:.0f}"),
            f"{head[1]} {self.labels[1]}": t["estimate_b"], "n b": t["n_b"].map(lambda v: f"{v:.0f}"),
            "difference": t["difference"], f"{self.confidence_level:.0%} interval":
                [interval_text(lo, hi, signed=True) for lo, hi in zip(t["low"], t["high"])],
            "beyond noise": t["changed_beyond_noise"],
            "detectable": t["detectable_change"].map(lambda v: "" if pd.isna(v) else f"{v:.1f}"),
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
                "power": self.power,
                "key_questions": jsonable(self.key_questions), "standards": jsonable(self.standards),
                "notes": list(self.notes)}


def _basis(kq: pd.DataFrame, side: str, who: str) -> str:
    """How one side's % and its shown interval were computed, in words."""
    w = kq[f"weighted_{side}"].to_numpy(bool)
    known = kq[f"population_{side}"].notna()
    shown = f"its interval as analyse gives it: {method_name(used_method(kq[f'method_{side}']))}"
    if w.all():
        return (f"{who}: design-weighted (stratum populations known): each stratum cell weighted by its "
                "population N_h" + (", each stratum with its own finite-population correction" if known.any() else
                                    ", no finite-population correction") + f"; {shown}")
    fpc = ("finite-population corrected" if known.all() else "no population given, no correction"
           if not known.any() else "corrected where its population is known")
    if w.any():
        return (f"{who}: design-weighted where its stratum populations are known (key questions "
                f"{', '.join(kq.loc[w, 'key_question'])}), unweighted elsewhere; {fpc}; {shown}")
    return f"{who}: unweighted (stratum populations not known: the sample's own %), {fpc}; {shown}"


#: why the difference interval is built on Wilson limits (benchmarks/compare_study.py)
WILSON_INSIDE = ("The difference interval is built on each side's Wilson limits (finite-population corrected "
                 "where the population is known; a design-weighted side's on its effective sample size), not "
                 "on the intervals shown per side: in simulation at populations of 56, 79 and 668 cases the "
                 "hybrid built on Wilson limits covered the true difference 78-80% of the time at 80% (over a "
                 "spread of true percentages), built on the mid-p hypergeometric limits only 70-76% at 56 and "
                 "79 cases.")


def _method_notes(kq: pd.DataFrame, labels, cl: float, n_resamples: int, level: tuple, power: float) -> list[str]:
    basis = [_basis(kq, side, who) for side, who in (("a", labels[0]), ("b", labels[1]))]
    if basis[0].split(": ", 1)[1] == basis[1].split(": ", 1)[1]:
        basis = ["both " + basis[0].split(": ", 1)[1]]
    weighted = bool(kq["weighted_a"].any() or kq["weighted_b"].any())
    name = ("Newcombe's hybrid score interval (1998, method 10; the method of variance estimates recovery, "
            "Zou & Donner 2008) from each side's {cl:.0%} Wilson limits").format(cl=cl)
    dc = kq["detectable_change"].to_numpy(float)
    notes = [f"Difference = {labels[1]} minus {labels[0]}, in percentage points"
             + (", of the design-weighted estimates" if kq["design_weighted"].all() else "")
             + f". Interval: {name}. " + "; ".join(basis) + "."
             + (" " + WILSON_INSIDE if set(kq["method_a"]) | set(kq["method_b"]) != {"wilson"} else ""),
             f"'beyond noise': the {cl:.0%} interval of the difference excludes 0.",
             (f"Smallest detectable change ('detectable'): the change in points each key question's two samples "
              f"would detect with {power:.0%} power at {cl:.0%} confidence (two-sided), from each side's n, "
              "finite-population correction" + (" and design effect" if weighted else "") + " at the pooled % "
              "(Fleiss, Levin & Paik 2003, §4.2)" + (f": from {np.nanmin(dc):.1f} to {np.nanmax(dc):.1f} points "
              f"here; a true change smaller than that would often go unseen." if np.isfinite(dc).any() else ".")),
             f"P(differ), P(up), P(down): from {n_resamples:,} bootstrap replicates of each inspection, taken as "
             "independent: how often re-sampling the two inspections gives different ratings (up: the second "
             "higher). It is not the probability that the true rating changed: two inspections with the same "
             "true % near a band edge differ on re-sampling about half the time, and in simulation "
             "of 1,000 pairs of inspections, half with no true change, it overstated the share of true changes except near 0 and 1."]
    if "aggregate" in level:
        notes.append("Aggregate results: the rating probabilities draw each key question independently.")
    return notes


def compare(a: Results, b: Results, *, confidence_level: float = 0.8, n_resamples: int = 10_000,
            rng: SeedLike = None, finite_population: bool | None = None,
            labels: tuple[str, str] | None = None, power: float = 0.8) -> Comparison:
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
    power : float
        Power of the smallest detectable change (``detectable_change``), default 0.8.

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
    power = check_fraction(power, "power")
    kq, notes = _key_question_table(a, b, labels, cl, fp, power)
    # P(differ) is a re-sampling probability (see the notes): the bootstrap's replicates, not the posterior
    ass_a, ass_b = (rate(r, rng=g, confidence_level=cl, n_resamples=B, finite_population=fp,
                         probabilities="bootstrap")
                    for r, g in ((a, gen_a), (b, gen_b)))
    std, std_notes = _standards_table(ass_a, ass_b, a.framework.rules)
    notes = overlap_notes([a, b], labels) + _method_notes(kq, labels, cl, B, (a.level, b.level), power) + notes + std_notes
    return Comparison(kq, std, labels, cl, B, a.framework, a.framework.rules, tuple(notes), power)
