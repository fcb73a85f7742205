"""Touchpoint model, linking, scores against targets, critical touchpoints, association and owner routing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxlib import CxInputError
from cxlib import owners as co
from cxlib.display import redact
from cxlib.report import owner_entries

from .conftest import ROOT, make_log

MODEL_YAML = """
project: test shop
touchpoints:
  - name: Ordering
    owner: Sales
    activities: [Order]
    labels: [order]
    seed_words: [order*, checkout]
    measures:
      - {measure: nps, target: 0, tolerance: 10, min_n: 5}
  - name: Delivery
    owner: Logistics
    activities: [Deliver]
    labels: [delivery]
    seed_words: [parcel, courier, late]
    measures:
      - {measure: nps, target: 0, tolerance: 10, min_n: 5}
  - name: Support
    owner: Logistics
    activities: [Call]
    labels: [support]
    seed_words: [hotline, agent*, customer service]
    measures:
      - {measure: nps, target: 0, tolerance: 10, min_n: 5}
"""


@pytest.fixture
def model_path(tmp_path):
    path = tmp_path / "model.yml"
    path.write_text(MODEL_YAML, encoding="utf-8")
    return path


@pytest.fixture
def model(model_path):
    return co.read_touchpoint_model(model_path)


def planted_journeys(n_cases=240, seed=7):
    """Order -> Deliver -> Call per case; the wait before Deliver drives the score down (planted effect).

    Returns the log, the feedback (one survey per case, after the last event) and the planted waits (hours).
    Hand-offs (resource changes) are drawn independently of the score.
    """
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2024-01-01", tz="UTC")
    waits = rng.uniform(2, 200, n_cases).round()  # hours before delivery
    rows, feedback = [], []
    for i in range(n_cases):
        case = f"C{i:04d}"
        t0 = start + pd.Timedelta(hours=int(rng.integers(0, 24 * 60)))
        t1 = t0 + pd.Timedelta(hours=waits[i])
        t2 = t1 + pd.Timedelta(hours=1)
        resources = rng.choice(["r1", "r2"], size=3)
        rows += [(case, "Order", t0, resources[0]), (case, "Deliver", t1, resources[1]),
                 (case, "Call", t2, resources[2])]
        score = int(np.clip(np.round(10 - waits[i] / 20 + rng.normal(0, 1)), 0, 10))
        feedback.append({"case_id": case, "date": t2 + pd.Timedelta(hours=2), "score": score,
                         "text": f"survey of {case}"})
    log = pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "time:timestamp", "org:resource"])
    return log, pd.DataFrame(feedback), pd.Series(waits, index=[f"C{i:04d}" for i in range(n_cases)])


# --- touchpoint model ------------------------------------------------------------------------------------------

def test_model_reads_owners_targets_and_maps(model):
    assert model.owner_names == ["Sales", "Logistics"]
    assert [tp.name for tp in model.for_owner("Logistics").touchpoints] == ["Delivery", "Support"]
    assert model.activity_map() == {"Order": "Ordering", "Deliver": "Delivery", "Call": "Support"}
    assert model.label_map()["delivery"] == "Delivery"
    targets = model.targets()
    assert targets[["measure", "touchpoint", "target", "tolerance", "min_n"]].iloc[1].tolist() == \
        ["nps", "Delivery", 0.0, 10.0, 5]
    assert len(model.table()) == 3


@pytest.mark.parametrize("change, message", [
    (("    owner: Sales\n    activities: [Order]", "    activities: [Order]"), "touchpoint 'Ordering' has no owner"),
    (("name: Delivery", "name: Ordering"), "touchpoint 'Ordering' is defined twice"),
    (("activities: [Call]", "activities: [Order]"), "activity 'Order' is mapped to both"),
    (("measure: nps, target: 0, tolerance: 10, min_n: 5}\n  - name: Delivery",
      "measure: nsp, target: 0, tolerance: 10, min_n: 5}\n  - name: Delivery"), "measure is 'nsp'"),
    (("{measure: nps, target: 0, tolerance: 10, min_n: 5}\n  - name: Support",
      "{measure: nps, target: high, tolerance: 10, min_n: 5}\n  - name: Support"), "target must be a number"),
    (("seed_words: [parcel, courier, late]", "seed_word: [parcel]"), "unknown key(s) ['seed_word']"),
    (("project: test shop", "project: [unclosed"), "not valid YAML"),
])
def test_model_errors_name_file_and_problem(tmp_path, change, message):
    old, new = change
    assert old in MODEL_YAML
    path = tmp_path / "bad.yml"
    path.write_text(MODEL_YAML.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CxInputError) as err:
        co.read_touchpoint_model(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_model_takes_targets_from_a_targets_file(tmp_path):
    (tmp_path / "targets.yml").write_text(
        "min_n: 40\ntargets:\n  nps:\n    '*': {target: -20, tolerance: 10}\n    order: {target: 5, tolerance: 2}\n",
        encoding="utf-8")
    model_yaml = ("targets: targets.yml\ntouchpoints:\n"
                  "  - {name: Ordering, owner: Sales, labels: [order], measures: [nps]}\n"
                  "  - {name: Delivery, owner: Logistics, measures: [{measure: nps, tolerance: 4}]}\n"
                  "  - {name: Support, owner: Care, measures: [{measure: csat, scale: [1, 5]}]}\n")
    path = tmp_path / "model.yml"
    path.write_text(model_yaml, encoding="utf-8")
    with pytest.raises(CxInputError) as err:  # no csat entry in the targets file
        co.read_touchpoint_model(path)
    assert "has no target" in str(err.value) and "has no entry for csat and 'Support'" in str(err.value)
    assert f"the targets file {tmp_path / 'targets.yml'} has no entry" in str(err.value)  # where it was found
    path.write_text(model_yaml.replace("{measure: csat, scale: [1, 5]}", "{measure: csat, target: 80}"),
                    encoding="utf-8")
    targets = co.read_touchpoint_model(path).targets().set_index("touchpoint")
    assert targets.loc["Ordering", ["target", "tolerance", "min_n"]].tolist() == [5.0, 2.0, 40]  # by label
    assert targets.loc["Delivery", ["target", "tolerance", "min_n"]].tolist() == [-20.0, 4.0, 40]  # "*", own tol.
    assert targets.loc["Support", "target"] == 80.0


def test_model_missing_file_and_empty_list(tmp_path):
    with pytest.raises(CxInputError, match="touchpoint model not found"):
        co.read_touchpoint_model(tmp_path / "nope.yml")
    path = tmp_path / "empty.yml"
    path.write_text("touchpoints: []\n", encoding="utf-8")
    with pytest.raises(CxInputError, match="non-empty list"):
        co.read_touchpoint_model(path)


def test_model_checked_against_log_and_feedback(model_path):
    log = make_log([("c1", "Order", "2024-01-01"), ("c1", "Deliver", "2024-01-02")])
    with pytest.raises(CxInputError) as err:
        co.read_touchpoint_model(model_path, log=log)
    assert "activity 'Call' is not in the event log" in str(err.value)
    assert "Deliver, Order" in str(err.value)  # the activities that exist are listed
    feedback = pd.DataFrame({"stage": ["ORDER", "Delivery"]})
    with pytest.raises(CxInputError, match="label 'support' does not occur in the feedback column 'stage'"):
        co.read_touchpoint_model(model_path, feedback=feedback, label_column="stage")


# --- linking ---------------------------------------------------------------------------------------------------

def test_link_by_label_and_topic_with_coverage(model):
    feedback = pd.DataFrame({
        "stage": ["Order", "DELIVERY", None, None, None, "unknown"],
        "text": ["ok", "ok", "The courier left my parcel outside", "Your agents on the hotline were rude",
                 "lovely weather", "nothing here"],
    })
    result = co.link_feedback(feedback, model, methods=["label", "topic"], label="stage")
    assert result.link_methods == ["label", "topic"]
    linked = result.linked
    assert linked["touchpoint"].tolist()[:4] == ["Ordering", "Delivery", "Delivery", "Support"]
    assert linked["link"].tolist()[:4] == ["label", "label", "topic", "topic"]
    assert linked["touchpoint"].iloc[4:].isna().all()
    cov = co.link_coverage(result).set_index("method")
    assert cov.loc["label", "rows"] == 2 and cov.loc["topic", "rows"] == 2 and cov.loc["not linked", "rows"] == 2
    assert cov.loc["topic", "cumulative_share"] == pytest.approx(4 / 6)
    assert cov.loc["total", "rows"] == 6
    pd.testing.assert_frame_equal(co.link_coverage(linked), cov.reset_index())  # the table alone: same methods
    assert "Link coverage" in result.show()._repr_html_()
    # a method that linked nothing is still reported, in the order tried (only the result knows it was tried)
    none_by_topic = co.link_feedback(feedback.head(2), model, methods=["topic", "label"], label="stage")
    assert co.link_coverage(none_by_topic)["method"].tolist()[:2] == ["topic", "label"]
    assert co.link_coverage(none_by_topic.linked)["method"].tolist()[0] == "label"


def test_link_by_topic_prefix_phrase_and_ties(model):
    feedback = pd.DataFrame({"text": ["Ordering was easy", "customer service!", "late order", "orderly"]})
    linked = co.link_by_topic(feedback, model)
    # order* matches "Ordering" and "orderly"; the phrase "customer service" matches; "late order" ties
    # (one hit for Delivery, one for Ordering) and goes to the touchpoint listed first in the model
    assert linked["touchpoint"].tolist() == ["Ordering", "Support", "Ordering", "Ordering"]
    assert linked["topic_tie"].tolist() == [False, False, True, False]


def test_link_by_case_uses_event_id_then_date(model):
    log = make_log([("c1", "Order", "2024-01-01 10:00"), ("c1", "Deliver", "2024-01-03 10:00"),
                    ("c1", "Call", "2024-01-05 10:00"), ("c2", "Order", "2024-01-01 09:00")])
    log["event"] = ["e1", "e2", "e3", "e4"]
    feedback = pd.DataFrame({
        "case_id": ["c1", "c1", "c1", "c2", "c9"],
        "date": ["2024-01-04", "2024-01-06", "2024-01-04", "2024-01-02", "2024-01-02"],
        "event": [None, None, "e3", None, None],
    })
    linked = co.link_by_case(feedback, log, model=model, event_id="event")
    assert linked["touchpoint"].tolist()[:4] == ["Delivery", "Support", "Support", "Ordering"]
    assert linked["case_found"].tolist() == [True, True, True, True, False]
    assert pd.isna(linked["touchpoint"].iloc[4])


def test_case_found_without_touchpoint_is_counted_apart(model):
    log = make_log([("c1", "Order", "2024-01-01"), ("c1", "Survey sent", "2024-01-02")])
    feedback = pd.DataFrame({"case_id": ["c1", "c1"], "date": ["2024-01-01 12:00", "2024-01-03"]})
    linked = co.link_feedback(feedback, model, methods=["case"], log=log)
    assert linked.linked["activity"].tolist() == ["Order", "Survey sent"]
    cov = co.link_coverage(linked).set_index("method")
    assert cov.loc["case", "rows"] == 1
    assert cov.loc["case found, no touchpoint", "rows"] == 1 and cov.loc["not linked", "rows"] == 1


def test_planted_effect_recovered_by_link_per_case_table_and_association(model):
    log, feedback, waits = planted_journeys()
    # feedback that belongs to no journey must not be linked
    stray = pd.DataFrame({"case_id": ["X1", "X2"], "date": feedback["date"].iloc[:2].to_numpy(),
                          "score": [5, 6], "text": ["?", "?"]})
    feedback = pd.concat([feedback, stray], ignore_index=True)
    result = co.link_feedback(feedback, model, methods=["case"], log=log)
    cov = co.link_coverage(result).set_index("method")
    assert cov.loc["case", "rows"] == len(waits) and cov.loc["not linked", "rows"] == 2
    # the survey comes after the last event (Call), so it is linked to Support
    linked = result.linked
    assert set(linked.loc[linked["case_found"], "touchpoint"]) == {"Support"}

    cases = co.per_case_table(result, log)
    assert (cases.invalid_scores, cases.score_note) == (0, "")
    table = cases.per_case
    pd.testing.assert_frame_equal(co.per_case_table(linked, log).per_case, table)
    assert len(table) == len(waits)
    by_case = table.set_index("case_id")
    # the longest wait in each journey is the planted one (the wait before Call is 1 hour)
    assert np.allclose(by_case.loc[waits.index, "max_wait_h"], waits.clip(lower=1))
    assert np.allclose(by_case.loc[waits.index, "throughput_h"], waits + 1)
    scores = feedback.set_index("case_id")["score"]
    assert (by_case.loc[waits.index, "score"] == scores.loc[waits.index]).all()

    association = co.score_association(cases, features=["max_wait_h", "handoffs"])
    assert (association.invalid_scores, association.score_note) == (0, "")
    assoc = association.association.set_index("feature")
    pd.testing.assert_frame_equal(
        co.score_association(table, features=["max_wait_h", "handoffs"]).association.set_index("feature"), assoc)
    wait = assoc.loc["max_wait_h"]
    assert wait["n"] == len(waits)
    assert wait["spearman_rho"] < -0.8 and wait["rho_high"] < 0
    assert wait["difference"] < 0 and wait["difference_high"] < 0  # longer waits, lower scores
    assert wait["slope_low"] < -1 / 20 < wait["slope_high"]  # the planted slope: one point per 20 hours
    assert wait["hedges_g"] < -1
    handoffs = assoc.loc["handoffs"]  # drawn independently of the score
    assert handoffs["rho_low"] < 0 < handoffs["rho_high"]


def test_per_case_table_and_dashboard_count_scores_that_are_not_numbers(model):
    log = make_log([("c1", "Order", "2024-01-01"), ("c1", "Deliver", "2024-01-02"), ("c2", "Call", "2024-01-01")])
    feedback = pd.DataFrame({"case_id": ["c1", "c1", "c2", "c9"], "score": [8, "7,5", "n/a", 3],
                             "text": ["ok", "meh", "?", "stray"]}).astype({"score": object})
    cases = co.per_case_table(feedback, log)
    assert cases.per_case.set_index("case_id")["score"].to_dict() == pytest.approx({"c1": 8.0, "c2": np.nan},
                                                                                   nan_ok=True)
    assert cases.invalid_scores == 2
    assert cases.score_note.startswith("2 feedback rows of linked cases have a score in 'score' that is not a "
                                       "number (") and cases.score_note.endswith("left out of the per-case scores.")
    assert cases.score_note in repr(cases.show())  # the text of what a report shows
    dash = co.build_dashboard(feedback, model, log=log, link=["case"], case_id="case_id", score="score")
    assert (dash.invalid_scores, dash.score_note) == (2, cases.score_note)
    assert cases.score_note in repr(dash.show())


def test_association_notes_instead_of_numbers():
    table = pd.DataFrame({"score": [1, 2, 3, 4, 5] * 4, "flat": [1] * 20, "few": [1, 2] + [np.nan] * 18})
    out = co.score_association(table, features=["flat", "few", "absent"]).association.set_index("feature")
    assert out.loc["flat", "note"] == "the feature or the score does not vary"
    assert out.loc["few", "note"].startswith("only 2 cases")
    assert out.loc["absent", "note"] == "not in the per-case table"
    with pytest.raises(CxInputError, match="no score column 'nps'"):
        co.score_association(table, score="nps")


# --- scores, journey measures, ranking, changes ---------------------------------------------------------------

def test_touchpoint_scores_light_and_period_change(model):
    # Ordering: 6 promoters, 2 passives, 2 detractors in January; 10 detractors in February
    rows = ([("order", "2024-01-10", 10)] * 6 + [("order", "2024-01-10", 8)] * 2 + [("order", "2024-01-10", 3)] * 2
            + [("order", "2024-02-10", 0)] * 10 + [("delivery", "2024-02-10", 10)] * 3)
    feedback = pd.DataFrame(rows, columns=["stage", "date", "score"])
    linked = co.link_by_label(feedback, model, label="stage")
    now = co.touchpoint_scores(linked, model).set_index("touchpoint")
    assert now.loc["Ordering", "n"] == 20
    assert now.loc["Ordering", "value"] == pytest.approx((6 - 12) / 20 * 100)
    assert now.loc["Delivery", "light"] == "grey"  # 3 responses < min_n 5
    assert now.loc["Support", "n"] == 0 and now.loc["Support", "light"] == "grey"
    trend = co.touchpoint_scores(linked, model, period="M", date="date")
    order = trend[trend["touchpoint"] == "Ordering"].set_index("period")
    assert order.loc["2024-01", "value"] == pytest.approx(40.0)
    assert order.loc["2024-02", "value"] == pytest.approx(-100.0)
    assert order.loc["2024-02", "light"] == "red"
    change = co.period_changes(trend).set_index("touchpoint").loc["Ordering"]
    assert (change["previous"], change["current"]) == ("2024-01", "2024-02")
    assert change["change"] == pytest.approx(-140.0)
    assert change["verdict"] == "worse"
    # z-test on the difference with adjusted-Wald variances: 3/4 added to promoters and detractors, 3 to n
    jan = ((6.75 + 2.75) / 13 - ((6.75 - 2.75) / 13) ** 2) / 13
    feb = ((0.75 + 10.75) / 13 - ((0.75 - 10.75) / 13) ** 2) / 13
    se = 100 * np.sqrt(jan + feb)
    assert change["p_value"] == pytest.approx(2 * stats.norm.sf(140 / se), rel=1e-6)
    assert change["change_low"] == pytest.approx(-140 - 1.959964 * se, rel=1e-5)


def test_repeat_contact_rate_counts_follow_ups_and_censors_recent_visits(tmp_path):
    path = tmp_path / "m.yml"
    path.write_text("""
touchpoints:
  - name: Payment
    owner: Payments
    activities: [pay]
    measures: [{measure: repeat_contact_rate, target: 10, tolerance: 5, min_n: 1}]
  - name: Info
    owner: Info desk
    activities: [info]
    measures: [{measure: repeat_contact_rate, target: 10, tolerance: 5, min_n: 1}]
""", encoding="utf-8")
    model = co.read_touchpoint_model(path)
    log = make_log([
        ("a", "pay", "2024-01-01"), ("a", "info", "2024-01-10"),   # pay followed within 30 days
        ("b", "pay", "2024-01-01"), ("b", "pay", "2024-03-01"),    # follow-up after 60 days: not a repeat
        ("c", "pay", "2024-01-05"),                                 # no follow-up
        ("d", "info", "2024-03-20"), ("d", "info", "2024-03-21"),  # info visit within 30 days of the end
    ])
    linked = pd.DataFrame({"touchpoint": pd.Series([], dtype=object)})
    out = co.touchpoint_scores(linked, model, log=log, repeat_window_days=30).set_index("touchpoint")
    assert out.loc["Payment", "n"] == 3 and out.loc["Payment", "value"] == pytest.approx(100 / 3)
    # a's info visit (2024-01-10) counts (no follow-up); d's first info visit is censored
    assert out.loc["Info", "n"] == 1 and out.loc["Info", "value"] == 0


def test_journey_measures_and_critical_ranking(model):
    log = make_log([
        ("c1", "Order", "2024-01-01 00:00", "r1"), ("c1", "Deliver", "2024-01-01 10:00", "r2"),
        ("c1", "Deliver", "2024-01-01 20:00", "r2"), ("c1", "Call", "2024-01-01 21:00", "r3"),
        ("c2", "Order", "2024-01-02 00:00", "r1"), ("c2", "Deliver", "2024-01-02 06:00", "r1"),
        ("c2", "Call", "2024-01-02 07:00", "r1"),
    ])
    measures = co.journey_touchpoint_measures(log, model, success_ends=["Support"])
    assert measures.success_ends == ["Support"] and measures.success_note == "Successful ends given: Support."
    assert measures.unmapped_events == 0
    assert "Journey measures per touchpoint" in measures.show()._repr_html_()
    journey = measures.table.set_index("touchpoint")
    assert journey.loc["Delivery", "events"] == 3 and journey.loc["Delivery", "cases"] == 2
    assert journey.loc["Delivery", "rework_rate"] == pytest.approx(0.5)
    assert journey.loc["Delivery", "median_wait_before_h"] == pytest.approx(10.0)  # waits 10, 10, 6
    assert journey.loc["Ordering", "dropoff_rate"] == 0

    feedback = pd.DataFrame({"stage": ["delivery"] * 6 + ["order"] * 2 + ["support"] * 2,
                             "sentiment": ["negative"] * 5 + ["positive"] + ["negative", "positive"] * 2})
    linked = co.link_by_label(feedback, model, label="stage")
    negative = linked["sentiment"].eq("negative")
    ranked = co.critical_touchpoints(model, journey=journey.reset_index(), linked=linked, negative=negative)
    assert ranked["touchpoint"].iloc[0] == "Delivery"  # most feedback, most negative, most rework and wait
    assert ranked.set_index("touchpoint").loc["Delivery", "negative_share"] == pytest.approx(5 / 6)
    assert ranked["rank"].tolist() == [1, 2, 3]
    assert "negative share" in ranked["components"].iloc[0]
    # the result itself is accepted too
    pd.testing.assert_frame_equal(co.critical_touchpoints(model, journey=measures, linked=linked, negative=negative),
                                  ranked)
    # an activity the model does not name is counted, kept in the journey under its own name (c1 ends at it,
    # a drop-off when the successful ends are inferred), and gets no row
    extra = pd.concat([log, make_log([("c1", "Refund", "2024-01-01 22:00", "r3")])], ignore_index=True)
    inferred = co.journey_touchpoint_measures(extra, model)
    assert inferred.unmapped_events == 1 and "inferred" in inferred.success_note
    assert sorted(inferred.success_ends) == ["Refund", "Support"]
    assert inferred.table["touchpoint"].tolist() == ["Ordering", "Delivery", "Support"]
    page = inferred.show()._repr_html_()
    assert "Events whose activity the touchpoint model does not name: 1 (" in page


# --- pain points, redaction, routing ----------------------------------------------------------------------------

def test_pain_points_rank_topics_and_redact_examples(model):
    feedback = pd.DataFrame({
        "stage": ["delivery"] * 5 + ["order"],
        "reason": ["late", "late", "damaged", "late", "damaged", "price"],
        "sentiment": ["negative"] * 4 + ["positive", "negative"],
        "text": ["Parcel two weeks late, call me on +44 20 7946 0958", "late again", "box crushed",
                 "late late late", "fine", "too expensive"],
    })
    linked = co.link_by_label(feedback, model, label="stage")
    pains = co.pain_points(linked, topic="reason", negative=linked["sentiment"].eq("negative"),
                           redact=True)
    delivery = pains[pains["touchpoint"] == "Delivery"]
    assert delivery["topic"].tolist() == ["late", "damaged"]
    assert delivery["count"].tolist() == [3, 1]
    assert delivery["share"].iloc[0] == pytest.approx(0.75)
    assert "7946" not in " ".join(pains["examples"]) and "[PHONE]" in delivery["examples"].iloc[0]


def test_topic_changes_compare_shares_between_periods(model):
    feedback = pd.DataFrame({
        "stage": ["delivery"] * 40,
        "date": ["2024-01-15"] * 20 + ["2024-02-15"] * 20,
        "reason": ["late"] * 5 + ["damaged"] * 15 + ["late"] * 15 + ["damaged"] * 5,
    })
    linked = co.link_by_label(feedback, model, label="stage")
    shifts = co.topic_changes(linked, topic="reason", date="date", period="M").set_index("topic")
    late = shifts.loc["late"]
    assert (late["previous"], late["current"]) == ("2024-01", "2024-02")
    assert (late["count_previous"], late["count_current"]) == (5, 15)
    assert late["change"] == pytest.approx(0.5) and late["verdict"] == "more"
    # two-proportion z-test with the pooled share 0.5: z = 0.5 / sqrt(0.25 * (2 / 20)) = 3.162
    assert late["p_value"] == pytest.approx(0.001565, rel=1e-3)
    assert shifts.loc["damaged", "verdict"] == "fewer"


@pytest.mark.parametrize("text, expected", [
    ("mail me at anna.b+cx@mail.example.co.uk please", "mail me at [EMAIL] please"),
    ("IBAN NL91 ABNA 0417 1643 00 for the refund", "IBAN [IBAN] for the refund"),
    ("card 4111 1111 1111 1111 was charged", "card [CARD] was charged"),
    ("ring 030-1234567", "ring [PHONE]"),
    ("@united lost my bag", "[HANDLE] lost my bag"),
    ("see https://evil.example/x?a=1", "see [URL]"),
    ("flight 1065 at 10:30 on 24 Feb", "flight 1065 at 10:30 on 24 Feb"),
])
def test_redact_text(text, expected):
    assert redact(text)[0] == expected


def test_build_dashboard_owner_view_has_only_their_touchpoints(model):
    log, feedback, _ = planted_journeys(n_cases=60)
    dash = co.build_dashboard(feedback, model, log=log, owner="Logistics", link=["case"], case_id="case_id",
                              date="date", score="score", period="W")
    assert set(dash.scores["touchpoint"]) == {"Delivery", "Support"}
    assert set(dash.critical["touchpoint"]) <= {"Delivery", "Support"}
    assert set(dash.linked["touchpoint"]) == {"Support"}
    assert dash.association is not None and len(dash.per_case) == 60
    assert dash.link_methods == ["case"] and (dash.invalid_scores, dash.score_note) == (0, "")
    shown = dash.show()._repr_html_()
    assert "Association of journey features" in shown and "Link coverage" in shown
    with pytest.raises(CxInputError, match="owner 'Nobody' has no touchpoint"):
        co.build_dashboard(feedback, model, log=log, owner="Nobody", link=["case"], case_id="case_id")
    with pytest.raises(CxInputError, match="no score column 'nps'"):
        co.build_dashboard(feedback, model, log=log, link=["case"], case_id="case_id", score="nps")


def test_build_dashboard_label_column_named_touchpoint(model):
    """read_feedback calls the label column "touchpoint": it must be read as a label, not as a linked touchpoint."""
    feedback = pd.DataFrame({"touchpoint": ["Delivery", "order", "SUPPORT", "nonsense"], "text": list("abcd")})
    dash = co.build_dashboard(feedback, model, link=["label"], label="touchpoint")
    cov = dash.coverage.set_index("method")
    assert cov.loc["label", "rows"] == 3 and cov.loc["not linked", "rows"] == 1
    assert dash.linked["touchpoint"].tolist()[:3] == ["Delivery", "Ordering", "Support"]
    assert dash.linked["touchpoint_input"].tolist()[3] == "nonsense"


def test_build_dashboard_classifies_sentiment_with_vader_when_asked(model):
    feedback = pd.DataFrame({"stage": ["order", "order", "delivery", "support"],
                             "text": ["I love the new checkout, great!", "Terrible, awful ordering mess",
                                      "The courier was horrible and late", "I called the hotline on Monday"]})
    dash = co.build_dashboard(feedback, model, link=["label"], label="stage", sentiment="vader")
    assert dash.linked["sentiment_vader"].tolist() == ["positive", "negative", "negative", "neutral"]
    assert dash.linked["negative"].tolist() == [False, True, True, False]
    assert any("VADER" in note for note in dash.notes)


def test_read_dashboard_feedback_keeps_roles_apart():
    columns = {"text": "ComplaintTopic_EN", "case_id": "CustomerID", "date": "ContactDate",
               "event_id": "ComplaintID", "topic": "ComplaintTopic_EN", "label": "ComplaintSubtheme_EN"}
    fb = co.read_dashboard_feedback(ROOT / "data/bpic2016_complaints.csv", columns=columns)
    assert "touchpoint_label" in fb.columns and "touchpoint" not in fb.columns
    for name in ("text", "case_id", "date", "ComplaintID", "ComplaintTopic_EN"):
        assert name in fb.columns
    assert len(fb) == 289 and fb["case_id"].iloc[0] == "1945807"
    with pytest.raises(CxInputError, match="unknown column role"):
        co.read_dashboard_feedback(ROOT / "data/bpic2016_complaints.csv", columns={"txt": "x"})


def test_build_dashboard_takes_the_column_roles_of_a_parameter_file():
    model = co.read_touchpoint_model(ROOT / "notebooks/touchpoints/uwv_complaints.yml")
    columns = {"text": "ComplaintTopic_EN", "case_id": "CustomerID", "date": "ContactDate",
               "event_id": "ComplaintID", "topic": "ComplaintTopic_EN"}
    fb = co.read_dashboard_feedback(ROOT / "data/bpic2016_complaints.csv", columns=columns)
    by_roles = co.build_dashboard(fb, model, link=["topic"], columns=columns, period="Q")
    by_names = co.build_dashboard(fb, model, link=["topic"], text="text", case_id="case_id", date="date",
                                  event_id="ComplaintID", topic="ComplaintTopic_EN", period="Q")
    pd.testing.assert_frame_equal(by_roles.critical, by_names.critical)
    pd.testing.assert_frame_equal(by_roles.linked, by_names.linked)
    with pytest.raises(CxInputError, match="unknown column role"):
        co.build_dashboard(fb, model, link=["topic"], columns={"txt": "x"})


def test_owner_links_escape_names_and_link_locally(tmp_path):
    path = tmp_path / "m.yml"
    path.write_text("touchpoints:\n  - {name: '<b>Pay</b>', owner: '<script>x</script> team'}\n", encoding="utf-8")
    markup = co.owner_links(co.read_touchpoint_model(path), report_name="dash")._repr_html_()
    assert "<script>" not in markup and "&lt;script&gt;x&lt;/script&gt; team" in markup
    assert "href='dash__script-x-script-team.html'" in markup and "&lt;b&gt;Pay&lt;/b&gt;" in markup


def test_suite_entries_expand_overview_then_owners(tmp_path, model_path):
    params = tmp_path / "dashboard_shop.yml"
    params.write_text(f"touchpoints_file: {model_path}\nfeedback_file: x.csv\n", encoding="utf-8")
    entries = owner_entries(params)
    assert [e["name"] for e in entries] == ["dashboard_shop", "dashboard_shop__sales", "dashboard_shop__logistics"]
    assert [e["overrides"]["owner"] for e in entries] == ["", "Sales", "Logistics"]
    assert all(e["notebook"] == "notebooks/04_cx_dashboard.ipynb" and e["params"] == str(params) for e in entries)
    demo = owner_entries(ROOT / "notebooks/params/dashboard_demo.yml")
    assert len(demo) >= 3  # the overview and at least two owner reports
    with pytest.raises(CxInputError, match="does not exist"):
        owner_entries(tmp_path / "missing.yml")


# --- the demo projects on real data -----------------------------------------------------------------------------

def _dashboard_from_params(name, **overrides):
    import yaml

    import cxlib

    params = yaml.safe_load((ROOT / "notebooks" / "params" / f"{name}.yml").read_text(encoding="utf-8"))
    columns = params["columns"]
    model = co.read_touchpoint_model(ROOT / params["touchpoints_file"])
    feedback = co.read_dashboard_feedback(ROOT / params["feedback_file"], columns=columns,
                                          date_format=params.get("date_format"), **params["feedback_options"])
    log = cxlib.read_log(ROOT / params["log_file"], **params["log_options"]) if params.get("log_file") else None
    return co.build_dashboard(feedback, model, log=log, link=params["link"], period=params["period"],
                              success_ends=params.get("success_ends"), columns=columns, **overrides)


def test_bpic2016_complaint_journeys_linked_by_customer(monkeypatch):
    monkeypatch.chdir(ROOT)
    dash = _dashboard_from_params("dashboard_demo")
    cov = dash.coverage.set_index("method")
    assert cov.loc["case", "rows"] == 289 and cov.loc["not linked", "rows"] == 0
    assert len(dash.per_case) == 226 and dash.per_case["feedback_rows"].sum() == 289
    assert dash.association is None  # the complaints carry no score, and the notes say so
    assert any("no score" in note for note in dash.notes)
    # each complaint is linked to its own contact: the touchpoint follows its theme / sub-theme
    linked = dash.linked.set_index("ComplaintID")
    raw = pd.read_csv(ROOT / "data/bpic2016_complaints.csv", sep=";", encoding="latin-1", dtype=str)
    payment = raw.loc[raw["ComplaintSubtheme_EN"] == "payment", "ComplaintID"]
    assert (linked.loc[payment, "touchpoint"] == "Benefit payment").all()
    assert dash.journey.set_index("touchpoint").loc["Benefit payment", "events"] == len(payment)


def test_telecom_nps_per_touchpoint_agrees_with_the_scores_module(monkeypatch):
    from cxlib import scores as cs

    from .conftest import shared

    source = shared("nps_verbatims_telecom/nps_verbatims.csv")
    monkeypatch.chdir(ROOT)
    dash = _dashboard_from_params("dashboard_telecom")
    assert dash.coverage.set_index("method").loc["label", "rows"] == 2385
    scores = dash.scores.set_index("touchpoint")
    assert scores["n"].sum() == 2353  # the 32 rows without a score are not counted
    expected = cs.nps(pd.read_csv(source), score="NPS_SCORE", by="SURVEY_SUB_TYPE").set_index("SURVEY_SUB_TYPE")
    assert scores.loc["Order", "value"] == pytest.approx(expected.loc["Order", "value"])
    assert scores.loc["Service in use", "n"] == expected.loc["Service in Use", "n"] == 30


def test_airline_tweets_linked_by_reason_then_seed_words(monkeypatch):
    monkeypatch.chdir(ROOT)
    dash = _dashboard_from_params("dashboard_airline")
    raw = pd.read_csv(ROOT / "data/airline_tweets.csv.gz")
    mapped = {lab for tp in dash.model.touchpoints for lab in tp.labels}
    cov = dash.coverage.set_index("method")
    assert cov.loc["label", "rows"] == raw["negativereason"].isin(mapped).sum()
    assert cov.loc["topic", "rows"] > 0
    assert cov.loc[["label", "topic", "not linked"], "rows"].sum() == len(raw)
    # every tweet linked by topic has at least one seed word of its touchpoint
    by_topic = dash.linked[dash.linked["link"] == "topic"]
    assert (by_topic["topic_matches"] >= 1).all()
