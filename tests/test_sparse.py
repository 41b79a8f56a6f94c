"""Sparse X and sparse labels inside the compiled loop (skmultimlp._sparse), on both backends."""

import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import scipy.sparse as sp

import skmultimlp._loops as loops
import skmultimlp._sparse as sparse
from skmultimlp import KerasMultiLabelClassifier
from skmultimlp._network import build_mlp

PLAIN = dict(early_stopping=False, dropout=0.0, output_bias_init="zeros")


def _csr(n_rows, n_cols, density, seed, empty_rows=()):
    X = sp.random(n_rows, n_cols, density=density, format="csr", random_state=seed)
    X = X.astype(np.float32).tolil()
    for i in empty_rows:
        X[i, :] = 0
    return X.tocsr()


def _tensors(rows):
    ops = keras.ops
    return tuple(ops.convert_to_tensor(a) for a in (rows.indptr, rows.indices, rows.data))


@pytest.mark.parametrize("n_rows", [0, 1, 37])
def test_batch_entries_are_the_rows_nonzeros(n_rows):
    X = _csr(max(n_rows, 1), 12, 0.3, 0, empty_rows=[0])[:n_rows]
    rows = sparse.CSRRows(X, batch_size=8)
    rng = np.random.RandomState(1)
    # Real rows in any order, repeated, and padding rows past the last one.
    idx = np.concatenate([rng.randint(0, max(n_rows, 1), 6), [n_rows, n_rows + 3]])
    idx = idx.astype(np.int32)
    if n_rows == 0:
        idx = np.array([0, 1, 2], np.int32)
    row, columns, values = (
        keras.ops.convert_to_numpy(a)
        for a in sparse.feature_batch(_tensors(rows), idx, rows.capacity * 2)
    )
    dense = np.zeros((len(idx), 12), np.float32)
    np.add.at(dense, (row, columns), values)
    expected = np.zeros((len(idx), 12), np.float32)
    real = idx < n_rows
    expected[real] = X[idx[real]].toarray()
    np.testing.assert_array_equal(dense, expected)


def test_capacity_holds_the_densest_batch():
    X = _csr(50, 30, 0.2, 2)
    rows = sparse.CSRRows(X, batch_size=7)
    lengths = np.diff(X.indptr)
    assert rows.capacity >= np.sort(lengths)[-7:].sum()


def test_label_batch_densifies_the_rows_labels():
    rng = np.random.RandomState(3)
    Y = sp.csr_matrix((rng.uniform(size=(40, 9)) < 0.25).astype(np.uint8))
    rows = sparse.CSRRows(Y, batch_size=10, values=False)
    assert rows.data is None
    idx = np.concatenate([rng.permutation(40)[:10], [40, 41]]).astype(np.int32)
    tensors = tuple(keras.ops.convert_to_tensor(a) for a in (rows.indptr, rows.indices))
    got = keras.ops.convert_to_numpy(sparse.label_batch(tensors, idx, rows.capacity, 9))
    expected = np.zeros((12, 9), np.uint8)
    expected[:10] = Y[idx[:10]].toarray()
    assert got.dtype == np.uint8
    np.testing.assert_array_equal(got, expected)


def test_large_matrix_arrays_are_used_without_a_copy(monkeypatch):
    X = _csr(30, 20, 0.3, 4)
    monkeypatch.setattr(sparse, "_SHARED_SIZE_MAX_BYTES", 0)
    rows = sparse.CSRRows(X, batch_size=8)
    assert np.shares_memory(rows.indices, X.indices)
    assert np.shares_memory(rows.data, X.data)
    # Small ones are copied into rounded lengths (shared compilations).
    monkeypatch.undo()
    rows = sparse.CSRRows(X, batch_size=8)
    assert not np.shares_memory(rows.data, X.data) and len(rows.data) >= X.nnz


def test_split_first_dense_only_for_a_first_dense_layer():
    model = build_mlp(20, 3, (6, 5), "relu", np.random.RandomState(0), dropout=0.2)
    split = sparse.split_first_dense(model)
    assert split.first.name == "hidden_0"
    x = np.random.RandomState(0).uniform(size=(4, 20)).astype(np.float32)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(split.rest(split.first(x))),
        keras.ops.convert_to_numpy(model(x)),
        rtol=1e-6,
    )
    inputs = keras.Input((20,))
    scaled = keras.layers.Rescaling(2.0)(inputs)
    other = keras.Model(inputs, keras.layers.Dense(3, activation="sigmoid")(scaled))
    assert sparse.split_first_dense(other) is None


@pytest.fixture(scope="module")
def text_data():
    X = _csr(300, 400, 0.02, 5)  # under SPARSE_DENSIFY_MIN_DENSITY: stays sparse
    rng = np.random.RandomState(6)
    W = rng.normal(size=(400, 4))
    y = (X @ W + rng.normal(scale=0.1, size=(300, 4)) > 0).astype(int)
    return X, y


@pytest.fixture(scope="module")
def sparse_and_dense_fits(text_data):
    X, y = text_data
    params = dict(hidden_layer_sizes=(8,), epochs=4, batch_size=16, random_state=0, **PLAIN)
    before = X.copy()
    sparse_fit = KerasMultiLabelClassifier(**params).fit(X, y)
    assert (X != before).nnz == 0 and X.dtype == before.dtype  # the caller's X is unchanged
    dense_fit = KerasMultiLabelClassifier(**params).fit(X.toarray(), y)
    return sparse_fit, dense_fit


def test_sparse_x_trains_as_dense_x(sparse_and_dense_fits, text_data):
    X, _ = text_data
    sparse_fit, dense_fit = sparse_and_dense_fits
    np.testing.assert_allclose(sparse_fit.loss_curve_, dense_fit.loss_curve_, rtol=1e-5)
    np.testing.assert_allclose(
        sparse_fit.predict_proba(X), dense_fit.predict_proba(X.toarray()), rtol=1e-5, atol=1e-6
    )


def test_sparse_x_takes_the_compiled_sparse_path(monkeypatch, text_data):
    X, y = text_data
    seen = []
    original = loops.dense_batch
    monkeypatch.setattr(loops, "dense_batch", lambda X_, idx: seen.append(X_) or original(X_, idx))
    data = loops.FitData(X, y.astype(np.uint8), np.ones(300, np.float32), seed=0, batch_size=16)
    assert data.sparse and isinstance(data.X, sparse.CSRRows)
    clf = KerasMultiLabelClassifier(hidden_layer_sizes=(8,), epochs=2, random_state=0, **PLAIN)
    clf.fit(X, y)
    clf.predict_proba(X)
    assert not [a for a in seen if sp.issparse(a)]  # no sparse rows densified, not even a batch


def _fit_data(X, **kwargs):
    n = X.shape[0]
    return loops.FitData(
        X, np.zeros((n, 2), np.uint8), np.ones(n, np.float32), seed=0, batch_size=8, **kwargs
    )


def test_dense_enough_small_x_is_densified():
    X = _csr(50, 40, 0.2, 7)  # 20 % non-zeros
    assert not _fit_data(X).sparse
    X = _csr(50, 400, 0.01, 7)  # 1 %: sparse, unless the network cannot take sparse rows
    assert _fit_data(X).sparse
    assert not _fit_data(X, sparse_rows=False).sparse


def test_a_network_without_a_first_dense_layer_gets_batches_densified(text_data, monkeypatch):
    X, y = text_data
    rows_seen = []
    original = loops.dense_batch

    def spy(X_, idx):
        out = original(X_, idx)
        if sp.issparse(X_):
            rows_seen.append(out.shape[0])
        return out

    monkeypatch.setattr(loops, "dense_batch", spy)
    monkeypatch.setattr(loops, "SPARSE_DENSIFY_MAX_BYTES", 0)

    def scaled_network(meta):
        inputs = keras.Input((meta["n_features_in_"],))
        h = keras.layers.Dense(
            8, activation="relu", kernel_initializer=keras.initializers.HeUniform(0)
        )(keras.layers.Rescaling(1.0)(inputs))
        out = keras.layers.Dense(meta["n_outputs_"], activation="sigmoid")(h)
        return keras.Model(inputs, out)

    clf = KerasMultiLabelClassifier(model=scaled_network, epochs=2, batch_size=16, random_state=0)
    clf.set_params(early_stopping=False)
    clf.fit(X, y)
    assert rows_seen and max(rows_seen) <= 16


def test_sparse_labels_train_as_dense_labels(text_data):
    X, y = text_data
    params = dict(hidden_layer_sizes=(8,), epochs=3, batch_size=16, random_state=0, **PLAIN)
    data = {}
    for name, Y in (("dense", y.astype(np.uint8)), ("sparse", sp.csr_matrix(y.astype(np.uint8)))):
        fit = loops.FitData(X, Y, np.ones(300, np.float32), seed=1, batch_size=16)
        assert fit.sparse_labels == (name == "sparse")
        data[name] = fit
    clf = KerasMultiLabelClassifier(**params).fit(X, y)
    model = clf.model_
    losses = {}
    for name, fit in data.items():
        loop = loops.make_loop(
            keras.models.clone_model(model),
            keras.optimizers.Adam(1e-3),
            batch_size=16,
            n_features=400,
            n_labels=4,
            sparse="csr",
            sparse_capacity=fit.X.capacity,
            label_capacity=fit.Y.capacity if fit.sparse_labels else 0,
        )
        loop.model.set_weights(model.get_weights())
        loop.load(loop.model, keras.optimizers.Adam(1e-3), fit)
        losses[name] = loop.run(0, 2)
    np.testing.assert_allclose(losses["sparse"], losses["dense"], rtol=1e-6)


def test_mid_size_sparse_x_trains_and_predicts_without_a_dense_copy():
    # 4,000 x 150,000 float32 would be 2.4 GB dense; its non-zeros take 0.6 MB.
    script = textwrap.dedent(
        """
        import numpy as np, scipy.sparse as sp
        from skmultimlp import KerasMultiLabelClassifier

        def peak_mb():
            for line in open("/proc/self/status"):
                if line.startswith("VmHWM"):
                    return int(line.split()[1]) / 1e3

        rng = np.random.RandomState(0)
        indptr = np.arange(0, 4001 * 20, 20)
        X = sp.csr_matrix((rng.uniform(size=80_000).astype(np.float32),
                           rng.randint(0, 150_000, 80_000), indptr), shape=(4000, 150_000))
        y = (rng.uniform(size=(4000, 3)) < 0.3).astype(int)
        clf = KerasMultiLabelClassifier(hidden_layer_sizes=(4,), epochs=1, batch_size=64,
                                        early_stopping=False, random_state=0)
        clf.fit(X[:64], y[:64])  # start the runtime before measuring
        before = peak_mb()
        clf.fit(X, y)
        clf.predict_proba(X)
        print(peak_mb() - before)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=300
    )
    added_mb = float(out.stdout.strip().splitlines()[-1])
    assert added_mb < 600, added_mb
