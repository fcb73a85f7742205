"""What changed since the previous period (cxlib.owners.what_changed and its parts): Benjamini-Hochberg worked by
hand, a change flagged and a stable one not at the stated false-discovery rate, topic identity across periods."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cxlib import owners as co
from cxlib.feedback import track_topics
from cxlib.scores import adjust_p_values

from .conftest import DATA, ROOT, make_log

MODEL = """
project: Hand-made
touchpoints:
  - name: Flight
    owner: Flight operations
    activities: [Call]
    labels: [flight]
    measures: [{measure: sentiment_index, target: 0}]
  - name: Done
    owner: Back office
    activities: [Done]
    labels: [done]
    measures: [{measure: sentiment_index, target: 0}]
"""


def _model(tmp_path):
    path = tmp_path / "model.yml"
    path.write_text(MODEL, encoding="utf-8")
    return co.read_touchpoint_model(path)


def _two_sided_p(k0, n0, k1, n1):
    """The pooled two-proportion z-test, written out for the hand-worked expectations."""
    pooled = (k0 + k1) / (n0 + n1)
    z = abs(k1 / n1 - k0 / n0) / math.sqrt(pooled * (1 - pooled) * (1 / n0 + 1 / n1))
    return math.erfc(z / math.sqrt(2))


def test_benjamini_hochberg_by_hand():
    # sorted: 0.01, 0.03, 0.04, 0.20 (m = 4) -> 0.04, 0.06, 0.0533, 0.20 -> monotone from the top:
    # 0.04, 0.0533, 0.0533, 0.20, given back in the input order
    q = adjust_p_values([0.01, 0.04, 0.03, 0.20])
    assert q == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.20])
    q = adjust_p_values([0.01, np.nan, 0.04])  # an untested line does not count in m
    assert q[0] == pytest.approx(0.02) and np.isnan(q[1]) and q[2] == pytest.approx(0.04)


def test_a_topic_change_is_flagged_and_a_stable_one_is_not(tmp_path):
    """Previous day: 100 complaints at Flight, 10 about delays, 20 about staff, none about wifi; current day: 100,
    with 40 delays, 21 staff and 8 wifi. By hand (pooled z-test): delay z = 0.3 / sqrt(0.25 x 0.75 x 0.02) =
    4.90, p = 9.6e-7; wifi z = 0.08 / sqrt(0.04 x 0.96 x 0.02) = 2.89, p = 0.0039; staff z = 0.01 /
    sqrt(0.205 x 0.795 x 0.02) = 0.18, p = 0.86. Benjamini-Hochberg (m = 3): q = 2.9e-6, 0.0059, 0.86: at a
    false-discovery rate of 5 % delays grew, wifi is new, staff did not change."""
    rows = []
    for day, counts in (("2024-03-01", {"delay": 10, "staff": 20, "wifi": 0}),
                        ("2024-03-02", {"delay": 40, "staff": 21, "wifi": 8})):
        for topic, k in counts.items():
            rows += [{"date": day, "topic": topic}] * k
        rows += [{"date": day, "topic": "other"}] * (100 - sum(counts.values()))
    linked = pd.DataFrame(rows).assign(touchpoint="Flight")
    lines = co.topic_shifts(linked, topic="topic", date="date", period="D")
    lines = lines[lines["item"] != "other"]
    result = co.what_changed(topics=lines, model=_model(tmp_path), fdr=0.05)
    by_topic = result.lines.set_index("item")
    expected_p = {"delay": _two_sided_p(10, 100, 40, 100), "wifi": _two_sided_p(0, 100, 8, 100),
                  "staff": _two_sided_p(20, 100, 21, 100)}
    assert expected_p["delay"] == pytest.approx(9.6e-7, rel=0.05)
    assert expected_p["wifi"] == pytest.approx(0.0039, rel=0.05)
    assert expected_p["staff"] == pytest.approx(0.86, abs=0.01)
    for topic, p in expected_p.items():
        assert by_topic.loc[topic, "p_value"] == pytest.approx(p, rel=1e-6)
    assert by_topic.loc["delay", "q_value"] == pytest.approx(3 * expected_p["delay"], rel=1e-6)
    assert by_topic.loc["wifi", "q_value"] == pytest.approx(1.5 * expected_p["wifi"], rel=1e-6)
    assert by_topic["verdict"].to_dict() == {"delay": "grew", "wifi": "new", "staff": "no clear change"}
    assert by_topic["flagged"].to_dict() == {"delay": True, "wifi": True, "staff": False}
    assert set(by_topic["owner"]) == {"Flight operations"}
    assert by_topic.loc["wifi", "sentence"].startswith("Topic 'wifi' at Flight is new: 0 of 100 documents")
    assert result.tests == 3 and result.previous == "2024-03-01" and result.current == "2024-03-02"
    # at a false-discovery rate of 0.1 % only the delays stay flagged
    strict = co.what_changed(topics=lines, fdr=0.001).lines.set_index("item")
    assert strict["flagged"].to_dict() == {"delay": True, "wifi": False, "staff": False}


def test_journey_drop_off_change_is_flagged_with_its_owner(tmp_path):
    """20 cases start in 2024Q1 and all end at Done; 20 start in 2024Q2 and 15 of them end at Call (drop-off).
    By hand: 0/20 against 15/20, pooled z = 0.75 / sqrt(0.375 x 0.625 x 0.1) = 4.90."""
    rows = []
    for i in range(20):
        rows += [(f"a{i}", "Call", "2024-02-01 10:00"), (f"a{i}", "Done", "2024-02-03 10:00")]
    for i in range(20):
        rows.append((f"b{i}", "Call", "2024-05-01 10:00"))
        if i >= 15:
            rows.append((f"b{i}", "Done", "2024-05-03 10:00"))
    lines = co.journey_changes(make_log(rows), _model(tmp_path), period="Q", success_ends=["Done"])
    drop = lines.set_index(["touchpoint", "item"]).loc[("Flight", "dropoff_rate")]
    assert (drop["value_previous"], drop["value_current"]) == (0.0, 75.0)
    assert drop["p_value"] == pytest.approx(_two_sided_p(0, 20, 15, 20), rel=1e-6)
    assert ("Done", "dropoff_rate") not in lines.set_index(["touchpoint", "item"]).index  # a successful end
    result = co.what_changed(journey=lines)
    flagged = result.flagged
    assert flagged[["touchpoint", "owner", "item", "verdict"]].values.tolist() == [
        ["Flight", "Flight operations", "dropoff_rate", "worse"]]
    assert "Drop-off rate at Flight rose from 2024Q1 to 2024Q2, 0.0% -> 75.0%: worse" in flagged["sentence"].item()


def test_topic_identity_is_kept_and_a_new_topic_found():
    """Previous period: texts about lost bags and about delays; current period: delays again and a new theme,
    broken wifi. The delay topic keeps its (previous) identity, wifi is new, bags are gone."""
    bags = [f"my bag was lost at the airport, bag claim {i}" for i in range(12)]
    delay = [f"the flight was delayed for hours, delay again {i}" for i in range(12)]
    wifi = [f"the wifi on board was broken, no wifi {i}" for i in range(12)]
    texts = pd.DataFrame({"text": bags + delay + delay + wifi,
                          "period": ["2024-01"] * 24 + ["2024-02"] * 24})
    tracked = track_topics(texts, text="text", period="period", n_topics=2, embedding_model="tfidf",
                           min_similarity=0.5)
    status = dict(zip(tracked.topics["status"], tracked.topics["topic"]))
    assert sorted(tracked.topics["status"]) == ["gone", "new", "same"]
    docs = tracked.documents

    def texts_of(status_name):
        return set(docs.loc[docs["topic"] == status[status_name], "text"].str.split(",").str[0])

    assert texts_of("same") == {"the flight was delayed for hours"}
    assert texts_of("new") == {"the wifi on board was broken"}
    assert texts_of("gone") == {"my bag was lost at the airport"}
    same = docs[docs["topic"] == status["same"]]
    assert same.groupby("period").size().to_dict() == {"2024-01": 12, "2024-02": 12}
    # the topic that stayed keeps the previous period's label
    kept = tracked.topics.set_index("status")
    assert kept.loc["same", "topic"] == tracked.matches.set_index("status").loc["same", "label_previous"]


def test_airline_tweets_by_day_every_line_has_an_owner_and_a_sentence():
    model = co.read_touchpoint_model(ROOT / "notebooks/touchpoints/airline.yml")
    tweets = pd.read_csv(DATA / "airline_tweets.csv.gz")
    linked = co.link_feedback(tweets, model, methods=["label", "topic"], label="negativereason").linked
    by_day = co.touchpoint_scores(linked, model, sentiment="airline_sentiment", period="D", date="tweet_created")
    negative = linked["airline_sentiment"].eq("negative")
    result = co.what_changed(co.period_changes(by_day), model=model,
                             topics=co.topic_shifts(linked, topic="negativereason", date="tweet_created",
                                                    period="D", negative=negative))
    lines = result.lines
    assert (result.previous, result.current) == ("2015-02-23", "2015-02-24")
    assert result.tests == int(lines["p_value"].notna().sum()) > 10
    tested = lines[lines["p_value"].notna()]
    assert (tested["q_value"] >= tested["p_value"] - 1e-12).all()
    assert (lines["flagged"] == (lines["q_value"] < 0.05)).all()
    assert lines["owner"].astype(str).str.len().gt(0).all() and lines["sentence"].str.len().gt(20).all()
    assert lines["flagged"].iloc[0] or not lines["flagged"].any()  # flagged lines come first
