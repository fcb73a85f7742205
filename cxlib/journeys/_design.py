"""Ideal against actual journey: a designed journey written in YAML, checked case by case against the log.

Engine: DuckDB (through Ibis) gives the events at designed touchpoints in case and time order, the per-case
count of events outside the design, and the variants (replayed once each by pm4py's token-based replay). The
stage logic itself (out of order = a stage below the running maximum of the stages seen so far in the case;
re-entries; waits into a stage at its first visit) is sequence logic, done as a vectorised numpy step on that
pandas result (no Python loop over cases).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import Field

from .._docstrings import share_docs
from .._errors import CxInputError
from ..display import Result, say, show
from ..io import read_yaml
from ..io.schema import Doc, Name, NameList, Number, Text, validate_document
from ._calendar import Calendar, calendar_of, working_events, working_note
from ._engine import to_pandas
from ._events import ACTIVITY, CASE, TIMESTAMP, Events, hours, per_code, prepare
from ._results import dropped_parts, table_of
from ._variants import case_variant_codes


@dataclass(frozen=True)
class Stage:
    """One stage of a designed journey."""

    name: str
    activities: tuple[str, ...]
    optional: bool = False
    repeat: bool = False
    target_hours: float | None = None


@dataclass(frozen=True)
class Design:
    """A designed (ideal) journey: ordered stages mapped to touchpoints."""

    name: str
    stages: tuple[Stage, ...]
    path: str | None = None
    description: str = ""


def read_design(path) -> Design:
    """Read and check an ideal-journey YAML file.

    The file has a ``name`` and a list of ``stages``, in the designed order. Each stage has a ``name`` and
    ``activities`` (the touchpoints that belong to it), and optionally ``optional: true`` (may be skipped),
    ``repeat: true`` (may be visited again) and ``target_hours`` (the longest acceptable wait from the
    previous stage to this one)::

        name: Helpdesk ticket
        stages:
          - {name: Triage, activities: [Assign seriousness]}
          - {name: Take in charge, activities: [Take in charge ticket], target_hours: 24}
          - {name: Wait for customer, activities: [Wait], optional: true, repeat: true}
          - {name: Resolve, activities: [Resolve ticket], target_hours: 72}
          - {name: Close, activities: [Closed]}

    Parameters
    ----------
    path : str or Path
        The YAML file.

    Returns
    -------
    Design
        ``name``, ``stages`` (each with ``name``, ``activities``, ``optional``, ``repeat``, ``target_hours``).

    Raises
    ------
    cxlib.CxInputError
        A missing or unsafe file (see :func:`cxlib.io.read_yaml`), or a document that does not fit the schema
        (:class:`DesignDoc`): the message names the key path (``stages[2].activities``), what was found and
        what was expected; an unknown key with the closest known one.

    Examples
    --------
    >>> import cxlib.journeys as cj
    >>> d = cj.read_design("notebooks/designs/helpdesk.yml")
    >>> d.stages[0].name
    'Triage'
    """
    path = Path(path)
    return design_from_dict(read_yaml(path, what="design file"), path=path)


class StageDoc(Doc):
    """Schema of one stage in a design file."""

    name: Name = Field(description="text (the stage's name)")
    activities: NameList = Field(min_length=1, description="a non-empty list of activity names")
    optional: bool = Field(False, description="true or false (may the stage be skipped?)")
    repeat: bool = Field(False, description="true or false (may the stage be visited again?)")
    target_hours: Number | None = Field(None, gt=0, description="a positive number of hours (or null)")


class DesignDoc(Doc):
    """Schema of a design file (see :func:`read_design`)."""

    name: Name = Field("designed journey", description="text (the design's name)")
    description: Text = ""
    stages: list[StageDoc] = Field(min_length=1, description="a non-empty list of stages, each with name and "
                                                             "activities")


def design_from_dict(data, *, path=None) -> Design:
    """Check a design given as a dict (the parsed YAML); see :func:`read_design` for the format.

    The document is checked against :class:`DesignDoc`: every key is known (an unknown one is named with the
    closest known key), names are text, ``activities`` a non-empty list, ``optional``/``repeat`` true or
    false, ``target_hours`` a positive number; then each activity belongs to one stage and stage names are unique.
    Names are data: ``<script>`` is a valid stage name (it is escaped where it is drawn or shown).

    Parameters
    ----------
    data : dict
        ``{"name": ..., "stages": [{"name": ..., "activities": [...], ...}, ...]}``.
    path : str, optional
        Where it came from, for error messages.

    Returns
    -------
    Design
        The checked design.

    Raises
    ------
    cxlib.CxInputError
        Naming the file, the key path (``stages[2].activities``), what was found and what was expected.

    Examples
    --------
    >>> import cxlib.journeys as cj
    >>> cj.design_from_dict({"name": "x", "stages": [{"name": "A", "activities": ["a"]}]}).stages[0].activities
    ('a',)
    >>> cj.design_from_dict({"stages": [{"name": "A", "activities": 5}]})  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    cxlib._errors.CxInputError: stages[0].activities must be a non-empty list of activity names, got 5 ...
    """
    doc = validate_document(DesignDoc, data, path=path, what="design file" if path else "design")
    stages = []
    seen: dict[str, str] = {}
    for i, raw in enumerate(doc.stages):
        for a in raw.activities:
            if a in seen:
                raise CxInputError(f"stages[{i}].activities: activity {a!r} is in stage {seen[a]!r} and in "
                                   f"{raw.name!r}; each touchpoint belongs to one stage", path=path,
                                   column=f"stages[{i}].activities")
            seen[a] = raw.name
        stages.append(Stage(raw.name, tuple(raw.activities), raw.optional, raw.repeat, raw.target_hours))
    names = [s.name for s in stages]
    twice = [i for i, n in enumerate(names) if n in names[:i]]
    if twice:
        first = names.index(names[twice[0]])
        raise CxInputError(f"stage names must be unique; {names[first]!r} is the name of stages[{first}] and "
                           f"stages[{twice[0]}]", path=path, column="stages")
    return Design(doc.name, tuple(stages), None if path is None else str(path), doc.description)


def _design_arg(design) -> Design:
    if isinstance(design, Design):
        return design
    if isinstance(design, dict):
        return design_from_dict(design)
    return read_design(design)


def _check(ev: Events, design: Design, calendar: Calendar | None = None) -> dict:
    """All per-event and per-case arrays of the design check (internal, cached per design and calendar); with a
    calendar, ``wait_in_working`` holds the waits into the stages in working hours."""
    key = ("design", design, calendar)
    if key in ev._cache:
        return ev._cache[key]
    n_stages = len(design.stages)
    code_of = {str(a): i for i, a in enumerate(ev.activities)}
    stage_of_act = np.full(ev.n_activities, -1, dtype=np.int64)
    unknown = []
    for s, stage in enumerate(design.stages):
        for a in stage.activities:
            if a in code_of:
                stage_of_act[code_of[a]] = s
            else:
                unknown.append(a)
    if len(unknown) == sum(len(s.activities) for s in design.stages):
        raise CxInputError(
            f"none of the design's activities occur in the log (e.g. {unknown[:3]}); the log has: "
            f"{', '.join(map(str, ev.activities[:20]))}", path=design.path, column=ev.activity_key)
    # the events at designed touchpoints, in case and time order, from DuckDB; the stage logic below (a running
    # maximum of the stage within the case) is a vectorised step on that result
    t = ev.table
    design_codes = np.flatnonzero(stage_of_act >= 0).tolist()
    source = t if calendar is None else working_events(ev, calendar)  # with the working clock ``w``
    events = source.filter(source.act.isin(design_codes)).select(
        "case", "idx", "act", "ts", *([] if calendar is None else ["w"])).order_by(["case", "idx"]).pipe(to_pandas)
    outside_events = t.filter(~t.act.isin(design_codes))
    outside_df = outside_events.group_by("case").aggregate(n=outside_events.count()).pipe(to_pandas)
    st = stage_of_act[events["act"].to_numpy(dtype=np.int64)]
    cs = events["case"].to_numpy(dtype=np.int64)
    ts = events["ts"].to_numpy(dtype=np.int64)
    idx = np.arange(len(st))
    # running maximum of the stage within the case: cases come in order, so offsetting by case keeps it local
    big = n_stages + 1
    running = np.maximum.accumulate(cs * big + st) - cs * big
    prior_max = np.full(len(idx), -1, dtype=np.int64)
    same_prev = np.r_[False, cs[1:] == cs[:-1]]
    prior_max[1:] = np.where(same_prev[1:], running[:-1], -1)
    out_of_order = st < prior_max
    prev_stage = np.full(len(idx), -1, dtype=np.int64)
    prev_stage[1:] = np.where(same_prev[1:], st[:-1], -1)
    entry = st != prev_stage
    pair = cs * big + st
    first_visit = ~pd.Series(pair).duplicated().to_numpy()
    reentry = entry & ~first_visit
    repeat_ok = np.array([s.repeat for s in design.stages])
    # a stage is repeated when the case comes back to it after leaving it, or does one of its touchpoints again
    again = events.duplicated(["case", "act"]).to_numpy()
    bad_repeat = (reentry | again) & ~repeat_ok[st]
    wait = np.full(len(idx), np.nan)
    prev_ts = np.r_[0, ts[:-1]]
    has_prev = same_prev & entry & first_visit
    wait[has_prev] = hours(ts[has_prev] - prev_ts[has_prev])
    present = np.zeros((ev.n_cases, n_stages), dtype=bool)
    present[cs, st] = True
    wait_in = np.full((ev.n_cases, n_stages), np.nan)
    wait_in[cs[has_prev], st[has_prev]] = wait[has_prev]
    wait_in_working = None
    if calendar is not None:
        w = events["w"].to_numpy(dtype=np.int64)
        wait_in_working = np.full((ev.n_cases, n_stages), np.nan)
        wait_in_working[cs[has_prev], st[has_prev]] = hours(w[has_prev] - np.r_[0, w[:-1]][has_prev])
    targets = np.array([np.nan if s.target_hours is None else s.target_hours for s in design.stages])
    over = wait_in > targets[None, :]
    mandatory = ~np.array([s.optional for s in design.stages])
    skipped = ~present & mandatory[None, :]
    ooo = np.zeros((ev.n_cases, n_stages), dtype=bool)
    ooo[cs[out_of_order], st[out_of_order]] = True
    rep = np.zeros((ev.n_cases, n_stages), dtype=bool)
    rep[cs[bad_repeat], st[bad_repeat]] = True
    outside = per_code(outside_df, "case", "n", ev.n_cases)
    # backward moves between consecutive in-design events, for the picture
    back = same_prev & (st < prev_stage)
    back_pairs = pd.DataFrame({"from_stage": prev_stage[back], "to_stage": st[back]}).value_counts()
    result = {
        "stage_of_act": stage_of_act, "present": present, "skipped": skipped, "ooo": ooo, "rep": rep,
        "over": over, "wait_in": wait_in, "wait_in_working": wait_in_working, "outside_by_case": outside, "unknown_activities": unknown,
        "back_pairs": back_pairs,
    }
    ev._cache[key] = result
    return result


def _join_names(matrix: np.ndarray, names: list[str]) -> np.ndarray:
    out = np.full(matrix.shape[0], "", dtype=object)
    for j, name in enumerate(names):  # a loop over stages, not cases
        col = matrix[:, j]
        out[col] = out[col] + np.where(out[col] == "", "", "; ") + name
    return out


def _replay_fitness(ev: Events, design: Design) -> np.ndarray:
    """Token-based replay fitness per case (pm4py), computed once per variant."""
    import warnings

    from pm4py.objects.process_tree.obj import Operator, ProcessTree

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pm4py

    root = ProcessTree(operator=Operator.SEQUENCE)
    for stage in design.stages:
        if len(stage.activities) == 1:
            node = ProcessTree(label=stage.activities[0])
        else:
            node = ProcessTree(operator=Operator.XOR)
            node.children.extend(ProcessTree(label=a, parent=node) for a in stage.activities)
            for child in node.children:
                child.parent = node
        if stage.repeat:
            loop = ProcessTree(operator=Operator.LOOP)
            node.parent = loop
            loop.children.extend([node, ProcessTree(parent=loop)])
            node = loop
        if stage.optional:
            xor = ProcessTree(operator=Operator.XOR)
            node.parent = xor
            xor.children.extend([node, ProcessTree(parent=xor)])
            node = xor
        node.parent = root
        root.children.append(node)
    net, im, fm = pm4py.convert_to_petri_net(root)
    variant_of_case, sequences = case_variant_codes(ev)
    rows = []
    for v, seq in enumerate(sequences):  # one trace per variant, not per case
        for j, a in enumerate(seq):
            rows.append((f"v{v:09d}", str(ev.activities[a]), pd.Timestamp(0, tz="UTC") + pd.Timedelta(seconds=j)))
    vlog = pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "time:timestamp"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pm4py.algo.conformance.tokenreplay import algorithm as token_replay

        diag = token_replay.apply(pm4py.convert_to_event_log(vlog), net, im, fm,
                                  parameters={"show_progress_bar": False})
    fitness = np.array([d["trace_fitness"] for d in diag], dtype=float)
    if len(fitness) != len(sequences):  # pragma: no cover - pm4py changed its output
        raise RuntimeError("token-based replay returned an unexpected number of traces")
    return fitness[variant_of_case]


@share_docs
def design_conformance(log: pd.DataFrame, design, *, replay: bool = True, case_key: str = CASE,
                       activity_key: str = ACTIVITY, timestamp_key: str = TIMESTAMP) -> pd.DataFrame:
    """Per case: does the actual journey follow the designed one, and where does it depart?

    Deviations: a mandatory stage skipped; a stage *out of order* (an event of a stage after an event of a later
    stage); a stage *repeated* that the design does not allow to repeat (the case comes back to it after
    leaving it, or does one of its touchpoints a second time); touchpoints *not in the design*; a wait
    into a stage longer than its ``target_hours`` (measured at the first visit of the stage, from the previous
    event of another designed stage).

    Parameters
    ----------
    {log}
    design : Design, dict or path
        The designed journey (see :func:`read_design`).
    replay : bool, default True
        Also compute pm4py's token-based replay fitness against a Petri net built from the design (a sequence
        of stages; a stage is a choice among its activities, optional stages can be skipped, repeatable stages
        loop). Computed once per variant.
    {log_keys}

    Returns
    -------
    pandas.DataFrame
        One row per case:

        - ``case``; ``conforms``: no skipped stage, nothing out of order, no repeat that is not allowed, no
          touchpoint outside the design; ``on_time``: no wait over target.
        - ``skipped_stages``, ``out_of_order_stages``, ``repeated_stages``, ``waits_over_target``: stage names
          joined with ``"; "`` (empty when none).
        - ``not_in_design``: number of events at touchpoints outside the design.
        - ``fitness``: token-based replay fitness (0-1) from pm4py (only with ``replay=True``).

    {example_helpdesk}
    >>> c = cj.design_conformance(log, "notebooks/designs/helpdesk.yml")
    >>> bool(0 < c["conforms"].mean() < 1)
    True
    """
    design = _design_arg(design)
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    chk = _check(ev, design)
    names = [s.name for s in design.stages]
    outside = chk["outside_by_case"]
    out = pd.DataFrame({
        "case": ev.case_ids,
        "conforms": ~(chk["skipped"].any(1) | chk["ooo"].any(1) | chk["rep"].any(1)) & (outside == 0),
        "on_time": ~chk["over"].any(1),
        "skipped_stages": _join_names(chk["skipped"], names),
        "out_of_order_stages": _join_names(chk["ooo"], names),
        "repeated_stages": _join_names(chk["rep"], names),
        "waits_over_target": _join_names(chk["over"], names),
        "not_in_design": outside,
    })
    if replay:
        out["fitness"] = _replay_fitness(ev, design)
    return out


@share_docs
@dataclass
class DesignCheck(Result):
    """The designed journey stage by stage against the actual journeys, with what lies outside the design.

    Returned by :func:`design_stages`; :func:`draw_design` draws it. ``show()`` renders the design's touchpoints
    that never occur in the log (if any), the deviations per stage and the touchpoints outside the design.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per stage, in design order; the columns are listed in :func:`design_stages`.
    design : str
        The design's name.
    outside : pandas.DataFrame
        Touchpoints of the log outside the design, most events first: ``touchpoint``, ``events``, ``cases``.
    backward : pandas.DataFrame
        Moves back to an earlier stage: ``from_stage``, ``to_stage``, ``moves``.
    unknown_activities : list of str
        Touchpoints the design names that never occur in the log.
    cases_total : int
        All cases.
    {dropped_rows}
    working_note : str
        The working-hours calendar of the ``*_working_*`` columns and its closed days (empty without one).

    {example_helpdesk}
    >>> st = cj.design_stages(log, "notebooks/designs/helpdesk.yml")
    >>> st.design, st.unknown_activities, st.outside.columns.tolist()
    ('Help-desk ticket (designed)', [], ['touchpoint', 'events', 'cases'])
    """

    table: pd.DataFrame
    design: str
    outside: pd.DataFrame
    backward: pd.DataFrame
    unknown_activities: list
    cases_total: int
    dropped_rows: dict = field(default_factory=dict)
    working_note: str = ""

    def parts(self) -> list:
        """Design touchpoints missing from the log, deviations per stage, touchpoints outside the design."""
        out = [say("{w}", w=self.working_note)] if self.working_note else []
        if self.unknown_activities:
            out.append(say("The design names touchpoints that never occur in this log: {u}.",
                           u=", ".join(self.unknown_activities)))
        out.append(show(self.table, caption="Deviations per stage"))
        if len(self.outside):
            out.append(show(self.outside, caption="Touchpoints outside the design"))
        return out + dropped_parts(self.dropped_rows)


@share_docs
def design_stages(log: pd.DataFrame, design, *, calendar=None, case_key: str = CASE,
                  activity_key: str = ACTIVITY, timestamp_key: str = TIMESTAMP) -> DesignCheck:
    """Per stage of the design: how often actual journeys reach, skip, reorder, repeat it or wait too long.

    Parameters
    ----------
    {log}
    design : Design, dict or path
        The designed journey (see :func:`read_design`).
    {calendar}
    {log_keys}

    Returns
    -------
    DesignCheck
        ``table``: one row per stage, in design order:

        - ``stage``, ``activities`` (joined with ``", "``), ``optional``, ``repeat``, ``target_hours``.
        - ``cases_reached``, ``reach_rate`` (of all cases).
        - ``skipped_cases``, ``skip_rate``: cases missing a mandatory stage (0 for optional ones).
        - ``out_of_order_cases``, ``out_of_order_rate``; ``repeated_cases``, ``repeat_rate`` (repeats the
          design does not allow).
        - ``median_wait_in_h``: median wait into the stage; ``over_target_cases``, ``over_target_rate``
          (of the cases with a measured wait; empty without a target).
        - with a ``calendar``: ``median_working_wait_in_h`` and ``over_target_working_rate`` (the same wait in
          working hours against the target, as a service level counts it).
        - ``deviation_rate``: share of all cases with any deviation at this stage.

        ``outside``: touchpoints outside the design (``touchpoint``, ``events``, ``cases``); ``backward``: moves
        back to an earlier stage (``from_stage``, ``to_stage``, ``moves``); ``unknown_activities``: touchpoints
        of the design that never occur in the log; ``design``, ``cases_total`` and ``dropped_rows`` (see
        :class:`DesignCheck`).

    {example_helpdesk}
    >>> cj.design_stages(log, "notebooks/designs/helpdesk.yml").table["stage"].tolist()[0]
    'Triage'
    """
    design = _design_arg(design)
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    cal = calendar_of(calendar)
    chk = _check(ev, design, cal)
    n = ev.n_cases
    has_wait = ~np.isnan(chk["wait_in"])
    med = pd.DataFrame(chk["wait_in"]).median(axis=0).to_numpy()  # NaN (no wait measured) is skipped
    any_dev = chk["skipped"] | chk["ooo"] | chk["rep"] | chk["over"]
    out = pd.DataFrame({
        "stage": [s.name for s in design.stages],
        "activities": [", ".join(s.activities) for s in design.stages],
        "optional": [s.optional for s in design.stages],
        "repeat": [s.repeat for s in design.stages],
        "target_hours": [s.target_hours for s in design.stages],
        "cases_reached": chk["present"].sum(0),
        "reach_rate": chk["present"].mean(0),
        "skipped_cases": chk["skipped"].sum(0),
        "skip_rate": chk["skipped"].mean(0),
        "out_of_order_cases": chk["ooo"].sum(0),
        "out_of_order_rate": chk["ooo"].mean(0),
        "repeated_cases": chk["rep"].sum(0),
        "repeat_rate": chk["rep"].mean(0),
        "median_wait_in_h": med,
        "over_target_cases": chk["over"].sum(0),
        "over_target_rate": chk["over"].sum(0) / np.maximum(has_wait.sum(0), 1),
        "deviation_rate": any_dev.sum(0) / n,
    })
    if cal is not None:
        working = chk["wait_in_working"]
        targets = out["target_hours"].to_numpy(dtype=np.float64)
        out.insert(out.columns.get_loc("over_target_cases"), "median_working_wait_in_h",
                   pd.DataFrame(working).median(axis=0).to_numpy())
        out.insert(out.columns.get_loc("deviation_rate"), "over_target_working_rate",
                   (working > targets[None, :]).sum(0) / np.maximum(has_wait.sum(0), 1))
        out.loc[out["target_hours"].isna(), "over_target_working_rate"] = np.nan
    out.loc[out["target_hours"].isna(), ["over_target_cases", "over_target_rate"]] = np.nan
    outside_acts = np.flatnonzero(chk["stage_of_act"] < 0)
    acts = ev.act_stats()
    o_events = acts["events"].to_numpy()
    o_cases = acts["cases"].to_numpy()
    outside = pd.DataFrame({"touchpoint": ev.activities[outside_acts], "events": o_events[outside_acts],
                            "cases": o_cases[outside_acts]}).sort_values("events", ascending=False)
    names = [s.name for s in design.stages]
    bp = chk["back_pairs"]
    backward = pd.DataFrame({
        "from_stage": [names[i] for i, _ in bp.index], "to_stage": [names[j] for _, j in bp.index],
        "moves": bp.to_numpy()}) if len(bp) else pd.DataFrame(columns=["from_stage", "to_stage", "moves"])
    return DesignCheck(out, design.name, outside.reset_index(drop=True), backward,
                       list(chk["unknown_activities"]), int(n), dropped_rows=dict(ev.dropped),
                       working_note="" if cal is None else working_note(ev, cal))


@share_docs
def draw_design(stages: DesignCheck | pd.DataFrame, *, title: str | None = None, alert: float = 0.1):
    """Graphviz picture of the designed journey with the actual deviations on it.

    Stages run left to right (dashed border: optional; ↻: may repeat). Each stage shows how many cases reached
    it and its skip, out-of-order and over-target rates; a stage is red when its deviation rate is at least
    ``alert``. Red dashed arrows are moves back to an earlier stage (with counts); a grey note lists the
    touchpoints outside the design.

    Parameters
    ----------
    stages : DesignCheck or pandas.DataFrame
        The result of :func:`design_stages`, or its ``table`` (then without backward moves and touchpoints
        outside the design).
    title : str, optional
        Caption under the picture.
    alert : float, default 0.1
        Deviation rate from which a stage is drawn red.

    Returns
    -------
    graphviz.Digraph
        Render with ``.pipe(format="svg")``.

    {example_helpdesk}
    >>> g = cj.draw_design(cj.design_stages(log, "notebooks/designs/helpdesk.yml"))
    >>> g.pipe(format="svg")[:5] == b"<?xml"
    True
    """
    import graphviz

    check = stages if isinstance(stages, DesignCheck) else None
    stages = table_of(stages, DesignCheck)

    def text(value) -> str:
        """Names are data: HTML entities escaped (dot reads ``&...;`` in plain labels) and backslashes made
        literal, so ``<script>``, quotes, ``\\`` and braces are drawn as written."""
        return graphviz.escape(html.escape(str(value)))

    g = graphviz.Digraph("design", graph_attr={"rankdir": "LR", "fontname": "Helvetica", "fontsize": "11"},
                         node_attr={"fontname": "Helvetica", "fontsize": "10", "shape": "box", "style": "rounded"},
                         edge_attr={"fontname": "Helvetica", "fontsize": "9"})
    if title:
        g.attr(label=text(title), labelloc="b")
    ids = {}
    prev = None
    for i, row in stages.reset_index(drop=True).iterrows():
        ids[row["stage"]] = f"s{i}"
        lines = [f"{text(row['stage'])}{' ↻' if row['repeat'] else ''}",
                 f"reached {row['reach_rate']:.0%}"]
        if not row["optional"]:
            lines.append(f"skipped {row['skip_rate']:.1%}")
        lines.append(f"out of order {row['out_of_order_rate']:.1%}")
        if row["repeated_cases"]:
            lines.append(f"repeated {row['repeat_rate']:.1%}")
        if pd.notna(row["target_hours"]):
            lines.append(f"over {row['target_hours']:g}h target {row['over_target_rate']:.1%}")
        red = row["deviation_rate"] >= alert
        g.node(f"s{i}", label="\n".join(lines), style="rounded,dashed,filled" if row["optional"] else "rounded,filled",
               fillcolor="#f8d7da" if red else "#e8f1e4", color="#b2182b" if red else "#4d7a3a")
        if prev is not None:
            g.edge(prev, f"s{i}", color="#4d7a3a")
        prev = f"s{i}"
    backward = check.backward if check is not None else pd.DataFrame(columns=["from_stage", "to_stage", "moves"])
    for source, target, moves in zip(backward["from_stage"], backward["to_stage"], backward["moves"]):
        if source in ids and target in ids:
            g.edge(ids[source], ids[target], label=f"back {moves:,}", style="dashed", color="#b2182b",
                   fontcolor="#b2182b", constraint="false")
    outside = check.outside if check is not None else pd.DataFrame(columns=["touchpoint", "events", "cases"])
    if len(outside):
        top = outside.head(6)
        note = "not in design:\n" + "\n".join(f"{text(t)} ({e:,})" for t, e in
                                                zip(top["touchpoint"], top["events"]))
        if len(outside) > 6:
            note += f"\n… {len(outside) - 6} more"
        g.node("outside", label=note, shape="note", color="#888888", fontcolor="#555555")
    return g

