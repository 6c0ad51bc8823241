"""The built-in seed inspection and synthetic data for examples and tests.

The seed inspection is HM Inspectorate of Probation's 2019 inspection of Kent, Surrey and
Sussex CRC; its figures live as data in the repository's ``seeds/`` folder (shipped in the
package as ``sampling.seeds``), never retyped in code.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal, Mapping, Sequence, cast

import pandas as pd

if TYPE_CHECKING:
    from ..design._framework import Framework
    from ..results._results import Results
    from .._utils._types import PopulationLike, SeedLike

__all__ = ["SeedTables", "seed_tables", "synthetic_frame", "seed_inspection", "synthetic_results"]


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
    return resources.files("sampling.examples.seeds").joinpath(name)


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
    """Read the seed inspection's data files (fresh copies; safe to modify).

    Returns
    -------
    SeedTables

    Examples
    --------
    >>> import sampling
    >>> sampling.seed_tables().samples["n"].tolist()
    [132, 54, 42]
    """
    kq, st, doc = _read_seed()
    import copy

    return SeedTables(kq.copy(), st.copy(), copy.deepcopy(doc))


# --------------------------------------------------------------------------- synthetic frame
#: Offices of a synthetic Kent, Surrey and Sussex frame (towns with probation offices).
SYNTHETIC_OFFICES = (
    "Maidstone", "Canterbury", "Chatham", "Ashford", "Folkestone", "Margate", "Dartford",
    "Guildford", "Woking", "Redhill", "Brighton", "Crawley", "Hastings", "Worthing",
)

#: Category shares of a synthetic CRC caseload (CRCs supervise low and medium RoSH cases;
#: high RoSH is rare and very high is managed by the National Probation Service).
SYNTHETIC_SHARES = {
    "gender": {"male": 0.87, "female": 0.13},
    "disposal": {"community order": 0.45, "suspended sentence order": 0.25,
                 "licence": 0.20, "post-sentence supervision": 0.10},
    "rosh": {"low": 0.40, "medium": 0.55, "high": 0.05, "very high": 0.0},
}


def _draw_categories(gen, shares: Mapping[str, float], size: int):
    """``size`` categories drawn with the given shares (one ``gen.choice``), as an object array."""
    import numpy as np

    cats = np.array(list(shares), dtype=object)
    p = np.array(list(shares.values()), dtype=float)
    return cats[gen.choice(len(cats), size=size, p=p / p.sum())]


def synthetic_frame(size: int, rng: SeedLike = None, *, offices: int = 14,
                    as_of: str = "2019-02-01", neutral: bool = False) -> pd.DataFrame:
    """A synthetic eligible-population frame for trying the draw without real data.

    Columns: ``case_id`` (``KSS0000001``…), ``office``, ``gender``, ``disposal``, ``rosh``,
    ``officer_grade`` (PO or PSO; licence cases and higher RoSH more often with a PO) and
    ``start_date`` (supervision start, 0–12 months before ``as_of``). Shares follow
    :data:`SYNTHETIC_SHARES`; office sizes vary. Reproducible with ``rng`` (int seed or
    numpy Generator); vectorised, so 260,000 rows take well under a second.

    Parameters
    ----------
    size : int
        Number of cases.
    rng : int, Generator or None
        Seed.
    offices : int
        Number of offices.
    as_of : date text
        The reference date start dates are drawn back from.
    neutral : bool
        Name no real place: case ids ``C0000001``… and offices ``Office 1``…, instead of the
        seed provider's flavour (``KSS…`` ids, its towns as offices). The categories, shares
        and random draws are the same.

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> import sampling
    >>> frame = sampling.synthetic_frame(500, rng=1)
    >>> len(frame), frame.columns.tolist()[:4]
    (500, ['case_id', 'office', 'gender', 'disposal'])
    """
    import numpy as np

    from .._utils._checks import check_bool, check_count, check_rng

    size = check_count(size, "size", maximum=5_000_000)  # about 1 GB of frame at the most
    offices = check_count(offices, "offices", maximum=1_000)
    gen = check_rng(rng)
    neutral = check_bool(neutral, "neutral")
    names = ([f"Office {i}" for i in range(1, offices + 1)] if neutral else
             list(SYNTHETIC_OFFICES[:offices]) + [f"Office {i}" for i in range(len(SYNTHETIC_OFFICES) + 1, offices + 1)])
    weights = gen.gamma(4.0, size=offices)
    weights /= weights.sum()

    office = np.array(names, dtype=object)[gen.choice(offices, size=size, p=weights)]
    gender = _draw_categories(gen, SYNTHETIC_SHARES["gender"], size)
    disposal = _draw_categories(gen, SYNTHETIC_SHARES["disposal"], size)
    rosh = _draw_categories(gen, SYNTHETIC_SHARES["rosh"], size)
    p_po = 0.35 + 0.35 * np.isin(disposal, ["licence", "post-sentence supervision"]) + 0.25 * (rosh == "high")
    grade = np.where(gen.random(size) < p_po, "PO", "PSO")
    days = gen.integers(0, 366, size=size)
    start = pd.Timestamp(as_of) - pd.to_timedelta(days, unit="D")
    ids = np.array([f"{'C' if neutral else 'KSS'}{i:07d}" for i in range(1, size + 1)], dtype=object)
    return pd.DataFrame({
        "case_id": ids, "office": office, "gender": gender, "disposal": disposal,
        "rosh": rosh, "officer_grade": grade, "start_date": start,
    })


# --------------------------------------------------------------------------- seed inspection
def _seed_population(population: Any, samples: Mapping[str, Any]) -> Any:
    """``population`` for :func:`seed_inspection`: None, "implied", an int or a mapping."""
    if isinstance(population, str):
        if population != "implied":
            from ..errors import ArgumentError

            raise ArgumentError("population", population,
                                'must be None, "implied", a whole number or {sample: N}')
        from ..plan._plan import implied_population

        out = {}
        for name, s in samples.items():
            r = implied_population(int(s["n"]))
            # the seed's sample sizes are all reachable, so an implied range has its low end
            out[name] = int(cast(int, r.high if r.high is not None else r.low))
        return out
    return population


def _seed_judgements(framework: Any, published: Mapping[str, str]) -> dict[str, str]:
    """The published ratings of the framework's judgement-rated standards (those with no key
    questions), in framework order; ``published``: {standard: rating} of the seed."""
    return {s.id: published[s.id] for s in framework.standards
            if not s.key_questions and published.get(s.id)}


def seed_inspection(population: PopulationLike | Literal["implied"] = None, *,
                    subsample_share: float | None = None) -> Results:
    """The seed inspection's published results as an aggregate :class:`~sampling.Results`.

    Built from ``seeds/``: each key question's published whole-number % yes
    (``key_questions.csv``) on the n of its sample (``inspection.toml``: 132, 54, 42), except
    the relevant-sub-sample questions (footnote 13: 2.2.3, 2.3.3, 2.4.3), whose n was not
    published and is left unknown for :func:`~sampling.load_results` to infer (and say
    so). Judgements for the judgement-rated standards (1.1–1.4), the published rating of every
    standard and the published overall rating come from ``standards.csv`` and
    ``inspection.toml``; a standard with a ``discretion_note`` (2.4, footnote 14) is a recorded
    override to its published rating, with the note as the reason.

    Parameters
    ----------
    population : None, "implied", int or {sample: N}
        The eligible population per sample. ``None``: unknown (no finite population
        correction). ``"implied"``: the largest N for which the inspectorate's sample-size
        rule gives the published n (:func:`sampling.implied_population`; 668, 79 and 56).
        An int applies to every sample.
    subsample_share : float in (0, 1], optional
        The share of cases the unpublished relevant sub-samples hold (default: the smallest
        plausible sub-sample; see :func:`~sampling.load_results`).

    Returns
    -------
    Results
        Aggregate results with the provider's name (``KSS CRC``) and published ratings.

    Examples
    --------
    >>> import sampling
    >>> results = sampling.seed_inspection()
    >>> results.provider
    'KSS CRC'
    """
    import numpy as np

    from ..design._framework import load_framework
    from ..results._results import load_results

    seed = seed_tables()
    samples = seed.inspection["samples"]
    framework = load_framework(seed.inspection["inspection"]["framework"])
    kq = seed.key_questions
    n = kq["sample"].map(lambda s: float(samples[s]["n"]))
    table = pd.DataFrame({
        "key_question": kq["key_question"].astype(str),
        "percent": kq["percent_yes"].astype(float),
        "n": n.where(~kq["relevant_subsample"], np.nan).astype(float),
    })
    st = seed.standards
    published = {s: p for s, p in zip(st["standard"].tolist(), st["published_rating"].tolist()) if p}
    judgements = _seed_judgements(framework, published)
    overrides = {r.standard: (r.published_rating, r.discretion_note)
                 for r in st.itertuples() if r.discretion_note}
    return load_results(
        table, framework=framework, level="aggregate",
        population=_seed_population(population, samples),
        judgements=judgements, published=published, overrides=overrides,
        published_overall=seed.inspection["inspection"].get("published_overall"),
        sample_sizes={name: int(s["n"]) for name, s in samples.items()},
        provider=seed.inspection["inspection"]["short_name"], subsample_share=subsample_share,
    )


# --------------------------------------------------------------------------- synthetic results
def synthetic_results(rng: SeedLike = None, *, n: int | Mapping[str, int] | None = None,
                      population: PopulationLike = None,
                      true_percent: Mapping[str, float] | None = None,
                      framework: Framework | str | os.PathLike | None = None,
                      strata: Sequence[str] | None = None, providers: int | None = None,
                      correlation: float = 0.5, standard_correlation: float = 0.2,
                      judgements: Mapping[str, str] | None = None) -> Results:
    """A realistic, reproducible case-level inspection (:class:`~sampling.Results`).

    Every case gets stratum columns (``gender``, ``disposal``, ``rosh``, drawn with the shares
    of :data:`SYNTHETIC_SHARES`) and a yes/no answer to each key question of its sample.
    Answers on one case are correlated through a Gaussian latent "case quality" (a
    multivariate-probit / Thurstone threshold model): case i answers question j "yes" when
    ``√ρ·Zᵢ + √ρₛ·Uᵢₛ + √(1−ρ−ρₛ)·εᵢⱼ < Φ⁻¹(pⱼ)`` with Zᵢ (case), Uᵢₛ (case × standard) and
    εᵢⱼ independent standard normals, so each question's population % yes is exactly
    ``true_percent[j]`` while questions on the same case (more so in the same standard) move
    together. Relevant-sub-sample questions (2.2.3, 2.3.3, 2.4.3) are answered only where
    risk-of-serious-harm issues apply (RoSH medium or higher) and are "not applicable"
    otherwise.

    Parameters
    ----------
    rng : int, Generator or None
        Seed; the same seed gives the same cases.
    n : None, int or {sample: n}
        Cases per sample. ``None``: the seed inspection's sizes (132, 54, 42); an int: that
        many in every sample of the framework.
    population : None, int or {sample: N}
        Eligible population per sample, passed to :func:`~sampling.load_results`.
    true_percent : {key_question: %}, optional
        Population % yes per key question; default the seed inspection's published figures
        (50% for a question the seed does not have).
    framework : Framework, name or path, optional
        Default: the framework the seed inspection names (``hmip-adult``).
    strata : None or sequence of column names
        Design stratum columns recorded per sample. ``None``: the seed's design (gender,
        disposal, rosh for case supervision; gender, rosh for unpaid work; none for Through the
        Gate); a sequence applies to every sample (``()`` for none).
    providers : int, optional
        Simulate a national sample: ``providers`` providers, each with ``n`` cases per sample
        (``providers=21`` with the default n gives 21 × 132 = 2,772 case-supervision cases), a
        ``provider`` column, and provider effects (a provider's latent quality shifts by a
        normal amount with standard deviation 0.3 on the probit scale).
    correlation, standard_correlation : float
        ρ and ρₛ above (ρ + ρₛ < 1). ``correlation=0`` and ``standard_correlation=0`` give
        independent questions.
    judgements : {standard: label}, optional
        Ratings of judgement-rated standards; default the seed's published ones (1.1–1.4).

    Returns
    -------
    Results
        Case-level results.

    Examples
    --------
    >>> import sampling
    >>> results = sampling.synthetic_results(rng=1, n=80)
    >>> results.level, len(results.cases)
    ('case', 240)
    """
    from .._utils._checks import check_count, check_rng
    from ..design._framework import load_framework
    from ..results._results import load_results

    gen = check_rng(rng)
    framework = load_framework(framework if framework is not None else _seed_framework_name())
    rho, rho_s = _correlations(correlation, standard_correlation)
    seed = seed_tables()
    sample_of = {k.id: (k.sample or "all") for k in framework.key_questions}
    sample_names = list(dict.fromkeys(sample_of.values()))
    sizes = _synthetic_sizes(n, sample_names, seed.inspection["samples"])
    n_prov = None if providers is None else check_count(providers, "providers", maximum=1_000)
    truth = _synthetic_truth(true_percent, framework, sample_of, seed)
    design = _synthetic_design(strata, sizes, seed.inspection["samples"], n_prov)
    frames = []
    for s, size in sizes.items():
        kqs = [k for k in framework.key_questions if sample_of[k.id] == s]
        prefix = {"case_supervision": "CS", "unpaid_work": "UW", "through_the_gate": "TG"}.get(
            s, f"S{sample_names.index(s) + 1}")
        for g in (range(n_prov) if n_prov is not None else [None]):
            frames.append(_synthetic_block(gen, s, size, kqs, truth, (rho, rho_s), g, prefix))
    data = pd.concat(frames, ignore_index=True)
    kq_cols = [k.id for k in framework.key_questions if k.id in data.columns]
    data[kq_cols] = data[kq_cols].astype(object).where(data[kq_cols].notna(), "n/a")
    if judgements is None:
        published = dict(zip(seed.standards["standard"].tolist(), seed.standards["published_rating"].tolist()))
        judgements = _seed_judgements(framework, published)
    return load_results(data, framework=framework, level="case", population=population,
                        strata=design, judgements=dict(judgements))


def _seed_framework_name() -> str:
    """The framework the seed inspection names (``seeds/inspection.toml``)."""
    return seed_tables().inspection["inspection"]["framework"]


def _correlations(correlation: Any, standard_correlation: Any) -> tuple[float, float]:
    from .._utils._checks import check_fraction
    from ..errors import ArgumentError

    rho = check_fraction(correlation, "correlation", low_open=False)
    rho_s = check_fraction(standard_correlation, "standard_correlation", low_open=False)
    if rho + rho_s >= 1:
        raise ArgumentError("standard_correlation", standard_correlation,
                            f"correlation + standard_correlation must be below 1 (correlation={rho})")
    return rho, rho_s


def _synthetic_sizes(n: Any, sample_names: list[str], seed_samples: Mapping[str, Any]) -> dict[str, int]:
    """Cases per sample: the seed's sizes (None), one size for all (int) or {sample: n}."""
    from .._utils._checks import check_count
    from ..errors import ArgumentError

    if n is None:
        return {s: int(seed_samples[s]["n"]) if s in seed_samples else 132 for s in sample_names}
    if isinstance(n, Mapping):
        unknown = [s for s in n if s not in sample_names]
        if unknown:
            raise ArgumentError("n", dict(n), f"names samples the framework does not have: {unknown}; "
                                f"known: {sample_names}")
        return {s: check_count(v, f"n[{s!r}]") for s, v in n.items()}
    size = check_count(n, "n")
    return {s: size for s in sample_names}


def _synthetic_truth(true_percent: Any, framework: Any, sample_of: Mapping[str, str],
                     seed: SeedTables) -> dict[str, float]:
    """Population % yes per key question (default: the seed's published figures, else 50)."""
    from ..errors import ArgumentError

    if true_percent is None:
        seed_pct = dict(zip(seed.key_questions["key_question"], seed.key_questions["percent_yes"]))
        return {k: float(seed_pct.get(k, 50.0)) for k in sample_of}
    framework.check_key_questions(true_percent, where="true_percent")
    bad = {k: v for k, v in true_percent.items()
           if not isinstance(v, (int, float)) or isinstance(v, bool) or not 0 <= float(v) <= 100}
    if bad:
        raise ArgumentError("true_percent", bad, "percentages must be numbers from 0 to 100")
    return {k: float(true_percent.get(k, 50.0)) for k in sample_of}


def _synthetic_design(strata: Any, sizes: Mapping[str, int], seed_samples: Mapping[str, Any],
                      n_prov: int | None) -> dict[str, tuple[str, ...]]:
    """Design stratum columns per sample (the seed's design by default)."""
    from ..errors import ArgumentError

    if strata is None:
        design = {s: tuple(seed_samples[s]["strata"]) if s in seed_samples else ("gender", "disposal", "rosh")
                  for s in sizes}
    else:
        cols = (strata,) if isinstance(strata, str) else tuple(strata)
        if any(c not in SYNTHETIC_SHARES for c in cols):
            raise ArgumentError("strata", strata, f"columns must be among {list(SYNTHETIC_SHARES)}")
        design = {s: cols for s in sizes}
    if n_prov is not None:
        design = {s: ("provider", *cols) for s, cols in design.items()}
    return design


def _synthetic_block(gen, sample: str, m: int, kqs: list, truth: Mapping[str, float],
                     rhos: tuple[float, float], group: int | None, prefix: str) -> pd.DataFrame:
    """The cases of one sample (of one provider): strata, then correlated yes/no answers."""
    import numpy as np
    from scipy import stats

    rho, rho_s = rhos
    cats = {col: _draw_categories(gen, shares, m) for col, shares in SYNTHETIC_SHARES.items()}
    shift = 0.0 if group is None else gen.normal(0.0, 0.3)
    z = gen.standard_normal(m)
    u = {sid: gen.standard_normal(m) for sid in dict.fromkeys(k.standard for k in kqs)}
    applies = np.isin(cats["rosh"], ["medium", "high", "very high"])
    answers = {}
    for k in kqs:
        p = min(max(truth[k.id] / 100.0, 1e-9), 1 - 1e-9)
        latent = (np.sqrt(rho) * z + np.sqrt(rho_s) * u[k.standard]
                  + np.sqrt(1 - rho - rho_s) * gen.standard_normal(m))
        col = np.where(latent < stats.norm.ppf(p) + shift, "yes", "no").astype(object)
        answers[k.id] = np.where(applies, col, "n/a").astype(object) if k.relevant_subsample else col
    pid = "" if group is None else f"P{group + 1:02d}-"
    block = {"case_id": [f"{pid}{prefix}{i:04d}" for i in range(1, m + 1)], "sample": sample}
    if group is not None:
        block["provider"] = f"Provider {group + 1:02d}"
    return pd.DataFrame({**block, **cats, **answers})
