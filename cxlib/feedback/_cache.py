"""The on-disk cache of the feedback pipeline's expensive steps, keyed by their inputs and options.

Each step (cleaning, the classifier's cross-fitting, the topic model) stores its result under
``$CX_CACHE_DIR/feedback/<step>/<key>`` (else the user cache folder), where the key is a BLAKE2b hash of
everything the result depends on: the texts, the labels, the options, the step's format version and the
versions of the libraries that compute it. A changed input, option or library gives a new key, so a stale
result is never read. Values are JSON and safetensors files (no pickle: reading a cache file cannot run code),
written under a temporary name and renamed into place, so a run killed mid-write leaves no half file. A file that
cannot be read is ignored and the step computes again.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import pandas as pd

from ..io import cache_dir

_FORMAT = b"cxlib.feedback.cache/1"


def _update(h, value) -> None:
    """Feed one value into the hash, typed and length-prefixed so that different inputs never collide."""
    if value is None:
        h.update(b"N;")
    elif isinstance(value, str):
        data = value.encode("utf-8", "surrogatepass")
        h.update(b"s%d:" % len(data))
        h.update(data)
    elif isinstance(value, (bytes, bytearray)):
        h.update(b"b%d:" % len(value))
        h.update(bytes(value))
    elif isinstance(value, (bool, int, float, np.integer, np.floating, np.bool_)):
        h.update(f"{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, np.ndarray) and value.dtype != object:
        h.update(f"a{value.dtype.str}{value.shape};".encode())
        h.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, (pd.Series, pd.Index, np.ndarray)):
        _update(h, list(value))
    elif isinstance(value, dict):
        h.update(b"d%d:" % len(value))
        for k in sorted(value, key=repr):
            _update(h, k)
            _update(h, value[k])
    elif isinstance(value, (list, tuple)):
        h.update(b"l%d:" % len(value))
        for item in value:
            _update(h, item)
    elif value is pd.NA or value is pd.NaT:
        h.update(b"NA;")
    else:  # anything else by its representation (a miss at worst, never a wrong hit for the types used here)
        _update(h, f"{type(value).__module__}.{type(value).__qualname__}:{value!r}")


def _versions(packages) -> dict:
    found = {}
    for name in packages:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found


def cache_key(step: str, *parts, packages=()) -> str:
    """A hex key for ``step`` over ``parts`` (texts, labels, options) and the versions of ``packages``."""
    h = hashlib.blake2b(digest_size=16)
    h.update(_FORMAT)
    _update(h, step)
    _update(h, _versions(("cxlib", *packages)))
    for part in parts:
        _update(h, part)
    return h.hexdigest()


def _folder(step: str) -> Path:
    folder = cache_dir("feedback") / step
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _write(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        tmp.replace(path)
    except OSError as exc:  # a full disk or a read-only folder costs the cache, not the result
        warnings.warn(f"the feedback cache could not be written ({exc}); the result is not cached.", stacklevel=3)
        tmp.unlink(missing_ok=True)


def load(step: str, key: str) -> tuple[dict, dict] | None:
    """``(values, arrays)`` stored by :func:`save` under ``key``, or None when there is none (or it is unreadable)."""
    folder = cache_dir("feedback") / step
    meta = folder / f"{key}.json"
    if not meta.is_file():
        return None
    try:
        values = json.loads(meta.read_text(encoding="utf-8"))
        arrays = {}
        if values.get("_arrays"):
            from safetensors.numpy import load_file

            arrays = load_file(str(folder / f"{key}.safetensors"))
    except Exception:  # noqa: BLE001 - a broken or half-written entry is a miss, not an error
        return None
    values.pop("_arrays", None)
    return values, arrays


def save(step: str, key: str, values: dict, arrays: dict | None = None) -> None:
    """Store JSON ``values`` (and numpy ``arrays``, as safetensors) under ``key``; the arrays are written first,
    so an entry whose JSON file exists is complete."""
    folder = _folder(step)
    if arrays:
        from safetensors.numpy import save_file

        contiguous = {name: np.ascontiguousarray(a) for name, a in arrays.items()}
        _write(folder / f"{key}.safetensors", lambda p: save_file(contiguous, str(p)))
    text = json.dumps({**values, "_arrays": bool(arrays)}, ensure_ascii=False)
    _write(folder / f"{key}.json", lambda p: p.write_text(text, encoding="utf-8"))
