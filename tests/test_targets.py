import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.preprocessing import MultiLabelBinarizer

from skmultimlp._targets import MISSING, encode_targets, transform_targets

Y = np.array([[1, 0, 1], [0, 0, 0], [0, 1, 1]])


@pytest.mark.parametrize(
    "y",
    [Y, Y.tolist(), Y.astype(bool), Y.astype(float), sp.csr_matrix(Y)],
    ids=["int", "list", "bool", "float", "sparse"],
)
def test_indicator_forms(y):
    out, classes = encode_targets(y)
    assert sp.issparse(out) == sp.issparse(y)  # a sparse y stays sparse
    np.testing.assert_array_equal(out.toarray() if sp.issparse(out) else out, Y)
    np.testing.assert_array_equal(classes, [0, 1, 2])


def test_dataframe_columns_become_classes():
    out, classes = encode_targets(pd.DataFrame(Y, columns=["a", "b", "c"]))
    np.testing.assert_array_equal(out, Y)
    assert classes.tolist() == ["a", "b", "c"]


@pytest.mark.parametrize(
    "rows",
    [
        [["sports", "tech"], [], ["politics"]],
        [{"sports", "tech"}, set(), {"politics"}],
        pd.Series([["sports", "tech"], [], ["politics"]]),
        [[2, 7], [7], []],
    ],
    ids=["lists", "sets", "series", "int-names"],
)
def test_label_collections_match_multilabelbinarizer(rows):
    out, classes = encode_targets(rows)
    mlb = MultiLabelBinarizer()
    ref = mlb.fit_transform(list(rows))
    np.testing.assert_array_equal(out, ref)
    np.testing.assert_array_equal(classes, mlb.classes_)


def test_input_is_not_modified():
    y = Y.astype(float)
    before = y.copy()
    encode_targets(y)
    np.testing.assert_array_equal(y, before)


@pytest.mark.parametrize(
    "y, match",
    [
        ([0, 1, 1], "2-D"),
        ([0, 1, 2], "MultiLabelBinarizer"),
        ([[0, 2], [1, 0]], "only 0 and 1"),
        ([[0, np.nan], [1, 0]], "NaN"),
        (np.zeros((3, 0)), "no label columns"),
        ([[], []], "no label"),
        (np.array([["a", "b"], ["c", "d"]], dtype=object), "Unknown label type"),
    ],
)
def test_bad_targets(y, match):
    with pytest.raises(ValueError, match=match):
        encode_targets(y)


def test_transform_uses_fitted_order():
    classes = np.array(["a", "b", "c"], dtype=object)
    out = transform_targets(pd.DataFrame(Y, columns=["a", "b", "c"])[["c", "a", "b"]], classes)
    np.testing.assert_array_equal(out, Y)
    out = transform_targets([["c", "a"], [], ["b"]], classes)
    np.testing.assert_array_equal(out, [[1, 0, 1], [0, 0, 0], [0, 1, 0]])
    with pytest.raises(ValueError, match="not seen in fit"):
        transform_targets([["z"]], classes)
    with pytest.raises(ValueError, match="2 label columns"):
        transform_targets(Y[:, :2], np.arange(3))


def test_missing_entries_become_missing_code_when_allowed():
    y = np.array([[1, np.nan, 0], [-1, 1, 0]])
    before = y.copy()
    out, classes = encode_targets(y, allow_missing=True)
    np.testing.assert_array_equal(out, [[1, MISSING, 0], [MISSING, 1, 0]])
    np.testing.assert_array_equal(y, before)
    np.testing.assert_array_equal(classes, [0, 1, 2])
    # pandas' nullable integers (pd.NA) and float NaN in a DataFrame alike.
    frame = pd.DataFrame({"a": [1, pd.NA], "b": [pd.NA, 1], "c": [0, 0]}, dtype="Int64")
    out, classes = encode_targets(frame, allow_missing=True)
    np.testing.assert_array_equal(out, [[1, MISSING, 0], [MISSING, 1, 0]])
    np.testing.assert_array_equal(classes, ["a", "b", "c"])
    out = transform_targets(frame[["c", "b", "a"]], classes, allow_missing=True)
    np.testing.assert_array_equal(out, [[1, MISSING, 0], [MISSING, 1, 0]])


@pytest.mark.parametrize("y", [[[1, np.nan], [0, 1]], [[1, -1], [0, 1]]])
def test_missing_entries_are_an_error_unless_allowed(y):
    with pytest.raises(ValueError, match="1 missing label entries"):
        encode_targets(y)
    with pytest.raises(ValueError, match="missing label entries"):
        transform_targets(y, np.arange(2))
    # -1 or NaN marks missing; other values stay errors even when missing labels are allowed.
    with pytest.raises(ValueError, match="only 0 and 1"):
        encode_targets([[1, -2], [0, 1]], allow_missing=True)
