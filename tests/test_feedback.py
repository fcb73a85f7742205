"""Tests for cxlib.feedback: loading, cleaning, PII, classifiers, topics, cache, evaluation."""

from __future__ import annotations

import gzip
import json
import math

import numpy as np
import pandas as pd
import pytest

from cxlib import CxInputError
from cxlib import feedback as fb
from cxlib.display import redact

from .conftest import DATA, shared

# --------------------------------------------------------------------------------------------------------------
# loading


def test_csv_semicolon_latin1_is_sniffed(tmp_path):
    path = tmp_path / "survey.csv"
    path.write_bytes("nr;Kommentar;Datum;Note\n1;Zug zu spät, ärgerlich;01.02.2024;2\n2;Alles gut;02.02.2024;x\n"
                     .encode("latin-1"))
    out, report = fb.read_feedback(path, text="Kommentar", id="nr", date="Datum", score="Note", dayfirst=True,
                                   with_report=True)
    assert out["text"].tolist() == ["Zug zu spät, ärgerlich", "Alles gut"]
    assert out["date"].dt.day.tolist() == [1, 2]
    assert out["score"].iloc[0] == 2.0 and math.isnan(out["score"].iloc[1])
    assert report.rows_read == 2 and report.rows_kept == 2
    assert any("not valid" in n and "'x'" in n for n in report.notes)
    assert (report.delimiter, report.encoding) == (";", "cp1252")
    assert out["score_raw"].tolist() == ["2", "x"]


def test_text_column_found_by_alias_and_id_defaults_to_row(tmp_path):
    path = tmp_path / "f.csv.gz"
    path.write_bytes(gzip.compress(b"comment,stars\nnice,5\nbad,1\n"))
    out = fb.read_feedback(path)
    assert out["id"].tolist() == ["0", "1"]
    assert list(out.columns) == ["id", "text"]


def test_drops_are_counted(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("id,text,date\n1,hello,2024-01-01\n2,,2024-01-02\n3,  ,2024-01-03\n4,bye,not a date\n"
                    "1,hello,2024-01-01\n5,late,\n")
    out, report = fb.read_feedback(path, date="date", with_report=True)
    assert report.rows_read == 6
    assert report.dropped == {"empty text": 2, "unparseable date": 1, "duplicate row": 1}
    assert report.rows_kept == 2 == len(out)
    assert report.rows_read == report.rows_kept + report.rows_dropped


def test_excel_and_parquet(tmp_path):
    frame = pd.DataFrame({"Verbatim": ["great app", "slow refund"], "Channel": ["app", "mail"]})
    frame.to_excel(tmp_path / "f.xlsx", index=False)
    frame.to_parquet(tmp_path / "f.parquet")
    for name in ("f.xlsx", "f.parquet"):
        out = fb.read_feedback(tmp_path / name, text="Verbatim", channel="Channel")
        assert out["channel"].tolist() == ["app", "mail"]


def test_germeval_xml(tmp_path):
    xml = """<?xml version="1.0" encoding="UTF-8"?><Documents>
    <Document id="u1"><Opinions><Opinion category="Zugfahrt#Haupt" from="0" to="0" target="NULL" polarity="negative"/>
    <Opinion category="Allgemein#Haupt" from="0" to="0" target="NULL" polarity="neutral"/></Opinions>
    <relevance>true</relevance><sentiment>negative</sentiment><text>Zug fällt aus</text></Document>
    <Document id="u2"><relevance>false</relevance><sentiment>neutral</sentiment><text>Achterbahn</text></Document>
    </Documents>"""
    path = tmp_path / "g.xml.gz"
    path.write_bytes(gzip.compress(xml.encode()))
    out = fb.read_feedback(path)
    assert out["id"].tolist() == ["u1", "u2"]
    assert out["aspect_categories"].tolist()[0] == "Zugfahrt;Allgemein"
    assert out["aspects"].tolist()[0] == "Zugfahrt#Haupt:negative Allgemein#Haupt:neutral"
    assert out["relevance"].tolist() == ["true", "false"]


def test_germeval_xml_matches_shipped_csv():
    xml = fb.read_feedback(shared("germeval2017/dev-2017-09-15.xml.gz"))
    csv = fb.read_feedback(DATA / "germeval2017_dev.csv.gz",
                           labels=["relevance", "sentiment", "aspect_categories", "aspects"])
    assert len(xml) == len(csv) == 2369
    assert (xml["text"] == csv["text"]).all() and (xml["id"] == csv["id"]).all()
    assert (xml["sentiment"] == csv["sentiment"]).all()


@pytest.mark.parametrize("content, kwargs, message", [
    (None, {}, "does not exist"),
    (b"", {}, "empty"),
    (b"a,b\n1,2\n", {}, "no text column"),
    (b"a,b\n1,2\n", {"text": "comment"}, "'comment' for the text is missing"),
    (b"text,b\n,2\n ,3\n", {}, "empty in every row"),
    (b"text,d\nhi,foo\nho,bar\n", {"date": "d"}, "no value of the date column 'd' could be read"),
    (b"text,b\nhi,2\n", {"labels": ["gold"]}, "'gold' for the labels is missing"),
])
def test_bad_input_raises_clear_errors(tmp_path, content, kwargs, message):
    path = tmp_path / "bad.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CxInputError, match=message) as info:
        fb.read_feedback(path, **kwargs)
    assert "bad.csv" in str(info.value)


def test_unknown_type_and_broken_xml(tmp_path):
    (tmp_path / "f.json").write_text("{}")
    with pytest.raises(CxInputError, match="unknown file type"):
        fb.read_feedback(tmp_path / "f.json")
    (tmp_path / "g.xml").write_text("<Documents><Document id='1'><text>x</Document>")
    with pytest.raises(CxInputError, match="invalid XML at line 1"):
        fb.read_feedback(tmp_path / "g.xml")


# --------------------------------------------------------------------------------------------------------------
# cleaning and PII


def test_clean_text():
    raw = "@united lost my bag again &amp;amp; again \N{ANGRY FACE} https://t.co/x #fail"
    assert fb.clean_text(raw) == "lost my bag again & again angry face fail"
    assert fb.clean_text(raw, emojis="drop") == "lost my bag again & again fail"
    assert "\N{ANGRY FACE}" in fb.clean_text(raw, emojis="keep")
    assert fb.clean_text(None) == ""


@pytest.mark.parametrize("secret, kind", [
    ("anna.meier+cx@example.co.uk", "email"),
    ("DE89 3704 0044 0532 0130 00", "iban"),
    ("DE89370400440532013000", "iban"),
    ("4111 1111 1111 1111", "card"),
    ("4111-1111-1111-1111", "card"),
    ("+49 171 1234567", "phone"),
    ("(555) 123-4567", "phone"),
])
def test_redact_each_kind(secret, kind):
    redacted, counts = redact(f"please use {secret} today")
    assert counts[kind] == 1 and sum(counts.values()) == 1
    assert redacted == f"please use [{kind.upper()}] today"


def test_redaction_leaves_ordinary_numbers():
    text = "flight UA 1234 on 2015-02-24 at 10:30, 3 hours late, $200"
    # the counts name every kind of PII_KINDS
    assert redact(text) == (text, dict.fromkeys(fb.PII_KINDS, 0))


def test_clean_feedback_counts_everything():
    frame = pd.DataFrame({"id": ["1", "2", "3", "4", "5"],
                          "text": ["Mail me at jo@x.org", "@united http://t.co/a", "Late again!", "late  again!",
                                   "Der Zug ist schon wieder zu spät und keiner sagt etwas"]})
    out, rep = fb.clean_feedback(frame, with_report=True)
    assert rep["rows_in"] == 5 and rep["rows_out"] == 3 == len(out)
    assert rep["dropped"] == {"empty after cleaning": 1, "repeated text": 1}
    assert rep["pii"]["email"] == 1
    assert out["text"].iloc[0] == "Mail me at [EMAIL]" and out["pii_redacted"].tolist() == [1, 0, 0]
    assert out["language"].tolist() == ["en", "en", "de"]
    assert frame["text"].iloc[0] == "Mail me at jo@x.org"  # input untouched
    plain = fb.clean_feedback(frame)  # without the report: the same table, and nothing attached to it
    pd.testing.assert_frame_equal(plain, out)
    assert plain.attrs == {}


def test_detect_language():
    found = fb.detect_language(["Der Zug ist schon wieder zu spät", "my flight was cancelled again", "ok"])
    assert found.tolist() == ["de", "en", None]


# --------------------------------------------------------------------------------------------------------------
# classifiers

TRAIN = pd.DataFrame({
    "text": ["great flight thanks", "love the crew", "awesome service", "thank you so much", "best airline",
             "lost my bag", "flight delayed again", "worst service ever", "rude staff", "cancelled and no help",
             "what time is boarding", "is there wifi", "which gate", "do you fly to boston", "need the schedule"],
    "label": ["positive"] * 5 + ["negative"] * 5 + ["neutral"] * 5,
})


def test_classifier_fit_predict_save_load(tmp_path):
    clf = fb.TextClassifier(C=10.0).fit(TRAIN["text"], TRAIN["label"])
    assert list(clf.classes_) == ["negative", "neutral", "positive"]
    assert (clf.predict(TRAIN["text"]) == TRAIN["label"]).mean() == 1.0
    folder = clf.save(tmp_path / "model")
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.safetensors"]
    config = json.loads((folder / "config.json").read_text())
    assert config["classes"] == ["negative", "neutral", "positive"]
    again = fb.TextClassifier.load(folder)
    new = ["my bag is lost", "thanks crew", "which gate for boston"]
    np.testing.assert_allclose(again.predict_proba(new), clf.predict_proba(new))
    assert list(again.predict(new)) == list(clf.predict(new))


def test_nb_weighting_fit_predict_save_load(tmp_path):
    clf = fb.TextClassifier(nb_weighting=True, C=1.0).fit(TRAIN["text"], TRAIN["label"])
    assert list(clf.classes_) == ["negative", "neutral", "positive"]
    assert (clf.predict(TRAIN["text"]) == TRAIN["label"]).mean() == 1.0
    new = ["my bag is lost", "thanks crew", "which gate for boston"]
    proba = clf.predict_proba(new)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert list(clf.predict(new)) == list(np.asarray(clf.classes_)[proba.argmax(axis=1)])
    folder = clf.save(tmp_path / "nb")
    assert json.loads((folder / "config.json").read_text())["params"]["nb_weighting"] is True
    again = fb.TextClassifier.load(folder)
    assert again.nb_weighting is True
    np.testing.assert_allclose(again.predict_proba(new), proba)
    assert list(again.predict(new)) == list(clf.predict(new))


def test_nb_weighting_log_count_ratios_hand_computed():
    # binary word counts: positive docs have good x2, train x1; negative docs bad x2, train x1 (smoothing 1)
    texts, labels = ["good train", "good", "bad train", "bad"], ["pos", "pos", "neg", "neg"]
    clf = fb.TextClassifier(nb_weighting=True, word_ngrams=(1, 1), char_ngrams=None).fit(texts, labels)
    assert clf.vectorizers_[0].vocabulary_ == {"bad": 0, "good": 1, "train": 2}
    # p = 1 + [0, 2, 1] and q = 1 + [2, 0, 1], both summing to 6: r_pos = log(p / q)
    expected_pos = np.log(np.array([1, 3, 2]) / np.array([3, 1, 2]))
    np.testing.assert_allclose(clf.model_.ratios_[list(clf.classes_).index("pos")], expected_pos)
    np.testing.assert_allclose(clf.model_.ratios_[list(clf.classes_).index("neg")], -expected_pos)
    # the n-grams are binarised: repeating a word changes nothing (it does for the default TF-IDF model)
    np.testing.assert_allclose(clf.predict_proba(["good good good train"]), clf.predict_proba(["good train"]))
    assert list(clf.predict(["good", "bad"])) == ["pos", "neg"]


def test_nb_weighting_scales_each_document_to_unit_length(tmp_path):
    texts, labels = ["good train", "good", "bad train", "bad"], ["pos", "pos", "neg", "neg"]
    scaled = fb.TextClassifier(nb_weighting=True, word_ngrams=(1, 1), char_ngrams=None).fit(texts, labels)
    plain = fb.TextClassifier(nb_weighting=True, nb_norm=None, word_ngrams=(1, 1), char_ngrams=None).fit(texts,
                                                                                                         labels)
    vocab = scaled.vectorizers_[0].vocabulary_
    coef, intercept = scaled.model_.coef_, scaled.model_.intercept_
    # "good train" has two n-grams: each counts 1/sqrt(2) with the unit-length scaling, 1 without it
    expected = (coef[:, vocab["good"]] + coef[:, vocab["train"]]) / np.sqrt(2) + intercept
    np.testing.assert_allclose(scaled.decision_function(["good train"])[0], expected)
    pcoef, pintercept = plain.model_.coef_, plain.model_.intercept_
    np.testing.assert_allclose(plain.decision_function(["good train"])[0],
                               pcoef[:, vocab["good"]] + pcoef[:, vocab["train"]] + pintercept)
    # the option is saved; a model saved before it existed (no nb_norm in its config) loads unscaled
    again = fb.TextClassifier.load(plain.save(tmp_path / "plain"))
    assert again.nb_norm is None
    folder = scaled.save(tmp_path / "scaled")
    config = json.loads((folder / "config.json").read_text())
    assert config["params"]["nb_norm"] == "l2"
    np.testing.assert_allclose(fb.TextClassifier.load(folder).decision_function(["good train"]),
                               scaled.decision_function(["good train"]))
    del config["params"]["nb_norm"]
    (folder / "config.json").write_text(json.dumps(config))
    assert fb.TextClassifier.load(folder).nb_norm is None


def test_classifier_errors(tmp_path):
    with pytest.raises(CxInputError, match="two classes"):
        fb.TextClassifier().fit(["a", "b"], ["x", "x"])
    with pytest.raises(CxInputError, match="labels are missing"):
        fb.TextClassifier().fit(["a", "b"], ["x", None])
    with pytest.raises(CxInputError, match="config.json"):
        fb.TextClassifier.load(tmp_path)


def test_cross_validation_and_out_of_fold():
    texts = pd.concat([TRAIN["text"]] * 2, ignore_index=True)
    labels = pd.concat([TRAIN["label"]] * 2, ignore_index=True)
    cv = fb.cross_validate_text(texts, labels, folds=3, seed=0)
    assert cv["fold"].tolist() == ["1", "2", "3", "mean"]
    assert cv["n_test"].iloc[:3].sum() == len(texts)
    pred = fb.out_of_fold_predict(texts, labels, folds=3, seed=0)
    assert len(pred) == len(texts) and set(pred) <= set(labels)


def test_score_to_sentiment_and_score_supervised():
    assert fb.score_to_sentiment([0, 6, 7, 8, 9, 10, None]).tolist() == [
        "negative", "negative", "neutral", "neutral", "positive", "positive", np.nan]
    with pytest.raises(CxInputError, match="1 of 8 scores are not valid on the nps scale"):
        fb.score_to_sentiment([0, 6, 7, 8, 9, 10, 11, None])  # 11 no longer vanishes silently
    assert fb.score_to_sentiment([0, 6, 7, 8, 9, 10, 11, None], invalid="missing").tolist() == [
        "negative", "negative", "neutral", "neutral", "positive", "positive", np.nan, np.nan]
    assert fb.score_to_sentiment([1, 3, 5], scale="stars5").tolist() == ["negative", "neutral", "positive"]
    frame = TRAIN.assign(score=[10] * 5 + [1] * 5 + [8] * 5, text_clean=TRAIN["text"])
    frame.loc[0, "score"] = np.nan
    model = fb.fit_score_sentiment(frame)
    assert model.n_training_rows_ == 14 and model.n_skipped_rows_ == 1
    assert model.predict(["worst bag delay"])[0] == "negative"
    with pytest.raises(CxInputError, match="unknown scale"):
        fb.score_to_sentiment([1], scale="likert")


def test_vader_and_predict_sentiment():
    out = fb.vader_sentiment(["I love this airline", "worst delay ever", "the gate is B12"])
    assert out["sentiment"].tolist() == ["positive", "negative", "neutral"]
    frame = pd.DataFrame({"text_clean": ["I love it", "Ich liebe es"], "language": ["en", "de"]})
    pred = fb.predict_sentiment(frame)
    assert pred["sentiment"].iloc[0] == "positive" and pd.isna(pred["sentiment"].iloc[1])
    clf = fb.TextClassifier().fit(TRAIN["text"], TRAIN["label"])
    pred = fb.predict_sentiment(TRAIN.rename(columns={"text": "text_clean"}), model=clf)
    assert pred["sentiment_source"].eq("classifier").all()
    assert pred["sentiment_score"].between(-1, 1).all()


# --------------------------------------------------------------------------------------------------------------
# evaluation against hand-computed values


def test_topic_agreement_hand_computed():
    # labels a,a,b,b; topics 0,0,0,1. H(Y)=ln2, H(C)=-(.75 ln .75 + .25 ln .25), I = .215761 nats
    out = fb.topic_agreement(["a", "a", "b", "b"], [0, 0, 0, 1], dominant=None)
    assert out.unlabelled == 0
    row = out.agreement.iloc[0]
    h_y = math.log(2)
    h_c = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    mi = 0.5 * math.log(0.5 / (0.75 * 0.5)) + 0.25 * math.log(0.25 / (0.75 * 0.5)) + 0.25 * math.log(2)
    assert row["nmi"] == pytest.approx(2 * mi / (h_y + h_c))
    assert row["nmi"] == pytest.approx(0.34371, abs=1e-5)
    assert row["ari"] == pytest.approx(0.0)  # sum C(n_ij,2)=1 equals its expectation 3*2/6
    assert row["purity"] == pytest.approx(0.75)
    assert (row["n"], row["classes"], row["topics"]) == (4, 2, 2)


def test_topic_agreement_without_dominant_and_multilabel():
    labels = ["Allgemein", "Allgemein;Zugfahrt", "Allgemein", "Zugfahrt", "Ticketkauf", None]
    topics = [0, 0, 1, 1, 2, 2]
    result = fb.topic_agreement(labels, topics, dominant="auto", multi_sep=";")
    out = result.agreement
    assert out["subset"].tolist() == ["all", "without Allgemein"]
    assert out["n"].tolist() == [5, 2]
    assert out.iloc[1]["nmi"] == pytest.approx(1.0) and out.iloc[1]["purity"] == pytest.approx(1.0)
    assert out.iloc[0]["purity"] == pytest.approx(4 / 5)
    assert result.unlabelled == 1
    assert "left out of the agreement: 1." in result.show()._repr_html_()


def test_classification_scores_hand_computed():
    out = fb.classification_scores(["pos", "neg", "neg", "neu"], ["pos", "neg", "pos", None]).set_index("label")
    assert out.loc["neg", "precision"] == 1.0 and out.loc["neg", "recall"] == 0.5
    assert out.loc["pos", "precision"] == 0.5 and out.loc["pos", "f1"] == pytest.approx(2 / 3)
    assert out.loc["neu", "recall"] == 0.0
    assert out.loc["micro avg", "f1"] == pytest.approx(0.5)  # 2 of 4 right
    assert out.loc["macro avg", "f1"] == pytest.approx((2 / 3 + 2 / 3 + 0) / 3)
    assert out.loc["micro avg", "support"] == 4


def test_purity():
    assert fb.purity(["a", "b", "a", "b"], [0, 0, 1, 1]) == 0.5


# --------------------------------------------------------------------------------------------------------------
# topics


@pytest.fixture(scope="module")
def tweets():
    raw = fb.read_feedback(DATA / "airline_tweets.csv.gz", id="tweet_id", date="tweet_created", touchpoint="airline",
                           labels=["airline_sentiment", "negativereason"])
    negative = raw[raw["airline_sentiment"] == "negative"].head(240)
    return fb.clean_feedback(negative, language=False)


def test_topics_tfidf_backend_end_to_end(tweets):
    result = fb.fit_topics(tweets, n_topics=5, seed=1, embedding_model="tfidf", progress=False)
    assert result.backend.startswith("TF-IDF + SVD")
    docs = result.documents
    assert len(docs) == len(tweets) and sorted(docs["topic"].unique()) == [0, 1, 2, 3, 4]
    assert result.topics["size"].sum() == len(tweets)
    assert result.topics["label"].str.len().gt(0).all()
    assert result.info["outlier_share"] == 0.0
    verbatims = fb.representative_verbatims(result, per_topic=2)
    assert len(verbatims) == 10 and verbatims["rank"].tolist()[:2] == [1, 2]


def test_topics_are_deterministic_and_use_the_cache(tweets, tmp_path, monkeypatch):
    monkeypatch.setenv("CX_CACHE_DIR", str(tmp_path))
    first = fb.fit_topics(tweets, n_topics=4, seed=3, progress=False)
    assert "MiniLM" in first.backend
    assert first.info["embedded"] == len(tweets) and first.info["cached"] == 0
    assert list((tmp_path / "embeddings").glob("*/*.safetensors"))
    second = fb.fit_topics(tweets, n_topics=4, seed=3, progress=False)
    assert second.info["embedded"] == 0 and second.info["cached"] == len(tweets)
    assert second.documents["topic"].tolist() == first.documents["topic"].tolist()
    assert second.topics["label"].tolist() == first.topics["label"].tolist()


def test_embed_texts_cache_is_keyed_by_text(tmp_path, monkeypatch):
    monkeypatch.setenv("CX_CACHE_DIR", str(tmp_path))
    a, info = fb.embed_texts(["lost bag", "late flight"], progress=False)
    assert info["computed"] == 2 and a.shape == (2, 384)
    b, info = fb.embed_texts(["late flight", "rude crew"], progress=False)
    assert info == {**info, "cached": 1, "computed": 1}
    np.testing.assert_allclose(b[0], a[1], rtol=1e-6)


def test_taxonomy_maps_topics_onto_touchpoints(tweets):
    taxonomy = {"Baggage": ["bag", "luggage", "lost bag"], "Delays": ["delayed", "late", "delay"]}
    result = fb.fit_topics(tweets, n_topics=4, seed=0, taxonomy=taxonomy, embedding_model="tfidf", progress=False)
    guesses = set(result.documents["touchpoint_guess"])
    assert guesses <= {"Baggage", "Delays", "other"} and {"Baggage", "Delays"} <= guesses
    bag_texts = result.documents[result.documents["text_clean"].str.contains(r"\bbag", case=False)]
    assert (bag_texts["touchpoint_guess"] == "Baggage").mean() > 0.5
    assert "touchpoint" in result.topics.columns


def test_topic_tables_on_hand_made_documents():
    docs = pd.DataFrame({
        "topic": [0, 0, 1, 1, 1], "topic_label": ["bag", "bag", "delay", "delay", "delay"],
        "touchpoint": ["united", "delta", "united", "united", "delta"],
        "sentiment": ["negative", "neutral", "negative", "negative", "positive"],
        "date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-02", "2024-01-02", "2024-01-02"], utc=True),
    })
    by = fb.topics_by(docs, by="touchpoint")
    united = by[by["touchpoint"] == "united"].set_index("topic")
    assert united.loc[1, "count"] == 2 and united.loc[1, "share"] == pytest.approx(2 / 3)
    over = fb.topics_over_time(docs, period="D")
    assert over.counts["count"].tolist() == [2, 3] and over.counts["share"].tolist() == [1.0, 1.0]
    assert over.undated == 0
    undated = fb.topics_over_time(docs.assign(date=docs["date"].where(docs["topic"] == 1)), period="D")
    assert undated.counts["count"].tolist() == [3] and undated.undated == 2
    sent = fb.sentiment_by_topic(docs).set_index("topic_label")
    assert sent.loc["delay", "negative"] == pytest.approx(2 / 3) and sent.loc["delay", "net"] == pytest.approx(-1 / 3)
    table = fb.topic_table(docs)
    assert table["topic"].tolist() == [1, 0] and table["negative_share"].tolist() == pytest.approx([2 / 3, 0.5])


def test_plots_return_axes(tweets):
    import matplotlib

    matplotlib.use("Agg")
    result = fb.fit_topics(tweets, n_topics=3, seed=0, embedding_model="tfidf", progress=False)
    docs = result.documents.assign(sentiment="negative")
    for ax in (fb.plot_topic_sizes(result.topics), fb.plot_sentiment_by(docs), fb.plot_topics_over_time(docs),
               fb.plot_topics_by(docs)):
        assert ax.has_data() or ax.collections or ax.patches


def test_topic_errors(tweets):
    with pytest.raises(CxInputError, match="text column 'nope'"):
        fb.fit_topics(tweets, text="nope")
    with pytest.raises(CxInputError, match="too few"):
        fb.fit_topics(tweets.head(3), n_topics=5, embedding_model="tfidf")
    with pytest.raises(CxInputError, match="taxonomy"):
        fb.fit_topics(tweets, taxonomy={"x": []}, embedding_model="tfidf", progress=False)


def test_topic_model_saved_as_safetensors(tweets, tmp_path):
    from bertopic import BERTopic

    result = fb.fit_topics(tweets, n_topics=3, seed=0, embedding_model="tfidf", progress=False)
    folder = result.save(tmp_path / "topics")
    names = {p.name for p in folder.iterdir()}
    assert {"ctfidf.safetensors", "topic_embeddings.safetensors", "topics.json"} <= names
    assert not any(n.endswith((".pkl", ".pickle", ".bin")) for n in names)
    loaded = BERTopic.load(str(folder))
    assert len(loaded.get_topic_info()) == 3
