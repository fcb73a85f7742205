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
        elif topic:
            topics = topic_shifts(linked, topic=topic, date=date, period=period, negative=negative,
                                  current=current, previous=previous)
    result = what_changed(changes, journey=journey, topics=topics, model=model, fdr=fdr)
    result.notes.extend(notes)
    return result


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
        return None, " ".join([*notes, "Key drivers: no driver to test (one touchpoint and no topics)."])
    try:
        result = key_drivers(table, outcome=outcome, outcome_as=outcome_as, drivers=drivers,
                             labels=labels, min_n=min_n, seed=seed, n_boot=200)
    except CxInputError as err:
        return None, " ".join([*notes, f"Key drivers could not be computed: {err}"])
    result.notes.extend(notes)
    return result, ""


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
