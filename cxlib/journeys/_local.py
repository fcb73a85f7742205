"""The per-case, per-touchpoint and per-variant tables of a pandas log, from its case-ordered arrays.

Every analysis starts from three small tables: one row per case (:meth:`Events.cases`), per touchpoint
(:meth:`Events.act_stats`) and per variant (:meth:`Events.variant_data`). Their Ibis expressions in
:mod:`._events` are the definitions, and what runs on Spark. For a pandas log on the embedded engine the events
are already in memory in case order (:func:`._engine.enrich_arrays`): each case is one block of rows, so its
figures are reductions over that block, and each touchpoint's are counts over its code. This module computes
the three tables that way in numpy, which costs a fraction of sending the queries to DuckDB and bringing the
results back; the tests check that both give the same tables (``tests/test_journeys_local.py``).

Medians are interpolated as DuckDB's ``quantile_cont`` does (``lo * (1 - d) + hi * d`` between the two middle
values, d = 0.5), so the figures agree to the last bit.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

NS_PER_HOUR = 3_600_000_000_000


@dataclass(eq=False)
class CaseOrdered:
    """The enriched event table's columns as numpy arrays, rows in case order (internal).

    ``case``, ``act``, ``ts``, ``pos``, ``idx``, ``visit`` as in the enriched table; ``gap`` / ``gap_ok`` the
    time since the previous visit of the same touchpoint and where it exists; ``starts`` the first row of each
    case (case codes 0..n-1 in order); ``attributes`` per carried attribute ``a{k}`` its codes (0 where missing)
    and where they are known.
    """

    case: np.ndarray
    act: np.ndarray
    ts: np.ndarray
    pos: np.ndarray
    idx: np.ndarray
    visit: np.ndarray
    gap: np.ndarray
    gap_ok: np.ndarray
    starts: np.ndarray
    attributes: list

    @property
    def ends(self) -> np.ndarray:
        """The last row of each case."""
        return np.r_[self.starts[1:], len(self.case)] - 1

    def within(self, window_days: float) -> np.ndarray:
        """Revisits within ``window_days`` of the previous visit (the repeated contacts)."""
        return (self.visit > 0) & self.gap_ok & (self.gap <= int(window_days * 24 * NS_PER_HOUR))

    def self_loop(self) -> np.ndarray:
        """Events whose previous event in the case is at the same touchpoint."""
        out = np.zeros(len(self.act), dtype=bool)
        out[1:] = (self.act[1:] == self.act[:-1]) & (self.idx[1:] > 0)
        return out

    def handoff_flags(self, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """:func:`._events.handoff_flags` of attribute ``a{k}``: arrivals, known on both sides, hand-offs,
        ping-pongs."""
        values, valid = self.attributes[k]
        n = len(values)
        prev, prev_ok = np.zeros(n, dtype=values.dtype), np.zeros(n, dtype=bool)
        prev2, prev2_ok = np.zeros(n, dtype=values.dtype), np.zeros(n, dtype=bool)
        prev[1:], prev_ok[1:] = values[:-1], valid[:-1] & (self.idx[1:] > 0)
        prev2[2:], prev2_ok[2:] = values[:-2], valid[:-2] & (self.idx[2:] > 1)
        arrival = self.idx > 0
        known = arrival & valid & prev_ok
        change = known & (values != prev)
        pingpong = change & prev2_ok & (prev != prev2) & (values == prev2)
        return arrival, known, change, pingpong


def _per_case(lo: CaseOrdered, flags: np.ndarray) -> np.ndarray:
    """How many rows of each case have ``flags`` set (each case is one block of rows)."""
    return np.add.reduceat(flags, lo.starts, dtype=np.int64)


def case_rows(lo: CaseOrdered, window_days: float) -> pd.DataFrame:
    """The per-case table of :meth:`._events.Events.case_table`, indexed by case code, before the columns that
    :meth:`._events.Events.cases` derives."""
    starts, ends = lo.starts, lo.ends
    start, end = lo.ts[starts], lo.ts[ends]  # the rows of a case are in time order
    out = {
        "events": (ends - starts + 1).astype(np.int64),
        "first_pos": lo.pos[starts].astype(np.int64),
        "start": start.astype(np.int64),
        "end": end.astype(np.int64),
        "first_act": lo.act[starts].astype(np.int32),
        "last_act": lo.act[ends].astype(np.int32),
        "touchpoints": _per_case(lo, lo.visit == 0),
        "reworked_touchpoints": _per_case(lo, lo.visit == 1),
        "self_loops": _per_case(lo, lo.self_loop()),
        "repeat_contacts_w": _per_case(lo, lo.within(window_days)),
    }
    for k in range(len(lo.attributes)):
        _arrival, _known, change, pingpong = lo.handoff_flags(k)
        out[f"handoffs_a{k}"] = _per_case(lo, change)
        out[f"pingpongs_a{k}"] = _per_case(lo, pingpong)
    out["throughput_h"] = (end - start).astype(np.float64) / NS_PER_HOUR
    return pd.DataFrame(out, index=pd.RangeIndex(len(starts), name="case").astype(np.int64))


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (a sort and a comparison: faster than ``np.unique`` on these keys)."""
    values = np.sort(values)
    return values[np.r_[True, values[1:] != values[:-1]]] if len(values) else values


def group_medians(groups: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """The median of ``values`` in each group 0..n-1 (NaN for an empty group), interpolated as DuckDB's
    ``quantile_cont(x, 0.5)``."""
    out = np.full(n, np.nan)
    if not len(values):
        return out
    # numpy sorts 16-bit integers by radix (several times faster); the codes fit unless there are 32k groups
    order = np.argsort(groups.astype(np.int16) if n <= np.iinfo(np.int16).max else groups, kind="stable")
    sorted_values = values[order]
    bounds = np.r_[0, np.cumsum(np.bincount(groups, minlength=n))]
    for g in np.flatnonzero(np.diff(bounds)):
        out[g] = _median(sorted_values[bounds[g]:bounds[g + 1]])
    return out


def _median(values: np.ndarray) -> float:
    position = (len(values) - 1) * 0.5
    lo, hi = int(np.floor(position)), int(np.ceil(position))
    part = np.partition(values, [lo, hi]) if hi != lo else np.partition(values, lo)
    low = part[lo]
    return float(low) if hi == lo else float(low * 0.5 + part[hi] * 0.5)  # DuckDB's lo * (1 - d) + hi * d


def act_rows(lo: CaseOrdered, n_act: int, window_days: float) -> pd.DataFrame:
    """The per-touchpoint table of :meth:`._events.Events.act_stats`, indexed by activity code, before
    ``back_jumps`` and ``back_jump_cases``."""
    act = lo.act
    count = lambda flags: np.bincount(act, weights=flags, minlength=n_act).astype(np.int64)
    arrival = lo.idx > 0
    last = np.zeros(len(act), dtype=bool)
    last[lo.ends] = True
    hours_since_previous = (lo.ts[1:] - lo.ts[:-1]).astype(np.float64) / NS_PER_HOUR  # row i+1 minus row i
    before = arrival[1:]
    after = ~last[:-1]
    within = lo.within(window_days)
    out = {
        "events": np.bincount(act, minlength=n_act).astype(np.int64),
        "starts": count(lo.idx == 0),
        "ends": count(last),
        "median_wait_before_h": group_medians(act[1:][before], hours_since_previous[before], n_act),
        "median_wait_after_h": group_medians(act[:-1][after], hours_since_previous[after], n_act),
        "cases": count(lo.visit == 0),
        "rework_cases": count(lo.visit == 1),
        "repeat_events": count(lo.visit > 0),
        "self_loops": count(lo.self_loop()),
        "arrivals": count(arrival),
        "repeat_contacts_w": count(within),
    }
    pairs = _distinct(act[within].astype(np.int64) * len(lo.starts) + lo.case[within])
    out["repeat_cases_w"] = np.bincount(pairs // len(lo.starts), minlength=n_act).astype(np.int64)
    out["median_gap_h_w"] = group_medians(act[within], lo.gap[within].astype(np.float64) / NS_PER_HOUR, n_act)
    for k in range(len(lo.attributes)):
        _arrival, known, change, _pingpong = lo.handoff_flags(k)
        out[f"known_a{k}"] = count(known)
        out[f"changed_a{k}"] = count(change)
    return pd.DataFrame(out, index=pd.RangeIndex(n_act, name="act").astype(np.int64))


def variant_arrays(lo: CaseOrdered) -> tuple[np.ndarray, np.ndarray]:
    """Per case code the smallest case code with the same sequence of touchpoints (``case_var``), and the
    representative cases (the distinct ``case_var``, ascending).

    Each case's sequence is hashed (a polynomial over its activity codes, with its length); cases with the same
    hash are then compared element by element with their group's first case, so a hash collision can never
    merge two journeys (it falls back to comparing the sequences as bytes).
    """
    n_cases = len(lo.starts)
    # the first case (smallest code) of each group: np.unique sorts stably when asked for first indices
    _, first, group = np.unique(_sequence_keys(lo), return_index=True, return_inverse=True)
    case_var = first[group.ravel()].astype(np.int64)
    # check: every event equals the event at the same index of its representative case
    rep_rows = lo.starts[case_var[lo.case]] + lo.idx
    if not np.array_equal(lo.act[rep_rows], lo.act):
        case_var = _variants_by_bytes(lo)
    return case_var, np.flatnonzero(case_var == np.arange(n_cases))


def _sequence_keys(lo: CaseOrdered) -> np.ndarray:
    """A 64-bit hash of each case's sequence of activity codes and its length (equal sequences, equal keys)."""
    lengths = np.diff(np.r_[lo.starts, len(lo.act)])
    with np.errstate(over="ignore"):
        powers = np.cumprod(np.full(int(lengths.max()), 0x9E3779B97F4A7C15, dtype=np.uint64))
        terms = (lo.act.astype(np.uint64) + np.uint64(1)) * powers[lo.idx]
        return np.add.reduceat(terms, lo.starts) + lengths.astype(np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F)


def _variants_by_bytes(lo: CaseOrdered) -> np.ndarray:
    """:func:`variant_arrays` without hashing: each sequence as bytes in a dict (exact, slower)."""
    raw = lo.act.astype(np.int32).tobytes()
    bounds = np.r_[lo.starts, len(lo.act)] * 4
    first: dict[bytes, int] = {}
    return np.array([first.setdefault(raw[a:b], c) for c, (a, b) in enumerate(itertools.pairwise(bounds.tolist()))],
                    dtype=np.int64)
