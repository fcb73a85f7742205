"""parse_timestamps: every value read right or refused with a reason; expected values worked out by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from cxlib import CxInputError
from cxlib.io._timestamps import ParsedTimestamps, parse_timestamps

GAP = "nonexistent local time (DST gap)"
OVERLAP = "ambiguous local time (DST overlap)"


def utc(*values):
    """Expected instants: ISO strings (None for NaT) as a list of UTC Timestamps."""
    return [pd.NaT if v is None else pd.Timestamp(v, tz="UTC") for v in values]


def parse(values, **kwargs) -> ParsedTimestamps:
    kwargs.setdefault("column", "ts")
    return parse_timestamps(pd.Series(values, dtype=object), **kwargs)


def test_day_first_decided_by_the_values_with_a_day_above_12():
    # only the second value proves day-first; the others must follow it, none may be misdated
    p = parse(["03/04/2024 10:00", "13/04/2024 09:15", "05/06/2024 23:59", "01/12/2024 00:00"])
    assert p.values.tolist() == utc("2024-04-03 10:00", "2024-04-13 09:15", "2024-06-05 23:59",
                                    "2024-12-01 00:00")
    assert p.reasons.tolist() == [None] * 4
    assert p.formats == {"dd/mm/yyyy HH:MM": 4}
    assert any("day-first" in note and "13/04/2024 09:15" in note for note in p.notes)


def test_month_first_decided_by_the_values_with_a_second_field_above_12():
    p = parse(["04/03/2024", "12/25/2023", "01/02/2024"])
    assert p.values.tolist() == utc("2024-04-03", "2023-12-25", "2024-01-02")
    assert p.formats == {"mm/dd/yyyy": 3}
    assert any("month-first" in note and "12/25/2023" in note for note in p.notes)


def test_ambiguous_column_is_refused_with_examples_and_the_formats_to_pass():
    with pytest.raises(CxInputError) as err:
        parse(["01/02/2024 10:00", "03/04/2024 11:00", "05/05/2024 12:00", "06/07/2024 13:00",
               "08/09/2024 14:00"], path="data/events.csv", column="created")
    message = str(err.value)
    assert "ambiguous" in message
    assert "'01/02/2024 10:00'" in message and "'03/04/2024 11:00'" in message
    assert "'06/07/2024 13:00'" in message and "08/09/2024" not in message  # at most 3 examples
    assert "05/05/2024" not in message  # reads the same either way
    assert "timestamp_format='%d/%m/%Y %H:%M'" in message and "timestamp_format='%m/%d/%Y %H:%M'" in message
    assert "dayfirst=True/False" in message
    assert err.value.path == "data/events.csv" and err.value.column == "created"
    assert message.startswith("data/events.csv: ") and "'created'" in message


def test_ambiguous_message_uses_the_separator_of_the_values():
    with pytest.raises(CxInputError, match=r"timestamp_format='%d-%m-%Y %H:%M'"):
        parse(["01-02-2024 10:00", "03-04-2024 11:00"])


def test_same_day_and_month_is_not_ambiguous():
    p = parse(["05/05/2024", "11/11/2024 08:00", "2024-01-31"])
    assert p.values.tolist() == utc("2024-05-05", "2024-11-11 08:00", "2024-01-31")


def test_conflicting_evidence_is_refused_naming_both_kinds():
    with pytest.raises(CxInputError) as err:
        parse(["13/01/2024", "01/13/2024", "02/02/2024"], path="log.csv")
    message = str(err.value)
    assert "'13/01/2024'" in message and "'01/13/2024'" in message
    assert "day first" in message and "month first" in message
    assert err.value.path == "log.csv" and err.value.column == "ts"


def test_family_without_evidence_takes_the_evidence_of_the_others():
    # '01/02/2024' alone is ambiguous; the dotted dates prove day-first
    p = parse(["31.01.2024", "01/02/2024"])
    assert p.values.tolist() == utc("2024-01-31", "2024-02-01")
    assert p.formats == {"dd.mm.yyyy": 1, "dd/mm/yyyy": 1}


def test_each_separator_keeps_its_own_evidence():
    p = parse(["31.01.2024", "02.03.2024", "12/25/2024", "03/04/2024"])
    assert p.values.tolist() == utc("2024-01-31", "2024-03-02", "2024-12-25", "2024-03-04")


def test_mixed_iso_dotted_and_month_names_each_read_and_counted():
    p = parse(["2024-01-31T13:45:00Z", "2024-02-01 08:00", "31.01.2024 13:45", "01.02.2024 07:30",
               "Oct 11 2011 1:45PM", "11 Oct 2011", "October 11, 2011", "11-Oct-2011 09:05"])
    assert p.values.tolist() == utc("2024-01-31 13:45", "2024-02-01 08:00", "2024-01-31 13:45",
                                    "2024-02-01 07:30", "2011-10-11 13:45", "2011-10-11", "2011-10-11",
                                    "2011-10-11 09:05")
    assert p.formats == {"ISO 8601": 2, "dd.mm.yyyy HH:MM": 2, "month name (Oct 11 2011 1:45PM)": 1,
                         "month name (11 Oct 2011)": 1, "month name (Oct 11 2011)": 1,
                         "month name (11 Oct 2011 13:45)": 1}
    assert p.reasons.isna().all()


def test_iso_variants():
    p = parse(["2024-01-31", "2024-01-31T13:45", "2024-01-31 13:45:30.123", "2024-01-31T13:45:30+0100",
               "2024-01-31T13:45:30.5-05:00", "2024-01-31 13:45:00 UTC"])
    assert p.values.tolist() == utc("2024-01-31", "2024-01-31 13:45", "2024-01-31 13:45:30.123",
                                    "2024-01-31 12:45:30", "2024-01-31 18:45:30.5", "2024-01-31 13:45")
    assert p.offsets == {"with offset": 3, "without offset, read as UTC": 3}


def test_am_pm_and_two_digit_years():
    p = parse(["12/31/23 11:59 PM", "01/01/24 12:05 AM", "1/2/2024 1:05 p.m."])
    assert p.values.tolist() == utc("2023-12-31 23:59", "2024-01-01 00:05", "2024-01-02 13:05")
    assert p.formats == {"mm/dd/yy hh:MM AM/PM": 2, "mm/dd/yyyy hh:MM AM/PM": 1}


def test_german_month_names():
    p = parse(["3. März 2024", "1. Okt 2024 14:00", "24 Dezember 2023"])
    assert p.values.tolist() == utc("2024-03-03", "2024-10-01 14:00", "2023-12-24")


def test_offsets_mixed_with_naive_values_read_in_source_timezone():
    p = parse(["2024-01-15 10:00:00+01:00", "2024-01-15T10:00:00Z", "2024-01-15 10:00:00", "2024-07-15 10:00",
               "15.07.2024 10:00"], source_timezone="Europe/Berlin")
    # naive: January is CET (+1), July is CEST (+2); values with an offset ignore source_timezone
    assert p.values.tolist() == utc("2024-01-15 09:00", "2024-01-15 10:00", "2024-01-15 09:00",
                                    "2024-07-15 08:00", "2024-07-15 08:00")
    assert p.offsets == {"with offset": 2, "without offset, read as Europe/Berlin": 3}
    assert any("Europe/Berlin" in note and "offset" in note for note in p.notes)


def test_naive_values_default_to_utc():
    p = parse(["2024-01-15 10:00", "2024-01-15 10:00+02:00"])
    assert p.values.tolist() == utc("2024-01-15 10:00", "2024-01-15 08:00")
    assert p.offsets == {"with offset": 1, "without offset, read as UTC": 1}


def test_dst_gap_and_overlap_get_their_own_reasons():
    p = parse(["2024-03-31 02:30", "2024-10-27 02:30", "2024-03-31 03:30", "2024-10-27 03:30",
               "2024-03-31 01:59", "2024-03-31T02:30:00+01:00", "31.03.2024 02:15"],
              source_timezone="Europe/Berlin")
    assert p.reasons.tolist() == [GAP, OVERLAP, None, None, None, None, GAP]
    assert p.values.tolist() == utc(None, None, "2024-03-31 01:30", "2024-10-27 02:30", "2024-03-31 00:59",
                                    "2024-03-31 01:30", None)
    assert p.offsets == {"without offset, read as Europe/Berlin": 3, "with offset": 1}
    assert any("DST gap" in note and "2024-03-31 02:30" in note for note in p.notes)
    # the same wall times are fine in UTC
    assert parse(["2024-03-31 02:30", "2024-10-27 02:30"]).reasons.tolist() == [None, None]


def test_textual_nulls_are_missing():
    p = parse(["", "  ", "NaN", "None", "null", "NULL", "N/A", "NaT", None, np.nan, pd.NA, "2024-01-01"],
              what="feedback date")
    assert p.reasons.tolist() == ["missing feedback date"] * 11 + [None]
    assert p.values.iloc[:11].isna().all()
    assert p.values.iloc[11] == pd.Timestamp("2024-01-01", tz="UTC")


def test_garbage_is_unparseable_never_guessed():
    p = parse(["2024-01-01", "soon", "32/01/2024", "2024-02-30", "13/13/2024", "Jan 5", "5 PM", "3 Foo 2024",
               "yesterday 10:00", "12/31/2024 25:00"])
    assert p.reasons.tolist() == [None] + ["unparseable timestamp"] * 9
    assert p.values.iloc[1:].isna().all()
    assert p.formats == {"ISO 8601": 1}
    assert any("soon" in note for note in p.notes)


def test_all_garbage_raises_with_path_and_column():
    with pytest.raises(CxInputError) as err:
        parse(["soon", "later", None], path="data/events.csv", column="when")
    message = str(err.value)
    assert message.startswith("data/events.csv: ")
    assert "'when'" in message and "'soon'" in message and "'later'" in message
    assert "timestamp_format=" in message
    assert err.value.path == "data/events.csv" and err.value.column == "when"


def test_all_missing_does_not_raise():
    p = parse([None, "", "n/a"])
    assert p.reasons.tolist() == ["missing timestamp"] * 3
    assert p.formats == {} and p.offsets == {}


def test_forced_dayfirst_reads_that_order_and_refuses_contradicting_values():
    p = parse(["01/02/2024", "02/13/2024", "03/04/2024 10:00"], dayfirst=True)
    assert p.values.tolist() == utc("2024-02-01", None, "2024-04-03 10:00")
    assert p.reasons.tolist() == [None, "unparseable timestamp", None]
    p = parse(["01/02/2024", "13/02/2024"], dayfirst=False)
    assert p.values.tolist() == utc("2024-01-02", None)
    assert p.formats == {"mm/dd/yyyy": 1}


def test_explicit_timestamp_format_is_strict():
    p = parse(["31/01/2024 13:45", "2024-01-31 13:45", "01/02/2024 07:00"], timestamp_format="%d/%m/%Y %H:%M",
              source_timezone="Europe/Berlin")
    assert p.values.tolist() == utc("2024-01-31 12:45", None, "2024-02-01 06:00")
    assert p.reasons.tolist() == [None, "unparseable timestamp", None]
    assert p.formats == {"%d/%m/%Y %H:%M": 2}
    assert p.offsets == {"without offset, read as Europe/Berlin": 2}


def test_timestamp_format_with_offset_gives_aware_values():
    p = parse(["31/01/2024 13:45 +0100", "31/01/2024 13:45 -0500"], timestamp_format="%d/%m/%Y %H:%M %z",
              source_timezone="Europe/Berlin")
    assert p.values.tolist() == utc("2024-01-31 12:45", "2024-01-31 18:45")
    assert p.offsets == {"with offset": 2}


def test_timestamp_format_matching_nothing_raises():
    with pytest.raises(CxInputError, match=r"timestamp_format='%Y%m%d'") as err:
        parse(["31/01/2024"], timestamp_format="%Y%m%d", path="x.csv")
    assert err.value.column == "ts"


def test_datetime_dtype_aware_and_naive():
    aware = pd.Series(pd.to_datetime(["2024-01-15 10:00", None]).tz_localize("Europe/Berlin"), index=[5, 7])
    p = parse_timestamps(aware, column="ts", source_timezone="America/New_York")  # zone of the dtype wins
    assert p.values.tolist() == utc("2024-01-15 09:00", None)
    assert p.reasons.tolist() == [None, "missing timestamp"]
    assert list(p.values.index) == [5, 7]
    naive = pd.Series(pd.to_datetime(["2024-01-15 10:00", "2024-03-31 02:30", "2024-10-27 02:30"]))
    p = parse_timestamps(naive, column="ts", source_timezone="Europe/Berlin")
    assert p.values.tolist() == utc("2024-01-15 09:00", None, None)
    assert p.reasons.tolist() == [None, GAP, OVERLAP]
    assert p.formats == {"datetime values": 1}
    assert parse_timestamps(naive, column="ts").values.tolist() == utc("2024-01-15 10:00", "2024-03-31 02:30",
                                                                        "2024-10-27 02:30")


def test_object_column_with_python_datetimes_mixed_aware_and_naive():
    values = pd.Series([dt.datetime(2024, 1, 15, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
                        pd.Timestamp("2024-01-15 10:00"), "2024-01-15 10:00", None, dt.date(2024, 7, 1),
                        pd.Timestamp("2024-01-15 10:00", tz="UTC")], dtype=object)
    p = parse_timestamps(values, column="ts", source_timezone="Europe/Berlin")
    assert p.values.tolist() == utc("2024-01-15 08:00", "2024-01-15 09:00", "2024-01-15 09:00", None,
                                    "2024-06-30 22:00", "2024-01-15 10:00")
    assert p.reasons.tolist() == [None, None, None, "missing timestamp", None, None]
    assert p.formats == {"datetime values": 4, "ISO 8601": 1}
    assert p.offsets == {"with offset": 2, "without offset, read as Europe/Berlin": 3}


def test_result_keeps_index_and_types():
    values = pd.Series(["2024-01-01", "soon", None], index=["a", "b", "a"], dtype="str")
    p = parse_timestamps(values, column="ts")
    assert str(p.values.dtype) == "datetime64[ns, UTC]"
    assert p.reasons.dtype == object
    assert list(p.values.index) == ["a", "b", "a"] and list(p.reasons.index) == ["a", "b", "a"]
    assert p.reasons.tolist() == [None, "unparseable timestamp", "missing timestamp"]


def test_unknown_source_timezone_is_refused():
    with pytest.raises(CxInputError, match="Europe/Berlin") as err:
        parse(["2024-01-01"], source_timezone="Mars/Olympus", path="a.csv")
    assert err.value.column == "ts" and err.value.path == "a.csv"


def test_large_iso_column_is_read_completely():
    stamps = pd.date_range("2024-01-01", periods=50_000, freq="37s")
    p = parse_timestamps(pd.Series(stamps.strftime("%Y-%m-%dT%H:%M:%S")), column="ts")
    assert p.values.tolist() == list(stamps.tz_localize("UTC"))
    assert p.formats == {"ISO 8601": 50_000}


def test_offsets_after_numeric_and_month_name_dates():
    p = parse(["Tue, 11 Oct 2011 13:45:00 +0000", "11 Oct 2011 13:45:00 +0200", "31/01/2024 13:45 +01:00",
               "01/02/2024 13:45 Z", "01/02/2024 13:45"], source_timezone="Europe/Berlin")
    assert p.values.tolist() == utc("2011-10-11 13:45", "2011-10-11 11:45", "2024-01-31 12:45",
                                    "2024-02-01 13:45", "2024-02-01 12:45")
    assert p.offsets == {"with offset": 4, "without offset, read as Europe/Berlin": 1}
