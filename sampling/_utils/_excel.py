"""Reading .xlsx workbooks: python-calamine when installed (a compiled reader, ten times and
more faster than openpyxl, and it loads in a few milliseconds), openpyxl otherwise.
openpyxl stays the writer (formats, validation lists, widths).

Both readers give the same cells through pandas: whole numbers as int, other numbers as
float, dates as timestamps, blanks as empty text; ``tests/test_io.py`` compares them on the
same files. ``SAMPLING_XLSX_READER=openpyxl`` in the environment forces the old reader.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = ["xlsx_reader", "read_excel", "sheet_names", "UNREADABLE", "READERS"]

READERS = ("calamine", "openpyxl")
READER_ENV = "SAMPLING_XLSX_READER"
UNREADABLE = "not a readable Excel workbook (damaged, or another kind of file named .xlsx)"


def xlsx_reader() -> str:
    """The pandas engine that reads workbooks: ``"calamine"`` if python-calamine is
    installed, else ``"openpyxl"`` (``SAMPLING_XLSX_READER`` overrides)."""
    forced = os.environ.get(READER_ENV, "").strip().lower()
    if forced in READERS:
        return forced
    try:
        import python_calamine  # noqa: F401
    except ImportError:  # pragma: no cover - a dependency; the fallback for a bare install
        return "openpyxl"
    return "calamine"


def read_excel(path: Any, **kwargs: Any):
    """``pandas.read_excel`` with :func:`xlsx_reader`'s engine."""
    import pandas as pd

    kwargs.setdefault("engine", xlsx_reader())
    return pd.read_excel(path, **kwargs)


def sheet_names(path: str | os.PathLike) -> list[str]:
    """The workbook's sheet names, in order, without reading its cells."""
    if xlsx_reader() == "calamine":
        from python_calamine import CalamineWorkbook

        return list(CalamineWorkbook.from_path(str(Path(path))).sheet_names)
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def _cells(values: list, as_text: bool) -> list:
    """pandas' cell conversion (whole floats as int, dates as datetimes), then its ``str``
    when ``as_text``; only the cells that are not already text pay for it."""
    import datetime as dt

    out = []
    for v in values:
        if v.__class__ is str:
            out.append(v)
            continue
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        elif isinstance(v, dt.date) and not isinstance(v, dt.datetime):
            v = dt.datetime(v.year, v.month, v.day)
        out.append(str(v) if as_text else v)
    return out


def raw_sheets(path: str | os.PathLike, sheet: str | None, as_text: bool) -> dict:
    """Every sheet (or the one named) as raw rows, no header, every cell as pandas'
    ``read_excel(header=None, dtype=str or object, keep_default_na=False)`` gives it, blanks
    as "". python-calamine read directly: pandas' own calamine path converts every cell in
    Python and then parses the rows again, which is most of its time on a large frame."""
    import numpy as np
    import pandas as pd

    if xlsx_reader() != "calamine":
        book = read_excel(path, sheet_name=sheet, header=None, dtype=str if as_text else object,
                          keep_default_na=False)
        return {sheet: book} if sheet is not None else {str(k): v for k, v in book.items()}
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(Path(path)))
    out = {}
    for name in ([sheet] if sheet is not None else wb.sheet_names):
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        width = max((len(r) for r in rows), default=0)
        if width == 1:  # pandas' parser drops blank one-cell lines
            rows = [r for r in rows if not (isinstance(r[0], str) and not r[0].strip())]
        if not rows or not width:
            out[str(name)] = pd.DataFrame()
            continue
        grid = np.empty((len(rows), width), dtype=object)
        grid[:] = ""
        for i, r in enumerate(rows):
            grid[i, :len(r)] = r
        columns = {}
        for j in range(width):
            col = grid[:, j]
            kinds = pd.Series(col, dtype=object).map(type)
            other = (kinds != str).to_numpy()
            if other.any():
                col = col.copy()
                col[other] = _cells(col[other].tolist(), as_text)
            columns[j] = col
        out[str(name)] = pd.DataFrame(columns, dtype=object)
    return out
