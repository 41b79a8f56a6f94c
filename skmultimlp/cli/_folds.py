"""The folds of ``evaluate``: scheduled on joblib's workers, with a progress bar."""

import sys

import joblib
import numpy as np
from sklearn.base import clone
from sklearn.metrics import check_scoring
from tqdm import tqdm

from ._report import kept_epoch, network_of


def _fit_and_score(index, estimator, X, y, split, scorers, keep, predictions=True):
    """Fold ``index``: fit and score with every scorer; the epochs run and kept.

    With ``keep``, the fold's predictions come back too (unless not ``predictions``), and
    the fitted estimator if the fold is the first.
    """
    train, test = split
    estimator.fit(X[train], y[train])
    scores = check_scoring(estimator, scoring=scorers)(estimator, X[test], y[test])
    network = network_of(estimator)
    epochs = (network.n_iter_, kept_epoch(network))
    y_pred = estimator.predict(X[test]) if keep and predictions else None
    return index, scores, epochs, y_pred, estimator if keep and index == 0 else None


class FoldResults:
    """Each scorer's value per fold, epochs run and kept per fold, and what a figure needs:
    out-of-fold predictions of the first repeat and the first fold's estimator."""

    def __init__(self, scorers, n_folds, y_shape):
        self.scores = {key: np.empty(n_folds) for key in scorers}
        self.n_iter = np.empty(n_folds)
        self.kept = np.full(n_folds, np.nan)
        self.y_oof = np.zeros(y_shape, dtype=int)
        self.first_model = None


def run_folds(estimator, X, y, splits, scorers, *, keep_first, n_jobs, predictions=True):
    """Fit and score a clone of ``estimator`` on each split, ``n_jobs`` at a time.

    The first ``keep_first`` folds also return their predictions (for a figure; 0/1
    labels, so not with ``predictions=False``) and the first one its fitted estimator. A
    progress bar over the folds goes to stderr when it is a terminal.
    """
    results = FoldResults(scorers, len(splits), y.shape)
    fold = joblib.delayed(_fit_and_score)
    tasks = (
        fold(
            i, clone(estimator), X, y, split, scorers, keep=i < keep_first, predictions=predictions
        )
        for i, split in enumerate(splits)
    )
    parallel = joblib.Parallel(n_jobs=n_jobs, return_as="generator_unordered")
    # disable=None: no bar unless stderr is a terminal, so logs and pipes stay clean.
    with tqdm(total=len(splits), desc="folds", unit="fit", file=sys.stderr, disable=None) as bar:
        for i, fold_scores, (n_iter, kept), y_pred, model in parallel(tasks):
            for key, value in fold_scores.items():
                results.scores[key][i] = value
            results.n_iter[i] = n_iter
            if kept is not None:
                results.kept[i] = kept
            if y_pred is not None:
                results.y_oof[splits[i][1]] = y_pred
            results.first_model = model if model is not None else results.first_model
            bar.update()
    return results
