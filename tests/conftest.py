"""Fixtures shared by the test modules (built once per session; every object they return is
immutable or read-only in the tests)."""
import pytest

from sampling.examples import seed_inspection, seed_tables, synthetic_results
from sampling.design._rules import load_rules


@pytest.fixture(scope="session")
def seed():
    """The seed inspection's data files as read (fresh copies)."""
    return seed_tables()


@pytest.fixture(scope="session")
def seed_results():
    """The seed inspection as aggregate Results (no population)."""
    return seed_inspection()


@pytest.fixture(scope="session")
def adult():
    """The inspectorate's adult rating rules."""
    return load_rules("hmip-adult")


@pytest.fixture(scope="session")
def synth():
    """A synthetic case-level inspection (seed 7)."""
    return synthetic_results(7)
