"""Issue 21 item 5 (and item 6's lists): the design stated from the draw workbook — eligible
population N and where it came from, cases planned, drawn, scored in full, partly, substituted,
set aside — in the Python object, `sampling analyse`, report.md and report.xlsx; the planning
and misrating charts at the manifest's n and N; the balance chart of a draw workbook on its own."""
from __future__ import annotations

import json
import math
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest
from scipy import stats

import sampling
from sampling.cli import main
from sampling.errors import ArgumentError

from test_fieldwork_draw import provider_table

SAMPLE = "case_supervision"
STATED = 850          # inspection.toml's population, not the frame's
SIZE = 960            # frame rows
EVERY = 32            # every 32nd case's RoSH Level is "Not Assessed": 30 set aside
COMPLETE, PARTLY = 70, 9


def cli(capsys, *argv):
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def cochran(N: int, conf: float = 0.8, e: float = 0.05) -> int:
    """Cochran's n with the finite population correction, from its formula."""
    z = stats.norm.ppf(0.5 + conf / 2)
    n0 = z * z * 0.25 / (e * e)
    return math.ceil(n0 / (1 + (n0 - 1) / N))


@pytest.fixture(scope="module")
def own(tmp_path_factory):
    """An own inspection: set-aside, a stated N unlike the frame's, one substitution, cases
    scored in full, partly and not at all. Returns the facts counted independently."""
    root = tmp_path_factory.mktemp("design")
    insp = root / "ns"
    assert main(["init", str(insp), "--provider", "Northshire Community Rehabilitation Company",
                 "--short-name", "Northshire CRC"]) == 0
    toml = insp / "inspection.toml"
    toml.write_text(toml.read_text().replace("# population = 0 ", f"population = {STATED} ", 1))
    table = provider_table(SIZE, seed=5)
    table.loc[::EVERY, "RoSH Level"] = "Not Assessed"
    table.to_excel(root / "frame.xlsx", index=False)
    set_aside_ids = table.loc[::EVERY, "CRN"].tolist()
    draw = insp / "draw.xlsx"
    assert main(["draw", str(root / "frame.xlsx"), "--inspection", str(insp), "--sample", SAMPLE, "--out",
                 str(draw), "--set-aside", "RoSH Level=Not Assessed"]) == 0
    first = pd.read_excel(draw, sheet_name="fieldwork", dtype=str).iloc[0, 0]
    assert main(["substitute", str(draw), first, "--reason", "transferred out of area"]) == 0
    wb = openpyxl.load_workbook(draw)
    ws = wb["fieldwork"]
    header = [c.value for c in ws[1]]
    kq = [c for c, h in enumerate(header, start=1) if h and re.match(r"^\d+(\.\d+)+: ", str(h))]
    rng = np.random.default_rng(4)
    for r in range(2, 2 + COMPLETE + PARTLY):
        for c in kq:
            ws.cell(r, c).value = str(rng.choice(["Yes", "Yes", "No"]))
    for r in range(2 + COMPLETE, 2 + COMPLETE + PARTLY):   # partly: one or two questions blank
        ws.cell(r, kq[r % len(kq)]).value = None
        if r % 2:
            ws.cell(r, kq[(r + 3) % len(kq)]).value = None
    wb.save(draw)
    N = SIZE - len(set_aside_ids)
    return dict(root=root, insp=insp, draw=draw, N=N, n=cochran(N), set_aside=set_aside_ids,
                replaced=first, rows=ws.max_row - 1)


def test_statement_from_the_draw_workbook_equals_independent_counts(own):
    d = sampling.design_statement(own["draw"])
    assert own["N"] == 930 and len(own["set_aside"]) == 30
    assert d.population == own["N"] and d.population_stated == STATED and d.population_frame == own["N"]
    assert d.planned == own["n"] and d.drawn == own["n"] == own["rows"]
    assert (d.complete, d.partly) == (COMPLETE, PARTLY)
    assert d.not_started == own["n"] - COMPLETE - PARTLY and d.scored == COMPLETE + PARTLY
    assert d.substituted == 1 and d.set_aside == 30 and d.excluded_other == 0
    assert d.set_aside_reasons == (("RoSH Level = 'Not Assessed'", 30),)
    assert sorted(d.left_out["case_id"]) == sorted(own["set_aside"])
    assert d.substitutions["case_id"].tolist() == [own["replaced"]]
    text = d.text()
    for figure in (f"{own['N']:,}", f"stated {STATED}", f"{own['n']} were planned and {own['n']} drawn",
                   f"{COMPLETE} scored in full", f"{PARTLY} partly", "1 substituted",
                   "30 set aside as RoSH Level = 'Not Assessed'"):
        assert figure in text, (figure, text)
    frame = d.to_frame()
    got = dict(zip(frame["item"], frame["cases"]))
    assert got["eligible population (N)"] == own["N"] and got["cases drawn"] == own["n"]
    assert got["partly scored"] == PARTLY and got["set aside"] == 30 and got["substituted"] == 1
    assert "Design of Case supervision" in repr(d) and "None" not in repr(d)
    # the same as the progress of the fieldwork sheet, counted by other code
    status = sampling.fieldwork_progress(own["draw"]).cases["status"].value_counts()
    assert (status["complete"], status["partly answered"]) == (d.complete, d.partly)


def test_results_not_from_a_draw_say_unknown(own, tmp_path):
    results = sampling.read_fieldwork(own["draw"])
    d = sampling.design_statement(results)
    assert d.population == own["N"] and d.planned is None and d.drawn is None and d.set_aside is None
    assert (d.complete, d.partly) == (COMPLETE, PARTLY)
    assert "unknown" in d.text() and "None" not in d.text() and "None" not in repr(d)
    with pytest.raises(ArgumentError):
        sampling.design_statement(tmp_path / "nothing.xlsx")
    with pytest.raises(ArgumentError):
        sampling.design_statement(results, sample="unpaid_work")
    assert sampling.design_statements(results, [own["draw"]])[0].path == str(own["draw"])
    assert sampling.design_statements(results)[0].path is None


def test_an_N_given_for_the_analysis_is_stated_beside_the_draws(own):
    from types import SimpleNamespace

    given = SimpleNamespace(populations={SAMPLE: own["N"] + 7}, samples=(SAMPLE,))
    d = sampling.design_statements(given, [own["draw"]])[0]
    assert d.population == own["N"] and d.population_analysed == own["N"] + 7
    assert f"the analysis uses N = {own['N'] + 7}, as given" in d.text()
    same = SimpleNamespace(populations={SAMPLE: own["N"]}, samples=(SAMPLE,))
    assert sampling.design_statements(same, [own["draw"]])[0].population_analysed is None


def test_analyse_by_a_column_states_the_design_too(own, capsys):
    status, out, err = cli(capsys, "analyse", own["draw"], "--inspection", own["insp"], "--by", "Office",
                           "--resamples", 200)
    assert status == 0, err
    assert f"{own['n']} were planned and {own['n']} drawn" in " ".join(out.split())


def test_analyse_of_published_figures_says_what_is_unknown(capsys):
    status, out, err = cli(capsys, "analyse", "--example", "--resamples", 200)
    assert status == 0, err
    flat = " ".join(out.split())
    assert ("Case supervision (domain two): the eligible population N is unknown; the cases planned, drawn, "
            "substituted and set aside are unknown (the results are not from a draw workbook); 132 scored.") in flat


def test_analyse_states_the_design_and_lists_the_cases_left_out(own, capsys):
    status, out, err = cli(capsys, "analyse", own["draw"], "--inspection", own["insp"], "--resamples", 200)
    assert status == 0, err
    flat = " ".join(out.split())
    assert (f"from an eligible population of {own['N']} cases (the frame's eligible cases; inspection.toml "
            f"stated {STATED}), {own['n']} were planned and {own['n']} drawn (in proportion to each stratum cell's size); {COMPLETE} scored in full, "
            f"{PARTLY} partly") in flat
    assert "1 substituted, 30 set aside as RoSH Level = 'Not Assessed'" in flat
    # the lists: the first 20 set-aside cases by id, then how many more
    listed = re.findall(r"^  (NC\d+): set aside: RoSH Level = 'Not Assessed'$", out, re.M)
    assert listed == own["set_aside"][:20] and "… and 10 more" in out
    assert f"  {own['replaced']}: replaced by reserve" in out and "transferred out of area" in out
    unscored = re.findall(r"^  (NC\d+): not yet scored", out, re.M)
    assert len(unscored) == min(20, own["n"] - COMPLETE - PARTLY)
    assert "None" not in out
    status, out, err = cli(capsys, "analyse", own["draw"], "--inspection", own["insp"], "--resamples", 200,
                           "--json")
    design = json.loads(out)["design"][0]
    assert (design["population"], design["population_stated"], design["planned"], design["drawn"]) == \
        (own["N"], STATED, own["n"], own["n"])
    assert (design["scored_in_full"], design["partly_scored"], design["substituted"], design["set_aside"]) == \
        (COMPLETE, PARTLY, 1, 30)


@pytest.fixture(scope="module")
def report(own):
    out = own["root"] / "report"
    assert main(["report", str(own["draw"]), "--inspection", str(own["insp"]), "--resamples", "200", "--out",
                 str(out), "--quiet", "--formats", "png,svg"]) == 0
    return out


def test_report_md_and_xlsx_state_the_design(own, report):
    md = (report / "report.md").read_text(encoding="utf-8")
    design = md.split("## Design", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| ([a-z ()N]+) \| ([\d,]+|unknown) \|", design, re.M))
    assert rows["eligible population (N)"] == f"{own['N']}" and rows["cases planned"] == f"{own['n']}"
    assert rows["cases drawn"] == f"{own['n']}" and rows["scored in full"] == f"{COMPLETE}"
    assert rows["partly scored"] == f"{PARTLY}" and rows["substituted"] == "1" and rows["set aside"] == "30"
    assert f"inspection.toml stated {STATED}" in design
    settings = pd.read_excel(report / "report.xlsx", sheet_name="settings", dtype=str)
    got = dict(zip(settings["setting"], settings["value"]))
    label = "Case supervision (domain two)"
    lead = {k.split(": ", 1)[1]: int(v.split()[0].replace(",", "")) for k, v in got.items()
            if k.startswith(f"{label}: ") and v.split()[0].replace(",", "").isdigit()}
    assert lead["eligible population (N)"] == own["N"] and lead["cases drawn"] == own["n"]
    assert (lead["scored in full"], lead["partly scored"], lead["substituted"], lead["set aside"]) == \
        (COMPLETE, PARTLY, 1, 30)
    assert sampling.design_statement(own["draw"]).text() == got[f"design: {label}"]


def test_report_on_a_draw_workbook_has_the_balance_chart_and_the_manifest_n_and_N(own, report):
    assert (report / "balance.png").is_file() and (report / "balance.svg").is_file()
    planning = (report / "planning_curve.svg").read_text(encoding="utf-8")
    misrating = (report / "misrating_curve.svg").read_text(encoding="utf-8")
    assert f"n = {own['n']}, N = {own['N']}" in planning and f"n = {own['n']}, N = {own['N']}" in misrating
    # the figures themselves, made as the report makes them
    from sampling.report._report import _chart_jobs

    a = sampling.rate(sampling.read_fieldwork(own["draw"]), n_resamples=100, rng=1)
    jobs = dict(_chart_jobs(a, None, planning=True, misrating=True,
                            designs=(sampling.design_statement(own["draw"]),)))
    ax = jobs["planning_curve"]().axes[0]
    points = [(float(l.get_xdata()[0]), float(l.get_ydata()[0])) for l in ax.get_lines()
              if l.get_linestyle() == "None"]
    assert points == [(float(own["N"]), float(own["n"]))]      # one point: the manifest's N and n
    ax = jobs["misrating_curve"]().axes[0]
    curve = [l for l in ax.get_lines() if not (l.get_gid() or "").startswith("edge-")][0]
    x = curve.get_xdata()
    np.testing.assert_allclose(curve.get_ydata(), sampling.misrating_risk(x, own["n"], own["N"]))
    # scored cases are fewer than drawn: the chart does not back-compute n from them
    assert a.key_questions["n"].max() < own["n"]


def test_without_a_draw_the_charts_say_N_unknown(own):
    a = sampling.rate(sampling.read_fieldwork(own["draw"]), n_resamples=100, rng=1)
    from sampling.report._report import _chart_jobs

    jobs = dict(_chart_jobs(a, None, planning=True, misrating=True))
    legend = [t.get_text() for t in jobs["planning_curve"]().axes[0].get_legend().get_texts()]
    assert any("N unknown" in t for t in legend), legend
    legend = [t.get_text() for t in jobs["misrating_curve"]().axes[0].get_legend().get_texts()]
    assert any("N unknown" in t for t in legend), legend


def test_planning_marks_take_n_and_N():
    fig = sampling.charts.planning_curve(marks={"A": (132, 700), "B": (54, None), "C": 42})
    ax = fig.axes[0]
    points = sorted((float(l.get_xdata()[0]), float(l.get_ydata()[0])) for l in ax.get_lines()
                    if l.get_linestyle() == "None")
    B, C = sampling.implied_population(54), sampling.implied_population(42)
    assert points == sorted([(700.0, 132.0), (float(B.high), 54.0), (float(C.high), 42.0)])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "A: n = 132, N = 700" in legend
    assert any(t.startswith("B: n = 54, N unknown") for t in legend)
    assert any(t.startswith("C: n = 42, N = ") and "unknown" not in t for t in legend)
    with pytest.raises(ArgumentError, match="marks"):
        sampling.charts.planning_curve(marks={"A": ("x", 3)})
    with pytest.raises(ArgumentError, match="labels"):
        sampling.charts.misrating_curve([54, 132], labels=["one"])
