"""Linking feedback to journeys: by case id, by touchpoint label, by topic/seed words; with coverage."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd

from .. import journeys as cj
from .._docstrings import share_docs
from .._errors import CxInputError
from ..display import Result, say, show
from ..io import ACTIVITY as ACT
from ..io import CASE, parse_scores
from ..io import RESOURCE as RES
from ..io import TIMESTAMP as TS
from ._model import TouchpointModel

__all__ = [
    "LinkedFeedback",
    "PerCaseTable",
    "case_journey_measures",
    "link_by_case",
    "link_by_label",
    "link_by_topic",
    "link_coverage",
    "link_feedback",
    "per_case_table",
]


def _need(df: pd.DataFrame, columns, what: str):
    missing = [c for c in columns if c is not None and c not in df.columns]
    if missing:
        raise CxInputError(f"the {what} has no column {missing[0]!r}; columns: {', '.join(map(str, df.columns))}",
                           column=missing[0])


@share_docs
def case_journey_measures(log: pd.DataFrame, *, case_key: str = CASE, activity_key: str = ACT,
                          timestamp_key: str = TS, resource_key: str | None = RES,
                          repeat_window_days: float | None = None) -> pd.DataFrame:
    """Journey measures per case: contacts, waits, hand-offs and repeated contacts.

    Throughput and hand-offs come from :func:`cxlib.journeys.throughput` and
    :func:`cxlib.journeys.case_handoffs`; waits between consecutive events and repeated contacts are added here.

    Parameters
    ----------
    {log}
    {log_keys}
    resource_key : str or None, default "org:resource"
        Resource (or channel / group) column for hand-offs; ``None`` or a missing column gives NaN hand-offs.
    repeat_window_days : float, optional
        A contact counts as repeated when the case had the same activity before, within this many days
        (any time when ``None``).

    Returns
    -------
    pandas.DataFrame
        One row per case: ``case_id`` (str), ``events``, ``first_contact``, ``last_contact`` (UTC),
        ``throughput_h`` (last minus first event, hours), ``mean_wait_h`` and ``max_wait_h`` (between
        consecutive events, NaN for single-event cases), ``handoffs`` (consecutive events with a different
        resource), ``repeated_contacts`` (events repeating an earlier activity of the case),
        ``activities`` (distinct activities).

    {example_complaints_log}
    >>> m = case_journey_measures(log)
    >>> int(m["events"].sum()), int((m["events"] > 1).sum())
    (289, 46)
    """
    _need(log, [case_key, activity_key, timestamp_key], "event log")
    keys = {"case_key": case_key, "activity_key": activity_key, "timestamp_key": timestamp_key}
    through = cj.throughput(log, **keys)
    out = pd.DataFrame({"case_id": through["case"].astype(str), "events": through["events"].to_numpy(),
                        "first_contact": through["start"].to_numpy(), "last_contact": through["end"].to_numpy(),
                        "throughput_h": through["throughput_h"].to_numpy()})
    ev = log[[case_key, activity_key, timestamp_key]].sort_values([case_key, timestamp_key], kind="stable")
    same_case = ev[case_key].eq(ev[case_key].shift())
    wait = ((ev[timestamp_key] - ev[timestamp_key].shift()).dt.total_seconds() / 3600).where(same_case)
    prev = ev.groupby([case_key, activity_key], sort=False)[timestamp_key].shift()
    repeated = prev.notna()
    if repeat_window_days is not None:
        repeated &= (ev[timestamp_key] - prev).dt.total_seconds() / 86400 <= repeat_window_days
    frame = pd.DataFrame({"case_id": ev[case_key].astype(str), "wait": wait, "repeated": repeated.astype(int),
                          "activity": ev[activity_key]})
    g = frame.groupby("case_id")
    per = pd.DataFrame({"mean_wait_h": g["wait"].mean(), "max_wait_h": g["wait"].max(),
                        "repeated_contacts": g["repeated"].sum(), "activities": g["activity"].nunique()})
    if resource_key is not None and resource_key in log.columns:
        hand = cj.case_handoffs(log, resource_key=resource_key, **keys)
        per["handoffs"] = pd.Series(hand["handoffs"].to_numpy(float), index=hand["case"].astype(str))
    else:
        per["handoffs"] = np.nan
    out = out.join(per, on="case_id")
    columns = ["case_id", "events", "first_contact", "last_contact", "throughput_h", "mean_wait_h", "max_wait_h",
               "handoffs", "repeated_contacts", "activities"]
    return out[columns]


def _empty_link(feedback: pd.DataFrame) -> pd.DataFrame:
    out = feedback.copy()
    for col in ("touchpoint", "link"):
        if col not in out.columns:
            out[col] = pd.Series(pd.NA, index=out.index, dtype="object")
    return out


@share_docs
def link_by_case(feedback: pd.DataFrame, log: pd.DataFrame, *, model: TouchpointModel | None = None,
                 case_id: str = "case_id", date: str | None = "date", event_id: str | None = None,
                 case_key: str = CASE, activity_key: str = ACT, timestamp_key: str = TS) -> pd.DataFrame:
    """Link feedback rows to journey cases that share their id, and to the touchpoint they are about.

    A row whose ``case_id`` occurs in the log is linked (``link = "case"``). Its touchpoint is the touchpoint of
    the event it names (``event_id``, a column present in both tables, e.g. a contact id), otherwise the last
    event of the case at or before the feedback ``date``, otherwise the case's last event; the event's
    activity is mapped to a touchpoint through ``model`` (rows whose activity has no touchpoint keep
    ``touchpoint`` empty but stay linked to their case).

    Parameters
    ----------
    feedback : pandas.DataFrame
        Feedback with a case-id column.
    {log}
    model : TouchpointModel, optional
        Maps activities to touchpoints.
    case_id : str, default "case_id"
        Case-id column of ``feedback``.
    date : str or None, default "date"
        Feedback date column (ignored when absent).
    event_id : str, optional
        Column present in both tables that names the exact event.
    {log_keys}

    Returns
    -------
    pandas.DataFrame
        A copy of ``feedback`` with ``case_found`` (bool), ``activity`` (the linked event's activity),
        ``touchpoint`` and ``link`` (``"case"`` for linked rows, existing values kept otherwise).

    {example_complaints_log}
    >>> raw = pd.read_csv("data/bpic2016_complaints.csv", sep=";", encoding="latin-1")
    >>> fb = raw.rename(columns={"CustomerID": "case_id", "ContactDate": "date"})
    >>> linked = link_by_case(fb, log, event_id="ComplaintID")
    >>> int(linked["case_found"].sum())
    289
    """
    _need(feedback, [case_id], "feedback")
    _need(log, [case_key, activity_key, timestamp_key], "event log")
    out = _empty_link(feedback)
    keys = out[case_id].astype("string").str.strip()
    cases = set(log[case_key].astype(str))
    found = keys.isin(cases).fillna(False).astype(bool)
    out["case_found"] = found
    activity = pd.Series(pd.NA, index=out.index, dtype="object")
    if event_id is not None and event_id in log.columns and event_id in out.columns:
        ev = log[[case_key, event_id, activity_key]].astype({case_key: str, event_id: str})
        ev = ev.drop_duplicates([case_key, event_id])
        m = pd.DataFrame({"_k": keys.astype(object), "_e": out[event_id].astype(str), "_i": out.index}).merge(
            ev.rename(columns={case_key: "_k", event_id: "_e"}), on=["_k", "_e"], how="left")
        activity.loc[m["_i"].to_numpy()] = m[activity_key].to_numpy()
    todo = found & activity.isna()
    if todo.any() and date is not None and date in out.columns:
        # both sides in UTC nanoseconds: merge_asof refuses keys of different units (a CSV read in µs, an XES in ns)
        when = pd.to_datetime(out.loc[todo, date], errors="coerce", utc=True).dt.as_unit("ns")
        left = pd.DataFrame({"_k": keys[todo].astype(str), "_t": when, "_i": out.index[todo]}).dropna(subset=["_t"])
        right = (log[[case_key, timestamp_key, activity_key]].rename(columns={case_key: "_k", timestamp_key: "_t"})
                 .astype({"_k": str}).dropna(subset=["_t"]))
        right["_t"] = pd.to_datetime(right["_t"], utc=True).dt.as_unit("ns")
        if len(left):
            m = pd.merge_asof(left.sort_values("_t"), right.sort_values("_t"), on="_t", by="_k",
                              direction="backward")
            activity.loc[m["_i"].to_numpy()] = m[activity_key].to_numpy()
    todo = found & activity.isna()
    if todo.any():
        last = (log.sort_values(timestamp_key, kind="stable").groupby(log[case_key].astype(str))[activity_key]
                .last())
        activity.loc[todo] = keys[todo].map(last).to_numpy()
    out["activity"] = activity
    if model is not None:
        mapped = activity.map(model.activity_map())
        new = found & out["touchpoint"].isna()
        out.loc[new, "touchpoint"] = mapped[new]
    out.loc[found & out["link"].isna(), "link"] = "case"
    return out


@share_docs
def link_by_label(feedback: pd.DataFrame, model: TouchpointModel, *, label: str = "touchpoint_label"
                  ) -> pd.DataFrame:
    """Link feedback to touchpoints through a touchpoint-label column (e.g. ``SURVEY_SUB_TYPE``).

    Labels are compared case-insensitively with each touchpoint's ``labels`` in the model. Rows that already
    have a touchpoint keep it.

    Parameters
    ----------
    feedback : pandas.DataFrame
        Feedback with a label column.
    model : TouchpointModel
        The touchpoint model.
    label : str, default "touchpoint_label"
        The label column.

    Returns
    -------
    pandas.DataFrame
        A copy of ``feedback`` with ``touchpoint`` and ``link`` (``"label"`` for rows linked here).

    {example_airline}
    >>> linked = link_by_label(tweets, model, label="negativereason")
    >>> linked.loc[linked["negativereason"] == "Lost Luggage", "touchpoint"].iloc[0]
    'Airport and baggage'
    """
    _need(feedback, [label], "feedback")
    out = _empty_link(feedback)
    mapped = out[label].astype("string").str.strip().str.casefold().map(model.label_map())
    new = out["touchpoint"].isna() & mapped.notna()
    out.loc[new, "touchpoint"] = mapped[new]
    out.loc[new, "link"] = "label"
    return out


_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)


def link_by_topic(feedback: pd.DataFrame, model: TouchpointModel, *, text: str = "text",
                  topic: str | None = None) -> pd.DataFrame:
    """Link feedback to touchpoints through the model's seed words (topic mapping).

    Each row's words (from ``text`` and, when given, its ``topic`` label, e.g. a BERTopic topic name) are
    matched against every touchpoint's ``seed_words``: a seed word matches a whole word, or a word that
    starts with it when the seed ends in ``*`` (``delay*``); a seed with a space matches the phrase. The row
    goes to the touchpoint with most matches; ties go to the touchpoint listed first in the model and are
    counted in ``topic_tie``. Rows that already have a touchpoint keep it.

    Parameters
    ----------
    feedback : pandas.DataFrame
        Feedback with a text column.
    model : TouchpointModel
        The touchpoint model with seed words.
    text : str, default "text"
        Text column.
    topic : str, optional
        A topic-label column whose words count as well.

    Returns
    -------
    pandas.DataFrame
        A copy of ``feedback`` with ``touchpoint``, ``link`` (``"topic"`` for rows linked here),
        ``topic_matches`` (seed-word hits of the chosen touchpoint) and ``topic_tie`` (bool).

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.owners import read_touchpoint_model
    >>> model = read_touchpoint_model("notebooks/touchpoints/airline.yml")
    >>> fb = pd.DataFrame({"text": ["My bag never arrived at the carousel", "Nice weather"]})
    >>> link_by_topic(fb, model)["touchpoint"].tolist()
    ['Airport and baggage', <NA>]
    """
    _need(feedback, [text, topic], "feedback")
    out = _empty_link(feedback)
    source = out[text].astype("string").fillna("")
    if topic is not None:
        source = source + " " + out[topic].astype("string").fillna("")
    lowered = source.str.casefold()
    counts = {}
    for tp in model.touchpoints:
        if not tp.seed_words:
            continue
        alternatives = []
        for seed in tp.seed_words:
            if seed.endswith("*"):
                alternatives.append(re.escape(seed[:-1]) + r"[^\W_]*")
            else:
                alternatives.append(re.escape(seed))
        pattern = r"(?<![^\W_])(?:" + "|".join(alternatives) + r")(?![^\W_])"
        counts[tp.name] = lowered.str.count(pattern).fillna(0).astype(int)
    if not counts:
        raise CxInputError("no touchpoint in the model has seed_words, so nothing can be linked by topic",
                           path=model.path, column="seed_words")
    table = pd.DataFrame(counts, index=out.index)
    best = table.max(axis=1)
    choice = table.idxmax(axis=1).where(best > 0)
    tie = (table.eq(best, axis=0).sum(axis=1) > 1) & (best > 0)
    new = out["touchpoint"].isna() & choice.notna()
    out.loc[new, "touchpoint"] = choice[new]
    out.loc[new, "link"] = "topic"
    out["topic_matches"] = best.where(new, 0).astype(int)
    out["topic_tie"] = tie & new
    return out


@dataclasses.dataclass
class LinkedFeedback(Result):
    """The outcome of :func:`link_feedback`: the feedback with its touchpoints, and the methods tried in order.

    ``.show()`` renders :func:`link_coverage` (the linked table itself is one row per feedback row).

    Attributes
    ----------
    linked : pandas.DataFrame
        A copy of the feedback with ``touchpoint`` and ``link`` (and the columns each method adds; see
        :func:`link_feedback`).
    link_methods : list of str
        The methods in the order they were tried (:func:`link_coverage` reports them in this order, also
        those that linked nothing).

    Examples
    --------
    >>> from cxlib.owners import read_touchpoint_model
    >>> model = read_touchpoint_model("notebooks/touchpoints/airline.yml")
    >>> fb = pd.DataFrame({"text": ["My bag never arrived", "Nice weather"]})
    >>> result = link_feedback(fb, model, methods=["topic"])
    >>> result.link_methods, result.linked["link"].tolist()
    (['topic'], ['topic', <NA>])
    >>> "Link coverage" in result.show()._repr_html_()
    True
    """

    linked: pd.DataFrame
    link_methods: list = dataclasses.field(default_factory=list)

    def parts(self) -> list:
        """The link coverage per method (:func:`link_coverage`)."""
        return [show(link_coverage(self), caption="Link coverage (share of all feedback rows, 0-1)")]


@dataclasses.dataclass
class PerCaseTable(Result):
    """The outcome of :func:`per_case_table`: one row per case, and the feedback scores it could not read.

    Attributes
    ----------
    per_case : pandas.DataFrame
        One row per case that has feedback (columns in :func:`per_case_table`).
    invalid_scores : int
        Feedback rows of linked cases whose score is present but not a number; left out of the means.
    score_note : str
        A sentence saying so; ``""`` when every score could be read (or there is no score).

    Examples
    --------
    >>> log = pd.DataFrame({"case:concept:name": ["c1", "c1"], "concept:name": ["Order", "Call"],
    ...                     "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-02"], utc=True)})
    >>> fb = pd.DataFrame({"case_id": ["c1", "c1"], "score": [8, "7,5"], "text": ["ok", "meh"]})
    >>> result = per_case_table(fb, log, resource_key=None)
    >>> result.per_case[["case_id", "feedback_rows", "score"]].values.tolist(), result.invalid_scores
    ([['c1', 2, 8.0]], 1)
    """

    per_case: pd.DataFrame
    invalid_scores: int = 0
    score_note: str = ""

    def parts(self) -> list:
        """The per-case table, then the score note (when there is one)."""
        out = [show(self.per_case, caption="Per case: journey beside feedback", max_rows=15)]
        if self.score_note:
            out.append(say("{note}", note=self.score_note))
        return out


def _linked_frame(linked) -> pd.DataFrame:
    """The table of a :class:`LinkedFeedback`, or the table itself."""
    return linked.linked if isinstance(linked, LinkedFeedback) else linked


@share_docs
def link_feedback(feedback: pd.DataFrame, model: TouchpointModel, *, methods=("case", "label", "topic"),
                  log: pd.DataFrame | None = None, case_id: str = "case_id", date: str | None = "date",
                  event_id: str | None = None, label: str = "touchpoint_label", text: str = "text",
                  topic: str | None = None, case_key: str = CASE, activity_key: str = ACT,
                  timestamp_key: str = TS) -> LinkedFeedback:
    """Link feedback to touchpoints with several methods in order; the first method that finds one wins.

    The linked table and the methods tried are fields of a :class:`LinkedFeedback` (a
    :class:`cxlib.display.Result`): the order of the methods is needed to read the table (coverage per method)
    and would be lost on a table's ``attrs``. The ``link_by_*`` functions, each one method, return the table.

    Parameters
    ----------
    feedback : pandas.DataFrame
        The feedback table.
    model : TouchpointModel
        The touchpoint model.
    methods : sequence of {"case", "label", "topic"}
        Methods in the order they are tried (see :func:`link_by_case`, :func:`link_by_label`,
        :func:`link_by_topic`); ``"case"`` needs ``log``.
    log : pandas.DataFrame, optional
        Event log for ``"case"``.
    case_id, date, event_id, label, text, topic : str
        Feedback columns used by the methods.
    {log_keys}

    Returns
    -------
    LinkedFeedback
        ``linked``: a copy of ``feedback`` with ``touchpoint`` (NaN when no method found one) and ``link`` (the
        method that linked the row: ``"case"``, ``"label"``, ``"topic"``); plus ``case_found`` and ``activity``
        with ``"case"``, ``topic_matches`` and ``topic_tie`` with ``"topic"``. ``link_methods``: the methods in
        the order tried.

    {example_airline}
    >>> result = link_feedback(tweets, model, methods=["label", "topic"], label="negativereason")
    >>> sorted(result.linked["link"].dropna().unique()), result.link_methods
    (['label', 'topic'], ['label', 'topic'])
    """
    if isinstance(methods, str):
        methods = [methods]
    out = _empty_link(feedback)
    for method in methods:
        if method == "case":
            if log is None:
                raise CxInputError("linking by case needs an event log (parameter 'log')", column=case_id)
            out = link_by_case(out, log, model=model, case_id=case_id, date=date, event_id=event_id,
                               case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
        elif method == "label":
            out = link_by_label(out, model, label=label)
        elif method == "topic":
            out = link_by_topic(out, model, text=text, topic=topic)
        else:
            raise CxInputError(f"unknown link method {method!r}; expected 'case', 'label' or 'topic'",
                               column="link")
    return LinkedFeedback(linked=out, link_methods=list(methods))


@share_docs
def link_coverage(linked: LinkedFeedback | pd.DataFrame) -> pd.DataFrame:
    """How much feedback found a touchpoint, per link method.

    Parameters
    ----------
    linked : LinkedFeedback or pandas.DataFrame
        Output of :func:`link_feedback` (its methods are reported in the order tried, also those that linked
        nothing), or the table of one of the ``link_by_*`` functions (methods in the order they appear).

    Returns
    -------
    pandas.DataFrame
        One row per method in the order applied, then ``"not linked"`` and ``"total"``: ``method``, ``rows``
        (rows linked by this method), ``share`` (of all feedback rows, 0-1), ``cumulative_share``. With
        ``"case"``, a further row ``"case found, no touchpoint"`` counts rows linked to a case whose event has
        no touchpoint in the model (they enter the per-case table but no touchpoint figure).

    {example_airline}
    >>> cov = link_coverage(link_feedback(tweets, model, methods=["label", "topic"], label="negativereason"))
    >>> int(cov.loc[cov["method"] == "total", "rows"].iloc[0])
    14640
    """
    methods = linked.link_methods if isinstance(linked, LinkedFeedback) else None
    linked = _linked_frame(linked)
    n = len(linked)
    has_tp = linked["touchpoint"].notna()
    methods = methods or list(dict.fromkeys(linked["link"].dropna()))
    rows, cum = [], 0
    for method in methods:
        k = int((has_tp & linked["link"].eq(method)).sum())
        cum += k
        rows.append({"method": method, "rows": k, "share": k / n if n else np.nan,
                     "cumulative_share": cum / n if n else np.nan})
    if "case_found" in linked.columns:
        k = int((linked["case_found"] & ~has_tp).sum())
        rows.append({"method": "case found, no touchpoint", "rows": k, "share": k / n if n else np.nan,
                     "cumulative_share": np.nan})
    k = int((~has_tp).sum())
    rows.append({"method": "not linked", "rows": k, "share": k / n if n else np.nan, "cumulative_share": np.nan})
    rows.append({"method": "total", "rows": n, "share": 1.0 if n else np.nan, "cumulative_share": np.nan})
    return pd.DataFrame(rows, columns=["method", "rows", "share", "cumulative_share"])


@share_docs
def per_case_table(linked: LinkedFeedback | pd.DataFrame, log: pd.DataFrame, *, case_id: str = "case_id",
                   score: str | None = "score", text: str | None = "text", case_key: str = CASE,
                   activity_key: str = ACT, timestamp_key: str = TS, resource_key: str | None = RES,
                   repeat_window_days: float | None = None) -> PerCaseTable:
    """Per case: its journey measures beside its feedback score and text.

    The table and the count of scores that could not be read are fields of a :class:`PerCaseTable` (a
    :class:`cxlib.display.Result`), not the table's ``attrs``.

    Parameters
    ----------
    linked : LinkedFeedback or pandas.DataFrame
        Feedback after :func:`link_feedback` or :func:`link_by_case` (column ``case_found``) or any feedback
        with ``case_id``.
    {log}
    case_id, score, text : str
        Feedback columns (``score``/``text`` may be ``None`` or absent).
    {log_keys_resource}
    repeat_window_days : float, optional
        See :func:`case_journey_measures`.

    Returns
    -------
    PerCaseTable
        ``per_case``: one row per case that has feedback, the columns of :func:`case_journey_measures`
        (``case_id``, ``events``, ``first_contact``, ``last_contact``, ``throughput_h``, ``mean_wait_h``,
        ``max_wait_h``, ``handoffs``, ``repeated_contacts``, ``activities``), then ``feedback_rows``,
        ``score`` (mean score of the case's feedback, NaN without a score column), ``text`` (the case's
        verbatims joined with " | "). Scores are read with the shared score rule (any plain number counts;
        ``"7,5"`` or ``"n/a"`` do not): ``invalid_scores`` counts the feedback rows whose score is present but
        not a number, left out of the means, and ``score_note`` says so (empty if none).

    {example_complaints_log}
    >>> raw = pd.read_csv("data/bpic2016_complaints.csv", sep=";", encoding="latin-1")
    >>> fb = raw.rename(columns={"CustomerID": "case_id", "ComplaintTopic_EN": "text"})
    >>> table = per_case_table(fb, log, score=None)
    >>> len(table.per_case), table.invalid_scores
    (226, 0)
    """
    linked = _linked_frame(linked)
    _need(linked, [case_id], "feedback")
    fb = linked[linked["case_found"]] if "case_found" in linked.columns else linked
    keys = fb[case_id].astype("string").str.strip()
    grouped = pd.DataFrame({"case_id": keys.astype(object)})
    parsed = (parse_scores(fb[score], integer=False, column=score)
              if score is not None and score in fb.columns else None)
    grouped["score"] = parsed.values if parsed is not None else np.nan
    grouped["text"] = (fb[text].astype("string") if text is not None and text in fb.columns else pd.NA)
    g = grouped.dropna(subset=["case_id"]).groupby("case_id")
    agg = pd.DataFrame({"feedback_rows": g.size(), "score": g["score"].mean(),
                        "text": g["text"].agg(lambda s: " | ".join(s.dropna().astype(str)))}).reset_index()
    measures = case_journey_measures(log, case_key=case_key, activity_key=activity_key,
                                     timestamp_key=timestamp_key, resource_key=resource_key,
                                     repeat_window_days=repeat_window_days)
    out = measures.merge(agg, on="case_id", how="inner")
    n_invalid = parsed.n_invalid if parsed is not None else 0
    note = (f"{n_invalid:,} feedback rows of linked cases have a score in {score!r} that is not a number "
            f"({parsed.describe()}); they are left out of the per-case scores." if n_invalid else "")
    return PerCaseTable(per_case=out, invalid_scores=int(n_invalid), score_note=note)
