"""Figures for multi-label results: per-label scores, CV score spread, training curves.

Needs matplotlib (``pip install "skmultimlp[plot]"``), imported only when a function is
called. Each function draws on the ``ax`` it is given, or on a new
:class:`matplotlib.figure.Figure` made without :mod:`matplotlib.pyplot` (so it works
headless, with no backend to choose and no window to open), and returns the Axes; save
the figure with ``ax.figure.savefig("scores.png")``.
"""

import numpy as np

from .metrics import multilabel_report

__all__ = ["plot_cv_scores", "plot_label_scores", "plot_loss_curve"]


def _new_axes(ax):
    """``ax`` itself, or the Axes of a new pyplot-free figure."""
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError(
            "skmultimlp.plotting needs matplotlib: pip install 'skmultimlp[plot]'"
        ) from exc
    if ax is not None:
        return ax
    return Figure(layout="constrained").add_subplot()


def plot_label_scores(y_true, y_pred, labels=None, ax=None, *, missing="raise"):
    """Bar chart of the precision, recall and F1 of each label.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples, n_labels)
        0/1 indicator matrices, e.g. a test set's labels and ``predict`` on it.
    labels : sequence of length n_labels, default=None
        Label names, e.g. a fitted estimator's ``classes_``; default ``0..n_labels-1``.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.
    missing : {"raise", "ignore"}, default="raise"
        Unknown (NaN or -1) entries of ``y_true``: raise a ``ValueError``, or score the
        known entries only, as :func:`~skmultimlp.metrics.multilabel_report` does.

    Returns
    -------
    ax : matplotlib Axes
        Three bars per label; each label's tick shows its support (true samples).

    See Also
    --------
    skmultimlp.metrics.multilabel_report : The same scores as a table.

    Examples
    --------
    >>> from skmultimlp.plotting import plot_label_scores
    >>> y_true = [[1, 0, 1], [0, 1, 1], [1, 1, 0], [0, 0, 1]]
    >>> y_pred = [[1, 0, 1], [0, 0, 1], [1, 1, 1], [0, 0, 1]]
    >>> ax = plot_label_scores(y_true, y_pred, labels=["sports", "tech", "politics"])
    >>> [tick.get_text() for tick in ax.get_xticklabels()]
    ['sports\\n(n=2)', 'tech\\n(n=2)', 'politics\\n(n=3)']
    >>> [round(float(bar.get_height()), 2) for bar in ax.containers[2]]  # F1 of each label
    [1.0, 0.67, 0.86]
    >>> import io
    >>> ax.figure.savefig(io.BytesIO(), format="png")  # or a file name: "labels.png"
    """
    ax = _new_axes(ax)
    report = multilabel_report(y_true, y_pred, labels=labels, missing=missing)
    x = np.arange(len(report.labels))
    width = 0.27
    for offset, (name, values) in zip(
        (-width, 0.0, width),
        (("precision", report.precision), ("recall", report.recall), ("F1", report.f1)),
        strict=True,
    ):
        ax.bar(x + offset, values, width, label=name)
    ax.set_xticks(
        x,
        [
            f"{label}\n(n={support})"
            for label, support in zip(report.labels, report.support, strict=True)
        ],
        rotation=0 if len(x) <= 8 else 90,
    )
    ax.set_ylim(0, 1.15)  # room for the legend above bars of height 1
    ax.set_ylabel("score")
    ax.set_title("Per-label precision, recall and F1")
    ax.legend(loc="upper center", ncol=3, frameon=False)
    return ax


def _metric(name, values):
    """A scorer's name and values as the metric: ``neg_hamming_loss`` -> ``hamming_loss``."""
    values = np.asarray(values, dtype=float)
    if name.startswith("neg_"):
        return name[len("neg_") :], -values
    return name, values


def plot_cv_scores(scores, ax=None):
    """Box plot, with every split as a dot, of each scorer's cross-validation scores.

    Parameters
    ----------
    scores : dict
        The result of :func:`~sklearn.model_selection.cross_validate`: its
        ``"test_<scorer>"`` entries are drawn (and ``"train_<scorer>"`` beside them,
        from ``return_train_score=True``); the times are left out. A dict of
        ``{scorer: values}`` with no ``test_`` key is drawn as it is. A ``neg_`` scorer
        is shown as its metric (``neg_hamming_loss`` as ``hamming_loss``, lower is
        better).
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes

    See Also
    --------
    skmultimlp.metrics.SCORERS : The multi-label scorers for ``cross_validate``.

    Examples
    --------
    >>> from sklearn.datasets import make_multilabel_classification
    >>> from sklearn.model_selection import cross_validate
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from skmultimlp.metrics import SCORERS
    >>> from skmultimlp.plotting import plot_cv_scores
    >>> X, y = make_multilabel_classification(n_samples=60, n_classes=3, random_state=0)
    >>> scores = cross_validate(KNeighborsClassifier(), X, y, cv=3, scoring=SCORERS)
    >>> ax = plot_cv_scores(scores)
    >>> [tick.get_text() for tick in ax.get_xticklabels()][:3]
    ['exact_match', 'hamming_loss', 'f1_macro']
    """
    ax = _new_axes(ax)
    test = {key[len("test_") :]: v for key, v in scores.items() if key.startswith("test_")}
    train = {key[len("train_") :]: v for key, v in scores.items() if key.startswith("train_")}
    if not test:
        test, train = dict(scores), {}
    if not test:
        raise ValueError("scores holds no scores to plot.")
    names = list(test)
    rng = np.random.default_rng(0)  # the jitter of the dots, the same on every call
    parts = [("test", test, 0.0)]
    if train:
        parts = [("test", test, -0.2), ("train", train, 0.2)]
    for part, (kind, source, offset) in enumerate(parts):
        color = f"C{part}"
        series = [_metric(name, source[name])[1] for name in names if name in source]
        positions = [i + offset for i, name in enumerate(names) if name in source]
        boxes = ax.boxplot(
            series,
            positions=positions,
            widths=0.3 if train else 0.5,
            showfliers=False,
            patch_artist=True,
        )
        for box in boxes["boxes"]:
            box.set(facecolor=color, alpha=0.3, edgecolor=color)
        for position, values in zip(positions, series, strict=True):
            jitter = rng.uniform(-0.08, 0.08, len(values))
            ax.plot(position + jitter, values, "o", color=color, markersize=3, alpha=0.7)
        if train:
            ax.plot([], [], "s", color=color, alpha=0.5, label=kind)
    ax.set_xticks(
        range(len(names)),
        [_metric(name, [])[0] for name in names],
        rotation=30 if len(names) > 3 else 0,
        ha="right" if len(names) > 3 else "center",
    )
    n_splits = len(np.atleast_1d(test[names[0]]))
    ax.set_ylabel("score")
    ax.set_title(f"Cross-validation scores ({n_splits} splits)")
    if train:
        ax.legend()
    return ax


def plot_loss_curve(estimator, ax=None):
    """Training loss of each epoch, with the validation score when it was recorded.

    Parameters
    ----------
    estimator : fitted estimator with ``loss_curve_``
        A fitted :class:`~skmultimlp.KerasMultiLabelClassifier` (or
        :class:`~sklearn.neural_network.MLPClassifier`). Its ``validation_scores_``,
        recorded with ``early_stopping=True``, are drawn on a second y axis.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes
        The Axes of the loss; the validation scores, if any, are on ``ax``'s twin.

    Examples
    --------
    >>> from sklearn.datasets import make_multilabel_classification
    >>> from skmultimlp import KerasMultiLabelClassifier
    >>> from skmultimlp.plotting import plot_loss_curve
    >>> X, y = make_multilabel_classification(n_samples=60, n_classes=3, random_state=0)
    >>> clf = KerasMultiLabelClassifier(hidden_layer_sizes=(8,), epochs=5,
    ...                                 random_state=0).fit(X, y)
    >>> ax = plot_loss_curve(clf)
    >>> len(ax.lines[0].get_ydata())
    5
    """
    ax = _new_axes(ax)
    losses = getattr(estimator, "loss_curve_", None)
    if losses is None:
        raise ValueError(
            f"{type(estimator).__name__} has no loss_curve_: fit it first (plot_loss_curve "
            "draws the training loss that a fitted KerasMultiLabelClassifier or "
            "MLPClassifier records)."
        )
    from matplotlib.ticker import MaxNLocator

    epochs = np.arange(1, len(losses) + 1)
    ax.plot(epochs, losses, color="C0", label="training loss")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    ax.set_title("Training loss")
    scores = getattr(estimator, "validation_scores_", None)
    if scores is not None:
        twin = ax.twinx()
        twin.plot(epochs[: len(scores)], scores, color="C1", label="validation score")
        twin.set_ylabel("validation score")
        ax.set_title("Training loss and validation score")
        ax.legend(
            ax.get_lines() + twin.get_lines(),
            ["training loss", "validation score"],
            loc="center right",
        )
    return ax
