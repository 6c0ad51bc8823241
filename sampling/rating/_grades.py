"""How sure a rating is, in three grades a reader can act on.

A standard's grade comes from P(rule rating): the posterior probability that a census would
give the rating the inspectorate's rules give to the sample (the finite-population Pólya-urn
posterior of :mod:`sampling.estimation._posterior`). The thresholds are fixed — settled at
0.90 or more, leaning from 0.70 to 0.90, could go either way below 0.70 — and what each
grade means is measured, not assumed: ``benchmarks/calibration_study.py`` simulates
inspections with known truth at the three sample sizes the inspectorate draws (42 of 56,
54 of 79 and 132 of 668 cases), every key question's true percentage spread over 35–95%,
and counts how often each grade's ratings were wrong — over all standards, and where the
deciding question's true percentage lies within 2 points of a band edge (where no sample of
this size can be sure). Its ``--write`` option stores the measured rates in
``grade_rates.json`` next to this module; :data:`GRADE_MEANING` and :func:`grade_table` word
them from that file, so no figure is copied into prose by hand. The same study checks
whether P(rule rating) and P(each rating) are calibrated (its verdict table counts, per
population size, the bins of 0.1 holding 300 or more simulated standards where stated and
observed differ by more than 3 points; in the recorded run only P(rule rating) below 0.6 at
N = 79 did, inside "could go either way", so the grades' thresholds are unaffected).

The draws' most likely rating is *not* reported as a finding when it differs from the rule
rating: the rule rating is the one the inspectorate gives (with the bootstrap's probabilities
that rating was no better than a coin, ``benchmarks/flag_study.py``; the calibration study
prints how often the posterior's is right when it differs).

References
----------
.. [1] Ghosh, M. & Meeden, G. (1997). *Bayesian Methods for Finite Population Sampling*,
   ch. 2. Chapman & Hall.
.. [2] Spiegelhalter, D. J. (1986). Probabilistic prediction in patient management and
   clinical trials. *Statistics in Medicine* 5, 421–433 (calibration).
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["GRADES", "SETTLED", "LEANING", "grade_of", "GRADE_MEANING", "GRADE_RANGES", "RATES_PATH", "grade_rates",
           "grade_table", "study_conditions"]

#: P(rule rating) at or above which a rating is settled
SETTLED = 0.90
#: P(rule rating) at or above which (and below SETTLED) a rating is leaning
LEANING = 0.70
GRADES = ("settled", "leaning", "could go either way")

#: the measured error rates of each grade, written by ``benchmarks/calibration_study.py --write``
RATES_PATH = Path(__file__).with_name("grade_rates.json")

#: each grade's range of P(rule rating), in words
GRADE_RANGES = {"settled": "at least 0.9", "leaning": "0.7 to 0.9", "could go either way": "below 0.7"}


@lru_cache(maxsize=1)
def grade_rates() -> dict:
    """The calibration study's measured rates: ``{"conditions": …, "rates": {population or
    "pooled": {grade: {"share", "wrong_all", "wrong_near", "wrong_far", "se_…", "n_…"}}}}``."""
    if not RATES_PATH.exists():
        raise FileNotFoundError(f"{RATES_PATH} is missing: run benchmarks/calibration_study.py --write")
    return json.loads(RATES_PATH.read_text(encoding="utf-8"))


def study_conditions() -> str:
    """The study's conditions in words, e.g. "the toolkit's calibration study, 45,000 simulated
    standards with known truth: 42 of 56, … cases sampled, every key question's true percentage
    uniform on 35-95%" (no file names: the report quotes it)."""
    c = grade_rates()["conditions"]
    each = [f"{v['sampled']} of {N}" for N, v in c["populations"].items()]
    sizes = ", ".join(each[:-1]) + " and " + each[-1] if len(each) > 1 else each[0]
    return (f"the toolkit's calibration study, {c['standards']:,} simulated standards with known truth: "
            f"{sizes} cases sampled, {c['truths']}")


def _meaning(grade: str, r: dict) -> str:
    low, high = grade_rates()["conditions"]["truth_range"]
    text = (f"P(rule rating) {GRADE_RANGES[grade]}: in simulated inspections (true percentages spread over "
            f"{low:g}-{high:g}%) such ratings were wrong "
            f"{100 * r['wrong_all']:.1f}% of the time, and {100 * r['wrong_near']:.0f}% of the time when "
            "the deciding key question's true percentage was within 2 points of a band edge")
    if grade == "could go either way":
        text += "; the sample cannot settle which side of the band edge the provider is on"
    return text


def _meanings() -> dict[str, str]:
    pooled = grade_rates()["rates"]["pooled"]
    return {g: _meaning(g, pooled[g]) for g in GRADES}


def __getattr__(name: str) -> Any:
    # GRADE_MEANING — what each grade means, in the words the report uses (figures from the
    # calibration study, pooled over its population sizes; conditions in study_conditions) —
    # is read from grade_rates.json on first use, so the study can run before the file exists
    if name == "GRADE_MEANING":
        return _meanings()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def grade_table() -> pd.DataFrame:
    """The measured rates as a table: population (sampled of N, or all pooled), grade, share of
    standards, % wrong overall / near an edge (deciding truth within 2 points) / far from every
    edge (7+ points), each with its Monte Carlo standard error."""
    rates = grade_rates()
    pops = rates["conditions"]["populations"]
    rows = []
    for key, by_grade in rates["rates"].items():
        where = "pooled" if key == "pooled" else f"{pops[key]['sampled']} of {key}"
        for g in GRADES:
            r = by_grade[g]
            rows.append({"population": where, "grade": g, "share %": 100 * r["share"],
                         **{f"wrong % ({w})": 100 * r[f"wrong_{w}"] for w in ("all", "near", "far")},
                         **{f"se ({w})": 100 * r[f"se_{w}"] for w in ("all", "near", "far")}})
    return pd.DataFrame(rows)


def grade_markdown() -> str:
    """:func:`grade_table` as the guide's Markdown table (the study writes it into the guide)."""
    lines = ["| sampled | grade | share of standards | rating wrong | wrong, deciding truth within 2 points "
             "of an edge | wrong, 7+ points from every edge |", "|---|---|---|---|---|---|"]
    for r in grade_table().to_dict("records"):
        lines.append(f"| {r['population']} | {r['grade']} | {r['share %']:.0f}% | {r['wrong % (all)']:.1f}% "
                     f"(± {r['se (all)']:.1f}) | {r['wrong % (near)']:.0f}% (± {r['se (near)']:.0f}) | "
                     f"{r['wrong % (far)']:.1f}% (± {r['se (far)']:.1f}) |")
    return "\n".join(lines)


def grade_of(p_rule: Any) -> Any:
    """The grade of each probability of the rule rating (NaN: no grade, "").

    >>> grade_of(0.95), grade_of(0.8), grade_of(0.55)
    ('settled', 'leaning', 'could go either way')
    """
    p = np.asarray(p_rule, dtype=float)
    out = np.where(np.isnan(p), "", np.where(p >= SETTLED, GRADES[0], np.where(p >= LEANING, GRADES[1], GRADES[2])))
    return str(out) if out.ndim == 0 else out.astype(object)
