"""Trends per period with intervals, and significance tests for the change between periods."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .._docstrings import share_docs
from .._errors import CxInputError
from ..io import parse_timestamps
from ._measures import KINDS, score_table
from ._validate import _as_by, _is_ibis, _require_column

__all__ = ["period_change", "trend"]

_FREQ = {"D": "D", "day": "D", "W": "W-SUN", "week": "W-SUN", "M": "M", "month": "M",
         "Q": "Q", "quarter": "Q"}


def _dates(df, date, date_format):
    raw = df[date]
    if pd.api.types.is_datetime64_any_dtype(raw):
        parsed = raw
    else:
        empty = raw.isna() | raw.map(lambda v: isinstance(v, str) and v.strip() == "")
        if date_format is None:  # the project's one rule: recognised per value, day/month order by evidence
            parsed = parse_timestamps(raw, column=str(date), what="date")
            bad = parsed.reasons.notna() & ~empty
            if bad.any():
                examples = ", ".join(repr(v) for v in raw[bad].head(3))
                raise CxInputError(f"{int(bad.sum()):,} dates cannot be read (e.g. {examples}); pass date_format= "
                                   "(e.g. '%d/%m/%Y %H:%M')", column=date)
            return parsed.values.dt.tz_localize(None)
        try:
            try:
                parsed = pd.to_datetime(raw.where(~empty), format=date_format, errors="coerce")
            except ValueError as err:
                if "timezone" not in str(err).lower():
                    raise
                # mixed UTC offsets: one common clock (UTC) is the only consistent way to bin them
                parsed = pd.to_datetime(raw.where(~empty), format=date_format, errors="coerce", utc=True)
        except (ValueError, TypeError) as err:
            raise CxInputError(f"dates could not be read with format {date_format!r}: {err}",
                               column=date) from None
        bad = parsed.isna() & ~empty
        if bad.any():
            examples = ", ".join(repr(v) for v in raw[bad].head(3))
            raise CxInputError(f"{int(bad.sum()):,} dates do not match the format {date_format!r} "
                               f"(e.g. {examples}); pass date_format= (e.g. '%d/%m/%Y %H:%M')", column=date)
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)  # keep local wall-clock time: a day is the customer's day
    return parsed


@share_docs
def trend(df: pd.DataFrame, *, kind: str = "nps", score: str = "score", date: str = "date", period: str = "M",
          by=None, date_format: str | None = None, name: str | None = None, level: float = 0.95,
          **options) -> pd.DataFrame:
    """A measure per period (day, week, month, quarter) and group, with intervals.

    Parameters
    ----------
    {df_responses}
    kind : {"nps", "csat", "ces", "sentiment"}, default "nps"
        Which measure to compute per period (see :func:`score_table`).
    {score_or_label}
    date : str, default "date"
        Column with the response date (datetime, or text read with ``date_format``).
    period : {"D", "W", "M", "Q"}, default "M"
        Period length; weeks run Monday to Sunday. Dates with one UTC offset are binned by their local time;
        dates with mixed offsets are converted to UTC first.
    {by}
    date_format : str, optional
        ``strftime`` format of text dates, e.g. ``"%d/%m/%Y %H:%M"``. Dates that do not match raise a
        :class:`cxlib.CxInputError`; empty dates form the period ``"no date"`` so they stay counted.
    name : str, optional
        Value of the ``measure`` column (e.g. to match a targets file).
    {level}
    **options
        Passed to the measure function (``scale=``, ``stat=``, ``higher_is_better=`` ...).

    Returns
    -------
    pandas.DataFrame
        The measure table of :func:`nps` / :func:`csat` / :func:`ces` / :func:`sentiment_index` with two
        leading columns ``period`` (label: ``"2018-01"``, ``"2018Q1"``, or the first day for days and
        weeks; ``"no date"`` for rows without a date) and ``period_start`` (Timestamp, NaT for no date),
        then the ``by`` columns and the measure columns, sorted by period.

    {example_tweets}
    >>> from cxlib.scores import trend
    >>> daily = trend(tweets, kind="sentiment", score="airline_sentiment", date="tweet_created",
    ...               date_format="%Y-%m-%d %H:%M:%S %z", period="D", by="airline")
    >>> daily["period"].min()
    '2015-02-16'
    """
    if kind not in KINDS:
        raise CxInputError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if period not in _FREQ:
        raise CxInputError(f"period must be one of D, W, M, Q, got {period!r}")
    _require_column(df, date, "the response date")
    by = _as_by(by)
    if _is_ibis(df):  # periods computed where the responses live (weeks start on Monday, as below)
        when = df[date]
        if not (when.type().is_timestamp() or when.type().is_date()):
            raise CxInputError(f"column {date!r} has type {when.type()}: on an Ibis table the date must be a "
                               "date or timestamp", column=date)
        unit = {"D": "D", "W": "W", "M": "M", "Q": "Q"}[_FREQ[period][0]]
        work = df.mutate(period_start=when.cast("timestamp").truncate(unit))
    else:
        when = _dates(df, date, date_format)
        periods = when.dt.to_period(_FREQ[period])
        work = df.copy()
        work["period_start"] = periods.dt.start_time
    table = score_table(work, kind=kind, score=score, by=["period_start", *by], name=name, level=level,
                        **options)
    start = pd.to_datetime(table["period_start"])
    if getattr(start.dt, "tz", None) is not None:
        start = start.dt.tz_localize(None)
    table["period_start"] = start
    if period in ("D", "day", "W", "week"):
        label = start.dt.strftime("%Y-%m-%d")
    elif period in ("M", "month"):
        label = start.dt.strftime("%Y-%m")
    else:
        label = start.dt.year.astype("Int64").astype(str) + "Q" + start.dt.quarter.astype("Int64").astype(str)
    table.insert(0, "period", label.where(start.notna(), "no date").astype(str))
    return table.sort_values(["period_start", *by], na_position="last").reset_index(drop=True)


@share_docs
def period_change(table: pd.DataFrame, *, by=None, current=None, previous=None,
                  level: float = 0.95, adjusted: bool = True) -> pd.DataFrame:
    """Test whether a measure changed between two periods, per group.

    - NPS and sentiment index: z-test on the difference, z = (v2 - v1) / sqrt(se1^2 + se2^2), where
      se^2 = [p + d - (p - d)^2] / n is the trinomial variance computed, as for the interval, with the
      adjusted-Wald shares (3/4 added to promoters and detractors, 3 to n), so that a small period in which
      everybody gave the same answer does not claim zero variance (``adjusted=False``: the plain
      trinomial standard errors of the two periods). Periods are independent samples.
    - Top-2-box: two-proportion z-test with the pooled share,
      z = (p2 - p1) / sqrt(p (1 - p) (1/n1 + 1/n2)).
    - Means: z-test on the difference of means with the two standard errors (large-sample Welch).

    Two-sided p-values. By default every period is compared with the one before it.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`trend` (needs ``period``, ``period_start``, ``measure``, ``n``, ``value``, ``se``;
        ``top2`` for top-2-box).
    by : str or list of str, optional
        Group columns of the trend (e.g. the touchpoint).
    current, previous : str, optional
        Compare only these two period labels (e.g. ``current="2018-02"``, ``previous="2018-01"``).
    level : float, default 0.95
        Confidence level; a change is ``significant`` when its p-value is below ``1 - level``.
    adjusted : bool, default True
        Net scores only: use the adjusted-Wald variances (see above) rather than the plain ones.

    Returns
    -------
    pandas.DataFrame
        One row per group and pair of periods with columns: the ``by`` columns, ``measure``,
        ``from_period``, ``to_period``, ``n_from``, ``n_to``, ``value_from``, ``value_to``, ``change``
        (to - from), ``se_change``, ``z``, ``p_value``, ``test`` (name of the test) and ``significant``
        (p_value < 1 - level).

    {example_tweets}
    >>> from cxlib.scores import period_change, trend
    >>> daily = trend(tweets, kind="sentiment", score="airline_sentiment", date="tweet_created",
    ...               date_format="%Y-%m-%d %H:%M:%S %z", period="D")
    >>> period_change(daily, current="2015-02-24", previous="2015-02-23")["test"].item()
    'z-test on the difference of net scores'
    """
    by = _as_by(by)
    for col in ("period", "period_start", "measure", "n", "value", "se"):
        _require_column(table, col, "a trend-table column (from trend)")
    rows = []
    data = table[table["period_start"].notna() & (table["n"] > 0)].sort_values("period_start")
    groups = data.groupby(by, dropna=False, sort=True) if by else [((), data)]
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        for m, sub in part.groupby("measure", sort=False):
            sub = sub.reset_index(drop=True)
            if previous is not None or current is not None:
                a = sub[sub["period"] == str(previous)]
                b = sub[sub["period"] == str(current)]
                pairs = [(a.iloc[0], b.iloc[0])] if len(a) and len(b) else []
            else:
                pairs = [(sub.iloc[i - 1], sub.iloc[i]) for i in range(1, len(sub))]
            for r1, r2 in pairs:
                rows.append({**dict(zip(by, key)), "measure": m, **_test(r1, r2, adjusted)})
    cols = [*by, "measure", "from_period", "to_period", "n_from", "n_to", "value_from", "value_to", "change",
            "se_change", "z", "p_value", "test"]
    out = pd.DataFrame(rows, columns=cols)
    out["significant"] = out["p_value"] < 1 - level
    return out


def _test(r1, r2, adjusted: bool) -> dict:
    change = float(r2["value"] - r1["value"])
    if pd.notna(r1.get("top2")):
        k1, k2, n1, n2 = float(r1["top2"]), float(r2["top2"]), float(r1["n"]), float(r2["n"])
        pooled = (k1 + k2) / (n1 + n2)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2)) * 100
        test = "two-proportion z-test (pooled)"
    elif adjusted and (pd.notna(r1.get("promoters")) or pd.notna(r1.get("positive"))):
        pos, neg = ("promoters", "detractors") if pd.notna(r1.get("promoters")) else ("positive", "negative")
        se = float(np.sqrt(_net_var_adjusted(r1, pos, neg) + _net_var_adjusted(r2, pos, neg))) * 100
        test = "z-test on the difference of net scores"
    else:
        se = float(np.sqrt(r1["se"] ** 2 + r2["se"] ** 2))
        net = pd.notna(r1.get("promoters")) or pd.notna(r1.get("positive"))
        test = "z-test on the difference of net scores" if net else "z-test on the difference of means"
    z = change / se if se > 0 else np.nan
    p = float(2 * stats.norm.sf(abs(z))) if np.isfinite(z) else np.nan
    return {"from_period": r1["period"], "to_period": r2["period"], "n_from": int(r1["n"]), "n_to": int(r2["n"]),
            "value_from": float(r1["value"]), "value_to": float(r2["value"]), "change": change,
            "se_change": float(se), "z": z, "p_value": p, "test": test}


def _net_var_adjusted(row, pos, neg) -> float:
    """Trinomial variance of a net share with the adjusted-Wald shares (3/4 added to each side, 3 to n)."""
    n = float(row["n"]) + 3
    p, d = (float(row[pos]) + 0.75) / n, (float(row[neg]) + 0.75) / n
    return (p + d - (p - d) ** 2) / n
