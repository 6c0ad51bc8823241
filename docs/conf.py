"""Sphinx configuration for the inspection-sampling documentation site.

Build: ``.venv/bin/pip install -e '.[docs]' && .venv/bin/sphinx-build -W -b html docs docs/_build``
(``-W``: a warning is an error). The notebooks are executed as pages by myst-nb.
"""
from __future__ import annotations

import sampling

project = "inspection-sampling"
author = "inspection-sampling developers"
release = sampling.__version__
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_nb",
]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
html_theme = "pydata_sphinx_theme"
html_title = "inspection-sampling"
autosummary_generate = True
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
autodoc_typehints = "none"
nb_execution_mode = "force"
nb_execution_timeout = 300
nb_execution_raise_on_error = True
myst_enable_extensions = ["colon_fence", "dollarmath"]
suppress_warnings = ["myst.header"]


# ---- pages generated from the code, so they cannot drift from it --------------------------
import argparse
import shutil
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent


def _write_if_changed(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def _api_page() -> str:
    """Every exported name of ``sampling`` (its ``__all__``), grouped by the stage defining it."""
    from sampling import _EXPORTS

    by_stage: dict[str, list[str]] = {}
    for name, module in _EXPORTS.items():
        by_stage.setdefault(module.split(".")[0], []).append(name)
    lines = ["API reference", "=============", "",
             "Everything a notebook needs is importable from ``sampling``; the charts are in",
             "``sampling.charts``. Grouped by the stage that defines it.", "",
             ".. currentmodule:: sampling", ""]
    for stage, names in by_stage.items():
        lines += [stage, "-" * len(stage), "", ".. autosummary::", "   :toctree: generated", ""]
        lines += [f"   {n}" for n in sorted(names, key=str.lower)] + [""]
    lines += ["charts", "------", "", ".. currentmodule:: sampling.charts", "",
              ".. autosummary::", "   :toctree: generated", ""]
    import sampling.charts as charts
    lines += [f"   {n}" for n in charts.__all__ if callable(getattr(charts, n))] + [""]
    lines += ["errors", "------", "", ".. currentmodule:: sampling", "", ".. autosummary::",
              "   :toctree: generated", "", "   SamplingError", "   ArgumentError", "   DataError",
              "   OutputError", ""]
    return "\n".join(lines)


def _cli_page() -> str:
    """The help of ``sampling`` and of every command, as the parsers print it."""
    from sampling.cli import build_parser

    parser = build_parser()
    lines = ["# Command-line reference", "", "Generated from the command's own parsers (`sampling.cli`): each "
             "command's options are in groups (input, design, method, output, and a few of its own), and "
             "its help ends with examples that run on the built-in example (`--example`) or on the files "
             "the earlier commands write.", "",
             "```text", parser.format_help().rstrip(), "```", ""]
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, command in sub.choices.items():
        lines += [f"## sampling {name}", "", "```text", command.format_help().rstrip(), "```", ""]
    return "\n".join(lines)


def _copy_notebooks() -> None:
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        target = HERE / "notebooks" / nb.name
        target.parent.mkdir(exist_ok=True)
        if not target.exists() or target.read_bytes() != nb.read_bytes():
            shutil.copyfile(nb, target)


_write_if_changed(HERE / "api" / "index.rst", _api_page())
_write_if_changed(HERE / "cli.md", _cli_page())
_copy_notebooks()
