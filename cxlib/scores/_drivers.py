"""Drivers: how much each topic moves the NPS, with a bootstrap interval."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._docstrings import share_docs
from .._errors import CxInputError
from ..display import is_noise
from ._validate import VALID, _as_by, _require_column, classify_scores

__all__ = ["topic_impact", "topics_pulling_down"]


@share_docs
def topic_impact(df: pd.DataFrame, *, score: str = "score", topic: str = "topic", by=None, kind: str = "nps",
                 labels=("positive", "neutral", "negative"), n_boot: int = 1000, seed: int = 0,
                 level: float = 0.95) -> pd.DataFrame:
    """Impact of each topic on the NPS: NPS(all) - NPS(without the topic's responses), with a bootstrap interval.

    With ``kind="sentiment"`` the same is computed for the sentiment index (positive plays promoter,
    negative detractor).

    A negative impact means the topic pulls the score down: removing its responses would raise the NPS.
    The impact depends on how often a topic occurs as well as on how its customers score. The interval is a
    seeded percentile bootstrap: the responses of a group are resampled with replacement and the impact is
    recomputed for every topic. Responses without a valid score are left out and counted
    (``n_no_score``); responses without a topic count in NPS(all) but in no topic. The topic column can
    come from any topic model (e.g. ``cxlib.feedback``) or from manual coding.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per response, with a 0-10 score and one topic label per row.
    score : str, default "score"
        Column with the 0-10 score (the sentiment label for ``kind="sentiment"``).
    topic : str, default "topic"
        Column with the topic label (missing = no topic).
    by : str or list of str, optional
        Groups (e.g. touchpoint) in which the impact is computed separately.
    kind : {"nps", "sentiment"}, default "nps"
        The net score whose drivers are computed.
    labels : tuple of str, default ("positive", "neutral", "negative")
        The sentiment labels (``kind="sentiment"`` only); other labels count as no valid score.
    n_boot : int, default 1000
        Bootstrap resamples.
    {bootstrap_seed}
    {level}

    Returns
    -------
    pandas.DataFrame
        One row per group and topic, sorted by impact (most negative first within each group), columns:
        the ``by`` columns, ``topic``, ``n_topic`` (valid responses with the topic), ``share`` (percent of the
        group's valid responses), ``value_topic`` (NPS of the topic's responses), ``value_all`` (NPS of the
        group), ``value_without`` (NPS without the topic's responses), ``impact`` (value_all - value_without,
        NPS points), ``ci_low``, ``ci_high`` (bootstrap interval of the impact), ``n`` (valid responses in the
        group) and ``n_no_score`` (group rows without a valid score).

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.scores import topic_impact
    >>> demo = pd.DataFrame({"score": [0, 0, 10, 10, 9, 8], "topic": ["bill", "bill", "speed", None, "speed", None]})
    >>> first = topic_impact(demo, n_boot=100).iloc[0]
    >>> first["topic"], round(float(first["impact"]), 1)
    ('bill', -58.3)
    """
    _require_column(df, score, "the 0-10 score")
    _require_column(df, topic, "the topic")
    by = _as_by(by)
    for col in by:
        _require_column(df, col, "a grouping column")
    if kind == "nps":
        value, status = classify_scores(df[score], (0, 10), integer=True)
        valid = (status == VALID).to_numpy()
        contrib = np.where(value >= 9, 1.0, np.where(value <= 6, -1.0, 0.0))
    elif kind == "sentiment":
        pos, neu, neg = labels
        mapped = df[score].map({pos: 1.0, neu: 0.0, neg: -1.0})
        valid = mapped.notna().to_numpy()
        contrib = mapped.fillna(0.0).to_numpy()
    else:
        raise CxInputError(f"kind must be 'nps' or 'sentiment', got {kind!r}")
    work = df[by].copy() if by else pd.DataFrame(index=df.index)
    work["_valid"] = valid
    work["_c"] = contrib
    work["_topic"] = df[topic].to_numpy()
    rng = np.random.default_rng(seed)
    alpha = (1 - level) / 2
    parts = []
    groups = work.groupby(by, dropna=False, sort=True) if by else [((), work)]
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        valid = part[part["_valid"]]
        n_no_score = int((~part["_valid"]).sum())
        n = len(valid)
        if n == 0:
            continue
        codes, labels = pd.factorize(valid["_topic"], use_na_sentinel=True)
        n_topics = len(labels)
        codes = np.where(codes < 0, n_topics, codes)  # last slot: no topic
        c = valid["_c"].to_numpy()
        total = c.sum()
        sums = np.bincount(codes, weights=c, minlength=n_topics + 1)[:n_topics]
        counts = np.bincount(codes, minlength=n_topics + 1)[:n_topics].astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            value_all = total / n * 100
            value_without = (total - sums) / (n - counts) * 100
            value_topic = sums / counts * 100
        # bootstrap: resample rows, recompute all topics at once with offset bincounts
        idx = rng.integers(0, n, size=(n_boot, n))
        width = n_topics + 1
        flat = (np.arange(n_boot)[:, None] * width + codes[idx]).ravel()
        b_sums = np.bincount(flat, weights=c[idx].ravel(), minlength=n_boot * width).reshape(n_boot, width)
        b_counts = np.bincount(flat, minlength=n_boot * width).reshape(n_boot, width)
        b_total = b_sums.sum(1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            b_impact = b_total / n * 100 - (b_total - b_sums) / (n - b_counts) * 100
        b_impact = b_impact[:, :n_topics]
        with np.errstate(invalid="ignore"):
            low = np.nanquantile(b_impact, alpha, axis=0) if n_boot else np.full(n_topics, np.nan)
            high = np.nanquantile(b_impact, 1 - alpha, axis=0) if n_boot else np.full(n_topics, np.nan)
        out = pd.DataFrame({"topic": list(labels), "n_topic": counts.astype(int), "share": counts / n * 100,
                            "value_topic": value_topic, "value_all": value_all, "value_without": value_without,
                            "impact": value_all - value_without, "ci_low": low, "ci_high": high, "n": n,
                            "n_no_score": n_no_score})
        for i, col in enumerate(by):
            out.insert(i, col, key[i])
        parts.append(out.sort_values("impact", kind="stable"))
    cols = [*by, "topic", "n_topic", "share", "value_topic", "value_all", "value_without", "impact", "ci_low",
            "ci_high", "n", "n_no_score"]
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)[cols]


def topics_pulling_down(impact: pd.DataFrame, *, by=None, top: int = 3) -> pd.DataFrame:
    """The topics that pull each group's NPS down most (most negative impact first).

    Parameters
    ----------
    impact : pandas.DataFrame
        Output of :func:`topic_impact`.
    by : str or list of str, optional
        The group columns used in :func:`topic_impact`.
    top : int, default 3
        Topics kept per group.

    Returns
    -------
    pandas.DataFrame
        The rows of ``impact`` with a negative impact, at most ``top`` per group, with one more column
        ``clear`` (True when the whole interval is below zero, i.e. the pull is not just noise). Topics that
        name no actionable cause ("Can't Tell", "other": :func:`cxlib.display.is_noise`) are left out.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.scores import topic_impact, topics_pulling_down
    >>> demo = pd.DataFrame({"score": [0, 0, 10, 10, 9, 8], "topic": ["bill", "bill", "speed", None, "speed", None]})
    >>> topics_pulling_down(topic_impact(demo, n_boot=100))["topic"].tolist()
    ['bill']
    """
    by = _as_by(by)
    actionable = ~impact["topic"].map(is_noise) if "topic" in impact.columns else True
    down = impact[(impact["impact"] < 0) & actionable].sort_values([*by, "impact"], kind="stable")
    down = (down.groupby(by, dropna=False, sort=True).head(top) if by else down.head(top)).copy()
    down["clear"] = down["ci_high"] < 0
    return down.reset_index(drop=True)
