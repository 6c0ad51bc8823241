"""What every ``sampling`` subcommand shares: option types (pure Python, so ``sampling
--help`` needs no numpy or pandas) and JSON output."""
from __future__ import annotations

import argparse
from typing import Any, Callable

__all__ = ["inspection_of", "number_list", "parse_n", "parse_reserves", "parse_population", "parse_assignment",
           "comma_list", "to_json"]


def to_json(obj: Any) -> str:
    """JSON text for DataFrames, dicts and numpy scalars (missing values become null)."""
    import json

    from ._format import jsonable

    return json.dumps(jsonable(obj), indent=2, ensure_ascii=False)


def inspection_of(args: argparse.Namespace):
    """The inspection a command runs in: ``--inspection DIR``, else the current folder's
    ``inspection.toml`` if there is one, else None."""
    from ._inspection import find_inspection, load_inspection

    from .errors import ArgumentError

    folder = getattr(args, "inspection", None)
    if folder is None:
        return find_inspection(".")
    try:
        return load_inspection(folder)
    except ArgumentError as exc:
        raise ArgumentError("--inspection", folder, exc.expected) from None


def comma_list(text: str) -> list[str]:
    """argparse type: 'a,b' -> ['a', 'b'] (blanks dropped)."""
    return [s.strip() for s in str(text).split(",") if s.strip()]


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



def parse_n(text: str) -> int | str:
    text = str(text).strip().lower()
    if text == "auto":
        return "auto"
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--n expects a whole number or 'auto', got {text!r}") from None



def parse_reserves(text: str) -> int | float:
    try:
        return float(text) if any(ch in text for ch in ".eE") else int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--reserves expects a count per cell (e.g. 3) or a fraction of n_h (e.g. 0.5), got {text!r}") from None



def parse_population(text: str):
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



def parse_assignment(option: str):
    """--judgement/--published 'ID=Label'; --override 'ID=Label: reason'."""
    def parse(text: str):
        sid, sep, rest = str(text).partition("=")
        if not sep or not sid.strip() or not rest.strip():
            raise argparse.ArgumentTypeError(f"{option} expects STANDARD=RATING, got {text!r}")
        return sid.strip(), rest.strip()
    return parse

