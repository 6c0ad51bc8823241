"""Several inspections on one command line (``sampling compare A B``, ``sampling pool A B C``):
each argument one provider's results, loaded with the options the commands share.

A source is a results file (CSV/XLSX, case level or aggregate) or a filled draw workbook /
folder of ``sampling draw --sample``; ``PATH=N`` gives its eligible population, or
``PATH=sample=N,…`` one per sample when it holds several (a draw workbook's manifest carries
its own). Each source is labelled by its provider (the manifest's,
else the file's name), so tables and charts name providers, never paths.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
from pathlib import Path
from typing import Any

from ..errors import ArgumentError

__all__ = ["split_source", "load_source", "load_sources"]


def split_source(text: str) -> tuple[str, int | dict | None]:
    """``'a.csv=668'`` -> ``('a.csv', 668)``; ``'a.csv=case_supervision=668,unpaid_work=79'``
    -> ``('a.csv', {'case_supervision': 668, 'unpaid_work': 79})``; ``'a.csv'`` ->
    ``('a.csv', None)``. A path that exists as given is never split (a file may have '=' in
    its name); otherwise the path ends at the first '='."""
    import argparse

    from ._common import parse_population

    text = str(text)
    if os.path.exists(text) or "=" not in text:
        return text, None
    path, _, spec = text.partition("=")
    fix = ("PATH=N with N the eligible population, a whole number of at least 1 (e.g. northshire.csv=668), "
           "or PATH=sample=N,… per sample (northshire.csv=case_supervision=668,unpaid_work=79)")
    try:
        population = parse_population(spec.replace("_", "") if spec.replace("_", "").isdigit() else spec)
    except argparse.ArgumentTypeError:
        raise ArgumentError("RESULTS", text, fix) from None
    values = population.values() if isinstance(population, dict) else [population]
    if population == "implied" or not values or any(v < 1 for v in values):
        raise ArgumentError("RESULTS", text, fix)
    return path, population


def _inspection_near(path: str, args: argparse.Namespace):
    """``--inspection DIR`` if given, else the inspection whose folder holds the source (or
    is the source, for a folder), else None."""
    from ._common import inspection_of
    from ..design._inspection import find_inspection

    if getattr(args, "inspection", None) is not None:
        return inspection_of(args)
    where = Path(path)
    for folder in ((where,) if where.is_dir() else ()) + (where.parent,):
        found = find_inspection(folder)
        if found is not None:
            return found
    return None


def _label(results: Any, path: str, args: argparse.Namespace | None = None) -> str:
    """A side's name: the provider the results carry, else the inspection's short name
    (``--inspection``, or the inspection.toml beside the file), else the file's name."""
    if results.provider:
        return results.provider
    inspection = _inspection_near(path, args) if args is not None else None
    return inspection.short_name if inspection is not None else Path(path).stem


def load_source(text: str, args: argparse.Namespace) -> Any:
    """One source (``PATH`` or ``PATH=N``) as :class:`~sampling.Results`, its provider set."""
    from ..draw._drawread import is_draw_workbook
    from ..results._fieldwork import read_fieldwork
    from ..design._framework import load_framework
    from ..results._results import load_results

    path, population = split_source(text)
    if not os.path.exists(path):
        raise ArgumentError("RESULTS", path, "an existing results file, draw workbook or folder")
    if is_draw_workbook(path):
        if args.framework is not None:
            raise ArgumentError("--framework", args.framework, f"{path} is a draw workbook: its framework "
                                "comes from its manifest")
        results = read_fieldwork([path], blank_means_na=args.blank_means_na, complete=getattr(args, "complete", False),
                                 allow_edited_strata=getattr(args, "allow_edited_strata", False),
                                 population=population)
    else:
        framework = load_framework(args.framework, rules=args.rules)
        results = load_results(path, framework=framework, sheet=args.sheet, header_row=args.header_row,
                               blank_means_na=args.blank_means_na, complete=getattr(args, "complete", False), population=population)
    if isinstance(population, int) and len(results.samples) > 1:  # each sample has its own N
        raise ArgumentError("RESULTS", f"{path}={population}", f"{path} holds {len(results.samples)} samples, each "
                            f"with its own eligible population: write {path}="
                            + ",".join(f"{s}=N" for s in results.samples))
    return dataclasses.replace(results, provider=_label(results, path, args))


def load_sources(texts: list[str], args: argparse.Namespace) -> list[Any]:
    """Every source, in order; two sources with the same provider label are told apart by
    their file names."""
    loaded = [load_source(t, args) for t in texts]
    labels = [r.provider for r in loaded]
    if len(set(labels)) < len(labels):
        loaded = [dataclasses.replace(r, provider=f"{r.provider} ({Path(split_source(t)[0]).stem})")
                  if labels.count(r.provider) > 1 else r for r, t in zip(loaded, texts)]
    return loaded
