"""partial_fit and warm_start (MLPClassifier's semantics), and dask-ml's Incremental."""

import keras
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification, make_multilabel_classification

from skmultimlp import KerasMultiLabelClassifier

SMALL = dict(hidden_layer_sizes=(6,), random_state=0)


@pytest.fixture(scope="module")
def multilabel():
    X, y = make_multilabel_classification(n_samples=120, n_features=6, n_classes=3, random_state=0)
    return X.astype(np.float32), y


def _fixed_network(meta):
    """The same initial weights whatever the estimator's seeds: a reference can copy them."""
    init = keras.initializers.GlorotUniform(seed=7)
    return keras.Sequential(
        [
            keras.Input((meta["n_features_in_"],)),
            keras.layers.Dense(5, activation="relu", kernel_initializer=init),
            keras.layers.Dense(meta["n_outputs_"], activation="sigmoid", kernel_initializer=init),
        ]
    )


def test_partial_fit_calls_are_adam_steps_that_keep_the_optimizer_state(multilabel):
    """Three calls on chunks of one batch each equal three Adam steps of plain Keras
    (``train_on_batch`` on the same model and initial weights): the step count and moments
    carry over from call to call."""
    X, y = multilabel
    chunks = np.array_split(np.arange(len(X)), 3)
    clf = KerasMultiLabelClassifier(
        model=_fixed_network, batch_size=64, learning_rate=0.01, random_state=0
    )
    reference = _fixed_network({"n_features_in_": 6, "n_outputs_": 3})
    reference.compile(keras.optimizers.Adam(0.01), "binary_crossentropy")
    for rows in chunks:
        clf.partial_fit(X[rows], y[rows])
        reference.train_on_batch(X[rows], y[rows].astype(np.float32))
    assert clf.n_iter_ == 3 and len(clf.loss_curve_) == 3
    for ours, theirs in zip(clf.model_.get_weights(), reference.get_weights(), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6)


def test_partial_fit_takes_the_classes_of_every_call_at_the_first():
    X, y = make_classification(n_samples=90, n_features=5, n_classes=3, n_informative=3)
    labels = np.array(["a", "b", "c"])[y]
    first = labels != "c"
    clf = KerasMultiLabelClassifier(**SMALL)
    clf.partial_fit(X[first], labels[first], classes=["c", "a", "b"])
    clf.partial_fit(X, labels)
    assert clf.target_type_ == "multiclass" and clf.classes_.tolist() == ["a", "b", "c"]
    assert clf.predict_proba(X).shape == (90, 3) and clf.n_iter_ == 2
    unknown = KerasMultiLabelClassifier(**SMALL).partial_fit(X[first], labels[first])
    with pytest.raises(ValueError, match="not seen in the first call.*classes="):
        unknown.partial_fit(X, labels)
    with pytest.raises(ValueError, match="not the same as in the first call"):
        clf.partial_fit(X, labels, classes=["a", "b"])
    frame = pd.DataFrame({"colour": labels, "size": np.where(X[:, 0] > 0, "L", "S")})
    multi = KerasMultiLabelClassifier(**SMALL).partial_fit(X[:45], frame[:45])
    multi.partial_fit(X[45:], frame[45:])
    assert multi.predict(X).shape == (90, 2)


def test_partial_fit_is_reproducible_and_fit_starts_over(multilabel):
    X, y = multilabel
    a = KerasMultiLabelClassifier(**SMALL).partial_fit(X, y).partial_fit(X, y)
    b = KerasMultiLabelClassifier(**SMALL).partial_fit(X, y).partial_fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    a.fit(X, y)
    assert "_optimizer_values" not in a.__dict__ and a.n_iter_ == a.epochs


def test_warm_start_continues_from_the_fitted_weights(multilabel):
    X, y = multilabel
    clf = KerasMultiLabelClassifier(**SMALL, epochs=20).fit(X, y)
    before = [w.copy() for w in clf.model_.get_weights()]
    clf.set_params(warm_start=True, learning_rate=1e-9, epochs=2).fit(X, y)
    for w, w0 in zip(clf.model_.get_weights(), before, strict=True):
        np.testing.assert_allclose(w, w0, atol=1e-6)  # a step of 1e-9 moves nothing
    cold = KerasMultiLabelClassifier(**SMALL, learning_rate=1e-9, epochs=2).fit(X, y)
    assert cold.loss_curve_[-1] > clf.loss_curve_[-1] + 0.05
    with pytest.raises(ValueError, match="y has 2 label columns"):
        clf.fit(X, y[:, :2])


@pytest.mark.single_backend  # dask-ml's calls; partial_fit itself runs on both backends
def test_dask_incremental_equals_partial_fit_over_the_same_chunks(multilabel):
    import dask.array as da
    import dask.dataframe as dd
    import scipy.sparse as sp
    from dask_ml.wrappers import Incremental
    from distributed import Client, LocalCluster

    X, y = multilabel
    expected = KerasMultiLabelClassifier(**SMALL)
    for rows in np.array_split(np.arange(len(X)), 3):
        expected.partial_fit(X[rows], y[rows])
    with (
        LocalCluster(n_workers=1, threads_per_worker=1, processes=False) as cluster,
        Client(cluster),
    ):
        X_dask = da.from_array(X, chunks=(40, 6))
        # dask-ml cuts y into row blocks only when it is 1-D or a dask DataFrame.
        y_dask = dd.from_dask_array(da.from_array(y, chunks=(40, 3)), columns=["a", "b", "c"])
        for features in (X_dask, X_dask.map_blocks(sp.csr_matrix)):
            incremental = Incremental(KerasMultiLabelClassifier(**SMALL), shuffle_blocks=False)
            incremental.fit(features, y_dask)
            np.testing.assert_allclose(
                incremental.estimator_.predict_proba(X), expected.predict_proba(X), atol=1e-6
            )
