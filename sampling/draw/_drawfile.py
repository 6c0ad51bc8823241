"""The draw workbook: written by ``sampling draw --sample``, carried through fieldwork, read back.

:func:`write_draw_workbook` writes one ``.xlsx`` per sample, sheets in this order:

``fieldwork``
    one row per sampled case in selection order: the case id and the stratum columns under
    the frame's own column names (``CRN``, ``Sex`` …), one column per key question of the
    sample headed ``"<id>: <wording>"`` whose cells take Yes / No / N/A from a drop-down,
    and a ``notes`` column;
``cases``, ``reserves``, ``allocation``, ``balance``
    the draw as :class:`~sampling.Sample` holds it (the allocation under plain headers,
    "cases in population (N_h)", "cases to inspect (n_h)" …); ``cases`` keeps the draw as
    drawn, whatever is substituted later;
``manifest``
    ``key``/``value`` rows (a value that is not text is JSON): provider, short name, sample,
    its label, framework, population N, strata, the column mapping, key questions, seed,
    the frame's fingerprint and everything :func:`sampling.draw_sample` records to re-draw
    it; never the clock, so the same inputs give the same workbook;
``excluded``, ``substitutions``, ``glossary``
    the frame's rows left out by eligibility filters (with the reason), the substitutions
    made (``replaced_case_id, reserve_case_id, cell, reserve_rank, reason``) and the plain
    meaning of every term the sheets use.

:func:`write_draw_folder` writes the same pieces as CSV files plus ``manifest.json``.
:func:`read_draw` reads either form back as a :class:`~sampling.Sample` (cases as they
stand after substitutions); :func:`substitute_case` and :func:`verify_draw` work on either;
:func:`check_draw_matches` refuses another provider's draw.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .._utils._excel import read_excel, sheet_names
from .._utils._io import atomic_dir, atomic_path, escape_formulas, write_csv
from .._utils._tables import column_key
from .._utils._workbook import format_workbook, make_reproducible
from ..errors import ArgumentError, DataError, OutputError

__all__ = ["write_draw_workbook", "write_draw_folder", "read_draw", "read_manifest", "read_sheet", "is_draw_workbook",
           "draw_metadata", "fieldwork_table", "check_draw_matches", "ANSWERS", "FIELDWORK", "SHEETS",
           "GLOSSARY", "PLAIN_HEADERS", "SUBSTITUTION_COLUMNS"]

ANSWERS = ("Yes", "No", "N/A")
FIELDWORK = "fieldwork"
#: the draw workbook's sheets, in order
SHEETS = (FIELDWORK, "cases", "reserves", "allocation", "balance", "manifest", "excluded", "substitutions",
          "glossary")
SUBSTITUTION_COLUMNS = ["replaced_case_id", "reserve_case_id", "cell", "reserve_rank", "reason"]
#: the allocation's columns under the headers a planner reads
PLAIN_HEADERS = {"N_h": "cases in population (N_h)", "n_h": "cases to inspect (n_h)",
                 "share": "proportional share (n·N_h/N)", "reserves": "reserves drawn",
                 "reserves_wanted": "reserves wanted"}
#: manifest keys always text (never read back as JSON numbers)
_TEXT_KEYS = {"provider", "short_name", "sample", "sample_label", "framework", "package", "version",
              "seed_note", "reserves_rule", "frame_source", "frame_sha256", "frame_sha256_method", "selection",
              "allocation_method", "cases_sha256", "numpy_version", "pandas_version", "python_version",
              "bit_generator"}

#: (term, meaning, where it appears): every term of the draw workbook in plain words
GLOSSARY = (
    ("key question", "a question the inspector answers for each case: Yes, No or N/A (not applicable); "
     "leave it blank until the case is inspected", "fieldwork"),
    ("notes", "free text for the inspector; a substitution writes which case the row replaces and why",
     "fieldwork"),
    ("selection_order", "the order in which the cases were drawn (cell by cell, then by random key)", "cases"),
    ("SelectionProb", "the chance this case had of being drawn: cases to inspect in its cell divided by "
     "cases in population in its cell (n_h/N_h)", "cases"),
    ("SamplingWeight", "how many eligible cases this case stands for: N_h/n_h, one over SelectionProb; the "
     "weights of a cell add up to its cases in population, and over the sample to the population (N)",
     "cases"),
    ("cell", "one combination of the stratification variables (e.g. female / licence / high); every case "
     "belongs to exactly one cell", "cases, reserves, allocation, substitutions"),
    ("strata (stratification variables)", "the case characteristics the sample is balanced on, so that "
     "each group gets its fair share of cases", "allocation, balance, manifest"),
    ("reserves", "cases drawn at random in the same cell, in order, to replace a sampled case that cannot "
     "be inspected; replacing from the same cell keeps the sample's balance", "reserves, allocation"),
    ("reserve_rank", "the order in which a cell's reserves are used: 1 first", "reserves, substitutions"),
    ("cases in population (N_h)", "eligible cases in the frame in this cell", "allocation"),
    ("proportional share (n·N_h/N)", "the cell's exact fair share of the sample, n × N_h / N, before "
     "rounding to whole cases", "allocation"),
    ("cases to inspect (n_h)", "cases drawn in this cell: the share rounded to whole cases so that the "
     "totals of every variable are met", "allocation"),
    ("reserves drawn / reserves wanted", "reserves the cell has, and the number asked for (a cell with "
     "few other cases may have fewer)", "allocation"),
    ("variable / category", "a stratification variable and one of its values", "balance"),
    ("population_n / sample_n", "cases in the category in the eligible population / in the sample",
     "balance"),
    ("population_pct / sample_pct (share)", "the category's share of the eligible population / of the "
     "sample, as a percentage", "balance"),
    ("difference_pts (difference in points)", "sample share minus population share, in percentage "
     "points: 0 means the sample mirrors the population exactly", "balance"),
    ("p_value (balance p-value)", "how often a sample drawn at random would be at least this far from the "
     "population's shares: near 1 is well balanced, below 0.05 is worth a look", "balance"),
    ("replaced_case_id / reserve_case_id", "the sampled case that could not be inspected, and the reserve "
     "that took its place", "substitutions"),
    ("reason", "why a case was excluded from the frame, or why a sampled case was replaced",
     "excluded, substitutions"),
    ("row", "the row of the case in the frame's spreadsheet", "excluded"),
    ("eligible / excluded", "a case meeting the sample's eligibility rule (e.g. supervised six to seven "
     "months) is in the population; the others are listed in 'excluded' with the reason", "excluded"),
    ("population (N)", "the number of eligible cases the sample was drawn from", "manifest"),
    ("n", "the number of cases in the sample", "manifest"),
    ("seed", "the number that fixes the random draw: the same frame and seed always give the same sample "
     "and reserves (re-run with --seed to reproduce it)", "manifest"),
    ("frame_sha256 (fingerprint)", "a code computed from the frame's case ids and strata: any change to "
     "them gives another code, so `sampling verify` can tell the frame drawn from", "manifest"),
    ("cases_sha256", "the same kind of fingerprint of the drawn case ids, in order", "manifest"),
    ("bit_generator_state", "the random number generator's exact starting point (from the seed)",
     "manifest"),
    ("allocation_method / marginal_deviation", "how the cases were shared out between cells, and by how "
     "many cases at most a variable's totals miss their fair share (0: none)", "manifest"),
    ("columns", "which of your frame's columns holds each thing the tool needs (e.g. CRN is the case id)",
     "manifest"),
)


# --------------------------------------------------------------------------- writing
def _sample_spec(framework: Any, inspection: Any, name: str) -> tuple[str, tuple]:
    """(label, standards) of the sample ``name``: the inspection's, else the framework's."""
    ours = next((s for s in getattr(inspection, "samples", ()) if s.name == name), None)
    spec = next((s for s in getattr(framework, "samples", ()) if s.name == name), None)
    label = (ours.label if ours is not None and ours.label else None) or (spec.label if spec else "") or name
    standards = (ours.standards if ours is not None and ours.standards else None) or (spec.standards if spec else ())
    return label, tuple(standards)


def _key_questions(framework: Any, name: str, standards: tuple) -> list[str]:
    if standards:
        wanted = set(standards)
        kqs = [k.id for k in framework.key_questions if k.standard in wanted]
    else:
        kqs = [k.id for k in framework.key_questions if k.sample == name]
    if not kqs:
        names = [s.name for s in framework.samples]
        raise ArgumentError("sample_name", name, "must be a sample of the framework with key questions: "
                            + (", ".join(names) or "(the framework defines no samples)"))
    return kqs


def _column_names(sample: Any, frame: Any) -> dict[str, str]:
    """``{our column: the frame's own name}`` for the case id and every stratum."""
    known = dict(getattr(frame, "columns", {}) or {})
    wanted = ["case_id", *sample.manifest.get("strata", [])]
    for c in ("gender", "disposal", "rosh"):
        if c in known and c not in wanted:
            wanted.append(c)
    return {c: str(known.get(c, c)) for c in wanted}


#: frame columns carried onto the fieldwork sheet by default (matched ignoring case and spaces)
DEFAULT_CARRY = ("office", "officer", "team", "start_date", "pdu", "responsible_officer", "officer_name",
                 "case_manager", "sentence_date", "start")
#: blank columns for the inspectors at the end of the fieldwork sheet
INSPECTOR_COLUMNS = ("Inspector", "Date inspected")
_NOT_CARRIED = {"case_id", "gender", "disposal", "rosh", "selection_order", "cell", "reserve_rank"}


def carry_columns(sample: Any, carry: Sequence[str] | None = None) -> list[str]:
    """The frame columns copied onto the fieldwork sheet: ``carry`` (the frame's own names,
    matched ignoring case and spaces), or by default the short descriptive ones present
    (office, officer, team, start date …, see :data:`DEFAULT_CARRY`)."""
    available = [c for c in sample.cases.columns if str(c) not in _NOT_CARRIED
                 and str(c) not in sample.manifest.get("strata", [])]
    if carry is None:
        return [str(c) for c in available if column_key(c) in DEFAULT_CARRY]
    out = []
    for name in ([carry] if isinstance(carry, str) else list(carry)):
        found = [c for c in available if str(c) == str(name)] or \
            [c for c in available if column_key(c) == column_key(name)]
        if not found:
            raise ArgumentError("carry", name, "is not a frame column that can be carried (columns: "
                                f"{', '.join(map(str, available)) or 'none'})")
        if str(found[0]) not in out:
            out.append(str(found[0]))
    return out


def draw_metadata(sample: Any, *, sample_name: str, framework: Any, inspection: Any = None,
                  frame: Any = None, carry: Sequence[str] | None = None) -> dict:
    """The manifest keys a draw workbook adds to :attr:`Sample.manifest`: provider, short
    name, sample, its label, framework, population N, strata, the column mapping and the
    sample's key questions (see the module notes)."""
    label, standards = _sample_spec(framework, inspection, sample_name)
    stated = getattr(inspection, "populations", {}).get(sample_name) if inspection is not None else None
    frame_n = int(sample.manifest["frame_rows"])
    populations = {} if stated is None or stated == frame_n else {
        "population_stated": int(stated), "population_frame": frame_n,
        "population_used": "frame (the eligible cases actually drawn from; inspection.toml's figure is recorded)"}
    return {**populations,
            "provider": getattr(inspection, "provider", None), "short_name": getattr(inspection, "short_name", None),
            "sample": sample_name, "sample_label": label,
            "framework": getattr(framework, "short_name", None) or framework.name,
            "population": int(sample.manifest["frame_rows"]), "strata": list(sample.manifest.get("strata", [])),
            "columns": _column_names(sample, frame), "key_questions": _key_questions(framework, sample_name, standards),
            "seed": sample.manifest.get("seed"), "carry": _carried(sample, carry, inspection)}


def _carried(sample: Any, carry: Sequence[str] | None, inspection: Any) -> list[str]:
    """``carry`` if given, else the inspection's ``[fieldwork] carry``, else the default; an
    unknown column from ``inspection.toml`` is named as that file's key, not as a flag."""
    if carry is not None or getattr(inspection, "carry", None) is None:
        return carry_columns(sample, carry)
    try:
        return carry_columns(sample, list(inspection.carry))
    except ArgumentError as exc:
        raise DataError(f"inspection file {str(Path(inspection.folder) / 'inspection.toml')!r}, key "
                        f"fieldwork.carry: {exc.value!r} {exc.expected}", values=(exc.value,)) from None


def fieldwork_table(sample: Any, framework: Any, meta: Mapping[str, Any]) -> pd.DataFrame:
    """One row per sampled case: id and strata in the frame's own names, one empty column
    per key question headed ``"<id>: <wording>"``, and ``notes``."""
    names = meta["columns"]
    table = pd.DataFrame({names.get("case_id", "case_id"): sample.cases["case_id"].astype(str).to_numpy()})
    for s in meta["strata"]:
        table[names.get(s, s)] = sample.cases[s].astype(str).to_numpy()
    for c in meta.get("carry", []):
        table[c] = sample.cases[c].to_numpy()
    for k in meta["key_questions"]:
        text = framework.key_question(k).text
        table[f"{k}: {text}" if text else k] = ""
    table["notes"] = ""
    for c in INSPECTOR_COLUMNS:
        table[c] = ""
    return table


def _print_layout(ws: Any) -> None:
    """Landscape, one page wide, the header row repeated on every printed page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


_ISO_DATE = r"\d{4}-\d{2}-\d{2}(?:[ T]00:00:00)?"


def _dates_as_dates(table: pd.DataFrame) -> pd.DataFrame:
    """Text columns holding only ISO dates (as an .xlsx frame read as text gives them) as dates."""
    out = table.copy()
    for c in out.columns:
        s = out[c]
        if not (s.dtype == object or pd.api.types.is_string_dtype(s.dtype)) or not len(s):
            continue
        text = s.astype(str).str.strip()
        filled = text.ne("") & s.notna()
        if filled.any() and text[filled].str.fullmatch(_ISO_DATE).all():
            dates = pd.to_datetime(text.where(filled).str[:10], format="%Y-%m-%d", errors="coerce")
            out[c] = [d.date() if not pd.isna(d) else None for d in dates]
    return out


def _rounded(table: pd.DataFrame) -> pd.DataFrame:
    """Floats to four decimals, percentages and points to two: no 15-decimal floats."""
    out = table.copy()
    for c in out.columns:
        if pd.api.types.is_float_dtype(out[c].dtype):
            out[c] = out[c].round(2 if re.search(r"_pct|_pts", str(c)) else 4)
    return out


def _plain(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    for c in out.columns:
        dtype = out[c].dtype
        if isinstance(dtype, pd.CategoricalDtype):
            out[c] = out[c].astype(object).where(out[c].notna(), None).map(lambda v: v if v is None else str(v))
        elif isinstance(dtype, pd.DatetimeTZDtype):
            out[c] = out[c].dt.tz_localize(None)
    return out


def _manifest_of(sample: Any, meta: Mapping[str, Any]) -> dict:
    manifest = {**meta, **{k: v for k, v in sample.manifest.items() if k not in meta}}
    manifest.pop("created_utc", None)  # the manifest records the inputs, not the clock
    return manifest


def _excluded(frame: Any, meta: Mapping[str, Any]) -> pd.DataFrame:
    excluded = getattr(frame, "excluded", None)
    if excluded is None:
        excluded = pd.DataFrame(columns=["row", "case_id", "reason"])
    return excluded.rename(columns={"case_id": meta["columns"].get("case_id", "case_id")})


def _sheets(sample: Any, framework: Any, meta: Mapping[str, Any], frame: Any) -> dict[str, Any]:
    """Every piece of the draw workbook, in :data:`SHEETS` order (the manifest as a dict)."""
    subs = sample.substitutions.reindex(columns=SUBSTITUTION_COLUMNS)
    return {
        FIELDWORK: fieldwork_table(sample, framework, meta),
        "cases": _dates_as_dates(_plain(sample.cases)), "reserves": _dates_as_dates(_plain(sample.reserves)),
        "allocation": _rounded(_plain(sample.allocation)).rename(columns=PLAIN_HEADERS),
        "balance": _rounded(_plain(sample.balance)),
        "manifest": _manifest_of(sample, meta),
        "excluded": _excluded(frame, meta), "substitutions": subs,
        "glossary": pd.DataFrame(list(GLOSSARY), columns=["term", "meaning", "where"]),
    }


def _resolve_framework(framework: Any, inspection: Any) -> Any:
    from ..design._framework import load_framework

    if framework is not None:
        return load_framework(framework)
    return load_framework(inspection.framework_source() if inspection is not None else None)


def _add_dropdown(ws: Any, first_col: int, n_cols: int, n_rows: int) -> None:
    """Yes / No / N/A from a drop-down on the key-question cells."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    if not (n_cols and n_rows):
        return
    dv = DataValidation(type="list", formula1='"' + ",".join(ANSWERS) + '"', allow_blank=True,
                        showErrorMessage=True, errorTitle="Yes, No or N/A",
                        error="Answer Yes, No or N/A (not applicable); leave blank until inspected.",
                        showInputMessage=True, promptTitle="Answer", prompt="Yes, No or N/A")
    dv.add(f"{get_column_letter(first_col)}2:{get_column_letter(first_col + n_cols - 1)}{n_rows + 1}")
    ws.add_data_validation(dv)


def write_draw_workbook(sample: Any, path: str | os.PathLike, *, sample_name: str, framework: Any = None,
                        inspection: Any = None, frame: Any = None, carry: Sequence[str] | None = None) -> Path:
    """Write the draw workbook for fieldwork (see the module notes); returns its path.

    Parameters
    ----------
    sample : Sample
        From :func:`sampling.draw_sample`.
    path : path
        An ``.xlsx`` file, written atomically; the same inputs give the same bytes.
    sample_name : str
        The framework's sample, e.g. ``"case_supervision"``: its key questions head the
        fieldwork sheet.
    framework : Framework or str, optional
        Default: the inspection's framework, else ``"hmip-adult"``.
    inspection : Inspection, optional
        Names the provider in the manifest, and the sample's label and standards.
    frame : Frame, optional
        The frame drawn from: its own column names head the fieldwork sheet, and its
        excluded rows go to the ``excluded`` sheet.

    Returns
    -------
    Path
    """
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise OutputError(f"cannot write {str(target)!r}: a draw workbook must end in .xlsx")
    if target.is_dir():
        raise OutputError(f"cannot write {str(target)!r}: it is a folder")
    framework = _resolve_framework(framework, inspection)
    meta = draw_metadata(sample, sample_name=sample_name, framework=framework, inspection=inspection, frame=frame,
                         carry=carry)
    sheets = _sheets(sample, framework, meta, frame)
    sheets["manifest"] = pd.DataFrame([{"key": k, "value": v if isinstance(v, str) else json.dumps(v, default=str)}
                                       for k, v in sheets["manifest"].items()], columns=["key", "value"])
    try:
        with atomic_path(target) as tmp:
            with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
                for name, table in sheets.items():
                    escape_formulas(table).to_excel(writer, sheet_name=name, index=False)
                format_workbook(writer.book, wrap_headers_at=30)
                _add_dropdown(writer.book[FIELDWORK], 2 + len(meta["strata"]) + len(meta["carry"]),
                              len(meta["key_questions"]), len(sample.cases))
                _print_layout(writer.book[FIELDWORK])
            make_reproducible(tmp)
    except OSError as exc:
        raise OutputError(f"cannot write {str(target)!r}: {exc.strerror or exc}") from None
    return target


def write_draw_folder(sample: Any, folder: str | os.PathLike, *, sample_name: str, framework: Any = None,
                      inspection: Any = None, frame: Any = None, carry: Sequence[str] | None = None) -> list[Path]:
    """The draw workbook's pieces as files in ``folder`` (created if needed): one CSV per
    sheet (``fieldwork.csv`` first) and ``manifest.json`` (values as JSON, not JSON text),
    written together atomically. Parameters as :func:`write_draw_workbook`."""
    framework = _resolve_framework(framework, inspection)
    meta = draw_metadata(sample, sample_name=sample_name, framework=framework, inspection=inspection, frame=frame,
                         carry=carry)
    sheets = _sheets(sample, framework, meta, frame)
    names = [n for n in SHEETS if n != "manifest"]
    with atomic_dir(folder) as staging:
        for name in names:
            write_csv(sheets[name], staging / f"{name}.csv")
        (staging / "manifest.json").write_text(json.dumps(sheets["manifest"], indent=2, default=str) + "\n",
                                               encoding="utf-8")
    return [Path(folder) / f"{n}.csv" for n in names] + [Path(folder) / "manifest.json"]


# --------------------------------------------------------------------------- reading
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


def read_sheet(path: str | os.PathLike, name: str) -> pd.DataFrame:
    """One sheet of a draw workbook, or the same-named CSV of a draw folder, as text."""
    p = Path(path)
    try:
        if p.is_dir():
            table = pd.read_csv(p / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
        else:
            table = read_excel(p, sheet_name=name, dtype=str, keep_default_na=False)
    except (ValueError, KeyError, FileNotFoundError) as exc:
        raise DataError(f"{str(p)!r} has no {name!r} {'file' if p.is_dir() else 'sheet'} ({exc}): not a "
                        "complete draw written by `sampling draw --sample`") from None
    table.columns = [_unescape(str(c)) for c in table.columns]
    return table.map(_unescape)


def _decode(key: str, value: Any) -> Any:
    if key in _TEXT_KEYS or not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


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
    return {k: _decode(k, v) for k, v in zip(table["key"], table["value"])}


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
        reserve = by_id.loc[str(rec.reserve_case_id)]
        for c in cases.columns:
            if c in reserve.index and c != "selection_order":
                cases.iat[hit[0], cases.columns.get_loc(c)] = reserve[c]
    return cases


def read_draw(path: str | os.PathLike) -> Any:
    """A draw workbook (or draw folder) read back as a :class:`~sampling.Sample`.

    ``cases`` are the cases as they stand (each recorded substitution applied; the
    workbook's ``cases`` sheet keeps the draw as drawn, which
    :meth:`~sampling.Sample.original_case_ids` gives back), ``reserves``, ``allocation``
    (our column names), ``balance`` (percent units), the ``manifest`` (with provider,
    sample, population, strata, columns, key questions and seed), ``substitutions`` (with
    their reasons) and ``fieldwork`` (the sheet as it stands, in the frame's column names).
    Cell values are text, apart from counts, shares and p-values.

    Raises
    ------
    ArgumentError
        ``path`` is not a draw workbook or folder.
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
    allocation = _numeric(allocation, ["share"])
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
