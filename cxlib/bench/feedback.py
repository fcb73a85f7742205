"""``cx bench feedback [--json]``: the voice-of-the-customer figures, measured in one run.

- ``germeval_sentiment_f1`` / ``germeval_relevance_f1``: :class:`cxlib.feedback.TextClassifier` trained on
  GermEval 2017 ``dev`` only (raw document text), micro-F1 on all of ``test_syn``. Both use NB-LR on unit-length
  binary n-grams (``nb_weighting=True, C=10``), read from ``relevance_classifier`` / ``sentiment_classifier`` in
  ``notebooks/params/feedback_germeval.yml``, so the bench measures what the report runs. The setting was chosen
  by cross-validation on ``dev`` (docs/benchmarks.md, "What was tried"). ``germeval_sentiment_cv_f1`` /
  ``germeval_relevance_cv_f1``: 5-fold cross-validated micro-F1 on ``dev`` (seed 0) of the same settings.
- ``airline_sentiment_acc``: the default classifier on the airline tweets after ``clean_feedback`` (repeated texts
  dropped, so no tweet is in both parts), stratified 80/20 split with seed 42, accuracy on the 20%;
  ``airline_vader_acc``: VADER on the same 20%.
- ``airline_topic_nmi``: :func:`cxlib.feedback.fit_topics` (defaults: 10 topics, seed 0) on the negative tweets
  without "Can't Tell", NMI of the topics against ``negativereason``; ``airline_outlier_share`` the share of
  texts left in no topic; ``airline_guided_topic_nmi`` k-means started at the seed words of the taxonomy in
  ``notebooks/params/feedback_airline.yml`` (guided topics).
- ``topics_first_s`` / ``topics_cached_s``: cleaning + :func:`fit_topics` on all 14,640 tweets (no row
  dropped), first with an empty embedding cache, then again from the cache (the model is reloaded too).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def add_arguments(parser) -> None:
    parser.add_argument("--data", default=str(ROOT / "data"), help="folder with the shipped feedback data")
    parser.add_argument("--n-topics", type=int, default=10, help="topics for the airline runs")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the topic model")
    parser.add_argument("--skip-timing", action="store_true", help="leave out topics_first_s/topics_cached_s")


def run(args) -> dict:
    import warnings

    import yaml
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import train_test_split

    from cxlib.feedback import (
        TextClassifier,
        _embed,
        clean_feedback,
        cross_validate_text,
        fit_topics,
        read_feedback,
        topic_agreement,
        vader_sentiment,
    )

    warnings.filterwarnings("ignore")
    data = Path(args.data)
    figures: dict = {}

    # GermEval 2017: dev -> test_syn
    labels = ["relevance", "sentiment"]
    dev = read_feedback(data / "germeval2017_dev.csv.gz", labels=labels, drop_duplicates=False)
    test = read_feedback(data / "germeval2017_test_syn.csv.gz", labels=labels, drop_duplicates=False)
    # The classifier options of the GermEval report, so the bench measures what the report runs.
    germeval = yaml.safe_load((ROOT / "notebooks" / "params" / "feedback_germeval.yml").read_text())
    settings = {"relevance": germeval.get("relevance_classifier") or {},
                "sentiment": germeval.get("sentiment_classifier") or {}}
    for target in labels:
        model = TextClassifier(**settings[target]).fit(dev["text"], dev[target])
        figures[f"germeval_{target}_f1"] = round(float(f1_score(test[target], model.predict(test["text"]),
                                                                average="micro")), 4)
        cv = cross_validate_text(dev["text"], dev[target], estimator=TextClassifier(**settings[target]),
                                 folds=5, seed=0)
        figures[f"germeval_{target}_cv_f1"] = round(float(cv["micro_f1"].iloc[-1]), 4)
    figures["germeval_test_docs"] = len(test)

    # Airline sentiment: documented split
    tweets = read_feedback(data / "airline_tweets.csv.gz", id="tweet_id",
                           labels=["airline_sentiment", "negativereason"])
    clean = clean_feedback(tweets, language=False)
    train, held = train_test_split(clean, test_size=0.2, random_state=42, stratify=clean["airline_sentiment"])
    model = TextClassifier().fit(train["text_clean"], train["airline_sentiment"])
    figures["airline_sentiment_acc"] = round(float(accuracy_score(held["airline_sentiment"],
                                                                  model.predict(held["text_clean"]))), 4)
    figures["airline_vader_acc"] = round(float(accuracy_score(held["airline_sentiment"],
                                                              vader_sentiment(held["text_clean"])["sentiment"])), 4)
    figures["airline_test_tweets"] = len(held)

    old_cache = os.environ.get("CX_CACHE_DIR")
    with tempfile.TemporaryDirectory(prefix="cx-bench-") as tmp:
        os.environ["CX_CACHE_DIR"] = tmp  # an empty cache: the first run really embeds
        try:
            if not args.skip_timing:
                runs = []
                for _ in range(2):
                    _embed._MODELS.clear()  # the re-run loads the model again, as a new session would
                    started = time.perf_counter()
                    everything = read_feedback(data / "airline_tweets.csv.gz", id="tweet_id", drop_duplicates=False)
                    docs = clean_feedback(everything, dedupe=False, drop_empty=False, language=False)
                    result = fit_topics(docs, n_topics=args.n_topics, seed=args.seed, progress=False)
                    runs.append(time.perf_counter() - started)
                figures["topics_docs"] = len(docs)
                figures["topics_first_s"] = round(runs[0], 2)
                figures["topics_cached_s"] = round(runs[1], 2)
                figures["topics_cached_ratio"] = round(runs[1] / runs[0], 4)
                figures["topics_backend"] = result.backend

            negative = clean[(clean["airline_sentiment"] == "negative") & (clean["negativereason"] != "Can't Tell")]
            result = fit_topics(negative, n_topics=args.n_topics, seed=args.seed, progress=False)
            agreement = topic_agreement(negative["negativereason"], result.documents["topic"],
                                        dominant=None).agreement
            figures["airline_topic_nmi"] = round(float(agreement["nmi"].iloc[0]), 4)
            figures["airline_topic_ari"] = round(float(agreement["ari"].iloc[0]), 4)
            figures["airline_outlier_share"] = round(float(result.info["outlier_share"]), 4)
            figures["airline_negative_tweets"] = len(negative)
            params = yaml.safe_load((ROOT / "notebooks" / "params" / "feedback_airline.yml").read_text())
            if params.get("taxonomy"):
                guided = fit_topics(negative, n_topics=args.n_topics, seed=args.seed, progress=False,
                                    taxonomy=params["taxonomy"], clustering="kmeans")
                agreement = topic_agreement(negative["negativereason"], guided.documents["topic"],
                                            dominant=None).agreement
                figures["airline_guided_topic_nmi"] = round(float(agreement["nmi"].iloc[0]), 4)
        finally:
            if old_cache is None:
                os.environ.pop("CX_CACHE_DIR", None)
            else:
                os.environ["CX_CACHE_DIR"] = old_cache
    return figures
