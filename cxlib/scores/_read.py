"""Reading survey or feedback exports so that every raw score survives for validation."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .._errors import CxInputError
from ..io import read_csv_text

__all__ = ["read_responses"]


def read_responses(path, *, columns=None, sep: str | None = None, encoding: str | None = None) -> pd.DataFrame:
    """Read a CSV export of responses (plain or .gz) with every cell as text, so nothing is coerced.

    Only empty cells are missing: ``"n/a"`` or ``"NA"`` in a score column stay text and are then reported
    as "not numeric" by :func:`check_scores` instead of silently becoming "no score". Numbers are parsed
    later by the measure functions, which count what they cannot use.

    Parameters
    ----------
    path : str or pathlib.Path
        The CSV file; delimiter and encoding are sniffed unless given.
    columns : list of str, optional
        Columns that must exist (score, touchpoint, date...); a missing one raises a
        :class:`cxlib.CxInputError` naming the file, the column and the columns found.
    sep, encoding : str, optional
        Override the sniffed delimiter / encoding.

    Returns
    -------
    pandas.DataFrame
        All columns of the file, as text (missing = empty cell), in file order.

    Examples
    --------
    >>> from cxlib.scores import read_responses
    >>> tweets = read_responses("data/airline_tweets.csv.gz", columns=["airline", "airline_sentiment"])
    >>> len(tweets)
    14640
    """
    path = Path(path)
    if not path.exists():
        raise CxInputError("file not found (paths in parameter files are relative to the repository root)",
                       path=path)
    df, sep, encoding = read_csv_text(path, sep=sep, encoding=encoding)
    for col in [c for c in (columns or []) if c is not None]:
        if col not in df.columns:
            raise CxInputError(f"expected a column {col!r}; the file has {', '.join(map(str, df.columns))}",
                               path=path, column=col)
    return df
