"""The report: every chart and table for a publication, in one folder, in one go.

:func:`write_report` takes an :class:`~sampling.ratings.Assessment` (and optionally the drawn
:class:`~sampling.draw.Sample`) and writes

* the charts of :mod:`sampling.charts` as PNG and SVG — ``forest``, ``rating_probabilities``,
  ``overall``, ``misrating_curve``, ``planning_curve`` and, with a sample, ``balance``;
* ``report.md`` — the settings, the flags explained in plain words (each flagged standard
  named, with why), recorded discretion, and tables of standards, key questions and the
  overall rating, with the charts linked;
* ``report.csv`` — one tidy table: **one row per key question**, carrying its standard's
  columns (``standard_*``), plus one row per judgement-rated standard with the key-question
  columns empty. The overall rating is not in the CSV (it is one row per basis, a different
  unit); it is in ``report.md`` and ``report.xlsx``;
* ``report.xlsx`` — one sheet per table: ``key_questions``, ``standards``, ``overall``,
  ``overall_scores``, ``settings`` (and ``balance`` with a sample).

Text cells are formula-escaped in CSV and XLSX (:func:`sampling._io.escape_formulas`).
Nothing is half-written: every file is built in a temporary folder beside the output folder
and moved into place only when all have been built; if the output folder cannot be created
or written, :class:`~sampling.errors.OutputError` is raised and nothing is left behind.

The command ``sampling report`` (in :mod:`sampling.cli`) is a thin shell over
:func:`write_report`.
"""
from __future__ import annotations

import math
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from ._display import TableResult
from ._io import default_mode, escape_formulas
from .charts import _is_true, _shown_probabilities, _text
from .errors import ArgumentError, DataError, OutputError

__all__ = ["ReportFiles", "write_report", "report_table", "report_markdown", "CHARTS"]

#: Chart names (file stems) in the order they are written.
CHARTS = ("forest", "rating_probabilities", "overall", "misrating_curve", "planning_curve", "balance")


# --------------------------------------------------------------------------- result
@dataclass(frozen=True, repr=False)
class ReportFiles(TableResult):
    """What :func:`write_report` wrote.

    Attributes
    ----------
    out_dir : Path
        The output folder.
    files : tuple of Path
        Every file written, charts first, then report.md, report.csv and report.xlsx.
    charts : Mapping[str, tuple of Path]
        Chart name → its files (PNG, SVG).
    markdown, csv, xlsx : Path
    flagged : tuple of str
        Ids of the flagged standards (named in report.md).
    seconds : float
        Wall-clock time taken.
    """

    out_dir: Path
    files: tuple[Path, ...]
    charts: Mapping[str, tuple[Path, ...]]
    markdown: Path
    csv: Path
    xlsx: Path
    flagged: tuple[str, ...] = ()
    seconds: float = math.nan

    def to_frame(self) -> pd.DataFrame:
        rows = []
        for path in self.files:
            kind = next((name for name, paths in self.charts.items() if path in paths), "table")
            rows.append({"file": path.name, "kind": kind, "bytes": path.stat().st_size if path.exists() else None})
        return pd.DataFrame(rows, columns=["file", "kind", "bytes"])

    def _title(self) -> str:
        return f"Report: {len(self.files)} files in {str(self.out_dir)!r} ({self.seconds:.1f} s)"

    def _notes(self) -> list[str]:
        if self.flagged:
            return [f"Flagged standards: {', '.join(self.flagged)} (explained in {self.markdown.name})."]
        return ["No standard is flagged."]

    def __iter__(self):
        return iter(self.files)


# --------------------------------------------------------------------------- helpers
def _number(value: Any, fmt: str) -> str:
    """``value`` formatted with ``fmt`` ("" for None, NaN or text that is not a number)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return ""
    return "" if math.isnan(v) else format(v, fmt)


def _pct(value: Any, digits: int = 1) -> str:
    return _number(value, f".{digits}f")


def _prob(value: Any) -> str:
    return _number(value, ".2f")


def _count(value: Any) -> str:
    return _number(value, "g")


def _md_table(frame: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table (numbers right-aligned, '|' escaped)."""
    def cell(v: Any) -> str:
        s = _text(v)
        return s.replace("|", "\\|").replace("\n", " ")

    cols = [str(c) for c in frame.columns]
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
               for c in frame.columns]
    lines = ["| " + " | ".join(cell(c) for c in cols) + " |",
             "|" + "|".join("---:" if num else "---" for num in numeric) + "|"]
    for rec in frame.itertuples(index=False, name=None):
        lines.append("| " + " | ".join(cell(v) for v in rec) + " |")
    return "\n".join(lines)


def _labels(assessment: Any) -> list[str]:
    return list(assessment.rules.labels)


def _check_assessment(assessment: Any) -> None:
    from .charts import _assessment_tables

    _assessment_tables(assessment)
    for name in ("overall", "overall_scores", "method", "confidence_level"):
        if not hasattr(assessment, name):
            raise ArgumentError("assessment", type(assessment).__name__,
                                "must be an Assessment from sampling.rate(results)")


# --------------------------------------------------------------------------- tables
def report_table(assessment: Any) -> pd.DataFrame:
    """The tidy table of ``report.csv``: one row per key question with its standard's columns,
    then one row per judgement-rated standard (key-question columns empty)."""
    _check_assessment(assessment)
    kq = assessment.key_questions.copy()
    st = assessment.standards.copy()
    labels = _labels(assessment)
    kq_cols = ["key_question", "text", "relevant_subsample", "yes", "n", "n_known", "percent",
               "published_percent", "low", "high", "margin", "method", "band", "boundary_inside",
               "flagged", "note"]
    kq = kq[["standard", *[c for c in kq_cols if c in kq.columns]]].rename(
        columns={"flagged": "key_question_flagged", "note": "key_question_note",
                 "band": "key_question_band", "boundary_inside": "edge_inside_interval"})
    std_cols = ["name", "rated_by", "driving_key_question", "rule_rating", "published_rating",
                "override_rating", "override_reason", "rating", "agrees_with_published",
                *[f"P({lab})" for lab in labels], "modal_rating", "modal_probability", "flagged",
                "flag_reason"]
    std = st[["standard", *[c for c in std_cols if c in st.columns]]].copy()
    std = std.rename(columns=lambda c: c if c == "standard" else f"standard_{c}")
    std["standard"] = std["standard"].astype(str)
    kq["standard"] = kq["standard"].astype(str)
    merged = kq.merge(std, on="standard", how="left")
    judged = std[~std["standard"].isin(kq["standard"])]
    table = pd.concat([merged, judged], ignore_index=True) if len(judged) else merged
    order = {s.id: i for i, s in enumerate(assessment.framework.standards)}
    table = table.iloc[np.argsort([order.get(s, 10**6) for s in table["standard"]], kind="stable")]
    table = table.reset_index(drop=True)
    table["confidence_level"] = float(assessment.confidence_level)
    front = ["standard", "standard_name", "standard_rated_by"]
    return table[[*[c for c in front if c in table.columns],
                  *[c for c in table.columns if c not in front]]]


def _settings(assessment: Any, extra: Mapping[str, Any] | None = None) -> pd.DataFrame:
    rows = [("framework", assessment.framework.name), ("rules", assessment.rules.short_name),
            ("interval method", assessment.method),
            ("confidence level", f"{assessment.confidence_level:g}"),
            ("replicates", f"{getattr(assessment, 'n_resamples', '')}"),
            ("probability source", _text(getattr(assessment, "probability_source", "")))]
    rows += [(k, _text(v)) for k, v in (extra or {}).items()]
    rows += [("note", n) for n in getattr(assessment, "notes", ()) or ()]
    return pd.DataFrame(rows, columns=["setting", "value"])


def _explain_flag(row: Mapping[str, Any], kq: pd.DataFrame, assessment: Any) -> str:
    """One paragraph in plain words: which standard, its rating, and why it is flagged."""
    labels = _labels(assessment)
    sid, name = _text(row["standard"]), _text(row.get("name"))
    rating, rule = _text(row.get("rating")), _text(row.get("rule_rating"))
    published = _text(row.get("published_rating"))
    head = f"**{sid} {name}** — rated {rating}"
    if rule and rule != rating:
        head += f" (the rule gives {rule}; recorded discretion gives {rating})"
    if published and published != rating:
        head += f"; published {published}"
    head += "."
    parts = [head]
    drive = _text(row.get("driving_key_question"))
    d = kq[kq["key_question"].astype(str) == drive]
    if len(d):
        d = d.iloc[0]
        of = (f"{_count(d['yes'])} of {_count(d['n'])}" if _is_true(d.get("n_known", True))
              else f"{_count(d['yes'])} of {_count(d['n'])}, an n inferred from the rounded %")
        parts.append(f"Its lowest key question, {drive}, has {_pct(d['percent'])}% yes "
                     f"({of}); the "
                     f"{assessment.confidence_level:.0%} interval is {_pct(d['low'])}–{_pct(d['high'])}%.")
        edges = _text(d.get("boundary_inside"))
        if edges:
            plural = "edges" if "," in edges else "edge"
            parts.append(f"The band {plural} at {edges.replace(', ', '% and ')}% lie{'' if plural == 'edges' else 's'} "
                         "inside that interval: the true percentage could be on either side, so another "
                         "sample of the same size could well have given a different rating.")
    probs = _shown_probabilities(row, labels)
    if probs:
        parts.append("Probability of each rating by the rule: "
                     + ", ".join(f"{lab} {p:.0%}" for lab, p in probs) + ".")
    reason = _text(row.get("flag_reason"))
    if reason:
        parts.append(f"Flag: {reason}.")
    return " ".join(parts)


def report_markdown(assessment: Any, *, charts: Sequence[str] = (), title: str | None = None,
                    extra_settings: Mapping[str, Any] | None = None) -> str:
    """The text of ``report.md`` (see the module docstring)."""
    _check_assessment(assessment)
    kq, st, ov = assessment.key_questions, assessment.standards, assessment.overall
    labels = _labels(assessment)
    name = assessment.framework.name
    out = [f"# {title or f'Inspection results: {name}'}", ""]
    out += [f"Rules: {assessment.rules.name} (`{assessment.rules.short_name}`). Key-question "
            f"intervals: {assessment.method}, {assessment.confidence_level:.0%} confidence. Rating "
            f"probabilities: {_text(getattr(assessment, 'probability_source', ''))}.", ""]
    for key, value in (extra_settings or {}).items():
        out.append(f"- {key}: {_text(value)}")
    if extra_settings:
        out.append("")

    # summary
    out += ["## Summary", ""]
    for rec in ov.to_dict("records"):
        rating = _text(rec.get("rating")) or "(no overall rating)"
        line = f"- Overall, {rec['basis']}: score {_count(rec.get('score'))} → **{rating}**"
        pm = rec.get("modal_probability")
        if pm is not None and not pd.isna(pm):
            line += f" (most likely {_text(rec.get('modal_rating'))}, probability {float(pm):.2f})"
        if _is_true(rec.get("flagged")):
            line += " — flagged"
        out.append(line)
    flagged = st[st["flagged"].map(_is_true)]
    out.append(f"- Standards flagged: {len(flagged)} of {len(st)}"
               + (f" ({', '.join(flagged['standard'].astype(str))})" if len(flagged) else "") + ".")
    out.append("")

    # flags
    out += ["## Flags explained", ""]
    out.append("A rating is *flagged* when a band edge lies inside the confidence interval of the "
               "key question that decides it, or when the rating the rule gives is not clearly the "
               "most likely one: the sample cannot then tell which side of the edge the true "
               "percentage lies, and the rating could change with another sample.")
    out.append("")
    if len(flagged):
        for row in flagged.to_dict("records"):
            out += [f"- {_explain_flag(row, kq, assessment)}", ""]
    else:
        out += ["No standard is flagged.", ""]
    overall_flagged = ov[ov["flagged"].map(_is_true)]
    for rec in overall_flagged.to_dict("records"):
        probs = ", ".join(f"{lab} {p:.0%}" for lab, p in _shown_probabilities(rec, labels))
        out += [f"- **Overall ({rec['basis']})** — {_text(rec.get('rating'))} on a score of "
                f"{_count(rec.get('score'))}, but the most likely rating has probability only "
                f"{float(rec['modal_probability']):.2f} ({probs}).", ""]
    overrides = st[st["override_rating"].map(lambda v: bool(_text(v)))]
    if len(overrides):
        out += ["### Recorded professional discretion", ""]
        for row in overrides.to_dict("records"):
            out += [f"- **{row['standard']} {_text(row.get('name'))}**: {_text(row.get('override_rating'))} "
                    f"(the rule gives {_text(row.get('rule_rating'))}). Reason: "
                    f"{_text(row.get('override_reason')) or 'not recorded'}", ""]
    disagree = st[st["agrees_with_published"].eq(False)]
    if len(disagree):
        out += ["### Ratings that differ from the published ones", ""]
        for row in disagree.to_dict("records"):
            out += [f"- {row['standard']} {_text(row.get('name'))}: here {_text(row.get('rating'))}, "
                    f"published {_text(row.get('published_rating'))}.", ""]

    # tables
    out += ["## Standards", ""]
    std = pd.DataFrame({
        "standard": st["standard"], "name": st["name"], "rated by": st["rated_by"],
        "driving question": st["driving_key_question"].map(_text),
        "rule": st["rule_rating"].map(_text), "discretion": st["override_rating"].map(_text),
        "rating": st["rating"].map(_text), "published": st["published_rating"].map(_text),
        **{f"P({lab})": st[f"P({lab})"].map(_prob) for lab in labels if f"P({lab})" in st},
        "flag": np.where(st["flagged"].map(_is_true), "flagged", ""),
    })
    out += [_md_table(std), ""]
    out += ["## Key questions", ""]
    kqt = pd.DataFrame({
        "question": kq["key_question"].astype(str)
        + np.where(kq["relevant_subsample"].map(_is_true), " †", ""),
        "yes": kq["yes"].map(_count),
        "n": kq["n"].map(_count) + np.where(kq["n_known"].map(_is_true), "", "*"),
        "% yes": kq["percent"].map(_pct),
        "banded %": kq["published_percent"].map(lambda v: _pct(v, 0)),
        f"{assessment.confidence_level:.0%} interval": [f"{_pct(a)}–{_pct(b)}" for a, b in zip(kq["low"], kq["high"])],
        "band": kq["band"].map(_text),
        "edge inside": kq["boundary_inside"].map(_text),
        "flag": np.where(kq["flagged"].map(_is_true), "flagged", ""),
    })
    out += [_md_table(kqt), ""]
    marks = []
    if kq["relevant_subsample"].map(_is_true).any():
        marks.append("† relevant sub-sample (only the cases where the question applies)")
    if (~kq["n_known"].map(_is_true)).any():
        marks.append("* n not published: inferred as the largest n consistent with the published "
                     "%, so the true interval is wider")
    if marks:
        out += ["; ".join(marks) + ".", ""]
    out += ["## Overall", ""]
    ovt = pd.DataFrame({
        "basis": ov["basis"], "score": ov["score"].map(_count), "rating": ov["rating"].map(_text),
        **{f"P({lab})": ov[f"P({lab})"].map(_prob) for lab in labels if f"P({lab})" in ov},
        "flag": np.where(ov["flagged"].map(_is_true), "flagged", "") if "flagged" in ov else "",
    })
    out += [_md_table(ovt), ""]
    out.append("Bases: *rule* — every key-question standard rated by the rule; *rule + recorded "
               "overrides* — recorded professional discretion kept; *published* — the published "
               "ratings where given. Judgement-rated standards are fixed in every basis.")
    out.append("")
    if charts:
        captions = {
            "forest": "Key questions: % yes and interval against the rating bands",
            "rating_probabilities": "Probability of each rating per standard",
            "overall": "Distribution of the overall score",
            "misrating_curve": "Misrating risk against the true percentage, at each sample's n",
            "planning_curve": "Sample size against population, with the seed inspection's samples",
            "balance": "Sample balance: population and sample shares",
        }
        out += ["## Charts", ""]
        for c in charts:
            out += [f"![{captions.get(c, c)}]({c}.png)", "", f"*{captions.get(c, c)}* ([SVG]({c}.svg))", ""]
    notes = list(getattr(assessment, "notes", ()) or ())
    if notes:
        out += ["## Notes", ""] + [f"- {n}" for n in notes] + [""]
    out += ["## Files", "",
            "- `report.csv`: one row per key question with its standard's columns (`standard_*`), "
            "then one row per judgement-rated standard.",
            "- `report.xlsx`: one sheet per table (key_questions, standards, overall, overall_scores, "
            "settings" + (", balance" if "balance" in charts else "") + ").",
            "- Each chart as PNG (200 dpi) and SVG.", ""]
    return "\n".join(out)


def _for_sheet(frame: pd.DataFrame) -> pd.DataFrame:
    """Formula-escaped, with pandas NA turned into empty cells (openpyxl cannot write NA)."""

    out = escape_formulas(frame.reset_index(drop=True))
    for c in out.columns:
        col = out[c]
        if not (pd.api.types.is_float_dtype(col.dtype) or pd.api.types.is_integer_dtype(col.dtype)) \
                or isinstance(col.dtype, pd.api.extensions.ExtensionDtype):
            out[c] = col.astype(object).where(col.notna(), None)
    return out


def _reproducible_xlsx(path: Path) -> None:
    """Make a workbook byte-identical across runs: drop the created/modified timestamps that
    openpyxl writes into docProps/core.xml (both optional in OPC core properties) and store
    every zip entry with a fixed date (1980-01-01, the zip epoch)."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info.filename)) for info in src.infolist()]
    tmp = path.with_name(path.name + ".repack")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"<dcterms:(created|modified)\b[^>]*>[^<]*</dcterms:\1>", b"", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, data)
    os.replace(tmp, path)


# --------------------------------------------------------------------------- sample input
def _balance_table(sample: Any) -> pd.DataFrame | None:
    """A balance table from a Sample, a DataFrame, or the workbook/CSV `sampling draw` wrote."""
    if sample is None:
        return None
    if isinstance(sample, pd.DataFrame):
        return sample
    if hasattr(sample, "balance"):
        return sample.balance
    if isinstance(sample, (str, os.PathLike)):
        path = Path(sample)
        if not path.is_file() and path.is_dir() and (path / "balance.csv").is_file():
            path = path / "balance.csv"
        if not path.is_file():
            raise ArgumentError("sample", str(sample), "must be the .xlsx workbook or the folder/"
                                "balance.csv written by `sampling draw`, and must exist")
        try:
            if path.suffix.lower() in (".xlsx", ".xlsm"):
                return pd.read_excel(path, sheet_name="balance")
            return pd.read_csv(path)
        except (ValueError, KeyError, OSError) as exc:
            raise DataError(f"cannot read the balance table from {str(path)!r} ({exc})",
                            hint="Give the workbook written by `sampling draw` (it has a "
                                 "'balance' sheet).") from None
    raise ArgumentError("sample", type(sample).__name__,
                        "must be a Sample, its balance DataFrame, or the path of its workbook")


# --------------------------------------------------------------------------- output folder
def _prepare_parent(out: Path) -> Path:
    """Check that ``out`` can be a folder and create its parent; return the parent."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"cannot write the report to {str(out)!r}: it exists and is not a folder")
    for ancestor in [out, *out.parents]:
        if ancestor.exists():
            if not ancestor.is_dir():
                raise OutputError(f"cannot write the report to {str(out)!r}: {str(ancestor)!r} "
                                  "is a file, not a folder")
            break
    parent = out.parent if str(out.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder {str(parent)!r}: {exc.strerror or exc}") from None
    if not os.access(parent, os.W_OK | os.X_OK) or (out.exists() and not os.access(out, os.W_OK | os.X_OK)):
        raise OutputError(f"cannot write the report to {str(out)!r}: the folder is not writable")
    return parent


def _commit(staging: Path, out: Path, names: Sequence[str]) -> None:
    """Move the staged files into ``out`` (renaming the whole folder when ``out`` is new)."""
    if not out.exists():
        os.chmod(staging, default_mode(directory=True))
        try:
            os.rename(staging, out)
            return
        except OSError:
            if not out.is_dir():
                raise
            # created meanwhile: fall through and move file by file
    for name in names:
        os.replace(staging / name, out / name)
    staging.rmdir()


# --------------------------------------------------------------------------- main entry
def write_report(assessment: Any, out_dir: str | os.PathLike = "figures", *, sample: Any = None,
                 formats: Sequence[str] = ("png", "svg"), planning: bool = True,
                 misrating: bool = True, title: str | None = None,
                 settings: Mapping[str, Any] | None = None,
                 progress: Callable[[str], Any] | None = None, dpi: int = 200) -> ReportFiles:
    """Write every chart (PNG + SVG), ``report.md``, ``report.csv`` and ``report.xlsx``.

    Parameters
    ----------
    assessment : Assessment
        From :func:`sampling.rate`.
    out_dir : path
        The output folder (created if needed; files of the same names are replaced, others
        are left alone).
    sample : Sample, DataFrame or path, optional
        The drawn sample (or its balance table, or the workbook ``sampling draw`` wrote): adds
        the ``balance`` chart and sheet.
    formats : formats of every chart (default PNG and SVG).
    planning, misrating : bool
        Include the planning curve (with the seed inspection's samples) and the misrating
        curve (at the n of each sample in the assessment).
    title : report.md's heading (default "Inspection results: <framework>").
    settings : extra ``{name: value}`` lines for report.md and the settings sheet.
    progress : callable, optional
        Called with one line of text per step (the CLI prints them to stderr).

    Returns
    -------
    ReportFiles

    Raises
    ------
    DataError
        The assessment has no key questions (before anything is written).
    OutputError
        ``out_dir`` cannot be created or written (a path under a file, a file, no
        permission); nothing is left behind.
    """
    from . import charts as ch

    t0 = time.perf_counter()
    say = progress or (lambda _msg: None)
    _check_assessment(assessment)
    if not isinstance(planning, bool) or not isinstance(misrating, bool):
        raise ArgumentError("planning/misrating", (planning, misrating), "must be True or False")
    balance_table = _balance_table(sample)
    out = Path(out_dir)
    parent = _prepare_parent(out)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name or 'report'}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise OutputError(f"cannot write the report to {str(out)!r}: {exc.strerror or exc}") from None

    names: list[str] = []
    chart_files: dict[str, tuple[str, ...]] = {}
    try:
        # ---- charts
        samples_n = _sample_sizes(assessment)
        jobs: list[tuple[str, Callable[[], Any]]] = [
            ("forest", lambda: ch.forest(assessment)),
            ("rating_probabilities", lambda: ch.rating_probabilities(assessment)),
            ("overall", lambda: ch.overall(assessment)),
        ]
        if misrating and samples_n:
            jobs.append(("misrating_curve", lambda: ch.misrating_curve(list(samples_n.values()),
                                                                       rules=assessment.rules)))
        if planning:
            jobs.append(("planning_curve", lambda: ch.planning_curve(confidence_level=assessment.confidence_level)))
        if balance_table is not None:
            jobs.append(("balance", lambda: ch.balance(balance_table)))
        for name, make in jobs:
            say(f"chart {name} …")
            fig = make()
            paths = ch.save(fig, staging / name, formats, dpi=dpi)
            chart_files[name] = tuple(p.name for p in paths)
            names += [p.name for p in paths]
        # ---- tables
        extra = dict(settings or {})
        say("report.md …")
        md = report_markdown(assessment, charts=[n for n, _ in jobs], title=title, extra_settings=extra)
        (staging / "report.md").write_text(md, encoding="utf-8")
        say("report.csv …")
    
        escape_formulas(report_table(assessment)).to_csv(staging / "report.csv", index=False,
                                                         encoding="utf-8")
        say("report.xlsx …")
        sheets = {"key_questions": assessment.key_questions, "standards": assessment.standards,
                  "overall": assessment.overall, "overall_scores": assessment.overall_scores,
                  "settings": _settings(assessment, extra)}
        if balance_table is not None:
            sheets["balance"] = balance_table
        with pd.ExcelWriter(staging / "report.xlsx", engine="openpyxl") as writer:
            for sheet, table in sheets.items():
                _for_sheet(table).to_excel(writer, sheet_name=sheet, index=False)
        _reproducible_xlsx(staging / "report.xlsx")
        names += ["report.md", "report.csv", "report.xlsx"]
        say(f"moving {len(names)} files into {str(out)!r} …")
        _commit(staging, out, names)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"cannot write the report to {str(out)!r}: {exc.strerror or exc}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    files = tuple(out / n for n in names)
    flagged = tuple(assessment.standards.loc[assessment.standards["flagged"].map(_is_true), "standard"].astype(str))
    return ReportFiles(out_dir=out, files=files,
                       charts={k: tuple(out / n for n in v) for k, v in chart_files.items()},
                       markdown=out / "report.md", csv=out / "report.csv", xlsx=out / "report.xlsx",
                       flagged=flagged, seconds=time.perf_counter() - t0)


def _sample_sizes(assessment: Any) -> dict[str, int]:
    """Sample name → n (the largest known n of its key questions), in framework order."""
    kq = assessment.key_questions
    fw = assessment.framework
    out: dict[str, int] = {}
    for rec in kq.to_dict("records"):
        try:
            sample = fw.key_question(str(rec["key_question"])).sample or "all"
        except DataError:
            sample = "all"
        n = rec.get("n")
        if n is None or pd.isna(n) or not _is_true(rec.get("n_known", True)):
            continue
        out[sample] = max(out.get(sample, 0), int(n))
    return out
