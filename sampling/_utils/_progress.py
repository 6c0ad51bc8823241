"""Progress lines on stderr for work a user waits on: one shared mechanism for every command.

``Progress("sampling draw")("reading the frame …")`` prints
``sampling draw [ 0.4s] reading the frame …`` to stderr, flushed, when it is on: by default
only when stderr is a terminal (so pipes, files and tests stay quiet), always off under
``--quiet``. ``sampling report`` turns it on whatever stderr is (its step lines are part of
its output, as before). A step that finishes in well under a second prints nothing more
than its one line.
"""
from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress", "quiet_progress"]


class Progress:
    """A callable that prints one timed step line per call (see the module's docstring)."""

    def __init__(self, prefix: str, *, quiet: bool = False, always: bool = False,
                 stream: TextIO | None = None):
        self.prefix = prefix
        self.stream = stream
        self.t0 = time.perf_counter()
        out = self._out()
        try:
            tty = bool(out.isatty())
        except (AttributeError, ValueError):
            tty = False
        self.on = not quiet and (always or tty)

    def _out(self) -> TextIO:
        return self.stream if self.stream is not None else sys.stderr

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def __call__(self, msg: str) -> None:
        if self.on:
            print(f"{self.prefix} [{self.elapsed():4.1f}s] {msg}", file=self._out(), flush=True)


def quiet_progress(_msg: str) -> None:
    """A progress callback that says nothing."""
