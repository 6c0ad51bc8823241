"""A sample's design exported for other packages (R ``survey``, SPSS, Stata): one tidy CSV.

Each case carries its stratum, the stratum's population N_h and sampled cases n_h, its
design weight w = N_h / n_h and its sampling fraction fpc = n_h / N_h, and its answers coded
1 (yes), 0 (no) or blank (not applicable). R reads it as a design with::

    d   <- read.csv("design.csv")
    des <- svydesign(ids=~1, strata=~stratum, fpc=~N_h, weights=~weight, data=d)
    svymean(~q_2.1.1, subset(des, !is.na(q_2.1.1) & sample == "case_supervision"))

A stratum holding a single case has no within-stratum spread; R stops there by default.
``var_stratum`` and ``var_N`` are the strata and populations the package's variance uses
(single-case strata pooled, Wolter 2007 §2.5): ``svydesign(ids=~1, strata=~var_stratum,
fpc=~var_N, weights=~weight, data=d)`` gives the package's estimate and standard error.

References
----------
.. [1] Lumley, T. (2004). Analysis of complex survey samples. *J. Statistical Software*
   9(8), 1–19 (R package ``survey``: ``svydesign``).
.. [2] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., ch. 5 (stratified random sampling).
.. [3] Wolter, K. M. (2007). *Introduction to Variance Estimation*, 2nd ed., §2.5. Springer.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from .._utils._io import atomic_path, write_csv
from ..errors import ArgumentError, DataError, OutputError
from ._weights import POPULATION, SampleDesign, collapse_small_strata, sample_design


if TYPE_CHECKING:
    from ._results import Results

__all__ = ["export_design", "LAYOUTS", "column_name"]

#: the two layouts: ``wide`` one row per case, ``long`` one row per case and key question
LAYOUTS = ("wide", "long")


def column_name(key_question: str) -> str:
    """The answer column of a key question in the wide layout: ``q_`` + its id (R, SPSS and
    Stata names cannot start with a digit; R's ``read.csv`` keeps the dots).

    >>> column_name("2.1.1")
    'q_2.1.1'
    """
    return f"q_{key_question}"


def _cells(results: Results, sample: str, cases: pd.DataFrame) -> pd.DataFrame:
    """Each case's stratum label, N_h and n_h for one sample."""
    table = (getattr(results, "stratum_populations", None) or {}).get(sample)
    if table is None:
        N = (getattr(results, "populations", None) or {}).get(sample)
        if N is None:
            raise DataError(f"sample {sample!r} has neither stratum populations nor a population N: "
                            "its cases have no design weight", column="sample", values=[sample],
                            hint="Export a filled draw workbook, or load results with population= "
                                 "or stratum_populations=.")
        return pd.DataFrame({"stratum": f"{sample}", "N_h": int(N), "n_h": len(cases), "var_stratum": f"{sample}",
                             "var_N": int(N)}, index=cases.index)
    cols = [c for c in table.columns if c not in (POPULATION, "n")]
    key = table[cols].astype(str).apply(lambda r: tuple(v.strip().casefold() for v in r), axis=1)
    lookup = dict(zip(key, zip(table[POPULATION], table["n"], table[cols].astype(str).agg(" / ".join, axis=1))))
    mine = cases[cols].astype(str).apply(lambda r: tuple(v.strip().casefold() for v in r), axis=1)
    rows = [lookup[k] for k in mine]
    out = pd.DataFrame({"stratum": [f"{sample}: {r[2]}" for r in rows],
                        "N_h": [int(r[0]) for r in rows], "n_h": [int(r[1]) for r in rows]},
                       index=cases.index)
    # the stratum populations are known (table above), so the sample has its design
    return _variance_strata(out, cast(SampleDesign, sample_design(results, sample)).code)


def _variance_strata(cell: pd.DataFrame, code: np.ndarray) -> pd.DataFrame:
    """The strata the variance uses: single-case strata pooled (collapsed strata, Wolter 2007
    §2.5, as :func:`sampling.weighted_estimates` does), with the pool's population."""
    group, _ = collapse_small_strata(code)
    label = dict(zip(code, cell["stratum"]))
    w = (cell["N_h"] / cell["n_h"]).to_numpy(float)
    pooled_N = pd.Series(w).groupby(group).sum().round().astype(int)
    return cell.assign(var_stratum=[label[g] for g in group], var_N=pooled_N.loc[group].to_numpy())


def _wide(results: Results) -> pd.DataFrame:
    cases, answers = results.case_table, results.answer_table
    strata = list(dict.fromkeys(c for cols in (results.strata or {}).values() for c in cols))
    parts = [_cells(results, s, cases[cases["sample"] == s]) for s in dict.fromkeys(cases["sample"])]
    cell = pd.concat(parts).loc[cases.index]
    out = pd.DataFrame({"case_id": cases.index.astype(str), "sample": cases["sample"].astype(str).to_numpy()})
    for c in strata:
        out[c] = cases[c].astype(str).to_numpy()
    out["stratum"] = cell["stratum"].to_numpy()
    out["N_h"] = cell["N_h"].to_numpy()
    out["n_h"] = cell["n_h"].to_numpy()
    out["weight"] = out["N_h"] / out["n_h"]
    out["fpc"] = out["n_h"] / out["N_h"]
    out["var_stratum"] = cell["var_stratum"].to_numpy()
    out["var_N"] = cell["var_N"].to_numpy()
    for kq in answers.columns:
        out[column_name(str(kq))] = pd.array(answers[kq].to_numpy(), dtype="Int64")
    return out


def _long(wide: pd.DataFrame, questions: list[str]) -> pd.DataFrame:
    ids = [c for c in wide.columns if c not in {column_name(q) for q in questions}]
    out = wide.melt(id_vars=ids, value_vars=[column_name(q) for q in questions], var_name="key_question",
                    value_name="answer")
    out["key_question"] = out["key_question"].str.removeprefix("q_")
    order = {q: i for i, q in enumerate(questions)}
    out = out.assign(_o=out["key_question"].map(order))
    out = out.sort_values(["_o"], kind="stable").drop(columns="_o").reset_index(drop=True)
    return out


def export_design(results: Results, path: str | os.PathLike | None = None, *, layout: str = "wide") -> pd.DataFrame:
    """Case-level results as a design another package reads: strata, weights, fpc, answers.

    Parameters
    ----------
    results : Results
        Case level (:func:`sampling.read_fieldwork` of filled draw workbooks, or
        :func:`sampling.load_results` with ``stratum_populations=`` or ``population=``).
        A sample without stratum populations is one stratum of N cases.
    path : path, optional
        Write the table there as CSV (UTF-8, blank for not applicable).
    layout : {"wide", "long"}
        ``wide``: one row per case, one ``q_<id>`` column per key question. ``long``: one
        row per case and key question (``key_question``, ``answer``).

    Returns
    -------
    DataFrame
        ``case_id, sample``, the stratum columns, ``stratum`` (the cell, prefixed by its
        sample), ``N_h, n_h, weight`` (N_h/n_h), ``fpc`` (n_h/N_h), ``var_stratum, var_N``
        (the strata of the variance, single-case strata pooled, and their populations) and
        the answers (1/0/blank).

    References
    ----------
    .. [1] Lumley, T. (2004). Analysis of complex survey samples. *J. Statistical Software* 9(8).

    Examples
    --------
    >>> import pandas as pd, sampling
    >>> cases = pd.DataFrame({"case_id": list("abcd"), "h": list("xxyy"),
    ...                       "2.1.1": ["yes", "no", "yes", "n/a"], "2.1.2": ["no", "no", "yes", "yes"]})
    >>> cells = pd.DataFrame({"h": ["x", "y"], "population": [30, 10]})
    >>> r = sampling.load_results(cases, sample="case_supervision", stratum_populations=cells)
    >>> sampling.export_design(r)[["case_id", "stratum", "N_h", "n_h", "weight", "q_2.1.1"]]
      case_id              stratum  N_h  n_h  weight  q_2.1.1
    0       a  case_supervision: x   30    2    15.0        1
    1       b  case_supervision: x   30    2    15.0        0
    2       c  case_supervision: y   10    2     5.0        1
    3       d  case_supervision: y   10    2     5.0     <NA>
    """
    if getattr(results, "level", None) != "case" or getattr(results, "answers", None) is None:
        raise ArgumentError("results", type(results).__name__,
                            "must be case-level Results (sampling.read_fieldwork or sampling.load_results)")
    if layout not in LAYOUTS:
        raise ArgumentError("layout", layout, "must be 'wide' or 'long'")
    wide = _wide(results)
    table = wide if layout == "wide" else _long(wide, [str(q) for q in results.answer_table.columns])
    if path is not None:
        target = Path(path)
        try:
            with atomic_path(target) as tmp:
                write_csv(table, tmp)  # quoted, formula-guarded, written atomically
        except OSError as exc:
            raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    return table
