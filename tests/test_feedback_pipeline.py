"""Tests for the report steps of cxlib.feedback: cleaning-report table, relevance and sentiment runs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxlib import CxInputError
from cxlib import feedback as fb

# --------------------------------------------------------------------------------------------------------------
# cleaning report


def test_cleaning_report_table_lists_every_count_in_order():
    frame = pd.DataFrame({"text": ["Mail me at jo@x.org", "@united http://t.co/a", "Late again!", "late  again!",
                                   "Der Zug ist schon wieder zu spät und keiner sagt etwas"]})
    docs, report = fb.clean_feedback(frame, with_report=True)
    table = fb.cleaning_report_table(report)
    assert list(table.columns) == ["item", "count"]
    assert table.values.tolist() == [
        ["rows in", 5], ["dropped: empty after cleaning", 1], ["dropped: repeated text", 1],
        ["redacted: email", 1], ["redacted: iban", 0], ["redacted: card", 0], ["redacted: phone", 0],
        ["redacted: url", 1], ["redacted: handle", 1], ["redacted: tax_id", 0],
        ["language: en", 2], ["language: de", 1], ["rows out", 3]]
    assert table.set_index("item").loc["rows out", "count"] == len(docs)
    for not_a_report in (frame, docs, {"rows_in": 5}):
        with pytest.raises(CxInputError, match="cleaning report"):
            fb.cleaning_report_table(not_a_report)


def test_read_training_feedback_reports_its_cleaning(tmp_path):
    path = tmp_path / "t.csv"
    pd.DataFrame({"text": ["same", "same", "mail jo@x.org"], "relevance": ["true", "true", "false"]}).to_csv(
        path, index=False)
    train, report = fb.read_training_feedback(path, labels=["relevance"], with_report=True)
    assert report["rows_in"] == report["rows_out"] == len(train) == 3 and report["dropped"] == {}
    assert report["pii"]["email"] == 1 and train["text"].tolist()[2] == "mail [EMAIL]"


# --------------------------------------------------------------------------------------------------------------
# relevance

RELEVANT = ["the train was late again", "my train was cancelled", "train delayed by an hour", "late train today",
            "train cancelled no information", "the late train was full", "another delayed train",
            "train late and cancelled", "the train is delayed", "cancelled train again"]
IRRELEVANT = ["pasta recipe with tomato", "football match tonight", "tomato soup recipe", "the match was great",
              "cooking pasta at home", "football scores today", "recipe for soup", "great football match",
              "pasta and tomato sauce", "soup cooking tonight"]


def _train(tmp_path):
    """A labelled training file read the way the notebook reads it: every row kept, path in attrs."""
    path = tmp_path / "train.csv"
    pd.DataFrame({"text": RELEVANT + IRRELEVANT, "relevance": ["true"] * 10 + ["false"] * 10}).to_csv(path,
                                                                                                     index=False)
    return fb.read_training_feedback(path, labels=["relevance"]), path


def _docs():
    # gold: 4 true, 3 false, 3 missing (2 clearly relevant, 1 clearly irrelevant); the gold label of i and j
    # contradicts what the text looks like, so gold and prediction disagree there
    return pd.DataFrame({
        "id": list("abcdefghij"),
        "text": ["train late again", "cancelled train", "the train was delayed", "pasta tomato recipe",
                 "football tonight", "train delayed and late", "soup recipe pasta", "my train was late",
                 "pasta soup recipe", "train cancelled again"],
        "relevance": ["true", "TRUE", "true", "false", "false", None, None, None, "true", "false"],
    })


def test_read_training_feedback_keeps_every_row(tmp_path):
    path = tmp_path / "t.csv"
    pd.DataFrame({"text": ["same", "same", "@handle"], "relevance": ["true", "true", "false"]}).to_csv(path,
                                                                                                      index=False)
    train = fb.read_training_feedback(path, labels=["relevance"])
    assert len(train) == 3 and train["text_clean"].tolist() == ["same", "same", ""]
    assert "language" not in train.columns


def test_relevance_trained_on_the_training_file_keeps_exactly_the_relevant_rows(tmp_path):
    train, path = _train(tmp_path)
    docs = _docs()
    run = fb.classify_relevance(docs, label="relevance", text="text", train=train, train_source=str(path),
                                options={"C": 10.0}, folds=5, seed=0, relevant_only=True)
    # the predictions are those of a model fitted on the training file
    expected = fb.TextClassifier(C=10.0).fit(train["text"], train["relevance"]).predict(docs["text"])
    assert list(expected) == ["true", "true", "true", "false", "false", "true", "false", "true", "false", "true"]
    # kept: gold true (any case) a, b, c, i (predicted false); no gold but predicted true f, h
    # dropped: gold false d, e, j (j predicted true); no gold and predicted false g
    assert run.documents["id"].tolist() == ["a", "b", "c", "f", "h", "i"]
    assert run.documents.index.tolist() == [0, 1, 2, 3, 4, 5]
    assert run.documents["relevance_pred"].tolist() == ["true", "true", "true", "true", "true", "false"]
    assert (run.rows_in, run.rows_kept, run.rows_dropped) == (10, 6, 4)
    # cross-validated on the training file, not on the documents
    assert run.cv["fold"].tolist() == ["1", "2", "3", "4", "5", "mean"]
    assert run.cv["n_test"].iloc[:5].sum() == len(train)
    # scored on the 7 documents with a gold label: 'TRUE' is a class of its own there (predicted 'true'),
    # i and j are wrong
    scores = run.scores.set_index("label")
    assert scores.loc["micro avg", "support"] == 7
    assert scores.loc["micro avg", "f1"] == pytest.approx(4 / 7)
    assert run.source == f"classifier trained on {path}"
    assert [caption for caption, _ in run.tables] == [
        "Relevance: 5-fold cross-validation on the training file",
        "Relevance classifier against the gold labels of this data"]
    # the input is not changed
    assert "relevance_pred" not in docs.columns and len(docs) == 10
    html = [item._repr_html_() for item in run.display_items()]
    assert len(html) == 3
    assert html[2] == "<p>Keeping the <b>6</b> relevant texts of 10 for sentiment and topics.</p>"


def test_relevance_learns_from_the_training_file_not_from_the_documents(tmp_path):
    train, _ = _train(tmp_path)
    # gold labels that contradict the training file on every row: a model fitted on them would score > 0
    docs = _docs().assign(relevance=["false", "false", "false", "true", "true", "false", "true", "false", "true",
                                     "false"])
    run = fb.classify_relevance(docs, label="relevance", text="text", train=train)
    assert run.documents["relevance_pred"].tolist() == ["true", "true", "true", "false", "false", "true", "false", "true",
                                                   "false", "true"]
    assert run.scores.set_index("label").loc["micro avg", "f1"] == 0.0
    assert len(run.documents) == 10 and run.rows_dropped == 0 and not run.relevant_only
    assert len(run.display_items()) == 2  # no "Keeping ..." line without relevant_only


def test_relevance_without_training_file_predicts_out_of_fold():
    docs = pd.DataFrame({"text": RELEVANT + IRRELEVANT, "relevance": ["true"] * 10 + ["false"] * 10})
    run = fb.classify_relevance(docs, label="relevance", text="text", options={"nb_weighting": True}, folds=5,
                                seed=3)
    expected = fb.out_of_fold_predict(docs["text"], docs["relevance"], folds=5, seed=3,
                                      estimator=fb.TextClassifier(nb_weighting=True))
    assert run.documents["relevance_pred"].tolist() == expected.tolist()
    assert run.cv["n_test"].iloc[:5].sum() == len(docs)
    assert run.source == "classifier, out-of-fold predictions"
    assert run.captions["cv"] == "Relevance: 5-fold cross-validation on this data"
    assert run.scores.set_index("label").loc["micro avg", "support"] == 20


def test_relevance_without_labels_keeps_everything():
    docs = _docs().drop(columns="relevance")
    for label in (None, "relevance"):
        run = fb.classify_relevance(docs, label=label, text="text", relevant_only=True)
        assert run.documents.equals(docs) and run.documents is not docs
        assert run.tables == [] and (run.rows_in, run.rows_kept) == (10, 10)
        assert len(run.notes) == 1 and "every text is treated as relevant" in run.notes[0]
    run = fb.classify_relevance(docs, label=None, text="text")
    assert [i._repr_html_() for i in run.display_items()] == [
        "<p>No relevance labels in this data: every text is treated as relevant.</p>"]


def test_relevance_errors(tmp_path):
    train, _ = _train(tmp_path)
    with pytest.raises(CxInputError, match="'relevance' is missing in the training documents"):
        fb.classify_relevance(_docs(), label="relevance", text="text", train=train.drop(columns="relevance"))
    with pytest.raises(CxInputError, match="'text_clean' is missing in the documents"):
        fb.classify_relevance(_docs(), label="relevance", train=train)


# --------------------------------------------------------------------------------------------------------------
# sentiment

POSITIVE = ["great flight thanks", "love the crew", "awesome service", "thank you so much", "best airline",
            "great crew thanks", "love this airline", "awesome flight", "thanks so much crew", "best service"]
NEGATIVE = ["lost my bag", "flight delayed again", "worst service ever", "rude staff", "cancelled and no help",
            "bag lost again", "delayed and rude", "worst airline ever", "rude crew no help", "flight cancelled"]
NEUTRAL = ["what time is boarding", "is there wifi", "which gate", "do you fly to boston", "need the schedule",
           "which gate for boston", "is boarding at ten", "wifi on the flight", "schedule for boston",
           "what gate is boarding"]
SENTIMENT = pd.DataFrame({"text_clean": POSITIVE + NEGATIVE + NEUTRAL,
                          "label": ["positive"] * 10 + ["negative"] * 10 + ["neutral"] * 10})


def test_sentiment_trained_on_the_training_file():
    train = SENTIMENT.copy()
    docs = pd.DataFrame({"text_clean": ["thanks crew", "my bag is lost", "which gate", "love it"],
                         "label": ["positive", "negative", "neutral", None]})
    run = fb.classify_sentiment(docs, label="label", train=train, train_source="data/train.csv")
    expected = fb.TextClassifier().fit(train["text_clean"], train["label"]).predict(docs["text_clean"])
    assert run.documents["sentiment"].tolist() == list(expected)
    assert run.source == "classifier trained on data/train.csv"
    assert run.cv is None and run.vader is None
    assert run.scores.set_index("label").loc["micro avg", "support"] == 3  # the row without gold is not scored
    assert list(run.captions) == ["scores"]
    assert run.rows_kept == run.rows_in == 4 and "sentiment" not in docs.columns
    train.attrs = {}
    assert fb.classify_sentiment(docs, label="label", train=train).source == "classifier trained on the training file"


def test_sentiment_from_gold_labels_scores_the_out_of_fold_predictions():
    run = fb.classify_sentiment(SENTIMENT, label="label", seed=1, cache=False)
    expected = fb.out_of_fold_predict(SENTIMENT["text_clean"], SENTIMENT["label"], folds=5, seed=1)
    assert run.documents["sentiment"].tolist() == expected.tolist()
    # every labelled text is scored once, by a model that did not see it; VADER on the same texts
    pd.testing.assert_frame_equal(run.scores, fb.classification_scores(SENTIMENT["label"], expected))
    vader = fb.vader_sentiment(SENTIMENT["text_clean"])["sentiment"]
    pd.testing.assert_frame_equal(run.vader, fb.classification_scores(SENTIMENT["label"], vader))
    assert run.scores.set_index("label").loc["micro avg", "support"] == len(SENTIMENT)
    assert run.source == "classifier, out-of-fold predictions"
    assert [c for c, _ in run.tables] == [
        "Sentiment classifier, out of fold (5-fold: each text scored by a model that did not see it)",
        "VADER (no training) on the same texts"]
    shares = run.shares
    assert sum(shares.values()) == pytest.approx(1.0)
    mix = expected.value_counts(normalize=True)
    assert shares == {k: mix.get(k, 0) for k in ("negative", "neutral", "positive")}
    last = run.display_items()[-1]._repr_html_()
    assert last.startswith("<p>Sentiment: classifier, out-of-fold predictions; ")
    assert f"{shares['negative']:.0%} negative" in last


def test_sentiment_learnt_from_the_score():
    docs = SENTIMENT.assign(score=[10.0] * 10 + [2.0] * 10 + [8.0] * 10)
    docs.loc[[0, 10, 20], "score"] = np.nan  # no score: predicted, not trained on nor scored
    run = fb.classify_sentiment(docs, score_scale="nps", folds=3, seed=0)
    assert run.source == "learnt from the nps score, out-of-fold predictions"
    assert run.cv["n_test"].iloc[:3].sum() == 27
    assert run.scores is None
    assert run.vader.set_index("label").loc["micro avg", "support"] == 27
    from_score = fb.score_to_sentiment(docs["score"], scale="nps")
    expected = fb.out_of_fold_predict(docs["text_clean"], from_score, folds=3, seed=0)
    assert run.documents["sentiment"].tolist() == expected.tolist()
    assert run.documents["sentiment"].notna().all() and len(run.documents) == 30
    assert [c for c, _ in run.tables] == ["Score-supervised sentiment (nps score -> label): 3-fold cross-validation",
                                          "VADER against the score-derived labels"]


def test_sentiment_falls_back_to_vader():
    docs = pd.DataFrame({"text_clean": ["I love this airline", "worst delay ever", "Ich liebe es"],
                         "language": ["en", "en", "de"]})
    run = fb.classify_sentiment(docs)
    assert run.source == "VADER (English lexicon)" and run.tables == [] and run.notes == []
    assert run.documents["sentiment"].tolist()[:2] == ["positive", "negative"] and pd.isna(run.documents["sentiment"][2])
    assert run.documents["sentiment_source"].eq("vader").all()
    assert run.shares == {"negative": 0.5, "neutral": 0, "positive": 0.5}  # over the rows with a sentiment
    assert run.display_items()[-1]._repr_html_() == (
        "<p>Sentiment: VADER (English lexicon); 50% negative, 0% neutral, 50% positive.</p>")
    # a score scale without a score column: VADER, and a note says why
    run = fb.classify_sentiment(docs, score_scale="nps")
    assert run.source == "VADER (English lexicon)" and "no 'score' column" in run.notes[0]


def test_sentiment_errors():
    with pytest.raises(CxInputError, match="'gold' is missing in the documents"):
        fb.classify_sentiment(SENTIMENT, label="gold")
    with pytest.raises(CxInputError, match="'label' is missing in the training documents"):
        fb.classify_sentiment(SENTIMENT, label="label", train=SENTIMENT.drop(columns="label"))
