"""CSV that round-trips (issue 25 item 3): every CSV the toolkit writes (sample lists, draw
folders, design export, report, comparison, pool) goes through one writer that quotes any
field holding CR, LF, a comma or a quote; read back with the csv module and with pandas it
gives one row per case and the same cells, the formula guard applied after quoting."""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

import sampling
from sampling import synthetic_frame
from sampling._utils._io import escape_cell, write_csv

ROOT = Path(__file__).resolve().parents[1]
NASTY = ["plain", "a,b", 'say "no"', "line1\nline2", "x\r@SUM(1)", "cr\r\nlf", "\r@SUM(1)", "=1+1", "+1",
         "-1", "@SUM(1)", " =trim", "tab\tin", "lf\n=2+2", 'q"\r\n"q']


def _read_both(path: Path) -> tuple[list[list[str]], pd.DataFrame]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return rows, pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def _check(path: Path, table: pd.DataFrame, column: str) -> None:
    """One row per row of ``table``; csv and pandas agree cell for cell; ``column`` holds the
    escaped text."""
    rows, back = _read_both(path)
    assert len(rows) == len(table) + 1 == len(back) + 1, path.name
    assert rows[0] == list(back.columns)
    assert [r for r in rows[1:]] == back.astype(str).values.tolist(), path.name
    want = [escape_cell(v) for v in table[column].astype(str)]
    assert back[column].tolist() == want, path.name


@pytest.fixture(scope="module")
def nasty_frame():
    f = synthetic_frame(300, rng=4)
    f["office"] = [NASTY[i % len(NASTY)] for i in range(len(f))]
    return sampling.load_frame(f)


def test_write_csv_every_awkward_field(tmp_path):
    table = pd.DataFrame({"case_id": [f"C{i}" for i in range(len(NASTY))], "note": NASTY})
    write_csv(table, tmp_path / "t.csv")
    _check(tmp_path / "t.csv", table, "note")
    raw = (tmp_path / "t.csv").read_bytes()
    assert b"\"'\r@SUM(1)\"" in raw and b"\"x\r@SUM(1)\"" in raw  # quoted, and the guard inside the quotes
    rows, _ = _read_both(tmp_path / "t.csv")
    starts = [r[1][:1] for r in rows[1:]]
    assert not set(starts) & {"=", "+", "-", "@"}  # no cell read back can start a formula


def test_sample_csv_files_round_trip(nasty_frame, tmp_path):
    sample = sampling.draw_sample(nasty_frame, 40, rng=2019)
    files = sample.to_csv(tmp_path / "sample.csv")
    by_name = {p.name: p for p in files}
    _check(by_name["sample.csv"], sample.cases, "office")
    _check(by_name["sample_reserves.csv"], sample.reserves, "office")
    folder = sample.to_csv(tmp_path / "out")
    _check(tmp_path / "out" / "cases.csv", sample.cases, "office")
    assert (tmp_path / "out" / "manifest.json") in folder


def test_draw_folder_round_trips_and_reads_back(nasty_frame, tmp_path):
    sample = sampling.draw_sample(nasty_frame, 40, rng=2019)
    sampling.write_draw_folder(sample, tmp_path / "draw", sample_name="case_supervision", frame=nasty_frame,
                               carry=["office"])
    _check(tmp_path / "draw" / "cases.csv", sample.cases, "office")
    _check(tmp_path / "draw" / "fieldwork.csv", sample.cases, "office")
    back = sampling.read_draw(tmp_path / "draw")
    assert back.cases["office"].tolist() == sample.cases["office"].tolist()  # the guard undone on reading
    assert sampling.verify_draw(tmp_path / "draw", nasty_frame).ok


def test_the_design_export_round_trips(nasty_frame, tmp_path):
    sample = sampling.draw_sample(nasty_frame, 40, rng=2019)
    folder = tmp_path / "draw"
    sampling.write_draw_folder(sample, folder, sample_name="case_supervision", frame=nasty_frame)
    field = pd.read_csv(folder / "fieldwork.csv", dtype=str, keep_default_na=False)
    kq = [c for c in field.columns if c[:1].isdigit()]
    field[kq] = "Yes"
    write_csv(field, folder / "fieldwork.csv")
    results = sampling.read_fieldwork(folder)
    table = sampling.export_design(results, tmp_path / "design.csv")
    rows, back = _read_both(tmp_path / "design.csv")
    assert len(rows) == len(table) + 1 == len(back) + 1 == 41
    assert back["case_id"].tolist() == table["case_id"].astype(str).tolist()
    assert "office" not in back or back["office"].tolist() == [escape_cell(v) for v in table["office"]]


def test_no_csv_is_written_past_the_one_writer():
    """Every ``.to_csv(`` in the package is the one in write_csv."""
    hits = [(p.relative_to(ROOT), n) for p in (ROOT / "sampling").rglob("*.py")
            for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
            if ".to_csv(" in line and "sample.to_csv(" not in line and not line.lstrip().startswith(("#", ">>>"))]
    assert [str(p) for p, _ in hits] == ["sampling/_utils/_io.py"], hits
