"""``compare`` on the design (issue 22 item 5): with stratum populations known, the difference
is that of the design-weighted estimates and its interval comes from each side's design
interval; the smallest detectable change (item 4, in part).

Reference values: R 4.x, package ``survey``, ``tests/r/compare_design.R`` on
``tests/r/compare_design.csv`` (two independent stratified draws, Sex × Risk cells of unequal
sampling fractions; q3 not applicable on some cases). Each inspection its own design,
``svymean(~q, subset(des, !is.na(q)))``; and one design with the inspection as strata,
``svycontrast(svyby(~q, ~inspection, ..., covmat=TRUE), c(after=1, before=-1))``, which for
independent samples is the difference with variance v_a + v_b.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sampling
from sampling.cli import main
from sampling.comparison._multiplicity import adjust_beyond_noise, interval_p_values

DATA = Path(__file__).parent / "r" / "compare_design.csv"
KQ = {"q1": "2.1.1", "q2": "2.1.2", "q3": "2.2.3"}
SAMPLE = "case_supervision"
#: svymean: (estimate, SE) per inspection and question
R_SVYMEAN = {
    "before": [(0.708658008658009, 0.051335852513971), (0.817316017316017, 0.041927683592959),
               (0.461644149301580, 0.073349357874605)],
    "after": [(0.591102756892231, 0.057891707906459), (0.845112781954887, 0.040179276767615),
              (0.589929467084639, 0.072075843663598)],
}
#: svycontrast after − before: (estimate, SE)
R_CONTRAST = [(-0.117555251765778, 0.077374541017462), (0.027796764638870, 0.058071550117419),
              (0.128285317783059, 0.102835089052504)]


def _word(v):
    return "n/a" if pd.isna(v) else ("yes" if int(v) else "no")


def side(inspection: str, *, weighted: bool = True, provider: str | None = None) -> sampling.Results:
    d = pd.read_csv(DATA)
    d = d[d["inspection"] == inspection]
    cases = d[["case_id", "Sex", "Risk", "Office"]].assign(**{KQ[q]: d[q].map(_word) for q in KQ})
    cells = d.groupby(["Sex", "Risk"], as_index=False)["N_h"].first().rename(columns={"N_h": "population"})
    kw = dict(stratum_populations=cells) if weighted else dict(population=int(cells["population"].sum()))
    return sampling.load_results(cases, sample=SAMPLE, provider=provider or inspection, **kw)


@pytest.fixture(scope="module")
def comparison():
    return sampling.compare(side("before"), side("after"), n_resamples=200, rng=5)


def test_difference_and_se_equal_r_svycontrast(comparison):
    t = comparison.key_questions
    ref = np.array(R_CONTRAST)
    np.testing.assert_allclose(t["difference"] / 100, ref[:, 0], atol=1e-9)
    np.testing.assert_allclose(t["se"] / 100, ref[:, 1], atol=1e-9)
    for side_, name in (("a", "before"), ("b", "after")):
        r = np.array(R_SVYMEAN[name])
        np.testing.assert_allclose(t[f"estimate_{side_}"] / 100, r[:, 0], atol=1e-9)
        np.testing.assert_allclose(np.sqrt(t[f"variance_{side_}"]), r[:, 1], atol=1e-9)
    assert t["design_weighted"].all()
    # the sample's own % differs from the weighted one: the unweighted figure is not what is compared
    assert (t["percent_b"] - t["percent_a"] - t["difference"]).abs().max() > 0.5


def _wilson(name: str, kqs) -> pd.DataFrame:
    return sampling.intervals(side(name), method="wilson").table.set_index("key_question").loc[kqs]


def test_each_side_has_the_interval_analyse_gives(comparison):
    """Each side's shown interval is the default of ``intervals`` (analyse): for these
    design-weighted rows the stratified finite-population interval from the cells."""
    t = comparison.key_questions
    for side_, name in (("a", "before"), ("b", "after")):
        iv = sampling.intervals(side(name)).table.set_index("key_question").loc[t["key_question"]]
        assert (iv["method"] == "stratified-finite").all() and (t[f"method_{side_}"] == "stratified-finite").all()
        np.testing.assert_allclose(t[f"low_{side_}"], iv["low"], atol=1e-9)
        np.testing.assert_allclose(t[f"high_{side_}"], iv["high"], atol=1e-9)
        np.testing.assert_allclose(t[f"estimate_{side_}"], iv["weighted_percent"], atol=1e-9)
        # not the design-weighted Wilson limits the difference is built on
        assert np.abs(t[f"low_{side_}"].to_numpy() - _wilson(name, t["key_question"])["low"].to_numpy()).max() > 0.05
    assert "stratified finite-population" in " ".join(comparison.notes)
    assert "built on each side's Wilson limits" in " ".join(comparison.notes)


def test_interval_is_newcombe_mover_of_the_two_design_wilson_intervals(comparison):
    """The difference is MOVER on each side's design-weighted Wilson limits (``intervals``
    with method="wilson"), as the notes say, not on the shown stratified limits."""
    t = comparison.key_questions
    wa, wb = _wilson("before", t["key_question"]), _wilson("after", t["key_question"])
    la, ha, lb, hb = (x.to_numpy() for x in (wa["low"], wa["high"], wb["low"], wb["high"]))
    pa, pb = t["estimate_a"], t["estimate_b"]
    lo = (pb - pa) - np.sqrt((pb - lb) ** 2 + (ha - pa) ** 2)
    hi = (pb - pa) + np.sqrt((hb - pb) ** 2 + (pa - la) ** 2)
    np.testing.assert_allclose(t["low"], lo, atol=1e-9)
    np.testing.assert_allclose(t["high"], hi, atol=1e-9)
    # close to the Wald interval on the design SE (z = 1.2816), not to the unweighted one
    z = 1.2815515655446004
    np.testing.assert_allclose(t["low"], t["difference"] - z * t["se"], atol=2.5)
    unweighted = sampling.compare(side("before", weighted=False), side("after", weighted=False), n_resamples=50, rng=1)
    assert not unweighted.key_questions["design_weighted"].any()
    assert (unweighted.key_questions["difference"] - t["difference"]).abs().max() > 0.5


def test_output_says_which_it_used(comparison):
    text = " ".join(comparison.notes)
    assert "design-weighted (stratum populations known)" in text
    un = sampling.compare(side("before", weighted=False), side("after", weighted=False), n_resamples=50, rng=1)
    assert "unweighted (stratum populations not known" in " ".join(un.notes)
    assert "w% before" in comparison.key_questions_summary().columns
    assert "None" not in repr(comparison)


def test_multiplicity_works_on_the_weighted_interval(comparison):
    p = interval_p_values(comparison.key_questions)
    from sampling.comparison._compare import mover_difference
    for i, pv in enumerate(p):
        if pv < 1:
            _, lo, hi = mover_difference(comparison.key_questions.iloc[[i]], 1 - pv * 1.0001)
            assert lo[0] > 0 or hi[0] < 0
            _, lo, hi = mover_difference(comparison.key_questions.iloc[[i]], 1 - pv * 0.999)
            assert not (lo[0] > 0 or hi[0] < 0)
    adj = adjust_beyond_noise(comparison, "holm")
    assert len(adj) == 3 and adj["beyond_noise_adjusted"].sum() <= comparison.key_questions["changed_beyond_noise"].sum()


def test_smallest_detectable_change_is_the_closed_form(comparison):
    from scipy.stats import norm
    t = comparison.key_questions
    za, zb = norm.ppf(0.9), norm.ppf(0.8)
    for r in t.itertuples():
        p = (r.n_a * r.estimate_a + r.n_b * r.estimate_b) / (100 * (r.n_a + r.n_b))
        f = [(N - n) / (N - 1) for N, n in ((r.population_a, r.n_a), (r.population_b, r.n_b))]
        var = p * (1 - p) * (r.design_effect_a * f[0] / r.n_a + r.design_effect_b * f[1] / r.n_b)
        assert r.detectable_change == pytest.approx(100 * (za + zb) * np.sqrt(var), rel=1e-12)
    assert "Smallest detectable change" in " ".join(comparison.notes)
    # without weights: the simple random sample's closed form (design effect 1)
    un = sampling.compare(side("before", weighted=False), side("after", weighted=False), n_resamples=50, rng=1)
    r = un.key_questions.iloc[0]
    p = (r.yes_a + r.yes_b) / (r.n_a + r.n_b)
    expected = sampling.detectable_change(int(r.n_a), int(r.n_b), int(r.population_a), int(r.population_b), p=p)
    assert r.detectable_change == pytest.approx(100 * expected, rel=1e-12)


def test_one_side_weighted_says_so():
    c = sampling.compare(side("before", weighted=False), side("after"), n_resamples=50, rng=1)
    t = c.key_questions
    assert not t["weighted_a"].any() and t["weighted_b"].all() and not t["design_weighted"].any()
    np.testing.assert_allclose(t["difference"], t["estimate_b"] - t["percent_a"], atol=1e-12)
    text = " ".join(c.notes)
    assert "unweighted (stratum populations not known" in text and "design-weighted (stratum" in text


def _stratified_side(rng, pops, n_h, reps: int) -> dict:
    """``reps`` stratified samples without replacement (n_h of each cell): the per-side
    columns of a comparison, the weighted estimate and its linearised variance with and
    without the strata's finite-population corrections (Cochran 1977 ch. 5; what
    :func:`sampling.weighted_estimates` gives for a question on every case, tests/test_weights.py)."""
    N_h = np.array([len(p) for p in pops], float)
    W, n_h = N_h / N_h.sum(), np.array(n_h, float)
    k = np.column_stack([rng.hypergeometric(p.sum(), len(p) - p.sum(), int(n), size=reps) for p, n in zip(pops, n_h)])
    ph = k / n_h
    s2 = n_h / (n_h - 1) * ph * (1 - ph)
    p = (W * ph).sum(1)
    return dict(yes=k.sum(1).astype(float), n=np.full(reps, n_h.sum()), weighted=np.ones(reps, bool),
                estimate=100 * p, variance=(W ** 2 * (1 - n_h / N_h) * s2 / n_h).sum(1),
                variance_wr=(W ** 2 * s2 / n_h).sum(1), population=np.full(reps, N_h.sum()))


@pytest.mark.parametrize("N_h, n_h, p_a, p_b, cl", [
    ([60, 35, 250, 180], [8, 6, 30, 22], [.55, .35, .75, .45], [.65, .5, .7, .6], 0.8),
    ([12, 8, 30, 20], [4, 3, 12, 8], [.5, .3, .7, .6], [.6, .4, .8, .5], 0.8),
    ([60, 35, 250, 180], [8, 6, 30, 22], [.9, .8, .95, .9], [.95, .9, .97, .93], 0.95),
])
def test_coverage_simulation(N_h, n_h, p_a, p_b, cl):
    """The interval's coverage of the true difference of two finite stratified populations'
    %s, 4,000 pairs of samples (Monte Carlo SE ≈ 0.6 points at 80%, 0.35 at 95%). When this
    was written it gave, Newcombe/MOVER on the design intervals vs the Wald interval
    d ± z·se on the same design SE: 80.6% vs 79.1% (the first design), 81.5% vs 79.3%
    (small populations, n_h of 3 to 12), 96.5% vs 94.1% at 95% (% yes near 95): the hybrid
    at or a little above nominal, the Wald a little under."""
    from scipy.stats import norm
    from sampling.comparison._compare import mover_difference

    rng = np.random.default_rng(11)
    pops = [[rng.random(N) < q for N, q in zip(N_h, ps)] for ps in (p_a, p_b)]
    truth = 100 * (np.concatenate(pops[1]).mean() - np.concatenate(pops[0]).mean())
    sides = [_stratified_side(rng, pop, n_h, 4000) for pop in pops]
    t = pd.DataFrame({f"{k}_{x}": v for x, d in zip("ab", sides) for k, v in d.items()})
    d, lo, hi = mover_difference(t, cl)
    cover = np.mean((lo <= truth) & (truth <= hi))
    se = 100 * np.sqrt(t["variance_a"] + t["variance_b"])
    z = norm.ppf(0.5 + cl / 2)
    wald = np.mean((d - z * se <= truth) & (truth <= d + z * se))
    assert cl - 0.015 <= cover <= cl + 0.03
    assert cover >= wald - 0.005


def _filled_draw(root: Path, name: str, size: int, n: int, seed: int) -> Path:
    import re
    import openpyxl

    sampling.synthetic_frame(size, rng=seed).to_csv(root / f"{name}.csv", index=False)
    out = root / f"{name}.xlsx"
    assert main(["draw", str(root / f"{name}.csv"), "--sample", SAMPLE, "--n", str(n), "--out", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    ws = wb["fieldwork"]
    header = [c.value for c in ws[1]]
    rng = np.random.default_rng(seed)
    for r in range(2, ws.max_row + 1):
        for c, h in enumerate(header, start=1):
            if h and re.match(r"^\d+(\.\d+)+: ", str(h)):
                ws.cell(r, c).value = str(rng.choice(["Yes", "Yes", "No", "N/A"]))
    wb.save(out)
    return out


def test_cli_on_two_draw_workbooks_is_design_weighted(tmp_path, capsys):
    a, b = _filled_draw(tmp_path, "before", 150, 40, 3), _filled_draw(tmp_path, "after", 170, 44, 9)
    capsys.readouterr()
    assert main(["compare", str(a), str(b), "--resamples", "50", "--adjust", "holm"]) == 0
    out = capsys.readouterr().out
    flat = " ".join(out.split())
    assert "design-weighted (stratum populations known)" in flat and "detectable" in out
    assert "None" not in out and "Smallest detectable change" in flat
    # the figures are those of the two workbooks' weighted estimates
    c = sampling.compare(sampling.read_fieldwork(a), sampling.read_fieldwork(b), n_resamples=50, rng=1)
    wa = sampling.read_fieldwork(a).summary.set_index("key_question")["weighted_percent"]
    wb = sampling.read_fieldwork(b).summary.set_index("key_question")["weighted_percent"]
    t = c.key_questions.set_index("key_question")
    np.testing.assert_allclose(t["difference"], (wb - wa).loc[t.index], atol=1e-9)
    assert t["design_weighted"].all()
    assert main(["compare", str(a), str(b), "--resamples", "50", "--json", "--power", "0.9"]) == 0
    import json
    d = json.loads(capsys.readouterr().out)
    assert d["power"] == 0.9 and "detectable_change" in d["key_questions"][0]
