"""Event logs: XES, CSV, Excel and Parquet into pm4py-style pandas DataFrames, with a load report and a cache.

Every load counts what it read, kept and dropped (with the reason and, for text files, the line), so no row is
lost silently. Timestamps follow :func:`cxlib.io.parse_timestamps`, case ids :func:`cxlib.io.normalise_ids`.
The cache cannot lie: each entry (an Arrow IPC file, LZ4-compressed) records the source file's SHA-256, the load
options, its row count and a checksum of its own bytes, and an entry that does not match is discarded and
rebuilt.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

from .._docstrings import share_docs
from .._errors import CxInputError
from ._columns import ACTIVITY, CASE, RESOURCE, TIMESTAMP
from ._files import cache_dir, file_sha256, sniff_content
from ._ids import normalise_distinct_ids, normalise_ids
from ._report import LoadReport
from ._table import format_of, read_table
from ._timestamps import parse_timestamps
from ._xes import read_xes_frame

__all__ = ["read_log"]

#: Bumped whenever the cached table's layout changes, so old cache entries are never reused.
_CACHE_FORMAT = 5

# Names that mean the same thing in exported CSVs, tried when no mapping is given.
_ALIASES = {
    CASE: ["case:concept:name", "case_id", "caseid", "case id", "case", "ticket", "ticket_id", "customerid"],
    ACTIVITY: ["concept:name", "activity", "activity_name", "event", "touchpoint", "task"],
    TIMESTAMP: ["time:timestamp", "timestamp", "time", "datetime", "date", "start_time", "end_time"],
    RESOURCE: ["org:resource", "resource", "agent", "user", "employee"],
}
_ROLE_KEY = {"case id": CASE, "activity": ACTIVITY, "timestamp": TIMESTAMP, "resource": RESOURCE}
_ROLE_ARG = {"case id": "case", "activity": "activity", "timestamp": "timestamp", "resource": "resource"}


def _resolve_column(columns, given: str | None, role: str, *, path, required: bool) -> str | None:
    columns = list(columns)
    if given is not None:
        if given not in columns:
            raise CxInputError(
                f"the column {given!r} for the {role} is missing. The file has these columns: "
                f"{', '.join(map(str, columns))}.", path=path, column=given)
        return given
    key = _ROLE_KEY[role]
    lowered = {}
    for c in columns:
        lowered.setdefault(str(c).strip().lower(), c)
    for alias in _ALIASES[key]:
        if alias in lowered:
            return lowered[alias]
    if required:
        raise CxInputError(
            f"no column for the {role} was found (looked for {', '.join(_ALIASES[key][:4])}, ...). "
            f"The file has these columns: {', '.join(map(str, columns))}. Name it with {_ROLE_ARG[role]}='...'.",
            path=path, column=key)
    return None


def _normalise(df: pd.DataFrame, lines, report: LoadReport, *, path, case, activity, timestamp, resource,
               classifier, classifier_sep, timestamp_format, source_timezone, dayfirst, case_attributes,
               id_variants, times_are_utc: bool) -> pd.DataFrame:
    if len(df) == 0:
        raise CxInputError("the file contains no events.", path=path)
    case_col = _resolve_column(df.columns, case, "case id", path=path, required=True)
    act_col = _resolve_column(df.columns, activity, "activity", path=path, required=True)
    ts_col = _resolve_column(df.columns, timestamp, "timestamp", path=path, required=True)
    res_col = _resolve_column(df.columns, resource, "resource", path=path, required=False)
    if len({case_col, act_col, ts_col}) < 3:
        raise CxInputError(f"one column was chosen for two roles (case id {case_col!r}, activity {act_col!r}, "
                           f"timestamp {ts_col!r}); name each with case=, activity=, timestamp=.", path=path)
    report.columns = {"case id": str(case_col), "activity": str(act_col), "timestamp": str(ts_col)}
    if res_col is not None:
        report.columns["resource"] = str(res_col)

    rename = {case_col: CASE, act_col: ACTIVITY, ts_col: TIMESTAMP}
    if res_col is not None and res_col not in rename:
        rename[res_col] = RESOURCE
    # A standard key that is not the mapped column would clash after renaming: keep it under a clear name.
    clash = {c: f"{c}:original" for c in rename.values() if c in df.columns and c not in rename}
    out = df.rename(columns={**clash, **rename})
    for col in case_attributes or []:
        if col not in out.columns:
            raise CxInputError(f"the case attribute column {col!r} is missing. The file has these columns: "
                               f"{', '.join(map(str, df.columns))}.", path=path, column=col)
        if not str(col).startswith("case:"):
            out = out.rename(columns={col: f"case:{col}"})

    if classifier:
        parts = [classifier] if isinstance(classifier, str) else list(classifier)
        missing = [p for p in parts if p not in out.columns]
        if missing:
            raise CxInputError(f"the classifier attribute(s) {missing} are missing. The log has these attributes: "
                               f"{', '.join(map(str, out.columns))}.", path=path, column=missing[0])
        joined = out[parts[0]].astype("string")
        for part in parts[1:]:
            joined = joined + classifier_sep + out[part].astype("string").fillna("")
        out = out.assign(**{f"{ACTIVITY}:base": out[ACTIVITY], ACTIVITY: joined})
        report.notes.append(f"activity classifier: {' + '.join(parts)} (joined with {classifier_sep!r}).")

    ids = normalise_ids(out[CASE], column=str(case_col), path=path, id_variants=id_variants)
    for item, n in ids.counts.items():
        if item != "missing id":
            report.count(f"case ids: {item}", n)
    report.notes.extend(f"case ids: {note}" for note in ids.notes)
    activities = out[ACTIVITY].astype("string")
    if times_are_utc and source_timezone:
        report.notes.append(f"source_timezone={source_timezone!r} is not applied: XES times carry their offset "
                            "and were read as written.")
    times = parse_timestamps(out[TIMESTAMP], column=str(ts_col), path=path, timestamp_format=timestamp_format,
                             dayfirst=dayfirst, source_timezone=None if times_are_utc else source_timezone,
                             what="timestamp")
    if not times_are_utc:  # XES dates carry their offset; the reader gives them in UTC
        for label, n in times.formats.items():
            report.count(f"timestamp format: {label}", n)
        for label, n in times.offsets.items():
            report.count(f"timestamps {label}", n)
        report.notes.extend(times.notes)

    reason = pd.Series(None, index=out.index, dtype=object)
    reason = reason.mask(ids.missing.to_numpy(), "missing case id")
    no_act = activities.isna() | (activities.str.strip() == "")
    reason = reason.mask(reason.isna() & no_act.to_numpy(), "missing activity")
    time_reasons = times.reasons
    unparsed_by_reader = int(report.counts.get("values the XES reader could not parse", 0))
    if times_are_utc and unparsed_by_reader:
        # the XES reader leaves a value it could not parse empty; those are unparseable, not missing
        missing_ts = time_reasons.eq("missing timestamp")
        relabel = missing_ts & (missing_ts.cumsum() <= unparsed_by_reader)
        time_reasons = time_reasons.mask(relabel, "unparseable timestamp")
    reason = reason.mask(reason.isna() & time_reasons.notna().to_numpy(), time_reasons)
    bad = reason.notna().to_numpy()
    if bad.all():
        top = reason.value_counts()
        raise CxInputError(f"every row was dropped ({', '.join(f'{r}: {n:,}' for r, n in top.items())}); check "
                           f"the columns: case id {case_col!r}, activity {act_col!r}, timestamp {ts_col!r}.",
                           path=path, column=str(case_col))
    if bad.any():
        for why, idx in reason[bad].groupby(reason[bad], sort=False).groups.items():
            at = None if lines is None else lines[out.index.get_indexer(idx)]
            report.drop(why, len(idx), at)
        bad_ts = reason.isin(["unparseable timestamp"]).to_numpy()
        if bad_ts.any():
            examples = out.loc[bad_ts, TIMESTAMP].astype("string").head(3).tolist()
            report.notes.append(f"unparseable timestamps in column {ts_col!r}, e.g. {examples}.")

    out[CASE] = ids.values
    out[ACTIVITY] = activities
    out[TIMESTAMP] = times.values.dt.as_unit("ns")  # one resolution, whatever the source format
    if bad.any():
        out = out.loc[~bad]
    # Events in time order within each case; ties keep the file's order (a stable sort), as pm4py does.
    return out.sort_values([CASE, TIMESTAMP], kind="stable").reset_index(drop=True)


def _normalise_xes(table, report: LoadReport, *, path, case, activity, timestamp, resource, classifier,
                   classifier_sep, case_attributes, id_variants, source_timezone) -> tuple | None:
    """The XES reader's table (polars) normalised in Arrow when every row stays as it is.

    Gives exactly what :func:`_normalise` gives (same columns, dtypes, order, report entries) and the figures of
    :func:`_finish_report`, as ``(log, figures)``; or None, touching nothing, when the general path is needed:
    rows to drop (missing id, activity or time), ids that normalisation would change or report on, names that
    clash, values that are not text or times, case attributes to rename.
    """
    import polars as pl

    if case_attributes or not isinstance(classifier_sep, str):
        return None
    columns = table.columns
    case_col = _resolve_column(columns, case, "case id", path=path, required=True)
    act_col = _resolve_column(columns, activity, "activity", path=path, required=True)
    ts_col = _resolve_column(columns, timestamp, "timestamp", path=path, required=True)
    res_col = _resolve_column(columns, resource, "resource", path=path, required=False)
    if len({case_col, act_col, ts_col}) < 3:
        return None
    rename = {case_col: CASE, act_col: ACTIVITY, ts_col: TIMESTAMP}
    if res_col is not None and res_col not in rename:
        rename[res_col] = RESOURCE
    if any(c in columns and c not in rename for c in rename.values()):
        return None  # a standard name taken by another column: _normalise keeps it under a clear name
    frame = table.select([pl.col(c).alias(rename.get(c, c)) for c in columns])  # eager: polars' lazy sort is slower
    notes = []
    if classifier:
        parts = [classifier] if isinstance(classifier, str) else list(classifier)
        if not all(isinstance(p, str) and frame.schema.get(p) == pl.String for p in parts):
            return None
        joined = pl.concat_str([pl.col(parts[0])] + [e for part in parts[1:]
                                                     for e in (pl.lit(classifier_sep), pl.col(part).fill_null(""))])
        frame = frame.with_columns(pl.col(ACTIVITY).alias(f"{ACTIVITY}:base"), joined.alias(ACTIVITY))
        notes.append(f"activity classifier: {' + '.join(parts)} (joined with {classifier_sep!r}).")
    schema = frame.schema
    time_type = schema[TIMESTAMP]
    if (schema[CASE] != pl.String or schema[ACTIVITY] != pl.String or not isinstance(time_type, pl.Datetime)
            or time_type.time_unit != "ns"):
        return None
    utc = (pl.col(TIMESTAMP).dt.replace_time_zone("UTC") if time_type.time_zone is None
           else pl.col(TIMESTAMP).dt.convert_time_zone("UTC"))  # XES times are written with their offset
    out = frame.with_columns(utc)
    in_order = out.get_column(CASE).is_sorted() and out.select(
        ((pl.col(CASE) != pl.col(CASE).shift(1)) | (pl.col(TIMESTAMP) >= pl.col(TIMESTAMP).shift(1)))
        .fill_null(True).all()).item()
    if not in_order:  # XES logs are often written in this order already: then the sort would change nothing
        out = out.sort([CASE, TIMESTAMP], maintain_order=True)
    if any(out.get_column(c).null_count() for c in (CASE, ACTIVITY, TIMESTAMP)):
        return None  # rows to drop, each with its reason
    names = out.get_column(ACTIVITY).unique()
    if (pd.Series(names.to_list(), dtype="string").str.strip() == "").any():
        return None  # blank activities are dropped
    same_case = pl.col(CASE) == pl.col(CASE).shift(1)
    flags = out.select(first=same_case.not_().fill_null(True),
                       tied=(same_case & (pl.col(TIMESTAMP) == pl.col(TIMESTAMP).shift(1))).fill_null(False))
    starts = np.flatnonzero(flags.get_column("first").to_numpy())  # sorted: each id is one run of rows
    uniques = np.array(out.get_column(CASE).gather(starts).to_list(), dtype=object)
    _final, id_counts, _examples, _notes = normalise_distinct_ids(
        uniques, np.diff(np.append(starts, out.height)), 0, pd.StringDtype(), column=str(case_col),
        id_variants=id_variants)
    if id_counts:
        return None  # ids to rewrite or report on (whitespace, float text, leading zeros, ...), in file order
    # duplicates (same case, activity and time) lie in runs of one case and time: count within those runs only
    tied = flags.get_column("tied")
    duplicates = 0
    if tied.any():
        runs = (out.select(ACTIVITY).with_columns(run=(~tied).cum_sum(), keep=tied | tied.shift(-1, fill_value=False))
                .filter(pl.col("keep")))
        duplicates = runs.height - runs.select("run", ACTIVITY).n_unique()
    nanoseconds = out.get_column(TIMESTAMP).to_physical()
    span = (pd.Timestamp(nanoseconds.min(), tz="UTC"), pd.Timestamp(nanoseconds.max(), tz="UTC"))
    log = out.to_pandas()
    log[CASE] = log[CASE].astype("string")
    log[ACTIVITY] = log[ACTIVITY].astype("string")

    report.columns = {"case id": str(case_col), "activity": str(act_col), "timestamp": str(ts_col)}
    if res_col is not None:
        report.columns["resource"] = str(res_col)
    report.notes.extend(notes)
    if source_timezone:
        report.notes.append(f"source_timezone={source_timezone!r} is not applied: XES times carry their offset "
                            "and were read as written.")
    return log, {"cases": len(uniques), "activities": len(names), "duplicates": duplicates, "span": span}


def _finish_report(df: pd.DataFrame, report: LoadReport, *, cases: int | None = None,
                   activities: int | None = None, duplicates: int | None = None, span: tuple | None = None) -> None:
    """Rows kept, cases, activities, duplicate events and the time span (figures already counted are given)."""
    report.rows_kept = len(df)
    report.counts["cases"] = int(df[CASE].nunique()) if cases is None else int(cases)
    report.counts["activities"] = int(df[ACTIVITY].nunique()) if activities is None else int(activities)
    report.counts["duplicate events"] = (int(df.duplicated([CASE, ACTIVITY, TIMESTAMP]).sum()) if duplicates is None
                                         else int(duplicates))
    if span is None:
        span = (df[TIMESTAMP].min(), df[TIMESTAMP].max()) if len(df) else (None, None)
    report.start, report.end = span
    report.check()


@share_docs
def read_log(path, *, case: str | None = None, activity: str | None = None, timestamp: str | None = None,
             resource: str | None = None, classifier=None, classifier_sep: str = "+",
             case_attributes: list | None = None, timestamp_format: str | None = None,
             source_timezone: str | None = None, dayfirst: bool | None = None, id_variants: str = "keep",
             sep: str | None = None, encoding: str | None = None, quoting: str = "minimal", sheet=0,
             format: str | None = None, cache: bool = True, progress: bool = False,
             with_report: bool = False) -> pd.DataFrame | tuple[pd.DataFrame, LoadReport]:
    """Read an event log (XES, CSV, Excel or Parquet) into a pandas DataFrame with pm4py's column names.

    The result works with every pm4py function unchanged. Events are sorted by case and time (ties keep the
    file's order). With ``with_report=True`` the load report comes with it: rows read, kept, dropped with
    reasons and lines, duplicates, cases, activities, timestamp formats, time span.

    Parameters
    ----------
    path : str or Path
        ``.xes``, ``.xes.gz``, ``.csv``, ``.csv.gz``, ``.xlsx`` or ``.parquet``; the content decides how it is
        read when the name is wrong (gzip under ``.xes``, text under ``.parquet``).
    case, activity, timestamp, resource : str, optional
        Column names in a CSV/Excel/Parquet file. When not given, the pm4py names and common aliases are tried
        (``case_id``, ``activity``, ``timestamp``, ...).
    classifier : str or list of str, optional
        Attributes whose values, joined with ``classifier_sep``, form the activity, e.g.
        ``["concept:name", "lifecycle:transition"]`` for the BPIC 2013 logs. The original activity is kept in
        ``concept:name:base``.
    classifier_sep : str, default "+"
        Joins the classifier's parts.
    case_attributes : list of str, optional
        CSV/Parquet columns that describe the case; they are renamed ``case:<name>``.
    timestamp_format : str, optional
        {strftime_format}
    {source_timezone}
    {dayfirst}
    {id_variants}
    {read_options}
    format : {"xes", "csv", "excel", "parquet"}, optional
        Overrides the guess from the file name (the content still decides).
    cache : bool, default True
        Reuse a copy (Arrow IPC) keyed by the file's SHA-256 and these options (in ``$CX_CACHE_DIR/logs``, else the
        user cache folder); ``False`` parses the file again and writes nothing.
    progress : bool, default False
        Show a progress bar over the load steps.
    {with_report}

    Returns
    -------
    pandas.DataFrame, or (pandas.DataFrame, LoadReport) with ``with_report``
        One row per event with at least these columns:

        - ``case:concept:name`` (string): the case (journey) id.
        - ``concept:name`` (string): the activity (touchpoint), after the classifier.
        - ``time:timestamp`` (datetime64[ns, UTC]): when it happened.
        - ``org:resource`` (string), when the log has a resource.
        - every other attribute of the file; case-level ones start with ``case:``.

    Raises
    ------
    cxlib.CxInputError
        An empty or truncated file, invalid XML, a missing column (the message lists the existing ones),
        timestamps that cannot be parsed at all or whose day/month order is ambiguous.

    Examples
    --------
    >>> log, report = read_log("data/helpdesk.xes.gz", with_report=True)
    >>> report.cases, report.rows_dropped
    (4580, 0)
    >>> log[["case:concept:name", "concept:name", "time:timestamp"]].shape
    (21348, 3)
    """
    from tqdm.auto import tqdm

    started = time.perf_counter()
    path = Path(path)
    if not path.exists():
        raise CxInputError("the file does not exist.", path=path)
    if path.is_dir():
        raise CxInputError("this is a folder; expected an event-log file.", path=path)
    claimed = format_of(path, format, allowed=("xes", "csv", "excel", "parquet"))
    options = {"case": case, "activity": activity, "timestamp": timestamp, "resource": resource,
               "classifier": classifier, "classifier_sep": classifier_sep, "case_attributes": case_attributes,
               "timestamp_format": timestamp_format, "source_timezone": source_timezone, "dayfirst": dayfirst,
               "id_variants": id_variants, "sep": sep, "encoding": encoding, "quoting": quoting, "sheet": sheet,
               "format": claimed}
    bar = tqdm(total=3, desc=f"loading {path.name}", disable=not progress, leave=False)

    entry = None
    cache_notes: list[str] = []
    if cache:
        source_sha = file_sha256(path)
        entry = _CacheEntry(source_sha, options)
        cached = entry.load(path, started, cache_notes)
        if cached is not None:
            bar.update(3)
            bar.close()
            return cached if with_report else cached[0]

    report = LoadReport(path=str(path), format=claimed)
    lines = None
    if claimed == "xes" or (claimed != "xes" and _holds_xml(path)):
        report.format = "xes"
        if claimed != "xes":
            report.notes.append(f"the file is named as {claimed} but holds XML; read as XES.")
        raw = read_xes_frame(path, report)  # polars (rustxes) or pandas (pm4py's parser)
        report.rows_read = len(raw)
        times_are_utc = True
    else:
        raw, lines, report = read_table(path, format=claimed, sep=sep, encoding=encoding, quoting=quoting,
                                        sheet=sheet, report=report)
        times_are_utc = False
    report.notes.extend(cache_notes)
    bar.update(1)
    if len(raw) == 0:
        mismatch = [n for n in report.notes if n.startswith("the file is named as")]
        raise CxInputError("the file contains no events" + (f" ({mismatch[0].rstrip('.')})" if mismatch else "") + ".",
                           path=path)
    fast = None
    if not isinstance(raw, pd.DataFrame):  # rustxes' table: normalised in Arrow when no row needs more
        fast = _normalise_xes(raw, report, path=path, case=case, activity=activity, timestamp=timestamp,
                              resource=resource, classifier=classifier, classifier_sep=classifier_sep,
                              case_attributes=case_attributes, id_variants=id_variants,
                              source_timezone=source_timezone)
        if fast is None:
            raw = raw.to_pandas()
    if fast is not None:
        log, figures = fast
    else:
        log, figures = _normalise(raw, lines, report, path=path, case=case, activity=activity,
                                  timestamp=timestamp, resource=resource, classifier=classifier,
                                  classifier_sep=classifier_sep, timestamp_format=timestamp_format,
                                  source_timezone=source_timezone, dayfirst=dayfirst,
                                  case_attributes=case_attributes, id_variants=id_variants,
                                  times_are_utc=times_are_utc), {}
    bar.update(1)
    _finish_report(log, report, **figures)
    report.seconds = time.perf_counter() - started
    if entry is not None:
        entry.save(log, report)
    bar.update(1)
    bar.close()
    return (log, report) if with_report else log


def _holds_xml(path: Path) -> bool:
    """Whether the file's first bytes (gunzipped when gzip) are XML; only the head is read."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
        if head[:2] == b"\x1f\x8b":
            with gzip.open(path, "rb") as fh:
                head = fh.read(4096)
    except (OSError, EOFError):
        return False  # the table reader gives the clear error
    return bool(head) and sniff_content(head) == "xml"


def _read_entry(content: bytes) -> pd.DataFrame:
    """A cache entry's table (an Arrow IPC file): the columns are kept as the fresh load had them (text as
    strings, not dictionaries), so nothing is decoded; the pandas metadata restores the dtypes."""
    import pyarrow as pa

    return pa.ipc.open_file(pa.BufferReader(content)).read_all().to_pandas(use_threads=False)


class _CacheEntry:
    """One cache entry: ``KEY.arrow`` (the log, an Arrow IPC file) and ``KEY.json`` (what it must match).

    Arrow IPC rather than Parquet: reading it back is a copy of its buffers (LZ4 decompresses at gigabytes per
    second), where Parquet's pages and dictionaries cost several times more to decode; the file is about three
    times the size of an uncompressed Parquet one."""

    def __init__(self, source_sha: str, options: dict):
        self.meta = {"format": _CACHE_FORMAT, "source_sha256": source_sha,
                     "options": json.loads(json.dumps(options, sort_keys=True, default=str))}
        key = hashlib.sha256(json.dumps(self.meta, sort_keys=True).encode()).hexdigest()[:32]
        folder = cache_dir("logs")
        self.table = folder / f"{key}.arrow"
        self.sidecar = folder / f"{key}.json"

    def _discard(self) -> None:
        self.table.unlink(missing_ok=True)
        self.sidecar.unlink(missing_ok=True)

    def load(self, path: Path, started: float, notes: list) -> tuple[pd.DataFrame, LoadReport] | None:
        if not self.table.exists() and not self.sidecar.exists():
            return None
        problem = None
        try:
            stored = json.loads(self.sidecar.read_text(encoding="utf-8"))
            if {k: stored.get(k) for k in self.meta} != self.meta:
                problem = "it was made from another file or other options"
            elif hashlib.sha256(content := self.table.read_bytes()).hexdigest() != stored.get("content_sha256"):
                problem = "its checksum does not match its content"  # (read once: checked, then parsed)
            else:
                log = _read_entry(content)
                for column in stored.get("object_columns", []):  # as the fresh load had them: object, None
                    if column in log.columns and log[column].dtype != object:
                        values = log[column].astype(object)
                        log[column] = values.where(log[column].notna(), None)
                report = LoadReport.from_dict(stored["load_report"])
                if len(log) != stored.get("rows") or len(log) != report.rows_kept:
                    problem = "its row count does not match"
                elif not {CASE, ACTIVITY, TIMESTAMP} <= set(log.columns):
                    problem = "it lacks the log's columns"
        except Exception as exc:  # noqa: BLE001 - a damaged entry of any kind is discarded and rebuilt
            problem = f"it could not be read ({type(exc).__name__})"
        if problem:
            self._discard()
            notes.append(f"a cache entry for this file was discarded ({problem}) and the file read again.")
            return None
        report.path = str(path)
        report.cache_hit = True
        report.seconds = time.perf_counter() - started
        return log, report

    def save(self, log: pd.DataFrame, report: LoadReport) -> None:
        import pyarrow as pa

        tag = f".tmp{os.getpid()}-{time.monotonic_ns()}"
        tmp_table = self.table.with_name(self.table.name + tag)
        tmp_sidecar = self.sidecar.with_name(self.sidecar.name + tag)
        try:
            table = pa.Table.from_pandas(log, preserve_index=False)
            with pa.ipc.new_file(str(tmp_table), table.schema,
                                 options=pa.ipc.IpcWriteOptions(compression="lz4")) as writer:
                writer.write_table(table)
            sidecar = {**self.meta, "rows": len(log), "content_sha256": file_sha256(tmp_table),
                       "object_columns": [str(c) for c in log.columns if log[c].dtype == object],
                       "load_report": report.to_dict()}
            tmp_sidecar.write_text(json.dumps(sidecar, default=str), encoding="utf-8")
            os.replace(tmp_table, self.table)  # atomic; a reader of the old sidecar sees a checksum mismatch
            os.replace(tmp_sidecar, self.sidecar)
        except OSError as exc:
            report.notes.append(f"the load could not be cached ({exc.strerror}); it will be read again next time.")
        finally:
            tmp_table.unlink(missing_ok=True)
            tmp_sidecar.unlink(missing_ok=True)

