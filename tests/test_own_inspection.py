"""A provider's own inspection, end to end, by the command line alone:
init → plan → draw → (fill the fieldwork sheet) → analyse → report, on a synthetic
provider whose frame uses its own column names. Every output must name that provider and
hold no word of the seed inspection."""
from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl

from sampling import synthetic_frame
from sampling.cli import main

SEED_WORDS = re.compile(r"Kent|Surrey|Sussex|KSS", re.IGNORECASE)
OFFICES = ["Northgate", "Riverside", "Hillcrest", "Eastfield"]


def cli(capsys, *argv):
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def provider_frame(path: Path, size: int = 2400) -> Path:
    """A frame in the provider's own spelling: CRN, Sex, Order Type, RoSH Level, Office, Start Date."""
    f = synthetic_frame(size, rng=11)
    rng = np.random.default_rng(11)
    f = f.assign(case_id=[f"NS{i:06d}" for i in range(size)], office=rng.choice(OFFICES, size))
    f = f.drop(columns=["officer_grade"]).rename(columns={
        "case_id": "CRN", "gender": "Sex", "disposal": "Order Type", "rosh": "RoSH Level",
        "office": "Office", "start_date": "Start Date"})
    f.to_excel(path, index=False)
    return path


def fill_fieldwork(path: Path, seed: int = 3) -> int:
    """Score every case of the fieldwork sheet (Yes ~70%, some N/A); returns the rows filled."""
    wb = openpyxl.load_workbook(path)
    ws = wb["fieldwork"]
    header = [c.value for c in ws[1]]
    kq_cols = [i for i, h in enumerate(header, start=1) if h and re.match(r"^\d+(\.\d+)+: ", str(h))]
    assert kq_cols, header
    rng = np.random.default_rng(seed)
    rows = 0
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 1).value in (None, ""):
            continue
        rows += 1
        for c in kq_cols:
            ws.cell(r, c).value = rng.choice(["Yes", "Yes", "Yes", "No", "N/A"] if c == kq_cols[-1]
                                             else ["Yes", "Yes", "No"])
    wb.save(path)
    return rows


def all_text(folder: Path) -> str:
    """Every output file's text: md, csv, json, svg, and the cells of every workbook."""
    parts = []
    for p in sorted(folder.rglob("*")):
        if p.suffix in (".md", ".csv", ".json", ".svg", ".txt", ".toml"):
            parts.append(p.read_text(encoding="utf-8", errors="replace"))
        elif p.suffix == ".xlsx":
            with zipfile.ZipFile(p) as z:
                parts += [z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml")]
    return "\n".join(parts)


def test_own_inspection_end_to_end(tmp_path, capsys):
    folder = tmp_path / "northshire"
    assert cli(capsys, "init", folder, "--provider", "Northshire Community Rehabilitation Company",
               "--short-name", "Northshire CRC")[0] == 0
    frame = provider_frame(tmp_path / "frame.xlsx")
    status, out, err = cli(capsys, "draw", frame, "--inspection", folder, "--sample", "case_supervision",
                           "--out", folder / "draw.xlsx")
    assert status == 0, err
    seed = re.search(r"seed (\d+)", out)
    assert seed, out
    wb = openpyxl.load_workbook(folder / "draw.xlsx")
    assert {"fieldwork", "cases", "reserves", "allocation", "balance", "manifest", "excluded",
            "substitutions", "glossary"} <= set(wb.sheetnames)
    header = [c.value for c in wb["fieldwork"][1]]
    assert header[:4] == ["CRN", "Sex", "Order Type", "RoSH Level"] and header[-3:] == ["notes", "Inspector", "Date inspected"]
    manifest = {r[0]: r[1] for r in wb["manifest"].iter_rows(min_row=2, values_only=True)}
    N = int(manifest["population"])
    n = fill_fieldwork(folder / "draw.xlsx")

    status, out, err = cli(capsys, "analyse", folder / "draw.xlsx", "--inspection", folder,
                           "--resamples", 400, "--json")
    assert status == 0, err
    result = json.loads(out)
    text = json.dumps(result)
    assert "Northshire" in text and not SEED_WORDS.search(text)
    assert "incomplete" in text.lower()  # domain two only: 4 of 10 standards rated

    # the finite population correction comes from the manifest: same as --population N given
    status, out2, err = cli(capsys, "analyse", folder / "draw.xlsx", "--inspection", folder,
                            "--resamples", 400, "--json", "--population", f"case_supervision={N}")
    assert status == 0, err
    kq1 = json.loads(out2)["key_questions"]
    assert [r["low"] for r in result["key_questions"]] == [r["low"] for r in kq1]
    assert all(r["n"] <= n for r in kq1)

    status, out, err = cli(capsys, "report", folder / "draw.xlsx", "--inspection", folder,
                           "--resamples", 400, "--out", folder / "report", "--quiet")
    assert status == 0, err
    report_text = all_text(folder / "report") + all_text(folder)
    assert "Northshire" in report_text
    assert not SEED_WORDS.search(report_text), SEED_WORDS.search(report_text).group(0)
