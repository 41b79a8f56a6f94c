"""The compiled training loop, its cache across fits, early stopping and the model.fit path."""

import os
import subprocess
import sys
import threading
from pathlib import Path

import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_multilabel_classification
from sklearn.metrics import accuracy_score, f1_score, hamming_loss, log_loss
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state

import skmultimlp._trainer as trainer
from skmultimlp import KerasMultiLabelClassifier
from skmultimlp._cache import LoopPool, loop_key
from skmultimlp._early_stopping import EarlyStopping, uses_early_stopping
from skmultimlp._loops import entry_loss, padded_length, require_supported_backend
from skmultimlp._targets import MISSING

from .conftest import FAST

# The repository root: a subprocess gets it on PYTHONPATH to import this checkout's package.
ROOT = Path(__file__).resolve().parent.parent


def _predict(params, X, y):
    return KerasMultiLabelClassifier(**params).fit(X, y).predict_proba(X)


@pytest.fixture
def fresh_pool(monkeypatch):
    """An empty cache for this test only."""
    pool = LoopPool()
    monkeypatch.setattr(trainer, "POOL", pool)
    return pool


def test_cached_fit_equals_uncached_fit(data, fresh_pool, monkeypatch):
    X, y = data
    first = _predict(FAST, X, y)
    assert len(fresh_pool) == 1
    # Another fit of the same shape trains the cached loop with other weights and data...
    _predict({**FAST, "random_state": 7}, X[:100], y[:100])
    assert len(fresh_pool) == 1
    # ...and a later fit still starts from its own seeded weights and a fresh optimizer.
    np.testing.assert_array_equal(_predict(FAST, X, y), first)
    monkeypatch.setattr(trainer, "POOL", LoopPool(maxsize=0))
    np.testing.assert_array_equal(_predict(FAST, X, y), first)


# Run in a new process, whose XLA (TensorFlow's or JAX's, per KERAS_BACKEND) dumps each
# module it compiles into the folder given in XLA_FLAGS: one module_NNNN prefix per
# compilation. The training loop's modules are named after the function it compiles,
# the loop's _epochs method. The 109 rows split into training folds of 72, 73 and 73
# rows: 9 and 10 batches of 8, both padded to 10 batches, so they share a compiled shape.
COUNT_COMPILATIONS = """
import sys
from pathlib import Path

from sklearn.datasets import make_multilabel_classification
from sklearn.model_selection import GridSearchCV, KFold

from skmultimlp import KerasMultiLabelClassifier


def compilations():
    names = [p.name for p in Path(sys.argv[1]).iterdir() if "_epochs" in p.name]
    return len({name.split(".")[0] for name in names})


X, y = make_multilabel_classification(n_samples=109, n_features=6, n_classes=3, random_state=0)
est = KerasMultiLabelClassifier(epochs=2, batch_size=8, early_stopping=False, random_state=0)
grid = {"learning_rate": [1e-3, 1e-2], "hidden_layer_sizes": [(8,), (16,)]}
GridSearchCV(est, grid, cv=KFold(3), refit=False).fit(X, y)
print(compilations())
est.set_params(hidden_layer_sizes=(8,)).fit(X, y)  # 14 batches: another shape
print(compilations())
"""


def test_folds_and_grid_candidates_of_one_shape_compile_once(tmp_path):
    dump = tmp_path / "xla"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    env["XLA_FLAGS"] = (
        f"{env.get('XLA_FLAGS', '')} --xla_dump_to={dump} --xla_dump_hlo_module_re=.*_epochs.*"
    )
    script = tmp_path / "count_compilations.py"
    script.write_text(COUNT_COMPILATIONS)
    run = subprocess.run(
        [sys.executable, str(script), str(dump)], env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr[-3000:]
    after_grid, after_refit = map(int, run.stdout.split()[-2:])
    # 12 fits of folds with 72 or 73 rows: one compilation per architecture (the learning
    # rate is loaded per fit); a fit on all 109 rows compiles its own shape.
    assert (after_grid, after_refit) == (2, 3)


def test_learning_rate_is_per_fit_not_per_cache_entry(data, fresh_pool):
    X, y = data
    slow = {**FAST, "learning_rate": 1e-4}
    alone = _predict(slow, X, y)
    fresh_pool.clear()
    _predict({**FAST, "learning_rate": 1e-1}, X, y)  # the cached loop now holds lr 0.1
    np.testing.assert_array_equal(_predict(slow, X, y), alone)


def test_alpha_dropout_and_prior_are_per_fit_not_per_cache_entry(data, fresh_pool, monkeypatch):
    X, y = data
    built = []
    original = trainer.make_loop
    monkeypatch.setattr(trainer, "make_loop", lambda *a, **k: built.append(1) or original(*a, **k))
    params = {**FAST, "alpha": 1.0, "dropout": 0.3, "output_bias_init": "prior"}
    alone = _predict(params, X, y)
    # The same cached loop trains another alpha, other seeds (Dropout's too), zero bias...
    other = {**params, "alpha": 5.0, "output_bias_init": "zeros", "random_state": 7}
    _predict(other, X[:100], y[:100])
    assert len(built) == len(fresh_pool) == 1
    # ...and a later fit still gets its own alpha, Dropout seeds and prior bias.
    np.testing.assert_array_equal(_predict(params, X, y), alone)


@pytest.mark.single_backend
def test_cache_is_bounded_least_recently_used_first():
    pool = LoopPool(maxsize=2)
    pool.checkin("a", "loop a")
    pool.checkin("b", "loop b")
    assert pool.checkout("a") == "loop a"
    pool.checkin("a", "loop a")  # "a" is now the most recently used
    pool.checkin("c", "loop c")
    assert len(pool) == 2
    assert pool.checkout("b") is None
    assert pool.checkout("a") == "loop a"
    assert pool.checkout("a") is None  # checked out: no one else gets it
    assert pool.checkout(None) is None


def test_concurrent_fits_in_threads_equal_serial_fits(data, fresh_pool):
    X, y = data
    seeds = [0, 1, 2]
    serial = [_predict({**FAST, "random_state": s}, X, y) for s in seeds]
    results = {}

    def fit(seed):
        results[seed] = _predict({**FAST, "random_state": seed}, X, y)

    threads = [threading.Thread(target=fit, args=(s,)) for s in seeds]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for seed, expected in zip(seeds, serial, strict=True):
        np.testing.assert_array_equal(results[seed], expected)


def _mlp(n_features, n_labels, hidden=8):
    return keras.Sequential(
        [
            keras.Input((n_features,)),
            keras.layers.Dense(hidden, activation="relu"),
            keras.layers.Dense(n_labels, activation="sigmoid"),
        ]
    )


@pytest.mark.single_backend
def test_cache_key_ignores_names_seeds_and_learning_rate_only():
    shape = dict(batch_size=32, n_features=4, n_labels=2, sparse=False)
    key = loop_key(_mlp(4, 2), keras.optimizers.Adam(1e-3), **shape)
    assert key is not None
    assert loop_key(_mlp(4, 2), keras.optimizers.Adam(5e-2), **shape) == key
    assert loop_key(_mlp(4, 2, hidden=9), keras.optimizers.Adam(), **shape) != key
    assert loop_key(_mlp(4, 2), keras.optimizers.Adam(beta_1=0.8), **shape) != key
    assert loop_key(_mlp(4, 2), keras.optimizers.SGD(), **shape) != key
    assert loop_key(_mlp(4, 2), keras.optimizers.Adam(), **{**shape, "batch_size": 16}) != key

    class Custom(keras.layers.Dense):
        pass

    custom = keras.Sequential([keras.Input((4,)), Custom(2, activation="sigmoid")])
    assert loop_key(custom, keras.optimizers.Adam(), **shape) is None


@pytest.fixture
def no_model_fit(monkeypatch):
    """Training through Keras' model.fit fails the test: the compiled loop must be taken."""
    calls = []

    def model_fit(*args, **kwargs):
        calls.append(1)
        raise AssertionError("trained through model.fit instead of the compiled loop")

    monkeypatch.setattr(trainer, "_train_with_fit", model_fit)
    yield
    assert not calls, "trained through model.fit instead of the compiled loop"


def test_user_builder_takes_the_compiled_path_and_is_cached(data, fresh_pool, no_model_fit):
    X, y = data

    def build(meta):
        return _mlp(meta["n_features_in_"], meta["n_outputs_"])

    clf = KerasMultiLabelClassifier(model=build, epochs=3, random_state=0)
    clf.fit(X, y)
    clone(clf).fit(X, y)
    assert len(fresh_pool) == 1
    assert clf.n_iter_ == 3


def test_dropout_and_regularizers_train_on_the_compiled_path(data, fresh_pool, no_model_fit):
    X, y = data

    def build(meta):
        return keras.Sequential(
            [
                keras.Input((meta["n_features_in_"],)),
                keras.layers.Dense(
                    16,
                    activation="relu",
                    kernel_initializer=keras.initializers.HeUniform(seed=meta["seed"]),
                    kernel_regularizer=keras.regularizers.L2(0.1),
                ),
                keras.layers.Dropout(0.3, seed=meta["seed"] + 1),
                keras.layers.Dense(
                    meta["n_outputs_"],
                    activation="sigmoid",
                    kernel_initializer=keras.initializers.GlorotUniform(seed=meta["seed"] + 2),
                ),
            ]
        )

    a = KerasMultiLabelClassifier(model=build, epochs=5, random_state=0).fit(X, y)
    assert len(fresh_pool) == 1  # its compiled loop, kept for the next fit
    b = KerasMultiLabelClassifier(model=build, epochs=5, random_state=0).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    # The L2 penalty is part of the reported loss: larger than the data loss alone.
    plain = KerasMultiLabelClassifier(hidden_layer_sizes=(16,), epochs=5, random_state=0)
    assert a.loss_curve_[0] > plain.fit(X, y).loss_curve_[0]


@pytest.mark.single_backend
def test_padded_length_whole_batches_and_at_most_a_quarter_more():
    for n in [1, 5, 31, 32, 33, 100, 900, 1000, 12345, 100_000]:
        for batch_size in [1, 7, 32, 200]:
            length = padded_length(n, batch_size)
            assert length % batch_size == 0
            assert length >= n
            whole = -(-n // batch_size) * batch_size
            assert length <= max(4 * batch_size, 1.25 * whole)
    # CV folds of 900 rows and the refit on 1000 share one compilation.
    assert padded_length(900, 32) == padded_length(1000, 32)
    # Large data (100k rows of 100 float32 features) only completes its last batch.
    assert padded_length(100_000, 32, row_bytes=400) == 100_000
    assert padded_length(100_001, 32, row_bytes=400) == 100_032


@pytest.mark.single_backend
def test_early_stopping_rule_is_mlpclassifiers():
    kept = []
    stopping = EarlyStopping(lambda s: s, None, n_iter_no_change=2, tol=0.01)
    scores = [0.5, 0.6, 0.605, 0.62, 0.61, 0.6, 0.7]
    stops = [stopping.update(s, lambda s=s: kept.append(s) or s) for s in scores]
    # No-improvement counts: 0, 0, 1 (0.605 < 0.6 + tol), 0, 1, 2, 0: never more than 2.
    assert stops == [False] * 7
    assert stopping.best_score == 0.7
    stopping = EarlyStopping(lambda s: s, None, n_iter_no_change=2, tol=0.01)
    stops = [stopping.update(s, lambda s=s: s) for s in [0.5, 0.6, 0.6, 0.6, 0.6]]
    assert stops == [False, False, False, False, True]
    assert stopping.best_score == 0.6
    assert stopping.best_weights == 0.6  # weights of the first epoch that reached it


def test_early_stopping_stops_and_reports_like_mlpclassifier(data):
    X, y = data
    clf = KerasMultiLabelClassifier(
        (16,),
        epochs=200,
        learning_rate=0.05,
        early_stopping=True,
        n_iter_no_change=3,
        random_state=0,
    ).fit(X, y)
    assert clf.n_iter_ < 200
    assert len(clf.loss_curve_) == len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.best_loss_ is None
    plain = KerasMultiLabelClassifier(**FAST).fit(X, y)
    assert plain.validation_scores_ is None and plain.best_validation_score_ is None
    assert plain.best_loss_ == min(plain.loss_curve_)
    assert plain.n_iter_ == FAST["epochs"]


def test_early_stopping_keeps_the_best_epochs_weights(data):
    X, y = data
    params = dict(
        hidden_layer_sizes=(16,),
        learning_rate=0.05,
        early_stopping=True,
        n_iter_no_change=3,
        random_state=0,
    )
    stopped = KerasMultiLabelClassifier(epochs=200, **params).fit(X, y)
    best_epoch = int(np.argmax(stopped.validation_scores_)) + 1
    # Training the same fit for exactly the best epoch's count gives the kept weights.
    short = KerasMultiLabelClassifier(epochs=best_epoch, **params).fit(X, y)
    np.testing.assert_allclose(stopped.predict_proba(X), short.predict_proba(X), rtol=1e-5)


@pytest.mark.parametrize("scoring", ["loss", "f1_macro"])
def test_early_stopping_in_the_compiled_loop_equals_the_host_rule(data, scoring):
    # verbose=1 runs one epoch per call and applies the rule in Python (the progress bar
    # needs each epoch); verbose=0 runs the rule inside the compiled function.
    X, y = data
    params = dict(
        hidden_layer_sizes=(16,),
        epochs=60,
        learning_rate=0.05,
        early_stopping=True,
        n_iter_no_change=3,
        tol=0.03,  # some improvements count, smaller ones do not (MLPClassifier's rule)
        scoring=scoring,
        random_state=0,
    )
    in_graph = KerasMultiLabelClassifier(**params).fit(X, y)
    on_host = KerasMultiLabelClassifier(**params, verbose=1).fit(X, y)
    assert in_graph.n_iter_ == on_host.n_iter_ < params["epochs"]
    best = int(np.argmax(on_host.validation_scores_))
    assert int(np.argmax(in_graph.validation_scores_)) == best
    np.testing.assert_allclose(in_graph.validation_scores_, on_host.validation_scores_, rtol=1e-6)
    np.testing.assert_allclose(in_graph.loss_curve_, on_host.loss_curve_, rtol=1e-6)
    assert in_graph.best_validation_score_ == pytest.approx(on_host.best_validation_score_)
    for a, b in zip(in_graph.model_.get_weights(), on_host.model_.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_a_default_fit_makes_one_call_into_the_compiled_loop(data, monkeypatch):
    # Early stopping on: the whole fit, validation passes and weight copies included, is
    # one call of the compiled function; nothing returns to Python between epochs.
    X, y = data
    calls = []
    real_make_loop = trainer.make_loop

    def counting_make_loop(*args, **kwargs):
        loop = real_make_loop(*args, **kwargs)
        for name in ("run", "run_stopping", "predict_proba", "weights"):
            method = getattr(loop, name)
            monkeypatch.setattr(
                loop, name, lambda *a, _m=method, _n=name, **k: calls.append(_n) or _m(*a, **k)
            )
        return loop

    monkeypatch.setattr(trainer, "make_loop", counting_make_loop)
    monkeypatch.setattr(trainer, "POOL", LoopPool())
    monkeypatch.setattr(EarlyStopping, "update", lambda *a: pytest.fail("the rule ran in Python"))
    clf = KerasMultiLabelClassifier(
        (16,), epochs=40, learning_rate=0.05, early_stopping=True, random_state=0
    ).fit(X, y)
    assert calls == ["run_stopping"]
    assert 1 < clf.n_iter_ == len(clf.validation_scores_)


# Early stopping with sample weights and missing labels, checked through the public API
# against scikit-learn: which epoch is kept, and the validation score itself.
ES_PARAMS = dict(
    hidden_layer_sizes=(8,),
    epochs=8,
    learning_rate=0.1,  # large steps: the validation score peaks before the last epoch
    early_stopping=True,
    n_iter_no_change=100,  # every epoch runs: validation_scores_ has one score per epoch
    validation_fraction=0.1,
    random_state=0,
)


def _reference_score(scoring, y_val, proba, w, label_weight):
    """Early stopping's validation score of ``proba`` on the validation rows, from
    scikit-learn's metrics on the known entries (NaN: unknown) with the sample weights.

    A row with no known label carries no weight. ``"loss"`` is minus the training loss:
    the masked binary cross-entropy, positive entries weighted by ``label_weight``,
    averaged over all the labels (an unknown entry adds 0), then over the rows.
    """
    known = ~np.isnan(y_val)
    on = np.where(known, y_val, 0).astype(int)
    w = w * known.any(axis=1)
    row_w = np.broadcast_to(w[:, None], on.shape)
    pred = (proba >= 0.5).astype(int)
    if scoring == "loss":
        entry_w = row_w * np.where(on == 1, label_weight, 1.0)
        total = log_loss(
            on[known],
            proba[known].astype(np.float64),
            sample_weight=entry_w[known],
            normalize=False,
            labels=[0, 1],
        )
        return -total / (on.shape[1] * w.sum())
    if scoring == "exact_match":
        # An unknown entry is never wrong: fill it in with the prediction.
        return accuracy_score(np.where(known, on, pred), pred, sample_weight=w)
    if scoring == "hamming":
        return -hamming_loss(on[known], pred[known], sample_weight=row_w[known])
    return np.mean(
        [
            f1_score(on[rows, j], pred[rows, j], sample_weight=w[rows], zero_division=0)
            for j, rows in enumerate(known.T)
            if rows.any()
        ]
    )


def _validation_rows(X, y, sample_weight, label_weight, params):
    """The rows early stopping held out, found through the public API, and the 1-epoch
    fit (scored on the loss) that found them.

    They are ``train_test_split(np.arange(n), test_size=validation_fraction,
    random_state=seed)`` with ``seed`` a ``randint(2**31 - 1)`` draw of
    ``check_random_state(random_state)``; which draw (the network's seeds come first) is
    an implementation detail. Exactly one candidate must give, recomputed with
    scikit-learn, the validation loss that a 1-epoch fit reports.
    """
    once = KerasMultiLabelClassifier(**{**params, "epochs": 1, "scoring": "loss"})
    once.fit(X, y, sample_weight=sample_weight)
    proba = once.predict_proba(X)
    w = np.ones(len(X)) if sample_weight is None else sample_weight
    found = []
    for n_draws in range(12):
        rng = check_random_state(params["random_state"])
        seeds = [rng.randint(2**31 - 1) for _ in range(n_draws + 1)]
        _, val = train_test_split(
            np.arange(len(X)), test_size=params["validation_fraction"], random_state=seeds[-1]
        )
        score = _reference_score("loss", y[val], proba[val], w[val], label_weight)
        if score == pytest.approx(once.validation_scores_[0], rel=1e-5):
            found.append(val)
    assert len(found) == 1, f"{len(found)} candidate validation splits match, not 1"
    return found[0], once


def _stopping_data(missing=False, weighted=False):
    """200 rows of 6 standardised features (no saturated probabilities: clipping aside)
    and 3 labels; unknown entries (NaN) and sample weights if asked for.

    Every fit of the early-stopping tests below has this shape and ES_PARAMS' network, so
    their compiled programs (one per scoring and number of epochs) are shared.
    """
    X, y = make_multilabel_classification(
        n_samples=200, n_features=6, n_classes=3, n_labels=2, random_state=0
    )
    X = StandardScaler().fit_transform(X)
    rng = np.random.RandomState(0)
    sample_weight = None
    if weighted:
        sample_weight = rng.uniform(0.2, 3.0, len(X))
        sample_weight[rng.uniform(size=len(X)) < 0.1] = 0.0
    if missing:
        y = y.astype(float)
        y[rng.uniform(size=y.shape) < 0.3] = np.nan
        y[rng.uniform(size=len(y)) < 0.1] = np.nan  # rows with no known label
    return X, y, sample_weight


STOPPING_CASES = {
    "sample_weight": dict(missing=False, weighted=True, label_weight=None),
    "missing_labels": dict(missing=True, weighted=False, label_weight=[1.0, 3.0, 0.5]),
    "missing_labels_and_sample_weight": dict(missing=True, weighted=True, label_weight=None),
}


@pytest.fixture(scope="module")
def stopping_case(request):
    case = STOPPING_CASES[request.param]
    X, y, sample_weight = _stopping_data(case["missing"], case["weighted"])
    params = dict(ES_PARAMS, label_weight=case["label_weight"])
    label_weight = np.ones(y.shape[1]) if case["label_weight"] is None else params["label_weight"]
    val, once = _validation_rows(X, y, sample_weight, np.asarray(label_weight), params)
    if case["missing"]:
        # The split holds rows with no known label and unknown entries of known rows.
        assert np.isnan(y[val]).all(axis=1).any()
        assert (np.isnan(y[val]) & ~np.isnan(y[val]).all(axis=1, keepdims=True)).any()
    if case["weighted"]:
        assert (sample_weight[val] == 0).any() and len(np.unique(sample_weight[val])) > 2
    return X, y, sample_weight, label_weight, params, val, once


# Every score on the case with both weights and unknown entries; the loss on each alone.
STOPPING_TESTS = [
    ("missing_labels_and_sample_weight", scoring, "loop")
    for scoring in ["loss", "exact_match", "hamming", "f1_macro"]
] + [
    (case, "loss", "loop") for case in STOPPING_CASES if case != "missing_labels_and_sample_weight"
]
# With a Keras callback, training goes through model.fit: the same rule and scores.
STOPPING_TESTS.append(("missing_labels_and_sample_weight", "loss", "model.fit"))
# On JAX, one of them: test_early_stopping_scores_match_scikit_learn checks each score of
# the compiled loop there, test_early_stopping_in_the_compiled_loop_equals_the_host_rule
# its rule.
ON_BOTH_BACKENDS = ("missing_labels_and_sample_weight", "loss", "loop")


@pytest.mark.parametrize(
    "stopping_case, scoring, path",
    [
        test if test == ON_BOTH_BACKENDS else pytest.param(*test, marks=pytest.mark.single_backend)
        for test in STOPPING_TESTS
    ],
    indirect=["stopping_case"],
)
def test_early_stopping_with_weights_and_missing_labels_matches_scikit_learn(
    stopping_case, scoring, path
):
    X, y, sample_weight, label_weight, params, val, once = stopping_case
    w = np.ones(len(X)) if sample_weight is None else sample_weight
    lw = np.asarray(label_weight)
    callbacks = [keras.callbacks.Callback()] if path == "model.fit" else None

    def fit(**changes):
        changes = {"scoring": scoring, "callbacks": callbacks, **changes}
        clf = KerasMultiLabelClassifier(**{**params, **changes})
        return clf.fit(X, y, sample_weight=sample_weight)

    full = fit()
    scores = full.validation_scores_
    assert full.n_iter_ == len(scores) == len(full.loss_curve_) == params["epochs"]
    best = int(np.argmax(scores))  # the first epoch of the best score
    assert full.best_validation_score_ == scores[best]
    # The kept weights are the best epoch's: training exactly that many epochs gives them.
    short = fit(epochs=best + 1)
    np.testing.assert_allclose(short.validation_scores_, scores[: best + 1], rtol=1e-6)
    np.testing.assert_allclose(full.predict_proba(X), short.predict_proba(X), rtol=1e-5)
    # The kept model's validation score, recomputed with scikit-learn...
    expected = _reference_score(scoring, y[val], full.predict_proba(X[val]), w[val], lw)
    assert full.best_validation_score_ == pytest.approx(expected, rel=1e-5, abs=1e-7)
    # ...and so is the first epoch's. The loop trained the fixture's 1-epoch fit: its
    # weights are every scoring's after one epoch (the scoring only picks the epoch kept).
    first = once if path == "loop" else fit(epochs=1)
    expected = _reference_score(scoring, y[val], first.predict_proba(X[val]), w[val], lw)
    assert scores[0] == pytest.approx(expected, rel=1e-5, abs=1e-7)


@pytest.mark.parametrize("scoring", ["loss", "exact_match", "hamming", "f1_macro"])
def test_early_stopping_scores_match_scikit_learn(scoring):
    # Complete labels, no weights: scikit-learn's own metrics. The data, network and epochs
    # of the test above, whose compiled programs these fits reuse.
    X, y, _ = _stopping_data()
    clf = KerasMultiLabelClassifier(**ES_PARAMS, scoring=scoring).fit(X, y)
    assert len(clf.validation_scores_) == clf.n_iter_
    # The score of the kept weights, recomputed with scikit-learn on the same split.
    val, _ = _validation_rows(X, y, None, np.ones(y.shape[1]), ES_PARAMS)
    proba = clf.predict_proba(X[val])
    expected = {
        "loss": lambda: -log_loss(y[val].ravel(), proba.ravel(), labels=[0, 1]),
        "exact_match": lambda: accuracy_score(y[val], proba >= 0.5),
        "hamming": lambda: -hamming_loss(y[val], proba >= 0.5),
        "f1_macro": lambda: f1_score(y[val], proba >= 0.5, average="macro", zero_division=0),
    }[scoring]()
    assert clf.best_validation_score_ == pytest.approx(expected, rel=1e-4, abs=1e-6)


@pytest.mark.single_backend
def test_early_stopping_scoring_is_checked(data):
    X, y = data
    with pytest.raises(ValueError, match=r"scoring must be one of \['loss'.*got 'auc'"):
        KerasMultiLabelClassifier(early_stopping=True, scoring="auc").fit(X, y)


class _Recorder(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.epochs = []

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append(epoch)


def test_keras_callbacks_run_through_model_fit(data):
    X, y = data
    seen = []  # fit runs a copy of the callback; the function it calls is the same
    recorder = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
    clf = KerasMultiLabelClassifier(**{**FAST, "callbacks": [recorder]}).fit(X, y)
    assert seen == list(range(FAST["epochs"]))
    assert clf.n_iter_ == len(clf.loss_curve_) == FAST["epochs"]
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    again = KerasMultiLabelClassifier(**{**FAST, "callbacks": [_Recorder()]}).fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X), again.predict_proba(X), rtol=1e-6)
    stopped = KerasMultiLabelClassifier(
        (16,),
        epochs=200,
        learning_rate=0.05,
        early_stopping=True,
        n_iter_no_change=3,
        callbacks=[_Recorder()],
        random_state=0,
    ).fit(X, y)
    assert stopped.n_iter_ < 200
    assert len(stopped.validation_scores_) == stopped.n_iter_


def test_custom_train_step_falls_back_to_model_fit(data, monkeypatch):
    X, y = data
    calls = []

    class Counting(keras.Sequential):
        def train_step(self, *args, **kwargs):
            calls.append(1)
            return super().train_step(*args, **kwargs)

    def build(meta):
        return Counting(
            [
                keras.Input((meta["n_features_in_"],)),
                keras.layers.Dense(meta["n_outputs_"], activation="sigmoid"),
            ]
        )

    # Keras traces train_step once per compiled function, so it is called at least once.
    clf = KerasMultiLabelClassifier(model=build, epochs=3, random_state=0).fit(X, y)
    assert calls
    assert clf.n_iter_ == 3


@pytest.mark.single_backend
def test_unsupported_backend_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(keras.backend, "backend", lambda: "torch")
    with pytest.raises(RuntimeError, match="KERAS_BACKEND is 'torch'"):
        require_supported_backend()


@pytest.mark.single_backend
@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"early_stopping": "yes"}, TypeError, "early_stopping"),
        ({"validation_fraction": 0.0}, ValueError, "validation_fraction"),
        ({"validation_fraction": 1.0}, ValueError, "validation_fraction"),
        ({"validation_fraction": float("nan")}, ValueError, "validation_fraction"),
        ({"n_iter_no_change": 0}, ValueError, "n_iter_no_change"),
        ({"tol": -1.0}, ValueError, "tol"),
        ({"callbacks": [1]}, TypeError, "callbacks"),
        ({"callbacks": 3}, TypeError, "callbacks"),
    ],
)
def test_bad_training_parameters(data, params, error, match):
    X, y = data
    with pytest.raises(error, match=match):
        KerasMultiLabelClassifier(**{**FAST, **params}).fit(X, y)


@pytest.mark.single_backend
@pytest.mark.parametrize(
    "n_rows, frequency, missing, expected",
    [
        (999, 0.5, 0.0, False),  # too few rows
        (1000, 0.5, 0.0, True),
        (1000, 0.2, 0.0, False),  # labels rare on average
        (1000, 0.3, 0.0, True),
        # Frequencies count known entries only: 0.3 of the known ones, 0.15 of all.
        (2000, 0.3, 0.5, True),
    ],
)
def test_auto_early_stopping_rule(n_rows, frequency, missing, expected):
    rng = np.random.RandomState(0)
    n_on = round(frequency * n_rows * (1 - missing))
    Y = np.zeros((n_rows, 4), dtype=np.int8)
    Y[:n_on] = 1
    Y[n_rows - round(missing * n_rows) :] = MISSING
    assert uses_early_stopping("auto", Y[rng.permutation(n_rows)]) is expected
    assert uses_early_stopping(True, Y) and not uses_early_stopping(False, Y)


@pytest.mark.single_backend
def test_early_stopping_on_too_few_rows_is_a_clear_error():
    X = np.random.RandomState(0).rand(1, 3)
    with pytest.raises(ValueError, match="early_stopping"):
        KerasMultiLabelClassifier(epochs=2, early_stopping=True).fit(X, [[0, 1]])


def test_entry_loss_is_masked_weighted_binary_crossentropy():
    rng = np.random.default_rng(0)
    proba = rng.uniform(0.05, 0.95, size=(6, 3)).astype(np.float32)
    y = rng.integers(0, 2, size=(6, 3)).astype(np.uint8)
    y[0, 1] = y[3, 2] = MISSING
    label_weight = np.array([1.0, 5.0, 0.5], np.float32)
    got = keras.ops.convert_to_numpy(entry_loss(y, proba, label_weight))
    on = (y == 1).astype(float)
    bce = -(on * np.log(proba) + (1 - on) * np.log(1 - proba))
    weight = (y != MISSING) * np.where(on == 1, label_weight, 1.0)
    np.testing.assert_allclose(got, (bce * weight).mean(axis=1), rtol=1e-5)
    # Complete labels and unit weights: exactly Keras' binary cross-entropy.
    y[y == MISSING] = 0
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(entry_loss(y, proba, np.ones(3, np.float32))),
        keras.ops.convert_to_numpy(keras.losses.binary_crossentropy(y.astype(np.float32), proba)),
        rtol=1e-6,
    )


def test_batch_normalization_never_sees_padding_rows():
    # Identical rows: every real batch has the mean c and the variance 0, whatever the
    # order, so after k batches Keras' moving averages are exactly c * (1 - m**k) and
    # m**k. 100 rows in batches of 32 leave a last batch of 4 rows; padded with zeros to
    # 32, its mean would be c / 8 and its variance positive.
    c = np.arange(1.0, 5.0)
    X = np.tile(c, (100, 1))
    y = np.random.RandomState(0).randint(0, 2, size=(100, 2))
    momentum = 0.9

    def build(meta):
        return keras.Sequential(
            [
                keras.Input((4,)),
                keras.layers.BatchNormalization(momentum=momentum),
                keras.layers.Dense(2, activation="sigmoid"),
            ]
        )

    clf = KerasMultiLabelClassifier(
        model=build, epochs=2, batch_size=32, early_stopping=False, random_state=0
    ).fit(X, y)
    norm = clf.model_.layers[0]
    k = 2 * 4  # epochs x batches
    np.testing.assert_allclose(norm.moving_mean.numpy(), c * (1 - momentum**k), rtol=1e-5)
    np.testing.assert_allclose(norm.moving_variance.numpy(), np.full(4, momentum**k), rtol=1e-5)


@pytest.mark.single_backend
def test_the_callbacks_passed_are_not_changed(data):
    X, y = data

    class Count(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.epochs = 0

        def on_epoch_end(self, epoch, logs=None):
            self.epochs += 1

    count = Count()
    clf = KerasMultiLabelClassifier(**{**FAST, "epochs": 2}, callbacks=[count]).fit(X, y)
    assert clf.n_iter_ == 2
    assert count.epochs == 0 and count.model is None
    assert clf.get_params()["callbacks"][0] is count
