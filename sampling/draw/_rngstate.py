"""A draw's random generator state: recorded in the manifest as JSON and restored from it,
so a draw can be repeated exactly (``verify``, ``substitute``)."""
from __future__ import annotations

import json
from typing import Any, Mapping

import numpy as np

from ..errors import DataError

__all__ = ["generator_from_state", "jsonable_state", "restore_state"]


def generator_from_state(state: Mapping[str, Any]) -> np.random.Generator:
    """A generator at the recorded ``state`` (its ``bit_generator`` named, e.g. PCG64)."""
    name = state["bit_generator"]
    bitgen_cls = getattr(np.random, name, None)
    if bitgen_cls is None:
        raise DataError(f"unknown numpy bit generator {name!r} in the manifest")
    bitgen = bitgen_cls()
    bitgen.state = state
    return np.random.Generator(bitgen)


def jsonable_state(state: Mapping[str, Any]) -> dict:
    """A bit generator's state as plain JSON-able values (arrays as lists)."""
    def conv(v):
        if isinstance(v, Mapping):
            return {k: conv(x) for k, x in v.items()}
        if isinstance(v, np.ndarray):
            return v.tolist()
        if isinstance(v, np.generic):
            return v.item()
        return v
    return conv(state)


def restore_state(state: Mapping[str, Any]) -> dict:
    """Undo JSON round-tripping (MT19937 keeps its key as an array)."""
    state = json.loads(json.dumps(state)) if not isinstance(state, dict) else dict(state)
    inner = state.get("state")
    if isinstance(inner, dict) and isinstance(inner.get("key"), list):
        inner = dict(inner)
        inner["key"] = np.asarray(inner["key"], dtype=np.uint32)
        state["state"] = inner
    return state
