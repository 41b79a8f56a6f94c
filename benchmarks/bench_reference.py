"""Reference workload: skmultimlp vs scikit-learn's MLPClassifier vs the Keras model.fit loop.

Run: ``.venv/bin/python benchmarks/bench_reference.py [--fits-of-keras-loop 3]``

All three train the same network (10 -> 20 ReLU -> 3 sigmoid, Adam 1e-3, 100 epochs, batch 32)
on ``RepeatedKFold(n_splits=10, n_repeats=3, random_state=1)`` folds of the reference data
and report exact-match accuracy. The tutorial's hand-written ``model.fit`` loop is slow, so
it is timed on the first few folds only and reported per fit.
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.metrics import accuracy_score  # noqa: E402
from sklearn.model_selection import RepeatedKFold, cross_val_score  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

from skmultimlp import SCORERS, KerasMultiLabelClassifier, load_reference  # noqa: E402

EPOCHS, BATCH, HIDDEN = 100, 32, 20


def keras_fit_loop(X, y, folds):
    """The tutorial's loop: a new Keras model and model.fit per fold."""
    scores = []
    for train, test in folds:
        model = keras.Sequential(
            [
                keras.Input((X.shape[1],)),
                keras.layers.Dense(HIDDEN, activation="relu", kernel_initializer="he_uniform"),
                keras.layers.Dense(y.shape[1], activation="sigmoid"),
            ]
        )
        model.compile(loss="binary_crossentropy", optimizer="adam")
        model.fit(X[train], y[train], epochs=EPOCHS, batch_size=BATCH, verbose=0)
        proba = model.predict(X[test], verbose=0)
        scores.append(accuracy_score(y[test], proba.round()))
    return np.array(scores)


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fits-of-keras-loop", type=int, default=3)
    args = parser.parse_args()

    X, y = load_reference()
    cv = RepeatedKFold(n_splits=10, n_repeats=3, random_state=1)
    folds = list(cv.split(X, y))
    ours = KerasMultiLabelClassifier((HIDDEN,), epochs=EPOCHS, batch_size=BATCH, random_state=1)
    mlp = MLPClassifier((HIDDEN,), batch_size=BATCH, max_iter=EPOCHS, random_state=1)

    rows = []
    for name, est in (("skmultimlp (TF)", ours), ("sklearn MLPClassifier", mlp)):
        scores, seconds = timed(
            lambda est=est: cross_val_score(est, X, y, cv=folds, scoring=SCORERS["exact_match"])
        )
        rows.append((name, len(folds), seconds, scores.mean()))
    k = args.fits_of_keras_loop
    scores, seconds = timed(lambda: keras_fit_loop(X, y, folds[:k]))
    rows.append((f"Keras model.fit loop ({k} folds)", k, seconds, scores.mean()))

    ours_per_fit = rows[0][2] / rows[0][1]
    print(f"Reference workload, backend {keras.backend.backend()}, {os.cpu_count()} CPUs")
    header = f"{'method':<32}{'fits':>5}{'total s':>10}{'per fit s':>11}{'exact-match':>13}"
    print(header + f"{'time / ours':>13}")
    for name, fits, seconds, acc in rows:
        per_fit = seconds / fits
        print(
            f"{name:<32}{fits:>5}{seconds:>10.1f}{per_fit:>11.3f}{acc:>13.3f}"
            f"{per_fit / ours_per_fit:>12.2f}x"
        )


if __name__ == "__main__":
    main()
