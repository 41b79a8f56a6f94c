"""Every classification target scikit-learn knows, as the output units of one network.

``fit`` accepts the four target types of scikit-learn's ``type_of_target``:

* ``"multilabel-indicator"``: one sigmoid unit per label (``_targets``; unchanged);
* ``"binary"``: a 1-D ``y`` with two classes, one sigmoid unit (the second class's
  probability);
* ``"multiclass"``: a 1-D ``y`` with k > 2 classes, one softmax head of k units;
* ``"multiclass-multioutput"``: a 2-D ``y`` whose columns (outputs) hold any labels, one
  head per column on the shared hidden layers: a sigmoid unit for a two-class column, a
  softmax over k units for a k-class one.

Internally every target becomes a uint8 matrix of *units* (a CSR matrix of ones for a
scipy sparse multi-label ``y``, which stays sparse): 0, 1 or :data:`MISSING`, one
column per output unit (one-hot over a softmax head's units; all of a head's units are
:data:`MISSING` where its entry is unknown). :class:`Outputs` remembers the target type,
the classes of each output and the head sizes (``heads``), and turns the network's unit
probabilities back into scikit-learn's conventions.

Missing entries of a binary, multiclass or multi-output target are NaN, None or pandas'
``NA`` (``-1`` is a class like any other there); they are masked in the loss.
"""

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.exceptions import DataConversionWarning
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array

from ._targets import MISSING, _rows_of, encode_targets, transform_targets

MULTILABEL = "multilabel-indicator"


@dataclass(frozen=True)
class Outputs:
    """The target type fixed at ``fit`` and how the network's units map onto it.

    Attributes
    ----------
    target_type : str
        scikit-learn's name of the target type.
    classes : ndarray or list of ndarray
        The estimator's ``classes_``: label names (multi-label), the classes (binary and
        multiclass), or the classes of each output (multi-output).
    heads : tuple of int or None
        Units of each head, in order (1: a sigmoid unit; k > 1: a softmax over k units);
        None for a multi-label target (a sigmoid unit per label: the loss and scores of
        multi-label training, unchanged).
    """

    target_type: str
    classes: object
    heads: tuple = None

    @property
    def n_outputs(self):
        """Labels (multi-label), 1 (binary, multiclass) or columns (multi-output)."""
        if self.target_type == MULTILABEL:
            return len(self.classes)
        return len(self.heads)

    @property
    def per_output_classes(self):
        """The classes of each output, a list (one array for a single output)."""
        if self.target_type == "multiclass-multioutput":
            return list(self.classes)
        return [self.classes]

    @property
    def unit_names(self):
        """A name for each unit, for messages: the label, or ``(output, class)``."""
        if self.target_type == MULTILABEL:
            return np.asarray(self.classes)
        names = []
        for j, (k, classes) in enumerate(zip(self.heads, self.per_output_classes, strict=True)):
            shown = classes[1:] if k == 1 else classes
            names.extend((j, c) if self.n_outputs > 1 else c for c in shown.tolist())
        out = np.empty(len(names), dtype=object)
        out[:] = names
        return out

    def unit_threshold(self, threshold):
        """The decision threshold of every unit (softmax units get 0.5, unused).

        ``threshold`` is a float, one value per label (multi-label), or one per output
        (multi-output; used by its two-class outputs).
        """
        t = np.asarray(threshold, dtype=float)
        if self.heads is None or t.ndim == 0:
            return t
        pairs = zip(self.heads, t, strict=True)
        return np.concatenate([np.full(k, v if k == 1 else 0.5) for k, v in pairs])

    def _blocks(self, units):
        """``(output, head units)`` for each output."""
        start = 0
        for j, k in enumerate(self.heads):
            yield j, units[:, start : start + k]
            start += k

    def proba(self, units):
        """scikit-learn's ``predict_proba`` from the unit probabilities."""
        if self.heads is None:
            return units
        out = []
        for _, block in self._blocks(units):
            if block.shape[1] == 1:
                block = np.hstack([1 - block, block])
            out.append(block)
        return out[0] if self.target_type != "multiclass-multioutput" else out

    def predict(self, units, threshold):
        """scikit-learn's ``predict`` from the unit probabilities: the classes of the
        argmax of a softmax head, of ``p >= threshold`` for a sigmoid unit."""
        if self.heads is None:
            return (units >= threshold).astype(int)
        t = np.broadcast_to(np.asarray(threshold, dtype=float), (len(self.heads),))
        columns = []
        for (j, block), classes in zip(self._blocks(units), self.per_output_classes, strict=True):
            if block.shape[1] == 1:
                index = (block[:, 0] >= t[j]).astype(int)
            else:
                index = np.argmax(block, axis=1)
            columns.append(classes[index])
        if self.target_type != "multiclass-multioutput":
            return columns[0]
        dtypes = {c.dtype for c in columns}
        if len(dtypes) == 1:  # one type of label for every output: kept
            dtype = dtypes.pop()
        elif all(d.kind in "biuf" for d in dtypes):
            dtype = np.result_type(*dtypes)
        else:
            dtype = object
        out = np.empty((units.shape[0], len(columns)), dtype)
        for j, column in enumerate(columns):
            out[:, j] = column
        return out

    def known_rows(self, y):
        """``y`` (a target of this type) as a 2-D object/number array, one column per
        output, and the mask of its known entries; checks the shape."""
        Y = _as_array(y)
        if self.target_type == "multiclass-multioutput":
            if Y.ndim != 2 or Y.shape[1] != len(self.heads):
                raise ValueError(
                    f"y must have {len(self.heads)} columns (one per output), got shape {Y.shape}."
                )
        else:
            Y = _single_column(Y).reshape(-1, 1)
        return Y, ~_missing(Y)


def _as_array(y):
    if hasattr(y, "columns") or (hasattr(y, "to_numpy") and getattr(y, "ndim", 0) == 1):
        y = y.to_numpy(dtype=object) if _has_na(y) else y.to_numpy()
    return check_array(
        y,
        ensure_2d=False,
        dtype=None,
        ensure_all_finite=False,
        ensure_min_features=0,
        input_name="y",
    )


def _has_na(frame):
    try:
        return bool(frame.isna().to_numpy().any())
    except (AttributeError, TypeError):
        return False


def _missing(Y):
    """Mask of unknown entries: NaN, None or pandas' NA (``pandas.isna``)."""
    if Y.dtype.kind in "fO":
        return np.asarray(pd.isna(Y), dtype=bool)
    return np.zeros(Y.shape, dtype=bool)


def _single_column(Y):
    if Y.ndim == 2 and Y.shape[1] == 1:
        import warnings

        warnings.warn(
            "A column-vector y was passed when a 1d array was expected. Please change the "
            "shape of y to (n_samples,), for example using ravel().",
            DataConversionWarning,
            stacklevel=4,
        )
        return Y[:, 0]
    return Y


def _is_indicator(y):
    """Whether ``y`` is a multi-label target as accepted before other types were: label
    collections, a sparse matrix, or a 2-D array/DataFrame of 0/1 (NaN or -1 unknown)."""
    if _rows_of(y) is not None or sp.issparse(y):
        return True
    if hasattr(y, "columns"):  # DataFrame: nullable 0/1 columns (pd.NA) are indicators too
        if not all(_numeric_values(y[c].dropna().to_numpy(dtype=object)) for c in y.columns):
            return False  # text such as "0" and "1" names classes
        try:
            y = y.to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError):
            return False
    Y = _as_array(y)
    if Y.ndim != 2 or Y.shape[1] == 0:
        return False
    if Y.dtype == object:
        if not _numeric_values(Y[~_missing(Y)]):
            return False  # text such as "0" and "1" names classes
        try:
            Y = Y.astype(np.float64)
        except (TypeError, ValueError):
            return False
    if Y.dtype.kind not in "biuf":
        return False
    values = Y[~np.isnan(Y)] if Y.dtype.kind == "f" else Y
    return bool(np.isin(values, (0, 1, -1)).all())


def _numeric_values(values):
    """Whether every value of an object array is a number or a bool (not text)."""
    return all(isinstance(v, (numbers.Number, np.bool_)) for v in values.ravel().tolist())


def _encode_column(values, missing, name, classes=None):
    """Units of one output: its classes and a (n, units) uint8 matrix.

    ``classes``: the output's classes fixed beforehand (``partial_fit``); a value of
    ``values`` not among them is an error. Else they are the sorted known values.
    """
    known = values[~missing]
    if known.size == 0 and classes is None:
        raise ValueError(f"{name} has no known value: every entry is missing.")
    if known.dtype == object:
        kinds = {type(v) for v in known.tolist()}
        numbers = all(issubclass(t, (int, float, np.number, np.bool_)) for t in kinds)
        if len(kinds) > 1 and not numbers:
            raise TypeError(
                f"{name} mixes label types {sorted(t.__name__ for t in kinds)}; the classes "
                "of an output must be all strings or all numbers."
            )
        if numbers:  # numbers held as objects (a DataFrame's row-wise copy, pd.NA)
            known = np.asarray(known.tolist())
    if known.size:
        check_classification_targets(known)
    if classes is None:
        classes = np.unique(known)
    else:
        classes = np.unique(np.asarray(classes))
        unseen = ~np.isin(known, classes)
        if unseen.any():
            raise ValueError(
                f"{name} has classes not seen in the first call to partial_fit (or in fit): "
                f"{np.unique(known[unseen]).tolist()[:5]}; pass every class in classes= "
                "to the first partial_fit call."
            )
    if len(classes) < 2:
        raise ValueError(
            f"{name} needs samples of at least 2 classes in the data, but the data contains "
            f"only one class: {classes[0]!r}."
        )
    index = np.zeros(len(values), dtype=np.intp)
    index[~missing] = np.searchsorted(classes, known)
    if len(classes) == 2:
        units = index[:, None].astype(np.uint8)
    else:
        units = np.zeros((len(values), len(classes)), np.uint8)
        units[np.arange(len(values)), index] = 1
    units[missing] = MISSING
    return classes, units


def encode(y, *, classes=None, fitted=None):
    """The unit matrix of ``y`` and its :class:`Outputs`.

    ``fitted``: the :class:`Outputs` of an earlier fit, whose type and classes ``y`` must
    keep (``partial_fit`` after the first call). ``classes``: every class, given to the
    first ``partial_fit`` call as scikit-learn's ``partial_fit(classes=...)``: an array
    (binary, multiclass; the label names of a multi-label target) or a list of arrays,
    one per output.

    Returns
    -------
    Y : ndarray or scipy.sparse.csr_matrix of shape (n_samples, n_units), dtype uint8
        0, 1 or :data:`MISSING`; a new array (``y`` is not modified). A scipy sparse
        (multi-label) ``y`` gives a canonical CSR matrix of its ones, never a dense copy
        (``_targets.sparse_indicator``).
    outputs : Outputs
    """
    if y is None:
        raise ValueError("y is None: a target is required.")
    if fitted is not None and fitted.target_type == MULTILABEL:
        return transform_targets(y, fitted.classes, allow_missing=True), fitted
    if fitted is None and _is_indicator(y):
        if classes is None:
            Y, names = encode_targets(y, allow_missing=True)
            return Y, Outputs(MULTILABEL, names)
        names = np.asarray(classes)
        return transform_targets(y, names, allow_missing=True), Outputs(MULTILABEL, names)
    if fitted is not None:
        classes = fitted.per_output_classes
        if fitted.target_type != "multiclass-multioutput":
            classes = classes[0]
    Y = _as_array(y)
    if Y.ndim == 2 and Y.shape[1] == 1:
        Y = _single_column(Y)
    multioutput = fitted.target_type == "multiclass-multioutput" if fitted else Y.ndim == 2
    if not multioutput:
        if Y.ndim != 1:
            raise ValueError(f"y must be 1-D, as in the first fit, got shape {Y.shape}.")
        missing = _missing(Y)
        classes, units = _encode_column(Y, missing, "y", classes)
        kind = "binary" if len(classes) == 2 else "multiclass"
        return units, Outputs(kind, classes, (units.shape[1],))
    if Y.ndim != 2 or Y.shape[1] == 0:
        raise ValueError(f"y must be 1-D or 2-D with at least one column, got shape {Y.shape}.")
    if classes is not None and len(classes) != Y.shape[1]:
        raise ValueError(
            f"y has {Y.shape[1]} columns, but classes (or the first fit) has "
            f"{len(classes)} outputs: give the classes of each output."
        )
    missing = _missing(Y)
    per_output, blocks = [], []
    for j in range(Y.shape[1]):
        given = None if classes is None else classes[j]
        c, units = _encode_column(Y[:, j], missing[:, j], f"Output {j} of y", given)
        per_output.append(c)
        blocks.append(units)
    classes = per_output
    heads = tuple(b.shape[1] for b in blocks)
    return np.hstack(blocks), Outputs("multiclass-multioutput", classes, heads)


def sigmoid_units(heads):
    """float32 mask of the units that are sigmoid heads (1) rather than softmax units (0)."""
    return np.concatenate([np.full(k, 1.0 if k == 1 else 0.0) for k in heads]).astype(np.float32)


def head_matrix(heads):
    """float32 matrix (n_units, n_heads): 1 where a unit belongs to a head."""
    M = np.zeros((sum(heads), len(heads)), np.float32)
    start = 0
    for j, k in enumerate(heads):
        M[start : start + k, j] = 1
        start += k
    return M
