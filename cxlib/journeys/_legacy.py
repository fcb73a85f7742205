"""One preparation step shared by every journey measure.

The log is sorted once by case and timestamp (ties keep the file order, as pm4py does), activities and cases
become integer codes, and every measure is then a set operation on numpy arrays: no Python loop over cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._errors import CxInputError

CASE = "case:concept:name"
ACTIVITY = "concept:name"
TIMESTAMP = "time:timestamp"
RESOURCE = "org:resource"

NS_PER_HOUR = 3_600_000_000_000


@dataclass(eq=False)
class Events:
    """A log prepared for journey measures (internal).

    Arrays are in case/timestamp order. ``case`` holds case codes 0..n_cases-1 in that order, ``act``
    activity codes into ``activities``; ``rows`` maps back to the positions of the kept rows in the input.
    """

    log: pd.DataFrame
    case_key: str
    activity_key: str
    timestamp_key: str
    case_ids: np.ndarray
    activities: np.ndarray
    case: np.ndarray
    act: np.ndarray
    ts: np.ndarray
    rows: np.ndarray
    first: np.ndarray
    last: np.ndarray
    dropped: dict = field(default_factory=dict)
    _cache: dict = field(default_factory=dict)

    @property
    def n_events(self) -> int:
        return len(self.act)

    @property
    def n_cases(self) -> int:
        return len(self.first)

    @property
    def n_activities(self) -> int:
        return len(self.activities)

    @property
    def same_case_next(self) -> np.ndarray:
        """Boolean of length n_events-1: event i and i+1 belong to the same case (a transition)."""
        if "same" not in self._cache:
            self._cache["same"] = self.case[1:] == self.case[:-1]
        return self._cache["same"]

    @property
    def transitions(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Index of the source event, source code, target code and wait in ns of every transition."""
        if "transitions" not in self._cache:
            src_idx = np.flatnonzero(self.same_case_next)
            dst_idx = src_idx + 1
            wait = self.ts[dst_idx] - self.ts[src_idx]
            self._cache["transitions"] = (src_idx, self.act[src_idx], self.act[dst_idx], wait)
        return self._cache["transitions"]

    @property
    def pair_key(self) -> np.ndarray:
        """Per event: one integer for its (case, activity) pair."""
        if "pair_key" not in self._cache:
            self._cache["pair_key"] = self.case.astype(np.int64) * self.n_activities + self.act
        return self._cache["pair_key"]

    @property
    def case_act_order(self) -> np.ndarray:
        """Event indices sorted by (case, activity), keeping time order within a pair.

        The keys are already sorted by case, so numpy's stable sort (a run-merging sort for 64-bit keys)
        only has to merge short runs: close to linear in practice, and faster than hashing here.
        """
        if "case_act_order" not in self._cache:
            self._cache["case_act_order"] = np.argsort(self.pair_key, kind="stable")
        return self._cache["case_act_order"]

    @property
    def first_occurrence(self) -> np.ndarray:
        """Boolean per event: the first time its activity occurs in its case."""
        if "first_occ" not in self._cache:
            order = self.case_act_order
            ks = self.pair_key[order]
            first_sorted = np.ones(len(ks), dtype=bool)
            first_sorted[1:] = ks[1:] != ks[:-1]
            out = np.empty(len(ks), dtype=bool)
            out[order] = first_sorted
            self._cache["first_occ"] = out
            self._cache["pair_bounds"] = np.flatnonzero(first_sorted)
        return self._cache["first_occ"]

    @property
    def case_activity_counts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Distinct (case, activity) pairs: (case codes, activity codes, True where the pair occurs twice+)."""
        if "case_act" not in self._cache:
            _ = self.first_occurrence  # fills pair_bounds
            bounds = self._cache["pair_bounds"]
            keys = self.pair_key[self.case_act_order[bounds]]
            counts = np.diff(np.r_[bounds, self.n_events])
            self._cache["case_act"] = ((keys // self.n_activities).astype(np.int32),
                                       (keys % self.n_activities).astype(np.int32), counts > 1)
        return self._cache["case_act"]

    def _column(self, column: str) -> pd.Series:
        if column not in self.log.columns:
            raise CxInputError(
                f"column {column!r} not found; the log has: {', '.join(map(str, self.log.columns))}",
                path=self.log.attrs.get("path"),
                column=column,
            )
        return self.log[column]

    def event_codes(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """``column`` for every event (sorted order) as integer codes (-1 = missing) and the distinct values."""
        key = f"codes_{column}"
        if key not in self._cache:
            codes, uniques = pd.factorize(self._column(column), use_na_sentinel=True)
            self._cache[key] = (codes[self.rows], np.asarray(uniques, dtype=object))
        return self._cache[key]

    def case_values(self, column: str) -> pd.Series:
        """The first value of ``column`` in each case (case attributes are constant; event attributes are not)."""
        values = self._column(column).iloc[self.rows[self.first]].to_numpy()
        return pd.Series(values, index=pd.Index(self.case_ids, name=self.case_key), name=column)

    def throughput_ns(self) -> np.ndarray:
        return self.ts[self.last] - self.ts[self.first]


def _require(log: pd.DataFrame, columns: list[str]) -> None:
    if not isinstance(log, pd.DataFrame):
        raise CxInputError(f"expected an event log as a pandas DataFrame, got {type(log).__name__}")
    for col in columns:
        if col not in log.columns:
            raise CxInputError(
                f"column {col!r} not found; the log has: {', '.join(map(str, log.columns))}. "
                "Pass the right name with case_key=, activity_key= or timestamp_key=.",
                path=log.attrs.get("path"),
                column=col,
            )


def _timestamps_ns(log: pd.DataFrame, key: str) -> np.ndarray:
    col = log[key]
    if not isinstance(col.dtype, pd.DatetimeTZDtype) and not pd.api.types.is_datetime64_dtype(col):
        try:
            col = pd.to_datetime(col, utc=True, format="mixed")
        except (ValueError, TypeError) as exc:
            raise CxInputError(
                f"column {key!r} holds values that are not timestamps ({exc})",
                path=log.attrs.get("path"),
                column=key,
            ) from None
    if isinstance(col.dtype, pd.DatetimeTZDtype):
        col = col.dt.tz_convert("UTC")
    values = col.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT"))
    return values.view(np.int64)


def _is_sorted(case_codes: np.ndarray, ts: np.ndarray) -> bool:
    """True when each case's rows are contiguous, cases appear in code order and time never goes back."""
    if len(case_codes) < 2:
        return True
    step = np.diff(case_codes)
    if (step < 0).any() or (step > 1).any():
        return False
    same = step == 0
    return bool((ts[1:][same] >= ts[:-1][same]).all())


def distinct(keys: np.ndarray) -> np.ndarray:
    """Distinct values of an integer array, sorted.

    Keys built as ``case * k + x`` are nearly sorted (events come in case order); numpy's stable sort merges
    such runs quickly, faster than hashing (``np.unique``/``pd.unique``) on millions of rows.
    """
    if len(keys) == 0:
        return keys
    s = np.sort(keys, kind="stable")
    return s[np.r_[True, s[1:] != s[:-1]]]


def group_order(codes: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices that group ``codes`` (stable) and the start offset of each group (length n_groups + 1).

    Small code ranges use a 16-bit key, for which numpy's stable sort is a radix sort (linear time).
    """
    if n_groups < 2**16:
        order = np.argsort(codes.astype(np.uint16), kind="stable")
    else:
        order = np.argsort(codes, kind="stable")
    bounds = np.r_[0, np.cumsum(np.bincount(codes, minlength=n_groups))]
    return order, bounds


def group_stats(codes: np.ndarray, values: np.ndarray, n_groups: int,
                quantiles: tuple[float, ...] = (0.5, 0.9)) -> dict[str, np.ndarray]:
    """Per group: count, mean, min, max and quantiles (linear interpolation, as pandas and numpy).

    The loop runs over groups (touchpoints or edges), never over cases; each group's quantiles use numpy's
    selection (partition), so the whole is linear in the number of values.
    """
    order, bounds = group_order(codes, n_groups)
    sorted_values = values[order]
    count = np.diff(bounds)
    out = {"count": count, "mean": np.full(n_groups, np.nan), "min": np.full(n_groups, np.nan),
           "max": np.full(n_groups, np.nan)}
    for q in quantiles:
        out[q] = np.full(n_groups, np.nan)
    sums = np.bincount(codes, weights=values, minlength=n_groups)
    nonempty = count > 0
    out["mean"][nonempty] = sums[nonempty] / count[nonempty]
    for g in np.flatnonzero(nonempty):
        chunk = sorted_values[bounds[g]:bounds[g + 1]]
        qs = np.quantile(chunk, quantiles)
        for q, v in zip(quantiles, qs):
            out[q][g] = v
        out["min"][g] = chunk.min()
        out["max"][g] = chunk.max()
    return out


def prepare(log: pd.DataFrame, *, case_key: str = CASE, activity_key: str = ACTIVITY,
            timestamp_key: str = TIMESTAMP) -> Events:
    """Sort once by case and time, encode cases and activities as integers (internal)."""
    if isinstance(log, Events):
        return log
    _require(log, [case_key, activity_key, timestamp_key])
    ts = _timestamps_ns(log, timestamp_key)
    case_codes, case_ids = pd.factorize(log[case_key], use_na_sentinel=True)
    act_codes, activities = pd.factorize(log[activity_key], use_na_sentinel=True)
    nat = ts == np.iinfo(np.int64).min
    bad_case = case_codes < 0
    bad_act = act_codes < 0
    dropped = {
        f"missing {case_key}": int(bad_case.sum()),
        f"missing {activity_key}": int((bad_act & ~bad_case).sum()),
        f"missing {timestamp_key}": int((nat & ~bad_case & ~bad_act).sum()),
    }
    keep = ~(bad_case | bad_act | nat)
    rows = np.flatnonzero(keep) if not keep.all() else np.arange(len(log))
    if len(rows) == 0:
        raise CxInputError(
            f"the log has no usable events ({len(log)} rows; dropped: "
            + ", ".join(f"{k}: {v}" for k, v in dropped.items()) + ")",
            path=log.attrs.get("path"),
        )
    case_codes = case_codes[rows]
    act_codes = act_codes[rows]
    ts = ts[rows]
    # cxlib.read_log already sorts by case and time: check in linear time and skip the sort
    if _is_sorted(case_codes, ts):
        order = np.arange(len(case_codes))
    else:
        # lexsort is stable: events with equal case and timestamp keep their order in the file (as in pm4py)
        order = np.lexsort((ts, case_codes))
    case_sorted = case_codes[order]
    # re-number cases 0..n-1 in sorted order (cases with all rows dropped disappear)
    boundary = np.ones(len(case_sorted), dtype=bool)
    boundary[1:] = case_sorted[1:] != case_sorted[:-1]
    first = np.flatnonzero(boundary)
    last = np.r_[first[1:] - 1, len(case_sorted) - 1]
    used_cases = case_sorted[first]
    dense_case = (np.cumsum(boundary) - 1).astype(np.int32)
    present = np.bincount(act_codes, minlength=len(activities)) > 0
    used_acts = np.flatnonzero(present)
    act_dense = (np.cumsum(present) - 1)[act_codes[order]]
    return Events(
        log=log,
        case_key=case_key,
        activity_key=activity_key,
        timestamp_key=timestamp_key,
        case_ids=np.asarray(case_ids)[used_cases],
        activities=np.asarray(activities)[used_acts].astype(object),
        case=dense_case,
        act=act_dense.astype(np.int32),
        ts=ts[order],
        rows=rows[order],
        first=first,
        last=last,
        dropped={k: v for k, v in dropped.items() if v},
    )


def hours(ns) -> np.ndarray:
    """Nanoseconds to hours as floats."""
    return np.asarray(ns, dtype=np.float64) / NS_PER_HOUR


def stamp(df: pd.DataFrame, ev: Events, **notes) -> pd.DataFrame:
    """Attach what a reader must know about a result (dropped rows, inferences) to ``df.attrs``."""
    df.attrs["dropped_rows"] = dict(ev.dropped)
    df.attrs.update(notes)
    return df
