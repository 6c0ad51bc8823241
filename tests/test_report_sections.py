"""The report's extra sections (issue 13): a breakdown, a comparison and the national picture
go into `sampling report` when their input is there."""
from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

import sampling
from sampling.cli import main
from sampling.examples import synthetic_results

POPS = {"case_supervision": 668, "unpaid_work": 300, "through_the_gate": 100}


def _csv(tmp_path, name, seed, pops=POPS):
    r = synthetic_results(seed, population=pops)
    path = tmp_path / f"{name}.csv"
    rows = r.cases.join(r.answers).reset_index()
    rows.astype(object).where(rows.notna(), "NA").to_csv(path, index=False)
    return path


def test_report_holds_comparison_and_national_sections(tmp_path, capsys):
    now, before = _csv(tmp_path, "northshire-2021", 21), _csv(tmp_path, "northshire-2019", 19)
    east, west = _csv(tmp_path, "eastvale", 31), _csv(tmp_path, "westmoor", 32)
    out = tmp_path / "rep"
    assert main(["report", str(now), "--population", "case_supervision=668,unpaid_work=300,through_the_gate=100",
                 "--by", "rosh", "--compare-with", f"{before}=case_supervision=668,unpaid_work=300,through_the_gate=100",
                 "--national", f"{east}=case_supervision=500,unpaid_work=300,through_the_gate=100",
                 f"{west}=case_supervision=900,unpaid_work=300,through_the_gate=100",
                 "--resamples", "300", "--out", str(out), "--quiet"]) == 0
    capsys.readouterr()
    md = (out / "report.md").read_text()
    for heading in ("## Key questions by rosh", "## Compared with northshire-2019", "## Against the national picture"):
        assert heading in md
    assert (out / "compare.png").exists() and (out / "by_rosh.png").exists()
    funnels = sorted(p.name for p in out.glob("funnel_*.png"))
    assert funnels and all(f"({p})" in md for p in funnels)
    sheets = pd.ExcelFile(out / "report.xlsx").sheet_names
    assert {"by_rosh", "compare_key_questions", "compare_standards", "national", "against_national"} <= set(sheets)
    assert "most likely" not in md


def test_national_source_without_population_names_the_flag(tmp_path, capsys):
    now, east = _csv(tmp_path, "now", 3), _csv(tmp_path, "east", 4)
    assert main(["report", str(now), "--population", "case_supervision=668,unpaid_work=300,through_the_gate=100",
                 "--national", str(east), "--resamples", "200", "--out", str(tmp_path / "r"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "--national" in err and "=N" in err
    assert not (tmp_path / "r").exists()


def test_write_report_sections_in_python(tmp_path):
    a = dataclasses.replace(synthetic_results(5, population=POPS), provider="Northshire")
    b = dataclasses.replace(synthetic_results(6, population=POPS), provider="Eastvale")
    files = sampling.write_report(sampling.rate(a, n_resamples=200, rng=1), tmp_path / "r", planning=False,
                                  misrating=False, formats=("svg",),
                                  sections=[sampling.compare(b, a, n_resamples=200, rng=2), sampling.pool([a, b]),
                                            sampling.breakdown(a, "gender")])
    assert {"compare", "by_gender"} <= set(files.charts)
    md = files.markdown.read_text()
    assert "Northshire against the national %" in md
    with pytest.raises(sampling.ArgumentError, match="Breakdown, Comparison or Pool"):
        sampling.write_report(sampling.rate(a, n_resamples=200, rng=1), tmp_path / "x", sections=["nope"])
