"""Journey analytics on event logs: process maps, variants, drop-offs, branches, loops, hidden waits,
hand-offs, escalations, segments, ideal-vs-actual and the touchpoint table.

Every function takes an event log as :func:`cxlib.read_log` returns it (pm4py column names) and returns a tidy
pandas DataFrame whose columns are documented in its docstring.
"""

from ._design import (
    Design,
    Stage,
    design_conformance,
    design_from_dict,
    design_stages,
    draw_design,
    read_design,
)
from ._flow import branches, case_loops, dropoffs, loops
from ._hidden import case_handoffs, escalations, handoffs, repeat_contacts, throughput, waiting_times
from ._map import draw_process_map, format_hours, process_map, start_end_touchpoints
from ._plots import plot_dropoff_funnel, plot_segments, plot_waiting_times
from ._segments import segment_tests, segments
from ._touchpoints import analyze_journeys, touchpoints
from ._variants import case_variants, variants
from ._widgets import filter_cases, journey_explorer

__all__ = [
    "Design",
    "Stage",
    "analyze_journeys",
    "branches",
    "case_handoffs",
    "case_loops",
    "case_variants",
    "design_conformance",
    "design_from_dict",
    "design_stages",
    "draw_design",
    "draw_process_map",
    "dropoffs",
    "escalations",
    "filter_cases",
    "format_hours",
    "handoffs",
    "journey_explorer",
    "loops",
    "plot_dropoff_funnel",
    "plot_segments",
    "plot_waiting_times",
    "process_map",
    "read_design",
    "repeat_contacts",
    "segment_tests",
    "segments",
    "start_end_touchpoints",
    "throughput",
    "touchpoints",
    "variants",
    "waiting_times",
]
