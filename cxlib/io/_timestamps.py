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

_NULL_TEXT = ["", "nan", "none", "null", "n/a", "na", "nat", "#n/a", "<na>"]  # all at most 4 characters

# Patterns use [0-9] and literal spaces (not \d, \s, \b) so that pandas runs them in pyarrow (RE2), not per value.
_ISO = (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:(?:T| +)[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]{1,9})?)?"
        r"(?: *(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?| *UTC))?)?$")

# The other families are matched on lower-cased text. Time groups: clock, am/pm letter, offset.
_TIME = (r"(?:(?:t| *, *| +|:)([0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]{1,9})?)?)(?: *uhr)?"
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
_MONTH_NUMBER = {name: f"{number:02d}" for number, names in _MONTHS.items() for name in names}

_SEPARATORS = ("/", ".", "-")
_MONTH_1_12 = r"(?:0?[1-9]|1[0-2])"
_DAY_13_31 = r"(?:1[3-9]|2[0-9]|3[01])"


def _numeric_pattern(sep: str) -> str:
    """Day/month dates with ``sep``, year last: groups 1-3 fields and year, 4-6 clock, am/pm, offset."""
    s = re.escape(sep)
    return rf"^([0-9]{{1,2}}){s}([0-9]{{1,2}}){s}([0-9]{{4}}|[0-9]{{2}})" + _TIME


def _plain_numeric_pattern(sep: str) -> str:
    """The common plain shape (``31.01.2024 13:45[:SS[.f]]``) that can be parsed without rewriting."""
    s = re.escape(sep)
    return (rf"^[0-9]{{1,2}}{s}[0-9]{{1,2}}{s}(?:[0-9]{{4}}|[0-9]{{2}})"
            r"(?: [0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?)?$")


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


class _LazyText:
    """``values.astype(str).to_numpy()``, computed on the first indexing (the whole column at once, so that the
    text of a value does not depend on which values are shown)."""

    def __init__(self, values: pd.Series):
        self._values = values
        self._text = None

    def __getitem__(self, key):
        if self._text is None:
            self._text = self._values.astype(str).to_numpy()
        return self._text[key]


def _count(n: int, noun: str = "value") -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _bounded(parsed: pd.Series) -> pd.Series:
    """``parsed`` (naive or UTC) in nanoseconds; values outside the nanosecond range become NaT."""
    tz = getattr(parsed.dtype, "tz", None)
    lo, hi = pd.Timestamp.min, pd.Timestamp.max
    if tz is not None:
        lo, hi = lo.tz_localize("UTC"), hi.tz_localize("UTC")
    if parsed.notna().any() and not (parsed.min() >= lo and parsed.max() <= hi):
        parsed = parsed.where((parsed >= lo) & (parsed <= hi))
    return parsed.astype("datetime64[ns, UTC]" if tz is not None else "datetime64[ns]")


class _Collector:
    """Positional buffers: wall time (values without offset) or UTC instant (with offset) and a format label."""

    def __init__(self, n: int):
        self.wall = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
        self.utc = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
        self.naive = np.zeros(n, dtype=bool)
        self.aware = np.zeros(n, dtype=bool)
        self.code = np.full(n, -1, dtype=np.int32)
        self.labels: list = []

    def add(self, positions: np.ndarray, parsed: pd.Series, label: str) -> None:
        """Store ``parsed`` (aligned with ``positions``; NaT = not read) under the format ``label``."""
        parsed = _bounded(parsed)
        ok = parsed.notna().to_numpy()
        pos = positions[ok]
        if getattr(parsed.dtype, "tz", None) is not None:
            self.utc[pos] = parsed[ok].dt.tz_localize(None).to_numpy("datetime64[ns]")
            self.aware[pos] = True
        else:
            self.wall[pos] = parsed[ok].to_numpy("datetime64[ns]")
            self.naive[pos] = True
        if label not in self.labels:
            self.labels.append(label)
        self.code[pos] = self.labels.index(label)


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
    # the pattern is already checked: after the date, '+', '-', a final 'Z' or 'UTC' can only be an offset
    with_offset = (text.str.endswith(("Z", "UTC")) | text.str.contains("+", regex=False)
                   | text.str.slice(10).str.contains("-", regex=False)).to_numpy()
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


def _normalise_canonical(canon: pd.Series) -> pd.Series:
    """``DATE|clock|am/pm letter|offset`` (parts may be empty) -> ``DATE clock am offset`` for exact formats."""
    if canon.str.contains(r"\|[^|]+$", regex=True).any():  # offsets: +01 -> +01:00, z/utc/gmt -> +00:00
        canon = canon.str.replace(r"\|([+-][0-9]{2})$", r"|\1:00", regex=True)
        canon = canon.str.replace(r"\|(?:z|utc|gmt)$", "|+00:00", regex=True)
    if canon.str.contains(",", regex=False).any():
        canon = canon.str.replace(r"(:[0-9]{2}),([0-9])", r"\1.\2", regex=True)
    if canon.str.contains(r"\|[ap]\|", regex=True).any():
        canon = canon.str.replace(r"\|([ap])\|", r"|\1m|", regex=True)
    # formats match any run of blanks where they have one, so the empty parts need no collapsing
    return canon.str.replace("|", " ", regex=False).str.strip()


def _parse_shapes(text: pd.Series, date_format: str, two_digit_year: str, labeller, col: _Collector, *,
                  plain: bool) -> None:
    """Parse ``DATE[ clock][ am/pm][ +hh:mm]`` strings with one exact format per shape.

    ``date_format`` uses ``%Y`` (``%y`` is put in where ``two_digit_year`` matches); ``labeller(time_label,
    am_pm)`` gives the format label. ``plain`` strings have no am/pm and no offset.
    """
    if text.empty:
        return
    false = np.zeros(len(text), dtype=bool)
    has_time = text.str.contains(":", regex=False).to_numpy()
    seconds = text.str.contains(r"[0-9]:[0-9]{2}:[0-9]", regex=True).to_numpy() if has_time.any() else false
    fraction = text.str.contains(r"[0-9]:[0-9]{2}:[0-9]{2}\.", regex=True).to_numpy() if seconds.any() else false
    am_pm = false if plain else text.str.contains(r"[0-9] +[ap]m(?: |$)", regex=True).to_numpy()
    offset = false if plain else text.str.contains(r" [+-][0-9]{2}:?[0-9]{2}$", regex=True).to_numpy()
    two_digit = text.str.contains(two_digit_year, regex=True).to_numpy()
    code = has_time * 1 + seconds * 2 + fraction * 4 + am_pm * 8 + offset * 16 + two_digit * 32
    positions = text.index.to_numpy()
    for c in np.unique(code):
        mask = code == c
        t, s, f, ap, off, yy = (bool(c & bit) for bit in (1, 2, 4, 8, 16, 32))
        fmt = date_format.replace("%Y", "%y") if yy else date_format
        time_label = ""
        if t:
            fmt += (" %I" if ap else " %H") + ":%M" + (":%S" if s else "") + (".%f" if f else "")
            fmt += " %p" if ap else ""
            time_label = (" hh:MM" if ap else " HH:MM") + (":SS" if s else "") + (".f" if f else "")
            time_label += " AM/PM" if ap else ""
        fmt += " %z" if off else ""
        parsed = pd.to_datetime(text[mask], format=fmt, errors="coerce", utc=off)
        col.add(positions[mask], parsed, labeller(time_label, yy, ap))


def _example_format(example: str, sep: str, day_first: bool) -> str:
    """The strftime format matching one numeric example (for messages)."""
    m = re.match(_numeric_pattern(sep), example.strip().lower())
    fields = ("%d", "%m") if day_first else ("%m", "%d")
    fmt = f"{fields[0]}{sep}{fields[1]}{sep}" + ("%Y" if m is None or len(m.group(3)) == 4 else "%y")
    if m is not None and m.group(4):
        fmt += (" %I" if m.group(5) else " %H") + ":%M" + (":%S" if m.group(4).count(":") == 2 else "")
        fmt += " %p" if m.group(5) else ""
    return fmt


def _decide_order(families: dict, original: np.ndarray, *, dayfirst, what, column, path, notes) -> dict:
    """Day-first (True) or month-first (False) for each numeric family, by evidence; errors when undecidable."""
    if dayfirst is not None:
        order = "day-first" if dayfirst else "month-first"
        for sep in families:
            notes.append(f"dates written with '{sep}' read {order} (dayfirst={bool(dayfirst)}).")
        return {sep: bool(dayfirst) for sep in families}
    evidence = {}
    for sep, text in families.items():
        s = re.escape(sep)
        day = text.str.contains(rf"^{_DAY_13_31}{s}{_MONTH_1_12}{s}", regex=True).to_numpy()
        month = text.str.contains(rf"^{_MONTH_1_12}{s}{_DAY_13_31}{s}", regex=True).to_numpy()
        rows = text.index.to_numpy()
        if day.any() and month.any():
            raise CxInputError(
                f"the {what} column {column!r} mixes day-first and month-first dates written with '{sep}': "
                f"{_examples(original[rows[day]])} have a first field > 12 (day first) but "
                f"{_examples(original[rows[month]])} have a second field > 12 (month first). Expected one order "
                "per column; correct the data, or pass dayfirst=True/False to read one order (the values of the "
                "other order are then counted as unparseable).", path=path, column=column)
        if day.any():
            evidence[sep] = True
            notes.append(f"day-first for dates written with '{sep}': {str(original[rows[day][0]])!r} has a "
                         "first field > 12.")
        elif month.any():
            evidence[sep] = False
            notes.append(f"month-first for dates written with '{sep}': {str(original[rows[month][0]])!r} has a "
                         "second field > 12.")
    known = set(evidence.values())
    decided = dict(evidence)
    for sep, text in families.items():
        if sep in decided:
            continue
        if len(known) == 1:
            decided[sep] = next(iter(known))
            others = ", ".join(f"'{other}'" for other in evidence)
            notes.append(f"dates written with '{sep}' read {'day' if decided[sep] else 'month'}-first like the "
                         f"dates written with {others} (none of them decides by itself).")
            continue
        s = re.escape(sep)
        both = text.str.contains(rf"^{_MONTH_1_12}{s}{_MONTH_1_12}{s}", regex=True).to_numpy()
        same = "|".join([f"0?{k}{s}0?{k}" for k in range(1, 10)] + [f"{k}{s}{k}" for k in (10, 11, 12)])
        ambiguous = both & ~text.str.contains(rf"^(?:{same}){s}", regex=True).to_numpy()
        if ambiguous.any():
            examples = _examples(original[text.index.to_numpy()[ambiguous]])
            other = " (and the dates with other separators disagree)" if len(known) > 1 else ""
            shape = max(examples, key=lambda v: v.count(":"))  # the format suggested fits the fullest example
            raise CxInputError(
                f"the {what} column {column!r} is ambiguous: dates like {examples} can be read day-first or "
                f"month-first and no value has a field > 12 to decide{other}. Expected an explicit order: pass "
                f"timestamp_format={_example_format(shape, sep, True)!r} (day first) or "
                f"timestamp_format={_example_format(shape, sep, False)!r} (month first), or "
                "dayfirst=True/False.", path=path, column=column)
        decided[sep] = True  # every value reads the same either way (e.g. 05/05/2024)
    return decided


def _parse_text(text: pd.Series, original: np.ndarray, col: _Collector, *, dayfirst, what, column, path,
                notes) -> None:
    """Families of stripped, non-missing text (positional index); what matches none stays unread."""
    iso = text.str.match(_ISO).to_numpy()
    if iso.any():
        _parse_iso(text[iso], col)
    rest = text[~iso]
    if rest.empty:
        return
    rest = rest.str.lower()
    families = {}
    for sep in _SEPARATORS:
        mask = rest.str.match(_numeric_pattern(sep)).to_numpy()
        if mask.any():
            families[sep] = rest[mask]
            rest = rest[~mask]
    order = _decide_order(families, original, dayfirst=dayfirst, what=what, column=column, path=path,
                          notes=notes)
    for sep, fam in families.items():
        first, second = ("dd", "mm") if order[sep] else ("mm", "dd")
        date_format = f"%d{sep}%m{sep}%Y" if order[sep] else f"%m{sep}%d{sep}%Y"
        two_digit = rf"^[0-9]{{1,2}}{re.escape(sep)}[0-9]{{1,2}}{re.escape(sep)}[0-9]{{2}}(?: |$)"

        def numeric_label(time_label, yy, ap, sep=sep, first=first, second=second):
            return f"{first}{sep}{second}{sep}{'yy' if yy else 'yyyy'}{time_label}"

        plain = fam.str.match(_plain_numeric_pattern(sep)).to_numpy()
        _parse_shapes(fam[plain], date_format, two_digit, numeric_label, col, plain=True)
        if (~plain).any():
            pattern = _numeric_pattern(sep)
            canon = fam[~plain].str.replace(pattern, rf"\1{sep}\2{sep}\3|\4|\5|\6", regex=True)
            _parse_shapes(_normalise_canonical(canon), date_format, two_digit, numeric_label, col, plain=False)
    for pattern, tail, example in ((_MDY, r"\2 \3|\4|\5|\6", "Oct 11 2011"),
                                   (_DMY, r"\1 \3|\4|\5|\6", "11 Oct 2011")):
        if rest.empty:
            break
        mask = rest.str.match(pattern).to_numpy()
        if not mask.any():
            continue
        sub = rest[mask]
        word = 1 if pattern is _MDY else 2
        codes, words = pd.factorize(sub.str.replace(pattern, rf"\{word}", regex=True))
        numbers = np.array([_MONTH_NUMBER.get(w, "xx") for w in words] + ["xx"], dtype=object)
        month = pd.Series(numbers[codes], index=sub.index, dtype="str")  # unknown words fail to parse
        canon = month + " " + sub.str.replace(pattern, tail, regex=True)

        def month_label(time_label, yy, ap, example=example):
            clock = (" 1:45PM" if ap else " 13:45") if time_label else ""
            return f"month name ({example}{clock})"

        _parse_shapes(_normalise_canonical(canon), "%m %d %Y", r"^[0-9]{2} [0-9]{1,2} [0-9]{2}(?: |$)",
                      month_label, col, plain=False)
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
    raw = values.reset_index(drop=True)
    if isinstance(raw.dtype, pd.CategoricalDtype):
        raw = raw.astype(object)

    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        missing = raw.isna().to_numpy().copy()
        positions = np.flatnonzero(~missing)
        col.add(positions, raw.iloc[positions].reset_index(drop=True), "datetime values")
        original = _LazyText(raw)  # only messages show it: formatting every value costs more than the parse
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
            short = (text.str.len() <= 4).to_numpy()
            null_text = np.zeros(len(text), dtype=bool)
            if short.any():
                null_text[short] = text[short].str.lower().isin(_NULL_TEXT).to_numpy()
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

    counts = np.bincount(col.code[parsed], minlength=len(col.labels)) if parsed.any() else []
    formats = {col.labels[i]: int(counts[i]) for i in np.argsort(-np.asarray(counts), kind="stable")
               if counts[i]}
    n_with = int((parsed & col.aware).sum())
    n_without = int((parsed & col.naive).sum())
    offsets = {}
    if n_with:
        offsets["with offset"] = n_with
    if n_without:
        offsets[f"without offset, read as {tz_label}"] = n_without
    if n_with and n_without:
        notes.append(f"mixed offsets: {_count(n_with)} with an offset, converted to UTC by it; "
                     f"{_count(n_without)} without an offset, read as {tz_label}.")
    elif n_without and source_timezone is not None:
        notes.append(f"values without an offset read as {tz_label}, converted to UTC.")
    if gap.any():
        notes.append(f"not read, nonexistent local time in {tz_label} (spring DST gap): "
                     f"{_count(int(gap.sum()))}, e.g. {_examples(original[gap])}.")
    if overlap.any():
        notes.append(f"not read, ambiguous local time in {tz_label} (autumn DST overlap): "
                     f"{_count(int(overlap.sum()))}, e.g. {_examples(original[overlap])}.")
    if bad.any():
        notes.append(f"not read as a {what}: {_count(int(bad.sum()))}, e.g. {_examples(original[bad])}.")

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
