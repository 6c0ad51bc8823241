"""Safe output helpers, error types and argument checks."""
import os
import pickle

import numpy as np
import pandas as pd
import pytest

from sampling import ArgumentError, DataError, OutputError, SamplingError
from sampling._utils._checks import check_confidence_level, check_count, check_fraction, check_population, check_rng
from sampling._utils._io import atomic_write, ensure_writable_dir, escape_formulas


def test_escape_formulas_neutralises_only_text_that_starts_a_formula():
    df = pd.DataFrame({"case_id": ["=HYPERLINK(1)", "+1", "-2", "@SUM(A1)", "ok", None], "n": [1, 2, 3, 4, 5, 6]})
    out = escape_formulas(df)
    assert out["case_id"].tolist()[:5] == ["'=HYPERLINK(1)", "'+1", "'-2", "'@SUM(A1)", "ok"]
    assert pd.isna(out["case_id"].iloc[5])
    assert out["n"].tolist() == [1, 2, 3, 4, 5, 6]  # numbers are not text
    assert df["case_id"].iloc[0] == "=HYPERLINK(1)"  # input untouched


def test_atomic_write_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")

    def boom(path):
        path.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write(target, boom)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
    atomic_write(target, lambda p: p.write_text("new"))
    assert target.read_text() == "new"
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's 0600


def test_output_errors(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="cannot create output directory"):
        ensure_writable_dir(blocker / "sub")
    with pytest.raises(OutputError, match="not a directory"):
        ensure_writable_dir(blocker)
    with pytest.raises(OutputError, match="does not exist"):
        atomic_write(tmp_path / "missing" / "a.csv", lambda p: None)


def test_errors_are_value_errors_and_pickle():
    err = DataError("unknown category", column="gender", rows=[3, 7], values=["X", "?"], hint="Map it.")
    assert isinstance(err, SamplingError) and isinstance(err, ValueError)
    text = str(err)
    assert "column 'gender'" in text and "rows 3, 7" in text and "'X'" in text and text.endswith("Map it.")
    again = pickle.loads(pickle.dumps(err))
    assert str(again) == text and again.rows == (3, 7)
    arg = pickle.loads(pickle.dumps(ArgumentError("margin", 2, "must be in (0, 1)")))
    assert str(arg) == "margin=2 is invalid: must be in (0, 1)"


def test_long_lists_are_shortened():
    err = DataError("bad", rows=range(1, 30))
    assert "(19 more)" in str(err)


@pytest.mark.parametrize("bad", [0, 1, -0.1, 1.5, float("nan"), "0.8", True, None])
def test_check_confidence_level(bad):
    with pytest.raises(ArgumentError, match="confidence_level"):
        check_confidence_level(bad)


def test_checks_accept_good_values():
    assert check_confidence_level(0.8) == 0.8
    assert check_fraction(1, "share", high_open=False) == 1.0
    assert check_count(132.0, "n") == 132
    assert check_population(None) is None
    g = np.random.default_rng(1)
    assert check_rng(g) is g
    assert check_rng(5).random() == np.random.default_rng(5).random()


@pytest.mark.parametrize("bad", [0, -3, 2.5, "ten", True, float("inf")])
def test_check_population(bad):
    with pytest.raises(ArgumentError, match="population"):
        check_population(bad)


def test_check_fraction_and_rng_reject():
    with pytest.raises(ArgumentError, match=r"share=0 is invalid: must be a number in \(0, 1\]"):
        check_fraction(0, "share", high_open=False)
    with pytest.raises(ArgumentError, match="rng"):
        check_rng(-1)
    with pytest.raises(ArgumentError, match="rng"):
        check_rng("seed")


def test_progress_lines_only_on_a_terminal_and_never_under_quiet():
    import io

    from sampling._utils._progress import Progress

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty, pipe = Tty(), io.StringIO()
    Progress("sampling draw", stream=tty)("reading the frame …")
    Progress("sampling draw", stream=pipe)("reading the frame …")
    Progress("sampling draw", stream=Tty(), quiet=True)("x")
    assert tty.getvalue().startswith("sampling draw [") and tty.getvalue().endswith("] reading the frame …\n")
    assert pipe.getvalue() == ""
    always = io.StringIO()
    Progress("sampling report", stream=always, always=True)("chart x …")
    assert "chart x" in always.getvalue()
    quiet = Tty()
    Progress("sampling report", stream=quiet, always=True, quiet=True)("chart x …")
    assert quiet.getvalue() == ""
