"""The column keys of an event log (pm4py's names) and the one check that columns exist."""

from __future__ import annotations

from .._errors import CxInputError

__all__ = ["ACTIVITY", "CASE", "RESOURCE", "TIMESTAMP", "require_columns"]

#: Case (journey) id column of an event log.
CASE = "case:concept:name"
#: Activity (touchpoint) column of an event log.
ACTIVITY = "concept:name"
#: Event time column (tz-aware UTC) of an event log.
TIMESTAMP = "time:timestamp"
#: Resource (agent, team) column of an event log.
RESOURCE = "org:resource"


def require_columns(table, columns, *, what: str = "the table", path=None, role: str | None = None) -> None:
    """Raise a clear error when columns are missing.

    Parameters
    ----------
    table : pandas.DataFrame
        The table to check.
    columns : str or iterable of str
        The columns that must exist (None entries are ignored).
    what : str, default "the table"
        What the table is, for the message (e.g. ``"the event log"``).
    path : str or Path, optional
        The file the table came from.
    role : str, optional
        What the column is for (``"case id"``, ``"score"``), for the message.

    Returns
    -------
    None
        Nothing, when every column exists.

    Raises
    ------
    cxlib.CxInputError
        Naming the first missing column, its role, and the columns that exist.

    Examples
    --------
    >>> import pandas as pd
    >>> require_columns(pd.DataFrame({"a": [1]}), ["a"])
    >>> try:
    ...     require_columns(pd.DataFrame({"a": [1]}), "b", role="score")
    ... except CxInputError as err:
    ...     print(err)
    the column 'b' for the score is missing in the table; it has these columns: a.
    """
    import pandas as pd

    if not isinstance(table, pd.DataFrame):
        raise CxInputError(f"expected a pandas DataFrame for {what}, got {type(table).__name__}.", path=path)
    if columns is None:
        return
    if isinstance(columns, str):
        columns = [columns]
    for column in columns:
        if column is not None and column not in table.columns:
            purpose = f" for the {role}" if role else ""
            raise CxInputError(
                f"the column {column!r}{purpose} is missing in {what}; it has these columns: "
                f"{', '.join(map(str, table.columns))}.", path=path, column=column)
