"""Feedback linked to the customer's whole journey by customer id: per customer, the journey across cases and
channels (re-contacts, first-contact resolution, channel switches) beside the customer's feedback."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from .. import journeys as cj
from .._docstrings import share_docs
from .._errors import CxInputError
from ..display import Result, redact_series, say, show
from ..io import ACTIVITY as ACT
from ..io import CASE, parse_scores
from ..io import TIMESTAMP as TS

__all__ = ["PerCustomerTable", "per_customer_table"]


@dataclasses.dataclass
class PerCustomerTable(Result):
    """The outcome of :func:`per_customer_table`: one row per customer with feedback and a journey.

    ``show()`` renders the sentence on how much feedback found a customer and the table, with customer ids and
    verbatims redacted (:func:`cxlib.display.redact`).

    Attributes
    ----------
    per_customer : pandas.DataFrame
        One row per customer (columns in :func:`per_customer_table`).
    feedback_rows, feedback_linked : int
        Feedback rows with a customer id, and of them those whose customer has cases in the log.
    invalid_scores : int
        Linked feedback rows whose score is present but not a number; left out of the means.
    score_note : str
        A sentence saying so; ``""`` when every score could be read (or there is no score).
    journeys : cxlib.journeys.CustomerJourneys
        The customer journeys of the whole log (re-contacts, first-contact resolution, switches, variants).

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib import read_log
    >>> from cxlib.owners import per_customer_table
    >>> log = read_log("data/bpic2016_complaints.csv", case="ComplaintID", activity="ComplaintTheme_EN",
    ...                timestamp="ContactDate", resource="ContactChannelID")
    >>> fb = pd.read_csv("data/bpic2016_complaints.csv", sep=";", encoding="latin-1")
    >>> t = per_customer_table(fb, log, customer_id="CustomerID", customer_key="CustomerID", score=None,
    ...                        text="ComplaintTopic_EN", window_days=30)
    >>> len(t.per_customer), t.feedback_linked
    (226, 289)
    """

    per_customer: pd.DataFrame
    feedback_rows: int
    feedback_linked: int
    invalid_scores: int
    score_note: str
    journeys: cj.CustomerJourneys

    def parts(self) -> list:
        """The linking sentence, the customer-journey summary and the per-customer table (redacted)."""
        table = self.per_customer.copy()
        for col in ("customer_id", "text"):
            if col in table.columns:
                table[col] = redact_series(table[col].astype("string"))[0]
        out = [say("{k} of {n} feedback rows name a customer with cases in the log ({c} customers).",
                   k=f"{self.feedback_linked:,}", n=f"{self.feedback_rows:,}", c=f"{len(table):,}")]
        out.append(show(table, caption="Per customer: the journey across cases beside the feedback", max_rows=15))
        if self.score_note:
            out.append(say("{note}", note=self.score_note))
        return out


@share_docs
def per_customer_table(feedback: pd.DataFrame, log: pd.DataFrame, *, customer_id: str = "customer_id",
                       customer_key: str = "customer", channel_key: str | None = None, window_days: float = 7.0,
                       ended_at=None, score: str | None = "score", text: str | None = "text", case_key: str = CASE,
                       activity_key: str = ACT, timestamp_key: str = TS) -> PerCustomerTable:
    """Per customer: the customer's journey across cases and channels beside the customer's feedback, linked
    by customer id.

    The journey measures come from :func:`cxlib.journeys.customer_journeys` (a re-contact is a new case at most
    ``window_days`` after the customer's previous case ended; first-contact resolution is the share of the
    customer's episodes, judged ones only, not followed by a re-contact).

    Parameters
    ----------
    feedback : pandas.DataFrame
        Feedback with a customer-id column.
    {log}
    customer_id : str, default "customer_id"
        Customer-id column of ``feedback``.
    customer_key : str, default "customer"
        Customer-id column of the log (read at each case's first event).
    channel_key : str, optional
        Channel column of the log.
    window_days : float, default 7
        Re-contact window in days.
    ended_at : str or list of str, optional
        Touchpoints at which a case ends for the customer (see :func:`cxlib.journeys.customer_journeys`).
    score, text : str
        Feedback columns (``None`` or absent: left out).
    {log_keys}

    Returns
    -------
    PerCustomerTable
        ``per_customer``: one row per customer with feedback and cases, most cases first: ``customer_id``
        (text), ``cases``, ``episodes``, ``recontacts``, ``parallel``, ``channels``, ``channel_switches``,
        ``episodes_judged``, ``fcr_rate`` (the customer's first-contact resolution; empty when no episode can be
        judged), ``first_start``, ``last_end``, ``feedback_rows``, ``score`` (mean, NaN without a score column),
        ``text`` (the verbatims joined with " | "). Also ``feedback_rows``, ``feedback_linked``,
        ``invalid_scores``, ``score_note`` and ``journeys`` (see :class:`PerCustomerTable`).

    Raises
    ------
    cxlib.CxInputError
        A missing customer-id column in the feedback or the log.

    Examples
    --------
    The complaints data holds both sides: each complaint is a case of a customer, and its topic is the feedback.

    >>> import pandas as pd
    >>> from cxlib import read_log
    >>> fb = pd.read_csv("data/bpic2016_complaints.csv", sep=";", encoding="latin-1")
    >>> log = read_log("data/bpic2016_complaints.csv", case="ComplaintID", activity="ComplaintTheme_EN",
    ...                timestamp="ContactDate", resource="ContactChannelID")
    >>> t = per_customer_table(fb, log, customer_id="CustomerID", customer_key="CustomerID", score=None,
    ...                        text="ComplaintTopic_EN", window_days=30)
    >>> int(t.per_customer["cases"].sum()), int(t.per_customer["recontacts"].sum())
    (289, 51)
    """
    if customer_id not in feedback.columns:
        raise CxInputError(f"the feedback has no column {customer_id!r}; columns: "
                           f"{', '.join(map(str, feedback.columns))}", column=customer_id)
    journeys = cj.customer_journeys(log, customer_key=customer_key, channel_key=channel_key,
                                    window_days=window_days, ended_at=ended_at, case_key=case_key,
                                    activity_key=activity_key, timestamp_key=timestamp_key)
    cases = journeys.cases
    first = cases[~cases["recontact"] & ~cases["censored"]]
    fcr = pd.DataFrame({"episodes_judged": first.groupby("customer").size(),
                        "resolved": (~first["recontacted"]).groupby(first["customer"]).sum()})
    customers = journeys.customers.join(fcr, on="customer")
    customers["episodes_judged"] = customers["episodes_judged"].fillna(0).astype(np.int64)
    customers["fcr_rate"] = customers["resolved"] / customers["episodes_judged"].where(
        customers["episodes_judged"] > 0)
    customers = customers.drop(columns="resolved")
    customers.insert(0, "customer_id", customers.pop("customer").astype("string").str.strip())

    keys = feedback[customer_id].astype("string").str.strip()
    fb = feedback[keys.notna()]
    keys = keys[keys.notna()]
    linked = keys.isin(set(customers["customer_id"].dropna()))
    parsed = (parse_scores(fb.loc[linked, score], integer=False, column=score)
              if score is not None and score in fb.columns else None)
    grouped = pd.DataFrame({"customer_id": keys[linked].astype(object)})
    grouped["score"] = parsed.values if parsed is not None else np.nan
    grouped["text"] = fb.loc[linked, text].astype("string") if text is not None and text in fb.columns else pd.NA
    g = grouped.groupby("customer_id")
    agg = pd.DataFrame({"feedback_rows": g.size(), "score": g["score"].mean(),
                        "text": g["text"].agg(lambda s: " | ".join(s.dropna().astype(str)))}).reset_index()
    out = customers.merge(agg, on="customer_id", how="inner")
    out = out.sort_values(["cases", "customer_id"], ascending=[False, True], ignore_index=True)
    n_invalid = parsed.n_invalid if parsed is not None else 0
    note = (f"{n_invalid:,} linked feedback rows have a score in {score!r} that is not a number "
            f"({parsed.describe()}); they are left out of the per-customer scores." if n_invalid else "")
    return PerCustomerTable(per_customer=out, feedback_rows=len(fb), feedback_linked=int(linked.sum()),
                            invalid_scores=int(n_invalid), score_note=note, journeys=journeys)
