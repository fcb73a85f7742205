"""Reports: display helpers for notebooks and the papermill runner behind ``cx run`` / ``cx report``."""

from ._display import escape_frame, say, show

__all__ = ["say", "show", "escape_frame"]
