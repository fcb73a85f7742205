"""The package's shape: every public function is documented in numpydoc style with a runnable example."""

from __future__ import annotations

import doctest
import importlib
import inspect
import os

import pytest

from .conftest import ROOT

SUBPACKAGES = ["cxlib.io", "cxlib.display", "cxlib.report", "cxlib.journeys", "cxlib.feedback", "cxlib.scores", "cxlib.owners"]


def _public_functions():
    for name in SUBPACKAGES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        for attr in getattr(module, "__all__", []):
            obj = getattr(module, attr)
            if inspect.isfunction(obj):
                yield f"{name}.{attr}", obj


FUNCTIONS = dict(_public_functions())


@pytest.mark.parametrize("qualname", sorted(FUNCTIONS))
def test_numpydoc_docstring(qualname):
    doc = inspect.getdoc(FUNCTIONS[qualname]) or ""
    summary = doc.splitlines()[0] if doc else ""
    assert summary.strip(), f"{qualname} has no docstring"
    for section in ("Parameters", "Returns", "Examples"):
        assert f"\n{section}\n----" in doc, f"{qualname}: docstring lacks a {section} section"


@pytest.mark.parametrize("qualname", sorted(FUNCTIONS))
def test_keyword_only_options(qualname):
    """Data first, options by keyword (as seaborn and pingouin do): at most three positional parameters."""
    params = inspect.signature(FUNCTIONS[qualname]).parameters.values()
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    assert len(positional) <= 3, f"{qualname} takes {len(positional)} positional parameters"


@pytest.mark.slow
@pytest.mark.parametrize("module_name", SUBPACKAGES)
def test_docstring_examples_run_on_the_demo_data(module_name, monkeypatch):
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        pytest.skip(f"{module_name} cannot be imported here")
    monkeypatch.chdir(ROOT)  # the examples read data/ relative to the repository
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    seen = set()
    names = getattr(module, "__all__", [])
    for attr in names:
        obj = getattr(module, attr)
        if id(obj) in seen or not (inspect.isfunction(obj) or inspect.isclass(obj)):
            continue
        seen.add(id(obj))
        globs = dict(vars(inspect.getmodule(obj)))
        globs.update({n: getattr(module, n) for n in names})
        for test in finder.find(obj, attr, globs=globs):
            runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {module_name}"
    assert os.getcwd() == str(ROOT)
