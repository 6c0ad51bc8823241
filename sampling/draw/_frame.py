"""Sampling frames: the eligible population a case sample is drawn from.

:func:`load_frame` reads a CSV file, an XLSX file or a DataFrame with one row per case and
returns a :class:`Frame`: the eligible cases with ``case_id`` (unique, non-blank text) and
the stratification variables ``gender``, ``disposal`` and ``rosh`` spelt in one documented
vocabulary (:data:`VOCABULARY`), every other column carried through unchanged, and the rows
removed by eligibility filters listed with their reasons (never dropped silently).

The inspectorate's rule for the case-supervision sample (HMI Probation 2019, Annex 1) is
"individuals who had been under community supervision for approximately six to seven
months"; ``load_frame(..., months_since_start=(6, 7), as_of="2019-02-01")`` applies it to a
``start_date`` column.

Rows of :attr:`Frame.data` are in canonical order (sorted by ``case_id``), so everything
downstream is independent of the order of the rows in the source.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .._utils._display import TableResult
from .._utils._tables import COLUMN_ALIASES, column_key, match_columns, norm_label, read_table
from ..errors import ArgumentError, DataError
from ._months import months_filter

__all__ = ["Frame", "load_frame", "VOCABULARY", "REQUIRED_COLUMNS", "COLUMN_ALIASES",
           "frame_fingerprint", "category_spellings"]

#: Columns every frame must have (after column-name matching).
REQUIRED_COLUMNS: tuple[str, ...] = ("case_id", "gender", "disposal", "rosh")

#: The canonical categories of each stratification variable, in display order, and the
#: spellings accepted for each (matched case-insensitively after trimming whitespace and
#: treating "-", "_" and "." as spaces). Vocabularies are per column: "M" is male in
#: ``gender`` but medium in ``rosh``.
VOCABULARY: dict[str, dict[str, tuple[str, ...]]] = {
    "gender": {
        "male": ("m", "male", "man", "men"),
        "female": ("f", "female", "woman", "women"),
    },
    "disposal": {
        "community order": ("co", "community order", "community", "cjco"),
        "suspended sentence order": ("sso", "suspended sentence order", "suspended sentence",
                                     "sso (custodial)", "suspended"),
        "licence": ("lic", "licence", "license", "licence supervision", "on licence", "on license"),
        "post-sentence supervision": ("pss", "post sentence supervision",
                                      "post sentence supervision (pss)", "post release supervision"),
    },
    "rosh": {
        "low": ("l", "low", "low rosh"),
        "medium": ("m", "med", "medium", "medium rosh"),
        "high": ("h", "high", "high rosh"),
        "very high": ("vh", "v high", "very high", "very high rosh"),
    },
}


@dataclass(frozen=True, repr=False)
class Frame(TableResult):
    """An eligible-population frame, ready to allocate and draw from.

    Attributes
    ----------
    data : DataFrame
        One row per eligible case, sorted by ``case_id`` (text, unique, non-blank), with
        ``gender``, ``disposal`` and ``rosh`` as ordered categoricals in the vocabulary's
        spelling, and every other source column carried through.
    source : str
        Where the rows came from (file path or "DataFrame").
    vocabulary : dict
        ``{column: {accepted spelling: canonical category}}`` actually used (built-in
        spellings plus the caller's ``mapping``).
    excluded : DataFrame
        Rows removed by eligibility filters: ``row`` (the spreadsheet's own row number for
        files, the header being row 1 unless found lower; the index label for DataFrames),
        ``case_id``, ``reason``.
    filters : dict
        The eligibility filters applied, with their reference date.
    columns : dict
        ``{our column: the source's own name}`` for the columns found under another name
        (e.g. ``{"case_id": "CRN", "gender": "Sex"}``), so outputs can speak the user's terms.
    rows : array or None
        Each case's row in the source (the spreadsheet's own row number for files, the index
        label for DataFrames), aligned with :attr:`data`, so later checks can name it.
    """

    data: pd.DataFrame
    source: str
    vocabulary: Mapping[str, Mapping[str, str]]
    excluded: pd.DataFrame
    filters: Mapping[str, Any] = field(default_factory=dict)
    columns: Mapping[str, str] = field(default_factory=dict)
    rows: Any = field(default=None, compare=False)

    def __len__(self) -> int:
        return len(self.data)

    def to_frame(self) -> pd.DataFrame:
        """A summary: cases per category of each stratification variable."""
        rows = []
        n = len(self.data)
        for column in REQUIRED_COLUMNS[1:]:
            counts = self.data[column].value_counts(sort=False)
            for category, count in counts.items():
                rows.append({"variable": column, "category": str(category), "cases": int(count),
                             "percent": 100.0 * count / n if n else float("nan")})
        return pd.DataFrame(rows, columns=["variable", "category", "cases", "percent"])

    def _title(self) -> str:
        return (f"Frame: {len(self.data):,} eligible cases from {self.source}"
                f" ({len(self.excluded):,} excluded by eligibility filters)")

    def _notes(self) -> list[str]:
        if not len(self.excluded):
            return []
        reasons = self.excluded["reason"].value_counts()
        return [f"excluded: {count:,} × {reason}" for reason, count in reasons.items()]


def frame_fingerprint(frame: Frame | pd.DataFrame, columns: Sequence[str] = REQUIRED_COLUMNS) -> str:
    """SHA-256 of the canonical text of ``columns`` of a loaded frame.

    The canonical text is column-wise: for each column in the order given, its name, then
    its values (rows sorted by ``case_id``, normalised spellings, missing as empty) one per
    line, then a record separator. Column-wise text hashes a 260,000-case frame in
    milliseconds and identifies exactly what decides a draw: the case ids and the
    stratification variables.
    """
    data = frame.data if isinstance(frame, Frame) else frame
    digest = hashlib.sha256()
    for column in columns:
        values = data[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            cats = np.asarray([str(c) for c in values.cat.categories] + [""], dtype=object)
            text = cats[values.cat.codes.to_numpy()]  # code -1 (missing) -> ""
        else:
            text = values.to_numpy(dtype=object)
            missing = pd.isna(text)
            if missing.any():
                text = text.copy()
                text[missing] = ""
            if not all(isinstance(v, str) for v in text[:1000]):
                text = np.asarray([str(v) for v in text], dtype=object)
        try:
            joined = "\n".join(text.tolist())
        except TypeError:  # a non-text value further down
            joined = "\n".join(str(v) for v in text.tolist())
        digest.update(str(column).encode("utf-8") + b"\n")
        digest.update(joined.encode("utf-8"))
        digest.update(b"\n\x1e\n")
    return digest.hexdigest()


def category_spellings() -> dict[str, dict[str, str]]:
    """Per vocabulary column, every known spelling's matching key → its category
    (``{"gender": {"m": "male", "male": "male", …}, …}``)."""
    return {column: {norm_label(s): canon for canon, spellings in cats.items() for s in (canon, *spellings)}
            for column, cats in VOCABULARY.items()}


def _in_our_names(mapping: Any, data: pd.DataFrame, source_columns: Mapping[str, str]) -> Any:
    """``mapping`` with keys given as the export's headers (``"Order Type"``) renamed to the
    column they were matched to (``"disposal"``); other keys are kept as given."""
    if not isinstance(mapping, Mapping) or not source_columns:
        return mapping
    return {(_frame_column(data, k, source_columns) or k): v for k, v in mapping.items()}


def _vocabulary(mapping: Mapping[str, Mapping[str, str]] | None) -> dict[str, dict[str, str]]:
    vocab = category_spellings()
    if mapping is None:
        return vocab
    if not isinstance(mapping, Mapping):
        raise ArgumentError("mapping", mapping, 'must be a dict like {"gender": {"X": "female"}}')
    for column, spellings in mapping.items():
        if not isinstance(spellings, Mapping):
            raise ArgumentError("mapping", mapping, f"mapping[{column!r}] must be a dict {{spelling: category}}")
        target = vocab.setdefault(column_key(column), {})
        for spelling, canon in spellings.items():
            canon_text = str(canon).strip()
            if not canon_text:
                raise ArgumentError("mapping", mapping, f"mapping[{column!r}][{spelling!r}] is blank")
            # onto a known category whatever its spelling, else a new category as written
            resolved = target.get(norm_label(canon_text), canon_text)
            target[norm_label(spelling)] = resolved
    return vocab


def _categories(column: str, vocab: Mapping[str, str]) -> list[str]:
    order = list(VOCABULARY.get(column, {}))
    for canon in vocab.values():
        if canon not in order:
            order.append(canon)
    return order


def _shown(value: Any) -> str:
    return "" if (value is None or (isinstance(value, float) and np.isnan(value))) else str(value)


def _normalise_column(values: pd.Series, column: str,
                      vocab: Mapping[str, str]) -> tuple[pd.Categorical | None, dict | None]:
    """(the column as categories, None) or (unusable, a problem record) when some value is not
    a known spelling: the problem lists each bad value's rows (see :func:`_problems_error`)."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    lookup = [vocab.get(norm_label(u)) for u in uniques]
    categories = _categories(column, vocab)
    position = {c: i for i, c in enumerate(categories)}
    code_map = np.array([position[c] if c is not None else -1 for c in lookup] + [-1], dtype=np.int64)
    new_codes = code_map[codes]  # NaN sentinel -1 picks the appended -1
    bad = new_codes < 0
    if not bad.any():
        return pd.Categorical.from_codes(new_codes, categories=categories, ordered=True), None  # type: ignore[call-overload]  # stubs: categories must be an Index
    where = np.flatnonzero(bad)
    rows = values.index[where].tolist()
    shown = [_shown(v) for v in values.to_numpy(dtype=object)[where]]
    groups: dict[str, list] = {}
    for row, text in zip(rows, shown):
        groups.setdefault(text if text.strip() else "", []).append(row)
    return None, {"column": column, "rows": rows, "values": shown, "groups": groups,
                  "categories": categories}


def _describe(problem: Mapping, header: str) -> str:
    """``Sex (gender): 'Unknown' × 12, rows 14, 88, 203, …`` for one column's bad values."""
    column = problem["column"]
    label = column if header == column else f"{header} ({column})"
    parts = []
    for text, rows in sorted(problem["groups"].items(), key=lambda kv: (kv[0] == "", -len(kv[1]), kv[0])):
        what = repr(text) if text else f"missing {column} (blank)"
        shown = ", ".join(str(r) for r in rows[:5]) + (", …" if len(rows) > 5 else "")
        parts.append(f"{what} × {len(rows)}, row{'s' if len(rows) > 1 else ''} {shown}")
    return f"{label}: " + "; ".join(parts)


def _problems_error(problems: list[dict], headers: Mapping[str, str]) -> DataError:
    """One DataError naming every unrecognised value in every strata column, under the
    export's own header (our name in brackets), with counts and first spreadsheet rows."""
    text = " | ".join(_describe(p, headers.get(p["column"], p["column"])) for p in problems)
    unknown = [(p, u) for p in problems for u in p["groups"] if u]
    if unknown:
        p, u = unknown[0]
        column = p["column"]
        header = headers.get(column, column)
        allowed = ", ".join(repr(c) for c in p["categories"])
        tail = ("(which category it belongs to is your decision; a case that belongs to none cannot be "
                "stratified by it, or can be set aside).")
        hint = (f"Known {column} categories: {allowed}. If {u!r} is another spelling of one of them, say "
                f"which: mapping={{{header!r}: {{{u!r}: '<category>'}}}} {tail}")
        cli_hint = (f"Known {column} categories: {allowed}. If {u!r} is another spelling of one of them, "
                    f"say which: --map '{header}:{u}=<category>' {tail}")
    else:
        p = problems[0]
        hint, cli_hint = f"Every case needs a {p['column']}: one of {', '.join(map(repr, p['categories']))}.", None
    pairs = sorted((r, v) for p in problems for r, v in zip(p["rows"], p["values"]))
    single = len(problems) == 1
    columns = ", ".join(headers.get(p["column"], p["column"]) for p in problems)
    message = (f"unrecognised values in {len(problems)} strata column{'s' if not single else ''} "
               f"({columns}): {text}")
    return DataError(message, column=problems[0]["column"] if single else None,
                     rows=[r for r, _ in pairs], values=[v for _, v in pairs], hint=hint, cli_hint=cli_hint)


def _case_ids(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(case ids as trimmed text, the permutation sorting them); blank/duplicate → DataError."""
    if pd.api.types.is_float_dtype(values.dtype):
        finite = values.dropna()
        if len(finite) and (finite == np.floor(finite)).all():
            values = values.astype("Int64")
    missing = values.isna().to_numpy()
    if pd.api.types.is_string_dtype(values.dtype) and not missing.any():
        text = values.to_numpy(dtype="U")
    else:
        text = np.asarray([("" if m else str(v)) for v, m in zip(values.to_numpy(dtype=object), missing)],
                          dtype="U")
    stripped = np.strings.strip(text)
    ids = pd.Series(stripped.astype(object), index=values.index, dtype=object)
    blank = stripped == ""
    if blank.any():
        raise DataError("blank case_id", column="case_id", rows=values.index[blank].tolist(),
                        hint="Every case needs a case reference.")
    order = np.argsort(stripped, kind="stable")
    ordered = stripped[order]
    same = ordered[1:] == ordered[:-1]
    if same.any():
        dup_values = set(ordered[1:][same].tolist())
        mask = np.isin(stripped, list(dup_values))
        raise DataError("duplicate case_id", column="case_id", rows=values.index[mask].tolist(),
                        values=stripped[mask].tolist(), hint="Each case must appear once in the frame.")
    return ids, order


def _source_table(source: Any, sheet: Any = None, header_row: Any = None) -> tuple[pd.DataFrame, str]:
    """(table, description): a Frame's data, a DataFrame, or a .csv/.xlsx file read as text."""
    if isinstance(source, Frame):
        return source.data, source.source
    if not isinstance(source, (str, os.PathLike, pd.DataFrame)):
        raise ArgumentError("source", source, "must be a CSV or XLSX path, a DataFrame or a Frame")
    table, description, from_file = read_table(source, what="frame", sheet=sheet, header_row=header_row,
                                               find=[REQUIRED_COLUMNS])
    return table, repr(description) if from_file else description


def _matched(table: pd.DataFrame, columns: Mapping[str, str] | None,
             description: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """The table with our required columns found (by name, alias or ``columns``) and renamed,
    and ``{our name: the source's name}`` for those renamed."""
    if len(table.columns) == 0 or len(table) == 0:
        raise DataError(f"the frame {description} has no cases (no data rows)")
    renames = match_columns(table.columns, REQUIRED_COLUMNS, columns, what="frame")
    missing = [c for c in REQUIRED_COLUMNS if c not in renames.values() and c not in table.columns]
    if missing:
        raise DataError(f"the frame {description} lacks required column(s) {', '.join(missing)}",
                        column=missing[0],
                        hint=(f"Columns found: {', '.join(map(str, table.columns))}. Rename them, or pass "
                              f"columns={{'<your column>': {missing[0]!r}}}."),
                        cli_hint=(f"Columns found: {', '.join(map(str, table.columns))}. Rename them, or add "
                                  f"--column '<your column>={missing[0]}'."))
    data = table.rename(columns=renames) if renames else table
    if data.columns.duplicated().any():
        dups = data.columns[data.columns.duplicated()].tolist()
        raise DataError("duplicate column names after matching", values=dups,
                        hint="Each column name must be used once.")
    return data, {ours: str(theirs) for theirs, ours in renames.items()}


def _disposal_filter(data: pd.DataFrame, disposals: Any, vocab: Mapping) -> tuple[np.ndarray, list[str]]:
    """Rows whose disposal is not one of ``disposals`` (any accepted spelling), and the kept types."""
    wanted = set()
    for d in ([disposals] if isinstance(disposals, str) else list(disposals)):
        canon = vocab["disposal"].get(norm_label(d))
        if canon is None:
            raise ArgumentError("disposals", disposals,
                                f"{d!r} is not a disposal type ({', '.join(_categories('disposal', vocab['disposal']))})")
        wanted.add(canon)
    # look each distinct spelling up once (a frame has few, and may have 260,000 rows)
    codes, spellings = pd.factorize(data["disposal"].to_numpy(dtype=object))
    canon = np.array([vocab["disposal"].get(norm_label(v)) for v in spellings] + [None], dtype=object)
    norm = canon[codes]  # code −1 (missing) picks the trailing None
    known = norm != None  # noqa: E711 (elementwise on an object array)
    return known & ~np.isin(norm, list(wanted)), sorted(wanted)


def _assemble(data: pd.DataFrame, case_id: pd.Series, order: np.ndarray, vocab: Mapping,
              mapping: Any, headers: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The frame's table: normalised strata, carried columns, sorted by case id; every
    unrecognised strata value in every column → one DataError."""
    out: dict[str, Any] = {"case_id": None}
    problems = []
    for column in REQUIRED_COLUMNS[1:]:
        out[column], problem = _normalise_column(data[column], column, vocab[column])
        if problem:
            problems.append(problem)
    if problems:
        raise _problems_error(problems, headers or {})
    for column in [c for c in data.columns if c not in out]:
        values = data[column].reset_index(drop=True)
        key = column_key(column)
        if mapping and key in vocab and key not in VOCABULARY:  # user spellings for another column
            spellings = vocab[key]
            values = values.map(lambda v: spellings.get(norm_label(v), v) if isinstance(v, str) else v)
        out[column] = values
    out["case_id"] = np.asarray(case_id.to_numpy(dtype=object), dtype=object)
    frame_data = pd.DataFrame(out).take(order).reset_index(drop=True)
    frame_data["case_id"] = frame_data["case_id"].astype(str)
    return frame_data


def _frame_column(data: pd.DataFrame, key: Any, source_columns: Mapping[str, str]) -> str | None:
    """The frame column ``key`` names — the export's own header or our name, matched exactly,
    then ignoring case and spaces — or None."""
    theirs = {v: k for k, v in source_columns.items()}
    if str(key) in theirs:
        return theirs[str(key)]
    if key in data.columns:
        return key
    loose = {column_key(h): ours for h, ours in theirs.items()}
    if column_key(str(key)) in loose:
        return loose[column_key(str(key))]
    found = [c for c in data.columns if column_key(str(c)) == column_key(str(key))]
    return found[0] if len(found) == 1 else None


def _set_aside_column(data: pd.DataFrame, key: Any, source_columns: Mapping[str, str]) -> str:
    """The frame column a ``set_aside`` key names, or an error listing the export's headers."""
    column = _frame_column(data, key, source_columns)
    if column is None:
        headers = [source_columns.get(str(c), str(c)) for c in data.columns]
        raise ArgumentError("set_aside", key, f"is not a column of the frame (columns: {', '.join(headers)})")
    return column


def _set_aside_filter(data: pd.DataFrame, set_aside: Any, source_columns: Mapping[str, str],
                      keep: np.ndarray, reasons: np.ndarray) -> tuple[np.ndarray, dict[str, list[str]]]:
    """Leave out cases whose ``column`` holds one of the listed values (spelling matched like
    categories: case and spaces ignored), each with the reason ``set aside: COLUMN = 'VALUE'``."""
    if not isinstance(set_aside, Mapping):
        raise ArgumentError("set_aside", set_aside, 'must be a dict like {"RoSH Level": ["Not Assessed"]}')
    record: dict[str, list[str]] = {}
    for key, values in set_aside.items():
        values = [values] if isinstance(values, str) else list(values)
        if not values or not all(isinstance(v, str) and v.strip() for v in values):
            raise ArgumentError("set_aside", set_aside, f"set_aside[{key!r}] must list non-blank values")
        column = _set_aside_column(data, key, source_columns)
        header = source_columns.get(str(column), str(column))
        wanted = {norm_label(v): v for v in values}
        labels = data[column].map(lambda v: norm_label(v) if isinstance(v, str) else None).to_numpy(dtype=object)
        for label, value in wanted.items():
            hit = (labels == label) & keep
            reasons[hit] = f"set aside: {header} = {value!r}"
            keep = keep & ~hit
        record[header] = list(values)
    return keep, record


def load_frame(
    source: str | os.PathLike | pd.DataFrame | Frame,
    *,
    mapping: Mapping[str, Mapping[str, str]] | None = None,
    columns: Mapping[str, str] | None = None,
    months_since_start: tuple[float, float] | None = None,
    as_of: Any = None,
    start_column: str = "start_date",
    disposals: Iterable[str] | None = None,
    set_aside: Mapping[str, Iterable[str]] | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
) -> Frame:
    """Read and check an eligible-population frame.

    Parameters
    ----------
    source : path, DataFrame or Frame
        A ``.csv`` (UTF-8) or ``.xlsx`` file, or a DataFrame, one row per case. Required
        columns ``case_id``, ``gender``, ``disposal``, ``rosh`` (names matched
        case-insensitively; aliases in :data:`sampling._tables.COLUMN_ALIASES`, shared with
        results); others are carried through.
    mapping : dict, optional
        Extra spellings per column, e.g. ``{"gender": {"X": "female"}}``; a value that is
        not a known category becomes a new category of that column.
    columns : dict, optional
        Source column names for our columns, e.g. ``{"CRN": "case_id", "Tier": "rosh"}``.
    months_since_start : (low, high), optional
        Keep cases whose supervision began between ``low`` and ``high`` calendar months
        before ``as_of``, inclusive (see :func:`calendar_months`): the report's "six to
        seven months" is ``(6, 7)``, and on 1 February 2019 it keeps starts from 1 July to
        1 August 2018, both days included. Needs a ``start_date`` column (``start_column``,
        matched like any column name: ``Start Date`` will do).
    as_of : date, optional
        Reference date for ``months_since_start``; default today (recorded in
        :attr:`Frame.filters`; pass it explicitly to reproduce a frame).
    start_column : str
        The column of supervision start dates.
    disposals : list of str, optional
        Keep only these disposal types (any accepted spelling), e.g. ``["licence", "PSS"]``.
    set_aside : dict, optional
        Cases to leave out of the eligible population by a column's value, e.g.
        ``{"RoSH Level": ["Not Assessed"]}`` (the export's header or our name; values
        matched ignoring case and spaces). They are listed in :attr:`Frame.excluded` with the
        reason, are not checked against the strata vocabulary, and are recorded in
        :attr:`Frame.filters` (so the draw's manifest holds them and verify repeats them).
    sheet, header_row : optional
        A workbook's sheet and the header's row number; by default the first sheet and row
        holding the required columns (a title row or a notes sheet first is skipped). Error
        rows are the spreadsheet's own row numbers.

    Returns
    -------
    Frame

    Raises
    ------
    DataError
        Unreadable or wrong file type, missing file, no rows, missing required column,
        blank or duplicate ``case_id``, unknown or missing category (rows, column and
        values listed), unreadable start dates, or no eligible case left after filtering.

    Examples
    --------
    >>> import sampling
    >>> table = sampling.synthetic_frame(300, rng=1).rename(columns={"gender": "Sex", "rosh": "RoSH Level"})
    >>> frame = sampling.load_frame(table)
    >>> len(frame.data), frame.columns
    (300, {'case_id': 'case_id', 'gender': 'Sex', 'disposal': 'disposal', 'rosh': 'RoSH Level'})
    >>> sorted(frame.data["gender"].unique())
    ['female', 'male']
    """
    table, description = _source_table(source, sheet, header_row)
    if isinstance(source, Frame) and mapping is None and columns is None \
            and months_since_start is None and disposals is None and set_aside is None:
        return source
    data, source_columns = _matched(table, columns, description)
    mapping = _in_our_names(mapping, data, source_columns)
    vocab = _vocabulary(mapping)
    case_id, order = _case_ids(data["case_id"])
    keep = np.ones(len(data), dtype=bool)
    reasons = np.full(len(data), "", dtype=object)
    filters: dict[str, Any] = {}
    if set_aside:
        keep, filters["set_aside"] = _set_aside_filter(data, set_aside, source_columns, keep, reasons)
    if disposals is not None:
        out, filters["disposals"] = _disposal_filter(data, disposals, vocab)
        reasons[out & keep] = "disposal not in " + ", ".join(filters["disposals"])
        keep &= ~out
    if months_since_start is not None:
        keep, more = months_filter(data, months_since_start, as_of, start_column, keep, reasons)
        filters.update(more)
    excluded = pd.DataFrame({"row": data.index[~keep].tolist(), "case_id": case_id[~keep].tolist(),
                             "reason": reasons[~keep].tolist()}, columns=["row", "case_id", "reason"])
    if not keep.any():
        raise DataError(f"no eligible case in {description}: all {len(data):,} rows were excluded by the filters",
                        hint=f"Reasons: {excluded['reason'].value_counts().to_dict()}")
    if not keep.all():
        data, case_id = data[keep], case_id[keep]
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        order = np.argsort(rank[keep], kind="stable")
    used = {column: dict(spellings) for column, spellings in vocab.items()}
    return Frame(data=_assemble(data, case_id, order, vocab, mapping, source_columns), source=description,
                 vocabulary=used, excluded=excluded, filters=filters, columns=source_columns,
                 rows=data.index.to_numpy()[order])
