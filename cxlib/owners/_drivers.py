"""Journey experiences as score drivers: each feedback row beside the journey measures of its case, ready for
:func:`cxlib.scores.key_drivers`."""

from __future__ import annotations

import pandas as pd

from .._docstrings import share_docs
from ..io import ACTIVITY as ACT
from ..io import CASE
from ..io import RESOURCE as RES
from ..io import TIMESTAMP as TS
from ._link import _need, case_journey_measures

__all__ = ["JOURNEY_DRIVERS", "journey_drivers"]

#: The journey measures :func:`journey_drivers` adds, as driver columns for :func:`cxlib.scores.key_drivers`.
JOURNEY_DRIVERS = ("events", "throughput_days", "max_wait_days", "handoffs", "repeated_contacts", "had_repeat")


@share_docs
def journey_drivers(feedback: pd.DataFrame, log: pd.DataFrame, *, case_id: str = "case_id",
                    case_attributes=(), repeat_window_days: float | None = None, case_key: str = CASE,
                    activity_key: str = ACT, timestamp_key: str = TS, resource_key: str | None = RES
                    ) -> pd.DataFrame:
    """Each feedback row with the journey measures of its case (waits, hand-offs, repeated contacts) as drivers.

    The measures come from :func:`cxlib.owners.case_journey_measures` (built on :mod:`cxlib.journeys`); times
    are turned into days, and a case with one event has a longest wait of 0 (no wait between contacts). Rows
    whose case is not in the log keep NaN measures and ``case_found`` False, so :func:`cxlib.scores.key_drivers`
    leaves them out and counts them.

    Parameters
    ----------
    feedback : pandas.DataFrame
        One row per response, with the case id and the outcome (score, sentiment, churn flag ...).
    {log}
    case_id : str, default "case_id"
        Feedback column holding the case id (compared as text, surrounding spaces ignored).
    case_attributes : list of str
        Log columns to copy per case as drivers too (their first non-missing value in the case, e.g. a
        service level or channel).
    repeat_window_days : float, optional
        See :func:`cxlib.owners.case_journey_measures`.
    {log_keys_resource}

    Returns
    -------
    pandas.DataFrame
        A copy of ``feedback`` with ``case_found`` (bool) and the driver columns ``events`` (contacts in the
        case), ``throughput_days`` (first to last contact), ``max_wait_days`` (longest wait between two
        contacts; 0 with one contact), ``handoffs`` (changes of resource between consecutive contacts; NaN
        without a resource column), ``repeated_contacts`` (contacts repeating an earlier activity),
        ``had_repeat`` (bool: at least one), then the ``case_attributes``.

    {example_complaints_log}
    >>> raw = pd.read_csv("data/bpic2016_complaints.csv", sep=";", encoding="latin-1")
    >>> table = journey_drivers(raw.rename(columns={"CustomerID": "case_id"}), log)
    >>> int(table["case_found"].sum()), int(table["had_repeat"].sum())
    (289, 64)
    """
    _need(feedback, [case_id], "feedback")
    _need(log, [case_key, activity_key, timestamp_key, *case_attributes], "event log")
    measures = case_journey_measures(log, case_key=case_key, activity_key=activity_key,
                                     timestamp_key=timestamp_key, resource_key=resource_key,
                                     repeat_window_days=repeat_window_days)
    per_case = pd.DataFrame({
        "case_id": measures["case_id"].astype(str).str.strip(),
        "events": measures["events"].astype(float),
        "throughput_days": measures["throughput_h"].astype(float) / 24,
        "max_wait_days": measures["max_wait_h"].astype(float).fillna(0.0) / 24,
        "handoffs": measures["handoffs"].astype(float),
        "repeated_contacts": measures["repeated_contacts"].astype(float),
    })
    per_case["had_repeat"] = per_case["repeated_contacts"] > 0
    if case_attributes:
        firsts = (log.sort_values([case_key, timestamp_key], kind="stable")
                  .groupby(log[case_key].astype(str).str.strip())[list(case_attributes)].first())
        per_case = per_case.join(firsts, on="case_id")
    out = feedback.copy()
    keys = out[case_id].astype("string").str.strip()
    found = keys.isin(set(per_case["case_id"])).fillna(False).astype(bool)
    joined = pd.DataFrame({"_key": keys.astype(object)}, index=out.index).join(
        per_case.set_index("case_id"), on="_key")
    out["case_found"] = found.to_numpy()
    for col in [*JOURNEY_DRIVERS, *case_attributes]:
        out[col] = joined[col].to_numpy()
    out["had_repeat"] = pd.array(joined["had_repeat"].where(found.to_numpy()).to_numpy(), dtype="boolean")
    return out
