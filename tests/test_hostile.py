"""Hostile inputs: one case per row, the input and the answer expected. Every row must end in
one clear line naming the flag (command line) or the keyword (Python) and a fix that works
there — never a traceback, a silent misreading or an unbounded run. Add a row whenever a
new one is found."""
from __future__ import annotations

import io

import pandas as pd
import pytest

import sampling
from sampling._utils._io import escape_cell, write_csv
from sampling.cli import main
from sampling.errors import ArgumentError, DataError

RULES = {
    "round_percent_as_text": ('labels=["A","B"]\n[key_question]\nedges=[50]\nround_percent="false"\n'
                              '[standard]\nscores=[0,1]\n[overall]\nedges=[1]\nn_standards=2\n',
                              "key_question.round_percent must be true or false"),
    "fractional_score": ('labels=["A","B"]\n[key_question]\nedges=[50]\n[standard]\nscores=[0,1.9]\n'
                         '[overall]\nedges=[1]\nn_standards=2\n', "standard.scores must be a list of whole numbers"),
    "section_as_value": ('labels=["A","B"]\nkey_question="abc"\n[standard]\nscores=[0,1]\n[overall]\n'
                         'edges=[1]\nn_standards=2\n', "key_question must be a table"),
    "misspelt_key": ('labels=["A","B"]\n[key_question]\nedges=[50]\nround_pct=true\n[standard]\nscores=[0,1]\n'
                     '[overall]\nedges=[1]\nn_standards=2\n', "unknown key"),
    "edges_as_text": ('labels=["A","B"]\n[key_question]\nedges=["50"]\n[standard]\nscores=[0,1]\n'
                      '[overall]\nedges=[1]\nn_standards=2\n', "key_question.edges must be a list of numbers"),
    "n_standards_float": ('labels=["A","B"]\n[key_question]\nedges=[50]\n[standard]\nscores=[0,1]\n'
                          '[overall]\nedges=[1]\nn_standards=2.5\n', "overall.n_standards must be a whole number"),
}


FRAMEWORKS = {
    "domain_as_text": ('[[standards]]\nid = "1.1"\ndomain = "abc"\nname = "X"\n[[key_questions]]\nid = "1.1.1"\n'
                       'standard = "1.1"\n', "domain must be a whole number"),
    "fractional_domain": ('[[standards]]\nid = "1.1"\ndomain = 1.7\nname = "X"\n[[key_questions]]\nid = "1.1.1"\n'
                          'standard = "1.1"\n', "domain must be a whole number"),
    "standards_as_table": ('[standards]\nid = "1.1"\n', "standards must be an array of tables"),
    "no_key_questions": ('[[standards]]\nid = "1.1"\nname = "X"\n', "key_questions table is missing"),
}


DEFINITIONS = [("rules", name, *RULES[name]) for name in sorted(RULES)] + \
    [("framework", name, *FRAMEWORKS[name]) for name in sorted(FRAMEWORKS)]


@pytest.mark.parametrize("kind, name, body, match", DEFINITIONS, ids=[f"{k}-{n}" for k, n, *_ in DEFINITIONS])
def test_definition_files_are_read_strictly_and_named(tmp_path, kind, name, body, match):
    """Rules and framework files: a number must be a number, a table a table; the error
    names the file."""
    path = tmp_path / f"{name}.toml"
    path.write_text(body, encoding="utf-8")
    load = sampling.load_rules if kind == "rules" else sampling.load_framework
    with pytest.raises(DataError, match=match) as info:
        load(path)
    assert str(path) in str(info.value)


# (command line, what the one error line must say)
COMMAND_LINES = [
    (["plan", "--population", "8,600"], "--population 8600 for one number"),
    (["plan", "--population", "1" + "0" * 30], "--population=1000"),
    (["plan", "--margin", "5%"], "write --margin 0.05 for 5%"),
    (["plan", "--margin", "5"], "write --margin 0.05 for 5%"),
    (["plan", "--confidence", "80%"], "write --confidence 0.8 for 80%"),
    (["plan", "--confidence", "abc"], "--confidence expects a fraction such as 0.8"),
    (["plan", "--population", "668", "--misrating-risk", "0.55"], "write --misrating-risk 55 for 55%"),
    (["plan", "--misrating-risk", "120"], "percentages from 0 to 100"),
    (["draw", "--synthetic", "500", "--reserves", "5.5"], "--reserves expects a whole count"),
    (["draw", "--synthetic", "500", "--reserves", "1" + "0" * 30], "--reserves expects a whole count"),
    (["analyse", "--example", "--resamples", "1000000000"], "--resamples=1000000000 is invalid: would need"),
    (["plan", "--inspection", "no-such-folder"], "--inspection="),
    (["plan", "--method", "exact", "--margin", "0.002"], "--method='exact' is invalid: the exact search"),
    (["plan", "--method", "exact", "--margin", "0.01", "--population", "50000"], "with N known"),
    (["draw", "--synthetic", "100000000"], "--synthetic=100000000 is invalid"),
]


@pytest.mark.parametrize("argv, says", COMMAND_LINES, ids=[" ".join(a) for a, _ in COMMAND_LINES])
def test_command_line_errors_name_the_flag_and_the_fix(capsys, argv, says):
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse's own type errors
        status = exc.code
    err = capsys.readouterr().err
    assert status == 2
    assert err.strip().splitlines()[-1].startswith(f"sampling {argv[0]}: error:")
    assert says in err and "Traceback" not in err


def test_too_long_output_path_is_one_line(tmp_path, capsys):
    status = main(["report", "--example", "--quiet", "--resamples", "200", "--out", str(tmp_path / ("x" * 300))])
    err = capsys.readouterr().err
    assert status == 2 and "File name too long" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # nothing half-written, no staging folder left


# (python call, keyword the error names)
PYTHON_CALLS = [
    (lambda: sampling.plan_table([10 ** 30]), "population"),
    (lambda: sampling.sample_size(float("nan")), "population"),
    (lambda: sampling.rate(sampling.seed_inspection(), n_resamples=10 ** 9), "n_resamples"),
    (lambda: sampling.bootstrap_replicates(sampling.seed_inspection(), n_resamples=2.5), "n_resamples"),
]


@pytest.mark.parametrize("call, keyword", PYTHON_CALLS)
def test_python_errors_name_the_keyword(call, keyword):
    with pytest.raises(ArgumentError) as info:
        call()
    assert info.value.argument == keyword and str(info.value).startswith(f"{keyword}=")


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(1)", "\t=1", "\r@SUM(1)", " =1", "\n=1", "  @x"])
def test_formula_escaping_survives_leading_whitespace_and_control_characters(value):
    assert escape_cell(value).startswith("'")


def test_csv_cells_cannot_split_rows(tmp_path):
    frame = pd.DataFrame({"case_id": [f"c{i}" for i in range(40)], "note": "ok"})
    frame.loc[3, "note"] = "\r@SUM(1)"
    frame.loc[7, "note"] = "line one\nline two, with a comma and a \"quote\""
    frame.loc[9, "note"] = "=HYPERLINK(\"http://x\")"
    path = tmp_path / "cases.csv"
    write_csv(frame, path)
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert len(back) == 40 and list(back["case_id"]) == list(frame["case_id"])
    assert back.loc[3, "note"] == "'\r@SUM(1)" and back.loc[9, "note"].startswith("'=")
    import csv

    with path.open(newline="", encoding="utf-8") as fh:  # a spreadsheet's reader: 41 records
        assert len(list(csv.reader(fh))) == 41
    assert "\r\n" in io.open(path, newline="", encoding="utf-8").read()


def _frame_csv(tmp_path, **changes):
    from sampling.examples import synthetic_frame

    f = synthetic_frame(200, rng=1)
    for column, (row, value) in changes.items():
        f[column] = f[column].astype(object)
        f.loc[row, column] = value
    path = tmp_path / "frame.csv"
    f.to_csv(path, index=False)
    return path, f


def test_hints_speak_the_callers_terms(tmp_path, capsys):
    """The same data error: a flag and its command-line form under `sampling`, the keyword
    under Python; never a substantive mapping the user did not ask for."""
    path, f = _frame_csv(tmp_path, gender=(3, "Unknown"))
    assert main(["draw", str(path)]) == 2
    err = capsys.readouterr().err
    assert "--map 'gender:Unknown=<category>'" in err and "mapping=" not in err and "'male'}" not in err
    with pytest.raises(DataError) as info:
        sampling.load_frame(path)
    assert "mapping={'gender': {'Unknown': '<category>'}}" in str(info.value) and "your decision" in str(info.value)
    f.loc[3, "gender"] = "female"
    f.rename(columns={"case_id": "Offender ID"}).to_csv(tmp_path / "renamed.csv", index=False)
    assert main(["draw", str(tmp_path / "renamed.csv")]) == 2
    assert "--column '<your column>=case_id'" in capsys.readouterr().err
    assert main(["draw", str(tmp_path / "renamed.csv"), "--column", "Offender ID=case_id", "--json"]) == 0
    capsys.readouterr()


def test_blank_answers_hint_names_the_flag(tmp_path, capsys):
    from sampling.examples import synthetic_results

    r = synthetic_results(1, n={"case_supervision": 30})
    rows = r.cases.join(r.answers).reset_index()
    rows.to_csv(tmp_path / "results.csv", index=False)
    # issue 21: blanks are missing by default; --complete (complete=True) makes them an error
    assert main(["analyse", str(tmp_path / "results.csv"), "--complete"]) == 2
    err = capsys.readouterr().err
    assert "--complete" in err and "complete=True" not in err
    with pytest.raises(DataError, match="complete=True"):
        sampling.load_results(rows, complete=True)


def test_markdown_from_input_is_inert(tmp_path):
    """Framework, provider and override text copied into report.md cannot inject HTML or links."""
    from sampling.examples import synthetic_results

    r = synthetic_results(1)
    r = sampling.load_results(r.cases.join(r.answers).reset_index(), blank_means_na=True,
                              provider="<script>alert(1)</script> CRC",
                              overrides={"2.1": ("Good", "[click](javascript:alert(1)) <img src=x>")})
    files = sampling.write_report(sampling.rate(r, n_resamples=200, rng=1), tmp_path / "rep", planning=False,
                                  misrating=False)
    md = files.markdown.read_text()
    assert "<script>" not in md
    assert "<img" not in md
    assert "[click](javascript" not in md
    assert "&lt;script&gt;" in md and "\\[click\\]" in md


@pytest.mark.parametrize("command", ["compare", "pool"])
def test_compare_and_pool_outputs_are_all_or_nothing(tmp_path, capsys, command):
    """--out under a file: one line, exit 2, and no staging folder or partial file left."""
    from sampling.examples import synthetic_results

    paths = []
    for seed in (1, 2):
        r = synthetic_results(seed, n={"case_supervision": 40})
        path = tmp_path / f"p{seed}.csv"
        rows = r.cases.join(r.answers).reset_index()
        rows.astype(object).where(rows.notna(), "NA").to_csv(path, index=False)
        paths.append(f"{path}=300")
    (tmp_path / "blocker").write_text("a file, not a folder")
    before = set(tmp_path.rglob("*"))
    assert main([command, *paths, "--resamples" if command == "compare" else "--confidence",
                 "200" if command == "compare" else "0.8", "--out", str(tmp_path / "blocker" / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert set(tmp_path.rglob("*")) == before
    assert main([command, *paths, "--resamples" if command == "compare" else "--confidence",
                 "200" if command == "compare" else "0.8", "--out", str(tmp_path / "ok"), "--json"]) == 0
    capsys.readouterr()
    assert not [p for p in tmp_path.rglob(".*") if p.name.endswith(".tmp")]
