"""The ``model=`` parameter takes scikeras-style model builders."""

import keras
import numpy as np
import pytest

from skmultimlp import KerasMultiLabelClassifier

from .conftest import FAST


def scikeras_style_builder(meta, compile_kwargs):
    """The shape of builder scikeras users already have."""
    model = keras.Sequential(
        [
            keras.Input((meta["n_features_in_"],)),
            keras.layers.Dense(
                8, activation="relu", kernel_initializer=keras.initializers.HeUniform(meta["seed"])
            ),
            keras.layers.Dense(
                meta["n_outputs_"],
                activation="sigmoid",
                kernel_initializer=keras.initializers.GlorotUniform(meta["seed"] + 1),
            ),
        ]
    )
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss=compile_kwargs["loss"])
    return model


def test_scikeras_builder_is_used_with_its_optimizer(data):
    X, y = data
    est = KerasMultiLabelClassifier(model=scikeras_style_builder, epochs=5, random_state=0)
    est.fit(X, y)
    assert isinstance(est.model_, keras.Sequential)
    assert isinstance(est.model_.optimizer, keras.optimizers.SGD)
    assert est.model_.optimizer.iterations.numpy() > 0  # it trained with the user's optimizer
    again = KerasMultiLabelClassifier(model=scikeras_style_builder, epochs=5, random_state=0)
    np.testing.assert_array_equal(again.fit(X, y).predict_proba(X), est.predict_proba(X))


def test_uncompiled_builder_without_meta_gets_adam(data):
    X, y = data

    def builder():
        return keras.Sequential([keras.Input((6,)), keras.layers.Dense(3, activation="sigmoid")])

    est = KerasMultiLabelClassifier(model=builder, epochs=2, learning_rate=0.01).fit(X, y)
    assert est.predict(X).shape == y.shape


@pytest.mark.parametrize(
    "builder, error, match",
    [
        (lambda meta: "not a model", TypeError, "must return a keras.Model"),
        (
            lambda meta: keras.Sequential([keras.Input((6,)), keras.layers.Dense(2)]),
            ValueError,
            "outputs shape .* but y has 3 labels",
        ),
        (
            lambda meta: keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)]),
            ValueError,
            "does not accept 6 input features",
        ),
    ],
)
def test_bad_builders(data, builder, error, match):
    X, y = data
    with pytest.raises(error, match=match):
        KerasMultiLabelClassifier(model=builder, **{**FAST, "hidden_layer_sizes": ()}).fit(X, y)


def test_compiled_with_wrong_loss(data):
    X, y = data

    def builder(meta):
        m = keras.Sequential([keras.Input((6,)), keras.layers.Dense(3, activation="sigmoid")])
        m.compile(optimizer="adam", loss="mse")
        return m

    with pytest.raises(ValueError, match="mean_squared_error.*binary_crossentropy"):
        KerasMultiLabelClassifier(model=builder, epochs=1).fit(X, y)
