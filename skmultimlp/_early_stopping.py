"""Early stopping: the validation split, the score it watches, and the stopping rule.

A fit with ``early_stopping=True`` holds out part of its rows (:func:`split_validation`),
scores the network on them after every epoch (:func:`validation_score`), and stops by
scikit-learn's ``MLPClassifier`` rule, keeping the best epoch's weights
(:class:`EarlyStopping`).
"""

import numpy as np
from sklearn.model_selection import train_test_split

from ._targets import MISSING

SCORES = ("loss", "exact_match", "hamming", "f1_macro")

AUTO_MIN_ROWS = 1000
"""``early_stopping="auto"`` turns early stopping on from this many training rows..."""
AUTO_MIN_LABEL_FREQUENCY = 0.25
"""...when the labels' mean frequency (over their known entries) is at least this."""


def uses_early_stopping(early_stopping, Y):
    """Whether a fit on the 0/1/:data:`MISSING` matrix ``Y`` stops early.

    ``"auto"``: on with at least :data:`AUTO_MIN_ROWS` rows whose labels are frequent
    on average (mean label frequency at least :data:`AUTO_MIN_LABEL_FREQUENCY`). Early
    stopping on the validation loss stops once the frequent labels are fitted, which
    the loss is made of; rare labels are then still below 0.5, and on a few hundred
    rows the held-out tenth costs more than stopping saves (docs/defaults.md).
    """
    if early_stopping != "auto":
        return bool(early_stopping)
    if Y.shape[0] < AUTO_MIN_ROWS:
        return False
    known = Y != MISSING
    frequency = (Y == 1).sum(axis=0) / np.maximum(known.sum(axis=0), 1)
    return float(frequency.mean()) >= AUTO_MIN_LABEL_FREQUENCY


def validation_score(scoring, on, known, w, threshold, label_weight):
    """The validation score of early stopping, a function of the predicted probabilities.

    Called after every epoch, so plain numpy on the validation rows: ``on`` and ``known``
    are their boolean label matrices, ``w`` their sample weights (0 for rows with no known
    label). Greater is better. With complete labels, ``"exact_match"``, ``"hamming"`` and
    ``"f1_macro"`` equal scikit-learn's ``accuracy_score``, ``-hamming_loss`` and
    ``f1_score(average="macro", zero_division=0)``; an unknown entry is never wrong.
    """
    if scoring == "loss":
        # The training loss (_loops.entry_loss): mean over labels of the masked,
        # positive-weighted binary cross-entropy; then the weighted mean over rows.
        entry_weight = known * np.where(on, label_weight, 1.0)

        def score(proba):
            p = np.clip(proba, 1e-7, 1 - 1e-7)
            bce = -np.where(on, np.log(p), np.log1p(-p))
            return -np.average((bce * entry_weight).mean(axis=1), weights=w)

        return score
    row_w = w[:, None] * known

    def score(proba):
        pred = proba >= threshold
        if scoring == "exact_match":
            return np.average(np.all((pred == on) | ~known, axis=1), weights=w)
        if scoring == "hamming":
            return -np.sum(row_w * (pred != on)) / row_w.sum()
        tp = np.sum(row_w * (pred & on), axis=0)
        fp = np.sum(row_w * (pred & ~on), axis=0)
        fn = np.sum(row_w * (~pred & on), axis=0)
        denom = 2 * tp + fp + fn
        f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
        return float(np.mean(f1[known.any(axis=0)]))

    return score


class EarlyStopping:
    """scikit-learn's ``MLPClassifier`` rule on a validation score, best weights kept.

    After each epoch the validation score is recorded; an epoch that does not beat the
    best score so far by at least ``tol`` counts as no improvement, and training stops
    once more than ``n_iter_no_change`` such epochs come in a row. The weights of the
    best-scoring epoch are kept.
    """

    def __init__(self, score, X_val, *, n_iter_no_change, tol):
        self.score = score
        self.X_val = X_val
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.scores = []
        self.best_score = -np.inf
        self.best_weights = None
        self._no_improvement = 0

    def update(self, proba, weights):
        """Record the score of ``proba``; True when training should stop."""
        score = float(self.score(proba))
        self.scores.append(score)
        if score < self.best_score + self.tol:
            self._no_improvement += 1
        else:
            self._no_improvement = 0
        if score > self.best_score:
            self.best_score = score
            self.best_weights = weights()
        return self._no_improvement > self.n_iter_no_change


def split_validation(
    X, Y, weights, *, validation_fraction, scoring, threshold, label_weight, seed, **rule
):
    """Hold out ``validation_fraction`` of the rows for early stopping.

    The split is scikit-learn's ``train_test_split`` with ``random_state=seed``. Returns
    the training part (its weights rescaled to mean 1), the :class:`EarlyStopping` rule
    (``rule``: its ``n_iter_no_change`` and ``tol``) watching ``scoring`` on the held-out
    part, and the mean the training part's weights had before that rescaling.
    """
    try:
        train_idx, val_idx = train_test_split(
            np.arange(Y.shape[0]), test_size=validation_fraction, random_state=seed
        )
    except ValueError as exc:
        raise ValueError(
            f"early_stopping needs both a training and a validation part: {exc}"
        ) from None
    Y_val = Y[val_idx]
    on, known = Y_val == 1, Y_val != MISSING
    # Rows whose labels are all unknown say nothing about the model.
    w_val = weights[val_idx] * known.any(axis=1)
    if w_val.sum() <= 0:
        raise ValueError(
            "early_stopping's validation split has no row with a positive sample_weight "
            "and a known label; raise validation_fraction."
        )
    score = validation_score(scoring, on, known, w_val, threshold, label_weight)
    stopping = EarlyStopping(score, X[val_idx], **rule)
    train_w = weights[train_idx]
    if train_w.sum() <= 0:
        raise ValueError(
            "sample_weight is zero on every row left for training after the "
            "early_stopping validation split."
        )
    scale = len(train_w) / train_w.sum()
    return X[train_idx], Y[train_idx], train_w * scale, stopping, 1 / float(scale)
