"""Type aliases for the public API's arguments, so signatures say what they accept.

Each alias names what a validator (``_utils._checks``) turns into one canonical value: a seed
into a Generator, a population into {sample: N}. The validators themselves take ``Any``, since
checking an arbitrary value is their job.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:  # the aliases are strings at run time: importing them costs nothing
    import os
    from typing import Mapping

    import numpy as np
    import numpy.typing as npt
    import pandas as pd

__all__ = ["SeedLike", "PopulationLike", "PathLike", "FrameSource", "ArrayLike", "Limits"]

#: A seed (a whole number), a numpy ``SeedSequence`` or ``Generator``, or None for fresh
#: entropy (not reproducible): what every random operation's ``rng=`` accepts.
SeedLike: TypeAlias = "int | np.integer | np.random.Generator | np.random.SeedSequence | None"

#: A population N for every sample, {sample: N} (None removing a sample's N), or None for
#: the populations the results already carry.
PopulationLike: TypeAlias = "int | Mapping[str, int | None] | None"

#: A file's path as a string or a path object.
PathLike: TypeAlias = "str | os.PathLike[str]"

#: A table given as a DataFrame or as the path of a CSV or Excel file.
FrameSource: TypeAlias = "pd.DataFrame | str | os.PathLike[str]"

#: A number or an array of numbers (numpy's ArrayLike): counts, sizes, percentages.
ArrayLike: TypeAlias = "npt.ArrayLike"

#: (low, high) limits: floats for scalar input, arrays of the input's shape otherwise.
Limits: TypeAlias = "tuple[float | np.ndarray, float | np.ndarray]"
