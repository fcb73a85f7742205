"""The customer's whole journey: a customer's cases (tickets, orders, complaints) across time and channels.

A case is one contact's journey; a customer has several. Re-contacts, first-contact resolution, channel
switches and the cross-case variants look across a customer's cases, in start order.

Engine: one small table gives each case its customer, channel and step codes (read at the case's first event)
and is joined to the engine's per-case table (start, end, first and last touchpoint). Window functions over
``partition by customer order by start, case`` give each case its place, the gap since the previous case ended,
whether it is a re-contact and whether the next case is one, its episode and its channel switch; the tables of
the result are Ibis aggregations over that per-case table, executed by DuckDB (the same expressions run on any
Ibis backend). Several logs, one per channel, are stitched into one log by :func:`stitch_logs` first.
"""

from __future__ import annotations

import dataclasses

import ibis
import numpy as np
import pandas as pd

from .._docstrings import share_docs
from .._errors import CxInputError
from ..display import Result, redact_series, say, show
from ._engine import to_arrow, to_pandas
from ._events import ACTIVITY, CASE, NS_PER_HOUR, TIMESTAMP, Events, prepare
from ._results import dropped_parts
from ._side_tables import keep, side_table
from ._variants import SEPARATOR, case_variant_codes

CUSTOMER = "customer"
CHANNEL = "channel"
CASE_SEPARATOR = " ⟹ "
MISSING = "(missing)"


@share_docs
def stitch_logs(logs: dict, *, customer_key: str = CUSTOMER, channel_key: str = CHANNEL, case_key: str = CASE,
                activity_key: str = ACTIVITY, timestamp_key: str = TIMESTAMP) -> pd.DataFrame:
    """Several event logs, one per channel, stitched into one customer-level log.

    Each log keeps its own cases; a case id becomes ``"<channel>:<case id>"`` so that cases of different logs
    never merge, and ``channel_key`` holds the log's name. The customer key links cases across the logs.

    Parameters
    ----------
    logs : dict of str to pandas.DataFrame
        Channel name -> event log (as :func:`cxlib.read_log` returns it), each with the customer column.
    customer_key : str, default "customer"
        Column with the customer id, present in every log.
    channel_key : str, default "channel"
        Column of the result that names each event's channel (the log's key in ``logs``).
    {log_keys}

    Returns
    -------
    pandas.DataFrame
        The events of all logs in time order, with every column of any log (empty where a log lacks it),
        case ids prefixed with the channel and the ``channel_key`` column.

    Raises
    ------
    cxlib.CxInputError
        No logs, a log that is not a DataFrame or lacks the case, activity, timestamp or customer column
        (naming the channel and the column), a timestamp column that is not timestamps, or a log that
        already has a ``channel_key`` column.

    Examples
    --------
    >>> import pandas as pd, cxlib.journeys as cj
    >>> web = pd.DataFrame({"case:concept:name": ["w1"], "concept:name": ["Form"], "customer": ["C1"],
    ...                     "time:timestamp": pd.to_datetime(["2024-01-01 10:00"], utc=True)})
    >>> phone = pd.DataFrame({"case:concept:name": ["p1"], "concept:name": ["Call"], "customer": ["C1"],
    ...                       "time:timestamp": pd.to_datetime(["2024-01-03 09:00"], utc=True)})
    >>> cj.stitch_logs({"web": web, "phone": phone})[["case:concept:name", "channel"]].values.tolist()
    [['web:w1', 'web'], ['phone:p1', 'phone']]
    """
    if not isinstance(logs, dict) or not logs:
        raise CxInputError("stitch_logs expects a dict of channel name -> event log with at least one log")
    parts = []
    for channel, log in logs.items():
        if not isinstance(log, pd.DataFrame):
            raise CxInputError(f"the log of channel {channel!r} is a {type(log).__name__}, not an event log "
                               "(pandas DataFrame)")
        for col in (case_key, activity_key, timestamp_key, customer_key):
            if col not in log.columns:
                raise CxInputError(f"the log of channel {channel!r} has no column {col!r}; it has: "
                                   f"{', '.join(map(str, log.columns))}", column=col)
        if channel_key in log.columns:
            raise CxInputError(f"the log of channel {channel!r} already has a column {channel_key!r}; pass another "
                               "channel_key", column=channel_key)
        part = log.copy()
        try:
            part[timestamp_key] = pd.to_datetime(part[timestamp_key], utc=True, format="mixed")
        except (ValueError, TypeError) as exc:
            raise CxInputError(f"the log of channel {channel!r}: column {timestamp_key!r} holds values that are "
                               f"not timestamps ({exc})", column=timestamp_key) from None
        ids = part[case_key].astype("string")
        part[case_key] = (f"{channel}:" + ids).astype(object).where(ids.notna(), None)
        part[channel_key] = str(channel)
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(timestamp_key, kind="stable", ignore_index=True)


def _case_codes(ev: Events, column: str) -> tuple[np.ndarray, np.ndarray]:
    """Per case code: the code of its value of ``column`` at its first event (-1 = missing), and the values."""
    values = ev.case_values(column)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def _case_steps(ev: Events, step: str, channel: tuple | None) -> tuple[np.ndarray, np.ndarray]:
    """Per case code: its step code for the cross-case variants, and the step labels."""
    if step == "journey":
        variant_of_case, sequences = case_variant_codes(ev)
        labels = np.array([SEPARATOR.join(map(str, ev.activity_names(list(seq)))) for seq in sequences], dtype=object)
        return np.asarray(variant_of_case, dtype=np.int64), labels
    if step == "channel" and channel is not None:
        return channel
    codes, uniques = _case_codes(ev, step)
    labels = np.array([str(u) for u in uniques] + [MISSING], dtype=object)
    return np.where(codes < 0, len(uniques), codes), labels


def _end_codes(ev: Events, ended_at) -> list[int] | None:
    if ended_at is None:
        return None
    names = [ended_at] if isinstance(ended_at, str) else list(ended_at)
    unknown = [n for n in names if n not in set(map(str, ev.activities))]
    if unknown:
        raise CxInputError(f"ended_at names touchpoints that are not in the log: {unknown}; the log has: "
                           f"{', '.join(map(str, ev.activities))}", column=ev.activity_key)
    return [i for i, a in enumerate(map(str, ev.activities)) if a in names]


def case_journeys(ev: Events, customer_key: str, channel_key: str | None, window_days: float, step: str,
                  ended_at=None):
    """The per-case Ibis table of the customer journeys (materialized, cached per options), the decoding
    arrays and counts (internal)."""
    end_codes = _end_codes(ev, ended_at)
    key = ("customer_cases", customer_key, channel_key, float(window_days), step,
           None if end_codes is None else tuple(end_codes))
    if key in ev._cache:
        return ev._cache[key]
    cust, customers = _case_codes(ev, customer_key)
    if channel_key is not None:
        chan, channels = _case_codes(ev, channel_key)
        channels = np.array([str(c) for c in channels] + [MISSING], dtype=object)
        chan = np.where(chan < 0, len(channels) - 1, chan)
    else:
        chan, channels = np.zeros(ev.n_cases, dtype=np.int64), np.array([""], dtype=object)
    steps, step_labels = _case_steps(ev, step, (chan, channels) if channel_key is not None else None)
    attrs = pd.DataFrame({"case": np.arange(ev.n_cases, dtype=np.int32),
                          "cust": pd.arrays.IntegerArray(np.where(cust < 0, 0, cust), cust < 0),
                          "chan": chan, "step": steps})
    attr_table = side_table(ev, attrs, "customers")
    window_ns = round(window_days * 24 * NS_PER_HOUR)
    log_end = int(ev.cases()["end"].max())
    ct = ev.case_table().select("case", "start", "end", "first_act", "last_act")
    if end_codes is not None:  # the case ends, for the customer, at its last event at one of these touchpoints
        e = ev.table.filter(ev.table.act.isin(end_codes))
        ends = e.group_by("case").aggregate(ended=e.ts.max())
        ct = ct.left_join(ends, "case")
        ct = ct.select("case", "start", "first_act", "last_act", end=ct.ended.fill_null(ct.end))
    base = ct.join(attr_table, "case")
    base = base.filter(base.cust.notnull())
    w = ibis.window(group_by=base.cust, order_by=[base.start, base.case])
    a = base.mutate(case_number=ibis.row_number().over(w) + 1, gap_ns=base.start - base.end.lag().over(w),
                    prev_chan=base.chan.lag().over(w))
    a = a.mutate(recontact=((a.gap_ns >= 0) & (a.gap_ns <= window_ns)).fill_null(False),
                 parallel=(a.gap_ns < 0).fill_null(False),
                 channel_switch=(a.chan != a.prev_chan).fill_null(False))
    w2 = ibis.window(group_by=a.cust, order_by=[a.start, a.case])
    b = a.mutate(recontacted=a.recontact.lead().over(w2).fill_null(False),
                 next_gap_ns=a.gap_ns.lead().over(w2),
                 next_chan=a.chan.lead().over(w2),
                 episode=(~a.recontact).cast("int64").sum().over(
                     ibis.cumulative_window(group_by=a.cust, order_by=[a.start, a.case])))
    b = b.mutate(censored=~b.recontacted & (b.end > log_end - window_ns))
    table = keep(ev, b, "customer_cases")
    info = {"customers": customers, "channels": channels, "step_labels": step_labels,
            "cases_without_customer": int((cust < 0).sum())}
    ev._cache[key] = (table, info)
    return ev._cache[key]


def _several_customers(ev: Events, customer_key: str) -> int:
    """Cases whose events name more than one customer (each counts for the customer at its first event)."""
    a, _ = ev.attribute(customer_key)
    per_case = a.group_by("case").aggregate(n=a.v.nunique())
    return int(to_arrow(per_case.filter(per_case.n > 1).count()).as_py())


@share_docs
@dataclasses.dataclass
class CustomerJourneys(Result):
    """The customer's whole journey: cases per customer, re-contacts, first-contact resolution, channel
    switches and cross-case variants.

    Returned by :func:`customer_journeys`. ``show()`` renders the summary sentence, first-contact resolution and
    re-contacts per channel (when there are channels), where re-contacts follow (per channel and last
    touchpoint), the channel switches, the cross-case variants and the customers with the most re-contacts
    (their ids redacted).

    Attributes
    ----------
    cases : pandas.DataFrame
        One row per case with a customer; the columns are listed in :func:`customer_journeys`.
    customers : pandas.DataFrame
        One row per customer, most cases first.
    recontacts : pandas.DataFrame
        Per channel and touchpoint: how often a case that passed the touchpoint is followed by a re-contact.
    channels : pandas.DataFrame
        Per channel: cases, customers, re-contacts and first-contact resolution (one row ``""`` without a
        channel column).
    switches : pandas.DataFrame
        Channel switches between consecutive cases of a customer (empty without a channel column).
    variants : pandas.DataFrame
        The cross-case variants: distinct sequences of steps over an episode's cases.
    customer_key, channel_key : str or None
        The customer and channel columns.
    window_days : float
        A case is a re-contact when it starts at most this many days after the customer's previous case ended.
    ended_at : list of str or None
        The touchpoints at which a case counts as ended for the customer (its last event when None).
    step : str
        What one step of a cross-case variant is: ``"channel"``, ``"journey"`` (the case's touchpoints) or a
        case attribute.
    customers_total, cases_total : int
        Customers, and cases with a customer.
    recontact_rate : float
        Re-contacts / cases.
    parallel_rate : float
        Parallel cases (opened while the customer's previous case was still open) / cases.
    fcr_rate : float
        First-contact resolution: of the episodes that can be judged, the share whose first case is not
        followed by a re-contact.
    episodes_judged, cases_censored : int
        Episodes in ``fcr_rate``; cases not followed by a re-contact that ended less than ``window_days``
        before the log's last event (their outcome is not known yet).
    cases_without_customer, cases_with_several_customers : int
        Cases left out for want of a customer id; cases whose events name more than one customer (counted
        for the customer at their first event).
    {dropped_rows}

    {example_helpdesk}
    >>> cjn = cj.customer_journeys(log, customer_key="customer", window_days=7)
    >>> cjn.customers_total, cjn.cases_total, 0 < cjn.fcr_rate < 1
    (394, 4580, True)
    """

    cases: pd.DataFrame
    customers: pd.DataFrame
    recontacts: pd.DataFrame
    channels: pd.DataFrame
    switches: pd.DataFrame
    variants: pd.DataFrame
    customer_key: str
    channel_key: str | None
    window_days: float
    ended_at: list | None
    step: str
    customers_total: int
    cases_total: int
    recontact_rate: float
    parallel_rate: float
    fcr_rate: float
    episodes_judged: int
    cases_censored: int
    cases_without_customer: int = 0
    cases_with_several_customers: int = 0
    dropped_rows: dict = dataclasses.field(default_factory=dict)

    def parts(self) -> list:
        """The summary, the channels, where re-contacts follow, switches, cross-case variants, top customers."""
        ended = f" (a case ends at its last {' or '.join(self.ended_at)})" if self.ended_at else ""
        out = [say("{n} customers ({k}) with {c} cases, {per:.1f} per customer. {r:.1%} of the cases are "
                   "re-contacts: a new case at most {w:g} days after the customer's previous case ended{ended}; "
                   "{p:.1%} are parallel (opened while the previous case was still open). First-contact "
                   "resolution: {f:.1%} of {e} episodes (an episode is a customer's case with the re-contacts "
                   "that follow it); {z} cases that ended in the log's last {w:g} days without a re-contact are "
                   "not judged.",
                   n=f"{self.customers_total:,}", k=self.customer_key, c=f"{self.cases_total:,}",
                   per=self.cases_total / max(self.customers_total, 1), r=self.recontact_rate, w=self.window_days,
                   ended=ended, p=self.parallel_rate, f=self.fcr_rate, e=f"{self.episodes_judged:,}",
                   z=f"{self.cases_censored:,}")]
        if self.cases_without_customer or self.cases_with_several_customers:
            out.append(say("{a} cases have no {k} and are left out; {b} cases name more than one customer and "
                           "count for the customer at their first event.", a=f"{self.cases_without_customer:,}",
                           k=self.customer_key, b=f"{self.cases_with_several_customers:,}"))
        if self.channel_key is not None:
            out.append(show(self.channels, caption=f"Channels ({self.channel_key})"))
        recontacts = self.recontacts if self.channel_key else self.recontacts.drop(columns=["channel"])
        out.append(show(recontacts.head(15), caption="Cases followed by a re-contact, by the touchpoints they "
                                                     "passed"))
        if len(self.switches):
            out.append(show(self.switches.head(15), caption="Channel switches between consecutive cases"))
        out.append(show(self.variants.head(10), caption=f"Cross-case variants (steps: {self.step})"))
        top = self.customers.sort_values(["recontacts", "cases"], ascending=False).head(10).copy()
        top["customer"] = redact_series(top["customer"].astype(str))[0]
        out.append(show(top.reset_index(drop=True), caption="Customers with the most re-contacts"))
        return out + dropped_parts(self.dropped_rows)


@share_docs
def customer_journeys(log: pd.DataFrame, *, customer_key: str = CUSTOMER, channel_key: str | None = None,
                      window_days: float = 7.0, ended_at=None, step: str | None = None, case_key: str = CASE,
                      activity_key: str = ACTIVITY, timestamp_key: str = TIMESTAMP) -> CustomerJourneys:
    """The customer's whole journey across cases and channels: re-contacts, first-contact resolution, channel
    switches and cross-case variants.

    A customer's cases are taken in start order (ties by their order in the log). A case is a *re-contact*
    when it starts at most ``window_days`` after the customer's previous case ended; a case that starts before
    the previous one ended is *parallel* (another matter of the same customer), not a re-contact. An *episode*
    is a case that is not a re-contact with the re-contacts that follow it; *first-contact resolution* is the share of episodes whose first case is not followed by a
    re-contact, among the episodes that can be judged (a case that ended less than ``window_days`` before the
    log's last event without a re-contact may still get one: it is *censored* and not judged). A *channel
    switch* is a case whose channel differs from the customer's previous case.

    Parameters
    ----------
    {log}
    customer_key : str, default "customer"
        Column with the customer id (read at each case's first event).
    channel_key : str, optional
        Column with the channel (read at each case's first event), e.g. the one :func:`stitch_logs` adds.
    window_days : float, default 7
        Re-contact window in days (a gap of exactly ``window_days`` counts).
    ended_at : str or list of str, optional
        Touchpoints at which a case ends for the customer (e.g. ``"Resolve ticket"`` when ``Closed`` is an
        administrative step weeks later): a case ends at its last event at one of them, or at its last event
        when it has none. By default every case ends at its last event.
    step : str, optional
        A step of the cross-case variants: ``"channel"`` (the default with a channel column), ``"journey"``
        (the case's touchpoints, the default without one) or any case attribute.
    {log_keys}

    Returns
    -------
    CustomerJourneys
        ``cases``: one row per case with a customer, by customer and start: ``customer``, ``case``,
        ``channel``, ``case_number`` (1 = the customer's first), ``start``, ``end`` (UTC), ``first_touchpoint``,
        ``last_touchpoint``, ``gap_h`` (hours from the end of the customer's previous case, negative when it
        was still open; empty for the first), ``recontact``, ``parallel``, ``recontacted`` (the next case is a
        re-contact), ``censored``, ``episode`` (the customer's how-manieth), ``channel_switch``.

        - ``customers``: ``customer``, ``cases``, ``episodes``, ``recontacts``, ``parallel``, ``channels``,
          ``channel_switches``, ``first_start``, ``last_end``; most cases first.
        - ``recontacts``: per ``channel`` and ``touchpoint``, most re-contacts first: ``cases`` (judged cases
          that passed the touchpoint), ``recontacted`` (of them, followed by a re-contact), ``recontact_rate``,
          ``median_gap_h`` (to the re-contact), ``switched`` (re-contacts in another channel).
        - ``channels``: per ``channel``: ``cases``, ``customers``, ``recontacts`` (cases that are re-contacts),
          ``episodes`` (judged episodes starting there), ``fcr_rate``.
        - ``switches``: ``from_channel``, ``to_channel``, ``switches``, ``within_window`` (switches that are
          re-contacts), ``customers``.
        - ``variants``: ``variant`` (steps joined with ``" ⟹ "``), ``steps``, ``episodes``, ``share``,
          ``customers``.

        The notes (``recontact_rate``, ``fcr_rate``, ...) are described in :class:`CustomerJourneys`.

    Raises
    ------
    cxlib.CxInputError
        A missing customer, channel or step column, a window that is not positive, or a log in which no case
        has a customer id.

    {example_helpdesk}
    >>> cjn = cj.customer_journeys(log, customer_key="customer")
    >>> cjn.cases.columns.tolist()[:4], int(cjn.customers["cases"].sum())
    (['customer', 'case', 'channel', 'case_number'], 4580)
    """
    if not window_days > 0:
        raise CxInputError(f"window_days must be positive, got {window_days}")
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    for col in (customer_key, channel_key, None if step in (None, "journey", "channel") else step):
        if col is not None:
            ev._column(col)  # a missing column raises, naming the columns there are
    step = step or ("channel" if channel_key else "journey")
    if step == "channel" and channel_key is None:
        raise CxInputError("step='channel' needs a channel_key", column="step")
    table, info = case_journeys(ev, customer_key, channel_key, window_days, step, ended_at)
    if info["cases_without_customer"] == ev.n_cases:
        raise CxInputError(f"no case has a value in {customer_key!r}", column=customer_key)
    customers, channels = info["customers"], info["channels"]
    t = table
    cases = t.order_by(["cust", "start", "case"]).pipe(to_pandas)
    case_frame = pd.DataFrame({
        "customer": customers[cases["cust"].to_numpy(dtype=np.int64)],
        "case": ev.case_ids[cases["case"].to_numpy(dtype=np.int64)],
        "channel": channels[cases["chan"].to_numpy(dtype=np.int64)],
        "case_number": cases["case_number"].to_numpy(dtype=np.int64),
        "start": _utc(cases["start"]), "end": _utc(cases["end"]),
        "first_touchpoint": ev.activity_names(cases["first_act"]),
        "last_touchpoint": ev.activity_names(cases["last_act"]),
        "gap_h": cases["gap_ns"].to_numpy(dtype=np.float64) / NS_PER_HOUR,
        "recontact": cases["recontact"].to_numpy(dtype=bool),
        "parallel": cases["parallel"].to_numpy(dtype=bool),
        "recontacted": cases["recontacted"].to_numpy(dtype=bool),
        "censored": cases["censored"].to_numpy(dtype=bool),
        "episode": cases["episode"].to_numpy(dtype=np.int64),
        "channel_switch": cases["channel_switch"].to_numpy(dtype=bool),
    })

    per_customer = t.group_by("cust").aggregate(
        cases=t.count(), episodes=t.episode.max(), recontacts=t.recontact.sum(), parallel=t.parallel.sum(),
        channels=t.chan.nunique(),
        channel_switches=t.channel_switch.sum(), first_start=t.start.min(), last_end=t.end.max(),
    ).order_by([ibis.desc("cases"), "cust"]).pipe(to_pandas)
    customer_frame = pd.DataFrame({
        "customer": customers[per_customer["cust"].to_numpy(dtype=np.int64)],
        **{c: per_customer[c].to_numpy(dtype=np.int64) for c in ["cases", "episodes", "recontacts", "parallel",
                                                                  "channels", "channel_switches"]},
        "first_start": _utc(per_customer["first_start"]), "last_end": _utc(per_customer["last_end"]),
    })

    judged = t.filter(~t.censored)
    visits = ev.firsts().select("case", "act").join(judged, "case")  # one row per judged case and touchpoint
    by_touchpoint = visits.group_by(["chan", "act"]).aggregate(
        cases=visits.count(), recontacted=visits.recontacted.sum(),
        # a median over the re-contacts only (nulls elsewhere; Spark takes no filter in a percentile)
        median_gap_ns=ibis.ifelse(visits.recontacted, visits.next_gap_ns.cast("float64"),
                                  ibis.null("float64")).median(),
        switched=(visits.recontacted & (visits.next_chan != visits.chan)).sum(),
    ).pipe(to_pandas)
    recontact_frame = pd.DataFrame({
        "channel": channels[by_touchpoint["chan"].to_numpy(dtype=np.int64)],
        "touchpoint": ev.activity_names(by_touchpoint["act"]),
        "cases": by_touchpoint["cases"].to_numpy(dtype=np.int64),
        "recontacted": by_touchpoint["recontacted"].to_numpy(dtype=np.int64),
        "recontact_rate": by_touchpoint["recontacted"].to_numpy(dtype=np.float64) / by_touchpoint["cases"].to_numpy(),
        "median_gap_h": by_touchpoint["median_gap_ns"].to_numpy(dtype=np.float64) / NS_PER_HOUR,
        "switched": by_touchpoint["switched"].to_numpy(dtype=np.int64),
    }).sort_values(["recontacted", "cases", "channel", "touchpoint"], ascending=[False, False, True, True],
                   ignore_index=True)

    first_case = ~t.recontact & ~t.censored
    by_channel = t.group_by("chan").aggregate(
        cases=t.count(), customers=t.cust.nunique(), recontacts=t.recontact.sum(),
        episodes=first_case.sum(), resolved=(first_case & ~t.recontacted).sum(),
    ).order_by([ibis.desc("cases"), "chan"]).pipe(to_pandas)
    channel_frame = pd.DataFrame({
        "channel": channels[by_channel["chan"].to_numpy(dtype=np.int64)],
        **{c: by_channel[c].to_numpy(dtype=np.int64) for c in ["cases", "customers", "recontacts", "episodes"]},
        "fcr_rate": by_channel["resolved"].to_numpy(dtype=np.float64) / np.maximum(by_channel["episodes"], 1),
    })
    channel_frame.loc[channel_frame["episodes"] == 0, "fcr_rate"] = np.nan

    sw = t.filter(t.channel_switch)
    switches = sw.group_by(["prev_chan", "chan"]).aggregate(
        switches=sw.count(), within_window=sw.recontact.sum(), customers=sw.cust.nunique(),
    ).order_by([ibis.desc("switches"), "prev_chan", "chan"]).pipe(to_pandas)
    switch_frame = pd.DataFrame({
        "from_channel": channels[switches["prev_chan"].to_numpy(dtype=np.int64)],
        "to_channel": channels[switches["chan"].to_numpy(dtype=np.int64)],
        **{c: switches[c].to_numpy(dtype=np.int64) for c in ["switches", "within_window", "customers"]},
    })

    # each episode's steps in start order: a sorted list of (start, case, step) structs (an ordered collect is
    # not available on every backend)
    ordered = ibis.struct({"s": t.start, "c": t.case, "v": t.step})
    episodes = t.group_by(["cust", "episode"]).aggregate(seq=ordered.collect().sort().map(lambda p: p.v))
    per_seq = to_arrow(episodes.group_by("seq").aggregate(episodes=episodes.count(),
                                                          customers=episodes.cust.nunique()))
    seqs = per_seq.column("seq").to_pylist()
    labels = info["step_labels"]
    variant_frame = pd.DataFrame({
        "variant": [CASE_SEPARATOR.join(str(labels[s]) for s in seq) for seq in seqs],
        "steps": [len(seq) for seq in seqs],
        "episodes": per_seq.column("episodes").to_numpy(),
        "customers": per_seq.column("customers").to_numpy(),
    })
    n_episodes = int(variant_frame["episodes"].sum())
    variant_frame.insert(3, "share", variant_frame["episodes"] / max(n_episodes, 1))
    variant_frame = variant_frame.sort_values(["episodes", "variant"], ascending=[False, True], ignore_index=True)

    n_cases = len(case_frame)
    n_judged = int(channel_frame["episodes"].sum())
    resolved = int(by_channel["resolved"].sum())
    return CustomerJourneys(
        cases=case_frame, customers=customer_frame, recontacts=recontact_frame, channels=channel_frame,
        switches=switch_frame, variants=variant_frame, customer_key=customer_key, channel_key=channel_key,
        window_days=float(window_days), ended_at=None if ended_at is None else
        ([ended_at] if isinstance(ended_at, str) else list(ended_at)), step=step,
        customers_total=len(customer_frame), cases_total=n_cases,
        recontact_rate=float(case_frame["recontact"].mean()) if n_cases else float("nan"),
        parallel_rate=float(case_frame["parallel"].mean()) if n_cases else float("nan"),
        fcr_rate=resolved / n_judged if n_judged else float("nan"), episodes_judged=n_judged,
        cases_censored=int(case_frame["censored"].sum()),
        cases_without_customer=info["cases_without_customer"],
        cases_with_several_customers=_several_customers(ev, customer_key),
        dropped_rows=dict(ev.dropped),
    )


def _utc(ns: pd.Series) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(ns.to_numpy(dtype=np.int64).view("datetime64[ns]")).tz_localize("UTC")
