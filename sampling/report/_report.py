"""The report: every chart and table for a publication, in one folder, in one go.

:func:`write_report` takes an :class:`~sampling.ratings.Assessment` (and optionally the drawn
:class:`~sampling.draw.Sample`) and writes

* the charts of :mod:`sampling.charts` as PNG and SVG — ``forest``, ``rating_probabilities``,
  ``overall``, ``misrating_curve``, ``planning_curve`` and, with a sample (or the design of
  one draw workbook), ``balance``;
* ``report.md`` — the settings, the design of each sample (``design=``), the flags explained in plain words (each flagged standard
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
and moved into place only when all have been built (:func:`sampling._io.atomic_dir`); if the output folder cannot be created
or written, :class:`~sampling.errors.OutputError` is raised and nothing is left behind.

The command ``sampling report`` (in :mod:`sampling.cli`) is a thin shell over
:func:`write_report`.
"""
from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..rating._assessment import Assessment
from .._utils._excel import read_excel
from .._utils._checks import check_bool
from .._utils._display import TableResult
from .._utils._format import is_true, text
from .._utils._methods import method_name
from .._utils._io import atomic_dir, escape_formulas, write_csv
from .._utils._workbook import format_workbook
from ._markdown import check_assessment, report_markdown
from ._render import drawing, worker_count
from ..errors import ArgumentError, DataError

if TYPE_CHECKING:
    from ..draw._draw import Sample
    from ..results._statement import DesignStatement
    from .._utils._types import FrameSource

__all__ = ["ReportFiles", "write_report", "report_table", "report_markdown", "CHARTS"]

#: Chart names (file stems) in the order they are written.
CHARTS = ("forest", "rating_probabilities", "overall", "misrating_curve", "planning_curve", "balance")


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



def report_table(assessment: Assessment) -> pd.DataFrame:
    """The tidy table of ``report.csv``.

    Parameters
    ----------
    assessment : Assessment
        From :func:`sampling.rate`.

    Returns
    -------
    DataFrame
        One row per key question with its standard's columns (``standard_*``), then one row
        per judgement-rated standard (key-question columns empty).
    """
    check_assessment(assessment)
    kq = assessment.key_questions.copy()
    st = assessment.standards.copy()
    labels = list(assessment.rules.labels)
    kq_cols = ["key_question", "text", "relevant_subsample", "yes", "n", "missing", "n_known", "percent",
               "published_percent", "low", "high", "margin", "method", "band", "boundary_inside",
               "flagged", "note"]
    kq = kq[["standard", *[c for c in kq_cols if c in kq.columns]]].rename(
        columns={"flagged": "key_question_flagged", "note": "key_question_note",
                 "band": "key_question_band", "boundary_inside": "edge_inside_interval"})
    std_cols = ["name", "rated_by", "driving_key_question", "rule_rating", "published_rating",
                "override_rating", "override_reason", "rating", "agrees_with_published",
                *[f"P({lab})" for lab in labels], "grade", "flagged",
                "flag_reason"]
    std = st[["standard", *[c for c in std_cols if c in st.columns]]].copy()
    std = std.rename(columns=lambda c: "standard_why_flagged" if c == "flag_reason" else
                     (c if c == "standard" else f"standard_{c}"))
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



def _design_rows(designs: Sequence[Any]) -> list[tuple[str, str]]:
    """The settings rows of each sample's design: its statement, then one row per figure."""
    rows = []
    for d in designs:
        name = d.label or d.sample
        rows.append((f"design: {name}", d.text()))
        for rec in d.to_frame().to_dict("records"):
            cases = "unknown" if pd.isna(rec["cases"]) else f"{int(rec['cases']):,}"
            rows.append((f"{name}: {rec['item']}", cases + (f" ({rec['note']})" if rec["note"] else "")))
    return rows


def _settings(assessment: Any, extra: Mapping[str, Any] | None = None, designs: Sequence[Any] = ()) -> pd.DataFrame:
    provider = getattr(assessment, "provider", None)
    rows = [("provider", provider)] if provider else []
    rows += _design_rows(designs)
    rows += [("framework", assessment.framework.name), ("rules", assessment.rules.short_name),
            ("interval method", method_name(assessment.method)),
            ("confidence level", f"{assessment.confidence_level:g}"),
            ("replicates", f"{getattr(assessment, 'n_resamples', '')}"),
            ("probability source", text(getattr(assessment, "probability_source", "")))]
    rows += [(k, text(v)) for k, v in (extra or {}).items()]
    rows += [("note", n) for n in getattr(assessment, "notes", ()) or ()]
    return pd.DataFrame(rows, columns=["setting", "value"])



def _for_sheet(frame: pd.DataFrame) -> pd.DataFrame:
    """Formula-escaped, with pandas NA turned into empty cells (openpyxl cannot write NA)."""

    out = escape_formulas(frame.reset_index(drop=True))
    for c in out.columns:
        col = out[c]
        if not (pd.api.types.is_float_dtype(col.dtype) or pd.api.types.is_integer_dtype(col.dtype)) \
                or isinstance(col.dtype, pd.api.extensions.ExtensionDtype):
            out[c] = col.astype(object).where(col.notna(), None)
    return out



def _balance_path(path: Path) -> Path:
    """Where a draw's balance table is: the workbook, ``folder/balance.csv``, or
    ``<name>_balance.csv`` beside a ``<name>.csv`` sample list."""
    if path.is_dir() and (path / "balance.csv").is_file():
        return path / "balance.csv"
    beside = path.with_name(path.stem + "_balance.csv")
    if path.suffix.lower() == ".csv" and not path.stem.endswith("_balance") and beside.is_file():
        return beside
    if not path.is_file():
        raise ArgumentError("sample", str(path), "must be the .xlsx workbook or the folder/"
                            "balance.csv written by `sampling draw`, and must exist")
    return path


def check_draw_provider(sample: Any, provider: str | None) -> None:
    """Refuse a draw workbook whose manifest names another provider than the assessment's."""
    if provider is None or not isinstance(sample, (str, os.PathLike)):
        return
    path = Path(sample)
    if path.suffix.lower() != ".xlsx" or not path.is_file():
        return
    try:
        manifest = read_excel(path, sheet_name="manifest", dtype=str, keep_default_na=False)
    except (ValueError, KeyError, OSError):
        return
    named = dict(zip(manifest["key"], manifest["value"])) if "key" in manifest else {}
    theirs = {v for v in (named.get("provider"), named.get("short_name")) if v}
    if theirs and provider not in theirs:
        raise DataError(f"the draw workbook {str(path)!r} is of {sorted(theirs)[0]!r}, not {provider!r}",
                        hint="Give the draw of this inspection (--sample).")


def _load_balance(sample: Any) -> pd.DataFrame | None:
    """A balance table from a Sample, a DataFrame, or the workbook/CSV `sampling draw` wrote."""
    if sample is None:
        return None
    if isinstance(sample, pd.DataFrame):
        return sample
    if hasattr(sample, "balance"):
        return sample.balance
    if isinstance(sample, (str, os.PathLike)):
        path = _balance_path(Path(sample))
        try:
            table = (read_excel(path, sheet_name="balance") if path.suffix.lower() in (".xlsx", ".xlsm")
                     else pd.read_csv(path))
        except (ValueError, KeyError, OSError) as exc:
            raise DataError(f"cannot read the balance table from {str(path)!r} ({exc})",
                            hint="Give the workbook written by `sampling draw` (it has a "
                                 "'balance' sheet).") from None
        for col in ("population_pct", "sample_pct"):  # a workbook's percent cells hold fractions
            if path.suffix.lower() in (".xlsx", ".xlsm") and col in table and table[col].max() <= 1.0:
                table[col] = 100.0 * table[col]
        if not {"variable", "category", "p_value"} <= set(table.columns):
            raise DataError(f"{str(path)!r} holds no balance table (columns variable, category, …, p_value)",
                            hint="Give the workbook, the folder or the <name>_balance.csv that `sampling draw` wrote.")
        return table
    raise ArgumentError("sample", type(sample).__name__,
                        "must be a Sample, its balance DataFrame, or the path of its workbook")



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
        if n is None or pd.isna(n) or not is_true(rec.get("n_known", True)):
            continue
        out[sample] = max(out.get(sample, 0), int(n))
    return out



def _design_sizes(assessment: Any, designs: Sequence[Any]) -> dict[str, tuple[int, int | None]]:
    """{label: (n, N)} of the assessment's samples: n drawn (else scored) and N from each
    design statement (the draw's manifest); N None when unknown. Without statements, n is
    the largest key-question n of each sample and N unknown."""
    labels = {s.name: s.label for s in getattr(assessment.framework, "samples", ())}
    if not designs:
        return {labels.get(name) or name: (n, None) for name, n in _sample_sizes(assessment).items()}
    sizes = _sample_sizes(assessment)
    out = {}
    for d in designs:
        n = d.drawn if d.drawn is not None else d.scored if d.scored is not None else sizes.get(d.sample)
        if n:
            out[d.label or labels.get(d.sample) or d.sample] = (int(n), d.population)
    return out


def _chart_jobs(assessment: Any, balance_table: pd.DataFrame | None, *, planning: bool,
                misrating: bool, designs: Sequence[Any] = ()) -> list[tuple[str, Callable[[], Any]]]:
    """(name, make-figure) for every chart the report holds, in :data:`CHARTS` order."""
    from .. import charts as ch

    # looked up here (loading their modules), not in the jobs: forked workers inherit them
    forest, rating_probabilities, overall = ch.forest, ch.rating_probabilities, ch.overall
    misrating_curve, planning_curve, balance = ch.misrating_curve, ch.planning_curve, ch.balance

    sizes = _design_sizes(assessment, designs)
    labels = [f"{k}: n = {n:,}, " + (f"N = {N:,}" if N is not None else "N unknown") for k, (n, N) in sizes.items()]
    jobs: list[tuple[str, Callable[[], Any]]] = [
        ("forest", lambda: forest(assessment)),
        ("rating_probabilities", lambda: rating_probabilities(assessment)),
    ]
    if assessment.overall["rating"].notna().any():  # an incomplete inspection has no overall rating
        jobs.append(("overall", lambda: overall(assessment)))
    if misrating and sizes:
        jobs.append(("misrating_curve", lambda: misrating_curve(
            [n for n, _ in sizes.values()], [N for _, N in sizes.values()], rules=assessment.rules, labels=labels,
            provider=assessment.provider)))
    if planning:
        jobs.append(("planning_curve", lambda: planning_curve(
            confidence_level=assessment.confidence_level, marks=sizes, provider=assessment.provider)))
    if balance_table is not None:
        jobs.append(("balance", lambda: balance(balance_table, provider=assessment.provider)))
    return jobs


def _write_tables(staging: Path, assessment: Any, md: str, extra: Mapping[str, Any],
                  balance_table: pd.DataFrame | None, say: Callable[[str], Any],
                  more_sheets: Mapping[str, pd.DataFrame] | None = None, designs: Sequence[Any] = ()) -> list[str]:
    say("report.md …")
    (staging / "report.md").write_text(md, encoding="utf-8")
    say("report.csv …")
    write_csv(report_table(assessment), staging / "report.csv")
    say("report.xlsx …")
    sheets = {"key_questions": assessment.key_questions,
              "standards": assessment.standards.rename(columns={"flag_reason": "why_flagged"}),
              "overall": assessment.overall, "overall_scores": assessment.overall_scores,
              "settings": _settings(assessment, extra, designs)}
    if balance_table is not None:
        sheets["balance"] = balance_table
    sheets.update(more_sheets or {})
    with pd.ExcelWriter(staging / "report.xlsx", engine="openpyxl") as writer:
        for sheet, table in sheets.items():
            _for_sheet(table).to_excel(writer, sheet_name=sheet, index=False)
    format_workbook(staging / "report.xlsx", reproducible=True)
    return ["report.md", "report.csv", "report.xlsx"]


def _extra_sections(assessment: Any, sections: Sequence[Any]) -> list:
    """The report sections of the further analyses (their module, with the comparisons it
    needs, is loaded only when there are some)."""
    if not sections:
        return []
    from ._sections import section_of

    return [x for item in sections for x in section_of(item, getattr(assessment, "provider", None))]


def _designs(design: Any) -> tuple:
    """``design`` as a tuple of DesignStatement (None: none)."""
    from ..results._statement import DesignStatement

    if design is None:
        return ()
    items = (design,) if isinstance(design, DesignStatement) else tuple(design) \
        if isinstance(design, (list, tuple)) else None
    if items is None or not all(isinstance(d, DesignStatement) for d in items):
        raise ArgumentError("design", type(design).__name__, "must be a DesignStatement or a list of them "
                            "(sampling.design_statement / design_statements)")
    return items


def write_report(assessment: Assessment, out_dir: str | os.PathLike = "figures", *,
                 sample: Sample | FrameSource | None = None,
                 formats: Sequence[str] = ("png", "svg"), planning: bool = True,
                 misrating: bool = True, title: str | None = None,
                 settings: Mapping[str, Any] | None = None, sections: Sequence[Any] = (),
                 design: DesignStatement | Sequence[DesignStatement] | None = None,
                 progress: Callable[[str], Any] | None = None,
                 dpi: int = 200, workers: int | None = None) -> ReportFiles:
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
    formats : sequence of str
        Formats of every chart (default PNG and SVG).
    planning, misrating : bool
        Include the planning curve (with the assessment's own samples marked) and the
        misrating curve (at the n of each sample in the assessment).
    title : str, optional
        report.md's heading (default "Inspection results: <provider or framework>").
    settings : mapping, optional
        Extra ``{name: value}`` lines for report.md and the settings sheet.
    sections : sequence, optional
        Further analyses of the same inspection, each with its chart(s), its section of
        report.md and its sheets: :class:`~sampling.Breakdown` (a breakdown by subgroup),
        :class:`~sampling.Comparison` (with an earlier inspection or another provider) and
        :class:`~sampling.Pool` (the national picture, this provider placed in it).
    design : DesignStatement or sequence of them, optional
        The design of each sample (:func:`sampling.design_statements`): stated in report.md
        and the settings sheet, and the n and N of the planning and misrating charts (else n
        is each sample's largest key-question n and N unknown). One statement read from a
        draw workbook also gives the balance chart when ``sample`` is not given.
    progress : callable, optional
        Called with one line of text per step (the CLI prints them to stderr).
    dpi : int
        Resolution of PNG files.
    workers : int, optional
        Processes that draw the charts. Default: two on a machine with two or more cores
        that forks processes (Linux), when there are three charts or more; else one. ``1``
        draws them in this process. The files are the same either way.

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

    Examples
    --------
    >>> import tempfile, sampling
    >>> from pathlib import Path
    >>> assessment = sampling.rate(sampling.seed_inspection(), rng=2019)
    >>> files = sampling.write_report(assessment, Path(tempfile.mkdtemp()) / "report", formats=("png",))
    >>> files.markdown.name
    'report.md'
    """
    t0 = time.perf_counter()
    say = progress or (lambda _msg: None)
    check_assessment(assessment)
    check_bool(planning, "planning")
    check_bool(misrating, "misrating")
    designs = _designs(design)
    if sample is None and len(designs) == 1 and designs[0].path is not None:
        sample = designs[0].path  # a draw workbook analysed: its balance chart
    check_draw_provider(sample, getattr(assessment, "provider", None))
    balance_table = _load_balance(sample)
    jobs = _chart_jobs(assessment, balance_table, planning=planning, misrating=misrating, designs=designs)
    extras = _extra_sections(assessment, sections)
    jobs += [(x.chart, x.make) for x in extras]
    out = Path(out_dir)
    with atomic_dir(out) as staging, drawing(jobs, staging, formats, dpi, say, workers) as charts_drawn:
        parallel = worker_count(len(jobs), workers) > 1
        extra = dict(settings or {})
        md = report_markdown(assessment, charts=[n for n, _ in jobs if n not in {x.chart for x in extras}],
                             title=title, extra_settings=extra, sections=[ln for x in extras for ln in x.markdown],
                             design=designs)
        more = {k: v for x in extras for k, v in x.sheets.items()}
        if parallel:  # the tables are written while the workers draw
            tables = _write_tables(staging, assessment, md, extra, balance_table, say, more, designs)
            chart_files = charts_drawn()
        else:
            chart_files = charts_drawn()
            tables = _write_tables(staging, assessment, md, extra, balance_table, say, more, designs)
        names = [n for files in chart_files.values() for n in files] + tables
        say(f"moving {len(names)} files into {str(out)!r} …")
    flagged = tuple(assessment.standards.loc[assessment.standards["flagged"].map(is_true), "standard"].astype(str))
    return ReportFiles(out_dir=out, files=tuple(out / n for n in names),
                       charts={k: tuple(out / n for n in v) for k, v in chart_files.items()},
                       markdown=out / "report.md", csv=out / "report.csv", xlsx=out / "report.xlsx",
                       flagged=flagged, seconds=time.perf_counter() - t0)
