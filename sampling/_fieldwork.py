"""The draw workbook that travels through fieldwork, and reading it back.

:func:`write_draw_workbook` writes one ``.xlsx`` per sample: a **fieldwork** sheet (one row
per sampled case in selection order — its id and stratum columns under the frame's own
names, one column per key question of the sample headed ``"<id>: <wording>"`` with a
Yes / No / N/A drop-down, and a ``notes`` column), then the sample's ``cases``,
``reserves``, ``allocation``, ``balance``, the ``manifest`` (provider, sample, framework,
N, strata, the column mapping, key questions, seed, frame fingerprint …), the ``excluded``
rows with their reasons, ``substitutions`` and a ``glossary``. Headers are bold, frozen and
filtered; columns are sized to their content.

:func:`read_fieldwork` reads one or more filled workbooks back as :class:`~sampling.Results`:
provider, sample, N (so the finite population correction applies without being asked) and
strata from the manifest, answers from the fieldwork sheet, each case id checked against the
draw (a case not drawn is an error; a drawn case missing from the sheet is named in a note).
"""
from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import pandas as pd

from ._io import atomic_dir, atomic_path, escape_formulas, write_csv
from ._workbook import format_workbook
from .errors import ArgumentError, DataError, OutputError

__all__ = ["write_draw_workbook", "write_draw_folder", "read_fieldwork", "is_draw_workbook", "read_draw", "substitute_in_workbook",
           "verify_workbook", "ANSWERS", "GLOSSARY"]

ANSWERS = ("Yes", "No", "N/A")
FIELDWORK = "fieldwork"

#: plain meanings of the terms the draw workbook uses
GLOSSARY = {
    "cell": "one combination of the stratification variables (e.g. female, licence, high RoSH)",
    "cases in population (N_h)": "cases in the eligible population in this cell",
    "proportional share (n·N_h/N)": "the cell's proportional share of the sample, n × N_h / N (before rounding)",
    "cases to inspect (n_h)": "cases to inspect in this cell (the share rounded so the totals are met)",
    "reserves": "cases drawn in the same cell to replace a sampled case that cannot be inspected",
    "reserve_rank": "the order in which a cell's reserves are used (1 first)",
    "selection_order": "the order in which cases were drawn (cell by cell, by random key)",
    "population_pct / sample_pct": "a category's share of the eligible population / of the sample",
    "difference_pts": "sample share minus population share, in percentage points",
    "p_value": "how surprising the sample's balance would be if drawn at random (small = unbalanced)",
    "seed": "the number that fixes the random draw: the same frame and seed give the same sample",
    "frame_sha256": "a fingerprint of the frame: any change to it gives another fingerprint",
    "population": "N, the number of eligible cases the sample was drawn from",
}


def _meta(sample: Any, inspection: Any, name: str, framework: Any, frame: Any) -> dict:
    """The manifest keys a fieldwork workbook needs, beside the draw's own."""
    spec = next((s for s in getattr(framework, "samples", ()) if s.name == name), None)
    kqs = [k.id for k in framework.key_questions if k.sample == name]
    if not kqs:
        raise ArgumentError("sample", name, "must be a sample of the framework with key questions: "
                            + ", ".join(s.name for s in framework.samples))
    return {"provider": getattr(inspection, "provider", None), "short_name": getattr(inspection, "short_name", None),
            "sample": name, "sample_label": spec.label if spec else name,
            "framework": getattr(framework, "short_name", None) or framework.name,
            "population": int(sample.manifest["frame_rows"]), "columns": dict(getattr(frame, "columns", {}) or {}),
            "key_questions": kqs}


def fieldwork_table(sample: Any, framework: Any, meta: Mapping[str, Any]) -> pd.DataFrame:
    """One row per sampled case: id and strata in the frame's own names, one empty column
    per key question headed ``"<id>: <wording>"``, and ``notes``."""
    names = meta["columns"]
    table = pd.DataFrame({names.get("case_id", "case_id"): sample.cases["case_id"].astype(str).to_numpy()})
    for s in sample.manifest["strata"]:
        table[names.get(s, s)] = sample.cases[s].astype(str).to_numpy()
    for k in meta["key_questions"]:
        table[f"{k}: {framework.key_question(k).text}"] = ""
    table["notes"] = ""
    return table


def _sheets(sample: Any, framework: Any, meta: Mapping[str, Any], frame: Any) -> dict[str, pd.DataFrame]:
    manifest = {**sample.manifest, **meta}
    manifest.pop("created_utc", None)  # the manifest records the inputs, not the clock
    subs = sample.substitutions if len(sample.substitutions) else pd.DataFrame(
        columns=["replaced_case_id", "reserve_case_id", "cell", "reserve_rank", "reason"])
    excluded = getattr(frame, "excluded", None)
    return {
        FIELDWORK: fieldwork_table(sample, framework, meta),
        "cases": sample.cases, "reserves": sample.reserves,
        "allocation": sample.allocation.rename(columns=PLAIN_HEADERS),
        "balance": sample.balance,
        "manifest": pd.DataFrame([{"key": k, "value": v if isinstance(v, str) else json.dumps(v, default=str)}
                                  for k, v in manifest.items()]),
        "excluded": excluded if excluded is not None else pd.DataFrame(columns=["row", "case_id", "reason"]),
        "substitutions": subs,
        "glossary": pd.DataFrame({"term": list(GLOSSARY), "meaning": list(GLOSSARY.values())}),
    }


PLAIN_HEADERS = {"N_h": "cases in population (N_h)", "n_h": "cases to inspect (n_h)",
                 "share": "proportional share (n·N_h/N)", "reserves": "reserves drawn",
                 "reserves_wanted": "reserves wanted"}


def _format(path: Path, n_cases: int, n_kq: int, first_kq: int) -> None:
    """The shared formatting pass, then the Yes / No / N/A drop-down on the answer cells."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    format_workbook(path)
    wb = load_workbook(path)
    ws = wb[FIELDWORK]
    if n_kq and n_cases:
        dv = DataValidation(type="list", formula1='"' + ",".join(ANSWERS) + '"', allow_blank=True,
                            showErrorMessage=True, errorTitle="Yes, No or N/A",
                            error="Answer Yes, No or N/A (not applicable).")
        dv.add(f"{get_column_letter(first_kq)}2:{get_column_letter(first_kq + n_kq - 1)}{n_cases + 1}")
        ws.add_data_validation(dv)
    wb.save(path)


def write_draw_workbook(sample: Any, path: str | os.PathLike, *, framework: Any, sample_name: str,
                        inspection: Any = None, frame: Any = None) -> Path:
    """Write the draw workbook for fieldwork (see the module notes); returns its path.

    Parameters
    ----------
    sample : Sample
        From :func:`sampling.draw_sample`.
    path : path
        An ``.xlsx`` file (written atomically).
    framework : Framework
        Gives the sample's key questions and their wording.
    sample_name : str
        The framework's sample, e.g. ``"case_supervision"``.
    inspection : Inspection, optional
        Names the provider in the manifest.
    frame : Frame, optional
        The frame drawn from: its own column names head the fieldwork sheet, and its
        excluded rows go to the ``excluded`` sheet.
    """
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise OutputError(f"cannot write {str(target)!r}: a draw workbook must end in .xlsx")
    meta = _meta(sample, inspection, sample_name, framework, frame)
    sheets = _sheets(sample, framework, meta, frame)
    try:
        with atomic_path(target) as tmp:
            with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
                for name, table in sheets.items():
                    escape_formulas(_plain(table)).to_excel(writer, sheet_name=name, index=False)
            strata = len(sample.manifest["strata"])
            _format(tmp, len(sample.cases), len(meta["key_questions"]), 2 + strata)
    except OSError as exc:
        raise OutputError(f"cannot write {str(target)!r}: {exc.strerror or exc}") from None
    return target


def write_draw_folder(sample: Any, folder: str | os.PathLike, *, framework: Any, sample_name: str,
                      inspection: Any = None, frame: Any = None) -> list[Path]:
    """The draw workbook's pieces as files in ``folder`` (created if needed): one CSV per
    sheet (``fieldwork.csv`` first) and ``manifest.json``, written together atomically."""
    meta = _meta(sample, inspection, sample_name, framework, frame)
    sheets = _sheets(sample, framework, meta, frame)
    manifest = {**sample.manifest, **meta}
    manifest.pop("created_utc", None)
    with atomic_dir(folder) as staging:
        for name, table in sheets.items():
            if name != "manifest":
                write_csv(_plain(table), staging / f"{name}.csv")
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")
    return [Path(folder) / f"{n}.csv" for n in sheets if n != "manifest"] + [Path(folder) / "manifest.json"]


def _plain(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype(str)
    return out


# --------------------------------------------------------------------------- reading back
def is_draw_workbook(path: Any) -> bool:
    """Whether ``path`` is a draw workbook (.xlsx with a fieldwork sheet and a manifest) or
    a draw folder (``fieldwork.csv`` and ``manifest.json``)."""
    p = Path(str(path))
    if p.is_dir():
        return (p / "manifest.json").is_file() and (p / f"{FIELDWORK}.csv").is_file()
    if p.suffix.lower() != ".xlsx" or not p.is_file():
        return False
    try:
        from openpyxl import load_workbook

        names = load_workbook(p, read_only=True).sheetnames
    except Exception:  # a corrupt workbook: the ordinary reader says why
        return False
    return FIELDWORK in names and "manifest" in names


def _sheet(path: Path, name: str) -> pd.DataFrame:
    """One sheet of a draw workbook, or the same-named CSV of a draw folder, as text."""
    if path.is_dir():
        return pd.read_csv(path / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8")
    return pd.read_excel(path, sheet_name=name, dtype=str, keep_default_na=False)


def _manifest(path: Path) -> dict:
    if path.is_dir():
        out = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    else:
        table = _sheet(path, "manifest")
        out = {}
        for key, value in zip(table["key"], table["value"]):
            try:
                out[key] = json.loads(value)
            except (TypeError, ValueError):
                out[key] = value
    for key in ("sample", "population", "strata", "columns", "key_questions"):
        if key not in out:
            raise DataError(f"{str(path)!r} sheet 'manifest' has no {key!r}: not a draw workbook written by "
                            "`sampling draw --sample`", column="key")
    return out


def _one(path: Path) -> tuple[pd.DataFrame, dict, pd.DataFrame]:
    """The fieldwork sheet in our column names (with ``sample``), its manifest, and the drawn
    cases missing from it (as rows of ``Results.excluded``)."""
    meta = _manifest(path)
    sheet = _sheet(path, FIELDWORK)
    ours = {theirs: ours for ours, theirs in meta["columns"].items()}
    renamed = {c: ours.get(str(c), str(c).split(":", 1)[0].strip() if ":" in str(c) else str(c))
               for c in sheet.columns}
    sheet = sheet.rename(columns=renamed).drop(columns=["notes"], errors="ignore")
    drawn = _sheet(path, "cases")["case_id"]
    subs = _sheet(path, "substitutions")
    allowed = (set(drawn) - set(subs.get("replaced_case_id", []))) | set(subs.get("reserve_case_id", []))
    unknown = [(i + 2, v) for i, v in enumerate(sheet["case_id"]) if v not in allowed]
    if unknown:
        raise DataError(f"{str(path)!r} sheet {FIELDWORK!r}: case(s) not in this draw (nor a recorded "
                        "substitution)", column=meta["columns"].get("case_id", "case_id"),
                        rows=[r for r, _ in unknown], values=[v for _, v in unknown],
                        hint="Record a replacement with `sampling substitute`, or remove the row.")
    sheet.index = [f"{path.name} row {i + 2}" for i in range(len(sheet))]  # the spreadsheet's rows
    kq_cols = [k for k in meta["key_questions"] if k in sheet.columns]
    blank = sheet[kq_cols].apply(lambda col: col.str.strip() == "").all(axis=1) if kq_cols else sheet["case_id"] == ""
    missing = sorted(allowed - set(sheet["case_id"]))
    gone = pd.concat([
        pd.DataFrame({"row": None, "case_id": missing, "column": None, "value": None,
                      "reason": f"drawn for {meta['sample']} but missing from the fieldwork sheet of {path.name}"}),
        pd.DataFrame({"row": sheet.index[blank], "case_id": sheet.loc[blank, "case_id"], "column": None,
                      "value": None, "reason": "not yet scored (every key question blank)"}),
    ], ignore_index=True)
    return sheet.loc[~blank].assign(sample=meta["sample"]), meta, gone


def read_fieldwork(paths: str | os.PathLike | Sequence[Any], *, blank_means_na: bool = False,
                   population: Any = None, judgements: Any = None, published: Any = None,
                   overrides: Any = None) -> Any:
    """Filled draw workbooks (one per sample) read back as one inspection's Results.

    Provider, framework, N (``population``, unless given) and strata come from each
    workbook's manifest; cases not yet scored (every key question blank) are listed in
    ``Results.excluded``, never silently dropped.

    Returns
    -------
    Results
    """
    from ._framework import load_framework
    from ._results import load_results

    paths = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    parts = [_one(Path(p)) for p in paths]
    metas = [m for _, m, _ in parts]
    _agree(metas, paths)
    frame = pd.concat([t for t, _, _ in parts])
    pops = population if population is not None else {m["sample"]: int(m["population"]) for m in metas}
    results = load_results(frame, framework=load_framework(metas[0].get("framework") or "hmip-adult"),
                           blank_means_na=blank_means_na, population=pops,
                           strata={m["sample"]: tuple(m["strata"]) for m in metas if m["strata"]} or None,
                           provider=metas[0].get("short_name") or metas[0].get("provider"),
                           judgements=judgements, published=published, overrides=overrides)
    gone = [g for _, _, g in parts if len(g)]
    excluded = pd.concat([results.excluded, *gone], ignore_index=True) if gone else results.excluded
    return dataclasses.replace(results, excluded=excluded, source=", ".join(str(p) for p in paths))


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


# --------------------------------------------------------------------------- substitute, verify
def read_draw(path: str | os.PathLike) -> Any:
    """The :class:`~sampling.Sample` a draw workbook holds (cases as they stand, reserves,
    allocation, balance, manifest and substitutions), for :func:`substitute_in_workbook`
    and :func:`verify_workbook`."""
    from ._draw import Sample

    p = Path(path)
    if not is_draw_workbook(p):
        raise ArgumentError("WORKBOOK", str(p), "must be a draw workbook written by `sampling draw --sample` (.xlsx)")
    read = lambda name: pd.read_excel(p, sheet_name=name, dtype=str, keep_default_na=False)  # noqa: E731
    cases, reserves, subs = read("cases"), read("reserves"), read("substitutions")
    for table, col in ((cases, "selection_order"), (reserves, "reserve_rank"), (subs, "reserve_rank")):
        if col in table:
            table[col] = pd.to_numeric(table[col]).astype("int64")
    return Sample(cases=cases, reserves=reserves, allocation=read("allocation"), marginals=pd.DataFrame(),
                  balance=read("balance"), manifest=_manifest(p), substitutions=subs)


def substitute_in_workbook(path: str | os.PathLike, case_id: Any, reason: str) -> dict:
    """Replace a sampled case by the next reserve of its cell, in the workbook itself: the
    fieldwork row takes the reserve's id and strata (answers blank), ``cases`` the reserve's
    row, and ``substitutions`` records the swap with ``reason``. Returns the record."""
    from openpyxl import load_workbook

    if not str(reason or "").strip():
        raise ArgumentError("--reason", reason, "must say why the case cannot be inspected")
    sample = read_draw(path)
    done = sample.substitutions[sample.substitutions["replaced_case_id"].astype(str) == str(case_id).strip()]
    if len(done):
        raise ArgumentError("CASE_ID", case_id, f"was already replaced by {done['reserve_case_id'].iloc[0]}; "
                            "substitute that case instead if it cannot be inspected either")
    if str(case_id).strip() not in set(sample.cases["case_id"].astype(str)):
        raise ArgumentError("CASE_ID", case_id, f"is not a sampled case of {str(path)!r} (sheet 'cases')")
    reserve, new = sample.substitute(case_id)
    record = {"replaced_case_id": str(case_id).strip(), "reserve_case_id": str(reserve["case_id"]),
              "cell": str(reserve["cell"]), "reserve_rank": int(reserve["reserve_rank"]), "reason": reason.strip()}
    meta = new.manifest
    wb = load_workbook(path)
    _swap_fieldwork_row(wb["fieldwork"], record, reserve, meta)
    _swap_cases_row(wb["cases"], record["replaced_case_id"], new)
    ws = wb["substitutions"]
    header = [c.value for c in ws[1]]
    if "reason" not in header:
        ws.cell(1, len(header) + 1).value = "reason"
        header.append("reason")
    ws.append([record.get(h) for h in header])
    target = Path(path)
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return record


def _swap_fieldwork_row(ws: Any, record: Mapping[str, Any], reserve: Any, meta: Mapping[str, Any]) -> None:
    names = meta["columns"]
    header = [c.value for c in ws[1]]
    id_col = header.index(names.get("case_id", "case_id")) + 1
    row = next(r for r in range(2, ws.max_row + 1) if str(ws.cell(r, id_col).value) == record["replaced_case_id"])
    ws.cell(row, id_col).value = record["reserve_case_id"]
    for s in meta["strata"]:
        ws.cell(row, header.index(names.get(s, s)) + 1).value = str(reserve[s])
    for k in meta["key_questions"]:
        col = next(i for i, h in enumerate(header, start=1) if str(h).split(":", 1)[0] == k)
        ws.cell(row, col).value = None
    ws.cell(row, header.index("notes") + 1).value = f"replaces {record['replaced_case_id']}: {record['reason']}"


def _swap_cases_row(ws: Any, replaced: str, new: Any) -> None:
    header = [c.value for c in ws[1]]
    id_col = header.index("case_id") + 1
    row = next(r for r in range(2, ws.max_row + 1) if str(ws.cell(r, id_col).value) == replaced)
    now = new.cases.iloc[row - 2]
    for j, h in enumerate(header, start=1):
        if h in now.index:
            ws.cell(row, j).value = str(now[h])


def verify_workbook(path: str | os.PathLike, frame_source: Any) -> tuple[bool, Any]:
    """Re-draw from the frame with the workbook's manifest (seed, n, strata, reserves, the
    eligibility filters); ``(identical, sample)``."""
    from ._draw import verify_manifest
    from ._frame import load_frame

    sample = read_draw(path)
    filters = dict(sample.manifest.get("frame_filters") or {})
    kw = {}
    if filters.get("months_since_start"):
        kw = {"months_since_start": tuple(filters["months_since_start"]), "as_of": filters.get("as_of")}
    return verify_manifest(load_frame(frame_source, **kw), sample), sample
