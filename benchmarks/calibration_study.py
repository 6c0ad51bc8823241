"""Calibration study: do the rating probabilities mean what they say, at every population size?

Simulated inspections with known truth (a script, not a test; issue 26, item 2). Three
samples of the adult framework, each at the size the inspectorate draws:

* **N = 56** — through-the-gate, 42 of 56 cases sampled, standard 4.2 (3 key questions);
* **N = 79** — unpaid work, 54 of 79 cases sampled, standard 4.1 (4 key questions);
* **N = 668** — case supervision (domain two), 132 of 668 cases sampled, standards 2.1–2.4
  (12 key questions, three asked only of the 60% of cases with RoSH issues).

Every key question's true percentage is drawn uniformly from 35–95% ("spread" truths);
answers are correlated through a latent case quality, and the population is built so that
each true percentage is known exactly (``flag_study.population``). The true rating of a
standard is the rating a census would give. Each sample goes through ``load_results`` and
``rate`` twice with the same seed, as a user's data would: once with the rating
probabilities from the finite-population posterior (``probabilities="posterior"``, the
default) and once from the joint case bootstrap (``probabilities="bootstrap"``, the method
before issue 26).

Reported per population size and method:

* **P(rule)** calibration — bins of width 0.1 of the stated probability of the rule rating,
  with the mean stated value, the observed share of standards whose rule rating is the true
  one, its Monte Carlo standard error and the count;
* **P(each rating)** calibration — every rating's stated probability against whether it is
  the true rating, pooled over the four ratings, in the same bins;
* **grades** — settled (P(rule) ≥ 0.9), leaning (0.7–0.9), could go either way (< 0.7):
  their share and how often such ratings were wrong, over all standards, where the deciding
  question's true percentage lies within 2 points of a band edge, and where it lies 7 or more
  points from every edge.

With ``--write`` the grades' measured error rates (posterior method) are written to
``sampling/rating/grade_rates.json``, which ``sampling.rating._grades`` reads to word what
each grade means (the report, ``sampling analyse``'s legend), the grade table of the guide
(``docs/guide/04-analyse.md``, between its ``grade-rates`` markers) is rewritten from it, and
the printed tables go to ``benchmarks/calibration_study_results.txt``.

    python benchmarks/calibration_study.py [--standards 6000] [--resamples 2000] [--jobs 2] [--write]

References
----------
.. [1] Spiegelhalter, D. J. (1986). Probabilistic prediction in patient management and
   clinical trials. *Statistics in Medicine* 5, 421–433 (calibration of stated probabilities).
.. [2] Ghosh, M. & Meeden, G. (1997). *Bayesian Methods for Finite Population Sampling*,
   ch. 2 (the Pólya posterior). Chapman & Hall.
"""
from __future__ import annotations

import argparse
import io
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

from sampling import load_framework, load_results, rate  # noqa: E402

#: population size -> (sample size, the sample of the adult framework)
CONFIGS = {56: (42, "through_the_gate"), 79: (54, "unpaid_work"), 668: (132, "case_supervision")}
RELEVANT_SHARE = 0.6
TRUTH_RANGE = (35.0, 95.0)
NEAR, FAR = 2.0, 7.0
SETTLED, LEANING = 0.9, 0.7
GRADES = ("settled", "leaning", "could go either way")
BINS = np.round(np.arange(0, 1.01, 0.1), 1)
BINS[-1] = 1.0001
#: a bin's calibration is judged where it holds at least this many standards
MIN_BIN = 300
TOLERANCE = 3.0  # points
METHODS = ("posterior", "bootstrap")
RATES_FILE = HERE.parent / "sampling" / "rating" / "grade_rates.json"
RESULTS_FILE = HERE / "calibration_study_results.txt"
GUIDE_FILE = HERE.parent / "docs" / "guide" / "04-analyse.md"
GUIDE_START, GUIDE_END = "<!-- grade-rates:start", "<!-- grade-rates:end -->"


def write_guide_table() -> None:
    """Replace the grade table between the guide's markers with the rates just written."""
    from sampling.rating import _grades

    _grades.grade_rates.cache_clear()
    text = GUIDE_FILE.read_text(encoding="utf-8")
    i = text.index(GUIDE_START)
    i = text.index("\n", i) + 1
    j = text.index(GUIDE_END)
    GUIDE_FILE.write_text(text[:i] + _grades.grade_markdown() + "\n" + text[j:], encoding="utf-8")


def framework_parts(sample: str):
    fw = load_framework("hmip-adult")
    return fw, [k for k in fw.key_questions if k.sample == sample]


def population(N: int, percents: np.ndarray, kqs, rng: np.random.Generator, correlated: bool = True
               ) -> tuple[np.ndarray, np.ndarray]:
    """(N, k) answers (1 yes, 0 no, NaN not applicable) with exactly round(p·N_j) yes per
    question, and the exact true percentages 100·M_j/N_j (as ``flag_study.population``);
    ``correlated=False``: no latent case quality, each question's yes cases drawn at random."""
    quality = rng.normal(size=N) * (1.0 if correlated else 0.0)
    relevant = rng.random(N) < RELEVANT_SHARE
    answers = np.full((N, len(kqs)), np.nan)
    truth = np.empty(len(kqs))
    for j, (kq, p) in enumerate(zip(kqs, percents)):
        applies = relevant if kq.relevant_subsample else np.ones(N, dtype=bool)
        idx = np.flatnonzero(applies)
        M = int(round(p / 100 * len(idx)))
        order = np.argsort(-(quality[idx] + 0.8 * rng.normal(size=len(idx))))
        col = np.zeros(len(idx))
        col[order[:M]] = 1.0
        answers[idx, j] = col
        truth[j] = 100.0 * M / len(idx)
    return answers, truth


def one_inspection(args: tuple) -> list[dict]:
    """Every key-question-rated standard of one simulated inspection, rated both ways."""
    N, seed, B, *more = args
    correlated = more[0] if more else True
    n, sample = CONFIGS[N]
    fw, kqs = framework_parts(sample)
    rules = fw.rules
    rng = np.random.default_rng(seed)
    answers, truth = population(N, rng.uniform(*TRUTH_RANGE, len(kqs)), kqs, rng, correlated)
    rows = rng.choice(N, n, replace=False)
    cells = np.where(np.isnan(answers[rows]), "not applicable", np.where(answers[rows] == 1, "yes", "no"))
    frame = pd.DataFrame(cells, columns=[k.id for k in kqs])
    frame.insert(0, "case_id", [f"c{i}" for i in range(n)])
    results = load_results(frame, framework=fw, population={sample: N})
    true_pct = {k.id: t for k, t in zip(kqs, truth)}
    true_band = dict(zip(true_pct, rules.kq_band(truth)))
    labels = list(rules.labels)
    out: dict[str, dict] = {}
    for method in METHODS:
        a = rate(results, n_resamples=B, rng=seed, partial=True, probabilities=method)
        for rec in a.standards[a.standards["rated_by"] == "key questions"].to_dict("records"):
            std = fw.standard(rec["standard"])
            row = out.setdefault(rec["standard"], {})
            if not row:
                deciding = min(std.key_questions, key=lambda q: true_pct[q])
                row.update({"N": N, "seed": seed, "standard": rec["standard"],
                            "true_rating": rules.label(min(true_band[q] for q in std.key_questions)),
                            "rule_rating": rec["rule_rating"], "flagged": bool(rec["flagged"]),
                            "edge_distance": float(np.abs(true_pct[deciding]
                                                          - np.asarray(rules.effective_edges)).min())})
            for label in labels:
                row[f"{method}:{label}"] = float(rec[f"P({label})"])
            row[f"{method}:p_rule"] = float(rec[f"P({rec['rule_rating']})"])
    return list(out.values())


def run(standards: int, B: int, jobs: int, seed: int, sizes=tuple(CONFIGS), correlated: bool = True
        ) -> pd.DataFrame:
    tasks = []
    for N in sizes:
        per = 4 if CONFIGS[N][1] == "case_supervision" else 1
        tasks += [(N, seed + 1_000_000 * N + i, B, correlated) for i in range(-(-standards // per))]
    if jobs == 1:
        rows = [r for t in tasks for r in one_inspection(t)]
    else:
        with ProcessPoolExecutor(jobs) as pool:
            rows = [r for chunk in pool.map(one_inspection, tasks, chunksize=25) for r in chunk]
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- summaries
def grade(p: pd.Series) -> pd.Series:
    return pd.Series(np.where(p >= SETTLED, GRADES[0], np.where(p >= LEANING, GRADES[1], GRADES[2])), index=p.index)


def _bins(stated: np.ndarray, hit: np.ndarray) -> pd.DataFrame:
    cut = pd.cut(stated, BINS, right=False)
    t = pd.DataFrame({"bin": cut, "stated": stated, "hit": hit.astype(float)})
    g = t.groupby("bin", observed=True).agg(count=("hit", "size"), stated=("stated", "mean"), observed=("hit", "mean"))
    g["stated %"], g["observed %"] = 100 * g.pop("stated"), 100 * g.pop("observed")
    g["MC se"] = 100 * np.sqrt(g["observed %"] / 100 * (1 - g["observed %"] / 100) / g["count"])
    g["gap"] = g["observed %"] - g["stated %"]
    g["judged"] = g["count"] >= MIN_BIN
    g.index = [f"{iv.left:.1f}-{min(iv.right, 1.0):.1f}" for iv in g.index]
    return g[["count", "stated %", "observed %", "MC se", "gap", "judged"]]


def calibration(t: pd.DataFrame, method: str, labels) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(P(rule) bins, P(each rating) bins pooled over ratings) of one method."""
    rule = _bins(t[f"{method}:p_rule"].to_numpy(), (t["rule_rating"] == t["true_rating"]).to_numpy())
    stated = np.concatenate([t[f"{method}:{l}"].to_numpy() for l in labels])
    hit = np.concatenate([(t["true_rating"] == l).to_numpy() for l in labels])
    return rule, _bins(stated, hit)


def grade_rates(t: pd.DataFrame, method: str) -> pd.DataFrame:
    """Per grade: share of standards and % wrong (with MC se and count), over all, near an
    edge (deciding truth within NEAR points) and far from every edge (FAR points or more)."""
    g = t.assign(grade=grade(t[f"{method}:p_rule"]), wrong=t["rule_rating"] != t["true_rating"])
    rows = []
    for name in GRADES:
        r = g[g["grade"] == name]
        row = {"grade": name, "share %": 100 * len(r) / len(g)}
        for where, sel in (("all", np.ones(len(r), bool)), ("near", r["edge_distance"] < NEAR),
                           ("far", r["edge_distance"] >= FAR)):
            w = r.loc[sel, "wrong"]
            p = float(w.mean()) if len(w) else np.nan
            row |= {f"wrong % ({where})": 100 * p, f"se ({where})": 100 * np.sqrt(p * (1 - p) / max(len(w), 1)),
                    f"n ({where})": len(w)}
        rows.append(row)
    return pd.DataFrame(rows).set_index("grade")


def modal_rates(t: pd.DataFrame, method: str, labels) -> str:
    """How often the most probable rating differs from the rule's, and is then the true one."""
    probs = t[[f"{method}:{l}" for l in labels]].to_numpy()
    modal = np.asarray(labels, dtype=object)[probs.argmax(axis=1)]
    differs = modal != t["rule_rating"].to_numpy()
    right = (modal[differs] == t["true_rating"].to_numpy()[differs]).mean() if differs.any() else np.nan
    return (f"most probable rating differs from the rule's for {100 * differs.mean():.1f}% of standards "
            f"({int(differs.sum())}); it is then the true rating {100 * right:.1f}% of the time")


def flag_rates(t: pd.DataFrame) -> dict:
    """The edge flag (a band edge inside the deciding question's interval; the same with
    either method): the share of standards flagged, the share misrated, the share of
    misratings flagged, and the share flagged among standards far from every edge."""
    wrong = t["rule_rating"] != t["true_rating"]
    far = t["edge_distance"] >= FAR
    return {"standards": int(len(t)), "flagged": round(float(t["flagged"].mean()), 4),
            "misrated": round(float(wrong.mean()), 4),
            "misratings_flagged": round(float(t.loc[wrong, "flagged"].mean()), 4) if wrong.any() else None,
            "flagged_when_far": round(float(t.loc[far, "flagged"].mean()), 4) if far.any() else None}


def summarise(table: pd.DataFrame, labels) -> tuple[str, dict]:
    """The printed report and the measured grade rates (posterior method) for the JSON."""
    buf = io.StringIO()
    rates: dict = {}
    with redirect_stdout(buf), pd.option_context("display.width", 160, "display.max_columns", 30,
                                                 "display.float_format", "{:.1f}".format):
        groups = [(f"N = {N} ({CONFIGS[N][0]} of {N} sampled)", table[table["N"] == N], N)
                  for N in sorted(table["N"].unique())]
        groups.append(("all sizes run, pooled", table, "pooled"))
        worst = []
        for title, t, key in groups:
            print(f"\n######## {title}: {len(t):,} standards")
            fl = flag_rates(t)
            print("\n== the edge flag ==\n" + ", ".join(f"{k} {100 * v:.1f}%" if isinstance(v, float) else f"{k} {v}"
                                                   for k, v in fl.items()))
            rates.setdefault("flag", {})[str(key)] = fl
            for method in METHODS:
                rule, each = calibration(t, method, labels)
                print(f"\n== {method}: P(rule) — stated vs observed share right ==\n{rule}")
                print(f"\n== {method}: P(each rating), pooled over ratings ==\n{each}")
                print(f"\n== {method}: the most probable rating ==\n{modal_rates(t, method, labels)}")
                gr = grade_rates(t, method)
                print(f"\n== {method}: grades (wrong %: all / deciding truth within {NEAR:g} points of an edge / "
                      f"{FAR:g}+ points from every edge) ==\n{gr}")
                for what, frame in (("P(rule)", rule), ("P(each rating)", each)):
                    j = frame[frame["judged"]]
                    worst.append({"population": title, "method": method, "probability": what,
                                  "bins judged": len(j), "largest |gap|": float(j["gap"].abs().max()),
                                  "bins off by > 3": int((j["gap"].abs() > TOLERANCE).sum()),
                                  "... and by > 2 MC se": int(((j["gap"].abs() > TOLERANCE)
                                                               & (j["gap"].abs() > 2 * j["MC se"])).sum())})
                if method == "posterior":
                    rates.setdefault("grades", {})[str(key)] = {
                        name: {"share": round(float(gr.at[name, "share %"]) / 100, 4),
                               **{f"wrong_{w}": round(float(gr.at[name, f"wrong % ({w})"]) / 100, 4)
                                  for w in ("all", "near", "far")},
                               **{f"se_{w}": round(float(gr.at[name, f"se ({w})"]) / 100, 4)
                                  for w in ("all", "near", "far")},
                               **{f"n_{w}": int(gr.at[name, f"n ({w})"]) for w in ("all", "near", "far")}}
                        for name in GRADES}
        print(f"\n######## calibration verdict (bins of width 0.1 holding ≥ {MIN_BIN} standards; "
              f"tolerance {TOLERANCE:g} points)\n{pd.DataFrame(worst).to_string(index=False)}")
    return buf.getvalue(), rates


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--standards", type=int, default=6000, help="simulated standards per population size")
    ap.add_argument("--resamples", type=int, default=2000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sizes", default="56,79,668", help="population sizes to run (of 56, 79, 668)")
    ap.add_argument("--csv", type=Path, default=None, help="write every standard's row here")
    ap.add_argument("--independent", action="store_true",
                    help="answer the key questions independently (no latent case quality): a check, "
                         "not for --write")
    ap.add_argument("--out", type=Path, default=None, help="also write the printed output here")
    ap.add_argument("--from-csv", type=Path, default=None,
                    help="summarise the rows a previous run wrote with --csv instead of simulating")
    ap.add_argument("--write", action="store_true",
                    help=f"write {RATES_FILE.relative_to(HERE.parent)} and {RESULTS_FILE.relative_to(HERE.parent)}")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    sizes = tuple(int(s) for s in args.sizes.split(","))
    if args.from_csv:
        table = pd.read_csv(args.from_csv)
        sizes = tuple(int(N) for N in sorted(table["N"].unique()))
    else:
        table = run(args.standards, args.resamples, args.jobs, args.seed, sizes, not args.independent)
    if args.csv:
        table.to_csv(args.csv, index=False)
    labels = list(load_framework("hmip-adult").rules.labels)
    text, rates = summarise(table, labels)
    head = (f"calibration_study.py --standards {args.standards} --resamples {args.resamples} --seed {args.seed}"
            + (f" (summarised from that run's rows, {args.from_csv.name})" if args.from_csv else "") + ": "
            f"{len(table):,} simulated standards, true percentages uniform on {TRUTH_RANGE[0]:g}-{TRUTH_RANGE[1]:g}%"
            + ("" if args.from_csv else f", {time.perf_counter() - t0:.0f} s") + "\n")
    if args.independent:
        head = head.replace(": ", " --independent (questions answered independently): ", 1)
    print(head + text)
    if args.out:
        args.out.write_text(head + text, encoding="utf-8")
    if args.write and args.independent:
        raise SystemExit("--write records the main study only; use --out for an --independent check")
    if args.write:
        RESULTS_FILE.write_text(head + text, encoding="utf-8")
        conditions = {
            "script": "benchmarks/calibration_study.py",
            "standards": int(len(table)), "resamples": args.resamples, "seed": args.seed,
            "populations": {str(N): {"sampled": CONFIGS[N][0], "sample": CONFIGS[N][1],
                                     "standards": int((table["N"] == N).sum())} for N in sizes},
            "truth_range": list(TRUTH_RANGE),
            "truths": f"every key question's true percentage uniform on {TRUTH_RANGE[0]:g}-{TRUTH_RANGE[1]:g}%",
            "near": f"the deciding question's true percentage within {NEAR:g} points of a band edge",
            "far": f"the deciding question's true percentage {FAR:g} or more points from every band edge",
            "thresholds": {"settled": SETTLED, "leaning": LEANING},
        }
        RATES_FILE.write_text(json.dumps({"conditions": conditions, "rates": rates["grades"], "flag": rates["flag"]},
                                         indent=1, ensure_ascii=False)
                              + "\n", encoding="utf-8")
        write_guide_table()
    return 0


if __name__ == "__main__":
    sys.exit(main())
