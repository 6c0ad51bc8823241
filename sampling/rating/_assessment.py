"""The result of :func:`sampling.rate`: an :class:`Assessment`, with its display in a terminal
and a notebook and its JSON form."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._utils._tables import position
from .._utils._display import TableResult
from .._utils._format import jsonable
from .._utils._methods import method_name
from ..design._framework import Framework
from ..design._rules import RatingRules

__all__ = ["Assessment", "BASES", "probability_column"]

#: The three bases of the overall rating, in display order.
BASES = ("rule", "rule + recorded overrides", "published")


def probability_column(label: str) -> str:
    """The column holding the probability of a rating: ``P(<label>)``."""
    return f"P({label})"


def _fmt_pct(x: float) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.1f}"


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
        modal_rating, modal_probability, p_rating`` (the probability of the rating given: what
        the flag and the report use), ``flagged``.
    overall_scores : DataFrame
        ``basis, score, probability``: the distribution of the total score per basis.
    framework : Framework
        The framework rated (standards, key questions, samples).
    rules : RatingRules
        The rating rules applied (bands and the overall score).
    method : str
        The interval method used (``"hypergeometric-midp+wilson"`` when the default
        ``"auto"`` gave rows different methods; each row's is in ``key_questions``).
    confidence_level : float
        Two-sided, e.g. 0.8.
    n_resamples : int
        Draws behind the rating probabilities (posterior draws, or bootstrap replicates with
        ``rate(probabilities="bootstrap")``; ``probability_source`` says which).
    probability_source : str
        Where the rating probabilities came from, in words.
    notes : tuple of str
        What the reader should know, in words.
    threshold : float
        The probability below which a rating is flagged (default 0.9).
    provider : str or None
        The inspected provider's name, when the results give it.
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
    provider: str | None = None

    def to_frame(self) -> pd.DataFrame:
        """The standards table (a copy)."""
        return self.standards.copy()

    # ------------------------------------------------------------------ display
    def _title(self) -> str:
        who = f"Assessment of {self.provider!r}" if self.provider else "Assessment (no provider named)"
        return (f"{who} (rules {self.rules.short_name!r}; "
                f"{method_name(self.method)} {self.confidence_level:.0%} intervals; "
                f"probabilities from {self.n_resamples:,} "
                f"{'posterior draws' if 'posterior' in self.probability_source else 'replicates'})")

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
            "P(rule)": [f"{row[probability_column(row['rule_rating'])]:.2f}" for _, row in s.iterrows()],
            "grade": s["grade"] if "grade" in s else "",
            "flag": np.where(s["flagged"], "FLAG", ""),
        })

    def key_questions_summary(self) -> pd.DataFrame:
        """A compact key-question table for display."""
        k = self.key_questions
        out = pd.DataFrame({
            "key_question": k["key_question"],
            "yes": k["yes"].map(lambda v: f"{v:g}"),
            "n": [f"{n:g}" + ("" if known else "?") for n, known in zip(k["n"], k["n_known"])],
            "%": k["percent"].map(_fmt_pct),
            "low": k["low"].map(_fmt_pct), "high": k["high"].map(_fmt_pct),
            "band": k["band"], "edge inside": k["boundary_inside"],
            "flag": np.where(k["flagged"], "FLAG", ""),
        })
        if "missing" in k.columns and k["missing"].fillna(0).gt(0).any():  # blank answers left out of n
            out.insert(3, "missing", k["missing"].fillna(0).astype(int).astype(str).to_numpy())
        if "weighted_percent" in k.columns:  # design-weighted: the interval is about w%
            out.insert(position(out, "%") + 1, "w%", k["weighted_percent"].map(lambda v: "" if pd.isna(v) else _fmt_pct(v)))
        if "design_effect" in k.columns:  # R svymean(deff=TRUE): design variance / SRS variance
            at = position(out, "high") + 1
            out.insert(at, "deff", k["design_effect"].map(lambda v: "" if pd.isna(v) else f"{v:.2f}"))
            out.insert(at + 1, "n_eff", k["effective_n"].map(lambda v: "" if pd.isna(v) else f"{v:.1f}"))
        return out

    def overall_summary(self) -> pd.DataFrame:
        """A compact overall table for display."""
        o = self.overall
        out = o[["basis", "score", "rating"]].copy()
        out["rating"] = o["rating"].map(lambda r: "not rated" if r is None or pd.isna(r) else r)
        for lab in self.rules.labels:
            out[probability_column(lab)] = o[probability_column(lab)].map(lambda p: "" if pd.isna(p) else f"{p:.2f}")
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
        import html

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
        out = {
            "framework": self.framework.name,
            "rules": self.rules.short_name,
            "method": self.method,
            "confidence_level": self.confidence_level,
            "n_resamples": self.n_resamples,
            "threshold": self.threshold,
            "probability_source": self.probability_source,
            "key_questions": jsonable(self.key_questions),
            "standards": jsonable(self.standards),
            "overall": jsonable(self.overall),
            "overall_scores": jsonable(self.overall_scores),
            "notes": list(self.notes),
        }
        if self.provider is not None:
            out["provider"] = self.provider
        return out
