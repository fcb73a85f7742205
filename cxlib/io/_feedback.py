"""Open feedback and survey responses: CSV, Excel, Parquet and the GermEval 2017 XML, with a load report.

Both readers stand on :func:`cxlib.io.read_table` (every record of a text file accounted for), dates follow
:func:`cxlib.io.parse_timestamps`, scores :func:`cxlib.io.parse_scores` and case ids
:func:`cxlib.io.normalise_ids`: the same rules as for event logs.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from .._docstrings import share_docs
from .._errors import CxInputError
from ._columns import require_columns
from ._files import open_bytes, sniff_content
from ._ids import normalise_ids
from ._report import LoadReport
from ._scores import parse_scores
from ._table import format_of, read_table
from ._timestamps import parse_timestamps

__all__ = ["STANDARD_COLUMNS", "read_feedback", "read_responses"]

#: Standard column names of a feedback table, in this order (only those mapped are present).
STANDARD_COLUMNS = ["id", "text", "date", "score", "touchpoint", "channel", "case_id", "language"]

# Names tried for the text column when ``text=`` is not given.
_TEXT_ALIASES = ["text", "comment", "comments", "verbatim", "feedback", "message", "review", "body", "answer"]


def _read_germeval_xml(raw: bytes, path: Path) -> pd.DataFrame:
    """GermEval 2017 XML -> one row per document: id, text, relevance, sentiment, aspect_categories, aspects."""
    from lxml import etree

    try:
        root = etree.fromstring(raw, parser=etree.XMLParser(huge_tree=True))
    except etree.XMLSyntaxError as exc:
        line, col = exc.position if exc.position else (None, None)
        raise CxInputError(f"invalid XML at line {line}, column {col}: {exc.msg}.", path=path) from None
    docs = root.findall("Document") if root.tag != "Document" else [root]
    if not docs:
        raise CxInputError(f"no <Document> elements under <{root.tag}>; expected the GermEval 2017 XML layout "
                           "(<Documents><Document id=...><text>...).", path=path)
    rows = []
    for doc in docs:
        cats, aspects = [], []
        for op in doc.iter("Opinion"):
            category = op.get("category", "")
            coarse = category.split("#")[0]
            if coarse and coarse not in cats:
                cats.append(coarse)
            aspects.append(f"{category}:{op.get('polarity', '')}")
        rows.append({
            "id": doc.get("id"),
            "text": doc.findtext("text"),
            "relevance": doc.findtext("relevance"),
            "sentiment": doc.findtext("sentiment"),
            "aspect_categories": ";".join(cats) or None,
            "aspects": " ".join(aspects) or None,
        })
    return pd.DataFrame(rows, dtype=object)


def _read_any(path: Path, fmt, *, sep, encoding, quoting, sheet, report: LoadReport):
    raw = open_bytes(path)
    if sniff_content(raw) == "xml":
        report.format = "germeval-xml"
        report.reader = "lxml (GermEval 2017 layout)"
        table = _read_germeval_xml(raw, path)
        report.rows_read = len(table)
        return table, None, True
    table, lines, _ = read_table(path, format=fmt if fmt != "germeval-xml" else None, sep=sep, encoding=encoding,
                                 quoting=quoting, sheet=sheet, raw=raw, report=report)
    return table, lines, False


def _as_text(values: pd.Series) -> pd.Series:
    return values.where(values.isna(), values.astype(str)).astype(object)


@share_docs
def read_feedback(path, *, text: str | None = None, id: str | None = None, date: str | None = None,
                  score: str | None = None, touchpoint: str | None = None, channel: str | None = None,
                  case_id: str | None = None, language: str | None = None, labels=None,
                  date_format: str | None = None, dayfirst: bool | None = None, source_timezone: str | None = None,
                  score_scale=None, score_integer: bool = True, id_variants: str = "keep",
                  sep: str | None = None, encoding: str | None = None, quoting: str = "minimal", sheet=0,
                  format: str | None = None, drop_duplicates: bool = True,
                  with_report: bool = False) -> pd.DataFrame | tuple[pd.DataFrame, LoadReport]:
    """Read open feedback (survey comments, tweets, chats) into a table with standard column names.

    CSV (delimiter and encoding detected, gzip allowed), Excel, Parquet and the GermEval 2017 XML are read.
    Records a CSV cannot hold (unbalanced quotes, ragged rows), rows without text, rows whose date cannot be
    read and exact duplicate rows are dropped and counted; scores that are not valid are kept as missing and
    counted (their raw text stays in ``score_raw``); ``with_report=True`` returns the load report with the table.

    Parameters
    ----------
    path : str or Path
        ``.csv``, ``.csv.gz``, ``.tsv``, ``.xlsx``, ``.parquet`` or a GermEval 2017 ``.xml``/``.xml.gz``.
    text : str, optional
        Column with the feedback text. When not given, ``text``, ``comment``, ``verbatim``, ``feedback``,
        ``message``, ``review``, ... are tried.
    id, date, score, touchpoint, channel, case_id, language : str, optional
        Source columns for the standard columns of the same name. ``id`` defaults to a column named ``id``,
        else the row number in the file.
    labels : str, list of str or dict, optional
        Further columns to keep (gold labels, segments); a dict renames ``{source: new_name}``.
    date_format : str, optional
        {strftime_format}
    {dayfirst}
    {source_timezone}
    score_scale : tuple of two numbers, optional
        Lowest and highest valid score (e.g. ``(0, 10)``); values outside are invalid.
    score_integer : bool, default True
        Only whole numbers are valid scores.
    {id_variants}
    {read_options}
    format : {"csv", "excel", "parquet", "germeval-xml"}, optional
        Overrides the guess from the file name (the content still decides).
    drop_duplicates : bool, default True
        Drop rows identical to an earlier row in every kept column (export duplicates), counted in the report.
    {with_report}

    Returns
    -------
    pandas.DataFrame, or (pandas.DataFrame, LoadReport) with ``with_report``
        One row per piece of feedback, in file order, with:

        - ``id`` (str): the feedback id (source column or row number in the file).
        - ``text`` (str): the feedback text as written (not cleaned; see :func:`cxlib.feedback.clean_feedback`).
        - ``date`` (datetime64, UTC), if ``date`` was given.
        - ``score`` (float, NaN unless valid) and ``score_raw`` (the text as written), if ``score`` was given.
        - ``touchpoint``, ``channel``, ``case_id``, ``language`` (str), each if given.
        - the ``labels`` columns (str), under their (new) names. For GermEval XML: ``relevance``, ``sentiment``,
          ``aspect_categories`` (coarse categories joined with ``;``) and ``aspects`` (``Category#Sub:polarity``).

    Raises
    ------
    cxlib.CxInputError
        Missing or empty file, unknown type, a named column that does not exist, no text column, no text at all,
        a date column where no value parses or whose day/month order is ambiguous.

    Examples
    --------
    >>> fb = read_feedback("data/airline_tweets.csv.gz", id="tweet_id", date="tweet_created",
    ...                    touchpoint="airline", labels=["airline_sentiment", "negativereason"])
    >>> list(fb.columns)
    ['id', 'text', 'date', 'touchpoint', 'airline_sentiment', 'negativereason']
    >>> len(fb)  # 108 rows of the Kaggle file are exact duplicates
    14532
    >>> fb, report = read_feedback("data/airline_tweets.csv.gz", id="tweet_id", with_report=True)
    >>> report.rows_read, report.dropped
    (14640, {'duplicate row': 155})
    """
    started = time.perf_counter()
    path = Path(path)
    fmt = format_of(path, "germeval-xml" if format == "xml" else format,
                    allowed=("csv", "excel", "parquet", "germeval-xml", "xml"))
    report = LoadReport(path=str(path), format=fmt)
    df, lines, is_xml = _read_any(path, fmt, sep=sep, encoding=encoding, quoting=quoting, sheet=sheet,
                                  report=report)
    if is_xml:
        text = text or "text"
        id = id or "id"
        if labels is None:
            labels = ["relevance", "sentiment", "aspect_categories", "aspects"]
    if len(df) == 0:
        raise CxInputError("the file contains no rows of feedback.", path=path)

    if id is None and "id" in df.columns and text != "id":
        id = "id"
    if text is None:
        lowered = {}
        for c in df.columns:
            lowered.setdefault(str(c).strip().lower(), c)
        text = next((lowered[a] for a in _TEXT_ALIASES if a in lowered), None)
        if text is None:
            raise CxInputError(
                f"no text column was found (looked for {', '.join(_TEXT_ALIASES[:6])}, ...). The file has these "
                f"columns: {', '.join(map(str, df.columns))}. Name it with text='...'.", path=path, column="text")
    mapping = {"id": id, "text": text, "date": date, "score": score, "touchpoint": touchpoint,
               "channel": channel, "case_id": case_id, "language": language}
    for role, column in mapping.items():
        require_columns(df, column, what="the file", path=path, role=role)
    if isinstance(labels, str):
        labels = [labels]
    label_map = dict(labels) if isinstance(labels, dict) else {c: c for c in (labels or [])}
    require_columns(df, list(label_map), what="the file", path=path, role="labels")
    clash = set(label_map.values()) & ({k for k, v in mapping.items() if v is not None} | {"score_raw"})
    if clash:
        raise CxInputError(f"label column name(s) {sorted(clash)} clash with standard columns; rename them with "
                           "labels={'source': 'new_name'}.", path=path, column=min(clash))

    out = pd.DataFrame(index=df.index)
    if id:  # the same rule as case ids: float ids restored, textual nulls missing (kept, counted)
        ids = normalise_ids(df[id], column=str(id), path=path, id_variants="keep")
        out["id"] = ids.values.astype(object).where(~ids.missing, None)
        for item, n in ids.counts.items():
            if item not in ("leading-zero pairs", "whitespace pairs"):
                report.count(f"ids: {item}" + (" (kept)" if item == "missing id" else ""), n)
    else:
        out["id"] = pd.Series(range(len(df)), index=df.index).astype(str).astype(object)
    out["text"] = _as_text(df[text])
    reason = pd.Series(None, index=df.index, dtype=object)

    empty = out["text"].isna() | (out["text"].astype(str).str.strip() == "")
    if empty.all():
        raise CxInputError(f"the text column {text!r} is empty in every row.", path=path, column=text)
    reason = reason.mask(empty, "empty text")

    if date:
        dates = parse_timestamps(df[date], column=str(date), path=path, timestamp_format=date_format,
                                 dayfirst=dayfirst, source_timezone=source_timezone, what="date")
        missing = dates.reasons == "missing date"
        bad = dates.reasons.notna() & ~missing
        for label, n in dates.formats.items():
            report.count(f"date format: {label}", n)
        for label, n in dates.offsets.items():
            report.count(f"dates {label}", n)
        report.notes.extend(dates.notes)
        if bad.any():
            examples = ", ".join(repr(v) for v in df.loc[bad, date].astype(str).head(3))
            report.notes.append(f"unreadable dates in {date!r}, e.g. {examples}.")
            reason = reason.mask(reason.isna() & bad, dates.reasons.str.replace("timestamp", "date"))
        if missing.any():
            report.count("rows without a date (kept)", int((missing & reason.isna()).sum()))
        out["date"] = dates.values
    if score:
        scores = parse_scores(df[score], scale=score_scale, integer=score_integer, column=str(score), path=path)
        out["score"] = scores.values
        out["score_raw"] = _as_text(df[score])
        for problem, n in scores.counts.items():
            if problem != "no score":
                report.count(f"invalid scores (kept, score missing): {problem}", n)
        invalid = scores.invalid()
        if invalid.any():
            examples = ", ".join(repr(v) for v in df.loc[invalid, score].astype(str).unique()[:3])
            report.notes.append(f"{int(invalid.sum()):,} scores in {score!r} are not valid (kept with the score "
                                f"missing; list them with cxlib.scores.check_scores(table, score='score_raw')), "
                                f"e.g. {examples}.")
    for role in ("touchpoint", "channel", "language"):
        column = mapping[role]
        if column:
            out[role] = _as_text(df[column])
    if case_id:
        ids = normalise_ids(df[case_id], column=str(case_id), path=path, id_variants=id_variants)
        out["case_id"] = ids.values.astype(object).where(~ids.missing, None)
        for item, n in ids.counts.items():
            report.count(f"case ids: {item}" + (" (kept)" if item == "missing id" else ""), n)
        report.notes.extend(f"case ids: {note}" for note in ids.notes)
    for source, name in label_map.items():
        out[name] = _as_text(df[source])

    bad = reason.notna()
    if bad.any():
        for why, idx in reason[bad].groupby(reason[bad], sort=False).groups.items():
            at = None if lines is None else lines[df.index.get_indexer(idx)]
            report.drop(why, len(idx), at)
        out = out[~bad]
    if drop_duplicates:
        dup = out.duplicated(keep="first")
        if dup.any():
            at = None if lines is None else lines[df.index.get_indexer(out.index[dup])]
            report.drop("duplicate row", int(dup.sum()), at)
            out = out[~dup]
    if id and out["id"].duplicated().any():
        report.notes.append(f"{int(out['id'].duplicated().sum()):,} ids repeat with different content (kept).")
    report.count("repeated texts (kept)", int(out["text"].duplicated().sum()))
    out = out.reset_index(drop=True)
    report.rows_kept = len(out)
    report.columns = {k: str(v) for k, v in mapping.items() if v is not None}
    if case_id:
        report.counts["cases"] = int(out["case_id"].nunique())
    if date and out["date"].notna().any():
        report.start, report.end = out["date"].min(), out["date"].max()
    report.seconds = time.perf_counter() - started
    report.check()
    return (out, report) if with_report else out


@share_docs
def read_responses(path, *, columns=None, sep: str | None = None, encoding: str | None = None,
                   quoting: str = "minimal", sheet=0,
                   with_report: bool = False) -> pd.DataFrame | tuple[pd.DataFrame, LoadReport]:
    """Read an export of survey responses with every cell as text, so that nothing is coerced.

    Only empty cells are missing: ``"n/a"`` or ``"7,5"`` in a score column stay text and are then reported by
    :func:`cxlib.scores.check_scores` instead of silently becoming "no score". Records a CSV cannot hold are
    dropped and counted with their lines in the load report (``with_report=True``).

    Parameters
    ----------
    path : str or pathlib.Path
        A CSV (plain or .gz), Excel or Parquet file; the CSV delimiter and encoding are detected unless given.
    columns : list of str, optional
        Columns that must exist (score, touchpoint, date...); a missing one raises a
        :class:`cxlib.CxInputError` naming the file, the column and the columns found.
    {read_options}
    {with_report}

    Returns
    -------
    pandas.DataFrame, or (pandas.DataFrame, LoadReport) with ``with_report``
        All columns of the file (CSV cells as text, missing = empty cell), in file order.

    Examples
    --------
    >>> from cxlib.scores import read_responses
    >>> tweets = read_responses("data/airline_tweets.csv.gz", columns=["airline", "airline_sentiment"])
    >>> len(tweets)
    14640
    """
    started = time.perf_counter()
    path = Path(path)
    if not path.exists():
        raise CxInputError("file not found (paths in parameter files are relative to the repository root).",
                           path=path)
    report = LoadReport(path=str(path), format=format_of(path, None, allowed=("csv", "excel", "parquet")))
    table, _lines, report = read_table(path, sep=sep, encoding=encoding, quoting=quoting, sheet=sheet,
                                       report=report)
    require_columns(table, [c for c in (columns or []) if c is not None], what="the file", path=path)
    report.rows_kept = len(table)
    report.seconds = time.perf_counter() - started
    report.check()
    return (table, report) if with_report else table
