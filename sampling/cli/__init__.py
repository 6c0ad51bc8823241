"""The ``sampling`` command: one module per command, thin over the Python API."""
from __future__ import annotations

from ._main import COMMANDS, FLAGS, build_parser, main

__all__ = ["main", "build_parser", "COMMANDS", "FLAGS"]
