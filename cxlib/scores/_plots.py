"""Charts for score reports: traffic-light grid, trend lines with bands and targets, NPS composition."""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from .._docstrings import share_docs
from ._targets import LIGHT_COLOURS
from ._validate import _require_column

__all__ = ["plot_composition", "plot_traffic_lights", "plot_trend"]

_ORDER = ["green", "amber", "red", "grey", "no target"]


@share_docs
def plot_traffic_lights(lights: pd.DataFrame, *, x: str = "period", y: str = "touchpoint", ax=None,
                        fmt: str = "{value:.0f}\nn={n:,}"):
    """Traffic-light grid: one coloured cell per row (e.g. touchpoint x period), labelled with value and n.

    Parameters
    ----------
    lights : pandas.DataFrame
        Output of :func:`traffic_lights` (needs ``light``, ``value``, ``n`` and the ``x`` / ``y`` columns).
    x, y : str, defaults "period" and "touchpoint"
        Columns for the grid's columns and rows. Periods are ordered by ``period_start`` when present.
    {ax}
    fmt : str, default "{value:.0f}\\nn={n:,}"
        Cell label, formatted with the row's columns.

    Returns
    -------
    matplotlib.axes.Axes
        The grid; cells without data stay blank.

    {example_tweets}
    >>> from cxlib.scores import plot_traffic_lights, sentiment_index, traffic_lights
    >>> si = sentiment_index(tweets, sentiment="airline_sentiment", by=["airline", "airline_sentiment_gold"])
    >>> lights = traffic_lights(si.dropna(subset=["airline_sentiment_gold"]),
    ...                         targets="notebooks/targets/airline_demo.yml", touchpoint="airline")
    >>> ax = plot_traffic_lights(lights, x="airline_sentiment_gold", y="airline")
    """
    for col in ("light", "value", "n", x, y):
        _require_column(lights, col, "a traffic-light column")
    data = lights.copy()
    xs = (data.sort_values("period_start")[x].drop_duplicates().tolist() if "period_start" in data
          else sorted(data[x].dropna().unique().tolist()))
    ys = sorted(data[y].dropna().unique().tolist(), key=str)
    code = data.assign(_code=data["light"].map({k: i for i, k in enumerate(_ORDER)}))
    grid = code.pivot_table(index=y, columns=x, values="_code", aggfunc="first").reindex(index=ys, columns=xs)
    labels = data.assign(_label=[fmt.format(**r) for r in data.to_dict("records")]).pivot_table(
        index=y, columns=x, values="_label", aggfunc="first").reindex(index=ys, columns=xs).fillna("")
    if ax is None:
        _, ax = plt.subplots(figsize=(max(4, 1.1 * len(xs) + 2), max(2, 0.7 * len(ys) + 1)))
    cmap = ListedColormap([LIGHT_COLOURS[k] for k in _ORDER])
    sns.heatmap(grid.astype(float), ax=ax, cmap=cmap, vmin=-0.5, vmax=len(_ORDER) - 0.5, cbar=False,
                annot=labels.to_numpy(), fmt="", linewidths=1, linecolor="white", annot_kws={"fontsize": 8})
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    # column labels wider than their cells (dates in a narrow grid) are turned so they never overlap
    # (about 0.075 inch per character at the default size; the axes take about half a figure with row labels)
    if len(xs) * max((len(str(v)) for v in xs), default=0) * 0.075 > 0.5 * ax.figure.get_figwidth():
        ax.tick_params(axis="x", labelrotation=45)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")
    present = [k for k in _ORDER if k in set(data["light"])]
    ax.legend(handles=[Patch(facecolor=LIGHT_COLOURS[k], edgecolor="#666", label=k) for k in present],
              loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    return ax


@share_docs
def plot_trend(table: pd.DataFrame, *, hue: str | None = "touchpoint", target=None, min_n: int = 1, ax=None):
    """Trend lines with interval bands and the target line(s).

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`trend` (``period_start``, ``value``, ``ci_low``, ``ci_high``), optionally already
        passed through :func:`traffic_lights` (then each group's ``target`` is drawn as a dashed line).
    hue : str or None, default "touchpoint"
        Column with one line per value.
    target : float, optional
        One target line for all lines (used when the table has no ``target`` column).
    min_n : int, default 1
        Periods with fewer responses are left out of the chart (their intervals are too wide to read);
        the table still has them.
    {ax}

    Returns
    -------
    matplotlib.axes.Axes
        Lines (point estimates), shaded bands (intervals), dashed target lines.

    {example_tweets}
    >>> from cxlib.scores import plot_trend, trend
    >>> daily = trend(tweets, kind="sentiment", score="airline_sentiment", date="tweet_created",
    ...               date_format="%Y-%m-%d %H:%M:%S %z", period="D", by="airline")
    >>> ax = plot_trend(daily, hue="airline", target=-40)
    """
    for col in ("period_start", "value", "ci_low", "ci_high"):
        _require_column(table, col, "a trend-table column")
    data = table[table["period_start"].notna() & (table["n"] >= max(min_n, 1))].sort_values("period_start")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4))
    groups = sorted(data[hue].dropna().unique().tolist(), key=str) if hue else [None]
    palette = dict(zip(groups, sns.color_palette(n_colors=max(len(groups), 1))))
    sns.lineplot(data=data, x="period_start", y="value", hue=hue, hue_order=groups if hue else None,
                 palette=palette if hue else None, marker="o", ax=ax, errorbar=None)
    targets = data["target"].dropna().unique() if "target" in data else []
    for g in groups:
        part = data if g is None else data[data[hue] == g]
        colour = palette[g]
        ax.fill_between(part["period_start"], part["ci_low"], part["ci_high"], color=colour, alpha=0.15,
                        linewidth=0)
        if len(targets) > 1 and part["target"].notna().any():
            ax.plot(part["period_start"], part["target"], linestyle="--", color=colour, linewidth=1,
                    label=f"target {g}")
    if target is None and len(targets) == 1:
        target = float(targets[0])
    if target is not None:
        ax.axhline(target, linestyle="--", color="black", linewidth=1, label=f"target {target:g}")
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_xlabel("period")
    ax.set_ylabel(str(data["measure"].iloc[0]) if len(data) else "value")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    return ax


@share_docs
def plot_composition(table: pd.DataFrame, *, y: str = "touchpoint", ax=None):
    """Stacked 100 % bars: detractors / passives / promoters (or negative / neutral / positive) per group.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`nps` or :func:`sentiment_index` (the ``pct_*`` columns).
    y : str, default "touchpoint"
        Column with one bar per value.
    {ax}

    Returns
    -------
    matplotlib.axes.Axes
        Horizontal stacked bars labelled with the shares (and n on the axis).

    {example_tweets}
    >>> from cxlib.scores import plot_composition, sentiment_index
    >>> ax = plot_composition(sentiment_index(tweets, sentiment="airline_sentiment", by="airline"), y="airline")
    """
    _require_column(table, y, "the group column")
    parts = (["detractors", "passives", "promoters"] if "pct_promoters" in table
             else ["negative", "neutral", "positive"])
    colours = [LIGHT_COLOURS["red"], LIGHT_COLOURS["grey"], LIGHT_COLOURS["green"]]
    data = table[table["n"] > 0].reset_index(drop=True)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.5 * len(data) + 1.2))
    ypos = np.arange(len(data))
    left = np.zeros(len(data))
    for part, colour in zip(parts, colours):
        share = data[f"pct_{part}"].to_numpy(float)
        ax.barh(ypos, share, left=left, color=colour, label=part, height=0.8)
        for row_pos, start, width in zip(ypos, left, share):
            if width >= 6:
                ax.text(start + width / 2, row_pos, f"{width:.0f}%", ha="center", va="center", fontsize=8,
                        color="black" if part == parts[1] else "white")
        left += share
    ax.set_yticks(ypos, [f"{g} (n={n:,})" for g, n in zip(data[y], data["n"])])
    ax.invert_yaxis()
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    sns.despine(ax=ax, left=True)
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of responses (%)")
    ax.set_ylabel("")
    return ax
