"""Draw the stratified case sample, with reserves, a balance check and a manifest.

:func:`draw_sample` allocates ``n`` over the joint cells of the strata (see
:mod:`sampling.allocate`), then draws a simple random sample without replacement of
``n_h`` cases in each cell, plus an ordered list of reserves per cell for cases that turn
out unusable during fieldwork.

How the draw works (and why it is reproducible):

1. the frame is put in canonical order - rows sorted by ``case_id`` (``load_frame`` does
   this) - so the draw does not depend on the order of the rows in the source;
2. one uniform random key per case is drawn in that order from the numpy Generator
   (``rng.random(N)``);
3. within each cell the cases are ordered by key: the ``n_h`` smallest keys are the
   sample, the next ones the reserves in order. Ordering i.i.d. uniform keys gives every
   subset of size ``n_h`` the same probability, i.e. simple random sampling without
   replacement (the "random sort" method; Tillé 2006, *Sampling Algorithms*, §4.4), and the
   reserves are a continuation of the same random order.

The :attr:`Sample.manifest` records the seed, the bit generator's starting state, the
versions and a SHA-256 fingerprint of the frame, so :meth:`Sample.verify` can re-draw
and prove the sample.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import numbers
import os
import platform
import contextlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .._utils._checks import check_count, check_rng
from .._utils._types import SeedLike
from .._utils._display import TableResult
from .._utils._io import atomic_path, ensure_writable_dir, escape_formulas, write_csv
from .._utils._workbook import write_workbook
from ._allocate import (DEFAULT_STRATA, allocate_cells, cell_index, check_allocation, check_min_per_cell,
                        check_strata, resolve_strata)
from ._margins import margin_note, planned_margins
from ._rngstate import generator_from_state, jsonable_state, restore_state
from ._reserves import reserves_rule, reserve_counts
from ._blank_strata import check_blank_strata
from ..errors import ArgumentError, DataError, OutputError
from ._balance import BALANCE_COLUMNS, balance_table, gof_pvalue
from ._frame import REQUIRED_COLUMNS, Frame, frame_fingerprint, load_frame
from .._utils._tables import column_key, match_columns
from ._tamper import DRAW_FINGERPRINT_METHOD, draw_fingerprint

__all__ = ["Sample", "draw_sample", "verify_manifest", "gof_pvalue", "reserve_counts",
           "BALANCE_COLUMNS", "planned_margins", "margin_note", "redraw"]


@dataclass(frozen=True, repr=False)
class Sample(TableResult):
    """A drawn stratified sample.

    Attributes
    ----------
    cases : DataFrame
        The selected cases in selection order: ``selection_order`` (1..n; cell by cell in
        canonical order, by random key within a cell), ``cell`` and every frame column.
    reserves : DataFrame
        Substitutes per cell: ``cell``, ``reserve_rank`` (1 = use first), ``case_id`` and
        every frame column. Disjoint from ``cases``.
    allocation : DataFrame
        ``cell``, the strata values, ``N_h``, ``share`` (n·N_h/N), ``n_h``, plus
        ``reserves`` (drawn) and ``reserves_wanted``.
    marginals : DataFrame
        Per variable and category: ``N``, ``share``, ``target`` (largest remainder),
        ``allocated``, ``difference``.
    balance : DataFrame
        ``variable, category, population_n, population_pct, sample_n, sample_pct,
        difference_pts, p_value`` (p-value per variable, see :func:`gof_pvalue`).
    manifest : dict
        Everything needed to re-draw and prove the sample (see :meth:`verify`).
    substitutions : DataFrame
        ``replaced_case_id, reserve_case_id, cell, reserve_rank, reason`` for each
        :meth:`substitute` made (empty after the draw).
    notes : tuple of str
    fieldwork : DataFrame or None
        The fieldwork sheet of a draw workbook, as it stands (set by
        :func:`~sampling.read_draw`; None for a fresh draw).
    """

    cases: pd.DataFrame
    reserves: pd.DataFrame
    allocation: pd.DataFrame
    marginals: pd.DataFrame
    balance: pd.DataFrame
    manifest: Mapping[str, Any]
    substitutions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["replaced_case_id", "reserve_case_id", "cell", "reserve_rank", "reason"]))
    notes: tuple[str, ...] = ()
    fieldwork: pd.DataFrame | None = None

    # display --------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """The balance table (the cases are in :attr:`cases`)."""
        return self.balance.copy()

    def _title(self) -> str:
        seed = self.manifest.get("seed")
        return (f"Sample: {len(self.cases)} cases from {self.manifest.get('frame_rows', 0):,}, "
                f"{len(self.allocation)} cells ({', '.join(self.manifest.get('strata', [])) or 'unstratified'}), "
                f"{len(self.reserves)} reserves, seed {seed if seed is not None else '(none)'}")

    def _notes(self) -> list[str]:
        return list(self.notes)

    @property
    def n(self) -> int:
        return len(self.cases)

    # substitution ---------------------------------------------------------------------
    def substitute(self, case_id: Any, reason: str = "") -> tuple[pd.Series, "Sample"]:
        """Replace a selected case by the next unused reserve of its cell.

        Returns ``(reserve_row, new_sample)``; this sample is not changed. In the new
        sample the reserve takes the replaced case's place (same ``selection_order``),
        :attr:`substitutions` records the swap (with ``reason``); the balance is unchanged
        (same cell).

        Raises
        ------
        ArgumentError
            ``case_id`` is not a selected case.
        DataError
            The case's cell has no unused reserve left (draw with more ``reserves``).
        """
        key = str(case_id).strip()
        hit = np.flatnonzero(self.cases["case_id"].astype(str).to_numpy() == key)
        if not len(hit):
            raise ArgumentError("case_id", case_id, "must be a case in the sample (see Sample.cases)")
        row = self.cases.iloc[hit[0]]
        cell = row["cell"]
        used = set(self.substitutions["reserve_case_id"].astype(str))
        pool = self.reserves[(self.reserves["cell"] == cell)
                             & ~self.reserves["case_id"].astype(str).isin(used)].sort_values("reserve_rank")
        if not len(pool):
            drawn = int((self.reserves["cell"] == cell).sum())
            raise DataError(f"no unused reserve left in cell {cell!r} ({drawn} drawn, all used)",
                            values=[key], hint="Draw again with more reserves (reserves=) and the same seed.")
        reserve = pool.iloc[0]
        new_row = {c: reserve[c] if c in reserve.index else row[c] for c in self.cases.columns}
        new_row["selection_order"] = row["selection_order"]
        cases = self.cases.copy()
        cases.iloc[hit[0]] = pd.Series(new_row)[cases.columns]
        record = pd.DataFrame([{"replaced_case_id": key, "reserve_case_id": str(reserve["case_id"]),
                                "cell": cell, "reserve_rank": int(reserve["reserve_rank"]),
                                "reason": str(reason or "")}])
        subs = pd.concat([self.substitutions, record], ignore_index=True) if len(self.substitutions) else record
        # the reserve is from the same cell, so every margin - and the balance table - is unchanged
        return reserve, replace(self, cases=cases, substitutions=subs)

    # verification ---------------------------------------------------------------------
    def original_case_ids(self) -> list[str]:
        """Case ids as drawn, before any substitution, in selection order."""
        ids = self.cases["case_id"].astype(str).tolist()
        back = {}
        for rec in self.substitutions.itertuples(index=False):
            back[str(rec.reserve_case_id)] = str(rec.replaced_case_id)
        out = []
        for i in ids:
            while i in back:
                i = back[i]
            out.append(i)
        return out

    def verify(self, frame: Any) -> bool:
        """Re-draw from ``frame`` with the manifest's settings; True if identical.

        Checks the frame's SHA-256 fingerprint, then re-draws (same n, strata, reserves
        rule and bit-generator starting state) and compares the selected cases and the
        reserves, in order.
        """
        return verify_manifest(frame, self)

    # output ---------------------------------------------------------------------------
    def _sheets(self) -> dict[str, pd.DataFrame]:
        manifest = pd.DataFrame(
            [{"key": k, "value": v if isinstance(v, str) else json.dumps(v, default=str)}
             for k, v in self.manifest.items() if k != "created_utc"],  # inputs, not the clock
            columns=["key", "value"])
        sheets = {"cases": self.cases, "reserves": self.reserves, "allocation": self.allocation,
                  "balance": self.balance, "manifest": manifest}
        if len(self.substitutions):
            sheets["substitutions"] = self.substitutions
        return {name: _for_output(table) for name, table in sheets.items()}

    def _manifest_json(self) -> str:
        return json.dumps({k: v for k, v in self.manifest.items() if k != "created_utc"}, indent=2, default=str)

    def to_excel(self, path: str | os.PathLike) -> Path:
        """Write an .xlsx workbook with sheets cases, reserves, allocation, balance and
        manifest (and substitutions, if any), atomically and with formulas escaped."""
        target = Path(path)
        if target.suffix.lower() != ".xlsx":
            raise OutputError(f"cannot write {str(target)!r}: an Excel workbook must end in .xlsx")
        if target.is_dir():
            raise OutputError(f"cannot write {str(target)!r}: it is a folder")
        sheets = self._sheets()
        try:
            with atomic_path(target) as tmp:
                write_workbook(tmp, sheets)  # streamed and reproducible: a 100,000-case sample in seconds
        except OutputError:
            raise
        except OSError as exc:
            raise OutputError(f"cannot write {str(target)!r}: {exc.strerror or exc}") from None
        return target

    def to_csv(self, path_or_dir: str | os.PathLike, *, reserves: bool = True) -> list[Path]:
        """Write CSV files (UTF-8, formulas escaped, atomically); returns the paths.

        * a path ending in ``.csv``: the cases there, and beside it (``reserves=True``)
          ``<name>_reserves.csv``, then ``<name>_allocation.csv``, ``<name>_balance.csv`` and
          ``<name>_manifest.json``;
        * any other path is a folder (created if needed) receiving ``cases.csv``,
          ``reserves.csv``, ``allocation.csv``, ``balance.csv`` and ``manifest.json``.
        """
        target = Path(path_or_dir)
        sheets = self._sheets()
        files: dict[Path, Any] = {}
        if target.suffix.lower() == ".csv":
            if target.is_dir():
                raise OutputError(f"cannot write {str(target)!r}: it is a folder")
            files[target] = sheets["cases"]
            if reserves:
                files[target.with_name(target.stem + "_reserves.csv")] = sheets["reserves"]
            for name in ("allocation", "balance"):  # nothing of the draw is lost in the CSV form
                files[target.with_name(f"{target.stem}_{name}.csv")] = sheets[name]
            files[target.with_name(target.stem + "_manifest.json")] = self._manifest_json()
        elif target.suffix and not target.is_dir():
            raise OutputError(f"cannot write {str(target)!r}: give a .csv file or a folder")
        else:
            folder = ensure_writable_dir(target)
            for name in ("cases", "reserves", "allocation", "balance"):
                files[folder / f"{name}.csv"] = sheets[name]
            if len(self.substitutions):
                files[folder / "substitutions.csv"] = sheets["substitutions"]
            files[folder / "manifest.json"] = self._manifest_json()
        try:
            with contextlib.ExitStack() as stack:
                for dest, content in files.items():
                    tmp = stack.enter_context(atomic_path(dest))
                    if isinstance(content, str):
                        tmp.write_text(content + "\n", encoding="utf-8")
                    else:
                        write_csv(content, tmp)  # CRLF, every CR/LF/comma/quote field quoted
        except OutputError:
            raise
        except OSError as exc:
            raise OutputError(f"cannot write {str(target)!r}: {exc.strerror or exc}") from None
        return list(files)


def _for_output(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    for c in out.columns:
        dtype = out[c].dtype
        if isinstance(dtype, pd.CategoricalDtype):
            out[c] = out[c].astype(object)
        elif isinstance(dtype, pd.DatetimeTZDtype):
            out[c] = out[c].dt.tz_localize(None)
    return escape_formulas(out)


# --------------------------------------------------------------------------- drawing
def _select(row_cell: np.ndarray, n_cells: int, keys: np.ndarray, n_h: np.ndarray,
            r_h: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(selected rows, their cell, reserve rows, reserve rank), by cell then by key.

    Equivalent to sorting every row by (cell, key) and taking the first n_h (sample) and
    next r_h (reserves) of each cell, but only the n_h + r_h smallest keys of a cell are
    sorted (``argpartition``), so a 260,000-row frame costs one pass.
    """
    by_cell = np.argsort(row_cell, kind="stable")
    counts = np.bincount(row_cell, minlength=n_cells)
    ends = np.cumsum(counts)
    sel, sel_cell, res, res_rank = [], [], [], []
    for h in range(n_cells):
        take = int(n_h[h] + r_h[h])
        if take == 0:
            continue
        rows = by_cell[ends[h] - counts[h]:ends[h]]
        k = keys[rows]
        if take < len(rows):
            part = np.argpartition(k, take - 1)[:take]
            rows, k = rows[part], k[part]
        first = rows[np.argsort(k, kind="stable")[:take]]
        sel.append(first[:n_h[h]])
        sel_cell.append(np.full(int(n_h[h]), h, dtype=np.int64))
        res.append(first[n_h[h]:])
        res_rank.append(np.arange(1, len(first) - int(n_h[h]) + 1, dtype=np.int64))
    empty = np.zeros(0, dtype=np.int64)
    cat = lambda parts: np.concatenate(parts) if parts else empty  # noqa: E731
    return cat(sel), cat(sel_cell), cat(res), cat(res_rank)


#: Per-case design columns, named as SAS PROC SURVEYSELECT names them.
WEIGHT_COLUMNS = ("SelectionProb", "SamplingWeight")


def case_weights(N_h: np.ndarray, n_h: np.ndarray, case_cell: np.ndarray) -> dict[str, np.ndarray]:
    """``SelectionProb`` π = n_h/N_h and ``SamplingWeight`` w = N_h/n_h = 1/π of each selected
    case (``case_cell`` indexes its cell), the stratified simple random sampling weights
    (Cochran 1977, §5.2; SAS/STAT PROC SURVEYSELECT, "Sample Output Data Set"). The weights
    of a cell sum to N_h, so over the sample they sum to N.

    References
    ----------
    .. [1] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., §5.2. Wiley.
    .. [2] SAS Institute. *SAS/STAT User's Guide: The SURVEYSELECT Procedure*, "Output Data Set".
    """
    N_h = np.asarray(N_h, dtype=float)
    n_h = np.asarray(n_h, dtype=float)
    cell = np.asarray(case_cell, dtype=np.int64)
    return {"SelectionProb": n_h[cell] / N_h[cell], "SamplingWeight": N_h[cell] / n_h[cell]}


def _rows(data: pd.DataFrame, index: np.ndarray, front: dict) -> pd.DataFrame:
    """The frame's rows at ``index`` (strata as plain text), after the ``front`` columns."""
    out = dict(front)
    for c in data.columns:
        values = data[c]
        if isinstance(values.dtype, pd.CategoricalDtype):  # strata as plain text in the output
            cats = np.asarray([str(v) for v in values.cat.categories], dtype=object)
            out[c] = cats[values.cat.codes.to_numpy()[index]]
        else:
            out[c] = values.take(index).reset_index(drop=True)
    return pd.DataFrame(out)


def _draw_notes(alloc_notes: Sequence[str], allocation: pd.DataFrame) -> list[str]:
    notes = list(alloc_notes)
    short = allocation[allocation["reserves"] < allocation["reserves_wanted"]]
    if len(short):
        notes.append("reserves short (cell has too few other cases): " + "; ".join(
            f"{r.cell} {r.reserves} of {r.reserves_wanted}" for r in short.itertuples()))
    empty = allocation[allocation["n_h"] == 0]
    if len(empty):
        notes.append(f"{len(empty)} cell(s) get no case at this n (their share is below one case and "
                     "the margins are met without them): " + "; ".join(empty["cell"].astype(str))
                     + "; the estimates cannot describe them (a minimum of one case per cell, "
                     "--min-per-cell 1, gives each a case)")
    return notes


def _manifest(frame: Frame, n: int, strata: tuple, reserves: Any, seed: int | numbers.Integral | None,
              gen: np.random.Generator,
              start_state: Mapping[str, Any], alloc: Any, methods: dict, cases: pd.DataFrame,
              margins: Mapping[str, Any] | None = None) -> dict:
    """Everything needed to re-draw and verify the sample."""
    from .. import __version__

    hash_columns = list(dict.fromkeys(c for c in (*REQUIRED_COLUMNS, *strata) if c in frame.data.columns))
    return {
        "package": "inspection-sampling",
        "version": __version__,
        "seed": seed,
        "seed_note": ("int seed: numpy.random.default_rng(seed)" if seed is not None else
                      "no int seed given (a Generator or fresh entropy); its starting state is "
                      "recorded in bit_generator_state, so the draw can still be verified"),
        "n": n,
        "strata": list(strata),
        "reserves": reserves,
        "reserves_rule": reserves_rule(reserves),
        "frame_source": frame.source[1:-1] if frame.source[:1] == frame.source[-1:] == "'" else frame.source,
        "frame_rows": len(frame.data),
        "frame_filters": dict(frame.filters),
        "frame_columns": {ours: theirs for ours, theirs in frame.columns.items() if ours != theirs},
        "frame_sha256": frame_fingerprint(frame, hash_columns),
        "frame_sha256_columns": hash_columns,
        "frame_sha256_method": "SHA-256 of the case ids and strata as canonical text, column by column, rows sorted by case id",
        "selection": "random keys rng.random(N) over the frame sorted by case_id; smallest n_h keys per cell "
                     "are the sample, the next ones the reserves",
        "allocation_method": alloc.method,
        "marginal_deviation": alloc.marginal_deviation,
        "allocation_rule": alloc.rule,
        "min_per_cell": alloc.min_per_cell,
        "matched": alloc.matched,
        **({"anticipated": {str(c): float(p) for c, p in zip(alloc.table["cell"], alloc.table["anticipated_p"])}}
           if "anticipated_p" in alloc.table.columns else {}),
        **(margins or {}),
        "p_value_methods": methods,
        "cases_sha256": hashlib.sha256("\n".join(cases["case_id"].astype(str)).encode("utf-8")).hexdigest(),
        "numpy_version": np.__version__,
        "pandas_version": pd.__version__,
        "python_version": platform.python_version(),
        "bit_generator": type(gen.bit_generator).__name__,
        "bit_generator_state": jsonable_state(start_state),
        "created_utc": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
    }


def _our_strata(frame: Frame, strata: tuple) -> tuple:
    """Strata named as the frame's own columns (``Sex``, ``RoSH Level``) or by an alias, in
    our names (``gender``, ``rosh``)."""
    theirs = {column_key(v): k for k, v in frame.columns.items()}
    out = []
    for s in strata:
        if s in frame.data.columns:
            out.append(s)
            continue
        ours = theirs.get(column_key(s)) or match_columns([s], REQUIRED_COLUMNS[1:]).get(s)
        out.append(ours if ours in frame.data.columns else s)
    if len(set(out)) < len(out):
        raise ArgumentError("strata", list(strata), "must not name a column twice")
    return tuple(out)


def _checked_frame(frame: Any, strata: Any, n: Any) -> tuple[Frame, tuple, int]:
    frame = load_frame(frame)  # a Frame comes back unchanged
    strata = _our_strata(frame, check_strata(strata))
    n = check_count(n, "n")
    N = len(frame.data)
    if n > N:
        raise ArgumentError("n", n, f"must be at most the number of eligible cases N={N:,}")
    return frame, strata, n


def draw_sample(
    frame: Frame | pd.DataFrame | str | os.PathLike,
    n: int,
    *,
    strata: Sequence[str] = DEFAULT_STRATA,
    rng: SeedLike = None,
    reserves: int | float | None = None,
    allocation: str = "proportional",
    min_per_cell: int = 0,
    anticipated: float | Mapping[str, float] | pd.DataFrame | None = None,
    confidence_level: float = 0.8,
) -> Sample:
    """Draw a stratified simple random sample of ``n`` cases with reserves.

    Parameters
    ----------
    frame : Frame, DataFrame or path
        The eligible population; anything but a :class:`Frame` goes through
        :func:`~sampling.load_frame` (default vocabulary, no filters).
    n : int
        Sample size, 1 ≤ n ≤ N.
    strata : sequence of str
        Stratification variables (default gender, disposal, rosh), by our names or the
        frame's own (``Sex``, ``RoSH Level``); ``()`` for none.
    rng : int, numpy Generator or None
        Seed (recommended: record it), or a Generator (its starting state is recorded;
        the Generator is advanced), or None for fresh entropy (state still recorded).
    reserves : None, int or float
        Reserves per cell: None → max(2, ⌈n_h/2⌉) for cells with n_h ≥ 1; an int k → k
        per cell; a float f → ⌈f·n_h⌉. Capped at the N_h − n_h cases left (shortfalls are
        noted).
    allocation : {"proportional", "neyman", "equal"}
        How n is shared between cells (see :func:`sampling.allocate`): proportional (the
        default, every margin matched), Neyman (n_h ∝ N_h·sqrt(P_h(1 − P_h)), needs
        ``anticipated``) or equal. Reserves are drawn in the same cells.
    min_per_cell : int
        Every cell of the frame gets at least min(K, N_h) cases (0: no minimum).
    anticipated : float, mapping or DataFrame, optional
        The anticipated proportion yes per cell (a previous inspection's): Neyman's S_h,
        and the planned margin at those proportions.
    confidence_level : float
        Confidence of the planned margin recorded in the manifest (default 0.8).

    Returns
    -------
    Sample
        With a non-proportional allocation (or a minimum that changed it) the sample is
        not matched to the population's mix by design, and a note says so: the weights
        (``SamplingWeight`` = N_h/n_h) make the estimates unbiased.

    References
    ----------
    .. [1] Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., §5.5, §5.9, §5.12. Wiley.
    .. [2] SAS Institute. *SAS/STAT User's Guide: The SURVEYSELECT Procedure*, ``ALLOC=``.

    Examples
    --------
    >>> import sampling
    >>> frame = sampling.load_frame(sampling.synthetic_frame(668, rng=1))
    >>> sample = sampling.draw_sample(frame, 132, rng=2019)
    >>> sample.n, len(sample.cases), sample.cases["case_id"].iloc[:3].tolist()
    (132, 132, ['KSS0000124', 'KSS0000390', 'KSS0000421'])
    """
    frame, strata, n = _checked_frame(frame, strata, n)
    seed = rng if isinstance(rng, numbers.Integral) and not isinstance(rng, bool) else None
    gen = check_rng(rng)
    start_state = gen.bit_generator.state
    reserve_counts(np.ones(1, dtype=np.int64), reserves)  # check the arguments before any work
    allocation = check_allocation(allocation)
    min_per_cell = check_min_per_cell(min_per_cell)
    from .._utils._checks import check_confidence_level

    confidence_level = check_confidence_level(confidence_level)
    data = frame.data
    strata = resolve_strata(data.columns, strata)
    clash = [c for c in ("selection_order", "cell", "reserve_rank", *WEIGHT_COLUMNS) if c in data.columns]
    if clash:
        raise DataError("the frame has a column the sample adds itself", column=clash[0],
                        hint="Rename that column in the frame.")
    check_blank_strata(frame, strata)
    row_cell, cells = cell_index(data, strata)
    alloc = allocate_cells(cells, n, strata, rule=allocation, min_per_cell=min_per_cell, anticipated=anticipated)
    n_h = alloc.table["n_h"].to_numpy(dtype=np.int64)
    wanted = reserve_counts(n_h, reserves)
    r_h = np.minimum(wanted, alloc.table["N_h"].to_numpy(dtype=np.int64) - n_h)
    sel, sel_cell, res, res_rank = _select(row_cell, len(cells), gen.random(len(data)), n_h, r_h)
    labels = alloc.table["cell"].to_numpy(dtype=object)
    cases = _rows(data, sel, {"selection_order": np.arange(1, len(sel) + 1), "cell": labels[sel_cell]})
    cases = cases.assign(**case_weights(alloc.table["N_h"].to_numpy(), n_h, sel_cell))
    reserve_table = _rows(data, res, {"cell": labels[row_cell[res]], "reserve_rank": res_rank.astype(np.int64)})
    allocation_table = alloc.table.assign(reserves=r_h, reserves_wanted=wanted)
    methods: dict[str, str] = {}
    balance = balance_table(alloc.marginals, strata, methods=methods)
    # each variable under the frame's own header ("Sex", not "gender"), as the export names it
    balance = balance.assign(variable=[frame.columns.get(v, v) for v in balance["variable"]])
    if "target" in alloc.table.columns:  # not proportional: say so on the balance itself
        balance = balance.assign(matching=f"not matched by design ({alloc.method}): estimates are weighted")
    margins = planned_margins(cells, n, strata, alloc, confidence_level)
    manifest = _manifest(frame, n, strata, reserves, seed, gen, start_state, alloc, methods, cases, margins)
    manifest["draw_sha256"] = draw_fingerprint(cases, reserve_table, allocation_table, manifest)
    manifest["draw_sha256_method"] = DRAW_FINGERPRINT_METHOD
    notes = _draw_notes(alloc.notes, allocation_table)
    return Sample(cases=cases, reserves=reserve_table, allocation=allocation_table, marginals=alloc.marginals,
                  balance=balance, manifest=manifest, notes=tuple(notes))


def redraw(frame: Any, manifest: Mapping[str, Any]) -> tuple["Sample", list[str]]:
    """The draw ``frame`` and ``manifest``'s settings give, and what in the manifest does not
    hold together: with an int seed the re-draw uses the seed itself, and the recorded
    generator state must be the one that seed gives (a seed edited after the draw is caught,
    not re-drawn from the untouched state)."""
    m = manifest
    seed, state, problems = m.get("seed"), m.get("bit_generator_state"), []
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        rng: Any = int(seed)
        if state is not None:
            given = jsonable_state(np.random.default_rng(int(seed)).bit_generator.state)
            if jsonable_state(restore_state(state)) != given:
                problems.append(f"the manifest's seed {seed} does not give its recorded generator state "
                                "(bit_generator_state): the seed or the state was edited after the draw")
    elif seed is not None:
        raise DataError(f"the manifest's seed {seed!r} is not a whole number", column="seed", values=[seed])
    elif state is None:
        raise ArgumentError("sample", "manifest", "has no seed nor bit_generator_state to re-draw from")
    else:
        rng = generator_from_state(restore_state(state))
    again = draw_sample(frame, m["n"], strata=m["strata"], rng=rng, reserves=m.get("reserves"),
                        allocation=m.get("allocation_rule") or "proportional",
                        min_per_cell=int(m.get("min_per_cell") or 0), anticipated=m.get("anticipated"),
                        confidence_level=float(m.get("planned_margin_confidence") or 0.8))
    return again, problems


def verify_manifest(frame: Any, sample: Sample) -> bool:
    """True if re-drawing from ``frame`` with ``sample.manifest`` gives the same sample.

    Compares the frame fingerprint, then the selected cases (before any substitution)
    and the reserves, in order.
    """
    m = sample.manifest
    frame = load_frame(frame)  # a Frame comes back unchanged
    columns = [c for c in m.get("frame_sha256_columns", REQUIRED_COLUMNS) if c in frame.data.columns]
    if len(frame.data) != m.get("frame_rows") or frame_fingerprint(frame, columns) != m.get("frame_sha256"):
        return False
    again, problems = redraw(frame, m)
    if problems:
        return False
    if again.cases["case_id"].astype(str).tolist() != sample.original_case_ids():
        return False
    return again.reserves["case_id"].astype(str).tolist() == sample.reserves["case_id"].astype(str).tolist()
