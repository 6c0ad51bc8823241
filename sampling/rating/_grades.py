"""How sure a rating is, in three grades a reader can act on.

A standard's grade comes from P(rule rating): the share of the joint bootstrap's replicates
that give the rating the inspectorate's rules give to the sample. The thresholds are fixed
and the meaning of each grade is measured, not assumed (``benchmarks/flag_study.py``:
3,000 simulated domain-two inspections with known truth, 132 of 668 cases, B = 2,000):

========================  ============  ===========================  ==========================
grade                     P(rule)       share of standards (spread)  wrong: spread / near edge
========================  ============  ===========================  ==========================
settled                   ≥ 0.90        52%                          2.3% / 21.5%
leaning                   0.70 – 0.90   29%                          20% / 33%
could go either way       < 0.70        19%                          40% / 47%
========================  ============  ===========================  ==========================

"Spread" truths draw every key question's true percentage from 35–95%; "near edge" pins
each within ±3 points of a band edge, where no sample of 132 can be sure. On spread truths
P(rule rating) is calibrated: in every bin of 100+ standards the reported probability and
the observed frequency of a right rating differ by at most 2 points (55.5 vs 55.6, 85.4 vs
83.6, 92.9 vs 94.5, …). 88% of standards whose deciding question is 7 or more points from
every edge are graded settled.

The bootstrap's most likely rating is *not* reported as a finding when it differs from the
rule rating: in the same study it was the true rating only 49% of the time (57% near
edges) — no better than a coin — because bootstrapping a standard's minimum over its key
questions adds a downward bias to a minimum already biased low.

References
----------
.. [1] Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*, ch. 6.
.. [2] Spiegelhalter, D. J. (1986). Probabilistic prediction in patient management and
   clinical trials. *Statistics in Medicine* 5, 421–433 (calibration).
"""
from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["GRADES", "SETTLED", "LEANING", "grade_of", "GRADE_MEANING"]

#: P(rule rating) at or above which a rating is settled
SETTLED = 0.90
#: P(rule rating) at or above which (and below SETTLED) a rating is leaning
LEANING = 0.70
GRADES = ("settled", "leaning", "could go either way")

#: what each grade means, in the words the report uses (figures from the flag study)
GRADE_MEANING = {
    "settled": "P(rule rating) at least 0.9: in simulated inspections such ratings were wrong "
               "about 2 times in 100",
    "leaning": "P(rule rating) 0.7 to 0.9: such ratings were wrong about 1 time in 5",
    "could go either way": "P(rule rating) below 0.7: such ratings were wrong about 2 times in 5; "
                           "the sample cannot settle which side of the band edge the provider is on",
}


def grade_of(p_rule: Any) -> Any:
    """The grade of each probability of the rule rating (NaN: no grade, "").

    >>> grade_of(0.95), grade_of(0.8), grade_of(0.55)
    ('settled', 'leaning', 'could go either way')
    """
    p = np.asarray(p_rule, dtype=float)
    out = np.where(np.isnan(p), "", np.where(p >= SETTLED, GRADES[0], np.where(p >= LEANING, GRADES[1], GRADES[2])))
    return str(out) if out.ndim == 0 else out.astype(object)
