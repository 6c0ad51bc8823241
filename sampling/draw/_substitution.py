"""A draw through fieldwork: substitutions recorded in the draw itself, and the draw verified.

:func:`substitute_case` replaces a sampled case that cannot be inspected by the next unused
reserve of its cell, in the draw workbook (or draw folder) itself: the reserve's id and
strata take the case's row of the ``fieldwork`` sheet (answers blank, the note says whom it
replaces and why), and ``substitutions`` gains the record; ``cases`` keeps the draw as
drawn. The file is read and rewritten (atomically) under an exclusive lock
(:func:`~sampling._utils._io.file_lock`), so two substitutions made at once both land.

:func:`verify_draw` re-draws from the frame with the manifest (seed, bit-generator state,
n, strata, reserves rule, eligibility filters) and says whether the workbook's draw is the
one the frame and seed give, whether the frame is the one drawn from (its fingerprint), and
whether the fieldwork sheet holds every case of the sample once (after the recorded
substitutions, each taken in its cell's reserve order).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from .._utils._display import TableResult
from ._draw import verify_manifest
from ._drawfile import FIELDWORK, SUBSTITUTION_COLUMNS
from ._drawread import read_draw
from ._frame import frame_fingerprint, load_frame
from .._utils._io import atomic_dir, atomic_path, escape_cell, file_lock, write_csv
from .._utils._workbook import format_workbook, make_reproducible
from ..errors import ArgumentError, DataError

__all__ = ["substitute_case", "verify_draw", "DrawCheck"]


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
    header = [c.value for c in subs[1]]
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


def substitute_case(path: str | os.PathLike, case_id: Any, reason: str) -> dict:
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
        Re-drawing from the frame with the manifest gives the workbook's cases and
        reserves, in order.
    frame_matches : bool
        The frame has the fingerprint (and number of eligible cases) the manifest records.
    workbook, frame : str
        What was checked.
    manifest : dict
        The workbook's manifest.
    substitutions : DataFrame
        The substitutions recorded in the workbook.
    problems : tuple of str
        What is wrong with the fieldwork sheet or the substitutions (empty when sound).
    """

    identical: bool
    frame_matches: bool
    workbook: str
    frame: str
    manifest: Mapping[str, Any] = field(default_factory=dict)
    substitutions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SUBSTITUTION_COLUMNS))
    problems: tuple[str, ...] = ()

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
            return (f"verified: {self.workbook} is the draw of {m.get('n')} cases that {self.frame} and seed "
                    f"{m.get('seed')} give (frame fingerprint {str(m.get('frame_sha256'))[:12]}…, "
                    f"{m.get('frame_rows')} eligible cases); {len(self.substitutions)} substitution(s) recorded")
        why = ("the frame is not the one drawn from (its fingerprint or number of eligible cases differs)"
               if not self.frame_matches else "the cases or reserves differ from the re-draw (an edited workbook)")
        return f"NOT verified: {self.workbook} is not the draw that {self.frame} and seed {m.get('seed')} give: {why}"

    def _notes(self) -> list[str]:
        return list(self.problems)


def _sheet_problems(sample: Any) -> list[str]:
    """The fieldwork sheet against the sample as it stands: every case once, nothing else."""
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


def verify_draw(path: str | os.PathLike, frame: Any, *, mapping: Mapping[str, Mapping[str, str]] | None = None,
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
    sample = read_draw(path)
    m = sample.manifest
    loaded = _frame_for(m, frame, {"mapping": mapping, "sheet": sheet, "header_row": header_row})
    columns = [c for c in m.get("frame_sha256_columns", ()) if c in loaded.data.columns]
    matches = len(loaded.data) == m.get("frame_rows") and frame_fingerprint(loaded, columns) == m.get("frame_sha256")
    identical = bool(matches and verify_manifest(loaded, sample))
    return DrawCheck(identical=identical, frame_matches=bool(matches), workbook=str(path),
                     frame=loaded.source.strip("'"), manifest=m, substitutions=sample.substitutions,
                     problems=tuple(_sheet_problems(sample)))
