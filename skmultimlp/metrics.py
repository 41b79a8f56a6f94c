"""Multi-label metrics and the scorers made from them.

The metric functions are thin wrappers of scikit-learn's, fixing the arguments that
matter for multi-label work (``zero_division=0`` for labels never predicted). The
scorers in :data:`SCORERS` are built from these wrappers with ``make_scorer``, so each
works as ``scoring=`` in ``GridSearchCV``, ``cross_val_score`` and ``cross_validate``,
and the whole dict works as ``cross_validate(..., scoring=SCORERS)``.

Target forms: ``y_true`` and ``y_pred`` may each be any form that
:meth:`KerasMultiLabelClassifier.fit <skmultimlp.KerasMultiLabelClassifier.fit>` accepts:
a 0/1 indicator matrix (array-like or scipy sparse), a pandas DataFrame of 0/1 columns, or
a sequence of label collections such as ``[["sports", "tech"], [], ["politics"]]``. Label
collections are binarised with the same columns for both arguments: ``labels=`` when given,
else the columns of a DataFrame argument, else the sorted union of the names in both. A
DataFrame is matched to a matrix column by position, and to another DataFrame (or to
``labels``) by column name. A scorer of :data:`SCORERS` binarises label collections against
the estimator's ``classes_``, the column order of its ``predict``.

Missing labels: a ``y_true`` entry that is NaN or ``-1`` means "unknown" (the convention
of :class:`~skmultimlp.KerasMultiLabelClassifier`). By default (``missing="raise"``) every
metric and every scorer of :data:`SCORERS` raises a ``ValueError`` for such a ``y_true``;
with ``missing="ignore"`` (and the scorers of ``make_scorers(missing="ignore")``) only the
known entries are scored, as each function's documentation states. The masked values are
still computed by scikit-learn's metric functions: an unknown entry set to 0 in both
``y_true`` and ``y_pred`` is a true negative, which changes no precision, recall, F1 or
Jaccard score, and the counting metrics are given the known entries only.
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn import metrics as _skm
from sklearn.preprocessing import MultiLabelBinarizer
from sklearn.utils.metadata_routing import MetadataRequest

from ._targets import _rows_of

__all__ = [
    "SCORERS",
    "MultilabelReport",
    "exact_match_score",
    "hamming_loss",
    "macro_f1_score",
    "make_scorers",
    "multilabel_report",
]

_MISSING_OPTIONS = ("raise", "ignore")


def _check_missing_option(missing):
    if not isinstance(missing, str) or missing not in _MISSING_OPTIONS:
        raise ValueError(f"missing must be 'raise' or 'ignore', got {missing!r}.")


def _as_dense(y):
    """``y`` as a numpy array, with pandas' NA (nullable columns) and None as NaN."""
    if hasattr(y, "columns"):
        try:
            return y.to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError):
            return y.to_numpy()
    y = y.toarray() if sp.issparse(y) else np.asarray(y)
    if y.dtype == object:
        try:
            y = y.astype(np.float64)
        except (TypeError, ValueError):
            pass  # not numbers: scikit-learn's own checks will say what is wrong
    return y


# --- target forms -------------------------------------------------------------------------


def _sorted_names(names):
    try:
        return sorted(names)
    except TypeError:
        raise ValueError(
            f"The label names {sorted(map(repr, names))[:5]} are of types that cannot be "
            "sorted into one column order: pass labels= to give the order."
        ) from None


def _names_of(rows):
    return {label for row in rows for label in row}


def _binarise(rows, names, which, source):
    unknown = _names_of(rows) - set(names)
    if unknown:
        raise ValueError(
            f"{which} has label names not in {source}: {sorted(map(str, unknown))[:5]}."
        )
    return MultiLabelBinarizer(classes=list(names)).fit_transform(rows)


def _frame_in_order(frame, names):
    """A DataFrame as a dense array, its columns put in the order of ``names`` when it
    has exactly those columns; otherwise in its own order (matched by position)."""
    columns = list(frame.columns)
    if names is not None and columns != names and set(columns) == set(names):
        frame = frame[names]
    return _as_dense(frame)


def _n_columns(y):
    shape = getattr(y, "shape", None)
    if shape is None:
        try:
            shape = np.shape(y)
        except ValueError:  # ragged: scikit-learn's checks will say what is wrong
            return None
    return shape[1] if len(shape) == 2 else None


def _indicators(y_true, y_pred, labels=None):
    """``y_true`` and ``y_pred`` in any target form, as indicators with the same columns.

    Returns ``(y_true, y_pred, names)``: label collections binarised, DataFrames as dense
    arrays (NaN kept for unknown entries) with their columns in a common order, other
    matrices unchanged; ``names`` the label name of each column, or None where no
    argument names them.
    """
    rows = {"y_true": _rows_of(y_true), "y_pred": _rows_of(y_pred)}
    frames = {"y_true": hasattr(y_true, "columns"), "y_pred": hasattr(y_pred, "columns")}
    if labels is not None:
        names = list(labels)
        if len(set(names)) != len(names):
            raise ValueError(f"labels must not repeat a name, got {names}.")
        source = "labels"
    elif rows["y_true"] is not None and rows["y_pred"] is not None:
        names = _sorted_names(_names_of(rows["y_true"]) | _names_of(rows["y_pred"]))
        source = None  # the union: every name is in it
    elif frames["y_true"] or frames["y_pred"]:
        which = "y_true" if frames["y_true"] else "y_pred"
        names = list((y_true if frames["y_true"] else y_pred).columns)
        source = f"the columns of the DataFrame {which}"
        if all(frames.values()) and set(y_true.columns) != set(y_pred.columns):
            raise ValueError(
                "y_true and y_pred are DataFrames with different columns: "
                f"{sorted(map(str, set(y_true.columns) ^ set(y_pred.columns)))[:5]} are in "
                "only one of them. Give the same label columns, or arrays (.to_numpy()) to "
                "match the columns by position."
            )
    elif rows["y_true"] is not None or rows["y_pred"] is not None:
        which, other = ("y_true", "y_pred") if rows["y_true"] is not None else ("y_pred", "y_true")
        raise ValueError(
            f"{which} holds label collections and {other} an indicator matrix whose columns "
            "have no names: pass labels= (e.g. the estimator's classes_) to say which label "
            "each column is, or give both as label collections."
        )
    else:
        names, source = None, None
    out = []
    for which, y in (("y_true", y_true), ("y_pred", y_pred)):
        if rows[which] is not None:
            y = _binarise(rows[which], names, which, source)
        elif frames[which]:
            y = _frame_in_order(y, names)
        if labels is not None:
            n_columns = _n_columns(y)
            if n_columns is not None and n_columns != len(names):
                raise ValueError(
                    f"labels has {len(names)} names for {n_columns} label columns of {which}."
                )
        out.append(y)
    return out[0], out[1], names


def _is_missing(values):
    missing = values == -1
    if values.dtype.kind == "f":
        missing |= np.isnan(values)
    return missing


def _missing_mask(y_true):
    """Boolean mask of the NaN / -1 entries of a 2-D ``y_true``, or None if it has none.

    Returns ``(y_true, mask)``: ``y_true`` itself when nothing is missing (so that
    scikit-learn sees exactly the caller's input), else a dense array.
    """
    if sp.issparse(y_true):
        if y_true.ndim != 2 or not _is_missing(np.asarray(y_true.data)).any():
            return y_true, None
    dense = _as_dense(y_true)
    if dense.ndim != 2 or dense.dtype.kind not in "biuf":
        return y_true, None  # 1-D or non-numeric targets are scikit-learn's to judge
    mask = _is_missing(dense)
    return (dense, mask) if mask.any() else (y_true, None)


def _masked(y_true, y_pred, missing):
    """Apply the ``missing`` option to ``y_true``.

    Returns ``(y_true, y_pred, known)``. ``known`` is None when ``y_true`` has no missing
    entry: the inputs are then returned unchanged. Otherwise (``missing="ignore"``) the
    unknown entries are 0 in new copies of both arrays and ``known`` is the boolean mask
    of the known ones.
    """
    _check_missing_option(missing)
    y_true, mask = _missing_mask(y_true)
    if mask is None:
        return y_true, y_pred, None
    if missing == "raise":
        raise ValueError(
            f"y_true has {int(mask.sum())} missing label entries (NaN or -1). Pass "
            "missing='ignore' to score only the known entries (scorers: "
            "skmultimlp.metrics.make_scorers(missing='ignore')), or fill them in."
        )
    y_pred = _as_dense(y_pred)
    if y_pred.shape != mask.shape:
        raise ValueError(
            f"y_true and y_pred must have the same shape, got {mask.shape} and {y_pred.shape}."
        )
    if not (~mask).any():
        raise ValueError("y_true has no known label entry: every entry is missing.")
    known = ~mask
    return np.where(known, y_true, 0), np.where(known, y_pred, 0), known


def _known_rows(y_true, y_pred, sample_weight, known):
    """Keep the samples with at least one known label (all of them when ``known`` is None)."""
    if known is None:
        return y_true, y_pred, sample_weight
    rows = known.any(axis=1)
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight)[rows]
    return y_true[rows], y_pred[rows], sample_weight


def exact_match_score(y_true, y_pred, *, sample_weight=None, missing="raise", labels=None):
    """Fraction of samples whose whole label set is predicted exactly (subset accuracy).

    Parameters
    ----------
    y_true, y_pred : array-like, sparse matrix, DataFrame or sequence of label collections
        Each in any target form ``fit`` accepts: a 0/1 indicator matrix of shape
        (n_samples, n_labels), a DataFrame of 0/1 columns, or label collections such as
        ``[["sports", "tech"], []]`` (binarised with the same columns for both, see
        ``labels``). ``y_true`` may hold NaN or -1 for unknown entries when
        ``missing="ignore"``.
    sample_weight : array-like of shape (n_samples,), default=None
    missing : {"raise", "ignore"}, default="raise"
        What to do with unknown entries of ``y_true``: ``"raise"`` a ``ValueError``, or
        ``"ignore"`` them: a sample counts as right when all its *known* labels are
        right, and samples with no known label are left out.
    labels : sequence, default=None
        The label names of the columns, e.g. a fitted estimator's ``classes_``: label
        collections are binarised against them (a name not in ``labels`` is a
        ``ValueError``), and DataFrames holding these columns are put in their order.
        Default: the columns of a DataFrame argument, else the sorted union of the
        names in both label collections; it is required to compare label collections
        with an unnamed indicator matrix.

    Returns
    -------
    float

    Examples
    --------
    >>> exact_match_score([[1, 0], [1, 1]], [[1, 0], [0, 1]])
    0.5
    >>> exact_match_score([[1, -1], [1, 1]], [[1, 0], [0, 1]], missing="ignore")
    0.5
    >>> exact_match_score([["cat"], ["cat", "dog"]], [["cat"], ["dog"]])
    0.5
    """
    y_true, y_pred, _ = _indicators(y_true, y_pred, labels)
    y_true, y_pred, known = _masked(y_true, y_pred, missing)
    # Unknown entries are 0 in both arrays, so they always agree.
    y_true, y_pred, sample_weight = _known_rows(y_true, y_pred, sample_weight, known)
    return float(_skm.accuracy_score(y_true, y_pred, sample_weight=sample_weight))


def hamming_loss(y_true, y_pred, *, sample_weight=None, missing="raise", labels=None):
    """Fraction of the individual label decisions that are wrong (lower is better).

    Parameters
    ----------
    y_true, y_pred : array-like, sparse matrix, DataFrame or sequence of label collections
        Each in any target form ``fit`` accepts: a 0/1 indicator matrix of shape
        (n_samples, n_labels), a DataFrame of 0/1 columns, or label collections such as
        ``[["sports", "tech"], []]`` (binarised with the same columns for both, see
        ``labels``). ``y_true`` may hold NaN or -1 for unknown entries when
        ``missing="ignore"``.
    sample_weight : array-like of shape (n_samples,), default=None
    missing : {"raise", "ignore"}, default="raise"
        What to do with unknown entries of ``y_true``: ``"raise"`` a ``ValueError``, or
        ``"ignore"`` them: the loss is then the (sample-weighted) fraction of the known
        entries that are wrong.
    labels : sequence, default=None
        The label names of the columns, e.g. a fitted estimator's ``classes_``: label
        collections are binarised against them (a name not in ``labels`` is a
        ``ValueError``), and DataFrames holding these columns are put in their order.
        Default: the columns of a DataFrame argument, else the sorted union of the
        names in both label collections; it is required to compare label collections
        with an unnamed indicator matrix.

    Returns
    -------
    float

    Examples
    --------
    >>> hamming_loss([[1, 0], [1, 1]], [[1, 0], [0, 1]])
    0.25
    >>> hamming_loss([[1, -1], [1, 1]], [[1, 0], [0, 1]], missing="ignore")
    0.3333333333333333
    >>> hamming_loss([["cat"], ["cat", "dog"]], [["cat"], ["dog"]])
    0.25
    """
    y_true, y_pred, _ = _indicators(y_true, y_pred, labels)
    y_true, y_pred, known = _masked(y_true, y_pred, missing)
    if known is None:
        return float(_skm.hamming_loss(y_true, y_pred, sample_weight=sample_weight))
    # The known entries, one after another, form a single binary problem.
    weights = None
    if sample_weight is not None:
        weights = np.broadcast_to(np.asarray(sample_weight)[:, None], known.shape)[known]
    return float(_skm.hamming_loss(y_true[known], y_pred[known], sample_weight=weights))


def _f1_score(y_true, y_pred, *, average, sample_weight=None, missing="raise", labels=None):
    """F1 with ``zero_division=0``; with ``missing="ignore"``, on the known entries.

    ``"macro"``: mean over the labels with a known entry of each label's F1 on its
    known rows; ``"micro"``: F1 of all known entries pooled; ``"samples"``: mean over the
    samples with a known label of each sample's F1 over its known labels. ``y_true``,
    ``y_pred`` and ``labels`` are as in :func:`exact_match_score`.
    """
    y_true, y_pred, _ = _indicators(y_true, y_pred, labels)
    y_true, y_pred, known = _masked(y_true, y_pred, missing)
    # Unknown entries are 0 in both arrays: true negatives, which no F1 counts.
    if known is not None and average == "macro":
        if known.shape[1] == 1:  # scikit-learn reads a single column as a binary target
            per_label = [
                _skm.f1_score(
                    y_true[:, 0], y_pred[:, 0], zero_division=0, sample_weight=sample_weight
                )
            ]
        else:
            per_label = _skm.f1_score(
                y_true, y_pred, average=None, zero_division=0, sample_weight=sample_weight
            )
        return float(np.mean(np.asarray(per_label)[known.any(axis=0)]))
    if average == "samples":
        y_true, y_pred, sample_weight = _known_rows(y_true, y_pred, sample_weight, known)
    return float(
        _skm.f1_score(y_true, y_pred, average=average, zero_division=0, sample_weight=sample_weight)
    )


def _jaccard_samples_score(y_true, y_pred, *, sample_weight=None, missing="raise", labels=None):
    """Mean per-sample Jaccard index; with ``missing="ignore"``, over each sample's known
    labels, and samples with no known label are left out. ``y_true``, ``y_pred`` and
    ``labels`` are as in :func:`exact_match_score`."""
    y_true, y_pred, _ = _indicators(y_true, y_pred, labels)
    y_true, y_pred, known = _masked(y_true, y_pred, missing)
    y_true, y_pred, sample_weight = _known_rows(y_true, y_pred, sample_weight, known)
    return float(
        _skm.jaccard_score(
            y_true, y_pred, average="samples", zero_division=0, sample_weight=sample_weight
        )
    )


def macro_f1_score(y_true, y_pred, *, sample_weight=None, missing="raise", labels=None):
    """Unweighted mean of the per-label F1 scores; a label never predicted nor present
    scores 0 (``zero_division=0``), so rare labels are not hidden.

    Parameters
    ----------
    y_true, y_pred : array-like, sparse matrix, DataFrame or sequence of label collections
        Each in any target form ``fit`` accepts: a 0/1 indicator matrix of shape
        (n_samples, n_labels), a DataFrame of 0/1 columns, or label collections such as
        ``[["sports", "tech"], []]`` (binarised with the same columns for both, see
        ``labels``). ``y_true`` may hold NaN or -1 for unknown entries when
        ``missing="ignore"``.
    sample_weight : array-like of shape (n_samples,), default=None
    missing : {"raise", "ignore"}, default="raise"
        What to do with unknown entries of ``y_true``: ``"raise"`` a ``ValueError``, or
        ``"ignore"`` them: each label's F1 is then computed on the samples where that
        label is known, and the mean is over the labels known on at least one sample.
    labels : sequence, default=None
        The label names of the columns, e.g. a fitted estimator's ``classes_``: label
        collections are binarised against them (a name not in ``labels`` is a
        ``ValueError``), and DataFrames holding these columns are put in their order.
        Default: the columns of a DataFrame argument, else the sorted union of the
        names in both label collections; it is required to compare label collections
        with an unnamed indicator matrix.

    Returns
    -------
    float

    Examples
    --------
    >>> macro_f1_score([[1, 0], [1, 1]], [[1, 0], [0, 1]])
    0.8333333333333333
    >>> macro_f1_score([[1, 0], [np.nan, 1]], [[1, 0], [0, 1]], missing="ignore")
    1.0
    >>> macro_f1_score([["cat"], ["cat", "dog"]], [["cat"], ["dog"]], labels=["cat", "dog"])
    0.8333333333333333
    """
    return _f1_score(
        y_true,
        y_pred,
        average="macro",
        sample_weight=sample_weight,
        missing=missing,
        labels=labels,
    )


def _estimator_labels(estimator, y_pred):
    """The estimator's ``classes_`` when they name the columns of ``y_pred``, else None.

    A multi-output scikit-learn classifier (``KNeighborsClassifier`` on an indicator
    matrix) has one array of classes per output: these name no columns.
    """
    classes = getattr(estimator, "classes_", None)
    if classes is None:
        return None
    try:
        classes = np.asarray(classes)
    except ValueError:  # ragged list of per-output classes
        return None
    if classes.ndim != 1 or _n_columns(y_pred) != len(classes):
        return None
    return classes.tolist()


class _MultilabelScorer:
    """``scorer(estimator, X, y_true)``: ``sign * func(y_true, estimator.predict(X))``.

    As a scorer of :func:`sklearn.metrics.make_scorer`, and in addition: a ``y_true`` of
    label collections, or a DataFrame, is matched to the columns of ``predict`` through
    the estimator's ``classes_``. A name of ``y_true`` that is not in ``classes_`` (a
    label the training fold of a cross-validation did not hold) counts as a label the
    estimator never predicts.
    """

    def __init__(self, func, sign=1, **kwargs):
        self._score_func = func
        self._sign = sign
        self._kwargs = kwargs
        self._sample_weight_request = None

    def __repr__(self):
        args = "".join(f", {k}={v!r}" for k, v in self._kwargs.items())
        sign = "" if self._sign > 0 else ", greater_is_better=False"
        return f"multilabel_scorer({self._score_func.__name__}{sign}{args})"

    def __call__(self, estimator, X, y_true, sample_weight=None, **kwargs):
        y_pred = estimator.predict(X)
        labels = None
        if _rows_of(y_true) is not None or hasattr(y_true, "columns"):
            labels = _estimator_labels(estimator, y_pred)
            rows = _rows_of(y_true)
            if labels is None and rows is not None and _rows_of(y_pred) is None:
                raise ValueError(
                    f"y_true holds label collections, but {type(estimator).__name__} has "
                    "no classes_ naming the columns of its predict output to binarise them "
                    "against. Give y as a 0/1 indicator matrix."
                )
            if labels is not None and rows is not None:
                unseen = _names_of(rows) - set(labels)
                if unseen:  # never predicted: all-zero columns of y_pred
                    labels = labels + _sorted_names(unseen)
                    y_pred = _as_dense(y_pred)
                    y_pred = np.hstack([y_pred, np.zeros((len(y_pred), len(unseen)), y_pred.dtype)])
        if sample_weight is not None:
            kwargs["sample_weight"] = sample_weight
        score = self._score_func(y_true, y_pred, labels=labels, **{**self._kwargs, **kwargs})
        return self._sign * score

    # scikit-learn calls this on each scorer of a dict given sample_weight without
    # metadata routing: every metric here takes sample_weight.
    def _accept_sample_weight(self):
        return True

    def set_score_request(self, *, sample_weight=None):
        """Request ``sample_weight`` under metadata routing, as a scikit-learn scorer's
        ``set_score_request``: True, False, None or an alias. Returns the scorer."""
        self._sample_weight_request = sample_weight
        return self

    def get_metadata_routing(self):
        """The metadata this scorer requests: ``sample_weight`` as set by
        :meth:`set_score_request` (not requested by default)."""
        request = MetadataRequest(owner=type(self).__name__)
        request.score.add_request(param="sample_weight", alias=self._sample_weight_request)
        return request


def make_scorers(*, missing="raise"):
    """The multi-label scorers, with a chosen treatment of missing ``y_true`` entries.

    Parameters
    ----------
    missing : {"raise", "ignore"}, default="raise"
        ``"raise"``: a ``y_true`` holding NaN or -1 is a ``ValueError`` (these are the
        scorers of :data:`SCORERS`). ``"ignore"``: each scorer scores the known entries
        only, as the ``missing="ignore"`` option of the metric functions:

        * ``"exact_match"``: samples whose known labels are all right, among the samples
          with a known label;
        * ``"neg_hamming_loss"``: minus the wrong fraction of the known entries;
        * ``"f1_macro"``: mean over labels of the F1 on the samples where the label is
          known;
        * ``"f1_micro"``: F1 of all known entries pooled;
        * ``"f1_samples"``, ``"jaccard_samples"``: mean over the samples with a known
          label of the score over that sample's known labels.

        With no missing entry, both choices give scikit-learn's values.

    Returns
    -------
    dict of str to scorer
        A new dict with the keys of :data:`SCORERS`; greater is better for each. Each
        scorer is called as ``scorer(estimator, X, y_true)`` and scores
        ``estimator.predict(X)`` against ``y_true``, which may be in any target form
        ``fit`` accepts: label collections are binarised against the estimator's
        ``classes_`` (a name not in ``classes_``, one the training fold of a
        cross-validation lacked, counts as never predicted), and a DataFrame with the
        columns of ``classes_`` is put in their order.

    Examples
    --------
    >>> from sklearn.datasets import make_multilabel_classification
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> X, y = make_multilabel_classification(n_samples=40, n_classes=3, random_state=0)
    >>> clf = KNeighborsClassifier().fit(X, y)
    >>> y_partial = y.astype(float)
    >>> y_partial[0, 1] = np.nan  # unknown
    >>> scorers = make_scorers(missing="ignore")
    >>> round(scorers["f1_macro"](clf, X, y_partial), 3)
    0.824
    """
    _check_missing_option(missing)

    def scorer(func, greater_is_better=True, **kwargs):
        return _MultilabelScorer(func, 1 if greater_is_better else -1, missing=missing, **kwargs)

    return {
        "exact_match": scorer(exact_match_score),
        "neg_hamming_loss": scorer(hamming_loss, greater_is_better=False),
        "f1_macro": scorer(_f1_score, average="macro"),
        "f1_micro": scorer(_f1_score, average="micro"),
        "f1_samples": scorer(_f1_score, average="samples"),
        "jaccard_samples": scorer(_jaccard_samples_score),
    }


SCORERS = make_scorers()
"""dict of str to scorer: multi-label scorers, greater is better for each.

Keys: ``"exact_match"``, ``"neg_hamming_loss"``, ``"f1_macro"``, ``"f1_micro"``,
``"f1_samples"``, ``"jaccard_samples"``. ``y_true`` may be in any target form ``fit``
accepts (label collections are binarised against the estimator's ``classes_``). Each
raises a ``ValueError`` for a ``y_true`` with missing (NaN or -1) entries;
``make_scorers(missing="ignore")`` gives the same scorers scoring the known entries only.
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


def multilabel_report(y_true, y_pred, y_proba=None, labels=None, *, missing="raise"):
    """Per-label precision, recall, F1, support (and ROC AUC) with macro/micro averages.

    Parameters
    ----------
    y_true, y_pred : array-like, sparse matrix, DataFrame or sequence of label collections
        Each in any target form ``fit`` accepts: a 0/1 indicator matrix of shape
        (n_samples, n_labels), a DataFrame of 0/1 columns, or label collections such as
        ``[["sports", "tech"], []]``. ``y_true`` may hold NaN or -1 for unknown entries
        when ``missing="ignore"``.
    y_proba : array-like of shape (n_samples, n_labels), default=None
        Predicted probabilities, columns in the order of the report's labels (a
        DataFrame with the labels as columns is put in that order); adds a per-label
        ROC AUC column.
    labels : sequence of length n_labels, default=None
        Label names of the columns, e.g. a fitted estimator's ``classes_``: label
        collections are binarised against them (a name not in ``labels`` is a
        ``ValueError``) and DataFrames with these columns are put in their order. Default:
        the columns of a DataFrame argument, else the sorted union of the names of label
        collections, else ``0..n_labels-1``. Required to compare label collections with
        an unnamed indicator matrix.
    missing : {"raise", "ignore"}, default="raise"
        What to do with unknown entries of ``y_true``: ``"raise"`` a ``ValueError``, or
        ``"ignore"`` them: each label's scores and support then come from the samples
        where it is known (NaN for a label known nowhere, left out of the macro
        average), and the micro average pools the known entries.

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
    >>> multilabel_report([["cat"], ["cat", "dog"], ["dog"]], [["cat"], ["dog"], ["dog"]]).labels
    ['cat', 'dog']
    """
    y_true, y_pred, names = _indicators(y_true, y_pred, labels)
    y_true, y_pred, known = _masked(y_true, y_pred, missing)
    y_true = _as_dense(y_true)
    y_pred = _as_dense(y_pred)
    if y_true.ndim != 2 or y_true.shape != y_pred.shape:
        raise ValueError(
            "y_true and y_pred must be 0/1 indicator matrices of the same shape "
            f"(n_samples, n_labels), got {y_true.shape} and {y_pred.shape}."
        )
    n_labels = y_true.shape[1]
    names = list(range(n_labels)) if names is None else names
    if known is None:
        known = np.ones(y_true.shape, dtype=bool)
    labelled = known.any(axis=0)
    p, r, f, s = _skm.precision_recall_fscore_support(y_true, y_pred, average=None, zero_division=0)
    # A label known on no sample has no score (it would otherwise read as a 0).
    p, r, f = (np.where(labelled, v, np.nan) for v in (p, r, f))
    averages = {
        "macro": {
            "precision": float(np.mean(p[labelled])),
            "recall": float(np.mean(r[labelled])),
            "f1": float(np.mean(f[labelled])),
            "support": int(s.sum()),
        }
    }
    # Unknown entries are 0 in y_true and y_pred: true negatives, which micro-averaged
    # precision, recall and F1 do not count.
    ap, ar, af, _ = _skm.precision_recall_fscore_support(
        y_true, y_pred, average="micro", zero_division=0
    )
    averages["micro"] = {
        "precision": float(ap),
        "recall": float(ar),
        "f1": float(af),
        "support": int(s.sum()),
    }
    auc = None
    if y_proba is not None:
        if hasattr(y_proba, "columns"):
            y_proba = _frame_in_order(y_proba, names)
        y_proba = np.asarray(y_proba, dtype=float)
        if y_proba.shape != y_true.shape:
            raise ValueError(f"y_proba must have shape {y_true.shape}, got {y_proba.shape}.")
        auc = np.array(
            [_roc_auc(y_true[known[:, j], j], y_proba[known[:, j], j]) for j in range(n_labels)]
        )
        defined = ~np.isnan(auc)
        averages["macro"]["roc_auc"] = float(auc[defined].mean()) if defined.any() else np.nan
        # Micro-averaged ROC AUC is the AUC of all (known) entries pooled.
        averages["micro"]["roc_auc"] = _roc_auc(y_true[known], y_proba[known])
    return MultilabelReport(names, p, r, f, s, auc, averages)


def _roc_auc(y_true, y_score):
    """Binary ROC AUC, or NaN when ``y_true`` does not hold both classes."""
    if len(np.unique(y_true)) != 2:
        return np.nan
    return float(_skm.roc_auc_score(y_true, y_score))
