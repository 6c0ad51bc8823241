"""Strict readers and messages in the user's terms (issue 25, items 5 and 6): each bad input
is one typed error naming the file, row, column and value, through the Python API and the
command line alike, never a traceback, a silent misreading or Python advice on the CLI."""
from __future__ import annotations

import csv
import errno
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import sampling
from sampling.cli._main import main
from sampling.errors import ArgumentError, DataError, SamplingError


def run(capsys, *argv):
    """(status, stdout, stderr) of one ``sampling`` command."""
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture(scope="module")
def frame_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("frame") / "frame.csv"
    sampling.synthetic_frame(60, rng=1).to_csv(path, index=False)
    return path


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def _write(path: Path, rows) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


# ---------------------------------------------------------------- ragged rows

def test_a_frame_row_with_an_extra_field_is_refused_naming_file_row_and_fields(frame_csv, tmp_path, capsys):
    rows = _rows(frame_csv)
    rows[4] = rows[4] + ["EXTRA"]  # spreadsheet row 5
    path = _write(tmp_path / "ragged.csv", rows)
    with pytest.raises(DataError) as info:
        sampling.load_frame(path)
    text = str(info.value)
    assert "ragged.csv" in text and "row 5 has 8 fields" in text and "header (row 1) names (7)" in text
    assert info.value.rows == (5,) and info.value.values == ("EXTRA",)
    status, _, err = run(capsys, "draw", path, "--n", 20, "--out", tmp_path / "s.csv")
    assert status == 2 and "row 5 has 8 fields" in err and "Traceback" not in err
    assert not (tmp_path / "s.csv").exists()


def test_a_results_row_with_an_extra_field_is_refused(tmp_path, capsys):
    path = tmp_path / "results.csv"
    path.write_text("case_id,2.1.1,2.1.2\nA1,Yes,No\nA2,No,No,Yes\nA3,Yes,Yes\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"row 3 has 4 fields"):
        sampling.load_results(path)
    status, _, err = run(capsys, "analyse", path)
    assert status == 2 and "results file" in err and "row 3 has 4 fields" in err


def test_trailing_empty_fields_are_not_ragged(frame_csv, tmp_path):
    rows = _rows(frame_csv)
    path = _write(tmp_path / "commas.csv", [r + [""] for r in rows[:1]] + [r + ["", ""] for r in rows[1:]])
    assert len(sampling.load_frame(path)) == 60


# ---------------------------------------------------------------- duplicate columns

def test_two_gender_columns_in_a_frame_file_are_named(frame_csv, tmp_path, capsys):
    rows = _rows(frame_csv)
    at = rows[0].index("gender")
    path = _write(tmp_path / "dup.csv", [r + [r[at]] for r in rows])
    with pytest.raises(DataError) as info:
        sampling.load_frame(path)
    assert "'gender' in columns C and H" in str(info.value) and "dup.csv" in str(info.value)
    status, _, err = run(capsys, "draw", path, "--n", 20, "--out", tmp_path / "s.csv")
    assert status == 2 and "uses a column name twice" in err and "AttributeError" not in err


def test_two_gender_columns_in_a_dataframe_are_named():
    table = sampling.synthetic_frame(60, rng=1)
    table = pd.concat([table, table[["gender"]]], axis=1)
    with pytest.raises(DataError, match=r"'gender' at positions 3 and 8"):
        sampling.load_frame(table)


def test_a_results_header_with_a_question_twice_is_named(tmp_path, capsys):
    path = tmp_path / "results.csv"
    path.write_text("case_id,2.1.1,2.1.1,2.1.2\nA1,Yes,No,Yes\nA2,No,No,Yes\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"'2\.1\.1' in columns B and C"):
        sampling.load_results(path)
    status, _, err = run(capsys, "analyse", path)
    assert status == 2 and "'2.1.1' in columns B and C" in err


# ---------------------------------------------------------------- blank strata

def test_blank_strata_cells_are_refused_alike_in_csv_and_dataframe(frame_csv, tmp_path, capsys):
    rows = _rows(frame_csv)
    at = rows[0].index("office")
    case = rows[3][0]
    rows[3][at] = ""  # spreadsheet row 4
    path = _write(tmp_path / "blank.csv", rows)
    with pytest.raises(DataError) as from_file:
        sampling.draw_sample(sampling.load_frame(path), 20, strata=["gender", "office"], rng=1)
    assert f"case {case} (row 4)" in str(from_file.value) and "office: 1 blank" in str(from_file.value)
    table = pd.read_csv(frame_csv)
    table.loc[2, "office"] = None  # the same case (DataFrame index 2)
    with pytest.raises(DataError) as from_frame:
        sampling.draw_sample(sampling.load_frame(table), 20, strata=["gender", "office"], rng=1)
    assert f"case {case}" in str(from_frame.value) and "office: 1 blank" in str(from_frame.value)
    status, out, err = run(capsys, "draw", path, "--n", 20, "--strata", "gender,office", "--out", tmp_path / "s.csv")
    assert status == 2 and f"case {case} (row 4)" in err and "male / " not in out


# ---------------------------------------------------------------- sample_n against n

def test_n_larger_than_sample_n_is_refused_naming_row_and_both_values(tmp_path, capsys):
    path = tmp_path / "aggregate.csv"
    path.write_text("key_question,percent,n,sample_n\n2.1.1,50,132,50\n2.1.2,60,132,50\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        sampling.load_results(path)
    assert "row 2" in str(info.value) and "n = 132" in str(info.value) and "sample_n = 50" in str(info.value)
    status, _, err = run(capsys, "analyse", path)
    assert status == 2 and "n = 132 is more than" in err


def test_two_sample_n_for_one_sample_are_refused(tmp_path):
    path = tmp_path / "aggregate.csv"
    path.write_text("key_question,percent,n,sample_n\n2.1.1,50,40,50\n2.1.2,60,40,52\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"sample_n = 50 on row 2 and sample_n = 52 on row 3"):
        sampling.load_results(path)


def test_consistent_sample_n_still_reads(tmp_path):
    path = tmp_path / "aggregate.csv"
    path.write_text("key_question,percent,n,sample_n\n2.1.1,50,40,50\n2.1.2,60,50,50\n", encoding="utf-8")
    assert sampling.load_results(path).sample_sizes == {"case_supervision": 50}


# ---------------------------------------------------------------- counts bounded

@pytest.mark.parametrize("call, keyword", [
    (lambda f: sampling.draw_sample(f, 20, reserves=10 ** 30, rng=1), "reserves"),
    (lambda f: sampling.draw_sample(f, 20, reserves=1e30, rng=1), "reserves"),
    (lambda f: sampling.draw_sample(f, 10 ** 30, rng=1), "n"),
    (lambda f: sampling.draw_sample(f, 20, rng=10 ** 50), "rng"),
    (lambda f: sampling.allocate(f, 10 ** 30), "n"),
    (lambda f: sampling.sample_size(population=10 ** 30), "population"),
    (lambda f: sampling.achieved_margin(10 ** 30), "n"),
    (lambda f: sampling.rate(sampling.synthetic_results(rng=1), n_resamples=10 ** 30), "n_resamples"),
])
def test_every_count_is_bounded_before_any_allocation(frame_csv, call, keyword):
    frame = sampling.load_frame(frame_csv)
    with pytest.raises(ArgumentError) as info:
        call(frame)
    assert info.value.argument == keyword


@pytest.mark.parametrize("argv, flag", [
    (["--n", "20", "--seed", str(10 ** 45)], "--seed="),
    (["--n", str(10 ** 29)], "--n="),
])
def test_counts_on_the_command_line_are_bounded_in_flags(frame_csv, tmp_path, capsys, argv, flag):
    status, _, err = run(capsys, "draw", frame_csv, *argv, "--out", tmp_path / "s.csv")
    assert status == 2 and f"error: {flag}" in err and "Traceback" not in err


def test_plan_population_and_resamples_are_bounded(capsys):
    status, _, err = run(capsys, "plan", "--population", 10 ** 29)
    assert status == 2 and "--population=" in err and "1,000,000,000" in err
    status, _, err = run(capsys, "analyse", "--example", "--resamples", 10 ** 29)
    assert status == 2 and "--resamples=" in err


# ---------------------------------------------------------------- a full disk

FULL_DISK = '''
import errno, io, sys, zipfile
real_init = zipfile.ZipFile.__init__
class Full(io.RawIOBase):
    def __init__(self, inner): self.inner, self.n = inner, 0
    def writable(self): return True
    def seekable(self): return True
    def seek(self, *a): return self.inner.seek(*a)
    def tell(self): return self.inner.tell()
    def write(self, b):
        self.n += len(b)
        if self.n > 2000: raise OSError(errno.ENOSPC, "No space left on device")
        return self.inner.write(b)
def init(self, file, mode="r", *a, **k):
    if mode == "w":
        file = Full(open(file, "wb") if isinstance(file, (str, bytes)) or hasattr(file, "__fspath__") else file)
    real_init(self, file, mode, *a, **k)
zipfile.ZipFile.__init__ = init
from sampling.cli._main import main
sys.exit(main(sys.argv[1:]))
'''


def test_a_workbook_write_on_a_full_disk_prints_only_the_one_line_error(frame_csv, tmp_path):
    import os
    import subprocess
    import sys

    script = tmp_path / "full_disk.py"
    script.write_text(FULL_DISK, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(sampling.__file__).parent.parent)}
    done = subprocess.run([sys.executable, str(script), "draw", str(frame_csv), "--sample", "case_supervision",
                           "--n", "20", "--out", str(tmp_path / "draw.xlsx")], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert lines == ["sampling draw: error: cannot write "
                     f"{str(tmp_path / 'draw.xlsx')!r}: No space left on device"], done.stderr
    assert not (tmp_path / "draw.xlsx").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
