"""Drawing: partition, reproducibility, inclusion probabilities, reserves, outputs, CLI."""
import itertools
import json

import numpy as np
import openpyxl
import pandas as pd
import pytest
from scipy import stats

from sampling import ArgumentError, DataError, OutputError
from sampling.cli import main
from sampling.draw._draw import BALANCE_COLUMNS, draw_sample, gof_pvalue, reserve_counts, verify_manifest
from sampling.examples import synthetic_frame
from sampling.draw._frame import frame_fingerprint, load_frame


@pytest.fixture(scope="module")
def df():
    return synthetic_frame(3000, rng=42)


@pytest.fixture(scope="module")
def sample(df):
    return draw_sample(df, 132, rng=2019)


def test_sample_partitions_the_frame_and_reserves_are_disjoint(df, sample):
    ids = sample.cases["case_id"]
    assert ids.is_unique and len(ids) == 132
    rest = set(df["case_id"]) - set(ids)
    assert set(ids) | rest == set(df["case_id"]) and not set(ids) & rest
    res = sample.reserves["case_id"]
    assert res.is_unique and not set(res) & set(ids) and set(res) <= set(df["case_id"])
    assert sample.cases["selection_order"].tolist() == list(range(1, 133))
    # each cell gets exactly n_h, each reserve list is ranked 1..r
    per_cell = sample.cases["cell"].value_counts()
    alloc = sample.allocation.set_index("cell")
    assert all(per_cell.get(c, 0) == alloc.loc[c, "n_h"] for c in alloc.index)
    for cell, part in sample.reserves.groupby("cell"):
        assert part["reserve_rank"].tolist() == list(range(1, len(part) + 1))
        assert len(part) == alloc.loc[cell, "reserves"]
    # every frame column is carried, rows match the frame
    merged = sample.cases.merge(df, on="case_id", suffixes=("", "_frame"))
    assert (merged["office"] == merged["office_frame"]).all() and (merged["rosh"] == merged["rosh_frame"]).all()
    assert (sample.cases["cell"] == sample.cases[["gender", "disposal", "rosh"]].agg(" / ".join, axis=1)).all()


def test_margins_and_balance_table(sample):
    assert (sample.marginals["allocated"] == sample.marginals["target"]).all()
    b = sample.balance
    assert list(b.columns) == BALANCE_COLUMNS
    assert set(b["variable"]) == {"gender", "disposal", "rosh"}
    for variable, part in b.groupby("variable"):
        assert part["sample_n"].sum() == 132 and abs(part["population_pct"].sum() - 100) < 1e-9
        assert part["p_value"].nunique() == 1 and 0 <= part["p_value"].iloc[0] <= 1
    assert np.allclose(b["difference_pts"], b["sample_pct"] - b["population_pct"])
    assert "Sample: 132 cases" in repr(sample) and "<table" in sample._repr_html_()


def test_same_seed_same_sample_whatever_the_row_order(df, sample):
    shuffled = df.sample(frac=1, random_state=7).reset_index(drop=True)
    again = draw_sample(shuffled, 132, rng=2019)
    assert again.cases["case_id"].tolist() == sample.cases["case_id"].tolist()
    assert again.reserves["case_id"].tolist() == sample.reserves["case_id"].tolist()
    assert again.manifest["frame_sha256"] == sample.manifest["frame_sha256"]
    other = draw_sample(df, 132, rng=2020)
    assert set(other.cases["case_id"]) != set(sample.cases["case_id"])
    # a Generator gives the same draw as its seed
    assert draw_sample(df, 132, rng=np.random.default_rng(2019)).cases.equals(sample.cases)


def test_inclusion_probabilities_match_allocation_over_many_draws():
    # 24 cases over 2 x 2 cells of unequal size; 1,000 seeded draws of n = 9 (4-sigma bounds;
    # each draw runs the whole public path, so 1,000 keeps the test to a few seconds)
    frame = load_frame(pd.DataFrame({
        "case_id": [f"c{i:02d}" for i in range(24)],
        "gender": ["m"] * 15 + ["f"] * 9,
        "disposal": ["CO"] * 10 + ["LIC"] * 5 + ["CO"] * 3 + ["LIC"] * 6,
        "rosh": ["L"] * 24,
    }))
    draws = 1000
    hits = pd.Series(0, index=frame.data["case_id"])
    for seed in range(draws):
        s = draw_sample(frame, 9, strata=["gender", "disposal"], rng=seed, reserves=0)
        hits[s.cases["case_id"]] += 1
    alloc = s.allocation.set_index("cell")
    cell = frame.data["gender"].astype(str) + " / " + frame.data["disposal"].astype(str)
    p = (alloc.loc[cell, "n_h"] / alloc.loc[cell, "N_h"]).to_numpy()
    freq = hits.to_numpy() / draws
    sigma = np.sqrt(p * (1 - p) / draws)
    assert np.all(np.abs(freq - p) <= 4 * sigma + 1e-12), (freq, p)


def test_manifest_and_verification(df, sample):
    m = sample.manifest
    for key in ("seed", "n", "strata", "version", "frame_sha256", "created_utc", "numpy_version",
                "bit_generator", "bit_generator_state"):
        assert key in m
    assert m["seed"] == 2019 and m["n"] == 132 and m["strata"] == ["gender", "disposal", "rosh"]
    assert m["frame_sha256"] == frame_fingerprint(load_frame(df))
    json.dumps(m)  # serialisable
    assert sample.verify(df) and verify_manifest(df.sample(frac=1, random_state=3), sample)
    changed = df.copy()
    changed.loc[5, "gender"] = "female" if changed.loc[5, "gender"] == "male" else "male"
    assert not sample.verify(changed)
    # a Generator or no seed: the starting state is recorded, so the draw still verifies
    for rng in (np.random.default_rng(5), None):
        s = draw_sample(df, 40, rng=rng)
        assert s.manifest["seed"] is None and s.verify(df)


def test_substitute_is_pure_and_follows_reserve_order(df, sample):
    first = sample.cases.iloc[0]
    reserve, s2 = sample.substitute(first["case_id"])
    cell_reserves = sample.reserves[sample.reserves["cell"] == first["cell"]]
    assert reserve["case_id"] == cell_reserves["case_id"].iloc[0] and reserve["reserve_rank"] == 1
    assert sample.cases.iloc[0]["case_id"] == first["case_id"] and len(sample.substitutions) == 0  # unchanged
    assert s2.cases.iloc[0]["case_id"] == reserve["case_id"] and s2.cases.iloc[0]["selection_order"] == 1
    assert s2.substitutions["replaced_case_id"].tolist() == [first["case_id"]]
    reserve2, s3 = s2.substitute(reserve["case_id"])  # the substitute is unusable too
    assert reserve2["reserve_rank"] == 2
    assert s3.original_case_ids() == sample.cases["case_id"].tolist() and s3.verify(df)
    with pytest.raises(ArgumentError):
        sample.substitute("not-a-case")
    small = draw_sample(df, 20, rng=1, reserves=0)
    with pytest.raises(DataError, match="no unused reserve"):
        small.substitute(small.cases["case_id"].iloc[0])


def test_reserve_rules_and_shortfall_note():
    assert reserve_counts(np.array([0, 1, 4, 7]), None).tolist() == [0, 2, 2, 4]
    assert reserve_counts(np.array([0, 1, 4]), 3).tolist() == [0, 3, 3]
    assert reserve_counts(np.array([0, 1, 4]), 0.5).tolist() == [0, 1, 2]
    for bad in (-1, "two", float("nan"), True):
        with pytest.raises(ArgumentError):
            reserve_counts(np.array([1]), bad)
    frame = synthetic_frame(40, rng=3)
    s = draw_sample(frame, 38, rng=1)
    # a cell can never hold fewer cases than allocated (n_h <= N_h); reserves may run short
    assert (s.allocation["n_h"] <= s.allocation["N_h"]).all()
    assert (s.allocation["reserves"] <= s.allocation["N_h"] - s.allocation["n_h"]).all()
    assert any("reserves short" in note for note in s.notes)
    assert len(s.reserves) == 2


def test_bad_draw_arguments(df):
    for n in (0, -3, 3001, 1.5):
        with pytest.raises(ArgumentError):
            draw_sample(df, n, rng=1)
    with pytest.raises(ArgumentError):
        draw_sample(df, 10, rng=-1)
    with pytest.raises(DataError):
        draw_sample(df, 10, strata=["gender", "ethnicity"])
    with pytest.raises(DataError, match="duplicate"):
        draw_sample(pd.concat([df.head(5), df.head(1)]), 2)


def test_gof_pvalue_methods_against_independent_computations():
    p, method = gof_pvalue([40, 60], [0.5, 0.5])
    assert method == "chi-square" and p == pytest.approx(stats.chisquare([40, 60]).pvalue)
    p, method = gof_pvalue([1, 9], [0.3, 0.7])
    assert method == "exact binomial" and p == pytest.approx(stats.binomtest(1, 10, 0.3).pvalue)
    # exact multinomial by direct enumeration
    obs, probs = [0, 3, 5], np.array([0.2, 0.3, 0.5])
    p, method = gof_pvalue(obs, probs)
    pmf = lambda x: stats.multinomial.pmf(x, 8, probs)  # noqa: E731
    p_obs = pmf(obs)
    total = sum(pmf(x) for x in itertools.product(range(9), repeat=3)
                if sum(x) == 8 and pmf(x) <= p_obs * (1 + 1e-7))
    assert method == "exact multinomial" and p == pytest.approx(total)
    assert gof_pvalue([5], [1.0]) == (1.0, "trivial")


# --------------------------------------------------------------------------- outputs
def test_excel_output_has_every_sheet_and_escapes_formulas(tmp_path):
    frame = synthetic_frame(300, rng=4)
    frame.loc[frame.index[:300], "office"] = "=HYPERLINK(\"http://x\")"
    frame.loc[0, "case_id"] = "+44123"
    s = draw_sample(frame, 30, rng=1)
    path = s.to_excel(tmp_path / "sample.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["cases", "reserves", "allocation", "balance", "manifest"]
    values = [c.value for row in book["cases"].iter_rows() for c in row]
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "-", "@")) for v in values)
    assert "'=HYPERLINK(\"http://x\")" in values
    assert len(list(book["cases"].iter_rows())) == 31
    back = pd.read_excel(path, sheet_name="balance")
    assert list(back.columns) == BALANCE_COLUMNS
    manifest = pd.read_excel(path, sheet_name="manifest").set_index("key")["value"]
    assert manifest["frame_sha256"] == s.manifest["frame_sha256"]
    assert [p.name for p in tmp_path.iterdir()] == ["sample.xlsx"]  # no temporary left


def test_csv_outputs_and_bad_paths(tmp_path, sample):
    written = sample.to_csv(tmp_path / "cases.csv")
    assert [p.name for p in written] == ["cases.csv", "cases_reserves.csv", "cases_allocation.csv",
                                         "cases_balance.csv", "cases_manifest.json"]
    assert json.loads((tmp_path / "cases_manifest.json").read_text())["seed"] == 2019
    back = pd.read_csv(written[0], dtype=str)
    assert back["case_id"].tolist() == sample.cases["case_id"].tolist()
    folder = sample.to_csv(tmp_path / "out")
    assert sorted(p.name for p in folder) == ["allocation.csv", "balance.csv", "cases.csv", "manifest.json",
                                              "reserves.csv"]
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["seed"] == 2019
    with pytest.raises(OutputError):
        sample.to_excel(tmp_path / "missing" / "s.xlsx")
    with pytest.raises(OutputError):
        sample.to_excel(tmp_path / "s.csv")
    with pytest.raises(OutputError):
        sample.to_csv(tmp_path / "missing" / "s.csv")
    with pytest.raises(OutputError):
        sample.to_csv(tmp_path / "s.xlsx")
    assert not (tmp_path / "missing").exists()


def test_csv_escapes_formulas(tmp_path):
    frame = synthetic_frame(100, rng=4)
    frame["note"] = "@SUM(A1:A9)"
    s = draw_sample(frame, 10, rng=3)
    path = s.to_csv(tmp_path / "x.csv")[0]
    back = pd.read_csv(path, dtype=str)
    assert (back["note"] == "'@SUM(A1:A9)").all()


# --------------------------------------------------------------------------- CLI
def test_cli_draw_writes_workbook_and_prints_tables(tmp_path, capsys):
    out = tmp_path / "sample.xlsx"
    assert main(["draw", "--example", "--n", "132", "--seed", "2019", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "male / community order / low" in text and "p_value" in text and f"wrote {out}" in text
    assert openpyxl.load_workbook(out).sheetnames[:5] == ["cases", "reserves", "allocation", "balance", "manifest"]


def test_cli_draw_from_csv_with_auto_n_and_json(tmp_path, capsys):
    path = tmp_path / "frame.csv"
    synthetic_frame(668, rng=1).to_csv(path, index=False)
    assert main(["draw", str(path), "--n", "auto", "--seed", "7", "--json",
                 "--out", str(tmp_path / "s.csv"), "--reserves", "1"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["n"] == 132  # Cochran, 80% confidence, +-5 points, N = 668
    assert (tmp_path / "s.csv").exists() and (tmp_path / "s_reserves.csv").exists()


@pytest.mark.parametrize("make,args,message", [
    (lambda d: d.drop(columns="rosh"), [], "required column"),
    (lambda d: d.assign(gender=["X"] + d["gender"].tolist()[1:]), [], "--map 'gender:X=<category>'"),
    (lambda d: pd.concat([d, d.head(1)]), [], "duplicate case_id"),
    (lambda d: d, ["--n", "0"], "n=0"),
    (lambda d: d, ["--n", "5000"], "at most"),
    (lambda d: d, ["--out", "sample.txt"], ".xlsx or .csv"),
    (lambda d: d, ["--out", "nofolder/sample.xlsx"], "does not exist"),
    (lambda d: d, ["--strata", "gender,ethnicity"], "ethnicity"),
])
def test_cli_errors_exit_2_and_write_nothing(tmp_path, capsys, monkeypatch, make, args, message):
    monkeypatch.chdir(tmp_path)
    make(synthetic_frame(200, rng=1)).to_csv("frame.csv", index=False)
    defaults = ["--n", "20"] if "--n" not in args else []
    out = [] if "--out" in args else ["--out", "sample.xlsx"]
    assert main(["draw", "frame.csv", "--seed", "1", *defaults, *out, *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sampling draw: error:") and message in err and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["frame.csv"]


def test_cli_rejects_non_frame_files(tmp_path, capsys):
    (tmp_path / "frame.json").write_text("{}")
    assert main(["draw", str(tmp_path / "frame.json"), "--n", "5"]) == 2
    assert ".csv or .xlsx" in capsys.readouterr().err
    assert main(["draw", "--n", "5"]) == 2  # no frame at all
    assert main(["draw", "--synthetic", "500", "--n", "20", "--seed", "1", "--map", "gender:X=female"]) == 0


def test_synthetic_draw_names_no_real_provider_or_place(capsys):
    """`sampling draw --synthetic` is a neutral demo: no seed-provider ids or towns (only
    --example is the seed's caseload)."""
    from sampling.cli import main
    from sampling.examples import SYNTHETIC_OFFICES

    assert main(["draw", "--synthetic", "2000", "--n", "60", "--json"]) == 0
    out = capsys.readouterr().out
    assert "KSS" not in out and not any(town in out for town in SYNTHETIC_OFFICES)
    neutral = synthetic_frame(500, rng=1, neutral=True)
    flavoured = synthetic_frame(500, rng=1)
    assert neutral["case_id"].iloc[0] == "C0000001" and set(neutral["office"]) <= {f"Office {i}" for i in range(1, 15)}
    assert (neutral[["gender", "disposal", "rosh"]].to_numpy() == flavoured[["gender", "disposal", "rosh"]].to_numpy()).all()
