"""Where journeys end, branch, loop, jump back and skip."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._errors import CxInputError
from ._events import ACTIVITY, CASE, TIMESTAMP, Events, distinct, prepare, stamp
from ._map import _edges
from ._variants import _variant_table


def infer_success_ends(ev: Events, *, min_share: float = 0.2) -> tuple[list[str], str]:
    """Successful end touchpoints when the analyst gave none, and a sentence that says how (internal)."""
    ends = np.bincount(ev.act[ev.last], minlength=ev.n_activities) / ev.n_cases
    chosen = np.flatnonzero(ends >= min_share)
    if len(chosen) == 0:
        chosen = np.array([int(np.argmax(ends))])
        rule = (f"no touchpoint ends {min_share:.0%} of the cases, so the most frequent end touchpoint "
                "was taken as the successful end")
    else:
        rule = f"every touchpoint that ends at least {min_share:.0%} of the cases was taken as a successful end"
    names = [str(ev.activities[i]) for i in chosen[np.argsort(-ends[chosen])]]
    shares = ", ".join(f"{ev.activities[i]} ({ends[i]:.1%})" for i in chosen[np.argsort(-ends[chosen])])
    return names, f"Successful ends inferred: {shares}; {rule}."


def _success_codes(ev: Events, success_ends, min_share: float) -> tuple[np.ndarray, list[str], str]:
    if success_ends is None:
        names, note = infer_success_ends(ev, min_share=min_share)
    else:
        names = [success_ends] if isinstance(success_ends, str) else list(success_ends)
        unknown = [n for n in names if n not in set(ev.activities)]
        if unknown:
            raise CxInputError(
                f"success_ends names touchpoints that are not in the log: {unknown}; "
                f"the log has: {', '.join(map(str, ev.activities))}",
                column=ev.activity_key,
            )
        note = "Successful ends given: " + ", ".join(names) + "."
    is_success = np.isin(ev.activities, names)
    return is_success, names, note


def case_outcomes(ev: Events, success_ends=None, min_share: float = 0.2) -> tuple[np.ndarray, str]:
    """Per case: True when its last touchpoint is a successful end; plus the note on how ends were chosen."""
    is_success, _, note = _success_codes(ev, success_ends, min_share)
    return is_success[ev.act[ev.last]], note


def dropoffs(log: pd.DataFrame, *, success_ends=None, infer_min_share: float = 0.2, case_key: str = CASE,
             activity_key: str = ACTIVITY, timestamp_key: str = TIMESTAMP) -> pd.DataFrame:
    """Where journeys end: the share of cases that stop at each touchpoint, and the drop-off rate per touchpoint.

    Parameters
    ----------
    log : pandas.DataFrame
        Event log as :func:`cxlib.read_log` returns it.
    success_ends : str or list of str, optional
        Touchpoints at which a journey ends successfully. When not given they are inferred: every touchpoint
        that is the last event of at least ``infer_min_share`` of the cases (or, if none is, the most frequent
        last touchpoint). ``attrs["success_note"]`` states which were used and how.
    infer_min_share : float, default 0.2
        Threshold for the inference above.
    case_key, activity_key, timestamp_key : str
        Column names of case id, touchpoint (activity) and timestamp.

    Returns
    -------
    pandas.DataFrame
        One row per touchpoint, drop-offs first (most cases ended there first):

        - ``touchpoint``
        - ``successful_end``: True for the successful end touchpoints.
        - ``cases_reached``: cases with at least one event at the touchpoint.
        - ``cases_ended``: cases whose last event is at the touchpoint.
        - ``end_share``: cases_ended / all cases.
        - ``dropoff_share``: for touchpoints that are not successful ends, the same as ``end_share``
          (the share of all cases that drop off here); 0 for successful ends.
        - ``dropoff_rate``: of the cases that reached the touchpoint, the share that ended there without a
          successful end (0 for successful ends).

        ``attrs["success_ends"]`` lists the successful ends, ``attrs["dropoff_cases"]`` counts cases not ending
        successfully.

    Examples
    --------
    >>> import cxlib, cxlib.journeys as cj
    >>> log = cxlib.read_log("data/helpdesk.xes.gz")
    >>> d = cj.dropoffs(log)
    >>> d.attrs["success_ends"]
    ['Closed']
    """
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    is_success, names, note = _success_codes(ev, success_ends, infer_min_share)
    ended = np.bincount(ev.act[ev.last], minlength=ev.n_activities)
    _, act_codes, _ = ev.case_activity_counts
    reached = np.bincount(act_codes, minlength=ev.n_activities)
    out = pd.DataFrame({
        "touchpoint": ev.activities,
        "successful_end": is_success,
        "cases_reached": reached,
        "cases_ended": ended,
        "end_share": ended / ev.n_cases,
    })
    out["dropoff_share"] = np.where(is_success, 0.0, out["end_share"])
    out["dropoff_rate"] = np.where(is_success, 0.0, ended / np.maximum(reached, 1))
    out = out.sort_values(["successful_end", "cases_ended", "touchpoint"],
                          ascending=[True, False, True]).reset_index(drop=True)
    return stamp(out, ev, success_ends=names, success_note=note,
                 dropoff_cases=int(ended[~is_success].sum()), cases_total=int(ev.n_cases))


def branches(log: pd.DataFrame, *, min_probability: float = 0.0, case_key: str = CASE,
             activity_key: str = ACTIVITY, timestamp_key: str = TIMESTAMP) -> pd.DataFrame:
    """For each touchpoint, where journeys go next, with probabilities (ending counts as a destination).

    Parameters
    ----------
    log : pandas.DataFrame
        Event log as :func:`cxlib.read_log` returns it.
    min_probability : float, default 0.0
        Leave out next steps rarer than this (the probabilities of the rows kept still refer to all).
    case_key, activity_key, timestamp_key : str
        Column names of case id, touchpoint (activity) and timestamp.

    Returns
    -------
    pandas.DataFrame
        One row per (touchpoint, next touchpoint), by touchpoint then probability:

        - ``touchpoint``, ``next_touchpoint`` (``"■ end"`` when the journey ends there).
        - ``transitions``: how often; ``probability``: transitions / all departures from the touchpoint.
        - ``cases``: cases taking that step at least once.
        - ``n_next``: number of distinct next steps of the touchpoint; ``branch_point``: True when it has more
          than one next step with probability >= 10%.

    Examples
    --------
    >>> import cxlib, cxlib.journeys as cj
    >>> log = cxlib.read_log("data/helpdesk.xes.gz")
    >>> b = cj.branches(log)
    >>> bool((b.groupby("touchpoint")["probability"].sum().round(9) == 1).all())
    True
    """
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    edges = _edges(ev)
    out = edges[edges["kind"] != "start"][["source", "target", "transitions", "cases"]].rename(
        columns={"source": "touchpoint", "target": "next_touchpoint"})
    total = out.groupby("touchpoint")["transitions"].transform("sum")
    out["probability"] = out["transitions"] / total
    out["n_next"] = out.groupby("touchpoint")["next_touchpoint"].transform("count")
    strong = (out["probability"] >= 0.1).groupby(out["touchpoint"]).transform("sum")
    out["branch_point"] = strong > 1
    out = out[out["probability"] >= min_probability]
    out = out.sort_values(["touchpoint", "probability", "next_touchpoint"], ascending=[True, False, True])
    out = out[["touchpoint", "next_touchpoint", "transitions", "probability", "cases", "n_next", "branch_point"]]
    return stamp(out.reset_index(drop=True), ev)


def _reference_codes(ev: Events, reference) -> np.ndarray:
    if reference is None:
        table = _variant_table(ev)
        names = list(table["activities"].iloc[0])
        # a reference path visits each touchpoint once: keep the first occurrence
        names = list(dict.fromkeys(names))
    else:
        names = list(dict.fromkeys(reference))
    code_of = {str(n): i for i, n in enumerate(ev.activities)}
    unknown = [n for n in names if str(n) not in code_of]
    if unknown:
        raise CxInputError(f"reference names touchpoints not in the log: {unknown}", column=ev.activity_key)
    return np.array([code_of[str(n)] for n in names], dtype=np.int64)


def _loop_flags(ev: Events) -> dict[str, np.ndarray]:
    """Per-event flags: repeat (activity seen before in the case), self-loop, back-jump."""
    if "loop_flags" in ev._cache:
        return ev._cache["loop_flags"]
    repeat = ~ev.first_occurrence
    same = ev.same_case_next
    prev_same_act = np.zeros(ev.n_events, dtype=bool)
    prev_same_act[1:] = same & (ev.act[1:] == ev.act[:-1])
    flags = {"repeat": repeat, "self_loop": prev_same_act, "back_jump": repeat & ~prev_same_act}
    ev._cache["loop_flags"] = flags
    return flags


def _skips(ev: Events, ref: np.ndarray) -> np.ndarray:
    """Matrix cases x reference positions: True where the case skipped that reference touchpoint.

    A touchpoint is skipped when the case has reference touchpoints both before and after it but not it.
    """
    pos_of = np.full(ev.n_activities, -1, dtype=np.int64)
    pos_of[ref] = np.arange(len(ref))
    case_codes, act_codes, _ = ev.case_activity_counts
    pos = pos_of[act_codes]
    inref = pos >= 0
    present = np.zeros((ev.n_cases, len(ref)), dtype=bool)
    present[case_codes[inref], pos[inref]] = True
    idx = np.arange(len(ref))[None, :]
    lo = np.where(present, idx, len(ref)).min(axis=1)[:, None]
    hi = np.where(present, idx, -1).max(axis=1)[:, None]
    return ~present & (idx > lo) & (idx < hi)


def loops(log: pd.DataFrame, *, reference=None, case_key: str = CASE, activity_key: str = ACTIVITY,
          timestamp_key: str = TIMESTAMP) -> pd.DataFrame:
    """Jumps and loops per touchpoint: rework, self-loops, back-jumps and skips.

    - *Rework*: the touchpoint occurs more than once in a case (pm4py's "rework cases per activity").
    - *Self-loop*: the touchpoint directly follows itself.
    - *Back-jump*: the journey returns to a touchpoint it already visited, coming from another one.
    - *Skip*: against a reference path (by default the most frequent variant), the case visits reference
      touchpoints before and after this one but not this one.

    Parameters
    ----------
    log : pandas.DataFrame
        Event log as :func:`cxlib.read_log` returns it.
    reference : list of str, optional
        Reference order of touchpoints for skips; default the most frequent variant (first visits only).
    case_key, activity_key, timestamp_key : str
        Column names of case id, touchpoint (activity) and timestamp.

    Returns
    -------
    pandas.DataFrame
        One row per touchpoint, most rework first:

        - ``touchpoint``, ``events``, ``cases`` (cases visiting it).
        - ``rework_cases``: cases with it more than once; ``rework_rate`` = rework_cases / cases.
        - ``repeat_events``: events beyond the first visit in a case.
        - ``self_loops``: transitions from the touchpoint to itself.
        - ``back_jumps``: returns to the touchpoint from another one; ``back_jump_cases``.
        - ``skipped_cases``: cases that skip it (only for touchpoints on the reference path, else empty);
          ``skip_rate`` = skipped_cases / all cases.

        ``attrs["reference"]`` is the reference path used.

    Examples
    --------
    >>> import cxlib, cxlib.journeys as cj
    >>> log = cxlib.read_log("data/helpdesk.xes.gz")
    >>> lp = cj.loops(log)
    >>> int(lp["rework_cases"].max()) > 0
    True
    """
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    flags = _loop_flags(ev)
    n = ev.n_activities
    _case_codes, act_codes, repeated = ev.case_activity_counts
    cases = np.bincount(act_codes, minlength=n)
    rework_cases = np.bincount(act_codes[repeated], minlength=n)
    back = flags["back_jump"]
    back_pairs = distinct(ev.case[back].astype(np.int64) * n + ev.act[back])
    ref = _reference_codes(ev, reference)
    skipped = _skips(ev, ref).sum(axis=0)
    skipped_cases = np.full(n, np.nan)
    skipped_cases[ref] = skipped
    out = pd.DataFrame({
        "touchpoint": ev.activities,
        "events": np.bincount(ev.act, minlength=n),
        "cases": cases,
        "rework_cases": rework_cases,
        "rework_rate": rework_cases / np.maximum(cases, 1),
        "repeat_events": np.bincount(ev.act[flags["repeat"]], minlength=n),
        "self_loops": np.bincount(ev.act[flags["self_loop"]], minlength=n),
        "back_jumps": np.bincount(ev.act[back], minlength=n),
        "back_jump_cases": np.bincount(back_pairs % n, minlength=n),
        "skipped_cases": pd.array(skipped_cases, dtype="Int64"),
        "skip_rate": skipped_cases / ev.n_cases,
    })
    out = out.sort_values(["rework_cases", "touchpoint"], ascending=[False, True]).reset_index(drop=True)
    return stamp(out, ev, reference=[str(ev.activities[i]) for i in ref])


def case_loops(log: pd.DataFrame, *, reference=None, case_key: str = CASE, activity_key: str = ACTIVITY,
               timestamp_key: str = TIMESTAMP) -> pd.DataFrame:
    """Jumps and loops per case (the same measures as :func:`loops`, counted per case).

    Parameters
    ----------
    log : pandas.DataFrame
        Event log as :func:`cxlib.read_log` returns it.
    reference : list of str, optional
        Reference order of touchpoints for skips; default the most frequent variant.
    case_key, activity_key, timestamp_key : str
        Column names of case id, touchpoint (activity) and timestamp.

    Returns
    -------
    pandas.DataFrame
        One row per case: ``case``, ``events``, ``repeat_events`` (events revisiting a touchpoint),
        ``reworked_touchpoints`` (distinct touchpoints visited more than once), ``self_loops``,
        ``back_jumps``, ``skipped`` (reference touchpoints skipped), ``has_rework`` (bool).

    Examples
    --------
    >>> import cxlib, cxlib.journeys as cj
    >>> log = cxlib.read_log("data/helpdesk.xes.gz")
    >>> cl = cj.case_loops(log)
    >>> len(cl) == log["case:concept:name"].nunique()
    True
    """
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    flags = _loop_flags(ev)
    case_codes, _, repeated = ev.case_activity_counts
    ref = _reference_codes(ev, reference)
    out = pd.DataFrame({
        "case": ev.case_ids,
        "events": ev.last - ev.first + 1,
        "repeat_events": np.bincount(ev.case[flags["repeat"]], minlength=ev.n_cases),
        "reworked_touchpoints": np.bincount(case_codes[repeated], minlength=ev.n_cases),
        "self_loops": np.bincount(ev.case[flags["self_loop"]], minlength=ev.n_cases),
        "back_jumps": np.bincount(ev.case[flags["back_jump"]], minlength=ev.n_cases),
        "skipped": _skips(ev, ref).sum(axis=1),
    })
    out["has_rework"] = out["repeat_events"] > 0
    return stamp(out, ev, reference=[str(ev.activities[i]) for i in ref])
