"""Both workbook readers (python-calamine, the default, and openpyxl) give the same tables,
the same draw byte for byte and the same error messages for the same files."""
from __future__ import annotations

import datetime as dt
import hashlib
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest

import sampling
from sampling import ArgumentError, DataError
from sampling._utils._excel import READERS, sheet_names, xlsx_reader
from sampling._utils._tables import read_table, is_blank
from sampling.cli._main import main


@pytest.fixture
def reader(monkeypatch):
    def use(name):
        monkeypatch.setenv("SAMPLING_XLSX_READER", name)
        assert xlsx_reader() == name
    return use


def test_calamine_is_the_default(monkeypatch):
    monkeypatch.delenv("SAMPLING_XLSX_READER", raising=False)
    assert xlsx_reader() == "calamine"


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """A frame under two title rows: dates, datetimes, times, whole and decimal numbers,
    booleans, blanks, a whitespace-only cell, a formula, a hidden and an empty sheet."""
    p = tmp_path_factory.mktemp("xlsx") / "mixed.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "frame"
    ws.append(["Eligible cases, Northshire"])
    ws.append([])
    ws.append(["CRN", "Sex", "Start Date", "Score", "Flag", "Weird", "Time"])
    ws.append(["X1", "male", dt.datetime(2020, 1, 2), 5, True, 1.5, dt.time(10, 30)])
    ws.append(["X2", None, dt.date(2021, 3, 4), 5.0, False, "=1+1", None])
    ws.append([17, " female ", None, None, None, 1e20, None])
    ws.append(["X4", "   ", dt.datetime(2021, 3, 4, 13, 5), -2, None, 0.1, None])
    hidden = wb.create_sheet("hidden")
    hidden.append(["a"])
    hidden.sheet_state = "hidden"
    wb.create_sheet("empty")
    wb.save(p)
    return p


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert a.shape == b.shape and list(a.columns) == list(b.columns)
    for x, y in zip(a.to_numpy().ravel().tolist(), b.to_numpy().ravel().tolist()):
        if is_blank(x) and is_blank(y):  # calamine reads a whitespace-only cell as ""
            continue
        assert type(x) is type(y) and x == y, (x, y)


@pytest.mark.parametrize("as_text", [True, False])
def test_both_readers_give_the_same_cells(mixed, reader, as_text):
    tables = {}
    for name in READERS:
        reader(name)
        assert sheet_names(mixed) == ["frame", "hidden", "empty"]
        tables[name] = read_table(mixed, what="frame", as_text=as_text, find=[["CRN", "Sex"]])
    (a, sa, *_), (b, sb, *_) = tables["calamine"], tables["openpyxl"]
    assert sa == sb
    _same(a, b)
    assert list(a.columns) == ["CRN", "Sex", "Start Date", "Score", "Flag", "Weird", "Time"]
    assert len(a) == 4
    if as_text:
        assert a["Start Date"].tolist()[:2] == ["2020-01-02 00:00:00", "2021-03-04 00:00:00"]
        assert a["Score"].tolist() == ["5", "5", "", "-2"] and a["CRN"].tolist()[2] == "17"


def test_both_readers_refuse_the_same_files_in_the_same_words(tmp_path, mixed, reader):
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    words = {}
    for name in READERS:
        reader(name)
        with pytest.raises(DataError) as broken:
            read_table(tmp_path / "broken.xlsx", what="frame")
        with pytest.raises(ArgumentError) as sheet:
            read_table(mixed, what="frame", sheet="nope")
        words[name] = (str(broken.value), str(sheet.value))
    assert words["calamine"] == words["openpyxl"]
    assert "cannot read" in words["calamine"][0] and "zip" not in words["calamine"][0].lower()


def _digest(path) -> str:
    """The draw's cases and reserves, as the workbook holds them."""
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = [tuple(r) for name in ("cases", "reserves", "fieldwork") for r in wb[name].iter_rows(values_only=True)]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_a_draw_from_an_xlsx_frame_is_the_same_with_either_reader(tmp_path, reader, capsys):
    f = sampling.synthetic_frame(1500, rng=5)
    f["start_date"] = pd.to_datetime(f["start_date"]) if "start_date" in f else pd.Timestamp("2020-01-01")
    f["notes"] = np.where(np.arange(len(f)) % 3 == 0, "", "seen")  # blanks in a carried column
    f.to_excel(tmp_path / "frame.xlsx", index=False)
    digests, outs = {}, {}
    for name in READERS:
        reader(name)
        out = tmp_path / f"draw-{name}.xlsx"
        assert main(["draw", str(tmp_path / "frame.xlsx"), "--sample", "case_supervision", "--n", "60",
                     "--seed", "11", "--out", str(out)]) == 0
        outs[name] = capsys.readouterr().out.replace(name, "")
        digests[name] = _digest(out)
    assert digests["calamine"] == digests["openpyxl"]
    assert outs["calamine"] == outs["openpyxl"]


def test_a_filled_draw_workbook_reads_the_same_with_either_reader(tmp_path, reader):
    sampling.synthetic_frame(400, rng=8).to_csv(tmp_path / "frame.csv", index=False)
    assert main(["draw", str(tmp_path / "frame.csv"), "--sample", "case_supervision", "--n", "40",
                 "--out", str(tmp_path / "draw.xlsx")]) == 0
    wb = openpyxl.load_workbook(tmp_path / "draw.xlsx")
    ws = wb["fieldwork"]
    header = [c.value for c in ws[1]]
    rng = np.random.default_rng(4)
    for r in range(2, ws.max_row + 1):
        for c, h in enumerate(header, start=1):
            if h and re.match(r"^\d+(\.\d+)+: ", str(h)) and r % 7:
                ws.cell(r, c).value = str(rng.choice(["Yes", "No", "N/A", "yes "]))
    wb.save(tmp_path / "draw.xlsx")
    got = {}
    for name in READERS:
        reader(name)
        res = sampling.read_fieldwork(tmp_path / "draw.xlsx")
        got[name] = res
    a, b = got["calamine"], got["openpyxl"]
    pd.testing.assert_frame_equal(a.summary, b.summary)
    pd.testing.assert_frame_equal(a.answers, b.answers)
    assert a.sample_sizes == b.sample_sizes
