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
    y_true, y_pred : array-like, sparse matrix, DataFrame or sequence of label collections
        E.g. a test set's labels and ``predict`` on it, each in any target form ``fit``
        accepts, as in :func:`~skmultimlp.metrics.multilabel_report`.
    labels : sequence of length n_labels, default=None
        Label names, e.g. a fitted estimator's ``classes_``; default: the columns of a
        DataFrame, the sorted names of label collections, or ``0..n_labels-1``.
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


# A metric whose name ends so (after any ``neg_`` prefix) is a loss: lower is better.
_LOSS_SUFFIXES = ("loss", "error", "deviance")


def _metric(name, values):
    """A scorer's name and values as the metric, and whether lower is better.

    ``neg_hamming_loss`` -> ``("hamming_loss", -values, True)``: a ``neg_`` scorer is
    minus a loss. A name ending in ``loss`` or ``error`` is a loss as it is.
    """
    values = np.asarray(values, dtype=float)
    if name.startswith("neg_"):
        return name[len("neg_") :], -values, True
    return name, values, name.endswith(_LOSS_SUFFIXES)


SCORE_LABEL = "score (higher is better)"
LOSS_LABEL = "loss (lower is better)"


def plot_cv_scores(scores, ax=None):
    """Box plot, with every split as a dot, of each scorer's cross-validation scores.

    Scores (higher is better) and losses (lower is better) are drawn apart: the scores
    first, on ``ax``'s left y axis, then the losses on a y axis of their own on the
    right (a twin of ``ax``), on a shaded background; each axis label says which way is
    better.

    Parameters
    ----------
    scores : dict
        The result of :func:`~sklearn.model_selection.cross_validate`: its
        ``"test_<scorer>"`` entries are drawn (and ``"train_<scorer>"`` beside them,
        from ``return_train_score=True``); the times are left out. A dict of
        ``{scorer: values}`` with no ``test_`` key is drawn as it is. A ``neg_`` scorer
        is shown as its metric, a positive loss (``neg_hamming_loss`` as
        ``hamming_loss``); a name ending in ``loss`` or ``error`` is a loss too.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes
        The Axes of the scores (of the losses when there are only losses). With both,
        the losses are on a twin Axes sharing ``ax``'s x axis:
        ``ax.get_shared_x_axes().get_siblings(ax)`` lists it.

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
    >>> [tick.get_text() for tick in ax.get_xticklabels()][-2:]
    ['jaccard_samples', 'hamming_loss']
    >>> ax.get_ylabel()
    'score (higher is better)'
    """
    ax = _new_axes(ax)
    test = {key[len("test_") :]: v for key, v in scores.items() if key.startswith("test_")}
    train = {key[len("train_") :]: v for key, v in scores.items() if key.startswith("train_")}
    if not test:
        test, train = dict(scores), {}
    if not test:
        raise ValueError("scores holds no scores to plot.")
    # Scores first, then losses: each group on its own y axis.
    is_loss = {name: _metric(name, [])[2] for name in test}
    names = [n for n in test if not is_loss[n]] + [n for n in test if is_loss[n]]
    n_scores = sum(not is_loss[n] for n in names)
    score_ax = ax if n_scores else None
    loss_ax = None
    if n_scores < len(names):
        loss_ax = ax.twinx() if n_scores else ax
    rng = np.random.default_rng(0)  # the jitter of the dots, the same on every call
    parts = [("test", test, 0.0)]
    if train:
        parts = [("test", test, -0.2), ("train", train, 0.2)]
    for part, (kind, source, offset) in enumerate(parts):
        color = f"C{part}"
        for i, name in enumerate(names):
            if name not in source:
                continue
            target = loss_ax if is_loss[name] else score_ax
            values = _metric(name, source[name])[1]
            boxes = target.boxplot(
                [values],
                positions=[i + offset],
                widths=0.3 if train else 0.5,
                showfliers=False,
                patch_artist=True,
                manage_ticks=False,
                medianprops={"color": color, "linewidth": 2},
            )
            for box in boxes["boxes"]:
                box.set(facecolor=color, alpha=0.3, edgecolor=color)
            jitter = rng.uniform(-0.08, 0.08, len(values))
            (dots,) = target.plot(
                i + offset + jitter, values, "o", color=color, markersize=3, alpha=0.7
            )
            dots.set_gid(f"{kind} {_metric(name, [])[0]}")  # what the dots are, for readers
    ax.set_xlim(-0.6, len(names) - 0.4)
    ax.set_xticks(
        range(len(names)),
        [_metric(name, [])[0] for name in names],
        rotation=30 if len(names) > 3 else 0,
        ha="right" if len(names) > 3 else "center",
    )
    if score_ax is not None:
        score_ax.set_ylabel(SCORE_LABEL)
    if loss_ax is not None:
        loss_ax.set_ylabel(LOSS_LABEL)
    if score_ax is not None and loss_ax is not None:
        # The losses' side of the panel is shaded: its values are read on the right.
        loss_ax.axvspan(n_scores - 0.5, len(names) - 0.4, color="0.5", alpha=0.12, lw=0, zorder=0)
        # The scores' Axes on top, so that its legend is not hidden by the losses' boxes.
        ax.set_zorder(loss_ax.get_zorder() + 1)
        ax.patch.set_visible(False)
    n_splits = len(np.atleast_1d(test[names[0]]))
    ax.set_title(f"Cross-validation scores ({n_splits} splits)")
    if train:
        # Room above the boxes of both y axes for the legend.
        for axes in {score_ax, loss_ax} - {None}:
            low, high = axes.get_ylim()
            axes.set_ylim(low, high + 0.2 * (high - low))
        handles = [
            ax.plot([], [], "s", color=f"C{part}", alpha=0.5)[0] for part in range(len(parts))
        ]
        ax.legend(handles, [kind for kind, _, _ in parts], loc="upper center", ncol=2)
    return ax


# What early stopping's validation_scores_ hold, by the estimator's ``scoring``: the
# label of the metric, and whether the scores are minus it (a loss, shown as it is).
_VALIDATION_METRICS = {
    "loss": ("validation loss", True),
    "exact_match": ("validation exact-match accuracy", False),
    "hamming": ("validation hamming loss", True),
    "f1_macro": ("validation macro F1", False),
}


def _validation_metric(estimator):
    """The label and values of the estimator's validation curve."""
    scores = np.asarray(estimator.validation_scores_, dtype=float)
    scoring = getattr(estimator, "scoring", None)
    if scoring is None:  # MLPClassifier: its score method, accuracy (exact match)
        return "validation accuracy", scores
    if scoring in _VALIDATION_METRICS:
        label, negated = _VALIDATION_METRICS[scoring]
        return label, -scores if negated else scores
    name, values, _ = _metric(str(scoring), scores)
    return f"validation {name}", values


def plot_loss_curve(estimator, ax=None):
    """Training loss of each epoch, with the validation curve when it was recorded.

    Parameters
    ----------
    estimator : fitted estimator with ``loss_curve_``
        A fitted :class:`~skmultimlp.KerasMultiLabelClassifier` (or
        :class:`~sklearn.neural_network.MLPClassifier`). Its ``validation_scores_``,
        recorded with ``early_stopping=True``, are drawn on a second y axis, labelled
        with what is drawn: for ``scoring="loss"`` the validation loss itself (minus
        ``validation_scores_``, so that both curves go down), for ``"hamming"`` the
        validation hamming loss, for ``"exact_match"`` and ``"f1_macro"`` the
        validation exact-match accuracy and macro F1, and for an ``MLPClassifier`` its
        validation accuracy.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes
        The Axes of the loss; the validation curve, if any, is on ``ax``'s twin.

    Examples
    --------
    >>> from sklearn.datasets import make_multilabel_classification
    >>> from skmultimlp import KerasMultiLabelClassifier
    >>> from skmultimlp.plotting import plot_loss_curve
    >>> X, y = make_multilabel_classification(n_samples=60, n_classes=3, random_state=0)
    >>> clf = KerasMultiLabelClassifier(hidden_layer_sizes=(8,), epochs=5,
    ...                                 early_stopping=True, random_state=0).fit(X, y)
    >>> ax = plot_loss_curve(clf)
    >>> len(ax.lines[0].get_ydata())
    5
    >>> [axes.get_ylabel() for axes in ax.figure.axes]
    ['training loss', 'validation loss']
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
    ax.set_ylabel("training loss", color="C0")
    ax.set_title("Training loss")
    if getattr(estimator, "validation_scores_", None) is not None:
        label, values = _validation_metric(estimator)
        twin = ax.twinx()
        twin.plot(epochs[: len(values)], values, color="C1", label=label)
        twin.set_ylabel(label, color="C1")
        if label == "validation loss":
            ax.set_title("Training and validation loss")
        else:
            ax.set_title(f"Training loss and {label}")
        ax.legend(
            ax.get_lines() + twin.get_lines(),
            ["training loss", label],
            loc="center right",
        )
    return ax
