"""The touchpoint table (one row per touchpoint, with a priority rank) and the full analysis in one call.

Engine: the inputs of the touchpoint table are per-touchpoint Ibis aggregations on DuckDB, cached on the prepared
log and shared with the other tables; the priority (percentile ranks across touchpoints) is computed in pandas
on that one-row-per-touchpoint table. :func:`analyze_journeys` prepares the log once, carrying the resource and
escalation columns in the enriched event table.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from .._docstrings import share_docs
from ..display import Result, say, show
from ._calendar import calendar_of, working_act_waits, working_note
from ._events import ACTIVITY, CASE, RESOURCE, TIMESTAMP, per_code, prepare
from ._flow import _success_codes, branches, case_loops, dropoffs, loops
from ._hidden import (
    _escalation_by_act,
    _handoff_by_act,
    _repeat_by_act,
    escalations,
    handoffs,
    repeat_contacts,
    throughput,
)
from ._map import process_map, start_end_touchpoints
from ._results import dropped_parts
from ._segments import segments
from ._variants import variants

PRIORITY_MEASURES = ["dropoff_rate", "median_wait_before_h", "rework_rate", "handoff_rate", "escalation_rate"]


@share_docs
@dataclasses.dataclass
class Touchpoints(Result):
    """The touchpoint table with its priority rank, and what entered the rank.

    Returned by :func:`touchpoints`. ``show()`` renders the measures in the priority and the table.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per touchpoint, by ``priority_rank``; the columns are listed in :func:`touchpoints`.
    success_ends : list of str
        The successful end touchpoints used for ``dropoff_rate`` (given or inferred).
    success_note : str
        How they were chosen (see :func:`dropoffs`).
    priority_measures : list of str
        The problem measures that entered ``severity`` (those with at least one value).
    {dropped_rows}
    working_note : str
        The working-hours calendar of the ``median_working_*`` columns and its closed days (empty without one).

    {example_helpdesk}
    >>> tp = cj.touchpoints(log)
    >>> tp.priority_measures
    ['dropoff_rate', 'median_wait_before_h', 'rework_rate', 'handoff_rate']
    """

    table: pd.DataFrame
    success_ends: list
    success_note: str
    priority_measures: list
    dropped_rows: dict = dataclasses.field(default_factory=dict)
    working_note: str = ""

    def parts(self) -> list:
        """The measures in the priority and the touchpoints by priority."""
        return [say("Measures in the priority: {m}.", m=", ".join(self.priority_measures)),
                *([say("{w}", w=self.working_note)] if self.working_note else []),
                show(self.table, caption="Touchpoints by priority"),
                *dropped_parts(self.dropped_rows)]


@share_docs
def touchpoints(log: pd.DataFrame, *, success_ends=None, infer_min_share: float = 0.2,
                resource_key: str | None = RESOURCE, escalation_column: str | None = None,
                escalation_pattern: str = r"2nd|3rd", window_days: float = 7.0, calendar=None,
                case_key: str = CASE, activity_key: str = ACTIVITY, timestamp_key: str = TIMESTAMP) -> Touchpoints:
    """One row per touchpoint with its key measures and a priority rank.

    **Priority.** ``severity`` is the mean, over the problem measures available (``dropoff_rate``,
    ``median_wait_before_h``, ``rework_rate``, ``handoff_rate``, ``escalation_rate``), of the touchpoint's
    percentile rank among the ranked touchpoints (0 = best, 1 = worst; ties share the average rank).
    ``priority_score = case_share * severity``: a touchpoint matters when many customers pass it *and* it
    does badly. ``priority_rank`` 1 is the highest score. Successful end touchpoints (``success_ends``) are
    where the customer is done, not a problem: they are not ranked (empty ``priority_rank``, ``severity`` and
    ``priority_score``) and come last.

    Parameters
    ----------
    {log}
    {success_ends}
    resource_key : str or None, default "org:resource"
        Column for hand-offs; ``None`` or a missing column leaves ``handoff_rate`` empty.
    escalation_column : str, optional
        Column for escalations; leaves ``escalation_rate`` empty when not given.
    {escalation_pattern}
    {window_days}
    {calendar}
    {log_keys}

    Returns
    -------
    Touchpoints
        ``table``: one row per touchpoint, by ``priority_rank``:

        - ``priority_rank``, ``touchpoint``, ``events``, ``cases``, ``case_share`` (of all cases).
        - ``dropoff_rate``: of the cases that reached it, the share ending there unsuccessfully.
        - ``median_wait_before_h``, ``median_wait_after_h``: median wait into and out of it (hours); with a
          ``calendar`` also ``median_working_wait_before_h`` and ``median_working_wait_after_h`` (working
          hours; the priority keeps the wait in calendar time).
        - ``rework_rate``: share of its cases that visit it more than once.
        - ``repeat_rate``: share of its cases with a repeat visit within ``window_days``.
        - ``handoff_rate``: share of arrivals at it where the resource changed (known resources only).
        - ``escalation_rate``: share of its events at which the case escalated.
        - ``severity``, ``priority_score``: see above.

        ``success_ends`` and ``success_note`` (the successful ends used for ``dropoff_rate``),
        ``priority_measures`` (the measures in ``severity``) and ``dropped_rows``: see :class:`Touchpoints`.

    {example_helpdesk}
    >>> tp = cj.touchpoints(log)
    >>> tp.table["priority_rank"].tolist()[:3], tp.table.loc[tp.table["touchpoint"] == "Closed", "priority_rank"].item()
    ([1, 2, 3], <NA>)
    """
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    n = ev.n_activities
    is_success, names, note = _success_codes(ev, success_ends, infer_min_share)
    cal = calendar_of(calendar)
    acts = ev.act_stats()
    cases = acts["cases"].to_numpy()
    ended = acts["ends"].to_numpy()
    repeat_cases = per_code(_repeat_by_act(ev, window_days), "act", "repeat_cases", n)
    out = pd.DataFrame({
        "touchpoint": ev.activities,
        "events": acts["events"].to_numpy(),
        "cases": cases,
        "case_share": cases / ev.n_cases,
        "dropoff_rate": np.where(is_success, 0.0, ended / np.maximum(cases, 1)),
        "median_wait_before_h": acts["median_wait_before_h"].to_numpy(dtype=np.float64),
        "median_wait_after_h": acts["median_wait_after_h"].to_numpy(dtype=np.float64),
        **({} if cal is None else {k: v.to_numpy() for k, v in working_act_waits(ev, cal).items()}),
        "rework_rate": acts["rework_cases"].to_numpy() / np.maximum(cases, 1),
        "repeat_rate": repeat_cases / np.maximum(cases, 1),
        "handoff_rate": np.nan,
        "escalation_rate": np.nan,
    })
    if resource_key is not None and resource_key in ev.log.columns:
        by_act = _handoff_by_act(ev, resource_key)
        known = per_code(by_act, "act", "known", n)
        changed = per_code(by_act, "act", "changed", n)
        out["handoff_rate"] = np.where(known > 0, changed / np.maximum(known, 1), np.nan)
    if escalation_column:
        esc = per_code(_escalation_by_act(ev, escalation_column, escalation_pattern), "act", "escalations", n)
        out["escalation_rate"] = esc / np.maximum(out["events"], 1)
    used = [m for m in PRIORITY_MEASURES if out[m].notna().any()]
    ranked = ~is_success  # a successful end is where the customer is done: never a priority
    out["severity"] = out.loc[ranked, used].rank(pct=True).mean(axis=1).reindex(out.index)
    out["priority_score"] = out["case_share"] * out["severity"]
    out = out.sort_values(["priority_score", "touchpoint"], ascending=[False, True],
                          na_position="last").reset_index(drop=True)
    rank = pd.Series(pd.NA, index=out.index, dtype="Int64")
    rank[out["priority_score"].notna()] = np.arange(1, int(out["priority_score"].notna().sum()) + 1)
    out.insert(0, "priority_rank", rank)
    return Touchpoints(out, names, note, used, dropped_rows=dict(ev.dropped),
                       working_note="" if cal is None else working_note(ev, cal))


@share_docs
def analyze_journeys(log: pd.DataFrame, *, success_ends=None, infer_min_share: float = 0.2,
                     resource_key: str | None = RESOURCE, segment_by: str | None = None,
                     escalation_column: str | None = None, escalation_pattern: str = r"2nd|3rd",
                     window_days: float = 7.0, reference=None, calendar=None, engine=None, case_key: str = CASE,
                     activity_key: str = ACTIVITY, timestamp_key: str = TIMESTAMP) -> dict[str, Result | pd.DataFrame]:
    """The full journey analysis in one pass: the log is sorted and encoded once, every table reuses it.

    Parameters
    ----------
    {log}
    {success_ends}
    resource_key : str or None, default "org:resource"
        Column for hand-offs (skipped when ``None`` or missing).
    segment_by : str, optional
        Case attribute for :func:`segments` (skipped when not given).
    escalation_column : str, optional
        Column for escalations (see :func:`escalations`); skipped when not given.
    {escalation_pattern}
    {window_days}
    reference : list of str, optional
        Reference path for skips (see :func:`loops`).
    {calendar}
        Passed to :func:`process_map`, :func:`throughput` and :func:`touchpoints`.
    engine : {None, "duckdb", "spark"} or Ibis backend, optional
        Where the analysis runs: DuckDB, embedded (default; ``log`` is a DataFrame), or Apache Spark
        (``"spark"``: a local session, or Spark Connect at ``$CX_SPARK_REMOTE``; or a backend from
        :func:`spark_connect`). On Spark ``log`` may also be a Parquet file or folder (see :func:`convert_log`)
        or a Spark table name, read where it lives; an Ibis table on Spark runs there without ``engine``. The
        tables are equal to DuckDB's (see docs/journeys.md).
    {log_keys}

    Returns
    -------
    dict of str to Result or pandas.DataFrame
        Each function's result under its name: ``process_map`` (:class:`ProcessMap`), ``start_end`` (the table
        of :func:`start_end_touchpoints`), ``variants`` (:class:`Variants`), ``dropoffs`` (:class:`DropOffs`),
        ``branches`` (table), ``loops`` (:class:`Loops`), ``case_loops``, ``throughput``, ``repeat_contacts``
        (tables), ``handoffs`` (:class:`Handoffs`, when a resource column exists), ``escalations``
        (:class:`Escalations`, when asked), ``segments`` (:class:`Segments`, when asked), ``touchpoints``
        (:class:`Touchpoints`); each documented at its function.

    {example_helpdesk}
    >>> res = cj.analyze_journeys(log, segment_by="service_level")
    >>> sorted(res)[:3], type(res["segments"]).__name__
    (['branches', 'case_loops', 'dropoffs'], 'Segments')
    """
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key,
                 attributes=[resource_key, escalation_column], engine=engine)
    has_resource = resource_key is not None and resource_key in ev.columns
    common = {"success_ends": success_ends, "infer_min_share": infer_min_share}
    out = {
        "process_map": process_map(ev, calendar=calendar),
        "start_end": start_end_touchpoints(ev),
        "variants": variants(ev),
        "dropoffs": dropoffs(ev, **common),
        "branches": branches(ev),
        "loops": loops(ev, reference=reference),
        "case_loops": case_loops(ev, reference=reference),
        "throughput": throughput(ev, calendar=calendar),
        "repeat_contacts": repeat_contacts(ev, window_days=window_days),
    }
    if has_resource:
        out["handoffs"] = handoffs(ev, resource_key=resource_key)
    if escalation_column:
        out["escalations"] = escalations(ev, column=escalation_column, pattern=escalation_pattern)
    if segment_by:
        out["segments"] = segments(ev, by=segment_by, resource_key=resource_key if has_resource else None,
                                   escalation_column=escalation_column, escalation_pattern=escalation_pattern,
                                   window_days=window_days, **common)
    out["touchpoints"] = touchpoints(ev, resource_key=resource_key if has_resource else None,
                                     escalation_column=escalation_column, escalation_pattern=escalation_pattern,
                                     window_days=window_days, calendar=calendar, **common)
    if ev is not log:
        ev.close()  # the engine's tables (on Spark: temporary views and persisted data) are not needed any more
    return out

