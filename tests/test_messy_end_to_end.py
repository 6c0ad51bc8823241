"""Issue 21's done-when, end to end on the command line: an own inspection with three kinds of
bad frame value, a population in inspection.toml that disagrees with the frame, blanks in 30 of
152 drawn cases, runs init -> draw (all bad values in one run; then set aside) -> substitute ->
progress -> analyse -> report, every step exiting 0 and speaking the user's language."""
from __future__ import annotations

import re

import numpy as np
import openpyxl
import pandas as pd
import pytest

from sampling.cli import main
from sampling.examples import synthetic_frame

#: what must never reach a user: our Python names, repository paths, None, the seed provider
LEAKS = re.compile(r"sampling\.[a-z_]+\(|\bNone\b|results\.[a-z_]+|flag_reason|benchmarks/|Traceback"
                   r"|Kent, Surrey|KSS")
USER = {"case_id": "CRN", "gender": "Sex", "disposal": "Order Type", "rosh": "RoSH Level",
        "office": "Office", "start_date": "Start Date"}


def _frame(size: int = 2010) -> pd.DataFrame:
    f = synthetic_frame(size, rng=31).drop(columns=["officer_grade"])
    rng = np.random.default_rng(31)
    f = f.assign(case_id=[f"NS{i:06d}" for i in range(size)],
                 office=rng.choice(["Northgate", "Riverside", "Hillcrest", "Moorside"], size))
    f = f.rename(columns=USER)[list(USER.values())]
    f.loc[[5, 50, 500], "Sex"] = "Unknown"
    f.loc[[6, 60], "Order Type"] = "Community Order (CJA 2003)"
    f.loc[[7, 70, 700, 701, 702], "RoSH Level"] = "Not Assessed"
    return f


def _run(capsys, *argv):
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert not LEAKS.findall(out + err), LEAKS.findall(out + err)
    return status, out, err


def _fill(path, blank_in: int, seed: int = 5):
    """Answer every drawn case; in ``blank_in`` of them leave one or two questions blank."""
    rng = np.random.default_rng(seed)
    book = openpyxl.load_workbook(path)
    sheet = book["fieldwork"]
    header = [c.value for c in sheet[1]]
    questions = [i for i, h in enumerate(header, start=1) if h and re.match(r"^\d+(\.\d+)+: ", str(h))]
    rows = list(range(2, sheet.max_row + 1))
    partly = set(rng.choice(rows, blank_in, replace=False).tolist())
    blanks = 0
    for row in rows:
        skip = set(rng.choice(questions, 1 + int(rng.random() < 0.5), replace=False).tolist()) if row in partly else set()
        blanks += len(skip)
        for col in questions:
            sheet.cell(row, col).value = None if col in skip else ("Yes" if rng.random() < 0.72 else "No")
    book.save(path)
    return len(rows), blanks


@pytest.fixture(scope="module")
def inspection(tmp_path_factory):
    root = tmp_path_factory.mktemp("messy")
    assert main(["init", str(root / "ns"), "--provider", "Northshire and South Riding Community Rehabilitation "
                 "Company", "--short-name", "Northshire CRC"]) == 0
    toml = root / "ns" / "inspection.toml"
    text = toml.read_text(encoding="utf-8")
    text = text.replace("[samples.case_supervision]", "[samples.case_supervision]\npopulation = 1900", 1)
    toml.write_text(text, encoding="utf-8")
    _frame().to_excel(root / "ns" / "frame.xlsx", index=False)
    return root / "ns"


def test_the_whole_path_on_messy_data(inspection, capsys, tmp_path):
    ns = inspection
    draw = ns / "draw.xlsx"
    common = ["--inspection", ns, "--sample", "case_supervision"]
    # one run names every bad value, under the export's headers
    status, out, err = _run(capsys, "draw", ns / "frame.xlsx", *common, "--out", draw)
    assert status == 2 and not draw.exists()
    for header, value in (("Sex", "Unknown"), ("Order Type", "Community Order (CJA 2003)"),
                          ("RoSH Level", "Not Assessed")):
        assert header in err and value in err
    # a second run maps one spelling, sets the rest aside, and records them
    status, out, err = _run(capsys, "draw", ns / "frame.xlsx", *common, "--out", draw, "--n", "152",
                            "--map", "Order Type:Community Order (CJA 2003)=community",
                            "--set-aside", "Sex=Unknown", "--set-aside", "RoSH Level=Not Assessed")
    assert status == 0, err
    assert "1,900" in out and "2,002" in out      # the stated population and the frame's eligible count
    excluded = pd.read_excel(draw, sheet_name="excluded", dtype=str)
    assert len(excluded) == 8 and excluded["reason"].str.contains("set aside").all()
    first = pd.read_excel(draw, sheet_name="fieldwork", dtype=str).iloc[0, 0]
    status, out, err = _run(capsys, "substitute", draw, first, "--reason", "file could not be found")
    assert status == 0, err
    cases, blanks = _fill(draw, blank_in=30)
    assert cases == 152 and blanks >= 30
    status, out, err = _run(capsys, "progress", draw)
    assert status == 0, err
    assert "152" in out and "partly answered" in out
    status, out, err = _run(capsys, "analyse", draw)
    assert status == 0, err
    assert "missing" in out
    status, out, err = _run(capsys, "analyse", draw, "--complete")
    assert status == 2 and "blank" in err and "fieldwork" in err
    report = tmp_path / "report"
    status, out, err = _run(capsys, "report", draw, "--out", report)
    assert status == 0, err
    texts = [p.read_text(encoding="utf-8") for p in report.rglob("*") if p.suffix in (".md", ".csv", ".txt")]
    for sheet in pd.read_excel(report / "report.xlsx", sheet_name=None, dtype=str).values():
        texts.append(sheet.to_csv(index=False))
    leaks = LEAKS.findall("\n".join(texts))
    assert not leaks, leaks
