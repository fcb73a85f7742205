"""The column-wise XES reader (``cxlib.io._xes_columns``) gives rustxes' table exactly, or steps aside.

Every log is read both ways: by the column-wise reader and by rustxes itself. The reader may decline (return
None: the caller then reads the file with rustxes), but what it returns must equal rustxes' table to the last
bit (columns, types, values, nulls) and carry rustxes' messages. Logs in the usual form must not be declined,
or the fast path would be tested on nothing. The logs are the real ones at hand, hand-made ones with each thing
it has to refuse, and logs drawn by Hypothesis (derandomized) in the usual form with values at the edges.
"""

from __future__ import annotations

import datetime as dt
import gzip
import re
import tempfile
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import polars.testing
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import cxlib
from cxlib.io import _xes, _xes_columns

from .conftest import DATA, ROOT, shared

FILES = ROOT / "tests" / "corpus" / "files"
HEAD = ('<?xml version="1.0" encoding="UTF-8" ?>\n<log xes.version="1.0" xmlns="http://www.xes-standard.org/">\n'
        '<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>\n'
        '<global scope="event">\n\t<string key="concept:name" value="__INVALID__"/>\n</global>\n'
        '<classifier name="Activity" keys="concept:name"/>\n<string key="concept:name" value="a log"/>\n')


def _compare(path, *, gzipped: bool | None = None, two_parts: bool = False):
    """'declined' or 'same'; fails when the column-wise table differs from rustxes' (or rustxes fails).
    ``two_parts``: even a small log is read in two parts (as logs of 4 MiB and more are)."""
    if gzipped is None:
        gzipped = path.read_bytes()[:2] == b"\x1f\x8b"
    with mock.patch.object(_xes_columns, "_TWO_PARTS_FROM", 0 if two_parts else _xes_columns._TWO_PARTS_FROM):
        got = _xes_columns.read_columns(path, gzip=gzipped, parse=_xes._run_rustxes)
    if got is None:
        return "declined"
    with tempfile.TemporaryDirectory() as scratch:
        if gzipped != path.name.endswith(".gz"):  # rustxes goes by the name: give it what the reader gives it
            plain = Path(scratch) / "log.xes"
            plain.write_bytes(gzip.decompress(path.read_bytes()) if gzipped else path.read_bytes())
            path = plain
        table, error, text = _xes._run_rustxes(path)
    assert error is None and table is not None, f"rustxes failed where the column-wise reader did not: {text[:300]}"
    polars.testing.assert_frame_equal(got[0], table, check_column_order=False, check_exact=True)
    assert got[1] == text
    return "same"


def _write(tmp_path, xml: str | bytes, name="log.xes", *, gz=False):
    raw = xml.encode("utf-8") if isinstance(xml, str) else xml
    path = tmp_path / (name + (".gz" if gz else ""))
    path.write_bytes(gzip.compress(raw) if gz else raw)
    return path


def _trace(case, events, extra=""):
    body = "".join(f"\t\t<event>\n{e}\t\t</event>\n" for e in events)
    return f'\t<trace>\n\t\t<string key="concept:name" value="{case}"/>\n{extra}{body}\t</trace>\n'


def _event(activity, when="2020-01-01T10:00:00.000+01:00", extra=""):
    return (f'\t\t\t<string key="concept:name" value="{activity}"/>\n'
            f'\t\t\t<date key="time:timestamp" value="{when}"/>\n{extra}')


GOOD = HEAD + _trace("c1", [_event("a"), _event("b", "2020-01-02T10:00:00+02:00")]) \
    + _trace("c2", [_event("a", extra='\t\t\t<int key="n" value="-7"/>\n')]) + "</log>\n"


# ------------------------------------------------------------------------------------------ real logs

@pytest.mark.parametrize("relative", ["helpdesk/helpdesk.xes.gz", "bpic2013_closed_problems/bpic2013_closed_problems.xes.gz",
                                      "receipt_wabo/receipt.xes.gz", "roadtraffic_sample/roadtraffic100traces.xes",
                                      "bpic2012/bpic2012.xes.gz"])
def test_real_logs_are_read_column_wise_and_equal_rustxes(relative):
    assert _compare(shared(relative)) == "same"


def test_shipped_log_and_corpus_files_equal_rustxes_or_are_declined():
    outcomes = {path.name: _compare(path) for path in [DATA / "helpdesk.xes.gz", FILES / "xes_gzip_named.xes",
                                                       FILES / "xes_bad_timestamp.xes"]}
    assert outcomes["helpdesk.xes.gz"] == "same"
    assert outcomes["xes_gzip_named.xes"] == "same"  # gzip content under a .xes name
    assert outcomes["xes_bad_timestamp.xes"] == "declined"  # rustxes reports the value it cannot parse
    for name in ["xes_missing_log_end.xes", "xes_missing_log_end.xes.gz", "xes_truncated.xes.gz", "xes_invalid.xes"]:
        assert _xes_columns.read_columns(FILES / name, gzip=name.endswith(".gz"), parse=_xes._run_rustxes) is None


def test_read_log_gives_the_same_log_and_report_with_either_reader(monkeypatch):
    columns, report = cxlib.read_log(DATA / "helpdesk.xes.gz", cache=False, with_report=True)
    assert report.reader == _xes.COLUMNS_READER
    monkeypatch.setattr(_xes, "read_columns", lambda *args, **kwargs: None)
    whole, whole_report = cxlib.read_log(DATA / "helpdesk.xes.gz", cache=False, with_report=True)
    assert whole_report.reader == "rustxes"
    pd.testing.assert_frame_equal(columns, whole, check_exact=True)
    assert {**report.to_dict(), "seconds": 0, "reader": ""} == {**whole_report.to_dict(), "seconds": 0, "reader": ""}


def test_header_values_rustxes_cannot_parse_are_reported_as_before(tmp_path):
    xml = GOOD.replace('<string key="concept:name" value="a log"/>',
                       '<date key="created" value="yesterday"/>')
    path = _write(tmp_path, xml)
    assert _compare(path) == "same"
    log, report = cxlib.read_log(path, cache=False, with_report=True)
    assert report.reader == _xes.COLUMNS_READER and len(log) == 3
    assert report.counts["values the XES reader could not parse"] == 1


# --------------------------------------------------------------------------------- what it must refuse

REFUSED = {
    "entity": GOOD.replace('value="b"', 'value="b &amp; c"'),
    "character reference": GOOD.replace('value="b"', 'value="b&#10;c"'),
    "comment": GOOD.replace("\t\t<event>", "\t\t<!-- </trace><trace> -->\n\t\t<event>", 1),
    "CDATA": GOOD.replace("\t\t<event>", "\t\t<![CDATA[x]]>\n\t\t<event>", 1),
    "processing instruction": GOOD.replace("\t\t<event>", "\t\t<?pi x?>\n\t\t<event>", 1),
    "carriage return": GOOD.replace('value="b"', 'value="b\rc"'),
    "id attribute": GOOD.replace('<int key="n" value="-7"/>', '<id key="n" value="abc"/>'),
    "list attribute": GOOD.replace('<int key="n" value="-7"/>',
                                   '<list key="l"><values><string key="i" value="1"/></values></list>'),
    "nested attribute": GOOD.replace('<int key="n" value="-7"/>',
                                     '<string key="n" value="v"><int key="c" value="1"/></string>'),
    "value before key": GOOD.replace('<int key="n" value="-7"/>', '<int value="-7" key="n"/>'),
    "single quotes": GOOD.replace('<int key="n" value="-7"/>', "<int key='n' value='-7'/>"),
    "two spaces": GOOD.replace('<int key="n" value="-7"/>', '<int  key="n" value="-7"/>'),
    "an element not closed": GOOD.replace('<int key="n" value="-7"/>', '<int key="n" value="-7">'),
    "duplicate key": GOOD.replace('<int key="n" value="-7"/>', '<int key="n" value="1"/><int key="n" value="2"/>'),
    "two types of one key": HEAD + _trace("c1", [_event("a", extra='<int key="n" value="1"/>'),
                                                 _event("b", extra='<string key="n" value="x"/>')]) + "</log>\n",
    "int and float mixed": GOOD.replace('\t</trace>\n</log>', '\t\t<event><float key="n" value="1.5"/></event>\n'
                                        '\t</trace>\n</log>'),
    "case name taken by an event attribute": GOOD.replace('<int key="n" value="-7"/>',
                                                          '<string key="case:concept:name" value="x"/>'),
    "trace without events": GOOD.replace("</log>", '\t<trace>\n\t\t<string key="concept:name" value="c3"/>\n'
                                         "\t</trace>\n</log>"),
    "empty trace element": GOOD.replace("</log>", "<trace/>\n</log>"),
    "event outside a trace": GOOD.replace("</log>", "<event><string key=\"x\" value=\"y\"/></event>\n</log>"),
    "attribute outside a trace": GOOD.replace("</log>", '<string key="x" value="y"/>\n</log>'),
    "trace in a trace": GOOD.replace('\t<trace>\n\t\t<string key="concept:name" value="c2"/>',
                                     '\t<trace>\n\t<trace>\n\t\t<string key="concept:name" value="c2"/>'),
    "event not closed": GOOD.replace("\t\t</event>\n\t</trace>", "\t</trace>", 1),
    "trace with an XML attribute": GOOD.replace("<trace>", '<trace id="1">', 1),
    "Latin-1 declared": GOOD.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'),
    "no </log>": GOOD.replace("</log>", ""),
    "text after </log>": GOOD + "<log/>",
    "a broken header": GOOD.replace("</global>", "</globa>"),
    "31 February": GOOD.replace("2020-01-02T10:00:00+02:00", "2020-02-31T10:00:00+02:00"),
    "a leap second": GOOD.replace("2020-01-02T10:00:00+02:00", "2020-01-02T10:00:60+02:00"),
    "hour 24": GOOD.replace("2020-01-02T10:00:00+02:00", "2020-01-02T24:00:00+02:00"),
    "offset +24:00": GOOD.replace("2020-01-02T10:00:00+02:00", "2020-01-02T10:00:00+24:00"),
    "offset without colon": GOOD.replace("2020-01-02T10:00:00+02:00", "2020-01-02T10:00:00+0200"),
    "year 1": GOOD.replace("2020-01-02T10:00:00+02:00", "0001-01-01T00:00:00+01:00"),
    "a space for the T": GOOD.replace("2020-01-02T10:00:00+02:00", "2020-01-02 10:00:00+02:00"),
    "ten fraction digits": GOOD.replace("2020-01-02T10:00:00+02:00", "2020-01-02T10:00:00.1234567891+02:00"),
    "a dot without digits": GOOD.replace("2020-01-02T10:00:00+02:00", "2020-01-02T10:00:00.+02:00"),
    "int with plus": GOOD.replace('value="-7"', 'value="+7"'),
    "int too large": GOOD.replace('value="-7"', 'value="9223372036854775808"'),
    "int empty": GOOD.replace('value="-7"', 'value=""'),
    "float inf": GOOD.replace('<int key="n" value="-7"/>', '<float key="n" value="inf"/>'),
    "float .5": GOOD.replace('<int key="n" value="-7"/>', '<float key="n" value=".5"/>'),
    "boolean True": GOOD.replace('<int key="n" value="-7"/>', '<boolean key="n" value="True"/>'),
    "not UTF-8": GOOD.replace('value="b"', 'value="b\udcff"'),
}


# why each is declined (a part of the reason the reader gives), so that none is declined by accident
REASONS = {
    "31 February": "date out of range", "CDATA": "an element other", "Latin-1 declared": "encoding",
    "a broken header": "header", "a dot without digits": "date in another form", "a leap second": "date out of range",
    "a space for the T": "date in another form", "an element not closed": "attribute element in another form",
    "attribute outside a trace": "outside a trace", "boolean True": "boolean other than",
    "carriage return": "carriage return", "case name taken by an event attribute": "case attribute's name",
    "character reference": "entity", "comment": "an element other", "duplicate key": "written twice",
    "empty trace element": "an element other", "entity": "entity", "event not closed": "not opened and closed",
    "event outside a trace": "outside a trace", "float .5": "a float value", "float inf": "a float value",
    "hour 24": "date out of range", "id attribute": "an element other", "int and float mixed": "two types",
    "int empty": "an int value", "int too large": "an int value", "int with plus": "an int value",
    "list attribute": "an element other", "nested attribute": "an element other", "no </log>": "</log>",
    "not UTF-8": "not UTF-8", "offset +24:00": "offset out of range", "offset without colon": "date in another form",
    "processing instruction": "an element other", "single quotes": "an element other",
    "ten fraction digits": "date in another form", "text after </log>": "</log>",
    "trace in a trace": "not opened and closed", "trace with an XML attribute": "an element other",
    "trace without events": "a trace without events", "two spaces": "attribute element in another form",
    "two types of one key": "two types", "value before key": "attribute element in another form",
    "year 1": "date out of range",
}


def test_each_refusal_has_its_reason(tmp_path):
    assert set(REASONS) == set(REFUSED)
    for name, xml in REFUSED.items():
        path = _write(tmp_path, xml.encode("utf-8", errors="surrogateescape"))
        with pytest.raises(_xes_columns._Decline, match=re.escape(REASONS[name])):
            _xes_columns._read(path, gzip=False, parse=_xes._run_rustxes)


@pytest.mark.parametrize("name", sorted(REFUSED))
@pytest.mark.parametrize("gz, two_parts", [(False, False), (True, False), (False, True)])
def test_anything_outside_the_usual_form_is_declined(name, gz, two_parts, tmp_path):
    xml = REFUSED[name]
    raw = xml.encode("utf-8", errors="surrogateescape")
    assert _compare(_write(tmp_path, raw, gz=gz), gzipped=gz, two_parts=two_parts) == "declined"


def test_a_key_typed_differently_in_the_two_parts_is_declined(tmp_path):
    one = _trace("c1", [_event("a", extra='<int key="n" value="1"/>')])
    other = _trace("c2", [_event("b", extra='<string key="n" value="x"/>')])
    path = _write(tmp_path, HEAD + one + other + "</log>\n")
    assert _compare(path, two_parts=True) == "declined"
    case_and_event = _trace("c2", [_event("b", extra='<string key="case:k" value="x"/>')])
    path = _write(tmp_path, HEAD + _trace("c1", [_event("a")], '<string key="k" value="T"/>') + case_and_event
                  + "</log>\n", "levels.xes")
    assert _compare(path, two_parts=True) == "declined"


def test_globals_fill_the_missing_values_of_both_parts(tmp_path):
    """A key only the second part has still gets its global's default in the first part's events."""
    head = HEAD.replace('<global scope="event">\n', '<global scope="event">\n\t<string key="r" value="DEF"/>\n'
                        '\t<date key="due" value="1999-12-31T23:00:00+01:00"/>\n')
    head = head.replace("<classifier", '<global scope="trace">\n\t<int key="size" value="-1"/>\n</global>\n<classifier')
    first = _trace("c1", [_event("a"), _event("b")])
    second = _trace("c2", [_event("a", extra='<string key="r" value="x"/><date key="due" value="2000-01-01T00:00:00Z"/>'),
                           _event("b")], '<int key="size" value="3"/>')
    path = _write(tmp_path, head + first + second + "</log>\n")
    for two_parts in (False, True):
        assert _compare(path, two_parts=two_parts) == "same"
    table = _xes_columns.read_columns(path, gzip=False, parse=_xes._run_rustxes)[0]
    assert table["r"].to_list() == ["DEF", "DEF", "x", "DEF"] and table["case:size"].to_list() == [-1, -1, 3, 3]


def test_the_usual_form_in_both_closings_is_read(tmp_path):
    assert _compare(_write(tmp_path, GOOD)) == "same"
    assert _compare(_write(tmp_path, GOOD.replace('"/>', '" />'), "spaced.xes")) == "same"
    assert _compare(_write(tmp_path, GOOD.replace("\n", "").replace("\t", ""), "one-line.xes")) == "same"
    assert _compare(_write(tmp_path, "\ufeff" + GOOD, "bom.xes")) == "same"


@pytest.mark.parametrize("problem", ["cut short", "two members", "damaged"])
def test_gzip_problems_are_declined(problem, tmp_path):
    packed = gzip.compress(GOOD.encode())
    raw = {"cut short": packed[:-12], "two members": packed + gzip.compress(b"<log/>"),
           "damaged": packed[:40] + bytes([packed[40] ^ 0xFF]) + packed[41:]}[problem]
    path = tmp_path / "log.xes.gz"
    path.write_bytes(raw)
    assert _xes_columns.read_columns(path, gzip=True, parse=_xes._run_rustxes) is None


def test_keys_alike_in_their_first_and_last_bytes_are_told_apart(tmp_path):
    """Two keys of one length with equal first and last 8 bytes share a fingerprint; each key is compared in
    full, so they are either two columns or the file is declined, never one column."""
    one, other = "aaaaaaaaXbbbbbbbb", "aaaaaaaaYbbbbbbbb"
    xml = HEAD + _trace("c1", [_event("a", extra=f'\t\t\t<string key="{one}" value="1"/>\n'),
                               _event("b", extra=f'\t\t\t<string key="{other}" value="2"/>\n')]) + "</log>\n"
    assert _compare(_write(tmp_path, xml)) in {"same", "declined"}
    assert _xes_columns.read_columns(_write(tmp_path, xml), gzip=False, parse=_xes._run_rustxes) is None


def test_long_and_unicode_keys_and_values(tmp_path):
    long_key = "k" * 40 + "ü"
    xml = HEAD + _trace("Fall ä 1", [_event("Prüfung – 完成", extra=f'\t\t\t<string key="{long_key}" value="{"v" * 30}"/>\n'
                                            '\t\t\t<boolean key="ok" value="false"/>\n'
                                            '\t\t\t<float key="x" value="-1.25e-3"/>\n'),
                                     _event("b\tc\nd", extra='\t\t\t<boolean key="ok" value="true"/>\n')],
                        extra='\t\t<date key="opened" value="2019-12-31T23:59:59Z"/>\n') + "</log>\n"
    assert _compare(_write(tmp_path, xml)) == "same"


# ------------------------------------------------------------------------------- logs drawn by Hypothesis

_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters='&<"\r\x00'), max_size=20)


@st.composite
def _dates(draw, odd: bool):
    """A date in one of the four forms read, or (``odd``) one that rustxes reads otherwise or not at all."""
    moment = draw(st.datetimes(min_value=dt.datetime(1700, 1, 2), max_value=dt.datetime(2199, 12, 30)))
    offset = draw(st.integers(-23 * 60 - 59, 23 * 60 + 59))
    sign, minutes = ("+" if offset >= 0 else "-"), abs(offset)
    zone = draw(st.sampled_from(["Z", f"{sign}{minutes // 60:02d}:{minutes % 60:02d}", "-00:00", ""]))
    base = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if odd:
        return draw(st.sampled_from(["2021-02-29T00:00:00Z", "2020-01-01T00:00:60Z", base + ".Z", base + "z",
                                     base + "+01", base.replace("T", " ") + zone, "1600-01-01T00:00:00Z",
                                     base + ".1234567891Z"]))
    digits = draw(st.integers(0, 9))
    fraction = "." + f"{draw(st.integers(0, 10**digits - 1)):0{digits}d}" if digits else ""
    return base + fraction + zone


@st.composite
def _value(draw, kind):
    """(text, clean) for an attribute of ``kind``: clean when the reader reads it, odd one time in twenty."""
    odd = draw(st.integers(0, 19)) == 0
    if kind == "string":
        return draw(_TEXT), True
    if kind == "date":
        return draw(_dates(odd)), not odd
    if kind == "int":
        if odd:
            number = draw(st.integers(-2**63, 2**63 - 1))
            text = draw(st.sampled_from([str(number), f"+{abs(number)}", f" {number}", ""]))
        else:
            text = draw(st.sampled_from(["{}", "{}", "00{}"])).format(draw(st.integers(0, 10**15)))
            text = draw(st.sampled_from(["", "-"])) + text
        return text, re.fullmatch(r"-?[0-9]{1,18}", text) is not None
    if kind == "float":
        number = draw(st.floats(allow_nan=odd, allow_infinity=odd))
        formats = ["{!r}", "{:.17g}", "{:e}", "{:.3f}"] + ([".5", "5.", "+1.5", "1e5000"] if odd else [])
        text = draw(st.sampled_from(formats)).format(number)
        clean = re.fullmatch(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]{1,3})?", text) is not None  # the reader's rule
        return text, clean
    text = draw(st.sampled_from(["TRUE", "1", "True", ""] if odd else ["true", "false"]))
    return text, text in ("true", "false")


_KEYS = {"concept:name": "string", "time:timestamp": "date", "org:resource": "string",
         "lifecycle:transition": "string", "amount": "float", "count": "int", "flag": "boolean",
         "a rather long attribute key, 40 bytes!": "string", "Schlüssel": "string", "opened": "date"}


@st.composite
def _logs(draw):
    """(xml, clean): a log in the usual form; clean when every value is one the reader reads."""
    clean, attributes = True, 0
    gap = draw(st.sampled_from(["\n", "", "\n\t\t", " "]))
    close = draw(st.sampled_from(['"/>', '" />']))
    globals_ = []
    for scope in ("trace", "event"):
        keys = draw(st.lists(st.sampled_from(sorted(_KEYS)), unique=True, max_size=3))
        if keys:
            globals_.append(f'<global scope="{scope}">')
            for key in keys:
                kind = _KEYS[key] if draw(st.integers(0, 9)) else "string"  # now and then a global of another type
                text, _ok = draw(_value(kind))
                clean &= kind == _KEYS[key]
                globals_.append(f'<{kind} key="{key}" value="{text}"/>')
            globals_.append("</global>\n")
    parts = [HEAD.replace("<classifier", "".join(globals_) + "<classifier")]
    for case in range(draw(st.integers(1, 5))):
        parts.append(f"<trace>{gap}")
        for key in draw(st.lists(st.sampled_from(sorted(_KEYS)), unique=True, max_size=3)):
            text, ok = draw(_value(_KEYS[key]))
            clean &= ok
            parts.append(f'<{_KEYS[key]} key="{key}" value="{text}{close}{gap}')
        for _ in range(draw(st.integers(1, 4))):
            parts.append(f"<event>{gap}")
            for key in draw(st.lists(st.sampled_from(sorted(_KEYS)), unique=True, max_size=5)):
                text, ok = draw(_value(_KEYS[key]))
                clean &= ok
                attributes += 1
                parts.append(f'<{_KEYS[key]} key="{key}" value="{text}{close}{gap}')
            parts.append(f"</event>{gap}")
        parts.append(f"</trace>{gap}")
    parts.append("</log>\n")
    return "".join(parts), clean and attributes > 0  # a log whose events have no attribute at all is declined


@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(_logs(), st.booleans(), st.booleans())
def test_drawn_logs_equal_rustxes(tmp_path, drawn, gz, two_parts):
    xml, clean = drawn
    outcome = _compare(_write(tmp_path, xml, gz=gz), gzipped=gz, two_parts=two_parts)
    event(f"{'clean' if clean else 'odd'}: {outcome}")
    if clean:
        assert outcome == "same", "a log in the usual form with clean values was declined"


def test_dates_are_the_instants_rustxes_gives():
    """The date arithmetic on its own, against Python's datetime, over four centuries and every offset form."""
    rng = np.random.default_rng(7)
    seconds = rng.integers(int(dt.datetime(1700, 1, 2).timestamp()), int(dt.datetime(2199, 12, 30).timestamp()),
                           2000)
    texts, expected = [], []
    for value, offset in zip(seconds, rng.integers(-23 * 60, 23 * 60, 2000)):
        moment = dt.datetime(1970, 1, 1) + dt.timedelta(seconds=int(value), microseconds=int(value % 999_983))
        zone = dt.timezone(dt.timedelta(minutes=int(offset)))
        local = moment.replace(tzinfo=dt.UTC).astimezone(zone)
        spec = ["seconds", "milliseconds", "microseconds"][int(value) % 3]
        texts.append(local.isoformat(timespec=spec))
        truncated = moment.replace(microsecond=moment.microsecond // 1000 * 1000) if spec == "milliseconds" \
            else moment.replace(microsecond=0) if spec == "seconds" else moment
        expected.append(int((truncated - dt.datetime(1970, 1, 1)) / dt.timedelta(microseconds=1)) * 1000)
    data = "".join(texts).encode() + _xes_columns._PAD
    lanes = _xes_columns._lanes(data)
    lengths = np.array([len(t) for t in texts])
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    assert _xes_columns._dates(lanes, starts, lengths).tolist() == expected


def test_values_rustxes_replaces_by_a_default_are_reported(tmp_path):
    """rustxes writes 0 for an int it cannot parse (and 0.0, false for floats and booleans): the column-wise
    reader leaves such a file to rustxes, and the load report says which values are not the file's."""
    xml = GOOD.replace('value="-7"', 'value="12x"').replace(
        '<date key="time:timestamp" value="2020-01-01T10:00:00.000+01:00"/>',
        '<date key="time:timestamp" value="2020-01-01T10:00:00.000+01:00"/><boolean key="ok" value="yes"/>', 1)
    path = _write(tmp_path, xml)
    assert _compare(path) == "declined"
    log, report = cxlib.read_log(path, cache=False, with_report=True)
    assert report.reader == "rustxes"
    assert report.counts["values the XES reader replaced by a default"] == 2
    note = next(n for n in report.notes if "replaced" in n or "in their place" in n)
    assert "'12x' (integer)" in note and "'yes' (boolean)" in note and len(log) == 3


@pytest.mark.parametrize("foreign", ['<id key="n" value="a"/>', '<string key="n" value="a &amp; b"/>'])
def test_a_large_log_shows_early_it_is_not_in_the_usual_form(foreign, tmp_path):
    """The first inflated megabyte is looked at before the rest is inflated: a log with a foreign element or
    an entity near its start is left to rustxes at once (the inflating stops), not after the whole file."""
    events = [_event(f"a{i}") for i in range(16000)]
    xml = HEAD + _trace("c1", events[:3] + [_event("x", extra=foreign)]) + _trace("c2", events) + "</log>\n"
    assert len(xml) > 2 * _xes_columns._PEEK
    path = _write(tmp_path, xml, gz=True)
    with pytest.raises(_xes_columns._Decline, match="element other|entity"):
        _xes_columns._inflate_and_scan(path)
    assert _compare(path) == "declined"
    clean = _write(tmp_path, HEAD + _trace("c1", events) + _trace("c2", events) + "</log>\n", "clean.xes", gz=True)
    data, marks, is_open = _xes_columns._inflate_and_scan(clean)  # the look at the start passes a clean log
    inflated = gzip.decompress(clean.read_bytes())
    assert bytes(data) == inflated + _xes_columns._PAD
    assert len(marks) == len(is_open) == inflated.count(b"<") + inflated.count(b'"') and is_open.sum() == inflated.count(b"<")
    assert _compare(clean) == "same"
