"""sampling.charts: what each figure draws (artists, not just files), palette, text, privacy."""
from __future__ import annotations

import dataclasses
import itertools

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from sampling import ArgumentError, DataError, OutputError, charts
from sampling.draw._draw import draw_sample
from sampling.examples import seed_inspection, seed_tables, synthetic_frame, synthetic_results
from sampling.plan._plan import implied_population, misrating_risk, sample_size
from sampling.rating._ratings import rate

B = 1000


@pytest.fixture(scope="module")
def seed_assessment():
    return rate(seed_inspection(), n_resamples=B, rng=7)


@pytest.fixture(scope="module")
def synthetic():
    results = synthetic_results(11)
    return results, rate(results, n_resamples=B, rng=7)


@pytest.fixture(scope="module")
def sample():
    return draw_sample(synthetic_frame(1500, 3), 132, rng=3)


@pytest.fixture(scope="module")
def every_figure(seed_assessment, synthetic, sample):
    _, syn = synthetic
    return {
        "forest seed": charts.forest(seed_assessment),
        "forest synthetic": charts.forest(syn),
        "probabilities seed": charts.rating_probabilities(seed_assessment),
        "probabilities synthetic": charts.rating_probabilities(syn),
        "overall seed": charts.overall(seed_assessment),
        "overall synthetic": charts.overall(syn),
        "balance": charts.balance(sample),
        "planning": charts.planning_curve(),
        "misrating": charts.misrating_curve([132, 54, 42], [668, 79, 56]),
    }


def _texts(fig: Figure) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_text()]


def _legends(fig: Figure) -> list:
    return list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]


def _all_text(fig: Figure) -> str:
    parts = [t.get_text() for t in _texts(fig)]
    for ax in fig.axes:
        parts += [t.get_text() for t in ax.get_yticklabels() + ax.get_xticklabels()]
    return "\n".join(parts)


# --------------------------------------------------------------------------- palette
def test_band_colours_have_strictly_distinct_luminance():
    for palette, gap in ((charts.BAND_COLOURS, 0.09), (charts.ZONE_COLOURS, 0.12)):
        lum = [charts.relative_luminance(c) for c in palette]
        assert lum == sorted(lum), "worst to best must get lighter (ordinal in greyscale)"
        for a, b in itertools.combinations(lum, 2):
            assert abs(a - b) >= gap
    # other band counts: still strictly increasing luminance
    for k in (2, 3, 5, 6):
        lum = [charts.relative_luminance(c) for c in charts.band_colours(k)]
        assert all(np.diff(lum) > 0.03)


def test_relative_luminance_matches_wcag_reference_values():
    assert charts.relative_luminance("white") == pytest.approx(1.0)
    assert charts.relative_luminance("black") == pytest.approx(0.0)
    # WCAG: pure red 0.2126, pure green 0.7152; #777777 about 0.1845 (contrast 4.48:1 on white)
    assert charts.relative_luminance("#ff0000") == pytest.approx(0.2126)
    assert charts.relative_luminance("#00ff00") == pytest.approx(0.7152)
    assert (1.05 / (charts.relative_luminance("#777777") + 0.05)) == pytest.approx(4.48, abs=0.01)


def test_adjacent_zones_differ_in_hatching():
    h = charts.ZONE_HATCHES
    assert all(a != b for a, b in zip(h, h[1:]))


# --------------------------------------------------------------------------- forest
def _edge_lines(ax):
    return [l for l in ax.get_lines() if (l.get_gid() or "").startswith("edge-")]


@pytest.mark.parametrize("which", ["seed", "synthetic"])
def test_forest_one_row_per_key_question_and_edges_where_the_rules_say(which, seed_assessment, synthetic):
    a = seed_assessment if which == "seed" else synthetic[1]
    fig = charts.forest(a)
    ax = fig.axes[0]
    kq = a.key_questions
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == len(kq)
    assert [lab.split()[0].rstrip("†") for lab in labels] == list(kq["key_question"])
    # relevant sub-sample marked †, inferred n marked *
    for lab, rs, known in zip(labels, kq["relevant_subsample"], kq["n_known"]):
        assert ("†" in lab) == bool(rs)
        assert lab.endswith("*") == (not known)
    # band edges: one vertical line at each edge where the rounding rule puts it (49.5 publishes
    # as 50), labelled with the published edge; the zones span the bands
    edges = sorted(float(l.get_xdata()[0]) for l in _edge_lines(ax))
    assert edges == [49.5, 64.5, 79.5] == list(a.rules.effective_edges)
    assert sorted(l.get_gid() for l in _edge_lines(ax)) == ["edge-50", "edge-65", "edge-80"]
    for l in _edge_lines(ax):
        assert l.get_xdata()[0] == l.get_xdata()[1]
    spans = sorted((p.get_x(), p.get_x() + p.get_width()) for p in ax.patches
                   if (p.get_gid() or "").startswith("band-"))
    assert spans == [(0, 49.5), (49.5, 64.5), (64.5, 79.5), (79.5, 100)]
    ticks = {float(t): lab.get_text() for t, lab in zip(ax.get_xticks(), ax.get_xticklabels())}
    assert {ticks[49.5], ticks[64.5], ticks[79.5]} == {"50%", "65%", "80%"}
    # 2.1.1's interval 69.9–79.5 is flagged for the 80 edge, and now visibly reaches it
    row = kq.set_index("key_question").loc["2.1.1"]
    assert row["high"] >= a.rules.effective_edges[2] and row["boundary_inside"]
    # points at the percentages, interval bars at low–high
    flagged = kq["flagged"].to_numpy(bool)
    lines = {l.get_gid(): l for l in ax.get_lines()}
    if flagged.any():
        np.testing.assert_allclose(lines["flagged"].get_xdata(), kq.loc[flagged, "percent"])
    if (~flagged).any():
        np.testing.assert_allclose(lines["points"].get_xdata(), kq.loc[~flagged, "percent"])
    assert lines.get("flagged", Line2D([], [])).get_marker() in ("D", "None")
    segs = [c for c in ax.collections if c.get_gid() == "intervals"][0].get_segments()
    np.testing.assert_allclose([s[0][0] for s in segs], kq["low"])
    np.testing.assert_allclose([s[1][0] for s in segs], kq["high"])
    # each standard's verdict beside its group, and a legend entry for flagged questions
    text = _all_text(fig)
    for rec in a.standards[a.standards["rated_by"] == "key questions"].itertuples():
        assert f"{rec.standard} {rec.name}" in text
        assert f"Rating: {rec.rating}" in text
    n_flag_notes = text.count("◆ Flagged")
    assert n_flag_notes == int(a.standards["flagged"].sum())
    legend_texts = [t.get_text() for leg in _legends(fig) for t in leg.get_texts()]
    assert any("Flagged" in t for t in legend_texts)
    assert "Wilson, 80% confidence" in text


def test_forest_seed_marks_discretion_and_published_disagreement(seed_assessment):
    text = _all_text(charts.forest(seed_assessment))
    assert "(recorded discretion; rule: Inadequate)" in text          # 2.4
    assert "Published: Requires improvement" in text                  # 2.1 and 2.2
    assert "† relevant sub-sample" in text and "* n not published" in text


def test_forest_subset_of_standards(seed_assessment):
    fig = charts.forest(seed_assessment, standards="4.1")
    labels = [t.get_text().split()[0] for t in fig.axes[0].get_yticklabels()]
    assert labels == ["4.1.1", "4.1.2", "4.1.3", "4.1.4"]
    fig = charts.forest(seed_assessment, standards=["4.2", "2.1"])  # framework order kept
    labels = [t.get_text().split()[0] for t in fig.axes[0].get_yticklabels()]
    assert labels == ["2.1.1", "2.1.2", "2.1.3", "4.2.1", "4.2.2", "4.2.3"]


def test_unknown_standard_is_a_data_error(seed_assessment):
    for chart in (charts.forest, charts.rating_probabilities):
        with pytest.raises(DataError, match="unknown standard '9.9'") as info:
            chart(seed_assessment, standards=["2.1", "9.9"])
        assert "Known: 1.1" in str(info.value)
    with pytest.raises(DataError, match="rated by judgement"):
        charts.forest(seed_assessment, standards="1.1")
    with pytest.raises(ArgumentError):
        charts.forest(seed_assessment, standards=[])


def test_assessment_without_key_questions_is_a_clear_error(seed_assessment):
    empty = dataclasses.replace(seed_assessment, key_questions=seed_assessment.key_questions.iloc[:0])
    for chart in (charts.forest, charts.rating_probabilities, charts.overall):
        with pytest.raises(DataError, match="no key questions"):
            chart(empty)
    with pytest.raises(ArgumentError, match="Assessment"):
        charts.forest(object())


# --------------------------------------------------------------------------- probabilities
def test_rating_probabilities_bars_are_the_standard_probabilities(seed_assessment):
    a = seed_assessment
    fig = charts.rating_probabilities(a)
    ax = fig.axes[0]
    st = a.standards
    assert [t.get_text().split()[0] for t in ax.get_yticklabels()] == list(st["standard"])
    widths = np.zeros((len(st), len(a.rules.labels)))
    for j in range(len(a.rules.labels)):
        bars = [p for p in ax.patches if p.get_gid() == f"prob-{j}"]
        widths[:, j] = [p.get_width() for p in bars]
    expected = st[[f"P({lab})" for lab in a.rules.labels]].to_numpy(float)
    np.testing.assert_allclose(widths, expected)
    np.testing.assert_allclose(widths.sum(axis=1), 1.0)
    # rule and published ratings marked: one ▼ per standard, one ○ per published rating
    rule_marks = [l for l in ax.get_lines() if l.get_gid() == "rule-rating"]
    pub_marks = [l for l in ax.get_lines() if l.get_gid() == "published-rating"]
    assert len(rule_marks) == len(st)
    assert len(pub_marks) == int(st["published_rating"].notna().sum())
    # 4.1: rule Good → ▼ sits inside the Good segment
    i = list(st["standard"]).index("4.1")
    x = rule_marks[i].get_xdata()[0]
    cum = np.r_[0, np.cumsum(expected[i])]
    good = a.rules.band_of("Good")
    assert cum[good] <= x <= cum[good + 1]
    assert "(judgement)" in _all_text(fig)


def test_rating_probabilities_subset(seed_assessment):
    fig = charts.rating_probabilities(seed_assessment, standards=["2.4", "1.1"])
    assert [t.get_text().split()[0] for t in fig.axes[0].get_yticklabels()] == ["1.1", "2.4"]


# --------------------------------------------------------------------------- overall
def test_overall_one_panel_per_basis_with_score_distribution_and_bands(seed_assessment):
    a = seed_assessment
    fig = charts.overall(a)
    bases = list(dict.fromkeys(a.overall_scores["basis"]))
    assert len(fig.axes) == len(bases) == 3
    ranges = a.rules.overall_ranges()
    for ax, basis in zip(fig.axes, bases):
        dist = a.overall_scores[a.overall_scores["basis"] == basis]
        bars = [p for p in ax.patches if p.get_gid() == f"scores-{basis}"]
        heights = {round(p.get_x() + p.get_width() / 2): p.get_height() for p in bars}
        assert heights == pytest.approx(dict(zip(dist["score"].astype(int), dist["probability"])))
        spans = sorted((round(p.get_x(), 6), round(p.get_x() + p.get_width(), 6)) for p in ax.patches
                       if (p.get_gid() or "").startswith("band-"))
        assert spans == [(lo - 0.5, hi + 0.5) for lo, hi in zip(ranges["score_from"], ranges["score_to"])]
        assert ax.get_title(loc="left").startswith(basis)
    assert "score 12" in fig.axes[0].get_title(loc="left")     # the seed: rule 12, overrides 13, published 15
    assert "score 15" in fig.axes[2].get_title(loc="left")


# --------------------------------------------------------------------------- balance
def test_balance_bars_are_population_and_sample_shares(sample):
    fig = charts.balance(sample)
    table = sample.balance
    variables = list(dict.fromkeys(table["variable"]))
    assert len(fig.axes) == len(variables)
    for ax, v in zip(fig.axes, variables):
        sub = table[table["variable"] == v]
        rects = [p for p in ax.patches if isinstance(p, Rectangle)]
        pop = [r.get_width() for r in rects[: len(sub)]]
        smp = [r.get_width() for r in rects[len(sub):]]
        np.testing.assert_allclose(pop, sub["population_pct"])
        np.testing.assert_allclose(smp, sub["sample_pct"])
        assert [t.get_text() for t in ax.get_yticklabels()] == list(sub["category"])
    with pytest.raises(DataError, match="missing columns"):
        charts.balance(table.drop(columns="sample_pct"))
    with pytest.raises(ArgumentError):
        charts.balance(42)


# --------------------------------------------------------------------------- planning
def test_planning_curve_marks_the_given_samples_at_their_implied_populations():
    seed_marks = {s["label"]: s["n"] for s in seed_tables().inspection["samples"].values()}
    fig = charts.planning_curve(marks=seed_marks)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    curve = ax.get_lines()[0]
    for N, n in zip(curve.get_xdata()[::10], curve.get_ydata()[::10]):
        assert n == sample_size(int(N))
    seed_n = [s["n"] for s in seed_tables().inspection["samples"].values()]
    points = sorted((float(l.get_xdata()[0]), float(l.get_ydata()[0])) for l in ax.get_lines()
                    if l.get_linestyle() == "None")
    expected = sorted((float(implied_population(n).high), float(n)) for n in seed_n)
    assert points == expected == [(56.0, 42.0), (79.0, 54.0), (668.0, 132.0)]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("N = 644–668" in t for t in legend)
    # no marks unless the caller gives them: the library knows no inspection's samples
    assert not [l for l in charts.planning_curve().axes[0].get_lines() if l.get_linestyle() == "None"]
    with pytest.raises(ArgumentError, match="marks"):
        charts.planning_curve(marks=True)
    with pytest.raises(ArgumentError):
        charts.planning_curve(populations=[0, 10])


def test_misrating_curve_is_the_exact_risk_with_band_edges():
    fig = charts.misrating_curve([54, 132], [79, None])
    ax = fig.axes[0]
    curves = [l for l in ax.get_lines() if not (l.get_gid() or "").startswith("edge-")]
    assert len(curves) == 2
    x = curves[0].get_xdata()
    np.testing.assert_allclose(curves[0].get_ydata(), misrating_risk(x, 54, 79))
    np.testing.assert_allclose(curves[1].get_ydata(), misrating_risk(x, 132))
    assert sorted(float(l.get_xdata()[0]) for l in _edge_lines(ax)) == [49.5, 64.5, 79.5]  # where the rounding rule puts the edges
    with pytest.raises(ArgumentError):
        charts.misrating_curve([54, 132], [79])


# --------------------------------------------------------------------------- every figure
def test_every_text_is_at_least_8_points(every_figure):
    for name, fig in every_figure.items():
        small = [(t.get_text(), t.get_fontsize()) for t in fig.findobj(Text)
                 if t.get_text() and t.get_fontsize() < charts.MIN_FONT_SIZE]
        assert not small, f"{name}: {small[:5]}"


def test_no_case_identifier_in_any_figure_or_svg(every_figure, synthetic, sample, tmp_path):
    results, _ = synthetic
    ids = set(map(str, results.answers.index)) | set(map(str, sample.cases["case_id"]))
    assert len(ids) > 100
    for name, fig in every_figure.items():
        text = _all_text(fig)
        assert not [i for i in ids if i in text], name
        paths = charts.save(fig, tmp_path / name.replace(" ", "_"), formats=("svg",))
        svg = paths[0].read_text(encoding="utf-8")
        assert "<text" in svg or "font" in svg  # text kept as text, so the check is meaningful
        assert not [i for i in ids if i in svg], name


def test_figures_do_not_touch_pyplot_state(seed_assessment):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    charts.forest(seed_assessment)
    charts.planning_curve()
    assert plt.get_fignums() == before


# --------------------------------------------------------------------------- saving
def test_save_writes_png_and_svg_atomically_and_reproducibly(seed_assessment, tmp_path):
    fig = charts.forest(seed_assessment, standards="4.1")
    png, svg = charts.save(fig, tmp_path / "forest.v1")
    assert png.name == "forest.v1.png" and svg.name == "forest.v1.svg"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    first = (png.read_bytes(), svg.read_bytes())
    charts.save(charts.forest(seed_assessment, standards="4.1"), tmp_path / "forest.v1")
    assert (png.read_bytes(), svg.read_bytes()) == first   # no timestamps: byte-identical
    assert sorted(p.name for p in tmp_path.iterdir()) == ["forest.v1.png", "forest.v1.svg"]
    # the save= argument of every chart
    charts.planning_curve(save=tmp_path / "plan")
    assert (tmp_path / "plan.png").is_file() and (tmp_path / "plan.svg").is_file()


def test_save_bad_format_or_folder(seed_assessment, tmp_path):
    fig = charts.planning_curve()
    with pytest.raises(ArgumentError, match="formats"):
        charts.save(fig, tmp_path / "x", formats=("gif",))
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(OutputError):
        charts.save(fig, blocker / "x")
    with pytest.raises(OutputError):
        charts.save(fig, tmp_path / "missing" / "x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
