"""What changed in the CX dashboard (cxlib.owners.build_dashboard -> what_changed, and the report summary): the
topics per clause and the topic column tested in one family, a touchpoint's own seed-word topic not tested at that
touchpoint, the summary saying what the corrected section says, an incomplete current period said so."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import cxlib
from cxlib import owners as co
from cxlib.report import dashboard_summary

from .conftest import ROOT

MODEL = """
project: Hand-made airline
touchpoints:
  - name: Flight
    owner: Flight operations
    labels: [Late Flight]
    seed_words: [delay*, late]
    measures: [{measure: sentiment_index, target: 0}]
  - name: Baggage
    owner: Airport operations
    labels: [Lost Luggage]
    seed_words: [bag, luggage]
    measures: [{measure: sentiment_index, target: 0}]
"""


def _feedback():
    """Negative tweets on two days. At Flight: 40 'late' only + 10 that also name a bag on day 1, 20 + 30 on day 2;
    at Baggage: 5 bag tweets a day."""
    rows = []
    for day, late_only, late_and_bag in (("2024-03-01 10:00", 40, 10), ("2024-03-02 10:00", 20, 30)):
        rows += [{"text": "the flight was late again", "reason": "Late Flight", "date": day}] * late_only
        rows += [{"text": "the flight was late and my bag is lost", "reason": "Late Flight", "date": day}] * \
            late_and_bag
        rows += [{"text": "my bag is lost", "reason": "Lost Luggage", "date": day}] * 5
    return pd.DataFrame(rows).assign(sentiment="negative")


def test_topics_per_clause_and_the_topic_column_are_corrected_together(tmp_path):
    path = tmp_path / "model.yml"
    path.write_text(MODEL, encoding="utf-8")
    model = co.read_touchpoint_model(path)
    d = co.build_dashboard(_feedback(), model, link=["label", "topic"], text="text", date="date", label="reason",
                           topic="reason", sentiment="sentiment", period="D", text_topics={"method": "taxonomy"})
    wc = d.what_changed
    lines = wc.lines.set_index(["touchpoint", "item"])
    # By hand: at Flight the bag topic is 10 of 50 negative tweets on day 1, 30 of 50 on day 2; pooled share 0.4,
    # z = 0.4 / sqrt(0.4 x 0.6 x (1/50 + 1/50)) = 4.08, p = 4.5e-5: flagged at any usual false-discovery rate
    z = 0.4 / math.sqrt(0.4 * 0.6 * (2 / 50))
    bag = lines.loc[("Flight", "Baggage")]
    assert bag["p_value"] == pytest.approx(math.erfc(z / math.sqrt(2)), rel=1e-6)
    assert bag["p_value"] == pytest.approx(4.5e-5, rel=0.05)
    assert bool(bag["flagged"]) and bag["verdict"] == "grew" and bag["owner"] == "Flight operations"
    assert bag["test"].endswith("topics per clause")
    # a touchpoint's own seed-word topic is not tested there (the tweets were linked to it by those words)
    assert ("Flight", "Flight") not in lines.index and ("Baggage", "Baggage") not in lines.index
    assert any("2 such lines are left out" in n for n in wc.notes)
    # the topic column is in the same family: Late Flight is every negative tweet at Flight on both days
    late = lines.loc[("Flight", "Late Flight")]
    assert late["test"].endswith("topic column 'reason'") and late["p_value"] == 1.0 and not late["flagged"]
    assert wc.tests == int(wc.lines["p_value"].notna().sum())
    # the summary says what the corrected section says: the flagged lines, each with its owner
    summary = dashboard_summary(d)
    assert summary.changes_title == "What changed since the previous period"
    assert summary.changes == [f"{r.owner}: {r.sentence}" for r in wc.flagged.itertuples()][:4]
    assert summary.changes[0].startswith("Flight operations: Topic 'Baggage' at Flight grew: 10 of 50 documents")
    assert not any("not complete" in n for n in wc.notes)  # the data end on the last day itself


def test_event_log_by_quarter_with_an_incomplete_current_quarter():
    """The UWV complaints (shipped demo): journeys by quarter, every line with its owner; the data end on
    2016-02-28 (data/README.md), so the current quarter 2016Q1 is incomplete and the report says so."""
    columns = {"text": "ComplaintTopic_EN", "case_id": "CustomerID", "date": "ContactDate",
               "event_id": "ComplaintID", "topic": "ComplaintTopic_EN"}
    log = cxlib.read_log(ROOT / "data/bpic2016_complaints.csv", case="CustomerID", activity="ComplaintTheme_EN",
                         timestamp="ContactDate", resource="ContactChannelID",
                         classifier=["concept:name", "ComplaintSubtheme_EN"], classifier_sep=" / ")
    model = co.read_touchpoint_model(ROOT / "notebooks/touchpoints/uwv_complaints.yml")
    feedback = co.read_dashboard_feedback(ROOT / "data/bpic2016_complaints.csv", columns=columns)
    d = co.build_dashboard(feedback, model, log=log, link=["case"], period="Q", success_ends="all",
                           columns=columns)
    wc = d.what_changed
    assert (wc.previous, wc.current) == ("2015Q4", "2016Q1")
    assert set(wc.lines["kind"]) == {"score", "journey", "topic"}
    assert wc.lines["owner"].astype(str).str.len().gt(0).all() and wc.lines["sentence"].str.len().gt(20).all()
    assert any(n.startswith("The current period 2016Q1 is not complete: the data end on 2016-02-28") for n in wc.notes)
    summary = dashboard_summary(d)
    if len(wc.flagged):
        assert summary.changes[0] == f"{wc.flagged.iloc[0]['owner']}: {wc.flagged.iloc[0]['sentence']}"
    else:
        expected = (f"Nothing changed beyond chance from 2015Q4 to 2016Q1: none of the {wc.tests:,} lines tested "
                    "is flagged (Benjamini-Hochberg over every touchpoint's lines, false-discovery rate 5%).")
        assert summary.changes == [expected]


def test_a_topic_column_recorded_only_for_negative_feedback_is_not_a_driver(tmp_path):
    """The reason is given only for the negative tweets (as negativereason in the airline data): its presence is the
    outcome itself, so the key drivers leave it out and say why; topics found per clause of the text are used."""
    path = tmp_path / "model.yml"
    path.write_text(MODEL, encoding="utf-8")
    model = co.read_touchpoint_model(path)
    positive = pd.DataFrame({"text": ["lovely crew, thank you", "great flight, late but fine"] * 40,
                             "reason": None, "date": "2024-03-02 12:00", "sentiment": "positive"})
    feedback = pd.concat([_feedback(), positive], ignore_index=True)
    options = {"text": "text", "date": "date", "label": "reason", "topic": "reason", "sentiment": "sentiment",
               "period": "D"}
    d = co.build_dashboard(feedback, model, link=["label", "topic"], **options)
    assert d.drivers is None
    assert any("The topic column 'reason' is not a driver" in n for n in d.notes)
    with_mentions = co.build_dashboard(feedback, model, link=["label", "topic"], text_topics={"method": "taxonomy"},
                                       **options)
    ranked = with_mentions.drivers.importance
    assert set(ranked["driver"]) == {"mentions: Flight", "mentions: Baggage"}
    assert not any(str(name).startswith("topic: ") for name in ranked["driver"])
