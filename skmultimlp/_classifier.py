"""KerasMultiLabelClassifier: parameters, validation, tags, fit and predict."""

import numbers

import keras
import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.utils import check_random_state, check_scalar
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
    check_is_fitted,
    validate_data,
)

from ._batched import PRETRAINED, PreparedFit, fit_key, train_many, train_one
from ._early_stopping import SCORES as _STOPPING_SCORES
from ._early_stopping import split_validation, uses_early_stopping
from ._label_weights import label_log_odds, label_weights
from ._network import ACTIVATIONS, average_networks, build_network, set_output_bias
from ._network_file import network_from_bytes, network_state
from ._outputs import MULTILABEL, Outputs, encode
from ._sparse import split_first_dense
from ._targets import MISSING, transform_targets
from ._trainer import FitData, OptimizerState, proba_batches
from ._trainer import predict_proba as _predict_proba

_MAX_SEED = 2**31 - 1

OUTPUT_BIAS_INITS = ("zeros", "prior")

PREDICT_BATCH_ROWS = 8192
"""Rows per batch of a sparse ``predict`` and of ``predict_top_k``: only one batch's dense
probabilities exist at a time."""


def _check_hidden_layer_sizes(value):
    sizes = (value,) if isinstance(value, numbers.Integral) else value
    try:
        sizes = tuple(sizes)
    except TypeError:
        raise TypeError(
            f"hidden_layer_sizes must be an int or a tuple of ints such as (20,) or "
            f"(64, 32), got {value!r}."
        ) from None
    for units in sizes:
        if isinstance(units, (bool, np.bool_)) or not isinstance(units, numbers.Integral):
            raise TypeError(f"hidden_layer_sizes must hold ints, got {value!r}.")
        if units < 1:
            raise ValueError(f"hidden_layer_sizes must hold positive layer sizes, got {value!r}.")
    return tuple(int(u) for u in sizes)


def _check_threshold(threshold, n_labels, per="label"):
    try:
        t = None if isinstance(threshold, str) else np.asarray(threshold, dtype=float)
    except (TypeError, ValueError):
        t = None
    if t is None or t.ndim > 1:
        raise TypeError(
            f"threshold must be a float in (0, 1) or an array with one value per {per}, "
            f"got {threshold!r}."
        )
    if t.ndim == 1 and t.shape[0] != n_labels:
        raise ValueError(
            f"threshold has {t.shape[0]} values, but there are {n_labels} {per}s: give "
            f"one threshold per {per}, or a single float."
        )
    if not np.all((t > 0) & (t < 1)):
        raise ValueError(f"threshold must lie strictly between 0 and 1, got {threshold!r}.")
    return t


def _per(outputs):
    """How many thresholds ``threshold`` may hold for this target, and what each is for:
    one per label (multi-label), per output (multi-output), else a single float."""
    if outputs.target_type == MULTILABEL:
        return outputs.n_outputs, "label"
    if outputs.target_type == "multiclass-multioutput":
        return outputs.n_outputs, "output"
    return 1, "output"


def _same_classes(classes, outputs):
    """Whether ``classes`` (of a ``partial_fit`` call) are the fitted ones."""
    if outputs.target_type == MULTILABEL:
        return np.array_equal(np.asarray(classes), np.asarray(outputs.classes))
    fitted = outputs.per_output_classes
    given = list(classes) if outputs.target_type == "multiclass-multioutput" else [classes]
    if len(given) != len(fitted):
        return False
    return all(
        np.array_equal(np.unique(np.asarray(g)), np.asarray(f))
        for g, f in zip(given, fitted, strict=True)
    )


def _check_sparse_output(sparse_output):
    if isinstance(sparse_output, (bool, np.bool_)):
        return
    if isinstance(sparse_output, str):
        if sparse_output == "auto":
            return
        raise ValueError(
            f'sparse_output must be "auto", True or False, got {sparse_output!r}: "auto" '
            "returns a sparse predict when fit's y was sparse."
        )
    raise TypeError(f'sparse_output must be "auto", True or False, got {sparse_output!r}.')


def _sparse_output(sparse_output, Y, outputs):
    """Whether ``predict`` returns a sparse matrix: ``sparse_output``, "auto" being
    whether the encoded ``Y`` is sparse; only multi-label targets have a sparse form."""
    if outputs.target_type != MULTILABEL:
        if sparse_output is True or sparse_output is np.True_:
            raise ValueError(
                f"sparse_output=True applies to multi-label targets, whose predict is a 0/1 "
                f"matrix; y is a {outputs.target_type!r} target: use sparse_output=False "
                'or "auto".'
            )
        return False
    if isinstance(sparse_output, str):  # "auto", as OneVsRestClassifier decides
        return sp.issparse(Y)
    return bool(sparse_output)


def _target_attributes(outputs, label_weight, do_early_stopping, sparse_output):
    """The fitted attributes that describe the target, set by ``fit`` and ``partial_fit``."""
    return dict(
        do_early_stopping_=do_early_stopping,
        sparse_output_=sparse_output,
        label_weight_=label_weight,
        classes_=outputs.classes,
        target_type_=outputs.target_type,
        n_outputs_=outputs.n_outputs,
    )


def _check_known_labels(Y, classes):
    """Every label needs at least one known entry to be learned."""
    if sp.issparse(Y):  # a sparse y has no missing entry
        return
    unknown = np.all(Y == MISSING, axis=0)
    if unknown.any():
        raise ValueError(
            f"y has no known value (all NaN or -1) for the labels "
            f"{classes[unknown].tolist()[:5]}: each label needs some 0/1 entries to be learned."
        )


def _check_callbacks(callbacks):
    if callbacks is None:
        return
    ok = isinstance(callbacks, (list, tuple)) and all(
        isinstance(c, keras.callbacks.Callback) for c in callbacks
    )
    if not ok:
        raise TypeError(
            f"callbacks must be None or a list of keras.callbacks.Callback, got {callbacks!r}."
        )


def _check_sample_weight(sample_weight, n_samples):
    """Sample weights as a new float32 array rescaled to mean 1 (None: all ones), and
    the mean of the weights given (1.0 for None)."""
    if sample_weight is None:
        return np.ones(n_samples, dtype=np.float32), 1.0
    sw = check_array(sample_weight, ensure_2d=False, dtype=np.float64, input_name="sample_weight")
    if sw.ndim != 1 or sw.shape[0] != n_samples:
        raise ValueError(f"sample_weight must have shape ({n_samples},), got {sw.shape}.")
    if np.any(sw < 0):
        raise ValueError("sample_weight must be non-negative.")
    total = sw.sum()
    if total <= 0:
        raise ValueError("sample_weight is all zero: at least one sample needs a positive weight.")
    return (sw * (n_samples / total)).astype(np.float32), total / n_samples


class KerasMultiLabelClassifier(ClassifierMixin, BaseEstimator):
    """Multi-label classifier: a Keras MLP with one sigmoid output per label.

    Each sample carries zero or more of ``n_labels`` non-exclusive labels. The network
    is trained with binary cross-entropy and Adam; ``predict`` turns each label's
    probability into 0/1 with ``threshold``. It is a plain scikit-learn estimator: it
    works in ``Pipeline``, ``GridSearchCV``, ``cross_validate``, and pickles.

    It takes every classification target of scikit-learn's ``type_of_target`` (the
    type is fixed at ``fit``, in ``target_type_``): ``"multilabel-indicator"`` as above;
    ``"binary"`` (a 1-D ``y`` of any two labels: one sigmoid unit); ``"multiclass"`` (a
    1-D ``y`` of k > 2 labels: a softmax over k units, categorical cross-entropy); and
    ``"multiclass-multioutput"`` (a 2-D ``y`` whose columns hold any labels, such as
    colour and size: one head per column on the shared hidden layers, a sigmoid unit
    for a two-class column, a softmax for a k-class one; the loss is the mean of the
    heads' cross-entropies, which keeps the scale of one output's loss, so ``alpha`` and
    ``learning_rate`` mean the same for every target). ``predict`` then returns the
    caller's own labels, as :class:`~sklearn.neural_network.MLPClassifier` and
    :class:`~sklearn.multioutput.MultiOutputClassifier` do.

    Parameters
    ----------
    hidden_layer_sizes : int or tuple of int, default=(100,)
        Units of each hidden layer, as in :class:`~sklearn.neural_network.MLPClassifier`.
        ``()`` gives no hidden layer (one logistic regression per label, trained jointly).
    activation : str, default="relu"
        Activation of the hidden layers: scikit-learn's ``"identity"``, ``"logistic"``,
        ``"tanh"``, ``"relu"``, or a Keras name such as ``"gelu"``, ``"elu"``, ``"silu"``.
    epochs : int, default=100
        Passes over the training data.
    batch_size : int, default=32
        Samples per gradient step; clipped to the number of samples.
    learning_rate : float, default=1e-3
        Adam's step size.
    alpha : float, default=0.0
        Strength of the L2 penalty on the weights (not the biases) of the default
        network's Dense layers: :class:`~sklearn.neural_network.MLPClassifier`'s
        ``alpha``, with the same effect. Each mini-batch of ``n_batch`` samples adds
        ``0.5 * alpha * sum(W**2) / (n_batch * n_labels)`` to its loss (MLPClassifier's
        term, on a loss averaged over the labels; see Notes). 0 adds no penalty. With
        ``model=``, it applies to every variable named ``kernel`` (Dense layers' weights)
        of that model.
    dropout : float, default=0.2
        Rate of the Dropout layer that follows each hidden layer of the default network,
        in [0, 1): the share of a hidden layer's outputs zeroed at each training step.
        Active in training only; ``predict`` uses the whole network. 0 adds no Dropout
        layer. Shapes the default network only: not used with ``model=``.
    output_bias_init : {"zeros", "prior"}, default="prior"
        Initial bias of each label's output unit. ``"prior"`` starts each label at its
        training frequency ``p`` (the sample-weighted share of 1s among its known
        entries, kept within [0.001, 0.999]) with the bias ``log(p / (1 - p))``, so
        that training starts from each label's base rate; ``"zeros"`` starts every
        label at probability 0.5. Shapes the default network only: not used with
        ``model=``.
    threshold : float or array-like of shape (n_labels,), default=0.5
        A label is predicted when its probability is ``>= threshold``; one value for all
        labels, or one per label. Each value lies in (0, 1). For a binary target (and a
        two-class output of a multi-output target) it applies to the second class of
        ``classes_``; a multi-output target takes one value per output. Outputs with
        more than two classes predict their most probable class.
    model : callable, default=None
        Builds a custom Keras model instead of the default MLP. It is called the way
        scikeras calls its ``model=`` builders: with ``meta`` (a dict with
        ``n_features_in_``, ``n_outputs_``, ``classes_``, ``seed``) and/or
        ``compile_kwargs`` if its signature names them. It must return a
        ``keras.Model`` mapping ``n_features_in_`` inputs to ``n_outputs_`` sigmoid
        probabilities (a last layer with another activation is refused). If it returns
        a compiled model, that model's optimizer is used (its loss must be binary
        cross-entropy); after early stopping that optimizer holds the state of the last
        epoch run, while the weights are those of the best epoch. Seed its initializers with
        ``meta["seed"]`` for reproducible fits. ``dropout`` and ``output_bias_init``
        shape the default network and are not used with ``model=`` (as MLPClassifier
        ignores ``momentum`` unless ``solver="sgd"``): build those into the model
        (a ``Dropout`` layer, ``bias_initializer``).
    early_stopping : "auto" or bool, default="auto"
        True: hold out ``validation_fraction`` of the training data and stop when its
        ``scoring`` has not improved by ``tol`` for more than ``n_iter_no_change``
        epochs in a row; the weights of the best epoch are kept. This is
        :class:`~sklearn.neural_network.MLPClassifier`'s rule. False: all ``epochs``
        epochs run (the training loss does not stop training). ``"auto"`` (as
        :class:`~sklearn.ensemble.HistGradientBoostingClassifier` has): True when the
        training data has at least 1000 rows and its labels' mean frequency is at
        least 0.25, False otherwise. Early stopping on the validation loss stops once
        the frequent labels are fitted; rare labels are then still under-predicted,
        and on small data the held-out rows cost more than stopping saves
        (measurements in the documentation page "How the defaults were chosen"). For
        other targets only the two-class outputs' frequencies count; a target without
        one (multiclass, say) stops early from 1000 rows: the arg-max of a softmax head
        is not held back by a threshold. ``do_early_stopping_`` says what a fit did.
    scoring : {"loss", "exact_match", "hamming", "f1_macro"}, default="loss"
        What early stopping watches on the validation split (as in
        :class:`~sklearn.ensemble.HistGradientBoostingClassifier`): ``"loss"``, minus
        the training loss (binary cross-entropy with ``label_weight``, unknown entries
        masked); ``"exact_match"``, the exact-match accuracy at ``threshold``
        (MLPClassifier's choice); ``"hamming"``, minus the hamming loss at
        ``threshold``; ``"f1_macro"``, the macro F1 at ``threshold``. For other targets
        these are per output: the loss is the mean of the heads' losses,
        ``"exact_match"`` counts a row right when all its outputs are, ``"hamming"`` is
        minus the share of wrong outputs, and ``"f1_macro"`` the mean over outputs of
        each output's macro F1 over its classes (scikit-learn's ``f1_score(
        average="macro")``). Unused without ``early_stopping``.
    validation_fraction : float, default=0.1
        Share of the training data held out for early stopping, in (0, 1).
    n_iter_no_change : int, default=10
        Epochs without improvement tolerated before early stopping.
    tol : float, default=1e-4
        Least improvement of the validation score (see ``scoring``) that counts as one.
    label_weight : None, "balanced", array-like of shape (n_labels,) or dict, default=None
        Weight of each label's positive entries in the cross-entropy (cost-sensitive
        training for rare labels). ``"balanced"`` gives each label
        ``n_negative / n_positive`` of its known training entries, kept within
        [1/100, 100]; a dict maps label names (``classes_``) to weights, others get 1.
        It multiplies with ``sample_weight``. Other targets take None or
        ``"balanced"``: a two-class output's second class gets ``n_first / n_second``, and
        the classes of a larger output scikit-learn's ``class_weight="balanced"``,
        ``n / (n_classes * n_class)``.
    n_networks : int, default=1
        Number of networks trained and averaged (an ensemble). Each has its own seeds,
        drawn from ``random_state``: initial weights, Dropout masks, shuffling and, with
        early stopping, its own validation split and stopping epoch. ``predict_proba``
        is the mean of their probabilities, and ``model_`` one Keras model that computes
        it. On the JAX backend the networks train together as one vectorised program;
        on TensorFlow one after another. Named as scikit-learn names ensemble sizes
        (``n_estimators``), but counting networks inside this one estimator.
    warm_start : bool, default=False
        When True, ``fit`` continues from the fitted network's weights instead of new
        ones (with a fresh optimizer, as :class:`~sklearn.neural_network.MLPClassifier`
        does), for ``epochs`` more epochs; ``y`` must keep the target type and classes
        of the earlier fit. With ``n_networks`` > 1 it is refused.
    sparse_output : "auto" or bool, default="auto"
        Whether ``predict`` and ``predict_top_k`` return a scipy ``csr_matrix`` instead
        of a dense array, for a multi-label target: ``"auto"`` when ``y`` was a scipy
        sparse matrix (scikit-learn's :class:`~sklearn.multiclass.OneVsRestClassifier`
        rule), True or False always. A sparse prediction is computed
        ``PREDICT_BATCH_ROWS`` (8192) rows at a time, so the dense (n_samples, n_labels)
        probability matrix is never built whole. Decided at ``fit``
        (``sparse_output_``). For other targets True is refused and ``"auto"`` is dense.
    callbacks : list of keras.callbacks.Callback, default=None
        Keras callbacks to run during training. Training then goes through Keras'
        ``model.fit`` (slower) instead of the compiled loop; results are reported the
        same way. Each fit runs copies of them: the objects passed stay unchanged.
    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, the validation split and the shuffling of each
        epoch. An int makes fits reproducible; no global random state (numpy's,
        Python's, Keras' or TensorFlow's) is read or changed.
    verbose : int, default=0
        Show a progress bar over epochs, with the training loss, when > 0.

    Attributes
    ----------
    classes_ : ndarray of shape (n_labels,), or list of ndarray
        Label names: ``y``'s DataFrame columns, the sorted names of label collections,
        or ``np.arange(n_labels)`` for an indicator array. Binary and multiclass: the
        sorted classes. Multi-output: a list with the sorted classes of each output.
    target_type_ : str
        ``"multilabel-indicator"``, ``"binary"``, ``"multiclass"`` or
        ``"multiclass-multioutput"`` (scikit-learn's ``type_of_target`` names).
    n_outputs_ : int
        Labels (multi-label), 1 (binary, multiclass) or outputs (multi-output).
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when ``X`` was a DataFrame with string column names.
    model_ : keras.Model
        The trained network; with ``n_networks`` > 1, a model averaging the networks'
        outputs, each a sub-model named ``network_0``, ``network_1``...
    label_weight_ : ndarray of shape (n_labels,)
        Positive-class weight of each label used in training (1 without ``label_weight``).
    loss_curve_ : list of float
        Mean training loss of each epoch. With ``n_networks`` > 1 this and the other
        training attributes below (``best_loss_``, ``validation_scores_``,
        ``best_validation_score_``, ``n_iter_``) are the first network's.
    best_loss_ : float or None
        Lowest training loss reached; None when the fit stopped early.
    validation_scores_ : list of float or None
        The validation ``scoring`` after each epoch, greater is better (for
        ``"loss"``, minus the validation loss); None when the fit did not stop early.
    best_validation_score_ : float or None
        Best of ``validation_scores_`` (the kept weights'); None without early stopping.
    n_iter_ : int
        Number of epochs run.
    do_early_stopping_ : bool
        Whether the fit stopped early (``early_stopping``, with ``"auto"`` decided).
    sparse_output_ : bool
        Whether ``predict`` returns a scipy ``csr_matrix`` (``sparse_output``, with
        ``"auto"`` decided from ``y``).

    See Also
    --------
    sklearn.neural_network.MLPClassifier : scikit-learn's own MLP.
    skmultimlp.metrics.SCORERS : multi-label scorers for cross-validation.

    Notes
    -----
    ``score`` is exact-match (subset) accuracy: a sample counts only when all its labels
    are right. Sparse ``X`` (e.g. ``TfidfVectorizer`` output) stays sparse: each
    mini-batch's non-zeros are multiplied by the first layer inside the compiled training
    program, with no dense copy (a small ``X`` with at least 3 % non-zeros is densified
    once instead, which is faster).
    ``sample_weight`` weighs each sample's loss.

    Sparse labels: a scipy sparse 0/1 ``y`` (any format, such as scikit-learn's sparse
    multi-label indicator) is kept sparse from ``fit`` to the training loop, so a target of
    thousands of labels over millions of rows costs memory in proportion to its ones.
    A sparse ``y`` cannot mark missing labels (a stored NaN or -1 is an error): give a
    dense array or DataFrame for that. With early stopping, the held-out
    ``validation_fraction`` of the rows is made dense.

    Missing labels: ``y`` given as an array or DataFrame may hold NaN (or ``-1``) where a
    label's value is unknown. Those entries add nothing to the loss, while the sample's
    known labels still train the network; ``predict`` and ``classes_`` are unchanged.
    ``score`` and the metrics need a complete ``y`` (the metrics accept
    ``missing="ignore"``).

    ``alpha`` means what it means in MLPClassifier. MLPClassifier adds
    ``0.5 * alpha * sum(W**2) / n_batch`` to a cross-entropy summed over the labels; the
    loss here (``loss_curve_``) averages the cross-entropy over the labels, so the penalty
    is divided by ``n_labels`` too. With ``sample_weight``, MLPClassifier divides the
    penalty by the sum of the weights instead of the number of samples (a weight of 2
    acts as a repeated row); here it is divided by the number of samples times the
    training rows' mean weight, the same for a batch of all rows. For the same weights
    and data in one batch, ``loss_curve_`` is MLPClassifier's loss divided by
    ``n_labels``, penalty included, so one ``alpha`` trades data fit against weight size
    alike in both.

    Training runs all epochs inside one compiled function of the Keras backend in use
    (TensorFlow, XLA-compiled, or JAX), and that function is kept for later fits with the
    same architecture, optimizer settings, input width and batch size: the folds of a
    cross-validation and the candidates of a grid search compile once (``alpha`` is an
    input of that function: one compilation serves every positive ``alpha``). Early
    stopping runs inside that function too (validation score, patience and best weights),
    so a fit is one call whether it stops early or not; with ``verbose`` > 0 it returns
    after each epoch for the progress bar, with the same results. Each fit starts
    from its own seeded weights (and Dropout seeds) and a fresh optimizer, so results do
    not depend on the cache.

    Examples
    --------
    >>> from sklearn.datasets import make_multilabel_classification
    >>> from skmultimlp import KerasMultiLabelClassifier
    >>> X, y = make_multilabel_classification(n_samples=200, n_features=10,
    ...                                       n_classes=3, random_state=1)
    >>> clf = KerasMultiLabelClassifier(hidden_layer_sizes=(20,), epochs=5,
    ...                                 random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 3)
    >>> clf.predict(X[:2]).shape
    (2, 3)
    >>> clf = KerasMultiLabelClassifier(epochs=5, random_state=0)
    >>> clf.fit(X[:4], [["sports", "tech"], [], ["politics"], ["tech"]]).classes_
    array(['politics', 'sports', 'tech'], dtype=object)

    Several outputs with several classes each:

    >>> import pandas as pd
    >>> y = pd.DataFrame({"colour": ["red", "green", "blue", "red"] * 50,
    ...                   "size": ["S", "M", "L", "L"] * 50})
    >>> clf = KerasMultiLabelClassifier(epochs=5, random_state=0).fit(X, y)
    >>> clf.target_type_, clf.predict(X[:2]).shape, [p.shape for p in clf.predict_proba(X[:2])]
    ('multiclass-multioutput', (2, 2), [(2, 3), (2, 3)])
    """

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        epochs=100,
        batch_size=32,
        learning_rate=1e-3,
        alpha=0.0,
        dropout=0.2,
        output_bias_init="prior",
        threshold=0.5,
        model=None,
        early_stopping="auto",
        scoring="loss",
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        label_weight=None,
        n_networks=1,
        warm_start=False,
        sparse_output="auto",
        callbacks=None,
        random_state=None,
        verbose=0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.alpha = alpha
        self.dropout = dropout
        self.output_bias_init = output_bias_init
        self.threshold = threshold
        self.model = model
        self.early_stopping = early_stopping
        self.scoring = scoring
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.label_weight = label_weight
        self.n_networks = n_networks
        self.warm_start = warm_start
        self.sparse_output = sparse_output
        self.callbacks = callbacks
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        tags.classifier_tags.multi_class = True
        tags.classifier_tags.multi_label = True
        return tags

    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: self keeps its network
        if "model_" in state:
            state["model_"] = network_state(state["model_"])
        return state

    def __setstate__(self, state):
        if isinstance(state.get("model_"), bytes):  # from a model file (skmultimlp.save)
            state = {**state, "model_": network_from_bytes(state["model_"])}
        super().__setstate__(state)

    def _validate_params(self):
        hidden = _check_hidden_layer_sizes(self.hidden_layer_sizes)
        if self.activation not in ACTIVATIONS:
            raise ValueError(
                f"activation={self.activation!r} is not supported; choose one of "
                f"{sorted(ACTIVATIONS)}."
            )
        epochs = check_scalar(self.epochs, "epochs", numbers.Integral, min_val=1)
        batch_size = check_scalar(self.batch_size, "batch_size", numbers.Integral, min_val=1)
        check_scalar(
            self.learning_rate,
            "learning_rate",
            numbers.Real,
            min_val=0,
            max_val=np.inf,
            include_boundaries="neither",
        )
        if np.isnan(self.learning_rate):  # check_scalar's comparisons all pass for NaN
            raise ValueError("learning_rate must be a positive float, got nan.")
        if self.model is not None and not callable(self.model):
            raise TypeError(
                f"model must be None or a callable that returns a keras.Model, got "
                f"{type(self.model).__name__}."
            )
        check_scalar(
            self.alpha, "alpha", numbers.Real, min_val=0, max_val=np.inf, include_boundaries="left"
        )
        check_scalar(
            self.dropout, "dropout", numbers.Real, min_val=0, max_val=1, include_boundaries="left"
        )
        for name in ("alpha", "dropout"):
            if np.isnan(getattr(self, name)):
                raise ValueError(f"{name} must be a number, got nan.")
        if not (
            isinstance(self.output_bias_init, str) and self.output_bias_init in OUTPUT_BIAS_INITS
        ):
            raise ValueError(
                f"output_bias_init={self.output_bias_init!r} is not supported; choose "
                f'"zeros" (every label starts at probability 0.5) or "prior" (each label '
                "starts at its training frequency)."
            )
        if not (
            isinstance(self.early_stopping, (bool, np.bool_))
            or (isinstance(self.early_stopping, str) and self.early_stopping == "auto")
        ):
            raise TypeError(
                f'early_stopping must be "auto", True or False, got {self.early_stopping!r}.'
            )
        if not isinstance(self.scoring, str) or self.scoring not in _STOPPING_SCORES:
            raise ValueError(
                f"scoring must be one of {list(_STOPPING_SCORES)} (what early stopping "
                f"watches on the validation split), got {self.scoring!r}."
            )
        check_scalar(
            self.validation_fraction,
            "validation_fraction",
            numbers.Real,
            min_val=0,
            max_val=1,
            include_boundaries="neither",
        )
        check_scalar(self.n_iter_no_change, "n_iter_no_change", numbers.Integral, min_val=1)
        check_scalar(self.tol, "tol", numbers.Real, min_val=0)
        for name in ("validation_fraction", "tol"):
            if np.isnan(getattr(self, name)):
                raise ValueError(f"{name} must be a number, got nan.")
        check_scalar(self.n_networks, "n_networks", numbers.Integral, min_val=1)
        if not isinstance(self.warm_start, (bool, np.bool_)):
            raise TypeError(f"warm_start must be True or False, got {self.warm_start!r}.")
        _check_sparse_output(self.sparse_output)
        _check_callbacks(self.callbacks)
        check_scalar(self.verbose, "verbose", numbers.Integral, min_val=0)
        return hidden, epochs, batch_size

    def fit(self, X, y, sample_weight=None):
        """Train a new network on ``X`` and the target ``y`` (any type listed above).

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Numeric features; scipy sparse input stays sparse in training (see Notes).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), DataFrame, or list
            Multi-label: a 0/1 indicator matrix (dense, or scipy sparse, kept sparse), a
            DataFrame of 0/1 columns, or per-sample label collections such as
            ``[["a", "b"], [], ["c"]]``; in a dense array or DataFrame, NaN or -1 marks
            an unknown label, left out of the loss. Binary or
            multiclass: a 1-D array of labels. Multi-output: a 2-D array or DataFrame
            whose columns hold any labels (not only 0/1); NaN, None or ``pd.NA`` marks an
            unknown entry, left out of the loss.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each sample in the loss.

        Returns
        -------
        self : KerasMultiLabelClassifier
            The fitted estimator.
        """
        fits = self._prepare_fit(X, y, sample_weight)
        if fits[0].fitted is not None:  # trained already, with others (BatchedGridSearchCV)
            self.__dict__.update(fits[0].fitted)
            return self
        if len(fits) > 1:  # an ensemble: one program for all its networks where possible
            return self._finish_fit(fits, train_many(fits, callbacks=self.callbacks))
        losses = train_one(fits[0], verbose=self.verbose, callbacks=self.callbacks)
        return self._finish_fit(fits, [losses])

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train one epoch over ``X``, ``y``, continuing from the network trained so far.

        scikit-learn's incremental learning, as in
        :class:`~sklearn.neural_network.MLPClassifier`: the first call (on an unfitted
        estimator) builds the network and fixes the target type and classes; every call
        runs one epoch of mini-batches over its data, starting from the weights and the
        optimizer state (Adam's step count and moments) the previous call left, so that
        calls over the chunks of a data set train as epochs over them would. Each call's
        shuffling seed is drawn from a generator seeded by ``random_state`` at the first
        call. Early stopping, ``n_networks`` > 1 and a validation split do not apply
        (``epochs`` is not used); ``label_weight="balanced"`` and
        ``output_bias_init="prior"`` are computed from the first call's data. After
        ``fit``, ``partial_fit`` continues from the fitted weights with a fresh optimizer.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        y : any target ``fit`` accepts
            Of the same type (and classes) in every call.
        classes : array-like, or list of array-like, default=None
            Every class the target can take, on the first call: the classes (binary,
            multiclass), one array of classes per output (multi-output), or the label
            names (multi-label). None: the classes found in the first call's ``y``; a
            later call with another class is then an error.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : KerasMultiLabelClassifier

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.datasets import make_classification
        >>> from skmultimlp import KerasMultiLabelClassifier
        >>> X, y = make_classification(n_samples=300, n_classes=3, n_informative=4,
        ...                            random_state=0)
        >>> clf = KerasMultiLabelClassifier(hidden_layer_sizes=(16,), random_state=0)
        >>> for X_chunk, y_chunk in zip(np.array_split(X, 3), np.array_split(y, 3)):
        ...     clf = clf.partial_fit(X_chunk, y_chunk, classes=[0, 1, 2])
        >>> clf.n_iter_, clf.predict(X[:3]).shape
        (3, (3,))
        """
        hidden, _, batch_size = self._validate_params()
        if self.n_networks != 1:
            raise ValueError("partial_fit trains one network: n_networks must be 1.")
        if y is None:
            raise ValueError(f"{type(self).__name__}.partial_fit requires y.")
        first = "model_" not in self.__dict__
        dtype = (np.float32, np.float64)
        X = validate_data(self, X, accept_sparse="csr", dtype=dtype, reset=first)
        if first:
            Y, outputs = encode(y, classes=classes)
        else:
            fitted = self._outputs()
            if classes is not None and not _same_classes(classes, fitted):
                raise ValueError(
                    f"classes={classes!r} is not the same as in the first call to "
                    f"partial_fit (or fit): {self.classes_!r}."
                )
            Y, outputs = encode(y, fitted=fitted)
        check_consistent_length(X, Y)
        weights, weight_mean = _check_sample_weight(sample_weight, Y.shape[0])
        if first:
            label_weight = label_weights(self.label_weight, Y, outputs.classes, outputs.heads)
            sparse_output = _sparse_output(self.sparse_output, Y, outputs)
        else:
            label_weight = self.label_weight_
        threshold = outputs.unit_threshold(_check_threshold(self.threshold, *_per(outputs)))
        seed = self.__dict__.get("_partial_seed")
        if seed is None:
            seed = check_random_state(self.random_state).randint(_MAX_SEED)
        rng = np.random.RandomState(seed)
        state = OptimizerState(self.__dict__.get("_optimizer_values"))
        fit = self._prepare_network(
            X,
            Y,
            weights,
            weight_mean,
            rng=rng,
            outputs=outputs,
            hidden=hidden,
            epochs=1,
            batch_size=batch_size,
            label_weight=label_weight,
            threshold=threshold,
            do_early_stopping=False,
            network=None if first else self.model_,
            optimizer_state=state,
        )
        losses = train_one(fit, verbose=self.verbose, callbacks=self.callbacks)
        if first:
            self.__dict__.update(
                _target_attributes(outputs, label_weight, False, sparse_output),
                model_=fit.network,
                loss_curve_=[],
                n_iter_=0,
            )
        self.loss_curve_ = [*self.loss_curve_, *losses]
        self.n_iter_ += 1
        self.best_loss_ = min(self.loss_curve_)
        self.validation_scores_ = self.best_validation_score_ = None
        self._optimizer_values = state.values
        self._partial_seed = int(rng.randint(_MAX_SEED))
        return self

    def _prepare_fit(self, X, y, sample_weight, *, pretrained=True):
        """Check the parameters and data and build what training this fit needs.

        Returns a list of :class:`~skmultimlp._batched.PreparedFit`, one per network
        (``n_networks``): its network, optimizer, training data and early-stopping rule,
        with the fit's ``key`` (its parameters and data). When a
        :class:`~skmultimlp.model_selection.BatchedGridSearchCV` trained this very fit
        already (same key), the one item's ``fitted`` holds its fitted attributes instead
        and nothing is built.
        """
        hidden, epochs, batch_size = self._validate_params()
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        warm = self.warm_start and "model_" in self.__dict__
        if warm and self.n_networks != 1:
            raise ValueError("warm_start continues one network: n_networks must be 1.")
        dtype = (np.float32, np.float64)
        X = validate_data(self, X, accept_sparse="csr", dtype=dtype, reset=not warm)
        Y, outputs = encode(y, fitted=self._outputs() if warm else None)
        check_consistent_length(X, Y)
        _check_known_labels(Y, outputs.unit_names)
        n_samples = Y.shape[0]
        weights, weight_mean = _check_sample_weight(sample_weight, n_samples)
        # The key digests the data: computed only while a search holds trained fits, or
        # for the search itself (pretrained=False), not on every fit; a warm start also
        # depends on the weights it starts from, which the key does not hold.
        keyed = (PRETRAINED or not pretrained) and not warm
        key = fit_key(self, X, Y, weights, outputs) if keyed else None
        fitted = PRETRAINED.get(key) if (pretrained and key is not None) else None
        if fitted is not None:
            return [PreparedFit(key=key, fitted=fitted)]
        label_weight = label_weights(self.label_weight, Y, outputs.classes, outputs.heads)
        threshold = outputs.unit_threshold(_check_threshold(self.threshold, *_per(outputs)))
        sparse_output = _sparse_output(self.sparse_output, Y, outputs)
        rng = check_random_state(self.random_state)
        do_early_stopping = uses_early_stopping(self.early_stopping, Y, outputs.heads)
        attributes = _target_attributes(outputs, label_weight, do_early_stopping, sparse_output)
        fits = []
        for _ in range(self.n_networks):
            # One network draws its seeds from rng itself (as before ensembles existed);
            # each network of an ensemble from its own generator seeded by rng.
            member_rng = (
                rng if self.n_networks == 1 else np.random.RandomState(rng.randint(_MAX_SEED))
            )
            fit = self._prepare_network(
                X,
                Y,
                weights,
                weight_mean,
                rng=member_rng,
                outputs=outputs,
                hidden=hidden,
                epochs=epochs,
                batch_size=batch_size,
                label_weight=label_weight,
                threshold=threshold,
                do_early_stopping=do_early_stopping,
                network=self.model_ if warm else None,
            )
            fit.key, fit.attributes = key, attributes
            fits.append(fit)
        return fits

    def _prepare_network(
        self,
        X,
        Y,
        weights,
        weight_mean,
        *,
        rng,
        outputs,
        hidden,
        epochs,
        batch_size,
        label_weight,
        threshold,
        do_early_stopping,
        network=None,
        optimizer_state=None,
    ):
        """One network's part of :meth:`_prepare_fit`, its seeds drawn from ``rng``.

        ``network``: train this (fitted) network on instead of a new one (warm start,
        ``partial_fit``), with a fresh optimizer or the ``optimizer_state`` given.
        """

        def make_network(rng):
            return build_network(
                self.model,
                n_features=self.n_features_in_,
                outputs=outputs,
                n_units=Y.shape[1],
                hidden_layer_sizes=hidden,
                activation=self.activation,
                dropout=self.dropout,
                learning_rate=self.learning_rate,
                rng=rng,
            )

        new = network is None
        if new:
            network, optimizer = make_network(rng)
        else:
            optimizer = keras.optimizers.Adam(learning_rate=self.learning_rate)
        stopping = None
        if do_early_stopping:
            X, Y, weights, stopping, kept_mean = split_validation(
                X,
                Y,
                weights,
                validation_fraction=self.validation_fraction,
                scoring=self.scoring,
                threshold=threshold,
                label_weight=label_weight,
                seed=rng.randint(_MAX_SEED),
                heads=outputs.heads,
                n_iter_no_change=self.n_iter_no_change,
                tol=self.tol,
            )
            weight_mean *= kept_mean
        if self.output_bias_init == "prior" and self.model is None and new:
            # Each fit's own network gets it; the compiled loop loads all its weights.
            set_output_bias(network, label_log_odds(Y, weights, outputs.heads))
        batch_size = min(batch_size, Y.shape[0])
        data = FitData(
            X,
            Y,
            weights,
            seed=rng.randint(_MAX_SEED),
            batch_size=batch_size,
            label_weight=label_weight,
            heads=outputs.heads,
            sparse_rows=split_first_dense(network) is not None,
            # MLPClassifier divides the penalty by the sum of the sample weights, not by
            # the number of samples (so that a weight of 2 acts as a repeated row); with
            # weights rescaled to mean 1, that is alpha divided by their original mean.
            alpha=self.alpha / weight_mean,
        )
        return PreparedFit(
            key=None,
            network=network,
            optimizer=optimizer,
            data=data,
            stopping=stopping,
            epochs=epochs,
            batch_size=batch_size,
            template=lambda: make_network(np.random.RandomState(0)),
            optimizer_state=optimizer_state,
        )

    def _finish_fit(self, fits, losses):
        """Set the fitted attributes from the trained :meth:`_prepare_fit`; return self.

        With several networks, ``model_`` averages their probabilities and the training
        curves and early-stopping results are the first network's.
        """
        first, stopping = fits[0], fits[0].stopping
        for name in ("_optimizer_values", "_partial_seed"):  # of earlier partial_fit calls
            self.__dict__.pop(name, None)
        self.__dict__.update(first.attributes)
        self.loss_curve_ = list(losses[0])
        self.n_iter_ = len(losses[0])
        self.best_loss_ = None if stopping else min(losses[0])
        self.validation_scores_ = stopping.scores if stopping else None
        self.best_validation_score_ = stopping.best_score if stopping else None
        if len(fits) == 1:
            self.model_ = first.network
        else:
            self.model_ = average_networks([fit.network for fit in fits])
        return self

    def _outputs(self):
        """The fitted target's :class:`~skmultimlp._outputs.Outputs`."""
        check_is_fitted(self)
        target_type = getattr(self, "target_type_", MULTILABEL)  # fitted before 0.2
        if target_type == MULTILABEL:
            return Outputs(MULTILABEL, self.classes_)
        per_output = self.classes_ if target_type == "multiclass-multioutput" else [self.classes_]
        heads = tuple(1 if len(c) == 2 else len(c) for c in per_output)
        return Outputs(target_type, self.classes_, heads)

    def _unit_proba(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse="csr", dtype=(np.float32, np.float64), reset=False)
        return _predict_proba(self.model_, X)

    def predict_proba(self, X):
        """Probability of each label (or class) for each sample.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray or list of ndarray, float32
            Multi-label: shape (n_samples, n_labels), independent sigmoid probabilities,
            columns in ``classes_`` order. Binary: shape (n_samples, 2), and multiclass:
            shape (n_samples, n_classes), columns in ``classes_`` order, rows summing to 1.
            Multi-output: a list with one such (n_samples, n_classes_j) array per output.
        """
        return self._outputs().proba(self._unit_proba(X))

    def predict(self, X):
        """Predicted labels or classes.

        Multi-label: ``predict_proba(X) >= threshold``. Binary (and a two-class output):
        the second class where its probability is ``>= threshold``, else the first.
        Multiclass (and a several-class output): the class of highest probability.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray or scipy.sparse.csr_matrix
            Multi-label: 0/1 of shape (n_samples, n_labels), columns in ``classes_`` order;
            a ``csr_matrix`` when ``sparse_output_`` (see ``sparse_output``), computed a
            batch of rows at a time. Binary and multiclass: shape (n_samples,), values
            from ``classes_``. Multi-output: shape (n_samples, n_outputs), column j's
            values from ``classes_[j]`` (an object array when the outputs' classes mix
            types).
        """
        outputs = self._outputs()
        threshold = _check_threshold(self.threshold, *_per(outputs))
        if getattr(self, "sparse_output_", False):
            return self._indicator_in_batches(X, lambda proba: proba >= threshold, sparse=True)
        return outputs.predict(self._unit_proba(X), threshold)

    def _indicator_in_batches(self, X, decide, *, sparse):
        """The 0/1 int matrix ``decide(proba)``, computed :data:`PREDICT_BATCH_ROWS` rows
        at a time: a ``csr_matrix`` (``sparse``) or an ndarray."""
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse="csr", dtype=(np.float32, np.float64), reset=False)
        blocks = []
        for proba in proba_batches(self.model_, X, PREDICT_BATCH_ROWS):
            block = decide(proba).astype(int)
            blocks.append(sp.csr_matrix(block) if sparse else block)
        if sparse:
            return sp.csr_matrix(sp.vstack(blocks, format="csr"))
        return np.vstack(blocks)

    def predict_top_k(self, X, k=5):
        """0/1 indicator of the ``k`` most probable labels of each sample.

        For a multi-label target: each row marks the ``k`` labels of highest
        ``predict_proba`` (ties broken by the lower label index; every label when ``k``
        is at least ``n_outputs_``), whatever ``threshold`` says: a fixed number of tags
        per document, as "precision at k" scores them.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        k : int, default=5
            Labels marked per sample, a positive int.

        Returns
        -------
        y_top : ndarray or scipy.sparse.csr_matrix of shape (n_samples, n_labels)
            0/1 ints, columns in ``classes_`` order; a ``csr_matrix`` when
            ``sparse_output_``, as ``predict`` returns. Computed a batch of rows at a
            time.

        Raises
        ------
        ValueError
            If ``k`` is not a positive int, or the estimator was not fitted on a
            multi-label target.

        Examples
        --------
        >>> from sklearn.datasets import make_multilabel_classification
        >>> from skmultimlp import KerasMultiLabelClassifier
        >>> X, y = make_multilabel_classification(n_samples=100, n_features=10,
        ...                                       n_classes=5, random_state=0)
        >>> clf = KerasMultiLabelClassifier((16,), epochs=5, random_state=0).fit(X, y)
        >>> top = clf.predict_top_k(X[:3], k=2)
        >>> top.shape, top.sum(axis=1).tolist()
        ((3, 5), [2, 2, 2])
        """
        if self._outputs().target_type != MULTILABEL:
            raise ValueError(
                f"predict_top_k ranks the labels of a multi-label target; this estimator "
                f"was fitted on a {self.target_type_} target: use predict or predict_proba."
            )
        if isinstance(k, (bool, np.bool_)) or not isinstance(k, numbers.Integral) or k < 1:
            raise ValueError(f"k must be a positive int (labels per sample), got {k!r}.")
        k = min(int(k), len(self.classes_))

        def top_k(proba):
            if k == proba.shape[1]:
                return np.ones(proba.shape, dtype=bool)
            # The k-th largest probability of each row: labels above it are in, and the
            # lowest-index labels equal to it fill the remaining places.
            part = np.argpartition(-proba, k - 1, axis=1)[:, k - 1 : k]
            kth = np.take_along_axis(proba, part, axis=1)
            above = proba > kth
            tied = proba == kth
            free = k - above.sum(axis=1, keepdims=True)
            return above | (tied & (np.cumsum(tied, axis=1) <= free))

        return self._indicator_in_batches(X, top_k, sparse=getattr(self, "sparse_output_", False))

    def predict_labels(self, X):
        """Predicted label names of each sample.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)

        Returns
        -------
        labels : list of tuple
            For each sample, the names (from ``classes_``) of its predicted labels.
        """
        if self._outputs().target_type != MULTILABEL:
            raise ValueError(
                f"predict_labels names the predicted labels of a multi-label target; this "
                f"estimator was fitted on a {self.target_type_} target, whose classes "
                "predict returns."
            )
        classes = self.classes_
        pred = self.predict(X)
        if sp.issparse(pred):  # a row's labels are its stored columns (sorted)
            return [
                tuple(classes[pred.indices[a:b]].tolist())
                for a, b in zip(pred.indptr[:-1], pred.indptr[1:], strict=True)
            ]
        return [tuple(classes[row.astype(bool)].tolist()) for row in pred]

    def score(self, X, y, sample_weight=None):
        """Exact-match (subset) accuracy of ``predict(X)`` against ``y``.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        y : any target form accepted by ``fit``
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
            Fraction of samples whose labels are all predicted right.
        """
        outputs = self._outputs()
        if outputs.target_type == MULTILABEL:
            # A sparse y or predict: scikit-learn compares them as CSR, never densified.
            return accuracy_score(
                transform_targets(y, self.classes_), self.predict(X), sample_weight=sample_weight
            )
        Y, known = outputs.known_rows(y)
        if not known.all():
            raise ValueError("y has missing entries (NaN, None or NA): score needs a complete y.")
        pred = self.predict(X)
        check_consistent_length(Y, pred)
        pred = pred.reshape(len(pred), -1)
        right = np.ones(Y.shape[0], dtype=bool)
        for j in range(Y.shape[1]):
            right &= pred[:, j] == Y[:, j]
        return float(np.average(right, weights=sample_weight))
