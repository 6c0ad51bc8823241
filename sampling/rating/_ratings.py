"""Ratings: bands, professional-discretion overrides, uncertainty flags and rating probabilities.

:func:`rate` turns :class:`~sampling.Results` into an :class:`~sampling.Assessment` in the
steps scipy's ``bootstrap`` would take: validate once; the intervals and the posterior draws
of the population percentages (one generator for both); the key-question table; the standards; the overall rating on three
bases ("rule", "rule + recorded overrides", "published"); the notes. The sentences (flag
reasons, notes) are composed in :mod:`sampling._wording` from the facts computed here.

Method
------
The probabilities are posterior probabilities of the rating a census would give: in each of
``n_resamples`` draws from the finite-population Pólya-urn posterior
(:mod:`sampling.estimation._posterior`: the unsampled cases drawn from an urn seeded with the
sampled ones, whole cases, within strata; the Bayesian bootstrap where N is unknown) every key
question's population percentage is banded with the rules, each standard takes the lowest
band of its key questions, and the standard scores are summed. Whole cases are drawn, so the
correlation between questions answered on the same cases is kept; with published aggregate
figures only, each key question is drawn on its own (a beta-binomial), which ignores it;
``probability_source`` says which. ``probabilities="bootstrap"`` gives the old probabilities
(the share of the joint case bootstrap's replicates giving a band: the bootstrap distribution
of the sample's rating, which the calibration study found over-confident).

A standard's rating is **flagged** when a band edge lies inside the confidence interval of the
key question that drives it, and **graded** by P(rule rating) (:mod:`sampling._grades`).
The overall rating is flagged when the probability of the rating given (on its basis) is below
``threshold`` (default 0.9). The draws' favourite band is kept in the tables
(``modal_rating``) but never reported as "the most likely rating": in simulation it was no
better than a coin where it differed from the rule rating.

References
----------
.. [1] Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*, ch. 6.
   Chapman & Hall.
.. [2] Davison, A. C. & Hinkley, D. V. (1997). *Bootstrap Methods and their Application*,
   §3.7. Cambridge University Press.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import _wording as wording
from ._facts import KeyQuestionArrays, StandardFacts
from ._grades import grade_of
from ._assessment import BASES, Assessment, probability_column as _p
from .._utils._tables import position
from .._utils._checks import check_bool, check_fraction
from .._utils._methods import AUTO, DEFAULT_METHOD
from .._utils._types import PopulationLike, SeedLike
from ..stats._options import IntervalOptions
from ..estimation._intervals import Intervals, intervals_and_posterior, intervals_and_replicates
from ..results._design import SurveyDesign, as_design
from ..results._results import Results
from ..design._rules import RatingRules, load_rules
from ..errors import ArgumentError, DataError

__all__ = ["rate", "band_probabilities_from_replicates", "IntervalOptions", "PROBABILITY_METHODS"]

#: how the rating probabilities are drawn: the finite-population posterior (default) or the
#: joint case bootstrap's replicates (the method before issue 26; over-confident, see _grades)
PROBABILITY_METHODS = ("posterior", "bootstrap")

STANDARD_COLUMNS = ["standard", "name", "rated_by", "driving_key_question", "driving_percent", "rule_rating",
                    "published_rating", "override_rating", "override_reason", "rating",
                    "agrees_with_published"]


def band_probabilities_from_replicates(bands: np.ndarray, n_labels: int) -> tuple[np.ndarray, int]:
    """Share of replicates in each band (0 … n_labels−1); replicates marked −1 are left out.

    Parameters
    ----------
    bands : array of int
        One band index per replicate (−1: no band).
    n_labels : int
        Number of bands.

    Returns
    -------
    probabilities : ndarray
        One per band (NaN when every replicate is −1).
    left_out : int
        The number of replicates marked −1.

    >>> band_probabilities_from_replicates(np.array([0, 1, 1, -1]), 3)
    (array([0.33333333, 0.66666667, 0.        ]), 1)
    """
    bands = np.asarray(bands)
    valid = bands >= 0
    counts = np.bincount(bands[valid], minlength=n_labels)[:n_labels].astype(float)
    total = counts.sum()
    probs = counts / total if total else np.full(n_labels, np.nan)
    return probs, int((~valid).sum())


def _probability_draws(design: SurveyDesign, options: IntervalOptions, probabilities: str
                       ) -> tuple[Intervals, np.ndarray, str]:
    """The intervals and the (B, k) draws of the key-question percentages the rating
    probabilities are read from, and how they were drawn: posterior draws of the population
    percentages (:mod:`sampling.estimation._posterior`), or the bootstrap's replicates."""
    if probabilities == "bootstrap":
        iv, reps = intervals_and_replicates(design, options)
        return iv, np.asarray(reps.values, dtype=float), reps.kind
    iv, post = intervals_and_posterior(design, options)
    return iv, post.values, post.kind


def _check_label(rules: RatingRules, label: Any, what: str) -> str:
    try:
        return rules.labels[rules.band_of(label)]
    except DataError:
        raise DataError(f"{what}: unknown rating {label!r}", values=(label,),
                        hint=f"Use one of: {', '.join(rules.labels)}.") from None


@dataclass
class _Inputs:
    """What every step needs, validated once."""
    results: Any
    rules: RatingRules
    labels: list[str]
    threshold: float
    partial: bool | None
    confidence_level: float


# --------------------------------------------------------------------------- key questions
def _percent_to_band(results: Any, summary: pd.DataFrame, pct: np.ndarray) -> np.ndarray:
    """The % each key question is banded on: the sample's own, as the inspectorate publishes
    it (a proportional draw is close to self-weighting), except for a sample drawn with a
    non-proportional allocation, whose own % is biased: its design-weighted % instead."""
    samples = tuple(getattr(results, "weighted_banding", ()) or ())
    if not samples or "weighted_percent" not in summary.columns:
        return pct
    weighted = summary["weighted_percent"].to_numpy(float)
    use = summary["sample"].astype(str).isin(samples).to_numpy() & ~np.isnan(weighted)
    return np.where(use, weighted, pct)


def _key_question_table(inp: _Inputs, iv: Any) -> tuple[pd.DataFrame, KeyQuestionArrays]:
    """The key-question table and the arrays later steps use (bands, interval ends, edges)."""
    rules, summary = inp.rules, inp.results.summary.reset_index(drop=True)
    ivt = iv.table  # follows results.summary row for row
    kq_ids = summary["key_question"].astype(str).tolist()
    pct = summary["percent"].to_numpy(float)
    given = summary["published_percent"].to_numpy(float)
    banded = np.where(np.isnan(given), rules.published_percent(_percent_to_band(inp.results, summary, pct)),
                      rules.published_percent(given))
    band_idx = rules.kq_band(banded)
    low, high = ivt["low"].to_numpy(float), ivt["high"].to_numpy(float)
    inside = rules.boundaries_inside(low, high)
    kq_note = ["; ".join(dict.fromkeys(str(x) for x in pair if isinstance(x, str) and x.strip()))
               for pair in zip(summary["note"], ivt["note"])]
    texts = {k.id: k.text for k in inp.results.framework.key_questions}
    table = pd.DataFrame({
        "standard": summary["standard"].astype(str), "key_question": kq_ids,
        "text": [texts.get(k, "") for k in kq_ids],
        "relevant_subsample": summary["relevant_subsample"].astype(bool),
        "yes": summary["yes"].astype(float), "n": summary["n"].astype(float),
        "missing": (summary["missing"].fillna(0).astype(int).to_numpy() if "missing" in summary.columns
                    else np.zeros(len(summary), dtype=int)),
        "n_known": summary["n_known"].astype(bool), "percent": pct, "published_percent": banded,
        "low": low, "high": high, "margin": ivt["margin"].to_numpy(float),
        "method": ivt["method"].astype(str).to_numpy(),
        "band": [rules.label(b) for b in band_idx],
        "boundary_inside": [", ".join(f"{e:g}" for e in t) for t in inside],
        "flagged": [bool(t) for t in inside], "note": kq_note,
    })
    if "weighted_percent" in ivt.columns:  # N_h known: the population estimate the interval is about
        table.insert(position(table, "percent") + 1, "weighted_percent", ivt["weighted_percent"].to_numpy(float))
        for col in ("design_effect", "effective_n"):
            if col in ivt.columns:
                table.insert(position(table, "n_known"), col, ivt[col].to_numpy(float))
    arrays = KeyQuestionArrays(tuple(kq_ids), pct, band_idx, low, high, tuple(tuple(t) for t in inside))
    return table, arrays


# --------------------------------------------------------------------------- standards
def _standard_facts(inp: _Inputs, idx: list[int], kq: KeyQuestionArrays, rep_bands: np.ndarray
                    ) -> tuple[StandardFacts, np.ndarray]:
    """The rule rating of a key-question-rated standard, its replicate bands and flag facts."""
    rules = inp.rules
    bands = kq.band[idx]
    rule_b = int(rules.standard_band(bands))
    drive_i = idx[int(np.lexsort((np.arange(len(idx)), kq.percent[idx], bands))[0])]
    sb = rules.standard_band(rep_bands[:, idx], axis=1)
    probs, dropped = band_probabilities_from_replicates(sb, len(inp.labels))
    modal = int(np.nanargmax(probs))
    others: list[str] = []
    edge = None
    if rule_b > 0:
        lower_edge = rules.effective_edges[rule_b - 1]
        others = [kq.ids[j] for j in idx if j != drive_i and kq.low[j] <= lower_edge]
        edge = rules.kq_edges[rule_b - 1]
    facts = StandardFacts(kq.ids[drive_i], drive_i, rule_b, modal, probs, dropped, kq.inside[drive_i],
                          float(kq.low[drive_i]), float(kq.high[drive_i]), bool(probs[modal] < inp.threshold),
                          tuple(others), edge)
    return facts, sb


def _kq_row(inp: _Inputs, facts: StandardFacts, pct: float, source: str) -> dict:
    labels = inp.labels
    reason = wording.flag_reason(facts, labels, inp.confidence_level, inp.threshold)
    return {"rated_by": "key questions", "driving_key_question": facts.drive, "driving_percent": float(pct),
            "rule_rating": labels[facts.rule], **{_p(l): float(facts.probs[j]) for j, l in enumerate(labels)},
            "modal_rating": labels[facts.modal], "modal_probability": float(facts.probs[facts.modal]),
            "grade": grade_of(facts.probs[facts.rule]),
            "boundary_inside": bool(facts.edges_inside), "flagged": bool(reason), "flag_reason": reason,
            "probability_source": source}


def _judgement_row(inp: _Inputs, label: str, band: int) -> dict:
    return {"rated_by": "judgement", "driving_key_question": None, "driving_percent": np.nan,
            "rule_rating": label, **{_p(l): float(j == band) for j, l in enumerate(inp.labels)},
            "modal_rating": label, "modal_probability": 1.0, "grade": "", "boundary_inside": False,
            "flagged": False, "flag_reason": "", "probability_source": "judgement (not sampled)"}


@dataclass
class _Standards:
    table: pd.DataFrame
    replicate_bands: dict      # standard -> (B,) bands, key-question-rated standards
    point_band: dict           # standard -> band of the rule (or judgement)
    judged: dict               # standard -> band fixed by judgement


def _recorded(inp: _Inputs, sid: str) -> tuple[str | None, str | None, str | None]:
    """The published rating and the recorded override (label, reason) of a standard."""
    res, rules = inp.results, inp.rules
    pub = (getattr(res, "published", {}) or {}).get(sid)
    pub = _check_label(rules, pub, f"published rating of {sid}") if pub else None
    ov = (getattr(res, "overrides", {}) or {}).get(sid)  # (label, reason), validated by load_results
    if not ov:
        return pub, None, None
    return pub, _check_label(rules, ov[0], f"override of {sid}"), ov[1]


def _rate_standards(inp: _Inputs, kq: KeyQuestionArrays, rep_bands: np.ndarray, source: str, notes: list) -> _Standards:
    kq_pos = {k: i for i, k in enumerate(kq.ids)}
    judgements = dict(getattr(inp.results, "judgements", {}) or {})
    rows, reps, point, judged, unrated = [], {}, {}, {}, []
    for st in inp.results.framework.standards:
        sid, have = st.id, [k for k in st.key_questions if k in kq_pos]
        pub, ov_label, ov_reason = _recorded(inp, st.id)
        row = {"standard": sid, "name": st.name}
        if have and sid in judgements:
            raise DataError(f"standard {sid} has key-question data ({', '.join(have)}) and a judgement: "
                            "it is rated from its cases", column="standard", values=(sid,),
                            hint="Drop the judgement, or record professional discretion as an override.")
        if have:
            absent = [k for k in st.key_questions if k not in kq_pos]
            if absent:
                notes.append(wording.absent_note(sid, have, absent))
            facts, reps[sid] = _standard_facts(inp, [kq_pos[k] for k in have], kq, rep_bands)
            if facts.dropped:
                notes.append(wording.dropped_note(sid, facts.dropped, rep_bands.shape[0]))
            point[sid] = facts.rule
            row.update(_kq_row(inp, facts, kq.percent[facts.drive_index], source))
        elif sid in judgements:
            label = _check_label(inp.rules, judgements[sid], f"judgement of {sid}")
            judged[sid] = point[sid] = inp.rules.band_of(label)
            row.update(_judgement_row(inp, label, judged[sid]))
        else:
            unrated.append(sid)
            continue
        final = ov_label or row["rule_rating"]
        row.update({"published_rating": pub, "override_rating": ov_label, "override_reason": ov_reason,
                    "rating": final, "agrees_with_published": (final == pub) if pub else pd.NA})
        rows.append(row)
    _check_unrated(inp, unrated, notes)
    cols = [*STANDARD_COLUMNS, *[_p(l) for l in inp.labels], "modal_rating", "modal_probability", "grade",
            "boundary_inside", "flagged", "flag_reason", "probability_source"]
    table = pd.DataFrame(rows, columns=cols)
    table["driving_percent"] = table["driving_percent"].astype(float)
    table["agrees_with_published"] = table["agrees_with_published"].astype("boolean")
    return _Standards(table, reps, point, judged)


def _check_unrated(inp: _Inputs, unrated: list[str], notes: list) -> None:
    if not unrated:
        return
    what = wording.unrated_note(unrated)
    if inp.partial is False:
        raise DataError(what, column="standard", values=unrated,
                        hint="Give their judgements or key-question data, or leave partial at its default "
                             "to rate what there is.",
                        cli_hint="Give their judgements (--judgement ID=RATING) or key-question data.")
    notes.append(f"{what}: not rated.")


# --------------------------------------------------------------------------- overall
def _fixed_bands(inp: _Inputs, std: _Standards, basis: str) -> dict:
    """Standards whose band is fixed on a basis: judgements, plus overrides or published ratings."""
    fixed = dict(std.judged)
    table = std.table.set_index("standard")
    published = dict(getattr(inp.results, "published", {}) or {})
    for sid in table.index:
        if sid in fixed:
            continue
        if basis == "rule + recorded overrides" and isinstance(override := table.at[sid, "override_rating"], str):
            fixed[sid] = inp.rules.band_of(override)
        elif basis == "published" and published.get(sid):
            fixed[sid] = inp.rules.band_of(published[sid])
    return fixed


def _score_replicates(inp: _Inputs, std: _Standards, fixed: dict, B: int) -> tuple[np.ndarray, int]:
    """The total score in every replicate (replicates where a standard had no band left out)."""
    scores = np.asarray(inp.rules.scores)
    total = np.full(B, sum(int(scores[b]) for b in fixed.values()), dtype=np.int64)
    bad = np.zeros(B, dtype=bool)
    for sid in std.table["standard"]:
        if sid not in fixed:
            sb = std.replicate_bands[sid]
            bad |= sb < 0
            total += scores[np.where(sb < 0, 0, sb)]
    return total[~bad], int(bad.sum())


def _overall_row(inp: _Inputs, basis: str, point: int, totals: np.ndarray, complete: bool) -> dict:
    labels, rules = inp.labels, inp.rules
    row = {"basis": basis, "score": point}
    if not complete:
        return {**row, "rating": None, **{_p(l): np.nan for l in labels}, "modal_rating": None,
                "modal_probability": np.nan, "p_rating": np.nan, "flagged": False}
    probs, _ = band_probabilities_from_replicates(rules.overall_band(totals), len(labels))
    modal, band = int(np.argmax(probs)), int(rules.overall_band(point))
    # flagged on P(the rating given), never on the bootstrap's favourite band (see _grades)
    return {**row, "rating": labels[band], **{_p(l): float(probs[j]) for j, l in enumerate(labels)},
            "modal_rating": labels[modal], "modal_probability": float(probs[modal]),
            "p_rating": float(probs[band]), "flagged": bool(probs[band] < inp.threshold)}


def _bases(inp: _Inputs, std: _Standards) -> list[str]:
    """The bases that say something: the rule always; with recorded overrides, the rule with
    them; with published ratings, the published ones."""
    out = [BASES[0]]
    if std.table["override_rating"].map(lambda v: isinstance(v, str)).any():
        out.append(BASES[1])
    if getattr(inp.results, "published", None):
        out.append(BASES[2])
    return out


def _overall(inp: _Inputs, std: _Standards, B: int, notes: list) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
    rules, rated = inp.rules, list(std.table["standard"])
    complete = len(rated) == rules.n_standards
    if not complete:
        what = wording.incomplete_note(rules.n_standards, rules.short_name, len(rated))
        if inp.partial is False:
            raise DataError(what, values=rated, hint="Rate every standard, or leave partial at its default.")
        notes.append(what)
    scores = np.asarray(rules.scores)
    rows, dist = [], []
    for basis in _bases(inp, std):
        fixed = _fixed_bands(inp, std, basis)
        point = sum(int(scores[fixed.get(sid, std.point_band[sid])]) for sid in rated)
        totals, left_out = _score_replicates(inp, std, fixed, B)
        if left_out:
            notes.append(f"overall ({basis}): {left_out} replicates left out (a standard had no "
                         "applicable case).")
        values, counts = np.unique(totals, return_counts=True)
        dist += [{"basis": basis, "score": int(v), "probability": c / totals.size} for v, c in zip(values, counts)]
        rows.append(_overall_row(inp, basis, point, totals, complete))
    overall = pd.DataFrame(rows, columns=["basis", "score", "rating", *[_p(l) for l in inp.labels],
                                          "modal_rating", "modal_probability", "p_rating", "flagged"])
    return overall, pd.DataFrame(dist, columns=["basis", "score", "probability"]), complete


def _final_notes(inp: _Inputs, overall: pd.DataFrame, standards: pd.DataFrame, complete: bool,
                 source: str) -> list[str]:
    rules, res = inp.rules, inp.results
    notes = []
    if complete:
        notes += [wording.overall_note(basis, score, rating, inp.labels, list(rules.overall_edges))
                  for basis, score, rating in zip(overall["basis"].tolist(), overall["score"].tolist(),
                                                  overall["rating"].tolist())]
    pub_overall = getattr(res, "published_overall", None)
    if pub_overall and complete and (overall["basis"] == "published").any():
        got = overall.loc[overall["basis"] == "published", "rating"].iloc[0]
        notes.append(wording.published_overall_note(_check_label(rules, pub_overall, "published overall rating"), got))
    excluded = getattr(res, "excluded", None)
    return notes + wording.closing_notes(0 if excluded is None else len(excluded),
                                         standards.loc[standards["flagged"], "standard"].tolist(), source)


# --------------------------------------------------------------------------- entry point
def _checked(results: Any) -> Results:
    if not isinstance(results, Results):
        raise ArgumentError("results", type(results).__name__,
                            "must be a Results object (see sampling.load_results) or a survey design "
                            "(sampling.survey_design)")
    return results


def _validate(results: Results, rules: Any, threshold: Any, partial: Any, confidence_level: float) -> _Inputs:
    rules = results.framework.rules if rules is None else load_rules(rules)
    threshold = check_fraction(threshold, "threshold", high_open=False)
    partial = check_bool(partial, "partial", allow_none=True)
    if results.summary.empty and not any(True for _ in results.judgements):
        raise DataError("the results hold no key-question data and no judgements")
    return _Inputs(results, rules, list(rules.labels), threshold, partial, confidence_level)


def rate(results: Results | SurveyDesign, *, rules: RatingRules | str | os.PathLike | None = None,
         method: str = DEFAULT_METHOD, confidence_level: float = 0.8, population: PopulationLike = None, finite_population: bool | None = None, n_resamples: int = 10_000,
         rng: SeedLike = None, threshold: float = 0.9, partial: bool | None = None,
         options: IntervalOptions | None = None, probabilities: str = "posterior") -> Assessment:
    """Rate an inspection: key-question bands, standard and overall ratings, flags, probabilities.

    Parameters
    ----------
    results : Results or SurveyDesign
        From :func:`sampling.load_results` (or :func:`sampling.examples.seed_inspection`,
        :func:`sampling.examples.synthetic_results`), or its design
        (:func:`sampling.survey_design`, which then holds the population options). The
        design is made once and serves the intervals, the replicates and the ratings.
    rules : RatingRules, name or path, optional
        Default: the framework's rules.
    method, confidence_level, population, finite_population, n_resamples, rng
        The interval and resampling options (see :class:`IntervalOptions`); one generator
        serves intervals and replicates, so a seed reproduces the whole assessment. The
        default method ``"auto"`` is mid-p hypergeometric where the population is known,
        else Wilson; ``Assessment.method`` names the method used.
    threshold : float in (0, 1]
        The overall rating is flagged when the probability of the rating given is below
        this. (A standard is flagged when a band edge lies inside its deciding question's
        interval, and graded by the probability of its rule rating.)
    partial : bool or None
        None (default) or True: a partial inspection is normal — the standards with data or
        a judgement are rated, the others listed in a note, and the overall rating is given
        only when every standard of the rules is rated (else "incomplete: k of n standards
        rated", with the total). False: every standard must be rated, else :class:`DataError`.
    options : IntervalOptions, optional
        The interval options as one object; when given, it replaces the six keywords above.
    probabilities : {"posterior", "bootstrap"}
        Where the rating probabilities come from. "posterior" (default): ``n_resamples``
        draws of the population's true percentages from the finite-population Pólya-urn
        posterior (the Bayesian bootstrap where N is unknown), so P(rating) is the
        probability that a census would give that rating — calibrated in simulation
        (``benchmarks/calibration_study.py``). "bootstrap": the share of the joint case
        bootstrap's replicates giving it (the method before issue 26; over-confident).
        The intervals are the same either way.

    Returns
    -------
    Assessment

    References
    ----------
    .. [1] Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*, ch. 6.
    .. [2] Davison, A. C. & Hinkley, D. V. (1997). *Bootstrap Methods and their Application*, §3.7.

    Examples
    --------
    >>> import sampling
    >>> assessment = sampling.rate(sampling.seed_inspection(), rng=2019)
    >>> assessment.overall.set_index("basis").loc["rule", "rating"]
    'Requires improvement'
    """
    if probabilities not in PROBABILITY_METHODS:
        raise ArgumentError("probabilities", probabilities, f"must be one of {', '.join(PROBABILITY_METHODS)}")
    if options is None:
        options = IntervalOptions(method, confidence_level, population, finite_population, n_resamples, rng)
    elif not isinstance(options, IntervalOptions):
        raise ArgumentError("options", type(options).__name__, "must be an IntervalOptions")
    design = as_design(results if isinstance(results, SurveyDesign) else _checked(results),
                       options.population, options.finite_population)
    results = design.results
    inp = _validate(results, rules, threshold, partial, options.confidence_level)
    iv, draws, kind = _probability_draws(design, options, probabilities)
    notes: list[str] = []
    kq_table, kq = _key_question_table(inp, iv)
    if (~kq_table["n_known"]).any():
        notes.append(wording.inferred_n_note(kq_table.loc[~kq_table["n_known"], "key_question"].tolist()))
    if "weighted_percent" in kq_table.columns:
        notes.append(wording.weighted_note(results.stratum_populations))
    if getattr(results, "weighted_banding", ()):
        notes.append(f"sample(s) {', '.join(results.weighted_banding)} were not drawn in proportion to the "
                     "population (a non-proportional allocation): their own % over-represents some cells, so "
                     "their key questions are banded on the design-weighted % (w%), not the sample's own")
    if kq_table["missing"].sum():
        notes.append(f"{int(kq_table['missing'].sum())} blank answer(s) in partly answered cases are left out of "
                     "their question's n (the missing column): missing answers are taken to be like the "
                     "answered ones in the same stratum")
    other = iv.table[iv.table["method"] != iv.method] if iv.method != AUTO and "+" not in iv.method else iv.table[:0]
    if len(other):
        notes.append(wording.fallback_note(iv.method, other["key_question"].astype(str).tolist(),
                                           other["method"].astype(str).tolist(), other["note"].astype(str).tolist()))
    no_n = iv.table.loc[iv.table["population"].isna(), "sample"].drop_duplicates().tolist()
    if no_n and options.finite_population is not False:
        notes.append(wording.unknown_population_note(no_n))
    rep_bands = inp.rules.kq_band(draws)
    B = rep_bands.shape[0]
    source = f"{kind}: {B:,} {'replicates' if probabilities == 'bootstrap' else 'draws'}" + (
        "" if results.level == "case" else (
        "; key questions drawn independently (aggregate data hold no case-level correlation)"))
    std = _rate_standards(inp, kq, rep_bands, source, notes)
    overall, overall_scores, complete = _overall(inp, std, B, notes)
    notes += _final_notes(inp, overall, std.table, complete, source)
    return Assessment(
        key_questions=kq_table, standards=std.table, overall=overall, overall_scores=overall_scores,
        framework=results.framework, rules=inp.rules, method=str(getattr(iv, "method", options.method)),
        confidence_level=options.confidence_level, n_resamples=B, probability_source=source,
        notes=tuple(notes), threshold=inp.threshold, provider=getattr(results, "provider", None),
    )
