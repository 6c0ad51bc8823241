"""The draw side of a provider's own inspection: `sampling draw --sample` writes the draw
workbook of the shared contract (fieldwork sheet in the provider's own column names with
Yes/No/N/A drop-downs, manifest, excluded rows, substitutions, glossary), formatted for a
planner; `substitute` and `verify` carry it through fieldwork; frames are read from a named
sheet and header row; eligibility counts calendar months."""
from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import sampling
from sampling import synthetic_frame
from sampling.cli import main
from sampling.errors import ArgumentError, DataError

SEED_WORDS = re.compile(r"Kent|Surrey|Sussex|KSS", re.IGNORECASE)
SHEETS = ["fieldwork", "cases", "reserves", "allocation", "balance", "manifest", "excluded", "substitutions",
          "glossary"]
USER = {"case_id": "CRN", "gender": "Sex", "disposal": "Order Type", "rosh": "RoSH Level", "office": "Office",
        "start_date": "Start Date"}


def cli(capsys, *argv):
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def provider_table(size: int = 1500, seed: int = 21) -> pd.DataFrame:
    """A synthetic provider's frame in its own spelling (no word of the seed inspection)."""
    f = synthetic_frame(size, rng=seed)
    rng = np.random.default_rng(seed)
    f = f.assign(case_id=[f"NC{i:05d}" for i in range(size)],
                 office=rng.choice(["Northgate", "Riverside", "Hillcrest"], size))
    return f.drop(columns=["officer_grade"]).rename(columns=USER)[list(USER.values())]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """An inspection folder for "Northshire CRC" and its frame.xlsx."""
    root = tmp_path_factory.mktemp("northshire")
    assert main(["init", str(root / "ns"), "--provider", "Northshire CRC"]) == 0
    provider_table().to_excel(root / "frame.xlsx", index=False)
    return root


@pytest.fixture(scope="module")
def drawn(folder):
    """`sampling draw frame.xlsx --inspection DIR --sample case_supervision --out DIR/draw.xlsx`."""
    out = folder / "ns" / "draw.xlsx"
    status = main(["draw", str(folder / "frame.xlsx"), "--inspection", str(folder / "ns"), "--sample",
                   "case_supervision", "--out", str(out), "--months-since-start", "6,7", "--as-of", "2019-02-01"])
    assert status == 0
    return out


def cells(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def manifest_of(path: Path) -> dict:
    return {k: v for k, v in cells(path)["manifest"][1:]}


# --------------------------------------------------------------------------- the contract
def test_the_draw_workbook_holds_every_sheet_in_the_users_own_words(drawn):
    wb = openpyxl.load_workbook(drawn)
    assert wb.sheetnames == SHEETS
    header = [c.value for c in wb["fieldwork"][1]]
    fw = sampling.load_framework("hmip-adult")
    kqs = [k for k in fw.key_questions if k.standard in ("2.1", "2.2", "2.3", "2.4")]
    assert header == ["CRN", "Sex", "Order Type", "RoSH Level", "Office", "Start Date",  # carried (issue 21)
                      *[f"{k.id}: {k.text}" for k in kqs], "notes", "Inspector", "Date inspected"]
    assert header[6] == "2.1.1: Does assessment focus sufficiently on engaging the service user?"
    m = manifest_of(drawn)
    assert m["provider"] == m["short_name"] == "Northshire CRC" and m["sample"] == "case_supervision"
    assert m["sample_label"] == "Case supervision (domain two)" and m["framework"] == "hmip-adult"
    assert json.loads(m["columns"]) == {"case_id": "CRN", "gender": "Sex", "disposal": "Order Type",
                                        "rosh": "RoSH Level"}
    assert json.loads(m["strata"]) == ["gender", "disposal", "rosh"]
    assert json.loads(m["key_questions"]) == [k.id for k in kqs]
    assert int(m["seed"]) == 2019 and "created_utc" not in m and len(m["frame_sha256"]) == 64
    sample = wb["cases"]
    assert int(m["population"]) == int(m["frame_rows"]) and int(m["n"]) == sample.max_row - 1
    field = cells(drawn)["fieldwork"][1:]
    assert [r[0] for r in field] == [r[2] for r in cells(drawn)["cases"][1:]]  # selection order
    assert all(v is None for r in field for v in r[6:])  # answers blank at draw time


def test_key_question_cells_take_yes_no_na_from_a_drop_down(drawn):
    ws = openpyxl.load_workbook(drawn)["fieldwork"]
    [dv] = ws.data_validations.dataValidation
    assert dv.type == "list" and dv.formula1 == '"Yes,No,N/A"' and dv.allow_blank
    assert str(dv.sqref) == f"G2:R{ws.max_row}"  # every key question cell of every case, nothing else


def test_nothing_of_the_seed_inspection_in_any_sheet(drawn):
    with zipfile.ZipFile(drawn) as z:
        text = "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    assert "Northshire CRC" in text and not SEED_WORDS.search(text)


def test_excluded_rows_are_listed_with_their_reasons(drawn):
    excluded = cells(drawn)["excluded"]
    assert excluded[0] == ("row", "CRN", "reason")
    m = manifest_of(drawn)
    assert len(excluded) - 1 + int(m["population"]) == 1500  # no case dropped silently
    assert {r[2] for r in excluded[1:]} == {"supervised under 6 months on 2019-02-01",
                                           "supervised over 7 months on 2019-02-01"}
    assert all(isinstance(r[0], int) and r[0] >= 2 for r in excluded[1:])  # the spreadsheet's own rows


def test_rerun_with_the_printed_seed_gives_the_same_workbook(folder, drawn, capsys):
    status, out, _ = cli(capsys, "draw", folder / "frame.xlsx", "--inspection", folder / "ns", "--sample",
                         "case_supervision", "--out", folder / "again.xlsx", "--months-since-start", "6,7",
                         "--as-of", "2019-02-01", "--seed", 2019)
    assert status == 0 and "seed 2019" in out
    assert cells(folder / "again.xlsx") == cells(drawn)
    assert (folder / "again.xlsx").read_bytes() == drawn.read_bytes()  # byte for byte, no clock


# --------------------------------------------------------------------------- a planner's workbook
def test_every_sheet_has_a_bold_frozen_filtered_header_and_fitted_widths(drawn):
    wb = openpyxl.load_workbook(drawn)
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2" and all(c.font.bold for c in ws[1]), ws.title
        if ws.max_row > 1:
            assert ws.auto_filter.ref == ws.dimensions, ws.title
        widths = [ws.column_dimensions[c.column_letter].width for c in ws[1]]
        assert all(8 <= w <= 60 for w in widths), (ws.title, widths)


def test_percentages_dates_and_rounded_numbers(drawn):
    wb = openpyxl.load_workbook(drawn)
    balance = wb["balance"]
    header = [c.value for c in balance[1]]
    pct = balance.cell(2, header.index("population_pct") + 1)
    assert pct.number_format == "0.0%" and 0 < pct.value < 1
    assert balance.cell(2, header.index("p_value") + 1).number_format == "0.000"
    assert balance.cell(2, header.index("difference_pts") + 1).number_format == "0.0"
    cases = wb["cases"]
    start = cases.cell(2, [c.value for c in cases[1]].index("Start Date") + 1)
    assert start.is_date and start.number_format == "yyyy-mm-dd"
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=2):
            for c in row:
                weight = ws.title == "cases" and ws.cell(1, c.column).value in ("SelectionProb", "SamplingWeight")
                if isinstance(c.value, float) and not weight:  # weights keep full precision (sum to N_h)
                    assert c.number_format != "General" and len(repr(c.value).split(".")[-1]) <= 4, (ws.title, c)


def test_plain_headers_and_a_glossary_of_every_term(drawn):
    wb = openpyxl.load_workbook(drawn)
    allocation = [c.value for c in wb["allocation"][1]]
    assert "cases in population (N_h)" in allocation and "cases to inspect (n_h)" in allocation
    glossary = cells(drawn)["glossary"]
    assert glossary[0] == ("term", "meaning", "where")
    terms = " / ".join(r[0] for r in glossary[1:])
    used = {c.value for name in ("allocation", "balance", "substitutions", "excluded") for c in wb[name][1]}
    used |= {"selection_order", "cell", "reserve_rank", "seed", "frame_sha256", "cases_sha256", "p_value",
             "population", "notes", "key question", "reserves", "fingerprint", "share", "difference in points",
             "balance p-value", "strata"}
    missing = [t for t in used if t not in terms and t not in ("gender", "disposal", "rosh", "CRN")]
    assert not missing, missing


# --------------------------------------------------------------------------- the CSV form
def test_a_csv_draw_writes_the_same_pieces_in_a_folder(folder, drawn, capsys):
    status, _, err = cli(capsys, "draw", folder / "frame.xlsx", "--inspection", folder / "ns", "--sample",
                         "case_supervision", "--out", folder / "draw.csv", "--months-since-start", "6,7",
                         "--as-of", "2019-02-01")
    assert status == 0, err
    out = folder / "draw"
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{s}.csv" for s in SHEETS if s != "manifest"]
                                                           + ["manifest.json"])
    m = json.loads((out / "manifest.json").read_text())
    assert m["columns"]["case_id"] == "CRN" and m["strata"] == ["gender", "disposal", "rosh"]  # not JSON twice
    assert isinstance(m["population"], int) and m["seed"] == 2019
    field = pd.read_csv(out / "fieldwork.csv", dtype=str)
    assert field.columns[:4].tolist() == ["CRN", "Sex", "Order Type", "RoSH Level"]
    assert field["CRN"].tolist() == pd.read_excel(drawn, sheet_name="fieldwork", dtype=str)["CRN"].tolist()
    cases = pd.read_csv(out / "cases.csv", dtype=str)
    assert cases["Start Date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()  # dates, no midnight times
    status, _, _ = cli(capsys, "draw", folder / "frame.xlsx", "--inspection", folder / "ns", "--sample",
                       "case_supervision", "--out", folder / "plainfolder", "--months-since-start", "6,7",
                       "--as-of", "2019-02-01")
    assert status == 0 and (folder / "plainfolder" / "fieldwork.csv").is_file()


def test_without_sample_the_draw_is_as_before_and_says_what_sample_adds(folder, capsys, tmp_path):
    status, out, err = cli(capsys, "draw", folder / "frame.xlsx", "--out", tmp_path / "s.csv")
    assert status == 0, err
    assert "note: --sample NAME" in out and "fieldwork sheet" in out and "seed 2019" in out
    names = {p.name for p in tmp_path.iterdir()}
    assert names == {"s.csv", "s_reserves.csv", "s_allocation.csv", "s_balance.csv", "s_manifest.json"}
    assert "created_utc" not in json.loads((tmp_path / "s_manifest.json").read_text())


# --------------------------------------------------------------------------- read back
def test_read_draw_gives_the_sample_back_from_either_form(folder, drawn):
    a, b = sampling.read_draw(drawn), sampling.read_draw(folder / "draw")
    frame = sampling.load_frame(folder / "frame.xlsx", months_since_start=(6, 7), as_of="2019-02-01")
    fresh = sampling.draw_sample(frame, a.n, rng=2019)
    for s in (a, b):
        assert s.cases["case_id"].tolist() == fresh.cases["case_id"].tolist()
        assert s.reserves["case_id"].tolist() == fresh.reserves["case_id"].tolist()
        assert s.allocation["n_h"].tolist() == fresh.allocation["n_h"].tolist()
        np.testing.assert_allclose(s.balance["sample_pct"], fresh.balance["sample_pct"], atol=0.006)
        assert s.manifest["seed"] == 2019 and s.manifest["population"] == len(frame)
        assert s.manifest["provider"] == "Northshire CRC" and len(s.substitutions) == 0
        assert s.fieldwork.columns[0] == "CRN"
    with pytest.raises(ArgumentError, match="draw workbook"):
        sampling.read_draw(folder / "frame.xlsx")


def test_check_draw_matches_refuses_another_providers_draw(folder, drawn):
    sampling.check_draw_matches(drawn, "Northshire CRC")
    sampling.check_draw_matches(folder / "draw", "Northshire CRC", sample_name="case_supervision")
    sampling.check_draw_matches(None, "anyone")
    with pytest.raises(DataError, match="Northshire CRC.*not 'Southvale CRC'"):
        sampling.check_draw_matches(drawn, "Southvale CRC")
    with pytest.raises(DataError, match="Southvale"):
        sampling.check_draw_matches(sampling.read_draw(folder / "draw"), "Southvale CRC")
    with pytest.raises(DataError, match="unpaid_work"):
        sampling.check_draw_matches(drawn, "Northshire CRC", sample_name="unpaid_work")


# --------------------------------------------------------------------------- substitute, verify
def test_substitute_then_verify_loses_and_duplicates_no_case(folder, drawn, tmp_path, capsys):
    path = tmp_path / "draw.xlsx"
    path.write_bytes(drawn.read_bytes())
    before = sampling.read_draw(path)
    first = before.cases["case_id"].iloc[0]
    status, out, err = cli(capsys, "substitute", path, first, "--reason", "moved out of area")
    assert status == 0, err
    after = sampling.read_draw(path)
    [rec] = after.substitutions.to_dict("records")
    reserve = before.reserves[before.reserves["cell"] == before.cases["cell"].iloc[0]].iloc[0]
    assert rec == {"replaced_case_id": first, "reserve_case_id": reserve["case_id"], "cell": reserve["cell"],
                   "reserve_rank": 1, "reason": "moved out of area"}
    field = after.fieldwork
    assert field["CRN"].iloc[0] == reserve["case_id"] and field["notes"].iloc[0] == f"replaces {first}: moved out of area"
    assert sorted(field["CRN"]) == sorted(after.cases["case_id"]) and field["CRN"].is_unique
    assert pd.read_excel(path, sheet_name="cases", dtype=str)["case_id"].tolist() == \
        before.cases["case_id"].tolist()  # cases keeps the draw as drawn
    assert openpyxl.load_workbook(path)["fieldwork"].data_validations.dataValidation  # drop-downs kept
    status, out, err = cli(capsys, "verify", path, folder / "frame.xlsx")
    assert status == 0, err
    assert "verified" in out and "seed 2019" in out and f"{first} -> {reserve['case_id']}" in out
    assert "none lost or duplicated" in out
    check = sampling.verify_draw(path, folder / "frame.xlsx")
    assert check.ok and check.frame_matches and len(check.to_frame()) == 1 and "verified" in repr(check)


def test_substitution_errors_name_the_case_and_the_workbook(drawn, tmp_path, capsys):
    path = tmp_path / "draw.xlsx"
    path.write_bytes(drawn.read_bytes())
    sample = sampling.read_draw(path)
    first, second = sample.cases["case_id"].iloc[:2]
    assert cli(capsys, "substitute", path, first, "--reason", "refused consent")[0] == 0
    status, _, err = cli(capsys, "substitute", path, first, "--reason", "again")
    assert status == 2 and "CASE_ID" in err and first in err and "already replaced" in err and "draw.xlsx" in err
    status, _, err = cli(capsys, "substitute", path, "NC99999", "--reason", "x")
    assert status == 2 and "CASE_ID='NC99999'" in err and "not a sampled case" in err
    reserve = sample.reserves["case_id"].iloc[-1]
    status, _, err = cli(capsys, "substitute", path, reserve, "--reason", "x")
    assert status == 2 and "is a reserve" in err
    status, _, err = cli(capsys, "substitute", path, second, "--reason", "  ")
    assert status == 2 and "--reason" in err
    status, _, err = cli(capsys, "substitute", tmp_path / "nothing.xlsx", second, "--reason", "x")
    assert status == 2 and "WORKBOOK" in err
    wb = openpyxl.load_workbook(path)  # an inspected case is not replaced
    wb["fieldwork"]["H3"] = "Yes"  # a key question (after the carried Office, Start Date)
    wb.save(path)
    with pytest.raises(DataError) as info:
        sampling.substitute_case(path, second, "x")
    assert info.value.rows == (3,) and info.value.values == ("Yes",) and "already has answers" in str(info.value)


def test_an_exhausted_cell_is_a_clear_error(folder, tmp_path, capsys):
    out = tmp_path / "lean.xlsx"
    assert cli(capsys, "draw", folder / "frame.xlsx", "--inspection", folder / "ns", "--sample", "case_supervision",
               "--reserves", 1, "--n", 60, "--out", out)[0] == 0
    first = sampling.read_draw(out).cases["case_id"].iloc[0]
    assert cli(capsys, "substitute", out, first, "--reason", "a")[0] == 0
    now = sampling.read_draw(out).cases["case_id"].iloc[0]
    status, _, err = cli(capsys, "substitute", out, now, "--reason", "b")
    assert status == 2 and "no unused reserve left in cell" in err and "lean.xlsx" in err and "--reserves" in err


def test_substitute_and_verify_in_a_draw_folder(folder, tmp_path, capsys):
    out = tmp_path / "draw"
    assert cli(capsys, "draw", folder / "frame.xlsx", "--inspection", folder / "ns", "--sample", "unpaid_work",
               "--out", out)[0] == 0
    first = pd.read_csv(out / "fieldwork.csv", dtype=str)["CRN"].iloc[2]
    assert cli(capsys, "substitute", out, first, "--reason", "=cmd|' /C calc'!A0")[0] == 0
    subs = pd.read_csv(out / "substitutions.csv", dtype=str)
    assert subs["reason"].tolist() == ["'=cmd|' /C calc'!A0"]  # formula escaped
    assert sampling.read_draw(out).substitutions["reason"].tolist() == ["=cmd|' /C calc'!A0"]
    status, printed, err = cli(capsys, "verify", out, folder / "frame.xlsx")
    assert status == 0 and "verified" in printed, err


def test_verify_says_when_the_frame_or_the_workbook_is_another(folder, drawn, tmp_path, capsys):
    other = tmp_path / "other.xlsx"
    provider_table(seed=22).to_excel(other, index=False)
    check = sampling.verify_draw(drawn, other)
    assert not check.identical and not check.frame_matches and "NOT verified" in repr(check)
    status, _, err = cli(capsys, "verify", drawn, other)
    assert status == 1 and "not the one drawn from" in err  # a verdict: exit 1 (issue 23 item 6)
    edited = tmp_path / "edited.xlsx"
    wb = openpyxl.load_workbook(drawn)
    ws = wb["fieldwork"]
    ws["A3"] = ws["A2"].value  # a case typed twice, another lost
    wb.save(edited)
    check = sampling.verify_draw(edited, folder / "frame.xlsx")
    assert check.identical and not check.ok
    assert any("listed twice" in p for p in check.problems) and any("missing" in p for p in check.problems)
    status, _, err = cli(capsys, "verify", edited, folder / "frame.xlsx")
    assert status == 1 and "listed twice" in err  # a verdict: exit 1


# --------------------------------------------------------------------------- settings
def test_strata_seed_and_n_come_from_the_inspection(folder, tmp_path, capsys):
    ns = tmp_path / "ns"
    assert cli(capsys, "init", ns, "--provider", "Northshire CRC", "--seed", 77)[0] == 0
    toml = ns / "inspection.toml"
    toml.write_text(toml.read_text().replace("margin = 0.05", "margin = 0.08"))
    status, out, err = cli(capsys, "draw", folder / "frame.xlsx", "--inspection", ns, "--sample", "unpaid_work",
                           "--json")
    assert status == 0, err
    result = json.loads(out)
    assert result["manifest"]["strata"] == ["gender", "rosh"] and result["seed"] == 77
    assert result["n"] == sampling.sample_size(1500, confidence_level=0.8, margin=0.08)
    status, out, _ = cli(capsys, "draw", folder / "frame.xlsx", "--inspection", ns, "--sample", "unpaid_work",
                         "--strata", "Sex,RoSH Level", "--seed", 5, "--n", 40, "--json")
    result = json.loads(out)
    assert result["manifest"]["strata"] == ["gender", "rosh"] and result["seed"] == 5 and result["n"] == 40
    status, out, _ = cli(capsys, "draw", folder / "frame.xlsx", "--inspection", ns, "--sample",
                         "case_supervision", "--strata", "Office", "--n", 30, "--json")
    assert json.loads(out)["manifest"]["strata"] == ["Office"]


def test_sample_without_an_inspection_uses_the_framework(folder, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no inspection.toml here
    status, out, err = cli(capsys, "draw", folder / "frame.xlsx", "--sample", "through_the_gate", "--n", 20,
                           "--out", "ttg.xlsx")
    assert status == 0, err
    assert "seed 2019" in out and "no inspection folder" in out
    m = manifest_of(tmp_path / "ttg.xlsx")
    assert json.loads(m["strata"]) == [] and m["provider"] == "null" and m["framework"] == "hmip-adult"
    assert [c.value for c in openpyxl.load_workbook("ttg.xlsx")["fieldwork"][1]][3].startswith("4.2.")  # after the carried Office, Start Date
    status, _, err = cli(capsys, "draw", folder / "frame.xlsx", "--sample", "nowhere", "--out", "x.xlsx")
    assert status == 2 and "--sample='nowhere'" in err and "case_supervision" in err
    assert not (tmp_path / "x.xlsx").exists()


def test_python_api(folder, tmp_path):
    inspection = sampling.load_inspection(folder / "ns")
    frame = sampling.load_frame(folder / "frame.xlsx")
    sample = sampling.draw_sample(frame, 50, strata=["Sex", "RoSH Level"], rng=3)
    assert sample.manifest["strata"] == ["gender", "rosh"] and sample.manifest["frame_source"].endswith("frame.xlsx")
    path = sampling.write_draw_workbook(sample, tmp_path / "d.xlsx", sample_name="unpaid_work",
                                        inspection=inspection, frame=frame)
    back = sampling.read_draw(path)
    assert back.manifest["key_questions"] == [k.id for k in sampling.load_framework().key_questions
                                              if k.standard == "4.1"]
    reserve, again = back.substitute(back.cases["case_id"].iloc[0], reason="ill")
    assert again.substitutions["reason"].tolist() == ["ill"] and again.original_case_ids() == \
        sample.cases["case_id"].tolist()


# --------------------------------------------------------------------------- frames
def test_header_below_a_title_row_and_error_rows_are_the_spreadsheets(tmp_path, capsys):
    table = provider_table(40)
    path = tmp_path / "export.xlsx"
    with pd.ExcelWriter(path) as w:
        pd.DataFrame({"About": ["exported 1 Feb 2019"]}).to_excel(w, sheet_name="read me", index=False)
        pd.DataFrame([["Caseload, Northshire"]]).to_excel(w, sheet_name="cases", index=False, header=False)
        table.to_excel(w, sheet_name="cases", index=False, startrow=2)  # header on row 3
    assert len(sampling.load_frame(path)) == 40
    assert len(sampling.load_frame(path, sheet="cases", header_row=3)) == 40
    assert len(sampling.load_frame(path, header_row=3)) == 40  # the sheet with its header there
    status, out, err = cli(capsys, "draw", path, "--sheet", "cases", "--header-row", 3, "--n", 10)
    assert status == 0, err
    bad = table.copy()
    bad.loc[1, "Sex"] = "unknown"
    with pd.ExcelWriter(path) as w:
        pd.DataFrame([["Caseload"]]).to_excel(w, sheet_name="cases", index=False, header=False)
        bad.to_excel(w, sheet_name="cases", index=False, startrow=2)
    with pytest.raises(DataError) as info:
        sampling.load_frame(path)
    assert info.value.rows == (5,) and info.value.column == "gender"  # header row 3: first case row 4
    bad.to_csv(tmp_path / "plain.csv", index=False)
    with pytest.raises(DataError) as info:
        sampling.load_frame(tmp_path / "plain.csv")
    assert info.value.rows == (3,)  # header row 1: first case row 2
    status, _, err = cli(capsys, "draw", path, "--sheet", "nowhere")
    assert status == 2 and "--sheet='nowhere'" in err and "cases" in err
    status, _, err = cli(capsys, "draw", path, "--header-row", 0)
    assert status == 2 and "--header-row=0" in err


@pytest.mark.parametrize("start, kept", [
    ("2018-07-01", True),   # exactly 7 calendar months before 1 February
    ("2018-07-02", True),
    ("2018-06-30", False),  # over 7 months
    ("2018-08-01", True),   # exactly 6
    ("2018-08-02", False),  # under 6
])
def test_months_since_start_counts_calendar_months_at_the_boundaries(start, kept):
    frame = pd.DataFrame({"CRN": ["a", "b"], "Sex": "male", "Order Type": "licence", "RoSH Level": "low",
                          "Start Date": [start, "2018-07-15"]})
    f = sampling.load_frame(frame, months_since_start=(6, 7), as_of="2019-02-01")
    assert ("a" in set(f.data["case_id"])) is kept
    if not kept:
        [reason] = f.excluded["reason"]
        assert reason.startswith("supervised over 7" if start < "2018-07" else "supervised under 6")


def test_month_ends_clip_like_calendar_arithmetic():
    from sampling.draw._months import calendar_months

    got = calendar_months(np.array(["2018-08-31", "2018-07-31", "2016-02-29", "2018-12-31"], dtype="datetime64[D]"),
                          np.datetime64("2019-02-28"))
    np.testing.assert_allclose(got, [6.0, 7.0, 36.0, 2.0])  # 31 July + 7 months = 28 February


def test_a_chain_of_substitutions_reads_back_for_analysis(drawn, tmp_path):
    """A reserve that is itself replaced later is out of the sample: the fieldwork reader
    accepts the last reserve and refuses the one it replaced."""
    path = tmp_path / "draw.xlsx"
    path.write_bytes(drawn.read_bytes())
    first = sampling.read_draw(path).cases["case_id"].iloc[0]
    r1 = sampling.substitute_case(path, first, "moved")["reserve_case_id"]
    r2 = sampling.substitute_case(path, r1, "in custody")["reserve_case_id"]
    sample = sampling.read_draw(path)
    assert sample.cases["case_id"].iloc[0] == r2 and sample.original_case_ids()[0] == first
    assert sample.substitutions["reserve_rank"].tolist() == [1, 2]
    assert sampling.verify_draw(path, drawn.parent.parent / "frame.xlsx").ok
    wb = openpyxl.load_workbook(path)
    ws = wb["fieldwork"]
    for row in ws.iter_rows(min_row=2, min_col=7, max_col=18):  # after carried Office, Start Date
        for c in row:
            c.value = "Yes"
    wb.save(path)
    results = sampling.read_fieldwork(path)
    assert results.populations == {"case_supervision": int(sample.manifest["population"])}
    ws["A2"] = r1
    wb.save(path)
    with pytest.raises(DataError, match="not in this draw") as info:
        sampling.read_fieldwork(path)
    assert info.value.rows == (2,) and info.value.values == (r1,)


def test_filled_workbook_breaks_down_by_any_frame_column_in_the_users_words(drawn, tmp_path, capsys):
    """The fieldwork sheet carries only the id and strata, but the frame's other columns
    (Office here) come back from the cases/reserves sheets, and a stratum may be named as
    the frame names it ("RoSH Level")."""
    import shutil

    filled = tmp_path / "filled.xlsx"
    shutil.copy(drawn, filled)
    wb = openpyxl.load_workbook(filled)
    ws = wb["fieldwork"]
    head = [c.value for c in ws[1]]
    rng = np.random.default_rng(3)
    for row in ws.iter_rows(min_row=2):
        for i, h in enumerate(head):
            if h and str(h)[:1].isdigit() and ":" in str(h):
                row[i].value = "Yes" if rng.random() < 0.7 else "No"
    wb.save(filled)
    results = sampling.read_fieldwork([filled])
    assert "Office" in results.cases.columns and results.cases["Office"].ne("").all()
    by_office = sampling.breakdown(results, "Office")
    assert set(by_office.subgroups["subgroup"]) <= {"Northgate", "Riverside", "Hillcrest"}
    assert by_office.table.groupby("subgroup")["cases"].max().sum() == len(results.cases)
    status, out, err = cli(capsys, "analyse", filled, "--by", "RoSH Level")
    assert status == 0 and "key questions by rosh" in out
    assert set(sampling.breakdown(results, "rosh").subgroups["population_source"]) == {"N_h"}
