"""Error types of inspection-sampling.

Every error the toolkit raises on bad input is a :class:`SamplingError` (itself a
``ValueError``), so callers can catch one type, and the CLI can print one line and exit
with status 2 instead of a traceback.  Each message names what was wrong: the argument
and its value, or the file, row, column and value.
"""
from __future__ import annotations

from typing import Any, Iterable, Sequence

__all__ = [
    "SamplingError",
    "ArgumentError",
    "DataError",
    "OutputError",
]


class SamplingError(ValueError):
    """Base class of every input error raised by inspection-sampling."""


class ArgumentError(SamplingError):
    """A function argument (or CLI option) has an invalid value.

    Attributes
    ----------
    argument : str
        The argument's name, e.g. ``"population"``.
    value : Any
        The value that was given.
    expected : str
        What would have been valid, in words.
    """

    def __init__(self, argument: str, value: Any, expected: str):
        self.argument = argument
        self.value = value
        self.expected = expected
        super().__init__(f"{argument}={value!r} is invalid: {expected}")

    def __reduce__(self):  # keep the error picklable (multiprocessing, notebooks)
        return (type(self), (self.argument, self.value, self.expected))


def _preview(items: Sequence[Any], limit: int = 10) -> str:
    items = list(items)
    shown = ", ".join(repr(i) for i in items[:limit])
    more = len(items) - limit
    return shown + (f", … ({more} more)" if more > 0 else "")


class DataError(SamplingError):
    """A table (frame, results, seed file) has bad content.

    Attributes
    ----------
    column : str or None
        The offending column, if one.
    rows : tuple
        Row labels (1-based data-row numbers for files, index labels for DataFrames).
    values : tuple
        The offending values, aligned with ``rows`` where that makes sense.
    hint : str or None
        A suggestion in Python's terms (keywords), e.g. how to say what an unknown category is.
    cli_hint : str or None
        The same suggestion in the command line's terms (flags); None when the hint names no
        keyword. The ``sampling`` command prints :meth:`cli_text`.
    """

    def __init__(
        self,
        message: str,
        *,
        column: str | None = None,
        rows: Iterable[Any] = (),
        values: Iterable[Any] = (),
        hint: str | None = None,
        cli_hint: str | None = None,
    ):
        self.column = column
        self.rows = tuple(rows)
        self.values = tuple(values)
        self.hint = hint
        self.cli_hint = cli_hint
        self.message = message
        super().__init__(self._text(hint))

    def _text(self, hint: str | None) -> str:
        parts = [self.message]
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        if self.rows:
            parts.append(f"rows {_preview(self.rows)}")
        if self.values:
            parts.append(f"values {_preview(self.values)}")
        text = "; ".join(parts)
        return text + (f". {hint}" if hint else "")

    def cli_text(self) -> str:
        """The message with the command line's form of the hint (flags, not keywords)."""
        return self._text(self.cli_hint if self.cli_hint is not None else self.hint)

    def in_file(self, where: str) -> "DataError":
        """The same error with ``where`` (e.g. "framework file 'x.toml'") in front, unless the
        message already names it."""
        if where in self.message:
            return self
        return type(self)(f"{where}: {self.message}", column=self.column, rows=self.rows,
                          values=self.values, hint=self.hint, cli_hint=self.cli_hint)

    def __reduce__(self):
        return (_rebuild_data_error, (type(self), self.message, self.column, self.rows,
                                      self.values, self.hint, self.cli_hint))


def _rebuild_data_error(cls, message, column, rows, values, hint, cli_hint=None):
    return cls(message, column=column, rows=rows, values=values, hint=hint, cli_hint=cli_hint)


class OutputError(SamplingError):
    """An output file or directory cannot be written. Nothing was half-written."""
