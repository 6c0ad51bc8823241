"""Rating rules, as data: how a key question's % yes becomes a band, how a standard takes a
band from its key questions, and how standard scores add up to an overall rating.

The rules of each shipped framework are the ``[rules]`` table of its file in
``sampling/frameworks/`` (``hmip_adult.toml``, ``hmip_youth.toml``); another inspectorate's
scheme is a TOML file, not a code change.

The HM Inspectorate of Probation rules (adult providers):

* key question % yes: under 50 Inadequate, 50–64 Requires improvement, 65–79 Good,
  80 and over Outstanding — banded on the *published whole-number* percentage
  (35/54 = 64.8% is published as 65% and banded Good);
* a standard takes the band of its lowest key question;
* the overall rating sums standard scores (Inadequate 0 … Outstanding 3) and bands the total
  (ten standards: 0–5, 6–15, 16–25, 26–30).
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .._utils._methods import ROUNDINGS
from ..errors import ArgumentError, DataError

__all__ = ["RatingRules", "load_rules", "available_rules", "shipped_document"]

_AGGREGATES = ("min",)
# Guards half-up rounding against binary floating error (100 * 29 / 58 is exactly 50, but
# 100 * x / n computed in floating point can land a hair below a true .5).
_ROUND_EPS = 1e-9


@dataclass(frozen=True)
class RatingRules:
    """How percentages become bands, bands become standard ratings, and those an overall.

    Attributes
    ----------
    name, short_name : str
        Human name and the identifier used by :func:`load_rules`.
    labels : tuple of str
        Band labels from worst to best.
    kq_edges : tuple of float
        Lower edges (in % yes) of every band after the first.
    round_percent : bool
        Whether a key question's percentage is rounded to a whole number before banding.
    rounding : {"half_up", "half_even", "none"}
        How it is rounded (the inspectorate rounds half up: 64.5 → 65).
    standard_aggregate : {"min"}
        How a standard's band is taken from its key questions' bands.
    scores : tuple of int
        The score of each label, in label order, summed for the overall rating.
    overall_edges : tuple of int
        Lower edges of the total-score bands after the first.
    n_standards : int
        How many standards the overall rating sums.
    """

    name: str
    short_name: str
    labels: tuple[str, ...]
    kq_edges: tuple[float, ...]
    round_percent: bool
    rounding: str
    standard_aggregate: str
    scores: tuple[int, ...]
    overall_edges: tuple[int, ...]
    n_standards: int

    def __post_init__(self):
        k = len(self.labels)
        if k < 2 or len(set(self.labels)) != k:
            raise DataError(f"rules {self.short_name!r}: labels must be two or more distinct names",
                            values=self.labels)
        if len(self.kq_edges) != k - 1 or list(self.kq_edges) != sorted(set(self.kq_edges)):
            raise DataError(f"rules {self.short_name!r}: key_question.edges must be {k - 1} increasing "
                            "percentages (one per band after the first)", values=self.kq_edges)
        if not all(0 < e <= 100 for e in self.kq_edges):
            raise DataError(f"rules {self.short_name!r}: key_question.edges must lie in (0, 100]",
                            values=self.kq_edges)
        if len(self.scores) != k:
            raise DataError(f"rules {self.short_name!r}: standard.scores needs one score per label",
                            values=self.scores)
        if len(self.overall_edges) != k - 1 or list(self.overall_edges) != sorted(set(self.overall_edges)):
            raise DataError(f"rules {self.short_name!r}: overall.edges must be {k - 1} increasing totals",
                            values=self.overall_edges)
        if self.rounding not in ROUNDINGS:
            raise DataError(f"rules {self.short_name!r}: key_question.rounding must be one of {ROUNDINGS}",
                            values=(self.rounding,))
        if self.standard_aggregate not in _AGGREGATES:
            raise DataError(f"rules {self.short_name!r}: standard.aggregate must be one of {_AGGREGATES}",
                            values=(self.standard_aggregate,))
        if self.n_standards < 1:
            raise DataError(f"rules {self.short_name!r}: overall.n_standards must be ≥ 1",
                            values=(self.n_standards,))

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_mapping(cls, doc: Mapping[str, Any], *, source: str = "rules") -> "RatingRules":
        """Build rules from a parsed TOML document (the ``[rules]`` table of
        ``sampling/frameworks/*.toml``), read strictly: a number must be a number (a score
        of 1.9 or a boolean spelt "false" is an error naming the key, never coerced)."""
        kq, st, ov = (_section(doc, name, source) for name in ("key_question", "standard", "overall"))
        round_percent = _typed(kq, "round_percent", bool, "true or false", source, default=False,
                               where="key_question")
        return cls(
            name=_typed(doc, "name", str, "text", source, default=source),
            short_name=_typed(doc, "short_name", str, "text", source, default=source),
            labels=tuple(_typed_list(doc, "labels", str, "names", source)),
            kq_edges=tuple(float(x) for x in _typed_list(kq, "edges", (int, float), "numbers", source,
                                                         where="key_question")),
            round_percent=round_percent,
            rounding=(_typed(kq, "rounding", str, "text", source, default="half_up", where="key_question")
                      if round_percent else "none"),
            standard_aggregate=_typed(st, "aggregate", str, "text", source, default="min", where="standard"),
            scores=tuple(_typed_list(st, "scores", int, "whole numbers", source, where="standard")),
            overall_edges=tuple(_typed_list(ov, "edges", int, "whole numbers", source, where="overall")),
            n_standards=_typed(ov, "n_standards", int, "a whole number", source, where="overall"),
        )

    def to_dict(self) -> dict:
        """The rules as a TOML-shaped dict (round-trips through :meth:`from_mapping`)."""
        return {
            "name": self.name,
            "short_name": self.short_name,
            "labels": list(self.labels),
            "key_question": {"edges": list(self.kq_edges), "round_percent": self.round_percent,
                             "rounding": self.rounding},
            "standard": {"aggregate": self.standard_aggregate, "scores": list(self.scores)},
            "overall": {"n_standards": self.n_standards, "edges": list(self.overall_edges)},
        }

    # ------------------------------------------------------------------ key questions
    def published_percent(self, percent) -> np.ndarray:
        """The percentage as the rules band it: rounded to a whole number if the rules say so.

        Vectorised; NaN stays NaN.
        """
        x = np.asarray(percent, dtype=float)
        if not self.round_percent or self.rounding == "none":
            return x.copy()
        if self.rounding == "half_up":
            return np.floor(x + 0.5 + _ROUND_EPS)
        return np.round(x)  # half_even

    def kq_band(self, percent) -> np.ndarray:
        """Band index (0 = worst) of each key-question percentage, after the rules' rounding.

        Returns an int array shaped like ``percent`` (−1 where ``percent`` is NaN).
        """
        x = self.published_percent(percent)
        bands = np.zeros(x.shape, dtype=int)
        for edge in self.kq_edges:  # the number of edges at or below x (NaN passes none)
            bands += x >= edge
        return np.where(np.isnan(x), -1, bands)

    @property
    def effective_edges(self) -> np.ndarray:
        """Where each band starts on the *unrounded* percentage scale.

        With half-up rounding to whole numbers an edge of 65 starts at 64.5; without rounding
        it starts at 65.
        """
        edges = np.asarray(self.kq_edges, dtype=float)
        if self.round_percent and self.rounding != "none":
            return edges - 0.5
        return edges

    def boundaries_inside(self, low, high) -> list[tuple[float, ...]]:
        """For each interval [low, high] (in %), the band edges that fall inside it.

        An edge counts as inside when its effective start (:attr:`effective_edges`) lies in
        [low, high], i.e. when the interval holds percentages that would be banded on both
        sides of it. Returns one tuple of nominal edges (e.g. ``(65.0,)``) per interval.
        """
        lo = np.atleast_1d(np.asarray(low, dtype=float))
        hi = np.atleast_1d(np.asarray(high, dtype=float))
        eff = self.effective_edges
        out: list[tuple[float, ...]] = []
        for a, b in zip(lo, hi):
            if np.isnan(a) or np.isnan(b):
                out.append(())
                continue
            out.append(tuple(float(e) for e, f in zip(self.kq_edges, eff) if a <= f <= b))
        return out

    # ------------------------------------------------------------------ standards and overall
    def label(self, band) -> str | np.ndarray:
        """Label of a band index (scalar → str; array → object array; −1 → None)."""
        labels = np.asarray(list(self.labels) + [None], dtype=object)
        b = np.asarray(band)
        index = np.where(b < 0, len(self.labels), b)
        if index.ndim == 0:
            return labels[int(index)]
        return labels[index]

    def band_of(self, label: str) -> int:
        """Band index of a label (case-insensitive); raises DataError for an unknown label."""
        for i, name in enumerate(self.labels):
            if str(label).strip().casefold() == name.casefold():
                return i
        raise DataError(f"unknown rating {label!r} for rules {self.short_name!r}",
                        values=(label,), hint=f"Use one of: {', '.join(self.labels)}.")

    def standard_band(self, kq_bands, axis: int = -1) -> np.ndarray:
        """A standard's band from its key questions' bands (the lowest, for ``"min"``).

        A band of −1 (no data for that question, e.g. in a bootstrap replicate) is ignored;
        the result is −1 where every band is −1.
        """
        big = np.iinfo(np.int64).max
        b = np.asarray(kq_bands)
        out = np.where(b < 0, big, b).min(axis=axis)
        return np.where(out == big, -1, out).astype(int)[()]

    def score(self, band) -> np.ndarray:
        """Score of each band index (vectorised)."""
        return np.asarray(self.scores)[np.asarray(band)]

    def overall_band(self, total) -> np.ndarray:
        """Band index of each total score."""
        return np.searchsorted(np.asarray(self.overall_edges), np.asarray(total), side="right")

    @property
    def max_total(self) -> int:
        return max(self.scores) * self.n_standards

    def overall_ranges(self) -> pd.DataFrame:
        """The overall bands as a table: label, lowest and highest total score."""
        lows = [0, *self.overall_edges]
        highs = [e - 1 for e in self.overall_edges] + [self.max_total]
        return pd.DataFrame({"rating": list(self.labels), "score_from": lows, "score_to": highs})

    def kq_ranges(self) -> pd.DataFrame:
        """The key-question bands as a table: label, % from, % below."""
        lows = [0.0, *self.kq_edges]
        highs = [*self.kq_edges, 100.0]
        return pd.DataFrame({"rating": list(self.labels), "percent_from": lows, "percent_below": highs})


_SECTION_KEYS = {"key_question": {"edges", "round_percent", "rounding"},
                 "standard": {"aggregate", "scores"}, "overall": {"edges", "n_standards"}}
_MISSING = object()


def _section(doc: Mapping[str, Any], name: str, source: str) -> Mapping[str, Any]:
    """The ``[name]`` table of a rules document: present, a table, and without unknown keys."""
    table = doc.get(name, _MISSING)
    if table is _MISSING:
        raise DataError(f"{source}: missing rules entry {name!r}: a [{name}] table (need labels, [key_question] edges, "
                        "[standard] scores, [overall] edges and n_standards)")
    if not isinstance(table, Mapping):
        raise DataError(f"{source}: {name} must be a table ([{name}] with its keys), not a value",
                        values=(table,))
    unknown = sorted(set(table) - _SECTION_KEYS[name])
    if unknown:
        raise DataError(f"{source}: unknown key(s) in [{name}]: {', '.join(unknown)} "
                        f"(known: {', '.join(sorted(_SECTION_KEYS[name]))})", values=tuple(unknown))
    return table


def _is(value: Any, kind: Any) -> bool:
    if isinstance(value, bool):
        return kind is bool
    if kind is int and isinstance(value, float):
        return False
    return isinstance(value, kind)


def _typed(table: Mapping[str, Any], key: str, kind: Any, what: str, source: str, *,
           default: Any = _MISSING, where: str = "") -> Any:
    value = table.get(key, default)
    name = f"{where}.{key}" if where else key
    if value is _MISSING:
        raise DataError(f"{source}: missing rules entry {name!r}")
    if not _is(value, kind):
        raise DataError(f"{source}: {name} must be {what} (TOML without quotes), got {value!r}", values=(value,))
    return value


def _typed_list(table: Mapping[str, Any], key: str, kind: Any, what: str, source: str, *,
                where: str = "") -> list:
    values = _typed(table, key, list, f"a list of {what}", source, where=where)
    bad = [v for v in values if not _is(v, kind)]
    if bad:
        name = f"{where}.{key}" if where else key
        raise DataError(f"{source}: {name} must be a list of {what}, got {values!r}", values=tuple(bad))
    return values


def available_rules() -> list[str]:
    """Names of the frameworks (and so rule sets) shipped with the toolkit.

    Returns
    -------
    list of str
        e.g. ``['hmip-adult', 'hmip-youth']``.

    >>> available_rules()
    ['hmip-adult', 'hmip-youth']
    """
    return sorted(entry.name[:-5].replace("_", "-")
                  for entry in resources.files("sampling.design.frameworks").iterdir()
                  if entry.name.endswith(".toml"))


def shipped_document(name: str) -> dict:
    """The parsed TOML document of a shipped framework (``"hmip-adult"``, ``"hmip-youth"``).

    Parameters
    ----------
    name : str
        One of :func:`available_rules`.

    Returns
    -------
    dict
        The whole document: metadata, ``rules``, ``samples``, ``standards``, ``key_questions``.
    """
    if name not in available_rules():
        raise ArgumentError("framework", name, f"must be one of {available_rules()} or a file that exists")
    ref = resources.files("sampling.design.frameworks").joinpath(name.replace("-", "_") + ".toml")
    with ref.open("rb") as fh:
        return tomllib.load(fh)


def read_toml(path: Path, what: str) -> dict:
    """A TOML file parsed, or :class:`DataError` naming the file."""
    try:
        text = path.read_bytes().decode("utf-8-sig")  # a byte-order mark (Notepad's UTF-8) is accepted
    except UnicodeDecodeError as exc:
        raise DataError(f"{what} file {str(path)!r} is not UTF-8 text (byte {exc.start + 1} cannot be read): "
                        "save it as UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"{what} file {str(path)!r} is not valid TOML ({exc})") from None


def load_rules(source: str | os.PathLike | Mapping[str, Any] | RatingRules = "hmip-adult") -> RatingRules:
    """Load rating rules.

    Parameters
    ----------
    source : str, path, mapping or RatingRules
        A shipped framework's name (``"hmip-adult"``, ``"hmip-youth"``: its ``[rules]``
        table), a TOML file (the rules at its top level or in a ``[rules]`` table), a parsed
        mapping, or an existing :class:`RatingRules` (returned as is).

    Returns
    -------
    RatingRules

    >>> load_rules("hmip-youth").n_standards
    12

    Examples
    --------
    >>> import sampling
    >>> rules = sampling.load_rules("hmip-adult")
    >>> rules.labels
    ('Inadequate', 'Requires improvement', 'Good', 'Outstanding')
    """
    if isinstance(source, RatingRules):
        return source
    if isinstance(source, Mapping):
        return RatingRules.from_mapping(source.get("rules", source))
    text = str(source)
    if text in available_rules():
        return RatingRules.from_mapping(shipped_document(text)["rules"], source=text)
    path = Path(text)
    if not path.is_file():
        raise ArgumentError("rules", text, f"must be one of {available_rules()} or a TOML file that exists")
    doc = read_toml(path, "rules")
    return RatingRules.from_mapping(doc["rules"] if isinstance(doc.get("rules"), Mapping) else doc,
                                    source=text)
