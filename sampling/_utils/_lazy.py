"""Lazy re-exports: a package's public names imported from their private modules on first use
(PEP 562 module ``__getattr__``), so importing the package stays light."""
from __future__ import annotations

import importlib
from typing import Any, Mapping

__all__ = ["load_export"]


def load_export(package: str, exports: Mapping[str, str], name: str, namespace: dict) -> Any:
    """The public ``name`` of ``package`` from its module ``exports[name]`` (relative to the
    package), cached in the package's ``namespace``; AttributeError for an unknown name."""
    module = exports.get(name)
    if module is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", package), name)
    namespace[name] = value
    return value
