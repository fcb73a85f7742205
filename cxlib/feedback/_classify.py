"""Relevance and sentiment: a trainable TF-IDF classifier (saved without pickle), VADER, score-supervised."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin

from .._docstrings import share_docs
from .._errors import CxInputError
from ..io import parse_scores

__all__ = [
    "TextClassifier",
    "cross_validate_text",
    "fit_score_sentiment",
    "predict_sentiment",
    "score_to_sentiment",
    "vader_sentiment",
]

_FORMAT = "cxlib.feedback.TextClassifier/1"


def _texts(X) -> list[str]:
    if isinstance(X, pd.DataFrame):
        if X.shape[1] != 1:
            raise CxInputError("pass one text column (a Series or list of texts), not a table with "
                               f"{X.shape[1]} columns.")
        X = X.iloc[:, 0]
    return ["" if (v is None or (isinstance(v, float) and np.isnan(v))) else str(v) for v in list(X)]


class _NBLogistic:
    """One-vs-rest logistic regression on binarised n-grams scaled by naive-Bayes log-count ratios (NB-LR).

    Wang & Manning (2012): each class ``c`` gets the ratio ``r_c = log((p / |p|) / (q / |q|))`` of smoothed
    binary n-gram counts in and outside the class, and a binary logistic regression on ``x * r_c``. With
    ``norm="l2"`` the binary vector ``x`` of each document is scaled to unit length first, so a long document
    does not get extreme scores only because it has many n-grams (the ratios are still counted on ``x``). The
    ratio is folded into the coefficients after fitting (``coef[c] = r_c * w_c``), so only ``coef_`` and
    ``intercept_`` are kept.
    """

    def __init__(self, *, C: float, class_weight, norm: str | None = "l2", alpha: float = 1.0):
        self.C, self.class_weight, self.norm, self.alpha = C, class_weight, norm, alpha

    def _scaled(self, binary):
        from sklearn.preprocessing import normalize

        return normalize(binary, norm=self.norm) if self.norm else binary

    def fit(self, features, labels):
        from sklearn.linear_model import LogisticRegression

        binary = (features > 0).astype(np.float64).tocsr()
        scaled = self._scaled(binary)
        self.classes_ = np.unique(labels)
        coefs, intercepts, ratios = [], [], []
        for label in self.classes_:
            inside = labels == label
            p = self.alpha + np.asarray(binary[inside].sum(axis=0)).ravel()
            q = self.alpha + np.asarray(binary[~inside].sum(axis=0)).ravel()
            ratio = np.log((p / p.sum()) / (q / q.sum()))
            model = LogisticRegression(C=self.C, class_weight=self.class_weight, solver="liblinear",
                                       random_state=0, max_iter=2000)
            model.fit(scaled.multiply(ratio).tocsr(), inside)
            coefs.append(model.coef_[0] * ratio)
            intercepts.append(model.intercept_[0])
            ratios.append(ratio)
        self.ratios_ = np.vstack(ratios)  # for inspection only; not saved (folded into coef_)
        self.coef_ = np.vstack(coefs)
        self.intercept_ = np.asarray(intercepts, dtype=np.float64)
        return self

    def decision_function(self, features) -> np.ndarray:
        binary = (features > 0).astype(np.float64).tocsr()
        return np.asarray(self._scaled(binary) @ self.coef_.T) + self.intercept_

    def predict_proba(self, features) -> np.ndarray:
        # one-vs-rest: each class's own probability, normalised over the classes (as scikit-learn's OvR does)
        proba = 1.0 / (1.0 + np.exp(-self.decision_function(features)))
        return proba / proba.sum(axis=1, keepdims=True)


class TextClassifier(ClassifierMixin, BaseEstimator):
    """Word and character n-gram TF-IDF with logistic regression; scikit-learn's fit/predict interface.

    Works for any label set: sentiment (negative/neutral/positive), relevance (true/false), reasons. Saved
    with :meth:`save` as a folder holding ``model.safetensors`` (weights, IDF) and ``config.json`` (classes,
    vocabularies, options): no pickle, so loading a model file cannot run code.

    Parameters
    ----------
    word_ngrams : tuple of int, default (1, 2)
        Word n-gram range.
    char_ngrams : tuple of int or None, default (2, 5)
        Character n-gram range (within word boundaries); None for words only.
    min_df : int, default 2
        Minimum document frequency of character n-grams (words: 1).
    C : float, default 10.0
        Inverse regularisation strength of the logistic regression.
    class_weight : {"balanced", None}, default "balanced"
        Re-weight rare classes.
    max_iter : int, default 3000
        Solver iterations.
    nb_weighting : bool, default False
        NB-LR instead of one multinomial logistic regression: the n-grams are binarised and scaled per class by
        their naive-Bayes log-count ratio, then one binary logistic regression per class (one-vs-rest). The
        GermEval setting for both relevance and sentiment (with ``C=10``), chosen by 5-fold cross-validation on
        ``dev``: see docs/benchmarks.md.
    nb_norm : {"l2", None}, default "l2"
        With ``nb_weighting``: scale each document's binary n-gram vector to unit length, so that long texts
        (news articles beside tweets) do not get extreme scores from their number of n-grams alone. None is
        Wang & Manning's original (unscaled) NB-LR.
    solver : {"newton-cg", "lbfgs", "saga", ...}, default "newton-cg"
        The scikit-learn solver of the multinomial logistic regression (not NB-LR). Newton-CG reaches the same
        optimum as L-BFGS on these sparse n-grams in a few Newton steps, about three times faster on the airline
        tweets (docs/benchmarks.md); ``"lbfgs"`` was the solver before.

    Attributes
    ----------
    classes_ : numpy.ndarray
        The labels, sorted.

    Examples
    --------
    >>> dev = read_feedback("data/germeval2017_dev.csv.gz", labels=["sentiment", "relevance"])
    >>> clf = TextClassifier().fit(dev["text"], dev["sentiment"])
    >>> list(clf.classes_)
    ['negative', 'neutral', 'positive']
    >>> relevance = TextClassifier(nb_weighting=True).fit(dev["text"], dev["relevance"])
    >>> list(relevance.classes_)
    ['false', 'true']
    """

    def __init__(self, *, word_ngrams=(1, 2), char_ngrams=(2, 5), min_df: int = 2, C: float = 10.0,
                 class_weight="balanced", max_iter: int = 3000, nb_weighting: bool = False,
                 nb_norm: str | None = "l2", solver: str = "newton-cg"):
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.nb_weighting = nb_weighting
        self.nb_norm = nb_norm
        self.solver = solver

    def _vectorizers(self):
        from sklearn.feature_extraction.text import TfidfVectorizer

        vecs = [TfidfVectorizer(ngram_range=tuple(self.word_ngrams), sublinear_tf=True, lowercase=True)]
        if self.char_ngrams:
            vecs.append(TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(self.char_ngrams),
                                        sublinear_tf=True, lowercase=True, min_df=self.min_df))
        return vecs

    def _features(self, texts):
        from scipy.sparse import hstack

        return hstack([v.transform(texts) for v in self.vectorizers_]).tocsr()

    def fit(self, X, y):
        """Fit on texts ``X`` and labels ``y`` (rows with a missing label are an error)."""
        from scipy.sparse import hstack

        texts = _texts(X)
        labels = pd.Series(list(y), dtype=object)
        if len(texts) != len(labels):
            raise CxInputError(f"{len(texts)} texts but {len(labels)} labels.", column="labels")
        if labels.isna().any():
            raise CxInputError(f"{int(labels.isna().sum())} labels are missing; drop those rows first.",
                               column="labels")
        labels = labels.astype(str)
        if labels.nunique() < 2:
            raise CxInputError(f"training needs at least two classes; got {labels.unique().tolist()}.",
                               column="labels")
        self.vectorizers_ = self._vectorizers()
        features = hstack([v.fit_transform(texts) for v in self.vectorizers_]).tocsr()
        return self._fit_features(features, labels.to_numpy(dtype=object))

    def _fit_features(self, features, labels: np.ndarray):
        """Fit the linear model on ready n-gram features (the vectorizers are fitted, or not needed)."""
        from sklearn.linear_model import LogisticRegression

        if self.nb_weighting:
            self.model_ = _NBLogistic(C=self.C, class_weight=self.class_weight, norm=self.nb_norm)
        else:
            self.model_ = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter,
                                             solver=self.solver)
        self.model_.fit(features, labels)
        self.classes_ = self.model_.classes_
        return self

    def decision_function(self, X) -> np.ndarray:
        """Raw class scores, one column per class in ``classes_``."""
        return self.model_.decision_function(self._features(_texts(X)))

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, one column per class in ``classes_``."""
        return self.model_.predict_proba(self._features(_texts(X)))

    def predict(self, X) -> np.ndarray:
        """The most likely label of each text."""
        proba = self.predict_proba(X)
        return np.asarray(self.classes_, dtype=object)[proba.argmax(axis=1)]

    # ---- saving without pickle ----------------------------------------------------------------------------
    def save(self, path) -> Path:
        """Save to a folder: ``model.safetensors`` (weights, IDF) and ``config.json`` (classes, vocabularies).

        Parameters
        ----------
        path : str or Path
            The folder (created if missing).

        Returns
        -------
        pathlib.Path
            The folder.
        """
        from safetensors.numpy import save_file

        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        tensors = {"coef": np.ascontiguousarray(self.model_.coef_, dtype=np.float64),
                   "intercept": np.ascontiguousarray(self.model_.intercept_, dtype=np.float64)}
        vocabularies = []
        for i, vec in enumerate(self.vectorizers_):
            tensors[f"idf_{i}"] = np.ascontiguousarray(vec.idf_, dtype=np.float64)
            vocab = sorted(vec.vocabulary_.items(), key=lambda kv: kv[1])
            vocabularies.append([term for term, _ in vocab])
        save_file(tensors, str(folder / "model.safetensors"))
        config = {"format": _FORMAT, "params": {**self.get_params(),
                                                "word_ngrams": list(self.word_ngrams),
                                                "char_ngrams": list(self.char_ngrams) if self.char_ngrams else None},
                  "classes": [str(c) for c in self.classes_], "vocabularies": vocabularies}
        (folder / "config.json").write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
        return folder

    @classmethod
    def load(cls, path) -> TextClassifier:
        """Load a classifier saved with :meth:`save` (no pickle involved).

        Parameters
        ----------
        path : str or Path
            The folder written by :meth:`save`.

        Returns
        -------
        TextClassifier
            Ready to predict.
        """
        from safetensors.numpy import load_file
        from sklearn.linear_model import LogisticRegression

        folder = Path(path)
        cfg_file, weights = folder / "config.json", folder / "model.safetensors"
        if not cfg_file.is_file() or not weights.is_file():
            raise CxInputError("not a saved TextClassifier: config.json and model.safetensors are expected in "
                               "this folder.", path=folder)
        config = json.loads(cfg_file.read_text(encoding="utf-8"))
        if config.get("format") != _FORMAT:
            raise CxInputError(f"unknown model format {config.get('format')!r}; expected {_FORMAT}.", path=folder)
        tensors = load_file(str(weights))
        params = dict(config["params"])
        params.setdefault("nb_norm", None)  # models saved before the option existed were not normalised
        params["word_ngrams"] = tuple(params["word_ngrams"])
        params["char_ngrams"] = tuple(params["char_ngrams"]) if params["char_ngrams"] else None
        clf = cls(**params)
        clf.vectorizers_ = clf._vectorizers()
        for i, (vec, vocab) in enumerate(zip(clf.vectorizers_, config["vocabularies"])):
            vec.vocabulary_ = {term: j for j, term in enumerate(vocab)}
            vec.fixed_vocabulary_ = True
            vec.idf_ = tensors[f"idf_{i}"]
        if clf.nb_weighting:
            model = _NBLogistic(C=clf.C, class_weight=clf.class_weight, norm=clf.nb_norm)
        else:
            model = LogisticRegression(C=clf.C, class_weight=clf.class_weight, max_iter=clf.max_iter)
            model.n_features_in_ = tensors["coef"].shape[1]
        model.classes_ = np.asarray(config["classes"], dtype=object)
        model.coef_ = tensors["coef"]
        model.intercept_ = tensors["intercept"]
        clf.model_ = model
        clf.classes_ = model.classes_
        return clf


class _NgramCounts:
    """The n-gram counts of all texts, counted once; each fold's TF-IDF features are cut from them.

    A :class:`TextClassifier` fitted on a fold's training texts keeps, per vectorizer, the n-grams whose
    document frequency there reaches ``min_df``, in alphabetical order, with IDF weights from those texts.
    Counting every text once with the same analyzer and no frequency limit, then keeping per fold the columns
    that pass on its training rows and weighting them as ``TfidfVectorizer`` does, gives the same features
    (tests/test_feedback_speed.py checks it) for one pass over the texts instead of one per fold.
    """

    def __init__(self, estimator: TextClassifier, texts: list[str]):
        from sklearn.feature_extraction.text import CountVectorizer

        counting = set(CountVectorizer().get_params())
        self.parts = []
        for vec in estimator._vectorizers():
            params = {k: v for k, v in vec.get_params().items() if k in counting}
            min_df = params["min_df"]
            params.update(min_df=1, max_df=1.0, max_features=None)
            counts = CountVectorizer(**params).fit_transform(texts).tocsr()
            counts.sort_indices()
            self.parts.append((counts, min_df, vec))

    def features(self, train: np.ndarray, test: np.ndarray):
        """``(train_features, test_features)`` as a vectorizer fitted on the ``train`` rows would give them."""
        from scipy.sparse import hstack
        from sklearn.preprocessing import normalize

        out_train, out_test = [], []
        for counts, min_df, vec in self.parts:
            rows = counts[train]
            n = rows.shape[0]
            df = np.bincount(rows.indices, minlength=counts.shape[1])
            least = min_df if isinstance(min_df, (int, np.integer)) else int(np.ceil(min_df * n))
            keep = np.flatnonzero(df >= max(least, 1))
            idf = None
            if vec.use_idf:
                smooth = float(vec.smooth_idf)
                idf = np.log((n + int(vec.smooth_idf)) / (df[keep].astype(np.float64) + smooth)) + 1.0
            for part, out in ((rows, out_train), (counts[test], out_test)):
                x = part[:, keep].astype(np.float64)
                if vec.sublinear_tf:
                    np.log(x.data, x.data)
                    x.data += 1.0
                if idf is not None:
                    x.data *= idf[x.indices]
                out.append(normalize(x, norm=vec.norm, copy=False) if vec.norm else x)
        return hstack(out_train).tocsr(), hstack(out_test).tocsr()


def _fold_of(y: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """The test fold (0-based) of each row under stratified k-fold with shuffling."""
    from sklearn.model_selection import StratifiedKFold

    fold = np.empty(len(y), dtype=int)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for i, (_, test) in enumerate(splitter.split(np.zeros(len(y)), y)):
        fold[test] = i
    return fold


def _estimator_key(estimator) -> object:
    return {"class": f"{type(estimator).__module__}.{type(estimator).__qualname__}",
            "params": estimator.get_params(deep=True)}


def _cross_fit(texts: list[str], y: np.ndarray, estimator, *, folds: int, seed: int, cache: bool,
               progress: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold predictions and the fold of each row: one model per fold, each predicting the rows it did not
    see. Both :func:`cross_validate_text` and :func:`out_of_fold_predict` read it, so on the same texts, labels,
    options, folds and seed they share the fits; the result is cached on disk under those inputs."""
    from sklearn.base import clone
    from tqdm.auto import tqdm

    from . import _cache

    key = _cache.cache_key("cross-fit", texts, [str(v) for v in y], _estimator_key(estimator), folds, seed,
                           packages=("scikit-learn", "scipy", "numpy"))
    if cache and (hit := _cache.load("cross-fit", key)) is not None:
        values, _ = hit
        return np.asarray(values["pred"], dtype=object), np.asarray(values["fold"], dtype=int)
    fold = _fold_of(y, folds, seed)
    pred = np.empty(len(y), dtype=object)
    counts = _NgramCounts(estimator, texts) if type(estimator) is TextClassifier else None
    for i in tqdm(range(folds), desc="cross-fitting", unit="fold", disable=not progress):
        train, test = np.flatnonzero(fold != i), np.flatnonzero(fold == i)
        model = clone(estimator)
        if counts is not None:
            train_features, test_features = counts.features(train, test)
            model._fit_features(train_features, y[train])
            proba = model.model_.predict_proba(test_features)
            pred[test] = np.asarray(model.classes_, dtype=object)[proba.argmax(axis=1)]
        else:
            model.fit([texts[j] for j in train], y[train])
            pred[test] = model.predict([texts[j] for j in test])
    if cache:
        _cache.save("cross-fit", key, {"pred": [str(v) for v in pred], "fold": fold.tolist()})
    return pred, fold


def _fit_predict(train_texts: list[str], train_labels: np.ndarray, estimator, texts: list[str], *,
                 cache: bool) -> np.ndarray:
    """Fit ``estimator`` on the training texts and predict ``texts``; cached on disk under all of them."""
    from sklearn.base import clone

    from . import _cache

    key = _cache.cache_key("fit-predict", train_texts, [str(v) for v in train_labels], _estimator_key(estimator),
                           texts, packages=("scikit-learn", "scipy", "numpy"))
    if cache and (hit := _cache.load("fit-predict", key)) is not None:
        return np.asarray(hit[0]["pred"], dtype=object)
    pred = np.asarray(clone(estimator).fit(train_texts, train_labels).predict(texts), dtype=object)
    if cache:
        _cache.save("fit-predict", key, {"pred": [str(v) for v in pred]})
    return pred


@share_docs
def cross_validate_text(texts, labels, *, estimator=None, folds: int = 5, seed: int = 0,
                        cache: bool = True) -> pd.DataFrame:
    """Stratified k-fold cross-validation of a text classifier: micro-F1, macro-F1 and accuracy per fold.

    The fits are shared with :func:`out_of_fold_predict` (the same texts, labels, options, folds and seed give
    the same folds) and cached on disk (``$CX_CACHE_DIR/feedback``), keyed by all of them: a second call costs
    no fit.

    Parameters
    ----------
    texts : sequence of str
        The texts.
    labels : sequence
        Gold labels.
    {estimator}
    {folds_seed}
    cache : bool, default True
        Read and write the on-disk cache.

    Returns
    -------
    pandas.DataFrame
        One row per fold and a final ``mean`` row: ``fold``, ``n_train``, ``n_test``, ``accuracy``,
        ``micro_f1``, ``macro_f1``.

    Examples
    --------
    >>> dev = read_feedback("data/germeval2017_dev.csv.gz", labels=["relevance"])
    >>> cv = cross_validate_text(dev["text"], dev["relevance"], folds=3)
    >>> list(cv["fold"])
    ['1', '2', '3', 'mean']
    """
    from sklearn.metrics import accuracy_score, f1_score

    texts = _texts(texts)
    y = pd.Series(list(labels), dtype=object).astype(str).to_numpy(dtype=object)
    estimator = estimator if estimator is not None else TextClassifier()
    pred, fold = _cross_fit(texts, y, estimator, folds=folds, seed=seed, cache=cache)
    rows = []
    for i in range(folds):
        test = fold == i
        rows.append({"fold": str(i + 1), "n_train": int((~test).sum()), "n_test": int(test.sum()),
                     "accuracy": accuracy_score(y[test], pred[test]),
                     "micro_f1": f1_score(y[test], pred[test], average="micro"),
                     "macro_f1": f1_score(y[test], pred[test], average="macro")})
    out = pd.DataFrame(rows)
    mean = {"fold": "mean", "n_train": int(out["n_train"].mean()), "n_test": int(out["n_test"].mean()),
            **{c: out[c].mean() for c in ("accuracy", "micro_f1", "macro_f1")}}
    return pd.concat([out, pd.DataFrame([mean])], ignore_index=True)


@share_docs
def out_of_fold_predict(texts, labels, *, estimator=None, folds: int = 5, seed: int = 0, cache: bool = True,
                        progress: bool = False) -> pd.Series:
    """Predict every labelled text with a model that did not see it (k-fold), e.g. sentiment for all rows.

    The fits are shared with :func:`cross_validate_text` and cached on disk, keyed by texts, labels, options,
    folds and seed. For a :class:`TextClassifier` the n-grams are counted once and each fold's TF-IDF features
    cut from those counts, which gives the same features as fitting the vectorizers per fold.

    Parameters
    ----------
    texts : sequence of str or pandas.Series
        The texts.
    labels : sequence or pandas.Series
        Gold labels; rows with a missing label are predicted by a model trained on all labelled rows.
    {estimator}
    {folds_seed}
    cache : bool, default True
        Read and write the on-disk cache.
    progress : bool, default False
        A progress bar over the folds.

    Returns
    -------
    pandas.Series
        The predicted label per text; same index as ``texts`` when it is a Series.

    Examples
    --------
    >>> dev = read_feedback("data/germeval2017_dev.csv.gz", labels=["relevance"])
    >>> out_of_fold_predict(dev["text"], dev["relevance"], folds=3).isin(["true", "false"]).all()
    np.True_
    """
    index = texts.index if isinstance(texts, pd.Series) else pd.RangeIndex(len(list(texts)))
    texts = _texts(texts)
    y = pd.Series(list(labels), dtype=object)
    known = (y.notna() & (y.astype(str).str.strip() != "")).to_numpy()
    y_known = y[known].astype(str).to_numpy(dtype=object)
    known_idx = np.flatnonzero(known)
    estimator = estimator if estimator is not None else TextClassifier()
    pred = np.empty(len(texts), dtype=object)
    pred[known_idx], _ = _cross_fit([texts[i] for i in known_idx], y_known, estimator, folds=folds, seed=seed,
                                    cache=cache, progress=progress)
    if (~known).any():
        pred[~known] = _fit_predict([texts[i] for i in known_idx], y_known, estimator,
                                    [texts[i] for i in np.flatnonzero(~known)], cache=cache)
    return pd.Series(pred, index=index, dtype=object)


@share_docs
def holdout_evaluate(texts, labels, *, estimator=None, test_size: float = 0.2, seed: int = 42):
    """Train on a stratified part, score on the rest: the documented split behind ``airline_sentiment_acc``.

    Parameters
    ----------
    texts : sequence of str
        The texts.
    labels : sequence
        Gold labels (no missing values).
    {estimator}
    test_size : float, default 0.2
        Share held out.
    seed : int, default 42
        Split seed.

    Returns
    -------
    tuple
        ``(scores, vader_scores, model)``: :func:`cxlib.feedback.classification_scores` tables of the classifier
        and of VADER on the held-out texts (VADER only for negative/neutral/positive labels, else None), and
        the fitted model.

    Examples
    --------
    >>> fb = clean_feedback(read_feedback("data/airline_tweets.csv.gz", id="tweet_id",
    ...                                   labels=["airline_sentiment"]), language=False)
    >>> scores, vader, _ = holdout_evaluate(fb["text_clean"], fb["airline_sentiment"])
    >>> scores.set_index("label").loc["micro avg", "f1"] > 0.7
    np.True_
    """
    from sklearn.base import clone
    from sklearn.model_selection import train_test_split

    from ._evaluate import classification_scores

    texts = _texts(texts)
    y = pd.Series(list(labels), dtype=object).astype(str).to_numpy(dtype=object)
    idx_train, idx_test = train_test_split(np.arange(len(y)), test_size=test_size, random_state=seed, stratify=y)
    model = clone(estimator if estimator is not None else TextClassifier())
    model.fit([texts[i] for i in idx_train], y[idx_train])
    held = [texts[i] for i in idx_test]
    scores = classification_scores(y[idx_test], model.predict(held))
    vader = None
    if set(y) <= {"negative", "neutral", "positive"}:
        vader = classification_scores(y[idx_test], vader_sentiment(held)["sentiment"])
    return scores, vader, model


_VADER = None


def vader_sentiment(texts, *, threshold: float = 0.05) -> pd.DataFrame:
    """English lexicon sentiment with VADER (no training, no download).

    Parameters
    ----------
    texts : sequence of str or pandas.Series
        English texts (cleaned or raw: VADER reads emoticons, capitals and "!!!").
    threshold : float, default 0.05
        ``compound >= threshold`` is positive, ``<= -threshold`` negative, otherwise neutral (VADER's convention).

    Returns
    -------
    pandas.DataFrame
        Same index as ``texts``: ``sentiment`` (negative/neutral/positive) and ``sentiment_score`` (VADER
        compound, -1 to 1).

    Examples
    --------
    >>> vader_sentiment(["I love this airline", "worst delay ever"])["sentiment"].tolist()
    ['positive', 'negative']
    """
    global _VADER
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    if _VADER is None:
        _VADER = SentimentIntensityAnalyzer()
    series = texts if isinstance(texts, pd.Series) else pd.Series(list(texts))
    compound = np.array([_VADER.polarity_scores(t)["compound"] if isinstance(t, str) else 0.0
                         for t in series.tolist()])
    label = np.where(compound >= threshold, "positive", np.where(compound <= -threshold, "negative", "neutral"))
    return pd.DataFrame({"sentiment": label.astype(object), "sentiment_score": compound}, index=series.index)


_SCALES = {"nps": ((0, 6), (7, 8), (9, 10)), "stars5": ((1, 2), (3, 3), (4, 5)), "csat5": ((1, 2), (3, 3), (4, 5)),
           "stars10": ((1, 4), (5, 6), (7, 10))}


def _scale_range(scale: str) -> tuple[int, int]:
    bands = _SCALES[scale]
    return bands[0][0], bands[-1][1]


def _sentiment_from_scores(scores, scale: str, invalid: str):
    """Labels and the parsed scores behind them (see :func:`score_to_sentiment`)."""
    if scale not in _SCALES:
        raise CxInputError(f"unknown scale {scale!r}; expected one of {', '.join(_SCALES)}.", column="score")
    if invalid not in ("raise", "missing"):
        raise CxInputError(f"invalid must be 'raise' or 'missing', got {invalid!r}.", column="score")
    series = scores if isinstance(scores, pd.Series) else pd.Series(list(scores), dtype=object)
    column = str(series.name) if series.name is not None else "score"
    low, high = _scale_range(scale)
    parsed = parse_scores(series, scale=(low, high), integer=True, column=column)
    if invalid == "raise" and parsed.n_invalid:
        raise CxInputError(
            f"{parsed.n_invalid:,} of {len(series):,} scores are not valid on the {scale} scale (whole numbers "
            f"from {low} to {high}): {parsed.describe()}. List them with cxlib.scores.check_scores(df, "
            f"score={column!r}, scale=({low}, {high})), fix them, or pass invalid='missing' to treat them as "
            "missing.", column=column)
    values = parsed.values
    out = pd.Series(np.nan, index=series.index, dtype=object)
    for name, (lo, hi) in zip(("negative", "neutral", "positive"), _SCALES[scale]):
        out[(values >= lo) & (values <= hi)] = name
    return out, parsed


def score_to_sentiment(scores, *, scale: str = "nps", invalid: str = "raise") -> pd.Series:
    """Turn scores into sentiment labels: NPS 0-6/7-8/9-10, 5 stars 1-2/3/4-5 -> negative/neutral/positive.

    Scores are read with the score rule shared with ``cxlib.scores`` (:func:`cxlib.io.parse_scores`): a
    valid score is a whole number on the scale (``9``, ``"9"``, ``9.0``). A missing score (empty, None, NaN)
    gives NaN. A score that is there but not valid (``11`` or ``-1`` on NPS, ``7.5``, ``"7,5"``, ``"seven"``)
    raises, counting them, unless ``invalid="missing"`` says to treat them as missing.

    Parameters
    ----------
    scores : sequence of numbers or text, or pandas.Series
        The raw scores.
    scale : {"nps", "stars5", "csat5", "stars10"}, default "nps"
        The score scale: 0-10, 1-5, 1-5, 1-10.
    invalid : {"raise", "missing"}, default "raise"
        What to do with scores that are present but not valid on the scale: raise, or give NaN like a missing
        score (count them first with :func:`cxlib.scores.check_scores`).

    Returns
    -------
    pandas.Series
        ``negative``, ``neutral``, ``positive`` or NaN; same index as ``scores``.

    Raises
    ------
    cxlib.CxInputError
        For an unknown ``scale`` or ``invalid`` option, or (with ``invalid="raise"``) when some scores are not
        valid on the scale; the message counts them by problem and shows examples.

    Examples
    --------
    >>> score_to_sentiment([0, 7, 10, None]).tolist()
    ['negative', 'neutral', 'positive', nan]
    >>> score_to_sentiment(["9", 11, "7,5"], invalid="missing").tolist()
    ['positive', nan, nan]
    """
    return _sentiment_from_scores(scores, scale, invalid)[0]


@share_docs
def fit_score_sentiment(feedback: pd.DataFrame, *, text: str = "text_clean", score: str = "score",
                        scale: str = "nps", estimator=None, invalid: str = "raise"):
    """Learn sentiment from the scores that come with the feedback (score-supervised sentiment).

    Rows with a score become training examples labelled by :func:`score_to_sentiment`; the classifier then
    reads sentiment from text alone (e.g. for feedback without a score, or to find comments that contradict
    their score).

    Parameters
    ----------
    feedback : pandas.DataFrame
        Feedback with a text and a score column.
    text, score : str
        Column names.
    scale : str, default "nps"
        See :func:`score_to_sentiment`.
    {estimator}
    invalid : {"raise", "missing"}, default "raise"
        Scores that are present but not valid on the scale (``11`` on NPS, ``"7,5"``): raise (the default, see
        :func:`score_to_sentiment`) or skip them like rows without a score.

    Returns
    -------
    TextClassifier
        The fitted classifier; ``n_training_rows_``, ``n_skipped_rows_`` (rows without a usable score or text)
        and ``n_invalid_scores_`` (of those, rows whose score is present but not valid) are set on it.

    Examples
    --------
    >>> fb = read_feedback("data/airline_tweets.csv.gz", id="tweet_id", score="airline_sentiment_confidence",
    ...                    score_integer=False)
    >>> fb["stars"] = (fb["score"] * 5).round().clip(1, 5)
    >>> clf = fit_score_sentiment(fb, text="text", score="stars", scale="stars5")
    >>> clf.n_training_rows_ > 10000
    True
    """
    for column in (text, score):
        if column not in feedback.columns:
            raise CxInputError(f"the column {column!r} is missing; columns: "
                               f"{', '.join(map(str, feedback.columns))}.", column=column)
    labels, parsed = _sentiment_from_scores(feedback[score], scale, invalid)
    usable = labels.notna() & feedback[text].notna()
    if usable.sum() < 10:
        raise CxInputError(f"only {int(usable.sum())} rows have a score on the {scale} scale; too few to learn "
                           "sentiment from.", column=score)
    model = (estimator if estimator is not None else TextClassifier())
    model.fit(feedback.loc[usable, text], labels[usable])
    model.n_training_rows_ = int(usable.sum())
    model.n_skipped_rows_ = int((~usable).sum())
    model.n_invalid_scores_ = parsed.n_invalid
    return model


def predict_sentiment(feedback: pd.DataFrame, *, text: str = "text_clean", model=None) -> pd.DataFrame:
    """Sentiment per row: a trained classifier when given, otherwise VADER (English).

    Parameters
    ----------
    feedback : pandas.DataFrame
        Feedback with a text column (usually from :func:`clean_feedback`); it is not changed.
    text : str, default "text_clean"
        The text column.
    model : TextClassifier, str or Path, optional
        A fitted classifier or the folder of a saved one. Without it, VADER is used; VADER only knows English,
        so rows whose ``language`` is not ``en`` get NaN.

    Returns
    -------
    pandas.DataFrame
        A copy of ``feedback`` with ``sentiment`` (label), ``sentiment_score`` (float: VADER compound, or the
        classifier's P(positive) - P(negative) when it has those classes, else the top probability) and
        ``sentiment_source`` (``"vader"`` or ``"classifier"``).

    Examples
    --------
    >>> fb = clean_feedback(read_feedback("data/airline_tweets.csv.gz", id="tweet_id"), language=False)
    >>> sorted(predict_sentiment(fb)["sentiment"].unique())
    ['negative', 'neutral', 'positive']
    """
    if text not in feedback.columns:
        raise CxInputError(f"the text column {text!r} is missing; columns: {', '.join(map(str, feedback.columns))}."
                           " Run clean_feedback first or pass text='text'.", column=text)
    out = feedback.copy()
    if model is None:
        scored = vader_sentiment(out[text])
        if "language" in out.columns:
            not_en = out["language"].notna() & (out["language"] != "en")
            scored.loc[not_en, "sentiment"] = np.nan
            scored.loc[not_en, "sentiment_score"] = np.nan
        out["sentiment"] = scored["sentiment"]
        out["sentiment_score"] = scored["sentiment_score"]
        out["sentiment_source"] = "vader"
        return out
    if isinstance(model, (str, Path)):
        model = TextClassifier.load(model)
    proba = model.predict_proba(out[text])
    classes = [str(c) for c in model.classes_]
    out["sentiment"] = np.asarray(classes, dtype=object)[proba.argmax(axis=1)]
    if "positive" in classes and "negative" in classes:
        out["sentiment_score"] = proba[:, classes.index("positive")] - proba[:, classes.index("negative")]
    else:
        out["sentiment_score"] = proba.max(axis=1)
    out["sentiment_source"] = "classifier"
    return out
