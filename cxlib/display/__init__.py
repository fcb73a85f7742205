"""The ground floor for everything shown to people: PII redaction and escaping display helpers.

Every analysis package may import it; it imports no other cxlib subpackage but ``cxlib.io``.
"""

from ._show import escape_frame, say, show

__all__ = ["escape_frame", "say", "show"]
