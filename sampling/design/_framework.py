"""Inspection frameworks, as data: standards, the key questions that rate them, the samples
that serve them, and the rating rules that join them.

The inspectorate's frameworks ship as package data in ``sampling/frameworks/``:
``hmip-adult`` (adult probation providers: ten standards, 19 key questions, three samples)
and ``hmip-youth`` (youth offending services: twelve standards, 21 key questions). Any
inspection names one; another framework is a TOML file of the same shape, or a folder
with ``standards.csv`` and ``key_questions.csv``. No framework belongs to a provider: an
inspection's own figures (sample sizes, populations, published ratings) live with the
inspection, never here.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

import pandas as pd

from .._utils._checks import as_bool
from .._utils._display import TableResult
from .._utils._format import is_missing
from ._rules import RatingRules, available_rules, load_rules, read_toml, shipped_document
from ..errors import ArgumentError, DataError

__all__ = [
    "KeyQuestion",
    "Standard",
    "SampleDefinition",
    "Framework",
    "load_framework",
    "available_frameworks",
]


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
    delivery, in HM Inspectorate of Probation's frameworks)."""

    id: str
    name: str
    domain: int | None = None
    sample: str | None = None
    description: str = ""
    key_questions: tuple[str, ...] = ()

    @property
    def rated_by(self) -> str:
        """``"key questions"`` or ``"judgement"``."""
        return "key questions" if self.key_questions else "judgement"


@dataclass(frozen=True)
class SampleDefinition:
    """One case sample a framework's inspections draw: its name, label, the standards it
    rates, the stratification variables and the eligibility wording."""

    name: str
    label: str = ""
    standards: tuple[str, ...] = ()
    strata: tuple[str, ...] = ()
    eligibility: str = ""


def _clean(value: Any) -> Any:
    if is_missing(value) or (isinstance(value, str) and not value.strip()):
        return None
    return value


def _domain(value: Any, row: int) -> int | None:
    """A standard's domain: a whole number (an int, or text such as "2"), read strictly."""
    value = _clean(value)
    if value is None:
        return None
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise DataError("domain must be a whole number", column="domain", rows=(row,), values=(value,))
    try:
        return int(str(value).strip()) if isinstance(value, str) else int(value)
    except ValueError:
        raise DataError("domain must be a whole number", column="domain", rows=(row,),
                        values=(value,)) from None


def _key_questions(table: pd.DataFrame) -> tuple[KeyQuestion, ...]:
    out = []
    for row, rec in enumerate(table.to_dict("records"), start=1):
        kid, sid = _clean(rec.get("key_question")), _clean(rec.get("standard"))
        if kid is None or sid is None:
            raise DataError("key question row has a blank id or standard", rows=(row,))
        out.append(KeyQuestion(
            id=str(kid).strip(), standard=str(sid).strip(), text=str(_clean(rec.get("text")) or ""),
            relevant_subsample=as_bool(_clean(rec.get("relevant_subsample")) or False,
                                       column="relevant_subsample", row=row),
            sample=_clean(rec.get("sample")),
        ))
    return tuple(out)


def _standards(table: pd.DataFrame, kqs: tuple[KeyQuestion, ...]) -> tuple[Standard, ...]:
    out = []
    for row, rec in enumerate(table.to_dict("records"), start=1):
        sid = _clean(rec.get("standard"))
        if sid is None:
            raise DataError("standard row has a blank id", column="standard", rows=(row,))
        sid = str(sid).strip()
        out.append(Standard(
            id=sid, name=str(_clean(rec.get("name")) or sid), domain=_domain(rec.get("domain"), row),
            sample=_clean(rec.get("sample")), description=str(_clean(rec.get("description")) or ""),
            key_questions=tuple(k.id for k in kqs if k.standard == sid),
        ))
    return tuple(out)


def _samples(doc: Mapping[str, Any] | None) -> tuple[SampleDefinition, ...]:
    if not doc:
        return ()
    if not isinstance(doc, Mapping):
        raise DataError("framework: [samples] must be a table of sample tables", values=(type(doc).__name__,))
    return tuple(SampleDefinition(
        name=str(name), label=str(s.get("label", name)),
        standards=tuple(str(x) for x in s.get("standards", ())),
        strata=tuple(str(x) for x in s.get("strata", ())),
        eligibility=str(s.get("eligibility", "")),
    ) for name, s in doc.items())


@dataclass(frozen=True, repr=False)
class Framework(TableResult):
    """Standards, key questions, samples and the rating rules that join them.

    Build one with :func:`load_framework` (a shipped name such as ``"hmip-adult"``, a TOML
    file, or a folder with ``standards.csv`` and ``key_questions.csv``) or
    :meth:`Framework.from_frames`.

    Attributes
    ----------
    name : str
        The framework's name (the inspectorate's, never a provider's).
    standards, key_questions : tuple
        :class:`Standard` and :class:`KeyQuestion` records, in framework order.
    rules : RatingRules
        How percentages become bands and bands ratings.
    samples : tuple of SampleDefinition
        The case samples the framework's inspections draw (may be empty).
    short_name : str or None
        The identifier a shipped framework is loaded by.
    """

    name: str
    standards: tuple[Standard, ...]
    key_questions: tuple[KeyQuestion, ...]
    rules: RatingRules
    samples: tuple[SampleDefinition, ...] = ()
    short_name: str | None = None
    _kq_index: Mapping[str, int] = field(default=None, compare=False)  # type: ignore[arg-type]  # filled in by __post_init__

    def __post_init__(self):
        ids = [s.id for s in self.standards]
        kq_ids = [k.id for k in self.key_questions]
        for values, column, what in ((ids, "standard", "standard ids"), (kq_ids, "key_question", "key question ids")):
            dup = sorted({i for i in values if values.count(i) > 1})
            if dup:
                raise DataError(f"framework {self.name!r}: {what} repeat", column=column, values=dup)
        unknown = [k.id for k in self.key_questions if k.standard not in ids]
        if unknown:
            raise DataError(f"framework {self.name!r}: key questions name a standard that is not listed",
                            column="standard", values=unknown)
        object.__setattr__(self, "_kq_index", {k: i for i, k in enumerate(kq_ids)})

    @classmethod
    def from_frames(cls, standards: pd.DataFrame, key_questions: pd.DataFrame,
                    rules: RatingRules | str = "hmip-adult", *, name: str = "framework",
                    samples: Mapping[str, Any] | None = None, short_name: str | None = None) -> "Framework":
        """Build a framework from two tables.

        Parameters
        ----------
        standards : DataFrame
            ``standard`` and ``name`` (optional ``domain``, ``sample``, ``description``).
        key_questions : DataFrame
            ``key_question`` and ``standard`` (optional ``text``, ``relevant_subsample``,
            ``sample``).
        rules : RatingRules or str
            See :func:`sampling.load_rules`.
        name : str
            The framework's name.
        samples : mapping, optional
            ``{sample: {label, standards, strata, eligibility}}``.
        short_name : str, optional
            The identifier it is loaded by.

        Returns
        -------
        Framework
        """
        rules = load_rules(rules)
        for table, cols, what in ((standards, ("standard", "name"), "standards"),
                                  (key_questions, ("key_question", "standard"), "key_questions")):
            missing = [c for c in cols if c not in table.columns]
            if missing:
                raise DataError(f"{what} table is missing required columns", column=missing[0],
                                hint=f"Required: {', '.join(cols)}.")
        kqs = _key_questions(key_questions)
        return cls(name=name, standards=_standards(standards, kqs), key_questions=kqs, rules=rules,
                   samples=_samples(samples), short_name=short_name)

    # ------------------------------------------------------------------ lookups
    @property
    def key_question_ids(self) -> tuple[str, ...]:
        """The key question ids, in framework order."""
        return tuple(k.id for k in self.key_questions)

    @property
    def standard_ids(self) -> tuple[str, ...]:
        """The standard ids, in framework order."""
        return tuple(s.id for s in self.standards)

    def key_question(self, kq_id: str) -> KeyQuestion:
        """The key question with this id (:class:`DataError` if unknown)."""
        try:
            return self.key_questions[self._kq_index[str(kq_id)]]
        except KeyError:
            raise DataError(f"unknown key question {kq_id!r}", column="key_question", values=(kq_id,),
                            hint=f"Known: {', '.join(self.key_question_ids)}.") from None

    def standard(self, standard_id: str) -> Standard:
        """The standard with this id (:class:`DataError` if unknown)."""
        for s in self.standards:
            if s.id == str(standard_id):
                return s
        raise DataError(f"unknown standard {standard_id!r}", column="standard", values=(standard_id,),
                        hint=f"Known: {', '.join(self.standard_ids)}.")

    def check_key_questions(self, ids: Iterable[Any], *, where: str = "results") -> None:
        """Raise :class:`DataError` listing any id that is not a key question of this framework."""
        unknown = [i for i in ids if str(i) not in self._kq_index]
        if unknown:
            raise DataError(f"{where} names key questions that the framework {self.name!r} does not have",
                            column="key_question", values=unknown,
                            hint=f"Known: {', '.join(self.key_question_ids)}.")

    # ------------------------------------------------------------------ tables
    def to_frame(self) -> pd.DataFrame:
        """One row per key question: standard, standard name, key question, sample, sub-sample, text."""
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

    def samples_frame(self) -> pd.DataFrame:
        """One row per sample: name, label, standards, strata, eligibility."""
        return pd.DataFrame(
            [{"sample": s.name, "label": s.label, "standards": ", ".join(s.standards),
              "strata": ", ".join(s.strata), "eligibility": s.eligibility} for s in self.samples],
            columns=["sample", "label", "standards", "strata", "eligibility"],
        )

    def _title(self) -> str:
        return (f"Framework {self.name!r}: {len(self.standards)} standards, "
                f"{len(self.key_questions)} key questions, rules {self.rules.short_name!r}")


# --------------------------------------------------------------------------- loading
def available_frameworks() -> list[str]:
    """Names of the frameworks shipped with the toolkit.

    Returns
    -------
    list of str

    >>> available_frameworks()
    ['hmip-adult', 'hmip-youth']

    Examples
    --------
    >>> import sampling
    >>> "hmip-adult" in sampling.available_frameworks()
    True
    """
    return available_rules()


def _table(items: Any, key: str, what: str) -> pd.DataFrame:
    if items is None:
        return pd.DataFrame()
    if not isinstance(items, list) or not all(isinstance(x, Mapping) for x in items):
        raise DataError(f"framework: {what} must be an array of tables ([[{what}]] entries)",
                        values=(type(items).__name__,))
    table = pd.DataFrame(items)
    if "id" in table.columns and key not in table.columns:
        table = table.rename(columns={"id": key})
    return table


def _from_document(doc: Mapping[str, Any], rules: Any, *, default_name: str,
                   base: Path | None = None) -> Framework:
    """A framework from a parsed TOML document (a shipped one or a user's file)."""
    rules = rules if rules is not None else doc.get("rules", "hmip-adult")
    if isinstance(rules, str) and rules not in available_rules() and base is not None:
        candidate = base / rules
        rules = candidate if candidate.is_file() else rules
    return Framework.from_frames(
        _table(doc.get("standards"), "standard", "standards"),
        _table(doc.get("key_questions"), "key_question", "key_questions"),
        rules, name=str(doc.get("name", default_name)), samples=doc.get("samples"),
        short_name=doc.get("short_name"))


@lru_cache(maxsize=16)
def _shipped(name: str, rules: RatingRules | str | None) -> Framework:
    """A shipped framework, built once per rules value (a Framework is frozen: sharing is safe)."""
    return _from_document(shipped_document(name), rules, default_name=name)


def _from_folder(path: Path, rules: Any) -> Framework:
    st, kq = path / "standards.csv", path / "key_questions.csv"
    if not (st.is_file() and kq.is_file()):
        raise ArgumentError("framework", str(path), "a framework folder needs standards.csv and key_questions.csv")
    meta = path / "inspection.toml"
    info = read_toml(meta, "inspection").get("inspection", {}) if meta.is_file() else {}
    doc_rules = info.get("rules", info.get("framework", "hmip-adult"))
    return Framework.from_frames(pd.read_csv(st, dtype=str, keep_default_na=False),
                                 pd.read_csv(kq, dtype=str, keep_default_na=False),
                                 rules if rules is not None else doc_rules, name=path.name)


def load_framework(source: str | os.PathLike | Framework | None = "hmip-adult", *,
                   rules: RatingRules | str | os.PathLike | Mapping[str, Any] | None = None) -> Framework:
    """Load an inspection framework.

    Parameters
    ----------
    source : str, path or Framework
        A shipped framework's name (``"hmip-adult"``, the default, or ``"hmip-youth"``); a
        ``.toml`` file with arrays ``[[standards]]`` (``id``, ``name``, ``domain``,
        ``sample``) and ``[[key_questions]]`` (``id``, ``standard``, ``text``,
        ``relevant_subsample``, ``sample``), optional ``[samples.NAME]`` tables, and
        ``rules`` (a shipped name, a rules file path, or a ``[rules]`` table); a folder
        with ``standards.csv`` and ``key_questions.csv`` (an ``inspection.toml`` there may
        name the rules); or a :class:`Framework` (returned as is, or with ``rules``).
        ``None`` means ``"hmip-adult"``.
    rules : optional
        Overrides the rules the source names (see :func:`sampling.load_rules`).

    Returns
    -------
    Framework

    >>> fw = load_framework("hmip-adult"); len(fw.standards), len(fw.key_questions)
    (10, 19)
    >>> [s.name for s in fw.samples]
    ['case_supervision', 'unpaid_work', 'through_the_gate']

    Examples
    --------
    >>> import sampling
    >>> framework = sampling.load_framework("hmip-adult")
    >>> [s.id for s in framework.standards][:4]
    ['1.1', '1.2', '1.3', '1.4']
    >>> framework.key_question("2.1.1").text[:40]
    'Does assessment focus sufficiently on en'
    """
    if isinstance(source, Framework):
        return source if rules is None else Framework(
            source.name, source.standards, source.key_questions, load_rules(rules), source.samples,
            source.short_name)
    text = "hmip-adult" if source is None else str(source)
    if text in available_frameworks():
        if rules is None or isinstance(rules, (str, RatingRules)):
            return _shipped(text, rules)
        return _from_document(shipped_document(text), rules, default_name=text)
    path = Path(text)
    try:
        if path.is_dir():
            return _from_folder(path, rules)
        if path.is_file() and path.suffix.lower() == ".toml":
            return _from_document(read_toml(path, "framework"), rules, default_name=path.stem, base=path.parent)
    except DataError as exc:
        raise exc.in_file(f"framework {'folder' if path.is_dir() else 'file'} {str(path)!r}") from None
    raise ArgumentError("framework", text, f"must be one of {available_frameworks()}, a .toml file or a "
                        "folder with standards.csv and key_questions.csv, and must exist")
