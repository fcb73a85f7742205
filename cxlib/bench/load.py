"""Time loading an event log: cxlib (no cache), pm4py's default parser, and cxlib from its cache."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import warnings

from ..io import read_log


def add_arguments(parser) -> None:
    parser.add_argument("log", help="an event log (.xes, .xes.gz, .csv, .parquet)")
    parser.add_argument("--classifier", nargs="+", help="activity classifier attributes")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each timing; the median is reported")


def _median_time(fn, repeat: int):
    times, result = [], None
    for _ in range(max(1, repeat)):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def run(args) -> dict:
    """Load ``args.log`` three ways in one run and return the times in seconds (medians of ``--repeat`` runs).

    ``pm4py_s`` uses ``pm4py.read_xes`` with pm4py's default parser (``pm4py.util.constants.DEFAULT_XES_PARSER``,
    the Python parser it uses when no Rust backend is requested). Because pm4py >= 2.7.23 switches
    ``read_xes()`` to rustxes by itself when that package is installed, ``pm4py_auto_s`` times that call too.
    The cache lives in a fresh temporary folder, so the cold load really parses.
    """
    import pm4py
    from pm4py.util import constants

    classifier, path, repeat = args.classifier, str(args.log), getattr(args, "repeat", 1)
    with tempfile.TemporaryDirectory() as cache, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        old = os.environ.get("CX_CACHE_DIR")
        os.environ["CX_CACHE_DIR"] = cache
        try:
            cxlib_s, (log, report) = _median_time(
                lambda: read_log(path, classifier=classifier, cache=False, with_report=True), repeat)
            read_log(path, classifier=classifier, cache=True)  # fills the cache
            cached_s, (cached, cached_report) = _median_time(
                lambda: read_log(path, classifier=classifier, cache=True, with_report=True), repeat)
            if not cached_report.cache_hit or len(cached) != len(log):
                raise RuntimeError("the cached load did not come from the cache")
            figures = {"events": len(log), "cases": int(log["case:concept:name"].nunique()),
                       "reader": report.reader, "repeat": repeat, "cxlib_s": round(cxlib_s, 4)}
            if path.lower().endswith((".xes", ".xes.gz")):
                pm4py_s, ref = _median_time(
                    lambda: pm4py.read_xes(path, variant=constants.DEFAULT_XES_PARSER), repeat)
                pm4py_auto_s, _ = _median_time(lambda: pm4py.read_xes(path), repeat)
                figures.update(pm4py_parser=constants.DEFAULT_XES_PARSER, pm4py_events=len(ref),
                               pm4py_s=round(pm4py_s, 4), pm4py_auto_s=round(pm4py_auto_s, 4))
            figures["cached_s"] = round(cached_s, 4)
            if "pm4py_s" in figures:
                figures["speedup_vs_pm4py"] = round(figures["pm4py_s"] / cxlib_s, 1)
                figures["cached_speedup_vs_pm4py"] = round(figures["pm4py_s"] / cached_s, 1)
        finally:
            if old is None:
                os.environ.pop("CX_CACHE_DIR", None)
            else:
                os.environ["CX_CACHE_DIR"] = old
    return figures
