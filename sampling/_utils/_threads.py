"""One BLAS thread around the engine's small products.

The bootstrap's products (replicate counts × pattern matrix, a few hundred rows at a time)
are far too small for BLAS threads to pay: on a loaded machine its default threads turned
the same stratified ``rate()`` from about 0.2 s into up to 0.9 s. threadpoolctl limits the
BLAS numpy uses for the duration (its controller is built once, ~1 ms); without it the
products run as before. The results do not depend on the thread count.
"""
from __future__ import annotations

import contextlib
from typing import Any

__all__ = ["one_blas_thread"]

_CONTROLLER: list[Any] = []  # a threadpoolctl ThreadpoolController (untyped) or None


def one_blas_thread() -> contextlib.AbstractContextManager[Any]:
    """A context manager limiting BLAS to one thread (a no-op without threadpoolctl)."""
    if not _CONTROLLER:
        try:
            from threadpoolctl import ThreadpoolController

            _CONTROLLER.append(ThreadpoolController())
        except Exception:  # not installed, or an unknown BLAS: leave the threads alone
            _CONTROLLER.append(None)
    controller = _CONTROLLER[0]
    if controller is None:
        return contextlib.nullcontext()
    return controller.limit(limits=1, user_api="blas")
