"""Strict readers and messages in the user's terms (issue 25, items 5 and 6): each bad input
is one typed error naming the file, row, column and value, through the Python API and the
command line alike, never a traceback, a silent misreading or Python advice on the CLI."""
from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import sampling
from sampling.cli._main import main
from sampling.errors import ArgumentError, DataError


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


# ---------------------------------------------------------------- inspection.toml in its own terms

@pytest.fixture()
def folder(tmp_path) -> Path:
    sampling.init_inspection(tmp_path / "northshire", "Northshire CRC")
    return tmp_path / "northshire"


@pytest.mark.parametrize("command", [["plan", "--population", "668"], ["analyse", "results.csv"],
                                     ["draw", "frame.csv", "--sample", "case_supervision", "--out", "d.xlsx"]])
def test_a_misspelt_framework_names_the_file_and_key_in_every_command(folder, capsys, monkeypatch, command):
    path = folder / "inspection.toml"
    path.write_text(path.read_text().replace('framework = "hmip-adult"', 'framework = "hmip-adlt"'))
    with pytest.raises(DataError, match=r"key inspection\.framework: 'hmip-adlt'"):
        sampling.load_inspection(folder)
    (folder / "results.csv").write_text("case_id,2.1.1\nA1,Yes\nA2,No\n", encoding="utf-8")
    sampling.synthetic_frame(60, rng=1).to_csv(folder / "frame.csv", index=False)
    monkeypatch.chdir(folder)
    status, _, err = run(capsys, *command)
    assert status == 2 and "inspection.framework" in err and "--framework" not in err


def test_a_byte_order_mark_in_inspection_toml_is_accepted(folder):
    path = folder / "inspection.toml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert sampling.load_inspection(folder).provider == "Northshire CRC"


# ---------------------------------------------------------------- draw workbooks

@pytest.fixture(scope="module")
def draw_book(frame_csv, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("draw") / "draw.xlsx"
    frame = sampling.load_frame(frame_csv)
    sampling.write_draw_workbook(sampling.draw_sample(frame, 20, rng=2019), path, sample_name="case_supervision",
                                 frame=frame)
    return path


def _edited(source: Path, target: Path, edit) -> Path:
    book = openpyxl.load_workbook(source)
    edit(book)
    book.save(target)
    return target


def _scored(book):
    sheet = book["fieldwork"]
    questions = [c.column for c in sheet[1] if str(c.value)[:1].isdigit()]
    for row in range(2, 22):
        for col in questions:
            sheet.cell(row, col).value = "Yes" if row % 3 else "No"


@pytest.mark.parametrize("edit, missing", [
    (lambda b: b.remove(b["manifest"]), "manifest"),
    (lambda b: setattr(b["fieldwork"], "title", "Fieldwork 1"), "fieldwork"),
])
def test_a_missing_or_renamed_sheet_is_named_with_the_sheets_there(draw_book, tmp_path, capsys, edit, missing):
    path = _edited(draw_book, tmp_path / "book.xlsx", edit)
    with pytest.raises(DataError) as info:
        sampling.read_fieldwork(path)
    assert f"has no sheet {missing!r} (its sheets: " in str(info.value) and "cases" in str(info.value)
    for command in ("analyse", "progress"):
        status, _, err = run(capsys, command, path)
        assert status == 2 and f"has no sheet {missing!r}" in err, err


def test_broken_json_in_the_manifest_is_named_as_such(draw_book, tmp_path, capsys):
    def edit(book):
        for row in book["manifest"].iter_rows(min_row=2):
            if row[0].value == "strata":
                row[1].value = '["gender", "disposal"'
    path = _edited(draw_book, tmp_path / "book.xlsx", edit)
    with pytest.raises(DataError) as info:
        sampling.read_fieldwork(path)
    text = str(info.value)
    assert "sheet 'manifest', key 'strata'" in text and "broken JSON" in text and "'['" not in text
    status, _, err = run(capsys, "analyse", path)
    assert status == 2 and "key 'strata'" in err


def test_nothing_scored_yet_says_so_with_the_cases_waiting(draw_book, capsys):
    with pytest.raises(DataError, match=r"nothing scored yet .*20 cases await scoring"):
        sampling.read_fieldwork(draw_book)
    status, _, err = run(capsys, "analyse", draw_book)
    assert status == 2 and "nothing scored yet" in err and "no rows" not in err


def test_nothing_scored_in_a_results_file_says_so(tmp_path):
    path = tmp_path / "results.csv"
    path.write_text("case_id,2.1.1,2.1.2\nA1,,\nA2,,\n", encoding="utf-8")
    with pytest.raises(DataError, match="nothing scored yet"):
        sampling.load_results(path)


# ---------------------------------------------------------------- shared case ids

def test_compare_and_pool_of_two_copies_of_one_draw_note_the_shared_cases(draw_book, tmp_path, capsys):
    first = _edited(draw_book, tmp_path / "first.xlsx", _scored)
    second = _edited(draw_book, tmp_path / "second.xlsx", _scored)
    a, b = (sampling.read_fieldwork(p) for p in (first, second))
    import dataclasses

    a, b = dataclasses.replace(a, provider="A"), dataclasses.replace(b, provider="B")
    notes = sampling.compare(a, b, n_resamples=200, rng=1).notes
    assert any("share 20 case ids" in n and "independent samples" in n for n in notes)
    pooled = sampling.pool([dataclasses.replace(a, populations={"case_supervision": 60}),
                            dataclasses.replace(b, populations={"case_supervision": 60})])
    assert any("share 20 case ids" in n for n in pooled.notes)
    status, out, _ = run(capsys, "compare", first, second, "--resamples", 200)
    assert status == 0 and "share 20 case ids" in out
    status, out, _ = run(capsys, "pool", first, second)
    assert status == 0 and "share 20 case ids" in out


def test_independent_samples_get_no_overlap_note():
    a, b = sampling.synthetic_results(rng=1, n=40), sampling.synthetic_results(rng=2, n=40)
    import dataclasses

    b = dataclasses.replace(b, answers=b.answers.rename(index=lambda c: f"other-{c}"), provider="B")
    assert not any("share" in n and "case id" in n for n in sampling.compare(a, b, n_resamples=200, rng=1).notes)


# ---------------------------------------------------------------- no Python advice on the command line

def test_pool_of_one_provider_twice_advises_in_flags_on_the_cli_and_python_in_python(draw_book, tmp_path, capsys):
    path = _edited(draw_book, tmp_path / "scored.xlsx", _scored)
    status, _, err = run(capsys, "pool", path, path)
    assert status == 2 and "same provider name" in err and "dataclasses" not in err and "provider=" not in err
    assert "--label" in err
    status, out, _ = run(capsys, "pool", path, path, "--label", "North", "--label", "South")
    assert status == 0 and "Providers: North, South" in out and "share 20 case ids" in out
    import dataclasses

    results = dataclasses.replace(sampling.read_fieldwork(path), provider="Northshire CRC")
    with pytest.raises(DataError) as info:
        sampling.pool([results, results])
    assert "dataclasses.replace(results, provider=" in str(info.value)


def test_a_subgroup_population_is_bounded(draw_book, tmp_path, capsys):
    path = _edited(draw_book, tmp_path / "scored.xlsx", _scored)
    results = sampling.read_fieldwork(path)
    office = str(results.cases["office"].iloc[0])
    with pytest.raises(ArgumentError, match="1,000,000,000"):
        sampling.breakdown(results, "office", populations={office: 10 ** 30})
    status, _, err = run(capsys, "analyse", path, "--by", "office", "--subgroup-population", f"{office}={10 ** 30}")
    assert status == 2 and "1,000,000,000" in err and "Traceback" not in err


@pytest.mark.parametrize("call, keyword", [
    (lambda: sampling.funnel_limits(60.0, 10 ** 30), "n"),
    (lambda: sampling.hypergeometric_exact_interval(5, 10, 10 ** 30), "population"),
    (lambda: sampling.reconstruct_counts(50, 10 ** 30), "n"),
])
def test_statistics_functions_bound_their_counts(call, keyword):
    with pytest.raises(ArgumentError) as info:
        call()
    assert info.value.argument == keyword


def test_xlsx_value_under_a_column_with_no_header_is_refused(tmp_path):
    """A workbook cell under a blank header is named (row and column letter), never dropped."""
    import openpyxl

    frame = sampling.synthetic_frame(30, rng=3)
    path = tmp_path / "frame.xlsx"
    frame.to_excel(path, index=False)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    col = sheet.max_column + 2            # a column past the last header, one blank column between
    sheet.cell(5, col).value = "stray note"
    book.save(path)
    with pytest.raises(sampling.DataError) as info:
        sampling.load_frame(path)
    text = str(info.value)
    letter = openpyxl.utils.get_column_letter(col)
    assert "row 5" in text and f"column {letter}" in text and "no header" in text
