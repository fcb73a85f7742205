"""Loading open feedback: CSV (sniffed), Excel, Parquet and the GermEval 2017 XML, with a load report."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pandas as pd

from .._errors import CxInputError
from ..io import LoadReport, _open_bytes, _to_utc, read_csv_text

__all__ = ["STANDARD_COLUMNS", "FeedbackLoadReport", "feedback_load_report", "read_feedback"]

#: Standard column names of a feedback table, in this order (only those mapped are present).
STANDARD_COLUMNS = ["id", "text", "date", "score", "touchpoint", "channel", "case_id", "language"]

# Names tried for the text column when ``text=`` is not given.
_TEXT_ALIASES = ["text", "comment", "comments", "verbatim", "feedback", "message", "review", "body", "answer"]


@dataclasses.dataclass
class FeedbackLoadReport(LoadReport):
    """What :func:`read_feedback` read, kept and dropped.

    The fields of :class:`cxlib.io.LoadReport` (``rows_read``, ``rows_kept``, ``dropped`` reason -> rows,
    ``notes``); ``duplicate_events`` counts rows whose text repeats an earlier text (kept; see
    :func:`cxlib.feedback.deduplicate`), ``cases`` the distinct case ids. ``columns`` maps each standard
    column to the source column it came from.
    """

    columns: dict = dataclasses.field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """The report as a two-column table (``item``, ``value``) for display."""
        items = [
            ("file", Path(self.path).name),
            ("format / reader", f"{self.format} / {self.reader}"),
            ("rows read", f"{self.rows_read:,}"),
            ("rows kept", f"{self.rows_kept:,}"),
            ("rows dropped", f"{self.rows_dropped:,}"),
        ]
        items += [(f"  dropped: {reason}", f"{n:,}") for reason, n in self.dropped.items()]
        items += [("repeated texts (kept)", f"{self.duplicate_events:,}")]
        items += [(f"column {std}", f"{src}") for std, src in self.columns.items()]
        if self.start is not None:
            items += [("date span", f"{self.start:%Y-%m-%d} to {self.end:%Y-%m-%d}")]
        items += [("load time", f"{self.seconds:.2f} s")]
        items += [("note", n) for n in self.notes]
        return pd.DataFrame(items, columns=["item", "value"])


def feedback_load_report(feedback: pd.DataFrame) -> FeedbackLoadReport:
    """The load report of a table returned by :func:`read_feedback`.

    Parameters
    ----------
    feedback : pandas.DataFrame
        A table from :func:`read_feedback`.

    Returns
    -------
    FeedbackLoadReport
        Rows read, kept, dropped with reasons, the column mapping and notes; shows as a table in a notebook
        (``.to_frame()`` gives the ``item``/``value`` table).

    Examples
    --------
    >>> fb = read_feedback("data/airline_tweets.csv.gz", id="tweet_id")
    >>> report = feedback_load_report(fb)
    >>> report.rows_read, report.dropped
    (14640, {'duplicate row': 155})
    """
    data = feedback.attrs.get("load_report")
    if data is None:
        raise CxInputError("this table has no load report; it was not loaded with cxlib.read_feedback.")
    if isinstance(data, FeedbackLoadReport):
        return data
    fields = {f.name for f in dataclasses.fields(FeedbackLoadReport)}
    d = {k: v for k, v in data.items() if k in fields}
    for key in ("start", "end"):
        d[key] = None if d.get(key) is None else pd.Timestamp(d[key])
    return FeedbackLoadReport(**d)


def _format_of(path: Path, fmt: str | None) -> str:
    if fmt:
        fmt = fmt.lower()
        if fmt not in {"csv", "excel", "parquet", "germeval-xml", "xml"}:
            raise CxInputError(f"unknown format {fmt!r}; expected csv, excel, parquet or germeval-xml.", path=path)
        return "germeval-xml" if fmt == "xml" else fmt
    name = path.name.lower()
    for suffixes, kind in (((".csv", ".csv.gz", ".tsv", ".tsv.gz", ".txt"), "csv"),
                           ((".xlsx", ".xlsm", ".xls"), "excel"),
                           ((".parquet", ".pq"), "parquet"),
                           ((".xml", ".xml.gz"), "germeval-xml")):
        if name.endswith(suffixes):
            return kind
    raise CxInputError("unknown file type; expected .csv(.gz), .tsv, .xlsx, .parquet or a GermEval .xml(.gz) "
                       "(or pass format='csv'|'excel'|'parquet'|'germeval-xml').", path=path)


def _read_germeval_xml(path: Path) -> pd.DataFrame:
    """GermEval 2017 XML -> one row per document: id, text, relevance, sentiment, aspect_categories, aspects."""
    from lxml import etree

    raw = _open_bytes(path)
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


def _read_table(path: Path, kind: str, *, sep, encoding, sheet, report: FeedbackLoadReport) -> pd.DataFrame:
    if not path.is_file():
        raise CxInputError("the feedback file does not exist.", path=path)
    if path.stat().st_size == 0:
        raise CxInputError("the file is empty (0 bytes).", path=path)
    if kind == "csv":
        df, sep, encoding = read_csv_text(path, sep=sep, encoding=encoding)
        report.reader = "pandas"
        report.notes.append(f"CSV delimiter {sep!r}, encoding {encoding}.")
        return df
    if kind == "excel":
        try:
            df = pd.read_excel(path, sheet_name=sheet, dtype=object)
        except ValueError as exc:
            raise CxInputError(f"could not read sheet {sheet!r}: {exc}.", path=path) from None
        except Exception as exc:  # noqa: BLE001 - openpyxl/zipfile raise many kinds
            raise CxInputError(f"could not read it as an Excel workbook: {exc}.", path=path) from None
        report.reader = "openpyxl"
        return df
    if kind == "parquet":
        try:
            df = pd.read_parquet(path)
        except Exception as exc:  # noqa: BLE001 - pyarrow raises many kinds
            raise CxInputError(f"could not read it as Parquet: {exc}.", path=path) from None
        report.reader = "pyarrow"
        return df
    df = _read_germeval_xml(path)
    report.reader = "lxml (GermEval 2017 layout)"
    return df


def _need(df: pd.DataFrame, column, role: str, path) -> str | None:
    if column is None:
        return None
    if column not in df.columns:
        raise CxInputError(f"the column {column!r} for the {role} is missing. The file has these columns: "
                           f"{', '.join(map(str, df.columns))}.", path=path, column=column)
    return column


def read_feedback(path, *, text: str | None = None, id: str | None = None, date: str | None = None,
                  score: str | None = None, touchpoint: str | None = None, channel: str | None = None,
                  case_id: str | None = None, language: str | None = None, labels=None,
                  date_format: str | None = None, dayfirst: bool = False, source_timezone: str | None = None,
                  sep: str | None = None, encoding: str | None = None, sheet=0,
                  format: str | None = None, drop_duplicates: bool = True) -> pd.DataFrame:
    """Read open feedback (survey comments, tweets, chats) into a table with standard column names.

    CSV (delimiter and encoding sniffed, gzip allowed), Excel, Parquet and the GermEval 2017 XML are read.
    Rows without text, rows whose date cannot be parsed and exact duplicate rows are dropped and counted;
    the load report travels in ``attrs["load_report"]`` (see :func:`feedback_load_report`).

    Parameters
    ----------
    path : str or Path
        ``.csv``, ``.csv.gz``, ``.tsv``, ``.xlsx``, ``.parquet`` or a GermEval 2017 ``.xml``/``.xml.gz``.
    text : str, optional
        Column with the feedback text. When not given, ``text``, ``comment``, ``verbatim``, ``feedback``,
        ``message``, ``review``, ... are tried.
    id, date, score, touchpoint, channel, case_id, language : str, optional
        Source columns for the standard columns of the same name. ``id`` defaults to a column named ``id``, else the row number in the
        file.
    labels : str, list of str or dict, optional
        Further columns to keep (gold labels, segments); a dict renames ``{source: new_name}``.
    date_format : str, optional
        ``strftime`` format of the date column (e.g. ``"%d/%m/%Y %H:%M"``); otherwise inferred.
    dayfirst : bool, default False
        With inferred formats, read ``01/02/2020`` as 1 February.
    source_timezone : str, optional
        Time zone of dates written without an offset; default UTC.
    sep, encoding : str, optional
        CSV delimiter and encoding; sniffed when not given.
    sheet : int or str, default 0
        Excel sheet.
    format : {"csv", "excel", "parquet", "germeval-xml"}, optional
        Overrides the guess from the file name.
    drop_duplicates : bool, default True
        Drop rows identical to an earlier row in every kept column (export duplicates), counted in the report.

    Returns
    -------
    pandas.DataFrame
        One row per piece of feedback, in file order, with:

        - ``id`` (str): the feedback id (source column or row number in the file).
        - ``text`` (str): the feedback text as written (not cleaned; see :func:`clean_feedback`).
        - ``date`` (datetime64, UTC), if ``date`` was given.
        - ``score`` (float), if ``score`` was given; values that are not numbers become NaN (counted in notes).
        - ``touchpoint``, ``channel``, ``case_id``, ``language`` (str), each if given.
        - the ``labels`` columns (str), under their (new) names. For GermEval XML: ``relevance``, ``sentiment``,
          ``aspect_categories`` (coarse categories joined with ``;``) and ``aspects`` (``Category#Sub:polarity``).

    Raises
    ------
    cxlib.CxInputError
        Missing or empty file, unknown type, a named column that does not exist, no text column, no text at all,
        a date column where no value parses.

    Examples
    --------
    >>> fb = read_feedback("data/airline_tweets.csv.gz", id="tweet_id", date="tweet_created",
    ...                    touchpoint="airline", labels=["airline_sentiment", "negativereason"])
    >>> list(fb.columns)
    ['id', 'text', 'date', 'touchpoint', 'airline_sentiment', 'negativereason']
    >>> len(fb)  # 108 rows of the Kaggle file are exact duplicates
    14532
    """
    started = time.perf_counter()
    path = Path(path)
    kind = _format_of(path, format)
    report = FeedbackLoadReport(path=str(path), format=kind)
    df = _read_table(path, kind, sep=sep, encoding=encoding, sheet=sheet, report=report)
    report.rows_read = len(df)
    if kind == "germeval-xml":
        text = text or "text"
        id = id or "id"
        if labels is None:
            labels = ["relevance", "sentiment", "aspect_categories", "aspects"]
    if len(df) == 0:
        raise CxInputError("the file contains no rows of feedback.", path=path)

    if id is None and "id" in df.columns and text != "id":
        id = "id"
    if text is None:
        lowered = {str(c).strip().lower(): c for c in df.columns}
        text = next((lowered[a] for a in _TEXT_ALIASES if a in lowered), None)
        if text is None:
            raise CxInputError(
                f"no text column was found (looked for {', '.join(_TEXT_ALIASES[:6])}, ...). The file has these "
                f"columns: {', '.join(map(str, df.columns))}. Name it with text='...'.", path=path, column="text")
    mapping = {"id": id, "text": text, "date": date, "score": score, "touchpoint": touchpoint,
               "channel": channel, "case_id": case_id, "language": language}
    for role, column in mapping.items():
        _need(df, column, role, path)
    if isinstance(labels, str):
        labels = [labels]
    label_map = dict(labels) if isinstance(labels, dict) else {c: c for c in (labels or [])}
    for column in label_map:
        _need(df, column, "labels", path)
    clash = set(label_map.values()) & {k for k, v in mapping.items() if v is not None}
    if clash:
        raise CxInputError(f"label column name(s) {sorted(clash)} clash with standard columns; rename them with "
                           "labels={'source': 'new_name'}.", path=path, column=min(clash))

    out = pd.DataFrame(index=df.index)
    out["id"] = (df[id].astype("string") if id else pd.Series(range(len(df)), index=df.index).astype(str)
                 ).astype(object)
    texts = df[text]
    texts = texts.where(texts.isna(), texts.astype(str))
    out["text"] = texts
    keep = pd.Series(True, index=df.index)

    empty = out["text"].isna() | (out["text"].astype(str).str.strip() == "")
    if empty.all():
        raise CxInputError(f"the text column {text!r} is empty in every row.", path=path, column=text)
    if empty.any():
        report.dropped["empty text"] = int(empty.sum())
        keep &= ~empty

    if date:
        dates = _to_utc(df[date], timestamp_format=date_format, source_timezone=source_timezone, dayfirst=dayfirst)
        missing = df[date].isna() | (df[date].astype(str).str.strip() == "")
        bad = dates.isna() & ~missing
        if dates.notna().sum() == 0 and (~missing).any():
            examples = ", ".join(repr(v) for v in df.loc[bad, date].astype(str).head(3))
            raise CxInputError(f"no value of the date column {date!r} could be read as a date (e.g. {examples}); "
                               "pass date_format='%d/%m/%Y %H:%M' (or dayfirst=True).", path=path, column=date)
        if bad.any():
            examples = ", ".join(repr(v) for v in df.loc[bad, date].astype(str).head(3))
            report.dropped["unparseable date"] = int((bad & keep).sum())
            report.notes.append(f"unparseable dates in {date!r}, e.g. {examples}.")
            keep &= ~bad
        if missing.any():
            report.notes.append(f"{int(missing.sum()):,} rows have no date (kept, date missing).")
        out["date"] = dates
    if score:
        raw_scores = df[score]
        numbers = pd.to_numeric(raw_scores.astype("string").str.strip().str.replace(",", ".", regex=False),
                                errors="coerce").astype(float)
        not_number = numbers.isna() & raw_scores.notna() & (raw_scores.astype(str).str.strip() != "")
        if not_number.any():
            examples = ", ".join(repr(v) for v in raw_scores[not_number].astype(str).unique()[:3])
            report.notes.append(f"{int(not_number.sum()):,} scores in {score!r} are not numbers (kept, score "
                                f"missing), e.g. {examples}.")
        out["score"] = numbers
    for role in ("touchpoint", "channel", "case_id", "language"):
        column = mapping[role]
        if column:
            values = df[column]
            out[role] = values.where(values.isna(), values.astype(str)).astype(object)
    for source, name in label_map.items():
        values = df[source]
        out[name] = values.where(values.isna(), values.astype(str)).astype(object)

    out = out[keep]
    if drop_duplicates:
        dup = out.duplicated(keep="first")
        if dup.any():
            report.dropped["duplicate row"] = int(dup.sum())
            out = out[~dup]
    if id and out["id"].duplicated().any():
        report.notes.append(f"{int(out['id'].duplicated().sum()):,} ids repeat with different content (kept).")
    report.duplicate_events = int(out["text"].duplicated().sum())
    out = out.reset_index(drop=True)
    report.rows_kept = len(out)
    report.columns = {k: str(v) for k, v in mapping.items() if v is not None}
    if case_id:
        report.cases = int(out["case_id"].nunique())
    if date and out["date"].notna().any():
        report.start, report.end = out["date"].min(), out["date"].max()
    report.seconds = time.perf_counter() - started
    rd = report.to_dict()
    rd["columns"] = dict(report.columns)
    out.attrs["load_report"] = rd
    return out
