"""One load report for every reader: rows read = rows kept + rows dropped (by reason, with line numbers)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd

__all__ = ["LoadReport"]

#: How many line numbers are kept per drop reason.
MAX_LINES = 20


@dataclasses.dataclass
class LoadReport:
    """What a load read, kept and dropped.

    ``rows_read == rows_kept + rows_dropped`` always holds: every row of the file is either in the table or
    counted under a reason.

    Attributes
    ----------
    path : str
        The file read.
    format : str
        ``xes``, ``csv``, ``excel``, ``parquet`` or ``germeval-xml``.
    reader : str
        Which parser did the work (``cxlib-columns``, ``rustxes``, ``csv``, ``openpyxl``, ``pyarrow``, ``cache``).
    encoding, delimiter : str
        Of a delimited text file, as detected or given.
    rows_read : int
        Records in the file (events, responses, documents).
    rows_kept : int
        Rows in the returned table.
    dropped : dict
        Reason -> rows dropped for it (``unbalanced quote``, ``too many fields``, ``missing case id``, ...).
    dropped_lines : dict
        Reason -> the first line numbers in the file (1-based, the header is line 1) of the dropped rows.
    counts : dict
        What a reader counts besides drops (kept rows): ``cases``, ``activities``, ``duplicate events``,
        ``repeated texts``, timestamp formats, offsets, restored ids, invalid scores, ...
    columns : dict
        Role -> the source column it was read from.
    start, end : pandas.Timestamp or None
        The first and last timestamp or date kept (UTC).
    cache_hit : bool
        True when the table came from the cache.
    seconds : float
        Wall-clock time of the load.
    notes : list of str
        Anything else the analyst should know, in plain sentences.
    """

    path: str
    format: str
    reader: str = ""
    encoding: str = ""
    delimiter: str = ""
    rows_read: int = 0
    rows_kept: int = 0
    dropped: dict = dataclasses.field(default_factory=dict)
    dropped_lines: dict = dataclasses.field(default_factory=dict)
    counts: dict = dataclasses.field(default_factory=dict)
    columns: dict = dataclasses.field(default_factory=dict)
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    cache_hit: bool = False
    seconds: float = 0.0
    notes: list = dataclasses.field(default_factory=list)

    @property
    def rows_dropped(self) -> int:
        """Total rows dropped, over all reasons."""
        return int(sum(self.dropped.values()))

    @property
    def cases(self) -> int:
        """Distinct cases kept (event logs, and feedback with a case id)."""
        return int(self.counts.get("cases", 0))

    @property
    def activities(self) -> int:
        """Distinct activities kept (event logs)."""
        return int(self.counts.get("activities", 0))

    @property
    def duplicate_events(self) -> int:
        """Events identical to an earlier one in case, activity and timestamp (kept, only counted)."""
        return int(self.counts.get("duplicate events", 0))

    def drop(self, reason: str, n: int = 1, lines=()) -> None:
        """Count ``n`` dropped rows under ``reason`` (with their line numbers in the file, when known)."""
        if n <= 0:
            return
        self.dropped[reason] = int(self.dropped.get(reason, 0)) + int(n)
        if lines is not None and len(lines):
            kept = self.dropped_lines.setdefault(reason, [])
            room = MAX_LINES - len(kept)
            if room > 0:
                kept.extend(int(x) for x in list(lines)[:room])

    def count(self, item: str, n: int) -> None:
        """Add ``n`` to a reader-specific count (kept rows: formats, restored ids, ...)."""
        if n:
            self.counts[item] = int(self.counts.get(item, 0)) + int(n)

    def check(self) -> None:
        """Raise if the report does not add up (a bug in a reader, never a silent loss)."""
        if self.rows_kept + self.rows_dropped != self.rows_read:
            raise AssertionError(f"{self.path}: load report does not add up: {self.rows_read} read, "
                                 f"{self.rows_kept} kept, {self.rows_dropped} dropped")

    def _where(self, reason: str) -> str:
        lines = self.dropped_lines.get(reason) or []
        if not lines:
            return ""
        more = ", ..." if len(lines) < self.dropped[reason] else ""
        return f" (line{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))}{more})"

    def to_frame(self) -> pd.DataFrame:
        """The report as a two-column table (``item``, ``value``) for display."""
        fmt = self.format + (f" / {self.reader}" if self.reader else "")
        if self.cache_hit:
            fmt += " (from cache)"
        items = [("file", Path(self.path).name), ("format / reader", fmt)]
        if self.encoding:
            items.append(("encoding", self.encoding))
        if self.delimiter:
            items.append(("delimiter", {"\t": "tab"}.get(self.delimiter, repr(self.delimiter))))
        items += [("rows read", f"{self.rows_read:,}"), ("rows kept", f"{self.rows_kept:,}"),
                  ("rows dropped", f"{self.rows_dropped:,}")]
        items += [(f"  dropped: {reason}", f"{n:,}{self._where(reason)}") for reason, n in self.dropped.items()]
        items += [(item, f"{n:,}") for item, n in self.counts.items()]
        items += [(f"column {role}", str(source)) for role, source in self.columns.items()]
        if self.start is not None:
            items.append(("time span", f"{_fmt_ts(self.start)} to {_fmt_ts(self.end)}"))
        items.append(("load time", f"{self.seconds:.2f} s"))
        items += [("note", n) for n in self.notes]
        return pd.DataFrame(items, columns=["item", "value"])

    def to_dict(self) -> dict:
        """The report as plain JSON-friendly values."""
        d = dataclasses.asdict(self)
        d["dropped"] = {str(k): int(v) for k, v in self.dropped.items()}
        d["start"] = None if self.start is None else pd.Timestamp(self.start).isoformat()
        d["end"] = None if self.end is None else pd.Timestamp(self.end).isoformat()
        d["rows_dropped"] = self.rows_dropped
        return d

    @classmethod
    def from_dict(cls, d: dict) -> LoadReport:
        """The report back from :meth:`to_dict`."""
        d = {k: v for k, v in d.items() if k in {f.name for f in dataclasses.fields(cls)}}
        for key in ("start", "end"):
            d[key] = None if d.get(key) is None else pd.Timestamp(d[key])
        return cls(**d)

    def __str__(self) -> str:
        return "\n".join(f"{item}: {value}" for item, value in self.to_frame().itertuples(index=False))

    def _repr_html_(self) -> str:
        return self.to_frame().to_html(index=False, header=False, escape=True, border=0, classes="cx-table")


def _fmt_ts(ts) -> str:
    return "-" if ts is None or pd.isna(ts) else pd.Timestamp(ts).strftime("%Y-%m-%d %H:%M")
