"""The ``sampling`` command: a thin shell over the Python API.

    sampling plan     sample sizes, achieved margins, implied populations
    sampling draw     a stratified random sample from an eligible-population frame
    sampling analyse  key-question intervals, ratings and uncertainty flags
    sampling report   every chart and table for a publication

Each subcommand parses its options, calls the public API and prints a table (or JSON with
``--json``). Bad input prints one line ``sampling <command>: error: …`` and exits with
status 2; nothing is written.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any, Callable, Sequence

import pandas as pd

from .errors import ArgumentError, SamplingError

__all__ = ["main", "build_parser"]


# Each stage's section appends (name, help, add) where add(parser) adds the subcommand's
# options and sets its `run` default: parser.set_defaults(run=callable(args) -> int).
_COMMANDS: list[tuple[str, str, Callable[[argparse.ArgumentParser], None]]] = []


# --------------------------------------------------------------------------- helpers
def format_table(frame: pd.DataFrame, *, floatfmt: str = "{:.1f}") -> str:
    """A small aligned plain-text table (numbers right-aligned), for terminal output."""
    def cell(v: Any) -> str:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return ""
        if isinstance(v, bool):
            return "yes" if v else ""
        if isinstance(v, float):
            return floatfmt.format(v)
        return str(v)

    cols = [str(c) for c in frame.columns]
    rows = [[cell(v) for v in rec] for rec in frame.itertuples(index=False, name=None)]
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
               for c in frame.columns]
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(cols)]
    def line(values):
        return "  ".join(v.rjust(w) if num else v.ljust(w)
                         for v, w, num in zip(values, widths, numeric)).rstrip()
    out = [line(cols), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    return "\n".join(out)


def to_json(obj: Any) -> str:
    """JSON text for DataFrames, dicts and numpy scalars (NaN becomes null)."""
    def default(o):
        if isinstance(o, pd.DataFrame):
            return json.loads(o.to_json(orient="records"))
        if hasattr(o, "item"):
            return o.item()
        if hasattr(o, "isoformat"):
            return o.isoformat()
        return str(o)
    def clean(o):
        if isinstance(o, float) and math.isnan(o):
            return None
        if isinstance(o, dict):
            return {k: clean(v) for k, v in o.items()}
        if isinstance(o, (list, tuple)):
            return [clean(v) for v in o]
        return o
    return json.dumps(clean(json.loads(json.dumps(obj, default=default))), indent=2, ensure_ascii=False)


def number_list(kind: Callable[[str], Any], name: str) -> Callable[[str], list]:
    """argparse type: '668' or '668,79,56' -> list, with our own error naming the option."""
    def parse(text: str) -> list:
        out = []
        for part in str(text).split(","):
            part = part.strip()
            if not part:
                continue
            try:
                out.append(kind(part))
            except ValueError:
                raise argparse.ArgumentTypeError(f"{name} expects numbers, got {part!r}") from None
        return out
    return parse


# --------------------------------------------------------------------------- plan
# (section owned by the planning stage)
def _plan_populations(args: argparse.Namespace) -> list:
    return [N for group in (args.population or []) for N in group]


def _plan_text_column(values: Sequence[Any], header: str, missing: str) -> pd.Series:
    """Integers (or `missing` for <NA>) as right-aligned text, for format_table."""
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
    from .examples import seed_tables

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
    from ._plan import achieved_margin, implied_population

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


def _plan_run(args: argparse.Namespace) -> int:
    from ._plan import band_probabilities, plan_table, subsample_plan

    margin = _plan_check_margin(args.margin)
    kw = dict(confidence_level=args.confidence, margin=margin, p=args.p)
    pops = _plan_populations(args)
    from_samples = [n for group in (args.from_sample or []) for n in group]
    risks = [v for group in (args.misrating_risk or []) for v in group]
    show_plan = bool(pops) or not (from_samples or args.example)
    rows = pops or [None]
    out: dict[str, Any] = {"settings": {**kw, "method": args.method}}
    text: list[str] = []

    plan = plan_table(rows, method=args.method, **kw)  # validates every population first
    if show_plan:
        out["plan"] = plan.to_frame()
        out["formula"] = plan.formula
        text += [plan._title(), format_table(_plan_display(plan.to_frame()), floatfmt="{:.2f}"),
                 plan.formula]

    if args.subsample_share is not None:
        subs = pd.concat([subsample_plan(args.n, N, share=args.subsample_share, **kw).to_frame()
                          for N in rows], ignore_index=True)
        out["subsample"] = subs
        text += ["", f"Sub-sample: key questions asked of a share {args.subsample_share:g} of cases",
                 format_table(_plan_display(subs), floatfmt="{:.2f}"),
                 "subsample_margin in points, FPC on share·N; n_needed = ⌈subsample_needed/share⌉ "
                 "(the expected sub-sample meets the margin)"]

    if risks:
        parts = []
        for N, planned in zip(rows, plan.table["n"].tolist()):
            n = args.n if args.n is not None else planned
            frame = band_probabilities(risks, n, N)
            frame.insert(0, "n", n)
            frame.insert(0, "population", pd.array([N] * len(frame), dtype="Int64"))
            parts.append(frame)
        risk = pd.concat(parts, ignore_index=True)
        out["misrating_risk"] = risk
        text += ["", "Misrating risk: probability of each published band (whole-number %, half up; "
                 "bands <50, 50-64, 65-79, 80+)",
                 format_table(_plan_display(risk), floatfmt="{:.3f}"),
                 "exact hypergeometric (finite N, M = round(true%·N)) or binomial (infinite) sums"]

    if from_samples:
        implied = _plan_implied(from_samples, method=args.method, **kw)
        notes = implied.attrs.pop("notes")
        out["implied_population"] = implied
        text += ["", "Implied population: the N for which the sample size formula gives n",
                 format_table(_plan_implied_display(implied), floatfmt="{:.2f}"), *notes,
                 "margin_at_low/high: the margin (points) n achieves at the ends of the range"]

    if args.example:
        frame, info = _plan_example(args.method)
        frame.attrs.pop("notes", None)
        out["example"] = {**info, "samples": frame}
        shown = _plan_implied_display(frame)
        text += ["" if text else None,
                 f"Seed inspection: {info['inspection']}, {info['confidence_level']:.0%} confidence, "
                 f"±{100 * info['margin']:g} points ({args.method})",
                 format_table(shown, floatfmt="{:.2f}"),
                 "Each published n is the sample size for any eligible population N in "
                 "population_low…population_high; margins in points at the ends of that range.",
                 plan_table([None], method=args.method, confidence_level=info["confidence_level"],
                            margin=info["margin"]).formula]
        text = [t for t in text if t is not None]

    while text and text[0] == "":
        text.pop(0)
    if args.json:
        print(to_json(out))
    else:
        print("\n".join(text))
    return 0


def _plan_add(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--population", "-N", action="append", metavar="N",
                        type=number_list(int, "--population"),
                        help="eligible population size; repeat or comma-separate for one row "
                             "each (omit for an infinite population)")
    parser.add_argument("--confidence", type=float, default=0.8, metavar="LEVEL",
                        help="two-sided confidence level in (0, 1) (default 0.8)")
    parser.add_argument("--margin", type=float, default=0.05, metavar="E",
                        help="margin of error as a fraction in (0, 1): 0.05 = five "
                             "percentage points (default 0.05)")
    parser.add_argument("--p", type=float, default=0.5, metavar="P",
                        help="planning proportion in [0, 1] (default 0.5, the worst case)")
    parser.add_argument("--method", choices=("cochran", "exact"), default="cochran",
                        help="cochran (normal approximation with finite population "
                             "correction, default) or exact (hypergeometric/Clopper-Pearson)")
    parser.add_argument("--subsample-share", type=float, metavar="R",
                        help="share (0, 1] of cases a key question applies to: its expected "
                             "sub-sample, margin and the n needed")
    parser.add_argument("--from-sample", action="append", metavar="n",
                        type=number_list(int, "--from-sample"),
                        help="a published sample size: print the population range that "
                             "implies it (repeatable, comma list)")
    parser.add_argument("--misrating-risk", action="append", metavar="PCT",
                        type=number_list(float, "--misrating-risk"),
                        help="true percentage(s) yes: probability the published band is wrong, "
                             "at the planned n (or --n) for each population")
    parser.add_argument("--n", type=int, metavar="n",
                        help="sample size to use for --subsample-share and --misrating-risk "
                             "instead of the planned one")
    parser.add_argument("--example", action="store_true",
                        help="the seed inspection's samples (seeds/inspection.toml): implied "
                             "population ranges and margins")
    parser.add_argument("--json", action="store_true", help="machine-readable JSON output")
    parser.set_defaults(run=_plan_run)


_COMMANDS.append(("plan", "Sample sizes, achieved margins, implied populations and "
                          "misrating risk.", _plan_add))


# --------------------------------------------------------------------------- draw
# (section owned by the drawing stage)
def _draw_n(text: str) -> int | str:
    text = str(text).strip().lower()
    if text == "auto":
        return "auto"
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--n expects a whole number or 'auto', got {text!r}") from None


def _draw_reserves(text: str) -> int | float:
    try:
        return float(text) if any(ch in text for ch in ".eE") else int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--reserves expects a count per cell (e.g. 3) or a fraction of n_h (e.g. 0.5), got {text!r}") from None


def _draw_mapping(entries: Sequence[str] | None) -> dict | None:
    """'gender:X=female' entries -> {"gender": {"X": "female"}}."""
    if not entries:
        return None
    out: dict[str, dict[str, str]] = {}
    for entry in entries:
        column, sep, rest = entry.partition(":")
        spelling, eq, category = rest.partition("=")
        if not (sep and eq and column.strip() and spelling.strip() and category.strip()):
            raise ArgumentError("--map", entry, "must look like COLUMN:SPELLING=CATEGORY, e.g. gender:X=female")
        out.setdefault(column.strip(), {})[spelling.strip()] = category.strip()
    return out


def _draw_run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ._draw import draw_sample
    from .errors import OutputError
    from ._frame import load_frame

    out_path = Path(args.out) if args.out else None
    if out_path is not None:  # check the destination before any work; nothing is written on error
        if out_path.suffix.lower() not in (".xlsx", ".csv"):
            raise OutputError(f"--out {str(out_path)!r}: must end in .xlsx or .csv")
        folder = out_path.parent if str(out_path.parent) else Path(".")
        if not folder.is_dir():
            raise OutputError(f"--out {str(out_path)!r}: folder {str(folder)!r} does not exist")
        if out_path.is_dir():
            raise OutputError(f"--out {str(out_path)!r} is a folder")
    sources = sum(x is not None and x is not False for x in (args.frame, args.synthetic)) + bool(args.example)
    if sources != 1:
        raise ArgumentError("FRAME", args.frame,
                            "give exactly one of: a frame file (.csv/.xlsx), --example, --synthetic SIZE")
    filters: dict[str, Any] = {}
    if args.months_since_start is not None:
        if len(args.months_since_start) != 2:
            raise ArgumentError("--months-since-start", args.months_since_start, "must be two numbers LOW,HIGH")
        filters["months_since_start"] = tuple(args.months_since_start)
        filters["as_of"] = args.as_of
    if args.frame is not None:
        source: Any = args.frame
    else:
        from .examples import seed_tables, synthetic_frame

        # --example: a synthetic caseload the size of the seed provider's (seeds/inspection.toml)
        size = seed_tables().inspection["inspection"]["caseload"] if args.example else args.synthetic
        source = synthetic_frame(size, rng=0 if args.synthetic_seed is None else args.synthetic_seed)
        if args.example and not filters:  # the report's rule: supervised six to seven months
            filters = {"months_since_start": (6.0, 7.0), "as_of": "2019-02-01"}
    frame = load_frame(source, mapping=_draw_mapping(args.map), **filters)
    if args.frame is None:
        import dataclasses

        frame = dataclasses.replace(frame, source=f"a synthetic KSS CRC caseload of {len(source):,}")
    n = args.n
    n_note = ""
    if n == "auto":
        from ._plan import sample_size

        n = int(sample_size(len(frame)))
        n_note = f" (--n auto: Cochran at 80% confidence, ±5 points, N={len(frame):,})"
    sample = draw_sample(frame, n, strata=args.strata, rng=args.seed, reserves=args.reserves)
    written = []
    if out_path is not None:
        if out_path.suffix.lower() == ".xlsx":
            written = [sample.to_excel(out_path)]
        else:
            written = sample.to_csv(out_path)
    if args.json:
        print(to_json({"n": sample.n, "allocation": sample.allocation, "marginals": sample.marginals,
                       "balance": sample.balance, "notes": list(sample.notes),
                       "manifest": sample.manifest, "written": [str(p) for p in written]}))
        return 0
    print(f"Frame: {len(frame):,} eligible cases from {frame.source}"
          + (f" ({len(frame.excluded):,} excluded by eligibility filters)" if len(frame.excluded) else ""))
    print(f"Sample: n={sample.n}{n_note}, seed {args.seed if args.seed is not None else '(none: not reproducible from a seed)'}")
    print()
    table = sample.allocation.drop(columns=[c for c in sample.manifest["strata"]] + ["reserves_wanted"])
    print(format_table(table, floatfmt="{:.2f}"))
    print()
    print(format_table(sample.balance.assign(p_value=sample.balance["p_value"].map(lambda v: f"{v:.3f}")),
                       floatfmt="{:.1f}"))
    for note in sample.notes:
        print(f"note: {note}")
    for path in written:
        print(f"wrote {path}")
    if not written:
        print("(no --out given: nothing written)")
    return 0


def _draw_add(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("frame", nargs="?", metavar="FRAME",
                        help="eligible-population frame, .csv or .xlsx, one row per case "
                             "(case_id, gender, disposal, rosh, …)")
    parser.add_argument("--n", type=_draw_n, default="auto",
                        help="sample size, or 'auto' for sampling.plan.sample_size(N) (default auto)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (record it to reproduce the draw)")
    parser.add_argument("--strata", type=lambda t: [s.strip() for s in t.split(",") if s.strip()],
                        default=["gender", "disposal", "rosh"],
                        help="comma-separated stratification variables (default gender,disposal,rosh)")
    parser.add_argument("--reserves", type=_draw_reserves, default=None,
                        help="reserves per cell: a count (3) or a fraction of n_h (0.5); default max(2, ceil(n_h/2))")
    parser.add_argument("--out", default=None, help="write the sample to .xlsx (all tables) or .csv (cases + reserves)")
    parser.add_argument("--map", action="append", metavar="COLUMN:SPELLING=CATEGORY",
                        help="extra spelling, e.g. gender:X=female (repeatable)")
    parser.add_argument("--months-since-start", type=number_list(float, "--months-since-start"),
                        default=None, metavar="LOW,HIGH",
                        help="eligibility: supervision began LOW to HIGH months before --as-of (e.g. 6,7)")
    parser.add_argument("--as-of", default=None, help="reference date for --months-since-start (default today)")
    parser.add_argument("--example", action="store_true",
                        help="draw from a synthetic 8,600-case KSS CRC caseload, keeping the cases "
                             "supervised 6-7 months on 2019-02-01 as the report did (no data needed)")
    parser.add_argument("--synthetic", type=int, default=None, metavar="SIZE",
                        help="draw from a synthetic frame of SIZE cases")
    parser.add_argument("--synthetic-seed", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.set_defaults(run=_draw_run)


_COMMANDS.append(("draw", "a stratified random sample from an eligible-population frame", _draw_add))



# --------------------------------------------------------------------------- analyse
# (section owned by the analysis stage)
_ANALYSE_LEGEND = (
    "Legend: ? after n = sub-sample size not published (the interval assumes the largest n "
    "consistent with the %; the true interval is wider). 'edge inside' = a band edge (%) lies "
    "inside the key question's interval, so the sample cannot tell which side of it the provider "
    "is on. FLAG on a standard = that happens to the key question driving its rating, or the "
    "most likely rating has a probability below the threshold (or is not the rule rating). "
    "P(...) = share of bootstrap replicates giving that rating."
)


def _parse_population(text: str):
    """--population: a whole number, 'implied', or sample=N,sample=N."""
    text = str(text).strip()
    if text == "implied":
        return "implied"
    if "=" not in text:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"--population expects N, 'implied' or sample=N,…, got {text!r}") from None
        if not value.is_integer():
            raise argparse.ArgumentTypeError(f"--population expects a whole number, got {text!r}")
        return int(value)
    out = {}
    for part in text.split(","):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        try:
            number = float(value)
            if not sep or not name.strip() or not number.is_integer():
                raise ValueError
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"--population expects sample=N pairs, got {part.strip()!r}") from None
        out[name.strip()] = int(number)
    return out


def _parse_assignment(option: str):
    """--judgement/--published 'ID=Label'; --override 'ID=Label: reason'."""
    def parse(text: str):
        sid, sep, rest = str(text).partition("=")
        if not sep or not sid.strip() or not rest.strip():
            raise argparse.ArgumentTypeError(f"{option} expects STANDARD=RATING, got {text!r}")
        return sid.strip(), rest.strip()
    return parse


def _add_analysis_options(p: argparse.ArgumentParser, *, seed_default: int | None) -> None:
    """RESULTS and the analysis options shared by ``sampling analyse`` and ``sampling report``."""
    p.add_argument("results", nargs="?", metavar="RESULTS",
                   help="case-level or aggregate results (CSV/XLSX); default: the built-in seed inspection")
    p.add_argument("--framework", metavar="F", default=None,
                   help="framework (TOML file or folder with standards.csv and key_questions.csv); "
                        "default: the seed framework")
    p.add_argument("--rules", metavar="R", default=None,
                   help="rating rules: hmip-adult, hmip-youth or a TOML file (default: the framework's)")
    p.add_argument("--population", metavar="N", type=_parse_population, default=None,
                   help="eligible population: N for every sample, sample=N,… per sample, or 'implied' "
                        "(seed only: the largest N giving the published sample sizes)")
    p.add_argument("--strata", type=lambda t: [c.strip() for c in t.split(",") if c.strip()],
                   default=None, metavar="COLS",
                   help="case-level RESULTS: the design's stratum columns, e.g. gender,disposal,rosh "
                        "(the bootstrap resamples within strata)")
    p.add_argument("--method", default="wilson", metavar="M",
                   help="interval method: wilson (default), clopper-pearson, jeffreys, agresti-coull, "
                        "bootstrap-percentile, bootstrap-bca")
    p.add_argument("--confidence", type=float, default=0.8, metavar="C",
                   help="two-sided confidence level (default 0.8)")
    p.add_argument("--resamples", type=int, default=10_000, metavar="B",
                   help="bootstrap replicates for the rating probabilities (default 10000)")
    p.add_argument("--seed", type=int, default=seed_default, metavar="S",
                   help="random seed, for reproducible output"
                        + (f" (default {seed_default})" if seed_default is not None else ""))
    p.add_argument("--threshold", type=float, default=0.9, metavar="T",
                   help="flag a rating whose most likely band has probability below T (default 0.9)")
    p.add_argument("--blank-means-na", action="store_true",
                   help="treat blank answer cells as 'not applicable' (otherwise they are an error)")
    p.add_argument("--judgement", action="append", type=_parse_assignment("--judgement"), metavar="ID=RATING",
                   help="rating of a judgement-rated standard, e.g. 1.1=Good (repeat)")
    p.add_argument("--published", action="append", type=_parse_assignment("--published"), metavar="ID=RATING",
                   help="published rating of a standard, for comparison (repeat)")
    p.add_argument("--override", action="append", type=_parse_assignment("--override"),
                   metavar="'ID=RATING: reason'", help="recorded professional-discretion override (repeat)")
    p.add_argument("--partial", action="store_true",
                   help="allow standards without data (left out; no overall rating)")


def _assess(args: argparse.Namespace, say: Callable[[str], None] = lambda msg: None):
    """Load the results the options name (or the seed inspection) and rate them:
    returns ``(assessment, source)``."""
    from .examples import seed_inspection
    from ._intervals import _check_method
    from ._ratings import rate

    args.method = _check_method(args.method)
    if args.results is None:
        if args.framework is not None:
            raise ArgumentError("--framework", args.framework,
                                "applies to a RESULTS file; without one the built-in seed inspection "
                                "(with its own framework) is analysed")
        say("loading the built-in seed inspection …")
        results = seed_inspection(population=args.population)
        source = "the built-in seed inspection (HMI Probation, KSS CRC 2019)"
    else:
        from ._framework import load_framework
        from ._results import load_results

        if args.population == "implied":
            raise ArgumentError("--population", "implied", "'implied' applies to the built-in seed "
                                "inspection only; give N or sample=N,…")
        say(f"loading {args.results} …")
        framework = load_framework(args.framework, rules=args.rules)
        overrides = {}
        for sid, text in args.override or []:
            label, _, reason = text.partition(":")
            overrides[sid] = (label.strip(), reason.strip())
        results = load_results(
            args.results, framework=framework, blank_means_na=args.blank_means_na,
            population=args.population, strata=args.strata or None,
            judgements=dict(args.judgement or []) or None,
            published=dict(args.published or []) or None, overrides=overrides or None,
        )
        source = str(args.results)
    say(f"rating: {args.method} {args.confidence:g} intervals, {args.resamples:,} replicates, "
        f"seed {args.seed} …")
    assessment = rate(results, rules=args.rules, method=args.method, confidence_level=args.confidence,
                      population=None if args.results is None else args.population,
                      n_resamples=args.resamples, rng=args.seed, threshold=args.threshold,
                      partial=args.partial)
    return assessment, source


def _run_analyse(args: argparse.Namespace) -> int:
    assessment, source = _assess(args)
    if args.json:
        print(to_json(assessment.to_dict()))
        return 0
    print(f"{assessment._title()}\nSource: {source}\n")
    print("Key questions")
    print(format_table(assessment.key_questions_summary()))
    print("\nStandards")
    print(format_table(assessment.standards_summary()))
    flagged = assessment.standards[assessment.standards["flagged"]]
    for rec in flagged.itertuples():
        print(f"  {rec.standard}: {rec.flag_reason}")
    for rec in assessment.standards[assessment.standards["override_rating"].notna()].itertuples():
        print(f"  {rec.standard}: recorded override {rec.rule_rating} -> {rec.override_rating}"
              + (f" ({rec.override_reason})" if rec.override_reason else ""))
    print("\nOverall")
    print(format_table(assessment.overall_summary()))
    print()
    for note in assessment.notes:
        print(note)
    print()
    import textwrap

    print(textwrap.fill(_ANALYSE_LEGEND, width=100))
    return 0


def _add_analyse(p: argparse.ArgumentParser) -> None:
    _add_analysis_options(p, seed_default=None)
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    p.set_defaults(run=_run_analyse)


_COMMANDS.append(("analyse", "key-question intervals, ratings, uncertainty flags and rating probabilities",
                  _add_analyse))


# --------------------------------------------------------------------------- report
def _run_report(args: argparse.Namespace) -> int:
    """Rate, then write every chart and table; one progress line per step on stderr and the
    path of report.md on stdout."""
    import time

    from .charts import _SAVE_FORMATS
    from .report import write_report

    t0 = time.perf_counter()

    def say(msg: str) -> None:
        if not args.quiet:
            print(f"sampling report [{time.perf_counter() - t0:4.1f}s] {msg}", file=sys.stderr, flush=True)

    formats = tuple(f.strip().lower() for f in str(args.formats).split(",") if f.strip())
    if not formats or any(f not in _SAVE_FORMATS for f in formats):
        raise ArgumentError("--formats", args.formats, "must be png, svg and/or pdf, comma-separated")
    if args.results is not None and args.out is None:
        raise ArgumentError("--out", None, "give an output folder with RESULTS (figures/ holds "
                            "the seed inspection's report)")
    out = args.out if args.out is not None else "figures"
    assessment, source = _assess(args, say)
    files = write_report(assessment, out, sample=args.sample, formats=formats, progress=say,
                         settings={"source": source, "random seed": args.seed})
    say(f"done: {len(files.files)} files in {str(files.out_dir)!r}"
        + (f"; flagged standards {', '.join(files.flagged)}" if files.flagged else "")
        + f" ({time.perf_counter() - t0:.1f} s)")
    print(str(files.markdown))
    return 0


def _add_report(p: argparse.ArgumentParser) -> None:
    _add_analysis_options(p, seed_default=2019)
    p.add_argument("--out", metavar="DIR", default=None,
                   help="output folder (default figures/ for the seed inspection; required with RESULTS)")
    p.add_argument("--sample", metavar="SAMPLE.xlsx", default=None,
                   help="the workbook written by `sampling draw` (or its folder): adds the "
                        "balance chart and sheet")
    p.add_argument("--formats", default="png,svg", metavar="F,F",
                   help="chart formats: png, svg, pdf (default png,svg)")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.set_defaults(run=_run_report)


_COMMANDS.append(("report", "every chart (PNG, SVG) and table (report.md/.csv/.xlsx) for a publication",
                  _add_report))


# --------------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="sampling",
        description="Plan, draw and analyse case-file inspection samples.",
    )
    parser.add_argument("--version", action="version", version=f"inspection-sampling {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, help_text, add in _COMMANDS:
        p = sub.add_parser(name, help=help_text, description=help_text)
        add(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status = args.run(args)
    except SamplingError as exc:
        print(f"sampling {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # pragma: no cover
        print("sampling: interrupted", file=sys.stderr)
        return 130
    return int(status or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
