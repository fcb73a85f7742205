"""Build the hostile corpus: small broken files cut from real data, the worst week of a careful analyst.

Run by hand from the repository root (the generated files are committed, tests never regenerate them)::

    python tests/corpus/build.py

Sources (``$CX_SHARED_DATASETS``, default ``../shared/datasets``; its README.md has licences and citations):

- ``receipt_wabo/receipt.csv.gz`` and ``receipt.xes.gz``: WABO receipt log (CC BY 4.0);
- ``helpdesk/helpdesk.xes.gz``: help desk log (CC BY 4.0);
- ``roadtraffic_sample/roadtraffic100traces.csv``: road traffic fines (CC BY 4.0);
- ``bpic2016_complaints/BPI2016_Complaints.csv``: UWV complaints (CC BY 4.0);
- ``airline_tweets/Tweets.csv.gz``: Twitter US Airline Sentiment (CC BY-NC-SA 4.0, as in ``data/``).

The telecom NPS verbatims are never used. Every file is a few KB: a slice of the source with one kind of
damage at a known place. ``files/`` holds the hostile files, ``truth/NAME.json`` what a correct reader returns
for the rows it keeps, computed here from the source with pandas and the standard library only (never with
cxlib), so that ``tests/test_hostile_corpus.py`` compares the reader against the source data.

The output is reproducible: no randomness, gzip with mtime 0, workbook timestamps fixed.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SHARED = Path(os.environ.get("CX_SHARED_DATASETS", ROOT.parent / "shared" / "datasets"))
FILES = HERE / "files"
TRUTH = HERE / "truth"

LOG_HEADER = ["case_id", "activity", "timestamp", "resource"]


# --------------------------------------------------------------------------------------------- sources

def _receipt() -> pd.DataFrame:
    df = pd.read_csv(SHARED / "receipt_wabo" / "receipt.csv.gz", dtype=str, keep_default_na=False)
    df["utc"] = pd.to_datetime(df["time:timestamp"], utc=True, format="ISO8601")
    return df


def _cases(df: pd.DataFrame, cases) -> pd.DataFrame:
    return df[df["case:concept:name"].isin(cases)].reset_index(drop=True)


def _complaints() -> pd.DataFrame:
    return pd.read_csv(SHARED / "bpic2016_complaints" / "BPI2016_Complaints.csv", sep=";", encoding="latin-1",
                       dtype=str, keep_default_na=False)


def _tweets() -> pd.DataFrame:
    return pd.read_csv(SHARED / "airline_tweets" / "Tweets.csv.gz", dtype=str, keep_default_na=False)


def _roadtraffic() -> pd.DataFrame:
    return pd.read_csv(SHARED / "roadtraffic_sample" / "roadtraffic100traces.csv", dtype=str,
                       keep_default_na=False)


# --------------------------------------------------------------------------------------------- writers

def _write(name: str, data) -> None:
    if isinstance(data, str):
        data = data.encode("utf-8")
    (FILES / name).write_bytes(data)


def _truth(name: str, columns: list[str], rows) -> None:
    rows = [[None if v is None else str(v) for v in row] for row in rows]
    body = ",\n".join("  " + json.dumps(row, ensure_ascii=False) for row in rows)
    text = f'{{"columns": {json.dumps(columns)},\n "rows": [\n{body}\n]}}\n'
    (TRUTH / f"{name}.json").write_text(text, encoding="utf-8")


def _plain(header, rows, *, sep: str = ",", eol: str = "\n", final: bool = True) -> str:
    """An export that never quotes: fields joined as they are."""
    text = eol.join(sep.join(map(str, r)) for r in [header, *rows])
    return text + (eol if final else "")


def _quoted(header, rows, *, eol: str = "\n") -> str:
    """A standard CSV (quotes only where needed, doubled quotes inside)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=eol, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def _iso(ts) -> str:
    return pd.Timestamp(ts).tz_convert("UTC").isoformat()


def _log_rows(df: pd.DataFrame, ts: str = "time:timestamp") -> list[list[str]]:
    return df[["case:concept:name", "concept:name", ts, "org:resource"]].values.tolist()


def _log_truth(name: str, df: pd.DataFrame, utc=None, extra: dict | None = None) -> None:
    utc = df["utc"] if utc is None else utc
    columns = ["case", "activity", "timestamp", "resource", *(extra or {})]
    rows = [[c, a, _iso(t), r or None, *(v[i] for v in (extra or {}).values())]
            for i, (c, a, t, r) in enumerate(zip(df["case:concept:name"], df["concept:name"], utc,
                                                 df["org:resource"], strict=True))]
    _truth(name, columns, rows)


# ------------------------------------------------------------------------------------ event logs (CSV)

def build_logs(rec: pd.DataFrame) -> None:
    rec3 = _cases(rec, ["case-10011", "case-10017", "case-10024"])  # 4 + 9 + 6 = 19 events
    assert len(rec3) == 19
    rows = _log_rows(rec3)
    _log_truth("receipt3", rec3)

    _write("log_crlf.csv", _plain(LOG_HEADER, rows, eol="\r\n"))
    _write("log_old_mac_cr.csv", _plain(LOG_HEADER, rows, eol="\r"))
    eols = ["\r\n", "\n", "\r"]
    text = "".join(",".join(r) + eols[i % 3] for i, r in enumerate([LOG_HEADER, *rows]))
    _write("log_mixed_eol.csv", text)
    _write("log_no_final_newline.csv", _plain(LOG_HEADER, rows, final=False))

    # cut inside the timestamp of the last event (line 20): 3 fields, no line end
    text = _plain(LOG_HEADER, rows, final=False)
    cut = text.rindex(",2011-") + len(",2011-1")
    _write("log_truncated_mid_row.csv", text[:cut])
    _log_truth("receipt3_first18", rec3.iloc[:18])

    # NUL bytes inside the activity of events 4 and 11 (lines 5 and 12)
    bad = [list(r) for r in rows]
    for i in (3, 10):
        bad[i][1] = bad[i][1][:3] + "\x00\x00" + bad[i][1][3:]
    _write("log_nul_bytes.csv", _plain(LOG_HEADER, bad))
    _log_truth("receipt3_nul", rec3.drop(index=[3, 10]))

    # blank lines: 2 before the header (header = line 3), after event 5, two (one of spaces) after event 13,
    # event 16 without activity (line 22), two at the end
    lines = ["", "", ",".join(LOG_HEADER)]
    for i, r in enumerate(rows):
        r = list(r)
        if i == 15:
            r[1] = ""
        lines.append(",".join(r))
        if i == 4:
            lines.append("")
        if i == 12:
            lines += ["", "   "]
    lines += ["", ""]
    assert lines[21].startswith("case-10024,,"), lines[21]
    _write("log_blank_lines.csv", "\n".join(lines) + "\n")
    _log_truth("receipt3_blank", rec3.drop(index=[15]))

    # two columns called "resource": org:resource, then org:group
    header = ["case_id", "activity", "timestamp", "resource", "resource"]
    _write("log_duplicate_header.csv",
           _plain(header, [r + [g] for r, g in zip(rows, rec3["org:group"], strict=True)]))
    _log_truth("receipt3_groups", rec3, extra={"group": rec3["org:group"].tolist()})

    _write("log_header_stray_quote.csv", _plain(["case_id", '"activity', "timestamp", "resource"], rows))
    _write("log_empty.csv", b"")
    _write("log_whitespace_only.csv", "\n   \n\t\n\n")
    _write("log_header_only.csv", ",".join(LOG_HEADER) + "\n")

    # textual nulls as case ids in events 2, 5, 8, 11, 14, 17 (lines 3, 6, 9, 12, 15, 18)
    bad = [list(r) for r in rows]
    for i, null in zip((1, 4, 7, 10, 13, 16), ("NaN", "null", "N/A", "NULL", "None", ""), strict=True):
        bad[i][0] = null
    _write("log_null_case_ids.csv", _plain(LOG_HEADER, bad))
    _log_truth("receipt3_nulls", rec3.drop(index=[1, 4, 7, 10, 13, 16]))

    # whitespace around ids: every case written both with and without spaces
    bad = [list(r) for r in rows]
    for i, pad in ((1, " {} "), (5, "{}  "), (9, "  {}"), (16, "\t{}")):
        bad[i][0] = pad.format(bad[i][0])
    _write("log_whitespace_ids.csv", _plain(LOG_HEADER, bad))

    # timestamps that do not parse (lines 4 and 10) and a missing one (line 16)
    bad = [list(r) for r in rows]
    bad[2][2] = "2011-02-31 10:00:00+01:00"
    bad[8][2] = "soon"
    bad[14][2] = ""
    _write("log_unparseable_timestamps.csv", _plain(LOG_HEADER, bad))
    _log_truth("receipt3_badts", rec3.drop(index=[2, 8, 14]))

    bad = [[c, a, "pending", r] for c, a, _, r in rows]
    _write("log_all_timestamps_bad.csv", _plain(LOG_HEADER, bad))

    # dates: written in UTC to the minute, as spreadsheets do
    minute = rec3["utc"].dt.floor("min")
    _log_truth("receipt3_minute", rec3, utc=minute)
    day_first = [[c, a, t.strftime("%d/%m/%Y %H:%M"), r]
                 for (c, a, _, r), t in zip(rows, minute, strict=True)]
    assert any(t.day > 12 for t in minute)
    _write("log_dayfirst.csv", _plain(LOG_HEADER, day_first))
    month_first = [[c, a, t.strftime("%m/%d/%Y %H:%M"), r]
                   for (c, a, _, r), t in zip(rows, minute, strict=True)]
    _write("log_monthfirst.csv", _plain(LOG_HEADER, month_first))

    def sqlserver(t) -> str:  # "Oct 11 2011 1:45PM"
        return f"{t:%b} {t.day} {t.year} {int(t.strftime('%I'))}:{t:%M}{t:%p}"

    forms = [lambda t: t.strftime("%Y-%m-%d %H:%M:%S"), lambda t: t.strftime("%d.%m.%Y %H:%M"), sqlserver]
    mixed = [[c, a, forms[i % 3](t.tz_localize(None)), r]
             for i, ((c, a, _, r), t) in enumerate(zip(rows, minute, strict=True))]
    assert any(t.day > 12 for t in minute[1::3])  # the dd.mm.yyyy values carry their own evidence
    _write("log_mixed_formats.csv", _plain(LOG_HEADER, mixed))

    # ambiguous: every day <= 12 (cases whose events all fall on days 1-12 in UTC)
    days = rec.groupby("case:concept:name", sort=False)["utc"].agg(lambda s: (s.dt.day <= 12).all())
    amb_cases = [c for c in days.index if days[c]][:3]
    amb = _cases(rec, amb_cases)
    amb_min = amb["utc"].dt.floor("min")
    assert (amb_min.dt.day <= 12).all() and (amb_min.dt.day != amb_min.dt.month).any()
    _write("log_ambiguous_dates.csv",
           _plain(LOG_HEADER, [[c, a, t.strftime("%d/%m/%Y %H:%M"), r]
                               for (c, a, _, r), t in zip(_log_rows(amb), amb_min, strict=True)]))
    _log_truth("receipt_ambiguous_dayfirst", amb, utc=amb_min)


def build_timezones(rec: pd.DataFrame) -> None:
    # offsets mixed with naive local times (road traffic fines, Italy): every second event lost its offset
    rt = _roadtraffic()
    rt = rt[rt["case:concept:name"].isin(rt["case:concept:name"].unique()[:6])].reset_index(drop=True)
    rt["utc"] = pd.to_datetime(rt["time:timestamp"], utc=True, format="ISO8601")
    ts = [t if i % 2 == 0 else t[:-6] for i, t in enumerate(rt["time:timestamp"])]
    header = ["case:concept:name", "concept:name", "time:timestamp", "org:resource", "amount"]
    _write("log_offsets_mixed.csv",
           _plain(header, [list(r) for r in zip(rt["case:concept:name"], rt["concept:name"], ts,
                                                rt["org:resource"], rt["amount"], strict=True)]))
    _log_truth("roadtraffic6", rt)

    # DST in Europe/Berlin: naive local times to the second; one event moved into the spring gap or the
    # autumn overlap
    def local(df):
        return [t.tz_convert("Europe/Berlin").strftime("%Y-%m-%d %H:%M:%S") for t in df["utc"]]

    spring = rec[rec["utc"].dt.tz_convert("Europe/Berlin").dt.strftime("%Y-%m-%d") == "2011-03-28"]
    gap = _cases(rec, spring["case:concept:name"].unique()[:3])
    times = local(gap)
    times[4] = "2011-03-27 02:30:00"  # line 6: this clock time does not exist in Berlin
    _write("log_dst_gap.csv",
           _plain(LOG_HEADER, [[c, a, t, r] for (c, a, _, r), t in zip(_log_rows(gap), times, strict=True)]))
    _log_truth("receipt_dst_gap", gap.drop(index=[4]), utc=gap["utc"].dt.floor("s").drop(index=[4]))

    autumn = rec[rec["utc"].dt.tz_convert("Europe/Berlin").dt.strftime("%Y-%m-%d") == "2011-10-31"]
    over = _cases(rec, autumn["case:concept:name"].unique()[:2])
    times = local(over)
    times[3] = "2011-10-30 02:30:00"  # line 5: this clock time happens twice in Berlin
    _write("log_dst_overlap.csv",
           _plain(LOG_HEADER, [[c, a, t, r] for (c, a, _, r), t in zip(_log_rows(over), times, strict=True)]))
    _log_truth("receipt_dst_overlap", over.drop(index=[3]), utc=over["utc"].dt.floor("s").drop(index=[3]))


def build_ids() -> None:
    cmp = _complaints()
    # complaint journeys: customers with two complaints and customers with one
    twice = cmp["CustomerID"][cmp["CustomerID"].duplicated()].unique()[:4]
    once = cmp["CustomerID"][~cmp["CustomerID"].duplicated(keep=False)].unique()[:4]
    j = cmp[cmp["CustomerID"].isin([*twice, *once])].reset_index(drop=True)
    header = ["CustomerID", "ContactDate", "ComplaintTheme_EN", "ComplaintTopic_EN"]
    rows = j[header].values.tolist()
    truth_cols = ["case", "activity", "timestamp"]

    def truth(name, df):
        triples = zip(df["CustomerID"], df["ComplaintTheme_EN"], df["ContactDate"], strict=True)
        _truth(name, truth_cols, [[c, a, _iso(pd.Timestamp(d, tz="UTC"))] for c, a, d in triples])

    # a float export (the id column had a gap): "1945807.0"; the empty id is on line 4
    bad = [[f"{r[0]}.0", *r[1:]] for r in rows]
    bad[2][0] = ""
    _write("log_float_ids.csv", _plain(header, bad, sep=";"))
    truth("complaints_float_ids", j.drop(index=[2]))

    # leading zeros: one complaint of two customers (and one single complaint) padded to 9 digits
    bad = [list(r) for r in rows]
    padded = []
    for cust in [twice[0], twice[1], once[0]]:
        i = next(k for k, r in enumerate(bad) if r[0] == cust)
        bad[i][0] = cust.zfill(9)
        padded.append(i)
    _write("log_leading_zeros.csv", _plain(header, bad, sep=";"))
    truth("complaints_journeys", j)
    _truth("complaints_leading_zero_ids", ["case"], [[r[0]] for r in bad])


# -------------------------------------------------------------------------------------------- feedback

TWEET_COLS = ["tweet_id", "airline_sentiment", "airline", "text", "tweet_created"]


def _fb_truth(name: str, rows, extra: list[str] = ()) -> None:
    """id, text, date (UTC ISO or None) and the extra columns of kept feedback rows."""
    out = []
    for r in rows:
        d = r[4]
        date = _iso(pd.Timestamp(d)) if d else None
        out.append([r[0], r[3], date, *(r[5 + k] for k in range(len(extra)))])
    _truth(name, ["id", "text", "date", *extra], out)


def build_feedback() -> None:
    tw = _tweets()
    first = tw.iloc[:12][TWEET_COLS].values.tolist()  # tweet 6 (line 7-8) holds a line break, tweet 4 quotes
    assert "\n" in first[5][3] and '"' in first[3][3]
    _write("fb_multiline.csv", _quoted(TWEET_COLS, first))
    _fb_truth("tweets12", first)

    # cut inside the quoted text of the last tweet (line 12; the tweet on lines 7-8 spans two lines)
    text = _quoted(TWEET_COLS, first[:10])
    cut = text.rindex('"@VirginAmerica it was amazing') + 20
    _write("fb_truncated_mid_quote.csv", text[:cut])
    _fb_truth("tweets9", first[:9])

    plain = [r for r in tw[TWEET_COLS].values.tolist() if "\n" not in r[3]]
    # an exporter that quotes but does not double the quotes inside: tweet 4 (line 5)
    rows = plain[:8]
    text = _quoted(TWEET_COLS, rows)
    inner = rows[3][3]
    assert '"entertainment"' in inner
    text = text.replace('"' + inner.replace('"', '""') + '"', '"' + inner + '"')
    _write("fb_malformed_quoting.csv", text)
    _fb_truth("tweets_malformed", rows[:3] + rows[4:])

    # two quotes lost in editing: tweet 6 (line 7) lost its closing quote, tweet 7 (line 8) its opening one;
    # line 8 is a row of its own (id, sentiment, airline, text with a comma, date) and must not be swallowed
    rows = plain[:10]
    lines = _quoted(TWEET_COLS, rows).split("\n")
    assert lines[6].count('"') == 2 and lines[7].count('"') == 2 and "," in rows[6][3]
    lines[6] = lines[6][::-1].replace('"', "", 1)[::-1]
    lines[7] = lines[7].replace('"', "", 1)
    _write("fb_lost_quotes.csv", "\n".join(lines))
    _fb_truth("tweets_lost_quotes", rows[:5] + rows[7:])

    # cp1252: tweets with curly quotes, ellipses and accents that cp1252 can hold
    def cp(s: str) -> bool:
        try:
            s.encode("cp1252")
        except UnicodeEncodeError:
            return False
        return any(ord(ch) > 127 for ch in s)

    rows = [r for r in plain if cp(r[3])][:8]
    _write("fb_cp1252.csv", _quoted(TWEET_COLS, rows).encode("cp1252"))
    _fb_truth("tweets_cp1252", rows)

    # empty texts: an empty cell (line 4), blanks (line 7) and a quoted empty text (line 9)
    rows = [list(r) for r in plain[:10]]
    text = _quoted(TWEET_COLS, rows).split("\n")
    blank = {2: "", 5: "   ", 7: '""'}
    for pos, value in blank.items():
        r = list(rows[pos])
        r[3] = "@@TEXT@@"
        line = _quoted(TWEET_COLS, [r]).split("\n")[1]
        text[pos + 1] = line.replace("@@TEXT@@", value)
    _write("fb_empty_texts.csv", "\n".join(text))
    _fb_truth("tweets_nonempty", [r for i, r in enumerate(rows) if i not in blank])

    # exact duplicate rows: tweets 2 and 4 exported twice (lines 7 and 8)
    rows = plain[:5] + [plain[1], plain[3]] + plain[5:6]
    _write("fb_duplicates.csv", _quoted(TWEET_COLS, rows))
    _fb_truth("tweets_dedup", plain[:6])

    # dates: one missing (line 4, kept) and one unreadable (line 7, dropped)
    rows = [list(r) for r in plain[:8]]
    rows[2][4] = ""
    rows[5][4] = "yesterday"
    _write("fb_dates.csv", _quoted(TWEET_COLS, rows))
    _fb_truth("tweets_dates", rows[:5] + rows[6:])

    # scores 0-10 from the annotators' confidence, six of them as people really type them (lines 3-8)
    clean = tw[~tw["text"].str.contains("\n")]
    rows = [list(r) + [str(round(float(c) * 10))]
            for r, c in zip(clean[TWEET_COLS].values.tolist()[:12],
                            clean["airline_sentiment_confidence"].tolist()[:12], strict=True)]
    raw = ["7,5", "inf", "seven", "11", "-1", "7.5"]
    for k, value in enumerate(raw, start=1):
        rows[k][5] = value
    _write("fb_invalid_scores.csv", _quoted([*TWEET_COLS, "score"], rows))
    _fb_truth("tweets_scores", rows, extra=["score"])


# ----------------------------------------------------------------------------------- complaints (text)

CMP_COLS = ["CustomerID", "ComplaintID", "ContactDate", "ContactChannelID", "ComplaintTheme_EN",
            "ComplaintTopic_EN"]
ENC_COLS = ["CustomerID", "ContactDate", "ComplaintTheme", "ComplaintTopic", "ComplaintTopic_EN"]


def _cmp_truth(name: str, rows) -> None:
    _truth(name, ["id", "text", "date", "case_id"],
           [[r[1], r[5], _iso(pd.Timestamp(r[2], tz="UTC")), r[0]] for r in rows])


def build_complaints() -> None:
    cmp = _complaints()
    rows = cmp.iloc[:14][CMP_COLS].values.tolist()

    # one stray quote opening the topic of complaint 5 (line 6) in an export that never quotes
    one = [list(r) for r in rows[:12]]
    one[4][5] = '"' + one[4][5]
    _write("cmp_stray_quote.csv", _plain(CMP_COLS, one, sep=";"))
    _cmp_truth("complaints_stray_quote", one[:4] + one[5:])
    _cmp_truth("complaints_stray_quote_none", one)

    # several: quotes opening fields on lines 4, 8 and 14, one inside a field on line 10 (harmless)
    many = [list(r) for r in rows]
    for i in (2, 6, 12):
        many[i][5] = '"' + many[i][5]
    many[8][5] = many[8][5].replace("to little", 'to "little')
    _write("cmp_stray_quotes.csv", _plain(CMP_COLS, many, sep=";"))
    _cmp_truth("complaints_stray_quotes", [r for i, r in enumerate(many) if i not in (2, 6, 12)])

    # ragged: a comma-separated export that never quotes; topics with a comma (lines 4 and 9) and a row
    # that lost its channel (line 5)
    picked = [list(cmp.iloc[i][CMP_COLS]) for i in (0, 1, 2, 9, 10, 11, 12, 13)]
    assert [("," in r[5]) for r in picked] == [False, False, True, False, False, False, False, True]
    picked[3] = picked[3][:3] + picked[3][4:]
    _write("cmp_ragged.csv", _plain(CMP_COLS, picked))
    _cmp_truth("complaints_ragged", [picked[i] for i in (0, 1, 4, 5, 6)])

    # trailing delimiter on every line, header included; then on the rows only
    twelve = rows[:12]
    _write("cmp_trailing_delimiter.csv", "".join(";".join(r) + ";\n" for r in [CMP_COLS, *twelve]))
    _cmp_truth("complaints12", twelve)
    _write("cmp_trailing_delimiter_rows.csv",
           ";".join(CMP_COLS) + "\n" + "".join(";".join(r) + ";\n" for r in twelve))

    # a Parquet written by pandas from a frame whose ComplaintID column had a gap: the ids are floats (220.0)
    import pyarrow as pa
    import pyarrow.parquet as pq

    eight = [list(r) for r in rows[:8]]
    ids = [float(r[1]) for r in eight]
    ids[3] = None
    table = pa.table({"ComplaintID": pa.array(ids, type=pa.float64()), "CustomerID": [r[0] for r in eight],
                      "ContactDate": [r[2] for r in eight], "ComplaintTopic_EN": [r[5] for r in eight]})
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="snappy")
    _write("fb_float_ids.parquet", buf.getvalue())
    for r in eight[3:4]:
        r[1] = None
    _cmp_truth("complaints_float_ids_fb", eight)

    # encodings: Dutch topics with ë and ï, ';' and CRLF as in the original export
    enc = [list(cmp.iloc[i][ENC_COLS]) for i in [*range(40, 46), *range(220, 226)]]
    assert sum(any(ord(ch) > 127 for ch in "".join(r)) for r in enc) == 7
    text = _plain(ENC_COLS, enc, sep=";", eol="\r\n")
    _truth("complaints_dutch", ENC_COLS, enc)
    _write("cmp_utf8_bom.csv", b"\xef\xbb\xbf" + text.encode("utf-8"))
    _write("cmp_utf16le_bom.csv", b"\xff\xfe" + text.encode("utf-16-le"))
    _write("cmp_utf16be_bom.csv", b"\xfe\xff" + text.encode("utf-16-be"))
    _write("cmp_utf16le_nobom.csv", text.encode("utf-16-le"))
    _write("cmp_latin1.csv", text.encode("latin-1"))


# ------------------------------------------------------------------------------------------------- XES

def _xes_parts(raw: str) -> tuple[str, list[str]]:
    head = raw[:raw.index("<trace>")]
    return head, re.findall(r"<trace>.*?</trace>", raw, flags=re.DOTALL)


def _xes_truth(name: str, xml: str, skip=()) -> None:
    """Events of an XES text in file order (``skip``: positions of events a reader must drop)."""
    ns = {"x": "http://www.xes-standard.org/"}
    root = ET.fromstring(xml)
    rows = []
    for trace in root.findall("x:trace", ns):
        case = next(s.get("value") for s in trace.findall("x:string", ns) if s.get("key") == "concept:name")
        for event in trace.findall("x:event", ns):
            attrs = {a.get("key"): a.get("value") for a in event}
            rows.append([case, attrs["concept:name"], _iso(pd.Timestamp(attrs["time:timestamp"])),
                         attrs.get("org:resource")])
    kept = [r for i, r in enumerate(rows) if i not in skip]
    _truth(name, ["case", "activity", "timestamp", "resource"], kept)


def build_xes() -> None:
    # receipt log: XES header without its 160 KB of statistics, the three cases of the CSV slice
    raw = gzip.decompress((SHARED / "receipt_wabo" / "receipt.xes.gz").read_bytes()).decode("utf-8")
    head, traces = _xes_parts(raw)
    head = head[:head.index('<float key="meta_')]
    receipt = head + "\n\t".join(traces[:3]) + "\n</log>\n"
    _write("xes_gzip_named.xes", gzip.compress(receipt.encode("utf-8"), mtime=0))
    _write("xes_named.csv", receipt)

    raw = gzip.decompress((SHARED / "helpdesk" / "helpdesk.xes.gz").read_bytes()).decode("utf-8")
    head, traces = _xes_parts(raw)
    helpdesk = head + "\n\t".join(traces[:4]) + "\n</log>\n"
    _xes_truth("helpdesk4", helpdesk)
    _write("xes_plain_named.xes.gz", helpdesk)
    packed = gzip.compress(helpdesk.encode("utf-8"), mtime=0)
    _write("xes_truncated.xes.gz", packed[: len(packed) // 2])

    # an element left open on line 24 (the second event's activity)
    lines = helpdesk.split("\n")
    assert lines[23].strip() == '<string key="concept:name" value="Take in charge ticket" />', lines[23]
    lines[23] = lines[23].replace(" />", ">")
    _write("xes_invalid.xes", "\n".join(lines))

    # the export stopped after the third case: no fourth trace, no </log>
    cut = head + "\n\t".join(traces[:3]) + "\n"
    _write("xes_missing_log_end.xes", cut)
    _write("xes_missing_log_end.xes.gz", gzip.compress(cut.encode("utf-8"), mtime=0))

    # a timestamp value that does not parse (month 13) on the second event of the first case
    bad = helpdesk.replace('value="2012-10-09T14:51:01+00:00"', 'value="2012-13-09T14:51:01+00:00"', 1)
    assert bad != helpdesk
    _write("xes_bad_timestamp.xes", bad)
    _xes_truth("helpdesk4_badts", helpdesk, skip={1})
    _write("xes_empty.xes", b"")


# --------------------------------------------------------------------------------------- tables, cache

def _fixed_zip(data: bytes) -> bytes:
    """The workbook with fixed entry times and 'modified' property, so that builds are byte-identical."""
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2024-01-01T00:00:00Z", body)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0)), body,
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def build_tables(rec: pd.DataFrame) -> None:
    import openpyxl
    import pyarrow as pa
    import pyarrow.parquet as pq

    rec3 = _cases(rec, ["case-10011", "case-10017", "case-10024"])
    rows = _log_rows(rec3)
    text = _plain(LOG_HEADER, rows)
    _write("tab_csv_named.parquet", text)
    _write("tab_gzip_named.csv", gzip.compress(text.encode("utf-8"), mtime=0))
    _write("tab_plain_named.csv.gz", text)

    table = pa.table({"case_id": rec3["case:concept:name"].tolist(),
                      "activity": rec3["concept:name"].tolist(),
                      "timestamp": pa.array(rec3["utc"].dt.as_unit("us"), type=pa.timestamp("us", tz="UTC")),
                      "resource": rec3["org:resource"].tolist()})
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="snappy")
    _write("tab_parquet_named.csv", buf.getvalue())
    _write("tab_truncated.parquet", buf.getvalue()[: len(buf.getvalue()) * 2 // 3])

    def workbook(bad_rows: bool) -> bytes:
        wb = openpyxl.Workbook()
        wb.properties.created = wb.properties.modified = dt.datetime(2024, 1, 1)
        ws = wb.active
        ws.title = "events"
        ws.append(LOG_HEADER)
        for i, (c, a, t, r) in enumerate(zip(rec3["case:concept:name"], rec3["concept:name"],
                                             rec3["utc"].dt.floor("s"), rec3["org:resource"], strict=True)):
            value = t.tz_localize(None).to_pydatetime()
            if bad_rows and i == 3:
                c = None  # sheet row 5
            if bad_rows and i == 8:
                a = None  # sheet row 10
            if bad_rows and i == 13:
                value = "31.02.2011 10:00"  # sheet row 15: typed by hand, no such day
            ws.append([c, a, value, r])
        out = io.BytesIO()
        wb.save(out)
        return _fixed_zip(out.getvalue())

    _write("tab_bad_rows.xlsx", workbook(True))
    _write("tab_xlsx_named.csv", workbook(False))
    _log_truth("receipt3_seconds", rec3, utc=rec3["utc"].dt.floor("s"))
    bad = [3, 8, 13]
    _log_truth("receipt3_xlsx_bad", rec3.drop(index=bad), utc=rec3["utc"].dt.floor("s").drop(index=bad))

    # the cache: a small source log, a valid Parquet of another log and a truncated one
    rec2 = _cases(rec, ["case-10025", "case-10028"])
    _write("cache_source.csv", _plain(LOG_HEADER, _log_rows(rec2)))
    _log_truth("cache_source", rec2)
    foreign = pa.table({"case:concept:name": rec3["case:concept:name"].tolist(),
                        "concept:name": rec3["concept:name"].tolist(),
                        "time:timestamp": pa.array(rec3["utc"].dt.as_unit("ns"),
                                                   type=pa.timestamp("ns", tz="UTC")),
                        "org:resource": rec3["org:resource"].tolist()})
    buf = io.BytesIO()
    pq.write_table(foreign, buf, compression="zstd")
    _write("cache_foreign_entry.parquet", buf.getvalue())
    _write("cache_truncated_entry.parquet", buf.getvalue()[: len(buf.getvalue()) // 2])


def main() -> None:
    if not SHARED.is_dir():
        raise SystemExit(f"the shared datasets are not at {SHARED}; set CX_SHARED_DATASETS")
    for folder in (FILES, TRUTH):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    rec = _receipt()
    build_logs(rec)
    build_timezones(rec)
    build_ids()
    build_feedback()
    build_complaints()
    build_xes()
    build_tables(rec)
    files = sorted(FILES.iterdir())
    total = sum(f.stat().st_size for f in files)
    print(f"{len(files)} files, {total:,} bytes, largest {max(f.stat().st_size for f in files):,} bytes")


if __name__ == "__main__":
    main()
