"""Rating rules and frameworks as data (sampling.design._rules, sampling.design._framework)."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sampling import DataError, ArgumentError
from sampling.examples import seed_tables
from sampling.design._framework import Framework, available_frameworks, load_framework
from sampling.design._rules import available_rules, load_rules

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_rules_are_listed():
    assert {"hmip-adult", "hmip-youth"} <= set(available_rules())


def test_key_question_bands_follow_the_inspectorate_edges(adult):
    # Under 50 Inadequate, 50-64 RI, 65-79 Good, 80+ Outstanding (whole numbers).
    whole = np.arange(0, 101)
    expected = np.select([whole < 50, whole < 65, whole < 80], [0, 1, 2], 3)
    assert np.array_equal(adult.kq_band(whole), expected)


def test_bands_use_the_published_whole_number(adult):
    # The seed: 4.1.3 is 35 of 54 = 64.8%, published 65%, and its standard was rated Good.
    seed = seed_tables()
    row = seed.key_questions.set_index("key_question").loc["4.1.3"]
    assert adult.published_percent(100 * 35 / 54) == row["percent_yes"]
    assert adult.label(adult.kq_band(100 * 35 / 54)) == "Good"
    published_41 = seed.standards.set_index("standard").loc["4.1", "published_rating"]
    assert published_41 == "Good"
    # Half-up at exactly .5, and a float that is a hair below .5 in binary.
    assert adult.published_percent(64.5) == 65
    assert adult.published_percent(100 * 129 / 200) == 65  # 64.5 computed in floating point
    assert adult.published_percent(49.4999) == 49


def test_unrounded_rules_band_the_raw_percentage(adult):
    raw = load_rules({**adult.to_dict(), "key_question": {"edges": [50, 65, 80], "round_percent": False}})
    assert raw.label(raw.kq_band(64.8)) == "Requires improvement"
    assert np.array_equal(raw.effective_edges, [50, 65, 80])
    assert np.array_equal(adult.effective_edges, [49.5, 64.5, 79.5])


def test_nan_percent_has_no_band(adult):
    assert adult.kq_band([np.nan])[0] == -1
    assert adult.label(-1) is None


def test_boundaries_inside_intervals(adult):
    inside = adult.boundaries_inside([43.6, 56.0, 60.0, 81.0], [54.9, 73.0, 64.4, 90.0])
    assert inside == [(50.0,), (65.0,), (), ()]
    # An interval spanning two edges reports both.
    assert adult.boundaries_inside(45, 70) == [(50.0, 65.0)]


def test_standard_takes_lowest_band_and_overall_bands(adult):
    assert adult.standard_band([2, 0, 3]) == 0
    assert np.array_equal(adult.overall_band([0, 5, 6, 15, 16, 25, 26, 30]), [0, 0, 1, 1, 2, 2, 3, 3])
    ranges = adult.overall_ranges()
    assert ranges["score_from"].tolist() == [0, 6, 16, 26]
    assert ranges["score_to"].tolist() == [5, 15, 25, 30]


def test_youth_rules_have_twelve_standards():
    youth = load_rules("hmip-youth")
    assert youth.n_standards == 12 and youth.max_total == 36
    assert youth.overall_ranges()["score_to"].tolist() == [6, 18, 30, 36]


def test_published_overall_follows_the_rules_from_seed_files(adult):
    # Sum of the published standard ratings, banded by the rules, equals the published overall.
    seed = seed_tables()
    total = sum(adult.scores[adult.band_of(r)] for r in seed.standards["published_rating"])
    assert adult.label(adult.overall_band(total)) == seed.inspection["inspection"]["published_overall"]


def test_rules_round_trip_and_file(tmp_path, adult):
    assert load_rules(adult.to_dict()) == adult
    path = tmp_path / "mine.toml"
    path.write_text(
        'name = "Mine"\nshort_name = "mine"\nlabels = ["Poor", "Fine", "Great"]\n'
        "[key_question]\nedges = [40, 70]\n[standard]\nscores = [0, 1, 2]\n"
        "[overall]\nn_standards = 2\nedges = [2, 4]\n"
    )
    mine = load_rules(path)
    assert mine.labels == ("Poor", "Fine", "Great") and not mine.round_percent
    assert mine.label(mine.kq_band(69.9)) == "Fine"


@pytest.mark.parametrize(
    "patch, fragment",
    [
        ({"labels": ["A"]}, "labels"),
        ({"key_question": {"edges": [65, 50, 80]}}, "edges"),
        ({"standard": {"scores": [0, 1]}}, "scores"),
        ({"overall": {"n_standards": 10, "edges": [6, 16]}}, "overall.edges"),
        ({"key_question": {"edges": [50, 65, 80], "round_percent": True, "rounding": "up"}}, "rounding"),
    ],
)
def test_malformed_rules_are_named(adult, patch, fragment):
    doc = {**adult.to_dict(), **patch}
    with pytest.raises(DataError, match=fragment):
        load_rules(doc)


def test_missing_rules_entry_and_unknown_name(tmp_path):
    with pytest.raises(DataError, match="missing rules entry 'overall'"):
        load_rules({"labels": ["a", "b"], "key_question": {"edges": [50]}, "standard": {"scores": [0, 1]}})
    with pytest.raises(ArgumentError, match="rules="):
        load_rules("no-such-rules")
    bad = tmp_path / "bad.toml"
    bad.write_text("labels = [")
    with pytest.raises(DataError, match="not valid TOML"):
        load_rules(bad)


def test_unknown_label_suggests_labels(adult):
    with pytest.raises(DataError, match="Use one of: Inadequate"):
        adult.band_of("Excellent")
    assert adult.band_of(" requires IMPROVEMENT ") == 1


def test_seed_transcription_matches_the_shipped_adult_framework():
    # The seed names the inspectorate's adult framework; its transcribed ids, texts, samples
    # and sub-sample marks must agree with the framework shipped as package data.
    fw = load_framework("hmip-adult")
    assert load_framework() is fw  # the default is the inspectorate's adult framework, cached
    seed = seed_tables()
    assert fw.key_question_ids == tuple(seed.key_questions["key_question"])
    assert fw.standard_ids == tuple(seed.standards["standard"])
    assert len(fw.standards) == fw.rules.n_standards
    judged = [s.id for s in fw.standards if s.rated_by == "judgement"]
    assert judged == seed.standards.loc[seed.standards["domain"] == 1, "standard"].tolist()
    subs = fw.to_frame().query("relevant_subsample")["key_question"].tolist()
    assert subs == seed.key_questions.query("relevant_subsample")["key_question"].tolist()
    assert fw.standard("2.1").key_questions == ("2.1.1", "2.1.2", "2.1.3")
    assert "10 standards" in repr(fw) and "<table" in fw._repr_html_()
    seed_kq = seed.key_questions.set_index("key_question")
    for k in fw.key_questions:
        assert k.text == seed_kq.loc[k.id, "text"] and k.sample == seed_kq.loc[k.id, "sample"]
    seed_st = seed.standards.set_index("standard")
    for s in fw.standards:
        assert s.name == seed_st.loc[s.id, "name"] and s.domain == seed_st.loc[s.id, "domain"]
    # the framework's samples are the inspectorate's, with no provider's figures
    assert [(d.name, d.standards, d.strata) for d in fw.samples] == [
        ("case_supervision", ("2.1", "2.2", "2.3", "2.4"), ("gender", "disposal", "rosh")),
        ("unpaid_work", ("4.1",), ("gender", "rosh")), ("through_the_gate", ("4.2",), ())]
    for path in (ROOT / "sampling" / "frameworks").glob("*.toml"):
        body = "\n".join(line for line in path.read_text().splitlines() if not line.startswith("#"))
        assert "Kent" not in body and "KSS" not in body and "132" not in body


def test_shipped_frameworks_are_complete():
    assert available_frameworks() == ["hmip-adult", "hmip-youth"]
    for name, n_std, n_kq, judged in (("hmip-adult", 10, 19, 4), ("hmip-youth", 12, 21, 5)):
        fw = load_framework(name)
        assert fw.short_name == name and fw.rules.short_name == name
        assert len(fw.standards) == fw.rules.n_standards == n_std and len(fw.key_questions) == n_kq
        assert sum(s.rated_by == "judgement" for s in fw.standards) == judged
        assert all(k.text.endswith("?") for k in fw.key_questions)
        # every key-question-rated standard is served by exactly one declared sample
        served = {sid: d.name for d in fw.samples for sid in d.standards}
        assert {s.id for s in fw.standards if s.key_questions} == set(served)
        assert all(fw.key_question(k).sample == served[s.id] for s in fw.standards for k in s.key_questions)
    youth = load_framework("hmip-youth")
    assert youth.standard("3.1").key_questions == ("3.1.1", "3.1.2", "3.1.3")
    assert youth.samples_frame()["sample"].tolist() == ["court_disposals", "out_of_court"]


def test_a_youth_inspection_is_rated_end_to_end():
    import sampling

    res = sampling.synthetic_results(rng=5, framework="hmip-youth", n=60,
                                     judgements={s: "Good" for s in ("1.1", "1.2", "1.3", "1.4", "3.4")})
    a = sampling.rate(res, rng=1, n_resamples=500)
    assert len(a.standards) == 12 and a.rules.short_name == "hmip-youth"
    assert a.overall["rating"].notna().all()


def test_rules_come_from_a_framework_file_or_a_rules_file(tmp_path):
    doc = load_rules("hmip-adult").to_dict()
    nested = tmp_path / "fw.toml"
    nested.write_text('name = "x"\n[rules]\nname = "n"\nshort_name = "s"\nlabels = ["Low", "High"]\n'
                      '[rules.key_question]\nedges = [50]\n[rules.standard]\nscores = [0, 1]\n'
                      '[rules.overall]\nn_standards = 1\nedges = [1]\n')
    rules = load_rules(nested)
    assert rules.labels == ("Low", "High") and rules.n_standards == 1
    assert load_rules(doc) == load_rules("hmip-adult")


@pytest.mark.parametrize("snippet, message", [
    ('[[standards]]\nid = "A"\nname = "x"\ndomain = 1.7\n', "domain must be a whole number"),
    ('[[standards]]\nid = "A"\nname = "x"\ndomain = "abc"\n', "domain must be a whole number"),
    ('[standards]\nid = "A"\n', "standards must be an array of tables"),
])
def test_framework_files_are_read_strictly(tmp_path, snippet, message):
    path = tmp_path / "fw.toml"
    path.write_text('name = "bad"\nrules = "hmip-adult"\n[[key_questions]]\nid = "A.1"\nstandard = "A"\n' + snippet)
    with pytest.raises(DataError, match=message):
        load_framework(path)


def test_framework_from_folder_and_toml(tmp_path):
    fw = load_framework()
    fw.standards_frame()[["standard", "name", "domain", "sample"]].to_csv(tmp_path / "standards.csv", index=False)
    fw.to_frame().to_csv(tmp_path / "key_questions.csv", index=False)
    again = load_framework(tmp_path)
    assert again.key_question_ids == fw.key_question_ids and again.rules == fw.rules
    toml = tmp_path / "fw.toml"
    toml.write_text(
        'name = "tiny"\nrules = "hmip-youth"\n'
        '[[standards]]\nid = "A"\nname = "Alpha"\n'
        '[[key_questions]]\nid = "A.1"\nstandard = "A"\ntext = "Is it?"\nrelevant_subsample = true\n'
    )
    tiny = load_framework(toml)
    assert tiny.rules.short_name == "hmip-youth"
    assert tiny.key_question("A.1").relevant_subsample is True


def test_framework_bad_input_is_named():
    st = pd.DataFrame({"standard": ["A", "A"], "name": ["x", "y"]})
    kq = pd.DataFrame({"key_question": ["A.1"], "standard": ["A"]})
    with pytest.raises(DataError, match="standard ids repeat"):
        Framework.from_frames(st, kq)
    st = pd.DataFrame({"standard": ["A"], "name": ["x"]})
    with pytest.raises(DataError, match="name a standard that is not listed"):
        Framework.from_frames(st, pd.DataFrame({"key_question": ["B.1"], "standard": ["B"]}))
    with pytest.raises(DataError, match="missing required columns"):
        Framework.from_frames(st, pd.DataFrame({"id": ["A.1"]}))
    fw = load_framework()
    with pytest.raises(DataError, match="9.9.9"):
        fw.check_key_questions(["2.1.1", "9.9.9"])
    with pytest.raises(DataError, match="unknown standard"):
        fw.standard("7.7")
    with pytest.raises(ArgumentError, match="framework="):
        load_framework("/no/such/place")
