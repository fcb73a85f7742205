"""Per-touchpoint figures: scores against targets with lights, journey measures, pain points, changes, ranking."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from scipy import stats

from .._docstrings import share_docs
from .._errors import CxInputError
from ..display import Result, is_noise, say, show
from ..display import redact as _redact
from ._link import ACT, CASE, RES, TS, _need
from ._model import MEASURES, TouchpointModel

__all__ = [
    "LIGHT_RULE",
    "RANKING_RULE",
    "JourneyMeasures",
    "critical_touchpoints",
    "journey_touchpoint_measures",
    "pain_points",
    "period_changes",
    "touchpoint_log",
    "touchpoint_scores",
]

# the complaints as an event log: one case per customer, activity = theme / subtheme (pd, read_log,
# read_touchpoint_model, log)
_UWV_TOUCHPOINT_LOG = """
>>> import pandas as pd
>>> from cxlib import read_log
>>> from cxlib.owners import read_touchpoint_model
>>> log = read_log("data/bpic2016_complaints.csv", case="CustomerID", activity="ComplaintTheme_EN",
...                timestamp="ContactDate", resource="ContactChannelID",
...                classifier=["concept:name", "ComplaintSubtheme_EN"], classifier_sep=" / ")
"""

LIGHT_RULE = (
    "Lights (cxlib.scores.traffic_lights) compare a measure's 95% interval with its target and tolerance from "
    "the touchpoint model. Higher is better: green when the interval's lower bound is at or above the target, "
    "red when its upper bound is below target minus tolerance, amber otherwise. Lower is better (negative "
    "share, repeat-contact rate): green when the upper bound is at or below the target, red when the lower "
    "bound is above target plus tolerance, amber otherwise. Grey when fewer responses than the measure's min_n."
)

RANKING_RULE = (
    "Criticality = the mean, over the components measured for this data, of each touchpoint's percentile rank "
    "among the touchpoints (0 = best, 1 = worst) on: volume (feedback rows, else cases), negative share, "
    "score gap to target (target minus value, sign-flipped for lower-is-better measures, scaled by the target's "
    "tolerance + 1), drop-off rate, median wait before the touchpoint, rework rate and hand-off rate. Rank 1 is "
    "the most critical; ties are broken by volume. Components that cannot be measured (no event log, no "
    "score) are left out and listed in the 'components' column."
)


@share_docs(example_uwv_touchpoint_log=_UWV_TOUCHPOINT_LOG)
def touchpoint_log(log: pd.DataFrame, model: TouchpointModel, *, activity_key: str = ACT,
                   keep_unmapped: bool = True) -> pd.DataFrame:
    """The event log with each activity replaced by its touchpoint from the model.

    Parameters
    ----------
    {log}
    model : TouchpointModel
        The touchpoint model: maps activities to touchpoints.
    activity_key : str, default "concept:name"
        Activity column.
    keep_unmapped : bool, default True
        Keep events whose activity has no touchpoint under their activity name; otherwise drop them
        (:func:`journey_touchpoint_measures` counts them in ``unmapped_events`` either way).

    Returns
    -------
    pandas.DataFrame
        A copy of ``log`` whose ``activity_key`` column holds touchpoint names, plus ``activity`` (the original
        activity).

    Examples
    --------
    {example_uwv_touchpoint_log}
    >>> tl = touchpoint_log(log, read_touchpoint_model("notebooks/touchpoints/uwv_complaints.yml"))
    >>> tl["concept:name"].nunique(), len(tl) == len(log)
    (5, True)
    """
    _need(log, [activity_key], "event log")
    mapped = log[activity_key].map(model.activity_map())
    out = log.copy()
    out["activity"] = log[activity_key]
    out[activity_key] = mapped.fillna(log[activity_key]) if keep_unmapped else mapped
    if not keep_unmapped:
        out = out[mapped.notna()].copy()
    return out


def _repeat_contact_counts(tlog: pd.DataFrame, by_period, window_days, case_key, activity_key, timestamp_key):
    """Per touchpoint (and period of the first visit): cases whose first visit there is followed by another
    contact of the case (any touchpoint) within ``window_days``. First visits less than ``window_days`` before
    the log's last event are left out: their follow-up window is not over yet (counted in ``censored``)."""
    ev = tlog[[case_key, activity_key, timestamp_key]].sort_values([case_key, timestamp_key], kind="stable")
    ev = ev.reset_index(drop=True)
    window = pd.Timedelta(days=window_days)
    first = ev.drop_duplicates([case_key, activity_key])
    # the next event of the same case after the first visit (events at the same time count as later)
    nxt_ts = ev[timestamp_key].shift(-1)
    same_next = ev[case_key].eq(ev[case_key].shift(-1))
    nxt = nxt_ts.where(same_next)
    later = (nxt.loc[first.index] - first[timestamp_key]) <= window
    censored = first[timestamp_key] + window > ev[timestamp_key].max()
    frame = pd.DataFrame({"touchpoint": first[activity_key], "k": later.fillna(False).astype(int),
                          "censored": censored.astype(int)})
    keys = ["touchpoint"]
    if by_period:
        frame["period"] = by_period(first[timestamp_key])
        keys = ["touchpoint", "period"]
    g = frame[frame["censored"] == 0].groupby(keys)
    return pd.DataFrame({"n": g.size(), "k": g["k"].sum()}).reset_index()


# Kept beside each estimate so that cxlib.scores.period_change can test a change: the standard error, the
# promoters / detractors (NPS) or positive / negative counts (sentiment index), and the successes of a share.
_COUNTS = ["se", "promoters", "detractors", "positive", "negative", "top2"]


def _period_of(freq):
    def to_period(ts):
        ts = pd.to_datetime(ts, utc=True, errors="coerce")
        return ts.dt.tz_localize(None).dt.to_period(freq).astype(str)
    return to_period


@share_docs(example_uwv_touchpoint_log=_UWV_TOUCHPOINT_LOG)
def touchpoint_scores(linked: pd.DataFrame, model: TouchpointModel, *, log: pd.DataFrame | None = None,
                      score: str = "score", sentiment: str = "sentiment", positive="positive",
                      neutral="neutral", negative="negative", period: str | None = None, date: str = "date",
                      level: float = 0.95, repeat_window_days: float = 30.0, case_key: str = CASE,
                      activity_key: str = ACT, timestamp_key: str = TS) -> pd.DataFrame:
    """Every measure of every touchpoint against its target, with its interval and light.

    NPS and CSAT come from ``cxlib.scores`` (adjusted-Wald intervals), the sentiment index too; the negative
    share and the repeat-contact rate (of the cases whose first visit to the touchpoint is followed by another
    contact of the case within ``repeat_window_days``; first visits whose window reaches past the log's last
    event are left out) get an adjusted-Wald proportion interval. The light follows ``LIGHT_RULE``.

    Parameters
    ----------
    linked : pandas.DataFrame
        Feedback with a ``touchpoint`` column (from :func:`cxlib.owners.link_feedback`).
    model : TouchpointModel
        Touchpoints with their measures and targets.
    log : pandas.DataFrame, optional
        Event log, needed for ``repeat_contact_rate``.
    score, sentiment : str
        Score column (0-10 for NPS, the scale of ``csat``) and sentiment-label column.
    positive, neutral, negative : str
        Sentiment labels.
    period : str, optional
        A pandas period alias (``"D"``, ``"W"``, ``"M"``, ``"Q"``) for one row per period as well.
    date : str, default "date"
        Feedback date column (for ``period``).
    level : float, default 0.95
        Confidence level.
    repeat_window_days : float, default 30
        Follow-up window of the repeat-contact rate.
    case_key, activity_key, timestamp_key : str
        Log column names.

    Returns
    -------
    pandas.DataFrame
        One row per touchpoint, measure (and ``period`` when asked): ``touchpoint``, ``owner``, ``period``
        (empty without ``period``), ``period_start`` (NaT without), ``measure``, ``n``, ``value``, ``ci_low``,
        ``ci_high``, ``target``, ``tolerance``, ``min_n``, ``higher_is_better``, ``light``, ``reason`` (from
        :func:`cxlib.scores.traffic_lights`), and for the change tests ``se``, ``promoters``, ``detractors``
        (NPS), ``positive``, ``negative`` (sentiment index), ``top2`` (successes of a share: top-2-box, negative
        rows, cases with a repeat contact). Measures whose input column is missing get ``n = 0`` and a grey
        light.

    {example_airline}
    >>> from cxlib.owners import link_feedback
    >>> linked = link_feedback(tweets, model, methods=["label", "topic"], label="negativereason").linked
    >>> s = touchpoint_scores(linked, model, sentiment="airline_sentiment")
    >>> s[["touchpoint", "light"]].values.tolist()[0]
    ['Booking and check-in', 'amber']
    """
    from .. import scores as cs

    _need(linked, ["touchpoint"], "linked feedback")
    to_period = _period_of(period) if period else None
    fb = linked[linked["touchpoint"].notna()].copy()
    by = ["touchpoint"]
    if to_period:
        _need(fb, [date], "feedback")
        fb["period"] = to_period(fb[date])
        by = ["touchpoint", "period"]
    wanted = {m["measure"] for tp in model.touchpoints for m in tp.measures}
    results = {}
    if "nps" in wanted and score in fb.columns:
        results["nps"] = cs.nps(fb, score=score, by=by, level=level)
    if "sentiment_index" in wanted and sentiment in fb.columns:
        results["sentiment_index"] = cs.sentiment_index(fb, sentiment=sentiment, by=by, positive=positive,
                                                        neutral=neutral, negative=negative, level=level)
    if "negative_share" in wanted and sentiment in fb.columns:
        valid = fb[fb[sentiment].isin([positive, neutral, negative])]
        g = valid.assign(_neg=valid[sentiment].eq(negative)).groupby(by)["_neg"]
        t = pd.DataFrame({"n": g.size(), "k": g.sum()}).reset_index()
        t["value"] = t["k"] / t["n"] * 100
        t["se"] = np.sqrt(t["value"] * (100 - t["value"]) / t["n"])
        t["ci_low"], t["ci_high"] = cs.proportion_interval(t["k"], t["n"], level=level)
        results["negative_share"] = t.rename(columns={"k": "top2"})
    if "repeat_contact_rate" in wanted and log is not None:
        tlog = touchpoint_log(log, model, activity_key=activity_key)
        t = _repeat_contact_counts(tlog, to_period, repeat_window_days, case_key, activity_key, timestamp_key)
        t["value"] = t["k"] / t["n"] * 100
        t["se"] = np.sqrt(t["value"] * (100 - t["value"]) / t["n"])
        t["ci_low"], t["ci_high"] = cs.proportion_interval(t["k"], t["n"], level=level)
        results["repeat_contact_rate"] = t.rename(columns={"k": "top2"})
    rows = []
    for tp in model.touchpoints:
        for m in tp.measures:
            name = m["measure"]
            table = results.get(name)
            if name == "csat" and score in fb.columns:
                scale = tuple(m.get("scale") or (1, 5))
                table = cs.csat(fb, score=score, by=by, scale=scale, level=level)
            sub = (table[table["touchpoint"] == tp.name] if table is not None
                   else pd.DataFrame(columns=["n", "value", "ci_low", "ci_high"]))
            if sub.empty:
                sub = pd.DataFrame([{"n": 0, "value": np.nan, "ci_low": np.nan, "ci_high": np.nan}])
            for _, r in sub.iterrows():
                rows.append({"touchpoint": tp.name, "owner": tp.owner, "period": r.get("period", ""),
                             "measure": name, "n": int(r["n"]), "value": r["value"], "ci_low": r["ci_low"],
                             "ci_high": r["ci_high"], "higher_is_better": MEASURES[name]["higher_is_better"],
                             **{c: r.get(c, np.nan) for c in _COUNTS}})
    base = pd.DataFrame(rows, columns=["touchpoint", "owner", "period", "measure", "n", "value", "ci_low",
                                       "ci_high", "higher_is_better", *_COUNTS])
    out = cs.traffic_lights(base, targets=model.targets(), touchpoint="touchpoint")
    if period:
        out = out[out["period"].astype(str) != ""].copy()
        out["period_start"] = pd.PeriodIndex(out["period"].astype(str), freq=period).to_timestamp()
        out = out.sort_values(["touchpoint", "measure", "period"], kind="stable").reset_index(drop=True)
    else:
        out["period_start"] = pd.NaT
    columns = ["touchpoint", "owner", "period", "period_start", "measure", "n", "value", "ci_low", "ci_high",
               "target", "tolerance", "min_n", "higher_is_better", "light", "reason", *_COUNTS]
    return out[columns]


@share_docs(example_uwv_touchpoint_log=_UWV_TOUCHPOINT_LOG)
@dataclasses.dataclass
class JourneyMeasures(Result):
    """Journey measures per touchpoint of the model, with the successful ends used and the unmapped events.

    Returned by :func:`journey_touchpoint_measures`; :func:`critical_touchpoints` takes it (or its ``table``).
    ``show()`` renders how the successful ends were chosen, the events the model does not map (if any) and the
    table.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per touchpoint of the model; the columns are listed in :func:`journey_touchpoint_measures`.
    success_ends : list of str
        The successful end touchpoints used for ``dropoff_rate`` (given or inferred).
    success_note : str
        How they were chosen (see :func:`cxlib.journeys.dropoffs`).
    unmapped_events : int
        Events of activities the model does not name (kept in the journeys under their activity name).

    Examples
    --------
    {example_uwv_touchpoint_log}
    >>> jm = journey_touchpoint_measures(log, read_touchpoint_model("notebooks/touchpoints/uwv_complaints.yml"))
    >>> jm.unmapped_events, jm.table.columns.tolist()[:3]
    (0, ['touchpoint', 'owner', 'events'])
    """

    table: pd.DataFrame
    success_ends: list
    success_note: str
    unmapped_events: int

    def parts(self) -> list:
        """How the successful ends were chosen, the unmapped events (if any) and the measures."""
        out = [say("{n}", n=self.success_note)] if self.success_note else []
        if self.unmapped_events:
            out.append(say("Events whose activity the touchpoint model does not name: {n} (they stay in the journeys "
                           "under their activity name).", n=f"{self.unmapped_events:,}"))
        return [*out, show(self.table, caption="Journey measures per touchpoint")]


@share_docs(example_uwv_touchpoint_log=_UWV_TOUCHPOINT_LOG)
def journey_touchpoint_measures(log: pd.DataFrame, model: TouchpointModel, *, success_ends=None,
                                window_days: float = 7.0, case_key: str = CASE, activity_key: str = ACT,
                                timestamp_key: str = TS, resource_key: str | None = RES) -> JourneyMeasures:
    """Journey measures per touchpoint (the activities of a touchpoint merged): volume, drop-off, wait, rework.

    Computed by :func:`cxlib.journeys.touchpoints` on the log relabelled to touchpoints
    (:func:`touchpoint_log`); activities that the model does not name stay in the log under their own name
    (so waits and drop-offs are measured on the whole journey) but get no row here.

    Parameters
    ----------
    {log}
    model : TouchpointModel
        Its activities are mapped to touchpoints as in :func:`touchpoint_log`.
    success_ends : list of str, optional
        Touchpoints where a journey ends successfully; inferred by :func:`cxlib.journeys.dropoffs` when not
        given (the inference is in ``success_note`` of the result).
    window_days : float, default 7
        Window for repeated contacts.
    case_key, activity_key, timestamp_key, resource_key : str
        Column names (``resource_key`` may be None or absent: hand-offs are then NaN).

    Returns
    -------
    JourneyMeasures
        ``table``: one row per touchpoint of the model: ``touchpoint``, ``owner``, ``events``, ``cases``,
        ``dropoff_rate`` (of the cases that reached it, the share that ended there without a successful end),
        ``median_wait_before_h`` (median wait into it, hours), ``rework_rate`` (share of its cases that visit it
        more than once), ``repeat_rate`` (share with a repeat visit within ``window_days``), ``handoff_rate``
        (share of arrivals at it where the resource changed). ``success_ends``, ``success_note`` and
        ``unmapped_events``: see :class:`JourneyMeasures`.

    Examples
    --------
    {example_uwv_touchpoint_log}
    >>> model = read_touchpoint_model("notebooks/touchpoints/uwv_complaints.yml")
    >>> int(journey_touchpoint_measures(log, model).table["events"].sum())
    289
    """
    from .. import journeys as cj

    tlog = touchpoint_log(log, model, activity_key=activity_key)
    measured = cj.touchpoints(tlog, success_ends=success_ends, resource_key=resource_key, window_days=window_days,
                              case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    table = measured.table
    columns = ["events", "cases", "dropoff_rate", "median_wait_before_h", "rework_rate", "repeat_rate",
               "handoff_rate"]
    t = table.set_index("touchpoint")
    out = pd.DataFrame({"touchpoint": [tp.name for tp in model.touchpoints],
                        "owner": [tp.owner for tp in model.touchpoints]})
    for col in columns:
        out[col] = t[col].reindex(out["touchpoint"]).to_numpy() if col in t.columns else np.nan
    out[["events", "cases"]] = out[["events", "cases"]].fillna(0).astype(int)
    unmapped = int(log[activity_key].map(model.activity_map()).isna().sum())
    return JourneyMeasures(out, measured.success_ends, measured.success_note, unmapped)


def _readable_examples(verbatims: pd.Series, k: int) -> pd.Series:
    """The ``k`` verbatims whose length without @handles and URLs (or their tags) is closest to 120 chars."""
    if verbatims.empty or k <= 0:
        return verbatims.iloc[0:0]
    core = verbatims.str.replace(r"@\w+|https?://\S+|\[(?:HANDLE|URL)\]", "", regex=True)
    core = core.str.strip().str.len()
    distance = (core - 120).abs()
    return verbatims.loc[distance.sort_values(kind="stable").index].head(k)


@share_docs(example_uwv_touchpoint_log=_UWV_TOUCHPOINT_LOG)
def pain_points(linked: pd.DataFrame, *, topic: str = "topic", text: str = "text", negative=None, top: int = 3,
                examples: int = 2, redact: bool = False) -> pd.DataFrame:
    """The top negative topics per touchpoint, with example verbatims.

    Parameters
    ----------
    linked : pandas.DataFrame
        Feedback with ``touchpoint`` and a topic column.
    topic : str, default "topic"
        Topic (or reason / category) column.
    text : str, default "text"
        Verbatim column for the examples.
    negative : pandas.Series of bool, optional
        Which rows are negative (aligned with ``linked``); only those count. All rows count when not given
        (e.g. when every row is a complaint).
    top : int, default 3
        Topics per touchpoint.
    examples : int, default 2
        Example verbatims per topic (distinct, the ones closest to 120 characters after @handles and URLs are
        set aside, so examples are neither one-word nor essays; a verbatim equal to the topic label is
        skipped).
    redact : bool, default False
        Redact personal data in each example verbatim (:func:`cxlib.display.redact`); owner reports must.

    Returns
    -------
    pandas.DataFrame
        ``touchpoint``, ``rank``, ``topic``, ``count`` (negative rows with the topic), ``share`` (of the
        touchpoint's negative rows, 0-1), ``examples`` (verbatims joined with " | "). Topics that name no
        actionable cause ("Can't Tell", "other", outliers: :func:`cxlib.display.is_noise`) are not ranked; their
        rows still count in the touchpoint's negative rows behind ``share``.

    {example_airline}
    >>> from cxlib.owners import link_feedback
    >>> linked = link_feedback(tweets, model, methods=["label"], label="negativereason").linked
    >>> p = pain_points(linked, topic="negativereason", negative=linked["airline_sentiment"].eq("negative"), top=1)
    >>> p.loc[p["touchpoint"] == "Flight", "topic"].item()
    'Late Flight'
    """
    _need(linked, ["touchpoint", topic, text], "linked feedback")
    keep = linked["touchpoint"].notna() & linked[topic].notna()
    if negative is not None:
        keep &= negative.reindex(linked.index).fillna(False).astype(bool)
    fb = linked[keep]
    rows = []
    for tp, group in fb.groupby("touchpoint", sort=True):
        counts = group[topic].astype(str).value_counts()
        counts = counts[[not is_noise(name) for name in counts.index]]  # "Can't Tell" is no pain point
        for rank, (name, count) in enumerate(counts.head(top).items(), start=1):
            verbatims = group.loc[group[topic].astype(str) == name, text].dropna().astype(str).str.strip()
            # a verbatim that only repeats the topic label (e.g. complaint categories) is no example
            verbatims = verbatims[(verbatims != "") & (verbatims.str.casefold() != str(name).casefold())]
            verbatims = verbatims.drop_duplicates()
            chosen = _readable_examples(verbatims, examples)
            if redact:
                chosen = chosen.map(lambda t: _redact(t)[0])
            rows.append({"touchpoint": tp, "rank": rank, "topic": name, "count": int(count),
                         "share": count / len(group), "examples": " | ".join(chosen)})
    return pd.DataFrame(rows, columns=["touchpoint", "rank", "topic", "count", "share", "examples"])


@share_docs(example_uwv_touchpoint_log=_UWV_TOUCHPOINT_LOG)
def topic_changes(linked: pd.DataFrame, *, topic: str = "topic", date: str = "date", period: str = "M",
                  negative=None, current: str | None = None, previous: str | None = None, top: int = 5,
                  level: float = 0.95) -> pd.DataFrame:
    """Which complaint topics grew or shrank at each touchpoint since the previous period.

    For each touchpoint and topic: its share of the touchpoint's (negative) feedback in the previous and the
    current period, the change, and a two-proportion z-test (pooled standard error) with the change's interval
    (unpooled). The p-values are per topic, not corrected for testing several topics.

    Parameters
    ----------
    linked : pandas.DataFrame
        Feedback with ``touchpoint``, a topic column and a date column.
    topic, date : str
        Columns.
    period : str, default "M"
        Pandas period alias ("D", "W", "M", "Q").
    negative : pandas.Series of bool, optional
        Only these rows count (all rows when not given).
    current, previous : str, optional
        Periods to compare; default the latest period with feedback and the one before it.
    top : int, default 5
        Topics per touchpoint, largest absolute change first.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        ``touchpoint``, ``topic``, ``previous``, ``current`` (period labels), ``count_previous``,
        ``count_current``, ``share_previous``, ``share_current`` (0-1 of the touchpoint's rows in that period),
        ``change``, ``change_low``, ``change_high``, ``p_value``, ``verdict`` (``"more"``, ``"fewer"`` or
        ``"no clear change"`` at ``1 - level``).

    {example_airline}
    >>> from cxlib.owners import link_feedback
    >>> linked = link_feedback(tweets, model, methods=["label"], label="negativereason").linked
    >>> t = topic_changes(linked, topic="negativereason", date="tweet_created", period="D")
    >>> t[["previous", "current"]].iloc[0].tolist()
    ['2015-02-23', '2015-02-24']
    """
    _need(linked, ["touchpoint", topic, date], "linked feedback")
    keep = linked["touchpoint"].notna() & linked[topic].notna()
    if negative is not None:
        keep &= negative.reindex(linked.index).fillna(False).astype(bool)
    fb = linked[keep].copy()
    fb["_period"] = _period_of(period)(fb[date])
    fb = fb[fb["_period"].notna() & (fb["_period"] != "NaT")]
    columns = ["touchpoint", "topic", "previous", "current", "count_previous", "count_current", "share_previous",
               "share_current", "change", "change_low", "change_high", "p_value", "verdict"]
    periods = sorted(fb["_period"].unique())
    if len(periods) < 2:
        return pd.DataFrame(columns=columns)
    current = current or periods[-1]
    if previous is None:
        earlier = [p for p in periods if p < current]
        previous = earlier[-1] if earlier else None
    z = float(stats.norm.ppf(0.5 + level / 2))
    rows = []
    for tp, group in fb.groupby("touchpoint", sort=True):
        prev, cur = group[group["_period"] == previous], group[group["_period"] == current]
        n0, n1 = len(prev), len(cur)
        if n0 == 0 or n1 == 0:
            continue
        c0 = prev[topic].astype(str).value_counts()
        c1 = cur[topic].astype(str).value_counts()
        part = []
        for name in sorted(set(c0.index) | set(c1.index)):
            k0, k1 = int(c0.get(name, 0)), int(c1.get(name, 0))
            p0, p1 = k0 / n0, k1 / n1
            pooled = (k0 + k1) / (n0 + n1)
            se0 = np.sqrt(pooled * (1 - pooled) * (1 / n0 + 1 / n1))
            pval = float(2 * stats.norm.sf(abs(p1 - p0) / se0)) if se0 > 0 else np.nan
            se = np.sqrt(p0 * (1 - p0) / n0 + p1 * (1 - p1) / n1)
            verdict = ("more" if p1 > p0 else "fewer") if pd.notna(pval) and pval < 1 - level else "no clear change"
            part.append({"touchpoint": tp, "topic": name, "previous": previous, "current": current,
                         "count_previous": k0, "count_current": k1, "share_previous": p0, "share_current": p1,
                         "change": p1 - p0, "change_low": p1 - p0 - z * se, "change_high": p1 - p0 + z * se,
                         "p_value": pval, "verdict": verdict})
        part.sort(key=lambda r: -abs(r["change"]))
        rows.extend(part[:top])
    return pd.DataFrame(rows, columns=columns)


def period_changes(scores_by_period: pd.DataFrame, *, current: str | None = None,
                   previous: str | None = None, level: float = 0.95) -> pd.DataFrame:
    """What changed since the previous period, per touchpoint and measure, tested by :func:`cxlib.scores.period_change`.

    NPS and sentiment index: z-test on the difference of net scores (adjusted-Wald variances); shares (negative
    share, repeat-contact rate, top-2-box): two-proportion z-test with the pooled share.

    Parameters
    ----------
    scores_by_period : pandas.DataFrame
        Output of :func:`touchpoint_scores` with ``period``.
    current, previous : str, optional
        Periods to compare; default the latest period in the table and the one before it.
    level : float, default 0.95
        Confidence level of the change's interval.

    Returns
    -------
    pandas.DataFrame
        One row per touchpoint and measure: ``touchpoint``, ``owner``, ``measure``, ``previous``, ``current``
        (period labels), ``n_previous``, ``n_current``, ``value_previous``, ``value_current``, ``change``
        (current - previous), ``change_low``, ``change_high`` (change +- z x the test's standard error),
        ``p_value`` (two-sided), ``test`` (its name), ``light_previous``, ``light_current``, ``verdict`` (``"better"``,
        ``"worse"`` when p < 1 - level, else ``"no clear change"``; ``"not measured"`` when a period is
        missing).

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.owners import read_touchpoint_model, link_feedback, touchpoint_scores
    >>> model = read_touchpoint_model("notebooks/touchpoints/airline.yml")
    >>> tweets = pd.read_csv("data/airline_tweets.csv.gz").rename(columns={"tweet_created": "date"})
    >>> linked = link_feedback(tweets, model, methods=["label", "topic"], label="negativereason").linked
    >>> by_day = touchpoint_scores(linked, model, sentiment="airline_sentiment", period="D")
    >>> period_changes(by_day)[["previous", "current"]].iloc[0].tolist()
    ['2015-02-23', '2015-02-24']
    """
    from .. import scores as cs

    _need(scores_by_period, ["touchpoint", "measure", "period", "value", "ci_low", "ci_high", "n"], "score table")
    table = scores_by_period[scores_by_period["period"].astype(str) != ""]
    periods = sorted(table["period"].astype(str).unique())
    if not periods:
        raise CxInputError("the score table has no periods; call touchpoint_scores(..., period='M')",
                           column="period")
    current = current or periods[-1]
    if previous is None:
        earlier = [p for p in periods if p < current]
        previous = earlier[-1] if earlier else None
    z = float(stats.norm.ppf(0.5 + level / 2))
    tested = pd.DataFrame()
    if previous is not None:
        tested = cs.period_change(table, by=["touchpoint"], current=current, previous=previous, level=level)
    tested = tested.set_index(["touchpoint", "measure"]) if len(tested) else tested
    rows = []
    for (tp, measure), group in table.groupby(["touchpoint", "measure"], sort=False):
        cur = group[group["period"].astype(str) == current]
        prev = group[group["period"].astype(str) == previous] if previous else group.iloc[0:0]
        c = cur.iloc[0] if len(cur) else None
        p = prev.iloc[0] if len(prev) else None
        row = {"touchpoint": tp, "owner": group["owner"].iloc[0] if "owner" in group else "", "measure": measure,
               "previous": previous, "current": current,
               "n_previous": int(p["n"]) if p is not None else 0, "n_current": int(c["n"]) if c is not None else 0,
               "value_previous": p["value"] if p is not None else np.nan,
               "value_current": c["value"] if c is not None else np.nan,
               "light_previous": p["light"] if p is not None and "light" in p else "",
               "light_current": c["light"] if c is not None and "light" in c else ""}
        if len(tested) and (tp, measure) in tested.index:
            t = tested.loc[(tp, measure)]
            change, se, pval = float(t["change"]), float(t["se_change"]), float(t["p_value"])
            hib = bool(group["higher_is_better"].iloc[0]) if "higher_is_better" in group else True
            if pd.notna(pval) and pval < 1 - level:
                verdict = "better" if (change > 0) == hib else "worse"
            else:
                verdict = "no clear change"
            row.update(change=change, change_low=change - z * se, change_high=change + z * se, p_value=pval,
                       test=t["test"], verdict=verdict)
        else:
            row.update(change=np.nan, change_low=np.nan, change_high=np.nan, p_value=np.nan, test="",
                       verdict="not measured")
        rows.append(row)
    columns = ["touchpoint", "owner", "measure", "previous", "current", "n_previous", "n_current",
               "value_previous", "value_current", "change", "change_low", "change_high", "p_value", "test",
               "light_previous", "light_current", "verdict"]
    return pd.DataFrame(rows, columns=columns)


@share_docs(example_uwv_touchpoint_log=_UWV_TOUCHPOINT_LOG)
def critical_touchpoints(model: TouchpointModel, *, scores: pd.DataFrame | None = None,
                         journey: JourneyMeasures | pd.DataFrame | None = None, linked: pd.DataFrame | None = None,
                         pains: pd.DataFrame | None = None, negative=None) -> pd.DataFrame:
    """One ranked table of touchpoints: journey measures, negative share, top negative topics, score vs target.

    The rule is ``RANKING_RULE`` (printed in the dashboard): the mean percentile rank of the measured components.

    Parameters
    ----------
    model : TouchpointModel
        The touchpoints and owners.
    scores : pandas.DataFrame, optional
        :func:`touchpoint_scores` without periods (the first measure of each touchpoint is the headline).
    journey : JourneyMeasures or pandas.DataFrame, optional
        :func:`journey_touchpoint_measures` (the result or its ``table``).
    linked : pandas.DataFrame, optional
        Linked feedback (volume; negative share when ``negative`` is given).
    pains : pandas.DataFrame, optional
        :func:`pain_points` (top negative topics).
    negative : pandas.Series of bool, optional
        Which rows of ``linked`` are negative (NaN: unknown, left out of the share).

    Returns
    -------
    pandas.DataFrame
        One row per touchpoint, most critical first: ``rank``, ``touchpoint``, ``owner``, ``feedback`` (linked
        feedback rows), ``cases``, ``dropoff_rate``, ``median_wait_before_h``, ``rework_rate``,
        ``handoff_rate``, ``negative_share`` (0-1), ``top_negative_topics``, ``measure``, ``value``, ``ci_low``,
        ``ci_high``, ``target``, ``light``, ``criticality`` (0-1, see ``RANKING_RULE``), ``components``
        (the components that entered it).

    {example_airline}
    >>> from cxlib.owners import link_feedback, touchpoint_scores
    >>> linked = link_feedback(tweets, model, methods=["label", "topic"], label="negativereason").linked
    >>> s = touchpoint_scores(linked, model, sentiment="airline_sentiment")
    >>> neg = linked["airline_sentiment"].eq("negative")
    >>> critical_touchpoints(model, scores=s, linked=linked, negative=neg)["rank"].tolist()
    [1, 2, 3, 4]
    """
    base = pd.DataFrame({"touchpoint": [tp.name for tp in model.touchpoints],
                         "owner": [tp.owner for tp in model.touchpoints]})
    n = len(base)
    for col in ("feedback", "cases", "dropoff_rate", "median_wait_before_h", "rework_rate", "handoff_rate",
                "negative_share", "value", "ci_low", "ci_high", "target"):
        base[col] = np.nan
    base["top_negative_topics"], base["measure"], base["light"] = "", "", "grey"
    base = base.set_index("touchpoint")
    gap = pd.Series(np.nan, index=base.index)
    if linked is not None:
        has = linked[linked["touchpoint"].notna()]
        base["feedback"] = has.groupby("touchpoint").size().reindex(base.index).fillna(0)
        if negative is not None:
            flag = negative.reindex(has.index).astype(float)
            base["negative_share"] = flag.groupby(has["touchpoint"]).mean().reindex(base.index)
    if journey is not None:
        j = (journey.table if isinstance(journey, JourneyMeasures) else journey).set_index("touchpoint")
        for col in ("cases", "dropoff_rate", "median_wait_before_h", "rework_rate", "handoff_rate"):
            base[col] = j[col].reindex(base.index)
    if scores is not None and len(scores):
        head = scores[scores.get("period", pd.Series("", index=scores.index)).astype(str) == ""]
        head = head.drop_duplicates("touchpoint").set_index("touchpoint")
        for col in ("measure", "value", "ci_low", "ci_high", "target", "light"):
            base[col] = head[col].reindex(base.index).where(lambda s: s.notna(), base[col])
        sign = np.where(head["higher_is_better"].reindex(base.index).fillna(True).astype(bool), 1.0, -1.0)
        tolerance = head["tolerance"].reindex(base.index).astype(float)
        gap = (base["target"].astype(float) - base["value"].astype(float)) * sign / (tolerance + 1)
    if pains is not None and len(pains):
        tops = pains.sort_values(["touchpoint", "rank"]).groupby("touchpoint")["topic"].agg(
            lambda s: "; ".join(map(str, s)))
        base["top_negative_topics"] = tops.reindex(base.index).fillna("")
    volume = base["feedback"] if base["feedback"].notna().any() and base["feedback"].sum() > 0 else base["cases"]
    components = {"volume": volume, "negative share": base["negative_share"], "score gap to target": gap,
                  "drop-off rate": base["dropoff_rate"], "wait before": base["median_wait_before_h"],
                  "rework rate": base["rework_rate"], "hand-off rate": base["handoff_rate"]}
    used = {name: s.astype(float) for name, s in components.items()
            if s.notna().sum() >= 2 and s.astype(float).nunique(dropna=True) > 1}
    if used:
        ranks = pd.DataFrame({name: s.rank(pct=True, method="average") for name, s in used.items()})
        # percentile ranks run 1/n..1; rescale to 0..1 so the best touchpoint scores 0 and the worst 1
        ranks = (ranks - ranks.min()) / (ranks.max() - ranks.min())
        base["criticality"] = ranks.mean(axis=1, skipna=True)
    else:
        base["criticality"] = np.nan
    base["components"] = ", ".join(used) if used else "none measured"
    base = base.reset_index()
    base["_volume"] = volume.to_numpy()
    base = base.sort_values(["criticality", "_volume"], ascending=[False, False], na_position="last",
                            kind="stable").drop(columns="_volume").reset_index(drop=True)
    base.insert(0, "rank", np.arange(1, n + 1))
    columns = ["rank", "touchpoint", "owner", "feedback", "cases", "dropoff_rate", "median_wait_before_h",
               "rework_rate", "handoff_rate", "negative_share", "top_negative_topics", "measure", "value",
               "ci_low", "ci_high", "target", "light", "criticality", "components"]
    return base[columns]
