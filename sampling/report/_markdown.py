"""The text of ``report.md``: settings, a summary, the flags explained in plain words,
recorded discretion, and the standards, key-question and overall tables."""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .._utils._tables import position
from ..rating._assessment import Assessment
from ..rating._view import assessment_tables, shown_probabilities
from .._utils._format import is_true, markdown_table, md_text, number, text
from .._utils._methods import method_name
from ..rating import _grades
from ..rating._settle import cases_to_settle

__all__ = ["report_markdown", "check_assessment", "inspection_name", "CAPTIONS"]

#: Caption of each chart, in report.md and its alt text.
CAPTIONS = {
    "forest": "Key questions: % yes and interval against the rating bands",
    "rating_probabilities": "Probability of each rating per standard",
    "overall": "Distribution of the overall score",
    "misrating_curve": "Misrating risk against the true percentage, at each sample's n",
    "planning_curve": "Sample size against population, with this inspection's samples",
    "balance": "Sample balance: population and sample shares",
}


def _md(value: Any) -> str:
    """Text from the input (names, reasons, labels), inert in Markdown."""
    return md_text(value)


def _pct(value: Any, digits: int = 1) -> str:
    return number(value, f".{digits}f")


def _prob(value: Any) -> str:
    return number(value, ".2f")


def _count(value: Any) -> str:
    return number(value, "g")


def check_assessment(assessment: Assessment) -> None:
    """:class:`ArgumentError` unless ``assessment`` is an Assessment with key questions."""
    assessment_tables(assessment)


def inspection_name(assessment: Any) -> str:
    """The inspected provider's name when the results give it, else the framework's name."""
    return getattr(assessment, "provider", None) or assessment.framework.name


def _header(assessment: Any, title: str | None, extra: Mapping[str, Any]) -> list[str]:
    out = [f"# {_md(title or f'Inspection results: {inspection_name(assessment)}')}", ""]
    out += [f"Rules: {_md(assessment.rules.name)} ({_md(assessment.rules.short_name)}). Key-question "
            f"intervals: {method_name(assessment.method)}, {assessment.confidence_level:.0%} confidence. Rating "
            f"probabilities: {_md(getattr(assessment, 'probability_source', ''))}.", ""]
    out += [f"- {key}: {_md(value)}" for key, value in extra.items()]
    return out + ([""] if extra else [])


def _summary(st: pd.DataFrame, ov: pd.DataFrame) -> list[str]:
    out = ["## Summary", ""]
    for rec in ov.to_dict("records"):
        rating = _md(rec.get("rating")) or "(no overall rating)"
        line = f"- Overall, {_md(rec['basis'])}: score {_count(rec.get('score'))} → **{rating}**"
        pr = rec.get("p_rating")
        if pr is not None and not pd.isna(pr):
            line += f" (probability of this rating {float(pr):.2f})"
        if is_true(rec.get("flagged")):
            line += " — flagged"
        out.append(line)
    flagged = st[st["flagged"].map(is_true)]
    out.append(f"- Standards flagged: {len(flagged)} of {len(st)}"
               + (f" ({', '.join(flagged['standard'].astype(str))})" if len(flagged) else "") + ".")
    return out + [""]


def _deciding_question(drive: str, kq: pd.DataFrame, assessment: Any) -> list[str]:
    rows = kq[kq["key_question"].astype(str) == drive]
    if not len(rows):
        return []
    d = rows.iloc[0]
    of = (f"{_count(d['yes'])} of {_count(d['n'])}" if is_true(d.get("n_known", True))
          else f"{_count(d['yes'])} of {_count(d['n'])}, an n inferred from the rounded %")
    parts = [f"Its lowest key question, {drive}, has {_pct(d['percent'])}% yes ({of}); the "
             f"{assessment.confidence_level:.0%} interval is {_pct(d['low'])}–{_pct(d['high'])}%."]
    edges = _md(d.get("boundary_inside"))
    if edges:
        plural = "edges" if "," in edges else "edge"
        parts.append(f"The band {plural} at {edges.replace(', ', '% and ')}% lie{'' if plural == 'edges' else 's'} "
                     "inside that interval: the true percentage could be on either side, so another "
                     "sample of the same size could well have given a different rating.")
    return parts


def _explain_flag(row: Mapping[str, Any], kq: pd.DataFrame, assessment: Any) -> str:
    """One paragraph in plain words: which standard, its rating, and why it is flagged."""
    sid, name = _md(row["standard"]), _md(row.get("name"))
    rating, rule = _md(row.get("rating")), _md(row.get("rule_rating"))
    published = _md(row.get("published_rating"))
    head = f"**{sid} {name}** — rated {rating}"
    if rule and rule != rating:
        head += f" (the rule gives {rule}; recorded discretion gives {rating})"
    if published and published != rating:
        head += f"; published {published}"
    parts = [head + "."] + _deciding_question(text(row.get("driving_key_question")), kq, assessment)
    probs = shown_probabilities(row, assessment.rules.labels)
    if probs:
        parts.append("Probability of each rating by the rule: "
                     + ", ".join(f"{lab} {p:.0%}" for lab, p in probs) + ".")
    reason = _md(row.get("flag_reason"))
    if reason:
        parts.append(f"Flag: {reason}.")
    elif _md(row.get("grade")):
        parts.append(f"Grade: {_md(row.get('grade'))}.")
    return " ".join(parts)


def _settle_lines(assessment: Any) -> list[str]:
    """How many more cases would settle each flagged standard: a sentence each."""
    settling = cases_to_settle(assessment)
    if not len(settling.table):
        return []
    return (["How many more cases would settle each flagged rating (\"settled\": the interval clear "
             "of the edge; the figures and their checks are in the guide *Settling a rating*):", ""]
            + [f"- {_md(x)}" for x in settling.sentences()]
            + ([f"({'; '.join(settling.notes)}.)", ""] if settling.notes else [""]))


def _flags(assessment: Any) -> list[str]:
    kq, st, ov = assessment.key_questions, assessment.standards, assessment.overall
    out = ["## Flags explained", "",
           "A rating is *flagged* when a band edge lies inside the confidence interval of the "
           "key question that decides it: the sample cannot then tell which side of the edge the "
           "true percentage lies, and the rating could change with another sample. Every rating "
           "from key questions is also *graded* by P(rule rating), the probability that a census of "
           "every eligible case would give the rule rating (what each grade means was measured in "
           f"{_grades.study_conditions()}):", "",
           *[f"- *{grade}*: {meaning}." for grade, meaning in _grades.GRADE_MEANING.items()], ""]
    flagged = st[st["flagged"].map(is_true)]
    for row in flagged.to_dict("records"):
        out += [f"- {_explain_flag(row, kq, assessment)}", ""]
    if not len(flagged):
        out += ["No standard is flagged.", ""]
    out += _settle_lines(assessment)
    for rec in ov[ov["flagged"].map(is_true)].to_dict("records"):
        probs = ", ".join(f"{lab} {p:.0%}" for lab, p in shown_probabilities(rec, assessment.rules.labels))
        out += [f"- **Overall ({_md(rec['basis'])})** — {_md(rec.get('rating'))} on a score of "
                f"{_count(rec.get('score'))}, but the probability of that rating is only "
                f"{float(rec['p_rating']):.2f} ({probs}).", ""]
    return out


def _discretion(st: pd.DataFrame) -> list[str]:
    out = []
    overrides = st[st["override_rating"].map(lambda v: bool(_md(v)))]
    if len(overrides):
        out += ["### Recorded professional discretion", ""]
        for row in overrides.to_dict("records"):
            out += [f"- **{_md(row['standard'])} {_md(row.get('name'))}**: {_md(row.get('override_rating'))} "
                    f"(the rule gives {_md(row.get('rule_rating'))}). Reason: "
                    f"{_md(row.get('override_reason')) or 'not recorded'}", ""]
    disagree = st[st["agrees_with_published"].eq(False)]
    if len(disagree):
        out += ["### Ratings that differ from the published ones", ""]
        for row in disagree.to_dict("records"):
            out += [f"- {_md(row['standard'])} {_md(row.get('name'))}: here {_md(row.get('rating'))}, "
                    f"published {_md(row.get('published_rating'))}.", ""]
    return out


def _standards_table(st: pd.DataFrame, labels: Sequence[str]) -> list[str]:
    std = pd.DataFrame({
        "standard": st["standard"], "name": st["name"], "rated by": st["rated_by"],
        "driving question": st["driving_key_question"].map(text),
        "rule": st["rule_rating"].map(text), "discretion": st["override_rating"].map(text),
        "rating": st["rating"].map(text), "published": st["published_rating"].map(text),
        **{f"P({lab})": st[f"P({lab})"].map(_prob) for lab in labels if f"P({lab})" in st},
        "grade": st["grade"].map(text) if "grade" in st else "",
        "flag": np.where(st["flagged"].map(is_true), "flagged", ""),
    })
    return ["## Standards", "", markdown_table(std), ""]


def _key_question_table(kq: pd.DataFrame, confidence_level: float) -> list[str]:
    kqt = pd.DataFrame({
        "question": kq["key_question"].astype(str) + np.where(kq["relevant_subsample"].map(is_true), " †", ""),
        "yes": kq["yes"].map(_count),
        "n": kq["n"].map(_count) + np.where(kq["n_known"].map(is_true), "", "*"),
        "% yes": kq["percent"].map(_pct),
        "banded %": kq["published_percent"].map(lambda v: _pct(v, 0)),
        f"{confidence_level:.0%} interval": [f"{_pct(a)}–{_pct(b)}" for a, b in zip(kq["low"], kq["high"])],
        "band": kq["band"].map(text),
        "edge inside": kq["boundary_inside"].map(text),
        "flag": np.where(kq["flagged"].map(is_true), "flagged", ""),
    })
    if "weighted_percent" in kq.columns:  # design-weighted: the interval is about w%
        kqt.insert(4, "w% (population)", kq["weighted_percent"].map(_pct))
    if "design_effect" in kq.columns:  # R svymean(deff=TRUE): design variance / SRS variance, n/deff
        deff, n_eff = (pd.to_numeric(kq[c], errors="coerce") for c in ("design_effect", "effective_n"))
        at = position(kqt, f"{confidence_level:.0%} interval") + 1
        kqt.insert(at, "design effect", deff.map(lambda v: "" if pd.isna(v) else f"{v:.2f}"))
        kqt.insert(at + 1, "effective n", n_eff.map(lambda v: "" if pd.isna(v) else f"{v:.1f}"))
    has_missing = "missing" in kq.columns and kq["missing"].fillna(0).astype(float).gt(0).any()
    if has_missing:  # blank answers of partly answered cases, left out of n
        kqt.insert(3, "missing", kq["missing"].fillna(0).astype(int).astype(str).to_numpy())
    out = ["## Key questions", "", markdown_table(kqt), ""]
    marks = []
    if has_missing:
        marks.append("missing: blank answers in partly answered cases, left out of the question's n; missing "
                     "answers are taken to be like the answered ones in the same stratum (an interim result)")
    if kq["relevant_subsample"].map(is_true).any():
        marks.append("† relevant sub-sample (only the cases where the question applies)")
    if (~kq["n_known"].map(is_true)).any():
        marks.append("* n not published: a relevant sub-sample is taken at its smallest plausible size "
                     "(at least 40% of cases) consistent with the published %, so its interval is as wide "
                     "as the data allow; otherwise the largest n consistent with the %")
    return out + (["; ".join(marks) + ".", ""] if marks else [])


def _overall_table(ov: pd.DataFrame, labels: Sequence[str]) -> list[str]:
    ovt = pd.DataFrame({
        "basis": ov["basis"], "score": ov["score"].map(_count), "rating": ov["rating"].map(text),
        **{f"P({lab})": ov[f"P({lab})"].map(_prob) for lab in labels if f"P({lab})" in ov},
        "flag": np.where(ov["flagged"].map(is_true), "flagged", "") if "flagged" in ov else "",
    })
    return ["## Overall", "", markdown_table(ovt), "",
            "Bases: *rule* — every key-question standard rated by the rule; *rule + recorded "
            "overrides* — recorded professional discretion kept; *published* — the published "
            "ratings where given. Judgement-rated standards are fixed in every basis.", ""]


def _charts_and_files(assessment: Any, charts: Sequence[str], sections: Sequence[str] = ()) -> list[str]:
    out = []
    if charts:
        out += ["## Charts", ""]
        for c in charts:
            caption = CAPTIONS.get(c, c)
            out += [f"![{caption}]({c}.png)", "", f"*{caption}* ([SVG]({c}.svg))", ""]
    out += list(sections)
    notes = list(getattr(assessment, "notes", ()) or ())
    if notes:
        out += ["## Notes", ""] + [f"- {n}" for n in notes] + [""]
    return out + ["## Files", "",
                  "- `report.csv`: one row per key question with its standard's columns (`standard_*`), "
                  "then one row per judgement-rated standard.",
                  "- `report.xlsx`: one sheet per table (key_questions, standards, overall, overall_scores, "
                  "settings" + (", balance" if "balance" in charts else "") + ").",
                  "- Each chart as PNG (200 dpi) and SVG.", ""]


def _design(designs: Sequence[Any]) -> list[str]:
    """The design of each sample: its statement in words, then its figures as a table."""
    if not designs:
        return []
    out = ["## Design", ""]
    for d in designs:
        out += [_md(d.text()), ""]
        table = d.to_frame().drop(columns=["sample"])
        table["cases"] = table["cases"].map(lambda v: "unknown" if pd.isna(v) else f"{int(v):,}")
        out += [markdown_table(table.rename(columns={"item": f"{d.label or d.sample}"})), ""]
    return out


def report_markdown(assessment: Assessment, *, charts: Sequence[str] = (), title: str | None = None,
                    extra_settings: Mapping[str, Any] | None = None, sections: Sequence[str] = (),
                    design: Sequence[Any] = ()) -> str:
    """The text of ``report.md``.

    Parameters
    ----------
    assessment : Assessment
        From :func:`sampling.rate`.
    charts : sequence of str
        Names of the charts written beside it (linked with their captions).
    title : str, optional
        The heading (default "Inspection results: <provider or framework>").
    extra_settings : mapping, optional
        ``{name: value}`` lines under the heading.
    sections : sequence of str, optional
        Markdown lines of further analyses (a breakdown by subgroup …), after the charts.
    design : sequence of DesignStatement, optional
        The design of each sample, stated after the settings (a "Design" section).

    Returns
    -------
    str
        Markdown.
    """
    check_assessment(assessment)
    st, ov, labels = assessment.standards, assessment.overall, list(assessment.rules.labels)
    out = _header(assessment, title, dict(extra_settings or {})) + _design(design)
    out += _summary(st, ov) + _flags(assessment) + _discretion(st)
    out += _standards_table(st, labels) + _key_question_table(assessment.key_questions, assessment.confidence_level)
    out += _overall_table(ov, labels) + _charts_and_files(assessment, charts, sections)
    return "\n".join(out)
