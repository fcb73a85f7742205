"""Reports, the top layer: the papermill runner behind ``cx run`` / ``cx report``, suites, the index page.

The display helpers notebooks use (``say``, ``show``) live on the ground floor, :mod:`cxlib.display`; they are
re-exported here for notebooks that import them with the runner.
"""

from ..display import escape_frame, say, show
from ._publish import publish
from ._runner import RunResult, external_resources, load_params, run_notebook, run_suite, write_index
from ._suite import owner_entries, read_suite

__all__ = [
    "RunResult",
    "escape_frame",
    "external_resources",
    "load_params",
    "owner_entries",
    "publish",
    "read_suite",
    "run_notebook",
    "run_suite",
    "say",
    "show",
    "write_index",
]
