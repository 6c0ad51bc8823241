"""sampling.report.write_report and `sampling report`: every file, flags named, nothing half-written."""
from __future__ import annotations

import dataclasses

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest

from sampling import ArgumentError, DataError, OutputError, charts
from sampling.cli import main
from sampling.draw._draw import draw_sample
from sampling.examples import seed_inspection, synthetic_frame, synthetic_results
from sampling.rating._ratings import rate
from sampling.report import CHARTS, ReportFiles, report_table, write_report

B = 1000
SEED_FILES = {f"{c}.{ext}" for c in CHARTS if c != "balance" for ext in ("png", "svg")} | {
    "report.md", "report.csv", "report.xlsx"}


@pytest.fixture(scope="module")
def assessment():
    return rate(seed_inspection(), n_resamples=B, rng=3)


@pytest.fixture(scope="module")
def written(assessment, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "seed"
    return write_report(assessment, out)


def _names(folder):
    return {p.name for p in folder.iterdir()}


# --------------------------------------------------------------------------- the files
def test_writes_every_chart_and_table(written, assessment):
    assert isinstance(written, ReportFiles)
    assert _names(written.out_dir) == SEED_FILES
    assert {p.name for p in written.files} == SEED_FILES
    for name, paths in written.charts.items():
        assert [p.suffix for p in paths] == [".png", ".svg"]
        assert paths[0].read_bytes()[:4] == b"\x89PNG"
        assert "<svg" in paths[1].read_text(encoding="utf-8")[:2000]
    assert written.flagged == tuple(assessment.standards.loc[assessment.standards["flagged"], "standard"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        written.out_dir = None
    frame = written.to_frame()
    assert len(frame) == len(SEED_FILES) and "Flagged standards" in repr(written)


def test_markdown_names_each_flagged_standard_and_why(written, assessment):
    md = written.markdown.read_text(encoding="utf-8")
    st = assessment.standards
    flagged = st[st["flagged"]]
    assert set(flagged["standard"]) == {"2.1", "2.2", "2.4", "4.1", "4.2"}  # the seed's flags
    flags = md.split("## Flags explained", 1)[1].split("\n## ", 1)[0]
    for rec in flagged.itertuples():
        assert f"**{rec.standard} {rec.name}**" in flags
        assert rec.flag_reason in flags
        assert rec.driving_key_question in flags
    for rec in st[~st["flagged"]].itertuples():
        assert f"**{rec.standard} " not in flags
    assert "4.1.3, has 64.8% yes (35 of 54)" in flags          # the Good edge case of the seed
    assert "band edge at 65% lies inside" in flags
    assert "Recorded professional discretion" in md and "Footnote 14" in md
    for chart in ("forest", "rating_probabilities", "overall"):
        assert f"]({chart}.png)" in md
    # the three tables
    for heading in ("## Standards", "## Key questions", "## Overall"):
        assert heading in md
    kq_section = md.split("## Key questions", 1)[1].split("\n## ", 1)[0]
    assert kq_section.count("\n| 2.") + kq_section.count("\n| 4.") == len(assessment.key_questions)
    assert "| rule | 12 | Requires improvement |" in md


def test_csv_is_one_row_per_key_question_plus_judgement_standards(written, assessment):
    table = pd.read_csv(written.csv, dtype={"standard": str, "key_question": str})
    kq = assessment.key_questions
    judged = assessment.standards[assessment.standards["rated_by"] == "judgement"]
    assert len(table) == len(kq) + len(judged) == 19 + 4
    assert list(table["key_question"].dropna()) == list(kq["key_question"])
    assert table.loc[table["key_question"].isna(), "standard"].tolist() == list(judged["standard"])
    row = table[table["key_question"] == "4.1.3"].iloc[0]
    assert row["standard_rating"] == "Good" and bool(row["standard_flagged"])
    assert row["percent"] == pytest.approx(100 * 35 / 54)
    assert row["confidence_level"] == 0.8
    assert list(table.columns) == list(report_table(assessment).columns)


def test_xlsx_has_one_sheet_per_table(written, assessment):
    sheets = pd.read_excel(written.xlsx, sheet_name=None)
    assert list(sheets) == ["key_questions", "standards", "overall", "overall_scores", "settings"]
    assert len(sheets["key_questions"]) == len(assessment.key_questions)
    assert len(sheets["standards"]) == len(assessment.standards)
    assert sheets["overall"]["score"].tolist() == [12, 13, 15]
    assert "probability source" in set(sheets["settings"]["setting"])


def test_formulas_are_escaped_in_csv_and_xlsx(assessment, tmp_path):
    st = assessment.standards.copy()
    st.loc[st["standard"] == "4.1", "name"] = "=HYPERLINK(\"http://x\")"
    evil = dataclasses.replace(assessment, standards=st)
    files = write_report(evil, tmp_path / "out", planning=False, misrating=False, formats=("svg",))
    csv = files.csv.read_text(encoding="utf-8")
    assert "'=HYPERLINK" in csv and ",=HYPERLINK" not in csv
    from openpyxl import load_workbook

    ws = load_workbook(files.xlsx)["standards"]
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "'=HYPERLINK(\"http://x\")" in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)


def test_sample_adds_balance_chart_and_sheet(assessment, tmp_path):
    sample = draw_sample(synthetic_frame(800, 5), 60, rng=5)
    files = write_report(assessment, tmp_path / "with", sample=sample, planning=False, misrating=False,
                         formats=("svg",))
    assert "balance" in files.charts and (tmp_path / "with" / "balance.svg").is_file()
    assert "balance" in pd.read_excel(files.xlsx, sheet_name=None)
    # the workbook `sampling draw` writes is accepted too
    book = sample.to_excel(tmp_path / "sample.xlsx")
    files = write_report(assessment, tmp_path / "from_book", sample=book, planning=False, misrating=False,
                         formats=("svg",))
    svg = files.charts["balance"][0].read_text(encoding="utf-8")
    assert not [c for c in sample.cases["case_id"] if c in svg]
    with pytest.raises(ArgumentError, match="sample"):
        write_report(assessment, tmp_path / "never", sample=tmp_path / "missing.xlsx")
    assert not (tmp_path / "never").exists()


def test_synthetic_case_level_report(tmp_path):
    a = rate(synthetic_results(4), n_resamples=500, rng=4)
    files = write_report(a, tmp_path / "syn", formats=("svg",), planning=False, misrating=False)
    md = files.markdown.read_text(encoding="utf-8")
    for sid in files.flagged:
        assert f"**{sid} " in md
    # the report names where the rating probabilities came from: case-level results draw
    # whole cases (the posterior since issue 26; it was the joint case bootstrap)
    assert "posterior (Bayesian bootstrap over whole cases, key questions jointly" in md


# --------------------------------------------------------------------------- existing folder
def test_existing_folder_keeps_other_files(assessment, tmp_path):
    out = tmp_path / "figures"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    (out / "report.md").write_text("old")
    write_report(assessment, out, planning=False, misrating=False, formats=("svg",))
    assert (out / "keep.txt").read_text() == "mine"
    assert (out / "report.md").read_text(encoding="utf-8").startswith("# Inspection results")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


# --------------------------------------------------------------------------- bad input
def test_output_under_a_regular_file_fails_cleanly(assessment, tmp_path):
    blocker = tmp_path / "plain.txt"
    blocker.write_text("x")
    for target in (blocker, blocker / "out", blocker / "deeper" / "out"):
        with pytest.raises(OutputError, match="not a folder|is a file"):
            write_report(assessment, target)
    assert _names(tmp_path) == {"plain.txt"}
    assert blocker.read_text() == "x"


def test_no_key_questions_fails_before_writing(assessment, tmp_path):
    empty = dataclasses.replace(assessment, key_questions=assessment.key_questions.iloc[:0])
    with pytest.raises(DataError, match="no key questions"):
        write_report(empty, tmp_path / "out")
    assert _names(tmp_path) == set()


def test_failure_midway_leaves_nothing(assessment, tmp_path, monkeypatch):
    calls = []
    real = charts.save

    def flaky(fig, stem, *args, **kwargs):
        calls.append(stem)
        if len(calls) % 3 == 0:
            raise RuntimeError("disk on fire")
        return real(fig, stem, *args, **kwargs)

    monkeypatch.setattr(charts, "save", flaky)
    with pytest.raises(RuntimeError, match="disk on fire"):  # drawn here, so the calls are counted here
        write_report(assessment, tmp_path / "out", formats=("svg",), workers=1)
    assert len(calls) == 3
    assert _names(tmp_path) == set()          # no output folder, no staging folder
    (tmp_path / "out").mkdir()
    with pytest.raises(RuntimeError):
        write_report(assessment, tmp_path / "out", formats=("svg",), workers=1)
    assert _names(tmp_path) == {"out"} and _names(tmp_path / "out") == set()


# --------------------------------------------------------------------------- command line
def test_cli_report_on_the_seed_writes_figures_by_default(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    status = main(["report", "--example", "--resamples", "300", "--formats", "png"])
    assert status == 0
    out, err = capsys.readouterr()
    assert out.strip().endswith("report.md")
    assert "chart forest" in err and "done:" in err and err.count("\n") >= 8
    names = _names(tmp_path / "figures")
    assert {"forest.png", "rating_probabilities.png", "overall.png", "report.md", "report.csv",
            "report.xlsx"} <= names
    md = (tmp_path / "figures" / "report.md").read_text(encoding="utf-8")
    assert "**2.1 Assessment**" in md and "**4.1 Unpaid work**" in md


def test_cli_report_on_a_results_file(tmp_path, capsys):
    results = synthetic_results(8, n=40)
    answers = results.answers.apply(lambda col: col.map({1.0: "yes", 0.0: "no"}).fillna("n/a"))
    table = pd.concat([results.cases, answers], axis=1).reset_index()
    path = tmp_path / "results.csv"
    table.to_csv(path, index=False)
    argv = ["report", str(path), "--out", str(tmp_path / "rep"), "--resamples", "300", "--formats", "svg",
            "--quiet", "--seed", "1"]
    judgements = [a for sid in ("1.1", "1.2", "1.3", "1.4") for a in ("--judgement", f"{sid}=Good")]
    assert main(argv + judgements) == 0
    assert "report.md" in capsys.readouterr().out
    assert {"forest.svg", "report.csv"} <= _names(tmp_path / "rep")
    # RESULTS without --out: refused, nothing written
    assert main(["report", str(path), "--quiet"]) == 2
    assert "--out" in capsys.readouterr().err


def test_cli_report_bad_output_is_one_line_and_status_2(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["report", "--example", "--out", str(blocker / "sub"), "--resamples", "100", "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("sampling report: error:")
    assert _names(tmp_path) == {"file"}
    assert main(["report", "--example", "--method", "magic", "--quiet", "--out", str(tmp_path / "o")]) == 2
    assert main(["report", "--formats", "gif", "--quiet", "--out", str(tmp_path / "o")]) == 2
    assert _names(tmp_path) == {"file"}


def test_the_same_inputs_give_byte_identical_files(assessment, tmp_path):
    kw = dict(planning=False, misrating=False, formats=("svg",))
    a = write_report(assessment, tmp_path / "a", **kw)
    b = write_report(assessment, tmp_path / "b", **kw)
    for fa, fb in zip(a.files, b.files):
        assert fa.name == fb.name
        assert fa.read_bytes() == fb.read_bytes(), fa.name   # no timestamps anywhere (xlsx too)
