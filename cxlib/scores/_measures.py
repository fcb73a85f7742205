"""Measures from raw responses: NPS, CSAT (top-2-box and mean), CES and the sentiment index, with intervals."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
from scipy import stats

from .._docstrings import share_docs
from .._errors import CxInputError
from ._validate import VALID, _as_by, _check_scale, _is_ibis, _require_column, classify_scores

__all__ = ["KINDS", "ces", "csat", "nps", "nps_interval", "proportion_interval", "score_table", "sentiment_index"]


def _z(level: float) -> float:
    if not 0 < level < 1:
        raise CxInputError(f"level must be between 0 and 1 (e.g. 0.95), got {level!r}")
    return float(stats.norm.ppf(0.5 + level / 2))


@share_docs
def nps_interval(promoters, detractors, n, *, level: float = 0.95):
    """Adjusted-Wald interval for a net score (NPS or sentiment index), on the -100..100 scale.

    Adds 3/4 to the promoters, 3/4 to the detractors and 3 to ``n`` (Rocks 2016, *The American
    Statistician* 70:365-372), then uses the trinomial standard error of the adjusted shares.
    Works element-wise on arrays.

    Parameters
    ----------
    promoters, detractors, n : int or array-like
        Counts of promoters (positive), detractors (negative) and all valid responses.
    {level}

    Returns
    -------
    tuple of numpy.ndarray
        ``(low, high)``, clipped to [-100, 100]; NaN where ``n`` is 0.

    Examples
    --------
    >>> from cxlib.scores import nps_interval
    >>> [round(float(x), 1) for x in nps_interval(5, 2, 10)]
    [-19.1, 65.2]
    """
    z = _z(level)
    p_, d_, n_ = (np.asarray(x, dtype=float) for x in (promoters, detractors, n))
    n_adj = n_ + 3.0
    p_adj = (p_ + 0.75) / n_adj
    d_adj = (d_ + 0.75) / n_adj
    centre = p_adj - d_adj
    se = np.sqrt((p_adj + d_adj - centre**2) / n_adj)
    low = np.clip(centre - z * se, -1, 1) * 100
    high = np.clip(centre + z * se, -1, 1) * 100
    empty = n_ == 0
    return np.where(empty, np.nan, low), np.where(empty, np.nan, high)


@share_docs
def proportion_interval(k, n, *, level: float = 0.95):
    """Adjusted-Wald (Agresti-Coull) interval for a share, in percent.

    Adds z^2/2 successes and z^2 trials, then uses the Wald formula; good coverage for small ``n``.

    Parameters
    ----------
    k, n : int or array-like
        Successes and trials.
    {level}

    Returns
    -------
    tuple of numpy.ndarray
        ``(low, high)`` in percent, clipped to [0, 100]; NaN where ``n`` is 0.

    Examples
    --------
    >>> from cxlib.scores import proportion_interval
    >>> [round(float(x), 1) for x in proportion_interval(8, 10)]
    [47.9, 95.4]
    """
    z = _z(level)
    k_, n_ = (np.asarray(x, dtype=float) for x in (k, n))
    n_adj = n_ + z**2
    p_adj = (k_ + z**2 / 2) / n_adj
    half = z * np.sqrt(p_adj * (1 - p_adj) / n_adj)
    low = np.clip(p_adj - half, 0, 1) * 100
    high = np.clip(p_adj + half, 0, 1) * 100
    empty = n_ == 0
    return np.where(empty, np.nan, low), np.where(empty, np.nan, high)


def _assign(work, **columns):
    """New columns on the per-response work table: a pandas DataFrame, or an Ibis table (an expression)."""
    return work.mutate(**columns) if _is_ibis(work) else work.assign(**columns)


def _fill0(v):
    return v.fill_null(0.0) if _is_ibis(v) else v.fillna(0.0)


def _prepare_ibis(df, column, by, scale, integer):
    """The score rule on an Ibis table (a numeric score column): valid when on the scale (and whole on an
    integer scale), missing when null, invalid otherwise; the same counts as :func:`classify_scores` gives."""
    low, high = _check_scale(scale)
    raw = df[column]
    if not raw.type().is_numeric():
        raise CxInputError(f"column {column!r} has type {raw.type()}: on an Ibis table the score must be numeric "
                           "(text scores: read them with read_responses, or cast them first)", column=column)
    x = raw.cast("float64")
    valid = raw.notnull() & x.between(low, high) & ((x == x.floor()) if integer else True)
    valid = valid.fill_null(False)
    missing = raw.isnull()
    return df.select(*by, _value=ibis.ifelse(valid, x, ibis.null("float64")), _valid=valid, _missing=missing,
                     _invalid=~valid & ~missing)


def _prepare(df, column, what, by, scale, integer):
    _require_column(df, column, what)
    by = _as_by(by)
    for col in by:
        _require_column(df, col, "a grouping column")
    if _is_ibis(df):
        return _prepare_ibis(df, column, by, scale, integer), by
    value, status = classify_scores(df[column], scale, integer=integer)
    work = df[by].copy() if by else pd.DataFrame(index=df.index)
    work["_value"] = value
    work["_valid"] = status == VALID
    work["_missing"] = status == "no score"
    work["_invalid"] = ~work["_valid"] & ~work["_missing"]
    return work, by


def _aggregate(work: pd.DataFrame, by: list, sums: dict) -> pd.DataFrame:
    """Sum indicator columns per group; groups with missing keys are kept (never dropped silently)."""
    cols = {"n": "_valid", "n_missing": "_missing", "n_invalid": "_invalid", **sums}
    if _is_ibis(work):  # the counts are computed where the responses live; only one row per group comes back
        agg = {name: work[src].cast("int64" if work[src].type().is_boolean() else "float64").sum()
               for name, src in cols.items()}
        out = (work.group_by(by).aggregate(**agg) if by else work.aggregate(**agg)).to_pyarrow().to_pandas()
        for name in cols:
            out[name] = out[name].fillna(0)
        if by:
            out = out.sort_values(by, na_position="last", kind="stable").reset_index(drop=True)
        return out[[*by, *cols]]
    frame = pd.DataFrame({name: work[src].astype(float) for name, src in cols.items()}, index=work.index)
    if by:
        frame[by] = work[by]
        out = frame.groupby(by, dropna=False, sort=True, observed=True)[list(cols)].sum().reset_index()
    else:
        out = frame[list(cols)].sum().to_frame().T
    for name, src in cols.items():
        if work[src].dtype == bool:
            out[name] = out[name].astype(int)
    return out


def _net_score(work, by, level, labels, measure, value_min=-100, value_max=100):
    pos, neu, neg = labels
    table = _aggregate(work, by, {pos: "_pos", neu: "_neu", neg: "_neg"})
    n = table["n"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = table[pos] / n
        d = table[neg] / n
        table["value"] = (p - d) * 100
        table["se"] = np.sqrt((p + d - (p - d) ** 2) / n) * 100
    table["ci_low"], table["ci_high"] = nps_interval(table[pos], table[neg], n, level=level)
    for name in labels:
        with np.errstate(invalid="ignore", divide="ignore"):
            table[f"pct_{name}"] = table[name] / n * 100
    table.insert(len(by), "measure", measure)
    table["value_min"], table["value_max"], table["higher_is_better"] = value_min, value_max, True
    return table


@share_docs
def nps(df: pd.DataFrame, *, score: str = "score", by=None, level: float = 0.95) -> pd.DataFrame:
    """Net Promoter Score per group, with its trinomial standard error and an adjusted-Wald interval.

    Promoters score 9-10, passives 7-8, detractors 0-6 on the 0-10 likelihood-to-recommend scale;
    NPS = %promoters - %detractors. The standard error is sqrt([p + d - (p - d)^2] / n) x 100 with the
    observed shares p and d. The interval is the adjusted Wald of :func:`nps_interval` (3/4 added to
    promoters and detractors, 3 to n), which keeps its coverage for small groups; it is therefore not
    exactly centred on the point estimate. Responses that are missing or invalid (not numeric, not a
    whole number, outside 0-10) are not used and are counted in ``n_missing`` / ``n_invalid``; list them
    with :func:`check_scores`.

    Parameters
    ----------
    {df_responses}
    score : str, default "score"
        Column with the 0-10 score.
    {by}
    {level}

    Returns
    -------
    pandas.DataFrame
        One row per group (one row overall when ``by`` is None) with columns:

        - the ``by`` columns;
        - ``measure``: ``"nps"``;
        - ``n``: valid responses; ``n_missing``: rows without a score; ``n_invalid``: rows with an invalid score;
        - ``promoters``, ``passives``, ``detractors``: counts;
        - ``value``: the NPS (-100..100); ``se``: its standard error in NPS points;
        - ``ci_low``, ``ci_high``: the adjusted-Wald interval;
        - ``pct_promoters``, ``pct_passives``, ``pct_detractors``: shares in percent;
        - ``value_min``, ``value_max``: the range of ``value`` (-100, 100), used by :func:`harmonize`;
        - ``higher_is_better``: True.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.scores import nps
    >>> nps(pd.DataFrame({"score": [10, 9, 9, 8, 7, 6, 0]}))[["n", "value"]].round(1).values.tolist()
    [[7.0, 14.3]]
    """
    work, by = _prepare(df, score, "the 0-10 score", by, (0, 10), True)
    v = work["_value"]
    work = _assign(work, _pos=v >= 9, _neu=v.between(7, 8), _neg=v <= 6)
    return _net_score(work, by, level, ("promoters", "passives", "detractors"), "nps")


def _scale_measure(df, score, scale, by, level, stat, higher_is_better, measure, integer):
    low, high = _check_scale(scale)
    if stat not in ("top2box", "mean"):
        raise CxInputError(f"stat must be 'top2box' or 'mean', got {stat!r}")
    if stat == "top2box" and not integer:
        raise CxInputError("top-2-box needs an integer scale (the two best scale points)")
    work, by = _prepare(df, score, f"the {low:g}-{high:g} score", by, (low, high), integer)
    v = work["_value"]
    if stat == "top2box":
        best = (v >= high - 1) if higher_is_better else (v <= low + 1)
        work = _assign(work, _top2=best)
        table = _aggregate(work, by, {"top2": "_top2"})
        n = table["n"].to_numpy(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            p = table["top2"] / n
            table["value"] = p * 100
            table["se"] = np.sqrt(p * (1 - p) / n) * 100
        table["ci_low"], table["ci_high"] = proportion_interval(table["top2"], n, level=level)
        value_min, value_max, hib = 0.0, 100.0, True
    else:
        work = _assign(work, _sum=_fill0(v), _sq=_fill0(v) ** 2)
        table = _aggregate(work, by, {"_sum": "_sum", "_sq": "_sq"})
        n = table["n"].to_numpy(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = table["_sum"].to_numpy(float) / n
            var = (table["_sq"].to_numpy(float) - n * mean**2) / (n - 1)
            sd = np.sqrt(np.clip(var, 0, None))
            se = sd / np.sqrt(n)
            t = np.where(n > 1, stats.t.ppf(0.5 + level / 2, np.clip(n - 1, 1, None)), np.nan)
        table = table.drop(columns=["_sum", "_sq"])
        table["value"], table["se"], table["sd"] = mean, se, sd
        # a t interval can leave the scale for small n; the mean cannot
        table["ci_low"], table["ci_high"] = np.clip(mean - t * se, low, high), np.clip(mean + t * se, low, high)
        value_min, value_max, hib = low, high, higher_is_better
    table.insert(len(by), "measure", measure)
    table["scale"] = f"{low:g}-{high:g}"
    table["value_min"], table["value_max"], table["higher_is_better"] = value_min, value_max, hib
    return table


@share_docs
def csat(df: pd.DataFrame, *, score: str = "score", scale=(1, 5), stat: str = "top2box", by=None,
         higher_is_better: bool = True, level: float = 0.95, measure: str | None = None) -> pd.DataFrame:
    """Customer satisfaction on any integer scale, as top-2-box share or as mean, with an interval.

    Top-2-box is the share of responses on the two best scale points (4-5 on 1-5, 6-7 on 1-7, 9-10 on
    1-10, 4-5 stars); its interval is the adjusted Wald (Agresti-Coull) of :func:`proportion_interval`
    and its standard error the plain sqrt(p(1-p)/n). The mean gets a t interval. Invalid and missing
    scores are counted, not used (see :func:`check_scores`).

    Parameters
    ----------
    {df_responses}
    {score}
    scale : tuple of two numbers, default (1, 5)
        Lowest and highest scale point.
    stat : {"top2box", "mean"}, default "top2box"
        Which summary to compute.
    {by}
    higher_is_better : bool, default True
        If False, the two *lowest* points are the best box and a lower mean is better.
    {level}
    measure : str, optional
        Name in the ``measure`` column; default ``"csat_top2box"`` or ``"csat_mean"``.

    Returns
    -------
    pandas.DataFrame
        One row per group with the ``by`` columns, ``measure``, ``n``, ``n_missing``, ``n_invalid``,
        ``value`` (top-2-box in percent, or the mean on the scale), ``se``, ``ci_low``, ``ci_high``,
        then ``top2`` (count in the best box; top2box only) or ``sd`` (standard deviation; mean only),
        ``scale`` (e.g. ``"1-5"``), ``value_min``, ``value_max`` (range of ``value``: 0-100 for top-2-box,
        the scale for the mean) and ``higher_is_better``.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.scores import csat
    >>> csat(pd.DataFrame({"score": [5, 4, 3, 2, 5]}))["value"].tolist()
    [60.0]
    """
    name = measure or f"csat_{stat}"
    return _scale_measure(df, score, scale, by, level, stat, higher_is_better, name, True)


@share_docs
def ces(df: pd.DataFrame, *, score: str = "score", scale=(1, 7), stat: str = "mean", by=None,
        higher_is_better: bool = True, level: float = 0.95, measure: str | None = None) -> pd.DataFrame:
    """Customer Effort Score: mean (default) or top-2-box on its scale, with an interval.

    CES 2.0 asks for agreement with "the company made it easy for me" on 1-7, so higher is better;
    older effort questions ("how much effort...", 1-5) have ``higher_is_better=False``. Same
    computation and output columns as :func:`csat`.

    Parameters
    ----------
    {df_responses}
    {score}
    scale : tuple of two numbers, default (1, 7)
        Lowest and highest scale point: 1-7 for CES 2.0, often 1-5 for older effort questions.
    stat : {"mean", "top2box"}, default "mean"
        Which summary to compute: the mean (usual for effort) or the top-2-box share as in :func:`csat`.
    {by}
    higher_is_better : bool, default True
        Direction of the question.
    {level}
    measure : str, optional
        Name in the ``measure`` column; default ``"ces_mean"`` or ``"ces_top2box"``.

    Returns
    -------
    pandas.DataFrame
        As :func:`csat`.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.scores import ces
    >>> ces(pd.DataFrame({"score": [7, 6, 5, 6]}))["value"].tolist()
    [6.0]
    """
    name = measure or f"ces_{stat}"
    return _scale_measure(df, score, scale, by, level, stat, higher_is_better, name, True)


@share_docs
def sentiment_index(df: pd.DataFrame, *, sentiment: str = "sentiment", by=None, positive="positive",
                    neutral="neutral", negative="negative", level: float = 0.95) -> pd.DataFrame:
    """Sentiment index (positive - negative) / n x 100 of classified open feedback, with an interval.

    The index is a net score like the NPS (positive plays promoter, negative detractor), so it gets the
    same trinomial standard error and adjusted-Wald interval. Labels other than the three given are
    counted in ``n_invalid``; empty labels in ``n_missing``.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per piece of feedback.
    sentiment : str, default "sentiment"
        Column with the class label.
    {by}
    positive, neutral, negative : str, defaults "positive", "neutral", "negative"
        The labels used in ``sentiment``.
    {level}

    Returns
    -------
    pandas.DataFrame
        One row per group with the ``by`` columns, ``measure`` (``"sentiment_index"``), ``n``,
        ``n_missing``, ``n_invalid``, ``positive``, ``neutral``, ``negative`` (counts), ``value``
        (-100..100), ``se``, ``ci_low``, ``ci_high``, ``pct_positive``, ``pct_neutral``, ``pct_negative``,
        ``value_min`` (-100), ``value_max`` (100) and ``higher_is_better`` (True).

    {example_tweets}
    >>> from cxlib.scores import sentiment_index
    >>> si = sentiment_index(tweets, sentiment="airline_sentiment", by="airline")
    >>> si.loc[si["airline"] == "United", "n"].item()
    3822
    """
    _require_column(df, sentiment, "the sentiment label")
    by = _as_by(by)
    for col in by:
        _require_column(df, col, "a grouping column")
    labels = df[sentiment]
    if _is_ibis(df):
        missing = (labels.isnull() | (labels.cast("string").strip() == "")).fill_null(True)
        pos, neu, neg = (labels == positive).fill_null(False), (labels == neutral).fill_null(False), \
            (labels == negative).fill_null(False)
        work = df.select(*by, _pos=pos, _neu=neu, _neg=neg, _valid=pos | neu | neg, _missing=missing,
                         _invalid=~(pos | neu | neg) & ~missing)
        return _net_score(work, by, level, ("positive", "neutral", "negative"), "sentiment_index")
    missing = labels.isna() | labels.map(lambda v: isinstance(v, str) and v.strip() == "")
    work = df[by].copy() if by else pd.DataFrame(index=df.index)
    work["_pos"], work["_neu"], work["_neg"] = labels == positive, labels == neutral, labels == negative
    work["_valid"] = work["_pos"] | work["_neu"] | work["_neg"]
    work["_missing"] = missing
    work["_invalid"] = ~work["_valid"] & ~missing
    return _net_score(work, by, level, ("positive", "neutral", "negative"), "sentiment_index")


#: The measure kinds :func:`score_table`, :func:`trend` and the measure config know.
KINDS = ("nps", "csat", "ces", "sentiment")


@share_docs
def score_table(df: pd.DataFrame, *, kind: str = "nps", score: str = "score", by=None, name: str | None = None,
                level: float = 0.95, **options) -> pd.DataFrame:
    """Any measure by its kind: one entry point for notebooks and parameter files.

    Parameters
    ----------
    {df_responses}
    kind : {"nps", "csat", "ces", "sentiment"}, default "nps"
        Which measure: :func:`nps`, :func:`csat`, :func:`ces` or :func:`sentiment_index`.
    {score_or_label}
    {by}
    name : str, optional
        Value of the ``measure`` column (e.g. to match a targets file); default the function's own.
    {level}
    **options
        Passed on: ``scale``, ``stat``, ``higher_is_better`` (csat, ces); ``positive``, ``neutral``,
        ``negative`` (sentiment).

    Returns
    -------
    pandas.DataFrame
        The table of the chosen measure function (see there for its columns).

    {example_tweets}
    >>> from cxlib.scores import score_table
    >>> score_table(tweets, kind="sentiment", score="airline_sentiment")["n"].item()
    14640
    """
    functions = {"nps": nps, "csat": csat, "ces": ces, "sentiment": sentiment_index}
    if kind not in functions:
        raise CxInputError(f"kind must be one of {', '.join(functions)}, got {kind!r}")
    options["sentiment" if kind == "sentiment" else "score"] = score
    if "scale" in options:
        options["scale"] = tuple(options["scale"])
    try:
        out = functions[kind](df, by=by, level=level, **options)
    except TypeError as err:
        raise CxInputError(f"option not understood for kind {kind!r}: {err}") from None
    if name is not None:
        out["measure"] = name
    return out
