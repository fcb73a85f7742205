"""Display helpers for notebooks: everything customer-written is escaped before it reaches HTML."""

from __future__ import annotations

import html

import pandas as pd

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


def show(df: pd.DataFrame, *, caption: str | None = None, max_rows: int = 50, precision: int = 3) -> _SafeHTML:
    """Render a table as escaped HTML (all cells, labels and the caption are escaped).

    Parameters
    ----------
    df : pandas.DataFrame
        The table to show.
    caption : str, optional
        A caption above the table.
    max_rows : int, default 50
        Rows shown; a note says how many were left out.
    precision : int, default 3
        Digits after the decimal point for floats.

    Returns
    -------
    object
        An object Jupyter renders as an HTML table.

    Examples
    --------
    >>> "&lt;img" in show(pd.DataFrame({"t": ["<img src=x>"]}))._repr_html_()
    True
    """
    shown = df.head(max_rows)
    markup = shown.to_html(escape=True, float_format=lambda x: f"{x:,.{precision}f}", border=0,
                           classes="cx-table", na_rep="")
    if caption:
        markup = f"<p class='cx-caption'><b>{html.escape(caption)}</b></p>" + markup
    if len(df) > max_rows:
        markup += f"<p class='cx-note'>{len(df) - max_rows:,} more rows not shown.</p>"
    return _SafeHTML(markup, shown.to_string())
