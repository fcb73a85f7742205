"""Delimited text (CSV, TSV, ``;``-separated exports) read record by record, so that no row is lost unseen.

The file's physical lines are the ground truth. Each record is parsed with Python's :mod:`csv` module (quote
``"``, doubled quotes inside quoted fields) and checked against the header's field count. A record that cannot be
trusted is dropped and counted with its line number, never merged into a neighbour:

- ``unbalanced quote``: a quote opens a field that never closes, or that closes only after swallowing lines that
  are rows of their own. The line with the quote is dropped; reading goes on at the next line.
- ``malformed quoting``: text after a closing quote (``"ab"c``).
- ``too many fields`` / ``too few fields``: the record does not have the header's number of fields.
- ``truncated last record``: the file ends inside the last record (too few fields, or inside a quoted field,
  and no line end after it).
- ``NUL bytes``: the line holds NUL characters (a binary or mis-encoded export).

The delimiter is detected with ``clevercsv`` (a library made for messy CSV files) unless the header line names
it unambiguously; the encoding by :func:`cxlib.io._files.decode_text`.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd

from .._errors import CxInputError
from ._files import decode_text
from ._report import LoadReport

__all__ = ["read_delimited"]

_CANDIDATES = (",", ";", "\t", "|")
_QUOTE = '"'
#: A quoted field may span at most this many lines before it counts as unbalanced.
_MAX_SPAN = 1000


def _detect_delimiter(header: str, sample_lines: list[str], path) -> str:
    counts = {d: header.count(d) for d in _CANDIDATES}
    present = [d for d, n in counts.items() if n]
    if len(present) == 1 and _QUOTE not in header:
        return present[0]
    sample = "\n".join([header, *sample_lines]).replace("\x00", "")
    try:
        import clevercsv

        dialect = clevercsv.Detector().detect(sample, delimiters=list(_CANDIDATES))
    except Exception:  # noqa: BLE001 - detection is a guess; fall back to the header below
        dialect = None
    if dialect is not None and dialect.delimiter in _CANDIDATES:
        return dialect.delimiter
    if present:
        return max(present, key=counts.get)
    return ","  # one column: no delimiter anywhere in the header


def _parse_one(text: str, sep: str):
    """Fields of one record, or the csv error text."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar=_QUOTE, strict=True))
    except csv.Error as exc:
        return None, str(exc)
    if len(rows) != 1:
        return None, "unexpected end of data"
    return rows[0], None


def _looks_like_row(line: str, sep: str, ncols: int) -> bool:
    if ncols < 3 or line.count(sep) < ncols - 1:
        return False
    fields = next(csv.reader([line], delimiter=sep, quotechar=_QUOTE, strict=False), [])
    return len(fields) >= ncols  # a row of its own (with a stray delimiter in its text, one field more)


def _split_lines(text: str) -> tuple[list[str], bool]:
    ended = text.endswith(("\n", "\r"))
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if ended:
        lines.pop()
    return lines, ended


def _header_names(fields: list[str], report: LoadReport) -> list[str]:
    names, seen = [], {}
    for i, raw in enumerate(fields, start=1):
        name = raw.strip()
        if not name:
            name = f"column_{i}"
            report.notes.append(f"header field {i} is empty; the column is called {name!r}.")
        if name in seen:
            seen[name] += 1
            new = f"{name} ({seen[name]})"
            report.notes.append(f"the column name {name!r} appears {seen[name]} times in the header; "
                                f"occurrence {seen[name]} is called {new!r}.")
            name = new
        else:
            seen[name] = 1
        names.append(name)
    return names


def read_delimited(raw: bytes, report: LoadReport, *, path=None, sep: str | None = None,
                   encoding: str | None = None, quoting: str = "minimal") -> tuple[pd.DataFrame, np.ndarray]:
    """Parse delimited text into a table of text cells, every record accounted for in ``report``.

    Parameters
    ----------
    raw : bytes
        The file's content (decompressed).
    report : LoadReport
        Filled in: ``encoding``, ``delimiter``, ``rows_read``, ``dropped`` and ``dropped_lines``, notes.
    path : str or Path, optional
        For messages.
    sep, encoding : str, optional
        Given values win over detection.
    quoting : {"minimal", "none"}, default "minimal"
        ``"minimal"``: ``"`` quotes fields (standard CSV). ``"none"``: quotes are plain text (for exports that
        never quote and have stray ``"`` in their text).

    Returns
    -------
    tuple
        ``(table, lines)``: every cell as text (empty cells missing), in file order; ``lines`` the line number
        (1-based, header = line 1) where each kept row starts.

    Raises
    ------
    cxlib.CxInputError
        No header line, a header with an unbalanced quote, or no record parses.

    Examples
    --------
    >>> report = LoadReport(path="x.csv", format="csv")
    >>> table, lines = read_delimited(b'id;text\\n1;fine\\n2;"open\\n3;ok\\n', report)
    >>> table["id"].tolist(), report.dropped, report.dropped_lines
    (['1', '3'], {'unbalanced quote': 1}, {'unbalanced quote': [3]})
    """
    if quoting not in ("minimal", "none"):
        raise CxInputError(f"quoting={quoting!r} is not known; expected 'minimal' (standard CSV quotes) or "
                           "'none' (quotes are plain text).", path=path)
    text, report.encoding = decode_text(raw, path=path, encoding=encoding)
    lines, ended = _split_lines(text)
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start == len(lines):
        raise CxInputError("the file has no header line and no rows (only white space).", path=path)
    if start:
        report.notes.append(f"{start} blank line(s) before the header were skipped.")
    header_line = lines[start].replace("\x00", "")
    if sep is None:
        sep = _detect_delimiter(header_line, lines[start + 1:start + 200], path)
    elif len(sep) != 1:
        raise CxInputError(f"sep={sep!r} must be one character (e.g. ',', ';' or '\\t').", path=path)
    report.delimiter = sep
    if quoting == "none":
        header = header_line.split(sep)
    else:
        header, err = _parse_one(header_line, sep)
        if header is None:
            raise CxInputError(f"the header (line {start + 1}) cannot be parsed: {err}. Check the quotes in it, "
                               "or pass quoting='none' if quotes are plain text.", path=path)
    names = _header_names(header, report)
    ncols = len(names)

    records: list[list[str]] = []
    where: list[int] = []
    drops: dict[str, list[int]] = {}
    blank = 0
    last = len(lines) - 1
    i = start + 1
    while i <= last:
        line = lines[i]
        lineno = i + 1
        if not line.strip():
            blank += 1
            i += 1
            continue
        if "\x00" in line:
            drops.setdefault("NUL bytes", []).append(lineno)
            i += 1
            continue
        nxt = i + 1
        if quoting == "none" or _QUOTE not in line:
            fields = line.split(sep)
        else:
            fields, err = _parse_one(line, sep)
            if err == "unexpected end of data":
                fields, nxt, reason = _multiline(lines, i, sep, ncols)
                if fields is None:
                    if reason == "eof" and not ended and _rest_blank(lines, i + 1):
                        drops.setdefault("truncated last record", []).append(lineno)
                    else:
                        drops.setdefault("unbalanced quote", []).append(lineno)
                    i += 1
                    continue
            elif fields is None:
                drops.setdefault("malformed quoting", []).append(lineno)
                i += 1
                continue
        if len(fields) != ncols:
            if len(fields) > ncols:
                reason = "too many fields"
            elif nxt > last and not ended:
                reason = "truncated last record"
            else:
                reason = "too few fields"
            drops.setdefault(reason, []).append(lineno)
            i = nxt
            continue
        records.append(fields)
        where.append(lineno)
        i = nxt

    if blank:
        report.notes.append(f"{blank:,} blank line(s) skipped (not rows).")
    for reason, at in drops.items():
        report.drop(reason, len(at), at)
    report.rows_read = len(records) + sum(len(at) for at in drops.values())
    if not records and report.rows_read:
        worst = max(drops, key=lambda r: len(drops[r]))
        raise CxInputError(
            f"no row could be read: all {report.rows_read:,} rows were dropped ({worst}: "
            f"{len(drops[worst]):,}, first at line {drops[worst][0]}). The header has {ncols} field(s) separated "
            f"by {sep!r}; pass sep=... or quoting='none' if that is wrong.", path=path)
    table = pd.DataFrame(records, columns=names, dtype=object) if records else pd.DataFrame(columns=names,
                                                                                             dtype=object)
    table = table.where(table != "", None)
    if report.dropped:
        report.notes.append(_drop_note(report))
    return table, np.asarray(where, dtype=np.int64)


def _drop_note(report: LoadReport) -> str:
    parts = []
    for reason, n in report.dropped.items():
        at = report.dropped_lines.get(reason, [])
        shown = ", ".join(map(str, at[:5])) + (", ..." if n > 5 else "")
        parts.append(f"{reason} at line{'s' if n > 1 else ''} {shown}, {n:,} row{'s' if n > 1 else ''}")
    return "rows dropped: " + "; ".join(parts) + "."


def _rest_blank(lines: list[str], start: int) -> bool:
    return all(not line.strip() for line in lines[start:])


def _multiline(lines: list[str], i: int, sep: str, ncols: int):
    """A record whose quoted field continues on the next lines: ``(fields, next line, reason)``."""
    parity = lines[i].count(_QUOTE) % 2
    j = i
    end = min(len(lines), i + _MAX_SPAN)
    while j + 1 < end:
        j += 1
        parity = (parity + lines[j].count(_QUOTE)) % 2
        if parity:
            continue
        fields, err = _parse_one("\n".join(lines[i:j + 1]), sep)
        if err == "unexpected end of data":
            continue
        if fields is None or len(fields) != ncols:
            return None, i + 1, "swallowed"
        if any(_looks_like_row(lines[k], sep, ncols) for k in range(i + 1, j + 1)):
            return None, i + 1, "swallowed"
        return fields, j + 1, None
    return None, i + 1, "eof" if end == len(lines) else "too long"
