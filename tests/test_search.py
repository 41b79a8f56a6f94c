"""BatchedGridSearchCV: GridSearchCV's results, its networks trained together."""

import pickle

import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

import skmultimlp._batched as batched
import skmultimlp._classifier as classifier
import skmultimlp._search as search_module
from skmultimlp import SCORERS, KerasMultiLabelClassifier
from skmultimlp.model_selection import BatchedGridSearchCV

# Dropout, early stopping inside the program and the prior output bias: every per-fit
# stream and rule that the batched program must keep apart for each network.
BASE = dict(epochs=12, dropout=0.2, early_stopping=True, n_iter_no_change=2, random_state=0)
# Candidates differ in width, learning rate and seed (initial weights, Dropout masks,
# shuffling and validation split).
GRID = [
    {"hidden_layer_sizes": [(8,), (16,)], "learning_rate": [1e-3], "random_state": [0]},
    {"hidden_layer_sizes": [(8,), (16,)], "learning_rate": [3e-2], "random_state": [1]},
]
CV = KFold(3, shuffle=True, random_state=0)


@pytest.fixture
def counted(monkeypatch):
    """How many networks were trained one at a time, the loops that trained several as
    one program, and the epochs each network ran."""
    counts = {"single": 0, "vmapped": set(), "epochs": []}
    real_train, real_vmapped = classifier.train_one, batched._train_vmapped
    real_many = search_module.train_many

    def many(fits, **kwargs):
        curves = real_many(fits, **kwargs)
        counts["epochs"].extend(len(curve) for curve in curves)
        return curves

    def single(*args, **kwargs):
        counts["single"] += 1
        return real_train(*args, **kwargs)

    def vmapped(loop, fits):
        counts["vmapped"].add(loop)  # the compiled loop of one architecture
        return real_vmapped(loop, fits)

    monkeypatch.setattr(classifier, "train_one", single)
    monkeypatch.setattr(batched, "_train_vmapped", vmapped)
    monkeypatch.setattr(search_module, "train_many", many)
    return counts


def _assert_same_results(ours, reference):
    assert ours.best_params_ == reference.best_params_
    assert ours.best_index_ == reference.best_index_
    results, expected = ours.cv_results_, reference.cv_results_
    assert sorted(results) == sorted(expected)
    for key, value in expected.items():
        if key.endswith("_time"):
            continue
        if key.startswith(("split", "mean_", "std_")):
            np.testing.assert_allclose(results[key], value, rtol=1e-6, atol=1e-9, err_msg=key)
        else:
            np.testing.assert_array_equal(np.asarray(results[key]), np.asarray(value), key)


def test_cv_results_equal_grid_search_cv(data, counted):
    X, y = data
    scoring = {"exact": SCORERS["exact_match"], "f1": SCORERS["f1_macro"]}
    params = dict(cv=CV, scoring=scoring, refit="f1", return_train_score=True)
    ours = BatchedGridSearchCV(KerasMultiLabelClassifier(**BASE), GRID, **params).fit(X, y)
    # Each (candidate, fold) network trained before the search, then only the refit.
    assert counted["single"] == 1
    if keras.backend.backend() == "jax":
        assert len(counted["vmapped"]) == 2  # one program per width, all folds and rates
    reference = GridSearchCV(KerasMultiLabelClassifier(**BASE), GRID, **params).fit(X, y)
    _assert_same_results(ours, reference)
    assert ours.cv_results_["mean_test_f1"].std() > 0  # the candidates differ
    np.testing.assert_allclose(
        ours.predict_proba(X), reference.predict_proba(X), rtol=1e-5, atol=1e-7
    )
    # Some networks stopped early, at different epochs: each kept its own rule.
    assert len(counted["epochs"]) == 12 and min(counted["epochs"]) < BASE["epochs"]
    assert len(set(counted["epochs"])) > 1


def test_pipeline_preprocessing_is_fitted_per_fold_then_networks_batched(data, counted):
    X, y = data
    X = X * np.arange(1, X.shape[1] + 1)  # unscaled columns: the scaler matters
    # Fewer epochs than BASE: early stopping is the other test's; this one is the pipeline.
    pipe = Pipeline(
        [("scale", StandardScaler()), ("clf", KerasMultiLabelClassifier(**{**BASE, "epochs": 5}))]
    )
    grid = {"scale__with_mean": [True, False], "clf__learning_rate": [1e-3, 3e-2]}
    ours = BatchedGridSearchCV(pipe, grid, cv=CV).fit(X, y)
    assert counted["single"] == 1
    reference = GridSearchCV(pipe, grid, cv=CV).fit(X, y)
    _assert_same_results(ours, reference)


@pytest.mark.single_backend
def test_search_is_cloneable_picklable_and_leaves_its_inputs(data):
    X, y = data
    X_before, y_before = X.copy(), y.copy()
    search = BatchedGridSearchCV(
        KerasMultiLabelClassifier(hidden_layer_sizes=(8,), epochs=3, random_state=0),
        {"learning_rate": [1e-3, 1e-2]},
        cv=2,
    )
    assert clone(search).get_params()["param_grid"] == search.param_grid
    search.fit(X, y)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)
    loaded = pickle.loads(pickle.dumps(search))
    np.testing.assert_array_equal(loaded.predict_proba(X), search.predict_proba(X))
    assert not batched.PRETRAINED._entries  # nothing held after the search
