"""Formatting shared by every output: missing-value tests, number and text cells, plain-text
and Markdown tables, and the one JSON sanitiser.

Nothing here knows about inspections; it turns values into text.
"""
from __future__ import annotations

import datetime as _dt
import math
import re
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["is_missing", "is_true", "text", "number", "jsonable", "text_table", "markdown_table", "md_text",
           "interval_text"]


def is_missing(value: Any) -> bool:
    """True for None, NaN, ``pd.NA`` and ``NaT`` (never for a string or a container).

    >>> [is_missing(v) for v in (None, float("nan"), pd.NA, 0, "", "x")]
    [True, True, True, False, False, False]
    """
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def is_true(value: Any) -> bool:
    """Truthiness with missing values false (``pd.NA`` and NaN are not true).

    >>> is_true(True), is_true(pd.NA), is_true(float("nan")), is_true(0)
    (True, False, False, False)
    """
    return not is_missing(value) and bool(value)


def text(value: Any) -> str:
    """``str(value)``, or "" for a missing value.

    >>> text(None), text(float("nan")), text(2.5)
    ('', '', '2.5')
    """
    return "" if is_missing(value) else str(value)


def number(value: Any, fmt: str) -> str:
    """``value`` formatted with ``fmt`` ("" for None, NaN or text that is not a number).

    >>> number(64.81, ".1f"), number(None, ".1f"), number("x", "g")
    ('64.8', '', '')
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        return ""
    return "" if math.isnan(v) else format(v, fmt)


def jsonable(obj: Any) -> Any:
    """``obj`` as plain JSON-able Python: DataFrames become lists of records, numpy scalars
    Python numbers, missing values (None, NaN, ``pd.NA``, ``NaT``) ``None``, dates ISO text,
    tuples lists; dict keys become text.

    >>> jsonable({"a": np.float64("nan"), "b": (np.int64(2), pd.NA)})
    {'a': None, 'b': [2, None]}
    """
    if isinstance(obj, pd.DataFrame):
        return [jsonable(rec) for rec in obj.to_dict("records")]
    if isinstance(obj, pd.Series):
        return jsonable(obj.tolist())
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, (str, bool)) or obj is None:
        return obj
    if is_missing(obj):
        return None
    if isinstance(obj, np.generic):
        return jsonable(obj.item())
    if isinstance(obj, float):
        return None if math.isnan(obj) else obj
    if isinstance(obj, int):
        return obj
    if isinstance(obj, (_dt.date, _dt.datetime, pd.Timestamp)):
        return obj.isoformat()
    return str(obj)


def _numeric_columns(frame: pd.DataFrame) -> list[bool]:
    return [pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
            for c in frame.columns]


def interval_text(low: Any, high: Any, *, signed: bool = False) -> str:
    """An interval in points to one decimal: ``"43.7–54.8"``, or with ``signed`` (for a
    difference) ``"-9.8 to +2.3"``; "" when missing (never ``-0.0``).

    >>> interval_text(43.71, 54.84), interval_text(-9.81, 2.3, signed=True), interval_text(None, 1)
    ('43.7–54.8', '-9.8 to +2.3', '')
    """
    if is_missing(low) or is_missing(high):
        return ""
    a, b = round(float(low), 1) + 0.0, round(float(high), 1) + 0.0
    return f"{a:+.1f} to {b:+.1f}" if signed else f"{a:.1f}–{b:.1f}"


def text_table(frame: pd.DataFrame, *, floatfmt: str = "{:.1f}") -> str:
    """A small aligned plain-text table (numbers right-aligned), for terminal output.

    >>> print(text_table(pd.DataFrame({"n": [132, 54], "name": ["a", "bb"]})))
      n  name
    ---  ----
    132  a
     54  bb
    """
    def cell(v: Any) -> str:
        if is_missing(v):
            return ""
        if isinstance(v, (bool, np.bool_)):
            return "yes" if v else ""
        if isinstance(v, float):
            return floatfmt.format(v)
        return str(v)

    cols = [str(c) for c in frame.columns]
    rows = [[cell(v) for v in rec] for rec in frame.itertuples(index=False, name=None)]
    numeric = _numeric_columns(frame)
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(cols)]

    def line(values):
        return "  ".join(v.rjust(w) if num else v.ljust(w)
                         for v, w, num in zip(values, widths, numeric)).rstrip()

    return "\n".join([line(cols), line(["-" * w for w in widths]), *(line(r) for r in rows)])


_MD_ACTIVE = re.compile(r"([\\`*\[\]])")


def md_text(value: Any) -> str:
    """Text from the input made inert in Markdown: HTML escaped (``<script>`` shows as text),
    and the characters that make links, code and emphasis (``[ ] ` *`` and backslash)
    backslash-escaped.

    >>> print(md_text("<b>[x](javascript:1)</b> *ok*"))
    &lt;b&gt;\\[x\\](javascript:1)&lt;/b&gt; \\*ok\\*
    """
    import html

    return _MD_ACTIVE.sub(r"\\\1", html.escape(text(value), quote=False))


def markdown_table(frame: pd.DataFrame, *, escape=md_text) -> str:
    """A GitHub-flavoured Markdown table (numbers right-aligned, ``|`` escaped).

    ``escape`` is applied to every cell's text (default :func:`md_text`: HTML and Markdown
    from the input made inert).

    >>> print(markdown_table(pd.DataFrame({"n": [132], "name": ["a|b"]})))
    | n | name |
    |---:|---|
    | 132 | a\\|b |
    """
    def cell(v: Any) -> str:
        return escape(text(v)).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cell(c) for c in frame.columns) + " |",
             "|" + "|".join("---:" if num else "---" for num in _numeric_columns(frame)) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in rec) + " |"
              for rec in frame.itertuples(index=False, name=None)]
    return "\n".join(lines)
