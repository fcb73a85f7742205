"""For the people who use it: a CLI that guides (progress, `cx params`, examples in --help, the README's recipe for
one's own CSV) and JupyterLab that works on first open (kernel, paths from the repository root, saves that change
nothing, the explorer and the topic browser)."""

from __future__ import annotations

import html
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml

import cxlib
import cxlib.journeys as cj
from cxlib.cli import build_parser, main
from cxlib.feedback import topic_browser
from cxlib.feedback._topics import TopicResult
from cxlib.feedback._widgets import browse_topics
from cxlib.journeys._widgets import compare_with_all
from cxlib.report import project_root, run_notebook
from cxlib.report._lab import _lab_argv
from cxlib.report._params import check_parameters, notebook_parameters, parameters_listing
from cxlib.report._progress import section_of

from .conftest import ROOT, make_log, shared

NOTEBOOKS = ROOT / "notebooks"


def _page_text(path: Path) -> str:
    """The visible text of an HTML report (scripts and styles dropped, whitespace collapsed)."""
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.DOTALL)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


# ---------------------------------------------------------------- cx params, --help


def test_cx_params_lists_every_parameter_as_a_parameter_file(capsys):
    assert main(["params", "notebooks/01_journeys.ipynb"]) == 0
    listing = capsys.readouterr().out
    specs = notebook_parameters(NOTEBOOKS / "01_journeys.ipynb")
    for name, spec in specs.items():
        assert re.search(rf"^(# )?{name}: ", listing, re.MULTILINE), f"{name} is not listed"
        if spec.help:
            assert f"# {spec.help}" in listing, f"the comment of {name} is not shown"
    loaded = yaml.safe_load(listing)
    # a valid parameter file: every parameter with its default, except interactive (cx run sets it)
    assert set(loaded) == set(specs) - {"interactive"}
    assert loaded["log_file"] == "data/helpdesk.xes.gz" and loaded["top_variants"] == 10
    assert loaded["sample"] is None and loaded["log_options"] == {}
    check_parameters(NOTEBOOKS / "01_journeys.ipynb", loaded)


def test_cx_params_on_every_notebook_and_on_a_missing_one(capsys):
    for notebook in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        text = parameters_listing(notebook)
        assert set(yaml.safe_load(text)) == set(notebook_parameters(notebook)) - {"interactive"}, notebook.name
    assert main(["params", "notebooks/nope.ipynb"]) == 2
    assert "the notebook does not exist" in capsys.readouterr().err


@pytest.mark.parametrize("command", [[], ["run"], ["params"], ["lab"], ["report"]])
def test_help_shows_examples(command, capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args([*command, "--help"])
    text = capsys.readouterr().out
    assert "examples:" in text
    assert re.search(r"^  cx " + (command[0] if command else "run"), text, re.MULTILINE)


def test_help_shows_how_to_map_the_columns_of_ones_own_csv(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "--help"])
    text = capsys.readouterr().out
    assert "-p log_options '{case: ticket, activity: step, timestamp: when, dayfirst: true}'" in text


# ---------------------------------------------------------------- progress


def test_section_names_come_from_headings_and_bold_leads():
    assert section_of("# Journeys\n\ntext") == "Journeys"
    assert section_of("## Topics over time") == "Topics over time"
    assert section_of("**Drop-offs.** Cases that end ...") == "Drop-offs"
    assert section_of("Just a sentence.") is None
    assert len(section_of("# " + "very long heading " * 10)) <= 40


@pytest.mark.slow
def test_cx_run_shows_cell_n_of_n_and_the_section_while_it_runs(tmp_path, capsys, monkeypatch):
    """A real run (papermill, a kernel): the display counts code cells, names the section, and keeps ticking
    while a slow cell runs (the runner's TQDM_DISABLE=1 for the kernel must not silence it)."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("interactive = True", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_markdown_cell("## Loading the data"),
                nbformat.v4.new_code_cell("x = 1"),
                nbformat.v4.new_markdown_cell("**Slow part.** It takes a while."),
                nbformat.v4.new_code_cell("import time\ntime.sleep(2.5)"),
                nbformat.v4.new_code_cell("x + 1")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "steps.ipynb"
    nbformat.write(nb, path)
    monkeypatch.chdir(ROOT)
    result = run_notebook(path, outdir=tmp_path / "out", progress="steps")
    assert result.status == "ok", result.error
    frames = capsys.readouterr().err.replace("\r", "\n")
    assert "steps · cell 1 of 5" in frames  # 4 code cells and the parameters papermill injects
    assert "steps · cell 3 of 5 · Loading the data" in frames
    assert "steps · cell 4 of 5 · Slow part" in frames
    slow = [line for line in frames.splitlines() if "cell 4 of 5 · Slow part" in line]
    assert len({re.search(r"(\d\d:\d\d)\s*$", line).group(1) for line in slow if re.search(r"\d\d:\d\d\s*$", line)}) >= 2, \
        "the elapsed time does not move while the slow cell runs"
    assert os.environ.get("TQDM_DISABLE") is None  # restored after the run


def test_quiet_run_shows_no_display(tmp_path, capsys, monkeypatch):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("interactive = True", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("1 + 1")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "q.ipynb")
    monkeypatch.chdir(ROOT)
    assert run_notebook(tmp_path / "q.ipynb", outdir=tmp_path / "out", progress=False).status == "ok"
    assert "cell 1 of" not in capsys.readouterr().err


# ---------------------------------------------------------------- the README's recipe: one's own CSV


def _readme_recipe() -> tuple[str, list[str]]:
    """The sample header line and the commands of the README's section on one's own event log."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Your own event log", 1)[1].split("\n## ", 1)[0]
    header = re.search(r"```text\n(.+?)\n", section).group(1)
    block = re.search(r"```bash\n(.+?)```", section, re.DOTALL).group(1)
    joined = re.sub(r"\\\n\s*", " ", block)
    commands = [line.split("  #")[0].strip() for line in joined.splitlines() if line.strip().startswith(".venv/bin/cx")]
    return header, commands


def _own_csv(path: Path) -> pd.DataFrame:
    """The receipt-phase log (WABO, real) as a new user's CSV: renamed columns, day-first dates (dd/mm/yyyy)."""
    log = cxlib.read_log(shared("receipt_wabo/receipt.xes.gz"))
    out = log.rename(columns={"case:concept:name": "ticket", "concept:name": "step", "org:resource": "agent",
                              "case:channel": "channel"})
    out = out.assign(when=out["time:timestamp"].dt.strftime("%d/%m/%Y %H:%M:%S"))
    out[["ticket", "step", "when", "agent", "channel"]].to_csv(path, index=False)
    return log


@pytest.mark.slow
def test_readme_recipe_gives_a_correct_journeys_report_from_ones_own_csv(tmp_path):
    header, commands = _readme_recipe()
    assert header == "ticket,step,when,agent,channel"
    original = _own_csv(tmp_path / "my_tickets.csv")
    assert any(" params " in c for c in commands) and any(" run " in c for c in commands)
    outdir = tmp_path / "reports"
    for command in commands:
        argv = shlex.split(command.replace("my_tickets.csv", str(tmp_path / "my_tickets.csv")))
        assert argv[0] == ".venv/bin/cx"
        argv = [sys.executable, "-m", "cxlib.cli", *argv[1:]] + (["-o", str(outdir)] if argv[1] == "run" else [])
        done = subprocess.run(argv, check=False, cwd=ROOT, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stderr[-2000:]
        if argv[3] == "run":
            frames = done.stderr.replace("\r", "\n")
            assert re.search(r"cell 1 of \d+", frames) and "· Process map" in frames  # progress in the terminal
            name = argv[argv.index("-n") + 1]
    text = _page_text(outdir / f"{name}.html")
    cases, events = original["case:concept:name"].nunique(), len(original)
    assert f"{events:,} events in {cases:,} cases, {original['concept:name'].nunique()} touchpoints" in text
    assert "Support tickets" in text
    assert f"rows read {events:,} rows kept {events:,} rows dropped 0" in text  # the load report, in the appendix
    # dd/mm/yyyy read day-first: the same journey times as the original log's timestamps
    times = cj.throughput(original)["throughput_h"]
    assert (f"Median throughput {cj.format_hours(times.median())}, 90th percentile "
            f"{cj.format_hours(times.quantile(0.9))} (over {cases:,} cases)") in text
    for channel in ("Internet", "Desk", "Post"):  # segment_by channel
        assert channel in text
    # nothing of the demo's: its title and design stay off, and the report says what to set
    assert "Help-desk" not in text and "helpdesk" not in text
    assert "Not set for this log: design_file" in text


@pytest.mark.slow
def test_sample_parameter_explores_a_sample_of_whole_cases(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = run_notebook(NOTEBOOKS / "01_journeys.ipynb", parameters={"sample": 200}, outdir=tmp_path,
                          progress=False)
    assert result.status == "ok", result.error
    text = _page_text(result.html)
    assert "A random sample of 200 of the log's 4,580 cases" in text
    assert "Help-desk tickets (Italian software company, 2010-2014)" in text  # the demo log keeps its defaults


# ---------------------------------------------------------------- JupyterLab: paths, kernel, saves


def test_project_root_from_the_notebooks_folder_and_from_outside(tmp_path):
    assert project_root(NOTEBOOKS) == ROOT
    assert project_root(ROOT) == ROOT
    assert project_root(tmp_path) == tmp_path.resolve()


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py")), ids=lambda p: p.name)
def test_notebooks_name_the_project_kernel_and_no_jupytext_version(path):
    header = path.read_text(encoding="utf-8").split("# ---", 2)[1]
    assert "name: cx-workbench" in header and "display_name: Python (cx-workbench)" in header
    assert "jupytext_version" not in header.replace("-jupytext.text_representation.jupytext_version", "")
    nb = json.loads(path.with_suffix(".ipynb").read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"] == {"display_name": "Python (cx-workbench)", "language": "python",
                                            "name": "cx-workbench"}
    assert "language_info" not in nb["metadata"]
    assert "os.chdir(project_root())" in path.read_text(encoding="utf-8")


def _registered_kernel(prefix: Path) -> dict:
    """The cx-workbench kernel as `make` registers it (ipykernel install), under a private prefix."""
    subprocess.run([sys.executable, "-m", "ipykernel", "install", "--prefix", str(prefix), "--name",
                    "cx-workbench", "--display-name", "Python (cx-workbench)"], check=True, capture_output=True)
    return {"JUPYTER_PATH": str(prefix / "share" / "jupyter")}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["01_journeys", "04_cx_dashboard"])
def test_run_all_with_the_kernel_started_in_notebooks(name, tmp_path, monkeypatch):
    """What JupyterLab does on Run All: the notebook's own kernel (cx-workbench), started in notebooks/."""
    from nbclient import NotebookClient

    for key, value in _registered_kernel(tmp_path / "kernel").items():
        monkeypatch.setenv(key, value)
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    assert nb.metadata.kernelspec.name == "cx-workbench"
    client = NotebookClient(nb, timeout=900, resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()  # raises CellExecutionError on the first failing cell
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    if name == "01_journeys":  # the explorer ran in the kernel: its three views are in the widget state
        state = json.dumps(nb.metadata.get("widgets", {}))
        assert "cases selected. The map shows" in state
        assert "The selected cases against all cases" in state and "Variants of the selected cases" in state


def test_lab_command_line():
    argv = _lab_argv(NOTEBOOKS / "01_journeys.ipynb", port=8890, browser=False, root=ROOT)
    assert argv[:3] == [sys.executable, "-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={ROOT}" in argv and "notebooks/01_journeys.ipynb" in argv
    assert ("--allow-root" in argv) == (os.geteuid() == 0)
    assert "--port=8890" in argv and "--no-browser" in argv
    assert any(a.startswith("--FileContentsManager.pre_save_hook=") for a in argv)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _api(port: int, path: str, data=None, method="GET"):
    body = None if data is None else json.dumps(data).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/{path}", data=body, method=method,
                                     headers={"Authorization": "token t", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


@pytest.mark.slow
def test_cx_lab_registers_the_kernel_and_a_save_changes_nothing(tmp_path):
    """`cx lab` on a copy of the project: it registers the kernel, serves the repository root, and a notebook
    saved as JupyterLab saves it after opening (with the kernel's language_info added) stays byte for byte."""
    project = tmp_path / "project"
    (project / "notebooks").mkdir(parents=True)
    (project / "pyproject.toml").write_text("", encoding="utf-8")
    (project / "jupytext.toml").write_bytes((ROOT / "jupytext.toml").read_bytes())
    for suffix in (".ipynb", ".py"):
        (project / "notebooks" / f"01_journeys{suffix}").write_bytes((NOTEBOOKS / f"01_journeys{suffix}").read_bytes())
    before = {p.name: p.read_bytes() for p in (project / "notebooks").iterdir()}
    env = dict(os.environ, JUPYTER_DATA_DIR=str(tmp_path / "data"), JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), JUPYTER_TOKEN="t")
    env.pop("JUPYTER_PATH", None)
    port = _free_port()
    log = tmp_path / "lab.log"  # a file, not a pipe: a full pipe would block the server
    lab = subprocess.Popen([sys.executable, "-m", "cxlib.cli", "lab", "--no-browser", "--port", str(port)],
                           cwd=project, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 300  # registering the kernel and starting the server: slow on a busy machine
        while True:
            try:
                _api(port, "status")
                break
            except OSError:
                assert lab.poll() is None, log.read_text()
                assert time.monotonic() < deadline, f"cx lab did not start within 300 s: {log.read_text()[-2000:]}"
                time.sleep(0.5)
        specs = _api(port, "kernelspecs")["kernelspecs"]
        assert "cx-workbench" in specs
        assert os.path.samefile(specs["cx-workbench"]["spec"]["argv"][0], sys.executable)
        assert "notebooks" in {item["name"] for item in _api(port, "contents")["content"]}
        model = _api(port, "contents/notebooks/01_journeys.ipynb?content=1")
        content = model["content"]
        content["metadata"]["language_info"] = {  # what JupyterLab adds once the kernel is ready
            "codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
            "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
            "pygments_lexer": "ipython3", "version": ".".join(map(str, sys.version_info[:3]))}
        _api(port, "contents/notebooks/01_journeys.ipynb", {"type": "notebook", "format": "json",
                                                            "content": content}, method="PUT")
    finally:
        lab.terminate()
        lab.wait(timeout=30)
    after = {p.name: p.read_bytes() for p in (project / "notebooks").iterdir() if p.is_file()}
    assert after == before


# ---------------------------------------------------------------- the explorer and the topic browser


@pytest.fixture
def channel_log() -> pd.DataFrame:
    """Web: W1, W2 a>b>c, W3 a>c; phone: P1-P3 a>c, P4 a>b>c. Whole log: a>c ranks first (4 cases), a>b>c
    second (3); within web a>b>c ranks first (2)."""
    rows, channel = [], {}
    for case, path, where in [("W1", "abc", "web"), ("W2", "abc", "web"), ("W3", "ac", "web"),
                              ("P1", "ac", "phone"), ("P2", "ac", "phone"), ("P3", "ac", "phone"),
                              ("P4", "abc", "phone")]:
        for hour, act in enumerate(path):
            rows.append((case, act, f"2024-01-0{1 + len(channel) % 7} {hour:02d}:00"))
        channel[case] = where
    log = make_log(rows)
    return log.assign(**{"case:channel": log["case:concept:name"].map(channel)})


def test_variants_are_ranked_within_the_selection(channel_log):
    assert set(cj.filter_cases(channel_log, variant_rank=1)["case:concept:name"]) == {"W3", "P1", "P2", "P3"}
    web_first = cj.filter_cases(channel_log, segment_by="case:channel", segment="web", variant_rank=1)
    assert set(web_first["case:concept:name"]) == {"W1", "W2"}
    passing_b = cj.filter_cases(channel_log, touchpoint="b", variant_rank=1)
    assert set(passing_b["case:concept:name"]) == {"W1", "W2", "P4"}


def test_explorer_reranks_the_variant_picker_when_the_segment_changes(channel_log):
    w = cj.journey_explorer(channel_log, segment_by="case:channel")
    segment, variant = w.children[0].children[0], w.children[1]
    assert variant.options[1][0].startswith("#1 (4 cases): a → c")
    segment.value = "web"
    assert variant.options[1][0].startswith("#1 (2 cases): a → b → c")
    assert variant.value == "(all)"
    assert [t for t in (w.children[2].get_title(i) for i in range(3))] == ["Map", "Variants", "vs. all cases"]


def test_selection_compared_with_all_cases(channel_log):
    web = cj.filter_cases(channel_log, segment_by="case:channel", segment="web")
    measures, reach = compare_with_all(channel_log, web)
    assert measures.iloc[0].tolist() == ["cases", "3 (42.9 % of all)", "7"]
    b = reach.set_index("touchpoint").loc["b"]
    assert b.tolist() == ["66.7 %", "42.9 %", "+23.8 points"]
    assert reach["touchpoint"].iloc[0] == "b"  # the largest difference first (a and c: every case)


def test_sample_cases_keeps_whole_cases_and_is_seeded(channel_log):
    small = cj.sample_cases(channel_log, 3, seed=1)
    assert small["case:concept:name"].nunique() == 3
    kept = channel_log[channel_log["case:concept:name"].isin(small["case:concept:name"])]
    assert small.equals(kept)  # every event of a sampled case, in the log's order
    assert cj.sample_cases(channel_log, 3, seed=1).equals(small)
    assert cj.sample_cases(channel_log, 50) is channel_log
    with pytest.raises(cxlib.CxInputError, match="at least 1"):
        cj.sample_cases(channel_log, 0)


def _topics() -> TopicResult:
    docs = pd.DataFrame({
        "text": [f"text {i}" for i in range(9)],
        "touchpoint": ["app", "app", "app", "shop", "shop", "shop", "shop", "app", "app"],
        "sentiment": ["negative", "negative", "positive", "negative", "negative", "positive", "neutral", "neutral",
                      "negative"],
        "topic": [0, 0, 1, 0, 1, 1, 1, 0, 0],
        "topic_similarity": [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1],
    })
    topics = pd.DataFrame({"topic": [0, 1], "label": ["login fails", "delivery late"], "size": [5, 4],
                           "share": [5 / 9, 4 / 9], "top_words": ["login, password", "delivery, late"]})
    return TopicResult(documents=docs, topics=topics, backend="test", info={})


def test_topic_browser_filters_by_touchpoint_and_sentiment():
    kept, table = browse_topics(_topics(), touchpoint="shop", sentiment="negative")
    assert len(kept) == 2 and sorted(table[["label", "texts"]].values.tolist()) == [["delivery late", 1],
                                                                                   ["login fails", 1]]
    kept, table = browse_topics(_topics(), touchpoint="app")
    assert table[["label", "texts", "share"]].values.tolist() == [["login fails", 4, 0.8], ["delivery late", 1, 0.2]]
    w = topic_browser(_topics())
    touchpoint, sentiment = w.children[0].children
    picker = w.children[1]
    assert (touchpoint.description, sentiment.description, picker.description) == ("Touchpoint", "Sentiment", "Topic")
    assert [label for label, _ in picker.options] == ["login fails (5)", "delivery late (4)"]
    touchpoint.value = "shop"
    assert [label for label, _ in picker.options] == ["delivery late (3)", "login fails (1)"]
    sentiment.value = "positive"
    assert [label for label, _ in picker.options] == ["delivery late (1)"]
