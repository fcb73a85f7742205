"""Case ids that neither merge nor split: cxlib.io._ids.normalise_ids, with hand-worked expected values."""

import numpy as np
import pandas as pd
import pytest

from cxlib import CxInputError
from cxlib.io._ids import normalise_ids

NA = pd.NA


def test_textual_nulls_blank_and_empty_are_missing_and_counted():
    nulls = ["", "  ", "NaN", "nan", "NAN", "None", "none", "null", "NULL", "Null", "N/A", "n/a", "NA", "<NA>",
             "#N/A", " NULL "]
    raw = pd.Series(["A", *nulls, None, "Nan", "n.a."], index=range(100, 120))
    ids = normalise_ids(raw, column="case")
    # 16 null texts + 1 real None; "Nan" and "n.a." are not in the list, so they stay ids
    assert ids.values.tolist() == ["A"] + [NA] * 17 + ["Nan", "n.a."]
    assert ids.missing.tolist() == [False] + [True] * 17 + [False, False]
    assert ids.counts == {"missing id": 17}
    assert ids.examples["missing id"] == ["(empty)", "''", "'  '"]
    assert str(ids.values.dtype) == "string" and ids.values.index.equals(raw.index)
    assert ids.notes == [
        "17 rows have no id (an empty cell or a text such as 'NULL' or 'N/A'; e.g. (empty), '', '  ')."]


def test_float_ids_restored_exactly_up_to_2_53():
    raw = pd.Series([10011.0, np.nan, 10011.0, 7.0, float(2**53 - 1), float(2**53)])
    ids = normalise_ids(raw, column="case")
    assert ids.values.tolist() == ["10011", NA, "10011", "7", "9007199254740991", "9007199254740992"]
    assert ids.counts == {"missing id": 1, "float ids restored": 5}
    assert ids.examples["float ids restored"] == ["10011.0 -> '10011'", "7.0 -> '7'",
                                                  "9007199254740991.0 -> '9007199254740991'"]
    # beyond 2**53 a float cannot hold every whole number: restored, but counted and explained
    beyond = normalise_ids(pd.Series([float(2**53 + 2), 5.0]), column="case")
    assert beyond.values.tolist() == ["9007199254740994", "5"]
    assert beyond.counts == {"float ids restored": 2, "float ids above 2**53": 1}
    assert any("Read the column 'case' as text" in note for note in beyond.notes)


def test_text_that_looks_like_float_ids_is_restored():
    raw = pd.Series(["10011.0", "10012", "10011", "A7", "7.00"])
    ids = normalise_ids(raw, column="case")
    assert ids.values.tolist() == ["10011", "10012", "10011", "A7", "7"]
    assert ids.counts == {"float ids restored": 2}
    assert ids.examples["float ids restored"] == ["'10011.0' -> '10011'", "'7.00' -> '7'"]


def test_real_decimals_keep_their_text():
    ids = normalise_ids(pd.Series(["1.5", "10.0", "3"]), column="case")
    assert ids.values.tolist() == ["1.5", "10.0", "3"]
    assert ids.counts == {"decimal ids kept": 1}
    assert "such as '1.5'" in ids.notes[0]
    as_floats = normalise_ids(pd.Series([1.5, 1.0, np.nan]), column="case")
    assert as_floats.values.tolist() == ["1.5", "1.0", NA]
    assert "float ids restored" not in as_floats.counts


def test_leading_zero_groups_reported_and_kept_apart():
    raw = pd.Series(["7", "007", "8", "08", "08", "9", "000", "0", "A07"])
    ids = normalise_ids(raw, column="case")
    assert ids.values.tolist() == raw.tolist()
    # groups {7, 007}, {8, 08}, {0, 000}; "9" is alone and "A07" is not all digits
    assert ids.counts == {"leading-zero pairs": 3}
    assert ids.examples["leading-zero pairs"] == ["'7' / '007'", "'8' / '08'", "'0' / '000'"]
    assert "id_variants='join'" in ids.notes[0]


def test_leading_zero_groups_joined():
    raw = pd.Series(["7", "007", "8", "08", "08", "9", "000", "0", "A07"])
    ids = normalise_ids(raw, column="case", id_variants="join")
    assert ids.values.tolist() == ["7", "7", "8", "8", "8", "9", "0", "0", "A07"]
    # rows changed: 007, 08, 08, 000
    assert ids.counts == {"leading-zero pairs": 3, "leading zeros removed": 4}
    assert ids.notes[0].startswith("leading zeros removed from 4 ids (id_variants='join'), joining 3 groups")


def test_whitespace_removed_and_coinciding_ids_reported():
    raw = pd.Series([" A1", "A1", "B2 ", "C3", "\tB2"])
    ids = normalise_ids(raw, column="case")
    assert ids.values.tolist() == ["A1", "A1", "B2", "C3", "B2"]
    # rows with whitespace: " A1", "B2 ", "\tB2"; " A1" meets "A1", while "B2 " and "\tB2" meet each other
    assert ids.counts == {"whitespace removed": 3, "whitespace pairs": 2}
    assert ids.examples["whitespace pairs"] == ["'A1' / ' A1'", "'B2 ' / '\\tB2'"]


def test_unknown_id_variants_names_the_allowed_values():
    with pytest.raises(CxInputError, match="id_variants must be one of 'keep', 'join', got 'merge'") as err:
        normalise_ids(pd.Series(["1"]), column="case", path="log.csv", id_variants="merge")
    assert err.value.column == "case" and err.value.path == "log.csv"


def test_clean_ids_are_untouched_and_nothing_is_reported():
    ids = normalise_ids(pd.Series([3, 1, 2], dtype="int64"), column="case")
    assert ids.values.tolist() == ["3", "1", "2"]
    assert (ids.counts, ids.examples, ids.notes) == ({}, {}, [])
    nullable = normalise_ids(pd.Series([5, None], dtype="Int64"), column="case")
    assert nullable.values.tolist() == ["5", NA] and nullable.counts == {"missing id": 1}


def test_mixed_object_column_from_a_spreadsheet():
    ids = normalise_ids(pd.Series([7.0, "007", "x", 3, None], dtype=object), column="case", id_variants="join")
    assert ids.values.tolist() == ["7", "7", "x", "3", NA]
    assert ids.counts == {"missing id": 1, "float ids restored": 1, "leading-zero pairs": 1,
                          "leading zeros removed": 1}
