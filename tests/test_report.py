"""The report runner: cx run / cx report, the manifest, hidden code, failures, and self-contained HTML."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import nbformat
import pytest
import yaml

from cxlib.cli import main
from cxlib.report import external_resources, publish, run_notebook, run_suite, say, show

from .conftest import DATA


def _notebook(path: Path, body: str) -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("log_file = 'x'\ntop = 3\ninteractive = True")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# A test report"), params, nbformat.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.fixture
def hello(tmp_path):
    return _notebook(tmp_path / "hello.ipynb",
                     "SECRET_CODE = 41 + 1\n"
                     "import sys\nprint('noise', file=sys.stderr)\n"
                     "from cxlib.report import show\nimport pandas as pd\n"
                     "show(pd.DataFrame({'text': ['<script>alert(1)</script>'], 'n': [top]}))")


@pytest.mark.slow
def test_run_writes_html_with_manifest_hidden_code_and_no_network(hello, tmp_path):
    params = tmp_path / "p.yml"
    params.write_text(yaml.safe_dump({"log_file": str(DATA / "helpdesk.xes.gz"), "top": 7}))
    result = run_notebook(hello, params_file=params, outdir=tmp_path / "out", progress=False)
    assert result.status == "ok", result.error
    page = result.html.read_text(encoding="utf-8")
    assert "Run manifest" in page and "helpdesk.xes.gz" in page
    digest = hashlib.sha256((DATA / "helpdesk.xes.gz").read_bytes()).hexdigest()
    assert digest in page                                  # input file with its sha256
    for package in ("cxlib", "pm4py", "pandas"):
        assert f"<td>{package}</td>" in page                # versions
    assert "started (UTC)" in page and "duration" in page
    assert "SECRET_CODE" not in page                       # code cells hidden
    assert "noise" not in page                             # stderr is not for stakeholders
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert external_resources(page) == []
    assert "<td>7</td>" in page                            # the parameter file's value reached the notebook
    executed = nbformat.read(result.executed, as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert "interactive = False" in injected[0].source


@pytest.mark.slow
def test_kernel_talks_over_private_unix_sockets_not_plain_tcp(hello, tmp_path, capfd):
    import glob
    import tempfile

    before = set(glob.glob(str(Path(tempfile.gettempdir()) / "cx-kernel-*")))
    probe = _notebook(tmp_path / "probe.ipynb", "from ipykernel.kernelapp import IPKernelApp\n"
                                                 "print('transport', IPKernelApp.instance().transport)")
    result = run_notebook(probe, outdir=tmp_path / "out", progress=False)
    assert result.status == "ok", result.error
    executed = nbformat.read(result.executed, as_version=4)
    assert "transport ipc" in "".join(o.get("text", "") for o in executed.cells[-1].outputs)
    assert "without encryption" not in capfd.readouterr().err   # ipykernel's warning for TCP
    assert set(glob.glob(str(Path(tempfile.gettempdir()) / "cx-kernel-*"))) == before   # socket folder removed


@pytest.mark.slow
def test_failure_names_the_cell_keeps_the_notebook_and_exits_nonzero(tmp_path, capsys):
    nb = _notebook(tmp_path / "broken.ipynb", "raise ValueError('the data is odd')")
    code = main(["run", str(nb), "-o", str(tmp_path / "out"), "-q", "-p", "top", "5"])
    assert code == 1
    err = capsys.readouterr().err
    assert "ValueError: the data is odd" in err and "cell" in err
    assert (tmp_path / "out" / "broken.ipynb").exists()
    page = (tmp_path / "out" / "broken.html").read_text()   # the page says the run failed, and why
    assert 'id="cx-failed"' in page and "the data is odd" in page and "Run manifest" not in page


@pytest.mark.slow
def test_suite_writes_index_with_status_and_published_summary(hello, tmp_path):
    broken = _notebook(tmp_path / "broken.ipynb", "1/0")
    pub = _notebook(tmp_path / "pub.ipynb",
                    "import pandas as pd\nfrom cxlib.report import publish\n"
                    "publish(pd.DataFrame({'touchpoint': ['<b>x</b>'], 'light': ['red'], 'report': ['hello']}),"
                    " title='Dashboard', link_column='report')")
    suite = tmp_path / "suite.yml"
    suite.write_text(yaml.safe_dump({"title": "Demo", "reports": [
        {"notebook": str(hello), "name": "hello", "title": "Hello report"},
        {"notebook": str(broken)},
        {"notebook": str(pub), "name": "pub"},
    ]}))
    results = run_suite(suite, outdir=tmp_path / "out", progress=False)
    assert [r.status for r in results] == ["ok", "failed", "ok"]
    index = (tmp_path / "out" / "index.html").read_text()
    assert "href='hello.html'" in index and "Hello report" in index
    assert "ZeroDivisionError" in index and "failed" in index
    assert "<h2>Dashboard</h2>" in index and "&lt;b&gt;x&lt;/b&gt;" in index and "cx-light" in index
    assert external_resources(index) == []
    assert main(["report", str(suite), "-o", str(tmp_path / "out2"), "-q"]) == 1  # a failed report fails the run


def test_external_resource_detector():
    assert external_resources('<img src="http://x/y.png">')
    assert external_resources("<link rel=stylesheet href='//cdn/x.css'>")
    assert external_resources("<style>@import url('https://fonts/x.css');</style>")
    assert not external_resources("<img src='data:image/png;base64,AAAA'>")
    assert not external_resources("<a href='https://example.org'>link</a>")


def test_display_helpers_escape():
    assert "&lt;img src=x onerror=alert(1)&gt;" in show(
        __import__("pandas").DataFrame({"t": ["<img src=x onerror=alert(1)>"]}))._repr_html_()
    assert say("n={n}", n="<b>")._repr_html_() == "<p>n=&lt;b&gt;</p>"
    assert publish(__import__("pandas").DataFrame({"a": [1]}), title="x") is None


def test_bench_load_json(capsys):
    code = main(["bench", "load", str(DATA / "helpdesk.xes.gz"), "--json"])
    assert code == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["events"] == 21348
    for key in ("cxlib_s", "pm4py_s", "cached_s"):
        assert figures[key] > 0


def test_bad_parameter_file(tmp_path, hello, capsys):
    bad = tmp_path / "bad.yml"
    bad.write_text("- a list\n- not a mapping\n")
    assert main(["run", str(hello), "-f", str(bad), "-o", str(tmp_path)]) == 2
    assert "expected a YAML mapping" in capsys.readouterr().err


def test_an_owner_report_header_names_no_other_owner(tmp_path):
    from cxlib.report._layout import nav_html

    entries = [{"name": "dash", "notebook": "notebooks/04_cx_dashboard.ipynb", "title": "CX dashboard: Demo"},
               {"name": "dash__sales", "notebook": "notebooks/04_cx_dashboard.ipynb",
                "overrides": {"owner": "Sales <team>"}},
               {"name": "dash__billing", "notebook": "notebooks/04_cx_dashboard.ipynb",
                "overrides": {"owner": "Billing"}}]
    overview = nav_html("dash", entries, tmp_path)
    assert "dash__sales.html" in overview and "dash__billing.html" in overview and "Sales &lt;team&gt;" in overview
    sales = nav_html("dash__sales", entries, tmp_path)
    assert "dash.html" in sales and "index.html" in sales            # its dashboard and the index
    assert "Sales &lt;team&gt;" in sales                               # itself, escaped
    assert "Billing" not in sales and "dash__billing" not in sales     # no other owner, by name or link
