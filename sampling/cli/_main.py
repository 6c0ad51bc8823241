"""The ``sampling`` command: a thin shell over the Python API.

    sampling init     a folder for one inspection, with a commented inspection.toml
    sampling plan     sample sizes, achieved margins, implied populations
    sampling draw     a stratified random sample from an eligible-population frame
    sampling analyse  key-question intervals, ratings and uncertainty flags
    sampling report   every chart and table for a publication

Each subcommand parses its options, calls the public API and prints a table (or JSON with
``--json``). Bad input prints one line ``sampling <command>: error: …`` and exits with
status 2; nothing is written. The built-in seed inspection is reached only with ``--example``.

This module holds only the top-level parser, the table of commands, the error handling and
``main``. Each command is one private module of this package (``_plan``, ``_draw``,
``_analyse``, …) holding its parser (``add_arguments``, its options in named groups: input,
design, method, output), its runner (``run``) and the examples its help ends with; options
several commands share are built in ``_options``. A command module imports only argparse and
the option types at its top (numpy, pandas and the library load when the command runs), so
``sampling --help`` answers at once; and ``main`` imports and builds only the command it is
asked for (the others are names and one-line helps in the list), so ``sampling analyse`` pays
for no other command's module or options. ``COMMANDS``, with the modules, loads them all when
first asked for.
"""
from __future__ import annotations

import argparse
import importlib
import sys
import warnings
from types import ModuleType
from typing import Sequence

from ._options import HelpFormatter
from ..errors import ArgumentError, SamplingError

__all__ = ["main", "build_parser", "COMMANDS", "FLAGS"]

#: the command-line flag of each Python keyword an error may name
FLAGS = {
    "n_resamples": "--resamples", "confidence_level": "--confidence", "rng": "--seed", "seed": "--seed",
    "population": "--population", "margin": "--margin", "threshold": "--threshold", "method": "--method",
    "strata": "--strata", "reserves": "--reserves", "n": "--n", "rules": "--rules",
    "framework": "--framework", "blank_means_na": "--blank-means-na", "complete": "--complete",
    "allow_edited_strata": "--allow-edited-strata", "judgements": "--judgement",
    "published": "--published", "overrides": "--override", "mapping": "--map", "size": "--synthetic",
    "as_of": "--as-of", "months_since_start": "--months-since-start", "share": "--subsample-share",
    "set_aside": "--set-aside", "carry": "--carry",
    "p": "--p", "source": "FILE", "case_id": "CASE_ID", "sheet": "--sheet", "header_row": "--header-row",
    "by": "--by", "frame": "--frame", "pairs": "--pairs", "contrast": "--contrast", "bands": "--bands",
    "min_cases": "--min-cases", "populations": "--subgroup-population", "columns": "--column",
    "subsample_share": "--subsample-share",
    "start_column": "--column",
}
FLAGS.update({"key_questions": "--key-question"})  # sampling pool
#: keywords whose flag differs by command
COMMAND_FLAGS = {"pool": {"populations": "RESULTS"}, "compare": {"populations": "RESULTS"},
                 "report": {"populations": "--national"}}


#: (name, help, module name) of each subcommand, in ``--help`` order; each module (``._name``,
#: imported when its command runs) holds the command's ``add_arguments(parser)``, its
#: ``run(args)`` and the ``EXAMPLES`` its help ends with.
_COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("init", "a folder for one inspection, with a commented inspection.toml to edit", "_init"),
    ("plan", "Sample sizes, achieved margins, implied populations and misrating risk.", "_plan"),
    ("draw", "a stratified random sample from an eligible-population frame", "_draw"),
    ("substitute", "replace a sampled case by the next reserve of its cell, in the draw workbook", "_substitute"),
    ("verify", "re-draw from the frame and check a draw workbook is that draw", "_verify"),
    ("progress", "fieldwork so far: cases complete, partly answered, not started; balance; reserves used",
     "_progress"),
    ("analyse", "key-question intervals, ratings, uncertainty flags and rating probabilities", "_analyse"),
    ("compare", "two inspections (a re-inspection, two providers): differences per key question, ratings",
     "_compare"),
    ("report", "every chart (PNG, SVG) and table (report.md/.csv/.xlsx) for a publication", "_report"),
    ("pool", "the national picture: providers pooled by eligible population, each against the pool, "
             "funnel plots", "_pool"),
    ("export", "a filled draw workbook as a design R survey, SPSS or Stata reads (CSV with strata, "
               "weights, fpc)", "_export"),
)


def _command_module(module: str) -> ModuleType:
    return importlib.import_module(f".{module}", __package__)


def __getattr__(name: str) -> object:
    """``COMMANDS``: (name, help, module) of each subcommand, the modules imported on first use."""
    if name == "COMMANDS":
        value = tuple((c, h, _command_module(m)) for c, h, m in _COMMANDS)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: the top-level help's epilog: the workflow in order, one example per stage
WORKFLOW = """\
an inspection, stage by stage (plan, draw, analyse and report also take --example: the built-in one):
  1. set up     sampling init northshire --provider "Northshire CRC"   (then cd northshire)
  2. plan       sampling plan --population 668
  3. draw       sampling draw frame.xlsx --sample case_supervision --out draw.xlsx
  4. fieldwork  sampling progress draw.xlsx
                sampling substitute draw.xlsx CASE_ID --reason "transferred out of area"
                sampling verify draw.xlsx frame.xlsx
  5. analyse    sampling analyse draw.xlsx
  6. report     sampling report draw.xlsx --out report
  7. beyond     sampling compare earlier.xlsx draw.xlsx · sampling pool A.xlsx=668 B.xlsx=700

'sampling COMMAND --help' describes each command's options.
"""


class _Version(argparse.Action):
    """``--version``: the installed version, read only when asked for."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS,
                 help="show program's version number and exit"):
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from .. import __version__

        parser._print_message(f"inspection-sampling {__version__}\n")
        parser.exit()


def _command_named(argv: Sequence[str] | None) -> str | None:
    """The command the arguments name (the first one not an option), None if none is named."""
    words = sys.argv[1:] if argv is None else argv
    return next((w for w in words if not w.startswith("-")), None)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The ``sampling`` parser with every command; given ``only`` (a command's name), only that
    command's module is imported and its options built, the others listed by name and help."""
    parser = argparse.ArgumentParser(
        prog="sampling",
        description="Plan, draw and analyse case-file inspection samples.",
        epilog=WORKFLOW,
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, help_text, module in _COMMANDS:
        if only is not None and name != only:
            sub.add_parser(name, help=help_text, description=help_text, formatter_class=HelpFormatter)
            continue
        command = _command_module(module)
        p = sub.add_parser(name, help=help_text, description=help_text, epilog=command.EXAMPLES,
                           formatter_class=HelpFormatter)
        command.add_arguments(p)
        p.set_defaults(run=command.run)
    return parser


def _as_given(flag: str, value: object) -> str:
    """An option as the user typed it: ``--wide`` for a switch, ``--n='abc'`` for a value
    (never Python's True or None)."""
    if isinstance(value, bool):
        return flag if value else f"{flag} (off)"
    return flag if value is None else f"{flag}={value!r}"


def main(argv: Sequence[str] | None = None) -> int:
    only = _command_named(argv)
    parser = build_parser(only=only if any(only == c[0] for c in _COMMANDS) else "")
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings():  # a warning is one line in the user's terms, not our source line
            warnings.showwarning = lambda message, *_a, **_k: print(
                f"sampling {args.command}: warning: {message}", file=sys.stderr)
            status = args.run(args)
    except ArgumentError as exc:  # a keyword of the Python API is the flag that set it
        flag = {**FLAGS, **COMMAND_FLAGS.get(args.command, {})}.get(exc.argument.split("[")[0], exc.argument)
        print(f"sampling {args.command}: error: {_as_given(flag, exc.value)} is invalid: {exc.expected}",
              file=sys.stderr)
        return 2
    except SamplingError as exc:  # a data error's hint in the command line's terms
        print(f"sampling {args.command}: error: {exc.cli_text() if hasattr(exc, 'cli_text') else exc}",
              file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except MemoryError:
        print(f"sampling {args.command}: error: not enough memory for this request; ask for less "
              "(fewer --resamples, a smaller frame)", file=sys.stderr)
        return 2
    except OSError as exc:  # a path the system refuses (too long, no permission, disk full)
        where = f" {exc.filename!r}" if getattr(exc, "filename", None) else ""
        print(f"sampling {args.command}: error: cannot read or write{where}: {exc.strerror or exc}",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # pragma: no cover
        print("sampling: interrupted", file=sys.stderr)
        return 130
    return int(status or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
