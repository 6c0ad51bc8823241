"""The national picture: several providers' results pooled into one percentage per key question,
each provider a stratum weighted by its eligible population, and each provider placed against
the pool (difference, interval, funnel-plot limits).

The arithmetic (stratified estimate, Wilson interval at the effective sample size, funnel
limits) is in :mod:`sampling._pool_stats`; this module checks the inputs and builds the tables.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .._utils._checks import check_confidence_level, check_populations
from .._utils._display import TableResult
from .._utils._format import jsonable
from ..stats._pool_stats import (POOL_METHODS, difference_variance, funnel_limits, pooled_interval,
                          stratified_proportion, z_value)
from ..results._design import question_populations
from ..results._weights import weighted_estimates
from ..errors import ArgumentError, DataError
from ._overlap import overlap_notes


if TYPE_CHECKING:
    from ..results._results import Results

__all__ = ["pool", "Pool", "NATIONAL_COLUMNS", "PROVIDER_COLUMNS"]

NATIONAL_COLUMNS = ["key_question", "standard", "sample", "providers", "cases", "percent", "low", "high",
                    "margin", "se", "n_eff", "population", "method", "note"]
PROVIDER_COLUMNS = ["provider", "key_question", "standard", "sample", "yes", "n", "percent", "population",
                    "weight", "national_percent", "difference", "difference_low", "difference_high",
                    "limit_80_low", "limit_80_high", "limit_95_low", "limit_95_high", "outside_80",
                    "outside_95", "position"]


@dataclass(frozen=True, repr=False)
class Pool(TableResult):
    """Several providers pooled (see :func:`pool`).

    Attributes
    ----------
    national : DataFrame
        One row per key question: ``key_question, standard, sample, providers, cases, percent,
        low, high, margin, se, n_eff, population, method, note`` (percentages 0–100; ``se`` in
        points; ``population`` = Σ N_i).
    providers : DataFrame
        One row per provider and key question: its ``yes, n, percent``, eligible population and
        weight, the ``national_percent``, the ``difference`` p_i − P (points) with its interval
        ``difference_low/high``, the funnel limits at its n (``limit_80_*``, ``limit_95_*``),
        ``outside_80``/``outside_95`` and ``position`` in words.
    confidence_level : float
    method : str
    framework : Framework
    provider_names : tuple of str
    notes : tuple of str
        What the reader should know, in words (e.g. case ids shared between providers' files).
    """

    national: pd.DataFrame
    providers: pd.DataFrame
    confidence_level: float
    method: str
    framework: Any
    provider_names: tuple
    notes: tuple = ()

    def to_frame(self) -> pd.DataFrame:
        """The national table (a copy)."""
        return self.national.copy()

    def to_dict(self) -> dict:
        """A JSON-able dict: settings and both tables as lists of records."""
        return {"framework": self.framework.name, "confidence_level": self.confidence_level,
                "method": self.method, "providers_pooled": list(self.provider_names),
                "national": jsonable(self.national), "providers": jsonable(self.providers),
                "notes": list(self.notes)}

    def _title(self) -> str:
        return (f"National picture: {len(self.provider_names)} provider(s) pooled, each weighted by its "
                f"eligible population ({self.confidence_level:.0%} {self.method} intervals)")

    def _notes(self) -> list[str]:
        out = list(self.notes) + [f"{k}: {note}" for k, note in zip(self.national["key_question"], self.national["note"]) if note]
        outside = self.providers[self.providers["outside_95"]]
        if len(outside):
            out.append("outside the funnel's 95% limits: " + ", ".join(
                f"{r.provider} on {r.key_question} ({r.position})" for r in outside.itertuples()))
        return out


# --------------------------------------------------------------------------- inputs
def _check_results(results: Any) -> list:
    if not isinstance(results, Sequence) or isinstance(results, (str, bytes)) or not len(results):
        raise ArgumentError("results", results, "a list of one or more providers' Results (load_results)")
    bad = [i for i, r in enumerate(results) if not hasattr(r, "summary") or not hasattr(r, "framework")]
    if bad:
        raise ArgumentError(f"results[{bad[0]}]", results[bad[0]], "a Results from sampling.load_results")
    first = results[0].framework
    ids = [k.id for k in first.key_questions]
    other = [r for r in results if r.framework.name != first.name or [k.id for k in r.framework.key_questions] != ids]
    if other:
        raise ArgumentError("results", [r.framework.name for r in results],
                            f"results of one framework: {other[0].provider or 'a provider'} uses "
                            f"{other[0].framework.name!r}, the first {first.name!r}")
    return list(results)


def _labels(results: list) -> list[str]:
    labels = [str(r.provider) if r.provider else f"provider {i + 1}" for i, r in enumerate(results)]
    dup = sorted({x for x in labels if labels.count(x) > 1})
    if dup:
        raise DataError(f"two of the results pooled carry the same provider name ({', '.join(map(repr, dup))}): "
                        "the pool needs one set of results per provider", values=dup,
                        hint="Give each Results its own provider name, e.g. "
                             "dataclasses.replace(results, provider='Northshire CRC').",
                        cli_hint="Give each provider's results once, or name each with --label (once per "
                                 "RESULTS, in order).")
    return labels


def _populations(results: list, labels: list[str], populations: Any) -> list[dict]:
    """{sample: N} per provider: the results' own, overridden by ``populations[provider]``."""
    if populations is None:
        populations = {}
    if not isinstance(populations, Mapping):
        raise ArgumentError("populations", populations, "a mapping {provider: N or {sample: N}}")
    unknown = [str(k) for k in populations if str(k) not in labels]
    if unknown:
        raise ArgumentError("populations", unknown, f"provider names among: {', '.join(labels)}")
    given = {str(k): v for k, v in populations.items()}
    return [check_populations(given.get(lab), r.sample_sizes, base=r.populations)
            for r, lab in zip(results, labels)]


def _provider_rows(results: list, labels: list[str], pops: list[dict], key_questions: Any) -> pd.DataFrame:
    """One row per provider and key question answered: counts and N_ij."""
    frames = []
    for r, lab, pop in zip(results, labels, pops):
        s = r.summary
        keep = (pd.to_numeric(s["n"], errors="coerce").fillna(0) >= 1).to_numpy()
        design = _design(r, pop)[keep]
        s = s[keep]
        frames.append(pd.DataFrame({
            "design_p": design["weighted_percent"].to_numpy(float) / 100,
            "design_v": design["variance"].to_numpy(float),
            "provider": lab, "key_question": s["key_question"].to_numpy(), "standard": s["standard"].to_numpy(),
            "sample": s["sample"].to_numpy(), "yes": s["yes"].astype(float).to_numpy(),
            "n": s["n"].astype(float).to_numpy(), "population": question_populations(s, pop, r.sample_sizes),
            "relevant_subsample": s["relevant_subsample"].astype(bool).to_numpy()
            if "relevant_subsample" in s else False,
            "n_known": s["n_known"].astype(bool).to_numpy() if "n_known" in s else True}))
    rows = pd.concat(frames, ignore_index=True)
    order = {k.id: i for i, k in enumerate(results[0].framework.key_questions)}
    if key_questions is not None:
        wanted = [key_questions] if isinstance(key_questions, str) else [str(k) for k in key_questions]
        missing = [k for k in wanted if k not in set(rows["key_question"])]
        if missing or not wanted:
            raise ArgumentError("key_questions", missing or wanted, "key questions the results have: "
                                + ", ".join(sorted(set(rows["key_question"]), key=lambda k: order.get(k, len(order)))))
        rows = rows[rows["key_question"].isin(wanted)]
    rows = rows.assign(_kq=rows["key_question"].map(order), _prov=rows["provider"].map(labels.index))
    return rows.sort_values(["_kq", "_prov"], kind="stable").drop(columns=["_kq", "_prov"]).reset_index(drop=True)


def _design(results: Results, populations: Mapping[str, int]) -> pd.DataFrame:
    """A provider's N_h-weighted estimates and stratified variances, for the samples whose
    stratum populations are known (NaN elsewhere: simple random sampling within provider)."""
    if not getattr(results, "stratum_populations", None):
        return pd.DataFrame({"weighted_percent": np.nan, "variance": np.nan}, index=results.summary.index)
    return weighted_estimates(results, fpc={s: True for s in populations})


def _require_populations(rows: pd.DataFrame) -> None:
    missing = rows[rows["population"].isna()]
    if len(missing):
        first = missing.iloc[0]
        raise ArgumentError("populations", {first["provider"]: None},
                            f"the eligible population N of provider {first['provider']!r} (sample "
                            f"{first['sample']!r}) is unknown, and providers are weighted by N, never "
                            f"equally: give it as PATH=N on the command line, or populations="
                            f"{{{first['provider']!r}: N}} in Python")


# --------------------------------------------------------------------------- tables
def _note(g: pd.DataFrame, n_providers: int) -> str:
    notes = []
    if len(g) < n_providers:
        notes.append(f"answered by {len(g)} of {n_providers} providers")
    if g["relevant_subsample"].any():
        notes.append("relevant sub-sample: each provider's N estimated as N·n_j/n")
    if not g["n_known"].all():
        notes.append("n inferred for " + ", ".join(g.loc[~g["n_known"], "provider"]))
    if g["design_p"].notna().any():
        notes.append("design-weighted (N_h) estimate and stratified variance for "
                     + ", ".join(g.loc[g["design_p"].notna(), "provider"]))
    return "; ".join(notes)


def _national_row(g: pd.DataFrame, n_providers: int, confidence_level: float, method: str) -> dict:
    P, v, _, _ = stratified_proportion(g["yes"], g["n"], g["population"], g["design_p"], g["design_v"])
    low, high, m = pooled_interval(P, v, g["n"].sum(), confidence_level, method)
    return {"key_question": g["key_question"].iat[0], "standard": g["standard"].iat[0],
            "sample": g["sample"].iat[0], "providers": len(g), "cases": int(g["n"].sum()),
            "percent": 100 * float(P), "low": 100 * float(low), "high": 100 * float(high),
            "margin": 50 * float(high - low), "se": 100 * float(np.sqrt(v)), "n_eff": float(m),
            "population": int(g["population"].sum()), "method": method, "note": _note(g, n_providers)}


def _against_pool(g: pd.DataFrame, confidence_level: float) -> pd.DataFrame:
    """A key question's providers against its pool: difference, interval, funnel limits."""
    P, _, W, V = stratified_proportion(g["yes"], g["n"], g["population"], g["design_p"], g["design_v"])
    own = g["design_p"].to_numpy(float)
    pct = 100 * np.where(np.isnan(own), g["yes"].to_numpy() / g["n"].to_numpy(), own)
    d = pct - 100 * P
    half = 100 * z_value(confidence_level) * np.sqrt(difference_variance(W, V))
    lim = pd.concat([funnel_limits(100 * float(P), [int(round(n))]) for n in g["n"]], ignore_index=True)
    tol = 1e-9
    out95 = (pct < lim["low_95"].to_numpy() - tol) | (pct > lim["high_95"].to_numpy() + tol)
    out80 = (pct < lim["low_80"].to_numpy() - tol) | (pct > lim["high_80"].to_numpy() + tol)
    side = np.where(d > 0, "above", "below")
    position = np.where(out95, np.char.add(side, " 95% limit"),
                        np.where(out80, np.char.add(side, " 80% limit"), "within 80% limits"))
    return pd.DataFrame({
        "provider": g["provider"].to_numpy(), "key_question": g["key_question"].to_numpy(),
        "standard": g["standard"].to_numpy(), "sample": g["sample"].to_numpy(), "yes": g["yes"].to_numpy(),
        "n": g["n"].to_numpy(), "percent": pct, "population": g["population"].to_numpy(), "weight": W,
        "national_percent": 100 * float(P), "difference": d, "difference_low": d - half,
        "difference_high": d + half, "limit_80_low": lim["low_80"].to_numpy(),
        "limit_80_high": lim["high_80"].to_numpy(), "limit_95_low": lim["low_95"].to_numpy(),
        "limit_95_high": lim["high_95"].to_numpy(), "outside_80": out80, "outside_95": out95,
        "position": position.astype(str)})


def pool(results: Sequence[Results], *, confidence_level: float = 0.8, populations: Mapping[str, Any] | None = None,
         key_questions: str | Sequence[str] | None = None, method: str = "wilson") -> Pool:
    """Pool several providers' results into one national percentage per key question.

    Each provider is a stratum of a stratified sample, weighted by its eligible population N_i
    (``results.populations`` for the question's sample; for a relevant sub-sample
    N_ij = N_i·n_ij/n_i). The national % is Σ W_i p_i with W_i = N_i/ΣN — the
    population-weighted mean of the providers' % — and its variance is the stratified
    variance without replacement, v = Σ W_i² (1 − f_i) s_i²/n_i, s_i² = n_i p_i(1 − p_i)/(n_i − 1)
    (Cochran 1977, §5.3). The interval is Wilson's at the effective sample size
    n_eff = P(1 − P)/v (Korn & Graubard 1998), which covered 78–85% at the 80% level in the
    simulation of ``benchmarks/pool_study.py`` (5 and 21 providers, N 56–900, true % 40–95).

    Each provider is then placed against the pool: the difference p_i − P in points, with a
    normal interval whose variance allows for P containing p_i,
    (1 − W_i)² V_i + Σ_{j≠i} W_j² V_j, and the funnel plot's 80% and 95% control limits at its
    n (binomial quantiles around P, Spiegelhalter 2005; see :func:`sampling.charts.funnel`).

    Parameters
    ----------
    results : sequence of Results
        One per provider, all of the same framework; each provider's name is
        ``results.provider`` ("provider 1", … when unset; names must differ).
    confidence_level : float
        Two-sided level of the national and difference intervals (default 0.8).
    populations : {provider: N or {sample: N}}, optional
        Eligible populations overriding (or adding to) each ``results.populations``. A provider
        whose N is unknown is refused: providers are never weighted equally by default.
    key_questions : str or sequence of str, optional
        Only these key questions (default: every key question any provider answered).
    method : {"wilson", "normal"}
        National interval: Wilson at n_eff (default) or P ± z·√v.

    Returns
    -------
    Pool
        ``national`` and ``providers`` tables.

    References
    ----------
    .. [1] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., §5.3. Wiley.
    .. [2] Korn, E. L. & Graubard, B. I. (1998). Confidence intervals for proportions with small
       expected number of positive counts estimated from survey data. *Survey Methodology*
       24(2), 193–201.
    .. [3] Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional performance.
       *Statistics in Medicine* 24, 1185–1202.

    Examples
    --------
    >>> from sampling.examples import synthetic_results
    >>> import dataclasses
    >>> ps = [dataclasses.replace(synthetic_results(s, population=N), provider=f"P{s}")
    ...       for s, N in ((1, 668), (2, 300), (3, 150))]
    >>> national = pool(ps).national.set_index("key_question")
    >>> int(national.loc["2.1.1", "providers"]), int(national.loc["2.1.1", "population"])
    (3, 1118)
    """
    confidence_level = check_confidence_level(confidence_level)
    if method not in POOL_METHODS:
        raise ArgumentError("method", method, f"one of {', '.join(POOL_METHODS)}")
    results = _check_results(results)
    labels = _labels(results)
    rows = _provider_rows(results, labels, _populations(results, labels, populations), key_questions)
    if not len(rows):
        raise DataError("the results have no key question with answered cases to pool")
    _require_populations(rows)
    groups = [g for _, g in rows.groupby("key_question", sort=False)]
    national = pd.DataFrame([_national_row(g, len(results), confidence_level, method) for g in groups],
                            columns=NATIONAL_COLUMNS)
    providers = pd.concat([_against_pool(g, confidence_level) for g in groups], ignore_index=True)
    return Pool(national=national, providers=providers[PROVIDER_COLUMNS], confidence_level=confidence_level,
                method=method, framework=results[0].framework, provider_names=tuple(labels),
                notes=tuple(overlap_notes(results, labels, what="pool")))
