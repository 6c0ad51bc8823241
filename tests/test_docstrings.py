"""Issue 23: every exported function has Parameters (when it takes any), Returns and Examples
(run as doctests by ``--doctest-modules``), checked with numpydoc's own validator; every
exported class documents its fields under Attributes."""
from __future__ import annotations

import dataclasses
import inspect

import pytest
from numpydoc.docscrape import NumpyDocString
from numpydoc.validate import validate

import sampling

#: numpydoc's codes: GL08 no docstring, PR01 a parameter undocumented, PR02 an unknown one
#: documented, RT01 no Returns section, EX01 no Examples section
REQUIRED = {"GL08", "PR01", "PR02", "RT01", "EX01"}
EXPORTS = sorted(sampling._EXPORTS)


def _export(name):
    obj = getattr(sampling, name)
    return obj if inspect.isfunction(obj) or inspect.isclass(obj) else None


FUNCTIONS = [n for n in EXPORTS if inspect.isfunction(_export(n))]
CLASSES = [n for n in EXPORTS if inspect.isclass(_export(n)) and not issubclass(_export(n), BaseException)]


def test_the_exports_are_found():
    assert len(FUNCTIONS) >= 40 and len(CLASSES) >= 20


@pytest.mark.parametrize("name", FUNCTIONS)
def test_exported_function_docstring(name):
    obj = getattr(sampling, name)
    report = validate(f"{obj.__module__}.{obj.__qualname__}")
    problems = [f"{code}: {message}" for code, message in report["errors"] if code in REQUIRED]
    assert not problems, problems


@pytest.mark.parametrize("name", CLASSES)
def test_exported_class_documents_its_attributes(name):
    obj = getattr(sampling, name)
    doc = NumpyDocString(inspect.getdoc(obj) or "")
    documented = {part.strip() for p in doc["Attributes"] for part in p.name.split(",")}
    assert documented, f"{name} has no Attributes section"
    if dataclasses.is_dataclass(obj):
        fields = [f.name for f in dataclasses.fields(obj) if not f.name.startswith("_")]
        assert not [f for f in fields if f not in documented], "fields not under Attributes"
