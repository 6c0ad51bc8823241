"""The survey design made once (sampling.survey_design), as R's svydesign is kept apart from
its estimators: the same figures whether an estimator gets the results or their design, the
design's cells and fractions equal to hand counts, and rate() working the design out once."""
from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import pytest

import sampling
from sampling.errors import ArgumentError

SAMPLE = "case_supervision"
# three cells a, b, c of 8, 5 and 10 sampled cases from N_h = 40, 25, 60
H = list("aaaaaaaabbbbbcccccccccc")
Q1 = [1, 1, 0, 1, 1, 1, 1, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1]


def _weighted() -> sampling.Results:
    cases = pd.DataFrame({"case_id": [f"c{i:02d}" for i in range(len(H))], "h": H,
                          "2.1.1": ["yes" if v else "no" for v in Q1]})
    cells = pd.DataFrame({"h": ["a", "b", "c"], "population": [40, 25, 60]})
    return sampling.load_results(cases, sample=SAMPLE, stratum_populations=cells)


def test_design_of_the_seed_states_its_samples():
    results = sampling.seed_inspection()
    frame = sampling.survey_design(results).to_frame()
    assert list(frame["sample"]) == list(results.sample_sizes)
    assert list(frame["cases"]) == list(results.sample_sizes.values())
    assert not frame["finite_population"].any()
    known = sampling.survey_design(results, population=668).to_frame()
    assert (known["population"] == 668).all() and known["finite_population"].all()


def test_weighted_cells_weights_and_fractions_equal_hand_counts():
    design = sampling.survey_design(_weighted())
    (units,) = design.units
    assert design.weighted and units.weighted and units.finite and units.population == 125
    np.testing.assert_array_equal(units.cells.N_h, [40, 25, 60])
    np.testing.assert_array_equal(units.cells.n_h, [8, 5, 10])
    # every unit of cell h carries w = N_h / n_h; a yes/no question gives 2 units per cell
    assert sorted(set(np.round(units.weight, 12))) == [5.0, 6.0]
    assert sorted(units.fraction.values()) == pytest.approx(sorted([8 / 40, 5 / 25, 10 / 60]))
    assert units.counts.sum() == len(H)
    # yes per cell: a 6 of 8, b 1 of 5, c 3 of 10
    yes = units.counts @ units.Yp[:, 0]
    assert yes == sum(Q1)


@pytest.mark.parametrize("method", ["wilson", "clopper-pearson", "bootstrap-bca"])
def test_an_estimator_gives_the_same_from_results_or_their_design(method):
    results = sampling.synthetic_results(rng=4, n=80)
    direct = sampling.intervals(results, method=method, population=300, n_resamples=2000, rng=9).to_frame()
    design = sampling.survey_design(results, population=300)
    via = sampling.intervals(design, method=method, n_resamples=2000, rng=9).to_frame()
    pd.testing.assert_frame_equal(direct, via)


def test_rate_gives_the_same_from_results_or_their_design():
    results = sampling.seed_inspection()
    a = sampling.rate(results, population=668, n_resamples=2000, rng=5)
    b = sampling.rate(sampling.survey_design(results, population=668), n_resamples=2000, rng=5)
    pd.testing.assert_frame_equal(a.standards, b.standards)
    pd.testing.assert_frame_equal(a.key_questions, b.key_questions)


def test_weighted_intervals_the_same_through_the_design():
    results = _weighted()
    a = sampling.intervals(results).to_frame()
    b = sampling.intervals(sampling.survey_design(results)).to_frame()
    pd.testing.assert_frame_equal(a, b)
    assert "weighted_percent" in a.columns


def test_rate_works_the_design_out_once(monkeypatch):
    """Each sample's strata and cells are derived once per rate() (R: one svydesign), not
    again by the intervals, the replicates or the weighted rows."""
    weights = importlib.import_module("sampling.results._weights")
    calls = {"strata": 0, "cells": 0}
    strata, cells = weights.resampling_strata, weights.sample_design

    def count_strata(*a, **k):
        calls["strata"] += 1
        return strata(*a, **k)

    def count_cells(*a, **k):
        calls["cells"] += 1
        return cells(*a, **k)

    monkeypatch.setattr(importlib.import_module("sampling.results._design"), "resampling_strata", count_strata)
    monkeypatch.setattr(weights, "sample_design", count_cells)
    results = _weighted()
    calls.update(strata=0, cells=0)
    sampling.rate(results, n_resamples=500, rng=1, method="bootstrap-percentile")
    assert calls == {"strata": 1, "cells": 1}


def test_design_options_belong_to_the_design():
    design = sampling.survey_design(sampling.seed_inspection())
    with pytest.raises(ArgumentError, match="population"):
        sampling.intervals(design, population=668)
    with pytest.raises(ArgumentError, match="stratified"):
        sampling.bootstrap_replicates(design, stratified=False, n_resamples=10)
    with pytest.raises(ArgumentError, match="population"):
        sampling.rate(design, population=668)
    with pytest.raises(ArgumentError, match="Results"):
        sampling.survey_design(pd.DataFrame())


def test_design_does_not_touch_the_results():
    results = sampling.synthetic_results(rng=2, n=60)
    before = results.summary.copy(), results.answers.copy()
    sampling.survey_design(results, population=200)
    pd.testing.assert_frame_equal(results.summary, before[0])
    pd.testing.assert_frame_equal(results.answers, before[1])


def test_design_reads_in_a_notebook():
    text = repr(sampling.survey_design(sampling.seed_inspection(), population=668))
    assert text.startswith("Survey design:") and "None" not in text
    assert "<table" in sampling.survey_design(sampling.seed_inspection())._repr_html_()
