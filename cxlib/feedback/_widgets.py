"""The topic browser: filter by touchpoint and sentiment, pick a topic, see its words, typical verbatims,
sentiment mix and trend."""

from __future__ import annotations

import pandas as pd

from ..display import say, show
from ._topics import TopicResult

__all__ = ["topic_browser"]

ALL = "(all)"


def _choices(docs: pd.DataFrame, column: str) -> list:
    """The values of a filter column, most frequent first; empty when the column is absent or empty."""
    if column not in docs.columns or not docs[column].notna().any():
        return []
    return [str(v) for v in docs[column].dropna().astype(str).value_counts().index]


def browse_topics(result: TopicResult, *, touchpoint=None, sentiment=None,
                  touchpoint_column: str = "touchpoint",
                  sentiment_column: str = "sentiment") -> tuple[pd.DataFrame, pd.DataFrame]:
    """The documents a touchpoint and a sentiment keep, and the topics among them (``topic``, ``label``,
    ``texts``, ``share`` of the kept texts, ``top_words``), largest first. None or ``"(all)"``: no filter."""
    docs = result.documents
    keep = pd.Series(True, index=docs.index)
    for column, value in ((touchpoint_column, touchpoint), (sentiment_column, sentiment)):
        if value is not None and value != ALL and column in docs.columns:
            keep &= docs[column].astype(str) == str(value)
    kept = docs[keep]
    counts = kept["topic"].value_counts()
    topics = result.topics.set_index("topic")
    table = pd.DataFrame({
        "topic": counts.index.astype(int),
        "label": topics["label"].reindex(counts.index).fillna("(no topic)").to_numpy(),
        "texts": counts.to_numpy(),
        "share": (counts / max(len(kept), 1)).to_numpy(),
        "top_words": topics["top_words"].reindex(counts.index).fillna("").to_numpy(),
    })
    return kept, table.reset_index(drop=True)


def topic_browser(result: TopicResult, *, text: str = "text", sentiment: str = "sentiment",
                  date: str = "date", touchpoint: str = "touchpoint", per_topic: int = 8):
    """An interactive topic browser for JupyterLab (build it only when the notebook is interactive).

    Filters for touchpoint and sentiment (shown when the documents have these columns) narrow the texts; the
    topic picker then lists the topics among the kept texts, largest first, with their counts there. For the
    chosen topic it shows its words, its share of the kept texts, its sentiment mix (at the chosen touchpoint,
    all sentiments), the most typical of its kept texts (closest to the topic's centre), their weekly trend.

    Parameters
    ----------
    result : TopicResult
        From :func:`fit_topics`.
    text : str, default "text"
        Column shown as verbatims (escaped; redacted when the feedback went through ``clean_feedback``).
    sentiment : str, default "sentiment"
        Sentiment column: the sentiment filter and the mix (left out when absent).
    date : str, default "date"
        Date column (the weekly trend is shown when present).
    touchpoint : str, default "touchpoint"
        Touchpoint column: the touchpoint filter (left out when absent).
    per_topic : int, default 8
        Verbatims shown per topic.

    Returns
    -------
    ipywidgets.VBox
        The touchpoint and sentiment filters, the topic picker, and an output area.

    Examples
    --------
    >>> fb = clean_feedback(read_feedback("data/airline_tweets.csv.gz", id="tweet_id", touchpoint="airline",
    ...                                   labels=["airline_sentiment"]).head(200), language=False)
    >>> fb["sentiment"] = fb["airline_sentiment"]
    >>> w = topic_browser(fit_topics(fb, n_topics=3, embedding_model="tfidf", progress=False))
    >>> [c.description for c in w.children[0].children], w.children[1].description
    (['Touchpoint', 'Sentiment'], 'Topic')
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    docs = result.documents
    full = widgets.Layout(width="100%")
    filters = {}
    for column, label in ((touchpoint, "Touchpoint"), (sentiment, "Sentiment")):
        values = _choices(docs, column)
        if values:
            filters[column] = widgets.Dropdown(options=[ALL, *values], description=label)
    picker = widgets.Dropdown(description="Topic", layout=widgets.Layout(width="95%"))
    out = widgets.Output(layout=full)
    from IPython import get_ipython

    shell = get_ipython()
    # Outside a kernel (scripts, doctests) an output area would print to the console: nothing is rendered.
    state = {"busy": False, "live": shell is not None and getattr(shell, "kernel", None) is not None}

    def selected(column):
        return filters[column].value if column in filters else None

    def refilter(*_):
        _, table = browse_topics(result, touchpoint=selected(touchpoint), sentiment=selected(sentiment),
                                 touchpoint_column=touchpoint, sentiment_column=sentiment)
        previous = picker.value
        state["busy"] = True
        try:
            picker.options = [(f"{row.label} ({row.texts:,})", int(row.topic)) for row in table.itertuples()]
            if previous in {int(t) for t in table["topic"]}:
                picker.value = previous
        finally:
            state["busy"] = False
        render()

    def render(*_):
        if state["busy"] or not state["live"]:
            return
        out.clear_output(wait=True)
        with out:
            if picker.value is None:
                display(say("No text matches these filters."))
                return
            kept, table = browse_topics(result, touchpoint=selected(touchpoint),
                                        sentiment=selected(sentiment), touchpoint_column=touchpoint,
                                        sentiment_column=sentiment)
            row = table.set_index("topic").loc[picker.value]
            subset = kept[kept["topic"] == picker.value]
            where = ", ".join(f"{c} {filters[c].value}" for c in filters if filters[c].value != ALL)
            display(say("<b>{label}</b>: {n} texts, {share:.1%} of the {total} texts{where}. "
                        "Top words: {words}.", label=row["label"], n=f"{int(row['texts']):,}",
                        share=row["share"], total=f"{len(kept):,}", where=f" ({where})" if where else "",
                        words=row["top_words"]))
            if sentiment in docs.columns and docs[sentiment].notna().any():
                at = docs[docs["topic"] == picker.value]
                if selected(touchpoint) not in (None, ALL):
                    at = at[at[touchpoint].astype(str) == selected(touchpoint)]
                mix = at[sentiment].value_counts(normalize=True).rename("share").rename_axis(sentiment)
                at_touchpoint = selected(touchpoint) not in (None, ALL)
                caption = "Sentiment mix of the topic"
                if at_touchpoint:
                    caption += f" at {selected(touchpoint)}"
                display(show(mix.map(lambda s: f"{100 * s:.1f} %").reset_index(), caption=caption))
            if text in subset.columns:
                typical = subset.sort_values("topic_similarity", ascending=False).head(per_topic) \
                    if "topic_similarity" in subset.columns else subset.head(per_topic)
                cols = [text] + [c for c in (sentiment, touchpoint)
                                 if c in typical.columns and (c not in filters or filters[c].value == ALL)]
                display(show(typical[cols].reset_index(drop=True), caption="Typical verbatims"))
            if date in subset.columns and subset[date].notna().any():
                values = subset[date]
                if getattr(values.dt, "tz", None) is not None:
                    values = values.dt.tz_convert("UTC").dt.tz_localize(None)
                fig, ax = plt.subplots(figsize=(7, 2.5))
                values.dt.to_period("W").dt.start_time.value_counts().sort_index().plot(ax=ax, marker="o")
                ax.set_title("Texts per week")
                display(fig)
                plt.close(fig)

    for control in filters.values():
        control.observe(refilter, names="value")
    picker.observe(render, names="value")
    refilter()
    return widgets.VBox([widgets.HBox(list(filters.values()), layout=full), picker, out], layout=full)
