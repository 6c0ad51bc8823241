"""Blank cells in the columns a sample is stratified on: one error naming, per column, the
rows and case ids, whether the frame came from a CSV file (a blank text) or a DataFrame (a
missing value). A blank is never a stratum of its own."""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import DataError

__all__ = ["check_blank_strata"]


def check_blank_strata(frame: Any, strata: Sequence[str]) -> None:
    """A blank cell in a stratification column (a blank text, as in a CSV, or a missing value,
    as in a DataFrame) is one error naming, per column, the rows and case ids: never a stratum
    of its own."""
    problems: list[str] = []
    rows: list[Any] = []  # the frame's source rows (ints) or positions
    ids: list[Any] = []  # case ids as the frame holds them
    source_rows = frame.rows if frame.rows is not None and len(frame.rows) == len(frame.data) else None
    for column in (s for s in strata if s in frame.data.columns):  # a column not there: cell_index says so
        values = frame.data[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            blank = values.isna().to_numpy()
        else:
            text = values.to_numpy(dtype=object)
            blank = np.fromiter((v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))
                                 or (isinstance(v, str) and not v.strip()) for v in text), dtype=bool,
                                count=len(text))
        if not blank.any():
            continue
        at = np.flatnonzero(blank)
        case_ids = frame.data["case_id"].to_numpy(dtype=object)[at].tolist()
        where = (source_rows[at].tolist() if source_rows is not None else at.tolist())
        header = frame.columns.get(column, column)
        shown = ", ".join(f"{c} (row {r})" for c, r in list(zip(case_ids, where))[:8])
        more = f", and {len(at) - 8} more" if len(at) > 8 else ""
        problems.append(f"{header}: {len(at)} blank, case {shown}{more}")
        rows += where
        ids += case_ids
    if problems:
        raise DataError(f"blank values in stratification column(s) of the frame {frame.source}: "
                        + "; ".join(problems), rows=rows, values=ids,
                        hint="Every case needs a value for each column it is stratified on: fill the cells in, "
                             "or stratify on other columns.")
