"""Workbooks a planner is glad to open: one formatting pass shared by every .xlsx we write.

:func:`format_workbook` gives every sheet a bold header row, frozen and filtered; columns
sized to their content (capped, long headers wrapped); whole numbers shown as they are and
other numbers rounded for display (one decimal, p-values three); columns whose header
names a percentage (``…_pct``, or listed in ``percent_columns``) as percent cells; dates as
dates. :func:`make_reproducible` then removes what would make two runs differ byte for
byte (openpyxl's created/modified stamps, the zip entries' dates).

:func:`write_workbook` writes a set of tables as that pass would leave them, streaming:
openpyxl's write-only mode lays out each sheet (widths, frozen and filtered header,
drop-downs, print settings) and writes the styles, and the data rows go into the file as
the XML openpyxl writes for them, so a 100,000-row sheet takes seconds; the file comes out
reproducible. Workbooks that are edited in place (``sampling substitute``) are still
loaded, changed and formatted with :func:`format_workbook`.
"""
from __future__ import annotations

import datetime as _dt
import math
import os
import re
from pathlib import Path
from typing import Any, Mapping

__all__ = ["format_workbook", "make_reproducible", "number_format_for", "write_workbook"]

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


# --------------------------------------------------------------------------- streaming
def _header_cells(ws: Any, headers: list[str], wrap_at: int) -> list[Any]:
    """The header row as :func:`format_workbook` leaves it: bold, a long header wrapped."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    out = []
    for header in headers:
        cell = WriteOnlyCell(ws, value=header)
        cell.font = Font(bold=True)
        if len(header) > wrap_at:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        out.append(cell)
    return out


def _plain_value(value: Any, nat: Any) -> Any:
    """A cell value as pandas hands it to openpyxl: missing (None, NaN, NaT) and "" as no
    cell, numpy scalars as Python ones, infinities as text."""
    if value is None or value is nat:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    if isinstance(value, str):
        return value if value != "" else None
    if hasattr(value, "item") and not isinstance(value, (_dt.date, _dt.datetime)):  # numpy scalar
        return _plain_value(value.item(), nat)
    return value


def _escape(text: str) -> str:
    """``xml.sax.saxutils.escape`` (&, > and < in that order), without its import of
    ``urllib.request`` and the HTTP and e-mail packages behind it."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def _text_xml(value: str) -> str:
    """A text cell's content as openpyxl writes it (an inline string; spaces kept)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.utils.exceptions import IllegalCharacterError

    if ILLEGAL_CHARACTERS_RE.search(value):
        raise IllegalCharacterError(f"{value!r} cannot be used in worksheets.")
    stripped = value.strip()
    space = ' xml:space="preserve"' if stripped and stripped != value else ""
    return f' t="inlineStr"><is><t{space}>{_escape(value)}</t></is></c>'


def _column(ws: Any, values: list, header: str, percent: bool,
            formats: Mapping[str, str]) -> tuple[list[str | None], int]:
    """One column's cells as the XML after ``<c r="A2"`` (None for no cell), formatted as
    :func:`format_workbook` formats them, and its widest displayed value."""
    import pandas as pd
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils.datetime import to_excel

    styles: dict[str, int] = {}

    def style(fmt: str) -> int:
        if fmt not in styles:
            cell = WriteOnlyCell(ws)
            cell.number_format = fmt
            styles[fmt] = cell.style_id  # registers the format in the workbook's styles
        return styles[fmt]

    nat, na, epoch = pd.NaT, pd.NA, ws.parent.epoch

    def one(value: Any) -> tuple[str | None, int]:
        value = _plain_value(value, nat)
        if value is None:
            return None, 0
        if isinstance(value, bool):
            return f' t="b"><v>{int(value)}</v></c>', len(str(value))
        if isinstance(value, (int, float)):
            fmt = formats.get(header) or number_format_for(header, value, percent=percent)
            number = value / 100.0 if percent else value
            return (f' s="{style(fmt)}" t="n"><v>{"%.16g" % number}</v></c>',
                    len(f"{value:,.1f}") + (1 if percent else 0))
        if isinstance(value, (_dt.date, _dt.datetime)):
            return f' s="{style("yyyy-mm-dd")}" t="n"><v>{"%.16g" % to_excel(value, epoch)}</v></c>', 10
        text = str(value)
        return _text_xml(text), max((len(line) for line in text.splitlines()), default=0)

    seen: dict[Any, tuple[str | None, int]] = {}  # a column repeats its values (strata, cells, weights)
    out: list[str | None] = []
    width = 0
    for value in values:
        if value is None or value is nat or value is na or (isinstance(value, float) and value != value):
            out.append(None)  # missing: no cell
            continue
        key = (value.__class__, value)
        try:
            xml = seen[key][0]
        except KeyError:
            seen[key] = hit = one(value)
            xml, width = hit[0], max(width, hit[1])
        except TypeError:  # unhashable: written as its text
            xml, w = one(value)
            width = max(width, w)
        out.append(xml)
    return out, width


def _stream_sheet(wb: Any, name: str, table: Any, percent_columns: set[str], formats: Mapping[str, str],
                  wrap_at: int, max_width: int, setup: Any) -> tuple[list[str], list[list]]:
    """Lay out one sheet (widths, frozen and filtered header, ``setup``) with its header row;
    returns its column letters and cells, written into the file after it is saved."""
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(name)
    headers = [str(c) for c in table.columns]
    columns, lines = [], 1
    for j, header in enumerate(headers, start=1):
        cells, widest = _column(ws, table.iloc[:, j - 1].tolist(), header, _is_percent(header, percent_columns),
                                formats)
        width = min(max(max(min(len(header), wrap_at), widest) + 2, 8), max_width)
        ws.column_dimensions[get_column_letter(j)].width = width
        lines = max(lines, math.ceil(len(header) / max(width - 2, 1)))
        columns.append(cells)
    if any(len(h) > wrap_at for h in headers):
        ws.row_dimensions[1].height = 15 * min(lines, 8)
    ws.freeze_panes = "A2"
    if len(table) and headers:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(table) + 1}"
    if setup is not None:
        setup(ws)
    ws.append(_header_cells(ws, headers, wrap_at))
    return [get_column_letter(j) for j in range(1, len(headers) + 1)], columns


def _rows_xml(letters: list[str], columns: list[list], chunk: int = 2000) -> Any:
    """The data rows (from row 2) as UTF-8 XML, ``chunk`` rows at a time."""
    rows = list(zip(*columns)) if columns else []
    for start in range(0, len(rows), chunk):
        part = []
        for r, row in enumerate(rows[start:start + chunk], start=start + 2):
            cells = "".join(f'<c r="{col}{r}"{xml}' for col, xml in zip(letters, row) if xml is not None)
            part.append(f'<row r="{r}">{cells}</row>')
        yield "".join(part).encode("utf-8")


def _fill(path: Path, bodies: list[tuple[list[str], list[list]]]) -> None:
    """Rewrite the saved workbook with each sheet's data rows after its header row, every
    entry dated 1980-01-01 and no created/modified stamp (see :func:`make_reproducible`)."""
    import zipfile

    from ._io import atomic_path

    sheets = {f"xl/worksheets/sheet{i}.xml": body for i, body in enumerate(bodies, start=1)}
    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info.filename)) for info in src.infolist()]
    with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"<dcterms:(created|modified)\b[^>]*>[^<]*</dcterms:\1>", b"", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            body = sheets.get(info.filename)
            if body is None or not any(body[1]) or not body[1][0]:
                dst.writestr(fixed, data)
                continue
            head, sep, tail = data.partition(b"</sheetData>")
            if not sep:
                raise ValueError(f"{info.filename} has no sheetData")  # pragma: no cover (openpyxl writes one)
            with dst.open(fixed, "w", force_zip64=True) as out:
                out.write(head)
                for block in _rows_xml(*body):
                    out.write(block)
                out.write(sep + tail)


def write_workbook(path: str | os.PathLike, sheets: Mapping[str, Any], *, percent_columns: tuple[str, ...] = (),
                   number_formats: Mapping[str, str] | None = None, wrap_headers_at: int = 40,
                   max_width: int = 60, setup: Mapping[str, Any] | None = None) -> Path:
    """Write ``sheets`` (``{name: DataFrame}``, already formula-escaped) as an ``.xlsx`` at
    ``path``, formatted as writing them with pandas and then :func:`format_workbook` would:
    the same cell values, header style, number formats, column widths, frozen and filtered
    header; and reproducible (as :func:`make_reproducible` leaves a file). ``setup`` maps a
    sheet name to a function given the sheet before its rows (drop-downs, print layout).

    openpyxl's write-only mode lays out each sheet and writes the styles; the data rows are
    then written as the same XML openpyxl writes for them (inline strings, styled numbers
    and dates), straight into the file: a 100,000-case sample in seconds, not the minute
    the cell-by-cell pass takes."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    bodies = [_stream_sheet(wb, name, table, set(percent_columns), dict(number_formats or {}), wrap_headers_at,
                            max_width, (setup or {}).get(name)) for name, table in sheets.items()]
    target = Path(path)
    wb.save(target)
    _fill(target, bodies)
    return target
