"""``sampling compare`` (issue 22 item 6): ``--label`` for each side, the multiplicity stated
plainly, and ``--adjust holm|bonferroni|none``."""
from __future__ import annotations

import json

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from sampling import compare
from sampling.cli import main
from sampling.comparison._multiplicity import adjust_beyond_noise, interval_p_values, multiplicity_note
from sampling.errors import ArgumentError
from sampling.examples import synthetic_results


@pytest.fixture(scope="module")
def pair():
    return compare(synthetic_results(1), synthetic_results(2), n_resamples=200, rng=3)


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    folder = tmp_path_factory.mktemp("compare_labels")
    paths = []
    for i, name in ((1, "draw-2019"), (2, "draw-2021")):
        r = synthetic_results(i)
        path = folder / f"{name}.csv"
        r.cases.join(r.answers).reset_index().to_csv(path, index=False)
        paths.append(f"{path}=case_supervision=668,unpaid_work=200,through_the_gate=80")
    return paths


def test_p_values_invert_the_interval(pair):
    t = pair.key_questions
    p = interval_p_values(t)
    alpha = 1 - pair.confidence_level
    assert ((p <= alpha) == t["changed_beyond_noise"].to_numpy()).all()
    assert ((p > 0) & (p <= 1)).all()


def test_holm_and_bonferroni_equal_statsmodels_on_our_p_values(pair):
    alpha = 1 - pair.confidence_level
    p = interval_p_values(pair.key_questions)
    for method in ("holm", "bonferroni"):
        ours = adjust_beyond_noise(pair, method)["beyond_noise_adjusted"].to_numpy()
        theirs = multipletests(p, alpha=alpha, method=method)[0]
        assert (ours == theirs).all(), method
    none = adjust_beyond_noise(pair, "none")["beyond_noise_adjusted"].to_numpy()
    assert (none == pair.key_questions["changed_beyond_noise"].to_numpy()).all()
    with pytest.raises(ArgumentError):
        adjust_beyond_noise(pair, "fdr")


def test_multiplicity_note_is_plain(pair):
    k = len(pair.key_questions)
    note = multiplicity_note(pair)
    assert f"about {k}×0.2 = {k * 0.2:.1f} of {k} key questions would look beyond noise by chance alone" in note
    assert "Not adjusted" in note
    adj = adjust_beyond_noise(pair, "holm")
    assert "Holm's adjustment" in multiplicity_note(pair, "holm", adj)


def test_labels_in_python(pair):
    c = compare(synthetic_results(1), synthetic_results(2), n_resamples=50, rng=3, labels=("2019", "2021"))
    assert c.labels == ("2019", "2021")
    assert "% 2019" in c.key_questions_summary().columns
    np.testing.assert_allclose(c.key_questions["difference"], pair.key_questions["difference"])
    for bad in (("same", "same"), ("one",), "ab"):
        with pytest.raises(ArgumentError):
            compare(synthetic_results(1), synthetic_results(2), n_resamples=50, rng=3, labels=bad)


def test_cli_label_and_adjust(sources, capsys):
    assert main(["compare", *sources, "--blank-means-na", "--resamples", "100", "--label", "2019",
                 "--label", "2021", "--adjust", "holm"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "First: 2019; second: 2021" in out and "% 2019" in out and "beyond noise (holm)" in out
    assert "would look beyond noise by chance alone" in out and "Holm's adjustment" in out
    assert main(["compare", *sources, "--blank-means-na", "--resamples", "100", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["adjust"] == "none" and "by chance alone" in data["multiplicity"]
    assert main(["compare", *sources, "--blank-means-na", "--label", "only one"]) == 2
    err = capsys.readouterr().err
    assert "--label" in err and "Traceback" not in err


def test_default_label_from_the_inspection_folder(tmp_path, capsys):
    from sampling import init_inspection

    paths = []
    for i, (folder, short) in enumerate((("north", "Northshire CRC"), ("west", "Westmoor CRC")), start=1):
        init_inspection(tmp_path / folder, short, short_name=short)
        r = synthetic_results(i)
        path = tmp_path / folder / "results.csv"
        r.cases.join(r.answers).reset_index().to_csv(path, index=False)
        paths.append(f"{path}=case_supervision=668,unpaid_work=200,through_the_gate=80")
    assert main(["compare", *paths, "--blank-means-na", "--resamples", "50"]) == 0
    assert "First: Northshire CRC; second: Westmoor CRC" in capsys.readouterr().out
    # --inspection names both sides alike: each is then told apart by its file name and its order
    assert main(["compare", *paths, "--blank-means-na", "--resamples", "50", "--inspection",
                 str(tmp_path / "north")]) == 0
    assert "First: Northshire CRC (results)" in capsys.readouterr().out
    assert main(["compare", *paths, "--blank-means-na", "--inspection", str(tmp_path / "nowhere")]) == 2
    assert "--inspection" in capsys.readouterr().err
