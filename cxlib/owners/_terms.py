"""Pain-point terms: the words that set negative feedback apart at a touchpoint, when there are no topics."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._docstrings import share_docs
from ..display import PII_KINDS
from ..display import redact as _redact
from ._critical import _readable_examples
from ._link import _need

__all__ = ["pain_terms"]

_NOT_TERMS = r"@\w+|https?://\S+|\[(?:" + "|".join(kind.upper() for kind in PII_KINDS) + r")\]"


@share_docs
def pain_terms(linked: pd.DataFrame, *, negative: pd.Series, text: str = "text", top: int = 3,
               examples: int = 2, min_count: int = 5, redact: bool = False, language: str = "english") -> pd.DataFrame:
    """The words (and two-word phrases) most over-represented in a touchpoint's negative feedback.

    For each touchpoint, the weighted log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi &
    Quinn 2008) compares term counts in its negative rows with its other rows; the prior is the term's
    frequency in all feedback with a weight of 500 pseudo-counts. Terms in fewer than ``min_count`` negative rows are skipped. Used as "top pain
    points" when the feedback has no topic column.

    Parameters
    ----------
    linked : pandas.DataFrame
        Feedback with ``touchpoint`` and a text column.
    negative : pandas.Series of bool
        Which rows are negative (aligned with ``linked``), e.g. NPS detractors.
    text : str, default "text"
        Text column.
    top : int, default 3
        Terms per touchpoint.
    examples : int, default 2
        Example verbatims per term (distinct negative ones closest to 120 characters).
    min_count : int, default 5
        Fewest negative rows a term must occur in.
    redact : bool, default False
        Redact personal data in each example verbatim (:func:`cxlib.display.redact`).
    language : str, default "english"
        Stop-word list of scikit-learn (``"english"``) or None.

    Returns
    -------
    pandas.DataFrame
        ``touchpoint``, ``rank``, ``topic`` (the term), ``count`` (negative rows containing it), ``share`` (of the
        touchpoint's negative rows, 0-1), ``z`` (the log-odds z-score), ``examples`` (joined with " | ").

    {example_airline}
    >>> from cxlib.owners import link_feedback
    >>> linked = link_feedback(tweets, model, methods=["label", "topic"], label="negativereason").linked
    >>> terms = pain_terms(linked, negative=linked["airline_sentiment"].eq("negative"), top=2)
    >>> sorted(terms["touchpoint"].unique())[:1]
    ['Airport and baggage']
    """
    from sklearn.feature_extraction.text import CountVectorizer

    _need(linked, ["touchpoint", text], "linked feedback")
    columns = ["touchpoint", "rank", "topic", "count", "share", "z", "examples"]
    has = linked["touchpoint"].notna() & linked[text].notna()
    fb = linked[has]
    neg = negative.reindex(fb.index).fillna(False).astype(bool)
    if not neg.any():
        return pd.DataFrame(columns=columns)
    # handles, links and the tags redaction leaves ([PHONE], [HANDLE], ...) are no pain point
    docs = fb[text].astype(str).str.replace(_NOT_TERMS, " ", regex=True)
    vectorizer = CountVectorizer(stop_words=language, ngram_range=(1, 2), min_df=2, binary=True,
                                 token_pattern=r"(?u)\b[^\W\d_][\w'-]+\b")
    try:
        matrix = vectorizer.fit_transform(docs)
    except ValueError:  # every document empty after stop words
        return pd.DataFrame(columns=columns)
    vocab = np.array(vectorizer.get_feature_names_out())
    if len(vocab) < 2:
        return pd.DataFrame(columns=columns)
    # informative Dirichlet prior: the term's share of all feedback, with a total weight of 500 pseudo-counts
    prior = np.asarray(matrix.sum(axis=0)).ravel() + 0.01
    alpha = prior / prior.sum() * 500.0
    alpha0 = alpha.sum()
    rows = []
    tps = fb["touchpoint"].to_numpy()
    negv = neg.to_numpy()
    for tp in pd.unique(tps):
        in_tp = tps == tp
        a_rows, b_rows = in_tp & negv, in_tp & ~negv
        if not a_rows.any():
            continue
        ya = np.asarray(matrix[a_rows].sum(axis=0)).ravel()
        yb = np.asarray(matrix[b_rows].sum(axis=0)).ravel() if b_rows.any() else np.zeros(len(vocab))
        na, nb = ya.sum(), yb.sum()
        delta = (np.log((ya + alpha) / (na + alpha0 - ya - alpha))
                 - np.log((yb + alpha) / (nb + alpha0 - yb - alpha)))
        z = delta / np.sqrt(1 / (ya + alpha) + 1 / (yb + alpha))
        z[ya < min_count] = -np.inf
        order = np.argsort(-z)
        chosen_terms = []
        for idx in order:
            if not np.isfinite(z[idx]) or z[idx] <= 0 or len(chosen_terms) >= top:
                break
            term = vocab[idx]
            if any(term in t or t in term for t in chosen_terms):
                continue  # "long hold" and "hold" say the same thing
            chosen_terms.append(term)
            contains = matrix[a_rows][:, idx].toarray().ravel() > 0
            verbatims = fb.loc[fb.index[a_rows][contains], text].astype(str).str.strip().drop_duplicates()
            picked = _readable_examples(verbatims, examples)
            if redact:
                picked = picked.map(lambda t: _redact(t)[0])
            rows.append({"touchpoint": tp, "rank": len(chosen_terms), "topic": term, "count": int(contains.sum()),
                         "share": contains.sum() / a_rows.sum(), "z": float(z[idx]),
                         "examples": " | ".join(picked)})
    return pd.DataFrame(rows, columns=columns)
