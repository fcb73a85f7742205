"""The measures beyond one case at a time on Apache Spark (local[2], one session for the module): customer
journeys (re-contacts, first-contact resolution, channel switches, cross-case variants), waits in working hours
with a calendar, personas' journey features and segment differences give the tables DuckDB gives (counts exactly,
times to the microsecond: :func:`cxlib.bench.journeys.differences`), and leave no temporary view behind.

Small logs: the bundled help-desk log (21,348 events) and hand-made ones; one Spark session for the module."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxlib
import cxlib.journeys as cj
from cxlib.bench.journeys import differences
from cxlib.journeys import _personas, _spark

from .conftest import DATA
from .test_journeys_beyond import ROME, _rome, customer_log  # noqa: F401 - customer_log is a fixture

HELPDESK_CALENDAR = {"timezone": "Europe/Rome", "days": "Mon-Fri", "hours": "09:00-13:00, 14:00-18:00",
                     "country": "IT"}


@pytest.fixture(scope="module")
def spark():
    # small logs: two shuffle partitions (one per core), as in test_spark.py
    con = cj.spark_connect(master="local[2]", config={"spark.sql.shuffle.partitions": "2"})
    yield con
    _spark.stop_spark()


@pytest.fixture(scope="module")
def helpdesk() -> pd.DataFrame:
    return cxlib.read_log(DATA / "helpdesk.xes.gz")


@pytest.fixture(scope="module")
def helpdesk_on_spark(spark, helpdesk, tmp_path_factory):
    """The help-desk log as a Parquet dataset (cx convert, by case in 4 buckets), prepared once on Spark."""
    dataset = cj.convert_log(helpdesk, tmp_path_factory.mktemp("spark") / "helpdesk.parquet", partition_by="case",
                             buckets=4)
    before = _views(spark)
    prepared = cj.prepare_log(dataset, engine=spark, attributes=["org:resource"])
    yield prepared
    prepared.close()
    assert _views(spark) == before  # every view of the prepared log (its side tables too) is dropped


def _views(con) -> set:
    return {t.name for t in con._session.catalog.listTables() if t.isTemporary}


def _same(a, b) -> None:
    found = differences(a, b)
    assert found == [], found[:5]


def test_customer_journeys_equal_duckdb(spark, helpdesk, helpdesk_on_spark):
    assert helpdesk_on_spark.engine == "spark"
    options = {"customer_key": "customer", "ended_at": "Resolve ticket", "window_days": 7}
    on_spark = cj.customer_journeys(helpdesk_on_spark, **options)
    on_duckdb = cj.customer_journeys(helpdesk, **options)
    _same(on_spark, on_duckdb)
    assert on_spark.cases_total == 4580 and on_spark.customers_total == 394
    assert on_spark.cases_with_several_customers == 7 and 0 < on_spark.recontact_rate < 1
    # another window and the case attribute as the step of the cross-case variants
    options = {"customer_key": "customer", "window_days": 2.5, "step": "service_level"}
    _same(cj.customer_journeys(helpdesk_on_spark, **options), cj.customer_journeys(helpdesk, **options))


def test_recontacts_at_the_window_edges_on_spark(spark, customer_log):  # noqa: F811 - the imported fixture
    """The hand-worked log of test_journeys_beyond on Spark: k2 starts exactly 7 days after k1 ended (a
    re-contact), k3 7 days and one second after k2 ended (not one), b2 is parallel, c1 censored."""
    before = _views(spark)
    prepared = cj.prepare_log(customer_log, engine=spark)
    try:
        on_spark = cj.customer_journeys(prepared, customer_key="customer", window_days=7)
    finally:
        prepared.close()
    assert _views(spark) == before
    _same(on_spark, cj.customer_journeys(customer_log, customer_key="customer", window_days=7))
    cases = on_spark.cases.set_index("case")
    assert cases["recontact"][cases["recontact"]].index.tolist() == ["k2"]
    assert cases["gap_h"]["k3"] * 3600 == pytest.approx(168 * 3600 + 1)  # one second past the edge, exactly
    assert cases["parallel"][cases["parallel"]].index.tolist() == ["b2"]
    assert cases["censored"][cases["censored"]].index.tolist() == ["c1"]
    assert on_spark.fcr_rate == pytest.approx(0.75)  # k3, b1, b2 of A's two and B's two judged episodes


def test_stitched_channels_equal_duckdb(spark):
    """Two channel logs stitched into one (case ids prefixed, a channel column), read from a DataFrame on Spark
    (through a temporary Parquet copy): re-contacts across channels, switches and cross-channel variants."""
    rng = np.random.default_rng(3)
    logs = {}
    for channel, steps in (("web", ["form", "error", "form"]), ("phone", ["call", "solved"])):
        rows = []
        for i in range(60):
            start = pd.Timestamp("2024-01-01", tz="UTC") + pd.Timedelta(hours=float(rng.uniform(0, 24 * 90)))
            for j, step in enumerate(steps[: 1 + int(rng.integers(0, len(steps)))]):
                rows.append((str(i), step, start + pd.Timedelta(minutes=10 * j), f"C{int(rng.integers(0, 25))}"))
        logs[channel] = pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "time:timestamp",
                                                    "customer"])
    log = cj.stitch_logs(logs, customer_key="customer")
    before = _views(spark)
    prepared = cj.prepare_log(log, engine="spark")
    try:
        options = {"customer_key": "customer", "channel_key": "channel", "window_days": 7}
        on_spark = cj.customer_journeys(prepared, **options)
        on_duckdb = cj.customer_journeys(log, **options)
        _same(on_spark, on_duckdb)
        assert len(on_spark.switches) and on_spark.channels["channel"].tolist() in (["web", "phone"],
                                                                                      ["phone", "web"])
    finally:
        prepared.close()
    assert _views(spark) == before


def test_working_hours_equal_duckdb(spark, helpdesk, helpdesk_on_spark):
    """Waits in working time (Rome, 9-13 and 14-18, Italy's holidays) on every table that reports waits."""
    cal = cj.working_calendar(**HELPDESK_CALENDAR)
    for name, fn in (("process_map", lambda x: cj.process_map(x, calendar=cal)),
                     ("waiting_times", lambda x: cj.waiting_times(x, calendar=cal)),
                     ("throughput", lambda x: cj.throughput(x, calendar=cal)),
                     ("touchpoints", lambda x: cj.touchpoints(x, calendar=cal)),
                     ("design", lambda x: cj.design_stages(x, cj.read_design(
                         DATA.parent / "notebooks" / "designs" / "helpdesk.yml"), calendar=cal))):
        on_spark, on_duckdb = fn(helpdesk_on_spark), fn(helpdesk)
        found = differences(on_spark, on_duckdb, name)
        assert found == [], found[:5]
    waits = cj.waiting_times(helpdesk_on_spark, calendar=cal)
    assert waits["working_h"].notna().all() and (waits["working_h"] <= waits["wait_h"] + 1e-9).all()


def test_working_hours_by_hand_on_spark(spark):
    """The hand-worked waits of test_journeys_beyond (a weekend, Christmas, Easter and the clock change) on
    Spark through analyze_journeys(engine=...)."""
    from .conftest import make_log

    a, b, c = _rome("2013-12-24 17:00", "2013-12-27 10:00", "2013-12-30 09:30")
    d, e = _rome("2013-03-29 17:00", "2013-04-02 10:00")
    log = make_log([("t1", "open", a), ("t1", "answer", b), ("t1", "close", c),
                    ("t2", "open", d), ("t2", "answer", e)])
    before = _views(spark)
    on_spark = cj.analyze_journeys(log, engine=spark, calendar=ROME)
    assert _views(spark) == before
    _same(on_spark, cj.analyze_journeys(log, calendar=ROME))
    tp = on_spark["throughput"].set_index("case")
    # t1: 1 h (Tue) + 1 h (Fri, after Christmas and St Stephen) + 8 h (Fri) + 0.5 h (Mon) = 10.5 h; t2: 2 h
    assert tp["working_throughput_h"].to_dict() == pytest.approx({"t1": 10.5, "t2": 2.0})


def test_persona_features_equal_duckdb(spark, helpdesk, helpdesk_on_spark):
    """The journey features personas cluster on, computed on Spark, equal DuckDB's; so do the personas."""
    ev_duck = cj.prepare_log(helpdesk, attributes=["org:resource"])
    try:
        options = {"top_touchpoints": 20, "top_transitions": 20, "resource_key": "org:resource",
                   "channel_key": "service_level"}
        f_spark, raw_spark, blocks_spark = _personas._case_features(helpdesk_on_spark, **options)
        f_duck, raw_duck, blocks_duck = _personas._case_features(ev_duck, **options)
    finally:
        ev_duck.close()
    _same({"features": f_spark, "raw": raw_spark}, {"features": f_duck, "raw": raw_duck})
    assert blocks_spark == blocks_duck and f_spark.shape == (4580, len(blocks_duck))
    assert set(blocks_duck.values()) == {"touchpoint", "transition", "measure", "channel"}
    options = {"groups": 3, "seeds": 2, "channel_key": "service_level"}
    _same(cj.personas(helpdesk_on_spark, **options), cj.personas(helpdesk, **options))
    options = {"unit": "customer", "customer_key": "customer", "ended_at": "Resolve ticket", "groups": 2,
               "seeds": 2}
    on_spark = cj.personas(helpdesk_on_spark, **options)
    _same(on_spark, cj.personas(helpdesk, **options))
    assert int(on_spark.table["units"].sum()) == 394


def test_segment_differences_equal_duckdb(spark, helpdesk, helpdesk_on_spark):
    on_spark = cj.segment_differences(helpdesk_on_spark, by="service_level")
    _same(on_spark, cj.segment_differences(helpdesk, by="service_level"))
    assert on_spark.tests_run > 20 and on_spark.significant > 0
    pair = {"by": "service_level", "segments": ["Value 2", "Value 3"]}
    _same(cj.segment_differences(helpdesk_on_spark, **pair), cj.segment_differences(helpdesk, **pair))
