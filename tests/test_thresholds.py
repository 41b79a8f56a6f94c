import pickle
import re
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn import metrics as skm
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_classification, make_multilabel_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import (
    FixedThresholdClassifier,
    GridSearchCV,
    KFold,
    StratifiedKFold,
    TunedThresholdClassifierCV,
    cross_val_predict,
    cross_val_score,
)
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MultiLabelBinarizer, StandardScaler
from sklearn.svm import LinearSVC
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import parametrize_with_checks

from skmultimlp import KerasMultiLabelClassifier
from skmultimlp.metrics import SCORERS, exact_match_score, macro_f1_score
from skmultimlp.model_selection import MultilabelStratifiedKFold
from skmultimlp.thresholds import MultiLabelThresholdTuner, _scores_over_grid

GRID = np.round(np.linspace(0.05, 0.95, 19), 2)


@pytest.fixture(scope="module")
def imbalanced():
    """Train/test split of a 4-label problem whose label 0 is rare (about 4 % positive)."""
    X, y = make_multilabel_classification(
        n_samples=800, n_features=10, n_classes=4, n_labels=1, random_state=7
    )
    return X[:400], y[:400], X[400:], y[400:]


def _oof_positive(estimator, X, y, cv):
    """Out-of-fold P(label = 1) from scikit-learn's cross_val_predict (a list per label)."""
    proba = cross_val_predict(estimator, X, y, cv=cv, method="predict_proba")
    if isinstance(proba, list):
        return np.column_stack([p[:, 1] for p in proba])
    return proba


def _brute_force(scores, grid):
    """Best grid value; ties go to the value closest to 0.5, then the lower one."""
    scores = np.asarray(scores)
    best = [t for t, s in zip(grid, scores, strict=True) if s == scores.max()]
    return min(best, key=lambda t: (abs(t - 0.5), t)), scores.max()


def _standard_error(metric, y, pred):
    """Standard error of a label's metric, from scikit-learn's confusion matrix with one
    pseudo-count added to each cell: binomial for precision and recall, delta method for
    F1."""
    (tn, fp), (fn, tp) = skm.confusion_matrix(y, pred, labels=[0, 1]) + 1
    if metric == "f1":
        a, b = tp, fp + fn
        return 2 * np.sqrt(a * b * (a + b)) / (2 * a + b) ** 2
    if metric == "precision":
        return np.sqrt(tp * fp / (tp + fp) ** 3)
    variance = [tp * fn / (tp + fn) ** 3, tn * fp / (tn + fp) ** 3]
    return np.sqrt(sum(variance)) / 2


def _one_se(metric, y, proba, grid, allowed=None, fallback_score=0.1):
    """The one-standard-error rule by brute force: the threshold closest to 0.5 (then the
    lower one) among those within one standard error of the best allowed score; 0.5 for
    a label whose best score is below ``fallback_score``."""
    score = {
        "f1": skm.f1_score,
        "precision": skm.precision_score,
        "balanced_accuracy": skm.balanced_accuracy_score,
    }[metric]
    kwargs = {} if metric == "balanced_accuracy" else {"zero_division": 0}
    allowed = np.ones(len(grid), dtype=bool) if allowed is None else allowed
    scores = np.array(
        [
            score(y, proba >= t, **kwargs) if ok else -np.inf
            for t, ok in zip(grid, allowed, strict=True)
        ]
    )
    best, best_score = _brute_force(scores, grid)
    if best_score < fallback_score:
        return 0.5, score(y, proba >= 0.5, **kwargs)
    se = _standard_error(metric, y, proba >= best)
    near = [t for t, v in zip(grid, scores, strict=True) if v >= scores.max() - se]
    threshold = min(near, key=lambda t: (abs(t - 0.5), t))
    return threshold, scores[list(grid).index(threshold)]


def test_data_has_a_rare_label(imbalanced):
    _, y, _, y_test = imbalanced
    assert y[:, 0].mean() < 0.1 and y_test[:, 0].sum() >= 10


def test_tuned_thresholds_beat_one_half_out_of_sample(imbalanced):
    X, y, X_test, y_test = imbalanced
    knn = KNeighborsClassifier(n_neighbors=10)
    default = MultiLabelThresholdTuner(knn, cv=5).fit(X, y)
    at_half = macro_f1_score(y_test, (default.predict_proba(X_test) >= 0.5).astype(int))
    assert macro_f1_score(y_test, default.predict(X_test)) >= at_half
    # The rare label's best out-of-fold F1 is 0.044 (2 of its 14 positives found): the
    # default falls back to 0.5 for it. Tuned anyway, it gains on this test set.
    assert default.thresholds_[0] == 0.5 and default.best_scores_[0] == 0
    tuner = MultiLabelThresholdTuner(knn, cv=5, fallback_score=0).fit(X, y)
    tuned = macro_f1_score(y_test, tuner.predict(X_test))
    assert tuned > at_half + 0.05
    # The rare label gains most: 0.5 is far too strict for it.
    assert tuner.thresholds_[0] < 0.5
    assert skm.f1_score(y_test[:, 0], tuner.predict(X_test)[:, 0]) > skm.f1_score(
        y_test[:, 0], tuner.predict_proba(X_test)[:, 0] >= 0.5
    )


@pytest.mark.parametrize("selection", ["max", "one_se"])
def test_threshold_is_the_brute_force_choice_on_f1(imbalanced, selection):
    X, y, _, _ = imbalanced
    knn, cv = KNeighborsClassifier(n_neighbors=10), KFold(4)
    tuner = MultiLabelThresholdTuner(
        knn, selection=selection, fallback_score=0, cv=cv, thresholds=GRID
    ).fit(X, y)
    proba = _oof_positive(knn, X, y, cv)
    for label in range(y.shape[1]):
        if selection == "max":
            f1 = [skm.f1_score(y[:, label], proba[:, label] >= t, zero_division=0) for t in GRID]
            threshold, score = _brute_force(f1, GRID)
        else:
            threshold, score = _one_se("f1", y[:, label], proba[:, label], GRID, fallback_score=0)
        assert tuner.thresholds_[label] == threshold
        assert tuner.best_scores_[label] == pytest.approx(score)
    assert tuner.best_score_ == pytest.approx(np.mean(tuner.best_scores_))


def test_f1_standard_error_matches_the_bootstrap():
    # The delta-method standard error of F1 against the spread of scikit-learn's
    # f1_score over bootstrap resamples of the rows.
    rng = np.random.RandomState(0)
    y = (rng.uniform(size=400) < 0.2).astype(int)
    proba = np.clip(0.35 * y + rng.uniform(size=400) * 0.65, 0, 1)
    grid = np.array([0.3, 0.5, 0.7])
    se = _scores_over_grid(y, proba, grid)["f1_se"]
    resamples = rng.randint(0, 400, size=(400, 400))
    for k, t in enumerate(grid):
        f1 = [skm.f1_score(y[rows], proba[rows] >= t) for rows in resamples]
        assert se[k] == pytest.approx(np.std(f1), rel=0.15)


class _Fixed(ClassifierMixin, BaseEstimator):
    """A "fitted" classifier whose probabilities are given: row i of X is [i]."""

    def __init__(self, proba=None):
        self.proba = proba

    def fit(self, X, y):
        return self

    def __sklearn_is_fitted__(self):
        return True

    def predict_proba(self, X):
        return self.proba[np.asarray(X, dtype=int)[:, 0]]


def _frozen(proba):
    return FrozenEstimator(_Fixed(proba)), np.arange(len(proba))[:, None]


def test_a_barely_learnt_label_falls_back_to_one_half():
    # Label 1 has two positives among 300 rows and probabilities that ignore them: its
    # best "F1" is that of predicting it on (almost) every row.
    rng = np.random.RandomState(0)
    y = np.zeros((300, 2), dtype=int)
    y[:60, 0] = 1
    y[[10, 200], 1] = 1
    proba = np.column_stack([0.3 + 0.4 * y[:, 0], rng.uniform(0, 0.3, size=300)])
    estimator, X = _frozen(proba)
    f1 = [skm.f1_score(y[:, 1], proba[:, 1] >= t, zero_division=0) for t in GRID]
    assert 0 < max(f1) < 0.1
    # The fallback alone (selection="max" otherwise takes the best F1) keeps 0.5.
    fallback = MultiLabelThresholdTuner(estimator, selection="max", thresholds=GRID).fit(X, y)
    assert fallback.thresholds_[1] == 0.5
    assert fallback.best_scores_[1] == skm.f1_score(y[:, 1], proba[:, 1] >= 0.5)
    # Label 0 is learnt: F1 1 anywhere in (0.3, 0.7], and 0.5 is the closest to 0.5.
    assert fallback.thresholds_[0] == 0.5 and fallback.best_scores_[0] == 1
    # So does the default.
    default = MultiLabelThresholdTuner(estimator, thresholds=GRID).fit(X, y)
    np.testing.assert_array_equal(default.thresholds_, 0.5)
    # The old rule, best F1 without the fallback, predicts the label on many rows.
    tuned = MultiLabelThresholdTuner(estimator, selection="max", thresholds=GRID, fallback_score=0)
    tuned.fit(X, y)
    assert tuned.thresholds_[1] == _brute_force(f1, GRID)[0] < 0.3
    assert (proba[:, 1] >= tuned.thresholds_[1]).sum() > 50


def test_a_flat_curve_keeps_one_half_under_the_one_standard_error_rule():
    # F1 rises by one true positive from 0.5 down to 0.2: within its standard error.
    y = np.zeros((200, 1), dtype=int)
    y[:50] = 1
    proba = np.where(y[:, 0] == 1, 0.8, 0.1)
    proba[0] = 0.3  # the one positive that 0.5 misses
    estimator, X = _frozen(proba[:, None])
    best = MultiLabelThresholdTuner(estimator, selection="max", thresholds=GRID).fit(X, y)
    near = MultiLabelThresholdTuner(estimator, thresholds=GRID).fit(X, y)
    assert best.thresholds_[0] == 0.3 and best.best_scores_[0] == 1
    assert near.thresholds_[0] == 0.5
    assert near.best_scores_[0] == pytest.approx(skm.f1_score(y[:, 0], proba >= 0.5))


def _motifs(seed, n=600, n_labels=20, n_features=200):
    """Labels of power-law frequency, each switching on its own few binary features:
    well learnt, with many rare labels (the shape of the genbase data)."""
    rng = np.random.RandomState(seed)
    y = (rng.uniform(size=(n, n_labels)) < 0.5 / np.arange(1, n_labels + 1) ** 1.3).astype(int)
    motif = rng.uniform(size=(n_labels, n_features)) < 0.03
    on = (y @ motif > 0) & (rng.uniform(size=(n, n_features)) < 0.9)
    return (on | (rng.uniform(size=(n, n_features)) < 0.02)).astype(float), y


def test_the_default_does_not_backfire_on_many_rare_labels():
    X, y = _motifs(seed=2)
    mlp = MLPClassifier(hidden_layer_sizes=(64,), max_iter=400, random_state=0)
    cv = MultilabelStratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning, labels absent from a fold
        default = MultiLabelThresholdTuner(mlp, cv=cv).fit(X[:400], y[:400])
        old = MultiLabelThresholdTuner(mlp, selection="max", fallback_score=0, cv=cv)
        old.fit(X[:400], y[:400])
    X_test, y_test = X[400:], y[400:]
    at_half = (default.predict_proba(X_test) >= 0.5).astype(int)

    def macro_micro(pred):
        return [skm.f1_score(y_test, pred, average=a, zero_division=0) for a in ("macro", "micro")]

    macro_half, micro_half = macro_micro(at_half)
    macro, micro = macro_micro(default.predict(X_test))
    assert macro >= macro_half and micro >= micro_half - 0.02
    # The old rule (best out-of-fold F1 per label, no fallback) loses micro F1 here.
    assert macro_micro(old.predict(X_test))[1] < micro_half - 0.05


def test_one_standard_error_rule_moves_less_than_the_maximum(imbalanced):
    X, y, _, _ = imbalanced
    knn, cv = KNeighborsClassifier(n_neighbors=10), KFold(4)
    best = MultiLabelThresholdTuner(
        knn, selection="max", fallback_score=0, cv=cv, thresholds=GRID
    ).fit(X, y)
    near = MultiLabelThresholdTuner(knn, cv=cv, thresholds=GRID).fit(X, y)
    distance = np.abs(near.thresholds_ - 0.5)
    assert np.all(distance <= np.abs(best.thresholds_ - 0.5))
    assert np.any(distance < np.abs(best.thresholds_ - 0.5))  # the two rules differ here


def test_balanced_accuracy_and_precision_under_a_recall_floor(imbalanced):
    X, y, _, _ = imbalanced
    mlp = MLPClassifier(hidden_layer_sizes=(16,), max_iter=300, random_state=0)
    cv = KFold(3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MLPClassifier's ConvergenceWarning
        proba = _oof_positive(mlp, X, y, cv)
        balanced = MultiLabelThresholdTuner(
            mlp, scoring="balanced_accuracy", cv=cv, thresholds=GRID
        ).fit(X, y)
        precise = MultiLabelThresholdTuner(
            mlp, scoring="precision", min_recall=0.7, cv=cv, thresholds=GRID
        ).fit(X, y)
    for j in range(y.shape[1]):
        assert (
            balanced.thresholds_[j] == _one_se("balanced_accuracy", y[:, j], proba[:, j], GRID)[0]
        )
        recall = np.array([skm.recall_score(y[:, j], proba[:, j] >= t) for t in GRID])
        # Where no threshold reaches the floor, those of highest recall are the candidates.
        allowed = recall >= min(0.7, recall.max())
        threshold, score = _one_se("precision", y[:, j], proba[:, j], GRID, allowed)
        assert precise.thresholds_[j] == threshold
        assert precise.best_scores_[j] == pytest.approx(score)


def test_unreachable_floor_warns_and_takes_the_closest(imbalanced):
    X, y, _, _ = imbalanced
    tuner = MultiLabelThresholdTuner(
        KNeighborsClassifier(), scoring="recall", min_precision=1.0, cv=3, thresholds=GRID
    )
    with pytest.warns(UserWarning, match=r"min_precision=1.0 is not reached .*labels \["):
        tuner.fit(X, y)
    proba = _oof_positive(KNeighborsClassifier(), X, y, KFold(3))
    for j in range(y.shape[1]):
        precision = [skm.precision_score(y[:, j], proba[:, j] >= t, zero_division=0) for t in GRID]
        if max(precision) < 1:
            got = skm.precision_score(y[:, j], proba[:, j] >= tuner.thresholds_[j])
            assert got == pytest.approx(max(precision))


def test_ties_go_to_the_threshold_closest_to_one_half(imbalanced):
    X, y, _, _ = imbalanced
    # 1-nearest-neighbour probabilities are 0 or 1: every threshold gives the same labels.
    one_nn = KNeighborsClassifier(n_neighbors=1)
    for grid, expected in [([0.2, 0.4, 0.6, 0.9], 0.4), ([0.4, 0.6], 0.4), ([0.3, 0.6], 0.6)]:
        tuner = MultiLabelThresholdTuner(one_nn, cv=3, thresholds=grid, fallback_score=0)
        tuner.fit(X, y)
        np.testing.assert_array_equal(tuner.thresholds_, expected)


def test_default_and_int_grids(imbalanced):
    X, y, _, _ = imbalanced
    knn = KNeighborsClassifier(n_neighbors=10)
    default = MultiLabelThresholdTuner(knn, selection="max", fallback_score=0, cv=KFold(4)).fit(
        X, y
    )
    # Probabilities are multiples of 0.1: the midpoints 0.05, 0.15, ... are candidates.
    proba = _oof_positive(knn, X, y, KFold(4))
    for j in range(y.shape[1]):
        candidates = np.union1d(np.round(np.linspace(0.01, 0.99, 99), 2), np.arange(1, 20) / 20)
        f1 = [skm.f1_score(y[:, j], proba[:, j] >= t, zero_division=0) for t in candidates]
        assert default.best_scores_[j] == pytest.approx(max(f1))
    one = MultiLabelThresholdTuner(knn, cv=3, thresholds=1).fit(X, y)
    np.testing.assert_array_equal(one.thresholds_, 0.5)
    nine = MultiLabelThresholdTuner(knn, cv=3, thresholds=9).fit(X, y)
    assert set(nine.thresholds_) <= set(np.linspace(0.1, 0.9, 9))


def test_multilabel_scorer_is_optimised_globally(imbalanced):
    X, y, _, _ = imbalanced
    knn, cv = KNeighborsClassifier(n_neighbors=10), KFold(4)
    proba = _oof_positive(knn, X, y, cv)
    per_label = MultiLabelThresholdTuner(
        knn, selection="max", fallback_score=0, cv=cv, thresholds=GRID
    ).fit(X, y)
    macro = MultiLabelThresholdTuner(knn, scoring=SCORERS["f1_macro"], cv=cv, thresholds=GRID).fit(
        X, y
    )
    # Macro F1 is the mean of the per-label F1s: the same optimum.
    np.testing.assert_array_equal(macro.thresholds_, per_label.thresholds_)
    assert macro.best_score_ == pytest.approx(per_label.best_score_)

    exact = MultiLabelThresholdTuner(knn, scoring="exact_match", cv=cv, thresholds=GRID)
    exact.fit(X, y)
    reached = exact_match_score(y, (proba >= exact.thresholds_).astype(int))
    assert exact.best_score_ == pytest.approx(reached)
    assert reached >= exact_match_score(y, (proba >= 0.5).astype(int))
    np.testing.assert_allclose(exact.best_scores_, reached)
    # Coordinate-wise optimal: no single threshold change does better.
    for j in range(y.shape[1]):
        for t in GRID:
            moved = exact.thresholds_.copy()
            moved[j] = t
            assert exact_match_score(y, (proba >= moved).astype(int)) <= reached


def test_a_frozen_estimator_is_tuned_on_the_held_out_set_without_refit(imbalanced):
    X, y, X_val, y_val = imbalanced
    knn = KNeighborsClassifier(n_neighbors=10).fit(X, y)
    frozen = FrozenEstimator(knn)
    tuner = MultiLabelThresholdTuner(frozen, cv=3, thresholds=GRID).fit(X_val, y_val)
    assert tuner.estimator_ is frozen
    proba = np.column_stack([p[:, 1] for p in knn.predict_proba(X_val)])
    for j in range(y.shape[1]):
        assert tuner.thresholds_[j] == _one_se("f1", y_val[:, j], proba[:, j], GRID)[0]
    np.testing.assert_array_equal(tuner.predict(X_val), (proba >= tuner.thresholds_).astype(int))
    with pytest.raises(NotFittedError, match="FrozenEstimator.*not fitted"):
        MultiLabelThresholdTuner(FrozenEstimator(KNeighborsClassifier())).fit(X_val, y_val)
    # The old spelling still works, with a deprecation warning.
    with pytest.warns(FutureWarning, match="cv='prefit' is deprecated.*FrozenEstimator"):
        old = MultiLabelThresholdTuner(knn, cv="prefit", thresholds=GRID).fit(X_val, y_val)
    assert old.estimator_ is knn
    np.testing.assert_array_equal(old.thresholds_, tuner.thresholds_)


@pytest.mark.parametrize(
    "estimator",
    [
        KNeighborsClassifier(),
        RandomForestClassifier(n_estimators=5, random_state=0),
        make_pipeline(StandardScaler(), KNeighborsClassifier()),
        MLPClassifier(hidden_layer_sizes=(8,), max_iter=30, random_state=0),
    ],
    ids=["knn", "forest", "pipeline", "mlp"],
)
def test_list_and_array_outputs(imbalanced, estimator):
    X, y, X_test, _ = imbalanced
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MLPClassifier's ConvergenceWarning
        tuner = MultiLabelThresholdTuner(estimator, cv=3, thresholds=GRID).fit(X, y)
    proba = tuner.predict_proba(X_test)
    assert proba.shape == (len(X_test), 4)
    inner = tuner.estimator_.predict_proba(X_test)
    expected = np.column_stack([p[:, 1] for p in inner]) if isinstance(inner, list) else inner
    np.testing.assert_array_equal(proba, expected)
    np.testing.assert_array_equal(tuner.predict(X_test), (proba >= tuner.thresholds_).astype(int))
    assert tuner.n_features_in_ == X.shape[1]
    np.testing.assert_array_equal(tuner.classes_, np.arange(4))


def test_a_label_missing_from_a_training_fold(imbalanced):
    X, y, X_test, _ = imbalanced
    y = y.copy()
    y[:, 1] = 0
    y[:3, 1] = 1  # all three positives fall in the first of 3 folds
    tuner = MultiLabelThresholdTuner(KNeighborsClassifier(), cv=3, thresholds=GRID).fit(X, y)
    assert tuner.predict_proba(X_test).shape == (len(X_test), 4)
    y[:, 1] = 0  # never positive: the estimator learns the single class 0
    tuner.fit(X, y)
    np.testing.assert_array_equal(tuner.predict_proba(X_test)[:, 1], 0)
    assert tuner.thresholds_[1] == 0.5  # every threshold ties


class _FillsMissing(ClassifierMixin, BaseEstimator):
    """KNN that accepts missing labels (NaN), read as 0 for training, as a masked loss
    would let a network use the row."""

    def fit(self, X, y):
        self.knn_ = KNeighborsClassifier(n_neighbors=10).fit(X, np.nan_to_num(y).astype(int))
        self.classes_ = np.arange(y.shape[1])
        return self

    def predict_proba(self, X):
        return np.column_stack([p[:, 1] for p in self.knn_.predict_proba(X)])


def test_missing_labels_tune_each_label_on_its_known_rows(imbalanced):
    X, y, _, _ = imbalanced
    y_missing = y.astype(float)
    unknown = np.random.RandomState(0).uniform(size=y.shape) < 0.3
    y_missing[unknown] = np.nan
    before = y_missing.copy()
    cv = KFold(4)
    tuner = MultiLabelThresholdTuner(_FillsMissing(), cv=cv, thresholds=GRID).fit(X, y_missing)
    np.testing.assert_array_equal(y_missing, before)  # the caller's y is not modified
    proba = _oof_positive(KNeighborsClassifier(n_neighbors=10), X, np.nan_to_num(y_missing), cv)
    for j in range(y.shape[1]):
        rows = ~unknown[:, j]
        threshold, score = _one_se("f1", y[rows, j], proba[rows, j], GRID)
        assert tuner.thresholds_[j] == threshold
        assert tuner.best_scores_[j] == pytest.approx(score)
    # A multi-label objective by name scores the known entries only.
    MultiLabelThresholdTuner(_FillsMissing(), scoring="f1_samples", cv=cv, thresholds=5).fit(
        X, y_missing
    )
    with pytest.raises(ValueError, match="missing='ignore'"):
        MultiLabelThresholdTuner(
            _FillsMissing(), scoring=SCORERS["f1_samples"], cv=cv, thresholds=5
        ).fit(X, y_missing)


@pytest.mark.parametrize("marker", [np.nan, -1])
def test_missing_labels_with_an_estimator_that_rejects_them(imbalanced, marker):
    X, y, _, _ = imbalanced
    y = y.astype(float)
    y[5, 2] = marker
    with pytest.raises(ValueError, match="missing"):
        MultiLabelThresholdTuner(KNeighborsClassifier(), cv=3).fit(X, y)


@pytest.mark.parametrize(
    "params, error, match",
    [
        (dict(thresholds=0), ValueError, "empty grid"),
        (dict(thresholds=[]), ValueError, "empty array"),
        (dict(thresholds=[0.0, 0.5]), ValueError, r"strictly between 0 and 1.*\[0.0\]"),
        (dict(thresholds=[0.5, 1.2]), ValueError, r"strictly between 0 and 1.*\[1.2\]"),
        (dict(thresholds=[[0.5]]), TypeError, "1-D array"),
        (dict(thresholds="auto"), TypeError, "thresholds must be None"),
        (dict(scoring="accuracy"), ValueError, r"scoring='accuracy'.*'f1'.*'exact_match'"),
        (dict(scoring=3), TypeError, "scoring must be"),
        (dict(selection="best"), ValueError, r"selection must be one of \['one_se', 'max'\]"),
        (
            dict(fallback_score=1.5),
            ValueError,
            r"fallback_score must be None or a float in \[0, 1\]",
        ),
        (dict(fallback_score="0.1"), TypeError, "fallback_score must be None or a float"),
        (dict(min_recall=1.5), ValueError, r"min_recall must be None or a float in \[0, 1\]"),
        (dict(min_precision="high"), TypeError, "min_precision must be"),
        (dict(cv=1.5), ValueError, "fraction of rows held out"),
        (dict(cv="auto"), ValueError, "cv must be"),
        (dict(estimator=LinearSVC()), TypeError, "LinearSVC has no predict_proba"),
    ],
)
def test_bad_parameters(imbalanced, params, error, match):
    X, y, _, _ = imbalanced
    params = {"estimator": KNeighborsClassifier(), **params}
    with pytest.raises(error, match=match):
        MultiLabelThresholdTuner(**params).fit(X, y)


def test_float_cv_is_one_seeded_split(imbalanced):
    X, y, _, _ = imbalanced
    knn = KNeighborsClassifier(n_neighbors=10)
    a = MultiLabelThresholdTuner(knn, cv=0.3, random_state=0).fit(X, y)
    b = MultiLabelThresholdTuner(knn, cv=0.3, random_state=0).fit(X, y)
    np.testing.assert_array_equal(a.thresholds_, b.thresholds_)


def test_is_a_scikit_learn_classifier(imbalanced):
    X, y, X_test, y_test = imbalanced
    tuner = MultiLabelThresholdTuner(KNeighborsClassifier(), cv=3, thresholds=GRID)
    tags = get_tags(tuner)
    assert tags.estimator_type == "classifier" and tags.classifier_tags.multi_label
    assert tags.input_tags.sparse == get_tags(KNeighborsClassifier()).input_tags.sparse
    np.testing.assert_array_equal(clone(tuner).get_params()["thresholds"], GRID)
    tuner.fit(X, y)
    assert tuner.score(X_test, y_test) == skm.accuracy_score(y_test, tuner.predict(X_test))
    copy = pickle.loads(pickle.dumps(tuner))
    np.testing.assert_array_equal(copy.predict(X_test), tuner.predict(X_test))
    scores = cross_val_score(tuner, X, y, cv=2, scoring=SCORERS["f1_macro"])
    assert scores.shape == (2,)
    tuner.fit(sp.csr_matrix(X), y)  # sparse input goes to the estimator


def test_grid_search_over_the_inner_estimator(imbalanced):
    X, y, _, _ = imbalanced
    tuner = MultiLabelThresholdTuner(KNeighborsClassifier(), cv=3, thresholds=9)
    candidates = [3, 10]
    search = GridSearchCV(
        tuner, {"estimator__n_neighbors": candidates}, cv=2, scoring=SCORERS["f1_macro"]
    ).fit(X, y)
    # The same search by hand (cv=2 on a multi-label y is KFold(2)): each candidate's mean
    # over the folds of scikit-learn's macro F1 of the tuned thresholds on the test fold.
    means = []
    for k in candidates:
        scores = []
        for train, test in KFold(2).split(X):
            fold = clone(tuner).set_params(estimator__n_neighbors=k).fit(X[train], y[train])
            pred = fold.predict_proba(X[test]) >= fold.thresholds_
            scores.append(skm.f1_score(y[test], pred, average="macro", zero_division=0))
        means.append(np.mean(scores))
    assert means[0] != means[1]  # the choice between them means something
    np.testing.assert_allclose(search.cv_results_["mean_test_score"], means, rtol=1e-12)
    best = candidates[int(np.argmax(means))]
    assert search.best_params_ == {"estimator__n_neighbors": best}
    assert search.best_score_ == pytest.approx(max(means), rel=1e-12)
    refit = clone(tuner).set_params(estimator__n_neighbors=best).fit(X, y)
    assert search.best_estimator_.estimator_.n_neighbors == best
    np.testing.assert_array_equal(search.best_estimator_.thresholds_, refit.thresholds_)


# Trained enough that the tuned thresholds are not all at the edge of the grid.
KERAS_NET = dict(hidden_layer_sizes=(8,), epochs=20, learning_rate=0.01, random_state=0)
NINE = np.linspace(0, 1, 11)[1:-1]  # thresholds=9


@pytest.fixture(scope="module")
def keras_tuned():
    X, y = make_multilabel_classification(
        n_samples=120, n_features=6, n_classes=3, n_labels=2, random_state=0
    )
    names = [[name for name, on in zip("abc", row, strict=True) if on] for row in y]
    net = KerasMultiLabelClassifier(**KERAS_NET)
    return X, names, MultiLabelThresholdTuner(net, cv=2, thresholds=9).fit(X, names)


def test_keras_with_missing_labels(keras_tuned):
    X, names, _ = keras_tuned
    Y = np.array([[name in row for name in "abc"] for row in names], dtype=float)
    Y[np.random.RandomState(1).uniform(size=Y.shape) < 0.2] = np.nan
    net = KerasMultiLabelClassifier(**KERAS_NET)
    tuner = MultiLabelThresholdTuner(net, cv=2, thresholds=9).fit(X, Y)
    # The out-of-fold probabilities by hand (cv=2 is KFold(2)): each fold's network is
    # fitted on its rows of Y, NaN included; the networks are seeded, so these are the
    # tuner's own.
    proba = np.empty(Y.shape)
    for train, test in KFold(2).split(X):
        proba[test] = clone(net).fit(X[train], Y[train]).predict_proba(X[test])
    # Each label's threshold and F1 are scikit-learn's best on the rows where it is known.
    for j in range(Y.shape[1]):
        rows = ~np.isnan(Y[:, j])
        assert not rows.all()
        threshold, score = _one_se("f1", Y[rows, j], proba[rows, j], NINE)
        assert tuner.thresholds_[j] == threshold
        assert tuner.best_scores_[j] == pytest.approx(score)
    assert tuner.best_score_ == pytest.approx(np.mean(tuner.best_scores_))
    np.testing.assert_array_equal(
        tuner.predict(X), (tuner.estimator_.predict_proba(X) >= tuner.thresholds_).astype(int)
    )


def test_wraps_keras_multilabel_classifier(keras_tuned):
    X, names, tuner = keras_tuned
    assert tuner.classes_.tolist() == ["a", "b", "c"]
    assert tuner.estimator_.classes_.tolist() == ["a", "b", "c"]
    proba = tuner.estimator_.predict_proba(X)
    pred = tuner.predict(X)
    np.testing.assert_array_equal(pred, (proba >= tuner.thresholds_).astype(int))
    at_half = (proba >= 0.5).astype(int)
    assert (pred != at_half).any()  # the tuned thresholds change the predictions
    # score is the exact-match accuracy of the tuned predictions.
    indicator = MultiLabelBinarizer(classes=["a", "b", "c"]).fit_transform(names)
    assert tuner.score(X, names) == skm.accuracy_score(indicator, pred)
    assert tuner.score(X, names) != skm.accuracy_score(indicator, at_half)
    # The tuned thresholds carry over to (a copy of) the network itself.
    net = pickle.loads(pickle.dumps(tuner.estimator_)).set_params(threshold=tuner.thresholds_)
    np.testing.assert_array_equal(net.predict(X), pred)


# ------------------------------------------------------------------------ binary targets

BINARY_NET = dict(hidden_layer_sizes=(8,), epochs=20, learning_rate=0.01, random_state=0)


@pytest.fixture(scope="module")
def binary():
    """240 rows of a binary target in the caller's own labels: "spam" (about a third)
    and "ham"."""
    X, y = make_classification(
        n_samples=240, n_features=6, n_informative=3, weights=[0.65], flip_y=0.1, random_state=0
    )
    return X, np.where(y == 1, "spam", "ham")


@pytest.fixture(scope="module")
def binary_net(binary):
    """A binary KerasMultiLabelClassifier fitted on the first half of ``binary``."""
    X, y = binary
    return KerasMultiLabelClassifier(**BINARY_NET).fit(X[:120], y[:120])


@pytest.mark.parametrize("scoring", ["f1", "f2"])
def test_binary_tuning_is_tuned_threshold_classifier_cv_s(binary, binary_net, scoring):
    """On the same probabilities (a fitted network, tuned on held-out rows), the tuner
    and scikit-learn's TunedThresholdClassifierCV reach the same best score, our
    threshold is one of theirs, and predict thresholds the second class in the caller's
    labels as scikit-learn's FixedThresholdClassifier does."""
    X, y = binary
    X_val, y_val = X[120:], y[120:]
    scorer = (
        skm.make_scorer(skm.f1_score, pos_label="spam")
        if scoring == "f1"
        else skm.make_scorer(skm.fbeta_score, beta=2, pos_label="spam")
    )
    ours = MultiLabelThresholdTuner(
        FrozenEstimator(binary_net),
        scoring="f1" if scoring == "f1" else scorer,  # a per-label objective, a scorer
        selection="max",
        fallback_score=0,
        thresholds=GRID,
    ).fit(X_val, y_val)
    theirs = TunedThresholdClassifierCV(
        binary_net, scoring=scorer, thresholds=GRID, cv="prefit", refit=False,
        store_cv_results=True,
    ).fit(X_val, y_val)  # fmt: skip
    assert ours.target_type_ == "binary"
    assert ours.classes_.tolist() == theirs.classes_.tolist() == ["ham", "spam"]
    assert ours.best_score_ == pytest.approx(theirs.best_score_)
    curve = dict(zip(theirs.cv_results_["thresholds"], theirs.cv_results_["scores"], strict=True))
    assert curve[ours.best_threshold_] == pytest.approx(theirs.best_score_)
    assert ours.thresholds_.tolist() == [ours.best_threshold_] != [0.5]
    fixed = FixedThresholdClassifier(
        FrozenEstimator(binary_net), threshold=ours.best_threshold_, pos_label="spam"
    ).fit(X_val, y_val)
    np.testing.assert_array_equal(ours.predict(X), fixed.predict(X))
    np.testing.assert_array_equal(ours.predict_proba(X), binary_net.predict_proba(X))


def test_binary_threshold_maximises_the_out_of_fold_objective(binary):
    X, y = binary
    net = KerasMultiLabelClassifier(**BINARY_NET)
    tuner = MultiLabelThresholdTuner(
        net, selection="max", fallback_score=0, thresholds=GRID, cv=3
    ).fit(X, y)
    # The out-of-fold probabilities by scikit-learn: cv=3 on a binary target is
    # StratifiedKFold(3), as for TunedThresholdClassifierCV; the networks are seeded.
    proba = cross_val_predict(net, X, y, cv=StratifiedKFold(3), method="predict_proba")[:, 1]
    f1 = [skm.f1_score(y, np.where(proba >= t, "spam", "ham"), pos_label="spam") for t in GRID]
    threshold, score = _brute_force(f1, GRID)
    assert tuner.best_threshold_ == threshold != 0.5
    assert tuner.best_score_ == pytest.approx(score)
    # Refitted on all rows; predict gives the caller's labels at the tuned threshold.
    assert tuner.estimator_.classes_.tolist() == ["ham", "spam"]
    pred = tuner.predict(X)
    at_threshold = tuner.estimator_.predict_proba(X)[:, 1] >= threshold
    np.testing.assert_array_equal(pred, np.where(at_threshold, "spam", "ham"))
    assert (pred != tuner.estimator_.predict(X)).any()
    assert tuner.score(X, y) == skm.accuracy_score(y, pred)
    # The network takes the tuned threshold as it is.
    copy = pickle.loads(pickle.dumps(tuner.estimator_)).set_params(threshold=tuner.thresholds_)
    np.testing.assert_array_equal(copy.predict(X), pred)


def test_binary_missing_entries_are_left_out(binary, binary_net):
    X, y = binary
    X_val, y_val = X[120:], y[120:].astype(object)
    unknown = np.random.RandomState(0).uniform(size=len(y_val)) < 0.25
    y_missing = np.where(unknown, None, y_val)
    frozen = FrozenEstimator(binary_net)
    f2 = skm.make_scorer(skm.fbeta_score, beta=2, pos_label="spam")
    for scoring in ("f1", f2):  # a per-label objective, a scorer of the caller's labels
        params = dict(scoring=scoring, selection="max", fallback_score=0, thresholds=GRID)
        tuner = MultiLabelThresholdTuner(frozen, **params).fit(X_val, y_missing)
        known = MultiLabelThresholdTuner(frozen, **params).fit(X_val[~unknown], y_val[~unknown])
        assert tuner.best_threshold_ == known.best_threshold_
        assert tuner.best_score_ == known.best_score_
    # The networks of the folds learn the known entries (KerasMultiLabelClassifier masks
    # the others); an estimator that rejects missing entries is named.
    net = KerasMultiLabelClassifier(**{**BINARY_NET, "epochs": 2})
    MultiLabelThresholdTuner(net, cv=2, thresholds=GRID).fit(X_val, y_missing)
    with pytest.raises(ValueError, match=r"12 missing label entries \(NaN, None or NA\)"):
        MultiLabelThresholdTuner(KNeighborsClassifier(), cv=2).fit(
            X_val, np.where(np.arange(len(y_val)) < 12, np.nan, (y_val == "spam") * 1.0)
        )


class _MustNotBeFitted(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        raise AssertionError("the estimator was fitted before the target was checked")

    def predict_proba(self, X):
        raise AssertionError("never called")


_ABC = np.array(["a", "b", "c"])
REFUSED_TARGETS = {
    "multiclass": (np.arange(60) % 3, r"'multiclass' target \(3 classes: 0, 1, 2\)"),
    "multiclass names": (_ABC[np.arange(60) % 3], r"'multiclass' target \(3 classes: 'a', 'b'"),
    "multi-output": (
        np.column_stack([np.arange(60) % 3, np.arange(60) % 2]),
        r"'multiclass-multioutput' target \(2 outputs\)",
    ),
    "two-class outputs": (
        pd.DataFrame({"spam": ["yes", "no"] * 30, "lang": ["en", "fr", "fr"] * 20}),
        r"'multiclass-multioutput' target \(2 outputs\)",
    ),
}


@pytest.mark.parametrize("case", REFUSED_TARGETS)
def test_multiclass_targets_are_refused_before_training(case):
    y, target = REFUSED_TARGETS[case]
    X = np.random.RandomState(0).normal(size=(60, 3))
    with pytest.raises(ValueError, match="Only binary classification is supported") as info:
        MultiLabelThresholdTuner(_MustNotBeFitted(), cv=3).fit(X, y)
    message = str(info.value)
    assert re.search(target, message), message
    assert "TunedThresholdClassifierCV tunes binary targets only" in message
    helper = "LabelBinarizer" if target.startswith("'multiclass'") else "OneHotEncoder"
    assert f"sklearn.preprocessing.{helper}" in message


THRESHOLD_NOT_ONE_HALF = (
    "the check asserts predict(X) == round(predict_proba(X)), i.e. a 0.5 threshold on every "
    "label; the tuner's predict applies its tuned thresholds_ instead, which is its purpose "
    "(test_tuned_thresholds_beat_one_half_out_of_sample)"
)
BINARY_THRESHOLD_NOT_ONE_HALF = (
    "the check asserts that a binary predict is the class of highest probability (a 0.5 "
    "threshold); the tuner's predict applies its tuned threshold instead, as scikit-learn's "
    "TunedThresholdClassifierCV does (test_binary_tuning_is_tuned_threshold_classifier_cv_s)"
)
EXACT_ZERO_ONE_PROBA = (
    "the check asks for probabilities strictly inside (0, 1); a k-nearest-neighbours "
    "probability is a fraction of k, exactly 0 or 1 for many samples (the tuner wrapping "
    "MLPClassifier passes this check)"
)


def _expected_failed_checks(tuner):
    # The k-nearest-neighbours tuner keeps 0.5 on these checks' data (its score curves are
    # flat within their noise), so only the MLP's tuned thresholds fail them.
    if isinstance(tuner.estimator, KNeighborsClassifier):
        return {"check_classifiers_multilabel_output_format_predict_proba": EXACT_ZERO_ONE_PROBA}
    return {
        "check_classifier_multioutput": THRESHOLD_NOT_ONE_HALF,
        "check_classifiers_train": BINARY_THRESHOLD_NOT_ONE_HALF,
    }


@parametrize_with_checks(
    [
        MultiLabelThresholdTuner(KNeighborsClassifier(), cv=3),
        MultiLabelThresholdTuner(
            MLPClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=0), cv=3
        ),
    ],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
