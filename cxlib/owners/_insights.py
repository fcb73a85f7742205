"""The dashboard's "what changed" and key drivers, assembled from the linked feedback, the log and the model
(kept apart from :mod:`cxlib.owners._dashboard` so that the dashboard only calls them)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._errors import CxInputError
from ..scores import KeyDrivers, key_drivers
from ._changes import WhatChanged, journey_changes, topic_shifts, what_changed
from ._critical import _period_of
from ._drivers import journey_drivers
from ._model import TouchpointModel

#: The options of ``text_topics`` (build_dashboard): how topics are found per clause of the feedback text.
TEXT_TOPIC_OPTIONS = ("method", "unit", "n_topics", "embedding_model", "language", "sentiment", "seed",
                      "min_similarity")


def _taxonomy(model: TouchpointModel) -> dict:
    return {tp.name: list(tp.seed_words) for tp in model.touchpoints if tp.seed_words}


def text_mentions(linked: pd.DataFrame, model: TouchpointModel, *, text: str, options: dict):
    """Topics per clause of each feedback text: the model's seed words (``method: taxonomy``) or topics found in
    the clauses (``method: found``); returns a :class:`cxlib.feedback.Mentions`."""
    from ..feedback import find_mentions

    unknown = set(options) - set(TEXT_TOPIC_OPTIONS)
    if unknown:
        raise CxInputError(f"text_topics: unknown option(s) {sorted(unknown)}; options: "
                           f"{', '.join(TEXT_TOPIC_OPTIONS)}", column="text_topics")
    method = options.get("method", "taxonomy")
    unit = options.get("unit", "clause")
    sentiment = options.get("sentiment", "vader")
    docs = linked[text]
    if method == "taxonomy":
        taxonomy = _taxonomy(model)
        if not taxonomy:
            raise CxInputError("text_topics method 'taxonomy' needs seed_words in the touchpoint model",
                               path=model.path, column="seed_words")
        return find_mentions(docs, unit=unit, taxonomy=taxonomy, sentiment=sentiment)
    if method == "found":
        return find_mentions(docs, unit=unit, n_topics=int(options.get("n_topics", 8)), sentiment=sentiment,
                             seed=int(options.get("seed", 0)),
                             embedding_model=options.get("embedding_model", "auto"),
                             language=options.get("language", "english"))
    raise CxInputError(f"text_topics method must be 'taxonomy' or 'found', got {method!r}", column="text_topics")


def dashboard_changes(linked: pd.DataFrame, model: TouchpointModel, *, changes: pd.DataFrame | None,
                      log: pd.DataFrame | None, date: str | None, period: str, negative, topic: str | None,
                      text: str, mentions, text_topics: dict | None, success_ends, fdr: float,
                      keys: dict) -> WhatChanged:
    """Every line of "what changed" for the whole model: scores, journey measures and topics, corrected together."""
    notes = []
    current = previous = None
    if changes is not None and len(changes):
        current, previous = str(changes["current"].iloc[0]), changes["previous"].iloc[0]
        previous = None if pd.isna(previous) else str(previous)
    journey = None
    if log is not None:
        journey = journey_changes(log, model, period=period, current=current, previous=previous,
                                  success_ends=success_ends, **keys)
        if current is None and len(journey):
            current, previous = journey["current"].iloc[0], journey["previous"].iloc[0]
    topics = None
    if date:
        options = dict(text_topics or {})
        if options.get("method") == "found" and current and previous:
            from ..feedback import split_segments, track_topics

            when = _period_of(period)(linked[date])
            keep = when.isin([current, previous]) & negative.reindex(linked.index).fillna(False).astype(bool)
            segments = split_segments(linked.loc[keep, text], unit=options.get("unit", "clause"))
            segments["period"] = when.loc[segments["doc"]].to_numpy()
            try:
                tracked = track_topics(segments, text="segment_text", period="period", current=current,
                                       previous=previous, n_topics=int(options.get("n_topics", 8)),
                                       min_similarity=float(options.get("min_similarity", 0.5)),
                                       embedding_model=options.get("embedding_model", "auto"),
                                       language=options.get("language", "english"),
                                       seed=int(options.get("seed", 0)))
            except CxInputError as err:
                notes.append(f"Topics could not be tracked between {previous} and {current}: {err}")
            else:
                topics = topic_shifts(linked, date=date, period=period, negative=negative,
                                      mentions=tracked.mentions, current=current, previous=previous)
                kept = tracked.topics
                notes.append(f"Topics of the negative feedback's clauses found separately in {previous} and "
                             f"{current} and matched ({int((kept['status'] == 'same').sum())} kept their identity, "
                             f"{int((kept['status'] == 'new').sum())} new, {int((kept['status'] == 'gone').sum())} "
                             "gone; cxlib.feedback.track_topics).")
        elif mentions is not None:
            topics = topic_shifts(linked, date=date, period=period, negative=negative, mentions=mentions.mentions,
                                  current=current, previous=previous)
            if options.get("method", "taxonomy") == "taxonomy" and len(topics):
                # the topics are the touchpoints' own seed words: at its own touchpoint such a topic measures
                # how the feedback was linked there (partly by those very words), not a change in what customers
                # say, so it is not tested there
                own = topics["item"].astype(str) == topics["touchpoint"].astype(str)
                if own.any():
                    topics = topics[~own].reset_index(drop=True)
                    notes.append("Topics are the touchpoints' seed words found per clause; a touchpoint's own "
                                 "seed-word topic is not tested at that touchpoint (feedback is linked to it by "
                                 f"those same words), so {int(own.sum())} such lines are left out.")
        if topic:
            # the topic column (e.g. an annotated complaint reason) is tested too, in the same family, so that
            # no topic change in the report escapes the correction
            column = topic_shifts(linked, topic=topic, date=date, period=period, negative=negative,
                                  current=current, previous=previous)
            if topics is not None and len(topics) and len(column):
                topics = topics.assign(test=topics["test"] + "; topics per clause")
                column = column.assign(test=column["test"] + f"; topic column {topic!r}")
                topics = pd.concat([topics, column], ignore_index=True)
            elif topics is None or not len(topics):
                topics = column
    result = what_changed(changes, journey=journey, topics=topics, model=model, fdr=fdr)
    result.notes.extend(notes)
    last = _last_date(linked, date, log, keys)
    if last is not None and result.current:
        try:
            end = pd.Period(result.current, freq=period).end_time.tz_localize(last.tz)
        except ValueError:
            end = None
        if end is not None and last < end.floor("D"):
            result.notes.append(f"The current period {result.current} is not complete: the data end on "
                                f"{last:%Y-%m-%d}, so it holds fewer responses and cases than a full period "
                                "(a journey that started late in it may not have ended yet).")
    return result


def _last_date(linked: pd.DataFrame, date: str | None, log: pd.DataFrame | None, keys: dict):
    """The latest date in the feedback (and the log), as a UTC timestamp, or None."""
    stamps = []
    if date and date in linked:
        stamps.append(pd.to_datetime(linked[date], errors="coerce", utc=True).max())
    if log is not None and keys.get("timestamp_key") in log:
        stamps.append(pd.to_datetime(log[keys["timestamp_key"]], errors="coerce", utc=True).max())
    stamps = [s for s in stamps if pd.notna(s)]
    return max(stamps) if stamps else None


def dashboard_drivers(linked: pd.DataFrame, model: TouchpointModel, *, score: str | None, sentiment: str | None,
                      negative_label: str, labels, topic: str | None, mentions, log, case_id: str | None,
                      case_linked: bool, keys: dict, min_n: int = 30, max_topics: int = 8,
                      seed: int = 0) -> tuple[KeyDrivers | None, str]:
    """Key drivers of the view's feedback: touchpoint, topics (mentions or the topic column) and, when the
    feedback is linked to cases, the journey measures of each case. Returns the result and a note."""
    if sentiment:
        outcome, outcome_as = sentiment, "negative"
    elif score:
        nps = any(m["measure"] == "nps" for tp in model.touchpoints for m in tp.measures)
        outcome, outcome_as = score, ("detractor" if nps else "value")
    else:
        return None, "No score or sentiment: key drivers need an outcome that varies (here every row is a complaint)."
    table = linked.copy()
    drivers, notes = [], []
    # the touchpoint is a driver only when every row has one: otherwise having one can depend on the outcome
    # (a complaint reason recorded only for negative tweets links only those)
    if table["touchpoint"].notna().all() and table["touchpoint"].nunique() > 1:
        drivers.append("touchpoint")
    elif table["touchpoint"].nunique() > 1:
        notes.append(f"The touchpoint is not a driver: {int(table['touchpoint'].isna().sum()):,} rows have none, "
                     "and whether a row is linked can depend on the outcome itself.")
    if mentions is not None:
        presence = mentions.presence(prefix="mentions: ").reindex(table.index, fill_value=0)
        top = presence.sum().sort_values(ascending=False).head(max_topics).index.tolist()
        table = table.join(presence[top])
        drivers += top
    elif topic and _one_outcome_only(table, topic, outcome, outcome_as, negative_label):
        # e.g. a complaint reason given only for negative tweets: its presence is the outcome, not a driver of it
        notes.append(f"The topic column {topic!r} is not a driver: every row that has a topic has the same "
                     "outcome (a reason recorded only for that outcome), so it goes with the outcome by "
                     "construction. Topics found per clause of the text (text_topics) can be drivers.")
    elif topic:
        counts = table[topic].value_counts()
        top = counts.head(max_topics).index.tolist()
        for name in top:
            column = f"topic: {name}"
            table[column] = table[topic].eq(name).astype(int)
            drivers.append(column)
    if case_linked and log is not None and case_id:
        joined = journey_drivers(table, log, case_id=case_id, **keys)
        extra = [c for c in ("max_wait_days", "handoffs", "had_repeat", "events") if joined[c].notna().any()]
        table = joined[joined["case_found"]]
        drivers += extra
    if not drivers:
        return None, " ".join([*notes, "Key drivers: no driver left to test." if notes
                                     else "Key drivers: no driver to test (one touchpoint and no topics)."])
    try:
        result = key_drivers(table, outcome=outcome, outcome_as=outcome_as, drivers=drivers,
                             labels=labels, min_n=min_n, seed=seed, n_boot=200)
    except CxInputError as err:
        return None, " ".join([*notes, f"Key drivers could not be computed: {err}"])
    result.notes.extend(notes)
    return result, ""


def _one_outcome_only(table: pd.DataFrame, topic: str, outcome: str, outcome_as: str, negative_label: str) -> bool:
    """Whether every row with a topic has the same yes/no outcome while the outcome varies over all rows."""
    if outcome_as == "negative":
        usable = table[outcome].notna()
        yes = table[outcome].astype(str).eq(str(negative_label))
    elif outcome_as == "detractor":
        values = pd.to_numeric(table[outcome], errors="coerce")
        usable, yes = values.notna(), values <= 6
    else:
        return False
    has = table[topic].notna() & usable
    return bool(has.any() and yes[has].nunique() == 1 and yes[usable].nunique() == 2)


def restrict_changes(result: WhatChanged | None, names) -> WhatChanged | None:
    """The lines of the given touchpoints only (an owner's report); flags stay those of the whole family."""
    if result is None:
        return None
    lines = result.lines[result.lines["touchpoint"].isin(list(names))].reset_index(drop=True)
    return WhatChanged(lines=lines, previous=result.previous, current=result.current, fdr=result.fdr,
                       tests=int(np.isfinite(lines["p_value"].astype(float)).sum()),
                       notes=[*result.notes, ("The correction counts every line of every touchpoint (the "
                                              "overview's family), so an owner sees the same flags as the "
                                              "overview.")])
