"""One rule for scores: every raw value is valid, missing or invalid for a stated reason, never coerced.

Only plain decimal numbers are numbers: ``"7"``, ``"+7"``, ``"7.0"``, ``"7.50"`` (surrounding whitespace is
ignored). ``"7,5"``, ``"seven"``, ``"inf"``, ``"1e1"``, ``"nan"`` and ``"--"`` are not numeric; an empty or blank
cell, ``None`` and ``NaN`` are "no score". Every module that reads a score (``cxlib.scores``,
``cxlib.feedback.score_to_sentiment``, ``cxlib.owners``) goes through :func:`parse_scores`, so a value counts
the same way everywhere.
"""

from __future__ import annotations

import dataclasses
import decimal
from typing import ClassVar

import numpy as np
import pandas as pd

from .._errors import CxInputError

__all__ = ["NOT_NUMERIC", "NOT_WHOLE", "NO_SCORE", "OUTSIDE", "PROBLEMS", "UNKNOWN_LABEL", "VALID", "ParsedScores",
           "parse_scores"]

VALID = "valid"
NO_SCORE = "no score"
NOT_NUMERIC = "not numeric"
NOT_WHOLE = "not a whole number"
OUTSIDE = "outside the scale"
UNKNOWN_LABEL = "unknown label"
#: every status but "valid", in the order counts and messages list them
PROBLEMS = (NO_SCORE, NOT_NUMERIC, NOT_WHOLE, OUTSIDE, UNKNOWN_LABEL)

# ASCII digits only: "٣" (Arabic-Indic three) or "²" are not plain decimal numbers
_NUMBER = r"[+-]?[0-9]+(?:\.[0-9]+)?"
_NUMBER_TYPES = (int, float, np.integer, np.floating, decimal.Decimal)
_EXAMPLES = 3


@dataclasses.dataclass
class ParsedScores:
    """Scores parsed by :func:`parse_scores`: the value, the status and the counts of every problem.

    Attributes
    ----------
    values : pandas.Series
        float, same index as the input; NaN unless the status is ``"valid"``.
    status : pandas.Series
        object, same index: ``"valid"``, ``"no score"``, ``"not numeric"``, ``"not a whole number"`` or
        ``"outside the scale"``.
    counts : dict
        Problem -> number of values, for the problems that occur (``"no score"`` included, ``"valid"`` not),
        in the order of ``PROBLEMS``.
    examples : dict
        Same keys -> up to 3 distinct raw values as text (``""`` for an empty cell or NaN).
    """

    values: pd.Series
    status: pd.Series
    counts: dict
    examples: dict

    #: The status vocabulary, for callers that compare statuses.
    VALID: ClassVar[str] = "valid"
    NO_SCORE: ClassVar[str] = "no score"
    NOT_NUMERIC: ClassVar[str] = "not numeric"
    NOT_WHOLE: ClassVar[str] = "not a whole number"
    OUTSIDE: ClassVar[str] = "outside the scale"
    UNKNOWN_LABEL: ClassVar[str] = "unknown label"

    def invalid(self) -> pd.Series:
        """Boolean mask of values that are present but not valid (missing scores are not invalid)."""
        return ~self.status.isin([VALID, NO_SCORE])

    def missing(self) -> pd.Series:
        """Boolean mask of values with no score (empty, blank, None, NaN)."""
        return self.status.eq(NO_SCORE)

    @property
    def n_invalid(self) -> int:
        """Number of present but invalid values."""
        return int(sum(n for problem, n in self.counts.items() if problem != NO_SCORE))

    def describe(self, *, missing: bool = False) -> str:
        """The problems as one phrase, e.g. ``"2 outside the scale (e.g. '11', '-1'), 1 not numeric (e.g. '7,5')"``.

        Parameters
        ----------
        missing : bool, default False
            Include the ``"no score"`` count as well.

        Returns
        -------
        str
            Empty when there is nothing to report.
        """
        parts = []
        for problem, n in self.counts.items():
            if problem == NO_SCORE and not missing:
                continue
            shown = ", ".join(repr(v) for v in self.examples.get(problem, []))
            parts.append(f"{n:,} {problem}" + (f" (e.g. {shown})" if shown and problem != NO_SCORE else ""))
        return ", ".join(parts)


def check_scale(scale, *, column: str | None = None, path=None) -> tuple[float, float]:
    """The lowest and highest valid score of a scale, checked.

    Parameters
    ----------
    scale : tuple of two numbers
        ``(lowest, highest)``.
    column : str, optional
        For the message.
    path : str or Path, optional
        For the message.

    Returns
    -------
    tuple of float
        ``(low, high)``.

    Examples
    --------
    >>> check_scale((0, 10))
    (0.0, 10.0)
    """
    try:
        low, high = (float(x) for x in scale)
    except (TypeError, ValueError):
        raise CxInputError(f"scale must be two numbers (lowest, highest), got {scale!r}", path=path,
                           column=column) from None
    if not low < high:
        raise CxInputError(f"scale must go from a lower to a higher number, got {scale!r}", path=path,
                           column=column)
    return low, high


def _as_text(value) -> str:
    """A raw value as text for examples: "" for missing, integral floats without ".0"."""
    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    if isinstance(value, (float, np.floating)) and np.isfinite(value) and float(value).is_integer() \
            and abs(value) < 2**53:
        return str(int(value))
    return str(value)


def _examples(raw: np.ndarray) -> list[str]:
    """Up to 3 distinct raw values as text, in order of appearance."""
    try:
        raw = pd.unique(raw)  # fast on a million values; keeps the order of appearance
    except TypeError:  # unhashable values (lists): look at the first ones only
        raw = raw[:1000]
    shown: list[str] = []
    for value in raw:
        text = _as_text(value)
        if text not in shown:
            shown.append(text)
            if len(shown) == _EXAMPLES:
                break
    return shown


def _parse_text(text: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Numbers, missing and not-numeric masks for a column of strings (and missing values), vectorised."""
    s = text.astype("string").str.strip()
    missing = (s.isna() | s.eq("")).to_numpy(dtype=bool, na_value=True)
    is_number = s.str.fullmatch(_NUMBER).to_numpy(dtype=bool, na_value=False)
    numeric = np.full(len(s), np.nan)
    if is_number.any():
        numeric[is_number] = s[is_number].astype(float).to_numpy(dtype=float)
    return numeric, missing, ~missing & ~is_number


def _parse_mixed(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Numbers, missing and not-numeric masks for an object column mixing strings, numbers and others."""
    raw = values.to_numpy(dtype=object)
    missing = values.isna().to_numpy(dtype=bool).copy()
    is_str = np.fromiter((isinstance(v, str) for v in raw), dtype=bool, count=len(raw))
    is_num = np.fromiter((isinstance(v, _NUMBER_TYPES) and not isinstance(v, (bool, np.bool_)) for v in raw),
                         dtype=bool, count=len(raw)) & ~missing
    numeric = np.full(len(raw), np.nan)
    not_numeric = ~missing & ~is_str & ~is_num  # bools, dates, lists...
    if is_str.any():
        t_num, t_missing, t_bad = _parse_text(pd.Series(raw[is_str], dtype=object))
        numeric[is_str] = t_num
        missing[is_str] = t_missing
        not_numeric[is_str] = t_bad
    if is_num.any():
        numbers = np.array([float(v) for v in raw[is_num]], dtype=float)
        numeric[is_num] = numbers
        not_numeric[is_num] = ~np.isfinite(numbers)
    return numeric, missing, not_numeric


def parse_scores(values: pd.Series, *, scale=None, integer: bool = True, column: str = "score",
                 path=None) -> ParsedScores:
    """Classify every raw score as valid, missing or invalid (and why), without coercing anything.

    The rule: only plain decimal numbers are numbers (``^[+-]?[0-9]+(\\.[0-9]+)?$`` after removing surrounding
    whitespace), so ``"7.0"`` is 7 while ``"7,5"``, ``"seven"``, ``"inf"``, ``"1e1"``, ``"nan"`` and ``"--"`` are
    ``"not numeric"``. In numeric columns NaN is ``"no score"`` and inf / -inf are ``"not numeric"``; booleans
    are ``"not numeric"``. With ``integer`` a number with a fraction is ``"not a whole number"``; with a
    ``scale`` a number outside it is ``"outside the scale"``. An empty or blank cell, None and NaN are
    ``"no score"``, counted apart from the invalid values.

    Parameters
    ----------
    values : pandas.Series
        Raw scores: numbers, text or a mix (any other sequence is turned into a Series).
    scale : tuple of two numbers, optional
        Lowest and highest valid score; None checks only that the values are numbers (and whole, if asked).
    integer : bool, default True
        Whether only whole numbers are valid.
    column : str, default "score"
        Column name for error messages.
    path : str or pathlib.Path, optional
        File name for error messages.

    Returns
    -------
    ParsedScores
        ``values`` (float, NaN unless valid), ``status`` (one of ``"valid"``, ``"no score"``, ``"not numeric"``,
        ``"not a whole number"``, ``"outside the scale"``), ``counts`` and ``examples`` of the problems, and
        ``invalid()``, the mask of present but invalid values.

    Raises
    ------
    cxlib.CxInputError
        If ``scale`` is not two increasing numbers.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.io import parse_scores
    >>> parsed = parse_scores(pd.Series(["9", " 7.0 ", "7,5", "11", ""]), scale=(0, 10))
    >>> parsed.values.tolist()[:2], parsed.status.tolist()[2:]
    ([9.0, 7.0], ['not numeric', 'outside the scale', 'no score'])
    >>> parsed.counts
    {'no score': 1, 'not numeric': 1, 'outside the scale': 1}
    >>> parsed.describe()
    "1 not numeric (e.g. '7,5'), 1 outside the scale (e.g. '11')"
    """
    if not isinstance(values, pd.Series):
        values = pd.Series(list(values) if not isinstance(values, np.ndarray) else values, dtype=object)
    low, high = check_scale(scale, column=column, path=path) if scale is not None else (None, None)
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        missing = values.isna().to_numpy(dtype=bool)
        numeric, not_numeric = np.full(len(values), np.nan), ~missing
    elif pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
        numeric = values.to_numpy(dtype=float, na_value=np.nan)
        missing = np.isnan(numeric)
        not_numeric = ~missing & ~np.isfinite(numeric)
    elif (pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype)) \
            or pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        numeric, missing, not_numeric = _parse_text(values)  # all text: vectorised
    else:
        numeric, missing, not_numeric = _parse_mixed(values)

    status = np.full(len(values), VALID, dtype=object)
    status[missing] = NO_SCORE
    status[not_numeric] = NOT_NUMERIC
    ok = ~missing & ~not_numeric
    with np.errstate(invalid="ignore"):
        if integer:
            fraction = ok & (numeric != np.floor(numeric))
            status[fraction] = NOT_WHOLE
            ok &= ~fraction
        if scale is not None:
            outside = ok & ((numeric < low) | (numeric > high))
            status[outside] = OUTSIDE
            ok &= ~outside
    parsed = pd.Series(np.where(ok, numeric, np.nan), index=values.index, name=values.name, dtype=float)
    status = pd.Series(status, index=values.index, name=values.name, dtype=object)
    counts, examples = {}, {}
    for problem in PROBLEMS:
        mask = (status == problem).to_numpy()
        n = int(mask.sum())
        if n:
            counts[problem] = n
            examples[problem] = _examples(values.to_numpy(dtype=object)[mask])
    return ParsedScores(values=parsed, status=status, counts=counts, examples=examples)
