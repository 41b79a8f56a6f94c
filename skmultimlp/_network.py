"""Build the Keras network (ours or the user's) and its optimizer for one fit."""

import keras

from ._scikeras import call_model_builder, loss_name

# scikit-learn's activation names map to Keras'; Keras names are accepted as they are.
ACTIVATIONS = {
    "identity": "linear",
    "logistic": "sigmoid",
    "tanh": "tanh",
    "relu": "relu",
    "linear": "linear",
    "sigmoid": "sigmoid",
    "elu": "elu",
    "selu": "selu",
    "gelu": "gelu",
    "silu": "silu",
    "swish": "silu",
    "leaky_relu": "leaky_relu",
    "softplus": "softplus",
}
_RELU_LIKE = {"relu", "elu", "gelu", "silu", "leaky_relu"}
_MAX_SEED = 2**31 - 1
OUTPUT_LAYER = "labels"


def _seed(rng):
    return int(rng.randint(_MAX_SEED))


@keras.saving.register_keras_serializable(package="skmultimlp")
class Dropout(keras.layers.Dropout):
    """Keras' Dropout, with the Philox generator named for its masks on TensorFlow.

    Keras' TensorFlow dropout leaves the choice of generator to TensorFlow
    ("auto_select"), which XLA compiles to a slow path on CPU: the reference
    cross-validation (one hidden layer of 20 units) ran 9 times as long with
    ``dropout=0.2`` as without. Naming Philox, which "auto_select" picks on CPU anyway
    (the masks and results are the same), brings that down to 1.5 times. The seeds come
    from the layer's SeedGenerator as in Keras, so the masks are reproducible and follow
    its state. Other backends run Keras' own dropout.
    """

    def call(self, inputs, training=False):
        if not (training and self.rate > 0) or keras.backend.backend() != "tensorflow":
            return super().call(inputs, training=training)
        import tensorflow as tf

        # The SeedGenerator keeps an int64 state; stateless ops under XLA take int32
        # seeds, folded as Keras folds them.
        seed = tf.cast(tf.math.floormod(self.seed_generator.next(), tf.int32.max - 1), tf.int32)
        return tf.nn.experimental.stateless_dropout(
            inputs, rate=self.rate, noise_shape=self.noise_shape, seed=seed, rng_alg="philox"
        )


def build_mlp(n_features, n_labels, hidden_layer_sizes, activation, rng, dropout=0.0, heads=None):
    """The default network: Dense hidden layers, then one sigmoid unit per label.

    With ``heads`` (``_outputs.Outputs.heads``; a target that is not multi-label) the output
    is one Dense head per output instead, a sigmoid unit or a softmax over k units,
    concatenated in order (a single head is the output layer itself).

    With ``dropout`` > 0 a Dropout layer follows each hidden layer (active in training
    only). Every initializer and every Dropout layer gets its own seed drawn from
    ``rng``, so a fit never touches Keras' or Python's global random state. The
    initializer seeds are drawn first, in layer order, so ``dropout`` leaves the initial
    weights as they are without it.
    """
    keras_activation = ACTIVATIONS[activation]
    hidden_init = getattr(
        keras.initializers, "HeUniform" if keras_activation in _RELU_LIKE else "GlorotUniform"
    )
    n_heads = 1 if heads is None else len(heads)
    init_seeds = [_seed(rng) for _ in range(len(hidden_layer_sizes) + n_heads)]
    dropout_seeds = [_seed(rng) for _ in hidden_layer_sizes] if dropout > 0 else []
    inputs = keras.Input(shape=(n_features,), name="features")
    h = inputs
    for i, units in enumerate(hidden_layer_sizes):
        h = keras.layers.Dense(
            units,
            activation=keras_activation,
            kernel_initializer=hidden_init(seed=init_seeds[i]),
            name=f"hidden_{i}",
        )(h)
        if dropout_seeds:
            h = Dropout(dropout, seed=dropout_seeds[i], name=f"dropout_{i}")(h)
    output_seeds = init_seeds[len(hidden_layer_sizes) :]
    sizes = (n_labels,) if heads is None else heads
    outputs = [
        keras.layers.Dense(
            k,
            activation="sigmoid" if heads is None or k == 1 else "softmax",
            kernel_initializer=keras.initializers.GlorotUniform(seed=seed),
            name=OUTPUT_LAYER if len(sizes) == 1 else f"{OUTPUT_LAYER}_{j}",
        )(h)
        for j, (k, seed) in enumerate(zip(sizes, output_seeds, strict=True))
    ]
    if len(outputs) > 1:
        outputs = [keras.layers.Concatenate(name=OUTPUT_LAYER)(outputs)]
    return keras.Model(inputs, outputs[0], name="multilabel_mlp")


def average_networks(networks):
    """One model whose output is the mean of ``networks``' outputs (an ensemble).

    Each network becomes a named sub-model (``network_0``, ``network_1``...) of a
    functional model with Keras' ``Average`` layer on top, so the ensemble saves, loads
    and predicts as any Keras model.
    """
    inputs = keras.Input(shape=networks[0].inputs[0].shape[1:], name="features")
    outputs = [
        keras.Model(network.inputs[0], network.outputs[0], name=f"network_{i}")(inputs)
        for i, network in enumerate(networks)
    ]
    averaged = keras.layers.Average(name=OUTPUT_LAYER)(outputs)
    return keras.Model(inputs, averaged, name="multilabel_mlp_ensemble")


def set_output_bias(network, bias):
    """Load ``bias`` (one value per label) into the default network's output layer.

    Done on the built network rather than through a ``bias_initializer``, so that the
    model's configuration, and with it the compiled loop it shares with other fits
    (``_cache.loop_key``), does not depend on the training labels.
    """
    layer = network.get_layer(OUTPUT_LAYER)
    if isinstance(layer, keras.layers.Dense):
        layer.bias.assign(bias)
        return
    start = 0  # one Dense layer per output head, concatenated
    for j in range(len(layer.input)):
        head = network.get_layer(f"{OUTPUT_LAYER}_{j}")
        k = head.units
        head.bias.assign(bias[start : start + k])
        start += k


def build_user_model(builder, meta, learning_rate):
    """Call the user's ``model=`` builder and check what it returns.

    Returns the model and the optimizer to train it with: the model's own when it was
    compiled, else Adam with ``learning_rate``.
    """
    compile_kwargs = {
        "optimizer": keras.optimizers.Adam(learning_rate=learning_rate),
        "loss": "binary_crossentropy",
    }
    model = call_model_builder(builder, meta, compile_kwargs)
    if not isinstance(model, keras.Model):
        raise TypeError(
            f"model must return a keras.Model, got {type(model).__name__}. "
            "Build it with keras.Sequential or the functional API."
        )
    try:
        out_shape = tuple(model.compute_output_shape((None, meta["n_features_in_"])))
    except Exception as exc:  # Keras raises many kinds here; the user needs one message
        raise ValueError(
            f"The model built by model= does not accept {meta['n_features_in_']} input "
            f"features: {exc}"
        ) from None
    if out_shape[1:] != (meta["n_outputs_"],):
        raise ValueError(
            f"The model built by model= outputs shape {out_shape}, but y has "
            f"{meta['n_outputs_']} labels: its last layer must be "
            f"Dense({meta['n_outputs_']}, activation='sigmoid')."
        )
    heads = meta.get("heads")
    softmax = heads is not None and len(heads) == 1 and heads[0] > 1
    _check_output_activation(model, "softmax" if softmax else "sigmoid")
    optimizer = getattr(model, "optimizer", None) if model.compiled else None
    if optimizer is None:
        return model, compile_kwargs["optimizer"]
    loss = getattr(model, "loss", None)
    allowed = ("binary_crossentropy",) + (("categorical_crossentropy",) if heads else ())
    if loss is not None and loss_name(loss) not in allowed:
        raise ValueError(
            f"The model built by model= was compiled with loss "
            f"{loss_name(loss)!r}; multi-label training uses "
            "'binary_crossentropy' on sigmoid outputs. Compile it with that loss, or "
            "return it uncompiled."
        )
    if getattr(loss, "from_logits", False):
        raise ValueError(
            "The model built by model= was compiled with from_logits=True; return "
            "sigmoid probabilities and use the default binary cross-entropy."
        )
    return model, optimizer


def _check_output_activation(model, expected="sigmoid"):
    """Refuse a model whose last layer has an activation other than ``expected``.

    The loss reads the outputs as probabilities; a linear or softmax output would be
    clipped into [0, 1] by it and train silently wrong. A last layer without an
    ``activation`` (a custom layer or a ``Concatenate`` of heads, say) is taken as the
    user wrote it. A multiclass target (one softmax head) expects ``"softmax"``.
    """
    last = model.layers[-1] if model.layers else None
    activation = getattr(last, "activation", None)
    name = getattr(activation, "__name__", None)
    if activation is not None and name != expected:
        need = (
            "one sigmoid probability per label: make its last layer "
            "Dense(n_outputs_, activation='sigmoid')."
            if expected == "sigmoid"
            else "a softmax over the classes: make its last layer "
            "Dense(n_outputs_, activation='softmax')."
        )
        raise ValueError(
            f"The model built by model= ends in a {type(last).__name__} layer with "
            f"activation {name or activation!r}; training needs {need}"
        )


def build_network(
    model,
    *,
    n_features,
    outputs,
    n_units,
    hidden_layer_sizes,
    activation,
    dropout,
    learning_rate,
    rng,
):
    """The network and optimizer for one fit: the user's ``model=`` or the default MLP.

    ``outputs`` is the fit's ``_outputs.Outputs`` (target type, classes, heads) and
    ``n_units`` the number of output units.
    """
    if model is None:
        network = build_mlp(
            n_features,
            n_units,
            hidden_layer_sizes,
            activation,
            rng,
            dropout=dropout,
            heads=outputs.heads,
        )
        return network, keras.optimizers.Adam(learning_rate=learning_rate)
    meta = {
        "n_features_in_": n_features,
        "n_outputs_": n_units,
        "classes_": outputs.classes,
        "target_type_": outputs.target_type,
        "heads": outputs.heads,
        "seed": _seed(rng),
    }
    return build_user_model(model, meta, learning_rate)
