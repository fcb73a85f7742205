"""The summary each report opens with, computed from the analyses' results (nothing here is hand-written).

Each function takes what its notebook has already computed and returns a :class:`cxlib.display.Summary`:
headline tiles (scores against target with their lights where there are targets), what needs attention and
who owns it, the largest significant changes, the top actionable pain point with one redacted verbatim, and
three to five sentences on what to do next. Noise classes (:func:`cxlib.display.is_noise`) never become the
top pain point.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
from scipy import stats

from ..display import Summary, Tile, column_label, is_noise, redact
from ..journeys import format_hours

__all__ = ["dashboard_summary", "feedback_summary", "journeys_summary", "scores_summary"]

_LIGHT_RULE = ("Lights: green when the 95% interval clears the target, red when it misses the target minus the "
               "tolerance, amber when the data cannot tell yet, grey below the minimum number of responses.")


def _num(value, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return "–"
    return f"{float(value):,.{digits}f}".replace("-", "−")


def _pct(value, digits: int = 0) -> str:
    return "–" if value is None or pd.isna(value) else f"{100 * float(value):.{digits}f}%"


def _p(value, name: str = "p") -> str:
    return f"{name} < 0.001" if value < 0.001 else f"{name} = {value:.3f}"


def _measure_name(measure) -> str:
    return column_label(str(measure)).lower().replace("nps", "NPS").replace("csat", "CSAT").replace("ces", "CES")


def _names(items: list[str]) -> str:
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _verbatim(text, limit: int = 160) -> str:
    """One verbatim as a reader sees it: PII redacted, leading @handles dropped, cut at a word near ``limit``."""
    if text is None or pd.isna(text):
        return ""
    clean = redact(str(text))[0]
    clean = re.sub(r"^(?:\s*(?:\[HANDLE\]|@\w+)[,:]?)+\s*", "", clean)
    clean = re.sub(r"\s*(\\n|\n|\r)+\s*", " ", clean).strip()
    if len(clean) > limit:
        clean = clean[:limit].rsplit(" ", 1)[0] + " …"
    return clean


def _unit(measure) -> str:
    """"%" for measures that are shares (repeat-contact rate, negative share, top-2-box), else ""."""
    return "%" if re.search(r"rate|share|top2|pct|percent", str(measure)) else ""


def _score_tile(row, label: str) -> Tile:
    """A tile for one score against its target: value, light and the interval, target and n."""
    detail = []
    if pd.notna(row.get("target")):
        detail.append(f"target {_num(row['target'], 0 if float(row['target']).is_integer() else 1)}")
    if pd.notna(row.get("ci_low")) and pd.notna(row.get("ci_high")):
        detail.append(f"95% CI {_num(row['ci_low'])} to {_num(row['ci_high'])}")
    if pd.notna(row.get("n")):
        detail.append(f"n {int(row['n']):,}")
    light = str(row.get("light") or "")
    return Tile(label, _num(row.get("value")) + _unit(row.get("measure")),
                light if light in ("green", "amber", "red", "grey") else "", " · ".join(detail))


def _attention(red_lines: list, amber: list) -> tuple[str, list]:
    """The heading and lines of the summary's attention block: the red touchpoints, else the amber ones."""
    if red_lines:
        return "Red against target", red_lines
    if amber:
        return "Needs attention", [f"No touchpoint is red. Amber (cannot tell yet): {_names(amber)}."]
    return "Needs attention", ["No touchpoint is red or amber."]


def _gap_sentence(row, measure: str) -> str:
    """"sentiment index −79.6 against a target of −40" """
    unit = _unit(row.get("measure"))
    return f"{measure} {_num(row['value'])}{unit} against a target of {_num(row['target'], 0)}{unit}"


# ---- the CX dashboard and owner reports --------------------------------------------------------------------

def dashboard_summary(dashboard, *, title: str = "", max_tiles: int = 8) -> Summary:
    """The summary of a CX dashboard or owner report, from :func:`cxlib.owners.build_dashboard`'s result.

    Tiles: each touchpoint's headline score against its target, with its light (most critical first). Needs
    attention: the red touchpoints with their owners. Changes: the flagged lines of the dashboard's "what
    changed" (scores, topics and journey measures tested together, Benjamini-Hochberg), each with its owner;
    without it, the touchpoints whose score changed significantly since the previous period (z-test, 5 %) and
    the negative topics whose share did, largest first. Top pain point: the first pain point of the most
    critical touchpoint (never a noise class such as "Can't Tell"), with one of its verbatims (PII redacted).

    Parameters
    ----------
    dashboard : cxlib.owners.Dashboard
        The dashboard (the overview or an owner's view).
    title : str, optional
        What the report is about; default the project of the touchpoint model (and the owner).
    max_tiles : int, default 8
        At most this many tiles (red touchpoints first).

    Returns
    -------
    cxlib.display.Summary
        Tiles per touchpoint, the red touchpoints with their owners, the flagged changes, the top pain point with
        a verbatim and what to do next; displayed, it is the box at the top of the report.

    Examples
    --------
    >>> from cxlib.owners import build_dashboard, read_dashboard_feedback, read_touchpoint_model
    >>> model = read_touchpoint_model("notebooks/touchpoints/airline.yml")
    >>> columns = {"text": "text", "date": "tweet_created", "label": "negativereason",
    ...            "topic": "negativereason", "sentiment": "airline_sentiment"}
    >>> tweets = read_dashboard_feedback("data/airline_tweets.csv.gz", columns=columns)
    >>> d = build_dashboard(tweets, model, link=["label", "topic"], period="D", columns=columns)
    >>> s = dashboard_summary(d)
    >>> s.tiles[0].label, s.tiles[0].light
    ('Flight: sentiment index', 'red')
    >>> s.pain_point.startswith("“Late Flight” is the top pain point of Flight")
    True
    """
    d = dashboard
    owner = d.owner
    title = title or (f"{d.model.project}, owner report for {owner}" if owner else f"{d.model.project}, every "
                      "touchpoint and owner")
    order = list(d.critical["touchpoint"]) if len(d.critical) else []
    head = d.scores.drop_duplicates("touchpoint") if len(d.scores) else d.scores
    if len(head):
        head = head.assign(_order=head["touchpoint"].map({t: i for i, t in enumerate(order)}).fillna(len(order)),
                           _red=head["light"].ne("red"))
        head = head.sort_values(["_red", "_order"], kind="stable")
    tiles = [_score_tile(row, f"{row['touchpoint']}: {_measure_name(row['measure'])}")
             for _, row in head.head(max_tiles).iterrows()]
    red = head[head["light"] == "red"] if len(head) else head
    amber = head[head["light"] == "amber"] if len(head) else head
    grey = head[head["light"] == "grey"] if len(head) else head
    attention = [f"{row['touchpoint']} (owner: {row['owner']}): {_gap_sentence(row, _measure_name(row['measure']))}"
                 for _, row in red.iterrows()]
    attention_title, attention = _attention(attention, list(amber["touchpoint"]))
    changes = []
    changed = getattr(d, "what_changed", None)
    if changed is not None and changed.tests:
        # the report's "what changed" section: every line corrected together, so the summary says the same
        flagged = changed.flagged
        for _, row in flagged.head(4).iterrows():
            who = f"{row['owner']}: " if str(row.get("owner") or "") else ""
            changes.append(f"{who}{row['sentence']}")
        if not len(flagged):
            changes.append(f"Nothing changed beyond chance from {changed.previous} to {changed.current}: none of "
                           f"the {changed.tests:,} lines tested is flagged (Benjamini-Hochberg over every "
                           f"touchpoint's lines, false-discovery rate {changed.fdr:.0%}).")
    elif len(d.changes):
        sig = d.changes[d.changes["p_value"] < 0.05]
        sig = sig.reindex(sig["change"].abs().sort_values(ascending=False).index)
        for _, row in sig.head(3).iterrows():
            better = row.get("verdict") == "better"
            changes.append(f"{row['touchpoint']}: {_measure_name(row['measure'])} {'better' if better else 'worse'}, "
                           f"{_num(row['value_previous'])} → {_num(row['value_current'])} from {row['previous']} to "
                           f"{row['current']} ({_p(row['p_value'])}).")
        if not len(sig):
            first = d.changes.iloc[0]
            changes.append(f"No touchpoint's score changed significantly from {first['previous']} to "
                           f"{first['current']} (z-test, 5% level).")
    if len(d.topic_shifts) and (changed is None or not changed.tests):
        shifts = d.topic_shifts[(d.topic_shifts["p_value"] < 0.05) & ~d.topic_shifts["topic"].map(is_noise)]
        shifts = shifts.reindex(shifts["change"].abs().sort_values(ascending=False).index)
        for _, row in shifts.head(2).iterrows():
            changes.append(f"{row['touchpoint']}: “{row['topic']}” {'more' if row['change'] > 0 else 'less'} often "
                           f"in the negative feedback, {_pct(row['share_previous'])} → {_pct(row['share_current'])} "
                           f"({_p(row['p_value'])}).")
    pain, quote, pain_row = "", "", None
    if len(d.pains):
        pains = d.pains[~d.pains["topic"].map(is_noise)]
        for tp in order + sorted(set(pains["touchpoint"]) - set(order)):
            found = pains[pains["touchpoint"] == tp].sort_values("rank")
            if len(found):
                pain_row = found.iloc[0]
                break
    if pain_row is not None:
        owner_of = dict(zip(d.critical["touchpoint"], d.critical["owner"])) if len(d.critical) else {}
        who = f" (owner: {owner_of[pain_row['touchpoint']]})" if pain_row["touchpoint"] in owner_of else ""
        pain = (f"“{pain_row['topic']}” is the top pain point of {pain_row['touchpoint']}{who}: "
                f"{int(pain_row['count']):,} negative mentions, {_pct(pain_row['share'])} of its negative feedback.")
        examples = [e for e in str(pain_row.get("examples") or "").split(" | ") if e.strip()]
        quote = _verbatim(examples[0]) if examples else ""
    steps = []
    if len(red):
        first = red.iloc[0]
        because = (f", and “{pain_row['topic']}” is the largest cause of its negative feedback"
                   if pain_row is not None and pain_row["touchpoint"] == first["touchpoint"] else "")
        steps.append(f"Ask {first['owner']} to act on {first['touchpoint']} first: its "
                     f"{_gap_sentence(first, _measure_name(first['measure']))} is clearly off target{because}.")
        if len(red) > 1:
            others = [f"{r['touchpoint']} ({r['owner']})" for _, r in red.iloc[1:4].iterrows()]
            steps.append(f"{_names(others)} {'is' if len(others) == 1 else 'are'} red as well: put "
                         f"{'it' if len(others) == 1 else 'them'} on the same agenda.")
    elif len(amber):
        steps.append(f"No touchpoint is clearly off target; watch {_names(list(amber['touchpoint'][:3]))}, whose "
                     "intervals still include the target.")
    if pain_row is not None and not (len(red) and pain_row["touchpoint"] == red.iloc[0]["touchpoint"]):
        steps.append(f"Read the verbatims behind “{pain_row['topic']}” ({pain_row['touchpoint']}) to find the "
                     "fix.")
    if changed is not None and changed.tests:
        worse = changed.flagged[(changed.flagged["kind"] == "score") & (changed.flagged["verdict"] == "worse")]
    else:
        worse = (d.changes[(d.changes["p_value"] < 0.05) & (d.changes["verdict"] == "worse")] if len(d.changes)
                 else [])
    if len(worse):
        row = worse.iloc[0]
        steps.append(f"Find out what changed at {row['touchpoint']} in {row['current']}: its score fell "
                     "significantly.")
    if len(grey):
        steps.append(f"Collect more feedback on {_names(list(grey['touchpoint'][:3]))}: too few responses to "
                     "judge against the target.")
    if owner:
        steps.append("The tables below give every measure behind these lights, the trend and the verbatims.")
    else:
        steps.append("Send each owner their report (linked above) so they see their own touchpoints.")
    return Summary(title=title, tiles=tiles, attention=attention[:5], attention_title=attention_title,
                   changes=changes[:4], pain_point=pain, verbatim=quote, next_steps=steps[:5],
                   notes=[_LIGHT_RULE], **({"changes_title": "What changed since the previous period"}
                                            if changed is not None and changed.tests else {}))


# ---- scores ------------------------------------------------------------------------------------------------

def scores_summary(lights: pd.DataFrame, *, touchpoint: str, measure: str, overall=None,
                   changes: pd.DataFrame | None = None, drivers: pd.DataFrame | None = None, title: str = "",
                   max_tiles: int = 7) -> Summary:
    """The summary of a scores report: the overall measure, each touchpoint against its target, the largest
    significant period-to-period changes and the topic that pulls the score down most.

    Parameters
    ----------
    lights : pandas.DataFrame
        :func:`cxlib.scores.traffic_lights` per touchpoint (without periods).
    touchpoint : str
        Its touchpoint column.
    measure : str
        The measure's name (``nps``, ``sentiment_index``).
    overall : mapping, optional
        The overall row of :func:`cxlib.scores.score_table` (``value``, ``ci_low``, ``ci_high``, ``n``).
    changes : pandas.DataFrame, optional
        :func:`cxlib.scores.period_change` (with ``significant``).
    drivers : pandas.DataFrame, optional
        :func:`cxlib.scores.topic_impact` over all responses (``topic``, ``impact``, ``ci_low``, ``ci_high``).
    title : str, optional
        What the report is about.
    max_tiles : int, default 7
        Touchpoint tiles at most (red first).

    Returns
    -------
    cxlib.display.Summary
        The overall score and each touchpoint's score against its target as tiles, the touchpoints that miss
        their target, the largest significant changes, the topic that pulls the score down most, and what to
        look at next.

    Examples
    --------
    >>> from cxlib import scores as sc
    >>> r = sc.read_responses("data/airline_tweets.csv.gz", columns=["airline_sentiment", "airline",
    ...                                                             "negativereason"])
    >>> per = sc.score_table(r, kind="sentiment", score="airline_sentiment", by="airline", name="sentiment_index")
    >>> lights = sc.traffic_lights(per, targets="notebooks/targets/airline_demo.yml", touchpoint="airline")
    >>> impact = sc.topic_impact(r, score="airline_sentiment", topic="negativereason", kind="sentiment", n_boot=50)
    >>> s = scores_summary(lights, touchpoint="airline", measure="sentiment_index", drivers=impact)
    >>> [t.label for t in s.tiles[:2]], s.attention[0]
    (['US Airways', 'American'], 'US Airways: sentiment index −68.5 against a target of −40')
    """
    name = _measure_name(measure)
    tiles = []
    if overall is not None:
        tiles.append(_score_tile({**dict(overall), "light": "", "target": np.nan}, f"Overall {name}"))
    ordered = lights.assign(_order=lights["light"].map({"red": 0, "amber": 1, "grey": 2, "green": 3}).fillna(4))
    ordered = ordered.sort_values(["_order", "value"], kind="stable")
    tiles += [_score_tile(row, str(row[touchpoint])) for _, row in ordered.head(max_tiles).iterrows()]
    red = ordered[ordered["light"] == "red"]
    amber = ordered[ordered["light"] == "amber"]
    grey = ordered[ordered["light"] == "grey"]
    green = ordered[ordered["light"] == "green"]
    attention = [f"{row[touchpoint]}: {_gap_sentence(row, name)}" for _, row in red.iterrows()]
    attention_title, attention = _attention(attention, list(amber[touchpoint]))
    change_lines = []
    if changes is not None and len(changes):
        sig = changes[changes["significant"].astype(bool)]
        sig = sig.reindex(sig["change"].abs().sort_values(ascending=False).index)
        for _, row in sig.head(3).iterrows():
            change_lines.append(f"{row[touchpoint]}: {name} {'up' if row['change'] > 0 else 'down'} "
                                f"{_num(abs(row['change']))} points, {_num(row['value_from'])} → "
                                f"{_num(row['value_to'])} from {row['from_period']} to {row['to_period']} "
                                f"({_p(row['p_value'])}).")
        if not len(sig):
            change_lines.append(f"None of the {len(changes):,} period-to-period changes is significant at the "
                                "5% level.")
        elif len(sig) > 3:
            change_lines.append(f"{len(sig):,} of {len(changes):,} period-to-period changes are significant at the "
                                "5% level (not corrected for the number of tests).")
    pain = ""
    top = None
    if drivers is not None and len(drivers):
        candidates = drivers[(drivers["impact"] < 0) & ~drivers["topic"].map(is_noise)]
        candidates = candidates.sort_values("impact")
        if len(candidates):
            top = candidates.iloc[0]
            sure = ("the whole 95% interval is below zero" if top["ci_high"] < 0
                    else "its interval includes zero, so this is not certain")
            pain = (f"“{top['topic']}” pulls the {name} down most: without its responses the score would be "
                    f"{_num(-top['impact'])} points higher ({sure}).")
    steps = []
    if len(red):
        steps.append(f"Act on {_names(list(red[touchpoint][:3]))} first: "
                     f"{'its' if len(red) == 1 else 'their'} {name} is clearly below target.")
    elif len(amber):
        steps.append(f"No touchpoint is clearly below target; watch {_names(list(amber[touchpoint][:3]))}.")
    if top is not None:
        steps.append(f"Start with “{top['topic']}”: it costs the most points of {name}.")
    if len(green):
        steps.append(f"Learn from {_names(list(green[touchpoint][-2:]))}, which clear the target.")
    if len(grey):
        steps.append(f"Collect more responses for {_names(list(grey[touchpoint][:3]))} before judging them.")
    return Summary(title=title or f"{name} per {touchpoint}", tiles=tiles, attention=attention[:5],
                   attention_title=attention_title, changes=change_lines[:4], pain_point=pain,
                   next_steps=steps[:5], notes=[_LIGHT_RULE])


# ---- voice of the customer ---------------------------------------------------------------------------------

def _latest_share_changes(documents: pd.DataFrame, *, by: str, date: str, period: str, fdr: float = 0.05):
    """Topics whose share of the documents changed between the last two periods: two-proportion z-tests,
    Benjamini-Hochberg corrected. Returns (table of significant changes, previous, current) or None."""
    dated = documents.dropna(subset=[date])
    if dated.empty:
        return None
    stamps = pd.to_datetime(dated[date], utc=True).dt.tz_localize(None)
    periods = stamps.dt.to_period(period)
    order = sorted(periods.unique())
    if len(order) < 2:
        return None
    previous, current = order[-2], order[-1]
    a, b = dated[(periods == previous).to_numpy()], dated[(periods == current).to_numpy()]
    rows = []
    for label in sorted(set(a[by].dropna()) | set(b[by].dropna()), key=str):
        if is_noise(label):
            continue
        x1, x2 = int((a[by] == label).sum()), int((b[by] == label).sum())
        n1, n2 = len(a), len(b)
        pooled = (x1 + x2) / (n1 + n2)
        se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2)) if 0 < pooled < 1 else 0
        if se == 0:
            continue
        z = (x2 / n2 - x1 / n1) / se
        rows.append({"label": label, "share_previous": x1 / n1, "share_current": x2 / n2,
                     "change": x2 / n2 - x1 / n1, "p_value": 2 * stats.norm.sf(abs(z))})
    if not rows:
        return None
    table = pd.DataFrame(rows)
    ranked = table["p_value"].rank(method="first")
    q = (table["p_value"] * len(table) / ranked)
    table["q_value"] = q.sort_values(ascending=False).cummin().reindex(table.index).clip(upper=1)
    return table[table["q_value"] < fdr], previous, current


def feedback_summary(documents: pd.DataFrame, *, topics: pd.DataFrame | None = None, sentiment: str = "sentiment",
                     touchpoint: str | None = "touchpoint", text: str = "text", date: str | None = "date",
                     period: str = "D", topic_scope: str = "", title: str = "", min_n: int = 30) -> Summary:
    """The summary of a voice-of-the-customer report: how customers feel, where it is worst, which topic
    changed, and the largest actionable topic with one verbatim.

    Parameters
    ----------
    documents : pandas.DataFrame
        The classified feedback documents (with ``sentiment``).
    topics : pandas.DataFrame, optional
        :attr:`cxlib.feedback.TopicResult.documents` (``topic_label``, ``topic_similarity``).
    sentiment, touchpoint, text, date : str
        Columns (``touchpoint`` and ``date`` may be None or missing).
    period : str, default "D"
        Period of the topic-share comparison (the last against the one before).
    topic_scope : str, optional
        Which documents the topics were found on ("negative tweets").
    title : str, optional
        What the report is about.
    min_n : int, default 30
        Touchpoints with fewer documents are not ranked.

    Returns
    -------
    cxlib.display.Summary
        Tiles (documents, negative and positive share, sentiment index, largest topic), the most negative
        touchpoints, the topics whose share changed significantly between the last two periods
        (two-proportion z-tests, Benjamini-Hochberg at 5 %), the largest topic that is not noise with its most
        typical verbatim (PII redacted).

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"text": ["late again", "lost my bag", "great crew", "late", "late!"],
    ...                      "sentiment": ["negative", "negative", "positive", "negative", "neutral"],
    ...                      "topic_label": ["delays", "baggage", "crew", "delays", "delays"],
    ...                      "topic_similarity": [0.9, 0.8, 0.7, 0.6, 0.5]})
    >>> s = feedback_summary(docs, topics=docs, touchpoint=None, date=None)
    >>> [t.value for t in s.tiles[:3]], s.verbatim
    (['5', '60%', '20%'], 'late again')
    """
    n = len(documents)
    shares = documents[sentiment].value_counts(normalize=True) if sentiment in documents.columns else pd.Series()
    negative, positive = float(shares.get("negative", 0.0)), float(shares.get("positive", 0.0))
    tiles = [Tile("Feedback documents", f"{n:,}", "", "after cleaning")]
    if len(shares):
        tiles += [Tile("Negative", _pct(negative), "", f"{round(negative * n):,} documents"),
                  Tile("Positive", _pct(positive), "", f"{round(positive * n):,} documents"),
                  Tile("Sentiment index", _num(100 * (positive - negative)), "", "% positive − % negative")]
    attention, attention_title = [], "Most negative touchpoints"
    if touchpoint and touchpoint in documents.columns and len(shares):
        groups = documents.groupby(touchpoint)[sentiment]
        table = pd.DataFrame({"n": groups.size(), "negative": groups.apply(lambda s: (s == "negative").mean())})
        table = table[table["n"] >= min_n].sort_values("negative", ascending=False)
        attention = [f"{tp}: {_pct(row['negative'])} negative (n {int(row['n']):,})"
                     for tp, row in table.head(3).iterrows()]
    pain, quote, top_label = "", "", None
    changes = []
    if topics is not None and len(topics) and "topic_label" in topics.columns:
        counts = topics["topic_label"].value_counts()
        counts = counts[[not is_noise(label) for label in counts.index]]
        if len(counts):
            top_label = counts.index[0]
            share = counts.iloc[0] / len(topics)
            scope = f" of the {len(topics):,} {topic_scope}" if topic_scope else f" of {len(topics):,} documents"
            tiles.append(Tile("Largest topic", _pct(share), "", str(top_label)))
            pain = (f"“{top_label}” is the largest topic that names a cause: {int(counts.iloc[0]):,}"
                    f"{scope} ({_pct(share)}).")
            members = topics[topics["topic_label"] == top_label]
            if text in members.columns:
                lengths = members[text].astype(str).str.len()
                readable = members[(lengths >= 40) & (lengths <= 240)]
                pick = readable if len(readable) else members
                if "topic_similarity" in pick.columns:
                    pick = pick.sort_values("topic_similarity", ascending=False)
                quote = _verbatim(pick[text].iloc[0])
        if date and date in topics.columns:
            found = _latest_share_changes(topics, by="topic_label", date=date, period=period)
            if found is not None:
                sig, previous, current = found
                sig = sig.reindex(sig["change"].abs().sort_values(ascending=False).index)
                for _, row in sig.head(3).iterrows():
                    changes.append(f"“{row['label']}”: {_pct(row['share_previous'])} → {_pct(row['share_current'])}"
                                   f" of the topic documents from {previous} to {current} ({_p(row['q_value'], 'q')}).")
                if not len(sig):
                    changes.append(f"No topic's share changed significantly from {previous} to {current} "
                                   "(z-tests, Benjamini-Hochberg at 5%).")
    steps = []
    if top_label is not None:
        steps.append(f"Route “{top_label}” to the team that owns it: it is the largest actionable topic.")
    if attention:
        steps.append(f"Look at {attention[0].split(':')[0]} first: it has the highest share of negative feedback.")
    if changes and not changes[0].startswith("No topic"):
        steps.append("Check the topics whose share changed in the latest period before they grow further.")
    steps.append("Read the representative verbatims of each topic below before acting on a label.")
    return Summary(title=title or "what customers say", tiles=tiles[:6], attention=attention,
                   attention_title=attention_title, changes=changes, changes_title="Topics that changed",
                   pain_point=pain, verbatim=quote, next_steps=steps[:5])


# ---- journeys ----------------------------------------------------------------------------------------------

_MEASURE_WORDS = {"dropoff_rate": "of its cases end there unsuccessfully", "rework_rate": "of its cases repeat it",
                  "handoff_rate": "of arrivals change hands", "escalation_rate": "of its events escalate"}


def _worst_measure(row, table: pd.DataFrame, measures: list[str]) -> str:
    """The touchpoint's measure with the highest percentile among the ranked touchpoints, as words."""
    ranked = table[table["priority_rank"].notna()]
    best, best_pct = None, -1.0
    for m in measures:
        if m not in ranked.columns or pd.isna(row.get(m)):
            continue
        pct = (ranked[m] <= row[m]).mean()
        if pct > best_pct:
            best, best_pct = m, pct
    if best is None:
        return ""
    if best == "median_wait_before_h":
        return f"customers wait a median {format_hours(row[best])} before it"
    return f"{_pct(row[best])} {_MEASURE_WORDS.get(best, column_label(best).lower())}"


def journeys_summary(touchpoints, *, dropoffs=None, throughput: pd.DataFrame | None = None,
                     case_loops: pd.DataFrame | None = None, conformance: pd.DataFrame | None = None,
                     differences=None, title: str = "") -> Summary:
    """The summary of a journeys report: how many journeys end well and how long they take, the touchpoints to
    fix first, and where segments' journeys differ significantly.

    Parameters
    ----------
    touchpoints : cxlib.journeys.Touchpoints
        :func:`cxlib.journeys.touchpoints` (the priority; successful ends are never ranked).
    dropoffs : cxlib.journeys.DropOffs, optional
        :func:`cxlib.journeys.dropoffs`.
    throughput : pandas.DataFrame, optional
        :func:`cxlib.journeys.throughput` (``throughput_h``).
    case_loops : pandas.DataFrame, optional
        :func:`cxlib.journeys.case_loops` (``has_rework``).
    conformance : pandas.DataFrame, optional
        :func:`cxlib.journeys.design_conformance` (``conforms``, ``on_time``).
    differences : cxlib.journeys.SegmentDifferences, optional
        :func:`cxlib.journeys.segment_differences`.
    title : str, optional
        What the report is about.

    Returns
    -------
    cxlib.display.Summary
        The summary (journeys have no targets: the tiles carry no light).

    Examples
    --------
    >>> import cxlib
    >>> import cxlib.journeys as cj
    >>> log = cxlib.read_log("data/helpdesk.xes.gz")
    >>> s = journeys_summary(cj.touchpoints(log), dropoffs=cj.dropoffs(log))
    >>> s.tiles[0].value, s.attention[0].startswith("Take in charge ticket")
    ('4,580', True)
    """
    table = touchpoints.table
    tiles = []
    cases = dropoffs.cases_total if dropoffs is not None else None
    if cases is None and throughput is not None:
        cases = len(throughput)
    if cases:
        tiles.append(Tile("Cases", f"{int(cases):,}", "", "journeys in the log"))
    if dropoffs is not None and dropoffs.cases_total:
        ok = 1 - dropoffs.dropoff_cases / dropoffs.cases_total
        tiles.append(Tile("End successfully", _pct(ok, 1), "", f"at {_names(dropoffs.success_ends[:3])}"))
    if throughput is not None and "throughput_h" in throughput.columns and len(throughput):
        tiles.append(Tile("Median journey time", format_hours(throughput["throughput_h"].median()), "",
                          f"90th percentile {format_hours(throughput['throughput_h'].quantile(0.9))}"))
    if case_loops is not None and "has_rework" in case_loops.columns and len(case_loops):
        tiles.append(Tile("Repeat a touchpoint", _pct(case_loops["has_rework"].mean()), "", "cases with rework"))
    if conformance is not None and len(conformance):
        tiles.append(Tile("Follow the design", _pct(conformance["conforms"].mean()), "",
                          f"on time at every target: {_pct(conformance['on_time'].mean())}"))
    ranked = table[table["priority_rank"].notna()].sort_values("priority_rank")
    measures = list(touchpoints.priority_measures)
    attention = []
    for _, row in ranked.head(3).iterrows():
        worst = _worst_measure(row, table, measures)
        attention.append(f"{row['touchpoint']}: reached by {_pct(row['case_share'])} of cases"
                         + (f"; {worst}" if worst else "") + ".")
    changes = []
    diff_title = "Largest significant differences between segments"
    if differences is not None and len(differences.table):
        sig = differences.table[differences.table["significant"].astype(bool)]
        sig = sig.reindex(sig["difference"].abs().sort_values(ascending=False).index)
        segs = [s for s in differences.segments if s in sig.columns]
        for _, row in sig.head(3).iterrows():
            values = {s: row[s] for s in segs if pd.notna(row[s])}
            if not values:
                continue
            low = min(values, key=values.get)
            high = max(values, key=values.get)
            fmt = (lambda v: format_hours(v)) if "wait" in str(row["measure"]) else (lambda v: _pct(v))
            what = "median wait at" if "wait" in str(row["measure"]) else "cases taking"
            changes.append(f"{what} {row['item']}: {fmt(values[high])} for {differences.by} {high} against "
                           f"{fmt(values[low])} for {low} ({_p(row['q_value'], 'q')}).")
        if not len(sig):
            changes.append(f"No significant difference between the {differences.by} segments "
                           f"({differences.tests_run} tests, false-discovery rate {differences.fdr:g}).")
    pain = ""
    steps = []
    if len(ranked):
        top = ranked.iloc[0]
        worst = _worst_measure(top, table, measures)
        pain = (f"{top['touchpoint']} is the top priority: it is reached by {_pct(top['case_share'])} of cases"
                + (f" and {worst}" if worst else "") + ".")
        steps.append(f"Start with {top['touchpoint']}: {worst or 'it scores worst on the problem measures'}, "
                     "and almost every journey passes it." if top["case_share"] >= 0.5 else
                     f"Start with {top['touchpoint']}: {worst or 'it scores worst on the problem measures'}.")
        if len(ranked) > 1:
            steps.append(f"Then look at {_names(list(ranked['touchpoint'].iloc[1:3]))}, the next priorities.")
    if conformance is not None and len(conformance) and conformance["conforms"].mean() < 0.9:
        steps.append(f"Ask why {_pct(1 - conformance['conforms'].mean())} of cases leave the designed journey: the "
                     "stage table below shows where.")
    if changes and differences is not None and not changes[0].startswith("No significant"):
        steps.append(f"Check whether the {differences.by} segments should travel differently: the largest "
                     "differences are listed above.")
    if touchpoints.success_ends:
        steps.append(f"Successful ends ({_names(touchpoints.success_ends[:3])}) are not ranked: there the "
                     "customer is done.")
    return Summary(title=title or "customer journeys", tiles=tiles[:6], attention=attention,
                   attention_title="Touchpoints to fix first (priority)", changes=changes,
                   changes_title=diff_title, pain_point=pain, next_steps=steps[:5])
