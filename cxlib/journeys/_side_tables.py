"""Small tables next to a prepared log, on the backend its enriched table lives on (internal).

The customer, calendar, persona and segment-difference measures join a small table of their own (each case's
customer or segment, the working calendar's days) to the enriched event table, and keep an intermediate result
that several tables reuse. On the embedded engine (DuckDB) the small table is registered in place and the result
becomes a temporary table; on Spark (a prepared log with a workspace, see :mod:`._spark`) both become temporary
views of the log's workspace, released with it. Either way the expressions themselves are the same Ibis.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from . import _engine
from ._events import Events


def side_table(ev: Events, data: pd.DataFrame | pa.Table, prefix: str):
    """``data`` as an Ibis table on ``ev``'s backend, released with ``ev``."""
    workspace = getattr(ev, "workspace", None)
    if workspace is not None:  # Spark
        frame = data.to_pandas() if isinstance(data, pa.Table) else data
        return workspace.view_of(workspace.backend._session.createDataFrame(frame), prefix)
    table, name = _engine.register(data, prefix)
    ev._tables.append(name)
    return table


def keep(ev: Events, expr, prefix: str):
    """Execute ``expr`` once on ``ev``'s backend and keep the result as a table, released with ``ev``."""
    workspace = getattr(ev, "workspace", None)
    if workspace is not None:  # Spark
        return workspace.keep(expr, prefix)
    table, name = _engine.materialize(expr, prefix)
    ev._tables.append(name)
    return table
