"""Rare labels and missing labels: what label weights, tuned thresholds and masking buy.

Run: ``.venv/bin/python benchmarks/bench_imbalance.py [--quick]``

Part 1, imbalance. ``make_multilabel_classification(n_samples=2000, n_features=20,
n_classes=20, n_labels=2, random_state=2)``: 20 labels whose frequencies run from 0.8 % to
19 %. Out-of-fold scores over ``MultilabelStratifiedKFold(5)`` (every rare label lands in
every test fold), all models behind a ``StandardScaler``:

* ours with the 0.5 threshold; with ``label_weight="balanced"``; with thresholds tuned per
  label by ``MultiLabelThresholdTuner`` (inner stratified 5-fold out-of-fold probabilities, F1 per
  label); with both;
* scikit-learn's ``MLPClassifier`` (same network: 64 ReLU units, Adam, batch 32, 100
  epochs), alone and inside the same tuner.

Part 2, missing labels. ``make_multilabel_classification(n_samples=3000, n_features=20,
n_classes=5, n_labels=2, random_state=3)``, 5 labels; a stratified 2/3 : 1/3 split; in the
training part 30 % of the label entries are hidden (NaN) at random. Scored on the fully
labelled test part, for three seeds of the hiding:

* (a) masked training: every training row, the hidden entries left out of the loss;
* (b) complete rows only: the rows with no hidden entry (about 0.7**5 = 17 % of them);
* (c) hidden read as 0 (what a user without masking would do), for reference;
* (d) no entry hidden, the ceiling.
"""

import argparse
import os
import time
import warnings

import numpy as np
from sklearn.datasets import make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import f1_score, hamming_loss
from sklearn.model_selection import cross_validate
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmultimlp import SCORERS, KerasMultiLabelClassifier, MultiLabelThresholdTuner
from skmultimlp.model_selection import (
    MultilabelStratifiedKFold,
    MultilabelStratifiedShuffleSplit,
)

HIDDEN, BATCH = (64,), 32
SCORING = {k: SCORERS[k] for k in ("f1_macro", "f1_micro", "exact_match", "neg_hamming_loss")}


# The same network as MLPClassifier's: no dropout, no early stopping, zero output bias
# (not our defaults, which bench_quality measures).
PLAIN = dict(early_stopping=False, dropout=0.0, output_bias_init="zeros")


def ours(epochs, **params):
    return KerasMultiLabelClassifier(
        HIDDEN, epochs=epochs, batch_size=BATCH, random_state=0, **PLAIN, **params
    )


def mlp(epochs):
    return MLPClassifier(HIDDEN, batch_size=BATCH, max_iter=epochs, random_state=0)


def tuned(estimator):
    inner = MultilabelStratifiedKFold(n_splits=5, shuffle=True, random_state=1)
    return MultiLabelThresholdTuner(estimator, scoring="f1", cv=inner)


def imbalance(epochs):
    X, y = make_multilabel_classification(
        n_samples=2000, n_features=20, n_classes=20, n_labels=2, random_state=2
    )
    freq = y.mean(axis=0)
    print(
        f"Part 1: {X.shape[0]} rows, {y.shape[1]} labels, label frequency "
        f"{freq.min():.1%} .. {freq.max():.1%} (median {np.median(freq):.1%}); "
        f"{epochs} epochs; out-of-fold over MultilabelStratifiedKFold(5)"
    )
    models = {
        "ours, threshold 0.5": ours(epochs),
        'ours, label_weight="balanced"': ours(epochs, label_weight="balanced"),
        "ours + MultiLabelThresholdTuner": tuned(ours(epochs)),
        "ours, balanced + tuner": tuned(ours(epochs, label_weight="balanced")),
        "MLPClassifier, threshold 0.5": mlp(epochs),
        "MLPClassifier + MultiLabelThresholdTuner": tuned(mlp(epochs)),
    }
    cv = MultilabelStratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    rare = freq < 0.03
    print()
    print(
        "| model | macro F1 | F1 of the 3 rarest labels | micro F1 | exact-match "
        "| hamming loss | fit+score s |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|")
    results = {}
    for name, model in models.items():
        start = time.perf_counter()
        scores = cross_validate(
            make_pipeline(StandardScaler(), model),
            X,
            y,
            cv=cv,
            scoring=SCORING,
            return_estimator=True,
        )
        seconds = time.perf_counter() - start
        # The rare labels' F1, from each fold's own test rows.
        rare_f1 = np.mean(
            [
                f1_score(
                    y[test][:, rare],
                    est.predict(X[test])[:, rare],
                    average="macro",
                    zero_division=0,
                )
                for est, (_, test) in zip(scores["estimator"], cv.split(X, y), strict=True)
            ]
        )
        results[name] = scores["test_f1_macro"].mean()
        print(
            f"| {name} | {scores['test_f1_macro'].mean():.3f} | {rare_f1:.3f} "
            f"| {scores['test_f1_micro'].mean():.3f} | {scores['test_exact_match'].mean():.3f} "
            f"| {-scores['test_neg_hamming_loss'].mean():.4f} | {seconds:.1f} |"
        )
    base = results["ours, threshold 0.5"]
    print()
    print(
        "Macro F1 gain over ours at 0.5: "
        + ", ".join(
            f"{name}: {score - base:+.3f}"
            for name, score in results.items()
            if name.startswith("ours") and name != "ours, threshold 0.5"
        )
    )


def missing(epochs, seeds=(0, 1, 2)):
    X, y = make_multilabel_classification(
        n_samples=3000, n_features=20, n_classes=5, n_labels=2, random_state=3
    )
    split = MultilabelStratifiedShuffleSplit(n_splits=1, test_size=1 / 3, random_state=0)
    train, test = next(split.split(X, y))
    scaler = StandardScaler().fit(X[train])
    X_train, X_test = scaler.transform(X[train]), scaler.transform(X[test])
    y_train, y_test = y[train], y[test]
    print()
    print(
        f"Part 2: {len(train)} training rows (30 % of their label entries hidden), "
        f"{len(test)} fully labelled test rows, {y.shape[1]} labels, {epochs} epochs, "
        f"mean over hiding seeds {list(seeds)}"
    )
    rows = {
        "(a) masked training, all rows": [],
        "(b) complete rows only": [],
        "(c) hidden read as 0": [],
        "(d) nothing hidden (ceiling)": [],
    }
    n_complete = []
    for seed in seeds:
        hidden = np.random.default_rng(seed).random(y_train.shape) < 0.3
        complete = ~hidden.any(axis=1)
        n_complete.append(int(complete.sum()))
        fits = {
            "(a) masked training, all rows": (X_train, np.where(hidden, np.nan, y_train)),
            "(b) complete rows only": (X_train[complete], y_train[complete]),
            "(c) hidden read as 0": (X_train, np.where(hidden, 0, y_train)),
            "(d) nothing hidden (ceiling)": (X_train, y_train),
        }
        for name, (Xf, yf) in fits.items():
            pred = ours(epochs).fit(Xf, yf).predict(X_test)
            rows[name].append(
                (
                    f1_score(y_test, pred, average="macro", zero_division=0),
                    hamming_loss(y_test, pred),
                    np.mean(np.all(pred == y_test, axis=1)),
                )
            )
    print(f"complete training rows per seed: {n_complete}")
    print()
    print("| training | macro F1 | hamming loss | exact-match |")
    print("|---|--:|--:|--:|")
    for name, values in rows.items():
        f1, ham, exact = np.mean(values, axis=0)
        print(f"| {name} | {f1:.3f} | {ham:.4f} | {exact:.3f} |")
    a = np.mean(rows["(a) masked training, all rows"], axis=0)
    b = np.mean(rows["(b) complete rows only"], axis=0)
    print()
    print(
        f"masked - complete-rows-only: macro F1 {a[0] - b[0]:+.3f}, hamming loss "
        f"{a[1] - b[1]:+.4f}, exact-match {a[2] - b[2]:+.3f}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="30 epochs instead of 100")
    args = parser.parse_args()
    epochs = 30 if args.quick else 100
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    print(f"{os.cpu_count()} CPUs")
    imbalance(epochs)
    missing(epochs)


if __name__ == "__main__":
    main()
