"""Eligibility by time under supervision: start dates read (ISO, else day first), whole
calendar months counted as ``dateutil.relativedelta`` does, and the months-since-start
filter :func:`sampling.load_frame` applies."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._utils._tables import column_key
from ..errors import ArgumentError, DataError

__all__ = ["calendar_months", "months_filter", "parse_date"]


def parse_date(value: Any, name: str) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ArgumentError(name, value, "must be a date such as '2019-02-01'") from None
    if stamp is pd.NaT:  # type: ignore[comparison-overlap]  # pd.Timestamp('NaT') is NaT; the stubs say Timestamp
        raise ArgumentError(name, value, "must be a date such as '2019-02-01'")
    return stamp.tz_localize(None) if stamp.tzinfo else stamp


def _month_anchor(start: np.ndarray, months: np.ndarray) -> np.ndarray:
    """``start`` moved on by whole calendar ``months``, the day clipped to the month's end
    (31 January + 1 month = 28 or 29 February), as datetime64[D]."""
    first = start.astype("datetime64[M]") + months.astype("timedelta64[M]")
    length = ((first + np.timedelta64(1, "M")).astype("datetime64[D]") - first.astype("datetime64[D]")).astype(int)
    day = (start - start.astype("datetime64[M]").astype("datetime64[D]")).astype(int)  # 0-based day of month
    return first.astype("datetime64[D]") + np.minimum(day, length - 1).astype("timedelta64[D]")


def calendar_months(start: np.ndarray, ref: np.datetime64) -> np.ndarray:
    """Calendar months from each ``start`` to ``ref``.

    The rule: ``k`` = the whole calendar months elapsed, the largest ``k`` with
    ``start + k months ≤ ref``, where ``start + k months`` is the same day of the month
    ``k`` months on, clipped to that month's last day (31 August + 6 months = 28 February),
    as ``dateutil.relativedelta`` counts; then the fraction of the next month elapsed,
    ``(ref − anchor_k) / (anchor_{k+1} − anchor_k)`` in days. So a whole number means the
    same day of the month: 1 July to 1 February is exactly 7 (kept by "6 to 7 months");
    2 July is 6.97 (kept); 30 June is 7.07 (over 7, excluded); 1 August is exactly 6
    (kept); 2 August is 5.97 (under 6, excluded). The old 30.44-day months made 1 July
    7.03 and excluded it.

    >>> calendar_months(np.array(["2018-07-01", "2018-07-02", "2018-06-30"], dtype="datetime64[D]"),
    ...                 np.datetime64("2019-02-01")).round(2).tolist()
    [7.0, 6.97, 7.07]
    """
    start = np.asarray(start, dtype="datetime64[D]")
    ref = np.datetime64(ref, "D")  # type: ignore[call-overload]  # numpy takes a unit with a datetime64; its stub does not
    whole = ((ref.astype("datetime64[M]") - start.astype("datetime64[M]")).astype(int))
    whole = whole - (_month_anchor(start, whole) > ref)
    lo, hi = _month_anchor(start, whole), _month_anchor(start, whole + 1)
    return whole + (ref - lo).astype(int) / (hi - lo).astype(int)


def _start_dates(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Parsed start dates (ISO, else day first) and the blank cells."""
    blank = raw.isna().to_numpy() | raw.astype(str).str.strip().eq("").to_numpy()
    if raw.dtype == object or pd.api.types.is_string_dtype(raw.dtype):
        text = raw.where(~blank)
        parsed = pd.to_datetime(text, errors="coerce", format="ISO8601")  # 2019-02-01 (and Excel's)
        other = parsed.isna().to_numpy() & ~blank
        if other.any():  # UK style 01/02/2019 = 1 February
            parsed[other] = pd.to_datetime(text[other], errors="coerce", dayfirst=True, format="mixed")
    else:
        parsed = pd.to_datetime(raw, errors="coerce")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    unreadable = parsed.isna().to_numpy() & ~blank
    if unreadable.any():
        raise DataError("unreadable start dates", column=str(raw.name), rows=raw.index[unreadable].tolist(),
                        values=raw[unreadable].astype(str).tolist(),
                        hint="Write dates as YYYY-MM-DD (or DD/MM/YYYY).")
    return parsed, blank


def months_filter(data: pd.DataFrame, months_since_start: Any, as_of: Any, start_column: str,
                   keep: np.ndarray, reasons: np.ndarray) -> tuple[np.ndarray, dict]:
    """Keep cases whose supervision began ``low``–``high`` months before ``as_of``."""
    try:
        low, high = (float(v) for v in months_since_start)
    except (TypeError, ValueError):
        raise ArgumentError("months_since_start", months_since_start,
                            "must be a pair (low, high) of months, e.g. (6, 7)") from None
    if not (np.isfinite(low) and np.isfinite(high) and 0 <= low <= high):
        raise ArgumentError("months_since_start", months_since_start, "must satisfy 0 ≤ low ≤ high")
    ref = parse_date(pd.Timestamp.now(tz="UTC").normalize() if as_of is None else as_of, "as_of")
    lookup = {column_key(c): c for c in data.columns}
    if column_key(start_column) not in lookup:
        raise DataError(f"the months-since-start eligibility filter needs a {start_column!r} column (when each case's supervision began)", column=start_column,
                        hint=f"Columns found: {', '.join(map(str, data.columns))}; pass start_column=.",
                        cli_hint=f"Columns found: {', '.join(map(str, data.columns))}; add "
                                 f"--column '<your column>={start_column}'.")
    column = lookup[column_key(start_column)]
    parsed, blank = _start_dates(data[column])
    dates = parsed.dt.tz_localize(None) if getattr(parsed.dt, "tz", None) is not None else parsed
    stamp = dates.to_numpy(dtype="datetime64[D]")
    months = np.full(len(stamp), np.nan)
    ok = ~np.isnat(stamp)
    months[ok] = calendar_months(stamp[ok], np.datetime64(pd.Timestamp(ref).date(), "D"))
    reasons[blank & keep] = f"no {start_column}"
    keep = keep & ~blank
    early, late = keep & (months < low), keep & (months > high)
    reasons[early] = f"supervised under {low:g} months on {ref.date()}"
    reasons[late] = f"supervised over {high:g} months on {ref.date()}"
    return keep & ~(early | late), {"months_since_start": (low, high), "as_of": str(ref.date()),
                                    "start_column": str(column)}
