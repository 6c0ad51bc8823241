"""Ratings: bands, professional-discretion overrides, uncertainty flags and rating probabilities.

:func:`rate` turns :class:`~sampling.results.Results` into an :class:`Assessment` with three
tables:

* **key questions** — % yes, n, the interval (from :func:`sampling.intervals.intervals`), the
  band the rules give, which band edges lie inside the interval, and a flag when one does;
* **standards** — the rule rating (the band of the lowest key question), the key question
  that drives it, the published rating and any recorded discretion override with its reason,
  the probability of each band, and a flag with its reason in words;
* **overall** — the total score and overall rating on three bases ("rule", "rule + recorded
  overrides", "published"), with the probability of each overall band.

Method
------
The probabilities are bootstrap probabilities: in every replicate of
:func:`sampling.intervals.bootstrap_replicates` every key question is re-banded with the
rules, each standard takes the lowest band of its key questions, and the standard scores are
summed. With case-level data the replicates resample *cases* (jointly across key
questions), so the correlation between questions answered on the same cases is kept — the
nonparametric bootstrap of Efron & Tibshirani (1993, ch. 6; stratified as in Davison &
Hinkley 1997, §3.7). With published aggregate figures only, each key question is drawn
independently from its own binomial (or hypergeometric) distribution — a parametric
bootstrap that ignores the correlation; ``probability_source`` says which was used. A
probability is then the share of replicates giving a band: the bootstrap distribution of the
rating statistic, which describes how much the rating would move from sample to sample; it
is not a Bayesian posterior. Because a standard takes the *minimum* of several noisy
percentages, its bootstrap distribution leans downwards: when two or more of its questions
sit just above an edge, the rule rating can have a probability below one half (4.1 in the
seed: P(Good) ≈ 0.45 although the rule gives Good).

A rating is **flagged** when a band edge lies inside the confidence interval of the key
question that drives it, when the most likely rating has a probability below ``threshold``
(default 0.9), or when the most likely rating is not the rule rating. Another key question
whose interval reaches below the standard's lower edge (it could become the new minimum)
does not set the flag by itself — that risk is what the joint probability measures — but it
is named in ``flag_reason`` when the standard is flagged.
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._checks import check_confidence_level, check_count, check_fraction, check_rng
from ._display import TableResult
from .errors import ArgumentError, DataError
from ._framework import Framework, RatingRules, load_rules

__all__ = ["rate", "Assessment", "BASES", "band_probabilities_from_replicates"]

#: The three bases of the overall rating, in display order.
BASES = ("rule", "rule + recorded overrides", "published")


def _pcol(label: str) -> str:
    return f"P({label})"


def _fmt_pct(x: float) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.1f}"


def _edge_text(edge: float) -> str:
    return f"{edge:g}%"


def band_probabilities_from_replicates(bands: np.ndarray, n_labels: int) -> tuple[np.ndarray, int]:
    """Share of replicates in each band (0 … n_labels−1); replicates marked −1 are left out.

    Returns the probabilities and the number of replicates left out.
    """
    bands = np.asarray(bands)
    valid = bands >= 0
    counts = np.bincount(bands[valid], minlength=n_labels)[:n_labels].astype(float)
    total = counts.sum()
    probs = counts / total if total else np.full(n_labels, np.nan)
    return probs, int((~valid).sum())


# --------------------------------------------------------------------------- result
@dataclass(frozen=True, repr=False)
class Assessment(TableResult):
    """Ratings of an inspection with their uncertainty (see :func:`rate`).

    Attributes
    ----------
    key_questions : DataFrame
        ``standard, key_question, text, relevant_subsample, yes, n, n_known, percent,
        published_percent, low, high, margin, method, band, boundary_inside, flagged, note``.
    standards : DataFrame
        ``standard, name, rated_by, driving_key_question, driving_percent, rule_rating,
        published_rating, override_rating, override_reason, rating, agrees_with_published,
        P(<label>)…, modal_rating, modal_probability, boundary_inside, flagged, flag_reason,
        probability_source``. The probabilities are of the *rule* rating (a recorded override
        is fixed and shown beside it).
    overall : DataFrame
        One row per basis (:data:`BASES`): ``basis, score, rating, P(<label>)…,
        modal_rating, modal_probability, flagged``.
    overall_scores : DataFrame
        ``basis, score, probability``: the distribution of the total score per basis.
    """

    key_questions: pd.DataFrame
    standards: pd.DataFrame
    overall: pd.DataFrame
    overall_scores: pd.DataFrame
    framework: Framework
    rules: RatingRules
    method: str
    confidence_level: float
    n_resamples: int
    probability_source: str
    notes: tuple[str, ...] = field(default=())
    threshold: float = 0.9

    def to_frame(self) -> pd.DataFrame:
        """The standards table (a copy)."""
        return self.standards.copy()

    # ------------------------------------------------------------------ display
    def _title(self) -> str:
        return (f"Assessment of {self.framework.name!r} (rules {self.rules.short_name!r}; "
                f"{self.method} {self.confidence_level:.0%} intervals; "
                f"probabilities from {self.n_resamples:,} replicates)")

    def _notes(self) -> list[str]:
        return list(self.notes)

    def standards_summary(self) -> pd.DataFrame:
        """A compact standards table for display."""
        s = self.standards
        return pd.DataFrame({
            "standard": s["standard"], "name": s["name"],
            "driving": s["driving_key_question"].fillna(""),
            "%": s["driving_percent"].map(_fmt_pct),
            "rule": s["rule_rating"], "published": s["published_rating"].fillna(""),
            "rating": s["rating"],
            "P(modal)": s["modal_probability"].map(lambda p: f"{p:.2f}"),
            "flag": np.where(s["flagged"], "FLAG", ""),
        })

    def key_questions_summary(self) -> pd.DataFrame:
        """A compact key-question table for display."""
        k = self.key_questions
        return pd.DataFrame({
            "key_question": k["key_question"],
            "yes": k["yes"].map(lambda v: f"{v:g}"),
            "n": [f"{n:g}" + ("" if known else "?") for n, known in zip(k["n"], k["n_known"])],
            "%": k["percent"].map(_fmt_pct),
            "low": k["low"].map(_fmt_pct), "high": k["high"].map(_fmt_pct),
            "band": k["band"], "edge inside": k["boundary_inside"],
            "flag": np.where(k["flagged"], "FLAG", ""),
        })

    def overall_summary(self) -> pd.DataFrame:
        """A compact overall table for display."""
        o = self.overall
        out = o[["basis", "score", "rating"]].copy()
        for lab in self.rules.labels:
            out[_pcol(lab)] = o[_pcol(lab)].map(lambda p: "" if pd.isna(p) else f"{p:.2f}")
        out["flag"] = np.where(o["flagged"], "FLAG", "")
        return out

    def __repr__(self) -> str:
        with pd.option_context("display.max_rows", 60, "display.max_columns", 30, "display.width", 160,
                               "display.max_colwidth", 40):
            std = self.standards_summary().to_string(index=False)
            ov = self.overall_summary().to_string(index=False)
        notes = "".join(f"\n{n}" for n in self._notes())
        return f"{self._title()}\n{std}\n\nOverall\n{ov}{notes}"

    def _repr_html_(self) -> str:
        def table(frame):
            return frame.to_html(index=False, border=0, classes="dataframe", na_rep="")
        notes = "".join(f"<p><small>{html.escape(n)}</small></p>" for n in self._notes())
        return (f"<div><strong>{html.escape(self._title())}</strong>"
                f"<p><em>Standards</em></p>{table(self.standards_summary())}"
                f"<p><em>Overall</em></p>{table(self.overall_summary())}"
                f"<p><em>Key questions</em></p>{table(self.key_questions_summary())}{notes}</div>")

    # ------------------------------------------------------------------ export
    def to_dict(self) -> dict:
        """A JSON-able dict: settings, the four tables as lists of records, and the notes."""
        def records(frame: pd.DataFrame) -> list[dict]:
            out = []
            for rec in frame.to_dict("records"):
                clean = {}
                for k, v in rec.items():
                    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
                        v = None
                    elif isinstance(v, np.generic):
                        v = v.item()
                        if isinstance(v, float) and math.isnan(v):
                            v = None
                    clean[str(k)] = v
                out.append(clean)
            return out

        return {
            "framework": self.framework.name,
            "rules": self.rules.short_name,
            "method": self.method,
            "confidence_level": self.confidence_level,
            "n_resamples": self.n_resamples,
            "threshold": self.threshold,
            "probability_source": self.probability_source,
            "key_questions": records(self.key_questions),
            "standards": records(self.standards),
            "overall": records(self.overall),
            "overall_scores": records(self.overall_scores),
            "notes": list(self.notes),
        }


# --------------------------------------------------------------------------- rate
def _check_label(rules: RatingRules, label: Any, what: str) -> str:
    try:
        return rules.labels[rules.band_of(label)]
    except DataError:
        raise DataError(f"{what}: unknown rating {label!r}", values=(label,),
                        hint=f"Use one of: {', '.join(rules.labels)}.") from None


def rate(results, *, rules: Any = None, method: str = "wilson", confidence_level: float = 0.8,
         population: Any = None, finite_population: bool | None = None, n_resamples: int = 10_000,
         rng: Any = None, threshold: float = 0.9, partial: bool = False) -> Assessment:
    """Rate an inspection: key-question bands, standard and overall ratings, flags, probabilities.

    Parameters
    ----------
    results : Results
        From :func:`sampling.results.load_results`, :func:`sampling.examples.seed_inspection`
        or :func:`sampling.examples.synthetic_results`.
    rules : RatingRules, name or path, optional
        Default: the framework's rules.
    method, confidence_level, population, finite_population, n_resamples, rng
        Passed to :func:`sampling.intervals.intervals` and
        :func:`sampling.intervals.bootstrap_replicates` (one generator serves both, so a seed
        reproduces the whole assessment).
    threshold : float in (0, 1]
        A standard or overall rating is flagged when its most likely band has a probability
        below this.
    partial : bool
        If False (default), every standard must have key-question data or a judgement and
        the framework must have the rules' ``n_standards`` standards, else :class:`DataError`.
        If True, unrated standards are left out with a note, and an overall total over a
        different number of standards is reported without an overall rating.

    Returns
    -------
    Assessment

    Notes
    -----
    See the module docstring for the method (stratified case bootstrap, Efron & Tibshirani
    1993; Davison & Hinkley 1997) and the flag rules.
    """
    from ._intervals import bootstrap_replicates, intervals

    for attr in ("framework", "summary", "level"):
        if not hasattr(results, attr):
            raise ArgumentError("results", type(results).__name__,
                                "must be a Results object (see sampling.load_results)")
    framework: Framework = results.framework
    rules = framework.rules if rules is None else load_rules(rules)
    confidence_level = check_confidence_level(confidence_level)
    threshold = check_fraction(threshold, "threshold", high_open=False)
    n_resamples = check_count(n_resamples, "n_resamples", minimum=1)
    if not isinstance(partial, (bool, np.bool_)):
        raise ArgumentError("partial", partial, "must be True or False")
    gen = check_rng(rng)
    labels = list(rules.labels)
    L = len(labels)

    summary = results.summary.reset_index(drop=True)
    if summary.empty and not any(True for _ in results.judgements):
        raise DataError("the results hold no key-question data and no judgements")

    iv = intervals(results, method=method, confidence_level=confidence_level, population=population,
                   finite_population=finite_population, n_resamples=n_resamples, rng=gen)
    reps = iv.replicates
    if reps is None:
        reps = bootstrap_replicates(results, n_resamples=n_resamples, population=population,
                                    finite_population=finite_population, rng=gen)
    notes: list[str] = []

    # ------------------------------------------------------------ key questions
    # iv.table and the replicates' columns follow results.summary row for row
    ivt = iv.table
    kq_ids = summary["key_question"].astype(str).tolist()
    pct = summary["percent"].to_numpy(float)
    given = summary["published_percent"].to_numpy(float)
    banded = np.where(np.isnan(given), rules.published_percent(pct), rules.published_percent(given))
    band_idx = rules.kq_band(banded)
    low = ivt["low"].to_numpy(float)
    high = ivt["high"].to_numpy(float)
    inside = rules.boundaries_inside(low, high)
    kq_note = []
    for notes_i in zip(summary["note"], ivt["note"]):
        parts = [str(x) for x in notes_i if isinstance(x, str) and x.strip()]
        kq_note.append("; ".join(dict.fromkeys(parts)))
    texts = {k.id: k.text for k in framework.key_questions}
    kq_table = pd.DataFrame({
        "standard": summary["standard"].astype(str),
        "key_question": kq_ids,
        "text": [texts.get(k, "") for k in kq_ids],
        "relevant_subsample": summary["relevant_subsample"].astype(bool),
        "yes": summary["yes"].astype(float),
        "n": summary["n"].astype(float),
        "n_known": summary["n_known"].astype(bool),
        "percent": pct,
        "published_percent": banded,
        "low": low, "high": high,
        "margin": ivt["margin"].to_numpy(float),
        "method": ivt["method"].astype(str).to_numpy(),
        "band": [rules.label(b) for b in band_idx],
        "boundary_inside": [", ".join(f"{e:g}" for e in t) for t in inside],
        "flagged": [bool(t) for t in inside],
        "note": kq_note,
    })
    if (~kq_table["n_known"]).any():
        ids = ", ".join(kq_table.loc[~kq_table["n_known"], "key_question"])
        notes.append(f"n inferred for {ids} (not published, or the published % is impossible on "
                     "the sample's n): each interval assumes the largest n consistent with the % "
                     "(marked ? in n; see each key question's note); the true interval is wider.")

    # ------------------------------------------------------------ replicate bands
    rep_bands = rules.kq_band(np.asarray(reps.values, dtype=float))
    B = rep_bands.shape[0]
    kind = str(reps.kind)
    case_level = results.level == "case"
    prob_source = (f"{kind}: {B:,} replicates" + (
        "" if case_level else "; key questions drawn independently (aggregate data hold no "
        "case-level correlation)"))

    # ------------------------------------------------------------ standards
    judgements = dict(getattr(results, "judgements", {}) or {})
    published = dict(getattr(results, "published", {}) or {})
    overrides = dict(getattr(results, "overrides", {}) or {})
    rows = []
    std_rep: dict[str, np.ndarray] = {}       # replicate bands of key-question-rated standards
    point_band: dict[str, int] = {}
    fixed_judgement: dict[str, int] = {}
    unrated: list[str] = []
    kq_pos = {k: i for i, k in enumerate(kq_ids)}
    for st in framework.standards:
        sid = st.id
        have = [k for k in st.key_questions if k in kq_pos]
        pub = published.get(sid)
        pub = _check_label(rules, pub, f"published rating of {sid}") if pub else None
        ov = overrides.get(sid)  # (label, reason), validated by load_results
        ov_label = ov_reason = None
        if ov:
            ov_label, ov_reason = _check_label(rules, ov[0], f"override of {sid}"), ov[1]
        row = {"standard": sid, "name": st.name}
        if have:
            idx = [kq_pos[k] for k in have]
            absent = [k for k in st.key_questions if k not in kq_pos]
            if absent:
                notes.append(f"{sid} is rated on {', '.join(have)} only: no data for {', '.join(absent)}.")
            bands = band_idx[idx]
            rule_b = int(rules.standard_band(bands))
            p = pct[idx]
            drive_i = idx[int(np.lexsort((np.arange(len(idx)), p, bands))[0])]
            drive = kq_ids[drive_i]
            sb = rules.standard_band(rep_bands[:, idx], axis=1)
            probs, dropped = band_probabilities_from_replicates(sb, L)
            if dropped:
                notes.append(f"{sid}: {dropped} of {B} replicates had no applicable case for any of its "
                             "key questions and were left out of its probabilities.")
            std_rep[sid] = sb
            point_band[sid] = rule_b
            modal = int(np.nanargmax(probs))
            b_inside = bool(inside[drive_i])
            reasons = []
            if b_inside:
                edges = " and ".join(_edge_text(e) for e in inside[drive_i])
                reasons.append(f"the {edges} edge lies inside {drive}'s {confidence_level:.0%} interval "
                               f"({low[drive_i]:.1f}–{high[drive_i]:.1f}%)")
            low_p = probs[modal] < threshold
            if reasons or low_p or modal != rule_b:
                if modal == rule_b:
                    reasons.append(f"P({labels[rule_b]}, the rule rating) = {probs[rule_b]:.2f}"
                                   + (f", below {threshold:g}" if low_p else ""))
                else:
                    reasons.append(f"P({labels[rule_b]}, the rule rating) = {probs[rule_b]:.2f}; the most "
                                   f"likely rating is {labels[modal]} (P = {probs[modal]:.2f})")
                # other questions that could become the new minimum
                if rule_b > 0:
                    lower_edge = rules.effective_edges[rule_b - 1]
                    others = [kq_ids[j] for j in idx if j != drive_i and low[j] <= lower_edge]
                    if others:
                        reasons.append(f"also {', '.join(others)} could fall below the "
                                       f"{_edge_text(rules.kq_edges[rule_b - 1])} edge")
            row.update({
                "rated_by": "key questions", "driving_key_question": drive,
                "driving_percent": float(pct[drive_i]), "rule_rating": labels[rule_b],
                **{_pcol(l): float(probs[j]) for j, l in enumerate(labels)},
                "modal_rating": labels[modal], "modal_probability": float(probs[modal]),
                "boundary_inside": b_inside, "flagged": bool(reasons),
                "flag_reason": "; ".join(reasons), "probability_source": prob_source,
            })
        elif sid in judgements:
            jl = _check_label(rules, judgements[sid], f"judgement of {sid}")
            jb = rules.band_of(jl)
            fixed_judgement[sid] = jb
            point_band[sid] = jb
            row.update({
                "rated_by": "judgement", "driving_key_question": None, "driving_percent": np.nan,
                "rule_rating": jl,
                **{_pcol(l): float(j == jb) for j, l in enumerate(labels)},
                "modal_rating": jl, "modal_probability": 1.0, "boundary_inside": False,
                "flagged": False, "flag_reason": "", "probability_source": "judgement (not sampled)",
            })
        else:
            unrated.append(sid)
            continue
        final = ov_label or row["rule_rating"]
        row.update({"published_rating": pub, "override_rating": ov_label, "override_reason": ov_reason,
                    "rating": final, "agrees_with_published": (final == pub) if pub else pd.NA})
        rows.append(row)
    if unrated:
        what = (f"standard(s) {', '.join(unrated)} have no key-question data and no judgement")
        if not partial:
            raise DataError(what, column="standard", values=unrated,
                            hint="Give judgements=… to load_results, add the key-question data, "
                                 "or pass partial=True.")
        notes.append(f"partial: {what}; they are left out.")
    std_cols = ["standard", "name", "rated_by", "driving_key_question", "driving_percent", "rule_rating",
                "published_rating", "override_rating", "override_reason", "rating",
                "agrees_with_published", *[_pcol(l) for l in labels], "modal_rating",
                "modal_probability", "boundary_inside", "flagged", "flag_reason", "probability_source"]
    standards = pd.DataFrame(rows, columns=std_cols)
    standards["driving_percent"] = standards["driving_percent"].astype(float)
    standards["agrees_with_published"] = standards["agrees_with_published"].astype("boolean")

    # ------------------------------------------------------------ overall
    rated_ids = list(standards["standard"])
    complete = len(rated_ids) == rules.n_standards
    if not complete:
        what = (f"the overall rating sums {rules.n_standards} standards under rules "
                f"{rules.short_name!r}, but {len(rated_ids)} are rated")
        if not partial:
            raise DataError(what, values=rated_ids,
                            hint="Use rules for this framework, or pass partial=True for the total "
                                 "without an overall rating.")
        notes.append(f"partial: {what}; totals are shown without an overall rating.")
    scores = np.asarray(rules.scores)
    ov_rows, dist_rows = [], []
    for basis in BASES:
        fixed = dict(fixed_judgement)
        if basis == "rule + recorded overrides":
            for sid in rated_ids:
                o = standards.loc[standards["standard"] == sid, "override_rating"].iloc[0]
                if sid not in fixed and isinstance(o, str):
                    fixed[sid] = rules.band_of(o)
        elif basis == "published":
            for sid in rated_ids:
                pr = published.get(sid)
                if sid not in fixed and pr:
                    fixed[sid] = rules.band_of(pr)
        point = sum(int(scores[fixed.get(sid, point_band[sid])]) for sid in rated_ids)
        total = np.full(B, sum(int(scores[b]) for b in fixed.values()), dtype=np.int64)
        bad = np.zeros(B, dtype=bool)
        for sid in rated_ids:
            if sid in fixed:
                continue
            sb = std_rep[sid]
            bad |= sb < 0
            total += scores[np.where(sb < 0, 0, sb)]
        t = total[~bad]
        if bad.any():
            notes.append(f"overall ({basis}): {int(bad.sum())} replicates left out (a standard had no "
                         "applicable case).")
        values, counts = np.unique(t, return_counts=True)
        for v, c in zip(values, counts):
            dist_rows.append({"basis": basis, "score": int(v), "probability": c / t.size})
        row = {"basis": basis, "score": point}
        if complete:
            ob = rules.overall_band(t)
            probs, _ = band_probabilities_from_replicates(ob, L)
            modal = int(np.argmax(probs))
            row.update({"rating": labels[int(rules.overall_band(point))],
                        **{_pcol(l): float(probs[j]) for j, l in enumerate(labels)},
                        "modal_rating": labels[modal], "modal_probability": float(probs[modal]),
                        "flagged": bool(probs[modal] < threshold)})
        else:
            row.update({"rating": None, **{_pcol(l): np.nan for l in labels},
                        "modal_rating": None, "modal_probability": np.nan, "flagged": False})
        ov_rows.append(row)
    overall = pd.DataFrame(ov_rows, columns=["basis", "score", "rating", *[_pcol(l) for l in labels],
                                             "modal_rating", "modal_probability", "flagged"])
    overall_scores = pd.DataFrame(dist_rows, columns=["basis", "score", "probability"])

    # ------------------------------------------------------------ notes
    if complete:
        edges = list(rules.overall_edges)
        for r in overall.itertuples():
            b = rules.band_of(r.rating)
            gaps = []
            if b < len(edges):
                d = edges[b] - r.score
                gaps.append(f"{d} point{'s' if d != 1 else ''} short of {labels[b + 1]}")
            if b > 0:
                d = r.score - edges[b - 1] + 1
                gaps.append(f"{d} point{'s' if d != 1 else ''} clear of {labels[b - 1]}")
            notes.append(f"Overall ({r.basis}): score {r.score} = {r.rating} ({', '.join(gaps)}).")
    pub_overall = getattr(results, "published_overall", None)
    if pub_overall and complete:
        po = _check_label(rules, pub_overall, "published overall rating")
        got = overall.loc[overall["basis"] == "published", "rating"].iloc[0]
        notes.append(f"The published overall rating is {po}; the published standard ratings give "
                     f"{got}" + (" (agree)." if po == got else " (they disagree)."))
    excluded = getattr(results, "excluded", None)
    if excluded is not None and len(excluded):
        notes.append(f"{len(excluded)} input cell(s)/row(s) were not used; see results.excluded.")
    flagged_ids = standards.loc[standards["flagged"], "standard"].tolist()
    if flagged_ids:
        notes.append(f"Flagged standards: {', '.join(flagged_ids)} (see flag_reason).")
    notes.append(f"Probabilities: {prob_source}.")

    return Assessment(
        key_questions=kq_table, standards=standards, overall=overall, overall_scores=overall_scores,
        framework=framework, rules=rules, method=str(getattr(iv, "method", method)),
        confidence_level=confidence_level, n_resamples=B, probability_source=prob_source,
        notes=tuple(notes), threshold=threshold,
    )
