"""Scaling: time per epoch and peak memory of one fit, skmultimlp vs scikit-learn's MLPClassifier.

Run: ``.venv/bin/python benchmarks/bench_scale.py [--quick] [--epochs 5] [--backend jax]``

Both estimators train the same network (hidden layer of 20 ReLU units, one sigmoid output
per label, Adam 1e-3, no weight penalty, batch 32, the same number of epochs, all of them run:
ours without early stopping, ``MLPClassifier`` with ``tol=0`` and ``n_iter_no_change`` above
the epochs; every fit's ``n_iter_`` is checked) as the problem grows along each axis:

* n_samples 1k, 10k, 100k (10 dense features, 3 labels);
* n_features 10 dense vs 1000 sparse (CSR, 1 % density) at 10k samples;
* n_labels 3, 100, 1000 at 10k samples and 10 features;
* the memory target: 100k x 100 dense float32 X with 50 labels, where the fit's peak memory
  should stay under 2 x (X.nbytes + y.nbytes) + model size.

Data is synthetic (seeded): X is standard normal (dense) or ``scipy.sparse.random`` (CSR),
and each label is a thresholded random linear function of X plus noise, so it is learnable.
The parent process makes each case's data once and saves it; every child loads it from disk.

Every figure comes from a fresh process, the same way for both estimators. For each
(estimator, case) two child processes of this script run:

* the baseline child imports that estimator's libraries (for ours: Keras with its backend and
  skmultimlp; for MLPClassifier: scikit-learn), loads the data and builds the estimator, and
  stops there;
* the fit child does the same, then fits once (the first fit of the process: for ours it
  includes the backend's runtime start-up and the compilation of the training loop), then
  fits an identical estimator a second time (ours reuses the compiled loop).

Memory: the peak resident set size of each child, VmHWM of /proc/self/status (read in the
fit child right after the first fit, before the second), in MB (10**6 bytes). "fit MB" =
fit child's peak - baseline child's peak: the memory that one first fit in a fresh process
adds on top of the libraries and the data. VmHWM is used instead of ``ru_maxrss``, which on
Linux carries over the parent's peak through ``exec`` and so would count this script's own
memory. Seconds per epoch = ``fit`` time / epochs, for the first and for the second fit of both
estimators. Linux only (reads /proc). The machine may be shared: compare the ratios, which are
measured in the same run, rather than the absolute figures.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import scipy.sparse as sp

HIDDEN, BATCH, SEED = (20,), 32, 0
# A fixed number of epochs, without early stopping or dropout, on both sides.
PLAIN = dict(early_stopping=False, dropout=0.0, output_bias_init="zeros")
MB = 1e6

# name: (rows, features, labels, density of sparse X or None for dense, what the row varies)
CASES = {
    "1k": (1_000, 10, 3, None, "n_samples"),
    "10k": (10_000, 10, 3, None, "baseline: n_samples, n_features, n_labels"),
    "100k": (100_000, 10, 3, None, "n_samples"),
    "10k-sparse": (10_000, 1000, 3, 0.01, "n_features: 1000 sparse"),
    "10k-100-labels": (10_000, 10, 100, None, "n_labels"),
    "10k-1000-labels": (10_000, 10, 1000, None, "n_labels"),
    "memory": (100_000, 100, 50, None, "memory target"),
}
QUICK = ["1k", "10k", "10k-sparse", "10k-100-labels"]
RESULT = "RESULT "


def make_data(n_samples, n_features, n_labels, density):
    """Seeded X (float32, dense or CSR) and a uint8 label matrix from a random linear model."""
    rng = np.random.default_rng(SEED)
    if density is None:
        X = rng.standard_normal((n_samples, n_features), dtype=np.float32)
    else:
        X = sp.random(
            n_samples, n_features, density=density, format="csr", dtype=np.float32, rng=rng
        )
    weights = rng.standard_normal((n_features, n_labels)).astype(np.float32)
    logits = np.asarray(X @ weights)
    logits = (logits - logits.mean(axis=0)) / (logits.std(axis=0) + 1e-6)
    logits += 0.3 * rng.standard_normal(logits.shape, dtype=np.float32)
    return X, (logits > 0.5).astype(np.uint8)  # about 30 % of the labels are on


def _proc_status_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not found in /proc/self/status")


def peak_rss():
    """Peak resident set size of this process so far (VmHWM), in bytes."""
    return _proc_status_kb("VmHWM") * 1024


def save_data(case, directory):
    """Make the case's data once, in this process, and save it for the children to load."""
    n_samples, n_features, n_labels, density, _ = CASES[case]
    X, y = make_data(n_samples, n_features, n_labels, density)
    path = os.path.join(directory, case)
    if sp.issparse(X):
        sp.save_npz(path + "-X.npz", X, compressed=False)
        x_bytes = X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    else:
        np.save(path + "-X.npy", X)
        x_bytes = X.nbytes
    np.save(path + "-y.npy", y)
    return path, x_bytes + y.nbytes


def load_data(path):
    X = (
        sp.load_npz(path + "-X.npz")
        if os.path.exists(path + "-X.npz")
        else np.load(path + "-X.npy")
    )
    return X, np.load(path + "-y.npy")


def make_estimator(name, epochs):
    """Import the estimator's libraries and build it (not fitted)."""
    if name == "ours":
        import keras  # noqa: F401  (the backend is imported with it)

        from skmultimlp import KerasMultiLabelClassifier

        return KerasMultiLabelClassifier(
            HIDDEN, epochs=epochs, batch_size=BATCH, random_state=SEED, **PLAIN
        )
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    # Expected: max_iter is reached on purpose, that is the fixed number of epochs.
    warnings.filterwarnings(
        "ignore", "Stochastic Optimizer: Maximum iterations", ConvergenceWarning
    )
    return MLPClassifier(
        HIDDEN,
        alpha=0.0,  # no weight penalty, as ours
        batch_size=BATCH,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=epochs + 1,  # never stops early
        random_state=SEED,
    )


def timed_fit(est, X, y, epochs):
    start = time.perf_counter()
    est.fit(X, y)
    seconds = time.perf_counter() - start
    if est.n_iter_ != epochs:
        raise RuntimeError(f"{type(est).__name__} ran {est.n_iter_} epochs, not {epochs}")
    return seconds


def run_one(spec):
    """Child process: one baseline or one fit measurement, as a dict."""
    from sklearn.base import clone

    est = make_estimator(spec["estimator"], spec["epochs"])
    X, y = load_data(spec["data"])
    if not spec["fit"]:
        return {"peak": peak_rss()}
    out = {"first_seconds": timed_fit(est, X, y, spec["epochs"]), "peak": peak_rss()}
    out["seconds"] = timed_fit(clone(est), X, y, spec["epochs"])
    if spec["estimator"] == "ours":
        import keras

        out["backend"] = keras.backend.backend()
        out["model_bytes"] = 4 * est.model_.count_params()  # float32 weights
    return out


def in_subprocess(spec, backend):
    env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="2")
    proc = subprocess.run(
        [sys.executable, __file__, "--one", json.dumps(spec)],
        env=env,
        capture_output=True,
        text=True,
    )
    results = [line for line in proc.stdout.splitlines() if line.startswith(RESULT)]
    if proc.returncode != 0 or not results:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise RuntimeError(f"measurement {spec} failed (exit code {proc.returncode})")
    return json.loads(results[-1][len(RESULT) :])


def ratio_line(name, rows, key, which):
    per_epoch = {case: r[key][which] / r["epochs"] for case, r in rows.items()}
    parts = [
        f"{big}/{small} = {per_epoch[big] / per_epoch[small]:.1f}"
        for small, big in (("1k", "10k"), ("10k", "100k"))
        if small in per_epoch and big in per_epoch
    ]
    return f"- {name}: " + (", ".join(parts) or "needs two of the 1k, 10k, 100k rows")


def measure(name, epochs, backend, directory):
    """Baseline and fit child of each estimator for one case: a dict per estimator."""
    path, data_bytes = save_data(name, directory)
    row = {"epochs": epochs, "data_bytes": data_bytes}
    for estimator in ("ours", "mlp"):
        spec = {"estimator": estimator, "epochs": epochs, "data": path}
        print(f"measuring {name} {estimator} ...", file=sys.stderr, flush=True)
        baseline = in_subprocess({**spec, "fit": False}, backend)["peak"]
        fit = in_subprocess({**spec, "fit": True}, backend)
        row[estimator] = {**fit, "baseline": baseline, "fit_bytes": fit["peak"] - baseline}
    for suffix in ("-X.npy", "-X.npz", "-y.npy"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5, help="epochs per fit below 100k rows")
    parser.add_argument("--epochs-100k", type=int, default=3, help="epochs per fit at 100k rows")
    parser.add_argument("--quick", action="store_true", help=f"only the cases {', '.join(QUICK)}")
    parser.add_argument("--cases", help=f"comma-separated subset of: {', '.join(CASES)}")
    parser.add_argument(
        "--backend",
        default=os.environ.get("KERAS_BACKEND", "tensorflow"),
        choices=["tensorflow", "jax"],
        help="Keras backend of ours (default: $KERAS_BACKEND)",
    )
    parser.add_argument("--one", help=argparse.SUPPRESS)  # child: one measurement, as JSON
    args = parser.parse_args()

    if args.one:
        print(RESULT + json.dumps(run_one(json.loads(args.one))), flush=True)
        return

    names = args.cases.split(",") if args.cases else QUICK if args.quick else list(CASES)
    unknown = set(names) - set(CASES)
    if unknown:
        parser.error(f"unknown cases {sorted(unknown)}; choose from {', '.join(CASES)}")

    load_before = os.getloadavg()[0]
    rows = {}
    with tempfile.TemporaryDirectory(prefix="bench_scale-") as directory:
        for name in names:
            epochs = args.epochs_100k if CASES[name][0] >= 100_000 else args.epochs
            rows[name] = measure(name, epochs, args.backend, directory)
    load_after = os.getloadavg()[0]

    backend = next(iter(rows.values()))["ours"]["backend"]
    print(
        f"Scaling of one fit: skmultimlp (backend {backend}) vs sklearn MLPClassifier, hidden "
        f"{HIDDEN}, batch {BATCH}, same epochs for both (all run, checked); {os.cpu_count()} "
        f"CPUs, 1-min load average {load_before:.1f} before, {load_after:.1f} after."
    )
    print(
        "Each estimator is measured in its own fresh processes. '1st fit': the first fit of "
        "the process (ours: includes the backend's start-up and the compilation of the "
        "training loop); '2nd fit': an identical fit right after it in the same process."
    )
    print()
    print("Time per epoch (s):")
    print()
    print(
        "| case | varies | rows | features | labels | epochs | ours 1st fit | MLP 1st fit "
        "| ours/MLP 1st | ours 2nd fit | MLP 2nd fit | ours/MLP 2nd |"
    )
    print("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for name, row in rows.items():
        n_samples, n_features, n_labels, density, varies = CASES[name]
        features = f"{n_features} dense" if density is None else f"{n_features} CSR {density:.0%}"
        ours, mlp, e = row["ours"], row["mlp"], row["epochs"]
        print(
            f"| {name} | {varies} | {n_samples} | {features} | {n_labels} | {e} "
            f"| {ours['first_seconds'] / e:.4f} | {mlp['first_seconds'] / e:.4f} "
            f"| {ours['first_seconds'] / mlp['first_seconds']:.2f} "
            f"| {ours['seconds'] / e:.4f} | {mlp['seconds'] / e:.4f} "
            f"| {ours['seconds'] / mlp['seconds']:.2f} |"
        )

    print()
    print(
        "Peak memory (MB = 10**6 bytes; VmHWM of the process). 'baseline': a fresh process that "
        "imports the estimator's libraries, loads the data and builds the estimator, nothing "
        "more; 'peak': the same, plus its first fit; 'fit' = peak - baseline."
    )
    print()
    print(
        "| case | data MB | ours baseline | ours peak | ours fit | MLP baseline | MLP peak "
        "| MLP fit | ours fit / MLP fit |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|")
    for name, row in rows.items():
        ours, mlp = row["ours"], row["mlp"]
        ratio = ours["fit_bytes"] / mlp["fit_bytes"] if mlp["fit_bytes"] > 0 else float("nan")
        print(
            f"| {name} | {row['data_bytes'] / MB:.1f} | {ours['baseline'] / MB:.1f} "
            f"| {ours['peak'] / MB:.1f} | {ours['fit_bytes'] / MB:.1f} "
            f"| {mlp['baseline'] / MB:.1f} | {mlp['peak'] / MB:.1f} | {mlp['fit_bytes'] / MB:.1f} "
            f"| {ratio:.1f} |"
        )

    print()
    print("Linear in n_samples: per-epoch time ratios (10.0 = linear), 2nd fit")
    print(ratio_line("ours", rows, "ours", "seconds"))
    print(ratio_line("MLP", rows, "mlp", "seconds"))

    if "memory" in rows:
        row = rows["memory"]
        budget = 2 * row["data_bytes"] + row["ours"]["model_bytes"]
        n_samples, n_features, n_labels, _, _ = CASES["memory"]
        print()
        print(
            f"Memory target ({n_samples} x {n_features} float32 X, {n_labels} uint8 labels): "
            f"budget 2 x (X.nbytes + y.nbytes) + model size = 2 x {row['data_bytes'] / MB:.1f} + "
            f"{row['ours']['model_bytes'] / MB:.3f} = {budget / MB:.1f} MB, against the fit's "
            "memory (peak - baseline) of a first fit in a fresh process"
        )
        for label, key in (("ours", "ours"), ("MLP", "mlp")):
            fit = row[key]["fit_bytes"]
            verdict = "under" if fit < budget else "OVER"
            print(f"- {label}: fit {fit / MB:.1f} MB, {verdict} the budget")


if __name__ == "__main__":
    main()
