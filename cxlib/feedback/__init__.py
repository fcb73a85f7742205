"""Voice of the customer: loading, cleaning, PII redaction, classifiers, BERTopic topics, evaluation, several
topics and sentiments per comment, topics tracked across periods."""

from ..io import STANDARD_COLUMNS, read_feedback
from ._aspects import AspectModel, Mentions, aspect_scores, find_mentions, parse_aspects, split_segments
from ._classify import (
    TextClassifier,
    cross_validate_text,
    fit_score_sentiment,
    holdout_evaluate,
    out_of_fold_predict,
    predict_sentiment,
    score_to_sentiment,
    vader_sentiment,
)
from ._clean import (
    PII_KINDS,
    clean_feedback,
    clean_text,
    cleaning_report_table,
    deduplicate,
    detect_language,
    redact_pii,
)
from ._embed import embed_texts, export_embedding_model
from ._evaluate import TopicAgreement, classification_scores, purity, topic_agreement
from ._pipeline import ClassificationResult, classify_relevance, classify_sentiment, read_training_feedback
from ._plots import plot_sentiment_by, plot_topic_sizes, plot_topics_by, plot_topics_over_time
from ._topics import (
    TopicResult,
    TopicsOverTime,
    assign_topics,
    fit_topics,
    phrase_labels,
    representative_verbatims,
    sentiment_by_topic,
    topic_table,
    topics_by,
    topics_over_time,
)
from ._tracking import TrackedTopics, match_topics, track_topics
from ._widgets import topic_browser

__all__ = [
    "PII_KINDS",
    "STANDARD_COLUMNS",
    "AspectModel",
    "ClassificationResult",
    "Mentions",
    "TextClassifier",
    "TopicAgreement",
    "TopicResult",
    "TopicsOverTime",
    "TrackedTopics",
    "aspect_scores",
    "assign_topics",
    "classification_scores",
    "classify_relevance",
    "classify_sentiment",
    "clean_feedback",
    "clean_text",
    "cleaning_report_table",
    "cross_validate_text",
    "deduplicate",
    "detect_language",
    "embed_texts",
    "export_embedding_model",
    "find_mentions",
    "fit_score_sentiment",
    "fit_topics",
    "holdout_evaluate",
    "match_topics",
    "out_of_fold_predict",
    "parse_aspects",
    "phrase_labels",
    "plot_sentiment_by",
    "plot_topic_sizes",
    "plot_topics_by",
    "plot_topics_over_time",
    "predict_sentiment",
    "purity",
    "read_feedback",
    "read_training_feedback",
    "redact_pii",
    "representative_verbatims",
    "score_to_sentiment",
    "sentiment_by_topic",
    "split_segments",
    "topic_agreement",
    "topic_browser",
    "topic_table",
    "topics_by",
    "topics_over_time",
    "track_topics",
    "vader_sentiment",
]
