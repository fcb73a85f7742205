"""Run a parameterized notebook with papermill and export a self-contained HTML report with a run manifest."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import html
import json
import os
import re
import time
from html.parser import HTMLParser
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .._errors import CxInputError
from ..display import redact
from ..io import file_sha256, read_yaml
from ._layout import arrange_cells, contents, nav_html, static_files
from ._params import check_parameters
from ._suite import read_suite

__all__ = ["RunResult", "external_resources", "load_params", "run_notebook", "run_suite", "write_index"]

_TEMPLATES = Path(__file__).parent / "templates"

#: A URL that leaves the file: http(s), protocol-relative, ftp, or any scheme but data:/blob:/about:/#.
_REMOTE = re.compile(r"^\s*(?:(?:https?|ftp|wss?):|//)", re.IGNORECASE)
_CSS_URL = re.compile(r"""(?:url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3)""", re.IGNORECASE | re.DOTALL)
#: Attributes through which a browser fetches something when the page opens (``<a href>`` only on a click).
_FETCH_ATTRS = {"src", "data", "poster", "background", "srcset", "imagesrcset", "xlink:href", "formaction",
                "action", "ping", "manifest", "codebase", "archive", "lowsrc", "dynsrc", "longdesc", "icon"}


class _ResourceFinder(HTMLParser):
    """Collects what a browser would load: fetching attributes, ``<link href>``, CSS ``url()`` and ``@import``,
    ``<meta http-equiv=refresh>``; text (escaped customer words) is never looked at."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def _css(self, css: str, where: str) -> None:
        for match in _CSS_URL.finditer(css):
            url = match.group(2) if match.group(2) is not None else match.group(4)
            if url and _REMOTE.match(url):
                self.found.append(f"{where}: {url[:80]}")

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            name = name.lower()
            urls = [part.strip().split(" ")[0] for part in value.split(",")] if "srcset" in name else [value]
            fetches = name in _FETCH_ATTRS or (name == "href" and tag in ("link", "base", "image", "use"))
            if fetches and any(_REMOTE.match(u) for u in urls):
                self.found.append(f"<{tag} {name}={value[:80]}>")
            if name == "style":
                self._css(value, f"<{tag} style>")
            if tag == "meta" and name == "content" and "url=" in value.lower():
                target = value.lower().split("url=", 1)[1]
                if _REMOTE.match(target):
                    self.found.append(f"<meta refresh {target[:80]}>")
        self._in_style = tag == "style"

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self._css(data, "<style>")


@dataclasses.dataclass
class RunResult:
    """The outcome of one notebook run.

    Attributes
    ----------
    name : str
        Report name (file stem).
    notebook : str
        The notebook run.
    status : str
        ``ok`` or ``failed``.
    html : Path or None
        The HTML page: the report, or on failure the page that says so (None when nothing was written).
    executed : Path or None
        The executed notebook (``OUTDIR/NAME.ipynb``, also on failure); None when the run stopped before the
        notebook was written.
    seconds : float
        Run time.
    error : str
        On failure: the failing cell and the error.
    parameters : dict
        The parameters the notebook ran with.
    title : str
        A title for the index page.
    """

    name: str
    notebook: str
    status: str
    html: Path | None
    executed: Path | None
    seconds: float
    error: str = ""
    parameters: dict = dataclasses.field(default_factory=dict)
    title: str = ""


def load_params(params_file=None, overrides: dict | None = None) -> dict:
    """Read a YAML parameter file and apply overrides.

    Parameters
    ----------
    params_file : str or Path, optional
        A YAML mapping of parameter names to values (``notebooks/params/*.yml``).
    overrides : dict, optional
        Values that win over the file's.

    Returns
    -------
    dict
        The parameters.

    Examples
    --------
    >>> load_params(None, {"top": 5})
    {'top': 5}
    """
    params: dict = {}
    if params_file:
        path = Path(params_file)
        loaded = read_yaml(path, what="parameter file") or {}
        if not isinstance(loaded, dict):
            raise CxInputError("expected a YAML mapping of parameter names to values.", path=path)
        params.update(loaded)
    params.update(overrides or {})
    return params


def _input_files(params: dict) -> list[tuple[str, str, Path]]:
    """Parameters whose values name existing files: (parameter, value, path)."""
    found = []

    def visit(name, value):
        if isinstance(value, str) and len(value) < 4096:
            path = Path(value)
            if value and path.is_file():
                found.append((name, value, path))
        elif isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                visit(f"{name}[{i}]", item)
        elif isinstance(value, dict):
            for key, item in value.items():
                visit(f"{name}.{key}", item)

    for key, val in params.items():
        visit(key, val)
    return found


def _versions() -> dict:
    out = {}
    for package in ("cxlib", "pm4py", "pandas", "papermill", "bertopic"):
        try:
            out[package] = version(package)
        except PackageNotFoundError:
            out[package] = "not installed"
    import platform

    out["python"] = platform.python_version()
    return out


def _manifest_html(*, notebook, params, params_file, started, seconds, status) -> str:
    esc = html.escape
    rows_params = "".join(
        f"<tr><td>{esc(str(k))}</td><td>{esc(json.dumps(v, default=str))}</td></tr>" for k, v in params.items()
    )
    rows_files = "".join(
        f"<tr><td>{esc(name)}</td><td>{esc(value)}</td><td>{file_sha256(path)}</td></tr>"
        for name, value, path in _input_files(params)
    ) or "<tr><td colspan='3'>none</td></tr>"
    rows_versions = "".join(f"<tr><td>{esc(k)}</td><td>{esc(v)}</td></tr>" for k, v in _versions().items())
    return (
        "<details class='cx-manifest'><summary>Run manifest</summary>"
        f"<table><tr><td>notebook</td><td>{esc(str(notebook))}</td></tr>"
        f"<tr><td>parameter file</td><td>{esc(str(params_file or '-'))}</td></tr>"
        f"<tr><td>started (UTC)</td><td>{esc(started.strftime('%Y-%m-%d %H:%M:%S'))}</td></tr>"
        f"<tr><td>duration</td><td>{seconds:.1f} s</td></tr>"
        f"<tr><td>status</td><td>{esc(status)}</td></tr></table>"
        f"<b>Parameters</b><table>{rows_params}</table>"
        f"<b>Input files</b><table><tr><th>parameter</th><th>path</th><th>sha256</th></tr>{rows_files}</table>"
        f"<b>Versions</b><table>{rows_versions}</table>"
        "</details>"
    )


@contextlib.contextmanager
def _kernel_env(**values):
    """Environment for the kernel process (it copies os.environ when it starts); restored afterwards."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update({k: str(v) for k, v in values.items()})
    try:
        yield
    finally:
        for key, val in old.items():
            if val is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = val


@contextlib.contextmanager
def _kernel_manager():
    """A kernel manager class whose kernel talks over Unix sockets in a private temporary folder.

    The default TCP transport on localhost is unencrypted (ipykernel 7 warns on every run); the sockets live in a
    folder only this user can open and are removed with it. Windows has no Unix sockets: the default is kept.
    """
    if os.name == "nt":
        yield None
        return
    import tempfile

    from jupyter_client.manager import AsyncKernelManager

    with tempfile.TemporaryDirectory(prefix="cx-kernel-") as folder:
        class _IPCKernelManager(AsyncKernelManager):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.transport = "ipc"
                self.ip = str(Path(folder) / "kernel")

        yield _IPCKernelManager


def _strip_for_report(nb):
    """Drop what a stakeholder must not see or what would load code: stderr noise, widget views and state."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                continue
            data = out.get("data")
            if data is not None:
                data.pop("application/vnd.jupyter.widget-view+json", None)
                data.pop("application/vnd.jupyter.widget-state+json", None)
                data.pop("application/javascript", None)
                if not data:
                    continue
            kept.append(out)
        cell["outputs"] = kept
    return nb


def external_resources(markup: str) -> list[str]:
    """What in an HTML page a browser would fetch from the network when the page is opened.

    Elements and CSS are checked (``src``, ``srcset``, ``data``, ``<link href>``, ``url()``, ``@import``, a meta
    refresh); text is not, so escaped customer words such as ``url(http://x)`` are harmless and pass.

    Parameters
    ----------
    markup : str
        An HTML document.

    Returns
    -------
    list of str
        The offending snippets (empty when the page is self-contained).

    Examples
    --------
    >>> external_resources('<script src="https://cdn.example/x.js"></script>')
    ['<script src=https://cdn.example/x.js>']
    >>> external_resources('<a href="https://example.org">a link is fine</a><p>url(http://x) as text</p>')
    []
    """
    finder = _ResourceFinder()
    finder.feed(markup)
    finder.close()
    return finder.found


def _export_html(nb, manifest: str, title: str, nav: str = "") -> str:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="cx", extra_template_basedirs=[str(_TEMPLATES)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    nb = arrange_cells(nb, manifest=manifest)  # summary first, the manifest and load reports in the appendix
    nb.metadata["title"] = title
    body, _ = exporter.from_notebook_node(nb, resources={"cx_nav": nav, **static_files()})
    body = contents(body)
    found = external_resources(body)
    if found:
        raise _ExportError(f"the report would load resources from the network when opened: {found[:3]}; "
                           "a notebook output embeds them (show images inline, e.g. as PNG or SVG).")
    return body


class _ExportError(Exception):
    """The executed notebook could not become a safe HTML report."""


def _check_outdir(outdir: Path) -> Path:
    if outdir.exists() and not outdir.is_dir():
        raise CxInputError("the output folder is a file; pass -o with a folder.", path=outdir)
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CxInputError(f"the output folder cannot be created ({exc.strerror}); pass -o with a writable "
                           "folder.", path=outdir) from None
    if not os.access(outdir, os.W_OK | os.X_OK):
        raise CxInputError("the output folder is not writable; pass -o with a writable folder.", path=outdir)
    return outdir


@contextlib.contextmanager
def _report_lock(outdir: Path, name: str):
    """One run of a report at a time: a second run of the same report in the same folder waits."""
    import fcntl

    lock_path = outdir / f".{name}.lock"
    with open(lock_path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _replace(tmp: Path, final: Path) -> None:
    os.replace(tmp, final)  # atomic on one file system: a reader sees the old file or the new one, never half


def _failure_page(*, name: str, title: str, notebook, started, error: str, executed: Path,
                  previous: Path | None) -> str:
    esc = html.escape
    when = started.strftime("%Y-%m-%d %H:%M UTC")
    prev = (f"<p>The last report that ran through is kept as <a href='{esc(previous.name)}'>{esc(previous.name)}</a>"
            " and is marked stale there.</p>" if previous else "<p>No earlier report of this name exists.</p>")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>FAILED: {esc(title)}</title>
<style>body {{ font-family: system-ui, sans-serif; max-width: 900px; margin: 2em auto; color: #222; }}
.cx-failed {{ border: 3px solid #cf222e; border-radius: 6px; padding: 1em 1.5em; background: #fff5f5; }}</style>
</head><body><div class="cx-failed" id="cx-failed">
<h1>This report is not current: the run of {esc(when)} failed</h1>
<p><b>{esc(title)}</b> ({esc(str(notebook))})</p>
<p>{esc(error)}</p>
<p>The executed notebook with the error is kept as {esc(executed.name)} beside this page.</p>
{prev}</div></body></html>
"""


_STALE_MARK = "<!-- cx:stale -->"


def _stale_banner(markup: str, *, started, error: str) -> str:
    if _STALE_MARK in markup:
        return markup
    esc = html.escape
    banner = (f"{_STALE_MARK}<div id='cx-stale' style='border:3px solid #cf222e;background:#fff5f5;padding:0.8em 1.2em;"
              f"margin:0.5em 0 1.5em;font-family:system-ui,sans-serif'><b>Stale report.</b> This is an earlier "
              f"run; the run of {esc(started.strftime('%Y-%m-%d %H:%M UTC'))} failed ({esc(error)}).</div>")
    match = re.search(r"<body[^>]*>", markup)
    return markup[:match.end()] + banner + markup[match.end():] if match else banner + markup


def run_notebook(notebook, *, params_file=None, parameters: dict | None = None, outdir="reports",
                 name: str | None = None, progress: bool | str = True, cwd=None,
                 related: list | None = None) -> RunResult:
    """Execute a parameterized notebook with papermill and export an HTML report with its code hidden.

    The page opens with a header linking the other reports, the title, the summary (the output of the cells
    tagged ``summary``) and a table of contents; the cells tagged ``appendix`` (load reports) and the run
    manifest (parameters, input files with SHA-256, versions of cxlib, pm4py and pandas, start time, duration)
    close it, folded. Its tables sort and filter and its diagrams zoom with a script inlined in the page; it
    loads nothing from the network when opened. ``interactive`` is set to ``False`` unless given, so notebooks
    show static tables and charts instead of widgets.

    Writing is atomic and stale-safe: the notebook and the page are written under temporary names and renamed
    into place only when the run succeeds. When it fails, ``NAME.html`` becomes a page that says so (the failing
    cell and error), the previous good report is kept as ``NAME.stale.html`` with a banner saying it is stale,
    and the executed notebook is kept as ``NAME.ipynb``. Two runs of the same report in one folder take turns.

    Parameters
    ----------
    notebook : str or Path
        The ``.ipynb`` to run (a paired ``.py`` is accepted and its ``.ipynb`` used).
    params_file : str or Path, optional
        A YAML parameter file.
    parameters : dict, optional
        Parameters that win over the file's.
    outdir : str or Path, default "reports"
        Where ``NAME.html`` and ``NAME.ipynb`` go; never the notebook itself.
    name : str, optional
        Report name; default: the notebook's stem, plus the parameter file's stem.
    progress : bool or str, default True
        Show a live progress display in the terminal: cell n of N and the notebook's current section (a string
        is shown in front of it, e.g. the report's name in a suite).
    cwd : str or Path, optional
        Working directory of the kernel (relative paths in parameters resolve from it); default: the current one.
    related : list of dict, optional
        The suite's entries (as :func:`run_suite` passes them): the report's header links them by kind, and a
        dashboard's owner reports by owner. Without them it links the index (and an owner report its overview).

    Returns
    -------
    RunResult
        Status, paths, time and the error if any.

    Raises
    ------
    cxlib.CxInputError
        A missing notebook or parameter file, invalid parameters, an output folder that cannot be written, or
        an output that would overwrite the notebook.

    Examples
    --------
    >>> r = run_notebook("notebooks/01_journeys.ipynb",
    ...                  params_file="notebooks/params/journeys_helpdesk.yml")  # doctest: +SKIP
    >>> r.status  # doctest: +SKIP
    'ok'
    """
    import nbformat
    import papermill as pm

    from ._progress import ENGINE_NAME

    notebook = Path(notebook)
    if notebook.suffix == ".py" and notebook.with_suffix(".ipynb").exists():
        notebook = notebook.with_suffix(".ipynb")
    if not notebook.is_file():
        raise CxInputError("the notebook does not exist.", path=notebook)
    params = load_params(params_file, parameters)
    check_parameters(notebook, params, params_file=params_file)
    params.setdefault("interactive", False)
    title = str(params.pop("report_title", "") or "")
    if name is None:
        name = notebook.stem + (f"__{Path(params_file).stem}" if params_file else "")
    if not name.strip() or name.startswith(".") or re.search(r"[/\\\x00-\x1f]", name):
        raise CxInputError(f"the report name {name!r} must be a file name: no '/', '\\' or control characters, "
                           "and not starting with '.'.")
    outdir = _check_outdir(Path(outdir))
    executed = outdir / f"{name}.ipynb"
    html_path = outdir / f"{name}.html"
    if executed.resolve() == notebook.resolve():
        raise CxInputError(f"the executed notebook would overwrite the notebook itself ({executed}); pass another "
                           "output folder (-o) or report name (-n).", path=notebook)
    started = dt.datetime.now(dt.UTC)
    tag = f".{os.getpid()}-{time.monotonic_ns()}.tmp"
    tmp_nb = outdir / f".{name}{tag}.ipynb"
    tmp_html = outdir / f".{name}{tag}.html"
    with _report_lock(outdir, name):
        t0 = time.perf_counter()
        error = ""
        try:
            with _kernel_env(TQDM_DISABLE="1", CX_REPORT_DIR=outdir.resolve(), CX_REPORT_NAME=name,
                             MPLBACKEND="module://matplotlib_inline.backend_inline"), \
                    _kernel_manager() as manager:
                try:
                    extra = {"kernel_manager_class": manager} if manager is not None else {}
                    label = progress if isinstance(progress, str) else "" if progress else None
                    pm.execute_notebook(str(notebook), str(tmp_nb), parameters=params, progress_bar=False,
                                        engine_name=ENGINE_NAME, cx_progress=label,
                                        cwd=str(cwd) if cwd else None, kernel_name="python3", report_mode=False,
                                        **extra)
                except pm.PapermillExecutionError as exc:
                    error = f"cell {exc.exec_count} (index {exc.cell_index}) failed: {exc.ename}: {exc.evalue}"
                except Exception as exc:  # noqa: BLE001 - anything else that stops the run is reported the same way
                    error = f"{type(exc).__name__}: {exc}"
            seconds = time.perf_counter() - t0
            if not error:
                try:
                    nb = nbformat.read(tmp_nb, as_version=4)
                    manifest = _manifest_html(notebook=notebook, params=params, params_file=params_file,
                                              started=started, seconds=seconds, status="ok")
                    page_title = title or f"{notebook.stem} — {name}"
                    tmp_html.write_text(_export_html(_strip_for_report(nb), manifest, page_title,
                                                     nav_html(name, related, outdir)),
                                        encoding="utf-8")
                except _ExportError as exc:
                    error = f"the HTML export failed: {exc}"
                except Exception as exc:  # noqa: BLE001 - nbconvert/jinja raise many kinds
                    error = f"the HTML export failed: {type(exc).__name__}: {exc}"
            if not error:
                _replace(tmp_nb, executed)
                _replace(tmp_html, html_path)
                stale = html_path.with_name(f"{name}.stale.html")
                stale.unlink(missing_ok=True)
                return RunResult(name, str(notebook), "ok", html_path, executed, seconds, "", params,
                                 title or name)
            error = _redacted(error)
            if tmp_nb.exists():
                _replace(tmp_nb, executed)
            else:
                executed = None
            previous = None
            if html_path.exists():
                previous = html_path.with_name(f"{name}.stale.html")
                old = html_path.read_text(encoding="utf-8", errors="replace")
                if "id=\"cx-failed\"" not in old:
                    tmp_html.write_text(_stale_banner(old, started=started, error=error), encoding="utf-8")
                    _replace(tmp_html, previous)
                elif not previous.exists():
                    previous = None
            elif html_path.with_name(f"{name}.stale.html").exists():
                previous = html_path.with_name(f"{name}.stale.html")
            page = _failure_page(name=name, title=title or name, notebook=notebook, started=started, error=error,
                                 executed=executed or Path("(not written)"), previous=previous)
            tmp_html.write_text(page, encoding="utf-8")
            _replace(tmp_html, html_path)
            return RunResult(name, str(notebook), "failed", html_path, executed, seconds, error, params,
                             title or name)
        finally:
            tmp_nb.unlink(missing_ok=True)
            tmp_html.unlink(missing_ok=True)


def _redacted(text: str) -> str:
    """Error texts may quote customer data (a label, an id): redact them before they reach a page or a terminal."""
    return redact(text)[0]


def run_suite(suite_file="notebooks/suite.yml", *, outdir="reports", progress: bool = True) -> list[RunResult]:
    """Run every notebook of a suite and write ``OUTDIR/index.html`` linking each report with its status.

    Parameters
    ----------
    suite_file : str or Path, default "notebooks/suite.yml"
        YAML with ``title:`` and ``reports:``, a list of entries ``{notebook: ..., params: ..., name: ...,
        title: ..., overrides: {...}}``. An entry with ``per_owner: true`` is expanded by
        :func:`cxlib.report.owner_entries` into the overview and one report per owner.
    outdir : str or Path, default "reports"
        Where the reports and the index go.
    progress : bool, default True
        Progress bars over the suite and the cells.

    Returns
    -------
    list of RunResult
        One per report, in suite order.

    Examples
    --------
    >>> results = run_suite("notebooks/suite.yml")  # doctest: +SKIP
    """
    from tqdm.auto import tqdm

    title, entries = read_suite(suite_file)
    results = []
    for entry in tqdm(entries, desc="reports", unit="report", disable=not progress, dynamic_ncols=True):
        params = entry.get("params")
        overrides = dict(entry.get("overrides") or {})
        if entry.get("title"):
            overrides["report_title"] = entry["title"]
        try:
            result = run_notebook(entry["notebook"], params_file=params, parameters=overrides, outdir=outdir,
                                  related=entries,
                                  name=entry.get("name"),
                                  progress=(entry.get("name") or Path(entry["notebook"]).stem) if progress else False)
        except CxInputError as exc:
            stem = entry.get("name") or Path(entry["notebook"]).stem
            result = RunResult(stem, entry["notebook"], "failed", None, None, 0.0, _redacted(str(exc)),
                               overrides, entry.get("title", stem))
        results.append(result)
    write_index(results, Path(outdir) / "index.html", title=title)
    return results


def write_index(results: list[RunResult], path, *, title: str = "cx-workbench reports") -> Path:
    """Write the index page: every report with its status, time and a link; failures name the cell.

    Notebooks may publish a summary table for the index (see :func:`cxlib.report.publish`); such tables are
    shown above the list (e.g. the CX dashboard: every touchpoint, its light and owner).

    Parameters
    ----------
    results : list of RunResult
        From :func:`run_notebook` runs.
    path : str or Path
        The index file to write.
    title : str
        Page title.

    Returns
    -------
    pathlib.Path
        The written file.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "index.html"
    >>> ok = RunResult("demo", "notebooks/01_journeys.ipynb", "ok", out.with_name("demo.html"),
    ...                out.with_name("demo.ipynb"), 1.0)
    >>> "demo.html" in write_index([ok], out).read_text()
    True
    """
    from ._publish import published_sections

    esc = html.escape
    path = Path(path)
    rows = []
    for r in results:
        link = f"<a href='{esc(r.html.name)}'>{esc(r.title or r.name)}</a>" if r.html else esc(r.title or r.name)
        kept = f"<br><small>executed notebook: {esc(r.executed.name)}</small>" if r.executed else ""
        status = ("<span style='color:#1a7f37'>ok</span>" if r.status == "ok"
                  else f"<span style='color:#cf222e'>failed</span><br><small>{esc(_redacted(r.error))}</small>"
                  f"{kept}")
        rows.append(f"<tr><td>{link}</td><td>{esc(Path(r.notebook).name)}</td><td>{status}</td>"
                    f"<td>{r.seconds:.1f} s</td></tr>")
    sections = published_sections(path.parent, [r.name for r in results if r.status == "ok"])
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }}
table {{ border-collapse: collapse; }} td, th {{ padding: 4px 12px; border-bottom: 1px solid #ddd; text-align: left; }}
th {{ background: #f3f3f3; }} .cx-light {{ display: inline-block; width: 0.9em; height: 0.9em; border-radius: 50%; }}
</style></head><body>
<h1>{esc(title)}</h1>
<p>Written {esc(now)}. {sum(r.status == 'ok' for r in results)} of {len(results)} reports ran.</p>
{sections}
<h2>Reports</h2>
<table><tr><th>report</th><th>notebook</th><th>status</th><th>time</th></tr>
{''.join(rows)}
</table></body></html>
"""
    found = external_resources(page)
    if found:
        raise CxInputError(f"the index would load resources from the network when opened: {found[:3]}.",
                           path=path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(page, encoding="utf-8")
    _replace(tmp, path)
    return path
