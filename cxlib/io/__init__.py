"""cxlib.io: the reading foundation (files, encodings, delimited text, timestamps, ids, scores, load reports)."""

from ._log import *  # noqa: F401,F403  (temporary during the move)
from ._log import (ACTIVITY, CASE, RESOURCE, TIMESTAMP, LoadReport, _open_bytes, _to_utc,  # noqa: F401
                   cache_dir, file_sha256, load_report, read_csv_text, read_log, read_yaml, sniff_csv)
