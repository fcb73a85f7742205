"""What changed since the previous period: scores, journey measures and topics per touchpoint, every line tested,
the family corrected for multiple comparisons (Benjamini-Hochberg), each line with its owner and a plain sentence."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from scipy import stats

from .. import scores as cs
from .._docstrings import share_docs
from .._errors import CxInputError
from ..display import Result, say, show
from ..io import ACTIVITY as ACT
from ..io import CASE
from ..io import TIMESTAMP as TS
from ._critical import _UWV_TOUCHPOINT_LOG, _period_of, touchpoint_log
from ._link import _need
from ._model import TouchpointModel

__all__ = ["WhatChanged", "journey_changes", "topic_shifts", "what_changed"]

LINE_COLUMNS = ["kind", "touchpoint", "owner", "item", "previous", "current", "n_previous", "n_current",
                "value_previous", "value_current", "unit", "change", "change_low", "change_high", "test", "p_value",
                "q_value", "flagged", "verdict", "sentence"]

_LOWER_IS_BETTER = {"negative_share", "repeat_contact_rate", "dropoff_rate", "median_wait_h", "repeat_rate"}
_MEASURE_WORDS = {"nps": "NPS at", "sentiment_index": "Sentiment index at", "negative_share": "Negative share at",
                  "repeat_contact_rate": "Repeat-contact rate at", "csat": "CSAT at", "dropoff_rate": "Drop-off rate at",
                  "median_wait_h": "Median wait before", "repeat_rate": "Repeat-visit rate at"}


def _latest_two(periods, current=None, previous=None):
    periods = sorted({str(p) for p in periods if pd.notna(p) and str(p) not in ("", "NaT")})
    if not periods:
        return None, None
    current = str(current) if current else periods[-1]
    if previous is None:
        earlier = [p for p in periods if p < current]
        previous = earlier[-1] if earlier else None
    return current, (str(previous) if previous is not None else None)


def _two_shares(k0, n0, k1, n1, z):
    """Two-proportion z-test (pooled standard error) and the unpooled interval of the difference, in points."""
    p0, p1 = k0 / n0, k1 / n1
    pooled = (k0 + k1) / (n0 + n1)
    se0 = np.sqrt(pooled * (1 - pooled) * (1 / n0 + 1 / n1))
    pval = float(2 * stats.norm.sf(abs(p1 - p0) / se0)) if se0 > 0 else (1.0 if p1 == p0 else np.nan)
    se = np.sqrt(p0 * (1 - p0) / n0 + p1 * (1 - p1) / n1)
    d = (p1 - p0) * 100
    return d, d - z * se * 100, d + z * se * 100, pval


@share_docs(example_uwv_touchpoint_log=_UWV_TOUCHPOINT_LOG)
def journey_changes(log: pd.DataFrame, model: TouchpointModel, *, period: str = "Q", current: str | None = None,
                    previous: str | None = None, success_ends=None, window_days: float = 7.0, min_n: int = 5,
                    n_boot: int = 500, seed: int = 0, level: float = 0.95, case_key: str = CASE,
                    activity_key: str = ACT, timestamp_key: str = TS) -> pd.DataFrame:
    """Journey measures per touchpoint that moved between two periods: drop-off rate, median wait, repeat rate.

    A case belongs to the period of its first event (the cases that started then). For each touchpoint of the
    model and each period: the **drop-off rate** (of the cases that reached it, the share whose journey ended
    there without a successful end), the **median wait** into it (hours since the case's previous event, per
    arrival) and the **repeat-visit rate** (of its cases, the share that came back to it within
    ``window_days``). Rates get a two-proportion z-test (pooled standard error) and an unpooled interval of the
    difference; the median wait a Mann-Whitney U test and a seeded bootstrap interval of the difference of
    medians. A measure with fewer than ``min_n`` cases (arrivals) in either period is not tested.

    Parameters
    ----------
    {log}
    model : TouchpointModel
        Maps activities to touchpoints and gives each touchpoint its owner.
    period : {"D", "W", "M", "Q"}, default "Q"
        Period length (a pandas period alias).
    current, previous : str, optional
        Period labels to compare (``"2016Q1"``, ``"2018-06"``); default the latest period in which cases
        started and the one before it.
    success_ends : list of str, optional
        Touchpoints at which a journey ends successfully; default every touchpoint (no drop-offs) when not
        given, as drop-offs need to know them. A touchpoint that is a successful end gets no drop-off line.
    window_days : float, default 7
        Window of a repeat visit.
    min_n : int, default 5
        Cases (arrivals for waits) needed in each period to test a measure.
    n_boot : int, default 500
        Bootstrap resamples of the interval of the median-wait change.
    {bootstrap_seed}
    {level}
    {log_keys}

    Returns
    -------
    pandas.DataFrame
        One line per touchpoint and measure, columns as in :func:`what_changed` (``kind`` ``"journey"``;
        ``item`` ``"dropoff_rate"``, ``"median_wait_h"`` or ``"repeat_rate"``; rates in percent, waits in
        hours); ``q_value``, ``flagged``, ``verdict`` and ``sentence`` are filled by :func:`what_changed`.

    Examples
    --------
    {example_uwv_touchpoint_log}
    >>> model = read_touchpoint_model("notebooks/touchpoints/uwv_complaints.yml")
    >>> lines = journey_changes(log, model, period="Q")  # every touchpoint a successful end: no drop-offs
    >>> sorted(lines["item"].unique()), lines[["previous", "current"]].iloc[0].tolist()
    (['median_wait_h', 'repeat_rate'], ['2015Q4', '2016Q1'])
    """
    _need(log, [case_key, activity_key, timestamp_key], "event log")
    tlog = touchpoint_log(log, model, activity_key=activity_key)
    ev = tlog[[case_key, activity_key, timestamp_key]].sort_values([case_key, timestamp_key], kind="stable")
    ev = ev.reset_index(drop=True)
    to_period = _period_of(period)
    first = ev.groupby(case_key, sort=False)[timestamp_key].transform("min")
    ev["_period"] = to_period(first)
    current, previous = _latest_two(ev["_period"].unique(), current, previous)
    if current is None:
        raise CxInputError("the event log has no dated events", column=timestamp_key)
    z = float(stats.norm.ppf(0.5 + level / 2))
    same = ev[case_key].eq(ev[case_key].shift())
    ev["_wait_h"] = ((ev[timestamp_key] - ev[timestamp_key].shift()).dt.total_seconds() / 3600).where(same)
    last = ev.groupby(case_key, sort=False).tail(1).set_index(case_key)[activity_key]
    ends = set(success_ends) if success_ends is not None else {tp.name for tp in model.touchpoints}
    # repeat visit: the next visit of the case to the same touchpoint within the window
    nxt = ev.groupby([case_key, activity_key], sort=False)[timestamp_key].shift(-1)
    ev["_repeat"] = ((nxt - ev[timestamp_key]).dt.total_seconds() / 86400 <= window_days).fillna(False)
    rng = np.random.default_rng(seed)
    rows = []
    for tp in model.touchpoints:
        at = ev[ev[activity_key] == tp.name]
        # a touchpoint where every journey may end successfully has no drop-offs to compare
        items = ("median_wait_h", "repeat_rate") if tp.name in ends else ("dropoff_rate", "median_wait_h",
                                                                          "repeat_rate")
        for item in items:
            row = {"kind": "journey", "touchpoint": tp.name, "owner": tp.owner, "item": item,
                   "previous": previous, "current": current, "unit": "h" if item == "median_wait_h" else "%"}
            samples = {}
            for name, label in (("previous", previous), ("current", current)):
                part = at[at["_period"] == label]
                cases = part[case_key].unique()
                if item == "dropoff_rate":
                    ended_here = last.reindex(cases).eq(tp.name) & (tp.name not in ends)
                    samples[name] = ended_here.to_numpy(float)
                elif item == "repeat_rate":
                    samples[name] = part.groupby(case_key)["_repeat"].any().to_numpy(float)
                else:
                    samples[name] = part["_wait_h"].dropna().to_numpy(float)
            s0, s1 = samples["previous"], samples["current"]
            row["n_previous"], row["n_current"] = len(s0), len(s1)
            if item == "median_wait_h":
                row["value_previous"] = float(np.median(s0)) if len(s0) else np.nan
                row["value_current"] = float(np.median(s1)) if len(s1) else np.nan
            else:
                row["value_previous"] = float(s0.mean() * 100) if len(s0) else np.nan
                row["value_current"] = float(s1.mean() * 100) if len(s1) else np.nan
            if previous is None or min(len(s0), len(s1)) < min_n:
                row.update(change=np.nan, change_low=np.nan, change_high=np.nan, p_value=np.nan,
                           test=f"fewer than {min_n} in a period")
            elif item == "median_wait_h":
                change = row["value_current"] - row["value_previous"]
                if np.ptp(np.concatenate([s0, s1])) == 0:
                    pval = 1.0
                else:
                    pval = float(stats.mannwhitneyu(s1, s0, alternative="two-sided").pvalue)
                boots = [np.median(rng.choice(s1, len(s1))) - np.median(rng.choice(s0, len(s0)))
                         for _ in range(n_boot)]
                lo, hi = (np.quantile(boots, [(1 - level) / 2, (1 + level) / 2]) if n_boot else (np.nan, np.nan))
                row.update(change=change, change_low=float(lo), change_high=float(hi), p_value=pval,
                           test="Mann-Whitney U; bootstrap interval of the median difference")
            else:
                d, lo, hi, pval = _two_shares(s0.sum(), len(s0), s1.sum(), len(s1), z)
                row.update(change=d, change_low=lo, change_high=hi, p_value=pval,
                           test="two-proportion z-test (pooled)")
            rows.append(row)
    out = pd.DataFrame(rows)
    for col in LINE_COLUMNS:
        if col not in out.columns:
            out[col] = np.nan
    return out[LINE_COLUMNS]


@share_docs
def topic_shifts(linked: pd.DataFrame, *, topic: str = "topic", date: str = "date", period: str = "M",
                 negative=None, mentions: pd.DataFrame | None = None, current: str | None = None,
                 previous: str | None = None, level: float = 0.95) -> pd.DataFrame:
    """Every topic of every touchpoint, previous against current period: new, grew, shrank or gone.

    A topic's share is the share of the touchpoint's (negative) feedback documents in the period that mention
    it. With a topic column each document has one topic; with ``mentions`` (several topics per document, e.g.
    from :func:`cxlib.feedback.find_mentions` or :func:`cxlib.feedback.track_topics`) a document counts once for
    each topic it mentions. The topic's identity across periods is its label: labels from a column are the
    same in every period; found topics keep their identity when they come from
    :func:`cxlib.feedback.track_topics` (the new period's topics matched to the old ones). Every topic is
    tested (two-proportion z-test, pooled standard error, with the unpooled interval of the change), so
    :func:`what_changed` can correct the whole family.

    Parameters
    ----------
    linked : pandas.DataFrame
        Feedback with ``touchpoint``, a date column and (without ``mentions``) a topic column.
    topic : str, default "topic"
        The topic column (ignored with ``mentions``).
    date : str, default "date"
        The date column.
    period : {"D", "W", "M", "Q"}, default "M"
        Period length.
    negative : pandas.Series of bool, optional
        Only these rows count (e.g. negative feedback); all rows when not given.
    mentions : pandas.DataFrame, optional
        One row per (document, topic) mention: ``doc`` (the index label of the document in ``linked``) and
        ``topic``.
    current, previous : str, optional
        Period labels; default the latest period with feedback and the one before it.
    {level}

    Returns
    -------
    pandas.DataFrame
        One line per touchpoint and topic (columns as in :func:`what_changed`; ``kind`` ``"topic"``,
        ``item`` the topic, values the share of the touchpoint's documents in percent, ``n_previous`` /
        ``n_current`` the documents mentioning it, and two more columns ``documents_previous`` and
        ``documents_current``, the touchpoint's documents in each period).

    {example_airline}
    >>> from cxlib.owners import link_feedback
    >>> linked = link_feedback(tweets, model, methods=["label"], label="negativereason").linked
    >>> lines = topic_shifts(linked, topic="negativereason", date="tweet_created", period="D")
    >>> lines[["previous", "current"]].iloc[0].tolist(), int(lines["n_current"].sum())
    (['2015-02-23', '2015-02-24'], 1106)
    """
    _need(linked, ["touchpoint", date] + ([] if mentions is not None else [topic]), "linked feedback")
    keep = linked["touchpoint"].notna()
    if negative is not None:
        keep &= negative.reindex(linked.index).fillna(False).astype(bool)
    docs = linked.loc[keep, ["touchpoint"]].copy()
    docs["_period"] = _period_of(period)(linked.loc[keep, date])
    docs = docs[docs["_period"].notna() & (docs["_period"] != "NaT")]
    current, previous = _latest_two(docs["_period"].unique(), current, previous)
    extra = ["documents_previous", "documents_current"]
    if current is None or previous is None:
        return pd.DataFrame(columns=[*LINE_COLUMNS, *extra])
    if mentions is not None:
        _need(mentions, ["doc", "topic"], "mentions table")
        pairs = mentions[["doc", "topic"]].dropna().drop_duplicates()
        pairs = pairs[pairs["doc"].isin(docs.index)]
        long = pairs.join(docs, on="doc")
    else:
        has = linked.loc[docs.index, topic].notna()
        long = pd.DataFrame({"doc": docs.index[has], "topic": linked.loc[docs.index[has], topic].astype(str)})
        long = long.join(docs, on="doc")
    z = float(stats.norm.ppf(0.5 + level / 2))
    rows = []
    for tp, group in docs.groupby("touchpoint", sort=True):
        n0 = int((group["_period"] == previous).sum())
        n1 = int((group["_period"] == current).sum())
        if n0 == 0 or n1 == 0:
            continue
        sub = long[long["touchpoint"] == tp]
        c0 = sub[sub["_period"] == previous].groupby("topic")["doc"].nunique()
        c1 = sub[sub["_period"] == current].groupby("topic")["doc"].nunique()
        for name in sorted(set(c0.index) | set(c1.index), key=str):
            k0, k1 = int(c0.get(name, 0)), int(c1.get(name, 0))
            d, lo, hi, pval = _two_shares(k0, n0, k1, n1, z)
            rows.append({"kind": "topic", "touchpoint": tp, "owner": "", "item": str(name), "previous": previous,
                         "current": current, "n_previous": k0, "n_current": k1, "value_previous": k0 / n0 * 100,
                         "value_current": k1 / n1 * 100, "unit": "%", "change": d, "change_low": lo,
                         "change_high": hi, "test": "two-proportion z-test (pooled)", "p_value": pval,
                         "documents_previous": n0, "documents_current": n1})
    out = pd.DataFrame(rows, columns=[*LINE_COLUMNS, *extra])
    return out


@dataclasses.dataclass
class WhatChanged(Result):
    """The outcome of :func:`what_changed`: every tested line, the flagged ones first, with owner and sentence.

    Attributes
    ----------
    lines : pandas.DataFrame
        One row per test (columns in :func:`what_changed`), flagged lines first (largest change first).
    previous, current : str
        The periods compared.
    fdr : float
        The false-discovery rate at which a line is flagged.
    tests : int
        Lines tested (the family of the correction).
    notes : list of str
        What could not be tested, and the rule.
    """

    lines: pd.DataFrame
    previous: str = ""
    current: str = ""
    fdr: float = 0.05
    tests: int = 0
    notes: list = dataclasses.field(default_factory=list)

    @property
    def flagged(self) -> pd.DataFrame:
        """The lines that changed beyond chance (``q_value < fdr``)."""
        return self.lines[self.lines["flagged"].fillna(False).astype(bool)]

    @property
    def headline(self) -> str:
        """One sentence: how many lines changed, out of how many tested, between which periods."""
        if not self.tests:
            return "Nothing could be compared with the previous period."
        return (f"{len(self.flagged):,} of {self.tests:,} tested lines changed beyond chance between "
                f"{self.previous} and {self.current} (Benjamini-Hochberg, false-discovery rate "
                f"{self.fdr:.0%}).")

    def parts(self) -> list:
        """The headline, the flagged lines (owner and sentence), then every line and the notes."""
        out = [say("{h}", h=self.headline)]
        if len(self.flagged):
            out.append(show(self.flagged[["owner", "touchpoint", "kind", "sentence"]],
                            caption="What changed since the previous period (each line with its owner)"))
        if len(self.lines):
            out.append(show(self.lines.drop(columns=["sentence"]), caption="Every line tested (q: "
                            "Benjamini-Hochberg adjusted p-value)", precision=3, max_rows=40))
        out += [say("{n}", n=note) for note in self.notes]
        return out


def _fmt(value, unit):
    if pd.isna(value):
        return "n/a"
    if unit == "%":
        return f"{value:.1f}%"
    if unit == "h":
        return f"{value:.1f} h"
    return f"{value:.1f}"


def _sentence(row, fdr) -> str:
    kind, unit = row["kind"], row["unit"]
    when = f"from {row['previous']} to {row['current']}"
    name = _MEASURE_WORDS.get(row["item"], f"{row['item']} at")
    if pd.isna(row["p_value"]):
        what = f"Topic '{row['item']}' at" if kind == "topic" else name
        return f"{what} {row['touchpoint']}: not tested ({row['test']})."
    ci = (f"change {row['change']:+.1f}{' points' if unit in ('%', 'points') else ' h' if unit == 'h' else ''}, "
          f"{round(row['_level'] * 100)}% interval {row['change_low']:+.1f} to {row['change_high']:+.1f}; "
          f"q = {row['q_value']:.3f}")
    if kind == "topic":
        share = (f"{int(row['n_previous'])} of {int(row['documents_previous'])} documents "
                 f"({_fmt(row['value_previous'], '%')}) in {row['previous']}, {int(row['n_current'])} of "
                 f"{int(row['documents_current'])} ({_fmt(row['value_current'], '%')}) in {row['current']}")
        verbs = {"new": "is new", "gone": "is gone", "grew": "grew", "shrank": "shrank",
                 "no clear change": "did not change beyond chance"}
        return f"Topic '{row['item']}' at {row['touchpoint']} {verbs[row['verdict']]}: {share} ({ci})."
    moved = row["verdict"] if row["verdict"] in ("better", "worse") else "no change beyond chance"
    rose = "rose" if row["change"] > 0 else "fell" if row["change"] < 0 else "stayed the same"
    return (f"{name} {row['touchpoint']} {rose} {when}, {_fmt(row['value_previous'], unit)} -> "
            f"{_fmt(row['value_current'], unit)}: {moved} ({ci}).")


@share_docs
def what_changed(scores: pd.DataFrame | None = None, *, journey: pd.DataFrame | None = None,
                 topics: pd.DataFrame | None = None, model: TouchpointModel | None = None, fdr: float = 0.05,
                 level: float = 0.95) -> WhatChanged:
    """What is new or worse since last time: the lines of scores, journey measures and topics that changed beyond
    chance, corrected together for multiple comparisons, each with its owner and a plain sentence.

    Every line is one test of the latest period against the previous one (or a baseline window):

    - a touchpoint's **score** (:func:`cxlib.owners.period_changes`: z-test on the difference of net scores, or
      two-proportion z-test for shares);
    - a touchpoint's **journey measure** (:func:`journey_changes`: drop-off rate, median wait, repeat rate);
    - a touchpoint's **topic** (:func:`topic_shifts`: its share of the touchpoint's documents).

    The p-values of all lines form one family: Benjamini-Hochberg q-values
    (:func:`cxlib.scores.adjust_p_values`); a line is **flagged** when ``q < fdr``, so that among the flagged
    lines at most a share ``fdr`` is expected to be noise. Verdicts: ``"better"`` / ``"worse"`` for scores
    and journey measures (drop-off rate, wait, repeat rate, negative share and repeat-contact rate are better
    when lower); ``"new"`` (absent in the previous period), ``"grew"``, ``"shrank"``, ``"gone"`` (absent now)
    for topics; ``"no clear change"`` otherwise. An increase of a topic in complaints is reported as it is,
    with no judgement.

    Parameters
    ----------
    scores : pandas.DataFrame, optional
        :func:`cxlib.owners.period_changes` (one row per touchpoint and measure).
    journey : pandas.DataFrame, optional
        :func:`journey_changes`.
    topics : pandas.DataFrame, optional
        :func:`topic_shifts`.
    model : TouchpointModel, optional
        Gives each topic line the owner of its touchpoint.
    fdr : float, default 0.05
        False-discovery rate of the flags.
    {level}

    Returns
    -------
    WhatChanged
        ``lines``: ``kind`` (``"score"``, ``"journey"``, ``"topic"``), ``touchpoint``, ``owner``, ``item``
        (measure or topic), ``previous``, ``current`` (period labels), ``n_previous``, ``n_current``
        (responses, cases or documents), ``value_previous``, ``value_current``, ``unit`` (``"points"``, ``"%"``,
        ``"h"``), ``change`` with ``change_low`` / ``change_high`` (its interval), ``test``, ``p_value``,
        ``q_value``, ``flagged`` (q < fdr), ``verdict``, ``sentence``; topic lines also
        ``documents_previous`` / ``documents_current``. ``previous``, ``current``, ``fdr``, ``tests``,
        ``notes``: see :class:`WhatChanged`.

    {example_airline}
    >>> from cxlib.owners import link_feedback, period_changes, touchpoint_scores
    >>> linked = link_feedback(tweets, model, methods=["label", "topic"], label="negativereason").linked
    >>> by_day = touchpoint_scores(linked, model, sentiment="airline_sentiment", period="D", date="tweet_created")
    >>> wc = what_changed(period_changes(by_day), topics=topic_shifts(linked, topic="negativereason",
    ...                   date="tweet_created", period="D"), model=model)
    >>> wc.previous, wc.current, wc.tests > 0
    ('2015-02-23', '2015-02-24', True)
    """
    if not 0 < fdr < 1:
        raise CxInputError(f"fdr must be between 0 and 1 (e.g. 0.05), got {fdr!r}", column="fdr")
    parts, notes = [], []
    if scores is not None and len(scores):
        _need(scores, ["touchpoint", "measure", "previous", "current", "change", "p_value"], "score changes")
        s = scores.copy()
        s = pd.DataFrame({"kind": "score", "touchpoint": s["touchpoint"], "owner": s.get("owner", ""),
                          "item": s["measure"], "previous": s["previous"], "current": s["current"],
                          "n_previous": s["n_previous"], "n_current": s["n_current"],
                          "value_previous": s["value_previous"], "value_current": s["value_current"],
                          "unit": np.where(s["measure"].isin(["negative_share", "repeat_contact_rate"]), "%",
                                           "points"),
                          "change": s["change"], "change_low": s["change_low"], "change_high": s["change_high"],
                          "test": s["test"].where(s["test"].astype(str) != "", "not measured in both periods"),
                          "p_value": s["p_value"]})
        parts.append(s)
    if journey is not None and len(journey):
        parts.append(journey.copy())
    if topics is not None and len(topics):
        t = topics.copy()
        if model is not None:
            owners = {tp.name: tp.owner for tp in model.touchpoints}
            t["owner"] = t["touchpoint"].map(owners).fillna("")
        parts.append(t)
    if not parts:
        return WhatChanged(lines=pd.DataFrame(columns=LINE_COLUMNS), fdr=fdr,
                           notes=["Nothing to compare: no dated scores, journeys or topics."])
    lines = pd.concat([p for p in parts if len(p)], ignore_index=True)
    for col in LINE_COLUMNS:
        if col not in lines.columns:
            lines[col] = np.nan
    lines["q_value"] = cs.adjust_p_values(lines["p_value"].astype(float))
    lines["flagged"] = lines["q_value"] < fdr
    verdicts = []
    for r in lines.itertuples():
        if not r.flagged:
            verdicts.append("no clear change")
        elif r.kind == "topic":
            verdicts.append("new" if r.n_previous == 0 else "gone" if r.n_current == 0
                            else "grew" if r.change > 0 else "shrank")
        else:
            lower_better = r.item in _LOWER_IS_BETTER
            verdicts.append("better" if (r.change < 0) == lower_better else "worse")
    lines["verdict"] = verdicts
    lines["_level"] = level
    lines["sentence"] = [_sentence(r, fdr) for _, r in lines.iterrows()]
    lines = lines.drop(columns="_level")
    lines["_abs"] = lines["change"].abs()
    lines = lines.sort_values(["flagged", "kind", "_abs"], ascending=[False, True, False], kind="stable",
                              na_position="last").drop(columns="_abs").reset_index(drop=True)
    extra = [c for c in lines.columns if c not in LINE_COLUMNS]
    lines = lines[[*LINE_COLUMNS, *extra]]
    tested = int(lines["p_value"].notna().sum())
    untested = len(lines) - tested
    if untested:
        notes.append(f"{untested:,} lines could not be tested (a period without data, or too few cases): "
                     "they are listed with the reason and are not part of the correction.")
    periods = lines[["previous", "current"]].dropna().drop_duplicates()
    previous = str(periods["previous"].iloc[0]) if len(periods) else ""
    current = str(periods["current"].iloc[0]) if len(periods) else ""
    notes.append(f"Each line is one test of {current} against {previous}; the {tested:,} p-values are corrected "
                 f"together (Benjamini-Hochberg) and a line is flagged when q < {fdr:g}.")
    return WhatChanged(lines=lines, previous=previous, current=current, fdr=fdr, tests=tested, notes=notes)
