"""The per-case, per-touchpoint and per-variant tables computed from the case-ordered arrays (the path a pandas
log takes) are the tables the Ibis expressions define (the path Spark takes, here run on DuckDB): exactly, to the
last bit, on real logs, hand-made ties, random logs, and when the sequence hash collides."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cxlib
import cxlib.journeys as cj
from cxlib.bench.journeys import differences
from cxlib.journeys import _events, _local
from tests.conftest import DATA

ATTRIBUTES = ["org:resource", "org:group"]


def _both(log: pd.DataFrame, **options):
    """The log prepared twice: with the case-ordered arrays, and without them (the Ibis expressions)."""
    local = _events.prepare(log, attributes=ATTRIBUTES, **options)
    ibis_only = _events.prepare(log, attributes=ATTRIBUTES, **options)
    assert local.local is not None
    ibis_only.local = None
    return local, ibis_only


def _assert_same_tables(local, ibis_only) -> None:
    # (the index holds the codes 0..n-1 on both; DuckDB gives it as int32 or int64 depending on the log)
    for name in ["cases", "act_stats"]:
        pd.testing.assert_frame_equal(getattr(local, name)(), getattr(ibis_only, name)(), check_exact=True,
                                      check_index_type=False, obj=name)
    a, b = local.variant_data(), ibis_only.variant_data()
    for name in ["case_var", "variant_of_case", "var", "counts", "flat", "offsets"]:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert differences(cj.process_map(local), cj.process_map(ibis_only)) == []
    for column in ATTRIBUTES:
        assert differences(cj.handoffs(local, resource_key=column), cj.handoffs(ibis_only, resource_key=column)) == []


def _ties_log() -> pd.DataFrame:
    t0 = pd.Timestamp("2024-03-01", tz="UTC")
    ns = pd.Timedelta(nanoseconds=1)
    rows = [("x", "a", t0, "r1", "L1"), ("y", "c", t0, "r2", "L1"), ("x", "b", t0, "r2", "L2"),
            ("x", "c", t0, "r1", None), ("y", "a", t0, None, "L2"), ("y", "b", t0 + pd.Timedelta(hours=1) + 7 * ns, "r2", "L2"),
            ("z", "a", t0 + 3 * ns, "r1", "L1"), ("z", "a", t0 + 3 * ns, "r1", "L1"),
            ("z", "b", t0 + pd.Timedelta(days=2), "r3", "L1"), (None, "a", t0, "r1", "L1"), ("x", None, t0, "r1", "L1"),
            ("z", "c", pd.NaT, "r1", "L1"), ("w", "c", t0 + pd.Timedelta(minutes=5), "r3", "L2"),
            ("w", "a", t0 + pd.Timedelta(minutes=5), "r1", "L2"), ("v", "a", t0, "r1", "L1")]
    return pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "time:timestamp", *ATTRIBUTES])


def test_the_tables_are_equal_on_the_demo_log():
    log = cxlib.read_log(DATA / "helpdesk.xes.gz")
    log["org:group"] = log["org:resource"].str[-1]
    local, ibis_only = _both(log)
    _assert_same_tables(local, ibis_only)
    assert local.act_stats()["median_wait_before_h"].notna().sum() > 5  # the medians are compared, not just NaN


def test_the_tables_are_equal_with_ties_dropped_rows_and_a_lone_event():
    local, ibis_only = _both(_ties_log())
    _assert_same_tables(local, ibis_only)
    assert local.cases()["events"].tolist() == [3, 3, 3, 2, 1]  # x, y, z (one row without a time), w, v


def test_the_repeat_window_is_the_one_the_log_was_prepared_with():
    log = cxlib.read_log(DATA / "helpdesk.xes.gz")
    log["org:group"] = "g"
    local, ibis_only = _both(log, window_days=0.5)
    _assert_same_tables(local, ibis_only)
    wide = _events.prepare(log, attributes=ATTRIBUTES, window_days=30)
    assert wide.cases()["repeat_contacts_w"].sum() > local.cases()["repeat_contacts_w"].sum()


def test_a_hash_collision_cannot_merge_two_journeys(monkeypatch):
    """Every sequence gets the same hash: the check against each group's first case catches it and the
    sequences are compared whole instead."""
    log = cxlib.read_log(DATA / "helpdesk.xes.gz")
    log["org:group"] = "g"
    monkeypatch.setattr(_local, "_sequence_keys", lambda lo: np.zeros(len(lo.starts), dtype=np.uint64))
    local, ibis_only = _both(log)
    _assert_same_tables(local, ibis_only)
    assert len(local.variant_data().var) > 100



def test_a_collision_with_a_shorter_journey_is_caught(monkeypatch):
    """x = [a] and z = [a, b] collide; read from x's first row on, the events are a, b (y's first event follows
    x): only the lengths tell the two journeys apart."""
    t0 = pd.Timestamp("2024-01-01", tz="UTC")
    log = pd.DataFrame({"case:concept:name": ["x", "y", "y", "z", "z"], "concept:name": ["a", "b", "c", "a", "b"],
                        "time:timestamp": [t0 + pd.Timedelta(hours=h) for h in range(5)],
                        "org:resource": "r", "org:group": "g"})
    monkeypatch.setattr(_local, "_sequence_keys", lambda lo: np.array([0, 1, 0], dtype=np.uint64))
    local, ibis_only = _both(log)
    _assert_same_tables(local, ibis_only)
    assert local.variant_data().case_var.tolist() == [0, 1, 2]


def test_the_whole_analysis_is_equal():
    log = cxlib.read_log(DATA / "helpdesk.xes.gz")
    log["org:group"] = np.where(log["org:resource"].str.endswith("1"), "L2 2nd", "L1")
    options = {"segment_by": "service_level" if "service_level" in log else None,
               "escalation_column": "org:group"}
    local, ibis_only = _both(log)
    a = cj.analyze_journeys(local, **options)
    b = cj.analyze_journeys(ibis_only, **options)
    assert differences(a, b) == []


@st.composite
def _logs(draw):
    n_cases = draw(st.integers(1, 12))
    rows = []
    for c in range(n_cases):
        for _ in range(draw(st.integers(1, 7))):
            hour = draw(st.integers(0, 5))  # few distinct hours: many ties
            rows.append((f"c{c}", draw(st.sampled_from("abcd")),
                         pd.Timestamp("2024-01-01", tz="UTC") + pd.Timedelta(hours=hour),
                         draw(st.sampled_from(["r1", "r2", None])), draw(st.sampled_from(["L1", "L2", None]))))
    order = draw(st.permutations(range(len(rows))))
    return pd.DataFrame([rows[i] for i in order],
                        columns=["case:concept:name", "concept:name", "time:timestamp", *ATTRIBUTES])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(log=_logs(), window=st.sampled_from([0.0, 0.1, 7.0]))
def test_the_tables_are_equal_on_random_logs(log, window):
    local, ibis_only = _both(log, window_days=window)
    _assert_same_tables(local, ibis_only)


@pytest.mark.parametrize("scale", [1, 3])
def test_variants_by_hash_equal_variants_by_bytes(scale):
    from cxlib.bench.journeys import scale_log

    log = scale_log(cxlib.read_log(DATA / "helpdesk.xes.gz"), scale)
    lo = _events.prepare(log).local
    case_var, var = _local.variant_arrays(lo)
    np.testing.assert_array_equal(case_var, _local._variants_by_bytes(lo))
    np.testing.assert_array_equal(var, np.unique(case_var))


@settings(max_examples=80, deadline=None)
@given(values=st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.5, 3.0, 7.25, 10.0, 1e6]) | st.floats(0, 100), min_size=1,
                       max_size=60),
       data=st.data())
def test_segment_p_values_from_one_ranking_equal_scipy(values, data):
    """Each segment against the rest, ranked once: the p-values scipy's mannwhitneyu gives, test by test
    (exact for small sides without ties, the normal approximation otherwise)."""
    from scipy import stats

    from cxlib.journeys._segments import _p_vs_rest

    values = np.array(values)
    n_seg = data.draw(st.integers(1, 4))
    codes = np.array(data.draw(st.lists(st.integers(0, n_seg - 1), min_size=len(values), max_size=len(values))))
    sizes = np.bincount(codes, minlength=n_seg)
    got = _p_vs_rest(values, codes, sizes)
    for k in range(n_seg):
        inside = codes == k
        if sizes[k] >= 2 and len(values) - sizes[k] >= 2:
            expected = stats.mannwhitneyu(values[inside], values[~inside], alternative="two-sided").pvalue
            assert got[k] == pytest.approx(expected, rel=1e-12, abs=1e-300), (k, sizes)
        else:
            assert np.isnan(got[k])


def test_the_process_map_edges_are_equal():
    """The edges (counts, median, p90, mean, min and max wait) from the sorted transitions equal the Ibis
    aggregation's (quantiles and means to within a microsecond: DuckDB's p90 interpolation and summation order
    may differ in the last bit)."""
    log = cxlib.read_log(DATA / "helpdesk.xes.gz")
    log["org:group"] = "g"
    local, ibis_only = _both(log)
    a, b = cj.process_map(local), cj.process_map(ibis_only)
    assert differences(a, b) == []
    assert len(a.edges) > 50 and a.edges["p90_wait_h"].notna().sum() > 40


def test_the_arrow_tables_are_built_only_when_a_query_reads_them():
    """A pandas log's full analysis reads only the case-ordered arrays; the enriched and traces tables reach
    DuckDB when a query first reads them, and closing the prepared log releases them either way."""
    from cxlib.journeys import _engine

    log = cxlib.read_log(DATA / "helpdesk.xes.gz")
    ev = _events.prepare(log, attributes=["org:resource"])  # as analyze_journeys prepares a DataFrame
    names = list(ev._tables)
    assert len(names) == 2 and all(name in _engine._PENDING for name in names)
    cj.analyze_journeys(ev)
    assert all(name in _engine._PENDING for name in names)  # no query needed them
    per_case = _engine.to_pandas(ev.case_table().order_by("case"))
    events, traces = names
    assert events not in _engine._PENDING and traces in _engine._PENDING  # the query read the events only
    assert per_case["events"].tolist() == ev.cases()["events"].tolist()
    ev.close()
    assert traces not in _engine._PENDING
    registered = {name for (name,) in _engine.connect().con.execute(
        "select view_name from duckdb_views() where not internal").fetchall()}
    assert not registered & set(names)


def test_many_touchpoints_and_resources_take_the_general_sorts():
    """400 touchpoints (160,000 possible edges: past the 16-bit radix sort) and 300 resources with gaps: the
    whole analysis is still the Ibis one."""
    rng = np.random.default_rng(5)
    n = 20_000
    log = pd.DataFrame({
        "case:concept:name": [f"c{i}" for i in rng.integers(0, 3000, n)],
        "concept:name": [f"a{i}" for i in rng.integers(0, 400, n)],
        "time:timestamp": pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 10**6, n), unit="s"),
        "org:resource": [None if r < 30 else f"r{r}" for r in rng.integers(0, 300, n)],
        "org:group": "g",
    })
    local, ibis_only = _both(log)
    assert local.n_activities == 400
    assert differences(cj.analyze_journeys(local), cj.analyze_journeys(ibis_only)) == []
