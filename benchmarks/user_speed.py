"""The speed a user feels, each row against its peer measured in the same run.

    python benchmarks/user_speed.py [--rounds 5] [--quick] [--only analyse,report,...]

Every row runs ours and its peer alternately (interleaved rounds, so load on a shared machine
falls on both alike) and reports the median of each and the ratio of medians:

* ``analyse``: ``sampling analyse`` of one filled 140-case draw workbook (a fresh process)
  against ``python -c "import numpy, pandas"``.
* ``report``: ``sampling report --example`` (a fresh process, charts and tables into a
  temporary folder) against ``python -c "import numpy, pandas, matplotlib.pyplot"``.
* ``xlsx``: ``sampling draw`` from a 100,000-row XLSX frame (a fresh process) against a
  fresh process doing ``pandas.read_excel(engine="openpyxl")`` of the same file.
* ``csv``: ``sampling draw`` from a 260,000-row CSV frame against a plain pandas script in a
  fresh process: ``read_csv``, ``groupby().sample()`` with the same cell counts, ``to_excel``.
* ``engine`` (in this process): the stratified and unstratified national ``rate()`` (2,772
  cases × 12 key questions, B = 10,000, BCa) against ``scipy.stats.bootstrap`` BCa once per
  key question (``bench_engine``); the ratio here is peer / ours (times faster). Each is also
  timed as ``intervals()`` alone (the same BCa intervals, no bands, flags or rating
  probabilities: the work the scipy peer does), since the full ``rate()`` also draws the
  finite-population posterior for its calibrated rating probabilities.

The package's byte code is compiled first (``compileall``), as an installed package has it.
"""
from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# numba (the `fast` extra) imports the coverage package, which benchmarks/coverage.py would
# shadow: import it with this folder off the path
_path = list(sys.path)
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
try:
    import numba  # noqa: F401
except ImportError:
    pass
sys.path[:] = _path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for p in (str(HERE), str(ROOT)):
    if p not in sys.path:
        sys.path.insert(0, p)

import numpy  # noqa: E402,F401  - before bench_engine, which would pin BLAS to one thread for the peers

PY = sys.executable
TARGETS = {"analyse": "≤ 1.6×", "report": "≤ 2.5×", "xlsx": "≤ 0.4×", "csv": "≤ 1.5×",
           "stratified": "≥ 20× (fast)", "unstratified": "≥ 25× (fast)",
           "stratified intervals": "(the peer's own work)", "unstratified intervals": "(the peer's own work)"}


def _run(cmd: list[str], env=None) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
    took = time.perf_counter() - t0
    if done.returncode:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{done.stderr[-2000:]}")
    return took


def _pair(ours, peer, rounds: int) -> tuple[float, float]:
    ours(), peer()  # warm the file cache
    a, b = [], []
    for i in range(rounds):
        first, second = (ours, peer) if i % 2 == 0 else (peer, ours)
        x, y = first(), second()
        (a if first is ours else b).append(x)
        (b if first is ours else a).append(y)
    return statistics.median(a), statistics.median(b)


def _filled_workbook(root: Path) -> Path:
    import re

    import numpy as np
    import openpyxl

    import sampling
    from sampling.cli._main import main

    sampling.synthetic_frame(3000, rng=8).to_csv(root / "frame140.csv", index=False)
    out = root / "draw140.xlsx"
    with open(os.devnull, "w") as sink:
        stdout, sys.stdout = sys.stdout, sink
        try:
            assert main(["draw", str(root / "frame140.csv"), "--sample", "case_supervision", "--n", "140",
                         "--out", str(out)]) == 0
        finally:
            sys.stdout = stdout
    wb = openpyxl.load_workbook(out)
    ws = wb["fieldwork"]
    header = [c.value for c in ws[1]]
    rng = np.random.default_rng(4)
    for r in range(2, ws.max_row + 1):
        for c, h in enumerate(header, start=1):
            if h and re.match(r"^\d+(\.\d+)+: ", str(h)):
                ws.cell(r, c).value = str(rng.choice(["Yes", "Yes", "No", "N/A"]))
    wb.save(out)
    return out


def row_analyse(root: Path, rounds: int):
    wb = _filled_workbook(root)
    return _pair(lambda: _run([PY, "-m", "sampling", "analyse", str(wb), "--seed", "1"]),
                 lambda: _run([PY, "-c", "import numpy, pandas"]), rounds)


def row_report(root: Path, rounds: int):
    out = root / "report-example"
    return _pair(lambda: _run([PY, "-m", "sampling", "report", "--example", "--out", str(out), "--quiet"]),
                 lambda: _run([PY, "-c", "import numpy, pandas, matplotlib.pyplot"]), rounds)


def _frame(root: Path, size: int, suffix: str) -> Path:
    import sampling

    path = root / f"frame{size}{suffix}"
    f = sampling.synthetic_frame(size, rng=2019)
    if suffix == ".csv":
        f.to_csv(path, index=False)
    else:
        f.to_excel(path, index=False)
    return path


def row_xlsx(root: Path, rounds: int, size: int):
    path = _frame(root, size, ".xlsx")
    return _pair(lambda: _run([PY, "-m", "sampling", "draw", str(path), "--sample", "case_supervision",
                               "--n", "132", "--seed", "1", "--out", str(root / "drawx.xlsx")]),
                 lambda: _run([PY, "-c", f"import pandas; pandas.read_excel({str(path)!r}, engine='openpyxl')"]),
                 rounds)


PANDAS_DRAW = """
import sys, pandas as pd
df = pd.read_csv(sys.argv[1])
counts = {{}}
strata = ["gender", "disposal", "rosh"]
shares = df.groupby(strata).size() / len(df)
n = (shares * 132).round().astype(int)
parts = [g.sample(n=int(n[k]), random_state=1) for k, g in df.groupby(strata) if n[k] > 0]
pd.concat(parts).to_excel(sys.argv[2], index=False)
"""


def row_csv(root: Path, rounds: int, size: int):
    path = _frame(root, size, ".csv")
    script = root / "pandas_draw.py"
    script.write_text(PANDAS_DRAW.format())
    return _pair(lambda: _run([PY, "-m", "sampling", "draw", str(path), "--sample", "case_supervision",
                               "--n", "132", "--seed", "1", "--out", str(root / "drawc.xlsx")]),
                 lambda: _run([PY, str(script), str(path), str(root / "pandas_draw.xlsx")]), rounds)


def rows_engine(rounds: int):
    import bench_engine
    from sampling.estimation._intervals import intervals
    from sampling.rating._ratings import rate

    flat, strat, A = bench_engine.national(2_772)
    out = {}
    for name, res in (("stratified", strat), ("unstratified", flat)):
        rate(res, method="bca", n_resamples=1000, rng=0, partial=True)  # warm
        jobs = {name: lambda: rate(res, method="bca", n_resamples=10_000, rng=1, partial=True),
                f"{name} intervals": lambda: intervals(res, method="bca", n_resamples=10_000, rng=1)}
        for key, job in jobs.items():
            out[key] = _pair(lambda: _timed(job),
                             lambda: _timed(lambda: bench_engine.scipy_per_question(A, 10_000, "BCa")),
                             max(3, rounds // 2))
    return out


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="3 rounds; 20,000-row XLSX frame")
    ap.add_argument("--only", default="", help="comma-separated rows: analyse,report,xlsx,csv,engine")
    a = ap.parse_args(argv)
    rounds = 3 if a.quick else a.rounds
    only = set(filter(None, a.only.split(","))) or {"analyse", "report", "xlsx", "csv", "engine"}
    compileall.compile_dir(str(ROOT / "sampling"), quiet=1)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if "analyse" in only:
            rows.append(("analyse", "`sampling analyse` of a filled 140-case draw workbook",
                         'python -c "import numpy, pandas"', *row_analyse(root, rounds)))
        if "report" in only:
            rows.append(("report", "`sampling report --example`",
                         'python -c "import numpy, pandas, matplotlib.pyplot"', *row_report(root, rounds)))
        if "xlsx" in only:
            size = 20_000 if a.quick else 100_000
            rows.append(("xlsx", f"`sampling draw` from a {size:,}-row XLSX frame",
                         'pandas.read_excel(engine="openpyxl")', *row_xlsx(root, rounds, size)))
        if "csv" in only:
            rows.append(("csv", "`sampling draw` from a 260,000-row CSV frame",
                         "pandas read_csv + groupby().sample() + to_excel", *row_csv(root, rounds, 260_000)))
        if "engine" in only:
            for name, (ours, peer) in rows_engine(rounds).items():
                what = (f"{name.split()[0]} national `intervals()` alone, same workload" if "intervals" in name
                        else f"{name} national `rate()`, 2,772 × 12, B = 10,000, BCa")
                rows.append((name, what, "scipy BCa per question", ours, peer))
    print(f"median of {rounds} interleaved rounds; {os.cpu_count()} cores; python {sys.version.split()[0]}")
    print()
    print("| what the user does | ours | peer in the same run | peer | ratio | target |")
    print("|---|---|---|---|---|---|")
    for key, what, peer_name, ours, peer in rows:
        ratio = f"{peer / ours:.1f}× faster" if key.split()[0] in ("stratified", "unstratified") else f"{ours / peer:.2f}×"
        print(f"| {what} | {ours:.2f} s | {peer_name} | {peer:.2f} s | {ratio} | {TARGETS[key]} |")


if __name__ == "__main__":
    main()
