"""Design effect and effective n per key question (issue 22, item 3): R ``survey``'s
``svymean(..., deff=TRUE)``, the design variance over the variance of a simple random sample
without replacement of the same n, stored here (CI has Python only).

R 4.x, package ``survey``; the data are ``DATA`` below written to d.csv (q NA = not applicable)::

    library(survey)
    d <- read.csv("d.csv")
    des <- svydesign(ids=~1, strata=~h, fpc=~N, data=d)
    for (q in c("q1","q2")) {
      sub <- subset(des, !is.na(d[[q]]))
      m <- svymean(as.formula(paste0("~", q)), sub, deff=TRUE)
      cat(q, sprintf("%.12f", coef(m)), sprintf("%.12f", SE(m)), sprintf("%.12f", deff(m)), "\\n")
    }

printed ``q1 0.464000000000 0.092705370472 0.931664482571`` and
``q2 0.463414634146 0.119215045730 0.979311053555``. Designs A and B of tests/test_weights.py
were run the same way (``svymean(~q, subset(des, !is.na(q)), deff=TRUE)``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sampling
from sampling.cli import main

Y, N, NA = 1, 0, None
DATA = {
    "h": list("aaaaaaaabbbbbcccccccccc"),
    "N": [40] * 8 + [25] * 5 + [60] * 10,
    "q1": [Y, Y, N, Y, Y, Y, Y, N, Y, N, N, N, Y, N, Y, Y, N, N, N, N, N, N, Y],
    "q2": [Y, N, NA, N, Y, NA, Y, Y, N, NA, NA, N, NA, NA, Y, Y, NA, NA, Y, N, N, N, N],
}
#: R survey: (estimate, SE, deff) for q1 and q2
R_DEFF = [(0.464000000000, 0.092705370472, 0.931664482571),
          (0.463414634146, 0.119215045730, 0.979311053555)]
KQ = ["2.1.1", "2.2.3"]
SAMPLE = "case_supervision"


def _word(v):
    return "n/a" if v is None else ("yes" if v else "no")


def _results() -> sampling.Results:
    cases = pd.DataFrame({"case_id": [f"c{i:02d}" for i in range(len(DATA["h"]))], "h": DATA["h"],
                          KQ[0]: [_word(v) for v in DATA["q1"]], KQ[1]: [_word(v) for v in DATA["q2"]]})
    cells = pd.DataFrame({"h": ["a", "b", "c"], "population": [40, 25, 60]})
    return sampling.load_results(cases, sample=SAMPLE, stratum_populations=cells)


def test_design_effect_equals_r_svymean_deff():
    est = sampling.weighted_estimates(_results())
    ref = np.array(R_DEFF)
    np.testing.assert_allclose(est["weighted_percent"] / 100, ref[:, 0], atol=1e-9)
    np.testing.assert_allclose(np.sqrt(est["variance"]), ref[:, 1], atol=1e-9)
    np.testing.assert_allclose(est["design_effect"], ref[:, 2], atol=1e-9)
    n = np.array([23, sum(v is not None for v in DATA["q2"])])
    np.testing.assert_allclose(est["effective_n"], n / ref[:, 2], rtol=1e-12)


def test_by_hand_srs_variance():
    # deff = v / [n/(n-1) p(1-p) (N̂ - n)/(N̂ n)]: one stratum with N known is a simple random sample
    cases = pd.DataFrame({"case_id": list("abcdefgh"), "h": ["x"] * 8,
                          "2.1.1": ["yes", "no", "yes", "yes", "no", "yes", "yes", "no"]})
    r = sampling.load_results(cases, sample=SAMPLE,
                              stratum_populations=pd.DataFrame({"h": ["x"], "population": [30]}))
    est = sampling.weighted_estimates(r)
    assert est["design_effect"].iloc[0] == pytest.approx(1.0, abs=1e-12)
    assert est["effective_n"].iloc[0] == pytest.approx(8.0, abs=1e-9)


def test_intervals_rate_and_report_show_them():
    from sampling.report import report_markdown

    iv = sampling.intervals(_results())
    np.testing.assert_allclose(iv.table["design_effect"], np.array(R_DEFF)[:, 2], atol=1e-9)
    a = sampling.rate(_results(), n_resamples=200, rng=1)
    np.testing.assert_allclose(a.key_questions["design_effect"], np.array(R_DEFF)[:, 2], atol=1e-9)
    assert {"deff", "n_eff"} <= set(a.key_questions_summary().columns)
    assert "deff" in repr(a) or "deff" in a.key_questions_summary().to_string()
    text = report_markdown(a)
    assert "| design effect | effective n |" in text.replace("  ", " ") or "design effect" in text
    assert "0.93" in text and "None" not in text


def test_without_stratum_populations_there_is_no_design_effect_column():
    cases = pd.DataFrame({"case_id": list("abcd"), "2.1.1": ["yes", "no", "yes", "yes"]})
    iv = sampling.intervals(sampling.load_results(cases, sample=SAMPLE))
    assert "design_effect" not in iv.table.columns


def test_analyse_prints_them(tmp_path, capsys):
    root = tmp_path
    frame = sampling.synthetic_frame(79, rng=8)
    frame.to_csv(root / "frame.csv", index=False)
    assert main(["draw", str(root / "frame.csv"), "--sample", SAMPLE, "--n", "34", "--out",
                 str(root / "draw.xlsx")]) == 0
    import openpyxl
    import re
    wb = openpyxl.load_workbook(root / "draw.xlsx")
    ws = wb["fieldwork"]
    header = [c.value for c in ws[1]]
    rng = np.random.default_rng(4)
    for r in range(2, ws.max_row + 1):
        for c, h in enumerate(header, start=1):
            if h and re.match(r"^\d+(\.\d+)+: ", str(h)):
                ws.cell(r, c).value = str(rng.choice(["Yes", "Yes", "No", "N/A"]))
    wb.save(root / "draw.xlsx")
    capsys.readouterr()
    assert main(["analyse", str(root / "draw.xlsx"), "--resamples", "200"]) == 0
    out = capsys.readouterr().out
    assert "deff" in out and "n_eff" in out


#: R survey deff of designs A and B of tests/test_weights.py (q1 on every case, q2 the domain):
#: des <- svydesign(ids=~1, strata=~h, fpc=~N_h, data=d)
#: deff(svymean(~q1, des, deff=TRUE)); deff(svymean(~q2, subset(des, !is.na(q2)), deff=TRUE))
R_DEFF_AB = {"A": (1.052707723013, 0.745303190720), "B": (0.857035884475, 0.915175319971)}


@pytest.mark.parametrize("name", ["A", "B"])
def test_stored_designs_of_the_weights_tests(name):
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).parent))
    from test_weights import design_results

    est = sampling.weighted_estimates(design_results(name))
    np.testing.assert_allclose(est["design_effect"], R_DEFF_AB[name], atol=1e-9)
