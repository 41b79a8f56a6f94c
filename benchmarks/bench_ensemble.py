"""Ensembles: what ``n_networks=5`` costs in fit time and gains in quality over one network.

Run: ``.venv/bin/python benchmarks/bench_ensemble.py [--backends jax tensorflow]
[--datasets NAME ...] [--cache FILE]``. It needs the data of ``benchmarks/bench_quality.py``
(the ``bench`` extra for yeast, ``make bench-data`` for emotions and flags; see its
docstring), whose data sets, loader, preprocessing, folds and scorers it reuses.

On every data set of ``bench_quality.DATASETS`` (or those of ``--datasets``):
``cross_validate`` of ``make_pipeline(<StandardScaler for dense features, TfidfTransformer
for sparse ones>, KerasMultiLabelClassifier(random_state=0))`` and of the same pipeline with
``KerasMultiLabelClassifier(n_networks=5, random_state=0)`` (every other parameter at its
default), over the same 5-fold ``MultilabelStratifiedKFold(shuffle=True, random_state=0)``
as ``bench_quality``. With ``n_networks=5`` the estimator trains 5 independently seeded
networks (own initialisation, dropout, shuffling and early-stopping split) and averages their
probabilities: on JAX as one vectorised program, on TensorFlow one after another.

Each backend runs in its own fresh process (Keras picks its backend at import). In that
process one small fit with ``n_networks=1`` and one with ``n_networks=5`` come first, as a
warm-up outside the tables (the backend's start-up), then every data set with ``n=1`` then
``n=5``. Before each run's folds, one fit of the same pipeline on the first training fold,
timed apart ("first fit s"), compiles the training program for the data's shapes: the
estimator keeps compiled loops across fits, and on TensorFlow the 5 networks of an ensemble
reuse the one loop of a single network of the same architecture, so without it the first
run on a data set would pay the compilation that the second gets for free. "fit s" (the mean
of ``cross_validate``'s ``fit_time`` over the 5 folds) is thus the cost of a fit once the
program is compiled, as in a search or a cross-validation; "first fit s" is the first fit
in the process, with compilation, except that on TensorFlow the ``n=5`` run comes after the
``n=1`` run and finds its loop compiled.

One table per backend, two rows per data set (``n_networks`` 1, then 5): hamming loss, exact
match, macro F1, micro F1 (mean ± standard deviation over the 5 folds), the mean fit time of
one fold and the first fit's time; the row of ``n=5`` adds the time ratio (n=5 / n=1, of
the mean fold times) and the differences n=5 minus n=1 of the mean hamming loss (negative:
the ensemble is better) and of the mean macro F1 (positive: better), each with the number
of folds (of 5) where the ensemble was strictly better. Then a summary line per backend:
the median time ratio over the data sets, the number of data sets where ``n=5`` lowers the
hamming loss and where it raises the macro F1, and the mean differences.

``--cache FILE`` (JSON): the fold scores of every finished (backend, data set, n) run are
written there as soon as the run ends, and runs found there are not refitted (marked
"cached" in the table), so an interrupted benchmark resumes. The key holds no version of
the code: delete the file when the estimator changes. A run that fails is reported in its
table row with its exception (the traceback after the tables) and is not cached.
"""

import argparse
import json
import os
import subprocess
import sys
import time
import traceback

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_quality  # noqa: E402  (the data sets, their loader and the scorers)

N_NETWORKS = (1, 5)
N_SPLITS = 5
METRICS = (  # (key, column name, digits)
    ("hamming", "hamming loss", 4),
    ("exact", "exact match", 3),
    ("macro", "macro F1", 3),
    ("micro", "micro F1", 3),
)


def pipeline(is_sparse, n_networks):
    """The pipeline of ``bench_quality`` for ours, with ``n_networks`` networks."""
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skmultimlp import KerasMultiLabelClassifier

    prep = TfidfTransformer() if is_sparse else StandardScaler()
    return make_pipeline(prep, KerasMultiLabelClassifier(n_networks=n_networks, random_state=0))


def folds():
    """The outer folds of ``bench_quality``."""
    from skmultimlp.model_selection import MultilabelStratifiedKFold

    return MultilabelStratifiedKFold(n_splits=N_SPLITS, shuffle=True, random_state=0)


def warm_up():
    """One small fit with each ``n_networks``: the backend's start-up, outside the tables."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 5))
    Y = (X[:, :3] > 0).astype(np.int8)
    start = time.perf_counter()
    for n in N_NETWORKS:
        pipeline(False, n).fit(X, Y)
    return time.perf_counter() - start


def evaluate(name, n_networks):
    """Fold scores of one (data set, n_networks) run in this process's backend."""
    from sklearn.model_selection import cross_validate

    X, Y, is_sparse = bench_quality.load(name)
    # The first fit on this data set, outside the folds' times: it compiles the training
    # program for the data's shapes (a shape of its own for each n on JAX).
    train, _ = next(folds().split(X, Y))
    start = time.perf_counter()
    pipeline(is_sparse, n_networks).fit(X[train], Y[train])
    first = time.perf_counter() - start
    scores = cross_validate(
        pipeline(is_sparse, n_networks),
        X,
        Y,
        cv=folds(),
        scoring=bench_quality.SCORING,
        error_score="raise",
    )
    return {
        "hamming": (-scores["test_neg_hamming_loss"]).tolist(),
        "exact": scores["test_exact_match"].tolist(),
        "macro": scores["test_f1_macro"].tolist(),
        "micro": scores["test_f1_micro"].tolist(),
        "fit": scores["fit_time"].tolist(),
        "first": first,
    }


def child(runs):
    """Run ``runs`` ("data set|n" strings) in this process; one JSON line per finished run."""
    import keras

    backend = keras.backend.backend()
    seconds = warm_up()
    print(f"[{backend}] warm-up {seconds:.1f} s", file=sys.stderr, flush=True)
    for run in runs:
        name, n = run.rsplit("|", 1)
        start = time.perf_counter()
        try:
            out = {"run": run, "scores": evaluate(name, int(n))}
        except Exception as exc:  # reported in the table, and the other runs go on
            out = {"run": run, "error": f"{type(exc).__name__}: {exc}".strip()}
            out["traceback"] = traceback.format_exc()
        seconds = time.perf_counter() - start
        state = "failed" if "error" in out else "done"
        print(f"[{backend}] {name}, n={n}: {state} in {seconds:.0f} s", file=sys.stderr, flush=True)
        print(json.dumps(out), flush=True)


def cache_key(backend, name, n_networks):
    return f"{backend} | {name} | n_networks={n_networks}"


def in_child(backend, runs, cache, cache_file):
    """Run ``runs`` [(data set, n)] in a fresh process with ``KERAS_BACKEND=backend``.

    Each finished run goes into ``cache`` (and ``cache_file``) as it arrives. Returns
    {(data set, n): error} of the runs that failed (a crash of the process fails those it
    had not finished)."""
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "2"}
    args = [f"{name}|{n}" for name, n in runs]
    proc = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "--child", *args],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    errors = {}
    pending = set(runs)
    for line in proc.stdout:
        if not line.startswith("{"):
            continue  # a library's stray print
        out = json.loads(line)
        name, n = out["run"].rsplit("|", 1)
        run = (name, int(n))
        pending.discard(run)
        if "error" in out:
            errors[run] = (out["error"], out["traceback"])
            continue
        cache[cache_key(backend, *run)] = out["scores"]
        if cache_file:
            with open(cache_file, "w") as fh:
                json.dump(cache, fh, indent=1)
    if proc.wait():
        for run in pending:
            errors[run] = (f"the {backend} process exited with status {proc.returncode}", "")
    return errors


def mean_std(values, digits):
    values = np.asarray(values)
    return f"{values.mean():.{digits}f} ± {values.std():.{digits}f}"


def compare(one, ens):
    """Differences n=5 minus n=1 of the mean hamming loss and macro F1, and the folds
    where the ensemble was strictly better."""
    one = {k: np.asarray(v) for k, v in one.items()}
    ens = {k: np.asarray(v) for k, v in ens.items()}
    return {
        "ratio": ens["fit"].mean() / one["fit"].mean(),
        "hamming": ens["hamming"].mean() - one["hamming"].mean(),
        "hamming_wins": int((ens["hamming"] < one["hamming"]).sum()),
        "macro": ens["macro"].mean() - one["macro"].mean(),
        "macro_wins": int((ens["macro"] > one["macro"]).sum()),
    }


def table(backend, names, cache, errors, cached):
    """Print the table of one backend, two rows per data set (n=1, then n=5 with the
    comparison); return {data set: compare(...)} of the data sets with both runs."""
    print(f"### {backend}")
    print()
    print(
        "| data set | n_networks | hamming loss | exact match | macro F1 | micro F1 | fit s "
        "| first fit s | time n=5 / n=1 | Δ hamming (n=5 − n=1) | Δ macro F1 (n=5 − n=1) |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    diffs = {}
    for name in names:
        rows = {}
        for n in N_NETWORKS:
            key = cache_key(backend, name, n)
            label = f"{n}{' (cached)' if (name, n) in cached else ''}"
            if key not in cache:
                reason = errors.get((name, n), ("not run",))[0].splitlines()[0][:200]
                print(f"| {name} | {label} | failed: {reason} | | | | | | | | |", flush=True)
                continue
            rows[n] = row = cache[key]
            cells = [mean_std(row[k], digits) for k, _, digits in METRICS]
            cells.append(f"{np.mean(row['fit']):.2f}")
            cells.append(f"{row['first']:.2f}")
            if n == N_NETWORKS[-1] and len(rows) == len(N_NETWORKS):
                d = diffs[name] = compare(rows[N_NETWORKS[0]], row)
                cells += [
                    f"{d['ratio']:.2f}",
                    f"{d['hamming']:+.4f} (better in {d['hamming_wins']}/{N_SPLITS} folds)",
                    f"{d['macro']:+.3f} (better in {d['macro_wins']}/{N_SPLITS} folds)",
                ]
            else:
                cells += ["", "", ""]
            print(f"| {name} | {label} | " + " | ".join(cells) + " |", flush=True)
    return diffs


def summary(backend, diffs, n_names):
    if not diffs:
        return f"- {backend}: no data set with both runs complete"
    ratios = [d["ratio"] for d in diffs.values()]
    hamming = [d["hamming"] for d in diffs.values()]
    macro = [d["macro"] for d in diffs.values()]
    return (
        f"- {backend}: {len(diffs)} of {n_names} data sets complete; median time ratio "
        f"n=5 / n=1 {np.median(ratios):.2f} (range {min(ratios):.2f} .. {max(ratios):.2f}); "
        f"n=5 lowers the hamming loss on {sum(h < 0 for h in hamming)} of {len(diffs)} "
        f"(mean difference {np.mean(hamming):+.4f}) and raises the macro F1 on "
        f"{sum(m > 0 for m in macro)} of {len(diffs)} (mean difference {np.mean(macro):+.3f})"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=["jax", "tensorflow"])
    parser.add_argument(
        "--datasets", nargs="+", choices=list(bench_quality.DATASETS), metavar="NAME"
    )
    parser.add_argument(
        "--cache",
        metavar="FILE",
        help="JSON file of finished (backend, data set, n) runs: read, and written after each",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    names = [n for n in bench_quality.DATASETS if not args.datasets or n in args.datasets]
    for name in names:  # a missing data set stops the run here, before any fit
        bench_quality.load(name)
    cache = {}
    if args.cache and os.path.exists(args.cache):
        with open(args.cache) as fh:
            cache = json.load(fh)
    print(
        f"KerasMultiLabelClassifier(random_state=0) vs (n_networks=5, random_state=0), "
        f"{N_SPLITS}-fold MultilabelStratifiedKFold(shuffle=True, random_state=0), "
        f"{os.cpu_count()} CPUs"
    )
    lines, tracebacks = [], []
    for backend in args.backends:
        runs = [(name, n) for name in names for n in N_NETWORKS]
        cached = {r for r in runs if cache_key(backend, *r) in cache}
        todo = [r for r in runs if r not in cached]
        errors = in_child(backend, todo, cache, args.cache) if todo else {}
        print()
        diffs = table(backend, names, cache, errors, cached)
        lines.append(summary(backend, diffs, len(names)))
        tracebacks += [(backend, run, tb) for run, (_, tb) in errors.items() if tb]
    print()
    print("Summary (differences are n=5 minus n=1, means over the folds):")
    for line in lines:
        print(line)
    for backend, (name, n), tb in tracebacks:
        print()
        print(f"Traceback, {backend}, {name}, n_networks={n}:")
        print(tb.rstrip())


if __name__ == "__main__":
    main()
