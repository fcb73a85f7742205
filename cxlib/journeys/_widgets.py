"""Interactive exploration in JupyterLab (only built when a notebook runs with ``interactive = True``), and a
sample of whole cases for exploring a large log quickly."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .._docstrings import share_docs
from .._errors import CxInputError
from ..display import say, show
from ._engine import to_pandas
from ._events import ACTIVITY, CASE, RESOURCE, TIMESTAMP, prepare
from ._map import draw_process_map, format_hours, process_map
from ._segments import case_metrics
from ._variants import case_variants, variants

ALL = "(all)"


@share_docs
def sample_cases(log: pd.DataFrame, n: int, *, seed: int = 0, case_key: str = CASE) -> pd.DataFrame:
    """A random sample of whole cases, to explore a large log quickly.

    Every event of a sampled case is kept (a journey is never cut), in the log's order; the same ``seed``
    gives the same sample.

    Parameters
    ----------
    {log}
    n : int
        Cases to keep (at least 1); a log with at most ``n`` cases is returned whole.
    seed : int, default 0
        Seed of the random choice.
    case_key : str, default "case:concept:name"
        Case id column.

    Returns
    -------
    pandas.DataFrame
        The rows of ``log`` (all its columns) that belong to the sampled cases.

    {example_helpdesk}
    >>> small = cj.sample_cases(log, 500)
    >>> small["case:concept:name"].nunique(), small.groupby("case:concept:name").size().equals(
    ...     log[log["case:concept:name"].isin(small["case:concept:name"])].groupby("case:concept:name").size())
    (500, True)
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise CxInputError(f"the sample size must be a whole number of cases, at least 1; got {n!r}.")
    if case_key not in log.columns:
        columns = ", ".join(map(str, log.columns))
        raise CxInputError(f"the log has no case column {case_key!r}; its columns: {columns}.")
    cases = pd.unique(log[case_key].dropna())
    if len(cases) <= n:
        return log
    chosen = np.random.default_rng(seed).choice(len(cases), size=int(n), replace=False)
    return log[log[case_key].isin(cases[chosen])]


@share_docs
def filter_cases(log: pd.DataFrame, *, segment_by: str | None = None, segment=None, touchpoint=None,
                 variant_rank: int | None = None, case_key: str = CASE, activity_key: str = ACTIVITY,
                 timestamp_key: str = TIMESTAMP) -> pd.DataFrame:
    """The events of the cases in a segment, passing a touchpoint and/or following a variant.

    Parameters
    ----------
    {log}
    segment_by : str, optional
        Case attribute for ``segment`` (read at each case's first event).
    segment : optional
        Keep cases whose ``segment_by`` value equals this.
    touchpoint : str, optional
        Keep cases with at least one event at this touchpoint.
    variant_rank : int, optional
        Keep cases following the variant with this ``rank`` among the cases the segment and touchpoint keep
        (as :func:`variants` of those cases ranks it; without them, of the whole log).
    {log_keys}

    Returns
    -------
    pandas.DataFrame
        The rows of ``log`` (all its columns) that belong to the kept cases.

    {example_helpdesk}
    >>> sub = cj.filter_cases(log, variant_rank=1)
    >>> sub["case:concept:name"].nunique() == int(cj.variants(log, top=1).table["cases"].iloc[0])
    True
    >>> level2 = cj.filter_cases(log, segment_by="service_level", segment="Value 2")
    >>> first = cj.filter_cases(log, segment_by="service_level", segment="Value 2", variant_rank=1)
    >>> first["case:concept:name"].nunique() == int(cj.variants(level2, top=1).table["cases"].iloc[0])
    True
    """
    keys = {"case_key": case_key, "activity_key": activity_key, "timestamp_key": timestamp_key}
    ev = prepare(log, **keys)
    keep = pd.Series(True, index=pd.Index(ev.case_ids))
    if segment_by is not None and segment is not None and segment != ALL:
        values = ev.case_values(segment_by).astype(str)
        keep &= (values == str(segment)).to_numpy()
    if touchpoint is not None and touchpoint != ALL:
        names = list(map(str, ev.activities))
        if str(touchpoint) in names:
            t = ev.table
            codes = t.filter(t.act == names.index(str(touchpoint))).select("case").distinct().pipe(to_pandas)
            cases = set(ev.case_ids[codes["case"].to_numpy(dtype=np.int64)])
        else:
            cases = set()
        keep &= keep.index.isin(cases)
    selected = log[log[case_key].isin(keep.index[keep.to_numpy()])]
    if variant_rank is not None and variant_rank != ALL:
        cv = case_variants(ev) if keep.all() else case_variants(selected, **keys)
        chosen = cv.loc[cv["variant_rank"] == int(variant_rank), "case"]
        selected = selected[selected[case_key].isin(chosen)]
    return selected


def _fit_svg(svg: str) -> str:
    """A Graphviz SVG that scales to the width of its panel: the fixed size goes, the viewBox stays."""
    head = re.search(r"<svg\b[^>]*>", svg)
    if head is None or "viewBox" not in head.group(0):
        return svg
    tag = re.sub(r'\s(width|height)="[^"]*"', "", head.group(0))
    width = re.search(r'\swidth="([\d.]+)pt"', head.group(0))
    # Never wider than the panel, never larger than drawn: max-width keeps small maps at their own size.
    size = ' width="100%"'
    if width:  # points to CSS pixels
        size += f' style="max-width: {float(width.group(1)) * 4 / 3:.0f}px; height: auto"'
    return svg[:head.start()] + tag[:-1] + size + ">" + svg[head.end():]


def compare_with_all(log: pd.DataFrame, selection: pd.DataFrame, *, success_ends=None,
                     resource_key: str | None = RESOURCE, case_key: str = CASE, activity_key: str = ACTIVITY,
                     timestamp_key: str = TIMESTAMP, _metrics=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The selected cases against all cases: key measures, and the touchpoints whose reach differs most.

    Returns ``(measures, touchpoints)``: ``measures`` has ``measure``, ``selection``, ``all cases`` (text);
    ``touchpoints`` has ``touchpoint`` and the share of the selection's and of all cases that pass it, with the
    difference in percentage points, largest differences first (the top 10).
    """
    keys = {"case_key": case_key, "activity_key": activity_key, "timestamp_key": timestamp_key}
    ev = prepare(log, **keys)
    metrics = _metrics if _metrics is not None else case_metrics(ev, success_ends=success_ends,
                                                                 resource_key=resource_key)[0]
    chosen = np.isin(ev.case_ids, pd.unique(selection[case_key]))

    def pct(x):
        return "" if not np.isfinite(x) else f"{100 * x:.1f} %"

    rows = [("cases", f"{int(chosen.sum()):,} ({pct(chosen.mean())} of all)", f"{len(chosen):,}")]
    def share(s):
        return pct(s.mean())

    for column, label, fmt in (("events", "events per case (mean)", lambda s: f"{s.mean():.1f}"),
                               ("throughput_h", "median throughput", lambda s: format_hours(s.median())),
                               ("throughput_h", "90th percentile throughput",
                                lambda s: format_hours(s.quantile(0.9))),
                               ("dropoff_share", "cases that drop off", share),
                               ("rework_share", "cases that repeat a touchpoint", share),
                               ("repeat_contact_share", "cases with a repeated contact", share),
                               ("handoff_share", "cases handed over", share)):
        if column in metrics.columns:
            selected = fmt(metrics.loc[chosen, column]) if chosen.any() else ""
            rows.append((label, selected, fmt(metrics[column])))
    measures = pd.DataFrame(rows, columns=["measure", "selection", "all cases"])
    n_sel, n_all = max(int(chosen.sum()), 1), len(chosen)
    reach_sel = selection.groupby(activity_key, observed=True)[case_key].nunique() / n_sel
    reach_all = log.groupby(activity_key, observed=True)[case_key].nunique() / n_all
    reach = pd.DataFrame({"selection": reach_sel, "all cases": reach_all}).fillna(0.0)
    reach["difference"] = reach["selection"] - reach["all cases"]
    largest = reach["difference"].abs().sort_values(ascending=False, kind="stable").index
    reach = reach.reindex(largest).head(10)
    touchpoints = pd.DataFrame({
        "touchpoint": reach.index.astype(str),
        "selection: cases passing": reach["selection"].map(pct).to_numpy(),
        "all cases: cases passing": reach["all cases"].map(pct).to_numpy(),
        "difference": reach["difference"].map(lambda d: f"{100 * d:+.1f} points").to_numpy(),
    })
    return measures, touchpoints


@share_docs
def journey_explorer(log: pd.DataFrame, *, segment_by: str | None = None, top_activities: int = 12,
                     top_paths: float = 0.95, top_variants: int = 20, success_ends=None,
                     resource_key: str | None = RESOURCE, case_key: str = CASE, activity_key: str = ACTIVITY,
                     timestamp_key: str = TIMESTAMP):
    """A variant explorer for JupyterLab: pick a segment, a touchpoint or a variant; the map and tables follow.

    The variant picker lists the variants of the cases the segment and touchpoint keep, ranked among them
    (it follows the selection). Three tabs show the selection: its process map (scaled to the panel), its
    variants, and the selection compared with all cases (key measures side by side, and the touchpoints whose
    share of cases differs most).

    Parameters
    ----------
    {log}
    segment_by : str, optional
        Case attribute offered as the segment picker.
    top_activities, top_paths : see :func:`process_map` (pruning of the map shown).
    top_variants : int, default 20
        Variants offered in the variant picker.
    {success_ends}
    resource_key : str or None, default "org:resource"
        Column for the share of cases handed over; a missing column leaves it out.
    {log_keys}

    Returns
    -------
    ipywidgets.VBox
        The segment and touchpoint pickers, the variant picker, and a tab per view of the selected cases.
        Display it as the last expression of a cell.

    Examples
    --------
    >>> import cxlib, cxlib.journeys as cj
    >>> w = cj.journey_explorer(cxlib.read_log("data/helpdesk.xes.gz"), segment_by="service_level")
    >>> type(w).__name__, w.children[1].description
    ('VBox', 'Variant')
    """
    import ipywidgets as widgets
    from IPython.display import SVG, display

    keys = {"case_key": case_key, "activity_key": activity_key, "timestamp_key": timestamp_key}
    ev = prepare(log, **keys)
    resource = resource_key if resource_key is not None and resource_key in log.columns else None
    metrics = case_metrics(ev, success_ends=success_ends, resource_key=resource)[0]
    full = widgets.Layout(width="100%")
    pickers = []
    segment = None
    if segment_by:
        values = sorted(ev.case_values(segment_by).dropna().astype(str).unique())
        segment = widgets.Dropdown(options=[ALL, *values], description="Segment")
        pickers.append(segment)
    touchpoint = widgets.Dropdown(options=[ALL, *sorted(map(str, ev.activities))], description="Touchpoint")
    pickers.append(touchpoint)
    variant = widgets.Dropdown(options=[(ALL, ALL)], description="Variant", layout=widgets.Layout(width="95%"))
    outs = [widgets.Output(layout=full) for _ in range(3)]
    tabs = widgets.Tab(children=outs, layout=full)
    for i, name in enumerate(("Map", "Variants", "vs. all cases")):
        tabs.set_title(i, name)
    state = {"busy": False, "ranked": None}

    def selection_without_variant():
        return filter_cases(log, segment_by=segment_by, segment=None if segment is None else segment.value,
                            touchpoint=touchpoint.value, **keys)

    def rerank(*_):
        """New variant choices, ranked among the cases the segment and touchpoint keep."""
        sub = selection_without_variant()
        state["ranked"] = sub
        table = variants(sub, top=top_variants, **keys).table if not sub.empty else None
        options = [(ALL, ALL)]
        if table is not None:
            options += [(f"#{r} ({n:,} cases): {v[:80]}", int(r)) for r, n, v in
                        zip(table["rank"], table["cases"], table["variant"])]
        state["busy"] = True
        try:
            variant.options = options
            variant.value = ALL
        finally:
            state["busy"] = False
        refresh()

    def refresh(*_):
        if state["busy"]:
            return
        base = state["ranked"] if state["ranked"] is not None else selection_without_variant()
        sub = base
        if variant.value != ALL and not base.empty:
            cv = case_variants(base, **keys)
            sub = base[base[case_key].isin(cv.loc[cv["variant_rank"] == int(variant.value), "case"])]
        for out in outs:
            out.clear_output(wait=True)
        if sub.empty:
            with outs[0]:
                display(say("No case matches this selection."))
            return
        with outs[0]:
            pm = process_map(sub, top_activities=top_activities, top_paths=top_paths, **keys)
            cov = pm.coverage
            display(say("{n} cases selected. The map shows {a} of {t} touchpoints, {e:.0%} of the events and "
                        "{tr:.0%} of the transitions.", n=f"{sub[case_key].nunique():,}",
                        a=cov["activities_kept"], t=cov["activities_total"], e=cov["events_share"],
                        tr=cov["transitions_share"]))
            display(SVG(_fit_svg(draw_process_map(pm).pipe(format="svg").decode("utf-8"))))
        with outs[1]:
            display(show(variants(sub, top=10, **keys).table.drop(columns="activities"),
                         caption="Variants of the selected cases, ranked among them"))
        with outs[2]:
            measures, reach = compare_with_all(log, sub, _metrics=metrics, **keys)
            display(show(measures, caption="The selected cases against all cases"))
            display(show(reach, caption="Touchpoints whose share of cases differs most from all cases"))

    for picker in pickers:
        picker.observe(rerank, names="value")
    variant.observe(refresh, names="value")
    from IPython import get_ipython

    if get_ipython() is not None:  # outside a kernel the output areas would print to the console
        rerank()
    else:
        table = variants(ev, top=top_variants).table
        variant.options = [(ALL, ALL)] + [(f"#{r} ({n:,} cases): {v[:80]}", int(r)) for r, n, v in
                                          zip(table["rank"], table["cases"], table["variant"])]
    return widgets.VBox([widgets.HBox(pickers, layout=full), variant, tabs], layout=full)
