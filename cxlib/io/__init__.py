"""The reading foundation: every table cxlib reads comes through here, and no row is lost unseen.

Layers, bottom up:

- ``_files``: bytes (gzip by content), what a file holds, text encodings, SHA-256, the cache folder, and
  the one safe YAML loader (:func:`read_yaml`, :func:`load_yaml_text`).
- ``schema``: what the declared schemas of the YAML documents share (pydantic; imported by their readers
  only).
- ``_columns``: the event-log column keys (pm4py's names) and :func:`require_columns`.
- ``_report``: :class:`LoadReport` (rows read = kept + dropped, by reason and line).
- ``_delimited`` / ``_table`` / ``_xes``: the one reader of CSV, Excel, Parquet and XES files.
- ``_timestamps``, ``_ids``, ``_scores``: one rule each for dates, case ids and scores.
- ``_log`` / ``_feedback``: the readers users call (:func:`read_log`, :func:`read_feedback`,
  :func:`read_responses`), thin wrappers over the above.

The public API (``__all__``) is the readers, :class:`LoadReport`, the column keys and the three rules; the
file helpers below them are for cxlib's own packages.
"""

from ._columns import ACTIVITY, CASE, RESOURCE, TIMESTAMP, require_columns
from ._feedback import STANDARD_COLUMNS, read_feedback, read_responses
from ._files import (
    YAML_MAX_ALIASES,
    YAML_MAX_BYTES,
    YAML_MAX_DEPTH,
    YAML_MAX_NODES,
    cache_dir,
    decode_text,
    file_sha256,
    load_yaml_text,
    open_bytes,
    read_yaml,
    sniff_content,
)
from ._ids import ParsedIds, normalise_ids
from ._log import read_log
from ._report import LoadReport
from ._scores import ParsedScores, check_scale, parse_scores
from ._table import read_table
from ._timestamps import ParsedTimestamps, parse_timestamps

__all__ = [
    "ACTIVITY",
    "CASE",
    "RESOURCE",
    "STANDARD_COLUMNS",
    "TIMESTAMP",
    "LoadReport",
    "ParsedIds",
    "ParsedScores",
    "ParsedTimestamps",
    "normalise_ids",
    "parse_scores",
    "parse_timestamps",
    "read_feedback",
    "read_log",
    "read_responses",
]

# The toolbox of cxlib's own packages: importable from here, but not public API (not in ``__all__``).
_TOOLBOX = (YAML_MAX_ALIASES, YAML_MAX_BYTES, YAML_MAX_DEPTH, YAML_MAX_NODES, cache_dir, check_scale, decode_text,
            file_sha256, load_yaml_text, open_bytes, read_table, read_yaml, require_columns, sniff_content)
