import pickle
import random

import joblib
import keras
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import tensorflow as tf
from keras.src.backend.common import global_state as keras_global_state
from sklearn.base import clone, is_classifier
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import GridSearchCV, KFold, RepeatedKFold, cross_validate
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MultiLabelBinarizer, StandardScaler
from sklearn.utils import get_tags
from tensorflow.python.eager import context as tf_context
from tensorflow.python.framework import config as tf_config

import skmultimlp._loops as loops
from skmultimlp import (
    REFERENCE_NEW_ROW,
    SCORERS,
    KerasMultiLabelClassifier,
    load_reference,
)

from .conftest import FAST, PLAIN


@pytest.mark.single_backend  # checks, names and tags; the fit paths run on both backends
def test_is_a_multilabel_classifier_to_sklearn():
    est = KerasMultiLabelClassifier()
    tags = get_tags(est)
    assert is_classifier(est)
    assert tags.classifier_tags.multi_label
    assert tags.input_tags.sparse


def test_predict_is_thresholded_proba(data, fitted):
    X, y = data
    proba = fitted.predict_proba(X)
    assert proba.shape == y.shape
    assert np.all((proba >= 0) & (proba <= 1))
    pred = fitted.predict(X)
    assert pred.dtype.kind == "i"
    np.testing.assert_array_equal(pred, (proba >= 0.5).astype(int))
    np.testing.assert_array_equal(fitted.classes_, [0, 1, 2])
    assert fitted.n_features_in_ == X.shape[1]
    assert len(fitted.loss_curve_) == fitted.n_iter_ == FAST["epochs"]


def test_per_label_threshold_changes_predict_without_refit(data, fitted):
    X, _ = data
    est = pickle.loads(pickle.dumps(fitted)).set_params(threshold=[0.2, 0.5, 0.8])
    np.testing.assert_array_equal(
        est.predict(X), (fitted.predict_proba(X) >= [0.2, 0.5, 0.8]).astype(int)
    )
    np.testing.assert_array_equal(est.predict_proba(X), fitted.predict_proba(X))


def test_score_is_exact_match(data, fitted):
    X, y = data
    assert fitted.score(X, y) == accuracy_score(y, fitted.predict(X))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_learns_reference_workload_like_mlpclassifier():
    X, y = load_reference()
    X_train, X_test, y_train, y_test = X[:800], X[800:], y[:800], y[800:]
    ours = KerasMultiLabelClassifier((20,), epochs=30, random_state=1).fit(X_train, y_train)
    ref = MLPClassifier((20,), max_iter=30, random_state=1).fit(X_train, y_train)
    majority = accuracy_score(y_test, np.tile(np.round(y_train.mean(0)), (len(y_test), 1)))
    assert ours.score(X_test, y_test) > majority + 0.2
    assert ours.score(X_test, y_test) >= ref.score(X_test, y_test) - 0.05
    assert ours.predict_proba(REFERENCE_NEW_ROW).shape == (1, 3)


@pytest.mark.single_backend  # checks, names and tags; the fit paths run on both backends
def test_label_names_from_dataframe(data):
    X, y = data
    names = ["sports", "tech", "politics"]
    est = KerasMultiLabelClassifier(**FAST).fit(pd.DataFrame(X), pd.DataFrame(y, columns=names))
    assert est.classes_.tolist() == names
    pred = est.predict(X)
    labels = est.predict_labels(X)
    assert labels == [tuple(n for n, p in zip(names, row, strict=True) if p) for row in pred]


def test_label_collections_equal_binarized_fit(data):
    X, y = data
    names = np.array(["b", "a", "c"])  # column j is label names[j]
    collections = [[names[j] for j in np.flatnonzero(row)] for row in y]
    by_name = KerasMultiLabelClassifier(**FAST).fit(X, collections)
    mlb = MultiLabelBinarizer().fit(collections)
    assert by_name.classes_.tolist() == mlb.classes_.tolist() == ["a", "b", "c"]
    by_indicator = KerasMultiLabelClassifier(**FAST).fit(X, mlb.transform(collections))
    np.testing.assert_array_equal(by_name.predict_proba(X), by_indicator.predict_proba(X))
    assert by_name.score(X, collections) == by_indicator.score(X, mlb.transform(collections))


@pytest.mark.single_backend  # checks, names and tags; the fit paths run on both backends
def test_feature_names_from_dataframe(data):
    X, y = data
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    est = KerasMultiLabelClassifier(**FAST).fit(df, y)
    assert est.feature_names_in_.tolist() == list(df.columns)
    with pytest.raises(ValueError, match="feature names"):
        est.predict(df[df.columns[::-1]])


def test_pipeline_and_grid_search_equal_the_search_by_hand(data):
    X, y = data
    pipe = make_pipeline(StandardScaler(), KerasMultiLabelClassifier(**FAST))
    name, candidates, cv = "kerasmultilabelclassifier__hidden_layer_sizes", [(4,), (16,)], KFold(2)
    grid = GridSearchCV(pipe, {name: candidates}, scoring=SCORERS["f1_macro"], cv=cv).fit(X, y)
    # The same search by hand: each candidate's mean over the folds of scikit-learn's
    # macro F1 on the test fold.
    means = []
    for sizes in candidates:
        scores = []
        for train, test in cv.split(X, y):
            fold = clone(pipe).set_params(**{name: sizes}).fit(X[train], y[train])
            pred = fold.predict(X[test])
            scores.append(f1_score(y[test], pred, average="macro", zero_division=0))
        means.append(np.mean(scores))
    assert means[0] != means[1]  # the choice between them means something
    np.testing.assert_allclose(grid.cv_results_["mean_test_score"], means, rtol=1e-12)
    best = int(np.argmax(means))
    assert grid.best_params_ == {name: candidates[best]}
    assert grid.best_score_ == pytest.approx(means[best], rel=1e-12)
    # The refit is the best candidate fitted on all the data.
    refit = clone(pipe).set_params(**{name: candidates[best]}).fit(X, y)
    np.testing.assert_array_equal(grid.predict_proba(X), refit.predict_proba(X))


def test_cross_validate_every_scorer_matches_a_manual_fold(data):
    X, y = data
    est = KerasMultiLabelClassifier(**FAST)
    cv = RepeatedKFold(n_splits=2, n_repeats=2, random_state=0)
    result = cross_validate(est, X, y, cv=cv, scoring=SCORERS)
    assert set(SCORERS) <= {k[len("test_") :] for k in result if k.startswith("test_")}
    train, test = next(cv.split(X, y))
    manual = clone(est).fit(X[train], y[train])
    for name, scorer in SCORERS.items():
        assert result[f"test_{name}"][0] == pytest.approx(scorer(manual, X[test], y[test]))


def test_sparse_tfidf_text_equals_dense_and_is_never_densified(monkeypatch):
    docs = [
        "the match ended with a late goal",
        "new phone chip doubles battery life",
        "parliament votes on the tech tax",
        "league bans betting sponsors",
        "startup ships an open source compiler",
        "minister opens the stadium",
    ] * 5
    y = np.array([[1, 0, 0], [0, 1, 0], [0, 1, 1], [1, 0, 1], [0, 1, 0], [1, 0, 1]] * 5)
    X = TfidfVectorizer().fit_transform(docs)
    assert sp.issparse(X)
    densified = []
    original = loops.dense_batch

    def spy(X_, idx):
        if sp.issparse(X_):
            densified.append(idx)
        return original(X_, idx)

    monkeypatch.setattr(loops, "dense_batch", spy)
    monkeypatch.setattr(loops, "SPARSE_DENSIFY_MAX_BYTES", 0)  # as for large sparse X
    params = dict(hidden_layer_sizes=(8,), epochs=5, batch_size=8, random_state=0, **PLAIN)
    sparse_fit = KerasMultiLabelClassifier(**params).fit(X, y)
    sparse_proba = sparse_fit.predict_proba(X)
    assert not densified  # multiplied sparse in the compiled loop and in predict
    dense_fit = KerasMultiLabelClassifier(**params)
    dense_fit.fit(X.toarray(), y)
    # Sparse and dense products sum in other orders: equal up to float rounding.
    np.testing.assert_allclose(
        sparse_proba, dense_fit.predict_proba(X.toarray()), rtol=1e-5, atol=1e-6
    )


def test_small_sparse_x_is_densified_once_and_trains_as_dense():
    rng = np.random.RandomState(0)
    X = sp.random(60, 30, density=0.1, format="csr", random_state=rng, dtype=np.float64)
    y = (rng.uniform(size=(60, 3)) < 0.4).astype(int)
    before = X.copy()
    params = dict(hidden_layer_sizes=(8,), epochs=5, batch_size=8, random_state=0)
    sparse_fit = KerasMultiLabelClassifier(**params).fit(X, y)
    dense_fit = KerasMultiLabelClassifier(**params).fit(X.toarray(), y)
    # Trained on the same dense copy: the same network.
    np.testing.assert_array_equal(
        sparse_fit.predict_proba(X.toarray()), dense_fit.predict_proba(X.toarray())
    )
    # Sparse rows are predicted by a sparse product (no dense copy): float rounding apart.
    np.testing.assert_allclose(
        sparse_fit.predict_proba(X), dense_fit.predict_proba(X.toarray()), rtol=1e-6, atol=1e-7
    )
    assert sp.issparse(X) and (X != before).nnz == 0  # the caller's X is unchanged


def test_sample_weight(data):
    X, y = data
    base = KerasMultiLabelClassifier(**FAST).fit(X, y).predict_proba(X)
    ones = KerasMultiLabelClassifier(**FAST).fit(X, y, sample_weight=np.ones(len(X)))
    np.testing.assert_array_equal(ones.predict_proba(X), base)
    w = np.where(y[:, 0] == 1, 20.0, 1.0)
    as_list = KerasMultiLabelClassifier(**FAST).fit(X, y, sample_weight=w.tolist())
    as_series = KerasMultiLabelClassifier(**FAST).fit(X, y, sample_weight=pd.Series(3 * w))
    # Only relative weights matter: a list and a rescaled Series train alike.
    np.testing.assert_allclose(as_list.predict_proba(X), as_series.predict_proba(X), rtol=1e-5)
    # Up-weighting the samples that carry label 0 raises its predicted probability.
    assert as_list.predict_proba(X)[:, 0].mean() > base[:, 0].mean()


def test_sample_weight_equals_repeated_rows(data):
    # With one batch per epoch the order of the rows only changes the order of the sums,
    # so integer weights and repeated rows train the same model up to float32 rounding.
    X, y = data[0][:40], data[1][:40]
    w = np.random.default_rng(0).integers(0, 4, size=len(X))
    params = dict(FAST, batch_size=200)
    weighted = KerasMultiLabelClassifier(**params).fit(X, y, sample_weight=w)
    repeated = KerasMultiLabelClassifier(**params).fit(
        np.repeat(X, w, axis=0), np.repeat(y, w, axis=0)
    )
    np.testing.assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X), rtol=1e-5)
    unweighted = KerasMultiLabelClassifier(**params).fit(X, y)
    assert np.abs(unweighted.predict_proba(X) - weighted.predict_proba(X)).max() > 1e-3


def test_label_weight_balanced_array_and_dict(data):
    X, y = data
    yf = y.astype(float)
    yf[:10, 0] = np.nan  # unknown entries count neither as positive nor as negative
    clf = KerasMultiLabelClassifier(**FAST, label_weight="balanced").fit(X, yf)
    known = ~np.isnan(yf)
    positive = ((yf == 1) & known).sum(axis=0)
    negative = ((yf == 0) & known).sum(axis=0)
    np.testing.assert_allclose(clf.label_weight_, negative / positive, rtol=1e-6)
    clf = KerasMultiLabelClassifier(**FAST, label_weight={2: 4.0}).fit(X, y)
    np.testing.assert_array_equal(clf.label_weight_, [1, 1, 4])
    ones = KerasMultiLabelClassifier(**FAST, label_weight=[1, 1, 1]).fit(X, y)
    np.testing.assert_array_equal(
        ones.predict_proba(X), KerasMultiLabelClassifier(**FAST).fit(X, y).predict_proba(X)
    )


def test_label_weight_raises_a_labels_probabilities(data):
    X, y = data
    plain = KerasMultiLabelClassifier(**FAST).fit(X, y).predict_proba(X)
    heavy = KerasMultiLabelClassifier(**FAST, label_weight=[1, 10, 1]).fit(X, y).predict_proba(X)
    assert heavy[:, 1].mean() > plain[:, 1].mean() + 0.02
    names = [["a", "b"], ["b"], ["c"], ["a", "c"]] * 30
    clf = KerasMultiLabelClassifier(**FAST, label_weight={"b": 10.0}).fit(X, names)
    np.testing.assert_array_equal(clf.label_weight_, [1, 10, 1])


@pytest.mark.single_backend  # checks, names and tags; the fit paths run on both backends
@pytest.mark.parametrize(
    "label_weight, error, match",
    [
        ([1.0, 2.0], ValueError, r"shape \(2,\), but y has 3 labels"),
        ([1.0, -2.0, 1.0], ValueError, "positive and finite"),
        ([1.0, 0.0, 1.0], ValueError, "positive and finite"),
        ([1.0, np.nan, 1.0], ValueError, "positive and finite"),
        ({"z": 2.0}, ValueError, "names labels not in y"),
        ("rare", ValueError, "balanced"),
        (object(), TypeError, "label_weight"),
    ],
)
def test_bad_label_weight(data, label_weight, error, match):
    X, y = data
    with pytest.raises(error, match=match):
        KerasMultiLabelClassifier(**FAST, label_weight=label_weight).fit(X, y)


def test_missing_labels_are_masked_not_guessed(data):
    X, y = data
    hidden = np.random.default_rng(0).random(y.shape) < 0.4
    y_nan = np.where(hidden, np.nan, y)
    y_before = y_nan.copy()
    params = dict(FAST, epochs=40)
    masked = KerasMultiLabelClassifier(**params).fit(X, y_nan)
    np.testing.assert_array_equal(y_nan, y_before)  # the caller's y is left alone
    # NaN, -1 and pandas' NA are the same "unknown".
    as_minus_one = KerasMultiLabelClassifier(**params).fit(X, np.where(hidden, -1, y))
    frame = pd.DataFrame(y_nan).astype("Int64")
    as_frame = KerasMultiLabelClassifier(**params).fit(X, frame)
    np.testing.assert_array_equal(masked.predict_proba(X), as_minus_one.predict_proba(X))
    np.testing.assert_array_equal(masked.predict_proba(X), as_frame.predict_proba(X))
    # Reading unknown as "off" (0) drags the probabilities down; masking does not.
    as_zero = KerasMultiLabelClassifier(**params).fit(X, np.where(hidden, 0, y))
    rate = y.mean(axis=0)
    masked_gap = np.abs(masked.predict_proba(X).mean(axis=0) - rate).mean()
    zero_gap = np.abs(as_zero.predict_proba(X).mean(axis=0) - rate).mean()
    assert masked_gap < zero_gap
    np.testing.assert_array_equal(masked.classes_, [0, 1, 2])
    with pytest.raises(ValueError, match="missing label entries"):
        masked.score(X, y_nan)


def test_missing_labels_with_early_stopping_and_model_fit_path(data):
    X, y = data
    y_nan = np.where(np.random.default_rng(1).random(y.shape) < 0.3, np.nan, y)
    stopped = KerasMultiLabelClassifier(**dict(FAST, early_stopping=True)).fit(X, y_nan)
    assert len(stopped.validation_scores_) == stopped.n_iter_
    recorder = keras.callbacks.History()
    via_fit = KerasMultiLabelClassifier(**FAST, callbacks=[recorder], label_weight="balanced")
    via_fit.fit(X, y_nan)
    assert np.all(np.isfinite(via_fit.loss_curve_))
    pickle.loads(pickle.dumps(via_fit)).predict_proba(X[:3])


def test_label_with_no_known_value_is_a_clear_error(data):
    X, y = data
    y_nan = y.astype(float)
    y_nan[:, 1] = np.nan
    with pytest.raises(ValueError, match=r"no known value .* labels \[1\]"):
        KerasMultiLabelClassifier(**FAST).fit(X, y_nan)


def _global_state():
    # TensorFlow and Keras expose their global seeds only privately; read them here alone.
    return (
        random.getstate(),
        np.random.get_state()[1].tobytes(),
        tf_config.is_op_determinism_enabled(),
        tf_context.global_seed(),
        tf.random.get_global_generator().state.numpy().tobytes(),
        keras_global_state.get_global_attribute("global_seed_generator"),
    )


def test_random_state_reproducible_and_leaves_global_state_alone(data):
    X, y = data
    before = _global_state()
    first = KerasMultiLabelClassifier(**FAST).fit(X, y).predict_proba(X)
    second = KerasMultiLabelClassifier(**FAST).fit(X, y).predict_proba(X)
    assert _global_state() == before
    np.testing.assert_array_equal(first, second)
    other = KerasMultiLabelClassifier(**{**FAST, "random_state": 1}).fit(X, y)
    assert not np.array_equal(other.predict_proba(X), first)


def test_pickle_joblib_and_clone(data, fitted, tmp_path):
    X, _ = data
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict_proba(X), fitted.predict_proba(X))
    joblib.dump(fitted, tmp_path / "model.joblib")
    loaded = joblib.load(tmp_path / "model.joblib")
    np.testing.assert_array_equal(loaded.predict(X), fitted.predict(X))
    with pytest.raises(NotFittedError):
        clone(fitted).predict(X)


def test_not_fitted(data):
    with pytest.raises(NotFittedError):
        KerasMultiLabelClassifier().predict_proba(data[0])


def test_verbose_shows_a_progress_bar_with_the_loss(data, capsys):
    X, y = data
    clf = KerasMultiLabelClassifier(**{**FAST, "epochs": 3, "verbose": 1}).fit(X, y)
    err = capsys.readouterr().err
    assert "3/3" in err
    assert f"loss={clf.loss_curve_[-1]:.4f}" in err
    quiet = KerasMultiLabelClassifier(**{**FAST, "epochs": 3}).fit(X, y)
    assert capsys.readouterr().err == ""
    # Running epoch by epoch (for the bar) trains exactly as running them in one call.
    np.testing.assert_allclose(clf.loss_curve_, quiet.loss_curve_, rtol=1e-6)


def test_dtypes_and_list_input_train_alike(data):
    X, y = data
    ref = KerasMultiLabelClassifier(**FAST).fit(X.astype(np.float32), y).predict_proba(X)
    for X_in in (X.astype(np.int64), X.tolist()):
        got = KerasMultiLabelClassifier(**FAST).fit(X_in, y.tolist()).predict_proba(X)
        np.testing.assert_allclose(got, ref, rtol=1e-5)


def test_predictions_do_not_depend_on_sample_order(data, fitted):
    X, _ = data
    order = np.random.RandomState(0).permutation(len(X))
    np.testing.assert_allclose(
        fitted.predict_proba(X[order]), fitted.predict_proba(X)[order], rtol=1e-6
    )


BAD_FIT_INPUTS = [
    ("continuous y", lambda X, y: (X, X[:, 0] + 0.5), ValueError, "Unknown label type"),
    ("one class", lambda X, y: (X, np.zeros(len(X))), ValueError, "at least 2 classes"),
    ("3-D y", lambda X, y: (X, y[:, :, None]), ValueError, "dim 3"),
    (
        "mixed label types",
        lambda X, y: (X, np.array(["a", 1] * (len(X) // 2), dtype=object)),
        TypeError,
        "mixes label types",
    ),
    ("NaN in X", lambda X, y: (np.where(X == X[0, 0], np.nan, X), y), ValueError, "NaN"),
    ("inf in X", lambda X, y: (np.where(X == X[0, 0], np.inf, X), y), ValueError, "infinity"),
    ("length", lambda X, y: (X, y[:-1]), ValueError, "inconsistent numbers of samples"),
    ("empty X", lambda X, y: (X[:0], y[:0]), ValueError, "0 sample"),
    ("y None", lambda X, y: (X, None), ValueError, "requires y"),
]


@pytest.mark.parametrize(
    "make, error, match", [b[1:] for b in BAD_FIT_INPUTS], ids=[b[0] for b in BAD_FIT_INPUTS]
)
def test_bad_input_clear_error_and_caller_arrays_untouched(data, make, error, match):
    X0, y0 = data
    X, y = make(X0.copy(), y0.copy())
    X_before = None if X is None else np.array(X, copy=True)
    y_before = None if y is None else np.array(y, copy=True)
    with pytest.raises(error, match=match):
        KerasMultiLabelClassifier(**FAST).fit(X, y)
    np.testing.assert_array_equal(X, X_before)
    if y is not None:
        np.testing.assert_array_equal(y, y_before)


def test_defaults_regularise_and_stop_early_on_large_data_with_frequent_labels(data):
    X, y = data
    assert len(X) < 1000
    clf = KerasMultiLabelClassifier(hidden_layer_sizes=(16,), epochs=30, random_state=0)
    clf.fit(X, y)
    params = clf.get_params()
    assert params["early_stopping"] == "auto" and params["scoring"] == "loss"
    assert params["dropout"] == 0.2 and params["output_bias_init"] == "prior"
    # Under 1000 rows "auto" trains every epoch.
    assert not clf.do_early_stopping_ and clf.validation_scores_ is None and clf.n_iter_ == 30
    X_big, y_big = np.tile(X, (1000 // len(X) + 1, 1)), np.tile(y, (1000 // len(X) + 1, 1))
    assert y_big.mean() >= 0.25
    big = KerasMultiLabelClassifier(hidden_layer_sizes=(4,), epochs=3, random_state=0)
    big.fit(X_big, y_big)
    assert big.do_early_stopping_
    assert len(big.validation_scores_) == big.n_iter_ <= 3
    assert big.best_validation_score_ == max(big.validation_scores_) < 0  # minus a loss
    assert [type(layer).__name__ for layer in clf.model_.layers].count("Dropout") == 1
    # predict_proba is the network without Dropout, recomputed here with numpy.
    W1, b1, W2, b2 = clf.model_.get_weights()
    expected = 1 / (1 + np.exp(-(np.maximum(X @ W1 + b1, 0) @ W2 + b2)))
    np.testing.assert_allclose(clf.predict_proba(X), expected, rtol=1e-5, atol=1e-7)


def test_model_builder_ignores_dropout_and_prior_but_takes_alpha(data):
    X, y = data
    GlorotUniform = keras.initializers.GlorotUniform

    def build(meta):
        return keras.Sequential(
            [
                keras.Input((meta["n_features_in_"],)),
                keras.layers.Dense(
                    8, activation="relu", kernel_initializer=GlorotUniform(seed=meta["seed"])
                ),
                keras.layers.Dense(
                    meta["n_outputs_"],
                    activation="sigmoid",
                    kernel_initializer=GlorotUniform(seed=meta["seed"] + 1),
                ),
            ]
        )

    params = dict(model=build, epochs=20, random_state=0, dropout=0.5, output_bias_init="prior")
    plain = KerasMultiLabelClassifier(**params).fit(X, y)
    assert not any(isinstance(layer, keras.layers.Dropout) for layer in plain.model_.layers)
    shrunk = KerasMultiLabelClassifier(**params, alpha=1.0).fit(X, y)
    norm = [sum(float(np.sum(w**2)) for w in m.model_.get_weights()[::2]) for m in (plain, shrunk)]
    assert norm[1] < norm[0]


@pytest.mark.single_backend  # checks, names and tags; the fit paths run on both backends
@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"threshold": 0.0}, ValueError, "between 0 and 1"),
        ({"threshold": 1.5}, ValueError, "between 0 and 1"),
        ({"threshold": [0.5, 0.5]}, ValueError, "2 values, but there are 3 labels"),
        ({"threshold": "high"}, TypeError, "threshold"),
        ({"threshold": ["a", "b", "c"]}, TypeError, "threshold"),
        ({"hidden_layer_sizes": (0,)}, ValueError, "positive layer sizes"),
        ({"hidden_layer_sizes": (10, -2)}, ValueError, "positive layer sizes"),
        ({"hidden_layer_sizes": "big"}, TypeError, "hidden_layer_sizes"),
        ({"activation": "sine"}, ValueError, "activation='sine'"),
        ({"epochs": 0}, ValueError, "epochs"),
        ({"batch_size": 2.5}, TypeError, "batch_size"),
        ({"learning_rate": -1.0}, ValueError, "learning_rate"),
        ({"learning_rate": float("nan")}, ValueError, "learning_rate"),
        ({"learning_rate": "fast"}, TypeError, "learning_rate"),
        ({"verbose": -1}, ValueError, "verbose"),
        ({"model": "my_model"}, TypeError, "model must be None or a callable"),
        ({"alpha": -1}, ValueError, "alpha == -1, must be >= 0"),
        ({"alpha": "x"}, TypeError, "alpha must be an instance of float"),
        ({"alpha": float("nan")}, ValueError, "alpha must be a number"),
        ({"alpha": float("inf")}, ValueError, "alpha == inf"),
        ({"dropout": 1.0}, ValueError, "dropout == 1.0, must be < 1"),
        ({"dropout": -0.1}, ValueError, "dropout == -0.1, must be >= 0"),
        ({"dropout": "half"}, TypeError, "dropout must be an instance of float"),
        ({"output_bias_init": "foo"}, ValueError, 'output_bias_init=\'foo\'.*"zeros".*"prior"'),
        ({"output_bias_init": None}, ValueError, "output_bias_init=None"),
    ],
)
def test_bad_parameters(data, params, error, match):
    X, y = data
    with pytest.raises(error, match=match):
        KerasMultiLabelClassifier(**{**FAST, **params}).fit(X, y)


@pytest.mark.single_backend  # checks, names and tags; the fit paths run on both backends
def test_bad_predict_inputs(data, fitted):
    X, _ = data
    with pytest.raises(ValueError, match="features"):
        fitted.predict(X[:, :-1])
    with pytest.raises(ValueError, match="NaN"):
        fitted.predict_proba(np.full_like(X, np.nan))


@pytest.mark.single_backend  # checks, names and tags; the fit paths run on both backends
def test_sample_weight_errors(data):
    X, y = data
    est = KerasMultiLabelClassifier(**FAST)
    with pytest.raises(ValueError, match="shape"):
        est.fit(X, y, sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="non-negative"):
        est.fit(X, y, sample_weight=-np.ones(len(X)))


def _kernel_norm(clf):
    return sum(float(np.sum(v.numpy() ** 2)) for v in clf.model_.weights if v.name == "kernel")


def test_alpha_shrinks_the_weights(data):
    X, y = data
    fast = {**FAST, "learning_rate": 0.05}  # steps large enough to move the weights
    plain = KerasMultiLabelClassifier(**fast).fit(X, y)
    shrunk = KerasMultiLabelClassifier(**fast, alpha=1.0).fit(X, y)
    assert _kernel_norm(shrunk) < 0.8 * _kernel_norm(plain)
    assert KerasMultiLabelClassifier(**FAST, alpha=0.0).get_params()["alpha"] == 0.0


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "callbacks, weighted",
    [(None, False), (None, True), ([keras.callbacks.Callback()], True)],
    ids=["loop", "loop-sample_weight", "model.fit-sample_weight"],
)
def test_alpha_is_mlpclassifiers_l2_penalty(data, callbacks, weighted):
    X, y = data
    X = X / X.max()  # moderate logits: float32 and float64 losses agree to 1e-6
    n, n_labels = y.shape
    sw = np.random.RandomState(0).randint(1, 4, n).astype(float) if weighted else None
    # One epoch in one batch: its loss is that of the initial weights, which a tiny
    # learning rate leaves in model_ (to 1e-9).
    once = dict(
        epochs=1, batch_size=n, learning_rate=1e-9, callbacks=callbacks, random_state=0, **PLAIN
    )
    ours = KerasMultiLabelClassifier((16,), alpha=3.0, **once).fit(X, y, sample_weight=sw)
    # MLPClassifier's own loss at those weights: partial_fit reports the loss before it
    # updates them.
    ref = MLPClassifier((16,), solver="sgd", alpha=3.0, batch_size=n, max_iter=1).fit(X, y)
    W1, b1, W2, b2 = [w.astype(np.float64) for w in ours.model_.get_weights()]
    ref.coefs_, ref.intercepts_ = [W1.copy(), W2.copy()], [b1.copy(), b2.copy()]
    ref.partial_fit(X, y, sample_weight=sw)
    # Our loss averages the cross-entropy over the labels where MLPClassifier sums it.
    np.testing.assert_allclose(ours.loss_curve_[0] * n_labels, ref.loss_curve_[-1], rtol=1e-6)
    plain = KerasMultiLabelClassifier((16,), **once).fit(X, y, sample_weight=sw)
    penalty = 0.5 * 3.0 * (np.sum(W1**2) + np.sum(W2**2)) / (n if sw is None else sw.sum())
    np.testing.assert_allclose(
        (ours.loss_curve_[0] - plain.loss_curve_[0]) * n_labels, penalty, rtol=1e-5
    )


def test_dropout_zero_adds_no_layer_and_trains_as_without_it(data, fitted):
    X, y = data
    clf = KerasMultiLabelClassifier(**dict(FAST, dropout=0.0)).fit(X, y)
    assert not any(isinstance(layer, keras.layers.Dropout) for layer in clf.model_.layers)
    np.testing.assert_array_equal(clf.predict_proba(X), fitted.predict_proba(X))


def test_dropout_trains_only_predict_is_deterministic_and_fits_reproducible(data, fitted):
    X, y = data
    clf = KerasMultiLabelClassifier(**dict(FAST, dropout=0.5)).fit(X, y)
    proba = clf.predict_proba(X)
    np.testing.assert_array_equal(clf.predict_proba(X), proba)
    x = X[:10].astype(np.float32)
    np.testing.assert_allclose(clf.model_(x, training=False), proba[:10], atol=1e-6)
    assert not np.allclose(clf.model_(x, training=True), proba[:10], atol=1e-3)
    assert not np.allclose(proba, fitted.predict_proba(X))
    again = KerasMultiLabelClassifier(**dict(FAST, dropout=0.5)).fit(X, y)
    np.testing.assert_array_equal(again.predict_proba(X), proba)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(clf)).predict_proba(X), proba)


def test_output_bias_prior_is_each_labels_log_odds_among_known_entries(data):
    X, y = data
    y = y.astype(float)
    y[:, 0] = 0.0  # never on
    y[:, 1] = 1.0  # always on
    y[::3, 2] = np.nan  # partly unknown
    sw = np.random.RandomState(0).uniform(0.5, 2.0, len(y))
    known = ~np.isnan(y[:, 2])
    p = np.average(y[known, 2], weights=sw[known])
    expected = [np.log(1e-3 / (1 - 1e-3)), np.log((1 - 1e-3) / 1e-3), np.log(p / (1 - p))]
    # A tiny learning rate and one step: the trained bias is the initial one to 1e-8.
    once = dict(FAST, epochs=1, batch_size=len(y), learning_rate=1e-9)
    prior = KerasMultiLabelClassifier(**dict(once, output_bias_init="prior")).fit(
        X, y, sample_weight=sw
    )
    bias = prior.model_.get_layer("labels").bias.numpy()
    assert np.all(np.isfinite(bias))
    np.testing.assert_allclose(bias, expected, rtol=1e-5)
    # The next fit (through the same cached loop) starts from zeros again.
    zeros = KerasMultiLabelClassifier(**once).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(zeros.model_.get_layer("labels").bias.numpy(), 0.0, atol=1e-6)


def test_n_networks_averages_independently_seeded_networks(data):
    # An ensemble of 3 is the mean of 3 single fits seeded by draws from random_state:
    # each network has its own initial weights, Dropout masks, shuffling, validation
    # split and early stopping (trained as one program on JAX, one by one on TF).
    X, y = data
    params = dict(
        hidden_layer_sizes=(8,),
        epochs=15,
        learning_rate=0.03,
        early_stopping=True,
        n_iter_no_change=2,
        dropout=0.2,
    )
    ensemble = KerasMultiLabelClassifier(**params, n_networks=3, random_state=0).fit(X, y)
    rng = np.random.RandomState(0)
    singles = [
        KerasMultiLabelClassifier(**params, random_state=rng.randint(2**31 - 1)).fit(X, y)
        for _ in range(3)
    ]
    assert len({s.n_iter_ for s in singles}) > 1  # they stopped at different epochs
    expected = np.mean([s.predict_proba(X) for s in singles], axis=0)
    np.testing.assert_allclose(ensemble.predict_proba(X), expected, rtol=1e-5, atol=1e-6)
    assert ensemble.loss_curve_ == pytest.approx(singles[0].loss_curve_, rel=1e-5)
    assert ensemble.n_iter_ == singles[0].n_iter_
    loaded = pickle.loads(pickle.dumps(ensemble))
    np.testing.assert_array_equal(loaded.predict_proba(X), ensemble.predict_proba(X))
    with pytest.raises(ValueError, match="n_networks == 0, must be >= 1"):
        KerasMultiLabelClassifier(n_networks=0).fit(X, y)
