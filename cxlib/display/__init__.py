"""The ground floor for everything shown to people: PII redaction, escaping display helpers and the
presentation layer (readable tables, lights, alt texts, the report summary).

Every analysis package may import it; it imports no other cxlib subpackage but ``cxlib.io``.
"""

from ._present import (
    NOISE_LABELS,
    _install_chart_descriptions,
    column_label,
    describe_figure,
    describe_svg,
    is_noise,
    light_badge,
    present,
)
from ._redact import PHONE_REGIONS, PII_KINDS, redact, redact_series, redact_values
from ._result import Result
from ._show import escape_frame, say, show
from ._summary import Summary, Tile

__all__ = ["NOISE_LABELS", "PHONE_REGIONS", "PII_KINDS", "Result", "Summary", "Tile", "column_label",
           "describe_figure", "describe_svg", "escape_frame", "is_noise", "light_badge", "present", "redact",
           "redact_series", "redact_values", "say", "show"]

_install_chart_descriptions()  # in a Jupyter kernel: alt texts for matplotlib figures
