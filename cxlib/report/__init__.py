"""Reports: display helpers for notebooks and the papermill runner behind ``cx run`` / ``cx report``."""

from ._display import escape_frame, say, show
from ._publish import publish
from ._runner import RunResult, external_resources, load_params, run_notebook, run_suite, write_index

__all__ = ["say", "show", "escape_frame", "publish", "run_notebook", "run_suite", "write_index",
           "load_params", "external_resources", "RunResult"]
