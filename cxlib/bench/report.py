"""Time a whole ``cx run`` of a notebook (``--cold``: with an empty cache folder): total and per-cell seconds.

``cx bench report NOTEBOOK -f PARAMS.yml [--cold] [--repeat N] [--json]`` runs ``cx run`` in a new process,
exactly as a user would (``python -m cxlib.cli run NOTEBOOK -f PARAMS.yml -o TMP -q``), and times it from the
start of that process to its end: the process start, the imports, the kernel, every cell and the HTML export.
The per-cell times are the ones papermill records in the executed notebook (``metadata.papermill.duration``).

- ``--cold``: each run gets a fresh, empty cache folder (``CX_CACHE_DIR``), so nothing computed by an earlier run
  (embeddings, classifier predictions, topics, cached logs) is reused. What the install step prepares (the
  installed packages, an exported embedding model) is not a cache and is kept.
- Without ``--cold`` the runs use the cache the user has (``$CX_CACHE_DIR``, else the user cache folder): run the
  command twice, or with ``--repeat 2`` and read ``runs_s``, for a warm figure.

Keys: ``notebook``, ``params``, ``cold``, ``repeat``, ``total_s`` (median over the runs of the whole ``cx run``),
``runs_s`` (every run), ``cells_s`` (sum of the cells' times), ``overhead_s`` (``total_s - cells_s``: process
start, kernel start, HTML export), ``cells`` (one entry per code cell, in order: ``index``, ``seconds`` (median over
the runs), ``source`` (the cell's first code line)) and ``load_avg`` (one-minute load average before and after).
A run that fails stops the command with its error.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .._errors import CxInputError


def add_arguments(parser) -> None:
    parser.add_argument("notebook", help="the notebook (.ipynb, or its paired .py)")
    parser.add_argument("-f", "--file", help="a YAML parameter file (notebooks/params/*.yml)")
    parser.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"),
                        help="a parameter for cx run (VALUE read as YAML); repeatable")
    parser.add_argument("--cold", action="store_true",
                        help="run with a fresh, empty cache folder (CX_CACHE_DIR), as on a fresh machine")
    parser.add_argument("--repeat", type=int, default=1, help="runs; the median is reported (default 1)")
    parser.add_argument("-o", "--outdir", default=None,
                        help="keep the report and executed notebook here (default: a temporary folder)")


def _load() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):  # not on every platform
        return None


def _first_line(source: str) -> str:
    """The first line of a cell that is code, not a comment (what a reader recognises the cell by)."""
    lines = [line.strip() for line in source.splitlines() if line.strip()]
    code = [line for line in lines if not line.startswith("#")]
    line = (code or lines or [""])[0]
    return line if len(line) <= 80 else line[:77] + "..."


def cell_times(executed) -> list[dict]:
    """Per-cell times papermill recorded in an executed notebook: one dict per code cell.

    Parameters
    ----------
    executed : str or Path
        An executed notebook (``NAME.ipynb`` written by ``cx run``).

    Returns
    -------
    list of dict
        ``index`` (position among all cells), ``seconds`` (papermill's ``duration``; None when the cell did not
        run), ``source`` (its first code line), in notebook order.
    """
    nb = json.loads(Path(executed).read_text(encoding="utf-8"))
    cells = []
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        duration = cell.get("metadata", {}).get("papermill", {}).get("duration")
        cells.append({"index": index, "seconds": None if duration is None else round(float(duration), 2),
                      "source": _first_line(source)})
    return cells


def _one_run(args, outdir: Path, cache: str | None) -> tuple[float, list[dict], str]:
    command = [sys.executable, "-m", "cxlib.cli", "run", str(args.notebook), "-o", str(outdir), "-q",
               "-n", "bench"]
    if args.file:
        command += ["-f", str(args.file)]
    for name, value in args.param or []:
        command += ["-p", name, value]
    env = dict(os.environ)
    if cache is not None:
        env["CX_CACHE_DIR"] = cache
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    executed = outdir / "bench.ipynb"
    cells = cell_times(executed) if executed.is_file() else []
    status = "ok" if done.returncode == 0 else f"failed: {(done.stderr or done.stdout).strip()[-500:]}"
    return seconds, cells, status


def run(args) -> dict:
    """Run ``cx run`` ``--repeat`` times (each with a fresh cache folder under ``--cold``) and return the times."""
    notebook = Path(args.notebook)
    if not notebook.exists():
        raise CxInputError("the notebook does not exist.", path=notebook)
    if args.file and not Path(args.file).is_file():
        raise CxInputError("the parameter file does not exist.", path=args.file)
    repeat = max(1, args.repeat)
    load_before = _load()
    runs, per_cell, statuses, cells = [], {}, [], []
    with tempfile.TemporaryDirectory(prefix="cx-bench-report-") as tmp:
        outdir = Path(args.outdir) if args.outdir else Path(tmp) / "out"
        outdir.mkdir(parents=True, exist_ok=True)
        for i in range(repeat):
            cache = None
            if args.cold:
                cache = str(Path(tmp) / f"cache-{i}")
                Path(cache).mkdir()
            seconds, cells, status = _one_run(args, outdir, cache)
            runs.append(seconds)
            statuses.append(status)
            for cell in cells:
                per_cell.setdefault(cell["index"], []).append(cell["seconds"])
    for cell in cells:
        times = [t for t in per_cell.get(cell["index"], []) if t is not None]
        cell["seconds"] = round(statistics.median(times), 2) if times else None
    total = statistics.median(runs)
    cells_s = sum(c["seconds"] or 0.0 for c in cells)
    failed = [s for s in statuses if s != "ok"]
    if failed:  # the time of a run that failed says nothing
        raise RuntimeError(f"cx run {args.notebook} {failed[0]}")
    return {"notebook": str(args.notebook), "params": args.file, "cold": bool(args.cold), "repeat": repeat,
            "total_s": round(total, 2), "runs_s": [round(t, 2) for t in runs], "cells_s": round(cells_s, 2),
            "overhead_s": round(total - cells_s, 2), "cells": cells, "load_avg": [load_before, _load()]}
