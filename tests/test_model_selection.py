"""Multi-label stratified splitters: partitions, stratification, y forms, scikit-learn use."""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from iterstrat import ml_stratifiers
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score, cross_validate
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import MultiLabelBinarizer

import skmultimlp
from skmultimlp import model_selection
from skmultimlp.model_selection import (
    MultilabelStratifiedKFold,
    MultilabelStratifiedShuffleSplit,
    RepeatedMultilabelStratifiedKFold,
)

F1_MACRO = skmultimlp.SCORERS["f1_macro"]


def make_data(n_samples=200, shares=(0.5, 0.3, 0.15, 0.05), seed=0):
    """Features related to labels of very different frequencies."""
    rng = np.random.default_rng(seed)
    Y = (rng.random((n_samples, len(shares))) < shares).astype(int)
    X = Y @ rng.normal(size=(len(shares), 5)) + rng.normal(scale=0.5, size=(n_samples, 5))
    return X, Y


def rare_label_data(n_samples=200, n_positives=10, seed=0):
    """A common label and a rare one: n_positives of n_samples rows."""
    rng = np.random.default_rng(seed)
    Y = np.zeros((n_samples, 2), dtype=int)
    Y[rng.choice(n_samples, n_positives, replace=False), 0] = 1
    Y[:, 1] = rng.random(n_samples) < 0.4
    return np.zeros((n_samples, 1)), Y


def splits(splitter, X, y):
    return [(train.tolist(), test.tolist()) for train, test in splitter.split(X, y)]


# (factory, number of splits, number of k-fold repetitions or 0 for shuffle-split)
SPLITTERS = {
    "kfold": (lambda rs=0: MultilabelStratifiedKFold(n_splits=4, random_state=rs), 4, 1),
    "kfold-shuffle": (
        lambda rs=0: MultilabelStratifiedKFold(n_splits=5, shuffle=True, random_state=rs),
        5,
        1,
    ),
    "repeated": (
        lambda rs=0: RepeatedMultilabelStratifiedKFold(n_splits=3, n_repeats=2, random_state=rs),
        6,
        2,
    ),
    "shuffle-split": (
        lambda rs=0: MultilabelStratifiedShuffleSplit(n_splits=3, test_size=0.25, random_state=rs),
        3,
        0,
    ),
}


def test_public_names_are_iterstrat_subclasses_and_the_batched_search():
    splitters = [
        "MultilabelStratifiedKFold",
        "MultilabelStratifiedShuffleSplit",
        "RepeatedMultilabelStratifiedKFold",
    ]
    assert sorted(model_selection.__all__) == ["BatchedGridSearchCV", *splitters]
    for name in splitters:
        assert issubclass(getattr(model_selection, name), getattr(ml_stratifiers, name))


@pytest.mark.parametrize("kind", SPLITTERS)
def test_disjoint_train_test_covering_all_rows(kind):
    make, n_splits, n_repeats = SPLITTERS[kind]
    X, Y = make_data()
    splitter = make()
    result = list(splitter.split(X, Y))
    assert len(result) == n_splits == splitter.get_n_splits() == splitter.get_n_splits(X, Y)
    for train, test in result:
        assert len(test) > 0 and len(np.intersect1d(train, test)) == 0
        np.testing.assert_array_equal(np.sort(np.concatenate([train, test])), np.arange(len(X)))
    if n_repeats:  # k-fold: within a repetition, each row is tested exactly once
        tests = [test for _, test in result]
        per_repeat = n_splits // n_repeats
        for r in range(n_repeats):
            tested = np.concatenate(tests[r * per_repeat : (r + 1) * per_repeat])
            np.testing.assert_array_equal(np.sort(tested), np.arange(len(X)))


@pytest.mark.parametrize("kind", SPLITTERS)
def test_reproducible_with_random_state(kind):
    make = SPLITTERS[kind][0]
    X, Y = make_data()
    first = splits(make(0), X, Y)
    assert splits(make(0), X, Y) == first
    splitter = make(0)
    assert splits(splitter, X, Y) == splits(splitter, X, Y) == first
    assert splits(make(1), X, Y) != first


def test_random_state_allowed_without_shuffle():
    # scikit-learn >= 1.6 refuses random_state with shuffle=False in its KFold base class;
    # iterstrat uses it for tie-breaks, so it must be accepted and matter.
    X, Y = make_data()
    mskf = MultilabelStratifiedKFold(n_splits=4, random_state=3)
    assert mskf.shuffle is False and mskf.random_state == 3
    assert splits(mskf, X, Y) == splits(MultilabelStratifiedKFold(n_splits=4, random_state=3), X, Y)
    assert splits(mskf, X, Y) != splits(MultilabelStratifiedKFold(n_splits=4, random_state=4), X, Y)
    with pytest.raises(ValueError, match="n_splits=2 or more"):
        MultilabelStratifiedKFold(n_splits=1)
    with pytest.raises(TypeError, match="shuffle must be True or False"):
        MultilabelStratifiedKFold(shuffle=1)


def test_rare_label_in_every_test_fold():
    X, Y = rare_label_data()
    positives = [
        int(Y[test, 0].sum())
        for _, test in MultilabelStratifiedKFold(n_splits=10, random_state=0).split(X, Y)
    ]
    assert positives == [1] * 10
    shuffled = MultilabelStratifiedKFold(n_splits=10, shuffle=True, random_state=0)
    assert [int(Y[test, 0].sum()) for _, test in shuffled.split(X, Y)] == [1] * 10
    # A plain shuffled KFold, by contrast, leaves the rare label out of some test folds.
    plain = [
        int(Y[test, 0].sum())
        for _, test in KFold(n_splits=10, shuffle=True, random_state=0).split(X, Y)
    ]
    assert sum(plain) == 10 and min(plain) == 0 and max(plain) >= 2


@pytest.mark.parametrize("kind", ["kfold", "kfold-shuffle", "repeated"])
def test_kfold_label_shares_close_to_overall(kind):
    X, Y = make_data(n_samples=400)
    make, n_splits, n_repeats = SPLITTERS[kind]
    folds_per_repeat = n_splits // n_repeats
    expected = Y.sum(axis=0) / folds_per_repeat  # positives per test fold, per label
    deviations = []
    for train, test in make().split(X, Y):
        deviations.append(np.abs(Y[test].sum(axis=0) - expected))
        # the share in the training set follows from the share in the test set
        np.testing.assert_allclose(Y[train].mean(axis=0), Y.mean(axis=0), atol=0.01)
    assert np.max(deviations) <= 1
    plain = [
        np.abs(Y[test].sum(axis=0) - expected)
        for _, test in KFold(n_splits=folds_per_repeat, shuffle=True, random_state=0).split(X, Y)
    ]
    assert np.max(plain) > np.max(deviations)


def test_shuffle_split_label_shares_and_size():
    X, Y = make_data(n_samples=400)
    for test_size in (0.25, 100):
        msss = MultilabelStratifiedShuffleSplit(n_splits=5, test_size=test_size, random_state=0)
        for _, test in msss.split(X, Y):
            assert abs(len(test) - 100) <= 2
            np.testing.assert_allclose(Y[test].sum(axis=0), Y.sum(axis=0) / 4, atol=1)


def test_shuffle_split_default_test_size_is_a_tenth():
    # iterstrat's own default (test_size="default") no longer works with scikit-learn.
    X, Y = make_data(n_samples=400)
    msss = MultilabelStratifiedShuffleSplit(random_state=0)
    assert msss.test_size is None and msss.get_n_splits() == 10
    result = list(msss.split(X, Y))
    assert len(result) == 10
    assert all(abs(len(test) - 40) <= 2 for _, test in result)
    assert msss.test_size is None  # the default is applied on a copy
    by_train = MultilabelStratifiedShuffleSplit(n_splits=2, train_size=0.75, random_state=0)
    assert all(abs(len(test) - 100) <= 2 for _, test in by_train.split(X, Y))


def test_missing_labels_count_as_absent():
    X, Y = make_data()
    Y_missing = Y.astype(float)
    Y_missing[::7, 0] = np.nan
    Y_missing[3::11, 2] = -1
    Y_zero = np.nan_to_num(Y_missing, nan=0).clip(min=0).astype(int)
    assert (Y_zero != Y).any()  # some positives were made unknown
    for make, _, _ in SPLITTERS.values():
        assert splits(make(), X, Y_missing) == splits(make(), X, Y_zero)
    frame = pd.DataFrame(Y_missing).astype("Int64")  # nullable: NaN becomes pd.NA
    assert splits(SPLITTERS["kfold"][0](), X, frame) == splits(SPLITTERS["kfold"][0](), X, Y_zero)


@pytest.mark.parametrize(
    "form",
    ["list", "bool", "dataframe", "sparse", "label-collections"],
)
@pytest.mark.parametrize("kind", SPLITTERS)
def test_y_forms_give_the_same_splits(kind, form):
    make = SPLITTERS[kind][0]
    X, Y = make_data(shares=(0.4, 0.2, 0.1))
    names = np.array(["news", "sports", "tech"])  # sorted, so the columns keep their order
    y = {
        "list": Y.tolist(),
        "bool": Y.astype(bool),
        "dataframe": pd.DataFrame(Y, columns=names),
        "sparse": sp.csr_matrix(Y),
        "label-collections": [names[row.astype(bool)].tolist() for row in Y],
    }[form]
    if form == "label-collections":
        np.testing.assert_array_equal(MultiLabelBinarizer().fit_transform(y), Y)
    assert splits(make(), X, y) == splits(make(), X, Y)


def test_single_label_column():
    X, Y = rare_label_data()
    y = Y[:, :1]
    positives = [
        int(y[test].sum())
        for _, test in MultilabelStratifiedKFold(n_splits=10, random_state=0).split(X, y)
    ]
    assert positives == [1] * 10
    msss = MultilabelStratifiedShuffleSplit(n_splits=2, test_size=0.2, random_state=0)
    assert [int(y[test].sum()) for _, test in msss.split(X, y)] == [2, 2]


@pytest.mark.parametrize("kind", SPLITTERS)
@pytest.mark.parametrize(
    "y, match",
    [
        (None, r"split needs y: the folds are stratified on the labels"),
        (np.array([0, 1, 2, 1, 0, 2, 1, 0] * 3), r"stratifies multi-label targets.*got a 1-D"),
        (np.array([0, 1] * 12), r"stratifies multi-label targets.*y must be 2-D"),
        (np.array([[0, 1], [2, 0]] * 12), r"must contain only 0 and 1"),
        (np.array([["a", "b"], ["b", "a"]] * 12), r"must be numeric 0/1"),
    ],
    ids=["none", "multiclass", "binary-1d", "value-2", "strings"],
)
def test_bad_y_raises_clear_value_error(kind, y, match):
    splitter = SPLITTERS[kind][0]()
    with pytest.raises(ValueError, match=match):
        list(splitter.split(np.zeros((24, 1)), y))


def test_y_length_must_match_x():
    X, Y = make_data()
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        list(MultilabelStratifiedKFold().split(X[:-1], Y))


def test_repr():
    assert repr(MultilabelStratifiedKFold(n_splits=4, shuffle=True, random_state=0)) == (
        "MultilabelStratifiedKFold(n_splits=4, random_state=0, shuffle=True)"
    )
    assert repr(MultilabelStratifiedKFold()) == (
        "MultilabelStratifiedKFold(n_splits=3, random_state=None, shuffle=False)"
    )
    assert repr(RepeatedMultilabelStratifiedKFold(n_splits=3, n_repeats=2, random_state=0)) == (
        "RepeatedMultilabelStratifiedKFold(n_repeats=2, n_splits=3, random_state=0)"
    )
    assert " ".join(repr(MultilabelStratifiedShuffleSplit()).split()) == (
        "MultilabelStratifiedShuffleSplit(n_splits=10, random_state=None, test_size=None, "
        "train_size=None)"
    )


@pytest.mark.parametrize("kind", SPLITTERS)
def test_clone_as_a_parameter(kind):
    # Splitters have no get_params (neither have scikit-learn's): clone deep-copies them
    # as parameters of an estimator, e.g. a GridSearchCV inside cross_validate.
    make = SPLITTERS[kind][0]
    X, Y = make_data()
    search = GridSearchCV(KNeighborsClassifier(), {"n_neighbors": [3]}, cv=make())
    copied = clone(search).cv
    assert copied is not search.cv and type(copied) is type(search.cv)
    assert repr(copied) == repr(search.cv)
    assert splits(copied, X, Y) == splits(search.cv, X, Y)
    assert repr(clone(make(), safe=False)) == repr(make())


@pytest.mark.parametrize("kind", SPLITTERS)
def test_cross_val_score(kind):
    make, n_splits, _ = SPLITTERS[kind]
    X, Y = make_data()
    scores = cross_val_score(KNeighborsClassifier(), X, Y, cv=make(), scoring=F1_MACRO)
    assert scores.shape == (n_splits,) and np.all((scores > 0) & (scores <= 1))
    frame_scores = cross_val_score(
        KNeighborsClassifier(),
        pd.DataFrame(X),
        pd.DataFrame(Y, columns=list("abcd")),
        cv=make(),
        scoring=F1_MACRO,
    )
    np.testing.assert_allclose(frame_scores, scores)


def test_grid_search_cv():
    X, Y = make_data()
    search = GridSearchCV(
        KNeighborsClassifier(),
        {"n_neighbors": [1, 5]},
        cv=MultilabelStratifiedKFold(n_splits=3, shuffle=True, random_state=0),
        scoring=F1_MACRO,
    ).fit(X, Y)
    assert search.best_params_["n_neighbors"] in (1, 5)
    assert search.n_splits_ == 3 and "split2_test_score" in search.cv_results_
    # nested: a search with a stratified inner cv, scored on stratified outer folds
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        inner = GridSearchCV(
            MLPClassifier(max_iter=50, random_state=0),
            {"alpha": [1e-4, 1e-2]},
            cv=MultilabelStratifiedShuffleSplit(n_splits=2, test_size=0.25, random_state=0),
            scoring=F1_MACRO,
        )
        outer = cross_validate(
            inner,
            X,
            Y,
            scoring=F1_MACRO,
            cv=RepeatedMultilabelStratifiedKFold(n_splits=2, n_repeats=1, random_state=0),
        )
    assert outer["test_score"].shape == (2,)


def test_keras_estimator_in_cross_val_score():
    clf = skmultimlp.KerasMultiLabelClassifier(hidden_layer_sizes=(8,), epochs=3, random_state=0)
    X, Y = make_data(n_samples=60, shares=(0.5, 0.3, 0.2))
    cv = MultilabelStratifiedKFold(n_splits=2, shuffle=True, random_state=0)
    scores = cross_val_score(clf, X, Y, cv=cv, scoring=F1_MACRO)
    assert scores.shape == (2,) and np.all(np.isfinite(scores))
