"""The training loop: mini-batch epochs around one compiled optimizer step.

Why not ``model.fit``: its per-epoch machinery (data adapter, callbacks) costs about
100 ms an epoch, which dominates the small networks users cross-validate, and its
shuffling draws from global random state. Here the step (forward, binary cross-entropy,
gradient, optimizer update) is one ``tf.function`` traced once per fit, and the batches
are cut on the host from a permutation drawn from the estimator's own random state.
Sparse ``X`` is densified one batch at a time, never as a whole.
"""

import sys

import keras
import numpy as np
import scipy.sparse as sp


def _require_tensorflow_backend():
    backend = keras.backend.backend()
    if backend != "tensorflow":
        raise RuntimeError(
            f"skmultimlp trains on Keras' TensorFlow backend, but KERAS_BACKEND is "
            f"{backend!r}. Unset KERAS_BACKEND or set it to 'tensorflow'."
        )


def dense_batch(X, idx):
    """Rows ``idx`` of ``X`` as a new float32 array (densified if ``X`` is sparse)."""
    rows = X[idx]
    if sp.issparse(rows):
        rows = rows.toarray()
    return np.asarray(rows, dtype=np.float32)


def _make_step(model, optimizer, n_features, n_labels):
    import tensorflow as tf

    signature = [
        tf.TensorSpec([None, n_features], tf.float32),
        tf.TensorSpec([None, n_labels], tf.float32),
        tf.TensorSpec([None], tf.float32),
    ]
    variables = model.trainable_variables

    @tf.function(input_signature=signature)
    def step(x, y, w):
        with tf.GradientTape() as tape:
            proba = model(x, training=True)
            per_sample = keras.losses.binary_crossentropy(y, proba)
            loss = tf.reduce_mean(per_sample * w)
            if model.losses:
                loss = loss + tf.add_n(model.losses)
        grads = tape.gradient(loss, variables)
        optimizer.apply(grads, variables)
        return loss

    return step


def train(model, optimizer, X, Y, sample_weight, *, epochs, batch_size, rng, verbose):
    """Train ``model`` in place and return the mean training loss of each epoch.

    Parameters
    ----------
    model : keras.Model
        Maps float32 ``(batch, n_features)`` to sigmoid probabilities ``(batch, n_labels)``.
    optimizer : keras.optimizers.Optimizer
    X : ndarray or CSR matrix of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_labels), 0/1
    sample_weight : ndarray of shape (n_samples,), float32, mean 1
    epochs, batch_size : int
    rng : numpy.random.RandomState
        Draws the permutation of each epoch.
    verbose : int
        Print each epoch's loss when > 0.

    Returns
    -------
    list of float
        The sample-weighted mean loss over each epoch's batches.
    """
    _require_tensorflow_backend()
    n_samples = X.shape[0]
    optimizer.build(model.trainable_variables)
    step = _make_step(model, optimizer, X.shape[1], Y.shape[1])
    loss_curve = []
    for epoch in range(epochs):
        order = rng.permutation(n_samples)
        batch_losses = []
        for start in range(0, n_samples, batch_size):
            idx = order[start : start + batch_size]
            loss = step(
                dense_batch(X, idx),
                Y[idx].astype(np.float32),
                sample_weight[idx],
            )
            batch_losses.append((loss, len(idx)))
        epoch_loss = sum(float(loss) * n for loss, n in batch_losses) / n_samples
        loss_curve.append(epoch_loss)
        if verbose:
            print(f"Epoch {epoch + 1}/{epochs} - loss: {epoch_loss:.4f}", file=sys.stdout)
    return loss_curve


def predict_proba(model, X, batch_size=8192):
    """Sigmoid outputs of ``model`` for ``X``, computed a batch at a time."""
    out = [
        np.asarray(model(dense_batch(X, slice(i, i + batch_size)), training=False))
        for i in range(0, X.shape[0], batch_size)
    ]
    return np.concatenate(out, axis=0)
