"""Tamper-evident draws (issue 25 item 2): the manifest's draw fingerprint, and ``verify``
re-drawing from the frame and comparing case by case, so that a ``verify`` that passes means
the workbook is that draw; ``analyse`` refuses fieldwork strata that differ from the draw."""
from __future__ import annotations

import warnings
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import sampling
from sampling import synthetic_frame
from sampling.cli import main
from sampling.errors import DataError


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    """A draw workbook (seed 2019, 300 eligible cases) and the frame it was drawn from."""
    root = tmp_path_factory.mktemp("tamper")
    synthetic_frame(300, rng=11).to_csv(root / "frame.csv", index=False)
    assert main(["init", str(root / "ns"), "--provider", "Tamper CRC"]) == 0
    out = root / "draw.xlsx"
    assert main(["draw", str(root / "frame.csv"), "--inspection", str(root / "ns"), "--sample",
                 "case_supervision", "--reserves", "2", "--seed", "2019", "--out", str(out)]) == 0
    return root / "frame.csv", out


def _edited(drawn, tmp_path, sheet: str, edit) -> Path:
    """A copy of the draw workbook with ``edit(worksheet, header)`` applied to ``sheet``."""
    path = tmp_path / "edited.xlsx"
    wb = openpyxl.load_workbook(drawn[1])
    ws = wb[sheet]
    edit(ws, [c.value for c in ws[1]])
    wb.save(path)
    return path


def _set_manifest(key: str, value: str):
    def edit(ws, header):
        [row] = [r for r in ws.iter_rows(min_row=2) if r[0].value == key]
        row[1].value = value
    return edit


def _verify(capsys, path, frame) -> tuple[int, str]:
    status = main(["verify", str(path), str(frame)])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return status, out + err


def test_the_untouched_draw_verifies_with_its_fingerprint(drawn, capsys):
    check = sampling.verify_draw(drawn[1], drawn[0])
    assert check.ok and check.fingerprint == "matches" and not check.differences
    m = sampling.read_draw(drawn[1]).manifest
    assert len(m["draw_sha256"]) == 64 and m["seed"] == 2019
    status, text = _verify(capsys, drawn[1], drawn[0])
    assert status == 0 and "verified" in text and "NOT" not in text and "draw fingerprint" in text


def test_an_edited_seed_is_not_verified_as_the_draw_of_that_seed(drawn, tmp_path, capsys):
    path = _edited(drawn, tmp_path, "manifest", _set_manifest("seed", "7"))
    check = sampling.verify_draw(path, drawn[0])
    assert not check.identical and check.frame_matches
    text = "\n".join(check.differences)
    assert "seed 7 does not give its recorded generator state" in text
    seven = sampling.draw_sample(sampling.load_frame(drawn[0]), check.manifest["n"], rng=7)
    first_differing = next(a for a, b in zip(sampling.read_draw(path).cases["case_id"], seven.cases["case_id"])
                           if a != b)
    assert first_differing in text  # the differing cases are named
    status, out = _verify(capsys, path, drawn[0])
    assert status == 1 and "NOT verified" in out and "is the draw that" not in out


def test_a_gender_edited_on_the_fieldwork_sheet_is_caught(drawn, tmp_path, capsys):
    case = {}

    def edit(ws, header):
        j = header.index("gender")
        cell = ws.cell(2, j + 1)
        case["id"], case["was"] = ws.cell(2, 1).value, cell.value
        cell.value = "female" if cell.value == "male" else "male"
    path = _edited(drawn, tmp_path, "fieldwork", edit)
    check = sampling.verify_draw(path, drawn[0])
    assert check.identical and not check.ok  # the draw itself is intact; the sheet is not
    [problem] = [p for p in check.problems if "strata" in p]
    assert case["id"] in problem and "gender" in problem and repr(case["was"]) in problem
    status, out = _verify(capsys, path, drawn[0])
    assert status == 1 and case["id"] in out and "NOT verified" in out


def test_an_edited_population_is_caught(drawn, tmp_path, capsys):
    path = _edited(drawn, tmp_path, "manifest", _set_manifest("population", "100000"))
    check = sampling.verify_draw(path, drawn[0])
    assert not check.identical
    assert any("population is 100000" in d and "300 eligible cases" in d for d in check.differences)
    assert _verify(capsys, path, drawn[0])[0] == 1


def test_a_case_id_swapped_in_the_cases_sheet_is_named(drawn, tmp_path, capsys):
    sample = sampling.read_draw(drawn[1])
    old, new = str(sample.cases["case_id"].iloc[3]), str(sample.reserves["case_id"].iloc[0])

    def edit(ws, header):
        ws.cell(5, header.index("case_id") + 1).value = new  # data row 4
    path = _edited(drawn, tmp_path, "cases", edit)
    check = sampling.verify_draw(path, drawn[0])
    assert not check.identical
    text = "\n".join(check.differences)
    assert f"row 5: {new} where the re-draw gives {old}" in text
    status, out = _verify(capsys, path, drawn[0])
    assert status == 1 and new in out and old in out


def test_an_edited_n_h_in_the_allocation_sheet_is_caught(drawn, tmp_path, capsys):
    got = {}

    def edit(ws, header):
        j = header.index("cases in population (N_h)") + 1
        got["cell"], got["N_h"] = ws.cell(2, 1).value, ws.cell(2, j).value
        ws.cell(2, j).value = int(got["N_h"]) + 5
    path = _edited(drawn, tmp_path, "allocation", edit)
    check = sampling.verify_draw(path, drawn[0])
    assert not check.identical
    text = "\n".join(check.differences)
    assert f"cell {got['cell']!r}: N_h {int(got['N_h']) + 5}" in text and f"gives N_h {got['N_h']}" in text
    assert _verify(capsys, path, drawn[0])[0] == 1


def test_an_edited_fingerprint_is_caught(drawn, tmp_path, capsys):
    path = _edited(drawn, tmp_path, "manifest", _set_manifest("draw_sha256", "0" * 64))
    check = sampling.verify_draw(path, drawn[0])
    assert not check.identical and check.fingerprint == "differs"
    assert "draw fingerprint" in check.differences[0]
    assert _verify(capsys, path, drawn[0])[0] == 1


def test_an_older_workbook_without_the_fingerprint_is_still_compared_case_by_case(drawn, tmp_path, capsys):
    def drop(ws, header):
        [row] = [r for r in ws.iter_rows(min_row=2) if r[0].value == "draw_sha256"]
        ws.delete_rows(row[0].row)
    path = _edited(drawn, tmp_path, "manifest", drop)
    check = sampling.verify_draw(path, drawn[0])
    assert check.ok and check.fingerprint == "absent"
    status, text = _verify(capsys, path, drawn[0])
    assert status == 0 and "no draw fingerprint" in text
    # ... and an older workbook with an edited case is still not verified
    sample = sampling.read_draw(path)
    wb = openpyxl.load_workbook(path)
    ws = wb["cases"]
    j = [c.value for c in ws[1]].index("case_id") + 1
    ws.cell(2, j).value = str(sample.reserves["case_id"].iloc[0])
    wb.save(path)
    assert not sampling.verify_draw(path, drawn[0]).identical


def test_a_substituted_draw_still_verifies(drawn, tmp_path):
    path = tmp_path / "subs.xlsx"
    path.write_bytes(drawn[1].read_bytes())
    case = str(sampling.read_draw(path).cases["case_id"].iloc[0])
    sampling.substitute_case(path, case, "moved away")
    check = sampling.verify_draw(path, drawn[0])
    assert check.ok and check.fingerprint == "matches"


def test_the_fingerprint_is_the_same_from_memory_a_workbook_and_a_folder(drawn, tmp_path):
    frame = sampling.load_frame(drawn[0])
    sample = sampling.draw_sample(frame, 40, rng=3)
    sampling.write_draw_workbook(sample, tmp_path / "d.xlsx", sample_name="case_supervision", frame=frame)
    sampling.write_draw_folder(sample, tmp_path / "d", sample_name="case_supervision", frame=frame)
    for p in (tmp_path / "d.xlsx", tmp_path / "d"):
        assert sampling.read_draw(p).manifest["draw_sha256"] == sample.manifest["draw_sha256"]
        assert sampling.verify_draw(p, frame).fingerprint == "matches"
    other = sampling.draw_sample(frame, 40, rng=4)
    assert other.manifest["draw_sha256"] != sample.manifest["draw_sha256"]


# --------------------------------------------------------------------------- analyse
def _filled_with_an_edited_gender(drawn, tmp_path) -> tuple[Path, str, str]:
    """Every case answered Yes; the gender of the first case flipped on the fieldwork sheet."""
    path = tmp_path / "filled.xlsx"
    wb = openpyxl.load_workbook(drawn[1])
    ws = wb["fieldwork"]
    header = [c.value for c in ws[1]]
    kq = [j for j, h in enumerate(header, start=1) if h and str(h)[:1].isdigit() and ":" in str(h)]
    for i in range(2, ws.max_row + 1):
        for j in kq:
            ws.cell(i, j).value = "Yes" if (i + j) % 3 else "No"
    g = ws.cell(2, header.index("gender") + 1)
    was = g.value
    g.value = "female" if was == "male" else "male"
    wb.save(path)
    return path, str(ws.cell(2, 1).value), was


def test_analyse_refuses_fieldwork_strata_that_differ_from_the_draw(drawn, tmp_path, capsys):
    path, case, was = _filled_with_an_edited_gender(drawn, tmp_path)
    with pytest.raises(DataError) as info:
        sampling.read_fieldwork(path)
    err = info.value
    assert err.column == "gender" and err.rows == (2,) and err.values == (case,)
    assert f"{case} gender" in str(err) and f"(drawn {was!r})" in str(err) and "allow_edited_strata" in str(err)
    assert main(["analyse", str(path), "--resamples", "200"]) == 2
    out = capsys.readouterr().err
    assert case in out and "--allow-edited-strata" in out and "allow_edited_strata" not in out
    assert "Traceback" not in out


def test_allow_edited_strata_turns_the_refusal_into_a_warning(drawn, tmp_path, capsys):
    path, case, was = _filled_with_an_edited_gender(drawn, tmp_path)
    with pytest.warns(UserWarning, match=f"{case} gender") as record:
        results = sampling.read_fieldwork(path, allow_edited_strata=True)
    assert len(record) == 1
    assert results.cases.loc[case, "gender"] != was  # analysed with the edited value, as asked
    assert main(["analyse", str(path), "--resamples", "200", "--allow-edited-strata"]) == 0
    err = capsys.readouterr().err
    assert "warning:" in err and case in err and ".py" not in err and "Traceback" not in err


def test_an_untouched_filled_workbook_is_analysed_without_a_warning(drawn, tmp_path):
    path, _, _ = _filled_with_an_edited_gender(drawn, tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb["fieldwork"]
    j = [c.value for c in ws[1]].index("gender") + 1
    ws.cell(2, j).value = openpyxl.load_workbook(drawn[1])["fieldwork"].cell(2, j).value.upper()  # spelling only
    wb.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sampling.read_fieldwork(path)


def test_a_draw_folder_edited_is_caught_too(drawn, tmp_path):
    frame = sampling.load_frame(drawn[0])
    sample = sampling.draw_sample(frame, 40, rng=2019)
    folder = tmp_path / "draw"
    sampling.write_draw_folder(sample, folder, sample_name="case_supervision", frame=frame)
    assert sampling.verify_draw(folder, frame).ok
    alloc = pd.read_csv(folder / "allocation.csv", dtype=str, keep_default_na=False)
    column = "cases in population (N_h)"
    alloc.loc[0, column] = str(int(alloc.loc[0, column]) + 1)
    alloc.to_csv(folder / "allocation.csv", index=False)
    check = sampling.verify_draw(folder, frame)
    assert not check.identical and any(alloc.loc[0, "cell"] in d for d in check.differences)
