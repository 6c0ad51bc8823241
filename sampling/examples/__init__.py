"""The built-in seed inspection and synthetic data: the only place the seed is known.

Used by the command line (``--example``), the notebooks and the tests; the seed's figures
live as data in ``seeds/`` beside this file, never retyped in code."""
from __future__ import annotations

from ._examples import (SYNTHETIC_OFFICES, SYNTHETIC_SHARES, SeedTables, seed_inspection, seed_tables,
                        synthetic_frame, synthetic_results)

__all__ = ["SeedTables", "seed_tables", "synthetic_frame", "seed_inspection", "synthetic_results",
           "SYNTHETIC_OFFICES", "SYNTHETIC_SHARES"]
