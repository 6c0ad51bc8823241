"""Files an audit can trust (issue 25): one writer at a time, CSV that round-trips, the
user's files respected (read-only refused, mode kept, long names), and ``verify`` exiting 1
when the workbook is not the draw (issue 23 item 6)."""
from __future__ import annotations

import csv
import io
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sampling
from sampling import synthetic_frame
from sampling._utils._io import atomic_path, atomic_write, file_lock, write_csv
from sampling.cli import main
from sampling.errors import OutputError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    """A draw workbook with reserves, and the frame it was drawn from."""
    root = tmp_path_factory.mktemp("audit")
    frame = synthetic_frame(600, rng=5)
    frame.to_csv(root / "frame.csv", index=False)
    assert main(["init", str(root / "ns"), "--provider", "Audit CRC"]) == 0
    out = root / "draw.xlsx"
    status = main(["draw", str(root / "frame.csv"), "--inspection", str(root / "ns"), "--sample",
                   "case_supervision", "--reserves", "3", "--out", str(out)])
    assert status == 0
    return root, out


def _copy(drawn, tmp_path) -> Path:
    path = tmp_path / "draw.xlsx"
    path.write_bytes(drawn[1].read_bytes())
    return path


# --------------------------------------------------------------------------- one writer at a time
_CHILD = """
import sys, time
import sampling
start = float(sys.argv[3])
while time.time() < start:
    time.sleep(0.01)
rec = sampling.substitute_case(sys.argv[1], sys.argv[2], "not available " + sys.argv[2])
print(rec["reserve_case_id"])
"""


def test_two_substitutions_at_once_both_land(drawn, tmp_path):
    path = _copy(drawn, tmp_path)
    sample = sampling.read_draw(path)
    cell = sample.cases["cell"].iloc[0]
    a, b = sample.cases.loc[sample.cases["cell"] == cell, "case_id"].iloc[:2].astype(str)
    start = str(time.time() + 4.0)  # both children past their imports, then racing
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    procs = [subprocess.Popen([sys.executable, "-c", _CHILD, str(path), key, start], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for key in (a, b)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1] for o in outs]
    after = sampling.read_draw(path)
    subs = after.substitutions
    assert sorted(subs["replaced_case_id"].astype(str)) == sorted([a, b])
    assert sorted(subs["reserve_rank"].astype(int)) == [1, 2]  # each took its own reserve
    field = after.fieldwork["case_id"].astype(str)
    assert a not in set(field) and b not in set(field) and field.is_unique
    assert sampling.verify_draw(path, drawn[0] / "frame.csv").ok


def test_the_lock_is_exclusive_and_released(tmp_path):
    target = tmp_path / "book.xlsx"
    with file_lock(target):
        code = ("import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR);\n"
                "try:\n    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB); print('got')\n"
                "except BlockingIOError:\n    print('busy')")
        [lock] = [p for p in tmp_path.iterdir() if p.name.endswith(".lock")]
        held = subprocess.run([sys.executable, "-c", code, str(lock)], capture_output=True, text=True)
        assert held.stdout.strip() == "busy"
    free = subprocess.run([sys.executable, "-c", code, str(lock)], capture_output=True, text=True)
    assert free.stdout.strip() == "got"


# --------------------------------------------------------------------------- CSV that round-trips
def test_csv_fields_with_cr_lf_delimiter_and_quote_round_trip(tmp_path):
    cells = ["plain", "a,b", 'say "no"', "line1\nline2", "x\r@SUM(1)", "=1+1", "@SUM(1)", "cr\r\nlf"]
    frame = pd.DataFrame({"case_id": [f"C{i}" for i in range(len(cells))], "note": cells})
    path = tmp_path / "out.csv"
    write_csv(frame, path)
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["case_id", "note"] and len(rows) == len(cells) + 1  # one row per case
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert back["case_id"].tolist() == frame["case_id"].tolist()
    want = [("'" + c) if c.lstrip()[:1] in "=+-@" else c for c in cells]
    assert [r[1] for r in rows[1:]] == want == back["note"].tolist()
    assert back["note"].iloc[4] == "x\r@SUM(1)"  # the CR stays inside its quoted field


# --------------------------------------------------------------------------- the user's files
def test_a_read_only_file_is_refused_and_left_alone(tmp_path):
    target = tmp_path / "keep.csv"
    target.write_text("mine\n")
    target.chmod(0o444)
    with pytest.raises(OutputError, match="read-only"):
        atomic_write(target, lambda p: p.write_text("theirs\n"))
    assert target.read_text() == "mine\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_replaced_file_keeps_its_mode(tmp_path):
    target = tmp_path / "shared.csv"
    target.write_text("old\n")
    target.chmod(0o640)
    atomic_write(target, lambda p: p.write_text("new\n"))
    assert target.read_text() == "new\n" and stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_255_byte_output_name_works(tmp_path):
    name = "d" * (255 - len(".csv")) + ".csv"
    with atomic_path(tmp_path / name) as tmp:
        assert len(tmp.name) < 64
        tmp.write_text("ok\n")
    assert (tmp_path / name).read_text() == "ok\n"


def test_substitute_refuses_a_read_only_workbook(drawn, tmp_path, capsys):
    path = _copy(drawn, tmp_path)
    path.chmod(0o444)
    case = str(sampling.read_draw(path).cases["case_id"].iloc[0])
    before = path.read_bytes()
    assert main(["substitute", str(path), case, "--reason", "moved"]) == 2
    err = capsys.readouterr().err
    assert "read-only" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert path.read_bytes() == before


# --------------------------------------------------------------------------- verify's exit status
def test_verify_exits_1_when_the_workbook_is_not_the_draw(drawn, tmp_path, capsys):
    root, path = drawn
    assert main(["verify", str(path), str(root / "frame.csv")]) == 0
    capsys.readouterr()
    other = tmp_path / "other.csv"
    synthetic_frame(600, rng=6).to_csv(other, index=False)
    assert main(["verify", str(path), str(other)]) == 1
    err = capsys.readouterr().err
    assert "NOT verified" in err and "Traceback" not in err
    assert main(["verify", str(tmp_path / "missing.xlsx"), str(root / "frame.csv")]) == 2  # bad input: 2


def test_stale_temps_of_ours_are_removed_on_the_next_run(tmp_path):
    old_file = tmp_path / ".sampling-abc123.tmp.xlsx"
    old_dir = tmp_path / ".sampling-def456.tmp"
    young = tmp_path / ".sampling-young1.tmp.csv"
    theirs = tmp_path / ".other.tmp"
    old_dir.mkdir()
    (old_dir / "cases.csv").write_text("x\n")
    for p in (old_file, young, theirs):
        p.write_text("x\n")
    past = time.time() - 2 * 3600
    for p in (old_file, old_dir, theirs):
        os.utime(p, (past, past))
    atomic_write(tmp_path / "out.csv", lambda p: p.write_text("ok\n"))
    assert not old_file.exists() and not old_dir.exists()  # ours, left by a killed run
    assert young.exists() and theirs.exists()  # a run in progress, and not ours
