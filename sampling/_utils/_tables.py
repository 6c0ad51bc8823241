"""Reading tables users give us: one reader for frames and results (CSV, XLSX or a DataFrame),
one set of column aliases, one label normaliser and one test of a blank cell.

Spellings are matched case-insensitively after trimming whitespace and treating "-", "_" and
"." as spaces, so ``Case ID``, ``case_id`` and ``CASE-ID`` are the same column, and ``CRN`` is
an accepted name for it.
"""
from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Any, Iterable, Mapping, cast

import numpy as np
import pandas as pd

from ._excel import UNREADABLE, raw_sheets, sheet_names
from ..errors import ArgumentError, DataError

__all__ = ["COLUMN_ALIASES", "BLANKS", "norm_label", "column_key", "is_blank", "read_table", "match_columns", "position",
           "check_columns", "column_letter", "blank_after_strip"]

#: Other names accepted for our columns (matched like the categories), by frames and results alike.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "case_id": ("case id", "case", "id", "crn", "case reference", "case ref"),
    "gender": ("sex",),
    "disposal": ("disposal type", "sentence type", "order type"),
    "rosh": ("rosh level", "risk of serious harm", "risk of serious harm level", "rosh rating"),
    "key_question": ("key question", "question", "kq"),
    "sample": ("sample name",),
}

#: Cell texts read as blank (after trimming, any case).
BLANKS = frozenset({"", "nan", "none", "<na>", "nat"})

#: File types the reader accepts.
SUFFIXES = (".csv", ".xlsx", ".xlsm")

_SPACES = re.compile(r"[\s_\-.]+")


def norm_label(text: Any) -> str:
    """Matching key of a spelling: lower case, trimmed, '-', '_' and '.' as single spaces.

    >>> norm_label("  Post-Sentence_Supervision ")
    'post sentence supervision'
    """
    return _SPACES.sub(" ", str(text)).strip().lower()


def column_key(text: Any) -> str:
    """Matching key of a column name (``"Case ID"`` → ``"case_id"``)."""
    return norm_label(text).replace(" ", "_")


def is_blank(value: Any) -> bool:
    """True for None, NaN, ``pd.NA``, ``NaT`` and blank-looking text ("", "nan", "None", …).

    >>> [is_blank(v) for v in (None, float("nan"), " ", "NaN", "no")]
    [True, True, True, True, False]
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().casefold() in BLANKS


def _check_path(path: Path, what: str) -> None:
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise DataError(f"cannot read {str(path)!r}: a legacy .xls workbook",
                        hint="Open it in a spreadsheet and save it as .xlsx (or CSV UTF-8).")
    if suffix not in SUFFIXES:
        raise DataError(f"cannot read {str(path)!r}: {what} must be a .csv or .xlsx file",
                        hint="Save the table as CSV (UTF-8) or Excel .xlsx.")
    if not path.exists():
        raise ArgumentError("source", str(path), f"does not exist: give the path of the {what} file (.csv or .xlsx)")
    if not path.is_file():
        raise ArgumentError("source", str(path), f"is not a file: give the path of the {what} file (.csv or .xlsx)")


def _raw_sheets(path: Path, what: str, as_text: bool, sheet: Any) -> dict[str, pd.DataFrame]:
    """Every sheet (or the one named) as raw rows, no header: ``{sheet name: table}``."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return {"": _raw_csv(path)}
        if sheet is not None:
            names = sheet_names(path)
            if str(sheet) not in names:
                raise ArgumentError("sheet", sheet, f"is not a sheet of {str(path)!r} (sheets: {', '.join(names)})")
        return raw_sheets(path, None if sheet is None else str(sheet), as_text)
    except ArgumentError:
        raise
    except Exception:  # a corrupt workbook raises zipfile/XML/calamine errors of many kinds
        raise DataError(f"cannot read {str(path)!r} as {suffix[1:].upper()}: {UNREADABLE}") from None


def _raw_csv(path: Path) -> pd.DataFrame:
    """A CSV's rows as text, no header: pandas' C parser, or the csv module for ragged files
    (a title line shorter than the table)."""
    try:
        return pd.read_csv(path, header=None, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except pd.errors.ParserError:
        import csv

        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.reader(fh))
        width = max((len(r) for r in rows), default=0)
        return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)


def _header_at(raw: pd.DataFrame, find: Iterable[Iterable[str]]) -> int | None:
    """0-based position of the first of the top 30 rows holding every column of one of the
    ``find`` sets (by name or alias), else None."""
    for i in range(min(30, len(raw))):
        keys = {column_key(v) for v in raw.iloc[i].tolist() if isinstance(v, str) and v.strip()}
        for names in find:
            if all(any(column_key(a) in keys for a in (n, *COLUMN_ALIASES.get(n, ()))) for n in names):
                return i
    return None


def _pick(sheets: Mapping[str, pd.DataFrame], header_row: Any, find) -> tuple[str, pd.DataFrame, int]:
    """(sheet, raw rows, 0-based header position): the given row, else the first sheet and
    row holding the columns sought, else the first sheet's first row."""
    first = next(iter(sheets))
    if header_row is not None:
        if isinstance(header_row, bool) or not isinstance(header_row, int) or header_row < 1:
            raise ArgumentError("header_row", header_row, "must be a row number, 1 or more")
        for name, raw in sheets.items():  # the first sheet whose row K is the header (past a notes sheet)
            if find and len(raw) >= header_row and _header_at(raw.iloc[header_row - 1:header_row], find) == 0:
                return name, raw, header_row - 1
        return first, sheets[first], header_row - 1
    for name, raw in sheets.items():
        at = _header_at(raw, find) if find else None
        if at is not None:
            return name, raw, at
    return first, sheets[first], 0


def _read_file(path: Path, what: str, as_text: bool, sheet: Any = None, header_row: Any = None,
               find: Iterable[Iterable[str]] = ()) -> pd.DataFrame:
    """The table under its header row, its index the spreadsheet's own row numbers (blank
    rows dropped)."""
    _check_path(path, what)
    name, raw, at = _pick(_raw_sheets(path, what, as_text, sheet), header_row, find)
    if raw.empty or at >= len(raw):
        raise DataError(f"{what} file {str(path)!r} is empty" + (f" (sheet {name!r})" if name else ""))
    table = raw.iloc[at + 1:].copy()
    table.columns = ["" if c is None else str(c).strip() for c in raw.iloc[at].tolist()]
    table.index = pd.RangeIndex(at + 2, at + 2 + len(table))
    where = f"{what} file {str(path)!r}" + (f" sheet {name!r}" if name else "")
    check_columns(table.columns, where, at + 1)
    _check_ragged(table, where, at + 1, csv=path.suffix.lower() == ".csv")
    table = table.loc[:, [bool(c) for c in table.columns]]
    table.index = pd.RangeIndex(at + 2, at + 2 + len(table))  # the spreadsheet's own row numbers
    if len(table):  # blank rows (a spreadsheet's trailing or spacer rows) are not cases
        blank = np.ones(len(table), dtype=bool)
        for col in table.columns:  # each column looks only at the rows still blank so far
            rows = np.flatnonzero(blank)
            if not len(rows):
                break
            blank[rows] = blank_after_strip(table[col].iloc[rows].to_numpy(dtype=object))
        table = table[~blank]
    return table


def blank_after_strip(values: Any) -> np.ndarray:
    """Which cells are blank once trimmed: ``Series.astype(str).str.strip() == ""`` (a
    missing value is "nan", not blank), without pandas' per-cell copies."""
    values = np.asarray(values, dtype=object)
    return np.fromiter((not (v if v.__class__ is str else str(v)).strip() for v in values), dtype=bool,
                       count=len(values))


def column_letter(position: int) -> str:
    """The spreadsheet's letter of a 0-based column position (0 → A, 26 → AA).

    >>> column_letter(0), column_letter(27)
    ('A', 'AB')
    """
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def check_columns(columns: Iterable[Any], where: str, header_row: int | None = None) -> None:
    """Every column name used once (after trimming), else one :class:`DataError` naming each
    repeated name and the columns that hold it (spreadsheet letters for a file, positions for
    a DataFrame)."""
    names = ["" if c is None else str(c).strip() for c in columns]
    seen: dict[str, list[int]] = {}
    for i, c in enumerate(names):
        if c:
            seen.setdefault(c, []).append(i)
    repeated = {c: at for c, at in seen.items() if len(at) > 1}
    if not repeated:
        return
    if header_row is not None:
        said = [f"{c!r} in columns {' and '.join(column_letter(i) for i in at)}" for c, at in repeated.items()]
    else:
        said = [f"{c!r} at positions {' and '.join(str(i + 1) for i in at)}" for c, at in repeated.items()]
    row = f" (header row {header_row})" if header_row is not None else ""
    raise DataError(f"{where} uses a column name twice{row}: " + "; ".join(said),
                    column=next(iter(repeated)),
                    hint="Each column needs a name of its own: rename or remove the repeated one.")


def _check_ragged(table: pd.DataFrame, where: str, header_row: int, *, csv: bool = True) -> None:
    """A CSV row holding more fields than its header names (an extra value the table would
    lose), or a value under a column with no header (CSV or workbook): one
    :class:`DataError` listing every row."""
    header = list(table.columns)
    named = [i for i, c in enumerate(header) if c]
    width = (named[-1] + 1) if named else 0
    unnamed = [i for i, c in enumerate(header) if not c]
    if not unnamed or not len(table):
        return
    cells = table.iloc[:, unnamed].astype(str).apply(lambda col: col.str.strip().ne("")).to_numpy()
    hit = cells.any(axis=1)
    if not hit.any():
        return
    problems = []
    rows = table.index[hit].tolist()
    for row, flags in zip(rows, cells[hit]):
        last = max(unnamed[j] for j in range(len(unnamed)) if flags[j])
        if last >= width and csv:
            problems.append(f"row {row} has {last + 1} fields")
        else:
            problems.append(f"row {row} has a value in column {column_letter(last)}, which has no header")
    shown = "; ".join(problems[:8]) + (f"; and {len(problems) - 8} more" if len(problems) > 8 else "")
    # the caller numbered the rows with a RangeIndex, so get_loc gives one position
    values = [str(table.iat[cast(int, table.index.get_loc(r)), j]).strip() for r, f in zip(rows, cells[hit])
              for k, j in enumerate(unnamed) if f[k]]
    if not csv:
        raise DataError(f"{where}: {len(problems)} row(s) hold a value in a column with no header (header "
                        f"row {header_row}): {shown}; the values would be lost", rows=rows, values=values,
                        hint="Give the column a header, or delete the stray values.")
    raise DataError(f"{where}: {len(problems)} row(s) hold more fields than the header (row {header_row}) "
                    f"names ({width}): {shown}; their extra values would be lost",
                    rows=rows, values=values,
                    hint="Check the row for an unquoted comma (a text with a comma needs quotes), or give "
                         "the extra column a header.")


def read_table(source: Any, *, what: str = "table", as_text: bool = True, sheet: Any = None,
               header_row: Any = None, find: Iterable[Iterable[str]] = ()) -> tuple[pd.DataFrame, str, bool]:
    """Read a table from a DataFrame or a .csv/.xlsx file.

    Parameters
    ----------
    source : DataFrame or path
        A file is read with every cell as text (CSV always; XLSX when ``as_text``, else with
        the workbook's own cell types); missing cells are "".
    what : str
        What the table is ("frame", "results"), for error messages.
    as_text : bool
        Read workbook cells as text.
    sheet : str, optional
        The workbook's sheet (default: the first sheet holding the columns sought).
    header_row : int, optional
        The header's row number (default: the first of the top 30 rows holding the columns
        sought, ``find``, so a title row above the header is skipped; else row 1).
    find : iterable of column-name sets
        The columns that make a header row (any one set, by name or alias).

    Returns
    -------
    table : DataFrame
        A file's rows are numbered as the spreadsheet numbers them (the header on row 1:
        the first case is row 2), so errors can name them.
    description : str
        The file's path, or "DataFrame".
    from_file : bool
    """
    if isinstance(source, pd.DataFrame):
        check_columns(source.columns, f"the {what} DataFrame")
        return source, "DataFrame", False
    if not isinstance(source, (str, os.PathLike)):
        raise ArgumentError("source", type(source).__name__, f"must be a CSV or XLSX path or a DataFrame ({what})")
    path = Path(source)
    table = _read_file(path, what, as_text, sheet, header_row, find)
    return table, str(path), True


def match_columns(columns: Iterable[Any], wanted: Iterable[str], given: Mapping[str, str] | None = None,
                  *, what: str = "table") -> dict[Any, str]:
    """``{source column: our name}`` for the columns we look for (others are left alone).

    Parameters
    ----------
    columns : iterable
        The table's column names.
    wanted : iterable of str
        Our names to find, each by its own spelling or an alias in :data:`COLUMN_ALIASES`.
    given : mapping, optional
        The user's own ``{source column: our name}``, applied first.
    what : str
        What the table is, for error messages.

    Returns
    -------
    dict

    >>> match_columns(["CRN", "Sex", "Order Type", "RoSH Level"], ["case_id", "gender", "disposal", "rosh"])
    {'CRN': 'case_id', 'Sex': 'gender', 'Order Type': 'disposal', 'RoSH Level': 'rosh'}
    """
    columns = list(columns)
    renames = _given_columns(columns, given, what)
    taken = set(renames.values())
    by_key: dict[str, list] = {}
    for c in columns:
        if c not in renames:
            by_key.setdefault(column_key(c), []).append(c)
    for want in wanted:
        if want in taken:
            continue
        for key in (want, *(column_key(a) for a in COLUMN_ALIASES.get(want, ()))):
            found = by_key.get(key)
            if found:
                if len(found) > 1:
                    raise DataError(f"two columns of the {what} match the same column", column=want,
                                    values=found, hint="Rename one, or name the column to use.")
                renames[found[0]] = want
                taken.add(want)
                break
    return renames


def _given_columns(columns: list, given: Mapping[str, str] | None, what: str) -> dict[Any, str]:
    if not given:
        return {}
    if not isinstance(given, Mapping):
        raise ArgumentError("columns", given, "must be a dict {source column: our column}")
    lookup = {column_key(c): c for c in columns}
    renames = {}
    for name, ours in given.items():
        actual = name if name in columns else lookup.get(column_key(name))
        if actual is None:
            raise DataError(f"columns mapping names a column the {what} does not have", column=str(name),
                            hint=f"Columns are: {', '.join(map(str, columns))}")
        renames[actual] = column_key(ours)
    return renames


def position(frame: pd.DataFrame, column: str) -> int:
    """The 0-based position of ``column`` in ``frame`` (``DataFrame.columns.get_loc`` typed
    as the plain int it is for a unique column name).

    >>> position(pd.DataFrame(columns=["a", "b", "c"]), "b")
    1
    """
    return list(frame.columns).index(column)
