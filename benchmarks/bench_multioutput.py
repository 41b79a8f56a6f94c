"""Several outputs with several classes: one shared network against one network per output.

Run: ``.venv/bin/python benchmarks/bench_multioutput.py [--quick] [--backends tensorflow jax]``

The problem (``make_data``, seeded): 3000 rows of 20 standard normal features; 6 shared
latent factors computed from them by a random two-layer tanh map (``Z = tanh(2 tanh(2 X W1)
W2)``, 32 then 6 units, standardised); 4 outputs of 3, 4, 5 and 6 classes, each the argmax of
its own random projection of the latent factors plus Gumbel noise of scale 0.5 (so each
output's class is drawn from a softmax of its projection; the noise is independent across
outputs). The outputs share their structure (the latent factors) but not their classes. The
noise-free argmax is the Bayes decision, for each output and for all four at once: its
accuracy, printed as the ceiling, is the best any model can do.

5-fold ``KFold(shuffle=True, random_state=0)``, the same folds for every model, all behind a
``StandardScaler``. The networks have one hidden layer of 100 ReLU units, Adam at 1e-3,
batches of 32 and at most 100 epochs, on both sides, with the same stopping setting:

* early stopping off: every fit runs all 100 epochs (ours ``early_stopping=False``;
  ``MLPClassifier(tol=0, n_iter_no_change=100)``, whose own default stops once the training
  loss stalls); the epochs of every fit are checked;
* early stopping on: 10 % of the training rows held out, at most 10 epochs without an
  improvement of 1e-4, the best epoch's weights kept: both estimators' defaults for these
  (``early_stopping=True`` on both; ours watches its validation loss, ``scoring="loss"``,
  each ``MLPClassifier`` the accuracy of its own output).

Models, for each stopping setting:

* ours, defaults: ``KerasMultiLabelClassifier(random_state=0)`` with only the stopping set
  (one network, shared hidden layer, one softmax head per output; ``dropout=0.2``,
  ``alpha=0``, ``output_bias_init="prior"``);
* ours with MLPClassifier's network: the same, with ``dropout=0``, ``alpha=1e-4``
  (MLPClassifier's default L2 penalty, which means the same here) and
  ``output_bias_init="zeros"``;
* ``MultiOutputClassifier(MLPClassifier((100,), batch_size=32, max_iter=100,
  random_state=0))``: one network per output (its other parameters at their defaults:
  ``alpha=1e-4``, Adam at 1e-3);

and once, ``RandomForestClassifier(random_state=0, n_jobs=1)`` (native multi-output, 100
trees, default settings).

Columns, mean ± std over the 5 folds: mean per-output accuracy (the accuracy of each output,
averaged over the 4), exact match (all 4 outputs right), fit seconds per fit, epochs run per
fit (per output network for MultiOutputClassifier), and ours' fit time over
MultiOutputClassifier(MLPClassifier)'s with the same stopping setting (the mean of the
per-fold ratios). Timings: the machine may be shared, so every fold fits every model in
turn, in one process, so that contention hits all of them alike; compare the ratios.

Ours compiles its training loop once per architecture, optimizer, input width and batch size
and keeps it for later fits (as in a cross-validation or a search): before the folds, one
untimed fit of each of ours on the first fold's training rows compiles it; its time is
printed ("first fit s", compilation included; the process's first also starts the backend),
and the table's times are those of fits that find their loop compiled. MLPClassifier and
the forest compile nothing.

Each Keras backend of ``--backends`` runs in a fresh process of this script (``--backend``;
Keras picks its backend at import), which fits every model, the peers included, and prints
its own table and the issue's targets: ours' exact match above both peers', and ours' fit time
at most 1/3 of MultiOutputClassifier(MLPClassifier)'s. ``--quick``: a smoke run, 1000 rows,
3 folds, at most 20 epochs.
"""

import argparse
import os
import subprocess
import sys
import time
import warnings

import numpy as np

N_FEATURES, N_HIDDEN_LATENT, N_LATENT = 20, 32, 6
N_CLASSES = (3, 4, 5, 6)
NOISE = 0.5
HIDDEN, BATCH = (100,), 32
FULL = dict(n_samples=3000, n_splits=5, epochs=100)
QUICK = dict(n_samples=1000, n_splits=3, epochs=20)
# MLPClassifier's regularisation on our network: no dropout, its L2 penalty, zero output bias.
MLP_NETWORK = dict(dropout=0.0, alpha=1e-4, output_bias_init="zeros")
MLP_NAME = "MultiOutputClassifier(MLPClassifier)"


def make_data(n_samples, random_state=0):
    """X (n_samples, 20), the classes y (n_samples, 4) and the Bayes decision for y."""
    rng = np.random.default_rng(random_state)
    X = rng.standard_normal((n_samples, N_FEATURES))
    W1 = rng.standard_normal((N_FEATURES, N_HIDDEN_LATENT)) / np.sqrt(N_FEATURES)
    W2 = rng.standard_normal((N_HIDDEN_LATENT, N_LATENT)) / np.sqrt(N_HIDDEN_LATENT)
    Z = np.tanh(2 * np.tanh(2 * X @ W1) @ W2)
    Z = (Z - Z.mean(axis=0)) / Z.std(axis=0)
    y, bayes = [], []
    for k in N_CLASSES:
        logits = Z @ rng.standard_normal((N_LATENT, k))
        y.append(np.argmax(logits + NOISE * rng.gumbel(size=logits.shape), axis=1))
        bayes.append(np.argmax(logits, axis=1))
    return X, np.stack(y, axis=1), np.stack(bayes, axis=1)


def scores(y_true, y_pred):
    """(mean per-output accuracy, exact match)."""
    right = np.asarray(y_pred) == y_true
    return float(right.mean(axis=0).mean()), float(right.all(axis=1).mean())


def mean_std(values, digits):
    values = np.asarray(values, dtype=float)
    return f"{values.mean():.{digits}f} ± {values.std():.{digits}f}"


def folds(n_splits):
    from sklearn.model_selection import KFold

    return KFold(n_splits=n_splits, shuffle=True, random_state=0)


def models(epochs):
    """{(stopping setting, name): pipeline}, in the order of the table."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.multioutput import MultiOutputClassifier
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skmultimlp import KerasMultiLabelClassifier

    def ours(early_stopping, **params):
        return KerasMultiLabelClassifier(
            HIDDEN,
            epochs=epochs,
            batch_size=BATCH,
            early_stopping=early_stopping,
            random_state=0,
            **params,
        )

    def mlp(early_stopping):
        # Without early stopping, tol=0 and n_iter_no_change=epochs: all epochs run.
        stop = {} if early_stopping else dict(tol=0.0, n_iter_no_change=epochs)
        net = MLPClassifier(
            HIDDEN,
            batch_size=BATCH,
            max_iter=epochs,
            early_stopping=early_stopping,
            random_state=0,
            **stop,
        )
        return MultiOutputClassifier(net)

    out = {}
    for setting, stop in (("off", False), ("on", True)):
        out[setting, "ours, defaults"] = ours(stop)
        out[setting, "ours, MLPClassifier's network"] = ours(stop, **MLP_NETWORK)
        out[setting, MLP_NAME] = mlp(stop)
    out["-", "RandomForestClassifier"] = RandomForestClassifier(random_state=0, n_jobs=1)
    return {key: make_pipeline(StandardScaler(), model) for key, model in out.items()}


def epochs_run(pipeline):
    """Epochs of a fitted pipeline's network (mean over MultiOutputClassifier's), or None."""
    est = pipeline[-1]
    if hasattr(est, "estimators_") and hasattr(est.estimators_[0], "n_iter_"):
        return float(np.mean([e.n_iter_ for e in est.estimators_]))
    return float(est.n_iter_) if hasattr(est, "n_iter_") else None


def run(backend, n_samples, n_splits, epochs):
    """Fit every model on every fold in this process; print the table and the targets."""
    import keras
    from sklearn.base import clone
    from sklearn.exceptions import ConvergenceWarning

    if keras.backend.backend() != backend:
        raise RuntimeError(f"Keras runs on {keras.backend.backend()}, not {backend}")
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    X, y, _ = make_data(n_samples)
    splits = list(folds(n_splits).split(X))
    todo = models(epochs)

    first = {}
    train, _ = splits[0]
    for key, model in todo.items():
        if key[1].startswith("ours"):
            start = time.perf_counter()
            clone(model).fit(X[train], y[train])
            first[key] = time.perf_counter() - start

    results = {key: {"acc": [], "exact": [], "fit": [], "epochs": []} for key in todo}
    for train, test in splits:
        for key, model in todo.items():
            est = clone(model)
            start = time.perf_counter()
            est.fit(X[train], y[train])
            seconds = time.perf_counter() - start
            acc, exact = scores(y[test], est.predict(X[test]))
            ran = epochs_run(est)
            if key[0] == "off" and ran is not None and ran != epochs:
                raise RuntimeError(f"{key}: a fit ran {ran} epochs, not {epochs}")
            row = results[key]
            row["acc"].append(acc)
            row["exact"].append(exact)
            row["fit"].append(seconds)
            row["epochs"].append(ran)

    print(f"### {backend} (Keras {keras.__version__})")
    print()
    print(
        "| early stopping | model | mean per-output accuracy | exact match | fit s "
        f"| epochs run | fit time / {MLP_NAME}'s | first fit s |"
    )
    print("|---|---|--:|--:|--:|--:|--:|--:|")
    for key, row in results.items():
        setting, name = key
        peer = results.get((setting, MLP_NAME))
        ratio = ""
        if name.startswith("ours") and peer:
            ratio = mean_std(np.divide(row["fit"], peer["fit"]), 3)
        ran = "" if row["epochs"][0] is None else mean_std(row["epochs"], 1)
        print(
            f"| {setting} | {name} | {mean_std(row['acc'], 3)} | {mean_std(row['exact'], 3)} "
            f"| {mean_std(row['fit'], 2)} | {ran} | {ratio} "
            f"| {f'{first[key]:.1f}' if key in first else ''} |",
            flush=True,
        )
    print()
    forest = results["-", "RandomForestClassifier"]
    for setting in ("off", "on"):
        ours, mlp = results[setting, "ours, defaults"], results[setting, MLP_NAME]
        exact = np.mean(ours["exact"])
        above = exact > np.mean(mlp["exact"]) and exact > np.mean(forest["exact"])
        wins_mlp = int(np.sum(np.greater(ours["exact"], mlp["exact"])))
        wins_forest = int(np.sum(np.greater(ours["exact"], forest["exact"])))
        ratio = np.mean(ours["fit"]) / np.mean(mlp["fit"])
        print(
            f"- early stopping {setting}, ours with its defaults: exact match {exact:.3f} vs "
            f"{np.mean(mlp['exact']):.3f} ({MLP_NAME}, above it in {wins_mlp}/{n_splits} "
            f"folds) and {np.mean(forest['exact']):.3f} (forest, above it in "
            f"{wins_forest}/{n_splits} folds): {'met' if above else 'NOT met'}; fit time "
            f"{ratio:.3f} of {MLP_NAME}'s (ratio of the mean times; target at most 1/3): "
            f"{'met' if ratio <= 1 / 3 else 'NOT met'}"
        )
    print(flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1000 rows, 3 folds, 20 epochs")
    parser.add_argument("--backends", nargs="+", default=["tensorflow", "jax"])
    parser.add_argument("--backend", help=argparse.SUPPRESS)  # a child: one backend
    args = parser.parse_args()
    config = QUICK if args.quick else FULL
    if args.backend:
        os.environ["KERAS_BACKEND"] = args.backend  # before Keras is imported
        run(args.backend, **config)
        return

    X, y, bayes = make_data(config["n_samples"])
    ceiling_acc, ceiling_exact = scores(y, bayes)
    print(
        f"{X.shape[0]} rows, {X.shape[1]} features, {y.shape[1]} outputs of "
        f"{', '.join(map(str, N_CLASSES))} classes from {N_LATENT} shared latent factors "
        f"(noise {NOISE}); Bayes decision: mean per-output accuracy {ceiling_acc:.3f}, exact "
        f"match {ceiling_exact:.3f}"
    )
    print(
        f"{config['n_splits']}-fold KFold(shuffle=True, random_state=0); hidden layer "
        f"{HIDDEN}, batch {BATCH}, at most {config['epochs']} epochs; {os.cpu_count()} CPUs "
        "(timings are noisy on a shared machine: compare the ratios, measured fold by fold "
        "in the same process)"
    )
    print()
    failed = []
    for backend in args.backends:
        env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "2"}
        command = [sys.executable, os.path.abspath(__file__), "--backend", backend]
        if subprocess.run(command + ["--quick"] * args.quick, env=env).returncode:
            failed.append(backend)
    if failed:
        sys.exit(f"failed on: {', '.join(failed)}")


if __name__ == "__main__":
    main()
