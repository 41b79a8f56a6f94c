"""Shared small data and fitted estimators (one fit each, reused across tests)."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402
import scipy.linalg  # noqa: E402, F401 - loads SciPy's BLAS before the limit below
from sklearn.datasets import make_multilabel_classification  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from skmultimlp import KerasMultiLabelClassifier  # noqa: E402

# NumPy's and SciPy's BLAS on one thread: the tests' matrices are small, and on a 2-core
# machine a second BLAS thread mostly spins (scikit-learn's MLPClassifier fits of
# test_thresholds.py took over ten times the CPU time with two). Keras' backends keep
# their own thread pools.
threadpool_limits(limits=1, user_api="blas")

# Fixed-length training of a plain network (no early stopping, dropout or prior bias): the
# behaviour most tests pin down exactly. test_classifier.py covers the defaults themselves.
PLAIN = dict(early_stopping=False, dropout=0.0, output_bias_init="zeros")
FAST = dict(hidden_layer_sizes=(16,), epochs=8, random_state=0, **PLAIN)


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "single_backend: checked on one backend only (make test's TensorFlow pass): what it "
        "tests does not differ per backend, or another test checks the part that does on "
        'both. make test\'s JAX pass deselects it (-m "not single_backend").',
    )


@pytest.fixture(scope="session")
def data():
    """120 samples, 6 features, 3 labels: small enough for many fits."""
    X, y = make_multilabel_classification(
        n_samples=120, n_features=6, n_classes=3, n_labels=2, random_state=0
    )
    return X, y


@pytest.fixture(scope="session")
def fitted(data):
    X, y = data
    return KerasMultiLabelClassifier(**FAST).fit(X, y)
