"""Shared docstring components: a parameter used in many public functions is described once, here.

As in seaborn's ``_docstrings.py``, a numpydoc docstring names the shared text with a placeholder on a line
of its own, and :func:`share_docs` puts the text there when the module is imported::

    @share_docs
    def waiting_times(log, *, case_key=CASE, activity_key=ACTIVITY, timestamp_key=TIMESTAMP):
        '''Every wait between two consecutive touchpoints of a case.

        Parameters
        ----------
        {log}
        {log_keys}
        ...
        '''

The filled docstring is an ordinary one: ``help()``, ``inspect.getdoc`` and the doctests see the complete
text, indented like the placeholder. Only a line that holds nothing but ``{name}`` is a placeholder, so braces
anywhere else (``{"a": 1}`` in an example, ``{source: new_name}`` in prose) stay as written; a placeholder
whose name is not known raises at import time.

A component is a numpydoc block of one or more parameters, or a description alone, placed under a parameter
line written in the docstring where the parameter's name differs between functions. Components of one module
only are passed to the decorator (``@share_docs(model_data=_MODEL_DATA)``). The example components
(``example_*``) are the doctest lines that several examples start from; the comment above each says which
names it defines.

This module sits below every layer of the package and imports nothing from it.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from typing import TypeVar

Documented = TypeVar("Documented")

_PLACEHOLDER = re.compile(r"^(?P<indent>[ \t]*)\{(?P<name>[A-Za-z_]\w*)\}[ \t]*$", re.MULTILINE)


def _blocks(**texts: str) -> dict[str, str]:
    """The texts without their common indentation and surrounding blank lines."""
    return {name: textwrap.dedent(text).strip("\n") for name, text in texts.items()}


SHARED: dict[str, str] = _blocks(
    # ---- reading files (cxlib.io) ----
    read_options="""
        sep, encoding : str, optional
            CSV delimiter and encoding; detected when not given.
        quoting : {"minimal", "none"}, default "minimal"
            ``"none"`` reads ``"`` in a CSV as plain text.
        sheet : int or str, default 0
            Excel sheet.
        """,
    # a description only, under the parameter line (``timestamp_format`` in read_log, ``date_format`` in
    # read_feedback)
    strftime_format="""
        A ``strftime`` format of the dates (e.g. ``"%d/%m/%Y %H:%M"``); otherwise each value's format is
        recognised (ISO 8601, numeric day/month forms, month names) and counted in the load report.
        """,
    with_report="""
        with_report : bool, default False
            Return ``(table, report)``: the table and its :class:`cxlib.io.LoadReport` (rows read, kept and
            dropped with reasons and lines, the column mapping, counts and notes; it shows as a table in a
            notebook).
        """,
    dayfirst="""
        dayfirst : bool, optional
            Day-first (``True``) or month-first (``False``) for numeric dates. By default the column decides
            (a first field > 12 means day-first); an ambiguous column is refused with examples.
        """,
    source_timezone="""
        source_timezone : str, optional
            Time zone of dates written without an offset (e.g. ``"Europe/Amsterdam"``), also when other values
            carry one; default UTC. Local times that do not exist or occur twice (DST) are dropped with their
            reason.
        """,
    id_variants="""
        id_variants : {"keep", "join"}, default "keep"
            Case ids that differ only by leading zeros (``7``, ``007``) are reported and kept apart;
            ``"join"`` makes them one.
        """,
    # ---- event logs (journeys, owners) ----
    log="""
        log : pandas.DataFrame
            Event log as :func:`cxlib.read_log` returns it (pm4py's column names).
        """,
    log_keys="""
        case_key, activity_key, timestamp_key : str
            Column names of case id, touchpoint (activity) and timestamp; pm4py's ``case:concept:name``,
            ``concept:name`` and ``time:timestamp`` by default.
        """,
    # the attribute every journeys result has (under "Attributes")
    dropped_rows="""
        dropped_rows : dict
            Rows of the log left out (no case, activity or timestamp), by reason; empty when none.
        """,
    log_keys_resource="""
        case_key, activity_key, timestamp_key, resource_key : str
            Column names of case id, touchpoint (activity), timestamp and resource; pm4py's
            ``case:concept:name``, ``concept:name``, ``time:timestamp`` and ``org:resource`` by default.
        """,
    success_ends="""
        success_ends : str or list of str, optional
            Touchpoints at which a journey ends successfully; inferred when not given (see
            :func:`cxlib.journeys.dropoffs`).
        infer_min_share : float, default 0.2
            Threshold for inferring successful ends.
        """,
    escalation_pattern="""
        escalation_pattern : str, default ``"2nd|3rd"``
            Regular expression marking escalated values.
        """,
    window_days="""
        window_days : float, default 7
            Window for repeated contacts, in days (see :func:`cxlib.journeys.repeat_contacts`).
        """,
    calendar="""
        calendar : Calendar or dict, optional
            A working-hours calendar (:func:`cxlib.journeys.working_calendar`, or its keywords as a dict): the
            waits are also given in working hours, beside calendar time.
        """,
    # ---- responses and measures (scores, owners) ----
    df_responses="""
        df : pandas.DataFrame
            One row per response.
        """,
    score="""
        score : str, default "score"
            Column with the raw score.
        """,
    score_or_label="""
        score : str, default "score"
            Column with the raw score (the sentiment label for a sentiment measure).
        """,
    by="""
        by : str or list of str, optional
            Grouping columns (touchpoint, segment, channel, ...); missing group keys form their own group.
        """,
    bootstrap_seed="""
        seed : int, default 0
            Seed of the bootstrap (the same seed gives the same interval).
        """,
    level="""
        level : float, default 0.95
            Confidence level of the intervals (between 0 and 1).
        """,
    # ---- text classifiers (feedback) ----
    estimator="""
        estimator : scikit-learn classifier, optional
            Default :class:`cxlib.feedback.TextClassifier` with its defaults.
        """,
    folds_seed="""
        folds : int, default 5
            Number of folds (stratified by label).
        seed : int, default 0
            Shuffle seed of the folds.
        """,
    # ---- the Examples section of demo data that several examples start from (its heading and doctest
    # lines, each saying what it defines) ----
    # cxlib, cj (cxlib.journeys), log (the helpdesk event log: 4,580 tickets, 21,348 events)
    example_helpdesk="""
        Examples
        --------
        >>> import cxlib, cxlib.journeys as cj
        >>> log = cxlib.read_log("data/helpdesk.xes.gz")
        """,
    # pd, read_touchpoint_model, model (the airline touchpoint model), tweets (the airline tweets as exported)
    example_airline="""
        Examples
        --------
        >>> import pandas as pd
        >>> from cxlib.owners import read_touchpoint_model
        >>> model = read_touchpoint_model("notebooks/touchpoints/airline.yml")
        >>> tweets = pd.read_csv("data/airline_tweets.csv.gz")
        """,
    # pd, read_log, log (the complaints event log: one case per customer, activity = complaint subtheme)
    example_complaints_log="""
        Examples
        --------
        >>> import pandas as pd
        >>> from cxlib import read_log
        >>> log = read_log("data/bpic2016_complaints.csv", case="CustomerID", activity="ComplaintSubtheme_EN",
        ...                timestamp="ContactDate", resource="ContactChannelID")
        """,
    # pd, tweets (the airline tweets as exported: ``airline``, ``airline_sentiment``, ``tweet_created``, ...)
    example_tweets="""
        Examples
        --------
        >>> import pandas as pd
        >>> tweets = pd.read_csv("data/airline_tweets.csv.gz")
        """,
    # ---- plots ----
    ax="""
        ax : matplotlib.axes.Axes, optional
            Where to draw; a new figure when not given.
        """,
)
# whole Parameters sections of the functions that take only the log (and a calendar) and the column keys
SHARED["log_parameters"] = "\n".join(["Parameters", "----------", SHARED["log"], SHARED["log_keys"]])
SHARED["log_calendar_parameters"] = "\n".join(["Parameters", "----------", SHARED["log"], SHARED["calendar"],
                                               SHARED["log_keys"]])


def fill_docstring(doc: str, components: dict[str, str], *, where: str = "the docstring") -> str:
    """``doc`` with every whole-line placeholder ``{name}`` replaced by ``components[name]``.

    Each line of the component is indented like the placeholder. A placeholder whose name is not in
    ``components`` raises a ``ValueError`` naming ``where``.
    """
    def replace(match: re.Match) -> str:
        name, indent = match["name"], match["indent"]
        if name not in components:
            known = ", ".join(sorted(components))
            raise ValueError(f"{where}: no shared docstring component {{{name}}} (known: {known})")
        return "\n".join(indent + line if line else line for line in components[name].splitlines())

    return _PLACEHOLDER.sub(replace, doc)


def share_docs(documented: Documented | None = None, /, **extra: str) -> Documented | Callable:
    """Fill the placeholders of a function's or class's docstring with the shared components.

    Use as ``@share_docs``, or as ``@share_docs(name=text, ...)`` to add components of one module (numpydoc
    blocks like those in :data:`SHARED`; a name of :data:`SHARED` cannot be redefined). The object itself is
    returned, its signature untouched. Under ``python -OO`` (no docstrings) nothing is done.
    """
    clash = sorted(set(extra) & set(SHARED))
    if clash:
        raise ValueError(f"share_docs: {', '.join(clash)} already described in cxlib._docstrings.SHARED")
    components = {**SHARED, **_blocks(**extra)}

    def fill(obj: Documented) -> Documented:
        if obj.__doc__:
            where = f"{obj.__module__}.{obj.__qualname__}"
            obj.__doc__ = fill_docstring(obj.__doc__, components, where=where)
        return obj

    return fill if documented is None else fill(documented)
