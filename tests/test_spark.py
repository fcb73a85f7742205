"""The journeys engine on Apache Spark (local[2], one session for the module): every table of
``analyze_journeys`` equals DuckDB's on real logs and on hand-made ties, nothing is left behind in the session,
and ``cx convert`` / ``convert_log`` write what Spark reads."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import cxlib.journeys as cj
from cxlib import CxInputError
from cxlib.bench.journeys import differences
from cxlib.io import CASE, read_log
from cxlib.journeys import _engine, _spark
from cxlib.journeys._events import prepare

from .conftest import shared

REAL_LOGS = {
    "helpdesk": ("helpdesk/helpdesk.xes.gz", {}, "case",
                 {"segment_by": "service_level", "escalation_column": "workgroup", "escalation_pattern": "Value 2"}),
    "bpic2013_closed_problems": ("bpic2013_closed_problems/bpic2013_closed_problems.xes.gz",
                                 {"classifier": ["concept:name", "lifecycle:transition"]}, None,
                                 {"segment_by": "impact", "resource_key": "org:group",
                                  "escalation_column": "org:group", "escalation_pattern": "2nd|3rd"}),
    "receipt": ("receipt_wabo/receipt.xes.gz", {}, "month", {"segment_by": "case:channel"}),
}


@pytest.fixture(scope="module")
def spark():
    # small logs: two shuffle partitions (one per core) instead of the default four
    con = cj.spark_connect(master="local[2]", config={"spark.sql.shuffle.partitions": "2"})
    yield con
    _spark.stop_spark()


def _views(con) -> set:
    return {t.name for t in con._session.catalog.listTables() if t.isTemporary}


@pytest.mark.parametrize("name", sorted(REAL_LOGS))
def test_every_table_equals_duckdb_on_real_logs(spark, tmp_path, name):
    path, read_options, partition_by, options = REAL_LOGS[name]
    log = read_log(shared(path), **read_options)
    dataset = cj.convert_log(log, tmp_path / "log.parquet", partition_by=partition_by, buckets=4)
    before = _views(spark)
    on_spark = cj.analyze_journeys(dataset, engine=spark, **options)
    assert _views(spark) == before  # no temporary view left behind
    on_duckdb = cj.analyze_journeys(log, **options)
    assert differences(on_spark, on_duckdb) == []
    assert sorted(on_spark) == sorted(on_duckdb)
    assert on_spark["variants"].variants_total > 50 and len(on_spark["throughput"]) == log[CASE].nunique()


def _ties_log() -> pd.DataFrame:
    """Ties in time (a case entirely at one instant, another partly), nanosecond times, and rows without a case,
    an activity or a time (dropped and counted)."""
    t0 = pd.Timestamp("2024-03-01", tz="UTC")
    ns = pd.Timedelta(nanoseconds=1)
    rows = [("x", "a", t0, "r1"), ("y", "c", t0, "r2"), ("x", "b", t0, "r2"), ("x", "c", t0, "r1"),
            ("y", "a", t0, None), ("y", "b", t0 + pd.Timedelta(hours=1) + 7 * ns, "r2"),
            ("z", "a", t0 + 3 * ns, "r1"), ("z", "a", t0 + 3 * ns, "r1"), ("z", "b", t0 + pd.Timedelta(days=2), "r3"),
            (None, "a", t0, "r1"), ("x", None, t0, "r1"), ("z", "c", pd.NaT, "r1"),
            ("w", "c", t0 + pd.Timedelta(minutes=5), "r3"), ("w", "a", t0 + pd.Timedelta(minutes=5), "r1")]
    return pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "time:timestamp", "org:resource"])


def test_ties_in_time_and_dropped_rows_equal_duckdb(spark):
    log = _ties_log()
    before = _views(spark)
    on_spark = cj.analyze_journeys(log, engine="spark", segment_by="org:resource")  # a DataFrame: via Parquet
    assert _views(spark) == before
    on_duckdb = cj.analyze_journeys(log, segment_by="org:resource")
    assert differences(on_spark, on_duckdb) == []
    # ties keep the log's order on both engines
    assert on_spark["variants"].table["variant"].tolist() == ["a → a → b", "a → b → c", "c → a", "c → a → b"]
    assert on_spark["variants"].dropped_rows == {"missing case:concept:name": 1, "missing concept:name": 1,
                                                 "missing time:timestamp": 1}


def test_nanosecond_timestamps_are_exact_on_spark(spark, tmp_path):
    log = _ties_log()
    dataset = cj.convert_log(log, tmp_path / "ties.parquet")
    report = json.loads((tmp_path / "ties.parquet.load-report.json").read_text())
    assert report["written"]["timestamps"] == {"time:timestamp": "timestamp[ns, tz=UTC]"}
    ev = prepare(dataset, engine=spark)
    try:
        got = _engine.to_pandas(ev.table.select("pos", "ts").order_by("pos"))
    finally:
        ev.close()
    kept = log["case:concept:name"].notna() & log["concept:name"].notna() & log["time:timestamp"].notna()
    expected = log.loc[kept, "time:timestamp"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    assert got["pos"].tolist() == np.flatnonzero(kept).tolist()
    assert got["ts"].tolist() == expected.tolist()


def test_a_spark_table_without_row_numbers(spark, tmp_path):
    """A table written by another tool (no ``cx:row``): rows are numbered in reading order."""
    log = _ties_log().dropna().reset_index(drop=True)
    cj.convert_log(log, tmp_path / "plain.parquet")
    session = spark._session
    session.read.parquet(str(tmp_path / "plain.parquet")).drop("cx:row").coalesce(1) \
        .createOrReplaceTempView("test_plain_events")
    try:
        table = spark.table("test_plain_events")
        v_spark = cj.variants(table)
        assert differences(v_spark, cj.variants(log)) == []
    finally:
        session.catalog.dropTempView("test_plain_events")
    assert not any(v.startswith("cx_journeys") for v in _views(spark))


def test_bad_input_is_named(spark, tmp_path):
    log = _ties_log().rename(columns={"concept:name": "step"})
    dataset = cj.convert_log(log, tmp_path / "bad.parquet")
    before = _views(spark)
    with pytest.raises(CxInputError, match="'concept:name' not found"):
        cj.analyze_journeys(dataset, engine=spark)
    with pytest.raises(CxInputError, match="no such Parquet"):
        cj.analyze_journeys(tmp_path / "missing.parquet", engine=spark)
    with pytest.raises(CxInputError, match="engine must be"):
        cj.analyze_journeys(log, engine="oracle")
    assert _views(spark) == before


def test_convert_log_partitions_and_report(tmp_path):
    log = read_log(shared("receipt_wabo/receipt.xes.gz"))
    out = cj.convert_log(log, tmp_path / "by_month", partition_by="month")
    months = sorted(p.name for p in out.iterdir())
    assert months[0] == "cx_month=2010-10" and len(months) > 10
    written = json.loads((tmp_path / "by_month.load-report.json").read_text())["written"]
    assert written["rows"] == len(log) and written["row_column"] == "cx:row"
    assert written["timestamps"]["time:timestamp"] == "timestamp[us, tz=UTC]"  # millisecond times: no loss
    with pytest.raises(CxInputError, match="exists"):
        cj.convert_log(log, out, partition_by="month")
    with pytest.raises(CxInputError, match="no such column"):
        cj.convert_log(log, tmp_path / "x", partition_by="channel")
    by_case = cj.convert_log(log, tmp_path / "by_case", partition_by="case", buckets=3)
    assert sorted(p.name for p in by_case.iterdir()) == [f"cx_case_bucket={i}" for i in range(3)]


def test_cx_convert_command(tmp_path, capsys):
    from cxlib.cli import main

    out = tmp_path / "helpdesk.parquet"
    assert main(["convert", str(shared("helpdesk/helpdesk.xes.gz")), str(out), "--partition-by", "case",
                 "--buckets", "2"]) == 0
    assert "21,348 events" in capsys.readouterr().out
    report = json.loads((tmp_path / "helpdesk.parquet.load-report.json").read_text())
    assert report["load_report"]["rows_kept"] == 21348
    assert main(["convert", str(tmp_path / "nothing.xes"), str(tmp_path / "o.parquet")]) == 2


def test_the_comparison_finds_differences():
    log = read_log(shared("receipt_wabo/receipt.xes.gz"))
    a = cj.analyze_journeys(log)
    b = cj.analyze_journeys(log)
    assert differences(a, b) == []
    b["throughput"].loc[3, "throughput_h"] += 2e-6 / 3600  # 2 µs
    b["variants"].table.loc[0, "cases"] += 1
    found = differences(a, b)
    assert len(found) == 2 and found[0].startswith("throughput[throughput_h]: 1 rows differ")
    b["throughput"].loc[3, "throughput_h"] = a["throughput"].loc[3, "throughput_h"] + 0.5e-6 / 3600
    assert len(differences(a, b)) == 1  # half a microsecond is equal


def test_bench_journeys_on_spark(spark, capsys):
    from cxlib.cli import main

    assert main(["bench", "journeys", str(shared("roadtraffic_sample/roadtraffic100traces.xes")), "--engine",
                 "spark", "--master", "local[2]", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["events"] == 390 and figures["engine"] == "spark"
    assert figures["equal_to_duckdb"] is True and figures["differences"] == []
    assert figures["cxlib_s"] > 0 and figures["peak_mb"] > figures["python_peak_mb"] > 0
    assert figures["temporary_views_left"] == []


def _responses() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 400
    df = pd.DataFrame({"score": rng.integers(0, 11, n).astype(float), "touchpoint": rng.choice(["web", "call"], n),
                       "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 150, n), unit="D"),
                       "sentiment": rng.choice(["positive", "neutral", "negative", "", None, "other"], n)})
    df.loc[:5, "score"] = np.nan  # no score
    df.loc[6:8, "score"] = 11  # outside the scale
    df.loc[9, "score"] = 7.5  # not a whole number
    return df


def _score_tables(df) -> dict:
    from cxlib.scores import score_table, trend

    return {"nps": score_table(df, kind="nps", by="touchpoint"),
            "csat": score_table(df, kind="csat", scale=(0, 10), by="touchpoint"),
            "ces_mean": score_table(df, kind="ces", scale=(0, 10), stat="mean"),
            "sentiment": score_table(df, kind="sentiment", score="sentiment", by="touchpoint"),
            "trend_month": trend(df, kind="nps", period="M", by="touchpoint"),
            "trend_week": trend(df, kind="csat", scale=(0, 10), period="W")}


def test_scores_of_an_ibis_table_equal_the_dataframe(spark):
    import ibis

    df = _responses()
    expected = _score_tables(df)
    assert expected["nps"]["n_invalid"].sum() == 4 and expected["nps"]["n_missing"].sum() == 6
    assert differences(_score_tables(ibis.memtable(df)), expected) == []  # DuckDB
    session = spark._session
    session.createDataFrame(df.astype({"sentiment": object})).createOrReplaceTempView("test_responses")
    try:
        assert differences(_score_tables(spark.table("test_responses")), expected) == []  # Spark
    finally:
        session.catalog.dropTempView("test_responses")
