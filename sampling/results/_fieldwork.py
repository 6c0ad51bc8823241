"""Filled draw workbooks read back as an inspection's Results.

The draw workbook itself (its sheets, the fieldwork sheet's columns, the manifest) is
written and read by :mod:`sampling._drawfile`; substitutions and verification are in
:mod:`sampling._substitution`. :func:`read_fieldwork` reads one or more filled workbooks
(or draw folders) back as :class:`~sampling.Results`: provider, sample, N (so the finite
population correction applies without being asked) and strata from the manifest, each
stratum cell's population N_h from the ``allocation`` sheet (so estimates are design-weighted
without being asked; see :mod:`sampling._weights`), answers from the fieldwork sheet, each case id checked against the draw (a case not drawn is an
error; a drawn case missing from the sheet is named in a note).
"""
from __future__ import annotations

import dataclasses
import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..draw._layout import FIELDWORK, PLAIN_HEADERS
from ..draw._drawread import is_draw_workbook, read_manifest, read_sheet
from ..draw._tamper import describe_edits, strata_edits
from .._utils._tables import blank_after_strip
from ..errors import DataError

if TYPE_CHECKING:
    from .._utils._types import PopulationLike
    from ._results import Results


__all__ = ["read_fieldwork", "is_draw_workbook", "write_draw_workbook", "write_draw_folder"]


def __getattr__(name: str) -> Any:
    """The draw workbook's writers stay importable from here, loaded only when asked for (reading
    fieldwork back does not need them)."""
    if name in ("write_draw_workbook", "write_draw_folder"):
        from ..draw import _drawfile

        return getattr(_drawfile, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _sheet(path: Path, name: str) -> pd.DataFrame:
    """One sheet of a draw workbook, or the same-named CSV of a draw folder, as text (the
    draw's own reader: formula escapes undone, a missing sheet named)."""
    return read_sheet(path, name)


def _manifest(path: Path) -> dict:
    out = read_manifest(path)
    for key in ("sample", "population", "strata", "columns", "key_questions"):
        if key not in out:
            raise DataError(f"{str(path)!r} sheet 'manifest' has no {key!r}: not a draw workbook written by "
                            "`sampling draw --sample`", column="key")
    return out


def _allocation(path: Path, meta: Mapping[str, Any]) -> pd.DataFrame | None:
    """The stratum cells' populations N_h (stratum columns + ``population``) from the
    ``allocation`` sheet; None for an unstratified draw."""
    strata = list(meta.get("strata") or [])
    if not strata:
        return None
    table = _sheet(path, "allocation")
    table = table.rename(columns={v: k for k, v in PLAIN_HEADERS.items()})
    missing = [c for c in [*strata, "N_h"] if c not in table.columns]
    if missing:
        raise DataError(f"{str(path)!r} sheet 'allocation' lacks column(s) needed for the design weights",
                        values=missing)
    return table[strata].assign(population=pd.to_numeric(table["N_h"], errors="coerce"))


def _check_strata(path: Path, sheet: pd.DataFrame, cases: pd.DataFrame, meta: Mapping[str, Any],
                  allow: bool) -> None:
    """Refuse (or, with ``allow``, warn about) fieldwork strata that differ from the draw's:
    the design weights follow the cell each case was drawn in."""
    drawn = pd.concat([cases, _sheet(path, "reserves")], ignore_index=True)
    edits = strata_edits(sheet, drawn, meta)
    if not len(edits):
        return
    what = (f"{str(path)!r} sheet {FIELDWORK!r}: the strata of {edits['case_id'].nunique()} case(s) differ from "
            f"the draw's (sheet 'cases'): {describe_edits(edits)}")
    if allow:
        warnings.warn(f"{what}; analysed with the edited values, so these cases' design weights are those of "
                      "their edited cells", UserWarning, stacklevel=4)
        return
    raise DataError(what, column=str(edits["column"].iloc[0]), rows=edits["row"].tolist(),
                    values=edits["case_id"].tolist(),
                    hint="Restore the drawn values (each case's design weight follows the cell it was drawn "
                         "in), or pass allow_edited_strata=True to analyse with the edited values.",
                    cli_hint="Restore the drawn values (each case's design weight follows the cell it was "
                             "drawn in), or give --allow-edited-strata to analyse with the edited values.")


def _one(path: Path, allow_edited_strata: bool = False) -> tuple[pd.DataFrame, dict, pd.DataFrame]:
    """The fieldwork sheet in our column names (with ``sample``), its manifest, and the drawn
    cases missing from it (as rows of ``Results.excluded``)."""
    meta = _manifest(path)
    sheet = _sheet(path, FIELDWORK)
    cases = _sheet(path, "cases")
    _check_strata(path, sheet, cases, meta, allow_edited_strata)
    ours = {theirs: ours for ours, theirs in meta["columns"].items()}
    renamed = {c: ours.get(str(c), str(c).split(":", 1)[0].strip() if ":" in str(c) else str(c))
               for c in sheet.columns}
    sheet = sheet.rename(columns=renamed).drop(columns=["notes"], errors="ignore")
    drawn = cases["case_id"]
    subs = _sheet(path, "substitutions")
    # a reserve that was itself replaced later is out too
    allowed = (set(drawn) | set(subs.get("reserve_case_id", []))) - set(subs.get("replaced_case_id", []))
    unknown = [(i + 2, v) for i, v in enumerate(sheet["case_id"]) if v not in allowed]
    if unknown:
        raise DataError(f"{str(path)!r} sheet {FIELDWORK!r}: case(s) not in this draw (nor a recorded "
                        "substitution)", column=meta["columns"].get("case_id", "case_id"),
                        rows=[r for r, _ in unknown], values=[v for _, v in unknown],
                        hint="Record a replacement with `sampling substitute`, or remove the row.")
    sheet.index = [f"{path.name} sheet {FIELDWORK} row {i + 2}" for i in range(len(sheet))]  # the spreadsheet's rows
    kq_cols = [k for k in meta["key_questions"] if k in sheet.columns]
    blank = sheet[kq_cols].apply(lambda col: col.str.strip() == "").all(axis=1) if kq_cols else sheet["case_id"] == ""
    missing = sorted(allowed - set(sheet["case_id"]))
    gone = pd.concat([
        pd.DataFrame({"row": None, "case_id": missing, "column": None, "value": None,
                      "reason": f"drawn for {meta['sample']} but missing from the fieldwork sheet of {path.name}"}),
        pd.DataFrame({"row": sheet.index[blank], "case_id": sheet.loc[blank, "case_id"], "column": None,
                      "value": None, "reason": "not yet scored (every key question blank)"}),
    ], ignore_index=True)
    return _with_frame_columns(path, sheet.loc[~blank], cases).assign(sample=meta["sample"]), meta, gone


def _with_frame_columns(path: Path, sheet: pd.DataFrame, cases: pd.DataFrame) -> pd.DataFrame:
    """The fieldwork rows with the frame's other columns (office, officer grade, dates …) from
    the ``cases`` and ``reserves`` sheets, so that any of them can break the results down."""
    drawn = pd.concat([cases, _sheet(path, "reserves")], ignore_index=True)
    extra = [c for c in drawn.columns if c not in sheet.columns and c not in ("selection_order", "cell", "reserve_rank")]
    if not extra:
        return sheet
    lookup = drawn.drop_duplicates("case_id").set_index("case_id")[extra]
    return sheet.join(lookup, on="case_id")


def read_fieldwork(paths: str | os.PathLike | Sequence[Any], *, blank_means_na: bool = False,
                   complete: bool = False, allow_edited_strata: bool = False,
                   population: PopulationLike = None, judgements: Mapping[str, str] | None = None,
                   published: Mapping[str, str] | None = None,
                   overrides: Mapping[str, Any] | None = None) -> Results:
    """Filled draw workbooks (one per sample) read back as one inspection's Results.

    Provider, framework, N (``population``, unless given) and strata come from each
    workbook's manifest, and each stratum cell's N_h from its ``allocation`` sheet: the
    results carry ``stratum_populations`` and their estimates are design-weighted (the
    sample's own percentage stays in ``percent``). A ``population`` given must then equal
    Σ N_h. Cases not yet scored (every key question blank) are listed in
    ``Results.excluded``, never silently dropped; a blank answer of a partly answered case is
    missing for its question (``Results.missing``), or an error with ``complete=True``.

    A stratum value on the fieldwork sheet that differs from the draw's (sheet ``cases``, or
    ``reserves`` for a substitute) is an error naming the case ids and columns, since each
    case's design weight follows the cell it was drawn in; ``allow_edited_strata=True``
    analyses with the edited values instead and warns (``UserWarning``).

    Parameters
    ----------
    paths : str, path or list of them
        One filled draw workbook (or draw folder) per sample of the inspection.
    blank_means_na : bool
        Read a blank answer as "not applicable" (left out of the question's n and of its
        relevant population), an explicit choice; by default a blank in a partly answered
        case is missing for its question.
    complete : bool
        The final analysis: any blank answer is an error naming the workbook, sheet, rows,
        case ids and questions.
    population : int or dict, optional
        Eligible population N (per sample); by default each manifest's, which it must
        equal when given.
    judgements, published, overrides : dict, optional
        As for :func:`sampling.load_results`: judgement-rated standards, published
        figures to compare with, and recorded rating overrides.
    allow_edited_strata : bool
        Analyse with strata edited on the fieldwork sheet (a warning) instead of refusing.

    Returns
    -------
    Results
        Case-level results, design-weighted when the workbooks' N_h are known.

    Examples
    --------
    >>> import tempfile, openpyxl, sampling
    >>> from pathlib import Path
    >>> frame = sampling.load_frame(sampling.synthetic_frame(668, rng=1))
    >>> sample = sampling.draw_sample(frame, 40, rng=2019)
    >>> path = sampling.write_draw_workbook(sample, Path(tempfile.mkdtemp()) / "draw.xlsx",
    ...                                     sample_name="case_supervision", frame=frame)
    >>> book = openpyxl.load_workbook(path)
    >>> sheet = book["fieldwork"]
    >>> questions = [c.column for c in sheet[1] if str(c.value)[:1].isdigit()]
    >>> for row in range(2, 32):        # 30 of the 40 cases scored, "Yes" to every question
    ...     for col in questions:
    ...         sheet.cell(row, col).value = "Yes"
    >>> book.save(path)
    >>> results = sampling.read_fieldwork(path)
    >>> len(results.cases), len(results.excluded)
    (30, 10)
    """
    from ..design._framework import load_framework
    from ._results import load_results

    paths = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    parts = [_one(Path(p), allow_edited_strata) for p in paths]
    metas = [m for _, m, _ in parts]
    _agree(metas, paths)
    frame = pd.concat([t for t, _, _ in parts])
    if not len(frame):
        waiting = sum(int((g["reason"] == "not yet scored (every key question blank)").sum()) for _, _, g in parts)
        which = ", ".join(repr(str(p)) for p in paths)
        raise DataError(f"nothing scored yet in {which}: no case on the fieldwork sheet has an answer "
                        f"({waiting} case{'s' if waiting != 1 else ''} await{'s' if waiting == 1 else ''} scoring)",
                        hint="Enter the inspectors' answers (yes, no or N/A) on the fieldwork sheet first.")
    pops = population if population is not None else {m["sample"]: int(m["population"]) for m in metas}
    cells = {m["sample"]: t for m, t in ((m, _allocation(Path(p), m)) for m, p in zip(metas, paths))
             if t is not None}
    results = load_results(frame, framework=load_framework(metas[0].get("framework") or "hmip-adult"),
                           blank_means_na=blank_means_na, complete=complete, population=pops,
                           strata={m["sample"]: tuple(m["strata"]) for m in metas if m["strata"]} or None,
                           provider=metas[0].get("short_name") or metas[0].get("provider"),
                           judgements=judgements, published=published, overrides=overrides,
                           stratum_populations=cells or None)
    gone = [g for _, _, g in parts if len(g)]
    excluded = pd.concat([results.excluded, *gone], ignore_index=True) if gone else results.excluded
    unmatched = tuple(m["sample"] for m in metas if m["sample"] in cells and (
        (m.get("allocation_rule") or "proportional") != "proportional" or int(m.get("min_per_cell") or 0) > 0))
    return dataclasses.replace(results, excluded=excluded, source=", ".join(str(p) for p in paths),
                               weighted_banding=unmatched)


def _agree(metas: Iterable[Mapping[str, Any]], paths: Sequence[Any]) -> None:
    metas = list(metas)
    for key in ("provider", "framework"):
        values = {str(m.get(key)) for m in metas}
        if len(values) > 1:
            raise DataError(f"the workbooks name different {key}s: one inspection's workbooks must agree",
                            column=key, values=sorted(values))
    samples = [m["sample"] for m in metas]
    if len(set(samples)) < len(samples):
        raise DataError("two workbooks hold the same sample", column="sample", values=samples,
                        hint="Give one workbook per sample.")


def draw_sheet(path: str | os.PathLike, name: str) -> pd.DataFrame:
    """One sheet of a draw workbook (or the same-named CSV of a draw folder), as text."""
    return _sheet(Path(path), name)


def draw_manifest(path: str | os.PathLike) -> dict:
    """A draw workbook's manifest (checked to be one ``sampling draw --sample`` wrote)."""
    return _manifest(Path(path))


#: columns carried from the frame that progress is also counted by, when present
CARRIED = ("office", "inspector", "officer", "team")


def _status(sheet: pd.DataFrame, kq_cols: list[str]) -> np.ndarray:
    cells = sheet[kq_cols]
    blank = np.column_stack([blank_after_strip(cells.iloc[:, j]) for j in range(cells.shape[1])])
    return np.where(blank.all(axis=1), "not started", np.where(blank.any(axis=1), "partly answered", "complete"))


def fieldwork_cases(path: str | os.PathLike) -> tuple[pd.DataFrame, list, list, pd.DataFrame]:
    """:attr:`~sampling.Progress.cases` and :attr:`~sampling.Progress.reserves` of a draw
    workbook, with the stratum and carried columns among the cases' columns, without the counts
    and balance tests (the design statement needs only the statuses and the reserves used)."""
    meta = draw_manifest(path)
    sheet = draw_sheet(path, FIELDWORK)
    ours = {theirs: o for o, theirs in meta["columns"].items()}
    sheet = sheet.rename(columns={c: ours.get(str(c), str(c).split(":", 1)[0].strip()) for c in sheet.columns})
    kq_cols = [k for k in meta["key_questions"] if k in sheet.columns]
    if not kq_cols or "case_id" not in sheet.columns:
        raise DataError(f"{os.fspath(path)!r} sheet {FIELDWORK!r} has no case id or key-question columns")
    drawn = pd.concat([draw_sheet(path, "cases"), draw_sheet(path, "reserves")], ignore_index=True)
    drawn = drawn.drop_duplicates("case_id").set_index("case_id")
    strata = [s for s in meta.get("strata") or [] if s in drawn.columns]
    carried = [c for c in drawn.columns.union(sheet.columns) if str(c).casefold() in CARRIED]
    cases = pd.DataFrame({"case_id": sheet["case_id"], "row": np.arange(len(sheet)) + 2,
                          "status": _status(sheet, kq_cols)})
    for c in strata + carried:
        src = sheet[c] if c in sheet.columns else sheet["case_id"].map(drawn[c])
        cases[c] = src.fillna("").replace("", "(blank)").to_numpy()
    try:
        reserves = draw_sheet(path, "substitutions")
    except (ValueError, KeyError, FileNotFoundError):
        reserves = pd.DataFrame()
    return cases, strata, carried, reserves
