"""Workbooks a planner is glad to open: one formatting pass shared by every .xlsx we write.

:func:`format_workbook` gives every sheet a bold header row, frozen and filtered; columns
sized to their content (capped, long headers wrapped); whole numbers shown as they are and
other numbers rounded for display (one decimal, p-values three); columns whose header
names a percentage (``…_pct``, or listed in ``percent_columns``) as percent cells; dates as
dates. :func:`make_reproducible` then removes what would make two runs differ byte for
byte (openpyxl's created/modified stamps, the zip entries' dates).
"""
from __future__ import annotations

import datetime as _dt
import math
import os
import re
from pathlib import Path
from typing import Any, Mapping

__all__ = ["format_workbook", "make_reproducible", "number_format_for"]

_PERCENT_HINTS = ("_pct", "pct_", "percent share")
#: display formats by header (matched in order, case-insensitively, on the header's words)
_FORMAT_HINTS = (
    (re.compile(r"p[ _-]?value"), "0.000"),
    (re.compile(r"(_pts\b|points|difference)"), "0.0"),
)


def number_format_for(header: str, value: float, *, percent: bool = False) -> str:
    """The display format of a numeric cell under ``header``: percent cells ``0.0%``, whole
    numbers ``0``, p-values ``0.000``, differences in points ``0.0``, others up to three
    decimals (``0.0##``).

    >>> number_format_for("p_value", 0.96790004), number_format_for("N_h", 45.0)
    ('0.000', '0')
    """
    if percent:
        return "0.0%"
    for pattern, fmt in _FORMAT_HINTS:
        if pattern.search(header.lower()):
            return fmt
    return "0" if float(value).is_integer() else "0.0##"


def _is_percent(header: str, percent_columns: set[str]) -> bool:
    return header in percent_columns or any(h in header for h in _PERCENT_HINTS)


def _format_cell(cell: Any, header: str, percent: bool, formats: Mapping[str, str]) -> int:
    """Format one data cell in place; returns its displayed width in characters."""
    value = cell.value
    if isinstance(value, bool) or value is None:
        return len(str(value)) if value is not None else 0
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return len(str(value))
        if percent and not str(cell.number_format).endswith("%"):  # formatting twice changes nothing
            cell.value = value / 100.0
        cell.number_format = formats.get(header) or number_format_for(header, value, percent=percent)
        return len(f"{value:,.1f}") + (1 if percent else 0)
    if isinstance(value, (_dt.date, _dt.datetime)):
        cell.number_format = "yyyy-mm-dd"
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def _format_sheet(ws: Any, percent_columns: set[str], formats: Mapping[str, str], wrap_at: int,
                  max_width: int) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    headers = [str(c.value) if c.value is not None else "" for c in ws[1]]
    wrapped = False
    for cell, header in zip(ws[1], headers):
        cell.font = Font(bold=True)
        if len(header) > wrap_at:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            wrapped = True
    ws.freeze_panes = "A2"
    if ws.max_row > 1 and ws.max_column >= 1:
        ws.auto_filter.ref = ws.dimensions
    lines = 1
    for j, header in enumerate(headers, start=1):
        percent = _is_percent(header, percent_columns)
        width = min(len(header), wrap_at)
        for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
            width = max(width, _format_cell(cell, header, percent, formats))
        width = min(max(width + 2, 8), max_width)
        ws.column_dimensions[get_column_letter(j)].width = width
        lines = max(lines, math.ceil(len(header) / max(width - 2, 1)))
    if wrapped:  # room for the wrapped header (Excel does not grow a row on opening)
        ws.row_dimensions[1].height = 15 * min(lines, 8)


def format_workbook(path_or_workbook: Any, *, percent_columns: tuple[str, ...] = (),
                    number_formats: Mapping[str, str] | None = None, wrap_headers_at: int = 40,
                    max_width: int = 60, reproducible: bool = False) -> Any:
    """Format every sheet of a workbook (see the module notes).

    Parameters
    ----------
    path_or_workbook : path or openpyxl Workbook
        An ``.xlsx`` file, formatted and saved in place; or an open Workbook, formatted in
        memory (the caller saves it).
    percent_columns : tuple of str
        Headers of columns holding percent units (86.2) to show as percent cells (86.2%),
        besides those whose header names a percentage (``…_pct``).
    number_formats : mapping, optional
        ``{header: Excel number format}`` overriding the display format of a column.
    wrap_headers_at : int
        Headers longer than this wrap (the column is not widened for them).
    max_width : int
        The widest a column is made, in characters.
    reproducible : bool
        For a path: also :func:`make_reproducible`, so the same content gives the same bytes.

    Returns
    -------
    Path or Workbook
        What was given.
    """
    from openpyxl import load_workbook

    wb = path_or_workbook if not isinstance(path_or_workbook, (str, os.PathLike)) else load_workbook(path_or_workbook)
    for ws in wb.worksheets:
        _format_sheet(ws, set(percent_columns), dict(number_formats or {}), wrap_headers_at, max_width)
    if isinstance(path_or_workbook, (str, os.PathLike)):
        target = Path(path_or_workbook)
        wb.save(target)
        if reproducible:
            make_reproducible(target)
        return target
    return wb


def make_reproducible(path: str | os.PathLike) -> Path:
    """Rewrite an ``.xlsx`` in place so that the same content gives the same bytes: drop the
    created/modified timestamps openpyxl writes into ``docProps/core.xml`` (both optional in
    OPC core properties) and date every zip entry 1980-01-01 (the zip epoch)."""
    import zipfile

    from ._io import atomic_path

    target = Path(path)
    with zipfile.ZipFile(target) as src:
        entries = [(info, src.read(info.filename)) for info in src.infolist()]
    with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"<dcterms:(created|modified)\b[^>]*>[^<]*</dcterms:\1>", b"", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, data)
    return target
