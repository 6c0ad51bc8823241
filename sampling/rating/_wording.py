"""The sentences of an assessment: why a standard is flagged, what was inferred, how far the
overall score sits from its band edges. The rating arithmetic (:mod:`sampling._ratings`)
produces facts; this module turns them into words, so the two can change apart."""
from __future__ import annotations

from typing import Any, Sequence

from .._utils._methods import method_name
from ._facts import StandardFacts
from ._grades import grade_of

__all__ = ["flag_reason", "inferred_n_note", "absent_note", "dropped_note", "unrated_note",
           "incomplete_note", "unknown_population_note", "overall_note", "published_overall_note", "closing_notes",
           "fallback_note"]


def _edge(edge: float) -> str:
    return f"{edge:g}%"


def flag_reason(facts: StandardFacts, labels: Sequence[str], confidence_level: float, threshold: float) -> str:
    """Why a standard is flagged ("" when it is not): a band edge inside the confidence
    interval of the key question that decides its rating (the inspectorate's question: can
    the sample tell which side of the edge the provider is on?), with the probability of
    the rule rating and its grade (:mod:`sampling._grades`), and any other key question
    that could also fall below the edge.

    ``facts``: a standard's :class:`~sampling.rating._facts.StandardFacts` (the edges inside
    the deciding question's interval, that question and its interval, the rule band, the
    band probabilities, the other questions that could fall below the lower edge). The bootstrap's most likely rating is
    not reported: where it differs from the rule rating it was right only about half the
    time in simulation (``benchmarks/flag_study.py``).
    """
    if not facts.edges_inside:
        return ""
    edges = " and ".join(_edge(e) for e in facts.edges_inside)
    rule, probs = facts.rule, facts.probs
    reasons = [f"the {edges} edge lies inside {facts.drive}'s {confidence_level:.0%} interval "
               f"({facts.low:.1f}–{facts.high:.1f}%)",
               f"P({labels[rule]}, the rule rating) = {probs[rule]:.2f}: {grade_of(probs[rule])}"]
    others, edge = facts.others_below, facts.lower_edge
    if others and edge is not None:
        reasons.append(f"also {', '.join(others)} could fall below the {_edge(edge)} edge")
    return "; ".join(reasons)


def inferred_n_note(ids: Sequence[str]) -> str:
    """The note for key questions whose n was inferred."""
    return (f"n inferred for {', '.join(ids)} (not published, or the published % is impossible on "
            "the sample's n; marked ? in n): an unpublished relevant sub-sample is taken at its smallest "
            "plausible size, so its interval is as wide as the data allow; an impossible % takes the "
            "largest n consistent with it. See each key question's note.")


def absent_note(sid: str, have: Sequence[str], absent: Sequence[str]) -> str:
    return f"{sid} is rated on {', '.join(have)} only: no data for {', '.join(absent)}."


def dropped_note(sid: str, dropped: int, B: int) -> str:
    return (f"{sid}: {dropped} of {B} replicates had no applicable case for any of its "
            "key questions and were left out of its probabilities.")


def unrated_note(unrated: Sequence[str]) -> str:
    return f"standard(s) {', '.join(unrated)} have no key-question data and no judgement"


def unknown_population_note(samples: Sequence[str]) -> str:
    """One line for samples whose eligible population N is unknown."""
    return (f"eligible population N unknown for {', '.join(samples)}: intervals without the finite "
            "population correction (too wide when the sample is a large share of the population); "
            "give it with --population sample=N (population= in Python, or population in inspection.toml)")


def weighted_note(tables: Any) -> str:
    """The note for design-weighted samples (stratum populations N_h known): which figure is
    which, and any cells the weighted estimate cannot represent."""
    parts = []
    for sample, t in dict(tables).items():
        empty = t[t["n"] == 0]
        extra = (f", {len(empty)} cell(s) with no case ({int(empty['population'].sum())} of "
                 f"{int(t['population'].sum())} cases) unrepresented" if len(empty) else "")
        parts.append(f"{sample}: {int((t['n'] > 0).sum())} cells{extra}")
    return ("design-weighted (stratum populations N_h known; " + "; ".join(parts) + "): % is the "
            "sample's own percentage, as published and banded (the rule rating); w% weights each "
            "stratum cell by its share of the population, and the intervals, flags and probabilities "
            "are about that population percentage (each stratum's own finite-population correction).")


def incomplete_note(n_standards: int, rules_name: str, n_rated: int) -> str:
    return (f"overall rating incomplete: {n_rated} of {n_standards} standards rated (rules "
            f"{rules_name!r} sum all {n_standards}); the total is shown without an overall rating")


def overall_note(basis: str, score: int, rating: str, labels: Sequence[str], edges: Sequence[int]) -> str:
    """"Overall (basis): score 12 = X (k points short of Y, j points clear of Z)"."""
    band = list(labels).index(rating)
    gaps = []
    if band < len(edges):
        d = edges[band] - score
        gaps.append(f"{d} point{'s' if d != 1 else ''} short of {labels[band + 1]}")
    if band > 0:
        d = score - edges[band - 1] + 1
        gaps.append(f"{d} point{'s' if d != 1 else ''} clear of {labels[band - 1]}")
    return f"Overall ({basis}): score {score} = {rating} ({', '.join(gaps)})."


def published_overall_note(published: str, got: str) -> str:
    return (f"The published overall rating is {published}; the published standard ratings give "
            f"{got}" + (" (agree)." if published == got else " (they disagree)."))


def closing_notes(n_excluded: int, flagged: Sequence[str], probability_source: str) -> list[str]:
    """Excluded input, flagged standards, and where the probabilities come from."""
    out = []
    if n_excluded:
        out.append(f"{n_excluded} input cell(s)/row(s) were not used; each is listed with its reason among the excluded cases.")
    if flagged:
        out.append(f"Flagged standards: {', '.join(flagged)} (each flag's reason is given with its standard).")
    out.append(f"Probabilities: {probability_source}.")
    return out


def fallback_note(asked: str, key_questions: Sequence[str], used: Sequence[str], reasons: Sequence[str]) -> str:
    """Which key questions' intervals are not the method asked for, with what instead and the
    first one's reason (each key question's own reason is in its note)."""
    instead = ", ".join(dict.fromkeys(method_name(m) for m in used))
    why = next((part for part in str(reasons[0] if reasons else "").split("; ") if part.endswith(" is used")), "")
    return (f"{len(key_questions)} key question(s) ({', '.join(key_questions)}) use the {instead} interval "
            f"instead of the {method_name(asked)} one asked for" + (f" — for {key_questions[0]}: {why}" if why else "")
            + "; each key question's note says why")
