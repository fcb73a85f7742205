"""The fast XES load: rustxes' table normalised in Arrow, and the gzip file inflated by a helper process.

The Arrow path (``cxlib.io._log._normalise_xes``) must give exactly what the general pandas path gives, or
step aside (return None) so that the general path runs: the same frame (columns, order, dtypes, values) and
the same load report. It is compared with the general path on a real log, on hand-made tables with the cases
that matter (ids in two places, ties, duplicates, offsets, a classifier, swapped names) and on tables drawn by
Hypothesis (derandomized, no database). The helper that inflates a ``.xes.gz`` file into rustxes must give
the same verdicts as the in-process check, and the reader must work the same without it.
"""

from __future__ import annotations

import datetime as dt
import gzip
import sys

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import cxlib
from cxlib import CxInputError
from cxlib.io import _xes
from cxlib.io._log import _finish_report, _normalise, _normalise_xes
from cxlib.io._report import LoadReport
from cxlib.io._timestamps import parse_timestamps

from .conftest import DATA, ROOT

CASE, ACTIVITY, TIMESTAMP, RESOURCE = "case:concept:name", "concept:name", "time:timestamp", "org:resource"
FILES = ROOT / "tests" / "corpus" / "files"
OPTIONS = {"case": None, "activity": None, "timestamp": None, "resource": None, "classifier": None,
           "classifier_sep": "+", "case_attributes": None, "id_variants": "keep", "source_timezone": None}


def _both(table: pl.DataFrame, **options):
    """(fast log, fast report, general log, general report); the fast ones are None when it steps aside."""
    opts = {**OPTIONS, **options}
    general_report = LoadReport(path="t.xes", format="xes", rows_read=len(table))
    general = _normalise(table.to_pandas(), None, general_report, path="t.xes", timestamp_format=None,
                         dayfirst=None, times_are_utc=True, **opts)
    _finish_report(general, general_report)
    fast_report = LoadReport(path="t.xes", format="xes", rows_read=len(table))
    fast = _normalise_xes(table, fast_report, path="t.xes", **opts)
    if fast is None:
        assert fast_report == LoadReport(path="t.xes", format="xes", rows_read=len(table)), "touched the report"
        return None, None, general, general_report
    log, figures = fast
    _finish_report(log, fast_report, **figures)
    return log, fast_report, general, general_report


def _same(table: pl.DataFrame, **options) -> pd.DataFrame:
    log, report, general, general_report = _both(table, **options)
    assert log is not None, "the fast path stepped aside"
    pd.testing.assert_frame_equal(log, general, check_exact=True)
    assert report.to_dict() == general_report.to_dict()
    return log


def _table(cases, activities, times, **more) -> pl.DataFrame:
    """A table shaped like rustxes' (naive UTC nanoseconds) from lists; ``times`` in seconds."""
    stamps = [None if t is None else dt.datetime(2024, 3, 1) + dt.timedelta(seconds=t) for t in times]
    return pl.DataFrame({CASE: pl.Series(cases, dtype=pl.String), ACTIVITY: pl.Series(activities, dtype=pl.String),
                         TIMESTAMP: pl.Series(stamps, dtype=pl.Datetime("ns")),
                         **{k: pl.Series(v, dtype=pl.String) for k, v in more.items()}})


def test_real_log_takes_the_fast_path_with_the_same_result():
    import rustxes

    table, _ = rustxes.import_xes(str(DATA / "helpdesk.xes.gz"))
    log = _same(table)
    assert len(log) == 21348
    _same(table, classifier=["concept:name", "org:resource"], classifier_sep=" | ")
    _same(table, case="case:concept:name", resource="org:resource")
    assert _both(table, resource="customer")[0] is None  # org:resource would clash: the general path renames it


def test_hand_made_cases_match_the_general_path():
    # id B in two places, ties in time (kept in file order), a duplicate event, ids sorted as text
    table = _table(["B", "A", "B", "A", "A", "B", "10", "9"], ["x", "y", "z", "y", "w", "x", "x", "x"],
                   [5, 3, 1, 3, 3, 5, 0, 0], **{RESOURCE: ["r1", None, "r2", "r1", "r3", None, "r1", "r2"]})
    log = _same(table)
    assert log[CASE].tolist() == ["10", "9", "A", "A", "A", "B", "B", "B"]
    assert log[ACTIVITY].tolist()[2:5] == ["y", "y", "w"]
    _, report, _, _ = _both(table)
    assert report.duplicate_events == 2  # A/y/3 twice, B/x/5 twice
    _same(table, classifier=[ACTIVITY, RESOURCE])  # a missing part joins as ""
    _same(table, classifier=ACTIVITY)
    _same(table, case=ACTIVITY, activity=CASE)  # swapped roles
    _same(table, resource=RESOURCE, source_timezone="Europe/Berlin")  # the note that XES times keep offsets
    aware = table.with_columns(pl.col(TIMESTAMP).dt.replace_time_zone("Europe/Berlin"))
    _same(aware)


@pytest.mark.parametrize("change", [
    {"cases": ["A", None, "B"]},  # missing id: dropped with its reason
    {"cases": ["A", " A", "B"]},  # whitespace: rewritten and counted
    {"cases": ["7", "007", "8"]},  # leading zeros: reported
    {"activities": ["x", "  ", "y"]},  # blank activity: dropped
    {"times": [1, None, 2]},  # missing time: dropped
])
def test_fast_path_steps_aside_where_rows_or_ids_need_the_general_rules(change):
    parts = {"cases": ["A", "A", "B"], "activities": ["x", "y", "z"], "times": [1, 2, 3]} | change
    log, _, _general, general_report = _both(_table(**parts))
    assert log is None
    assert general_report.rows_read == general_report.rows_kept + general_report.rows_dropped


def test_fast_path_steps_aside_for_other_types_and_clashing_names():
    table = _table(["A", "B"], ["x", "y"], [1, 2])
    assert _both(table.with_columns(pl.col(TIMESTAMP).dt.cast_time_unit("us")))[0] is None
    assert _both(table.with_columns(pl.Series(CASE, [1, 2])))[0] is None
    assert _both(table.with_columns(pl.Series("step", ["u", "v"])), activity="step")[0] is None  # clash
    assert _both(table.with_columns(pl.Series("channel", ["web", "app"])), case_attributes=["channel"])[0] is None


DRAWN = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                 suppress_health_check=[HealthCheck.too_slow])
#: values that need no rule: ids that normalisation keeps as they are, activities, times, resources
CLEAN = (["1", "2", "10", "b", "a", "ä", "Z", "case 7"], ["x", "y", "é", "x y"], st.integers(0, 3), ["r", "s", None])
#: values that do: missing, blank, whitespace, leading zeros, a decimal-looking id
DIRTY = (["02", " a", "NULL", "3.0", None], [" ", "", None], st.none(), [])


def _rows(clean: bool):
    ids, acts, times, resources = CLEAN if clean else tuple(
        c + d if isinstance(c, list) else st.one_of(c, d) for c, d in zip(CLEAN, DIRTY))
    return st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(acts), times, st.sampled_from(resources)),
                    min_size=1, max_size=25)


@DRAWN
@given(_rows(clean=True), st.booleans())
def test_drawn_clean_tables_take_the_fast_path_with_the_same_result(rows, classify):
    cases, activities, times, resources = (list(c) for c in zip(*rows))
    _same(_table(cases, activities, times, **{RESOURCE: resources}),
          **({"classifier": [ACTIVITY, RESOURCE]} if classify else {}))


@DRAWN
@given(_rows(clean=False), st.booleans())
def test_drawn_tables_match_the_general_path_or_leave_it_the_work(rows, classify):
    cases, activities, times, resources = (list(c) for c in zip(*rows))
    table = _table(cases, activities, times, **{RESOURCE: resources})
    options = {"classifier": [ACTIVITY, RESOURCE]} if classify else {}
    try:
        log, report, general, general_report = _both(table, **options)
    except CxInputError:
        return  # every row dropped: the general path raises; the fast path never keeps such a table
    event("fast path" if log is not None else "general path")
    if log is not None:
        pd.testing.assert_frame_equal(log, general, check_exact=True)
        assert report.to_dict() == general_report.to_dict()


# ------------------------------------------------------------------------- the helper that checks gzip files

@pytest.fixture
def helper_for_every_size(monkeypatch):
    """The helper starts for small files too (the reader keeps it for files of 1 MiB and more). The column-wise
    reader steps aside, as it does for files not in the usual form, so that rustxes reads every file."""
    monkeypatch.setattr(_xes, "_HELPER_FROM_BYTES", 0)
    monkeypatch.setattr(_xes, "read_columns", lambda *args, **kwargs: None)
    started = []
    real = _xes._start_check

    def counted(target):
        checker = real(target)
        started.append(checker is not None)
        return checker

    monkeypatch.setattr(_xes, "_start_check", counted)
    return started


@pytest.mark.parametrize("name, verdict", [
    ("xes_gzip_named.xes", 0),  # complete, ends with </log>
    ("xes_missing_log_end.xes.gz", 5),
    ("xes_truncated.xes.gz", 4),
    ("xes_plain_named.xes.gz", 3),  # not gzip
])
def test_helper_verdicts(name, verdict, helper_for_every_size):
    assert _xes._start_check(FILES / name).wait() == verdict


def test_helper_verdict_on_a_file_that_cannot_be_read(helper_for_every_size, tmp_path):
    assert _xes._start_check(tmp_path / "gone.xes.gz").wait() == 7


def test_reader_with_and_without_the_helper_gives_the_same_log(helper_for_every_size, monkeypatch):
    path = DATA / "helpdesk.xes.gz"
    with_helper, report = cxlib.read_log(path, cache=False, with_report=True)
    assert helper_for_every_size == [True]
    for name, message in [("xes_truncated.xes.gz", "gzip file is truncated"),
                          ("xes_missing_log_end.xes.gz", "invalid XML at line 212")]:
        with pytest.raises(CxInputError, match=message):
            cxlib.read_log(FILES / name, cache=False)
    assert helper_for_every_size == [True] * 3
    monkeypatch.setattr(_xes, "_HELPER_FROM_BYTES", 1 << 20)  # a small file: checked and read in-process
    without, report_without = cxlib.read_log(path, cache=False, with_report=True)
    assert helper_for_every_size == [True] * 3 + [False]
    pd.testing.assert_frame_equal(with_helper.sort_index(axis=1), without.sort_index(axis=1))
    assert {**report.to_dict(), "seconds": 0} == {**report_without.to_dict(), "seconds": 0}
    monkeypatch.setattr(_xes, "_HELPER_FROM_BYTES", 0)
    monkeypatch.setattr(sys, "executable", "")  # no interpreter to start: no helper, whatever the size
    assert _xes._start_check(path) is None


def test_a_log_cut_after_a_whole_trace_is_caught_with_the_helper(helper_for_every_size, tmp_path):
    """rustxes reads such a log without complaint (the first traces only); the helper's check refuses it."""
    raw = gzip.decompress((DATA / "helpdesk.xes.gz").read_bytes())
    cut = tmp_path / "cut.xes.gz"
    cut.write_bytes(gzip.compress(raw[:raw.rfind(b"</trace>", 0, len(raw) // 2) + len(b"</trace>")]))
    with pytest.raises(CxInputError, match="invalid XML at line .*Premature end of data in tag log"):
        cxlib.read_log(cut, cache=False)
    assert helper_for_every_size == [True]


def test_helper_that_fails_on_its_own_falls_back_to_reading_the_file(helper_for_every_size, monkeypatch):
    monkeypatch.setattr(_xes, "_CHECK", "import os; os._exit(9)")  # fails without looking at the file
    log, report = cxlib.read_log(DATA / "helpdesk.xes.gz", cache=False, with_report=True)
    assert helper_for_every_size == [True]
    assert len(log) == 21348 and report.reader == "rustxes" and report.rows_dropped == 0
    assert not [n for n in report.notes if "rustxes could not" in n]


# --------------------------------------------------------------------------- timestamps shown lazily

def test_datetime_values_out_of_range_are_shown_as_text_when_refused():
    values = pd.Series(np.array(["2024-01-01", "3000-01-01"], dtype="datetime64[s]"))
    parsed = parse_timestamps(values, column="t")
    assert parsed.reasons.tolist() == [None, "unparseable timestamp"]
    assert any("3000-01-01" in note for note in parsed.notes), parsed.notes


@pytest.mark.parametrize("cases, offsets", [
    (["a", "a", "b", "b", "c"], [0, 1, 0, 2, 5]),  # already in (case, time) order: no sort needed
    (["a", "a", "b", "b", "c"], [0, 1, 2, 0, 5]),  # a case's times out of order
    (["b", "b", "a", "a", "c"], [0, 1, 0, 1, 5]),  # the cases out of order
    (["a", "a", "b", "b", "c"], [3, 3, 0, 0, 1]),  # ties in time keep the file's order
])
def test_a_log_in_order_or_not_reads_as_the_general_path_does(cases, offsets):
    log = _same(_table(cases, [f"x{i}" for i in range(len(cases))], [h * 3600 for h in offsets]))
    assert log[CASE].is_monotonic_increasing
