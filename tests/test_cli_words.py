"""The command line speaks the user's language: no Python names in any help text, and the
top-level help shows the workflow in order."""
import re

import pytest

from sampling.cli import COMMANDS, build_parser

PYTHON = re.compile(r"sampling\.[a-z_]+\(|\bNone\b|results\.[a-z_]+|flag_reason|benchmarks/")


def test_top_level_help_shows_the_workflow_in_order():
    text = build_parser().format_help()
    stages = ["sampling init", "sampling plan", "sampling draw", "sampling substitute", "sampling analyse",
              "sampling report", "sampling compare"]
    positions = [text.index(s) for s in stages]
    assert positions == sorted(positions)


@pytest.mark.parametrize("command", [name for name, *_ in COMMANDS])
def test_no_python_names_in_a_commands_help(command):
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    text = sub.choices[command].format_help()
    assert not PYTHON.findall(text), PYTHON.findall(text)


def test_a_refused_switch_is_named_as_typed_not_as_python_true(capsys):
    from sampling.cli import main

    assert main(["analyse", "--example", "--wide"]) == 2
    err = capsys.readouterr().err
    assert "--wide is invalid" in err and "True" not in err
