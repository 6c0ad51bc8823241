"""Standards, key questions and rating rules, as data.

An inspection *framework* lists standards and the key questions that rate them; the
*rating rules* say how a key question's % yes becomes a band, how a standard takes a band
from its key questions, and how standard scores add up to an overall rating.  Both are data:
rules load from a TOML file (``sampling/rules/hmip_adult.toml`` and ``hmip_youth.toml``
ship with the toolkit), and a framework from a TOML file or a folder of two CSV files
(the seed inspection's ``seeds/`` folder is one), so another inspectorate's scheme is a
file, not a code change.

The HM Inspectorate of Probation rules (adult providers):

* key question % yes: under 50 Inadequate, 50–64 Requires improvement, 65–79 Good,
  80 and over Outstanding — banded on the *published whole-number* percentage
  (4.1.3 in the seed: 35/54 = 64.8%, published 65%, standard rated Good);
* a standard takes the band of its lowest key question;
* the overall rating sums standard scores (Inadequate 0 … Outstanding 3) and bands the total
  (ten standards: 0–5, 6–15, 16–25, 26–30).
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from ._display import TableResult
from ._methods import ROUNDINGS
from .errors import ArgumentError, DataError

__all__ = [
    "RatingRules",
    "KeyQuestion",
    "Standard",
    "Framework",
    "load_rules",
    "load_framework",
    "available_rules",
]

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
        """Build rules from a parsed TOML document (see ``sampling/rules/*.toml``)."""
        try:
            kq, st, ov = doc["key_question"], doc["standard"], doc["overall"]
            return cls(
                name=str(doc.get("name", source)),
                short_name=str(doc.get("short_name", source)),
                labels=tuple(str(x) for x in doc["labels"]),
                kq_edges=tuple(float(x) for x in kq["edges"]),
                round_percent=bool(kq.get("round_percent", False)),
                rounding=str(kq.get("rounding", "half_up")) if kq.get("round_percent", False) else "none",
                standard_aggregate=str(st.get("aggregate", "min")),
                scores=tuple(int(x) for x in st["scores"]),
                overall_edges=tuple(int(x) for x in ov["edges"]),
                n_standards=int(ov["n_standards"]),
            )
        except KeyError as exc:
            raise DataError(f"{source}: missing rules entry {exc.args[0]!r} "
                            "(need labels, [key_question] edges, [standard] scores, "
                            "[overall] edges and n_standards)") from None
        except (TypeError, ValueError) as exc:
            if isinstance(exc, DataError):
                raise
            raise DataError(f"{source}: malformed rules ({exc})") from None

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
        out = []
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


def available_rules() -> list[str]:
    """Names of the rule files shipped with the toolkit (e.g. ``['hmip-adult', 'hmip-youth']``)."""
    names = []
    for entry in resources.files("sampling.rules").iterdir():
        if entry.name.endswith(".toml"):
            names.append(entry.name[:-5].replace("_", "-"))
    return sorted(names)


def load_rules(source: str | os.PathLike | Mapping[str, Any] | RatingRules = "hmip-adult") -> RatingRules:
    """Load rating rules: a shipped name (``"hmip-adult"``, ``"hmip-youth"``), a TOML path,
    a parsed mapping, or an existing :class:`RatingRules` (returned as is)."""
    if isinstance(source, RatingRules):
        return source
    if isinstance(source, Mapping):
        return RatingRules.from_mapping(source)
    text = str(source)
    if text in available_rules():
        ref = resources.files("sampling.rules").joinpath(text.replace("-", "_") + ".toml")
        with ref.open("rb") as fh:
            return RatingRules.from_mapping(tomllib.load(fh), source=text)
    path = Path(text)
    if not path.is_file():
        raise ArgumentError("rules", text, f"must be one of {available_rules()} or a TOML file that exists")
    try:
        with path.open("rb") as fh:
            doc = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"rules file {text!r} is not valid TOML ({exc})") from None
    return RatingRules.from_mapping(doc, source=text)


@dataclass(frozen=True)
class KeyQuestion:
    """One key question: id (e.g. ``"2.1.3"``), its standard, text, and whether its
    percentage is computed on a *relevant sub-sample* (only cases where it applies)."""

    id: str
    standard: str
    text: str = ""
    relevant_subsample: bool = False
    sample: str | None = None


@dataclass(frozen=True)
class Standard:
    """One standard: id, name, domain, the sample that rates it, and its key questions.

    A standard with no key questions is rated by judgement (domain one, organisational
    delivery, in HM Inspectorate of Probation's framework)."""

    id: str
    name: str
    domain: int | None = None
    sample: str | None = None
    description: str = ""
    key_questions: tuple[str, ...] = ()

    @property
    def rated_by(self) -> str:
        return "key questions" if self.key_questions else "judgement"


def _clean(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _as_bool(value: Any, *, column: str, row: Any) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    text = str(value).strip().casefold()
    if text in ("true", "yes", "y", "1", "1.0"):
        return True
    if text in ("false", "no", "n", "0", "0.0", "", "nan", "none"):
        return False
    raise DataError("expected true/false", column=column, rows=(row,), values=(value,))


@dataclass(frozen=True, repr=False)
class Framework(TableResult):
    """Standards, key questions and the rating rules that join them.

    Build one with :func:`load_framework` (a TOML file, a folder with ``standards.csv`` and
    ``key_questions.csv``, or ``None`` for the seed inspection) or
    :meth:`Framework.from_frames`.
    """

    name: str
    standards: tuple[Standard, ...]
    key_questions: tuple[KeyQuestion, ...]
    rules: RatingRules
    _kq_index: Mapping[str, int] = field(default=None, compare=False)  # type: ignore[assignment]

    def __post_init__(self):
        ids = [s.id for s in self.standards]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise DataError(f"framework {self.name!r}: standard ids repeat", column="standard", values=dup)
        kq_ids = [k.id for k in self.key_questions]
        dup = sorted({i for i in kq_ids if kq_ids.count(i) > 1})
        if dup:
            raise DataError(f"framework {self.name!r}: key question ids repeat", column="key_question",
                            values=dup)
        unknown = [k.id for k in self.key_questions if k.standard not in ids]
        if unknown:
            raise DataError(f"framework {self.name!r}: key questions name a standard that is not listed",
                            column="standard", values=unknown)
        object.__setattr__(self, "_kq_index", {k: i for i, k in enumerate(kq_ids)})

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_frames(cls, standards: pd.DataFrame, key_questions: pd.DataFrame,
                    rules: RatingRules | str = "hmip-adult", *, name: str = "framework") -> "Framework":
        """Build from two tables.

        ``standards`` needs ``standard`` and ``name`` (optional ``domain``, ``sample``,
        ``description``); ``key_questions`` needs ``key_question`` and ``standard``
        (optional ``text``, ``relevant_subsample``, ``sample``).
        """
        rules = load_rules(rules)
        for table, cols, what in ((standards, ("standard", "name"), "standards"),
                                  (key_questions, ("key_question", "standard"), "key_questions")):
            missing = [c for c in cols if c not in table.columns]
            if missing:
                raise DataError(f"{what} table is missing required columns", column=missing[0],
                                hint=f"Required: {', '.join(cols)}.")
        kqs = []
        for row, rec in key_questions.reset_index(drop=True).iterrows():
            kid = _clean(rec.get("key_question"))
            sid = _clean(rec.get("standard"))
            if kid is None or sid is None:
                raise DataError("key question row has a blank id or standard", rows=(row + 1,))
            kqs.append(KeyQuestion(
                id=str(kid).strip(), standard=str(sid).strip(),
                text=str(_clean(rec.get("text")) or ""),
                relevant_subsample=_as_bool(_clean(rec.get("relevant_subsample")) or False,
                                            column="relevant_subsample", row=row + 1),
                sample=_clean(rec.get("sample")),
            ))
        sts = []
        for row, rec in standards.reset_index(drop=True).iterrows():
            sid = _clean(rec.get("standard"))
            if sid is None:
                raise DataError("standard row has a blank id", column="standard", rows=(row + 1,))
            sid = str(sid).strip()
            domain = _clean(rec.get("domain"))
            sts.append(Standard(
                id=sid, name=str(_clean(rec.get("name")) or sid),
                domain=int(domain) if domain is not None else None,
                sample=_clean(rec.get("sample")),
                description=str(_clean(rec.get("description")) or ""),
                key_questions=tuple(k.id for k in kqs if k.standard == sid),
            ))
        return cls(name=name, standards=tuple(sts), key_questions=tuple(kqs), rules=rules)

    # ------------------------------------------------------------------ lookups
    @property
    def key_question_ids(self) -> tuple[str, ...]:
        return tuple(k.id for k in self.key_questions)

    @property
    def standard_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.standards)

    def key_question(self, kq_id: str) -> KeyQuestion:
        try:
            return self.key_questions[self._kq_index[str(kq_id)]]
        except KeyError:
            raise DataError(f"unknown key question {kq_id!r}", column="key_question", values=(kq_id,),
                            hint=f"Known: {', '.join(self.key_question_ids)}.") from None

    def standard(self, standard_id: str) -> Standard:
        for s in self.standards:
            if s.id == str(standard_id):
                return s
        raise DataError(f"unknown standard {standard_id!r}", column="standard", values=(standard_id,),
                        hint=f"Known: {', '.join(self.standard_ids)}.")

    def check_key_questions(self, ids: Iterable[Any], *, where: str = "results") -> None:
        """Raise DataError listing any id that is not a key question of this framework."""
        unknown = [i for i in ids if str(i) not in self._kq_index]
        if unknown:
            raise DataError(f"{where} names key questions that the framework {self.name!r} does not have",
                            column="key_question", values=unknown,
                            hint=f"Known: {', '.join(self.key_question_ids)}.")

    # ------------------------------------------------------------------ tables
    def to_frame(self) -> pd.DataFrame:
        """One row per key question: standard, standard name, key question, sub-sample, text."""
        names = {s.id: s.name for s in self.standards}
        return pd.DataFrame(
            [{"standard": k.standard, "standard_name": names[k.standard], "key_question": k.id,
              "sample": k.sample, "relevant_subsample": k.relevant_subsample, "text": k.text}
             for k in self.key_questions],
            columns=["standard", "standard_name", "key_question", "sample", "relevant_subsample", "text"],
        )

    def standards_frame(self) -> pd.DataFrame:
        """One row per standard: id, name, domain, sample, rated by, number of key questions."""
        return pd.DataFrame(
            [{"standard": s.id, "name": s.name, "domain": s.domain, "sample": s.sample,
              "rated_by": s.rated_by, "key_questions": len(s.key_questions)} for s in self.standards],
            columns=["standard", "name", "domain", "sample", "rated_by", "key_questions"],
        )

    def _title(self) -> str:
        return (f"Framework {self.name!r}: {len(self.standards)} standards, "
                f"{len(self.key_questions)} key questions, rules {self.rules.short_name!r}")


def _framework_from_toml(path: Path, rules: Any) -> Framework:
    try:
        with path.open("rb") as fh:
            doc = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"framework file {str(path)!r} is not valid TOML ({exc})") from None
    standards = pd.DataFrame(doc.get("standards", []))
    kqs = pd.DataFrame(doc.get("key_questions", []))
    if "id" in standards.columns and "standard" not in standards.columns:
        standards = standards.rename(columns={"id": "standard"})
    if "id" in kqs.columns and "key_question" not in kqs.columns:
        kqs = kqs.rename(columns={"id": "key_question"})
    rules = rules if rules is not None else doc.get("rules", "hmip-adult")
    if isinstance(rules, str) and not rules in available_rules():
        candidate = path.parent / rules
        rules = candidate if candidate.is_file() else rules
    return Framework.from_frames(standards, kqs, rules, name=str(doc.get("name", path.stem)))


def _build_seed_framework(rules: Any) -> Framework:
    from .examples import seed_tables

    seed = seed_tables()
    name = seed.inspection["inspection"]["short_name"]
    return Framework.from_frames(seed.standards, seed.key_questions,
                                 rules if rules is not None else seed.inspection["inspection"]["rules"],
                                 name=name)


@lru_cache(maxsize=16)
def _seed_framework(rules: RatingRules | str | None) -> Framework:
    """The seed framework, built once per rules value (None, shipped rules name or RatingRules)."""
    return _build_seed_framework(rules)


def load_framework(source: str | os.PathLike | None = None, *, rules: Any = None) -> Framework:
    """Load a framework.

    Parameters
    ----------
    source : path or None
        ``None``: the seed inspection's framework (HM Inspectorate of Probation, adult
        provider: ten standards, 19 key questions). A folder: its ``standards.csv`` and
        ``key_questions.csv`` (the layout of ``seeds/``); an ``inspection.toml`` there may
        name the rules. A ``.toml`` file: arrays ``[[standards]]`` (``id``, ``name``,
        ``domain``, ``sample``) and ``[[key_questions]]`` (``id``, ``standard``, ``text``,
        ``relevant_subsample``), with ``rules = "hmip-adult"`` or a rules file path.
    rules : optional
        Overrides the rules the source names (see :func:`load_rules`).
    """
    if source is None:
        if rules is None or isinstance(rules, RatingRules) or (
                isinstance(rules, str) and rules in available_rules()):
            return _seed_framework(rules)  # memoised: a Framework is frozen, so sharing is safe
        return _build_seed_framework(rules)
    path = Path(source)
    if path.is_dir():
        st, kq = path / "standards.csv", path / "key_questions.csv"
        if not (st.is_file() and kq.is_file()):
            raise ArgumentError("framework", str(source),
                                "a framework folder needs standards.csv and key_questions.csv")
        doc_rules = "hmip-adult"
        meta = path / "inspection.toml"
        if meta.is_file():
            with meta.open("rb") as fh:
                doc_rules = tomllib.load(fh).get("inspection", {}).get("rules", doc_rules)
        return Framework.from_frames(pd.read_csv(st, dtype=str, keep_default_na=False),
                                     pd.read_csv(kq, dtype=str, keep_default_na=False),
                                     rules if rules is not None else doc_rules, name=path.name)
    if path.is_file() and path.suffix.lower() == ".toml":
        return _framework_from_toml(path, rules)
    raise ArgumentError("framework", str(source), "must be a .toml file or a folder with standards.csv "
                        "and key_questions.csv, and must exist")
