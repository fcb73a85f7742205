"""The one reader of tabular files: CSV/TSV (plain or gzip), Excel and Parquet, chosen by content, as text cells."""

from __future__ import annotations

import io as _io
from pathlib import Path

import numpy as np
import pandas as pd

from .._docstrings import share_docs
from .._errors import CxInputError
from ._delimited import read_delimited
from ._files import open_bytes, sniff_content
from ._report import LoadReport

__all__ = ["format_of", "read_table"]

_SUFFIXES = (
    ((".xes.gz", ".xes"), "xes"),
    ((".csv.gz", ".csv", ".tsv.gz", ".tsv", ".txt.gz", ".txt"), "csv"),
    ((".xlsx", ".xlsm", ".xls"), "excel"),
    ((".parquet", ".pq"), "parquet"),
    ((".xml.gz", ".xml"), "xml"),
)


def format_of(path, fmt: str | None = None, *, allowed=("xes", "csv", "excel", "parquet", "xml")) -> str:
    """The format a file's name claims (or ``fmt``, checked against ``allowed``).

    Parameters
    ----------
    path : str or Path
        The file.
    fmt : str, optional
        A format named by the caller; wins over the name.
    allowed : tuple of str
        The formats the caller reads.

    Returns
    -------
    str
        One of ``allowed``.

    Examples
    --------
    >>> format_of("data/helpdesk.xes.gz"), format_of("x.CSV")
    ('xes', 'csv')
    """
    path = Path(path)
    if fmt:
        fmt = fmt.lower()
        if fmt not in allowed:
            raise CxInputError(f"unknown format {fmt!r}; expected one of {', '.join(allowed)}.", path=path)
        return fmt
    name = path.name.lower()
    for suffixes, kind in _SUFFIXES:
        if name.endswith(suffixes) and kind in allowed:
            return kind
    raise CxInputError(f"unknown file type; expected {', '.join(allowed)} (by the file's ending, e.g. .csv, "
                       ".csv.gz, .xlsx, .parquet), or pass format=....", path=path)


_CONTENT_FORMAT = {"parquet": "parquet", "excel": "excel", "text": "csv", "xml": "xml"}


@share_docs
def read_table(path, *, format: str | None = None, sep: str | None = None, encoding: str | None = None,
               quoting: str = "minimal", sheet=0, raw: bytes | None = None,
               report: LoadReport | None = None) -> tuple[pd.DataFrame, np.ndarray | None, LoadReport]:
    """Read a CSV, Excel or Parquet file into a table, every row accounted for in the load report.

    The content decides how the file is read (gzip, Parquet, a workbook or text), whatever its name says; a
    mismatch is noted. CSV cells stay text (empty cells missing) so that callers parse numbers and dates with
    the project's rules and count what does not parse; Excel and Parquet keep their types.

    Parameters
    ----------
    path : str or Path
        The file.
    format : {"csv", "excel", "parquet"}, optional
        What the caller expects; the content still decides.
    {read_options}
    raw : bytes, optional
        The content, when already read.
    report : LoadReport, optional
        Filled in; a new one otherwise.

    Returns
    -------
    tuple
        ``(table, lines, report)``: ``lines`` holds the line (CSV) or sheet row (Excel) of each kept row, None
        for Parquet.

    Raises
    ------
    cxlib.CxInputError
        A missing, empty or damaged file, a format that cannot be read, no header, no row that parses.

    Examples
    --------
    >>> table, lines, report = read_table("data/bpic2016_complaints.csv")
    >>> len(table), report.delimiter, report.encoding, report.rows_dropped
    (289, ';', 'cp1252', 0)
    """
    path = Path(path)
    if raw is None:
        raw = open_bytes(path)
    content = _CONTENT_FORMAT[sniff_content(raw)]
    claimed = format or _claimed(path)
    if report is None:
        report = LoadReport(path=str(path), format=content)
    report.format = content
    if claimed and claimed != content and not (claimed == "xes" and content == "xml"):
        report.notes.append(f"the file is named as {claimed} but holds {_describe(content)}; read as {content}.")
    if content == "csv":
        table, lines = read_delimited(raw, report, path=path, sep=sep, encoding=encoding, quoting=quoting)
        report.reader = "csv"
        return table, lines, report
    if content == "parquet":
        table = _read_parquet(raw, path)
        report.reader = "pyarrow"
        report.rows_read = len(table)
        return table, None, report
    if content == "excel":
        table = _read_excel(raw, path, sheet)
        report.reader = "openpyxl"
        report.rows_read = len(table)
        return table, np.arange(2, len(table) + 2, dtype=np.int64), report
    raise CxInputError("the file holds XML, not a table; expected CSV, Excel or Parquet (an event log in XES is "
                       "read by cxlib.read_log).", path=path)


def _claimed(path: Path) -> str | None:
    name = path.name.lower()
    for suffixes, kind in _SUFFIXES:
        if name.endswith(suffixes):
            return kind
    return None


def _describe(content: str) -> str:
    return {"csv": "delimited text", "parquet": "Parquet", "excel": "an Excel workbook", "xml": "XML"}[content]


def _read_parquet(raw: bytes, path: Path) -> pd.DataFrame:
    import pyarrow.parquet as pq

    try:
        return pq.read_table(_io.BytesIO(raw)).to_pandas()
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many kinds for damaged files
        raise CxInputError(f"could not read it as Parquet ({type(exc).__name__}: {exc}); the file may be "
                           "truncated or damaged.", path=path) from None


def _read_excel(raw: bytes, path: Path, sheet) -> pd.DataFrame:
    try:
        table = pd.read_excel(_io.BytesIO(raw), sheet_name=sheet, dtype=object)
    except ValueError as exc:
        raise CxInputError(f"could not read sheet {sheet!r}: {exc}.", path=path) from None
    except Exception as exc:  # noqa: BLE001 - openpyxl/zipfile raise many kinds
        raise CxInputError(f"could not read it as an Excel workbook ({type(exc).__name__}: {exc}).",
                           path=path) from None
    table.columns = [str(c) for c in table.columns]
    return table
