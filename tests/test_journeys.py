"""Journey measures: hand-made logs with answers worked out by hand, and equality with pm4py on real logs."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import cxlib.journeys as cj
from cxlib import CxInputError
from tests.conftest import DATA, shared

H = "2024-03-01 "


def _t(hour: float) -> str:
    return str(pd.Timestamp("2024-03-01") + pd.Timedelta(hours=hour))


@pytest.fixture
def journeys_log() -> pd.DataFrame:
    """Five journeys, worked out by hand in the tests below.

    A: a(0h) b(1h) c(3h) d(4h)           resources r1 r1 r2 r2      group L1 L1 "L2 2nd" L1   web
    B: a(0) b(2) b(3) c(5) d(9)          r1 r2 r1 r2 r2             L1 x5                     web
    C: a(0) c(1) b(2) c(4)               r1 r1 r1 <missing>         "2nd" "2nd" L1 "3rd"      phone
    D: a(0) b(1) c(2) d(3)               r1 r2 r2 r3                L1 x4                     web
    E: a(0) d(10)                        r3 r3                      L1 L1                     phone
    Rows are shuffled on purpose: every measure must sort by case and time itself.
    """
    spec = {
        "A": ([("a", 0), ("b", 1), ("c", 3), ("d", 4)], ["r1", "r1", "r2", "r2"], ["L1", "L1", "L2 2nd", "L1"]),
        "B": ([("a", 0), ("b", 2), ("b", 3), ("c", 5), ("d", 9)], ["r1", "r2", "r1", "r2", "r2"], ["L1"] * 5),
        "C": ([("a", 0), ("c", 1), ("b", 2), ("c", 4)], ["r1", "r1", "r1", None], ["2nd", "2nd", "L1", "3rd"]),
        "D": ([("a", 0), ("b", 1), ("c", 2), ("d", 3)], ["r1", "r2", "r2", "r3"], ["L1"] * 4),
        "E": ([("a", 0), ("d", 10)], ["r3", "r3"], ["L1", "L1"]),
    }
    channel = {"A": "web", "B": "web", "C": "phone", "D": "web", "E": "phone"}
    rows = []
    for case, (steps, resources, groups) in spec.items():
        for (act, hour), res, grp in zip(steps, resources, groups):
            rows.append((case, act, _t(hour), res, grp, channel[case]))
    log = pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "time:timestamp", "org:resource",
                                      "org:group", "case:channel"])
    log["time:timestamp"] = pd.to_datetime(log["time:timestamp"], utc=True)
    return log.sample(frac=1, random_state=3).reset_index(drop=True)


def _edge(edges, source, target):
    row = edges[(edges["source"] == source) & (edges["target"] == target)]
    assert len(row) == 1, f"edge {source}->{target} not found once"
    return row.iloc[0]


# ---------------------------------------------------------------- hand-worked answers


def test_process_map_frequency_and_waits(journeys_log):
    pm = cj.process_map(journeys_log)
    assert isinstance(pm, cj.ProcessMap)
    edges = pm.edges
    assert dict(zip(pm.nodes["touchpoint"], pm.nodes["events"])) == {"a": 5, "b": 5, "c": 5, "d": 4}
    assert dict(zip(pm.nodes["touchpoint"], pm.nodes["cases"])) == {"a": 5, "b": 4, "c": 4, "d": 4}
    assert pm.coverage == {"events_share": 1.0, "transitions_share": 1.0, "cases_share": 1.0,
                           "activities_kept": 4, "activities_total": 4, "edges_kept": 7, "edges_total": 7}
    assert pm.dropped_rows == {}
    trans = edges[edges["kind"] == "transition"]
    assert dict(zip(zip(trans["source"], trans["target"]), trans["transitions"])) == {
        ("a", "b"): 3, ("b", "c"): 4, ("c", "d"): 3, ("b", "b"): 1, ("a", "c"): 1, ("c", "b"): 1, ("a", "d"): 1}
    ab = _edge(edges, "a", "b")
    assert ab["cases"] == 3
    assert ab["median_wait_h"] == pytest.approx(1.0)
    assert ab["mean_wait_h"] == pytest.approx(4 / 3)
    bc = _edge(edges, "b", "c")  # waits 2, 2, 2, 1
    assert (bc["median_wait_h"], bc["mean_wait_h"], bc["min_wait_h"], bc["max_wait_h"]) == (2, 1.75, 1, 2)
    assert bc["p90_wait_h"] == pytest.approx(2.0)
    assert bc["share"] == pytest.approx(4 / 14)
    starts = edges[edges["kind"] == "start"]
    ends = edges[edges["kind"] == "end"]
    assert dict(zip(starts["target"], starts["transitions"])) == {"a": 5}
    assert dict(zip(ends["source"], ends["transitions"])) == {"d": 4, "c": 1}


def test_process_map_pruning_states_coverage(journeys_log):
    # events: a 5, b 5, c 5, d 4 -> top 3 keeps a, b, c (ties by name)
    pm = cj.process_map(journeys_log, top_activities=3)
    cov = pm.coverage
    assert cov["events_share"] == pytest.approx(15 / 19)
    assert cov["transitions_share"] == pytest.approx(10 / 14)
    assert cov["cases_share"] == pytest.approx(1 / 5)  # only C never touches d
    assert (cov["activities_kept"], cov["activities_total"], cov["edges_kept"], cov["edges_total"]) == (3, 4, 5, 7)
    assert pm.nodes["touchpoint"].tolist() == ["a", "b", "c"]
    assert set(pm.edges["source"]) - {"▶ start"} <= {"a", "b", "c"}
    # then the most frequent paths up to 70% of the kept transitions: b->c (4) and a->b (3) of 10
    pm = cj.process_map(journeys_log, top_activities=3, top_paths=0.7)
    trans = pm.edges[pm.edges["kind"] == "transition"]
    assert set(zip(trans["source"], trans["target"])) == {("b", "c"), ("a", "b")}
    assert pm.coverage["transitions_share"] == pytest.approx(7 / 14)
    assert pm.coverage["edges_kept"] == 2
    page = pm.show()._repr_html_()
    assert "The map shows 3 of 4 touchpoints, 78.9% of the events, 50.0% of the transitions" in page
    assert "Most frequent paths" in page


def test_draw_process_map_is_svg_and_escapes_names(journeys_log):
    log = journeys_log.assign(**{"concept:name": journeys_log["concept:name"].replace({"a": "<b>&x"})})
    pm = cj.process_map(log)
    svg = cj.draw_process_map(pm).pipe(format="svg").decode()
    assert svg.lstrip().startswith("<?xml")
    assert "<b>&x" not in svg
    assert "&lt;b&gt;&amp;x" in svg
    assert "&lt;b&gt;&amp;x\n5" in cj.draw_process_map(pm).source  # the box shows the touchpoint's events
    assert "&lt;b&gt;&amp;x\n5" not in cj.draw_process_map(pm.edges).source  # the edges alone: no counts
    with pytest.raises(CxInputError, match="ProcessMap"):
        cj.draw_process_map(cj.variants(log))


def test_start_end_touchpoints(journeys_log):
    se = cj.start_end_touchpoints(journeys_log).set_index("touchpoint")
    assert se.loc["a", "starts"] == 5 and se.loc["d", "ends"] == 4 and se.loc["c", "ends"] == 1
    assert se.loc["d", "end_share"] == pytest.approx(0.8)


def test_variants_counts_share_coverage_throughput(journeys_log):
    result = cj.variants(journeys_log)
    assert (result.cases_total, result.variants_total, result.dropped_rows) == (5, 4, {})
    v = result.table
    assert v["variant"].tolist() == ["a → b → c → d", "a → b → b → c → d", "a → c → b → c", "a → d"]
    assert v["cases"].tolist() == [2, 1, 1, 1]
    assert v["share"].tolist() == pytest.approx([0.4, 0.2, 0.2, 0.2])
    assert v["cumulative_share"].tolist() == pytest.approx([0.4, 0.6, 0.8, 1.0])
    assert v["median_throughput_h"].iloc[0] == pytest.approx(3.5)  # A 4h, D 3h
    assert v["activities"].iloc[3] == ("a", "d")
    top = cj.variants(journeys_log, top=2)
    assert top.table["cases"].tolist() == [2, 1]
    assert (top.cases_total, top.variants_total) == (5, 4)  # the totals describe the whole log
    assert len(cj.variants(journeys_log, coverage=0.5).table) == 2  # 0.4 is not enough, 0.6 crosses the line
    page = top.show()._repr_html_()
    assert "4 distinct journeys; the top 2 cover 60.0% of the cases." in page and "Top variants" in page
    assert "activities" not in page
    cv = cj.case_variants(journeys_log).set_index("case")
    assert cv.loc["A", "variant_rank"] == 1 and cv.loc["D", "variant_rank"] == 1 and cv.loc["E", "variant_rank"] == 4


def test_dropoffs_given_and_inferred(journeys_log):
    given = cj.dropoffs(journeys_log, success_ends="d")
    assert given.success_ends == ["d"] and given.success_note == "Successful ends given: d."
    assert (given.dropoff_cases, given.cases_total) == (1, 5)  # C ends at c
    assert "Successful ends given: d. 1 of 5 cases (20.0%) end elsewhere." in given.show()._repr_html_()
    d = given.table.set_index("touchpoint")
    assert d.loc["c", "cases_reached"] == 4 and d.loc["c", "cases_ended"] == 1
    assert d.loc["c", "dropoff_rate"] == pytest.approx(0.25)
    assert d.loc["c", "dropoff_share"] == pytest.approx(0.2)
    assert d.loc["d", "dropoff_rate"] == 0 and bool(d.loc["d", "successful_end"])
    # inference: d ends 80% of the cases, c 20%
    inferred = cj.dropoffs(journeys_log, infer_min_share=0.5)
    assert inferred.success_ends == ["d"]
    assert "inferred" in inferred.success_note and "d (80.0%)" in inferred.success_note
    both = cj.dropoffs(journeys_log)
    assert both.success_ends == ["d", "c"] and (both.dropoff_cases, both.cases_total) == (0, 5)
    with pytest.raises(CxInputError, match="not in the log"):
        cj.dropoffs(journeys_log, success_ends=["Closed"])


def test_branches_probabilities(journeys_log):
    b = cj.branches(journeys_log)
    from_c = b[b["touchpoint"] == "c"].set_index("next_touchpoint")["probability"]
    assert from_c.to_dict() == pytest.approx({"d": 0.6, "b": 0.2, "■ end": 0.2})
    from_b = b[b["touchpoint"] == "b"].set_index("next_touchpoint")["probability"]
    assert from_b.to_dict() == pytest.approx({"c": 0.8, "b": 0.2})
    assert bool(b.loc[b["touchpoint"] == "c", "branch_point"].all())


def test_loops_rework_selfloops_backjumps_skips(journeys_log):
    result = cj.loops(journeys_log)
    assert result.reference == ["a", "b", "c", "d"]
    assert "Reference path for skips: a → b → c → d." in result.show()._repr_html_()
    lp = result.table.set_index("touchpoint")
    assert lp.loc["b", "rework_cases"] == 1 and lp.loc["c", "rework_cases"] == 1 and lp.loc["a", "rework_cases"] == 0
    assert lp.loc["b", "self_loops"] == 1 and lp.loc["b", "back_jumps"] == 0
    assert lp.loc["c", "back_jumps"] == 1 and lp.loc["c", "self_loops"] == 0  # C: c -> b -> c
    assert lp.loc["b", "skipped_cases"] == 1 and lp.loc["c", "skipped_cases"] == 1  # E: a -> d
    assert lp.loc["a", "skipped_cases"] == 0 and lp.loc["d", "skipped_cases"] == 0
    assert lp.loc["b", "rework_rate"] == pytest.approx(1 / 4)
    cl = cj.case_loops(journeys_log).set_index("case")
    assert cl.loc["B", "self_loops"] == 1 and cl.loc["C", "back_jumps"] == 1 and cl.loc["E", "skipped"] == 2
    assert cl["has_rework"].to_dict() == {"A": False, "B": True, "C": True, "D": False, "E": False}
    # another reference: d before c makes every c ... d case neither skip nor not; E skips b and c still
    assert cj.case_loops(journeys_log, reference=["a", "b", "c"]).set_index("case").loc["E", "skipped"] == 0


def test_waiting_times_and_throughput(journeys_log):
    w = cj.waiting_times(journeys_log)
    assert len(w) == 19 - 5
    assert sorted(w.loc[w["transition"] == "a → b", "wait_h"]) == [1, 1, 2]
    tp = cj.throughput(journeys_log).set_index("case")
    assert tp["throughput_h"].to_dict() == {"A": 4, "B": 9, "C": 4, "D": 3, "E": 10}
    assert tp.loc["C", "last_touchpoint"] == "c"


def test_repeat_contacts_window(journeys_log):
    week = cj.repeat_contacts(journeys_log, window_days=7).set_index("touchpoint")
    assert week.loc["b", "repeat_contacts"] == 1 and week.loc["c", "repeat_contacts"] == 1
    assert week.loc["c", "median_gap_h"] == pytest.approx(3.0)
    hour = cj.repeat_contacts(journeys_log, window_days=1 / 24).set_index("touchpoint")
    assert hour.loc["b", "repeat_contacts"] == 1 and hour.loc["c", "repeat_contacts"] == 0  # gaps 1h and 3h


def test_handoffs_and_pingpong(journeys_log):
    h = cj.handoffs(journeys_log)
    pairs = {(r.from_resource, r.to_resource): (r.handoffs, r.pingpongs) for r in h.table.itertuples()}
    assert pairs == {("r1", "r2"): (4, 1), ("r2", "r1"): (1, 1), ("r2", "r3"): (1, 0)}
    assert h.transitions == 14 and h.transitions_unknown == 1
    assert h.handoff_rate == pytest.approx(6 / 13)
    assert h.cases_with_pingpong == 1
    assert (h.resource_key, h.cases_with_handoff, h.cases_total) == ("org:resource", 3, 5)  # A, B and D
    assert "46.2% of the transitions with a known org:resource are hand-offs; 3 of 5 cases" in h.show()._repr_html_()
    ch = cj.case_handoffs(journeys_log).set_index("case")
    assert ch["handoffs"].to_dict() == {"A": 1, "B": 3, "C": 0, "D": 2, "E": 0}
    assert ch.loc["B", "pingpongs"] == 2 and ch.loc["D", "resources"] == 3


def test_escalations_by_pattern(journeys_log):
    result = cj.escalations(journeys_log, column="org:group", pattern="2nd|3rd")
    e = result.table.set_index("case")
    assert e["escalations"].to_dict() == {"A": 1, "B": 0, "C": 2, "D": 0, "E": 0}
    assert e.loc["A", "first_escalation_touchpoint"] == "c" and e.loc["A", "hours_to_escalation"] == 3
    assert e.loc["C", "hours_to_escalation"] == 0
    assert result.escalation_rate == pytest.approx(0.4)
    assert set(result.matched_values) == {"L2 2nd", "2nd", "3rd"}
    assert (result.column, result.pattern) == ("org:group", "2nd|3rd")
    first = result.first_touchpoints()
    assert dict(zip(first["first_escalation_touchpoint"], first["cases"])) == {"a": 1, "c": 1}
    assert "40.0% of the cases escalate (org:group matching <code>2nd|3rd</code>" in result.show()._repr_html_()
    with pytest.raises(CxInputError, match="regular expression"):
        cj.escalations(journeys_log, column="org:group", pattern="(")
    with pytest.raises(CxInputError, match="org:team"):
        cj.escalations(journeys_log, column="org:team")


def test_segments_metrics_and_tests(journeys_log):
    result = cj.segments(journeys_log, by="case:channel", success_ends="d", escalation_column="org:group",
                         min_cases=2)
    assert result.by == "case:channel" and result.success_note == "Successful ends given: d."
    s = result.table.set_index("segment")
    assert s["cases"].to_dict() == {"web": 3, "phone": 2}
    assert s.loc["web", "median_throughput_h"] == 4 and s.loc["phone", "median_throughput_h"] == 7
    assert s.loc["phone", "dropoff_share"] == 0.5 and s.loc["web", "dropoff_share"] == 0
    assert s.loc["web", "escalation_share"] == pytest.approx(1 / 3)
    pd.testing.assert_frame_equal(result.tests, cj.segment_tests(journeys_log, by="case:channel", success_ends="d",
                                                                 escalation_column="org:group", min_cases=2))
    tests = result.tests.set_index("metric")
    expected = stats.mannwhitneyu([4, 9, 3], [4, 10], alternative="two-sided")
    assert tests.loc["throughput_h", "test"] == "Mann-Whitney U"
    assert tests.loc["throughput_h", "p_value"] == pytest.approx(expected.pvalue)
    chi = stats.chi2_contingency(np.array([[1, 1], [3, 0]]))  # rows phone, web; columns no / yes drop-off
    assert tests.loc["dropoff_share", "p_value"] == pytest.approx(chi.pvalue)
    assert "expected counts < 5" in tests.loc["dropoff_share", "note"]
    assert tests.loc["dropoff_share", "n_cases"] == 5
    assert s.loc["web", "throughput_p_vs_rest"] == pytest.approx(expected.pvalue)


def test_small_segments_are_grouped(journeys_log):
    s = cj.segments(journeys_log, by="case:channel", min_cases=3)
    assert dict(zip(s.table["segment"], s.table["cases"])) == {"web": 3, "(other)": 2}
    assert "fewer than 3 cases" in s.note
    page = s.show()._repr_html_()
    assert "fewer than 3 cases" in page and "Segments by case:channel" in page and "Are the differences" in page
    s = cj.segments(journeys_log, by="case:channel", top=1, min_cases=1)
    assert dict(zip(s.table["segment"], s.table["cases"])) == {"web": 3, "(other)": 2}


def test_touchpoint_table_and_priority(journeys_log):
    result = cj.touchpoints(journeys_log, success_ends="d", escalation_column="org:group")
    assert result.success_ends == ["d"] and result.success_note == "Successful ends given: d."
    tp = result.table.set_index("touchpoint")
    assert tp.loc["b", "median_wait_before_h"] == 1  # into b: 1, 2, 1 (a->b), 1 (b->b), 1 (c->b)
    assert tp.loc["a", "median_wait_after_h"] == 1  # out of a: 1, 2, 1, 1, 10
    assert tp.loc["c", "dropoff_rate"] == pytest.approx(0.25)
    assert tp.loc["a", "handoff_rate"] != tp.loc["a", "handoff_rate"]  # nothing arrives at a: NaN
    assert tp.loc["c", "handoff_rate"] == pytest.approx(2 / 4)  # arrivals at c with known resources: 4, changed 2
    measures = ["dropoff_rate", "median_wait_before_h", "rework_rate", "handoff_rate", "escalation_rate"]
    assert result.priority_measures == measures
    assert cj.touchpoints(journeys_log, resource_key=None).priority_measures == measures[:3]
    # the successful end d is where the customer is done: not ranked, listed last
    ranked = tp.drop(index="d")
    severity = ranked[measures].rank(pct=True).mean(axis=1)
    assert ranked["priority_score"].to_numpy() == pytest.approx((ranked["case_share"] * severity).to_numpy())
    assert ranked["priority_rank"].tolist() == list(range(1, 4)) and ranked["priority_score"].is_monotonic_decreasing
    assert result.table["touchpoint"].iloc[-1] == "d" and pd.isna(tp.loc["d", "priority_rank"])


def test_result_tables_are_plain_frames(journeys_log):
    # the notes travel in the result's fields, not in DataFrame.attrs (which concat and merge drop)
    s = cj.segments(journeys_log, by="case:channel")
    st = cj.design_stages(journeys_log, DESIGN)
    pm = cj.process_map(journeys_log)
    for table in (s.table, s.tests, st.table, st.outside, st.backward, pm.edges, pm.nodes):
        assert table.attrs == {}
        assert len(pd.concat([table, table])) == 2 * len(table)


def test_analyze_journeys_matches_the_single_functions(journeys_log):
    res = cj.analyze_journeys(journeys_log, segment_by="case:channel", escalation_column="org:group")
    assert res["segments"].table["segment"].tolist() == ["(other)"]  # web 3 and phone 2: both under min_cases
    variants = cj.variants(journeys_log)
    pd.testing.assert_frame_equal(res["variants"].table, variants.table)
    assert (res["variants"].cases_total, res["variants"].variants_total) == (variants.cases_total, 4)
    touchpoints = cj.touchpoints(journeys_log, escalation_column="org:group")
    pd.testing.assert_frame_equal(res["touchpoints"].table, touchpoints.table)
    assert res["touchpoints"].priority_measures == touchpoints.priority_measures
    assert res["dropoffs"].success_note == cj.dropoffs(journeys_log).success_note
    assert res["loops"].reference == ["a", "b", "c", "d"]
    assert {"handoffs", "escalations", "segments"} <= set(res)
    kinds = {name: type(value).__name__ for name, value in res.items()}
    assert kinds == {"process_map": "ProcessMap", "start_end": "DataFrame", "variants": "Variants",
                     "dropoffs": "DropOffs", "branches": "DataFrame", "loops": "Loops", "case_loops": "DataFrame",
                     "throughput": "DataFrame", "repeat_contacts": "DataFrame", "handoffs": "Handoffs",
                     "escalations": "Escalations", "segments": "Segments", "touchpoints": "Touchpoints"}


def test_same_result_whatever_the_row_order(journeys_log):
    a = cj.process_map(journeys_log)
    b = cj.process_map(journeys_log.iloc[::-1].reset_index(drop=True))
    pd.testing.assert_frame_equal(a.edges, b.edges)
    pd.testing.assert_frame_equal(a.nodes, b.nodes)
    assert a.coverage == b.coverage


def test_bad_input_names_column_and_counts_dropped(journeys_log):
    with pytest.raises(CxInputError, match="'time:timestamp'.*the log has"):
        cj.variants(journeys_log.drop(columns="time:timestamp"))
    bad = journeys_log.assign(**{"time:timestamp": "not a date"})
    with pytest.raises(CxInputError, match="not timestamps"):
        cj.variants(bad)
    holes = journeys_log.copy()
    holes.loc[0, "concept:name"] = None
    holes.loc[1, "case:concept:name"] = None
    out = cj.variants(holes)
    assert out.dropped_rows == {"missing case:concept:name": 1, "missing concept:name": 1}
    assert out.table["cases"].sum() == holes["case:concept:name"].dropna().nunique()
    assert "2 rows of the log were left out (missing case:concept:name: 1, missing concept:name: 1)." in \
        out.show()._repr_html_()
    assert cj.process_map(holes).dropped_rows == out.dropped_rows
    assert cj.touchpoints(holes).dropped_rows == out.dropped_rows
    with pytest.raises(CxInputError, match="top_paths"):
        cj.process_map(journeys_log, top_paths=0)


def test_tiny_log_fixture_from_conftest(tiny_log):
    v = cj.variants(tiny_log).table
    assert v["cases"].tolist() == [1, 1, 1]
    assert cj.loops(tiny_log, reference=["a", "b", "c"]).table.set_index("touchpoint").loc["b", "skipped_cases"] == 1


# ---------------------------------------------------------------- equality with pm4py on real logs

REAL = {
    "helpdesk": (None, None),
    "bpic2013_closed": ("bpic2013_closed_problems/bpic2013_closed_problems.xes.gz",
                        ["concept:name", "lifecycle:transition"]),
    "receipt": ("receipt_wabo/receipt.xes.gz", None),
}


@pytest.fixture(scope="module", params=sorted(REAL))
def real_log(request):
    from cxlib import read_log

    relative, classifier = REAL[request.param]
    path = DATA / "helpdesk.xes.gz" if relative is None else shared(relative)
    kwargs = {"classifier": classifier} if classifier else {}
    return read_log(path, **kwargs)


def _pm4py():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pm4py
    return pm4py


def test_dfg_start_end_equal_pm4py(real_log):
    pm4py = _pm4py()
    dfg, start, end = pm4py.discover_dfg(real_log)
    edges = cj.process_map(real_log).edges
    trans = edges[edges["kind"] == "transition"]
    assert dict(zip(zip(trans["source"], trans["target"]), trans["transitions"].astype(int))) == dict(dfg)
    se = cj.start_end_touchpoints(real_log)
    assert {r.touchpoint: r.starts for r in se.itertuples() if r.starts} == dict(start)
    assert {r.touchpoint: r.ends for r in se.itertuples() if r.ends} == dict(end)


def test_performance_dfg_equals_pm4py(real_log):
    pm4py = _pm4py()
    perf, _, _ = pm4py.discover_performance_dfg(real_log)
    edges = cj.process_map(real_log).edges.query("kind == 'transition'").set_index(["source", "target"])
    assert set(edges.index) == set(perf)
    for edge, values in perf.items():
        assert edges.loc[edge, "mean_wait_h"] * 3600 == pytest.approx(values["mean"], rel=1e-9, abs=1e-6)
        assert edges.loc[edge, "median_wait_h"] * 3600 == pytest.approx(values["median"], rel=1e-9, abs=1e-6)
        assert edges.loc[edge, "max_wait_h"] * 3600 == pytest.approx(values["max"], rel=1e-9, abs=1e-6)


def test_variants_equal_pm4py(real_log):
    pm4py = _pm4py()
    expected = pm4py.get_variants(real_log)
    v = cj.variants(real_log).table
    assert dict(zip(v["activities"], v["cases"].astype(int))) == {k: int(n) for k, n in expected.items()}


def test_rework_equals_pm4py(real_log):
    pm4py = _pm4py()
    expected = pm4py.get_rework_cases_per_activity(real_log)
    lp = cj.loops(real_log).table
    assert {r.touchpoint: r.rework_cases for r in lp.itertuples() if r.rework_cases} == dict(expected)


# ---------------------------------------------------------------- ideal against actual journey

DESIGN = {"name": "toy", "stages": [
    {"name": "Start", "activities": ["a"]},
    {"name": "Work", "activities": ["b"], "target_hours": 1.5},
    {"name": "Check", "activities": ["c"], "optional": True},
    {"name": "Done", "activities": ["d"]},
]}


def test_design_conformance_by_hand(journeys_log):
    c = cj.design_conformance(journeys_log, DESIGN).set_index("case")
    # A a b c d: conforms; waits into Work 1h (target 1.5h)
    assert bool(c.loc["A", "conforms"]) and bool(c.loc["A", "on_time"])
    assert c.loc["A", "fitness"] == pytest.approx(1.0)
    # B a b b c d: Work repeated (not allowed); wait into Work 2h > 1.5h
    assert c.loc["B", "repeated_stages"] == "Work" and c.loc["B", "waits_over_target"] == "Work"
    assert not c.loc["B", "conforms"]
    # C a c b c: Work after Check (out of order), Check re-entered, Done skipped
    assert c.loc["C", "out_of_order_stages"] == "Work"
    assert c.loc["C", "repeated_stages"] == "Check" and c.loc["C", "skipped_stages"] == "Done"
    # E a d: Work skipped (Check is optional)
    assert c.loc["E", "skipped_stages"] == "Work" and c.loc["E", "fitness"] < 1
    assert c["conforms"].to_dict() == {"A": True, "B": False, "C": False, "D": True, "E": False}


def test_design_stages_by_hand(journeys_log):
    check = cj.design_stages(journeys_log, DESIGN)
    assert (check.design, check.cases_total, check.unknown_activities) == ("toy", 5, [])
    assert check.outside.empty and list(check.outside.columns) == ["touchpoint", "events", "cases"]
    s = check.table.set_index("stage")
    assert s["cases_reached"].to_dict() == {"Start": 5, "Work": 4, "Check": 4, "Done": 4}
    assert s.loc["Work", "skipped_cases"] == 1 and s.loc["Check", "skipped_cases"] == 0
    assert s.loc["Work", "out_of_order_cases"] == 1
    assert s.loc["Work", "over_target_cases"] == 1  # B waits 2h; A and D 1h; C's first b comes after c: 1h
    assert s.loc["Work", "over_target_rate"] == pytest.approx(1 / 4)
    assert pd.isna(s.loc["Check", "over_target_rate"])
    back = check.backward
    assert back.to_dict("records") == [{"from_stage": "Check", "to_stage": "Work", "moves": 1}]
    svg = cj.draw_design(check).pipe(format="svg").decode()
    assert "back 1" in svg and "Work" in svg
    assert "back 1" not in cj.draw_design(check.table).pipe(format="svg").decode()  # the table alone
    # a design touchpoint missing from the log, and log touchpoints outside the design
    partial = {"name": "partial", "stages": [{"name": "Start", "activities": ["a", "z"]},
                                             {"name": "Done", "activities": ["d"]}]}
    other = cj.design_stages(journeys_log, partial)
    assert other.unknown_activities == ["z"]
    assert dict(zip(other.outside["touchpoint"], other.outside["events"])) == {"b": 5, "c": 5}
    page = other.show()._repr_html_()
    assert "never occur in this log: z." in page and "Touchpoints outside the design" in page
    assert "not in design" in cj.draw_design(other).pipe(format="svg").decode()


def test_design_files_are_checked(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("name: x\nstages:\n  - {name: A, activities: [a]}\n  - {name: B, activities: [a]}\n")
    with pytest.raises(CxInputError, match="each touchpoint belongs to one stage"):
        cj.read_design(bad)
    bad.write_text("name: x\nstages:\n  - {name: A, activities: [a], target_hours: -1}\n")
    with pytest.raises(CxInputError, match="target_hours"):
        cj.read_design(bad)
    with pytest.raises(CxInputError, match="not found"):
        cj.read_design(tmp_path / "missing.yml")
    for name in ["helpdesk", "bpic2013_closed", "receipt"]:
        assert cj.read_design(DATA.parent / "notebooks" / "designs" / f"{name}.yml").stages


# ---------------------------------------------------------------- charts and the explorer


def test_charts_return_axes(journeys_log):
    import matplotlib

    matplotlib.use("Agg")
    ax = cj.plot_waiting_times(journeys_log, top=3)
    assert [t.get_text().split("  ")[0] for t in ax.get_yticklabels()] == ["b → c", "a → b", "c → d"]
    drops = cj.dropoffs(journeys_log, success_ends="d")
    for given in (drops, drops.table):
        ax = cj.plot_dropoff_funnel(given)
        assert len(ax.patches) == 8  # 4 touchpoints x (reached, dropped)
    s = cj.segments(journeys_log, by="case:channel", success_ends="d", min_cases=1)
    ax = cj.plot_segments(s, metrics=["dropoff_share"])
    heights = sorted(round(p.get_height(), 3) for p in ax.patches if p.get_height() > 0)
    assert heights == [0.5]
    assert ax.get_legend().get_title().get_text() == "case:channel"
    assert cj.plot_segments(s.table).get_legend().get_title().get_text() == "segment"
    with pytest.raises(CxInputError):
        cj.plot_dropoff_funnel(s)
    with pytest.raises(CxInputError):
        cj.plot_dropoff_funnel(s.table)


def test_filter_cases_and_explorer(journeys_log):
    sub = cj.filter_cases(journeys_log, segment_by="case:channel", segment="phone", touchpoint="b")
    assert set(sub["case:concept:name"]) == {"C"}
    assert set(cj.filter_cases(journeys_log, variant_rank=1)["case:concept:name"]) == {"A", "D"}
    w = cj.journey_explorer(journeys_log, segment_by="case:channel")
    assert type(w).__name__ == "VBox"
    variant_picker = w.children[1]
    variant_picker.value = 1  # runs the refresh: map and tables of the cases A and D
    assert variant_picker.description == "Variant"


# ---------------------------------------------------------------- documentation


def test_every_public_function_has_numpydoc_sections():
    import inspect

    for name in cj.__all__:
        obj = getattr(cj, name)
        if inspect.isclass(obj):
            continue
        doc = inspect.getdoc(obj) or ""
        for section in ("Parameters", "Returns", "Examples"):
            assert f"{section}\n---" in doc, f"{name}: no {section} section"
        params = [p for p in inspect.signature(obj).parameters.values() if p.kind == p.POSITIONAL_OR_KEYWORD]
        assert len(params) <= 2, f"{name}: options must be keyword-only"


@pytest.mark.slow
def test_docstring_examples_run_on_the_demo_log(monkeypatch):
    import doctest
    import importlib

    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.chdir(DATA.parent)  # the examples use paths relative to the repository root
    failures = 0
    for module in ["_map", "_variants", "_flow", "_hidden", "_segments", "_touchpoints", "_design", "_plots",
                   "_widgets"]:
        mod = importlib.import_module(f"cxlib.journeys.{module}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
        failures += result.failed
    assert failures == 0


# ---------------------------------------------------------------- the Ibis/DuckDB engine against plain Python


def test_ties_in_time_keep_the_log_order():
    # events of a case with the same timestamp keep their order in the log (as in pm4py), not an arbitrary one
    t0 = pd.Timestamp("2024-03-01", tz="UTC")
    rows = [("x", "a", t0), ("y", "c", t0), ("x", "b", t0), ("x", "c", t0), ("y", "a", t0),
            ("y", "b", t0 + pd.Timedelta(hours=1))]
    log = pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "time:timestamp"])
    trans = cj.process_map(log).edges.query("kind == 'transition'")
    edges = dict(zip(zip(trans["source"], trans["target"]), trans["transitions"]))
    assert edges == {("a", "b"): 2, ("b", "c"): 1, ("c", "a"): 1}
    assert cj.variants(log).table["variant"].tolist() == ["a → b → c", "c → a → b"]
    dfg, _, _ = _pm4py().discover_dfg(log)
    assert dict(dfg) == edges


def _random_log(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(60):
        n = int(rng.integers(1, 9))
        hours = np.sort(rng.integers(0, 200, size=n))  # repeated hours: ties in time
        for h in hours:
            res = rng.choice(["r1", "r2", "r3", None], p=[0.4, 0.3, 0.2, 0.1])
            rows.append((f"c{c}", str(rng.choice(list("abcde"), p=[0.3, 0.25, 0.2, 0.15, 0.1])),
                         pd.Timestamp("2024-01-01", tz="UTC") + pd.Timedelta(hours=int(h)), res,
                         str(rng.choice(["L1", "L2 2nd", "3rd"]))))
    return pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "time:timestamp", "org:resource",
                                       "org:group"])


def _traces(log: pd.DataFrame) -> dict:
    """Per case: its events in (timestamp, row) order, by plain Python (the reference for the engine)."""
    out = {}
    for pos, row in enumerate(log.itertuples(index=False)):
        out.setdefault(row[0], []).append((row[2], pos, row[1], row[3], row[4]))
    return {case: [(e[0], *e[2:]) for e in sorted(events, key=lambda e: (e[0], e[1]))]
            for case, events in out.items()}


@pytest.mark.parametrize("seed", [1, 2])
def test_engine_matches_plain_python_on_random_logs(seed):
    log = _random_log(seed)
    traces = _traces(log)  # case -> [(ts, act, resource, group)]
    from collections import Counter

    # directly-follows edges and cases per edge
    edges, edge_cases = Counter(), Counter()
    for evs in traces.values():
        pairs = [(a[1], b[1]) for a, b in itertools.pairwise(evs)]
        edges.update(pairs)
        edge_cases.update(set(pairs))
    trans = cj.process_map(log).edges.query("kind == 'transition'")
    assert dict(zip(zip(trans["source"], trans["target"]), trans["transitions"])) == dict(edges)
    assert dict(zip(zip(trans["source"], trans["target"]), trans["cases"])) == dict(edge_cases)
    # variants
    seqs = Counter(tuple(e[1] for e in evs) for evs in traces.values())
    v = cj.variants(log).table
    assert dict(zip(v["activities"], v["cases"])) == dict(seqs)
    # loops per touchpoint and per case, skips against a reference path
    ref = ["a", "b", "c", "d", "e"]
    lp = cj.loops(log, reference=ref).table.set_index("touchpoint")
    cl = cj.case_loops(log, reference=ref).set_index("case")
    for act in "abcde":
        rework = sum(1 for evs in traces.values() if [e[1] for e in evs].count(act) > 1)
        selfl = sum(1 for evs in traces.values() for x, y in itertools.pairwise(evs) if x[1] == y[1] == act)
        back = [case for case, evs in traces.items() for i, e in enumerate(evs)
                if e[1] == act and i > 0 and evs[i - 1][1] != act and act in [x[1] for x in evs[:i]]]
        skipped = 0
        for evs in traces.values():
            pos = [ref.index(e[1]) for e in evs]
            if act not in [e[1] for e in evs] and pos and min(pos) < ref.index(act) < max(pos):
                skipped += 1
        assert (lp.loc[act, "rework_cases"], lp.loc[act, "self_loops"], lp.loc[act, "back_jumps"],
                lp.loc[act, "back_jump_cases"], lp.loc[act, "skipped_cases"]) == (
            rework, selfl, len(back), len(set(back)), skipped), act
    for case, evs in traces.items():
        acts = [e[1] for e in evs]
        pos = sorted({ref.index(a) for a in acts})
        skipped = (pos[-1] - pos[0] + 1 - len(pos)) if pos else 0
        assert cl.loc[case, "repeat_events"] == len(acts) - len(set(acts))
        assert cl.loc[case, "self_loops"] == sum(x == y for x, y in itertools.pairwise(acts))
        assert cl.loc[case, "skipped"] == skipped
    # repeated contacts within 2 days
    rc = cj.repeat_contacts(log, window_days=2).set_index("touchpoint")
    for act in "abcde":
        gaps = []
        for evs in traces.values():
            times = [e[0] for e in evs if e[1] == act]
            gaps += [(b - a) / pd.Timedelta(hours=1) for a, b in itertools.pairwise(times)
                     if b - a <= pd.Timedelta(days=2)]
        assert rc.loc[act, "repeat_contacts"] == len(gaps)
        if gaps:
            assert rc.loc[act, "median_gap_h"] == pytest.approx(float(np.median(gaps)))
    # hand-offs and ping-pong, with missing resources
    expected = Counter()
    for evs in traces.values():
        res = [None if pd.isna(e[2]) else e[2] for e in evs]
        for i in range(1, len(res)):
            if res[i] is not None and res[i - 1] is not None and res[i] != res[i - 1]:
                pp = i >= 2 and res[i - 2] is not None and res[i - 2] != res[i - 1] and res[i - 2] == res[i]
                expected[(res[i - 1], res[i], "n")] += 1
                expected[(res[i - 1], res[i], "pp")] += pp
    h = cj.handoffs(log)
    got = Counter()
    for r in h.table.itertuples():
        got[(r.from_resource, r.to_resource, "n")] += r.handoffs
        got[(r.from_resource, r.to_resource, "pp")] += r.pingpongs
    assert +got == +expected
    # the full analysis (attributes carried in the enriched table) agrees with the single functions
    res = cj.analyze_journeys(log, escalation_column="org:group")
    pd.testing.assert_frame_equal(res["handoffs"].table, h.table)
    assert res["handoffs"].handoff_rate == h.handoff_rate
    esc_result = cj.escalations(log, column="org:group")
    pd.testing.assert_frame_equal(res["escalations"].table, esc_result.table)
    assert res["escalations"].matched_values == esc_result.matched_values
    # escalations: entering a 2nd/3rd level from a non-escalated event (or at the start)
    esc = esc_result.table.set_index("case")
    for case, evs in traces.items():
        levels = [("2nd" in e[3]) or ("3rd" in e[3]) for e in evs]
        entered = [m and (i == 0 or not levels[i - 1]) for i, m in enumerate(levels)]
        assert esc.loc[case, "escalations"] == sum(entered)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_enriched_table_from_arrays_equals_the_window_definition(seed):
    """The enriched table computed by array shifts (the fast path for pandas logs) is row for row the one the
    Ibis window functions define (the portable path): on a random log with shuffled rows, equal timestamps
    inside cases, repeated touchpoints and missing attribute values."""
    import ibis
    import pyarrow as pa

    from cxlib.journeys import _engine

    rng = np.random.default_rng(seed)
    n = 400
    case = rng.integers(0, 37, n).astype(np.int32)
    act = rng.integers(0, 5, n).astype(np.int32)
    ts = rng.integers(0, 30, n).astype(np.int64) * 3_600_000_000_000  # many ties
    pos = np.arange(n, dtype=np.int64)
    attr = rng.integers(0, 3, n).astype(np.int32)
    missing = rng.random(n) < 0.2
    codes = [pa.array(attr, mask=missing)]
    fast = _engine.enrich_arrays(case, act, ts, pos, codes)[0].to_pandas()
    base = ibis.memtable(pd.DataFrame({"pos": pos, "case": case, "act": act, "ts": ts,
                                       "a0": pd.array(np.where(missing, None, attr), dtype="Int32")}))
    slow = _engine.to_pandas(_engine.enrich(base, 1))
    fast = fast.sort_values("pos", ignore_index=True)
    slow = slow.sort_values("pos", ignore_index=True)[fast.columns]
    assert sorted(fast["case"].to_numpy()) == sorted(case)
    for col in fast.columns:
        pd.testing.assert_series_equal(fast[col].astype("Float64"), slow[col].astype("Float64"), check_names=False,
                                       obj=col)
    # an input already in case order takes the path without sorting, with the same result
    order = np.lexsort((ts, case))
    again = _engine.enrich_arrays(case[order], act[order], ts[order], pos[order], [codes[0].take(pa.array(order))])
    pd.testing.assert_frame_equal(again[0].to_pandas().sort_values("pos", ignore_index=True), fast)
    # the traces table: each case's activity codes in order, as the ordered list aggregation defines it
    fast_traces = _engine.enrich_arrays(case, act, ts, pos, codes)[1]
    slow_traces = _engine.to_pandas(_engine.traces(_engine.enrich(base, 1))).sort_values("case", ignore_index=True)
    fast_traces = fast_traces.to_pandas().sort_values("case", ignore_index=True)
    assert fast_traces["case"].tolist() == slow_traces["case"].tolist()
    assert [list(s) for s in fast_traces["seq"]] == [list(s) for s in slow_traces["seq"]]


def test_prepared_logs_release_their_data_in_duckdb(journeys_log):
    """The enriched tables are registered with DuckDB (scanned in place); a finished analysis leaves nothing
    behind in the connection, so repeated analyses of a large log do not pile up memory."""
    import gc

    from cxlib.journeys import _engine

    con = _engine.connect().con

    def held():
        views = con.execute("select view_name from duckdb_views() where not internal").fetchall()
        tables = con.execute("select table_name from duckdb_tables()").fetchall()
        return {name for (name,) in views + tables if name.startswith("cx_journeys_")}

    gc.collect()
    before = held()
    res = cj.analyze_journeys(journeys_log, escalation_column="org:group", segment_by="case:channel")
    cj.case_handoffs(journeys_log)
    cj.loops(journeys_log, reference=["a", "b", "c", "d"])
    assert len(res["variants"].table) == 4  # A and D follow the same path
    del res
    gc.collect()
    assert held() <= before


def test_bench_journeys_json(capsys):
    """``cx bench journeys`` runs both sides on the enlarged log and prints the figures the issue names."""
    import json

    from cxlib.cli import main

    assert main(["bench", "journeys", str(DATA / "helpdesk.xes.gz"), "--scale", "2", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["events"] == 2 * 21348 and figures["cases"] == 2 * 4580
    assert figures["cxlib_s"] > 0 and figures["pm4py_s"] > 0
    assert 0 < figures["cxlib_peak_mb"] <= figures["peak_mb"]
    assert {"process_map", "variants", "handoffs", "touchpoints"} <= set(figures["cxlib_tables"].split(","))
