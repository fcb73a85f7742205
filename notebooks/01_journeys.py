# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
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
title = "Help-desk tickets (Italian software company, 2010-2014)"
log_file = "data/helpdesk.xes.gz"  # relative to the repository root
classifier = None  # e.g. ["concept:name", "lifecycle:transition"]
log_options = {}  # more cxlib.read_log options, e.g. CSV columns {"case": "ticket", "activity": "step", "timestamp": "when"}
success_ends = None  # successful end touchpoints; None infers them (the rule is stated below)
segment_by = "service_level"  # a case attribute, e.g. case:channel
resource_key = "org:resource"  # who handles each event (hand-offs)
group_key = None  # optional team/group column: hand-offs between groups as well, e.g. "org:group"
escalation_column = None  # e.g. "org:group"; None leaves escalations out
escalation_pattern = "2nd|3rd"
window_days = 7  # repeated contacts: the same touchpoint again within this many days, in (0, inf)
design_file = "notebooks/designs/helpdesk.yml"  # the designed journey; None leaves the comparison out
top_activities = 10  # process map: most frequent touchpoints kept, in [1, inf)
top_paths = 0.95  # process map: share of transitions the kept paths cover, in (0, 1]
top_variants = 10  # variants listed, in [1, inf)
top_transitions = 8  # waiting-time chart

# %%
import warnings

import matplotlib.pyplot as plt
from IPython.display import SVG, display

import cxlib.journeys as cj
from cxlib import read_log
from cxlib.display import say, show

warnings.filterwarnings("ignore", category=DeprecationWarning)
warnings.filterwarnings("ignore", category=FutureWarning)
plt.rcParams["figure.dpi"] = 90
log, log_report = read_log(log_file, classifier=classifier, with_report=True, **log_options)
say("<b>{title}</b>: {events} events in {cases} cases, {acts} touchpoints.", title=title,
    events=f"{len(log):,}", cases=f"{log['case:concept:name'].nunique():,}",
    acts=f"{log['concept:name'].nunique():,}")

# %% [markdown]
# **Load report.** What the file held, what was kept and why anything was dropped.

# %%
show(log_report.to_frame(), caption="Load report", max_rows=40)

# %% [markdown]
# **Process map.** Boxes are touchpoints (with their number of events); an arrow from A to B means B directly
# followed A in a case, labelled with how often and the median waiting time. Thicker arrows are more frequent,
# redder arrows slower. The map is pruned to the most frequent touchpoints and paths; the sentence under it says
# how much of the log it still shows, and the table lists the busiest paths of the map with their waiting times
# in hours (median, mean and 90th percentile).

# %%
pm = cj.process_map(log, top_activities=top_activities, top_paths=top_paths)
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
# on a log scale), and the throughput time of whole journeys.

# %%
cj.plot_waiting_times(log, top=top_transitions);

# %%
tp_time = cj.throughput(log)
say("Median throughput {m}, 90th percentile {p} (over {n} cases).",
    m=cj.format_hours(tp_time["throughput_h"].median()), p=cj.format_hours(tp_time["throughput_h"].quantile(0.9)),
    n=f"{len(tp_time):,}")

# %% [markdown]
# **Repeated contacts.** The same touchpoint again in the same case within the window.

# %%
rep = cj.repeat_contacts(log, window_days=window_days)
show(rep[rep["repeat_contacts"] > 0], caption=f"Repeated contacts within {window_days} days")

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
    display(say("No segment column given (parameter <code>segment_by</code>)."))

# %% [markdown]
# **Ideal against actual journey.** The designed journey (from the YAML file) with what actually happens at
# each stage: reach, skips, stages out of order, repeats the design does not allow, waits over target. Red
# stages have a deviation rate of at least 10 %; red dashed arrows are moves back to an earlier stage.

# %%
if design_file:
    design = cj.read_design(design_file)
    stages = cj.design_stages(log, design)
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
# hand-off rate and escalation rate (those available); `priority_score = case_share × severity`.

# %%
cj.touchpoints(log, success_ends=success_ends, resource_key=resource_key, escalation_column=escalation_column,
               escalation_pattern=escalation_pattern, window_days=window_days).show()

# %% [markdown]
# **Explore** (JupyterLab only): pick a segment, a touchpoint or a variant and the map and the variants follow.

# %%
if interactive:
    display(cj.journey_explorer(log, segment_by=segment_by, top_activities=top_activities, top_paths=top_paths))
else:
    display(say("The explorer is available when the notebook runs in JupyterLab (<code>interactive = True</code>)."))
