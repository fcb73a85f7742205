"""Journey analytics on event logs: process maps, variants, drop-offs, branches, loops, hidden waits,
hand-offs, escalations, segments, ideal-vs-actual and the touchpoint table.

Every function takes an event log as :func:`cxlib.read_log` returns it (pm4py column names). Per-case and
per-transition tables come back as tidy pandas DataFrames; an analysis with more to say than one table (totals,
coverage, the rule applied, a second table) returns a small dataclass derived from :class:`cxlib.display.Result`
(:class:`ProcessMap`, :class:`Variants`, :class:`DropOffs`, :class:`Loops`, :class:`Handoffs`,
:class:`Escalations`, :class:`Segments`, :class:`DesignCheck`, :class:`Touchpoints`) whose fields are its tables
and notes, and whose ``show()`` renders it for a report. Columns and fields are documented in the docstrings.

Beyond one case at a time: :func:`customer_journeys` (a customer's cases across channels, re-contacts,
first-contact resolution; :func:`stitch_logs` joins one log per channel), waits in working time for a
:func:`working_calendar`, :func:`personas` from behaviour, and :func:`segment_differences` with
:func:`draw_difference_map`.
"""

from ._calendar import Calendar, working_calendar, working_hours
from ._convert import convert_log
from ._customers import CustomerJourneys, customer_journeys, stitch_logs
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
from ._differences import SegmentDifferences, draw_difference_map, segment_differences
from ._events import prepare_log
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
from ._personas import Personas, personas
from ._plots import plot_dropoff_funnel, plot_segments, plot_waiting_times
from ._segments import Segments, segment_tests, segments
from ._spark import spark_connect
from ._touchpoints import Touchpoints, analyze_journeys, touchpoints
from ._variants import Variants, case_variants, variants
from ._widgets import filter_cases, journey_explorer, sample_cases

__all__ = [
    "Calendar",
    "CustomerJourneys",
    "Design",
    "DesignCheck",
    "DropOffs",
    "Escalations",
    "Handoffs",
    "Loops",
    "Personas",
    "ProcessMap",
    "SegmentDifferences",
    "Segments",
    "Stage",
    "Touchpoints",
    "Variants",
    "analyze_journeys",
    "branches",
    "case_handoffs",
    "case_loops",
    "case_variants",
    "convert_log",
    "customer_journeys",
    "design_conformance",
    "design_from_dict",
    "design_stages",
    "draw_design",
    "draw_difference_map",
    "draw_process_map",
    "dropoffs",
    "escalations",
    "filter_cases",
    "format_hours",
    "handoffs",
    "journey_explorer",
    "loops",
    "personas",
    "plot_dropoff_funnel",
    "plot_segments",
    "plot_waiting_times",
    "prepare_log",
    "process_map",
    "read_design",
    "repeat_contacts",
    "sample_cases",
    "segment_differences",
    "segment_tests",
    "segments",
    "spark_connect",
    "start_end_touchpoints",
    "stitch_logs",
    "throughput",
    "touchpoints",
    "variants",
    "waiting_times",
    "working_calendar",
    "working_hours",
]
