"""Interactive exploration in JupyterLab (only built when a notebook runs with ``interactive = True``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._docstrings import share_docs
from ..display import say, show
from ._engine import to_pandas
from ._events import ACTIVITY, CASE, TIMESTAMP, prepare
from ._map import draw_process_map, process_map
from ._variants import case_variants, variants

ALL = "(all)"


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
        Keep cases following the variant with this ``rank`` in :func:`variants`' table (of the whole log).
    {log_keys}

    Returns
    -------
    pandas.DataFrame
        The rows of ``log`` (all its columns) that belong to the kept cases.

    {example_helpdesk}
    >>> sub = cj.filter_cases(log, variant_rank=1)
    >>> sub["case:concept:name"].nunique() == int(cj.variants(log, top=1).table["cases"].iloc[0])
    True
    """
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
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
    if variant_rank is not None and variant_rank != ALL:
        cv = case_variants(ev)
        keep &= (cv["variant_rank"] == int(variant_rank)).to_numpy()
    return log[log[case_key].isin(keep.index[keep.to_numpy()])]


@share_docs
def journey_explorer(log: pd.DataFrame, *, segment_by: str | None = None, top_activities: int = 12,
                     top_paths: float = 0.95, top_variants: int = 20, case_key: str = CASE,
                     activity_key: str = ACTIVITY, timestamp_key: str = TIMESTAMP):
    """A variant explorer for JupyterLab: pick a segment, a touchpoint or a variant; the map and tables follow.

    Parameters
    ----------
    {log}
    segment_by : str, optional
        Case attribute offered as the segment picker.
    top_activities, top_paths : see :func:`process_map` (pruning of the map shown).
    top_variants : int, default 20
        Variants offered in the variant picker.
    {log_keys}

    Returns
    -------
    ipywidgets.VBox
        The pickers and an output area with the process map (SVG), the coverage and the top variants of the
        selected cases. Display it as the last expression of a cell.

    Examples
    --------
    >>> import cxlib, cxlib.journeys as cj
    >>> w = cj.journey_explorer(cxlib.read_log("data/helpdesk.xes.gz"), segment_by="service_level")
    >>> type(w).__name__
    'VBox'
    """
    import ipywidgets as widgets
    from IPython.display import SVG, display

    keys = {"case_key": case_key, "activity_key": activity_key, "timestamp_key": timestamp_key}
    ev = prepare(log, **keys)
    all_variants = variants(ev, top=top_variants).table
    pickers = []
    segment = None
    if segment_by:
        values = sorted(ev.case_values(segment_by).dropna().astype(str).unique())
        segment = widgets.Dropdown(options=[ALL, *values], description="Segment")
        pickers.append(segment)
    touchpoint = widgets.Dropdown(options=[ALL, *sorted(map(str, ev.activities))], description="Touchpoint")
    variant = widgets.Dropdown(
        options=[(ALL, ALL)] + [(f"#{r} ({n:,} cases): {v[:80]}", r) for r, n, v in
                                zip(all_variants["rank"], all_variants["cases"], all_variants["variant"])],
        description="Variant", layout=widgets.Layout(width="90%"))
    pickers += [touchpoint, variant]
    out = widgets.Output()

    def refresh(*_):
        with out:
            out.clear_output(wait=True)
            sub = filter_cases(log, segment_by=segment_by, segment=None if segment is None else segment.value,
                               touchpoint=touchpoint.value, variant_rank=variant.value, **keys)
            if sub.empty:
                display(say("No case matches this selection."))
                return
            pm = process_map(sub, top_activities=top_activities, top_paths=top_paths, **keys)
            cov = pm.coverage
            display(say("{n} cases selected. The map shows {a} of {t} touchpoints, {e:.0%} of the events and "
                        "{tr:.0%} of the transitions.", n=f"{sub[case_key].nunique():,}",
                        a=cov["activities_kept"], t=cov["activities_total"], e=cov["events_share"],
                        tr=cov["transitions_share"]))
            display(SVG(draw_process_map(pm).pipe(format="svg")))
            display(show(variants(sub, top=10, **keys).table.drop(columns="activities"), caption="Top variants"))

    for picker in pickers:
        picker.observe(refresh, names="value")
    from IPython import get_ipython

    if get_ipython() is not None:  # outside a kernel the output area would print to the console
        refresh()
    return widgets.VBox([widgets.HBox(pickers[:2]), *pickers[2:], out])
