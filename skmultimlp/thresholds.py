"""Per-label decision thresholds, tuned on out-of-fold probabilities.

scikit-learn's :class:`~sklearn.model_selection.TunedThresholdClassifierCV` tunes the
threshold of a binary classifier and rejects multi-label targets.
:class:`MultiLabelThresholdTuner` does the same for any multi-label estimator with
``predict_proba``, one threshold per label, and borrows its parameter names; it tunes
the one threshold of a binary target too. Multiclass targets, predicted by their most
probable class, have no threshold to tune and are refused.
"""

import numbers
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import accuracy_score, multilabel_confusion_matrix
from sklearn.model_selection import ShuffleSplit, StratifiedShuffleSplit, check_cv
from sklearn.utils import _safe_indexing, get_tags, indexable
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_consistent_length, check_is_fitted

from ._outputs import MULTILABEL, _as_array, _is_indicator, encode
from ._targets import MISSING, transform_targets
from .metrics import SCORERS, exact_match_score, make_scorers

__all__ = ["MultiLabelThresholdTuner"]

PER_LABEL_METRICS = ("f1", "balanced_accuracy", "precision", "recall")
"""Names of the per-label objectives of :class:`MultiLabelThresholdTuner`."""

SELECTIONS = ("one_se", "max")
"""How :class:`MultiLabelThresholdTuner` picks a label's threshold from its scores."""

_FIXED_GRID = np.round(np.linspace(0.01, 0.99, 99), 2)
_MAX_DATA_CANDIDATES = 100
_MAX_SWEEPS = 10
_ONE_HALF = np.array([0.5])


def _check_thresholds(thresholds):
    """The candidate grid as a sorted 1-D array in (0, 1), or None for the default."""
    if thresholds is None:
        return None
    if isinstance(thresholds, numbers.Integral) and not isinstance(thresholds, (bool, np.bool_)):
        if thresholds < 1:
            raise ValueError(
                f"thresholds={thresholds} gives an empty grid of candidate thresholds: pass "
                "a positive number of grid points, an array of candidates in (0, 1), or "
                "None for the default grid."
            )
        return np.linspace(0, 1, int(thresholds) + 2)[1:-1]
    try:
        grid = None if isinstance(thresholds, str) else np.asarray(thresholds, dtype=float)
    except (TypeError, ValueError):
        grid = None
    if grid is None or grid.ndim != 1:
        raise TypeError(
            "thresholds must be None, a number of grid points, or a 1-D array of candidate "
            f"thresholds in (0, 1), got {thresholds!r}."
        )
    if grid.size == 0:
        raise ValueError(
            "thresholds is an empty array: give at least one candidate threshold in (0, 1), "
            "or None for the default grid."
        )
    outside = grid[~((grid > 0) & (grid < 1))]
    if outside.size:
        raise ValueError(
            "thresholds must lie strictly between 0 and 1 (a label is predicted when its "
            f"probability is >= its threshold), got {np.unique(outside)[:5].tolist()}."
        )
    return np.unique(grid)


def _check_floor(value, name):
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be None or a float in [0, 1], got {value!r}.")
    if not 0 <= value <= 1:
        raise ValueError(f"{name} must be None or a float in [0, 1], got {value!r}.")
    return float(value)


def _default_candidates(proba):
    """The default grid of one label: 0.01, 0.02, ..., 0.99, plus the midpoints between
    consecutive distinct probabilities (at most about 100 of them, at quantiles)."""
    values = np.unique(proba)
    if values.size > _MAX_DATA_CANDIDATES + 1:
        levels = np.linspace(0, 1, _MAX_DATA_CANDIDATES + 1)
        values = np.unique(np.quantile(proba, levels, method="nearest"))
    midpoints = (values[:-1] + values[1:]) / 2
    return np.union1d(_FIXED_GRID, midpoints[(midpoints > 0) & (midpoints < 1)])


def _best_index(scores, grid, tolerance=0.0):
    """Index of the candidate closest to 0.5 among those scoring at least the best score
    minus ``tolerance`` (the lower one of two equally close, as ``grid`` is sorted). NaN
    scores lose."""
    scores = np.where(np.isnan(scores), -np.inf, scores)
    best = np.flatnonzero(scores >= np.max(scores) - tolerance)
    return best[np.argmin(np.abs(grid[best] - 0.5))]


def _scores_over_grid(y, proba, grid):
    """Precision, recall, F1 and balanced accuracy of one label at each candidate, and
    the standard error of each.

    ``y`` (0/1) and ``proba`` hold the label's known rows. The counts come from
    scikit-learn's :func:`~sklearn.metrics.multilabel_confusion_matrix`, computed for all
    candidates at once by reading the candidates as the columns of a multi-label problem;
    the scores equal scikit-learn's ``precision_score``, ``recall_score``, ``f1_score``
    (``zero_division=0``) and ``balanced_accuracy_score`` (the mean recall of the classes
    present in ``y``). The standard errors (``"<name>_se"``) treat the rows as a sample:
    the binomial one for precision and recall, and the delta-method one for F1,
    ``2 * sqrt(a * b * (a + b)) / (2 * a + b) ** 2`` with ``a`` true positives and ``b``
    false positives plus false negatives. They are computed with one pseudo-count added
    to each cell of the confusion matrix (Laplace), so that a perfect score, or a count
    of 0, does not have a standard error of 0.
    """
    pred = proba[:, None] >= grid[None, :]
    truth = np.repeat(y[:, None], grid.size, axis=1)
    if grid.size == 1:  # scikit-learn reads a single column as a binary target
        pred, truth = np.tile(pred, 2), np.tile(truth, 2)
    counts = multilabel_confusion_matrix(truth, pred)[: grid.size].astype(float)
    (tn, fp), (fn, tp) = counts.transpose(1, 2, 0)
    pos, neg = tp + fn, tn + fp
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, pos)
    specificity = _ratio(tn, neg)
    present = [(r, n) for r, n in ((recall, pos), (specificity, neg)) if n[0] > 0]
    scores = {
        "precision": precision,
        "recall": recall,
        "f1": _ratio(2 * tp, 2 * tp + fp + fn),
        "balanced_accuracy": np.mean([r for r, _ in present], axis=0),
    }
    tn, fp, fn, tp = tn + 1, fp + 1, fn + 1, tp + 1
    a, b = tp, fp + fn
    # Binomial variance of a proportion k / (k + m): k * m / (k + m) ** 3.
    recall_var = tp * fn / (tp + fn) ** 3
    specificity_var = tn * fp / (tn + fp) ** 3
    ba_vars = [v for v, n in ((recall_var, pos), (specificity_var, neg)) if n[0] > 0]
    scores["precision_se"] = np.sqrt(tp * fp / (tp + fp) ** 3)
    scores["recall_se"] = np.sqrt(recall_var)
    scores["f1_se"] = 2 * np.sqrt(a * b * (a + b)) / (2 * a + b) ** 2
    scores["balanced_accuracy_se"] = np.sqrt(sum(ba_vars)) / len(ba_vars)
    return scores


def _ratio(numerator, denominator):
    """numerator / denominator, 0 where the denominator is 0."""
    return np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator > 0)


def _positive_proba(estimator, proba, n_labels):
    """Probability of each label being on, shape (n_samples, n_labels), from any
    ``predict_proba`` output: one (n_samples, n_labels) array (``KerasMultiLabelClassifier``,
    ``MLPClassifier``) or a list of one (n_samples, n_classes) array per label
    (``KNeighborsClassifier``, ``RandomForestClassifier``)."""
    classes = getattr(estimator, "classes_", None)
    if not isinstance(proba, list):
        proba = np.asarray(proba)
        single_binary = (
            n_labels == 1
            and proba.ndim == 2
            and proba.shape[1] == 2
            and classes is not None
            and np.ndim(classes) == 1
            and len(classes) == 2
        )
        if not single_binary:
            if proba.ndim != 2 or proba.shape[1] != n_labels:
                raise ValueError(
                    f"{type(estimator).__name__}.predict_proba returned shape {proba.shape}; "
                    f"expected (n_samples, {n_labels}), one probability per label, or a "
                    "list of one (n_samples, n_classes) array per label."
                )
            return proba
        proba, classes = [proba], [classes]
    if len(proba) != n_labels:
        raise ValueError(
            f"{type(estimator).__name__}.predict_proba returned {len(proba)} arrays for "
            f"{n_labels} labels."
        )
    if classes is None:
        classes = [None] * n_labels
    columns = []
    for j, (p, cls) in enumerate(zip(proba, classes, strict=True)):
        p = np.asarray(p)
        cls = np.arange(p.shape[1]) if cls is None else np.asarray(cls)
        if not np.isin(cls, (0, 1)).all():
            raise ValueError(
                f"{type(estimator).__name__} learned the classes {cls.tolist()} for label "
                f"{j}; every label must be a 0/1 target. A -1 (missing label) taken for a "
                "class gives this: only estimators that accept missing labels, such as "
                "KerasMultiLabelClassifier, can be tuned on a y with missing entries."
            )
        on = np.flatnonzero(cls == 1)
        # A label with no positive sample in the training fold is never predicted on.
        columns.append(p[:, on[0]] if on.size else np.zeros(p.shape[0]))
    return np.column_stack(columns)


def _second_class_proba(estimator, proba, classes):
    """Probability of ``classes[1]`` (a binary target's second class), shape (n_samples,),
    from the (n_samples, n_classes) ``predict_proba`` of an estimator fitted on the
    caller's labels; 0 where a fold's estimator never saw that class."""
    proba = np.asarray(proba)
    learned = getattr(estimator, "classes_", None)
    if learned is None or proba.ndim != 2 or proba.shape[1] != len(learned):
        raise ValueError(
            f"{type(estimator).__name__}.predict_proba returned shape {proba.shape}; a "
            "binary target needs (n_samples, n_classes) probabilities in the order of the "
            "estimator's classes_."
        )
    on = np.flatnonzero(np.asarray(learned) == classes[1])
    return proba[:, on[0]] if on.size else np.zeros(proba.shape[0])


@dataclass(frozen=True)
class _Target:
    """The target the thresholds are tuned for.

    ``type`` is ``"multilabel-indicator"`` (one threshold per label) or ``"binary"`` (one
    threshold, on the probability of ``classes[1]``). ``Y`` is its 0/1/:data:`MISSING`
    matrix, one column per threshold (binary: 1 is ``classes[1]``). ``y_folds`` is what
    the models of the folds are fitted on: the indicator matrix with NaN for unknown entries
    (so that every fold has all the labels in the same order, even when a label is absent
    from a fold), or a binary target as the caller gave it.
    """

    type: str
    Y: np.ndarray
    classes: np.ndarray
    y_folds: object

    @property
    def binary(self):
        return self.type == "binary"

    @property
    def names(self):
        """The name of each threshold's label: the labels, or a binary target's second class."""
        return self.classes[1:] if self.binary else self.classes

    @property
    def n_missing(self):
        return int((self.Y == MISSING).sum())

    def split_y(self):
        """The ``y`` a splitter gets: 0/1 codes, unknown entries as 0 (1-D if binary)."""
        codes = np.where(self.Y == MISSING, 0, self.Y)
        return codes[:, 0] if self.binary else codes

    def positive_proba(self, estimator, proba):
        """``estimator``'s probability for each threshold's label, (n_samples, n_thresholds)."""
        if self.binary:
            return _second_class_proba(estimator, proba, self.classes)[:, None]
        return _positive_proba(estimator, proba, len(self.classes))


_REFUSED = {
    "multiclass": (
        "whose prediction is its most probable class: there is no decision threshold to "
        "tune. To tune one threshold per class, one-hot encode y "
        "(sklearn.preprocessing.LabelBinarizer) and tune it as a multi-label target (each "
        "row may then get several classes, or none); to favour some classes, weigh them in "
        "training (class_weight in scikit-learn's classifiers, or sample_weight)."
    ),
    "multiclass-multioutput": (
        "whose outputs with more than two classes are predicted by their most probable "
        "class, with no threshold to tune. Tune each two-class output alone, as a binary "
        "target, or one-hot encode the outputs (sklearn.preprocessing.OneHotEncoder) and "
        "tune them as a multi-label target."
    ),
}


def _refuse(target_type, detail):
    raise ValueError(
        f"Only binary classification is supported, per label (a multi-label target) or for "
        f"one binary target: y is a {target_type!r} target ({detail}), "
        f"{_REFUSED[target_type]} scikit-learn's TunedThresholdClassifierCV tunes binary "
        "targets only."
    )


def tunable_target(y):
    """The :class:`_Target` of ``y``: a multi-label or binary target, as
    :class:`~skmultimlp.KerasMultiLabelClassifier` reads it; a ``ValueError`` for a
    multiclass or multiclass-multioutput one."""
    if not _is_indicator(y):
        Y = _as_array(y)
        if Y.ndim == 2 and Y.shape[1] > 1:
            _refuse("multiclass-multioutput", f"{Y.shape[1]} outputs")
    Y, outputs = encode(y)
    if outputs.target_type == MULTILABEL:
        if sp.issparse(Y):
            # The tuner scores out-of-fold probabilities of Y's shape, a dense float64
            # matrix: a dense uint8 Y beside it costs an eighth more. The folds' models
            # get it as a dense 0/1 y, as before; estimator_ is fitted on y as given.
            Y = Y.toarray()
        y_folds = np.where(Y == MISSING, np.nan, Y) if (Y == MISSING).any() else Y
        return _Target(MULTILABEL, Y, outputs.classes, y_folds)
    if outputs.target_type == "multiclass":
        classes = outputs.classes
        shown = ", ".join(map(repr, classes[:5].tolist())) + (", ..." if len(classes) > 5 else "")
        _refuse("multiclass", f"{len(classes)} classes: {shown}")
    if outputs.target_type != "binary":
        _refuse("multiclass-multioutput", f"{outputs.n_outputs} outputs")
    return _Target("binary", Y, outputs.classes, y)


def _fit(estimator, X, y, n_missing, binary=False):
    try:
        return estimator.fit(X, y)
    except ValueError as exc:
        if not n_missing:
            raise
        marks = "NaN, None or NA" if binary else "NaN or -1"
        raise ValueError(
            f"{type(estimator).__name__} could not be fitted on a y with {n_missing} missing "
            f"label entries ({marks}): {exc} Only estimators that accept missing labels, "
            "such as KerasMultiLabelClassifier, can be tuned on such a y; otherwise drop or "
            "fill in the missing entries."
        ) from exc


def _fit_and_predict(estimator, X, target, train, test):
    """Fit on the training rows; return the probabilities of the test rows."""
    y_train = _safe_indexing(target.y_folds, train)
    _fit(estimator, _safe_indexing(X, train), y_train, target.n_missing, target.binary)
    proba = estimator.predict_proba(_safe_indexing(X, test))
    return target.positive_proba(estimator, proba)


def out_of_fold_proba(estimator, X, target, cv, *, n_jobs=None):
    """Probabilities of each row from a clone of ``estimator`` fitted on the other folds.

    ``target`` is a :class:`_Target`; the models of the folds learn its ``y_folds``.
    Returns the test rows of all folds, concatenated (a row in several test sets comes
    once for each), and their probabilities, one column per threshold.
    """
    splits = list(cv.split(X, target.split_y()))
    parts = Parallel(n_jobs=n_jobs)(
        delayed(_fit_and_predict)(clone(estimator), X, target, train, test)
        for train, test in splits
    )
    rows = np.concatenate([test for _, test in splits])
    return rows, np.concatenate(parts).astype(float, copy=False)


def candidate_grids(proba, known, grid):
    """Per label, the candidate thresholds: ``grid``, or the default grid of its known rows."""
    if grid is not None:
        return [grid] * proba.shape[1]
    return [_default_candidates(proba[known[:, j], j]) for j in range(proba.shape[1])]


def apply_floors(Y, proba, known, grids, floors, classes):
    """Per label, a boolean mask of the candidates that meet the recall/precision
    floors (or, where none does, of those that come closest)."""
    active = {name: floor for name, floor in floors.items() if floor is not None}
    allowed = [np.ones(g.size, dtype=bool) for g in grids]
    if not active:
        return allowed
    unmet = []
    for j, g in enumerate(grids):
        rows = known[:, j]
        if not rows.any():
            continue
        scores = _scores_over_grid(Y[rows, j], proba[rows, j], g)
        slack = np.min([scores[name] - floor for name, floor in active.items()], axis=0)
        if slack.max() < 0:
            unmet.append(classes[j])
        allowed[j] = slack >= min(slack.max(), 0)
    if unmet:
        floors_text = ", ".join(f"min_{name}={floor}" for name, floor in active.items())
        warnings.warn(
            f"{floors_text} is not reached by any candidate threshold of labels "
            f"{[str(c) for c in unmet]} on the out-of-fold predictions; they get the "
            "candidates that come closest.",
            UserWarning,
            stacklevel=4,
        )
    return allowed


def tune_per_label(metric_name, Y, proba, known, grids, allowed, selection, fallback_score):
    """Per label, the allowed candidate that ``selection`` picks on its known rows:
    ``"max"``, the best ``metric_name``; ``"one_se"``, the one closest to 0.5 within one
    standard error of the best. A label whose best score is below ``fallback_score``
    keeps 0.5."""
    n_labels = proba.shape[1]
    thresholds = np.full(n_labels, 0.5)
    scores = np.full(n_labels, np.nan)
    for j, g in enumerate(grids):
        rows = known[:, j]
        if not rows.any():
            continue
        y, p = Y[rows, j], proba[rows, j]
        values = _scores_over_grid(y, p, g)
        metric = np.where(allowed[j], values[metric_name], -np.inf)
        k = _best_index(metric, g)
        if metric[k] < fallback_score:
            scores[j] = _scores_over_grid(y, p, _ONE_HALF)[metric_name][0]
            continue
        if selection == "one_se":
            k = _best_index(metric, g, tolerance=values[metric_name + "_se"][k])
        thresholds[j], scores[j] = g[k], metric[k]
    return thresholds, scores


def tune_global(scorer, Y, proba, grids, allowed):
    """Coordinate ascent of a multi-label scorer over the labels' candidates."""
    # Missing entries go to the scorer as -1, the metrics' "unknown" value.
    y_true = np.where(Y == MISSING, -1, Y).astype(np.int8)
    candidates = [g[a] for g, a in zip(grids, allowed, strict=True)]
    thresholds = np.array([c[np.argmin(np.abs(c - 0.5))] for c in candidates])
    pred = (proba >= thresholds).astype(int)
    fixed = _FixedPredictions(pred)
    current = scorer(fixed, None, y_true)
    scores = np.full(proba.shape[1], current, dtype=float)
    for _ in range(_MAX_SWEEPS):
        changed = False
        for j, cand in enumerate(candidates):
            values = np.empty(cand.size)
            for k, t in enumerate(cand):
                pred[:, j] = proba[:, j] >= t
                values[k] = scorer(fixed, None, y_true)
            k = _best_index(values, cand)
            # Move only to a strictly better (score, closeness to 0.5): the ascent ends.
            closer = abs(cand[k] - 0.5) < abs(thresholds[j] - 0.5)
            if values[k] > current or (values[k] == current and closer):
                thresholds[j], current, changed = cand[k], values[k], True
            pred[:, j] = proba[:, j] >= thresholds[j]
            scores[j] = current
        if not changed:
            break
    else:
        warnings.warn(
            f"The coordinate ascent of the thresholds did not converge in {_MAX_SWEEPS} "
            "sweeps over the labels; the thresholds reached are kept.",
            ConvergenceWarning,
            stacklevel=4,
        )
    return thresholds, scores


class _FixedPredictions(ClassifierMixin, BaseEstimator):
    """A "fitted classifier" whose ``predict`` returns given labels, for calling a
    multi-label scorer on thresholded out-of-fold probabilities."""

    # Each label of an indicator target has the classes 0 and 1; scorers whose metric
    # has a ``pos_label`` (1 by default) check it against ``classes_``.
    classes_ = np.array([0, 1])

    def __init__(self, y_pred=None):
        self.y_pred = y_pred

    def predict(self, X):
        return self.y_pred


def _scorer_of_labels(scorer, classes):
    """``scorer``, a scorer of a binary target, called as :func:`tune_global` calls a
    multi-label scorer (with (n, 1) 0/1 matrices, 1 for ``classes[1]``): on the caller's
    labels, as scikit-learn's ``TunedThresholdClassifierCV`` calls its ``scoring``."""

    def score(fixed, X, y_true):
        labels = _FixedPredictions(classes[fixed.y_pred[:, 0]])
        labels.classes_ = classes
        return scorer(labels, X, classes[y_true[:, 0]])

    return score


class MultiLabelThresholdTuner(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """Multi-label classifier with one decision threshold per label, tuned by cross-validation.

    Wraps any multi-label estimator with ``predict_proba``
    (:class:`~skmultimlp.KerasMultiLabelClassifier`,
    :class:`~sklearn.neural_network.MLPClassifier`,
    :class:`~sklearn.neighbors.KNeighborsClassifier`, a
    :class:`~sklearn.pipeline.Pipeline` ending in one). ``fit`` collects out-of-fold
    probabilities, picks for each label a threshold that scores well on them by ``scoring``
    (by default the threshold closest to 0.5 among those within one standard error of the
    best F1; see ``selection`` and ``fallback_score``),
    then refits the estimator on all the data. ``predict`` sets a label when its
    probability is ``>= thresholds_`` of that label.

    A binary target (a 1-D ``y`` of two classes, any labels) gets one threshold, on the
    probability of its second class ``classes_[1]``, as scikit-learn's
    :class:`~sklearn.model_selection.TunedThresholdClassifierCV` tunes it, and ``predict``
    returns the caller's labels. Multiclass and multiclass-multioutput targets are
    refused at ``fit``, before anything is trained: their classes are predicted by the
    highest probability, with no threshold to tune.

    Parameters
    ----------
    estimator : estimator instance
        A multi-label (or binary) classifier with ``fit`` and ``predict_proba``. A fitted one
        wrapped in :class:`~sklearn.frozen.FrozenEstimator` is used as it is: the
        thresholds are tuned on its probabilities for all of ``(X, y)`` given to
        ``fit``, a held-out set (``cv`` is then not used), as scikit-learn's
        ``CalibratedClassifierCV`` does. Tuning on the data the estimator was fitted on
        over-fits the thresholds. Its ``predict_proba`` may return one (n_samples, n_labels)
        array or a list of one (n_samples, 2) array per label (the positive class's
        column is used); for a binary target, one (n_samples, 2) array in the order of
        its ``classes_``.
    scoring : str or callable, default="f1"
        What the thresholds maximise on the out-of-fold predictions.

        * Per-label objectives, each label tuned on its own with scikit-learn's metric:
          ``"f1"``, ``"balanced_accuracy"``, ``"precision"``, ``"recall"``. Maximising
          each label's F1 also maximises the macro F1 (their mean).
        * A multi-label objective: a key of :data:`skmultimlp.metrics.SCORERS` such as
          ``"exact_match"`` or ``"f1_micro"``, or a scorer callable
          ``scorer(estimator, X, y)`` such as ``SCORERS["f1_samples"]``. It is evaluated
          on all labels together and maximised by coordinate ascent: label after label,
          the candidate that maximises the score with the other thresholds fixed is
          kept, sweeping over the labels until a sweep changes nothing (at most 10
          sweeps). The scorer is called as ``scorer(est, None, y)`` where
          ``est.predict`` returns the thresholded out-of-fold probabilities, once per
          label, candidate and sweep.

        A binary target's threshold is that of its second class ``classes_[1]``: a
        per-label objective scores that class (``"f1"`` is the F1 of ``classes_[1]``,
        scikit-learn's ``f1_score(pos_label=classes_[1])``); a scorer callable gets the
        caller's labels, 1-D, as ``TunedThresholdClassifierCV`` calls its ``scoring``
        (e.g. ``make_scorer(fbeta_score, beta=2, pos_label="spam")``), and is maximised
        over the candidates; a key of ``SCORERS`` scores ``classes_[1]`` as one label
        (``"exact_match"`` is the accuracy).
    selection : {"one_se", "max"}, default="one_se"
        How a per-label objective picks each label's threshold from its out-of-fold
        scores.

        * ``"one_se"``: the one-standard-error rule. Among the candidates whose score is
          within one standard error of the best score, the one closest to 0.5. A flat
          score curve, or a gain over 0.5 that is within the noise of the label's few
          positives, keeps the threshold at (or near) 0.5; a clear gain moves it.
        * ``"max"``: the candidate of best score (ties: closest to 0.5). It wins most
          on the out-of-fold rows and, with few positives per label, loses out of sample.

        The standard error is that of the score at the best candidate, treating the
        out-of-fold rows as a sample: binomial for precision and recall (and for each
        class's recall in balanced accuracy), delta method for F1. A multi-label objective
        always takes its maximum.
    fallback_score : float in [0, 1] or None, default=0.1
        A per-label objective's fallback (SCutFBR, Yang 2001): a label whose best
        out-of-fold score is below ``fallback_score`` is not tuned and keeps 0.5. Such a
        label was barely learnt (a few positives, or no signal), and its best "F1" is
        that of predicting it on most rows: with two positives among 600 rows, "predict
        every row" scores 0.007 and beats 0.5's 0. That threshold predicts the label
        where it is not. 0 or None tunes every label.
    min_recall : float in [0, 1], default=None
        Only thresholds whose per-label recall reaches ``min_recall`` are candidates,
        e.g. ``scoring="precision", min_recall=0.8``: the most precise threshold that
        still finds 80 % of each label's positives. Where no candidate reaches it, the
        label gets the threshold of highest recall, with a warning.
    min_precision : float in [0, 1], default=None
        Likewise, a floor on each label's precision (e.g. with ``scoring="recall"``).
        Where no candidate reaches it, the label gets the most precise threshold.
    thresholds : int, array-like of shape (n_thresholds,) or None, default=None
        Candidate thresholds. None: for each label, 0.01, 0.02, ..., 0.99 together with
        the midpoints between consecutive distinct out-of-fold probabilities of that
        label (at most about 100 of them, taken at quantiles), so that thresholds far
        below 0.01 or between grid points can be found. An int ``n``: ``n`` evenly spaced
        values strictly inside (0, 1) (``1`` gives ``[0.5]``). An array: these values,
        each strictly between 0 and 1.
    cv : int, float, cross-validation generator, iterable or "prefit", default=5
        How the out-of-fold probabilities are made.

        * int: number of folds of :class:`~sklearn.model_selection.KFold` (what
          :func:`~sklearn.model_selection.check_cv` gives for a multi-label target), or
          of :class:`~sklearn.model_selection.StratifiedKFold` for a binary target;
        * float in (0, 1): one :class:`~sklearn.model_selection.ShuffleSplit` holding
          out that fraction of the rows (cheapest for slow estimators); for a binary
          target a :class:`~sklearn.model_selection.StratifiedShuffleSplit`, the split
          ``TunedThresholdClassifierCV`` makes of the same ``cv`` and ``random_state``;
        * a splitter or an iterable of (train, test) index arrays; its ``split`` gets
          the 0/1 indicator matrix of ``y`` (missing entries as 0) as ``y``, or a binary
          target's 0/1 codes (1 for ``classes_[1]``; missing entries as 0). A row in
          several test sets counts once for each;
        * ``"prefit"`` (deprecated, removed in 0.3): as wrapping ``estimator`` in
          :class:`~sklearn.frozen.FrozenEstimator`.
    n_jobs : int, default=None
        Folds fitted in parallel (joblib). None means 1.
    random_state : int, RandomState instance or None, default=None
        Seeds the split when ``cv`` is a float; not used otherwise.

    Attributes
    ----------
    estimator_ : estimator instance
        The estimator refitted on all of ``X, y`` (the ``FrozenEstimator`` itself, as
        given).
    thresholds_ : ndarray of shape (n_labels,)
        The tuned threshold of each label; for a binary target, shape (1,): the
        threshold of ``classes_[1]`` (``KerasMultiLabelClassifier``'s ``threshold``
        takes it as it is).
    best_threshold_ : float
        Binary target only: ``thresholds_[0]``, named as
        ``TunedThresholdClassifierCV`` names it.
    best_scores_ : ndarray of shape (n_labels,)
        Per-label objective: each label's out-of-fold score at its threshold (NaN for a
        label with no known value; the score at 0.5 for a label under
        ``fallback_score``). Multi-label objective: the score reached after
        tuning each label in the last sweep, all equal to ``best_score_`` once the
        ascent has converged.
    best_score_ : float
        Per-label objective: the mean of ``best_scores_`` over labels with a known
        value (for ``"f1"``, the out-of-fold macro F1). Multi-label objective: the
        out-of-fold score at ``thresholds_``.
    classes_ : ndarray of shape (n_labels,), or (2,) if binary
        Label names, as :class:`~skmultimlp.KerasMultiLabelClassifier` names them:
        DataFrame columns, sorted names of label collections, or ``0..n_labels-1``. For a
        binary target, its two classes, sorted.
    target_type_ : {"multilabel-indicator", "binary"}
        scikit-learn's name of the target type ``fit`` was given.
    n_features_in_ : int
        Number of features seen in ``fit``, when ``estimator_`` records it.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names seen in ``fit``, when ``estimator_`` records them.

    See Also
    --------
    sklearn.model_selection.TunedThresholdClassifierCV : the binary-only counterpart; it
        averages each fold's score curve where this tuner scores the pooled out-of-fold
        probabilities (the same with one split, or a ``FrozenEstimator``).
    skmultimlp.KerasMultiLabelClassifier : its ``threshold`` takes ``thresholds_``.

    Notes
    -----
    Ties: among candidates with the same best score (or, with ``selection="one_se"``,
    within one standard error of it), the threshold closest to 0.5 is chosen (the lower
    of two equally close ones), so a label whose score does not depend on its threshold
    keeps 0.5.

    Why the defaults are ``selection="one_se"`` and ``fallback_score=0.1``: thresholds
    that maximise each label's out-of-fold F1 over-fit. Flat F1 curves put the
    maximum anywhere (often far below 0.5), and labels with one or two positives get
    "predict every row". Out of sample the old rule (``selection="max",
    fallback_score=0``) lowered micro F1 on yeast by 0.04 and, on data with many rare
    but learnable labels, from 0.93 to 0.86; the defaults keep almost all of the
    macro F1 gain without lowering micro F1. The measurements are in the documentation
    page "Choosing thresholds".

    Missing labels: ``y`` may hold NaN or -1 for unknown entries. Each label's
    threshold is then tuned on the rows where that label is known, a multi-label
    objective given by name scores only the known entries
    (``make_scorers(missing="ignore")``). The estimator must accept missing entries
    (``KerasMultiLabelClassifier`` masks them; scikit-learn's estimators reject them).

    What the estimator is fitted on: the models of the folds get a multi-label ``y`` as
    a 0/1 indicator matrix (NaN for unknown entries), so that all folds predict the same
    labels in the same order, and a binary ``y`` as it is; ``estimator_`` gets ``y``
    unchanged, so it keeps label names and DataFrame columns.

    Binary targets: a binary ``y`` with unknown entries (NaN, None or pandas' NA; -1 is
    a class there) is tuned on its known rows, with an estimator that accepts them
    (``KerasMultiLabelClassifier``). Multiclass targets are refused with a
    ``ValueError`` (as scikit-learn's ``TunedThresholdClassifierCV`` refuses them): to
    tune one threshold per class, one-hot encode ``y``
    (:class:`~sklearn.preprocessing.LabelBinarizer`) and tune a multi-label target.

    Examples
    --------
    >>> from sklearn.datasets import make_multilabel_classification
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from skmultimlp.thresholds import MultiLabelThresholdTuner
    >>> X, y = make_multilabel_classification(n_samples=300, n_features=8, n_classes=3,
    ...                                       n_labels=1, random_state=1)
    >>> y.sum(axis=0)  # label 2 is rare
    array([100, 153,  14])
    >>> tuner = MultiLabelThresholdTuner(KNeighborsClassifier(), cv=3).fit(X, y)
    >>> tuner.thresholds_  # only label 2 gains clearly from moving its threshold
    array([0.5, 0.5, 0.2])
    >>> tuner.best_scores_.round(3)  # out-of-fold F1 of each label at its threshold
    array([0.757, 0.891, 0.378])
    >>> best = MultiLabelThresholdTuner(KNeighborsClassifier(), selection="max", cv=3)
    >>> best.fit(X, y).thresholds_  # label 0's gain at 0.4 is within its noise
    array([0.4, 0.5, 0.2])
    >>> tuner.predict(X[:2])
    array([[0, 0, 0],
           [1, 1, 0]])

    A binary target, in its own labels: one threshold, on the probability of the
    second class (``"spam"``).

    >>> import numpy as np
    >>> rare = np.where(y[:, 2] == 1, "spam", "ham")
    >>> binary = MultiLabelThresholdTuner(KNeighborsClassifier(), cv=3).fit(X, rare)
    >>> binary.classes_, binary.best_threshold_
    (array(['ham', 'spam'], dtype='<U4'), 0.2)
    >>> binary.predict(X[[0, 15]])
    array(['ham', 'spam'], dtype='<U4')
    >>> spam = [(model.predict(X) == "spam").sum() for model in (binary, binary.estimator_)]
    >>> [int(n) for n in spam]  # tuned threshold, and the estimator's own 0.5
    [30, 3]
    """

    def __init__(
        self,
        estimator,
        *,
        scoring: str | Callable = "f1",
        selection: str = "one_se",
        fallback_score: float = 0.1,
        min_recall: float | None = None,
        min_precision: float | None = None,
        thresholds=None,
        cv=5,
        n_jobs: int | None = None,
        random_state=None,
    ):
        self.estimator = estimator
        self.scoring = scoring
        self.selection = selection
        self.fallback_score = fallback_score
        self.min_recall = min_recall
        self.min_precision = min_precision
        self.thresholds = thresholds
        self.cv = cv
        self.n_jobs = n_jobs
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Inputs go to the estimator untouched; rows only are indexed for the folds.
        tags.input_tags = replace(get_tags(self.estimator).input_tags, pairwise=False)
        tags.target_tags.required = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        tags.classifier_tags.multi_class = False
        tags.classifier_tags.multi_label = True
        return tags

    def _check_estimator(self):
        missing = [m for m in ("fit", "predict_proba") if not hasattr(self.estimator, m)]
        if missing:
            raise TypeError(
                f"estimator must be a classifier with fit and predict_proba, whose "
                f"probabilities the thresholds apply to; {type(self.estimator).__name__} "
                f"has no {' or '.join(missing)}."
            )

    def _check_scoring(self):
        """("per_label", name) or ("global", scorer)."""
        scoring = self.scoring
        if isinstance(scoring, str):
            if scoring in PER_LABEL_METRICS:
                return "per_label", scoring
            if scoring in SCORERS:
                # Without missing entries these are exactly the SCORERS.
                return "global", make_scorers(missing="ignore")[scoring]
            raise ValueError(
                f"scoring={scoring!r} is not supported. Per-label objectives: "
                f"{list(PER_LABEL_METRICS)}; multi-label objectives: {sorted(SCORERS)} "
                "(keys of skmultimlp.metrics.SCORERS), or a scorer callable."
            )
        if callable(scoring):
            return "global", scoring
        raise TypeError(
            f"scoring must be a string or a scorer callable, got {type(scoring).__name__}."
        )

    def _check_cv(self, target):
        cv = self.cv
        if isinstance(cv, numbers.Real) and not isinstance(cv, numbers.Integral):
            if not 0 < cv < 1:
                raise ValueError(
                    f"cv={cv!r}: a float cv is the fraction of rows held out, in (0, 1)."
                )
            # As TunedThresholdClassifierCV splits a binary target: stratified.
            split = StratifiedShuffleSplit if target.binary else ShuffleSplit
            return split(n_splits=1, test_size=cv, random_state=self.random_state)
        if isinstance(cv, (bool, np.bool_)) or (isinstance(cv, str) and cv != "prefit"):
            raise ValueError(
                f"cv must be an int, a float in (0, 1), a splitter, an iterable of "
                f"(train, test) splits or 'prefit', got {cv!r}."
            )
        return check_cv(cv, target.split_y(), classifier=True)

    def fit(self, X, y):
        """Tune one threshold per label on out-of-fold probabilities, then refit.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, n_features)
            Input accepted by the estimator.
        y : array-like of shape (n_samples, n_labels) or (n_samples,), or list of collections
            A multi-label target in any form ``KerasMultiLabelClassifier`` accepts (NaN or
            -1 marks an unknown entry), or a binary target: a 1-D array or Series of two
            classes, any labels (NaN, None or pandas' NA marks an unknown entry). A
            multiclass or multiclass-multioutput target is refused with a ``ValueError``
            before anything is fitted. ``estimator_`` is fitted on ``y`` unchanged.

        Returns
        -------
        self : MultiLabelThresholdTuner
            The fitted tuner.
        """
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        self._check_estimator()
        grid = _check_thresholds(self.thresholds)
        fallback = _check_floor(self.fallback_score, "fallback_score") or 0.0
        if self.selection not in SELECTIONS:
            raise ValueError(
                f"selection must be one of {list(SELECTIONS)}, got {self.selection!r}."
            )
        floors = {
            "recall": _check_floor(self.min_recall, "min_recall"),
            "precision": _check_floor(self.min_precision, "min_precision"),
        }
        X, y = indexable(X, y)
        target = tunable_target(y)
        Y, classes = target.Y, target.classes
        check_consistent_length(X, Y)
        known = Y != MISSING
        kind, objective = self._check_scoring()
        if kind == "global" and target.binary and callable(self.scoring):
            objective = _scorer_of_labels(objective, classes)

        estimator = self.estimator
        prefit = isinstance(self.cv, str) and self.cv == "prefit"
        if prefit:
            warnings.warn(
                "cv='prefit' is deprecated and will be removed in skmultimlp 0.3: wrap the "
                "fitted estimator in sklearn.frozen.FrozenEstimator instead, as scikit-learn "
                "does (MultiLabelThresholdTuner(FrozenEstimator(fitted)).fit(X_held_out, y)).",
                FutureWarning,
                stacklevel=2,
            )
            estimator = FrozenEstimator(estimator)
        if isinstance(estimator, FrozenEstimator):
            try:
                check_is_fitted(estimator.estimator)
            except NotFittedError as exc:
                raise NotFittedError(
                    "A FrozenEstimator (or cv='prefit') means the estimator is already fitted "
                    "and (X, y) is a held-out set to tune the thresholds on, but "
                    f"{type(estimator.estimator).__name__} is not fitted: fit it first, or "
                    "pass it unfitted to tune on out-of-fold predictions."
                ) from exc
            rows = np.arange(Y.shape[0])
            proba = target.positive_proba(estimator, estimator.predict_proba(X))
            proba = np.asarray(proba, dtype=float)
            fitted = self.estimator if prefit else estimator
        else:
            cv = self._check_cv(target)
            rows, proba = out_of_fold_proba(estimator, X, target, cv, n_jobs=self.n_jobs)
            fitted = None

        if target.binary:  # one threshold: tuned on the rows whose class is known
            proba, rows = proba[known[rows, 0]], rows[known[rows, 0]]
        Y_oof, known_oof = Y[rows], known[rows]
        grids = candidate_grids(proba, known_oof, grid)
        allowed = apply_floors(Y_oof, proba, known_oof, grids, floors, target.names)
        if kind == "per_label":
            thresholds, scores = tune_per_label(
                objective, Y_oof, proba, known_oof, grids, allowed, self.selection, fallback
            )
            labelled = ~np.isnan(scores)
            best = float(np.mean(scores[labelled])) if labelled.any() else np.nan
        else:
            thresholds, scores = tune_global(objective, Y_oof, proba, grids, allowed)
            best = float(scores[-1])

        if fitted is None:
            fitted = _fit(clone(self.estimator), X, y, target.n_missing, target.binary)
        self.estimator_ = fitted
        self.thresholds_ = thresholds
        self.best_scores_ = scores
        self.best_score_ = best
        self.classes_ = classes
        self.target_type_ = target.type
        if target.binary:
            self.best_threshold_ = float(thresholds[0])
        elif hasattr(self, "best_threshold_"):  # from an earlier fit on a binary target
            del self.best_threshold_
        for name in ("n_features_in_", "feature_names_in_"):
            if hasattr(fitted, name):
                setattr(self, name, getattr(fitted, name))
        return self

    def predict_proba(self, X):
        """Probability of each label (or class) for each sample, from ``estimator_``.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_labels), or (n_samples, 2) if binary
            Multi-label: columns in ``classes_`` order; a list output of the estimator
            (one (n_samples, 2) array per label) is reduced to the positive class's
            column. Binary: ``estimator_.predict_proba(X)``, as scikit-learn's
            ``TunedThresholdClassifierCV`` returns it (columns in ``classes_`` order).
        """
        check_is_fitted(self)
        proba = self.estimator_.predict_proba(X)
        if self._binary():
            return proba
        return _positive_proba(self.estimator_, proba, len(self.classes_))

    def _binary(self):
        return getattr(self, "target_type_", MULTILABEL) == "binary"

    def predict(self, X):
        """Predicted labels: ``predict_proba(X) >= thresholds_``.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples, n_labels), int, or (n_samples,) if binary
            Multi-label: 0/1 indicators, columns in ``classes_`` order. Binary: the
            caller's labels, ``classes_[1]`` where its probability is
            ``>= best_threshold_``, else ``classes_[0]``.
        """
        check_is_fitted(self)
        if self._binary():
            proba = self.estimator_.predict_proba(X)
            on = _second_class_proba(self.estimator_, proba, self.classes_) >= self.thresholds_[0]
            return self.classes_[on.astype(int)]
        return (self.predict_proba(X) >= self.thresholds_).astype(int)

    def score(self, X, y, sample_weight=None):
        """Exact-match (subset) accuracy of ``predict(X)`` against ``y``.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, n_features)
        y : any target form accepted by ``fit``, without missing entries
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
            Fraction of samples whose labels are all predicted right (binary: the
            accuracy).
        """
        check_is_fitted(self)
        if self._binary():
            return float(accuracy_score(y, self.predict(X), sample_weight=sample_weight))
        return exact_match_score(
            transform_targets(y, self.classes_), self.predict(X), sample_weight=sample_weight
        )
