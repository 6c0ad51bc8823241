"""seed_inspection() and synthetic_results(): the built-in inspection and synthetic case data."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sampling import ArgumentError, SamplingError
from sampling.examples import seed_inspection, synthetic_results
from sampling.design._framework import load_framework
from sampling.plan._plan import implied_population


@pytest.fixture(scope="module")
def results(seed_results):
    return seed_results


# --------------------------------------------------------------------------- seed_inspection
def test_seed_inspection_is_aggregate_with_every_key_question(results, seed):
    assert results.level == "aggregate"
    assert results.answers is None
    assert list(results.summary["key_question"]) == list(seed.key_questions["key_question"])


def test_seed_inspection_reproduces_the_published_percentages(results, seed):
    s = results.summary.set_index("key_question")
    published = seed.key_questions.set_index("key_question")["percent_yes"].astype(float)
    rounded = results.framework.rules.published_percent(s["percent"].to_numpy(float))
    np.testing.assert_array_equal(rounded, published.reindex(s.index).to_numpy())
    # counts are whole numbers out of n
    np.testing.assert_array_equal(s["yes"], np.round(s["yes"]))
    np.testing.assert_allclose(s["percent"], 100 * s["yes"] / s["n"])


def test_seed_inspection_uses_the_sample_n_except_where_unknown(results, seed):
    samples = seed.inspection["samples"]
    s = results.summary.set_index("key_question")
    kq = seed.key_questions.set_index("key_question")
    for kid, row in kq.iterrows():
        n_sample = samples[row["sample"]]["n"]
        if row["relevant_subsample"]:
            assert not s.at[kid, "n_known"], kid
            assert s.at[kid, "n"] <= n_sample
            assert s.at[kid, "note"]
        elif s.at[kid, "n_known"]:
            assert s.at[kid, "n"] == n_sample, kid
    # 4.2.2: 54% is no whole count out of 42, so its n is inferred and said so
    assert not s.at["4.2.2", "n_known"]
    assert s.at["4.2.2", "n"] < samples["through_the_gate"]["n"]


def test_seed_inspection_judgements_published_and_overrides(results, seed):
    st = seed.standards
    fw = load_framework()
    judged = {s.id for s in fw.standards if not s.key_questions}
    assert judged and set(results.judgements) == judged
    for r in st.itertuples():
        assert results.published[r.standard] == r.published_rating
        if r.standard in judged:
            assert results.judgements[r.standard] == r.published_rating
    with_note = st[st["discretion_note"].notna()]
    assert set(results.overrides) == set(with_note["standard"])
    for r in with_note.itertuples():
        label, reason = results.overrides[r.standard]
        assert label == r.published_rating
        assert reason == r.discretion_note
    assert results.published_overall == seed.inspection["inspection"]["published_overall"]


def test_seed_inspection_populations(seed):
    implied = seed_inspection(population="implied")
    for name, s in seed.inspection["samples"].items():
        assert implied.populations[name] == implied_population(s["n"]).high
    assert not any(v for v in seed_inspection().populations.values())   # unknown by default
    mapping = {name: 1000 for name in seed.inspection["samples"]}
    assert dict(seed_inspection(population=mapping).populations) == mapping


def test_seed_inspection_rejects_a_bad_population():
    with pytest.raises(ArgumentError):
        seed_inspection(population="guess")


# --------------------------------------------------------------------------- synthetic_results
def test_synthetic_results_shape_and_columns(synth, seed):
    fw = load_framework()
    assert synth.level == "case"
    sizes = {name: s["n"] for name, s in seed.inspection["samples"].items()}
    assert synth.cases["sample"].value_counts().to_dict() == sizes
    assert len(synth.answers) == sum(sizes.values())
    assert set(synth.answers.columns) == set(fw.key_question_ids)
    for col in ("gender", "disposal", "rosh"):
        assert col in synth.cases.columns
    assert synth.answers.index.is_unique
    assert len(synth.excluded) == 0
    vals = synth.answers.to_numpy(float)
    assert set(np.unique(vals[~np.isnan(vals)])) <= {0.0, 1.0}


def test_synthetic_results_answers_only_their_sample_and_relevant_subsample(synth):
    fw = load_framework()
    sample = synth.cases["sample"]
    rosh_applies = synth.cases["rosh"].isin(["medium", "high", "very high"])
    for k in fw.key_questions:
        answered = synth.answers[k.id].notna()
        if k.relevant_subsample:
            expected = (sample == k.sample) & rosh_applies
        else:
            expected = sample == k.sample
        pd.testing.assert_series_equal(answered, expected, check_names=False)


def test_synthetic_results_reproducible(synth):
    again = synthetic_results(7)
    pd.testing.assert_frame_equal(again.answers, synth.answers)
    pd.testing.assert_frame_equal(again.cases, synth.cases)
    other = synthetic_results(8)
    assert not other.answers.equals(synth.answers)


def test_synthetic_results_marginals_and_correlation():
    # large samples: each question's % yes is close to the true %, and questions correlate
    truth = {"2.1.1": 75.0, "2.1.2": 50.0, "2.1.3": 30.0}
    r = synthetic_results(3, n={"case_supervision": 6000}, true_percent=truth, strata=())
    ans = r.answers[list(truth)]
    for kid, p in truth.items():
        se = 100 * np.sqrt(p / 100 * (1 - p / 100) / 6000)
        assert abs(100 * ans[kid].mean() - p) < 4 * se, kid
    assert ans.corr().to_numpy()[np.triu_indices(3, 1)].min() > 0.2
    indep = synthetic_results(3, n={"case_supervision": 6000}, true_percent=truth, strata=(),
                              correlation=0.0, standard_correlation=0.0)
    assert np.abs(indep.answers[list(truth)].corr().to_numpy()[np.triu_indices(3, 1)]).max() < 0.06


def test_synthetic_results_national_sample():
    r = synthetic_results(1, providers=21, n={"case_supervision": 132})
    assert len(r.answers) == 21 * 132 == 2772
    assert r.cases["provider"].nunique() == 21
    assert r.answers.index.is_unique


def test_synthetic_results_bad_arguments():
    with pytest.raises(ArgumentError):
        synthetic_results(1, correlation=0.8, standard_correlation=0.3)
    with pytest.raises(ArgumentError):
        synthetic_results(1, n={"no_such_sample": 10})
    with pytest.raises(SamplingError):
        synthetic_results(1, true_percent={"9.9.9": 50})
    with pytest.raises(ArgumentError):
        synthetic_results(1, true_percent={"2.1.1": 150})
    with pytest.raises(ArgumentError):
        synthetic_results(1, n=0)
    with pytest.raises(ArgumentError):
        synthetic_results("seed")
