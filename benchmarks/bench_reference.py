"""Reference workload: skmultimlp on each backend vs MLPClassifier vs the Keras model.fit loop.

Run: ``.venv/bin/python benchmarks/bench_reference.py [--fits-of-keras-loop 3]``

All train the same network (10 -> 20 ReLU -> 3 sigmoid, Adam 1e-3, no weight penalty, 100
epochs, batch 32) on the 30 folds of ``RepeatedKFold(n_splits=10, n_repeats=3,
random_state=1)`` of the reference data, through ``cross_validate`` with exact-match accuracy.
Ours runs three ways: "plain", the tutorial's network (no dropout, zero output bias, no early
stopping); "defaults", our defaults with ``hidden_layer_sizes=(20,)`` (dropout 0.2, prior
output bias, ``early_stopping="auto"``, which these 900-row folds leave off); and
"early_stopping", the defaults with ``early_stopping=True`` (the rule runs inside the compiled
loop; those fits stop early, and their epochs are shown). ``MLPClassifier`` gets ``tol=0`` and
``n_iter_no_change=100`` (its defaults, ``tol=1e-4`` and ``n_iter_no_change=10``, may stop it
earlier), and ``alpha=0`` (its default L2 penalty is 1e-4; ours and the Keras loop have none).
Every fit but the early-stopping ones runs all 100 epochs, checked ("epochs run"); scores are
the mean ± std over the folds. Each Keras backend runs in its own process (Keras picks its
backend at import). "total s" is the first evaluation in that process, so it includes the
backend's start-up and the one compilation; "warm s" repeats the evaluation in the same
process (compiled loop already cached), for MLPClassifier too. The tutorial's hand-written
``model.fit`` loop is slow, so it is timed on the first few folds only and reported per fit;
ours is also scored on those folds, for a like-for-like accuracy comparison.
"""

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time
import warnings

EPOCHS, BATCH, HIDDEN = 100, 32, 20
# The tutorial's network: no dropout, no early stopping, zero output bias (not our defaults).
TUTORIAL = dict(early_stopping=False, dropout=0.0, output_bias_init="zeros")


def _folds():
    from sklearn.model_selection import RepeatedKFold

    from skmultimlp import load_reference

    X, y = load_reference()
    return X, y, list(RepeatedKFold(n_splits=10, n_repeats=3, random_state=1).split(X, y))


def _cross_val(est, X, y, folds):
    """Exact-match score per fold, seconds, and the epochs each fold's fit ran."""
    from sklearn.model_selection import cross_validate

    from skmultimlp import SCORERS

    start = time.perf_counter()
    result = cross_validate(
        est, X, y, cv=folds, scoring=SCORERS["exact_match"], return_estimator=True
    )
    seconds = time.perf_counter() - start
    return result["test_score"], seconds, [int(e.n_iter_) for e in result["estimator"]]


def _epochs_run(epochs):
    """The epochs that every fit ran (``n_iter_``), checked to be all EPOCHS."""
    if set(epochs) != {EPOCHS}:
        raise RuntimeError(f"a fit stopped early: epochs run {sorted(set(epochs))}, not {EPOCHS}")
    return EPOCHS


def _summary(scores, k):
    return {
        "score": float(scores.mean()),
        "score_std": float(scores.std()),
        "score_first_k": float(scores[:k].mean()),
        "score_first_k_std": float(scores[:k].std()),
    }


def _cold_and_warm(est, X, y, folds, k, stops_early=False):
    """The evaluation twice in this process: first (cold) and again (warm)."""
    scores, cold, epochs = _cross_val(est, X, y, folds)
    _, warm, epochs_warm = _cross_val(est, X, y, folds)
    if stops_early:
        ran = f"{min(epochs)}-{max(epochs)} (mean {sum(epochs) / len(epochs):.0f})"
    else:
        ran = _epochs_run(epochs + epochs_warm)
    return {
        "fits": len(folds),
        "seconds": cold,
        "warm": warm,
        "epochs": ran,
        **_summary(scores, k),
    }


# Our estimator three ways: the tutorial's plain network; our defaults (dropout 0.2, prior
# output bias, early_stopping="auto", which is off on these 900-row folds); and our defaults
# with early stopping forced on (the rule then runs inside the compiled loop).
VARIANTS = {
    "plain": TUTORIAL,
    "defaults": {},
    "early_stopping": {"early_stopping": True},
}


def run_ours(k, variant="plain"):
    from skmultimlp import KerasMultiLabelClassifier

    X, y, folds = _folds()
    est = KerasMultiLabelClassifier(
        (HIDDEN,), epochs=EPOCHS, batch_size=BATCH, random_state=1, **VARIANTS[variant]
    )
    return _cold_and_warm(est, X, y, folds, k, stops_early=variant == "early_stopping")


def run_mlp(k):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    X, y, folds = _folds()
    # Exactly EPOCHS epochs: tol=0 and n_iter_no_change=EPOCHS turn the stopping rule off
    # (it stops once more than n_iter_no_change epochs in a row fail to improve by tol).
    est = MLPClassifier(
        (HIDDEN,),
        alpha=0.0,  # no L2 penalty, as ours (alpha=0.0) and the tutorial's network
        batch_size=BATCH,
        max_iter=EPOCHS,
        tol=0.0,
        n_iter_no_change=EPOCHS,
        random_state=1,
    )
    with warnings.catch_warnings():
        # Expected: max_iter is reached on purpose, that is the fixed number of epochs.
        warnings.filterwarnings(
            "ignore", "Stochastic Optimizer: Maximum iterations", ConvergenceWarning
        )
        return _cold_and_warm(est, X, y, folds, k)


def run_keras_loop(k):
    """The tutorial's loop: a new Keras model and ``model.fit`` per fold."""
    import keras
    import numpy as np
    from sklearn.metrics import accuracy_score

    X, y, folds = _folds()
    scores, epochs = [], []
    start = time.perf_counter()
    for train, test in folds[:k]:
        model = keras.Sequential(
            [
                keras.Input((X.shape[1],)),
                keras.layers.Dense(HIDDEN, activation="relu", kernel_initializer="he_uniform"),
                keras.layers.Dense(y.shape[1], activation="sigmoid"),
            ]
        )
        model.compile(loss="binary_crossentropy", optimizer="adam")
        history = model.fit(X[train], y[train], epochs=EPOCHS, batch_size=BATCH, verbose=0)
        epochs.append(len(history.history["loss"]))
        proba = model.predict(X[test], verbose=0)
        scores.append(accuracy_score(y[test], proba.round()))
    seconds = time.perf_counter() - start
    return {
        "fits": k,
        "seconds": seconds,
        "warm": None,
        "epochs": _epochs_run(epochs),
        **_summary(np.array(scores), k),
    }


RUNNERS = {
    **{f"ours_{v}": (lambda k, v=v: run_ours(k, v)) for v in VARIANTS},
    "mlp": run_mlp,
    "keras_loop": run_keras_loop,
}


def in_child(runner, backend, k):
    """Run one measurement in a fresh process with ``KERAS_BACKEND=backend``."""
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "2"}
    out = subprocess.run(
        [sys.executable, __file__, "--child", runner, "--fits-of-keras-loop", str(k)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fits-of-keras-loop", type=int, default=3)
    parser.add_argument("--child", choices=sorted(RUNNERS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    k = args.fits_of_keras_loop
    if args.child:
        print(json.dumps(RUNNERS[args.child](k)))
        return

    backends = ["tensorflow"] + (["jax"] if importlib.util.find_spec("jax") else [])
    ours = [
        (f"skmultimlp {variant} ({b})", b, variant, in_child(f"ours_{variant}", b, k))
        for b in backends
        for variant in VARIANTS
    ]
    mlp = in_child("mlp", "tensorflow", k)
    loop = in_child("keras_loop", "tensorflow", k)
    rows = [(name, r) for name, _, _, r in ours]
    rows.append(("sklearn MLPClassifier(20, max_iter=100, tol=0)", mlp))
    rows.append((f"Keras model.fit loop (tf, {k} folds)", loop))

    print(f"Reference workload (30 fits of RepeatedKFold 10x3), {os.cpu_count()} CPUs")
    print(
        f"Every fit: up to {EPOCHS} epochs, batch {BATCH}; 'epochs run' is checked for every "
        "fit; exact-match is the mean ± std over the folds. Ratios divide by "
        "MLPClassifier's time in this run (cold by cold, warm by warm)."
    )
    print()
    print(
        f"| method | fits | epochs run | total s | warm s | per fit s | exact-match "
        f"| first {k} folds | total / MLP | warm / MLP |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, r in rows:
        per_fit = r["seconds"] / r["fits"]
        warm = "" if r["warm"] is None else f"{r['warm']:.2f}"
        warm_ratio = "" if r["warm"] is None else f"{r['warm'] / mlp['warm']:.3f}"
        print(
            f"| {name} | {r['fits']} | {r['epochs']} | {r['seconds']:.2f} "
            f"| {warm} | {per_fit:.3f} | {r['score']:.3f} ± {r['score_std']:.3f} "
            f"| {r['score_first_k']:.3f} ± {r['score_first_k_std']:.3f} "
            f"| {r['seconds'] / mlp['seconds']:.3f} | {warm_ratio} |"
        )
    print()
    print("Targets (time over MLPClassifier's, total including start-up and compilation):")
    goals = {("tensorflow", "plain"): 0.15, ("tensorflow", "defaults"): 0.25}
    for name, backend, variant, r in ours:
        goal = goals.get((backend, variant), 0.10 if backend == "jax" else None)
        vs_loop = (loop["seconds"] / loop["fits"]) / (r["seconds"] / r["fits"])
        target = "" if goal is None else f" (target <= {goal})"
        print(
            f"- {name}: {r['seconds'] / mlp['seconds']:.3f} x MLPClassifier's time{target}, "
            f"warm vs warm {r['warm'] / mlp['warm']:.3f}; {vs_loop:.0f}x faster than the "
            f"model.fit loop; exact-match {r['score']:.3f} ± {r['score_std']:.3f}"
        )


if __name__ == "__main__":
    main()
