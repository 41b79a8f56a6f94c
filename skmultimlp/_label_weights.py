"""Per-label numbers taken from the training labels: positive-class weights and priors.

``label_weight`` turns into one positive-class weight per label (:func:`label_weights`), and
``output_bias_init="prior"`` into each label's log-odds (:func:`label_log_odds`), the initial
bias of its output unit.
"""

import numpy as np

from ._outputs import sigmoid_units
from ._targets import label_counts

MAX_BALANCED_WEIGHT = 100.0
"""``label_weight="balanced"`` keeps each label's weight within [1/100, 100]."""

MIN_PRIOR = 1e-3
"""``output_bias_init="prior"`` keeps each label's frequency within [1e-3, 1 - 1e-3]."""


def label_weights(label_weight, Y, classes, heads=None):
    """Positive-class weight of each label as a new float32 array of shape (n_labels,).

    ``Y`` is the encoded target, dense or a sparse CSR matrix of ones (counted by column
    sums, never densified).

    With ``heads`` (a target that is not multi-label), one weight per output unit: the
    weight of a two-class output's second class (its sigmoid unit's 1s), and the weight of
    each class of a softmax head. Only None and ``"balanced"`` are accepted then.
    """
    n_labels = Y.shape[1]
    if label_weight is None:
        return np.ones(n_labels, np.float32)
    if heads is not None and not (isinstance(label_weight, str) and label_weight == "balanced"):
        raise ValueError(
            f'label_weight must be None or "balanced" for a target that is not multi-label '
            f"(weights by label name apply to multi-label targets), got {label_weight!r}."
        )
    if isinstance(label_weight, str):
        if label_weight != "balanced":
            raise ValueError(
                f'label_weight must be None, "balanced", an array or a dict, got {label_weight!r}.'
            )
        positive, known = label_counts(Y)
        negative = known - positive
        ratio = negative / np.maximum(positive, 1)
        ratio[positive == 0] = 1.0  # nothing to up-weight
        if heads is not None:
            # A softmax head's classes as scikit-learn's class_weight="balanced":
            # n_known / (n_classes * n_class) for each class.
            start = 0
            for k in heads:
                if k > 1:
                    counts = positive[start : start + k]
                    balanced = counts.sum() / (k * np.maximum(counts, 1))
                    ratio[start : start + k] = np.where(counts > 0, balanced, 1.0)
                start += k
        return np.clip(ratio, 1 / MAX_BALANCED_WEIGHT, MAX_BALANCED_WEIGHT).astype(np.float32)
    if isinstance(label_weight, dict):
        names = {name: i for i, name in enumerate(classes.tolist())}
        unknown = [key for key in label_weight if key not in names]
        if unknown:
            raise ValueError(
                f"label_weight names labels not in y: {unknown[:5]}; the labels are "
                f"{classes.tolist()[:10]}."
            )
        weight = np.ones(n_labels)
        for name, value in label_weight.items():
            weight[names[name]] = value
    else:
        try:
            weight = np.asarray(label_weight, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(
                f'label_weight must be None, "balanced", an array of one weight per label '
                f"or a dict {{label: weight}}, got {label_weight!r}."
            ) from None
        if weight.shape != (n_labels,):
            raise ValueError(
                f"label_weight has shape {weight.shape}, but y has {n_labels} labels: give "
                "one positive-class weight per label."
            )
    if not np.all(np.isfinite(weight) & (weight > 0)):
        raise ValueError(f"label_weight values must be positive and finite, got {label_weight!r}.")
    return weight.astype(np.float32)


def label_log_odds(Y, sample_weight, heads=None):
    """``log(p / (1 - p))`` of each label's sample-weighted share of 1s among its known entries.

    ``p`` is kept within [MIN_PRIOR, 1 - MIN_PRIOR], so that a label that is always 0 or
    always 1 still gets a finite bias; a label whose known entries all weigh 0 gets 0.
    With ``heads``, a softmax head's units get ``log(p)`` of each class's share instead
    (a softmax of these biases is the class frequencies).
    """
    on, known = label_counts(Y, sample_weight)
    p = np.divide(on, known, out=np.full(Y.shape[1], 0.5), where=known > 0)
    p = np.clip(p, MIN_PRIOR, 1 - MIN_PRIOR)
    bias = np.log(p / (1 - p))
    if heads is not None:
        softmax = sigmoid_units(heads) == 0
        bias[softmax] = np.log(p[softmax])
    return bias.astype(np.float32)
