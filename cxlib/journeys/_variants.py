"""Variants: the distinct journeys (sequences of touchpoints) and how many cases follow each.

Engine: the traces table holds each case's touchpoints in order (a list column; see :mod:`._engine`); one query
gives each case the smallest case code with the same list (its variant) and the list itself once per variant
(``Events.variant_data``); counts and throughput per variant are then group-bys of the per-case table.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._docstrings import share_docs
from .._errors import CxInputError
from ..display import Result, say, show
from ._events import ACTIVITY, CASE, TIMESTAMP, Events, prepare
from ._results import dropped_parts

SEPARATOR = " → "


def _variant_rows(ev: Events) -> pd.DataFrame:
    """One row per variant (pandas, cached), by ``var`` (the smallest case code following it): ``var``,
    ``cases``, median and mean throughput.

    The engine gives each case's variant (:meth:`Events.variant_data`); the throughput per variant is a
    group-by of the per-case table on that code."""
    if "variant_rows" not in ev._cache:
        vd = ev.variant_data()
        grouped = pd.Series(ev.cases()["throughput_h"].to_numpy(dtype=np.float64)).groupby(vd.variant_of_case)
        ev._cache["variant_rows"] = pd.DataFrame({"var": vd.var, "cases": vd.counts,
                                                  "median_throughput_h": grouped.median().to_numpy(),
                                                  "mean_throughput_h": grouped.mean().to_numpy()})
    return ev._cache["variant_rows"]


def _case_var(ev: Events) -> np.ndarray:
    """Per case code: the ``var`` of its variant (the smallest case code with the same sequence)."""
    return ev.variant_data().case_var


def case_variant_codes(ev: Events) -> tuple[np.ndarray, list[tuple[int, ...]]]:
    """Variant code (0..n_variants-1) per case and the activity-code tuple of every variant (internal)."""
    vd = ev.variant_data()
    return vd.variant_of_case, [tuple(seq) for seq in vd.sequences()]


@share_docs
@dataclasses.dataclass
class Variants(Result):
    """The distinct journeys (all, or the most frequent ones), with the totals of the whole log.

    Returned by :func:`variants`. ``show()`` renders how many variants there are and how many cases the listed
    ones cover, and the table (without the ``activities`` tuples).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per variant listed; the columns are listed in :func:`variants`.
    cases_total : int
        Cases in the log (all variants).
    variants_total : int
        Distinct variants in the log (before ``top`` and ``coverage``).
    {dropped_rows}

    {example_helpdesk}
    >>> v = cj.variants(log, top=3)
    >>> len(v.table), v.variants_total > 3, v.cases_total
    (3, True, 4580)
    """

    table: pd.DataFrame
    cases_total: int
    variants_total: int
    dropped_rows: dict = dataclasses.field(default_factory=dict)

    def parts(self) -> list:
        """The sentence on variants and coverage, and the variant table."""
        covered = float(self.table["cumulative_share"].iloc[-1]) if len(self.table) else 0.0
        listed = "Top variants" if len(self.table) < self.variants_total else "Variants"
        return [say("{n} distinct journeys; the top {k} cover {c:.1%} of the cases.", n=f"{self.variants_total:,}",
                    k=len(self.table), c=covered),
                show(self.table.drop(columns=["activities"]), caption=listed),
                *dropped_parts(self.dropped_rows)]


@share_docs
def variants(log: pd.DataFrame, *, top: int | None = None, coverage: float | None = None,
             case_key: str = CASE, activity_key: str = ACTIVITY, timestamp_key: str = TIMESTAMP) -> Variants:
    """The distinct journeys, most frequent first, with share, cumulative coverage and throughput time.

    Parameters
    ----------
    {log}
    top : int, optional
        Keep only the ``top`` most frequent variants.
    coverage : float, optional
        Keep the most frequent variants until they cover this share (0-1] of the cases (the variant that
        crosses the line is kept). With ``top`` as well, both limits apply.
    {log_keys}

    Returns
    -------
    Variants
        ``table``: one row per variant, sorted by ``cases`` (ties by the variant text):

        - ``rank``: 1 for the most frequent variant.
        - ``variant``: the touchpoints joined with ``" → "``.
        - ``activities``: the same as a tuple (as pm4py's variant keys).
        - ``length``: number of events.
        - ``cases``: cases that follow it; ``share``: of all cases; ``cumulative_share``: running sum of shares.
        - ``median_throughput_h``, ``mean_throughput_h``: time from first to last event, hours.

        ``cases_total`` and ``variants_total`` describe the unfiltered log; ``dropped_rows`` counts the log
        rows left out (see :class:`Variants`).

    {example_helpdesk}
    >>> bool(cj.variants(log, coverage=0.8).table["cumulative_share"].iloc[-1] >= 0.8)
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
    return Variants(out.copy(), int(ev.n_cases), len(_variant_table(ev)), dropped_rows=dict(ev.dropped))


def _variant_table(ev: Events) -> pd.DataFrame:
    if "variant_table" in ev._cache:
        return ev._cache["variant_table"]
    rows = _variant_rows(ev)
    vd = ev.variant_data()
    names = ev.activities[vd.flat]  # every variant's touchpoints, one after the other
    texts = pa.array(names if all(isinstance(n, str) for n in ev.activities) else [str(n) for n in names],
                     type=pa.string())
    offsets = pa.array(vd.offsets, type=pa.int64())
    label_array = pc.binary_join(pa.LargeListArray.from_arrays(offsets, texts), SEPARATOR).cast(pa.string())
    cases = rows["cases"].to_numpy(dtype=np.int64)
    # most cases first, ties by the variant text (Arrow compares UTF-8 bytes: the order of Python's str)
    order = pc.sort_indices(pa.table({"cases": cases, "variant": label_array}),
                            sort_keys=[("cases", "descending"), ("variant", "ascending")]).to_numpy()
    flat_names, bounds = names.tolist(), vd.offsets.tolist()
    out = pd.DataFrame({
        "variant": label_array.take(pa.array(order)).to_pandas(),
        "activities": [tuple(flat_names[bounds[i]:bounds[i + 1]]) for i in order],  # a loop over variants
        "length": np.diff(vd.offsets)[order].astype(np.int64),
        "cases": cases[order],
        "median_throughput_h": rows["median_throughput_h"].to_numpy(dtype=np.float64)[order],
        "mean_throughput_h": rows["mean_throughput_h"].to_numpy(dtype=np.float64)[order],
    })
    out["variant_var"] = rows["var"].to_numpy()[order]
    out["share"] = out["cases"] / ev.n_cases
    out["cumulative_share"] = out["share"].cumsum()
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    cols = ["rank", "variant", "activities", "length", "cases", "share", "cumulative_share",
            "median_throughput_h", "mean_throughput_h"]
    ev._cache["variant_rank"] = pd.Series(out["rank"].to_numpy(), index=out["variant_var"].to_numpy())
    out = out[cols]
    ev._cache["variant_table"] = out
    return out


@share_docs
def case_variants(log: pd.DataFrame, *, case_key: str = CASE, activity_key: str = ACTIVITY,
                  timestamp_key: str = TIMESTAMP) -> pd.DataFrame:
    """Which variant each case follows.

    A variant is the ordered sequence of a case's touchpoints; cases with the same sequence share one. Join this
    table to feedback or scores by ``case`` to see how customers on each path judge it.

    {log_parameters}

    Returns
    -------
    pandas.DataFrame
        One row per case: ``case`` (the case id), ``variant_rank`` (the ``rank`` in :func:`variants`' table),
        ``events``, ``throughput_h``.

    {example_helpdesk}
    >>> int((cj.case_variants(log)["variant_rank"] == 1).sum()) == int(cj.variants(log, top=1).table["cases"].iloc[0])
    True
    """
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    _variant_table(ev)
    cases = ev.cases()
    out = pd.DataFrame({
        "case": ev.case_ids,
        "variant_rank": ev._cache["variant_rank"].reindex(_case_var(ev)).to_numpy(),
        "events": cases["events"].to_numpy(),
        "throughput_h": cases["throughput_h"].to_numpy(),
    })
    return out
