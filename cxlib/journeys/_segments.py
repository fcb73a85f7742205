"""Segments: do channels, products or customer types travel differently? Metrics side by side, with tests.

Engine: the per-case measures (events, throughput, last touchpoint, rework, repeated contact, hand-off,
escalation) are Ibis aggregations on DuckDB, cached on the prepared log and shared with the other tables. The
per-case table (one row per case) then comes back to pandas, because the significance tests (scipy's
chi-square, Mann-Whitney U, Kruskal-Wallis) need the per-case values; the per-segment summary (a group-by over
that per-case table) and the grouping of small segments run there too.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from scipy import special, stats

from .._docstrings import share_docs
from .._errors import CxInputError
from ..display import Result, say, show
from ._events import ACTIVITY, CASE, RESOURCE, TIMESTAMP, Events, prepare
from ._flow import case_outcomes
from ._hidden import _escalation_by_case, _handoff_by_case, _repeat_by_case
from ._results import dropped_parts

OTHER = "(other)"
MISSING = "(missing)"

_SHARE_METRICS = {
    "dropoff_share": "cases not ending at a successful end",
    "rework_share": "cases with a touchpoint repeated",
    "repeat_contact_share": "cases with a repeated contact within the window",
    "handoff_share": "cases with at least one hand-off",
    "escalation_share": "cases escalated",
}
_DURATION_METRICS = {
    "throughput_h": "throughput time per case (hours)",
    "events": "events per case",
}


def case_metrics(ev: Events, *, success_ends=None, infer_min_share: float = 0.2,
                 resource_key: str | None = RESOURCE, escalation: tuple[str, str] | None = None,
                 window_days: float = 7.0) -> tuple[pd.DataFrame, str]:
    """Per-case key metrics used by segments (internal). Returns the frame and the success-end note."""
    success, note = case_outcomes(ev, success_ends, infer_min_share)
    cases = ev.cases()
    out = pd.DataFrame({
        "events": cases["events"].to_numpy(),
        "throughput_h": cases["throughput_h"].to_numpy(),
        "dropoff_share": ~success,
        "rework_share": cases["repeat_events"].to_numpy() > 0,
        "repeat_contact_share": _repeat_by_case(ev, window_days) > 0,
    })
    if resource_key is not None and resource_key in ev.log.columns:
        out["handoff_share"] = _handoff_by_case(ev, resource_key)["handoffs"].to_numpy() > 0
    if escalation is not None:
        out["escalation_share"] = _escalation_by_case(ev, escalation[0], escalation[1])[0]["escalations"].to_numpy() > 0
    return out, note


def _segment_labels(ev: Events, by: str, top: int, min_cases: int) -> tuple[np.ndarray, np.ndarray, str]:
    """Per case code: its segment as an integer code, the segment labels (largest segment first), and a note."""
    values = ev.case_values(by)
    value_codes, uniques = pd.factorize(values, use_na_sentinel=True)
    # a segment is the value's text: values that print alike (1 and "1") are one segment
    text_codes, texts = pd.factorize(np.array([str(u) for u in uniques] + [MISSING], dtype=object))
    codes = text_codes[value_codes]  # the sentinel -1 picks the last entry, MISSING
    sizes = np.bincount(codes, minlength=len(texts))
    present = np.flatnonzero(sizes)
    ranked = present[np.argsort(-sizes[present], kind="stable")]  # largest first, ties by first appearance
    note = f"Segments by {by!r} (its value at the first event of each case)."
    keep = [int(c) for c in ranked[:top] if sizes[c] >= min_cases]
    labels = [str(texts[c]) for c in keep]
    new_code = np.full(len(texts), len(keep), dtype=np.int64)
    new_code[keep] = np.arange(len(keep))
    codes = new_code[codes]
    if len(keep) < len(ranked):
        n_other = int((codes == len(keep)).sum())
        labels.append(OTHER)
        note += (f" {len(ranked) - len(keep)} segment(s) beyond the {top} largest or with fewer than {min_cases} "
                 f"cases are grouped as {OTHER} ({n_other:,} cases).")
    return codes, np.array(labels, dtype=object), note


@share_docs
@dataclasses.dataclass
class Segments(Result):
    """Key journey metrics per segment side by side, the significance tests, and how segments were made.

    Returned by :func:`segments`; :func:`plot_segments` draws it. ``show()`` renders the note on the segments,
    the table and the tests (p-values with two significant digits).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per segment; the columns are listed in :func:`segments`.
    tests : pandas.DataFrame
        One row per metric: the significance test of the differences (columns in :func:`segment_tests`).
    by : str
        The column that defines the segments.
    note : str
        How segments were defined (the column, read at each case's first event; segments grouped as
        ``"(other)"``).
    success_note : str
        How the successful ends of ``dropoff_share`` were chosen (see :func:`dropoffs`).
    {dropped_rows}

    {example_helpdesk}
    >>> s = cj.segments(log, by="service_level")
    >>> s.by, s.tests.columns.tolist()[:3]
    ('service_level', ['metric', 'description', 'test'])
    """

    table: pd.DataFrame
    tests: pd.DataFrame
    by: str
    note: str
    success_note: str
    dropped_rows: dict = dataclasses.field(default_factory=dict)

    def parts(self) -> list:
        """The note on the segments, the metrics per segment and the significance tests."""
        tests = self.tests.assign(p_value=self.tests["p_value"].map(lambda p: "" if pd.isna(p) else f"{p:.2g}"))
        return [say("{note}", note=self.note),
                show(self.table, caption=f"Segments by {self.by}"),
                show(tests, caption="Are the differences significant?"),
                *dropped_parts(self.dropped_rows)]


@share_docs
def segments(log: pd.DataFrame, *, by: str, success_ends=None, infer_min_share: float = 0.2,
             resource_key: str | None = RESOURCE, escalation_column: str | None = None,
             escalation_pattern: str = r"2nd|3rd", window_days: float = 7.0, top: int = 8,
             min_cases: int = 5, case_key: str = CASE, activity_key: str = ACTIVITY,
             timestamp_key: str = TIMESTAMP) -> Segments:
    """Key journey metrics per segment (any case attribute), side by side, with sample sizes.

    Significance tests for the differences are in ``tests`` of the result (as :func:`segment_tests` gives them).

    Parameters
    ----------
    {log}
    by : str
        Column that defines the segment, e.g. ``case:channel``. Event attributes are read at each case's
        first event.
    {success_ends}
    resource_key : str or None, default "org:resource"
        Column for hand-offs; ``None`` or a missing column leaves ``handoff_share`` out.
    escalation_column : str, optional
        Column for escalations (see :func:`escalations`); leaves ``escalation_share`` out when not given.
    {escalation_pattern}
    {window_days}
    top : int, default 8
        Largest segments kept; the rest are grouped as ``"(other)"``.
    min_cases : int, default 5
        Segments with fewer cases are grouped as ``"(other)"`` too (tests on a handful of cases mislead).
    {log_keys}

    Returns
    -------
    Segments
        ``table``: one row per segment, largest first:

        - ``segment``, ``cases``, ``case_share``.
        - ``events_per_case`` (mean), ``median_throughput_h``, ``p90_throughput_h``.
        - ``dropoff_share``, ``rework_share``, ``repeat_contact_share`` and, when available,
          ``handoff_share``, ``escalation_share``: shares of the segment's cases.
        - ``throughput_p_vs_rest``: Mann-Whitney U p-value of the segment's throughput against all other
          cases (two-sided; empty when either side has fewer than 2 cases).

        ``tests``: :func:`segment_tests`' table; ``by`` the segment column; ``note`` and ``success_note`` say
        how segments and successful ends were defined; ``dropped_rows`` (see :class:`Segments`).

    {example_helpdesk}
    >>> s = cj.segments(log, by="service_level")
    >>> int(s.table["cases"].sum()) == log["case:concept:name"].nunique()
    True
    """
    if top < 1:
        raise CxInputError(f"top must be at least 1, got {top}")
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    escalation = (escalation_column, escalation_pattern) if escalation_column else None
    metrics, success_note = case_metrics(ev, success_ends=success_ends, infer_min_share=infer_min_share,
                                         resource_key=resource_key, escalation=escalation,
                                         window_days=window_days)
    codes, labels, seg_note = _segment_labels(ev, by, top, min_cases)
    n_seg = len(labels)
    sizes = np.bincount(codes, minlength=n_seg)
    grouped = metrics.groupby(codes, sort=True)
    share_cols = [c for c in _SHARE_METRICS if c in metrics.columns]
    out = pd.DataFrame({
        "segment": labels,
        "cases": sizes,
        "case_share": sizes / ev.n_cases,
        "events_per_case": grouped["events"].mean().to_numpy(),
        "median_throughput_h": grouped["throughput_h"].median().to_numpy(),
        "p90_throughput_h": grouped["throughput_h"].quantile(0.9).to_numpy(),
    })
    for col in share_cols:
        out[col] = np.bincount(codes, weights=metrics[col].to_numpy(dtype=np.float64), minlength=n_seg) / sizes
    out["throughput_p_vs_rest"] = _p_vs_rest(metrics["throughput_h"].to_numpy(dtype=np.float64), codes, sizes)
    # largest first; (other) keeps its place by size like any segment
    out = out.iloc[np.argsort(-sizes, kind="stable")].reset_index(drop=True)
    out = out[["segment", "cases", "case_share", "events_per_case", "median_throughput_h", "p90_throughput_h",
               *share_cols, "throughput_p_vs_rest"]]
    return Segments(out, _tests(metrics, codes, share_cols), by, seg_note, success_note,
                    dropped_rows=dict(ev.dropped))


def _p_vs_rest(values: np.ndarray, codes: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Per segment: the two-sided Mann-Whitney U p-value of its ``values`` against all other cases (NaN when
    either side has fewer than 2), as ``scipy.stats.mannwhitneyu`` gives it.

    Every segment's test pools the same values (the segment and the rest are all cases), so the values are
    ranked once and each segment's rank sum read off that ranking; the normal approximation with tie and
    continuity correction is scipy's. Where scipy would use the exact distribution (a side of 8 or fewer
    cases and no ties) scipy computes it.
    """
    n = len(values)
    pvals = np.full(len(sizes), np.nan)
    if n < 4:
        return pvals  # no side of 2 against 2
    ranks = stats.rankdata(values, method="average")
    ties = np.unique(values, return_counts=True)[1].astype(np.float64)
    has_ties = bool(ties.max() > 1)
    rank_sums = np.bincount(codes, weights=ranks, minlength=len(sizes))
    for k, n1 in enumerate(sizes.tolist()):  # a loop over segments (at most top + 1)
        n2 = n - n1
        if n1 < 2 or n2 < 2:
            continue
        if (n1 <= 8 or n2 <= 8) and not has_ties:
            inside = codes == k
            pvals[k] = stats.mannwhitneyu(values[inside], values[~inside], alternative="two-sided").pvalue
            continue
        u1 = rank_sums[k] - n1 * (n1 + 1) / 2
        u = max(u1, n1 * n2 - u1)
        spread = np.sqrt(n1 * n2 / 12 * ((n + 1) - np.sum(ties ** 3 - ties) / (n * (n - 1))))
        with np.errstate(divide="ignore", invalid="ignore"):
            z = (u - n1 * n2 / 2 - 0.5) / spread
        pvals[k] = float(np.clip(2 * special.ndtr(-z), 0.0, 1.0))
    return pvals


def _tests(metrics: pd.DataFrame, codes: np.ndarray, share_cols: list[str]) -> pd.DataFrame:
    rows = []
    n_seg = int(codes.max()) + 1 if len(codes) else 0
    segs = np.flatnonzero(np.bincount(codes, minlength=n_seg))
    n = len(metrics)
    for col in share_cols:
        flag = metrics[col].to_numpy(dtype=bool)
        # the segment x (no, yes) table, segments in code order
        table = np.stack([np.bincount(codes[~flag], minlength=n_seg), np.bincount(codes[flag], minlength=n_seg)],
                         axis=1)[segs]
        row = {"metric": col, "description": _SHARE_METRICS[col], "test": "chi-square", "n_cases": n,
               "n_segments": len(segs), "statistic": np.nan, "dof": np.nan, "p_value": np.nan,
               "min_expected": np.nan, "note": ""}
        if len(segs) < 2:
            row["note"] = "one segment only"
        elif (table.sum(axis=0) == 0).any():
            row["note"] = "no variation: every case has the same value"
        else:
            res = stats.chi2_contingency(table)
            row.update(statistic=float(res.statistic), dof=int(res.dof), p_value=float(res.pvalue),
                       min_expected=float(res.expected_freq.min()))
            if res.expected_freq.min() < 5:
                row["note"] = "some expected counts < 5: the chi-square approximation is rough"
        rows.append(row)
    for col, desc in _DURATION_METRICS.items():
        values = metrics[col].to_numpy()
        groups = [values[codes == s] for s in segs]  # largest segment first
        row = {"metric": col, "description": desc, "n_cases": n, "n_segments": len(segs), "statistic": np.nan,
               "dof": np.nan, "p_value": np.nan, "min_expected": np.nan, "note": ""}
        if len(groups) < 2:
            row.update(test="", note="one segment only")
        elif np.all(values == values[0]):
            row.update(test="", note="no variation: every case has the same value")
        elif len(groups) == 2:
            res = stats.mannwhitneyu(groups[0], groups[1], alternative="two-sided")
            row.update(test="Mann-Whitney U", statistic=float(res.statistic), p_value=float(res.pvalue))
        else:
            res = stats.kruskal(*groups)
            row.update(test="Kruskal-Wallis", statistic=float(res.statistic), dof=len(groups) - 1,
                       p_value=float(res.pvalue),
                       note="more than two segments: Kruskal-Wallis overall; Mann-Whitney per segment "
                            "against the rest is in the segments table")
        rows.append(row)
    return pd.DataFrame(rows, columns=["metric", "description", "test", "statistic", "dof", "p_value",
                                       "n_cases", "n_segments", "min_expected", "note"])


@share_docs
def segment_tests(log: pd.DataFrame, *, by: str, **options) -> pd.DataFrame:
    """Significance tests for the differences between segments.

    Shares (drop-off, rework, repeat contact, hand-off, escalation) get a chi-square test of independence on
    the segment x yes/no table; durations (throughput, events per case) get Mann-Whitney U for two segments
    and Kruskal-Wallis for more.

    Parameters
    ----------
    {log}
    by : str
        Segment column, as in :func:`segments`.
    **options
        Any other keyword of :func:`segments`.

    Returns
    -------
    pandas.DataFrame
        One row per metric: ``metric``, ``description``, ``test``, ``statistic`` (for Mann-Whitney, the U of
        the larger segment), ``dof`` (degrees of freedom,
        where the test has them), ``p_value``, ``n_cases``, ``n_segments``, ``min_expected`` (smallest
        expected count of the chi-square table), ``note`` (why a test was not run, or a caveat).

    {example_helpdesk}
    >>> t = cj.segment_tests(log, by="service_level")
    >>> "throughput_h" in set(t["metric"])
    True
    """
    return segments(log, by=by, **options).tests
