"""Topic identity across periods: the new period's topics matched to the old ones, new topics found, every text
of both periods counted against the same topics."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from .._errors import CxInputError
from ..display import Result, say, show
from ._embed import embed_texts, load_embedding_model
from ._topics import TopicResult, _tfidf_svd, fit_topics

__all__ = ["TrackedTopics", "match_topics", "track_topics"]


def _shared_vectors(texts: list[str], *, embedding_model, language: str, seed: int, cache: bool,
                    progress: bool) -> tuple[np.ndarray, str]:
    """One vector space for the texts of both periods: centred sentence embeddings (when a local model exists)
    joined with a TF-IDF + SVD view fitted on all of them, each part unit length."""
    from sklearn.preprocessing import normalize

    parts = []
    model, name, _ = load_embedding_model(embedding_model)
    if model is not None:
        emb, _ = embed_texts(texts, model=embedding_model, cache=cache, progress=progress)
        parts.append(normalize(emb - emb.mean(axis=0)))
    svd, _ = _tfidf_svd(texts, language=language, dims=100, seed=seed)
    parts.append((0.5 if parts else 1.0) * svd)
    backend = (f"sentence-transformers ({name}) + TF-IDF" if model is not None else "TF-IDF + SVD")
    return normalize(np.hstack(parts)).astype(np.float32), backend


def _centroids(vectors: np.ndarray, labels: np.ndarray) -> tuple[list, np.ndarray]:
    from sklearn.preprocessing import normalize

    names = sorted(set(labels.tolist()) - {-1})
    return names, normalize(np.vstack([vectors[labels == t].mean(axis=0) for t in names]))


def match_topics(previous: TopicResult, current: TopicResult, *, vectors_previous: np.ndarray | None = None,
                 vectors_current: np.ndarray | None = None, min_similarity: float = 0.5) -> pd.DataFrame:
    """Match the topics of a new period to those of the previous one: same topic, new topic or gone.

    Each topic is represented by the centre of its texts' vectors in one space shared by both periods (give it
    as ``vectors_previous`` / ``vectors_current``; by default each result's own features, which are comparable
    only when both fits used the same embedding model and no TF-IDF part). The pairs are chosen by the
    Hungarian algorithm on the cosine similarity of the centres (one-to-one, largest total similarity); a pair
    counts as the same topic when its similarity is at least ``min_similarity``. Current topics without a
    partner are new; previous topics without one are gone. Top words are compared too (Jaccard overlap), as a
    check a reader can follow.

    Parameters
    ----------
    previous, current : TopicResult
        :func:`fit_topics` on the previous and on the current period.
    vectors_previous, vectors_current : numpy.ndarray, optional
        One row per text of each result, in one shared space.
    min_similarity : float, default 0.5
        Cosine similarity of the centres needed to call two topics the same.

    Returns
    -------
    pandas.DataFrame
        One row per topic of either period: ``topic_previous``, ``topic_current`` (ids in each fit; NaN when
        absent), ``label_previous``, ``label_current``, ``similarity`` (of the centres; NaN for an unmatched
        topic), ``word_overlap`` (Jaccard of the top-10 words), ``status`` (``"same"``, ``"new"``,
        ``"gone"``), sorted by status and similarity.

    Examples
    --------
    >>> from sklearn.feature_extraction.text import TfidfVectorizer
    >>> fb = clean_feedback(read_feedback("data/airline_tweets.csv.gz", id="tweet_id").head(400), language=False)
    >>> a = fit_topics(fb.iloc[:200], n_topics=3, embedding_model="tfidf", progress=False)
    >>> b = fit_topics(fb.iloc[200:], n_topics=3, embedding_model="tfidf", progress=False)
    >>> shared = TfidfVectorizer().fit_transform(fb["text_clean"]).toarray()  # one space for both periods
    >>> m = match_topics(a, b, vectors_previous=shared[:200], vectors_current=shared[200:], min_similarity=0.0)
    >>> sorted(set(m["status"])), len(m)
    (['same'], 3)
    """
    from scipy.optimize import linear_sum_assignment

    vp = previous.features if vectors_previous is None else vectors_previous
    vc = current.features if vectors_current is None else vectors_current
    if vp is None or vc is None:
        raise CxInputError("the topic results carry no vectors; pass vectors_previous and vectors_current",
                           column="vectors_previous")
    if vp.shape[1] != vc.shape[1]:
        raise CxInputError("the two periods' vectors are not in one space (different widths); compute them "
                           "together (track_topics does)", column="vectors_current")
    lp = previous.documents["topic"].to_numpy()
    lc = current.documents["topic"].to_numpy()
    names_p, cen_p = _centroids(vp, lp)
    names_c, cen_c = _centroids(vc, lc)
    sim = cen_p @ cen_c.T
    rows_i, cols_j = linear_sum_assignment(-sim)
    label_p = previous.topics.set_index("topic")["label"].to_dict()
    label_c = current.topics.set_index("topic")["label"].to_dict()
    words_p = previous.topics.set_index("topic")["top_words"].to_dict()
    words_c = current.topics.set_index("topic")["top_words"].to_dict()

    def overlap(a, b):
        sa = {w.strip() for w in str(words_p.get(a, "")).split(",") if w.strip()}
        sb = {w.strip() for w in str(words_c.get(b, "")).split(",") if w.strip()}
        return len(sa & sb) / len(sa | sb) if sa | sb else 0.0

    rows, used_p, used_c = [], set(), set()
    for i, j in zip(rows_i, cols_j):
        if sim[i, j] >= min_similarity:
            a, b = names_p[i], names_c[j]
            used_p.add(a)
            used_c.add(b)
            rows.append({"topic_previous": a, "topic_current": b, "label_previous": label_p.get(a),
                         "label_current": label_c.get(b), "similarity": float(sim[i, j]),
                         "word_overlap": overlap(a, b), "status": "same"})
    for j, b in enumerate(names_c):
        if b not in used_c:
            rows.append({"topic_previous": np.nan, "topic_current": b, "label_previous": None,
                         "label_current": label_c.get(b), "similarity": float(sim[:, j].max()) if len(names_p)
                         else np.nan, "word_overlap": np.nan, "status": "new"})
    for i, a in enumerate(names_p):
        if a not in used_p:
            rows.append({"topic_previous": a, "topic_current": np.nan, "label_previous": label_p.get(a),
                         "label_current": None, "similarity": float(sim[i, :].max()) if len(names_c) else np.nan,
                         "word_overlap": np.nan, "status": "gone"})
    out = pd.DataFrame(rows, columns=["topic_previous", "topic_current", "label_previous", "label_current",
                                      "similarity", "word_overlap", "status"])
    order = {"same": 0, "new": 1, "gone": 2}
    return (out.assign(_o=out["status"].map(order)).sort_values(["_o", "similarity"], ascending=[True, False])
            .drop(columns="_o").reset_index(drop=True))


@dataclasses.dataclass
class TrackedTopics(Result):
    """The outcome of :func:`track_topics`: both periods' texts against one set of topics that keep their identity.

    Attributes
    ----------
    documents : pandas.DataFrame
        The texts of both periods with ``period`` (label), ``topic`` (the tracked topic's label),
        ``topic_similarity`` (cosine similarity to its centre).
    topics : pandas.DataFrame
        One row per tracked topic: ``topic`` (label: the previous period's label for a topic that stayed),
        ``status`` (``"same"``, ``"new"``, ``"gone"``), ``label_current`` (what the current fit called it),
        ``similarity`` (of the matched centres), ``word_overlap``, ``texts_previous``, ``texts_current``.
    matches : pandas.DataFrame
        :func:`match_topics` of the two fits.
    previous, current : str
        The period labels.
    backend : str
        The shared vector space.
    notes : list of str
        How it was done.
    """

    documents: pd.DataFrame
    topics: pd.DataFrame
    matches: pd.DataFrame
    previous: str = ""
    current: str = ""
    backend: str = ""
    notes: list = dataclasses.field(default_factory=list)

    @property
    def mentions(self) -> pd.DataFrame:
        """``doc`` and ``topic`` per text (one topic per text; several per document when the texts are
        segments), for :func:`cxlib.owners.topic_shifts`."""
        doc = self.documents["doc"] if "doc" in self.documents.columns else pd.Series(self.documents.index)
        return pd.DataFrame({"doc": doc.to_numpy(), "topic": self.documents["topic"].to_numpy()}).drop_duplicates()

    def parts(self) -> list:
        """How the topics were matched, then the tracked topics."""
        out = [say("Topics of {cur} matched to those of {prev}: {same} kept their identity, {new} are new, "
                   "{gone} are gone (vectors: {b}).", cur=self.current, prev=self.previous,
                   same=int((self.topics["status"] == "same").sum()), new=int((self.topics["status"] == "new").sum()),
                   gone=int((self.topics["status"] == "gone").sum()), b=self.backend),
               show(self.topics, caption="Tracked topics", precision=3)]
        return out + [say("{n}", n=note) for note in self.notes]


def track_topics(documents: pd.DataFrame, *, text: str = "text_clean", period: str = "period",
                 current: str | None = None, previous: str | None = None, n_topics: int = 8,
                 min_similarity: float = 0.5, embedding_model="auto", language: str = "english", seed: int = 0,
                 cache: bool = True, progress: bool = False) -> TrackedTopics:
    """Topics that keep their identity from one period to the next, and the new ones (BERTopic #1514, #1593).

    1. Topics are found separately in the previous and in the current period (:func:`fit_topics`, same seed).
    2. The current period's topics are matched to the previous period's (:func:`match_topics`, on the centres of
       their texts in one vector space fitted on both periods): a matched topic keeps the previous label;
       an unmatched current topic is **new**; an unmatched previous topic is **gone**.
    3. Every text of both periods is assigned to the nearest centre among the tracked topics (same topics kept
       at the mean of their two centres), so the counts of both periods are made by one rule: a new topic
       can have texts in the previous period too, and only a test of the counts (e.g.
       :func:`cxlib.owners.topic_shifts`) says whether it is new beyond chance.

    Parameters
    ----------
    documents : pandas.DataFrame
        Texts (documents or their segments; a ``doc`` column, when present, names each text's document) with a
        text and a period column.
    text : str, default "text_clean"
        The text column.
    period : str, default "period"
        Column with the period label of each text (e.g. ``"2018-05"``).
    current, previous : str, optional
        The periods; default the latest and the one before it.
    n_topics : int, default 8
        Topics found in each period.
    min_similarity : float, default 0.5
        See :func:`match_topics`.
    embedding_model : {"auto", "tfidf"} or str or Path, default "auto"
        See :func:`fit_topics`.
    language : {"english", "german", "both"}, default "english"
        Stop words.
    seed : int, default 0
        Seed of both fits.
    cache : bool, default True
        Use the embedding cache.
    progress : bool, default False
        Progress bar while embedding.

    Returns
    -------
    TrackedTopics
        The texts of both periods with their tracked topic, the topics with their status, and the matches.

    Examples
    --------
    >>> fb = clean_feedback(read_feedback("data/airline_tweets.csv.gz", id="tweet_id", date="tweet_created"),
    ...                     language=False)
    >>> fb = fb[fb["date"].dt.strftime("%Y-%m-%d").isin(["2015-02-17", "2015-02-18"])].head(600)
    >>> tracked = track_topics(fb.assign(day=fb["date"].dt.strftime("%Y-%m-%d")), period="day", n_topics=4,
    ...                        embedding_model="tfidf")
    >>> tracked.previous, tracked.current, sorted(set(tracked.documents["period"]))
    ('2015-02-17', '2015-02-18', ['2015-02-17', '2015-02-18'])
    """
    from sklearn.preprocessing import normalize

    for column in (text, period):
        if column not in documents.columns:
            raise CxInputError(f"the column {column!r} is missing; columns: "
                               f"{', '.join(map(str, documents.columns))}", column=column)
    labels = sorted({str(p) for p in documents[period].dropna() if str(p) not in ("", "NaT")})
    if len(labels) < 2 and previous is None:
        raise CxInputError("track_topics needs texts of at least two periods", column=period)
    current = str(current) if current else labels[-1]
    if previous is None:
        earlier = [p for p in labels if p < current]
        if not earlier:
            raise CxInputError(f"no period before {current!r}", column=period)
        previous = earlier[-1]
    previous = str(previous)
    when = documents[period].astype(str)
    both = documents[when.isin([previous, current])].copy()
    both[period] = both[period].astype(str)
    both = both[both[text].fillna("").astype(str).str.strip() != ""]
    is_prev = (both[period] == previous).to_numpy()
    for name, mask in ((previous, is_prev), (current, ~is_prev)):
        if mask.sum() < max(3, n_topics):
            raise CxInputError(f"period {name!r} has {int(mask.sum())} texts: too few for {n_topics} topics",
                               column=period)
    texts = both[text].astype(str).tolist()
    vectors, backend = _shared_vectors(texts, embedding_model=embedding_model, language=language, seed=seed,
                                       cache=cache, progress=progress)
    options = {"n_topics": n_topics, "seed": seed, "embedding_model": embedding_model, "language": language,
               "cache": cache, "progress": progress, "text": text}
    fit_prev = fit_topics(both[is_prev], **options)
    fit_cur = fit_topics(both[~is_prev], **options)
    matches = match_topics(fit_prev, fit_cur, vectors_previous=vectors[is_prev], vectors_current=vectors[~is_prev],
                           min_similarity=min_similarity)
    names_p, cen_p = _centroids(vectors[is_prev], fit_prev.documents["topic"].to_numpy())
    names_c, cen_c = _centroids(vectors[~is_prev], fit_cur.documents["topic"].to_numpy())
    pos_p = {t: k for k, t in enumerate(names_p)}
    pos_c = {t: k for k, t in enumerate(names_c)}
    tracked, centres = [], []
    for r in matches.itertuples():
        if r.status == "same":
            centre = cen_p[pos_p[r.topic_previous]] + cen_c[pos_c[r.topic_current]]
            name = r.label_previous
        elif r.status == "new":
            centre, name = cen_c[pos_c[r.topic_current]], r.label_current
        else:
            centre, name = cen_p[pos_p[r.topic_previous]], r.label_previous
        tracked.append({"topic": name, "status": r.status, "label_current": r.label_current,
                        "similarity": r.similarity, "word_overlap": r.word_overlap})
        centres.append(centre)
    centres = normalize(np.vstack(centres))
    # two tracked topics can share a label (two fits name topics by their top words): keep them apart
    seen: dict = {}
    for t in tracked:
        k = seen.get(t["topic"], 0)
        seen[t["topic"]] = k + 1
        if k:
            t["topic"] = f"{t['topic']} ({k + 1})"
    sims = vectors @ centres.T
    best = sims.argmax(axis=1)
    out = both.copy()
    out["period"] = both[period].to_numpy()
    out["topic"] = [tracked[k]["topic"] for k in best]
    out["topic_similarity"] = sims[np.arange(len(best)), best]
    table = pd.DataFrame(tracked)
    counts = out.groupby(["topic", "period"]).size().unstack(fill_value=0)
    table["texts_previous"] = table["topic"].map(counts.get(previous, pd.Series(dtype=int))).fillna(0).astype(int)
    table["texts_current"] = table["topic"].map(counts.get(current, pd.Series(dtype=int))).fillna(0).astype(int)
    notes = [(f"Topics found separately in {previous} ({int(is_prev.sum()):,} texts) and {current} "
              f"({int((~is_prev).sum()):,} texts), {n_topics} each, seed {seed}; matched when the centres' cosine "
              f"similarity is at least {min_similarity:g}; then every text assigned to the nearest tracked topic.")]
    return TrackedTopics(documents=out, topics=table, matches=matches, previous=previous, current=current,
                         backend=backend, notes=notes)
