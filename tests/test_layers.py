"""The layers hold: import-linter's contract in pyproject.toml passes, and it does catch a violation."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT

LINT = Path(sys.executable).with_name("lint-imports")


def _lint(cwd: Path, pythonpath: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    return subprocess.run([str(LINT), "--no-cache"], check=False, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


def test_the_layer_contract_is_kept():
    run = _lint(ROOT, ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 kept, 0 broken" in run.stdout


def test_a_lower_layer_importing_a_higher_one_breaks_it(tmp_path):
    shutil.copytree(ROOT / "cxlib", tmp_path / "cxlib", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "cxlib" / "io" / "_upward.py").write_text("from ..report import run_notebook  # a violation\n")
    run = _lint(tmp_path, tmp_path)
    assert run.returncode != 0
    assert "cxlib.io is not allowed to import cxlib.report" in run.stdout
