"""Notebook parameters checked before a run: names, types and declared ranges (cxlib.report._params)."""

from __future__ import annotations

import nbformat
import pytest

from cxlib import CxInputError
from cxlib.report._params import check_parameters, notebook_parameters
from cxlib.report._runner import load_params
from cxlib.report._suite import read_suite

from .conftest import ROOT

NOTEBOOKS = ROOT / "notebooks"
JOURNEYS = NOTEBOOKS / "01_journeys.ipynb"
FOR_PREFIX = {"journeys": "01_journeys", "feedback": "02_feedback", "scores": "03_scores",
              "dashboard": "04_cx_dashboard"}

CELL = '''interactive = True
top_paths = 0.95  # share of transitions kept, in (0, 1]
top = 10  # rows shown, in [1, 100]
min_share = 0.0  # in [0, inf)
label = "x"  # a column, or None
title = "A"
columns = {"a": "b",
           "c": "d"}  # source columns by role
options = []
when = None  # anything
%matplotlib inline
'''


def _notebook(path, source=CELL, *, tagged=True):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(source)
    if tagged:
        cell.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# test"), cell, nbformat.v4.new_code_cell("print(top)")]
    nbformat.write(nb, path)
    return path


def _message(notebook, params, params_file=None) -> str:
    with pytest.raises(CxInputError) as err:
        check_parameters(notebook, params, params_file=params_file)
    return str(err.value)


# ---------------------------------------------------------------- what a notebook declares

def test_specs_from_the_parameters_cell(tmp_path):
    specs = notebook_parameters(_notebook(tmp_path / "nb.ipynb"))
    assert list(specs) == ["interactive", "top_paths", "top", "min_share", "label", "title", "columns",
                           "options", "when"]
    assert specs["top_paths"].type is float and specs["top_paths"].default == 0.95
    assert specs["top_paths"].range_text == "(0, 1]"
    assert specs["top_paths"].help == "share of transitions kept, in (0, 1]"
    assert specs["top"].range_text == "[1, 100]" and specs["min_share"].range_text == "[0, inf)"
    assert specs["columns"].help == "source columns by role" and specs["columns"].type is dict
    assert specs["label"].nullable and not specs["title"].nullable and specs["when"].type is None


def test_specs_of_a_shipped_notebook_and_its_py_pair():
    specs = notebook_parameters(JOURNEYS)
    assert specs["top_variants"].type is int and specs["classifier"].type is None
    assert specs["log_file"].help == "relative to the repository root"
    assert notebook_parameters(NOTEBOOKS / "01_journeys.py") == specs  # the .ipynb of a pair is read


def test_py_percent_notebook_without_ipynb(tmp_path):
    path = tmp_path / "solo.py"
    path.write_text('# %%\nimport x\n\n# %% tags=["parameters"]\ntop = 5  # in [1, 10]\n\n# %%\nprint(top)\n',
                    encoding="utf-8")
    assert notebook_parameters(path)["top"].range_text == "[1, 10]"
    assert "'top' = 11" in _message(path, {"top": 11})


def test_notebook_without_parameters_cell(tmp_path):
    path = _notebook(tmp_path / "nb.ipynb", tagged=False)
    assert notebook_parameters(path) == {}
    assert "is not a parameter" in _message(path, {"top": 1})
    check_parameters(path, {"interactive": False, "report_title": "x"})


def test_missing_notebook(tmp_path):
    with pytest.raises(CxInputError, match="does not exist"):
        notebook_parameters(tmp_path / "nope.ipynb")


# ---------------------------------------------------------------- names

def test_unknown_name_with_suggestion():
    message = _message(JOURNEYS, {"top_variant": 5})
    assert "parameter 'top_variant' (given with -p) is not a parameter of 01_journeys.ipynb" in message
    assert "did you mean 'top_variants'?" in message and "top_activities" in message


def test_unknown_name_in_a_file_names_the_file(tmp_path):
    params = tmp_path / "p.yml"
    params.write_text("log_file: data/helpdesk.xes.gz\nwindow_day: 3\n", encoding="utf-8")
    message = _message(JOURNEYS, load_params(params), params_file=params)
    assert message.startswith(f"{params}: parameter 'window_day' is not a parameter")
    assert "did you mean 'window_days'?" in message


def test_runner_parameters_are_always_allowed():
    check_parameters(JOURNEYS, {"interactive": False, "report_title": "A title", "cx_run_id": 3})


# ---------------------------------------------------------------- types

@pytest.mark.parametrize("params, expected", [
    ({"top_activities": "10"}, ("parameter 'top_activities' = '10' (given with -p) does not fit "
                                "01_journeys.ipynb: expected a whole number in [1, inf), like its default 10")),
    ({"top_activities": 2.5}, "expected a whole number"),
    ({"top_paths": "most"}, "expected a number in (0, 1], like its default 0.95"),
    ({"window_days": True}, "'window_days' = true"),
    ({"interactive": "no"}, "expected true or false"),
    ({"title": None}, "'title' = null (given with -p) does not fit 01_journeys.ipynb: expected text"),
    ({"log_options": ["a"]}, "expected a mapping (key: value), like its default {}"),
])
def test_wrong_types(params, expected):
    assert expected in _message(JOURNEYS, params)


def test_types_that_fit():
    check_parameters(JOURNEYS, {
        "top_paths": 1,                                   # an int where the default is a float
        "classifier": ["concept:name", "lifecycle:transition"],  # a None default takes anything
        "success_ends": ["Closed"], "group_key": "org:group",
        "title": "x", "interactive": False,
    })
    check_parameters(NOTEBOOKS / "03_scores.ipynb", {"topic": None})  # its comment says "or None"


def test_every_problem_is_listed():
    message = _message(JOURNEYS, {"top_variant": 5, "top_activities": "many"})
    assert "top_variant" in message and "; also parameter 'top_activities'" in message


# ---------------------------------------------------------------- ranges

@pytest.mark.parametrize("params, expected", [
    ({"top_paths": 0}, ("parameter 'top_paths' = 0 (given with -p) is out of range: expected a number in "
                        "(0, 1] (share of transitions kept, in (0, 1])")),
    ({"top_paths": 1.5}, "'top_paths' = 1.5"),
    ({"top": 0}, "expected a whole number in [1, 100]"),
    ({"top": 101}, "'top' = 101"),
    ({"min_share": -0.1}, "expected a number in [0, inf)"),
])
def test_out_of_range(tmp_path, params, expected):
    assert expected in _message(_notebook(tmp_path / "nb.ipynb"), params)


def test_in_range_and_file_named(tmp_path):
    nb = _notebook(tmp_path / "nb.ipynb")
    check_parameters(nb, {"top_paths": 1, "top": 1, "min_share": 1e9, "label": None, "when": [1],
                          "options": [2]})
    params = tmp_path / "run.yml"
    params.write_text("top_paths: 0.0\ntop: 5\n", encoding="utf-8")
    message = _message(nb, load_params(params), params_file=params)
    assert message.startswith(f"{params}: parameter 'top_paths' = 0.0 is out of range")
    # the same value given with -p over the file is named as such
    message = _message(nb, load_params(params, {"top": 0}), params_file=params)
    assert "'top' = 0 (given with -p)" in message
    params.write_text("top_paths: 0.5\n", encoding="utf-8")  # the file is fine: only -p is named
    message = _message(nb, load_params(params, {"top": 0}), params_file=params)
    assert message.startswith("parameter 'top' = 0 (given with -p) is out of range")


# ---------------------------------------------------------------- the shipped files

@pytest.mark.parametrize("params_file", sorted((NOTEBOOKS / "params").glob("*.yml")), ids=lambda p: p.stem)
def test_shipped_params_files_pass(params_file):
    notebook = NOTEBOOKS / f"{FOR_PREFIX[params_file.stem.split('_')[0]]}.ipynb"
    check_parameters(notebook, load_params(params_file), params_file=params_file)


def test_shipped_suite_passes():
    _, entries = read_suite(NOTEBOOKS / "suite.yml")
    for entry in entries:
        overrides = dict(entry.get("overrides") or {})
        if entry.get("title"):
            overrides["report_title"] = entry["title"]
        check_parameters(ROOT / entry["notebook"], load_params(entry.get("params"), overrides),
                         params_file=entry.get("params"))
