"""The ``sampling`` command: one module per command, thin over the Python API."""
from __future__ import annotations

from typing import Any

from ._main import FLAGS, build_parser, main

__all__ = ["main", "build_parser", "COMMANDS", "FLAGS"]


def __getattr__(name: str) -> Any:
    """``COMMANDS`` (which imports every command's module) only when asked for."""
    if name == "COMMANDS":
        from . import _main

        return _main.COMMANDS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
