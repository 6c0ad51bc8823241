"""Anticipated % yes per stratum cell, from a previous inspection's results: what a Neyman
allocation of the next draw needs (:func:`sampling.draw_sample` ``anticipated=``).

Each cell's proportion yes is the cell's own (answered cases only), per key question; the
allocation then averages the questions' variances P_hQ_h within the cell (a compromise
allocation over several items, Cochran 1977, §5A.3).

References
----------
.. [1] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., §5.5 and §5A.3. Wiley.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
import pandas as pd

from ..errors import ArgumentError, DataError


if TYPE_CHECKING:
    from ._results import Results

__all__ = ["anticipated_yes", "read_anticipated"]


def anticipated_yes(results: Results, strata: Sequence[str] | None = None, *, sample: str | None = None) -> pd.DataFrame:
    """Per stratum cell and key question: cases answered, yes, and ``p`` (proportion yes).

    Parameters
    ----------
    results : Results
        Case-level results (a filled draw workbook read with :func:`sampling.read_fieldwork`).
    strata : sequence of str, optional
        The cells' columns; default the sample's strata.
    sample : str, optional
        The sample (default: the only one).

    Returns
    -------
    DataFrame
        ``sample``, the strata columns, ``key_question``, ``n``, ``yes``, ``p``.

    Examples
    --------
    >>> import pandas as pd, sampling
    >>> cases = pd.DataFrame({"case_id": list("abcd"), "rosh": ["high", "high", "low", "low"],
    ...                       "2.1.1": ["yes", "no", "yes", "yes"]})
    >>> r = sampling.load_results(cases, sample="case_supervision", strata={"case_supervision": ("rosh",)})
    >>> sampling.anticipated_yes(r)[["rosh", "key_question", "p"]].values.tolist()
    [['high', '2.1.1', 0.5], ['low', '2.1.1', 1.0]]
    """
    if getattr(results, "level", None) != "case" or results.cases is None:
        raise ArgumentError("results", type(results).__name__, "must be case-level results (answers per case)")
    samples = list(dict.fromkeys(results.case_table["sample"]))
    if sample is None:
        if len(samples) != 1:
            raise ArgumentError("sample", sample, "must name one of the results' samples: " + ", ".join(samples))
        sample = samples[0]
    elif sample not in samples:
        raise ArgumentError("sample", sample, "must be one of the results' samples: " + ", ".join(samples))
    cols = list(strata) if strata else list((getattr(results, "strata", None) or {}).get(sample, ()))
    if not cols:
        raise DataError(f"the results of sample {sample!r} have no strata to give anticipated values by cell")
    rows = (results.case_table["sample"] == sample).to_numpy()
    cases = results.case_table.loc[rows]
    missing = [c for c in cols if c not in cases.columns]
    if missing:
        raise DataError("the previous results lack stratification column(s)", values=missing)
    kqs = list(results.summary.loc[results.summary["sample"] == sample, "key_question"])
    answers = results.answer_table.loc[rows, kqs].to_numpy(float)
    keys = cases[cols].astype(str).reset_index(drop=True)
    out = []
    for key, idx in keys.groupby(cols, sort=False).indices.items():
        key = key if isinstance(key, tuple) else (key,)
        block = answers[idx]
        for j, kq in enumerate(kqs):
            col = block[:, j]
            n = int(np.isfinite(col).sum())
            if n:
                yes = int(np.nansum(col))
                out.append({"sample": sample, **dict(zip(cols, key)), "key_question": kq, "n": n, "yes": yes,
                            "p": yes / n})
    return pd.DataFrame(out, columns=["sample", *cols, "key_question", "n", "yes", "p"])


def read_anticipated(source: Any, strata: Sequence[str] | None = None) -> Any:
    """The anticipated values a draw takes, from what a user names: a number (one proportion
    for every cell), a previous inspection's filled draw workbook or folder (its % yes per
    cell and key question, :func:`anticipated_yes`), or a table (.csv/.xlsx) of the strata
    columns and ``p`` or ``percent_yes``."""
    if source is None or isinstance(source, (int, float, pd.DataFrame)) and not isinstance(source, bool):
        return source
    text = str(source).strip()
    try:
        return float(text.rstrip("%")) / (100.0 if text.endswith("%") else 1.0)
    except ValueError:
        pass
    path = Path(os.fspath(source))
    if not path.exists():
        raise DataError(f"the anticipated values {text!r}: no such file or folder",
                        hint="Give a previous inspection's filled draw workbook, a table of % yes per cell "
                             "(.csv or .xlsx), or one proportion such as 0.7.")
    from ..draw._drawread import is_draw_workbook
    from ._fieldwork import read_fieldwork

    if is_draw_workbook(path):
        table = anticipated_yes(read_fieldwork(path), strata)
        if not len(table):
            raise DataError(f"the draw workbook {text!r} has no answered case to anticipate % yes from")
        return table
    if path.suffix.lower() == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return pd.read_excel(path, dtype=str, keep_default_na=False)
    raise DataError(f"the anticipated values {text!r}: must be a filled draw workbook, a .csv or .xlsx table, "
                    "or one proportion")
