"""The topic browser: pick a topic, see its words, typical verbatims, sentiment mix and trend."""

from __future__ import annotations

from ..display import say, show
from ._topics import TopicResult, representative_verbatims

__all__ = ["topic_browser"]


def topic_browser(result: TopicResult, *, text: str = "text", sentiment: str = "sentiment", date: str = "date",
                  per_topic: int = 8):
    """An interactive topic browser for JupyterLab (build it only when the notebook is interactive).

    Parameters
    ----------
    result : TopicResult
        From :func:`fit_topics`.
    text : str, default "text"
        Column shown as verbatims (escaped; redacted when the feedback went through ``clean_feedback``).
    sentiment : str, default "sentiment"
        Sentiment column (the mix is shown when present).
    date : str, default "date"
        Date column (the weekly trend is shown when present).
    per_topic : int, default 8
        Verbatims shown per topic.

    Returns
    -------
    ipywidgets.VBox
        A drop-down of topics above an output area.

    Examples
    --------
    >>> fb = clean_feedback(read_feedback("data/airline_tweets.csv.gz", id="tweet_id").head(200), language=False)
    >>> type(topic_browser(fit_topics(fb, n_topics=3, progress=False))).__name__
    'VBox'
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    docs = result.documents
    options = [(f"{row.label} ({row.size:,})", int(row.topic)) for row in result.topics.itertuples()]
    picker = widgets.Dropdown(options=options, description="Topic", layout=widgets.Layout(width="90%"))
    out = widgets.Output()
    verbatims = representative_verbatims(result, per_topic=per_topic, text=text)

    def render(change=None):
        topic = picker.value
        row = result.topics.set_index("topic").loc[topic]
        subset = docs[docs["topic"] == topic]
        out.clear_output()
        with out:
            display(say("<b>{label}</b>: {n} texts ({share:.1%}). Top words: {words}.", label=row["label"],
                        n=f"{int(row['size']):,}", share=row["share"], words=row["top_words"]))
            if sentiment in subset.columns and subset[sentiment].notna().any():
                mix = subset[sentiment].value_counts(normalize=True).rename("share").to_frame()
                display(show(mix, caption="Sentiment mix"))
            display(show(verbatims[verbatims["topic"] == topic][[text]], caption="Typical verbatims"))
            if date in subset.columns and subset[date].notna().any():
                values = subset[date].dt.tz_convert("UTC").dt.tz_localize(None) if hasattr(subset[date].dt, "tz") \
                    and subset[date].dt.tz is not None else subset[date]
                fig, ax = plt.subplots(figsize=(7, 2.5))
                values.dt.to_period("W").dt.start_time.value_counts().sort_index().plot(ax=ax, marker="o")
                ax.set_title("Texts per week")
                display(fig)
                plt.close(fig)

    picker.observe(render, names="value")
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None and getattr(shell, "kernel", None) is not None:
        render()  # outside a kernel (scripts, doctests) the output area would print to the console
    return widgets.VBox([picker, out])
