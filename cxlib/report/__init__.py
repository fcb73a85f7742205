"""Reports, the top layer: the papermill runner behind ``cx run`` / ``cx report``, suites, the index page.

The display helpers notebooks use (``say``, ``show``) live on the ground floor, :mod:`cxlib.display`; they are
re-exported here for notebooks that import them with the runner.
"""

from ..display import escape_frame, say, show
from ._browser import write_screenshots
from ._lab import project_root, start_lab
from ._publish import publish
from ._runner import RunResult, external_resources, run_notebook, run_suite
from ._suite import owner_entries
from ._summary import dashboard_summary, feedback_summary, journeys_summary, scores_summary

__all__ = [
    "RunResult",
    "dashboard_summary",
    "escape_frame",
    "external_resources",
    "feedback_summary",
    "journeys_summary",
    "owner_entries",
    "project_root",
    "publish",
    "run_notebook",
    "run_suite",
    "say",
    "scores_summary",
    "show",
    "start_lab",
    "write_screenshots",
]
