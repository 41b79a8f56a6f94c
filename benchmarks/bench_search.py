"""Grid search: BatchedGridSearchCV vs GridSearchCV(ours) vs GridSearchCV(MLPClassifier).

Run: ``.venv/bin/python benchmarks/bench_search.py [--backends jax tensorflow]``

The grid: ``hidden_layer_sizes`` in {(10,), (20,), (50,), (100,)} x learning rate in
{1e-3, 1e-2}, over ``RepeatedKFold(n_splits=10, n_repeats=3, random_state=1)`` of the
reference data: 8 candidates x 30 folds = 240 fits, plus the refit of the best candidate.
Every fit runs all 100 epochs (batch 32, no L2 penalty, no early stopping): ours is the
tutorial's network (no dropout, zero output bias) and ``MLPClassifier`` gets ``alpha=0``,
``tol=0`` and ``n_iter_no_change=100``. All are scored by exact-match accuracy.

Each measurement runs in a fresh process (Keras picks its backend at import). "cold s"
is the first search in that process (start-up of the backend and every compilation
included); "warm s" repeats it in the same process. The ratio column divides by
GridSearchCV(MLPClassifier)'s time of the same run. The batched search is checked
against GridSearchCV(ours) on the same backend: the same ``best_params_`` and the largest
difference of ``mean_test_score``.

GFLOP/s: the arithmetic of training (forward and backward pass, about 6 flops per weight
per row, on the real rows of every epoch of every fit) over the batched search's warm
time, next to a plain float32 matmul (1024 x 1024) on the same machine, in numpy and in
JAX: how close the batched program gets to the machine's limit.

``--memory``: peak resident memory of a fresh process that runs the batched search (JAX),
next to the same process before the search, and what the networks' state and the folds'
data take; then the same for GridSearchCV(ours) in another fresh process.
"""

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import time
import warnings

EPOCHS, BATCH = 100, 32
WIDTHS = [(10,), (20,), (50,), (100,)]
RATES = [1e-3, 1e-2]
TUTORIAL = dict(early_stopping=False, dropout=0.0, output_bias_init="zeros")


def _setup():
    from sklearn.model_selection import RepeatedKFold

    from skmultimlp import load_reference

    X, y = load_reference()
    return X, y, RepeatedKFold(n_splits=10, n_repeats=3, random_state=1)


def _ours():
    from skmultimlp import KerasMultiLabelClassifier

    return KerasMultiLabelClassifier(epochs=EPOCHS, batch_size=BATCH, random_state=1, **TUTORIAL)


def _search(cls, estimator, grid):
    from skmultimlp import SCORERS

    X, y, cv = _setup()
    start = time.perf_counter()
    search = cls(estimator, grid, cv=cv, scoring=SCORERS["exact_match"]).fit(X, y)
    seconds = time.perf_counter() - start
    return search, seconds


def _result(search, cold, warm=None):
    results = search.cv_results_
    return {
        "fits": len(results["params"]) * search.n_splits_,
        "cold": cold,
        "warm": warm,
        "best_params": {k: repr(v) for k, v in search.best_params_.items()},
        "best_score": float(search.best_score_),
        "best_std": float(results["std_test_score"][search.best_index_]),
        "mean_test_score": [float(s) for s in results["mean_test_score"]],
    }


def run_batched():
    from skmultimlp.model_selection import BatchedGridSearchCV

    grid = {"hidden_layer_sizes": WIDTHS, "learning_rate": RATES}
    _, cold = _search(BatchedGridSearchCV, _ours(), grid)
    search, warm = _search(BatchedGridSearchCV, _ours(), grid)
    return _result(search, cold, warm)


def run_grid_ours():
    from sklearn.model_selection import GridSearchCV

    grid = {"hidden_layer_sizes": WIDTHS, "learning_rate": RATES}
    search, cold = _search(GridSearchCV, _ours(), grid)
    return _result(search, cold)


def run_grid_mlp():
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import GridSearchCV
    from sklearn.neural_network import MLPClassifier

    mlp = MLPClassifier(
        alpha=0.0,
        batch_size=BATCH,
        max_iter=EPOCHS,
        tol=0.0,
        n_iter_no_change=EPOCHS,
        random_state=1,
    )
    grid = {"hidden_layer_sizes": WIDTHS, "learning_rate_init": RATES}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        search, cold = _search(GridSearchCV, mlp, grid)
    result = _result(search, cold)
    # The same names as ours, to compare the best candidates.
    rate = result["best_params"].pop("learning_rate_init")
    result["best_params"]["learning_rate"] = rate
    return result


def run_matmul():
    import numpy as np

    a = np.random.RandomState(0).rand(1024, 1024).astype(np.float32)
    flops = 2 * 1024**3
    out = {}
    a @ a
    start = time.perf_counter()
    for _ in range(10):
        a @ a
    out["numpy"] = 10 * flops / (time.perf_counter() - start) / 1e9
    if importlib.util.find_spec("jax"):
        import jax
        import jax.numpy as jnp

        b = jnp.asarray(a)
        mm = jax.jit(lambda x: x @ x)
        mm(b).block_until_ready()
        start = time.perf_counter()
        for _ in range(10):
            mm(b).block_until_ready()
        out["jax"] = 10 * flops / (time.perf_counter() - start) / 1e9
    return out


def run_memory(search_cls=None):
    import numpy as np
    from sklearn.model_selection import GridSearchCV

    from skmultimlp.model_selection import BatchedGridSearchCV

    X, y, cv = _setup()
    grid = {"hidden_layer_sizes": WIDTHS, "learning_rate": RATES}
    est = _ours()
    import jax  # noqa: F401  (the backend's own start-up is not the search's memory)
    import keras  # noqa: F401

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    search_cls = search_cls or BatchedGridSearchCV
    search_cls(est, grid, cv=cv).fit(X, y)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if search_cls is GridSearchCV:
        return {"rss_before_mib": before / 1024, "rss_peak_mib": after / 1024}
    n_folds = cv.get_n_splits()
    weights = sum((X.shape[1] * h + h + h * y.shape[1] + y.shape[1]) for (h,) in WIDTHS) * len(
        RATES
    )
    return {
        "rss_before_mib": before / 1024,
        "rss_peak_mib": after / 1024,
        # Weights, Adam's two moments: 3 float32 copies per network and fold.
        "network_state_mib": 3 * 4 * weights * n_folds / 2**20,
        "fold_data_mib": n_folds * 900 * (X.shape[1] * 4 + y.shape[1]) / 2**20,
        "data_mib": X.nbytes / 2**20 + np.asarray(y).nbytes / 2**20,
    }


RUNNERS = {
    "batched": run_batched,
    "grid_ours": run_grid_ours,
    "grid_mlp": run_grid_mlp,
    "matmul": run_matmul,
    "memory": run_memory,
    "memory_grid": lambda: run_memory(_grid_search_cv()),
}


def _grid_search_cv():
    from sklearn.model_selection import GridSearchCV

    return GridSearchCV


def in_child(runner, backend):
    """Run one measurement in a fresh process with ``KERAS_BACKEND=backend``."""
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "2"}
    out = subprocess.run(
        [sys.executable, __file__, "--child", runner],
        env=env,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise RuntimeError(f"{runner} ({backend}) failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _training_gflop():
    """Training arithmetic of the whole grid: ~6 flops per weight per row and epoch."""
    n_train, n_features, n_labels, n_folds = 900, 10, 3, 30
    weights = sum(n_features * h + h * n_labels for (h,) in WIDTHS) * len(RATES)
    return 6 * weights * n_train * EPOCHS * n_folds / 1e9


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=["jax", "tensorflow"])
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--child", choices=sorted(RUNNERS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(RUNNERS[args.child]()))
        return
    if args.memory:
        for runner, name in [("memory", "BatchedGridSearchCV"), ("memory_grid", "GridSearchCV")]:
            m = in_child(runner, "jax")
            print(f"Peak memory of {name}(ours), 8 candidates x 30 folds (JAX, fresh process)")
            for key, value in m.items():
                print(f"- {key}: {value:.1f}")
        return

    backends = [b for b in args.backends if b == "tensorflow" or importlib.util.find_spec(b)]
    rows = []
    for backend in backends:
        rows.append(
            (f"BatchedGridSearchCV(ours, {backend})", backend, in_child("batched", backend))
        )
        rows.append((f"GridSearchCV(ours, {backend})", backend, in_child("grid_ours", backend)))
    mlp = in_child("grid_mlp", "tensorflow")
    rows.append(("GridSearchCV(MLPClassifier)", None, mlp))
    matmul = in_child("matmul", backends[0])

    print(
        f"Grid search, 4 widths x 2 learning rates x RepeatedKFold(10, 3) = 240 fits of "
        f"{EPOCHS} epochs (+ refit), reference data, {os.cpu_count()} CPUs"
    )
    print()
    print("| search | fits | cold s | warm s | cold / MLP | warm / MLP | best | best exact-match |")
    print("|---|---|---|---|---|---|---|---|")
    for name, _, r in rows:
        warm = "" if r["warm"] is None else f"{r['warm']:.2f}"
        warm_ratio = "" if r["warm"] is None else f"{r['warm'] / mlp['cold']:.3f}"
        best = ", ".join(f"{k}={v}" for k, v in sorted(r["best_params"].items()))
        print(
            f"| {name} | {r['fits']} | {r['cold']:.2f} | {warm} | {r['cold'] / mlp['cold']:.3f} "
            f"| {warm_ratio} | {best} | {r['best_score']:.3f} ± {r['best_std']:.3f} |"
        )
    print()
    gflop = _training_gflop()
    for backend in backends:
        batched = next(r for _, b, r in rows if b == backend and r["warm"] is not None)
        plain = next(r for _, b, r in rows if b == backend and r["warm"] is None)
        diff = max(
            abs(a - b)
            for a, b in zip(batched["mean_test_score"], plain["mean_test_score"], strict=True)
        )
        same = batched["best_params"] == plain["best_params"]
        print(
            f"- {backend}: batched / GridSearchCV(MLPClassifier) = "
            f"{batched['cold'] / mlp['cold']:.3f} cold, {batched['warm'] / mlp['cold']:.3f} "
            f"warm (target <= 0.05, moonshot 0.033); same best candidate as "
            f"GridSearchCV(ours): {same}; largest mean_test_score difference {diff:.2e}; "
            f"{gflop / batched['warm']:.1f} GFLOP/s of training arithmetic ({gflop:.1f} GFLOP)"
        )
    plain_mm = ", ".join(f"{k} {v:.0f} GFLOP/s" for k, v in matmul.items())
    print(f"- a plain float32 matmul (1024^3) on this machine: {plain_mm}")


if __name__ == "__main__":
    main()
