"""The journeys engine: one DuckDB connection per process, reached through Ibis, and the enriched event table.

Every journey measure is an Ibis expression over the enriched event table that :func:`events_table` builds once
per analysis (an Arrow table that DuckDB scans in place); DuckDB (embedded) executes it and :func:`to_pandas`
brings the small result back. Because the measures are Ibis expressions, the same code runs on another Ibis
backend: :mod:`._spark` builds the same two tables on Apache Spark (from a Parquet dataset or a Spark table), and
:func:`to_arrow` / :func:`to_pandas` execute an expression on the backend its tables belong to.

The enriched table has one row per usable event:

- ``pos``: the row's position in the input log; ``case``, ``act``: integer codes of case and activity.
- ``ts``: the timestamp in nanoseconds since the epoch (int64, UTC), so waits are exact integer differences.
- ``idx``: the event's index in its case (0 = first), by ``(ts, pos)``: events with the same timestamp keep the
  log's order, as pm4py does.
- ``prev_act``, ``next_act``, ``prev_ts``, ``next_ts``: the neighbours in the case (null at the case's ends):
  ``lag``/``lead`` over ``partition by case order by ts, pos``.
- ``visit``: the how-manieth visit of its touchpoint in the case this event is (0 = first), and ``gap_ns``: the
  time since the previous visit of the same touchpoint (null on first visits): ``row_number``/``lag`` over
  ``partition by case, act order by ts, pos``. First visits give the distinct (case, touchpoint) pairs; later visits are the
  revisits behind rework, back-jumps and repeated contacts.
- ``a0``, ``prev_a0``, ``prev2_a0``, ...: event attributes asked for at preparation (resource, group) as
  integer codes (null = missing) with their values one and two events earlier in the case.

Beside it, the traces table holds one row per case with ``seq``, the case's activity codes in order (the
variants are the distinct ``seq``).

:func:`enrich` and :func:`traces` define these columns as Ibis window functions (the portable definition). For a
pandas log on the embedded engine, :func:`case_ordered` computes the same columns as numpy arrays while the log is
encoded: with the rows in case order every window is a shift of the arrays inside each case's block and each
trace is a slice of the activity codes, which costs a fraction of the sorts that the windows and ordered lists
need. The tables every analysis starts from (per case, per touchpoint, per variant, the process-map edges and the
hand-offs) are then computed from those arrays (:mod:`._local`), and the Arrow tables for DuckDB are built only
when a query reads them (:func:`register_later`). The tests check that both ways give the same tables.

:func:`attribute_table` adds an attribute that was not asked for at preparation (a join on ``pos`` and one more
window).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading

import duckdb
import ibis
import numpy as np
import pandas as pd
import pyarrow as pa

from ._local import CaseOrdered

_LOCK = threading.Lock()
_CON = None
_NAMES = itertools.count()


def connect():
    """The process's DuckDB connection (Ibis backend), created on first use."""
    global _CON
    with _LOCK:
        if _CON is None:
            # results that need an order ask for it (order_by), so DuckDB may reorder rows when it materializes
            _CON = ibis.duckdb.connect(preserve_insertion_order=False)
        return _CON


#: Below this many events one DuckDB thread does the work: on a small log the threads' start-up and merging cost
#: more than they give, the more so on a busy machine (measured in ``cx bench journeys``: docs/benchmarks.md).
SINGLE_THREAD_EVENTS = 500_000
_THREADS = {"now": None}


def cores() -> int:
    """The cores this process may run on (its CPU affinity, which containers and ``taskset`` restrict)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def size_threads(n_events: int) -> int:
    """Set DuckDB's threads for a log of ``n_events``: one below :data:`SINGLE_THREAD_EVENTS`, else every core
    the process may use (``$CX_DUCKDB_THREADS`` overrides both). Returns the number set."""
    wanted = os.environ.get("CX_DUCKDB_THREADS")
    threads = int(wanted) if wanted else (1 if n_events < SINGLE_THREAD_EVENTS else cores())
    if _THREADS["now"] != threads:
        connect().raw_sql(f"SET threads = {threads}")
        _THREADS["now"] = threads
    return threads


def _temp_name(prefix: str) -> str:
    return f"cx_journeys_{prefix}_{next(_NAMES)}"


def register(data: pa.Table | pd.DataFrame, prefix: str):
    """Let DuckDB scan ``data`` in place under a new name (nothing is copied); returns (Ibis table, name). The
    registration holds the data until :func:`drop_tables` is called with the name."""
    con = connect()
    name = _temp_name(prefix)
    data = data if isinstance(data, pa.Table) else pa.Table.from_pandas(data, preserve_index=False)
    con.con.register(name, data)
    # the schema is known: an unbound table by that name compiles to the same SQL without asking DuckDB for it
    return ibis.table(ibis.Schema.from_pyarrow(data.schema), name=name), name


_PENDING: dict = {}


def register_later(schema: pa.Schema, prefix: str, build):
    """Like :func:`register`, but the data is made by ``build()`` (an Arrow table of ``schema``) only when a
    query first reads the table (:func:`realize`); returns (Ibis table, name)."""
    name = _temp_name(prefix)
    _PENDING[name] = (schema, build)
    return ibis.table(ibis.Schema.from_pyarrow(schema), name=name), name


def realize(expr) -> None:
    """Register the data of every table ``expr`` reads whose registration :func:`register_later` deferred."""
    if not _PENDING:
        return
    from ibis.expr import operations as ops

    for table in expr.op().find(ops.UnboundTable):
        pending = _PENDING.pop(table.name, None)  # atomic: one caller builds and registers it
        if pending is not None:
            schema, build = pending
            connect().con.register(table.name, build().cast(schema))


def materialize(expr, prefix: str):
    """Execute ``expr`` (Ibis table or pandas DataFrame) into a DuckDB temporary table; returns (table, name)."""
    con = connect()
    name = _temp_name(prefix)
    if isinstance(expr, (pd.DataFrame, pa.Table)):
        source, source_name = register(expr, prefix + "_in")
        try:
            return con.create_table(name, obj=source, temp=True), name
        finally:
            drop_tables([source_name])
    realize(expr)
    return con.create_table(name, obj=expr, temp=True), name


def drop_tables(names: list[str]) -> None:
    """Drop temporary tables and registered data (called when the prepared log they belong to is
    garbage-collected)."""
    for name in names:  # a dict's pop is atomic: no lock (this also runs from the garbage collector)
        with contextlib.suppress(AttributeError, TypeError):  # also at interpreter shutdown
            _PENDING.pop(name, None)
    con = _CON
    if con is None:
        return
    for name in names:
        with contextlib.suppress(duckdb.Error, AttributeError, TypeError):  # also at interpreter shutdown
            con.con.unregister(name)
        with contextlib.suppress(duckdb.Error, AttributeError, TypeError):
            con.raw_sql(f'DROP TABLE IF EXISTS temp.main."{name}"')


def backend_of(expr):
    """The Ibis backend an expression runs on: the one its tables are bound to (e.g. a Spark session's, see
    :mod:`._spark`), else the process's DuckDB connection (the enriched tables on DuckDB are unbound names)."""
    backends, _ = expr._find_backends()
    if len(backends) == 1:
        return backends[0]
    if backends:
        raise ValueError("a journeys expression mixes tables of several backends")
    return connect()


_SQL_CACHE: dict = {}
_SQL_CACHE_SIZE = 512


def _duckdb_sql(con, table_expr) -> str | None:
    """The SQL of ``table_expr`` on DuckDB, compiled once per query shape: the tables (unbound names, different
    for every prepared log) are replaced by canonical names before the cache lookup, and the real names put back
    into the SQL text. Compiling is the largest single cost of a small analysis after the queries themselves;
    every analysis sends the same few shapes. None when the expression holds data of its own (a memtable)."""
    from ibis.expr import operations as ops

    op = table_expr.op()
    if op.find(ops.InMemoryTable):
        return None
    unbound = sorted(set(op.find(ops.UnboundTable)), key=lambda t: t.name)
    canonical = {t: ops.UnboundTable(name=f"cx_canonical_{i}", schema=t.schema, namespace=t.namespace)
                 for i, t in enumerate(unbound)}
    key = op.replace(canonical) if canonical else op
    sql = _SQL_CACHE.get(key)
    if sql is None:
        sql = con.compile(key.to_expr())
        if len(_SQL_CACHE) >= _SQL_CACHE_SIZE:
            _SQL_CACHE.clear()
        _SQL_CACHE[key] = sql
    for i, t in enumerate(unbound):
        sql = sql.replace(f'"cx_canonical_{i}"', f'"{t.name}"')
    return sql


def to_arrow(expr) -> pa.Table:
    """Execute an Ibis expression on its backend (:func:`backend_of`) and return an Arrow table (a scalar for a
    scalar expression). On DuckDB the compiled SQL is reused across prepared logs (see :func:`_duckdb_sql`)."""
    backend = backend_of(expr)
    if backend is _CON:
        realize(expr)
        sql = _duckdb_sql(backend, expr.as_table())
        if sql is not None:
            from ibis.backends.duckdb.converter import DuckDBPyArrowData

            return expr.__pyarrow_result__(backend.con.sql(sql).to_arrow_table(), data_mapper=DuckDBPyArrowData)
    return backend.to_pyarrow(expr)


def to_pandas(expr) -> pd.DataFrame:
    """Execute an Ibis table expression on its backend and return a pandas DataFrame (through Arrow; integer
    columns with nulls come back as floats, list columns as numpy arrays)."""
    return to_arrow(expr).to_pandas()


def _case_window(t):
    return ibis.window(group_by=t.case, order_by=[t.ts, t.pos])


def enrich(base, n_attributes: int = 0):
    """Ibis: the enriched event table as window functions over the coded events ``base`` (``pos``, ``case``,
    ``act``, ``ts``, ``a0``, ...).

    This is the portable definition of the enriched table, for a backend that holds the coded events itself
    (e.g. Spark). For a pandas log on the embedded engine, :func:`enrich_arrays` computes the same columns while
    the log is encoded (the rows arrive sorted, so the windows become array shifts) and :func:`events_table`
    loads them; the tests check that both agree.
    """
    w = _case_window(base)
    wa = ibis.window(group_by=[base.case, base.act], order_by=[base.ts, base.pos])
    lags = {}
    for k in range(n_attributes):
        col = base[f"a{k}"]
        lags[f"prev_a{k}"] = col.lag().over(w)
        lags[f"prev2_a{k}"] = col.lag(2).over(w)
    return base.mutate(
        idx=ibis.row_number().over(w),
        visit=ibis.row_number().over(wa),
        gap_ns=base.ts - base.ts.lag().over(wa),
        prev_act=base.act.lag().over(w),
        next_act=base.act.lead().over(w),
        prev_ts=base.ts.lag().over(w),
        next_ts=base.ts.lead().over(w),
        **lags,
    )


def _within(values: np.ndarray, valid: np.ndarray, shift: int, first: np.ndarray) -> pa.Array:
    """``values`` moved by ``shift`` rows (positive: from earlier rows, negative: from later rows) as an Arrow
    array, null where the source row lies in another case (``first`` marks those rows) or its value is missing
    (``valid`` False there)."""
    n = len(values)
    out = np.zeros(n, dtype=values.dtype)
    ok = np.zeros(n, dtype=bool)
    k = abs(shift)
    if k < n:
        if shift > 0:
            out[k:] = values[:-k]
            ok[k:] = valid[:-k]
        else:
            out[:-k] = values[k:]
            ok[:-k] = valid[k:]
    ok &= ~first
    return masked_array(out, ok)


def masked_array(values: np.ndarray, valid: np.ndarray) -> pa.Array:
    """An Arrow array of ``values`` (a numpy array of a fixed-width type), null where ``valid`` is False.

    Built from the two buffers directly: the validity bitmap packed by numpy and the values as they are
    (``pa.array(values, mask=...)`` costs a hundred times more on millions of rows)."""
    values = np.ascontiguousarray(values)
    n = len(values)
    nulls = n - int(np.count_nonzero(valid))
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little")) if nulls else None
    return pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), n, [bitmap, pa.py_buffer(values)],
                                 null_count=nulls)


def case_ordered(case: np.ndarray, act: np.ndarray, ts: np.ndarray, pos: np.ndarray,
                 attributes: list[pa.Array] = ()) -> CaseOrdered:
    """The enriched columns (see the module docstring) from coded events as numpy arrays in case order
    (:class:`._local.CaseOrdered`).

    The events are put in case order (``case``, then ``ts``, then ``pos``; a stable sort, skipped when the log is
    already in that order, as XES logs are), so that every window of :func:`enrich` becomes a shift of the
    arrays within each case's block of rows, and the per-touchpoint window one stable sort by (case,
    activity). ``attributes`` are the attribute codes (Arrow int32 arrays, null = missing) in input order.
    """
    n = len(case)
    dc = np.diff(case)
    in_order = bool(np.all((dc > 0) | ((dc == 0) & (np.diff(ts) >= 0))))
    order = None if in_order else np.lexsort((ts, case))  # stable: ties keep the input (pos) order
    if order is not None:
        case, act, ts, pos = case[order], act[order], ts[order], pos[order]
    starts = np.flatnonzero(np.r_[True, dc != 0] if in_order else np.r_[True, case[1:] != case[:-1]])
    sizes = np.diff(np.r_[starts, n])
    idx = np.arange(n, dtype=np.int64) - np.repeat(starts, sizes)
    # visits of the same touchpoint in a case: a stable sort by (case, act) keeps the time order inside
    key = case.astype(np.int64) * (int(act.max()) + 1 if n else 1) + act
    by_act = np.argsort(key, kind="stable")
    key_sorted = key[by_act]
    new_pair = np.r_[True, key_sorted[1:] != key_sorted[:-1]]
    pair_starts = np.flatnonzero(new_pair)
    visit_sorted = np.arange(n, dtype=np.int64) - np.repeat(pair_starts, np.diff(np.r_[pair_starts, n]))
    ts_sorted = ts[by_act]
    gap_sorted = np.r_[0, np.diff(ts_sorted)] if n else ts_sorted
    visit = np.empty(n, dtype=np.int64)
    visit[by_act] = visit_sorted
    gap = np.empty(n, dtype=np.int64)
    gap[by_act] = gap_sorted
    gap_ok = np.empty(n, dtype=bool)
    gap_ok[by_act] = ~new_pair
    carried = []
    for codes in attributes:
        valid = ~np.asarray(codes.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        raw = np.asarray(codes.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int32)
        carried.append((raw, valid) if order is None else (raw[order], valid[order]))
    return CaseOrdered(case=case, act=act, ts=ts, pos=pos, idx=idx, visit=visit, gap=gap, gap_ok=gap_ok,
                       starts=starts, attributes=carried)


def events_schema(n_attributes: int) -> pa.Schema:
    """The enriched event table's columns and types (see the module docstring)."""
    fields = [("pos", pa.int64()), ("case", pa.int32()), ("act", pa.int32()), ("ts", pa.int64())]
    fields += [(f"a{k}", pa.int32()) for k in range(n_attributes)]
    fields += [("idx", pa.int64()), ("visit", pa.int64()), ("gap_ns", pa.int64()), ("prev_act", pa.int32()),
               ("next_act", pa.int32()), ("prev_ts", pa.int64()), ("next_ts", pa.int64())]
    for k in range(n_attributes):
        fields += [(f"prev_a{k}", pa.int32()), (f"prev2_a{k}", pa.int32())]
    return pa.schema(fields)


def traces_schema(n_events: int) -> pa.Schema:
    """The traces table's columns and types (list offsets are 64-bit from 2**31 events)."""
    small = n_events < 2**31
    return pa.schema([("case", pa.int32()), ("seq", pa.list_(pa.int32()) if small else pa.large_list(pa.int32()))])


def arrow_tables(lo: CaseOrdered) -> tuple[pa.Table, pa.Table]:
    """The enriched event table and the traces table (``case``, ``seq``: one row per case with its activity
    codes in order) as Arrow tables, from the case-ordered arrays: every window is a shift within each case's
    block of rows, each trace a slice of the activity codes."""
    n = len(lo.case)
    first1 = lo.idx < 1
    first2 = lo.idx < 2
    last = np.r_[lo.idx[1:] == 0, True]
    all_valid = np.ones(n, dtype=bool)
    columns = {"pos": pa.array(lo.pos, type=pa.int64()), "case": pa.array(lo.case, type=pa.int32()),
               "act": pa.array(lo.act, type=pa.int32()), "ts": pa.array(lo.ts, type=pa.int64())}
    for k, (raw, valid) in enumerate(lo.attributes):
        columns[f"a{k}"] = masked_array(raw, valid)
    columns.update({
        "idx": pa.array(lo.idx),
        "visit": pa.array(lo.visit),
        "gap_ns": masked_array(lo.gap, lo.gap_ok),
        "prev_act": _within(lo.act, all_valid, 1, first1),
        "next_act": _within(lo.act, all_valid, -1, last),
        "prev_ts": _within(lo.ts, all_valid, 1, first1),
        "next_ts": _within(lo.ts, all_valid, -1, last),
    })
    for k, (raw, valid) in enumerate(lo.attributes):
        columns[f"prev_a{k}"] = _within(raw, valid, 1, first1)
        columns[f"prev2_a{k}"] = _within(raw, valid, 2, first2)
    # the rows are in case order, so each case's touchpoints are one slice: the traces are a list array
    # over the same values with the case boundaries as offsets
    small = n < 2**31
    offsets = pa.array(np.r_[lo.starts, n].astype(np.int32 if small else np.int64))
    lists = pa.ListArray if small else pa.LargeListArray
    traces = pa.table({"case": pa.array(lo.case[lo.starts], type=pa.int32()),
                       "seq": lists.from_arrays(offsets, columns["act"])})
    return pa.table(columns), traces


def enrich_arrays(case: np.ndarray, act: np.ndarray, ts: np.ndarray, pos: np.ndarray,
                  attributes: list[pa.Array] = ()) -> tuple[pa.Table, pa.Table, CaseOrdered]:
    """The enriched event table and the traces table as Arrow tables (:func:`arrow_tables`), and the
    case-ordered arrays they come from (:func:`case_ordered`)."""
    lo = case_ordered(case, act, ts, pos, attributes)
    return (*arrow_tables(lo), lo)


def traces(events):
    """Ibis: one row per case with ``seq``, its activity codes in order (the portable definition of the traces
    table that :func:`enrich_arrays` builds from the case-ordered rows).

    An ordered ``collect`` is not available on every backend (PySpark has none), so each case collects its
    ``(idx, act)`` pairs, sorts the list (by ``idx``, unique within the case) and keeps the activity codes.
    """
    pair = ibis.struct({"i": events.idx, "a": events.act})
    return events.group_by("case").aggregate(seq=pair.collect().sort().map(lambda p: p.a))


def events_table(case: np.ndarray, act: np.ndarray, ts: np.ndarray, pos: np.ndarray,
                 attributes: list[pa.Array] = ()):
    """The enriched event table and the traces table of the coded events, for DuckDB.

    The case-ordered arrays (:func:`case_ordered`) are computed now; the two Arrow tables only when a query
    first reads them (:func:`register_later`): the per-case, per-touchpoint and per-variant tables of a pandas
    log come from the arrays (:mod:`._local`), so an analysis that needs nothing else never builds them. DuckDB
    then scans them in place (nothing is copied into the database). Returns the two Ibis tables, the names (for
    :func:`drop_tables`) and the case-ordered arrays.
    """
    size_threads(len(case))
    lo = case_ordered(case, act, ts, pos, attributes)
    built: list = []

    def build(i: int):
        def table() -> pa.Table:
            if not built:
                built.extend(arrow_tables(lo))
            return built[i]
        return table

    table, name = register_later(events_schema(len(attributes)), "events", build(0))
    trace_table, trace_name = register_later(traces_schema(len(case)), "traces", build(1))
    return table, trace_table, [name, trace_name], lo


def attribute_table(events, values: pd.DataFrame):
    """Join an event attribute given as codes (``pos``, ``v``; null = missing) to the events, with ``prev_v``
    and ``prev2_v`` (its values one and two events earlier in the case)."""
    attr, attr_name = materialize(values, "attr")
    j = events.select("pos", "case", "idx", "act", "ts").join(attr, "pos")
    w = ibis.window(group_by=j.case, order_by=j.idx)
    out = j.mutate(prev_v=j.v.lag().over(w), prev2_v=j.v.lag(2).over(w))
    table, name = materialize(out, "attr_events")
    drop_tables([attr_name])
    return table, [name]
