"""One rule for scores: cxlib.io._scores.parse_scores and its users, with hand-worked expected values."""

import numpy as np
import pandas as pd
import pytest

from cxlib import CxInputError
from cxlib.io._scores import parse_scores


def test_text_scores_on_an_integer_0_to_10_scale():
    raw = pd.Series(["7,5", "inf", "seven", "11", "-1", "7.5", "7.0", "", "  ", None, "1e1", "nan", "--", " 10 ",
                     "+3"], index=range(10, 25))
    parsed = parse_scores(raw, scale=(0, 10))
    assert parsed.status.tolist() == [
        "not numeric", "not numeric", "not numeric", "outside the scale", "outside the scale",
        "not a whole number", "valid", "no score", "no score", "no score", "not numeric", "not numeric",
        "not numeric", "valid", "valid"]
    values = parsed.values.tolist()
    assert values[6] == 7.0 and values[13] == 10.0 and values[14] == 3.0
    assert sum(np.isnan(v) for v in values) == 12  # NaN unless valid
    assert parsed.values.index.equals(raw.index) and parsed.values.dtype == float
    assert parsed.counts == {"no score": 3, "not numeric": 6, "not a whole number": 1, "outside the scale": 2}
    assert parsed.examples == {"no score": ["", "  "], "not numeric": ["7,5", "inf", "seven"],
                               "not a whole number": ["7.5"], "outside the scale": ["11", "-1"]}
    assert parsed.invalid().sum() == 9 and not parsed.invalid()[[17, 18, 19]].any()
    assert parsed.n_invalid == 9
    assert parsed.describe() == ("6 not numeric (e.g. '7,5', 'inf', 'seven'), 1 not a whole number (e.g. '7.5'), "
                                 "2 outside the scale (e.g. '11', '-1')")


def test_numeric_dtype_with_inf_and_nan():
    raw = pd.Series([0, 10, 11, -1, 7.5, np.nan, np.inf, -np.inf, 7.0])
    parsed = parse_scores(raw, scale=(0, 10))
    assert parsed.status.tolist() == ["valid", "valid", "outside the scale", "outside the scale",
                                      "not a whole number", "no score", "not numeric", "not numeric", "valid"]
    assert parsed.values.fillna(-99).tolist() == [0.0, 10.0, -99, -99, -99, -99, -99, -99, 7.0]
    assert parsed.counts == {"no score": 1, "not numeric": 2, "not a whole number": 1, "outside the scale": 2}
    assert parsed.examples["not numeric"] == ["inf", "-inf"]
    assert parsed.examples["outside the scale"] == ["11", "-1"]  # whole floats shown without ".0"


def test_without_a_scale_only_numbers_and_whole_numbers_are_checked():
    raw = pd.Series([11, -1, 7.5, "x", True], dtype=object)
    whole = parse_scores(raw)
    assert whole.status.tolist() == ["valid", "valid", "not a whole number", "not numeric", "not numeric"]
    assert whole.values.tolist()[:2] == [11.0, -1.0]
    decimals = parse_scores(raw, integer=False)
    assert decimals.status.tolist()[:3] == ["valid", "valid", "valid"]
    assert decimals.counts == {"not numeric": 2}


def test_booleans_nullable_and_string_dtypes():
    flags = parse_scores(pd.Series([True, False, None], dtype="boolean"), scale=(0, 1))
    assert flags.status.tolist() == ["not numeric", "not numeric", "no score"]
    nullable = parse_scores(pd.Series([3, None], dtype="Int64"), scale=(1, 5))
    assert nullable.status.tolist() == ["valid", "no score"] and nullable.values.tolist()[0] == 3.0
    text = parse_scores(pd.Series(["4", None, "4,0"], dtype="string"), scale=(1, 5))
    assert text.status.tolist() == ["valid", "no score", "not numeric"]


def test_a_bad_scale_names_the_column():
    with pytest.raises(CxInputError, match="scale must go from a lower to a higher number") as err:
        parse_scores(pd.Series([1]), scale=(10, 0), column="NPS", path="survey.csv")
    assert err.value.column == "NPS" and err.value.path == "survey.csv"


def test_check_scores_follows_the_same_rule():
    from cxlib.scores import check_scores, nps

    df = pd.DataFrame({"score": ["10", "1e1", "inf", "7.0", "", "11"]})
    problems = check_scores(df)
    assert problems["row"].tolist() == [1, 2, 4, 5]
    assert problems["problem"].tolist() == ["not numeric", "not numeric", "no score", "outside the scale"]
    out = nps(df).iloc[0]
    assert (out["n"], out["n_missing"], out["n_invalid"]) == (2, 1, 3)


def test_score_to_sentiment_raises_on_invalid_scores():
    from cxlib.feedback import score_to_sentiment

    scores = pd.Series([0, 11, -1, 7.5, "7,5", None, 9], name="NPS_SCORE", dtype=object)
    with pytest.raises(CxInputError) as err:
        score_to_sentiment(scores)
    message = str(err.value)
    assert message.startswith("4 of 7 scores are not valid on the nps scale (whole numbers from 0 to 10): "
                              "1 not numeric (e.g. '7,5'), 1 not a whole number (e.g. '7.5'), "
                              "2 outside the scale (e.g. '11', '-1').")
    assert "cxlib.scores.check_scores(df, score='NPS_SCORE', scale=(0, 10))" in message
    assert "invalid='missing'" in message and err.value.column == "NPS_SCORE"


def test_score_to_sentiment_with_invalid_as_missing():
    from cxlib.feedback import score_to_sentiment

    scores = [0, 11, -1, 7.5, "7,5", None, 9, "8", 7.0]
    out = score_to_sentiment(scores, invalid="missing")
    assert out.tolist() == ["negative", np.nan, np.nan, np.nan, np.nan, np.nan, "positive", "neutral", "neutral"]
    # missing scores alone never raise
    assert score_to_sentiment([None, 3, np.nan], scale="stars5").tolist() == [np.nan, "neutral", np.nan]
    with pytest.raises(CxInputError, match="invalid must be 'raise' or 'missing'"):
        score_to_sentiment([1], invalid="drop")


def test_fit_score_sentiment_counts_invalid_scores():
    from cxlib.feedback import fit_score_sentiment

    texts = ["great flight thanks", "love the crew", "awesome service", "best airline", "lost my bag",
             "flight delayed again", "worst service ever", "rude staff", "which gate", "is there wifi",
             "need the schedule", "what time is boarding"]
    frame = pd.DataFrame({"text_clean": texts, "score": [10, 10, 9, 11, 0, 1, 2, "7,5", 7, 8, 8, 7]})
    with pytest.raises(CxInputError, match="2 of 12 scores are not valid"):
        fit_score_sentiment(frame)
    frame["score"] = [10, 10, 9, 10, 0, 1, 2, 3, 7, 8, 8, 11]
    model = fit_score_sentiment(frame, invalid="missing")
    assert (model.n_training_rows_, model.n_skipped_rows_, model.n_invalid_scores_) == (11, 1, 1)


def test_owners_count_scores_that_are_not_numbers():
    from cxlib import owners as co

    table = pd.DataFrame({"score": [1, 2, 3, 4, 5] * 4, "wait": list(range(20))}).astype({"score": object})
    table.loc[[0, 5], "score"] = ["7,5", "n/a"]
    out = co.score_association(table, features=["wait"])
    assert out.association.loc[0, "n"] == 18
    assert out.invalid_scores == 2
    assert out.score_note == ("2 cases have a score in 'score' that is not a number (2 not numeric "
                              "(e.g. '7,5', 'n/a')); they are left out of the association.")
