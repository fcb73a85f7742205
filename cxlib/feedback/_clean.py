"""Cleaning open feedback: handles, URLs, HTML entities, emojis, language, duplicates and PII redaction."""

from __future__ import annotations

import html
import re

import pandas as pd

from .._errors import CxInputError
from ..display import PII_KINDS, redact_values
from . import _cache

__all__ = [
    "PII_KINDS",
    "clean_feedback",
    "clean_text",
    "cleaning_report_table",
    "deduplicate",
    "detect_language",
    "redact_pii",
]

# clean_text drops handles and links, and the tags redaction left in their place
_HANDLE = re.compile(r"(?<![\w@])@\w+|\[HANDLE\]")
_URL = re.compile(r"(?:https?://|www\.)\S+|\[URL\]", re.IGNORECASE)
_HTML_TAG = re.compile(r"<[^>\n]{1,200}>")
_SPACES = re.compile(r"\s+")


def redact_pii(feedback: pd.DataFrame, *, text: str = "text",
               with_report: bool = False) -> pd.DataFrame | tuple[pd.DataFrame, dict]:
    """Redact personal data (see :func:`cxlib.display.redact`) in a text column.

    Like the other transformations of a feedback table (:func:`deduplicate`, :func:`clean_feedback`,
    :func:`assign_topics`) it returns the table, which callers chain; what it counted comes back beside the
    table only when asked (``with_report=True``), as :func:`cxlib.display.redact` returns ``(text, counts)``.

    Parameters
    ----------
    feedback : pandas.DataFrame
        Any table with a text column; it is not changed.
    text : str, default "text"
        The column to redact.
    with_report : bool, default False
        Return ``(table, counts)``: the table and the replacements per kind over all rows (dict kind -> count,
        every kind of ``PII_KINDS``).

    Returns
    -------
    pandas.DataFrame or tuple
        A copy with ``text`` redacted and a column ``pii_redacted`` (int, replacements in that row); with
        ``with_report``, ``(table, counts)``.

    Examples
    --------
    >>> from cxlib.feedback import read_feedback
    >>> fb = read_feedback("data/airline_tweets.csv.gz", id="tweet_id")
    >>> red, counts = redact_pii(fb, with_report=True)
    >>> sorted(counts)
    ['card', 'email', 'handle', 'iban', 'phone', 'tax_id', 'url']
    >>> counts["phone"] > 0, bool(red["text"].str.contains("800-433-7300").any())
    (True, False)
    >>> int(red["pii_redacted"].sum()) == sum(counts.values())
    True
    """
    if text not in feedback.columns:
        raise CxInputError(f"the text column {text!r} is missing; columns: {', '.join(map(str, feedback.columns))}.",
                           column=text)
    out = feedback.copy()
    redacted, per_row = redact_values(out[text].tolist())
    totals = dict.fromkeys(PII_KINDS, 0)
    for counts in per_row:
        for k, v in counts.items():
            totals[k] += v
    out[text] = pd.Series(redacted, index=out.index, dtype=object)
    out["pii_redacted"] = pd.Series([sum(c.values()) for c in per_row], index=out.index, dtype=int)
    return (out, totals) if with_report else out


def _emoji_words(text: str, mode: str) -> str:
    if mode == "keep" or text.isascii():
        return text
    import emoji

    if mode == "drop":
        return emoji.replace_emoji(text, replace=" ")
    if mode != "words":
        raise CxInputError(f"emojis={mode!r}; expected 'words', 'drop' or 'keep'.", column="emojis")

    def name(chars, data):
        return " " + data["en"].strip(":").replace("_", " ") + " "
    return emoji.replace_emoji(text, replace=name)


def clean_text(text: str, *, handles: bool = True, urls: bool = True, entities: bool = True,
               emojis: str = "words", hashtags: bool = True) -> str:
    """Clean one text for modelling: HTML entities, @handles, URLs, emojis, hashtags, spaces.

    Parameters
    ----------
    text : str
        The raw text.
    handles : bool, default True
        Remove ``@handles`` (and the ``[HANDLE]`` tags of redaction).
    urls : bool, default True
        Remove ``http(s)://`` and ``www.`` links (and the ``[URL]`` tags of redaction).
    entities : bool, default True
        Decode HTML entities (``&amp;`` -> ``&``) and strip HTML tags.
    emojis : {"words", "drop", "keep"}, default "words"
        Emojis become their English names (an angry face becomes ``angry face``), are dropped, or kept.
    hashtags : bool, default True
        ``#delayed`` becomes ``delayed``.

    Returns
    -------
    str
        The cleaned text (single spaces, stripped); ``""`` for missing values.

    Examples
    --------
    >>> clean_text("@united lost my bag again &amp; again \N{ANGRY FACE} https://t.co/x #fail")
    'lost my bag again & again angry face fail'
    """
    if not isinstance(text, str):
        return ""
    if entities:
        text = html.unescape(html.unescape(text))
        text = _HTML_TAG.sub(" ", text)
    if urls:
        text = _URL.sub(" ", text)
    if handles:
        text = _HANDLE.sub(" ", text)
    if hashtags:
        text = re.sub(r"#(\w)", r"\1", text)
    text = _emoji_words(text, emojis)
    return _SPACES.sub(" ", text).strip()


_DETECTORS: dict = {}


def detect_language(texts, *, languages=("en", "de"), min_chars: int = 3) -> pd.Series:
    """Detect the language of each text offline with lingua (no download).

    Parameters
    ----------
    texts : sequence of str or pandas.Series
        The texts (ideally cleaned: handles and URLs confuse detectors).
    languages : sequence of str, default ("en", "de")
        ISO 639-1 codes of the candidate languages.
    min_chars : int, default 3
        Texts with fewer letters get ``None``.

    Returns
    -------
    pandas.Series
        ISO 639-1 code per text (``"en"``, ``"de"``, ...) or ``None`` when undecided; same index as ``texts``.

    Examples
    --------
    >>> detect_language(["Der Zug ist schon wieder zu spät", "my flight was cancelled"]).tolist()
    ['de', 'en']
    """
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    series = texts if isinstance(texts, pd.Series) else pd.Series(list(texts))
    key = tuple(sorted(languages))
    if key not in _DETECTORS:
        try:
            langs = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in key]
        except AttributeError:
            raise CxInputError(f"unknown language code among {list(languages)}; use ISO 639-1 codes like "
                               "'en', 'de'.", column="language") from None
        if len(langs) < 2:
            raise CxInputError("language detection needs at least two candidate languages.", column="language")
        _DETECTORS[key] = LanguageDetectorBuilder.from_languages(*langs).build()
    detector = _DETECTORS[key]
    values = series.fillna("").astype(str).tolist()
    found = detector.detect_languages_in_parallel_of(values)
    codes = [None if (lang is None or sum(ch.isalpha() for ch in v) < min_chars)
             else lang.iso_code_639_1.name.lower() for v, lang in zip(values, found)]
    return pd.Series(codes, index=series.index, dtype=object)


def deduplicate(feedback: pd.DataFrame, *, text: str = "text", normalise: bool = True,
                with_report: bool = False) -> pd.DataFrame | tuple[pd.DataFrame, dict]:
    """Drop repeated texts (retweets, copy-paste, double submissions), keeping the first.

    A transformation of the table, like :func:`redact_pii` and :func:`clean_feedback`: it returns the table,
    and the count of what it dropped only when asked (``with_report=True``).

    Parameters
    ----------
    feedback : pandas.DataFrame
        Any table with a text column; it is not changed.
    text : str, default "text"
        The column compared.
    normalise : bool, default True
        Compare case-folded texts with single spaces, so ``"Late again!"`` and ``"late  again!"`` count as one.
    with_report : bool, default False
        Return ``(table, report)``, the report a dict ``{"duplicates_dropped": int}``.

    Returns
    -------
    pandas.DataFrame or tuple
        The rows whose text is new, same columns; with ``with_report``, ``(table, report)``.

    Examples
    --------
    >>> from cxlib.feedback import read_feedback
    >>> fb = read_feedback("data/airline_tweets.csv.gz", id="tweet_id")
    >>> kept, report = deduplicate(fb, with_report=True)
    >>> len(kept) + report["duplicates_dropped"] == len(fb), len(kept) < len(fb)
    (True, True)
    """
    keys = feedback[text].fillna("").astype(str)
    if normalise:
        keys = keys.str.casefold().str.replace(r"\s+", " ", regex=True).str.strip()
    dup = keys.duplicated(keep="first")
    out = feedback[~dup].copy()
    return (out, {"duplicates_dropped": int(dup.sum())}) if with_report else out


def clean_feedback(feedback: pd.DataFrame, *, text: str = "text", emojis: str = "words", redact: bool = True,
                   dedupe: bool = True, language: str | bool = "auto", languages=("en", "de"),
                   drop_empty: bool = True, cache: bool = True,
                   with_report: bool = False) -> pd.DataFrame | tuple[pd.DataFrame, dict]:
    """Clean a feedback table: PII redaction, a modelling text, language, de-duplication; all counted.

    The cleaned table is what callers go on with (classifiers, topics), so it is what this returns, as
    :func:`redact_pii` and :func:`deduplicate` do; the counts come back beside it with ``with_report=True``
    (:func:`cleaning_report_table` turns them into a table for a report).

    Parameters
    ----------
    feedback : pandas.DataFrame
        A table from :func:`read_feedback` (or any table with a text column); it is not changed.
    text : str, default "text"
        The text column.
    emojis : {"words", "drop", "keep"}, default "words"
        How emojis appear in ``text_clean`` (see :func:`clean_text`).
    redact : bool, default True
        Redact personal data (:func:`cxlib.display.redact`: e-mail addresses, phone, IBAN, card and tax numbers, URLs,
        @handles) in ``text`` and ``text_clean``. Keep it on for anything that goes into a report.
    dedupe : bool, default True
        Drop rows whose cleaned text repeats an earlier one (see :func:`deduplicate`).
    language : {"auto", True, False}, default "auto"
        Detect the language (``auto``: only when there is no ``language`` column).
    languages : sequence of str, default ("en", "de")
        Candidate languages for detection.
    drop_empty : bool, default True
        Drop rows whose cleaned text is empty (e.g. only a handle and a link).
    cache : bool, default True
        Read and write the on-disk cache of the per-text work (redaction, cleaning, language detection), keyed by
        the texts and these options (``$CX_CACHE_DIR/feedback/clean``). The cached texts are the redacted ones.
    with_report : bool, default False
        Return ``(table, report)``. The report is a dict: ``rows_in`` and ``rows_out`` (int), ``dropped``
        (reason -> rows), ``pii`` (kind -> replacements, every kind of ``PII_KINDS``), ``languages`` (code ->
        texts, ``unknown`` for none found; empty without language) and, with a language column,
        ``language_source``.

    Returns
    -------
    pandas.DataFrame or tuple
        The input columns (``text`` with HTML entities decoded and redacted when ``redact``) plus ``text_clean``
        (str: entities decoded, handles, URLs and hashtag signs removed, emojis as words, redacted),
        ``pii_redacted`` (int, replacements in the row) and ``language`` (str or None); with ``with_report``,
        ``(table, report)``.

    Examples
    --------
    >>> from cxlib.feedback import read_feedback
    >>> raw = read_feedback("data/germeval2017_dev.csv.gz", labels=["relevance", "sentiment"])
    >>> fb, report = clean_feedback(raw, with_report=True)
    >>> report["languages"]["de"] > 2000, report["rows_out"] == len(fb)
    (True, True)
    """
    if text not in feedback.columns:
        raise CxInputError(f"the text column {text!r} is missing; columns: {', '.join(map(str, feedback.columns))}.",
                           column=text)
    detect = language is True or (language == "auto" and "language" not in feedback.columns)
    values = feedback[text].tolist()
    options = {"emojis": emojis, "redact": redact, "dedupe": dedupe, "drop_empty": drop_empty, "detect": detect,
               "languages": sorted(languages) if detect else None}
    # The per-text work (redaction, cleaning, language) is cached under the texts and the options; only texts
    # can be cached (JSON), so a column with other values is cleaned afresh.
    cacheable = cache and all(isinstance(v, str) for v in values)
    key = _cache.cache_key("clean", values, options, packages=("emoji", "lingua-language-detector",
                                                               "phonenumbers", "python-stdnum")) if cacheable else None
    step = _cache.load("clean", key) if cacheable else None
    step = step[0] if step is not None else None
    if step is None:
        step = _clean_values(values, emojis=emojis, redact=redact, dedupe=dedupe, drop_empty=drop_empty,
                             languages=languages if detect else None)
        if cacheable:
            _cache.save("clean", key, step)
    report = {"rows_in": len(feedback), "dropped": dict(step["dropped"]), "pii": dict(step["pii"]),
              "languages": {}}
    out = feedback.reset_index(drop=True)
    # The shown text keeps its wording; entities such as &gt; are decoded (display helpers escape it again).
    if redact:
        out[text] = pd.Series(step["shown"], index=out.index, dtype=object)
        out["pii_redacted"] = pd.Series(step["pii_per_row"], index=out.index, dtype=int)
    else:
        out[text] = step["shown"]
        out["pii_redacted"] = 0
    out["text_clean"] = step["clean"]
    out = out.iloc[step["kept"]].copy()
    if detect:
        out["language"] = pd.Series(step["language"], index=out.index, dtype=object)
        report["language_source"] = "lingua (detected offline)"
    elif "language" in out.columns:
        report["language_source"] = "language column"
    if "language" in out.columns:
        report["languages"] = {str(k): int(v) for k, v in out["language"].fillna("unknown").value_counts().items()}
    out = out.reset_index(drop=True)
    report["rows_out"] = len(out)
    return (out, report) if with_report else out


def _clean_values(values: list, *, emojis: str, redact: bool, dedupe: bool, drop_empty: bool,
                  languages) -> dict:
    """What :func:`clean_feedback` computes from the text values alone (JSON values, for the cache): the shown
    text, the replacements (per row and per kind), ``text_clean``, the positions of the rows kept, the drops per
    reason and, with ``languages``, the language of each kept row."""
    shown = [html.unescape(html.unescape(t)) if isinstance(t, str) else t for t in values]
    totals = dict.fromkeys(PII_KINDS, 0)
    per_row = [0] * len(values)
    if redact:
        shown, counts = redact_values(shown)
        for row in counts:
            for k, v in row.items():
                totals[k] += v
        per_row = [int(sum(c.values())) for c in counts]
    clean = [clean_text(t, emojis=emojis) for t in shown]
    kept = pd.RangeIndex(len(values))
    dropped = {}
    if drop_empty:
        empty = pd.Series(clean, dtype=object).str.strip() == ""
        if empty.any():
            dropped["empty after cleaning"] = int(empty.sum())
            kept = kept[~empty.to_numpy()]
    if dedupe:
        frame = pd.DataFrame({"text_clean": [clean[i] for i in kept]}, index=kept)
        frame, dedup = deduplicate(frame, text="text_clean", with_report=True)
        if dedup["duplicates_dropped"]:
            dropped["repeated text"] = dedup["duplicates_dropped"]
        kept = frame.index
    language = None
    if languages is not None:
        language = detect_language([clean[i] for i in kept], languages=languages).tolist()
    return {"shown": shown, "pii_per_row": per_row, "pii": totals, "clean": clean,
            "kept": [int(i) for i in kept], "dropped": dropped, "language": language}


def cleaning_report_table(report: dict) -> pd.DataFrame:
    """The cleaning report of :func:`clean_feedback` as a table: rows in, drops, redactions, languages, rows out.

    Parameters
    ----------
    report : dict
        The report of ``clean_feedback(..., with_report=True)`` (the second item it returns).

    Returns
    -------
    pandas.DataFrame
        Columns ``item`` (str) and ``count`` (int), in this order: ``rows in``; ``dropped: <reason>`` per reason;
        ``redacted: <kind>`` per PII kind; ``language: <code>`` per language (``unknown`` for none found);
        ``rows out``. ``rows in`` minus the dropped rows equals ``rows out``.

    Examples
    --------
    >>> from cxlib.feedback import read_feedback
    >>> raw = read_feedback("data/germeval2017_dev.csv.gz")
    >>> fb, report = clean_feedback(raw, language=False, with_report=True)
    >>> table = cleaning_report_table(report)
    >>> table["item"].iloc[[0, -1]].tolist()
    ['rows in', 'rows out']
    >>> int(table.set_index("item").loc["rows out", "count"]) == len(fb)
    True
    """
    keys = ("rows_in", "dropped", "pii", "languages", "rows_out")
    if not isinstance(report, dict) or not all(k in report for k in keys):
        raise CxInputError("this is not a cleaning report; pass the report of clean_feedback(..., "
                           "with_report=True), e.g. docs, report = clean_feedback(raw, with_report=True).")
    rows = [("rows in", report["rows_in"])]
    rows += [(f"dropped: {k}", v) for k, v in report["dropped"].items()]
    rows += [(f"redacted: {k}", v) for k, v in report["pii"].items()]
    rows += [(f"language: {k}", v) for k, v in report["languages"].items()]
    rows.append(("rows out", report["rows_out"]))
    return pd.DataFrame(rows, columns=["item", "count"])
