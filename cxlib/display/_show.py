"""Display helpers for notebooks: everything customer-written is escaped before it reaches HTML."""

from __future__ import annotations

import html

import pandas as pd

from ._present import column_label, present

__all__ = ["escape_frame", "say", "show"]


def escape_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` whose text cells, index and column labels are HTML-escaped.

    Parameters
    ----------
    df : pandas.DataFrame
        Any table, e.g. verbatims with customer text.

    Returns
    -------
    pandas.DataFrame
        The same shape; string cells pass through :func:`html.escape`.

    Examples
    --------
    >>> escape_frame(pd.DataFrame({"text": ["<b>hi</b>"]}))["text"][0]
    '&lt;b&gt;hi&lt;/b&gt;'
    """
    def esc(value):
        return html.escape(value) if isinstance(value, str) else value

    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(esc)
    out.columns = [esc(c) if isinstance(c, str) else c for c in out.columns]
    out.index = out.index.map(esc)
    return out


class _SafeHTML:
    def __init__(self, markup: str, text: str):
        self._markup = markup
        self._text = text

    def _repr_html_(self) -> str:
        return self._markup

    def __repr__(self) -> str:
        return self._text


def say(template: str, /, **values) -> _SafeHTML:
    """A paragraph for the reader, with ``{name}`` fields filled by HTML-escaped values.

    The template itself is written by the notebook author and may use ``<b>``, ``<i>`` and ``<code>``;
    every value is escaped, so customer text cannot inject markup or scripts.

    Parameters
    ----------
    template : str
        Text with ``str.format`` fields.
    **values
        Values for the fields; formatted with ``format`` specs, then escaped.

    Returns
    -------
    object
        An object Jupyter renders as HTML.

    Examples
    --------
    >>> say("Top complaint: <b>{t}</b>", t="<script>x</script>")._repr_html_()
    '<p>Top complaint: <b>&lt;script&gt;x&lt;/script&gt;</b></p>'
    """
    class _Escaped:
        def __init__(self, v):
            self.v = v

        def __format__(self, spec):
            return html.escape(format(self.v, spec))

    markup = "<p>" + template.format(**{k: _Escaped(v) for k, v in values.items()}) + "</p>"
    return _SafeHTML(markup, template.format(**values))


def show(df: pd.DataFrame, *, caption: str | None = None, max_rows: int = 50, precision: int | None = None,
         labels: dict | None = None) -> _SafeHTML:
    """Render a table for a reader as escaped HTML (all cells, labels and the caption are escaped).

    The table goes through :func:`cxlib.display.present`: human headers with units, no pandas index, shares as
    percentages, durations by magnitude, dates in the report's time zone, coloured lights, ``Yes``/``No``, an
    empty cell for a missing value. Wide tables scroll inside their own box; in a report the table sorts (click
    a header) and filters (the box above it).

    Parameters
    ----------
    df : pandas.DataFrame
        The table to show.
    caption : str, optional
        A caption above the table.
    max_rows : int, default 50
        Rows shown; a note says how many were left out.
    precision : int, optional
        Digits after the decimal point for plain numbers; chosen by magnitude when not given.
    labels : dict, optional
        Column headers that replace the automatic ones (``{"value": "NPS"}``).

    Returns
    -------
    object
        An object Jupyter renders as an HTML table.

    Examples
    --------
    >>> "&lt;img" in show(pd.DataFrame({"t": ["<img src=x>"]}))._repr_html_()
    True
    >>> "27.2%" in show(pd.DataFrame({"cumulative_share": [0.272]}))._repr_html_()
    True
    """
    shown = df.head(max_rows)
    empty = [c for c in shown.columns if shown[c].map(lambda v: v is None or (isinstance(v, str) and not v.strip())
                                                     or (pd.api.types.is_scalar(v) and pd.isna(v))).all()]
    if len(shown) and empty:  # a column with no value says nothing; the note below names it
        shown = shown.drop(columns=empty)
    headers, rows = present(shown, precision=precision, labels=labels)
    head = "".join(f'<th scope="col">{h}</th>' for h in headers)
    # short labels (touchpoints, segments) stay on one line; long text (verbatims, paths) wraps
    short = [all(len(row[i][0]) <= 32 for row in rows) for i in range(len(headers))]
    body = []
    for row in rows:
        cells = []
        for i, (markup, value, kind) in enumerate(row):
            sort = "" if value is None else f' data-v="{float(value)!r}"'.replace("inf", "Infinity")
            cls = ("cx-text cx-label" if short[i] else "cx-text") if kind == "text" else \
                "cx-num" if kind in _NUMERIC else f"cx-{kind}-cell"
            cells.append(f'<td class="{cls}"{sort}>{markup}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    markup = (f'<div class="cx-scroll" style="overflow-x:auto;max-width:100%"><table class="cx-table">'
              f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")
    if caption:
        markup = f"<p class='cx-caption'><b>{html.escape(caption)}</b></p>" + markup
    if len(df) > max_rows:
        markup += f"<p class='cx-note'>{len(df) - max_rows:,} more rows not shown.</p>"
    if len(df) and empty:
        markup += (f"<p class='cx-note'>Left out, having no value in any row: "
                   f"{html.escape(', '.join(column_label(c) for c in empty))}.</p>")
    return _SafeHTML(f'<div class="cx-table-block">{markup}</div>', shown.to_string())


_NUMERIC = {"share", "percent", "p", "hours", "days", "int", "number", "timedelta"}
