"""From insight to owner: touchpoint model, linking feedback to journeys, critical touchpoints, owner routing."""

from ._association import ScoreAssociation, score_association
from ._critical import (
    LIGHT_RULE,
    RANKING_RULE,
    critical_touchpoints,
    journey_touchpoint_measures,
    pain_points,
    period_changes,
    topic_changes,
    touchpoint_log,
    touchpoint_scores,
)
from ._dashboard import (
    Dashboard,
    build_dashboard,
    dashboard_columns,
    owner_links,
    owner_report_name,
    owner_slug,
    read_dashboard_feedback,
    redact_text,
)
from ._link import (
    LinkedFeedback,
    PerCaseTable,
    case_journey_measures,
    link_by_case,
    link_by_label,
    link_by_topic,
    link_coverage,
    link_feedback,
    per_case_table,
)
from ._model import MEASURES, Touchpoint, TouchpointModel, read_touchpoint_model, validate_touchpoint_model
from ._terms import pain_terms

__all__ = [
    "LIGHT_RULE",
    "MEASURES",
    "RANKING_RULE",
    "Dashboard",
    "LinkedFeedback",
    "PerCaseTable",
    "ScoreAssociation",
    "Touchpoint",
    "TouchpointModel",
    "build_dashboard",
    "case_journey_measures",
    "critical_touchpoints",
    "dashboard_columns",
    "journey_touchpoint_measures",
    "link_by_case",
    "link_by_label",
    "link_by_topic",
    "link_coverage",
    "link_feedback",
    "owner_links",
    "owner_report_name",
    "owner_slug",
    "pain_points",
    "pain_terms",
    "per_case_table",
    "period_changes",
    "read_dashboard_feedback",
    "read_touchpoint_model",
    "redact_text",
    "score_association",
    "topic_changes",
    "touchpoint_log",
    "touchpoint_scores",
    "validate_touchpoint_model",
]
