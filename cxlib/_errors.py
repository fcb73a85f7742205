"""Errors that speak to the analyst."""

from __future__ import annotations


class CxInputError(ValueError):
    """Bad input: names the file, the column (where there is one) and what was expected.

    Raised instead of a bare traceback from deep inside pandas, pm4py or the XML parser.
    """

    def __init__(self, message: str, *, path=None, column: str | None = None):
        self.path = None if path is None else str(path)
        self.column = column
        prefix = f"{self.path}: " if self.path else ""
        super().__init__(prefix + message)
