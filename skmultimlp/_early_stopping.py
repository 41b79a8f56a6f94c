"""Early stopping: the validation split, the score it watches, and the stopping rule.

A fit with ``early_stopping=True`` holds out part of its rows (:func:`split_validation`),
scores the network on them after every epoch (:func:`validation_score`), and stops by
scikit-learn's ``MLPClassifier`` rule, keeping the best epoch's weights
(:class:`EarlyStopping`).
"""

import keras
import numpy as np
import scipy.sparse as sp
from sklearn.model_selection import train_test_split

from ._outputs import head_matrix, sigmoid_units
from ._targets import MISSING, label_counts

SCORES = ("loss", "exact_match", "hamming", "f1_macro")

AUTO_MIN_ROWS = 1000
"""``early_stopping="auto"`` turns early stopping on from this many training rows..."""
AUTO_MIN_LABEL_FREQUENCY = 0.25
"""...when the labels' mean frequency (over their known entries) is at least this."""


def uses_early_stopping(early_stopping, Y, heads=None):
    """Whether a fit on the 0/1/:data:`MISSING` matrix ``Y`` (or sparse CSR matrix of
    ones) stops early.

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
    if heads is not None:
        # Softmax heads predict their arg-max, which no threshold holds back: only the
        # sigmoid units (two-class outputs) count.
        Y = Y[:, sigmoid_units(heads) > 0]
        if Y.shape[1] == 0:
            return True
    on, known = label_counts(Y)
    frequency = on / np.maximum(known, 1)
    return float(frequency.mean()) >= AUTO_MIN_LABEL_FREQUENCY


def validation_score(scoring, on, known, w, threshold, label_weight, heads=None):
    """The validation score of early stopping, a function of the predicted probabilities.

    Called after every epoch, so plain numpy on the validation rows: ``on`` and ``known``
    are their boolean label matrices, ``w`` their sample weights (0 for rows with no known
    label). Greater is better. With complete labels, ``"exact_match"``, ``"hamming"`` and
    ``"f1_macro"`` equal scikit-learn's ``accuracy_score``, ``-hamming_loss`` and
    ``f1_score(average="macro", zero_division=0)``; an unknown entry is never wrong.

    With ``heads`` (a target that is not multi-label) the scores are per output
    (:func:`_heads_score`).
    """
    if heads is not None:
        return _heads_score(scoring, on, known, w, threshold, label_weight, heads)
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


def float32_threshold(threshold, n_labels):
    """``threshold`` as float32 values that decide as the float64 ones do.

    A float32 probability ``p`` satisfies ``p >= t`` exactly when it is at least the
    smallest float32 that is ``>= t``; rounding ``t`` to the nearest float32 could fall
    below ``t`` and admit one more value.
    """
    t64 = np.broadcast_to(np.asarray(threshold, dtype=np.float64), (n_labels,))
    t32 = t64.astype(np.float32)
    below = t32.astype(np.float64) < t64
    return np.where(below, np.nextafter(t32, np.float32(np.inf)), t32).astype(np.float32)


def graph_score(scoring, proba, on, known, w, threshold, label_weight, heads=None):
    """:func:`validation_score` in Keras ops, for the compiled loops (float32).

    ``on`` and ``known`` are float32 0/1 matrices, ``w`` the rows' weights (0 on padding
    rows), ``threshold`` from :func:`float32_threshold`. Padding rows, with weight 0 and
    no known entry, change nothing.
    """
    ops = keras.ops
    if heads is not None:
        return _graph_heads_score(scoring, proba, on, known, w, threshold, label_weight, heads)
    if scoring == "loss":
        entry_weight = known * (1.0 + (label_weight - 1.0) * on)
        p = ops.clip(proba, 1e-7, 1 - 1e-7)
        bce = -(on * ops.log(p) + (1.0 - on) * ops.log1p(-p))
        rows = ops.mean(bce * entry_weight, axis=1)
        return -ops.sum(rows * w) / ops.sum(w)
    pred = ops.cast(proba >= threshold, "float32")
    wrong = known * ops.abs(pred - on)
    if scoring == "exact_match":
        right = ops.cast(ops.sum(wrong, axis=1) == 0, "float32")
        return ops.sum(right * w) / ops.sum(w)
    row_w = w[:, None] * known
    if scoring == "hamming":
        return -ops.sum(row_w * wrong) / ops.sum(row_w)
    tp = ops.sum(row_w * pred * on, axis=0)
    fp = ops.sum(row_w * pred * (1.0 - on), axis=0)
    fn = ops.sum(row_w * (1.0 - pred) * on, axis=0)
    denom = 2 * tp + fp + fn
    f1 = ops.where(denom > 0, 2 * tp / ops.maximum(denom, 1e-30), 0.0)
    present = ops.cast(ops.sum(known, axis=0) > 0, "float32")
    return ops.sum(f1 * present) / ops.sum(present)


def _head_runs(heads):
    """``(start, stop, softmax)`` of each softmax head and of each run of sigmoid units."""
    runs, start = [], 0
    for k in heads:
        if k == 1 and runs and not runs[-1][2] and runs[-1][1] == start:
            runs[-1] = (runs[-1][0], start + 1, False)
        else:
            runs.append((start, start + k, k > 1))
        start += k
    return runs


def _heads_score(scoring, on, known, w, threshold, label_weight, heads):
    """:func:`validation_score` of a target with output heads (binary, multiclass,
    multi-output), computed per output with scikit-learn's metrics.

    ``"loss"`` is the training loss (the mean over heads of their cross-entropies);
    ``"exact_match"`` counts a row right when all its known outputs are; ``"hamming"`` is
    minus the share of known outputs predicted wrong; ``"f1_macro"`` the mean over the
    outputs of each output's ``f1_score(average="macro")`` over its classes.
    """
    from sklearn.metrics import f1_score

    sigmoid = sigmoid_units(heads) > 0
    starts = np.cumsum((0, *heads))[:-1]
    known_head = known[:, starts]

    def indices(matrix):
        return np.column_stack(
            [
                matrix[:, s].astype(int) if k == 1 else np.argmax(matrix[:, s : s + k], axis=1)
                for s, k in zip(starts, heads, strict=True)
            ]
        )

    if scoring == "loss":
        entry_weight = known * np.where(on, label_weight, 1.0)

        def score(proba):
            p = np.clip(proba, 1e-7, 1 - 1e-7)
            ce = -np.where(on, np.log(p), np.where(sigmoid, np.log1p(-p), 0.0))
            return -np.average((ce * entry_weight).sum(axis=1) / len(heads), weights=w)

        return score
    true = indices(on)
    t = np.broadcast_to(np.asarray(threshold, dtype=np.float64), (on.shape[1],))

    def score(proba):
        pred = indices(np.where(sigmoid, proba >= t, proba))
        wrong = (pred != true) & known_head
        if scoring == "exact_match":
            return np.average(~wrong.any(axis=1), weights=w)
        if scoring == "hamming":
            return -np.sum(w[:, None] * wrong) / np.sum(w[:, None] * known_head)
        f1 = [
            f1_score(true[k, j], pred[k, j], average="macro", sample_weight=w[k], zero_division=0)
            for j in range(len(heads))
            if (k := known_head[:, j] & (w > 0)).any()
        ]
        return float(np.mean(f1))

    return score


def _graph_heads_score(scoring, proba, on, known, w, threshold, label_weight, heads):
    """:func:`_heads_score` in Keras ops (float32), for the compiled loops."""
    ops = keras.ops
    sigmoid = ops.convert_to_tensor(sigmoid_units(heads))
    M = ops.convert_to_tensor(head_matrix(heads))  # unit -> head
    if scoring == "loss":
        entry_weight = known * (1.0 + (label_weight - 1.0) * on)
        p = ops.clip(proba, 1e-7, 1 - 1e-7)
        ce = -(on * ops.log(p) + sigmoid * (1.0 - on) * ops.log1p(-p))
        rows = ops.sum(ce * entry_weight, axis=1) / len(heads)
        return -ops.sum(rows * w) / ops.sum(w)
    pieces = []
    for start, stop, softmax in _head_runs(heads):
        block = proba[:, start:stop]
        if softmax:
            pieces.append(ops.one_hot(ops.argmax(block, axis=1), stop - start, dtype="float32"))
        else:
            pieces.append(ops.cast(block >= threshold[start:stop], "float32"))
    pred = ops.concatenate(pieces, axis=1) if len(pieces) > 1 else pieces[0]
    wrong = ops.cast(ops.matmul(known * ops.abs(pred - on), M) > 0, "float32")
    known_head = ops.cast(ops.matmul(known, M) > 0, "float32")
    if scoring == "exact_match":
        right = ops.cast(ops.sum(wrong, axis=1) == 0, "float32")
        return ops.sum(right * w) / ops.sum(w)
    if scoring == "hamming":
        return -ops.sum(w[:, None] * wrong) / ops.sum(w[:, None] * known_head)
    row_w = w[:, None] * known

    def f1(tp, fp, fn):
        denom = 2 * tp + fp + fn
        present = ops.cast(denom > 0, "float32")
        return ops.where(denom > 0, 2 * tp / ops.maximum(denom, 1e-30), 0.0), present

    tp = ops.sum(row_w * pred * on, axis=0)
    fp = ops.sum(row_w * pred * (1.0 - on), axis=0)
    fn = ops.sum(row_w * (1.0 - pred) * on, axis=0)
    tn = ops.sum(row_w * (1.0 - pred) * (1.0 - on), axis=0)
    f1_on, present_on = f1(tp, fp, fn)
    f1_off, present_off = f1(tn, fn, fp)  # a sigmoid unit's other class
    present_off = present_off * sigmoid
    value = ops.matmul(f1_on * present_on + f1_off * present_off, M)
    count = ops.matmul(present_on + present_off, M)
    scored = ops.cast(count > 0, "float32")
    return ops.sum(value / ops.maximum(count, 1.0) * scored) / ops.sum(scored)


class EarlyStopping:
    """scikit-learn's ``MLPClassifier`` rule on a validation score, best weights kept.

    After each epoch the validation score is recorded; an epoch that does not beat the
    best score so far by at least ``tol`` counts as no improvement, and training stops
    once more than ``n_iter_no_change`` such epochs come in a row. The weights of the
    best-scoring epoch are kept.

    The rule runs here, on the host, one epoch at a time (:meth:`update`), or inside a
    compiled loop, which then reports its scores and best weights (:meth:`record`).
    ``graph`` holds what a compiled loop needs for that: the scoring's name and the
    validation rows' float32 ``on``, ``known``, ``w``, ``threshold`` and
    ``label_weight`` arrays.
    """

    def __init__(self, score, X_val, *, n_iter_no_change, tol, graph=None):
        self.score = score
        self.X_val = X_val
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.graph = graph
        self.scores = []
        self.best_score = -np.inf
        self.best_weights = None
        self._no_improvement = 0

    def record(self, scores, best_weights):
        """Take the per-epoch ``scores`` and ``best_weights`` a compiled loop computed."""
        self.scores = [float(s) for s in scores]
        if best_weights is not None:
            self.best_score = max(self.scores)
            self.best_weights = best_weights

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
    X,
    Y,
    weights,
    *,
    validation_fraction,
    scoring,
    threshold,
    label_weight,
    seed,
    heads=None,
    **rule,
):
    """Hold out ``validation_fraction`` of the rows for early stopping.

    The split is scikit-learn's ``train_test_split`` with ``random_state=seed``. Returns
    the training part (its weights rescaled to mean 1), the :class:`EarlyStopping` rule
    (``rule``: its ``n_iter_no_change`` and ``tol``) watching ``scoring`` on the held-out
    part, and the mean the training part's weights had before that rescaling. A sparse
    ``Y`` keeps its training part sparse; only the held-out part is made dense.
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
    if sp.issparse(Y_val):
        # The validation rows are scored densely after every epoch: validation_fraction
        # of the rows times the labels, a byte each for ``on`` and for ``known`` (and 4
        # each in the compiled loops, which score them in the program for dense X only).
        # The training rows, most of Y, stay sparse.
        Y_val = Y_val.toarray()
    on, known = Y_val == 1, Y_val != MISSING
    # Rows whose labels are all unknown say nothing about the model.
    w_val = weights[val_idx] * known.any(axis=1)
    if w_val.sum() <= 0:
        raise ValueError(
            "early_stopping's validation split has no row with a positive sample_weight "
            "and a known label; raise validation_fraction."
        )
    score = validation_score(scoring, on, known, w_val, threshold, label_weight, heads)
    graph = dict(
        scoring=scoring,
        on=on,  # bool: the loops make them float32 when they score in the program
        known=known,
        w=w_val.astype(np.float32),
        threshold=float32_threshold(threshold, Y.shape[1]),
        label_weight=np.asarray(label_weight, dtype=np.float32),
    )
    stopping = EarlyStopping(score, X[val_idx], graph=graph, **rule)
    train_w = weights[train_idx]
    if train_w.sum() <= 0:
        raise ValueError(
            "sample_weight is zero on every row left for training after the "
            "early_stopping validation split."
        )
    scale = len(train_w) / train_w.sum()
    return X[train_idx], Y[train_idx], train_w * scale, stopping, 1 / float(scale)
