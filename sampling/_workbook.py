"""Workbooks a planner is glad to open: one formatting pass shared by every .xlsx we write.

Bold header row, frozen and filtered; columns sized to their content (capped); numbers
shown to one decimal (whole numbers as they are), columns named as percentages shown as
percent cells, dates as dates."""
from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

__all__ = ["format_workbook"]

_PERCENT_HINTS = ("_pct", "pct_", "percent share")


def _is_percent(header: str, percent_columns: set[str]) -> bool:
    return header in percent_columns or any(h in header for h in _PERCENT_HINTS)


def _format_sheet(ws, percent_columns: set[str]) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    headers = [str(c.value) if c.value is not None else "" for c in ws[1]]
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    if ws.max_row > 1 and ws.max_column >= 1:
        ws.auto_filter.ref = ws.dimensions
    for j, header in enumerate(headers, start=1):
        percent = _is_percent(header, percent_columns)
        width = len(header)
        for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
            value = cell.value
            if isinstance(value, float):
                cell.number_format = "0.0%" if percent else ("0" if value.is_integer() else "0.0##")
                if percent:
                    cell.value = value / 100.0
            elif isinstance(value, (_dt.date, _dt.datetime)):
                cell.number_format = "yyyy-mm-dd"
            width = max(width, len(str(value)) if value is not None else 0)
        ws.column_dimensions[get_column_letter(j)].width = min(max(width + 2, 8), 60)


def format_workbook(path: str | os.PathLike, *, percent_columns: tuple[str, ...] = ()) -> Path:
    """Format every sheet of the workbook at ``path`` in place (see the module notes).
    Columns whose header names a percentage (``…_pct``) hold values in percent units
    (86.2) and become percent cells (86.2%)."""
    from openpyxl import load_workbook

    target = Path(path)
    wb = load_workbook(target)
    for ws in wb.worksheets:
        _format_sheet(ws, set(percent_columns))
    wb.save(target)
    return target
