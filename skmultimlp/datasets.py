"""The reference data set the project is measured on, shipped inside the package."""

from importlib import resources

import numpy as np

REFERENCE_NEW_ROW = np.array([[3, 3, 6, 7, 8, 2, 11, 11, 1, 3]], dtype=float)
"""The new row of the reference tutorial, shape (1, 10): predict three probabilities."""

REFERENCE_PARAMS = dict(n_samples=1000, n_features=10, n_classes=3, n_labels=2, random_state=1)
"""The ``make_multilabel_classification`` arguments of the reference data set."""


def load_reference():
    """The reference multi-label workload: 1,000 samples, 10 features, 3 labels.

    The output of ``make_multilabel_classification(n_samples=1000, n_features=10,
    n_classes=3, n_labels=2, random_state=1)``, stored in the package
    (``skmultimlp/data/reference.npz``, 6 kB) because generating it takes scikit-learn
    several seconds; the test suite checks that the two are equal. Nothing is downloaded.

    Returns
    -------
    X : ndarray of shape (1000, 10), float64
        Small non-negative counts.
    y : ndarray of shape (1000, 3), int64
        0/1 label indicators; a sample has zero or more labels.

    Examples
    --------
    >>> X, y = load_reference()
    >>> X.shape, y.shape
    ((1000, 10), (1000, 3))
    >>> X[0], y[0]  # the tutorial's "new row" is the first row of the data
    (array([ 3.,  3.,  6.,  7.,  8.,  2., 11., 11.,  1.,  3.]), array([1, 1, 0]))
    """
    with resources.files(__package__).joinpath("data", "reference.npz").open("rb") as f:
        data = np.load(f)
        return data["X"].astype(np.float64), data["y"].astype(np.int64)
