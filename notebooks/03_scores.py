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
# # Scores: one measure per touchpoint, judged against targets, over time, with its drivers
#
# This report computes a customer score (NPS, CSAT, CES or a sentiment index) with 95 % intervals, maps it onto
# a common 0-100 scale, gives each touchpoint a traffic light against its target, follows it over time and
# shows which topics pull it down. Every row that could not be used is counted and listed.

# %% tags=["parameters"]
interactive = True
title = ""  # report heading; empty: the demo's title for the demo file, else "Scores: FILE"
responses_file = "data/airline_tweets.csv.gz"  # CSV (or .csv.gz); relative to the repository root
kind = "sentiment"  # nps | csat | ces | sentiment
score = "airline_sentiment"  # column with the score (the label for sentiment)
measure = "sentiment_index"  # measure name, as in the targets file
options = {}  # csat/ces: {"scale": [1, 5], "stat": "top2box", "higher_is_better": True}
touchpoint = "airline"  # column with the touchpoint (or segment)
date = "tweet_created"
date_format = "%Y-%m-%d %H:%M:%S %z"
period = "D"  # D, W, M or Q
targets_file = "notebooks/targets/airline_demo.yml"
text = None  # open-text column: topics from cxlib.feedback when `topic` is None
topic = "negativereason"  # an existing topic column, or None
topic_options = {"n_topics": 8}  # passed to cxlib.feedback.fit_topics when topics are found from `text`
n_boot = 1000
seed = 0
mentions = {}  # several topics per comment, per clause (cxlib.feedback.find_mentions of `text`): {"taxonomy": {...}}
               # or {"n_topics": 8, ...}; empty: the key drivers use `topic`
driver_options = {"n_boot": 200, "min_n": 30}  # cxlib.scores.key_drivers: resamples, cases a driver needs
max_driver_topics = 8  # most frequent topics tested as drivers

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import display

from cxlib import scores as sc
from cxlib.display import say, show
from cxlib.report import project_root

os.chdir(project_root())  # the paths in the parameters are relative to the repository root, wherever the kernel runs
if Path(responses_file).resolve() == Path("data/airline_tweets.csv.gz").resolve():  # the demo's title: its file only
    title = title or "Sentiment index per airline and day: US airline tweets, February 2015"
title = title or f"Scores: {Path(responses_file).name}"

LABELS = ["positive", "neutral", "negative"]
responses = sc.read_responses(responses_file, columns=[score, touchpoint, date, text, topic])
say("<b>{title}</b>: {n:,} rows read from <code>{path}</code>; measure <b>{measure}</b>, touchpoint column "
    "<code>{tp}</code>.", title=title, n=len(responses), path=responses_file, measure=measure, tp=touchpoint)

# %% [markdown] tags=["appendix"]
# ## Rows that are not used
# Rows without a score, or with a value that is not valid on the scale, are left out of every figure in this
# report. They are not coerced or guessed: this table lists each one with the reason.

# %% tags=["appendix"]
check = {"labels": LABELS} if kind == "sentiment" else {"scale": options.get("scale", [0, 10])}
problems = sc.check_scores(responses, score=score, by=touchpoint, **check)
display(say("{bad:,} of {n:,} rows are not used: {missing:,} have no score and {invalid:,} have an invalid one.",
    bad=len(problems), n=len(responses), missing=int((problems["problem"] == "no score").sum()),
    invalid=int((problems["problem"] != "no score").sum())))
if len(problems):
    display(show(problems.groupby([touchpoint, "problem"], dropna=False).size().rename("rows").reset_index(),
                 caption="Unused rows per touchpoint and reason"))

# %% tags=["appendix"]
if len(problems):
    display(show(problems, caption="The unused rows (row = position in the file, counting the first data row "
                 "as 0)", max_rows=40))

# %% [markdown]
# ## The score overall and per touchpoint
# The point estimate, its standard error and a 95 % interval (adjusted Wald for net scores and shares, t for
# means). Small touchpoints get wide intervals: judge them by the interval, not by the point.

# %%
overall = sc.score_table(responses, kind=kind, score=score, name=measure, **options).iloc[0]
display(say("Overall <b>{m}</b> = <b>{v:.1f}</b> (95 % interval {lo:.1f} to {hi:.1f}, standard error {se:.2f}) "
    "from n = {n:,} responses.", m=measure, v=overall["value"], lo=overall["ci_low"], hi=overall["ci_high"],
    se=overall["se"], n=int(overall["n"])))
per_tp = sc.score_table(responses, kind=kind, score=score, by=touchpoint, name=measure, **options)
shown_cols = [touchpoint, "n", "n_missing", "n_invalid", "value", "se", "ci_low", "ci_high"]
show(per_tp[shown_cols + [c for c in per_tp if c.startswith("pct_")]], caption=f"{measure} per {touchpoint}",
     precision=1)

# %% [markdown]
# The composition behind each net score: how many responses are negative (detractors), neutral (passives) and
# positive (promoters).

# %%
if kind in ("nps", "sentiment"):
    sc.plot_composition(per_tp, y=touchpoint)
    plt.show()

# %% [markdown]
# ## On a common 0-100 scale, and one company-wide score
# Percent of maximum possible: (value - min) / (max - min) x 100, so NPS and sentiment index become
# (value + 100) / 2. This makes different measures *comparable in range*, not equivalent in meaning; each
# measure is also judged against its own target below. The company-wide score averages the touchpoints,
# weighted by their number of responses or by inverse variance, with a seeded bootstrap interval.

# %%
harmonized = sc.harmonize(per_tp)
display(show(harmonized[[touchpoint, "n", "value", "score_100", "score_100_low", "score_100_high"]],
             caption="Harmonized 0-100 score per touchpoint", precision=1))
config = {measure: {"kind": kind, **options}}
company = pd.concat([sc.company_score(responses, config=config, measure=None, score=score, by=touchpoint,
                                      weight=w, n_boot=n_boot, seed=seed) for w in ("n", "inverse_variance")])
display(show(company, caption="Company-wide score (0-100)", precision=1))

# %% [markdown]
# ## Traffic lights against the targets
# **Rule** (targets on the measure's own scale, from the targets file): grey "not enough responses" when n is
# below the minimum; **green** when the interval's lower bound is at or above the target; **red** when its
# upper bound is below the target minus the tolerance; **amber** otherwise. The last column shows the colour
# the point estimate alone would give; where it differs, the interval says the data cannot support it.

# %%
lights = sc.traffic_lights(per_tp, targets=targets_file, touchpoint=touchpoint)
lights["point_only"] = sc.traffic_lights(per_tp, targets=targets_file, touchpoint=touchpoint, rule="point")["light"]
display(show(lights[[touchpoint, "n", "value", "ci_low", "ci_high", "target", "tolerance", "min_n", "light",
                     "reason", "point_only"]], caption=f"Traffic lights per {touchpoint} (targets: {targets_file})",
             precision=1))
differ = lights[lights["light"] != lights["point_only"]]
display(say("The point estimate alone would give a different colour for {k} of {n} touchpoints{names}.", k=len(differ),
    n=len(lights), names=(": " + ", ".join(map(str, differ[touchpoint]))) if len(differ) else ""))

# %% [markdown]
# ## Traffic-light grid: touchpoint x period
# The same rule per period. Each cell shows the score and n; grey cells have too few responses to judge.

# %%
periodic = sc.trend(responses, kind=kind, score=score, date=date, date_format=date_format, period=period,
                    by=touchpoint, name=measure, **options)
grid = sc.traffic_lights(periodic, targets=targets_file, touchpoint=touchpoint)
no_date = int(grid.loc[grid["period"] == "no date", ["n", "n_missing", "n_invalid"]].to_numpy().sum())
display(say("{p} periods ({length}); {nd:,} rows have no date and appear in no period.",
            p=grid.loc[grid["period"] != "no date", "period"].nunique(), length=period, nd=no_date))
sc.plot_traffic_lights(grid[grid["period"] != "no date"], y=touchpoint)
plt.show()

# %% [markdown]
# ## Trends with intervals and targets
# Lines are the point estimates, bands the 95 % intervals, dashed lines the targets. Periods with fewer
# responses than the minimum n are left out of the chart (they are in the grid above, in grey).

# %%
min_n = int(sc.read_targets(targets_file)["min_n"].min())
sc.plot_trend(grid, hue=touchpoint, min_n=min_n)
plt.show()

# %% [markdown]
# Did the score change from one period to the next? z-test on the difference of net scores (a two-proportion
# test for top-2-box shares), two-sided, 5 % level; only pairs of periods that both have at least the minimum n.

# %%
changes = sc.period_change(grid[grid["n"] >= min_n], by=touchpoint)
display(say("{k} of {n} period-to-period changes are significant at the 5 % level.",
            k=int(changes["significant"].sum()), n=len(changes)))
display(show(changes.drop(columns=["measure"]), caption="Period-to-period changes", precision=3, max_rows=40))

# %%
if interactive:
    import ipywidgets as widgets

    def _one(tp):
        sc.plot_trend(grid[grid[touchpoint] == tp], hue=touchpoint)
        plt.show()

    widgets.interact(_one, tp=sorted(grid[touchpoint].dropna().unique()))

# %% [markdown]
# ## Drivers: which topics pull the score down
# Impact of a topic = score of all responses minus score without that topic's responses (a negative impact
# means the topic pulls the score down), with a seeded bootstrap 95 % interval. "clear" marks topics whose whole
# interval is below zero.

# %%
topic_source = None
if topic is not None:
    with_topics, topic_col, topic_source = responses, topic, f"the column '{topic}' of the data"
elif text is not None:
    from cxlib import feedback as fb  # topics come from the voice-of-the-customer module, not from here

    # every response keeps its row: no de-duplication (a repeated "good service" is still a response)
    cleaned = fb.clean_feedback(responses.assign(_row=responses.index), text=text, dedupe=False, language=False)
    found = fb.fit_topics(cleaned, text="text_clean", seed=seed, progress=interactive, **topic_options)
    labels = found.documents.set_index("_row")["topic_label"].reindex(responses.index)
    with_topics, topic_col = responses.assign(topic=labels), "topic"
    topic_source = (f"BERTopic topics from cxlib.feedback.fit_topics on the PII-redacted, cleaned text "
                    f"({found.info['n_topics']} topics, seed {seed}; vectors: {found.backend}); "
                    f"{int(labels.isna().sum()):,} rows have no text left after cleaning and belong to no topic")
if topic_source is None:
    display(say("No topic column and no text column: drivers are skipped."))
else:
    display(say("Topics: {source}.", source=topic_source))
    impact_all = sc.topic_impact(with_topics, score=score, topic=topic_col, kind=kind, n_boot=n_boot, seed=seed)
    display(show(impact_all.drop(columns=["n", "n_no_score"]), caption="Topic impact overall", precision=1,
                 max_rows=20))
    scored_with_topic = with_topics.loc[with_topics[topic_col].notna(), score].dropna()
    one_outcome = len(scored_with_topic) > 0 and scored_with_topic.nunique() == 1  # e.g. a reason for negatives only
    if one_outcome:
        display(say("Every response with a topic has the same score ({value}): the topic column is recorded for "
                    "that outcome only. Each topic's impact is then its share of those responses by construction: "
                    "read it as how much of that feedback names the topic, not as evidence that the topic drives "
                    "the score (the key drivers below do not use this column{instead}).",
                    value=str(scored_with_topic.iloc[0]),
                    instead="; they use the topics of each clause" if mentions and text is not None else ""))

# %%
if topic_source is not None:
    impact = sc.topic_impact(with_topics, score=score, topic=topic_col, by=touchpoint, kind=kind,
                             n_boot=n_boot, seed=seed)
    down = sc.topics_pulling_down(impact, by=touchpoint, top=3)
    display(show(down[[touchpoint, "topic", "n_topic", "share", "value_topic", "impact", "ci_low", "ci_high",
                       "clear"]], caption=f"The three topics pulling each {touchpoint} down most", precision=1))

# %% [markdown]
# ## Key drivers: which topics and touchpoints go with the score
# The outcome is the detractor share for NPS, the negative share for sentiment, the score itself for CSAT and CES.
# With `mentions`, each comment is split into clauses and every clause gets its topics and its own sentiment, so
# a comment can mention several topics; a topic is a driver when the comment mentions it. Each driver's share of
# the explained variation is its Shapley part of R² (every subset of drivers; Johnson's relative weights above 12
# drivers); its effect is the average change in the outcome (percentage points for a share), both with bootstrap
# intervals. Drivers with too few cases are listed, not ranked. These are associations, not proof of cause.

# %%
driver_table, driver_columns, topic_note = responses.copy(), [touchpoint], ""
found_mentions = None
if mentions and text is not None:
    from cxlib import feedback as fb  # topics come from the voice-of-the-customer module, not from here

    redacted = fb.clean_feedback(responses.assign(_row=responses.index), text=text, dedupe=False, language=False,
                                 drop_empty=False).set_index("_row")
    found_mentions = fb.find_mentions(redacted["text"], seed=seed, **mentions)
    presence = found_mentions.presence(prefix="mentions: ").reindex(responses.index, fill_value=0)
    top = presence.sum().sort_values(ascending=False).head(max_driver_topics).index.tolist()
    driver_table, driver_columns = driver_table.join(presence[top]), driver_columns + top
    topic_note = "topics per clause of the PII-redacted text (cxlib.feedback.find_mentions, " + \
        found_mentions.sentiment_source + ")"
elif topic_source is not None and one_outcome:
    topic_note = (f"none: the topic column '{topic_col}' is recorded for one outcome only, so it goes with that "
                  "outcome by construction and is not a driver; set `mentions` to find topics per clause")
elif topic_source is not None:
    top = with_topics[topic_col].value_counts().head(max_driver_topics).index.tolist()
    for name in top:
        driver_table[f"topic: {name}"] = with_topics[topic_col].eq(name).astype(int)
    driver_columns += [f"topic: {name}" for name in top]
    topic_note = topic_source + ". A topic recorded only for some outcomes (e.g. a reason given only for " \
        "negative feedback) goes with that outcome by construction"
if found_mentions is not None:
    display(found_mentions.show())
    several = found_mentions.documents[found_mentions.documents["n_topics"] > 1]
    examples = several.join(redacted["text"]).head(8)[["text", "topic_sentiments"]]
    display(show(examples, caption="Comments with several topics, each with its own sentiment (PII redacted)"))
outcome_as = {"nps": "detractor", "sentiment": "negative"}.get(kind, "value")
drivers = sc.key_drivers(driver_table, outcome=score, outcome_as=outcome_as, drivers=driver_columns,
                         labels=tuple(LABELS), seed=seed, **driver_options)
if topic_note:
    display(say("Topics as drivers: {note}.", note=topic_note))
display(drivers.show())
sc.plot_key_drivers(drivers, good_is_high=outcome_as == "value" and options.get("higher_is_better", True))
plt.show()

# %% tags=["summary"]
from cxlib.report import scores_summary  # the report opens with this summary (cx run moves it to the top)

scores_summary(lights, touchpoint=touchpoint, measure=measure, overall=overall, changes=changes,
               drivers=impact_all if topic_source is not None else None, title=title)
