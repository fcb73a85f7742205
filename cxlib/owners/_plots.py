"""Charts for the dashboard: the light grid (touchpoint x period) and trends against the target."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from .._errors import CxInputError

__all__ = ["plot_light_grid", "plot_touchpoint_trend", "LIGHT_COLOURS"]

LIGHT_COLOURS = {"green": "#2da44e", "amber": "#d4a72c", "red": "#cf222e", "grey": "#d0d7de"}


def plot_light_grid(trend: pd.DataFrame, *, measure: str | None = None, ax=None):
    """Traffic-light grid: one row per touchpoint, one column per period, coloured by the light.

    Parameters
    ----------
    trend : pandas.DataFrame
        :func:`cxlib.owners.touchpoint_scores` with ``period``.
    measure : str, optional
        Which measure (default: the first in the table).
    ax : matplotlib.axes.Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
        The grid; each cell is annotated with the value (and ``n`` below it).

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.owners import read_touchpoint_model, link_feedback, touchpoint_scores
    >>> model = read_touchpoint_model("notebooks/touchpoints/airline.yml")
    >>> tweets = pd.read_csv("data/airline_tweets.csv.gz")
    >>> linked = link_feedback(tweets, model, methods=["label", "topic"], label="negativereason")
    >>> trend = touchpoint_scores(linked, model, sentiment="airline_sentiment", period="D", date="tweet_created")
    >>> plot_light_grid(trend).get_title()
    'sentiment_index: light per touchpoint and period'
    """
    if trend is None or trend.empty:
        raise CxInputError("nothing to plot: the trend table is empty", column="period")
    measure = measure or trend["measure"].iloc[0]
    t = trend[trend["measure"] == measure]
    touchpoints = list(dict.fromkeys(t["touchpoint"]))
    periods = sorted(t["period"].astype(str).unique())
    codes = {"grey": 0, "green": 1, "amber": 2, "red": 3}
    grid = np.zeros((len(touchpoints), len(periods)))
    labels = np.full(grid.shape, "", dtype=object)
    for _, r in t.iterrows():
        i, j = touchpoints.index(r["touchpoint"]), periods.index(str(r["period"]))
        grid[i, j] = codes.get(r["light"], 0)
        labels[i, j] = "" if pd.isna(r["value"]) else f"{r['value']:.0f}\nn={int(r['n'])}"
    if ax is None:
        _, ax = plt.subplots(figsize=(max(6, 0.9 * len(periods) + 3), 0.6 * len(touchpoints) + 1.5))
    cmap = plt.matplotlib.colors.ListedColormap([LIGHT_COLOURS[k] for k in ("grey", "green", "amber", "red")])
    sns.heatmap(grid, ax=ax, cmap=cmap, vmin=-0.5, vmax=3.5, cbar=False, annot=labels, fmt="",
                annot_kws={"fontsize": 7}, linewidths=1, linecolor="white",
                xticklabels=periods, yticklabels=touchpoints)
    ax.set_title(f"{measure}: light per touchpoint and period")
    ax.set_xlabel("period")
    ax.set_ylabel("")
    return ax


def plot_touchpoint_trend(trend: pd.DataFrame, *, measure: str | None = None, ax=None):
    """Trend lines per touchpoint with their 95% interval bands and the target.

    Parameters
    ----------
    trend : pandas.DataFrame
        :func:`cxlib.owners.touchpoint_scores` with ``period``.
    measure : str, optional
        Which measure (default: the first in the table).
    ax : matplotlib.axes.Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
        One line per touchpoint; dashed lines are the targets.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.owners import read_touchpoint_model, link_feedback, touchpoint_scores
    >>> model = read_touchpoint_model("notebooks/touchpoints/airline.yml")
    >>> tweets = pd.read_csv("data/airline_tweets.csv.gz")
    >>> linked = link_feedback(tweets, model, methods=["label", "topic"], label="negativereason")
    >>> trend = touchpoint_scores(linked, model, sentiment="airline_sentiment", period="D", date="tweet_created")
    >>> len(plot_touchpoint_trend(trend).get_lines()) >= 4
    True
    """
    if trend is None or trend.empty:
        raise CxInputError("nothing to plot: the trend table is empty", column="period")
    measure = measure or trend["measure"].iloc[0]
    t = trend[(trend["measure"] == measure) & trend["value"].notna()].copy()
    t["period"] = t["period"].astype(str)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4))
    periods = sorted(t["period"].unique())
    x_of = {p: i for i, p in enumerate(periods)}
    palette = sns.color_palette("colorblind", n_colors=max(t["touchpoint"].nunique(), 1))
    for colour, (tp, g) in zip(palette, t.groupby("touchpoint", sort=False)):
        x = g["period"].map(x_of)
        ax.plot(x, g["value"], marker="o", color=colour, label=tp)
        ax.fill_between(x, g["ci_low"], g["ci_high"], color=colour, alpha=0.15)
        ax.axhline(g["target"].iloc[0], color=colour, linestyle="--", linewidth=0.8)
    ax.set_xticks(range(len(periods)), periods, rotation=45, ha="right")
    ax.set_ylabel(measure)
    ax.set_title(f"{measure} per period (band: 95% interval, dashed: target)")
    ax.legend(fontsize=8, loc="best")
    return ax
