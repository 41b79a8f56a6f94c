import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_multilabel_classification
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier

from skmultimlp.metrics import (
    SCORERS,
    exact_match_score,
    hamming_loss,
    macro_f1_score,
    multilabel_report,
)

rng = np.random.RandomState(0)
Y_TRUE = rng.randint(0, 2, size=(50, 4))
Y_PRED = rng.randint(0, 2, size=(50, 4))
Y_PRED[:, 3] = 0  # a label never predicted: zero_division matters
Y_PROBA = np.clip(Y_TRUE * 0.6 + rng.uniform(0, 0.4, size=Y_TRUE.shape), 0, 1)


def test_metric_wrappers_equal_sklearn():
    assert exact_match_score(Y_TRUE, Y_PRED) == skm.accuracy_score(Y_TRUE, Y_PRED)
    assert hamming_loss(Y_TRUE, Y_PRED) == skm.hamming_loss(Y_TRUE, Y_PRED)
    assert macro_f1_score(Y_TRUE, Y_PRED) == skm.f1_score(
        Y_TRUE, Y_PRED, average="macro", zero_division=0
    )
    w = rng.uniform(size=50)
    assert exact_match_score(Y_TRUE, Y_PRED, sample_weight=w) == pytest.approx(
        np.average((Y_TRUE == Y_PRED).all(1), weights=w)
    )


class _Fixed(ClassifierMixin, BaseEstimator):
    """A fitted classifier whose predictions are Y_PRED, to check the scorers alone."""

    classes_ = np.arange(4)

    def predict(self, X):
        return Y_PRED


@pytest.mark.parametrize(
    "name, reference",
    [
        ("exact_match", lambda t, p: np.mean((t == p).all(1))),
        ("neg_hamming_loss", lambda t, p: -np.mean(t != p)),
        ("f1_macro", lambda t, p: skm.f1_score(t, p, average="macro", zero_division=0)),
        ("f1_micro", lambda t, p: skm.f1_score(t, p, average="micro")),
        ("f1_samples", lambda t, p: skm.f1_score(t, p, average="samples", zero_division=0)),
        (
            "jaccard_samples",
            lambda t, p: skm.jaccard_score(t, p, average="samples", zero_division=0),
        ),
    ],
)
def test_scorers_match_numpy_or_sklearn(name, reference):
    assert SCORERS[name](_Fixed(), None, Y_TRUE) == pytest.approx(reference(Y_TRUE, Y_PRED))


def test_scorers_work_as_scoring_anywhere():
    X, y = make_multilabel_classification(n_samples=60, n_classes=3, random_state=0)
    for scorer in SCORERS.values():
        scores = cross_val_score(KNeighborsClassifier(), X, y, cv=3, scoring=scorer)
        assert scores.shape == (3,)


def test_report_matches_sklearn():
    report = multilabel_report(Y_TRUE, Y_PRED, Y_PROBA, labels=["a", "b", "c", "d"])
    p, r, f, s = skm.precision_recall_fscore_support(Y_TRUE, Y_PRED, zero_division=0)
    np.testing.assert_allclose(report.precision, p)
    np.testing.assert_allclose(report.recall, r)
    np.testing.assert_allclose(report.f1, f)
    np.testing.assert_array_equal(report.support, s)
    np.testing.assert_allclose(report.roc_auc, skm.roc_auc_score(Y_TRUE, Y_PROBA, average=None))
    assert report.averages["micro"]["f1"] == pytest.approx(
        skm.f1_score(Y_TRUE, Y_PRED, average="micro")
    )
    assert report.averages["macro"]["roc_auc"] == pytest.approx(skm.roc_auc_score(Y_TRUE, Y_PROBA))
    text = str(report)
    for word in ("precision", "recall", "f1", "support", "roc_auc", "macro avg", "micro avg", "d"):
        assert word in text
    assert report.to_dict()["a"]["support"] == int(s[0])


def test_report_without_proba_and_single_class_label():
    y_true = Y_TRUE.copy()
    y_true[:, 0] = 1
    report = multilabel_report(y_true, Y_PRED, Y_PROBA)
    assert np.isnan(report.roc_auc[0]) and not np.isnan(report.roc_auc[1:]).any()
    assert multilabel_report(Y_TRUE, Y_PRED).roc_auc is None
    assert "roc_auc" not in str(multilabel_report(Y_TRUE, Y_PRED))


def test_report_bad_input():
    with pytest.raises(ValueError, match="same shape"):
        multilabel_report(Y_TRUE, Y_PRED[:, :2])
    with pytest.raises(ValueError, match="labels has 2 names for 4"):
        multilabel_report(Y_TRUE, Y_PRED, labels=["a", "b"])
    with pytest.raises(ValueError, match="y_proba must have shape"):
        multilabel_report(Y_TRUE, Y_PRED, Y_PROBA[:, :2])
