"""The touchpoint table (one row per touchpoint, with a priority rank) and the full analysis in one call.

Engine: the inputs of the touchpoint table are per-touchpoint Ibis aggregations on DuckDB, cached on the prepared
log and shared with the other tables; the priority (percentile ranks across touchpoints) is computed in pandas
on that one-row-per-touchpoint table. :func:`analyze_journeys` prepares the log once, carrying the resource and
escalation columns in the enriched event table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._docstrings import share_docs
from ._events import ACTIVITY, CASE, RESOURCE, TIMESTAMP, per_code, prepare, stamp
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
from ._segments import segments
from ._variants import variants

PRIORITY_MEASURES = ["dropoff_rate", "median_wait_before_h", "rework_rate", "handoff_rate", "escalation_rate"]


@share_docs
def touchpoints(log: pd.DataFrame, *, success_ends=None, infer_min_share: float = 0.2,
                resource_key: str | None = RESOURCE, escalation_column: str | None = None,
                escalation_pattern: str = r"2nd|3rd", window_days: float = 7.0, case_key: str = CASE,
                activity_key: str = ACTIVITY, timestamp_key: str = TIMESTAMP) -> pd.DataFrame:
    """One row per touchpoint with its key measures and a priority rank.

    **Priority.** ``severity`` is the mean, over the problem measures available (``dropoff_rate``,
    ``median_wait_before_h``, ``rework_rate``, ``handoff_rate``, ``escalation_rate``), of the touchpoint's
    percentile rank among all touchpoints (0 = best, 1 = worst; ties share the average rank).
    ``priority_score = case_share * severity``: a touchpoint matters when many customers pass it *and* it
    does badly. ``priority_rank`` 1 is the highest score.

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
    {log_keys}

    Returns
    -------
    pandas.DataFrame
        One row per touchpoint, by ``priority_rank``:

        - ``priority_rank``, ``touchpoint``, ``events``, ``cases``, ``case_share`` (of all cases).
        - ``dropoff_rate``: of the cases that reached it, the share ending there unsuccessfully.
        - ``median_wait_before_h``, ``median_wait_after_h``: median wait into and out of it (hours).
        - ``rework_rate``: share of its cases that visit it more than once.
        - ``repeat_rate``: share of its cases with a repeat visit within ``window_days``.
        - ``handoff_rate``: share of arrivals at it where the resource changed (known resources only).
        - ``escalation_rate``: share of its events at which the case escalated.
        - ``severity``, ``priority_score``: see above.

    Examples
    --------
    {example_helpdesk}
    >>> tp = cj.touchpoints(log)
    >>> tp["priority_rank"].tolist() == list(range(1, len(tp) + 1))
    True
    """
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    n = ev.n_activities
    is_success, names, note = _success_codes(ev, success_ends, infer_min_share)
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
    out["severity"] = out[used].rank(pct=True).mean(axis=1)
    out["priority_score"] = out["case_share"] * out["severity"]
    out = out.sort_values(["priority_score", "touchpoint"], ascending=[False, True]).reset_index(drop=True)
    out.insert(0, "priority_rank", np.arange(1, len(out) + 1))
    return stamp(out, ev, success_ends=names, success_note=note, priority_measures=used)


@share_docs
def analyze_journeys(log: pd.DataFrame, *, success_ends=None, infer_min_share: float = 0.2,
                     resource_key: str | None = RESOURCE, segment_by: str | None = None,
                     escalation_column: str | None = None, escalation_pattern: str = r"2nd|3rd",
                     window_days: float = 7.0, reference=None, case_key: str = CASE,
                     activity_key: str = ACTIVITY, timestamp_key: str = TIMESTAMP) -> dict[str, pd.DataFrame]:
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
    {log_keys}

    Returns
    -------
    dict of str to pandas.DataFrame
        ``process_map`` (:func:`process_map`), ``start_end`` (:func:`start_end_touchpoints`), ``variants``,
        ``dropoffs``, ``branches``, ``loops``, ``case_loops``, ``throughput``, ``repeat_contacts``,
        ``handoffs`` (when a resource column exists), ``escalations`` (when asked), ``segments`` (when asked),
        ``touchpoints``; each documented at its function.

    Examples
    --------
    {example_helpdesk}
    >>> sorted(cj.analyze_journeys(log, segment_by="service_level"))[:3]
    ['branches', 'case_loops', 'dropoffs']
    """
    has_resource = resource_key is not None and resource_key in log.columns
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key,
                 attributes=[resource_key if has_resource else None, escalation_column])
    common = {"success_ends": success_ends, "infer_min_share": infer_min_share}
    out = {
        "process_map": process_map(ev),
        "start_end": start_end_touchpoints(ev),
        "variants": variants(ev),
        "dropoffs": dropoffs(ev, **common),
        "branches": branches(ev),
        "loops": loops(ev, reference=reference),
        "case_loops": case_loops(ev, reference=reference),
        "throughput": throughput(ev),
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
                                     window_days=window_days, **common)
    return out

