"""Scores of class columns (the outputs of a multi-class target), for evaluate and tune.

:mod:`skmultimlp.metrics` scores 0/1 labels; these score the classes a model predicts for
each output, with scikit-learn's metrics and numpy. An unknown entry of the true target
(NaN, None or pandas' NA) is left out, as the multi-label scores leave it out:

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
from sklearn.metrics import f1_score

SCORES = ("exact_match", "neg_hamming_loss", "f1_macro")
"""The scorers of ``--scoring`` that class columns have (the others are multi-label)."""


def _columns(y):
    """``y`` as a 2-D object array (one column per output), None where unknown, and the
    mask of its known entries."""
    Y = np.asarray(y, dtype=object)
    Y = Y.reshape(len(Y), -1)
    known = ~pd.isna(Y)
    return np.where(known, Y, None), known


def _right(y_true, y_pred):
    """Where the prediction is the true class, and the mask of known true entries."""
    T, known = _columns(y_true)
    P, _ = _columns(y_pred)
    return (T == P) & known, known, T, P


def exact_match(y_true, y_pred):
    right, known, _, _ = _right(y_true, y_pred)
    rows = known.any(axis=1)
    return float(np.mean((right | ~known)[rows].all(axis=1)))


def hamming_loss(y_true, y_pred):
    right, known, _, _ = _right(y_true, y_pred)
    return float(1 - right[known].mean())


def _values(column):
    """Classes held as objects, as a plain array (scikit-learn reads an object array of
    numbers as of an unknown type)."""
    return np.asarray(column.tolist())


def macro_f1(y_true, y_pred):
    _, known, T, P = _right(y_true, y_pred)
    scores = [
        f1_score(_values(T[rows, j]), _values(P[rows, j]), average="macro", zero_division=0)
        for j, rows in enumerate(known.T)
    ]
    return float(np.mean(scores))


def output_accuracy(y_true, y_pred, output):
    right, known, _, _ = _right(y_true, y_pred)
    return float(right[known[:, output], output].mean())


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
