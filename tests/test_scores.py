"""Scores against values worked out by hand (the arithmetic is written out next to each expected value)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from cxlib import CxInputError
from cxlib.scores import (
    ces,
    check_scores,
    company_score,
    csat,
    harmonize,
    measure_scores,
    nps,
    period_change,
    plot_composition,
    plot_traffic_lights,
    plot_trend,
    read_measure_config,
    read_responses,
    read_targets,
    sentiment_index,
    topic_impact,
    topics_pulling_down,
    traffic_lights,
    trend,
)
from tests.conftest import ROOT, shared

# 5 promoters (9, 10), 3 passives (7, 8), 2 detractors (0-6): NPS = 50% - 20% = 30
NPS_10 = [10, 10, 9, 9, 10, 8, 7, 7, 6, 0]


# ---------------------------------------------------------------- measures
def test_nps_value_se_and_adjusted_wald_interval():
    out = nps(pd.DataFrame({"score": NPS_10})).iloc[0]
    assert (out["promoters"], out["passives"], out["detractors"], out["n"]) == (5, 3, 2, 10)
    assert out["value"] == pytest.approx(30.0)
    # se = sqrt([p + d - (p - d)^2] / n) = sqrt((0.5 + 0.2 - 0.09) / 10) = sqrt(0.061) = 0.246982
    assert out["se"] == pytest.approx(24.6982, abs=1e-3)
    # adjusted Wald: n' = 13, p' = 5.75/13 = 0.442308, d' = 2.75/13 = 0.211538, centre 0.230769,
    # se' = sqrt((0.653846 - 0.053254) / 13) = 0.214940; centre -/+ 1.959964 * se' = [-0.190506, 0.652045]
    assert out["ci_low"] == pytest.approx(-19.0506, abs=1e-3)
    assert out["ci_high"] == pytest.approx(65.2045, abs=1e-3)


def test_nps_by_group_keeps_groups_with_missing_keys():
    df = pd.DataFrame({"score": [10, 0, 9, 5], "tp": ["a", "a", None, "b"]})
    out = nps(df, by="tp")
    assert out["n"].sum() == 4
    assert out["tp"].isna().sum() == 1
    assert out.loc[out["tp"] == "a", "value"].item() == pytest.approx(0.0)
    assert out.loc[out["tp"] == "b", "value"].item() == pytest.approx(-100.0)


def test_interval_stays_inside_range_when_all_promoters():
    out = nps(pd.DataFrame({"score": [10] * 5})).iloc[0]
    assert out["value"] == 100 and out["se"] == 0
    # the adjusted interval is not degenerate: n' = 8, p' = 5.75/8, d' = 0.75/8
    assert out["ci_high"] == 100 and out["ci_low"] < 60


def test_top2box_on_1_to_5_scale():
    # 5, 4, 4, 5 of 8 answers are in the top two boxes: 50 %
    out = csat(pd.DataFrame({"score": [5, 4, 4, 3, 2, 1, 5, 3]}), scale=(1, 5)).iloc[0]
    assert out["top2"] == 4 and out["n"] == 8
    assert out["value"] == pytest.approx(50.0)


def test_top2box_on_1_to_7_scale_with_agresti_coull_interval():
    # 7, 6, 7 of 10 are top-2 on 1-7 (a 5 is not): 30 %
    out = csat(pd.DataFrame({"score": [7, 6, 5, 4, 1, 7, 3, 2, 2, 1]}), scale=(1, 7)).iloc[0]
    assert out["value"] == pytest.approx(30.0)
    # n' = 10 + z^2 = 13.841459, p' = (3 + 1.920729) / 13.841459 = 0.355506,
    # half = 1.959964 * sqrt(p'(1-p')/n') = 0.252168 -> [10.334, 60.767]
    assert out["ci_low"] == pytest.approx(10.334, abs=1e-3)
    assert out["ci_high"] == pytest.approx(60.767, abs=1e-3)


def test_top2box_lower_is_better_uses_the_two_lowest_points():
    out = ces(pd.DataFrame({"score": [1, 2, 3, 5]}), scale=(1, 5), stat="top2box", higher_is_better=False)
    assert out["value"].item() == pytest.approx(50.0)


def test_mean_with_t_interval():
    # mean 3, sd = sqrt(2.5) = 1.581139, se = 0.707107, t(0.975, 4) = 2.776445 -> 3 -/+ 1.963243
    out = csat(pd.DataFrame({"score": [1, 2, 3, 4, 5]}), scale=(1, 5), stat="mean").iloc[0]
    assert out["value"] == pytest.approx(3.0)
    assert out["ci_low"] == pytest.approx(1.036757, abs=1e-5)
    assert out["ci_high"] == pytest.approx(4.963243, abs=1e-5)


def test_sentiment_index_counts_unknown_labels_as_invalid():
    labels = ["positive", "positive", "positive", "neutral", "negative", "mixed", None]
    out = sentiment_index(pd.DataFrame({"sentiment": labels})).iloc[0]
    # (3 - 1) / 5 * 100 = 40
    assert (out["n"], out["n_invalid"], out["n_missing"]) == (5, 1, 1)
    assert out["value"] == pytest.approx(40.0)
    problems = check_scores(pd.DataFrame({"s": labels}), score="s", labels=["positive", "neutral", "negative"])
    assert problems[["row", "value", "problem"]].values.tolist() == [[5, "mixed", "unknown label"],
                                                                     [6, "", "no score"]]


# ---------------------------------------------------------------- invalid scores
def test_invalid_scores_counted_not_coerced():
    raw = [10, "9", " 7 ", "7,5", 7.5, 11, -1, None, "", "abc"]
    df = pd.DataFrame({"score": raw}, dtype=object)
    out = nps(df).iloc[0]
    # valid: 10, "9", " 7 " -> 2 promoters, 1 passive
    assert (out["n"], out["n_missing"], out["n_invalid"]) == (3, 2, 5)
    assert out["value"] == pytest.approx(200 / 3)
    problems = check_scores(df)
    assert problems["row"].tolist() == [3, 4, 5, 6, 7, 8, 9]
    assert problems["problem"].tolist() == [
        "not numeric", "not a whole number", "outside the scale", "outside the scale", "no score", "no score",
        "not numeric"]
    assert problems["value"].tolist()[:2] == ["7,5", "7.5"]
    assert set(problems["expected"]) == {"a whole number from 0 to 10"}


def test_invalid_numeric_column():
    df = pd.DataFrame({"score": [10.0, 7.5, 11.0, np.nan, 3.0]})
    out = csat(df, scale=(1, 10)).iloc[0]
    assert (out["n"], out["n_missing"], out["n_invalid"]) == (2, 1, 2)


def test_read_responses_keeps_raw_text(tmp_path):
    path = tmp_path / "survey.csv"
    path.write_text("id;score;stage\n1;10;Order\n2;n/a;Order\n3;;Billing\n4;7,5;Billing\n", encoding="utf-8")
    df = read_responses(path, columns=["score", "stage"])
    assert df["score"].tolist()[:2] == ["10", "n/a"] and pd.isna(df["score"][2])
    out = nps(df, by="stage").set_index("stage")
    assert (out.loc["Billing", "n_missing"], out.loc["Billing", "n_invalid"], out.loc["Order", "n_invalid"]) == (1, 1, 1)
    with pytest.raises(CxInputError, match="'touchpoint'"):
        read_responses(path, columns=["touchpoint"])
    with pytest.raises(CxInputError, match="not found"):
        read_responses(tmp_path / "nope.csv")


def test_missing_column_names_the_column():
    with pytest.raises(CxInputError, match="'NPS'"):
        nps(pd.DataFrame({"score": [1]}), score="NPS")


# ---------------------------------------------------------------- harmonization
def test_harmonized_scores():
    nps_row = nps(pd.DataFrame({"score": NPS_10}))                                   # 30 -> (30+100)/2 = 65
    mean_row = csat(pd.DataFrame({"score": [1, 2, 3, 4, 5]}), stat="mean")            # 3 on 1-5 -> 50
    effort = ces(pd.DataFrame({"score": [2, 2]}), scale=(1, 5), higher_is_better=False)  # (5-2)/4 -> 75
    top2 = csat(pd.DataFrame({"score": [7, 6, 5, 4, 1, 7, 3, 2, 2, 1]}), scale=(1, 7))  # 30 % -> 30
    out = harmonize(pd.concat([nps_row, mean_row, effort, top2], ignore_index=True))
    assert out["score_100"].tolist() == pytest.approx([65.0, 50.0, 75.0, 30.0])
    # NPS se 24.6982 halves; interval maps linearly: (-19.0506 + 100) / 2
    assert out.loc[0, "score_100_se"] == pytest.approx(12.3491, abs=1e-3)
    assert out.loc[0, "score_100_low"] == pytest.approx(40.4747, abs=1e-3)
    # lower is better: bounds swap so that low <= high
    assert (out["score_100_low"] <= out["score_100_high"]).all()


def _two_measures():
    return pd.DataFrame({
        "measure": ["nps"] * 10 + ["csat"] * 10,
        "score": NPS_10 + [5, 4, 5, 3, 2, 1, 1, 2, 3, 3],  # csat top-2: 5, 4, 5 -> 30 %
    })


CONFIG = {"nps": {"kind": "nps"}, "csat": {"kind": "csat", "scale": [1, 5]}}


def test_company_score_weighted_by_n_with_normal_interval():
    out = company_score(_two_measures(), config=CONFIG, n_boot=0).iloc[0]
    # (65 * 10 + 30 * 10) / 20 = 47.5; se = sqrt(0.25 * 12.34909^2 + 0.25 * 14.49138^2) = 9.51972
    assert out["score"] == pytest.approx(47.5)
    assert out["se"] == pytest.approx(9.51972, abs=1e-4)
    assert out["ci_low"] == pytest.approx(47.5 - 1.959964 * 9.51972, abs=1e-3)
    assert out["components"] == 2 and out["n"] == 20


def test_company_score_inverse_variance():
    out = company_score(_two_measures(), config=CONFIG, weight="inverse_variance", n_boot=0).iloc[0]
    # w = 1/12.34909^2, 1/14.49138^2 -> (65 w1 + 30 w2) / (w1 + w2) = 50.2759; se = 1/sqrt(w1 + w2) = 9.39919
    assert out["score"] == pytest.approx(50.2759, abs=1e-3)
    assert out["se"] == pytest.approx(9.39919, abs=1e-4)


def test_company_score_bootstrap_is_seeded_and_covers_point():
    a = company_score(_two_measures(), config=CONFIG, n_boot=500, seed=3).iloc[0]
    b = company_score(_two_measures(), config=CONFIG, n_boot=500, seed=3).iloc[0]
    assert a["ci_low"] == b["ci_low"] and a["ci_high"] == b["ci_high"]
    assert a["ci_low"] < 47.5 < a["ci_high"]
    assert "bootstrap" in a["interval"]


def test_measure_scores_rejects_unknown_measure():
    df = _two_measures().assign(measure=["nps"] * 10 + ["xyz"] * 10)
    with pytest.raises(CxInputError, match="xyz"):
        measure_scores(df, config=CONFIG)


def test_measure_config_rejects_unknown_keys():
    with pytest.raises(CxInputError, match="unknown keys"):
        measure_scores(_two_measures(), config={"nps": {"kind": "nps", "scale": [0, 10]}, "csat": CONFIG["csat"]})


def test_demo_measure_config_reads():
    config = read_measure_config(ROOT / "notebooks/targets/measures_demo.yml")
    assert config["ces"]["stat"] == "mean" and config["csat"]["stat"] == "top2box"


# ---------------------------------------------------------------- traffic lights
TARGETS = pd.DataFrame({"measure": ["nps", "nps", "effort"], "touchpoint": ["*", "Shop", "*"],
                        "target": [0.0, 50.0, 2.0], "tolerance": [5.0, 5.0, 0.5], "min_n": [30, 30, 30]})


def _row(low, high, *, n=100, value=None, measure="nps", tp="Web", hib=True):
    value = (low + high) / 2 if value is None else value
    return {"touchpoint": tp, "measure": measure, "n": n, "value": value, "ci_low": low, "ci_high": high,
            "higher_is_better": hib}


def test_each_traffic_light_branch():
    table = pd.DataFrame([
        _row(5, 15),                  # low 5 >= target 0: green
        _row(0, 10),                  # low == target: green (at or above)
        _row(-20, -6),                # high -6 < 0 - 5: red
        _row(-12, -5),                # high -5 is not < -5: amber
        _row(-8, 4),                  # straddles: amber
        _row(5, 15, n=29),            # n < min_n: grey even though the interval clears the target
        _row(40, 45, tp="Shop"),      # touchpoint target 50: high 45 is not < 45 -> amber
        _row(1.5, 1.9, measure="effort", hib=False),   # lower is better: high 1.9 <= 2 -> green
        _row(2.6, 3.0, measure="effort", hib=False),   # low 2.6 > 2 + 0.5 -> red
        _row(5, 15, measure="csat"),  # no entry: no target
    ])
    out = traffic_lights(table, targets=TARGETS)
    assert out["light"].tolist() == ["green", "green", "red", "amber", "amber", "grey", "amber", "green", "red",
                                     "no target"]
    assert "not enough responses" in out.loc[5, "reason"]
    assert out.loc[6, "target"] == 50


def test_no_responses_is_grey_even_with_min_n_zero():
    row = pd.DataFrame([_row(np.nan, np.nan, n=0, value=np.nan)])
    assert traffic_lights(row, targets=TARGETS.assign(min_n=0))["light"].item() == "grey"


def test_point_rule_differs_for_a_small_uncertain_group():
    row = pd.DataFrame([_row(-40, 2, n=30, value=-20)])
    assert traffic_lights(row, targets=TARGETS, rule="point")["light"].item() == "red"
    assert traffic_lights(row, targets=TARGETS)["light"].item() == "amber"


def test_read_targets(tmp_path):
    path = tmp_path / "t.yml"
    path.write_text("min_n: 40\ntargets:\n  nps:\n    '*': {target: -20, tolerance: 10}\n"
                    "    Order: {target: 0, tolerance: 5, min_n: 50}\n")
    out = read_targets(path)
    assert out.to_dict("records") == [
        {"measure": "nps", "touchpoint": "*", "target": -20.0, "tolerance": 10.0, "min_n": 40},
        {"measure": "nps", "touchpoint": "Order", "target": 0.0, "tolerance": 5.0, "min_n": 50}]
    path.write_text("targets:\n  nps:\n    Order: {tolerance: 5}\n")
    with pytest.raises(CxInputError, match="targets.nps.Order"):
        read_targets(path)


# ---------------------------------------------------------------- trends and period changes
def _counts_table(rows):
    """A trend-shaped table from (period, promoters, passives, detractors)."""
    out = []
    for i, (period, p, pa, d) in enumerate(rows):
        scores = [10] * p + [8] * pa + [0] * d
        t = nps(pd.DataFrame({"score": scores}))
        t.insert(0, "period", period)
        t.insert(1, "period_start", pd.Timestamp("2020-01-01") + pd.DateOffset(months=i))
        out.append(t)
    return pd.concat(out, ignore_index=True)


def test_period_change_z_test_on_nps():
    table = _counts_table([("2020-01", 50, 20, 30), ("2020-02", 40, 20, 40)])  # NPS 20 -> 0
    plain = period_change(table, adjusted=False).iloc[0]
    # se1^2 = (0.8 - 0.04)/100, se2^2 = 0.8/100 -> se = sqrt(0.0156) = 12.4900; z = -20/12.49 = -1.60128
    assert plain["change"] == pytest.approx(-20.0)
    assert plain["se_change"] == pytest.approx(12.4900, abs=1e-4)
    assert plain["z"] == pytest.approx(-1.60128, abs=1e-4)
    assert plain["p_value"] == pytest.approx(0.10931, abs=1e-4)
    adjusted = period_change(table).iloc[0]
    # n' = 103: p1' = 50.75/103, d1' = 30.75/103, p2' = d2' = 40.75/103 -> se = 12.24674, z = -1.63309
    assert adjusted["se_change"] == pytest.approx(12.24674, abs=1e-4)
    assert adjusted["p_value"] == pytest.approx(0.10245, abs=1e-4)
    assert not adjusted["significant"]


def test_period_change_proportion_test_on_top2box():
    df = pd.DataFrame({
        "score": [5] * 60 + [2] * 40 + [5] * 45 + [2] * 45,
        "date": ["2020-01-15"] * 100 + ["2020-02-15"] * 90,
    })
    t = trend(df, kind="csat", date="date", date_format="%Y-%m-%d", scale=(1, 5))
    out = period_change(t).iloc[0]
    # pooled p = 105/190; se = sqrt(p(1-p)(1/100 + 1/90)) = 0.0722447; z = (0.5 - 0.6)/se = -1.38418
    assert out["test"] == "two-proportion z-test (pooled)"
    assert out["z"] == pytest.approx(-1.38418, abs=1e-4)
    assert out["p_value"] == pytest.approx(0.16630, abs=1e-4)


def test_trend_periods_and_dates():
    df = pd.DataFrame({"score": [10, 0, 9, 7, 3],
                       "date": ["31/01/2018 23:59", "01/02/2018 00:00", "15/02/2018 10:00", "02/04/2018 09:00", None]})
    monthly = trend(df, date="date", date_format="%d/%m/%Y %H:%M")
    assert monthly["period"].tolist() == ["2018-01", "2018-02", "2018-04", "no date"]
    assert monthly["n"].tolist() == [1, 2, 1, 1]
    quarterly = trend(df, date="date", date_format="%d/%m/%Y %H:%M", period="Q")
    assert quarterly["period"].tolist() == ["2018Q1", "2018Q2", "no date"]
    weekly = trend(df, date="date", date_format="%d/%m/%Y %H:%M", period="W")
    assert weekly["period"].tolist()[:2] == ["2018-01-29", "2018-02-12"]  # weeks start on Monday
    with pytest.raises(CxInputError, match="1 dates do not match"):
        trend(df.assign(date=df["date"].replace({"02/04/2018 09:00": "2018-04-02"})), date="date",
              date_format="%d/%m/%Y %H:%M")


def test_trend_local_day_and_mixed_offsets():
    df = pd.DataFrame({"s": ["positive", "negative", "neutral"],
                       "when": ["2015-02-16 23:30:00 -0800", "2015-02-17 00:10:00 -0800", "2015-02-17 09:00:00 -0800"]})
    fmt = "%Y-%m-%d %H:%M:%S %z"
    daily = trend(df, kind="sentiment", score="s", date="when", date_format=fmt, period="D")
    assert daily["period"].tolist() == ["2015-02-16", "2015-02-17"]  # the customer's local day, not UTC
    mixed = df.assign(when=["2015-02-16 23:30:00 -0800", "2015-02-17 00:10:00 -0500", "2015-02-17 09:00:00 -0800"])
    daily = trend(mixed, kind="sentiment", score="s", date="when", date_format=fmt, period="D")
    assert daily["n"].sum() == 3 and daily["period"].tolist() == ["2015-02-17"]  # all on the same UTC day


# ---------------------------------------------------------------- drivers
def test_topic_impact_by_hand():
    demo = pd.DataFrame({"score": [0, 0, 10, 10, 9, 8, None],
                         "topic": ["bill", "bill", "speed", None, "speed", None, "bill"]})
    out = topic_impact(demo, n_boot=300, seed=1).set_index("topic")
    # all: (3 - 2)/6 = 16.67; without bill: 10, 10, 9, 8 -> 75; without speed: 0, 0, 10, 8 -> -25
    assert out.loc["bill", "impact"] == pytest.approx(100 / 6 - 75)
    assert out.loc["speed", "impact"] == pytest.approx(100 / 6 + 25)
    assert out.loc["bill", "n_topic"] == 2 and out.loc["bill", "n_no_score"] == 1
    assert out.loc["bill", "ci_low"] <= out.loc["bill", "impact"] <= out.loc["bill", "ci_high"]
    again = topic_impact(demo, n_boot=300, seed=1).set_index("topic")
    assert again.loc["bill", "ci_low"] == out.loc["bill", "ci_low"]
    down = topics_pulling_down(topic_impact(demo, n_boot=300, seed=1))
    assert down["topic"].tolist() == ["bill"]


def test_topic_impact_on_sentiment_index():
    demo = pd.DataFrame({"s": ["negative", "negative", "positive", "neutral", "odd"],
                         "reason": ["late", "late", None, None, "late"]})
    out = topic_impact(demo, score="s", topic="reason", kind="sentiment", n_boot=50).iloc[0]
    # all: (1 - 2)/4 = -25; without "late": (1 - 0)/2 = 50 -> impact -75; "odd" is not a valid label
    assert out["impact"] == pytest.approx(-75.0)
    assert out["n_no_score"] == 1


def test_topic_impact_per_group():
    demo = pd.DataFrame({"score": [0, 10, 10, 0, 0, 10], "topic": ["x", "y", "y", "x", "y", "x"],
                         "tp": ["a", "a", "a", "b", "b", "b"]})
    out = topic_impact(demo, by="tp", n_boot=50)
    a = out[(out["tp"] == "a") & (out["topic"] == "x")].iloc[0]
    # a: all (2 - 1)/3 = 33.3; without x: 100 -> impact -66.7
    assert a["impact"] == pytest.approx(100 / 3 - 100)


# ---------------------------------------------------------------- charts (draw without error, return Axes)
def test_charts_return_axes():
    df = pd.DataFrame({"score": [10, 0, 9, 7, 3, 10, 1, 2], "tp": list("abababab"),
                       "date": ["2018-01-05", "2018-01-06", "2018-02-01", "2018-02-02"] * 2})
    t = trend(df, date="date", date_format="%Y-%m-%d", by="tp")
    lights = traffic_lights(t, targets=TARGETS.assign(min_n=1), touchpoint="tp")
    for ax in (plot_traffic_lights(lights, y="tp"), plot_trend(lights, hue="tp"),
               plot_composition(nps(df, score="score", by="tp"), y="tp")):
        assert isinstance(ax, matplotlib.axes.Axes)
    plt.close("all")


# ---------------------------------------------------------------- real data
def test_telecom_overall_nps_and_missing_rows():
    df = pd.read_csv(shared("nps_verbatims_telecom/nps_verbatims.csv"))
    out = nps(df, score="NPS_SCORE").iloc[0]
    assert out["n"] == 2353 and out["n_missing"] == 32 and out["n_invalid"] == 0
    assert round(out["value"], 1) == -24.7
    by_tp = nps(df, score="NPS_SCORE", by="SURVEY_SUB_TYPE").set_index("SURVEY_SUB_TYPE")
    assert by_tp.loc["Service in Use", "n"] == 30
    assert len(check_scores(df, score="NPS_SCORE")) == 32


@pytest.mark.slow
def test_scores_notebook_runs_on_shipped_airline_data(tmp_path):
    from cxlib.report import run_notebook

    result = run_notebook(ROOT / "notebooks/03_scores.ipynb", params_file=ROOT / "notebooks/params/scores_airline.yml",
                          outdir=tmp_path, progress=False)
    assert result.status == "ok", result.error
    page = result.html.read_text(encoding="utf-8")
    assert "Traffic lights per airline" in page and "Topic impact overall" in page
