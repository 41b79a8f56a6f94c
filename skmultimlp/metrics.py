"""Multi-label metrics and the scorers made from them.

The metric functions are thin wrappers of scikit-learn's, fixing the arguments that
matter for multi-label work (``zero_division=0`` for labels never predicted). The
scorers in :data:`SCORERS` are built from scikit-learn's metrics with ``make_scorer``,
so each works as ``scoring=`` in ``GridSearchCV``, ``cross_val_score`` and
``cross_validate``, and the whole dict works as ``cross_validate(..., scoring=SCORERS)``.
"""

from dataclasses import dataclass

import numpy as np
from sklearn import metrics as _skm

__all__ = [
    "SCORERS",
    "MultilabelReport",
    "exact_match_score",
    "hamming_loss",
    "macro_f1_score",
    "multilabel_report",
]


def exact_match_score(y_true, y_pred, *, sample_weight=None):
    """Fraction of samples whose whole label set is predicted exactly (subset accuracy).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples, n_labels)
        0/1 indicator matrices.
    sample_weight : array-like of shape (n_samples,), default=None

    Returns
    -------
    float

    Examples
    --------
    >>> exact_match_score([[1, 0], [1, 1]], [[1, 0], [0, 1]])
    0.5
    """
    return float(_skm.accuracy_score(y_true, y_pred, sample_weight=sample_weight))


def hamming_loss(y_true, y_pred, *, sample_weight=None):
    """Fraction of the individual label decisions that are wrong (lower is better).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples, n_labels)
        0/1 indicator matrices.
    sample_weight : array-like of shape (n_samples,), default=None

    Returns
    -------
    float

    Examples
    --------
    >>> hamming_loss([[1, 0], [1, 1]], [[1, 0], [0, 1]])
    0.25
    """
    return float(_skm.hamming_loss(y_true, y_pred, sample_weight=sample_weight))


def macro_f1_score(y_true, y_pred, *, sample_weight=None):
    """Unweighted mean of the per-label F1 scores; a label never predicted nor present
    scores 0 (``zero_division=0``), so rare labels are not hidden.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples, n_labels)
        0/1 indicator matrices.
    sample_weight : array-like of shape (n_samples,), default=None

    Returns
    -------
    float

    Examples
    --------
    >>> macro_f1_score([[1, 0], [1, 1]], [[1, 0], [0, 1]])
    0.8333333333333333
    """
    return float(
        _skm.f1_score(y_true, y_pred, average="macro", zero_division=0, sample_weight=sample_weight)
    )


SCORERS = {
    "exact_match": _skm.make_scorer(_skm.accuracy_score),
    "neg_hamming_loss": _skm.make_scorer(_skm.hamming_loss, greater_is_better=False),
    "f1_macro": _skm.make_scorer(_skm.f1_score, average="macro", zero_division=0),
    "f1_micro": _skm.make_scorer(_skm.f1_score, average="micro", zero_division=0),
    "f1_samples": _skm.make_scorer(_skm.f1_score, average="samples", zero_division=0),
    "jaccard_samples": _skm.make_scorer(_skm.jaccard_score, average="samples", zero_division=0),
}
"""dict of str to scorer: multi-label scorers, greater is better for each.

Keys: ``"exact_match"``, ``"neg_hamming_loss"``, ``"f1_macro"``, ``"f1_micro"``,
``"f1_samples"``, ``"jaccard_samples"``.
"""


@dataclass(frozen=True)
class MultilabelReport:
    """Per-label precision, recall, F1, support and ROC AUC, with their averages.

    Attributes
    ----------
    labels : list
        Label names, one per row.
    precision, recall, f1 : ndarray of shape (n_labels,)
    support : ndarray of shape (n_labels,)
        Number of true samples of each label.
    roc_auc : ndarray of shape (n_labels,) or None
        Per-label ROC AUC when probabilities were given; NaN for a label whose
        ``y_true`` column has a single class.
    averages : dict
        ``"macro"`` and ``"micro"`` rows, each a dict with ``precision``, ``recall``,
        ``f1``, ``support`` and (with probabilities) ``roc_auc``.
    """

    labels: list
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray
    roc_auc: np.ndarray | None
    averages: dict

    def to_dict(self):
        """The report as ``{label_or_average: {metric: value}}``."""
        rows = {}
        for i, label in enumerate(self.labels):
            row = {
                "precision": float(self.precision[i]),
                "recall": float(self.recall[i]),
                "f1": float(self.f1[i]),
                "support": int(self.support[i]),
            }
            if self.roc_auc is not None:
                row["roc_auc"] = float(self.roc_auc[i])
            rows[label] = row
        rows.update({f"{k} avg": dict(v) for k, v in self.averages.items()})
        return rows

    def __str__(self):
        columns = ["precision", "recall", "f1", "support"]
        if self.roc_auc is not None:
            columns.append("roc_auc")
        rows = self.to_dict()
        width = max(12, *(len(str(name)) for name in rows))
        lines = [" " * width + "".join(f"{c:>11}" for c in columns)]
        for name, row in rows.items():
            if name == "macro avg":
                lines.append("")
            cells = "".join(
                f"{row[c]:>11d}" if c == "support" else f"{row[c]:>11.3f}" for c in columns
            )
            lines.append(f"{str(name):>{width}}{cells}")
        return "\n".join(lines)


def multilabel_report(y_true, y_pred, y_proba=None, labels=None):
    """Per-label precision, recall, F1, support (and ROC AUC) with macro/micro averages.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples, n_labels)
        0/1 indicator matrices.
    y_proba : array-like of shape (n_samples, n_labels), default=None
        Predicted probabilities; adds a per-label ROC AUC column.
    labels : sequence of length n_labels, default=None
        Label names, e.g. a fitted estimator's ``classes_``; default ``0..n_labels-1``.

    Returns
    -------
    MultilabelReport
        ``str(report)`` is a readable table; ``report.to_dict()`` a nested dict.

    Examples
    --------
    >>> report = multilabel_report([[1, 0], [1, 1], [0, 1]], [[1, 0], [0, 1], [0, 1]],
    ...                            labels=["cat", "dog"])
    >>> report.f1.round(3).tolist()
    [0.667, 1.0]
    >>> print(report)  # doctest: +NORMALIZE_WHITESPACE
                   precision     recall         f1    support
             cat       1.000      0.500      0.667          2
             dog       1.000      1.000      1.000          2
    <BLANKLINE>
       macro avg       1.000      0.750      0.833          4
       micro avg       1.000      0.750      0.857          4
    """
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if y_true.ndim != 2 or y_true.shape != y_pred.shape:
        raise ValueError(
            "y_true and y_pred must be 0/1 indicator matrices of the same shape "
            f"(n_samples, n_labels), got {y_true.shape} and {y_pred.shape}."
        )
    n_labels = y_true.shape[1]
    names = list(range(n_labels)) if labels is None else list(labels)
    if len(names) != n_labels:
        raise ValueError(f"labels has {len(names)} names for {n_labels} label columns.")
    p, r, f, s = _skm.precision_recall_fscore_support(y_true, y_pred, average=None, zero_division=0)
    averages = {}
    for avg in ("macro", "micro"):
        ap, ar, af, _ = _skm.precision_recall_fscore_support(
            y_true, y_pred, average=avg, zero_division=0
        )
        averages[avg] = {
            "precision": float(ap),
            "recall": float(ar),
            "f1": float(af),
            "support": int(s.sum()),
        }
    auc = None
    if y_proba is not None:
        y_proba = np.asarray(y_proba, dtype=float)
        if y_proba.shape != y_true.shape:
            raise ValueError(f"y_proba must have shape {y_true.shape}, got {y_proba.shape}.")
        auc = np.array(
            [
                _skm.roc_auc_score(y_true[:, j], y_proba[:, j])
                if len(np.unique(y_true[:, j])) == 2
                else np.nan
                for j in range(n_labels)
            ]
        )
        defined = ~np.isnan(auc)
        averages["macro"]["roc_auc"] = float(auc[defined].mean()) if defined.any() else np.nan
        averages["micro"]["roc_auc"] = (
            float(_skm.roc_auc_score(y_true, y_proba, average="micro"))
            if len(np.unique(y_true)) == 2
            else np.nan
        )
    return MultilabelReport(names, p, r, f, s, auc, averages)
