"""The CX dashboard: everything the overview and each owner report show, from one touchpoint model."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from dataclasses import dataclass, field, replace

import pandas as pd

from .._docstrings import share_docs
from .._errors import CxInputError
from ..display import Result, light_badge, redact, redact_series, say, show
from ..io import LoadReport, parse_scores, parse_timestamps
from ._association import score_association
from ._critical import (
    critical_touchpoints,
    journey_touchpoint_measures,
    pain_points,
    period_changes,
    topic_changes,
    touchpoint_scores,
)
from ._customers import per_customer_table
from ._insights import dashboard_changes, dashboard_drivers, restrict_changes, text_mentions
from ._link import ACT, CASE, RES, TS, link_coverage, link_feedback, per_case_table
from ._model import TouchpointModel, validate_touchpoint_model
from ._terms import pain_terms

__all__ = [
    "Dashboard",
    "build_dashboard",
    "owner_links",
    "owner_report_name",
    "owner_slug",
    "read_dashboard_feedback",
]


def _redact_counted(text) -> tuple:
    """``(redacted, counts)`` of :func:`cxlib.display.redact` (counts: every kind of ``PII_KINDS``)."""
    return redact(text)


def _redact_columns(table: pd.DataFrame | None, columns, totals: dict | None = None) -> pd.DataFrame | None:
    """A copy of ``table`` with ``columns`` (those present) redacted; replacements added to ``totals``."""
    if table is None or not len(table):
        return table
    out = table.copy()
    for col in dict.fromkeys(columns):
        if col is None or col not in out.columns:
            continue
        out[col], counts = redact_series(out[col])
        if totals is not None:
            for kind, k in counts.items():
                totals[kind] = totals.get(kind, 0) + k
    return out


_READ_ROLES = {"text": "text", "id": "id", "date": "date", "score": "score", "label": "touchpoint",
               "case_id": "case_id", "channel": "channel", "language": "language"}
_DASHBOARD_NAMES = {**_READ_ROLES, "label": "touchpoint_label"}
_KEPT_ROLES = ("topic", "sentiment", "event_id", "customer_id")


def _dashboard_columns(columns: dict) -> dict:
    """The feedback column names :func:`build_dashboard` needs after :func:`read_dashboard_feedback`.

    Parameters
    ----------
    columns : dict
        Roles to source columns, as in a dashboard parameter file: ``text``, ``id``, ``date``, ``score``,
        ``label`` (touchpoint label), ``case_id``, ``channel``, ``language`` (renamed to the standard names of
        :func:`cxlib.feedback.read_feedback`), and ``topic``, ``sentiment``, ``event_id``, ``customer_id`` (kept
        under their own names).

    Returns
    -------
    dict
        Keyword arguments for :func:`build_dashboard`: ``text``, ``date``, ``score``, ``label``, ``case_id``,
        ``topic``, ``sentiment``, ``event_id``, ``customer_id`` (None for roles not given).

    Examples
    --------
    >>> _dashboard_columns({"text": "comment", "label": "SURVEY_SUB_TYPE", "score": "NPS_SCORE"})["label"]
    'touchpoint_label'
    """
    unknown = set(columns) - set(_READ_ROLES) - set(_KEPT_ROLES)
    if unknown:
        raise CxInputError(f"unknown column role(s) {sorted(unknown)}; roles: "
                           f"{', '.join([*_READ_ROLES, *_KEPT_ROLES])}", column=min(unknown))
    out = {role: (_DASHBOARD_NAMES[role] if columns.get(role) else None)
           for role in ("text", "date", "score", "label", "case_id")}
    out["text"] = "text"
    for role in _KEPT_ROLES:
        source = columns.get(role)
        out[role] = _kept_name(source) if source else None
    if columns.get("sentiment") == "vader":
        out["sentiment"] = "vader"
    return out


def _kept_name(source: str) -> str:
    from ..feedback import STANDARD_COLUMNS

    return f"{source}_label" if source in STANDARD_COLUMNS else source


@share_docs
def read_dashboard_feedback(path, *, columns: dict, date_format: str | None = None, with_report: bool = False,
                            **options) -> pd.DataFrame | tuple[pd.DataFrame, LoadReport]:
    """Read the feedback of a dashboard with :func:`cxlib.feedback.read_feedback`, keeping the columns it needs.

    Parameters
    ----------
    path : str or Path
        The feedback file (CSV, Excel, Parquet).
    columns : dict
        Roles to source columns: ``text``, ``id``, ``date``, ``score``, ``label`` (touchpoint label), ``case_id``,
        ``channel``, ``language`` (renamed to the standard names of :func:`cxlib.feedback.read_feedback`), and
        ``topic``, ``sentiment``, ``event_id`` (kept under their own names).
    date_format : str, optional
        ``strftime`` format of the date column.
    **options
        Further :func:`cxlib.feedback.read_feedback` options (``sep``, ``encoding``, ``sheet``, ``dayfirst``,
        ``source_timezone``).
    {with_report}

    Returns
    -------
    pandas.DataFrame, or (pandas.DataFrame, LoadReport) with ``with_report``
        :func:`cxlib.feedback.read_feedback`'s table (``id``, ``text``, and ``date``, ``score``, ``case_id`` when
        mapped; its ``touchpoint`` label renamed ``touchpoint_label``, as linking writes ``touchpoint``) plus the ``topic``, ``sentiment`` and ``event_id`` columns under their own names
        (suffixed ``_label`` if a name is a standard column); with ``with_report``, ``(table, report)``.

    Examples
    --------
    >>> fb = read_dashboard_feedback("data/bpic2016_complaints.csv", columns={
    ...     "text": "ComplaintTopic_EN", "case_id": "CustomerID", "date": "ContactDate",
    ...     "event_id": "ComplaintID", "topic": "ComplaintTopic_EN"})
    >>> len(fb), "ComplaintID" in fb.columns
    (289, True)
    """
    from ..feedback import read_feedback

    names = _dashboard_columns(columns)  # validates the roles
    read = {_READ_ROLES[role]: columns[role] for role in _READ_ROLES if columns.get(role)}
    kept = {columns[role]: names[role] for role in _KEPT_ROLES
            if columns.get(role) and not (role == "sentiment" and columns[role] == "vader")}
    table, report = read_feedback(path, **read, labels=kept or None, date_format=date_format, with_report=True,
                                  **options)
    # "touchpoint" is where linking writes the model's touchpoint; the raw label moves aside
    out = table.rename(columns={"touchpoint": "touchpoint_label"})
    return (out, report) if with_report else out


def owner_slug(owner: str) -> str:
    """A file-name-safe form of an owner's name (lower case ASCII letters, digits and ``-``).

    Accents are folded (``Süd`` -> ``sud``); everything else becomes ``-``. Two owners can share a slug
    (``Sales / Digital``, ``Sales & Digital``): :func:`owner_report_name` keeps their reports apart.

    Parameters
    ----------
    owner : str
        The owner as written in the touchpoint model.

    Returns
    -------
    str
        The slug (``"owner"`` when nothing is left).

    Examples
    --------
    >>> owner_slug("Benefit payments team"), owner_slug("Kundendienst Süd")
    ('benefit-payments-team', 'kundendienst-sud')
    """
    folded = unicodedata.normalize("NFKD", str(owner)).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.casefold()).strip("-")
    return slug or "owner"


def owner_report_name(base: str, owner: str | None, *, owners=()) -> str:
    """The report file stem of an owner report (the overview's when ``owner`` is empty), unique among owners.

    The stem is ``base__<slug>``; when another owner of ``owners`` has the same slug, each of them gets a short
    hash of its exact name as well (``base__sales-digital-3f9a1c``), so that no owner ever reads another's
    report. The name depends only on the owner and the owners it collides with, so it is stable between runs.

    Parameters
    ----------
    base : str
        The overview's report name (the dashboard parameter file's stem).
    owner : str or None
        The owner.
    owners : iterable of str
        Every owner of the touchpoint model (``model.owner_names``); always pass them.

    Returns
    -------
    str
        ``base`` for the overview, else ``base + "__" + slug`` (plus ``-`` and 6 hex digits on a collision).

    Examples
    --------
    >>> owner_report_name("dashboard_demo", "Customer care", owners=["Customer care", "Finance"])
    'dashboard_demo__customer-care'
    >>> [owner_report_name("d", o, owners=["Sales / Digital", "Sales & Digital"])
    ...  for o in ("Sales / Digital", "Sales & Digital")]
    ['d__sales-digital-06aaad', 'd__sales-digital-c8b009']
    """
    if not owner:
        return base
    slug = owner_slug(owner)
    if any(other != owner and owner_slug(other) == slug for other in owners):
        slug = f"{slug}-{hashlib.sha256(str(owner).encode('utf-8')).hexdigest()[:6]}"
    return f"{base}__{slug}"


class _Html:
    def __init__(self, markup: str):
        self._markup = markup

    def _repr_html_(self) -> str:
        return self._markup

    def __repr__(self) -> str:
        return re.sub(r"<[^>]+>", "", self._markup)


def owner_links(model: TouchpointModel, *, report_name: str, lights: pd.DataFrame | None = None):
    """Links from the overview to the owner reports (relative file names in the same folder).

    Parameters
    ----------
    model : TouchpointModel
        The whole model.
    report_name : str
        The overview report's file stem (e.g. ``dashboard_demo``).
    lights : pandas.DataFrame, optional
        :func:`cxlib.owners.touchpoint_scores` (without periods), for the lights beside each touchpoint.

    Returns
    -------
    object
        Rendered by Jupyter as an HTML table: owner, touchpoints with their coloured light, a link to the
        owner's report named after the owner. All names are escaped; links are relative (no network).

    Examples
    --------
    >>> from cxlib.owners import read_touchpoint_model
    >>> m = read_touchpoint_model("notebooks/touchpoints/airline.yml")
    >>> "dashboard_airline__customer-care.html" in owner_links(m, report_name="dashboard_airline")._repr_html_()
    True
    """
    esc = html.escape
    light_of = {}
    if lights is not None and len(lights):
        head = lights.drop_duplicates("touchpoint").set_index("touchpoint")["light"]
        light_of = head.to_dict()
    rows = []
    for owner in model.owner_names:
        tps = [tp.name for tp in model.touchpoints if tp.owner == owner]
        cells = ", ".join(f"{esc(t)} {light_badge(light_of.get(t, 'grey'))}" for t in tps)
        href = esc(owner_report_name(report_name, owner, owners=model.owner_names) + ".html", quote=True)
        rows.append(f"<tr><td class='cx-text'>{esc(owner)}</td><td class='cx-text'>{cells}</td>"
                    f"<td class='cx-text'><a href='{href}'>Report of {esc(owner)}</a></td></tr>")
    return _Html("<div class='cx-scroll' style='overflow-x:auto;max-width:100%'><table class='cx-table'><thead><tr>"
                 "<th>Owner</th><th>Touchpoints (light)</th><th>Report</th></tr></thead><tbody>"
                 + "".join(rows) + "</tbody></table></div>")


@dataclass
class Dashboard(Result):
    """Every table of the CX dashboard for one view (the overview, or one owner's touchpoints).

    ``.show()`` renders the tables in the order of the dashboard report, then the notes.

    Attributes
    ----------
    model : TouchpointModel
        The whole model.
    view : TouchpointModel
        The touchpoints shown (one owner's, or all).
    owner : str
        The owner ("" for the overview).
    linked : pandas.DataFrame
        Feedback of the view's touchpoints after linking (its customer-derived columns redacted when asked),
        with ``negative``.
    coverage : pandas.DataFrame
        :func:`cxlib.owners.link_coverage` over all feedback.
    scores, trend, changes : pandas.DataFrame
        :func:`~cxlib.owners.touchpoint_scores` now and per period, :func:`~cxlib.owners.period_changes`.
    topic_shifts : pandas.DataFrame
        :func:`~cxlib.owners.topic_changes` (negative feedback's topics, previous against current period; empty
        without a topic or date column).
    journey : pandas.DataFrame or None
        :func:`~cxlib.owners.journey_touchpoint_measures` (None without an event log).
    pains : pandas.DataFrame
        Top pain points per touchpoint (topics, or distinctive terms when there is no topic column).
    critical : pandas.DataFrame
        :func:`~cxlib.owners.critical_touchpoints`, ranked over all touchpoints, then restricted to the view.
    per_case, association : pandas.DataFrame or None
        Case-linked data only: the tables of :func:`~cxlib.owners.per_case_table` and
        :func:`~cxlib.owners.score_association`.
    notes : list of str
        What was assumed or left out, for the reader.
    link_methods : list of str
        The link methods that ran, in order (:attr:`cxlib.owners.LinkedFeedback.link_methods`).
    invalid_scores : int
        Rows of the case-linked feedback (all of it, also in an owner view) whose score is present but not a
        number, left out of ``per_case`` (:attr:`cxlib.owners.PerCaseTable.invalid_scores`; 0 without a
        per-case table).
    score_note : str
        The sentence that says so (:attr:`cxlib.owners.PerCaseTable.score_note`); ``""`` when there is none.
    what_changed : WhatChanged or None
        :func:`~cxlib.owners.what_changed`: scores, journey measures and topics of the view's touchpoints, latest
        period against the previous one, Benjamini-Hochberg corrected over every touchpoint (None without dates).
    drivers : KeyDrivers or None
        :func:`cxlib.scores.key_drivers` of the view's feedback (touchpoint, topics or mentions, journey
        measures when linked by case); None without a score or sentiment.
    mentions : Mentions or None
        :func:`cxlib.feedback.find_mentions` of the feedback text (``text_topics``), else None.
    per_customer : pandas.DataFrame or None
        Feedback linked to the customer's whole journey by customer id (``customer_id`` and ``customer_key``
        given, with an event log): the table of :func:`~cxlib.owners.per_customer_table`, in an owner view the
        customers with feedback on the owner's touchpoints; None otherwise.
    """

    model: TouchpointModel
    view: TouchpointModel
    owner: str
    linked: pd.DataFrame
    coverage: pd.DataFrame
    scores: pd.DataFrame
    trend: pd.DataFrame
    changes: pd.DataFrame
    topic_shifts: pd.DataFrame
    journey: pd.DataFrame | None
    pains: pd.DataFrame
    critical: pd.DataFrame
    per_case: pd.DataFrame | None = None
    association: pd.DataFrame | None = None
    notes: list = field(default_factory=list)
    link_methods: list = field(default_factory=list)
    invalid_scores: int = 0
    score_note: str = ""
    what_changed: object = None
    drivers: object = None
    mentions: object = None
    per_customer: pd.DataFrame | None = None

    def parts(self) -> list:
        """The tables that are not empty, in the order of the dashboard report, then the notes and score note."""
        tables = (("coverage", "Link coverage (share of all feedback rows, 0-1)"),
                  ("critical", "Critical touchpoints"),
                  ("scores", "Score against target, with light (95% interval)"),
                  ("changes", "Change since the previous period"),
                  ("topic_shifts", "Negative topics that grew or shrank"),
                  ("pains", "Top pain points with example verbatims"),
                  ("journey", "Journey measures per touchpoint (waits in hours)"),
                  ("per_case", "Per case: journey beside feedback"),
                  ("per_customer", "Per customer: journey across cases beside feedback"),
                  ("association", "Association of journey features with the score (95% intervals)"))
        out = [show(getattr(self, name), caption=caption) for name, caption in tables
               if getattr(self, name) is not None and len(getattr(self, name))]
        notes = [*self.notes, *([self.score_note] if self.score_note else [])]
        return out + [say("{note}", note=note) for note in notes]


def _mentions_of(mentions, documents):
    """``mentions`` (a :class:`cxlib.feedback.Mentions`) of the given documents only (index labels)."""
    keep = mentions.documents.index.isin(documents)
    docs = mentions.documents.loc[keep]
    untopiced = int((docs["n_topics"] == 0).sum())
    notes = [n for n in mentions.notes if "mention no topic" not in n]
    if untopiced:
        notes.append(f"{untopiced:,} of {len(docs):,} documents mention no topic.")
    return replace(
        mentions, documents=docs,
        segments=mentions.segments[mentions.segments["doc"].isin(documents)].reset_index(drop=True),
        mentions=mentions.mentions[mentions.mentions["doc"].isin(documents)].reset_index(drop=True), notes=notes)


@share_docs
def build_dashboard(feedback: pd.DataFrame, model: TouchpointModel, *, log: pd.DataFrame | None = None,
                    owner: str | None = None, link=("case", "label", "topic"), text: str = "text",
                    case_id: str | None = None, date: str | None = None, date_format: str | None = None,
                    event_id: str | None = None,
                    label: str | None = None, topic: str | None = None, score: str | None = None,
                    sentiment: str | None = None, sentiment_labels=("positive", "neutral", "negative"),
                    negative_score_max: float = 6, period: str = "M", success_ends=None,
                    repeat_window_days: float = 30.0, redact: bool = True, top: int = 3,
                    case_key: str = CASE, activity_key: str = ACT, timestamp_key: str = TS,
                    resource_key: str | None = RES, columns: dict | None = None,
                    text_topics: dict | None = None, fdr: float = 0.05, customer_id: str | None = None,
                    customer_key: str | None = None) -> Dashboard:
    """Link feedback to the touchpoint model and compute every table of the dashboard or an owner report.

    Negative feedback is: rows whose ``sentiment`` is the negative label; else rows whose ``score`` is at most
    ``negative_score_max`` (NPS detractors); else every row (complaints), as stated in ``notes``.

    Parameters
    ----------
    feedback : pandas.DataFrame
        The feedback table.
    model : TouchpointModel
        The touchpoint model (validated against ``log`` and ``label`` here).
    log : pandas.DataFrame, optional
        Event log (journeys); needed for ``link="case"``, journey measures and the per-case association.
    owner : str, optional
        Restrict the view to this owner's touchpoints; empty for the overview.
    link : sequence of {"case", "label", "topic"}
        Link methods in order (see :func:`cxlib.owners.link_feedback`); methods whose column is not given are
        skipped with a note.
    text, case_id, date, event_id, label, topic, score, sentiment : str, optional
        Feedback columns: verbatim, case id, date, event id shared with the log, touchpoint label, topic (for
        pain points), score (NPS 0-10 or CSAT), sentiment label. ``sentiment="vader"`` classifies the text with
        :func:`cxlib.feedback.vader_sentiment` (English) into the column ``sentiment_vader``.
    date_format : str, optional
        ``strftime`` format of ``date`` (e.g. ``"%d/%m/%Y %H:%M"``); inferred when not given.
    sentiment_labels : tuple of str
        Positive, neutral and negative labels of ``sentiment``.
    negative_score_max : float, default 6
        Scores at or below count as negative when there is no sentiment column.
    period : str, default "M"
        Period of the trend and of "what changed" (pandas alias: "D", "W", "M", "Q").
    success_ends : list of str or "all", optional
        Successful end touchpoints for drop-offs; "all" means no journey end counts as a drop-off (e.g.
        complaint journeys); inferred when not given.
    repeat_window_days : float, default 30
        Follow-up window of the repeat-contact rate.
    redact : bool, default True
        Redact PII (:func:`cxlib.display.redact`) in every customer-derived value: verbatims, topics,
        touchpoint labels from the data, case, event and feedback ids and other text columns of ``linked``,
        and what the pain points, critical touchpoints, topic shifts and per-case table show; the replacements
        per kind go into ``notes``. Always on for owner reports (``owner`` given). HTML entities in text and
        topic (``&amp;``) are decoded first; reports escape all text when they show it.
    top : int, default 3
        Pain points per touchpoint.
    case_key, activity_key, timestamp_key, resource_key : str
        Log column names.
    columns : dict, optional
        The feedback columns by role, as in a dashboard parameter file and :func:`read_dashboard_feedback`
        (``text``, ``id``, ``date``, ``score``, ``label``, ``case_id``, ``topic``, ``sentiment``, ``event_id``):
        sets ``text``, ``case_id``, ``date``, ``event_id``, ``label``, ``topic``, ``score`` and ``sentiment`` to
        the names :func:`read_dashboard_feedback` gives those columns.
    text_topics : dict, optional
        Several topics per comment, found per clause of the text (:func:`cxlib.feedback.find_mentions`):
        ``method`` ``"taxonomy"`` (the model's seed words) or ``"found"`` (topics found in the clauses, and for
        "what changed" tracked from the previous period to the current one with
        :func:`cxlib.feedback.track_topics`), with ``unit``, ``n_topics``, ``embedding_model``, ``language``,
        ``sentiment``, ``seed``, ``min_similarity``. The mentions are then the topics of the key drivers and of
        "what changed".
    fdr : float, default 0.05
        False-discovery rate of "what changed" (Benjamini-Hochberg over all its lines).
    customer_id : str, optional
        Feedback column with the customer id (the ``customer_id`` role of ``columns``).
    customer_key : str, optional
        Log column with the customer id. With ``customer_id`` and a log, the feedback is linked to the
        customer's whole journey by customer id (:func:`~cxlib.owners.per_customer_table`: cases, re-contacts
        within ``repeat_window_days``, first-contact resolution, beside the customer's feedback); an owner view
        keeps the customers with feedback on the owner's touchpoints.

    Returns
    -------
    Dashboard
        The tables; see :class:`Dashboard`.

    {example_airline}
    >>> d = build_dashboard(tweets, model, link=["label", "topic"], label="negativereason",
    ...                     sentiment="airline_sentiment", date="tweet_created", period="D",
    ...                     topic="negativereason", owner="Customer care")
    >>> d.critical["touchpoint"].tolist(), d.link_methods
    (['Customer service'], ['label', 'topic'])
    """
    if columns is not None:
        roles = _dashboard_columns(columns)
        text, case_id, date, event_id = roles["text"], roles["case_id"], roles["date"], roles["event_id"]
        label, topic, score, sentiment = roles["label"], roles["topic"], roles["score"], roles["sentiment"]
        customer_id = roles["customer_id"] or customer_id
    notes: list[str] = []
    if owner and not redact:
        redact = True
        notes.append("PII redaction is always on in owner reports (redact=False was overridden).")
    if text not in feedback.columns:
        raise CxInputError(f"the feedback has no text column {text!r}; columns: "
                           f"{', '.join(map(str, feedback.columns))}", column=text)
    validate_touchpoint_model(model, log=log, feedback=feedback if label else None, activity_key=activity_key,
                              label_column=label)
    view = model.for_owner(owner)  # an unknown owner fails here, before any work
    methods = []
    for method in ([link] if isinstance(link, str) else list(link)):
        if method == "case" and (log is None or not case_id):
            notes.append("Linking by case id skipped: it needs an event log and a case-id column.")
        elif method == "label" and not label:
            notes.append("Linking by touchpoint label skipped: no label column given.")
        elif method == "topic" and not any(tp.seed_words for tp in model.touchpoints):
            notes.append("Linking by topic skipped: no touchpoint has seed words.")
        else:
            methods.append(method)
    if not methods:
        raise CxInputError("no link method can run: give a case-id column and an event log, a touchpoint-label "
                           "column, or seed words in the touchpoint model", path=model.path, column="link")
    fb = feedback.copy()
    # linking writes "touchpoint" and "link": input columns of those names are kept aside under "*_input"
    clashes = {c: f"{c}_input" for c in ("touchpoint", "link") if c in fb.columns}
    if clashes:
        fb = fb.rename(columns=clashes)
        label = clashes.get(label, label) if label else label
        notes.append(f"Input column(s) {', '.join(clashes)} renamed {', '.join(clashes.values())}: linking writes "
                     "the model's touchpoint there.")
    if sentiment == "vader":
        from ..feedback import vader_sentiment

        sentiment = "sentiment_vader"
        fb[sentiment] = vader_sentiment(fb[text])["sentiment"]
        sentiment_labels = ("positive", "neutral", "negative")
        notes.append("Sentiment classified with VADER (cxlib.feedback.vader_sentiment, an English lexicon; "
                     "no labels were given).")
    for role, col in (("case_id", case_id), ("date", date), ("event_id", event_id), ("label", label),
                      ("topic", topic), ("score", score), ("sentiment", sentiment), ("customer_id", customer_id)):
        if col and col not in fb.columns:
            raise CxInputError(f"the feedback has no {role} column {col!r}; columns: "
                               f"{', '.join(map(str, fb.columns))}", column=col)
    if date and date in fb.columns:
        if not pd.api.types.is_datetime64_any_dtype(fb[date]):
            fb[date] = parse_timestamps(fb[date], column=date, timestamp_format=date_format, what="date").values
        bad = int(fb[date].isna().sum())
        if bad:
            notes.append(f"{bad:,} feedback rows have no readable date: they count in totals but in no period.")
    linking = link_feedback(fb, model, methods=methods, log=log, case_id=case_id or "case_id", date=date,
                            event_id=event_id, label=label or "touchpoint_label", text=text, topic=None,
                            case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    coverage = link_coverage(linking)
    linked = linking.linked
    pos, neu, neg = sentiment_labels
    if sentiment:
        negative = linked[sentiment].eq(neg).where(linked[sentiment].notna())
        notes.append(f"Negative feedback: rows with {sentiment} = {neg!r}.")
    elif score:
        parsed = parse_scores(linked[score], integer=False, column=score)
        values = parsed.values
        negative = (values <= negative_score_max).where(values.notna())
        notes.append(f"Negative feedback: rows with {score} at most {negative_score_max:g} (detractors).")
        if parsed.n_invalid:
            notes.append(f"{parsed.n_invalid:,} feedback rows have a score in {score!r} that is not a number "
                         f"({parsed.describe()}): like rows without a score, they count as neither negative nor "
                         "positive. List them with cxlib.scores.check_scores.")
    else:
        negative = pd.Series(True, index=linked.index)
        notes.append("No sentiment or score column: every feedback row counts as negative (complaints).")
    linked["negative"] = negative
    # exports often carry HTML entities ("&amp;" in tweets); decode them once, every report escapes all text again
    for col in {text, topic} - {None}:
        if col in linked.columns:
            linked[col] = linked[col].map(lambda v: html.unescape(v) if isinstance(v, str) else v)
    raw_case_ids = None
    # the per-customer table and its owner filter join on the raw customer ids (redaction below changes them)
    raw_customer_ids = linked[customer_id].copy() if customer_id else None
    if redact:
        # every customer-derived value: verbatims, topics, touchpoint labels, ids and any other text column of
        # the feedback (not the model's touchpoint, the link method, score, sentiment or date of the figures)
        if case_id and case_id in linked.columns:
            raw_case_ids = linked[case_id].copy()  # the per-case table and the owner filter join on raw ids
        keep = {"touchpoint", "link", "negative", "topic_matches", "topic_tie", score, sentiment, date}
        shown = [text, topic, label, case_id, event_id, "id",
                 *(c for c in linked.columns if c not in keep and pd.api.types.is_string_dtype(linked[c]))]
        totals: dict[str, int] = {}
        linked = _redact_columns(linked, [c for c in shown if c not in keep], totals)
        found = ", ".join(f"{k:,} {kind}" for kind, k in totals.items() if k)
        notes.append("PII redacted in the feedback shown (verbatims, topics, labels, ids): "
                     + (found or "none found") + ".")
    if success_ends == "all":
        success_ends = [tp.name for tp in model.touchpoints]
        if log is not None:
            notes.append("Every touchpoint counts as a successful end, so no journey end is a drop-off.")
    scores_now = touchpoint_scores(linked, model, log=log, score=score or "score",
                                   sentiment=sentiment or "sentiment", positive=pos, neutral=neu, negative=neg,
                                   repeat_window_days=repeat_window_days, case_key=case_key,
                                   activity_key=activity_key, timestamp_key=timestamp_key)
    if date:
        trend = touchpoint_scores(linked, model, log=log, score=score or "score",
                                  sentiment=sentiment or "sentiment", positive=pos, neutral=neu, negative=neg,
                                  period=period, date=date, repeat_window_days=repeat_window_days,
                                  case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
        changes = period_changes(trend) if len(trend) else pd.DataFrame()
    else:
        trend, changes = pd.DataFrame(), pd.DataFrame()
        notes.append("No date column: no trend and no comparison with the previous period.")
    journey = None
    if log is not None:
        measures = journey_touchpoint_measures(log, model, success_ends=success_ends, case_key=case_key,
                                               activity_key=activity_key, timestamp_key=timestamp_key,
                                               resource_key=resource_key)
        journey = measures.table
        if measures.success_note and success_ends is None:
            notes.append(measures.success_note)
    topic_shifts = pd.DataFrame()
    if topic and date:
        topic_shifts = topic_changes(linked, topic=topic, date=date, period=period, negative=negative, top=top)
    if topic:
        pains = pain_points(linked, topic=topic, text=text, negative=negative, top=top)
    else:
        pains = pain_terms(linked, negative=negative, text=text, top=top)
        notes.append("No topic column: pain points are the words most over-represented in each touchpoint's "
                     "negative feedback (weighted log-odds against its other feedback).")
    critical = critical_touchpoints(model, scores=scores_now, journey=journey, linked=linked, pains=pains,
                                    negative=negative if (sentiment or score) else None)
    keys = {"case_key": case_key, "activity_key": activity_key, "timestamp_key": timestamp_key}
    mentions = text_mentions(linked, model, text=text, options=text_topics) if text_topics else None
    changed = None
    if date or log is not None:
        changed = dashboard_changes(linked, model, changes=changes, log=log, date=date, period=period,
                                    negative=negative, topic=topic, text=text, mentions=mentions,
                                    text_topics=text_topics, fdr=fdr, keys=keys,
                                    success_ends=measures.success_ends if log is not None else None)
    per_case = association = None
    invalid_scores, score_note = 0, ""
    if log is not None and "case" in methods:
        joined = linked if raw_case_ids is None else linked.assign(**{case_id: raw_case_ids})
        case_table = per_case_table(joined, log, case_id=case_id, score=score, text=text, case_key=case_key,
                                    activity_key=activity_key, timestamp_key=timestamp_key,
                                    resource_key=resource_key)
        per_case = case_table.per_case
        invalid_scores, score_note = case_table.invalid_scores, case_table.score_note
        if score:
            association = score_association(per_case, score="score").association
        else:
            notes.append("The feedback has no score, so the association between journey features and the score "
                         "cannot be measured.")
    per_customer = None
    if customer_id and customer_key and log is not None:
        customer_table = per_customer_table(
            linked.assign(**{customer_id: raw_customer_ids}), log, customer_id=customer_id,
            customer_key=customer_key, window_days=repeat_window_days, score=score, text=text, case_key=case_key,
            activity_key=activity_key, timestamp_key=timestamp_key)
        per_customer = customer_table.per_customer
        notes.append(f"Feedback linked to the customer's whole journey by customer id ({customer_id} = "
                     f"{customer_key} of the log): {customer_table.feedback_linked:,} of "
                     f"{customer_table.feedback_rows:,} feedback rows with a customer id found the customer's "
                     f"cases; a re-contact is a new case at most {repeat_window_days:g} days after the previous one "
                     "ended.")
    elif customer_id or customer_key:
        notes.append("Per-customer journeys skipped: they need a customer-id column of the feedback "
                     "(columns: customer_id), the log's customer column (customer_key) and an event log.")
    if owner:
        names = [tp.name for tp in view.touchpoints]
        linked = linked[linked["touchpoint"].isin(names)]
        pick = (lambda t: t[t["touchpoint"].isin(names)].reset_index(drop=True) if t is not None and len(t)
                else t)
        scores_now, trend, changes, topic_shifts, journey, pains, critical = map(
            pick, (scores_now, trend, changes, topic_shifts, journey, pains, critical))
        changed = restrict_changes(changed, names)
        if mentions is not None:  # the owner's feedback only: its clauses, topics and counts
            mentions = _mentions_of(mentions, linked.index)
        # the per-case and per-customer tables are built again from the owner's feedback only: a case or a
        # customer with feedback at another owner's touchpoint too shows none of that feedback here
        if per_case is not None:
            mine = linked if raw_case_ids is None else linked.assign(**{case_id: raw_case_ids.loc[linked.index]})
            per_case = per_case_table(mine, log, case_id=case_id, score=score, text=text, case_key=case_key,
                                      activity_key=activity_key, timestamp_key=timestamp_key,
                                      resource_key=resource_key).per_case
            if score:
                association = score_association(per_case, score="score").association
        if per_customer is not None:
            per_customer = per_customer_table(
                linked.assign(**{customer_id: raw_customer_ids.loc[linked.index]}), log, customer_id=customer_id,
                customer_key=customer_key, window_days=repeat_window_days, score=score, text=text,
                case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key).per_customer
    drivers, drivers_note = dashboard_drivers(
        linked if raw_case_ids is None else linked.assign(**{case_id: raw_case_ids.loc[linked.index]}), model,
        score=score, sentiment=sentiment, negative_label=neg, labels=sentiment_labels, topic=topic,
        mentions=mentions, log=log, case_id=case_id, case_linked="case" in methods, keys=keys)
    if drivers_note:
        notes.append(drivers_note)
    if redact:
        # the tables derived from the feedback show its (already redacted) values: redacted again, as a guard
        pains = _redact_columns(pains, ["topic", "examples"])
        critical = _redact_columns(critical, ["top_negative_topics"])
        topic_shifts = _redact_columns(topic_shifts, ["topic"])
        per_case = _redact_columns(per_case, ["case_id", "text", "activities"])
        per_customer = _redact_columns(per_customer, ["customer_id", "text"])
    return Dashboard(model=model, view=view, owner=owner or "", linked=linked, coverage=coverage,
                     scores=scores_now, trend=trend, changes=changes, topic_shifts=topic_shifts, journey=journey,
                     pains=pains, critical=critical, per_case=per_case, association=association, notes=notes,
                     link_methods=list(linking.link_methods), invalid_scores=invalid_scores, score_note=score_note,
                     what_changed=changed, drivers=drivers, mentions=mentions, per_customer=per_customer)
