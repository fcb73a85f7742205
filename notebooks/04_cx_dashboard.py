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
# # CX dashboard: from insight to owner
#
# Feedback is linked to the touchpoints of a touchpoint model (by case id, touchpoint label or seed words);
# each touchpoint gets its score against target with a traffic light, its journey measures and its top pain
# points, and lands with the owner who can fix it. With `owner` empty this is the overview of every
# touchpoint; with an owner it is that owner's report, with only their touchpoints.

# %% tags=["parameters"]
title = ""                      # report heading, default the project name of the model
touchpoints_file = "notebooks/touchpoints/uwv_complaints.yml"  # the touchpoint model (YAML)
log_file = ""                   # event log (XES/CSV/Parquet) for journeys; empty when there is none
log_options = {}                # keyword arguments of cxlib.read_log (column mapping, classifier, ...)
feedback_file = "data/bpic2016_complaints.csv"  # the feedback table
feedback_options = {}           # sep, encoding, sheet, dayfirst for cxlib.feedback.read_feedback
columns = {"text": "ComplaintTopic_EN", "case_id": "CustomerID", "date": "ContactDate",
           "event_id": "ComplaintID", "topic": "ComplaintTopic_EN"}  # feedback columns by role
customer_key = None             # log column with the customer id: with the customer_id role in columns, feedback
                                # is linked to the customer's whole journey across cases; None leaves it out
date_format = None              # strftime format of the feedback date, inferred when None
link = ["case", "label", "topic"]  # link methods, in order
period = "M"                    # period of trends and of what changed: D, W, M or Q
success_ends = "all"            # successful journey ends for drop-offs; all: no end is a drop-off
owner = ""                      # empty for the overview, else the name of an owner in the model
redact = True                   # redact PII in verbatims (always on in owner reports)
top_pain_points = 3             # pain points per touchpoint
text_topics = {}                # several topics per comment, per clause: {method: taxonomy} (the model's seed words)
                                # or {method: found, n_topics: 8}; empty: the topic column
fdr = 0.05                      # false-discovery rate of "what changed" (Benjamini-Hochberg)
interactive = True              # widgets in JupyterLab; cx run sets False

# %%
import os

import matplotlib.pyplot as plt

from IPython.display import display

import cxlib
from cxlib import owners as co
from cxlib import scores as cs
from cxlib.display import say, show
from cxlib.report import project_root, publish

os.chdir(project_root())  # the paths in the parameters are relative to the repository root, wherever the kernel runs
model = co.read_touchpoint_model(touchpoints_file)
events, log_report = cxlib.read_log(log_file, with_report=True, **log_options) if log_file else (None, None)
feedback_table, fb_report = co.read_dashboard_feedback(feedback_file, columns=columns, date_format=date_format,
                                                      with_report=True, **feedback_options)
d = co.build_dashboard(feedback_table, model, log=events, owner=owner, link=link, period=period,
                       success_ends=success_ends, redact=bool(redact or owner), top=top_pain_points,
                       columns=columns, text_topics=text_topics or None, fdr=fdr, customer_key=customer_key)
heading = title or model.project
display(say("<b>{heading}</b>: {view}.", heading=heading,
            view=f"owner report for {owner}" if owner else "overview of every touchpoint and owner"))

# %% [markdown]
# ## What is new or worse since the previous period
# The latest period against the one before: each touchpoint's score, its journey measures (with an event log:
# drop-off rate, median wait, repeat visits) and its topics. Every line is a test; the tests are corrected
# together (Benjamini-Hochberg), and a flagged line changed beyond chance. Each line names its owner.

# %%
if d.what_changed is not None:
    display(d.what_changed.show())
else:
    display(say("No dated feedback and no event log: nothing to compare with a previous period."))

# %% [markdown] tags=["appendix"]
# The data behind this report: feedback rows read and, when there is an event log, the journeys loaded.

# %% tags=["appendix"]
display(say("Feedback: {kept:,} of {rows:,} rows kept from <code>{path}</code>.", kept=fb_report.rows_kept,
            rows=fb_report.rows_read, path=fb_report.path))
display(show(fb_report.to_frame(), caption="Feedback load report"))
if events is not None:
    display(say("Journeys: {events:,} events in {cases:,} cases from <code>{path}</code> ({dropped:,} rows dropped).",
                events=len(events), cases=log_report.cases, path=log_report.path,
                dropped=log_report.rows_dropped))
    display(show(log_report.to_frame(), caption="Event-log load report"))
display(show(d.view.table(), caption="Touchpoints in this report, with their owner, what links to them and targets"))

# %% [markdown]
# ## Link coverage
# How much feedback found a touchpoint, per link method (the first method that finds one wins).

# %%
display(show(d.coverage, caption="Link coverage (share of all feedback rows, 0-1)"))

# %% [markdown]
# ## Critical touchpoints
# Most critical first. The ranking rule is stated below the table.

# %%
glance = ["rank", "touchpoint", "owner", "light", "measure", "value", "ci_low", "ci_high", "target",
          "top_negative_topics"]
display(show(d.critical[glance].set_index("rank"), caption="At a glance: light, score against target, top topics",
             precision=1))
display(show(d.critical.set_index("rank").drop(columns=["light", "ci_low", "ci_high"]),
             caption="Critical touchpoints: every measure behind the ranking"))
display(say("Ranking rule: {rule}", rule=co.RANKING_RULE))

# %% [markdown]
# ## Scores against targets
# Each touchpoint's score against its target with its traffic light, and the rule behind the colours.

# %%
score_columns = ["touchpoint", "owner", "measure", "n", "value", "ci_low", "ci_high", "target", "tolerance", "min_n",
                 "light", "reason"]
display(show(d.scores[score_columns], caption="Score against target, with light (95% interval)"))
display(say("Light rule: {rule}", rule=co.LIGHT_RULE))

# %% [markdown]
# ## Trend
# The trend per period: the light grid (value and number of responses in each cell), then the values with their
# 95% intervals and the target.

# %%
if len(d.trend):
    measure = d.trend["measure"].iloc[0]
    one = d.trend[d.trend["measure"] == measure]
    fig, axes = plt.subplots(2, 1, figsize=(10, 3 + 0.9 * one["touchpoint"].nunique()))
    cs.plot_traffic_lights(one, x="period", y="touchpoint", ax=axes[0])
    cs.plot_trend(one, hue="touchpoint", ax=axes[1])
    fig.tight_layout()
else:
    display(say("No trend: the feedback has no date column."))

# %% [markdown]
# ## Period-to-period tables
# The latest period against the one before, with the change's
# 95% interval and a z-test.

# %%
if len(d.changes):
    display(show(d.changes, caption="Change since the previous period"))
else:
    display(say("No comparison with the previous period: no dated feedback."))
if len(d.topic_shifts):
    display(show(d.topic_shifts, caption="Negative topics of the topic column, previous against current period "
                                         "(share of the touchpoint's negative feedback). Each p-value and "
                                         "verdict is for one topic alone, not corrected for testing several, "
                                         "so some 'more' / 'fewer' are expected by chance; 'What is new or "
                                         "worse' above corrects all its lines together"))

# %% [markdown]
# ## Top pain points
# Per touchpoint, with example verbatims (PII redacted). Topics that name no cause ("Can't Tell", "other") are
# not ranked.

# %%
display(show(d.pains, caption="Top pain points with example verbatims"))

# %% [markdown]
# ## Journey measures
# Journey measures per touchpoint (only with an event log).

# %%
if d.journey is not None:
    display(show(d.journey, caption="Journey measures per touchpoint (waits in hours)"))
else:
    display(say("No event log in this project: journey measures are not available."))

# %% [markdown]
# ## Journeys beside feedback
# For feedback linked to journeys by case id: per case, its journey measures beside its score and text, and
# how journey features (waits, hand-offs, repeated contacts) go with the score.

# %%
if d.per_case is not None:
    display(show(d.per_case.sort_values("events", ascending=False), max_rows=15,
                 caption="Per case: journey beside feedback (cases linked to the touchpoints of this report; "
                         "the text lists all of the case's feedback)"))
    if d.association is not None:
        display(show(d.association, caption="Association of journey features with the score (95% intervals)"))
else:
    display(say("The feedback is not linked to journeys by case id here, so there is no per-case table."))
if d.per_customer is not None:
    display(show(d.per_customer, max_rows=15,
                 caption="Per customer: the journey across cases (re-contacts, first-contact resolution) beside "
                         "the customer's feedback (customers with feedback on the touchpoints of this report; "
                         "ids and verbatims redacted)"))

# %% [markdown]
# ## Key drivers: what goes with the score
# Which touchpoints, topics (several per comment when found per clause) and, for feedback linked to cases, which
# journey experiences go with the outcome (detractors, negative sentiment): each driver's share of the explained
# variation (Shapley decomposition of R²) and the direction and size of its effect, with bootstrap intervals.
# Drivers with too few cases are listed, not ranked.

# %%
if d.mentions is not None:
    display(show(d.mentions.counts(), caption="Topic mentions per clause (a comment counts once per topic it "
                                              "mentions), with the sentiment of each mention", precision=3))
if d.drivers is not None:
    display(d.drivers.show())
    cs.plot_key_drivers(d.drivers)
    plt.show()
else:
    display(say("No key drivers for this data (see the notes)."))

# %% [markdown]
# ## Owner reports
# Owner reports (overview only): every owner with their touchpoints' lights and a link to their report.

# %%
report_name = os.environ.get("CX_REPORT_NAME", "")
if not owner:
    base = report_name or "dashboard"
    display(co.owner_links(model, report_name=base, lights=d.scores))
    summary = d.scores.drop_duplicates("touchpoint")[["touchpoint", "owner", "measure", "value", "light"]]
    summary = summary.assign(report=[co.owner_report_name(base, o, owners=model.owner_names) for o in summary["owner"]])
    publish(summary.round({"value": 1}), title=f"CX dashboard: {heading}", link_column="report")

# %% [markdown]
# ## Notes on this data
# What was assumed and what could not be measured.

# %%
for note in d.notes:
    display(say("{note}", note=note))

# %% tags=["summary"]
from cxlib.report import dashboard_summary  # the report opens with this summary (cx run moves it to the top)

dashboard_summary(d, title=f"{heading}, " + (f"owner report for {owner}" if owner else "every touchpoint and owner"))

# %% [markdown]
# In JupyterLab: pick a touchpoint to see its pain points and trend.

# %%
if interactive:
    import ipywidgets as widgets
    from IPython.display import clear_output

    picker = widgets.Dropdown(options=[tp.name for tp in d.view.touchpoints], description="touchpoint")
    out = widgets.Output()

    def _show(change=None):
        with out:
            clear_output()
            name = picker.value
            display(show(d.pains[d.pains["touchpoint"] == name], caption=f"Pain points: {name}"))
            if len(d.trend):
                display(show(d.trend[d.trend["touchpoint"] == name], caption=f"Trend: {name}"))

    picker.observe(_show, names="value")
    _show()
    display(widgets.VBox([picker, out]))
