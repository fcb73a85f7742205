"""The per-case, per-touchpoint and per-variant tables of a pandas log, from its case-ordered arrays.

Every analysis starts from a few small tables: one row per case (:meth:`Events.cases`), per touchpoint
(:meth:`Events.act_stats`), per variant (:meth:`Events.variant_data`), per process-map edge and per hand-off
pair. Their Ibis expressions are the definitions, and what runs on Spark. For a pandas log on the embedded engine
the events are already in memory in case order (:func:`._engine.case_ordered`): each case is one block of rows,
so its figures are reductions over that block, and each touchpoint's are counts over its code. This module
computes those tables that way in numpy, which costs a fraction of sending the queries to DuckDB and bringing
the results back; the tests check that both give the same tables (``tests/test_journeys_local.py``).

Medians are interpolated as DuckDB's ``quantile_cont`` does (``lo * (1 - d) + hi * d`` between the two middle
values, d = 0.5), so the figures agree to the last bit.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

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
    moves: Moves | None = None  # the transitions, once something asked for them (:func:`moves`)
    flags: dict = field(default_factory=dict)  # the hand-off flags per attribute, once asked for

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
        ping-pongs (computed once)."""
        if k not in self.flags:
            self.flags[k] = self._handoff_flags(k)
        return self.flags[k]

    def _handoff_flags(self, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
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


def _pairs_per_code(codes: np.ndarray, cases: np.ndarray, n_codes: int, n_cases: int) -> np.ndarray:
    """Per code 0..n_codes-1: the distinct cases among the rows with that code (a table of every (case, code)
    pair when it is not much larger than the rows, else a sort)."""
    if n_codes * n_cases <= max(4 * len(codes), 1 << 16):
        seen = np.bincount(cases.astype(np.int64) * n_codes + codes, minlength=n_cases * n_codes) > 0
        return seen.reshape(n_cases, n_codes).sum(axis=0).astype(np.int64)
    pairs = _distinct(codes.astype(np.int64) * n_cases + cases)
    return np.bincount(pairs // n_cases, minlength=n_codes).astype(np.int64)


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (a sort and a comparison: faster than ``np.unique`` on these keys)."""
    values = np.sort(values)
    return values[np.r_[True, values[1:] != values[:-1]]] if len(values) else values


def _order(keys: np.ndarray, n_keys: int) -> np.ndarray:
    """The stable order of rows by integer ``keys`` in 0..n_keys-1 (numpy sorts 16-bit integers by radix,
    several times faster than a comparison sort)."""
    return np.argsort(keys.astype(np.int16) if n_keys <= np.iinfo(np.int16).max else keys, kind="stable")


def _quantile(values: np.ndarray, q: float) -> float:
    """The ``q`` quantile of ``values`` with linear interpolation (DuckDB's ``quantile_cont``; for the median
    exactly its ``lo * (1 - d) + hi * d``), partitioning a copy."""
    position = (len(values) - 1) * q
    lo, hi = int(np.floor(position)), int(np.ceil(position))
    part = np.partition(values, [lo, hi]) if hi != lo else np.partition(values, lo)
    low = float(part[lo])
    if hi == lo:
        return low
    d = position - lo
    return low * (1 - d) + float(part[hi]) * d if q == 0.5 else low + (float(part[hi]) - low) * d


def _slices(sorted_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct keys of a sorted array and where each one's run starts."""
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]) if len(sorted_keys) else \
        np.zeros(0, dtype=np.int64)
    return sorted_keys[starts], starts


def group_medians(groups: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """The median of ``values`` in each group 0..n-1 (NaN for an empty group), as DuckDB's
    ``quantile_cont(x, 0.5)``."""
    out = np.full(n, np.nan)
    if not len(values):
        return out
    order = _order(groups, n)
    keys, starts = _slices(groups[order])
    sorted_values = values[order]
    for g, i, j in zip(keys.tolist(), starts.tolist(), [*starts[1:].tolist(), len(values)]):
        out[g] = _quantile(sorted_values[i:j], 0.5)
    return out


@dataclass(eq=False)
class Moves:
    """The directly-follows transitions (an event and the next one in its case), sorted by edge
    (``src * n_act + dst``, stable, so in case order within an edge), with the wait in hours."""

    edge: np.ndarray
    wait_h: np.ndarray
    n_act: int

    @classmethod
    def of(cls, lo: CaseOrdered, n_act: int) -> Moves:
        has_next = lo.idx[1:] > 0  # row i has a next event when row i + 1 is not a case's first
        src, dst = lo.act[:-1][has_next], lo.act[1:][has_next]
        wait = (lo.ts[1:] - lo.ts[:-1])[has_next].astype(np.float64) / NS_PER_HOUR
        edge = src.astype(np.int64) * n_act + dst
        order = _order(edge, n_act * n_act)
        return cls(edge[order], wait[order], n_act)

    def edge_rows(self) -> pd.DataFrame:
        """One row per edge taken, by edge: ``src``, ``dst``, ``transitions``, ``median_wait_h``,
        ``p90_wait_h``, ``mean_wait_h``, ``min_wait_h``, ``max_wait_h``."""
        keys, starts = _slices(self.edge)
        ends = np.r_[starts[1:], len(self.edge)]
        counts = ends - starts
        w = self.wait_h
        pairs = zip(starts.tolist(), ends.tolist())
        quantiles = np.array([(_quantile(w[i:j], 0.5), _quantile(w[i:j], 0.9)) for i, j in pairs]).reshape(-1, 2)
        has = len(w) > 0
        return pd.DataFrame({
            "src": (keys // self.n_act).astype(np.int32), "dst": (keys % self.n_act).astype(np.int32),
            "transitions": counts.astype(np.int64),
            "median_wait_h": quantiles[:, 0], "p90_wait_h": quantiles[:, 1],
            "mean_wait_h": np.add.reduceat(w, starts) / counts if has else np.zeros(0),
            "min_wait_h": np.minimum.reduceat(w, starts) if has else np.zeros(0),
            "max_wait_h": np.maximum.reduceat(w, starts) if has else np.zeros(0),
        })

    def medians_after(self) -> np.ndarray:
        """Per activity code: the median wait until the next event (the edges out of it are one run)."""
        out = np.full(self.n_act, np.nan)
        src = self.edge // self.n_act
        keys, starts = _slices(src)
        for g, i, j in zip(keys.tolist(), starts.tolist(), [*starts[1:].tolist(), len(src)]):
            out[g] = _quantile(self.wait_h[i:j], 0.5)
        return out

    def medians_before(self) -> np.ndarray:
        """Per activity code: the median wait since the previous event."""
        return group_medians(self.edge % self.n_act, self.wait_h, self.n_act)


def moves(lo: CaseOrdered, n_act: int) -> Moves:
    """The transitions of ``lo`` (:class:`Moves`), computed once per prepared log."""
    if lo.moves is None:
        lo.moves = Moves.of(lo, n_act)
    return lo.moves


def count_flags(codes: np.ndarray, n: int, flags: list[np.ndarray]) -> list[np.ndarray]:
    """For each boolean array in ``flags``: how many rows of each code 0..n-1 have it set.

    Eight flags at a time are packed into the bits of one byte, so one ``bincount`` over ``code * 256 + byte``
    counts all eight (a bincount per flag costs several times more)."""
    out = []
    if n * 256 > 1 << 26:  # too many codes for the packed table
        return [np.bincount(codes, weights=f, minlength=n).astype(np.int64) for f in flags]
    bits = (np.arange(256)[:, None] >> np.arange(8)[None, :]) & 1
    for start in range(0, len(flags), 8):
        chunk = flags[start:start + 8]
        key = codes.astype(np.int32) << 8
        for i, f in enumerate(chunk):
            key |= f.view(np.uint8).astype(np.int32) << i
        table = np.bincount(key, minlength=n * 256).reshape(n, 256) @ bits[:, :len(chunk)]
        out.extend(table[:, i].astype(np.int64) for i in range(len(chunk)))
    return out


def act_rows(lo: CaseOrdered, n_act: int, window_days: float) -> pd.DataFrame:
    """The per-touchpoint table of :meth:`._events.Events.act_stats`, indexed by activity code, before
    ``back_jumps`` and ``back_jump_cases``."""
    act = lo.act
    last = np.zeros(len(act), dtype=bool)
    last[lo.ends] = True
    within = lo.within(window_days)
    flags = {"starts": lo.idx == 0, "ends": last, "cases": lo.visit == 0, "rework_cases": lo.visit == 1,
             "self_loops": lo.self_loop(), "repeat_contacts_w": within}
    for k in range(len(lo.attributes)):
        _arrival, known, change, _pingpong = lo.handoff_flags(k)
        flags[f"known_a{k}"], flags[f"changed_a{k}"] = known, change
    counted = dict(zip(flags, count_flags(act, n_act, list(flags.values()))))
    events = np.bincount(act, minlength=n_act).astype(np.int64)
    transitions = moves(lo, n_act)
    out = {
        "events": events,
        "starts": counted["starts"],
        "ends": counted["ends"],
        "median_wait_before_h": transitions.medians_before(),
        "median_wait_after_h": transitions.medians_after(),
        "cases": counted["cases"],
        "rework_cases": counted["rework_cases"],
        "repeat_events": events - counted["cases"],  # every visit after a touchpoint's first in its case
        "self_loops": counted["self_loops"],
        "arrivals": events - counted["starts"],
        "repeat_contacts_w": counted["repeat_contacts_w"],
    }
    out["repeat_cases_w"] = _pairs_per_code(act[within], lo.case[within], n_act, len(lo.starts))
    out["median_gap_h_w"] = group_medians(act[within], lo.gap[within].astype(np.float64) / NS_PER_HOUR, n_act)
    for k in range(len(lo.attributes)):
        out[f"known_a{k}"] = counted[f"known_a{k}"]
        out[f"changed_a{k}"] = counted[f"changed_a{k}"]
    return pd.DataFrame(out, index=pd.RangeIndex(n_act, name="act").astype(np.int64))


def handoff_pairs(lo: CaseOrdered, k: int, n_values: int) -> pd.DataFrame:
    """The hand-offs of attribute ``a{k}`` by (previous value, value): ``src``, ``dst``, ``handoffs``,
    ``cases`` (distinct), ``pingpongs`` (see :func:`._events.handoff_flags`)."""
    values, _valid = lo.attributes[k]
    _arrival, _known, change, pingpong = lo.handoff_flags(k)
    rows = np.flatnonzero(change)  # a hand-off's previous event is the row before it, in the same case
    key = values[rows - 1].astype(np.int64) * n_values + values[rows]
    keys, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    return pd.DataFrame({
        "src": keys // n_values, "dst": keys % n_values, "handoffs": counts.astype(np.int64),
        "cases": _pairs_per_code(inverse, lo.case[rows], len(keys), len(lo.starts)),
        "pingpongs": np.bincount(inverse, weights=pingpong[rows], minlength=len(keys)).astype(np.int64),
    })


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
    # check: every case is as long as its representative, and every event equals the event at the same index of
    # the representative case
    lengths = np.diff(np.r_[lo.starts, len(lo.act)])
    if not (np.array_equal(lengths[case_var], lengths)
            and np.array_equal(lo.act[lo.starts[case_var[lo.case]] + lo.idx], lo.act)):
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
