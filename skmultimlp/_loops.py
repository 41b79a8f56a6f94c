"""The whole training loop (epochs x mini-batches) as one compiled function per backend.

A loop is built around a *template* model and optimizer that it owns. Each fit loads its
own freshly initialised weights and a fresh optimizer state into it (``load``), runs a
range of epochs (``run``), and copies the trained weights out into the fit's own model
(``store``). So one compiled function serves every fit with the same architecture.

Inside the compiled function each epoch draws its order from a stateless generator keyed
by ``(fit seed, epoch)``: ``argsort`` of random integers (XLA on CPU has no shuffle
kernel). Batches have a fixed size; the last one is padded with rows of weight 0, so its
loss is the mean over its real rows, as with a short batch, while XLA sees static shapes.
Sparse ``X`` stays sparse: each batch's non-zeros are cut from its CSR arrays inside the
compiled function and multiplied by the first layer (:mod:`_sparse`); so are sparse label
matrices, densified one batch at a time there. Small sparse ``X`` of some density is
densified once instead (:func:`densify_sparse`), and a network that does not start with a
Dense layer gets its sparse rows densified a batch at a time by a host callback.

The loss is binary cross-entropy per label entry, weighted by the label's positive-class
weight where the entry is 1 and masked where it is unknown (:data:`MISSING`), averaged over
the labels and then weighted by the sample weight (:func:`entry_loss`). With ``alpha`` > 0,
each mini-batch adds MLPClassifier's L2 penalty on the kernels (:func:`l2_penalty`); the loop
is then compiled with the penalty, and ``alpha`` itself is an input of each fit.
"""

import keras
import numpy as np
import scipy.sparse as sp

from ._cache import FORWARD
from ._early_stopping import graph_score
from ._outputs import sigmoid_units
from ._sparse import (
    CSRRows,
    feature_batch,
    host_proba_batches,
    label_batch,
    split_first_dense,
)
from ._targets import MISSING

SUPPORTED_BACKENDS = ("tensorflow", "jax")


def require_supported_backend():
    backend = keras.backend.backend()
    if backend not in SUPPORTED_BACKENDS:
        raise RuntimeError(
            f"skmultimlp trains on Keras' TensorFlow or JAX backend, but KERAS_BACKEND is "
            f"{backend!r}. Set KERAS_BACKEND to 'tensorflow' (the default) or 'jax'."
        )
    return backend


def dense_batch(X, idx):
    """Rows ``idx`` of ``X`` as a new float32 array (densified if ``X`` is sparse)."""
    rows = X[idx]
    if sp.issparse(rows):
        rows = rows.toarray()
    return np.asarray(rows, dtype=np.float32)


def entry_loss(y, proba, label_weight, heads=None):
    """Each sample's loss: the mean over labels of the weighted, masked cross-entropy.

    ``y`` holds 0, 1 or :data:`MISSING` (unknown: that entry adds nothing), any numeric
    dtype; ``label_weight`` multiplies the loss of each label's positive entries. With all
    entries known and weights of 1 this is Keras' ``binary_crossentropy``.

    ``heads`` (``_outputs.Outputs.heads``; None for a multi-label target) gives the units
    of each output head: the loss is then the mean over the heads of each head's loss,
    the binary cross-entropy of a sigmoid unit or the categorical cross-entropy of a
    softmax head, whose ``label_weight`` is the weight of each class (of the true one).
    """
    ops = keras.ops
    on = ops.cast(ops.equal(y, 1), proba.dtype)
    known = ops.cast(ops.not_equal(y, MISSING), proba.dtype)
    weight = known * (1.0 + (label_weight - 1.0) * on)
    if heads is None:
        return ops.mean(ops.binary_crossentropy(on, proba) * weight, axis=-1)
    sigmoid = ops.convert_to_tensor(sigmoid_units(heads), proba.dtype)
    p = ops.clip(proba, 1e-7, 1 - 1e-7)
    # -log p of a unit that is on; -log(1 - p) of a sigmoid unit that is off.
    ce = -(on * ops.log(p) + sigmoid * (1.0 - on) * ops.log1p(-p))
    return ops.sum(ce * weight, axis=-1) / len(heads)


def kernel_indices(model):
    """Positions in ``model.trainable_variables`` of the kernels (weights, not biases)."""
    return [i for i, v in enumerate(model.trainable_variables) if v.name == "kernel"]


def l2_penalty(kernels, alpha, n_rows, n_labels):
    """MLPClassifier's L2 penalty for a mini-batch of ``n_rows`` samples, on our loss's scale.

    MLPClassifier adds ``0.5 * alpha * sum(W**2) / n_rows`` (its batch's sample count)
    to a cross-entropy *summed* over the labels; :func:`entry_loss` *averages* over the
    labels, so the penalty is divided by ``n_labels`` as well. The objective is then
    MLPClassifier's divided by ``n_labels``: same minimum, same meaning of ``alpha``.
    """
    ops = keras.ops
    squares = sum(ops.sum(ops.square(kernel)) for kernel in kernels)
    return 0.5 * alpha * squares / (n_rows * n_labels)


@keras.saving.register_keras_serializable(package="skmultimlp")
class MaskedBinaryCrossentropy(keras.losses.Loss):
    """:func:`entry_loss` as a Keras loss, for training through ``model.fit``.

    With ``alpha`` > 0, each batch's loss gets :func:`l2_penalty` of ``kernels`` (the
    model's kernel variables), as in the compiled loop. The penalty is for training: it
    is not part of the saved configuration.
    """

    def __init__(
        self,
        label_weight=None,
        name="masked_binary_crossentropy",
        *,
        alpha=0.0,
        kernels=(),
        heads=None,
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        self.label_weight = None if label_weight is None else [float(v) for v in label_weight]
        self.heads = None if heads is None else [int(k) for k in heads]
        self.alpha = float(alpha)
        self.kernels = list(kernels)

    def __call__(self, y_true, y_pred, sample_weight=None):
        loss = super().__call__(y_true, y_pred, sample_weight)
        if self.alpha > 0 and self.kernels:
            n_rows, n_labels = keras.ops.shape(y_pred)
            n_heads = n_labels if self.heads is None else len(self.heads)
            loss = loss + l2_penalty(
                self.kernels, self.alpha, keras.ops.cast(n_rows, loss.dtype), n_heads
            )
        return loss

    def call(self, y_true, y_pred):
        weight = (
            1.0
            if self.label_weight is None
            else keras.ops.convert_to_tensor(self.label_weight, y_pred.dtype)
        )
        return entry_loss(y_true, y_pred, weight, self.heads)

    def get_config(self):
        return {**super().get_config(), "label_weight": self.label_weight, "heads": self.heads}


def model_variables(model):
    """Every variable of ``model``, trainable first, in a fixed order."""
    return model.trainable_variables + model.non_trainable_variables


def weights_of(model):
    """A numpy copy of every variable of ``model``, in ``model_variables`` order."""
    return [keras.ops.convert_to_numpy(v.value) for v in model_variables(model)]


def _learning_rate(optimizer):
    """The optimizer's learning rate as a float, or None when it is a schedule."""
    value = optimizer.get_config()["learning_rate"]
    return None if isinstance(value, dict) else float(value)


def predict_proba(model, X, batch_size=8192):
    """Sigmoid outputs of ``model`` for ``X`` (see :func:`proba_batches`)."""
    return np.concatenate(list(proba_batches(model, X, batch_size)), axis=0)


def proba_batches(model, X, batch_size=8192):
    """Sigmoid outputs of ``model`` for ``X``, ``batch_size`` rows at a time (a
    generator): sparse rows times the first kernel by scipy (no dense copy), dense rows
    by the architecture's compiled forward pass on JAX (:data:`_cache.FORWARD`)."""
    split = split_first_dense(model) if sp.issparse(X) else None
    if split is not None:
        values = (
            [v.value for v in model.trainable_variables],
            [v.value for v in model.non_trainable_variables],
        )
        rest = split.rest
        forward_rest = lambda t, n, h: rest(h, training=False)  # noqa: E731
        yield from host_proba_batches(split, values, X, forward_rest, batch_size)
        return
    forward = FORWARD(model) or (lambda x: model(x, training=False))
    batch_size = dense_rows(X, batch_size)
    for i in range(0, X.shape[0], batch_size):
        yield np.asarray(forward(dense_batch(X, slice(i, i + batch_size))))


def dense_rows(X, batch_size):
    """Rows per batch when ``X``'s rows are densified for a forward pass: ``batch_size``,
    fewer for a wide sparse ``X`` (a dense batch within 64 MiB)."""
    if not sp.issparse(X):
        return batch_size
    return max(1, min(batch_size, SPARSE_DENSIFY_MAX_BYTES // (4 * max(X.shape[1], 1))))


_KEY_MAX = 2**31 - 1  # epoch-order keys lie below it; padding rows get it and sort last


_SHARED_SHAPE_MAX_BYTES = 32 * 2**20

SPARSE_DENSIFY_MAX_BYTES = 64 * 2**20
"""Sparse ``X`` whose dense float32 copy fits in this many bytes (64 MiB, e.g. 2,000 TF-IDF
rows of 8,000 terms) may be densified once per fit (:func:`densify_sparse`)."""

SPARSE_DENSIFY_MIN_DENSITY = 0.03
"""... when at least this fraction of its entries are non-zero: the compiled sparse path
(:mod:`_sparse`) was faster below it, dense matrix products above it. Measured with 100
hidden units, 10 epochs (TF and JAX, 2 CPUs): 2,000 x 8,000 at 1 % density, 0.5-1.4 s
sparse vs 1.1-2.5 s dense; 5,000 x 1,000 at 1 %, 0.6-0.7 vs 0.8 s; 10,000 x 1,600 at 4 %,
2.4-2.9 vs 2.6-2.7 s (even); 1,000 x 300 at 10 %, 0.13-0.14 vs 0.09-0.10 s."""


def densify_sparse(X, sparse_rows=True):
    """Whether FitData densifies sparse ``X``: when its dense copy is small and either
    the network cannot take sparse rows (``sparse_rows`` False: they would be densified a
    batch at a time on the host) or ``X`` is dense enough for dense products to win."""
    n_rows, n_features = X.shape
    if n_rows * n_features * 4 > SPARSE_DENSIFY_MAX_BYTES:
        return False
    return not sparse_rows or X.nnz >= SPARSE_DENSIFY_MIN_DENSITY * n_rows * n_features


def padded_length(n_samples, batch_size, row_bytes=0):
    """Rows the loops see: whole batches, their count rounded up to 4, 5, 6 or 7 x 2**k.

    Compiled code is specialised to array shapes; rounding lets fits whose sizes differ a
    little (the folds of a cross-validation, the final refit on all rows) share one
    compilation, at the cost of at most 25 % padding. Large data (``row_bytes`` per row,
    over 32 MiB in all) only gets its last batch completed: a compilation is cheap next to
    its training, and the padded copy stays close to the size of the data.
    """
    n_batches = -(-n_samples // batch_size)
    if n_batches > 4 and n_samples * row_bytes <= _SHARED_SHAPE_MAX_BYTES:
        scale = 1 << (n_batches.bit_length() - 3)
        n_batches = -(-n_batches // scale) * scale
    return n_batches * batch_size


def _aligned_empty(shape, dtype, alignment=64):
    """An array whose data starts on an ``alignment``-byte boundary.

    TensorFlow (through DLPack) and JAX (with ``may_alias``) then use its memory as it is
    instead of copying it.
    """
    dtype = np.dtype(dtype)
    nbytes = int(np.prod(shape)) * dtype.itemsize
    raw = np.empty(nbytes + alignment, np.uint8)
    offset = -raw.ctypes.data % alignment
    return raw[offset : offset + nbytes].view(dtype).reshape(shape)


def _padded(a, length, dtype):
    out = _aligned_empty((length, *a.shape[1:]), dtype)
    out[: a.shape[0]] = a
    out[a.shape[0] :] = 0
    return out


class FitData:
    """One fit's training data, padded with zero-weight rows to ``padded_length``.

    Dense ``X`` is copied once into a float32 buffer that the backend uses in place, and
    so is sparse ``X`` that :func:`densify_sparse` (``sparse_rows``: whether the network
    can take sparse rows) picks; other sparse ``X`` is kept as its CSR arrays (``X`` is
    then a :class:`_sparse.CSRRows`, ``X_host`` the CSR matrix for networks the compiled
    loop cannot split). ``Y`` is a
    uint8 indicator matrix of 0, 1 and :data:`MISSING`, or, when given as a scipy sparse
    0/1 matrix, its CSR arrays (a :class:`_sparse.CSRRows` without values; ``Y_host`` the
    matrix). ``w`` float32 sample weights (mean 1 over the real rows), ``seed`` the fit's
    shuffling seed, ``n`` the number of real rows; ``label_weight`` the float32
    positive-class weight of each label; ``alpha`` the strength of the L2 penalty on the
    kernels (:func:`l2_penalty`); ``heads`` the output heads of a target that is not
    multi-label (:func:`entry_loss`).
    """

    def __init__(
        self,
        X,
        Y,
        w,
        *,
        seed,
        batch_size,
        label_weight=None,
        alpha=0.0,
        heads=None,
        sparse_rows=True,
    ):
        self.n = Y.shape[0]
        self.n_labels = Y.shape[1]
        self.heads = heads
        if label_weight is None:
            label_weight = np.ones(self.n_labels, np.float32)
        self.label_weight = np.asarray(label_weight, dtype=np.float32)
        self.alpha = float(alpha)
        self.seed = int(seed)
        if sp.issparse(X) and densify_sparse(X, sparse_rows):
            X = X.toarray()  # a new array: the caller's X is not touched
        self.sparse = sp.issparse(X)
        self.sparse_labels = sp.issparse(Y)
        row_bytes = 4 + (0 if self.sparse else X.shape[1] * 4)
        row_bytes += 0 if self.sparse_labels else Y.shape[1]
        length = padded_length(self.n, batch_size, row_bytes)
        self.length = length
        self.X_host = X if self.sparse else None
        self.X = CSRRows(X, batch_size) if self.sparse else _padded(X, length, np.float32)
        self.Y_host = Y if self.sparse_labels else None
        self.Y = (
            CSRRows(Y, batch_size, values=False)
            if self.sparse_labels
            else _padded(Y, length, np.uint8)
        )
        self.w = _padded(w, length, np.float32)
        self.n_features = X.shape[1]

    def label_rows(self, idx):
        """The labels of rows ``idx`` (real rows) as a uint8 array."""
        if self.sparse_labels:
            return self.Y_host[idx].toarray().astype(np.uint8)
        return self.Y[idx]


def validation_length(X_val):
    """The rows :func:`validation_arrays` pads ``X_val`` to."""
    return padded_length(X_val.shape[0], 1, X_val.shape[1] * 4)


def validation_arrays(stopping):
    """Early stopping's validation rows for a compiled loop: ``(X, on, known, w,
    threshold)`` as float32 arrays, the rows padded (weight 0, no known label) to a
    rounded count as training rows are, so that fits share compilations."""
    g = stopping.graph
    X = dense_batch(stopping.X_val, slice(None))
    length = validation_length(X)
    return (
        _padded(X, length, np.float32),
        _padded(g["on"], length, np.float32),
        _padded(g["known"], length, np.float32),
        _padded(g["w"], length, np.float32),
        g["threshold"],
    )


def _fresh_value(variable):
    """A numpy copy of ``variable``'s value; a zero variable (Adam's moments) as a
    read-only zero view, which takes no memory however large the kernel."""
    ops = keras.ops
    if not ops.convert_to_numpy(ops.any(ops.not_equal(variable.value, 0))):
        dtype = np.dtype(keras.backend.standardize_dtype(variable.dtype))
        return np.broadcast_to(np.zeros((), dtype), tuple(variable.shape))
    return ops.convert_to_numpy(variable.value)


class _Loop:
    """What both backends share: the template, the optimizer's fresh state, sparse rows.

    ``l2`` compiles the L2 penalty on the kernels into the loop; its ``alpha`` is loaded
    per fit, so fits that differ only in a positive ``alpha`` share the loop.
    """

    def __init__(
        self,
        model,
        optimizer,
        *,
        batch_size,
        n_features,
        n_labels,
        sparse=None,
        sparse_capacity=0,
        label_capacity=0,
        l2=False,
        heads=None,
    ):
        self.model = model
        self.heads = heads
        self.optimizer = optimizer
        self.batch_size = batch_size
        self.n_features = n_features
        self.n_labels = n_labels
        self._n_heads = n_labels if heads is None else len(heads)
        self._kernels = kernel_indices(model) if l2 else []
        # Sparse X: "csr" (multiplied sparse in the loop, ``sparse_capacity`` non-zeros a
        # batch at most), "callback" (rows densified on the host) or None (dense).
        self._sparse = sparse
        self._sparse_capacity = sparse_capacity
        self._split = split_first_dense(model) if sparse == "csr" else None
        if sparse == "csr" and self._split is None:
            raise RuntimeError("Internal error: this network cannot take sparse rows.")
        self._label_capacity = label_capacity  # of a batch of sparse labels; 0: dense
        optimizer.build(model.trainable_variables)
        self._fresh_optimizer = [_fresh_value(v) for v in optimizer.variables]
        self._fresh = True  # the optimizer's state is still the fresh one
        self._sparse_X = None

    def _sparse_rows(self, idx):
        # Padding positions (zero weight) may point past the real rows: any row will do.
        X = self._sparse_X
        return dense_batch(X, np.minimum(np.asarray(idx), X.shape[0] - 1))

    def _labels(self, Y, idx):
        """The uint8 labels of rows ``idx``: gathered, or densified from sparse labels."""
        if not self._label_capacity:
            return keras.ops.take(Y, idx, axis=0)
        return label_batch(Y, idx, self._label_capacity, self.n_labels)

    def _data_arrays(self, data, in_place, no_columns):
        """``data.X`` and ``data.Y`` as the compiled function takes them: dense arrays, or
        tuples of CSR arrays (``in_place`` makes a backend array of a numpy one without a
        copy; ``no_columns(n)`` an empty (n, 0) stand-in for rows densified on the host)."""
        if self._sparse == "csr":
            X = tuple(in_place(a) for a in (data.X.indptr, data.X.indices, data.X.data))
        elif self._sparse:
            X = no_columns(data.length)
        else:
            X = in_place(data.X)
        if data.sparse_labels:
            return X, (in_place(data.Y.indptr), in_place(data.Y.indices))
        return X, in_place(data.Y)

    def _check_data(self, data):
        if (data.sparse_labels and data.Y.capacity > self._label_capacity) or (
            self._sparse == "csr" and data.X.capacity > self._sparse_capacity
        ):
            raise RuntimeError("Internal error: the loop was compiled for smaller batches.")
        if self._sparse == "callback":
            self._sparse_X = data.X_host

    def _sparse_forward(self, X, trainable, non_trainable, forward_rest, batch_size):
        values = (trainable, non_trainable)
        batches = host_proba_batches(self._split, values, X, forward_rest, batch_size)
        return np.concatenate(list(batches), axis=0)

    def _reset_optimizer(self, optimizer, values=None):
        """Fresh moments and step count (or ``values``, the state a previous run left:
        ``partial_fit``); the learning rate of this fit's ``optimizer``."""
        # A new loop's optimizer is fresh already: assigning the fresh state would only
        # add a transient copy of the moments (twice the weights) to the peak memory.
        if values is not None or not self._fresh:
            values = self._fresh_optimizer if values is None else values
            for variable, value in zip(self.optimizer.variables, values, strict=True):
                variable.assign(value)
        self._fresh = False
        learning_rate = _learning_rate(optimizer)
        if learning_rate is not None:
            self.optimizer.learning_rate = learning_rate

    def _store_optimizer(self, model, values):
        """A compiled model's own optimizer gets the trained state (step count, moments)."""
        optimizer = getattr(model, "optimizer", None) if model.compiled else None
        if optimizer is None or optimizer is self.optimizer:
            return
        if not optimizer.built:
            optimizer.build(model.trainable_variables)
        for dst, value in zip(optimizer.variables, values, strict=True):
            dst.assign(value)

    @staticmethod
    def _check_same_structure(model, template):
        for src, dst in zip(model_variables(model), model_variables(template), strict=True):
            if tuple(src.shape) != tuple(dst.shape):
                raise RuntimeError(
                    f"Internal error: cached training loop expects {dst.path} of shape "
                    f"{tuple(dst.shape)}, got {tuple(src.shape)}."
                )


class TensorFlowLoop(_Loop):
    """``tf.function`` over all epochs; XLA-compiled, but for sparse rows densified on the
    host (a plain graph)."""

    def __init__(self, model, optimizer, **shape):
        super().__init__(model, optimizer, **shape)
        import tensorflow as tf

        self._tf = tf
        n_features, n_labels = self.n_features, self.n_labels
        if self._sparse == "csr":  # indptr, indices, values
            x_spec = (
                tf.TensorSpec([None], tf.int32),
                tf.TensorSpec([None], tf.int32),
                tf.TensorSpec([None], tf.float32),
            )
        else:
            x_spec = tf.TensorSpec([None, 0 if self._sparse else n_features], tf.float32)
        if self._label_capacity:  # indptr, indices
            y_spec = (tf.TensorSpec([None], tf.int32), tf.TensorSpec([None], tf.int32))
        else:
            y_spec = tf.TensorSpec([None, n_labels], tf.uint8)
        self._signature = [
            x_spec,
            y_spec,
            tf.TensorSpec([None], tf.float32),
            tf.TensorSpec([n_labels], tf.float32),  # positive-class weight of each label
            tf.TensorSpec([], tf.float32),  # alpha
            tf.TensorSpec([], tf.int32),  # real rows
            tf.TensorSpec([], tf.int32),  # seed
            tf.TensorSpec([], tf.int32),  # first epoch
            tf.TensorSpec([], tf.int32),  # epochs to run
        ]
        self._jit = self._sparse != "callback"
        self._fn = self._trace(self._jit)
        # Concrete functions: called once per epoch under early stopping, they skip the
        # argument matching of a tf.function call (about 0.4 ms a call).
        self._forward = tf.function(
            lambda x: self.model(x, training=False),
            input_signature=[tf.TensorSpec([None, n_features], tf.float32)],
        ).get_concrete_function()
        if self._split is not None:
            rest = self._split.rest
            units = self._split.first.units
            self._forward_rest = tf.function(
                lambda h: rest(h, training=False),
                input_signature=[tf.TensorSpec([None, units], tf.float32)],
            ).get_concrete_function()
        self._stopping_fns = {}
        self._inputs = None

    def _trace(self, jit):
        """The training function, traced once for the signature (XLA-compiled if ``jit``)."""
        fn = self._tf.function(self._epochs, input_signature=self._signature, jit_compile=jit)
        return fn.get_concrete_function()

    def _rows(self, X, idx):
        tf = self._tf
        if self._sparse == "csr":
            return feature_batch(X, idx, self._sparse_capacity)
        if not self._sparse:
            return tf.gather(X, idx)
        rows = tf.numpy_function(self._sparse_rows, [idx], tf.float32, stateful=False)
        rows.set_shape([self.batch_size, self.n_features])
        return rows

    def _call(self, x, training):
        """The network on a batch: dense rows, or the entries of sparse ones."""
        if self._split is None:
            return self.model(x, training=training)
        first = self._split.first
        hidden = self._split.sparse_hidden(first.kernel, first.bias, x, self.batch_size)
        return self._split.rest(hidden, training=training)

    def _train_epoch(self, X, Y, w, label_weight, alpha, n, seed, epoch):
        """One epoch of mini-batch steps in the order drawn for ``(seed, epoch)``; its
        mean loss."""
        tf = self._tf
        model, optimizer, bs = self.model, self.optimizer, self.batch_size
        variables = model.trainable_variables
        kernels = [variables[i] for i in self._kernels]
        length = tf.shape(w)[0]
        is_real = tf.range(length) < n
        n_batches = (n + bs - 1) // bs
        keys = tf.random.stateless_uniform(
            [length],
            seed=tf.stack([seed, epoch]),
            minval=0,
            maxval=_KEY_MAX,
            dtype=tf.int32,
        )
        order = tf.argsort(tf.where(is_real, keys, _KEY_MAX))

        def batch(b, total):
            idx = tf.slice(order, [b * bs], [bs])
            mask = tf.cast(b * bs + tf.range(bs) < n, tf.float32)
            x = self._rows(X, idx)
            y = self._labels(Y, idx)
            sw = tf.gather(w, idx) * mask
            count = tf.reduce_sum(mask)
            with tf.GradientTape() as tape:
                proba = self._call(x, training=True)
                loss = tf.reduce_sum(entry_loss(y, proba, label_weight, self.heads) * sw) / count
                if kernels:
                    loss = loss + l2_penalty(kernels, alpha, count, self._n_heads)
                if model.losses:
                    loss = loss + tf.add_n(model.losses)
            # The gradient of a gathered kernel comes as IndexedSlices, whose repeated rows
            # Adam would square one by one: made dense, it is the plain (dense) gradient.
            grads = [
                tf.convert_to_tensor(g) if isinstance(g, tf.IndexedSlices) else g
                for g in tape.gradient(loss, variables)
            ]
            optimizer.apply(grads, variables)
            return b + 1, total + loss * count

        _, total = tf.while_loop(
            lambda b, total: b < n_batches, batch, (tf.constant(0), tf.constant(0.0))
        )
        return total / tf.cast(n, tf.float32)

    def _epochs(self, X, Y, w, label_weight, alpha, n, seed, epoch_start, n_epochs):
        tf = self._tf

        def epoch(e, losses):
            loss = self._train_epoch(X, Y, w, label_weight, alpha, n, seed, epoch_start + e)
            return e + 1, losses.write(e, loss)

        _, losses = tf.while_loop(
            lambda e, losses: e < n_epochs,
            epoch,
            (tf.constant(0), tf.TensorArray(tf.float32, size=n_epochs)),
        )
        return losses.stack()

    def _epochs_stopping(self, scoring, *args):
        """Every epoch with early stopping (:class:`EarlyStopping`'s rule) in the graph.

        Returns the losses and validation scores of the epochs run, the index of the
        best epoch (-1 if no score was a number) and that epoch's weights.
        """
        tf = self._tf
        X, Y, w, label_weight, alpha, n, seed, n_epochs = args[:8]
        X_val, on, known, w_val, threshold, patience, tol = args[8:]
        variables = model_variables(self.model)

        def epoch(e, losses, scores, best, best_epoch, no_improvement, best_values):
            loss = self._train_epoch(X, Y, w, label_weight, alpha, n, seed, e)
            proba = self.model(X_val, training=False)
            score = graph_score(
                scoring, proba, on, known, w_val, threshold, label_weight, self.heads
            )
            no_improvement = tf.where(score < best + tol, no_improvement + 1, 0)
            better = score > best
            best_values = [
                tf.where(better, v.value, b) for v, b in zip(variables, best_values, strict=True)
            ]
            return (
                e + 1,
                losses.write(e, loss),
                scores.write(e, score),
                tf.where(better, score, best),
                tf.where(better, e, best_epoch),
                no_improvement,
                best_values,
            )

        def running(e, losses, scores, best, best_epoch, no_improvement, best_values):
            return (e < n_epochs) & (no_improvement <= patience)

        start = (
            tf.constant(0),
            tf.TensorArray(tf.float32, size=n_epochs),
            tf.TensorArray(tf.float32, size=n_epochs),
            tf.constant(-np.inf, tf.float32),
            tf.constant(-1),
            tf.constant(0),
            [v.value for v in variables],
        )
        e, losses, scores, _, best_epoch, _, best_values = tf.while_loop(running, epoch, start)
        return losses.stack()[:e], scores.stack()[:e], best_epoch, best_values

    def load(self, model, optimizer, data, optimizer_values=None):
        """Put ``model``'s weights, a fresh optimizer state (or ``optimizer_values``) and
        ``data`` into the loop."""
        tf = self._tf
        self._check_same_structure(model, self.model)
        if model is not self.model:
            for dst, src in zip(model_variables(self.model), model_variables(model), strict=True):
                dst.assign(src.value)
        self._reset_optimizer(optimizer, optimizer_values)
        self._check_data(data)

        def in_place(a):  # FitData's buffers (and large sparse X's arrays), not copied
            try:
                return tf.experimental.dlpack.from_dlpack(a.__dlpack__())
            except BufferError:  # a read-only array
                return tf.convert_to_tensor(a)

        X, Y = self._data_arrays(data, in_place, lambda n: tf.zeros([n, 0], tf.float32))
        self._inputs = (
            X,
            Y,
            tf.convert_to_tensor(data.w),
            tf.convert_to_tensor(data.label_weight),
            tf.constant(data.alpha, tf.float32),
            tf.constant(data.n, tf.int32),
            tf.constant(data.seed, tf.int32),
        )

    def run(self, epoch_start, n_epochs):
        """Train for ``n_epochs`` more epochs; the mean loss of each."""
        tf = self._tf
        epochs = (tf.constant(epoch_start, tf.int32), tf.constant(n_epochs, tf.int32))
        try:
            losses = self._fn(*self._inputs, *epochs)
        except (tf.errors.InvalidArgumentError, tf.errors.UnimplementedError):
            if not self._jit:
                raise
            # A layer of the user's model has no XLA kernel. XLA fails while compiling,
            # before anything ran, so nothing was trained: go on with the plain graph.
            self._jit = False
            self._fn = self._trace(jit=False)
            losses = self._fn(*self._inputs, *epochs)
        return losses.numpy().astype(float)

    def _trace_stopping(self, scoring, jit):
        tf = self._tf
        n_features, n_labels = self.n_features, self.n_labels
        signature = [
            *self._signature[:7],
            tf.TensorSpec([], tf.int32),  # epochs
            tf.TensorSpec([None, n_features], tf.float32),  # validation rows
            tf.TensorSpec([None, n_labels], tf.float32),  # their labels that are on
            tf.TensorSpec([None, n_labels], tf.float32),  # and known
            tf.TensorSpec([None], tf.float32),  # their weights
            tf.TensorSpec([n_labels], tf.float32),  # threshold
            tf.TensorSpec([], tf.int32),  # n_iter_no_change
            tf.TensorSpec([], tf.float32),  # tol
        ]
        fn = tf.function(
            lambda *args: self._epochs_stopping(scoring, *args),
            input_signature=signature,
            jit_compile=jit,
        )
        return fn.get_concrete_function()

    def run_stopping(self, stopping, epochs):
        """Train with early stopping inside the compiled function; the mean loss of each
        epoch run. ``stopping`` receives the scores and the best epoch's weights."""
        tf = self._tf
        scoring = stopping.graph["scoring"]
        key = (scoring, self._jit)
        if key not in self._stopping_fns:
            self._stopping_fns[key] = self._trace_stopping(scoring, self._jit)
        args = (
            *self._inputs,
            tf.constant(epochs, tf.int32),
            *(tf.convert_to_tensor(a) for a in validation_arrays(stopping)),
            tf.constant(stopping.n_iter_no_change, tf.int32),
            tf.constant(stopping.tol, tf.float32),
        )
        try:
            losses, scores, best_epoch, best = self._stopping_fns[key](*args)
        except (tf.errors.InvalidArgumentError, tf.errors.UnimplementedError):
            if not self._jit:
                raise
            # As in run: a layer without an XLA kernel; nothing was trained.
            self._jit = False
            self._fn = self._trace(jit=False)
            return self.run_stopping(stopping, epochs)
        best_weights = [v.numpy() for v in best] if int(best_epoch) >= 0 else None
        stopping.record(scores.numpy(), best_weights)
        return losses.numpy().astype(float)

    def predict_proba(self, X, batch_size=8192):
        """Probabilities from the loop's current weights."""
        if sp.issparse(X) and self._split is not None:
            return self._sparse_forward(
                X,
                [v.value for v in self.model.trainable_variables],
                [v.value for v in self.model.non_trainable_variables],
                lambda trainable, non_trainable, h: self._forward_rest(h),
                batch_size,
            )
        batch_size = dense_rows(X, batch_size)
        out = [
            self._forward(dense_batch(X, slice(i, i + batch_size))).numpy()
            for i in range(0, X.shape[0], batch_size)
        ]
        return np.concatenate(out, axis=0)

    def weights(self):
        """A copy of the current weights (trainable then non-trainable), as numpy arrays."""
        return weights_of(self.model)

    def optimizer_values(self):
        """A copy of the optimizer's state (step count, moments), as numpy arrays."""
        return [keras.ops.convert_to_numpy(v.value) for v in self.optimizer.variables]

    def store(self, model, weights=None):
        """Copy the trained weights (or ``weights``) into ``model`` and drop the data."""
        if model is not self.model or weights is not None:
            values = self.weights() if weights is None else weights
            for dst, value in zip(model_variables(model), values, strict=True):
                dst.assign(value)
        self._store_optimizer(model, [v.value for v in self.optimizer.variables])
        self._inputs = None
        self._sparse_X = None


class JaxLoop(_Loop):
    """``jax.jit`` of a scan over epochs and batches, weights passed in and out as values."""

    def __init__(self, model, optimizer, **shape):
        super().__init__(model, optimizer, **shape)
        import jax

        self._jax = jax
        self._fn = jax.jit(self._epochs, static_argnames=("n_epochs",))
        self._fn_stopping = jax.jit(
            self._epochs_stopping, static_argnames=("n_epochs", "scoring", "fold")
        )
        self._grad = jax.value_and_grad(self._loss, has_aux=True)
        self._forward = jax.jit(self._proba)
        if self._split is not None:
            rest = self._split.rest
            self._forward_rest = jax.jit(
                lambda trainable, non_trainable, h: rest.stateless_call(
                    trainable, non_trainable, h, training=False
                )[0]
            )
        self._state = None
        self._inputs = None

    def _loss(self, trainable, non_trainable, x, y, sw, label_weight, alpha, count):
        import jax.numpy as jnp

        proba, non_trainable, losses = self._call(trainable, non_trainable, x)
        loss = jnp.sum(entry_loss(y, proba, label_weight, self.heads) * sw) / count
        if self._kernels:
            kernels = [trainable[i] for i in self._kernels]
            loss = loss + l2_penalty(kernels, alpha, count, self._n_heads)
        for extra in losses:
            loss = loss + extra
        return loss, non_trainable

    def _call(self, trainable, non_trainable, x):
        """The network in training on a batch (dense rows, or the entries of sparse ones):
        its output, new non-trainable values and losses."""
        if self._split is None:
            return self.model.stateless_call(
                trainable, non_trainable, x, training=True, return_losses=True
            )
        split = self._split
        bias = None if split.bias is None else trainable[split.bias]
        hidden = split.sparse_hidden(trainable[split.kernel], bias, x, self.batch_size)
        proba, rest_non_trainable, losses = split.rest.stateless_call(
            *split.rest_values(trainable, non_trainable), hidden, training=True, return_losses=True
        )
        non_trainable = list(non_trainable)
        for i, value in zip(split.rest_non_trainable, rest_non_trainable, strict=True):
            non_trainable[i] = value
        return proba, non_trainable, losses

    def _proba(self, trainable, non_trainable, x):
        return self.model.stateless_call(trainable, non_trainable, x, training=False)[0]

    def _rows(self, X, idx):
        jax = self._jax
        if self._sparse == "csr":
            return feature_batch(X, idx, self._sparse_capacity)
        if not self._sparse:
            return X[idx]
        shape = jax.ShapeDtypeStruct((self.batch_size, self.n_features), np.float32)
        return jax.pure_callback(self._sparse_rows, shape, idx)

    def _train_epoch(self, state, X, Y, w, label_weight, alpha, n, key, epoch, fold=None):
        """One epoch of mini-batch steps in the order drawn for ``(key, epoch)``: the new
        state and the epoch's mean loss. With ``fold`` (the batched trainer, ``_batched``),
        ``X`` and ``Y`` stack the data of several folds and this network trains on
        ``X[fold]``, ``Y[fold]``."""
        jax = self._jax
        jnp = jax.numpy
        bs = self.batch_size
        length = w.shape[0]
        is_real = jnp.arange(length) < n
        n_batches = (n + bs - 1) // bs
        keys = jax.random.randint(jax.random.fold_in(key, epoch), (length,), 0, _KEY_MAX, jnp.int32)
        order = jnp.argsort(jnp.where(is_real, keys, _KEY_MAX)).astype(jnp.int32)

        def batch(b, carry):
            (trainable, non_trainable, opt_vars), total = carry
            idx = jax.lax.dynamic_slice(order, (b * bs,), (bs,))
            mask = (b * bs + jnp.arange(bs) < n).astype(jnp.float32)
            if fold is None:
                x, y = self._rows(X, idx), self._labels(Y, idx)
            else:
                x, y = X[fold, idx], Y[fold, idx]
            sw = w[idx] * mask
            count = mask.sum()
            (loss, non_trainable), grads = self._grad(
                trainable, non_trainable, x, y, sw, label_weight, alpha, count
            )
            trainable, opt_vars = self.optimizer.stateless_apply(opt_vars, grads, trainable)
            return (trainable, non_trainable, opt_vars), total + loss * count

        state, total = jax.lax.fori_loop(0, n_batches, batch, (state, jnp.float32(0)))
        return state, total / n

    def _epochs(self, state, X, Y, w, label_weight, alpha, n, key, epoch_start, n_epochs):
        jnp = self._jax.numpy

        def epoch(state, e):
            return self._train_epoch(state, X, Y, w, label_weight, alpha, n, key, epoch_start + e)

        return self._jax.lax.scan(epoch, state, jnp.arange(n_epochs))

    def _epochs_stopping(self, state, data, validation, rule, *, n_epochs, scoring, fold=None):
        """Every epoch with early stopping (:class:`EarlyStopping`'s rule) in the program.

        ``data`` is ``(X, Y, w, label_weight, alpha, n, key)``, ``validation`` the
        validation rows' ``(X, on, known, w, threshold)``, ``rule`` the ``(patience,
        tol)``. Returns the final state, the number of epochs run, every epoch's loss and
        score (zero after the last epoch run), the index of the best epoch (-1 if no
        score was a number) and its ``(trainable, non_trainable)`` values.
        """
        jax = self._jax
        jnp = jax.numpy
        X, Y, w, label_weight, alpha, n, key = data
        X_val, on, known, w_val, threshold = validation
        patience, tol = rule

        def epoch(carry):
            e, state, losses, scores, best, best_epoch, no_improvement, best_values = carry
            state, loss = self._train_epoch(
                state, X, Y, w, label_weight, alpha, n, key, e, fold=fold
            )
            proba = self._proba(state[0], state[1], X_val)
            score = graph_score(
                scoring, proba, on, known, w_val, threshold, label_weight, self.heads
            )
            no_improvement = jnp.where(score < best + tol, no_improvement + 1, 0)
            better = score > best
            best_values = jax.tree.map(
                lambda v, b: jnp.where(better, v, b), (state[0], state[1]), best_values
            )
            return (
                e + 1,
                state,
                losses.at[e].set(loss),
                scores.at[e].set(score),
                jnp.where(better, score, best),
                jnp.where(better, e, best_epoch),
                no_improvement,
                best_values,
            )

        def running(carry):
            e, no_improvement = carry[0], carry[6]
            return (e < n_epochs) & (no_improvement <= patience)

        zeros = jnp.zeros(n_epochs, jnp.float32)
        start = (0, state, zeros, zeros, -jnp.inf, -1, 0, (state[0], state[1]))
        start = jax.tree.map(jnp.asarray, start)
        e, state, losses, scores, _, best_epoch, _, best_values = jax.lax.while_loop(
            running, epoch, start
        )
        return state, e, losses, scores, best_epoch, best_values

    def load(self, model, optimizer, data, optimizer_values=None):
        """Take ``model``'s weights, a fresh optimizer state (or ``optimizer_values``) and
        ``data`` as the loop's state."""
        jax = self._jax
        self._check_same_structure(model, self.model)
        self._reset_optimizer(optimizer, optimizer_values)
        self._state = (
            [v.value for v in model.trainable_variables],
            [v.value for v in model.non_trainable_variables],
            [v.value for v in self.optimizer.variables],
        )
        self._check_data(data)

        X, Y = self._data_arrays(
            data,
            lambda a: jax.device_put(a, may_alias=True),
            lambda n: jax.numpy.zeros((n, 0), jax.numpy.float32),
        )
        self._inputs = (
            X,
            Y,
            jax.device_put(data.w, may_alias=True),
            jax.device_put(data.label_weight),
            np.float32(data.alpha),
            data.n,
            jax.random.key(data.seed),
        )

    def run(self, epoch_start, n_epochs):
        """Train for ``n_epochs`` more epochs; the mean loss of each."""
        self._state, losses = self._fn(
            self._state, *self._inputs, epoch_start, n_epochs=int(n_epochs)
        )
        return np.asarray(losses, dtype=float)

    def run_stopping(self, stopping, epochs):
        """Train with early stopping inside the compiled program; the mean loss of each
        epoch run. ``stopping`` receives the scores and the best epoch's weights."""
        jax = self._jax
        validation = tuple(jax.device_put(a) for a in validation_arrays(stopping))
        rule = (np.int32(stopping.n_iter_no_change), np.float32(stopping.tol))
        self._state, n_run, losses, scores, best_epoch, best = self._fn_stopping(
            self._state,
            self._inputs,
            validation,
            rule,
            n_epochs=int(epochs),
            scoring=stopping.graph["scoring"],
        )
        n_run = int(n_run)
        best_weights = None
        if int(best_epoch) >= 0:
            best_weights = [np.array(v) for v in best[0] + best[1]]
        stopping.record(np.asarray(scores)[:n_run], best_weights)
        return np.asarray(losses, dtype=float)[:n_run]

    def predict_proba(self, X, batch_size=8192):
        """Probabilities from the loop's current weights."""
        trainable, non_trainable, _ = self._state
        if sp.issparse(X) and self._split is not None:
            return self._sparse_forward(X, trainable, non_trainable, self._forward_rest, batch_size)
        batch_size = dense_rows(X, batch_size)
        out = [
            np.asarray(
                self._forward(trainable, non_trainable, dense_batch(X, slice(i, i + batch_size)))
            )
            for i in range(0, X.shape[0], batch_size)
        ]
        return np.concatenate(out, axis=0)

    def weights(self):
        """A copy of the current weights (trainable then non-trainable), as numpy arrays."""
        trainable, non_trainable, _ = self._state
        return [np.array(v) for v in trainable + non_trainable]

    def optimizer_values(self):
        """A copy of the optimizer's state (step count, moments), as numpy arrays."""
        return [np.array(v) for v in self._state[2]]

    def store(self, model, weights=None):
        """Copy the trained weights (or ``weights``) into ``model`` and drop the data."""
        trainable, non_trainable, opt_vars = self._state
        values = trainable + non_trainable if weights is None else weights
        for dst, value in zip(model_variables(model), values, strict=True):
            dst.assign(value)
        self._store_optimizer(model, opt_vars)
        self._state = self._inputs = self._sparse_X = None


def make_loop(model, optimizer, **shape):
    """A compiled loop for the current Keras backend, with ``model`` as its template.

    ``shape`` is what the loop is specialised to: ``batch_size``, ``n_features``,
    ``n_labels``; ``sparse`` (None for dense X, "csr" for sparse X multiplied sparse in
    the loop, with at most ``sparse_capacity`` non-zeros a batch, "callback" for sparse
    rows densified on the host); ``label_capacity`` (sparse labels: at most that many a
    batch; 0 for a dense label matrix); ``l2`` compiles in the L2 penalty on ``model``'s
    kernels (alpha loaded per fit); ``heads`` the output heads of a target that is not
    multi-label (:func:`entry_loss`).
    """
    cls = TensorFlowLoop if require_supported_backend() == "tensorflow" else JaxLoop
    return cls(model, optimizer, **shape)
