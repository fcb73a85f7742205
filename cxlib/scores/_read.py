"""Reading survey or feedback exports so that every raw score survives for validation."""

from __future__ import annotations

import io as _io
from pathlib import Path

import pandas as pd

from .._errors import CxInputError
from ..io import _open_bytes, sniff_csv

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
    raw = _open_bytes(path)
    sep, encoding = sniff_csv(raw, path=path, sep=sep, encoding=encoding)
    try:
        df = pd.read_csv(_io.BytesIO(raw), sep=sep, encoding=encoding, dtype=str, keep_default_na=False,
                         na_values=[""])
    except pd.errors.EmptyDataError:
        raise CxInputError("the file has no header line and no rows.", path=path) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise CxInputError(f"could not parse it as CSV with delimiter {sep!r} and encoding {encoding}: {exc}",
                           path=path) from None
    for col in [c for c in (columns or []) if c is not None]:
        if col not in df.columns:
            raise CxInputError(f"expected a column {col!r}; the file has {', '.join(map(str, df.columns))}",
                               path=path, column=col)
    return df
