"""The draw workbook: written by ``sampling draw --sample`` and carried through fieldwork
(read back by :mod:`._drawread`).

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
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import pandas as pd

from .._utils._io import atomic_dir, atomic_path, escape_formulas, write_csv
from .._utils._tables import column_key
from .._utils._workbook import write_workbook
from ..errors import ArgumentError, DataError, OutputError
from ._layout import FIELDWORK, PLAIN_HEADERS, SHEETS, SUBSTITUTION_COLUMNS, TEXT_KEYS

if TYPE_CHECKING:
    from ..design._framework import Framework
    from ..design._inspection import Inspection
    from ._draw import Sample
    from ._frame import Frame


__all__ = ["write_draw_workbook", "write_draw_folder", "draw_metadata", "fieldwork_table", "ANSWERS", "FIELDWORK",
           "SHEETS", "GLOSSARY", "PLAIN_HEADERS", "SUBSTITUTION_COLUMNS", "TEXT_KEYS"]

ANSWERS = ("Yes", "No", "N/A")
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
     "totals of every variable are met (with the proportional allocation; another allocation rounds its own "
     "share)", "allocation"),
    ("allocation's share (before rounding)", "with a Neyman or equal allocation, or a minimum per cell: the "
     "cell's share of the sample under that rule before rounding to whole cases (the proportional share is "
     "beside it); such a sample does not mirror the population's mix, and each case is weighted by "
     "SamplingWeight", "allocation"),
    ("anticipated proportion yes (p_h)", "the share of Yes answers expected in the cell (from a previous "
     "inspection or stated): a Neyman allocation gives more cases to cells where answers are expected to vary "
     "most; with several key questions it is the value whose spread is their average", "allocation"),
    ("allocation_rule / min_per_cell / matched", "the rule sharing the sample between cells (proportional, "
     "neyman or equal), the minimum number of cases per cell, and whether the sample mirrors the population's "
     "mix by design (true only for a proportional allocation meeting every total)", "manifest"),
    ("planned_margin", "the margin (in percentage points, at the planning confidence, with 50% Yes in every "
     "cell) this allocation gives the population estimate; planned_margin_proportional is the proportional "
     "allocation's, and the _anticipated figures use the anticipated proportions", "manifest"),
    ("matching", "with an allocation that is not proportional: the sample does not mirror the population's "
     "mix by design, and the estimates are weighted", "balance"),
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
    ("draw_sha256 (draw fingerprint)", "a code computed from the draw as drawn: case ids, strata, cells and "
     "their order, the reserves, each cell's N_h and n_h, the seed and N; `sampling verify` recomputes it "
     "from the workbook, so an edit to any of them shows", "manifest"),
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
    ws.data_validations.append(dv)  # (add_data_validation does this; write-only sheets lack it)


def _fieldwork_setup(ws: Any, meta: Mapping[str, Any], n_rows: int) -> None:
    """The fieldwork sheet's drop-downs and print layout."""
    _add_dropdown(ws, 2 + len(meta["strata"]) + len(meta["carry"]), len(meta["key_questions"]), n_rows)
    _print_layout(ws)


def write_draw_workbook(sample: Sample, path: str | os.PathLike, *, sample_name: str, framework: Framework | str | None = None,
                        inspection: Inspection | None = None, frame: Frame | None = None, carry: Sequence[str] | None = None) -> Path:
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
    carry : list of str, optional
        Frame columns (its own headers) copied onto the fieldwork sheet; default the
        inspection's ``[fieldwork] carry``, else the frame's short descriptive columns
        (office, officer, team, start date …); ``[]`` carries none.

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, sampling
    >>> from pathlib import Path
    >>> frame = sampling.load_frame(sampling.synthetic_frame(668, rng=1))
    >>> sample = sampling.draw_sample(frame, 132, rng=2019)
    >>> path = sampling.write_draw_workbook(sample, Path(tempfile.mkdtemp()) / "draw.xlsx",
    ...                                     sample_name="case_supervision", frame=frame)
    >>> path.name
    'draw.xlsx'
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
            write_workbook(tmp, {name: escape_formulas(table) for name, table in sheets.items()},
                           wrap_headers_at=30, setup={FIELDWORK: lambda ws: _fieldwork_setup(ws, meta, len(sample.cases))})
    except OSError as exc:
        raise OutputError(f"cannot write {str(target)!r}: {exc.strerror or exc}") from None
    return target


def write_draw_folder(sample: Sample, folder: str | os.PathLike, *, sample_name: str, framework: Framework | str | None = None,
                      inspection: Inspection | None = None, frame: Frame | None = None, carry: Sequence[str] | None = None) -> list[Path]:
    """The draw workbook's pieces as files in ``folder`` (created if needed): one CSV per
    sheet (``fieldwork.csv`` first) and ``manifest.json`` (values as JSON, not JSON text),
    written together atomically.

    Parameters
    ----------
    sample : Sample
        From :func:`sampling.draw_sample`.
    folder : str or path
        The folder to write (created if needed; replaced as a whole, atomically).
    sample_name : str
        The framework's sample, e.g. ``"case_supervision"``.
    framework, inspection, frame, carry : optional
        As for :func:`write_draw_workbook`.

    Returns
    -------
    list of Path
        The files written, ``fieldwork.csv`` first.

    Examples
    --------
    >>> import tempfile, sampling
    >>> from pathlib import Path
    >>> frame = sampling.load_frame(sampling.synthetic_frame(668, rng=1))
    >>> sample = sampling.draw_sample(frame, 132, rng=2019)
    >>> paths = sampling.write_draw_folder(sample, Path(tempfile.mkdtemp()) / "draw",
    ...                                    sample_name="case_supervision", frame=frame)
    >>> sorted(p.name for p in paths)[:3]
    ['allocation.csv', 'balance.csv', 'cases.csv']
    """
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
