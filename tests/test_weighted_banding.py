"""A sample drawn with a non-proportional allocation is banded on its design-weighted %:
its own % over-represents the cells the allocation favoured (issue 22 item 2)."""
from __future__ import annotations

import re

import numpy as np
import openpyxl
import pandas as pd
import pytest

import sampling


def _frame(size=900, seed=4):
    f = sampling.synthetic_frame(size, rng=seed)
    return sampling.load_frame(f)


def _fill(path, yes_rosh):
    """Answer 'Yes' to every question for cases whose RoSH is in ``yes_rosh``, else 'No'."""
    cases = pd.read_excel(path, sheet_name="cases", dtype=str, engine="openpyxl").set_index("case_id")
    book = openpyxl.load_workbook(path)
    sheet = book["fieldwork"]
    header = [c.value for c in sheet[1]]
    questions = [i for i, h in enumerate(header, start=1) if h and re.match(r"^\d+(\.\d+)+: ", str(h))]
    for row in range(2, sheet.max_row + 1):
        case = str(sheet.cell(row, 1).value)
        answer = "Yes" if cases.at[case, "rosh"] in yes_rosh else "No"
        for col in questions:
            sheet.cell(row, col).value = answer
    book.save(path)


def _assess(tmp_path, **allocation):
    frame = _frame()
    sample = sampling.draw_sample(frame, 120, rng=5, **allocation)
    path = sampling.write_draw_workbook(sample, tmp_path / "draw.xlsx", sample_name="case_supervision", frame=frame)
    _fill(path, {"high", "very high"})
    results = sampling.read_fieldwork(path)
    return results, sampling.rate(results, n_resamples=500, rng=1)


def test_equal_allocation_bands_the_weighted_percent(tmp_path):
    results, a = _assess(tmp_path, allocation="equal")
    assert results.weighted_banding == ("case_supervision",)
    kq = a.key_questions.iloc[0]
    # independent: the population share of high/very high RoSH among the cells drawn
    cells = results.stratum_populations["case_supervision"]
    drawn = cells[cells["n"] > 0]
    truth = 100 * drawn.loc[drawn["rosh"].isin(["high", "very high"]), "population"].sum() / drawn["population"].sum()
    assert kq["weighted_percent"] == pytest.approx(truth)
    assert kq["percent"] > truth + 5          # equal allocation over-samples the small high-RoSH cells
    assert kq["published_percent"] == pytest.approx(np.floor(truth + 0.5))
    assert kq["band"] == a.rules.label(int(a.rules.kq_band(np.array([np.floor(truth + 0.5)]))[0]))
    assert any("banded on the design-weighted %" in n for n in a.notes)


def test_proportional_draw_is_banded_on_its_own_percent(tmp_path):
    results, a = _assess(tmp_path)
    assert results.weighted_banding == ()
    kq = a.key_questions.iloc[0]
    assert kq["published_percent"] == pytest.approx(np.floor(kq["percent"] + 0.5))
    assert not any("banded on the design-weighted %" in n for n in a.notes)


def test_the_design_statement_says_how_the_cases_were_allocated(tmp_path):
    frame = _frame()
    sample = sampling.draw_sample(frame, 120, rng=5, allocation="neyman", anticipated=0.7, min_per_cell=1)
    path = sampling.write_draw_workbook(sample, tmp_path / "n.xlsx", sample_name="case_supervision", frame=frame)
    text = sampling.design_statement(path).text()
    assert "at least 1 per cell" in text and "design-weighted" in text
