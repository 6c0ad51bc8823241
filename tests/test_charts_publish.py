"""sampling.charts, ready to publish: one colour-blind-safe band palette (checked by simulation),
``ax=``/``fig=`` on every chart, the provider in every title, every text inside the figure, no
large empty areas, probability axes 0–1, strata under the export's own headers."""
from __future__ import annotations

import dataclasses
import inspect
import itertools
import typing

import matplotlib

matplotlib.use("Agg")

import matplotlib.image as mpimg
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.text import Text

from sampling import ArgumentError, charts
from sampling.charts._colour import ciede2000, simulate_cvd, srgb_to_lab
from sampling.comparison._breakdown import breakdown
from sampling.comparison._compare import compare
from sampling.comparison._pool import pool
from sampling.draw._draw import draw_sample
from sampling.draw._frame import load_frame
from sampling.examples import synthetic_frame, synthetic_results
from sampling.rating._ratings import rate

LONG = "Northshire and South Riding Community Rehabilitation Company"
OTHER = "Westmoor and Fen Community Rehabilitation Company"
POPULATION = {"case_supervision": 700, "unpaid_work": 90, "through_the_gate": 60}
HEADERS = {"gender": "Sex", "disposal": "Order Type", "rosh": "RoSH Level"}
#: the exported functions of sampling.charts that are not charts
NOT_CHARTS = {"save", "band_colours", "relative_luminance"}
KINDS = ("protanopia", "deuteranopia", "tritanopia")


# --------------------------------------------------------------------------- an own inspection
@pytest.fixture(scope="module")
def own():
    """A synthetic own inspection with a long provider name, a frame under the export's
    headers, a re-inspection to compare with, a breakdown and a national pool."""
    results = dataclasses.replace(synthetic_results(11, population=POPULATION), provider=LONG)
    other = dataclasses.replace(synthetic_results(12, population=POPULATION), provider=OTHER)
    frame = load_frame(synthetic_frame(1500, 3).rename(columns=HEADERS))
    sample = draw_sample(frame, 132, strata=list(HEADERS.values()), rng=3)
    pooled = pool([dataclasses.replace(synthetic_results(20 + i, population=POPULATION), provider=p)
                   for i, p in enumerate([LONG, OTHER, "Provider C", "Provider D"])])
    return {"assessment": rate(results, n_resamples=400, rng=7), "sample": sample,
            "comparison": compare(other, results, n_resamples=400, rng=1),
            "breakdown": breakdown(results, "gender", n_resamples=200, rng=1), "pool": pooled}


def _makers(own):
    """{chart name: make(target)} for every chart; target is an Axes, a (sub)figure or None."""
    a, kq = own["assessment"], own["pool"].national["key_question"].iloc[0]
    return {
        "forest": lambda t: charts.forest(a, ax=t),
        "rating_probabilities": lambda t: charts.rating_probabilities(a, ax=t),
        "overall": lambda t: charts.overall(a, fig=t),
        "balance": lambda t: charts.balance(own["sample"], provider=LONG, fig=t),
        "planning_curve": lambda t: charts.planning_curve(marks={"Case supervision": 132}, provider=LONG, ax=t),
        "misrating_curve": lambda t: charts.misrating_curve([132, 54], [700, 90], provider=LONG, ax=t),
        "dumbbell": lambda t: charts.dumbbell(own["comparison"], ax=t),
        "subgroup_forest": lambda t: charts.subgroup_forest(own["breakdown"], ax=t),
        "funnel": lambda t: charts.funnel(own["pool"], kq, provider=LONG, ax=t),
    }


def _chart_functions():
    out = {}
    for name in charts.__all__:
        obj = getattr(charts, name)
        if callable(obj) and inspect.isfunction(obj) and name not in NOT_CHARTS:
            out[name] = obj
    return out


@pytest.fixture(scope="module")
def rendered(own):
    figs = {name: make(None) for name, make in _makers(own).items()}
    for fig in figs.values():
        FigureCanvasAgg(fig).draw()
    return figs


# --------------------------------------------------------------------------- colour science
@pytest.mark.parametrize("lab1, lab2, expected", [
    # Sharma, Wu & Dalal (2005), Table 1: pairs 1, 7, 17, 18, 19, 20 and 25
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((50.0, 2.5, 0.0), (61.0, -5.0, 29.0), 22.8977),
    ((50.0, 2.5, 0.0), (56.0, -27.0, -3.0), 31.9030),
    ((50.0, 2.5, 0.0), (58.0, 24.0, 15.0), 19.4535),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
])
def test_ciede2000_matches_the_published_test_data(lab1, lab2, expected):
    assert float(ciede2000(lab1, lab2)[0]) == pytest.approx(expected, abs=1e-4)
    assert float(ciede2000(lab2, lab1)[0]) == pytest.approx(expected, abs=1e-4)  # symmetric


def test_lab_of_reference_colours():
    lab = srgb_to_lab(["white", "black", "#777777"])
    np.testing.assert_allclose(lab[0], [100, 0, 0], atol=0.05)
    np.testing.assert_allclose(lab[1], [0, 0, 0], atol=0.05)
    assert lab[2, 0] == pytest.approx(50.03, abs=0.1) and abs(lab[2, 1]) < 0.05


def test_cvd_simulation_keeps_greys_and_merges_red_with_green():
    greys = ["#000000", "#777777", "#ffffff"]
    for kind in KINDS:
        np.testing.assert_allclose(simulate_cvd(greys, kind), [matplotlib.colors.to_rgb(g) for g in greys],
                                   atol=2e-3)
    # a red and a green of the same lightness: far apart to normal vision, close to dichromats
    red, green = "#d0342c", "#4f8f00"
    normal = float(ciede2000(*srgb_to_lab([red, green]))[0])
    for kind in ("protanopia", "deuteranopia"):
        sim = srgb_to_lab(simulate_cvd([red, green], kind))
        assert float(ciede2000(sim[0], sim[1])[0]) < 0.35 * normal, kind


# --------------------------------------------------------------------------- the palette
def _min_difference(colours, kind=None):
    rgb = (np.array([matplotlib.colors.to_rgb(c) for c in colours]) if kind is None
           else simulate_cvd(colours, kind))
    lab = srgb_to_lab(rgb)
    pairs = itertools.combinations(range(len(colours)), 2)
    return min(float(ciede2000(lab[i], lab[j])[0]) for i, j in pairs), lab[:, 0]


@pytest.mark.parametrize("kind", [None, *KINDS])
def test_band_palette_stays_distinguishable_and_ordered_under_colour_blindness(kind):
    # every pair at least 10 CIEDE2000 apart (about 4-5 just-noticeable differences), and
    # each band lighter than the one below it by as much in L*, so the order reads in
    # greyscale and to a dichromat
    for k, gap in ((4, 10.0), (3, 10.0), (5, 6.5)):
        colours = charts.BAND_COLOURS if k == 4 else charts.band_colours(k)
        least, lightness = _min_difference(colours, kind)
        assert least >= gap, (k, kind, least)
        assert np.all(np.diff(lightness) >= gap), (k, kind, lightness)
    # black ink reads on every band (WCAG contrast at least 4.5:1)
    assert min(charts.relative_luminance(c) for c in charts.BAND_COLOURS) >= 0.175


def _band_fills(fig: Figure) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for ax in fig.axes:
        for p in ax.patches:
            gid = p.get_gid() or ""
            if gid.startswith(("band-", "prob-")):
                out.setdefault(int(gid.split("-")[1]), set()).add(to_hex(p.get_facecolor(), keep_alpha=True))
    return out


def test_one_band_palette_in_every_chart_with_bands(rendered):
    expected = {i: {to_hex(c, keep_alpha=True)} for i, c in enumerate(charts.BAND_COLOURS)}
    with_bands = ["forest", "rating_probabilities", "overall", "misrating_curve", "dumbbell", "subgroup_forest"]
    for name in with_bands:
        assert _band_fills(rendered[name]) == expected, name
    # no band colour stands for something else (the balance chart's sample bars)
    fills = {to_hex(p.get_facecolor()) for ax in rendered["balance"].axes for p in ax.patches}
    assert not fills & set(charts.BAND_COLOURS)


# --------------------------------------------------------------------------- ax= and fig=
def test_every_chart_takes_ax_or_fig_and_returns_the_figure(own):
    functions = _chart_functions()
    makers = _makers(own)
    assert set(functions) == set(makers), "a chart without a test here, or a test of a chart that is gone"
    for name, fn in functions.items():
        params = inspect.signature(fn).parameters
        assert ("ax" in params) != ("fig" in params), name
        assert typing.get_type_hints(fn)["return"] is Figure, name
        assert next(p for k, p in params.items() if k in ("ax", "fig")).default is None
    host = Figure(figsize=(30, 40))
    grid = host.subfigures(3, 3).ravel()
    for (name, make), sub in zip(makers.items(), grid):
        takes_fig = "fig" in inspect.signature(functions[name]).parameters
        if takes_fig:
            assert make(sub) is host, name
            assert sub.axes and all(ax in host.axes for ax in sub.axes), name
        else:
            ax = sub.add_subplot()
            assert make(ax) is host, name
            assert ax.get_children() and (ax.lines or ax.patches or ax.collections), name
    n_axes = len(host.axes)
    FigureCanvasAgg(host).draw()  # draws as one figure, nothing added to it at draw time
    assert len(host.axes) == n_axes
    # not an Axes: a clear error, before anything is drawn
    with pytest.raises(ArgumentError, match="Axes"):
        charts.planning_curve(ax=host)
    with pytest.raises(ArgumentError, match="Figure"):
        charts.overall(own["assessment"], fig=host.axes[0])


# --------------------------------------------------------------------------- fits the figure
def _drawn_texts(fig: Figure) -> list[Text]:
    """Every visible, non-empty text the canvas draws (tick labels of ticks outside the view
    are made but never drawn, so they are left out)."""
    skip = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not (lo - 1e-9 * max(1, abs(hi)) <= tick.get_loc() <= hi + 1e-9 * max(1, abs(hi))):
                    skip |= {id(tick.label1), id(tick.label2)}
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip() and id(t) not in skip]


def _titles(fig: Figure) -> list[str]:
    found = [fig._suptitle.get_text()] if fig._suptitle is not None else []
    found += [ax.get_title(loc=loc) for ax in fig.axes for loc in ("left", "center")]
    return [" ".join(t.split()) for t in found if t.strip()]


def test_every_chart_names_the_provider_and_keeps_every_text_inside_the_figure(rendered):
    assert set(rendered) == set(_chart_functions())
    for name, fig in rendered.items():
        assert any(LONG in t for t in _titles(fig)), (name, _titles(fig))
        renderer = fig.canvas.get_renderer()
        box = fig.bbox
        outside = []
        for t in _drawn_texts(fig):
            e = t.get_window_extent(renderer)
            if e.x0 < box.x0 - 0.5 or e.x1 > box.x1 + 0.5 or e.y0 < box.y0 - 0.5 or e.y1 > box.y1 + 0.5:
                outside.append((t.get_text()[:40], tuple(np.round(e.extents))))
        assert not outside, (name, outside[:5])
        # and at the size a report uses, nothing smaller than the house minimum
        assert min(t.get_fontsize() for t in _drawn_texts(fig)) >= charts.MIN_FONT_SIZE


def test_the_overflow_check_can_fail():
    fig = Figure(figsize=(4, 3))
    ax = fig.add_subplot()
    ax.set_title(LONG * 2)
    FigureCanvasAgg(fig).draw()
    e = ax.title.get_window_extent(fig.canvas.get_renderer())
    assert e.x1 > fig.bbox.x1 and ax.title in _drawn_texts(fig)


def _largest_blank_fraction(path, step: int = 4) -> float:
    """The largest all-white axis-aligned rectangle of a PNG, as a share of its area
    (maximal rectangle in a binary matrix, one histogram per row)."""
    img = mpimg.imread(path)[::step, ::step, :3]
    blank = (img > 0.98).all(axis=2)
    heights = np.zeros(blank.shape[1], dtype=int)
    best = 0
    for row in blank:
        heights = np.where(row, heights + 1, 0)
        stack: list[tuple[int, int]] = []
        for i, h in enumerate([*heights.tolist(), 0]):
            start = i
            while stack and stack[-1][1] >= h:
                start, top = stack.pop()
                best = max(best, top * (i - start))
            stack.append((start, h))
    return best / blank.size


@pytest.mark.parametrize("name", ["forest", "dumbbell", "rating_probabilities", "subgroup_forest"])
def test_no_large_empty_area(name, rendered, tmp_path):
    # before: forest.png's largest empty rectangle was 41% of the image (the column right of
    # the plot, above the notes); now the plot and its notes share the width
    png, = charts.save(rendered[name], tmp_path / name, formats=("png",), dpi=100)
    assert _largest_blank_fraction(png) < 0.10


def test_the_blank_measure_finds_an_empty_half(tmp_path):
    fig = Figure(figsize=(6, 3))
    ax = fig.add_axes((0.05, 0.05, 0.4, 0.9))
    ax.axvspan(0, 1, color="black")
    fig.savefig(tmp_path / "half.png", dpi=50, facecolor="white")
    assert _largest_blank_fraction(tmp_path / "half.png", step=1) > 0.45


# --------------------------------------------------------------------------- axes and names
def test_probability_axes_run_from_0_to_1(rendered):
    for ax in rendered["overall"].axes:
        assert ax.get_ylim() == (0.0, 1.0)
    assert rendered["rating_probabilities"].axes[0].get_xlim() == (0.0, 1.0)
    assert rendered["misrating_curve"].axes[0].get_ylim() == (0.0, 1.0)


def test_overall_band_names_sit_above_the_panel_clear_of_the_score_line(rendered):
    fig = rendered["overall"]
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        top = ax.get_window_extent(renderer).y1
        names = [t for t in ax.texts if t.get_text() in {"Inadequate", "Requires improvement", "Good", "Outstanding"}]
        assert len(names) == 4
        assert all(t.get_window_extent(renderer).y0 >= top for t in names)
        title = ax.title.get_window_extent(renderer)
        assert all(not title.overlaps(t.get_window_extent(renderer)) for t in names)


def test_balance_is_under_the_exports_headers(own, rendered):
    sample = own["sample"]
    assert list(dict.fromkeys(sample.balance["variable"])) == list(HEADERS.values())
    assert sample.manifest["frame_columns"] == HEADERS
    assert sample.manifest["strata"] == list(HEADERS)  # re-drawn (verified) under our names
    titles = [ax.get_title(loc="left") for ax in rendered["balance"].axes]
    assert [t.split("  ")[0] for t in titles] == list(HEADERS.values())
    text = " ".join(t.get_text() for t in rendered["balance"].findobj(Text))
    assert not {"gender", "disposal", "rosh"} & set(text.replace("(", " ").split())


def test_every_report_chart_names_the_provider(own, tmp_path):
    from sampling.report._report import write_report

    files = write_report(own["assessment"], tmp_path / "report", sample=own["sample"], formats=("svg",), dpi=72)
    assert {"forest", "rating_probabilities", "misrating_curve", "planning_curve", "balance"} <= set(files.charts)
    for name, paths in files.charts.items():
        svg = paths[0].read_text(encoding="utf-8")
        # SVG keeps text as text; a wrapped title may break the name, never its first words
        assert "Northshire and South Riding" in svg, name
