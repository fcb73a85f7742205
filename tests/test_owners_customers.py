"""Feedback linked to the customer's whole journey by customer id in the dashboard and the owner reports
(``build_dashboard(customer_id=..., customer_key=...)``, the ``customer_id`` column role, ``Dashboard.per_customer``).
A hand-made model, log and feedback whose per-customer figures are worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from cxlib import owners as co

MODEL = """\
project: Shop
touchpoints:
  - name: Call
    owner: Phone team
    activities: [call]
  - name: Solve
    owner: Back office
    activities: [solve]
"""


@pytest.fixture
def shop(tmp_path):
    """Customer ann@example.com: k1 (1 Jan) and k2, 5 days after k1 ended (a re-contact within 7 days), and k3 a
    month later (a new episode). Customer B: b1 only. Customer C: c1 on 20 Mar, the log's last event, so that
    every other case ended more than 7 days before the end and is judged. Feedback: ann on k2's call, B on b1's
    solve, Z on no case of the log."""
    path = tmp_path / "shop.yml"
    path.write_text(MODEL, encoding="utf-8")
    model = co.read_touchpoint_model(path)
    rows = [("k1", "call", "2024-01-01 10:00", "ann@example.com"), ("k1", "solve", "2024-01-01 12:00", "ann@example.com"),
            ("k2", "call", "2024-01-06 12:00", "ann@example.com"), ("k2", "solve", "2024-01-06 13:00", "ann@example.com"),
            ("k3", "call", "2024-02-10 09:00", "ann@example.com"), ("k3", "solve", "2024-02-10 10:00", "ann@example.com"),
            ("b1", "call", "2024-01-03 09:00", "B"), ("b1", "solve", "2024-01-03 11:00", "B"),
            ("c1", "call", "2024-03-20 09:00", "C")]
    log = pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "time:timestamp", "customer"])
    log["time:timestamp"] = pd.to_datetime(log["time:timestamp"], utc=True)
    feedback = pd.DataFrame({
        "text": ["called twice, write to ann@example.com", "fine", "who am I"],
        "case_id": ["k2", "b1", "zz"], "cust": ["ann@example.com", "B", "Z"], "score": [3, 9, 5],
        "date": pd.to_datetime(["2024-01-06 12:00", "2024-01-03 11:00", "2024-01-20 00:00"], utc=True),
        "event": ["call", "solve", "call"]})
    return model, log, feedback


def _build(shop, **kwargs):
    model, log, feedback = shop
    return co.build_dashboard(feedback, model, log=log, link=["case"], case_id="case_id", date="date",
                              score="score", success_ends="all", repeat_window_days=7, customer_id="cust",
                              customer_key="customer", **kwargs)


def test_per_customer_table_in_the_dashboard(shop):
    d = _build(shop)
    rows = d.per_customer.set_index("cases")
    # ann: 3 cases, k2 a re-contact (5 days after k1 ended <= 7), episodes {k1, k2} and {k3}; first-contact
    # resolution: k1 re-contacted, k3 resolved -> 1 of 2. B: 1 case, resolved. Z has no case: not in the table.
    assert sorted(d.per_customer["cases"].tolist()) == [1, 3]
    assert rows.loc[3, "recontacts"] == 1 and rows.loc[3, "fcr_rate"] == 0.5 and rows.loc[3, "score"] == 3.0
    assert rows.loc[1, "recontacts"] == 0 and rows.loc[1, "fcr_rate"] == 1.0 and rows.loc[1, "score"] == 9.0
    # ids and verbatims are redacted in what the dashboard shows
    assert "ann@example.com" not in d.per_customer.to_string()
    assert any("customer's whole journey" in n and "2 of 3 feedback rows" in n for n in d.notes)
    html = d.show()._repr_html_()
    assert "Per customer: journey across cases beside feedback" in html and "ann@example.com" not in html


def test_owner_reports_keep_their_customers(shop):
    # ann's feedback is on k2's call (Phone team), B's on b1's solve (Back office)
    phone = _build(shop, owner="Phone team")
    assert phone.per_customer["cases"].tolist() == [3]
    back = _build(shop, owner="Back office")
    assert back.per_customer["cases"].tolist() == [1]


def test_without_both_columns_there_is_no_per_customer_table(shop):
    model, log, feedback = shop
    d = co.build_dashboard(feedback, model, log=log, link=["case"], case_id="case_id", customer_id="cust",
                           success_ends="all")
    assert d.per_customer is None and any("Per-customer journeys skipped" in n for n in d.notes)
    plain = co.build_dashboard(feedback, model, log=log, link=["case"], case_id="case_id", success_ends="all")
    assert plain.per_customer is None and not any("customer" in n.lower() for n in plain.notes)


def test_customer_id_column_role(tmp_path, shop):
    model, log, feedback = shop
    path = tmp_path / "feedback.csv"
    feedback.to_csv(path, index=False)
    columns = {"text": "text", "case_id": "case_id", "date": "date", "score": "score", "customer_id": "cust"}
    fb = co.read_dashboard_feedback(path, columns=columns)
    assert "cust" in fb.columns
    d = co.build_dashboard(fb, model, log=log, link=["case"], columns=columns, success_ends="all",
                           repeat_window_days=7, customer_key="customer")
    assert sorted(d.per_customer["cases"].tolist()) == [1, 3]
    from cxlib import CxInputError

    with pytest.raises(CxInputError, match="customer_id column 'nope'"):
        co.build_dashboard(fb, model, log=log, link=["case"], case_id="case_id", customer_id="nope",
                           customer_key="customer", success_ends="all")


def test_an_owner_sees_only_its_own_feedback_of_a_shared_case_and_customer(shop):
    """ann writes twice about case k2: once about the call (Phone team), once about the solving (Back office).
    Each owner's per-case and per-customer rows hold only the verbatim and score given at its own touchpoint."""
    model, log, feedback = shop
    extra = pd.DataFrame({"text": ["BACKOFFICEONLY slow fix"], "case_id": ["k2"], "cust": ["ann@example.com"],
                          "score": [1], "date": pd.to_datetime(["2024-01-06 13:00"], utc=True),
                          "event": ["solve"]})
    shared = (model, log, pd.concat([feedback, extra], ignore_index=True))
    phone = _build(shared, owner="Phone team")
    back = _build(shared, owner="Back office")
    overview = _build(shared)
    assert "BACKOFFICEONLY" in overview.per_case.to_string() and "BACKOFFICEONLY" in overview.per_customer.to_string()
    for table in (phone.per_case, phone.per_customer):
        assert "BACKOFFICEONLY" not in table.to_string() and "called twice" in table.to_string()
    # the scores are the owner's own: ann's call 3 for the Phone team, her solve 1 (and B's 9) for the back office
    assert phone.per_customer.set_index("cases").loc[3, "score"] == 3.0
    assert back.per_customer.set_index("cases").loc[3, "score"] == 1.0
    assert "called twice" not in back.per_case.to_string() and "called twice" not in back.per_customer.to_string()
    assert "BACKOFFICEONLY" not in phone.show()._repr_html_()


SEEDED = """\
project: Shop
touchpoints:
  - name: Call
    owner: Phone team
    activities: [call]
    labels: [Call]
    seed_words: [hotline, phone]
  - name: Solve
    owner: Back office
    activities: [solve]
    labels: [Solve]
    seed_words: [refund, repair]
"""


def test_an_owner_sees_only_its_own_mentions(tmp_path):
    """Topics per clause (text_topics) in an owner report come from the owner's feedback only: the back
    office's refund complaints are neither counted nor quoted in the phone team's report."""
    path = tmp_path / "seeded.yml"
    path.write_text(SEEDED, encoding="utf-8")
    model = co.read_touchpoint_model(path)
    feedback = pd.DataFrame({
        "text": ["the hotline kept me waiting", "phone support was rude, but kind later",
                 "REFUNDSECRET refund never arrived", "repair took weeks"],
        "where": ["Call", "Call", "Solve", "Solve"], "score": [2, 5, 1, 3]})
    kwargs = {"link": ["label"], "label": "where", "score": "score", "text_topics": {"method": "taxonomy"}}
    overview = co.build_dashboard(feedback, model, **kwargs)
    phone = co.build_dashboard(feedback, model, owner="Phone team", **kwargs)
    assert overview.linked["touchpoint"].tolist() == ["Call", "Call", "Solve", "Solve"]
    assert set(overview.mentions.counts()["topic"]) == {"Call", "Solve"}
    counts = phone.mentions.counts()
    assert counts["topic"].tolist() == ["Call"] and counts["documents"].tolist() == [2]
    assert len(phone.mentions.documents) == 2
    assert "REFUNDSECRET" not in phone.mentions.segments.to_string()
    assert "REFUNDSECRET" not in phone.show()._repr_html_()
