"""Key drivers: which drivers move an outcome, by Shapley decomposition of R² (or relative weights), with the
direction and size of each driver's effect, bootstrap intervals, the model's fit and a chart."""

from __future__ import annotations

import dataclasses
from math import factorial

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .._docstrings import share_docs
from .._errors import CxInputError
from ..display import Result, say, show
from ..io import parse_scores
from ._validate import _require_column

__all__ = ["KeyDrivers", "key_drivers", "plot_key_drivers"]

#: ``outcome_as`` values: how the outcome column becomes the number the model explains.
OUTCOMES = ("value", "detractor", "promoter", "negative", "positive")
_MAX_EXACT = 15  # groups above which the exact Shapley decomposition (2^p subsets) is not attempted


@dataclasses.dataclass
class KeyDrivers(Result):
    """The outcome of :func:`key_drivers`: importance, effects and fit, and what could not be ranked.

    Attributes
    ----------
    importance : pandas.DataFrame
        One row per driver, most important first; drivers with too few cases last, unranked (columns in
        :func:`key_drivers`).
    effects : pandas.DataFrame
        One row per term of the model (a yes/no driver, a level of a category against the reference level, a
        number from its 25th to its 75th percentile), with a bootstrap interval.
    fit : pandas.DataFrame
        One row: how well the drivers together explain the outcome.
    method : str
        ``"shapley"`` or ``"relative_weights"``.
    outcome_label : str
        What the model explains, in words (e.g. ``"the detractor share (NPS 0-6)"``).
    effect_unit : str
        The unit of the effects (``"percentage points"`` for a yes/no outcome, else ``"outcome units"``).
    notes : list of str
        Rows left out and why, levels pooled, the rule used.
    """

    importance: pd.DataFrame
    effects: pd.DataFrame
    fit: pd.DataFrame
    method: str = "shapley"
    outcome_label: str = ""
    effect_unit: str = ""
    notes: list = dataclasses.field(default_factory=list)

    @property
    def sentence(self) -> str:
        """The result in one plain sentence: the fit and the leading drivers with the direction of their effect."""
        f = self.fit.iloc[0]
        ranked = self.importance[self.importance["status"] == "ranked"].head(3)
        leads = []
        for r in ranked.itertuples():
            leads.append(f"{r.driver} ({r.share:.0f}% of the explained part, {r.direction})")
        lead = "; ".join(leads) if leads else "no driver could be ranked"
        return (f"The drivers together explain {f['r2'] * 100:.1f}% of the variation of {self.outcome_label} "
                f"(R² {f['r2']:.3f}, {int(f['n']):,} cases). Leading drivers: {lead}.")

    def parts(self) -> list:
        """A sentence on the fit, the importance table, the effects, the fit table and the notes."""
        how = ("Shapley decomposition of R² (dominance analysis)" if self.method == "shapley"
               else "Johnson's relative weights")
        out = [say("{s}", s=self.sentence),
               show(self.importance, caption=f"Key drivers: share of the explained variation ({how}), "
                                             "bootstrap intervals; drivers with too few cases are not ranked"),
               show(self.effects, caption=f"Effect of each driver on {self.outcome_label} "
                                          f"({self.effect_unit}), bootstrap intervals", precision=2),
               show(self.fit, caption="Model fit", precision=3)]
        out += [say("{n}", n=note) for note in self.notes]
        return out


def _outcome(df, outcome, outcome_as, labels):
    """The outcome as a float array (NaN where unusable), its label in words, and how many rows are unusable."""
    raw = df[outcome]
    if outcome_as in ("detractor", "promoter"):
        parsed = parse_scores(raw, scale=(0, 10), integer=True, column=outcome)
        v = parsed.values
        y = (v <= 6) if outcome_as == "detractor" else (v >= 9)
        y = y.astype(float).where(v.notna())
        label = "the detractor share (NPS 0-6)" if outcome_as == "detractor" else "the promoter share (NPS 9-10)"
        return y.to_numpy(float), label, True, parsed.n_invalid
    if outcome_as in ("negative", "positive"):
        pos, neu, neg = labels
        known = raw.isin([pos, neu, neg])
        target = neg if outcome_as == "negative" else pos
        y = raw.eq(target).astype(float).where(known)
        bad = int((~known & raw.notna()).sum())
        return y.to_numpy(float), f"the {outcome_as} share ({outcome} = {target!r})", True, bad
    if pd.api.types.is_bool_dtype(raw):
        return raw.astype(float).to_numpy(), f"the share with {outcome}", True, 0
    parsed = parse_scores(raw, integer=False, column=outcome)
    v = parsed.values.to_numpy(float)
    binary = bool(np.isin(v[~np.isnan(v)], (0.0, 1.0)).all()) and np.isfinite(v).any()
    return v, (f"the share with {outcome} = 1" if binary else f"{outcome!r}"), binary, parsed.n_invalid


def _kind(series: pd.Series, forced: bool) -> str:
    if forced:
        return "category"
    if pd.api.types.is_bool_dtype(series):
        return "yes/no"
    values = series.dropna()
    if series.dtype == object and len(values) and values.map(lambda v: isinstance(v, (bool, np.bool_))).all():
        return "yes/no"
    if pd.api.types.is_numeric_dtype(series):
        values = series.dropna().unique()
        return "yes/no" if len(values) and np.isin(values, (0, 1)).all() else "number"
    return "category"


class _Subsets:
    """Every subset of the driver groups, its columns bucketed by size so that one bootstrap resample solves all
    subsets of a size in one batched call."""

    def __init__(self, groups: list):
        p = len(groups)
        self.p = p
        masks = np.arange(1 << p)
        self.size = np.array([int(m).bit_count() for m in masks])
        columns = [sorted(c for j in range(p) if m >> j & 1 for c in groups[j]) for m in masks]
        self.buckets = {}
        for m, cols in enumerate(columns):
            self.buckets.setdefault(len(cols), []).append((m, cols))
        self.buckets = {k: (np.array([m for m, _ in v]), np.array([c for _, c in v], dtype=int).reshape(len(v), k))
                        for k, v in self.buckets.items()}
        self.weight = np.array([factorial(s) * factorial(p - s - 1) / factorial(p) if s < p else 0.0
                                for s in range(p + 1)])

    def r2(self, corr: np.ndarray, r_xy: np.ndarray) -> np.ndarray:
        """R² of every subset from the correlation matrix of the columns and their correlations with y."""
        out = np.zeros(1 << self.p)
        ridge = 1e-10 * np.eye(corr.shape[0])
        c = corr + ridge
        for k, (masks, cols) in self.buckets.items():
            if k == 0:
                continue
            a = c[cols[:, :, None], cols[:, None, :]]
            b = r_xy[cols]
            try:
                coef = np.linalg.solve(a, b[..., None])[..., 0]
            except np.linalg.LinAlgError:
                coef = np.stack([np.linalg.lstsq(ai, bi, rcond=None)[0] for ai, bi in zip(a, b)])
            out[masks] = np.einsum("ij,ij->i", b, coef)
        return out

    def shapley(self, r2: np.ndarray) -> np.ndarray:
        """Each group's Shapley value: the weighted mean gain in R² from adding it to every subset without it."""
        masks = np.arange(1 << self.p)
        values = np.zeros(self.p)
        for j in range(self.p):
            without = masks[(masks >> j & 1) == 0]
            values[j] = np.sum(self.weight[self.size[without]] * (r2[without | (1 << j)] - r2[without]))
        return values


def _correlations(x: np.ndarray, y: np.ndarray):
    """Correlation matrix of the columns and their correlations with y; constant columns correlate with nothing."""
    xc = x - x.mean(axis=0)
    yc = y - y.mean()
    sx = np.sqrt((xc ** 2).sum(axis=0))
    sy = np.sqrt((yc ** 2).sum())
    constant = sx <= 1e-12
    sx = np.where(constant, 1.0, sx)
    z = xc / sx
    corr = z.T @ z
    corr[constant, :] = 0.0
    corr[:, constant] = 0.0
    corr[constant, constant] = 1.0
    r_xy = (z.T @ yc) / sy if sy > 0 else np.zeros(x.shape[1])
    r_xy[constant] = 0.0
    return corr, r_xy


def _relative_weights(corr: np.ndarray, r_xy: np.ndarray, groups: list) -> np.ndarray:
    """Johnson's (2000) relative weights, summed over each group's columns; they add up to R²."""
    vals, vecs = np.linalg.eigh(corr)
    vals = np.clip(vals, 1e-12, None)
    lam = vecs @ np.diag(np.sqrt(vals)) @ vecs.T
    beta = np.linalg.lstsq(lam, r_xy, rcond=None)[0]
    eps = (lam ** 2) @ (beta ** 2)
    return np.array([eps[g].sum() for g in groups])


def _logit(x: np.ndarray, y: np.ndarray, ridge: float = 1e-4, iterations: int = 50) -> np.ndarray:
    """Logistic regression by Newton-Raphson with a tiny ridge on the slopes (keeps separated data finite)."""
    xi = np.column_stack([np.ones(len(x)), x])
    beta = np.zeros(xi.shape[1])
    beta[0] = np.log((y.mean() + 1e-6) / (1 - y.mean() + 1e-6))
    penalty = ridge * len(x) * np.eye(xi.shape[1])
    penalty[0, 0] = 0.0
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-np.clip(xi @ beta, -30, 30)))
        grad = xi.T @ (y - p) - penalty @ beta
        hess = (xi * (p * (1 - p))[:, None]).T @ xi + penalty
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(hess, grad, rcond=None)[0]
        beta = beta + step
        if np.abs(step).max() < 1e-8:
            break
    return beta


def _effects(x: np.ndarray, y: np.ndarray, terms: list, binary: bool) -> np.ndarray:
    """The effect of each term: a coefficient (scaled to the term's change) for a number outcome, the average
    marginal effect (discrete change, percentage points) for a yes/no outcome."""
    if not binary:
        xi = np.column_stack([np.ones(len(x)), x])
        beta = np.linalg.lstsq(xi, y, rcond=None)[0][1:]
        return np.array([beta[t["column"]] * (t["high"] - t["low"]) for t in terms])
    beta = _logit(x, y)
    out = []
    for t in terms:
        lo, hi = x.copy(), x.copy()
        if t["siblings"]:
            lo[:, t["siblings"]] = 0.0
            hi[:, t["siblings"]] = 0.0
        lo[:, t["column"]] = t["low"]
        hi[:, t["column"]] = t["high"]

        def mean_p(m):
            return np.mean(1 / (1 + np.exp(-np.clip(beta[0] + m @ beta[1:], -30, 30))))

        out.append((mean_p(hi) - mean_p(lo)) * 100)
    return np.array(out)


def _ols_fit(x: np.ndarray, y: np.ndarray):
    """R², adjusted R² and the F-test p-value of the full least-squares model."""
    from scipy import stats

    n = len(x)
    xi = np.column_stack([np.ones(n), x])
    beta, *_ = np.linalg.lstsq(xi, y, rcond=None)
    rank = np.linalg.matrix_rank(xi) - 1
    sse = float(((y - xi @ beta) ** 2).sum())
    sst = float(((y - y.mean()) ** 2).sum())
    r2 = 1 - sse / sst if sst > 0 else np.nan
    dof = n - rank - 1
    adj = 1 - (1 - r2) * (n - 1) / dof if dof > 0 else np.nan
    if rank > 0 and dof > 0 and sse > 0:
        f = (r2 / rank) / ((1 - r2) / dof)
        p = float(stats.f.sf(f, rank, dof))
    else:
        p = np.nan
    return r2, adj, p


@share_docs
def key_drivers(df: pd.DataFrame, *, outcome: str = "score", drivers=None, outcome_as: str = "value",
                labels=("positive", "neutral", "negative"), categorical=None, min_n: int = 30,
                method: str = "auto", n_boot: int = 200, seed: int = 0, level: float = 0.95) -> KeyDrivers:
    """Which drivers move an outcome: their share of the explained variation, the direction and size of their
    effect, with bootstrap intervals, and how well they explain it together.

    **Importance.** A least-squares model of the outcome on all drivers (a linear probability model for a
    yes/no outcome) explains a share R² of its variation. The Shapley decomposition (dominance analysis,
    Budescu 1993; Grömping 2007) splits R² fairly among correlated drivers: a driver's part is its gain in R²
    when it joins a subset of the other drivers, averaged over every subset with Shapley weights; the parts add
    up to R². A driver with several columns (a category's levels) is one player. Above 15 drivers the exact
    decomposition (2^p models) is too slow and Johnson's (2000) relative weights are used: R² split through the
    orthogonal counterparts of the drivers, also adding up to R². ``method="auto"`` takes Shapley up to 12
    drivers.

    **Effects.** For a yes/no outcome (detractor, negative sentiment, churn), a logistic regression on all
    drivers and the average marginal effect of each term in percentage points of the outcome's share: the mean
    change in predicted probability when a yes/no driver goes from no to yes, a category from the reference
    level (its largest) to the level, a number from its 25th to its 75th percentile (its mean +- half a
    standard deviation when those are equal). For a numeric outcome (NPS 0-10, CSAT), the least-squares
    coefficients scaled the same way, in outcome units.

    **Intervals** are seeded percentile bootstraps: the rows are resampled ``n_boot`` times and everything is
    recomputed. A driver with fewer than ``min_n`` cases on either side (with / without it; above / at most its
    median) is not put in the model: it is listed with ``status`` ``"too few cases"`` and no rank. Levels of
    a category with fewer than ``min_n`` cases are pooled with its reference level (said in ``notes``). Rows
    without a usable outcome, or with a missing yes/no or number driver, are left out and counted in ``notes``;
    a missing category value is its own level ``"(missing)"``. The measures are associations, not causes.

    Parameters
    ----------
    {df_responses}
    outcome : str, default "score"
        The outcome column: a number (NPS 0-10, CSAT, a churn flag 0/1) or a sentiment label.
    drivers : list of str
        Driver columns: 0/1 or True/False (topic presence, yes/no facts), numbers (journey measures), text
        (touchpoint, journey stage, segment; one driver with a term per level).
    outcome_as : {"value", "detractor", "promoter", "negative", "positive"}, default "value"
        ``"value"``: the outcome as it is (read by the shared score rule); ``"detractor"`` / ``"promoter"``: yes
        when a 0-10 score is at most 6 / at least 9; ``"negative"`` / ``"positive"``: yes when the label is
        the negative / positive one of ``labels``.
    labels : tuple of str, default ("positive", "neutral", "negative")
        The sentiment labels (``outcome_as="negative"`` or ``"positive"``); other labels are unusable.
    categorical : list of str, optional
        Number columns to treat as categories (e.g. a coded channel).
    min_n : int, default 30
        Cases needed on each side of a driver (and in a level) to rank it.
    method : {"auto", "shapley", "relative_weights"}, default "auto"
        How R² is split among the drivers.
    n_boot : int, default 200
        Bootstrap resamples (0: no intervals).
    {bootstrap_seed}
    {level}

    Returns
    -------
    KeyDrivers
        ``importance``: ``rank``, ``driver``, ``kind`` (``"yes/no"``, ``"category"``, ``"number"``), ``cases_with``
        (cases with the driver; above its median for a number; outside the reference level for a category),
        ``r2_part`` (its part of R²), ``share`` (percent of R²), ``share_low``, ``share_high`` (bootstrap
        interval of the share), ``direction`` (``"raises"``, ``"lowers"`` the outcome when every term's effect
        interval is on one side of 0, ``"mixed"`` for a category whose levels go both ways, else
        ``"unclear"``), ``status`` (``"ranked"`` or ``"too few cases"``). ``effects``: ``driver``, ``term``,
        ``change`` (what is compared), ``cases_with``, ``effect``, ``effect_low``, ``effect_high``, ``direction``.
        ``fit``: ``outcome``, ``n`` (rows used), ``n_left_out``, ``r2``, ``r2_low``, ``r2_high``, ``adj_r2``,
        ``f_p_value`` (the least-squares model against none), ``drivers_ranked``, ``method``. See
        :class:`KeyDrivers` for the other fields.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.scores import key_drivers
    >>> tweets = pd.read_csv("data/airline_tweets.csv.gz").assign(
    ...     late=lambda t: t["negativereason"].eq("Late Flight"))
    >>> kd = key_drivers(tweets, outcome="airline_sentiment", outcome_as="negative", drivers=["airline", "late"],
    ...                  n_boot=20)
    >>> kd.importance["driver"].tolist(), round(float(kd.importance["share"].sum()), 6)
    (['airline', 'late'], 100.0)
    """
    _require_column(df, outcome, "the outcome")
    if outcome_as not in OUTCOMES:
        raise CxInputError(f"outcome_as must be one of {', '.join(OUTCOMES)}, got {outcome_as!r}",
                           column="outcome_as")
    if method not in ("auto", "shapley", "relative_weights"):
        raise CxInputError(f"method must be 'auto', 'shapley' or 'relative_weights', got {method!r}",
                           column="method")
    if not 0 < level < 1:
        raise CxInputError(f"level must be between 0 and 1 (e.g. 0.95), got {level!r}", column="level")
    drivers = [drivers] if isinstance(drivers, str) else list(drivers or [])
    if not drivers:
        raise CxInputError("key_drivers needs at least one driver column (drivers=[...])", column="drivers")
    for col in drivers:
        _require_column(df, col, "a driver")
    if outcome in drivers:
        raise CxInputError(f"the outcome {outcome!r} cannot also be a driver", column=outcome)
    categorical = set([categorical] if isinstance(categorical, str) else (categorical or []))
    notes: list[str] = []
    y_all, outcome_label, binary, n_bad = _outcome(df, outcome, outcome_as, labels)
    keep = ~np.isnan(y_all)
    n_no_outcome = int((~keep).sum())
    if n_no_outcome:
        notes.append(f"{n_no_outcome:,} rows have no usable outcome in {outcome!r}"
                     + (f" ({n_bad:,} of them an invalid value)" if n_bad else "") + ": left out.")
    kinds = {col: _kind(df[col], col in categorical) for col in drivers}
    numbers = {}
    for col in drivers:
        if kinds[col] in ("number", "yes/no"):
            raw = df[col]
            if kinds[col] == "yes/no":
                raw = raw.astype("boolean") if raw.dtype == object else raw
            values = pd.to_numeric(raw, errors="coerce").astype(float).to_numpy()
            missing = np.isnan(values) & keep
            if missing.any():
                notes.append(f"{int(missing.sum()):,} rows have no value of {col!r}: left out.")
            keep &= ~np.isnan(values)
            numbers[col] = values
    rows = np.flatnonzero(keep)
    y = y_all[rows]
    n = len(rows)
    columns, groups, terms, importance_rows = [], [], [], []
    for col in drivers:
        kind = kinds[col]
        base = {"driver": col, "kind": kind}
        if kind == "yes/no":
            values = numbers[col][rows]
            cases_with = int(values.sum())
            if min(cases_with, n - cases_with) < min_n:
                importance_rows.append({**base, "cases_with": cases_with, "status": "too few cases"})
                continue
            terms.append({"driver": col, "term": col, "change": "without -> with", "cases_with": cases_with,
                          "column": len(columns), "siblings": [], "low": 0.0, "high": 1.0})
            groups.append([len(columns)])
            columns.append(values)
        elif kind == "number":
            values = numbers[col][rows]
            median = float(np.median(values)) if n else np.nan
            cases_with = int((values > median).sum())
            if min(cases_with, n - cases_with) < min_n:
                importance_rows.append({**base, "cases_with": cases_with, "status": "too few cases"})
                continue
            low, high = np.percentile(values, [25, 75])
            if high <= low:
                half = values.std() / 2
                low, high = values.mean() - half, values.mean() + half
                change = f"mean - 1/2 sd -> mean + 1/2 sd ({low:.3g} -> {high:.3g})"
            else:
                change = f"25th -> 75th percentile ({low:.3g} -> {high:.3g})"
            terms.append({"driver": col, "term": col, "change": change, "cases_with": cases_with, "column": len(columns),
                          "siblings": [], "low": float(low), "high": float(high)})
            groups.append([len(columns)])
            columns.append(values)
        else:
            raw = df[col].iloc[rows].astype(object).where(df[col].iloc[rows].notna(), "(missing)").astype(str)
            counts = raw.value_counts()
            reference = counts.index[0]
            small = [lvl for lvl, k in counts.items() if k < min_n and lvl != reference]
            levels = [lvl for lvl in counts.index if lvl != reference and lvl not in small]
            if small:
                notes.append(f"{col}: levels with fewer than {min_n} cases pooled with the reference level "
                             f"{reference!r}: " + ", ".join(f"{lvl} ({counts[lvl]})" for lvl in small) + ".")
            if not levels:
                importance_rows.append({**base, "cases_with": int(n - counts[reference]), "status": "too few cases"})
                continue
            first = len(columns)
            siblings = list(range(first, first + len(levels)))
            for lvl in levels:
                terms.append({"driver": col, "term": f"{col} = {lvl}", "change": f"{reference} -> {lvl}",
                              "cases_with": int(counts[lvl]), "column": len(columns), "siblings": siblings,
                              "low": 0.0, "high": 1.0})
                columns.append(raw.eq(lvl).to_numpy(float))
            groups.append(siblings)
            importance_rows.append({**base, "cases_with": int(counts[levels].sum()), "status": "pending"})
    ranked_drivers = [t["driver"] for t in terms]
    ranked_drivers = list(dict.fromkeys(ranked_drivers))
    too_few = [r for r in importance_rows if r["status"] == "too few cases"]
    if not groups:
        raise CxInputError(f"no driver has at least {min_n} cases on each side among the {n:,} usable rows "
                           f"(too few: {', '.join(r['driver'] for r in too_few)}); lower min_n or add data",
                           column="drivers")
    if n < 3 or np.nanstd(y) == 0:
        raise CxInputError(f"the outcome {outcome!r} does not vary among the {n:,} usable rows: nothing to explain",
                           column=outcome)
    x = np.column_stack(columns)
    p = len(groups)
    if method == "auto":
        method = "shapley" if p <= 12 else "relative_weights"
    if method == "shapley" and p > _MAX_EXACT:
        raise CxInputError(f"{p} drivers are too many for the exact Shapley decomposition (2^{p} models); "
                           "use method='relative_weights' or fewer drivers", column="method")
    subsets = _Subsets(groups) if method == "shapley" else None

    def importance_of(xs, ys):
        corr, r_xy = _correlations(xs, ys)
        if subsets is not None:
            return subsets.shapley(subsets.r2(corr, r_xy))
        return _relative_weights(corr, r_xy, groups)

    parts = importance_of(x, y)
    effects = _effects(x, y, terms, binary)
    r2, adj, f_p = _ols_fit(x, y)
    alpha = (1 - level) / 2
    rng = np.random.default_rng(seed)
    boot_parts, boot_effects, boot_r2 = [], [], []
    for _ in range(n_boot):
        idx = rng.integers(0, n, n)
        xb, yb = x[idx], y[idx]
        if np.std(yb) == 0:
            continue
        bp = importance_of(xb, yb)
        boot_parts.append(bp)
        boot_r2.append(bp.sum())
        boot_effects.append(_effects(xb, yb, terms, binary))

    def interval(samples, axis_len):
        if not samples:
            return np.full(axis_len, np.nan), np.full(axis_len, np.nan)
        arr = np.asarray(samples)
        return np.nanquantile(arr, alpha, axis=0), np.nanquantile(arr, 1 - alpha, axis=0)

    share_samples = [bp / bp.sum() * 100 if bp.sum() > 0 else np.full(p, np.nan) for bp in boot_parts]
    share_low, share_high = interval(share_samples, p)
    eff_low, eff_high = interval(boot_effects, len(terms))
    r2_low, r2_high = interval([[v] for v in boot_r2], 1)

    def direction(lo, hi):
        if np.isnan(lo) or np.isnan(hi):
            return "unclear"
        return "raises" if lo > 0 else "lowers" if hi < 0 else "unclear"

    effect_rows = []
    for t, e, lo, hi in zip(terms, effects, eff_low, eff_high):
        effect_rows.append({"driver": t["driver"], "term": t["term"], "change": t["change"], "cases_with": t["cases_with"],
                            "effect": float(e), "effect_low": float(lo), "effect_high": float(hi),
                            "direction": direction(lo, hi)})
    effect_table = pd.DataFrame(effect_rows, columns=["driver", "term", "change", "cases_with", "effect", "effect_low",
                                                      "effect_high", "direction"])
    total = parts.sum()
    ranked = []
    for j, name in enumerate(ranked_drivers):
        dirs = set(effect_table.loc[effect_table["driver"] == name, "direction"]) - {"unclear"}
        row = next((r for r in importance_rows if r["driver"] == name), None)
        cases_with = row["cases_with"] if row else next(t["cases_with"] for t in terms if t["driver"] == name)
        ranked.append({"driver": name, "kind": kinds[name], "cases_with": cases_with, "r2_part": float(parts[j]),
                       "share": float(parts[j] / total * 100) if total > 0 else np.nan,
                       "share_low": float(share_low[j]), "share_high": float(share_high[j]),
                       "direction": (dirs.pop() if len(dirs) == 1 else "mixed" if dirs else "unclear"),
                       "status": "ranked"})
    ranked.sort(key=lambda r: -r["r2_part"])
    for i, r in enumerate(ranked, start=1):
        r["rank"] = i
    unranked = [{"rank": np.nan, "driver": r["driver"], "kind": r["kind"], "cases_with": r["cases_with"],
                 "r2_part": np.nan, "share": np.nan, "share_low": np.nan, "share_high": np.nan,
                 "direction": "", "status": "too few cases"} for r in too_few]
    importance = pd.DataFrame(ranked + unranked, columns=["rank", "driver", "kind", "cases_with", "r2_part", "share",
                                                          "share_low", "share_high", "direction", "status"])
    importance["rank"] = importance["rank"].astype("Int64")
    if too_few:
        notes.append(f"Not ranked, fewer than {min_n} cases on one side: "
                     + ", ".join(f"{r['driver']} ({r['cases_with']:,} with)" for r in too_few) + ".")
    notes.append("Importance: " + ("Shapley decomposition of R² (every subset of drivers)" if method == "shapley"
                                  else "Johnson's relative weights") + "; effects: " +
                 ("average marginal effects of a logistic regression, in percentage points" if binary
                  else "least-squares coefficients, in outcome units")
                 + f"; intervals: percentile bootstrap, {len(boot_parts)} resamples, seed {seed}. "
                 "These are associations in this data, not proof of cause.")
    fit = pd.DataFrame([{"outcome": outcome_label, "n": n, "n_left_out": len(df) - n, "r2": r2,
                         "r2_low": float(r2_low[0]), "r2_high": float(r2_high[0]), "adj_r2": adj,
                         "f_p_value": f_p, "drivers_ranked": len(ranked), "method": method}])
    return KeyDrivers(importance=importance, effects=effect_table, fit=fit, method=method,
                      outcome_label=outcome_label,
                      effect_unit="percentage points" if binary else "outcome units", notes=notes)


_DIRECTION_COLOURS = {"raises": "#cf222e", "lowers": "#2da44e", "mixed": "#8250df", "unclear": "#8c959f"}


@share_docs
def plot_key_drivers(result: KeyDrivers, *, top: int = 15, good_is_high: bool = False, ax=None):
    """Bar chart of the key drivers: each driver's share of the explained variation with its bootstrap interval,
    coloured by the direction of its effect; drivers with too few cases are listed below, not drawn.

    Parameters
    ----------
    result : KeyDrivers
        Output of :func:`key_drivers`.
    top : int, default 15
        Ranked drivers drawn.
    good_is_high : bool, default False
        Whether a higher outcome is good (NPS 0-10, CSAT): then "raises" is drawn green and "lowers" red. For
        an outcome where yes is bad (detractor, negative, churn) the default draws "raises" red.
    {ax}

    Returns
    -------
    matplotlib.axes.Axes
        The chart.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.scores import key_drivers, plot_key_drivers
    >>> tweets = pd.read_csv("data/airline_tweets.csv.gz")
    >>> kd = key_drivers(tweets, outcome="airline_sentiment", outcome_as="negative", drivers=["airline"], n_boot=10)
    >>> plot_key_drivers(kd).get_xlabel()
    'share of the explained variation (%)'
    """
    table = result.importance
    ranked = table[table["status"] == "ranked"].head(top).iloc[::-1]
    unranked = table[table["status"] != "ranked"]
    colours = dict(_DIRECTION_COLOURS)
    if good_is_high:
        colours["raises"], colours["lowers"] = colours["lowers"], colours["raises"]
    if ax is None:
        _, ax = plt.subplots(figsize=(8, max(2.5, 0.45 * (len(ranked) + len(unranked)) + 1.2)))
    ypos = np.arange(len(ranked))
    shares = ranked["share"].to_numpy(float)
    low = np.clip(shares - ranked["share_low"].to_numpy(float), 0, None)
    high = np.clip(ranked["share_high"].to_numpy(float) - shares, 0, None)
    err = np.vstack([np.nan_to_num(low), np.nan_to_num(high)])
    ax.barh(ypos, shares, xerr=err, color=[colours.get(d, "#8c959f") for d in ranked["direction"]],
            ecolor="#444", capsize=3)
    labels = [str(d) for d in ranked["driver"]]
    if len(unranked):
        extra = np.arange(len(ranked), len(ranked) + len(unranked))
        for y_, r in zip(extra, unranked.itertuples()):
            ax.text(0, y_, f"  too few cases (n with = {int(r.cases_with):,}): not ranked", va="center", fontsize=8,
                    color="#57606a")
        ypos = np.concatenate([ypos, extra])
        labels += [str(d) for d in unranked["driver"]]
    ax.set_yticks(ypos)
    ax.set_yticklabels(labels)
    ax.set_xlabel("share of the explained variation (%)")
    r2 = float(result.fit["r2"].iloc[0])
    ax.set_title(f"Key drivers of {result.outcome_label} (R² = {r2:.3f})", fontsize=10)
    from matplotlib.patches import Patch

    present = [d for d in ("raises", "lowers", "mixed", "unclear") if d in set(ranked["direction"])]
    if present:
        ax.legend(handles=[Patch(color=colours[d], label=f"{d} the outcome" if d in ("raises", "lowers") else d)
                           for d in present], loc="lower right", frameon=False, fontsize=8)
    return ax
