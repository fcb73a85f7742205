"""Reports: display helpers for notebooks and the papermill runner behind ``cx run`` / ``cx report``."""

from ._display import escape_frame, say, show
from ._publish import publish
from ._runner import RunResult, external_resources, load_params, run_notebook, run_suite, write_index

__all__ = [
           "RunResult",
           "escape_frame",
           "external_resources",
           "load_params",
           "publish",
           "run_notebook",
           "run_suite",
           "say",
           "show",
           "write_index",
]
