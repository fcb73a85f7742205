"""The runner is safe to trust: atomic and stale-safe writing, a guard that looks at what a browser loads, an
output folder that can never hit the notebook, runs of one report taking turns, and cx speaking in messages."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest
import yaml

from cxlib import CxInputError
from cxlib.report import external_resources, run_notebook, run_suite

from .test_report import _notebook

CX = [sys.executable, "-m", "cxlib.cli"]


def _cx(*args, cwd=None, timeout=300):
    return subprocess.run([*CX, *map(str, args)], check=False, capture_output=True, text=True, cwd=cwd, timeout=timeout,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})


@pytest.mark.slow
def test_a_failed_run_never_leaves_the_old_report_as_current(tmp_path):
    out = tmp_path / "out"
    good = _notebook(tmp_path / "r.ipynb", "print('first run fine')")
    assert run_notebook(good, outdir=out, progress=False).status == "ok"
    first = (out / "r.html").read_text()
    assert "first run fine" in first
    _notebook(tmp_path / "r.ipynb", "print('half way')\nraise RuntimeError('bad data in cell')")
    result = run_notebook(good, outdir=out, progress=False)
    assert result.status == "failed" and "bad data in cell" in result.error
    current = (out / "r.html").read_text()
    assert 'id="cx-failed"' in current and "bad data in cell" in current and "first run fine" not in current
    stale = (out / "r.stale.html").read_text()
    assert "first run fine" in stale and "Stale report" in stale and "bad data in cell" in stale
    executed = nbformat.read(out / "r.ipynb", as_version=4)        # "kept at" is true: the failed notebook
    assert "half way" in str(executed.cells[-1].outputs)
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".") and "tmp" in p.name) == []
    _notebook(tmp_path / "r.ipynb", "print('fixed')")
    assert run_notebook(good, outdir=out, progress=False).status == "ok"
    assert "fixed" in (out / "r.html").read_text() and not (out / "r.stale.html").exists()


@pytest.mark.slow
def test_a_run_failing_at_the_first_try_writes_a_failure_page_and_the_index_marks_it(tmp_path):
    broken = _notebook(tmp_path / "b.ipynb", "1/0")
    suite = tmp_path / "suite.yml"
    suite.write_text(yaml.safe_dump({"title": "T", "reports": [{"notebook": str(broken), "name": "b"}]}))
    [result] = run_suite(suite, outdir=tmp_path / "out", progress=False)
    assert result.status == "failed"
    assert 'id="cx-failed"' in (tmp_path / "out" / "b.html").read_text()
    index = (tmp_path / "out" / "index.html").read_text()
    assert "failed" in index and "ZeroDivisionError" in index


@pytest.mark.slow
def test_customer_text_that_mentions_a_url_is_no_export_error(tmp_path):
    nb = _notebook(tmp_path / "t.ipynb", "from cxlib.report import show\nimport pandas as pd\n"
                                         "show(pd.DataFrame({'text': ['see url(http://evil.example/x.png) and "
                                         "<img src=http://evil.example/p.gif>']}))")
    result = run_notebook(nb, outdir=tmp_path / "out", progress=False)
    assert result.status == "ok", result.error
    page = result.html.read_text()
    assert "url(http://evil.example/x.png)" in page and external_resources(page) == []


@pytest.mark.slow
def test_a_notebook_that_embeds_a_remote_image_fails_with_a_clear_message(tmp_path):
    nb = _notebook(tmp_path / "t.ipynb", "from IPython.display import HTML\n"
                                         "HTML('<img src=\"https://tracker.example/p.gif\">')")
    result = run_notebook(nb, outdir=tmp_path / "out", progress=False)
    assert result.status == "failed"
    # the offending element is named; its URL is redacted like anything else an error page shows
    assert "load resources from the network" in result.error and "<img src=[URL]>" in result.error
    assert 'id="cx-failed"' in (tmp_path / "out" / "t.html").read_text()


def test_the_guard_reads_elements_and_css_not_text():
    assert external_resources("<p>&lt;script src=https://x&gt; url(http://y) @import 'http://z'</p>") == []
    found = external_resources("<style>@import 'https://f.example/a.css'; b{background:url(//g.example/b.png)}"
                               "</style><link rel=stylesheet href='http://h.example/c.css'>"
                               "<img srcset='a.png 1x, https://i.example/b.png 2x'>"
                               "<div style=\"background-image:url('https://j.example/d.png')\"></div>"
                               "<meta http-equiv=refresh content='0; url=https://k.example/'>"
                               "<img src='data:image/png;base64,AAAA'><a href='https://ok.example'>link</a>")
    assert len(found) == 6 and not any("ok.example" in f for f in found)


def test_the_output_can_never_overwrite_the_notebook(tmp_path):
    nb = _notebook(tmp_path / "same.ipynb", "print(1)")
    before = nb.read_bytes()
    with pytest.raises(CxInputError, match="overwrite the notebook itself"):
        run_notebook(nb, outdir=tmp_path, progress=False)
    assert nb.read_bytes() == before


def test_an_output_folder_that_cannot_be_made_is_named(tmp_path):
    nb = _notebook(tmp_path / "n.ipynb", "print(1)")
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(CxInputError, match="a-file") as info:
        run_notebook(nb, outdir=blocker, progress=False)
    assert "output folder" in str(info.value)
    with pytest.raises(CxInputError, match="output folder"):
        run_notebook(nb, outdir=blocker / "sub", progress=False)


@pytest.mark.slow
def test_two_runs_of_one_report_take_turns(tmp_path):
    nb = _notebook(tmp_path / "c.ipynb", "import time\ntime.sleep(1)\nprint('run', top)")
    results = {}

    def go(top):
        results[top] = run_notebook(nb, parameters={"top": top}, outdir=tmp_path / "out", progress=False)

    threads = [threading.Thread(target=go, args=(t,)) for t in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.status == "ok" for r in results.values())
    page = (tmp_path / "out" / "c.html").read_text()
    executed = str(nbformat.read(tmp_path / "out" / "c.ipynb", as_version=4).cells[-1].outputs)
    winner = "run 1" if "run 1" in page else "run 2"
    assert winner in executed                                     # the page and the kept notebook agree
    assert [p.name for p in (tmp_path / "out").iterdir() if "tmp" in p.name] == []


def test_cx_input_problems_exit_2_with_one_message(tmp_path):
    run = _cx("run", tmp_path / "missing.ipynb", "-q")
    assert run.returncode == 2 and "does not exist" in run.stderr and "Traceback" not in run.stderr
    nb = _notebook(tmp_path / "n.ipynb", "print(1)")
    blocker = tmp_path / "f"
    blocker.write_text("x")
    run = _cx("run", nb, "-o", blocker, "-q")
    assert run.returncode == 2 and "output folder" in run.stderr and "Traceback" not in run.stderr
    run = _cx("report", tmp_path / "nosuite.yml", "-q")
    assert run.returncode == 2 and "Traceback" not in run.stderr


@pytest.mark.slow
def test_cx_failing_notebook_exits_1_with_cell_and_no_traceback(tmp_path):
    nb = _notebook(tmp_path / "n.ipynb", "raise KeyError('no such column')")
    run = _cx("run", nb, "-o", tmp_path / "out", "-q")
    assert run.returncode == 1 and "cell" in run.stderr and "KeyError" in run.stderr
    assert "Traceback" not in run.stderr and "kept at" in run.stderr
    kept = run.stderr.split("kept at ")[1].split()[0]
    assert os.path.exists(kept)


def test_cx_unexpected_errors_print_a_message_and_the_log(tmp_path, monkeypatch, capsys):
    from cxlib import cli

    def boom(args):
        raise ZeroDivisionError("inside cxlib")

    parser = cli.build_parser()
    args = parser.parse_args(["report", "x.yml"])
    monkeypatch.setattr(cli, "build_parser", lambda: type("P", (), {"parse_args": lambda self, a: args})())
    args.func = boom
    assert cli.main([]) == 1
    err = capsys.readouterr().err
    assert "unexpected error" in err and "Traceback" not in err
    log = err.split("the traceback is in ")[1].strip()
    assert "ZeroDivisionError" in Path(log).read_text()


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))


def test_an_alias_bomb_parameter_file_is_refused_at_once(tmp_path, capsys):
    import time

    from cxlib.cli import main

    bomb = tmp_path / "bomb.yml"
    bomb.write_text(BOMB)
    nb = _notebook(tmp_path / "n.ipynb", "print(1)")
    started = time.perf_counter()
    code = main(["run", str(nb), "-f", str(bomb), "-o", str(tmp_path / "out"), "-q"])
    elapsed = time.perf_counter() - started
    assert code == 2 and elapsed < 1.0
    err = capsys.readouterr().err
    assert "bomb.yml" in err and "alias" in err and "Traceback" not in err
    run = _cx("run", nb, "-f", bomb, "-o", tmp_path / "out", "-q")
    assert run.returncode == 2 and "Traceback" not in run.stderr and "alias" in run.stderr


def test_a_parameter_the_notebook_lacks_is_an_error_with_a_suggestion(tmp_path):
    nb = _notebook(tmp_path / "n.ipynb", "print(top)")
    run = _cx("run", nb, "-p", "tops", "5", "-o", tmp_path / "out", "-q")
    assert run.returncode == 2 and "did you mean 'top'" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "out" / "n.html").exists()            # nothing ran, nothing was written


def test_a_wrong_type_names_the_parameter_the_file_and_the_expectation(tmp_path):
    params = tmp_path / "p.yml"
    params.write_text("top_paths: '95%'\n")
    run = _cx("run", "notebooks/01_journeys.ipynb", "-f", params, "-o", tmp_path / "out", "-q",
              cwd=str(Path(__file__).resolve().parents[1]))
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "top_paths" in run.stderr and "p.yml" in run.stderr and "(0, 1]" in run.stderr


@pytest.mark.slow
def test_errors_that_quote_customer_data_are_redacted_on_the_failure_page_and_the_index(tmp_path):
    broken = _notebook(tmp_path / "b.ipynb", "raise ValueError(\"unknown label 'call 0171-12-3456' from "
                                            "jörg@müller.de, IBAN DE89 3704 0044 0532 0130 00\")")
    suite = tmp_path / "suite.yml"
    suite.write_text(yaml.safe_dump({"title": "T", "reports": [{"notebook": str(broken), "name": "b"}]}))
    [result] = run_suite(suite, outdir=tmp_path / "out", progress=False)
    assert result.status == "failed"
    for page in ((tmp_path / "out" / "index.html").read_text(), (tmp_path / "out" / "b.html").read_text(),
                 result.error):
        assert "unknown label" in page
        for pii in ("0171-12-3456", "jörg@müller.de", "DE89 3704", "0532 0130"):
            assert pii not in page


@pytest.mark.parametrize("name", ["../escape", "sub/dir", ".hidden", " "])
def test_a_report_name_must_be_a_plain_file_name(tmp_path, name):
    nb = _notebook(tmp_path / "n.ipynb", "print(1)")
    with pytest.raises(CxInputError, match="must be a file name"):
        run_notebook(nb, outdir=tmp_path / "out", name=name, progress=False)
    assert not (tmp_path / "escape.html").exists()
