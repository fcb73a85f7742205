"""The public API of each subpackage is its ``__all__``: every name there exists, is documented for users in
``docs/`` or the README, and none is plumbing (helpers that only cxlib's own packages need)."""

from __future__ import annotations

import importlib
import re

import pytest

from .conftest import ROOT

SUBPACKAGES = ["io", "display", "journeys", "feedback", "scores", "owners", "report"]

# Names that are plumbing wherever they would be exported: file and YAML helpers, constants of the runner,
# the internals of the dashboard's column roles.
PLUMBING = re.compile(r"^(YAML_MAX_\w+|DASHBOARD_NOTEBOOK|dashboard_columns|open_bytes|decode_text|sniff_content|"
                      r"cache_dir|file_sha256|load_yaml_text|read_table|require_columns|check_scale|_\w*)$")


def _user_docs() -> str:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return "\n".join(p.read_text(encoding="utf-8") for p in pages)


def _undocumented(names, text: str) -> list[str]:
    return [n for n in names if not re.search(r"(?<![\w.])" + re.escape(n) + r"\b", text)
            and not re.search(r"\." + re.escape(n) + r"\b", text)]


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_every_exported_name_exists_and_is_documented_for_users(name):
    module = importlib.import_module(f"cxlib.{name}")
    assert list(module.__all__) == sorted(set(module.__all__), key=module.__all__.index), "duplicates in __all__"
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert missing == [], f"cxlib.{name}.__all__ names what does not exist: {missing}"
    undocumented = _undocumented(module.__all__, _user_docs())
    assert undocumented == [], f"cxlib.{name} exports names no user page mentions: {undocumented}"


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_no_exported_name_is_plumbing(name):
    module = importlib.import_module(f"cxlib.{name}")
    assert [n for n in module.__all__ if PLUMBING.match(n)] == []


def test_the_checks_catch_an_offender():
    assert _undocumented(["read_log", "sniff_content"], "log = cxlib.read_log(path)") == ["sniff_content"]
    assert PLUMBING.match("dashboard_columns") and PLUMBING.match("YAML_MAX_BYTES")
    assert not PLUMBING.match("read_log")
