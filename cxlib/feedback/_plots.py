"""Charts for topics and sentiment (seaborn/matplotlib, ``ax=None``, the Axes returned, never shown)."""

from __future__ import annotations

import pandas as pd

from .._docstrings import share_docs
from ._topics import sentiment_by_topic, topics_by, topics_over_time

__all__ = ["plot_sentiment_by", "plot_topic_sizes", "plot_topics_by", "plot_topics_over_time"]

_SENTIMENT_COLOURS = {"negative": "#d62728", "neutral": "#bdbdbd", "positive": "#2ca02c"}


def _axes(ax, size=(8, 4)):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=size)
    return ax


_PERIOD_WORDS = {"D": "day", "W": "week", "M": "month", "ME": "month", "Q": "quarter", "QE": "quarter", "Y": "year"}


def _short(label: str, width: int = 40) -> str:
    label = str(label)
    return label if len(label) <= width else label[: width - 1] + "…"


@share_docs
def plot_topic_sizes(topics: pd.DataFrame, *, top: int = 15, ax=None):
    """Horizontal bars: texts per topic, largest first.

    Parameters
    ----------
    topics : pandas.DataFrame
        ``TopicResult.topics`` (columns ``label``, ``size``).
    top : int, default 15
        Topics shown.
    {ax}

    Returns
    -------
    matplotlib.axes.Axes
        The bars, one per topic (at most ``top``), labelled with the topic; x is the number of texts.

    Examples
    --------
    >>> ax = plot_topic_sizes(pd.DataFrame({"label": ["bag, lost", "delay"], "size": [5, 3]}))
    >>> ax.get_xlabel()
    'texts'
    """
    import seaborn as sns

    ax = _axes(ax, (8, max(2.5, 0.35 * min(top, len(topics)) + 1)))
    shown = topics.sort_values("size", ascending=False).head(top).assign(label=lambda d: d["label"].map(_short))
    sns.barplot(data=shown, y="label", x="size", color="#4c72b0", ax=ax)
    ax.set_xlabel("texts")
    ax.set_ylabel("")
    ax.set_title("Topics by size")
    return ax


@share_docs
def plot_sentiment_by(documents: pd.DataFrame, *, by: str = "topic_label", sentiment: str = "sentiment",
                      top: int = 15, ax=None):
    """Stacked bars: share of negative, neutral and positive texts per topic (or touchpoint), most negative first.

    Parameters
    ----------
    documents : pandas.DataFrame
        Documents with ``by`` and a sentiment column.
    by : str, default "topic_label"
        Grouping column, e.g. ``touchpoint``.
    sentiment : str, default "sentiment"
        Sentiment column.
    top : int, default 15
        Largest groups shown.
    {ax}

    Returns
    -------
    matplotlib.axes.Axes
        Stacked bars of the ``top`` largest groups; the lowest net share (positive - negative) at the top.

    Examples
    --------
    >>> docs = pd.DataFrame({"topic_label": ["a", "a", "b"], "sentiment": ["negative", "positive", "neutral"]})
    >>> plot_sentiment_by(docs).get_xlabel()
    'share of texts'
    """
    table = sentiment_by_topic(documents, by=by, sentiment=sentiment)
    table = table.nlargest(top, "n").sort_values("net", ascending=False)
    ax = _axes(ax, (8, max(2.5, 0.35 * len(table) + 1)))
    left = pd.Series(0.0, index=table.index)
    labels = table[by].map(_short)
    for name in ("negative", "neutral", "positive"):
        ax.barh(labels, table[name], left=left, color=_SENTIMENT_COLOURS[name], label=name)
        left = left + table[name]
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of texts")
    ax.set_title(f"Sentiment by {by.replace('_', ' ')}")
    ax.legend(loc="lower right", fontsize="small")
    return ax


@share_docs
def plot_topics_over_time(documents: pd.DataFrame, *, date: str = "date", period: str = "W", top: int = 6,
                          ax=None):
    """Lines: each of the largest topics' share of the texts per period.

    Parameters
    ----------
    documents : pandas.DataFrame
        Documents with ``topic``, ``topic_label`` and a date column.
    date : str, default "date"
        Date column.
    period : str, default "W"
        Period: ``"D"``, ``"W"``, ``"M"``.
    top : int, default 6
        Largest topics drawn.
    {ax}

    Returns
    -------
    matplotlib.axes.Axes
        One line per topic (at most ``top``); y is the topic's share of the period's texts.

    Examples
    --------
    >>> docs = pd.DataFrame({"topic": [0, 1, 0], "topic_label": ["a", "b", "a"],
    ...                      "date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-09"], utc=True)})
    >>> plot_topics_over_time(docs, period="D").get_ylabel()
    'share of texts'
    """
    import seaborn as sns

    series = topics_over_time(documents, date=date, period=period).counts
    biggest = documents["topic"].value_counts().head(top).index
    shown = series[series["topic"].isin(biggest)].assign(topic_label=lambda d: d["topic_label"].map(_short))
    ax = _axes(ax, (9, 4))
    sns.lineplot(data=shown, x="period", y="share", hue="topic_label", marker="o", ax=ax)
    ax.set_ylabel("share of texts")
    ax.set_xlabel("")
    ax.set_title(f"Topics over time (per {_PERIOD_WORDS.get(str(period).upper(), period)})")
    ax.legend(fontsize="small", bbox_to_anchor=(1.01, 1), loc="upper left")
    return ax


@share_docs
def plot_topics_by(documents: pd.DataFrame, *, by: str = "touchpoint", top: int = 12, ax=None):
    """Heat map: each topic's share of the texts of each group (touchpoint, channel, class).

    Parameters
    ----------
    documents : pandas.DataFrame
        Documents with ``topic``, ``topic_label`` and the ``by`` column.
    by : str, default "touchpoint"
        Grouping column.
    top : int, default 12
        Largest topics shown.
    {ax}

    Returns
    -------
    matplotlib.axes.Axes
        The heat map: topics as rows, groups as columns, each cell the topic's share of the group.

    Examples
    --------
    >>> docs = pd.DataFrame({"topic": [0, 1], "topic_label": ["a", "b"], "touchpoint": ["x", "y"]})
    >>> plot_topics_by(docs).get_title()
    'Topic share within each touchpoint'
    """
    import seaborn as sns

    table = topics_by(documents, by=by)
    biggest = documents["topic"].value_counts().head(top).index
    table = table[table["topic"].isin(biggest)].assign(topic_label=lambda d: d["topic_label"].map(_short))
    grid = table.pivot_table(index="topic_label", columns=by, values="share", fill_value=0.0)
    ax = _axes(ax, (max(5, 1.2 * grid.shape[1] + 4), max(2.5, 0.4 * grid.shape[0] + 1)))
    sns.heatmap(grid, annot=True, fmt=".0%", cmap="Blues", cbar=False, ax=ax)
    ax.set_ylabel("")
    ax.set_title(f"Topic share within each {by.replace('_', ' ')}")
    return ax
