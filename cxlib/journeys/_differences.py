"""Where segments' journeys differ: the transitions and touchpoints whose shares or waits differ between two or
more segments, tested and corrected for multiple comparisons, and drawn as a difference map.

For every transition and touchpoint taken by at least ``min_support`` cases of the compared segments, two
questions: does the share of a segment's cases that take it differ (chi-square test of the segment x
taken/not-taken table; Fisher's exact test for two segments when an expected count is below 5), and does the
wait differ (the case's median wait on the transition, or into the touchpoint; Mann-Whitney U for two
segments, Kruskal-Wallis for more; segments with fewer than ``min_support`` waits left out of that test). The
p-values of all these tests are corrected together with the Benjamini-Hochberg procedure: a difference is
significant when its q-value is at most the false-discovery rate ``fdr``.

Engine: the segment of each case is a small table joined to the enriched event table; the cases per segment
and transition (or touchpoint) and each case's median wait are Ibis aggregations on DuckDB. The per-case waits
come back to pandas for the rank tests (scipy), as in :func:`segments`.
"""

from __future__ import annotations

import dataclasses
import html

import numpy as np
import pandas as pd
from scipy import stats

from .._docstrings import share_docs
from .._errors import CxInputError
from ..display import Result, say, show
from ._engine import to_pandas
from ._events import ACTIVITY, CASE, TIMESTAMP, Events, prepare, wait_h
from ._results import dropped_parts
from ._segments import OTHER, _segment_labels
from ._side_tables import side_table
from ._variants import SEPARATOR

_SHARE = "share"
_WAIT = "median wait (h)"


def _segment_table(ev: Events, codes: np.ndarray, compared: list[int]):
    """Ibis: ``case``, ``seg`` for the cases of the compared segments."""
    keep = np.isin(codes, compared)
    data = pd.DataFrame({"case": np.flatnonzero(keep).astype(np.int32), "seg": codes[keep].astype(np.int64)})
    return side_table(ev, data, "segments")


def _per_case(ev: Events, seg_table) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per case and transition, and per case and touchpoint: the case's segment and median wait (pandas)."""
    m = ev.moves()
    trans = m.group_by(["case", "act", "next_act"]).aggregate(wait=wait_h(m.next_ts, m.ts).median())
    trans = trans.join(seg_table, "case").pipe(to_pandas)
    t = ev.table
    into = t.group_by(["case", "act"]).aggregate(wait=wait_h(t.ts, t.prev_ts).median())  # null at a case's start
    into = into.join(seg_table, "case").pipe(to_pandas)
    return trans, into


def _share_test(taken: np.ndarray, sizes: np.ndarray) -> tuple[str, float, float]:
    """Test of the shares ``taken / sizes`` across segments: (test, statistic, p-value)."""
    table = np.stack([taken, sizes - taken], axis=1)
    if (table.sum(axis=0) == 0).any():
        return "", np.nan, np.nan
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
    if len(sizes) == 2 and expected.min() < 5:
        res = stats.fisher_exact(table)
        return "Fisher exact", float(res.statistic), float(res.pvalue)
    res = stats.chi2_contingency(table)
    return "chi-square", float(res.statistic), float(res.pvalue)


def _wait_test(groups: list[np.ndarray]) -> tuple[str, float, float]:
    if len(groups) < 2:
        return "", np.nan, np.nan
    values = np.concatenate(groups)
    if np.all(values == values[0]):
        return "", np.nan, np.nan
    if len(groups) == 2:
        res = stats.mannwhitneyu(groups[0], groups[1], alternative="two-sided")
        return "Mann-Whitney U", float(res.statistic), float(res.pvalue)
    res = stats.kruskal(*groups)
    return "Kruskal-Wallis", float(res.statistic), float(res.pvalue)


@share_docs
@dataclasses.dataclass
class SegmentDifferences(Result):
    """Where segments' journeys differ: every transition and touchpoint tested, with q-values after the
    Benjamini-Hochberg correction.

    Returned by :func:`segment_differences`; :func:`draw_difference_map` draws it. ``show()`` renders the
    sentence on what was compared and how many differences are significant, and the significant differences.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per test; the columns are listed in :func:`segment_differences`.
    values : pandas.DataFrame
        The values per segment, long: ``kind``, ``item``, ``source``, ``target``, ``segment``, ``cases``
        (the segment's cases), ``taken`` (cases that take it), ``share``, ``median_wait_h``.
    by : str
        The segment column.
    segments : list of str
        The segments compared, largest first.
    sizes : dict
        Cases per compared segment.
    fdr : float
        The false-discovery rate of the Benjamini-Hochberg procedure.
    tests_run : int
        Tests that entered the correction.
    significant : int
        Tests with ``q_value <= fdr``.
    note : str
        How the segments were made (see :func:`segments`).
    {dropped_rows}

    {example_helpdesk}
    >>> d = cj.segment_differences(log, by="service_level")
    >>> d.tests_run == int(d.table["p_value"].notna().sum()), d.significant <= d.tests_run
    (True, True)
    """

    table: pd.DataFrame
    values: pd.DataFrame
    by: str
    segments: list
    sizes: dict
    fdr: float
    tests_run: int
    significant: int
    note: str
    dropped_rows: dict = dataclasses.field(default_factory=dict)

    def parts(self) -> list:
        """What was compared, how many differences are significant, and the significant ones (at most 30)."""
        sizes = ", ".join(f"{s} ({n:,} cases)" for s, n in self.sizes.items())
        out = [say("{note} Compared: {sizes}. {m} tests of the shares and waits of the transitions and touchpoints "
                   "(Benjamini-Hochberg, false-discovery rate {f:g}): {s} differences are significant.",
                   note=self.note, sizes=sizes, m=f"{self.tests_run:,}", f=self.fdr, s=f"{self.significant:,}")]
        sig = self.table[self.table["significant"]].drop(columns=["significant", "source", "target"])
        if len(sig):
            out.append(show(sig.head(30).reset_index(drop=True), caption=f"Significant differences by {self.by}"))
        return out + dropped_parts(self.dropped_rows)


@share_docs
def segment_differences(log: pd.DataFrame, *, by: str, segments=None, top: int = 8, min_cases: int = 20,
                        min_support: int = 5, fdr: float = 0.05, case_key: str = CASE, activity_key: str = ACTIVITY,
                        timestamp_key: str = TIMESTAMP) -> SegmentDifferences:
    """Which transitions and touchpoints differ between segments, in share of cases or in wait, with tests
    corrected for multiple comparisons (Benjamini-Hochberg).

    Parameters
    ----------
    {log}
    by : str
        Segment column (read at each case's first event), e.g. ``case:channel``.
    segments : list, optional
        The segments to compare (at least two values of ``by``); by default the ``top`` largest with at
        least ``min_cases`` cases.
    top : int, default 8
        Largest segments compared when ``segments`` is not given.
    min_cases : int, default 20
        Smallest segment compared when ``segments`` is not given.
    min_support : int, default 5
        A transition or touchpoint is tested when at least this many cases of the compared segments take it;
        a segment enters a wait test with at least this many waits.
    fdr : float, default 0.05
        False-discovery rate of the Benjamini-Hochberg procedure.
    {log_keys}

    Returns
    -------
    SegmentDifferences
        ``table``: one row per test, significant ones first (by q-value, then by size of the difference):

        - ``kind`` (``"transition"`` or ``"touchpoint"``), ``item`` (``"A → B"`` or ``"A"``), ``source``,
          ``target`` (empty for touchpoints), ``measure`` (``"share"``: of the segment's cases that take it;
          ``"median wait (h)"``: the median over its cases of the case's median wait on the transition, or
          into the touchpoint).
        - one column per segment with its value.
        - ``difference``: first segment minus second for two segments, highest minus lowest for more;
          ``higher_in``: the segment with the highest value.
        - ``test`` (chi-square, Fisher exact, Mann-Whitney U or Kruskal-Wallis), ``statistic``, ``p_value``,
          ``q_value`` (Benjamini-Hochberg), ``significant`` (``q_value <= fdr``).

        ``values``, ``segments``, ``sizes`` and the notes are described in :class:`SegmentDifferences`.

    Raises
    ------
    cxlib.CxInputError
        A missing segment column, fewer than two segments to compare, unknown segment values, or an ``fdr``
        outside (0, 1).

    {example_helpdesk}
    >>> d = cj.segment_differences(log, by="service_level", fdr=0.05)
    >>> d.table.columns[:4].tolist(), len(d.segments) >= 2
    (['kind', 'item', 'source', 'target'], True)
    """
    if not 0 < fdr < 1:
        raise CxInputError(f"fdr must be in (0, 1), got {fdr}")
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    if segments is None:
        codes, labels, note = _segment_labels(ev, by, top, min_cases)
        compared = [i for i, lab in enumerate(labels) if lab != OTHER]
    else:
        wanted = [str(s) for s in ([segments] if isinstance(segments, str) else segments)]
        codes, labels, note = _segment_labels(ev, by, 10**9, 1)
        unknown = [s for s in wanted if s not in set(labels)]
        if unknown:
            raise CxInputError(f"segments {unknown} are not values of {by!r}; it has: {', '.join(labels[:20])}",
                               column=by)
        compared = [int(np.flatnonzero(labels == s)[0]) for s in wanted]
        note = f"Segments by {by!r} (its value at the first event of each case)."
    if len(compared) < 2:
        raise CxInputError(f"fewer than two segments of {by!r} to compare (segments need at least {min_cases} cases "
                           "unless named in segments=)", column=by)
    names = [str(labels[c]) for c in compared]
    sizes_arr = np.array([int((codes == c).sum()) for c in compared])
    trans, into = _per_case(ev, _segment_table(ev, codes, compared))
    position = {c: i for i, c in enumerate(compared)}
    rows, value_rows = [], []
    for kind, frame, keys in (("transition", trans, ["act", "next_act"]), ("touchpoint", into, ["act"])):
        if not len(frame):
            continue
        frame = frame.assign(pos=frame["seg"].map(position).to_numpy())
        for key, group in frame.groupby(keys, sort=True):  # a loop over transitions / touchpoints (not cases)
            key = key if isinstance(key, tuple) else (key,)
            if len(group) < min_support:
                continue
            source = str(ev.activities[int(key[0])])
            target = str(ev.activities[int(key[1])]) if kind == "transition" else ""
            item = f"{source}{SEPARATOR}{target}" if kind == "transition" else source
            pos = group["pos"].to_numpy(dtype=np.int64)
            taken = np.bincount(pos, minlength=len(compared))
            shares = taken / sizes_arr
            waits = group["wait"].to_numpy(dtype=np.float64)
            wait_groups = [waits[(pos == i) & ~np.isnan(waits)] for i in range(len(compared))]
            medians = np.array([np.median(w) if len(w) else np.nan for w in wait_groups])
            for i, name in enumerate(names):
                value_rows.append({"kind": kind, "item": item, "source": source, "target": target, "segment": name,
                                   "cases": int(sizes_arr[i]), "taken": int(taken[i]), "share": float(shares[i]),
                                   "median_wait_h": float(medians[i])})
            base = {"kind": kind, "item": item, "source": source, "target": target}
            test, statistic, p = _share_test(taken, sizes_arr)
            rows.append({**base, "measure": _SHARE, **dict(zip(names, shares)),
                         **_spread(shares, names), "test": test, "statistic": statistic, "p_value": p})
            tested = [i for i, w in enumerate(wait_groups) if len(w) >= min_support]
            test, statistic, p = _wait_test([wait_groups[i] for i in tested])
            wait_values = np.where(np.isin(np.arange(len(names)), tested), medians, np.nan)
            rows.append({**base, "measure": _WAIT, **dict(zip(names, wait_values)),
                         **_spread(wait_values, names), "test": test, "statistic": statistic, "p_value": p})
    table = pd.DataFrame(rows, columns=["kind", "item", "source", "target", "measure", *names, "difference",
                                        "higher_in", "test", "statistic", "p_value"])
    p = table["p_value"].to_numpy(dtype=np.float64)
    ok = ~np.isnan(p)
    q = np.full(len(p), np.nan)
    if ok.any():
        q[ok] = stats.false_discovery_control(p[ok], method="bh")
    table["q_value"] = q
    table["significant"] = q <= fdr
    table = table.assign(_size=table["difference"].abs()).sort_values(
        ["significant", "q_value", "_size", "kind", "item", "measure"], ascending=[False, True, False, True, True, True],
        na_position="last").drop(columns="_size").reset_index(drop=True)
    return SegmentDifferences(table, pd.DataFrame(value_rows), by, names, dict(zip(names, sizes_arr.tolist())),
                              float(fdr), int(ok.sum()), int(table["significant"].sum()), note,
                              dropped_rows=dict(ev.dropped))


def _spread(values: np.ndarray, names: list[str]) -> dict:
    """``difference`` (first - second for two segments, highest - lowest for more) and ``higher_in``."""
    finite = np.isfinite(values)
    if finite.sum() < 2:
        return {"difference": np.nan, "higher_in": ""}
    top = int(np.nanargmax(values))
    if len(values) == 2:
        return {"difference": float(values[0] - values[1]), "higher_in": names[top]}
    return {"difference": float(np.nanmax(values) - np.nanmin(values)), "higher_in": names[top]}


_MORE = "#2166ac"  # blue: more in the first segment
_LESS = "#d6604d"  # red: more in the second segment
_SAME = "#c8c8c8"


@share_docs
def draw_difference_map(differences: SegmentDifferences, *, min_share: float = 0.05, title: str | None = None):
    """Graphviz difference map of two segments: the transitions and touchpoints whose share of cases differs.

    An edge or a box is blue when the first segment takes it more often, red when the second does, grey when
    the difference is not significant (q-value above the false-discovery rate); edge thickness grows with the
    difference in share, and each significant edge is labelled with it in percentage points (and the
    difference in median wait when that is significant too). Drawn: the transitions that at least
    ``min_share`` of either segment's cases take, and every significant one.

    Parameters
    ----------
    differences : SegmentDifferences
        The result of :func:`segment_differences` for two segments (the first drawn blue); for two of more
        segments, compare them alone: ``segment_differences(log, by=..., segments=[a, b])``, so that the
        tests and their correction are those of the pair.
    min_share : float, default 0.05
        Transitions taken by fewer cases of both segments are left out unless significant.
    title : str, optional
        Caption under the map; by default it names the segments and the colours.

    Returns
    -------
    graphviz.Digraph
        Render with ``.pipe(format="svg")``.

    {example_helpdesk}
    >>> d = cj.segment_differences(log, by="service_level", segments=["Value 2", "Value 3"])
    >>> cj.draw_difference_map(d).pipe(format="svg")[:5] == b"<?xml"
    True
    """
    import graphviz

    if not isinstance(differences, SegmentDifferences):
        raise CxInputError(f"draw_difference_map expects the SegmentDifferences of segment_differences(), got "
                           f"{type(differences).__name__}")
    if len(differences.segments) != 2:
        raise CxInputError(f"a difference map compares two segments; these differences compare "
                           f"{len(differences.segments)} ({', '.join(differences.segments)}). Compare two with "
                           f"segment_differences(log, by={differences.by!r}, segments=[first, second]).")
    first, second = differences.segments
    t = differences.table
    shares = t[t["measure"] == _SHARE].set_index(["kind", "item"])
    waits = t[t["measure"] == _WAIT].set_index(["kind", "item"])

    def text(value) -> str:
        return graphviz.escape(html.escape(str(value)))

    g = graphviz.Digraph("differences", graph_attr={"rankdir": "LR", "fontname": "Helvetica", "fontsize": "11"},
                         node_attr={"fontname": "Helvetica", "fontsize": "10", "shape": "box",
                                    "style": "rounded,filled"},
                         edge_attr={"fontname": "Helvetica", "fontsize": "9"})
    g.attr(label=text(title or f"{first} vs {second}: blue = more often in {first}, red = more often in {second}, "
                               f"grey = no significant difference (FDR {differences.fdr:g}); thickness = "
                               "difference in the share of cases"), labelloc="b")
    trans = shares.loc["transition"] if "transition" in shares.index.get_level_values(0) else shares.iloc[:0]
    keep = (trans[[first, second]].max(axis=1) >= min_share) | trans["significant"]
    trans = trans[keep]
    wait_trans = waits.loc["transition"] if "transition" in waits.index.get_level_values(0) else waits.iloc[:0]
    ids: dict[str, str] = {}
    nodes = set(trans["source"]).union(trans["target"])
    tps = shares.loc["touchpoint"] if "touchpoint" in shares.index.get_level_values(0) else shares.iloc[:0]
    for name in sorted(nodes):
        ids[name] = f"n{len(ids)}"
        fill, label = "#f2f2f2", text(name)
        if name in tps.index:
            row = tps.loc[name]
            delta = row[first] - row[second]
            label += f"\n{row[first]:.0%} vs {row[second]:.0%}"
            if row["significant"]:
                fill = "#d1e5f0" if delta > 0 else "#fddbc7"
        g.node(ids[name], label=label, fillcolor=fill, color="#888888")
    for item, row in trans.iterrows():
        delta = row[first] - row[second]
        significant = bool(row["significant"])
        color = (_MORE if delta > 0 else _LESS) if significant else _SAME
        label = f"{delta * 100:+.0f} pts" if significant else ""
        if significant and item in wait_trans.index:
            w = wait_trans.loc[item]
            if w["significant"] and np.isfinite(w[first]) and np.isfinite(w[second]):
                label += f"\nwait {w[first] - w[second]:+.1f}h"
        g.edge(ids[row["source"]], ids[row["target"]], label=label, color=color, fontcolor=color,
               penwidth=f"{0.8 + 10 * abs(delta):.2f}", style="solid" if significant else "dashed")
    return g
