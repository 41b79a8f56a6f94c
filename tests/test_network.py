"""The default network's builder: layers, seeds and the output bias."""

import keras
import numpy as np

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
