"""The draw workbook read back: ids checked against the draw, unscored and missing cases
listed (never silently dropped), workbooks of one inspection must agree."""
from __future__ import annotations

import openpyxl
import pytest

import sampling
from sampling.results._fieldwork import is_draw_workbook, read_fieldwork, write_draw_workbook
from sampling.errors import DataError, OutputError

from test_own_inspection import fill_fieldwork, provider_frame


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    folder = tmp_path_factory.mktemp("north")
    inspection = sampling.load_inspection(sampling.init_inspection(folder, "Northshire CRC"))
    frame = sampling.load_frame(provider_frame(folder / "frame.xlsx", 900))
    sample = sampling.draw_sample(frame, 60, rng=5)
    path = write_draw_workbook(sample, folder / "draw.xlsx", framework=sampling.load_framework(),
                               sample_name="case_supervision", inspection=inspection, frame=frame)
    return folder, path, sample


def _copy(path, dest, edit=None):
    wb = openpyxl.load_workbook(path)
    if edit:
        edit(wb)
    wb.save(dest)
    return dest


def test_round_trip(drawn, tmp_path):
    folder, path, sample = drawn
    assert is_draw_workbook(path) and not is_draw_workbook(folder / "frame.xlsx")
    filled = _copy(path, tmp_path / "filled.xlsx")
    fill_fieldwork(filled)
    r = read_fieldwork(filled)
    assert r.provider == "Northshire CRC" and r.populations == {"case_supervision": 900}
    assert r.strata == {"case_supervision": ("gender", "disposal", "rosh")}
    assert sorted(r.cases.index if r.cases.index.name == "case_id" else r.cases["case_id"]) == \
        sorted(sample.cases["case_id"])


def test_unscored_and_missing_cases_are_listed(drawn, tmp_path):
    _, path, sample = drawn

    def edit(wb):
        ws = wb["fieldwork"]
        ws.delete_rows(3)  # a drawn case removed from the sheet
    filled = _copy(path, tmp_path / "filled.xlsx", edit)
    wb = openpyxl.load_workbook(filled)
    ws = wb["fieldwork"]
    for c in range(5, ws.max_column):  # score every row but the last
        for r in range(2, ws.max_row):
            ws.cell(r, c).value = "Yes"
    wb.save(filled)
    r = read_fieldwork(filled)
    reasons = r.excluded["reason"].tolist()
    assert sum("missing from the fieldwork sheet" in x for x in reasons) == 1
    assert sum("not yet scored" in x for x in reasons) == 1


def test_a_case_not_drawn_is_an_error_naming_the_sheet_row_and_value(drawn, tmp_path):
    _, path, _ = drawn

    def edit(wb):
        wb["fieldwork"].cell(4, 1).value = "NS999999"
    bad = _copy(path, tmp_path / "bad.xlsx", edit)
    fill_fieldwork(bad)
    with pytest.raises(DataError, match="not in this draw") as info:
        read_fieldwork(bad)
    assert "fieldwork" in str(info.value) and "NS999999" in str(info.value) and "4" in str(info.value)
    assert "sampling substitute" in str(info.value)


def test_workbooks_of_one_inspection_must_agree(drawn, tmp_path):
    _, path, _ = drawn
    a = _copy(path, tmp_path / "a.xlsx")
    fill_fieldwork(a)
    with pytest.raises(DataError, match="same sample"):
        read_fieldwork([a, a])

    def other(wb):
        ws = wb["manifest"]
        for row in ws.iter_rows(min_row=2):
            if row[0].value == "provider":
                row[1].value = "Southshire CRC"
    b = _copy(a, tmp_path / "b.xlsx", other)
    with pytest.raises(DataError, match="different providers"):
        read_fieldwork([a, b])


def test_bad_output_and_sample(drawn, tmp_path):
    _, _, sample = drawn
    fw = sampling.load_framework()
    with pytest.raises(OutputError, match=".xlsx"):
        write_draw_workbook(sample, tmp_path / "draw.csv", framework=fw, sample_name="case_supervision")
    with pytest.raises(sampling.ArgumentError, match="sample"):
        write_draw_workbook(sample, tmp_path / "draw.xlsx", framework=fw, sample_name="nowhere")


def test_substitute_and_verify_from_the_command_line(drawn, tmp_path, capsys):
    """No case lost or duplicated through substitution, fieldwork and analysis; the draw
    still verifies against its frame, and not against another."""
    import pandas as pd

    from sampling.cli import main

    folder, path, sample = drawn
    wb_path = _copy(path, tmp_path / "draw.xlsx")
    first = sample.cases["case_id"].iloc[3]
    assert main(["substitute", str(wb_path), first, "--reason", "moved out of area"]) == 0
    assert "replaced by" in capsys.readouterr().out
    assert main(["substitute", str(wb_path), first, "--reason", "again"]) == 2
    assert "already replaced" in capsys.readouterr().err
    assert main(["substitute", str(wb_path), "NS999999", "--reason", "x"]) == 2
    assert "CASE_ID" in capsys.readouterr().err
    field = pd.read_excel(wb_path, sheet_name="fieldwork", dtype=str)
    cases = pd.read_excel(wb_path, sheet_name="cases", dtype=str)
    subs = pd.read_excel(wb_path, sheet_name="substitutions", dtype=str)
    ids = field["CRN"].tolist()
    assert len(ids) == len(set(ids)) == len(sample.cases) and first not in ids
    assert sorted(cases["case_id"]) == sorted(sample.cases["case_id"])  # the contract: cases keeps the draw
    assert sorted(ids) == sorted([*(set(cases["case_id"]) - {first}), *subs["reserve_case_id"]])
    assert subs["reason"].tolist() == ["moved out of area"]
    assert main(["verify", str(wb_path), str(folder / "frame.xlsx")]) == 0
    assert "verified" in capsys.readouterr().out
    other = provider_frame(tmp_path / "other.xlsx", 901)
    assert main(["verify", str(wb_path), str(other)]) == 1  # not the draw: a verdict, exit 1 (issue 23 item 6)
    fill_fieldwork(wb_path)
    r = read_fieldwork(wb_path)
    assert sorted(r.cases.index if r.cases.index.name == "case_id" else r.cases["case_id"]) == sorted(ids)


def test_the_csv_folder_form_reads_back_like_the_workbook(drawn, tmp_path):
    """`draw --sample --out NAME.csv` writes the same pieces as CSV files in NAME/ (with
    manifest.json); filled the same way, it gives the same Results."""
    import json

    import pandas as pd

    from sampling.results._fieldwork import write_draw_folder

    folder, path, sample = drawn
    inspection = sampling.load_inspection(folder)
    frame = sampling.load_frame(folder / "frame.xlsx")
    written = write_draw_folder(sample, tmp_path / "draw", framework=sampling.load_framework(),
                                sample_name="case_supervision", inspection=inspection, frame=frame)
    assert {p.name for p in written} >= {"fieldwork.csv", "cases.csv", "balance.csv", "manifest.json",
                                         "excluded.csv", "substitutions.csv", "glossary.csv"}
    assert json.loads((tmp_path / "draw" / "manifest.json").read_text())["population"] == 900
    filled = _copy(path, tmp_path / "filled.xlsx")
    fill_fieldwork(filled)
    answers = pd.read_excel(filled, sheet_name="fieldwork", dtype=str, keep_default_na=False)
    answers.to_csv(tmp_path / "draw" / "fieldwork.csv", index=False)
    a, b = read_fieldwork(filled), read_fieldwork(tmp_path / "draw")
    pd.testing.assert_frame_equal(a.summary, b.summary)
    assert a.populations == b.populations and a.strata == b.strata
