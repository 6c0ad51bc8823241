"""How many more cases would settle a flagged rating (issue 26, item 3).

For a flagged standard, its driving key question has a band edge inside its interval.
Holding the observed proportion p̂ = yes/n fixed, the interval narrows as n grows; the
smallest extra m (at most the cases still available) for which the interval at n + m, same
method and finite-population correction, no longer holds the edge is "the number that would
settle it if the current % held". That number settles the rating only about half the time:
the next cases' % scatters around the truth, and when the truth is near the edge half of
that scatter falls back inside. So the function also gives the smallest m that settles it
with a stated *assurance* (default 80%): the probability, under the current estimate's
uncertainty (a Jeffreys Beta(yes + ½, n − yes + ½) posterior for the truth, the m new
answers beta-binomial given it), that the interval at n + m clears the edge. Both are
validated by simulation in ``tests/test_settle.py`` and ``benchmarks/settle_study.py``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

import numpy as np
import pandas as pd

from ..errors import DataError
from .._utils._methods import ANALYTIC, AUTO_KNOWN, BOOTSTRAP, FINITE, STRATIFIED, method_name
from ..stats._proportion import proportion_interval
from ..stats._stratified import betabinom_pmf

if TYPE_CHECKING:
    from ..results._results import Results
    from ._assessment import Assessment

__all__ = ["Settling", "cases_to_settle", "cases_to_settle_one"]

_ANALYTIC_FALLBACK = "wilson"
#: the largest population N whose own finite-population interval the search uses
_OWN_FINITE_UP_TO = 500


def _settle_method(method: str, population: float | None) -> str:
    """The interval the extra cases are counted with: the key question's own (an analytic one,
    or a hypergeometric one where the population N is known, up to :data:`_OWN_FINITE_UP_TO`),
    else a stand-in — the mid-p hypergeometric interval of a simple random sample for the
    stratified finite-population one (the projection holds the % and ignores the cells),
    Wilson with the finite-population correction for a hypergeometric one above that N (the
    two agree there: ``benchmarks/fpc_enumeration.py`` gives them the same coverage and width
    from N = 668 up, while the hypergeometric search over every extra m costs about a second a
    standard at N = 3,000), else Wilson."""
    if method in FINITE and population is not None:
        if population > _OWN_FINITE_UP_TO:
            return _ANALYTIC_FALLBACK
        return AUTO_KNOWN if method == STRATIFIED else method
    if method in ANALYTIC:
        return method
    return _ANALYTIC_FALLBACK


def _clears(yes, n, edge_eff, method, level, population):
    lo, hi = proportion_interval(yes, n, method=method, confidence_level=level, population=population)
    lo, hi = 100 * np.asarray(lo, float), 100 * np.asarray(hi, float)
    return (edge_eff < lo) | (edge_eff > hi)


def _predictive(yes: float, n: float, m: int) -> np.ndarray:
    """Beta-binomial P(y yes among m new cases), y = 0..m, Jeffreys posterior (a = yes + ½,
    b = n − yes + ½): :func:`~sampling.stats._stratified.betabinom_pmf` (the ratio of
    successive terms, numpy only; ``scipy.stats.betabinom`` gives the same to 1e-10,
    tests/test_settle.py)."""
    return betabinom_pmf(m, yes + 0.5, n - yes + 0.5)


def cases_to_settle_one(yes: float, n: float, edge: float, *, available: int | None = None,
                        method: str = "wilson", confidence_level: float = 0.8,
                        population: float | None = None, assurance: float | None = None,
                        max_extra: int = 5000) -> int | None:
    """Smallest extra m ≤ ``available`` for which the interval clears ``edge`` (in %).

    ``edge`` is the *effective* edge (where the band starts on the unrounded scale). With
    ``assurance`` None the % is held at yes/n (the new cases answer yes in the same
    proportion); with ``assurance`` a in (0, 1), m is the smallest number whose probability of
    clearing the edge, under the Jeffreys posterior predictive, is ≥ a (found by galloping and
    bisection: that probability rises with m up to the wobble of whole counts). None: no feasible m.

    References
    ----------
    .. [1] Brown, L. D., Cai, T. T. & DasGupta, A. (2001). Interval estimation for a binomial
       proportion. *Statistical Science* 16, 101–133 (the Jeffreys prior).
    .. [2] Spiegelhalter, D. J., Abrams, K. R. & Myles, J. P. (2004). *Bayesian Approaches to
       Clinical Trials and Health-Care Evaluation*, §6.5 (assurance: the predictive probability
       that a future study reaches its goal).

    >>> cases_to_settle_one(60, 100, 64.5)
    69
    """
    n = float(n)
    if n <= 0:
        return None
    cap = int(max_extra if available is None else min(available, max_extra))
    if population is not None and not np.isnan(population):
        cap = min(cap, int(population - n))
    if cap < 1:
        return None
    p = yes / n
    pop = None if population is None or np.isnan(population) else float(population)
    if assurance is None:
        if abs(100 * p - edge) < 1e-9:
            return None
        m = np.arange(1, cap + 1)
        ok = _clears(np.round(p * (n + m)), n + m, edge, method, confidence_level, pop)
        hit = np.flatnonzero(ok)
        return int(m[hit[0]]) if hit.size else None
    if not 0 < assurance < 1:
        raise DataError("the assurance must lie strictly between 0 and 1", values=[assurance])
    def prob(m: int) -> float:
        y = np.arange(m + 1)
        ok = _clears(yes + y, np.full(m + 1, n + m), edge, method, confidence_level, pop)
        return float(_predictive(yes, n, m)[ok].sum())

    # The probability rises with m (up to the wobble of whole counts): gallop, then bisect.
    lo, hi = 0, 1
    while prob(hi) < assurance:
        if hi >= cap:
            return None
        lo, hi = hi, min(2 * hi, cap)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if prob(mid) >= assurance else (mid, hi)
    return hi


@dataclass(frozen=True)
class Settling:
    """How many more cases would settle each flagged standard (see :func:`cases_to_settle`).

    Attributes
    ----------
    table : DataFrame
        ``standard, key_question, percent, edge, n, available, more_if_held, more_assured,
        assurance, feasible``; ``more_*`` are NaN where no feasible number would settle it.
    assurance : float
        The assurance level of ``more_assured``.
    notes : tuple of str
    """

    table: pd.DataFrame
    assurance: float = 0.8
    notes: tuple[str, ...] = field(default=())

    def to_frame(self) -> pd.DataFrame:
        """The table (a copy)."""
        return self.table.copy()

    def sentences(self) -> list[str]:
        """One sentence per flagged standard, in words."""
        out: list[str] = []
        t = self.table
        for r, more_if_held, more_assured in zip(t.itertuples(index=False), t["more_if_held"].to_numpy(float),
                                                 t["more_assured"].to_numpy(float)):
            head = (f"Standard {r.standard} ({r.key_question} at {r.percent:.1f}% on {r.n:g} cases, "
                    f"edge {r.edge:g}%): ")
            if np.isnan(more_if_held):
                out.append(head + "no feasible number of further cases would settle it: "
                           f"the % sits too close to the edge (within the {r.available:g} more cases available).")
                continue
            held = f"if the current % held, {r.more_if_held:.0f} more cases would take the interval off the edge"
            if np.isnan(more_assured):
                tail = (f"; allowing for the uncertainty in the current %, no number within the "
                        f"{r.available:g} available settles it with {self.assurance:.0%} probability.")
            else:
                tail = (f"; allowing for the uncertainty in the current %, {r.more_assured:.0f} more "
                        f"settle it one way or the other with an estimated {self.assurance:.0%} probability "
                        "(less when the truth sits right at the edge).")
            out.append(head + held + tail)
        return out


def _from_results(assessment, results) -> tuple[dict, dict]:
    """Per standard: the N of its driving key question (None for a relevant sub-sample, whose
    own N is not known) and the cases left in its sample's population (N − n)."""
    pops = dict(getattr(results, "populations", {}) or {})
    kqf = assessment.framework.to_frame().set_index("key_question")
    kq = assessment.key_questions.set_index("key_question")
    population, left = {}, {}
    for s in assessment.standards.to_dict("records"):
        d = s["driving_key_question"]
        if not isinstance(d, str) or d not in kqf.index:
            continue
        sample = kqf.loc[d, "sample"]
        N = pops.get(sample)
        if N is None:
            continue
        n_sample = float(kq.loc[kqf.index[kqf["sample"] == sample].intersection(kq.index), "n"].max())
        left[s["standard"]] = max(int(N - n_sample), 0)
        population[s["standard"]] = None if bool(kqf.loc[d, "relevant_subsample"]) else N
    return population, left


def cases_to_settle(assessment: Assessment, results: Results | None = None, *,
                    available: int | dict[str, int] | None = None,
                    population: int | dict[str, int] | None = None, assurance: float = 0.8,
                    max_extra: int = 5000) -> Settling:
    """How many more cases would settle each flagged standard's rating.

    For each flagged standard rated by key questions, its driving key question with a band
    edge inside its interval: the smallest extra number of cases m for which the interval at
    n + m leaves the edge — with the driving key question's own method (under the default,
    mid-p hypergeometric where ``population`` is given, else Wilson) at the assessment's
    level — (a) if the current % held and (b) with probability ``assurance`` under the current estimate's uncertainty (see
    :func:`cases_to_settle_one`). Not feasible when no m up to the cases available does.

    Parameters
    ----------
    assessment : Assessment
        From :func:`sampling.rate`.
    results : Results, optional
        The results rated: each sample's N (``results.populations``) gives the
        finite-population correction of a whole-sample key question and bounds the extra cases
        at N − n (a relevant sub-sample's own N is unknown: no correction there).
    available : int, {standard: int} or None
        Cases still available (unused reserves, or N − n); None: N − n when ``population`` is
        given, else unbounded (up to ``max_extra``).
    population : int, {standard: int} or None
        The eligible population N of the flagged key question's sample (or sub-sample), for
        the finite-population correction and the bound.
    assurance : float
        Probability the stated ``more_assured`` settles the rating (default 0.8).
    max_extra : int
        The most extra cases considered where the population is unknown.

    Returns
    -------
    Settling

    Examples
    --------
    >>> import sampling
    >>> r = sampling.examples.seed_inspection()
    >>> a = sampling.rate(r, n_resamples=500, rng=1)
    >>> s = sampling.cases_to_settle(a, r)
    >>> s.to_frame().loc[s.to_frame()["standard"] == "4.2", "more_if_held"].item()
    178.0

    References
    ----------
    .. [1] Spiegelhalter, D. J., Abrams, K. R. & Myles, J. P. (2004). *Bayesian Approaches to
       Clinical Trials and Health-Care Evaluation*, §6.5. Wiley.
    """
    if results is not None and population is None:
        population, left = _from_results(assessment, results)
        if available is None:
            available = left
        elif not isinstance(available, dict):
            available = {k: min(int(available), v) for k, v in left.items()} | {"*": int(available)}
    rules = assessment.rules
    notes = []
    kq = assessment.key_questions.set_index("key_question")
    edges_eff = dict(zip(rules.kq_edges, rules.effective_edges))
    rows = []
    for s in assessment.standards.to_dict("records"):
        if not s["flagged"] or s["rated_by"] != "key questions" or not isinstance(s["driving_key_question"], str):
            continue
        k = cast(pd.Series, kq.loc[s["driving_key_question"]])  # one row: key questions are unique
        inside = [float(e) for e in str(k["boundary_inside"]).split(",") if e.strip()]
        if not inside:  # flagged on probability alone: the nearest edge
            pct = float(k["percent"])
            inside = [min(rules.kq_edges, key=lambda e: abs(edges_eff[e] - pct))]
        n, yes = float(k["n"]), float(k["yes"])
        given = population.get(s["standard"]) if isinstance(population, dict) else population
        N = None if given is None or np.isnan(float(given)) else float(given)
        used = assessment.method  # a bootstrap assessment's: Wilson stands in, whatever a row fell back to
        if assessment.method not in BOOTSTRAP and isinstance(k.get("method"), str):
            used = k["method"]  # the default gives each row its own (mid-p where N is known)
        method = _settle_method(used, N)
        note = f"the numbers use the {method_name(method)} interval as a stand-in for the {method_name(used)} interval"
        if method != used and note not in notes:
            notes.append(note)
        avail: float | None = (available.get(s["standard"], available.get("*")) if isinstance(available, dict)
                               else available)
        if avail is None and N is not None:
            avail = int(N - n)
        note = f"where the population is unknown, up to {max_extra:,} more cases were considered"
        if avail is None and note not in notes:
            notes.append(note)
        cap = max_extra if avail is None else int(avail)
        held, assured = [], []
        for e in inside:
            held.append(cases_to_settle_one(yes, n, edges_eff[e], available=cap, method=method,
                                            confidence_level=assessment.confidence_level, population=N))
            assured.append(cases_to_settle_one(yes, n, edges_eff[e], available=cap, method=method,
                                               confidence_level=assessment.confidence_level, population=N,
                                               assurance=assurance))
        worst = lambda xs: np.nan if any(x is None for x in xs) else float(max(xs))
        rows.append({"standard": s["standard"], "key_question": s["driving_key_question"],
                     "percent": float(k["percent"]), "edge": max(inside) if len(inside) == 1 else inside[0],
                     "n": n, "available": float(cap), "more_if_held": worst(held), "more_assured": worst(assured),
                     "assurance": assurance, "feasible": not np.isnan(worst(held))})
    cols = ["standard", "key_question", "percent", "edge", "n", "available", "more_if_held", "more_assured",
            "assurance", "feasible"]
    return Settling(pd.DataFrame(rows, columns=cols), assurance, tuple(notes))
