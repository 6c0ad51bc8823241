"""Aggregate results: one row per key question with a published percentage or a yes count.

Rounded published percentages are reconstructed openly: a published "49%" of 132 cases is
65 yes (65/132 = 49.2%); "61%" of 132 admits 80 (60.6%) or 81 (61.4%) — both are reported
and the nearer chosen; "54%" of 42 admits no count at all, so that question must have used a
sub-sample, and the largest n' < 42 that admits one (41, with 22 yes) is assumed and said so.
Rounding follows the framework's rules (half up), so reconstruction and banding agree.
"""
from __future__ import annotations

import math
from typing import Any, Iterable, Mapping, cast

import numpy as np
import pandas as pd

from .._utils._checks import MAX_CASES, as_bool, check_count
from ..design._framework import Framework
from ._case import SUMMARY_COLUMNS
from ..design._rules import RatingRules, load_rules
from .._utils._tables import is_blank
from ..errors import ArgumentError, DataError

__all__ = ["reconstruct_counts", "load_aggregate"]


def _decimals(value: float, text: str | None) -> int:
    if text is not None:
        t = text.strip().rstrip("%").strip()
        if "e" not in t.lower() and "." in t:
            # "49.0" (a float written to CSV) is a whole number; "64.81" has two decimals
            return len(t.split(".", 1)[1].rstrip("0"))
        if "e" not in t.lower():
            return 0
    for d in range(0, 7):
        if abs(round(value, d) - value) < 1e-9:
            return d
    return 6



def _rounder(rules: RatingRules, decimals: int):
    if decimals == 0 and rules.round_percent and rules.rounding != "none":
        return rules.published_percent
    scale = 10.0 ** decimals

    def half_up(x):
        return np.floor(np.asarray(x, dtype=float) * scale + 0.5 + 1e-9) / scale

    return half_up



def reconstruct_counts(percent: float, n: int, *, rules: RatingRules | None = None,
                       decimals: int | None = None) -> list[int]:
    """Every yes count out of ``n`` whose percentage, rounded as published, equals ``percent``.

    Whole-number percentages round with the rules (:meth:`RatingRules.published_percent`,
    half up for the inspectorate); a percentage given with d decimals (64.81) is matched at
    d decimals, half up.

    Parameters
    ----------
    percent : float
        The published percentage.
    n : int
        The number of cases it is of.
    rules : RatingRules, optional
        The rounding rules (default: the inspectorate's ``hmip-adult`` rules).
    decimals : int, optional
        Decimals the percentage was published with (default: read from the value).

    Returns
    -------
    list of int

    >>> reconstruct_counts(49, 132), reconstruct_counts(61, 132), reconstruct_counts(54, 42)
    ([65], [80, 81], [])

    Examples
    --------
    >>> import sampling
    >>> sampling.reconstruct_counts(70.5, 132)
    [93]
    """
    if rules is None:
        rules = load_rules("hmip-adult")  # the inspectorate's shipped rules
    d = _decimals(float(percent), None) if decimals is None else int(decimals)
    target = round(float(percent), d)
    n = check_count(n, "n")
    counts = np.arange(int(n) + 1)
    shown = _rounder(rules, d)(100.0 * counts / int(n))
    return [int(c) for c in counts[np.abs(shown - target) < 0.5 * 10.0 ** (-d) * 1e-3]]



def _num(value: Any, *, column: str, row: Any, whole: bool = False, minimum: float | None = None,
         maximum: float | None = None) -> float:
    try:
        if isinstance(value, str):
            x = float(value.strip().rstrip("%").strip())
        elif isinstance(value, bool):
            raise ValueError
        else:
            x = float(value)
    except (TypeError, ValueError):
        raise DataError("not a number", column=column, rows=(row,), values=(value,)) from None
    if not math.isfinite(x):
        raise DataError("not a finite number", column=column, rows=(row,), values=(value,))
    if whole and x != int(x):
        raise DataError("must be a whole number", column=column, rows=(row,), values=(value,))
    if minimum is not None and x < minimum or maximum is not None and x > maximum:
        lo = "" if minimum is None else f"{minimum:g}"
        hi = "" if maximum is None else f"{maximum:g}"
        raise DataError(f"out of range ({lo}–{hi})", column=column, rows=(row,), values=(value,))
    return x



def _fmt(x: float) -> str:
    return f"{x:.1f}%"



def _reconstruct(percent: float, text: str | None, n_max: int, rules: RatingRules, *,
                 subsample_unknown: bool, n_given: bool, row: Any, share: float | None = None):
    """(yes, n, candidates str, n_known, note) for a published percentage."""
    d = _decimals(percent, text)
    shown = f"{percent:.{d}f}%"
    if not subsample_unknown:
        cands = reconstruct_counts(percent, n_max, rules=rules, decimals=d)
        if len(cands) == 1:
            return float(cands[0]), float(n_max), str(cands[0]), True, ""
        if len(cands) > 1:
            exact = [100.0 * c / n_max for c in cands]
            best = min(range(len(cands)), key=lambda i: (abs(exact[i] - percent), cands[i]))
            alts = " or ".join(f"{c} ({_fmt(e)})" for c, e in zip(cands, exact))
            note = (f"{shown} of {n_max} admits {alts} yes; used {cands[best]}, the count whose exact "
                    f"percentage is nearest {shown} (ambiguous)")
            return float(cands[best]), float(n_max), ", ".join(map(str, cands)), True, note
    if subsample_unknown:
        if share is not None:
            return _subsample_at_share(percent, d, shown, n_max, rules, row, share)
        return _smallest_subsample(percent, d, shown, n_max, rules, row)
    # no count fits n_max: the largest n' that admits one
    found = _first_admitting(percent, d, range(n_max - 1, 0, -1), rules)
    if found is not None:
        m, cands, best = found
        note = (f"{shown} is not a whole count out of {n_max}, so this question used a sub-sample; "
                f"assumed n={m} (the largest n < {n_max} that admits it), {best} yes"
                + (f" (candidates {', '.join(map(str, cands))})" if len(cands) > 1 else ""))
        return float(best), float(m), ", ".join(map(str, cands)), False, note
    raise DataError(f"no count out of any n ≤ {n_max} gives {shown}", column="percent", rows=(row,),
                    values=(text if text is not None else percent,))



def _first_admitting(percent: float, decimals: int, sizes: Iterable[int], rules: RatingRules):
    """The first n in ``sizes`` with a count giving the published %: (n, the counts, the count
    whose exact % is nearest), or None."""
    for m in sizes:
        cands = reconstruct_counts(percent, m, rules=rules, decimals=decimals)
        if cands:
            best = min(cands, key=lambda c: (abs(100.0 * c / m - percent), c))
            return m, cands, best
    return None


#: an unpublished relevant sub-sample is taken to hold at least this share of the sample
#: (in HMI Probation's samples the cases with RoSH issues are 40–70% of cases)
MIN_SUBSAMPLE_SHARE = 0.4


def _smallest_subsample(percent: float, decimals: int, shown: str, n_max: int, rules: RatingRules, row: Any):
    """An unpublished sub-sample: the *smallest* n from ⌈0.4·n_max⌉ to n_max that admits the
    published %, so the interval, the grade and the probabilities are never narrower than
    the data allow (the true sub-sample may be anywhere in that range)."""
    low = max(1, math.ceil(MIN_SUBSAMPLE_SHARE * n_max))
    found = _first_admitting(percent, decimals, range(low, n_max + 1), rules)
    if found is not None:
        m, cands, best = found
        note = (f"sub-sample size not published; assumed n={m}, the smallest sub-sample of at least "
                f"{MIN_SUBSAMPLE_SHARE:.0%} of the {n_max} cases consistent with {shown} ({best} yes), "
                "so the interval is as wide as the data allow; give the question's n to narrow it")
        return float(best), float(m), ", ".join(map(str, cands)), False, note
    raise DataError(f"no count out of any n from {low} to {n_max} gives {shown}", column="percent",
                    rows=(row,), values=(shown,))


def _subsample_at_share(percent: float, decimals: int, shown: str, n_max: int, rules: RatingRules, row: Any,
                        share: float):
    """An unpublished sub-sample whose share of the cases the user gives: the n nearest
    ``share``·n_max (ties: the smaller) that admits the published %."""
    target = share * n_max
    found = _first_admitting(percent, decimals, sorted(range(1, n_max + 1), key=lambda m: (abs(m - target), m)),
                             rules)
    if found is None:
        raise DataError(f"no count out of any n ≤ {n_max} gives {shown}", column="percent", rows=(row,),
                        values=(shown,))
    m, cands, best = found
    note = (f"sub-sample size not published; assumed n={m}, the n nearest the given share {share:g} of the "
            f"{n_max} cases that is consistent with {shown} ({best} yes)")
    return float(best), float(m), ", ".join(map(str, cands)), False, note


def _aggregate_ids(frame: pd.DataFrame, framework: Framework) -> pd.Series:
    if "percent" not in frame.columns and "yes" not in frame.columns:
        raise DataError("aggregate results need a 'percent' or a 'yes' column",
                        hint="Columns: key_question, percent (0–100) or yes, optional n.")
    index = set(framework.key_question_ids)
    ids = frame["key_question"]
    blank = [r for r, v in ids.items() if is_blank(v)]
    if blank:
        raise DataError("key_question is blank", column="key_question", rows=blank)
    ids = ids.map(lambda v: str(v).strip())
    unknown = [(r, v) for r, v in ids.items() if v not in index]
    if unknown:
        raise DataError(f"results name key questions that the framework {framework.name!r} does not have",
                        column="key_question", rows=[r for r, _ in unknown], values=[v for _, v in unknown],
                        hint=f"Known: {', '.join(framework.key_question_ids)}.")
    dup = ids.duplicated(keep=False)
    if dup.any():
        raise DataError("key question repeats", column="key_question", rows=list(ids.index[dup]),
                        values=sorted(set(ids[dup])))
    return ids


def _record(frame: pd.DataFrame, r: Any, kid: str, framework: Framework, sample: Any) -> dict:
    """One row's fields, each read strictly."""
    def cell(col):
        if col not in frame.columns:
            return None
        v = frame.at[r, col]
        return None if is_blank(v) else v

    kq = framework.key_question(kid)
    smp = cell("sample")
    smp = str(smp).strip() if smp is not None else (str(sample) if sample is not None else (kq.sample or "all"))
    p, y, n, sn, nk = cell("percent"), cell("yes"), cell("n"), cell("sample_n"), cell("n_known")
    if p is None and y is None:
        raise DataError("neither percent nor yes is given", column="percent", rows=(r,), values=(kid,))
    return dict(row=r, key_question=kid, standard=kq.standard, sample=smp,
                relevant_subsample=bool(kq.relevant_subsample),
                percent_given=None if p is None else _num(p, column="percent", row=r, minimum=0, maximum=100),
                percent_text=p if isinstance(p, str) else None,
                yes_given=None if y is None else _num(y, column="yes", row=r, whole=True, minimum=0),
                n_given=None if n is None else _num(n, column="n", row=r, whole=True, minimum=1),
                sample_n=None if sn is None else _num(sn, column="sample_n", row=r, whole=True, minimum=1),
                n_flag=None if nk is None else as_bool(nk, column="n_known", row=r))


def _sizes(recs: list[dict], sample_sizes: Mapping[str, int] | None) -> dict[str, int]:
    """Sample sizes: the argument, else a sample_n column, else the largest n given in the sample."""
    sizes: dict[str, int] = {}
    first: dict[str, dict] = {}
    for rec in recs:
        if rec["sample_n"] is not None:
            s, sn = rec["sample"], int(rec["sample_n"])
            if s in sizes and sizes[s] != sn:
                was = first[s]
                raise DataError(f"sample {s!r} is given two sizes: sample_n = {sizes[s]} on row {was['row']} "
                                f"and sample_n = {sn} on row {rec['row']}", column="sample_n",
                                rows=(was["row"], rec["row"]), values=(sizes[s], sn),
                                hint="A sample has one size: give the same sample_n on every row of it.")
            sizes[s] = sn
            first.setdefault(s, rec)
    for rec in recs:  # a question's n is at most its sample's size
        s, n = rec["sample"], rec["n_given"]
        if n is None or s not in sizes:
            continue
        if int(n) > sizes[s] or (rec["n_flag"] is False and int(n) != sizes[s]):
            said = "is more than" if int(n) > sizes[s] else "is not"
            raise DataError(f"row {rec['row']} (key question {rec['key_question']}): n = {int(n)} {said} the "
                            f"size of its sample {s!r}, sample_n = {sizes[s]}"
                            + (f" (row {first[s]['row']})" if first[s]["row"] != rec["row"] else ""),
                            column="n", rows=(rec["row"],), values=(int(n), sizes[s]),
                            hint="sample_n is the number of cases in the sample and n the cases a question "
                                 "was answered for, so n cannot exceed it: correct one of them.")
    given: dict[str, int] = {}
    for rec in recs:
        if rec["n_given"] is not None:
            given[rec["sample"]] = max(given.get(rec["sample"], 0), int(rec["n_given"]))
    for s, v in given.items():
        sizes.setdefault(s, v)
    for k, v in dict(sample_sizes or {}).items():
        v = check_count(v, f"sample_sizes[{str(k)!r}]", maximum=MAX_CASES)
        if str(k) in first and v != sizes[str(k)]:
            raise ArgumentError(f"sample_sizes[{str(k)!r}]", v, f"disagrees with the results' sample_n = "
                                f"{sizes[str(k)]} (row {first[str(k)]['row']}) for that sample")
        sizes[str(k)] = v
    return sizes


def _from_count(rec: dict, n_given: float | None, upper: int, rules: RatingRules) -> tuple[float, float, str]:
    """(yes, n, note) for a row that gives its yes count."""
    r, p, y = rec["row"], rec["percent_given"], rec["yes_given"]
    if n_given is None and rec["relevant_subsample"] and p is None:
        raise DataError(f"yes is given for sub-sample question {rec['key_question']} but not its n",
                        column="n", rows=(r,))
    nn = float(n_given if n_given is not None else upper)
    if y > nn:
        raise DataError(f"yes={y:g} is more than n={nn:g}", column="yes", rows=(r,), values=(y,))
    if p is not None:
        d = _decimals(p, rec["percent_text"])
        if abs(float(_rounder(rules, d)(100.0 * y / nn)) - p) > 1e-6:
            raise DataError(f"yes={y:g} of n={nn:g} is {100 * y / nn:.2f}%, which does not round to the "
                            f"percent given", column="percent", rows=(r,), values=(p,))
    return float(y), nn, "" if n_given is not None else f"n taken from the sample size ({int(nn)})"


def _summary_row(rec: dict, sizes: Mapping[str, int], rules: RatingRules, share: float | None = None) -> dict:
    r, s = rec["row"], rec["sample"]
    n_given = None if rec["n_flag"] is False else rec["n_given"]  # False: "n" is the sample's size
    upper = n_given if n_given is not None else (rec["sample_n"] or sizes.get(s) or rec["n_given"])
    if upper is None:
        raise DataError(f"n is unknown for key question {rec['key_question']} (no n, sample_n or other "
                        f"row of sample {s!r} gives it)", column="n", rows=(r,),
                        hint="Give the question's n, or the sample size in sample_n / sample_sizes.",
                        cli_hint="Give the question's n, or the sample's size in a sample_n column.")
    upper, p = int(upper), rec["percent_given"]
    cands, n_known = "", True
    if rec["yes_given"] is not None:
        yes, nn, note = _from_count(rec, n_given, upper, rules)
    else:
        yes, nn, cands, n_known, note = _reconstruct(
            p, rec["percent_text"], upper, rules, subsample_unknown=n_given is None and rec["relevant_subsample"],
            n_given=n_given is not None, row=r, share=share)
        if n_given is None and n_known:
            note = "; ".join(x for x in (f"n taken from the sample size ({upper})", note) if x)
    return dict(key_question=rec["key_question"], standard=rec["standard"], sample=s,
                relevant_subsample=rec["relevant_subsample"], yes=float(yes), n=float(nn),
                percent=100.0 * yes / nn, published_percent=np.nan if p is None else float(p),
                yes_candidates=cands, n_known=bool(n_known), note=note)


def load_aggregate(frame: pd.DataFrame, framework: Framework, *, sample: Any,
                   sample_sizes: Mapping[str, int] | None,
                   subsample_share: float | None = None) -> tuple[pd.DataFrame, dict[str, int]]:
    """Aggregate results checked, with counts reconstructed from rounded percentages.

    Parameters
    ----------
    frame : DataFrame
        One row per key question, rows numbered as in the file.
    framework : Framework
    sample : str or None
        The sample of rows without a ``sample`` cell.
    sample_sizes : mapping, optional
        The size of each sample.
    subsample_share : float in (0, 1], optional
        The share of cases a relevant sub-sample holds, where its n is not published (else
        the smallest plausible sub-sample, at least :data:`MIN_SUBSAMPLE_SHARE`).

    Returns
    -------
    summary : DataFrame
    sizes : dict
        The size of each sample (at least as large as any n used in it).
    """
    ids = _aggregate_ids(frame, framework)
    recs = [_record(frame, r, kid, framework, sample) for r, kid in ids.items()]
    sizes = _sizes(recs, sample_sizes)
    summary = pd.DataFrame([_summary_row(rec, sizes, framework.rules, subsample_share) for rec in recs],
                           columns=SUMMARY_COLUMNS).assign(missing=0)
    order = {k: i for i, k in enumerate(framework.key_question_ids)}
    summary = summary.sort_values("key_question", key=lambda s: s.map(order)).reset_index(drop=True)
    # a sample is at least as large as any n used in it (an inferred n never exceeds it)
    used = {cast(str, s): max(sizes.get(cast(str, s), 0), int(g["n"].max()))  # sample labels are str
            for s, g in summary.groupby("sample", sort=False)}
    return summary, used
