"""The compiled-loop cache never reuses a loop for a different computation.

Whether two networks share a loop is decided by their configuration, the same on every
backend: ``make test`` runs these tests on TensorFlow only (test_trainer.py checks the
cached loops themselves on both backends).
"""

import functools

import keras
import numpy as np
import pytest
from sklearn.datasets import make_multilabel_classification

from skmultimlp import KerasMultiLabelClassifier
from skmultimlp._cache import POOL, loop_key
from skmultimlp._network import build_mlp

FIT = dict(epochs=3, batch_size=16, early_stopping=False, random_state=0)


@pytest.fixture(scope="module")
def data():
    return make_multilabel_classification(
        n_samples=80, n_features=5, n_classes=3, n_labels=2, random_state=0
    )


def _builder(activation):
    def build(meta):
        seed = meta["seed"]
        return keras.Sequential(
            [
                keras.Input((meta["n_features_in_"],)),
                keras.layers.Dense(
                    6, activation=activation, kernel_initializer=keras.initializers.HeUniform(seed)
                ),
                keras.layers.Dense(
                    meta["n_outputs_"],
                    activation="sigmoid",
                    kernel_initializer=keras.initializers.GlorotUniform(seed + 1),
                ),
            ]
        )

    return build


def _leaky(slope):
    def activation(x):  # a closure: its config names it, not the slope it closes over
        return keras.ops.where(x > 0, x, slope * x)

    return activation


def _alone(build, X, y):
    """A fit with nothing in the cache: the reference for what ``build`` trains to."""
    POOL.clear()
    proba = KerasMultiLabelClassifier(model=build, **FIT).fit(X, y).predict_proba(X)
    POOL.clear()
    return proba


@pytest.mark.parametrize(
    "first, second",
    [
        (_builder(_leaky(0.0)), _builder(_leaky(-1.0))),
        (
            _builder(functools.partial(keras.activations.leaky_relu, negative_slope=0.0)),
            _builder(functools.partial(keras.activations.leaky_relu, negative_slope=0.9)),
        ),
    ],
    ids=["closure", "partial"],
)
def test_builders_differing_only_in_a_function_value_train_their_own_network(data, first, second):
    X, y = data
    expected = _alone(second, X, y)
    # _alone emptied the cache again: this fit trains alone too.
    proba_first = KerasMultiLabelClassifier(model=first, **FIT).fit(X, y).predict_proba(X)
    proba = KerasMultiLabelClassifier(model=second, **FIT).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(proba, expected)
    assert not np.array_equal(proba, proba_first)  # the two really differ


class _Swish:
    """A callable object whose configuration Keras cannot write."""

    def __call__(self, x):
        return x * keras.ops.sigmoid(x)


def test_a_network_whose_config_fails_trains_uncached(data):
    X, y = data
    network = _builder(_Swish())({"n_features_in_": 5, "n_outputs_": 3, "seed": 0})
    with pytest.raises(Exception):  # noqa: B017 - Keras raises various kinds here
        keras.saving.serialize_keras_object(network)
    assert loop_key(network, keras.optimizers.Adam()) is None
    clf = KerasMultiLabelClassifier(model=_builder(_Swish()), **FIT).fit(X, y)
    assert clf.predict_proba(X).shape == (80, 3)


def test_keras_and_skmultimlp_networks_are_still_cached():
    rng = np.random.RandomState(0)
    default = build_mlp(5, 3, (8,), "relu", rng, dropout=0.2)
    assert loop_key(default, keras.optimizers.Adam()) is not None
    keras_only = _builder("tanh")({"n_features_in_": 5, "n_outputs_": 3, "seed": 0})
    assert loop_key(keras_only, keras.optimizers.Adam()) is not None
    lam = keras.Sequential([keras.Input((5,)), keras.layers.Lambda(lambda x: 2 * x)])
    assert loop_key(lam, keras.optimizers.Adam()) is None
