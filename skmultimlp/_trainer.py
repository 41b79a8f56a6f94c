"""Training one network: the compiled loop (cached across fits) or, when needed, ``model.fit``.

Why not ``model.fit`` by default: its per-epoch machinery (data adapter, callbacks) costs
about 100 ms an epoch, which dominates the small networks users cross-validate, and its
shuffling draws from global random state. The default path runs all epochs inside one
compiled function (``_loops``), reused across fits with the same architecture (``_cache``).

``model.fit`` is used only when the user asks for Keras callbacks, the model defines its
own ``train_step``, or a layer normalises by batch statistics (``BatchNormalization``: the
compiled loop pads the last batch with zero rows, which would enter its mean, variance and
moving averages; ``model.fit`` trains on a short last batch instead). Its batches come from
the same seeded shuffling, and it reports the same results (loss curve, validation scores,
early stopping).
"""

import math
import sys

import keras
import numpy as np
from tqdm.auto import tqdm

from ._cache import POOL, all_layers, loop_key
from ._loops import (
    FitData,
    MaskedBinaryCrossentropy,
    dense_batch,
    kernel_indices,
    make_loop,
    model_variables,
    predict_proba,
    proba_batches,
    weights_of,
)
from ._sparse import split_first_dense

__all__ = [
    "FitData",
    "OptimizerState",
    "has_custom_train_step",
    "predict_proba",
    "proba_batches",
    "train",
]


def has_custom_train_step(model):
    """True when ``model``'s class overrides Keras' ``train_step``."""
    return not type(model).train_step.__module__.startswith("keras.")


def uses_batch_statistics(model):
    """True when a layer of ``model`` normalises by statistics of the whole batch in
    training, so that the compiled loop's zero padding rows would change them."""
    return any(isinstance(layer, keras.layers.BatchNormalization) for layer in all_layers(model))


def train(
    model,
    optimizer,
    data,
    *,
    template,
    epochs,
    batch_size,
    verbose,
    callbacks=None,
    stopping=None,
    optimizer_state=None,
):
    """Train ``model`` in place; return the mean training loss of each epoch run.

    Parameters
    ----------
    model : keras.Model
        This fit's freshly initialised network, mapping float32 features to sigmoid
        probabilities; it receives the trained weights.
    optimizer : keras.optimizers.Optimizer
        This fit's (unbuilt) optimizer; its settings and learning rate are used.
    data : FitData
    template : callable
        Returns a new ``(model, optimizer)`` pair of the same architecture; called when
        no cached compiled loop fits, to be the new loop's own copy.
    epochs, batch_size : int
    verbose : int
        Show a progress bar over epochs with the loss when > 0.
    callbacks : list of keras.callbacks.Callback, default=None
        When given, train with ``model.fit`` so that the callbacks run (as also for a
        custom ``train_step`` and for ``BatchNormalization`` layers).
    stopping : skmultimlp._early_stopping.EarlyStopping, default=None
        Validation-based early stopping; ``model`` ends with the best epoch's weights.
    optimizer_state : OptimizerState, default=None
        The optimizer's state to start from and to leave the trained state in
        (``partial_fit``); None: a fresh optimizer.

    Returns
    -------
    list of float
        The sample-weighted mean loss of each epoch.
    """
    if callbacks or has_custom_train_step(model) or uses_batch_statistics(model):
        return _train_with_fit(
            model,
            optimizer,
            data,
            epochs=epochs,
            batch_size=batch_size,
            verbose=verbose,
            callbacks=callbacks or [],
            stopping=stopping,
            optimizer_state=optimizer_state,
        )
    # What a compiled loop is specialised to, besides the architecture and optimizer. Whether
    # the L2 penalty is compiled in is part of it; alpha itself is loaded per fit.
    shape = loop_shape(model, data, batch_size)
    key = loop_key(model, optimizer, **shape) if _poolable(model) else None
    loop = POOL.checkout(key)
    if loop is None:
        loop_model, loop_optimizer = template() if key is not None else (model, optimizer)
        loop = make_loop(loop_model, loop_optimizer, **shape)
    loop.load(model, optimizer, data, optimizer_state.values if optimizer_state else None)
    if stopping is not None and not verbose and not data.sparse:
        # Early stopping inside the compiled function: one call, no Python per epoch.
        losses = loop.run_stopping(stopping, epochs).tolist()
        _keep_optimizer_state(optimizer_state, loop)
        loop.store(model, stopping.best_weights)
        POOL.checkin(key, loop)
        return losses
    # One call runs every epoch, unless something has to happen between epochs: a
    # progress bar, or early stopping on sparse rows that stay on the host.
    chunk = 1 if (verbose or stopping is not None) else epochs
    losses = []
    with tqdm(total=epochs, unit="epoch", disable=not verbose, file=sys.stderr) as bar:
        while len(losses) < epochs:
            n_epochs = min(chunk, epochs - len(losses))
            losses.extend(loop.run(len(losses), n_epochs).tolist())
            stop = stopping is not None and stopping.update(
                loop.predict_proba(stopping.X_val), loop.weights
            )
            bar.update(n_epochs)
            bar.set_postfix(_progress(losses, stopping))
            if stop:
                break
    _keep_optimizer_state(optimizer_state, loop)
    loop.store(model, stopping.best_weights if stopping is not None else None)
    POOL.checkin(key, loop)
    return losses


POOL_MAX_WEIGHT_BYTES = 32 * 2**20
"""A network with more float32 weights than this (e.g. a first layer of 50,000 inputs x
256 units) trains in a loop of its own, on its own variables, that is not kept for later
fits: a kept loop holds a copy of the weights and the optimizer's moments (three times
the weights) for as long as the process lives, and compiling is quick next to training
such a network."""


def _poolable(model):
    n_weights = sum(math.prod(v.shape) for v in model.trainable_variables)
    return n_weights * 4 <= POOL_MAX_WEIGHT_BYTES


def loop_shape(model, data, batch_size):
    """What a compiled loop for ``model`` and ``data`` is specialised to, besides the
    architecture and optimizer (:func:`_loops.make_loop`)."""
    sparse = None
    if data.sparse:
        # Sparse rows are multiplied sparse when the network starts with a Dense layer;
        # another network gets them densified one batch at a time on the host.
        sparse = "csr" if split_first_dense(model) is not None else "callback"
    return dict(
        batch_size=batch_size,
        n_features=data.n_features,
        n_labels=data.n_labels,
        sparse=sparse,
        sparse_capacity=data.X.capacity if sparse == "csr" else 0,
        label_capacity=data.Y.capacity if data.sparse_labels else 0,
        l2=data.alpha > 0,
        heads=data.heads,
    )


class OptimizerState:
    """The optimizer's state (step count, moments) carried from one ``partial_fit`` call
    to the next: ``values`` is None before the first, then a list of numpy arrays."""

    def __init__(self, values=None):
        self.values = values


def _keep_optimizer_state(optimizer_state, loop):
    if optimizer_state is not None:
        optimizer_state.values = loop.optimizer_values()


def _progress(losses, stopping):
    shown = {"loss": f"{losses[-1]:.4f}"}
    if stopping is not None:
        shown["val_score"] = f"{stopping.scores[-1]:.4f}"
    return shown


class _SeededBatches(keras.utils.PyDataset):
    """Mini-batches in an order drawn from the fit's seed; sparse rows densified per batch."""

    def __init__(self, data, batch_size):
        super().__init__()
        self.data = data
        self.batch_size = batch_size
        self._rng = np.random.RandomState(data.seed)
        self._order = self._rng.permutation(data.n)

    def __len__(self):
        return math.ceil(self.data.n / self.batch_size)

    def __getitem__(self, i):
        idx = self._order[i * self.batch_size : (i + 1) * self.batch_size]
        d = self.data
        # Y keeps its MISSING entries: the loss masks them.
        X = d.X_host if d.sparse else d.X
        return dense_batch(X, idx), d.label_rows(idx).astype(np.float32), d.w[idx]

    def on_epoch_end(self):
        self._order = self._rng.permutation(self.data.n)


class _EarlyStoppingCallback(keras.callbacks.Callback):
    def __init__(self, stopping):
        super().__init__()
        self.stopping = stopping

    def on_epoch_end(self, epoch, logs=None):
        proba = predict_proba(self.model, self.stopping.X_val)
        if self.stopping.update(proba, lambda: weights_of(self.model)):
            self.model.stop_training = True


def _train_with_fit(
    model, optimizer, data, *, epochs, batch_size, verbose, callbacks, stopping, optimizer_state
):
    # The same loss as the compiled loop's (label weights, missing entries masked, L2
    # penalty); a model compiled by the user keeps its optimizer (its binary cross-entropy
    # was checked).
    if model.compiled:
        optimizer = model.optimizer
    variables = model.trainable_variables
    loss = MaskedBinaryCrossentropy(
        data.label_weight,
        heads=data.heads,
        alpha=data.alpha,
        kernels=[variables[i] for i in kernel_indices(model)],
    )
    model.compile(optimizer=optimizer, loss=loss)
    if optimizer_state is not None and optimizer_state.values is not None:
        optimizer.build(variables)
        for variable, value in zip(optimizer.variables, optimizer_state.values, strict=True):
            variable.assign(value)
    if stopping is not None:
        callbacks = [*callbacks, _EarlyStoppingCallback(stopping)]
    history = model.fit(
        _SeededBatches(data, batch_size),
        epochs=epochs,
        shuffle=False,
        callbacks=callbacks,
        verbose=2 if verbose else 0,
    )
    if optimizer_state is not None:
        optimizer_state.values = [keras.ops.convert_to_numpy(v.value) for v in optimizer.variables]
    if stopping is not None and stopping.best_weights is not None:
        for variable, value in zip(model_variables(model), stopping.best_weights, strict=True):
            variable.assign(value)
    return [float(loss) for loss in history.history["loss"]]
