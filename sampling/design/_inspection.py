"""An inspection is a folder the user owns: ``inspection.toml`` (who is inspected, under which
framework, at what confidence and margin, and per sample its label, eligibility, strata,
standards and eligible population N once known) beside the frames, draw workbooks and
results it accumulates. The seed inspection (``seeds/``) has the same shape.

    [inspection]
    provider = "Northshire Community Rehabilitation Company"
    short_name = "Northshire CRC"
    inspectorate = "HM Inspectorate of Probation"
    framework = "hmip-adult"
    seed = 2019

    [methodology]
    confidence_level = 0.80
    margin = 0.05

    [samples.case_supervision]
    label = "Case supervision (domain two)"
    strata = ["gender", "disposal", "rosh"]
    standards = ["2.1", "2.2", "2.3", "2.4"]
    eligibility = "..."
    population = 668          # N, once the eligible frame is known

:func:`init_inspection` writes a commented file for a framework's samples;
:func:`load_inspection` reads one back, strictly (a misspelt key or a wrong type is an
error naming the file and the key); :func:`find_inspection` looks for one in a folder.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from .._utils._display import TableResult
from .._utils._checks import MAX_CASES, MAX_SEED
from ._rules import available_rules, read_toml, shipped_document
from ..errors import ArgumentError, DataError, OutputError

__all__ = ["Inspection", "InspectionSample", "load_inspection", "find_inspection", "init_inspection",
           "DEFAULT_SEED", "INSPECTION_FILE"]

#: the random seed every command uses unless given one (printed in every output)
DEFAULT_SEED = 2019
INSPECTION_FILE = "inspection.toml"

_TOP_KEYS = {"inspection", "methodology", "samples", "footnotes", "frame", "fieldwork", "draw"}
_DRAW_KEYS = {"allocation", "min_per_cell", "anticipated"}
_INSPECTION_KEYS = {"provider", "short_name", "inspectorate", "framework", "seed", "fieldwork_started",
                    "published", "caseload", "offices", "published_overall"}
_SAMPLE_KEYS = {"label", "strata", "standards", "eligibility", "population", "n"}


@dataclass(frozen=True)
class InspectionSample:
    """One case sample of an inspection: its framework name (``case_supervision``), label,
    eligibility wording, stratification variables, the standards it rates, and its eligible
    population N (None until the frame is known).

    Attributes
    ----------
    name : str
        The framework's sample name, e.g. ``"case_supervision"``.
    label : str
        Its label in tables and reports, e.g. ``"Case supervision (domain two)"``.
    eligibility : str
        Which cases are eligible, in words (for the report's methodology annex).
    strata : tuple of str
        The stratification variables, e.g. ``("gender", "disposal", "rosh")``.
    standards : tuple of str
        The standards this sample rates, e.g. ``("2.1", "2.2")``.
    population : int or None
        The eligible population N, None until the frame is known.
    """

    name: str
    label: str = ""
    eligibility: str = ""
    strata: tuple[str, ...] = ()
    standards: tuple[str, ...] = ()
    population: int | None = None


@dataclass(frozen=True, repr=False)
class Inspection(TableResult):
    """One inspection's settings, read from its ``inspection.toml``.

    Attributes
    ----------
    folder : Path
        The inspection's folder (relative paths in commands are the user's own).
    provider, short_name, inspectorate : str
        Who is inspected, and by whom; ``short_name`` heads charts and tables.
    framework : str
        A shipped framework's name, or a framework file or folder (relative to ``folder``).
    confidence_level, margin : float
        The planning confidence and margin (a fraction: 0.05 = five points).
    seed : int
        The random seed every command uses unless given another.
    samples : tuple of InspectionSample
    set_aside : tuple of (column, values)
        ``[frame] set_aside``: cases left out of every frame by a column's value, e.g.
        ``(("RoSH Level", ("Not Assessed",)),)``; ``dict(set_aside)`` is load_frame's argument.
    carry : tuple of str, optional
        ``[fieldwork] carry``: the frame columns (its own headers) copied onto the fieldwork
        sheet, e.g. ``("Office", "Officer", "Start Date")``; None (unset) carries the frame's
        short descriptive columns, ``()`` carries none.
    draw : tuple of (key, value)
        ``[draw]`` (``dict(draw)`` reads it): ``allocation`` ("proportional", "neyman" or "equal"), ``min_per_cell``
        (a whole number) and ``anticipated`` (a file, relative to the folder, or one
        proportion), each only when set; the draw's flags override them.
    """

    folder: Path
    provider: str
    short_name: str
    inspectorate: str = ""
    framework: str = "hmip-adult"
    confidence_level: float = 0.8
    margin: float = 0.05
    seed: int = DEFAULT_SEED
    samples: tuple[InspectionSample, ...] = field(default_factory=tuple)
    set_aside: tuple[tuple[str, tuple[str, ...]], ...] = ()
    carry: tuple[str, ...] | None = None
    draw: tuple[tuple[str, Any], ...] = ()

    def sample(self, name: str) -> InspectionSample:
        """The sample called ``name``, or :class:`ArgumentError` listing the names."""
        for s in self.samples:
            if s.name == name:
                return s
        raise ArgumentError("sample", name, f"must be one of this inspection's samples: "
                            f"{', '.join(s.name for s in self.samples) or '(none defined)'}")

    @property
    def populations(self) -> dict[str, int]:
        """``{sample: N}`` for the samples whose N is known."""
        return {s.name: s.population for s in self.samples if s.population is not None}

    def framework_source(self) -> str:
        """The framework argument for :func:`sampling.load_framework` (a relative file or
        folder resolved against the inspection's folder)."""
        local = self.folder / self.framework
        return str(local) if local.exists() else self.framework

    na_text = "unknown"  # an eligible population not set yet

    def to_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame([{"sample": s.name, "label": s.label, "strata": ", ".join(s.strata) or "(none)",
                               "standards": ", ".join(s.standards), "population": s.population}
                              for s in self.samples])
        return frame.astype({"population": "Int64"})

    def _title(self) -> str:
        return (f"Inspection of {self.provider} ({self.short_name}); framework {self.framework}, "
                f"{self.confidence_level:.0%} confidence, margin {self.margin * 100:g} points, seed {self.seed}")


def _where(path: Path, key: str) -> str:
    return f"{str(path)!r}, key {key}"


def _text(doc: Mapping, key: str, path: Path, section: str, *, required: bool = False, default: str = "") -> str:
    value = doc.get(key, None)
    if value is None:
        if required:
            raise DataError(f"inspection file {_where(path, f'{section}.{key}')}: missing; "
                            f"give it, e.g. {key} = \"...\"")
        return default
    if not isinstance(value, str) or not value.strip():
        raise DataError(f"inspection file {_where(path, f'{section}.{key}')}: must be non-empty text",
                        values=(value,))
    return value.strip()


def _number(doc: Mapping, key: str, path: Path, section: str, default: float, low: float, high: float) -> float:
    value = doc.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low < value < high:
        raise DataError(f"inspection file {_where(path, f'{section}.{key}')}: must be a number between "
                        f"{low:g} and {high:g} (a fraction: 0.05 is five points)", values=(value,))
    return float(value)


def _whole(value: Any, path: Path, key: str, *, low: int, high: int = MAX_CASES) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise DataError(f"inspection file {_where(path, key)}: must be a whole number from {low} to {high:,}",
                        values=(value,))
    return value


def _unknown(doc: Mapping, allowed: set, path: Path, section: str) -> None:
    extra = sorted(set(doc) - allowed)
    if extra:
        raise DataError(f"inspection file {str(path)!r}: unknown key(s) in {section}: {', '.join(extra)} "
                        f"(known: {', '.join(sorted(allowed))})", values=tuple(extra))


def _text_list(value: Any, path: Path, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise DataError(f"inspection file {_where(path, key)}: must be a list of names, e.g. "
                        "[\"gender\", \"rosh\"]", values=(value,))
    return tuple(v.strip() for v in value)


def _set_aside(doc: Any, path: Path) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``[frame] set_aside = {"RoSH Level" = ["Not Assessed"]}``, strictly read."""
    if not isinstance(doc, Mapping):
        raise DataError(f"inspection file {str(path)!r}: [frame] must be a table", values=(doc,))
    _unknown(doc, {"set_aside"}, path, "[frame]")
    table = doc.get("set_aside", {})
    if not isinstance(table, Mapping):
        raise DataError(f"inspection file {_where(path, 'frame.set_aside')}: must be a table of column = "
                        "[values], e.g. {\"RoSH Level\" = [\"Not Assessed\"]}", values=(table,))
    out = []
    for column, values in table.items():
        values = [values] if isinstance(values, str) else values
        out.append((str(column), _text_list(values, path, f"frame.set_aside.{column}")))
    return tuple(out)


def _carry(doc: Any, path: Path) -> tuple[str, ...] | None:
    """``[fieldwork] carry = ["Office", "Officer", "Start Date"]``, strictly read."""
    if not isinstance(doc, Mapping):
        raise DataError(f"inspection file {str(path)!r}: [fieldwork] must be a table", values=(doc,))
    _unknown(doc, {"carry"}, path, "[fieldwork]")
    if "carry" not in doc:
        return None
    value = doc["carry"]
    if value == []:
        return ()
    return _text_list(value, path, "fieldwork.carry")


def _draw(doc: Any, path: Path) -> dict[str, Any]:
    """``[draw] allocation = "neyman"``, ``min_per_cell = 1``, ``anticipated = "last.xlsx"``."""
    if not isinstance(doc, Mapping):
        raise DataError(f"inspection file {str(path)!r}: [draw] must be a table", values=(doc,))
    _unknown(doc, _DRAW_KEYS, path, "[draw]")
    out: dict[str, Any] = {}
    if "allocation" in doc:
        value = doc["allocation"]
        if not isinstance(value, str) or value.strip().lower() not in ("proportional", "neyman", "equal"):
            raise DataError(f"inspection file {_where(path, 'draw.allocation')}: must be \"proportional\", "
                            "\"neyman\" or \"equal\"", values=(value,))
        out["allocation"] = value.strip().lower()
    if "min_per_cell" in doc:
        out["min_per_cell"] = _whole(doc["min_per_cell"], path, "draw.min_per_cell", low=0)
    if "anticipated" in doc:
        value = doc["anticipated"]
        if isinstance(value, bool) or not (isinstance(value, str) and value.strip()
                                           or isinstance(value, (int, float)) and 0 <= value <= 1):
            raise DataError(f"inspection file {_where(path, 'draw.anticipated')}: must be a file (a previous "
                            "inspection's filled draw workbook, or a table of % yes per cell) or one "
                            "proportion between 0 and 1", values=(value,))
        out["anticipated"] = value.strip() if isinstance(value, str) else float(value)
    return out


def _sample(name: str, doc: Any, path: Path) -> InspectionSample:
    section = f"samples.{name}"
    if not isinstance(doc, Mapping):
        raise DataError(f"inspection file {str(path)!r}: [{section}] must be a table", values=(doc,))
    _unknown(doc, _SAMPLE_KEYS, path, f"[{section}]")
    population = doc.get("population")
    return InspectionSample(
        name=name, label=_text(doc, "label", path, section, default=name),
        eligibility=_text(doc, "eligibility", path, section),
        strata=_text_list(doc.get("strata", []), path, f"{section}.strata"),
        standards=_text_list(doc.get("standards", []), path, f"{section}.standards"),
        population=None if population is None else _whole(population, path, f"{section}.population", low=1),
    )


def _file_of(source: str | os.PathLike) -> Path:
    path = Path(source)
    if path.is_dir():
        path = path / INSPECTION_FILE
    if not path.is_file():
        raise ArgumentError("source", str(source), f"must be a folder holding {INSPECTION_FILE} (create one "
                            "with: sampling init FOLDER --provider NAME) or the file itself")
    return path


def load_inspection(source: str | os.PathLike) -> Inspection:
    """Read an inspection's settings.

    Parameters
    ----------
    source : str or path
        The inspection's folder (holding ``inspection.toml``) or the file itself.

    Returns
    -------
    Inspection

    Raises
    ------
    DataError
        A missing provider, an unknown key, a wrong type or an out-of-range number, naming
        the file and the key.

    Examples
    --------
    >>> import tempfile, sampling
    >>> folder = tempfile.mkdtemp()
    >>> path = sampling.init_inspection(folder, "Northshire CRC")
    >>> inspection = sampling.load_inspection(folder)
    >>> inspection.provider, inspection.framework, inspection.confidence_level
    ('Northshire CRC', 'hmip-adult', 0.8)
    >>> [s.name for s in inspection.samples]
    ['case_supervision', 'unpaid_work', 'through_the_gate']
    """
    path = _file_of(source)
    doc = read_toml(path, "inspection")
    _unknown(doc, _TOP_KEYS, path, "the file")
    info, method, samples = doc.get("inspection", {}), doc.get("methodology", {}), doc.get("samples", {})
    for section, table in (("[inspection]", info), ("[methodology]", method), ("[samples]", samples)):
        if not isinstance(table, Mapping):
            raise DataError(f"inspection file {str(path)!r}: {section} must be a table", values=(table,))
    _unknown(info, _INSPECTION_KEYS, path, "[inspection]")
    _unknown(method, {"confidence_level", "margin"}, path, "[methodology]")
    provider = _text(info, "provider", path, "inspection", required=True)
    framework = _text(info, "framework", path, "inspection", default="hmip-adult")
    if framework not in available_rules() and not (path.parent / framework).exists() and not Path(framework).exists():
        raise DataError(f"inspection file {_where(path, 'inspection.framework')}: {framework!r} is neither a "
                        f"shipped framework ({', '.join(available_rules())}) nor a framework file or folder "
                        "beside it", values=(framework,),
                        hint="Correct the spelling, e.g. framework = \"hmip-adult\".")
    return Inspection(
        folder=path.parent, provider=provider,
        short_name=_text(info, "short_name", path, "inspection", default=provider),
        inspectorate=_text(info, "inspectorate", path, "inspection"),
        framework=framework,
        confidence_level=_number(method, "confidence_level", path, "methodology", 0.8, 0.0, 1.0),
        margin=_number(method, "margin", path, "methodology", 0.05, 0.0, 0.5),
        seed=_whole(info.get("seed", DEFAULT_SEED), path, "inspection.seed", low=0, high=MAX_SEED),
        samples=tuple(_sample(str(name), s, path) for name, s in samples.items()),
        set_aside=_set_aside(doc.get("frame", {}), path),
        carry=_carry(doc.get("fieldwork", {}), path),
        draw=tuple(_draw(doc.get("draw", {}), path).items()),
    )


def find_inspection(folder: str | os.PathLike | None = None) -> Inspection | None:
    """The inspection in ``folder`` (default: the current folder) if it holds an
    ``inspection.toml``, else None.

    Parameters
    ----------
    folder : str or path, optional
        The folder to look in; default the current folder.

    Returns
    -------
    Inspection or None
        The inspection read with :func:`load_inspection`, or None when the folder holds no
        ``inspection.toml``.

    Examples
    --------
    >>> import tempfile, sampling
    >>> folder = tempfile.mkdtemp()
    >>> sampling.find_inspection(folder) is None
    True
    >>> path = sampling.init_inspection(folder, "Northshire CRC")
    >>> sampling.find_inspection(folder).short_name
    'Northshire CRC'
    """
    path = Path(folder if folder is not None else ".") / INSPECTION_FILE
    return load_inspection(path) if path.is_file() else None


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _sample_block(sample: Any) -> list[str]:
    return [f"[samples.{sample.name}]",
            f"label = {_quote(sample.label or sample.name)}",
            f"eligibility = {_quote(sample.eligibility)}",
            "strata = [" + ", ".join(_quote(s) for s in sample.strata) + "]"
            + ("" if sample.strata else "                # no stratification"),
            "standards = [" + ", ".join(_quote(s) for s in sample.standards) + "]",
            "# population = 0        # eligible population N: set it once the frame is known",
            ""]


def inspection_text(provider: str, *, short_name: str | None = None, framework: str = "hmip-adult",
                    inspectorate: str | None = None, seed: int = DEFAULT_SEED) -> str:
    """The commented ``inspection.toml`` that :func:`init_inspection` writes."""
    from ._framework import load_framework

    fw = load_framework(framework)
    if inspectorate is None:
        inspectorate = str(shipped_document(framework).get("inspectorate", "")) if framework in available_rules() else ""
    lines = ["# An inspection: who is inspected, under which framework, and the case samples it draws.",
             "# Every sampling command run in this folder (or given --inspection FOLDER) reads it.",
             "# Edit freely; unknown keys are refused, so a misspelling cannot pass unnoticed.", "",
             "[inspection]",
             f"provider = {_quote(provider)}",
             f"short_name = {_quote(short_name or provider)}   # heads charts and tables",
             f"inspectorate = {_quote(inspectorate)}",
             f"framework = {_quote(framework)}   # a shipped framework, or a framework file or folder here",
             f"seed = {seed}                  # random seed of every command unless --seed is given", "",
             "[methodology]",
             "confidence_level = 0.80      # planning confidence",
             "margin = 0.05                # planning margin, a fraction: 0.05 = five percentage points", "",
             "[frame]",
             "# Cases to leave out of the eligible population by a column's value (the frame's own",
             "# header), listed with the reason in the draw workbook's excluded sheet, e.g.",
             "# set_aside = { \"RoSH Level\" = [\"Not Assessed\"] }",
             "set_aside = {}", "",
             "[fieldwork]",
             "# Frame columns (the frame's own headers) copied onto the fieldwork sheet for planning,",
             "# e.g. carry = [\"Office\", \"Officer\", \"Start Date\"]; left out, the frame's short",
             "# descriptive columns (office, officer, team, start date ...) are carried; [] carries none.",
             "# carry = [\"Office\", \"Officer\", \"Start Date\"]", "",
             "[draw]",
             "# How the sample is shared between the cells of the strata: \"proportional\" (the default: the",
             "# sample mirrors the population's mix), \"neyman\" (more cases where answers vary most; needs",
             "# anticipated % yes per cell) or \"equal\"; min_per_cell gives every cell at least that many.",
             "# allocation = \"proportional\"",
             "# min_per_cell = 1",
             "# anticipated = \"previous-draw.xlsx\"   # a filled draw workbook, a table of % yes per cell, or 0.7",
             ""]
    for sample in fw.samples:
        lines += _sample_block(sample)
    return "\n".join(lines)


def init_inspection(folder: str | os.PathLike, provider: str, *, short_name: str | None = None,
                    framework: str = "hmip-adult", inspectorate: str | None = None,
                    seed: int = DEFAULT_SEED, overwrite: bool = False) -> Path:
    """Create ``folder`` (if needed) with a commented ``inspection.toml`` for ``framework``'s
    samples; returns the file's path. An existing file is kept unless ``overwrite``.

    Parameters
    ----------
    folder : str or path
        The inspection's folder, created if needed.
    provider : str
        Who is inspected, e.g. ``"Northshire CRC"``.
    short_name : str, optional
        The name that heads charts and tables; default ``provider``.
    framework : str
        A shipped framework's name (:func:`sampling.available_frameworks`), or a framework
        file or folder.
    inspectorate : str, optional
        Who inspects; default the shipped framework's inspectorate.
    seed : int
        The random seed every command uses unless given another.
    overwrite : bool
        Replace an existing ``inspection.toml`` (default: keep it and raise).

    Returns
    -------
    Path
        The ``inspection.toml`` written.

    Examples
    --------
    >>> import tempfile, sampling
    >>> from pathlib import Path
    >>> path = sampling.init_inspection(Path(tempfile.mkdtemp()) / "northshire", "Northshire CRC")
    >>> path.name
    'inspection.toml'
    >>> "[samples.case_supervision]" in path.read_text()
    True
    """
    if not isinstance(provider, str) or not provider.strip():
        raise ArgumentError("provider", provider, "must be the provider's name, e.g. \"Northshire CRC\"")
    text = inspection_text(provider.strip(), short_name=short_name, framework=framework,
                           inspectorate=inspectorate, seed=seed)
    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise OutputError(f"cannot create inspection {str(target)!r}: it is a file")
    path = target / INSPECTION_FILE
    if path.exists() and not overwrite:
        raise OutputError(f"{str(path)!r} already exists: edit it, or choose another folder")
    from .._utils._io import atomic_path

    try:
        target.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            tmp.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot write {str(path)!r}: {exc.strerror or exc}") from None
    load_inspection(path)  # what we wrote reads back
    return path
