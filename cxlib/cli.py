"""The ``cx`` command: run notebooks into reports, list their parameters, run the report suite, start JupyterLab,
convert logs for Spark, and benchmarks."""

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


def _cmd_params(args) -> int:
    from .report._params import parameters_listing

    sys.stdout.write(parameters_listing(args.notebook))
    return 0


def _cmd_lab(args) -> int:
    from .report import start_lab

    return start_lab(args.path, port=args.port, browser=not args.no_browser)


def _cmd_report(args) -> int:
    from .report import run_suite

    results = run_suite(args.suite, outdir=args.outdir, progress=not args.quiet)
    failed = [r for r in results if r.status != "ok"]
    for r in results:
        state = "ok    " if r.status == "ok" else "FAILED"
        print(f"{state} {r.name} ({r.seconds:.1f} s){'  ' + r.error if r.error else ''}")
    print(f"cx report: {len(results) - len(failed)} of {len(results)} reports ok; index: "
          f"{Path(args.outdir) / 'index.html'}")
    if args.screenshots:
        from .report import write_screenshots

        try:
            shots = write_screenshots(args.outdir, names=["index"] + [r.name for r in results if r.html])
            print(f"cx report: {len(shots)} screenshots of the first screen in {Path(args.outdir) / 'screenshots'}")
        except CxInputError as exc:
            print(f"cx report: no screenshots: {exc}", file=sys.stderr)
    return 1 if failed else 0


def _cmd_convert(args) -> int:
    import json

    from .journeys import convert_log

    read_options = {"classifier": args.classifier} if args.classifier else {}
    out = convert_log(args.log, args.out, partition_by=args.partition_by, buckets=args.buckets,
                      overwrite=args.overwrite, **read_options)
    written = json.loads(out.with_name(out.name + ".load-report.json").read_text(encoding="utf-8"))["written"]
    print(f"cx convert: wrote {out} ({written['rows']:,} events, {written['files']} file(s)); load report: "
          f"{out.name}.load-report.json beside it")
    return 0


def _cmd_bench(args) -> int:
    module = importlib.import_module(f"cxlib.bench.{args.bench}")
    figures = module.run(args)
    if args.json:
        print(json.dumps(figures, default=str))
    else:
        width = max(len(k) for k in figures)
        for key, value in figures.items():
            if isinstance(value, list) and value and all(isinstance(row, dict) for row in value):
                print(f"{key}:")  # a table (e.g. per-cell times): one row per line
                for row in value:
                    print("  " + "  ".join(f"{name}={cell}" for name, cell in row.items()))
                continue
            shown = f"{value:,.4g}" if isinstance(value, float) else f"{value:,}" if isinstance(value, int) \
                else str(value)
            print(f"{key:<{width}}  {shown}")
    return 0


_EXAMPLES = """\
examples:
  cx run notebooks/01_journeys.ipynb                  the journeys report on the demo log -> reports/
  cx params notebooks/01_journeys.ipynb               every parameter, its default and what it means
  cx run notebooks/01_journeys.ipynb -p log_file my.csv \\
      -p log_options '{case: ticket, activity: step, timestamp: when, dayfirst: true}'
                                                      your own CSV: its columns mapped, dates day-first
  cx run notebooks/01_journeys.ipynb -f notebooks/params/journeys_helpdesk.yml
  cx report                                           the demo suite -> reports/index.html
  cx lab                                              JupyterLab on the notebooks

Run from the repository root: the notebooks' paths (data/..., notebooks/designs/...) are relative to it.
"""

_RUN_EXAMPLES = """\
examples:
  cx run notebooks/01_journeys.ipynb
  cx run notebooks/01_journeys.ipynb -f notebooks/params/journeys_helpdesk.yml -p top_variants 5
  cx run notebooks/01_journeys.ipynb -p log_file my.csv \\
      -p log_options '{case: ticket, activity: step, timestamp: when, dayfirst: true}' \\
      -p title "Support tickets" -p segment_by channel -n my_journeys
  cx run notebooks/01_journeys.ipynb -p sample 500      a random 500 cases, to try things quickly

VALUE is YAML: 5 is a number, true a boolean, [a, b] a list, {a: 1} a mapping, null is None.
`cx params NOTEBOOK` lists the parameters. The report goes to OUTDIR/NAME.html.
"""


def build_parser() -> argparse.ArgumentParser:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(prog="cx", description="cx-workbench: notebooks into reports.",
                                     epilog=_EXAMPLES, formatter_class=raw)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run one parameterized notebook and export an HTML report",
                         description="Run one parameterized notebook and export an HTML report, showing the "
                                     "cell and section it is at.", epilog=_RUN_EXAMPLES, formatter_class=raw)
    run.add_argument("notebook", help="the notebook (.ipynb, or its paired .py)")
    run.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"),
                     help="a parameter (VALUE read as YAML); repeatable; wins over -f")
    run.add_argument("-f", "--file", help="a YAML parameter file (notebooks/params/*.yml)")
    run.add_argument("-o", "--outdir", default="reports", help="output folder (default: reports)")
    run.add_argument("-n", "--name", help="report name (default: notebook and parameter-file stems)")
    run.add_argument("-q", "--quiet", action="store_true", help="no progress display")
    run.set_defaults(func=_cmd_run)

    params = sub.add_parser(
        "params", help="list a notebook's parameters with their defaults and help",
        description="List a notebook's parameters, each with its help comment above `name: default`. The "
                    "listing is a valid parameter file for `cx run -f`.", formatter_class=raw,
        epilog="examples:\n  cx params notebooks/01_journeys.ipynb\n"
               "  cx params notebooks/01_journeys.ipynb > my.yml    (edit it, then: cx run "
               "notebooks/01_journeys.ipynb -f my.yml)\n")
    params.add_argument("notebook", help="the notebook (.ipynb, or its paired .py)")
    params.set_defaults(func=_cmd_params)

    lab = sub.add_parser(
        "lab", help="start JupyterLab on the notebooks (the project's kernel; --allow-root when root)",
        description="Start JupyterLab from this environment, serving the repository root, with the cx-workbench "
                    "kernel registered; saving a notebook leaves it unchanged unless you changed it.",
        formatter_class=raw,
        epilog="examples:\n  cx lab\n  cx lab notebooks/01_journeys.ipynb\n  cx lab --no-browser --port 8890\n")
    lab.add_argument("path", nargs="?", default=None, help="a notebook or folder to open")
    lab.add_argument("--port", type=int, default=None, help="the port (default: JupyterLab's, 8888)")
    lab.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    lab.set_defaults(func=_cmd_lab)

    report = sub.add_parser("report", help="run a suite of notebooks and write reports/index.html",
                            formatter_class=raw,
                            epilog="examples:\n  cx report                        the demo suite "
                                   "notebooks/suite.yml -> reports/index.html\n"
                                   "  cx report my_suite.yml -o out    another suite, into out/\n")
    report.add_argument("suite", nargs="?", default="notebooks/suite.yml", help="suite YAML (default: %(default)s)")
    report.add_argument("-o", "--outdir", default="reports", help="output folder (default: reports)")
    report.add_argument("-q", "--quiet", action="store_true", help="no progress display")
    report.add_argument("--screenshots", action="store_true",
                        help="also write each report's first screen (1280x800, headless Chromium) to OUTDIR/screenshots")
    report.set_defaults(func=_cmd_report)

    convert = sub.add_parser("convert", help="write an event log as a Parquet dataset for Spark (and any engine)")
    convert.add_argument("log", help="event log (XES/CSV/Excel/Parquet: anything read_log reads)")
    convert.add_argument("out", help="output: a .parquet file, or a folder with --partition-by")
    convert.add_argument("--partition-by", default=None,
                         help="'month' (of the event's time), 'case' (hash buckets, cases kept whole) or a column")
    convert.add_argument("--buckets", type=int, default=16, help="case buckets for --partition-by case (16)")
    convert.add_argument("--classifier", nargs="+", default=None,
                         help="activity classifier attributes, e.g. concept:name lifecycle:transition")
    convert.add_argument("--overwrite", action="store_true", help="replace OUT when it exists")
    convert.set_defaults(func=_cmd_convert)

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
