"""Shared fixtures: paths to the real datasets, a private cache folder, small hand-made logs."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SHARED = Path(os.environ.get("CX_SHARED_DATASETS", ROOT.parent / "shared" / "datasets"))


def shared(relative: str) -> Path:
    """A file of ../shared/datasets; the test is skipped (with the reason) where the folder is not beside."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"{path} is not available (the shared datasets live beside the repository)")
    return path


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """Tests never read or write the user's cache: each session gets its own CX_CACHE_DIR."""
    folder = tmp_path_factory.mktemp("cx-cache")
    old = os.environ.get("CX_CACHE_DIR")
    os.environ["CX_CACHE_DIR"] = str(folder)
    yield folder
    if old is None:
        os.environ.pop("CX_CACHE_DIR", None)
    else:
        os.environ["CX_CACHE_DIR"] = old


def make_log(rows) -> pd.DataFrame:
    """A pm4py-style log from (case, activity, timestamp[, resource]) tuples; timestamps as strings, UTC."""
    cols = ["case:concept:name", "concept:name", "time:timestamp", "org:resource"][: len(rows[0])]
    log = pd.DataFrame(rows, columns=cols)
    log["time:timestamp"] = pd.to_datetime(log["time:timestamp"], utc=True)
    return log


@pytest.fixture
def tiny_log() -> pd.DataFrame:
    """Three journeys: c1 a>b>c, c2 a>b>b>c (self-loop), c3 a>c (skips b)."""
    return make_log([
        ("c1", "a", "2024-01-01 00:00", "r1"), ("c1", "b", "2024-01-01 01:00", "r2"),
        ("c1", "c", "2024-01-01 03:00", "r1"),
        ("c2", "a", "2024-01-02 00:00", "r1"), ("c2", "b", "2024-01-02 02:00", "r2"),
        ("c2", "b", "2024-01-02 03:00", "r3"), ("c2", "c", "2024-01-02 07:00", "r3"),
        ("c3", "a", "2024-01-03 00:00", "r1"), ("c3", "c", "2024-01-03 05:00", "r1"),
    ])
