"""Time loading an event log: cxlib (no cache), pm4py's parsers, and cxlib from its cache, side by side."""

from __future__ import annotations

import gc
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


def _take_turns(fns: dict, repeat: int, *, warm: bool = True) -> tuple[dict, dict, dict]:
    """Each function once untimed (imports, first calls; unless not ``warm``), then ``repeat`` timed rounds in
    which they take turns, so that a change in the machine's load falls on all of them alike; garbage is
    collected before each timed call and not during it, as ``timeit`` does. Returns the wall-clock and the CPU
    times in seconds and the last result of each function."""
    results = {name: fn() for name, fn in fns.items()} if warm else {}
    times: dict = {name: [] for name in fns}
    cpu: dict = {name: [] for name in fns}
    for _ in range(max(1, repeat)):
        for name, fn in fns.items():
            results.pop(name, None)
            gc.collect()  # as timeit does: no collection of earlier garbage inside a timed run
            gc.disable()
            try:
                started, cpu_started = time.perf_counter(), _cpu_seconds()
                result = fn()
                times[name].append(time.perf_counter() - started)
                cpu[name].append(_cpu_seconds() - cpu_started)
            finally:
                gc.enable()
            results[name] = result
    return times, cpu, results


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished helper processes (all threads)."""
    try:
        import resource
    except ImportError:  # not on every platform
        return time.process_time()
    own, helpers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + helpers.ru_utime + helpers.ru_stime


def _load() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):  # not on every platform
        return None


def run(args) -> dict:
    """Load ``args.log`` several ways in one run and return the times in seconds (medians of ``--repeat`` runs).

    ``cxlib_s`` is ``read_log(cache=False)``; ``pm4py_auto_s`` is ``pm4py.read_xes()`` as called by default (pm4py
    >= 2.7.23 switches it to rustxes when that package is installed); ``cached_s`` is ``read_log()`` from its
    cache, kept in a fresh temporary folder so that the cold load really parses. These three are run once
    untimed, then take turns ``--repeat`` times (``*_runs`` lists every time). ``pm4py_s`` times pm4py's own
    Python parser (``pm4py.util.constants.DEFAULT_XES_PARSER``, ten times slower) afterwards. ``load_avg`` is the machine's
    one-minute load average before and after; ``*_cpu_s`` the median CPU seconds of each (helper processes
    included), which a busy machine changes less than the wall-clock times.
    """
    import pm4py
    from pm4py.util import constants

    classifier, path, repeat = args.classifier, str(args.log), getattr(args, "repeat", 1)
    is_xes = path.lower().endswith((".xes", ".xes.gz"))
    load_before = _load()
    with tempfile.TemporaryDirectory() as cache, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        old = os.environ.get("CX_CACHE_DIR")
        os.environ["CX_CACHE_DIR"] = cache
        try:
            read_log(path, classifier=classifier, cache=True)  # fills the cache
            fns = {"cxlib": lambda: read_log(path, classifier=classifier, cache=False, with_report=True),
                   "cached": lambda: read_log(path, classifier=classifier, cache=True, with_report=True)}
            if is_xes:
                fns["pm4py_auto"] = lambda: pm4py.read_xes(path)
            times, cpu, results = _take_turns(fns, repeat)
            log, report = results["cxlib"]
            cached, cached_report = results["cached"]
            if not cached_report.cache_hit or len(cached) != len(log):
                raise RuntimeError("the cached load did not come from the cache")
            median = {name: statistics.median(runs) for name, runs in times.items()}
            figures = {"events": len(log), "cases": int(log["case:concept:name"].nunique()),
                       "reader": report.reader, "repeat": repeat, "cxlib_s": round(median["cxlib"], 4)}
            if is_xes:
                parser = {"pm4py": lambda: pm4py.read_xes(path, variant=constants.DEFAULT_XES_PARSER)}
                pm4py_s = statistics.median(_take_turns(parser, repeat, warm=False)[0]["pm4py"])
                figures.update(pm4py_parser=constants.DEFAULT_XES_PARSER, pm4py_events=len(results["pm4py_auto"]),
                               pm4py_s=round(pm4py_s, 4), pm4py_auto_s=round(median["pm4py_auto"], 4))
            figures["cached_s"] = round(median["cached"], 4)
            if is_xes:
                figures["speedup_vs_pm4py"] = round(pm4py_s / median["cxlib"], 1)
                figures["cached_speedup_vs_pm4py"] = round(pm4py_s / median["cached"], 1)
                figures["speedup_vs_pm4py_auto"] = round(median["pm4py_auto"] / median["cxlib"], 2)
                figures["cached_speedup_vs_pm4py_auto"] = round(median["pm4py_auto"] / median["cached"], 1)
            figures.update({f"{name}_runs": [round(t, 4) for t in runs] for name, runs in times.items()})
            figures.update({f"{name}_cpu_s": round(statistics.median(runs), 4) for name, runs in cpu.items()})
            figures["load_avg"] = [load_before, _load()]
        finally:
            if old is None:
                os.environ.pop("CX_CACHE_DIR", None)
            else:
                os.environ["CX_CACHE_DIR"] = old
    return figures
