"""The ``cx`` command: run notebooks into reports, run the report suite, and benchmarks."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from pathlib import Path

from ._errors import CxInputError


def _benches() -> list[str]:
    """The ``cxlib/bench/*.py`` modules: each one is a ``cx bench NAME`` command."""
    import pkgutil

    from . import bench

    return sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_"))


def _parse_value(text: str):
    """``-p NAME VALUE``: VALUE is read as YAML (the safe loader), so 10 is a number, true a bool, [a, b] a list;
    text that is not valid YAML stays text."""
    from .io import load_yaml_text

    try:
        return load_yaml_text(text, what="the -p value")
    except CxInputError:
        return text


def _cmd_run(args) -> int:
    from .report import run_notebook

    overrides = {name: _parse_value(value) for name, value in args.param or []}
    result = run_notebook(args.notebook, params_file=args.file, parameters=overrides, outdir=args.outdir,
                          name=args.name, progress=not args.quiet)
    if result.status != "ok":
        print(f"cx run: {args.notebook} failed: {result.error}", file=sys.stderr)
        if result.executed is not None and Path(result.executed).exists():
            print(f"cx run: the executed notebook is kept at {result.executed}", file=sys.stderr)
        if result.html is not None and Path(result.html).exists():
            print(f"cx run: {result.html} now says that this run failed", file=sys.stderr)
        return 1
    print(f"cx run: wrote {result.html} ({result.seconds:.1f} s)")
    return 0


def _cmd_report(args) -> int:
    from .report import run_suite

    results = run_suite(args.suite, outdir=args.outdir, progress=not args.quiet)
    failed = [r for r in results if r.status != "ok"]
    for r in results:
        state = "ok    " if r.status == "ok" else "FAILED"
        print(f"{state} {r.name} ({r.seconds:.1f} s){'  ' + r.error if r.error else ''}")
    print(f"cx report: {len(results) - len(failed)} of {len(results)} reports ok; index: "
          f"{Path(args.outdir) / 'index.html'}")
    return 1 if failed else 0


def _cmd_bench(args) -> int:
    module = importlib.import_module(f"cxlib.bench.{args.bench}")
    figures = module.run(args)
    if args.json:
        print(json.dumps(figures, default=str))
    else:
        width = max(len(k) for k in figures)
        for key, value in figures.items():
            shown = f"{value:,.4g}" if isinstance(value, float) else f"{value:,}" if isinstance(value, int) \
                else str(value)
            print(f"{key:<{width}}  {shown}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cx", description="cx-workbench: notebooks into reports.")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run one parameterized notebook and export an HTML report")
    run.add_argument("notebook", help="the notebook (.ipynb, or its paired .py)")
    run.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"),
                     help="a parameter (VALUE read as YAML); repeatable; wins over -f")
    run.add_argument("-f", "--file", help="a YAML parameter file (notebooks/params/*.yml)")
    run.add_argument("-o", "--outdir", default="reports", help="output folder (default: reports)")
    run.add_argument("-n", "--name", help="report name (default: notebook and parameter-file stems)")
    run.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    run.set_defaults(func=_cmd_run)

    report = sub.add_parser("report", help="run a suite of notebooks and write reports/index.html")
    report.add_argument("suite", nargs="?", default="notebooks/suite.yml", help="suite YAML (default: %(default)s)")
    report.add_argument("-o", "--outdir", default="reports", help="output folder (default: reports)")
    report.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    report.set_defaults(func=_cmd_report)

    bench = sub.add_parser("bench", help="benchmarks that print measured figures")
    bench_sub = bench.add_subparsers(dest="bench", required=True)
    for name in _benches():
        module = importlib.import_module(f"cxlib.bench.{name}")
        p = bench_sub.add_parser(name, help=(module.__doc__ or "").strip().splitlines()[0])
        module.add_arguments(p)
        p.add_argument("--json", action="store_true", help="print one JSON object")
        p.set_defaults(func=_cmd_bench)
    return parser


def _log_crash(exc: BaseException) -> Path | None:
    """Write the traceback of an unexpected error to a log file; its path, or None if none could be written."""
    import datetime as dt
    import tempfile
    import traceback

    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for folder in (Path(tempfile.gettempdir()),):
        try:
            path = folder / f"cx-error-{stamp}-{os.getpid()}.log"
            path.write_text(f"cx {' '.join(sys.argv[1:])}\n\n{text}", encoding="utf-8")
            return path
        except OSError:
            continue
    return None


def main(argv=None) -> int:
    """Run the ``cx`` command: 0 on success, 1 when a notebook or benchmark fails, 2 for bad input.

    No Python traceback reaches the terminal: input problems print one message, unexpected errors a short
    message and the path of a log file that holds the traceback.
    """
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CxInputError as exc:
        print(f"cx: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("cx: interrupted.", file=sys.stderr)
        return 130
    except OSError as exc:
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        print(f"cx: {exc.strerror or exc}{where}.", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - the last line of defence: a message and a log, never a traceback
        log = _log_crash(exc)
        where = f"; the traceback is in {log}" if log else ""
        print(f"cx: unexpected error: {type(exc).__name__}: {exc}{where}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
