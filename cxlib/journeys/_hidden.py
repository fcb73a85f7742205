"""Hidden touchpoints: waits between touchpoints, throughput, repeated contacts, hand-offs, escalations.

Engine: Ibis aggregations on DuckDB over the enriched event table. Repeated contacts use its revisits (events
with a visit number above 0, with the time since the previous visit of the touchpoint in the case); hand-offs,
ping-pong and escalations use the resource or group column as codes with its two previous values in the case
(carried in the enriched table when prepared, else joined as an attribute table).
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd

from .._docstrings import share_docs
from .._errors import CxInputError
from ..display import Result, say, show
from . import _local
from ._calendar import calendar_of, working_h, working_moves, working_throughput
from ._engine import to_pandas
from ._events import (
    ACTIVITY,
    CASE,
    NS_PER_HOUR,
    RESOURCE,
    TIMESTAMP,
    Events,
    handoff_flags,
    per_code,
    prepare,
    wait_h,
)
from ._results import dropped_parts


@share_docs
def waiting_times(log: pd.DataFrame, *, calendar=None, case_key: str = CASE, activity_key: str = ACTIVITY,
                  timestamp_key: str = TIMESTAMP) -> pd.DataFrame:
    """Every wait between two consecutive touchpoints of a case (the raw distribution per transition).

    {log_calendar_parameters}

    Returns
    -------
    pandas.DataFrame
        One row per transition (events minus cases rows): ``case``, ``source``, ``target``,
        ``transition`` (``"source → target"``), ``wait_h`` (hours from the source event to the target event);
        with a ``calendar``, ``working_h`` (the same wait in working hours).

    {example_helpdesk}
    >>> w = cj.waiting_times(log)
    >>> len(w) == len(log) - log["case:concept:name"].nunique()
    True
    """
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    cal = calendar_of(calendar)
    tr = ev.moves() if cal is None else working_moves(ev, cal)
    working = {} if cal is None else {"working_h": working_h(tr.w_next, tr.w)}
    df = tr.select("case", "idx", src="act", dst="next_act", wait_h=wait_h(tr.next_ts, tr.ts), **working).order_by(
        ["case", "idx"]).pipe(to_pandas)
    n = ev.n_activities
    src = df["src"].to_numpy(dtype=np.int64)
    dst = df["dst"].to_numpy(dtype=np.int64)
    categories = ev.activities.astype(str)
    # transition labels: one per edge of the process map (sorted by source and target code)
    edges = _edge_codes(ev)
    labels = [f"{ev.activities[u // n]} → {ev.activities[u % n]}" for u in edges]
    out = pd.DataFrame({
        "case": ev.case_ids[df["case"].to_numpy(dtype=np.int64)],
        "source": pd.Categorical.from_codes(src, categories=categories),
        "target": pd.Categorical.from_codes(dst, categories=categories),
        "transition": pd.Categorical.from_codes(np.searchsorted(edges, src * n + dst), categories=labels),
        "wait_h": df["wait_h"].to_numpy(dtype=np.float64),
    })
    if cal is not None:
        out["working_h"] = df["working_h"].to_numpy(dtype=np.float64)
    return out


@share_docs
def throughput(log: pd.DataFrame, *, calendar=None, case_key: str = CASE, activity_key: str = ACTIVITY,
               timestamp_key: str = TIMESTAMP) -> pd.DataFrame:
    """Throughput time per case: from the first to the last event.

    It is the sum of the case's waits in :func:`waiting_times`; a case with a single event has a throughput of
    zero.

    {log_calendar_parameters}

    Returns
    -------
    pandas.DataFrame
        One row per case: ``case``, ``start`` and ``end`` (UTC timestamps), ``events``, ``throughput_h``,
        ``first_touchpoint``, ``last_touchpoint``; with a ``calendar``, ``working_throughput_h`` (the
        throughput in working hours).

    {example_helpdesk}
    >>> bool((cj.throughput(log)["throughput_h"] >= 0).all())
    True
    """
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    cases = ev.cases()
    out = pd.DataFrame({
        "case": ev.case_ids,
        "start": _utc(cases["start"]),
        "end": _utc(cases["end"]),
        "events": cases["events"].to_numpy(),
        "throughput_h": cases["throughput_h"].to_numpy(),
        "first_touchpoint": ev.activity_names(cases["first_act"]),
        "last_touchpoint": ev.activity_names(cases["last_act"]),
    })
    cal = calendar_of(calendar)
    if cal is not None:
        out["working_throughput_h"] = working_throughput(ev, cal)
    return out


def _utc(ns: pd.Series) -> pd.DatetimeIndex:
    """Nanoseconds since the epoch as UTC timestamps."""
    return pd.DatetimeIndex(ns.to_numpy(dtype=np.int64).view("datetime64[ns]")).tz_localize("UTC")


def _edge_codes(ev: Events) -> np.ndarray:
    """Sorted ``source * n_activities + target`` codes of the directly-follows edges (small)."""
    if "edge_codes" not in ev._cache:
        tr = ev.moves()
        df = tr.select(e=tr.act.cast("int64") * ev.n_activities + tr.next_act).distinct().pipe(to_pandas)
        ev._cache["edge_codes"] = np.sort(df["e"].to_numpy(dtype=np.int64))
    return ev._cache["edge_codes"]


def _revisits_in_window(ev: Events, window_days: float):
    """Ibis: the revisits (see ``Events.revisits``) at most ``window_days`` after the previous visit."""
    r = ev.revisits()
    return r.filter(r.gap_ns <= int(window_days * 24 * NS_PER_HOUR))


def _repeat_by_act(ev: Events, window_days: float) -> pd.DataFrame:
    """Per activity code (pandas, cached per window): ``repeat_contacts``, ``repeat_cases``, ``median_gap_h``."""
    key = ("repeat_by_act", float(window_days))
    if key not in ev._cache and float(window_days) == ev.window_days:  # carried in the per-touchpoint table
        acts = ev.act_stats()
        ev._cache[key] = pd.DataFrame({"act": np.arange(ev.n_activities),
                                       **{c: acts[f"{c}_w"].to_numpy() for c in
                                          ["repeat_contacts", "repeat_cases", "median_gap_h"]}})
    if key not in ev._cache:
        f = _revisits_in_window(ev, window_days)
        expr = f.group_by("act").aggregate(
            repeat_contacts=f.count(), repeat_cases=f.case.nunique(),
            median_gap_h=(f.gap_ns.cast("float64") / NS_PER_HOUR).median())
        ev._cache[key] = expr.pipe(to_pandas)
    return ev._cache[key]


@share_docs
def repeat_contacts(log: pd.DataFrame, *, window_days: float = 7.0, case_key: str = CASE,
                    activity_key: str = ACTIVITY, timestamp_key: str = TIMESTAMP) -> pd.DataFrame:
    """Repeated contacts: the same touchpoint again in the same case within a time window.

    A customer who calls the hotline twice in a week was not helped the first time. Repeats across cases (a new
    ticket after the first was closed) are counted by :func:`customer_journeys`.

    Parameters
    ----------
    {log}
    window_days : float, default 7
        A visit counts as a repeat when the previous visit of the same touchpoint in the case is at most this
        many days earlier.
    {log_keys}

    Returns
    -------
    pandas.DataFrame
        One row per touchpoint, most repeats first: ``touchpoint``, ``events``, ``cases``,
        ``repeat_contacts`` (events that repeat within the window), ``repeat_cases`` (cases with at least one),
        ``repeat_rate`` (repeat_cases / cases), ``median_gap_h`` (median time to the repeat, hours).

    {example_helpdesk}
    >>> r = cj.repeat_contacts(log, window_days=7)
    >>> int(r["repeat_contacts"].sum()) >= 0
    True
    """
    if window_days <= 0:
        raise CxInputError(f"window_days must be positive, got {window_days}")
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    n = ev.n_activities
    acts = ev.act_stats()
    rep = _repeat_by_act(ev, window_days)
    cases = acts["cases"].to_numpy()
    repeat_cases = per_code(rep, "act", "repeat_cases", n)
    out = pd.DataFrame({
        "touchpoint": ev.activities,
        "events": acts["events"].to_numpy(),
        "cases": cases,
        "repeat_contacts": per_code(rep, "act", "repeat_contacts", n),
        "repeat_cases": repeat_cases,
        "repeat_rate": repeat_cases / np.maximum(cases, 1),
        "median_gap_h": per_code(rep, "act", "median_gap_h", n, fill=np.nan),
    })
    return out.sort_values(["repeat_contacts", "touchpoint"], ascending=[False, True]).reset_index(drop=True)


def _repeat_by_case(ev: Events, window_days: float) -> np.ndarray:
    """Per case code: repeated contacts within the window (cached per window)."""
    key = ("repeat_by_case", float(window_days))
    if key not in ev._cache and float(window_days) == ev.window_days:  # carried in the per-case table
        ev._cache[key] = ev.cases()["repeat_contacts_w"].to_numpy(dtype=np.int64)
    if key not in ev._cache:
        f = _revisits_in_window(ev, window_days)
        df = f.group_by("case").aggregate(n=f.count()).pipe(to_pandas)
        ev._cache[key] = per_code(df, "case", "n", ev.n_cases)
    return ev._cache[key]


def _handoff_flags(a):
    """Ibis, on an attribute table (see ``Events.attribute``): arrival events, arrivals whose value is known on
    both sides, hand-offs (the value changed) and ping-pong (A -> B -> A over three consecutive events)."""
    return handoff_flags(a.idx, a.v, a.prev_v, a.prev2_v)


def _handoff_by_act(ev: Events, resource_key: str) -> pd.DataFrame:
    """Per arrival activity code (pandas, cached): ``arrivals``, ``known``, ``changed``."""
    key = ("handoff_by_act", resource_key)
    if key not in ev._cache:
        if resource_key in ev.attributes:  # carried in the enriched table: part of the per-touchpoint table
            k = ev.attributes[resource_key][0]
            acts = ev.act_stats()
            ev._cache[key] = pd.DataFrame({"act": np.arange(ev.n_activities), "arrivals": acts["arrivals"].to_numpy(),
                                           "known": acts[f"known_a{k}"].to_numpy(),
                                           "changed": acts[f"changed_a{k}"].to_numpy()})
        else:
            a, _ = ev.attribute(resource_key)
            arrival, known, change, _ = _handoff_flags(a)
            ev._cache[key] = a.group_by("act").aggregate(arrivals=arrival.sum(), known=known.sum(),
                                                         changed=change.sum()).pipe(to_pandas)
    return ev._cache[key]


def _handoff_by_case(ev: Events, resource_key: str) -> pd.DataFrame:
    """Per case code 0..n_cases-1 (pandas, cached): ``handoffs``, ``pingpongs``."""
    key = ("handoff_by_case", resource_key)
    if key not in ev._cache:
        if resource_key in ev.attributes:  # carried in the enriched table: part of the per-case table
            k = ev.attributes[resource_key][0]
            cases = ev.cases()
            out = pd.DataFrame({"handoffs": cases[f"handoffs_a{k}"].to_numpy(dtype=np.int64),
                                "pingpongs": cases[f"pingpongs_a{k}"].to_numpy(dtype=np.int64)})
        else:
            a, _ = ev.attribute(resource_key)
            _, _, change, pingpong = _handoff_flags(a)
            df = a.group_by("case").aggregate(handoffs=change.sum(), pingpongs=pingpong.sum()).pipe(to_pandas)
            out = pd.DataFrame({col: per_code(df, "case", col, ev.n_cases) for col in ["handoffs", "pingpongs"]})
        ev._cache[key] = out
    return ev._cache[key]


def _resources_by_case(ev: Events, resource_key: str) -> np.ndarray:
    """Per case code: distinct non-empty values of ``resource_key``."""
    a, _ = ev.attribute(resource_key)
    df = a.group_by("case").aggregate(resources=a.v.nunique()).pipe(to_pandas)
    return per_code(df, "case", "resources", ev.n_cases)


@share_docs
@dataclasses.dataclass
class Handoffs(Result):
    """Hand-offs between resources (or groups) per pair, with the rates and case counts of the whole log.

    Returned by :func:`handoffs`. ``show()`` renders the hand-off rate, the cases with hand-offs and
    ping-pong, the transitions with an unknown resource, and the 15 most frequent hand-offs.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (from, to) pair; the columns are listed in :func:`handoffs`.
    resource_key : str
        The column whose changes count as hand-offs.
    transitions : int
        All transitions (consecutive events of a case).
    transitions_unknown : int
        Transitions where either side has no value (not counted as hand-offs or not).
    handoff_rate : float
        Hand-offs / transitions with a known value on both sides (NaN when there are none).
    cases_with_handoff, cases_with_pingpong, cases_total : int
        Cases with at least one hand-off, with at least one ping-pong, and all cases.
    {dropped_rows}

    {example_helpdesk}
    >>> h = cj.handoffs(log)
    >>> h.resource_key, h.cases_with_pingpong <= h.cases_with_handoff <= h.cases_total
    ('org:resource', True)
    """

    table: pd.DataFrame
    resource_key: str
    transitions: int
    transitions_unknown: int
    handoff_rate: float
    cases_with_handoff: int
    cases_with_pingpong: int
    cases_total: int
    dropped_rows: dict = dataclasses.field(default_factory=dict)

    def parts(self) -> list:
        """The hand-off rate and case counts, and the most frequent hand-offs."""
        return [say("{r:.1%} of the transitions with a known {k} are hand-offs; {c} of {t} cases have at least one, "
                    "{p} have ping-pong. Transitions with an unknown {k}: {u}.", r=self.handoff_rate,
                    k=self.resource_key, c=f"{self.cases_with_handoff:,}", t=f"{self.cases_total:,}",
                    p=f"{self.cases_with_pingpong:,}", u=f"{self.transitions_unknown:,}"),
                show(self.table.head(15), caption=f"Most frequent hand-offs ({self.resource_key})"),
                *dropped_parts(self.dropped_rows)]


@share_docs
def handoffs(log: pd.DataFrame, *, resource_key: str = RESOURCE, case_key: str = CASE,
             activity_key: str = ACTIVITY, timestamp_key: str = TIMESTAMP) -> Handoffs:
    """Hand-offs between resources (or groups) and ping-pong (A to B and back to A).

    Parameters
    ----------
    {log}
    resource_key : str, default "org:resource"
        Who handles the event: a resource, team or group column (e.g. ``org:group``).
    {log_keys}

    Returns
    -------
    Handoffs
        ``table``: one row per (from, to) pair with at least one hand-off, most frequent first: ``from_resource``,
        ``to_resource``, ``handoffs`` (consecutive events of a case handled by ``from`` then ``to``),
        ``cases``, ``pingpongs`` (hand-offs to ``to`` that send the case back to whoever had it two events
        earlier).

        The result also has ``resource_key``, ``transitions`` (all transitions), ``transitions_unknown``
        (transitions where either side has no value; not counted), ``handoff_rate`` (hand-offs / known
        transitions), ``cases_with_handoff``, ``cases_with_pingpong``, ``cases_total`` and ``dropped_rows``
        (see :class:`Handoffs`).

    {example_helpdesk}
    >>> h = cj.handoffs(log)
    >>> 0 <= h.handoff_rate <= 1, h.table.columns.tolist()[:2]
    (True, ['from_resource', 'to_resource'])
    """
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    a, uniques = ev.attribute(resource_key)
    if ev.local is not None and resource_key in ev.attributes:  # carried with the case-ordered arrays
        pairs = _local.handoff_pairs(ev.local, ev.attributes[resource_key][0], len(uniques))
    else:
        _, _, change, _ = _handoff_flags(a)
        moves = a.filter(change)
        pairs = moves.group_by([moves.prev_v.name("src"), moves.v.name("dst")]).aggregate(
            handoffs=moves.count(), cases=moves.case.nunique(),
            pingpongs=_handoff_flags(moves)[3].sum()).pipe(to_pandas)
    per_case = _handoff_by_case(ev, resource_key)
    by_act = _handoff_by_act(ev, resource_key)
    out = pd.DataFrame({
        "from_resource": uniques[pairs["src"].to_numpy(dtype=np.int64)],
        "to_resource": uniques[pairs["dst"].to_numpy(dtype=np.int64)],
        "handoffs": pairs["handoffs"].to_numpy(dtype=np.int64),
        "cases": pairs["cases"].to_numpy(dtype=np.int64),
        "pingpongs": pairs["pingpongs"].fillna(0).to_numpy(dtype=np.int64),
    }).sort_values(["handoffs", "from_resource", "to_resource"], ascending=[False, True, True])
    n_known = int(by_act["known"].sum())
    n_change = int(by_act["changed"].sum())
    return Handoffs(
        out.reset_index(drop=True),
        resource_key=resource_key,
        transitions=int(ev.n_events - ev.n_cases),
        transitions_unknown=int(by_act["arrivals"].sum()) - n_known,
        handoff_rate=float(n_change / n_known) if n_known else float("nan"),
        cases_with_handoff=int((per_case["handoffs"] > 0).sum()),
        cases_with_pingpong=int((per_case["pingpongs"] > 0).sum()),
        cases_total=int(ev.n_cases),
        dropped_rows=dict(ev.dropped),
    )


@share_docs
def case_handoffs(log: pd.DataFrame, *, resource_key: str = RESOURCE, case_key: str = CASE,
                  activity_key: str = ACTIVITY, timestamp_key: str = TIMESTAMP) -> pd.DataFrame:
    """Hand-offs and ping-pong per case.

    Parameters
    ----------
    {log}
    resource_key : str, default "org:resource"
        Resource or group column.
    {log_keys}

    Returns
    -------
    pandas.DataFrame
        One row per case: ``case``, ``handoffs``, ``pingpongs``, ``resources`` (distinct non-empty values).

    {example_helpdesk}
    >>> int(cj.case_handoffs(log)["handoffs"].sum()) == int(cj.handoffs(log).table["handoffs"].sum())
    True
    """
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    per_case = _handoff_by_case(ev, resource_key)
    out = pd.DataFrame({
        "case": ev.case_ids,
        "handoffs": per_case["handoffs"].to_numpy(),
        "pingpongs": per_case["pingpongs"].to_numpy(),
        "resources": _resources_by_case(ev, resource_key),
    })
    return out


def _escalation(ev: Events, column: str, pattern: str):
    """The attribute table of ``column``, Ibis flags ``matched`` (the event's value matches ``pattern``) and
    ``entered`` (matched, and the previous event of the case was not), and the matched values (internal)."""
    try:
        rx = re.compile(pattern)
    except re.error as exc:
        raise CxInputError(f"escalation pattern {pattern!r} is not a valid regular expression: {exc}",
                           column=column) from None
    a, uniques = ev.attribute(column)
    level_match = np.array([bool(rx.search(str(u))) for u in uniques], dtype=bool)  # a loop over values
    codes = np.flatnonzero(level_match).tolist() or [-1]
    matched = a.v.isin(codes).fill_null(False)
    entered = matched & ~a.prev_v.isin(codes).fill_null(False)
    return a, matched, entered, uniques[level_match]


def _escalation_by_act(ev: Events, column: str, pattern: str) -> pd.DataFrame:
    """Per activity code (pandas, cached): ``escalations`` (events at which the case entered a matched level)."""
    key = ("esc_by_act", column, pattern)
    if key not in ev._cache:
        a, _, entered, _ = _escalation(ev, column, pattern)
        ev._cache[key] = a.group_by("act").aggregate(escalations=entered.sum()).pipe(to_pandas)
    return ev._cache[key]


def _escalation_by_case(ev: Events, column: str, pattern: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Per case code 0..n_cases-1 (pandas, cached): ``escalations``, ``first_act``, ``hours_to_escalation``,
    ``escalated_events``; and the matched values."""
    key = ("esc_by_case", column, pattern)
    if key not in ev._cache:
        a, matched, entered, values = _escalation(ev, column, pattern)
        df = a.group_by("case").aggregate(
            escalations=entered.sum(),
            first_act=a.act.argmin(a.idx, where=entered),
            hours_to_escalation=wait_h(a.ts.min(where=entered), a.ts.min()),
            escalated_events=matched.sum(),
        ).pipe(to_pandas)
        out = pd.DataFrame({
            "escalations": per_code(df, "case", "escalations", ev.n_cases),
            "first_act": per_code(df, "case", "first_act", ev.n_cases, fill=-1),
            "hours_to_escalation": per_code(df, "case", "hours_to_escalation", ev.n_cases, fill=np.nan),
            "escalated_events": per_code(df, "case", "escalated_events", ev.n_cases),
        })
        ev._cache[key] = (out, values)
    return ev._cache[key]


@share_docs
@dataclasses.dataclass
class Escalations(Result):
    """Escalations per case, with the values that count as escalated and the share of cases escalated.

    Returned by :func:`escalations`. ``show()`` renders the escalation rate with the rule and the matched values,
    and where cases first escalate (:meth:`first_touchpoints`).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per case; the columns are listed in :func:`escalations`.
    column : str
        The column holding the level.
    pattern : str
        The regular expression that marks escalated values.
    matched_values : list of str
        The values of ``column`` that match ``pattern``.
    escalation_rate : float
        Share of cases escalated.
    {dropped_rows}

    {example_helpdesk}
    >>> e = cj.escalations(log, column="workgroup", pattern="Value 2")
    >>> e.column, len(e.table) == e.table["case"].nunique()
    ('workgroup', True)
    """

    table: pd.DataFrame
    column: str
    pattern: str
    matched_values: list
    escalation_rate: float
    dropped_rows: dict = dataclasses.field(default_factory=dict)

    def first_touchpoints(self) -> pd.DataFrame:
        """Where escalated cases first escalate: ``first_escalation_touchpoint``, ``cases``, most cases first."""
        first = self.table[self.table["escalated"]].groupby("first_escalation_touchpoint").size()
        return first.sort_values(ascending=False).rename("cases").reset_index()

    def parts(self) -> list:
        """The escalation rate with the rule and the matched values (the first 8), and where cases first
        escalate."""
        return [say("{r:.1%} of the cases escalate ({col} matching <code>{pat}</code>: {vals}).",
                    r=self.escalation_rate, col=self.column, pat=self.pattern,
                    vals=", ".join(self.matched_values[:8])),
                show(self.first_touchpoints(), caption="Where cases first escalate"),
                *dropped_parts(self.dropped_rows)]


@share_docs
def escalations(log: pd.DataFrame, *, column: str = "org:group", pattern: str = r"2nd|3rd",
                case_key: str = CASE, activity_key: str = ACTIVITY,
                timestamp_key: str = TIMESTAMP) -> Escalations:
    """Escalations: a case moves into a group (or any column value) that matches a pattern.

    An event is *escalated* when ``column`` matches the regular expression ``pattern``; an *escalation*
    happens at an escalated event whose previous event in the case was not escalated (a case that starts
    escalated counts once, at its first event).

    Parameters
    ----------
    {log}
    column : str, default "org:group"
        The column holding the level, e.g. the support group.
    pattern : str, default ``"2nd|3rd"``
        Regular expression (``re.search``) that marks escalated values.
    {log_keys}

    Returns
    -------
    Escalations
        ``table``: one row per case: ``case``, ``escalated`` (bool), ``escalations`` (times the case entered an
        escalated level), ``first_escalation_touchpoint``, ``hours_to_escalation`` (from case start),
        ``escalated_events``. ``matched_values`` lists the values that matched, ``escalation_rate`` is the
        share of cases escalated; ``column``, ``pattern`` and ``dropped_rows`` as in :class:`Escalations`.

    {example_helpdesk}
    >>> e = cj.escalations(log, column="workgroup", pattern="Value 2")
    >>> 0 <= e.escalation_rate <= 1, e.matched_values
    (True, ['Value 2'])
    """
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    per_case, values = _escalation_by_case(ev, column, pattern)
    n_esc = per_case["escalations"].to_numpy()
    first_act = per_case["first_act"].to_numpy()
    has = first_act >= 0
    first_tp = np.full(ev.n_cases, None, dtype=object)
    first_tp[has] = ev.activities[first_act[has]]
    out = pd.DataFrame({
        "case": ev.case_ids,
        "escalated": n_esc > 0,
        "escalations": n_esc,
        "first_escalation_touchpoint": first_tp,
        "hours_to_escalation": per_case["hours_to_escalation"].to_numpy(),
        "escalated_events": per_case["escalated_events"].to_numpy(),
    })
    return Escalations(out, column, pattern, [str(v) for v in values], float((n_esc > 0).mean()),
                       dropped_rows=dict(ev.dropped))
