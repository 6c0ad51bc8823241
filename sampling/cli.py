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


# --------------------------------------------------------------------------- draw
# (section owned by the drawing stage)


# --------------------------------------------------------------------------- analyse
# (section owned by the analysis stage)


# --------------------------------------------------------------------------- report
# (section owned by the report stage)


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
