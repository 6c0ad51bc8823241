"""``sampling pool A=N B=N C=N …``: several providers' results pooled into the national picture —
the national % per key question with its interval, each provider against the pool, and with
``--out DIR`` the tables as CSV and a funnel plot per key question."""
from __future__ import annotations

import argparse
import re
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING


from ._common import comma_list, interval_text, text_table, to_json
from ._options import add_source_options
from .._utils._progress import Progress

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["EXAMPLES", "add_arguments", "run", "write_pool", "national_summary", "providers_summary", "numbered_notes"]

EXAMPLES = """\
Example:
  sampling pool northshire.xlsx southshire.xlsx westshire.xlsx --out national
  (each provider's filled draw workbook, which carries its N; a results file is given as FILE=N)
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = add_source_options(p)
    g["method"].add_argument("--confidence", type=float, default=0.8, metavar="C",
                             help="two-sided confidence level of the national and difference intervals, a "
                                  "fraction in (0, 1): 0.8 = 80%% (default 0.8)")
    g["input"].add_argument("--key-question", action="append", type=comma_list, metavar="ID",
                            help="only these key questions (repeat, or comma-separated; default: all)")
    g["output"].add_argument("--out", metavar="DIR", default=None,
                             help="also write pool.csv, providers.csv and a funnel plot per key question "
                                  "(PNG, SVG)")
    g["output"].add_argument("--label", action="append", metavar="TEXT", default=None,
                             help="the name of a provider in tables and charts: give it once per RESULTS, in "
                                  "order (default: each provider's name, then its file name)")
    g["output"].add_argument("--json", action="store_true", help="print JSON instead of tables")


_LEGEND = (
    "National % = Σ W_i p_i, each provider weighted by its eligible population (W_i = N_i/ΣN); "
    "interval: stratified variance without replacement (Cochran 1977 §5.3), Wilson at the "
    "effective sample size (Korn & Graubard 1998). difference = provider % − national % in "
    "points, with its interval (P contains the provider's own %). funnel = where the provider's "
    "% sits against the funnel plot's control limits at its n (binomial quantiles around the "
    "national %, Spiegelhalter 2005): outside the 95% limits is unusual for a provider at the "
    "national level; outside the 80% limits happens to 1 provider in 5 by chance alone."
)


def _interval(low: pd.Series, high: pd.Series, signed: bool = False) -> list[str]:
    return [interval_text(a, b, signed=signed) for a, b in zip(low, high)]


def numbered_notes(notes) -> tuple[list[str], list[str]]:
    """Each row's note as a short marker (``[1]``, blank for none), and the distinct notes in
    order, so that a long note is printed once under the table and not on every row."""
    distinct = list(dict.fromkeys(str(n) for n in notes if isinstance(n, str) and n))
    index = {n: i for i, n in enumerate(distinct, start=1)}
    return [f"[{index[n]}]" if isinstance(n, str) and n else "" for n in notes], distinct


def national_summary(pool) -> pd.DataFrame:
    """The national table as printed: key question, providers, cases, national %, interval,
    and a note marker (the notes themselves: :func:`numbered_notes`)."""
    import pandas as pd
    t = pool.national
    markers, _ = numbered_notes(t["note"])
    return pd.DataFrame({"key question": t["key_question"], "providers": t["providers"], "cases": t["cases"],
                         "N": t["population"], "national %": t["percent"],
                         f"{pool.confidence_level:.0%} interval": _interval(t["low"], t["high"]),
                         "note": markers})


def providers_summary(pool) -> pd.DataFrame:
    """The provider-against-pool table as printed."""
    import pandas as pd
    t = pool.providers
    return pd.DataFrame({"key question": t["key_question"], "provider": t["provider"], "n": t["n"].astype(int),
                         "N": t["population"].round().astype(int), "weight %": 100 * t["weight"],
                         "%": t["percent"], "difference": t["difference"],
                         f"{pool.confidence_level:.0%} interval": _interval(t["difference_low"],
                                                                          t["difference_high"], True),
                         "funnel": t["position"]})


def _stem(key_question: str) -> str:
    return "funnel_" + re.sub(r"[^A-Za-z0-9._-]+", "_", key_question)


def write_pool(pool, out: str | Path) -> list[Path]:
    """Write ``pool.csv`` (national), ``providers.csv`` and ``funnel_<key question>.png/.svg``
    into ``out`` (created if needed): all or nothing (built in a staging folder, moved in when
    every file is written); returns the paths."""
    from ..charts._pool import funnel
    from ..charts._style import save
    from .._utils._io import atomic_dir, write_csv

    names = []
    with atomic_dir(out) as staging:
        for name, frame in (("pool.csv", pool.national), ("providers.csv", pool.providers)):
            write_csv(frame, staging / name)
            names.append(name)
        for kq in pool.national["key_question"]:
            names += [p.name for p in save(funnel(pool, kq), staging / _stem(kq))]
    return [Path(out) / n for n in names]


def run(args: argparse.Namespace) -> int:
    """Run ``sampling pool``: load every source, pool, print tables or JSON, write --out."""
    from ._sources import load_sources
    from ..comparison._pool import pool

    say = Progress("sampling pool", quiet=getattr(args, "quiet", False))  # on a terminal only
    say(f"reading {len(args.sources)} sources …")
    results = load_sources(args.sources, args)
    labels = getattr(args, "label", None)
    if labels is not None:
        if len(labels) != len(results):
            from ..errors import ArgumentError

            raise ArgumentError("--label", ", ".join(labels), f"give --label once per RESULTS, in order: {len(results)} "
                                f"results, {len(labels)} label(s)")
        import dataclasses

        results = [dataclasses.replace(r, provider=label) for r, label in zip(results, labels)]
    say("pooling: each provider against the pool …")
    wanted = [k for group in (args.key_question or []) for k in group]
    pooled = pool(results, confidence_level=args.confidence, key_questions=wanted or None)
    files = write_pool(pooled, args.out) if args.out is not None else []
    if args.json:
        print(to_json({**pooled.to_dict(), "files": [str(f) for f in files]}))
        return 0
    print(f"{pooled._title()}\nProviders: {', '.join(pooled.provider_names)}\n")
    for note in pooled.notes:  # shared case ids: the pool assumes independent samples
        print(textwrap.fill(f"note: {note}", width=100, subsequent_indent="      ") + "\n")
    print("National picture")
    print(text_table(national_summary(pooled)))
    for i, note in enumerate(numbered_notes(pooled.national["note"])[1], start=1):
        print(textwrap.fill(f"[{i}] {note}", width=100, subsequent_indent="    "))
    print("\nEach provider against the pool")
    print(text_table(providers_summary(pooled)))
    print()
    print(textwrap.fill(_LEGEND, width=100))
    if files:
        print(f"\nWrote {len(files)} files to {args.out}")
    return 0
