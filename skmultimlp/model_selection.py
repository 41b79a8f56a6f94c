"""Cross-validation splitters that stratify multi-label targets.

scikit-learn's :class:`~sklearn.model_selection.KFold` ignores ``y``, and its
:class:`~sklearn.model_selection.StratifiedKFold` accepts only one class per sample, so
neither keeps the labels of a multi-label problem balanced across folds. With a rare
label, a plain ``KFold`` (shuffled or not) easily leaves it out of some test folds
entirely; those folds then score the label as "never present", and per-label metrics
such as macro F1 swing from fold to fold because of the split, not the model.

The splitters here are those of the `iterative-stratification
<https://github.com/trent-b/iterative-stratification>`_ package (``iterstrat``), which
implements the iterative stratification of Sechidis, Tsoumakas and Vlahavas (2011): rows
are dealt out label by label, rarest label first, to the fold that most lacks that
label, so every fold gets close to its share of every label. They are thin subclasses of
``iterstrat.ml_stratifiers``' classes, with the same names and parameters, that

* accept ``y`` in every form :class:`~skmultimlp.KerasMultiLabelClassifier` accepts: a
  0/1 indicator matrix (dense or scipy sparse), a pandas DataFrame of 0/1 columns, or
  label collections such as ``[["sports", "tech"], [], ["politics"]]``;
* accept missing labels (NaN or -1 entries), which count as 0 (absent) for
  stratification;
* raise a clear ``ValueError`` when ``y`` is missing or is not multi-label (a 1-D vector
  of classes, values other than 0/1), instead of an obscure numpy error;
* work with scikit-learn >= 1.6, where ``iterstrat`` 0.1.9 on its own fails twice:
  ``MultilabelStratifiedKFold(random_state=0)`` is refused because scikit-learn now forbids
  ``random_state`` without ``shuffle=True`` (while iterstrat uses it to break ties in any
  case), and ``MultilabelStratifiedShuffleSplit()`` with its default ``test_size`` cannot
  split at all.

The stratification itself is iterstrat's, unchanged. Use a splitter as ``cv=`` anywhere
scikit-learn takes one (``cross_val_score``, ``cross_validate``, ``GridSearchCV``...);
those pass ``y`` to ``split`` themselves.

Examples
--------
A label present in 5 of 20 rows, with the rows ordered by it (as data often is, sorted
by date or source), split into 5 folds:

>>> import numpy as np
>>> from sklearn.model_selection import KFold
>>> from skmultimlp.model_selection import MultilabelStratifiedKFold
>>> X = np.zeros((20, 1))
>>> y = np.zeros((20, 2), dtype=int)
>>> y[:5, 0] = 1  # the rare label
>>> y[::2, 1] = 1  # a common one
>>> [int(y[test, 0].sum()) for _, test in KFold(n_splits=5).split(X, y)]
[4, 1, 0, 0, 0]
>>> mskf = MultilabelStratifiedKFold(n_splits=5, shuffle=True, random_state=0)
>>> [int(y[test, 0].sum()) for _, test in mskf.split(X, y)]
[1, 1, 1, 1, 1]
>>> [int(y[test, 1].sum()) for _, test in mskf.split(X, y)]
[2, 2, 2, 2, 2]
"""

import copy

import numpy as np
import scipy.sparse as sp
from iterstrat import ml_stratifiers as _iterstrat

from ._search import BatchedGridSearchCV
from ._targets import MISSING, encode_targets

__all__ = [
    "BatchedGridSearchCV",
    "MultilabelStratifiedKFold",
    "MultilabelStratifiedShuffleSplit",
    "RepeatedMultilabelStratifiedKFold",
]


def _stratification_targets(y, splitter):
    """Return ``y`` as the 0/1 matrix iterstrat stratifies on (missing entries as 0)."""
    name = type(splitter).__name__
    if y is None:
        raise ValueError(
            f"{name}.split needs y: the folds are stratified on the labels, so pass the "
            "multi-label targets, e.g. split(X, y) with y of shape (n_samples, n_labels)."
        )
    try:
        Y, _ = encode_targets(y, allow_missing=True)
    except ValueError as exc:
        raise ValueError(f"{name} stratifies multi-label targets. {exc}") from exc
    if sp.issparse(Y):
        # iterstrat's algorithm takes a dense boolean matrix (it converts y itself); a
        # sparse y (of ones, without missing entries) becomes one uint8 copy here.
        Y = Y.toarray()
    Y[Y == MISSING] = 0
    if Y.shape[1] == 1:
        # iterstrat requires type_of_target(y) == "multilabel-indicator", which a single
        # column is not ("binary"). An all-zero column is never picked by the algorithm
        # (it takes the rarest label with at least one positive), so the folds are those
        # of the single label.
        Y = np.hstack([Y, np.zeros_like(Y)])
    return Y


class _StratifiesAnyTargets:
    """``split`` for every form of ``y`` that KerasMultiLabelClassifier accepts."""

    def split(self, X, y=None, groups=None):
        """Generate the train and test indices of each split.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; only its length is used, so ``np.zeros(n_samples)`` will do.
        y : array-like, sparse matrix, DataFrame or sequence of label collections
            Multi-label targets of shape (n_samples, n_labels) in any form
            :class:`~skmultimlp.KerasMultiLabelClassifier` accepts; the splits are
            stratified on them. NaN or -1 entries (missing labels) count as 0.
        groups : object
            Always ignored, exists for compatibility.

        Yields
        ------
        train : ndarray
            The training set indices for that split.
        test : ndarray
            The testing set indices for that split.

        Raises
        ------
        ValueError
            If ``y`` is None or not multi-label targets.
        """
        return super().split(X, _stratification_targets(y, self), groups)


class MultilabelStratifiedKFold(_StratifiesAnyTargets, _iterstrat.MultilabelStratifiedKFold):
    """Multi-label stratified K-fold cross-validator.

    Splits the rows into ``n_splits`` folds that each hold about ``1 / n_splits`` of the
    positives of every label (iterative stratification, from ``iterstrat``); each fold
    is the test set once, the other folds the training set.

    Parameters
    ----------
    n_splits : int, default=3
        Number of folds, at least 2. (The default is iterstrat's; scikit-learn's
        ``KFold`` defaults to 5.)
    shuffle : bool, default=False
        Whether to shuffle the rows before the stratification, so that rows with the
        same labels are not dealt out in their original order.
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffle and of the random tie-breaks of the iterative stratification,
        which are made even with ``shuffle=False``: pass an int for the same folds on
        every call. With None, the folds may change from call to call even with
        ``shuffle=False``. (Unlike scikit-learn's ``KFold``, a ``random_state`` is
        therefore allowed without ``shuffle=True``.)

    See Also
    --------
    RepeatedMultilabelStratifiedKFold : Repeats this with a new randomisation each time.
    MultilabelStratifiedShuffleSplit : Random stratified train/test splits.
    sklearn.model_selection.KFold : Unstratified K-fold.

    Notes
    -----
    Stratification favours label balance over equal fold sizes: test folds may differ
    in size by a few rows. Missing labels (NaN or -1 entries of ``y``) count as 0 for
    the stratification.

    Examples
    --------
    >>> import numpy as np
    >>> from skmultimlp.model_selection import MultilabelStratifiedKFold
    >>> X = np.zeros((8, 2))
    >>> y = np.array([[0, 0], [0, 0], [0, 1], [0, 1], [1, 1], [1, 1], [1, 0], [1, 0]])
    >>> mskf = MultilabelStratifiedKFold(n_splits=2, random_state=0)
    >>> mskf
    MultilabelStratifiedKFold(n_splits=2, random_state=0, shuffle=False)
    >>> mskf.get_n_splits()
    2
    >>> for train, test in mskf.split(X, y):
    ...     print("TRAIN:", train, "TEST:", test)
    TRAIN: [0 3 4 6] TEST: [1 2 5 7]
    TRAIN: [1 2 5 7] TEST: [0 3 4 6]

    ``y`` may also be a DataFrame, a sparse matrix or label collections:

    >>> rows = [[], [], ["b"], ["b"], ["a", "b"], ["a", "b"], ["a"], ["a"]]
    >>> [test.tolist() for _, test in mskf.split(X, rows)]
    [[1, 2, 5, 7], [0, 3, 4, 6]]
    """

    def __init__(self, n_splits=3, *, shuffle=False, random_state=None):
        # scikit-learn's _BaseKFold refuses random_state with shuffle=False; iterstrat
        # uses it for tie-breaks regardless, so set it after the parent's checks.
        super().__init__(
            n_splits=n_splits, shuffle=shuffle, random_state=random_state if shuffle else None
        )
        self.random_state = random_state


class RepeatedMultilabelStratifiedKFold(
    _StratifiesAnyTargets, _iterstrat.RepeatedMultilabelStratifiedKFold
):
    """Repeated multi-label stratified K-fold cross-validator.

    Runs :class:`MultilabelStratifiedKFold` (with ``shuffle=True``) ``n_repeats`` times,
    with a different randomisation each time, for ``n_splits * n_repeats`` splits in all.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds, at least 2.
    n_repeats : int, default=10
        Number of repetitions.
    random_state : int, RandomState instance or None, default=None
        Seed of the repetitions' shuffles and tie-breaks; pass an int for the same
        splits on every call.

    See Also
    --------
    MultilabelStratifiedKFold : One repetition.
    sklearn.model_selection.RepeatedKFold : Unstratified repeated K-fold.

    Notes
    -----
    Missing labels (NaN or -1 entries of ``y``) count as 0 for the stratification.

    Examples
    --------
    >>> import numpy as np
    >>> from skmultimlp.model_selection import RepeatedMultilabelStratifiedKFold
    >>> X = np.zeros((8, 2))
    >>> y = np.array([[0, 0], [0, 0], [0, 1], [0, 1], [1, 1], [1, 1], [1, 0], [1, 0]])
    >>> rmskf = RepeatedMultilabelStratifiedKFold(n_splits=2, n_repeats=2, random_state=0)
    >>> rmskf
    RepeatedMultilabelStratifiedKFold(n_repeats=2, n_splits=2, random_state=0)
    >>> rmskf.get_n_splits()
    4
    >>> for train, test in rmskf.split(X, y):
    ...     print("TRAIN:", train, "TEST:", test)
    TRAIN: [0 3 4 6] TEST: [1 2 5 7]
    TRAIN: [1 2 5 7] TEST: [0 3 4 6]
    TRAIN: [0 1 4 5] TEST: [2 3 6 7]
    TRAIN: [2 3 6 7] TEST: [0 1 4 5]
    """

    def __init__(self, n_splits=5, *, n_repeats=10, random_state=None):
        super().__init__(n_splits=n_splits, n_repeats=n_repeats, random_state=random_state)


class MultilabelStratifiedShuffleSplit(
    _StratifiesAnyTargets, _iterstrat.MultilabelStratifiedShuffleSplit
):
    """Multi-label stratified shuffle-split cross-validator.

    Makes ``n_splits`` independent random train/test splits, each stratified so that
    the test set holds about ``test_size`` of the positives of every label (iterative
    stratification, from ``iterstrat``). As with ``ShuffleSplit``, test sets of
    different splits may overlap.

    Parameters
    ----------
    n_splits : int, default=10
        Number of re-shuffling and splitting iterations.
    test_size : float, int or None, default=None
        If float, the share of the rows in the test set, in (0, 1); if int, the number
        of test rows. If None, the complement of ``train_size``, or 0.1 if that is None
        too.
    train_size : float, int or None, default=None
        As ``test_size``, for the training set. If None, the complement of ``test_size``.
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffles and tie-breaks; pass an int for the same splits on every
        call.

    See Also
    --------
    MultilabelStratifiedKFold : Stratified folds, each row tested once.
    sklearn.model_selection.ShuffleSplit : Unstratified random splits.

    Notes
    -----
    Every row goes to the training or the test set: when both ``train_size`` and
    ``test_size`` are given, only their ratio matters. Stratification favours label
    balance over exact sizes, so the test set may be a few rows off ``test_size``.
    Missing labels (NaN or -1 entries of ``y``) count as 0 for the stratification.

    Examples
    --------
    >>> import numpy as np
    >>> from skmultimlp.model_selection import MultilabelStratifiedShuffleSplit
    >>> X = np.zeros((8, 2))
    >>> y = np.array([[0, 0], [0, 0], [0, 1], [0, 1], [1, 1], [1, 1], [1, 0], [1, 0]])
    >>> msss = MultilabelStratifiedShuffleSplit(n_splits=3, test_size=0.5, random_state=0)
    >>> msss  # doctest: +NORMALIZE_WHITESPACE
    MultilabelStratifiedShuffleSplit(n_splits=3, random_state=0, test_size=0.5, train_size=None)
    >>> msss.get_n_splits()
    3
    >>> for train, test in msss.split(X, y):
    ...     print("TRAIN:", train, "TEST:", test)
    TRAIN: [1 2 5 7] TEST: [0 3 4 6]
    TRAIN: [2 3 6 7] TEST: [0 1 4 5]
    TRAIN: [1 2 5 6] TEST: [0 3 4 7]
    """

    def __init__(self, n_splits=10, *, test_size=None, train_size=None, random_state=None):
        super().__init__(
            n_splits=n_splits,
            test_size=test_size,
            train_size=train_size,
            random_state=random_state,
        )

    def _iter_indices(self, X, y, groups=None):
        # iterstrat validates the sizes without scikit-learn's default_test_size, which
        # fails when both are None: apply the default (0.1) on a copy, then delegate.
        splitter = self
        if self.test_size is None and self.train_size is None:
            splitter = copy.copy(self)
            splitter.test_size = self._default_test_size
        return super(MultilabelStratifiedShuffleSplit, splitter)._iter_indices(X, y, groups)
