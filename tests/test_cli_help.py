"""Every command's help: its options in named groups (input, design, method, output), none left
in the anonymous one but -h, and examples whose command lines the parser accepts."""
import argparse
import re
import shlex
import subprocess
import sys

import pytest

from sampling.cli import COMMANDS, build_parser

NAMED = {"input", "design", "method", "output"}


def _commands() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _shown_groups(parser: argparse.ArgumentParser) -> list[str]:
    """Titles of the groups the help prints: those holding a visible option, or a description."""
    return [g.title for g in parser._action_groups
            if any(a.help is not argparse.SUPPRESS for a in g._group_actions) or g.description]


@pytest.mark.parametrize("name", [c[0] for c in COMMANDS])
def test_help_has_three_named_groups_and_no_option_outside_one(name):
    parser = _commands()[name]
    text = parser.format_help()
    shown = _shown_groups(parser)
    assert len(NAMED & set(shown)) >= 3, shown
    for title in shown:
        assert re.search(rf"^{re.escape(title)}:$", text, re.M), title
    anonymous = [a for g in parser._action_groups if g.title in ("options", "positional arguments")
                 for a in g._group_actions]
    assert [a.option_strings for a in anonymous] == [["-h", "--help"]]


@pytest.mark.parametrize("name", [c[0] for c in COMMANDS])
def test_help_ends_with_examples_that_parse(name):
    text = _commands()[name].format_help()
    assert re.search(r"^Examples?:$", text, re.M)
    lines = [ln.strip() for ln in text.split("Example")[-1].splitlines() if ln.strip().startswith("sampling ")]
    assert any(ln.split()[1] == name for ln in lines), lines
    for line in lines:
        argv = shlex.split(line)[1:]
        args = build_parser().parse_args(argv)  # a usage error would exit 2
        assert args.command == argv[0]


def test_example_lines_keep_their_line_breaks():
    text = _commands()["draw"].format_help()
    assert "\n  sampling draw --example --sample case_supervision --out draw.xlsx\n" in text


def test_building_every_parser_loads_neither_numpy_nor_pandas():
    code = ("import sys\nfrom sampling.cli._main import build_parser\nbuild_parser().format_help()\n"
            "print(sorted(m for m in ('numpy', 'pandas', 'scipy', 'openpyxl') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_every_command_module_holds_its_parser_and_runner():
    for name, _help, module in COMMANDS:
        assert callable(module.add_arguments) and callable(module.run), name
        assert module.EXAMPLES.startswith(("Example:", "Examples:")), name
