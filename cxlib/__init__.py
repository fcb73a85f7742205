"""cx-workbench helper library: journeys from event logs, voice of the customer, scores, owner reports.

``import cxlib`` is quick: the subpackages (``cxlib.journeys``, ``cxlib.feedback``, ``cxlib.scores``,
``cxlib.owners``, ``cxlib.report``) load when first used.
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

from ._errors import CxInputError
from .io import LoadReport, read_log

try:
    __version__ = version("cxlib")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

_SUBPACKAGES = {"journeys", "feedback", "scores", "owners", "report", "io", "bench"}

__all__ = ["CxInputError", "LoadReport", "__version__", "feedback", "io", "journeys", "owners",
           "read_feedback", "read_log", "report", "scores"]


def __getattr__(name):
    # Lazy: the feedback stack (torch, BERTopic) loads only when feedback is used.
    if name == "read_feedback":
        return import_module(".feedback", __name__).read_feedback
    if name in _SUBPACKAGES:
        return import_module(f".{name}", __name__)
    raise AttributeError(f"module 'cxlib' has no attribute {name!r}")
