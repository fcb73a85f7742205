"""XES logs in the usual serialised form read column-wise with numpy, faster than rustxes, or not at all.

Almost every XES file is written by OpenXES, ProM or pm4py in one form: ``<trace>`` and ``<event>`` elements
holding attribute elements written as ``<string key="K" value="V"/>`` (or ``" />``). For a log in exactly that
form the reader finds every ``<`` and ``"`` once, tells the elements apart by their first bytes and builds each
column from all its values in one go; rustxes builds a map per event and parses each value on its own.
Two things run at once, as numpy, ISA-L and zlib let go of the interpreter lock: the inflating (in a thread)
beside the scan of what it has written, and then, for a log of 4 MiB or more, the two halves of the traces.

It gives the table rustxes gives, or it returns None and the caller reads the file with rustxes as before
(``tests/test_io_xes_columns.py`` compares the two on every log at hand, on hand-made ones and on logs drawn by
Hypothesis). So it returns None whenever it meets anything it does not handle exactly as rustxes does:

- anything between the first ``<trace>`` and ``</log>`` but ``<trace>``, ``</trace>``, ``<event>``,
  ``</event>`` and attribute elements of the types string, date, int, float and boolean in the form above
  (so no ``id``, ``list`` or nested attributes, no comment, CDATA or processing instruction), an entity or
  character reference (``&``), a carriage return, elements out of place, a trace without events, an
  attribute written twice in one event or trace, a key written with two types or at both levels under one
  column name, or a log whose events have no attribute at all;
- a value rustxes would parse differently or not at all: dates other than ``YYYY-MM-DDTHH:MM:SS``, then a
  fraction of 1-9 digits or not, then ``Z``, ``±HH:MM`` or nothing (UTC), or outside the years 1700-2200;
  ints other than up to 18 digits with an optional minus; floats other than digits with an optional fraction
  and exponent; booleans other than ``true`` and ``false``; text that is not UTF-8;
- a gzip stream that is damaged, cut short, followed by another member or longer than its trailer says, XML
  that does not end with ``</log>``, an encoding other than UTF-8 declared, or a log of 1 GiB or more (inflated);
- a global (a default value) of another type than its key's values, or of a type not read here.

The header (everything before the first ``<trace>``) is read by rustxes itself, so that a damaged header fails
as before, its values that cannot be parsed are reported as before, and the globals are the ones rustxes reads:
rustxes gives a missing value the default of its key's global (for a key some event or trace has), and so does
this reader.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import json
import queue
import re
import tempfile
import threading
import zlib
from pathlib import Path

import numpy as np

try:  # ISA-L inflates twice as fast as zlib, with the same results and checks
    from isal.isal_zlib import decompressobj as _decompressobj
    from isal.isal_zlib import error as _isal_error
    _INFLATE_ERRORS = (zlib.error, _isal_error, OSError)
except ImportError:  # pragma: no cover - isal is a dependency; zlib does the same, slower
    from zlib import decompressobj as _decompressobj
    _INFLATE_ERRORS = (zlib.error, OSError)

__all__ = ["read_columns"]

_PAD = b"\0" * 64  # so that 8 bytes can be read at every offset of the text and a little beyond
_BLOCK = 1 << 20
# larger logs go to rustxes: string views address their bytes with 32-bit offsets, and this reader needs about a
# fifth more memory than rustxes (a peak of 592 against 497 MB for BPIC 2012's 74 MB of XML, 2026-12-01)
_LIMIT = 1 << 30
_TWO_PARTS_FROM = 4 << 20  # a smaller log is read in one part
_PEEK = 1 << 20  # the inflated bytes looked at before the rest is inflated
_NO_COLUMN = "\0rows"  # holds the rows of a part whose events have no attribute; no XES key has a NUL
_U64 = np.uint64

# element kinds by the bytes after "<": four of structure, then the attribute types in this order
_STRUCTURE = (b"trace>", b"/trace>", b"event>", b"/event>")
_TYPES = (b"string", b"date", b"int", b"float", b"boolean")
_TRACE_OPEN, _TRACE_CLOSE, _EVENT_OPEN, _EVENT_CLOSE = range(4)
_ENCODING = re.compile(rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")
_INT = r"^-?[0-9]{1,18}$"
_FLOAT = r"^-?[0-9]{1,400}(?:\.[0-9]{1,400})?(?:[eE][-+]?[0-9]{1,3})?$"
_DATE_LONGEST = 40  # YYYY-MM-DDTHH:MM:SS.nnnnnnnnn+HH:MM is 35
_FIRST_YEAR, _LAST_YEAR = 1700, 2200


class _Decline(Exception):
    """The file is read by rustxes instead (the message says why, for the tests)."""


def read_columns(path: Path, *, gzip: bool, parse) -> tuple | None:
    """``(polars table, rustxes' output on the header)``, or None: read the file with rustxes.

    ``parse(target)`` runs rustxes on a file and returns ``(table or None, exception or None, output)``.
    """
    try:
        return _read(path, gzip=gzip, parse=parse)
    except _Decline:
        return None
    except Exception:  # noqa: BLE001 - input this reader has not foreseen: rustxes, the reference, reads it
        # (the tests hold the reader to declining on purpose; a failure here costs time, never a different table)
        return None


def _read(path: Path, *, gzip: bool, parse) -> tuple:
    if gzip:
        return _columns(*_inflate_and_scan(path), parse)
    data = _read_plain(path)
    return _columns(data, *_scan(data), parse)


def _read_plain(path: Path) -> bytearray:
    size = path.stat().st_size
    if size >= _LIMIT:
        raise _Decline("1 GiB or more")
    data = bytearray(size + len(_PAD))
    with open(path, "rb") as fh:
        if fh.readinto(memoryview(data)[:size]) != size or fh.read(1):
            raise _Decline("the file changed while it was read")
    return data


def _inflate_and_scan(path: Path) -> tuple:
    """Inflate a gzip file in a thread (ISA-L and zlib let go of the interpreter lock) into one buffer sized by
    the gzip trailer, while this thread scans each block written: the buffer (padded), where ``<`` and ``"``
    are and which of them are ``<``."""
    try:
        with open(path, "rb") as fh:
            packed = fh.seek(0, 2)
            fh.seek(max(packed - 4, 0))
            size = int.from_bytes(fh.read(4), "little")  # the inflated size modulo 4 GiB, checked at the end
    except OSError as exc:
        raise _Decline(f"the file cannot be read ({exc})") from None
    if size >= _LIMIT or size > 1100 * packed:  # deflate packs at most about 1:1032
        raise _Decline("1 GiB or more, or a gzip trailer that cannot be right")
    data = bytearray(size + len(_PAD))
    blocks: queue.Queue = queue.Queue()
    failure: list[str] = []
    stop = threading.Event()

    def inflate():
        try:
            with open(path, "rb") as fh:
                inflater, written = _decompressobj(31), 0
                for chunk in iter(lambda: fh.read(_BLOCK), b""):
                    if stop.is_set():
                        return
                    out = inflater.decompress(chunk)
                    if written + len(out) > size:
                        failure.append("more bytes than the gzip trailer says")
                        return
                    data[written:written + len(out)] = out
                    blocks.put((written, len(out)))
                    written += len(out)
                    if inflater.eof:
                        if inflater.unused_data or fh.read(1):
                            failure.append("more than one gzip member")
                        elif written != size:
                            failure.append("fewer bytes than the gzip trailer says")
                        return
                failure.append("the gzip stream is cut short")
        except _INFLATE_ERRORS as exc:
            failure.append(f"the file cannot be inflated ({exc})")
        finally:
            blocks.put(None)

    worker = threading.Thread(target=inflate, name="cx-xes-inflate", daemon=True)
    worker.start()
    text, marks, opens, peeked = np.frombuffer(data, np.uint8), [], [], False
    try:
        while (block := blocks.get()) is not None:
            first, length = block
            part = text[first:first + length]
            at = np.flatnonzero((part == 60) | (part == 34))
            marks.append(at + first)
            opens.append(part[at] == 60)
            if not peeked and first + length >= _PEEK:
                peeked = True
                _peek(data, first + length, np.concatenate(marks), np.concatenate(opens))
    finally:
        stop.set()
        worker.join()
    if failure:
        raise _Decline(failure[0])
    if not marks:
        raise _Decline("an empty file")
    return data, np.concatenate(marks), np.concatenate(opens)


def _scan(data: bytearray) -> tuple[np.ndarray, np.ndarray]:
    """Where ``<`` and ``"`` are in the text (its two halves scanned at once: numpy lets go of the interpreter
    lock), and which of them are ``<``."""
    size = len(data) - len(_PAD)
    text = np.frombuffer(data, np.uint8, count=size)
    halves = [(0, size // 2), (size // 2, size)]

    def scan(half):
        first, last = half
        part = text[first:last]
        at = np.flatnonzero((part == 60) | (part == 34))
        return at + first, part[at] == 60

    if size < 1 << 20:
        found = [scan((0, size))]
    else:
        with concurrent.futures.ThreadPoolExecutor(2, thread_name_prefix="cx-xes-scan") as pool:
            found = list(pool.map(scan, halves))
    return np.concatenate([at for at, _ in found]), np.concatenate([opening for _, opening in found])


def _peek(data, written: int, marks: np.ndarray, is_open: np.ndarray) -> None:
    """_Decline early, from the first bytes inflated, for a log that shows there it is not in the usual form
    (another element, an entity, a carriage return), before the rest of it is inflated."""
    start = data.find(b"<trace", 0, written)
    if start < 0:
        return
    if data.find(b"&", start, written) >= 0 or data.find(b"\r", start, written) >= 0:
        raise _Decline("an entity or a carriage return")
    marks, is_open = marks[np.searchsorted(marks, start):], is_open[np.searchsorted(marks, start):]
    tag_at = np.flatnonzero(is_open)[:-1]  # the last element may go on in the next block
    if len(tag_at):
        quotes = np.diff(np.append(tag_at, np.flatnonzero(is_open)[-1])) - 1
        _kinds(_lanes(data)[marks[tag_at] + 1], quotes)


def _lanes(data: bytes) -> np.ndarray:
    """The 8 bytes at every offset of ``data`` (which ends with ``_PAD``) as little-endian uint64s, no copy."""
    return np.ndarray(shape=(len(data) - 8,), dtype="<u8", buffer=data, strides=(1,))


def _rows(array: np.ndarray, at: np.ndarray, steps=None) -> np.ndarray:
    """``array`` read at ``at`` (2-D) or at ``at + step`` for each step, as one row per entry of ``at``: one pass
    over memory, the places of one row next to each other."""
    where = at if steps is None else at[:, None] + np.asarray(steps)
    return array[where.ravel()].reshape(where.shape)


def _word(text: bytes) -> tuple:
    """``text`` (up to 8 bytes) as the little-endian integer read at its start, and the mask of its bytes."""
    return _U64(int.from_bytes(text, "little")), _U64((1 << (8 * len(text))) - 1)


_MASKS = np.array([(1 << (8 * n)) - 1 for n in range(9)], dtype=np.uint64)


def _low_bytes(count: np.ndarray) -> np.ndarray:
    """Masks keeping the low ``count`` bytes (clipped to 0-8) of a uint64."""
    return _MASKS[np.clip(count, 0, 8)]


def _columns(data: bytes, marks: np.ndarray, is_open: np.ndarray, parse) -> tuple:
    import polars as pl
    import pyarrow as pa

    size = len(data) - len(_PAD)
    declared = _ENCODING.match(data[:1024])
    if declared and declared.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8", b"us-ascii", b"ascii"):
        raise _Decline("an encoding other than UTF-8")
    start = data.find(b"<trace", 0, size)
    end = data.rfind(b"</log>", 0, size)
    if start < 0 or end < start or data[end + 6:size].strip():
        raise _Decline("no traces, or no </log> at the end")
    if data.find(b"&", start, end) >= 0 or data.find(b"\r", start, end) >= 0:
        raise _Decline("an entity or a carriage return")
    header_text, header = _header(data[:start], parse)

    text = _Text(data, np.frombuffer(data, np.uint8), _lanes(data), pa.py_buffer(data),
                 bool(np.frombuffer(data, np.uint8, count=end - start, offset=start).max(initial=0) < 128))
    # two runs of whole traces, read at once (numpy lets go of the interpreter lock while it works)
    cut = data.find(b"</trace>", (start + end) // 2, end) if end - start >= _TWO_PARTS_FROM else -1
    if cut >= 0 and data.find(b"<trace", cut, end) < 0:
        cut = -1  # the middle falls in the last trace
    bounds = [start, cut + len(b"</trace>"), end] if cut >= 0 else [start, end]
    parts = [np.searchsorted(marks, bound) for bound in bounds]
    jobs = [(marks[first:last], is_open[first:last]) for first, last in itertools.pairwise(parts)]
    if len(jobs) == 1:
        results = [_part(text, *jobs[0])]
    else:
        with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="cx-xes-part") as pool:
            second = pool.submit(_part, text, *jobs[1])
            try:
                results = [_part(text, *jobs[0]), second.result()]
            finally:
                text.stop.set()  # a part that declines stops the other at its next step
    kinds: dict = {}
    for _table, part_kinds in results:
        for name, kind in part_kinds.items():
            if kinds.setdefault(name, kind) != kind:
                raise _Decline("a key written with two types")
    tables = [table for table, _kinds in results]
    table = tables[0] if len(tables) == 1 else pl.concat(tables, how="diagonal")
    if _NO_COLUMN in table.columns:
        table = table.drop(_NO_COLUMN)
    if not any(level == "event" for level, _type in kinds.values()):
        raise _Decline("no event has an attribute")
    table = _fill_from_globals(table, kinds, header.get("global_event_attrs"), "event", pl)
    table = _fill_from_globals(table, kinds, header.get("global_trace_attrs"), "trace", pl)
    return table, header_text


class _Text:
    """The inflated file as bytes, as numpy bytes, as 8 bytes at every offset, as an Arrow buffer; and whether the
    traces are all ASCII (then no value needs its UTF-8 checked)."""

    def __init__(self, data, bytes_, lanes, buffer, ascii_only):
        self.data, self.bytes, self.lanes, self.buffer, self.ascii_only = data, bytes_, lanes, buffer, ascii_only
        self.stop = threading.Event()

    def check(self) -> None:
        """_Decline when the other part has declined (or failed)."""
        if self.stop.is_set():
            raise _Decline("the other part stopped")


def _part(text: _Text, marks: np.ndarray, is_open: np.ndarray) -> tuple:
    """The table of a run of whole traces (``marks`` are its ``<`` and ``"``), without the globals' defaults,
    and each column's level and type."""
    lanes = text.lanes
    tag_at = np.flatnonzero(is_open)
    quotes = np.diff(np.append(tag_at, len(marks))) - 1  # the quotes inside each element
    tags = marks[tag_at]
    kind = _kinds(lanes[tags + 1], quotes)
    trace_no, event_no, in_event = _structure(kind)
    text.check()

    attr = np.flatnonzero(kind >= 4)
    where, types = tags[attr], (kind[attr] - 4).astype(np.int64)
    first = tag_at[attr] + 1
    q0, q1, q2, q3 = _rows(marks, first, (0, 1, 2, 3)).T  # the four quotes of each attribute element
    key_at, key_len = q0 + 1, q1 - q0 - 1
    name_len = np.array([len(t) for t in _TYPES])[types]
    # the 8 bytes at five places of each element, read in one pass: after the type name, the key's first and
    # last 8 bytes, the key's closing quote, the value's closing quote
    words = _rows(lanes, np.stack([where + name_len + 2, key_at, np.maximum(q1 - 8, key_at), q1, q3], axis=1))
    key_open, key_mask = _word(b'key="')
    value_word, _ = _word(b'" value=')
    close3, mask3 = _word(b'"/>')
    close4, mask4 = _word(b'" />')
    closing = words[:, 4]
    form = ((q0 == where + name_len + 6) & ((words[:, 0] & key_mask) == key_open)
            & (q2 == q1 + 8) & (words[:, 3] == value_word)
            & (((closing & mask3) == close3) | ((closing & mask4) == close4)))
    if not form.all():
        raise _Decline("an attribute element in another form")
    first8, last8 = words[:, 1] & _low_bytes(key_len), words[:, 2].copy()
    value_at, value_len = q2 + 1, q3 - q2 - 1
    del words, closing, form, q0, q1, q2, q3, where, first, name_len  # a large log's memory goes to the columns

    rows = np.where(in_event[attr], event_no[attr], trace_no[attr])
    events = np.flatnonzero(kind == _EVENT_OPEN)
    return _build(text, key_at, key_len, first8, last8, value_at, value_len, types, in_event[attr], rows,
                  len(events), int(trace_no[-1]) + 1, trace_no[events])


def _header(header: bytes, parse) -> tuple[str, dict]:
    """rustxes' verdict on the header alone (as a log without traces): its output and the header (the globals
    among it), or _Decline when it fails."""
    meta: list = []
    with tempfile.TemporaryDirectory(prefix="cx-xes-") as scratch:
        target = Path(scratch) / "header.xes"
        target.write_bytes(header + b"</log>\n")
        table, error, text = parse(target, meta)
    if error is not None or table is None or len(table) or len(meta) != 1:
        raise _Decline("rustxes does not read the header alone")
    return text, _globals(meta[0])


def _globals(meta: str) -> dict:
    """The two lists of globals from rustxes' header (JSON), without decoding the rest: a header can hold
    megabytes of log attributes. A key in a JSON string has its quotes escaped, so the search finds only the
    top-level keys."""
    decoder, found = json.JSONDecoder(), {}
    for key in ("global_trace_attrs", "global_event_attrs"):
        at = meta.rfind(f'"{key}":')
        if at < 0:
            raise _Decline("rustxes gave a header without globals")
        try:
            found[key], _end = decoder.raw_decode(meta, at + len(key) + 3)
        except ValueError:
            raise _Decline("rustxes gave a header that is not JSON") from None
    return found


def _kinds(words: np.ndarray, quotes: np.ndarray) -> np.ndarray:
    """Each element's kind: 0-3 structure (no quotes inside), 4-8 the attribute types (four quotes inside)."""
    kind = np.full(len(words), -1, np.int8)
    for names, count, first in ((_STRUCTURE, 0, 0), (tuple(t + b" " for t in _TYPES), 4, 4)):
        at = np.flatnonzero(quotes == count)
        these, found = words[at], np.full(len(at), -1, np.int8)
        for number, name in enumerate(names, start=first):
            value, mask = _word(name)
            found[(these & mask) == value] = number
        kind[at] = found
    if (kind < 0).any():
        raise _Decline("an element other than trace, event and the five attribute types in their usual form")
    return kind


def _structure(kind: np.ndarray) -> tuple:
    """For each element: the number of its trace and event (counting from 0) and whether it is in an event;
    _Decline unless traces hold events, events hold attributes and every trace has an event."""
    trace_open, event_open = kind == _TRACE_OPEN, kind == _EVENT_OPEN
    trace_step = trace_open.astype(np.int8) - (kind == _TRACE_CLOSE)
    event_step = event_open.astype(np.int8) - (kind == _EVENT_CLOSE)
    in_trace, in_event = np.cumsum(trace_step, dtype=np.int32), np.cumsum(event_step, dtype=np.int32)
    if len(kind) == 0 or in_trace.min() < 0 or in_trace.max() > 1 or in_trace[-1] != 0 \
            or in_event.min() < 0 or in_event.max() > 1 or in_event[-1] != 0:
        raise _Decline("traces or events not opened and closed in turn")
    inside = kind >= 2  # events and attributes lie in a trace; a trace opens and closes outside events
    if (in_trace[inside] != 1).any() or (in_event[kind <= 1] != 0).any():
        raise _Decline("an event or attribute outside a trace, or a trace inside an event")
    trace_no = np.cumsum(trace_open, dtype=np.int64) - 1
    event_no = np.cumsum(event_open, dtype=np.int64) - 1
    traces = int(trace_no[-1]) + 1
    if np.bincount(trace_no[event_open], minlength=traces).min(initial=1) == 0:
        raise _Decline("a trace without events")
    return trace_no, event_no, in_event == 1


def _build(text: _Text, key_at, key_len, first8, last8, value_at, value_len, types, in_event, rows, n_events,
           n_traces, trace_of_event) -> tuple:
    import pandas as pd
    import polars as pl
    import pyarrow as pa

    data, lanes = text.data, text.lanes
    # one group per (key, type, event or trace): a 64-bit fingerprint of the key's first and last 8 bytes, its
    # length, type and level; then each key of a group is compared with the group's first, byte for byte
    fingerprint = (first8 * _U64(0x9E3779B97F4A7C15)) ^ last8 \
        ^ ((key_len.astype(np.uint64) << _U64(8)) + (types.astype(np.uint64) << _U64(1)) + in_event)
    codes, groups = pd.factorize(fingerprint)
    if len(groups) >= 1 << 15:
        raise _Decline("too many attribute keys")
    order = np.argsort(codes.astype(np.int16), kind="stable")  # a radix sort
    bounds = np.concatenate([[0], np.cumsum(np.bincount(codes, minlength=len(groups)))])
    events, traces, kinds = {}, {}, {}
    for group in range(len(groups)):
        text.check()
        members = order[bounds[group]:bounds[group + 1]]
        one = members[0]
        length = int(key_len[one])
        if (key_len[members] != length).any() or (types[members] != types[one]).any() \
                or (in_event[members] != in_event[one]).any() or (first8[members] != first8[one]).any() \
                or (last8[members] != last8[one]).any():
            raise _Decline("two keys with one fingerprint")
        starts = key_at[members]
        for step in range(8, length - 8, 8):  # the bytes between the first and the last 8
            if (lanes[starts + step] != lanes[key_at[one] + step]).any():
                raise _Decline("two keys with one fingerprint")
        try:
            key = data[key_at[one]:key_at[one] + length].decode("utf-8")
        except UnicodeDecodeError:
            raise _Decline("a key that is not UTF-8") from None
        at = rows[members]
        if (np.diff(at) <= 0).any():
            raise _Decline("an attribute written twice in one event or trace")
        name = key if in_event[one] else f"case:{key}"
        if name in kinds:
            raise _Decline("a key written with two types, or a case attribute's name taken by an event attribute")
        values = _values(_TYPES[types[one]], text, value_at[members], value_len[members], pl, pa)
        total = n_events if in_event[one] else n_traces
        column = values if len(at) == total else \
            pl.Series(name, [], dtype=values.dtype).extend_constant(None, total).scatter(at, values)
        (events if in_event[one] else traces)[name] = column.alias(name)
        kinds[name] = ("event" if in_event[one] else "trace", _TYPES[types[one]])
    # a run of traces whose events have no attribute still has its rows (the column goes after the merge)
    table = pl.DataFrame(list(events.values()) or [pl.Series(_NO_COLUMN, [None] * n_events, dtype=pl.Null)])
    if traces:
        table = pl.concat([pl.DataFrame(list(traces.values()))[trace_of_event], table], how="horizontal")
    return table, kinds


_GLOBAL_TYPES = {"String": b"string", "Date": b"date", "Int": b"int", "Float": b"float", "Boolean": b"boolean"}


def _fill_from_globals(table, kinds: dict, globals_: list | None, level: str, pl):
    """rustxes gives a missing value the default of its key's global (the first global of a key counts, and only
    for a key some event or trace has); a global of another type than the values, or of a type not read here,
    sends the file to rustxes. A trace's default reaches each of its events."""
    seen = set()
    for entry in globals_ or []:
        try:
            key, kind, content = entry["key"], entry["value"]["type"], entry["value"]["content"]
        except (KeyError, TypeError):
            raise _Decline("a global rustxes describes otherwise") from None
        name = key if level == "event" else f"case:{key}"
        if name in seen or name not in kinds:
            seen.add(name)
            continue
        seen.add(name)
        if kinds[name][0] != level:
            raise _Decline("a global whose column is of the other level")
        if kind == "None":  # a default rustxes could not parse (and reported): none applies
            continue
        if _GLOBAL_TYPES.get(kind) != kinds[name][1]:
            raise _Decline("a global of another type than its key's values")
        column = table.get_column(name)
        if column.null_count() == 0:
            continue
        if kind == "Date":  # rustxes gives the date it parsed, written out again (RFC 3339)
            raw = str(content).encode("utf-8")
            nanoseconds = int(_dates(_lanes(raw + _PAD), np.array([0]), np.array([len(raw)]))[0])
            value = pl.lit(nanoseconds, dtype=pl.Int64).cast(column.dtype)  # not through datetime: that keeps µs
        else:
            value = pl.lit(pl.Series([content]).cast(column.dtype, strict=True).first(), dtype=column.dtype)
        table = table.with_columns(column.fill_null(value).alias(name))
    return table


def _values(kind: bytes, source: _Text, starts, lengths, pl, pa):
    """One attribute's values as a polars Series of rustxes' type for ``kind``, or _Decline."""
    if kind == b"date":
        return pl.Series(_dates(source.lanes, starts, lengths)).cast(pl.Datetime("ns"))
    text = pl.Series(_string_view(source.lanes, starts, lengths, source.buffer, source.ascii_only, pa))
    if kind == b"string":
        return text
    if kind == b"boolean":
        if not text.is_in(["true", "false"]).all():
            raise _Decline("a boolean other than true and false")
        return text == "true"
    pattern, dtype = (_INT, pl.Int64) if kind == b"int" else (_FLOAT, pl.Float64)
    if not text.str.contains(pattern).all():
        raise _Decline(f"{'an' if kind == b'int' else 'a'} {kind.decode()} value in another form")
    return text.cast(dtype)


def _string_view(lanes, starts, lengths, buffer, ascii_only, pa):
    """An Arrow string-view array over the file's bytes: a 16-byte view per value (length, then the value itself
    when it has up to 12 bytes, else its first 4 bytes and its offset), no value copied."""
    count = len(starts)
    views = np.empty((count, 4), "<u4")
    views[:, 0] = lengths
    low = lanes[starts] & _low_bytes(lengths)
    short = lengths <= 12
    high = np.zeros(count, np.uint32)
    middle = np.flatnonzero((lengths > 8) & short)  # bytes 8-11 are in the view itself
    high[middle] = (lanes[starts[middle] + 8] & _low_bytes(lengths[middle] - 8)).astype(np.uint32)
    views[:, 1] = low.astype(np.uint32)
    views[:, 2] = np.where(short, (low >> _U64(32)).astype(np.uint32), 0)
    views[:, 3] = np.where(short, high, starts.astype(np.uint32))
    array = pa.Array.from_buffers(pa.string_view(), count, [None, pa.py_buffer(views), buffer])
    if not ascii_only:
        try:
            array.validate(full=True)
        except pa.ArrowInvalid:
            raise _Decline("text that is not UTF-8") from None
    return array


def _dates(lanes, starts, lengths) -> np.ndarray:
    """Nanoseconds since 1970 (UTC) of the dates at ``starts`` as rustxes reads them (chrono's RFC 3339 parser,
    a date without an offset taken as UTC): ``YYYY-MM-DDTHH:MM:SS``, then ``.`` and 1-9 digits or not, then
    ``Z``, ``±HH:MM`` or nothing. Any other form, or a date out of range, raises _Decline."""
    out = np.empty(len(starts), np.int64)
    if len(starts) and (lengths.min() < 19 or lengths.max() > _DATE_LONGEST):
        raise _Decline("a date in another form")
    chars = _rows(lanes, starts, tuple(range(0, int(lengths.max(initial=0)), 8))).view(np.uint8)
    for length in np.unique(lengths).tolist():
        pick = np.flatnonzero(lengths == length)
        last = chars[pick, length - 1]
        zulu = last == ord("Z")
        offset = np.zeros(len(pick), bool)
        if length >= 25:
            sign = chars[pick, length - 6]
            offset = ((sign == ord("+")) | (sign == ord("-"))) & (chars[pick, length - 3] == ord(":"))
        for rows, zone in ((zulu, 1), (offset, 6), (~zulu & ~offset, 0)):
            if rows.any():
                fraction = length - 19 - zone  # "." and its digits
                if fraction == 1 or fraction > 10:
                    raise _Decline("a date in another form")
                these = pick[rows]
                out[these] = _date_values(chars[these], fraction - 1 if fraction else 0,
                                          length - 6 if zone == 6 else None, zone == 1)
    return out


def _date_values(chars: np.ndarray, digits: int, offset, zulu: bool) -> np.ndarray:
    """The dates in ``chars`` (one per row), all of one form: ``digits`` fraction digits, the offset's sign
    at ``offset`` (None: no offset) and a Z or not."""
    def expect(at, symbol):
        if (chars[:, at] != ord(symbol)).any():
            raise _Decline("a date in another form")

    places = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]  # YYYY MM DD hh mm ss
    if digits:
        places += range(20, 20 + digits)
    if offset is not None:
        places += [offset + 1, offset + 2, offset + 4, offset + 5]
    number = chars[:, places] - np.uint8(48)  # wraps below "0", so one test finds every non-digit
    if (number > 9).any():
        raise _Decline("a date in another form")
    number = number.astype(np.int32)

    def field(first, width):
        value = number[:, first]
        for column in range(first + 1, first + width):
            value = value * 10 + number[:, column]
        return value

    for at, symbol in ((4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":")):
        expect(at, symbol)
    year, month, day = field(0, 4), field(4, 2), field(6, 2)
    hour, minute, second = field(8, 2), field(10, 2), field(12, 2)
    nanos = 0
    if digits:
        expect(19, ".")
        nanos = field(14, digits).astype(np.int64) * 10 ** (9 - digits)
    shift = 0
    if offset is not None:
        sign = chars[:, offset]
        if not ((sign == ord("+")) | (sign == ord("-"))).all():
            raise _Decline("a date offset without a sign")
        expect(offset + 3, ":")
        off_hour, off_minute = field(14 + digits, 2), field(16 + digits, 2)
        if ((off_hour > 23) | (off_minute > 59)).any():
            raise _Decline("a date offset out of range")
        shift = (off_hour * 3600 + off_minute * 60) * np.where(sign == ord("+"), 1, -1)
    elif zulu:
        expect(20 + digits if digits else 19, "Z")
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    month_days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(month, 0, 12)] \
        + ((month == 2) & leap)
    if ((year < _FIRST_YEAR) | (year > _LAST_YEAR) | (month < 1) | (month > 12) | (day < 1) | (day > month_days)
            | (hour > 23) | (minute > 59) | (second > 59)).any():
        raise _Decline("a date out of range")
    # days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil)
    shifted_year = year - (month <= 2)
    era = shifted_year // 400
    year_of_era = shifted_year - era * 400
    day_of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    days = era * 146097 + day_of_era - 719468
    seconds = days.astype(np.int64) * 86400 + hour * 3600 + minute * 60 + second - shift
    return seconds * 1_000_000_000 + nanos
