"""The reading foundation is the only reader: no module outside cxlib.io reads CSV, Excel or Parquet files or
defines the event-log column keys, and nothing outside it imports a private name of cxlib.io."""

from __future__ import annotations

import ast

import pytest

import cxlib.io

from .conftest import ROOT

PACKAGE = ROOT / "cxlib"
IO = PACKAGE / "io"
READING_CALLS = {"read_csv", "read_excel", "read_parquet", "read_table", "read_feather", "read_json",
                 "ParquetFile", "ExcelFile", "reader", "DictReader", "load_workbook", "import_xes", "read_xes"}
KEYS = {"case:concept:name", "concept:name", "time:timestamp", "org:resource"}


def _modules_outside_io():
    for path in sorted(PACKAGE.rglob("*.py")):
        if IO in path.parents:
            continue
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _offences(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
            anchor = owner == "pm4py"  # the benchmarks time pm4py's own reader against ours
            if name in READING_CALLS and not anchor and not (name == "read_table" and owner in {"", "cio"}) \
                    and not (name == "reader" and owner != "csv"):
                found.append(f"line {node.lineno}: calls {owner + '.' if owner else ''}{name}")
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and node.value.value in KEYS:
            found.append(f"line {node.lineno}: defines the column key {node.value.value!r}")
        if isinstance(node, ast.ImportFrom) and node.module:
            parts = node.module.split(".")
            if "io" in parts and any(p.startswith("_") for p in parts[parts.index("io") + 1:]):
                found.append(f"line {node.lineno}: imports the private module {node.module}")
            if node.module.endswith("io"):
                private = [a.name for a in node.names if a.name.startswith("_")]
                if private:
                    found.append(f"line {node.lineno}: imports private names {private} of cxlib.io")
    return found


def test_no_reader_or_column_keys_outside_io():
    offences = {str(path.relative_to(ROOT)): found for path, tree in _modules_outside_io()
                if (found := _offences(tree))}
    assert offences == {}


def test_the_check_catches_an_offender():
    tree = ast.parse("import pandas as pd\nCASE = 'case:concept:name'\ndf = pd.read_csv('x.csv')\n"
                     "from ..io._log import _normalise\nimport csv\nrows = csv.reader(open('x'))\n")
    assert len(_offences(tree)) == 4


@pytest.mark.parametrize("name", ["read_log", "read_feedback", "read_responses", "LoadReport",
                                  "CASE", "ACTIVITY", "TIMESTAMP", "RESOURCE"])
def test_foundation_exports(name):
    assert name in cxlib.io.__all__ and hasattr(cxlib.io, name)


@pytest.mark.parametrize("name", ["read_table", "require_columns", "open_bytes", "read_yaml", "cache_dir"])
def test_the_toolbox_is_importable_but_not_public(name):
    assert name not in cxlib.io.__all__ and hasattr(cxlib.io, name)


def test_public_readers_stay_where_users_import_them():
    import cxlib.feedback
    import cxlib.scores

    assert cxlib.read_log is cxlib.io.read_log
    assert cxlib.feedback.read_feedback is cxlib.io.read_feedback
    assert cxlib.scores.read_responses is cxlib.io.read_responses
    assert cxlib.feedback.read_training_feedback.__module__ == "cxlib.feedback._pipeline"
