"""Writing logs for the cluster: any log :func:`cxlib.read_log` accepts as a (partitioned) Parquet dataset.

The dataset keeps pm4py's columns and every other attribute, adds ``cx:row`` (the event's position in the log as
``read_log`` orders it: by case and time, ties in the file's order), so that Spark orders ties and numbers cases
exactly as the embedded engine does, and writes timestamps in microseconds (what Spark reads natively) or, when a
column has times finer than a microsecond, in nanoseconds (64-bit integers, exact). The load report is written
beside it as JSON.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from .._docstrings import share_docs
from .._errors import CxInputError
from ..io import CASE, TIMESTAMP, read_log
from ._spark import ROW

MONTH = "cx_month"
BUCKET = "cx_case_bucket"


def _timestamp_array(col: pd.Series) -> pa.Array:
    """A datetime column as an Arrow timestamp in UTC: microseconds when that loses nothing, else nanoseconds."""
    if isinstance(col.dtype, pd.DatetimeTZDtype):
        col = col.dt.tz_convert("UTC")
    else:
        col = col.dt.tz_localize("UTC")
    ns = col.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT")).view(np.int64)
    missing = ns == np.iinfo(np.int64).min
    exact_us = bool(np.all((ns[~missing] % 1000) == 0))
    unit = "us" if exact_us else "ns"
    values = ns // 1000 if exact_us else ns
    return pa.array(values, type=pa.timestamp(unit, tz="UTC"), mask=missing)


def _arrow_table(log: pd.DataFrame) -> tuple[pa.Table, list[str]]:
    """The log as an Arrow table with ``cx:row``; columns Arrow cannot type are written as text (with a note)."""
    notes = []
    arrays, names = [], []
    for name in log.columns:
        col = log[name]
        if pd.api.types.is_datetime64_any_dtype(col):
            arrays.append(_timestamp_array(col))
        else:
            try:
                arrays.append(pa.array(col, from_pandas=True))
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                text = col.map(lambda v: None if pd.isna(v) else str(v))
                arrays.append(pa.array(text, type=pa.string(), from_pandas=True))
                notes.append(f"column {name!r} mixes value types: written as text")
        names.append(str(name))
    arrays.append(pa.array(np.arange(len(log), dtype=np.int64)))
    names.append(ROW)
    return pa.table(arrays, names=names), notes


def _partition_column(table: pa.Table, log: pd.DataFrame, partition_by: str, buckets: int) -> tuple[pa.Table, str]:
    if partition_by == "month":
        ts = log[TIMESTAMP] if TIMESTAMP in log.columns else None
        if ts is None:
            raise CxInputError(f"partition_by='month' needs the column {TIMESTAMP!r}", column=TIMESTAMP)
        months = pd.to_datetime(ts, utc=True).dt.strftime("%Y-%m")
        return table.append_column(MONTH, pa.array(months, type=pa.string(), from_pandas=True)), MONTH
    if partition_by == "case":
        ids = log[CASE].astype(str) if CASE in log.columns else None
        if ids is None:
            raise CxInputError(f"partition_by='case' needs the column {CASE!r}", column=CASE)
        # a stable hash (the same on every machine and run), so a case's events share one bucket
        bucket = pd.util.hash_pandas_object(ids, index=False).to_numpy() % np.uint64(buckets)
        return table.append_column(BUCKET, pa.array(bucket.astype(np.int32))), BUCKET
    if partition_by not in log.columns:
        raise CxInputError(f"partition_by={partition_by!r}: no such column; use 'month', 'case' or one of "
                           f"{', '.join(map(str, log.columns))}", column=partition_by)
    if ":" in partition_by or "/" in partition_by:
        raise CxInputError(f"partition_by={partition_by!r}: a partition column becomes a folder name, which may "
                           "hold no ':' or '/' on a cluster's file system; use 'month' or 'case'",
                           column=partition_by)
    return table, partition_by


@share_docs
def convert_log(log, out, *, partition_by: str | None = None, buckets: int = 16, overwrite: bool = False,
                **read_options) -> Path:
    """Write an event log as a Parquet dataset for Spark (and any other engine), with its load report beside it.

    Parameters
    ----------
    log : str, Path or pandas.DataFrame
        A log file (anything :func:`cxlib.read_log` reads: XES, CSV, Excel, Parquet) or a log it returned.
    out : str or Path
        Where to write: one Parquet file, or a folder of files when ``partition_by`` is given.
    partition_by : {None, "month", "case"} or str, optional
        ``"month"``: one folder per month of the event's time (``cx_month=2011-10``); ``"case"``: ``buckets``
        folders by a stable hash of the case id (``cx_case_bucket=3``), every case whole in one of them; or the
        name of a column (without ``:``). ``None`` writes one file.
    buckets : int, default 16
        Number of case buckets for ``partition_by="case"``.
    overwrite : bool, default False
        Replace ``out`` when it exists (otherwise that is an error).
    **read_options
        Passed to :func:`cxlib.read_log` (e.g. ``classifier=[...]``) when ``log`` is a file.

    Returns
    -------
    pathlib.Path
        ``out``. Beside it, ``<out>.load-report.json`` holds the load report (rows read, kept, dropped with the
        reasons) and what was written. The dataset has every column of the log, ``cx:row`` (the event's
        position in the log, which orders events at the same time as the embedded engine does) and timestamps
        in UTC microseconds, or nanoseconds where a column has finer times.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import cxlib.journeys as cj
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> out = cj.convert_log("data/helpdesk.xes.gz", folder / "helpdesk", partition_by="case", buckets=4)
    >>> sorted(p.name for p in out.iterdir())[:2]
    ['cx_case_bucket=0', 'cx_case_bucket=1']
    >>> (folder / "helpdesk.load-report.json").exists()
    True
    """
    out = Path(out)
    if buckets < 1:
        raise CxInputError(f"buckets must be at least 1, got {buckets}")
    if out.exists():
        if not overwrite:
            raise CxInputError(f"{out} exists; pass overwrite=True (cx convert --overwrite) to replace it", path=out)
        shutil.rmtree(out) if out.is_dir() else out.unlink()
    if isinstance(log, pd.DataFrame):
        frame, report = log, None
        source = "a pandas DataFrame"
    else:
        frame, report = read_log(log, with_report=True, **read_options)
        source = str(log)
    table, notes = _arrow_table(frame)
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    out.parent.mkdir(parents=True, exist_ok=True)
    if partition_by is None:
        pq.write_table(table, out, row_group_size=1 << 20)
        files = 1
    else:
        table, column = _partition_column(table, frame, partition_by, buckets)
        ds.write_dataset(table, out, format="parquet", partitioning=[column], partitioning_flavor="hive",
                         existing_data_behavior="error", max_rows_per_group=1 << 20,
                         basename_template="part-{i}.parquet")
        files = sum(1 for _ in out.rglob("*.parquet"))
    written = {"source": source, "out": str(out), "rows": table.num_rows, "files": files,
               "partition_by": partition_by, "row_column": ROW,
               "timestamps": {f.name: str(f.type) for f in table.schema if pa.types.is_timestamp(f.type)},
               "notes": notes}
    stored = {"written": written, "load_report": report.to_dict() if report is not None else None}
    out.with_name(out.name + ".load-report.json").write_text(json.dumps(stored, indent=2, default=str),
                                                             encoding="utf-8")
    return out
