"""Process map data (directly-follows graph with frequency and waiting times) and its Graphviz picture."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from .._errors import CxInputError
from ._events import ACTIVITY, CASE, TIMESTAMP, Events, distinct, group_stats, hours, prepare, stamp

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


def _wait_stats(edge: np.ndarray, wait_h: np.ndarray, n_edges: int) -> pd.DataFrame:
    st = group_stats(edge, wait_h, n_edges)
    return pd.DataFrame({"median_wait_h": st[0.5], "mean_wait_h": st["mean"], "p90_wait_h": st[0.9],
                         "min_wait_h": st["min"], "max_wait_h": st["max"]})


def _edges(ev: Events) -> pd.DataFrame:
    """All edges of the directly-follows graph, with start and end edges, unpruned."""
    if "edges" in ev._cache:
        return ev._cache["edges"]
    n_act = ev.n_activities
    src_idx, src, dst, wait = ev.transitions
    edge = src.astype(np.int64) * n_act + dst
    counts = np.bincount(edge, minlength=n_act * n_act)
    # cases per edge: distinct (case, edge) pairs
    pair = distinct(ev.case[src_idx].astype(np.int64) * (n_act * n_act) + edge)
    cases = np.bincount(pair % (n_act * n_act), minlength=n_act * n_act)
    used = np.flatnonzero(counts)
    stats = _wait_stats(edge, hours(wait), n_act * n_act).reindex(used)
    trans = pd.DataFrame({
        "source": ev.activities[used // n_act],
        "target": ev.activities[used % n_act],
        "kind": "transition",
        "transitions": counts[used],
        "cases": cases[used],
    })
    for col in stats.columns:
        trans[col] = stats[col].to_numpy()
    starts = np.bincount(ev.act[ev.first], minlength=n_act)
    ends = np.bincount(ev.act[ev.last], minlength=n_act)
    s_used = np.flatnonzero(starts)
    e_used = np.flatnonzero(ends)
    start_df = pd.DataFrame({"source": START, "target": ev.activities[s_used], "kind": "start",
                             "transitions": starts[s_used], "cases": starts[s_used]})
    end_df = pd.DataFrame({"source": ev.activities[e_used], "target": END, "kind": "end",
                           "transitions": ends[e_used], "cases": ends[e_used]})
    out = pd.concat([start_df, trans, end_df], ignore_index=True)
    total = max(int(counts.sum()), 1)
    out["share"] = np.where(out["kind"] == "transition", out["transitions"] / total,
                            out["transitions"] / ev.n_cases)
    out = out[_EDGE_COLUMNS]
    out["source"] = out["source"].astype(object)
    out["target"] = out["target"].astype(object)
    ev._cache["edges"] = out
    return out


def _nodes(ev: Events) -> pd.DataFrame:
    events = np.bincount(ev.act, minlength=ev.n_activities)
    _case_codes, act_codes, _ = ev.case_activity_counts
    cases = np.bincount(act_codes, minlength=ev.n_activities)
    return pd.DataFrame({"touchpoint": ev.activities, "events": events, "cases": cases})


def process_map(log: pd.DataFrame, *, top_activities: int | None = None, top_paths: float = 1.0,
                case_key: str = CASE, activity_key: str = ACTIVITY,
                timestamp_key: str = TIMESTAMP) -> pd.DataFrame:
    """Directly-follows graph with frequency and waiting time on each edge, optionally pruned.

    Waiting time is the time from one event to the next event of the same case (the "hidden touchpoint" a
    customer lives through between two visible ones). Pruning keeps the ``top_activities`` most frequent
    touchpoints, then the most frequent paths between them until ``top_paths`` of their transitions are
    covered; the coverage that remains is in ``attrs["coverage"]``.

    Parameters
    ----------
    log : pandas.DataFrame
        Event log as :func:`cxlib.read_log` returns it.
    top_activities : int, optional
        Keep only this many touchpoints (by number of events). ``None`` keeps all.
    top_paths : float, default 1.0
        Share (0-1] of the transitions among the kept touchpoints that the kept edges must cover, taking the
        most frequent edges first.
    case_key, activity_key, timestamp_key : str
        Column names of case id, touchpoint (activity) and timestamp.

    Returns
    -------
    pandas.DataFrame
        One row per edge, most frequent first within each kind:

        - ``source``, ``target``: touchpoints; start edges come from ``"▶ start"``, end edges go to ``"■ end"``.
        - ``kind``: ``"start"``, ``"transition"`` or ``"end"``.
        - ``transitions``: how often the edge was followed (for start/end: cases starting/ending there).
        - ``cases``: cases that followed the edge at least once.
        - ``share``: transitions / all transitions (start/end edges: / all cases).
        - ``median_wait_h``, ``mean_wait_h``, ``p90_wait_h``, ``min_wait_h``, ``max_wait_h``: waiting time
          between the two events in hours (empty for start/end edges).

        ``attrs["coverage"]`` holds ``events_share``, ``transitions_share``, ``cases_share`` (cases whose
        whole journey is drawn), ``activities_kept``, ``activities_total``, ``edges_kept``, ``edges_total``;
        ``attrs["nodes"]`` the kept touchpoints as records with ``touchpoint``, ``events``, ``cases``
        (attrs hold plain values only, so pandas can still combine the table).

    Examples
    --------
    >>> import cxlib, cxlib.journeys as cj
    >>> log = cxlib.read_log("data/helpdesk.xes.gz")
    >>> edges = cj.process_map(log, top_activities=8, top_paths=0.9)
    >>> edges.attrs["coverage"]["events_share"] > 0.9
    True
    """
    if top_activities is not None and top_activities < 1:
        raise CxInputError(f"top_activities must be at least 1, got {top_activities}")
    if not 0 < top_paths <= 1:
        raise CxInputError(f"top_paths must be a share in (0, 1], got {top_paths}")
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    edges = _edges(ev)
    nodes = _nodes(ev)
    if top_activities is None or top_activities >= ev.n_activities:
        kept_nodes = nodes
    else:
        kept_nodes = nodes.sort_values(["events", "touchpoint"], ascending=[False, True]).head(top_activities)
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
    n_act = ev.n_activities
    kept_edge = np.zeros(n_act * n_act, dtype=bool)
    if len(trans):
        kept_edge[trans["source"].map(code_of).to_numpy() * n_act + trans["target"].map(code_of).to_numpy()] = True
    src_idx, src, dst, _ = ev.transitions
    edge_ok = kept_edge[src.astype(np.int64) * n_act + dst]
    bad_per_case = np.bincount(ev.case[src_idx][~edge_ok], minlength=ev.n_cases)
    case_ok = (bad_per_case == 0) & kept_act[ev.act[ev.first]] & kept_act[ev.act[ev.last]]
    all_trans = edges.loc[edges["kind"] == "transition", "transitions"].sum()
    out.attrs["coverage"] = {
        "events_share": float(kept_act[ev.act].mean()),
        "transitions_share": float(trans["transitions"].sum() / all_trans) if all_trans else 1.0,
        "cases_share": float(case_ok.mean()),
        "activities_kept": len(kept_names),
        "activities_total": int(ev.n_activities),
        "edges_kept": len(trans),
        "edges_total": int((edges["kind"] == "transition").sum()),
    }
    out.attrs["nodes"] = kept_nodes.reset_index(drop=True).to_dict("records")
    return stamp(out, ev)


def start_end_touchpoints(log: pd.DataFrame, *, case_key: str = CASE, activity_key: str = ACTIVITY,
                          timestamp_key: str = TIMESTAMP) -> pd.DataFrame:
    """Where journeys start and where they end.

    Parameters
    ----------
    log : pandas.DataFrame
        Event log as :func:`cxlib.read_log` returns it.
    case_key, activity_key, timestamp_key : str
        Column names of case id, touchpoint (activity) and timestamp.

    Returns
    -------
    pandas.DataFrame
        One row per touchpoint that starts or ends at least one case, sorted by ``starts + ends``:
        ``touchpoint``, ``starts`` (cases whose first event it is), ``start_share`` (of all cases),
        ``ends`` (cases whose last event it is), ``end_share``.

    Examples
    --------
    >>> import cxlib, cxlib.journeys as cj
    >>> log = cxlib.read_log("data/helpdesk.xes.gz")
    >>> cj.start_end_touchpoints(log).columns.tolist()
    ['touchpoint', 'starts', 'start_share', 'ends', 'end_share']
    """
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    starts = np.bincount(ev.act[ev.first], minlength=ev.n_activities)
    ends = np.bincount(ev.act[ev.last], minlength=ev.n_activities)
    out = pd.DataFrame({"touchpoint": ev.activities, "starts": starts, "start_share": starts / ev.n_cases,
                        "ends": ends, "end_share": ends / ev.n_cases})
    out = out[(out["starts"] > 0) | (out["ends"] > 0)]
    out = out.assign(_o=out["starts"] + out["ends"]).sort_values(["_o", "touchpoint"], ascending=[False, True])
    return stamp(out.drop(columns="_o").reset_index(drop=True), ev)


def _color(rank: float) -> str:
    """Grey (fast) to dark red (slow) for a rank in [0, 1]."""
    lo = np.array([0x88, 0x88, 0x88])
    hi = np.array([0xB2, 0x18, 0x2B])
    r, g, b = (lo + (hi - lo) * rank).astype(int)
    return f"#{r:02x}{g:02x}{b:02x}"


def draw_process_map(edges: pd.DataFrame, *, rankdir: str = "LR", title: str | None = None):
    """Graphviz picture of a process map: frequency and median wait on every edge.

    Edge width grows with frequency; edge colour goes from grey to dark red with the median waiting time.

    Parameters
    ----------
    edges : pandas.DataFrame
        The result of :func:`process_map` (pruned or not).
    rankdir : {"LR", "TB"}, default "LR"
        Layout direction.
    title : str, optional
        Caption drawn under the map (coverage is a good one).

    Returns
    -------
    graphviz.Digraph
        Render with ``.pipe(format="svg")``; show inline with ``IPython.display.SVG``.

    Examples
    --------
    >>> import cxlib, cxlib.journeys as cj
    >>> log = cxlib.read_log("data/helpdesk.xes.gz")
    >>> svg = cj.draw_process_map(cj.process_map(log, top_activities=6)).pipe(format="svg")
    >>> svg[:5] == b"<?xml"
    True
    """
    import graphviz

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
    nodes = edges.attrs.get("nodes")
    ids: dict[str, str] = {}

    def node_id(name: str) -> str:
        if name not in ids:
            ids[name] = f"n{len(ids)}"
        return ids[name]

    names = set(edges["source"]).union(edges["target"])
    counts = {} if nodes is None else {n["touchpoint"]: n["events"] for n in nodes}
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
            color = _color(float(waits.get(i, 0.0)))
        else:
            label = f"{row['transitions']:,}"
            color = "#9fb8a0" if row["kind"] == "start" else "#d7a0a0"
        g.edge(node_id(row["source"]), node_id(row["target"]), label=label, penwidth=f"{width:.2f}",
               color=color, fontcolor=color if row["kind"] == "transition" else "#555555")
    return g
