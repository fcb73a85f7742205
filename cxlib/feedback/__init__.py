"""Voice of the customer: loading, cleaning, PII redaction, classifiers, BERTopic topics, evaluation."""

from ._classify import (
    TextClassifier,
    cross_validate_text,
    fit_score_sentiment,
    predict_sentiment,
    score_to_sentiment,
    vader_sentiment,
)
from ._clean import (
    PII_KINDS,
    clean_feedback,
    clean_text,
    deduplicate,
    detect_language,
    redact_pii,
    redact_text,
)
from ._read import STANDARD_COLUMNS, FeedbackLoadReport, feedback_load_report, read_feedback

__all__ = [
    "PII_KINDS",
    "STANDARD_COLUMNS",
    "FeedbackLoadReport",
    "TextClassifier",
    "clean_feedback",
    "clean_text",
    "cross_validate_text",
    "deduplicate",
    "detect_language",
    "feedback_load_report",
    "fit_score_sentiment",
    "predict_sentiment",
    "read_feedback",
    "redact_pii",
    "redact_text",
    "score_to_sentiment",
    "vader_sentiment",
]
