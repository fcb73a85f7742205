"""Several topics and sentiments per comment (cxlib.feedback: split_segments, find_mentions, AspectModel,
aspect_scores): clauses, a two-topic comment with both sentiments, micro-F1 worked by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from cxlib import CxInputError
from cxlib.feedback import AspectModel, aspect_scores, find_mentions, parse_aspects, split_segments

TAXONOMY = {"staff": ["staff", "crew", "personal"], "delay": ["delay*", "late", "verspätung"],
            "baggage": ["bag", "luggage"]}


def test_clauses_and_sentences():
    segs = split_segments(pd.Series(["The crew was lovely but the flight was 3 hours late. Never again!"]))
    assert segs["segment_text"].tolist() == ["The crew was lovely", "but the flight was 3 hours late.",
                                             "Never again!"]
    text = "Der Zug kam z.B. 20 Min. zu spät, aber das Personal war nett; WLAN ging nicht."
    segs = split_segments(pd.Series([text]))
    assert segs["segment_text"].tolist() == ["Der Zug kam z.B. 20 Min. zu spät", "aber das Personal war nett",
                                             "WLAN ging nicht."]
    assert all(text[a:b] == s for a, b, s in zip(segs["start"], segs["end"], segs["segment_text"]))
    sentences = split_segments(pd.Series([text, "", None]), unit="sentence")
    assert sentences["segment_text"].tolist() == [text]  # one sentence; empty documents give no segment
    with pytest.raises(CxInputError, match="unit"):
        split_segments(pd.Series([text]), unit="word")


def test_a_two_topic_comment_gets_both_topics_and_their_sentiments():
    docs = pd.Series(["The staff were lovely but the delay was awful.", "Lost my bag", "Nice weather today"],
                     index=["a", "b", "c"])
    found = find_mentions(docs, taxonomy=TAXONOMY)
    assert found.mentions[["doc", "topic", "sentiment"]].values.tolist() == [
        ["a", "delay", "negative"], ["a", "staff", "positive"], ["b", "baggage", "negative"]]
    assert found.documents.loc["a", "topic_sentiments"] == "delay: negative; staff: positive"
    assert found.documents["n_topics"].tolist() == [2, 1, 0]
    presence = found.presence()
    assert presence.loc["a"].to_dict() == {"baggage": 0, "delay": 1, "staff": 1}
    assert presence.loc["c"].sum() == 0
    counts = found.counts().set_index("topic")
    assert counts.loc["delay", ["documents", "negative", "positive"]].tolist() == [1, 1, 0]


def test_aspect_model_finds_two_categories_and_their_polarities_in_one_comment():
    positive_staff = ["the staff were friendly", "friendly helpful staff", "staff very kind and helpful",
                      "lovely friendly staff"] * 3
    negative_delay = ["the train was late again", "terrible delay again", "late train, awful delay",
                      "another awful delay"] * 3
    texts = positive_staff + negative_delay + ["nice weather", "I read a book"] * 3
    aspects = [[("staff", "positive")]] * 12 + [[("delay", "negative")]] * 12 + [[]] * 6
    model = AspectModel().fit(texts, aspects)
    assert model.categories_ == ["delay", "staff"]
    comment = "friendly staff but an awful delay"
    assert ("staff", "positive") in model.predict([comment])[0]  # as a whole, the stronger topic
    assert model.predict([comment], unit="clause")[0] == {("staff", "positive"), ("delay", "negative")}
    found = find_mentions(pd.Series(["The staff were friendly but the delay was awful."]), model=model)
    assert found.mentions[["topic", "sentiment", "text"]].values.tolist() == [
        ["delay", "negative", "but the delay was awful."], ["staff", "positive", "The staff were friendly"]]
    assert model.predict(["nice weather"]) == [set()]


def test_micro_f1_by_hand():
    gold = ["Allgemein#Haupt:neutral Zugfahrt#Haupt:negative", "", "Sicherheit#Haupt:negative"]
    pred = [[("Allgemein", "neutral"), ("Zugfahrt", "positive")], [("Allgemein", "neutral")], []]
    # categories: TP 2 (Allgemein, Zugfahrt), FP 1 (Allgemein in doc 2), FN 1 (Sicherheit): F1 = 4 / 6
    # with sentiment: TP 1, FP 2 (Zugfahrt:positive, Allgemein in doc 2), FN 2: F1 = 2 / 6
    scores = aspect_scores(gold, pred).set_index("task")
    assert scores.loc["category", ["tp", "fp", "fn"]].tolist() == [2, 1, 1]
    assert scores.loc["category", "f1"] == pytest.approx(4 / 6)
    assert scores.loc["category+sentiment", "f1"] == pytest.approx(2 / 6)
    assert parse_aspects(["a:positive;b:negative"], sep=";") == [{("a", "positive"), ("b", "negative")}]
    with pytest.raises(CxInputError, match="predictions"):
        aspect_scores(gold, pred[:2])
