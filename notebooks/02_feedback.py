# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python (cx-workbench)
#     language: python
#     name: cx-workbench
# ---

# %% [markdown]
# # Voice of the customer: what customers talk about, how they feel, and whether it matters
#
# This report loads open feedback, cleans it (personal data redacted), decides relevance and sentiment,
# finds topics with BERTopic offline, and shows them by touchpoint and over time. Where the data has gold
# labels, every model is scored against them.

# %% tags=["parameters"]
interactive = True
title = ""  # report heading; empty: the demo's title for the demo file, else "Voice of the customer: FILE"
feedback_file = "data/airline_tweets.csv.gz"  # the feedback table (CSV, Excel, Parquet), relative to the repository root
columns = None  # standard column -> source column, e.g. {"text": "comment", "date": "when"}; None: the demo's for the demo file, else {}
labels = None  # gold-label columns kept from the file; None: the demo's for the demo file, else []
feedback_options = {}  # e.g. {"dayfirst": True} or {"date_format": "%d/%m/%Y %H:%M"}
sample = None  # explore quickly: a random sample of this many feedback documents (seed `seed`), None: all, in [1, inf)
languages = ["en", "de"]  # candidates for language detection
train_file = None  # a labelled file to train the classifiers on (e.g. GermEval dev); None: use `feedback_file` itself
relevance_label = None  # gold relevance column (true/false): a relevance classifier is trained and scored
relevant_only = False  # keep only relevant texts (gold label where there is one) for sentiment and topics
sentiment_label = None  # gold sentiment column; None: the demo's for the demo file, else score-supervised or VADER
score_scale = None  # "nps" / "stars5": learn sentiment from the score column when there is no sentiment label
classifier_text = "text_clean"  # text the classifiers read: text_clean (cleaned) or text (as written)
relevance_classifier = {}  # TextClassifier options for relevance, e.g. {"nb_weighting": True, "C": 1.0}
sentiment_classifier = {}  # TextClassifier options for sentiment; {} for the defaults
topic_filter = None  # topics on a subset, e.g. {"sentiment": "negative"}; None: the demo's for the demo file, else all
topic_label = None  # gold topic column for the evaluation; None: the demo's for the demo file, else none
topic_label_ignore = []  # gold topic values left out of the evaluation (e.g. "Can't Tell")
topic_label_sep = None  # separator of multi-label topic columns (GermEval aspect_categories: ";")
topic_dominant = None  # a dominant class to leave out in a second evaluation row ("auto" finds it)
language = "english"  # stop words: english, german or both
embedding_model = "auto"  # auto (installed MiniLM), a local model folder, or tfidf
n_topics = 10
seed = 0
period = "D"  # D, W, M
taxonomy = {}  # touchpoint -> seed words (guided topics); {} for none

# %%
import os
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
from IPython.display import display

from cxlib import feedback as fb
from cxlib.display import say, show
from cxlib.report import project_root

os.chdir(project_root())  # the paths in the parameters are relative to the repository root, wherever the kernel runs
warnings.filterwarnings("ignore", category=FutureWarning)
# The demo's title, columns and labels apply only to the demo file; another file starts from none of them.
demo_file = Path(feedback_file).resolve() == Path("data/airline_tweets.csv.gz").resolve()
if demo_file:
    title = title or "Voice of the customer: US airline tweets (Feb 2015)"
    columns = {"id": "tweet_id", "date": "tweet_created", "touchpoint": "airline"} if columns is None else columns
    labels = ["airline_sentiment", "negativereason"] if labels is None else labels
    sentiment_label = "airline_sentiment" if sentiment_label is None else sentiment_label
    topic_filter = {"airline_sentiment": "negative"} if topic_filter is None else topic_filter
    topic_label = "negativereason" if topic_label is None else topic_label
title, columns, labels = title or f"Voice of the customer: {Path(feedback_file).name}", columns or {}, labels or []
# A gold column named like an output column (sentiment) is kept apart, so predictions never overwrite it.
gold_names = {name: f"{name}_gold" for name in labels if name in ("sentiment", "topic", "language")}
labels = {name: gold_names.get(name, name) for name in labels}
sentiment_label, relevance_label, topic_label = (gold_names.get(n, n) for n in (sentiment_label, relevance_label,
                                                                                  topic_label))
raw, raw_report = fb.read_feedback(feedback_file, **columns, labels=labels, with_report=True, **feedback_options)
display(say("<b>{title}</b>: {n:,} texts kept from <code>{path}</code>.", title=title, n=len(raw), path=feedback_file))
if sample and sample < len(raw):
    display(say("A random sample of {n:,} of these {total:,} texts (parameter <code>sample</code>): every figure "
                "below describes the sample.", n=sample, total=len(raw)))
    raw = raw.sample(sample, random_state=seed).sort_index()

# %% tags=["appendix"]
show(raw_report.to_frame(), caption="Load report: rows read, kept and dropped")

# %% [markdown]
# ## Cleaning and personal data
# Handles, links and HTML entities are removed for the models, emojis become words, repeated texts are
# dropped, and e-mail addresses, phone, IBAN- and card-like numbers are replaced in every text shown below.

# %%
docs, cleaning = fb.clean_feedback(raw, languages=languages, with_report=True)
display(show(fb.cleaning_report_table(cleaning), caption="Cleaning report"))

# %% [markdown]
# ## Relevance
# When relevance labels exist, a classifier is trained (on the training file, cross-validated there) and
# scored on this data: precision, recall and F1 per class.

# %%
train = fb.read_training_feedback(train_file, labels=labels) if train_file else None
relevance = fb.classify_relevance(docs, label=relevance_label, text=classifier_text, train=train,
                                  train_source=train_file, options=relevance_classifier, seed=seed, relevant_only=relevant_only)
display(*relevance.display_items())  # cross-validation, scores against the gold labels, rows kept
docs = relevance.documents

# %% [markdown]
# ## Sentiment
# With gold labels every text gets a prediction from a classifier that did not see it (5-fold, stratified), and
# those predictions are scored against the gold labels, with VADER beside them on the same texts. With a score
# (NPS, stars) sentiment is learnt from the score; otherwise VADER (English) is used.

# %%
sentiment = fb.classify_sentiment(docs, label=sentiment_label, text=classifier_text, train=train,
                                  train_source=train_file, options=sentiment_classifier, score_scale=score_scale, seed=seed)
display(*sentiment.display_items())  # the tables of the method used, then the share of each sentiment
docs = sentiment.documents

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
    fb.plot_topics_over_time(topics.documents, period=period)
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
    display(show(agreement.agreement, caption=f"Topics against {topic_label}"
                 + (f" (without {', '.join(topic_label_ignore)})" if topic_label_ignore else "")))
else:
    display(say("No gold topic labels in this data."))

# %% tags=["summary"]
from cxlib.report import feedback_summary  # the report opens with this summary (cx run moves it to the top)

feedback_summary(docs, topics=topics.documents, period=period, title=title, topic_scope=(
    "texts with " + ", ".join(f"{k} = {v}" for k, v in topic_filter.items())) if topic_filter else "")

# %% [markdown]
# ## Topic browser (interactive sessions only)

# %%
if interactive:
    display(fb.topic_browser(topics))
