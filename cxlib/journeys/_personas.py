"""Personas from behaviour: groups of cases (or customers) that travel alike, with what sets each apart.

Features of a case: the touchpoints it visits and the transitions it takes (the most common ones; together they
carry the order), its events, throughput, median wait, repeated visits and hand-offs (on a log scale), its
channel, and, when feedback is linked, its score and topics. A customer's features are the means over its cases
plus its number of cases and its re-contact rate. Each feature is standardized (mean 0, variance 1) and each
block of features (touchpoints, transitions, measures, channels, feedback) is weighted by one over the square
root of its size, so that every block weighs the same whatever its number of columns.

Groups are k-means clusters. The number of groups is chosen by a stated criterion: for each k from 2 to
``max_groups`` the clustering is repeated with other seeds and on subsamples, its *stability* is the smaller of
the mean adjusted Rand index (ARI) against the reference clustering across seeds and across subsamples, and the
chosen k has the highest silhouette among those with a stability of at least ``min_stability`` (the most stable
k when none reaches it).

Engine: the feature inputs (visits, transitions, per-case waits and counts, hand-offs, re-contacts) are Ibis
aggregations on DuckDB over the enriched event table; only the per-case results come back, and the clustering
(scikit-learn) runs on that matrix.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from .._docstrings import share_docs
from .._errors import CxInputError
from ..display import Result, say, show
from ._customers import case_journeys
from ._engine import to_pandas
from ._events import ACTIVITY, CASE, RESOURCE, TIMESTAMP, Events, prepare, wait_h
from ._hidden import _handoff_by_case
from ._map import _edges
from ._results import dropped_parts
from ._variants import SEPARATOR, case_variant_codes

PERSONA = "persona"
_BLOCK_NAMES = {"touchpoint": "visits", "transition": "takes", "measure": "", "channel": "channel",
                "feedback": "feedback"}
# how a persona is named after a measure that sets it apart: (word when higher, word when lower, what)
_NAME_WORDS = {"events": ("more", "fewer", "events"), "throughput_h": ("longer", "shorter", "journeys"),
               "median_wait_h": ("longer", "shorter", "waits"), "repeat_events": ("more", "fewer", "repeated visits"),
               "handoffs": ("more", "fewer", "hand-offs"), "cases": ("more", "fewer", "cases"),
               "recontact_rate": ("more", "fewer", "re-contacts"), "score": ("higher", "lower", "scores")}
_MEASURES = {"events": "events", "throughput_h": "throughput (h)", "median_wait_h": "median wait (h)",
             "repeat_events": "repeated visits", "handoffs": "hand-offs", "cases": "cases",
             "recontact_rate": "re-contact rate"}


def _case_features(ev: Events, *, top_touchpoints: int, top_transitions: int, resource_key: str | None,
                   channel_key: str | None) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Per case code: the feature matrix (columns named ``block:label``) as a DataFrame, the raw measures
    (unscaled, for descriptions) and the block of each column."""
    n = ev.n_cases
    acts = ev.act_stats()
    top_acts = np.argsort(-acts["cases"].to_numpy(), kind="stable")[:top_touchpoints]
    firsts = ev.firsts()
    visits = firsts.filter(firsts.act.isin(top_acts.tolist())).select("case", "act").pipe(to_pandas)
    columns, blocks = {}, {}
    case_codes = visits["case"].to_numpy(dtype=np.int64)
    act_codes = visits["act"].to_numpy(dtype=np.int64)
    for a in top_acts:
        col = np.zeros(n)
        col[case_codes[act_codes == a]] = 1.0
        name = f"touchpoint:{ev.activities[a]}"
        columns[name], blocks[name] = col, "touchpoint"
    edges = _edges(ev)
    trans = edges[edges["kind"] == "transition"].sort_values(["cases", "source", "target"],
                                                               ascending=[False, True, True]).head(top_transitions)
    code_of = {name: i for i, name in enumerate(ev.activities)}
    pairs = [(code_of[s], code_of[t]) for s, t in zip(trans["source"], trans["target"])]
    if pairs:
        m = ev.moves()
        keys = [s * ev.n_activities + t for s, t in pairs]
        taken = m.filter((m.act.cast("int64") * ev.n_activities + m.next_act).isin(keys)).select(
            "case", e=m.act.cast("int64") * ev.n_activities + m.next_act).distinct().pipe(to_pandas)
        tc = taken["case"].to_numpy(dtype=np.int64)
        te = taken["e"].to_numpy(dtype=np.int64)
        for (s, t), k in zip(pairs, keys):
            col = np.zeros(n)
            col[tc[te == k]] = 1.0
            name = f"transition:{ev.activities[s]}{SEPARATOR}{ev.activities[t]}"
            columns[name], blocks[name] = col, "transition"
    cases = ev.cases()
    m = ev.moves()
    waits = m.group_by("case").aggregate(w=wait_h(m.next_ts, m.ts).median()).pipe(to_pandas)
    median_wait = np.zeros(n)
    median_wait[waits["case"].to_numpy(dtype=np.int64)] = waits["w"].to_numpy(dtype=np.float64)
    raw = {"events": cases["events"].to_numpy(dtype=np.float64),
           "throughput_h": cases["throughput_h"].to_numpy(dtype=np.float64),
           "median_wait_h": median_wait,
           "repeat_events": cases["repeat_events"].to_numpy(dtype=np.float64)}
    if resource_key is not None and resource_key in ev.log.columns:
        raw["handoffs"] = _handoff_by_case(ev, resource_key)["handoffs"].to_numpy(dtype=np.float64)
    for name, values in raw.items():
        columns[f"measure:{name}"], blocks[f"measure:{name}"] = np.log1p(np.maximum(values, 0)), "measure"
    if channel_key is not None:
        values = ev.case_values(channel_key).astype(object).where(lambda s: s.notna(), "(missing)").astype(str)
        for value in sorted(values.unique()):
            name = f"channel:{value}"
            columns[name], blocks[name] = (values.to_numpy() == value).astype(float), "channel"
    return pd.DataFrame(columns), pd.DataFrame(raw), blocks


def _feedback_features(feedback: pd.DataFrame, ids: pd.Index, *, key: str, score: str | None, topic: str | None,
                       top_topics: int) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Per unit (``ids``): mean score (missing = the overall mean) and topic shares of its feedback."""
    for col in (key, score, topic):
        if col is not None and col not in feedback.columns:
            raise CxInputError(f"the feedback has no column {col!r}; it has: {', '.join(map(str, feedback.columns))}",
                               column=col)
    fb = feedback[feedback[key].notna()].copy()
    fb["_unit"] = fb[key].astype(str)
    columns, raw, blocks = {}, {}, {}
    unit_index = pd.Index(ids.astype(str))
    if score is not None:
        values = pd.to_numeric(fb[score], errors="coerce")
        mean = values.groupby(fb["_unit"]).mean().reindex(unit_index)
        raw["score"] = mean.to_numpy()
        columns["feedback:score"] = mean.fillna(values.mean()).to_numpy()
        blocks["feedback:score"] = "feedback"
    if topic is not None:
        topics = fb[topic].dropna().astype(str)
        for value in topics.value_counts().index[:top_topics]:
            share = (topics == value).groupby(fb.loc[topics.index, "_unit"]).mean().reindex(unit_index).fillna(0)
            columns[f"feedback:topic {value}"] = share.to_numpy()
            blocks[f"feedback:topic {value}"] = "feedback"
    raw["feedback_documents"] = fb["_unit"].value_counts().reindex(unit_index).fillna(0).to_numpy()
    return pd.DataFrame(columns), pd.DataFrame(raw), blocks


def _scale(features: pd.DataFrame, blocks: dict) -> tuple[np.ndarray, list[str]]:
    """Standardized features, each block weighted by 1/sqrt(its size); constant columns dropped."""
    std = features.std(axis=0, ddof=0).to_numpy()
    kept = [c for c, s in zip(features.columns, std) if s > 1e-12]
    if not kept:
        raise CxInputError("every journey feature is the same for all units: there is nothing to group by")
    x = features[kept].to_numpy(dtype=np.float64)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    sizes = pd.Series([blocks[c] for c in kept]).value_counts()
    weights = np.array([1 / np.sqrt(sizes[blocks[c]]) for c in kept])
    return x * weights, kept


def _kmeans(x: np.ndarray, k: int, seed: int, n_init: int = 4):
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(x)


def _select(x: np.ndarray, groups, max_groups: int, seeds: int, subsample: float, min_stability: float,
            seed: int, progress: bool) -> tuple[pd.DataFrame, int, np.ndarray]:
    """The stability and silhouette of each k, the chosen k and its labels."""
    from sklearn.metrics import adjusted_rand_score, silhouette_score
    from threadpoolctl import threadpool_limits
    from tqdm.auto import tqdm

    # one thread: on a few thousand points, k-means' threads cost more than they save (20 times slower on a
    # busy two-core machine)
    with threadpool_limits(1):
        return _select_k(x, groups, max_groups, seeds, subsample, min_stability, seed, progress,
                         adjusted_rand_score, silhouette_score, tqdm)


def _select_k(x, groups, max_groups, seeds, subsample, min_stability, seed, progress, adjusted_rand_score,
              silhouette_score, tqdm):

    n = len(x)
    candidates = [groups] if groups is not None else list(range(2, min(max_groups, n - 1) + 1))
    rng = np.random.default_rng(seed)
    rows, labels_of = [], {}
    for k in tqdm(candidates, desc="personas: k", disable=not progress or len(candidates) < 2):
        ref = _kmeans(x, k, seed, n_init=10)
        labels = ref.labels_
        labels_of[k] = labels
        seed_ari = [adjusted_rand_score(labels, _kmeans(x, k, seed + 1 + s).labels_) for s in range(seeds)]
        sub_ari = []
        for _ in range(seeds):
            rows_sub = rng.choice(n, size=max(round(subsample * n), k + 1), replace=False)
            fit = _kmeans(x[rows_sub], k, int(rng.integers(2**31)))
            sub_ari.append(adjusted_rand_score(labels, fit.predict(x)))
        sil = (silhouette_score(x, labels, sample_size=min(n, 3000), random_state=seed)
               if 1 < len(np.unique(labels)) < n else np.nan)
        rows.append({"groups": k, "silhouette": float(sil), "seed_ari": float(np.mean(seed_ari)),
                     "subsample_ari": float(np.mean(sub_ari)),
                     "stability": float(min(np.mean(seed_ari), np.mean(sub_ari)))})
    table = pd.DataFrame(rows)
    stable = table[table["stability"] >= min_stability]
    if groups is not None:
        chosen = groups
    elif len(stable):
        chosen = int(stable.sort_values(["silhouette", "groups"], ascending=[False, True])["groups"].iloc[0])
    else:
        chosen = int(table.sort_values(["stability", "groups"], ascending=[False, True])["groups"].iloc[0])
    table["chosen"] = table["groups"] == chosen
    return table, chosen, labels_of[chosen]


def _feature_label(name: str) -> tuple[str, str]:
    block, label = name.split(":", 1)
    return block, label


def _fmt(value: float, block: str, name: str) -> str:
    if block in ("touchpoint", "transition", "channel") or name.startswith("topic "):
        return f"{value:.0%}"
    return f"{value:,.1f}"


@share_docs
@dataclasses.dataclass
class Personas(Result):
    """Personas from behaviour: groups of cases or customers that travel alike, each described by what sets it
    apart, with the check of their stability and how their number was chosen.

    Returned by :func:`personas`. ``show()`` renders the criterion and the stability, one sentence per persona
    and the persona table. :meth:`assign` adds the persona to a log as a column, so that it can be used as a
    segment anywhere (``segments(log, by="persona")``, ``segment_differences``, ``filter_cases``).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per persona, largest first; the columns are listed in :func:`personas`.
    profiles : pandas.DataFrame
        Every feature of every persona against everyone else: ``persona``, ``block``, ``feature``, ``value``
        (the persona's share or median), ``others`` (the same for all other units), ``difference``.
    selection : pandas.DataFrame
        One row per number of groups tried: ``groups``, ``silhouette``, ``seed_ari``, ``subsample_ari``,
        ``stability``, ``chosen``.
    labels : pandas.DataFrame
        One row per unit: the unit id (``case`` or the customer key) and ``persona``.
    unit : str
        ``"case"`` or ``"customer"``.
    unit_key : str
        The column of the log that identifies a unit (the case key or the customer key).
    groups : int
        The number of personas.
    criterion : str
        How the number of groups was chosen, in words.
    stability : float
        The chosen clustering's stability (smaller of the mean ARI across seeds and across subsamples).
    features : list of str
        The features used (``block:label``).
    {dropped_rows}

    {example_helpdesk}
    >>> p = cj.personas(log, groups=3, seeds=2)
    >>> p.groups, int(p.table["units"].sum()), p.unit
    (3, 4580, 'case')
    """

    table: pd.DataFrame
    profiles: pd.DataFrame
    selection: pd.DataFrame
    labels: pd.DataFrame
    unit: str
    unit_key: str
    groups: int
    criterion: str
    stability: float
    features: list
    dropped_rows: dict = dataclasses.field(default_factory=dict)

    def assign(self, log: pd.DataFrame, *, column: str = PERSONA) -> pd.DataFrame:
        """A copy of ``log`` with each row's persona in ``column`` (by its case or customer), to use as a segment.

        Parameters
        ----------
        log : pandas.DataFrame
            The event log the personas were made from (or another with the same case or customer ids).
        column : str, default "persona"
            The new column.

        Returns
        -------
        pandas.DataFrame
            The log with ``column`` (empty for rows whose case or customer has no persona).
        """
        if self.unit_key not in log.columns:
            raise CxInputError(f"the log has no column {self.unit_key!r} to match the personas by",
                               column=self.unit_key)
        ids = self.labels.iloc[:, 0]
        mapping = pd.Series(self.labels[PERSONA].to_numpy(), index=ids.astype(str).to_numpy())
        out = log.copy()
        out[column] = log[self.unit_key].astype(str).map(mapping).where(log[self.unit_key].notna())
        return out

    def parts(self) -> list:
        """The criterion and stability, one sentence per persona, the persona table and the selection."""
        out = [say("{g} personas of {u}s from their journeys. {c} Stability of the chosen grouping: {s:.3f} "
                   "(adjusted Rand index, 1 = the same groups every time).", g=self.groups, u=self.unit,
                   # truncated, not rounded: 0.7996 must not read as the threshold 0.800 it missed
                   c=self.criterion, s=np.floor(self.stability * 1000) / 1000)]
        out += [say("<b>{p}</b>: {d}", p=p, d=d) for p, d in zip(self.table[PERSONA], self.table["description"])]
        out.append(show(self.table.drop(columns=["description"]), caption="Personas"))
        out.append(show(self.selection, caption="Number of groups: silhouette and stability"))
        return out + dropped_parts(self.dropped_rows)


@share_docs
def personas(log: pd.DataFrame, *, unit: str = "case", groups: int | None = None, max_groups: int = 8,
             customer_key: str | None = None, channel_key: str | None = None, resource_key: str | None = RESOURCE,
             feedback: pd.DataFrame | None = None, feedback_key: str = "case_id", score: str | None = "score",
             topic: str | None = "topic", top_touchpoints: int = 20, top_transitions: int = 20,
             window_days: float = 7.0, ended_at=None, seeds: int = 4, subsample: float = 0.8, min_stability: float = 0.8,
             seed: int = 0, progress: bool = False, case_key: str = CASE, activity_key: str = ACTIVITY,
             timestamp_key: str = TIMESTAMP) -> Personas:
    """Personas from behaviour: cluster cases or customers on their journey features and describe each group by
    what sets it apart.

    The features, the scaling, the clustering and the criterion for the number of groups are described in
    docs/methods.md ("Personas"): visits and transitions (the most common ones), events,
    throughput, median wait, repeated visits and hand-offs (log scale), channel, and with ``feedback`` the mean
    score and the topic shares; each block of features weighs the same; k-means; the number of groups with the
    highest silhouette among those whose stability across seeds and subsamples is at least ``min_stability``.

    Parameters
    ----------
    {log}
    unit : {"case", "customer"}, default "case"
        Group cases, or customers (their cases' features averaged, plus their number of cases and re-contact
        rate; needs ``customer_key``).
    groups : int, optional
        The number of personas; chosen by the criterion when not given.
    max_groups : int, default 8
        The largest number of groups tried.
    customer_key : str, optional
        Customer id column (read at each case's first event); needed for ``unit="customer"``.
    channel_key : str, optional
        Channel column (read at each case's first event): adds the channel as features.
    resource_key : str or None, default "org:resource"
        Column for hand-offs (left out when ``None`` or missing).
    feedback : pandas.DataFrame, optional
        Feedback linked to the units: one row per feedback document (or response) with ``feedback_key`` (a
        case id, or a customer id for customers) and ``score`` and/or ``topic``.
    feedback_key, score, topic : str
        Columns of ``feedback``; ``score`` or ``topic`` ``None`` (or missing from the table when left at their
        defaults) leaves them out.
    top_touchpoints, top_transitions : int, default 20
        How many of the most common touchpoints and transitions become features.
    window_days : float, default 7
        Re-contact window of the customers' re-contact rate (see :func:`customer_journeys`).
    ended_at : str or list of str, optional
        Touchpoints at which a case ends for the customer (see :func:`customer_journeys`).
    seeds : int, default 4
        Repeats of the clustering with other seeds, and on subsamples, for the stability check.
    subsample : float, default 0.8
        Share of the units in each subsample.
    min_stability : float, default 0.8
        The lowest stability (mean adjusted Rand index) at which a number of groups may be chosen.
    seed : int, default 0
        Seed of the reference clustering and of the subsamples (the same seed gives the same personas).
    progress : bool, default False
        Show a progress bar over the numbers of groups tried.
    {log_keys}

    Returns
    -------
    Personas
        ``table``: one row per persona, largest first: ``persona`` (``"P1: with Wait"``: its number and its
        most distinctive feature), ``units`` (cases or customers), ``share``, ``typical_path`` (the most
        frequent variant of its cases) and ``typical_path_share`` (of its cases), ``distinctive`` (the three
        features that differ most from everyone else, with both values), ``median_throughput_h``,
        ``events_per_case``, ``repeat_share`` (cases with a repeated visit), ``handoffs_per_case`` (with a
        resource column), ``recontact_rate`` (customers), ``mean_score`` (with feedback) and ``description``
        (the persona in plain words). ``profiles``, ``selection``, ``labels`` and the notes are described in
        :class:`Personas`.

    Raises
    ------
    cxlib.CxInputError
        An unknown ``unit``, ``unit="customer"`` without ``customer_key``, missing columns, or fewer than
        three units.

    {example_helpdesk}
    >>> p = cj.personas(log, groups=2, seeds=2)
    >>> seg = cj.segments(p.assign(log), by="persona")
    >>> sorted(seg.table["segment"]) == sorted(p.table["persona"])
    True
    """
    if unit not in ("case", "customer"):
        raise CxInputError(f"unit must be 'case' or 'customer', got {unit!r}", column="unit")
    if unit == "customer" and customer_key is None:
        raise CxInputError("unit='customer' needs the customer_key column", column="customer_key")
    if groups is not None and groups < 2:
        raise CxInputError(f"groups must be at least 2, got {groups}")
    if not 0 < subsample < 1:
        raise CxInputError(f"subsample must be a share in (0, 1), got {subsample}")
    ev = prepare(log, case_key=case_key, activity_key=activity_key, timestamp_key=timestamp_key)
    for col in (customer_key, channel_key):
        if col is not None:
            ev._column(col)
    features, raw, blocks = _case_features(ev, top_touchpoints=top_touchpoints, top_transitions=top_transitions,
                                           resource_key=resource_key, channel_key=channel_key)
    variant_of_case, sequences = case_variant_codes(ev)
    if unit == "customer":
        table, info = case_journeys(ev, customer_key, channel_key, window_days, "journey", ended_at)
        per_case = table.select("case", "cust", "recontact").pipe(to_pandas)
        unit_of_case = np.full(ev.n_cases, -1, dtype=np.int64)
        unit_of_case[per_case["case"].to_numpy(dtype=np.int64)] = per_case["cust"].to_numpy(dtype=np.int64)
        has = unit_of_case >= 0
        n_units = len(info["customers"])
        groups_of = pd.Series(unit_of_case[has])
        features = features[has].groupby(groups_of.to_numpy()).mean().reindex(range(n_units))
        recontacts = np.zeros(ev.n_cases)
        recontacts[per_case["case"].to_numpy(dtype=np.int64)] = per_case["recontact"].to_numpy(dtype=float)
        raw_case = raw.assign(recontact=recontacts)[has]
        raw = raw_case.groupby(groups_of.to_numpy()).median().reindex(range(n_units))
        counts = np.bincount(unit_of_case[has], minlength=n_units).astype(float)
        raw["cases"] = counts
        raw["recontact_rate"] = raw_case["recontact"].groupby(groups_of.to_numpy()).mean().reindex(range(n_units))
        raw = raw.drop(columns=["recontact"])
        features["measure:cases"] = np.log1p(counts)
        features["measure:recontact_rate"] = raw["recontact_rate"].to_numpy()
        blocks.update({"measure:cases": "measure", "measure:recontact_rate": "measure"})
        ids = pd.Index(info["customers"], name=customer_key)
        unit_key = customer_key
    else:
        unit_of_case = np.arange(ev.n_cases)
        ids = pd.Index(ev.case_ids, name=case_key)
        unit_key = case_key
    if feedback is not None:
        if not isinstance(feedback, pd.DataFrame):
            raise CxInputError(f"feedback must be a pandas DataFrame, got {type(feedback).__name__}")
        score_col = score if score is None or score in feedback.columns or score != "score" else None
        topic_col = topic if topic is None or topic in feedback.columns or topic != "topic" else None
        fb_features, fb_raw, fb_blocks = _feedback_features(feedback, ids, key=feedback_key, score=score_col,
                                                            topic=topic_col, top_topics=8)
        features = pd.concat([features.reset_index(drop=True), fb_features], axis=1)
        raw = pd.concat([raw.reset_index(drop=True), fb_raw], axis=1)
        blocks.update(fb_blocks)
    if len(features) < 3:
        raise CxInputError(f"personas need at least three {unit}s, got {len(features)}")
    x, kept = _scale(features, blocks)
    selection, k, labels = _select(x, groups, max_groups, seeds, subsample, min_stability, seed, progress)
    # persona 1 is the largest; ties by the smallest unit in the group
    sizes = np.bincount(labels, minlength=k)
    order = sorted(range(k), key=lambda g: (-sizes[g], int(np.flatnonzero(labels == g)[0])))
    rank = np.empty(k, dtype=np.int64)
    rank[order] = np.arange(k)
    labels = rank[labels]
    table, profiles = _describe(ev, labels, k, features, raw, blocks, unit, unit_of_case, variant_of_case,
                                sequences)
    names = table[PERSONA].to_numpy()
    if groups is not None:
        criterion = f"The number of groups was given ({groups})."
    else:
        row = selection[selection["chosen"]].iloc[0]
        reached = selection["stability"] >= min_stability
        criterion = (f"{k} groups: the highest silhouette ({row['silhouette']:.2f}) among the numbers of groups "
                     f"from 2 to {int(selection['groups'].max())} whose stability is at least {min_stability:g}."
                     if reached.any() else
                     f"{k} groups: no number of groups from 2 to {int(selection['groups'].max())} reached a "
                     f"stability of {min_stability:g}, so the most stable was taken.")
    stability = float(selection.loc[selection["groups"] == k, "stability"].iloc[0])
    label_frame = pd.DataFrame({unit_key: np.asarray(ids, dtype=object), PERSONA: names[labels]})
    return Personas(table, profiles, selection, label_frame, unit, unit_key, int(k), criterion, stability,
                    kept, dropped_rows=dict(ev.dropped))


def _describe(ev: Events, labels: np.ndarray, k: int, features: pd.DataFrame, raw: pd.DataFrame, blocks: dict,
              unit: str, unit_of_case: np.ndarray, variant_of_case: np.ndarray, sequences) -> tuple:
    """The persona table (with names and descriptions) and the long profile table."""
    profile_rows = []
    binary = [c for c in features.columns if blocks[c] in ("touchpoint", "transition", "channel")
              or c.startswith("feedback:topic ")]
    for g in range(k):
        inside = labels == g
        for col in features.columns:
            block, label = _feature_label(col)
            if col in binary:
                value, others = features.loc[inside, col].mean(), features.loc[~inside, col].mean()
            else:
                name = col.split(":", 1)[1]
                source = raw[name] if name in raw.columns else features[col]
                value, others = source[inside].median(), source[~inside].median()
            profile_rows.append({"persona": g, "block": block, "feature": label, "value": float(value),
                                 "others": float(others) if (~inside).any() else np.nan})
    profiles = pd.DataFrame(profile_rows)
    profiles["difference"] = profiles["value"] - profiles["others"]
    # distinctive: shares by their difference in points, measures by their relative difference
    rel = np.where(profiles["block"].isin(["touchpoint", "transition", "channel"])
                   | profiles["feature"].str.startswith("topic "),
                   profiles["difference"].abs(),
                   (profiles["difference"].abs() / np.maximum(profiles[["value", "others"]].abs().max(axis=1), 1e-9))
                   .clip(upper=1.0) * 0.5)
    profiles["_strength"] = rel
    rows = []
    names = []
    for g in range(k):
        inside = labels == g
        p = profiles[profiles["persona"] == g].sort_values(["_strength", "feature"], ascending=[False, True])
        top = p.head(3)
        first = top.iloc[0]
        if first["block"] in ("touchpoint", "transition", "channel") or first["feature"].startswith("topic "):
            name = f"P{g + 1}: {'with' if first['difference'] > 0 else 'without'} {first['feature']}"
        else:
            up, down, what = _NAME_WORDS.get(first["feature"], ("more", "less", first["feature"]))
            name = f"P{g + 1}: {up if first['difference'] > 0 else down} {what}"
        names.append(name)
        cases_in = np.isin(unit_of_case, np.flatnonzero(inside)) if unit == "customer" else inside
        var = variant_of_case[cases_in]
        counts = np.bincount(var, minlength=len(sequences)) if len(var) else np.zeros(1, dtype=int)
        typical = int(np.argmax(counts))
        path = SEPARATOR.join(map(str, ev.activity_names(list(sequences[typical])))) if len(var) else ""
        distinctive = "; ".join(
            f"{_BLOCK_NAMES[r.block] + ' ' if _BLOCK_NAMES.get(r.block) else ''}"
            f"{_MEASURES.get(r.feature, r.feature)} {_fmt(r.value, r.block, r.feature)} vs "
            f"{_fmt(r.others, r.block, r.feature)}" for r in top.itertuples())
        row = {PERSONA: name, "units": int(inside.sum()), "share": float(inside.mean()), "typical_path": path,
               "typical_path_share": float(counts[typical] / max(len(var), 1)), "distinctive": distinctive,
               "median_throughput_h": float(np.median(raw["throughput_h"].to_numpy()[inside]))}
        cases = ev.cases()
        row["events_per_case"] = float(cases["events"].to_numpy()[cases_in].mean())
        row["repeat_share"] = float((cases["repeat_events"].to_numpy()[cases_in] > 0).mean())
        if "handoffs" in raw.columns and unit == "case":
            row["handoffs_per_case"] = float(raw["handoffs"].to_numpy()[inside].mean())
        if "recontact_rate" in raw.columns:
            row["recontact_rate"] = float(np.nanmean(raw["recontact_rate"].to_numpy()[inside]))
        if "score" in raw.columns:
            scores = raw["score"].to_numpy()[inside]
            row["mean_score"] = float(np.nanmean(scores)) if np.isfinite(scores).any() else np.nan
        row["description"] = _sentence(row, unit, raw)
        rows.append(row)
    table = pd.DataFrame(rows)
    profiles["persona"] = np.array(names, dtype=object)[profiles["persona"].to_numpy()]
    profiles = profiles.drop(columns="_strength").sort_values(["persona", "block", "feature"], ignore_index=True)
    return table, profiles


def _sentence(row: dict, unit: str, raw: pd.DataFrame) -> str:
    text = (f"{row['units']:,} {unit}s ({row['share']:.0%}). Typical path: {row['typical_path']} "
            f"({row['typical_path_share']:.0%} of its cases). Sets it apart: {row['distinctive']}. Median "
            f"throughput {row['median_throughput_h']:,.1f} h; {row['repeat_share']:.0%} of its cases repeat a "
            "touchpoint.")
    if "mean_score" in row and np.isfinite(row["mean_score"]):
        overall = np.nanmean(raw["score"].to_numpy())
        text += f" Mean score {row['mean_score']:.2f} (all: {overall:.2f})."
    return text
