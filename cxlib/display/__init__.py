"""The ground floor for everything shown to people: PII redaction and escaping display helpers.

Every analysis package may import it; it imports no other cxlib subpackage but ``cxlib.io``.
"""

from ._redact import PHONE_REGIONS, PII_KINDS, redact, redact_series, redact_values
from ._result import Result
from ._show import escape_frame, say, show

__all__ = ["PHONE_REGIONS", "PII_KINDS", "Result", "escape_frame", "redact", "redact_series", "redact_values", "say", "show"]
