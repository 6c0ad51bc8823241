"""The public API is annotated: every exported function says what each argument takes and
what it returns, and the same kind of argument is annotated the same way everywhere.

mypy itself runs in CI (.ci/run) rather than here: a cold run takes over a minute.
"""
import inspect

import pytest

import sampling

FUNCTIONS = sorted(n for n in sampling.__all__ if inspect.isfunction(getattr(sampling, n)))


def test_there_are_functions_to_check():
    assert len(FUNCTIONS) > 30


@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_parameter_and_return_is_annotated(name):
    sig = inspect.signature(getattr(sampling, name))
    bare = [p.name for p in sig.parameters.values() if p.annotation is inspect.Parameter.empty]
    assert not bare, f"{name}: parameters without a type: {bare}"
    assert sig.return_annotation is not inspect.Signature.empty, f"{name}: no return type"


@pytest.mark.parametrize("name", FUNCTIONS)
def test_random_arguments_are_seed_like(name):
    """Every ``rng=`` takes a seed, a SeedSequence, a Generator or None: one alias says so."""
    sig = inspect.signature(getattr(sampling, name))
    for p in sig.parameters.values():
        if p.name == "rng":
            assert p.annotation == "SeedLike", f"{name}({p.name}: {p.annotation})"


def test_aliases_name_what_the_validators_accept():
    import numpy as np

    from sampling._utils._checks import check_rng
    from sampling._utils._types import SeedLike

    for value in (7, np.int64(7), np.random.SeedSequence(7), np.random.default_rng(7), None):
        assert isinstance(check_rng(value), np.random.Generator)
    for kind in ("int", "np.integer", "np.random.Generator", "np.random.SeedSequence", "None"):
        assert kind in SeedLike.split(" | ")
