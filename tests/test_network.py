"""The default network's builder (layers, seeds, output bias) and checks of model= networks."""

import keras
import numpy as np
import pytest
from sklearn.datasets import make_multilabel_classification

from skmultimlp import KerasMultiLabelClassifier
from skmultimlp._network import build_mlp, set_output_bias


def _dropout_layers(model):
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Dropout)]


def test_dropout_follows_each_hidden_layer_and_keeps_the_initial_weights():
    plain = build_mlp(5, 3, (8, 4), "relu", np.random.RandomState(0))
    dropped = build_mlp(5, 3, (8, 4), "relu", np.random.RandomState(0), dropout=0.25)
    assert _dropout_layers(plain) == []
    names = [layer.name for layer in dropped.layers]
    assert names == ["features", "hidden_0", "dropout_0", "hidden_1", "dropout_1", "labels"]
    rates = [layer.rate for layer in _dropout_layers(dropped)]
    seeds = [layer.seed for layer in _dropout_layers(dropped)]
    assert rates == [0.25, 0.25]
    assert len(set(seeds)) == 2
    # The initializer seeds are drawn before the Dropout seeds: same initial weights.
    for a, b in zip(plain.get_weights(), dropped.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    x = np.ones((4, 5), np.float32)
    np.testing.assert_array_equal(dropped(x, training=False), plain(x, training=False))
    assert not np.allclose(dropped(x, training=True), plain(x, training=True))


def test_set_output_bias_leaves_the_configuration_alone():
    model = build_mlp(5, 3, (8,), "relu", np.random.RandomState(0))
    config = model.get_config()
    set_output_bias(model, np.array([-1.0, 0.0, 2.0], np.float32))
    np.testing.assert_array_equal(model.get_layer("labels").bias.numpy(), [-1.0, 0.0, 2.0])
    # The compiled-loop cache keys on the configuration: it must not see the labels.
    assert model.get_config() == config


@pytest.mark.parametrize("activation", [None, "linear", "softmax", "relu"])
def test_a_model_whose_outputs_are_not_sigmoids_is_refused(activation):
    X, y = make_multilabel_classification(n_samples=30, n_features=4, n_classes=3, random_state=0)

    def build(meta):
        return keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation=activation)])

    name = activation or "linear"
    with pytest.raises(ValueError, match=f"Dense layer with activation '{name}'.*sigmoid"):
        KerasMultiLabelClassifier(model=build, epochs=1).fit(X, y)
    # The same network with sigmoid outputs, or a sigmoid Activation layer last, trains.
    for last in (
        [keras.layers.Dense(3, activation="sigmoid")],
        [
            keras.layers.Dense(3),
            keras.layers.Activation("sigmoid"),
        ],
    ):
        net = KerasMultiLabelClassifier(
            model=lambda meta, last=last: keras.Sequential([keras.Input((4,)), *last]), epochs=1
        )
        assert net.fit(X, y).predict_proba(X).shape == (30, 3)
