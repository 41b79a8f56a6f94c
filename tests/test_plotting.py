"""skmultimlp.plotting: what each figure draws, compared with scikit-learn's numbers."""

import sys

import numpy as np
import pytest
from sklearn.metrics import precision_recall_fscore_support
from sklearn.model_selection import cross_validate
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier

pytest.importorskip("matplotlib")

from matplotlib.figure import Figure  # noqa: E402

from skmultimlp import KerasMultiLabelClassifier  # noqa: E402
from skmultimlp.metrics import SCORERS  # noqa: E402
from skmultimlp.plotting import plot_cv_scores, plot_label_scores, plot_loss_curve  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"


def heights(container):
    return np.array([bar.get_height() for bar in container])


def test_label_scores_are_scikit_learns(data, fitted, tmp_path):
    X, y = data
    y_pred = fitted.predict(X)
    ax = plot_label_scores(y, y_pred, labels=["a", "b", "c"])
    expected = precision_recall_fscore_support(y, y_pred, average=None, zero_division=0)
    for container, values in zip(ax.containers, expected[:3], strict=True):
        np.testing.assert_allclose(heights(container), values)
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        f"{name}\n(n={n})" for name, n in zip("abc", expected[3], strict=True)
    ]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["precision", "recall", "F1"]
    ax.figure.savefig(tmp_path / "labels.png")
    assert (tmp_path / "labels.png").read_bytes().startswith(PNG)


def test_label_scores_with_unknown_labels():
    y_true = np.array([[1, np.nan], [0, 1], [1, 0]])
    y_pred = np.array([[1, 1], [0, 1], [0, 0]])
    with pytest.raises(ValueError, match="missing"):
        plot_label_scores(y_true, y_pred)
    ax = plot_label_scores(y_true, y_pred, missing="ignore")
    np.testing.assert_allclose(heights(ax.containers[1]), [0.5, 1.0])  # recall
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0\n(n=2)", "1\n(n=1)"]


def test_cv_scores_show_each_split_and_the_metric_of_neg_scorers(data):
    X, y = data
    scores = cross_validate(
        KNeighborsClassifier(), X, y, cv=3, scoring=SCORERS, return_train_score=True
    )
    ax = plot_cv_scores(scores)
    names = [t.get_text() for t in ax.get_xticklabels()]
    assert names == [name.removeprefix("neg_") for name in SCORERS]
    dots = [line for line in ax.lines if line.get_marker() == "o"]
    assert len(dots) == 2 * len(SCORERS)  # test and train, one dot per split
    test_hamming = dots[names.index("hamming_loss")].get_ydata()
    np.testing.assert_allclose(test_hamming, -scores["test_neg_hamming_loss"])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["test", "train"]
    assert ax.get_title() == "Cross-validation scores (3 splits)"


def test_cv_scores_from_a_plain_dict():
    ax = plot_cv_scores({"f1_macro": [0.5, 0.7], "neg_hamming_loss": [-0.2, -0.1]})
    assert [t.get_text() for t in ax.get_xticklabels()] == ["f1_macro", "hamming_loss"]
    assert ax.get_legend() is None
    with pytest.raises(ValueError, match="no scores"):
        plot_cv_scores({})


def test_loss_curve(fitted):
    ax = plot_loss_curve(fitted)
    (line,) = ax.lines
    np.testing.assert_allclose(line.get_ydata(), fitted.loss_curve_)
    np.testing.assert_array_equal(line.get_xdata(), np.arange(1, fitted.n_iter_ + 1))
    assert len(ax.figure.axes) == 1  # no validation scores, no second axis


def test_loss_curve_with_validation_scores(data):
    X, y = data
    clf = KerasMultiLabelClassifier(
        hidden_layer_sizes=(8,), epochs=4, early_stopping=True, random_state=0
    ).fit(X, y)
    ax = plot_loss_curve(clf)
    twin = [other for other in ax.figure.axes if other is not ax]
    assert len(twin) == 1
    np.testing.assert_allclose(twin[0].lines[0].get_ydata(), clf.validation_scores_)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "training loss",
        "validation score",
    ]


def test_loss_curve_of_mlp_classifier_and_of_an_unfitted_estimator(data):
    X, y = data
    mlp = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    with pytest.warns(Warning):  # not converged in 5 iterations
        mlp.fit(X, y)
    assert len(plot_loss_curve(mlp).lines[0].get_ydata()) == mlp.n_iter_
    with pytest.raises(ValueError, match="has no loss_curve_: fit it first"):
        plot_loss_curve(KerasMultiLabelClassifier())


def test_draws_on_the_given_axes(fitted, data):
    X, y = data
    figure = Figure()
    left, right = figure.subplots(1, 2)
    assert plot_label_scores(y, fitted.predict(X), ax=left) is left
    assert plot_loss_curve(fitted, ax=right) is right
    assert len(figure.axes) == 2


def test_missing_matplotlib_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r"pip install 'skmultimlp\[plot\]'"):
        plot_cv_scores({"f1_macro": [0.5]})
