"""Process map data (directly-follows graph with frequency and waiting times) and its Graphviz picture.

Engine: the edges are one Ibis aggregation over the enriched event table (group by activity and next activity:
transitions, median / mean / p90 / min / max wait; on Spark), or the same from the case-ordered arrays of a
pandas log (:mod:`._local`); the cases per edge are counted over the variants; start and end edges come from the
per-touchpoint table. Pruning (top touchpoints, top paths) runs in pandas on the small edge table; the
share of cases drawn whole after pruning is one more DuckDB query.
"""

from __future__ import annotations

import dataclasses
import html

import ibis
import numpy as np
import pandas as pd

from .._docstrings import share_docs
from .._errors import CxInputError
from ..display import Result, say, show
from . import _local
from ._calendar import calendar_of, working_edges, working_note
from ._engine import to_arrow
from ._events import ACTIVITY, CASE, TIMESTAMP, Events, prepare, wait_h
from ._results import dropped_parts, table_of

START = "▶ start"
END = "■ end"

_EDGE_COLUMNS = ["source", "target", "kind", "transitions", "cases", "share", "median_wait_h", "mean_wait_h",
                 "p90_wait_h", "min_wait_h", "max_wait_h"]


def format_hours(h: float) -> str:
    """A duration in hours as a short human label (``45s``, ``12m``, ``3.5h``, ``2.1d``).

    Parameters
    ----------
    h : float
        Hours.

    Returns
    -------
    str
        Seconds under a minute, minutes under an hour, hours under two days, else days; ``""`` for NaN.

    Examples
    --------
    >>> format_hours(0.5), format_hours(30), format_hours(72)
    ('30m', '30.0h', '3.0d')
    """
    if h is None or not np.isfinite(h):
        return ""
    seconds = h * 3600
    if seconds < 60:
        return f"{seconds:.0f}s"
    if seconds < 3600:
        return f"{seconds / 60:.0f}m"
    if h < 48:
        return f"{h:.1f}h"
    return f"{h / 24:.1f}d"


def _edges(ev: Events) -> pd.DataFrame:
    """All edges of the directly-follows graph, with start and end edges, unpruned."""
    if "edges" in ev._cache:
        return ev._cache["edges"]
    n_act = ev.n_activities
    if ev.local is not None:  # a pandas log: from the case-ordered arrays (see ._local)
        trans = _local.moves(ev.local, n_act).edge_rows()
    else:
        tr = ev.moves()
        wait = wait_h(tr.next_ts, tr.ts)
        expr = tr.group_by([tr.act.name("src"), tr.next_act.name("dst")]).aggregate(
            transitions=tr.count(),
            quantiles=wait.quantile([0.5, 0.9]),  # one sort per edge for the median and the p90
            mean_wait_h=wait.mean(),
            min_wait_h=wait.min(),
            max_wait_h=wait.max(),
        )
        table = to_arrow(expr)
        q = table.column("quantiles").combine_chunks().flatten().to_numpy().reshape(-1, 2)
        trans = table.drop_columns(["quantiles"]).to_pandas()
        trans["median_wait_h"] = q[:, 0]
        trans["p90_wait_h"] = q[:, 1]
        trans = trans.sort_values(["src", "dst"], ignore_index=True)
    # cases taking the edge: a property of each case's journey, counted over the variants (weighted by cases)
    trans["cases"] = ev.variant_data().edge_cases(n_act)[trans["src"].to_numpy(dtype=np.int64) * n_act
                                                         + trans["dst"].to_numpy(dtype=np.int64)]
    trans.insert(0, "source", ev.activity_names(trans.pop("src")))
    trans.insert(1, "target", ev.activity_names(trans.pop("dst")))
    trans.insert(2, "kind", "transition")
    acts = ev.act_stats()
    s_used = np.flatnonzero(acts["starts"].to_numpy())
    e_used = np.flatnonzero(acts["ends"].to_numpy())
    starts = acts["starts"].to_numpy()[s_used]
    ends = acts["ends"].to_numpy()[e_used]
    start_df = pd.DataFrame({"source": START, "target": ev.activities[s_used], "kind": "start",
                             "transitions": starts, "cases": starts})
    end_df = pd.DataFrame({"source": ev.activities[e_used], "target": END, "kind": "end",
                           "transitions": ends, "cases": ends})
    out = pd.concat([start_df, trans, end_df], ignore_index=True)
    out["transitions"] = out["transitions"].astype(np.int64)
    out["cases"] = out["cases"].astype(np.int64)
    total = max(int(trans["transitions"].sum()), 1)
    out["share"] = np.where(out["kind"] == "transition", out["transitions"] / total,
                            out["transitions"] / ev.n_cases)
    out = out[_EDGE_COLUMNS]
    out["source"] = out["source"].astype(object)
    out["target"] = out["target"].astype(object)
    ev._cache["edges"] = out
    return out


def _nodes(ev: Events) -> pd.DataFrame:
    acts = ev.act_stats()
    return pd.DataFrame({"touchpoint": ev.activities, "events": acts["events"].to_numpy(),
                         "cases": acts["cases"].to_numpy()})


@share_docs
@dataclasses.dataclass
class ProcessMap(Result):
    """A process map: the directly-follows edges kept, the touchpoints drawn, and how much of the log they show.

    Returned by :func:`process_map`; :func:`draw_process_map` draws it. ``show()`` renders the coverage
    sentence and the most frequent paths (transitions only, at most 15, without ``kind``).

    Attributes
    ----------
    edges : pandas.DataFrame
        One row per edge kept; the columns are listed in :func:`process_map`.
    nodes : pandas.DataFrame
        The touchpoints kept, one row each, most events first: ``touchpoint``, ``events``, ``cases``.
    coverage : dict
        What the pruned map still shows: ``events_share``, ``transitions_share``, ``cases_share`` (cases whose
        whole journey is drawn), ``activities_kept``, ``activities_total``, ``edges_kept``, ``edges_total``.
    {dropped_rows}
    working_note : str
        The working-hours calendar of the ``*_working_h`` columns and its closed days (empty without one).

    {example_helpdesk}
    >>> pm = cj.process_map(log, top_activities=8)
    >>> pm.coverage["activities_kept"], pm.nodes.columns.tolist()
    (8, ['touchpoint', 'events', 'cases'])
    >>> "of the transitions" in pm.coverage_text
    True
    """

    edges: pd.DataFrame
    nodes: pd.DataFrame
    coverage: dict
    dropped_rows: dict = dataclasses.field(default_factory=dict)
    working_note: str = ""

    @property
    def coverage_text(self) -> str:
        """What the map shows, in words (a good title for :func:`draw_process_map`)."""
        c = self.coverage
        return (f"{c['activities_kept']} of {c['activities_total']} touchpoints, {c['events_share']:.1%} of the "
                f"events, {c['transitions_share']:.1%} of the transitions; {c['cases_share']:.1%} of the cases "
                "are drawn in full")

    def parts(self) -> list:
        """The coverage sentence and the most frequent paths (with their waits in hours)."""
        paths = self.edges[self.edges["kind"] == "transition"].head(15).drop(columns=["kind"])
        return [say("The map shows {c}.", c=self.coverage_text),
                *([say("{w}", w=self.working_note)] if self.working_note else []),
                show(paths.reset_index(drop=True), caption="Most frequent paths"),
                *dropped_parts(self.dropped_rows)]


@share_docs
def process_map(log: pd.DataFrame, *, top_activities: int | None = None, top_paths: float = 1.0,
                calendar=None, case_key: str = CASE, activity_key: str = ACTIVITY,
                timestamp_key: str = TIMESTAMP) -> ProcessMap:
    """Directly-follows graph with frequency and waiting time on each edge, optionally pruned.

    Waiting time is the time from one event to the next event of the same case (the "hidden touchpoint" a
    customer lives through between two visible ones). Pruning keeps the ``top_activities`` most frequent
    touchpoints, then the most frequent paths between them until ``top_paths`` of their transitions are
    covered; the coverage that remains is in ``coverage`` of the result.

    Parameters
    ----------
    {log}
    top_activities : int, optional
        Keep only this many touchpoints (by number of events). ``None`` keeps all.
    top_paths : float, default 1.0
        Share (0-1] of the transitions among the kept touchpoints that the kept edges must cover, taking the
        most frequent edges first.
    {calendar}
    {log_keys}

    Returns
    -------
    ProcessMap
        ``edges``: one row per edge, most frequent first within each kind:

        - ``source``, ``target``: touchpoints; start edges come from ``"▶ start"``, end edges go to ``"■ end"``.
        - ``kind``: ``"start"``, ``"transition"`` or ``"end"``.
        - ``transitions``: how often the edge was followed (for start/end: cases starting/ending there).
        - ``cases``: cases that followed the edge at least once.
        - ``share``: transitions / all transitions (start/end edges: / all cases).
        - ``median_wait_h``, ``mean_wait_h``, ``p90_wait_h``, ``min_wait_h``, ``max_wait_h``: waiting time
          between the two events in hours (empty for start/end edges).
        - with a ``calendar``: ``median_working_h``, ``mean_working_h``, ``p90_working_h``, the same waits in
          working hours (and ``working_note`` says which calendar).

        ``nodes``: the kept touchpoints, most events first (``touchpoint``, ``events``, ``cases``);
        ``coverage``: a dict with ``events_share``, ``transitions_share``, ``cases_share`` (cases whose whole
        journey is drawn), ``activities_kept``, ``activities_total``, ``edges_kept``, ``edges_total``;
        ``dropped_rows``: log rows left out, by reason (see :class:`ProcessMap`).

    {example_helpdesk}
    >>> pm = cj.process_map(log, top_activities=8, top_paths=0.9)
    >>> pm.coverage["events_share"] > 0.9
    True
    >>> pm.edges.columns.tolist()[:4]
    ['source', 'target', 'kind', 'transitions']
    """
    if top_activities is not None and top_activities < 1:
        raise CxInputError(f"top_activities must be at least 1, got {top_activities}")
    if not 0 < top_paths <= 1:
        raise CxInputError(f"top_paths must be a share in (0, 1], got {top_paths}")
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    cal = calendar_of(calendar)
    edges = _edges(ev)
    if cal is not None:
        edges = edges.merge(working_edges(ev, cal), on=["source", "target", "kind"], how="left")
    nodes = _nodes(ev)
    kept_nodes = nodes.sort_values(["events", "touchpoint"], ascending=[False, True])
    if top_activities is not None:
        kept_nodes = kept_nodes.head(top_activities)
    kept_names = set(kept_nodes["touchpoint"])
    ok_node = lambda s: s.isin(kept_names) | s.isin([START, END])
    cand = edges[ok_node(edges["source"]) & ok_node(edges["target"])]
    trans = cand[cand["kind"] == "transition"].sort_values(["transitions", "source", "target"],
                                                            ascending=[False, True, True])
    if top_paths < 1 and len(trans):
        cum = trans["transitions"].cumsum() / trans["transitions"].sum()
        n_keep = int(np.searchsorted(cum.to_numpy(), top_paths - 1e-12) + 1)
        trans = trans.head(n_keep)
    starts = cand[cand["kind"] == "start"].sort_values("transitions", ascending=False)
    ends = cand[cand["kind"] == "end"].sort_values("transitions", ascending=False)
    out = pd.concat([starts, trans, ends], ignore_index=True)

    # coverage: what the picture still shows
    code_of = {name: i for i, name in enumerate(ev.activities)}
    kept_act = np.zeros(ev.n_activities, dtype=bool)
    kept_act[[code_of[n] for n in kept_names]] = True
    all_trans = edges.loc[edges["kind"] == "transition", "transitions"].sum()
    n_edges_total = int((edges["kind"] == "transition").sum())
    if kept_act.all() and len(trans) == n_edges_total:
        cases_share = 1.0
    else:
        # a case is drawn whole when every transition is a kept edge and a lone event's touchpoint is kept
        n_act = ev.n_activities
        kept_edges = (trans["source"].map(code_of).to_numpy(dtype=np.int64) * n_act
                      + trans["target"].map(code_of).to_numpy(dtype=np.int64)).tolist()
        t = ev.table
        ok = ibis.ifelse(t.next_act.isnull(), t.act.isin(np.flatnonzero(kept_act).tolist()),
                         (t.act.cast("int64") * n_act + t.next_act).isin(kept_edges or [-1]))
        bad_cases = int(to_arrow(t.filter(~ok).case.nunique()).as_py())
        cases_share = 1 - bad_cases / ev.n_cases
    coverage = {
        "events_share": float(nodes["events"].to_numpy()[kept_act].sum() / ev.n_events),
        "transitions_share": float(trans["transitions"].sum() / all_trans) if all_trans else 1.0,
        "cases_share": float(cases_share),
        "activities_kept": len(kept_names),
        "activities_total": int(ev.n_activities),
        "edges_kept": len(trans),
        "edges_total": n_edges_total,
    }
    return ProcessMap(out, kept_nodes.reset_index(drop=True), coverage, dropped_rows=dict(ev.dropped),
                      working_note="" if cal is None else working_note(ev, cal))


@share_docs
def start_end_touchpoints(log: pd.DataFrame, *, case_key: str = CASE, activity_key: str = ACTIVITY,
                          timestamp_key: str = TIMESTAMP) -> pd.DataFrame:
    """Where journeys start and where they end.

    A case starts at its first event and ends at its last (ties in time keep the order of the log). A touchpoint
    where many journeys end although it is not a designed end is where customers give up: :func:`dropoffs`
    judges that against the successful ends.

    {log_parameters}

    Returns
    -------
    pandas.DataFrame
        One row per touchpoint that starts or ends at least one case, sorted by ``starts + ends``:
        ``touchpoint``, ``starts`` (cases whose first event it is), ``start_share`` (of all cases),
        ``ends`` (cases whose last event it is), ``end_share``.

    {example_helpdesk}
    >>> cj.start_end_touchpoints(log).columns.tolist()
    ['touchpoint', 'starts', 'start_share', 'ends', 'end_share']
    """
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    acts = ev.act_stats()
    starts = acts["starts"].to_numpy()
    ends = acts["ends"].to_numpy()
    out = pd.DataFrame({"touchpoint": ev.activities, "starts": starts, "start_share": starts / ev.n_cases,
                        "ends": ends, "end_share": ends / ev.n_cases})
    out = out[(out["starts"] > 0) | (out["ends"] > 0)]
    out = out.assign(_o=out["starts"] + out["ends"]).sort_values(["_o", "touchpoint"], ascending=[False, True])
    return out.drop(columns="_o").reset_index(drop=True)


def _color(rank: float) -> str:
    """Grey (fast) to dark red (slow) for a rank in [0, 1]."""
    lo = np.array([0x88, 0x88, 0x88])
    hi = np.array([0xB2, 0x18, 0x2B])
    r, g, b = (lo + (hi - lo) * rank).astype(int)
    return f"#{r:02x}{g:02x}{b:02x}"


@share_docs
def draw_process_map(edges: ProcessMap | pd.DataFrame, *, rankdir: str = "LR", title: str | None = None):
    """Graphviz picture of a process map: frequency and median wait on every edge.

    Edge width grows with frequency; edge colour goes from grey to dark red with the median waiting time. A map
    made with a ``calendar`` also labels each edge with its median wait in working hours (``wh``).

    Parameters
    ----------
    edges : ProcessMap or pandas.DataFrame
        The result of :func:`process_map` (pruned or not), or its ``edges`` table (the boxes then show no
        event counts).
    rankdir : {"LR", "TB"}, default "LR"
        Layout direction.
    title : str, optional
        Caption drawn under the map (``ProcessMap.coverage_text`` is a good one).

    Returns
    -------
    graphviz.Digraph
        Render with ``.pipe(format="svg")``; show inline with ``IPython.display.SVG``.

    {example_helpdesk}
    >>> svg = cj.draw_process_map(cj.process_map(log, top_activities=6)).pipe(format="svg")
    >>> svg[:5] == b"<?xml"
    True
    """
    import graphviz

    nodes = edges.nodes if isinstance(edges, ProcessMap) else None
    edges = table_of(edges, ProcessMap, "edges")
    missing = [c for c in ["source", "target", "kind", "transitions", "median_wait_h"] if c not in edges.columns]
    if missing:
        raise CxInputError(f"draw_process_map expects the table from process_map(); missing columns {missing}",
                           column=missing[0])
    g = graphviz.Digraph("process_map", graph_attr={"rankdir": rankdir, "fontname": "Helvetica",
                                                    "fontsize": "11", "nodesep": "0.3", "ranksep": "0.5"},
                         node_attr={"fontname": "Helvetica", "fontsize": "10", "shape": "box",
                                    "style": "rounded,filled", "fillcolor": "#eef3f8", "color": "#4a6d8c"},
                         edge_attr={"fontname": "Helvetica", "fontsize": "9"})
    if title:
        g.attr(label=title, labelloc="b")
    ids: dict[str, str] = {}

    def node_id(name: str) -> str:
        if name not in ids:
            ids[name] = f"n{len(ids)}"
        return ids[name]

    names = set(edges["source"]).union(edges["target"])
    counts = {} if nodes is None else dict(zip(nodes["touchpoint"], nodes["events"]))
    for name in sorted(names, key=str):
        if name in (START, END):
            g.node(node_id(name), label=html.escape(name.split(" ", 1)[1]), shape="circle",
                   fillcolor="#d9ead3" if name == START else "#f4cccc", width="0.5", fixedsize="true")
        else:
            label = html.escape(str(name))
            if name in counts:
                label += f"\n{counts[name]:,}"
            g.node(node_id(name), label=label)
    trans = edges[edges["kind"] == "transition"]
    max_n = max(float(edges["transitions"].max()), 1.0)
    waits = trans["median_wait_h"].rank(pct=True) if len(trans) else pd.Series(dtype=float)
    for i, row in edges.iterrows():
        width = 0.6 + 4.0 * (row["transitions"] / max_n) ** 0.5
        if row["kind"] == "transition":
            label = f"{row['transitions']:,} · {format_hours(row['median_wait_h'])}"
            if pd.notna(row.get("median_working_h", np.nan)):
                label += f"\n{row['median_working_h']:.1f} wh"
            color = _color(float(waits.get(i, 0.0)))
        else:
            label = f"{row['transitions']:,}"
            color = "#9fb8a0" if row["kind"] == "start" else "#d7a0a0"
        g.edge(node_id(row["source"]), node_id(row["target"]), label=label, penwidth=f"{width:.2f}",
               color=color, fontcolor=color if row["kind"] == "transition" else "#555555")
    return g
