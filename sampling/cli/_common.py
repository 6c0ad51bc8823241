"""What every ``sampling`` subcommand shares: option types (pure Python, so ``sampling
--help`` needs no numpy or pandas) and JSON output."""
from __future__ import annotations

import argparse
import contextlib
import os
import re
from typing import Any, Callable, Iterator

__all__ = ["inspection_of", "number_list", "percent_list", "fraction", "parse_n", "parse_reserves", "parse_population", "parse_assignment",
           "comma_list", "to_json", "text_table", "interval_text", "default_seed", "in_cli_terms"]

#: the inspection's file in its folder (``sampling.design._inspection.INSPECTION_FILE``, which
#: test_imports holds it to): looked for here first, so a folder without one loads nothing
INSPECTION_FILE = "inspection.toml"


def to_json(obj: Any) -> str:
    """JSON text for DataFrames, dicts and numpy scalars (missing values become null)."""
    import json

    from .._utils._format import jsonable

    return json.dumps(jsonable(obj), indent=2, ensure_ascii=False)


def text_table(*args: Any, **kwargs: Any) -> str:
    """The package's plain-text table, its module (and pandas) loaded only when a command prints."""
    from .._utils._format import text_table as table

    return table(*args, **kwargs)


def interval_text(*args: Any, **kwargs: Any) -> str:
    """An interval as printed in tables (``_utils._format.interval_text``), loaded when used."""
    from .._utils._format import interval_text as text

    return text(*args, **kwargs)


def default_seed() -> int:
    """The one default seed, where neither ``--seed`` nor the inspection gives one."""
    from ..design._inspection import DEFAULT_SEED

    return DEFAULT_SEED


#: the Python keywords of the fieldwork commands' errors, as the command line names them
_WORDS = {"path": "WORKBOOK", "case_id": "CASE_ID", "reason": "--reason", "frame": "FRAME", "source": "FRAME",
          "mapping": "--map", "sheet": "--sheet", "header_row": "--header-row"}


@contextlib.contextmanager
def in_cli_terms() -> Iterator[None]:
    """An argument error of ``substitute`` or ``verify`` named as their command line names it."""
    from ..errors import ArgumentError

    try:
        yield
    except ArgumentError as exc:
        raise ArgumentError(_WORDS.get(exc.argument, exc.argument), exc.value, exc.expected) from None


def inspection_of(args: argparse.Namespace):
    """The inspection a command runs in: ``--inspection DIR``, else the current folder's
    ``inspection.toml`` if there is one, else None."""
    folder = getattr(args, "inspection", None)
    if folder is None and not os.path.isfile(INSPECTION_FILE):
        return None  # what find_inspection(".") says, without loading the inspection module
    from ..design._inspection import find_inspection, load_inspection

    from ..errors import ArgumentError

    if folder is None:
        return find_inspection(".")
    try:
        return load_inspection(folder)
    except ArgumentError as exc:
        raise ArgumentError("--inspection", folder, exc.expected) from None


def comma_list(text: str) -> list[str]:
    """argparse type: 'a,b' -> ['a', 'b'] (blanks dropped)."""
    return [s.strip() for s in str(text).split(",") if s.strip()]


_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+$")


def number_list(kind: Callable[[str], Any], name: str, *, thousands: bool = False) -> Callable[[str], list]:
    """argparse type: '668' or '668,79,56' -> list, with our own error naming the option.
    With ``thousands`` (populations, where 8,600 is a natural way to write one number) a
    thousands separator is never split: '8,600' is refused with both readings' fixes."""
    def parse(text: str) -> list:
        text = str(text).strip()
        if thousands and _THOUSANDS.match(text):
            parts = text.split(",")
            raise argparse.ArgumentTypeError(
                f"{name} {text!r} is ambiguous (a thousands separator, or a list?): write "
                f"{name} {''.join(parts)} for one number, or {' '.join(f'{name} {p}' for p in parts)} for several")
        out = []
        for part in text.split(","):
            part = part.strip()
            if not part:
                continue
            try:
                out.append(kind(part))
            except (ValueError, OverflowError):
                raise argparse.ArgumentTypeError(f"{name} expects numbers, got {part!r}") from None
        return out
    return parse


def percent_list(name: str) -> Callable[[str], list]:
    """argparse type: true percentages 0-100 ('55', '55%', '55,65'). A value strictly
    between 0 and 1 is refused unless written with '%': 0.55 is far more often a fraction
    meant as 55% than a true 0.55%."""
    def parse(text: str) -> list:
        out = []
        for part in (p.strip() for p in str(text).split(",")):
            if not part:
                continue
            explicit = part.endswith("%")
            try:
                value = float(part.rstrip("%").strip())
            except ValueError:
                raise argparse.ArgumentTypeError(f"{name} expects percentages from 0 to 100, got {part!r}") from None
            if not 0 <= value <= 100:
                raise argparse.ArgumentTypeError(f"{name} expects percentages from 0 to 100, got {part!r}")
            if 0 < value < 1 and not explicit:
                raise argparse.ArgumentTypeError(
                    f"{name} takes percentages (0-100): write {name} {value * 100:g} for {value * 100:g}%, "
                    f"or {name} {part}% if you mean {part} percent")
            out.append(value)
        return out
    return parse


def fraction(flag: str, example: str, *, closed: bool = False, zero: bool = False) -> Callable[[str], float]:
    """argparse type: a fraction in (0, 1) (``closed``: up to 1 included; ``zero``: from 0
    included), with the fix spelled out for a percentage ('5%' or '5')."""
    def parse(text: str) -> float:
        t = str(text).strip()
        try:
            value = float(t.rstrip("%").strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"{flag} expects a fraction such as {example}, got {text!r}") from None
        if t.endswith("%") or value > 1 or (value == 1 and not closed):
            if 0 < value < 100:
                raise argparse.ArgumentTypeError(f"{flag} takes a fraction, not a percentage: write {flag} "
                                                 f"{value / 100:g} for {value:g}%")
            raise argparse.ArgumentTypeError(f"{flag} expects a fraction such as {example}, got {text!r}")
        if not (value >= 0 if zero else value > 0):
            raise argparse.ArgumentTypeError(f"{flag} must be more than 0 (a fraction such as {example}), got {text!r}")
        return value
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
    """--reserves: a whole count per cell (3) or a fraction of n_h in (0, 1] (0.5)."""
    t = str(text).strip()
    try:
        value = float(t)
    except ValueError:
        value = None
    if value is None or not 0 <= value <= 10 ** 6 or (value > 1 and not value.is_integer()):
        raise argparse.ArgumentTypeError(
            f"--reserves expects a whole count per cell from 0 to 1,000,000 (e.g. 3) or a fraction of "
            f"the cell's sample in (0, 1] (e.g. 0.5), got {text!r}")
    return value if any(ch in t for ch in ".eE") and value <= 1 else int(value)


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
        name, sep, given = part.partition("=")
        try:
            number = float(given)
            if not sep or not name.strip() or not number.is_integer():
                raise ValueError
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"--population expects sample=N pairs, got {part.strip()!r}") from None
        out[name.strip()] = int(number)
    return out



def parse_assignment(option: str, form: str = "STANDARD=RATING", *, whole: bool = False):
    """--judgement/--published 'ID=Label'; --override 'ID=Label: reason'; with ``whole``
    (--subgroup-population 'female=61') the right side is a whole number of at least 1."""
    def parse(text: str):
        sid, sep, rest = str(text).rpartition("=") if whole else str(text).partition("=")
        if not sep or not sid.strip() or not rest.strip():
            raise argparse.ArgumentTypeError(f"{option} expects {form}, got {text!r}")
        if whole:
            digits = rest.strip().replace("_", "")
            if not digits.isdigit() or int(digits) < 1:
                raise argparse.ArgumentTypeError(f"{option} expects {form} with N a whole number of at least "
                                                 f"1, got {text!r}")
            return sid.strip(), int(digits)
        return sid.strip(), rest.strip()
    return parse

