"""Flag study: do our rating probabilities and flags mean what they say?

Simulated inspections with known truth (a script, not a test). Each inspection is domain
two of the adult framework: 132 cases drawn at random from an eligible population of 668,
12 key questions in four standards, the three "relevant sub-sample" questions asked only of
the cases with RoSH issues (a share of 60%), answers correlated through a latent case
quality. The population is built so that each key question's true percentage is known
exactly (the top M_j cases by quality + noise answer yes), and the true rating of each
standard is the rating a census would give (the rules applied to the true percentages).
Each sample goes through ``load_results`` and ``rate`` (Wilson + FPC intervals; the rating
probabilities from B draws of the finite-population posterior, ``rate()``'s default since
issue 26, or with ``--probabilities bootstrap`` from the joint case bootstrap with Rao–Wu
rescaling, as before), exactly as a user's data would. The grades' printed error rates come
from ``benchmarks/calibration_study.py``, which also runs the smaller populations.

Two kinds of truth:

* **spread** — every key question's true percentage drawn uniformly from 35–95%;
* **near-edge** — every true percentage within ±3 points of a band edge (50, 65 or 80)
  chosen at random: the hardest case, where calibration cannot hold and is not tuned for.

Reported per kind: how often the rule rating is wrong; the flag's share of standards and
the share of misratings it catches; the calibration of the reported probability of the
rule rating, P(rule rating), in bins (reported against observed frequency of the rule
rating being the true one); how often the bootstrap's most likely rating is the true one
when it differs from the rule rating; and the graded flag (settled / leaning / could go
either way on P(rule rating) thresholds) with each grade's share and misrating rate.

    python benchmarks/flag_study.py [--inspections 1000] [--resamples 2000] [--jobs 2]

References
----------
.. [1] Spiegelhalter, D. J. (1986). Probabilistic prediction in patient management and
   clinical trials. *Statistics in Medicine* 5, 421–433 (calibration of stated probabilities).
.. [2] Rao, J. N. K. & Wu, C. F. J. (1988). Resampling inference with complex survey data.
   *JASA* 83, 231–241.
"""
from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))
if str(HERE) not in sys.path:  # calibration_study beside this script (last: shadows nothing)
    sys.path.append(str(HERE))

from sampling import load_framework, load_results, rate  # noqa: E402

N, n = 668, 132
SAMPLE = "case_supervision"
RELEVANT_SHARE = 0.6
EDGES = (50.0, 65.0, 80.0)
#: grade thresholds on the reported probability of the rule rating
SETTLED, LEANING = 0.9, 0.7
BINS = [0.0, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0001]


def framework_parts():
    fw = load_framework("hmip-adult")
    kqs = [k for k in fw.key_questions if k.sample == SAMPLE]
    return fw, kqs


def true_percents(kind: str, k: int, rng: np.random.Generator) -> np.ndarray:
    if kind == "spread":
        return rng.uniform(35, 95, k)
    return rng.choice(EDGES, k) + rng.uniform(-3, 3, k)


def population(percents: np.ndarray, kqs, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(N, k) answers (1 yes, 0 no, NaN not applicable) with exactly round(p·N_j) yes per
    question, and the exact true percentages 100·M_j/N_j (``calibration_study.population``
    at this study's N)."""
    from calibration_study import population as at_size

    return at_size(N, percents, kqs, rng)


def one_inspection(args: tuple) -> list[dict]:
    kind, seed, B, *more = args
    probabilities = more[0] if more else "posterior"
    fw, kqs = framework_parts()
    rules = fw.rules
    rng = np.random.default_rng(seed)
    answers, truth = population(true_percents(kind, len(kqs), rng), kqs, rng)
    rows = rng.choice(N, n, replace=False)
    cells = np.where(np.isnan(answers[rows]), "not applicable", np.where(answers[rows] == 1, "yes", "no"))
    frame = pd.DataFrame(cells, columns=[k.id for k in kqs])
    frame.insert(0, "case_id", [f"c{i}" for i in range(n)])
    results = load_results(frame, framework=fw, population={SAMPLE: N})
    a = rate(results, n_resamples=B, rng=seed, partial=True, probabilities=probabilities)
    true_band = dict(zip([k.id for k in kqs], rules.kq_band(truth)))
    out = []
    for rec in a.standards[a.standards["rated_by"] == "key questions"].to_dict("records"):
        std = fw.standard(rec["standard"])
        truth_label = rules.label(min(true_band[q] for q in std.key_questions))
        true_pct = {k.id: t for k, t in zip(kqs, truth)}
        deciding = min(std.key_questions, key=lambda q: true_pct[q])  # the census's deciding question
        dist = np.abs(true_pct[deciding] - np.asarray(rules.effective_edges))
        out.append({"kind": kind, "seed": seed, "standard": rec["standard"], "true_rating": truth_label,
                    "rule_rating": rec["rule_rating"], "modal_rating": rec["modal_rating"],
                    "p_rule": rec[f"P({rec['rule_rating']})"], "p_modal": rec["modal_probability"],
                    "flagged": bool(rec["flagged"]), "boundary_inside": bool(rec["boundary_inside"]),
                    "min_edge_distance": float(dist.min())})
    return out


def grade(p_rule: pd.Series) -> pd.Series:
    return pd.Series(np.where(p_rule >= SETTLED, "settled", np.where(p_rule >= LEANING, "leaning",
                                                                      "could go either way")), index=p_rule.index)


def summarise(table: pd.DataFrame) -> dict[str, pd.DataFrame]:
    t = table.assign(wrong=table["rule_rating"] != table["true_rating"], grade=grade(table["p_rule"]))
    overview = t.groupby("kind").apply(lambda g: pd.Series({
        "standards": len(g), "misrated %": 100 * g["wrong"].mean(),
        "flagged %": 100 * g["flagged"].mean(),
        "misratings caught by flag %": 100 * g.loc[g["wrong"], "flagged"].mean(),
        "flagged though deciding question ≥7 pts from edges %": 100 * g.loc[g["min_edge_distance"] >= 7, "flagged"].mean(),
        "settled when deciding question ≥7 pts from edges %": 100 * (
            g.loc[g["min_edge_distance"] >= 7, "grade"] == "settled").mean(),
        "modal ≠ rule %": 100 * (g["modal_rating"] != g["rule_rating"]).mean(),
        "modal true when ≠ rule %": 100 * (g.loc[g["modal_rating"] != g["rule_rating"], "modal_rating"]
                                           == g.loc[g["modal_rating"] != g["rule_rating"], "true_rating"]).mean(),
    }), include_groups=False)
    cal = t.assign(bin=pd.cut(t["p_rule"], BINS, right=False)).groupby(["kind", "bin"], observed=True).agg(
        standards=("wrong", "size"), reported=("p_rule", "mean"), observed=("wrong", lambda w: 1 - w.mean()))
    cal["reported %"], cal["observed %"] = 100 * cal.pop("reported"), 100 * cal.pop("observed")
    cal["MC se"] = 100 * np.sqrt(cal["observed %"] / 100 * (1 - cal["observed %"] / 100) / cal["standards"])
    grades = t.groupby(["kind", "grade"]).agg(standards=("wrong", "size"), misrated=("wrong", "mean"),
                                              far_from_edges=("min_edge_distance", lambda d: (d >= 7).mean()))
    grades["share %"] = 100 * grades["standards"] / grades.groupby(level=0)["standards"].transform("sum")
    grades["misrated %"] = 100 * grades.pop("misrated")
    return {"overview": overview, "calibration": cal, "grades": grades}


def run(inspections: int, B: int, jobs: int, seed: int, probabilities: str = "posterior") -> pd.DataFrame:
    tasks = [(kind, seed + 100_000 * j + i, B, probabilities) for j, kind in enumerate(("spread", "near-edge"))
             for i in range(inspections)]
    with ProcessPoolExecutor(jobs) as pool:
        rows = [r for chunk in pool.map(one_inspection, tasks, chunksize=20) for r in chunk]
    return pd.DataFrame(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--inspections", type=int, default=1000, help="inspections per kind of truth")
    ap.add_argument("--resamples", type=int, default=2000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--probabilities", choices=("posterior", "bootstrap"), default="posterior")
    ap.add_argument("--csv", type=Path, default=None, help="write every standard's row here")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    table = run(args.inspections, args.resamples, args.jobs, args.seed, args.probabilities)
    if args.csv:
        table.to_csv(args.csv, index=False)
    with pd.option_context("display.width", 160, "display.max_columns", 20, "display.float_format", "{:.1f}".format):
        for name, frame in summarise(table).items():
            print(f"\n== {name} ==\n{frame}")
    print(f"\n{len(table):,} standards from {2 * args.inspections:,} inspections, B = {args.resamples:,}, "
          f"{time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
