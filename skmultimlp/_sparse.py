"""Sparse (CSR) features and labels inside the compiled training loop.

A sparse ``X`` or label matrix enters the compiled loop as its three CSR arrays and stays
sparse there: each mini-batch's non-zeros are cut out of them by the batch's row indices
(:func:`batch_entries`), with a fixed capacity per batch so that XLA and JAX see static
shapes. Features are then multiplied by the first Dense layer without ever forming the
dense batch: the kernel rows of the batch's columns are gathered, scaled by the values and
summed per row (:func:`sparse_dense`), which costs ``nnz x units`` instead of ``rows x
n_features x units``. Labels are scattered into the dense batch the loss needs.

The network is split for this (:func:`split_first_dense`): its first Dense layer, applied
here, and the rest of the network as a Keras model sharing the same layers and variables.
Networks that do not start with a Dense layer on their input take the older path (the rows
of one batch densified on the host).
"""

import weakref

import keras
import numpy as np
import scipy.sparse as sp

_INT32_MAX = 2**31 - 1
_SHARED_SIZE_MAX_BYTES = 32 * 2**20


def _round_up(n):
    """``n`` rounded up to 4, 5, 6 or 7 x 2**k: nearby sizes share one compilation."""
    n = max(int(n), 8)
    scale = 1 << max(n.bit_length() - 3, 0)
    return -(-n // scale) * scale


class CSRRows:
    """The CSR arrays of a matrix, as the compiled loop takes them.

    ``indptr`` (int32, ``n_rows + 1`` entries), ``indices`` (int32) and ``data`` (float32,
    or None for a 0/1 label matrix). A large matrix's own ``indices`` and ``data`` are used
    as they are when their dtypes are these (TensorFlow reads them in place: no copy of
    the non-zeros); a small one's are copied into arrays whose length is rounded up, so
    that the folds of a cross-validation share one compilation. Rows past ``n_rows`` (the
    loop's zero-weight padding rows) are empty; a matrix without non-zeros gets arrays of
    zero entries. ``capacity`` is the most non-zeros any ``batch_size`` rows
    hold (the sum of the longest rows), rounded up.
    """

    def __init__(self, matrix, batch_size, *, values=True):
        from ._loops import _aligned_empty

        matrix = sp.csr_matrix(matrix)  # shares the arrays of a CSR matrix or array
        n_rows, nnz = matrix.shape[0], matrix.nnz
        if nnz >= _INT32_MAX or matrix.shape[1] >= _INT32_MAX:
            raise ValueError(
                f"A sparse matrix with {nnz} non-zeros and {matrix.shape[1]} columns is too "
                "large for 32-bit indices in the compiled loop; split it into chunks and "
                "train with partial_fit."
            )
        self.shape = matrix.shape
        self.indptr = _aligned_empty((n_rows + 1,), np.int32)
        self.indptr[:] = matrix.indptr
        indices, data = matrix.indices[:nnz], matrix.data[:nnz]
        size = max(nnz, 1)
        if size * 8 <= _SHARED_SIZE_MAX_BYTES or nnz == 0:
            size = _round_up(size)
        if size != nnz or indices.dtype != np.int32:
            indices = _padded_copy(indices, size, np.int32)
        if values and (size != nnz or data.dtype != np.float32):
            data = _padded_copy(data, size, np.float32)
        self.indices = indices
        self.data = data if values else None
        lengths = np.diff(matrix.indptr)
        k = min(batch_size, n_rows)
        longest = np.partition(lengths, n_rows - k)[n_rows - k :] if k else lengths[:0]
        self.capacity = _round_up(int(longest.sum()))


def _padded_copy(a, size, dtype):
    from ._loops import _aligned_empty

    out = _aligned_empty((size,), dtype)
    out[: a.shape[0]] = a
    out[a.shape[0] :] = 0
    return out


def batch_entries(indptr, idx, capacity):
    """Where the non-zeros of rows ``idx`` lie in a CSR matrix, as backend tensors.

    Returns ``(row, position, valid)``, each of length ``capacity``: entry ``p`` is the
    non-zero at ``position`` of the CSR arrays, in row ``row`` of the batch (its place in
    ``idx``); entries past the batch's non-zeros have ``valid`` False and ``position``
    0. ``capacity`` must be at least the batch's number of non-zeros. Indices past the
    matrix's last row stand for empty rows.
    """
    ops = keras.ops
    idx = ops.cast(idx, "int32")
    n_rows = ops.shape(indptr)[0] - 1
    # Rows past the matrix's (the loop's zero-weight padding rows) are empty.
    real = idx < n_rows
    idx = ops.where(real, idx, 0)
    starts = ops.take(indptr, idx)
    lengths = ops.where(real, ops.take(indptr, ops.minimum(idx + 1, n_rows)) - starts, 0)
    ends = ops.cumsum(lengths)
    offsets = ends - lengths
    # Entry p belongs to the last row whose offset is <= p (rows before it are full, rows
    # of length 0 share their offset with the next row and come before it).
    marks = ops.segment_sum(ops.ones_like(offsets), offsets, num_segments=capacity + 1)
    row = ops.cumsum(marks[:capacity]) - 1
    p = ops.arange(capacity, dtype="int32")
    valid = p < ends[-1]
    row = ops.clip(row, 0, ops.shape(idx)[0] - 1)
    position = ops.where(valid, ops.take(starts, row) + p - ops.take(offsets, row), 0)
    return row, position, valid


def sparse_dense(kernel, row, columns, values, n_rows):
    """``(n_rows, units)``: the rows' sparse features times ``kernel``, entry by entry."""
    ops = keras.ops
    products = ops.take(kernel, columns, axis=0) * ops.expand_dims(values, -1)
    return ops.segment_sum(products, row, num_segments=n_rows)


def feature_batch(X, idx, capacity):
    """``(row, columns, values)`` of the features of rows ``idx``; ``X`` is the
    ``(indptr, indices, data)`` tensors of a :class:`CSRRows`."""
    indptr, indices, data = X
    row, position, valid = batch_entries(indptr, idx, capacity)
    values = keras.ops.where(valid, keras.ops.take(data, position), 0.0)
    return row, keras.ops.take(indices, position), values


def label_batch(Y, idx, capacity, n_labels):
    """The dense uint8 ``(len(idx), n_labels)`` batch of a 0/1 label matrix; ``Y`` is the
    ``(indptr, indices)`` tensors of a :class:`CSRRows` without values."""
    ops = keras.ops
    indptr, indices = Y
    n_rows = ops.shape(idx)[0]
    row, position, valid = batch_entries(indptr, idx, capacity)
    # Unused entries go to an extra row that is dropped; a row's labels are distinct.
    flat = ops.where(valid, row, n_rows) * n_labels + ops.take(indices, position)
    ones = ops.ones_like(flat)
    dense = ops.segment_sum(ones, flat, num_segments=(n_rows + 1) * n_labels)
    return ops.cast(ops.reshape(dense[: n_rows * n_labels], (n_rows, n_labels)), "uint8")


class SplitNetwork:
    """A network as its first Dense layer (``first``) and the rest (``rest``, a Keras model
    on the first layer's output sharing the network's layers and variables).

    ``kernel``, ``bias``: the first layer's variables' positions in the network's
    ``trainable_variables``; ``rest_trainable``, ``rest_non_trainable``: the positions of
    the rest's variables in the network's lists.
    """

    def __init__(self, model, first, rest):
        trainable = model.trainable_variables
        self.first, self.rest = first, rest
        self.kernel = _position(trainable, first.kernel)
        self.bias = None if first.bias is None else _position(trainable, first.bias)
        self.rest_trainable = [_position(trainable, v) for v in rest.trainable_variables]
        self.rest_non_trainable = [
            _position(model.non_trainable_variables, v) for v in rest.non_trainable_variables
        ]

    def hidden(self, bias, pre_activation):
        """The first layer's output from its pre-activation (``x @ kernel``)."""
        if bias is not None:
            pre_activation = pre_activation + bias
        return self.first.activation(pre_activation)

    def sparse_hidden(self, kernel, bias, entries, n_rows):
        """The first layer's output for ``n_rows`` sparse rows given as their
        ``(row, columns, values)`` entries (:func:`feature_batch`)."""
        return self.hidden(bias, sparse_dense(kernel, *entries, n_rows))

    def rest_values(self, trainable, non_trainable):
        return (
            [trainable[i] for i in self.rest_trainable],
            [non_trainable[i] for i in self.rest_non_trainable],
        )


def _position(variables, variable):
    for i, v in enumerate(variables):
        if v is variable:
            return i
    raise ValueError("variable not in the list")


_SPLITS = weakref.WeakKeyDictionary()


def split_first_dense(model):
    """``model`` as a :class:`SplitNetwork`, or None when it does not start with a plain
    Dense layer that alone reads its single input (and holds all its variables but
    that layer's kernel and bias)."""
    try:
        return _SPLITS[model]
    except KeyError:
        pass
    except TypeError:
        return None
    split = _split(model)
    _SPLITS[model] = split
    return split


def _split(model):
    inputs = getattr(model, "inputs", None)
    if not isinstance(model, keras.Model) or not inputs or len(inputs) != 1:
        return None
    readers = [
        layer
        for layer in model.layers
        if not isinstance(layer, keras.layers.InputLayer) and _reads(layer, inputs[0])
    ]
    if len(readers) != 1 or type(readers[0]) is not keras.layers.Dense:
        return None
    first = readers[0]
    plain = (
        first.kernel_regularizer is None
        and first.bias_regularizer is None
        and first.activity_regularizer is None
        and first.kernel_constraint is None
        and first.bias_constraint is None
        and not first.lora_enabled
        and first.dtype_policy.quantization_mode is None
        and not first.non_trainable_variables
    )
    if not plain:
        return None
    if len(model.outputs) != 1:
        return None
    try:
        split = SplitNetwork(model, first, keras.Model(first.output, model.outputs[0]))
    except Exception:  # noqa: BLE001 - any model Keras cannot cut there takes the old path
        return None
    n_first = 1 + (first.bias is not None)
    if len(split.rest_trainable) + n_first != len(model.trainable_variables) or len(
        split.rest_non_trainable
    ) != len(model.non_trainable_variables):
        return None
    return split


def _reads(layer, tensor):
    try:
        inputs = layer.input
    except (AttributeError, ValueError):
        return False
    inputs = inputs if isinstance(inputs, (list, tuple)) else [inputs]
    return any(x is tensor for x in inputs)


def host_proba_batches(split, model_values, X, forward_rest, batch_size=8192):
    """Probabilities for sparse ``X`` on the host, ``batch_size`` rows at a time (a
    generator): ``X @ kernel`` by scipy, then ``forward_rest(trainable, non_trainable,
    hidden)``.

    ``model_values`` is ``(trainable, non_trainable)``, the network's variable values.
    """
    trainable, non_trainable = model_values
    kernel = np.asarray(keras.ops.convert_to_numpy(trainable[split.kernel]), np.float32)
    bias = None if split.bias is None else keras.ops.convert_to_numpy(trainable[split.bias])
    rest = split.rest_values(trainable, non_trainable)
    X = sp.csr_matrix(X)
    for i in range(0, X.shape[0], batch_size):
        pre = np.asarray(X[i : i + batch_size] @ kernel, dtype=np.float32)
        hidden = split.hidden(bias, pre)
        yield np.asarray(keras.ops.convert_to_numpy(forward_rest(*rest, hidden)))
