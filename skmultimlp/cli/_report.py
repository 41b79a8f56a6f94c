"""What the commands print: the model and data in one line, scores, epochs, warnings."""

import sys

import numpy as np

# Readable names of the scorers; a scorer missing here is shown by its key.
_TITLES = {
    "exact_match": "exact-match accuracy",
    "neg_hamming_loss": "hamming loss",
    "f1_macro": "macro F1",
    "f1_micro": "micro F1",
    "f1_samples": "samples F1",
    "jaccard_samples": "samples Jaccard",
}


def metric(key):
    """Title of a scorer and the sign that turns its values into the metric's."""
    if key.startswith("accuracy:"):  # one output's accuracy (class columns)
        return f"{key[len('accuracy:') :]} accuracy", 1.0
    if key.startswith("neg_"):
        return _TITLES.get(key, key[len("neg_") :].replace("_", " ")), -1.0
    return _TITLES.get(key, key.replace("_", " ")), 1.0


def warn(message):
    print(f"skmultimlp: warning: {message}", file=sys.stderr)


def network_of(estimator):
    """The KerasMultiLabelClassifier of ``estimator`` (itself, or a Pipeline's last step)."""
    return estimator[-1] if hasattr(estimator, "steps") else estimator


def describe(estimator, leave_out=()):
    """The network's repr with its main parameters always shown, but ``leave_out``, and
    the scaling in front of it."""
    from .._classifier import KerasMultiLabelClassifier

    network = network_of(estimator)
    params = network.get_params()
    defaults = KerasMultiLabelClassifier().get_params()
    always = ("hidden_layer_sizes", "epochs", "batch_size")
    others = [
        name
        for name, value in params.items()
        if name not in always and name != "random_state" and value != defaults[name]
    ]
    shown = [f"{name}={params[name]!r}" for name in [*always, *others] if name not in leave_out]
    text = f"{type(network).__name__}({', '.join(shown)})"
    if network is not estimator:
        text = f"{type(estimator[0]).__name__} + {text}"
    return text


def data_description(source, X, y, names, classes=None):
    """The file, its size and its labels; ``classes``, the classes of each output of
    class columns (the number of each is shown), or None for labels."""
    if classes is None:
        labels = f"{y.shape[1]} labels: {', '.join(str(name) for name in names)}"
    else:
        outputs = ", ".join(
            f"{name} ({len(c)} classes)" for name, c in zip(names, classes, strict=True)
        )
        labels = f"{len(names)} output{'s' if len(names) != 1 else ''}: {outputs}"
    return f"{source} ({X.shape[0]} rows x {X.shape[1]} features, {labels})"


def unknown_note(n_unknown, y):
    return (
        f"{n_unknown} of {y.size} label entries are unknown: left out of the training "
        "loss and of the scores"
    )


def _number(value):
    """An epoch count, or a mean of them, with at most one decimal."""
    return f"{value:.1f}".removesuffix(".0")


def epochs_text(n_iter, kept):
    """``"N epochs run, epoch K kept"`` (early stopping) or ``"N epochs run"``."""
    run = f"{_number(n_iter)} epoch{'s' if n_iter != 1 else ''} run"
    return run if kept is None else f"{run}, epoch {_number(kept)} kept"


def kept_epoch(network):
    """The epoch whose weights early stopping kept (1-based), or None without it."""
    scores = getattr(network, "validation_scores_", None)
    return None if scores is None else int(np.argmax(scores)) + 1


def print_scores(scores, out):
    """Mean ± std of each scorer's fold values, as the metric (``neg_`` scorers negated)."""
    for key, values in scores.items():
        title, sign = metric(key)
        values = sign * np.asarray(values)
        print(f"{title:>22}: {values.mean():.3f} ± {values.std():.3f}", file=out)
