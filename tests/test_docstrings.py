"""Shared docstring components (cxlib._docstrings): placeholders are filled, other braces stay, none is unused."""

from __future__ import annotations

import inspect
import re

import pytest

from cxlib._docstrings import SHARED, fill_docstring, share_docs

from .conftest import ROOT

PLACEHOLDER_LINE = re.compile(r"^[ \t]*\{([A-Za-z_]\w*)\}[ \t]*$", re.MULTILINE)


def test_placeholder_is_filled_and_indented_like_it():
    def f(log, *, level=0.95):
        """Summary.

        Parameters
        ----------
        {log}
        {level}
        """

    share_docs(f)
    assert inspect.getdoc(f).split("\n----------\n")[1] == SHARED["log"] + "\n" + SHARED["level"]


def test_other_braces_stay():
    doc = 'Summary.\n\n    >>> d = {"a": 1}\n    {source: new_name} and {log} inline\n    {"b": 2}\n'
    assert fill_docstring(doc, SHARED) == doc


def test_unknown_placeholder_and_redefined_component_raise():
    def g():
        """Summary.

        {no_such_component}
        """

    with pytest.raises(ValueError, match="no_such_component"):
        share_docs(g)
    with pytest.raises(ValueError, match="level"):
        share_docs(level="level : float\n    Something else.")


def test_module_component_and_object_returned_unchanged():
    def h(x, *, y=1):
        """Summary.

        Parameters
        ----------
        {xy}
        """

    sig = inspect.signature(h)
    assert share_docs(xy="x, y : int\n    Two numbers.")(h) is h
    assert inspect.signature(h) == sig
    assert inspect.getdoc(h).endswith("----------\nx, y : int\n    Two numbers.")


def test_every_shared_component_is_used():
    used = {name for path in (ROOT / "cxlib").rglob("*.py") if path.name != "_docstrings.py"
            for name in PLACEHOLDER_LINE.findall(path.read_text(encoding="utf-8"))}
    assert set(SHARED) - used == set()
