"""A draw through fieldwork: substitutions recorded in the draw itself, and the draw verified.

:func:`substitute_case` replaces a sampled case that cannot be inspected by the next unused
reserve of its cell, in the draw workbook (or draw folder) itself: the reserve's id and
strata take the case's row of the ``fieldwork`` sheet (answers blank, the note says whom it
replaces and why), and ``substitutions`` gains the record; ``cases`` keeps the draw as
drawn. The file is read and rewritten (atomically) under an exclusive lock
(:func:`~sampling._utils._io.file_lock`), so two substitutions made at once both land.

:func:`verify_draw` re-draws from the frame with the manifest (its seed itself, checked against
the recorded bit-generator state; n, strata, reserves rule, eligibility filters) and compares
the workbook's ``cases``, ``reserves`` and ``allocation`` sheets with the re-draw case by case,
naming every differing case id, stratum and N_h; it checks the frame's fingerprint and the
manifest's N against the frame, recomputes the draw fingerprint (``draw_sha256``, absent from
older workbooks), and checks that the fieldwork sheet holds every case of the sample once
(after the recorded substitutions, each taken in its cell's reserve order) with its strata as
drawn. A check that passes means the workbook is that draw.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

import pandas as pd

from .._utils._display import TableResult
from ._draw import redraw
from ._layout import FIELDWORK, PLAIN_HEADERS, SUBSTITUTION_COLUMNS
from ._drawread import read_draw, read_sheet, sheets_read_once
from ._tamper import canon_cell, describe_edits, draw_fingerprint, strata_edits
from ._frame import frame_fingerprint, load_frame
from .._utils._io import atomic_dir, atomic_path, escape_cell, file_lock, write_csv
from .._utils._workbook import format_workbook, make_reproducible
from ..errors import ArgumentError, DataError, SamplingError

if TYPE_CHECKING:
    from .._utils._types import FrameSource
    from ._frame import Frame


__all__ = ["substitute_case", "verify_draw", "DrawCheck", "drawn_sheets"]


def _kq_columns(header: list, manifest: Mapping[str, Any]) -> list[int]:
    """Positions of the key-question columns (headed ``"<id>: <wording>"`` or ``"<id>"``)."""
    kqs = {str(k) for k in manifest.get("key_questions", [])}
    return [j for j, h in enumerate(header) if str(h).split(":", 1)[0].strip() in kqs]


def _replaceable(sample: Any, key: str, where: str) -> None:
    """Refuse a case already replaced, a reserve, or an id not in the sample."""
    subs = sample.substitutions
    done = subs[subs["replaced_case_id"].astype(str) == key]
    if len(done):
        by = done["reserve_case_id"].iloc[0]
        raise ArgumentError("case_id", key, f"was already replaced by {by} in {where}; substitute {by} "
                            "if it cannot be inspected either")
    if key in set(sample.cases["case_id"].astype(str)):
        return
    if key in set(sample.reserves["case_id"].astype(str)):
        raise ArgumentError("case_id", key, f"is a reserve of {where}, not a sampled case (a reserve enters "
                            "the sample only by replacing a sampled case)")
    raise ArgumentError("case_id", key, f"is not a sampled case of {where} (see its {FIELDWORK!r} sheet)")


def _row_of(sheet: pd.DataFrame, id_column: str, key: str, where: str, manifest: Mapping[str, Any]) -> int:
    """The 0-based data row of ``key`` in the fieldwork sheet, checked to hold no answers."""
    if id_column not in sheet.columns:
        raise DataError(f"{where} sheet {FIELDWORK!r} has no case id column", column=id_column)
    hits = [i for i, v in enumerate(sheet[id_column].astype(str).str.strip()) if v == key]
    if len(hits) != 1:
        raise DataError(f"{where} sheet {FIELDWORK!r} holds case {key} {len(hits)} times (once expected)",
                        column=id_column, rows=[i + 2 for i in hits], values=[key],
                        hint="Restore the sheet's row of this case (one row per sampled case).")
    header = list(sheet.columns)
    row = sheet.iloc[hits[0]]
    answered = [(header[j], str(row.iloc[j])) for j in _kq_columns(header, manifest) if str(row.iloc[j]).strip()]
    if answered:
        raise DataError(f"case {key} already has answers in {where} sheet {FIELDWORK!r}: an inspected case is "
                        "not replaced", column=answered[0][0], rows=[hits[0] + 2], values=[v for _, v in answered],
                        hint="Clear its answers first if it truly cannot be used.")
    return hits[0]


def _new_row(header: list, old: pd.Series, record: Mapping[str, Any], reserve: pd.Series,
             manifest: Mapping[str, Any]) -> list:
    """The fieldwork row of the reserve: its id and strata, answers blank, a note."""
    names = manifest.get("columns", {})
    ours = {str(names.get(c, c)): c for c in ["case_id", *manifest.get("strata", [])]}
    kq = set(_kq_columns(header, manifest))
    carried = {str(c) for c in manifest.get("carry", []) if c in reserve.index}
    out = []
    for j, h in enumerate(header):
        if h in ours:
            out.append(str(reserve[ours[h]]))
        elif j in kq:
            out.append("")
        elif h == "notes":
            out.append(f"replaces {record['replaced_case_id']}: {record['reason']}")
        elif h in carried:  # the reserve's own office, officer, start date …
            value = reserve[h]
            out.append("" if pd.isna(value) else value)
        elif h in ("Inspector", "Date inspected"):
            out.append("")
        else:
            out.append(old.iloc[j])
    return out


def _save_workbook(path: Path, row: int, values: list, record: Mapping[str, Any]) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb[FIELDWORK]
    for j, value in enumerate(values, start=1):
        ws.cell(row + 2, j).value = escape_cell(value) if value != "" else None
    subs = wb["substitutions"]
    header: list[Any] = [c.value for c in subs[1]]  # the sheet's header cells, as written
    for name in SUBSTITUTION_COLUMNS:
        if name not in header:
            subs.cell(1, len(header) + 1).value = name
            header.append(name)
    subs.append([escape_cell(record.get(h)) for h in header])
    format_workbook(wb, wrap_headers_at=30)
    with atomic_path(path) as tmp:
        wb.save(tmp)
        make_reproducible(tmp)


def _save_folder(path: Path, sheet: pd.DataFrame, subs: pd.DataFrame) -> None:
    with atomic_dir(path) as staging:
        write_csv(sheet, staging / f"{FIELDWORK}.csv")
        write_csv(subs.reindex(columns=SUBSTITUTION_COLUMNS), staging / "substitutions.csv")


def _take_reserve(sample: Any, key: str, reason: str, where: str) -> tuple[pd.Series, Any]:
    try:
        return sample.substitute(key, reason)
    except DataError as exc:
        raise DataError(f"{where}: {exc.message}", values=[key],
                        hint="Replace this case by hand and say so in its notes, or draw again with a larger "
                             "--reserves and the same seed (the sample and its first reserves stay the same, "
                             "but the substitutions recorded so far must be made again).") from None


def substitute_case(path: str | os.PathLike, case_id: str, reason: str) -> dict:
    """Replace a sampled case by the next unused reserve of its cell, in the draw itself.

    Parameters
    ----------
    path : path
        A draw workbook (``.xlsx``) or draw folder written by ``sampling draw --sample``.
    case_id : str
        The sampled case that cannot be inspected (as in the fieldwork sheet).
    reason : str
        Why; recorded in ``substitutions`` and in the row's notes.

    Returns
    -------
    dict
        The record: ``replaced_case_id, reserve_case_id, cell, reserve_rank, reason``.

    Raises
    ------
    ArgumentError
        A blank ``reason``; ``case_id`` not a sampled case, already replaced, or a reserve.
    DataError
        The case has answers already, its row is missing from the fieldwork sheet, or its
        cell has no unused reserve left.

    Examples
    --------
    >>> import tempfile, sampling
    >>> from pathlib import Path
    >>> frame = sampling.load_frame(sampling.synthetic_frame(668, rng=1))
    >>> sample = sampling.draw_sample(frame, 132, rng=2019)
    >>> path = sampling.write_draw_workbook(sample, Path(tempfile.mkdtemp()) / "draw.xlsx",
    ...                                     sample_name="case_supervision", frame=frame)
    >>> first = sample.cases["case_id"].iloc[0]
    >>> record = sampling.substitute_case(path, first, reason="file could not be found")
    >>> record["replaced_case_id"] == first, record["reserve_rank"]
    (True, 1)
    """
    text = str(reason or "").strip()
    if not text:
        raise ArgumentError("reason", reason, "must say why the case cannot be inspected")
    p = Path(path)
    with file_lock(p):
        return _substitute_locked(p, case_id, text)


def _substitute_locked(p: Path, case_id: Any, text: str) -> dict:
    """Read the draw, take the reserve and rewrite the file (the caller holds the lock)."""
    sample = read_draw(p)
    key, where = str(case_id).strip(), repr(str(p))
    _replaceable(sample, key, where)
    sheet = sample.fieldwork
    if sheet is None:
        raise DataError(f"{where} has no fieldwork sheet to swap the case in",
                        hint="Draw with --sample NAME (sample_name= in Python) so the workbook has one.")
    id_column = str(sample.manifest.get("columns", {}).get("case_id", "case_id"))
    row = _row_of(sheet, id_column, key, where, sample.manifest)
    reserve, new = _take_reserve(sample, key, text, where)
    record = {k: (int(v) if k == "reserve_rank" else str(v)) for k, v in new.substitutions.iloc[-1].items()
              if k in SUBSTITUTION_COLUMNS}
    values = _new_row(list(sheet.columns), sheet.iloc[row], record, reserve, sample.manifest)
    if p.is_dir():
        sheet = sheet.copy()
        sheet.iloc[row] = values
        _save_folder(p, sheet, new.substitutions)
    else:
        _save_workbook(p, row, values, record)
    return record


# --------------------------------------------------------------------------- verify
@dataclass(frozen=True, repr=False)
class DrawCheck(TableResult):
    """Whether a draw workbook is the draw its frame and seed give (:func:`verify_draw`).

    Attributes
    ----------
    identical : bool
        Re-drawing from the frame with the manifest's settings gives the workbook's cases
        (ids, cells, strata), reserves and allocation (N_h, n_h), in order; the manifest's
        seed gives its recorded generator state; its N is the frame's; and the draw
        fingerprint (``draw_sha256``) is that of the workbook's sheets (or absent).
    frame_matches : bool
        The frame has the fingerprint (and number of eligible cases) the manifest records.
    workbook, frame : str
        What was checked.
    manifest : dict
        The workbook's manifest.
    substitutions : DataFrame
        The substitutions recorded in the workbook.
    problems : tuple of str
        What is wrong with the fieldwork sheet or the substitutions (empty when sound):
        cases lost or duplicated, strata edited on the fieldwork sheet.
    differences : tuple of str
        Why the workbook is not the draw (empty when identical), naming the case ids.
    fingerprint : {"matches", "differs", "absent"}
        The draw fingerprint recomputed from the workbook against the manifest's;
        "absent" for a workbook written before it was recorded (then the case-by-case
        re-draw alone decides).
    """

    identical: bool
    frame_matches: bool
    workbook: str
    frame: str
    manifest: Mapping[str, Any] = field(default_factory=dict)
    substitutions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SUBSTITUTION_COLUMNS))
    problems: tuple[str, ...] = ()
    differences: tuple[str, ...] = ()
    fingerprint: str = "absent"

    @property
    def ok(self) -> bool:
        """The draw is identical and its fieldwork sheet sound."""
        return self.identical and not self.problems

    def to_frame(self) -> pd.DataFrame:
        """The recorded substitutions (a copy)."""
        return self.substitutions.copy()

    @property
    def headline(self) -> str:
        """One line: verified, or not and why."""
        return self._title()

    def _title(self) -> str:
        m = self.manifest
        if self.identical:
            seed = m.get("seed")
            how = f"seed {seed}" if seed is not None else "the recorded generator state"
            print_ = (f"draw fingerprint {str(m.get('draw_sha256'))[:12]}…" if self.fingerprint == "matches" else
                      "no draw fingerprint (an older workbook; compared case by case with the re-draw)")
            return (f"verified: {self.workbook} is the draw of {_count(m.get('n'))} cases that {self.frame} and {how} "
                    f"give (frame fingerprint {str(m.get('frame_sha256'))[:12]}…, {_count(m.get('frame_rows'))} eligible "
                    f"cases; {print_}); {len(self.substitutions)} substitution(s) recorded")
        return (f"NOT verified: {self.workbook} is not the draw that {self.frame} and its manifest's settings "
                f"give: {self.differences[0] if self.differences else 'it differs from the re-draw'}"
                + (f" (and {len(self.differences) - 1} more difference(s))" if len(self.differences) > 1 else ""))

    def _notes(self) -> list[str]:
        return [*self.differences[1:], *self.problems]


def _sheet_problems(sample: Any) -> list[str]:
    """The fieldwork sheet against the sample as it stands: every case once, nothing else,
    and each case's strata as drawn."""
    id_column = str(sample.manifest.get("columns", {}).get("case_id", "case_id"))
    if sample.fieldwork is None or id_column not in sample.fieldwork.columns:
        return [f"the fieldwork sheet has no {id_column!r} column"]
    ids = sample.fieldwork[id_column].astype(str).str.strip()
    ids = ids[ids != ""]
    want = set(sample.cases["case_id"].astype(str))
    out = []
    dup = sorted(set(ids[ids.duplicated()]))
    if dup:
        out.append(f"fieldwork sheet: case(s) listed twice: {', '.join(dup)}")
    extra = sorted(set(ids) - want)
    if extra:
        out.append(f"fieldwork sheet: case(s) not in the sample (nor a recorded substitution): {', '.join(extra)}")
    missing = sorted(want - set(ids))
    if missing:
        out.append(f"fieldwork sheet: sampled case(s) missing: {', '.join(missing)}")
    edits = strata_edits(sample.fieldwork, sample.cases, sample.manifest)
    if len(edits):
        out.append(f"fieldwork sheet: the strata of {edits['case_id'].nunique()} case(s) differ from the draw's "
                   f"(sheet 'cases'): {describe_edits(edits)}")
    return out + _order_problems(sample)


def _order_problems(sample: Any) -> list[str]:
    """Each cell's reserves taken in rank order (1, 2, …)."""
    out = []
    subs = sample.substitutions
    for cell, ranks in subs.groupby(subs["cell"].astype(str), sort=False)["reserve_rank"]:
        got = [int(r) for r in ranks]
        if got != list(range(1, len(got) + 1)):
            out.append(f"substitutions: cell {cell!r} took reserves {got}, not in rank order 1, 2, …")
    return out


def drawn_sheets(path: str | os.PathLike) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The ``cases`` (as drawn, before substitutions), ``reserves`` and ``allocation`` (our
    column names) of a draw workbook or folder, every cell as text."""
    allocation = read_sheet(path, "allocation").rename(columns={v: k for k, v in PLAIN_HEADERS.items()})
    return read_sheet(path, "cases"), read_sheet(path, "reserves"), allocation


def _frame_for(manifest: Mapping[str, Any], frame: Any, kw: Mapping[str, Any]) -> Any:
    """The frame loaded with the manifest's eligibility filters."""
    filters = dict(manifest.get("frame_filters") or {})
    load = dict(kw)
    if filters.get("months_since_start") is not None:
        load.update(months_since_start=tuple(filters["months_since_start"]), as_of=filters.get("as_of"),
                    start_column=filters.get("start_column", "start_date"))
    if filters.get("disposals") is not None:
        load["disposals"] = list(filters["disposals"])
    if filters.get("set_aside"):
        load["set_aside"] = {str(k): list(v) for k, v in dict(filters["set_aside"]).items()}
    return load_frame(frame, **load)


_SHOWN = 8  # differing cases named in full; the rest counted


def _listed(items: list[str]) -> str:
    more = len(items) - _SHOWN
    return "; ".join(items[:_SHOWN]) + (f"; and {more} more" if more > 0 else "")


def _table_differences(what: str, ours: pd.DataFrame, again: pd.DataFrame, key: list[str],
                       strata: list[str]) -> list[str]:
    """The rows of a workbook sheet against the re-draw, position by position."""
    a = ours.reset_index(drop=True)
    b = again.reset_index(drop=True)
    out = []
    if len(a) != len(b):
        out.append(f"sheet {what!r} holds {len(a)} row(s) where the re-draw gives {len(b)}")
    ids, fields = [], []
    for i in range(min(len(a), len(b))):
        mine, theirs = canon_cell(a.at[i, "case_id"]), canon_cell(b.at[i, "case_id"])
        if mine != theirs:
            ids.append(f"row {i + 2}: {mine or '(blank)'} where the re-draw gives {theirs}")
            continue
        for c in [*key, *strata]:
            x = canon_cell(a.at[i, c]) if c in a.columns else ""
            y = canon_cell(b.at[i, c])
            if x != y:
                fields.append(f"{mine} {c} {x!r} (the frame gives {y!r})")
    if ids:
        out.append(f"sheet {what!r}: {len(ids)} case id(s) differ from the re-draw: {_listed(ids)}")
    if fields:
        out.append(f"sheet {what!r}: {len(fields)} value(s) differ from the re-draw: {_listed(fields)}")
    return out


def _allocation_differences(ours: pd.DataFrame, again: pd.DataFrame) -> list[str]:
    mine = {canon_cell(r["cell"]): (canon_cell(r.get("N_h")), canon_cell(r.get("n_h"))) for _, r in ours.iterrows()}
    out = []
    for _, r in again.iterrows():
        cell = canon_cell(r["cell"])
        want = (canon_cell(r["N_h"]), canon_cell(r["n_h"]))
        got = mine.pop(cell, None)
        if got is None:
            out.append(f"cell {cell!r} missing")
        elif got != want:
            out.append(f"cell {cell!r}: N_h {got[0]}, n_h {got[1]} where the frame gives N_h {want[0]}, "
                       f"n_h {want[1]}")
    out += [f"cell {c!r} not in the re-draw" for c in mine]
    return [f"sheet 'allocation': {_listed(out)}"] if out else []


def _population_differences(m: Mapping[str, Any], rows: int) -> list[str]:
    out = []
    for key in ("frame_rows", "population"):
        if key in m and canon_cell(m.get(key)) != str(rows):
            out.append(f"the manifest's {key} is {m.get(key)} but the frame has {rows:,} eligible cases")
    return out


def _fingerprint(sheets: tuple, m: Mapping[str, Any]) -> tuple[str, list[str]]:
    recorded = m.get("draw_sha256")
    if not recorded:
        return "absent", []
    cases, reserves, allocation = sheets
    if draw_fingerprint(cases, reserves, allocation, m) == str(recorded).strip():
        return "matches", []
    return "differs", ["the draw fingerprint (draw_sha256) is not that of the workbook's cases, reserves, "
                       "allocation and manifest: one of them, or the fingerprint, was edited after the draw"]


def verify_draw(path: str | os.PathLike, frame: Frame | FrameSource, *, mapping: Mapping[str, Mapping[str, str]] | None = None,
                sheet: str | None = None, header_row: int | None = None) -> DrawCheck:
    """Re-draw from ``frame`` with the draw's manifest and compare (see the module notes).

    Parameters
    ----------
    path : path
        A draw workbook or folder written by ``sampling draw --sample``.
    frame : path, DataFrame or Frame
        The frame drawn from; the manifest's eligibility filters are applied again.
    mapping, sheet, header_row : optional
        As given to :func:`~sampling.load_frame` for the draw.

    Returns
    -------
    DrawCheck

    Examples
    --------
    >>> import tempfile, sampling
    >>> from pathlib import Path
    >>> table = sampling.synthetic_frame(668, rng=1)
    >>> frame = sampling.load_frame(table)
    >>> sample = sampling.draw_sample(frame, 132, rng=2019)
    >>> path = sampling.write_draw_workbook(sample, Path(tempfile.mkdtemp()) / "draw.xlsx",
    ...                                     sample_name="case_supervision", frame=frame)
    >>> sampling.verify_draw(path, table).ok
    True
    """
    with sheets_read_once():
        sample = read_draw(path)
        sheets = drawn_sheets(path)  # cases as drawn, reserves, allocation
    m = sample.manifest
    loaded = _frame_for(m, frame, {"mapping": mapping, "sheet": sheet, "header_row": header_row})
    columns = [c for c in m.get("frame_sha256_columns", ()) if c in loaded.data.columns]
    matches = len(loaded.data) == m.get("frame_rows") and frame_fingerprint(loaded, columns) == m.get("frame_sha256")
    differences = _population_differences(m, len(loaded.data))
    if not matches:
        differences.insert(0, "the frame is not the one drawn from (its fingerprint or number of eligible cases "
                              "differs from the manifest's)")
    else:
        differences += _redraw_differences(sheets, loaded, m)
    status, edited = _fingerprint(sheets, m)  # the specific reasons first, the fingerprint's last
    differences += edited
    return DrawCheck(identical=not differences, frame_matches=bool(matches), workbook=str(path),
                     frame=loaded.source.strip("'"), manifest=m, substitutions=sample.substitutions,
                     problems=tuple(_sheet_problems(sample)), differences=tuple(differences), fingerprint=status)


def _redraw_differences(sheets: tuple, loaded: Any, m: Mapping[str, Any]) -> list[str]:
    """The workbook's sheets, case by case, against the re-draw with the manifest's settings."""
    try:
        again, out = redraw(loaded, m)
    except (SamplingError, KeyError, TypeError, ValueError) as exc:
        return [f"the manifest's settings do not re-draw ({exc})"]
    cases, reserves, allocation = sheets
    strata = [str(s) for s in m.get("strata", [])]
    out += _table_differences("cases", cases, again.cases, ["selection_order", "cell"], strata)
    out += _table_differences("reserves", reserves, again.reserves, ["cell", "reserve_rank"], strata)
    out += _allocation_differences(allocation, again.allocation)
    if canon_cell(m.get("n")) != str(len(again.cases)):
        out.append(f"the manifest's n is {m.get('n')} but the re-draw has {len(again.cases)} cases")
    return out


def _count(value: Any) -> str:
    """A count from the manifest with thousands separators (1,000,000), as it was if not whole."""
    if value is None:
        return "an unknown number of"
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)
