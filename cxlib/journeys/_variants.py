"""Variants: the distinct journeys (sequences of touchpoints) and how many cases follow each."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._errors import CxInputError
from ._events import ACTIVITY, CASE, TIMESTAMP, Events, hours, prepare, stamp

SEPARATOR = " → "


def case_variant_codes(ev: Events) -> tuple[np.ndarray, list[tuple[int, ...]]]:
    """Variant code per case and the activity-code tuple of every variant (internal).

    Exact, in linear time: each case gets two 64-bit polynomial fingerprints of its sequence (computed with
    per-event products and ``np.add.reduceat``), cases are grouped by (length, fingerprints), and then every
    event is compared with the same position of its group's first case. If that check ever fails (a
    fingerprint collision), the grouping falls back to comparing the sequences row by row with
    ``np.unique(axis=0)``. No Python loop over cases.
    """
    if "variants" in ev._cache:
        return ev._cache["variants"]
    lengths = (ev.last - ev.first + 1).astype(np.int64)
    pos = np.arange(ev.n_events, dtype=np.int64) - np.repeat(ev.first, lengths)
    rng = np.random.default_rng(20240607)
    max_len = int(lengths.max())
    mult1 = rng.integers(1, 2**62, size=max_len, dtype=np.int64) | 1
    mult2 = rng.integers(1, 2**62, size=max_len, dtype=np.int64) | 1
    sym = ev.act.astype(np.int64) + 1
    with np.errstate(over="ignore"):
        h1 = np.add.reduceat(sym * mult1[pos], ev.first)
        h2 = np.add.reduceat((sym * 0x5E3779B97F4A7C15 ^ sym) * mult2[pos], ev.first)
    keys = pd.MultiIndex.from_arrays([lengths, h1, h2])
    variant_of_case, _ = pd.factorize(keys)
    variant_of_case = variant_of_case.astype(np.int64)
    rep_case = np.full(variant_of_case.max() + 1, -1, dtype=np.int64)
    rep_case[variant_of_case[::-1]] = np.arange(ev.n_cases)[::-1]  # any member works as representative
    rep_first = ev.first[rep_case[variant_of_case]]
    same = ev.act == ev.act[np.repeat(rep_first, lengths) + pos]
    if not same.all():  # pragma: no cover - a 128-bit fingerprint collision
        variant_of_case = _exact_variant_codes(ev, lengths)
        rep_case = np.full(variant_of_case.max() + 1, -1, dtype=np.int64)
        rep_case[variant_of_case] = np.arange(ev.n_cases)
    sequences = [tuple(ev.act[ev.first[c]:ev.last[c] + 1].tolist()) for c in rep_case]
    ev._cache["variants"] = (variant_of_case, sequences)
    return variant_of_case, sequences


def _exact_variant_codes(ev: Events, lengths: np.ndarray) -> np.ndarray:
    """Variant codes by comparing sequences as rows, one block per distinct length (fallback)."""
    variant_of_case = np.empty(ev.n_cases, dtype=np.int64)
    offset = 0
    for length in np.unique(lengths):
        cases = np.flatnonzero(lengths == length)
        matrix = ev.act[ev.first[cases][:, None] + np.arange(length)[None, :]]
        uniq, inverse = np.unique(matrix, axis=0, return_inverse=True)
        variant_of_case[cases] = offset + inverse.reshape(-1)
        offset += len(uniq)
    return variant_of_case


def variants(log: pd.DataFrame, *, top: int | None = None, coverage: float | None = None,
             case_key: str = CASE, activity_key: str = ACTIVITY, timestamp_key: str = TIMESTAMP) -> pd.DataFrame:
    """The distinct journeys, most frequent first, with share, cumulative coverage and throughput time.

    Parameters
    ----------
    log : pandas.DataFrame
        Event log as :func:`cxlib.read_log` returns it.
    top : int, optional
        Keep only the ``top`` most frequent variants.
    coverage : float, optional
        Keep the most frequent variants until they cover this share (0-1] of the cases (the variant that
        crosses the line is kept). With ``top`` as well, both limits apply.
    case_key, activity_key, timestamp_key : str
        Column names of case id, touchpoint (activity) and timestamp.

    Returns
    -------
    pandas.DataFrame
        One row per variant, sorted by ``cases`` (ties by the variant text):

        - ``rank``: 1 for the most frequent variant.
        - ``variant``: the touchpoints joined with ``" → "``.
        - ``activities``: the same as a tuple (as pm4py's variant keys).
        - ``length``: number of events.
        - ``cases``: cases that follow it; ``share``: of all cases; ``cumulative_share``: running sum of shares.
        - ``median_throughput_h``, ``mean_throughput_h``: time from first to last event, hours.

        ``attrs["cases_total"]`` and ``attrs["variants_total"]`` describe the unfiltered log.

    Examples
    --------
    >>> import cxlib, cxlib.journeys as cj
    >>> log = cxlib.read_log("data/helpdesk.xes.gz")
    >>> bool(cj.variants(log, coverage=0.8)["cumulative_share"].iloc[-1] >= 0.8)
    True
    """
    if coverage is not None and not 0 < coverage <= 1:
        raise CxInputError(f"coverage must be a share in (0, 1], got {coverage}")
    if top is not None and top < 1:
        raise CxInputError(f"top must be at least 1, got {top}")
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    out = _variant_table(ev)
    if top is not None:
        out = out.head(top)
    if coverage is not None:
        n_keep = int(np.searchsorted(out["cumulative_share"].to_numpy(), coverage - 1e-12) + 1)
        out = out.head(n_keep)
    out = out.copy()
    out.attrs["cases_total"] = int(ev.n_cases)
    out.attrs["variants_total"] = len(_variant_table(ev))
    return stamp(out, ev)


def _variant_table(ev: Events) -> pd.DataFrame:
    if "variant_table" in ev._cache:
        return ev._cache["variant_table"]
    variant_of_case, sequences = case_variant_codes(ev)
    throughput = pd.Series(hours(ev.throughput_ns()))
    grouped = throughput.groupby(variant_of_case)
    names = ev.activities
    tuples = [tuple(names[list(seq)]) for seq in sequences]
    out = pd.DataFrame({
        "variant": [SEPARATOR.join(map(str, t)) for t in tuples],
        "activities": tuples,
        "length": [len(t) for t in tuples],
        "cases": np.bincount(variant_of_case, minlength=len(sequences)),
        "median_throughput_h": grouped.median().reindex(range(len(sequences))).to_numpy(),
        "mean_throughput_h": grouped.mean().reindex(range(len(sequences))).to_numpy(),
    })
    out["variant_code"] = np.arange(len(sequences))
    out = out.sort_values(["cases", "variant"], ascending=[False, True]).reset_index(drop=True)
    out["share"] = out["cases"] / ev.n_cases
    out["cumulative_share"] = out["share"].cumsum()
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    cols = ["rank", "variant", "activities", "length", "cases", "share", "cumulative_share",
            "median_throughput_h", "mean_throughput_h"]
    ev._cache["variant_rank"] = pd.Series(out["rank"].to_numpy(), index=out["variant_code"]).sort_index().to_numpy()
    out = out[cols]
    ev._cache["variant_table"] = out
    return out


def case_variants(log: pd.DataFrame, *, case_key: str = CASE, activity_key: str = ACTIVITY,
                  timestamp_key: str = TIMESTAMP) -> pd.DataFrame:
    """Which variant each case follows.

    Parameters
    ----------
    log : pandas.DataFrame
        Event log as :func:`cxlib.read_log` returns it.
    case_key, activity_key, timestamp_key : str
        Column names of case id, touchpoint (activity) and timestamp.

    Returns
    -------
    pandas.DataFrame
        One row per case: ``case`` (the case id), ``variant_rank`` (the ``rank`` in :func:`variants`),
        ``events``, ``throughput_h``.

    Examples
    --------
    >>> import cxlib, cxlib.journeys as cj
    >>> log = cxlib.read_log("data/helpdesk.xes.gz")
    >>> int((cj.case_variants(log)["variant_rank"] == 1).sum()) == int(cj.variants(log, top=1)["cases"].iloc[0])
    True
    """
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    _variant_table(ev)
    variant_of_case, _ = case_variant_codes(ev)
    out = pd.DataFrame({
        "case": ev.case_ids,
        "variant_rank": ev._cache["variant_rank"][variant_of_case],
        "events": ev.last - ev.first + 1,
        "throughput_h": hours(ev.throughput_ns()),
    })
    return stamp(out, ev)
