"""Voice of the customer: loading, cleaning, PII redaction, classifiers, BERTopic topics, evaluation."""

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
    "clean_feedback",
    "clean_text",
    "deduplicate",
    "detect_language",
    "feedback_load_report",
    "read_feedback",
    "redact_pii",
    "redact_text",
]
