"""Topics with BERTopic, offline: cached sentence embeddings (or TF-IDF + SVD), k-means, seed-word taxonomy."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import numpy as np
import pandas as pd

from .._errors import CxInputError
from ..display import Result, say, show
from . import _cache
from ._embed import embed_texts, resolve_embedding_model
from ._stopwords import stop_words

__all__ = [
    "TopicResult",
    "TopicsOverTime",
    "assign_topics",
    "fit_topics",
    "representative_verbatims",
    "sentiment_by_topic",
    "topic_table",
    "topics_by",
    "topics_over_time",
]


@dataclasses.dataclass
class TopicResult(Result):
    """The outcome of :func:`fit_topics`; ``.show()`` renders the topics table with how they were found.

    Attributes
    ----------
    documents : pandas.DataFrame
        The input rows with ``topic`` (int; -1 only for outliers left by HDBSCAN), ``topic_label`` (str: the
        topic's most representative phrases, see :func:`phrase_labels`, else its top words),
        ``topic_similarity`` (cosine similarity of the text to its topic's centre) and, with a taxonomy,
        ``touchpoint_guess`` (the seed-word touchpoint closest to the text, or ``"other"``).
    topics : pandas.DataFrame
        One row per topic, see :func:`topic_table`.
    backend : str
        What made the document vectors (the embedding model, or TF-IDF + SVD).
    info : dict
        Plain values: ``clustering``, ``n_topics``, ``seed``, ``outliers_before``, ``outliers_after``,
        ``outlier_share``, ``embedded``/``cached`` rows, ``seconds`` per step.
    bertopic : bertopic.BERTopic
        The fitted BERTopic model (c-TF-IDF topic representations). With spectral or k-means clustering it is
        fitted on first use, on the same texts, vectors and topics (so a report that never uses it never imports
        BERTopic); its topics and words are the ones in ``documents`` and ``topics``.
    """

    documents: pd.DataFrame
    topics: pd.DataFrame
    backend: str
    info: dict
    bertopic: object = dataclasses.field(default=None, repr=False, compare=False)
    features: np.ndarray | None = dataclasses.field(default=None, repr=False)
    _refit: object = dataclasses.field(default=None, repr=False, compare=False)

    def parts(self) -> list:
        """A sentence on the documents, topics and vectors, then the topics table."""
        return [say("{n:,} texts, {k} topics; vectors: <b>{backend}</b>; texts in no topic: {out:.1%}.",
                    n=len(self.documents), k=self.info.get("n_topics", len(self.topics)), backend=self.backend,
                    out=self.info.get("outlier_share", 0.0)),
                show(self.topics, caption="Topics: size, share, top words")]

    def save(self, path) -> Path:
        """Save the BERTopic model as safetensors (no pickle) with c-TF-IDF, into the folder ``path``."""
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        self.bertopic.save(str(folder), serialization="safetensors", save_ctfidf=True,
                           save_embedding_model=False)
        return folder


def _get_bertopic(self):
    model = self.__dict__.get("_bertopic")
    if model is None and self._refit is not None:
        model = self.__dict__["_bertopic"] = self._refit()
    return model


def _set_bertopic(self, value) -> None:
    self.__dict__["_bertopic"] = value


# The BERTopic model is a property over the dataclass field, so that it can be fitted when first asked for.
TopicResult.bertopic = property(_get_bertopic, _set_bertopic, doc="The fitted BERTopic model (fitted on first use).")


def _by_frequency(labels: np.ndarray) -> np.ndarray:
    """Topic ids renumbered by size, largest first (-1 stays -1), as BERTopic numbers them."""
    import collections

    sizes = collections.Counter(labels.tolist())
    order = pd.DataFrame(sizes.items(), columns=["Old_Topic", "Size"]).sort_values("Size", ascending=False)
    order = order[order.Old_Topic != -1]
    mapping = {-1: -1, **dict(zip(order.Old_Topic, range(len(order))))}
    return np.asarray([mapping[t] for t in labels.tolist()], dtype=int)


def _topic_vectorizer(language: str, n_texts: int):
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(stop_words=stop_words(language), ngram_range=(1, 2), min_df=2 if n_texts >= 100 else 1)


def _topic_words(texts: list[str], topics: np.ndarray, *, language: str, top_n: int = 10) -> dict:
    """Each topic's words by class-based TF-IDF (c-TF-IDF), computed as BERTopic computes them.

    The texts of a topic are joined into one document; for ``english`` every character but ASCII letters, digits
    and spaces is dropped (BERTopic's preprocessing); word 1-2-grams are counted; a word's weight in a topic is its
    share of the topic's words times ``log(1 + average words per topic / its count over all topics)``. The top
    ``top_n`` words per topic, as ``(word, weight)``, padded with ``("", 1e-05)`` as BERTopic's ``get_topic``
    gives them. This needs no BERTopic import (which brings PyTorch and UMAP); tests/test_feedback_speed.py checks
    the words against BERTopic's own.
    """
    import re

    from scipy import sparse
    from sklearn.preprocessing import normalize

    frame = pd.DataFrame({"Document": texts, "Topic": topics})
    per_topic = frame.groupby(["Topic"], as_index=False).agg({"Document": " ".join})
    documents = [d.replace("\n", " ").replace("\t", " ") for d in per_topic.Document.values]
    if language == "english":
        documents = [re.sub(r"[^A-Za-z0-9 ]+", "", d) for d in documents]
    documents = [d if d != "" else "emptydoc" for d in documents]
    vectorizer = _topic_vectorizer(language, len(texts))
    counts = vectorizer.fit_transform(documents)
    words = vectorizer.get_feature_names_out()
    frequency = np.squeeze(np.asarray(counts.sum(axis=0)))
    average = int(counts.sum(axis=1).mean())
    idf = np.log((average / frequency) + 1)
    weights = normalize(counts, axis=1, norm="l1", copy=False) @ sparse.diags(
        idf, offsets=0, shape=(counts.shape[1], counts.shape[1]), format="csr", dtype=np.float64)
    weights = sparse.csr_matrix(weights)
    n = max(top_n, 30)
    indices = []
    for start, end in zip(weights.indptr[:-1], weights.indptr[1:]):
        pick = min(n, end - start)
        found = weights.indices[start + np.argpartition(weights.data[start:end], -pick)[-pick:]]
        indices.append([found[i] if len(found) >= i + 1 else None for i in range(n)])
    indices = np.array(indices)
    scores = np.array([np.array([weights[row, col] if col is not None else 0 for col in cols])
                       for row, cols in enumerate(indices)])
    ranked = np.argsort(scores, 1)
    indices = np.take_along_axis(indices, ranked, axis=1)
    scores = np.take_along_axis(scores, ranked, axis=1)
    return {int(topic): [(str(words[col]), float(score)) if col is not None and score > 0 else ("", 0.00001)
                         for col, score in zip(indices[i][::-1], scores[i][::-1])][:top_n]
            for i, topic in enumerate(sorted(per_topic.Topic.unique().tolist()))}


def _bertopic_refit(texts: list[str], features: np.ndarray, topics: np.ndarray, *, language: str):
    """A function that fits BERTopic on the texts, vectors and (frequency-ordered) topics, giving them back."""

    def refit():
        from bertopic import BERTopic
        from bertopic.cluster import BaseCluster
        from bertopic.dimensionality import BaseDimensionalityReduction

        bt = BERTopic(embedding_model=None, umap_model=BaseDimensionalityReduction(), hdbscan_model=BaseCluster(),
                      vectorizer_model=_topic_vectorizer(language, len(texts)), calculate_probabilities=False,
                      verbose=False, language="english" if language == "english" else "multilingual")
        bt.fit_transform(texts, embeddings=features, y=topics)
        return bt

    return refit


def _tfidf_svd(texts, *, language: str, dims: int, seed: int):
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    min_df = 3 if len(texts) >= 200 else 1
    tfidf = TfidfVectorizer(stop_words=stop_words(language), min_df=min_df, ngram_range=(1, 2),
                            sublinear_tf=True)
    matrix = tfidf.fit_transform(texts)
    dims = max(1, min(dims, matrix.shape[1] - 1, matrix.shape[0] - 1))
    svd = TruncatedSVD(dims, random_state=seed)
    return normalize(svd.fit_transform(matrix)), (tfidf, svd)


def _spectral_labels(features: np.ndarray, n_topics: int, *, neighbors: int, seed: int) -> np.ndarray:
    """Spectral clustering: k-means on the top eigenvectors of the normalised cosine k-nearest-neighbour graph."""
    from scipy.sparse import csr_matrix, diags
    from scipy.sparse.linalg import eigsh
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import normalize

    n = len(features)
    neighbors = max(1, min(neighbors, n - 1))
    rows, cols, vals = [], [], []
    for start in range(0, n, 2048):
        sim = features[start:start + 2048] @ features.T
        sim[np.arange(sim.shape[0]), np.arange(start, start + sim.shape[0])] = -np.inf  # not its own neighbour
        idx = np.argpartition(-sim, neighbors - 1, axis=1)[:, :neighbors]
        rows.append(np.repeat(np.arange(start, start + sim.shape[0]), neighbors))
        cols.append(idx.ravel())
        vals.append(np.clip(np.take_along_axis(sim, idx, axis=1).ravel(), 0, None))
    graph = csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))
    graph = graph.maximum(graph.T)
    degree = np.asarray(graph.sum(axis=1)).ravel()
    scale = diags(1.0 / np.sqrt(degree + 1e-12))
    k = min(n_topics, n - 2)
    _, vectors = eigsh(scale @ graph @ scale, k=k, which="LA", v0=np.random.default_rng(seed).random(n))
    return KMeans(n_topics, n_init=10, random_state=seed).fit_predict(normalize(vectors))


def _seed_matrix(taxonomy: dict, *, embed, tfidf_svd, weight: float, center) -> np.ndarray:
    """Project each touchpoint's seed words into the same feature space as the documents."""
    from sklearn.preprocessing import normalize

    phrases = [" ".join(words) for words in taxonomy.values()]
    parts = []
    if embed is not None:
        vectors = embed(phrases)
        parts.append(normalize(vectors - center))
    if tfidf_svd is not None:
        tfidf, svd = tfidf_svd
        parts.append(weight * normalize(svd.transform(tfidf.transform(phrases))))
    return normalize(np.hstack(parts))


def phrase_labels(texts, topics, *, language: str = "english", phrases: int = 2, min_share: float = 0.01,
                  anchors: dict | None = None) -> dict:
    """Topic labels that read as phrases: each topic's most representative two- and three-word phrases.

    A phrase is a run of two or three words of a text that neither starts nor ends with a stop word or a
    contraction ("on hold for hours" gives "hold for hours"). A topic's phrases are scored by how many of its
    texts use them, weighted by how much more often they do than all texts (document frequency x log lift); with
    ``anchors`` a phrase must contain one of the topic's own top words. At most ``phrases`` are kept, each
    sharing no word with a better one, joined by ", " ("Late flight, hour delay").

    Parameters
    ----------
    texts : sequence of str
        The texts the topics were found on.
    topics : sequence of int
        Each text's topic.
    language : str, default "english"
        Stop words (see :func:`stop_words`).
    phrases : int, default 2
        Phrases per label at most.
    min_share : float, default 0.01
        A phrase must occur in at least this share of the topic's texts (and in at least 3).
    anchors : dict, optional
        Topic -> its top words (e.g. BERTopic's c-TF-IDF terms); a topic's phrases must contain one of them.

    Returns
    -------
    dict
        Topic -> label; topics with no phrase that frequent are left out (their caller uses the top words).

    Examples
    --------
    >>> texts = ["another late flight", "late flight and a long hour delay", "the late flight, hour delay",
    ...          "lost my bag at baggage claim", "baggage claim lost the bag", "waiting at baggage claim"]
    >>> phrase_labels(texts * 2, [0, 0, 0, 1, 1, 1] * 2)
    {0: 'Late flight, hour delay', 1: 'Baggage claim'}
    """
    import re

    from sklearn.feature_extraction.text import CountVectorizer

    stops = set(stop_words(language))

    def runs(text):
        words = re.findall(r"\b[^\W\d_][\w'-]*", str(text).casefold())  # "1st" is no word "st"
        out = []
        for n in (2, 3):
            for i in range(len(words) - n + 1):
                gram = words[i:i + n]
                if (gram[0] not in stops and gram[-1] not in stops and "'" not in gram[0] + gram[-1]
                        and len(set(gram)) == n):
                    out.append(" ".join(gram))
        return out

    topics = np.asarray(topics)
    try:
        matrix = CountVectorizer(analyzer=runs, binary=True, min_df=3).fit(texts)
    except ValueError:  # no phrase occurs three times
        return {}
    counts = matrix.transform(texts)
    vocabulary = matrix.get_feature_names_out()
    everywhere = np.asarray(counts.sum(axis=0)).ravel() / counts.shape[0]
    labels = {}
    for topic in sorted(set(topics.tolist())):
        inside = topics == topic
        frequency = np.asarray(counts[inside].sum(axis=0)).ravel()
        score = frequency * np.log(np.maximum(frequency / inside.sum(), 1e-12) / everywhere)
        score[(frequency < max(3, min_share * inside.sum())) | (score <= 0)] = -np.inf
        own = {w for term in (anchors or {}).get(topic, []) for w in str(term).casefold().split()}
        chosen, used = [], set()
        for index in np.argsort(-score, kind="stable"):
            if not np.isfinite(score[index]) or len(chosen) == phrases:
                break
            words = set(vocabulary[index].split())
            if words & used or (anchors is not None and not words & own):
                continue
            chosen.append(vocabulary[index])
            used |= words
        if chosen:
            label = ", ".join(chosen)
            labels[topic] = label[:1].upper() + label[1:]
    return labels


def fit_topics(feedback: pd.DataFrame, *, text: str = "text_clean", n_topics: int = 10, seed: int = 0,
               embedding_model="auto", language: str = "english", clustering: str = "spectral", neighbors: int = 15,
               tfidf_weight: float = 0.5, taxonomy: dict | None = None, min_similarity: float = 0.15,
               cache: bool = True, progress: bool = True) -> TopicResult:
    """Find topics in feedback with BERTopic, offline and deterministic for a fixed seed.

    Pipeline: sentence embeddings from a local model (cached on disk) are centred and joined with a TF-IDF +
    SVD view of the same texts (the words customers use). Spectral clustering (k-means on the leading
    eigenvectors of the cosine k-nearest-neighbour graph) groups them into ``n_topics`` topics, so homogeneous
    feedback does not collapse into one giant topic as with BERTopic's UMAP + HDBSCAN defaults, and no text is
    left as an outlier. Each topic is described by its c-TF-IDF words, computed as BERTopic computes them (the
    BERTopic model itself, ``result.bertopic``, is fitted only when it is used). Without a model (or
    ``embedding_model="tfidf"``) the TF-IDF + SVD view alone is clustered; ``backend`` says which was used.
    ``clustering="kmeans"`` runs plain k-means on the vectors; ``clustering="hdbscan"`` runs BERTopic's own
    UMAP + HDBSCAN followed by outlier reduction.

    A ``taxonomy`` (touchpoint -> seed words) maps topics onto touchpoints: every text gets the closest
    touchpoint (``touchpoint_guess``) and every topic the touchpoint most of its texts got; with
    ``clustering="kmeans"`` the k-means centres also start at the seed words (guided topics).

    Parameters
    ----------
    feedback : pandas.DataFrame
        Feedback with a text column (usually from :func:`clean_feedback`); not changed.
    text : str, default "text_clean"
        The text column.
    n_topics : int, default 10
        Number of topics (k-means); with a taxonomy at least one per touchpoint.
    seed : int, default 0
        Random seed (k-means, SVD, UMAP): the same seed gives the same topics.
    embedding_model : {"auto", "tfidf"} or str or Path, default "auto"
        See :func:`load_embedding_model`.
    language : {"english", "german", "both"}, default "english"
        Stop words for the TF-IDF view and the topic words.
    clustering : {"spectral", "kmeans", "hdbscan"}, default "spectral"
        ``hdbscan``: BERTopic's defaults (UMAP + HDBSCAN) followed by outlier reduction.
    neighbors : int, default 15
        Neighbours per text in the spectral clustering graph.
    tfidf_weight : float, default 0.5
        Weight of the TF-IDF view beside the embeddings (0 = embeddings only).
    taxonomy : dict, optional
        ``{touchpoint: [seed words]}``.
    min_similarity : float, default 0.15
        With a taxonomy: a text whose best touchpoint similarity is below this gets ``"other"``.
    cache : bool, default True
        Use the on-disk caches: the embeddings, and (spectral and k-means clustering) the topics themselves, keyed
        by the texts, these options and the embedding model (``$CX_CACHE_DIR/feedback/topics``); a second run on
        the same texts reads the topics back instead of computing them. ``info["cached_result"]`` says which.
    progress : bool, default True
        Progress bar while embedding.

    Returns
    -------
    TopicResult
        ``documents`` (input + ``topic``, ``topic_label``, ``topic_similarity``[, ``touchpoint_guess``]),
        ``topics`` (see :func:`topic_table`), ``backend``, ``info``, ``bertopic``.

    Examples
    --------
    >>> fb = clean_feedback(read_feedback("data/airline_tweets.csv.gz", id="tweet_id").head(300), language=False)
    >>> result = fit_topics(fb, n_topics=5, progress=False)
    >>> sorted(result.documents["topic"].unique().tolist())
    [0, 1, 2, 3, 4]
    """
    from sklearn.preprocessing import normalize

    if text not in feedback.columns:
        raise CxInputError(f"the text column {text!r} is missing; columns: {', '.join(map(str, feedback.columns))}."
                           " Run clean_feedback first or pass text='text'.", column=text)
    if clustering not in {"spectral", "kmeans", "hdbscan"}:
        raise CxInputError(f"clustering={clustering!r}; expected 'spectral', 'kmeans' or 'hdbscan'.",
                           column="clustering")
    texts = feedback[text].fillna("").astype(str).tolist()
    if len(texts) < max(3, n_topics):
        raise CxInputError(f"{len(texts)} texts are too few for {n_topics} topics.", column=text)
    seconds, info = {}, {"clustering": clustering, "seed": seed}
    if taxonomy and (not isinstance(taxonomy, dict)
                     or not all(isinstance(v, (list, tuple)) and v for v in taxonomy.values())):
        raise CxInputError("taxonomy must map each touchpoint to a non-empty list of seed words.",
                           column="taxonomy")
    folder, backend, embedding_key, _ = resolve_embedding_model(embedding_model)
    backend = (f"sentence embeddings: {backend}" if folder is not None else
               f"TF-IDF + SVD (BERTopic's scikit-learn pipeline; embedding model: {backend})")
    # Spectral and k-means topics are cached under the texts, the options and the embedding model; HDBSCAN's
    # BERTopic model is not (it cannot be rebuilt from the topics alone).
    cacheable = cache and clustering != "hdbscan"
    options = {"n_topics": n_topics, "seed": seed, "language": language, "clustering": clustering,
               "neighbors": neighbors if clustering == "spectral" else None, "tfidf_weight": tfidf_weight,
               "taxonomy": list((taxonomy or {}).items()), "embedding": embedding_key}
    key = _cache.cache_key("topics", texts, options, packages=("scikit-learn", "scipy", "numpy")) \
        if cacheable else None
    hit = _cache.load("topics", key) if cacheable else None
    if hit is not None:
        values, arrays = hit
        topics, features = arrays["topics"].astype(int), arrays["features"]
        guide = arrays.get("guide")
        words = {int(t): [tuple(pair) for pair in pairs] for t, pairs in values["words"].items()}
        info.update(values["info"], cached_result=True)
        if info.get("embedded") or info.get("cached"):  # read back: nothing was embedded in this run
            info.update(embedded=0, cached=len(texts))
        n_topics = values["n_topics"]
        bt, refit = None, _bertopic_refit(texts, features, topics, language=language)
    else:
        topics, features, guide, words, bt, refit, n_topics = _find_topics(
            texts, info=info, seconds=seconds, n_topics=n_topics, seed=seed, embedding_model=embedding_model,
            has_model=folder is not None, language=language, clustering=clustering, neighbors=neighbors,
            tfidf_weight=tfidf_weight, taxonomy=taxonomy, cache=cache, progress=progress)
        if cacheable:
            arrays = {"topics": topics.astype(np.int64), "features": features}
            if guide is not None:
                arrays["guide"] = guide
            _cache.save("topics", key, {"words": {str(t): [list(w) for w in pairs] for t, pairs in words.items()},
                                        "info": {k: v for k, v in info.items() if k not in ("clustering", "seed")},
                                        "n_topics": n_topics}, arrays)
        info["cached_result"] = False
    info["n_topics"] = len(set(topics.tolist()) - {-1})
    info["outlier_share"] = float((topics == -1).mean())

    labels_by_topic = {}
    phrases = phrase_labels(texts, topics, language=language,
                            anchors={t: [w for w, _ in (words.get(t) or [])][:10] for t in set(topics.tolist())})
    for t in sorted(set(topics.tolist())):
        top = [w for w, _ in (words.get(t) or [])][:4]
        label = phrases.get(t) or (", ".join(top) if top else f"topic {t}")
        labels_by_topic[t] = ("outliers: " if t == -1 else "") + label
    docs = feedback.copy()
    docs["topic"] = topics
    docs["topic_label"] = [labels_by_topic[t] for t in topics]
    centres = {t: normalize(features[topics == t].mean(axis=0, keepdims=True))[0] for t in set(topics.tolist())}
    docs["topic_similarity"] = np.einsum("ij,ij->i", features, np.vstack([centres[t] for t in topics]))
    if guide is not None:
        sims = features @ guide.T
        names = np.asarray(list(taxonomy), dtype=object)
        best = sims.argmax(axis=1)
        docs["touchpoint_guess"] = np.where(sims.max(axis=1) >= min_similarity, names[best], "other")
    info["seconds"] = {k: round(v, 3) for k, v in seconds.items()}
    info["documents"] = len(texts)
    table = topic_table(docs, words={t: [w for w, _ in (words.get(t) or [])][:10] for t in labels_by_topic})
    return TopicResult(documents=docs, topics=table, backend=backend, info=info, bertopic=bt, features=features,
                       _refit=refit)


def _find_topics(texts: list[str], *, info: dict, seconds: dict, n_topics: int, seed: int, embedding_model,
                 has_model: bool, language: str, clustering: str, neighbors: int, tfidf_weight: float,
                 taxonomy, cache: bool, progress: bool) -> tuple:
    """The steps of :func:`fit_topics` that its cache saves: vectors, clustering, topic words.

    Returns ``(topics, features, guide, words, bertopic, refit, n_topics)``: topic per text (numbered by size),
    the document vectors, the seed-word vectors (or None), ``{topic: [(word, weight), ...]}``, the BERTopic model
    (HDBSCAN only; else None) or the function that fits it on first use, and the number of topics asked for.
    """
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import normalize

    started = time.perf_counter()
    embeddings = None
    if has_model:
        embeddings, emb_info = embed_texts(texts, model=embedding_model, cache=cache, progress=progress)
        info.update(embedded=emb_info["computed"], cached=emb_info["cached"])
    else:
        info.update(embedded=0, cached=0)
    seconds["embed"] = time.perf_counter() - started

    started = time.perf_counter()
    parts, center, tfidf_svd = [], None, None
    if embeddings is not None:
        center = embeddings.mean(axis=0)
        parts.append(normalize(embeddings - center))
    if embeddings is None or tfidf_weight > 0:
        svd_features, tfidf_svd = _tfidf_svd(texts, language=language, dims=100, seed=seed)
        parts.append((tfidf_weight if embeddings is not None else 1.0) * svd_features)
    features = normalize(np.hstack(parts)).astype(np.float32)
    seconds["features"] = time.perf_counter() - started

    started = time.perf_counter()
    guide = None
    if taxonomy:
        embed = None if embeddings is None else (lambda ph: embed_texts(ph, model=embedding_model, cache=cache,
                                                                        progress=False)[0])
        guide = _seed_matrix(taxonomy, embed=embed, tfidf_svd=tfidf_svd if (embeddings is None or tfidf_weight > 0)
                             else None, weight=tfidf_weight if embeddings is not None else 1.0, center=center)
        n_topics = max(n_topics, len(taxonomy))
    if clustering in {"spectral", "kmeans"}:
        if clustering == "spectral":
            labels = _spectral_labels(features, n_topics, neighbors=neighbors, seed=seed)
        elif guide is not None:
            rng = np.random.default_rng(seed)
            extra = features[rng.choice(len(features), n_topics - len(guide), replace=False)]
            init = np.vstack([guide, extra]) if len(extra) else guide
            labels = KMeans(n_topics, init=init, n_init=1, random_state=seed).fit_predict(features)
        else:
            labels = KMeans(n_topics, n_init=10, random_state=seed).fit_predict(features)
        seconds["cluster"] = time.perf_counter() - started
        started = time.perf_counter()
        # BERTopic's c-TF-IDF words, computed here; the BERTopic model itself is fitted only when asked for.
        topics = _by_frequency(np.asarray(labels, dtype=int))
        words = _topic_words(texts, topics, language=language)
        bt, refit = None, _bertopic_refit(texts, features, topics, language=language)
        info["outliers_before"] = info["outliers_after"] = 0
        seconds["describe"] = time.perf_counter() - started
    else:
        from bertopic import BERTopic
        from hdbscan import HDBSCAN
        from umap import UMAP

        topic_words = _topic_vectorizer(language, len(texts))
        umap = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=seed)
        hdb = HDBSCAN(min_cluster_size=max(10, len(texts) // 200), metric="euclidean",
                      cluster_selection_method="eom", prediction_data=True)
        # BERTopic strips every non-ASCII letter from "english" texts (für -> fr); other languages keep them.
        bt = BERTopic(embedding_model=None, umap_model=umap, hdbscan_model=hdb, vectorizer_model=topic_words,
                      verbose=False, language="english" if language == "english" else "multilingual")
        topics, _ = bt.fit_transform(texts, embeddings=features)
        info["outliers_before"] = int(sum(t == -1 for t in topics))
        if info["outliers_before"] and len(set(topics)) > 1:
            topics = bt.reduce_outliers(texts, topics, strategy="embeddings", embeddings=features)
            bt.update_topics(texts, topics=topics, vectorizer_model=topic_words)
        info["outliers_after"] = int(sum(t == -1 for t in topics))
        topics = np.asarray(topics, dtype=int)
        words = {t: list(bt.get_topic(t) or []) for t in sorted(set(topics.tolist()))}
        refit = None
        seconds["cluster"] = time.perf_counter() - started
    return topics, features, guide, words, bt, refit, n_topics


def assign_topics(feedback: pd.DataFrame, *, text: str = "text_clean", n_topics: int = 10, seed: int = 0,
                  with_report: bool = False, **options) -> pd.DataFrame | tuple[pd.DataFrame, dict]:
    """Shortcut for :func:`fit_topics` that returns only the documents with their topic columns.

    It transforms the feedback table (adds the topic columns), so, like :func:`clean_feedback`, it returns the
    table and says how the topics were made only when asked (``with_report=True``); :func:`fit_topics` returns
    everything as a :class:`TopicResult`.

    Parameters
    ----------
    feedback : pandas.DataFrame
        Feedback with a text column.
    text : str, default "text_clean"
        The text column.
    n_topics : int, default 10
        Number of topics.
    seed : int, default 0
        Random seed.
    with_report : bool, default False
        Return ``(table, report)``, the report a dict with ``backend`` (str) and ``info`` (dict), as in
        :class:`TopicResult`.
    **options
        Passed to :func:`fit_topics` (``taxonomy``, ``language``, ``embedding_model``, ...).

    Returns
    -------
    pandas.DataFrame or tuple
        A copy of ``feedback`` with ``topic``, ``topic_label``, ``topic_similarity`` (and ``touchpoint_guess``
        with a taxonomy); with ``with_report``, ``(table, report)``.

    Examples
    --------
    >>> fb = clean_feedback(read_feedback("data/airline_tweets.csv.gz", id="tweet_id").head(200), language=False)
    >>> docs, report = assign_topics(fb, n_topics=4, progress=False, with_report=True)
    >>> docs["topic"].nunique(), report["info"]["n_topics"], sorted(report)
    (4, 4, ['backend', 'info'])
    """
    result = fit_topics(feedback, text=text, n_topics=n_topics, seed=seed, **options)
    if with_report:
        return result.documents, {"backend": result.backend, "info": result.info}
    return result.documents


def topic_table(documents: pd.DataFrame, *, words: dict | None = None, sentiment: str = "sentiment") -> pd.DataFrame:
    """One row per topic: label, size, share, top words and, when there is sentiment, the negative share.

    Parameters
    ----------
    documents : pandas.DataFrame
        ``TopicResult.documents`` (columns ``topic``, ``topic_label``).
    words : dict, optional
        Topic -> list of top words (from BERTopic); default: the words of the label.
    sentiment : str, default "sentiment"
        Sentiment column, used when present.

    Returns
    -------
    pandas.DataFrame
        ``topic`` (int), ``label`` (str), ``size`` (int), ``share`` (0-1), ``top_words`` (str, comma-separated),
        ``negative_share`` (0-1, NaN without sentiment), ``touchpoint`` (only with a taxonomy: the most common
        ``touchpoint_guess`` other than ``"other"`` when it covers at least 20% of the topic's texts, else
        ``"other"``), sorted by size.

    Examples
    --------
    >>> docs = pd.DataFrame({"topic": [0, 0, 1], "topic_label": ["bag, lost", "bag, lost", "delay"]})
    >>> topic_table(docs)["size"].tolist()
    [2, 1]
    """
    g = documents.groupby("topic")
    table = pd.DataFrame({"label": g["topic_label"].first(), "size": g.size()})
    table["share"] = table["size"] / table["size"].sum()
    table["top_words"] = [", ".join((words or {}).get(t, [])) or table.loc[t, "label"] for t in table.index]
    if sentiment in documents.columns:
        table["negative_share"] = g[sentiment].apply(lambda s: float((s == "negative").mean()) if s.notna().any()
                                                     else np.nan)
    else:
        table["negative_share"] = np.nan
    if "touchpoint_guess" in documents.columns:
        def pick(guesses):
            counts = guesses[guesses != "other"].value_counts()
            return counts.index[0] if len(counts) and counts.iloc[0] >= 0.2 * len(guesses) else "other"
        table["touchpoint"] = g["touchpoint_guess"].agg(pick)
    table = table.reset_index().sort_values(["size", "topic"], ascending=[False, True]).reset_index(drop=True)
    return table


def topics_by(documents: pd.DataFrame, *, by: str = "touchpoint", normalize: bool = True) -> pd.DataFrame:
    """Topics per group (touchpoint, channel, class): counts and each topic's share within the group.

    Parameters
    ----------
    documents : pandas.DataFrame
        Documents with ``topic`` and ``topic_label``.
    by : str, default "touchpoint"
        The grouping column.
    normalize : bool, default True
        Add ``share`` (of the group's texts).

    Returns
    -------
    pandas.DataFrame
        ``<by>``, ``topic``, ``topic_label``, ``count``, ``share`` (0-1 within the group).

    Examples
    --------
    >>> docs = pd.DataFrame({"topic": [0, 0, 1], "topic_label": ["a", "a", "b"], "touchpoint": ["x", "y", "y"]})
    >>> topics_by(docs)["share"].tolist()
    [1.0, 0.5, 0.5]
    """
    if by not in documents.columns:
        raise CxInputError(f"the column {by!r} is missing; columns: {', '.join(map(str, documents.columns))}.",
                           column=by)
    counts = documents.groupby([by, "topic", "topic_label"], dropna=False).size().rename("count").reset_index()
    if normalize:
        counts["share"] = counts["count"] / counts.groupby(by, dropna=False)["count"].transform("sum")
    return counts.sort_values([by, "count"], ascending=[True, False]).reset_index(drop=True)


@dataclasses.dataclass
class TopicsOverTime(Result):
    """The outcome of :func:`topics_over_time`: topic counts per period, and the texts that have no date.

    Attributes
    ----------
    counts : pandas.DataFrame
        ``period`` (Timestamp, start of the period), ``topic``, ``topic_label``, ``count``, ``share`` (0-1 of
        the period's texts).
    undated : int
        Texts without a date, in no period.

    Examples
    --------
    >>> docs = pd.DataFrame({"topic": [0, 1], "topic_label": ["a", "b"],
    ...                      "date": pd.to_datetime(["2024-01-01", None], utc=True)})
    >>> over = topics_over_time(docs, period="D")
    >>> over.counts["count"].tolist(), over.undated
    ([1], 1)
    """

    counts: pd.DataFrame
    undated: int = 0

    def parts(self) -> list:
        """The counts per period, then how many texts have no date (when any)."""
        undated = [say("Texts without a date, in no period: {n:,}.", n=self.undated)] if self.undated else []
        return [show(self.counts, caption="Topics per period"), *undated]


def topics_over_time(documents: pd.DataFrame, *, date: str = "date", period: str = "W") -> TopicsOverTime:
    """Topic counts per period (day, week, month) and each topic's share of the period's texts.

    An aggregation, so it returns a :class:`TopicsOverTime` (a :class:`cxlib.display.Result`): the counts and
    the number of undated texts as fields.

    Parameters
    ----------
    documents : pandas.DataFrame
        Documents with ``topic``, ``topic_label`` and a date column.
    date : str, default "date"
        The date column (datetime).
    period : str, default "W"
        A pandas period frequency: ``"D"``, ``"W"``, ``"M"``, ``"Q"``.

    Returns
    -------
    TopicsOverTime
        ``counts``: ``period`` (Timestamp, start of the period), ``topic``, ``topic_label``, ``count``,
        ``share`` (0-1 of the period's texts); ``undated``: rows without a date, which are left out (int).

    Examples
    --------
    >>> docs = pd.DataFrame({"topic": [0, 1], "topic_label": ["a", "b"],
    ...                      "date": pd.to_datetime(["2024-01-01", "2024-01-02"], utc=True)})
    >>> topics_over_time(docs, period="D").counts["count"].tolist()
    [1, 1]
    """
    if date not in documents.columns:
        raise CxInputError(f"the date column {date!r} is missing; load the feedback with date='...'.", column=date)
    dated = documents[documents[date].notna()]
    values = dated[date]
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_convert("UTC").dt.tz_localize(None)
    starts = values.dt.to_period(period).dt.start_time
    counts = (dated.assign(period=starts.values).groupby(["period", "topic", "topic_label"]).size()
              .rename("count").reset_index())
    counts["share"] = counts["count"] / counts.groupby("period")["count"].transform("sum")
    return TopicsOverTime(counts=counts, undated=int(len(documents) - len(dated)))


def sentiment_by_topic(documents: pd.DataFrame, *, by: str = "topic_label", sentiment: str = "sentiment"
                       ) -> pd.DataFrame:
    """Share of negative, neutral and positive texts per topic (or per any other column).

    Parameters
    ----------
    documents : pandas.DataFrame
        Documents with a sentiment column.
    by : str, default "topic_label"
        Grouping column (``touchpoint`` for sentiment by touchpoint).
    sentiment : str, default "sentiment"
        Sentiment column with negative/neutral/positive.

    Returns
    -------
    pandas.DataFrame
        ``<by>``, ``n``, ``negative``, ``neutral``, ``positive`` (shares 0-1), ``net`` (positive - negative),
        sorted from the most negative.

    Examples
    --------
    >>> docs = pd.DataFrame({"topic_label": ["a", "a", "b"], "sentiment": ["negative", "positive", "positive"]})
    >>> sentiment_by_topic(docs)["net"].tolist()
    [0.0, 1.0]
    """
    for column in (by, sentiment):
        if column not in documents.columns:
            raise CxInputError(f"the column {column!r} is missing; columns: "
                               f"{', '.join(map(str, documents.columns))}.", column=column)
    known = documents[documents[sentiment].notna()]
    shares = pd.crosstab(known[by], known[sentiment], normalize="index")
    for name in ("negative", "neutral", "positive"):
        if name not in shares.columns:
            shares[name] = 0.0
    out = shares[["negative", "neutral", "positive"]].copy()
    out.insert(0, "n", known.groupby(by).size())
    out["net"] = out["positive"] - out["negative"]
    out = out.reset_index().sort_values(["net", by]).reset_index(drop=True)
    out.columns.name = None
    return out


def representative_verbatims(result: TopicResult, *, per_topic: int = 3, text: str = "text",
                             columns=()) -> pd.DataFrame:
    """The texts closest to each topic's centre: what a topic sounds like in customers' words.

    Parameters
    ----------
    result : TopicResult
        From :func:`fit_topics`.
    per_topic : int, default 3
        Texts per topic.
    text : str, default "text"
        Column shown (``text`` is the redacted original when the feedback went through :func:`clean_feedback`).
    columns : sequence of str
        Further columns to show (e.g. ``["sentiment", "touchpoint"]``).

    Returns
    -------
    pandas.DataFrame
        ``topic``, ``topic_label``, ``rank`` (1 = most typical), ``topic_similarity``, ``id`` (when present),
        ``<text>`` and the requested ``columns``.

    Examples
    --------
    >>> fb = clean_feedback(read_feedback("data/airline_tweets.csv.gz", id="tweet_id").head(200), language=False)
    >>> len(representative_verbatims(fit_topics(fb, n_topics=4, progress=False), per_topic=2))
    8
    """
    docs = result.documents
    if text not in docs.columns:
        raise CxInputError(f"the column {text!r} is missing.", column=text)
    order = docs.sort_values(["topic", "topic_similarity"], ascending=[True, False])
    top = order.groupby("topic").head(per_topic).copy()
    top["rank"] = top.groupby("topic").cumcount() + 1
    keep = ["topic", "topic_label", "rank", "topic_similarity"] + (["id"] if "id" in docs.columns else [])
    keep += [text] + [c for c in columns if c in docs.columns and c not in keep and c != text]
    return top[keep].reset_index(drop=True)
