"""Hidden touchpoints: waits between touchpoints, throughput, repeated contacts, hand-offs, escalations."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .._errors import CxInputError
from ._events import ACTIVITY, CASE, NS_PER_HOUR, RESOURCE, TIMESTAMP, Events, distinct, hours, prepare, stamp


def waiting_times(log: pd.DataFrame, *, case_key: str = CASE, activity_key: str = ACTIVITY,
                  timestamp_key: str = TIMESTAMP) -> pd.DataFrame:
    """Every wait between two consecutive touchpoints of a case (the raw distribution per transition).

    Parameters
    ----------
    log : pandas.DataFrame
        Event log as :func:`cxlib.read_log` returns it.
    case_key, activity_key, timestamp_key : str
        Column names of case id, touchpoint (activity) and timestamp.

    Returns
    -------
    pandas.DataFrame
        One row per transition (events minus cases rows): ``case``, ``source``, ``target``,
        ``transition`` (``"source → target"``), ``wait_h`` (hours from the source event to the target event).

    Examples
    --------
    >>> import cxlib, cxlib.journeys as cj
    >>> log = cxlib.read_log("data/helpdesk.xes.gz")
    >>> w = cj.waiting_times(log)
    >>> len(w) == len(log) - log["case:concept:name"].nunique()
    True
    """
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    src_idx, src, dst, wait = ev.transitions
    names = pd.Categorical.from_codes(np.arange(ev.n_activities), categories=ev.activities.astype(str))
    src_names = pd.Categorical.from_codes(src, categories=names.categories)
    dst_names = pd.Categorical.from_codes(dst, categories=names.categories)
    pair = src.astype(np.int64) * ev.n_activities + dst
    uniq, inverse = np.unique(pair, return_inverse=True)
    labels = [f"{ev.activities[u // ev.n_activities]} → {ev.activities[u % ev.n_activities]}" for u in uniq]
    out = pd.DataFrame({
        "case": ev.case_ids[ev.case[src_idx]],
        "source": src_names,
        "target": dst_names,
        "transition": pd.Categorical.from_codes(inverse.reshape(-1), categories=labels),
        "wait_h": hours(wait),
    })
    return stamp(out, ev)


def throughput(log: pd.DataFrame, *, case_key: str = CASE, activity_key: str = ACTIVITY,
               timestamp_key: str = TIMESTAMP) -> pd.DataFrame:
    """Throughput time per case: from the first to the last event.

    Parameters
    ----------
    log : pandas.DataFrame
        Event log as :func:`cxlib.read_log` returns it.
    case_key, activity_key, timestamp_key : str
        Column names of case id, touchpoint (activity) and timestamp.

    Returns
    -------
    pandas.DataFrame
        One row per case: ``case``, ``start`` and ``end`` (UTC timestamps), ``events``, ``throughput_h``,
        ``first_touchpoint``, ``last_touchpoint``.

    Examples
    --------
    >>> import cxlib, cxlib.journeys as cj
    >>> log = cxlib.read_log("data/helpdesk.xes.gz")
    >>> bool((cj.throughput(log)["throughput_h"] >= 0).all())
    True
    """
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    out = pd.DataFrame({
        "case": ev.case_ids,
        "start": pd.to_datetime(ev.ts[ev.first], utc=True),
        "end": pd.to_datetime(ev.ts[ev.last], utc=True),
        "events": ev.last - ev.first + 1,
        "throughput_h": hours(ev.throughput_ns()),
        "first_touchpoint": ev.activities[ev.act[ev.first]],
        "last_touchpoint": ev.activities[ev.act[ev.last]],
    })
    return stamp(out, ev)


def _repeat_flags(ev: Events, window_ns: int) -> np.ndarray:
    """Per event: the same touchpoint already occurred in the case at most ``window_ns`` earlier."""
    key = f"repeat_{window_ns}"
    if key in ev._cache:
        return ev._cache[key]
    order = ev.case_act_order
    first_sorted = ev.first_occurrence[order]
    ts_sorted = ev.ts[order]
    gap = np.empty(len(order), dtype=np.int64)
    gap[0] = 0
    gap[1:] = ts_sorted[1:] - ts_sorted[:-1]
    flag_sorted = ~first_sorted & (gap <= window_ns)
    flags = np.empty(len(order), dtype=bool)
    flags[order] = flag_sorted
    ev._cache[key] = flags
    return flags


def repeat_contacts(log: pd.DataFrame, *, window_days: float = 7.0, case_key: str = CASE,
                    activity_key: str = ACTIVITY, timestamp_key: str = TIMESTAMP) -> pd.DataFrame:
    """Repeated contacts: the same touchpoint again in the same case within a time window.

    Parameters
    ----------
    log : pandas.DataFrame
        Event log as :func:`cxlib.read_log` returns it.
    window_days : float, default 7
        A visit counts as a repeat when the previous visit of the same touchpoint in the case is at most this
        many days earlier.
    case_key, activity_key, timestamp_key : str
        Column names of case id, touchpoint (activity) and timestamp.

    Returns
    -------
    pandas.DataFrame
        One row per touchpoint, most repeats first: ``touchpoint``, ``events``, ``cases``,
        ``repeat_contacts`` (events that repeat within the window), ``repeat_cases`` (cases with at least one),
        ``repeat_rate`` (repeat_cases / cases), ``median_gap_h`` (median time to the repeat, hours).

    Examples
    --------
    >>> import cxlib, cxlib.journeys as cj
    >>> log = cxlib.read_log("data/helpdesk.xes.gz")
    >>> r = cj.repeat_contacts(log, window_days=7)
    >>> int(r["repeat_contacts"].sum()) >= 0
    True
    """
    if window_days <= 0:
        raise CxInputError(f"window_days must be positive, got {window_days}")
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    window_ns = int(window_days * 24 * NS_PER_HOUR)
    flags = _repeat_flags(ev, window_ns)
    n = ev.n_activities
    order = ev.case_act_order
    ts_sorted = ev.ts[order]
    gap_sorted = np.r_[0, ts_sorted[1:] - ts_sorted[:-1]]
    gap = np.empty(len(order), dtype=np.int64)
    gap[order] = gap_sorted
    pairs = distinct(ev.case[flags].astype(np.int64) * n + ev.act[flags])
    _, act_codes, _ = ev.case_activity_counts
    cases = np.bincount(act_codes, minlength=n)
    repeat_cases = np.bincount(pairs % n, minlength=n)
    med = pd.Series(hours(gap[flags])).groupby(ev.act[flags]).median().reindex(range(n)).to_numpy()
    out = pd.DataFrame({
        "touchpoint": ev.activities,
        "events": np.bincount(ev.act, minlength=n),
        "cases": cases,
        "repeat_contacts": np.bincount(ev.act[flags], minlength=n),
        "repeat_cases": repeat_cases,
        "repeat_rate": repeat_cases / np.maximum(cases, 1),
        "median_gap_h": med,
    })
    out = out.sort_values(["repeat_contacts", "touchpoint"], ascending=[False, True]).reset_index(drop=True)
    return stamp(out, ev, window_days=window_days)


def _handoff_arrays(ev: Events, resource_key: str) -> dict[str, np.ndarray]:
    key = f"handoff_{resource_key}"
    if key in ev._cache:
        return ev._cache[key]
    codes, uniques = ev.event_codes(resource_key)
    same = ev.same_case_next
    known = (codes[1:] >= 0) & (codes[:-1] >= 0) & same
    change = known & (codes[1:] != codes[:-1])
    # ping-pong: A -> B -> A within one case (three consecutive events, two hand-offs)
    pingpong = np.zeros(len(change), dtype=bool)
    if len(change) > 1:
        pingpong[1:] = change[1:] & change[:-1] & (codes[2:] == codes[:-2])
    out = {"codes": codes, "uniques": np.asarray(uniques, dtype=object), "known": known, "change": change,
           "pingpong": pingpong, "unknown": same & ~known}
    ev._cache[key] = out
    return out


def handoffs(log: pd.DataFrame, *, resource_key: str = RESOURCE, case_key: str = CASE,
             activity_key: str = ACTIVITY, timestamp_key: str = TIMESTAMP) -> pd.DataFrame:
    """Hand-offs between resources (or groups) and ping-pong (A to B and back to A).

    Parameters
    ----------
    log : pandas.DataFrame
        Event log as :func:`cxlib.read_log` returns it.
    resource_key : str, default "org:resource"
        Who handles the event: a resource, team or group column (e.g. ``org:group``).
    case_key, activity_key, timestamp_key : str
        Column names of case id, touchpoint (activity) and timestamp.

    Returns
    -------
    pandas.DataFrame
        One row per (from, to) pair with at least one hand-off, most frequent first: ``from_resource``,
        ``to_resource``, ``handoffs`` (consecutive events of a case handled by ``from`` then ``to``),
        ``cases``, ``pingpongs`` (hand-offs to ``to`` that send the case back to whoever had it two events
        earlier).

        ``attrs`` has ``transitions`` (all transitions), ``transitions_unknown`` (transitions where either
        side has no value; not counted), ``handoff_rate`` (hand-offs / known transitions),
        ``cases_with_handoff``, ``cases_with_pingpong`` and ``cases_total``.

    Examples
    --------
    >>> import cxlib, cxlib.journeys as cj
    >>> log = cxlib.read_log("data/helpdesk.xes.gz")
    >>> h = cj.handoffs(log)
    >>> 0 <= h.attrs["handoff_rate"] <= 1
    True
    """
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    arr = _handoff_arrays(ev, resource_key)
    codes, uniques, change = arr["codes"], arr["uniques"], arr["change"]
    n_res = max(len(uniques), 1)
    idx = np.flatnonzero(change)
    pair = codes[idx].astype(np.int64) * n_res + codes[idx + 1]
    counts = np.bincount(pair, minlength=n_res * n_res)
    pp = np.bincount(pair[arr["pingpong"][idx]], minlength=n_res * n_res)
    case_pairs = distinct(ev.case[idx].astype(np.int64) * (n_res * n_res) + pair)
    cases = np.bincount(case_pairs % (n_res * n_res), minlength=n_res * n_res)
    used = np.flatnonzero(counts)
    out = pd.DataFrame({
        "from_resource": uniques[used // n_res] if len(uniques) else [],
        "to_resource": uniques[used % n_res] if len(uniques) else [],
        "handoffs": counts[used],
        "cases": cases[used],
        "pingpongs": pp[used],
    }).sort_values(["handoffs", "from_resource", "to_resource"], ascending=[False, True, True])
    n_known = int(arr["known"].sum())
    return stamp(out.reset_index(drop=True), ev, resource_key=resource_key,
                 transitions=int(ev.same_case_next.sum()),
                 transitions_unknown=int(arr["unknown"].sum()),
                 handoff_rate=float(change.sum() / n_known) if n_known else float("nan"),
                 cases_with_handoff=int((np.bincount(ev.case[idx], minlength=ev.n_cases) > 0).sum()),
                 cases_with_pingpong=int((np.bincount(ev.case[:-1][arr["pingpong"]], minlength=ev.n_cases) > 0).sum()),
                 cases_total=int(ev.n_cases))


def case_handoffs(log: pd.DataFrame, *, resource_key: str = RESOURCE, case_key: str = CASE,
                  activity_key: str = ACTIVITY, timestamp_key: str = TIMESTAMP) -> pd.DataFrame:
    """Hand-offs and ping-pong per case.

    Parameters
    ----------
    log : pandas.DataFrame
        Event log as :func:`cxlib.read_log` returns it.
    resource_key : str, default "org:resource"
        Resource or group column.
    case_key, activity_key, timestamp_key : str
        Column names of case id, touchpoint (activity) and timestamp.

    Returns
    -------
    pandas.DataFrame
        One row per case: ``case``, ``handoffs``, ``pingpongs``, ``resources`` (distinct non-empty values).

    Examples
    --------
    >>> import cxlib, cxlib.journeys as cj
    >>> log = cxlib.read_log("data/helpdesk.xes.gz")
    >>> int(cj.case_handoffs(log)["handoffs"].sum()) == int(cj.handoffs(log)["handoffs"].sum())
    True
    """
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    arr = _handoff_arrays(ev, resource_key)
    src_case = ev.case[:-1]
    codes = arr["codes"]
    ok = codes >= 0
    n_res = max(len(arr["uniques"]), 1)
    case_of_pair = distinct(ev.case[ok].astype(np.int64) * n_res + codes[ok]) // n_res
    out = pd.DataFrame({
        "case": ev.case_ids,
        "handoffs": np.bincount(src_case[arr["change"]], minlength=ev.n_cases),
        "pingpongs": np.bincount(src_case[arr["pingpong"]], minlength=ev.n_cases),
        "resources": np.bincount(case_of_pair, minlength=ev.n_cases),
    })
    return stamp(out, ev, resource_key=resource_key)


def _escalation_arrays(ev: Events, column: str, pattern: str) -> dict[str, np.ndarray]:
    key = f"esc_{column}_{pattern}"
    if key in ev._cache:
        return ev._cache[key]
    try:
        rx = re.compile(pattern)
    except re.error as exc:
        raise CxInputError(f"escalation pattern {pattern!r} is not a valid regular expression: {exc}",
                           column=column) from None
    codes, uniques = ev.event_codes(column)
    level_match = np.array([bool(rx.search(str(u))) for u in uniques], dtype=bool)
    matched = np.zeros(len(codes), dtype=bool)
    ok = codes >= 0
    matched[ok] = level_match[codes[ok]]
    # an escalation: an event matches the pattern and the previous event of the case did not
    entered = matched.copy()
    entered[1:] &= ~(ev.same_case_next & matched[:-1])
    out = {"matched": matched, "entered": entered, "values": np.asarray(uniques, dtype=object)[level_match]}
    ev._cache[key] = out
    return out


def escalations(log: pd.DataFrame, *, column: str = "org:group", pattern: str = r"2nd|3rd",
                case_key: str = CASE, activity_key: str = ACTIVITY,
                timestamp_key: str = TIMESTAMP) -> pd.DataFrame:
    """Escalations: a case moves into a group (or any column value) that matches a pattern.

    An event is *escalated* when ``column`` matches the regular expression ``pattern``; an *escalation*
    happens at an escalated event whose previous event in the case was not escalated (a case that starts
    escalated counts once, at its first event).

    Parameters
    ----------
    log : pandas.DataFrame
        Event log as :func:`cxlib.read_log` returns it.
    column : str, default "org:group"
        The column holding the level, e.g. the support group.
    pattern : str, default ``"2nd|3rd"``
        Regular expression (``re.search``) that marks escalated values.
    case_key, activity_key, timestamp_key : str
        Column names of case id, touchpoint (activity) and timestamp.

    Returns
    -------
    pandas.DataFrame
        One row per case: ``case``, ``escalated`` (bool), ``escalations`` (times the case entered an escalated
        level), ``first_escalation_touchpoint``, ``hours_to_escalation`` (from case start),
        ``escalated_events``. ``attrs["matched_values"]`` lists the values that matched,
        ``attrs["escalation_rate"]`` the share of cases escalated.

    Examples
    --------
    >>> import cxlib, cxlib.journeys as cj
    >>> log = cxlib.read_log("data/helpdesk.xes.gz")
    >>> e = cj.escalations(log, column="workgroup", pattern="Value 2")
    >>> 0 <= e.attrs["escalation_rate"] <= 1
    True
    """
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    arr = _escalation_arrays(ev, column, pattern)
    entered = arr["entered"]
    n_esc = np.bincount(ev.case[entered], minlength=ev.n_cases)
    first_idx = np.full(ev.n_cases, -1, dtype=np.int64)
    idx = np.flatnonzero(entered)
    # events are in case order, so the first escalation of a case is where the case code changes
    esc_case = ev.case[idx]
    is_first = np.r_[True, esc_case[1:] != esc_case[:-1]] if len(idx) else np.zeros(0, dtype=bool)
    first_idx[esc_case[is_first]] = idx[is_first]
    has = first_idx >= 0
    first_tp = np.full(ev.n_cases, None, dtype=object)
    first_tp[has] = ev.activities[ev.act[first_idx[has]]]
    to_esc = np.full(ev.n_cases, np.nan)
    to_esc[has] = hours(ev.ts[first_idx[has]] - ev.ts[ev.first[has]])
    out = pd.DataFrame({
        "case": ev.case_ids,
        "escalated": n_esc > 0,
        "escalations": n_esc,
        "first_escalation_touchpoint": first_tp,
        "hours_to_escalation": to_esc,
        "escalated_events": np.bincount(ev.case[arr["matched"]], minlength=ev.n_cases),
    })
    return stamp(out, ev, column=column, pattern=pattern, matched_values=[str(v) for v in arr["values"]],
                 escalation_rate=float((n_esc > 0).mean()))
