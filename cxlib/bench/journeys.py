"""``cx bench journeys LOG [--scale N] [--json]``: cxlib's full journey analysis against pm4py's four measures.

Both sides get the same in-memory DataFrame. cxlib runs :func:`cxlib.journeys.analyze_journeys` (process map,
start/end, variants, drop-offs, branches, loops per touchpoint and per case, throughput, repeated contacts,
hand-offs, escalations when asked, segments when asked, touchpoint table). pm4py runs ``discover_dfg``,
``discover_performance_dfg``, ``get_variants`` and ``get_rework_cases_per_activity``.
Loading (and enlarging with ``--scale``) is not timed. Before the timed runs, each side runs once, untimed, on the
first 200 cases (a warm-up: a process's one-time costs such as opening the DuckDB connection and lazy imports are
not part of an analysis). With ``--repeat N`` each side runs N times and the median is reported (every run is
listed too). Peak memory is the process's ``ru_maxrss``
(``resource.getrusage(RUSAGE_SELF)``, Linux reports KiB): ``peak_mb`` at the end of the run (the high-water mark of
the whole process, loading and pm4py included) and ``cxlib_peak_mb`` after cxlib's runs, before pm4py's.
"""

from __future__ import annotations

import gc
import resource
import sys
import time
import warnings

import numpy as np
import pandas as pd

from cxlib.journeys import analyze_journeys

from ..io import CASE, read_log

WARMUP_CASES = 200


def add_arguments(parser) -> None:
    parser.add_argument("log", help="event log (XES/CSV/Parquet)")
    parser.add_argument("--scale", type=int, default=1,
                        help="enlarge the log N times first (cases copied under new ids)")
    parser.add_argument("--classifier", nargs="+", default=None,
                        help="activity classifier attributes, e.g. concept:name lifecycle:transition")
    parser.add_argument("--segment-by", default="auto",
                        help="case attribute for segments; 'auto' (default) takes the case:... attribute with the "
                             "fewest distinct values (at least 2), 'none' leaves segments out")
    parser.add_argument("--escalation-column", default=None, help="column for escalations (optional)")
    parser.add_argument("--escalation-pattern", default=r"2nd|3rd", help="regular expression for escalations")
    parser.add_argument("--repeat", type=int, default=1,
                        help="time each side this many times and report the median (the machine may be busy)")
    parser.add_argument("--skip-pm4py", action="store_true", help="time cxlib only")


def _load(path: str, classifier):
    kwargs = {"classifier": classifier} if classifier else {}
    return read_log(path, **kwargs)


def scale_log(log: pd.DataFrame, n: int) -> pd.DataFrame:
    """The log repeated ``n`` times; copy ``k`` gets case ids suffixed ``#k`` (copy 0 keeps the original ids)."""
    if n <= 1:
        return log
    ids = log[CASE].astype(str).to_numpy()
    parts = []
    for k in range(n):
        part = log.copy(deep=False)
        part[CASE] = ids if k == 0 else np.char.add(ids.astype("U"), f"#{k}").astype(object)
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out[CASE] = out[CASE].astype("str")
    return out


def _segment_column(log: pd.DataFrame, choice: str | None) -> str | None:
    if choice is None or choice == "none":
        return None
    if choice != "auto":
        return choice
    candidates = {c: log[c].nunique() for c in log.columns if c.startswith("case:") and c != CASE}
    candidates = {c: n for c, n in candidates.items() if n >= 2}
    return min(candidates, key=candidates.get) if candidates else None


def _peak_mb() -> float:
    """The process's memory high-water mark so far (``ru_maxrss``; Linux reports KiB, macOS bytes), in MB."""
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(maxrss / 1024 if sys.platform != "darwin" else maxrss / 2**20, 1)


def _time_pm4py(log: pd.DataFrame) -> dict[str, float]:
    import pm4py

    times = {}
    t0 = time.perf_counter()
    pm4py.discover_dfg(log)
    times["pm4py_dfg_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    pm4py.discover_performance_dfg(log)
    times["pm4py_performance_dfg_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    pm4py.get_variants(log)
    times["pm4py_variants_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    pm4py.get_rework_cases_per_activity(log)
    times["pm4py_rework_s"] = time.perf_counter() - t0
    times["pm4py_s"] = sum(times.values())
    return times


def run(args) -> dict:
    warnings.filterwarnings("ignore")
    t0 = time.perf_counter()
    base = _load(args.log, args.classifier)
    log = scale_log(base, args.scale)
    del base
    load_s = time.perf_counter() - t0
    gc.collect()

    segment_by = _segment_column(log, args.segment_by)
    repeat = max(int(args.repeat), 1)
    # warm-up, untimed, on both sides: the process's one-time costs (DuckDB connection, SQL compiler set-up, lazy
    # imports) are not part of an analysis
    sample = log[log[CASE].isin(pd.unique(log[CASE])[:WARMUP_CASES])]
    analyze_journeys(sample, segment_by=segment_by, escalation_column=args.escalation_column,
                     escalation_pattern=args.escalation_pattern)
    if not args.skip_pm4py:
        _time_pm4py(sample)
    del sample
    gc.collect()
    cxlib_runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = analyze_journeys(log, segment_by=segment_by, escalation_column=args.escalation_column,
                                  escalation_pattern=args.escalation_pattern)
        cxlib_runs.append(time.perf_counter() - t0)
        tables = sorted(result)
        del result
        gc.collect()
    cxlib_s = float(np.median(cxlib_runs))
    cxlib_peak_mb = _peak_mb()  # loading and cxlib's runs, before pm4py's

    out = {
        "log": args.log,
        "scale": args.scale,
        "events": len(log),
        "cases": int(log[CASE].nunique()),
        "repeat": repeat,
        "cxlib_s": round(cxlib_s, 3),
        "cxlib_runs_s": [round(t, 3) for t in cxlib_runs],
        "cxlib_us_per_event": round(cxlib_s / len(log) * 1e6, 3),
        "cxlib_tables": ",".join(tables),
        "segment_by": segment_by,
        "warmup": f"each side ran once on the first {WARMUP_CASES} cases, untimed",
        "cxlib_peak_mb": cxlib_peak_mb,
    }
    if not args.skip_pm4py:
        runs = [_time_pm4py(log) for _ in range(repeat)]
        times = {k: float(np.median([r[k] for r in runs])) for k in runs[0]}
        out.update({k: round(v, 3) for k, v in times.items()})
        out["pm4py_runs_s"] = [round(r["pm4py_s"], 3) for r in runs]
        out["pm4py_us_per_event"] = round(times["pm4py_s"] / len(log) * 1e6, 3)
        out["speedup"] = round(times["pm4py_s"] / cxlib_s, 2)
    out["peak_mb"] = _peak_mb()
    out["peak_mb_source"] = ("resource.getrusage(RUSAGE_SELF).ru_maxrss, whole process incl. loading; "
                             "cxlib_peak_mb is the same high-water mark read before pm4py's runs")
    out["load_s_untimed"] = round(load_s, 3)
    return out
