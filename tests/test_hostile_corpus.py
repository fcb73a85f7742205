"""The hostile corpus: every broken file of ``tests/corpus/files`` read by the reader a user would call.

Each case states its expected outcome, worked out by hand from how ``tests/corpus/build.py`` damaged the file:

- ``error``: a :class:`cxlib.CxInputError` whose message starts with the file's path and contains each listed
  substring (the column or line, and a hint of what was expected); a tuple lists alternatives;
- ``dropped`` / ``lines``: the exact rows dropped by reason and their line numbers (header = line 1, blank
  lines counted as the file shows them), with ``rows_read == rows_kept + rows_dropped``;
- ``truth``: the kept rows equal ``tests/corpus/truth/NAME.json``, which the build computed from the source
  data without cxlib (e.g. the dates of the dd/mm file equal the original timestamps of the receipt log).

Every case also checks ``read`` (the records in the file), the counts and notes listed, and that no Rust panic
text reaches stdout or stderr. Any exception other than CxInputError fails the case. A case may be marked
``xfail(strict=True)`` with the reason, so that a known reader bug stays visible without failing the suite.
"""

from __future__ import annotations

import dataclasses
import json
import math
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import cxlib
from cxlib import CxInputError
from cxlib.feedback import read_feedback
from cxlib.scores import check_scores, read_responses

CORPUS = Path(__file__).resolve().parent / "corpus"
FILES = CORPUS / "files"
TRUTH = CORPUS / "truth"

CASE, ACTIVITY, TIMESTAMP, RESOURCE = "case:concept:name", "concept:name", "time:timestamp", "org:resource"
GAP = "nonexistent local time (DST gap)"
OVERLAP = "ambiguous local time (DST overlap)"
COMPLAINT_JOURNEY = {"case": "CustomerID", "activity": "ComplaintTheme_EN", "timestamp": "ContactDate"}
TWEETS = {"id": "tweet_id", "date": "tweet_created"}
COMPLAINTS = {"text": "ComplaintTopic_EN", "id": "ComplaintID", "date": "ContactDate",
              "case_id": "CustomerID"}
PANIC_MARKERS = ("panicked", "stack backtrace", "RUST_BACKTRACE", "Failed to parse data")



@dataclasses.dataclass(frozen=True)
class Case:
    """One corpus file read one way, and what must come out."""

    id: str
    file: str
    reader: str  # "log" (cxlib.read_log), "feedback" (read_feedback) or "responses" (read_responses)
    kwargs: dict = dataclasses.field(default_factory=dict)
    error: tuple = ()  # (a) substrings of the CxInputError message; a tuple entry lists alternatives
    read: int | None = None  # records in the file
    dropped: dict = dataclasses.field(default_factory=dict)  # (b) exact; {} for a correct result
    lines: dict = dataclasses.field(default_factory=dict)  # exact dropped_lines
    truth: str | None = None  # (c) the kept rows equal this truth file
    counts: dict = dataclasses.field(default_factory=dict)  # these counts, exactly
    notes: tuple = ()  # substrings each found in some note
    encoding: str | None = None
    check: Callable | None = None  # literal spot checks on (table, report)
    xfail: str | None = None

    @property
    def kind(self) -> str:
        if self.error:
            return "error"
        return "dropped" if self.dropped else "correct"


# ----------------------------------------------------------------------------------------- spot checks

def _day_first_dates(log, report):
    # '24/11/2011 14:36' is 24 November (day first), '11/10/2011 11:45' is 11 October, not 10 November
    first = log[log[CASE] == "case-10011"][TIMESTAMP].tolist()
    assert first[0] == pd.Timestamp("2011-10-11 11:45", tz="UTC")
    assert first[2] == pd.Timestamp("2011-11-24 14:36", tz="UTC")


def _month_first_dates(log, report):
    # '10/11/2011 11:45' is 11 October (month first), '11/24/2011 14:36' is 24 November
    first = log[log[CASE] == "case-10011"][TIMESTAMP].tolist()
    assert first[0] == pd.Timestamp("2011-10-11 11:45", tz="UTC")
    assert first[2] == pd.Timestamp("2011-11-24 14:36", tz="UTC")


def _ambiguous_read_day_first(log, report):
    # '09/11/2011 19:39' read day first is 9 November
    assert log[TIMESTAMP].iloc[0] == pd.Timestamp("2011-11-09 19:39", tz="UTC")


def _mixed_formats(log, report):
    # month names with AM/PM and day-first dd.mm.yyyy read right
    first = log[log[CASE] == "case-10011"][TIMESTAMP].tolist()
    assert first[2] == pd.Timestamp("2011-11-24 14:36", tz="UTC")  # written "Nov 24 2011 2:36PM"
    assert pd.Timestamp("2011-10-18 11:46", tz="UTC") in log[TIMESTAMP].tolist()  # written "18.10.2011 11:46"


def _offsets_mixed(log, report):
    # '2005-07-22 00:00:00' without offset is midnight in Rome (CEST), 22:00 UTC the day before
    fines = log[log[CASE] == "N77802"][TIMESTAMP].tolist()
    assert fines == [pd.Timestamp("2005-03-22 23:00", tz="UTC"), pd.Timestamp("2005-07-21 22:00", tz="UTC")]


def _duplicate_header(log, report):
    assert "resource (2)" in log.columns
    assert log[RESOURCE].iloc[0] == "Resource21" and log["resource (2)"].iloc[0] == "Group 1"


def _leading_zeros_kept(log, report):
    written = [row[0] for row in _truth("complaints_leading_zero_ids")["rows"]]
    assert Counter(log[CASE].tolist()) == Counter(written)
    assert {"002024035", "2024035", "001893155", "1893155", "001945807"} <= set(log[CASE])
    assert report.counts["cases"] == 10


def _leading_zeros_joined(log, report):
    assert "002024035" not in set(log[CASE]) and report.counts["cases"] == 8


def _float_ids(log, report):
    assert not log[CASE].str.contains(".", regex=False).any()
    assert "1945807" in set(log[CASE])


def _whitespace_ids(log, report):
    assert sorted(set(log[CASE])) == ["case-10011", "case-10017", "case-10024"]


def _scores(fb, report):
    raw = fb["score_raw"].tolist()
    assert raw[1:7] == ["7,5", "inf", "seven", "11", "-1", "7.5"]
    assert all(math.isnan(v) for v in fb["score"].iloc[1:7])
    assert fb["score"].iloc[[0, *range(7, 12)]].tolist() == [float(raw[i]) for i in [0, *range(7, 12)]]


def _responses_scores(table, report):
    problems = check_scores(table, score="score", scale=(0, 10))
    assert problems[["row", "value", "problem"]].values.tolist() == [
        [1, "7,5", "not numeric"], [2, "inf", "not numeric"], [3, "seven", "not numeric"],
        [4, "11", "outside the scale"], [5, "-1", "outside the scale"], [6, "7.5", "not a whole number"]]


def _stray_quote_kept(fb, report):
    assert fb["text"].iloc[4] == '"(Multiple) requests, to little avail'


def _stray_quote_inside(fb, report):
    assert '(Multiple) requests, to "little avail' in fb["text"].tolist()


def _multiline(fb, report):
    assert "\n" in fb["text"].iloc[5] and fb["text"].iloc[3].count('"') == 2


# ------------------------------------------------------------------------------------------- the cases

CASES = [
    # --- line ends, final line, blank lines, header
    Case("crlf", "log_crlf.csv", "log", read=19, truth="receipt3"),
    Case("old mac cr", "log_old_mac_cr.csv", "log", read=19, truth="receipt3"),
    Case("mixed line ends", "log_mixed_eol.csv", "log", read=19, truth="receipt3"),
    Case("no final newline", "log_no_final_newline.csv", "log", read=19, truth="receipt3"),
    Case("truncated mid row", "log_truncated_mid_row.csv", "log", read=19,
         dropped={"truncated last record": 1}, lines={"truncated last record": [20]},
         truth="receipt3_first18"),
    Case("truncated mid quoted field", "fb_truncated_mid_quote.csv", "feedback", TWEETS, read=10,
         dropped={"truncated last record": 1}, lines={"truncated last record": [12]}, truth="tweets9"),
    Case("NUL bytes", "log_nul_bytes.csv", "log", read=19, dropped={"NUL bytes": 2},
         lines={"NUL bytes": [5, 12]}, truth="receipt3_nul"),
    Case("blank lines", "log_blank_lines.csv", "log", read=19, dropped={"missing activity": 1},
         lines={"missing activity": [22]}, truth="receipt3_blank",
         notes=("2 blank line(s) before the header", "5 blank line(s) skipped")),
    Case("empty file", "log_empty.csv", "log", error=("empty (0 bytes)",)),
    Case("white space only", "log_whitespace_only.csv", "log", error=("no header line",)),
    Case("header only", "log_header_only.csv", "log", error=("contains no events",)),
    Case("duplicate header names", "log_duplicate_header.csv", "log", read=19, truth="receipt3",
         notes=("'resource' appears 2 times in the header",), check=_duplicate_header),
    Case("stray quote in header", "log_header_stray_quote.csv", "log",
         error=("header (line 1)", "Check the quotes", "quoting='none'")),
    # --- quoting and ragged rows
    Case("one stray quote, ; export", "cmp_stray_quote.csv", "feedback", COMPLAINTS, read=12,
         dropped={"unbalanced quote": 1}, lines={"unbalanced quote": [6]},
         truth="complaints_stray_quote"),
    Case("one stray quote, quoting none", "cmp_stray_quote.csv", "feedback",
         {**COMPLAINTS, "quoting": "none"}, read=12, truth="complaints_stray_quote_none",
         check=_stray_quote_kept),
    Case("several stray quotes", "cmp_stray_quotes.csv", "feedback", COMPLAINTS, read=14,
         dropped={"unbalanced quote": 3}, lines={"unbalanced quote": [4, 8, 14]},
         truth="complaints_stray_quotes", check=_stray_quote_inside),
    Case("ragged rows", "cmp_ragged.csv", "feedback", COMPLAINTS, read=8,
         dropped={"too many fields": 2, "too few fields": 1},
         lines={"too many fields": [4, 9], "too few fields": [5]}, truth="complaints_ragged"),
    Case("trailing delimiter", "cmp_trailing_delimiter.csv", "feedback", COMPLAINTS, read=12,
         truth="complaints12", notes=("header field 7 is empty; the column is called 'column_7'",)),
    Case("trailing delimiter on rows only", "cmp_trailing_delimiter_rows.csv", "feedback", COMPLAINTS,
         error=("no row could be read", "too many fields: 12, first at line 2", "6 field(s)", "sep=")),
    Case("malformed quoting", "fb_malformed_quoting.csv", "feedback", TWEETS, read=8,
         dropped={"malformed quoting": 1}, lines={"malformed quoting": [5]}, truth="tweets_malformed"),
    Case("two quotes lost: rows must not merge", "fb_lost_quotes.csv", "feedback", TWEETS, read=10,
         dropped={"unbalanced quote": 1, "too many fields": 1},
         lines={"unbalanced quote": [7], "too many fields": [8]}, truth="tweets_lost_quotes"),
    Case("quoted line breaks", "fb_multiline.csv", "feedback", TWEETS, read=12, truth="tweets12",
         check=_multiline),
    # --- encodings
    Case("UTF-8 BOM", "cmp_utf8_bom.csv", "responses", read=12, truth="complaints_dutch",
         encoding="utf-8-sig"),
    Case("UTF-16 LE BOM", "cmp_utf16le_bom.csv", "responses", read=12, truth="complaints_dutch",
         encoding="utf-16"),
    Case("UTF-16 BE BOM", "cmp_utf16be_bom.csv", "responses", read=12, truth="complaints_dutch",
         encoding="utf-16"),
    Case("UTF-16 without BOM", "cmp_utf16le_nobom.csv", "responses", read=12, truth="complaints_dutch",
         encoding="utf-16-le"),
    Case("latin-1", "cmp_latin1.csv", "responses", read=12, truth="complaints_dutch", encoding="cp1252"),
    Case("cp1252", "fb_cp1252.csv", "feedback", TWEETS, read=8, truth="tweets_cp1252", encoding="cp1252"),
    # --- dates
    Case("dd/mm/yyyy", "log_dayfirst.csv", "log", read=19, truth="receipt3_minute",
         counts={"timestamp format: dd/mm/yyyy HH:MM": 19}, notes=("day-first", "'24/11/2011 14:36'"),
         check=_day_first_dates),
    Case("mm/dd/yyyy with evidence", "log_monthfirst.csv", "log", read=19, truth="receipt3_minute",
         counts={"timestamp format: mm/dd/yyyy HH:MM": 19}, notes=("month-first",), check=_month_first_dates),
    Case("ambiguous dates refused", "log_ambiguous_dates.csv", "log",
         error=("'timestamp'", "ambiguous", "'09/11/2011 19:39'", "timestamp_format='%d/%m/%Y %H:%M'",
                "dayfirst=True/False")),
    Case("ambiguous dates, dayfirst=True", "log_ambiguous_dates.csv", "log", {"dayfirst": True}, read=18,
         truth="receipt_ambiguous_dayfirst", check=_ambiguous_read_day_first),
    Case("mixed ISO, dd.mm.yyyy, Oct 11 2011 1:45PM", "log_mixed_formats.csv", "log", read=19,
         truth="receipt3_minute",
         counts={"timestamp format: ISO 8601": 7, "timestamp format: dd.mm.yyyy HH:MM": 6,
                 "timestamp format: month name (Oct 11 2011 1:45PM)": 6},
         check=_mixed_formats),
    Case("offsets mixed with naive", "log_offsets_mixed.csv", "log", {"source_timezone": "Europe/Rome"},
         read=19, truth="roadtraffic6",
         counts={"timestamps with offset": 10, "timestamps without offset, read as Europe/Rome": 9},
         check=_offsets_mixed),
    Case("DST gap", "log_dst_gap.csv", "log", {"source_timezone": "Europe/Berlin"}, read=18, dropped={GAP: 1},
         lines={GAP: [6]}, truth="receipt_dst_gap", notes=("'2011-03-27 02:30:00'",)),
    Case("DST overlap", "log_dst_overlap.csv", "log", {"source_timezone": "Europe/Berlin"}, read=12,
         dropped={OVERLAP: 1}, lines={OVERLAP: [5]}, truth="receipt_dst_overlap",
         notes=("'2011-10-30 02:30:00'",)),
    Case("unparseable timestamps", "log_unparseable_timestamps.csv", "log", read=19,
         dropped={"unparseable timestamp": 2, "missing timestamp": 1},
         lines={"unparseable timestamp": [4, 10], "missing timestamp": [16]}, truth="receipt3_badts",
         notes=("'2011-02-31 10:00:00+01:00'", "'soon'")),
    Case("no timestamp parses", "log_all_timestamps_bad.csv", "log",
         error=("'timestamp'", "'pending'", "timestamp_format=")),
    Case("feedback dates: missing kept, unreadable dropped", "fb_dates.csv", "feedback", TWEETS, read=8,
         dropped={"unparseable date": 1}, lines={"unparseable date": [7]}, truth="tweets_dates",
         counts={"rows without a date (kept)": 1}, notes=("'yesterday'",)),
    # --- case ids
    Case("textual nulls as case ids", "log_null_case_ids.csv", "log", read=19, dropped={"missing case id": 6},
         lines={"missing case id": [3, 6, 9, 12, 15, 18]}, truth="receipt3_nulls"),
    Case("float ids with .0", "log_float_ids.csv", "log", COMPLAINT_JOURNEY, read=14,
         dropped={"missing case id": 1}, lines={"missing case id": [4]}, truth="complaints_float_ids",
         counts={"case ids: float ids restored": 13}, check=_float_ids),
    Case("leading zeros kept apart", "log_leading_zeros.csv", "log", COMPLAINT_JOURNEY, read=14,
         counts={"case ids: leading-zero pairs": 2}, notes=("id_variants='join'",),
         check=_leading_zeros_kept),
    Case("leading zeros joined", "log_leading_zeros.csv", "log", {**COMPLAINT_JOURNEY, "id_variants": "join"},
         read=14, truth="complaints_journeys",
         counts={"case ids: leading-zero pairs": 2, "case ids: leading zeros removed": 3},
         check=_leading_zeros_joined),
    Case("whitespace around ids", "log_whitespace_ids.csv", "log", read=19, truth="receipt3",
         counts={"case ids: whitespace removed": 4, "case ids: whitespace pairs": 3}, check=_whitespace_ids),
    # --- feedback and scores
    Case("invalid scores", "fb_invalid_scores.csv", "feedback",
         {**TWEETS, "score": "score", "score_scale": (0, 10)}, read=12, truth="tweets_scores",
         counts={"invalid scores (kept, score missing): not numeric": 3,
                 "invalid scores (kept, score missing): outside the scale": 2,
                 "invalid scores (kept, score missing): not a whole number": 1},
         notes=("6 scores in 'score' are not valid",), check=_scores),
    Case("invalid scores, responses", "fb_invalid_scores.csv", "responses", read=12, check=_responses_scores),
    Case("empty texts", "fb_empty_texts.csv", "feedback", TWEETS, read=10, dropped={"empty text": 3},
         lines={"empty text": [4, 7, 9]}, truth="tweets_nonempty"),
    Case("duplicate rows", "fb_duplicates.csv", "feedback", TWEETS, read=8, dropped={"duplicate row": 2},
         lines={"duplicate row": [7, 8]}, truth="tweets_dedup"),
    Case("float feedback ids in Parquet", "fb_float_ids.parquet", "feedback", COMPLAINTS, read=8,
         truth="complaints_float_ids_fb"),
    # --- XES
    Case("gzipped XES named .xes", "xes_gzip_named.xes", "log", read=19, truth="receipt3",
         notes=("gzip-compressed but not named .gz",)),
    Case("plain XES named .xes.gz", "xes_plain_named.xes.gz", "log", read=19, truth="helpdesk4",
         notes=("named .gz but is plain XML",)),
    Case("XES named .csv", "xes_named.csv", "log", read=19, truth="receipt3",
         notes=("holds XML; read as XES",)),
    Case("truncated .xes.gz", "xes_truncated.xes.gz", "log", error=("gzip file is truncated",)),
    Case("invalid XML", "xes_invalid.xes", "log",
         error=("invalid XML at line 36", "tag mismatch", "line 24")),
    Case("XES missing </log>", "xes_missing_log_end.xes", "log",
         error=("invalid XML at line 212", "Premature end of data in tag log")),
    Case("gzipped XES missing </log>", "xes_missing_log_end.xes.gz", "log",
         error=(("</log>", "tag log", "truncated"),)),
    Case("XES timestamp that does not parse", "xes_bad_timestamp.xes", "log", read=19,
         dropped={"unparseable timestamp": 1}, truth="helpdesk4_badts",
         counts={"values the XES reader could not parse": 1}, notes=("'2012-13-09T14:51:01+00:00'",)),
    Case("empty XES", "xes_empty.xes", "log", error=("empty (0 bytes)",)),
    # --- Parquet, Excel, gzip by content
    Case("CSV named .parquet", "tab_csv_named.parquet", "log", read=19, truth="receipt3",
         notes=("named as parquet but holds delimited text",)),
    Case("Parquet named .csv", "tab_parquet_named.csv", "log", read=19, truth="receipt3",
         notes=("named as csv but holds Parquet",)),
    Case("truncated Parquet", "tab_truncated.parquet", "log", error=("as Parquet", "truncated or damaged")),
    Case("gzip named .csv", "tab_gzip_named.csv", "log", read=19, truth="receipt3"),
    Case("plain CSV named .csv.gz", "tab_plain_named.csv.gz", "log",
         error=("named .gz but is not gzip-compressed", "rename it")),
    Case("xlsx with bad rows", "tab_bad_rows.xlsx", "log", read=19,
         dropped={"missing case id": 1, "missing activity": 1, "unparseable timestamp": 1},
         lines={"missing case id": [5], "missing activity": [10], "unparseable timestamp": [15]},
         truth="receipt3_xlsx_bad", notes=("'31.02.2011 10:00'",)),
    Case("xlsx named .csv", "tab_xlsx_named.csv", "log", read=19, truth="receipt3_seconds",
         notes=("holds an Excel workbook",)),
]


# --------------------------------------------------------------------------------------------- helpers

def _truth(name: str) -> dict:
    return json.loads((TRUTH / f"{name}.json").read_text(encoding="utf-8"))


def _text(value):
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _ts(value):
    return None if value is None else pd.Timestamp(value)


def _compare_log(log: pd.DataFrame, truth: dict) -> None:
    cols = truth["columns"]
    rows = [dict(zip(cols, r, strict=True)) for r in truth["rows"]]
    # by case and time, ties in file order (a stable sort), as the reader sorts
    rows = sorted(rows, key=lambda r: (r["case"], pd.Timestamp(r["timestamp"])))
    assert log[CASE].tolist() == [r["case"] for r in rows]
    assert log[ACTIVITY].tolist() == [r["activity"] for r in rows]
    assert log[TIMESTAMP].tolist() == [_ts(r["timestamp"]) for r in rows]
    if "resource" in cols and RESOURCE in log.columns:
        assert [_text(v) for v in log[RESOURCE]] == [r["resource"] for r in rows]


def _compare_feedback(fb: pd.DataFrame, truth: dict) -> None:
    cols = truth["columns"]
    rows = [dict(zip(cols, r, strict=True)) for r in truth["rows"]]
    assert [_text(v) for v in fb["id"]] == [r["id"] for r in rows]
    assert fb["text"].tolist() == [r["text"] for r in rows]
    assert [None if pd.isna(v) else v for v in fb["date"]] == [_ts(r["date"]) for r in rows]
    if "case_id" in cols:
        assert fb["case_id"].tolist() == [r["case_id"] for r in rows]
    if "score" in cols:
        assert fb["score_raw"].tolist() == [r["score"] for r in rows]


def _compare_table(table: pd.DataFrame, truth: dict) -> None:
    assert list(table.columns) == truth["columns"]
    assert [[_text(v) for v in row] for row in table.itertuples(index=False)] == truth["rows"]


def _read(case: Case):
    path = FILES / case.file
    if case.reader == "log":
        return cxlib.read_log(path, cache=False, with_report=True, **case.kwargs)
    if case.reader == "feedback":
        return read_feedback(path, with_report=True, **case.kwargs)
    return read_responses(path, with_report=True, **case.kwargs)


def _param(case: Case):
    marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
    return pytest.param(case, id=f"{case.kind}: {case.id}", marks=marks)


# ----------------------------------------------------------------------------------------------- tests

def test_corpus_is_complete_and_small():
    files = sorted(p.name for p in FILES.iterdir())
    assert len(files) >= 45
    assert sum((FILES / f).stat().st_size for f in files) < 1_000_000
    assert max((FILES / f).stat().st_size for f in files) < 16_000
    used = {c.file for c in CASES} | {c.file for c in CACHE_CASES} | {"cache_source.csv"}
    assert set(files) == used, "every corpus file has a case, every case a file"
    for case in CASES:
        if case.truth:
            assert (TRUTH / f"{case.truth}.json").is_file(), case.truth


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_hostile_file(case: Case, capfd):
    path = FILES / case.file
    if case.error:
        with pytest.raises(CxInputError) as caught:
            _read(case)
        message = str(caught.value)
        assert message.startswith(str(path)), message
        for expected in case.error:
            alternatives = expected if isinstance(expected, tuple) else (expected,)
            assert any(a in message for a in alternatives), f"{expected!r} not in: {message}"
    else:
        table, report = _read(case)
        assert report.rows_read == report.rows_kept + report.rows_dropped
        assert report.rows_kept == len(table)
        assert report.rows_read == case.read
        assert report.dropped == case.dropped
        assert report.dropped_lines == case.lines
        for item, n in case.counts.items():
            assert report.counts.get(item) == n, (item, report.counts)
        for note in case.notes:
            assert any(note in n for n in report.notes), (note, report.notes)
        if case.encoding:
            assert report.encoding == case.encoding
        if case.truth:
            truth = _truth(case.truth)
            {"log": _compare_log, "feedback": _compare_feedback, "responses": _compare_table}[case.reader](
                table, truth)
        if case.check:
            case.check(table, report)
    out, err = capfd.readouterr()
    for marker in PANIC_MARKERS:
        assert marker not in out and marker not in err, (marker, out[-500:], err[-500:])


def test_the_invalid_xes_does_make_rustxes_panic(capfd):
    """The panic check above means something: without the reader's capture, rustxes prints its panic."""
    rustxes = pytest.importorskip("rustxes")
    try:
        rustxes.import_xes(str(FILES / "xes_invalid.xes"))
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
    out, err = capfd.readouterr()
    assert "panicked" in out + err


# ------------------------------------------------------------------------------------------- the cache

@dataclasses.dataclass(frozen=True)
class CacheCase:
    """A damaged entry put over the real cache entry of ``cache_source.csv`` after a first load."""

    id: str
    file: str | None  # corpus file copied over KEY.arrow; None: the entry pair of another log
    note: str


CHECKSUM = "its checksum does not match its content"
CACHE_CASES = [
    CacheCase("foreign Parquet entry", "cache_foreign_entry.parquet", CHECKSUM),
    CacheCase("truncated entry", "cache_truncated_entry.parquet", CHECKSUM),
]


def _entries(folder: Path) -> list[Path]:
    return sorted((folder / "logs").glob("*.arrow"))


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CACHE_CASES])
def test_damaged_cache_entry_is_discarded(case: CacheCase, tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("CX_CACHE_DIR", str(tmp_path))
    source = FILES / "cache_source.csv"
    first, first_report = cxlib.read_log(source, with_report=True)
    assert not first_report.cache_hit
    [entry] = _entries(tmp_path)
    shutil.copyfile(FILES / case.file, entry)

    again, report = cxlib.read_log(source, with_report=True)
    assert not report.cache_hit
    discarded = [n for n in report.notes if "cache entry for this file was discarded" in n]
    assert discarded and case.note in discarded[0], report.notes
    _compare_log(again, _truth("cache_source"))
    pd.testing.assert_frame_equal(again, first)
    assert report.rows_read == report.rows_kept == 16 and report.dropped == {}

    third, third_report = cxlib.read_log(source, with_report=True)  # the entry was rebuilt
    assert third_report.cache_hit
    # values only: the dtypes of a cache hit differ (test_cache_hit_equals_fresh_load)
    pd.testing.assert_frame_equal(third, first, check_dtype=False)
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err


def test_cache_entry_pair_of_another_log_is_discarded(tmp_path, monkeypatch):
    """Another log's entry (table and sidecar) put under this file's key: the source check discards it."""
    monkeypatch.setenv("CX_CACHE_DIR", str(tmp_path))
    source = FILES / "cache_source.csv"
    first = cxlib.read_log(source)
    [entry] = _entries(tmp_path)
    cxlib.read_log(FILES / "log_crlf.csv")
    [other] = [p for p in _entries(tmp_path) if p != entry]
    shutil.copyfile(other, entry)
    shutil.copyfile(other.with_suffix(".json"), entry.with_suffix(".json"))

    again, report = cxlib.read_log(source, with_report=True)
    assert not report.cache_hit
    assert any("made from another file or other options" in n for n in report.notes), report.notes
    pd.testing.assert_frame_equal(again, first)
    _compare_log(again, _truth("cache_source"))


def test_cache_hit_equals_fresh_load(tmp_path, monkeypatch):
    monkeypatch.setenv("CX_CACHE_DIR", str(tmp_path))
    source = FILES / "log_offsets_mixed.csv"
    fresh = cxlib.read_log(source, source_timezone="Europe/Rome")
    hit, hit_report = cxlib.read_log(source, source_timezone="Europe/Rome", with_report=True)
    assert hit_report.cache_hit
    pd.testing.assert_frame_equal(hit, fresh)
