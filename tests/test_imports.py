"""What a command loads: `sampling analyse` of a filled draw workbook pays for none of scipy
(not even scipy.special), statsmodels, matplotlib or openpyxl; and the replacements
(`sampling.stats._dist`) give scipy.stats' and statsmodels' numbers: exactly where they are
the same scipy.special ufuncs, to double precision for the numpy normal quantile and CDF."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest

from sampling.stats import _dist

NOT_FOR_ANALYSE = ("scipy", "statsmodels", "matplotlib", "openpyxl", "xml.sax")
#: the package's own modules analyse of a draw workbook does not use: the other commands (and
#: what only they need), the draw workbook's writer and safe-write helpers, allocation,
#: aggregate results (published percentages), the fieldwork progress report, and (with --seed
#: given and no inspection.toml in the folder) the inspection folder's reader
NOT_OURS_FOR_ANALYSE = (
    *(f"sampling.cli._{c}" for c in ("compare", "draw", "export", "init", "plan", "pool", "progress",
                                    "report", "sources", "substitute", "verify")),
    "sampling._utils._io", "sampling._utils._progress", "sampling._utils._workbook",
    "sampling.draw._drawfile", "sampling.draw._allocate", "sampling.draw._controlled",
    "sampling.results._aggregate", "sampling.results._progress", "sampling.design._inspection",
    "sampling.plan", "sampling.comparison", "sampling.charts", "sampling.report", "sampling.examples",
)
#: ... and, with an analytic interval method, neither the resampling engine (the rating
#: probabilities are posterior draws) nor the bootstrap's limits nor the exact hypergeometric
NOT_FOR_ANALYTIC = ("sampling.estimation._resampling", "sampling.estimation._bootstrap_limits",
                    "sampling.stats._multinomial", "sampling.stats._kernels", "sampling.stats._hypergeometric")


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    import openpyxl

    import sampling
    from sampling.cli._main import main

    root = tmp_path_factory.mktemp("imports")
    sampling.synthetic_frame(600, rng=8).to_csv(root / "frame.csv", index=False)
    assert main(["draw", str(root / "frame.csv"), "--sample", "case_supervision", "--n", "60",
                 "--out", str(root / "draw.xlsx")]) == 0
    wb = openpyxl.load_workbook(root / "draw.xlsx")
    ws = wb["fieldwork"]
    header = [c.value for c in ws[1]]
    rng = np.random.default_rng(4)
    for r in range(2, ws.max_row + 1):
        for c, h in enumerate(header, start=1):
            if h and re.match(r"^\d+(\.\d+)+: ", str(h)):
                ws.cell(r, c).value = str(rng.choice(["Yes", "Yes", "No", "N/A"]))
    wb.save(root / "draw.xlsx")
    return root / "draw.xlsx"


def _loaded_by(args: list[str]) -> list[str]:
    code = ("import runpy, sys, json\n"
            f"sys.argv = ['sampling'] + {args!r}\n"
            "try:\n    runpy.run_module('sampling', run_name='__main__')\n"
            "except SystemExit as e:\n    assert not e.code, e.code\n"
            "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("method", ["wilson", "bca"])
def test_analyse_of_a_draw_workbook_loads_only_what_it_uses(filled, method):
    loaded = _loaded_by(["analyse", str(filled), "--method", method, "--resamples", "500", "--seed", "3"])
    assert "sampling.estimation" in loaded  # it did run
    heavy = [m for m in loaded if any(m == h or m.startswith(h + ".") for h in NOT_FOR_ANALYSE)]
    assert not heavy, heavy[:10]
    unused = NOT_OURS_FOR_ANALYSE + (NOT_FOR_ANALYTIC if method == "wilson" else ())
    ours = [m for m in loaded if any(m == u or m.startswith(u + ".") for u in unused)]
    assert not ours, ours
    assert "sampling.cli._analyse" in loaded and "sampling.results._statement" in loaded
    assert "sampling.rating._settle" in loaded  # the flagged ratings' cases to settle were worked out


def test_the_command_line_looks_for_the_inspection_file_by_its_name():
    from sampling.cli._common import INSPECTION_FILE
    from sampling.design._inspection import INSPECTION_FILE as theirs

    assert INSPECTION_FILE == theirs


def _max_rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    assert np.array_equal(np.isnan(a), np.isnan(b)) and np.array_equal(np.isinf(a), np.isinf(b))
    ok = np.isfinite(b) & (b != 0)
    assert np.array_equal(a[np.isinf(b)], b[np.isinf(b)]) and np.all(a[b == 0] == 0)
    return float(np.max(np.abs(a[ok] - b[ok]) / np.abs(b[ok])))


def test_normal_quantile_is_scipy_special_to_double_precision():
    from scipy import special, stats

    rng = np.random.default_rng(0)
    q = np.concatenate([rng.random(100_000), np.linspace(0, 1, 100_001), np.geomspace(5e-324, 0.5, 20_000),
                        1 - np.geomspace(1e-16, 0.5, 5_000), [0.02, 0.98, 0.1, 0.9, 0.025, 0.975, 0.5]])
    assert _max_rel(_dist.norm_ppf(q), special.ndtri(q)) <= 2e-15
    assert _max_rel(_dist.norm_isf(q), stats.norm.isf(q)) <= 2e-15
    edges = np.array([0.0, 1.0, np.nan, -0.5, 1.5, 5e-324, 1e-300, 0.5])
    np.testing.assert_array_equal(_dist.norm_ppf(edges)[:5], [-np.inf, np.inf, np.nan, np.nan, np.nan])
    assert _max_rel(_dist.norm_ppf(edges), special.ndtri(edges)) <= 2e-15
    assert isinstance(_dist.norm_ppf(0.975), np.floating) and _dist.norm_ppf(np.array([0.3])).shape == (1,)


def test_normal_cdf_is_scipy_special_to_double_precision():
    from scipy import special

    rng = np.random.default_rng(1)
    x = np.concatenate([np.clip(rng.normal(size=100_000) * 3, -8, 8), np.linspace(-8, 8, 100_001),
                        [0.0, 1e-300, -1e-300]])
    assert _max_rel(_dist.norm_cdf(x), special.ndtr(x)) <= 1e-14
    tail = np.linspace(-37, -8, 10_001)  # Cephes' erfc, which scipy uses, is good to about 1e-13 here
    assert _max_rel(_dist.norm_cdf(tail), special.ndtr(tail)) <= 2e-13
    edges = np.array([np.nan, np.inf, -np.inf, -40.0, 40.0])
    np.testing.assert_array_equal(_dist.norm_cdf(edges), special.ndtr(edges))
    assert isinstance(_dist.norm_cdf(1.5), np.floating)


def test_binomial_and_hypergeometric_are_scipy_stats():
    from scipy import stats

    for n in (1, 2, 7, 40, 132, 1000):
        k = np.arange(-1, n + 2)
        for p in (0.0, 0.013, 0.5, 0.71, 1.0):
            assert np.array_equal(_dist.binom_cdf(k, n, p), stats.binom.cdf(k, n, p))
            assert np.array_equal(_dist.binom_pmf(k, n, p), stats.binom.pmf(k, n, p))
        pp = np.linspace(0, 1, 11)[:, None]
        assert np.array_equal(_dist.binom_pmf(k[None, :], n, pp), stats.binom.pmf(k[None, :], n, pp))
        p = np.array([0.0, 0.2, 0.5, 0.9, 1.0])
        with np.errstate(divide="ignore", invalid="ignore"):
            np.testing.assert_array_equal(_dist.binom_skew(n, p), stats.binom.stats(n, p, moments="s"))
    for M, n in ((10, 3), (80, 40), (500, 132), (2000, 140)):
        k = np.arange(-1, n + 2)
        for good in (0, 1, M // 3, M - 1, M):
            assert np.array_equal(_dist.hypergeom_cdf(k, M, good, n), stats.hypergeom.cdf(k, M, good, n))
        for good in (0, 1, M // 3, M - 1, M):
            assert np.array_equal(_dist.hypergeom_pmf(k, M, good, n), stats.hypergeom.pmf(k, M, good, n))
        good = np.array([0, 1, M // 3, M - 1, M])
        with np.errstate(divide="ignore", invalid="ignore"):
            np.testing.assert_array_equal(_dist.hypergeom_skew(M, good, n),
                                          stats.hypergeom.stats(M, good, n, moments="s"))


def test_pmf_tables_are_scipy_stats_to_1e_9():
    """The numpy pmf tables of the misrating risk (log factorials) against scipy.stats, over
    the whole support and at the ends of p and of the number of successes."""
    from scipy import stats

    for n in (0, 1, 2, 7, 40, 132, 1000, 5000):
        p = np.array([0.0, 1e-9, 0.013, 0.5, 0.71, 1 - 1e-9, 1.0])
        k = np.arange(n + 1)[None, :]
        table = _dist.binom_pmf_table(n, p)
        assert table.shape == (p.size, n + 1)
        np.testing.assert_allclose(table, stats.binom.pmf(k, n, p[:, None]), rtol=1e-8, atol=1e-300)
    for population, n in ((1, 1), (10, 3), (80, 40), (500, 132), (2000, 140), (668, 668), (100_000, 132)):
        good = np.unique([0, 1, population // 3, population // 2, population - 1, population])
        k = np.arange(n + 1)[None, :]
        np.testing.assert_allclose(_dist.hypergeom_pmf_table(population, good, n),
                                   stats.hypergeom.pmf(k, population, good[:, None], n), rtol=1e-8, atol=1e-300)


def test_misrating_risk_and_its_chart_load_no_scipy():
    code = ("import sys, json, sampling\n"
            "from sampling import charts\n"
            "sampling.misrating_risk([40.0, 67.0], 132, 668); sampling.misrating_risk(67.0, 54)\n"
            "charts.misrating_curve([132, 54], [668, None])\n"
            "print(json.dumps(sorted(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert "sampling.plan._risk" in loaded and not [m for m in loaded if m == "scipy" or m.startswith("scipy.")]


@pytest.mark.parametrize("method", ["wilson", "beta", "jeffreys", "agresti_coull"])
def test_proportion_intervals_are_statsmodels(method):
    from statsmodels.stats.proportion import proportion_confint

    n = np.repeat([1, 2, 5, 13, 40, 132, 1000], 9).astype(float)
    y = np.floor(n * np.tile(np.linspace(0, 1, 9), 7))
    for cl in (0.8, 0.9, 0.95, 0.5):
        ours = _dist.proportion_confint(y, n, 1 - cl, method)
        theirs = proportion_confint(np.array(y), np.array(n), alpha=1 - cl, method=method)
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=0, atol=1e-12)


def test_chisquare_is_scipy_stats():
    from scipy import stats

    rng = np.random.default_rng(0)
    for k in (2, 3, 5, 12):
        for n in (10, 132, 5000):
            p = rng.dirichlet(np.ones(k))
            obs = rng.multinomial(n, p)
            assert _dist.chisquare_pvalue(obs, n * p) == float(stats.chisquare(obs, n * p).pvalue)
            ref = stats.chisquare(obs.astype(float), n * p)
            assert _dist.chisquare(obs.astype(float), n * p) == (float(ref.statistic), float(ref.pvalue))
