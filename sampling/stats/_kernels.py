"""A compiled index draw for the bootstrap, used when numba is installed (the optional extra
``fast``: ``pip install inspection-sampling[fast]``) and the work is large.

The numpy path (``_multinomial``) draws most counts by Poissonisation and inversion, which
saves random numbers but costs numpy passes over temporaries. Compiled, the plain index draw
is cheaper still: one 32-bit uniform per case drawn, Lemire's multiply-shift to a case of its
stratum, one increment of its unit's count — no temporaries, no ``np.add.at``. The counts
are Multinomial(m_h, c_u/n_h) exactly as on the numpy path, from a different random stream:
the same distribution, different seeded figures (``tests/test_kernels.py`` compares both
against each other within Monte Carlo error). The numpy path stays the default and the
reference.

numba loads in a few tenths of a second and its compiled code is cached on disk
(``cache=True``), so the kernel is used only where one bootstrap draws at least
:data:`MIN_DRAWS` cases (a national pool; never a single inspection).
``SAMPLING_KERNELS=numpy`` in the environment turns it off.
"""
from __future__ import annotations

import os

import numpy as np

__all__ = ["MIN_DRAWS", "use_kernels", "add_draws_grid"]

#: the draws per call (replicates × draws per replicate) from which numba pays for itself
MIN_DRAWS = 20_000_000

_LOADED: dict = {}


def _compile():
    import numba

    @numba.njit(cache=True, nogil=True)
    def add_draws_grid(Xf, lo, width, U, case_col, u):
        c, m = u.shape
        for r in range(c):
            base = r * U
            for i in range(m):
                j = lo[i] + np.int64((np.uint64(u[r, i]) * np.uint64(width[i])) >> np.uint64(32))
                Xf[case_col[j] + base] += np.float32(1)

    return {"add_draws_grid": add_draws_grid}


def use_kernels(draws: int) -> bool:
    """Whether a call drawing ``draws`` numbers uses the compiled kernels."""
    if draws < MIN_DRAWS or os.environ.get("SAMPLING_KERNELS", "").strip().lower() == "numpy":
        return False
    if "ok" not in _LOADED:
        try:
            _LOADED.update(_compile())
            _LOADED["ok"] = True
        except Exception:  # numba missing or unable to compile here: the numpy path
            _LOADED["ok"] = False
    return _LOADED["ok"]


def add_draws_grid(Xf, lo, width, U, case_col, u) -> bool:
    """Count the index draws ``u`` (c, m) into ``Xf``; False (nothing counted) where the
    kernel cannot compile here, which turns the kernels off for the rest of the session."""
    try:
        _LOADED["add_draws_grid"](Xf, lo, width, int(U), case_col, u)
    except Exception:  # a typing or compilation failure is raised before any count is written
        _LOADED["ok"] = False
        return False
    return True
