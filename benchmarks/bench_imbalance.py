"""Rare labels and missing labels: what label weights, tuned thresholds and masking buy.

Run: ``.venv/bin/python benchmarks/bench_imbalance.py [--quick]``

Part 1, imbalance. ``make_multilabel_classification(n_samples=2000, n_features=20,
n_classes=20, n_labels=2, random_state=2)``: 20 labels whose frequencies run from 0.8 % to
19 %. Out-of-fold scores over ``MultilabelStratifiedKFold(5)`` (every rare label lands in
every test fold), all models behind a ``StandardScaler``:

* ours with the 0.5 threshold; with ``label_weight="balanced"``; with thresholds tuned per
  label by ``MultiLabelThresholdTuner`` (inner stratified 5-fold out-of-fold probabilities, F1 per
  label); with both;
* scikit-learn's ``MLPClassifier`` (same network: 64 ReLU units, Adam 1e-3, no weight
  penalty, batch 32, 100 epochs), alone and inside the same tuner (same parameters, same
  inner folds).

Every fit runs all its epochs: ours without early stopping, ``MLPClassifier`` with ``tol=0``
and ``n_iter_no_change`` = epochs (its default ``tol=1e-4``, ``n_iter_no_change=10`` may stop
it earlier) and ``alpha=0`` (its default L2 penalty is 1e-4; ours is 0). The epochs of each
outer fold's fit (the refit one inside the tuner) are checked. Scores are mean ± std over the
5 folds; the time column is over ours' with the same kind of thresholds, in the same run,
after an untimed warm-up of ours (its first fits compile the training loop).

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
from sklearn.base import clone
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
    """Exactly ``epochs`` epochs: tol=0 and n_iter_no_change=epochs turn its stopping off."""
    return MLPClassifier(
        HIDDEN,
        alpha=0.0,
        batch_size=BATCH,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=epochs,
        random_state=0,
    )


def epochs_run(pipeline):
    """The epochs that the network of a fitted pipeline (inside a tuner or not) ran."""
    est = pipeline[-1]
    return getattr(est, "estimator_", est).n_iter_


def mean_std(values, digits):
    return f"{np.mean(values):.{digits}f} ± {np.std(values):.{digits}f}"


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
        f"{epochs} epochs, all run by every fit (ours: no early stopping; MLPClassifier: "
        f"tol=0, n_iter_no_change={epochs}); out-of-fold over MultilabelStratifiedKFold(5)"
    )
    models = {
        "ours, threshold 0.5": ours(epochs),
        'ours, label_weight="balanced"': ours(epochs, label_weight="balanced"),
        "ours + MultiLabelThresholdTuner": tuned(ours(epochs)),
        "ours, balanced + tuner": tuned(ours(epochs, label_weight="balanced")),
        f"MLPClassifier ({epochs} epochs, no early stop), threshold 0.5": mlp(epochs),
        f"MLPClassifier ({epochs} epochs, no early stop) + MultiLabelThresholdTuner": tuned(
            mlp(epochs)
        ),
    }
    cv = MultilabelStratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    rare = freq < 0.03
    # Ours compiles its training loop once per data shape and MLPClassifier compiles nothing:
    # one untimed pass of ours at 0.5 and tuned first, so that the timed rows are warm for both.
    warm_up = {}
    for name in ("ours, threshold 0.5", "ours + MultiLabelThresholdTuner"):
        start = time.perf_counter()
        cross_validate(make_pipeline(StandardScaler(), clone(models[name])), X, y, cv=cv)
        warm_up[name] = time.perf_counter() - start
    print(
        "warm-up, not in the table (first of the process: backend start-up and compilation "
        "included): " + ", ".join(f"{name} {sec:.1f} s" for name, sec in warm_up.items())
    )
    print()
    print(
        "| model | macro F1 | F1 of the 3 rarest labels | micro F1 | exact-match "
        "| hamming loss | fit+score s | s / ours' (same thresholds) |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|--:|")
    results, seconds_of = {}, {}
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
        ran = {int(epochs_run(est)) for est in scores["estimator"]}
        if ran != {epochs}:
            raise RuntimeError(f"{name}: a fit ran {sorted(ran)} epochs, not {epochs}")
        # The rare labels' F1, from each fold's own test rows.
        rare_f1 = [
            f1_score(
                y[test][:, rare],
                est.predict(X[test])[:, rare],
                average="macro",
                zero_division=0,
            )
            for est, (_, test) in zip(scores["estimator"], cv.split(X, y), strict=True)
        ]
        results[name] = scores["test_f1_macro"].mean()
        seconds_of[name] = seconds
        tuned_row = "tuner" in name.lower()
        same = "ours + MultiLabelThresholdTuner" if tuned_row else "ours, threshold 0.5"
        print(
            f"| {name} | {mean_std(scores['test_f1_macro'], 3)} | {mean_std(rare_f1, 3)} "
            f"| {mean_std(scores['test_f1_micro'], 3)} "
            f"| {mean_std(scores['test_exact_match'], 3)} "
            f"| {mean_std(-scores['test_neg_hamming_loss'], 4)} | {seconds:.1f} "
            f"| {seconds / seconds_of[same]:.2f} |"
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
    mlp_plain, mlp_tuned = (name for name in results if name.startswith("MLPClassifier"))
    print(
        "Macro F1 gain of the same tuner: ours "
        f"{results['ours + MultiLabelThresholdTuner'] - base:+.3f}, MLPClassifier "
        f"{results[mlp_tuned] - results[mlp_plain]:+.3f}; ours - MLPClassifier: at 0.5 "
        f"{base - results[mlp_plain]:+.3f}, both tuned "
        f"{results['ours + MultiLabelThresholdTuner'] - results[mlp_tuned]:+.3f}"
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
