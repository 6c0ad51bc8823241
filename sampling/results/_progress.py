"""Fieldwork progress of a draw workbook: which sampled cases are scored, and whether the
scored cases are still a fair picture of the sample.

Each case on the fieldwork sheet is *complete* (every key question answered), *partly
answered* or *not started* (every key question blank). Counts are given by stratum and by
any carried column present (office, inspector …); reserves used are read from the
``substitutions`` sheet. Balance: for each stratum variable, the scored cases' counts are
tested against the drawn shares (Pearson's chi-square goodness of fit).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._utils._display import TableResult
from ._fieldwork import fieldwork_cases

STATUSES = ("complete", "partly answered", "not started")
_SKIP = ("case_id", "sample", "notes", "selection_order", "cell", "reserve_rank")


@dataclass(frozen=True, repr=False)
class Progress(TableResult):
    """Fieldwork progress of one draw workbook.

    Attributes
    ----------
    cases : DataFrame
        ``case_id, row, status`` and the stratum / carried columns of each sampled case.
    counts : DataFrame
        ``variable, group, drawn, complete, partly answered, not started``.
    balance : DataFrame
        ``variable, groups, scored, chi_square, df, p_value, test``: scored (complete or
        partly answered) cases against the drawn shares, per stratum variable.
    reserves : DataFrame
        The ``substitutions`` sheet: each replaced case and the reserve used.
    warnings : tuple of str
        Plain warnings (a group done while another has not started; imbalance).
    source : str
    """

    cases: pd.DataFrame
    counts: pd.DataFrame
    balance: pd.DataFrame
    reserves: pd.DataFrame
    warnings: tuple = field(default_factory=tuple)
    source: str = "draw workbook"

    def to_frame(self) -> pd.DataFrame:
        """The counts table (a copy)."""
        return self.counts.copy()

    @property
    def outstanding(self) -> int:
        """Sampled cases not yet complete."""
        return int((self.cases["status"] != "complete").sum())

    def _title(self) -> str:
        n = self.cases["status"].value_counts()
        return (f"Fieldwork progress of {self.source}: {len(self.cases)} sampled case(s), "
                + ", ".join(f"{int(n.get(s, 0))} {s}" for s in STATUSES))

    def _notes(self) -> list[str]:
        notes = [f"{len(self.reserves)} reserve(s) used"] if len(self.reserves) else ["no reserves used"]
        return notes + list(self.warnings)


def _counts(cases: pd.DataFrame, variables: list[str]) -> pd.DataFrame:
    rows = []
    for v in variables:
        for g, sub in cases.groupby(v, sort=False):
            n = sub["status"].value_counts()
            rows.append({"variable": v, "group": g, "drawn": len(sub), **{s: int(n.get(s, 0)) for s in STATUSES}})
    return pd.DataFrame(rows, columns=["variable", "group", "drawn", *STATUSES])


def _balance(cases: pd.DataFrame, strata: list[str]) -> pd.DataFrame:
    """Chi-square goodness of fit of the scored counts against the drawn shares."""
    from ..stats._dist import chisquare  # scipy.stats' own numbers, without its half-second import

    scored = cases["status"] != "not started"
    rows = []
    for v in strata:
        drawn = cases[v].value_counts()
        got = cases.loc[scored, v].value_counts().reindex(drawn.index, fill_value=0)
        m = int(got.sum())
        if m == 0 or len(drawn) < 2:
            rows.append(dict(variable=v, groups=len(drawn), scored=m, chi_square=np.nan, df=len(drawn) - 1,
                             p_value=np.nan, test="not tested (no scored case, or one group)"))
            continue
        expected = m * drawn.to_numpy(float) / drawn.sum()
        statistic, pvalue = chisquare(got.to_numpy(float), expected)
        test = "chi-square goodness of fit against the drawn shares"
        if (expected < 5).any():
            test += " (approximate: some expected counts below 5)"
        rows.append(dict(variable=v, groups=len(drawn), scored=m, chi_square=statistic,
                         df=len(drawn) - 1, p_value=pvalue, test=test))
    return pd.DataFrame(rows, columns=["variable", "groups", "scored", "chi_square", "df", "p_value", "test"])


def _warnings(counts: pd.DataFrame, balance: pd.DataFrame, level: float) -> tuple[str, ...]:
    out: list[str] = []
    for v, sub in counts.groupby("variable", sort=False):
        done = sub.loc[sub["complete"] == sub["drawn"], "group"].tolist()
        idle = sub.loc[sub["not started"] == sub["drawn"], "group"].tolist()
        if done and idle:
            out.append(f"warning: {v} {', '.join(map(str, done))} is done while {', '.join(map(str, idle))} "
                       "has not started; the scored cases are not yet a fair picture of the sample")
    for variable, p_value, test in zip(balance["variable"].tolist(), balance["p_value"].to_numpy(float).tolist(),
                                       balance["test"].tolist()):
        if not np.isnan(p_value) and p_value < level:
            out.append(f"warning: the scored cases differ from the drawn sample in {variable} "
                       f"(p = {p_value:.3f}, {test})")
    return tuple(out)


def fieldwork_progress(path: str | os.PathLike, *, level: float = 0.05) -> Progress:
    """Each sampled case of a filled draw workbook as complete / partly answered / not
    started, counted by stratum and carried column, with reserves used and balance.

    Parameters
    ----------
    path : path
        A draw workbook (or draw folder) written by ``sampling draw --sample``.
    level : float
        Warn when a balance test's p-value is below it (default 0.05).

    Returns
    -------
    Progress

    References
    ----------
    .. [1] Pearson, K. (1900); Agresti, A. (2013). *Categorical Data Analysis*, 3rd ed.,
       §1.5 (chi-square goodness of fit), via ``scipy.stats.chisquare``.

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
    >>> for row in range(2, 12):
    ...     sheet.cell(row, questions[0]).value = "No"
    >>> book.save(path)
    >>> progress = sampling.fieldwork_progress(path)
    >>> progress.cases["status"].value_counts().to_dict()
    {'not started': 30, 'partly answered': 10}
    """
    if not 0 < level < 1:
        from ..errors import ArgumentError
        raise ArgumentError("level", level, "must be a fraction in (0, 1)")
    cases, strata, carried, reserves = fieldwork_cases(path)
    counts = _counts(cases, strata + carried)
    balance = _balance(cases, strata)
    return Progress(cases=cases, counts=counts, balance=balance, reserves=reserves,
                    warnings=_warnings(counts, balance, level), source=os.path.basename(os.fspath(path)))
