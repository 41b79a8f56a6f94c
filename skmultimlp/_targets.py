"""Multi-label targets in every accepted form, turned into a 0/1 indicator matrix.

Accepted forms of ``y``:

* a 2-D array-like or scipy sparse matrix of 0/1 (one column per label);
* a pandas DataFrame of 0/1 columns (the column names become the label names);
* a sequence of label collections, such as ``[["sports", "tech"], [], ["politics"]]``,
  binarised with scikit-learn's :class:`~sklearn.preprocessing.MultiLabelBinarizer`.

Missing labels: where the caller allows them (``allow_missing=True``), an array or
DataFrame entry that is NaN (or pandas' ``NA``) or ``-1`` means "unknown", and the
returned matrix holds :data:`MISSING` there. Label collections are complete by definition:
a name that is absent means the label is off.

A scipy sparse ``y`` (any format, matrix or array) stays sparse: it becomes a canonical
CSR matrix of uint8 ones (:func:`sparse_indicator`), never a dense copy, so that a target
of thousands of labels over millions of rows fits in memory. Its absent entries are 0:
a sparse ``y`` holds no missing labels (a stored NaN or -1 is a ``ValueError``).
"""

import numbers

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import MultiLabelBinarizer
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_array

_ROW_TYPES = (list, tuple, set, frozenset, np.ndarray)

MISSING = 2
"""Value of an unknown entry in an indicator matrix returned with ``allow_missing=True``."""

_HOW_TO_ENCODE = (
    "Multi-label targets are a 2-D 0/1 indicator matrix of shape (n_samples, n_labels), "
    "a pandas DataFrame of 0/1 columns, or a list of label collections such as "
    "[['sports', 'tech'], [], ['politics']]; "
    "sklearn.preprocessing.MultiLabelBinarizer converts label collections yourself."
)


def _rows_of(y):
    """Return ``y`` as a list of rows if it looks like label collections, else None."""
    if hasattr(y, "columns") or sp.issparse(y):
        return None
    if hasattr(y, "to_numpy") and getattr(y, "ndim", None) == 1:  # pandas Series
        y = y.to_numpy()
    if isinstance(y, np.ndarray) and not (y.dtype == object and y.ndim == 1):
        return None
    if not isinstance(y, (list, tuple, np.ndarray)) or len(y) == 0:
        return None
    rows = list(y)
    if not all(isinstance(row, _ROW_TYPES) for row in rows):
        return None
    if any(isinstance(row, (set, frozenset)) for row in rows):
        return rows
    if len({len(row) for row in rows}) > 1:
        return rows
    # Equal-length rows of numbers are an indicator matrix; rows of names are label sets.
    if any(not isinstance(v, numbers.Number) for row in rows for v in row):
        return rows
    return None


def _check_label_columns(Y):
    """A 2-D indicator matrix (dense or sparse) has label columns, of numbers."""
    if Y.shape[1] == 0:
        raise ValueError("y has no label columns: it must have at least one label.")
    if Y.dtype.kind not in "biuf":
        raise ValueError(
            f"Unknown label type: y must be numeric 0/1, got dtype {Y.dtype}. {_HOW_TO_ENCODE}"
        )


def sparse_indicator(y):
    """A scipy sparse 0/1 ``y`` as a new canonical ``csr_matrix`` of uint8 ones.

    Any sparse format (CSR, CSC, COO..., ``*_matrix`` or ``*_array``) is taken; the result
    stores only the ones (explicit zeros dropped, duplicate entries summed first, indices
    sorted) and shares no memory with ``y``. Only the stored values are inspected, never
    a dense copy of the whole matrix.
    """
    if y.ndim != 2:
        raise ValueError(
            f"A sparse y must be 2-D with one 0/1 column per label, got shape {y.shape}. "
            f"{_HOW_TO_ENCODE}"
        )
    _check_label_columns(y)
    # tocsr makes new arrays from other formats; copy=True makes them from a CSR y too,
    # so that the in-place steps below never touch the caller's matrix.
    Y = sp.csr_matrix(y.tocsr(copy=True))
    Y.sum_duplicates()  # also sorts the indices: the canonical format
    Y.eliminate_zeros()
    values = Y.data
    if (values.dtype.kind == "f" and np.isnan(values).any()) or (values == -1).any():
        raise ValueError(
            "A sparse y cannot mark missing labels: it stores NaN or -1 entries. Give y as a "
            "dense array or DataFrame with NaN (or -1) where a label is unknown, or store "
            "only the ones of a complete y."
        )
    if not (values == 1).all():
        bad = np.unique(values[values != 1])[:5]
        raise ValueError(
            f"y must contain only 0 and 1, got other values such as {bad.tolist()} in the "
            f"sparse y (duplicate entries of a COO matrix add up). {_HOW_TO_ENCODE}"
        )
    Y.data = np.ones(Y.nnz, dtype=np.uint8)
    return Y


def label_counts(Y, sample_weight=None):
    """Per label: the (sample-weighted) count of its 1s and of its known entries.

    ``Y`` is an encoded matrix: dense 0/1/:data:`MISSING`, or a CSR matrix of ones
    (:func:`sparse_indicator`), whose entries are all known; computed by column sums,
    without a dense copy of a sparse ``Y``. Returns two float64 arrays of shape
    (n_labels,).
    """
    if sample_weight is None:
        if sp.issparse(Y):
            on = np.bincount(Y.indices, minlength=Y.shape[1])
            return on.astype(np.float64), np.full(Y.shape[1], float(Y.shape[0]))
        on, known = (Y == 1).sum(axis=0), (Y != MISSING).sum(axis=0)
        return on.astype(np.float64), known.astype(np.float64)
    w = np.asarray(sample_weight, dtype=np.float64)
    if sp.issparse(Y):
        return np.asarray(Y.T @ w, dtype=np.float64).ravel(), np.full(Y.shape[1], w.sum())
    return w @ (Y == 1), w @ (Y != MISSING)


def _indicator_from_array(y, allow_missing):
    if y is None:
        raise ValueError("y is None. " + _HOW_TO_ENCODE)
    if hasattr(y, "columns"):  # DataFrame: nullable columns (pd.NA) become float NaN
        try:
            y = y.to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError):
            y = y.to_numpy()
    if sp.issparse(y):
        return sparse_indicator(y)
    Y = check_array(
        y,
        ensure_2d=False,
        ensure_all_finite=False,
        ensure_min_features=0,
        dtype=None,
        input_name="y",
    )
    if Y.ndim != 2:
        kind = type_of_target(Y) if Y.ndim == 1 else f"{Y.ndim}-D"
        raise ValueError(
            "Only binary classification is supported, per label: y must be 2-D with "
            f"one 0/1 column per label, got a {Y.ndim}-D array of classes (target type "
            f"{kind!r}). {_HOW_TO_ENCODE}"
        )
    _check_label_columns(Y)
    missing = np.isnan(Y) if Y.dtype.kind == "f" else np.zeros(Y.shape, dtype=bool)
    missing |= Y == -1
    if missing.any() and not allow_missing:
        raise ValueError(
            f"y has {int(missing.sum())} missing label entries (NaN or -1). Missing labels "
            "are only accepted where documented: KerasMultiLabelClassifier.fit masks them "
            "in the loss, and the metrics take missing='ignore'."
        )
    if not np.isin(Y[~missing], (0, 1)).all():
        bad = np.unique(Y[~missing & ~np.isin(Y, (0, 1))])[:5]
        raise ValueError(
            f"y must contain only 0 and 1 (or NaN / -1 for a missing label where allowed), "
            f"got other values such as {bad.tolist()}. "
            "Several classes per output (multi-class multi-output) is not supported; "
            f"one-hot encode each output. {_HOW_TO_ENCODE}"
        )
    out = np.where(missing, 0, Y).astype(np.uint8)
    out[missing] = MISSING
    return out


def encode_targets(y, *, allow_missing=False):
    """Return the 0/1 indicator matrix of ``y`` and the label names.

    Parameters
    ----------
    y : array-like, sparse matrix, DataFrame or sequence of label collections
        The multi-label target in any accepted form.
    allow_missing : bool, default=False
        Accept NaN or -1 entries as unknown labels, returned as :data:`MISSING`;
        otherwise they are a ``ValueError``.

    Returns
    -------
    Y : ndarray or scipy.sparse.csr_matrix of shape (n_samples, n_labels), dtype uint8
        0/1, or :data:`MISSING` for an unknown entry. A new array: ``y`` itself is
        never modified. A sparse ``y`` gives a CSR matrix of its ones
        (:func:`sparse_indicator`).
    classes : ndarray of shape (n_labels,)
        Label names: DataFrame column names, sorted label names of label collections,
        or ``np.arange(n_labels)``.
    """
    rows = _rows_of(y)
    if rows is not None:
        binarizer = MultiLabelBinarizer()
        Y = binarizer.fit_transform(rows).astype(np.uint8)
        if Y.shape[1] == 0:
            raise ValueError("y holds no labels at all: every label collection is empty.")
        return Y, binarizer.classes_
    if hasattr(y, "columns"):
        classes = np.asarray(list(y.columns), dtype=object)
    else:
        classes = None
    Y = _indicator_from_array(y, allow_missing)
    if classes is None:
        classes = np.arange(Y.shape[1])
    return Y, classes


def transform_targets(y, classes, *, allow_missing=False):
    """Indicator matrix of ``y`` with columns in the order of the fitted ``classes``.

    Label collections are binarised against ``classes``; an unknown label is an error.
    ``allow_missing`` is as in :func:`encode_targets`.
    """
    rows = _rows_of(y)
    if rows is not None:
        unknown = {label for row in rows for label in row} - set(classes.tolist())
        if unknown:
            raise ValueError(f"y has labels not seen in fit: {sorted(map(str, unknown))[:5]}.")
        binarizer = MultiLabelBinarizer(classes=list(classes))
        return binarizer.fit_transform(rows).astype(np.uint8)
    if hasattr(y, "columns") and classes.dtype == object:
        missing = set(classes.tolist()) - set(y.columns)
        if missing:
            raise ValueError(f"y lacks label columns seen in fit: {sorted(map(str, missing))}.")
        y = y[list(classes)]
    Y = _indicator_from_array(y, allow_missing)
    if Y.shape[1] != len(classes):
        raise ValueError(
            f"y has {Y.shape[1]} label columns, but the estimator was fitted with "
            f"{len(classes)} labels."
        )
    return Y
