"""Scores of class columns (the outputs of a multi-class target), for evaluate and tune.

:mod:`skmultimlp.metrics` scores them with ``missing="ignore"``: an unknown entry of the true
target (NaN, None or pandas' NA) is left out, as the multi-label scores leave it out:

* ``exact_match``: the share of rows whose known outputs are all predicted right (rows
  with no known output are left out);
* ``neg_hamming_loss``: minus the share of known entries predicted wrong;
* ``f1_macro``: the mean over the outputs of each output's macro F1 (scikit-learn's
  ``f1_score(average="macro", zero_division=0)`` over its classes, on its known rows);
* ``accuracy:<name>``: the accuracy of one output on its known rows (``evaluate`` shows
  one per output).

With one output, exact match and the output's accuracy are the same number, and the
hamming loss is one minus it.
"""

import numpy as np
import pandas as pd

from .. import metrics

SCORES = ("exact_match", "neg_hamming_loss", "f1_macro")
"""The scorers of ``--scoring`` that class columns have (the others are multi-label)."""


def _target_type(y):
    """Several class columns are one multi-output target, even when they hold only 0/1; one
    column (1-D) is told binary or multiclass by the metrics."""
    return "multiclass-multioutput" if np.ndim(y) == 2 else None


def exact_match(y_true, y_pred):
    return metrics.exact_match_score(
        y_true, y_pred, missing="ignore", target_type=_target_type(y_true)
    )


def hamming_loss(y_true, y_pred):
    return metrics.hamming_loss(y_true, y_pred, missing="ignore", target_type=_target_type(y_true))


def macro_f1(y_true, y_pred):
    return metrics.macro_f1_score(
        y_true, y_pred, missing="ignore", target_type=_target_type(y_true)
    )


def output_accuracy(y_true, y_pred, output):
    """The accuracy of one output on the rows where its true class is known."""
    T = np.asarray(y_true, dtype=object).reshape(len(y_true), -1)[:, output]
    P = np.asarray(y_pred, dtype=object).reshape(len(y_pred), -1)[:, output]
    known = ~pd.isna(T)
    return float(np.mean(T[known] == P[known]))


class _Scorer:
    """``scorer(estimator, X, y)``: ``sign * metric(y, estimator.predict(X))``."""

    def __init__(self, metric, sign=1.0, **kwargs):
        self.metric, self.sign, self.kwargs = metric, sign, kwargs

    def __call__(self, estimator, X, y):
        return self.sign * self.metric(y, estimator.predict(X), **self.kwargs)


def output_scorers(names=()):
    """The scorers of :data:`SCORES`, then one ``accuracy:<name>`` scorer per output
    named in ``names`` (in order; none when ``names`` is empty).

    Examples
    --------
    >>> import numpy as np
    >>> from skmultimlp.cli._output_scores import output_scorers
    >>> class Fixed:  # a fitted model that predicts these classes
    ...     def predict(self, X):
    ...         return np.array([["red", 1], ["blue", 0], ["red", 0]], dtype=object)
    >>> y = np.array([["red", 1], ["red", 0], [None, 1]], dtype=object)  # None: unknown
    >>> scorers = output_scorers(["color", "urgent"])
    >>> {key: round(scorer(Fixed(), None, y), 3) for key, scorer in scorers.items()}
    ... # doctest: +NORMALIZE_WHITESPACE
    {'exact_match': 0.333, 'neg_hamming_loss': -0.4, 'f1_macro': 0.5,
     'accuracy:color': 0.5, 'accuracy:urgent': 0.667}
    """
    scorers = {
        "exact_match": _Scorer(exact_match),
        "neg_hamming_loss": _Scorer(hamming_loss, sign=-1.0),
        "f1_macro": _Scorer(macro_f1),
    }
    for j, name in enumerate(names):
        scorers[f"accuracy:{name}"] = _Scorer(output_accuracy, output=j)
    return scorers
