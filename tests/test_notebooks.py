"""The notebooks: stored without outputs, paired with jupytext, and each parameter file runs through cx run."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import jupytext
import nbformat
import pytest

from cxlib.report import external_resources, run_notebook

from .conftest import ROOT, SHARED

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PREFIX = {"journeys": "01_journeys", "feedback": "02_feedback", "scores": "03_scores",
          "dashboard": "04_cx_dashboard"}
PARAMS = sorted((ROOT / "notebooks" / "params").glob("*.yml"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert not cell.get("outputs") and not cell.get("execution_count"), f"{path.name} has outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_cell_with_interactive_switch(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{path.name} needs exactly one cell tagged 'parameters'"
    assert "interactive" in tagged[0].source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_paired_py_percent_in_sync(path):
    script = path.with_suffix(".py")
    assert script.exists(), f"{path.name} has no paired {script.name}"
    assert "py:percent" in script.read_text(encoding="utf-8").split("\n---", 1)[0] or \
        "percent" in script.read_text(encoding="utf-8")[:400]
    a = [c.source.strip() for c in nbformat.read(path, as_version=4).cells]
    b = [c.source.strip() for c in jupytext.read(script).cells]
    assert a == b, f"{path.name} and {script.name} differ: run `jupytext --sync {script}`"


def _needs_shared(params: Path) -> bool:
    return "../shared/" in params.read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("params", PARAMS, ids=lambda p: p.stem)
def test_each_parameter_file_runs_through_cx_run(params, tmp_path, monkeypatch):
    notebook = ROOT / "notebooks" / f"{PREFIX[params.stem.split('_')[0]]}.ipynb"
    if _needs_shared(params) and not SHARED.exists():
        pytest.skip("reads ../shared/datasets, which is not beside the repository")
    monkeypatch.chdir(ROOT)
    result = run_notebook(notebook, params_file=params.relative_to(ROOT), outdir=tmp_path, progress=False)
    assert result.status == "ok", result.error
    page = result.html.read_text(encoding="utf-8")
    assert "Run manifest" in page
    assert external_resources(page) == []
    assert "Traceback" not in page


@pytest.mark.slow
def test_journeys_report_on_the_demo_log(tmp_path, monkeypatch):
    """The journeys report: manifest, load report, the process map as inline SVG, and the variants."""
    monkeypatch.chdir(ROOT)
    result = run_notebook(ROOT / "notebooks" / "01_journeys.ipynb",
                          params_file="notebooks/params/journeys_helpdesk.yml", outdir=tmp_path, progress=False)
    assert result.status == "ok", result.error
    page = result.html.read_text(encoding="utf-8")
    assert "helpdesk.xes.gz" in page and "rows kept" in page and "21,348" in page
    inline = re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", page)
    svgs = [base64.b64decode(m).decode("utf-8") for m in inline]
    svgs += re.findall(r"<svg.*?</svg>", page, flags=re.DOTALL)
    assert any("<svg" in svg and "Take in charge ticket" in svg for svg in svgs), "no process map SVG"
    assert "cumulative" in page.lower()
