"""Several topics and sentiments per comment: documents split into sentences or clauses, topics per segment,
topics per document (multi-label) with a sentiment per mention; a trainable aspect model and its evaluation."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd

from .._errors import CxInputError
from ..display import Result, say, show

__all__ = [
    "AspectModel",
    "Mentions",
    "aspect_scores",
    "find_mentions",
    "parse_aspects",
    "split_segments",
]

# Words after which a period does not end a sentence (English and German; compared in lower case).
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "st", "vs", "etc", "e.g", "i.e", "approx", "no", "nr", "ca", "bzw", "z.b",
    "u.a", "usw", "d.h", "evtl", "ggf", "inkl", "vgl", "bzgl", "sog", "str", "hbf", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "sep", "sept", "oct", "okt", "nov", "dec", "dez", "min", "std", "tel", "co", "inc",
}
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+|\s*\n+\s*")
# A clause starts at a contrast word ("but", "aber", ...) or after ";", " - ", ", and" / ", und".
_CLAUSE_BREAK = re.compile(
    r"\s*;\s*|\s+[-–—]\s+|,?\s+(?=(?:but|however|although|though|whereas|while|yet|except|otherwise|aber|jedoch|"
    r"doch|sondern|obwohl|allerdings|trotzdem|dennoch|leider|außer)\b)|,\s+(?=(?:and|und)\s)",
    re.IGNORECASE)
_WORD = re.compile(r"\w+", re.UNICODE)


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        before = text[start:m.start()].rstrip()
        last = before.split()[-1].lower().rstrip(".") if before.split() else ""
        if "\n" not in m.group() and (last in _ABBREVIATIONS or re.fullmatch(r"\d{1,3}|[a-zäöü]", last)):
            continue  # "z.B. ", "Nr. 5", "3. Klasse", an initial: not the end of a sentence
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def _clause_spans(text: str, start: int, end: int, min_words: int) -> list[tuple[int, int]]:
    part = text[start:end]
    cuts, pos = [], 0
    for m in _CLAUSE_BREAK.finditer(part):
        if m.start() > pos:
            cuts.append((start + pos, start + m.start()))
        pos = m.end()
    cuts.append((start + pos, end))
    cuts = [(a, b) for a, b in cuts if text[a:b].strip()]
    merged: list[list[int]] = []
    for a, b in cuts:  # a fragment of fewer than min_words words joins the clause before it
        short = len(_WORD.findall(text[a:b])) < min_words
        if merged and (short or len(_WORD.findall(text[merged[-1][0]:merged[-1][1]])) < min_words):
            merged[-1][1] = b
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def split_segments(documents, *, text: str = "text", unit: str = "clause", min_words: int = 2) -> pd.DataFrame:
    """Split each document into sentences or clauses, with their positions in the text.

    Sentences end at ``.``, ``!``, ``?`` or ``…`` followed by white space, and at line breaks; a period after a
    common English or German abbreviation (``e.g.``, ``z.B.``, ``Nr.``), a number or a single letter does not
    end a sentence. Clauses are parts of a sentence cut before a contrast word (English *but, however, although,
    though, whereas, while, yet, except, otherwise*; German *aber, jedoch, doch, sondern, obwohl, allerdings,
    trotzdem, dennoch, leider, außer*), after ``;``, at a dash between spaces and at ``, and`` / ``, und``. A
    piece of fewer than ``min_words`` words joins its neighbour, so ``"Thanks!"`` stays with what follows it
    only when it is too short to stand alone. A document gives at least one segment when it has any text.

    Parameters
    ----------
    documents : pandas.DataFrame or pandas.Series
        Feedback documents (a table with a text column, or the texts).
    text : str, default "text"
        The text column of a table.
    unit : {"clause", "sentence"}, default "clause"
        What a segment is.
    min_words : int, default 2
        Clauses with fewer words join their neighbour (sentences are never merged).

    Returns
    -------
    pandas.DataFrame
        One row per segment, in document order: ``doc`` (the document's index label), ``segment`` (0, 1, ...
        within the document), ``start``, ``end`` (character positions in the text) and ``segment_text``.

    Examples
    --------
    >>> segs = split_segments(pd.Series(["The crew was lovely but the flight was 3 hours late. Never again!"]))
    >>> segs["segment_text"].tolist()
    ['The crew was lovely', 'but the flight was 3 hours late.', 'Never again!']
    """
    if unit not in ("clause", "sentence"):
        raise CxInputError(f"unit must be 'clause' or 'sentence', got {unit!r}", column="unit")
    if isinstance(documents, pd.DataFrame):
        if text not in documents.columns:
            raise CxInputError(f"the text column {text!r} is missing; columns: "
                               f"{', '.join(map(str, documents.columns))}", column=text)
        series = documents[text]
    else:
        series = documents if isinstance(documents, pd.Series) else pd.Series(list(documents))
    rows = []
    for doc, value in series.items():
        if not isinstance(value, str) or not value.strip():
            continue
        spans = _sentence_spans(value)
        if unit == "clause":
            spans = [c for a, b in spans for c in _clause_spans(value, a, b, min_words)]
        for i, (a, b) in enumerate(spans):
            # trim the white space at both ends of the span, keeping the positions exact
            seg = value[a:b]
            a2 = a + (len(seg) - len(seg.lstrip()))
            b2 = b - (len(seg) - len(seg.rstrip()))
            rows.append({"doc": doc, "segment": i, "start": a2, "end": b2, "segment_text": value[a2:b2]})
    return pd.DataFrame(rows, columns=["doc", "segment", "start", "end", "segment_text"])


def parse_aspects(values, *, sep: str | None = None) -> list[set]:
    """Read aspect annotations into one set of ``(category, polarity)`` pairs per document.

    Understands the GermEval notation (``"Allgemein#Haupt:neutral Zugfahrt#Haupt:negative"``: space-separated
    ``Category#Subcategory:polarity``, the subcategory dropped) and simple lists (``"staff:positive;
    delay:negative"`` with ``sep=";"``); an item without ``:polarity`` gets polarity ``None``. Lists, tuples and
    sets of such strings or pairs are taken as they are. Empty cells give an empty set.

    Parameters
    ----------
    values : sequence
        One annotation per document (text, a list of items, or missing).
    sep : str, optional
        Separator between the items of a text; default white space.

    Returns
    -------
    list of set
        One set of ``(category, polarity)`` per document.

    Examples
    --------
    >>> [sorted(s) for s in parse_aspects(["Allgemein#Haupt:neutral Zugfahrt#Haupt:negative", None, "staff:positive"])]
    [[('Allgemein', 'neutral'), ('Zugfahrt', 'negative')], [], [('staff', 'positive')]]
    """
    out = []
    for value in (values.tolist() if isinstance(values, pd.Series) else list(values)):
        items = []
        if isinstance(value, str):
            items = [v for v in (value.split(sep) if sep else value.split()) if v.strip()]
        elif isinstance(value, (list, tuple, set, frozenset)):
            items = list(value)
        pairs = set()
        for item in items:
            if isinstance(item, tuple):
                pairs.add((str(item[0]), item[1] if len(item) > 1 else None))
                continue
            item = str(item).strip()
            label, _, polarity = item.rpartition(":") if ":" in item else (item, "", None)
            pairs.add((label.split("#")[0].strip(), polarity.strip() if polarity else None))
        out.append(pairs)
    return out


def aspect_scores(gold, predicted) -> pd.DataFrame:
    """Micro precision, recall and F1 of aspect categories (GermEval subtask C1) and of category + sentiment (C2).

    Every document contributes its set of gold and predicted categories (C1) and of (category, polarity) pairs
    (C2); true positives, false positives and false negatives are summed over all documents, so a category
    predicted for a document without any is a false positive, and micro-F1 = 2 TP / (2 TP + FP + FN).

    Parameters
    ----------
    gold, predicted : sequence
        One annotation per document, in any form :func:`parse_aspects` reads (or its output).

    Returns
    -------
    pandas.DataFrame
        Two rows, ``task`` ``"category"`` (C1) and ``"category+sentiment"`` (C2), with ``documents``, ``tp``,
        ``fp``, ``fn``, ``precision``, ``recall``, ``f1``.

    Examples
    --------
    >>> s = aspect_scores(["staff:positive delay:negative"], ["staff:positive delay:positive"])
    >>> s.set_index("task")["f1"].round(3).tolist()
    [1.0, 0.5]
    """
    g2, p2 = parse_aspects(gold), parse_aspects(predicted)
    if len(g2) != len(p2):
        raise CxInputError(f"{len(g2)} gold annotations but {len(p2)} predictions", column="predicted")
    g1 = [{c for c, _ in s} for s in g2]
    p1 = [{c for c, _ in s} for s in p2]
    rows = []
    for task, gs, ps in (("category", g1, p1), ("category+sentiment", g2, p2)):
        tp = sum(len(g & p) for g, p in zip(gs, ps))
        fp = sum(len(p - g) for g, p in zip(gs, ps))
        fn = sum(len(g - p) for g, p in zip(gs, ps))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
        rows.append({"task": task, "documents": len(gs), "tp": tp, "fp": fp, "fn": fn, "precision": precision,
                     "recall": recall, "f1": f1})
    return pd.DataFrame(rows)


@dataclasses.dataclass
class Mentions(Result):
    """The outcome of :func:`find_mentions`: segments with their topics, one row per mention, and per document.

    Attributes
    ----------
    segments : pandas.DataFrame
        :func:`split_segments` with ``topics`` (the segment's topics joined with ``"; "``, empty when none) and
        ``sentiment`` (of the segment).
    mentions : pandas.DataFrame
        One row per document and topic it mentions: ``doc``, ``topic``, ``sentiment`` (of the mention: the
        label most of its segments have; on a tie the more negative one), ``segments`` (how many of the
        document's segments mention it), ``text`` (those segments joined with " | ").
    documents : pandas.DataFrame
        One row per document (index: the document's label): ``topics`` (joined with ``"; "``), ``n_topics``,
        ``topic_sentiments`` (``"topic: sentiment"`` joined with ``"; "``).
    method : str
        How topics were found: ``"taxonomy"``, ``"topics"`` or ``"model"``.
    sentiment_source : str
        What gave the sentiments.
    notes : list of str
        Counts and rules for the reader.
    """

    segments: pd.DataFrame
    mentions: pd.DataFrame
    documents: pd.DataFrame
    method: str = ""
    sentiment_source: str = ""
    notes: list = dataclasses.field(default_factory=list)

    def presence(self, *, prefix: str = "") -> pd.DataFrame:
        """One 0/1 column per topic (1 when the document mentions it), one row per document, for drivers.

        Parameters
        ----------
        prefix : str, default ""
            Put before each topic's column name (e.g. ``"topic: "``).

        Returns
        -------
        pandas.DataFrame
            Indexed like ``documents``; columns ``prefix + topic``, int 0/1.
        """
        table = pd.crosstab(self.mentions["doc"], self.mentions["topic"]).clip(upper=1)
        table = table.reindex(self.documents.index, fill_value=0).astype(int)
        table.columns = [f"{prefix}{c}" for c in table.columns]
        table.columns.name = None
        return table

    def counts(self) -> pd.DataFrame:
        """Documents mentioning each topic, with the sentiments of the mentions.

        Returns
        -------
        pandas.DataFrame
            ``topic``, ``documents``, ``share`` (of all documents, 0-1), ``negative``, ``neutral``, ``positive``
            (mentions with that sentiment), most mentioned first.
        """
        m = self.mentions
        out = m.groupby("topic").agg(documents=("doc", "nunique")).reset_index()
        out["share"] = out["documents"] / max(len(self.documents), 1)
        sentiments = pd.crosstab(m["topic"], m["sentiment"].fillna("unknown"))
        for name in ("negative", "neutral", "positive"):
            out[name] = out["topic"].map(sentiments.get(name, {})).fillna(0).astype(int)
        return out.sort_values(["documents", "topic"], ascending=[False, True]).reset_index(drop=True)

    def parts(self) -> list:
        """A sentence on the documents and mentions, the counts per topic, then example mentions."""
        n_docs = len(self.documents)
        multi = int((self.documents["n_topics"] > 1).sum())
        out = [say("{n:,} documents split into {s:,} segments; {m:,} topic mentions; {multi:,} documents "
                   "mention more than one topic. Topics: {how}; sentiment: {sent}.", n=n_docs,
                   s=len(self.segments), m=len(self.mentions), multi=multi,
                   how={"taxonomy": "seed words per segment", "topics": "topics found in the segments",
                        "model": "an aspect model per segment"}.get(self.method, self.method),
                   sent=self.sentiment_source),
               show(self.counts(), caption="Topic mentions (a document counts once per topic it mentions)",
                    precision=3)]
        out += [say("{n}", n=note) for note in self.notes]
        return out


_SENTIMENT_ORDER = {"negative": 0, "neutral": 1, "positive": 2}


def _mention_sentiment(labels: list):
    known = [label for label in labels if isinstance(label, str)]
    if not known:
        return np.nan
    counts = {label: known.count(label) for label in set(known)}
    top = max(counts.values())
    return min((label for label, k in counts.items() if k == top), key=lambda s: (_SENTIMENT_ORDER.get(s, 3), s))


def _seed_patterns(taxonomy: dict) -> dict:
    patterns = {}
    for topic, words in taxonomy.items():
        if not isinstance(words, (list, tuple)) or not words:
            raise CxInputError(f"taxonomy: topic {topic!r} needs a non-empty list of seed words", column="taxonomy")
        parts = []
        for word in words:
            word = str(word).strip().lower()
            stem = word.endswith("*")
            body = re.escape(word.rstrip("*")).replace(r"\ ", r"\s+")
            parts.append(rf"\b{body}\w*" if stem else rf"\b{body}\b")
        patterns[topic] = re.compile("|".join(parts), re.IGNORECASE)
    return patterns


def find_mentions(documents, *, text: str = "text", unit: str = "clause", taxonomy: dict | None = None,
                  model: AspectModel | None = None, n_topics: int | None = None, sentiment="vader",
                  min_words: int = 2, seed: int = 0, progress: bool = False, **topic_options) -> Mentions:
    """Several topics per document, each with its own sentiment: topics found per sentence or clause.

    Each document is split into segments (:func:`split_segments`); each segment gets its topics by one of
    three methods, and its sentiment:

    - ``taxonomy`` (``{topic: [seed words]}``, a seed ending in ``*`` matches any word starting with it): a
      segment mentions every topic one of whose seed words it contains (several per segment possible); fast,
      offline, no training;
    - ``model`` (a fitted :class:`AspectModel`): the model's categories and polarities per segment;
    - ``n_topics`` (a number): topics found in the segments with :func:`cxlib.feedback.fit_topics` (one per
      segment; ``topic_options`` are passed on, e.g. ``embedding_model``, ``language``).

    The sentiment of a segment comes from ``sentiment``: ``"vader"`` (English lexicon), a fitted
    :class:`cxlib.feedback.TextClassifier` with negative / neutral / positive classes, or None (no sentiment).
    With ``model`` its own polarity is used. A document mentions a topic when any of its segments does; the
    mention's sentiment is the label most of those segments have (a tie goes to the more negative label), so a
    comment that praises the staff and complains about the delay has two mentions with two sentiments.

    Parameters
    ----------
    documents : pandas.DataFrame or pandas.Series
        The feedback documents (their index labels identify them in the result).
    text : str, default "text"
        Text column (usually the redacted ``text`` or ``text_clean`` of :func:`clean_feedback`).
    unit : {"clause", "sentence"}, default "clause"
        Segment unit.
    taxonomy : dict, optional
        Topic -> seed words.
    model : AspectModel, optional
        A fitted aspect model.
    n_topics : int, optional
        Number of topics to find in the segments.
    sentiment : {"vader"} or TextClassifier or None, default "vader"
        Sentiment of each segment (not used with ``model``).
    min_words : int, default 2
        See :func:`split_segments`.
    seed : int, default 0
        Seed of the topic model (``n_topics``).
    progress : bool, default False
        Progress bar while embedding (``n_topics``).
    **topic_options
        Passed to :func:`cxlib.feedback.fit_topics`.

    Returns
    -------
    Mentions
        ``segments``, ``mentions`` (one row per document and topic), ``documents``; ``.presence()`` gives one
        0/1 column per topic for :func:`cxlib.scores.key_drivers`.

    Examples
    --------
    >>> docs = pd.Series(["The staff were lovely but the delay was awful.", "Lost my bag"])
    >>> found = find_mentions(docs, taxonomy={"staff": ["staff", "crew"], "delay": ["delay*", "late"],
    ...                                       "baggage": ["bag", "luggage"]})
    >>> found.mentions[["doc", "topic", "sentiment"]].values.tolist()
    [[0, 'delay', 'negative'], [0, 'staff', 'positive'], [1, 'baggage', 'negative']]
    """
    chosen = [name for name, value in (("taxonomy", taxonomy), ("model", model), ("topics", n_topics))
              if value is not None]
    if len(chosen) != 1:
        raise CxInputError("give exactly one of taxonomy=, model= or n_topics= to find the topics of segments",
                           column="taxonomy")
    method = chosen[0]
    series = documents[text] if isinstance(documents, pd.DataFrame) else (
        documents if isinstance(documents, pd.Series) else pd.Series(list(documents)))
    if isinstance(documents, pd.DataFrame) and text not in documents.columns:
        raise CxInputError(f"the text column {text!r} is missing", column=text)
    segments = split_segments(series, unit=unit, min_words=min_words)
    seg_texts = segments["segment_text"].tolist()
    topics_per_segment: list[list] = [[] for _ in seg_texts]
    sentiments = pd.Series(np.nan, index=segments.index, dtype=object)
    notes = []
    if method == "taxonomy":
        patterns = _seed_patterns(taxonomy)
        for i, seg in enumerate(seg_texts):
            topics_per_segment[i] = [t for t, pat in patterns.items() if pat.search(seg)]
    elif method == "model":
        predicted = model.predict(seg_texts) if seg_texts else []
        for i, pairs in enumerate(predicted):
            topics_per_segment[i] = sorted({c for c, _ in pairs})
        polarity = [{c: p for c, p in pairs} for pairs in predicted]
    else:
        from ._topics import fit_topics

        if len(seg_texts) < max(3, n_topics):
            raise CxInputError(f"{len(seg_texts)} segments are too few for {n_topics} topics", column="n_topics")
        found = fit_topics(pd.DataFrame({"text": seg_texts}), text="text", n_topics=n_topics, seed=seed,
                           progress=progress, **topic_options)
        labels = found.documents["topic_label"].tolist()
        topics_per_segment = [[label] for label in labels]
        notes.append(f"Topics found in the segments with fit_topics ({found.info['n_topics']} topics, seed {seed}; "
                     f"vectors: {found.backend}).")
    source = "none"
    if method == "model":
        source = "the aspect model's polarity per category"
    elif sentiment is not None and seg_texts:
        if isinstance(sentiment, str) and sentiment == "vader":
            from ._classify import vader_sentiment

            sentiments = pd.Series(vader_sentiment(seg_texts)["sentiment"].to_numpy(), index=segments.index)
            source = "VADER per segment (English lexicon)"
        elif hasattr(sentiment, "predict"):
            sentiments = pd.Series(np.asarray(sentiment.predict(seg_texts), dtype=object), index=segments.index)
            source = "the given classifier per segment"
        else:
            raise CxInputError("sentiment must be 'vader', a fitted classifier or None", column="sentiment")
    segments = segments.assign(topics=["; ".join(t) for t in topics_per_segment], sentiment=sentiments.to_numpy())
    # one pass in plain Python: per (document, topic) the sentiments, segments and texts of its mentions
    seg_docs = segments["doc"].tolist()
    seg_sent = segments["sentiment"].tolist()
    found_pairs: dict = {}
    for i, topics in enumerate(topics_per_segment):
        for topic in topics:
            label = polarity[i].get(topic) if method == "model" else seg_sent[i]
            entry = found_pairs.setdefault((seg_docs[i], topic), ([], []))
            entry[0].append(label)
            entry[1].append(seg_texts[i])
    order = {doc: k for k, doc in enumerate(series.index)}
    rows = [(doc, topic, _mention_sentiment(labels), len(texts_), " | ".join(texts_))
            for (doc, topic), (labels, texts_) in found_pairs.items()]
    rows.sort(key=lambda r: (order.get(r[0], 0), str(r[1])))
    mentions = pd.DataFrame(rows, columns=["doc", "topic", "sentiment", "segments", "text"])
    by_doc: dict = {}
    for doc, topic, label, *_ in rows:
        by_doc.setdefault(doc, []).append((str(topic), label if isinstance(label, str) else "unknown"))
    per_doc = pd.DataFrame(index=series.index)
    per_doc["topics"] = ["; ".join(t for t, _ in by_doc.get(doc, [])) for doc in series.index]
    per_doc["n_topics"] = [len(by_doc.get(doc, [])) for doc in series.index]
    per_doc["topic_sentiments"] = ["; ".join(f"{t}: {lab}" for t, lab in by_doc.get(doc, []))
                                   for doc in series.index]
    no_topic = int((per_doc["n_topics"] == 0).sum())
    if no_topic:
        notes.append(f"{no_topic:,} of {len(per_doc):,} documents mention no topic.")
    return Mentions(segments=segments, mentions=mentions, documents=per_doc, method=method,
                    sentiment_source=source, notes=notes)


class AspectModel:
    """Several categories per document, each with its polarity: one-vs-rest NB-LR detectors and a polarity model.

    The texts become binary word (1-2) and character (2-5, within words) n-grams, each document scaled to unit
    length. Each category with at least ``min_examples`` training documents gets its own detector: a logistic
    regression on the n-grams weighted by their naive-Bayes log-count ratio for the category (NB-LR, Wang &
    Manning 2012; balanced classes); a document gets every category whose probability reaches ``threshold``.
    The polarity of a (document, category) pair comes from one multinomial logistic regression trained on all
    annotated pairs, on the document's n-grams plus an indicator of the category, so the same words can lean
    differently for "general" and for "delays" (``polarity="pairs"``), or from a document-level sentiment
    model trained on the documents' own labels (``polarity="document"``, needs ``sentiments`` in :meth:`fit`).

    Parameters
    ----------
    threshold : float, default 0.35
        Probability a category needs to be predicted for a whole text.
    segment_threshold : float, default 0.9
        Probability a category needs in one segment (``predict(..., unit="clause")``): a short clause gives less
        evidence, so it must be surer. Both defaults were chosen by 3-fold cross-validation on GermEval 2017
        ``dev`` (docs/benchmarks.md).
    C : float, default 10.0
        Inverse regularisation of the category detectors.
    polarity : {"pairs", "document"}, default "pairs"
        Where the polarity comes from (see above).
    polarity_C : float, default 10.0
        Inverse regularisation of the polarity model.
    min_examples : int, default 3
        Training documents a category needs to get a detector.

    Attributes
    ----------
    categories_ : list of str
        The categories with a detector.
    polarities_ : list of str
        The polarity labels seen in training.

    Examples
    --------
    >>> texts = ["friendly helpful staff", "the staff were kind", "train late again", "awful delay again",
    ...          "nice weather", "I read a book"] * 4
    >>> aspects = [[("staff", "positive")]] * 2 + [[("delay", "negative")]] * 2 + [[]] * 2
    >>> model = AspectModel(segment_threshold=0.5).fit(texts, aspects * 4)
    >>> sorted(model.predict(["kind staff but an awful delay"], unit="clause")[0])
    [('delay', 'negative'), ('staff', 'positive')]
    >>> # GermEval 2017: AspectModel().fit(dev["text"], dev["aspects"]) on read_feedback(..., labels=["aspects"])
    """

    def __init__(self, *, threshold: float = 0.35, segment_threshold: float = 0.9, C: float = 10.0,
                 polarity: str = "pairs", polarity_C: float = 10.0, min_examples: int = 3):
        if polarity not in ("pairs", "document"):
            raise CxInputError(f"polarity must be 'pairs' or 'document', got {polarity!r}", column="polarity")
        self.threshold, self.segment_threshold, self.C, self.polarity = threshold, segment_threshold, C, polarity
        self.polarity_C, self.min_examples = polarity_C, min_examples

    def _features(self, texts, fit: bool):
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.preprocessing import normalize

        texts = ["" if not isinstance(t, str) else t for t in texts]
        if fit:
            self._vectorizers = [TfidfVectorizer(ngram_range=(1, 2), lowercase=True, dtype=np.float32),
                                 TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, lowercase=True,
                                                 dtype=np.float32)]
            raw = hstack([v.fit_transform(texts) for v in self._vectorizers]).tocsr()
        else:
            raw = hstack([v.transform(texts) for v in self._vectorizers]).tocsr()
        binary = (raw > 0).astype(np.float32)
        return binary, normalize(binary)

    @staticmethod
    def _nb_ratio(binary, inside):
        p = 1.0 + np.asarray(binary[inside].sum(axis=0)).ravel()
        q = 1.0 + np.asarray(binary[~inside].sum(axis=0)).ravel()
        return np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)

    def _pair_features(self, scaled, rows, categories):
        from scipy.sparse import csr_matrix, hstack

        index = {c: j for j, c in enumerate(self.categories_)}
        cols = [index[c] for c in categories]
        onehot = csr_matrix((np.ones(len(cols), dtype=np.float32), (np.arange(len(cols)), cols)),
                            shape=(len(cols), len(self.categories_)))
        return hstack([scaled[rows], onehot]).tocsr()

    def fit(self, texts, aspects, *, sentiments=None):
        """Train on texts and their aspect annotations (anything :func:`parse_aspects` reads).

        Parameters
        ----------
        texts : sequence of str
            Training documents.
        aspects : sequence
            One annotation per document: ``(category, polarity)`` pairs, or GermEval text.
        sentiments : sequence of str, optional
            Document sentiment labels, needed for ``polarity="document"``.

        Returns
        -------
        AspectModel
            The fitted model.
        """
        from sklearn.linear_model import LogisticRegression

        texts = list(texts)
        gold = parse_aspects(aspects)
        if len(texts) != len(gold):
            raise CxInputError(f"{len(texts)} texts but {len(gold)} annotations", column="aspects")
        counts = pd.Series([c for g in gold for c in {c for c, _ in g}]).value_counts()
        self.categories_ = sorted(counts[counts >= self.min_examples].index.tolist())
        if not self.categories_:
            raise CxInputError(f"no category has {self.min_examples} training documents", column="aspects")
        binary, scaled = self._features(texts, fit=True)
        self._detectors = []
        for cat in self.categories_:
            inside = np.array([any(c == cat for c, _ in g) for g in gold])
            ratio = self._nb_ratio(binary, inside)
            clf = LogisticRegression(C=self.C, class_weight="balanced", solver="liblinear", random_state=0)
            clf.fit(scaled.multiply(ratio).tocsr(), inside)
            self._detectors.append((ratio, clf))
        if self.polarity == "pairs":
            pairs = [(i, c, p) for i, g in enumerate(gold) for c, p in g if c in self.categories_ and p]
            labels = [p for *_, p in pairs]
            self.polarities_ = sorted(set(labels))
            self._polarity_model = None
            if len(self.polarities_) > 1:
                self._polarity_model = LogisticRegression(C=self.polarity_C, max_iter=3000)
                self._polarity_model.fit(self._pair_features(scaled, [i for i, *_ in pairs],
                                                             [c for _, c, _ in pairs]), labels)
        else:
            if sentiments is None:
                raise CxInputError("polarity='document' needs the documents' sentiments (sentiments=...)",
                                   column="sentiments")
            labels = np.asarray([str(s) for s in sentiments], dtype=object)
            self.polarities_ = sorted(set(labels))
            self._sentiment = []
            for label in self.polarities_:
                inside = labels == label
                ratio = self._nb_ratio(binary, inside)
                clf = LogisticRegression(C=10.0, class_weight="balanced", solver="liblinear", random_state=0)
                clf.fit(scaled.multiply(ratio).tocsr(), inside)
                self._sentiment.append((ratio, clf))
        return self

    def category_probabilities(self, texts) -> pd.DataFrame:
        """The probability of every category for each text.

        Parameters
        ----------
        texts : sequence of str
            Documents or segments.

        Returns
        -------
        pandas.DataFrame
            One row per text, one column per category in ``categories_``.
        """
        _, scaled = self._features(list(texts), fit=False)
        probs = np.column_stack([clf.predict_proba(scaled.multiply(ratio).tocsr())[:, 1]
                                 for ratio, clf in self._detectors])
        return pd.DataFrame(probs, columns=self.categories_)

    def predict(self, texts, *, unit: str | None = None) -> list[set]:
        """The ``(category, polarity)`` pairs of each text.

        Parameters
        ----------
        texts : sequence of str
            Documents or segments.
        unit : {None, "clause", "sentence"}, default None
            None: each text as a whole. ``"clause"`` or ``"sentence"``: each text is also split
            (:func:`split_segments`) and gets, besides its own categories, every category found in one of its
            segments, with the polarity read in those segments (most of them; a tie goes to the more negative);
            a comment that praises the staff and complains about a delay is seldom scored high enough for both
            as a whole.

        Returns
        -------
        list of set
            One set of ``(category, polarity)`` per text (empty when no category reaches the threshold).
        """
        texts = list(texts)
        whole = self._predict_texts(texts, self.threshold)
        if unit is None or not texts:
            return whole
        segments = split_segments(pd.Series(texts), unit=unit)
        found: dict = {}
        for doc, pairs in zip(segments["doc"], self._predict_texts(segments["segment_text"].tolist(),
                                                                    self.segment_threshold)):
            for category, polarity in pairs:
                found.setdefault(doc, {}).setdefault(category, []).append(polarity)
        out = []
        for i, pairs in enumerate(whole):
            by_segment = {c: _mention_sentiment(p) for c, p in found.get(i, {}).items()}
            merged = {(c, p) for c, p in pairs if c not in by_segment}
            out.append(merged | set(by_segment.items()))
        return out

    def _predict_texts(self, texts: list, threshold: float) -> list[set]:
        if not texts:
            return []
        _, scaled = self._features(texts, fit=False)
        probs = np.column_stack([clf.predict_proba(scaled.multiply(ratio).tocsr())[:, 1]
                                 for ratio, clf in self._detectors])
        chosen = [[self.categories_[j] for j in np.flatnonzero(row >= threshold)] for row in probs]
        rows = [i for i, cats in enumerate(chosen) for _ in cats]
        cats = [c for cs in chosen for c in cs]
        if not rows:
            return [set() for _ in texts]
        if self.polarity == "pairs":
            if self._polarity_model is None:
                labels = [self.polarities_[0] if self.polarities_ else None] * len(rows)
            else:
                labels = self._polarity_model.predict(self._pair_features(scaled, rows, cats))
        else:
            sent = np.column_stack([clf.predict_proba(scaled.multiply(ratio).tocsr())[:, 1]
                                    for ratio, clf in self._sentiment])
            per_text = np.asarray(self.polarities_, dtype=object)[sent.argmax(axis=1)]
            labels = per_text[rows]
        out = [set() for _ in texts]
        for i, c, label in zip(rows, cats, labels):
            out[i].add((c, str(label)))
        return out
