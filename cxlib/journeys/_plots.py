"""Charts where a reader would rather look than read: waits per transition, drop-off funnel, segments."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._docstrings import share_docs
from .._errors import CxInputError
from ._events import ACTIVITY, CASE, TIMESTAMP
from ._flow import DropOffs
from ._hidden import waiting_times
from ._results import table_of
from ._segments import Segments


def _axes(ax, size=(8, 4)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


@share_docs
def plot_waiting_times(log: pd.DataFrame, *, top: int = 8, calendar=None, ax=None, case_key: str = CASE,
                       activity_key: str = ACTIVITY, timestamp_key: str = TIMESTAMP):
    """Distribution of the waiting time per transition (box plots on a log scale), most frequent transitions.

    Parameters
    ----------
    {log}
    top : int, default 8
        Number of transitions shown (the most frequent).
    {calendar}
    {ax}
    {log_keys}

    Returns
    -------
    matplotlib.axes.Axes
        Hours on the x axis (log scale; waits of zero are drawn at one second), one box per transition,
        labelled with its number of transitions; with a ``calendar``, two boxes per transition (calendar time
        and working time).

    Examples
    --------
    >>> import cxlib, cxlib.journeys as cj
    >>> ax = cj.plot_waiting_times(cxlib.read_log("data/helpdesk.xes.gz"), top=5)
    >>> len(ax.get_yticklabels())
    5
    """
    import seaborn as sns

    w = waiting_times(log, calendar=calendar, case_key=case_key, activity_key=activity_key,
                      timestamp_key=timestamp_key)
    counts = w["transition"].astype(str).value_counts()
    counts = counts.iloc[np.lexsort((counts.index.to_numpy(), -counts.to_numpy()))].head(top)  # ties by name
    shown = w.assign(transition=w["transition"].astype(str))
    shown = shown[shown["transition"].isin(counts.index)].copy()
    hue = {}
    if "working_h" in shown.columns:  # calendar and working time side by side
        shown = shown.melt(id_vars="transition", value_vars=["wait_h", "working_h"], var_name="time",
                           value_name="hours").rename(columns={"hours": "wait_h"})
        shown["time"] = shown["time"].map({"wait_h": "calendar time", "working_h": "working time"})
        hue = {"hue": "time", "palette": {"calendar time": "#9ecae1", "working time": "#fdae6b"}}
    shown["wait_h"] = shown["wait_h"].clip(lower=1 / 3600)
    order = list(counts.index.astype(str))
    ax = _axes(ax, (9, (0.65 if hue else 0.45) * len(order) + 1.5))
    sns.boxplot(data=shown, x="wait_h", y="transition", order=order, ax=ax, fliersize=1.5, log_scale=True,
                **(hue or {"color": "#9ecae1"}))
    ax.set_yticks(range(len(order)), [f"{t}  (n={counts.iloc[i]:,})" for i, t in enumerate(order)])
    ax.set_xlabel("waiting time (hours, log scale)")
    ax.set_ylabel("")
    ax.set_title("Waiting time between touchpoints")
    if hue:
        ax.legend(title="", fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax


@share_docs
def plot_dropoff_funnel(dropoffs: DropOffs | pd.DataFrame, *, top: int = 10, ax=None):
    """Drop-off funnel: cases that reach each touchpoint, and how many of them end there unsuccessfully.

    Parameters
    ----------
    dropoffs : DropOffs or pandas.DataFrame
        The result of :func:`dropoffs`, or its ``table``.
    top : int, default 10
        Touchpoints shown, by cases reached.
    {ax}

    Returns
    -------
    matplotlib.axes.Axes
        Horizontal bars (cases reached) with the drop-offs in red and the drop-off rate as a label.

    Examples
    --------
    >>> import cxlib, cxlib.journeys as cj
    >>> ax = cj.plot_dropoff_funnel(cj.dropoffs(cxlib.read_log("data/helpdesk.xes.gz")))
    >>> ax.get_xlabel()
    'cases'
    """
    dropoffs = table_of(dropoffs, DropOffs)
    need = {"touchpoint", "cases_reached", "cases_ended", "successful_end", "dropoff_rate"}
    if not need <= set(dropoffs.columns):
        raise CxInputError(f"plot_dropoff_funnel expects the table from dropoffs(); missing "
                           f"{sorted(need - set(dropoffs.columns))}")
    d = dropoffs.sort_values("cases_reached", ascending=False).head(top).iloc[::-1]
    ax = _axes(ax, (9, 0.45 * len(d) + 1.5))
    y = np.arange(len(d))
    ax.barh(y, d["cases_reached"], color="#c6dbef", label="cases reaching the touchpoint")
    dropped = np.where(d["successful_end"], 0, d["cases_ended"])
    ax.barh(y, dropped, color="#cb181d", label="cases dropping off there")
    for yi, (reached, rate, ok) in enumerate(zip(d["cases_reached"], d["dropoff_rate"], d["successful_end"])):
        ax.text(reached, yi, "  successful end" if ok else f"  {rate:.1%} drop off", va="center", fontsize=8)
    ax.set_yticks(y, d["touchpoint"].astype(str))
    ax.set_xlabel("cases")
    ax.set_xlim(0, d["cases_reached"].max() * 1.25)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("Drop-off funnel")
    return ax


@share_docs
def plot_segments(segments: Segments | pd.DataFrame, *, metrics=None, ax=None):
    """Segments side by side: the share metrics of :func:`segments` as grouped bars, with sample sizes.

    Parameters
    ----------
    segments : Segments or pandas.DataFrame
        The result of :func:`segments`, or its ``table`` (the legend is then titled "segment").
    metrics : list of str, optional
        Share columns to show; default every ``*_share`` column except ``case_share``.
    {ax}

    Returns
    -------
    matplotlib.axes.Axes
        One group of bars per metric, one bar per segment; the legend gives each segment's number of cases.

    Examples
    --------
    >>> import cxlib, cxlib.journeys as cj
    >>> s = cj.segments(cxlib.read_log("data/helpdesk.xes.gz"), by="service_level")
    >>> cj.plot_segments(s).get_ylabel()
    "share of the segment's cases"
    """
    import seaborn as sns

    by = segments.by if isinstance(segments, Segments) else "segment"
    segments = table_of(segments, Segments)
    if metrics is None:
        metrics = [c for c in segments.columns if c.endswith("_share") and c != "case_share"]
    missing = [m for m in metrics if m not in segments.columns]
    if missing or "segment" not in segments.columns:
        raise CxInputError(f"plot_segments expects the table from segments(); missing {missing or ['segment']}")
    long = segments.assign(label=[f"{s} (n={n:,})" for s, n in zip(segments["segment"], segments["cases"])])
    long = long.melt(id_vars="label", value_vars=metrics, var_name="metric", value_name="share")
    long["metric"] = long["metric"].str.replace("_share", "").str.replace("_", " ")
    ax = _axes(ax, (9, 4))
    sns.barplot(data=long, x="metric", y="share", hue="label", ax=ax)
    ax.set_ylabel("share of the segment's cases")
    ax.set_xlabel("")
    ax.legend(title=by, fontsize=8, title_fontsize=8)
    ax.set_title("Segments compared")
    return ax
