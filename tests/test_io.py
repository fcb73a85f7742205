"""Loading event logs: every shared log, agreement with pm4py, the cache, and each bad input's error."""

from __future__ import annotations

import gzip
import os
import warnings

import pandas as pd
import pm4py
import pytest

import cxlib
from cxlib import CxInputError, read_log
from cxlib.io import cache_dir, decode_text, read_table

from .conftest import DATA, shared

BPIC13_CLASSIFIER = ["concept:name", "lifecycle:transition"]


def _pm4py_read(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pm4py.read_xes(str(path), variant="iterparse")


# ---------------------------------------------------------------------------------------------------- real logs

@pytest.mark.parametrize("relative, kwargs, cases, events, activities", [
    ("helpdesk/helpdesk.xes.gz", {}, 4580, 21348, 14),
    ("bpic2013_closed_problems/bpic2013_closed_problems.xes.gz", {"classifier": BPIC13_CLASSIFIER}, 1487, 6660, 7),
    ("receipt_wabo/receipt.xes.gz", {}, 1434, 8577, 27),
    ("receipt_wabo/receipt.csv.gz", {}, 1434, 8577, 27),
    ("bpic2012/bpic2012.xes.gz", {}, 13087, 262200, 24),
    ("bpic2012/bpic2012.xes.gz", {"classifier": ["concept:name", "lifecycle:transition"]}, 13087, 262200, 36),
    ("roadtraffic_sample/roadtraffic100traces.xes", {}, 100, 390, 10),
    ("roadtraffic_sample/roadtraffic100traces.csv", {}, 100, 390, 10),
])
def test_every_shared_log_loads(relative, kwargs, cases, events, activities):
    log, report = read_log(shared(relative), cache=False, with_report=True, **kwargs)
    assert (report.cases, report.rows_kept, report.activities) == (cases, events, activities)
    assert report.rows_read == events and report.rows_dropped == 0
    assert str(log["time:timestamp"].dt.tz) == "UTC"
    assert log["case:concept:name"].nunique() == cases and len(log) == events


def test_bpic2016_complaints_csv_semicolon_latin1():
    path = shared("bpic2016_complaints/BPI2016_Complaints.csv")
    log, report = read_log(path, case="CustomerID", activity="ComplaintTheme_EN", timestamp="ContactDate",
                           cache=False, with_report=True)
    assert report.rows_read == 289 and report.cases == log["case:concept:name"].nunique() == 226
    assert (report.delimiter, report.encoding) == (";", "cp1252")


def test_classifier_keeps_the_original_activity():
    log = read_log(shared("bpic2013_closed_problems/bpic2013_closed_problems.xes.gz"),
                   classifier=BPIC13_CLASSIFIER, cache=False)
    assert set(log["concept:name:base"].unique()) <= {"Accepted", "Queued", "Completed", "Unmatched"}
    first = log.iloc[0]
    assert first["concept:name"] == f"{first['concept:name:base']}+{first['lifecycle:transition']}"


def test_same_events_and_timestamps_as_pm4py():
    path = shared("receipt_wabo/receipt.xes.gz")
    ours = read_log(path, cache=False)
    ref = _pm4py_read(path)
    key = ["case:concept:name", "time:timestamp", "concept:name"]
    a = ours[key].sort_values(key).reset_index(drop=True).astype({"case:concept:name": str, "concept:name": str})
    b = ref[key].sort_values(key).reset_index(drop=True).astype({"case:concept:name": str, "concept:name": str})
    b["time:timestamp"] = pd.to_datetime(b["time:timestamp"], utc=True)
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_receipt_xes_and_csv_agree():
    xes, xes_report = read_log(shared("receipt_wabo/receipt.xes.gz"), cache=False, with_report=True)
    csv, csv_report = read_log(shared("receipt_wabo/receipt.csv.gz"), cache=False, with_report=True)
    for log, report in ((xes, xes_report), (csv, csv_report)):
        assert report.rows_kept == len(log) == 8577
    assert xes["case:concept:name"].nunique() == csv["case:concept:name"].nunique()
    assert set(xes["concept:name"]) == set(csv["concept:name"])
    dfg_x, start_x, end_x = pm4py.discover_dfg(xes)
    dfg_c, start_c, end_c = pm4py.discover_dfg(csv)
    assert dfg_x == dfg_c and start_x == start_c and end_x == end_c
    assert xes["time:timestamp"].equals(csv["time:timestamp"])


@pytest.mark.parametrize("relative, kwargs", [
    ("helpdesk/helpdesk.xes.gz", {}),
    ("bpic2013_closed_problems/bpic2013_closed_problems.xes.gz", {}),
])
def test_pm4py_functions_work_unchanged(relative, kwargs):
    path = shared(relative)
    ours = read_log(path, cache=False, **kwargs)
    ref = _pm4py_read(path)
    assert pm4py.discover_dfg(ours) == pm4py.discover_dfg(ref)
    assert pm4py.get_variants(ours) == pm4py.get_variants(ref)


def test_demo_log_ships_and_loads():
    log, report = read_log(DATA / "helpdesk.xes.gz", cache=False, with_report=True)
    assert report.cases == log["case:concept:name"].nunique() == 4580


# ---------------------------------------------------------------------------------------------------- the cache

def test_cache_is_used_on_a_rerun_and_bypassed_on_request(tmp_path, monkeypatch):
    monkeypatch.setenv("CX_CACHE_DIR", str(tmp_path / "c"))
    path = shared("helpdesk/helpdesk.xes.gz")
    first, first_report = read_log(path, with_report=True)
    assert not first_report.cache_hit
    assert len(list((tmp_path / "c" / "logs").glob("*.arrow"))) == 1
    second, second_report = read_log(path, with_report=True)
    assert second_report.cache_hit
    pd.testing.assert_frame_equal(first, second)
    assert not read_log(path, cache=False, with_report=True)[1].cache_hit
    # other options are another cache entry
    read_log(path, classifier=["concept:name", "org:resource"])
    assert len(list((tmp_path / "c" / "logs").glob("*.arrow"))) == 2


def test_cache_key_follows_the_content_not_the_name(tmp_path, monkeypatch):
    monkeypatch.setenv("CX_CACHE_DIR", str(tmp_path / "c"))
    path = tmp_path / "log.csv"
    path.write_text("case,activity,timestamp\n1,a,2024-01-01\n1,b,2024-01-02\n")
    assert len(read_log(path)) == 2
    path.write_text("case,activity,timestamp\n1,a,2024-01-01\n1,b,2024-01-02\n2,a,2024-01-03\n")
    again, report = read_log(path, with_report=True)
    assert len(again) == 3 and not report.cache_hit


def test_damaged_cache_entry_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("CX_CACHE_DIR", str(tmp_path / "c"))
    path = shared("roadtraffic_sample/roadtraffic100traces.xes")
    read_log(path)
    (entry,) = (tmp_path / "c" / "logs").glob("*.arrow")
    entry.write_bytes(b"not an Arrow file")
    log, report = read_log(path, with_report=True)
    assert len(log) == 390 and not report.cache_hit


def test_cache_dir_default_is_a_user_folder(monkeypatch):
    monkeypatch.delenv("CX_CACHE_DIR", raising=False)
    assert "cx-workbench" in str(cache_dir("logs"))


# ---------------------------------------------------------------------------------------------------- CSV / Parquet

def test_csv_mapping_timezone_and_parquet(tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_text("ticket;step;when;agent;channel\n"
                    "T1;open;01/03/2024 09:00;ann;web\nT1;close;01/03/2024 10:30;bob;web\n", encoding="utf-8")
    log, report = read_log(path, case="ticket", activity="step", timestamp="when", resource="agent",
                           timestamp_format="%d/%m/%Y %H:%M", source_timezone="Europe/Berlin",
                           case_attributes=["channel"], cache=False, with_report=True)
    assert list(log["concept:name"]) == ["open", "close"]
    assert log["time:timestamp"].iloc[0] == pd.Timestamp("2024-03-01 08:00", tz="UTC")
    assert "case:channel" in log.columns and log["org:resource"].tolist() == ["ann", "bob"]
    assert any("Europe/Berlin" in n for n in report.notes)

    pq = tmp_path / "tickets.parquet"
    log.to_parquet(pq)
    again = read_log(pq, cache=False)
    assert len(again) == 2 and again["time:timestamp"].iloc[0] == log["time:timestamp"].iloc[0]


def test_sniffing_delimiter_and_encoding(tmp_path):
    for name, raw, sep, encoding in (("tab.csv", b"a\tb\n1\t2\n", "\t", "utf-8"),
                                     ("semi.csv", "a;b\n1;é\n".encode(), ";", "utf-8"),
                                     ("comma.csv", "a,b\n1,é\n".encode("latin-1"), ",", "cp1252")):
        path = tmp_path / name
        path.write_bytes(raw)
        table, _, report = read_table(path)
        assert (report.delimiter, report.encoding) == (sep, encoding)
        assert table.shape == (1, 2)
    assert decode_text("a,b\n".encode("utf-16")) == ("a,b\n", "utf-16")


def test_some_bad_rows_are_dropped_and_counted(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("case,activity,timestamp\n"
                    "1,a,2024-01-01 10:00\n"
                    ",b,2024-01-01 11:00\n"          # missing case id
                    "1,,2024-01-01 12:00\n"          # missing activity
                    "1,c,not a date\n"               # unparseable timestamp
                    "1,d,2024-01-01 13:00\n"
                    "1,d,2024-01-01 13:00\n")        # duplicate, kept but counted
    log, report = read_log(path, cache=False, with_report=True)
    assert report.rows_read == 6 and report.rows_kept == len(log) == 3
    assert report.dropped == {"missing case id": 1, "missing activity": 1, "unparseable timestamp": 1}
    assert report.duplicate_events == 1
    assert "not a date" in " ".join(report.notes)
    table = report.to_frame()
    assert "  dropped: unparseable timestamp" in table["item"].tolist()


# ---------------------------------------------------------------------------------------------------- bad input

def _error(path, **kwargs) -> str:
    with pytest.raises(CxInputError) as info:
        read_log(path, cache=False, **kwargs)
    message = str(info.value)
    assert str(path) in message  # every error names the file
    return message


def test_missing_file(tmp_path):
    assert "does not exist" in _error(tmp_path / "nope.xes")


def test_empty_file(tmp_path):
    for name in ("empty.xes", "empty.csv", "empty.parquet"):
        (tmp_path / name).write_bytes(b"")
        assert "empty" in _error(tmp_path / name)


def test_empty_gzip(tmp_path):
    path = tmp_path / "empty.xes.gz"
    path.write_bytes(gzip.compress(b""))
    assert "empty" in _error(path)


def test_truncated_gzip(tmp_path):
    data = shared("helpdesk/helpdesk.xes.gz").read_bytes()
    path = tmp_path / "cut.xes.gz"
    path.write_bytes(data[: len(data) // 3])
    assert "gzip file is truncated" in _error(path)


def test_truncated_plain_xes(tmp_path):
    text = gzip.decompress(shared("helpdesk/helpdesk.xes.gz").read_bytes())
    path = tmp_path / "cut.xes"
    path.write_bytes(text[: len(text) // 2])
    message = _error(path)
    assert "invalid XML" in message or "truncated" in message


def test_invalid_xml(tmp_path):
    path = tmp_path / "bad.xes"
    path.write_text('<?xml version="1.0"?>\n<log>\n<trace>\n<event><string key="concept:name" value="a"/>'
                    "</trace>\n</log>\n")
    message = _error(path)
    assert "invalid XML at line 4" in message


def test_log_without_events(tmp_path):
    path = tmp_path / "none.xes"
    path.write_text('<?xml version="1.0"?>\n<log xes.version="1.0"></log>\n')
    assert "no events" in _error(path)


def test_missing_column_names_it_and_lists_the_columns(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("nummer,step,when\n1,a,2024-01-01\n")
    message = _error(path, case="nummer", activity="activity_name", timestamp="when")
    assert "'activity_name'" in message and "nummer, step, when" in message
    with pytest.raises(CxInputError) as info:
        read_log(path, cache=False, activity="step", timestamp="when")
    assert "no column for the case id" in str(info.value) and "case=" in str(info.value)
    assert info.value.column == "case:concept:name"


def test_missing_classifier_attribute():
    message = _error(shared("helpdesk/helpdesk.xes.gz"), classifier=["concept:name", "lifecycle:transition"])
    assert "lifecycle:transition" in message and "org:resource" in message


def test_unparseable_dates(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("case,activity,timestamp\n1,a,yesterday\n1,b,tomorrow\n")
    message = _error(path)
    assert "no value of the timestamp column 'timestamp' could be" in message and "yesterday" in message


def test_header_only_csv(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("case,activity,timestamp\n")
    assert "no events" in _error(path)


def test_unknown_extension(tmp_path):
    path = tmp_path / "log.json"
    path.write_text("{}")
    assert "unknown file type" in _error(path)


def test_not_parquet(tmp_path):
    path = tmp_path / "log.parquet"
    path.write_text("hello")
    assert "named as parquet but holds delimited text" in _error(path)


def test_cxinputerror_is_exported():
    assert cxlib.CxInputError is CxInputError and issubclass(CxInputError, ValueError)
    assert os.path.basename(os.path.dirname(cxlib.io.__file__)) == "io"
