"""``cx bench journeys LOG [--scale N] [--json]``: cxlib's full journey analysis against pm4py's four measures.

Both sides get the same in-memory DataFrame. cxlib runs :func:`cxlib.journeys.analyze_journeys` (process map,
start/end, variants, drop-offs, branches, loops per touchpoint and per case, throughput, repeated contacts,
hand-offs, escalations when asked, segments when asked, touchpoint table). pm4py runs ``discover_dfg``,
``discover_performance_dfg``, ``get_variants`` and ``get_rework_cases_per_activity``.
Loading (and enlarging with ``--scale``) is not timed. Before the timed runs, each side runs once, untimed, on the
first 200 cases (a warm-up: a process's one-time costs such as opening the DuckDB connection and lazy imports are
not part of an analysis). With ``--repeat N`` each side runs N times, the two sides taking turns (so both see the
same load on a shared machine), and the medians are reported (every run is listed too, and the ratio of each
pair). Peak memory is the process's ``ru_maxrss`` (``resource.getrusage(RUSAGE_SELF)``, Linux reports KiB):
``peak_mb`` at the end of the run (the high-water mark of the whole process, loading and pm4py included) and
``cxlib_peak_mb`` after cxlib's first run, before pm4py's first.

``--engine spark`` runs the analysis on Apache Spark instead (pm4py is not run): DuckDB first (the reference),
then the log is written as a Parquet dataset (:func:`cxlib.journeys.convert_log`, partitioned by case), the
DataFrame is let go, Spark analyses the dataset (after an untimed warm-up on the first 200 cases) and every table
is compared with DuckDB's (``equal_to_duckdb``, ``differences``; :func:`differences`). Memory: the Spark driver
JVM's high-water mark, this process's, and the largest sum of both at the same time; ``spark_cpu_s`` is the CPU
time the JVM used per timed run (a figure that does not depend on what else runs on the machine).
"""

from __future__ import annotations

import dataclasses
import gc
import os
import resource
import sys
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from cxlib.journeys import _engine, analyze_journeys

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
    parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb",
                        help="duckdb (default: cxlib against pm4py) or spark: the log is written as a Parquet "
                             "dataset (cx convert), analysed on Spark, and compared table by table with DuckDB")
    parser.add_argument("--master", default=None,
                        help="Spark master for --engine spark (default $CX_SPARK_MASTER, else local[*]); "
                             "$CX_SPARK_REMOTE=sc://host:15002 runs on a Spark Connect server instead")
    parser.add_argument("--parquet", default=None,
                        help="--engine spark: write the Parquet dataset here and keep it (default: a temporary "
                             "folder, removed at the end)")


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


US_IN_HOURS = 1e-6 / 3600


def _jvm_process(session):
    """The local Spark JVM's process (None over Spark Connect, where the driver runs elsewhere)."""
    try:
        return getattr(getattr(session.sparkContext, "_gateway", None), "proc", None)
    except Exception:  # noqa: BLE001 - Spark Connect sessions have no SparkContext
        return None


def _jvm_peak_mb(session) -> float | None:
    """The Spark driver's memory high-water mark (``VmHWM`` of the local JVM), in MB; None when it runs elsewhere."""
    proc = _jvm_process(session)
    status = Path(f"/proc/{proc.pid}/status") if proc is not None else None
    if status is None or not status.exists():
        return None
    for line in status.read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


def _proc_status(pid, key: str) -> int:
    """A ``/proc/PID/status`` field in KiB (0 when unreadable)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _proc_cpu_s(pid) -> float:
    """User + system CPU seconds a process has used so far (``/proc/PID/stat``; 0 when unreadable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


class _MemorySampler:
    """Samples the resident memory of this process plus the local Spark JVM every half second: the peak of what
    the two hold at the same time."""

    def __init__(self):
        self.jvm_pid = None
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.wait(0.5):
            both = _proc_status("self", "VmRSS") + (_proc_status(self.jvm_pid, "VmRSS") if self.jvm_pid else 0)
            self.peak_kib = max(self.peak_kib, both)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return round(self.peak_kib / 1024, 1)


def _run_spark(args, holder: list, segment_by, repeat: int, load_s: float) -> dict:
    """``--engine spark``: analyse the log on DuckDB (the reference), write it as a Parquet dataset, free the
    DataFrame, analyse the dataset on Spark (after a warm-up on its first cases), and compare every table."""
    import shutil
    import tempfile

    from cxlib.journeys import convert_log, spark_connect

    options = {"segment_by": segment_by, "escalation_column": args.escalation_column,
               "escalation_pattern": args.escalation_pattern}
    sampler = _MemorySampler()
    log = holder.pop()
    n_events, n_cases = len(log), int(log[CASE].nunique())
    folder = Path(args.parquet) if args.parquet else Path(tempfile.mkdtemp(prefix="cx-bench-spark-"))
    try:
        t0 = time.perf_counter()
        duck_result = analyze_journeys(log, **options)
        duck_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        dataset = convert_log(log, folder / "log", partition_by="case", buckets=16, overwrite=True)
        sample = log[log[CASE].isin(pd.unique(log[CASE])[:WARMUP_CASES])]
        warm = convert_log(sample, folder / "warmup", overwrite=True)
        del sample, log  # Spark reads the dataset; this process keeps only DuckDB's (small) results
        gc.collect()
        convert_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        con = spark_connect(master=args.master)
        session = con._session
        start_s = time.perf_counter() - t0
        proc = _jvm_process(session)
        sampler.jvm_pid = proc.pid if proc is not None else None
        analyze_journeys(warm, engine=con, **options)  # warm-up, untimed: the JVM compiles its code paths
        runs = []
        cpu0 = _proc_cpu_s(sampler.jvm_pid) if sampler.jvm_pid else 0.0
        for _ in range(repeat):
            t0 = time.perf_counter()
            spark_result = analyze_journeys(dataset, engine=con, **options)
            runs.append(time.perf_counter() - t0)
        spark_cpu_s = (_proc_cpu_s(sampler.jvm_pid) - cpu0) / repeat if sampler.jvm_pid else None
        spark_s = float(np.median(runs))
        views_left = [t.name for t in session.catalog.listTables() if t.isTemporary]
        driver_mb = _jvm_peak_mb(session)
        diffs = differences(spark_result, duck_result)
        master = session.conf.get("spark.master", None) if driver_mb is not None else "remote"
        cores = session.sparkContext.defaultParallelism if driver_mb is not None else None
    finally:
        if not args.parquet:
            shutil.rmtree(folder, ignore_errors=True)
    python_mb = _peak_mb()
    both_mb = sampler.stop()
    out = {
        "log": args.log,
        "scale": args.scale,
        "events": n_events,
        "cases": n_cases,
        "engine": "spark",
        "spark_master": master,
        "spark_cores": cores,
        "repeat": repeat,
        "cxlib_s": round(spark_s, 3),
        "cxlib_runs_s": [round(t, 3) for t in runs],
        "cxlib_us_per_event": round(spark_s / n_events * 1e6, 3),
        "events_per_core_s": round(n_events / spark_s / cores) if cores else None,
        "spark_cpu_s": round(spark_cpu_s, 1) if spark_cpu_s else None,
        "events_per_cpu_s": round(n_events / spark_cpu_s) if spark_cpu_s else None,
        "spark_start_s": round(start_s, 3),
        "convert_s": round(convert_s, 3),
        "duckdb_s": round(duck_s, 3),
        "equal_to_duckdb": not diffs,
        "differences": diffs[:10],
        "temporary_views_left": views_left,
        "segment_by": segment_by,
        "warmup": f"one untimed Spark run on the first {WARMUP_CASES} cases",
        "spark_driver_peak_mb": driver_mb,
        "python_peak_mb": python_mb,
        "peak_mb": both_mb,
        "peak_mb_source": ("spark_driver_peak_mb: VmHWM of the local Spark driver JVM (driver and executors in "
                           "local mode); python_peak_mb: ru_maxrss of this process (loading, the DuckDB "
                           "reference run, the Parquet writing); peak_mb: the largest sum of both processes' "
                           "resident memory at the same time (sampled every 0.5 s)"),
        "load_s_untimed": round(load_s, 3),
    }
    return out


def _column_differences(name: str, a: pd.Series, b: pd.Series) -> list[str]:
    """How two columns of a result table differ: counts, codes and text exactly; timestamps and durations to the
    microsecond (floats: ``|a - b| <= max(1 µs in hours, 1e-12 |a|)``, missing where the other is missing)."""
    if pd.api.types.is_datetime64_any_dtype(a) or pd.api.types.is_datetime64_any_dtype(b):
        x = pd.to_datetime(a, utc=True).to_numpy(dtype="datetime64[ns]").view(np.int64)
        y = pd.to_datetime(b, utc=True).to_numpy(dtype="datetime64[ns]").view(np.int64)
        bad = np.abs(x - y) > 1000
    elif pd.api.types.is_float_dtype(a) or pd.api.types.is_float_dtype(b):
        x = pd.to_numeric(a, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        y = pd.to_numeric(b, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        both_nan = np.isnan(x) & np.isnan(y)
        with np.errstate(invalid="ignore"):
            bad = ~both_nan & ~(np.abs(x - y) <= np.maximum(US_IN_HOURS, 1e-12 * np.abs(x)))
    else:
        x = a.astype(object).where(a.notna(), None).to_numpy()
        y = b.astype(object).where(b.notna(), None).to_numpy()
        bad = np.array([not _same(u, v) for u, v in zip(x, y)], dtype=bool)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        return [f"{name}: {int(bad.sum())} rows differ (first at row {i}: {a.iloc[i]!r} vs {b.iloc[i]!r})"]
    return []


def _same(u, v) -> bool:
    if isinstance(u, (tuple, list, np.ndarray)) or isinstance(v, (tuple, list, np.ndarray)):
        return list(u) == list(v)
    if isinstance(u, (int, np.integer, bool, np.bool_)) and isinstance(v, (int, np.integer, bool, np.bool_)):
        return int(u) == int(v)
    return u == v or (u is None and v is None)


def differences(a, b, name: str = "") -> list[str]:
    """Every difference between two results of :func:`cxlib.journeys.analyze_journeys` (dicts of tables and
    results), table by table and column by column (see :func:`_column_differences`); empty when they are equal.
    Row order counts."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{name}: keys {sorted(set(a) ^ set(b))} in one result only"] if set(a) != set(b) else []
        for key in sorted(set(a) & set(b)):
            out += differences(a[key], b[key], f"{name}.{key}" if name else str(key))
        return out
    if isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame):
        if list(a.columns) != list(b.columns):
            return [f"{name}: columns {list(a.columns)} vs {list(b.columns)}"]
        if len(a) != len(b):
            return [f"{name}: {len(a)} rows vs {len(b)}"]
        out = []
        for col in a.columns:
            out += _column_differences(f"{name}[{col}]", a[col].reset_index(drop=True), b[col].reset_index(drop=True))
        return out
    if dataclasses.is_dataclass(a) and type(a) is type(b):
        return differences({f.name: getattr(a, f.name) for f in dataclasses.fields(a)},
                           {f.name: getattr(b, f.name) for f in dataclasses.fields(b)}, name)
    if isinstance(a, float) and isinstance(b, float):
        return [] if (np.isnan(a) and np.isnan(b)) or abs(a - b) <= max(US_IN_HOURS, 1e-12 * abs(a)) \
            else [f"{name}: {a!r} vs {b!r}"]
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return [] if list(a) == list(b) else [f"{name}: {a!r} vs {b!r}"]
    return [] if _same(a, b) else [f"{name}: {a!r} vs {b!r}"]


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
    if getattr(args, "engine", "duckdb") == "spark":
        holder = [log]
        del log  # _run_spark lets go of the DataFrame before Spark starts
        return _run_spark(args, holder, segment_by, repeat, load_s)
    # warm-up, untimed, on both sides: the process's one-time costs (DuckDB connection, SQL compiler set-up, lazy
    # imports) are not part of an analysis
    sample = log[log[CASE].isin(pd.unique(log[CASE])[:WARMUP_CASES])]
    analyze_journeys(sample, segment_by=segment_by, escalation_column=args.escalation_column,
                     escalation_pattern=args.escalation_pattern)
    if not args.skip_pm4py:
        _time_pm4py(sample)
    del sample
    gc.collect()
    # the two sides take turns (cxlib, pm4py, cxlib, pm4py, ...): on a shared machine the load drifts, and
    # alternating runs see the same load, so the ratio holds even when the absolute times do not
    cxlib_runs, cxlib_cpu, runs, pm4py_cpu, cxlib_peak_mb = [], [], [], [], None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        result = analyze_journeys(log, segment_by=segment_by, escalation_column=args.escalation_column,
                                  escalation_pattern=args.escalation_pattern)
        cxlib_runs.append(time.perf_counter() - t0)
        cxlib_cpu.append(time.process_time() - c0)
        tables = sorted(result)
        del result
        gc.collect()
        if cxlib_peak_mb is None:
            cxlib_peak_mb = _peak_mb()  # loading and cxlib's first run, before any of pm4py's
        if not args.skip_pm4py:
            c0 = time.process_time()
            runs.append(_time_pm4py(log))
            pm4py_cpu.append(time.process_time() - c0)
            gc.collect()
    cxlib_s = float(np.median(cxlib_runs))

    out = {
        "log": args.log,
        "scale": args.scale,
        "events": len(log),
        "cases": int(log[CASE].nunique()),
        "engine": "duckdb",
        "duckdb_threads": _engine.size_threads(len(log)),
        "repeat": repeat,
        "cxlib_s": round(cxlib_s, 3),
        "cxlib_runs_s": [round(t, 3) for t in cxlib_runs],
        "cxlib_us_per_event": round(cxlib_s / len(log) * 1e6, 3),
        "cxlib_cpu_s": round(float(np.median(cxlib_cpu)), 3),
        "cxlib_tables": ",".join(tables),
        "segment_by": segment_by,
        "warmup": f"each side ran once on the first {WARMUP_CASES} cases, untimed; then the sides alternate",
        "cxlib_peak_mb": cxlib_peak_mb,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    if not args.skip_pm4py:
        times = {k: float(np.median([r[k] for r in runs])) for k in runs[0]}
        out.update({k: round(v, 3) for k, v in times.items()})
        out["pm4py_runs_s"] = [round(r["pm4py_s"], 3) for r in runs]
        out["pm4py_us_per_event"] = round(times["pm4py_s"] / len(log) * 1e6, 3)
        out["speedup"] = round(times["pm4py_s"] / cxlib_s, 2)
        out["paired_speedups"] = [round(r["pm4py_s"] / c, 2) for r, c in zip(runs, cxlib_runs)]
        # CPU time (all threads) depends far less on what else runs on the machine than the wall clock
        out["pm4py_cpu_s"] = round(float(np.median(pm4py_cpu)), 3)
        out["cpu_speedup"] = round(out["pm4py_cpu_s"] / max(out["cxlib_cpu_s"], 1e-9), 2)
    out["peak_mb"] = _peak_mb()
    out["peak_mb_source"] = ("resource.getrusage(RUSAGE_SELF).ru_maxrss, whole process incl. loading; "
                             "cxlib_peak_mb is the same high-water mark read after cxlib's first run, before "
                             "pm4py's first")
    out["load_s_untimed"] = round(load_s, 3)
    return out
