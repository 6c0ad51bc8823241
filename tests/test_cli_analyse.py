"""`sampling analyse`: tables, JSON, and one-line errors with exit status 2."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from sampling.cli import main
from sampling.examples import seed_tables, synthetic_results

FAST = ["--resamples", "300", "--seed", "1"]
JUDGEMENTS = ["--judgement", "1.1=Outstanding", "--judgement", "1.2=Good",
              "--judgement", "1.3=Good", "--judgement", "1.4=Good"]


def run(capsys, *argv):
    status = main(["analyse", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def _case_csv(tmp_path, mutate=None, name="cases.csv"):
    r = synthetic_results(4)
    answers = r.answers.map(lambda v: "n/a" if pd.isna(v) else ("yes" if v == 1 else "no"))
    frame = pd.concat([r.cases, answers], axis=1).reset_index()
    if mutate is not None:
        frame = mutate(frame)
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def _aggregate_csv(tmp_path, mutate=None):
    seed = seed_tables()
    n = seed.key_questions["sample"].map(lambda s: seed.inspection["samples"][s]["n"])
    frame = pd.DataFrame({"key_question": seed.key_questions["key_question"],
                          "percent": seed.key_questions["percent_yes"], "n": n})
    frame.loc[seed.key_questions["relevant_subsample"].to_numpy(), "n"] = None
    if mutate is not None:
        frame = mutate(frame)
    path = tmp_path / "aggregate.csv"
    frame.to_csv(path, index=False)
    return path


def test_analyse_seed_tables(capsys):
    status, out, err = run(capsys, "--example", *FAST)
    assert status == 0, err
    for heading in ("Key questions", "Standards", "Overall", "Legend"):
        assert heading in out
    assert "2.1: the 50% edge lies inside 2.1.3's 80% interval" in out
    assert "recorded override Inadequate -> Requires improvement" in out
    assert "score 15 = Requires improvement (1 point short of Good" in out


def test_analyse_seed_json(capsys):
    status, out, _ = run(capsys, "--example", *FAST, "--json", "--population", "implied")
    assert status == 0
    d = json.loads(out)
    std = {r["standard"]: r for r in d["standards"]}
    assert std["2.4"]["override_rating"] == "Requires improvement"
    assert {r["basis"]: r["score"] for r in d["overall"]} == {
        "rule": 12, "rule + recorded overrides": 13, "published": 15}
    assert d["n_resamples"] == 300


def test_analyse_case_file(tmp_path, capsys):
    path = _case_csv(tmp_path)
    status, out, err = run(capsys, str(path), *FAST, *JUDGEMENTS, "--method", "clopper-pearson",
                           "--strata", "gender,rosh")
    assert status == 0, err
    # the probabilities' source: whole cases drawn within the strata (the posterior since issue 26)
    assert "whole cases, key questions jointly; N unknown; stratified" in out and "Clopper–Pearson" in out
    status, out, err = run(capsys, str(path), *FAST, *JUDGEMENTS, "--strata", "office")
    assert status == 2 and "office" in err


def test_analyse_case_file_partial(tmp_path, capsys):
    """A partial inspection is normal: no flag needed; the judgement-rated standards are
    listed as not rated and the overall says incomplete (--partial is accepted, a no-op)."""
    path = _case_csv(tmp_path)
    for extra in ([], ["--partial"]):
        status, out, err = run(capsys, str(path), *FAST, *extra)
        assert status == 0, err
        assert "1.1, 1.2, 1.3, 1.4 have no key-question data and no judgement: not rated" in out
        assert "overall rating incomplete: 6 of 10 standards rated" in out
    status, out, err = run(capsys, str(path), *FAST, "--judgement", "2.1=Good")
    assert status == 2 and "2.1 has key-question data" in err


def test_analyse_aggregate_file(tmp_path, capsys):
    path = _aggregate_csv(tmp_path)
    status, out, err = run(capsys, str(path), *FAST, *JUDGEMENTS,
                           "--override", "2.4=Requires improvement: wider evidence (footnote 14)")
    assert status == 0, err
    assert "recorded override Inadequate -> Requires improvement (wider evidence (footnote 14))" in out


# --------------------------------------------------------------------------- bad input
def _bad_answer(frame):
    frame.loc[3, "2.1.1"] = "maybe"
    return frame


def _repeat_id(frame):
    frame.loc[5, "case_id"] = frame.loc[4, "case_id"]
    return frame


def _unknown_kq(frame):
    frame.loc[0, "key_question"] = "2.1.9"
    return frame


def _bad_percent(frame):
    frame.loc[0, "percent"] = 120
    return frame


def _zero_n(frame):
    frame.loc[0, "n"] = 0
    return frame


@pytest.mark.parametrize("maker, mutate, expect", [
    (_case_csv, _bad_answer, "maybe"),
    (_case_csv, _repeat_id, "case_id"),
    (_aggregate_csv, _unknown_kq, "2.1.9"),
    (_aggregate_csv, _bad_percent, "120"),
    (_aggregate_csv, _zero_n, "n"),
])
def test_bad_results_exit_2(tmp_path, capsys, maker, mutate, expect):
    path = maker(tmp_path, mutate)
    status, out, err = run(capsys, str(path), *FAST, *JUDGEMENTS)
    assert status == 2
    assert err.startswith("sampling analyse: error:") and err.count("\n") == 1
    assert expect in err
    assert out == ""


@pytest.mark.parametrize("argv, expect", [
    (["--confidence", "1.5"], "--confidence"),
    (["--confidence", "0"], "--confidence"),
    (["--population", "100"], "smaller"),
    (["--population", "case_supervision=100"], "smaller"),
    (["--population", "nowhere=1000"], "nowhere"),
    (["--method", "guess"], "--method"),
    (["--threshold", "2"], "--threshold"),
    (["--resamples", "0"], "--resamples"),
    (["--framework", "."], "--framework"),
    (["no-such-file.csv"], "no-such-file.csv"),
])
def test_bad_options_exit_2(capsys, argv, expect):
    source = [] if argv[0].endswith(".csv") else ["--example"]
    status, out, err = run(capsys, *source, *FAST, *argv)
    assert status == 2
    assert err.startswith("sampling analyse: error:") and err.count("\n") == 1
    assert expect in err


def test_unparseable_population_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["analyse", "--population", "lots"])
    assert exc.value.code == 2
    assert "--population" in capsys.readouterr().err


def test_the_seed_is_reached_only_with_example(capsys, tmp_path):
    status, out, err = run(capsys, *FAST)
    assert status == 2 and out == ""
    assert "--example" in err and "RESULTS" in err and err.count("\n") == 1
    status, _, err = run(capsys, str(_case_csv(tmp_path)), "--example", *FAST)
    assert status == 2 and "not both" in err


def test_analyse_example_states_the_interval_method_used(capsys):
    """Issue 26: the default is mid-p hypergeometric where N is known, else Wilson, and the
    output names the method actually used."""
    status, out, err = run(capsys, "--example", *FAST)
    assert status == 0, err
    assert "Wilson 80% intervals" in out  # the example publishes no N
    status, out, err = run(capsys, "--example", *FAST, "--population", "implied")
    assert status == 0, err
    assert "mid-p hypergeometric 80% intervals" in out and "Wilson 80% intervals" not in out
    status, out, err = run(capsys, "--example", *FAST, "--population", "implied", "--json")
    assert status == 0, err
    d = json.loads(out)
    assert d["method"] == "hypergeometric-midp"
    assert {r["method"] for r in d["key_questions"]} == {"hypergeometric-midp"}
    status, out, err = run(capsys, "--example", *FAST, "--population", "implied", "--method", "wilson", "--json")
    assert status == 0, err
    d = json.loads(out)
    assert d["method"] == "wilson" and {r["method"] for r in d["key_questions"]} == {"wilson"}
