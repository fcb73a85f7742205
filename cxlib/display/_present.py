"""The presentation layer: how a table, a light, a date or a chart reaches a reader.

:func:`cxlib.display.show` renders every table through :func:`present`: human column headers with units, no
pandas index, dates in the report's time zone, shares as percentages, durations in minutes, hours or days by
magnitude, coloured lights, ``Yes``/``No`` for flags and an empty cell for a missing value. Each cell keeps its
raw value for sorting (``data-v``), so the report's tables sort and filter in the browser (the script comes with
the report page, see :mod:`cxlib.report`) and read the same without it.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import os
import re

import numpy as np
import pandas as pd

__all__ = ["LIGHT_COLOURS", "NOISE_LABELS", "column_label", "describe_figure", "describe_svg", "is_noise",
           "light_badge", "present", "report_timezone"]

#: The colour of each traffic light (GitHub's palette: distinguishable for most colour-blind readers with the
#: word beside it).
LIGHT_COLOURS = {"green": "#2da44e", "amber": "#d4a72c", "red": "#cf222e", "grey": "#8c959f"}
_LIGHT_ORDER = {"red": 0, "amber": 1, "green": 2, "grey": 3}

#: Labels that name no actionable class: kept out of rankings of pain points, drivers and priorities.
NOISE_LABELS = frozenset({
    "can't tell", "cant tell", "can not tell", "cannot tell", "unknown", "unlinked", "not linked", "(unlinked)",
    "other", "others", "(other)", "n/a", "na", "none", "no topic", "no reason", "-1", "",
})

# Whole-name headers that the word rules below would not get right.
_HEADERS = {
    "n": "n", "se": "Std. error", "ci_low": "95% CI low", "ci_high": "95% CI high", "p_value": "p-value",
    "q_value": "q-value (FDR)", "p": "p-value", "q": "q-value", "higher_is_better": "Higher is better",
    "min_n": "Min. n", "n_missing": "No score", "n_invalid": "Invalid score", "score_100": "Score (0-100)",
    "score_100_low": "0-100 CI low", "score_100_high": "0-100 CI high", "priority_rank": "Priority",
    "point_only": "Light by the point only", "dof": "Degrees of freedom", "se_change": "Std. error of change",
    "seed_ari": "Agreement across seeds (ARI)", "subsample_ari": "Agreement across subsamples (ARI)",
    "throughput_p_vs_rest": "Throughput p-value (vs. rest)", "n_cases": "Cases", "n_next": "Next steps",
    "n_segments": "Segments", "min_expected": "Min. expected count", "rank": "Rank",
}
_WORDS = {
    "p90": "90th percentile", "p10": "10th percentile", "pct": "%", "ci": "CI", "se": "std. error", "id": "ID",
    "nps": "NPS", "csat": "CSAT", "ces": "CES", "fcr": "first-contact resolution", "ari": "ARI",
    "dropoff": "drop-off", "handoff": "hand-off", "handoffs": "hand-offs", "pingpongs": "ping-pongs",
    "recontact": "re-contact", "recontacts": "re-contacts", "recontacted": "re-contacted", "vs": "vs.",
    "n": "number of", "nb": "NB", "lr": "LR", "url": "URL", "pii": "PII", "f1": "F1",
}
_SHARE_NAME = re.compile(r"(^|_)(share|rate|probability|coverage|proportion)$|^(share|pct)_|_share_")
_P_NAME = re.compile(r"(^|_)(p|q|p_value|q_value|pvalue|p_adj)$|_p_vs_|^p_")
_HOURS_NAME = re.compile(r"(_h|_hours)$")
_DAYS_NAME = re.compile(r"(_d|_days)$")
_LINEBREAK = re.compile(r"\r\n|\r|\n|\\n")


def report_timezone() -> str:
    """The time zone dates are shown in: ``$CX_TIMEZONE`` (an IANA name such as ``Europe/Rome``), else UTC."""
    return os.environ.get("CX_TIMEZONE") or "UTC"


def is_noise(label) -> bool:
    """True for a class that names no actionable cause ("Can't Tell", "unlinked", "other", outliers, blank).

    Parameters
    ----------
    label : object
        A topic, reason or touchpoint label.

    Returns
    -------
    bool
        Whether rankings of pain points and drivers should leave it out.

    Examples
    --------
    >>> is_noise("Can't Tell"), is_noise("outliers: thanks, great"), is_noise("Late Flight")
    (True, True, False)
    """
    if label is None or (isinstance(label, float) and math.isnan(label)):
        return True
    text = str(label).strip().casefold().replace("\u2019", "'")
    return text in NOISE_LABELS or text.startswith("outliers")


def light_badge(light) -> str:
    """HTML of a traffic light: a coloured dot and the word (the colour is inline, so it shows everywhere).

    Parameters
    ----------
    light : str
        ``green``, ``amber``, ``red`` or ``grey``; anything else is shown as escaped text.

    Returns
    -------
    str
        The markup.

    Examples
    --------
    >>> light_badge("red")
    '<span class="cx-light cx-light-red"><span class="cx-dot" style="background:#cf222e"></span>red</span>'
    """
    text = "" if light is None or (isinstance(light, float) and math.isnan(light)) else str(light)
    colour = LIGHT_COLOURS.get(text)
    if colour is None:
        return html.escape(text)
    return (f'<span class="cx-light cx-light-{text}"><span class="cx-dot" style="background:{colour}">'
            f"</span>{text}</span>")


def _duration_unit(hours: pd.Series) -> tuple[str, float]:
    """Minutes, hours or days, chosen by the column's median magnitude; with the divisor from hours."""
    typical = hours.abs().median()
    if pd.isna(typical) or 1 <= typical < 48:
        return "hours", 1.0
    return ("days", 24.0) if typical >= 48 else ("minutes", 1 / 60)


def column_label(name, unit: str | None = None) -> str:
    """A header a reader understands, from a column name (``median_wait_before_h`` -> "Median wait before").

    Parameters
    ----------
    name : object
        The column name.
    unit : str, optional
        A unit to add in brackets ("days").

    Returns
    -------
    str
        The header (plain text, not escaped).

    Examples
    --------
    >>> column_label("median_wait_before_h", "days"), column_label("cumulative_share"), column_label("ci_low")
    ('Median wait before (days)', 'Cumulative share', '95% CI low')
    """
    key = str(name)
    if isinstance(name, tuple):
        key = " ".join(str(part) for part in name if str(part))
    if key in _HEADERS:
        label = _HEADERS[key]
    elif re.fullmatch(r"[a-z0-9_]+", key):
        words = [w for w in key.split("_") if w]
        if words and words[-1] in ("h", "hours", "d", "days") and len(words) > 1:
            words = words[:-1]
        if words and words[-1] == "working":
            words.append("time")
        label = " ".join(_WORDS.get(w, w) for w in words)
        label = label[:1].upper() + label[1:]
    else:
        label = key
    return f"{label} ({unit})" if unit else label


def _format_number(value: float, decimals: int | None) -> str:
    if decimals is None:
        size = abs(value)
        decimals = 0 if size >= 1000 else 1 if size >= 10 else 2 if size >= 0.01 or size == 0 else 4
    return f"{value:,.{decimals}f}"


def _p_value(value: float) -> str:
    return "&lt; 0.001" if value < 0.001 else f"{value:.3f}"


def _is_missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value)) if np.ndim(value) == 0 else False
    except (TypeError, ValueError):
        return False


def _text_cell(value) -> str:
    """Escaped text, line breaks (real or a literal backslash-n) as <br>."""
    parts = _LINEBREAK.split(str(value))
    return "<br>".join(html.escape(part) for part in parts)


def _flatten(df: pd.DataFrame) -> pd.DataFrame:
    """Without a meaningless index: an unnamed integer index is dropped, a named or labelled one becomes columns."""
    out = df
    # an unnamed integer index is row numbering (a filtered RangeIndex too): never shown
    default = out.index.nlevels == 1 and out.index.name is None and pd.api.types.is_integer_dtype(out.index)
    if not default:
        names = [n for n in out.index.names]
        if all(n is None for n in names) and out.index.nlevels == 1:
            out = out.reset_index(names="")
        else:
            out = out.reset_index()
    if isinstance(out.columns, pd.MultiIndex):
        out = out.copy()
        out.columns = [" ".join(str(p) for p in col if str(p) != "") for col in out.columns]
    return out


def _kind(name: str, column: pd.Series) -> str:
    """What a column holds, for formatting: light, bool, date, period, timedelta, share (0-1), percent (0-100),
    p, hours, days, int, number or text."""
    values = column.dropna()
    lname = name.casefold()
    if pd.api.types.is_bool_dtype(column) or (len(values) and values.map(lambda v: isinstance(v, (bool, np.bool_))).all()):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(column):
        return "date"
    if isinstance(column.dtype, pd.PeriodDtype) or (len(values) and values.map(lambda v: isinstance(v, pd.Period)).all()):
        return "period"
    if pd.api.types.is_timedelta64_dtype(column):
        return "timedelta"
    if len(values) and values.map(lambda v: isinstance(v, (pd.Timestamp, dt.datetime))).all():
        return "date"
    if not pd.api.types.is_numeric_dtype(column):
        texts = values.astype(str).str.strip().str.casefold()
        if len(texts) and texts.isin(list(LIGHT_COLOURS)).all() and ("light" in lname or lname == "point_only"
                                                                    or texts.nunique() > 1 or len(texts) > 1):
            return "light"
        return "text"
    numbers = pd.to_numeric(column, errors="coerce").dropna()
    if _P_NAME.search(lname) and (numbers.between(0, 1)).all():
        return "p"
    if _SHARE_NAME.search(lname) and numbers.between(0, 1).all():
        return "share"
    if (_SHARE_NAME.search(lname) or lname.startswith("pct_")) and numbers.between(0, 100).all():
        return "percent"  # already in percent units (e.g. pct_positive, topic_impact's share)
    if _HOURS_NAME.search(lname):
        return "hours"
    if _DAYS_NAME.search(lname):
        return "days"
    if pd.api.types.is_integer_dtype(column) or (len(numbers) and (numbers == numbers.round()).all()
                                                  and numbers.abs().max() < 1e15):
        return "int"
    return "number"


def present(df: pd.DataFrame, *, precision: int | None = None, timezone: str | None = None,
            labels: dict | None = None) -> tuple[list[str], list[list[tuple[str, object, str]]]]:
    """A table as a reader sees it: headers with units, and each cell as (markup, sort value, kind).

    Parameters
    ----------
    df : pandas.DataFrame
        Any analysis table.
    precision : int, optional
        Digits after the decimal point of plain numbers; by magnitude when not given (``1,234``, ``12.3``,
        ``1.23``).
    timezone : str, optional
        The zone dates are shown in; default :func:`report_timezone`.
    labels : dict, optional
        Headers for some columns, overriding :func:`column_label`.

    Returns
    -------
    tuple of (list of str, list of list of tuple)
        The escaped headers, and per row per cell ``(markup, sort value, kind)``: the markup is escaped HTML,
        the sort value a number (or None: sort by the text).

    Examples
    --------
    >>> head, rows = present(pd.DataFrame({"cumulative_share": [0.272], "median_wait_h": [720.0]}))
    >>> head, [cell[0] for cell in rows[0]]
    (['Cumulative share', 'Median wait (days)'], ['27.2%', '30.0'])
    """
    table = _flatten(df)
    zone = timezone or report_timezone()
    headers: list[str] = []
    columns: list[list[tuple[str, object, str]]] = []
    for position, name in enumerate(table.columns):
        column = table.iloc[:, position]
        kind = _kind(str(name), column)
        unit = None
        scale = 1.0
        if kind == "hours":
            unit, scale = _duration_unit(pd.to_numeric(column, errors="coerce"))
            if unit == "days" and "working" in str(name):  # 24 working hours are three working days, not one
                unit, scale = "hours", 1.0
        elif kind == "days":
            unit = "days"
        elif kind == "date":
            stamps = pd.to_datetime(column, errors="coerce", utc=True).dt.tz_convert(zone)
            column = stamps
            with_time = ((stamps.dt.hour != 0) | (stamps.dt.minute != 0)).fillna(False).any()
            unit = zone if with_time else None
        header = (labels or {}).get(name) or column_label(name, unit)
        headers.append(html.escape(str(header)))
        decimals = precision
        if kind == "number" and decimals is None:  # one number of decimals per column, by its typical size
            typical = pd.to_numeric(column, errors="coerce").abs().median()
            decimals = 2 if pd.isna(typical) else 0 if typical >= 1000 else 1 if typical >= 10 else \
                2 if typical >= 0.01 or typical == 0 else 4
        names_of_measures = str(name).casefold() in ("measure", "metric", "kind")
        cells = []
        for value in column:
            if _is_missing(value):
                cells.append(("", None, kind))
                continue
            if kind == "light":
                text = str(value).strip().casefold()
                cells.append((light_badge(text), _LIGHT_ORDER.get(text, 9), kind))
            elif kind == "bool":
                cells.append(("Yes" if bool(value) else "No", int(bool(value)), kind))
            elif kind == "date":
                fmt = "%Y-%m-%d %H:%M" if unit else "%Y-%m-%d"
                cells.append((value.strftime(fmt), value.timestamp(), kind))
            elif kind == "period":
                cells.append((html.escape(str(value)), value.start_time.timestamp(), kind))
            elif kind == "timedelta":
                hours = value.total_seconds() / 3600
                text = f"{hours / 24:,.1f} days" if abs(hours) >= 48 else f"{hours:,.1f} hours"
                cells.append((text, hours, kind))
            elif kind in ("share", "percent", "p", "hours", "days", "int", "number"):
                number = float(value)
                if kind == "share":
                    text = f"{number:.1%}"
                elif kind == "percent":
                    text = f"{number:.1f}%"
                elif kind == "p":
                    text = _p_value(number)
                elif kind in ("hours", "days"):
                    text = _format_number(number / scale, 1 if precision is None else precision)
                elif kind == "int":
                    text = f"{int(number):,}"
                else:
                    text = _format_number(number, decimals)
                cells.append((text, number, kind))
            elif names_of_measures and isinstance(value, str) and re.fullmatch(r"[a-z0-9_]+", value):
                cells.append((html.escape(column_label(value)), None, kind))  # repeat_contact_rate -> Repeat ...
            else:
                cells.append((_text_cell(value), None, kind))
        columns.append(cells)
    rows = [list(row) for row in zip(*columns)] if columns else []
    return headers, rows


# ---- charts -------------------------------------------------------------------------------------------------

def _listing(names: list[str], most: int = 6) -> str:
    names = [n for n in names if n]
    if len(names) <= most:
        return ", ".join(names)
    return ", ".join(names[:most]) + f" and {len(names) - most} more"


def _short(value: float) -> str:
    return _format_number(value, None) if abs(value) < 1e6 else f"{value:.3g}"


def _readable(label: str) -> str:
    """An axis label such as ``sentiment_index`` as words."""
    return column_label(label).lower() if re.fullmatch(r"[a-z0-9_]+", label or "") else (label or "")


def _category_ticks(labels) -> list[str]:
    """Tick labels that name categories (not numbers, not mathtext such as $10^{2}$)."""
    texts = [t.get_text() for t in labels]
    texts = [t for t in texts if t and not t.startswith("$")]
    return [t for t in texts if re.search(r"[^\W\d_]", t)]


def describe_figure(fig) -> str:
    """A sentence describing a matplotlib figure for its alt text: kind, title, axes and the notable values.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.

    Returns
    -------
    str
        E.g. "Bar chart “Drop-offs”: drop-off rate by touchpoint, 3 bars (a, b, c); largest: c (0.5)."

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.barh(["a", "b"], [1, 3]); _ = ax.set_title("Drop-offs"); _ = ax.set_xlabel("cases")
    >>> describe_figure(fig)
    'Bar chart “Drop-offs”: cases by category, 2 bars (a, b); largest: b (3.00).'
    >>> plt.close(fig)
    """
    from matplotlib.collections import PathCollection, QuadMesh
    from matplotlib.container import BarContainer

    sentences = []
    title = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) is not None else ""
    axes = [ax for ax in fig.axes if ax.get_label() != "<colorbar>" and ax.get_visible()]
    for ax in axes:
        name = ax.get_title() or (title if len(axes) == 1 else "")
        quoted = f" “{name}”" if name else ""
        xlabel, ylabel = ax.get_xlabel(), ax.get_ylabel()
        xlabel, ylabel = _readable(xlabel), _readable(ylabel)
        bars = [c for c in ax.containers if isinstance(c, BarContainer)]
        legend = ax.get_legend() or next((child for child in fig.legends), None)
        legend_names = [t.get_text() for t in legend.get_texts()] if legend is not None else []
        drawn = [ln for ln in ax.get_lines() if len(ln.get_xdata()) > 1]
        categories = _category_ticks(ax.get_yticklabels()) or _category_ticks(ax.get_xticklabels())
        boxes = bool(categories) and len(ax.get_lines()) >= 5 * len(categories)
        lines = drawn if drawn and not bars and not boxes else []
        if ax.images or any(isinstance(c, QuadMesh) for c in ax.collections):
            rows = [t.get_text() for t in ax.get_yticklabels()]
            cols = [t.get_text() for t in ax.get_xticklabels()]
            text = f"Heat map{quoted}: {len([r for r in rows if r])} rows ({_listing(rows)})"
            text += f" by {len([c for c in cols if c])} columns" + (f" ({_listing(cols, 3)})" if cols else "")
            sentences.append(text + ".")
        elif bars:
            patches = [p for c in bars for p in c.patches]
            horizontal = bars[0].orientation == "horizontal"
            ticks = [t.get_text() for t in (ax.get_yticklabels() if horizontal else ax.get_xticklabels())]
            ticks = [t for t in ticks if t]
            sizes = [p.get_width() if horizontal else p.get_height() for p in patches]
            measure = (xlabel if horizontal else ylabel) or "value"
            category = (ylabel if horizontal else xlabel) or "category"
            text = f"Bar chart{quoted}: {measure} by {category}, {len(patches)} bars"
            if ticks:
                text += f" ({_listing(ticks)})"
            if len(bars) > 1 and legend_names:
                text += f" in {len(bars)} series ({_listing(legend_names)})"
            if sizes and len(bars) == 1 and len(ticks) == len(sizes):
                i = int(np.nanargmax(np.abs(sizes)))
                text += f"; largest: {ticks[i]} ({_short(sizes[i])})"
            sentences.append(text + ".")
        elif lines:
            ys = np.concatenate([np.asarray(ln.get_ydata(), dtype=float) for ln in lines])
            ys = ys[np.isfinite(ys)]
            names = legend_names or [ln.get_label() for ln in lines if not ln.get_label().startswith("_")]
            text = f"Line chart{quoted}: {ylabel or 'value'} over {xlabel or 'x'}"
            text += f", {len(names)} series ({_listing(names)})" if names else f", {len(lines)} lines"
            if ys.size:
                text += f", from {_short(ys.min())} to {_short(ys.max())}"
            sentences.append(text + ".")
        elif any(isinstance(c, PathCollection) for c in ax.collections):
            points = sum(len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection))
            sentences.append(f"Scatter plot{quoted}: {ylabel or 'y'} against {xlabel or 'x'}, {points} points.")
        elif ax.patches or ax.get_lines():
            y_names, x_names = _category_ticks(ax.get_yticklabels()), _category_ticks(ax.get_xticklabels())
            names = y_names or x_names
            measure = (xlabel if y_names else ylabel) or "value"
            drawn = [ln for ln in ax.get_lines() if len(ln.get_xdata()) > 1]
            if names and len(ax.get_lines()) >= 5 * len(names):
                sentences.append(f"Box plot{quoted}: {measure} for {len(names)} categories ({_listing(names)}).")
            elif drawn:
                sentences.append(f"Line chart{quoted}: {ylabel or 'value'} over {xlabel or 'x'}, {len(drawn)} "
                                 f"line{'s' if len(drawn) > 1 else ''}" + (f" ({_listing(names)})" if names else "")
                                 + ".")
            else:
                sentences.append(f"Chart{quoted}: {measure}" + (f" by {_listing(names)}" if names else "") + ".")
    if not sentences:
        return f"Chart{' “' + title + '”' if title else ''}."
    return " ".join(sentences)


def describe_svg(svg: str, *, what: str = "Diagram") -> str:
    """A sentence describing a Graphviz SVG for its alt text: how many boxes and arrows, and the boxes' names.

    Parameters
    ----------
    svg : str
        The SVG markup (Graphviz output).
    what : str, default "Diagram"
        What the diagram is ("Process map").

    Returns
    -------
    str
        The description.

    Examples
    --------
    >>> svg = ('<g class="node"><title>n0</title><text>a</text></g><g class="node"><title>b</title></g>'
    ...        '<g class="edge"></g>')
    >>> describe_svg(svg, what="Process map")
    'Process map with 2 boxes (a, b) and 1 arrow.'
    """
    names = []
    for group in re.findall(r'<g [^>]*class="node"[^>]*>(.*?)</g>', svg, flags=re.DOTALL):
        texts = re.findall(r"<text[^>]*>(.*?)</text>", group, flags=re.DOTALL)
        title = re.search(r"<title>(.*?)</title>", group, flags=re.DOTALL)
        label = texts[0] if texts else (title.group(1) if title else "")
        names.append(html.unescape(re.sub(r"<[^>]+>", "", label)).strip())
    edges = len(re.findall(r'class="edge"', svg))
    text = f"{what} with {len(names)} box{'es' if len(names) != 1 else ''}"
    if names:
        text += f" ({_listing(names, 12)})"
    return text + f" and {edges} arrow{'s' if edges != 1 else ''}."


def _install_chart_descriptions() -> None:
    """In a Jupyter kernel: every matplotlib figure shown gets an alt text from :func:`describe_figure`.

    The PNG formatter of matplotlib's inline backend is wrapped before each cell runs (it is registered when
    pyplot is first used), adding ``{"alt": ...}`` to the image's metadata; the report template writes it as the
    image's ``alt`` attribute. Outside a kernel this does nothing.
    """
    import sys

    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    if shell is None or not hasattr(shell, "display_formatter") or getattr(shell, "_cx_alt_texts", False):
        return

    def wrap(*_):
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is not None and hasattr(pyplot, "_get_backend_mod"):
            try:  # load the backend now, so that its formatter exists before a cell's plt.show() uses it
                pyplot._get_backend_mod()
            except Exception:  # noqa: BLE001 - no backend: nothing to describe
                return
        figure_module = sys.modules.get("matplotlib.figure")
        formatter = shell.display_formatter.formatters.get("image/png")
        if figure_module is None or formatter is None:
            return
        try:
            current = formatter.lookup_by_type(figure_module.Figure)
        except KeyError:
            return
        if getattr(current, "_cx_alt", False):
            return

        def with_alt(fig, _inner=current):
            data = _inner(fig)
            metadata = {}
            if isinstance(data, tuple):
                data, metadata = data
            try:
                metadata = {**(metadata or {}), "alt": describe_figure(fig)}
            except Exception:  # noqa: BLE001 - a description must never stop a figure from showing
                return data
            return data, metadata

        with_alt._cx_alt = True
        formatter.for_type(figure_module.Figure, with_alt)

    shell.events.register("pre_run_cell", wrap)
    # the inline backend registers its formatter when a cell draws the first figure; this post_execute
    # callback comes before the backend's (registered later), which then shows that cell's figures
    shell.events.register("post_execute", wrap)
    shell._cx_alt_texts = True
    wrap()
