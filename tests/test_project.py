"""The project's promises about itself: README set-up commands, CI, seed data, public API."""
import re
import tomllib
from pathlib import Path

import sampling

ROOT = Path(__file__).resolve().parents[1]


def _setup_commands():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Set up on a fresh machine", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)\n```", section, flags=re.S)


def test_readme_has_exactly_two_setup_commands():
    commands = _setup_commands()
    assert len(commands) == 2, commands
    assert all("\n" not in c and c.startswith("python3 -m venv .venv && ") for c in commands)
    assert "sampling " in commands[0] and "pytest" in commands[1]


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text()
    assert _setup_commands()[1] in ci.splitlines()


def test_seed_files_carry_a_citation_and_licence():
    text = (ROOT / "sampling" / "examples" / "seeds" / "README.md").read_text()
    for needle in ("HM Inspectorate of Probation", "Kent, Surrey and Sussex", "2019", "Open Government Licence"):
        assert needle in text


def test_seed_tables_match_the_report_methodology():
    seed = sampling.seed_tables()
    doc = seed.inspection
    assert doc["methodology"] == {"confidence_level": 0.8, "margin": 0.05}
    assert [s["n"] for s in doc["samples"].values()] == [132, 54, 42]
    assert doc["samples"]["case_supervision"]["strata"] == ["gender", "disposal", "rosh"]
    assert len(seed.key_questions) == 19 and len(seed.standards) == 10
    # every standard's sample names a sample in inspection.toml
    samples = set(doc["samples"])
    assert set(seed.standards["sample"].dropna()) <= samples
    assert set(seed.key_questions["sample"]) <= samples


def test_public_names_resolve():
    missing = [name for name in sampling._EXPORTS if not hasattr(sampling, name)]
    assert not missing, f"exported but not defined: {missing}"


def test_package_metadata():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert meta["project"]["name"] == "inspection-sampling"
    assert meta["project"]["scripts"]["sampling"] == "sampling.cli:main"
    deps = " ".join(meta["project"]["dependencies"])
    for dep in ("numpy", "scipy", "pandas", "statsmodels", "matplotlib"):
        assert dep in deps


def test_ci_type_checks_the_package():
    """mypy runs in CI over the whole package, with the stubs the 'types' extra installs."""
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert ".venv/bin/pip install -q -e '.[types]'" in ci and ".venv/bin/mypy" in ci
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert meta["tool"]["mypy"]["files"] == ["sampling"]
    extra = " ".join(meta["project"]["optional-dependencies"]["types"])
    for dep in ("mypy", "pandas-stubs", "scipy-stubs", "types-openpyxl"):
        assert dep in extra
    assert (ROOT / "sampling" / "py.typed").is_file()
    assert "py.typed" in meta["tool"]["setuptools"]["package-data"]["sampling"]


def test_ci_runs_the_compiled_kernel_tests():
    """The `fast` extra (numba) is skipped by the main run where it is not installed; CI
    installs it afterwards and runs its tests, so both paths are checked on every run."""
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    i = ci.index(".venv/bin/pip install -q -e '.[fast]'")
    assert any("pytest" in line and "tests/test_kernels.py" in line for line in ci[i + 1:])
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert any(dep.startswith("numba") for dep in meta["project"]["optional-dependencies"]["fast"])
