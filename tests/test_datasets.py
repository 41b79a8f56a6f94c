import numpy as np
from sklearn.datasets import make_multilabel_classification

from skmultimlp import REFERENCE_NEW_ROW, load_reference
from skmultimlp.datasets import REFERENCE_PARAMS


def test_shipped_reference_equals_scikit_learns_generator():
    X, y = load_reference()
    X_gen, y_gen = make_multilabel_classification(**REFERENCE_PARAMS)
    assert X.dtype == X_gen.dtype and y.dtype == y_gen.dtype
    np.testing.assert_array_equal(X, X_gen)
    np.testing.assert_array_equal(y, y_gen)


def test_each_call_returns_new_arrays():
    X, y = load_reference()
    X[:] = -1
    y[:] = -1
    X2, y2 = load_reference()
    assert X2.min() >= 0 and set(np.unique(y2)) == {0, 1}


def test_new_row_shape():
    assert REFERENCE_NEW_ROW.shape == (1, load_reference()[0].shape[1])
