"""From insight to owner: touchpoint model, linking feedback to journeys, critical touchpoints, owner routing."""

from ._association import score_association
from ._critical import (LIGHT_RULE, RANKING_RULE, critical_touchpoints, journey_touchpoint_measures,
                        pain_points, period_changes, touchpoint_log, touchpoint_scores)
from ._dashboard import (DASHBOARD_NOTEBOOK, Dashboard, build_dashboard, owner_links, owner_report_name,
                         owner_slug, read_feedback_table, redact_text, suite_entries)
from ._link import (case_journey_measures, link_by_case, link_by_label, link_by_topic, link_coverage,
                    link_feedback, per_case_table)
from ._model import MEASURES, Touchpoint, TouchpointModel, read_touchpoint_model, validate_touchpoint_model
from ._terms import pain_terms

__all__ = [
    "MEASURES", "Touchpoint", "TouchpointModel", "read_touchpoint_model", "validate_touchpoint_model",
    "case_journey_measures", "link_by_case", "link_by_label", "link_by_topic", "link_feedback", "link_coverage",
    "per_case_table", "score_association",
    "LIGHT_RULE", "RANKING_RULE", "touchpoint_log", "touchpoint_scores",
    "journey_touchpoint_measures", "pain_points", "pain_terms", "period_changes", "critical_touchpoints",
    "Dashboard", "build_dashboard", "read_feedback_table", "redact_text", "owner_slug", "owner_report_name", "owner_links",
    "suite_entries", "DASHBOARD_NOTEBOOK"
]
