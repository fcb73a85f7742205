"""Scores: NPS, CSAT, CES and sentiment index with intervals, harmonization onto 0-100, targets and
traffic lights, trends with period-change tests, topic drivers, key drivers (Shapley / relative weights) and charts."""

from ..io import read_responses
from ._drivers import topic_impact, topics_pulling_down
from ._fdr import adjust_p_values
from ._harmonize import company_score, harmonize, measure_scores, read_measure_config
from ._keydrivers import KeyDrivers, key_drivers, plot_key_drivers
from ._measures import ces, csat, nps, nps_interval, proportion_interval, score_table, sentiment_index
from ._plots import plot_composition, plot_traffic_lights, plot_trend
from ._targets import read_targets, traffic_lights
from ._trends import period_change, trend
from ._validate import check_scores

__all__ = [
    "KeyDrivers",
    "adjust_p_values",
    "ces",
    "check_scores",
    "company_score",
    "csat",
    "harmonize",
    "key_drivers",
    "measure_scores",
    "nps",
    "nps_interval",
    "period_change",
    "plot_composition",
    "plot_key_drivers",
    "plot_traffic_lights",
    "plot_trend",
    "proportion_interval",
    "read_measure_config",
    "read_responses",
    "read_targets",
    "score_table",
    "sentiment_index",
    "topic_impact",
    "topics_pulling_down",
    "traffic_lights",
    "trend",
]
