"""Relevance and sentiment for a report: train, cross-validate, predict and say where the labels came from.

These functions hold the steps of the relevance and sentiment sections of ``notebooks/02_feedback``; they
only combine the public functions of ``_classify`` and ``_evaluate``.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from .._errors import CxInputError
from ..display import Result, say, show
from ..io import read_feedback
from . import _cache
from ._classify import (
    TextClassifier,
    _fit_predict,
    _sentiment_from_scores,
    _texts,
    cross_validate_text,
    out_of_fold_predict,
    predict_sentiment,
    vader_sentiment,
)
from ._clean import clean_feedback
from ._evaluate import classification_scores

__all__ = ["ClassificationResult", "classify_relevance", "classify_sentiment", "read_training_feedback"]

_NO_RELEVANCE = "No relevance labels in this data: every text is treated as relevant."


@dataclasses.dataclass
class ClassificationResult(Result):
    """The outcome of :func:`classify_relevance` or :func:`classify_sentiment`; ``.show()`` renders
    :meth:`display_items`.

    Attributes
    ----------
    documents : pandas.DataFrame
        A copy of the input documents with the predictions (``relevance_pred`` or ``sentiment``); after
        ``relevant_only`` only the rows kept, with a fresh index.
    target : str
        ``"relevance"`` or ``"sentiment"``.
    source : str
        Where the predictions come from, e.g. ``"classifier trained on data/germeval2017_dev.csv.gz"``,
        ``"classifier, out-of-fold predictions"``, ``"VADER (English lexicon)"``; ``""`` when relevance was
        not classified.
    cv : pandas.DataFrame or None
        :func:`cross_validate_text` table (folds and mean), when the method cross-validates.
    scores : pandas.DataFrame or None
        :func:`classification_scores` of the classifier against the gold labels.
    vader : pandas.DataFrame or None
        :func:`classification_scores` of VADER on the same texts, when it is scored beside the classifier.
    captions : dict
        ``{"cv" | "scores" | "vader": caption}`` for the tables that are set.
    rows_in, rows_kept : int
        Rows passed in and rows in ``documents`` (they differ only with ``relevant_only``).
    relevant_only : bool
        True when :func:`classify_relevance` kept only the relevant documents.
    notes : list of str
        Sentences for the reader (e.g. that no relevance labels exist).
    """

    documents: pd.DataFrame
    target: str
    source: str
    cv: pd.DataFrame | None = None
    scores: pd.DataFrame | None = None
    vader: pd.DataFrame | None = None
    captions: dict = dataclasses.field(default_factory=dict)
    rows_in: int = 0
    rows_kept: int = 0
    relevant_only: bool = False
    notes: list = dataclasses.field(default_factory=list)

    @property
    def rows_dropped(self) -> int:
        """Rows left out of ``documents`` (by ``relevant_only``)."""
        return self.rows_in - self.rows_kept

    @property
    def tables(self) -> list[tuple[str, pd.DataFrame]]:
        """``(caption, table)`` pairs in the order a report shows them: cross-validation, scores, VADER."""
        return [(self.captions[key], table) for key, table in
                (("cv", self.cv), ("scores", self.scores), ("vader", self.vader)) if table is not None]

    @property
    def shares(self) -> dict:
        """Share of each predicted sentiment among the rows that have one (``negative``, ``neutral``,
        ``positive``; 0 when absent); empty for relevance."""
        if self.target != "sentiment":
            return {}
        mix = self.documents["sentiment"].value_counts(normalize=True)
        return {name: mix.get(name, 0) for name in ("negative", "neutral", "positive")}

    def display_items(self) -> list:
        """What a notebook shows, as escaped HTML objects (:func:`cxlib.report.show` / :func:`~cxlib.report.say`):
        the tables with their captions, then the notes, the rows kept of all (after ``relevant_only``) and, for
        sentiment, the share of each label."""
        items = [show(table, caption=caption) for caption, table in self.tables]
        items += [say("{note}", note=note) for note in self.notes]
        if self.relevant_only:
            items.append(say("Keeping the <b>{k:,}</b> relevant texts of {n:,} for sentiment and topics.",
                             k=self.rows_kept, n=self.rows_in))
        if self.target == "sentiment":
            shares = self.shares
            items.append(say("Sentiment: {src}; {neg:.0%} negative, {neu:.0%} neutral, {pos:.0%} positive.",
                             src=self.source, neg=shares["negative"], neu=shares["neutral"],
                             pos=shares["positive"]))
        return items

    def parts(self) -> list:
        """What :meth:`show` renders: :meth:`display_items`."""
        return self.display_items()


def _vader_labels(texts: pd.Series, *, cache: bool) -> pd.Series:
    """VADER's labels of ``texts`` (same index), cached on disk under the texts (VADER reads a few thousand
    texts a second)."""
    values = _texts(texts)
    key = _cache.cache_key("vader", values, packages=("vadersentiment",))
    if cache and (hit := _cache.load("vader", key)) is not None:
        return pd.Series(hit[0]["labels"], index=texts.index, dtype=object)
    labels = vader_sentiment(pd.Series(values, index=texts.index))["sentiment"]
    if cache:
        _cache.save("vader", key, {"labels": labels.tolist()})
    return labels


def _require(frame: pd.DataFrame, column: str, what: str) -> None:
    if column not in frame.columns:
        raise CxInputError(f"the column {column!r} is missing in {what}; columns: "
                           f"{', '.join(map(str, frame.columns))}.", column=column)


def _train_name(train_source) -> str:
    return str(train_source) if train_source else "the training file"


def read_training_feedback(path, *, labels=None,
                           with_report: bool = False) -> pd.DataFrame | tuple[pd.DataFrame, dict]:
    """Read a labelled file to train classifiers on, cleaned like the documents but with no further rows dropped.

    :func:`read_feedback` drops what it always drops (rows without text, exact duplicate rows), counted in its
    load report (``with_report=True``). The texts then get the same ``text`` redaction and
    ``text_clean`` as in :func:`clean_feedback`, but cleaning drops no row (no de-duplication of repeated texts)
    and detects no language: the training set is the file as labelled.

    Parameters
    ----------
    path : str or Path
        Any file :func:`read_feedback` reads, e.g. ``data/germeval2017_dev.csv.gz``.
    labels : str, list of str or dict, optional
        Label columns to keep, as in :func:`read_feedback`.
    with_report : bool, default False
        Return ``(table, report)`` with the cleaning report of :func:`clean_feedback` (nothing dropped; the
        redactions per kind).

    Returns
    -------
    pandas.DataFrame or tuple
        The :func:`clean_feedback` columns plus the labels (pass the file's name as ``train_source`` to
        :func:`classify_relevance` and :func:`classify_sentiment` to have it quoted); with ``with_report``,
        ``(table, report)``.

    Examples
    --------
    >>> dev, report = read_training_feedback("data/germeval2017_dev.csv.gz", labels=["relevance", "sentiment"],
    ...                                      with_report=True)
    >>> len(dev), report["dropped"]
    (2369, {})
    """
    return clean_feedback(read_feedback(path, labels=labels), dedupe=False, drop_empty=False, language=False,
                          with_report=with_report)


def classify_relevance(documents: pd.DataFrame, *, label, text: str = "text_clean", train: pd.DataFrame | None = None,
                       train_source: str | None = None, options: dict | None = None, folds: int = 5, seed: int = 0,
                       relevant_only: bool = False, column: str = "relevance_pred", cache: bool = True,
                       progress: bool = True) -> ClassificationResult:
    """Relevance of each document: a :class:`TextClassifier`, cross-validated, scored against the gold labels.

    With ``train``, the classifier is cross-validated on ``train`` and, fitted on all of it, predicts ``documents``.
    Without, it is cross-validated on ``documents`` and every document is predicted by a model that did not see it
    (:func:`out_of_fold_predict`). Either way the predictions are scored against the gold labels of ``documents``
    (the documents that have one; the others are predicted too).
    Without a gold column in ``documents`` nothing is classified and every document counts as relevant.

    Parameters
    ----------
    documents : pandas.DataFrame
        Documents (usually from :func:`clean_feedback`); not changed.
    label : str or None
        Gold relevance column (values ``true``/``false``, any case). None, or a column ``documents`` lacks: no
        classification, a note says so.
    text : str, default "text_clean"
        The column the classifier reads (in ``documents`` and ``train``).
    train : pandas.DataFrame, optional
        Labelled training documents with ``text`` and ``label`` (e.g. from :func:`read_training_feedback`).
    train_source : str, optional
        Where ``train`` comes from (e.g. its file), quoted in the result's ``source``.
    options : dict, optional
        :class:`TextClassifier` options, e.g. ``{"nb_weighting": True, "C": 1.0}``; default its defaults.
    folds : int, default 5
        Folds of the cross-validation and of the out-of-fold predictions.
    seed : int, default 0
        Shuffle seed of the folds.
    relevant_only : bool, default False
        Keep only the relevant documents: gold ``true``, or no gold label and predicted ``true``. The counts
        kept and dropped are in the result.
    column : str, default "relevance_pred"
        Column for the predictions.
    cache : bool, default True
        Read and write the on-disk cache of the fits (keyed by texts, labels, options, folds and seed; see
        :func:`cross_validate_text`).
    progress : bool, default True
        A progress bar over the folds.

    Returns
    -------
    ClassificationResult
        ``documents`` with ``column`` (str labels), ``cv`` (on ``train`` when given, else on ``documents``), ``scores``
        (against the gold labels of ``documents``), ``rows_in``/``rows_kept``/``rows_dropped``, ``captions`` and
        ``source``. Without gold labels: ``documents`` unchanged (a copy), no tables, a note.

    Examples
    --------
    >>> dev = read_training_feedback("data/germeval2017_dev.csv.gz", labels=["relevance"])
    >>> test = clean_feedback(read_feedback("data/germeval2017_test_syn.csv.gz", labels=["relevance"]).head(150),
    ...                       language=False)
    >>> run = classify_relevance(test, label="relevance", text="text", train=dev.head(500), folds=3,
    ...                          relevant_only=True)
    >>> run.rows_kept + run.rows_dropped == run.rows_in == 150
    True
    >>> bool(run.documents["relevance"].eq("true").all())
    True
    >>> run.cv["fold"].tolist()
    ['1', '2', '3', 'mean']
    """
    n = len(documents)
    if not label or label not in documents.columns:
        note = _NO_RELEVANCE if not label else (f"No relevance column {label!r} in this data: every text is "
                                                "treated as relevant.")
        return ClassificationResult(documents=documents.copy(), target="relevance", source="", rows_in=n, rows_kept=n,
                                    notes=[note])
    _require(documents, text, "the documents")
    if train is not None:
        _require(train, text, "the training documents")
        _require(train, label, "the training documents")
    options = dict(options or {})
    out = documents.copy()
    source = train if train is not None else out
    # The cross-validation and the out-of-fold predictions share their fits (and the cache).
    cv = cross_validate_text(source[text], source[label], folds=folds, seed=seed,
                             estimator=TextClassifier(**options), cache=cache)
    if train is not None:
        out[column] = _fit_predict(_texts(train[text]), train[label].to_numpy(dtype=object),
                                   TextClassifier(**options), _texts(out[text]), cache=cache)
        how = f"classifier trained on {_train_name(train_source)}"
    else:
        out[column] = out_of_fold_predict(out[text], out[label], folds=folds, seed=seed,
                                          estimator=TextClassifier(**options), cache=cache, progress=progress)
        how = "classifier, out-of-fold predictions"
    labelled = out[label].notna()
    scores = classification_scores(out.loc[labelled, label], out.loc[labelled, column])
    captions = {"cv": f"Relevance: {folds}-fold cross-validation on "
                      f"{'the training file' if train is not None else 'this data'}",
                "scores": "Relevance classifier against the gold labels of this data"}
    if relevant_only:
        gold = out[label].astype(str).str.lower()
        predicted = out[column].astype(str).str.lower()
        keep = gold.eq("true") | (out[label].isna() & predicted.eq("true"))
        out = out[keep].reset_index(drop=True)
    return ClassificationResult(documents=out, target="relevance", source=how, cv=cv, scores=scores, captions=captions,
                                rows_in=n, rows_kept=len(out), relevant_only=bool(relevant_only))


def classify_sentiment(documents: pd.DataFrame, *, label: str | None = None, text: str = "text_clean",
                       train: pd.DataFrame | None = None, train_source: str | None = None,
                       options: dict | None = None, score_scale: str | None = None,
                       score: str = "score", folds: int = 5, seed: int = 0,
                       invalid_scores: str = "raise", cache: bool = True, progress: bool = True) -> ClassificationResult:
    """Sentiment of each document, from the best source available, scored wherever there is something to score.

    In this order:

    1. ``label`` and ``train``: a :class:`TextClassifier` fitted on ``train`` predicts ``documents``; scored against
       the gold labels of ``documents`` (where there is one).
    2. ``label``: every labelled document is predicted out of fold (``folds``-fold, stratified: by a model that
       did not see it; :func:`out_of_fold_predict`) and those predictions are scored against the gold labels,
       with VADER scored on the same documents beside it; documents without a label are predicted by a model
       trained on all labelled ones. One fit per fold: the out-of-fold predictions are the held-out figures.
    3. ``score_scale`` and a ``score`` column: labels derived from the score (:func:`score_to_sentiment`) train
       the classifier (cross-validated; out-of-fold predictions), VADER is scored against the same labels.
    4. Otherwise VADER (:func:`predict_sentiment`; English only, other languages get no sentiment).

    Parameters
    ----------
    documents : pandas.DataFrame
        Documents (usually from :func:`clean_feedback`); not changed.
    label : str, optional
        Gold sentiment column (negative/neutral/positive); must be in ``documents`` (and in ``train`` when given).
    text : str, default "text_clean"
        The column the classifier reads (in ``documents`` and ``train``).
    train : pandas.DataFrame, optional
        Labelled training documents (e.g. from :func:`read_training_feedback`); used only with ``label``.
    train_source : str, optional
        Where ``train`` comes from (e.g. its file), quoted in the result's ``source``.
    options : dict, optional
        :class:`TextClassifier` options; default its defaults.
    score_scale : str, optional
        Scale of the score column (``nps``, ``stars5``, ...; see :func:`score_to_sentiment`) for case 3.
    score : str, default "score"
        The score column.
    folds : int, default 5
        Folds of the cross-validation and of the out-of-fold predictions.
    seed : int, default 0
        Shuffle seed of the folds.
    invalid_scores : {"raise", "missing"}, default "raise"
        Case 3: scores present but not valid on ``score_scale`` (``11`` on NPS, ``"7,5"``) raise a
        :class:`cxlib.CxInputError` that counts them; ``"missing"`` treats them as rows without a score and says
        how many in ``notes``.
    cache : bool, default True
        Read and write the on-disk cache of the fits and of VADER's labels (keyed by texts, labels and options).
    progress : bool, default True
        A progress bar over the folds.

    Returns
    -------
    ClassificationResult
        ``documents`` with ``sentiment`` (and, from VADER in case 4, ``sentiment_score`` and ``sentiment_source``);
        ``source`` says which case ran; ``cv``, ``scores`` and ``vader`` hold the tables of that case (None
        otherwise); ``shares`` gives the share of each label. No row is dropped.

    Examples
    --------
    >>> tweets = clean_feedback(read_feedback("data/airline_tweets.csv.gz", id="tweet_id",
    ...                                       labels=["airline_sentiment"]).head(300), language=False)
    >>> run = classify_sentiment(tweets, label="airline_sentiment", folds=3)
    >>> run.source, list(run.captions)
    ('classifier, out-of-fold predictions', ['scores', 'vader'])
    >>> bool(run.documents["sentiment"].isin(["negative", "neutral", "positive"]).all())
    True
    >>> classify_sentiment(tweets).source
    'VADER (English lexicon)'
    """
    options = dict(options or {})
    out = documents.copy()
    if label:
        _require(documents, label, "the documents")
        _require(documents, text, "the documents")
    if label and train is not None:
        _require(train, label, "the training documents")
        _require(train, text, "the training documents")
        out["sentiment"] = _fit_predict(_texts(train[text]), train[label].to_numpy(dtype=object),
                                        TextClassifier(**options), _texts(out[text]), cache=cache)
        labelled = out[label].notna()
        return ClassificationResult(
            documents=out, target="sentiment", source=f"classifier trained on {_train_name(train_source)}",
            scores=classification_scores(out.loc[labelled, label], out.loc[labelled, "sentiment"]),
            captions={"scores": "Sentiment classifier (trained on the training file) against the gold labels"},
            rows_in=len(documents), rows_kept=len(out))
    if label:
        out["sentiment"] = out_of_fold_predict(out[text], out[label], folds=folds, seed=seed,
                                               estimator=TextClassifier(**options), cache=cache, progress=progress)
        gold = out[label]
        labelled = gold.notna() & (gold.astype(str).str.strip() != "")
        scores = classification_scores(gold[labelled], out.loc[labelled, "sentiment"])
        captions = {"scores": f"Sentiment classifier, out of fold ({folds}-fold: each text scored by a model that "
                              "did not see it)"}
        vader = None
        if set(gold[labelled].astype(str)) <= {"negative", "neutral", "positive"}:
            vader = classification_scores(gold[labelled], _vader_labels(out.loc[labelled, text], cache=cache))
            captions["vader"] = "VADER (no training) on the same texts"
        return ClassificationResult(documents=out, target="sentiment", source="classifier, out-of-fold predictions",
                                    scores=scores, vader=vader, captions=captions, rows_in=len(documents),
                                    rows_kept=len(out))
    if score_scale and score in documents.columns:
        _require(documents, text, "the documents")
        from_score, parsed = _sentiment_from_scores(out[score], score_scale, invalid_scores)
        notes = []
        if parsed.n_invalid:
            notes.append(f"{parsed.n_invalid:,} scores in {score!r} are not valid on the {score_scale} scale and "
                         f"are treated as missing: {parsed.describe()}.")
        known = from_score.notna()
        cv = cross_validate_text(out.loc[known, text], from_score.dropna(), folds=folds, seed=seed,
                                 estimator=TextClassifier(**options), cache=cache)
        out["sentiment"] = out_of_fold_predict(out[text], from_score, folds=folds, seed=seed,
                                               estimator=TextClassifier(**options), cache=cache, progress=progress)
        vader = classification_scores(from_score[known], _vader_labels(out.loc[known, text], cache=cache))
        captions = {"cv": f"Score-supervised sentiment ({score_scale} score -> label): {folds}-fold "
                          "cross-validation",
                    "vader": "VADER against the score-derived labels"}
        return ClassificationResult(documents=out, target="sentiment",
                                    source=f"learnt from the {score_scale} score, out-of-fold predictions",
                                    cv=cv, vader=vader, captions=captions, rows_in=len(documents), rows_kept=len(out),
                                    notes=notes)
    notes = [f"There is no {score!r} column to learn sentiment from on the {score_scale} scale: VADER is used."
             ] if score_scale else []
    out = predict_sentiment(out, text=text)
    return ClassificationResult(documents=out, target="sentiment", source="VADER (English lexicon)", rows_in=len(documents),
                                rows_kept=len(out), notes=notes)
