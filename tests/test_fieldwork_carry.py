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


def _with_fieldwork_table(folder, tmp_path, table):
    """A copy of the inspection folder whose inspection.toml ends with ``table``."""
    import shutil

    target = tmp_path / "ins"
    shutil.copytree(folder / "ns", target)
    toml = target / "inspection.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("[fieldwork]\n", "[fieldwork]\n" + table + "\n"),
                    encoding="utf-8")
    return target


def _draw_with(capsys, folder, inspection, out, *more):
    return cli(capsys, "draw", folder / "frame.xlsx", "--inspection", inspection, "--sample", "case_supervision",
               "--out", out, *more)


def test_init_writes_a_commented_fieldwork_section(folder):
    text = (folder / "ns" / "inspection.toml").read_text(encoding="utf-8")
    assert "[fieldwork]" in text and "# carry = " in text
    assert sampling.load_inspection(folder / "ns").carry is None


def test_carry_from_inspection_toml_and_flag_overrides(folder, capsys, tmp_path):
    ins = _with_fieldwork_table(folder, tmp_path, 'carry = ["office"]')
    assert sampling.load_inspection(ins).carry == ("office",)
    out = tmp_path / "draw.xlsx"
    status, _, err = _draw_with(capsys, folder, ins, out)
    assert status == 0, err
    header = cells(out)["fieldwork"][0]
    assert header[4] == "Office" and "Start Date" not in header
    flagged = tmp_path / "flagged.xlsx"
    status, _, err = _draw_with(capsys, folder, ins, flagged, "--carry", "Start Date")
    assert status == 0, err
    header = cells(flagged)["fieldwork"][0]
    assert header[4] == "Start Date" and "Office" not in header


def test_empty_carry_in_inspection_toml_carries_nothing(folder, capsys, tmp_path):
    ins = _with_fieldwork_table(folder, tmp_path, "carry = []")
    out = tmp_path / "draw.xlsx"
    status, _, err = _draw_with(capsys, folder, ins, out)
    assert status == 0, err
    header = cells(out)["fieldwork"][0]
    assert header[:4] == ("CRN", "Sex", "Order Type", "RoSH Level") and ":" in header[4]


def test_unknown_carry_column_in_inspection_toml_is_named_as_its_key(folder, capsys, tmp_path):
    ins = _with_fieldwork_table(folder, tmp_path, 'carry = ["Offise"]')
    status, _, err = _draw_with(capsys, folder, ins, tmp_path / "draw.xlsx")
    assert status == 2
    assert "fieldwork.carry" in err and "Offise" in err and "inspection.toml" in err
    assert "--carry" not in err


def test_bad_fieldwork_table_is_refused(folder, tmp_path):
    ins = _with_fieldwork_table(folder, tmp_path, 'carry = "Office"\ncolumns = 3')
    with pytest.raises(sampling.DataError, match=r"\[fieldwork\].*columns"):
        sampling.load_inspection(ins)
