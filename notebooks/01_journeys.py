# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python (cx-workbench)
#     language: python
#     name: cx-workbench
# ---

# %% [markdown]
# # Journeys: the actual customer journey in the event log
#
# This report reads an event log (every row a touchpoint of a case), draws the process map, lists the journey
# variants, and then asks where journeys branch, loop, skip and drop off, how long customers wait between
# touchpoints, how often they come back, are handed over or escalated, whether segments travel differently,
# where the actual journey departs from the designed one, and which touchpoints matter most.

# %% tags=["parameters"]
interactive = True
title = ""  # report heading; empty: the demo's title for the demo log, else "Journeys in FILE"
log_file = "data/helpdesk.xes.gz"  # relative to the repository root
classifier = None  # e.g. ["concept:name", "lifecycle:transition"]
log_options = {}  # cxlib.read_log options: CSV columns and dates, e.g. {"case": "ticket", "activity": "step", "timestamp": "when", "dayfirst": True}
sample = None  # explore quickly: a random sample of this many whole cases (seed 0), None: every case, in [1, inf)
success_ends = None  # successful end touchpoints; None infers them (the rule is stated below)
segment_by = None  # a case attribute to compare segments by, e.g. "case:channel"; None: "service_level" for the demo log, else none
resource_key = "org:resource"  # who handles each event (hand-offs)
group_key = None  # optional team/group column: hand-offs between groups as well, e.g. "org:group"
escalation_column = None  # e.g. "org:group"; None leaves escalations out
escalation_pattern = "2nd|3rd"  # a regular expression: a case escalates when escalation_column moves into a matching value
window_days = 7  # repeated contacts: the same touchpoint again within this many days, in (0, inf)
design_file = None  # the designed journey (YAML); None: notebooks/designs/helpdesk.yml for the demo log, else none
top_activities = 10  # process map: most frequent touchpoints kept, in [1, inf)
top_paths = 0.95  # process map: share of transitions the kept paths cover, in (0, 1]
top_variants = 10  # variants listed, in [1, inf)
top_transitions = 8  # waiting-time chart
calendar = None  # working hours for the waits, e.g. {"timezone": "Europe/Rome", "days": "Mon-Fri", "hours": "09:00-18:00", "country": "IT"}, None: calendar time only
customer_key = None  # customer id column: the customer's journey across cases, None leaves it out
channel_key = None  # channel column of the customer's journey (e.g. "channel" of a stitched log), None: one channel
case_ended_at = None  # touchpoints at which a case ends for the customer, e.g. ["Resolve ticket"], None: its last event
recontact_days = 7  # a new case at most this many days after the previous one ended is a re-contact, in (0, inf)
personas_of = None  # "case" or "customer" (needs customer_key): personas from behaviour, None leaves them out
persona_groups = None  # number of personas, None chooses it (highest silhouette among stable groupings)
difference_fdr = 0.05  # segment differences: false-discovery rate (Benjamini-Hochberg), in (0, 1)
engine = "duckdb"  # "duckdb" (embedded) or "spark": then log_file is a Parquet dataset written by `cx convert` (or a Spark table)
spark_remote = None  # Spark Connect address, e.g. "sc://host:15002"; None: $CX_SPARK_REMOTE, else a local Spark session

# %%
import os
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
from IPython.display import SVG, display

import cxlib.journeys as cj
from cxlib import CxInputError, read_log
from cxlib.display import say, show
from cxlib.report import project_root

os.chdir(project_root())  # the paths in the parameters are relative to the repository root, wherever the kernel runs
# The demo's title, segment column and design apply only to the demo log; for another log they stay unset.
demo_log = Path(log_file).resolve() == Path("data/helpdesk.xes.gz").resolve()
if demo_log:
    title = title or "Help-desk tickets (Italian software company, 2010-2014)"
    segment_by = "service_level" if segment_by is None else segment_by
    design_file = "notebooks/designs/helpdesk.yml" if design_file is None else design_file
title = title or f"Journeys in {Path(log_file).name}"

warnings.filterwarnings("ignore", category=DeprecationWarning)
warnings.filterwarnings("ignore", category=FutureWarning)
plt.rcParams["figure.dpi"] = 90
if engine == "spark":  # the log stays where it lives; every analysis below runs in Spark on this prepared log
    log = cj.prepare_log(log_file, engine=cj.spark_connect(remote=spark_remote),
                         attributes=[resource_key, group_key, escalation_column], window_days=window_days)
    log_report = log.load_report
    n_events, n_cases, n_acts = log.n_events, log.n_cases, log.n_activities
elif engine == "duckdb":
    log, log_report = read_log(log_file, classifier=classifier, with_report=True, **log_options)
    all_cases = log["case:concept:name"].nunique()
    log = cj.sample_cases(log, sample) if sample else log
    n_events, n_cases, n_acts = len(log), log["case:concept:name"].nunique(), log["concept:name"].nunique()
else:
    raise CxInputError(f"engine must be 'duckdb' or 'spark', got {engine!r}")
display(say("<b>{title}</b>: {events} events in {cases} cases, {acts} touchpoints. Engine: {engine}.", title=title,
            events=f"{n_events:,}", cases=f"{n_cases:,}", acts=f"{n_acts:,}",
            engine="Apache Spark" + (f" ({spark_remote})" if spark_remote else "") if engine == "spark" else "DuckDB"))
if sample and engine == "duckdb":
    display(say("A random sample of {n} of the log's {total} cases (parameter <code>sample</code>): every figure "
                "below describes the sample.", n=f"{n_cases:,}", total=f"{all_cases:,}"))
unset = [name for name, value in (("segment_by", segment_by), ("design_file", design_file)) if value is None]
if unset and not demo_log:
    display(say("Not set for this log: {names} (the demo's apply only to the demo log). Set them with "
                "<code>-p NAME VALUE</code>; <code>cx params notebooks/01_journeys.ipynb</code> lists every "
                "parameter.", names=", ".join(unset)))

# %% [markdown] tags=["appendix"]
# **Load report.** What the file held, what was kept and why anything was dropped.

# %% tags=["appendix"]
if log_report is not None:
    display(show(log_report.to_frame(), caption="Load report", max_rows=40))

# %% [markdown]
# **Process map.** Boxes are touchpoints (with their number of events); an arrow from A to B means B directly
# followed A in a case, labelled with how often and the median waiting time. Thicker arrows are more frequent,
# redder arrows slower. The map is pruned to the most frequent touchpoints and paths; the sentence under it says
# how much of the log it still shows, and the table lists the busiest paths of the map with their waiting times
# in hours (median, mean and 90th percentile).

# %%
pm = cj.process_map(log, top_activities=top_activities, top_paths=top_paths, calendar=calendar)
display(SVG(cj.draw_process_map(pm).pipe(format="svg")))
pm.show()

# %% [markdown]
# **Variants.** Each variant is one distinct journey; the table gives how many cases follow it, their share,
# the cumulative coverage and the median throughput time.

# %%
cj.variants(log, top=top_variants).show()

# %% [markdown]
# **Where journeys start and end.**

# %%
show(cj.start_end_touchpoints(log), caption="Start and end touchpoints")

# %% [markdown]
# **Drop-offs.** Cases that end at a touchpoint that is not a successful end. The drop-off rate is the share of
# the cases reaching the touchpoint that end there.

# %%
drops = cj.dropoffs(log, success_ends=success_ends)
drops.show()

# %%
cj.plot_dropoff_funnel(drops, top=12);

# %% [markdown]
# **Branches.** At each branch point (more than one next step taken by at least 10 % of the departures), where
# journeys go next. "■ end" means the journey ended there.

# %%
br = cj.branches(log, min_probability=0.02)
show(br[br["branch_point"]].drop(columns=["branch_point"]), caption="Branch points: next steps (>= 2 %)")

# %% [markdown]
# **Jumps and loops.** Rework (a touchpoint repeated in a case), self-loops, back-jumps to a touchpoint already
# visited, and skips against the reference path (the most frequent variant).

# %%
cj.loops(log).show()

# %%
cl = cj.case_loops(log)
say("{r:.1%} of the cases repeat a touchpoint; {b:.1%} jump back; {s:.1%} skip a touchpoint of the reference "
    "path.", r=cl["has_rework"].mean(), b=(cl["back_jumps"] > 0).mean(), s=(cl["skipped"] > 0).mean())

# %% [markdown]
# **Hidden touchpoints: waiting.** The time customers wait between two touchpoints, per transition (box plots
# on a log scale), and the throughput time of whole journeys. With a working-hours calendar (parameter
# `calendar`), each wait is also measured in working time (working days and hours in the calendar's time zone,
# without public holidays): a ticket opened on Friday evening and answered on Monday morning waited a few
# working hours, not sixty hours.

# %%
cj.plot_waiting_times(log, top=top_transitions, calendar=calendar);

# %%
tp_time = cj.throughput(log, calendar=calendar)
say("Median throughput {m}, 90th percentile {p} (over {n} cases).",
    m=cj.format_hours(tp_time["throughput_h"].median()), p=cj.format_hours(tp_time["throughput_h"].quantile(0.9)),
    n=f"{len(tp_time):,}")

# %%
if calendar:
    display(say("{w} In working time: median throughput {m:.1f} working hours, 90th percentile {p:.1f}.",
                w=pm.working_note, m=tp_time["working_throughput_h"].median(),
                p=tp_time["working_throughput_h"].quantile(0.9)))
else:
    display(say("No working-hours calendar given (parameter <code>calendar</code>): waits are in calendar time."))

# %% [markdown]
# **Repeated contacts.** The same touchpoint again in the same case within the window.

# %%
rep = cj.repeat_contacts(log, window_days=window_days)
show(rep[rep["repeat_contacts"] > 0], caption=f"Repeated contacts within {window_days} days")

# %% [markdown]
# **The customer's whole journey.** A customer's cases in time order, across channels: a *re-contact* is a new
# case at most `recontact_days` after the customer's previous case ended (the most expensive hidden
# touchpoint); *first-contact resolution* is the share of the customer's matters settled without one. The
# tables give the re-contacts after the cases that passed each touchpoint, the channel switches (with a channel
# column) and the cross-case variants: the sequences of cases a customer goes through for one matter.

# %%
if customer_key:
    customers = cj.customer_journeys(log, customer_key=customer_key, channel_key=channel_key,
                                     window_days=recontact_days, ended_at=case_ended_at)
    display(customers.show())
else:
    display(say("No customer column given (parameter <code>customer_key</code>), so the customer's journey "
                "across cases is left out."))

# %% [markdown]
# **Hand-offs and ping-pong.** A hand-off is a change of resource between consecutive events of a case;
# ping-pong sends the case back to whoever had it two steps before. With a group column, the same between groups.

# %%
if resource_key in log.columns:
    display(cj.handoffs(log, resource_key=resource_key).show())
else:
    display(say("The log has no {k} column, so hand-offs are left out.", k=resource_key))
if group_key:
    display(cj.handoffs(log, resource_key=group_key).show())

# %% [markdown]
# **Escalations.** A case escalates when it moves into a level whose value matches the pattern.

# %%
if escalation_column:
    display(cj.escalations(log, column=escalation_column, pattern=escalation_pattern).show())
else:
    display(say("No escalation column given (parameter <code>escalation_column</code>), so escalations are left out."))

# %% [markdown]
# **Segments.** The key measures side by side per segment, with the number of cases, and significance tests
# for the differences (chi-square for shares, Mann-Whitney U or Kruskal-Wallis for durations).

# %%
if segment_by:
    seg = cj.segments(log, by=segment_by, success_ends=success_ends, resource_key=resource_key,
                      escalation_column=escalation_column, escalation_pattern=escalation_pattern,
                      window_days=window_days)
    display(seg.show())
    cj.plot_segments(seg)
    plt.show()
else:
    attributes = [c for c in getattr(log, "columns", []) if c not in ("case:concept:name", "concept:name",
                                                                       "time:timestamp", "org:resource")]
    display(say("No segment column given (parameter <code>segment_by</code>); this log's other columns: {a}.",
                a=", ".join(attributes) or "none"))

# %% [markdown]
# **Where the segments' journeys differ.** Every transition and touchpoint taken by enough cases, tested for a
# difference between the segments in the share of cases that take it and in its wait, with the p-values
# corrected together for multiple comparisons (Benjamini-Hochberg at the false-discovery rate
# `difference_fdr`). The map compares the two largest segments: blue paths are taken more often in the first,
# red ones in the second, grey ones do not differ significantly; thicker means a larger difference.

# %%
if segment_by:
    diffs = cj.segment_differences(log, by=segment_by, fdr=difference_fdr)
    display(diffs.show())
    pair = diffs if len(diffs.segments) == 2 else cj.segment_differences(
        log, by=segment_by, segments=diffs.segments[:2], fdr=difference_fdr)
    display(SVG(cj.draw_difference_map(pair).pipe(format="svg")))
else:
    display(say("No segment column given (parameter <code>segment_by</code>)."))

# %% [markdown]
# **Personas from behaviour.** Groups of cases (or customers) that travel alike, found by clustering their
# journey features (touchpoints, transitions, events, throughput, waits, repeats, hand-offs, channel). The
# number of groups follows the stated criterion, with its stability across seeds and subsamples; each persona
# is described by its typical path and what sets it apart. The persona then works as a segment: the last table
# compares the personas like any segment.

# %%
if personas_of:
    found = cj.personas(log, unit=personas_of, groups=persona_groups, customer_key=customer_key,
                        channel_key=channel_key, resource_key=resource_key if resource_key in log.columns else None,
                        window_days=recontact_days, ended_at=case_ended_at, progress=interactive)
    display(found.show())
    if engine == "duckdb":
        by_persona = cj.segments(found.assign(log), by="persona", success_ends=success_ends,
                                 resource_key=resource_key, window_days=window_days, top=found.groups, min_cases=1)
        display(by_persona.show())
    else:  # the persona column goes into a DataFrame log (Personas.assign); the log stays in Spark here
        display(say("On Spark the personas are not compared as segments in this report: add them to the log with "
                    "<code>Personas.assign</code> on a DataFrame (or join <code>Personas.labels</code> in Spark) "
                    "and segment by <code>persona</code>."))
else:
    display(say("No personas asked for (parameter <code>personas_of</code>: \"case\" or \"customer\")."))

# %% [markdown]
# **Ideal against actual journey.** The designed journey (from the YAML file) with what actually happens at
# each stage: reach, skips, stages out of order, repeats the design does not allow, waits over target. Red
# stages have a deviation rate of at least 10 %; red dashed arrows are moves back to an earlier stage.

# %%
if design_file:
    design = cj.read_design(design_file)
    stages = cj.design_stages(log, design, calendar=calendar)
    display(SVG(cj.draw_design(stages, title=design.name).pipe(format="svg")))
    display(stages.show())
else:
    display(say("No design file given (parameter <code>design_file</code>)."))

# %%
if design_file:
    conf = cj.design_conformance(log, design)
    display(say("{c:.1%} of the cases follow the design; {o:.1%} are on time at every target. Mean token-replay "
                "fitness (pm4py) {f:.3f}.", c=conf["conforms"].mean(), o=conf["on_time"].mean(),
                f=conf["fitness"].mean()))
    display(show(conf[~conf["conforms"]].head(15), caption="Examples of cases that depart from the design"))

# %% [markdown]
# **Touchpoint table.** One row per touchpoint. The priority rank combines reach and trouble:
# `severity` is the mean percentile rank of the touchpoint's drop-off rate, median wait before it, rework rate,
# hand-off rate and escalation rate (those available); `priority_score = case_share × severity`. Successful
# ends are not ranked: there the customer is done.

# %%
tps = cj.touchpoints(log, success_ends=success_ends, resource_key=resource_key, escalation_column=escalation_column,
                     escalation_pattern=escalation_pattern, window_days=window_days, calendar=calendar)
tps.show()

# %% tags=["summary"]
from cxlib.report import journeys_summary  # the report opens with this summary (cx run moves it to the top)

journeys_summary(tps, dropoffs=drops, throughput=tp_time, case_loops=cl, conformance=conf if design_file else None,
                 differences=diffs if segment_by else None, title=title)

# %% [markdown]
# **Explore** (JupyterLab only): pick a segment, a touchpoint or a variant; the map, the variants (ranked within
# the selection) and the selection against all cases follow.

# %%
if interactive:
    display(cj.journey_explorer(log, segment_by=segment_by, top_activities=top_activities, top_paths=top_paths,
                                success_ends=success_ends, resource_key=resource_key))
else:
    display(say("The explorer is available when the notebook runs in JupyterLab (<code>interactive = True</code>)."))
