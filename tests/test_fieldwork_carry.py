"""The fieldwork sheet inspectors plan from: carried frame columns, Inspector and Date
inspected, a print layout; read back, they are case columns, not answers."""
from __future__ import annotations

import openpyxl
import pytest

import sampling
from sampling.cli import main

from test_fieldwork_draw import cells, cli, manifest_of, provider_table


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("carry")
    assert main(["init", str(root / "ns"), "--provider", "Northshire CRC"]) == 0
    provider_table(400).to_excel(root / "frame.xlsx", index=False)
    return root


def _draw(capsys, folder, out, *more):
    status, printed, err = cli(capsys, "draw", folder / "frame.xlsx", "--inspection", folder / "ns", "--sample",
                               "case_supervision", "--out", out, *more)
    assert status == 0, err
    return printed


def test_default_carry_and_inspector_columns_and_print_layout(folder, capsys, tmp_path):
    out = tmp_path / "draw.xlsx"
    _draw(capsys, folder, out)
    header = cells(out)["fieldwork"][0]
    assert header[:6] == ("CRN", "Sex", "Order Type", "RoSH Level", "Office", "Start Date")
    assert header[-3:] == ("notes", "Inspector", "Date inspected")
    ws = openpyxl.load_workbook(out)["fieldwork"]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$1:$1"
    [dv] = ws.data_validations.dataValidation
    assert str(dv.sqref).startswith("G2:")  # the answers start after the carried columns
    again = tmp_path / "again.xlsx"
    _draw(capsys, folder, again)
    assert out.read_bytes() == again.read_bytes()  # byte-reproducible for a fixed seed


def test_chosen_carry_and_read_back_ignores_them_as_answers(folder, capsys, tmp_path):
    out = tmp_path / "draw.xlsx"
    _draw(capsys, folder, out, "--carry", "office")
    header = cells(out)["fieldwork"][0]
    assert header[4] == "Office" and "Start Date" not in header
    assert '"Office"' in manifest_of(out)["carry"]
    wb = openpyxl.load_workbook(out)
    ws = wb["fieldwork"]
    names = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        for cell, name in zip(row, names):
            if ":" in str(name):
                cell.value = "Yes"
        row[names.index("Inspector")].value = "A. Inspector"
        row[names.index("Date inspected")].value = "2019-03-04"
    wb.save(out)
    results = sampling.read_fieldwork(out)
    assert "Office" in results.cases.columns and "Inspector" in results.cases.columns
    assert set(results.cases["Inspector"]) == {"A. Inspector"}
    assert not {"Office", "Inspector", "Date inspected"} & set(results.answers.columns)
    assert len(results.answers) == len(results.cases) and (results.answers == 1.0).all().all()
    status, printed, err = cli(capsys, "analyse", out, "--by", "Office")
    assert status == 0, err
    status, _, err = cli(capsys, "draw", folder / "frame.xlsx", "--inspection", folder / "ns", "--sample",
                         "case_supervision", "--out", tmp_path / "x.xlsx", "--carry", "Tier")
    assert status == 2 and "--carry" in err and "Tier" in err
