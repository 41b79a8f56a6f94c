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


def test_label_scores_of_label_lists():
    y_true = [["tech"], ["sports", "tech"], [], ["politics"]]
    y_pred = [["tech"], ["sports"], ["tech"], []]
    ax = plot_label_scores(y_true, y_pred)
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "politics\n(n=1)",
        "sports\n(n=1)",
        "tech\n(n=2)",
    ]
    np.testing.assert_allclose(heights(ax.containers[0]), [0.0, 1.0, 0.5])  # precision
    np.testing.assert_allclose(heights(ax.containers[1]), [0.0, 1.0, 0.5])  # recall


def test_label_scores_with_unknown_labels():
    y_true = np.array([[1, np.nan], [0, 1], [1, 0]])
    y_pred = np.array([[1, 1], [0, 1], [0, 0]])
    with pytest.raises(ValueError, match="missing"):
        plot_label_scores(y_true, y_pred)
    ax = plot_label_scores(y_true, y_pred, missing="ignore")
    np.testing.assert_allclose(heights(ax.containers[1]), [0.5, 1.0])  # recall
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0\n(n=2)", "1\n(n=1)"]


def twin_of(ax):
    """The other Axes sharing ``ax``'s x axis (twinx), or None."""
    others = [other for other in ax.get_shared_x_axes().get_siblings(ax) if other is not ax]
    assert len(others) <= 1
    return others[0] if others else None


def dots(ax):
    """``{gid: y values}`` of the dots (one per split) drawn on ``ax``."""
    return {line.get_gid(): line.get_ydata() for line in ax.lines if line.get_marker() == "o"}


SCORES_HIGHER = [name for name in SCORERS if not name.startswith("neg_")]


def test_cv_scores_put_losses_on_their_own_axis(data, tmp_path):
    X, y = data
    scores = cross_validate(
        KNeighborsClassifier(), X, y, cv=3, scoring=SCORERS, return_train_score=True
    )
    ax = plot_cv_scores(scores)
    loss_ax = twin_of(ax)
    assert loss_ax is not None
    assert ax.get_ylabel() == "score (higher is better)"
    assert loss_ax.get_ylabel() == "loss (lower is better)"
    names = [t.get_text() for t in ax.get_xticklabels()]
    assert names == [*SCORES_HIGHER, "hamming_loss"]  # scores first, then the losses
    # Every split is a dot, on the axis of its direction, with the scorer's value...
    on_scores, on_losses = dots(ax), dots(loss_ax)
    kinds = ("test", "train")
    assert set(on_scores) == {f"{kind} {name}" for kind in kinds for name in SCORES_HIGHER}
    assert set(on_losses) == {"test hamming_loss", "train hamming_loss"}
    for kind in ("test", "train"):
        for name in SCORES_HIGHER:
            np.testing.assert_allclose(on_scores[f"{kind} {name}"], scores[f"{kind}_{name}"])
        # ... and the hamming loss as the loss itself: positive.
        hamming = on_losses[f"{kind} hamming_loss"]
        np.testing.assert_allclose(hamming, -scores[f"{kind}_neg_hamming_loss"])
        assert (hamming > 0).all()
    # The losses are drawn right of the scores, at the tick that names them.
    (test_dots,) = [line for line in loss_ax.lines if line.get_gid() == "test hamming_loss"]
    assert np.abs(test_dots.get_xdata() - names.index("hamming_loss")).max() < 0.5
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["test", "train"]
    assert ax.get_title() == "Cross-validation scores (3 splits)"
    ax.figure.savefig(tmp_path / "cv.png")
    assert (tmp_path / "cv.png").read_bytes().startswith(PNG)


def test_cv_scores_from_a_plain_dict():
    ax = plot_cv_scores({"f1_macro": [0.5, 0.7], "neg_hamming_loss": [-0.2, -0.1]})
    assert [t.get_text() for t in ax.get_xticklabels()] == ["f1_macro", "hamming_loss"]
    assert ax.get_legend() is None
    np.testing.assert_allclose(dots(ax)["test f1_macro"], [0.5, 0.7])
    np.testing.assert_allclose(dots(twin_of(ax))["test hamming_loss"], [0.2, 0.1])
    with pytest.raises(ValueError, match="no scores"):
        plot_cv_scores({})


def test_cv_scores_of_one_direction_use_one_axis():
    losses = plot_cv_scores({"neg_hamming_loss": [-0.2, -0.1], "log_loss": [0.6, 0.5]})
    assert twin_of(losses) is None and len(losses.figure.axes) == 1
    assert losses.get_ylabel() == "loss (lower is better)"
    assert dots(losses).keys() == {"test hamming_loss", "test log_loss"}
    np.testing.assert_allclose(dots(losses)["test hamming_loss"], [0.2, 0.1])
    np.testing.assert_allclose(dots(losses)["test log_loss"], [0.6, 0.5])
    scores = plot_cv_scores({"test_f1_macro": [0.5, 0.7], "fit_time": [1.0, 2.0]})
    assert twin_of(scores) is None and scores.get_ylabel() == "score (higher is better)"
    assert [t.get_text() for t in scores.get_xticklabels()] == ["f1_macro"]


def test_cv_scores_draw_on_the_given_axes():
    figure = Figure()
    left, right = figure.subplots(1, 2)
    assert plot_cv_scores({"f1_macro": [0.5], "neg_hamming_loss": [-0.2]}, ax=left) is left
    assert twin_of(left) is not None and twin_of(right) is None
    assert len(figure.axes) == 3


def test_loss_curve(fitted):
    ax = plot_loss_curve(fitted)
    (line,) = ax.lines
    np.testing.assert_allclose(line.get_ydata(), fitted.loss_curve_)
    np.testing.assert_array_equal(line.get_xdata(), np.arange(1, fitted.n_iter_ + 1))
    assert ax.get_ylabel() == "training loss" and ax.get_xlabel() == "epoch"
    assert len(ax.figure.axes) == 1  # no validation scores, no second axis


def test_loss_curve_shows_the_validation_loss_itself(data):
    X, y = data
    clf = KerasMultiLabelClassifier(
        hidden_layer_sizes=(8,), epochs=4, early_stopping=True, random_state=0
    ).fit(X, y)
    assert clf.scoring == "loss"
    ax = plot_loss_curve(clf)
    twin = twin_of(ax)
    validation = twin.lines[0].get_ydata()
    np.testing.assert_allclose(validation, -np.asarray(clf.validation_scores_))
    assert (validation > 0).all()  # a loss, not minus one
    assert twin.get_ylabel() == "validation loss"
    assert ax.get_ylabel() == "training loss"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "training loss",
        "validation loss",
    ]
    assert ax.get_title() == "Training and validation loss"


class _Curves:
    """What plot_loss_curve reads of a fitted estimator."""

    def __init__(self, scoring, validation_scores):
        self.scoring = scoring
        self.loss_curve_ = [0.7, 0.5, 0.4]
        self.validation_scores_ = validation_scores


@pytest.mark.parametrize(
    "scoring, scores, label, shown",
    [
        ("loss", [-0.6, -0.5, -0.45], "validation loss", [0.6, 0.5, 0.45]),
        ("exact_match", [0.2, 0.3, 0.35], "validation exact-match accuracy", [0.2, 0.3, 0.35]),
        ("hamming", [-0.3, -0.2, -0.25], "validation hamming loss", [0.3, 0.2, 0.25]),
        ("f1_macro", [0.4, 0.5, 0.55], "validation macro F1", [0.4, 0.5, 0.55]),
    ],
)
def test_loss_curve_labels_the_validation_curve_with_what_it_shows(scoring, scores, label, shown):
    ax = plot_loss_curve(_Curves(scoring, scores))
    twin = twin_of(ax)
    np.testing.assert_allclose(twin.lines[0].get_ydata(), shown)
    np.testing.assert_array_equal(twin.lines[0].get_xdata(), [1, 2, 3])
    assert twin.get_ylabel() == label
    assert ax.get_legend().get_texts()[1].get_text() == label


def test_loss_curve_of_mlp_classifier_and_of_an_unfitted_estimator(data):
    X, y = data
    mlp = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    with pytest.warns(Warning):  # not converged in 5 iterations
        mlp.fit(X, y)
    assert len(plot_loss_curve(mlp).lines[0].get_ydata()) == mlp.n_iter_
    stopped = MLPClassifier(
        hidden_layer_sizes=(4,), max_iter=5, early_stopping=True, random_state=0
    )
    with pytest.warns(Warning):
        stopped.fit(X, y)
    twin = twin_of(plot_loss_curve(stopped))
    assert twin.get_ylabel() == "validation accuracy"  # MLPClassifier.score: exact match
    np.testing.assert_allclose(twin.lines[0].get_ydata(), stopped.validation_scores_)
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
