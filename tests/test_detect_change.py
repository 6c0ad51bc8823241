"""Sample size to detect a change between two inspections (issue 22, item 4), checked
against the closed form solved independently by brute force over n."""
import math

import pytest
from scipy import stats

import sampling
from sampling.cli._main import main
from sampling.errors import ArgumentError
from sampling.plan._change import change_sample_size, detectable_change


def _power(n, N, d, p1, p2, za):
    """Power of the two-sample z test of H0: p1 = p2 with FPC (N - n)/(N - 1) on each side
    (Fleiss, Levin & Paik 2003, §4.2, normal approximation)."""
    f = 1.0 if N is None else (N - n) / (N - 1)
    if f <= 0:
        return 1.0
    pbar = (p1 + p2) / 2
    return stats.norm.cdf((d * math.sqrt(n / f) - za * math.sqrt(2 * pbar * (1 - pbar)))
                          / math.sqrt(p1 * (1 - p1) + p2 * (1 - p2)))


def _smallest_n(N, d, cl, power, sides, p=0.5):
    za = stats.norm.ppf(1 - (1 - cl) / sides)
    p1, p2 = p - d / 2, p + d / 2
    n = 1
    while _power(n, N, d, p1, p2, za) < power - 1e-12:
        n += 1
    return n


@pytest.mark.parametrize("N", [None, 150, 668, 2000, 10_000])
@pytest.mark.parametrize("d,cl,power,sides", [(0.15, 0.8, 0.8, 2), (0.10, 0.8, 0.8, 2),
                                              (0.15, 0.8, 0.9, 1), (0.20, 0.95, 0.8, 2)])
def test_equals_closed_form(N, d, cl, power, sides):
    plan = change_sample_size(d, N, confidence_level=cl, power=power, sides=sides)
    assert plan.n == _smallest_n(N, d, cl, power, sides)


def test_hand_value():
    # 15 points at 80% two-sided, 80% power: z_a = 1.28155, z_b = 0.84162, p = 0.425/0.575
    za, zb = 1.2815515655446004, 0.8416212335729143
    n0 = (za * math.sqrt(2 * .25) + zb * math.sqrt(2 * .425 * .575)) ** 2 / .15 ** 2
    plan = change_sample_size(0.15)
    assert plan.n0 == pytest.approx(n0, rel=1e-12) and plan.n == math.ceil(n0) == 100
    assert change_sample_size(0.15, 668).n == math.ceil(n0 / (1 + (n0 - 1) / 668)) == 87
    assert change_sample_size(0.15, sides=1).n < plan.n
    assert sampling.change_sample_size is change_sample_size


def test_off_centre_and_capped():
    plan = change_sample_size(0.3, p=0.9)
    assert (plan.p_before, plan.p_after) == pytest.approx((0.7, 1.0))
    assert change_sample_size(0.02, 40).n <= 40


def test_detectable_change_inverts_the_size():
    plan = change_sample_size(0.15, 668)
    # at the planned n, the detectable change (same p̄q̄ under both) is close to 15 points
    d = detectable_change(plan.n, plan.n, 668, 668)
    assert 0.14 < d < 0.16
    za, zb = stats.norm.ppf(0.9), stats.norm.ppf(0.8)
    f = (668 - 100) / 667
    assert detectable_change(100, 100, 668, 668) == pytest.approx((za + zb) * math.sqrt(0.25 * 2 * f / 100))
    assert math.isnan(detectable_change(0, 10))


def test_bad_arguments():
    with pytest.raises(ArgumentError):
        change_sample_size(15)
    with pytest.raises(ArgumentError):
        change_sample_size(0.15, sides=3)
    with pytest.raises(ArgumentError):
        change_sample_size(0.15, power=1.2)


def test_cli(capsys):
    assert main(["plan", "--detect-change", "15", "-N", "668"]) == 0
    out = capsys.readouterr().out
    assert "two-sided" in out and " 87" in out and "Fleiss" in out and "None" not in out
    assert main(["plan", "--detect-change", "15", "--one-sided", "--power", "0.9"]) == 0
    assert "one-sided" in capsys.readouterr().out
    assert main(["plan", "--detect-change", "150"]) == 2
    assert "--detect-change" in capsys.readouterr().err
