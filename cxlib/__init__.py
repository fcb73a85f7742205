"""cx-workbench helper library: journeys from event logs, voice of the customer, scores, owner reports."""

from importlib.metadata import PackageNotFoundError, version

from ._errors import CxInputError
from .io import LoadReport, load_report, read_log

try:
    __version__ = version("cxlib")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["read_log", "load_report", "LoadReport", "CxInputError", "__version__"]
