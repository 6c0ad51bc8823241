"""sampling.rating._ratings.rate: bands, overrides, flags and rating probabilities."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sampling import ArgumentError, DataError, SamplingError
from sampling.examples import seed_inspection, seed_tables, synthetic_results
from sampling.design._framework import Framework, load_rules
from sampling.rating._ratings import BASES, Assessment, rate
from sampling.results._results import load_results

B = 2000


@pytest.fixture(scope="module")
def assessment():
    return rate(seed_inspection(), n_resamples=B, rng=20190201)


def _std(a: Assessment) -> pd.DataFrame:
    return a.standards.set_index("standard")


def _rules_with(n_standards: int, edges=(1, 2, 3)):
    doc = load_rules("hmip-adult").to_dict()
    doc["short_name"] = f"test-{n_standards}"
    doc["overall"] = {"n_standards": n_standards, "edges": list(edges)}
    return load_rules(doc)


def _framework(standards: dict[str, list[str]], rules) -> Framework:
    st = pd.DataFrame({"standard": list(standards), "name": [f"Standard {s}" for s in standards]})
    kq = pd.DataFrame([{"key_question": k, "standard": s, "sample": "s"}
                       for s, ks in standards.items() for k in ks],
                      columns=["key_question", "standard", "sample"])
    return Framework.from_frames(st, kq, rules, name="test")


# --------------------------------------------------------------------------- seed expectations
def test_seed_rule_ratings_against_published(assessment, seed):
    s = _std(assessment)
    pub = seed.standards.set_index("standard")
    kq = seed.key_questions
    rules = assessment.rules
    for sid, row in pub.iterrows():
        assert s.at[sid, "published_rating"] == row["published_rating"]
        qs = kq[kq["standard"] == sid]
        if qs.empty:
            assert s.at[sid, "rated_by"] == "judgement"
            assert s.at[sid, "rating"] == row["published_rating"]
            continue
        # the rule, worked from the seed's published whole-number percentages
        expected = rules.label(rules.standard_band(rules.kq_band(qs["percent_yes"].astype(float))))
        assert s.at[sid, "rule_rating"] == expected, sid
        if row["rule_rating_before_discretion"]:
            assert s.at[sid, "rule_rating"] == row["rule_rating_before_discretion"]
    agrees = [sid for sid in s.index if s.at[sid, "rated_by"] == "key questions"
              and s.at[sid, "rule_rating"] == s.at[sid, "published_rating"]]
    lower = [sid for sid in s.index if s.at[sid, "rated_by"] == "key questions"
             and rules.band_of(s.at[sid, "rule_rating"]) < rules.band_of(s.at[sid, "published_rating"])]
    assert agrees == ["2.3", "4.1", "4.2"]
    assert lower == ["2.1", "2.2", "2.4"]
    assert {s.at[sid, "rule_rating"] for sid in lower} == {"Inadequate"}
    assert {s.at[sid, "published_rating"] for sid in lower} == {"Requires improvement"}


def test_seed_override_is_recorded_with_its_reason(assessment, seed):
    s = _std(assessment)
    noted = seed.standards.dropna(subset=["discretion_note"]).set_index("standard")
    assert list(noted.index) == ["2.4"]
    assert s.at["2.4", "override_rating"] == noted.at["2.4", "published_rating"]
    assert s.at["2.4", "override_reason"] == noted.at["2.4", "discretion_note"]
    assert s.at["2.4", "rating"] == "Requires improvement"
    assert s.at["2.4", "rule_rating"] == "Inadequate"
    others = s.drop(index="2.4")
    assert others["override_rating"].isna().all()
    assert (others["rating"] == others["rule_rating"]).all()
    assert bool(s.at["2.4", "agrees_with_published"]) and not bool(s.at["2.1", "agrees_with_published"])


def test_seed_boundary_flags(assessment):
    s = _std(assessment)
    for sid in ("2.1", "2.2", "2.4", "4.1"):
        assert s.at[sid, "boundary_inside"] and s.at[sid, "flagged"], sid
        assert "edge lies inside" in s.at[sid, "flag_reason"]
    assert s.at["4.1", "driving_key_question"] == "4.1.3"
    assert "65% edge" in s.at["4.1", "flag_reason"]
    assert "50% edge" in s.at["2.1", "flag_reason"] and "2.1.3" in s.at["2.1", "flag_reason"]
    # 2.3 sits well below 50% (its lowest question, 2.3.3, at 41% on the assumed n)
    assert not s.at["2.3", "boundary_inside"]
    judged = s[s["rated_by"] == "judgement"]
    assert not judged["flagged"].any()


def test_seed_4_2_driven_by_an_inferred_n(assessment):
    s = _std(assessment)
    k = assessment.key_questions.set_index("key_question")
    # 54% is no whole count out of 42: 4.2.2 is taken on the largest n' < 42 that admits it
    n_prime = max(m for m in range(1, 42)
                  if any(np.floor(100 * y / m + 0.5 + 1e-9) == 54 for y in range(m + 1)))
    assert k.at["4.2.2", "n"] == n_prime == 41
    assert not k.at["4.2.2", "n_known"]
    assert s.at["4.2", "driving_key_question"] == "4.2.2"
    assert s.at["4.2", "rule_rating"] == "Requires improvement" == s.at["4.2", "published_rating"]
    # its interval holds the 50% edge: the rating is flagged
    assert "50" in k.at["4.2.2", "boundary_inside"].split(", ")
    assert s.at["4.2", "boundary_inside"] and s.at["4.2", "flagged"]


def test_seed_overall_scores(assessment, seed):
    o = assessment.overall.set_index("basis")
    rules = assessment.rules
    pub = seed.standards["published_rating"].map(rules.band_of)
    assert o.at["published", "score"] == int(rules.score(pub).sum()) == 15
    assert o.at["rule", "score"] == 12
    assert o.at["rule + recorded overrides", "score"] == 13
    for basis in BASES:
        assert o.at[basis, "rating"] == "Requires improvement"
    # one point from Good
    good = rules.labels.index("Good")
    assert rules.overall_edges[good - 1] - o.at["published", "score"] == 1
    assert any("1 point short of Good" in n for n in assessment.notes)
    assert seed.inspection["inspection"]["published_overall"] == o.at["published", "rating"]


def test_key_question_table(assessment, seed):
    k = assessment.key_questions
    assert list(k["key_question"]) == list(seed.key_questions["key_question"])
    np.testing.assert_array_equal(k["published_percent"], seed.key_questions["percent_yes"].astype(float))
    assert (k["low"] <= k["percent"]).all() and (k["percent"] <= k["high"]).all()
    np.testing.assert_allclose(k["margin"], (k["high"] - k["low"]) / 2)
    rules = assessment.rules
    for r in k.itertuples():
        edges = rules.boundaries_inside(r.low, r.high)[0]
        assert r.boundary_inside == ", ".join(f"{e:g}" for e in edges)
        assert r.flagged == bool(edges)
        assert r.band == rules.label(rules.kq_band(r.published_percent))


# --------------------------------------------------------------------------- probabilities
def test_probabilities_sum_to_one(assessment):
    labels = [f"P({l})" for l in assessment.rules.labels]
    np.testing.assert_allclose(assessment.standards[labels].sum(axis=1), 1.0)
    np.testing.assert_allclose(assessment.overall[labels].sum(axis=1), 1.0)
    sums = assessment.overall_scores.groupby("basis")["probability"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0)
    s = assessment.standards
    np.testing.assert_allclose(s["modal_probability"], s[labels].max(axis=1))


def test_judgement_standards_are_certain(assessment):
    s = _std(assessment)
    for sid in ("1.1", "1.2", "1.3", "1.4"):
        assert s.at[sid, f"P({s.at[sid, 'rating']})"] == 1.0
        assert s.at[sid, "probability_source"] == "judgement (not sampled)"
    assert "independent" in s.at["2.1", "probability_source"]
    assert "independent" in assessment.probability_source


def test_published_basis_is_fixed_when_every_standard_is_published(assessment):
    dist = assessment.overall_scores
    pub = dist[dist["basis"] == "published"]
    assert list(pub["score"]) == [15] and pub["probability"].iloc[0] == 1.0


def test_aggregate_standard_probability_is_the_product_of_binomials():
    """With ``probabilities="bootstrap"``, at aggregate level key questions are drawn
    independently: P(4.1 Good or better) is the product over its questions of
    P(Binomial(n, p̂) banded Good or better)."""
    assessment = rate(seed_inspection(), n_resamples=B, rng=20190201, probabilities="bootstrap")
    k = assessment.key_questions.set_index("key_question")
    rules = assessment.rules
    prob = 1.0
    for kid in ("4.1.1", "4.1.2", "4.1.3", "4.1.4"):
        n, y = int(k.at[kid, "n"]), int(k.at[kid, "yes"])
        counts = np.arange(n + 1)
        good = rules.kq_band(100 * counts / n) >= rules.labels.index("Good")
        prob *= stats.binom.pmf(counts, n, y / n)[good].sum()
    s = _std(assessment)
    got = s.at["4.1", "P(Good)"] + s.at["4.1", "P(Outstanding)"]
    assert abs(got - prob) < 4 * np.sqrt(prob * (1 - prob) / B)


def test_aggregate_standard_probability_is_the_product_of_betas(assessment):
    """The posterior (the default), aggregate level, N unknown: each key question's population
    share is Beta(x, n − x) on its own, so P(4.1 Good or better) is the product over its
    questions of P(Beta(x, n − x) ≥ 64.5%), the rules' effective edge."""
    k = assessment.key_questions.set_index("key_question")
    edge = assessment.rules.effective_edges[assessment.rules.labels.index("Good") - 1] / 100
    prob = 1.0
    for kid in ("4.1.1", "4.1.2", "4.1.3", "4.1.4"):
        n, y = int(k.at[kid, "n"]), int(k.at[kid, "yes"])
        prob *= stats.beta.sf(edge, y, n - y)
    s = _std(assessment)
    got = s.at["4.1", "P(Good)"] + s.at["4.1", "P(Outstanding)"]
    assert abs(got - prob) < 4 * np.sqrt(prob * (1 - prob) / B)


def _patched_rate(monkeypatch, results, values, kqs, **kw):
    """rate() with hand-made draws of the percentages (to test the aggregation exactly): the
    rating probabilities come from ``intervals_and_posterior``'s draws, replaced here."""
    import importlib

    iv = importlib.import_module("sampling.estimation._intervals")  # the module, not sampling.intervals()
    post = importlib.import_module("sampling.estimation._posterior")
    ratings = importlib.import_module("sampling.rating._ratings")

    def fake(design, options):
        intervals, _ = iv.intervals_and_posterior(design, options)
        return intervals, post.Posterior(values=np.asarray(values, dtype=float), kind="hand-made")
    monkeypatch.setattr(ratings, "intervals_and_posterior", fake)
    return rate(results, n_resamples=len(values), **kw)


def test_overall_score_distribution_is_the_convolution(monkeypatch):
    """Two standards with known band probabilities: the total-score distribution is their
    convolution, and the overall band probabilities follow from it."""
    rules = _rules_with(2, edges=(2, 3, 4))
    fw = _framework({"A": ["A.1"], "B": ["B.1"]}, rules)
    res = load_results(pd.DataFrame({"key_question": ["A.1", "B.1"], "yes": [11, 8], "n": [20, 20]}),
                       framework=fw)
    a_vals = [40.0, 55.0, 55.0, 70.0]        # A: Inadequate 1/4, RI 1/2, Good 1/4
    b_vals = [40.0, 70.0]                    # B: Inadequate 1/2, Good 1/2
    grid = np.array([[a, b] for a in a_vals for b in b_vals])   # every pairing once: independent
    out = _patched_rate(monkeypatch, res, grid, ["A.1", "B.1"])
    s = out.standards.set_index("standard")
    np.testing.assert_allclose(s.loc["A", ["P(Inadequate)", "P(Requires improvement)", "P(Good)"]],
                               [0.25, 0.5, 0.25])
    pa = np.array([0.25, 0.5, 0.25, 0.0])    # scores 0..3
    pb = np.array([0.5, 0.0, 0.5, 0.0])
    conv = np.convolve(pa, pb)               # total 0..6
    dist = out.overall_scores[out.overall_scores["basis"] == "rule"].set_index("score")["probability"]
    expected = {t: p for t, p in enumerate(conv) if p > 0}
    assert dist.to_dict() == pytest.approx(expected)
    # overall bands with edges 2, 3, 4: 0-1 Inadequate, 2 RI, 3 Good, 4+ Outstanding
    o = out.overall.set_index("basis").loc["rule"]
    assert o["P(Inadequate)"] == pytest.approx(conv[0] + conv[1])
    assert o["P(Requires improvement)"] == pytest.approx(conv[2])
    assert o["P(Good)"] == pytest.approx(conv[3])
    assert o["P(Outstanding)"] == pytest.approx(conv[4:].sum())


@pytest.mark.parametrize("method", ["posterior", "bootstrap"])
def test_case_draws_keep_the_correlation_between_key_questions(method):
    """Two perfectly correlated key questions (the same answers on every case) near the 50%
    edge. Whole cases drawn: P(standard ≥ RI) = P(one question ≥ 49.5%) = q — with the
    posterior (N unknown: the Bayesian bootstrap) the share is Beta(yes, n − yes), with the
    case bootstrap the count is Binomial(n, p̂). Independent draws of the two questions
    (aggregate data): q². The two must differ, each matching its closed form."""
    rules = _rules_with(1, edges=(1, 2, 3))
    fw = _framework({"S": ["S.1", "S.2"]}, rules)
    n, yes = 100, 52
    answers = np.array(["yes"] * yes + ["no"] * (n - yes), dtype=object)
    case = pd.DataFrame({"case_id": [f"c{i}" for i in range(n)], "S.1": answers, "S.2": answers})
    agg = pd.DataFrame({"key_question": ["S.1", "S.2"], "yes": [yes, yes], "n": [n, n]})
    joint = rate(load_results(case, framework=fw), n_resamples=B, rng=1, probabilities=method)
    indep = rate(load_results(agg, framework=fw), n_resamples=B, rng=1, probabilities=method)
    q = (stats.beta.sf(0.495, yes, n - yes) if method == "posterior"
         else stats.binom.sf(np.ceil(49.5) - 1, n, yes / n))     # P(count ≥ 50)
    pj = 1 - joint.standards["P(Inadequate)"].iloc[0]
    pi = 1 - indep.standards["P(Inadequate)"].iloc[0]
    se = np.sqrt(0.25 / B)
    assert abs(pj - q) < 4 * se
    assert abs(pi - q ** 2) < 4 * se
    assert pj - pi > 0.15
    assert "joint" in joint.probability_source and "independent" in indep.probability_source


def test_reproducible_with_a_seed():
    r = seed_inspection()
    a = rate(r, n_resamples=500, rng=5)
    b = rate(r, n_resamples=500, rng=5)
    pd.testing.assert_frame_equal(a.standards, b.standards)
    pd.testing.assert_frame_equal(a.overall_scores, b.overall_scores)


def test_case_level_synthetic_inspection():
    r = synthetic_results(11)
    a = rate(r, n_resamples=1000, rng=3)
    assert len(a.standards) == 10
    assert "joint" in a.probability_source
    labels = [f"P({l})" for l in a.rules.labels]
    np.testing.assert_allclose(a.standards[labels].sum(axis=1), 1.0)
    # no published ratings and no overrides: only the rule basis is shown
    assert list(a.overall["basis"]) == ["rule"]


# --------------------------------------------------------------------------- partial / errors
def _seed_without_judgements():
    seed = seed_tables()
    table = pd.DataFrame({"key_question": seed.key_questions["key_question"],
                          "percent": seed.key_questions["percent_yes"].astype(float)})
    sizes = {k: v["n"] for k, v in seed.inspection["samples"].items()}
    return load_results(table, sample_sizes=sizes)


def test_standard_without_data_or_judgement_is_an_error():
    r = _seed_without_judgements()
    with pytest.raises(DataError, match="1.1"):
        rate(r, n_resamples=200, rng=1, partial=False)  # strict, when asked
    for partial in (None, True):  # a partial inspection is normal
        a = rate(r, n_resamples=200, rng=1, partial=partial)
        assert "1.1" not in set(a.standards["standard"])
        assert a.overall["rating"].isna().all()
        assert any("1.1, 1.2, 1.3, 1.4 have no key-question data and no judgement: not rated" in n for n in a.notes)
        assert any("overall rating incomplete: 6 of 10 standards rated" in n for n in a.notes)
    sums = a.overall_scores.groupby("basis")["probability"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0)


def test_number_of_standards_must_match_the_rules():
    with pytest.raises(DataError, match="12 standards"):
        rate(seed_inspection(), rules="hmip-youth", n_resamples=200, rng=1, partial=False)
    a = rate(seed_inspection(), rules="hmip-youth", n_resamples=200, rng=1)
    assert any("10 of 12 standards rated" in n for n in a.notes) and a.overall["rating"].isna().all()


@pytest.mark.parametrize("kw", [{"confidence_level": 0}, {"confidence_level": 1.2},
                                {"threshold": 0}, {"threshold": 1.5}, {"n_resamples": 0},
                                {"rng": "x"}])
def test_bad_arguments(kw):
    with pytest.raises(ArgumentError):
        rate(seed_inspection(), **{"n_resamples": 200, **kw})


def test_not_results():
    with pytest.raises(ArgumentError):
        rate(pd.DataFrame({"a": [1]}))


def test_population_smaller_than_n_is_an_error():
    with pytest.raises(SamplingError):
        rate(seed_inspection(), population=100, n_resamples=200)


# --------------------------------------------------------------------------- display / export
def test_repr_html_and_dict(assessment):
    text = repr(assessment)
    assert text.startswith("Assessment of") and "Overall" in text and "FLAG" in text
    html = assessment._repr_html_()
    assert html.count("<table") == 3
    d = assessment.to_dict()
    text = json.dumps(d)                       # JSON-able as is
    assert json.loads(text)["standards"][0]["standard"] == "1.1"
    assert set(d) >= {"key_questions", "standards", "overall", "overall_scores", "notes", "method"}
    pd.testing.assert_frame_equal(assessment.to_frame(), assessment.standards)


def test_no_case_is_silently_dropped():
    """Every input case is either used or listed in results.excluded with a reason, and the
    assessment says that some input was not used."""
    r = synthetic_results(9)
    answers = r.answers.map(lambda v: "n/a" if pd.isna(v) else ("yes" if v == 1 else "no"))
    frame = pd.concat([r.cases, answers], axis=1).reset_index()
    kq_cols = list(r.answers.columns)
    frame.loc[0, kq_cols] = "n/a"                       # a case with nothing answered
    res = load_results(frame, sample="case_supervision", judgements=r.judgements)
    used = set(res.answers.index)
    excluded = res.excluded
    assert set(excluded.columns) >= {"row", "case_id", "column", "value", "reason"}
    listed = set(excluded["case_id"]) - {""}
    assert used | listed == set(frame["case_id"])
    assert not used & listed
    assert frame.loc[0, "case_id"] in listed
    assert excluded["reason"].str.len().gt(0).all()
    a = rate(res, n_resamples=200, rng=1, partial=True)
    assert any("listed with its reason among the excluded cases" in n for n in a.notes)
