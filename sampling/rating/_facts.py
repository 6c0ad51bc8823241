"""The facts the rating arithmetic (:mod:`sampling.rating._ratings`) hands on, as small frozen
dataclasses, so the steps of ``rate()`` and its sentences (:mod:`sampling.rating._wording`)
pass typed objects, not string-keyed dicts."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["KeyQuestionArrays", "StandardFacts"]


@dataclass(frozen=True)
class KeyQuestionArrays:
    """Per key question (rows of the results' summary): what the standards are rated from.

    Attributes
    ----------
    ids : tuple of str
        Key-question ids.
    percent : ndarray
        The sample's own percentage.
    band : ndarray of int
        The band of the published (banded) percentage.
    low, high : ndarray
        The interval ends (points).
    inside : tuple of tuple of float
        The band edges inside each interval.
    """

    ids: tuple[str, ...]
    percent: np.ndarray
    band: np.ndarray
    low: np.ndarray
    high: np.ndarray
    inside: tuple[tuple[float, ...], ...]


@dataclass(frozen=True)
class StandardFacts:
    """What decides a key-question-rated standard's rating and its flag.

    Attributes
    ----------
    drive : str
        The deciding key question (lowest band, then lowest %).
    drive_index : int
        Its row.
    rule : int
        The band of the rule rating.
    modal : int
        The most probable band over the replicates.
    probs : ndarray
        P(each band) over the replicates.
    dropped : int
        Replicates without a band (no applicable case), left out.
    edges_inside : tuple of float
        Band edges inside the deciding question's interval.
    low, high : float
        The deciding question's interval.
    low_probability : bool
        The modal band's probability is below the threshold.
    others_below : tuple of str
        Other key questions whose interval reaches below the rating's lower edge.
    lower_edge : float or None
        That edge (None for the lowest band).
    """

    drive: str
    drive_index: int
    rule: int
    modal: int
    probs: np.ndarray
    dropped: int
    edges_inside: tuple[float, ...]
    low: float
    high: float
    low_probability: bool
    others_below: tuple[str, ...] = ()
    lower_edge: float | None = None
