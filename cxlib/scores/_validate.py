"""Score validation: every response is classified as valid, missing or invalid, never silently coerced.

The rule itself (what is a number, a whole number, on the scale) is :func:`cxlib.io.parse_scores`,
shared with ``cxlib.feedback`` and ``cxlib.owners``; this module lists the problems for a report.
"""

from __future__ import annotations

import pandas as pd

from .._docstrings import share_docs
from .._errors import CxInputError
from ..io import ParsedScores, parse_scores
from ..io import check_scale as _scale_bounds

VALID, NO_SCORE, NOT_NUMERIC = ParsedScores.VALID, ParsedScores.NO_SCORE, ParsedScores.NOT_NUMERIC
NOT_WHOLE, OUTSIDE, UNKNOWN_LABEL = ParsedScores.NOT_WHOLE, ParsedScores.OUTSIDE, ParsedScores.UNKNOWN_LABEL

__all__ = ["check_scores"]


def _is_ibis(df) -> bool:
    """True for an Ibis table (responses that live in a database or a Spark cluster: scored where they are)."""
    return type(df).__module__.startswith("ibis.") and hasattr(df, "aggregate")


def _require_column(df: pd.DataFrame, column: str, what: str) -> None:
    if not isinstance(df, pd.DataFrame) and not _is_ibis(df):
        raise CxInputError(f"expected a pandas DataFrame (or an Ibis table) of responses, got {type(df).__name__}")
    if column not in df.columns:
        raise CxInputError(
            f"column {column!r} ({what}) not found; the table has {', '.join(map(str, df.columns))}",
            column=column,
        )


def _as_by(by) -> list:
    if by is None:
        return []
    if isinstance(by, (str, int)):
        return [by]
    return list(by)


def _check_scale(scale) -> tuple[float, float]:
    return _scale_bounds(scale)


def classify_scores(values: pd.Series, scale, *, integer: bool = True) -> tuple[pd.Series, pd.Series]:
    """Numeric value (NaN unless valid) and status for each response; thin wrapper of the one score rule.

    See :func:`cxlib.io.parse_scores`; internal building block of the measures.
    """
    parsed = parse_scores(values, scale=_check_scale(scale), integer=integer)
    return parsed.values, parsed.status


@share_docs
def check_scores(df: pd.DataFrame, *, score: str = "score", scale=(0, 10), integer: bool = True,
                 labels=None, by=None) -> pd.DataFrame:
    """List every response without a valid score, and why.

    Nothing is coerced: ``"7,5"`` is not numeric, ``7.5`` is not a whole number on an integer scale,
    ``11`` is outside a 0-10 scale, and an empty cell is "no score". Use this table in a report
    next to the measures, whose ``n_missing`` and ``n_invalid`` columns count the same rows.

    Parameters
    ----------
    {df_responses}
    score : str, default "score"
        Column with the raw score (numbers or text).
    scale : tuple of two numbers, default (0, 10)
        Lowest and highest valid score.
    integer : bool, default True
        Whether only whole numbers are valid.
    labels : list of str, optional
        For class labels (sentiment) instead of numbers: the valid labels. Others are ``"unknown label"``.
    by : str or list of str, optional
        Columns copied into the output (e.g. the touchpoint) so problems can be located.

    Returns
    -------
    pandas.DataFrame
        One row per problem response, in input order, with columns:

        - ``row``: the index label of the response in ``df``;
        - the ``by`` columns, if given;
        - ``value``: the raw value as text (empty for missing);
        - ``problem``: ``"no score"``, ``"not numeric"``, ``"not a whole number"``, ``"outside the scale"``
          or (with ``labels``) ``"unknown label"``;
        - ``expected``: what a valid score looks like, e.g. ``"a whole number from 0 to 10"``.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.scores import check_scores
    >>> check_scores(pd.DataFrame({"score": [9, 11, None, "n/a"]}))["problem"].tolist()
    ['outside the scale', 'no score', 'not numeric']
    """
    _require_column(df, score, "the score")
    by = _as_by(by)
    for col in by:
        _require_column(df, col, "a grouping column")
    if labels is not None:
        raw = df[score]
        missing = raw.isna() | raw.map(lambda v: isinstance(v, str) and v.strip() == "")
        status = pd.Series(VALID, index=df.index, dtype=object)
        status[~raw.isin(list(labels))] = UNKNOWN_LABEL
        status[missing] = NO_SCORE
        expected = "one of " + ", ".join(map(str, labels))
    else:
        low, high = _scale_bounds(scale, column=score)
        status = parse_scores(df[score], scale=(low, high), integer=integer, column=score).status
        expected = f"{'a whole number' if integer else 'a number'} from {low:g} to {high:g}"
    bad = status != VALID
    out = pd.DataFrame({"row": df.index[bad.to_numpy()]})
    for col in by:
        out[col] = df.loc[bad, col].to_numpy()
    out["value"] = df.loc[bad, score].map(lambda v: "" if pd.isna(v) else str(v)).to_numpy()
    out["problem"] = status[bad].to_numpy()
    out["expected"] = expected
    return out
