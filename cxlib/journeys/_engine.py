"""The journeys engine: one DuckDB connection per process, reached through Ibis, and the enriched event table.

Every journey measure is an Ibis expression over the enriched event table that :func:`events_table` builds once
per analysis; DuckDB (embedded) executes it and ``.to_pandas()`` brings the small result back. Because the
measures are Ibis expressions, the same code can later run on another Ibis backend (e.g. Spark) by swapping
:func:`connect`.

The enriched table has one row per usable event:

- ``pos``: the row's position in the input log; ``case``, ``act``: integer codes of case and activity.
- ``ts``: the timestamp in nanoseconds since the epoch (int64, UTC), so waits are exact integer differences.
- ``idx``: the event's index in its case (0 = first), by ``(ts, pos)``: events with the same timestamp keep the
  log's order, as pm4py does.
- ``prev_act``, ``next_act``, ``prev_ts``, ``next_ts``: the neighbours in the case (null at the case's ends),
  via ``lag``/``lead`` over ``partition by case order by ts, pos``.
- ``a0``, ``prev_a0``, ``prev2_a0``, ...: event attributes asked for at preparation (resource, group) as
  integer codes (null = missing) with their values one and two events earlier in the case.

:func:`attribute_table` adds an attribute that was not asked for at preparation (a join on ``pos`` and one more
window). :func:`revisits_table` holds the events that revisit a touchpoint of their case, with the time since
the previous visit (a window over ``partition by case, activity``), for repeated contacts.
"""

from __future__ import annotations

import contextlib
import itertools
import threading

import duckdb
import ibis
import pandas as pd

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


def _temp_name(prefix: str) -> str:
    return f"cx_journeys_{prefix}_{next(_NAMES)}"


def materialize(expr, prefix: str):
    """Execute ``expr`` (Ibis table or pandas DataFrame) into a DuckDB temporary table; returns (table, name)."""
    con = connect()
    name = _temp_name(prefix)
    obj = ibis.memtable(expr) if isinstance(expr, pd.DataFrame) else expr
    return con.create_table(name, obj=obj, temp=True), name


def drop_tables(names: list[str]) -> None:
    """Drop temporary tables (called when the prepared log they belong to is garbage-collected)."""
    con = _CON
    if con is None:
        return
    for name in names:
        with contextlib.suppress(duckdb.Error, AttributeError, TypeError):  # also at interpreter shutdown
            con.raw_sql(f'DROP TABLE IF EXISTS temp.main."{name}"')


def to_pandas(expr) -> pd.DataFrame:
    """Execute an Ibis table expression on the process's connection and return a pandas DataFrame (through Arrow;
    integer columns with nulls come back as floats, list columns as numpy arrays)."""
    return connect().to_pyarrow(expr).to_pandas()


def _case_window(t):
    return ibis.window(group_by=t.case, order_by=[t.ts, t.pos])


def events_table(coded: pd.DataFrame, n_attributes: int = 0):
    """Load the coded events (``pos``, ``case``, ``act``, ``ts`` and attribute codes ``a0``, ``a1``, ...) and
    build the enriched table once. Returns the Ibis table (a DuckDB temporary table) and the temporary tables'
    names."""
    base = ibis.memtable(coded)
    w = _case_window(base)
    lags = {}
    for k in range(n_attributes):
        col = base[f"a{k}"]
        lags[f"prev_a{k}"] = col.lag().over(w)
        lags[f"prev2_a{k}"] = col.lag(2).over(w)
    enriched = base.mutate(
        idx=ibis.row_number().over(w),
        prev_act=base.act.lag().over(w),
        next_act=base.act.lead().over(w),
        prev_ts=base.ts.lag().over(w),
        next_ts=base.ts.lead().over(w),
        **lags,
    )
    table, name = materialize(enriched, "events")
    return table, [name]


def revisits_table(events):
    """Events that revisit a touchpoint already visited in their case: ``case``, ``act``, ``gap_ns`` (time since
    the previous visit of the same touchpoint). Returns the table and its name."""
    wa = ibis.window(group_by=[events.case, events.act], order_by=[events.idx])
    lagged = events.select("case", "act", gap_ns=events.ts - events.ts.lag().over(wa))
    return materialize(lagged.filter(lagged.gap_ns.notnull()), "revisits")


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
