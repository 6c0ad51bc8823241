"""Drawing the report's charts: in this process, or shared between forked worker processes.

A chart costs a few tenths of a second to lay out, draw and encode, and a report holds five
or more, so on a machine with two or more cores the charts are drawn by worker processes
when there are at least :data:`MIN_PARALLEL` of them. Workers are forked (where the
platform forks: Linux), so they start with everything this process has loaded and receive
no pickled figures or data: each draws the job of its index with the same code, and writes
the same files, as drawing here would. A chart that fails in a worker raises its error here,
the same error (type and message) that drawing here raises; an error that cannot travel
between processes, and every chart of a pool that breaks, is drawn again here (and raises
here, if it fails again).
"""
from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import sys
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Callable, Sequence

__all__ = ["draw_charts", "drawing", "worker_count", "MIN_PARALLEL", "COST_ORDER"]

#: Fewer charts than this are drawn here: a pool costs more than it saves.
MIN_PARALLEL = 3
#: The jobs of the report being drawn, for forked workers (inherited, never pickled).
_JOBS: list[tuple[str, Callable[[], Any]]] = []


def worker_count(n_jobs: int, workers: int | None = None) -> int:
    """Processes to draw ``n_jobs`` charts: ``workers`` if given (at most one per chart),
    else up to two, one per available core, when the platform forks, this is not a daemon
    process and there are at least :data:`MIN_PARALLEL` charts; 1 means here."""
    if workers is not None:
        return max(1, min(int(workers), n_jobs))
    if n_jobs < MIN_PARALLEL or not _can_fork():
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(2, cores, n_jobs))


def _can_fork() -> bool:
    return (sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
            and not multiprocessing.current_process().daemon)


def _draw(job: tuple[str, Callable[[], Any]], staging: Path, formats: Sequence[str], dpi: int) -> tuple[str, ...]:
    from .. import charts

    name, make = job
    return tuple(p.name for p in charts.save(make(), staging / name, formats, dpi=dpi))


def _draw_inherited(i: int, staging: Path, formats: Sequence[str], dpi: int) -> tuple[str, ...] | None:
    """In a worker: draw job ``i`` of the jobs the parent held when it forked. An error
    that cannot travel back whole (pickled) returns None: the parent draws it again."""
    try:
        return _draw(_JOBS[i], staging, formats, dpi)
    except Exception as exc:
        if _travels(exc):
            raise
        return None


def _travels(exc: BaseException) -> bool:
    """Whether ``exc`` comes back from a worker as the same error (type and message)."""
    try:
        back = pickle.loads(pickle.dumps(exc))
    except Exception:
        return False
    return type(back) is type(exc) and str(back) == str(exc)


def _warm(formats: Sequence[str]) -> None:
    """Load, before forking, what saving loads on first use, so workers do not each load it."""
    import matplotlib.backends.backend_agg  # noqa: F401
    import PIL.Image  # noqa: F401  - the PNG rows are unpacked by PIL (charts._canvas)

    if "svg" in formats:
        import matplotlib.backends.backend_svg  # noqa: F401
    if "pdf" in formats:
        import matplotlib.backends.backend_pdf  # noqa: F401


#: Charts in the order workers start them, dearest first (CPU seconds measured on the
#: built-in example, in a fresh worker: overall 0.7, planning curve 0.65 with its first
#: mathtext, forest 0.6, rating probabilities 0.55, misrating curve 0.3), so that the last
#: chart to start is a short one and both workers finish at about the same time. Others
#: (the further analyses' charts) start after these, in the order given.
COST_ORDER = ("overall", "planning_curve", "forest", "rating_probabilities", "balance", "misrating_curve")


def _start_order(names: Sequence[str]) -> list[int]:
    """Indices of ``names`` in the order the workers should start them (see :data:`COST_ORDER`)."""
    rank = {name: i for i, name in enumerate(COST_ORDER)}
    return sorted(range(len(names)), key=lambda i: (rank.get(names[i], len(COST_ORDER)), i))


def draw_charts(jobs: Sequence[tuple[str, Callable[[], Any]]], staging: Path, formats: Sequence[str], dpi: int,
                say: Callable[[str], Any], workers: int | None = None) -> dict[str, tuple[str, ...]]:
    """Draw every ``(name, make-figure)`` job into ``staging``; returns name → file names, in
    job order. One progress line per chart ("chart <name> …"), in job order, either way."""
    with drawing(jobs, staging, formats, dpi, say, workers) as collect:
        return collect()


@contextlib.contextmanager
def drawing(jobs: Sequence[tuple[str, Callable[[], Any]]], staging: Path, formats: Sequence[str], dpi: int,
            say: Callable[[str], Any], workers: int | None = None):
    """Start drawing the jobs and yield ``collect()``, which returns what :func:`draw_charts`
    returns once every chart is drawn. With workers, the charts are drawn while the body
    runs (the report writes its tables meanwhile); drawn here, ``collect()`` draws them.
    Leaving the block shuts the workers down (cancelling charts not collected)."""
    jobs = list(jobs)
    n = worker_count(len(jobs), workers)
    if n <= 1:
        def here() -> dict[str, tuple[str, ...]]:
            out = {}
            for job in jobs:
                say(f"chart {job[0]} …")
                out[job[0]] = _draw(job, staging, formats, dpi)
            return out

        yield here
        return
    global _JOBS
    _warm(formats)
    say(f"drawing {len(jobs)} charts in {n} processes …")
    _JOBS = jobs
    pool = ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("fork"))
    try:
        futures: dict[int, Future] = {}
        for i in _start_order([name for name, _ in jobs]):
            futures[i] = pool.submit(_draw_inherited, i, staging, tuple(formats), dpi)
        yield lambda: _collect(jobs, [futures[i] for i in range(len(jobs))], staging, tuple(formats), dpi, say)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _JOBS = []


def _collect(jobs: list, futures: list, staging: Path, formats: tuple, dpi: int,
             say: Callable[[str], Any]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for job, future in zip(jobs, futures):
        say(f"chart {job[0]} …")
        try:
            files = future.result()  # a chart's error is raised here, as drawing here raises it
        except BrokenProcessPool:
            files = None
        out[job[0]] = files if files is not None else _draw(job, staging, formats, dpi)
    return out
