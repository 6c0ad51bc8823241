"""The draw workbook (or draw folder) read back: :func:`read_draw` gives a
:class:`~sampling.Sample` with the cases as they stand after substitutions, the manifest
and the fieldwork sheet; :func:`check_draw_matches` refuses another provider's or sample's
draw. The sheets are described in :mod:`._drawfile`, which writes them.
"""
from __future__ import annotations

import contextlib
import contextvars
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from .._utils._excel import read_excel, sheet_names
from .._utils._tables import position
from ..errors import ArgumentError, DataError
from ._layout import FIELDWORK, PLAIN_HEADERS, SHEETS, SUBSTITUTION_COLUMNS, TEXT_KEYS

if TYPE_CHECKING:
    from ._draw import Sample

__all__ = ["read_draw", "read_manifest", "read_sheet", "is_draw_workbook", "check_draw_matches",
           "sheets_read_once", "missing_draw_sheet", "manifest_value"]


def _sheet_names(path: Path) -> list[str] | None:
    try:
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        try:
            return list(book.sheetnames)
        finally:
            book.close()
    except Exception:  # not a workbook: the ordinary reader says why
        return None


def missing_draw_sheet(path: Any, name: str | None = None) -> DataError | None:
    """For a workbook that looks like a draw workbook (three or more of its sheets) but lacks
    its fieldwork or manifest sheet (or ``name``): the error naming the missing sheet and the
    sheets it has; else None."""
    p = Path(str(path))
    if p.is_dir() or p.suffix.lower() not in (".xlsx", ".xlsm") or not p.is_file():
        return None
    names = _sheet_names(p)
    if names is None:
        return None
    wanted = [name] if name is not None else [FIELDWORK, "manifest"]
    lacking = [n for n in wanted if n not in names]
    if not lacking or (name is None and len(set(names) & set(SHEETS)) < 3):
        return None
    return DataError(f"the workbook {str(p)!r} has no sheet {lacking[0]!r} (its sheets: {', '.join(names)}): "
                     f"a draw workbook keeps its {' and '.join(repr(n) for n in wanted)} sheet"
                     f"{'s under these names' if len(wanted) > 1 else ' under this name'}",
                     hint=f"If the sheet was renamed, give it back its name {lacking[0]!r}; if it was deleted, "
                          "take it from a copy of the workbook as drawn.")


def manifest_value(path: Any, key: str, value: Any) -> Any:
    """A manifest cell decoded: JSON text (a list, a table, a number) as its value, plain text
    as it is; text that starts as JSON but is broken is an error naming the sheet, key and value."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        if value.strip()[:1] in ("[", "{", '"'):
            shown = value if len(value) <= 80 else value[:77] + "…"
            raise DataError(f"{str(path)!r} sheet 'manifest', key {key!r}: the value is not readable (broken "
                            f"JSON, e.g. a bracket or quote missing): {shown!r}", column="value",
                            hint="Restore the value from a copy of the workbook as drawn: the manifest records "
                                 "the draw and is not edited by hand.") from None
        return value


def is_draw_workbook(path: Any) -> bool:
    """Whether ``path`` is a draw workbook (.xlsx with a fieldwork sheet and a manifest) or
    a draw folder (``fieldwork.csv`` and ``manifest.json``)."""
    p = Path(str(path))
    if p.is_dir():
        return (p / "manifest.json").is_file() and (p / f"{FIELDWORK}.csv").is_file()
    if p.suffix.lower() != ".xlsx" or not p.is_file():
        return False
    try:
        names = sheet_names(p)
    except Exception:  # a corrupt workbook: the ordinary reader says why
        return False
    return FIELDWORK in names and "manifest" in names


def _unescape(value: Any) -> Any:
    """Undo the formula escape of a text cell (a leading apostrophe before = + - @)."""
    if isinstance(value, str) and value.startswith("'") and value[1:].lstrip()[:1] in ("=", "+", "-", "@"):
        return value[1:]
    return value


_SHEETS_READ: contextvars.ContextVar[dict | None] = contextvars.ContextVar("sheets_read", default=None)


@contextlib.contextmanager
def sheets_read_once() -> Any:
    """Within the block, each sheet of a draw is read from its file once (``verify`` reads the
    cases three ways; a 100,000-case sheet takes seconds to parse)."""
    token = _SHEETS_READ.set({})
    try:
        yield
    finally:
        _SHEETS_READ.reset(token)


def read_sheet(path: str | os.PathLike, name: str) -> pd.DataFrame:
    """One sheet of a draw workbook, or the same-named CSV of a draw folder, as text."""
    cache = _SHEETS_READ.get()
    if cache is None:
        return _read_sheet(path, name)
    key = (str(Path(path).resolve()), name)
    if key not in cache:
        cache[key] = _read_sheet(path, name)
    return cache[key].copy()


def _read_sheet(path: str | os.PathLike, name: str) -> pd.DataFrame:
    p = Path(path)
    try:
        if p.is_dir():
            table = pd.read_csv(p / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
        else:
            table = read_excel(p, sheet_name=name, dtype=str, keep_default_na=False)
    except (ValueError, KeyError, FileNotFoundError) as exc:
        gap = missing_draw_sheet(p, name) if not p.is_dir() else None
        if gap is not None:
            raise gap from None
        raise DataError(f"{str(p)!r} has no {name!r} {'file' if p.is_dir() else 'sheet'} ({exc}): not a "
                        "complete draw written by `sampling draw --sample`") from None
    table.columns = [_unescape(str(c)) for c in table.columns]
    if not any(v.__class__ is str and v[:1] == "'" for v in table.to_numpy(dtype=object).ravel()):
        return table  # no escaped cell: what the cell-by-cell pass would give, without it
    return table.map(_unescape)


def _decode(key: str, value: Any, path: Any = "") -> Any:
    """A manifest value: text keys as written (a name may look like JSON), "null" as None,
    every other value as the JSON the draw wrote."""
    if not isinstance(value, str):
        return value
    if key in TEXT_KEYS:
        return None if value == "null" else value
    return manifest_value(path, key, value)


def read_manifest(path: str | os.PathLike) -> dict:
    """The manifest of a draw workbook (sheet ``manifest``) or folder (``manifest.json``)."""
    p = Path(path)
    if p.is_dir():
        try:
            return json.loads((p / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DataError(f"cannot read {str(p / 'manifest.json')!r}: {exc}") from None
    table = read_sheet(p, "manifest")
    if not {"key", "value"} <= set(table.columns):
        raise DataError(f"{str(p)!r} sheet 'manifest' needs columns key and value", column="key")
    return {k: _decode(k, v, p) for k, v in zip(table["key"], table["value"])}


def _numeric(table: pd.DataFrame, columns: Any, *, whole: bool = False) -> pd.DataFrame:
    for c in columns:
        if c in table.columns:
            values = pd.to_numeric(table[c].replace("", np.nan))
            table[c] = values.astype("int64") if whole and values.notna().all() else values
    return table


def _balance_back(table: pd.DataFrame, from_workbook: bool) -> pd.DataFrame:
    table = _numeric(table, ["population_n", "sample_n"], whole=True)
    table = _numeric(table, ["population_pct", "sample_pct", "difference_pts", "p_value"])
    if from_workbook:  # percent cells hold fractions
        for c in ("population_pct", "sample_pct"):
            if c in table:
                table[c] = (100.0 * table[c]).round(10)
    return table


def _current_cases(cases: pd.DataFrame, reserves: pd.DataFrame, subs: pd.DataFrame) -> pd.DataFrame:
    """The drawn cases with each recorded substitution applied (the reserve in the place of
    the case it replaced)."""
    cases = cases.copy()
    by_id = reserves.set_index(reserves["case_id"].astype(str))
    for rec in subs.itertuples(index=False):
        hit = np.flatnonzero(cases["case_id"].astype(str).to_numpy() == str(rec.replaced_case_id))
        if not len(hit) or str(rec.reserve_case_id) not in by_id.index:
            raise DataError("a recorded substitution names a case that is neither drawn nor a reserve",
                            column="replaced_case_id", values=[rec.replaced_case_id, rec.reserve_case_id])
        reserve = cast(pd.Series, by_id.loc[str(rec.reserve_case_id)])  # one row: a draw's case ids are unique
        for c in cases.columns:
            if c in reserve.index and c != "selection_order":
                cases.iat[hit[0], position(cases, c)] = reserve[c]
    return cases


def read_draw(path: str | os.PathLike) -> Sample:
    """A draw workbook (or draw folder) read back as a :class:`~sampling.Sample`.

    ``cases`` are the cases as they stand (each recorded substitution applied; the
    workbook's ``cases`` sheet keeps the draw as drawn, which
    :meth:`~sampling.Sample.original_case_ids` gives back), ``reserves``, ``allocation``
    (our column names), ``balance`` (percent units), the ``manifest`` (with provider,
    sample, population, strata, columns, key questions and seed), ``substitutions`` (with
    their reasons) and ``fieldwork`` (the sheet as it stands, in the frame's column names).
    Cell values are text, apart from counts, shares and p-values.

    Parameters
    ----------
    path : str or path
        A draw workbook (``.xlsx``) or draw folder written by ``sampling draw --sample``.

    Returns
    -------
    Sample
        The draw as it stands, with ``fieldwork`` and ``substitutions``.

    Raises
    ------
    ArgumentError
        ``path`` is not a draw workbook or folder.

    Examples
    --------
    >>> import tempfile, sampling
    >>> from pathlib import Path
    >>> frame = sampling.load_frame(sampling.synthetic_frame(668, rng=1))
    >>> sample = sampling.draw_sample(frame, 132, rng=2019)
    >>> path = sampling.write_draw_workbook(sample, Path(tempfile.mkdtemp()) / "draw.xlsx",
    ...                                     sample_name="case_supervision", frame=frame)
    >>> draw = sampling.read_draw(path)
    >>> draw.manifest["seed"], len(draw.cases)
    (2019, 132)
    """
    from ._draw import Sample

    p = Path(path)
    if not is_draw_workbook(p):
        raise ArgumentError("path", str(p), "must be a draw workbook (.xlsx) or folder written by "
                            "`sampling draw --sample` (with a fieldwork sheet and a manifest)")
    read = lambda name: read_sheet(p, name)  # noqa: E731
    cases = _numeric(read("cases"), ["selection_order"], whole=True)
    cases = _numeric(cases, [c for c in ("SelectionProb", "SamplingWeight") if c in cases.columns])
    reserves = _numeric(read("reserves"), ["reserve_rank"], whole=True)
    subs = _numeric(read("substitutions").reindex(columns=SUBSTITUTION_COLUMNS, fill_value=""), ["reserve_rank"],
                    whole=True)
    allocation = read("allocation").rename(columns={v: k for k, v in PLAIN_HEADERS.items()})
    allocation = _numeric(allocation, ["N_h", "n_h", "reserves", "reserves_wanted"], whole=True)
    allocation = _numeric(allocation, ["share", "target", "anticipated_p"])
    return Sample(cases=_current_cases(cases, reserves, subs), reserves=reserves, allocation=allocation,
                  marginals=pd.DataFrame(), balance=_balance_back(read("balance"), not p.is_dir()),
                  manifest=read_manifest(p), substitutions=subs, fieldwork=read(FIELDWORK))


def check_draw_matches(draw: Any, provider: str | None = None, *, sample_name: str | None = None) -> None:
    """Refuse a draw of another provider (or sample) than the one analysed.

    Parameters
    ----------
    draw : Sample, path or None
        A :class:`~sampling.Sample`, or a draw workbook/folder; anything else (None, a
        DataFrame, a plain CSV) has no manifest and passes.
    provider : str, optional
        The assessment's provider: the draw's manifest must name it (as ``provider`` or
        ``short_name``) when it names one.
    sample_name : str, optional
        The sample the draw must be of.

    Raises
    ------
    DataError
        The draw is of another provider or sample.

    Examples
    --------
    >>> import tempfile, sampling
    >>> from pathlib import Path
    >>> frame = sampling.load_frame(sampling.synthetic_frame(668, rng=1))
    >>> sample = sampling.draw_sample(frame, 132, rng=2019)
    >>> path = sampling.write_draw_workbook(sample, Path(tempfile.mkdtemp()) / "draw.xlsx",
    ...                                     sample_name="case_supervision", frame=frame)
    >>> sampling.check_draw_matches(sampling.read_draw(path), sample_name="case_supervision")
    >>> try:
    ...     sampling.check_draw_matches(sampling.read_draw(path), sample_name="unpaid_work")
    ... except sampling.DataError as error:
    ...     print(type(error).__name__)
    DataError
    """
    if hasattr(draw, "manifest"):
        manifest, where = dict(draw.manifest), "the draw"
    elif isinstance(draw, (str, os.PathLike)) and is_draw_workbook(draw):
        manifest, where = read_manifest(draw), f"the draw {str(draw)!r}"
    else:
        return
    theirs = {str(v) for v in (manifest.get("provider"), manifest.get("short_name")) if v}
    if provider and theirs and str(provider) not in theirs:
        raise DataError(f"{where} is of {sorted(theirs)[0]!r}, not {provider!r}", column="provider",
                        hint="Give the draw of this inspection's provider.")
    if sample_name and manifest.get("sample") and manifest["sample"] != sample_name:
        raise DataError(f"{where} is the {manifest['sample']!r} sample, not {sample_name!r}", column="sample")
