"""Journey analytics on event logs: process maps, variants, drop-offs, branches, loops, hidden waits,
hand-offs, escalations, segments, ideal-vs-actual and the touchpoint table.

Every function takes an event log as :func:`cxlib.read_log` returns it (pm4py column names). Per-case and
per-transition tables come back as tidy pandas DataFrames; an analysis with more to say than one table (totals,
coverage, the rule applied, a second table) returns a small dataclass derived from :class:`cxlib.display.Result`
(:class:`ProcessMap`, :class:`Variants`, :class:`DropOffs`, :class:`Loops`, :class:`Handoffs`,
:class:`Escalations`, :class:`Segments`, :class:`DesignCheck`, :class:`Touchpoints`) whose fields are its tables
and notes, and whose ``show()`` renders it for a report. Columns and fields are documented in the docstrings.
"""

from ._design import (
    Design,
    DesignCheck,
    Stage,
    design_conformance,
    design_from_dict,
    design_stages,
    draw_design,
    read_design,
)
from ._flow import DropOffs, Loops, branches, case_loops, dropoffs, loops
from ._hidden import (
    Escalations,
    Handoffs,
    case_handoffs,
    escalations,
    handoffs,
    repeat_contacts,
    throughput,
    waiting_times,
)
from ._map import ProcessMap, draw_process_map, format_hours, process_map, start_end_touchpoints
from ._plots import plot_dropoff_funnel, plot_segments, plot_waiting_times
from ._segments import Segments, segment_tests, segments
from ._touchpoints import Touchpoints, analyze_journeys, touchpoints
from ._variants import Variants, case_variants, variants
from ._widgets import filter_cases, journey_explorer

__all__ = [
    "Design",
    "DesignCheck",
    "DropOffs",
    "Escalations",
    "Handoffs",
    "Loops",
    "ProcessMap",
    "Segments",
    "Stage",
    "Touchpoints",
    "Variants",
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
