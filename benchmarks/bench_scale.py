"""Scaling: time per epoch and peak memory of one fit, skmultimlp vs scikit-learn's MLPClassifier.

Run: ``.venv/bin/python benchmarks/bench_scale.py [--quick] [--epochs 5] [--backend jax]``

Both estimators train the same network (hidden layer of 20 ReLU units, one sigmoid output
per label, Adam 1e-3, batch 32, all epochs run) as the problem grows along each axis:

* n_samples 1k, 10k, 100k (10 dense features, 3 labels);
* n_features 10 dense vs 1000 sparse (CSR, 1 % density) at 10k samples;
* n_labels 3, 100, 1000 at 10k samples and 10 features;
* the memory target: 100k x 100 dense float32 X with 50 labels, where the fit's peak memory
  should stay under 2 x (X.nbytes + y.nbytes) + model size.

Data is synthetic (seeded): X is standard normal (dense) or ``scipy.sparse.random`` (CSR),
and each label is a thresholded random linear function of X plus noise, so it is learnable.

Each fit runs in a fresh subprocess of this script, so peak memory belongs to that fit alone:
peak = VmHWM during ``fit`` (reset just before it through /proc/self/clear_refs) minus the RSS
before ``fit``, in MB (10**6 bytes). Seconds per epoch = ``fit`` time / epochs. Our first fit
of a shape pays the backend start-up and the compilation of the training loop, which is
specialised to the data's shape and the number of epochs, so ours is timed on a second,
identical fit; the first fit's time is shown apart. Linux only (reads /proc).
"""

import argparse
import gc
import json
import os
import subprocess
import sys
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


def reset_peak():
    """Reset the peak RSS (VmHWM) to the current RSS; return that, in bytes."""
    gc.collect()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    return _proc_status_kb("VmHWM") * 1024


def measured_fit(est, X, y):
    """Seconds and peak memory above the starting RSS (bytes) of ``est.fit(X, y)``."""
    before = reset_peak()
    start = time.perf_counter()
    est.fit(X, y)
    seconds = time.perf_counter() - start
    return seconds, _proc_status_kb("VmHWM") * 1024 - before


def run_one(spec):
    """Child process: build the case's data, fit one estimator, return its measurements."""
    n_samples, n_features, n_labels, density, _ = CASES[spec["case"]]
    epochs = spec["epochs"]
    X, y = make_data(n_samples, n_features, n_labels, density)
    x_bytes = X.data.nbytes + X.indices.nbytes + X.indptr.nbytes if sp.issparse(X) else X.nbytes
    out = {"data_bytes": x_bytes + y.nbytes}
    if spec["estimator"] == "ours":
        import keras

        from skmultimlp import KerasMultiLabelClassifier

        est = KerasMultiLabelClassifier(
            HIDDEN, epochs=epochs, batch_size=BATCH, random_state=SEED, **PLAIN
        )
        # First fit: backend start-up and compilation for this shape and number of epochs.
        out["first_seconds"], out["first_peak"] = measured_fit(est, X, y)
        out["backend"] = keras.backend.backend()
        out["model_bytes"] = 4 * est.model_.count_params()  # float32 weights
    else:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier

        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        est = MLPClassifier(
            HIDDEN,
            batch_size=BATCH,
            max_iter=epochs,
            tol=0,
            n_iter_no_change=epochs + 1,
            random_state=SEED,
        )
    out["seconds"], out["peak"] = measured_fit(est, X, y)
    if est.n_iter_ != epochs:
        raise RuntimeError(f"{spec['estimator']} ran {est.n_iter_} epochs, not {epochs}")
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


def ratio_line(name, rows, key):
    per_epoch = {case: r[key]["seconds"] / r["epochs"] for case, r in rows.items()}
    parts = [
        f"{big}/{small} = {per_epoch[big] / per_epoch[small]:.1f}"
        for small, big in (("1k", "10k"), ("10k", "100k"))
        if small in per_epoch and big in per_epoch
    ]
    return f"- {name}: " + (", ".join(parts) or "needs two of the 1k, 10k, 100k rows")


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
    for name in names:
        n_samples = CASES[name][0]
        epochs = args.epochs_100k if n_samples >= 100_000 else args.epochs
        row = {"epochs": epochs}
        for estimator in ("ours", "mlp"):
            print(f"measuring {name} {estimator} ...", file=sys.stderr, flush=True)
            spec = {"case": name, "estimator": estimator, "epochs": epochs}
            row[estimator] = in_subprocess(spec, args.backend)
        rows[name] = row
    load_after = os.getloadavg()[0]

    backend = next(iter(rows.values()))["ours"]["backend"]
    print(
        f"Scaling of one fit: skmultimlp (backend {backend}) vs sklearn MLPClassifier, hidden "
        f"{HIDDEN}, batch {BATCH}; {os.cpu_count()} CPUs, 1-min load average "
        f"{load_before:.1f} before, {load_after:.1f} after."
    )
    print(
        "Each fit in a fresh process. Ours is timed on a second, identical fit: the first one "
        "(compilation + backend start-up) is excluded and shown as 'ours 1st fit s'. "
        "Peak = peak RSS during fit - RSS before fit; below about 1 MB it is noise (memory "
        "freed by earlier work in the process is reused)."
    )
    print()
    print(
        "| case | varies | rows | features | labels | epochs | ours s/epoch | MLP s/epoch "
        "| ours/MLP | ours peak MB | MLP peak MB | ours 1st fit s |"
    )
    print("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for name, row in rows.items():
        n_samples, n_features, n_labels, density, varies = CASES[name]
        features = f"{n_features} dense" if density is None else f"{n_features} CSR {density:.0%}"
        ours = row["ours"]["seconds"] / row["epochs"]
        mlp = row["mlp"]["seconds"] / row["epochs"]
        print(
            f"| {name} | {varies} | {n_samples} | {features} | {n_labels} | {row['epochs']} "
            f"| {ours:.4f} | {mlp:.4f} | {ours / mlp:.2f} | {row['ours']['peak'] / MB:.1f} "
            f"| {row['mlp']['peak'] / MB:.1f} | {row['ours']['first_seconds']:.2f} |"
        )

    print()
    print("Linear in n_samples: per-epoch time ratios (10.0 = linear)")
    print(ratio_line("ours", rows, "ours"))
    print(ratio_line("MLP", rows, "mlp"))

    if "memory" in rows:
        ours, mlp = rows["memory"]["ours"], rows["memory"]["mlp"]
        budget = 2 * ours["data_bytes"] + ours["model_bytes"]
        n_samples, n_features, n_labels, _, _ = CASES["memory"]
        print()
        print(
            f"Memory target ({n_samples} x {n_features} float32 X, {n_labels} uint8 labels): "
            f"budget 2 x (X.nbytes + y.nbytes) + model size = 2 x {ours['data_bytes'] / MB:.1f} + "
            f"{ours['model_bytes'] / MB:.3f} = {budget / MB:.1f} MB"
        )
        for label, peak in (
            ("ours", ours["peak"]),
            ("ours, first fit of the process (adds start-up and compilation)", ours["first_peak"]),
            ("MLP", mlp["peak"]),
        ):
            verdict = "under" if peak < budget else "OVER"
            print(f"- {label}: peak {peak / MB:.1f} MB, {verdict} the budget")


if __name__ == "__main__":
    main()
