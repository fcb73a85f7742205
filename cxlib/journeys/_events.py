"""One preparation step shared by every journey measure.

The log's case ids and activities become integer codes (``pandas.factorize``; rows without case, activity or
timestamp are dropped and counted), timestamps become int64 nanoseconds, and the result becomes the enriched
event table and the traces table of :mod:`cxlib.journeys._engine` (per-case event index, previous/next activity
and timestamp, visit number per touchpoint, ordered by ``(timestamp, row position)``), Arrow tables that DuckDB
scans in place. Every measure is an Ibis expression over those tables, executed by DuckDB (or Spark); only the
(small) results come back as pandas. For a pandas log the per-case, per-touchpoint and per-variant tables come
from the same columns held as numpy arrays (:mod:`._local`), equal to what the Ibis expressions give.
"""

from __future__ import annotations

import itertools
import weakref
from dataclasses import dataclass, field
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa

from .._docstrings import share_docs
from .._errors import CxInputError
from ..io import ACTIVITY, CASE, RESOURCE, TIMESTAMP  # the journey modules take the keys from here
from . import _engine, _local
from ._engine import to_pandas

NS_PER_HOUR = 3_600_000_000_000


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (a sort and a comparison: faster than ``np.unique`` on these keys)."""
    values = np.sort(values)
    return values[np.r_[True, values[1:] != values[:-1]]] if len(values) else values


@dataclass(eq=False)
class VariantData:
    """The variants of a prepared log (internal): ``case_var`` (per case code, the smallest case code with the
    same journey), ``variant_of_case`` (per case code, the variant's index 0..n-1, variants ordered by ``var``),
    ``var`` and ``counts`` (per variant), and the variants' activity codes ``flat`` cut at ``offsets``.

    Everything that depends only on a case's sequence of touchpoints (edges taken, back-jumps, reference
    positions visited) is computed here once per variant and weighted by its cases: the work grows with the
    number of variants, not of events.
    """

    case_var: np.ndarray
    variant_of_case: np.ndarray
    var: np.ndarray
    counts: np.ndarray
    flat: np.ndarray
    offsets: np.ndarray

    @classmethod
    def from_arrow(cls, table: pa.Table, n_cases: int) -> VariantData:
        import pyarrow.compute as pc

        case = table.column("case").to_numpy().astype(np.int64)
        case_var = np.empty(n_cases, dtype=np.int64)
        case_var[case] = table.column("var").to_numpy().astype(np.int64)
        reps = table.filter(pc.is_valid(table.column("seq")))
        reps = reps.take(pc.sort_indices(reps.column("var")))
        seq = reps.column("seq")
        lengths = pc.list_value_length(seq).to_numpy(zero_copy_only=False).astype(np.int64)
        flat = pc.list_flatten(seq).to_numpy(zero_copy_only=False).astype(np.int64)
        var = reps.column("var").to_numpy().astype(np.int64)
        variant_of_case = np.searchsorted(var, case_var)
        return cls(case_var, variant_of_case, var, np.bincount(variant_of_case, minlength=len(var)), flat,
                   np.r_[0, np.cumsum(lengths)])

    @classmethod
    def from_case_var(cls, lo, case_var: np.ndarray, var: np.ndarray) -> VariantData:
        """From each case's ``case_var`` and the representative cases ``var`` (ascending), over the case-ordered
        arrays ``lo`` (:class:`._local.CaseOrdered`)."""
        lengths = np.diff(np.r_[lo.starts, len(lo.act)])[var]
        offsets = np.r_[0, np.cumsum(lengths)]
        rows = np.repeat(lo.starts[var] - offsets[:-1], lengths) + np.arange(offsets[-1])
        variant_of_case = np.searchsorted(var, case_var)
        return cls(case_var, variant_of_case, var.astype(np.int64), np.bincount(variant_of_case, minlength=len(var)),
                   lo.act[rows].astype(np.int64), offsets.astype(np.int64))

    def sequences(self) -> list[list[int]]:
        codes = self.flat.tolist()
        bounds = self.offsets.tolist()
        return [codes[i:j] for i, j in itertools.pairwise(bounds)]

    def element_variant(self) -> np.ndarray:
        """The variant index of every element of ``flat``."""
        return np.repeat(np.arange(len(self.var)), np.diff(self.offsets))

    def cases_with(self, variant: np.ndarray, keys: np.ndarray, n: int) -> np.ndarray:
        """Per key 0..n-1: the cases whose variant has at least one of the (variant, key) pairs given."""
        pairs = _distinct(variant.astype(np.int64) * n + keys)
        return np.bincount(pairs % n, weights=self.counts[pairs // n], minlength=n).astype(np.int64)

    def edge_cases(self, n_act: int) -> np.ndarray:
        """Per edge code ``source * n_act + target``: the cases that take the edge at least once."""
        vid = self.element_variant()
        same = vid[1:] == vid[:-1]
        keys = self.flat[:-1][same] * n_act + self.flat[1:][same]
        return self.cases_with(vid[:-1][same], keys, n_act * n_act)

    def back_jump_cases(self, n_act: int) -> np.ndarray:
        """Per activity code: the cases that come back to it from another touchpoint (a repeat visit whose
        previous event is elsewhere)."""
        vid = self.element_variant()
        key = vid * n_act + self.flat
        order = np.argsort(key, kind="stable")
        repeat = np.empty(len(key), dtype=bool)
        repeat[order] = np.r_[False, key[order][1:] == key[order][:-1]]  # not the first visit in its variant
        prev_other = np.r_[False, (vid[1:] == vid[:-1]) & (self.flat[1:] != self.flat[:-1])]
        hit = repeat & prev_other
        return self.cases_with(vid[hit], self.flat[hit], n_act)


@dataclass(eq=False)
class Events:
    """A log prepared for journey measures (internal).

    ``table`` is the enriched event table and ``traces`` the traces table (Ibis tables on DuckDB, see
    :mod:`._engine`); ``case_ids`` and ``activities`` decode the integer ``case`` and ``act`` codes (case codes
    follow the order in which cases first appear in the log).
    """

    log: pd.DataFrame
    case_key: str
    activity_key: str
    timestamp_key: str
    case_ids: np.ndarray
    activities: np.ndarray
    n_events: int
    table: object
    traces: object
    attributes: dict = field(default_factory=dict)
    dropped: dict = field(default_factory=dict)
    window_days: float = 7.0
    engine: str = "duckdb"
    load_report: object = None
    local: object = None  # the case-ordered arrays of a pandas log (_local.CaseOrdered); None on Spark
    _cache: dict = field(default_factory=dict)
    _tables: list = field(default_factory=list)

    def __post_init__(self):
        weakref.finalize(self, _engine.drop_tables, self._tables)

    @property
    def n_cases(self) -> int:
        return len(self.case_ids)

    @property
    def columns(self) -> list:
        """The log's column names."""
        return list(self.log.columns)

    def close(self) -> None:
        """Release the engine's tables now (they are released anyway when the prepared log is garbage-collected)."""
        _engine.drop_tables(self._tables)

    @property
    def n_activities(self) -> int:
        return len(self.activities)

    def moves(self):
        """The events that have a next event in their case (one row per directly-follows transition)."""
        t = self.table
        return t.filter(t.next_act.notnull())

    def firsts(self):
        """Ibis: the first visit of each touchpoint in each case (one row per distinct (case, activity) pair)."""
        t = self.table
        return t.filter(t.visit == 0)

    def case_table(self):
        """Ibis: one row per case (an expression; :meth:`cases` holds its result): ``events``, ``first_pos``,
        ``start``/``end`` (ns), ``first_act``, ``last_act``, ``throughput_h``, ``touchpoints`` (distinct),
        ``reworked_touchpoints``, ``self_loops``; for every attribute ``a{k}`` carried in the enriched table,
        ``handoffs_a{k}`` and ``pingpongs_a{k}``."""
        if "case_table" not in self._cache:
            t = self.table
            per_case = t.group_by("case").aggregate(
                events=t.count(),
                first_pos=t.pos.min(where=t.idx == 0),
                start=t.ts.min(),
                end=t.ts.max(),
                first_act=t.act.min(where=t.idx == 0),
                last_act=t.act.min(where=t.next_act.isnull()),
                touchpoints=(t.visit == 0).sum(),
                reworked_touchpoints=(t.visit == 1).sum(),
                self_loops=(t.prev_act == t.act).fill_null(False).sum(),
                **self._repeat_sums(lambda within: {"repeat_contacts_w": within.sum()}),
                **self._attribute_sums(lambda k, flags: {f"handoffs_a{k}": flags[2].sum(),
                                                         f"pingpongs_a{k}": flags[3].sum()}),
            )
            self._cache["case_table"] = per_case.mutate(throughput_h=wait_h(per_case.end, per_case.start))
        return self._cache["case_table"]

    def cases(self) -> pd.DataFrame:
        """One row per case code (0..n_cases-1), pandas, cached: ``events``, ``first_pos``, ``start``/``end``
        (ns), ``first_act``, ``last_act``, ``throughput_h``, ``repeat_events`` (visits of a touchpoint
        after the first), ``reworked_touchpoints``, ``self_loops``, ``back_jumps`` (repeat visits not coming
        directly from the same touchpoint: ``repeat_events - self_loops``)."""
        if "cases" not in self._cache:
            if self.local is not None:
                df = _local.case_rows(self.local, self.window_days)
            else:
                df = self.case_table().order_by("case").pipe(to_pandas).set_index("case")
            df["repeat_events"] = (df["events"] - df["touchpoints"]).astype(np.int64)
            df["reworked_touchpoints"] = df["reworked_touchpoints"].astype(np.int64)
            df["self_loops"] = df["self_loops"].astype(np.int64)
            df["back_jumps"] = df["repeat_events"] - df["self_loops"]
            self._cache["cases"] = df
        return self._cache["cases"]

    def act_stats(self) -> pd.DataFrame:
        """One row per activity code (0..n_activities-1), pandas, cached: ``events``, ``cases`` (cases visiting
        it), ``starts``, ``ends``, ``rework_cases`` (cases visiting it twice or more), ``repeat_events`` (visits
        after the first in a case), ``self_loops``, ``back_jumps`` (a repeat visit coming from another
        activity), ``back_jump_cases``, ``median_wait_before_h``, ``median_wait_after_h``, ``arrivals`` (events
        after a case's first); for every attribute ``a{k}`` carried in the enriched table, ``known_a{k}`` and
        ``changed_a{k}`` (see :func:`handoff_flags`)."""
        if "act_stats" not in self._cache and self.local is not None:
            self._cache["act_stats"] = self._act_finish(_local.act_rows(self.local, self.n_activities,
                                                                         self.window_days))
        if "act_stats" not in self._cache:
            t = self.table
            expr = t.group_by("act").aggregate(
                events=t.count(),
                starts=(t.idx == 0).sum(),
                ends=t.next_act.isnull().sum(),
                median_wait_before_h=wait_h(t.ts, t.prev_ts).median(),
                median_wait_after_h=wait_h(t.next_ts, t.ts).median(),
                cases=(t.visit == 0).sum(),
                rework_cases=(t.visit == 1).sum(),
                repeat_events=(t.visit > 0).sum(),
                self_loops=(t.prev_act == t.act).fill_null(False).sum(),
                arrivals=(t.idx > 0).sum(),
                **self._repeat_sums(lambda within: {
                    "repeat_contacts_w": within.sum(), "repeat_cases_w": t.case.nunique(where=within),
                    # (median(where=...) would not compile on Spark: the filter goes into the value)
                    "median_gap_h_w": ibis.ifelse(within, t.gap_ns.cast("float64") / NS_PER_HOUR,
                                                  ibis.null("float64")).median()}),
                **self._attribute_sums(lambda k, flags: {f"known_a{k}": flags[1].sum(),
                                                         f"changed_a{k}": flags[2].sum()}),
            )
            df = expr.pipe(to_pandas).set_index("act").reindex(range(self.n_activities))
            for col in df.columns:
                if not col.startswith("median"):
                    df[col] = df[col].fillna(0).astype(np.int64)
            self._cache["act_stats"] = self._act_finish(df)
        return self._cache["act_stats"]

    def _act_finish(self, df: pd.DataFrame) -> pd.DataFrame:
        """The per-touchpoint table's last columns, the same whichever way the rest was computed."""
        df["back_jumps"] = df["repeat_events"] - df["self_loops"]
        # cases with a back-jump to the touchpoint: a property of each case's journey, so counted over the
        # variants (weighted by their cases) instead of a distinct count over the events
        df["back_jump_cases"] = self.variant_data().back_jump_cases(self.n_activities)
        return df

    def _repeat_sums(self, make) -> dict:
        """Aggregations over the revisits within ``window_days`` of the previous visit (repeated contacts, see
        :func:`cxlib.journeys.repeat_contacts`), so the per-case and per-touchpoint tables hold them for the
        window the analysis asked for (columns ending in ``_w``) without another query."""
        t = self.table
        return make((t.visit > 0) & (t.gap_ns <= int(self.window_days * 24 * NS_PER_HOUR)))

    def variant_data(self) -> VariantData:
        """Which journey each case follows, with the variants' activity codes (cached; one query: the traces with
        the smallest case code of each distinct sequence, the sequence itself only on that case's row)."""
        if "variant_data" not in self._cache and self.local is not None:
            self._cache["variant_data"] = VariantData.from_case_var(self.local, *_local.variant_arrays(self.local))
        if "variant_data" not in self._cache:
            tr = self.traces
            v = tr.mutate(var=tr.case.min().over(ibis.window(group_by=tr.seq)))
            expr = v.select("case", "var", seq=ibis.ifelse(v.case == v.var, v.seq, ibis.null(v.seq.type())))
            self._cache["variant_data"] = VariantData.from_arrow(_engine.to_arrow(expr), self.n_cases)
        return self._cache["variant_data"]

    def _attribute_sums(self, make) -> dict:
        """Aggregations over the hand-off flags (see :func:`handoff_flags`) of every attribute carried in the
        enriched table, so the per-case and per-touchpoint tables hold them without another query."""
        t = self.table
        out = {}
        for k, _ in self.attributes.values():
            out.update(make(k, handoff_flags(t.idx, t[f"a{k}"], t[f"prev_a{k}"], t[f"prev2_a{k}"])))
        return out

    def revisits(self):
        """Ibis: events revisiting a touchpoint of their case, with ``gap_ns`` since the previous visit."""
        t = self.table
        return t.filter(t.visit > 0)

    def _column(self, column: str) -> pd.Series:
        if column not in self.log.columns:
            raise CxInputError(
                f"column {column!r} not found; the log has: {', '.join(map(str, self.log.columns))}",
                column=column,
            )
        return self.log[column]

    def attribute(self, column: str):
        """Events with ``column`` as integer codes ``v`` (null = missing), ``prev_v``, ``prev2_v`` (Ibis table)
        and the distinct values (``uniques[v]``)."""
        key = f"attr_{column}"
        if key not in self._cache:
            if column in self.attributes:
                k, uniques = self.attributes[column]
                t = self.table
                table = t.select("pos", "case", "idx", "act", "ts", v=t[f"a{k}"], prev_v=t[f"prev_a{k}"],
                                 prev2_v=t[f"prev2_a{k}"])
            else:
                codes, uniques = _codes(self._column(column))
                values = pd.DataFrame({"pos": np.arange(len(codes), dtype=np.int64), "v": codes})
                table, names = _engine.attribute_table(self.table, values)
                self._tables.extend(names)
            self._cache[key] = (table, uniques)
        return self._cache[key]

    def case_values(self, column: str) -> pd.Series:
        """The first value of ``column`` in each case (case attributes are constant; event attributes are not)."""
        values = self._column(column).iloc[self.cases()["first_pos"].to_numpy()].to_numpy()
        return pd.Series(values, index=pd.Index(self.case_ids, name=self.case_key), name=column)

    def activity_names(self, codes) -> np.ndarray:
        """Activity codes (array-like) to names."""
        return self.activities[np.asarray(codes, dtype=np.int64)]


def _codes(values: pd.Series, rows: np.ndarray | None = None) -> tuple[pd.arrays.IntegerArray, np.ndarray]:
    """A column as nullable Int32 codes (missing = null) and its distinct values."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if rows is not None:
        codes = codes[rows]
    missing = codes < 0
    array = pd.arrays.IntegerArray(np.where(missing, 0, codes).astype(np.int32), missing)
    return array, np.asarray(uniques, dtype=object)


@share_docs
def prepare_log(log, *, engine=None, attributes=(RESOURCE,), window_days: float = 7.0, case_key: str = CASE,
                activity_key: str = ACTIVITY, timestamp_key: str = TIMESTAMP) -> Events:
    """Prepare a log once for many journey analyses, on DuckDB (embedded) or on Spark.

    Every journey function accepts the prepared log in place of the DataFrame and reuses it: the log is checked,
    encoded and put in time order once. On Spark this is where the log is read (a Parquet dataset written by
    :func:`convert_log`, a Spark table or an Ibis table on Spark) and kept in the cluster's memory until the
    prepared log is closed or garbage-collected.

    Parameters
    ----------
    log : pandas.DataFrame, str, Path or Ibis table
        A log as :func:`cxlib.read_log` returns it; on Spark also a Parquet file or folder, or a Spark table name.
    engine : {None, "duckdb", "spark"} or Ibis backend, optional
        As in :func:`analyze_journeys`.
    attributes : list of str, default ["org:resource"]
        Event columns carried with their previous values (hand-offs, escalations read them without another
        pass); columns missing from the log are left out.
    window_days : float, default 7
        The repeated-contact window the per-case and per-touchpoint tables carry.
    {log_keys}

    Returns
    -------
    prepared log
        ``n_events``, ``n_cases``, ``n_activities``, ``columns``, ``dropped`` (rows left out, by reason),
        ``engine`` (``"duckdb"`` or ``"spark"``), ``load_report`` (a converted dataset's load report, else
        None) and ``close()`` (releases the engine's tables now).

    {example_helpdesk}
    >>> prepared = cj.prepare_log(log)
    >>> prepared.engine, prepared.n_cases, cj.variants(prepared).cases_total
    ('duckdb', 4580, 4580)
    """
    return prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key,
                   attributes=list(attributes), engine=engine, window_days=window_days)


def _wants_spark(log, engine) -> bool:
    """True when the log or the engine asks for Spark: ``engine="spark"``, an Ibis backend on Spark, or an Ibis
    table on Spark as the log."""
    if engine == "spark":
        return True
    if getattr(engine, "name", None) == "pyspark":
        return True
    if isinstance(engine, str) or engine is None:
        if isinstance(log, ibis.expr.types.Table):
            backends, _ = log._find_backends()
            return any(getattr(b, "name", None) == "pyspark" for b in backends)
        return False
    raise CxInputError(f"engine must be 'duckdb', 'spark' or an Ibis backend on Spark, got {type(engine).__name__}")


def _require(log: pd.DataFrame, columns: list[str]) -> None:
    if not isinstance(log, pd.DataFrame):
        where = (" (a Parquet file, folder or Spark table runs on Spark: pass engine='spark')"
                 if isinstance(log, (str, Path)) else "")
        raise CxInputError(f"expected an event log as a pandas DataFrame, got {type(log).__name__}{where}")
    for col in columns:
        if col not in log.columns:
            raise CxInputError(
                f"column {col!r} not found; the log has: {', '.join(map(str, log.columns))}. "
                "Pass the right name with case_key=, activity_key= or timestamp_key=.",
                column=col,
            )


def _timestamps_ns(log: pd.DataFrame, key: str) -> np.ndarray:
    col = log[key]
    if not isinstance(col.dtype, pd.DatetimeTZDtype) and not pd.api.types.is_datetime64_dtype(col):
        try:
            col = pd.to_datetime(col, utc=True, format="mixed")
        except (ValueError, TypeError) as exc:
            raise CxInputError(
                f"column {key!r} holds values that are not timestamps ({exc})",
                column=key,
            ) from None
    if isinstance(col.dtype, pd.DatetimeTZDtype):
        col = col.dt.tz_convert("UTC")
    values = col.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT"))
    return values.view(np.int64)


#: From this many events the columns of a log are encoded side by side, one thread per column (the hashing of
#: text, most of the encoding's time, releases the interpreter lock); below it threads cost more than they give.
THREADED_EVENTS = 200_000


def _run_all(jobs: list, n_events: int) -> list:
    """The results of ``jobs`` (functions without arguments), in order: side by side in threads on a large log
    when the process may use more than one core, else one after the other."""
    workers = min(len(jobs), _engine.cores())
    if n_events < THREADED_EVENTS or workers < 2:
        return [job() for job in jobs]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="cx-encode") as pool:
        return list(pool.map(lambda job: job(), jobs))


def prepare(log: pd.DataFrame, *, case_key: str = CASE, activity_key: str = ACTIVITY,
            timestamp_key: str = TIMESTAMP, attributes=(), engine=None, window_days: float = 7.0) -> Events:
    """Encode cases and activities as integers and build the enriched event table (internal).

    ``attributes``: event columns (resource, group) to carry in the enriched table with their previous values
    (columns missing from the log are left out). ``engine``: ``None`` or ``"duckdb"`` (the embedded engine; a
    pandas log), ``"spark"`` or an Ibis backend on Spark (see :mod:`._spark`); an Ibis table on Spark as the log
    runs there whatever ``engine`` says. ``window_days``: the repeated-contact window that the per-case and
    per-touchpoint tables carry (other windows take one more query).
    """
    if isinstance(log, Events):
        return log
    if _wants_spark(log, engine):
        from ._spark import prepare_spark  # the Spark side imports this module

        backend = None if engine is None or isinstance(engine, str) else engine
        ev = prepare_spark(log, backend=backend, case_key=case_key, activity_key=activity_key,
                           timestamp_key=timestamp_key, attributes=attributes)
        ev.window_days = float(window_days)
        return ev
    if engine not in (None, "duckdb"):
        raise CxInputError(f"engine must be 'duckdb', 'spark' or an Ibis backend on Spark, got {engine!r}")
    _require(log, [case_key, activity_key, timestamp_key])
    ts = _timestamps_ns(log, timestamp_key)
    bad_case = log[case_key].isna().to_numpy()
    bad_act = log[activity_key].isna().to_numpy()
    nat = ts == np.iinfo(np.int64).min
    dropped = {
        f"missing {case_key}": int(bad_case.sum()),
        f"missing {activity_key}": int((bad_act & ~bad_case).sum()),
        f"missing {timestamp_key}": int((nat & ~bad_case & ~bad_act).sum()),
    }
    keep = ~(bad_case | bad_act | nat)
    rows = np.flatnonzero(keep)
    if len(rows) == 0:
        raise CxInputError(
            f"the log has no usable events ({len(log)} rows; dropped: "
            + ", ".join(f"{k}: {v}" for k, v in dropped.items()) + ")"
        )
    all_kept = len(rows) == len(log)
    case_col = log[case_key] if all_kept else log[case_key].iloc[rows]
    act_col = log[activity_key] if all_kept else log[activity_key].iloc[rows]
    carried = list(dict.fromkeys(a for a in attributes if a is not None and a in log.columns))
    jobs = [lambda: pd.factorize(case_col), lambda: pd.factorize(act_col),
            *[lambda c=c: _codes(log[c], None if all_kept else rows) for c in carried]]
    (case_codes, case_ids), (act_codes, activities), *attribute_codes = _run_all(jobs, len(rows))
    attrs, attr_codes = {}, []
    for column, (codes, uniques) in zip(carried, attribute_codes):
        attrs[column] = (len(attr_codes), uniques)
        attr_codes.append(_engine.masked_array(codes.to_numpy(dtype=np.int32, na_value=0), ~codes.isna()))
    table, traces, names, local = _engine.events_table(case_codes.astype(np.int32), act_codes.astype(np.int32),
                                                       ts if all_kept else ts[rows], rows.astype(np.int64),
                                                       attr_codes)
    return Events(
        log=log,
        case_key=case_key,
        activity_key=activity_key,
        timestamp_key=timestamp_key,
        case_ids=np.asarray(case_ids),
        activities=np.asarray(activities).astype(object),
        n_events=len(rows),
        table=table,
        traces=traces,
        attributes=attrs,
        dropped={k: v for k, v in dropped.items() if v},
        window_days=float(window_days),
        local=local,
        _tables=names,
    )


def handoff_flags(idx, v, prev_v, prev2_v):
    """Ibis flags over an event attribute ``v`` (a resource or group) with its values one and two events earlier
    in the case: arrivals (events after a case's first), arrivals whose value is known on both sides, hand-offs
    (the value changed) and ping-pong (A -> B -> A over three consecutive events)."""
    arrival = idx > 0
    known = arrival & v.notnull() & prev_v.notnull()
    change = known & (v != prev_v)
    pingpong = change & prev2_v.notnull() & (prev_v != prev2_v) & (v == prev2_v)
    return arrival, known, change, pingpong


def wait_h(later, earlier):
    """Ibis: hours between two int64 nanosecond columns."""
    return (later - earlier).cast("float64") / NS_PER_HOUR


def hours(ns) -> np.ndarray:
    """Nanoseconds to hours as floats."""
    return np.asarray(ns, dtype=np.float64) / NS_PER_HOUR


def per_code(df: pd.DataFrame, key: str, column: str, n: int, fill=0, dtype=None) -> np.ndarray:
    """A column of a small result keyed by integer codes, as an array indexed 0..n-1 (``fill`` where absent or
    null)."""
    out = np.full(n, fill, dtype=dtype if dtype is not None else (np.float64 if isinstance(fill, float) else np.int64))
    if len(df):
        values = df[column].to_numpy()
        known = ~pd.isna(values)
        out[df[key].to_numpy(dtype=np.int64)[known]] = values[known]
    return out
