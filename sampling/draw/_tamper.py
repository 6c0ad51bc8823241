"""What makes a draw tamper-evident: its fingerprint, and the fieldwork sheet's strata checked
against the draw's.

:func:`draw_fingerprint` is the SHA-256 the manifest records as ``draw_sha256``: of the seed,
n, N, the strata, the reserves rule, the frame's fingerprint, the cases and reserves as drawn
(ids, cells, strata, order) and each cell's N_h and n_h, every value as canonical text
(:func:`canon_cell`), so the :class:`~sampling.Sample` in memory and the same draw read back
from a workbook or a draw folder give the same code. :func:`strata_edits` lists the fieldwork
sheet's stratum cells that differ from the draw's; ``verify`` and ``analyse`` both use it.
"""
from __future__ import annotations

import hashlib
import json
import math
import numbers
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["draw_fingerprint", "DRAW_FINGERPRINT_METHOD", "canon_cell", "strata_edits", "describe_edits"]

DRAW_FINGERPRINT_METHOD = ("SHA-256 of the canonical JSON of seed, n, N (frame_rows), strata, reserves rule, "
                           "the frame's fingerprint, the cases (selection_order, case_id, cell, strata) and "
                           "reserves (cell, reserve_rank, case_id, strata) as drawn, and the allocation "
                           "(cell, N_h, n_h)")


def canon_cell(value: Any) -> str:
    """One cell as canonical text: whole numbers without a decimal point, missing as ""."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real) and float(value).is_integer():
        return str(int(value))  # type: ignore[call-overload]  # typeshed: Real is not SupportsTrunc
    return str(value).strip()


def _canon_rows(table: pd.DataFrame, columns: Sequence[str]) -> list[list[str]]:
    cols = [table[c].tolist() if c in table.columns else [""] * len(table) for c in columns]
    return [[canon_cell(v) for v in row] for row in zip(*cols)] if cols else []


def draw_fingerprint(cases: pd.DataFrame, reserves: pd.DataFrame, allocation: pd.DataFrame,
                     manifest: Mapping[str, Any]) -> str:
    """SHA-256 of the drawn sample as drawn (see :data:`DRAW_FINGERPRINT_METHOD`).

    The same draw read back from a workbook or a draw folder (every cell as text) gives the
    same fingerprint as the :class:`Sample` in memory; any edit to a case id, a stratum, a
    cell, the order, the seed, N, n or an N_h gives another.
    """
    strata = [str(s) for s in manifest.get("strata", [])]
    head = {k: canon_cell(manifest.get(k)) for k in ("seed", "n", "frame_rows", "reserves", "frame_sha256")}
    text = json.dumps({
        **head, "strata": strata,
        "cases": _canon_rows(cases, ["selection_order", "case_id", "cell", *strata]),
        "reserves": _canon_rows(reserves, ["cell", "reserve_rank", "case_id", *strata]),
        "allocation": _canon_rows(allocation, ["cell", "N_h", "n_h"]),
    }, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _same(a: Any, b: Any) -> bool:
    return str(a).strip().casefold() == str(b).strip().casefold()


def strata_edits(fieldwork: pd.DataFrame, drawn: pd.DataFrame, manifest: Mapping[str, Any]) -> pd.DataFrame:
    """The fieldwork sheet's stratum cells that differ from the draw's.

    Parameters
    ----------
    fieldwork : DataFrame
        The fieldwork sheet under its own headers (the frame's column names), as text.
    drawn : DataFrame
        The drawn cases and reserves (``case_id`` and the strata in our names), e.g. the
        ``cases`` and ``reserves`` sheets one after the other.
    manifest : mapping
        The draw's manifest (``strata``, ``columns``).

    Returns
    -------
    DataFrame
        ``row`` (the spreadsheet's), ``case_id``, ``column`` (the sheet's header), ``value``
        (on the fieldwork sheet) and ``drawn`` (the draw's value); empty when none differs.
        Spelling case and surrounding spaces do not count as a difference; a case that is
        not in the draw is left to the checks that name it.
    """
    names = dict(manifest.get("columns", {}) or {})
    id_column = str(names.get("case_id", "case_id"))
    out = []
    if id_column in fieldwork.columns and "case_id" in drawn.columns:
        lookup = drawn.assign(case_id=drawn["case_id"].astype(str).str.strip()).drop_duplicates("case_id")
        lookup = lookup.set_index("case_id")
        ids = fieldwork[id_column].astype(str).str.strip().tolist()
        for s in manifest.get("strata", []) or []:
            header = str(names.get(s, s))
            if header not in fieldwork.columns or s not in lookup.columns:
                continue
            want = lookup[s].astype(str).to_dict()
            for i, (case, got) in enumerate(zip(ids, fieldwork[header].astype(str).tolist())):
                if case in want and not _same(got, want[case]):
                    out.append({"row": i + 2, "case_id": case, "column": header, "value": got.strip(),
                                "drawn": want[case].strip()})
    table = pd.DataFrame(out, columns=["row", "case_id", "column", "value", "drawn"])
    return table.sort_values(["row", "column"], kind="stable").reset_index(drop=True)


def describe_edits(edits: pd.DataFrame, limit: int = 8) -> str:
    """``"NC00012 Sex 'female' (drawn 'male'); …"``: the first ``limit`` edits in words."""
    parts = [f"{r.case_id} {r.column} {r.value!r} (drawn {r.drawn!r})" for r in edits.head(limit).itertuples()]
    more = len(edits) - limit
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


