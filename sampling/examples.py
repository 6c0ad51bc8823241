"""The built-in seed inspection and synthetic data for examples and tests.

The seed inspection is HM Inspectorate of Probation's 2019 inspection of Kent, Surrey and
Sussex CRC; its figures live as data in the repository's ``seeds/`` folder (shipped in the
package as ``sampling.seeds``), never retyped in code.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Mapping

import pandas as pd

__all__ = ["SeedTables", "seed_tables"]


@dataclass(frozen=True, repr=False)
class SeedTables:
    """The seed inspection's files as read: two tables and the TOML document.

    Attributes
    ----------
    key_questions : DataFrame
        ``key_question, standard, sample, relevant_subsample, percent_yes, text``.
    standards : DataFrame
        ``standard, domain, name, sample, published_rating, rule_rating_before_discretion,
        discretion_note, description``.
    inspection : Mapping
        ``inspection``, ``methodology``, ``samples`` and ``footnotes`` sections.
    """

    key_questions: pd.DataFrame
    standards: pd.DataFrame
    inspection: Mapping[str, Any]

    @property
    def samples(self) -> pd.DataFrame:
        """One row per seed sample: name, label, n, strata, standards."""
        rows = [
            {"sample": name, "label": s["label"], "n": s["n"],
             "strata": ", ".join(s["strata"]), "standards": ", ".join(s["standards"])}
            for name, s in self.inspection["samples"].items()
        ]
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        i = self.inspection["inspection"]
        return (f"SeedTables({i['provider']!r}, {len(self.standards)} standards, "
                f"{len(self.key_questions)} key questions, samples n="
                f"{[s['n'] for s in self.inspection['samples'].values()]})")


def _seed_file(name: str):
    return resources.files("sampling.seeds").joinpath(name)


@lru_cache(maxsize=1)
def _read_seed() -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    with _seed_file("key_questions.csv").open("r", encoding="utf-8") as fh:
        kq = pd.read_csv(fh, dtype={"key_question": str, "standard": str, "sample": str, "text": str})
    with _seed_file("standards.csv").open("r", encoding="utf-8") as fh:
        st = pd.read_csv(fh, dtype=str, keep_default_na=False)
    with _seed_file("inspection.toml").open("rb") as fh:
        doc = tomllib.load(fh)
    kq["relevant_subsample"] = kq["relevant_subsample"].astype(str).str.lower().eq("true")
    st["domain"] = st["domain"].astype(int)
    st = st.replace({"": None})
    return kq, st, doc


def seed_tables() -> SeedTables:
    """Read the seed inspection's data files (fresh copies; safe to modify)."""
    kq, st, doc = _read_seed()
    import copy

    return SeedTables(kq.copy(), st.copy(), copy.deepcopy(doc))
