"""The summary a report opens with: headline tiles, what needs attention, what changed, the top pain point and
what to do next. The figures come from the analyses (see :mod:`cxlib.report` for the builders); this module
only renders them, escaping every value."""

from __future__ import annotations

import dataclasses
import html

import pandas as pd

from ._present import LIGHT_COLOURS, light_badge
from ._result import Result
from ._show import _SafeHTML

__all__ = ["Summary", "Tile"]

_TINT = {"green": "#dafbe1", "amber": "#fff8c5", "red": "#ffebe9", "grey": "#f6f8fa", "": "#f6f8fa"}


@dataclasses.dataclass
class Tile:
    """One headline figure of a summary.

    Attributes
    ----------
    label : str
        What the figure is ("Flight: sentiment index").
    value : str
        The figure as the reader should read it ("-79.6").
    light : str
        ``green``, ``amber``, ``red``, ``grey`` (not enough data), or ``""`` for a figure without a target.
    detail : str
        One short line under the figure ("target -40 · 95% CI -81.2 to -77.9 · n 4,264").
    """

    label: str
    value: str
    light: str = ""
    detail: str = ""

    def html(self) -> str:
        esc = html.escape
        border = LIGHT_COLOURS.get(self.light, "#d0d7de")
        badge = f'<div class="cx-tile-light">{light_badge(self.light)}</div>' if self.light else ""
        # the inline style keeps the tile readable where the report's style sheet is absent (JupyterLab)
        return (f'<div class="cx-tile cx-tile-{esc(self.light or "plain")}" style="border-top:6px solid {border};'
                f'background:{_TINT.get(self.light, "#f6f8fa")};display:inline-block;vertical-align:top;'
                f'min-width:9em;margin:0 0.4em 0.4em 0;padding:0.3em 0.6em">'
                f'<div class="cx-tile-label">{esc(self.label)}</div>'
                f'<div class="cx-tile-value" style="font-size:1.4em;font-weight:600">{esc(self.value)}</div>{badge}'
                f'<div class="cx-tile-detail">{esc(self.detail)}</div></div>')


@dataclasses.dataclass
class Summary(Result):
    """What a stakeholder needs from a report in a minute, computed from its results.

    Built by the summary functions of :mod:`cxlib.report` (``dashboard_summary``, ``scores_summary``,
    ``feedback_summary``, ``journeys_summary``); ``show()`` renders it as the section a report opens with (the
    report runner moves it to the top of the page).

    Attributes
    ----------
    title : str
        What the report is about.
    tiles : list of Tile
        The headline figures, with their lights against target where there is one.
    attention : list of str
        The touchpoints that need attention (red against target, or the top priorities) with their owners.
    attention_title : str
        The heading of ``attention``.
    changes : list of str
        The largest significant changes (or differences), one sentence each.
    changes_title : str
        The heading of ``changes``.
    pain_point : str
        The top actionable pain point, as a sentence.
    verbatim : str
        One customer verbatim for it, PII redacted ("" when the data has no free text).
    next_steps : list of str
        What to do next: three to five plain sentences.
    notes : list of str
        How the figures were chosen (rules, what was left out).

    Examples
    --------
    >>> s = Summary("Demo", [Tile("NPS", "-12", "red", "target 0")], attention=["Billing (Finance): red"],
    ...             next_steps=["Ask Finance to look at billing."])
    >>> "cx-summary" in s.show()._repr_html_() and "Ask Finance" in s.show()._repr_html_()
    True
    """

    title: str
    tiles: list = dataclasses.field(default_factory=list)
    attention: list = dataclasses.field(default_factory=list)
    attention_title: str = "Needs attention"
    changes: list = dataclasses.field(default_factory=list)
    changes_title: str = "Largest significant changes"
    pain_point: str = ""
    verbatim: str = ""
    next_steps: list = dataclasses.field(default_factory=list)
    notes: list = dataclasses.field(default_factory=list)

    def parts(self) -> list:
        """The summary section (one block)."""
        return [self._section()]

    def _section(self) -> _SafeHTML:
        esc = html.escape

        def items(lines):
            return "<ul>" + "".join(f"<li>{esc(line)}</li>" for line in lines) + "</ul>"

        tiles = "".join(tile.html() for tile in self.tiles)
        columns = []
        if self.attention:
            columns.append(f"<div><h3>{esc(self.attention_title)}</h3>{items(self.attention)}</div>")
        if self.changes:
            columns.append(f"<div><h3>{esc(self.changes_title)}</h3>{items(self.changes)}</div>")
        if self.pain_point:
            quote = (f'<blockquote class="cx-verbatim">“{esc(self.verbatim)}”</blockquote>'
                     if self.verbatim else "")
            columns.append(f"<div><h3>Top pain point</h3><p>{esc(self.pain_point)}</p>{quote}</div>")
        steps = " ".join(esc(step) for step in self.next_steps)
        notes = (f'<p class="cx-summary-notes">{" ".join(esc(n) for n in self.notes)}</p>' if self.notes else "")
        markup = (f'<section class="cx-summary" id="summary" aria-label="Summary">'
                  f'<h2 class="cx-summary-title">Summary: {esc(self.title)}</h2>'
                  f'<div class="cx-tiles">{tiles}</div>'
                  + (f'<div class="cx-summary-cols">{"".join(columns)}</div>' if columns else "")
                  + (f'<div class="cx-next"><h3>What to do next</h3><p>{steps}</p></div>' if steps else "")
                  + notes + "</section>")
        return _SafeHTML(markup, self._text())

    def _text(self) -> str:
        lines = [f"Summary: {self.title}"]
        lines += [f"- {t.label}: {t.value}" + (f" ({t.light})" if t.light else "")
                  + (f", {t.detail}" if t.detail else "") for t in self.tiles]
        if self.attention:
            lines += [self.attention_title + ":"] + [f"  {a}" for a in self.attention]
        if self.changes:
            lines += [self.changes_title + ":"] + [f"  {c}" for c in self.changes]
        if self.pain_point:
            lines.append(f"Top pain point: {self.pain_point}" + (f' "{self.verbatim}"' if self.verbatim else ""))
        if self.next_steps:
            lines.append("What to do next: " + " ".join(self.next_steps))
        return "\n".join(lines)

    def table(self) -> pd.DataFrame:
        """The tiles as a table (label, value, light, detail)."""
        return pd.DataFrame([dataclasses.asdict(t) for t in self.tiles], columns=["label", "value", "light",
                                                                                  "detail"])
