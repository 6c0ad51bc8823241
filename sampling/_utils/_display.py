"""Readable display of result objects in a terminal and in Jupyter.

Result classes are frozen dataclasses declared with ``repr=False`` that inherit
:class:`TableResult` and implement ``to_frame()``; they then print as a short title plus
their main table, and render as an HTML table in a notebook.
"""
from __future__ import annotations

import pandas as pd

__all__ = ["TableResult"]


class TableResult:
    """Mixin: ``__repr__`` and ``_repr_html_`` built from ``to_frame()`` and ``_title()``."""

    #: how a missing value reads in the text display (a subclass may say "unknown")
    na_text = "NaN"

    def to_frame(self) -> pd.DataFrame:  # pragma: no cover - every subclass overrides it
        raise TypeError(f"{type(self).__name__} must define to_frame()")

    def _title(self) -> str:
        return type(self).__name__

    def _notes(self) -> list[str]:
        return []

    def __repr__(self) -> str:
        frame = self.to_frame()
        if self.na_text != "NaN":  # pandas prints <NA> for missing whole numbers whatever na_rep says
            frame = frame.astype(object).where(frame.notna(), self.na_text)
        with pd.option_context("display.max_rows", 60, "display.max_columns", 30, "display.width", 120):
            body = frame.to_string(index=False, na_rep=self.na_text) if len(frame.columns) else "(empty)"
        notes = "".join(f"\n{note}" for note in self._notes())
        return f"{self._title()}\n{body}{notes}"

    def _repr_html_(self) -> str:
        import html

        frame = self.to_frame()
        table = frame.to_html(index=False, border=0, classes="dataframe", na_rep="")
        notes = "".join(f"<p><small>{html.escape(n)}</small></p>" for n in self._notes())
        return f"<div><strong>{html.escape(self._title())}</strong>{table}{notes}</div>"
