"""The base of every analysis result: tables as DataFrames, notes as typed fields, one way to render.

An analysis that returns more than one table, or a table plus what a reader must know about it (coverage,
totals, the rule that was applied), returns a dataclass derived from :class:`Result`. Its fields are the
tables and the notes; :meth:`Result.show` renders it for a report (escaped HTML), and Jupyter shows it the
same way.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from ._show import _SafeHTML, say, show

__all__ = ["Result"]


@dataclasses.dataclass
class Result:
    """Base class of analysis results; subclasses are dataclasses whose fields are tables and notes.

    A subclass lists what it shows in :meth:`parts`: tables (with captions) and sentences. The default shows
    every DataFrame field under its name and every ``notes`` sentence.

    Examples
    --------
    >>> @dataclasses.dataclass
    ... class Counts(Result):
    ...     table: pd.DataFrame
    ...     notes: list = dataclasses.field(default_factory=list)
    >>> r = Counts(pd.DataFrame({"touchpoint": ["<Call>"], "cases": [3]}), ["Three cases."])
    >>> "&lt;Call&gt;" in r.show()._repr_html_(), "Three cases." in r.show()._repr_html_()
    (True, True)
    """

    def parts(self) -> list:
        """What :meth:`show` renders, in order: objects with ``_repr_html_`` (from ``say`` and ``show``)."""
        out = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, pd.DataFrame):
                out.append(show(value, caption=f.name.replace("_", " ").capitalize()))
        out += [say("{n}", n=note) for note in getattr(self, "notes", None) or []]
        return out

    def show(self) -> _SafeHTML:
        """The result as escaped HTML for a report: its tables and sentences (see :meth:`parts`)."""
        parts = self.parts()
        return _SafeHTML("".join(p._repr_html_() for p in parts), "\n\n".join(repr(p) for p in parts))

    def _repr_html_(self) -> str:
        return self.show()._repr_html_()
