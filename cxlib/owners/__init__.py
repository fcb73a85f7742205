"""From insight to owner: touchpoint model, linking feedback to journeys, critical touchpoints, owner routing."""

from ._association import ScoreAssociation, score_association
from ._changes import WhatChanged, journey_changes, topic_shifts, what_changed
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
from ._customers import PerCustomerTable, per_customer_table
from ._dashboard import (
    Dashboard,
    build_dashboard,
    owner_links,
    owner_report_name,
    read_dashboard_feedback,
)
from ._drivers import JOURNEY_DRIVERS, journey_drivers
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
from ._model import Touchpoint, TouchpointModel, read_touchpoint_model, validate_touchpoint_model
from ._terms import pain_terms

__all__ = [
    "JOURNEY_DRIVERS",
    "LIGHT_RULE",
    "RANKING_RULE",
    "Dashboard",
    "LinkedFeedback",
    "PerCaseTable",
    "PerCustomerTable",
    "ScoreAssociation",
    "Touchpoint",
    "TouchpointModel",
    "WhatChanged",
    "build_dashboard",
    "case_journey_measures",
    "critical_touchpoints",
    "journey_changes",
    "journey_drivers",
    "journey_touchpoint_measures",
    "link_by_case",
    "link_by_label",
    "link_by_topic",
    "link_coverage",
    "link_feedback",
    "owner_links",
    "owner_report_name",
    "pain_points",
    "pain_terms",
    "per_case_table",
    "per_customer_table",
    "period_changes",
    "read_dashboard_feedback",
    "read_touchpoint_model",
    "score_association",
    "topic_changes",
    "topic_shifts",
    "touchpoint_log",
    "touchpoint_scores",
    "validate_touchpoint_model",
    "what_changed",
]
