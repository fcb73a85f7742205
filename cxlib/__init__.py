"""cx-workbench helper library: journeys from event logs, voice of the customer, scores, owner reports."""

from importlib.metadata import PackageNotFoundError, version

from ._errors import CxInputError

try:
    __version__ = version("cxlib")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["CxInputError", "__version__"]
