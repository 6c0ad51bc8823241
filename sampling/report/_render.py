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

import multiprocessing
import os
import pickle
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Callable, Sequence

__all__ = ["draw_charts", "worker_count", "MIN_PARALLEL"]

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
    import PIL.PngImagePlugin  # noqa: F401

    if "svg" in formats:
        import matplotlib.backends.backend_svg  # noqa: F401
    if "pdf" in formats:
        import matplotlib.backends.backend_pdf  # noqa: F401


def draw_charts(jobs: Sequence[tuple[str, Callable[[], Any]]], staging: Path, formats: Sequence[str], dpi: int,
                say: Callable[[str], Any], workers: int | None = None) -> dict[str, tuple[str, ...]]:
    """Draw every ``(name, make-figure)`` job into ``staging``; returns name → file names, in
    job order. One progress line per chart ("chart <name> …"), in job order, either way."""
    n = worker_count(len(jobs), workers)
    if n <= 1:
        out = {}
        for job in jobs:
            say(f"chart {job[0]} …")
            out[job[0]] = _draw(job, staging, formats, dpi)
        return out
    return _draw_in_workers(list(jobs), staging, tuple(formats), dpi, say, n)


def _draw_in_workers(jobs: list, staging: Path, formats: tuple, dpi: int, say: Callable[[str], Any],
                     n: int) -> dict[str, tuple[str, ...]]:
    global _JOBS
    _warm(formats)
    say(f"drawing {len(jobs)} charts in {n} processes …")
    out: dict[str, tuple[str, ...]] = {}
    _JOBS = jobs
    pool = ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("fork"))
    try:
        futures = [pool.submit(_draw_inherited, i, staging, formats, dpi) for i in range(len(jobs))]
        for job, future in zip(jobs, futures):
            say(f"chart {job[0]} …")
            try:
                files = future.result()  # a chart's error is raised here, as drawing here raises it
            except BrokenProcessPool:
                files = None
            out[job[0]] = files if files is not None else _draw(job, staging, formats, dpi)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _JOBS = []
    return out
