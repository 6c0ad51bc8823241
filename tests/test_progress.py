"""Issue 21 item 2: `sampling progress` and sampling.fieldwork_progress."""
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest
from scipy import stats

import sampling
from sampling.cli import main

SAMPLE = "case_supervision"


def _draw(root, name="draw.xlsx"):
    frame = sampling.synthetic_frame(79, rng=8)
    frame.to_csv(root / "frame.csv", index=False)
    assert main(["draw", str(root / "frame.csv"), "--sample", SAMPLE, "--n", "34", "--out",
                 str(root / name)]) == 0
    return root / name


def _fill(path, rows, partly=()):
    wb = openpyxl.load_workbook(path)
    ws = wb["fieldwork"]
    header = [c.value for c in ws[1]]
    kq = [c for c, h in enumerate(header, start=1) if h and re.match(r"^\d+(\.\d+)+: ", str(h))]
    for r in rows:
        for c in kq:
            ws.cell(r, c).value = "Yes"
    for r in partly:
        ws.cell(r, kq[0]).value = "No"
    wb.save(path)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    root = tmp_path_factory.mktemp("progress")
    path = _draw(root)
    _fill(path, rows=range(2, 22), partly=(22, 23))        # 20 complete, 2 partly, 12 not started
    return path


def test_statuses_counts_and_balance_test(workbook):
    p = sampling.fieldwork_progress(workbook)
    n = p.cases["status"].value_counts()
    assert (n["complete"], n["partly answered"], n["not started"]) == (20, 2, 12)
    assert p.outstanding == 14
    assert set(p.counts["variable"]) >= {"gender", "disposal", "rosh"}
    for v, sub in p.counts.groupby("variable"):
        assert sub["drawn"].sum() == 34
        assert (sub[["complete", "partly answered", "not started"]].sum(axis=1) == sub["drawn"]).all()
    # independent chi-square: scored counts against the drawn shares
    for r in p.balance.itertuples():
        drawn = p.cases[r.variable].value_counts()
        got = p.cases.loc[p.cases["status"] != "not started", r.variable].value_counts().reindex(
            drawn.index, fill_value=0)
        expect = stats.chisquare(got, got.sum() * drawn / drawn.sum())
        assert r.p_value == pytest.approx(expect.pvalue) and "chi-square" in r.test
    assert isinstance(p.to_frame(), pd.DataFrame)
    assert "Fieldwork progress" in repr(p) and "no reserves used" in repr(p)


def test_warning_when_one_group_done_and_another_not_started(tmp_path):
    path = _draw(tmp_path)
    sheet = pd.read_excel(path, sheet_name="cases", dtype=str)
    field = pd.read_excel(path, sheet_name="fieldwork", dtype=str)
    rosh = field.iloc[:, 0].map(sheet.set_index("case_id")["rosh"])
    _fill(path, rows=[i + 2 for i in np.flatnonzero((rosh == "low").to_numpy())])
    p = sampling.fieldwork_progress(path)
    assert any("rosh low is done while medium has not started" in w for w in p.warnings)
    assert any("differ from the drawn sample in rosh" in w for w in p.warnings)


def test_cli_progress_and_reserves(tmp_path, capsys):
    path = _draw(tmp_path)
    first = pd.read_excel(path, sheet_name="fieldwork", dtype=str).iloc[0, 0]
    assert main(["substitute", str(path), first, "--reason", "file missing"]) == 0
    _fill(path, rows=range(2, 10))
    capsys.readouterr()
    assert main(["progress", str(path)]) == 0
    out = capsys.readouterr().out
    assert "8 complete" in out and "26 not started" in out and "Reserves used (1)" in out
    assert first in out and "chi-square goodness of fit" in out and "Outstanding (26)" in out
    assert "None" not in out and "nan" not in out


def test_bad_input(tmp_path, capsys):
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    assert main(["progress", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert "draw workbook" in err and "Traceback" not in err
    with pytest.raises(SystemExit) as exc:
        main(["progress", str(tmp_path / "x.csv"), "--level", "7"])
    assert exc.value.code == 2 and "fraction" in capsys.readouterr().err
    with pytest.raises(sampling.ArgumentError):
        sampling.fieldwork_progress(tmp_path / "x.csv", level=2)


def test_interim_assessment_repr_says_not_rated_not_none(workbook):
    """One sample rates only its own standards: the overall row says "not rated", never None."""
    assessment = sampling.rate(sampling.read_fieldwork(workbook), rng=1)
    text = repr(assessment)
    assert "not rated" in text and "None" not in text
    assert "None" not in assessment._repr_html_()


def test_cli_progress_more_cases_to_settle(workbook, capsys, monkeypatch):
    import sampling.cli._settle as cs

    seen = {}

    def fake(assessment, results=None, *, available=None):
        seen["available"] = available
        print("More cases to settle each flagged rating")
        return True

    monkeypatch.setattr(cs, "print_settling", fake)
    assert main(["progress", str(workbook)]) == 0
    out = capsys.readouterr().out
    assert "More cases to settle" in out and seen["available"] >= 14
    assert "reserves not used" in out and "None" not in out
