"""BatchedGridSearchCV: scikit-learn's GridSearchCV, its networks trained together."""

import numpy as np
from joblib import parallel_config
from sklearn.base import clone, is_classifier
from sklearn.model_selection import GridSearchCV, ParameterGrid, check_cv
from sklearn.pipeline import Pipeline
from sklearn.utils import _safe_indexing, indexable

from ._batched import PRETRAINED, fingerprint, train_many


def _split_pipeline(estimator):
    """``(preprocessing, classifier)`` of an estimator; preprocessing is None when the
    estimator is the classifier itself, and classifier None when it is not ours."""
    from ._classifier import KerasMultiLabelClassifier

    if isinstance(estimator, KerasMultiLabelClassifier):
        return None, estimator
    if isinstance(estimator, Pipeline) and isinstance(estimator[-1], KerasMultiLabelClassifier):
        return (estimator[:-1] if len(estimator) > 1 else None), estimator[-1]
    return None, None


class BatchedGridSearchCV(GridSearchCV):
    """:class:`~sklearn.model_selection.GridSearchCV` that trains the networks of every
    candidate and fold together.

    It takes GridSearchCV's parameters and gives its fitted attributes (``cv_results_``,
    ``best_params_``, ``best_score_``, ``best_estimator_``, ``predict``...); it *is* a
    GridSearchCV, whose fitting, scoring, refitting and reporting are scikit-learn's own.
    What differs is how the networks are trained. Before scikit-learn's search starts,
    every (candidate, fold) fit of a :class:`~skmultimlp.KerasMultiLabelClassifier`
    (alone, or as the last step of a :class:`~sklearn.pipeline.Pipeline`, whose other
    steps are fitted per fold first) is prepared exactly as its own ``fit`` would
    prepare it. On the JAX backend, fits with the same architecture, batch size, number
    of epochs and rows are then trained as one vectorised program (``jax.vmap``): their
    learning rates, ``alpha``, ``dropout``, ``label_weight``, ``threshold``,
    ``random_state``, early-stopping settings and folds may all differ. The search then
    runs as usual, and each fit takes its trained network instead of training again, so
    ``cv_results_`` are those of ``GridSearchCV`` on the same grid, folds and seeds (to
    float rounding).

    Fits that cannot share a program (another ``hidden_layer_sizes`` or
    ``activation``, a ``model=`` builder whose configuration cannot be compared, Keras
    callbacks, sparse ``X`` too large to densify, the TensorFlow backend) are trained one
    at a time, as GridSearchCV would. So are fits that this search could not foresee:
    a ``cv`` whose splits change from one call to the next (``shuffle=True`` without an
    int ``random_state``), fit parameters other than ``sample_weight``, other estimators.

    Parameters
    ----------
    estimator, param_grid, scoring, n_jobs, refit, cv, verbose, pre_dispatch, \
error_score, return_train_score
        As :class:`~sklearn.model_selection.GridSearchCV`. The networks are trained
        before the search starts, in this process; ``n_jobs`` then only spreads the
        scoring over threads.

    See Also
    --------
    sklearn.model_selection.GridSearchCV : the search this one is.

    Notes
    -----
    Use it instead of GridSearchCV for a grid over a
    :class:`~skmultimlp.KerasMultiLabelClassifier` on the JAX backend
    (``KERAS_BACKEND=jax``): the grid of ``benchmarks/bench_search.py`` (4 widths x 2
    learning rates x 30 folds) trains in a fraction of the time. On the TensorFlow
    backend it trains one network at a time and takes about as long as GridSearchCV.
    The trained networks of all (candidate, fold) fits are held in memory until
    scikit-learn's search has scored them; the training data is held once per fold.

    Examples
    --------
    >>> from sklearn.datasets import make_multilabel_classification
    >>> from skmultimlp import KerasMultiLabelClassifier
    >>> from skmultimlp.model_selection import BatchedGridSearchCV
    >>> X, y = make_multilabel_classification(n_samples=100, n_features=5,
    ...                                       n_classes=3, random_state=0)
    >>> search = BatchedGridSearchCV(
    ...     KerasMultiLabelClassifier((8,), epochs=3, random_state=0),
    ...     {"learning_rate": [1e-3, 1e-2]},
    ...     cv=2,
    ... ).fit(X, y)
    >>> sorted(search.best_params_)
    ['learning_rate']
    >>> search.cv_results_["mean_test_score"].shape
    (2,)
    """

    def fit(self, X, y=None, **params):
        """Train every (candidate, fold) network, then run GridSearchCV's ``fit``.

        Parameters
        ----------
        X, y, **params
            As :meth:`sklearn.model_selection.GridSearchCV.fit`.

        Returns
        -------
        self : BatchedGridSearchCV
        """
        trained = self._train_networks(X, y, params)
        PRETRAINED.add(trained)
        try:
            # Threads, not processes, if n_jobs asks for more than one: the trained
            # networks are in this process.
            with parallel_config(backend="threading"):
                return super().fit(X, y, **params)
        finally:
            PRETRAINED.remove(trained)

    def _train_networks(self, X, y, params):
        """Every (candidate, fold) fit that can be foreseen, trained: their fitted
        attributes by fit key."""
        preprocessing, classifier = _split_pipeline(self.estimator)
        if classifier is None:
            return {}
        groups = params.get("groups")
        fit_params = {k: v for k, v in params.items() if k != "groups"}
        weight_name = "sample_weight"
        if isinstance(self.estimator, Pipeline):
            weight_name = f"{self.estimator.steps[-1][0]}__sample_weight"
        if set(fit_params) - {weight_name}:
            return {}
        sample_weight = fit_params.get(weight_name)
        X, y, groups = indexable(X, y, groups)
        cv = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        splits = list(cv.split(X, y, groups))
        prepared, shared, transformed = [], {}, {}
        for candidate in ParameterGrid(self.param_grid):
            estimator = clone(self.estimator).set_params(**candidate)
            preprocessing, classifier = _split_pipeline(estimator)
            if classifier is None:
                continue
            for fold, (train, _) in enumerate(splits):
                X_train, y_train = _safe_indexing(X, train), _safe_indexing(y, train)
                if preprocessing is not None:
                    memo = (repr(preprocessing), fold)
                    if memo not in transformed:
                        transformed[memo] = clone(preprocessing).fit_transform(X_train, y_train)
                    X_train = transformed[memo]
                weights = None if sample_weight is None else _safe_indexing(sample_weight, train)
                fitted = clone(classifier)
                try:
                    fits = fitted._prepare_fit(X_train, y_train, weights, pretrained=False)
                except (ValueError, TypeError):
                    continue  # scikit-learn's own fit raises it, or scores error_score
                for fit in fits:
                    _share_arrays(fit, shared)
                prepared.append((fitted, fits))
        losses = iter(train_many([fit for _, fits in prepared for fit in fits]))
        trained = {}
        for fitted, fits in prepared:
            fitted._finish_fit(fits, [next(losses) for _ in fits])
            trained[fits[0].key] = {k: v for k, v in vars(fitted).items() if k.endswith("_")}
        return trained


def _share_arrays(fit, shared):
    """Fits of one fold hold one copy of its rows, however many candidates there are."""
    data = fit.data
    for name in ("X", "Y", "w"):
        array = getattr(data, name)
        if isinstance(array, np.ndarray):  # not the CSR arrays of sparse data
            setattr(data, name, shared.setdefault(fingerprint(array), array))
    if fit.stopping is not None:
        X_val = fit.stopping.X_val
        fit.stopping.X_val = shared.setdefault(fingerprint(X_val), X_val)
