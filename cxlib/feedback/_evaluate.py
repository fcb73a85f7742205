"""Evaluation against gold labels: topics (NMI, ARI, purity) and classifiers (micro-F1, per class)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from .._errors import CxInputError
from ..display import Result, say, show

__all__ = ["TopicAgreement", "classification_scores", "purity", "topic_agreement"]


@dataclasses.dataclass
class TopicAgreement(Result):
    """The outcome of :func:`topic_agreement`: agreement per subset, and the texts left out for want of a label.

    Attributes
    ----------
    agreement : pandas.DataFrame
        One row per subset: ``subset`` (``all`` or ``without <class>``), ``n`` (texts), ``classes``,
        ``topics``, ``nmi``, ``ari``, ``purity``.
    unlabelled : int
        Texts whose gold label is missing or blank; they are in no row.

    Examples
    --------
    >>> result = topic_agreement(["a", "a", "b", None], [0, 0, 1, 1], dominant=None)
    >>> result.agreement["n"].tolist(), result.unlabelled
    ([3], 1)
    >>> "without a gold label, left out of the agreement: 1." in result.show()._repr_html_()
    True
    """

    agreement: pd.DataFrame
    unlabelled: int = 0

    def parts(self) -> list:
        """The agreement table, then how many texts had no gold label (when any)."""
        out = [show(self.agreement, caption="Topics against the gold labels")]
        if self.unlabelled:
            out.append(say("Texts without a gold label, left out of the agreement: {n:,}.", n=self.unlabelled))
        return out


def _as_array(values) -> np.ndarray:
    return np.asarray(pd.Series(list(values), dtype=object).astype(str).tolist(), dtype=object)


def purity(labels, topics) -> float:
    """Purity: the share of texts whose topic's most common label is their own label.

    Parameters
    ----------
    labels : sequence
        Gold labels.
    topics : sequence
        Topic per text.

    Returns
    -------
    float
        0-1; 1 when every topic holds a single label.

    Examples
    --------
    >>> purity(["a", "a", "b", "b"], [0, 0, 0, 1])
    0.75
    """
    table = pd.crosstab(_as_array(topics), _as_array(labels))
    return float(table.max(axis=1).sum() / table.to_numpy().sum())


def topic_agreement(labels, topics, *, dominant: str | None = "auto", multi_sep: str | None = None
                    ) -> TopicAgreement:
    """How well topics agree with gold labels: NMI, ARI and purity, with and without a dominant class.

    An evaluation, not a transformation of the input: it returns a :class:`TopicAgreement` (a
    :class:`cxlib.display.Result`) with the table and the count of texts left out as fields.

    Parameters
    ----------
    labels : sequence
        Gold label per text (missing labels are left out and counted in ``unlabelled``).
    topics : sequence
        Topic per text (outliers, ``-1``, count as one more topic).
    dominant : str or "auto" or None, default "auto"
        A class that dominates the labels (e.g. GermEval's ``Allgemein``): a second row scores the texts
        without it. ``"auto"``: the most common label when it holds at least 30% of the texts.
    multi_sep : str, optional
        Labels holding several classes joined by this separator (GermEval ``aspect_categories``, ``";"``):
        the first class is used.

    Returns
    -------
    TopicAgreement
        ``agreement``: one row per subset, ``subset`` (``all`` or ``without <class>``), ``n`` (texts),
        ``classes``, ``topics``, ``nmi`` (normalized mutual information, arithmetic mean), ``ari`` (adjusted
        Rand index), ``purity``; ``unlabelled``: texts without a gold label (int). ``.show()`` renders both.

    Examples
    --------
    >>> topic_agreement(["a", "a", "b", "b"], [0, 0, 1, 1], dominant=None).agreement["nmi"].tolist()
    [1.0]
    """
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    labels = pd.Series(list(labels), dtype=object)
    topics = pd.Series(list(topics), dtype=object)
    if len(labels) != len(topics):
        raise CxInputError(f"{len(labels)} labels but {len(topics)} topics.", column="labels")
    known = labels.notna() & (labels.astype(str).str.strip() != "")
    labels, topics = labels[known].astype(str), topics[known].astype(str)
    if multi_sep:
        labels = labels.str.split(multi_sep).str[0].str.strip()
    if len(labels) == 0:
        raise CxInputError("no text has a gold label.", column="labels")
    subsets = [("all", pd.Series(True, index=labels.index))]
    if dominant == "auto":
        shares = labels.value_counts(normalize=True)
        dominant = shares.index[0] if shares.iloc[0] >= 0.3 else None
    if dominant is not None:
        subsets.append((f"without {dominant}", labels != dominant))
    rows = []
    for name, mask in subsets:
        y, t = _as_array(labels[mask]), _as_array(topics[mask])
        if len(y) == 0:
            continue
        rows.append({"subset": name, "n": len(y), "classes": len(set(y)), "topics": len(set(t)),
                     "nmi": float(normalized_mutual_info_score(y, t)), "ari": float(adjusted_rand_score(y, t)),
                     "purity": purity(y, t)})
    return TopicAgreement(agreement=pd.DataFrame(rows), unlabelled=int((~known).sum()))


def classification_scores(y_true, y_pred) -> pd.DataFrame:
    """Precision, recall and F1 per class, with micro and macro averages.

    Parameters
    ----------
    y_true : sequence
        Gold labels.
    y_pred : sequence
        Predicted labels (rows with a missing prediction count as wrong).

    Returns
    -------
    pandas.DataFrame
        One row per class, then ``micro avg`` and ``macro avg``: ``label``, ``precision``, ``recall``, ``f1``,
        ``support`` (gold texts of the class; all texts for the averages). For single-label data micro-F1
        equals accuracy.

    Examples
    --------
    >>> scores = classification_scores(["pos", "neg", "neg"], ["pos", "neg", "pos"])
    >>> scores.set_index("label").loc["micro avg", "f1"].round(3)
    np.float64(0.667)
    """
    from sklearn.metrics import precision_recall_fscore_support

    y_true = _as_array(y_true)
    y_pred = np.asarray(["<none>" if (v is None or (isinstance(v, float) and np.isnan(v))) else str(v)
                         for v in list(y_pred)], dtype=object)
    if len(y_true) != len(y_pred):
        raise CxInputError(f"{len(y_true)} gold labels but {len(y_pred)} predictions.", column="labels")
    classes = sorted(set(y_true))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=classes, zero_division=0)
    rows = [{"label": c, "precision": p[i], "recall": r[i], "f1": f[i], "support": int(s[i])}
            for i, c in enumerate(classes)]
    for avg in ("micro", "macro"):
        # Micro averages count predictions outside the gold classes (missing ones) as wrong, so that micro-F1
        # equals accuracy; macro averages run over the gold classes only.
        labels = sorted(set(classes) | set(y_pred)) if avg == "micro" else classes
        pa, ra, fa, _ = precision_recall_fscore_support(y_true, y_pred, labels=labels, average=avg,
                                                        zero_division=0)
        rows.append({"label": f"{avg} avg", "precision": pa, "recall": ra, "f1": fa, "support": len(y_true)})
    return pd.DataFrame(rows)
