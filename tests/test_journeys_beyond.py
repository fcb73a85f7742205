"""Beyond the anchors: customer journeys across cases and channels, waits in working hours, personas from
behaviour, and where segments' maps differ. Small logs whose answers are worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxlib.journeys as cj
from cxlib import CxInputError

from .conftest import DATA, make_log

ROME = {"timezone": "Europe/Rome", "days": "Mon-Fri", "hours": "09:00-18:00", "country": "IT"}


def _rome(*stamps) -> list[str]:
    """Local Rome wall-clock times as UTC ISO strings (for make_log)."""
    return [pd.Timestamp(s).tz_localize("Europe/Rome").tz_convert("UTC").isoformat() for s in stamps]


# ---------------------------------------------------------------------------------------------------------------
# working hours


@pytest.fixture
def holiday_log() -> pd.DataFrame:
    """One ticket over Christmas and a weekend, one over Easter and the spring clock change (Rome, 09-18).

    t1: Tue 24 Dec 2013 17:00 -> Fri 27 Dec 10:00 -> Mon 30 Dec 09:30.
      first wait: Tue 17-18 (1 h) + Wed 25 Christmas, Thu 26 St Stephen (closed) + Fri 9-10 (1 h) = 2 h of 65 h.
      second wait: Fri 10-18 (8 h) + Sat, Sun + Mon 9-9:30 (0.5 h) = 8.5 h of 71.5 h.
    t2: Fri 29 Mar 2013 17:00 CET -> Tue 2 Apr 10:00 CEST: Fri 1 h + Sat, Sun, Easter Monday + Tue 1 h = 2 h;
      in calendar time 88 h (89 h on the wall clock less the hour the clocks went forward).
    """
    a, b, c = _rome("2013-12-24 17:00", "2013-12-27 10:00", "2013-12-30 09:30")
    d, e = _rome("2013-03-29 17:00", "2013-04-02 10:00")
    return make_log([("t1", "open", a), ("t1", "answer", b), ("t1", "close", c),
                     ("t2", "open", d), ("t2", "answer", e)])


def test_wait_across_a_weekend_and_public_holidays(holiday_log):
    w = cj.waiting_times(holiday_log, calendar=ROME)
    assert w["wait_h"].tolist() == pytest.approx([65.0, 71.5, 88.0])
    assert w["working_h"].tolist() == pytest.approx([2.0, 8.5, 2.0])
    assert "working_h" not in cj.waiting_times(holiday_log).columns  # no calendar, no column

    tp = cj.throughput(holiday_log, calendar=ROME).set_index("case")
    assert tp.loc["t1", "working_throughput_h"] == pytest.approx(10.5)
    assert tp.loc["t2", "working_throughput_h"] == pytest.approx(2.0)


def test_working_waits_everywhere_waits_are_reported(holiday_log):
    pm = cj.process_map(holiday_log, calendar=ROME)
    edge = pm.edges.set_index(["source", "target"]).loc[("open", "answer")]
    assert edge["median_wait_h"] == pytest.approx(76.5)  # median of 65 and 88
    assert edge["median_working_h"] == pytest.approx(2.0)
    assert edge["p90_working_h"] == pytest.approx(2.0)
    assert "closed working day" in pm.working_note and "IT" in pm.working_note
    assert "wh" in cj.draw_process_map(pm).source

    tp = cj.touchpoints(holiday_log, calendar=ROME).table.set_index("touchpoint")
    assert tp.loc["answer", "median_working_wait_before_h"] == pytest.approx(2.0)
    assert tp.loc["answer", "median_working_wait_after_h"] == pytest.approx(8.5)
    assert tp.loc["close", "median_working_wait_before_h"] == pytest.approx(8.5)

    design = {"name": "ticket", "stages": [{"name": "Open", "activities": ["open"]},
                                           {"name": "Answer", "activities": ["answer"], "target_hours": 4},
                                           {"name": "Close", "activities": ["close"], "optional": True}]}
    st = cj.design_stages(holiday_log, design, calendar=ROME).table.set_index("stage")
    assert st.loc["Answer", "median_wait_in_h"] == pytest.approx(76.5)
    assert st.loc["Answer", "median_working_wait_in_h"] == pytest.approx(2.0)
    assert st.loc["Answer", "over_target_rate"] == 1.0  # 65 h and 88 h are over 4 h of calendar time
    assert st.loc["Answer", "over_target_working_rate"] == 0.0  # 2 h of working time each are not

    ax = cj.plot_waiting_times(holiday_log, calendar=ROME)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["calendar time", "working time"]


def test_working_time_is_shown_in_hours_not_in_days_of_24_hours():
    from cxlib.display import show

    # 170 working hours are about 21 working days of 8 h; in "days" of 24 h they would read 7.1
    html = show(pd.DataFrame({"median_wait_h": [720.0, 600.0], "median_working_h": [170.0, 140.0]}))._repr_html_()
    assert "Median wait (days)" in html and "30.0" in html
    assert "Median working time (hours)" in html and "170.0" in html and "working time (days)" not in html


def test_working_hours_of_pairs_regions_and_time_zones():
    start = pd.Series(pd.to_datetime(_rome("2012-12-06 17:00"), utc=True))
    end = pd.Series(pd.to_datetime(_rome("2012-12-10 10:00"), utc=True))
    # Friday 7 December is Sant'Ambrogio, a holiday in the province of Milan only
    assert cj.working_hours(start, end, calendar=ROME).tolist() == pytest.approx([11.0])
    assert cj.working_hours(start, end, calendar={**ROME, "subdivision": "MI"}).tolist() == pytest.approx([2.0])
    assert cj.working_hours(start, end, calendar={**ROME, "closed_dates": ["2012-12-07"]}).tolist() == [2.0]
    # working hours that cross midnight in UTC: Los Angeles, Friday 17:00 to Monday 10:00 local = 2 h
    la = cj.working_calendar(timezone="America/Los_Angeles", hours="09:00-18:00")
    fri = pd.Series([pd.Timestamp("2013-12-20 17:00", tz="America/Los_Angeles")])
    monday = pd.Series([pd.Timestamp("2013-12-23 10:00", tz="America/Los_Angeles")])
    assert cj.working_hours(fri, monday, calendar=la).tolist() == pytest.approx([2.0])
    # two intervals a day, a lunch break: 11:00 -> 15:00 = 11-12:30 + 13:30-15 = 3 h
    split = cj.working_calendar(hours="08:30-12:30, 13:30-17:30")
    a = pd.Series([pd.Timestamp("2024-03-05 11:00", tz="UTC"), pd.NaT])
    b = pd.Series([pd.Timestamp("2024-03-05 15:00", tz="UTC"), pd.Timestamp("2024-03-05 15:00", tz="UTC")])
    out = cj.working_hours(a, b, calendar=split)
    assert out.iloc[0] == pytest.approx(3.0) and np.isnan(out.iloc[1])


def test_calendar_input_is_checked():
    with pytest.raises(CxInputError, match="time zone"):
        cj.working_calendar(timezone="Europe/Roma")
    with pytest.raises(CxInputError, match="ends before it starts"):
        cj.working_calendar(hours="18:00-09:00")
    with pytest.raises(CxInputError, match="not a weekday"):
        cj.working_calendar(days="Mon-Fry")
    with pytest.raises(CxInputError, match="overlap"):
        cj.working_calendar(hours="09:00-13:00, 12:00-18:00")
    with pytest.raises(CxInputError, match="country"):
        cj.working_calendar(country="XX")
    with pytest.raises(CxInputError, match="subdivision"):
        cj.working_calendar(country="IT", subdivision="ZZ")
    with pytest.raises(CxInputError, match="unknown key"):
        cj.waiting_times(make_log([("c", "a", "2024-01-01")]), calendar={"timezone": "UTC", "hour": "9-17"})
    assert cj.working_calendar(days="Mon,Wed,Fri").describe().startswith("Mon,Wed,Fri 09:00-17:00")


# ---------------------------------------------------------------------------------------------------------------
# customer journeys


@pytest.fixture
def customer_log() -> pd.DataFrame:
    """Customer A: k1 ends 1 Jan 12:00; k2 starts exactly 7 days later (a re-contact at the window's edge) and
    ends 8 Jan 13:00; k3 starts 7 days and one second after that (not a re-contact). Customer B: b1 (2 Feb) and
    b2, opened while b1 is still open (parallel). Customer C: c1 ends on the log's last day (censored).
    The log ends 20 Feb 12:00."""
    rows = [
        ("k1", "call", "2024-01-01 10:00", "A"), ("k1", "solve", "2024-01-01 12:00", "A"),
        ("k2", "call", "2024-01-08 12:00", "A"), ("k2", "solve", "2024-01-08 13:00", "A"),
        ("k3", "call", "2024-01-15 13:00:01", "A"), ("k3", "solve", "2024-01-15 14:00", "A"),
        ("b1", "call", "2024-02-02 09:00", "B"), ("b1", "solve", "2024-02-05 09:00", "B"),
        ("b2", "mail", "2024-02-03 09:00", "B"), ("b2", "solve", "2024-02-03 10:00", "B"),
        ("c1", "call", "2024-02-18 09:00", "C"), ("c1", "solve", "2024-02-20 12:00", "C"),
    ]
    log = pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "time:timestamp", "customer"])
    log["time:timestamp"] = pd.to_datetime(log["time:timestamp"], utc=True, format="ISO8601")
    return log


def test_recontacts_at_the_window_edges(customer_log):
    cjn = cj.customer_journeys(customer_log, customer_key="customer", window_days=7)
    cases = cjn.cases.set_index("case")
    assert cases["gap_h"].round(6).to_dict() == pytest.approx(
        {"k1": np.nan, "k2": 168.0, "k3": 168.0 + 1 / 3600, "b1": np.nan, "b2": -48.0, "c1": np.nan},
        nan_ok=True)
    assert cases["recontact"].to_dict() == {"k1": False, "k2": True, "k3": False, "b1": False, "b2": False,
                                            "c1": False}
    assert cases["parallel"].to_dict()["b2"] and cases["parallel"].sum() == 1
    assert cases["recontacted"].to_dict() == {"k1": True, "k2": False, "k3": False, "b1": False, "b2": False,
                                              "c1": False}
    # ended less than 7 days before the log's end without a re-contact: k3 no (36 days), c1 yes (0 days)
    assert cases.loc[cases["censored"]].index.tolist() == ["c1"]
    assert cases["episode"].to_dict() == {"k1": 1, "k2": 1, "k3": 2, "b1": 1, "b2": 2, "c1": 1}
    # episodes judged: A's two, B's two (c1 censored); resolved at first contact: k3, b1, b2 -> 3 of 4
    assert cjn.episodes_judged == 4 and cjn.fcr_rate == pytest.approx(0.75)
    assert cjn.recontact_rate == pytest.approx(1 / 6) and cjn.parallel_rate == pytest.approx(1 / 6)
    assert cjn.cases_censored == 1 and cjn.customers_total == 3
    # one second wider window: k3 becomes a re-contact too
    wider = cj.customer_journeys(customer_log, customer_key="customer", window_days=7 + 2 / 86400)
    assert wider.cases.set_index("case")["recontact"].sum() == 2
    per_tp = cjn.recontacts.set_index("touchpoint")
    assert per_tp.loc["call", "cases"] == 4 and per_tp.loc["call", "recontacted"] == 1  # k1, k2, k3, b1
    assert per_tp.loc["call", "median_gap_h"] == pytest.approx(168.0)
    variants = cjn.variants.set_index("variant")
    assert variants.loc["call → solve ⟹ call → solve", "episodes"] == 1
    assert int(variants["episodes"].sum()) == 5


def test_censoring_at_the_window_edge_before_the_log_end(customer_log):
    """The log ends 20 Feb 12:00 (c1's last event); with a 7-day window a case without a re-contact is judged
    when it ended at most 7 days before, i.e. at or before 13 Feb 12:00. Customer D's d1 ends exactly then:
    judged (and resolved at first contact). Customer E's e1 ends one second later: censored, not judged."""
    extra = pd.DataFrame([("d1", "call", "2024-02-12 09:00", "D"), ("d1", "solve", "2024-02-13 12:00", "D"),
                          ("e1", "call", "2024-02-12 10:00", "E"), ("e1", "solve", "2024-02-13 12:00:01", "E")],
                         columns=customer_log.columns)
    extra["time:timestamp"] = pd.to_datetime(extra["time:timestamp"], utc=True, format="ISO8601")
    log = pd.concat([customer_log, extra], ignore_index=True)
    cjn = cj.customer_journeys(log, customer_key="customer", window_days=7)
    censored = cjn.cases.set_index("case")["censored"]
    assert censored[censored].index.tolist() == ["c1", "e1"]
    # judged episodes: A's k1 (re-contacted by k2) and k3, B's b1 and b2, D's d1 = 5; resolved: k3, b1, b2, d1 = 4
    assert cjn.episodes_judged == 5 and cjn.fcr_rate == pytest.approx(4 / 5) and cjn.cases_censored == 2
    # the touchpoint table counts judged cases only: "call" was passed by k1, k2, k3, b1, d1 (not c1, e1)
    assert cjn.recontacts.set_index("touchpoint").loc["call", "cases"] == 5


def test_ended_at_moves_the_end_of_a_case(customer_log):
    log = customer_log.copy()
    late = pd.DataFrame({"case:concept:name": ["k1"], "concept:name": ["closed"], "customer": ["A"],
                         "time:timestamp": pd.to_datetime(["2024-01-10 00:00"], utc=True)})
    log = pd.concat([log, late], ignore_index=True)
    plain = cj.customer_journeys(log, customer_key="customer").cases.set_index("case")
    assert plain.loc["k2", "parallel"] and not plain.loc["k2", "recontact"]  # k1 closes after k2 started
    solved = cj.customer_journeys(log, customer_key="customer", ended_at="solve").cases.set_index("case")
    assert solved.loc["k2", "recontact"] and solved.loc["k2", "gap_h"] == pytest.approx(168.0)
    with pytest.raises(CxInputError, match="not in the log"):
        cj.customer_journeys(log, customer_key="customer", ended_at="nope")


def test_stitching_two_channel_logs():
    web = pd.DataFrame({
        "case:concept:name": ["1", "1", "2"], "concept:name": ["form", "error", "form"],
        "customer": ["A", "A", "B"],
        "time:timestamp": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 10:05", "2024-01-05 10:00"], utc=True)})
    phone = pd.DataFrame({
        "case:concept:name": ["1", "1", "2"], "concept:name": ["call", "solved", "call"],
        "customer": ["A", "A", "B"], "agent": ["x", "x", "y"],
        "time:timestamp": pd.to_datetime(["2024-01-03 09:00", "2024-01-03 09:10", "2024-03-01 09:00"], utc=True)})
    log = cj.stitch_logs({"web": web, "phone": phone}, customer_key="customer")
    assert log["case:concept:name"].tolist() == ["web:1", "web:1", "phone:1", "phone:1", "web:2", "phone:2"]
    assert log["channel"].tolist() == ["web", "web", "phone", "phone", "web", "phone"]
    assert log["agent"].isna().sum() == 3  # the column of one log, empty for the other's rows
    cjn = cj.customer_journeys(log, customer_key="customer", channel_key="channel", window_days=7)
    cases = cjn.cases.set_index("case")
    # A: web:1 ends 1 Jan 10:05, phone:1 starts 3 Jan 09:00 (46.9 h later): a re-contact in another channel
    assert cases.loc["phone:1", "recontact"] and cases.loc["phone:1", "channel_switch"]
    assert cases.loc["phone:1", "gap_h"] == pytest.approx(46 + 55 / 60)
    # B: phone:2 comes 56 days after web:2: a switch, not a re-contact
    assert not cases.loc["phone:2", "recontact"] and cases.loc["phone:2", "channel_switch"]
    sw = cjn.switches.set_index(["from_channel", "to_channel"])
    assert sw.loc[("web", "phone"), "switches"] == 2 and sw.loc[("web", "phone"), "within_window"] == 1
    channels = cjn.channels.set_index("channel")
    # web starts two judged episodes, one resolved at first contact (B's)
    assert channels.loc["web", "episodes"] == 2 and channels.loc["web", "fcr_rate"] == pytest.approx(0.5)
    assert channels.loc["phone", "recontacts"] == 1
    per_tp = cjn.recontacts.set_index(["channel", "touchpoint"])
    assert per_tp.loc[("web", "error"), "switched"] == 1
    assert cjn.variants.set_index("variant").loc["web ⟹ phone", "episodes"] == 1
    html = cjn.show()._repr_html_()
    assert "Channel switches" in html and "web ⟹ phone" in html


def test_stitching_checks_each_log():
    web = pd.DataFrame({"case:concept:name": ["1"], "concept:name": ["form"],
                        "time:timestamp": pd.to_datetime(["2024-01-01"], utc=True)})
    with pytest.raises(CxInputError, match="channel 'web' has no column 'customer'"):
        cj.stitch_logs({"web": web})
    with pytest.raises(CxInputError, match="at least one log"):
        cj.stitch_logs({})


def test_customer_journeys_on_the_helpdesk_log():
    import cxlib

    log = cxlib.read_log(DATA / "helpdesk.xes.gz")
    cjn = cj.customer_journeys(log, customer_key="customer", ended_at="Resolve ticket")
    assert cjn.cases_total == 4580 and cjn.customers_total == 394  # 397 customers, 3 only after a case's first event
    assert cjn.cases_with_several_customers == 7
    assert int(cjn.customers["cases"].sum()) == 4580
    assert cjn.channel_key is None and "channel" not in cjn.show()._repr_html_().split("Cases followed")[1][:400]


# ---------------------------------------------------------------------------------------------------------------
# personas


def _planted_log(n_per_group: int = 40, seed: int = 7) -> tuple[pd.DataFrame, dict]:
    """Two planted groups, with noise in their waits and agents (none in their paths).

    "quick": register -> answer -> close, waits log-normal around 30 minutes (sigma 1), one or two agents.
    "stuck": register -> escalate -> wait -> escalate -> wait -> close, waits log-normal around a day (sigma 1),
    one to four agents. The waits of the two groups overlap in their tails."""
    rng = np.random.default_rng(seed)
    rows, truth = [], {}
    t0 = pd.Timestamp("2024-01-01", tz="UTC")
    for group, prefix in ((0, "q"), (1, "s")):
        for i in range(n_per_group):
            case = f"{prefix}{i}"
            truth[case] = group
            if group == 0:
                steps = ["register", "answer", "close"]
                waits = rng.lognormal(np.log(0.5), 1.0, len(steps))
                agents = [f"r{int(a)}" for a in rng.integers(1, 3, len(steps))]
            else:
                steps = ["register", "escalate", "wait", "escalate", "wait", "close"]
                waits = rng.lognormal(np.log(24), 1.0, len(steps))
                agents = [f"r{int(a)}" for a in rng.integers(1, 5, len(steps))]
            at = t0 + pd.Timedelta(hours=float(rng.uniform(0, 24 * 60)))
            for step, wait, agent in zip(steps, waits, agents):
                rows.append((case, step, at, agent))
                at = at + pd.Timedelta(hours=float(wait))
    log = pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "time:timestamp", "org:resource"])
    return log, truth


def test_planted_personas_are_recovered_and_stable():
    from sklearn.metrics import adjusted_rand_score

    log, truth = _planted_log()
    found = []
    for seed in (0, 1, 2):  # the number of groups is chosen (2 to 4) by the stated criterion each time
        p = cj.personas(log, max_groups=4, seed=seed, seeds=3)
        labels = p.labels.set_index("case:concept:name")["persona"]
        assert adjusted_rand_score([truth[c] for c in labels.index], labels.to_numpy()) >= 0.9
        found.append(labels)
    # the same groups whatever the seed
    assert adjusted_rand_score(found[0], found[1]) == 1.0 and adjusted_rand_score(found[0], found[2]) == 1.0
    assert p.groups == 2 and p.stability >= 0.8
    assert p.selection["chosen"].sum() == 1 and "silhouette" in p.criterion
    table = p.table.set_index("persona")
    stuck = [name for name in table.index if "escalate" in table.loc[name, "typical_path"]]
    assert len(stuck) == 1 and table.loc[stuck[0], "units"] == 40
    assert table.loc[stuck[0], "typical_path"] == "register → escalate → wait → escalate → wait → close"
    assert table.loc[stuck[0], "typical_path_share"] == 1.0 and table.loc[stuck[0], "repeat_share"] == 1.0
    assert "vs" in table.loc[stuck[0], "distinctive"] and "40 cases (50%)" in table.loc[stuck[0], "description"]


def test_personas_are_a_segment_and_take_feedback():
    log, truth = _planted_log()
    feedback = pd.DataFrame({"case_id": list(truth), "score": [9 if v == 0 else 3 for v in truth.values()],
                             "topic": ["speed" if v == 0 else "waiting" for v in truth.values()]})
    p = cj.personas(log, groups=2, feedback=feedback, seeds=2)
    assert any(f.startswith("feedback:topic") for f in p.features) and "feedback:score" in p.features
    scores = p.table.set_index("typical_path")["mean_score"]
    assert scores["register → escalate → wait → escalate → wait → close"] == 3.0
    labelled = p.assign(log)
    assert labelled["persona"].notna().all()
    seg = cj.segments(labelled, by="persona")
    assert sorted(seg.table["segment"]) == sorted(p.table["persona"])
    assert seg.table.set_index("segment")["rework_share"].max() == 1.0  # the stuck persona repeats
    d = cj.segment_differences(labelled, by="persona", min_cases=5)
    assert d.significant > 0
    with pytest.raises(CxInputError, match="customer_key"):
        cj.personas(log, unit="customer")


def test_personas_of_customers(customer_log):
    p = cj.personas(customer_log, unit="customer", customer_key="customer", groups=2, seeds=2)
    assert p.unit == "customer" and sorted(p.labels["customer"]) == ["A", "B", "C"]
    assert "measure:cases" in p.features and "recontact_rate" in p.table.columns
    assert p.assign(customer_log)["persona"].notna().all()


# ---------------------------------------------------------------------------------------------------------------
# segment differences


@pytest.fixture
def channel_log() -> pd.DataFrame:
    """200 web and 200 desk cases. Planted: 60 web cases (30 %) and 10 desk cases (5 %) go through "check"
    between "apply" and "decide"; the others go straight from "apply" to "decide". Not planted: 100 cases of each
    channel (50 %) end with "notify" after "decide", so "decide -> notify" has the same share in both."""
    rows = []
    t0 = pd.Timestamp("2024-01-01", tz="UTC")
    for channel, checked in (("web", 60), ("desk", 10)):
        for i in range(200):
            case = f"{channel}{i}"
            steps = ["apply", "check", "decide"] if i < checked else ["apply", "decide"]
            if i % 2 == 0:
                steps.append("notify")
            for j, step in enumerate(steps):
                rows.append((case, step, t0 + pd.Timedelta(hours=j * (1 + i % 3)), channel))
    return pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "time:timestamp", "case:channel"])


def test_planted_path_difference_is_found_and_a_non_difference_is_not(channel_log):
    from scipy import stats

    d = cj.segment_differences(channel_log, by="case:channel", fdr=0.05)
    assert d.segments == ["web", "desk"] or d.segments == ["desk", "web"]
    t = d.table.set_index(["kind", "item", "measure"])
    planted = t.loc[("transition", "apply → check", "share")]
    assert planted["web"] == pytest.approx(0.30) and planted["desk"] == pytest.approx(0.05)
    assert planted["higher_in"] == "web" and planted["significant"]
    expected_p = stats.chi2_contingency(np.array([[60, 140], [10, 190]])).pvalue
    assert planted["p_value"] == pytest.approx(expected_p)
    assert t.loc[("touchpoint", "check", "share"), "significant"]
    same = t.loc[("transition", "decide → notify", "share")]
    assert same["web"] == same["desk"] == 0.5 and same["p_value"] == pytest.approx(1.0)
    assert not same["significant"] and not t.loc[("touchpoint", "notify", "share"), "significant"]
    # the waits were planted equal in both channels (the same hours by case number): none is flagged
    assert not t.xs("median wait (h)", level="measure")["significant"].any()
    # Benjamini-Hochberg by hand: q_(i) = min over j >= i of p_(j) * m / j
    p = d.table["p_value"].dropna().sort_values().to_numpy()
    m = len(p)
    q = np.minimum.accumulate((p * m / np.arange(1, m + 1))[::-1])[::-1].clip(max=1)
    assert np.allclose(np.sort(d.table["q_value"].dropna().to_numpy()), q)
    assert d.tests_run == m and d.significant == int((q <= 0.05).sum())
    svg = cj.draw_difference_map(d).pipe(format="svg").decode()
    assert "+25 pts" in svg or "-25 pts" in svg
    assert "#2166ac" in svg and "#c8c8c8" in svg  # blue for the planted path, grey for the rest


def test_segment_differences_checks_its_input(channel_log):
    with pytest.raises(CxInputError, match="fewer than two segments"):
        cj.segment_differences(channel_log, by="case:channel", min_cases=300)
    with pytest.raises(CxInputError, match="not values of"):
        cj.segment_differences(channel_log, by="case:channel", segments=["web", "post"])
    three = channel_log.assign(**{"case:channel": np.where(channel_log["case:concept:name"].str.endswith("7"),
                                                           "post", channel_log["case:channel"])})
    d = cj.segment_differences(three, by="case:channel", min_cases=5)
    assert len(d.segments) == 3
    with pytest.raises(CxInputError, match="two segments"):
        cj.draw_difference_map(d)


def test_feedback_linked_to_the_customer_journey_by_customer_id(customer_log):
    from cxlib.owners import per_customer_table

    log = customer_log.assign(customer=customer_log["customer"].map({"A": "ann@example.com", "B": "B", "C": "C"}))
    feedback = pd.DataFrame({"cid": [" ann@example.com", "ann@example.com", "B", "Z"], "score": [3, "n/a", 9, 5],
                             "text": ["called twice", "again", "fine", "no journey"]})
    t = per_customer_table(feedback, log, customer_id="cid", customer_key="customer", window_days=7)
    rows = t.per_customer.set_index("customer_id")
    assert rows.index.tolist() == ["ann@example.com", "B"]  # C has no feedback, Z no journey
    assert rows.loc["ann@example.com", "cases"] == 3 and rows.loc["ann@example.com", "recontacts"] == 1
    # A's episodes: k1 + k2 (re-contacted), k3 (resolved) -> 1 of 2; B: b1, b2 both resolved
    assert rows.loc["ann@example.com", "fcr_rate"] == 0.5 and rows.loc["B", "fcr_rate"] == 1.0
    assert rows.loc["ann@example.com", "score"] == 3.0 and t.invalid_scores == 1
    assert rows.loc["ann@example.com", "text"] == "called twice | again"
    assert (t.feedback_rows, t.feedback_linked) == (4, 3)
    html = t.show()._repr_html_()
    assert "ann@example.com" not in html and "[EMAIL]" in html
