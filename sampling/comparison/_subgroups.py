"""A breakdown's subgroups: each case's subgroup label (one column or a cross-classification)
and each subgroup's eligible population N_g (given, counted in a frame, summed from the
design's N_h, estimated from the design weights, or pro rata)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .._utils._checks import MAX_CASES
from .._utils._tables import column_key, is_blank, norm_label, read_table
from ..draw._frame import VOCABULARY, category_spellings
from ..errors import ArgumentError, DataError


if TYPE_CHECKING:
    from ..results._results import Results

__all__ = ["BLANK", "SEPARATOR", "by_text", "subgroup_labels", "cross_labels", "subgroup_populations"]

BLANK = "(blank)"

#: between the parts of a cross-classified subgroup's name ("North / female")
SEPARATOR = " / "


def by_text(by: Sequence[str]) -> str:
    """The breakdown's columns as the user named them: "Office" or "Office × Sex"."""
    return " × ".join(by) if not isinstance(by, str) else by

def subgroup_labels(values: pd.Series, by: str = "") -> tuple[pd.Series, list[str]]:
    """Each case's subgroup label: spellings that differ only in case, spaces or '-'/'_' are one
    subgroup (labelled by their most frequent spelling), and a known spelling of gender,
    disposal or RoSH is its category ("M" → male); blanks are the subgroup "(blank)".
    Subgroups come in the vocabulary's order for gender, disposal and RoSH (low … very high),
    else alphabetically; "(blank)" last."""
    vocabulary = VOCABULARY.get(column_key(by), {})
    canonical = category_spellings().get(column_key(by), {})
    text = values.map(lambda v: BLANK if is_blank(v) else str(v).strip())
    text = text.map(lambda t: canonical.get(norm_label(t), t))
    key = text.map(lambda t: t if t == BLANK else norm_label(t))
    spelling = text.groupby(key).agg(lambda s: s.value_counts().index[0])
    labels = key.map(spelling)
    order = {norm_label(v): i for i, v in enumerate(vocabulary)}
    return labels, sorted(labels.unique(), key=lambda x: (x == BLANK, order.get(norm_label(x), len(order)),
                                                          norm_label(x)))


def cross_labels(table: pd.DataFrame, columns: Sequence[str]) -> tuple[pd.Series, list[str]]:
    """Each row's subgroup of the cross-classification of ``columns`` ("North / female"),
    each part labelled as :func:`subgroup_labels` labels one column; subgroups in the order of the
    first column, then the second…, only those present."""
    if len(columns) == 1:
        return subgroup_labels(table[columns[0]], columns[0])
    parts = [subgroup_labels(table[c], c) for c in columns]
    labels = pd.Series([SEPARATOR.join(t) for t in zip(*(lab.tolist() for lab, _ in parts))], index=table.index)
    rank = [{g: i for i, g in enumerate(order)} for _, order in parts]
    present = labels.unique().tolist()
    split = {g: g.split(SEPARATOR) for g in present}
    return labels, sorted(present, key=lambda g: tuple(r.get(x, len(r)) for r, x in zip(rank, split[g])))


def _given_populations(population: Any, sample: str, groups: list[str]) -> dict[str, int] | None:
    """{subgroup: N} given for this sample (None: this sample's populations are not given)."""
    if isinstance(population, Mapping) and population and all(isinstance(v, Mapping) for v in population.values()):
        population = population.get(sample)
        if population is None:
            return None
    if not isinstance(population, Mapping):
        raise ArgumentError("populations", population, "{subgroup: N}, or {sample: {subgroup: N}}")
    given = {norm_label(SEPARATOR.join(map(str, k)) if isinstance(k, tuple) else k): v for k, v in population.items()}
    out = {}
    for g in groups:
        N = given.get(norm_label(g))
        if N is None:
            continue
        if isinstance(N, bool) or not isinstance(N, (int, np.integer)) or not 1 <= N <= MAX_CASES:
            raise ArgumentError(f"populations[{g!r}]", N, f"a whole number of eligible cases, from 1 to {MAX_CASES:,}")
        out[g] = int(N)
    return out


def _frame_populations(frame: Any, by: Sequence[str], groups: list[str]) -> dict[str, int]:
    table, desc, _ = read_table(frame, what="frame", find=[tuple(by)])
    found = {column_key(c): c for c in table.columns}
    cols = []
    for b in by:
        if found.get(column_key(b)) is None:
            raise DataError(f"the frame has no column {b!r} to count the subgroups' populations in",
                            values=list(map(str, table.columns))[:12], hint=f"Frame: {desc}.")
        cols.append(found[column_key(b)])
    labels, _ = cross_labels(table[cols].set_axis(list(by), axis=1), list(by))
    counts = labels.map(norm_label).value_counts()
    return {g: int(counts[norm_label(g)]) for g in groups if norm_label(g) in counts.index}


def _cell_populations(cells: pd.DataFrame, by: Sequence[str], groups: list[str]) -> dict[str, int]:
    """N_g = Σ N_h over the stratum cells of each subgroup (``by`` stratum columns)."""
    labels, _ = cross_labels(cells, list(by))
    totals = cells["population"].groupby(labels.map(norm_label).to_numpy()).sum()
    return {g: int(totals[norm_label(g)]) for g in groups if norm_label(g) in totals.index}


def _weighted_populations(results: Results, sample: str, cells: pd.DataFrame, labels: pd.Series,
                          groups: list[str]) -> dict[str, int]:
    """N̂_g = Σ N_h/n_h over the subgroup's cases (any column, with the design's N_h known):
    the weighted domain size the design-weighted interval uses."""
    strata = [c for c in cells.columns if c not in ("population", "n")]
    cases = results.case_table.loc[results.case_table["sample"] == sample, strata].astype(str)
    key = cells[strata].astype(str)
    w = cases.merge(key.assign(w=(cells["population"] / cells["n"]).to_numpy()), on=strata, how="left")["w"]
    totals = pd.Series(w.to_numpy(), index=labels.to_numpy()).groupby(level=0).sum()
    return {g: int(np.floor(totals[g] + 0.5)) for g in groups if g in totals.index}


def subgroup_populations(results: Results, by: Sequence[str], labels: pd.Series, groups: list[str], population: Any,
                         frame: Any) -> pd.DataFrame:
    """One row per (subgroup, sample): its cases n_g and eligible population N_g, with the source."""
    rows = []
    for s in results.samples:
        in_s = (results.case_table["sample"] == s).to_numpy()
        counts = labels[in_s].value_counts()
        present = [g for g in groups if g in counts.index]
        known, source = {}, "unknown"
        if frame is not None:
            known, source = _frame_populations(frame, by, present), "frame"
        elif population is not None:
            given = _given_populations(population, s, present)
            known, source = (given, "given") if given is not None else ({}, "unknown")
        cells = results.stratum_populations.get(s) if results.stratum_populations else None
        if not known and cells is not None and all(b in cells.columns for b in by):
            known, source = _cell_populations(cells, by, present), "N_h"
        elif not known and cells is not None:
            known, source = _weighted_populations(results, s, cells, labels[in_s], present), "N_h weights"
        for g in present:
            n_g, N_g, src = int(counts[g]), known.get(g, np.nan), source
            if g not in known and source in ("frame", "given"):
                raise DataError(f"no eligible population for subgroup {g!r} of {by_text(by)!r} (sample {s!r})",
                                column=by_text(by), values=(g,), hint="Every subgroup of the sample needs its N_g "
                                "(count it in the eligible frame), or give none to estimate them all.")
            if g not in known and s in results.populations:
                N, n = results.populations[s], results.sample_sizes[s]
                N_g, src = max(n_g, int(np.floor(N * n_g / n + 0.5))), "estimated"
            if not np.isnan(N_g) and N_g < n_g:
                raise DataError(f"subgroup {g!r} of {by_text(by)!r} has {n_g} cases in the sample but an eligible "
                                f"population of only {int(N_g)}", column=by_text(by), values=(g,))
            rows.append(dict(subgroup=g, sample=s, cases=n_g, population=N_g,
                             population_source=src if not np.isnan(N_g) else "unknown"))
    return pd.DataFrame(rows, columns=["subgroup", "sample", "cases", "population", "population_source"])
