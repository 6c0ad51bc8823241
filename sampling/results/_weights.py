"""Design weights: estimates for a stratified sample whose stratum populations N_h are known.

A draw allocates n_h cases to each stratum cell h of N_h eligible cases. Rounding to whole
cases leaves n_h/n off N_h/N, so the sample's own percentage is not the population's
unbiased estimate. With N_h known (:func:`sampling.load_results` ``stratum_populations=``,
or a draw workbook's ``allocation`` sheet through :func:`sampling.read_fieldwork`):

* each case carries the weight w_i = N_h / n_h (n_h the cell's cases in the results);
* a key question's estimate is the domain ratio estimator p̂ = Σ w_i y_i / Σ w_i over the
  cases it applies to — for a question on every case, Σ_h N_h ȳ_h / Σ_h N_h;
* its variance is the stratified linearisation (Taylor) variance with each stratum's own
  finite-population correction: v̂ = Σ_h (1 − n_h/N_h) n_h/(n_h − 1) Σ_{i∈h} (z_i − z̄_h)²,
  z_i = w_i d_i (y_i − p̂) / N̂_d, d_i = 1 where the question applies, N̂_d = Σ w_i d_i.
  This is what R's ``survey`` computes for ``svydesign(ids=~1, strata=~h, fpc=~N_h)``,
  ``svymean`` over the applicable cases (``subset``). A stratum with a single sampled case
  has no within-stratum spread: such strata are pooled (collapsed strata, Wolter 2007
  §2.5), the pool's fraction Σ n_h / Σ N_h.

The sample's own percentage stays what the inspectorate publishes and bands
(``percent``); the weighted figure is ``weighted_percent`` and intervals, flags and
probabilities describe it (the population's percentage).

Analytic intervals (:func:`weighted_interval`) use the effective sample size of Korn &
Graubard (1998), n_eff = p̂(1 − p̂)/v̂_wr from the variance *without* finite-population
correction (the design effect of weighting and stratification), capped at n as the NCHS
standard does (Parker et al. 2017), so that weighting never makes an interval narrower than
a simple random sample of the same size would; the chosen method (Wilson by default) runs on
(n_eff p̂, n_eff), and then each side's distance from p̂ is shrunk by √(v̂/v̂_wr), the
stratum-by-stratum finite-population correction. With one stratum and N unknown this is
the package's unweighted interval on n − 1 cases (the variance estimator's divisor).

No false certainty: the linearised variance is zero when every stratum cell with a spread of
answers is a complete census and the cells with unobserved cases were unanimous (R's
``svymean`` gives SE 0 too), yet an unobserved case could still answer the other way. Where
v̂ = 0 while cases of the domain remain unobserved (N̂_d > n) — :func:`degenerate_rows` — the
interval is widened to hold the exact hypergeometric interval of the domain taken as a simple
random sample of n from round(N̂_d) (:func:`sampling.hypergeometric_exact_interval`, Wright
1991), and the row says so (:data:`DEGENERATE_NOTE`). An interval has zero width only when
every case of the domain was observed.

References
----------
.. [1] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., ch. 5 (stratified random
   sampling) and §6.11 (ratio estimates). Wiley.
.. [2] Lohr, S. L. (2022). *Sampling: Design and Analysis*, 3rd ed., §3.2 (stratified
   estimation) and ch. 4 (domains, ratio estimation). CRC Press.
.. [3] Korn, E. L. & Graubard, B. I. (1998). Confidence intervals for proportions with small
   expected number of positive counts estimated from survey data. *Survey Methodology* 24,
   193–201.
.. [4] Parker, J. D. et al. (2017). National Center for Health Statistics data presentation
   standards for proportions. *Vital Health Stat* 2(175).
.. [5] Wolter, K. M. (2007). *Introduction to Variance Estimation*, 2nd ed., §2.5. Springer.
.. [6] Lumley, T. (2004). Analysis of complex survey samples. *J. Statistical Software*
   9(8), 1–19 (R package ``survey``).
.. [7] Wright, T. (1991). Exact confidence bounds when sampling from small finite universes.
   *Lecture Notes in Statistics* 66. Springer.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping  # results: Any here, as _results imports this module (no cycle, not even for types)

import numpy as np
import pandas as pd

from ..stats._stratified import stratified_count_interval
from ..stats._proportion import effective_interval
from ..errors import ArgumentError, DataError


__all__ = ["POPULATION", "SampleDesign", "check_stratum_populations", "sample_design", "collapse_small_strata",
           "cell_key", "stratum_codes", "resampling_strata",
           "weighted_estimates", "cell_estimates", "weighted_interval", "degenerate_rows", "WEIGHTED_NOTE", "DEGENERATE_NOTE",
           "design_effect", "cell_counts", "stratified_rows", "stratified_intervals",
           "STRATIFIED_DOMAIN_NOTE"]

#: the N_h column of a stratum-populations table
POPULATION = "population"
_ALIASES = ("population", "N_h", "n_population", "cases in population (N_h)")

#: what the weighted columns mean, for notes
WEIGHTED_NOTE = ("design-weighted: 'percent' is the sample's own percentage (published and banded); "
                 "'weighted_percent' weights each stratum cell by its population N_h, and the interval, "
                 "flags and probabilities describe that population percentage")
#: the note of a row whose design variance is zero while cases remain unobserved
DEGENERATE_NOTE = ("the design variance is zero (the cells with unobserved cases were unanimous), but "
                   "unobserved cases could answer otherwise: the interval is widened to the exact "
                   "hypergeometric one of a simple random sample from the cases it covers")


#: the note of a stratified finite-population row asked of part of the cases (N/A answers)
STRATIFIED_DOMAIN_NOTE = ("asked of part of the cases: each stratum cell's population of such cases is "
                          "estimated as N_h × (cases it applies to) / (cases answering), in whole cases")


# --------------------------------------------------------------------------- stratum cells
@dataclass(frozen=True)
class SampleDesign:
    """One sample's stratified design: the cell of each case, and each sampled cell's N_h, n_h.

    ``unsampled`` is the population of cells the table lists but the results hold no case of.
    """

    code: np.ndarray      # (n_s,) index of each case's cell into N_h, n_h
    N_h: np.ndarray       # (H,) population of each sampled cell
    n_h: np.ndarray       # (H,) cases of each cell in the results
    unsampled: int = 0

    @property
    def weights(self) -> np.ndarray:
        """w_i = N_h / n_h of each case."""
        return (self.N_h / self.n_h)[self.code]


def collapse_small_strata(code: np.ndarray) -> tuple[np.ndarray, int]:
    """Collapsed strata (Wolter 2007, *Introduction to Variance Estimation*, 2nd ed., §2.5;
    Rust & Kalton 1987, *J. Official Statistics* 3:69–80): a stratum with a single sampled
    case has no within-stratum variation to resample, so it would add none to the bootstrap
    variance. All such strata are pooled into one; if that pool still holds a single case it
    joins the smallest stratum that has two or more. Returns the new codes and how many
    strata were pooled.

    >>> collapse_small_strata(np.array([0, 0, 1, 2, 3, 3]))
    (array([0, 0, 1, 1, 3, 3]), 2)
    """
    uniq, inv, cnt = np.unique(code, return_inverse=True, return_counts=True)
    lonely = cnt < 2
    if not lonely.any():
        return code, 0
    new = code.copy()
    in_lonely = lonely[inv.ravel()]
    if in_lonely.sum() >= 2 or lonely.all():
        new[in_lonely] = uniq[lonely].min()
    else:
        big = np.flatnonzero(~lonely)
        new[in_lonely] = uniq[big[np.argmin(cnt[big])]]
    return new, int(lonely.sum())


def cell_key(values) -> tuple:
    return tuple(str(v).strip().casefold() for v in values)


def sample_design(results: Any, sample: str) -> SampleDesign | None:
    """The design of ``sample`` (None when its N_h are not known)."""
    table = (getattr(results, "stratum_populations", None) or {}).get(sample)
    if table is None:
        return None
    cols = [c for c in table.columns if c not in (POPULATION, "n")]
    sampled = table[table["n"] > 0].reset_index(drop=True)
    index = {cell_key(r): i for i, r in enumerate(sampled[cols].itertuples(index=False))}
    sub = results.case_table.loc[results.case_table["sample"] == sample, cols]
    code = np.array([index[cell_key(r)] for r in sub.itertuples(index=False)], dtype=np.int64)
    return SampleDesign(code, sampled[POPULATION].to_numpy(float), sampled["n"].to_numpy(float),
                        int(table.loc[table["n"] == 0, POPULATION].sum()))


def stratum_codes(cases: pd.DataFrame, columns: tuple) -> np.ndarray:
    """One integer code per case for the combination of its stratum columns."""
    code = np.zeros(len(cases), dtype=np.int64)
    for c in columns:
        codes, uniques = pd.factorize(cases[c].map(str), sort=True)
        code = code * len(uniques) + codes
    return code


def resampling_strata(results: Any, sample: str, stratified: bool) -> tuple[SampleDesign | None, np.ndarray, int, bool]:
    """``(cells, group, pooled, stratified)`` of one sample: its stratum cells (None unless
    N_h are known), each case's resampling stratum (single-case strata pooled), how many
    strata were pooled, and whether the sample has strata columns. A design-weighted
    sample's strata are its cells; otherwise the results' strata columns (when
    ``stratified``)."""
    cells = sample_design(results, sample)
    if cells is not None:
        group, pooled = collapse_small_strata(cells.code)
        return cells, group, pooled, True
    columns = tuple(results.strata.get(sample, ())) if stratified else ()
    code = stratum_codes(results.case_table.loc[(results.case_table["sample"] == sample).to_numpy()], columns)
    if not columns:
        return None, code, 0, False
    group, pooled = collapse_small_strata(code)
    return None, group, pooled, True


# --------------------------------------------------------------------------- validation
def _cell_name(columns, values) -> str:
    return ", ".join(f"{c}={v}" for c, v in zip(columns, values))


def _tables(value: Any, samples: list[str]) -> dict[str, pd.DataFrame]:
    """{sample: table} from a mapping, or from one table (with a ``sample`` column or for
    every sample)."""
    if isinstance(value, Mapping):
        unknown = [str(k) for k in value if str(k) not in samples]
        if unknown:
            raise DataError("stratum_populations names samples that the results do not have", values=unknown,
                            hint=f"Samples: {', '.join(samples)}.")
        out = {str(k): v for k, v in value.items()}
    elif isinstance(value, pd.DataFrame):
        if "sample" in value.columns:
            out = {str(s): t.drop(columns="sample") for s, t in value.groupby("sample", sort=False)}
            return _tables(out, samples)
        out = {s: value for s in samples}
    else:
        raise ArgumentError("stratum_populations", type(value).__name__,
                            "must be a DataFrame (stratum columns + 'population') or {sample: DataFrame}")
    for s, t in out.items():
        if not isinstance(t, pd.DataFrame):
            raise ArgumentError(f"stratum_populations[{s!r}]", type(t).__name__,
                                "must be a DataFrame of stratum columns and 'population' (N_h)")
    return out


def _population_column(table: pd.DataFrame, sample: str) -> pd.Series:
    hit = [c for c in table.columns if str(c) in _ALIASES]
    if len(hit) != 1:
        raise DataError(f"stratum populations of sample {sample!r} need one 'population' column (N_h)",
                        values=[str(c) for c in table.columns])
    N = pd.to_numeric(table[hit[0]], errors="coerce")
    bad = ~np.isfinite(N.to_numpy(float)) | (N < 1) | (N != N.round())
    if bad.any():
        raise DataError(f"stratum populations of sample {sample!r}: N_h must be whole numbers ≥ 1",
                        column=str(hit[0]), rows=list(table.index[bad]), values=list(table.loc[bad, hit[0]]))
    return N.astype(np.int64).rename(POPULATION)


def _one_table(table: pd.DataFrame, sample: str, columns: tuple, cases: pd.DataFrame) -> pd.DataFrame:
    """One sample's checked table: stratum columns, ``population`` (N_h), ``n`` (cases)."""
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise DataError(f"stratum populations of sample {sample!r} lack stratum column(s)", values=missing)
    N = _population_column(table, sample)
    keys = [cell_key(r) for r in table[list(columns)].itertuples(index=False)]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        raise DataError(f"stratum populations of sample {sample!r} list a cell twice",
                        values=[_cell_name(columns, k) for k in dup])
    got = pd.Series([cell_key(r) for r in cases[list(columns)].itertuples(index=False)]).value_counts()
    absent = [k for k in got.index if k not in set(keys)]
    if absent:
        raise DataError(f"sample {sample!r}: sampled stratum cell(s) without a population N_h",
                        values=[_cell_name(columns, k) for k in absent],
                        hint="Give N_h for every cell the results hold a case of.")
    out = table[list(columns)].astype(str).reset_index(drop=True)
    out[POPULATION] = N.to_numpy()
    out["n"] = [int(got.get(k, 0)) for k in keys]
    over = out[out["n"] > out[POPULATION]]
    if len(over):
        raise DataError(f"sample {sample!r}: a cell has more cases than its population (n_h > N_h)",
                        values=[f"{_cell_name(columns, r[:-2])}: n_h={r[-1]} > N_h={r[-2]}"
                                for r in over.itertuples(index=False)])
    return out


def check_stratum_populations(value: Any, cases: pd.DataFrame, strata: Mapping[str, tuple],
                              populations: Mapping[str, int]) -> tuple[dict, dict, dict]:
    """Validate stratum populations against case-level results.

    Parameters
    ----------
    value : DataFrame or {sample: DataFrame}
        Per sample, one row per stratum cell: the stratum columns and ``population`` (N_h;
        ``N_h`` is accepted too). One table without a ``sample`` column applies to every
        sample; with one, its rows are split by sample.
    cases : DataFrame
        ``Results.cases`` (``sample`` and the stratum columns).
    strata : {sample: columns}
        The design's stratum columns; a sample without them takes the table's columns (all
        but ``population``).
    populations : {sample: N}
        N where known: Σ_h N_h must equal it.

    Returns
    -------
    (tables, strata, populations)
        ``{sample: DataFrame[strata…, population, n]}`` (n the cell's cases in the results,
        0 for a cell not sampled), the strata with the samples' columns, and N per sample
        (Σ_h N_h where N was not given).

    Raises
    ------
    DataError
        A sampled cell without N_h, N_h < n_h, a cell listed twice, Σ_h N_h ≠ N.
    """
    samples = list(dict.fromkeys(cases["sample"]))
    tables = _tables(value, samples)
    strata, pops = dict(strata), dict(populations)
    out = {}
    for s, table in tables.items():
        cols = tuple(strata.get(s) or [c for c in map(str, table.columns) if c not in _ALIASES])
        not_in = [c for c in cols if c not in cases.columns]
        if not cols or not_in:
            raise DataError(f"stratum populations of sample {s!r}: stratum column(s) not in the results",
                            values=not_in or list(map(str, table.columns)))
        out[s] = _one_table(table, s, cols, cases[cases["sample"] == s])
        total = int(out[s][POPULATION].sum())
        if s in pops and pops[s] != total:
            raise DataError(f"sample {s!r}: the stratum populations add up to {total}, not N={pops[s]}",
                            column=POPULATION, values=(total, pops[s]),
                            hint="Σ N_h over the cells must be the sample's eligible population N.")
        pops[s], strata[s] = total, cols
    return out, strata, pops


# --------------------------------------------------------------------------- estimation
def _linearised(y: np.ndarray, d: np.ndarray, design: SampleDesign, fpc: bool):
    """Ratio estimate, linearisation variance with and without fpc, and N̂_d, per column."""
    w = design.weights[:, None]
    wd = w * d
    Nd = wd.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = (wd * y).sum(axis=0) / Nd
        z = wd * (y - p) / Nd
    group, _ = collapse_small_strata(design.code)
    groups, g = np.unique(group, return_inverse=True)
    n_g = np.bincount(g, minlength=len(groups)).astype(float)
    N_g = np.bincount(g, weights=design.N_h[design.code] / design.n_h[design.code], minlength=len(groups))
    mean = np.zeros((len(groups), z.shape[1]))
    np.add.at(mean, g, z)
    dev = z - (mean / n_g[:, None])[g]
    ss = np.zeros_like(mean)
    np.add.at(ss, g, dev ** 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(n_g > 1, n_g / (n_g - 1), 0.0)
        keep = np.clip(1.0 - n_g / N_g, 0.0, 1.0) if fpc else np.ones_like(n_g)
    v_wr = (scale[:, None] * ss).sum(axis=0)
    return p, (keep[:, None] * scale[:, None] * ss).sum(axis=0), v_wr, Nd


def _answered_design(design: SampleDesign, kept: np.ndarray) -> SampleDesign:
    """The design of the cases that answered a question: each stratum's n_h counts only them
    (strata with no answer left drop out)."""
    code = design.code[kept]
    used = np.unique(code)
    remap = np.full(len(design.N_h), -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    return SampleDesign(remap[code], design.N_h[used], np.bincount(code)[used].astype(float), design.unsampled)


def _with_missing(results: Any, sample: str, kqs: list, ans: np.ndarray, design: SampleDesign, fpc: bool):
    """Per-question estimates; a question with missing answers is estimated from the cases
    that answered it, each stratum weighted N_h / (its cases answering) — missing answers
    taken to be like the answered ones in the same stratum (weighting-class adjustment,
    Lohr 2022 §8.5)."""
    d = (~np.isnan(ans)).astype(float)
    p, v, v_wr, Nd = _linearised(np.nan_to_num(ans), d, design, fpc)
    missing = getattr(results, "missing", None)
    if missing is None or not len(missing):
        return p, v, v_wr, Nd
    ids = results.case_table.index[(results.case_table["sample"] == sample).to_numpy()]
    for j, kq in enumerate(kqs):
        gone = set(missing.loc[missing["key_question"] == kq, "case_id"])
        if not gone:
            continue
        kept = ~np.isin(np.asarray(ids, dtype=object), list(gone))
        sub = _answered_design(design, kept)
        col = ans[kept, j:j + 1]
        pj, vj, wj, nj = _linearised(np.nan_to_num(col), (~np.isnan(col)).astype(float), sub, fpc)
        p[j], v[j], v_wr[j], Nd[j] = pj[0], vj[0], wj[0], nj[0]
    return p, v, v_wr, Nd


def design_effect(p: np.ndarray, variance: np.ndarray, n: np.ndarray, domain_population: np.ndarray) -> np.ndarray:
    """Design effect of each estimate: its design variance over the variance of a simple
    random sample *without* replacement of the same n from the (estimated) population N̂_d,

        deff = v̂ / v̂_srs,   v̂_srs = s²·(N̂_d − n)/(N̂_d·n),   s² = n/(n − 1)·p̂(1 − p̂),

    s² the weighted variance of the 0/1 answers. This is R ``survey``'s
    ``svymean(..., deff=TRUE)`` (Lumley 2004; Kish 1965, §8.2), so the effective sample size
    n/deff is the size of a simple random sample with the same precision. NaN where n < 2
    or the answers do not vary.

    References
    ----------
    .. [1] Kish, L. (1965). *Survey Sampling*, §8.2. Wiley.
    .. [2] Lumley, T. (2004). Analysis of complex survey samples. *J. Statistical Software* 9(8).

    >>> round(float(design_effect(np.array([0.5]), np.array([0.0025]), np.array([51.0]), np.array([1e12]))[0]), 6)
    0.5
    """
    p, v = np.asarray(p, dtype=float), np.asarray(variance, dtype=float)
    n, Nd = np.asarray(n, dtype=float), np.asarray(domain_population, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        srs = n / (n - 1) * p * (1 - p) * (Nd - n) / (Nd * n)
        return np.where((n >= 2) & (srs > 0), v / srs, np.nan)


def weighted_estimates(results: Any, fpc: Mapping[str, bool] | None = None) -> pd.DataFrame:
    """The design-weighted estimate of every key question of samples with known N_h.

    Parameters
    ----------
    results : Results
        Case level, with ``stratum_populations``.
    fpc : {sample: bool}, optional
        Whether to apply each stratum's finite-population correction: default every
        sample; with a mapping, the samples it marks True.

    Returns
    -------
    DataFrame
        One row per summary row: ``weighted_percent`` (0–100), ``variance`` and
        ``variance_wr`` (of the proportion, with and without finite-population correction),
        ``domain_population`` (N̂_d = Σ w_i over applicable cases), ``design_effect`` and
        ``effective_n`` (see :func:`design_effect`), ``weighted`` and ``fpc``; NaN where the
        sample has no N_h.

    References
    ----------
    .. [1] Lohr, S. L. (2022). *Sampling: Design and Analysis*, 3rd ed., §3.2 and ch. 4.
    .. [2] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., ch. 5.
    .. [3] Lohr (2022), §8.5: weighting-class adjustment for item nonresponse (a question's
       missing answers, ``results.missing``, taken to be like the answered ones in the same
       stratum).

    Examples
    --------
    >>> import pandas as pd, sampling
    >>> cases = pd.DataFrame({"case_id": list("abcdef"), "h": list("xxxyyy"),
    ...                       "2.1.1": ["yes", "no", "yes", "yes", "yes", "no"]})
    >>> cells = pd.DataFrame({"h": ["x", "y"], "population": [30, 10]})
    >>> r = sampling.load_results(cases, sample="case_supervision", stratum_populations=cells)
    >>> est = sampling.weighted_estimates(r)
    >>> round(float(est.loc[0, "weighted_percent"]), 2), round(float(est.loc[0, "variance"]) ** 0.5, 4)
    (66.67, 0.2472)
    """
    if getattr(results, "level", None) != "case" or not hasattr(results, "stratum_populations"):
        raise ArgumentError("results", type(results).__name__, "must be case-level Results (sampling.load_results)")
    samples = dict.fromkeys(results.summary["sample"])
    cells = {s: d for s in samples if (d := sample_design(results, s)) is not None}
    return cell_estimates(results, cells, fpc)


def cell_estimates(results: Any, cells: Mapping[str, SampleDesign], fpc: Mapping[str, bool] | None = None
                   ) -> pd.DataFrame:
    """:func:`weighted_estimates` with each sample's stratum cells given (a survey design
    has worked them out already)."""
    summary = results.summary
    out = pd.DataFrame({"weighted_percent": np.nan, "variance": np.nan, "variance_wr": np.nan,
                        "domain_population": np.nan, "design_effect": np.nan, "effective_n": np.nan,
                        "weighted": False, "fpc": False},
                       index=summary.index)
    for s, design in cells.items():
        rows = (summary["sample"] == s).to_numpy()
        kqs = list(summary.loc[rows, "key_question"])
        ans = results.answer_table.loc[(results.case_table["sample"] == s).to_numpy(), kqs].to_numpy(float)
        use_fpc = True if fpc is None else bool(fpc.get(s, False))
        p, v, v_wr, Nd = _with_missing(results, s, kqs, ans, design, use_fpc)
        n_answered = (~np.isnan(ans)).sum(axis=0).astype(float)
        deff = design_effect(p, v, n_answered, Nd)
        with np.errstate(divide="ignore", invalid="ignore"):  # zero design variance: no effective n
            n_eff = np.where(deff > 0, n_answered / deff, np.nan)
        out.loc[rows, ["weighted_percent", "variance", "variance_wr", "domain_population", "design_effect",
                       "effective_n"]] = np.column_stack([100 * p, v, v_wr, Nd, deff, n_eff])
        out.loc[rows, "weighted"] = True
        out.loc[rows, "fpc"] = use_fpc
    return out


def degenerate_rows(estimates: pd.DataFrame, n: np.ndarray) -> np.ndarray:
    """Rows whose design variance (with finite-population correction) is zero although at
    least one case of the domain is unobserved (round(N̂_d) > n): an interval there would
    claim a certainty the sample does not give."""
    v = estimates["variance"].to_numpy(float)
    Nd, fpc = estimates["domain_population"].to_numpy(float), estimates["fpc"].to_numpy(bool)
    return fpc & np.isfinite(Nd) & (np.round(Nd) > np.asarray(n, dtype=float)) & (np.nan_to_num(v) <= 1e-15)


def weighted_interval(estimates: pd.DataFrame, n: np.ndarray, method: str,
                      confidence_level: float, yes: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Analytic intervals (0–100) for weighted rows: ``method`` on the Korn–Graubard
    effective sample (capped at n), then each side's distance from p̂ shrunk by √(v̂/v̂_wr),
    the stratum-by-stratum finite-population correction (see the module notes). Where
    v̂_wr = 0 (p̂ of 0 or 1, or every stratum unanimous) n_eff = n and the shrink is the
    simple random sample's √((N̂_d − n)/(N̂_d − 1)).

    Parameters
    ----------
    estimates : DataFrame
        Rows of :func:`weighted_estimates`.
    n : array
        Applicable cases of each row.
    method, confidence_level
        As for :func:`sampling.proportion_interval`.
    yes : array, optional
        Yes answers of each row; with it, rows of :func:`degenerate_rows` are widened to hold
        the exact hypergeometric interval of yes of n from round(N̂_d) (no false certainty).

    Returns
    -------
    (low, high) : arrays, percentages

    References
    ----------
    .. [1] Korn, E. L. & Graubard, B. I. (1998). *Survey Methodology* 24, 193–201.
    .. [2] Wright, T. (1991). Exact confidence bounds when sampling from small finite
       universes. *Lecture Notes in Statistics* 66. Springer.
    """
    p = estimates["weighted_percent"].to_numpy(float) / 100
    v, v_wr = estimates["variance"].to_numpy(float), estimates["variance_wr"].to_numpy(float)
    Nd, fpc = estimates["domain_population"].to_numpy(float), estimates["fpc"].to_numpy(bool)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        n_eff = np.where(v_wr > 0, np.minimum(n, p * (1 - p) / v_wr), n)
        srs = np.where(fpc & (Nd > n), np.sqrt(np.clip((Nd - n) / (Nd - 1), 0.0, 1.0)), np.where(fpc, 0.0, 1.0))
        shrink = np.where(v_wr > 0, np.sqrt(np.clip(v / v_wr, 0.0, 1.0)), srs)
    n_eff = np.maximum(n_eff, 1.0)
    low, high = effective_interval(p * n_eff, n_eff, method=method, confidence_level=confidence_level)
    low = np.clip(p - (p - low) * shrink, 0.0, 1.0)
    high = np.clip(p + (high - p) * shrink, 0.0, 1.0)
    bad = degenerate_rows(estimates, n) if yes is not None else np.zeros(len(p), dtype=bool)
    if bad.any():
        from ..stats._hypergeometric import hypergeometric_exact_interval

        y = np.asarray(yes, dtype=float)[bad]
        lo, hi = hypergeometric_exact_interval(y, n[bad], np.round(Nd[bad]), confidence_level=confidence_level)
        low[bad], high[bad] = np.minimum(low[bad], lo), np.maximum(high[bad], hi)
    return 100 * low, 100 * high


# --------------------------------------------------------------------------- stratified finite-population rows
def cell_counts(results: Any, sample: str, kqs: list, design: SampleDesign) -> tuple[np.ndarray, ...]:
    """Per key question (rows) and stratum cell (columns): yes x_hj, applicable cases n_hj and
    the cell's population of the question's domain N_hj.

    The domain's size in a cell is not known when a question is asked of part of the cases; it
    is estimated as N_h · n_hj / a_hj, a_hj the cell's cases answering the question
    (applicable or not applicable: a missing answer is left out, as the weighted estimate
    leaves it out) — the domain estimate of Lohr (2022, §4.2) cell by cell, at least n_hj —
    and rounded to whole cases by largest remainder so that Σ_h N_hj is the weighted domain
    size N̂_d = Σ w_i d_i rounded (the row's population, as for the other methods).
    N_hj = N_h for a question every answering case is asked. A cell none of whose cases
    applies drops out (N_hj = 0), as it does from the weighted estimate.
    """
    rows = (results.case_table["sample"] == sample).to_numpy()
    ans = results.answer_table.loc[rows, kqs].to_numpy(float)
    answered = np.ones(ans.shape, dtype=bool)
    missing = getattr(results, "missing", None)
    if missing is not None and len(missing):
        ids = np.asarray(results.case_table.index[rows], dtype=object)
        for j, kq in enumerate(kqs):
            gone = list(set(missing.loc[missing["key_question"] == kq, "case_id"]))
            answered[:, j] = ~np.isin(ids, gone)
    H = len(design.N_h)
    one = np.eye(H)[design.code]  # (cases, H)
    x = ((np.nan_to_num(ans) == 1) & answered).T.astype(float) @ one
    n = ((~np.isnan(ans)) & answered).T.astype(float) @ one
    a = answered.T.astype(float) @ one
    raw = np.where(n > 0, design.N_h[None, :] * n / np.where(a > 0, a, 1), 0.0)  # ≥ n_hj: N_h ≥ a_hj ≥ n_hj
    return x, n, _apportioned(raw)


def _apportioned(raw: np.ndarray) -> np.ndarray:
    """Whole numbers per row adding up to round(Σ raw) (Hamilton's largest remainder), each
    floor(raw) or one more, so Σ_h N_hj is the weighted domain size N̂_d rounded."""
    base = np.floor(raw + 1e-9)
    extra = np.floor(raw.sum(axis=1) + 0.5 + 1e-9) - base.sum(axis=1)
    rank = np.argsort(np.argsort(-(raw - base), axis=1, kind="stable"), axis=1)
    return base + (rank < extra[:, None])


def stratified_rows(x: np.ndarray, n: np.ndarray, N: np.ndarray, confidence_level: float):
    """Limits (0–100) and the population Σ_h N_hj of each row of :func:`cell_counts` by the
    stratified finite-population interval (:func:`sampling.stratified_count_interval`); NaN
    for a row with no applicable case."""
    total = N.sum(axis=1)
    low, high = np.full(len(x), np.nan), np.full(len(x), np.nan)
    for i in np.flatnonzero(total > 0):
        keep = N[i] > 0
        lo, hi = stratified_count_interval(x[i, keep], n[i, keep], N[i, keep], confidence_level=confidence_level)
        low[i], high[i] = 100 * lo / total[i], 100 * hi / total[i]
    return low, high, total


def stratified_intervals(results: Any, confidence_level: float, rows: np.ndarray | None = None,
                         cells: Mapping[str, SampleDesign] | None = None) -> pd.DataFrame:
    """The stratified finite-population interval of summary ``rows`` (default all) of the
    samples with known N_h: ``low``, ``high`` (0–100), ``population`` (Σ_h N_hj) and ``part``
    (asked of part of the cases: the cells' domain sizes estimated, :func:`cell_counts`),
    indexed like ``results.summary``; NaN for other rows. A subgroup is a domain: pass
    results whose other cases' answers are set to not applicable (every cell keeps its n_h
    and N_h). ``cells``: each sample's stratum cells, where a survey design has them already."""
    summary = results.summary
    rows = np.ones(len(summary), dtype=bool) if rows is None else np.asarray(rows, dtype=bool)
    out = pd.DataFrame({"low": np.nan, "high": np.nan, "population": np.nan, "part": False}, index=summary.index)
    for s in dict.fromkeys(summary["sample"]):
        design = cells.get(s) if cells is not None else sample_design(results, s)
        mine = rows & (summary["sample"] == s).to_numpy()
        if design is None or not mine.any():
            continue
        x, n, N = cell_counts(results, s, [str(q) for q in summary.loc[mine, "key_question"]], design)
        low, high, total = stratified_rows(x, n, N, confidence_level)
        out.loc[mine, "low"], out.loc[mine, "high"], out.loc[mine, "population"] = low, high, total
        out.loc[mine, "part"] = total != design.N_h.sum()
    return out
