"""The journeys engine on Apache Spark: the same enriched event table and traces table, built where the log lives.

A log on Spark is a Parquet file or folder (as :func:`convert_log` writes it, partitioned or not), a Spark table or
an Ibis table on a Spark session. :func:`prepare_spark` reads it there and never pulls it through pandas:

1. The rows are checked and counted (missing case, activity or timestamp: dropped and counted, as on DuckDB).
2. Cases, activities and the attributes asked for become integer codes in order of first appearance (by the row
   position ``cx:row`` that :func:`convert_log` writes; a table without it is numbered in the order Spark reads
   it), so the codes and every result table are the ones DuckDB gives for the same log. Only the small
   dictionaries (activities, attribute values, case ids) come back to Python.
3. The coded events become the enriched table through the portable window definition
   (:func:`._engine.enrich`) and the traces table through :func:`._engine.traces`; both are persisted
   (memory, then disk) under temporary views that :meth:`SparkEvents.close` drops.

Every measure then runs unchanged: the tables are bound to the Spark backend, so :func:`._engine.to_arrow`
executes there and only the (small) results come back, as Arrow and pandas.

Timestamps: Spark's timestamps are microseconds. A timestamp column becomes nanoseconds as ``unix_micros * 1000``;
a Parquet timestamp in nanoseconds (what :func:`convert_log` writes when a log has sub-microsecond times) is read
as a 64-bit integer of nanoseconds (``spark.sql.legacy.parquet.nanosAsLong``) and kept exact.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path

import ibis
import ibis.expr.datatypes as dt
import numpy as np
import pandas as pd

from .._errors import CxInputError
from . import _engine
from ._events import ACTIVITY, CASE, TIMESTAMP, Events

ROW = "cx:row"
REMOTE_ENV = "CX_SPARK_REMOTE"
MASTER_ENV = "CX_SPARK_MASTER"
MEMORY_ENV = "CX_SPARK_DRIVER_MEMORY"

_LOCK = threading.Lock()
_BACKENDS: dict = {}
_NAMES = itertools.count()


@ibis.udf.scalar.builtin(name="unix_micros")
def _unix_micros(t: dt.timestamp) -> dt.int64:
    """Spark SQL's ``unix_micros``: microseconds since the epoch (UTC)."""


@ibis.udf.scalar.builtin(name="monotonically_increasing_id")
def _row_id() -> dt.int64:
    """Spark SQL's ``monotonically_increasing_id``: increasing (not consecutive) row ids in reading order."""


def _local_config(master: str) -> dict:
    cores = master[len("local["):-1] if master.startswith("local[") else ""
    n = (os.cpu_count() or 2) if cores in ("", "*") else int(cores)
    return {
        "spark.driver.memory": os.environ.get(MEMORY_ENV, "4g"),
        # few, large partitions for one machine; adaptive execution merges the small ones
        "spark.sql.shuffle.partitions": str(max(2 * n, 4)),
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
    }


def spark_session(remote: str | None = None, *, master: str | None = None, config: dict | None = None):
    """The Spark session that journeys run on (created on first use).

    ``remote`` (or ``$CX_SPARK_REMOTE``), e.g. ``sc://host:15002``: a Spark Connect server (a cluster, Databricks).
    Otherwise the session already active in this process (a Databricks notebook's ``spark``), else a local one on
    ``master`` (or ``$CX_SPARK_MASTER``, default ``local[*]``) with the driver memory ``$CX_SPARK_DRIVER_MEMORY``
    (default ``4g``). Every session gets UTC as its time zone and reads Parquet nanosecond timestamps as
    integers.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:  # pragma: no cover - depends on the installation
        raise CxInputError("the Spark engine needs pyspark: pip install 'cxlib[spark]' (and Java 17)") from None
    remote = remote or os.environ.get(REMOTE_ENV) or None
    if remote:
        session = SparkSession.builder.remote(remote).getOrCreate()
    else:
        session = SparkSession.getActiveSession()
        if session is None:
            master = master or os.environ.get(MASTER_ENV) or "local[*]"
            builder = SparkSession.builder.master(master).appName("cx-workbench")
            for key, value in {**(_local_config(master) if master.startswith("local") else {}),
                               **(config or {})}.items():
                builder = builder.config(key, value)
            session = builder.getOrCreate()
            with contextlib.suppress(Exception):
                session.sparkContext.setLogLevel("ERROR")
    for key, value in {"spark.sql.session.timeZone": "UTC",
                       "spark.sql.legacy.parquet.nanosAsLong": "true"}.items():
        with contextlib.suppress(Exception):  # a managed cluster may not let a session set it
            session.conf.set(key, value)
    return session


def spark_connect(remote: str | None = None, *, master: str | None = None, config: dict | None = None):
    """An Ibis backend on Spark for the journey analyses (one per session, cached).

    Pass it as ``engine=`` to :func:`analyze_journeys`, or use it to name a table that lives in the cluster
    (``con.table("sales.events")``) and pass that table as the log to any journey function: the work runs in
    Spark and only the results come back.

    Parameters
    ----------
    remote : str, optional
        A Spark Connect address (``sc://host:15002``); default ``$CX_SPARK_REMOTE``, else a local session (or
        the active one, in a Databricks notebook).
    master : str, optional
        For a local session: ``local[N]`` (default ``$CX_SPARK_MASTER``, else ``local[*]``).
    config : dict, optional
        More Spark settings for a new local session (e.g. ``{"spark.driver.memory": "8g"}``).

    Returns
    -------
    ibis.backends.pyspark.Backend
        Its ``._session`` is the Spark session.

    Examples
    --------
    >>> import cxlib.journeys as cj
    >>> con = cj.spark_connect(master="local[2]")  # doctest: +SKIP
    >>> res = cj.analyze_journeys("events.parquet", engine=con)  # doctest: +SKIP
    """
    session = spark_session(remote, master=master, config=config)
    with _LOCK:
        key = id(session)
        if key not in _BACKENDS:
            _BACKENDS[key] = ibis.pyspark.connect(session)
        return _BACKENDS[key]


def is_spark(obj) -> bool:
    """True for an Ibis backend on Spark, or an Ibis table bound to one."""
    if isinstance(obj, ibis.expr.types.Table):
        backends, _ = obj._find_backends()
        return len(backends) == 1 and getattr(backends[0], "name", "") == "pyspark"
    return getattr(obj, "name", "") == "pyspark" and hasattr(obj, "_session")


class _Workspace:
    """Temporary views and persisted frames of one prepared log; :meth:`close` drops and releases them."""

    def __init__(self, backend):
        self.backend = backend
        self.views: list[str] = []
        self.frames: list = []
        self.folder: Path | None = None  # a temporary Parquet copy of a pandas log
        self.load_report = None

    def view_of(self, frame, prefix: str, persist: bool = False):
        """``frame`` (a Spark DataFrame) under a new temporary view, optionally persisted; its Ibis table."""
        from pyspark import StorageLevel

        name = f"cx_journeys_{prefix}_{os.getpid()}_{next(_NAMES)}"
        if persist:
            frame = frame.persist(StorageLevel.MEMORY_AND_DISK)
            self.frames.append(frame)
        frame.createOrReplaceTempView(name)
        self.views.append(name)
        return self.backend.table(name)

    def keep(self, expr, prefix: str):
        """``expr`` computed once in Spark (when first used) and kept there (persisted, memory then disk) under a
        temporary view."""
        frame = self.backend._session.sql(self.backend.compile(expr))
        return self.view_of(frame, prefix, persist=True)

    def close(self) -> None:
        session = self.backend._session
        for name in self.views:
            with contextlib.suppress(Exception):
                session.catalog.dropTempView(name)
        for frame in self.frames:
            with contextlib.suppress(Exception):
                frame.unpersist()
        self.views.clear()
        self.frames.clear()
        if self.folder is not None:
            import shutil

            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


@dataclass(eq=False)
class SparkEvents(Events):
    """A log prepared for journey measures on Spark (internal): ``log`` is the source table (Ibis, on Spark,
    with the row position ``pos``), ``table`` and ``traces`` the persisted enriched and traces tables."""

    workspace: object = None

    def __post_init__(self):
        weakref.finalize(self, self.workspace.close)

    @property
    def columns(self) -> list:
        return [c for c in self.log.columns if c != "pos"]

    def close(self) -> None:
        """Drop the temporary views and release the persisted tables (also done when garbage-collected)."""
        self.workspace.close()

    def _column(self, column: str):
        if column not in self.columns:
            raise CxInputError(f"column {column!r} not found; the log has: {', '.join(map(str, self.columns))}",
                               column=column)
        return self.log[column]

    def attribute(self, column: str):
        key = f"attr_{column}"
        if key not in self._cache:
            if column in self.attributes:
                k, uniques = self.attributes[column]
                t = self.table
                table = t.select("pos", "case", "idx", "act", "ts", v=t[f"a{k}"], prev_v=t[f"prev_a{k}"],
                                 prev2_v=t[f"prev2_a{k}"])
            else:
                self._column(column)
                codes, uniques = _value_codes(self.log, column)
                events = self.table.select("pos", "case", "idx", "act", "ts")
                codes = codes.select(cpos=codes.pos, v=codes.v)
                j = events.left_join(codes, events.pos == codes.cpos).drop("cpos")
                w = ibis.window(group_by=j.case, order_by=j.idx)
                table = self.workspace.keep(j.mutate(prev_v=j.v.lag().over(w), prev2_v=j.v.lag(2).over(w)),
                                            "attr")
            self._cache[key] = (table, uniques)
        return self._cache[key]

    def case_values(self, column: str) -> pd.Series:
        raw = self._column(column)
        t = self.table
        firsts = t.filter(t.idx == 0).select(t.case, fpos=t.pos)
        values = self.log.select(vpos=self.log.pos, value=raw)
        df = firsts.join(values, firsts.fpos == values.vpos).select("case", "value").pipe(_engine.to_pandas)
        out = pd.Series(df["value"].to_numpy(), index=df["case"].to_numpy(dtype=np.int64)).reindex(
            np.arange(self.n_cases))
        return pd.Series(out.to_numpy(), index=pd.Index(self.case_ids, name=self.case_key), name=column)


def _value_codes(raw, column: str):
    """Ibis: ``pos`` and the integer code ``v`` of every non-missing value of ``column`` (codes in order of
    first appearance over all rows, as ``pandas.factorize``); and the values, in code order."""
    present = raw.filter(raw[column].notnull())
    values = present.group_by(value=present[column]).aggregate(first=present.pos.min())
    values = values.mutate(code=ibis.row_number().over(order_by=values.first).cast("int32"))
    uniques = values.order_by("first").select("value").pipe(_engine.to_pandas)["value"].to_numpy()
    rows = present.select(present.pos, value=present[column])
    coded = rows.join(values.select(values.value, values.code), "value")
    return coded.select(coded.pos, v=coded.code), np.asarray(uniques, dtype=object)


def _timestamps_ns(raw, key: str):
    """Ibis: the timestamp column as int64 nanoseconds since the epoch (UTC)."""
    col = raw[key]
    dtype = col.type()
    if dtype.is_integer():  # a Parquet nanosecond timestamp read as a long (see the module docstring)
        return col.cast("int64")
    if dtype.is_timestamp():
        return _unix_micros(col) * 1000
    if dtype.is_date():
        return _unix_micros(col.cast("timestamp")) * 1000
    raise CxInputError(f"column {key!r} has type {dtype}, not a timestamp: write the log with `cx convert` (or "
                       "cast the column to a timestamp) first", column=key)


def _source_table(log, backend, workspace: _Workspace):
    """The log as an Ibis table on ``backend``: a Parquet file or folder (local or a cluster path), a Spark table
    name (``db.table``), an Ibis table on Spark, or a pandas DataFrame (written to a temporary Parquet first)."""
    session = backend._session
    if isinstance(log, ibis.expr.types.Table):
        return log
    if isinstance(log, pd.DataFrame):
        import tempfile

        from ._convert import convert_log

        folder = Path(tempfile.mkdtemp(prefix="cx-spark-log-"))
        convert_log(log, folder / "log.parquet")
        workspace.folder = folder
        log = folder / "log.parquet"
    text = str(log)
    local = Path(text)
    is_path = isinstance(log, Path) or "/" in text or text.endswith(".parquet") or "://" in text
    if is_path:
        if "://" not in text and not local.exists():
            raise CxInputError(f"{text}: no such Parquet file or folder", path=text)
        report = Path(text + ".load-report.json")
        if "://" not in text and report.exists():  # written by convert_log beside the dataset
            import json

            from ..io import LoadReport

            stored = json.loads(report.read_text(encoding="utf-8")).get("load_report")
            workspace.load_report = LoadReport.from_dict(stored) if stored else None
        try:
            frame = session.read.parquet(text)
        except Exception as exc:  # noqa: BLE001 - Spark's analysis errors come as several classes
            raise CxInputError(f"{text}: Spark could not read it as Parquet ({str(exc).splitlines()[0]})",
                               path=text) from None
        return workspace.view_of(frame, "log")
    try:
        return backend.table(text)
    except Exception as exc:  # noqa: BLE001
        raise CxInputError(f"{text!r} is neither a Parquet path nor a Spark table ({str(exc).splitlines()[0]})",
                           path=text) from None


def prepare_spark(log, *, backend=None, case_key: str = CASE, activity_key: str = ACTIVITY,
                  timestamp_key: str = TIMESTAMP, attributes=()) -> SparkEvents:
    """Read, check, encode and enrich a log on Spark (see the module docstring); internal, the Spark side of
    :func:`._events.prepare`."""
    if backend is None:
        backend = _backend_of_table(log) if isinstance(log, ibis.expr.types.Table) else spark_connect()
    workspace = _Workspace(backend)
    try:
        return _prepare(log, backend, workspace, case_key, activity_key, timestamp_key, attributes)
    except BaseException:
        workspace.close()
        raise


def _backend_of_table(table):
    backends, _ = table._find_backends()
    if len(backends) != 1 or not is_spark(backends[0]):
        raise CxInputError("the log is an Ibis table that is not on Spark; pass a pandas DataFrame for DuckDB")
    return backends[0]


def _prepare(log, backend, workspace, case_key, activity_key, timestamp_key, attributes) -> SparkEvents:
    raw = _source_table(log, backend, workspace)
    missing = [c for c in (case_key, activity_key, timestamp_key) if c not in raw.columns]
    if missing:
        raise CxInputError(
            f"column {missing[0]!r} not found; the log has: {', '.join(map(str, raw.columns))}. "
            "Pass the right name with case_key=, activity_key= or timestamp_key=.", column=missing[0])
    if ROW in raw.columns:
        raw = raw.mutate(pos=raw[ROW].cast("int64"))
    else:  # no row position: number the rows once, in reading order, and keep them so the numbers stay put
        raw = workspace.keep(raw.mutate(pos=_row_id()), "log_rows")
    ts = _timestamps_ns(raw, timestamp_key)
    bad_case = raw[case_key].isnull()
    bad_act = raw[activity_key].isnull()
    nat = raw[timestamp_key].isnull()
    usable = ~(bad_case | bad_act | nat)
    # one pass over the log: the activities (first row, events) and the rows dropped, by reason
    per_act = raw.group_by(aname=raw[activity_key]).aggregate(
        first=raw.pos.min(where=usable), events=usable.cast("int64").sum(), bad_case=bad_case.cast("int64").sum(),
        bad_act=(bad_act & ~bad_case).cast("int64").sum(), nat=(nat & ~bad_case & ~bad_act).cast("int64").sum())
    act_df = per_act.pipe(_engine.to_pandas)
    dropped = {
        f"missing {case_key}": int(act_df["bad_case"].sum()),
        f"missing {activity_key}": int(act_df["bad_act"].sum()),
        f"missing {timestamp_key}": int(act_df["nat"].sum()),
    }
    act_df = act_df[act_df["events"] > 0].sort_values("first", ignore_index=True)
    if len(act_df) == 0:
        raise CxInputError("the log has no usable events (dropped: "
                           + ", ".join(f"{k}: {v}" for k, v in dropped.items()) + ")")
    attr_columns = [a for a in dict.fromkeys(a for a in attributes if a is not None) if a in raw.columns]
    kept = raw.filter(usable).select(
        "pos", cid=raw[case_key], aname=raw[activity_key], ts=ts,
        **{f"x{k}": raw[col] for k, col in enumerate(attr_columns)})
    acts = per_act.filter(per_act.events > 0)
    acts = acts.mutate(act=ibis.row_number().over(order_by=acts.first).cast("int32"))
    cases = kept.group_by("cid").aggregate(first=kept.pos.min())
    cases = workspace.keep(cases.mutate(case=ibis.row_number().over(order_by=cases.first).cast("int32")),
                           "cases")
    case_ids = cases.order_by("case").select("cid").pipe(_engine.to_arrow).column("cid").to_numpy(
        zero_copy_only=False)

    coded = kept.join(acts.select("aname", "act"), "aname").join(cases.select("cid", "case"), "cid")
    attrs, columns = {}, {}
    for k, col in enumerate(attr_columns):
        codes, uniques = _value_codes(raw, col)
        codes = codes.select(cpos=codes.pos, **{f"a{k}": codes.v})
        coded = coded.left_join(codes, coded.pos == codes.cpos).drop("cpos")
        attrs[col] = (k, uniques)
        columns[f"a{k}"] = coded[f"a{k}"]
    coded = coded.select("pos", "case", "act", "ts", **columns)
    table = workspace.keep(_engine.enrich(coded, len(attr_columns)), "events")
    traces = workspace.keep(_engine.traces(table), "traces")
    return SparkEvents(
        log=raw,
        case_key=case_key,
        activity_key=activity_key,
        timestamp_key=timestamp_key,
        case_ids=np.asarray(case_ids, dtype=object),
        activities=act_df["aname"].to_numpy().astype(object),
        n_events=int(act_df["events"].sum()),
        table=table,
        traces=traces,
        attributes=attrs,
        dropped={k: v for k, v in dropped.items() if v},
        engine="spark",
        load_report=workspace.load_report,
        workspace=workspace,
    )


def stop_spark() -> None:
    """Stop the local Spark session this module started and forget its backend (tests; internal)."""
    with _LOCK:
        backends = list(_BACKENDS.values())
        _BACKENDS.clear()
    for backend in backends:
        with contextlib.suppress(Exception):
            backend._session.stop()
