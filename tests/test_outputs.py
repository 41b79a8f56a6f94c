"""Binary, multiclass and multi-output multi-class targets (``_outputs``), on both backends.

The loss, the early-stopping scores and the predictions are compared with scikit-learn's
``log_loss``, ``accuracy_score``, ``f1_score`` and ``compute_class_weight``.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.metrics import accuracy_score, f1_score, log_loss
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_class_weight

import skmultimlp
from skmultimlp import KerasMultiLabelClassifier
from skmultimlp._early_stopping import float32_threshold, graph_score, validation_score
from skmultimlp._loops import entry_loss
from skmultimlp._outputs import encode
from skmultimlp._targets import MISSING

FAST = dict(hidden_layer_sizes=(8,), epochs=4, random_state=0)


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=240, n_features=8, n_informative=6, n_classes=3, random_state=0
    )
    colour = np.array(["red", "green", "blue"])[y]
    size = np.where(X[:, 0] + (y == 2) > 0.5, "L", "S")  # two classes: a sigmoid head
    count = (y + (X[:, 1] > 0)) % 4  # four classes, ints
    frame = pd.DataFrame({"colour": colour, "size": size, "count": count})
    return X, y, frame


def _targets(y, frame):
    return {
        "binary": np.where(y == 1, "yes", "no"),
        "multiclass": frame["colour"].to_numpy(),
        "multiclass-multioutput": frame,
    }


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multiclass-multioutput"])
def test_each_target_type_fits_predicts_and_scores_in_its_own_values(data, kind):
    X, y, frame = data
    target = _targets(y, frame)[kind]
    before = target.copy()
    clf = KerasMultiLabelClassifier(**FAST).fit(X, target)
    assert clf.target_type_ == kind
    pd.testing.assert_frame_equal(pd.DataFrame(target), pd.DataFrame(before))  # untouched
    pred, proba = clf.predict(X), clf.predict_proba(X)
    if kind == "multiclass-multioutput":
        assert clf.n_outputs_ == 3 and pred.shape == (len(X), 3) and pred.dtype == object
        assert [c.tolist() for c in clf.classes_] == [
            ["blue", "green", "red"],
            ["L", "S"],
            [0, 1, 2, 3],
        ]
        assert [p.shape for p in proba] == [(len(X), 3), (len(X), 2), (len(X), 4)]
        for j, (p, classes) in enumerate(zip(proba, clf.classes_, strict=True)):
            np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-5)
            # Two-class output: the second class where its probability reaches 0.5.
            np.testing.assert_array_equal(pred[:, j], classes[np.argmax(p, axis=1)])
        exact = np.mean(np.all(pred == frame.to_numpy(dtype=object), axis=1))
        assert clf.score(X, frame) == pytest.approx(exact)
    else:
        classes = np.unique(target)
        np.testing.assert_array_equal(clf.classes_, classes)
        assert clf.n_outputs_ == 1 and pred.shape == (len(X),) and set(pred) <= set(classes)
        assert proba.shape == (len(X), len(classes))
        np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
        np.testing.assert_array_equal(pred, classes[np.argmax(proba, axis=1)])
        assert clf.score(X, target) == pytest.approx(accuracy_score(target, pred))


def test_text_zero_one_names_classes_and_numbers_stay_indicators():
    """A 2-D target of the text "0"/"1" holds classes; 0/1 numbers and bools (NaN or -1
    unknown) are a multi-label indicator, as scikit-learn's type_of_target says."""
    text = np.array([["0", "1"], ["1", "0"], ["1", "1"]], dtype=object)
    assert encode(text)[1].target_type == "multiclass-multioutput"
    assert encode(pd.DataFrame(text))[1].target_type == "multiclass-multioutput"
    for indicator in (text.astype(int), text == "1", pd.DataFrame(text.astype(float))):
        assert encode(indicator)[1].target_type == "multilabel-indicator"


def test_binary_threshold_moves_the_decision(data):
    X, y, _ = data
    target = y == 1  # bools
    clf = KerasMultiLabelClassifier(**FAST).fit(X, target)
    p = clf.predict_proba(X)[:, 1]
    for t in (0.3, 0.7):
        np.testing.assert_array_equal(clf.set_params(threshold=t).predict(X), p >= t)


@pytest.mark.single_backend  # quality against scikit-learn; the fit paths run on both
def test_multi_output_learns_what_multi_output_mlp_learns(data):
    """Shared hidden layers: each output's accuracy is near scikit-learn's MLP per output."""
    from sklearn.multioutput import MultiOutputClassifier
    from sklearn.neural_network import MLPClassifier

    X, _, frame = data
    X = StandardScaler().fit_transform(X)
    train, test = slice(0, 180), slice(180, None)
    ours = KerasMultiLabelClassifier(
        hidden_layer_sizes=(32,), epochs=150, dropout=0.0, random_state=0
    ).fit(X[train], frame[train])
    theirs = MultiOutputClassifier(
        MLPClassifier((32,), max_iter=150, random_state=0, batch_size=32)
    ).fit(X[train], frame[train].astype(str))  # its type_of_target refuses mixed types
    truth = frame[test].to_numpy(dtype=object)
    ours_acc = (ours.predict(X[test]) == truth).mean(axis=0)
    theirs_acc = (theirs.predict(X[test]).astype(object) == truth.astype(str)).mean(axis=0)
    assert np.all(ours_acc >= theirs_acc - 0.1), (ours_acc, theirs_acc)
    assert ours_acc.mean() > 0.7


def test_loss_is_scikit_learns_log_loss_averaged_over_outputs(data):
    X, y, frame = data
    Y, outputs = encode(frame)
    assert outputs.heads == (3, 1, 4)
    rng = np.random.default_rng(0)
    blocks = [rng.dirichlet(np.ones(3), len(X)), rng.uniform(size=(len(X), 1))]
    blocks.append(rng.dirichlet(np.ones(4), len(X)))
    proba = np.hstack(blocks).astype(np.float32)
    ours = np.asarray(entry_loss(Y, proba, np.ones(Y.shape[1], np.float32), outputs.heads))
    per_output = [
        log_loss(frame["colour"], blocks[0], labels=outputs.classes[0]),
        log_loss(frame["size"] == "S", blocks[1][:, 0]),
        log_loss(frame["count"], blocks[2], labels=outputs.classes[2]),
    ]
    assert ours.mean() == pytest.approx(np.mean(per_output), rel=1e-5)
    # A missing entry takes its head out of that row's loss; the others stay.
    Y_missing = Y.copy()
    Y_missing[:, 3] = MISSING  # "size" unknown everywhere
    weight = np.ones(Y.shape[1], np.float32)
    missing = np.asarray(entry_loss(Y_missing, proba, weight, outputs.heads))
    assert missing.mean() == pytest.approx((per_output[0] + per_output[2]) / 3, rel=1e-5)


def test_training_loss_is_the_mean_of_the_outputs_log_loss(data):
    """loss_curve_ of a fit that does not move (learning rate ~0, one batch, no Dropout)
    is scikit-learn's log_loss of its own predict_proba, averaged over the outputs."""
    X, y, frame = data
    params = dict(FAST, epochs=1, learning_rate=1e-9, dropout=0.0, batch_size=len(X))
    clf = KerasMultiLabelClassifier(**params).fit(X, frame)
    proba = clf.predict_proba(X)
    expected = np.mean(
        [
            log_loss(frame[c], p, labels=classes)
            for c, p, classes in zip(frame, proba, clf.classes_, strict=True)
        ]
    )
    assert clf.loss_curve_[0] == pytest.approx(expected, rel=1e-5)
    multiclass = KerasMultiLabelClassifier(**params).fit(X, frame["colour"])
    expected = log_loss(frame["colour"], multiclass.predict_proba(X))
    assert multiclass.loss_curve_[0] == pytest.approx(expected, rel=1e-5)


def test_balanced_label_weight_is_scikit_learns_balanced_class_weight(data):
    X, y, frame = data
    clf = KerasMultiLabelClassifier(**FAST, label_weight="balanced")
    clf.fit(X[:200], frame[:200])
    colour = compute_class_weight("balanced", classes=clf.classes_[0], y=frame["colour"][:200])
    count = compute_class_weight("balanced", classes=clf.classes_[2], y=frame["count"][:200])
    size = frame["size"][:200]
    np.testing.assert_allclose(clf.label_weight_[:3], colour, rtol=1e-6)
    assert clf.label_weight_[3] == pytest.approx((size == "L").sum() / (size == "S").sum())
    np.testing.assert_allclose(clf.label_weight_[4:], count, rtol=1e-6)
    with pytest.raises(ValueError, match='None or "balanced"'):
        clone(clf).set_params(label_weight={"red": 2}).fit(X, frame)


@pytest.mark.parametrize("scoring", ["loss", "exact_match", "hamming", "f1_macro"])
def test_early_stopping_scores_are_scikit_learns_per_output(data, scoring):
    """The compiled loops' scores (graph_score) and the host's equal scikit-learn's."""
    X, y, frame = data
    Y, outputs = encode(frame)
    heads = outputs.heads
    rng = np.random.default_rng(1)
    blocks = [rng.dirichlet(np.ones(3), len(X)), rng.uniform(size=(len(X), 1))]
    proba = np.hstack([*blocks, rng.dirichlet(np.ones(4), len(X))]).astype(np.float32)
    on, known = Y == 1, Y != MISSING
    known[:20, 3] = False  # unknown "size" entries
    w = rng.uniform(0.5, 2, len(X)).astype(np.float32)
    threshold = outputs.unit_threshold(0.4)
    label_weight = np.ones(Y.shape[1], np.float32)
    host = validation_score(scoring, on, known, w, threshold, label_weight, heads)(proba)
    graph = graph_score(
        scoring,
        proba,
        on.astype(np.float32),
        known.astype(np.float32),
        w,
        float32_threshold(threshold, Y.shape[1]),
        label_weight,
        heads,
    )
    assert float(graph) == pytest.approx(host, rel=1e-5)
    truth = [frame["colour"].to_numpy(), (frame["size"] == "S").to_numpy(), frame["count"]]
    truth = [np.asarray(t) for t in truth]
    pred = [
        outputs.classes[0][np.argmax(proba[:, :3], axis=1)],
        proba[:, 3] >= 0.4,
        outputs.classes[2][np.argmax(proba[:, 4:], axis=1)],
    ]
    keep = [np.ones(len(X), bool), known[:, 3], np.ones(len(X), bool)]
    if scoring == "exact_match":
        right = np.all([(p == t) | ~k for p, t, k in zip(pred, truth, keep, strict=True)], 0)
        assert host == pytest.approx(np.average(right, weights=w))
    elif scoring == "hamming":
        wrong = sum(np.sum(w * ((p != t) & k)) for p, t, k in zip(pred, truth, keep, strict=True))
        assert -host == pytest.approx(wrong / sum(np.sum(w * k) for k in keep))
    elif scoring == "f1_macro":
        expected = np.mean(
            [
                f1_score(t[k], p[k], average="macro", sample_weight=w[k])
                for p, t, k in zip(pred, truth, keep, strict=True)
            ]
        )
        assert host == pytest.approx(expected)


def test_early_stopping_in_the_compiled_loop_equals_the_host_rule_for_several_outputs(data):
    X, y, frame = data
    params = dict(FAST, epochs=12, early_stopping=True, scoring="f1_macro", tol=0.02)
    target = frame.copy()
    target.loc[:30, "size"] = None  # missing entries, masked
    graph = KerasMultiLabelClassifier(**params).fit(X, target)
    host = KerasMultiLabelClassifier(**params, verbose=1).fit(X, target)  # per-epoch rule
    assert graph.n_iter_ == host.n_iter_
    np.testing.assert_allclose(graph.validation_scores_, host.validation_scores_, atol=1e-6)
    np.testing.assert_allclose(graph.loss_curve_, host.loss_curve_, rtol=1e-5)
    for a, b in zip(graph.predict_proba(X), host.predict_proba(X), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-5)


def test_missing_entries_are_nan_none_or_na_and_train(data):
    X, y, frame = data
    target = frame.astype(object)
    target.iloc[::7, 0] = np.nan
    target.iloc[::5, 1] = None
    target.iloc[::3, 2] = pd.NA
    Y, outputs = encode(target)
    unknown = [target.iloc[:, j].isna().to_numpy() for j in range(3)]
    heads = np.split(Y, np.cumsum(outputs.heads)[:-1], axis=1)
    for head, missing in zip(heads, unknown, strict=True):
        assert np.all(head[missing] == MISSING) and not np.any(head[~missing] == MISSING)
    clf = KerasMultiLabelClassifier(**FAST).fit(X, target)
    assert [len(c) for c in clf.classes_] == [3, 2, 4]  # no class for the missing ones
    assert not pd.isna(clf.predict(X)).any()
    with pytest.raises(ValueError, match="complete y"):
        clf.score(X, target)


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multiclass-multioutput"])
def test_pipeline_grid_search_and_cross_validate(data, kind):
    X, y, frame = data
    target = _targets(y, frame)[kind]
    pipe = make_pipeline(StandardScaler(), KerasMultiLabelClassifier(**FAST))
    # A KFold: with cv=2, scikit-learn's check_cv calls type_of_target, which cannot sort
    # a frame that mixes str and int columns.
    search = GridSearchCV(
        pipe, {"kerasmultilabelclassifier__hidden_layer_sizes": [(4,), (8,)]}, cv=KFold(2)
    )
    search.fit(X, target)
    assert search.best_estimator_.predict(X).shape == np.shape(target)
    scores = cross_validate(pipe, X, target, cv=KFold(3))["test_score"]
    assert scores.shape == (3,) and np.all((scores >= 0) & (scores <= 1))


def test_multi_output_model_saves_and_loads_safely(data, tmp_path):
    X, y, frame = data
    clf = KerasMultiLabelClassifier(**FAST).fit(X, frame)
    path = tmp_path / "model.skops"
    skmultimlp.save(clf, path)
    loaded = skmultimlp.load(path)
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
    for a, b in zip(loaded.predict_proba(X), clf.predict_proba(X), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_clear_errors_for_what_other_target_types_do_not_take(data):
    X, y, frame = data
    clf = KerasMultiLabelClassifier(**FAST).fit(X, frame)
    with pytest.raises(ValueError, match="multi-label target"):
        clf.predict_labels(X)
    with pytest.raises(ValueError, match="3 outputs"):
        clone(clf).set_params(threshold=[0.5, 0.5]).fit(X, frame)
    with pytest.raises(ValueError, match="3 columns"):
        clf.score(X, frame.iloc[:, :2])


def test_batched_search_sparse_x_and_ensembles_take_several_outputs(data):
    import scipy.sparse as sp

    from skmultimlp.model_selection import BatchedGridSearchCV

    X, y, frame = data
    target = frame.to_numpy().astype(str)  # one numpy string type for every output
    grid = {"learning_rate": [1e-3, 1e-2]}
    batched = BatchedGridSearchCV(KerasMultiLabelClassifier(**FAST), grid, cv=KFold(2))
    plain = GridSearchCV(KerasMultiLabelClassifier(**FAST), grid, cv=KFold(2))
    np.testing.assert_allclose(
        batched.fit(X, target).cv_results_["mean_test_score"],
        plain.fit(X, target).cv_results_["mean_test_score"],
        atol=0.02,
    )
    dense = KerasMultiLabelClassifier(**FAST).fit(X, target)
    sparse = KerasMultiLabelClassifier(**FAST).fit(sp.csr_matrix(X), target)
    assert dense.predict(X).dtype == target.dtype  # outputs of one type keep it (not object)
    for a, b in zip(dense.predict_proba(X), sparse.predict_proba(X), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-5)
    pair = KerasMultiLabelClassifier(**FAST, n_networks=2).fit(X, y)
    members = [pair.model_.get_layer(f"network_{i}") for i in range(2)]
    mean = np.mean([np.asarray(m(X.astype(np.float32))) for m in members], axis=0)
    np.testing.assert_allclose(pair.predict_proba(X), mean, atol=1e-6)


def test_model_builder_and_model_fit_path_take_a_softmax_output(data):
    import keras

    X, y, frame = data

    def build(meta):
        assert meta["target_type_"] == "multiclass" and meta["n_outputs_"] == 3
        return keras.Sequential(
            [
                keras.Input((meta["n_features_in_"],)),
                keras.layers.Dense(8, activation="relu"),
                keras.layers.Dense(meta["n_outputs_"], activation="softmax"),
            ]
        )

    target = frame["colour"].to_numpy()
    clf = KerasMultiLabelClassifier(model=build, epochs=3, random_state=0).fit(X, target)
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1, rtol=1e-5)
    # Keras' model.fit (callbacks) trains with the same per-head loss as the compiled loop.
    params = dict(FAST, epochs=2, batch_size=len(X), dropout=0.0)  # same steps on both paths
    loop = KerasMultiLabelClassifier(**params).fit(X, frame)
    with_fit = KerasMultiLabelClassifier(**params, callbacks=[keras.callbacks.History()])
    with_fit.fit(X, frame)
    np.testing.assert_allclose(with_fit.loss_curve_, loop.loss_curve_, rtol=1e-4)

    def sigmoid(meta):
        return keras.Sequential(
            [keras.Input((meta["n_features_in_"],)), keras.layers.Dense(3, activation="sigmoid")]
        )

    with pytest.raises(ValueError, match="softmax"):
        KerasMultiLabelClassifier(model=sigmoid, epochs=1).fit(X, target)
