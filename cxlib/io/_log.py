"""Loading event logs: XES, CSV and Parquet into pm4py-style pandas DataFrames, with a load report and a cache.

Every load counts what it read, what it kept and what it dropped (with the reason), so no row is lost silently.
Bad input raises :class:`cxlib.CxInputError` naming the file and the problem.
"""

from __future__ import annotations

import csv
import dataclasses
import gzip
import hashlib
import io as _io
import json
import os
import time
import warnings
import zlib
from pathlib import Path

import pandas as pd

from .._errors import CxInputError

__all__ = [
    "ACTIVITY",
    "CASE",
    "RESOURCE",
    "TIMESTAMP",
    "LoadReport",
    "cache_dir",
    "file_sha256",
    "load_report",
    "read_csv_text",
    "read_log",
    "read_yaml",
    "sniff_csv",
]

CASE = "case:concept:name"
ACTIVITY = "concept:name"
TIMESTAMP = "time:timestamp"
RESOURCE = "org:resource"

#: Bumped whenever the cached table's layout changes, so old cache entries are never reused.
_CACHE_FORMAT = 1

# Names that mean the same thing in exported CSVs, tried when no mapping is given.
_ALIASES = {
    CASE: ["case:concept:name", "case_id", "caseid", "case id", "case", "ticket", "ticket_id", "customerid"],
    ACTIVITY: ["concept:name", "activity", "activity_name", "event", "touchpoint", "task"],
    TIMESTAMP: ["time:timestamp", "timestamp", "time", "datetime", "date", "start_time", "end_time"],
    RESOURCE: ["org:resource", "resource", "agent", "user", "employee"],
}


@dataclasses.dataclass
class LoadReport:
    """What a load read, kept and dropped.

    Attributes
    ----------
    path : str
        The file read.
    format : str
        ``xes``, ``csv`` or ``parquet``.
    reader : str
        Which parser did the work (``rustxes``, ``pm4py-iterparse``, ``pandas``, ``cache``).
    rows_read : int
        Events (rows) in the file.
    rows_kept : int
        Events in the returned table.
    dropped : dict
        Reason -> number of rows dropped for it (e.g. ``missing case id``, ``unparseable timestamp``).
    duplicate_events : int
        Events identical to an earlier one in case, activity and timestamp (kept, only counted).
    cases, activities : int
        Distinct cases and activities kept.
    start, end : pandas.Timestamp or None
        The first and last timestamp kept (UTC).
    cache_hit : bool
        True when the table came from the Parquet cache.
    seconds : float
        Wall-clock time of the load.
    notes : list of str
        Anything else the analyst should know (the classifier used, time zone assumed, examples of bad values).
    """

    path: str
    format: str
    reader: str = ""
    rows_read: int = 0
    rows_kept: int = 0
    dropped: dict = dataclasses.field(default_factory=dict)
    duplicate_events: int = 0
    cases: int = 0
    activities: int = 0
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    cache_hit: bool = False
    seconds: float = 0.0
    notes: list = dataclasses.field(default_factory=list)

    @property
    def rows_dropped(self) -> int:
        """Total rows dropped, over all reasons."""
        return int(sum(self.dropped.values()))

    def to_frame(self) -> pd.DataFrame:
        """The report as a two-column table (``item``, ``value``) for display."""
        items = [
            ("file", Path(self.path).name),
            ("format / reader", f"{self.format} / {self.reader}" + (" (from cache)" if self.cache_hit else "")),
            ("rows read", f"{self.rows_read:,}"),
            ("rows kept", f"{self.rows_kept:,}"),
            ("rows dropped", f"{self.rows_dropped:,}"),
        ]
        items += [(f"  dropped: {reason}", f"{n:,}") for reason, n in self.dropped.items()]
        items += [
            ("duplicate events (kept)", f"{self.duplicate_events:,}"),
            ("cases", f"{self.cases:,}"),
            ("activities", f"{self.activities:,}"),
            ("time span", f"{_fmt_ts(self.start)} to {_fmt_ts(self.end)}"),
            ("load time", f"{self.seconds:.2f} s"),
        ]
        items += [("note", n) for n in self.notes]
        return pd.DataFrame(items, columns=["item", "value"])

    def to_dict(self) -> dict:
        """The report as plain JSON-friendly values."""
        d = dataclasses.asdict(self)
        d["dropped"] = {str(k): int(v) for k, v in self.dropped.items()}
        d["start"] = None if self.start is None else self.start.isoformat()
        d["end"] = None if self.end is None else self.end.isoformat()
        d["rows_dropped"] = self.rows_dropped
        return d

    @classmethod
    def from_dict(cls, d: dict) -> LoadReport:
        d = {k: v for k, v in d.items() if k in {f.name for f in dataclasses.fields(cls)}}
        for key in ("start", "end"):
            d[key] = None if d.get(key) is None else pd.Timestamp(d[key])
        return cls(**d)

    def __str__(self) -> str:
        return "\n".join(f"{item}: {value}" for item, value in self.to_frame().itertuples(index=False))

    def _repr_html_(self) -> str:
        return self.to_frame().to_html(index=False, header=False, escape=True, border=0, classes="cx-table")


def _fmt_ts(ts) -> str:
    return "-" if ts is None or pd.isna(ts) else pd.Timestamp(ts).strftime("%Y-%m-%d %H:%M")


# --------------------------------------------------------------------------------------------------------------
# small shared helpers


def file_sha256(path, chunk: int = 1 << 20) -> str:
    """The SHA-256 hex digest of a file's bytes.

    Parameters
    ----------
    path : str or Path
        The file.
    chunk : int
        Bytes read at a time.

    Returns
    -------
    str
        64 hex digits.

    Examples
    --------
    >>> len(file_sha256("data/helpdesk.xes.gz"))
    64
    """
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def cache_dir(kind: str = "logs") -> Path:
    """The folder for cxlib's caches: ``$CX_CACHE_DIR/<kind>``, else the user cache folder.

    Parameters
    ----------
    kind : str
        Sub-folder, e.g. ``logs`` or ``embeddings``.

    Returns
    -------
    pathlib.Path
        The folder (created if missing).

    Examples
    --------
    >>> cache_dir("logs").is_dir()
    True
    """
    root = os.environ.get("CX_CACHE_DIR")
    if not root:
        import platformdirs

        root = platformdirs.user_cache_dir("cx-workbench")
    folder = Path(root).expanduser() / kind
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def read_yaml(path, *, what: str = "YAML file"):
    """Read a YAML file (parameters, targets, designs, touchpoint models) with errors that name the file.

    Parameters
    ----------
    path : str or Path
        The file.
    what : str, default "YAML file"
        What the file is, for the error message (e.g. ``"targets file"``).

    Returns
    -------
    object
        The parsed document (usually a dict; None for an empty file).

    Raises
    ------
    cxlib.CxInputError
        The file does not exist, or is not valid YAML (with the line and column).

    Examples
    --------
    >>> read_yaml("notebooks/params/journeys_helpdesk.yml", what="parameter file")["log_path"]
    'data/helpdesk.xes.gz'
    """
    import yaml

    path = Path(path)
    if not path.is_file():
        raise CxInputError(f"{what} not found: the file does not exist.", path=path)
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CxInputError(f"{what} is not valid YAML: {exc}", path=path) from None


def _open_bytes(path: Path) -> bytes:
    """Read a file's bytes, un-gzipping ``.gz``, with clear errors for empty and truncated files."""
    raw = path.read_bytes()
    if not raw:
        raise CxInputError("the file is empty (0 bytes).", path=path)
    if path.suffix == ".gz" or raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except EOFError:
            raise CxInputError(
                "the gzip file is truncated (it ends before the end-of-stream marker); "
                "copy or download it again.", path=path) from None
        except (OSError, zlib.error) as exc:
            raise CxInputError(f"the file is not valid gzip: {exc}.", path=path) from None
        if not raw.strip():
            raise CxInputError("the file is empty once decompressed.", path=path)
    return raw


def sniff_csv(raw: bytes, *, path=None, sep: str | None = None, encoding: str | None = None) -> tuple[str, str]:
    """Guess the delimiter and encoding of CSV bytes.

    Parameters
    ----------
    raw : bytes
        The file's content (already decompressed).
    path : str, optional
        Only used in error messages.
    sep, encoding : str, optional
        Given values win over the guesses.

    Returns
    -------
    tuple of str
        ``(delimiter, encoding)``.

    Examples
    --------
    >>> sniff_csv("a;b\\n1;ü\\n".encode("latin-1"))
    (';', 'cp1252')
    """
    if encoding is None:
        for candidate in ("utf-8-sig", "cp1252", "latin-1"):
            try:
                raw.decode(candidate)
                encoding = candidate
                break
            except UnicodeDecodeError:
                continue
        if encoding == "utf-8-sig" and not raw.startswith(b"\xef\xbb\xbf"):
            encoding = "utf-8"
    if sep is None:
        sample = raw[:65536].decode(encoding, errors="replace")
        try:
            sep = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
        except csv.Error:
            counts = {d: sample.splitlines()[0].count(d) if sample else 0 for d in ",;\t|"}
            sep = max(counts, key=counts.get)
            if counts[sep] == 0:
                raise CxInputError("could not find the column delimiter in the first line "
                                   "(tried , ; tab |); pass sep=...", path=path) from None
    return sep, encoding


def _resolve_column(df: pd.DataFrame, given: str | None, role: str, *, path, required: bool) -> str | None:
    columns = list(df.columns)
    if given is not None:
        if given not in df.columns:
            raise CxInputError(
                f"the column {given!r} for the {role} is missing. The file has these columns: "
                f"{', '.join(map(str, columns))}.", path=path, column=given)
        return given
    lowered = {str(c).strip().lower(): c for c in columns}
    standard = {CASE: "case id", ACTIVITY: "activity", TIMESTAMP: "timestamp", RESOURCE: "resource"}
    key = next(k for k, v in standard.items() if v == role)
    for alias in _ALIASES[key]:
        if alias in lowered:
            return lowered[alias]
    if required:
        arg = {"case id": "case", "activity": "activity", "timestamp": "timestamp"}[role]
        raise CxInputError(
            f"no column for the {role} was found (looked for {', '.join(_ALIASES[key][:4])}, ...). "
            f"The file has these columns: {', '.join(map(str, columns))}. Name it with {arg}='...'.",
            path=path, column=key)
    return None


# --------------------------------------------------------------------------------------------------------------
# format readers: each returns (raw DataFrame with pm4py keys where the format has them, reader name)


def _read_xes(path: Path, report: LoadReport) -> pd.DataFrame:
    if path.stat().st_size == 0:
        raise CxInputError("the file is empty (0 bytes).", path=path)
    try:
        import rustxes

        table, _meta = rustxes.import_xes(str(path))
        if table.height == 0:
            _open_bytes(path)  # an empty or truncated file gets its own message
        if path.suffix.lower() != ".gz":
            _check_xes_end(path)
        df = table.to_pandas()
        report.reader = "rustxes"
        return df
    except CxInputError:
        raise
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as rust_error:  # noqa: BLE001 - rustxes panics are BaseExceptions; diagnose, fall back
        raw = _open_bytes(path)  # empty / truncated gzip get their own message
        _check_xml(raw, path)
        report.notes.append(f"rustxes could not read the file ({type(rust_error).__name__}); "
                            "used pm4py's default parser.")
    import pm4py
    from pm4py.util import constants

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = pm4py.read_xes(str(path), variant=constants.DEFAULT_XES_PARSER)
    report.reader = f"pm4py-{constants.DEFAULT_XES_PARSER}"
    return pd.DataFrame(df)


def _check_xes_end(path: Path) -> None:
    """A plain XES file cut short still parses partly in rustxes; its missing ``</log>`` gives it away."""
    with open(path, "rb") as fh:
        fh.seek(max(0, path.stat().st_size - 4096))
        tail = fh.read().rstrip()
    if not tail.endswith(b"</log>"):
        _check_xml(path.read_bytes(), path)
        raise CxInputError("the XES file is truncated: it does not end with </log>.", path=path)


def _check_xml(raw: bytes, path: Path) -> None:
    """Raise a clear error with line and column when the bytes are not well-formed XML."""
    from lxml import etree

    parser = etree.XMLPullParser(events=("start",), huge_tree=True)
    try:
        for offset in range(0, len(raw), 1 << 20):
            parser.feed(raw[offset:offset + (1 << 20)])
            for _ in parser.read_events():
                pass
        parser.close()
    except etree.XMLSyntaxError as exc:
        line, col = exc.position if exc.position else (None, None)
        raise CxInputError(f"invalid XML at line {line}, column {col}: {exc.msg}.", path=path) from None


def read_csv_text(path, *, sep: str | None = None, encoding: str | None = None) -> tuple[pd.DataFrame, str, str]:
    """Read a CSV (optionally gzipped) with every cell as text, the delimiter and encoding sniffed.

    Cells stay text (empty cells become missing), so the caller decides how to parse numbers and dates and can
    count what does not parse instead of losing it.

    Parameters
    ----------
    path : str or Path
        ``.csv`` or ``.csv.gz``.
    sep, encoding : str, optional
        Given values win over the sniffed ones.

    Returns
    -------
    tuple
        ``(table, delimiter, encoding)``.

    Raises
    ------
    cxlib.CxInputError
        An empty or truncated file, no header, or text that does not parse as CSV.

    Examples
    --------
    >>> table, sep, encoding = read_csv_text("data/bpic2016_complaints.csv")
    >>> (len(table), sep, encoding)
    (289, ';', 'cp1252')
    """
    path = Path(path)
    raw = _open_bytes(path)
    sep, encoding = sniff_csv(raw, path=path, sep=sep, encoding=encoding)
    try:
        df = pd.read_csv(_io.BytesIO(raw), sep=sep, encoding=encoding, dtype=str, keep_default_na=False,
                         na_values=[""])
    except pd.errors.EmptyDataError:
        raise CxInputError("the file has no header line and no rows.", path=path) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise CxInputError(f"could not parse it as CSV with delimiter {sep!r} and encoding {encoding}: {exc}. "
                           "Pass sep=... or encoding=...", path=path) from None
    return df, sep, encoding


def _read_csv(path: Path, report: LoadReport, sep, encoding) -> pd.DataFrame:
    df, sep, encoding = read_csv_text(path, sep=sep, encoding=encoding)
    report.reader = "pandas"
    report.notes.append(f"CSV delimiter {sep!r}, encoding {encoding}.")
    return df


def _read_parquet(path: Path, report: LoadReport) -> pd.DataFrame:
    if path.stat().st_size == 0:
        raise CxInputError("the file is empty (0 bytes).", path=path)
    try:
        df = pd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many kinds
        raise CxInputError(f"could not read it as Parquet: {exc}.", path=path) from None
    report.reader = "pyarrow"
    return df


def _format_of(path: Path, fmt: str | None) -> str:
    if fmt:
        return fmt.lower()
    name = path.name.lower()
    for suffix, kind in ((".xes.gz", "xes"), (".xes", "xes"), (".csv.gz", "csv"), (".csv", "csv"),
                         (".tsv", "csv"), (".txt", "csv"), (".parquet", "parquet"), (".pq", "parquet")):
        if name.endswith(suffix):
            return kind
    raise CxInputError("unknown file type; expected .xes, .xes.gz, .csv, .csv.gz or .parquet "
                       "(or pass format='xes'|'csv'|'parquet').", path=path)


# --------------------------------------------------------------------------------------------------------------
# normalisation: pm4py keys, UTC timestamps, classifier, dropped rows counted


def _to_utc(values: pd.Series, *, timestamp_format, source_timezone, dayfirst) -> pd.Series:
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC")
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = values
    else:
        text = values.astype("string").str.strip()
        kwargs = {"format": timestamp_format} if timestamp_format else {"format": "mixed", "dayfirst": dayfirst}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                parsed = pd.to_datetime(text, errors="coerce", utc=source_timezone is None, **kwargs)
            except (ValueError, TypeError):
                parsed = pd.to_datetime(text, errors="coerce", utc=True, **kwargs)
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        return parsed.dt.tz_convert("UTC")
    return parsed.dt.tz_localize(source_timezone or "UTC", ambiguous="NaT",
                                 nonexistent="shift_forward").dt.tz_convert("UTC")


def _normalise(df: pd.DataFrame, report: LoadReport, *, path, case, activity, timestamp, resource, classifier,
               classifier_sep, timestamp_format, source_timezone, dayfirst, case_attributes) -> pd.DataFrame:
    report.rows_read = len(df)
    if len(df) == 0:
        raise CxInputError("the file contains no events.", path=path)
    case_col = _resolve_column(df, case, "case id", path=path, required=True)
    act_col = _resolve_column(df, activity, "activity", path=path, required=True)
    ts_col = _resolve_column(df, timestamp, "timestamp", path=path, required=True)
    res_col = _resolve_column(df, resource, "resource", path=path, required=False)

    rename = {case_col: CASE, act_col: ACTIVITY, ts_col: TIMESTAMP}
    if res_col is not None:
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

    out[CASE] = out[CASE].astype("string").str.strip()
    out[ACTIVITY] = out[ACTIVITY].astype("string")
    stamps = _to_utc(out[TIMESTAMP], timestamp_format=timestamp_format, source_timezone=source_timezone,
                     dayfirst=dayfirst)
    if source_timezone and not isinstance(df[ts_col].dtype, pd.DatetimeTZDtype):
        report.notes.append(f"timestamps without an offset read as {source_timezone}, converted to UTC.")

    bad_case = out[CASE].isna() | (out[CASE] == "")
    bad_act = ~bad_case & (out[ACTIVITY].isna() | (out[ACTIVITY].str.strip() == ""))
    bad_ts = ~bad_case & ~bad_act & stamps.isna()
    if bad_ts.all() or (bad_case | bad_act | bad_ts).all():
        examples = out.loc[bad_ts, TIMESTAMP].astype("string").head(3).tolist()
        if bad_ts.any():
            raise CxInputError(
                f"no timestamp in column {ts_col!r} could be parsed (e.g. {examples}). "
                "Pass timestamp_format='%d/%m/%Y %H:%M' (or the right format) or check the column mapping.",
                path=path, column=ts_col)
        raise CxInputError(f"every row lacks a case id or an activity (columns {case_col!r}, {act_col!r}).",
                           path=path, column=case_col)
    for reason, mask in (("missing case id", bad_case), ("missing activity", bad_act),
                         ("unparseable timestamp", bad_ts)):
        if mask.any():
            report.dropped[reason] = int(mask.sum())
    if bad_ts.any():
        examples = out.loc[bad_ts, TIMESTAMP].astype("string").head(3).tolist()
        report.notes.append(f"unparseable timestamps in column {ts_col!r}, e.g. {examples}.")
    out[TIMESTAMP] = stamps.dt.as_unit("ns")  # one resolution, whatever the source format
    keep = ~(bad_case | bad_act | bad_ts)
    if not keep.all():
        out = out.loc[keep]
    # Events in time order within each case; ties keep the file's order (a stable sort), as pm4py does.
    out = out.sort_values([CASE, TIMESTAMP], kind="stable").reset_index(drop=True)
    return out


def _finish_report(df: pd.DataFrame, report: LoadReport) -> None:
    report.rows_kept = len(df)
    report.duplicate_events = int(df.duplicated([CASE, ACTIVITY, TIMESTAMP]).sum())
    report.cases = int(df[CASE].nunique())
    report.activities = int(df[ACTIVITY].nunique())
    report.start = df[TIMESTAMP].min() if len(df) else None
    report.end = df[TIMESTAMP].max() if len(df) else None
    kept_plus_dropped = report.rows_kept + report.rows_dropped
    if kept_plus_dropped != report.rows_read:  # a bug, never a silent loss
        raise AssertionError(f"load report does not add up: {report.rows_read} read, "
                             f"{report.rows_kept} kept, {report.rows_dropped} dropped")


# --------------------------------------------------------------------------------------------------------------


def read_log(path, *, case: str | None = None, activity: str | None = None, timestamp: str | None = None,
             resource: str | None = None, classifier=None, classifier_sep: str = "+",
             case_attributes: list | None = None, timestamp_format: str | None = None,
             source_timezone: str | None = None, dayfirst: bool = False, sep: str | None = None,
             encoding: str | None = None, format: str | None = None, cache: bool = True,
             progress: bool = False) -> pd.DataFrame:
    """Read an event log (XES, CSV or Parquet) into a pandas DataFrame with pm4py's column names.

    The result works with every pm4py function unchanged. Events are sorted by case and time (ties keep the
    file's order). The load report (rows read, kept, dropped with reasons, duplicates, cases, activities, time
    span) travels in ``log.attrs["load_report"]``; :func:`load_report` shows it as a table.

    Parameters
    ----------
    path : str or Path
        ``.xes``, ``.xes.gz``, ``.csv``, ``.csv.gz`` or ``.parquet``.
    case, activity, timestamp, resource : str, optional
        Column names in a CSV/Parquet file. When not given, the pm4py names and common aliases are tried
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
        A ``strftime`` format for the timestamp column (e.g. ``"%d/%m/%Y %H:%M"``); otherwise it is inferred.
    source_timezone : str, optional
        Time zone of timestamps written without an offset (e.g. ``"Europe/Amsterdam"``); default UTC.
    dayfirst : bool, default False
        With inferred formats, read ``01/02/2020`` as 1 February.
    sep, encoding : str, optional
        CSV delimiter and encoding; sniffed when not given.
    format : {"xes", "csv", "parquet"}, optional
        Overrides the guess from the file name.
    cache : bool, default True
        Reuse a Parquet copy keyed by the file's SHA-256 and these options (in ``$CX_CACHE_DIR/logs``, else the
        user cache folder); ``False`` parses the file again and writes nothing.
    progress : bool, default False
        Show a progress bar over the load steps.

    Returns
    -------
    pandas.DataFrame
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
        timestamps that cannot be parsed at all.

    Examples
    --------
    >>> log = read_log("data/helpdesk.xes.gz")
    >>> load_report(log).cases
    4580
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
    kind = _format_of(path, format)
    options = {"case": case, "activity": activity, "timestamp": timestamp, "resource": resource,
                   "classifier": classifier, "classifier_sep": classifier_sep, "case_attributes": case_attributes,
                   "timestamp_format": timestamp_format, "source_timezone": source_timezone, "dayfirst": dayfirst,
                   "sep": sep, "encoding": encoding, "format": kind}
    bar = tqdm(total=3, desc=f"loading {path.name}", disable=not progress, leave=False)

    cache_file = None
    if cache:
        key = hashlib.sha256(json.dumps([_CACHE_FORMAT, file_sha256(path), options], sort_keys=True,
                                        default=str).encode()).hexdigest()[:32]
        cache_file = cache_dir("logs") / f"{key}.parquet"
        if cache_file.exists():
            cached = _read_cache(cache_file, path, started)
            if cached is not None:
                bar.update(3)
                bar.close()
                return cached

    report = LoadReport(path=str(path), format=kind)
    if kind == "xes":
        raw = _read_xes(path, report)
    elif kind == "csv":
        raw = _read_csv(path, report, sep, encoding)
    elif kind == "parquet":
        raw = _read_parquet(path, report)
    else:
        raise CxInputError(f"unknown format {kind!r}; expected xes, csv or parquet.", path=path)
    bar.update(1)
    log = _normalise(raw, report, path=path, case=case, activity=activity, timestamp=timestamp,
                     resource=resource, classifier=classifier, classifier_sep=classifier_sep,
                     timestamp_format=timestamp_format, source_timezone=source_timezone, dayfirst=dayfirst,
                     case_attributes=case_attributes)
    bar.update(1)
    _finish_report(log, report)
    report.seconds = time.perf_counter() - started
    if cache_file is not None:
        _write_cache(cache_file, log, report)
    bar.update(1)
    bar.close()
    log.attrs["load_report"] = report.to_dict()
    return log


def load_report(log: pd.DataFrame) -> LoadReport:
    """The load report of a log returned by :func:`read_log` (rows read, kept, dropped with reasons, ...).

    The report travels with the DataFrame as a plain dict in ``log.attrs["load_report"]`` (so the frame can
    still be written to Parquet); this wraps it in a :class:`LoadReport` that shows as a table in a notebook.

    Parameters
    ----------
    log : pandas.DataFrame
        A log from :func:`read_log`.

    Returns
    -------
    LoadReport
        The report.

    Examples
    --------
    >>> load_report(read_log("data/helpdesk.xes.gz")).rows_kept
    21348
    """
    data = log.attrs.get("load_report")
    if data is None:
        raise CxInputError("this table has no load report; it was not loaded with cxlib.read_log.")
    return data if isinstance(data, LoadReport) else LoadReport.from_dict(data)


def _write_cache(cache_file: Path, log: pd.DataFrame, report: LoadReport) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(log, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[b"cx_load_report"] = json.dumps(report.to_dict(), default=str).encode()
    tmp = cache_file.with_suffix(f".tmp{os.getpid()}")
    pq.write_table(table.replace_schema_metadata(meta), tmp, compression="zstd")
    os.replace(tmp, cache_file)  # atomic: a crashed write never leaves a half cache entry


def _read_cache(cache_file: Path, path: Path, started: float) -> pd.DataFrame | None:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(cache_file)
        report = LoadReport.from_dict(json.loads(table.schema.metadata[b"cx_load_report"]))
        log = table.to_pandas()
    except Exception:  # noqa: BLE001 - a damaged cache entry is ignored and rebuilt
        cache_file.unlink(missing_ok=True)
        return None
    report.path = str(path)
    report.cache_hit = True
    report.reader = f"{report.reader}, cached"
    report.seconds = time.perf_counter() - started
    log.attrs["load_report"] = report.to_dict()
    return log

