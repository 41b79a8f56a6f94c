"""Grid search spread over processes: a Dask cluster and joblib's loky workers.

The estimator travels to the workers pickled, trains there, and comes back with its scores;
a parallel search must pick the same candidate with the same scores as a serial one.
"""

import importlib
import logging
import pickle

import joblib
import numpy as np
import pytest
from sklearn.datasets import make_multilabel_classification
from sklearn.model_selection import GridSearchCV, KFold

from skmultimlp import SCORERS, KerasMultiLabelClassifier

distributed = pytest.importorskip("dask.distributed")

# One architecture: each process compiles one training loop, which its fits of every
# learning rate share (what differs between the searches is where the fits run).
GRID = {"learning_rate": [1e-3, 3e-3, 1e-2, 3e-2]}


@pytest.fixture(scope="module")
def data():
    return make_multilabel_classification(
        n_samples=200, n_features=10, n_classes=3, n_labels=2, random_state=0
    )


@pytest.fixture(scope="module")
def client():
    # Worker processes start with a fresh interpreter and import TensorFlow: a few seconds.
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def search(n_jobs):
    return GridSearchCV(
        KerasMultiLabelClassifier((8,), epochs=5, random_state=0),
        GRID,
        scoring=SCORERS["f1_macro"],
        cv=KFold(n_splits=2),
        n_jobs=n_jobs,
    )


@pytest.fixture(scope="module")
def serial(data):
    return search(n_jobs=None).fit(*data)


def assert_same_search(parallel, serial):
    assert parallel.best_params_ == serial.best_params_
    np.testing.assert_allclose(
        parallel.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"], atol=1e-6
    )


def test_dask_search_matches_serial(client, data, serial):
    with joblib.parallel_backend("dask"):
        parallel = search(n_jobs=-1).fit(*data)
    assert_same_search(parallel, serial)
    # The fits ran in the worker processes, which compiled and cached training loops there.
    loops = client.run(lambda: len(importlib.import_module("skmultimlp._cache").POOL))
    assert len(loops) == 2 and sum(loops.values()) > 0


def test_loky_search_matches_serial(data, serial):
    parallel = search(n_jobs=2).fit(*data)
    assert_same_search(parallel, serial)


def test_best_estimator_pickles(data, serial):
    X, _ = data
    best = serial.best_estimator_
    loaded = pickle.loads(pickle.dumps(best))
    np.testing.assert_array_equal(loaded.predict_proba(X), best.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), best.predict(X))
