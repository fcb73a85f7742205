"""Many tests at once: Benjamini-Hochberg adjusted p-values (q-values) that control the false-discovery rate."""

from __future__ import annotations

import numpy as np

from .._errors import CxInputError

__all__ = ["adjust_p_values"]


def adjust_p_values(p_values, *, method: str = "bh") -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values: flag the tests with ``q < fdr`` and at most a share ``fdr`` of the
    flagged ones is expected to be a false discovery.

    With the m p-values sorted, p(1) <= ... <= p(m), q(i) = min over j >= i of m p(j) / j, capped at 1
    (Benjamini & Hochberg 1995, valid for independent or positively dependent tests). A NaN p-value (a test
    that could not be run) stays NaN and does not count in m.

    Parameters
    ----------
    p_values : sequence of float
        The p-values of the family of tests (e.g. every line of "what changed").
    method : {"bh"}, default "bh"
        Benjamini-Hochberg (the only method).

    Returns
    -------
    numpy.ndarray
        The q-values, in the order of ``p_values``.

    Examples
    --------
    >>> from cxlib.scores import adjust_p_values
    >>> [round(float(q), 4) for q in adjust_p_values([0.01, 0.04, 0.03, 0.20])]
    [0.04, 0.0533, 0.0533, 0.2]
    """
    if method != "bh":
        raise CxInputError(f"method must be 'bh' (Benjamini-Hochberg), got {method!r}", column="method")
    p = np.asarray(list(p_values), dtype=float)
    if np.any((p < 0) | (p > 1)):
        raise CxInputError("p-values must lie between 0 and 1", column="p_values")
    q = np.full(p.shape, np.nan)
    tested = np.flatnonzero(~np.isnan(p))
    m = len(tested)
    if m == 0:
        return q
    order = tested[np.argsort(p[tested], kind="stable")]
    raw = p[order] * m / np.arange(1, m + 1)
    q[order] = np.minimum(np.minimum.accumulate(raw[::-1])[::-1], 1.0)
    return q
