"""Metrics for every target type ``fit`` accepts, and the scorers made from them.

The metric functions are thin wrappers of scikit-learn's, fixing the arguments that
matter for multi-label work (``zero_division=0`` for labels never predicted). The
scorers in :data:`SCORERS` are built from these wrappers with ``make_scorer``, so each
works as ``scoring=`` in ``GridSearchCV``, ``cross_val_score`` and ``cross_validate``,
and the whole dict works as ``cross_validate(..., scoring=SCORERS)``, whatever the
target type (what each one means for each type: :func:`make_scorers`).

Target forms: ``y_true`` and ``y_pred`` may each be any form that
:meth:`KerasMultiLabelClassifier.fit <skmultimlp.KerasMultiLabelClassifier.fit>` accepts,
and ``y_true`` tells the target type as it tells ``fit`` (``target_type=`` says it
outright, and a scorer reads the estimator's ``target_type_``):

* multi-label (``"multilabel-indicator"``): a 0/1 indicator matrix (array-like or scipy
  sparse), a pandas DataFrame of 0/1 columns, or a sequence of label collections such
  as ``[["sports", "tech"], [], ["politics"]]``. A 2-D ``y_true`` holding only 0 and 1
  (NaN or -1: unknown) is multi-label, as scikit-learn's ``type_of_target`` reads it,
  when ``y_pred`` is a multi-label form too. Label collections are binarised with the
  same columns for both arguments: ``labels=`` when given, else the columns of a
  DataFrame argument, else the sorted union of the names in both. A DataFrame is matched
  to a matrix column by position, and to another DataFrame (or to ``labels``) by column
  name. A scorer of :data:`SCORERS` binarises label collections against the estimator's
  ``classes_``, the column order of its ``predict``.
* binary or multiclass: a 1-D array-like (or pandas Series) of labels of any one type,
  such as ``["cat", "dog", "cat"]`` or ``[0, 2, 1]``.
* multi-output (``"multiclass-multioutput"``): a 2-D array or DataFrame with a column of
  labels per output, holding other values than 0 and 1 (strings, or numbers such as 0,
  1, 2). Each column is checked by itself, so one may hold strings and another numbers.
  A ``y_true`` given as a nested list of strings is a sequence of label collections (as
  for ``fit``): give a multi-output ``y_true`` of names as an array or a DataFrame
  (``y_pred`` may then be a nested list).

Binary, multiclass and multi-output targets are compared as they are, label for label
in the caller's labels (a DataFrame's columns by position): never binarised against the
estimator's ``classes_``.

Missing labels: a multi-label ``y_true`` entry that is NaN or ``-1`` means "unknown" (the
convention of :class:`~skmultimlp.KerasMultiLabelClassifier`); for the other target
types an unknown entry is NaN, None or pandas' NA (``-1`` is a class like any other). By
default (``missing="raise"``) every metric and every scorer of :data:`SCORERS` raises a
``ValueError`` for such a ``y_true``; with ``missing="ignore"`` (and the scorers of
``make_scorers(missing="ignore")``) only the known entries are scored, as each function's
documentation states: each output of a multi-output target on its known samples, and a
1-D target without the samples whose ``y_true`` is unknown. The masked values of a
multi-label target are still computed by scikit-learn's metric functions: an unknown
entry set to 0 in both ``y_true`` and ``y_pred`` is a true negative, which changes no
precision, recall, F1 or Jaccard score, and the counting metrics are given the known
entries only.
"""

import numbers
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn import metrics as _skm
from sklearn.preprocessing import MultiLabelBinarizer
from sklearn.utils.metadata_routing import MetadataRequest
from sklearn.utils.multiclass import check_classification_targets

from ._outputs import MULTILABEL, _as_array, _is_indicator, _missing
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


# --- binary, multiclass and multi-output targets ------------------------------------------

_SINGLE_OUTPUT = ("binary", "multiclass")
_MULTI_OUTPUT = "multiclass-multioutput"
_TARGET_TYPES = (MULTILABEL, *_SINGLE_OUTPUT, _MULTI_OUTPUT)


def _ndim(y):
    ndim = getattr(y, "ndim", None)  # arrays, sparse matrices, DataFrames and Series
    if ndim is not None:
        return ndim
    try:
        return np.ndim(y)
    except ValueError:  # ragged: only label collections are; scikit-learn judges the rest
        return None


def _is_multilabel(y_true, y_pred, target_type=None):
    """Whether ``y_true`` and ``y_pred`` are a multi-label target (the metrics' forms of
    old), rather than a binary, multiclass or multi-output one.

    ``target_type`` (scikit-learn's name, e.g. an estimator's ``target_type_``) decides
    when given. Otherwise ``y_true`` does, as ``fit`` reads a target: label collections
    and sparse matrices are multi-label, a 1-D ``y_true`` is binary or multiclass, and a
    2-D one is multi-label when it holds only 0 and 1 (NaN or -1: unknown) and ``y_pred``
    is a multi-label form too; else multi-output.
    """
    if target_type is not None:
        if target_type not in _TARGET_TYPES:
            raise ValueError(
                f"target_type must be None or one of {list(_TARGET_TYPES)}, got {target_type!r}."
            )
        return target_type == MULTILABEL
    if _rows_of(y_true) is not None or sp.issparse(y_true):
        return True
    ndim = _ndim(y_true)
    if ndim is None:
        return True
    if ndim == 1:
        return False
    return _is_indicator(y_true) and _is_indicator(y_pred)


def _label_array(values, name):
    """One output's labels as an array of numbers, or an object array of strings."""
    if values.dtype.kind in "biuf":
        return values
    items = values.tolist()
    if all(isinstance(v, (numbers.Number, np.bool_)) for v in items):
        return np.asarray(items)
    if all(isinstance(v, str) for v in items):
        return np.asarray(items, dtype=object)
    kinds = sorted({type(v).__name__ for v in items})
    raise ValueError(
        f"{name} mix label types {kinds}: the classes of an output must be all strings "
        "or all numbers."
    )


def _output_values(t, p, name):
    """The known ``y_true`` values of one output and ``y_pred``'s on the same rows, as
    arrays of one label type; continuous values are scikit-learn's ``ValueError``."""
    if t.dtype.kind in "biuf" and p.dtype.kind in "biuf":
        both = np.concatenate([t, p])
    else:
        both = _label_array(np.concatenate([t.astype(object), p.astype(object)]), name)
    if len(both):
        check_classification_targets(both)
    return both[: len(t)], both[len(t) :]


@dataclass(frozen=True)
class _PerOutput:
    """A binary, multiclass or multi-output ``y_true`` and ``y_pred``, output by output.

    Attributes
    ----------
    single : bool
        One output (binary or multiclass): the report names its rows by class alone.
    outputs : list of tuple
        For each output, ``(t, p, rows, classes)``: the known ``y_true`` values, the
        ``y_pred`` values of the same samples, the boolean mask of these samples, and the
        output's classes from ``labels`` (None when not given).
    known : ndarray of shape (n_samples, n_outputs)
        Known entries of ``y_true``.
    right : ndarray of shape (n_samples, n_outputs)
        Known entries predicted right.
    """

    single: bool
    outputs: list
    known: np.ndarray
    right: np.ndarray

    def weights(self, sample_weight, rows):
        """The weights of ``rows`` (None when ``sample_weight`` is None)."""
        return None if sample_weight is None else sample_weight[rows]

    def scored(self):
        """The outputs with a known entry."""
        return [o for o in self.outputs if o[2].any()]


def _per_output(y_true, y_pred, *, missing, target_type=None, labels=None, sample_weight=None):
    """Check a binary, multiclass or multi-output target and split it by output.

    Returns ``(per_output, sample_weight)``: a :class:`_PerOutput` and the sample weights
    as a float array (None when not given). A missing ``y_true`` entry (NaN, None or
    pandas' NA) is a ``ValueError`` with ``missing="raise"``; with ``"ignore"`` it is
    left out of its output.
    """
    _check_missing_option(missing)
    T, P = _as_array(y_true), _as_array(y_pred)
    if len(T) != len(P):
        raise ValueError(
            f"y_true and y_pred have different numbers of samples: {len(T)} and {len(P)}."
        )
    single = target_type in _SINGLE_OUTPUT or (
        target_type is None and (T.ndim == 1 or T.shape[1:] == (1,))
    )
    shapes = T.shape, P.shape
    T = T.reshape(len(T), 1) if T.ndim == 1 else T
    P = P.reshape(len(P), 1) if P.ndim == 1 else P
    if T.ndim != 2 or T.shape != P.shape or (single and T.shape[1] != 1):
        want = "1-D (binary or multiclass)" if single else "2-D (one column per output)"
        raise ValueError(
            f"y_true and y_pred must both be {want} with the same shape, got {shapes[0]} "
            f"and {shapes[1]}."
        )
    if _missing(P).any():
        raise ValueError(
            f"y_pred has {int(_missing(P).sum())} missing entries (NaN, None or NA): a "
            "prediction must name a class."
        )
    known = ~_missing(T)
    if not known.all():
        if missing == "raise":
            raise ValueError(
                f"y_true has {int((~known).sum())} missing entries (NaN, None or NA). Pass "
                "missing='ignore' to score only the known entries (scorers: "
                "skmultimlp.metrics.make_scorers(missing='ignore')), or fill them in."
            )
        if not known.any():
            raise ValueError("y_true has no known entry: every entry is missing.")
    n_outputs = T.shape[1]
    if labels is None:
        classes = [None] * n_outputs
    elif single:
        classes = [np.asarray(labels)]
    else:
        classes = [np.asarray(c) for c in labels]
        if len(classes) != n_outputs:
            raise ValueError(
                f"labels has {len(classes)} class lists for {n_outputs} outputs: give one "
                "sequence of classes per output (e.g. the estimator's classes_)."
            )
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=float)
        if sample_weight.shape != (len(T),):
            raise ValueError(
                f"sample_weight must have shape ({len(T)},), got {sample_weight.shape}."
            )
    outputs, right = [], np.zeros(T.shape, dtype=bool)
    for j in range(n_outputs):
        name = "y_true and y_pred" if single else f"Output {j} of y_true and y_pred"
        rows = known[:, j]
        t, p = _output_values(T[rows, j], P[rows, j], name)
        if classes[j] is not None:
            unknown = set(np.concatenate([t, p]).tolist()) - set(classes[j].tolist())
            if unknown:
                raise ValueError(
                    f"{name} hold classes not in labels: {sorted(map(str, unknown))[:5]}."
                )
        right[rows, j] = t == p
        outputs.append((t, p, rows, classes[j]))
    return _PerOutput(single, outputs, known, right), sample_weight


def _exact_match_per_output(y, sample_weight):
    """Share of samples with every known output right (accuracy for one output)."""
    rows = y.known.any(axis=1)
    all_right = (y.right | ~y.known).all(axis=1)
    return float(np.average(all_right[rows], weights=y.weights(sample_weight, rows)))


def _hamming_per_output(y, sample_weight):
    """Share of the known (output, sample) decisions that are wrong: 1 - accuracy for one
    output, 1 - mean per-output accuracy for several when nothing is missing."""
    w = np.ones(len(y.known)) if sample_weight is None else sample_weight
    wrong = (w[:, None] * (y.known & ~y.right)).sum()
    return float(wrong / (w[:, None] * y.known).sum())


def _f1_per_output(y, sample_weight, average):
    """Mean over the outputs of scikit-learn's ``f1_score(average=average)`` of each
    (on its known samples); for one output, that F1 itself."""
    scores = [
        _skm.f1_score(
            t,
            p,
            labels=classes,
            average=average,
            zero_division=0,
            sample_weight=y.weights(sample_weight, rows),
        )
        for t, p, rows, classes in y.scored()
    ]
    return float(np.mean(scores))


def _one_hot(y):
    """The target as label sets: a 0/1 column per (output, class) seen in ``y_true`` or
    ``y_pred``; ``y_true``'s columns of an unknown entry are NaN."""
    n = len(y.known)
    true_blocks, pred_blocks = [], []
    for t, p, rows, _ in y.outputs:
        classes = np.unique(np.concatenate([t, p]))
        block = np.full((n, len(classes)), np.nan)
        block[rows] = t[:, None] == classes
        true_blocks.append(block)
        block = np.zeros((n, len(classes)))
        block[rows] = p[:, None] == classes
        pred_blocks.append(block)
    if sum(b.shape[1] for b in true_blocks) < 2:  # a single column would read as binary
        true_blocks.append(np.zeros((n, 1)))
        pred_blocks.append(np.zeros((n, 1)))
    return np.hstack(true_blocks), np.hstack(pred_blocks)


def exact_match_score(
    y_true, y_pred, *, sample_weight=None, missing="raise", labels=None, target_type=None
):
    """Fraction of samples predicted exactly: every label, or every output, right.

    Multi-label: subset accuracy (the whole label set right). Binary and multiclass:
    accuracy. Multi-output: the share of samples whose outputs are all right, which is
    what :meth:`KerasMultiLabelClassifier.score
    <skmultimlp.KerasMultiLabelClassifier.score>` returns.

    Parameters
    ----------
    y_true, y_pred : array-like, sparse matrix, DataFrame or sequence of label collections
        Each in any target form ``fit`` accepts (the module's *Target forms*): a multi-label
        target (a 0/1 indicator matrix of shape (n_samples, n_labels), a DataFrame of 0/1
        columns, or label collections such as ``[["sports", "tech"], []]``, binarised
        with the same columns for both, see ``labels``); a 1-D binary or multiclass
        target; or a multi-output target (a 2-D array or DataFrame with a column of
        labels per output), in the caller's labels. ``y_true`` may hold unknown entries
        when ``missing="ignore"``: NaN or -1 (multi-label), NaN, None or pandas' NA
        (the other types).
    sample_weight : array-like of shape (n_samples,), default=None
    missing : {"raise", "ignore"}, default="raise"
        What to do with unknown entries of ``y_true``: ``"raise"`` a ``ValueError``, or
        ``"ignore"`` them: a sample counts as right when all its *known* labels (or
        outputs) are right, and samples with none known are left out (for a 1-D target:
        the samples whose ``y_true`` is unknown).
    labels : sequence, default=None
        Multi-label: the label names of the columns, e.g. a fitted estimator's
        ``classes_``: label collections are binarised against them (a name not in
        ``labels`` is a ``ValueError``), and DataFrames holding these columns are put in
        their order. Default: the columns of a DataFrame argument, else the sorted union
        of the names in both label collections; it is required to compare label
        collections with an unnamed indicator matrix. Binary or multiclass: the classes;
        multi-output: one sequence of classes per output (what the estimator's
        ``classes_`` holds in both cases); a class of ``y_true`` or ``y_pred`` not in them
        is a ``ValueError``.
    target_type : str, default=None
        ``"multilabel-indicator"``, ``"binary"``, ``"multiclass"`` or
        ``"multiclass-multioutput"``, as scikit-learn's ``type_of_target`` names them
        (a fitted estimator's ``target_type_``). Default: told from ``y_true`` as ``fit``
        tells it, a 2-D ``y_true`` of 0 and 1 only being multi-label; pass it for a
        multi-output target that happens to hold only 0 and 1.

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
    >>> exact_match_score(["cat", "dog", "cat", "cow"], ["cat", "cat", "cat", "cow"])
    0.75
    >>> colour_and_size = np.array([["red", "S"], ["blue", "M"]], dtype=object)
    >>> exact_match_score(colour_and_size, [["red", "M"], ["blue", "M"]])
    0.5
    """
    if not _is_multilabel(y_true, y_pred, target_type):
        y, sample_weight = _per_output(
            y_true,
            y_pred,
            missing=missing,
            target_type=target_type,
            labels=labels,
            sample_weight=sample_weight,
        )
        return _exact_match_per_output(y, sample_weight)
    y_true, y_pred, _ = _indicators(y_true, y_pred, labels)
    y_true, y_pred, known = _masked(y_true, y_pred, missing)
    # Unknown entries are 0 in both arrays, so they always agree.
    y_true, y_pred, sample_weight = _known_rows(y_true, y_pred, sample_weight, known)
    return float(_skm.accuracy_score(y_true, y_pred, sample_weight=sample_weight))


def hamming_loss(
    y_true, y_pred, *, sample_weight=None, missing="raise", labels=None, target_type=None
):
    """Fraction of the individual decisions that are wrong (lower is better).

    A decision is a (sample, label) entry for a multi-label target and a (sample, output)
    entry for a multi-output one: the loss is 1 - the mean per-output accuracy (the
    outputs all count the same). Binary and multiclass: 1 - accuracy.

    Parameters
    ----------
    y_true, y_pred : array-like, sparse matrix, DataFrame or sequence of label collections
        Each in any target form ``fit`` accepts (the module's *Target forms*): a multi-label
        target (a 0/1 indicator matrix of shape (n_samples, n_labels), a DataFrame of 0/1
        columns, or label collections such as ``[["sports", "tech"], []]``, binarised
        with the same columns for both, see ``labels``); a 1-D binary or multiclass
        target; or a multi-output target (a 2-D array or DataFrame with a column of
        labels per output), in the caller's labels. ``y_true`` may hold unknown entries
        when ``missing="ignore"``: NaN or -1 (multi-label), NaN, None or pandas' NA
        (the other types).
    sample_weight : array-like of shape (n_samples,), default=None
    missing : {"raise", "ignore"}, default="raise"
        What to do with unknown entries of ``y_true``: ``"raise"`` a ``ValueError``, or
        ``"ignore"`` them: the loss is then the (sample-weighted) fraction of the known
        entries that are wrong (for a 1-D target: 1 - accuracy on the samples whose
        ``y_true`` is known).
    labels : sequence, default=None
        Multi-label: the label names of the columns, e.g. a fitted estimator's
        ``classes_``: label collections are binarised against them (a name not in
        ``labels`` is a ``ValueError``), and DataFrames holding these columns are put in
        their order. Default: the columns of a DataFrame argument, else the sorted union
        of the names in both label collections; it is required to compare label
        collections with an unnamed indicator matrix. Binary or multiclass: the classes;
        multi-output: one sequence of classes per output (what the estimator's
        ``classes_`` holds in both cases); a class of ``y_true`` or ``y_pred`` not in them
        is a ``ValueError``.
    target_type : str, default=None
        ``"multilabel-indicator"``, ``"binary"``, ``"multiclass"`` or
        ``"multiclass-multioutput"``, as scikit-learn's ``type_of_target`` names them
        (a fitted estimator's ``target_type_``). Default: told from ``y_true`` as ``fit``
        tells it, a 2-D ``y_true`` of 0 and 1 only being multi-label; pass it for a
        multi-output target that happens to hold only 0 and 1.

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
    >>> colour_and_size = np.array([["red", "S"], ["blue", "M"]], dtype=object)
    >>> hamming_loss(colour_and_size, [["red", "M"], ["blue", "M"]])
    0.25
    >>> colour_and_size[1, 1] = None  # unknown
    >>> hamming_loss(colour_and_size, [["red", "M"], ["blue", "M"]], missing="ignore")
    0.3333333333333333
    """
    if not _is_multilabel(y_true, y_pred, target_type):
        y, sample_weight = _per_output(
            y_true,
            y_pred,
            missing=missing,
            target_type=target_type,
            labels=labels,
            sample_weight=sample_weight,
        )
        return _hamming_per_output(y, sample_weight)
    y_true, y_pred, _ = _indicators(y_true, y_pred, labels)
    y_true, y_pred, known = _masked(y_true, y_pred, missing)
    if known is None:
        return float(_skm.hamming_loss(y_true, y_pred, sample_weight=sample_weight))
    # The known entries, one after another, form a single binary problem.
    weights = None
    if sample_weight is not None:
        weights = np.broadcast_to(np.asarray(sample_weight)[:, None], known.shape)[known]
    return float(_skm.hamming_loss(y_true[known], y_pred[known], sample_weight=weights))


def _f1_score(
    y_true,
    y_pred,
    *,
    average,
    sample_weight=None,
    missing="raise",
    labels=None,
    target_type=None,
):
    """F1 with ``zero_division=0``; with ``missing="ignore"``, on the known entries.

    Multi-label: ``"macro"``: mean over the labels with a known entry of each label's F1
    on its known rows; ``"micro"``: F1 of all known entries pooled; ``"samples"``: mean
    over the samples with a known label of each sample's F1 over its known labels.

    Binary, multiclass and multi-output: ``"macro"`` and ``"micro"`` are scikit-learn's
    ``f1_score`` of each output on its known samples (the micro F1 of one output is its
    accuracy), averaged over the outputs; ``"samples"`` reads each sample's label set as
    its (output, class) pairs, see :func:`_one_hot`: for one output, the accuracy; for
    several, the mean over samples of the share of their known outputs that are right.
    ``y_true``, ``y_pred``, ``labels`` and ``target_type`` are as in
    :func:`exact_match_score`.
    """
    if not _is_multilabel(y_true, y_pred, target_type):
        y, sample_weight = _per_output(
            y_true,
            y_pred,
            missing=missing,
            target_type=target_type,
            labels=labels,
            sample_weight=sample_weight,
        )
        if average != "samples":
            return _f1_per_output(y, sample_weight, average)
        true_sets, pred_sets = _one_hot(y)
        return _f1_score(
            true_sets,
            pred_sets,
            average="samples",
            sample_weight=sample_weight,
            missing="ignore",
            target_type=MULTILABEL,
        )
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


def _jaccard_samples_score(
    y_true, y_pred, *, sample_weight=None, missing="raise", labels=None, target_type=None
):
    """Mean per-sample Jaccard index; with ``missing="ignore"``, over each sample's known
    labels, and samples with no known label are left out. Binary, multiclass and
    multi-output: each sample's label set is its (output, class) pairs (see
    :func:`_one_hot`), so one output scores its accuracy, and a sample with r of its n
    known outputs right scores r / (2n - r). ``y_true``, ``y_pred``, ``labels`` and
    ``target_type`` are as in :func:`exact_match_score`."""
    if not _is_multilabel(y_true, y_pred, target_type):
        y, sample_weight = _per_output(
            y_true,
            y_pred,
            missing=missing,
            target_type=target_type,
            labels=labels,
            sample_weight=sample_weight,
        )
        true_sets, pred_sets = _one_hot(y)
        return _jaccard_samples_score(
            true_sets,
            pred_sets,
            sample_weight=sample_weight,
            missing="ignore",
            target_type=MULTILABEL,
        )
    y_true, y_pred, _ = _indicators(y_true, y_pred, labels)
    y_true, y_pred, known = _masked(y_true, y_pred, missing)
    y_true, y_pred, sample_weight = _known_rows(y_true, y_pred, sample_weight, known)
    return float(
        _skm.jaccard_score(
            y_true, y_pred, average="samples", zero_division=0, sample_weight=sample_weight
        )
    )


def macro_f1_score(
    y_true, y_pred, *, sample_weight=None, missing="raise", labels=None, target_type=None
):
    """Unweighted mean of the per-label (or per-class) F1 scores; a label never predicted
    nor present scores 0 (``zero_division=0``), so rare labels are not hidden.

    Multi-label: the mean over the labels of each label's F1. Binary and multiclass:
    scikit-learn's ``f1_score(average="macro")``, the mean over the classes (both
    classes of a binary target) of each class's F1. Multi-output: the mean over the
    outputs of each output's macro F1, so that every output counts the same whatever
    its number of classes.

    Parameters
    ----------
    y_true, y_pred : array-like, sparse matrix, DataFrame or sequence of label collections
        Each in any target form ``fit`` accepts (the module's *Target forms*): a multi-label
        target (a 0/1 indicator matrix of shape (n_samples, n_labels), a DataFrame of 0/1
        columns, or label collections such as ``[["sports", "tech"], []]``, binarised
        with the same columns for both, see ``labels``); a 1-D binary or multiclass
        target; or a multi-output target (a 2-D array or DataFrame with a column of
        labels per output), in the caller's labels. ``y_true`` may hold unknown entries
        when ``missing="ignore"``: NaN or -1 (multi-label), NaN, None or pandas' NA
        (the other types).
    sample_weight : array-like of shape (n_samples,), default=None
    missing : {"raise", "ignore"}, default="raise"
        What to do with unknown entries of ``y_true``: ``"raise"`` a ``ValueError``, or
        ``"ignore"`` them: each label's F1 (each output's macro F1) is then computed on
        the samples where that label (output) is known, and the mean is over the labels
        (outputs) known on at least one sample.
    labels : sequence, default=None
        Multi-label: the label names of the columns, e.g. a fitted estimator's
        ``classes_``: label collections are binarised against them (a name not in
        ``labels`` is a ``ValueError``), and DataFrames holding these columns are put in
        their order. Default: the columns of a DataFrame argument, else the sorted union
        of the names in both label collections; it is required to compare label
        collections with an unnamed indicator matrix. Binary or multiclass: the classes;
        multi-output: one sequence of classes per output (what the estimator's
        ``classes_`` holds in both cases); a class of ``y_true`` or ``y_pred`` not in them
        is a ``ValueError``.
        For a binary, multiclass or multi-output target these are the classes averaged
        over, as scikit-learn's ``labels=`` (default: the classes in ``y_true`` or
        ``y_pred``).
    target_type : str, default=None
        ``"multilabel-indicator"``, ``"binary"``, ``"multiclass"`` or
        ``"multiclass-multioutput"``, as scikit-learn's ``type_of_target`` names them
        (a fitted estimator's ``target_type_``). Default: told from ``y_true`` as ``fit``
        tells it, a 2-D ``y_true`` of 0 and 1 only being multi-label; pass it for a
        multi-output target that happens to hold only 0 and 1.

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
    >>> macro_f1_score(["cat", "dog", "dog"], ["cat", "cat", "dog"])  # (2/3 + 2/3) / 2
    0.6666666666666666
    >>> colour_and_size = np.array([["red", "S"], ["blue", "M"]], dtype=object)
    >>> macro_f1_score(colour_and_size, [["red", "M"], ["blue", "M"]])  # (1 + 1/3) / 2
    0.6666666666666666
    """
    return _f1_score(
        y_true,
        y_pred,
        average="macro",
        sample_weight=sample_weight,
        missing=missing,
        labels=labels,
        target_type=target_type,
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


def _estimator_target_type(estimator):
    """The ``target_type_`` of the estimator (or of a Pipeline's last step), else None."""
    for candidate in (estimator, getattr(estimator, "steps", [(None, None)])[-1][1]):
        target_type = getattr(candidate, "target_type_", None)
        if isinstance(target_type, str) and target_type in _TARGET_TYPES:
            return target_type
    return None


class _MultilabelScorer:
    """``scorer(estimator, X, y_true)``: ``sign * func(y_true, estimator.predict(X))``.

    As a scorer of :func:`sklearn.metrics.make_scorer`, and in addition: a multi-label
    ``y_true`` of label collections, or a DataFrame, is matched to the columns of
    ``predict`` through the estimator's ``classes_``. A name of ``y_true`` that is not in
    ``classes_`` (a label the training fold of a cross-validation did not hold) counts as
    a label the estimator never predicts. A binary, multiclass or multi-output ``y_true``
    is compared with ``predict`` as it is, label for label; the estimator's
    ``target_type_``, when it has one, says which type ``y_true`` is.
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
        target_type = _estimator_target_type(estimator)
        labels = None
        multilabel = _is_multilabel(y_true, y_pred, target_type)
        if multilabel and (_rows_of(y_true) is not None or hasattr(y_true, "columns")):
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
                    if sp.issparse(y_pred):
                        zeros = sp.csr_matrix((y_pred.shape[0], len(unseen)), dtype=y_pred.dtype)
                        y_pred = sp.csr_matrix(sp.hstack([y_pred, zeros], format="csr"))
                    else:
                        y_pred = _as_dense(y_pred)
                        zeros = np.zeros((len(y_pred), len(unseen)), y_pred.dtype)
                        y_pred = np.hstack([y_pred, zeros])
        if sample_weight is not None:
            kwargs["sample_weight"] = sample_weight
        kwargs = {**self._kwargs, **kwargs}
        score = self._score_func(y_true, y_pred, labels=labels, target_type=target_type, **kwargs)
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
    """The scorers of :data:`SCORERS`, with a chosen treatment of missing ``y_true`` entries.

    What each scorer means for each target type (greater is better for each):

    * ``"exact_match"``: the share of samples predicted exactly. Multi-label: subset
      accuracy (the whole label set right); binary or multiclass: accuracy; multi-output:
      every output right (what ``KerasMultiLabelClassifier.score`` returns).
    * ``"neg_hamming_loss"``: minus the share of wrong decisions, a decision being a
      (sample, label) entry, a sample's class, or a (sample, output) entry. Binary or
      multiclass: accuracy - 1; multi-output: mean per-output accuracy - 1.
    * ``"f1_macro"``: multi-label: the mean over the labels of each label's F1; binary or
      multiclass: scikit-learn's ``f1_score(average="macro")``, the mean over the classes;
      multi-output: the mean over the outputs of each output's macro F1.
    * ``"f1_micro"``: multi-label: the F1 of all label entries pooled; binary or
      multiclass: scikit-learn's micro F1, which for one class per sample is the
      accuracy; multi-output: the mean over the outputs of each output's micro F1, that
      is the **mean per-output accuracy**.
    * ``"f1_samples"``, ``"jaccard_samples"``: the mean over the samples of the F1 (the
      Jaccard index) of the sample's predicted and true label sets. For the other types a
      sample's label set is its class, or its (output, class) pairs: binary or
      multiclass, both are the accuracy; multi-output, a sample with r of its n outputs
      right has F1 r / n (the mean is the mean per-output accuracy again) and Jaccard
      r / (2n - r).

    The mean per-output accuracy of a multi-output target has no key of its own: it is
    ``"f1_micro"``, and ``1 + "neg_hamming_loss"`` when no entry is missing.

    Parameters
    ----------
    missing : {"raise", "ignore"}, default="raise"
        ``"raise"``: a ``y_true`` with unknown entries (NaN or -1 multi-label, NaN, None
        or pandas' NA otherwise) is a ``ValueError`` (these are the scorers of
        :data:`SCORERS`). ``"ignore"``: each scorer scores the known entries only, as the
        ``missing="ignore"`` option of the metric functions:

        * ``"exact_match"``: samples whose known labels (outputs) are all right, among
          the samples with a known label (output);
        * ``"neg_hamming_loss"``: minus the wrong fraction of the known entries (for a
          multi-output target, 1 - the mean per-output accuracy only when the outputs
          are known on equally many samples);
        * ``"f1_macro"``: mean over labels of the F1 on the samples where the label is
          known (over outputs of the macro F1 on the samples where the output is known);
        * ``"f1_micro"``: F1 of all known entries pooled (multi-output: mean over outputs
          of each one's accuracy on its known samples);
        * ``"f1_samples"``, ``"jaccard_samples"``: mean over the samples with a known
          label (output) of the score over that sample's known labels (outputs).

        A binary or multiclass target is scored without the samples whose ``y_true`` is
        unknown. With no missing entry, both choices give the same values.

    Returns
    -------
    dict of str to scorer
        A new dict with the keys of :data:`SCORERS`; greater is better for each. Each
        scorer is called as ``scorer(estimator, X, y_true)`` and scores
        ``estimator.predict(X)`` against ``y_true``, which may be in any target form
        ``fit`` accepts. Multi-label: label collections are binarised against the
        estimator's ``classes_`` (a name not in ``classes_``, one the training fold of a
        cross-validation lacked, counts as never predicted), and a DataFrame with the
        columns of ``classes_`` is put in their order. The other types are compared
        with ``predict`` label for label; the estimator's ``target_type_`` (or its
        Pipeline's last step's), when it has one, gives the target type.

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

    A multiclass target, in names:

    >>> animals = np.array(["cat", "dog", "cow"])[y.sum(axis=1) % 3]
    >>> knn = KNeighborsClassifier().fit(X, animals)
    >>> bool(SCORERS["exact_match"](knn, X, animals) == knn.score(X, animals))
    True
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
"""dict of str to scorer: scorers for every target type, greater is better for each.

Keys: ``"exact_match"``, ``"neg_hamming_loss"``, ``"f1_macro"``, ``"f1_micro"``,
``"f1_samples"``, ``"jaccard_samples"``; what each means for a multi-label, binary,
multiclass or multi-output target: :func:`make_scorers` (for a multi-output target:
exact match across the outputs, mean per-output accuracy as ``"f1_micro"``, macro F1 per
output averaged as ``"f1_macro"``). ``y_true`` may be in any target form ``fit`` accepts
(label collections are binarised against the estimator's ``classes_``). Each raises a
``ValueError`` for a ``y_true`` with missing entries; ``make_scorers(missing="ignore")``
gives the same scorers scoring the known entries only.
"""


@dataclass(frozen=True)
class MultilabelReport:
    """Per-label (or per-class) precision, recall, F1, support and ROC AUC, with averages.

    Attributes
    ----------
    labels : list
        The name of each row: a label name (multi-label target), a class (binary or
        multiclass target), or an ``(output, class)`` pair, ``output`` the column index
        (multi-output target).
    precision, recall, f1 : ndarray of shape (n_rows,)
    support : ndarray of shape (n_rows,)
        Number of true samples of each label (of each class).
    roc_auc : ndarray of shape (n_rows,) or None
        Per-label (per-class, one-vs-rest) ROC AUC when probabilities were given; NaN for
        a label whose ``y_true`` column has a single class (a class that every sample or
        no sample of ``y_true`` has).
    averages : dict
        ``"macro"`` and ``"micro"`` rows, each a dict with ``precision``, ``recall``,
        ``f1``, ``support`` and (with probabilities) ``roc_auc``. Multi-label: macro is
        the mean over the labels, micro pools the label entries. One output: macro is
        the mean over the classes, micro scikit-learn's micro average (precision, recall
        and F1 are then the accuracy; its ROC AUC pools the one-vs-rest entries).
        Multi-output: the mean over the outputs of each output's macro (micro) row, as
        ``SCORERS["f1_macro"]`` (``["f1_micro"]``) averages. The support is the total.
    target_type : str
        The target type the rows describe, as scikit-learn's ``type_of_target`` names
        it.
    """

    labels: list
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray
    roc_auc: np.ndarray | None
    averages: dict
    target_type: str = MULTILABEL

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


def multilabel_report(
    y_true, y_pred, y_proba=None, labels=None, *, missing="raise", target_type=None
):
    """Per-label (or per-class) precision, recall, F1, support and ROC AUC, with averages.

    A row per label of a multi-label target, per class of a binary or multiclass one, and
    per ``(output, class)`` of a multi-output one; the scores of a class are scikit-learn's
    ``precision_recall_fscore_support`` (and the one-vs-rest ROC AUC) of its output.

    Parameters
    ----------
    y_true, y_pred : array-like, sparse matrix, DataFrame or sequence of label collections
        Each in any target form ``fit`` accepts (the module's *Target forms*): a
        multi-label target (a 0/1 indicator matrix of shape (n_samples, n_labels), a
        DataFrame of 0/1 columns, or label collections such as ``[["sports", "tech"],
        []]``); a 1-D binary or multiclass target; or a multi-output target (a 2-D array
        or DataFrame with a column of labels per output), in the caller's labels.
        ``y_true`` may hold unknown entries when ``missing="ignore"``: NaN or -1
        (multi-label), NaN, None or pandas' NA (the other types).
    y_proba : array-like or list of array-like, default=None
        Predicted probabilities, in the format of the estimator's ``predict_proba``; adds
        a ROC AUC column. Multi-label: shape (n_samples, n_labels), columns in the order
        of the report's labels (a DataFrame with the labels as columns is put in that
        order). Binary or multiclass: shape (n_samples, n_classes), a column per class of
        the report's rows; multi-output: a list of such arrays, one per output.
    labels : sequence, default=None
        Multi-label: the label names of the columns, e.g. a fitted estimator's
        ``classes_``: label collections are binarised against them (a name not in
        ``labels`` is a ``ValueError``) and DataFrames with these columns are put in their
        order. Default: the columns of a DataFrame argument, else the sorted union of the
        names of label collections, else ``0..n_labels-1``. Required to compare label
        collections with an unnamed indicator matrix. Binary or multiclass: the classes
        to report, in order; multi-output: one sequence of classes per output (the
        estimator's ``classes_`` in both cases, which ``y_proba``'s columns follow).
        Default: the sorted classes found in ``y_true`` and ``y_pred`` (of each output).
    missing : {"raise", "ignore"}, default="raise"
        What to do with unknown entries of ``y_true``: ``"raise"`` a ``ValueError``, or
        ``"ignore"`` them: each label's (each output's) scores and support then come
        from the samples where it is known (NaN for a label or output known nowhere, left
        out of the averages), and the multi-label micro average pools the known entries.
    target_type : str, default=None
        ``"multilabel-indicator"``, ``"binary"``, ``"multiclass"`` or
        ``"multiclass-multioutput"``, as scikit-learn's ``type_of_target`` names them
        (a fitted estimator's ``target_type_``). Default: told from ``y_true`` as ``fit``
        tells it, a 2-D ``y_true`` of 0 and 1 only being multi-label; pass it for a
        multi-output target that happens to hold only 0 and 1.

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

    A multi-output target (colour, size) has a row per output and class:

    >>> y_true = np.array([["red", "S"], ["blue", "M"], ["red", "M"]], dtype=object)
    >>> y_pred = np.array([["red", "M"], ["blue", "M"], ["blue", "M"]], dtype=object)
    >>> print(multilabel_report(y_true, y_pred))  # doctest: +NORMALIZE_WHITESPACE
                     precision     recall         f1    support
      (0, 'blue')        0.500      1.000      0.667          1
       (0, 'red')        1.000      0.500      0.667          2
         (1, 'M')        0.667      1.000      0.800          2
         (1, 'S')        0.000      0.000      0.000          1
    <BLANKLINE>
        macro avg        0.542      0.625      0.533          6
        micro avg        0.667      0.667      0.667          6
    """
    if not _is_multilabel(y_true, y_pred, target_type):
        y, _ = _per_output(y_true, y_pred, missing=missing, target_type=target_type, labels=labels)
        return _per_output_report(y, y_proba)
    y_true, y_pred, names = _indicators(y_true, y_pred, labels)
    y_true, y_pred, known = _masked(y_true, y_pred, missing)
    # scikit-learn counts a sparse pair (or a sparse and a dense indicator) as CSR: a
    # sparse target is not densified here.
    if not (sp.issparse(y_true) or sp.issparse(y_pred)):
        y_true, y_pred = _as_dense(y_true), _as_dense(y_pred)
    if y_true.ndim != 2 or y_true.shape != y_pred.shape:
        raise ValueError(
            "y_true and y_pred must be 0/1 indicator matrices of the same shape "
            f"(n_samples, n_labels), got {y_true.shape} and {y_pred.shape}."
        )
    n_labels = y_true.shape[1]
    names = list(range(n_labels)) if names is None else names
    labelled = np.ones(n_labels, dtype=bool) if known is None else known.any(axis=0)
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
        if sp.issparse(y_true):
            # Ranked against the dense float64 y_proba: a dense boolean y_true is an
            # eighth of its size.
            y_true = y_true.astype(bool).toarray()
        if known is None:
            known = np.ones(y_true.shape, dtype=bool)
        auc = np.array(
            [_roc_auc(y_true[known[:, j], j], y_proba[known[:, j], j]) for j in range(n_labels)]
        )
        defined = ~np.isnan(auc)
        averages["macro"]["roc_auc"] = float(auc[defined].mean()) if defined.any() else np.nan
        # Micro-averaged ROC AUC is the AUC of all (known) entries pooled.
        averages["micro"]["roc_auc"] = _roc_auc(y_true[known], y_proba[known])
    return MultilabelReport(names, p, r, f, s, auc, averages)


def _per_output_report(y, y_proba):
    """The :class:`MultilabelReport` of a binary, multiclass or multi-output target."""
    if y_proba is not None:
        probas = [y_proba] if y.single else list(y_proba)
        if len(probas) != len(y.outputs):
            raise ValueError(
                "y_proba must be a list of one (n_samples, n_classes) array per output "
                f"(the format of predict_proba), got {len(probas)} for {len(y.outputs)} "
                "outputs."
            )
    n_samples = len(y.known)
    names, columns, averaged = [], [], []
    for j, (t, p, rows, classes) in enumerate(y.outputs):
        if classes is None:
            classes = np.unique(np.concatenate([t, p]))
        names.extend(c if y.single else (j, c) for c in classes.tolist())
        if rows.any():
            scores = list(
                _skm.precision_recall_fscore_support(
                    t, p, labels=classes, average=None, zero_division=0
                )
            )
            macro = [float(np.mean(v)) for v in scores[:3]]
            micro = _skm.precision_recall_fscore_support(
                t, p, labels=classes, average="micro", zero_division=0
            )
            micro = [float(v) for v in micro[:3]]
        else:  # an output known on no sample has no score
            scores = [np.full(len(classes), np.nan)] * 3 + [np.zeros(len(classes), int)]
        if y_proba is not None:
            proba = np.asarray(probas[j], dtype=float)
            if proba.shape != (n_samples, len(classes)):
                which = "y_proba" if y.single else f"y_proba[{j}]"
                raise ValueError(
                    f"{which} must have shape {(n_samples, len(classes))}, a column per class "
                    f"of {classes.tolist()}, got {proba.shape}. Pass labels= (the estimator's "
                    "classes_) when y_true and y_pred lack some of its classes."
                )
            one_vs_rest, proba = (t[:, None] == classes).astype(int), proba[rows]
            auc = np.array([_roc_auc(one_vs_rest[:, c], proba[:, c]) for c in range(len(classes))])
            scores.append(auc)
            if rows.any():
                macro.append(_nanmean(auc))
                micro.append(_roc_auc(one_vs_rest.ravel(), proba.ravel()))
        columns.append(scores)
        if rows.any():
            averaged.append((macro, micro))
    precision, recall, f1, support = (np.concatenate([c[i] for c in columns]) for i in range(4))
    auc = None if y_proba is None else np.concatenate([c[4] for c in columns])
    metrics = ["precision", "recall", "f1"] + ([] if y_proba is None else ["roc_auc"])
    averages = {}
    for k, average in enumerate(("macro", "micro")):
        values = np.array([output[k] for output in averaged])  # (outputs, metrics)
        averages[average] = {m: _nanmean(values[:, i]) for i, m in enumerate(metrics)}
        averages[average]["support"] = int(support.sum())
    target_type = _MULTI_OUTPUT
    if y.single:
        target_type = "binary" if len(names) == 2 else "multiclass"
    return MultilabelReport(names, precision, recall, f1, support, auc, averages, target_type)


def _nanmean(values):
    """Mean of the values that are not NaN (NaN when all are), as a float."""
    values = np.asarray(values, dtype=float)
    defined = ~np.isnan(values)
    return float(values[defined].mean()) if defined.any() else np.nan


def _roc_auc(y_true, y_score):
    """Binary ROC AUC, or NaN when ``y_true`` does not hold both classes."""
    if len(np.unique(y_true)) != 2:
        return np.nan
    return float(_skm.roc_auc_score(y_true, y_score))
