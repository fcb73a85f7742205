"""What the journey results share: the sentence on dropped log rows, and taking a table from a result.

The result classes themselves (:class:`~cxlib.journeys.ProcessMap`, :class:`~cxlib.journeys.Variants`, ...)
live next to the function that makes them; each is a :class:`cxlib.display.Result` whose fields are its tables
and what a reader must know about them.
"""

from __future__ import annotations

import pandas as pd

from .._errors import CxInputError
from ..display import say


def dropped_parts(dropped_rows: dict) -> list:
    """A sentence on the log rows left out of a result (none when nothing was left out), for ``parts()``."""
    if not dropped_rows:
        return []
    detail = ", ".join(f"{reason}: {n:,}" for reason, n in dropped_rows.items())
    return [say("{n} rows of the log were left out ({d}).", n=f"{sum(dropped_rows.values()):,}", d=detail)]


def table_of(result, cls: type, field: str = "table") -> pd.DataFrame:
    """The table of a result of class ``cls`` (its field ``field``), or ``result`` itself when it is a table."""
    if isinstance(result, cls):
        return getattr(result, field)
    if not isinstance(result, pd.DataFrame):
        raise CxInputError(f"expected a {cls.__name__} or its {field} (a pandas DataFrame), got "
                           f"{type(result).__name__}")
    return result
