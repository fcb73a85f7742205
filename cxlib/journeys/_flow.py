"""Where journeys end, branch, loop, jump back and skip.

Engine: counts per touchpoint and per case are Ibis aggregations on DuckDB over the enriched event table
(each event's visit number of its touchpoint in the case gives the distinct case-touchpoint pairs, rework and
repeats; ``prev_act`` gives self-loops, and the repeats that are not self-loops are the back-jumps). Skips against
a reference path depend only on a case's journey: per variant (see ``Events.variant_data``), the first and last
reference position visited and how many reference touchpoints it visits; the skips per case and per reference
position are then a vectorised step on that per-case result (``bincount`` and cumulative sums), not a loop.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from .._docstrings import share_docs
from .._errors import CxInputError
from ..display import Result, say, show
from ._events import ACTIVITY, CASE, TIMESTAMP, Events, _distinct, prepare
from ._map import _edges
from ._results import dropped_parts
from ._variants import _variant_table


def infer_success_ends(ev: Events, *, min_share: float = 0.2) -> tuple[list[str], str]:
    """Successful end touchpoints when the analyst gave none, and a sentence that says how (internal)."""
    ends = ev.act_stats()["ends"].to_numpy() / ev.n_cases
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
    return is_success[ev.cases()["last_act"].to_numpy(dtype=np.int64)], note


@share_docs
@dataclasses.dataclass
class DropOffs(Result):
    """Where journeys end, per touchpoint, with the successful ends used and how they were chosen.

    Returned by :func:`dropoffs`; :func:`plot_dropoff_funnel` draws it. ``show()`` renders the rule for the
    successful ends with the number of cases ending elsewhere, and the table.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per touchpoint; the columns are listed in :func:`dropoffs`.
    success_ends : list of str
        The successful end touchpoints used (given or inferred).
    success_note : str
        How they were chosen (given, or inferred with the shares and the rule).
    dropoff_cases : int
        Cases whose last touchpoint is not a successful end.
    cases_total : int
        All cases.
    {dropped_rows}

    {example_helpdesk}
    >>> d = cj.dropoffs(log, success_ends="Closed")
    >>> d.success_note, d.dropoff_cases < d.cases_total
    ('Successful ends given: Closed.', True)
    """

    table: pd.DataFrame
    success_ends: list
    success_note: str
    dropoff_cases: int
    cases_total: int
    dropped_rows: dict = dataclasses.field(default_factory=dict)

    @property
    def dropoff_share(self) -> float:
        """Share of all cases that do not end at a successful end (NaN without cases)."""
        return self.dropoff_cases / self.cases_total if self.cases_total else float("nan")

    def parts(self) -> list:
        """The successful ends with the cases ending elsewhere, and the drop-offs per touchpoint."""
        return [say("{note} {n} of {t} cases ({s:.1%}) end elsewhere.", note=self.success_note,
                    n=f"{self.dropoff_cases:,}", t=f"{self.cases_total:,}", s=self.dropoff_share),
                show(self.table, caption="Drop-offs per touchpoint"),
                *dropped_parts(self.dropped_rows)]


@share_docs
def dropoffs(log: pd.DataFrame, *, success_ends=None, infer_min_share: float = 0.2, case_key: str = CASE,
             activity_key: str = ACTIVITY, timestamp_key: str = TIMESTAMP) -> DropOffs:
    """Where journeys end: the share of cases that stop at each touchpoint, and the drop-off rate per touchpoint.

    Parameters
    ----------
    {log}
    success_ends : str or list of str, optional
        Touchpoints at which a journey ends successfully. When not given they are inferred: every touchpoint
        that is the last event of at least ``infer_min_share`` of the cases (or, if none is, the most frequent
        last touchpoint). ``success_note`` of the result states which were used and how.
    infer_min_share : float, default 0.2
        Threshold for the inference above.
    {log_keys}

    Returns
    -------
    DropOffs
        ``table``: one row per touchpoint, drop-offs first (most cases ended there first):

        - ``touchpoint``
        - ``successful_end``: True for the successful end touchpoints.
        - ``cases_reached``: cases with at least one event at the touchpoint.
        - ``cases_ended``: cases whose last event is at the touchpoint.
        - ``end_share``: cases_ended / all cases.
        - ``dropoff_share``: for touchpoints that are not successful ends, the same as ``end_share``
          (the share of all cases that drop off here); 0 for successful ends.
        - ``dropoff_rate``: of the cases that reached the touchpoint, the share that ended there without a
          successful end (0 for successful ends).

        ``success_ends`` lists the successful ends, ``success_note`` says how they were chosen,
        ``dropoff_cases`` counts cases not ending successfully, ``cases_total`` all cases, ``dropped_rows``
        the log rows left out (see :class:`DropOffs`).

    {example_helpdesk}
    >>> d = cj.dropoffs(log)
    >>> d.success_ends, d.table["touchpoint"].iloc[-1]
    (['Closed'], 'Closed')
    """
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    is_success, names, note = _success_codes(ev, success_ends, infer_min_share)
    acts = ev.act_stats()
    ended = acts["ends"].to_numpy()
    reached = acts["cases"].to_numpy()
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
    return DropOffs(out, names, note, int(ended[~is_success].sum()), int(ev.n_cases), dropped_rows=dict(ev.dropped))


@share_docs
def branches(log: pd.DataFrame, *, min_probability: float = 0.0, case_key: str = CASE,
             activity_key: str = ACTIVITY, timestamp_key: str = TIMESTAMP) -> pd.DataFrame:
    """For each touchpoint, where journeys go next, with probabilities (ending counts as a destination).

    Parameters
    ----------
    {log}
    min_probability : float, default 0.0
        Leave out next steps rarer than this (the probabilities of the rows kept still refer to all).
    {log_keys}

    Returns
    -------
    pandas.DataFrame
        One row per (touchpoint, next touchpoint), by touchpoint then probability:

        - ``touchpoint``, ``next_touchpoint`` (``"■ end"`` when the journey ends there).
        - ``transitions``: how often; ``probability``: transitions / all departures from the touchpoint.
        - ``cases``: cases taking that step at least once.
        - ``n_next``: number of distinct next steps of the touchpoint; ``branch_point``: True when it has more
          than one next step with probability >= 10%.

    {example_helpdesk}
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
    return out.reset_index(drop=True)


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


def _skips(ev: Events, ref: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Skipped reference touchpoints: (per case code, per reference position).

    A touchpoint is skipped when the case has reference touchpoints both before and after it but not it.
    """
    key = ("skips", tuple(int(r) for r in ref))
    if key in ev._cache:
        return ev._cache[key]
    n_ref = len(ref)
    # which reference touchpoints a case visits depends only on its journey: first, last and how many
    # reference positions each variant visits, then per case through its variant
    vd = ev.variant_data()
    ref_pos = np.full(ev.n_activities, -1, dtype=np.int64)
    ref_pos[np.asarray(ref, dtype=np.int64)] = np.arange(n_ref)
    p = ref_pos[vd.flat]
    on_path = p >= 0
    pairs = _distinct(vd.element_variant()[on_path] * n_ref + p[on_path])  # distinct (variant, position)
    pair_var, pair_pos = pairs // n_ref, pairs % n_ref
    n_var = len(vd.var)
    v_present = np.bincount(pair_var, minlength=n_var)
    v_lo = np.full(n_var, n_ref, dtype=np.int64)
    np.minimum.at(v_lo, pair_var, pair_pos)
    v_hi = np.full(n_var, -1, dtype=np.int64)
    np.maximum.at(v_hi, pair_var, pair_pos)
    cases_on = np.flatnonzero(v_present[vd.variant_of_case] > 0)
    per_case = pd.DataFrame({"case": cases_on})
    lo = v_lo[vd.variant_of_case[cases_on]]
    hi = v_hi[vd.variant_of_case[cases_on]]
    present = v_present[vd.variant_of_case[cases_on]]
    # reference touchpoints present strictly between the first and the last one present
    inner_case = np.where(hi > lo, present - 2, 0)
    by_case = np.zeros(ev.n_cases, dtype=np.int64)
    by_case[per_case["case"].to_numpy(dtype=np.int64)] = np.maximum(hi - lo - 1, 0) - inner_case
    # per position p: cases whose range spans p (lo < p < hi) = #(lo < p) - #(hi <= p) + #(lo == hi == p), as
    # lo <= hi; minus those that have p = cases with p - #(lo == p) - #(hi == p) + #(lo == hi == p)
    lo_count = np.bincount(lo, minlength=n_ref)
    hi_count = np.bincount(hi, minlength=n_ref)
    both = np.bincount(lo[lo == hi], minlength=n_ref)
    lo_below = np.r_[0, np.cumsum(lo_count)[:-1]]
    hi_upto = np.cumsum(hi_count)
    with_p = ev.act_stats()["cases"].to_numpy()[np.asarray(ref, dtype=np.int64)]
    inner_ref = with_p - lo_count - hi_count + both
    by_ref = lo_below - hi_upto + both - inner_ref
    ev._cache[key] = (by_case, by_ref)
    return by_case, by_ref


@share_docs
@dataclasses.dataclass
class Loops(Result):
    """Rework, self-loops, back-jumps and skips per touchpoint, with the reference path the skips refer to.

    Returned by :func:`loops`. ``show()`` renders the reference path and the table.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per touchpoint; the columns are listed in :func:`loops`.
    reference : list of str
        The reference path for skips (given, or the most frequent variant's first visits).
    {dropped_rows}

    {example_helpdesk}
    >>> lp = cj.loops(log, reference=["Assign seriousness", "Take in charge ticket", "Resolve ticket", "Closed"])
    >>> lp.reference[-1], int(lp.table["skipped_cases"].notna().sum())
    ('Closed', 4)
    """

    table: pd.DataFrame
    reference: list
    dropped_rows: dict = dataclasses.field(default_factory=dict)

    def parts(self) -> list:
        """The reference path and the jumps and loops per touchpoint."""
        return [say("Reference path for skips: {r}.", r=" → ".join(map(str, self.reference))),
                show(self.table, caption="Jumps and loops per touchpoint"),
                *dropped_parts(self.dropped_rows)]


@share_docs
def loops(log: pd.DataFrame, *, reference=None, case_key: str = CASE, activity_key: str = ACTIVITY,
          timestamp_key: str = TIMESTAMP) -> Loops:
    """Jumps and loops per touchpoint: rework, self-loops, back-jumps and skips.

    - *Rework*: the touchpoint occurs more than once in a case (pm4py's "rework cases per activity").
    - *Self-loop*: the touchpoint directly follows itself.
    - *Back-jump*: the journey returns to a touchpoint it already visited, coming from another one.
    - *Skip*: against a reference path (by default the most frequent variant), the case visits reference
      touchpoints before and after this one but not this one.

    Parameters
    ----------
    {log}
    reference : list of str, optional
        Reference order of touchpoints for skips; default the most frequent variant (first visits only).
    {log_keys}

    Returns
    -------
    Loops
        ``table``: one row per touchpoint, most rework first:

        - ``touchpoint``, ``events``, ``cases`` (cases visiting it).
        - ``rework_cases``: cases with it more than once; ``rework_rate`` = rework_cases / cases.
        - ``repeat_events``: events beyond the first visit in a case.
        - ``self_loops``: transitions from the touchpoint to itself.
        - ``back_jumps``: returns to the touchpoint from another one; ``back_jump_cases``.
        - ``skipped_cases``: cases that skip it (only for touchpoints on the reference path, else empty);
          ``skip_rate`` = skipped_cases / all cases.

        ``reference`` is the reference path used, ``dropped_rows`` the log rows left out (see :class:`Loops`).

    {example_helpdesk}
    >>> lp = cj.loops(log)
    >>> int(lp.table["rework_cases"].max()) > 0
    True
    """
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    acts = ev.act_stats()
    cases = acts["cases"].to_numpy()
    rework_cases = acts["rework_cases"].to_numpy()
    ref = _reference_codes(ev, reference)
    _, skipped = _skips(ev, ref)
    skipped_cases = np.full(ev.n_activities, np.nan)
    skipped_cases[ref] = skipped
    out = pd.DataFrame({
        "touchpoint": ev.activities,
        "events": acts["events"].to_numpy(),
        "cases": cases,
        "rework_cases": rework_cases,
        "rework_rate": rework_cases / np.maximum(cases, 1),
        "repeat_events": acts["repeat_events"].to_numpy(),
        "self_loops": acts["self_loops"].to_numpy(),
        "back_jumps": acts["back_jumps"].to_numpy(),
        "back_jump_cases": acts["back_jump_cases"].to_numpy(),
        "skipped_cases": pd.array(skipped_cases, dtype="Int64"),
        "skip_rate": skipped_cases / ev.n_cases,
    })
    out = out.sort_values(["rework_cases", "touchpoint"], ascending=[False, True]).reset_index(drop=True)
    return Loops(out, [str(ev.activities[i]) for i in ref], dropped_rows=dict(ev.dropped))


@share_docs
def case_loops(log: pd.DataFrame, *, reference=None, case_key: str = CASE, activity_key: str = ACTIVITY,
               timestamp_key: str = TIMESTAMP) -> pd.DataFrame:
    """Jumps and loops per case (the same measures as :func:`loops`, counted per case).

    Parameters
    ----------
    {log}
    reference : list of str, optional
        Reference order of touchpoints for skips; default the most frequent variant.
    {log_keys}

    Returns
    -------
    pandas.DataFrame
        One row per case: ``case``, ``events``, ``repeat_events`` (events revisiting a touchpoint),
        ``reworked_touchpoints`` (distinct touchpoints visited more than once), ``self_loops``,
        ``back_jumps``, ``skipped`` (reference touchpoints skipped), ``has_rework`` (bool).

    {example_helpdesk}
    >>> cl = cj.case_loops(log)
    >>> len(cl) == log["case:concept:name"].nunique()
    True
    """
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    cases = ev.cases()
    ref = _reference_codes(ev, reference)
    skipped, _ = _skips(ev, ref)
    out = pd.DataFrame({
        "case": ev.case_ids,
        "events": cases["events"].to_numpy(),
        "repeat_events": cases["repeat_events"].to_numpy(),
        "reworked_touchpoints": cases["reworked_touchpoints"].to_numpy(),
        "self_loops": cases["self_loops"].to_numpy(),
        "back_jumps": cases["back_jumps"].to_numpy(),
        "skipped": skipped,
    })
    out["has_rework"] = out["repeat_events"] > 0
    return out
