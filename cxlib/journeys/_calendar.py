"""Waits in working time: a working-hours calendar (days, hours, time zone, public holidays) and the working
clock that measures waits and throughput in it.

Engine: the *working clock* ``W(t)`` is the working time from a fixed start up to the instant ``t``; a wait in
working time is ``W(later) - W(earlier)``. The calendar becomes a small table with one row per UTC day of the
log's period: ``day`` (days since the epoch, UTC), ``cum_ns`` (working nanoseconds before the day's start) and
the day's working intervals as offsets from its start (``o0``, ``c0``, ``o1``, ``c1``, ...; local working hours
converted to UTC, so daylight-saving changes are exact). ``W(t)`` is then an equi-join of the event on
``t // day`` and a sum of clipped differences, an Ibis expression like every journey measure (no per-row
Python). Public holidays come from the ``holidays`` package for a country and optional subdivision (region,
province or state), with extra closed dates on top.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
import zoneinfo

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa

from .._errors import CxInputError
from ..io.schema import suggest
from . import _engine
from ._events import NS_PER_HOUR, Events
from ._side_tables import keep, side_table

NS_PER_DAY = 24 * NS_PER_HOUR
DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_FULL_DAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_TIME = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*$")


@dataclasses.dataclass(frozen=True)
class Calendar:
    """A working-hours calendar: the working days and hours in a time zone, without public holidays.

    Made by :func:`working_calendar` (which checks every part); every function that reports waits takes it
    as ``calendar=`` (or the same settings as a dict, as in a parameter file) and adds the waits in working
    time beside the waits in calendar time.

    Attributes
    ----------
    timezone : str
        IANA time zone of the working hours, e.g. ``"Europe/Rome"``.
    days : tuple of int
        Working weekdays, Monday = 0 ... Sunday = 6.
    hours : tuple of (int, int)
        Working intervals of a working day, in minutes after local midnight (``(540, 1080)`` is 09:00-18:00).
    country : str or None
        Country whose public holidays are closed (ISO code for the ``holidays`` package, e.g. ``"IT"``).
    subdivision : str or None
        Region, province or state for regional holidays (e.g. ``"MI"`` for Milan's Sant'Ambrogio).
    closed_dates : tuple of datetime.date
        Further closed dates (company holidays).

    Examples
    --------
    >>> import cxlib.journeys as cj
    >>> cal = cj.working_calendar(timezone="Europe/Rome", days="Mon-Fri", hours="09:00-18:00", country="IT")
    >>> cal.describe()
    'Mon-Fri 09:00-18:00 (Europe/Rome), closed on the public holidays of IT'
    >>> cal.hours_per_week
    45.0
    """

    timezone: str = "UTC"
    days: tuple = (0, 1, 2, 3, 4)
    hours: tuple = ((540, 1020),)
    country: str | None = None
    subdivision: str | None = None
    closed_dates: tuple = ()

    @property
    def hours_per_week(self) -> float:
        """Working hours of a week without holidays."""
        return len(self.days) * sum(b - a for a, b in self.hours) / 60

    def describe(self) -> str:
        """The calendar in words."""
        days = _days_text(self.days)
        hours = ", ".join(f"{_hhmm(a)}-{_hhmm(b)}" for a, b in self.hours)
        text = f"{days} {hours} ({self.timezone})"
        if self.country:
            region = f" ({self.subdivision})" if self.subdivision else ""
            text += f", closed on the public holidays of {self.country}{region}"
        if self.closed_dates:
            text += f" and {len(self.closed_dates)} more closed date(s)"
        return text

    def holidays(self, first: dt.date, last: dt.date) -> dict:
        """Closed dates between ``first`` and ``last`` (inclusive): public holidays and ``closed_dates``, each
        with its name."""
        out = {}
        if self.country:
            import holidays as holidays_package

            found = holidays_package.country_holidays(self.country, subdiv=self.subdivision,
                                                      years=range(first.year, last.year + 1))
            out.update({d: str(name) for d, name in found.items() if first <= d <= last})
        out.update({d: "closed" for d in self.closed_dates if first <= d <= last})
        return dict(sorted(out.items()))


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _days_text(days) -> str:
    days = sorted(days)
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return f"{DAY_NAMES[days[0]]}-{DAY_NAMES[days[-1]]}"
    return ",".join(DAY_NAMES[d] for d in days)


def _day(token, where: str) -> int:
    if isinstance(token, (int, np.integer)) and not isinstance(token, bool) and 0 <= int(token) <= 6:
        return int(token)
    text = str(token).strip().lower()
    for i, (short, full) in enumerate(zip(DAY_NAMES, _FULL_DAY_NAMES)):
        if text in (short.lower(), full):
            return i
    raise CxInputError(f"calendar {where}: {token!r} is not a weekday; expected Mon, Tue, ... Sun (or 0-6, "
                       f"Monday = 0), ranges like Mon-Fri{suggest(text.capitalize(), DAY_NAMES)}", column=where)


def _parse_days(days) -> tuple:
    tokens = days.split(",") if isinstance(days, str) else list(days) if isinstance(days, (list, tuple)) else None
    if tokens is None:
        raise CxInputError(f"calendar days: expected text like 'Mon-Fri' or a list of weekdays, got {days!r}",
                           column="days")
    out = set()
    for token in tokens:
        if isinstance(token, str) and "-" in token:
            first, last = (_day(t, "days") for t in token.split("-", 1))
            if last < first:
                raise CxInputError(f"calendar days: the range {token!r} runs backwards; write it from the first "
                                   "weekday to the last (Mon-Fri)", column="days")
            out.update(range(first, last + 1))
        else:
            out.add(_day(token, "days"))
    if not out:
        raise CxInputError("calendar days: no working day given; expected e.g. 'Mon-Fri'", column="days")
    return tuple(sorted(out))


def _minutes(text: str, spec) -> int:
    m = _TIME.match(text)
    if not m or int(m[1]) > 24 or int(m[2] or 0) > 59 or (int(m[1]) == 24 and int(m[2] or 0) > 0):
        raise CxInputError(f"calendar hours: {text.strip()!r} in {spec!r} is not a time of day; expected HH:MM "
                           "(00:00 to 24:00)", column="hours")
    return int(m[1]) * 60 + int(m[2] or 0)


def _parse_hours(hours) -> tuple:
    parts = hours.split(",") if isinstance(hours, str) else list(hours) if isinstance(hours, (list, tuple)) else None
    if not parts:
        raise CxInputError(f"calendar hours: expected text like '09:00-18:00' (several intervals separated by "
                           f"commas) or a list of them, got {hours!r}", column="hours")
    out = []
    for part in parts:
        if not isinstance(part, str) or part.count("-") != 1:
            raise CxInputError(f"calendar hours: {part!r} is not an interval; expected HH:MM-HH:MM, e.g. "
                               "'09:00-18:00'", column="hours")
        a, b = (_minutes(t, part) for t in part.split("-"))
        if b <= a:
            raise CxInputError(f"calendar hours: the interval {part.strip()!r} ends before it starts (an interval "
                               "over midnight is two intervals: '22:00-24:00, 00:00-06:00')", column="hours")
        out.append((a, b))
    out.sort()
    for (a1, b1), (a2, _) in itertools.pairwise(out):
        if a2 < b1:
            raise CxInputError(f"calendar hours: the intervals {_hhmm(a1)}-{_hhmm(b1)} and {_hhmm(a2)}-... overlap",
                               column="hours")
    return tuple(out)


def _parse_dates(dates) -> tuple:
    if dates is None:
        return ()
    values = [dates] if isinstance(dates, (str, dt.date)) else list(dates)
    out = []
    for value in values:
        try:
            out.append(pd.Timestamp(value).date())
        except (ValueError, TypeError):
            raise CxInputError(f"calendar closed_dates: {value!r} is not a date; expected YYYY-MM-DD",
                               column="closed_dates") from None
    return tuple(sorted(set(out)))


def working_calendar(*, timezone: str = "UTC", days="Mon-Fri", hours="09:00-17:00", country: str | None = None,
                     subdivision: str | None = None, closed_dates=()) -> Calendar:
    """A working-hours calendar for waits in working time.

    Parameters
    ----------
    timezone : str, default "UTC"
        IANA time zone in which the working hours hold, e.g. ``"Europe/Rome"``.
    days : str or list, default "Mon-Fri"
        Working weekdays: ``"Mon-Fri"``, ``"Mon,Wed,Fri"``, ``"Mon-Sat"``, or a list of names or numbers
        (Monday = 0).
    hours : str or list of str, default "09:00-17:00"
        Working hours of a working day, ``"HH:MM-HH:MM"``; several intervals separated by commas or as a list
        (``"08:30-12:30, 13:30-17:30"``).
    country : str, optional
        Country whose public holidays are closed, as the ``holidays`` package names it (ISO code, e.g.
        ``"IT"``, ``"NL"``, ``"DE"``).
    subdivision : str, optional
        Region, province or state with its own holidays (e.g. ``"MI"`` in Italy, ``"BY"`` in Germany).
    closed_dates : list of str or date, optional
        Further closed dates, ``"YYYY-MM-DD"``.

    Returns
    -------
    Calendar
        The checked calendar; pass it as ``calendar=`` to :func:`process_map`, :func:`waiting_times`,
        :func:`throughput`, :func:`plot_waiting_times`, :func:`touchpoints` or :func:`design_stages`.

    Raises
    ------
    cxlib.CxInputError
        An unknown time zone, weekday, country or subdivision, a time that is not ``HH:MM``, an interval that
        ends before it starts, overlapping intervals, or a date that is not a date.

    Examples
    --------
    >>> import cxlib.journeys as cj
    >>> cj.working_calendar(days="Mon-Fri", hours="08:30-12:30, 13:30-17:30").hours
    ((510, 750), (810, 1050))
    >>> cj.working_calendar(days="Mon-Sun", hours="00:00-24:00").hours_per_week
    168.0
    """
    if not isinstance(timezone, str):
        raise CxInputError(f"calendar timezone: expected an IANA time zone name such as 'Europe/Rome', got "
                           f"{timezone!r}", column="timezone")
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise CxInputError(f"calendar timezone: {timezone!r} is not a known time zone; expected an IANA name "
                           f"such as 'Europe/Rome' or 'UTC'", column="timezone") from None
    cal = Calendar(timezone=timezone, days=_parse_days(days), hours=_parse_hours(hours),
                   country=None if country is None else str(country).upper(),
                   subdivision=None if subdivision is None else str(subdivision).upper(),
                   closed_dates=_parse_dates(closed_dates))
    if cal.country:
        import holidays as holidays_package

        try:
            holidays_package.country_holidays(cal.country, subdiv=cal.subdivision, years=2020)
        except NotImplementedError:
            known = holidays_package.list_supported_countries()
            if cal.country not in known:
                raise CxInputError(f"calendar country: {country!r} has no public holidays in the holidays package"
                                   f"{suggest(cal.country, known)}; expected an ISO code such as 'IT'",
                                   column="country") from None
            subs = known[cal.country]
            raise CxInputError(f"calendar subdivision: {subdivision!r} is not a subdivision of {cal.country}"
                               f"{suggest(cal.subdivision, subs)}; known: {', '.join(subs[:40])}",
                               column="subdivision") from None
    return cal


def calendar_of(calendar) -> Calendar | None:
    """A ``calendar=`` argument as a :class:`Calendar`: a Calendar, the keywords of :func:`working_calendar`
    as a dict (as a parameter file gives them), or None (internal)."""
    if calendar is None or isinstance(calendar, Calendar):
        return calendar
    if isinstance(calendar, dict):
        known = ["timezone", "days", "hours", "country", "subdivision", "closed_dates"]
        unknown = [k for k in calendar if k not in known]
        if unknown:
            raise CxInputError(f"calendar has unknown key(s) {unknown}{suggest(unknown[0], known)}; allowed: "
                               f"{', '.join(known)}", column=str(unknown[0]))
        return working_calendar(**calendar)
    raise CxInputError(f"calendar: expected a Calendar (cxlib.journeys.working_calendar) or a mapping of its "
                       f"settings, got {type(calendar).__name__}")


def working_intervals(calendar: Calendar, first: dt.date, last: dt.date) -> np.ndarray:
    """The working intervals of the local dates ``first`` to ``last`` as UTC nanoseconds, shape (n, 2),
    sorted (internal)."""
    days = pd.date_range(first, last, freq="D").as_unit("ns")
    closed = pd.DatetimeIndex(pd.to_datetime(list(calendar.holidays(first, last)))).as_unit("ns")
    working = days[days.day_of_week.isin(calendar.days) & ~days.isin(closed)]
    pieces = []
    for a, b in calendar.hours:  # a loop over a day's intervals (one or two)
        bounds = []
        for minutes in (a, b):
            local = working + pd.to_timedelta(minutes, unit="min")
            # a time that does not exist (spring forward) moves to the first instant that does; a time that
            # occurs twice (fall back) is read as standard time
            utc = local.tz_localize(calendar.timezone, ambiguous=np.zeros(len(local), dtype=bool),
                                    nonexistent="shift_forward")
            bounds.append(utc.tz_convert("UTC").as_unit("ns").asi8)
        pieces.append(np.stack(bounds, axis=1))
    out = np.concatenate(pieces) if pieces else np.zeros((0, 2), dtype=np.int64)
    out = out[out[:, 1] > out[:, 0]]
    return out[np.argsort(out[:, 0], kind="stable")]


def clock_table(calendar: Calendar, start_ns: int, end_ns: int) -> pa.Table:
    """The calendar as one row per UTC day from ``start_ns`` to ``end_ns`` (see the module docstring):
    ``day``, ``cum_ns``, ``o0``, ``c0``, ... (internal)."""
    d_first = int(start_ns // NS_PER_DAY) - 1
    d_last = int(end_ns // NS_PER_DAY) + 1
    first = (pd.Timestamp(d_first * NS_PER_DAY, unit="ns") - pd.Timedelta(days=2)).date()
    last = (pd.Timestamp(d_last * NS_PER_DAY, unit="ns") + pd.Timedelta(days=2)).date()
    iv = working_intervals(calendar, first, last)
    # split the intervals at UTC midnights (working hours far from UTC cross them)
    d0 = iv[:, 0] // NS_PER_DAY
    d1 = (iv[:, 1] - 1) // NS_PER_DAY
    parts = d1 - d0 + 1
    rows = np.repeat(np.arange(len(iv)), parts)
    day = np.repeat(d0, parts) + (np.arange(len(rows)) - np.repeat(np.cumsum(parts) - parts, parts))
    lo = np.maximum(iv[rows, 0], day * NS_PER_DAY) - day * NS_PER_DAY
    hi = np.minimum(iv[rows, 1], (day + 1) * NS_PER_DAY) - day * NS_PER_DAY
    keep = (day >= d_first) & (day <= d_last)
    day, lo, hi = day[keep], lo[keep], hi[keep]
    n_days = d_last - d_first + 1
    slot = np.arange(len(day)) - np.searchsorted(day, day)  # the interval's place within its day
    k = int(slot.max()) + 1 if len(slot) else 1
    o = np.zeros((n_days, k), dtype=np.int64)
    c = np.zeros((n_days, k), dtype=np.int64)
    o[day - d_first, slot] = lo
    c[day - d_first, slot] = hi
    per_day = (c - o).sum(axis=1)
    columns = {"day": pa.array(np.arange(d_first, d_last + 1, dtype=np.int64)),
               "cum_ns": pa.array(np.cumsum(per_day) - per_day)}
    for j in range(k):
        columns[f"o{j}"] = pa.array(o[:, j])
        columns[f"c{j}"] = pa.array(c[:, j])
    return pa.table(columns)


def add_clocks(table, clock, columns: dict):
    """Ibis: ``table`` with the working clock (ns) of each timestamp column, ``{new_name: ts_column}``; null
    where the timestamp is null. ``clock`` is the Ibis calendar table of :func:`clock_table` (internal)."""
    slots = sorted(int(c[1:]) for c in clock.columns if c.startswith("o"))
    for new, ts in columns.items():
        cal = clock.rename({f"_{new}_{c}": c for c in clock.columns})
        joined = table.left_join(cal, (table[ts] // NS_PER_DAY) == cal[f"_{new}_day"])
        offset = joined[ts] - joined[f"_{new}_day"] * NS_PER_DAY
        worked = joined[f"_{new}_cum_ns"]
        for j in slots:
            o, c = joined[f"_{new}_o{j}"], joined[f"_{new}_c{j}"]
            worked = worked + ibis.greatest(ibis.least(offset, c) - o, 0)
        keep = [c for c in joined.columns if not c.startswith(f"_{new}_")]
        table = joined.select(*keep, **{new: ibis.ifelse(joined[ts].isnull(), ibis.null("int64"), worked)})
    return table


def working_h(later, earlier):
    """Ibis: working hours between two working-clock columns (ns)."""
    return (later - earlier).cast("float64") / NS_PER_HOUR


def _clock(ev: Events, calendar: Calendar):
    """Ibis: the calendar table over the log's period, registered once per prepared log and calendar."""
    key = ("clock", calendar)
    if key not in ev._cache:
        cases = ev.cases()
        data = clock_table(calendar, int(cases["start"].min()), int(cases["end"].max()))
        ev._cache[key] = side_table(ev, data, "clock")
    return ev._cache[key]


def working_events(ev: Events, calendar: Calendar):
    """Ibis: the enriched events (``pos``, ``case``, ``idx``, ``act``, ``prev_act``, ``next_act``, ``ts``,
    ``prev_ts``, ``next_ts``) with the working clock at the event (``w``), at the previous event (``w_prev``)
    and at the next one (``w_next``); materialized once per prepared log and calendar (internal)."""
    key = ("working_events", calendar)
    if key not in ev._cache:
        t = ev.table.select("pos", "case", "idx", "act", "prev_act", "next_act", "ts", "prev_ts", "next_ts")
        expr = add_clocks(t, _clock(ev, calendar), {"w": "ts", "w_prev": "prev_ts", "w_next": "next_ts"})
        ev._cache[key] = keep(ev, expr, "working_events")
    return ev._cache[key]


def working_moves(ev: Events, calendar: Calendar):
    """Ibis: the working events that have a next event in their case (one row per transition), internal."""
    w = working_events(ev, calendar)
    return w.filter(w.next_act.notnull())


def working_edges(ev: Events, calendar: Calendar) -> pd.DataFrame:
    """Per directly-follows edge (pandas, cached): ``source``, ``target`` (names), ``kind`` ("transition"),
    ``median_working_h``, ``mean_working_h``, ``p90_working_h`` (internal)."""
    key = ("working_edges", calendar)
    if key not in ev._cache:
        m = working_moves(ev, calendar)
        wait = working_h(m.w_next, m.w)
        table = _engine.to_arrow(m.group_by([m.act.name("src"), m.next_act.name("dst")]).aggregate(
            quantiles=wait.quantile([0.5, 0.9]), mean_working_h=wait.mean()))
        q = table.column("quantiles").combine_chunks().flatten().to_numpy().reshape(-1, 2)
        df = table.drop_columns(["quantiles"]).to_pandas()
        ev._cache[key] = pd.DataFrame({
            "source": ev.activity_names(df["src"]), "target": ev.activity_names(df["dst"]), "kind": "transition",
            "median_working_h": q[:, 0], "mean_working_h": df["mean_working_h"].to_numpy(dtype=np.float64),
            "p90_working_h": q[:, 1]})
    return ev._cache[key]


def working_act_waits(ev: Events, calendar: Calendar) -> pd.DataFrame:
    """Per activity code 0..n_activities-1 (pandas, cached): ``median_working_wait_before_h`` and
    ``median_working_wait_after_h`` (internal)."""
    key = ("working_act_waits", calendar)
    if key not in ev._cache:
        w = working_events(ev, calendar)
        df = w.group_by("act").aggregate(before=working_h(w.w, w.w_prev).median(),
                                         after=working_h(w.w_next, w.w).median()).pipe(_engine.to_pandas)
        df = df.set_index("act").reindex(range(ev.n_activities))
        ev._cache[key] = pd.DataFrame({"median_working_wait_before_h": df["before"].to_numpy(dtype=np.float64),
                                       "median_working_wait_after_h": df["after"].to_numpy(dtype=np.float64)})
    return ev._cache[key]


def working_throughput(ev: Events, calendar: Calendar) -> np.ndarray:
    """Per case code: working hours from the first to the last event (internal, cached)."""
    key = ("working_throughput", calendar)
    if key not in ev._cache:
        ct = ev.case_table().select("case", "start", "end")
        expr = add_clocks(ct, _clock(ev, calendar), {"w_start": "start", "w_end": "end"})
        df = expr.select("case", h=working_h(expr.w_end, expr.w_start)).pipe(_engine.to_pandas)
        out = np.full(ev.n_cases, np.nan)
        out[df["case"].to_numpy(dtype=np.int64)] = df["h"].to_numpy(dtype=np.float64)
        ev._cache[key] = out
    return ev._cache[key]


def closed_days(ev: Events, calendar: Calendar) -> dict:
    """The calendar's closed dates (holidays) within the log's period (internal)."""
    cases = ev.cases()
    first = pd.Timestamp(int(cases["start"].min()), unit="ns", tz="UTC").tz_convert(calendar.timezone).date()
    last = pd.Timestamp(int(cases["end"].max()), unit="ns", tz="UTC").tz_convert(calendar.timezone).date()
    return calendar.holidays(first, last)


def working_note(ev: Events, calendar: Calendar) -> str:
    """A sentence on the calendar used: its rule and the holidays in the log's period."""
    closed = closed_days(ev, calendar)
    on_working_days = [d for d in closed if d.weekday() in calendar.days]
    return (f"Working time: {calendar.describe()}; {len(on_working_days)} closed working day(s) in the log's "
            "period.")


def working_hours(start, end, *, calendar) -> pd.Series:
    """Working hours between two instants, pair by pair, for a working-hours calendar.

    Parameters
    ----------
    start, end : pandas.Series of timestamps
        The instants (tz-aware, or naive UTC); missing values give NaN. ``end`` before ``start`` gives a
        negative duration.
    calendar : Calendar or dict
        The calendar (see :func:`working_calendar`; a dict holds its keywords).

    Returns
    -------
    pandas.Series
        Working hours between ``start`` and ``end`` (float), on ``start``'s index.

    Examples
    --------
    >>> import pandas as pd, cxlib.journeys as cj
    >>> cal = cj.working_calendar(timezone="Europe/Rome", hours="09:00-18:00", country="IT")
    >>> friday = pd.Series(pd.to_datetime(["2013-12-20 17:00"]).tz_localize("Europe/Rome"))
    >>> monday = pd.Series(pd.to_datetime(["2013-12-23 10:00"]).tz_localize("Europe/Rome"))
    >>> cj.working_hours(friday, monday, calendar=cal).tolist()
    [2.0]
    """
    cal = calendar_of(calendar)
    if cal is None:
        raise CxInputError("working_hours needs a calendar (see working_calendar)")
    s, e = (pd.Series(x) for x in (start, end))
    if len(s) != len(e):
        raise CxInputError(f"start and end must have the same length, got {len(s)} and {len(e)}")
    ns = []
    for name, values in (("start", s), ("end", e)):
        try:
            values = pd.to_datetime(values, utc=True)
        except (ValueError, TypeError) as exc:
            raise CxInputError(f"{name} holds values that are not timestamps ({exc})", column=name) from None
        ns.append(values.dt.as_unit("ns").to_numpy(dtype="datetime64[ns]").view(np.int64))
    valid = (ns[0] != np.iinfo(np.int64).min) & (ns[1] != np.iinfo(np.int64).min)
    out = pd.Series(np.nan, index=s.index, dtype=np.float64)
    if not valid.any():
        return out
    both = np.concatenate([ns[0][valid], ns[1][valid]])
    clock, clock_name = _engine.register(clock_table(cal, int(both.min()), int(both.max())), "clock")
    pairs, pairs_name = _engine.register(pd.DataFrame({"i": np.flatnonzero(valid), "a": ns[0][valid],
                                                       "b": ns[1][valid]}), "pairs")
    try:
        expr = add_clocks(pairs, clock, {"wa": "a", "wb": "b"})
        df = expr.select("i", h=working_h(expr.wb, expr.wa)).pipe(_engine.to_pandas)
    finally:
        _engine.drop_tables([clock_name, pairs_name])
    values = out.to_numpy(copy=True)
    values[df["i"].to_numpy(dtype=np.int64)] = df["h"].to_numpy(dtype=np.float64)
    return pd.Series(values, index=s.index)
