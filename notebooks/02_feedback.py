# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Voice of the customer: what customers talk about, how they feel, and whether it matters
#
# This report loads open feedback, cleans it (personal data redacted), decides relevance and sentiment,
# finds topics with BERTopic offline, and shows them by touchpoint and over time. Where the data has gold
# labels, every model is scored against them.

# %% tags=["parameters"]
interactive = True
title = "Voice of the customer: US airline tweets (Feb 2015)"
path = "data/airline_tweets.csv.gz"  # relative to the repository root
columns = {"id": "tweet_id", "date": "tweet_created", "touchpoint": "airline"}  # standard column -> source column
labels = ["airline_sentiment", "negativereason"]  # gold-label columns kept from the file
read_options = {}  # e.g. {"dayfirst": True} or {"date_format": "%d/%m/%Y %H:%M"}
languages = ["en", "de"]  # candidates for language detection
train_path = None  # a labelled file to train the classifiers on (e.g. GermEval dev); None: use `path` itself
relevance_label = None  # gold relevance column (true/false): a relevance classifier is trained and scored
relevant_only = False  # keep only relevant texts (gold label where there is one) for sentiment and topics
sentiment_label = "airline_sentiment"  # gold sentiment column; None: score-supervised or VADER
score_scale = None  # "nps" / "stars5": learn sentiment from the score column when there is no sentiment label
classifier_text = "text_clean"  # text the classifiers read: text_clean (cleaned) or text (as written)
relevance_classifier = {}  # TextClassifier options for relevance, e.g. {"nb_weighting": True, "C": 1.0}
sentiment_classifier = {}  # TextClassifier options for sentiment; {} for the defaults
topic_filter = {"airline_sentiment": "negative"}  # topics on a subset, e.g. complaints only; {} for all
topic_label = "negativereason"  # gold topic column for the evaluation; None to skip
topic_label_ignore = []  # gold topic values left out of the evaluation (e.g. "Can't Tell")
topic_label_sep = None  # separator of multi-label topic columns (GermEval aspect_categories: ";")
topic_dominant = None  # a dominant class to leave out in a second evaluation row ("auto" finds it)
language = "english"  # stop words: english, german or both
embedding_model = "auto"  # auto (installed MiniLM), a local model folder, or tfidf
n_topics = 10
seed = 0
time_freq = "D"  # D, W, M
taxonomy = {}  # touchpoint -> seed words (guided topics); {} for none

# %%
import warnings

import matplotlib.pyplot as plt
from IPython.display import display

from cxlib import feedback as fb
from cxlib.report import say, show

warnings.filterwarnings("ignore", category=FutureWarning)
# A gold column named like an output column (sentiment) is kept apart, so predictions never overwrite it.
gold_names = {name: f"{name}_gold" for name in labels if name in ("sentiment", "topic", "language")}
labels = {name: gold_names.get(name, name) for name in labels}
sentiment_label, relevance_label, topic_label = (gold_names.get(n, n) for n in (sentiment_label, relevance_label,
                                                                                  topic_label))
raw = fb.read_feedback(path, **columns, labels=labels, **read_options)
display(say("<b>{title}</b>: {n:,} texts kept from <code>{path}</code>.", title=title, n=len(raw), path=path))
display(show(fb.feedback_load_report(raw).to_frame(), caption="Load report: rows read, kept and dropped"))

# %% [markdown]
# ## Cleaning and personal data
# Handles, links and HTML entities are removed for the models, emojis become words, repeated texts are
# dropped, and e-mail addresses, phone, IBAN- and card-like numbers are replaced in every text shown below.

# %%
docs = fb.clean_feedback(raw, languages=languages)
rep = docs.attrs["cleaning_report"]
cleaning = [("rows in", rep["rows_in"])] + [(f"dropped: {k}", v) for k, v in rep["dropped"].items()]
cleaning += [(f"redacted: {k}", v) for k, v in rep["pii"].items()]
cleaning += [(f"language: {k}", v) for k, v in rep["languages"].items()] + [("rows out", rep["rows_out"])]
display(show(__import__("pandas").DataFrame(cleaning, columns=["item", "count"]), caption="Cleaning report"))

# %% [markdown]
# ## Relevance
# When relevance labels exist, a classifier is trained (on the training file, cross-validated there) and
# scored on this data: precision, recall and F1 per class.

# %%
train = None
if train_path:
    train = fb.clean_feedback(fb.read_feedback(train_path, labels=labels), dedupe=False, drop_empty=False,
                              language=False)
if relevance_label and relevance_label in docs.columns:
    source = train if train is not None else docs
    cv = fb.cross_validate_text(source[classifier_text], source[relevance_label], folds=5, seed=seed,
                                estimator=fb.TextClassifier(**relevance_classifier))
    display(show(cv, caption=f"Relevance: 5-fold cross-validation on {'the training file' if train is not None else 'this data'}"))
    if train is not None:
        model = fb.TextClassifier(**relevance_classifier).fit(train[classifier_text], train[relevance_label])
        docs["relevance_pred"] = model.predict(docs[classifier_text])
    else:
        docs["relevance_pred"] = fb.out_of_fold_predict(docs[classifier_text], docs[relevance_label], seed=seed,
                                                        estimator=fb.TextClassifier(**relevance_classifier))
    display(show(fb.classification_scores(docs[relevance_label], docs["relevance_pred"]),
                 caption="Relevance classifier against the gold labels of this data"))
    if relevant_only:
        gold = docs[relevance_label].astype(str).str.lower()
        keep = gold.eq("true") | (docs[relevance_label].isna() & docs["relevance_pred"].eq("true"))
        display(say("Keeping the <b>{k:,}</b> relevant texts of {n:,} for sentiment and topics.",
                    k=int(keep.sum()), n=len(docs)))
        docs = docs[keep].reset_index(drop=True)
else:
    display(say("No relevance labels in this data: every text is treated as relevant."))

# %% [markdown]
# ## Sentiment
# With gold labels a classifier is trained and scored on a held-out part (stratified 80/20, seed 42), with
# VADER beside it; every text then gets a prediction from a model that did not see it (5-fold). With a score
# (NPS, stars) sentiment is learnt from the score; otherwise VADER (English) is used.

# %%
if sentiment_label and train is not None:
    model = fb.TextClassifier(**sentiment_classifier).fit(train[classifier_text], train[sentiment_label])
    docs["sentiment"] = model.predict(docs[classifier_text])
    source_note = f"classifier trained on {train_path}"
    display(show(fb.classification_scores(docs[sentiment_label], docs["sentiment"]),
                 caption="Sentiment classifier (trained on the training file) against the gold labels"))
elif sentiment_label:
    scores, vader, _ = fb.holdout_evaluate(docs[classifier_text], docs[sentiment_label],
                                           estimator=fb.TextClassifier(**sentiment_classifier))
    display(show(scores, caption="Sentiment classifier on the held-out 20 %"))
    if vader is not None:
        display(show(vader, caption="VADER (no training) on the same 20 %"))
    docs["sentiment"] = fb.out_of_fold_predict(docs[classifier_text], docs[sentiment_label], seed=seed,
                                               estimator=fb.TextClassifier(**sentiment_classifier))
    source_note = "classifier, out-of-fold predictions"
elif score_scale and "score" in docs.columns:
    from_score = fb.score_to_sentiment(docs["score"], scale=score_scale)
    cv = fb.cross_validate_text(docs.loc[from_score.notna(), classifier_text], from_score.dropna(), folds=5,
                                seed=seed, estimator=fb.TextClassifier(**sentiment_classifier))
    display(show(cv, caption=f"Score-supervised sentiment ({score_scale} score -> label): 5-fold cross-validation"))
    docs["sentiment"] = fb.out_of_fold_predict(docs[classifier_text], from_score, seed=seed,
                                               estimator=fb.TextClassifier(**sentiment_classifier))
    known = from_score.notna()
    display(show(fb.classification_scores(from_score[known], fb.vader_sentiment(docs.loc[known, classifier_text])
                                          ["sentiment"]), caption="VADER against the score-derived labels"))
    source_note = f"learnt from the {score_scale} score, out-of-fold predictions"
else:
    docs = fb.predict_sentiment(docs, text=classifier_text)
    source_note = "VADER (English lexicon)"
mix = docs["sentiment"].value_counts(normalize=True)
display(say("Sentiment from the {src}: {neg:.0%} negative, {neu:.0%} neutral, {pos:.0%} positive.",
            src=source_note, neg=mix.get("negative", 0), neu=mix.get("neutral", 0), pos=mix.get("positive", 0)))

# %% [markdown]
# ## Topics
# BERTopic describes topics found by spectral clustering of sentence embeddings (cached on disk) joined with
# the words customers use. The line below says which embedding model was used.

# %%
subset = docs
for column, value in (topic_filter or {}).items():
    subset = subset[subset[column] == value]
subset = subset.reset_index(drop=True)
topics = fb.fit_topics(subset, n_topics=n_topics, seed=seed, language=language, embedding_model=embedding_model,
                       taxonomy=taxonomy or None, progress=interactive)
display(say("{n:,} texts{filt}, {k} topics; vectors: <b>{backend}</b>; texts in no topic: {out:.1%}.",
            n=len(subset), filt=f" ({topic_filter})" if topic_filter else "", k=topics.info["n_topics"],
            backend=topics.backend, out=topics.info["outlier_share"]))
table = fb.topic_table(topics.documents, words=dict(zip(topics.topics["topic"], topics.topics["top_words"].str.split(", "))))
display(show(table, caption="Topics: size, share, top words, negative share" + (", touchpoint" if taxonomy else "")))
fb.plot_topic_sizes(table)
plt.show()

# %% [markdown]
# What each topic sounds like: the texts closest to its centre (personal data redacted).

# %%
display(show(fb.representative_verbatims(topics, per_topic=3, columns=["sentiment", "touchpoint"]),
             caption="Representative verbatims", max_rows=60))

# %% [markdown]
# ## Sentiment by topic and by touchpoint

# %%
fb.plot_sentiment_by(topics.documents, by="topic_label")
plt.show()
if "touchpoint" in docs.columns:
    display(show(fb.sentiment_by_topic(docs, by="touchpoint"), caption="Sentiment by touchpoint (all texts)"))
    fb.plot_sentiment_by(docs, by="touchpoint")
    plt.show()
    fb.plot_topics_by(topics.documents, by="touchpoint")
    plt.show()
else:
    display(say("This data has no touchpoint column."))
if taxonomy:
    display(show(fb.topics_by(topics.documents, by="touchpoint_guess").query("share >= 0.1"),
                 caption="Topics mapped onto the seed-word touchpoints (topics with at least 10 % of a touchpoint)"))

# %% [markdown]
# ## Topics over time

# %%
if "date" in topics.documents.columns and topics.documents["date"].notna().any():
    fb.plot_topics_over_time(topics.documents, freq=time_freq)
    plt.show()
else:
    display(say("This data has no dates, so there is no trend."))

# %% [markdown]
# ## Evaluation against gold topic labels
# NMI and ARI (0 = no agreement) and purity, on all labelled texts and without the dominant class.

# %%
if topic_label and topic_label in topics.documents.columns:
    judged = topics.documents[~topics.documents[topic_label].isin(topic_label_ignore or [])]
    agreement = fb.topic_agreement(judged[topic_label], judged["topic"], dominant=topic_dominant,
                                   multi_sep=topic_label_sep)
    display(show(agreement, caption=f"Topics against {topic_label}"
                 + (f" (without {', '.join(topic_label_ignore)})" if topic_label_ignore else "")))
else:
    display(say("No gold topic labels in this data."))

# %% [markdown]
# ## Topic browser (interactive sessions only)

# %%
if interactive:
    display(fb.topic_browser(topics))
