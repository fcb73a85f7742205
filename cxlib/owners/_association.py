"""Association between journey features (waits, hand-offs, repeated contacts) and the feedback score."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from scipy import stats

from .._docstrings import share_docs
from .._errors import CxInputError
from ..display import Result, say, show
from ..io import parse_scores
from ._link import PerCaseTable

__all__ = ["ScoreAssociation", "score_association"]

DEFAULT_FEATURES = ("max_wait_h", "mean_wait_h", "throughput_h", "handoffs", "repeated_contacts",
                    "events")


@dataclasses.dataclass
class ScoreAssociation(Result):
    """The outcome of :func:`score_association`: one row per journey feature, and the scores it could not read.

    Attributes
    ----------
    association : pandas.DataFrame
        One row per feature, strongest first (columns in :func:`score_association`).
    invalid_scores : int
        Cases whose score is present but not a number; they are left out, like cases without a score.
    score_note : str
        A sentence saying so; ``""`` when every score could be read.

    Examples
    --------
    >>> cases = pd.DataFrame({"max_wait_h": range(12), "score": [9, 8, "n/a"] + list(range(9, 0, -1))})
    >>> a = score_association(cases, features=["max_wait_h"])
    >>> int(a.association.loc[0, "n"]), a.invalid_scores
    (11, 1)
    >>> a.score_note in repr(a.show())
    True
    """

    association: pd.DataFrame
    invalid_scores: int = 0
    score_note: str = ""

    def parts(self) -> list:
        """The association table, then the score note (when there is one)."""
        out = [show(self.association, caption="Association of journey features with the score")]
        if self.score_note:
            out.append(say("{note}", note=self.score_note))
        return out


@share_docs
def score_association(per_case: pd.DataFrame | PerCaseTable, *, features=DEFAULT_FEATURES, score: str = "score",
                      level: float = 0.95, min_n: int = 10) -> ScoreAssociation:
    """How strongly each journey feature goes with the score, with effect sizes and intervals.

    For each feature, on the cases that have both the feature and a score:

    - Spearman's rank correlation with a Fisher-z interval (standard error 1.06 / sqrt(n - 3), Fieller et al.
      1957) and its p-value;
    - the score difference between cases above the feature's median and the others (``high - low``), with a
      Welch t interval, and Hedges' g (standardised difference, small-sample corrected) with its approximate
      interval;
    - the least-squares slope of the score per unit of the feature, with its t interval.

    Features that are constant, missing or have fewer than ``min_n`` cases get a ``note`` instead of numbers.
    The score is read with the shared score rule (any plain number; ``"7,5"``, ``"n/a"`` or inf are not):
    the result's ``invalid_scores`` counts cases whose score is present but not a number (left out, like cases
    without a score) and its ``score_note`` says so (empty if none). The table and these counts are fields of a
    :class:`ScoreAssociation` (a :class:`cxlib.display.Result`), so nothing rides on the table's ``attrs``.
    This is association, not causation: a long wait and a low score may share a cause.

    Parameters
    ----------
    per_case : pandas.DataFrame or PerCaseTable
        One row per case, e.g. from :func:`cxlib.owners.per_case_table` (its result or its ``per_case`` table).
    features : sequence of str
        Journey-feature columns; absent columns are reported with a note.
    score : str, default "score"
        Score column (e.g. 0-10 NPS answer).
    {level}
    min_n : int, default 10
        Fewest cases to estimate anything.

    Returns
    -------
    ScoreAssociation
        ``association``: one row per feature, ``feature``, ``n``, ``spearman_rho``, ``rho_low``,
        ``rho_high``, ``p_value``, ``median_split`` (the feature's median), ``n_high``, ``n_low``,
        ``score_high``, ``score_low`` (mean scores above / at-or-below the median), ``difference`` (high - low),
        ``difference_low``, ``difference_high``, ``hedges_g``, ``g_low``, ``g_high``, ``slope`` (score per unit
        of the feature), ``slope_low``, ``slope_high``, ``note``, sorted by ``|spearman_rho|``, strongest first;
        ``invalid_scores`` (int) and ``score_note`` (str) as described above.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> wait = rng.exponential(5, 200)
    >>> cases = pd.DataFrame({"max_wait_h": wait, "score": 9 - 0.4 * wait + rng.normal(0, 1, 200)})
    >>> a = score_association(cases, features=["max_wait_h"])
    >>> bool(a.association.loc[0, "rho_high"] < 0), a.invalid_scores, a.score_note
    (True, 0, '')
    """
    if isinstance(per_case, PerCaseTable):
        per_case = per_case.per_case
    if score not in per_case.columns:
        raise CxInputError(f"the per-case table has no score column {score!r}; columns: "
                           f"{', '.join(map(str, per_case.columns))}", column=score)
    if isinstance(features, str):
        features = [features]
    z = float(stats.norm.ppf(0.5 + level / 2))
    parsed = parse_scores(per_case[score], integer=False, column=score)
    y_all = parsed.values
    rows = []
    for feature in features:
        row = {"feature": feature, "n": 0, "note": ""}
        if feature not in per_case.columns:
            row["note"] = "not in the per-case table"
            rows.append(row)
            continue
        x_all = pd.to_numeric(per_case[feature], errors="coerce")
        ok = x_all.notna() & y_all.notna()
        x, y = x_all[ok].to_numpy(float), y_all[ok].to_numpy(float)
        n = len(x)
        row["n"] = n
        if n < min_n:
            row["note"] = f"only {n} cases with this feature and a score (need {min_n})"
            rows.append(row)
            continue
        if np.ptp(x) == 0 or np.ptp(y) == 0:
            row["note"] = "the feature or the score does not vary"
            rows.append(row)
            continue
        rho, p = stats.spearmanr(x, y)
        half = z * 1.06 / np.sqrt(n - 3)
        row.update(spearman_rho=rho, rho_low=np.tanh(np.arctanh(rho) - half),
                   rho_high=np.tanh(np.arctanh(rho) + half), p_value=p)
        median = float(np.median(x))
        high, low = y[x > median], y[x <= median]
        row.update(median_split=median, n_high=len(high), n_low=len(low))
        if len(high) >= 2 and len(low) >= 2:
            m1, m0 = high.mean(), low.mean()
            v1, v0 = high.var(ddof=1), low.var(ddof=1)
            se = np.sqrt(v1 / len(high) + v0 / len(low))
            dof = se**4 / ((v1 / len(high)) ** 2 / (len(high) - 1) + (v0 / len(low)) ** 2 / (len(low) - 1)) \
                if se > 0 else len(x) - 2
            t = float(stats.t.ppf(0.5 + level / 2, dof))
            diff = m1 - m0
            pooled = np.sqrt(((len(high) - 1) * v1 + (len(low) - 1) * v0) / (len(x) - 2))
            correction = 1 - 3 / (4 * (len(x) - 2) - 1)
            g = diff / pooled * correction if pooled > 0 else np.nan
            se_g = np.sqrt(len(x) / (len(high) * len(low)) + g**2 / (2 * len(x)))
            row.update(score_high=m1, score_low=m0, difference=diff, difference_low=diff - t * se,
                       difference_high=diff + t * se, hedges_g=g, g_low=g - z * se_g, g_high=g + z * se_g)
        else:
            row["note"] = "median split leaves fewer than 2 cases on one side"
        fit = stats.linregress(x, y)
        t = float(stats.t.ppf(0.5 + level / 2, n - 2))
        row.update(slope=fit.slope, slope_low=fit.slope - t * fit.stderr, slope_high=fit.slope + t * fit.stderr)
        rows.append(row)
    columns = ["feature", "n", "spearman_rho", "rho_low", "rho_high", "p_value", "median_split", "n_high",
               "n_low", "score_high", "score_low", "difference", "difference_low", "difference_high", "hedges_g",
               "g_low", "g_high", "slope", "slope_low", "slope_high", "note"]
    out = pd.DataFrame(rows).reindex(columns=columns)
    out["n"] = out["n"].fillna(0).astype(int)
    order = out["spearman_rho"].abs().fillna(-1).sort_values(ascending=False, kind="stable").index
    out = out.loc[order].reset_index(drop=True)
    note = (f"{parsed.n_invalid:,} cases have a score in {score!r} that is not a number "
            f"({parsed.describe()}); they are left out of the association." if parsed.n_invalid else "")
    return ScoreAssociation(association=out, invalid_scores=int(parsed.n_invalid), score_note=note)
