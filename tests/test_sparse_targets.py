"""A scipy sparse multi-label y stays sparse: encoding, fit, predict, predict_top_k, metrics."""

import tracemalloc

import keras
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import metrics as skm
from sklearn.base import clone
from sklearn.datasets import make_multilabel_classification
from sklearn.model_selection import GridSearchCV

import skmultimlp._classifier as classifier_module
from skmultimlp import KerasMultiLabelClassifier
from skmultimlp._early_stopping import split_validation, uses_early_stopping
from skmultimlp._label_weights import label_log_odds, label_weights
from skmultimlp._outputs import encode
from skmultimlp.metrics import (
    SCORERS,
    exact_match_score,
    hamming_loss,
    macro_f1_score,
    multilabel_report,
)
from skmultimlp.model_selection import BatchedGridSearchCV
from skmultimlp.thresholds import MultiLabelThresholdTuner

single_backend = pytest.mark.single_backend

Y = np.array([[1, 0, 1, 0], [0, 0, 0, 0], [0, 1, 1, 0], [1, 1, 1, 1], [0, 0, 0, 1]])
TINY = dict(hidden_layer_sizes=(8,), epochs=3, batch_size=16, random_state=0)


def _same_arrays(a, b):
    return all(np.array_equal(x, y, equal_nan=True) for x, y in zip(a, b, strict=True))


def _parts(m):
    """Copies of what a sparse matrix holds, to check it was not modified."""
    m = m.tocsr() if not hasattr(m, "indptr") else m
    return [m.data.copy(), m.indices.copy(), m.indptr.copy()]


# --------------------------------------------------------------------------------- encode


def _with_explicit_zero_and_unsorted_indices():
    # Row 0 stores its columns out of order, row 1 an explicit 0.0.
    data = np.array([1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    indices = np.array([2, 0, 3, 1, 2, 0, 1, 2, 3, 3])
    indptr = np.array([0, 2, 3, 5, 9, 10])
    return sp.csr_matrix((data, indices, indptr), shape=Y.shape)


SPARSE_FORMS = {
    "csr_matrix": lambda: sp.csr_matrix(Y),
    "csr_array": lambda: sp.csr_array(Y),
    "csc_matrix": lambda: sp.csc_matrix(Y),
    "coo_matrix": lambda: sp.coo_matrix(Y),
    "coo_array": lambda: sp.coo_array(Y.astype(bool)),
    "lil_matrix": lambda: sp.lil_matrix(Y.astype(np.float32)),
    "explicit-zero-unsorted": _with_explicit_zero_and_unsorted_indices,
}


@single_backend
@pytest.mark.parametrize("form", SPARSE_FORMS)
def test_encode_gives_a_canonical_csr_matrix_of_ones(form):
    y = SPARSE_FORMS[form]()
    before = _parts(y)
    out, outputs = encode(y)
    assert type(out) is sp.csr_matrix
    assert out.dtype == np.uint8
    assert out.has_canonical_format and out.has_sorted_indices
    assert (out.data == 1).all() and out.nnz == Y.sum()  # only the ones are stored
    np.testing.assert_array_equal(out.toarray(), Y)
    assert outputs.target_type == "multilabel-indicator"
    np.testing.assert_array_equal(outputs.classes, np.arange(4))
    assert _same_arrays(_parts(y), before)  # the caller's y is unchanged


@single_backend
def test_encode_takes_scikit_learns_sparse_multilabel_indicator():
    _, y = make_multilabel_classification(
        n_samples=50, n_classes=6, return_indicator="sparse", random_state=0
    )
    out, _ = encode(y)
    assert type(out) is sp.csr_matrix and out.dtype == np.uint8
    np.testing.assert_array_equal(out.toarray(), encode(y.toarray())[0])
    # partial_fit's later calls transform against the fitted classes
    _, outputs = encode(y)
    again, _ = encode(y, fitted=outputs)
    assert type(again) is sp.csr_matrix and (again != out).nnz == 0


@single_backend
def test_encode_shares_no_memory_with_a_csr_y():
    y = sp.csr_matrix(Y.astype(np.uint8))
    out, _ = encode(y)
    for a, b in [(out.data, y.data), (out.indices, y.indices), (out.indptr, y.indptr)]:
        assert not np.shares_memory(a, b)


@single_backend
def test_encode_never_densifies_a_sparse_y(monkeypatch):
    def densify(self, *args, **kwargs):
        raise AssertionError("the whole sparse y was densified")

    for cls in (sp.csr_matrix, sp.csr_array, sp.csc_matrix, sp.coo_matrix):
        monkeypatch.setattr(cls, "toarray", densify)
        monkeypatch.setattr(cls, "todense", densify)
    for form in ("csr_matrix", "csr_array", "csc_matrix", "coo_matrix"):
        out, _ = encode(SPARSE_FORMS[form]())
        assert sp.issparse(out)


def _large_sparse_y(n_samples=100_000, n_labels=10_000, per_row=3):
    rows = np.repeat(np.arange(n_samples), per_row)
    cols = (rows * 7 + np.tile(np.arange(per_row) * 3331, n_samples)) % n_labels
    data = np.ones(len(rows), dtype=np.uint8)
    return sp.csr_matrix((data, (rows, cols)), shape=(n_samples, n_labels))


@single_backend
def test_a_large_sparse_y_is_encoded_and_counted_in_a_fraction_of_its_dense_size():
    y = _large_sparse_y()  # 1 GB as a dense uint8 matrix, 300,000 ones
    tracemalloc.start()
    try:
        Y_enc, outputs = encode(y)
        weights = label_weights("balanced", Y_enc, outputs.classes)
        bias = label_log_odds(Y_enc, np.ones(Y_enc.shape[0], np.float32))
        stops = uses_early_stopping("auto", Y_enc)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert type(Y_enc) is sp.csr_matrix and Y_enc.nnz == 300_000
    assert peak < 20 * 2**20, f"peak {peak / 2**20:.0f} MiB"  # dense: 954 MiB
    counts = np.bincount(y.indices, minlength=y.shape[1])
    expected = np.clip((y.shape[0] - counts) / np.maximum(counts, 1), 1 / 100, 100)
    expected[counts == 0] = 1.0
    np.testing.assert_allclose(weights, expected, rtol=1e-6)
    p = np.clip(counts / y.shape[0], 1e-3, 1 - 1e-3)
    np.testing.assert_allclose(bias, np.log(p / (1 - p)), rtol=1e-5)
    assert stops is False  # mean label frequency 3 / 10,000


@single_backend
def test_host_side_label_numbers_of_a_sparse_y_equal_the_dense_ones():
    rng = np.random.RandomState(0)
    dense = (rng.rand(1200, 5) < [0.6, 0.3, 0.5, 0.05, 0.9]).astype(np.uint8)
    sparse = sp.csr_matrix(dense)
    w = rng.rand(1200).astype(np.float32)
    names = np.array(list("abcde"), dtype=object)
    for weight in ("balanced", {"b": 3.0}, [1, 2, 3, 4, 5]):
        np.testing.assert_array_equal(
            label_weights(weight, sparse, names), label_weights(weight, dense, names)
        )
    np.testing.assert_allclose(label_log_odds(sparse, w), label_log_odds(dense, w), rtol=1e-6)
    assert uses_early_stopping("auto", sparse) == uses_early_stopping("auto", dense) is True
    X = rng.rand(1200, 3)
    rule = dict(n_iter_no_change=3, tol=1e-4)
    common = dict(
        validation_fraction=0.1, scoring="f1_macro", threshold=0.5, label_weight=np.ones(5), seed=0
    )
    dense_split = split_validation(X, dense, np.ones(1200), **common, **rule)
    sparse_split = split_validation(X, sparse, np.ones(1200), **common, **rule)
    assert type(sparse_split[1]) is sp.csr_matrix  # the training rows stay sparse
    np.testing.assert_array_equal(sparse_split[1].toarray(), dense_split[1])
    for name in ("on", "known", "w"):
        np.testing.assert_array_equal(
            sparse_split[3].graph[name], dense_split[3].graph[name], err_msg=name
        )


@single_backend
@pytest.mark.parametrize(
    "values, match",
    [
        ([2.0], r"only 0 and 1.*\[2"),
        ([0.5], r"only 0 and 1.*\[0.5"),
        ([-1.0], "cannot mark missing labels"),
        ([np.nan], "cannot mark missing labels"),
        ([-3.0], r"only 0 and 1.*\[-3"),
    ],
)
def test_sparse_y_with_other_values_than_0_1_is_refused(values, match):
    y = sp.lil_matrix(Y.astype(float))
    y[1, 2] = values[0]
    y = y.tocsr()
    before = _parts(y)
    with pytest.raises(ValueError, match=match):
        encode(y)
    with pytest.raises(ValueError, match=match):
        KerasMultiLabelClassifier(**TINY).fit(np.zeros((5, 2)), y)
    assert _same_arrays(_parts(y), before)


@single_backend
def test_coo_duplicates_add_up_and_are_refused_when_they_make_a_2():
    y = sp.coo_matrix((np.ones(3), ([0, 0, 1], [1, 1, 0])), shape=(2, 2))
    with pytest.raises(ValueError, match=r"only 0 and 1.*\[2"):
        encode(y)


# ------------------------------------------------------------------------- the parameter


@single_backend
def test_sparse_output_is_a_plain_parameter():
    clf = KerasMultiLabelClassifier(sparse_output=True)
    assert clf.get_params()["sparse_output"] is True
    assert clone(clf).sparse_output is True
    assert KerasMultiLabelClassifier().sparse_output == "auto"


@single_backend
@pytest.mark.parametrize(
    "value, error", [("yes", ValueError), ("Auto", ValueError), (1, TypeError), (None, TypeError)]
)
def test_bad_sparse_output_is_refused_at_fit(value, error):
    clf = KerasMultiLabelClassifier(**TINY, sparse_output=value)
    with pytest.raises(error, match="sparse_output"):
        clf.fit(np.zeros((5, 2)), Y)


@single_backend
def test_sparse_output_true_is_refused_for_a_multiclass_target():
    clf = KerasMultiLabelClassifier(**TINY, sparse_output=True)
    with pytest.raises(ValueError, match="sparse_output=True applies to multi-label"):
        clf.fit(np.zeros((6, 2)), [0, 1, 2, 0, 1, 2])


# ------------------------------------------------------------------------------ fitted


@pytest.fixture(scope="module")
def problem():
    X, y = make_multilabel_classification(
        n_samples=150, n_features=6, n_classes=5, n_labels=2, random_state=3
    )
    return X.astype(np.float32), y


@pytest.fixture(scope="module")
def fits(problem):
    """The same estimator (early stopping, balanced label weights, prior biases) fitted on
    the dense y and on its CSR form."""
    X, y = problem
    params = dict(TINY, early_stopping=True, label_weight="balanced", validation_fraction=0.2)
    y_sparse = sp.csr_matrix(y)
    before = _parts(y_sparse)
    dense = KerasMultiLabelClassifier(**params).fit(X, y)
    sparse = KerasMultiLabelClassifier(**params).fit(X, y_sparse)
    assert _same_arrays(_parts(y_sparse), before)  # fit left the caller's y alone
    return dense, sparse


def test_fit_on_sparse_y_gives_the_model_of_the_dense_y(problem, fits):
    X, _ = problem
    dense, sparse = fits
    np.testing.assert_allclose(sparse.predict_proba(X), dense.predict_proba(X), rtol=1e-6)
    np.testing.assert_array_equal(sparse.label_weight_, dense.label_weight_)
    assert sparse.do_early_stopping_ and sparse.validation_scores_ == dense.validation_scores_
    assert sparse.loss_curve_ == pytest.approx(dense.loss_curve_, rel=1e-6)


def test_predict_is_sparse_after_a_sparse_fit_with_auto(problem, fits):
    X, _ = problem
    dense, sparse = fits
    assert dense.sparse_output_ is False and sparse.sparse_output_ is True
    assert isinstance(dense.predict(X), np.ndarray)
    pred = sparse.predict(X)
    assert type(pred) is sp.csr_matrix and pred.has_canonical_format
    np.testing.assert_array_equal(pred.toarray(), dense.predict(X))
    assert sparse.predict_labels(X) == dense.predict_labels(X)


@single_backend
def test_sparse_predict_is_computed_in_row_batches(problem, fits, monkeypatch):
    X, _ = problem
    dense, sparse = fits
    seen = []
    original = classifier_module.proba_batches

    def recording(model, X_, batch_size):
        for block in original(model, X_, batch_size):
            seen.append(block.shape[0])
            yield block

    monkeypatch.setattr(classifier_module, "PREDICT_BATCH_ROWS", 40)
    monkeypatch.setattr(classifier_module, "proba_batches", recording)
    pred = sparse.predict(X)
    assert seen == [40, 40, 40, 30]
    assert type(pred) is sp.csr_matrix
    np.testing.assert_array_equal(pred.toarray(), dense.predict(X))


def test_sparse_output_true_and_false_force_the_container(problem):
    X, y = problem
    forced = KerasMultiLabelClassifier(**dict(TINY, epochs=1), sparse_output=True).fit(X, y)
    assert forced.sparse_output_ is True and type(forced.predict(X)) is sp.csr_matrix
    expected = (forced.predict_proba(X) >= 0.5).astype(int)
    np.testing.assert_array_equal(forced.predict(X).toarray(), expected)
    plain = KerasMultiLabelClassifier(**dict(TINY, epochs=1), sparse_output=False)
    plain.fit(X, sp.csr_matrix(y))
    assert plain.sparse_output_ is False and isinstance(plain.predict(X), np.ndarray)
    np.testing.assert_array_equal(plain.predict(X), forced.predict(X).toarray())


def test_partial_fit_takes_a_sparse_y(problem):
    X, y = problem
    clf = KerasMultiLabelClassifier(**TINY)
    for rows in (slice(0, 75), slice(75, 150)):
        clf.partial_fit(X[rows], sp.csr_matrix(y[rows]))
    assert clf.n_iter_ == 2 and clf.sparse_output_ is True
    assert type(clf.predict(X)) is sp.csr_matrix


def _top_k_reference(proba, k):
    """The k most probable labels of each row, ties to the lower index (a stable sort)."""
    order = np.argsort(-proba, axis=1, kind="stable")[:, :k]
    out = np.zeros(proba.shape, dtype=int)
    np.put_along_axis(out, order, 1, axis=1)
    return out


@pytest.mark.parametrize("k", [1, 2, 4, 5, 9])
def test_predict_top_k_marks_the_k_most_probable_labels(problem, fits, k):
    X, _ = problem
    dense, sparse = fits
    expected = _top_k_reference(dense.predict_proba(X), k)
    top = dense.predict_top_k(X, k=k)
    assert isinstance(top, np.ndarray)
    np.testing.assert_array_equal(top, expected)
    top_sparse = sparse.predict_top_k(X, k=k)
    assert type(top_sparse) is sp.csr_matrix
    np.testing.assert_array_equal(top_sparse.toarray(), expected)


@single_backend
def test_predict_top_k_breaks_ties_by_the_lower_label_index(fits, monkeypatch):
    dense, _ = fits
    proba = np.array(
        [[0.5, 0.5, 0.5, 0.1, 0.9], [0.2, 0.2, 0.2, 0.2, 0.2], [0.1, 0.3, 0.3, 0.7, 0.3]],
        dtype=np.float32,
    )
    monkeypatch.setattr(
        classifier_module, "proba_batches", lambda model, X, batch_size: iter([proba[: len(X)]])
    )
    top = dense.predict_top_k(np.zeros((3, 6)), k=2)
    np.testing.assert_array_equal(top, [[1, 0, 0, 0, 1], [1, 1, 0, 0, 0], [0, 1, 0, 1, 0]])
    np.testing.assert_array_equal(top, _top_k_reference(proba, 2))


@single_backend
@pytest.mark.parametrize("k", [0, -1, 2.5, True, "3", None])
def test_predict_top_k_needs_a_positive_int(problem, fits, k):
    X, _ = problem
    with pytest.raises(ValueError, match="k must be a positive int"):
        fits[0].predict_top_k(X, k=k)


@single_backend
def test_predict_top_k_is_for_multi_label_targets():
    X = np.random.RandomState(0).rand(12, 3)
    clf = KerasMultiLabelClassifier(**dict(TINY, epochs=1)).fit(X, [0, 1, 2] * 4)
    with pytest.raises(ValueError, match="predict_top_k ranks the labels of a multi-label"):
        clf.predict_top_k(X, k=1)


def test_score_takes_a_sparse_y(problem, fits):
    X, y = problem
    dense, sparse = fits
    expected = skm.accuracy_score(y, dense.predict(X))
    assert sparse.score(X, sp.csr_matrix(y)) == expected
    assert sparse.score(X, y) == expected
    assert dense.score(X, sp.csr_matrix(y)) == expected


def test_grid_searches_on_a_sparse_y_equal_those_on_the_dense_y(problem):
    X, y = problem
    grid = {"learning_rate": [1e-3, 1e-2]}
    estimator = KerasMultiLabelClassifier(**dict(TINY, epochs=2))
    batched = BatchedGridSearchCV(estimator, grid, cv=2).fit(X, sp.csr_matrix(y))
    plain = GridSearchCV(estimator, grid, cv=2).fit(X, y)
    np.testing.assert_allclose(
        batched.cv_results_["mean_test_score"], plain.cv_results_["mean_test_score"]
    )
    assert batched.best_estimator_.sparse_output_ is True


@pytest.mark.skipif(keras.backend.backend() != "jax", reason="vmapped programs are JAX's")
def test_a_sparse_y_trains_one_fit_at_a_time_in_a_batched_program(problem):
    from skmultimlp._batched import _shares_a_program

    X, y = problem
    fits = KerasMultiLabelClassifier(**TINY)._prepare_fit(X, y, None)
    assert _shares_a_program(fits[0]) is not None
    fits[0].data.sparse_labels = True  # as for a sparse Y
    assert _shares_a_program(fits[0]) is None


@single_backend
def test_the_threshold_tuner_takes_a_sparse_y(problem):
    X, y = problem
    estimator = KerasMultiLabelClassifier(**dict(TINY, epochs=1))
    dense = MultiLabelThresholdTuner(estimator, cv=2).fit(X, y)
    sparse = MultiLabelThresholdTuner(estimator, cv=2).fit(X, sp.csr_matrix(y))
    np.testing.assert_array_equal(sparse.thresholds_, dense.thresholds_)
    assert sparse.score(X, sp.csr_matrix(y)) == dense.score(X, y)


# ----------------------------------------------------------------------------- metrics

RNG = np.random.RandomState(0)
T = (RNG.rand(60, 5) < 0.3).astype(int)
P = (RNG.rand(60, 5) < 0.3).astype(int)
W = RNG.rand(60)

METRICS = {
    "exact_match": (exact_match_score, lambda t, p, w: skm.accuracy_score(t, p, sample_weight=w)),
    "hamming": (hamming_loss, lambda t, p, w: skm.hamming_loss(t, p, sample_weight=w)),
    "macro_f1": (
        macro_f1_score,
        lambda t, p, w: skm.f1_score(t, p, average="macro", zero_division=0, sample_weight=w),
    ),
}
PAIRS = {
    "both-csr": lambda: (sp.csr_matrix(T), sp.csr_matrix(P)),
    "true-csr_array": lambda: (sp.csr_array(T), P),
    "pred-csc": lambda: (T, sp.csc_matrix(P)),
    "coo-and-list": lambda: (sp.coo_matrix(T), P.tolist()),
}


@single_backend
@pytest.mark.parametrize("pair", PAIRS)
@pytest.mark.parametrize("name", METRICS)
@pytest.mark.parametrize("weighted", [False, True])
def test_metrics_on_sparse_targets_equal_dense_and_scikit_learn(name, pair, weighted):
    func, reference = METRICS[name]
    w = W if weighted else None
    t, p = PAIRS[pair]()
    result = func(t, p, sample_weight=w)
    assert result == pytest.approx(func(T, P, sample_weight=w), abs=1e-12)
    assert result == pytest.approx(reference(T, P, w), abs=1e-12)


@single_backend
def test_metrics_and_report_compare_sparse_targets_without_densifying(monkeypatch):
    def densify(self, *args, **kwargs):
        raise AssertionError("densified")

    monkeypatch.setattr(sp.csr_matrix, "toarray", densify)
    monkeypatch.setattr(sp.csr_matrix, "todense", densify)
    t, p = sp.csr_matrix(T), P  # a dense y_pred with a sparse y_true is made sparse too
    for func, _ in METRICS.values():
        func(t, p)
    multilabel_report(t, p)


@single_backend
def test_metrics_of_a_sparse_y_true_and_a_dense_y_pred_build_no_dense_difference():
    n_samples, n_labels = 20_000, 500
    y_true = _large_sparse_y(n_samples, n_labels)
    y_pred = y_true.toarray()  # 10 MB; a dense int64 difference of the two would be 80 MB
    for func in (exact_match_score, hamming_loss, macro_f1_score):
        tracemalloc.start()
        try:
            func(y_true, y_pred)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < 10 * 2**20, f"{func.__name__}: peak {peak / 2**20:.0f} MiB"


class _Fixed:
    """A fitted estimator whose predict is a given matrix."""

    classes_ = np.arange(5)
    target_type_ = "multilabel-indicator"

    def __init__(self, y_pred):
        self.y_pred = y_pred

    def predict(self, X):
        return self.y_pred


@single_backend
@pytest.mark.parametrize("name", sorted(SCORERS))
def test_scorers_take_sparse_y_true_and_sparse_predict(name):
    scorer = SCORERS[name]
    expected = scorer(_Fixed(P), None, T)
    assert scorer(_Fixed(sp.csr_matrix(P)), None, sp.csr_matrix(T)) == pytest.approx(expected)
    assert scorer(_Fixed(sp.csr_matrix(P)), None, T) == pytest.approx(expected)
    assert scorer(_Fixed(P), None, sp.csr_array(T)) == pytest.approx(expected)


@single_backend
def test_scorer_with_sparse_predict_and_unseen_label_names():
    rows = [["a"], ["a", "c"], [], ["b", "z"]]  # "z": not a class of the estimator
    pred = np.array([[1, 0, 0], [1, 0, 1], [0, 0, 0], [0, 1, 0]])

    class Named(_Fixed):
        classes_ = np.array(["a", "b", "c"])

    dense = SCORERS["f1_macro"](Named(pred), None, rows)
    assert SCORERS["f1_macro"](Named(sp.csr_matrix(pred)), None, rows) == pytest.approx(dense)


@single_backend
def test_multilabel_report_on_sparse_targets_equals_dense():
    proba = RNG.rand(60, 5)
    dense = multilabel_report(T, P, proba)
    sparse = multilabel_report(sp.csr_matrix(T), sp.csr_matrix(P), proba)
    for field in ("precision", "recall", "f1", "support", "roc_auc"):
        np.testing.assert_allclose(getattr(sparse, field), getattr(dense, field), err_msg=field)
    assert sparse.averages == dense.averages
    p, r, f, s = skm.precision_recall_fscore_support(T, P, average=None, zero_division=0)
    np.testing.assert_allclose(sparse.f1, f)
    np.testing.assert_array_equal(sparse.support, s)
