"""Harmonization: every measure onto one 0-100 scale, and a company-wide score with an interval."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .._docstrings import share_docs
from .._errors import CxInputError
from ..io import check_scale, read_yaml
from ..io.schema import describe, suggest, unknown_keys
from ._measures import KINDS, _z, score_table
from ._validate import VALID, _as_by, _require_column, classify_scores

__all__ = ["company_score", "harmonize", "measure_scores", "read_measure_config"]

_KINDS = KINDS
_SCALED = {"kind", "scale", "stat", "higher_is_better"}
_ALLOWED = {"nps": {"kind"}, "csat": _SCALED, "ces": _SCALED, "sentiment": {"kind", "positive", "neutral", "negative"}}


def _check_config(config, path=None, *, section: str = "") -> dict:
    if isinstance(config, (str, Path)):
        return read_measure_config(config)
    if not isinstance(config, dict) or not config:
        raise CxInputError(f"{section or 'the measure config'} must be a non-empty mapping {{measure name: "
                           f"{{kind: ...}}}}, got {describe(config)}", path=path, column=section or None)
    out = {}
    for name, spec in config.items():
        where = f"{section}.{name}" if section else str(name)
        kind = spec.get("kind") if isinstance(spec, dict) else None
        if kind not in _KINDS:
            hint = suggest(kind, _KINDS) if isinstance(kind, str) else ""
            raise CxInputError(f"measure {name!r} ({where}): expected a mapping with kind one of "
                               f"{', '.join(_KINDS)}{hint}, got {spec!r}", path=path, column=where)
        spec = dict(spec)
        unknown = set(spec) - _ALLOWED[kind]
        if unknown:
            hints = "".join(suggest(u, _ALLOWED[kind]) for u in sorted(map(str, unknown)))
            raise CxInputError(f"measure {name!r} ({where}): unknown keys {sorted(map(str, unknown))}{hints} "
                               f"for kind {kind!r}; allowed: {sorted(_ALLOWED[kind])}", path=path, column=where)
        if kind in ("csat", "ces"):
            if "scale" not in spec:
                raise CxInputError(f"measure {name!r} ({where}): {kind} needs a scale, e.g. scale: [1, 5]",
                                   path=path, column=f"{where}.scale")
            try:
                check_scale(spec["scale"])
            except CxInputError as exc:
                raise CxInputError(f"{where}.{exc}", path=path, column=f"{where}.scale") from None
            spec.setdefault("stat", "top2box" if kind == "csat" else "mean")
            spec.setdefault("higher_is_better", True)
            if spec["stat"] not in ("top2box", "mean"):
                raise CxInputError(f"{where}.stat must be 'top2box' or 'mean', got {describe(spec['stat'])}",
                                   path=path, column=f"{where}.stat")
            if not isinstance(spec["higher_is_better"], bool):
                raise CxInputError(f"{where}.higher_is_better must be true or false, got "
                                   f"{describe(spec['higher_is_better'])}", path=path,
                                   column=f"{where}.higher_is_better")
        for label in ("positive", "neutral", "negative"):
            if label in spec and not isinstance(spec[label], str):
                raise CxInputError(f"{where}.{label} must be text (the label of {label} responses), got "
                                   f"{describe(spec[label])}", path=path, column=f"{where}.{label}")
        out[str(name)] = spec
    return out


def read_measure_config(path) -> dict:
    """Read the measure config (YAML): per measure its kind, scale and direction.

    Parameters
    ----------
    path : str or pathlib.Path
        A YAML mapping ``{measure name: {kind, scale, stat, higher_is_better}}``; ``kind`` is one of
        ``nps`` (0-10), ``csat``, ``ces`` (both need ``scale: [low, high]``; ``stat`` is ``top2box``
        or ``mean``) or ``sentiment`` (labels ``positive``/``neutral``/``negative``, overridable).

    Returns
    -------
    dict
        The checked config, with defaults filled in (``stat``: top2box for csat, mean for ces;
        ``higher_is_better``: True).

    Examples
    --------
    >>> from cxlib.scores import read_measure_config
    >>> read_measure_config("notebooks/targets/measures_demo.yml")["csat"]["scale"]
    [1, 5]
    """
    path = Path(path)
    config = read_yaml(path, what="measure config file")
    section = ""
    if isinstance(config, dict) and "measures" in config:
        others = sorted(map(str, set(config) - {"measures", "description"}))
        if others:
            raise CxInputError(unknown_keys("the measure config file", others, ["description", "measures"]),
                               path=path)
        config, section = config["measures"], "measures"
    return _check_config(config, path=path, section=section)


def _one_measure(frame, spec, name, score, by, level):
    options = {k: v for k, v in spec.items() if k != "kind"}
    return score_table(frame, kind=spec["kind"], score=score, by=by, name=name, level=level, **options)


@share_docs
def measure_scores(responses: pd.DataFrame, *, config, measure: str | None = "measure", score: str = "score",
                   by=None, level: float = 0.95) -> pd.DataFrame:
    """Compute every configured measure per group from one long table of responses.

    Parameters
    ----------
    responses : pandas.DataFrame
        One row per response. With several measures, a ``measure`` column names each row's measure.
    config : dict or path
        ``{measure name: {kind, scale, stat, higher_is_better}}`` (see :func:`read_measure_config`).
    measure : str or None, default "measure"
        Column naming the measure of each row; None when ``config`` has a single measure that applies to
        all rows.
    {score_or_label}
    {by}
    {level}

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`nps`, :func:`csat`, :func:`ces` and :func:`sentiment_index` stacked, one per
        measure and group: the ``by`` columns, ``measure``, ``n``, ``n_missing``, ``n_invalid``, ``value``,
        ``se``, ``ci_low``, ``ci_high``, ``value_min``, ``value_max``, ``higher_is_better`` and the
        measure-specific count columns (NaN where a column does not apply).

    {example_tweets}
    >>> from cxlib.scores import measure_scores
    >>> measure_scores(tweets, config={"sentiment": {"kind": "sentiment"}}, measure=None,
    ...                score="airline_sentiment", by="airline")["measure"].unique().tolist()
    ['sentiment']
    """
    config = _check_config(config)
    by = _as_by(by)
    _require_column(responses, score, "the score")
    if measure is None:
        if len(config) != 1:
            raise CxInputError(f"config has {len(config)} measures; name the column saying which measure "
                               "each row belongs to (measure=...)")
        parts = [_one_measure(responses, next(iter(config.values())), next(iter(config)), score, by, level)]
    else:
        _require_column(responses, measure, "the measure name")
        unknown = sorted(set(responses[measure].dropna().astype(str)) - set(config))
        n_no_measure = int(responses[measure].isna().sum())
        if unknown or n_no_measure:
            raise CxInputError(
                f"{n_no_measure} rows have no measure and these measures are not in the config: "
                f"{unknown}; configured: {sorted(config)}", column=measure)
        parts = [_one_measure(responses[responses[measure].astype(str) == name], spec, name, score, by, level)
                 for name, spec in config.items() if (responses[measure].astype(str) == name).any()]
    return pd.concat(parts, ignore_index=True)


def harmonize(table: pd.DataFrame) -> pd.DataFrame:
    """Map every measure onto 0-100 (percent of maximum possible; NPS becomes (NPS + 100) / 2).

    score_100 = (value - min) / (max - min) x 100, where min and max are the range of ``value``
    (-100..100 for NPS and the sentiment index, 0..100 for top-2-box shares, the scale for means);
    for a measure where lower is better, score_100 = (max - value) / (max - min) x 100, so 100 is always
    best. The map is linear, so the standard error is scaled and the interval bounds map (and swap for
    lower-is-better). A linear map does not make two scales measure the same thing: judge each measure
    against its own target as well (see docs/scores.md).

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`nps`, :func:`csat`, :func:`ces`, :func:`sentiment_index` or :func:`measure_scores`.

    Returns
    -------
    pandas.DataFrame
        A copy of ``table`` with added columns ``score_100``, ``score_100_se``, ``score_100_low`` and
        ``score_100_high``.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.scores import harmonize, nps
    >>> harmonize(nps(pd.DataFrame({"score": [10, 0]})))["score_100"].item()
    50.0
    """
    for col in ("value", "se", "ci_low", "ci_high", "value_min", "value_max", "higher_is_better"):
        _require_column(table, col, "a measure-table column (from nps/csat/ces/sentiment_index)")
    out = table.copy()
    lo = out["value_min"].astype(float)
    width = out["value_max"].astype(float) - lo
    hib = out["higher_is_better"].astype(bool)

    def to100(x):
        up = (x - lo) / width * 100
        return up.where(hib, 100 - up)

    out["score_100"] = to100(out["value"].astype(float))
    out["score_100_se"] = out["se"].astype(float) / width * 100
    a, b = to100(out["ci_low"].astype(float)), to100(out["ci_high"].astype(float))
    out["score_100_low"], out["score_100_high"] = a.where(hib, b), b.where(hib, a)
    return out


def _replicates(values: np.ndarray, spec: dict, n_boot: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap replicates of (value, se) for one component, by resampling its responses."""
    vals, counts = np.unique(values, return_counts=True)
    n = counts.sum()
    draws = rng.multinomial(n, counts / n, size=n_boot).astype(float)
    kind = spec["kind"]
    if kind in ("nps", "sentiment"):
        pos_mask, neg_mask = (vals >= 9, vals <= 6) if kind == "nps" else (vals > 0, vals < 0)
        p, d = draws[:, pos_mask].sum(1) / n, draws[:, neg_mask].sum(1) / n
        return (p - d) * 100, np.sqrt(np.clip(p + d - (p - d) ** 2, 0, None) / n) * 100
    if spec["stat"] == "top2box":
        high, low = spec["scale"][1], spec["scale"][0]
        best = vals >= high - 1 if spec["higher_is_better"] else vals <= low + 1
        p = draws[:, best].sum(1) / n
        return p * 100, np.sqrt(p * (1 - p) / n) * 100
    mean = draws @ vals / n
    var = np.clip((draws @ vals**2 - n * mean**2) / max(n - 1, 1), 0, None)
    return mean, np.sqrt(var / n)


@share_docs
def company_score(responses: pd.DataFrame, *, config, measure: str | None = "measure", score: str = "score",
                  by=None, weight: str = "n", n_boot: int = 2000, seed: int = 0,
                  level: float = 0.95) -> pd.DataFrame:
    """One company-wide 0-100 score from all measures and groups, weighted by n or inverse variance.

    Each component (a measure in a group) is harmonized (:func:`harmonize`) and the components are
    averaged with weights n (``weight="n"``) or 1 / se^2 on the 0-100 scale (``"inverse_variance"``).
    The interval is a seeded bootstrap percentile interval: every component's responses are resampled
    (within the component), each replicate is recomputed end to end (including the inverse-variance weights,
    which are themselves estimates; a replicate with zero variance keeps the component's observed weight).
    With ``n_boot=0`` a normal interval from the component standard errors (independent components, fixed
    weights) is given instead. Components without valid responses cannot contribute and are counted.

    Parameters
    ----------
    responses : pandas.DataFrame
        One row per response (see :func:`measure_scores`).
    config : dict or path
        The measure config (see :func:`read_measure_config`).
    measure : str or None, default "measure"
        Column naming each row's measure; None for a single configured measure.
    {score_or_label}
    by : str or list of str, optional
        Columns that split measures into components, e.g. the touchpoint.
    weight : {"n", "inverse_variance"}, default "n"
        Component weights.
    n_boot : int, default 2000
        Bootstrap resamples; 0 for the normal interval.
    {bootstrap_seed}
    {level}

    Returns
    -------
    pandas.DataFrame
        One row with columns ``score`` (0-100), ``se`` (bootstrap standard deviation, or the normal-theory
        standard error when ``n_boot=0``), ``ci_low``, ``ci_high``, ``n`` (valid responses used),
        ``components`` (measure x group cells used), ``components_empty`` (cells without valid responses),
        ``weight`` and ``interval`` (how the interval was computed).

    {example_tweets}
    >>> from cxlib.scores import company_score
    >>> out = company_score(tweets, config={"sentiment": {"kind": "sentiment"}}, measure=None,
    ...                     score="airline_sentiment", by="airline", n_boot=200)
    >>> int(out["components"].item())
    6
    """
    if weight not in ("n", "inverse_variance"):
        raise CxInputError(f"weight must be 'n' or 'inverse_variance', got {weight!r}")
    config = _check_config(config)
    by = _as_by(by)
    table = harmonize(measure_scores(responses, config=config, measure=measure, score=score, by=by,
                                     level=level))
    empty = table["n"] == 0
    used = table[~empty].reset_index(drop=True)
    if used.empty:
        raise CxInputError("no component has a valid response; nothing to combine", column=score)
    s, se = used["score_100"].to_numpy(float), used["score_100_se"].to_numpy(float)
    if weight == "n":
        w = used["n"].to_numpy(float)
    else:
        bad = used.loc[~(se > 0), ["measure", *by]]
        if len(bad):
            raise CxInputError("inverse-variance weights need a positive standard error in every component; "
                               f"these have none (e.g. a single response or all identical): "
                               f"{bad.to_dict('records')}; use weight='n'")
        w = 1 / se**2
    point = float((w * s).sum() / w.sum())
    z = _z(level)
    if n_boot and n_boot > 0:
        rng = np.random.default_rng(seed)
        reps_s, reps_w = [], []
        for _, row in used.iterrows():
            spec = config[row["measure"]]
            rows = responses
            if measure is not None:
                rows = rows[rows[measure].astype(str) == row["measure"]]
            for col in by:
                key = row[col]
                rows = rows[rows[col].isna()] if pd.isna(key) else rows[rows[col] == key]
            values = _component_values(rows[score], spec)
            value, rep_se = _replicates(values, spec, int(n_boot), rng)
            one = harmonize(pd.DataFrame({
                "value": value, "se": rep_se, "ci_low": value, "ci_high": value,
                "value_min": row["value_min"], "value_max": row["value_max"],
                "higher_is_better": row["higher_is_better"]}))
            reps_s.append(one["score_100"].to_numpy())
            if weight == "n":
                reps_w.append(np.full(int(n_boot), float(row["n"])))
            else:
                r_se = one["score_100_se"].to_numpy()
                reps_w.append(np.where(r_se > 0, 1 / np.where(r_se > 0, r_se, 1) ** 2, 1 / row["score_100_se"] ** 2))
        reps_s, reps_w = np.vstack(reps_s), np.vstack(reps_w)
        boot = (reps_s * reps_w).sum(0) / reps_w.sum(0)
        alpha = (1 - level) / 2
        low, high = np.quantile(boot, [alpha, 1 - alpha])
        out_se = float(boot.std(ddof=1))
        interval = f"bootstrap percentile, {int(n_boot)} resamples, seed {seed}"
    else:
        wn = w / w.sum()
        out_se = float(np.sqrt((wn**2 * se**2).sum())) if weight == "n" else float(1 / np.sqrt(w.sum()))
        low, high = point - z * out_se, point + z * out_se
        interval = "normal, independent components"
    return pd.DataFrame([{
        "score": point, "se": out_se, "ci_low": float(low), "ci_high": float(high),
        "n": int(used["n"].sum()), "components": len(used), "components_empty": int(empty.sum()),
        "weight": weight, "interval": interval}])


def _component_values(raw: pd.Series, spec: dict) -> np.ndarray:
    if spec["kind"] == "sentiment":
        pos, neu, neg = (spec.get(k, k) for k in ("positive", "neutral", "negative"))
        mapped = raw.map({pos: 1.0, neu: 0.0, neg: -1.0})
        return mapped.dropna().to_numpy(float)
    scale = (0, 10) if spec["kind"] == "nps" else tuple(spec["scale"])
    value, status = classify_scores(raw, scale, integer=True)
    return value[status == VALID].to_numpy(float)
