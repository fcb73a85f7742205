"""Key drivers (cxlib.scores.key_drivers): hand-worked Shapley parts, effects, small-n drivers, and a planted rule
on a real event log that the drivers must recover (journey measures assembled by cxlib.owners.journey_drivers)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

import cxlib
from cxlib import CxInputError
from cxlib.owners import journey_drivers
from cxlib.scores import key_drivers, plot_key_drivers

from .conftest import shared

# 2 x 2 design, two replicates: y = 2 x1 + x2 + e with e = +-1. The drivers are orthogonal, so each one's
# Shapley part is its own sum of squares over the total: SST = 18, SS(x1) = 8 x 1^2 = 8, SS(x2) = 8 x 0.5^2 = 2,
# SSE = 8; R² = 10/18, parts 8/18 and 2/18; the least-squares effects are exactly 2 and 1.
ORTHOGONAL = pd.DataFrame({"x1": [0, 0, 0, 0, 1, 1, 1, 1], "x2": [0, 0, 1, 1, 0, 0, 1, 1],
                           "y": [1, -1, 2, 0, 3, 1, 4, 2]})

# Correlated drivers, four rows: y = 0, 1, 2, 3; x1 = 0, 0, 1, 1; x2 = 0, 1, 1, 1. By hand: Sxy(x1) = 2,
# Sxx(x1) = 1, Syy = 5 -> R²(x1) = 4/5 = 0.8; Sxy(x2) = 1.5, Sxx(x2) = 0.75 -> R²(x2) = 2.25/3.75 = 0.6; both:
# fitted values 0, 1, 2.5, 2.5, SSE = 0.5 -> R² = 0.9. Shapley: x1 = (0.8 + (0.9 - 0.6)) / 2 = 0.55,
# x2 = (0.6 + (0.9 - 0.8)) / 2 = 0.35; they add up to 0.9.
CORRELATED = pd.DataFrame({"x1": [0, 0, 1, 1], "x2": [0, 1, 1, 1], "y": [0, 1, 2, 3]})


def test_shapley_parts_worked_by_hand_add_up_to_r2():
    kd = key_drivers(ORTHOGONAL, outcome="y", drivers=["x1", "x2"], min_n=2, n_boot=0)
    parts = kd.importance.set_index("driver")["r2_part"]
    assert parts["x1"] == pytest.approx(8 / 18)
    assert parts["x2"] == pytest.approx(2 / 18)
    assert kd.fit["r2"].item() == pytest.approx(10 / 18)
    assert parts.sum() == pytest.approx(kd.fit["r2"].item())
    assert kd.importance["share"].sum() == pytest.approx(100)
    effects = kd.effects.set_index("term")["effect"]
    assert effects["x1"] == pytest.approx(2.0) and effects["x2"] == pytest.approx(1.0)
    assert kd.importance["rank"].tolist() == [1, 2]


def test_shapley_with_correlated_drivers_and_relative_weights_add_up_to_r2():
    kd = key_drivers(CORRELATED, outcome="y", drivers=["x1", "x2"], min_n=1, n_boot=0)
    parts = kd.importance.set_index("driver")["r2_part"]
    assert parts["x1"] == pytest.approx(0.55) and parts["x2"] == pytest.approx(0.35)
    assert kd.fit["r2"].item() == pytest.approx(0.9)
    rw = key_drivers(CORRELATED, outcome="y", drivers=["x1", "x2"], min_n=1, n_boot=0, method="relative_weights")
    assert rw.method == "relative_weights"
    assert rw.importance["r2_part"].sum() == pytest.approx(0.9)


def test_drivers_with_too_few_cases_are_shown_not_ranked():
    rng = np.random.default_rng(1)
    table = pd.DataFrame({"wait": rng.normal(size=60), "rare": [1] * 3 + [0] * 57,
                          "channel": ["web"] * 40 + ["phone"] * 17 + ["post"] * 3})
    table["y"] = 2 * table["wait"] + rng.normal(size=60)
    kd = key_drivers(table, outcome="y", drivers=["wait", "rare", "channel"], min_n=5, n_boot=20)
    rare = kd.importance.set_index("driver").loc["rare"]
    assert rare["status"] == "too few cases" and pd.isna(rare["rank"]) and rare["cases_with"] == 3
    assert kd.importance.iloc[0]["driver"] == "wait"
    assert any("post (3)" in note for note in kd.notes)  # the small level is pooled, and said so
    assert "rare" not in set(kd.effects["driver"])
    ax = plot_key_drivers(kd)
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "rare"


def test_yes_no_outcome_gives_effects_in_percentage_points():
    # detractor share: 8 of 10 with the topic, 2 of 10 without -> the average marginal effect is +60 points
    table = pd.DataFrame({"score": [0, 1, 2, 3, 4, 5, 6, 6, 9, 10] + [9, 10, 9, 10, 8, 9, 10, 9, 3, 5],
                          "topic: bill": [1] * 10 + [0] * 10})
    kd = key_drivers(table, outcome="score", outcome_as="detractor", drivers=["topic: bill"], min_n=5, n_boot=50)
    assert kd.effect_unit == "percentage points"
    assert kd.effects["effect"].item() == pytest.approx(60.0, abs=0.5)
    assert kd.importance["direction"].item() == "raises"


def test_bad_input_is_refused_clearly():
    with pytest.raises(CxInputError, match="outcome_as"):
        key_drivers(ORTHOGONAL, outcome="y", drivers=["x1"], outcome_as="mean")
    with pytest.raises(CxInputError, match="at least one driver"):
        key_drivers(ORTHOGONAL, outcome="y", drivers=[])
    with pytest.raises(CxInputError, match="nope"):
        key_drivers(ORTHOGONAL, outcome="y", drivers=["nope"])


def test_planted_rule_on_a_real_log_is_recovered():
    """Scores planted on the helpdesk log's real journeys by a known rule: the drivers recover its ranking.

    score = 9 - 3 [the case repeated an activity] - 0.08 x longest wait (days) - 0.5 x hand-offs + noise, rounded
    and clipped to 0-10. The service level of the case is not in the rule. The expected ranking is the order of
    the rule's terms by their variance in this data; nothing here ships as a finding.
    """
    log = cxlib.read_log(shared("helpdesk/helpdesk.xes.gz"))
    cases = pd.DataFrame({"case_id": log["case:concept:name"].astype(str).unique()})
    table = journey_drivers(cases, log, case_attributes=["service_level"])
    assert table["case_found"].all()
    repeat = table["had_repeat"].astype(float)
    terms = {"had_repeat": 3 * repeat, "max_wait_days": 0.08 * table["max_wait_days"],
             "handoffs": 0.5 * table["handoffs"]}
    noise = np.random.default_rng(7).normal(0, 1, len(table))
    table["score"] = np.clip(np.round(9 - sum(terms.values()) + noise), 0, 10)
    expected = sorted(terms, key=lambda name: -terms[name].var())
    # the variances of the terms on this log: 3^2 x 0.271 x 0.729 = 1.78 (27.1 % of the cases repeat an activity),
    # 0.08^2 x 11.1^2 = 0.79 (longest wait: sd 11.1 days), 0.5^2 x 0.80^2 = 0.16 (hand-offs: sd 0.80)
    assert expected == ["had_repeat", "max_wait_days", "handoffs"]
    assert [round(float(terms[name].var()), 2) for name in expected] == [1.78, 0.79, 0.16]
    kd = key_drivers(table, outcome="score", drivers=["had_repeat", "max_wait_days", "handoffs", "service_level"],
                     n_boot=50, seed=0)
    ranked = kd.importance[kd.importance["status"] == "ranked"]
    assert ranked["driver"].tolist() == [*expected, "service_level"]
    assert ranked.set_index("driver").loc["service_level", "share"] < 2
    effects = kd.effects.set_index("term")
    assert (effects.loc[expected, "effect_high"] < 0).all()  # every planted term lowers the score
    assert effects.loc["had_repeat", "effect_low"] < -3 * 0.9 and effects.loc["had_repeat", "effect_high"] > -3 * 1.1
    # the rule's effect of each number from its 25th to its 75th percentile: the wait, 0.08 x (p75 - p25) days
    # (0.08 x (39.2 - 22.0) = 1.38 points); the hand-offs, 0.5 x (2 - 1) = 0.5 points. Rounding to whole points and
    # clipping at 0 and 10 bias them a little, hence 10 %
    p25, p75 = np.percentile(table["max_wait_days"], [25, 75])
    assert effects.loc["max_wait_days", "effect"] == pytest.approx(-0.08 * (p75 - p25), rel=0.1)
    assert effects.loc["handoffs", "effect"] == pytest.approx(-0.5, rel=0.1)
    assert effects.loc["service_level = Value 3", "direction"] == "unclear"  # not in the rule
