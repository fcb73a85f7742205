"""XES event logs: cxlib's column-wise reader, the Rust ``rustxes`` reader, pm4py's parser; clean errors only.

A log in the usual form is read column-wise (:mod:`cxlib.io._xes_columns`: rustxes' table exactly, faster);
every other file, and any file that reader leaves (it does so on anything it does not read as rustxes does),
goes to rustxes, and what rustxes cannot read to pm4py's parser.

The Rust reader writes panics and per-value parse messages straight to the process's stdout/stderr; they are
captured at the file-descriptor level and summarised in the load report instead of reaching the terminal.
A file's content decides how it is read: gzip under ``.xes`` or plain XML under ``.xes.gz`` both work.

rustxes silently returns the first traces of a log whose XML is cut short after a whole trace, so every gzip
file is checked: the gzip stream must be complete and the XML must end with ``</log>``. For a ``.xes.gz`` file of
1 MiB or more a small helper process does the check while rustxes reads the file itself, so the check runs on
the second core beside the parse instead of before it (rustxes holds the interpreter lock while it parses, so a
thread could not). Smaller files, or where no helper can start, are checked first in-process.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import tempfile
import warnings
import zlib
from pathlib import Path

import pandas as pd

from .._errors import CxInputError
from ._files import open_bytes
from ._report import LoadReport
from ._xes_columns import read_columns

#: ``LoadReport.reader`` for a log read by :mod:`cxlib.io._xes_columns` (rustxes' table, built column-wise)
COLUMNS_READER = "cxlib-columns"

__all__ = ["read_xes", "read_xes_frame"]

_GZIP = b"\x1f\x8b"


@contextlib.contextmanager
def _captured_output(sink: list):
    """Redirect file descriptors 1 and 2 to a temporary file; what was written lands in ``sink``."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    saved = []
    try:
        saved = [os.dup(1), os.dup(2)]
    except OSError:  # no real descriptors (embedded interpreter): nothing to capture
        yield
        return
    with tempfile.TemporaryFile() as tmp:
        try:
            os.dup2(tmp.fileno(), 1)
            os.dup2(tmp.fileno(), 2)
            yield
        finally:
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
            tmp.seek(0)
            sink.append(tmp.read().decode("utf-8", errors="replace"))


def _panic_summary(text: str) -> str:
    match = re.search(r"panicked at [^\n]*\n([^\n]+)", text)
    return match.group(1).strip() if match else text.strip().splitlines()[0] if text.strip() else ""


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


def _run_rustxes(target, meta: list | None = None) -> tuple:
    """rustxes on ``target`` with its output captured: ``(polars table or None, exception or None, output)``;
    the log's header as rustxes gives it (JSON) is appended to ``meta`` when given."""
    import rustxes

    output: list[str] = []
    error = None
    table = None
    with _captured_output(output):
        try:
            table, header = rustxes.import_xes(str(target))
            if meta is not None:
                meta.append(header)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - rustxes panics are BaseExceptions; diagnose below
            error = exc
    return table, error, "".join(output)


def _take_rustxes(table, text: str, report: LoadReport, error=None):
    """What rustxes gave: the values it could not parse and its failure go to the report; None on failure."""
    bad_values = re.findall(r'Failed to parse data from "([^"\n]*)"', text)
    if bad_values:
        report.counts["values the XES reader could not parse"] = len(bad_values)
        shown = ", ".join(repr(v) for v in bad_values[:3])
        report.notes.append(f"the XES reader could not parse {len(bad_values):,} attribute value(s), e.g. {shown}; "
                            "those values are missing.")
    # rustxes writes a default in place of an int, float, boolean or id it cannot parse (0, 0.0, false, the nil
    # id): those cells do not hold the file's values, and the report says so
    defaulted = re.findall(r'Could not parse (integer|float|boolean|UUID) "([^"\n]*)"', text)
    if defaulted and error is None:
        report.counts["values the XES reader replaced by a default"] = len(defaulted)
        shown = ", ".join(f"{value!r} ({kind})" for kind, value in defaulted[:3])
        report.notes.append(f"the XES reader could not parse {len(defaulted):,} int, float, boolean or id value(s), "
                            f"e.g. {shown}, and wrote 0, 0.0, false or the nil id in their place: those cells do "
                            "not hold the file's values.")
    if error is not None:
        detail = _panic_summary(text) or type(error).__name__
        report.notes.append(f"rustxes could not read the file ({detail}); used pm4py's parser.")
        return None
    return table


def _rustxes(target: Path, report: LoadReport):
    table, error, text = _run_rustxes(target)
    return _take_rustxes(table, text, report, error)


# Run as ``python -I -S -c _CHECK FILE``: inflate the first gzip member of FILE (as rustxes does) and keep its
# last bytes. The exit code is the verdict: 0 complete and ending with </log>, 3 not gzip, 4 stream cut short,
# 5 complete but not ending with </log>, 7 the file could not be read.
_CHECK = r"""
import os, sys, zlib
inflater, tail = zlib.decompressobj(31), b""
try:
    with open(sys.argv[1], "rb") as fh:
        while not inflater.eof:
            block = fh.read(1 << 20)
            if not block:
                break
            out = inflater.decompress(block)
            if out:
                tail = (tail + out[-4096:])[-4096:]
except zlib.error:
    os._exit(3)
except OSError:
    os._exit(7)
os._exit(4 if not inflater.eof else 0 if tail.rstrip().endswith(b"</log>") else 5)
"""
#: Smaller gzip files are checked in-process: starting the helper costs more than it takes over (~20 ms).
_HELPER_FROM_BYTES = 1 << 20


def _start_check(target: Path):
    """The helper checking ``target`` (a process whose exit code is the verdict), or None where no helper can
    start (no interpreter to start) or the file is small."""
    interpreter = os.path.basename(sys.executable or "").lower()
    if not interpreter.startswith(("python", "pypy")):
        return None  # an embedding application may name itself as sys.executable
    with contextlib.suppress(OSError):
        if target.stat().st_size < _HELPER_FROM_BYTES:
            return None
    try:
        return subprocess.Popen([sys.executable, "-I", "-S", "-c", _CHECK, str(target)],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except Exception:  # noqa: BLE001 - no helper: the caller checks the file itself
        return None


def _rustxes_gzip(target: Path, path: Path, report: LoadReport):
    """A gzip XES file read by rustxes while the helper checks it (see the module's docstring)."""
    checker = _start_check(target)
    if checker is None:
        _check_gzip_xes_end(target, path)
        return _rustxes(target, report)
    try:
        table, error, text = _run_rustxes(target)
    finally:
        verdict = checker.wait()
    if verdict != 0:
        # a damaged or cut-short file raises its clear error here; if the helper failed for reasons of its own
        # (the file checks out in-process), rustxes' table stands
        _check_gzip_xes_end(target, path)
    return _take_rustxes(table, text, report, error)


def read_xes(path, report: LoadReport) -> pd.DataFrame:
    """Read an XES or XES.gz file into a DataFrame with pm4py's attribute names (times in UTC, as written).

    Parameters
    ----------
    path : str or Path
        The file; its content decides whether it is gunzipped.
    report : LoadReport
        ``reader`` and notes are filled in.

    Returns
    -------
    pandas.DataFrame
        One row per event.

    Raises
    ------
    cxlib.CxInputError
        An empty, truncated or invalid file (with the XML line and column), or one that is not an XES log.

    Examples
    --------
    >>> report = LoadReport(path="data/helpdesk.xes.gz", format="xes")
    >>> len(read_xes("data/helpdesk.xes.gz", report)), report.reader
    (21348, 'rustxes')
    """
    table = read_xes_frame(path, report)
    return table if isinstance(table, pd.DataFrame) else table.to_pandas()


def read_xes_frame(path, report: LoadReport):
    """:func:`read_xes`, but the table as rustxes made it (a polars DataFrame), or pandas from pm4py's parser."""
    path = Path(path)
    raw_head = _head(path)
    is_gzip = raw_head[:2] == _GZIP
    named_gz = path.name.lower().endswith(".gz")
    if is_gzip and named_gz:
        columns = read_columns(path, gzip=True, parse=_run_rustxes)
        if columns is not None:
            return _result(_take_rustxes(*columns, report), path, path, report, reader=COLUMNS_READER)
        return _result(_rustxes_gzip(path, path, report), path, path, report)
    with tempfile.TemporaryDirectory(prefix="cx-xes-") as tmp:
        target = path
        if is_gzip != named_gz:
            raw = open_bytes(path) if is_gzip else path.read_bytes()
            target = Path(tmp) / "log.xes"
            target.write_bytes(raw)
            report.notes.append("the file is gzip-compressed but not named .gz; read by its content."
                                if is_gzip else "the file is named .gz but is plain XML; read by its content.")
        _check_plain_xes(target, path)
        columns = read_columns(target, gzip=False, parse=_run_rustxes)
        if columns is not None:
            return _result(_take_rustxes(*columns, report), target, path, report, reader=COLUMNS_READER)
        return _result(_rustxes(target, report), target, path, report)


def _result(table, target: Path, path: Path, report: LoadReport, reader: str = "rustxes"):
    """rustxes' table (an empty one only when the file is a valid empty log), else pm4py's parser's. rustxes
    gives the columns in an order that changes from run to run: they come sorted by name."""
    if table is not None:
        table = table.select(sorted(table.columns))
        if len(table) == 0:
            raw = open_bytes(target)
            _check_xml(raw, path)
            if b"<log" not in raw[:65536]:
                raise CxInputError("the file is XML but not an XES event log (no <log> element).", path=path)
        report.reader = reader
        return table
    raw = open_bytes(target)  # empty / truncated gzip get their own message
    _check_xml(raw, path)
    if b"<log" not in raw[:65536]:
        raise CxInputError("the file is XML but not an XES event log (no <log> element).", path=path)
    return _pm4py(target, report, path)


def _head(path: Path) -> bytes:
    if not path.exists():
        raise CxInputError("the file does not exist.", path=path)
    if path.is_dir():
        raise CxInputError("this is a folder; expected an event-log file.", path=path)
    with open(path, "rb") as fh:
        head = fh.read(8)
    if not head:
        raise CxInputError("the file is empty (0 bytes).", path=path)
    return head


def _check_plain_xes(target: Path, path: Path) -> None:
    """A plain XES file cut short still parses partly in rustxes; its missing ``</log>`` gives it away."""
    size = target.stat().st_size
    with open(target, "rb") as fh:
        fh.seek(max(0, size - 4096))
        tail = fh.read().rstrip()
    if not tail.endswith(b"</log>"):
        _check_xml(target.read_bytes(), path)
        raise CxInputError("the XES file is truncated: it does not end with </log>.", path=path)


def _check_gzip_xes_end(target: Path, path: Path) -> None:
    """A complete gzip stream can hold XML cut short: inflate it in chunks and look at the end."""
    inflater = zlib.decompressobj(31)
    tail = b""
    try:
        with open(target, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                out = inflater.decompress(block)
                if out:
                    tail = (tail + out)[-4096:]
                if inflater.eof:
                    break
    except zlib.error as exc:
        raise CxInputError(f"the file is not valid gzip: {exc}.", path=path) from None
    if not inflater.eof:
        raise CxInputError("the gzip file is truncated (it ends before the end-of-stream marker); copy or "
                           "download it again.", path=path)
    if not tail.rstrip().endswith(b"</log>"):
        _check_xml(open_bytes(target), path)
        raise CxInputError("the XES file is truncated: it does not end with </log>.", path=path)


def _pm4py(target: Path, report: LoadReport, path: Path) -> pd.DataFrame:
    import pm4py
    from pm4py.util import constants

    output: list[str] = []
    try:
        with _captured_output(output), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            df = pm4py.read_xes(str(target), variant=constants.DEFAULT_XES_PARSER)
    except Exception as exc:  # noqa: BLE001 - pm4py raises many kinds
        raise CxInputError(f"the XES file could not be read ({type(exc).__name__}: {exc}).", path=path) from None
    report.reader = f"pm4py-{constants.DEFAULT_XES_PARSER}"
    return pd.DataFrame(df)
