"""Graded ratings: settled / leaning / could go either way, on P(rule rating); flags only for a
band edge inside the deciding question's interval; no "most likely rating" finding. The
grades' stated meanings are checked on a small flag study (the full measurement, whose rates the
words quote: ``benchmarks/calibration_study.py``, stored in ``sampling/rating/grade_rates.json``)."""
from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from bench_loader import load_benchmark
import sampling
from sampling.rating._grades import GRADES, LEANING, SETTLED, grade_of

_load = load_benchmark


def test_grade_thresholds():
    assert grade_of(SETTLED) == "settled" and grade_of(np.nextafter(SETTLED, 0)) == "leaning"
    assert grade_of(LEANING) == "leaning" and grade_of(np.nextafter(LEANING, 0)) == "could go either way"
    assert list(grade_of([1.0, 0.8, 0.1, np.nan])) == [*GRADES, ""]


def test_seed_ratings_are_graded_and_flagged_only_for_an_edge():
    a = sampling.rate(sampling.seed_inspection(), rng=2019)
    st = a.standards
    kq_rated = st[st["rated_by"] == "key questions"]
    p_rule = [row[f"P({row['rule_rating']})"] for _, row in kq_rated.iterrows()]
    assert list(kq_rated["grade"]) == list(grade_of(p_rule))
    assert (st.loc[st["rated_by"] == "judgement", "grade"] == "").all()
    assert (st["flagged"] == st["boundary_inside"]).all()
    assert not st["flag_reason"].str.contains("most likely").any()
    four_one = st.set_index("standard").loc["4.1"]  # the seed's 4.1: rule Good, P = 0.44
    assert four_one["rule_rating"] == "Good" and four_one["grade"] == "could go either way"
    assert "P(Good, the rule rating) = 0.4" in four_one["flag_reason"]
    assert "grade" in a.standards_summary().columns


@pytest.fixture(scope="module")
def small_study():
    study = _load("flag_study")
    rows = [r for seed in range(150) for r in study.one_inspection(("spread", 7000 + seed, 400))]
    return study, pd.DataFrame(rows)


def test_grades_mean_what_they_say_on_a_small_study(small_study):
    """150 spread inspections (600 standards), B = 400: settled ratings are rarely wrong and
    far rarer than could-go-either-way ones (the full calibration study's rates are in
    ``sampling/rating/grade_rates.json``)."""
    study, t = small_study
    t = t.assign(wrong=t["rule_rating"] != t["true_rating"], grade=study.grade(t["p_rule"]))
    rate = t.groupby("grade")["wrong"].mean()
    share = t["grade"].value_counts(normalize=True)
    assert rate["settled"] <= 0.06 and share["settled"] >= 0.35
    assert rate["settled"] < rate["leaning"] < rate["could go either way"]
    # calibration where it can hold: reported P(rule) vs observed, over all standards
    assert abs(t["p_rule"].mean() - (1 - t["wrong"].mean())) < 0.05
