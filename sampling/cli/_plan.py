"""``sampling plan``: sample sizes, achieved margins, implied populations, misrating risk."""
from __future__ import annotations

import argparse
import math
from typing import TYPE_CHECKING, Any, Sequence


from ._common import fraction, inspection_of, number_list, percent_list, text_table, to_json
from ._options import add_inspection, groups
from .._utils._methods import PLAN_METHODS
from ..errors import ArgumentError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["EXAMPLES", "add_arguments", "run"]

EXAMPLES = """\
Examples:
  sampling plan --example
  sampling plan --population 668,79,56 --margin 0.05 --misrating-risk 55,62
"""


def _add_design(g) -> None:
    g.add_argument("--population", "-N", action="append", metavar="N",
                   type=number_list(int, "--population", thousands=True),
                   help="eligible population size; repeat or comma-separate for one row "
                        "each (omit for an infinite population)")
    g.add_argument("--confidence", type=fraction("--confidence", "0.8"), default=None, metavar="LEVEL",
                   help="two-sided confidence level, a fraction in (0, 1): 0.8 = 80%% (default: the "
                        "inspection's, else 0.8)")
    g.add_argument("--margin", type=fraction("--margin", "0.05"), default=None, metavar="E",
                   help="margin of error as a fraction in (0, 1): 0.05 = five "
                        "percentage points (default: the inspection's, else 0.05)")
    g.add_argument("--p", type=fraction("--p", "0.5", closed=True, zero=True), default=0.5, metavar="P",
                   help="planning proportion, a fraction in [0, 1] (default 0.5, the worst case)")
    g.add_argument("--subsample-share", type=fraction("--subsample-share", "0.6", closed=True), metavar="R",
                   help="share (0, 1] of cases a key question applies to: its expected "
                        "sub-sample, margin and the n needed")


def _add_questions(g) -> None:
    g.add_argument("--from-sample", action="append", metavar="n",
                   type=number_list(int, "--from-sample"),
                   help="a published sample size: print the population range that "
                        "implies it (repeatable, comma list)")
    g.add_argument("--misrating-risk", action="append", metavar="PCT",
                   type=percent_list("--misrating-risk"),
                   help="true percentage(s) yes, 0-100 (55 = 55%%): probability the published "
                        "band is wrong, at the planned n (or --n) for each population")
    g.add_argument("--n", type=int, metavar="n",
                   help="sample size to use for --subsample-share and --misrating-risk "
                        "instead of the planned one")
    g.add_argument("--detect-change", type=float, default=None, metavar="PTS",
                   help="a change in %% yes, in percentage points (15 = fifteen points): cases "
                        "needed in each of two independent inspections to detect it")
    g.add_argument("--power", type=fraction("--power", "0.8"), default=0.8, metavar="POWER",
                   help="with --detect-change: probability of detecting the change, a fraction "
                        "in (0, 1) (default 0.8)")
    g.add_argument("--one-sided", action="store_true",
                   help="with --detect-change: a change in a stated direction (one-sided test)")


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = groups(p, "input", "design", "method",
               **{"further questions": "what else plan answers: implied populations, misrating risk, "
                                        "change detection"}, output="what is printed")
    add_inspection(g["input"])
    g["input"].add_argument("--example", action="store_true",
                            help="the seed inspection's samples (seeds/inspection.toml): implied "
                                 "population ranges and margins")
    _add_design(g["design"])
    g["method"].add_argument("--method", choices=PLAN_METHODS, default="cochran",
                             help="cochran (normal approximation with finite population "
                                  "correction, default) or exact (hypergeometric/Clopper-Pearson)")
    _add_questions(g["further questions"])
    g["output"].add_argument("--json", action="store_true", help="machine-readable JSON output")


def _plan_populations(args: argparse.Namespace) -> list:
    return [N for group in (args.population or []) for N in group]



def _plan_text_column(values: Sequence[Any], header: str, missing: str) -> pd.Series:
    """Integers (or `missing` for <NA>) as right-aligned text, for format_table."""
    import pandas as pd
    cells = [missing if pd.isna(v) else str(int(v)) for v in values]
    width = max([len(header)] + [len(c) for c in cells])
    return pd.Series([c.rjust(width) for c in cells], dtype=object)



def _plan_display(frame: pd.DataFrame, column: str = "population",
                  missing: str = "infinite") -> pd.DataFrame:
    """Copy with an Int64 population column shown as text (`missing` for <NA>)."""
    out = frame.copy()
    if column in out:
        out[column] = _plan_text_column(out[column].tolist(), column, missing).set_axis(out.index)
    return out



def _plan_check_margin(value: float) -> float:
    if not 0 < value < 1:
        raise ArgumentError("--margin", value,
                            "must be a fraction in (0, 1), e.g. 0.05 for five percentage points")
    return value



def _plan_example(method: str) -> tuple[pd.DataFrame, dict]:
    from ..examples._examples import seed_tables

    seed = seed_tables()
    meth = seed.inspection["methodology"]
    cl, e = float(meth["confidence_level"]), float(meth["margin"])
    frame = _plan_implied(seed.samples["n"].astype(int).tolist(), confidence_level=cl,
                          margin=e, p=0.5, method=method)
    frame.insert(0, "sample", seed.samples["sample"].tolist())
    info = {"inspection": seed.inspection["inspection"]["provider"],
            "confidence_level": cl, "margin": e, "method": method}
    return frame, info



def _plan_implied(ns: list[int], *, confidence_level: float, margin: float, p: float,
                  method: str) -> pd.DataFrame:
    """n, the population range implying it, and the margin (points) at its ends; the end
    'high' of an unbounded range is an infinite population. Messages in .attrs['notes']."""
    import pandas as pd
    from ..plan._plan import achieved_margin, implied_population

    def points(n, N):
        return 100 * achieved_margin(n, N, confidence_level=confidence_level, p=p, method=method)

    recs, notes = [], []
    for n in ns:
        r = implied_population(n, confidence_level=confidence_level, margin=margin, p=p,
                               method=method)
        recs.append({"n": n, "population_low": r.low, "population_high": r.high,
                     "margin_at_low": math.nan if r.empty else points(n, r.low),
                     "margin_at_high": math.nan if r.empty else points(n, r.high)})
        if r.empty or r.unbounded:
            notes.append(r.message)
    frame = pd.DataFrame(recs, columns=["n", "population_low", "population_high",
                                        "margin_at_low", "margin_at_high"])
    for col in ("population_low", "population_high"):
        frame[col] = pd.array(frame[col].tolist(), dtype="Int64")
    frame.attrs["notes"] = notes
    return frame



def _plan_implied_display(frame: pd.DataFrame) -> pd.DataFrame:
    shown = _plan_display(_plan_display(frame, "population_low", "none"),
                          "population_high", "infinite")
    empty = frame["population_low"].isna().to_numpy()
    if empty.any():
        width = len(shown["population_high"].iloc[0])
        shown.loc[empty, "population_high"] = "none".rjust(width)
    return shown



def _subsample_section(args: argparse.Namespace, rows: list, kw: dict) -> tuple[pd.DataFrame, list[str]]:
    import pandas as pd
    from ..plan._plan import subsample_plan

    subs = pd.concat([subsample_plan(args.n, N, share=args.subsample_share, **kw).to_frame()
                      for N in rows], ignore_index=True)
    return subs, ["", f"Sub-sample: key questions asked of a share {args.subsample_share:g} of cases",
                  text_table(_plan_display(subs), floatfmt="{:.2f}"),
                  "subsample_margin in points, FPC on share·N; n_needed = ⌈subsample_needed/share⌉ "
                  "(the expected sub-sample meets the margin)"]


def _risk_section(args: argparse.Namespace, rows: list, planned: list, risks: list) -> tuple[pd.DataFrame, list[str]]:
    import pandas as pd
    from ..plan._plan import band_probabilities

    parts = []
    for N, n_planned in zip(rows, planned):
        n = args.n if args.n is not None else n_planned
        frame = band_probabilities(risks, n, N)
        frame.insert(0, "n", n)
        frame.insert(0, "population", pd.Series([N] * len(frame), index=frame.index, dtype="Int64"))
        parts.append(frame)
    risk = pd.concat(parts, ignore_index=True)
    return risk, ["", "Misrating risk: probability of each published band (whole-number %, half up; "
                  "bands <50, 50-64, 65-79, 80+)",
                  text_table(_plan_display(risk), floatfmt="{:.3f}"),
                  "exact hypergeometric (finite N, M = round(true%·N)) or binomial (infinite) sums"]


def _implied_section(args: argparse.Namespace, from_samples: list, kw: dict) -> tuple[pd.DataFrame, list[str]]:
    implied = _plan_implied(from_samples, method=args.method, **kw)
    notes = implied.attrs.pop("notes")
    return implied, ["", "Implied population: the N for which the sample size formula gives n",
                     text_table(_plan_implied_display(implied), floatfmt="{:.2f}"), *notes,
                     "margin_at_low/high: the margin (points) n achieves at the ends of the range"]


def _example_section(args: argparse.Namespace, first: bool) -> tuple[dict, list[str]]:
    from ..plan._plan import plan_table

    frame, info = _plan_example(args.method)
    frame.attrs.pop("notes", None)
    text = [] if first else [""]
    text += [f"Seed inspection: {info['inspection']}, {info['confidence_level']:.0%} confidence, "
             f"±{100 * info['margin']:g} points ({args.method})",
             text_table(_plan_implied_display(frame), floatfmt="{:.2f}"),
             "Each published n is the sample size for any eligible population N in "
             "population_low…population_high; margins in points at the ends of that range.",
             plan_table([None], method=args.method, confidence_level=info["confidence_level"],
                        margin=info["margin"]).formula]
    return {**info, "samples": frame}, text


def _inspection_section(inspection: Any, kw: dict, method: str) -> tuple[pd.DataFrame, list[str]]:
    """Each of the inspection's samples: its eligible population N (when known) and the n
    the plan gives; a sample without N says how to give it."""
    import pandas as pd
    from ..plan._plan import plan_table

    rows, notes = [], []
    for s in inspection.samples:
        plan = plan_table([s.population], method=method, **kw).to_frame().iloc[0]
        rows.append({"sample": s.name, "label": s.label, "population": s.population,
                     "n": int(plan["n"]) if s.population is not None else None,
                     "achieved_margin": plan["achieved_margin"] if s.population is not None else math.nan})
        if s.population is None:
            notes.append(f"{s.name}: eligible population not known yet - set population in "
                         f"[samples.{s.name}] of inspection.toml (or give --population N)")
    frame = pd.DataFrame(rows, columns=["sample", "label", "population", "n", "achieved_margin"])
    frame["population"] = pd.array(frame["population"].tolist(), dtype="Int64")
    frame["n"] = pd.array(frame["n"].tolist(), dtype="Int64")
    shown = _plan_display(_plan_display(frame, "population", "unknown"), "n", "-")
    return frame, [f"Inspection of {inspection.provider}: {kw['confidence_level']:.0%} confidence, "
                   f"±{100 * kw['margin']:g} points, p = {kw['p']:g} ({method})",
                   text_table(shown, floatfmt="{:.2f}"), *notes]


def _change_section(args: argparse.Namespace, rows: list, kw: dict) -> tuple[pd.DataFrame, list[str]]:
    import pandas as pd
    from ..plan._change import change_sample_size

    pts = args.detect_change
    if not 0 < pts < 100:
        raise ArgumentError("--detect-change", pts, "must be percentage points between 0 and 100 "
                            "(15 = fifteen points)")
    plans = [change_sample_size(pts / 100, N, confidence_level=kw["confidence_level"],
                                power=args.power, p=kw["p"], sides=1 if args.one_sided else 2)
             for N in rows]
    frame = pd.concat([c.to_frame() for c in plans], ignore_index=True)
    side = "one-sided" if args.one_sided else "two-sided"
    return frame, ["", f"Change detection: cases in each of two independent inspections to detect "
                   f"a change of {pts:g} points at {kw['confidence_level']:.0%} confidence ({side}) "
                   f"with {args.power:.0%} power",
                   text_table(_plan_display(frame), floatfmt="{:.2f}"), plans[0].formula.rsplit(";", 1)[0]]


def _settings(args: argparse.Namespace, inspection: Any) -> dict:
    """Confidence and margin: the flags when given, else the inspection's, else 80% and ±5."""
    confidence = args.confidence if args.confidence is not None else (
        inspection.confidence_level if inspection is not None else 0.8)
    margin = args.margin if args.margin is not None else (inspection.margin if inspection is not None else 0.05)
    return dict(confidence_level=confidence, margin=_plan_check_margin(margin), p=args.p)


def run(args: argparse.Namespace) -> int:
    """Run ``sampling plan`` with parsed ``args``; print tables (or JSON) and return 0."""
    from ..plan._plan import plan_table

    inspection = None if args.example else inspection_of(args)
    kw = _settings(args, inspection)
    pops = _plan_populations(args)
    from_samples = [n for group in (args.from_sample or []) for n in group]
    risks = [v for group in (args.misrating_risk or []) for v in group]
    rows = pops or [None]
    out: dict[str, Any] = {"settings": {**kw, "method": args.method}}
    text: list[str] = []
    plan = plan_table(rows, method=args.method, **kw)  # validates every population first
    if inspection is not None and not pops:
        out["inspection"], more = _inspection_section(inspection, kw, args.method)
        text += more
    elif (bool(pops) or not (from_samples or args.example)) and args.detect_change is None:
        out["plan"], out["formula"] = plan.to_frame(), plan.formula
        text += [plan._title(), text_table(_plan_display(plan.to_frame()), floatfmt="{:.2f}"), plan.formula]
    if args.subsample_share is not None:
        out["subsample"], more = _subsample_section(args, rows, kw)
        text += more
    if args.detect_change is not None:
        out["detect_change"], more = _change_section(args, rows, kw)
        text += more
    if risks:
        out["misrating_risk"], more = _risk_section(args, rows, plan.table["n"].tolist(), risks)
        text += more
    if from_samples:
        out["implied_population"], more = _implied_section(args, from_samples, kw)
        text += more
    if args.example:
        out["example"], more = _example_section(args, first=not text)
        text += more
    while text and text[0] == "":
        text.pop(0)
    print(to_json(out) if args.json else "\n".join(text))
    return 0
