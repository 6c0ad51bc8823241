"""Issue 21 item 1: a blank answer of a partly answered case is missing for that question."""
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest

import sampling
from sampling.cli import main
from sampling.errors import DataError

SAMPLE = "case_supervision"


@pytest.fixture(scope="module")
def partly(tmp_path_factory):
    """A stratified draw (n = 34 of 79), answered, then: case rows 3-8 with some blank
    cells, row 10 wholly blank (not yet scored)."""
    root = tmp_path_factory.mktemp("missing")
    frame = sampling.synthetic_frame(79, rng=8)
    frame.to_csv(root / "frame.csv", index=False)
    assert main(["draw", str(root / "frame.csv"), "--sample", SAMPLE, "--n", "34", "--out",
                 str(root / "draw.xlsx")]) == 0
    wb = openpyxl.load_workbook(root / "draw.xlsx")
    ws = wb["fieldwork"]
    header = [c.value for c in ws[1]]
    kq_cols = [c for c, h in enumerate(header, start=1) if h and re.match(r"^\d+(\.\d+)+: ", str(h))]
    rng = np.random.default_rng(4)
    for r in range(2, ws.max_row + 1):
        for c in kq_cols:
            ws.cell(r, c).value = str(rng.choice(["Yes", "Yes", "No", "N/A"]))
    for r in range(3, 9):
        ws.cell(r, kq_cols[r % 3]).value = None
    for c in kq_cols:
        ws.cell(10, c).value = None
    wb.save(root / "draw.xlsx")
    return root / "draw.xlsx"


def test_missing_answers_leave_n_and_weighted_estimate(partly):
    r = sampling.read_fieldwork(partly)
    raw = pd.read_excel(partly, sheet_name="fieldwork", dtype=str, keep_default_na=False)
    raw = raw.replace("", np.nan)
    kq_headers = [h for h in raw.columns if re.match(r"^\d+(\.\d+)+: ", str(h))]
    raw = raw[raw[kq_headers].notna().any(axis=1)]          # wholly blank row: not yet scored
    cells = r.stratum_populations[SAMPLE]
    strata = list(r.strata[SAMPLE])
    drawn = sampling.read_draw(partly).cases.set_index("case_id")
    for h in kq_headers:
        kq = h.split(":")[0]
        col = raw[h].str.strip().str.casefold()
        answered = col.isin(["yes", "no"])
        row = r.summary.set_index("key_question").loc[kq]
        assert row["n"] == answered.sum()
        assert row["missing"] == raw[h].isna().sum()
        # independent: Σ N_h p_h / Σ N_h over the strata holding answered cases, with each
        # stratum's missing cases taken to be like its answered ones
        ids = raw.loc[raw[h].notna(), raw.columns[0]]
        data = drawn.loc[ids, strata].assign(applicable=answered[raw[h].notna()].to_numpy(),
                                             y=(col[raw[h].notna()] == "yes").to_numpy())
        g = data.groupby(strata).agg(m=("y", "size"), a=("applicable", "sum"), yes=("y", "sum")).reset_index()
        g = g.merge(cells, on=strata)
        w = g["population"] / g["m"]
        expect = 100 * (w * g["yes"]).sum() / (w * g["a"]).sum()
        assert row["weighted_percent"] == pytest.approx(expect, abs=1e-9)
    assert len(r.missing) == 6 and set(r.missing.columns) == {"row", "case_id", "key_question"}
    assert all("sheet fieldwork row" in x for x in r.missing["row"])
    assert "missing" in r.to_frame().columns
    assert "like the answered ones in the same stratum" in repr(r)


def test_wholly_blank_row_is_not_yet_scored(partly):
    r = sampling.read_fieldwork(partly)
    gone = r.excluded[r.excluded["reason"].str.contains("not yet scored")]
    assert len(gone) == 1 and "row 10" in gone["row"].iloc[0]
    assert gone["case_id"].iloc[0] not in set(r.missing["case_id"])
    assert gone["case_id"].iloc[0] not in set(r.answers.index)


def test_complete_makes_a_blank_an_error_in_words(partly, capsys):
    with pytest.raises(DataError) as err:
        sampling.read_fieldwork(partly, complete=True)
    text = str(err.value)
    assert "6 blank answer(s) in 6 case(s)" in text and "sheet fieldwork row 3" in text
    assert "draw.xlsx" in text and "question " in text and "('" not in text
    assert main(["analyse", str(partly), "--complete", "--resamples", "200"]) == 2
    err_text = capsys.readouterr().err
    assert "--complete" in err_text and "Traceback" not in err_text and len(err_text.strip().splitlines()) <= 2


def test_blank_means_na_stays_an_explicit_choice(partly):
    r = sampling.read_fieldwork(partly, blank_means_na=True)
    assert len(r.missing) == 0 and r.summary["missing"].sum() == 0


def test_analyse_shows_missing_and_interim(partly, capsys):
    assert main(["analyse", str(partly), "--resamples", "200"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"\bmissing\b", out)
    assert "interim result" in out and "like the answered ones in the same stratum" in out
    assert "None" not in out


def test_dataframe_source_and_bad_input():
    cases = pd.DataFrame({"case_id": ["a", "b", "c", "d"], "2.1.1": ["yes", "", "no", ""],
                          "2.1.2": ["no", "yes", "", ""]})
    r = sampling.load_results(cases, sample=SAMPLE)
    s = r.summary.set_index("key_question")
    assert s.loc["2.1.1", "n"] == 2 and s.loc["2.1.1", "missing"] == 1
    assert s.loc["2.1.2", "n"] == 2 and s.loc["2.1.2", "missing"] == 1
    assert "d" in set(r.excluded["case_id"])
    with pytest.raises(DataError, match="case b question 2.1.1"):
        sampling.load_results(cases, sample=SAMPLE, complete=True)
    with pytest.raises(DataError, match="unreadable"):
        sampling.load_results(cases.assign(**{"2.1.1": ["yes", "maybe", "no", ""]}), sample=SAMPLE)


def test_report_table_and_assessment_carry_missing(partly, tmp_path):
    r = sampling.read_fieldwork(partly)
    a = sampling.rate(r, n_resamples=200, rng=1)
    assert a.key_questions["missing"].sum() == 6
    assert any("like the answered ones in the same stratum" in n for n in a.notes)
    assert main(["report", str(partly), "--out", str(tmp_path / "rep"), "--resamples", "200"]) == 0
    md = (tmp_path / "rep" / "report.md").read_text(encoding="utf-8")
    assert "| missing |" in md.replace("  ", " ") or " missing " in md
    assert "like the answered ones in the same stratum" in md
