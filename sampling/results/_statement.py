"""The design of an inspection's sample, stated from its draw workbook: the first sentence of a
methodology annex.

:func:`design_statement` reads a draw workbook's manifest (the eligible population N and where
it came from, the cases planned), its ``cases``, ``excluded`` and ``substitutions`` sheets and
the fieldwork progress (cases scored in full, partly, not started; see
:func:`sampling.fieldwork_progress`). Given :class:`~sampling.Results` that are not from a draw
workbook (a plain CSV), it states what the results know and "unknown" for the rest.
:func:`design_statements` gives one statement per sample of an analysis.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import pandas as pd

from .._utils._display import TableResult
from ..draw._allocation_rules import RULE_WORDS
from ..draw._drawread import is_draw_workbook
from ..errors import ArgumentError


if TYPE_CHECKING:
    from ._results import Results

__all__ = ["DesignStatement", "design_statement", "design_statements", "left_out_lines"]

#: the reason the draw writes for a set-aside case begins with this
SET_ASIDE_PREFIX = "set aside: "


@dataclass(frozen=True, repr=False)
class DesignStatement(TableResult):
    """The design of one sample, as a methodology annex states it.

    Every count is a whole number of cases, or None when it is not known (results not read
    from a draw workbook).

    Attributes
    ----------
    sample, label : str
        The framework's sample name and its label.
    population : int or None
        The eligible population N the sample was drawn from (and that the analysis uses).
    population_source : str
        Where N came from, in words ("the frame", "given for the analysis", "unknown").
    population_stated, population_frame : int or None
        ``inspection.toml``'s N and the frame's eligible count, when they differ.
    planned, drawn : int or None
        The sample size the draw was asked for, and the cases on its ``cases`` sheet.
    complete, partly, not_started : int or None
        Sampled cases scored in full, partly answered, and not yet scored.
    substituted : int or None
        Sampled cases replaced by a reserve.
    set_aside : int or None
        Frame cases set aside (``--set-aside``), left out of the eligible population.
    set_aside_reasons : tuple of (str, int)
        Each set-aside rule in words (``RoSH Level = 'Not Assessed'``) and its count.
    excluded_other : int or None
        Frame cases left out by the eligibility rules (e.g. months since start).
    not_on_sheet : int
        Sampled cases missing from the fieldwork sheet.
    left_out : DataFrame
        ``case_id, reason``: the frame cases set aside or excluded by eligibility.
    population_analysed : int or None
        The N the analysis used when it differs from the draw's (given with ``--population``).
    substitutions : DataFrame
        ``case_id, reason``: each sampled case replaced, by which reserve and why.
    allocation : str
        How the drawn cases were shared between the stratum cells, in words ("" when not
        from a draw workbook).
    source : str
        The draw workbook's file name, or the results' source.
    path : str or None
        The draw workbook's path (None for results not from one).
    """

    sample: str
    label: str = ""
    population: int | None = None
    population_source: str = "unknown"
    population_stated: int | None = None
    population_frame: int | None = None
    planned: int | None = None
    drawn: int | None = None
    complete: int | None = None
    partly: int | None = None
    not_started: int | None = None
    substituted: int | None = None
    set_aside: int | None = None
    set_aside_reasons: tuple = ()
    excluded_other: int | None = None
    not_on_sheet: int = 0
    left_out: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["case_id", "reason"]))
    population_analysed: int | None = None
    substitutions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["case_id", "reason"]))
    allocation: str = ""
    source: str = ""
    path: str | None = None

    na_text = "unknown"

    @property
    def from_draw(self) -> bool:
        """Whether the statement was read from a draw workbook."""
        return self.path is not None

    @property
    def scored(self) -> int | None:
        """Cases with at least one answer (scored in full or partly)."""
        if self.complete is None:
            return None
        return self.complete + (self.partly or 0)

    def to_frame(self) -> pd.DataFrame:
        """``item, cases, note``: one row per figure of the design (cases None when unknown)."""
        reasons = "; ".join(f"{n:,} with {r}" for r, n in self.set_aside_reasons)
        stated = "; ".join(x for x in (
            "" if self.population_stated is None else f"inspection.toml stated {self.population_stated:,}",
            "" if self.population_analysed is None else f"the analysis uses {self.population_analysed:,}, as given")
            if x)
        rows = [
            ("eligible population (N)", self.population, "; ".join(x for x in (self.population_source, stated) if x)),
            ("cases planned", self.planned, "the sample size the draw was asked for" if self.planned is not None else ""),
            ("cases drawn", self.drawn, self.allocation),
            ("scored in full" if self.partly is not None or self.complete is None else "cases scored",
             self.complete, ""),
            ("partly scored", self.partly, "some key questions still blank" if self.partly else ""),
            ("not yet scored", self.not_started, ""),
            ("substituted", self.substituted, "replaced by a reserve from the same cell" if self.substituted else ""),
            ("set aside", self.set_aside, reasons),
            ("excluded by eligibility rules", self.excluded_other, ""),
        ]
        if self.not_on_sheet:
            rows.append(("missing from the fieldwork sheet", self.not_on_sheet, ""))
        frame = pd.DataFrame(rows, columns=["item", "cases", "note"])
        frame.insert(0, "sample", self.sample)
        return frame.astype({"cases": "Int64"})

    def to_dict(self) -> dict:
        """The figures as plain values (None when unknown), with the statement's text."""
        return {"sample": self.sample, "label": self.label, "population": self.population,
                "population_source": self.population_source, "population_stated": self.population_stated,
                "population_frame": self.population_frame, "planned": self.planned, "drawn": self.drawn,
                "scored_in_full": self.complete, "partly_scored": self.partly, "not_yet_scored": self.not_started,
                "substituted": self.substituted, "set_aside": self.set_aside,
                "set_aside_reasons": [{"reason": r, "cases": n} for r, n in self.set_aside_reasons],
                "excluded_by_eligibility": self.excluded_other, "source": self.source, "text": self.text()}

    def text(self) -> str:
        """One paragraph in plain words, the first sentence of a methodology annex."""
        name = self.label or self.sample
        if self.population is None:
            head = f"{name}: the eligible population N is unknown"
        else:
            where = self.population_source
            if self.population_stated is not None:
                where += f"; inspection.toml stated {self.population_stated:,}"
            if self.population_analysed is not None:
                where += f"; the analysis uses N = {self.population_analysed:,}, as given"
            head = f"{name}: from an eligible population of {self.population:,} cases ({where})"
        if self.from_draw:
            planned = f"{self.planned:,} were planned" if self.planned is not None else "the planned number is unknown"
            head += f", {planned} and {self.drawn:,} drawn" + (f" ({self.allocation})" if self.allocation else "")
        else:
            head += "; the cases planned, drawn, substituted and set aside are unknown (the results are not " \
                    "from a draw workbook)"
        parts = []
        if self.complete is not None:
            if self.partly is None:  # counts as published: in full or partly is not known
                parts.append(f"{self.complete:,} scored")
            else:
                parts += [f"{self.complete:,} scored in full", f"{self.partly:,} partly"]
        if self.not_started:
            parts.append(f"{self.not_started:,} not yet scored")
        if self.not_on_sheet:
            parts.append(f"{self.not_on_sheet:,} missing from the fieldwork sheet")
        if self.substituted is not None:
            parts.append(f"{self.substituted:,} substituted")
        if self.set_aside is not None:
            why = " and ".join(f"{n:,} as {r}" for r, n in self.set_aside_reasons)
            if len(self.set_aside_reasons) == 1:
                parts.append(f"{self.set_aside:,} set aside as {self.set_aside_reasons[0][0]}")
            else:
                parts.append(f"{self.set_aside:,} set aside" + (f" ({why})" if why else ""))
        if self.excluded_other:
            parts.append(f"{self.excluded_other:,} excluded from the frame by the eligibility rules")
        return head + ("; " + ", ".join(parts) if parts else "") + "."

    def _title(self) -> str:
        return f"Design of {self.label or self.sample} ({self.source})"

    def _notes(self) -> list[str]:
        return [self.text()]


def _whole(value: Any) -> int | None:
    try:
        return None if value is None or value == "" else int(value)
    except (TypeError, ValueError):
        return None


def _from_draw(path: Path) -> DesignStatement:
    from ._fieldwork import draw_manifest, draw_sheet
    from ._fieldwork import fieldwork_cases

    meta = draw_manifest(path)
    cases, _strata, _carried, reserves = fieldwork_cases(path)  # no balance tests: not stated
    status = cases["status"].value_counts()
    drawn = len(draw_sheet(path, "cases"))
    try:
        excluded = draw_sheet(path, "excluded")
    except (ValueError, KeyError, FileNotFoundError):
        excluded = pd.DataFrame(columns=["row", "case_id", "reason"])
    id_col = meta["columns"].get("case_id", "case_id")
    id_col = id_col if id_col in excluded.columns else next(
        (c for c in excluded.columns if c not in ("row", "reason")), "case_id")
    reasons = excluded.get("reason", pd.Series([], dtype=str)).astype(str)
    aside = reasons.str.startswith(SET_ASIDE_PREFIX)
    by_reason = tuple((str(r)[len(SET_ASIDE_PREFIX):], int(n)) for r, n in reasons[aside].value_counts(sort=False).items())
    stated = _whole(meta.get("population_stated"))
    left_out = pd.DataFrame({"case_id": excluded.get(id_col, pd.Series([""] * len(excluded))).astype(str).to_numpy(),
                             "reason": reasons.to_numpy()})
    return DesignStatement(
        sample=str(meta["sample"]), label=str(meta.get("sample_label") or ""),
        population=_whole(meta.get("population")), population_source="the frame's eligible cases",
        population_stated=stated, population_frame=_whole(meta.get("population_frame")) if stated is not None else None,
        planned=_whole(meta.get("n")), drawn=drawn,
        complete=int(status.get("complete", 0)), partly=int(status.get("partly answered", 0)),
        not_started=int(status.get("not started", 0)), substituted=len(reserves),
        set_aside=int(aside.sum()), set_aside_reasons=by_reason, excluded_other=int((~aside).sum()),
        not_on_sheet=max(0, drawn - len(cases)), left_out=left_out, substitutions=_replaced(reserves),
        allocation=_allocation_words(meta), source=path.name, path=str(path))


def _allocation_words(meta: Any) -> str:
    """The manifest's allocation in words: proportional, Neyman or equal, with any minimum."""
    rule = str(meta.get("allocation_rule") or "proportional")
    least = _whole(meta.get("min_per_cell")) or 0
    words = RULE_WORDS.get(rule, f"by the {rule} rule")
    if least:
        words += f", at least {least} per cell"
    if rule != "proportional" or least:
        words += "; not in proportion to the population, so every estimate and band is design-weighted"
    return words


def _replaced(subs: pd.DataFrame) -> pd.DataFrame:
    if not len(subs) or "replaced_case_id" not in subs:
        return pd.DataFrame(columns=["case_id", "reason"])
    reason = [f"replaced by reserve {r}" + (f" ({why})" if str(why).strip() else "")
              for r, why in zip(subs["reserve_case_id"].astype(str), subs.get("reason", [""] * len(subs)))]
    return pd.DataFrame({"case_id": subs["replaced_case_id"].astype(str).to_numpy(), "reason": reason})


def _from_results(results: Results, sample: str | None) -> DesignStatement:
    samples = tuple(getattr(results, "samples", ()))
    if sample is None:
        if not samples:
            raise ArgumentError("sample", None, "the results hold no sample")
        sample = samples[0]
    elif sample not in samples:
        raise ArgumentError("sample", sample, f"must be a sample of the results: {', '.join(samples)}")
    labels = {s.name: s.label for s in getattr(results.framework, "samples", ())}
    N = (getattr(results, "populations", {}) or {}).get(sample)
    complete = partly = None
    if getattr(results, "level", "") == "case" and results.cases is not None:
        rows = results.cases.index[results.cases["sample"] == sample] if "sample" in results.cases else results.cases.index
        ids = set(map(str, rows))
        missing = getattr(results, "missing", None)
        partial = set() if missing is None or not len(missing) else set(map(str, missing["case_id"])) & ids
        complete, partly = len(ids - partial), len(partial)
    elif (getattr(results, "sample_sizes", {}) or {}).get(sample) is not None:
        complete = int(results.sample_sizes[sample])
    return DesignStatement(sample=sample, label=labels.get(sample, "") or "", population=None if N is None else int(N),
                           population_source="given for the analysis" if N is not None else "unknown",
                           complete=complete, partly=partly, source=str(getattr(results, "source", "")))


def design_statement(source: Results | str | os.PathLike, *, sample: str | None = None) -> DesignStatement:
    """The design of one sample, stated from its draw workbook (or from results).

    Parameters
    ----------
    source : path or Results
        A draw workbook (or draw folder) written by ``sampling draw --sample``: N and where it
        came from, the cases planned and drawn from its manifest and ``cases`` sheet, the set
        aside from its ``excluded`` sheet, substitutions, and the cases scored from its
        fieldwork sheet. Or :class:`~sampling.Results` not from a draw workbook: what they
        know (N when given, the cases scored), the rest unknown.
    sample : str, optional
        With results: which sample (default the first).

    Returns
    -------
    DesignStatement

    Examples
    --------
    >>> import tempfile, sampling
    >>> from pathlib import Path
    >>> frame = sampling.load_frame(sampling.synthetic_frame(668, rng=1))
    >>> sample = sampling.draw_sample(frame, 132, rng=2019)
    >>> path = sampling.write_draw_workbook(sample, Path(tempfile.mkdtemp()) / "draw.xlsx",
    ...                                     sample_name="case_supervision", frame=frame)
    >>> print(sampling.design_statement(path).text())
    Case supervision (domain two): from an eligible population of 668 cases (the frame's eligible cases), 132 were planned and 132 drawn (in proportion to each stratum cell's size); 0 scored in full, 0 partly, 132 not yet scored, 0 substituted, 0 set aside.
    """
    if isinstance(source, (str, os.PathLike)):
        if not is_draw_workbook(source):
            raise ArgumentError("source", os.fspath(source), "must be a draw workbook (.xlsx) or folder written "
                                "by `sampling draw --sample`, or results")
        return _from_draw(Path(source))
    if hasattr(source, "summary") and hasattr(source, "framework"):
        return _from_results(source, sample)
    raise ArgumentError("source", type(source).__name__, "must be a draw workbook's path or results")


def design_statements(results: Results, draws: Sequence[Any] = ()) -> tuple[DesignStatement, ...]:
    """One statement per sample: from each draw workbook in ``draws`` when the results were
    read from them, else from ``results`` (one per sample they hold).

    Parameters
    ----------
    results : Results
        The inspection's results.
    draws : path or list of paths, optional
        The draw workbooks (or folders) the results were read from, one per sample.

    Returns
    -------
    tuple of DesignStatement
        One per sample.

    Examples
    --------
    >>> import sampling
    >>> statements = sampling.design_statements(sampling.seed_inspection())
    >>> [s.sample for s in statements]
    ['case_supervision', 'unpaid_work', 'through_the_gate']
    >>> print(statements[2].text())
    Through the Gate (domain three, 4.2): the eligible population N is unknown; the cases planned, drawn, substituted and set aside are unknown (the results are not from a draw workbook); 42 scored.
    """
    draws = [d for d in ([draws] if isinstance(draws, (str, os.PathLike)) else list(draws or ()))]
    if draws and all(is_draw_workbook(d) for d in draws):
        out = []
        pops = dict(getattr(results, "populations", {}) or {})
        for d in map(design_statement, draws):
            used = pops.get(d.sample)
            if used is not None and d.population is not None and int(used) != d.population:
                d = dataclasses.replace(d, population_analysed=int(used))
            out.append(d)
        return tuple(out)
    return tuple(design_statement(results, sample=s) for s in getattr(results, "samples", ()))


def left_out_lines(table: pd.DataFrame, *, limit: int = 20) -> list[str]:
    """``case id: reason`` lines of a table of left-out cases (``case_id``, ``reason``, optional
    ``column``), the first ``limit`` and then "… and N more"."""
    lines = []
    for rec in table.head(limit).to_dict("records"):
        who = str(rec.get("case_id") or "").strip()
        if not who or who.lower() in ("nan", "none"):
            column = str(rec.get("column") or "").strip()
            who = f"column {column}" if column and column.lower() not in ("nan", "none") else "(no case id)"
        lines.append(f"{who}: {rec.get('reason', '')}")
    if len(table) > limit:
        lines.append(f"… and {len(table) - limit:,} more")
    return lines
