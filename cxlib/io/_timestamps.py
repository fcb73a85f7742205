"""One timestamp parser for every reader: it reads a value right or refuses it, never guesses.

Text values are sorted into families by regular expressions (ISO 8601, numeric day/month dates with ``/``,
``.`` or ``-``, dates with a month name) and each family is parsed vectorised with an exact format.
Day-first or month-first is decided by evidence (a field > 12), never by a default; values without an offset
are read in ``source_timezone``; local times that do not exist or exist twice (DST) are refused with their own
reasons.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import re

import numpy as np
import pandas as pd

from .._errors import CxInputError

__all__ = ["ParsedTimestamps", "parse_timestamps"]

GAP = "nonexistent local time (DST gap)"
OVERLAP = "ambiguous local time (DST overlap)"

_NULL_TEXT = ["", "nan", "none", "null", "n/a", "na", "nat", "#n/a", "<na>"]

# Patterns use [0-9] and literal spaces (not \d, \s) so that pandas can run them in pyarrow (RE2).
_OFFSET = r"(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?| *UTC)"
_ISO = (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:(?:T| +)[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]{1,9})?)?"
        rf"(?: *{_OFFSET})?)?$")
_ISO_WITH_OFFSET = rf"[0-9]:[0-9]{{2}}(?::[0-9]{{2}}(?:[.,][0-9]{{1,9}})?)? *{_OFFSET}$"

# The other families are matched on lower-cased text. Groups 4-6: time, am/pm letter, offset.
_TIME = (r"(?:(?:t| *, *| +|:)([0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]{1,9})?)?)"
         r"(?: *([ap])\.?m\.?)?(?: *(z|utc|gmt|[+-][0-9]{2}(?::?[0-9]{2})?))?)?$")
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun|mo|di|mi|do|fr|sa|so)[a-z]*\.?,? +)?"
_MONTH_WORD = r"([a-zäöü]{3,9})\.?"
_MDY = rf"^{_WEEKDAY}{_MONTH_WORD} +([0-9]{{1,2}})(?:st|nd|rd|th)?,? +([0-9]{{4}})" + _TIME
_DMY = (rf"^{_WEEKDAY}([0-9]{{1,2}})(?:st|nd|rd|th|\.)?(?: +|-|/){_MONTH_WORD}(?: +|-|/|, *)"
        r"([0-9]{4}|[0-9]{2})" + _TIME)

_MONTHS = {
    1: ["january", "januar", "jänner", "jan", "jän"],
    2: ["february", "februar", "feb"],
    3: ["march", "märz", "maerz", "mar", "mär"],
    4: ["april", "apr"],
    5: ["may", "mai"],
    6: ["june", "juni", "jun"],
    7: ["july", "juli", "jul"],
    8: ["august", "aug"],
    9: ["september", "sept", "sep"],
    10: ["october", "oktober", "oct", "okt"],
    11: ["november", "nov"],
    12: ["december", "dezember", "dec", "dez"],
}

_SEPARATORS = {"/": "slash", ".": "dot", "-": "dash"}


def _numeric_pattern(sep: str) -> str:
    s = re.escape(sep)
    return rf"^([0-9]{{1,2}}){s}([0-9]{{1,2}}){s}([0-9]{{4}}|[0-9]{{2}})" + _TIME


@dataclasses.dataclass
class ParsedTimestamps:
    """The result of :func:`parse_timestamps`.

    Attributes
    ----------
    values : pandas.Series
        ``datetime64[ns, UTC]`` with the index of the input; NaT where missing or not read.
    reasons : pandas.Series
        object, same index: None where read, else ``missing <what>``, ``unparseable <what>``,
        ``nonexistent local time (DST gap)`` or ``ambiguous local time (DST overlap)``.
    formats : dict
        Format label -> number of values read by that rule (e.g. ``{"ISO 8601": 300, "dd.mm.yyyy HH:MM": 100}``).
    offsets : dict
        ``{"with offset": n, "without offset, read as Europe/Berlin": m}`` (only non-zero entries).
    notes : list of str
        Plain sentences for the load report (how the order of day and month was decided, time zones, ...).
    """

    values: pd.Series
    reasons: pd.Series
    formats: dict
    offsets: dict
    notes: list


def _examples(values, k: int = 3) -> list:
    """Up to ``k`` distinct values as plain strings, in order of appearance."""
    out = []
    for v in values:
        v = str(v)
        if v not in out:
            out.append(v)
        if len(out) == k:
            break
    return out


def _bounded(parsed: pd.Series) -> pd.Series:
    """``parsed`` (naive or UTC) as nanoseconds; values outside the nanosecond range become NaT."""
    tz = getattr(parsed.dtype, "tz", None)
    lo, hi = pd.Timestamp.min, pd.Timestamp.max
    if tz is not None:
        lo, hi = lo.tz_localize("UTC"), hi.tz_localize("UTC")
    inside = parsed.notna() & (parsed >= lo) & (parsed <= hi)
    parsed = parsed.where(inside)
    return parsed.astype("datetime64[ns, UTC]" if tz is not None else "datetime64[ns]")


class _Collector:
    """Positional buffers: wall time (naive values) or UTC instant (values with an offset) and a label each."""

    def __init__(self, n: int):
        self.wall = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
        self.utc = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
        self.naive = np.zeros(n, dtype=bool)
        self.aware = np.zeros(n, dtype=bool)
        self.label = np.full(n, None, dtype=object)

    def add(self, positions: np.ndarray, parsed: pd.Series, label) -> None:
        """Store ``parsed`` (aligned with ``positions``); ``label`` is a string or an array of strings."""
        parsed = _bounded(parsed)
        ok = parsed.notna().to_numpy()
        pos = positions[ok]
        labels = label if isinstance(label, str) else np.asarray(label, dtype=object)[ok]
        if getattr(parsed.dtype, "tz", None) is not None:
            self.utc[pos] = parsed[ok].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[ns]")
            self.aware[pos] = True
        else:
            self.wall[pos] = parsed[ok].to_numpy("datetime64[ns]")
            self.naive[pos] = True
        self.label[pos] = labels


def _check_timezone(source_timezone, *, path, column) -> str:
    tz = "UTC" if source_timezone is None else source_timezone
    try:
        pd.Timestamp("2000-01-01").tz_localize(tz)
    except Exception as exc:  # unknown names raise different errors in different pandas/zoneinfo versions
        raise CxInputError(
            f"source_timezone={source_timezone!r} (for the column {column!r}) is not a time zone; expected an "
            "IANA name such as 'Europe/Berlin' or 'UTC'.", path=path, column=column) from exc
    return tz


def _datetime_objects(obj: pd.Series, positions: np.ndarray, col: _Collector) -> None:
    """Python datetimes / pd.Timestamps / dates (aware and naive may be mixed) at ``positions``."""
    values = obj.to_numpy()[positions]
    aware = np.array([getattr(v, "tzinfo", None) is not None for v in values], dtype=bool)
    if aware.any():
        col.add(positions[aware], pd.Series(pd.to_datetime(list(values[aware]), utc=True)), "datetime values")
    if (~aware).any():
        naive = pd.Series(pd.to_datetime([pd.Timestamp(v) for v in values[~aware]]))
        col.add(positions[~aware], naive, "datetime values")


def _parse_iso(text: pd.Series, col: _Collector) -> None:
    """ISO 8601 family; values with an offset (or Z/UTC) are converted by it, the others stay wall time."""
    if text.str.contains(",", regex=False).any():
        text = text.str.replace(r"(:[0-9]{2}),([0-9])", r"\1.\2", regex=True)
    with_offset = text.str.contains(_ISO_WITH_OFFSET, regex=True).to_numpy()
    positions = text.index.to_numpy()
    if with_offset.any():
        sub = text[with_offset]
        if sub.str.endswith("UTC").any():
            sub = sub.str.replace(r" *UTC$", "Z", regex=True)
        col.add(positions[with_offset], pd.to_datetime(sub, format="ISO8601", errors="coerce", utc=True),
                "ISO 8601")
    if (~with_offset).any():
        col.add(positions[~with_offset], pd.to_datetime(text[~with_offset], format="ISO8601", errors="coerce"),
                "ISO 8601")


def _first_fields(canon: pd.Series, sep: str) -> tuple[np.ndarray, np.ndarray]:
    """The first and second numeric field of canonical numeric dates (``a<sep>b<sep>year|...``)."""
    s = re.escape(sep)
    a = canon.str.replace(r"^([0-9]{1,2}).*$", r"\1", regex=True).astype("int64").to_numpy()
    b = canon.str.replace(rf"^[0-9]{{1,2}}{s}([0-9]{{1,2}}).*$", r"\1", regex=True).astype("int64").to_numpy()
    return a, b


def _parse_canonical(canon: pd.Series, date_format: str, labeller, col: _Collector) -> None:
    """Parse canonical strings ``DATE|time|am-pm letter|offset`` with exact formats, one per shape.

    ``date_format`` uses ``%Y`` (``%y`` is put in for two-digit years); ``labeller(time_label, two_digit_year,
    am_pm)`` gives the format label.
    """
    canon = canon.str.replace(r"\|([+-][0-9]{2})$", r"|\1:00", regex=True)
    canon = canon.str.replace(r"\|(z|utc|gmt)$", "|+00:00", regex=True)
    canon = canon.str.replace(r"(:[0-9]{2}),([0-9])", r"\1.\2", regex=True)
    has_time = canon.str.contains(r"^[^|]*\|[0-9]", regex=True).to_numpy()
    seconds = canon.str.contains(r"\|[0-9]{1,2}:[0-9]{2}:", regex=True).to_numpy()
    fraction = canon.str.contains(r"\|[0-9]{1,2}:[0-9]{2}:[0-9]{2}\.", regex=True).to_numpy()
    am_pm = canon.str.contains(r"\|[ap]\|", regex=True).to_numpy()
    offset = canon.str.contains(r"\|[^|]+$", regex=True).to_numpy()
    two_digit = canon.str.contains(r"^[^|]*[^0-9][0-9]{2}\|", regex=True).to_numpy()
    canon = canon.str.replace(r"\|([ap])\|", r"|\1m|", regex=True)
    canon = canon.str.replace(r"\|+", " ", regex=True).str.strip()
    code = (has_time * 1 + seconds * 2 + fraction * 4 + am_pm * 8 + offset * 16 + two_digit * 32).astype(int)
    positions = canon.index.to_numpy()
    for c in np.unique(code):
        mask = code == c
        t, s, f, ap, off, yy = (bool(c & bit) for bit in (1, 2, 4, 8, 16, 32))
        fmt = date_format.replace("%Y", "%y") if yy else date_format
        time_label = ""
        if t:
            hour = "%I" if ap else "%H"
            fmt += f" {hour}:%M" + (":%S" if s else "") + (".%f" if f else "") + (" %p" if ap else "")
            time_label = (" hh:MM" if ap else " HH:MM") + (":SS" if s else "") + (".f" if f else "")
            time_label += " AM/PM" if ap else ""
        if off:
            fmt += " %z"
        parsed = pd.to_datetime(canon[mask], format=fmt, errors="coerce", utc=off)
        col.add(positions[mask], parsed, labeller(time_label, yy, ap))


def _month_numbers(canon: pd.Series) -> pd.Series:
    """Replace the leading month word of ``mon d y|...`` by its number (unknown words are left, to fail)."""
    for number, names in _MONTHS.items():
        alternatives = "|".join(sorted(names, key=len, reverse=True))
        canon = canon.str.replace(rf"^(?:{alternatives}) ", f"{number:02d} ", regex=True)
    return canon


def _decide_order(families: dict, *, dayfirst, what, column, path, notes) -> dict:
    """Day-first (True) or month-first (False) for each numeric family, by evidence; errors when undecidable."""
    if dayfirst is not None:
        order = "day-first" if dayfirst else "month-first"
        for sep in families:
            notes.append(f"dates written with '{sep}' read {order} (dayfirst={bool(dayfirst)}).")
        return {sep: bool(dayfirst) for sep in families}
    evidence = {}
    for sep, fam in families.items():
        a, b, original = fam["a"], fam["b"], fam["original"]
        day = (a > 12) & (b <= 12)
        month = (b > 12) & (a <= 12)
        if day.any() and month.any():
            raise CxInputError(
                f"the {what} column {column!r} mixes day-first and month-first dates written with '{sep}': "
                f"{_examples(original[day])} have a first field > 12 (day first) but "
                f"{_examples(original[month])} have a second field > 12 (month first). Expected one order per "
                "column; correct the data, or pass dayfirst=True/False to read one order (the other values "
                "are then counted as unparseable).", path=path, column=column)
        if day.any():
            evidence[sep] = True
            notes.append(f"day-first for dates written with '{sep}': {str(original[day][0])!r} has a first "
                         "field > 12.")
        elif month.any():
            evidence[sep] = False
            notes.append(f"month-first for dates written with '{sep}': {str(original[month][0])!r} has a "
                         "second field > 12.")
    known = set(evidence.values())
    decided = dict(evidence)
    for sep, fam in families.items():
        if sep in decided:
            continue
        a, b, original = fam["a"], fam["b"], fam["original"]
        if len(known) == 1:
            decided[sep] = next(iter(known))
            others = ", ".join(f"'{s}'" for s in evidence)
            notes.append(f"dates written with '{sep}' read {'day' if decided[sep] else 'month'}-first like the "
                         f"dates written with {others} (none of them decides by itself).")
            continue
        ambiguous = (a != b) & (a >= 1) & (a <= 12) & (b >= 1) & (b <= 12)
        if ambiguous.any():
            examples = _examples(original[ambiguous])
            shape = fam["time_format"][ambiguous][0]
            other = (" (the dates with other separators disagree)" if len(known) > 1 else "")
            raise CxInputError(
                f"the {what} column {column!r} is ambiguous: dates like {examples} can be read day-first or "
                f"month-first and no value has a field > 12 to decide{other}. Expected an explicit order: pass "
                f"timestamp_format='%d{sep}%m{sep}%Y{shape}' (day first) or "
                f"timestamp_format='%m{sep}%d{sep}%Y{shape}' (month first), or dayfirst=True/False.",
                path=path, column=column)
        decided[sep] = True  # every value reads the same either way (e.g. 05/05/2024)
    return decided


def _parse_text(text: pd.Series, original: np.ndarray, col: _Collector, *, dayfirst, what, column, path,
                notes) -> None:
    """Families of stripped, non-missing text at positional index ``text.index``."""
    iso = text.str.contains(_ISO, regex=True).to_numpy()
    if iso.any():
        _parse_iso(text[iso], col)
    rest = text[~iso]
    if rest.empty:
        return
    rest = rest.str.lower()
    families = {}
    for sep in _SEPARATORS:
        pattern = _numeric_pattern(sep)
        mask = rest.str.match(pattern).to_numpy()
        if not mask.any():
            continue
        canon = rest[mask].str.replace(pattern, rf"\1{sep}\2{sep}\3|\4|\5|\6", regex=True)
        a, b = _first_fields(canon, sep)
        time_format = np.where(canon.str.contains(r"\|[0-9]{1,2}:[0-9]{2}:", regex=True), " %H:%M:%S",
                               np.where(canon.str.contains(r"\|[0-9]", regex=True), " %H:%M", ""))
        families[sep] = {"canon": canon, "a": a, "b": b, "original": original[canon.index.to_numpy()],
                         "time_format": time_format}
        rest = rest[~mask]
    order = _decide_order(families, dayfirst=dayfirst, what=what, column=column, path=path, notes=notes)
    for sep, fam in families.items():
        first, second = ("dd", "mm") if order[sep] else ("mm", "dd")
        date_format = f"%d{sep}%m{sep}%Y" if order[sep] else f"%m{sep}%d{sep}%Y"

        def numeric_label(time_label, yy, ap, sep=sep, first=first, second=second):
            return f"{first}{sep}{second}{sep}{'yy' if yy else 'yyyy'}{time_label}"

        _parse_canonical(fam["canon"], date_format, numeric_label, col)
    for pattern, template, example in ((_MDY, r"\1 \2 \3|\4|\5|\6", "Oct 11 2011"),
                                       (_DMY, r"\2 \1 \3|\4|\5|\6", "11 Oct 2011")):
        if rest.empty:
            break
        mask = rest.str.match(pattern).to_numpy()
        if not mask.any():
            continue
        canon = _month_numbers(rest[mask].str.replace(pattern, template, regex=True))

        def month_label(time_label, yy, ap, example=example):
            clock = (" 1:45PM" if ap else " 13:45") if time_label else ""
            return f"month name ({example}{clock})"

        _parse_canonical(canon, "%m %d %Y", month_label, col)
        rest = rest[~mask]


def _localise(col: _Collector, tz: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """UTC instants of all values plus masks of DST-gap and DST-overlap values (wall times kept as NaT)."""
    n = len(col.wall)
    utc = col.utc.copy()
    gap = np.zeros(n, dtype=bool)
    overlap = np.zeros(n, dtype=bool)
    pos = np.flatnonzero(col.naive)
    if not len(pos):
        return utc, gap, overlap
    wall = pd.Series(col.wall[pos])
    local = wall.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    failed = local.isna().to_numpy()
    if failed.any():
        # ambiguous values resolve when told which side of the change they are on; nonexistent ones never do
        retry = wall[failed].dt.tz_localize(tz, ambiguous=np.ones(int(failed.sum()), dtype=bool),
                                            nonexistent="NaT")
        is_gap = retry.isna().to_numpy()
        gap[pos[failed][is_gap]] = True
        overlap[pos[failed][~is_gap]] = True
    utc[pos] = local.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[ns]")
    return utc, gap, overlap


def parse_timestamps(values: pd.Series, *, column: str, path=None, timestamp_format: str | None = None,
                     dayfirst: bool | None = None, source_timezone: str | None = None,
                     what: str = "timestamp") -> ParsedTimestamps:
    """Read a column of timestamps to UTC: each value is read right or refused with a reason, never guessed.

    Parameters
    ----------
    values : pandas.Series
        Text, datetime64 (naive or tz-aware) or object values (text, Python datetimes, ``pd.Timestamp``).
    column : str
        Name of the column (for messages).
    path : str or path-like, optional
        The file the column came from (for messages).
    timestamp_format : str, optional
        A ``strftime`` format (e.g. ``"%d/%m/%Y %H:%M"``); values that do not match it are unparseable.
        Without it the text is sorted into ISO 8601, numeric day/month dates (``/``, ``.``, ``-``, year last,
        optional ``HH:MM[:SS]`` and AM/PM) and month-name dates (``Oct 11 2011 1:45PM``, ``11 Oct 2011``,
        ``11-Oct-2011``, ``October 11, 2011``, German month names too), each read with an exact format.
    dayfirst : bool, optional
        Force the order of day and month for numeric dates; values contradicting it are unparseable.
        By default the order is decided by evidence (a first field > 12 means day first, a second field > 12
        month first) per separator; a column without evidence and with dates like 03/04/2024 is refused.
    source_timezone : str, optional
        IANA time zone of values without an offset (e.g. ``"Europe/Berlin"``); default UTC. Values with an
        offset (or ``Z``) are converted by their offset. Local times that do not exist (spring DST gap) or
        exist twice (autumn overlap) are refused with their own reason.
    what : str, default "timestamp"
        What the column holds, used in the reasons and messages (e.g. ``"feedback date"``).

    Returns
    -------
    ParsedTimestamps
        - ``values``: ``datetime64[ns, UTC]`` with the input's index, NaT where missing or not read.
        - ``reasons``: None where read, else ``missing <what>``, ``unparseable <what>``,
          ``nonexistent local time (DST gap)`` or ``ambiguous local time (DST overlap)``.
        - ``formats``: format label -> number of values read (e.g. ``"ISO 8601"``, ``"dd/mm/yyyy HH:MM"``,
          ``"month name (Oct 11 2011 1:45PM)"``, ``"datetime values"``, or the ``timestamp_format`` itself).
        - ``offsets``: ``{"with offset": n, "without offset, read as <zone>": m}`` (non-zero entries).
        - ``notes``: sentences for the load report.

    Raises
    ------
    CxInputError
        When no value of a non-empty column can be read, when numeric dates are ambiguous (no evidence for
        day-first or month-first) or contradict each other, or when ``timestamp_format`` / ``source_timezone``
        is invalid.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.io._timestamps import parse_timestamps
    >>> raw = pd.Series(["13/01/2024 09:30", "02/03/2024 17:05", "2024-03-02T17:05:00+01:00", "n/a", "soon"])
    >>> parsed = parse_timestamps(raw, column="created", source_timezone="Europe/Berlin")
    >>> parsed.values.dt.strftime("%Y-%m-%d %H:%M").tolist()
    ['2024-01-13 08:30', '2024-03-02 16:05', '2024-03-02 16:05', nan, nan]
    >>> parsed.reasons.tolist()
    [None, None, None, 'missing timestamp', 'unparseable timestamp']
    >>> parsed.formats
    {'dd/mm/yyyy HH:MM': 2, 'ISO 8601': 1}
    """
    if not isinstance(values, pd.Series):
        values = pd.Series(values)
    n = len(values)
    missing_reason, bad_reason = f"missing {what}", f"unparseable {what}"
    tz = _check_timezone(source_timezone, path=path, column=column)
    tz_label = source_timezone if source_timezone is not None else "UTC"
    notes: list = []
    col = _Collector(n)
    missing = np.zeros(n, dtype=bool)
    raw = values.reset_index(drop=True)
    if isinstance(raw.dtype, pd.CategoricalDtype):
        raw = raw.astype(object)

    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        missing = raw.isna().to_numpy().copy()
        positions = np.flatnonzero(~missing)
        col.add(positions, raw.iloc[positions].reset_index(drop=True), "datetime values")
        original = raw.astype(str).to_numpy()
    else:
        missing = raw.isna().to_numpy().copy()
        text_mask = ~missing
        if raw.dtype == object:
            kind = pd.api.types.infer_dtype(raw, skipna=True)
            if kind not in ("string", "empty"):
                is_dt = raw.map(lambda v: isinstance(v, (_dt.date, np.datetime64))).to_numpy(dtype=bool).copy()
                is_dt &= ~missing
                if is_dt.any():
                    _datetime_objects(raw, np.flatnonzero(is_dt), col)
                text_mask &= ~is_dt
        original = raw.to_numpy(dtype=object)
        positions = np.flatnonzero(text_mask)
        if len(positions):
            text = raw.iloc[positions].astype(str).astype("str").str.strip()
            text.index = positions
            null_text = text.str.lower().isin(_NULL_TEXT).to_numpy()
            missing[positions[null_text]] = True
            text = text[~null_text]
            if timestamp_format is not None:
                _parse_with_format(text, timestamp_format, col, column=column, path=path)
            elif not text.empty:
                _parse_text(text, original, col, dayfirst=dayfirst, what=what, column=column, path=path,
                            notes=notes)

    utc, gap, overlap = _localise(col, tz)
    parsed = ~np.isnat(utc)
    bad = ~missing & ~parsed & ~gap & ~overlap
    reasons = np.full(n, None, dtype=object)
    reasons[missing] = missing_reason
    reasons[bad] = bad_reason
    reasons[gap] = GAP
    reasons[overlap] = OVERLAP

    if (~missing).any() and not parsed.any():
        examples = _examples(original[~missing])
        if timestamp_format is not None:
            expected = (f"with timestamp_format={timestamp_format!r}; e.g. {examples}; check the format "
                        "(strftime codes, e.g. timestamp_format='%d/%m/%Y %H:%M') or the column mapping")
        else:
            expected = ("(expected ISO 8601 like '2024-01-31 13:45:00', day/month dates like '31/01/2024 13:45' "
                        f"or month names like 'Oct 11 2011 1:45PM'); e.g. {examples}; pass "
                        "timestamp_format=... (e.g. timestamp_format='%d/%m/%Y %H:%M') for another pattern, "
                        "or check the column mapping")
        if gap.any() or overlap.any():
            expected += f" ({int(gap.sum() + overlap.sum())} fall in a DST change of {tz_label})"
        raise CxInputError(f"no value of the {what} column {column!r} could be read {expected}.",
                           path=path, column=column)

    formats = {str(k): int(v) for k, v in pd.Series(col.label[parsed], dtype=object).value_counts().items()}
    n_with = int((parsed & col.aware).sum())
    n_without = int((parsed & col.naive).sum())
    offsets = {}
    if n_with:
        offsets["with offset"] = n_with
    if n_without:
        offsets[f"without offset, read as {tz_label}"] = n_without
    if n_with and n_without:
        notes.append(f"{n_with} values carry an offset and were converted to UTC by it; {n_without} values have "
                     f"none and were read as {tz_label}.")
    elif n_without and source_timezone is not None:
        notes.append(f"timestamps without an offset read as {tz_label}, converted to UTC.")
    if gap.any():
        notes.append(f"{int(gap.sum())} values do not exist in {tz_label} (spring DST gap), e.g. "
                     f"{_examples(original[gap])}; not read.")
    if overlap.any():
        notes.append(f"{int(overlap.sum())} values exist twice in {tz_label} (autumn DST overlap), e.g. "
                     f"{_examples(original[overlap])}; not read.")
    if bad.any():
        notes.append(f"{int(bad.sum())} values could not be read as a {what}, e.g. {_examples(original[bad])}.")

    index = values.index
    out = pd.Series(pd.DatetimeIndex(utc).tz_localize("UTC"), index=index, name=values.name)
    return ParsedTimestamps(values=out, reasons=pd.Series(reasons, index=index, dtype=object, name=values.name),
                            formats=formats, offsets=offsets, notes=notes)


def _parse_with_format(text: pd.Series, timestamp_format: str, col: _Collector, *, column, path) -> None:
    """Strict parse with the caller's format (``%z`` gives values with an offset)."""
    if text.empty:
        return
    aware = "%z" in timestamp_format or "%Z" in timestamp_format
    try:
        parsed = pd.to_datetime(text, format=timestamp_format, errors="coerce", utc=aware)
    except (ValueError, TypeError) as exc:
        raise CxInputError(
            f"timestamp_format={timestamp_format!r} for the column {column!r} is not a valid format: {exc}; "
            "expected strftime codes such as '%d/%m/%Y %H:%M'.", path=path, column=column) from exc
    col.add(text.index.to_numpy(), parsed, timestamp_format)
