"""The report's charts drawn quickly and the same: in worker processes (the same files as
drawn here, a worker's error raised as here), one layout per save, text extents memoised,
titles and notes wrapped by bisection exactly as word by word, PNG pixels as Agg's."""
from __future__ import annotations

import io
import random

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from PIL import Image

from sampling import DataError, charts
from sampling.charts._canvas import MemoCanvas, MemoRenderer, png_bytes
from sampling.charts._style import RC, laid_out, wrap_text
from sampling.examples import seed_inspection
from sampling.rating._ratings import rate
from sampling.report import write_report
from sampling.report._render import COST_ORDER, MIN_PARALLEL, _can_fork, _start_order, worker_count

forking = pytest.mark.skipif(not _can_fork(), reason="workers are forked processes (Linux)")


@pytest.fixture(scope="module")
def assessment():
    return rate(seed_inspection(), n_resamples=400, rng=3)


def _files(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# --------------------------------------------------------------------------- workers
def test_worker_count():
    assert worker_count(MIN_PARALLEL - 1) == 1
    assert worker_count(9, workers=1) == 1 and worker_count(2, workers=4) == 2 and worker_count(3, workers=0) == 1
    assert worker_count(9) in ({1, 2} if _can_fork() else {1})


def test_the_dearest_charts_start_first():
    names = ["forest", "rating_probabilities", "overall", "misrating_curve", "planning_curve", "dumbbell", "funnel"]
    order = [names[i] for i in _start_order(names)]
    assert order == [n for n in COST_ORDER if n in names] + ["dumbbell", "funnel"]
    assert sorted(_start_order(names)) == list(range(len(names)))


def test_fit_height_is_checked_by_the_saving_layout(tmp_path):
    from sampling.charts import _style

    fig = Figure(figsize=(6, 9), layout="constrained")
    MemoCanvas(fig)
    ax = fig.add_subplot()
    ax.set_title("a title\non two lines")
    ax.set_xlabel("x")
    _style.fit_height(fig, [ax], 2.5)
    assert fig in _style._UNCHECKED and fig.get_figheight() < 9
    charts.save(fig, tmp_path / "fit", formats=("png",), dpi=150)
    assert fig not in _style._UNCHECKED
    with matplotlib.rc_context(RC), laid_out(fig, 150):
        assert ax.get_position().height * fig.get_figheight() == pytest.approx(2.5, abs=_style._RECHECK_IN)


@forking
def test_workers_write_the_same_files_as_drawing_here(assessment, tmp_path):
    lines: list[str] = []
    here = write_report(assessment, tmp_path / "here", formats=("png", "svg"), dpi=60, workers=1)
    there = write_report(assessment, tmp_path / "there", formats=("png", "svg"), dpi=60, workers=2,
                         progress=lines.append)
    assert _files(here.out_dir) == _files(there.out_dir)
    assert list(there.charts) == list(here.charts)
    assert [ln for ln in lines if ln.startswith("chart ")] == [f"chart {c} …" for c in here.charts]
    assert any("2 processes" in ln for ln in lines)


class _Unsendable(Exception):
    """An error that cannot be pickled (it holds a lock)."""

    def __init__(self, msg):
        super().__init__(msg)
        import threading

        self.lock = threading.Lock()


@forking
@pytest.mark.parametrize("error", [DataError("the overall chart has no scores", column="score"),
                                   _Unsendable("the overall chart cannot be drawn")])
def test_a_failing_chart_in_a_worker_raises_the_same_error_and_leaves_nothing(assessment, tmp_path,
                                                                              monkeypatch, error):
    real = charts.save

    def failing(fig, stem, *args, **kwargs):
        if stem.name == "overall":
            raise error
        return real(fig, stem, *args, **kwargs)

    monkeypatch.setattr(charts, "save", failing)  # before the workers fork: they inherit it
    with pytest.raises(type(error)) as here:
        write_report(assessment, tmp_path / "here", formats=("svg",), dpi=50, workers=1)
    with pytest.raises(type(error)) as there:
        write_report(assessment, tmp_path / "there", formats=("svg",), dpi=50, workers=2)
    assert str(there.value) == str(here.value) == str(error)
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no output folder, no staging folder


# --------------------------------------------------------------------------- one layout, memoised extents
def test_save_lays_out_once_and_crops_to_the_laid_out_figure(tmp_path):
    """The crop is taken after the layout (a chart whose layout runs only when saved was cut
    off at the right before), and the layout engine and dpi are given back."""
    fig = charts.planning_curve(marks={"Case supervision": 132})
    engine, dpi = fig.get_layout_engine(), fig.dpi
    png, = charts.save(fig, tmp_path / "curve", formats=("png",), dpi=80)
    assert fig.get_layout_engine() is engine and fig.dpi == dpi
    reference = io.BytesIO()
    with matplotlib.rc_context(RC):
        fig.savefig(reference, format="png", dpi=80, bbox_inches="tight", pad_inches=0.15)
    ours, theirs = Image.open(png).size, Image.open(reference).size
    assert abs(ours[0] - theirs[0]) <= 2 and abs(ours[1] - theirs[1]) <= 2, (ours, theirs)
    with matplotlib.rc_context(RC), laid_out(fig, 80) as bbox:
        assert fig.get_layout_engine() is None
    assert bbox.width * 80 == pytest.approx(ours[0], abs=1.5)


@pytest.mark.parametrize("dpi", [72, 100, 200])
def test_memoised_extents_are_agg_extents(dpi):
    strings = ["4.1", "Case supervision (domain two): n = 132", "Requires improvement", "x" * 90, "", "ÅØ ◆ †"]
    props = [FontProperties(size=s, weight=w) for s in (8, 9, 11) for w in ("normal", "bold")]
    agg, memo, again = RendererAgg(10, 10, dpi), MemoRenderer(10, 10, dpi), MemoRenderer(300, 40, dpi)
    for s in strings:
        for p in props:
            want = agg.get_text_width_height_descent(s, p, ismath=False)
            assert memo.get_text_width_height_descent(s, p, ismath=False) == want
            assert again.get_text_width_height_descent(s, p, ismath=False) == want  # from the memo
    # a different font setting is a different entry, not the memo's old answer
    p = FontProperties(size=9)
    with matplotlib.rc_context({"text.hinting": "no_hinting"}):
        want = RendererAgg(10, 10, dpi).get_text_width_height_descent("Hinting 1234", p, ismath=False)
        assert memo.get_text_width_height_descent("Hinting 1234", p, ismath=False) == want


def test_memo_canvas_writes_agg_pixels():
    def chart(canvas_class):
        fig = Figure(figsize=(3, 2))
        canvas_class(fig)
        ax = fig.add_subplot()
        ax.plot([0, 1, 2], [2, 0, 1], marker="o")
        ax.set_title("Probability of each rating ◆")
        ax.set_ylabel("Cases to inspect n")  # rotated a quarter turn
        ax.text(0.5, 1.0, "at 30° † ≥", rotation=30, fontsize=11, weight="bold")
        ax.text(1.5, 0.5, r"$10^{2}$ and $\alpha$")  # mathtext: Agg's own loop
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=90, facecolor="white", metadata={"Software": None})
        return Image.open(buf)

    ours, theirs = chart(MemoCanvas), chart(FigureCanvasAgg)
    assert ours.mode == "RGB" and theirs.mode == "RGBA" and ours.info["dpi"] == theirs.info["dpi"]
    assert np.array_equal(np.asarray(ours), np.asarray(theirs)[..., :3])


# --------------------------------------------------------------------------- wrapping
def _greedy(text, width_in, fontsize):
    """Word-by-word wrapping (the way wrap_text wrapped before bisection)."""
    measure = RendererAgg(10, 10, 72)
    prop = FontProperties(size=fontsize)
    limit = 72.0 * width_in * 0.97
    out = []
    for para in str(text).split("\n"):
        line = ""
        for word in para.split(" "):
            trial = f"{line} {word}" if line else word
            if line and measure.get_text_width_height_descent(trial, prop, ismath=False)[0] > limit:
                out.append(line)
                line = word
            else:
                line = trial
        out.append(line)
    return "\n".join(out)


def test_wrap_by_bisection_is_word_by_word_wrapping():
    rng = random.Random(5)
    words = ("Intervals: Wilson 80% confidence. Bands (HM Inspectorate of Probation): edges at 50%, 65%, 80%, "
             "applied to the whole-number % (64.5 → 65) ◆ Northshire-and-South-Riding-Community").split()
    for _ in range(150):
        text = " ".join(rng.choice(words + ["", ""]) for _ in range(rng.randint(0, 45)))
        if rng.random() < 0.3:
            text = text.replace(" ", "\n", 2)
        width, size = rng.uniform(0.4, 8.0), rng.choice([8, 9, 10, 11])
        assert wrap_text(text, width, size) == _greedy(text, width, size), (text, width, size)


def test_png_bytes_is_a_png_of_the_pixels_and_text():
    rgb = np.random.default_rng(5).integers(0, 256, size=(7, 11, 3), dtype=np.uint8)
    png = png_bytes(rgb.tobytes(), 11, 7, 150, {"Title": "Forest plot", "Author": "Inspectorate ◆ 2.1"})
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.mode == "RGB" and image.size == (11, 7) and np.array_equal(np.asarray(image), rgb)
    assert image.info["dpi"] == pytest.approx((150, 150), abs=0.02)  # whole pixels per metre
    assert image.info["Title"] == "Forest plot" and image.info["Author"] == "Inspectorate ◆ 2.1"
    Image.open(io.BytesIO(png)).verify()  # chunk CRCs
