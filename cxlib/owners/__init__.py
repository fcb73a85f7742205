"""From insight to owner: touchpoint model, linking feedback to journeys, critical touchpoints, owner routing."""

from ._link import (case_journey_measures, contacts_journey, link_by_case, link_by_label, link_by_topic,
                    link_coverage, link_feedback, per_case_table)
from ._model import MEASURES, Touchpoint, TouchpointModel, read_touchpoint_model, validate_touchpoint_model

__all__ = [
    "MEASURES", "Touchpoint", "TouchpointModel", "read_touchpoint_model", "validate_touchpoint_model",
    "contacts_journey", "case_journey_measures", "link_by_case", "link_by_label", "link_by_topic",
    "link_feedback", "link_coverage", "per_case_table",
]
