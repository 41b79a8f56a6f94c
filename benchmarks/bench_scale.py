"""Scaling: time per epoch and peak memory of one fit, skmultimlp vs scikit-learn's MLPClassifier.

Run: ``.venv/bin/python benchmarks/bench_scale.py [--quick] [--epochs 5] [--backend jax]``
Text-like cases: ``.venv/bin/python benchmarks/bench_scale.py --text [--skip-mlp]`` (all of
them; long, several GB), ``--text-quick`` (tiny, a minute or two: checks the script end to
end) or ``--cases text-200k,text-25k,...`` (any cases, dense and text, can be mixed).

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

Text-like cases (``--text``): a TF-IDF-like CSR float32 X of 50,000 columns and a sparse
uint8 CSR y, hidden layer of 256, batch 256 on both sides, one epoch per fit (Adam 1e-3, no
weight penalty, no dropout, no early stopping, as above):

* text-200k: 200,000 rows x 2,000 labels; text-100k-10k: 100,000 rows x 10,000 labels;
* growth points, cheap, for the extrapolation: 25k and 50k rows x 2,000 labels, 25k rows x
  5,000 and 10,000 labels, 50k rows x 5,000 labels;
* ``--text-quick``: the same at 5,000 columns, 10k and 20k rows x 200 and 500 labels.

X: each row draws a lognormal number of tokens from a Zipf vocabulary (term j with
probability proportional to 1/(j+1)**1.07), sized for about 60 distinct terms a row
(duplicate draws are merged into counts); values are tf x smooth idf as ``TfidfVectorizer``
computes them, each row L2-normalised. y: label l has a prior rate proportional to 1/(l+1)
(about 2.7 labels a row in all) and three topic terms of its own whose document frequency
matches that rate; a row has a label when it contains one of its topic terms (90 % of those
kept), plus a few labels drawn from the prior at random. The realised nnz a row, labels a row
and label frequencies are printed. y goes to both estimators as the sparse matrix:
MLPClassifier accepts it, but binarises it into dense arrays (the largest an int64 copy), so
its memory includes a dense y. MLPClassifier is not run where that would need more than
20 GB or the memory available (an estimate is printed instead), nor on text-100k-10k with
``--skip-mlp``. Ours fits twice per process as above (seconds/epoch from the second, warm,
fit); MLPClassifier, which compiles and caches nothing, once.

Definitions for the text cases: size = bytes of X as CSR (data + indices + indptr) + y as CSR
+ the weights (every kernel and bias as float32: n_features*256 + 256 + 256*labels + labels
floats) + Adam's state (2 x the weights). Memory target: ours' fit MB / size <= 1.5. Time
target: ours' second-fit seconds/epoch / MLPClassifier's <= 0.2. Extrapolation to 2,000,000
rows x 10,000 labels: linear least squares over the text cases measured (per estimator) of
seconds/epoch = a + b*rows + c*rows*labels and of fit MB = a + b*rows + c*labels +
d*rows*labels; the coefficients, the prediction and the largest residual are printed.

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

# Text-like cases: TF-IDF-like CSR X with a Zipf vocabulary, sparse 0/1 y with Zipf label
# frequencies, hidden (256,), batch 256 on both sides, one epoch per fit.
TEXT_HIDDEN, TEXT_BATCH, TEXT_EPOCHS = (256,), 256, 1
# name: (rows, columns, labels, role); "growth" and "quick" points feed the extrapolation.
TEXT_CASES = {
    "text-200k": (200_000, 50_000, 2_000, "target"),
    "text-100k-10k": (100_000, 50_000, 10_000, "target"),
    "text-25k": (25_000, 50_000, 2_000, "growth"),
    "text-50k": (50_000, 50_000, 2_000, "growth"),
    "text-25k-5k": (25_000, 50_000, 5_000, "growth"),
    "text-25k-10k": (25_000, 50_000, 10_000, "growth"),
    "text-50k-5k": (50_000, 50_000, 5_000, "growth"),
    "text-quick": (20_000, 5_000, 200, "quick"),
    "text-quick-10k": (10_000, 5_000, 200, "quick"),
    "text-quick-10k-500": (10_000, 5_000, 500, "quick"),
    "text-quick-20k-500": (20_000, 5_000, 500, "quick"),
}
TEXT = [name for name, case in TEXT_CASES.items() if case[3] != "quick"]
TEXT_QUICK = [name for name, case in TEXT_CASES.items() if case[3] == "quick"]
EXTRAPOLATE_TO = (2_000_000, 10_000)  # rows, labels
ZIPF_TERMS, ZIPF_LABELS = 1.07, 1.0  # p(term j) ~ 1/(j+1)**1.07, p(label l) ~ 1/(l+1)
NNZ_PER_ROW, LENGTH_SIGMA = 60, 0.5  # mean distinct terms a row, lognormal spread of lengths
TOPIC_TERMS, STOP_TERMS = 3, 100  # topic terms per label, most frequent terms never topical
HITS_PER_ROW, KEEP, EXTRA_PER_ROW = 2.7, 0.9, 0.3  # label model: see make_text_labels
MEMORY_TARGET, TIME_TARGET = 1.5, 0.2  # ours: fit MB / size, warm s/epoch / MLP's
MLP_MAX_BYTES = 20e9  # MLPClassifier is not run where its estimated fit memory exceeds this


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


def _expected_distinct(p, tokens):
    """Expected number of distinct terms among ``tokens`` draws from the distribution p."""
    return float(np.sum(-np.expm1(tokens * np.log1p(-p))))


def make_text_data(n_samples, n_features, seed=SEED):
    """Seeded TF-IDF-like CSR float32 X: Zipf vocabulary, about 60 distinct terms a row.

    Each row draws a lognormal number of tokens, each a term j with probability
    proportional to 1/(j+1)**1.07; repeated terms are merged into counts (tf). Values are
    tf * idf with ``TfidfVectorizer``'s smooth idf, ln((1+n)/(1+df)) + 1, and each row is
    L2-normalised. Returns X and each term's document frequency.
    """
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, n_features + 1) ** ZIPF_TERMS
    p /= p.sum()
    # Mean tokens a row at which the expected number of distinct terms is NNZ_PER_ROW.
    low, high = float(NNZ_PER_ROW), 100.0 * NNZ_PER_ROW
    for _ in range(60):
        mid = (low + high) / 2
        low, high = (mid, high) if _expected_distinct(p, mid) < NNZ_PER_ROW else (low, mid)
    mu = np.log(low) - LENGTH_SIGMA**2 / 2  # lognormal with mean `low`
    tokens = np.maximum(1, np.round(rng.lognormal(mu, LENGTH_SIGMA, n_samples))).astype(np.int64)
    cdf = np.cumsum(p)
    terms = np.searchsorted(cdf, rng.random(int(tokens.sum())) * cdf[-1]).astype(np.int32)
    np.minimum(terms, n_features - 1, out=terms)
    rows = np.repeat(np.arange(n_samples, dtype=np.int32), tokens)
    counts = np.ones(terms.size, dtype=np.float32)
    X = sp.csr_matrix((counts, (rows, terms)), shape=(n_samples, n_features))
    X.sum_duplicates()  # duplicate draws of a term in a row: one entry, its count
    del rows, terms, counts
    df = np.bincount(X.indices, minlength=n_features)
    idf = (np.log((1.0 + n_samples) / (1.0 + df)) + 1.0).astype(np.float32)
    X.data *= idf[X.indices]
    norms = np.sqrt(np.add.reduceat(X.data**2, X.indptr[:-1]))  # every row has a term
    X.data /= np.repeat(norms, np.diff(X.indptr))
    return X, df


def make_text_labels(X, df, n_labels, seed=SEED):
    """Seeded sparse uint8 CSR y with Zipf label frequencies, learnable from X.

    Label l (0 = most frequent) has a prior rate proportional to 1/(l+1), scaled to
    HITS_PER_ROW labels a row in all, and TOPIC_TERMS topic terms of its own, taken
    (below the STOP_TERMS most frequent terms) where a term's document frequency is about
    its share of that rate, the frequent labels' first: where the vocabulary's tail runs out
    the rarest labels get the rarest terms. A row has label l when it contains one of l's
    topic terms (each such positive is kept with probability KEEP), plus a Poisson number
    (mean EXTRA_PER_ROW) of labels drawn from the prior, at random.
    """
    rng = np.random.default_rng([seed, 1])
    n_samples, n_features = X.shape
    prior = 1.0 / np.arange(1, n_labels + 1) ** ZIPF_LABELS
    prior /= prior.sum()
    order = np.argsort(-df, kind="stable")[STOP_TERMS:]  # candidate terms, most frequent first
    wanted = np.searchsorted(-df[order] / n_samples, -HITS_PER_ROW * prior / TOPIC_TERMS)
    step = TOPIC_TERMS * np.arange(n_labels)  # blocks of TOPIC_TERMS terms that never overlap
    start = np.minimum(step + np.maximum.accumulate(wanted - step), order.size - TOPIC_TERMS)
    topic = order[start[:, None] + np.arange(TOPIC_TERMS)]
    T = sp.csr_matrix(
        (
            np.ones(topic.size, dtype=np.float32),
            (topic.ravel(), np.repeat(np.arange(n_labels), TOPIC_TERMS)),
        ),
        shape=(n_features, n_labels),
    )
    present = X.copy()
    present.data[:] = 1.0
    hits = (present @ T).tocoo()  # row x label: how many of the label's topic terms it has
    del present
    kept = rng.random(hits.nnz) < KEEP
    extra_rows = np.repeat(np.arange(n_samples), rng.poisson(EXTRA_PER_ROW, n_samples))
    extra_labels = np.searchsorted(np.cumsum(prior), rng.random(extra_rows.size) * prior.sum())
    rows = np.concatenate([hits.row[kept], extra_rows])
    labels = np.concatenate([hits.col[kept], np.minimum(extra_labels, n_labels - 1)])
    y = sp.csr_matrix(
        (np.ones(rows.size, dtype=np.uint8), (rows, labels)), shape=(n_samples, n_labels)
    )
    y.sum_duplicates()
    y.data[:] = 1
    return y


def csr_bytes(m):
    return m.data.nbytes + m.indices.nbytes + m.indptr.nbytes


def text_weights(n_features, n_labels):
    """Number of kernel and bias floats of the text network (one hidden layer of 256)."""
    (hidden,) = TEXT_HIDDEN
    return n_features * hidden + hidden + hidden * n_labels + n_labels


def mlp_estimate_bytes(n_samples, n_features, n_labels):
    """Rough fit memory of MLPClassifier on a text case (checked against the measured one).

    Its label binarisation holds the labels dense three times at once (the uint8 array of
    the sparse y, a copy, an int64 copy: 10 bytes a row and label); training holds the
    float32 weights, Adam's two moments and about as much again in per-batch gradients and
    temporaries, plus float64 activations of a batch.
    """
    return 10 * n_samples * n_labels + 6 * 4 * text_weights(n_features, n_labels)


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


def save_text_data(case, directory):
    """Make a text case's X and y once, in this process, and save both as .npz."""
    n_samples, n_features, n_labels, _ = TEXT_CASES[case]
    start = time.perf_counter()
    X, df = make_text_data(n_samples, n_features)
    y = make_text_labels(X, df, n_labels)
    seconds = time.perf_counter() - start
    path = os.path.join(directory, case)
    sp.save_npz(path + "-X.npz", X, compressed=False)
    sp.save_npz(path + "-y.npz", y, compressed=False)
    positives = np.bincount(y.indices, minlength=n_labels)
    info = {
        "seconds": seconds,
        "x_bytes": csr_bytes(X),
        "y_bytes": csr_bytes(y),
        "nnz_per_row": X.nnz / n_samples,
        "labels_per_row": y.nnz / n_samples,
        "top_label": float(positives.max() / n_samples),
        "median_positives": float(np.median(positives)),
        "under_5": int((positives < 5).sum()),
    }
    return path, info


def load_data(path):
    X = (
        sp.load_npz(path + "-X.npz")
        if os.path.exists(path + "-X.npz")
        else np.load(path + "-X.npy")
    )
    y = (
        sp.load_npz(path + "-y.npz")
        if os.path.exists(path + "-y.npz")
        else np.load(path + "-y.npy")
    )
    return X, y


def make_estimator(name, epochs, hidden=HIDDEN, batch=BATCH):
    """Import the estimator's libraries and build it (not fitted)."""
    if name == "ours":
        import keras  # noqa: F401  (the backend is imported with it)

        from skmultimlp import KerasMultiLabelClassifier

        return KerasMultiLabelClassifier(
            hidden,
            epochs=epochs,
            batch_size=batch,
            learning_rate=1e-3,
            alpha=0.0,
            random_state=SEED,
            **PLAIN,
        )
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    # Expected: max_iter is reached on purpose, that is the fixed number of epochs.
    warnings.filterwarnings(
        "ignore", "Stochastic Optimizer: Maximum iterations", ConvergenceWarning
    )
    return MLPClassifier(
        hidden,
        alpha=0.0,  # no weight penalty, as ours
        batch_size=batch,
        learning_rate_init=1e-3,  # Adam (the default solver), as ours
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=epochs + 1,  # never stops early
        early_stopping=False,
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

    hidden, batch = tuple(spec.get("hidden", HIDDEN)), spec.get("batch", BATCH)
    est = make_estimator(spec["estimator"], spec["epochs"], hidden, batch)
    X, y = load_data(spec["data"])
    if not spec["fit"]:
        return {"peak": peak_rss()}
    out = {"first_seconds": timed_fit(est, X, y, spec["epochs"]), "peak": peak_rss()}
    if spec.get("fits", 2) == 2:
        out["seconds"] = timed_fit(clone(est), X, y, spec["epochs"])
    else:  # one fit only: nothing is compiled or cached, a second would take as long
        out["seconds"] = out["first_seconds"]
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
    remove_data(path)
    return row


def remove_data(path):
    for suffix in ("-X.npy", "-X.npz", "-y.npy", "-y.npz"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


def available_bytes():
    """MemAvailable of /proc/meminfo, in bytes."""
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("MemAvailable not found in /proc/meminfo")


def mlp_skip_reason(name, skip_mlp):
    """Why MLPClassifier is not run on a text case, or None."""
    n_samples, n_features, n_labels, role = TEXT_CASES[name]
    estimate = mlp_estimate_bytes(n_samples, n_features, n_labels)
    budget = min(MLP_MAX_BYTES, available_bytes() - 2e9)  # 2 GB for the OS and the rest
    if estimate > budget:
        return f"estimated fit memory {estimate / MB:.0f} MB > {budget / MB:.0f} MB"
    if skip_mlp and role == "target" and n_labels >= 10_000:
        return f"--skip-mlp (estimated fit memory {estimate / MB:.0f} MB)"
    return None


def measure_text(name, backend, directory, skip_mlp):
    """measure() for a text case: one epoch, hidden (256,), batch 256, sparse y to both."""
    path, info = save_text_data(name, directory)
    row = {"epochs": TEXT_EPOCHS, "data": info}
    print(
        f"{name}: data made in {info['seconds']:.1f} s, {info['nnz_per_row']:.1f} nnz a row, "
        f"{info['labels_per_row']:.2f} labels a row",
        file=sys.stderr,
        flush=True,
    )
    for estimator in ("ours", "mlp"):
        reason = mlp_skip_reason(name, skip_mlp) if estimator == "mlp" else None
        if reason:
            print(f"skipping {name} mlp: {reason}", file=sys.stderr, flush=True)
            row[estimator] = {"skipped": reason}
            continue
        spec = {
            "estimator": estimator,
            "epochs": TEXT_EPOCHS,
            "data": path,
            "hidden": list(TEXT_HIDDEN),
            "batch": TEXT_BATCH,
            # MLPClassifier compiles and caches nothing: its second fit would repeat the first.
            "fits": 2 if estimator == "ours" else 1,
        }
        print(f"measuring {name} {estimator} ...", file=sys.stderr, flush=True)
        baseline = in_subprocess({**spec, "fit": False}, backend)["peak"]
        fit = in_subprocess({**spec, "fit": True}, backend)
        row[estimator] = {**fit, "baseline": baseline, "fit_bytes": fit["peak"] - baseline}
    remove_data(path)
    return row


# The terms of the growth models, as functions of (rows, labels).
TERMS = {
    "1": lambda n, labels: 1.0,
    "rows": lambda n, labels: n,
    "labels": lambda n, labels: labels,
    "rows*labels": lambda n, labels: n * labels,
}
TIME_MODEL = ("1", "rows", "rows*labels")
MEMORY_MODEL = ("1", "rows", "labels", "rows*labels")


def formula(model):
    """The model as a + b*rows + ...: one coefficient, a letter, for each term."""
    letters = "abcd"[: len(model)]
    return " + ".join(
        c if term == "1" else f"{c}*{term}" for c, term in zip(letters, model, strict=True)
    )


def fit_linear(model, points):
    """Least squares of the values of (rows, labels, value) points on the model's terms.

    Returns the coefficients (in the model's order) and the largest residual as a fraction
    of the largest value, or None without enough points to tell the terms apart.
    """
    design = np.array([[TERMS[t](n, labels) for t in model] for n, labels, _ in points], float)
    target = np.array([value for _, _, value in points], float)
    if len(points) < len(model):
        return None
    scale = np.abs(design).max(axis=0)  # terms of very different sizes: solve on 1-scaled
    if np.linalg.matrix_rank(design / scale) < len(model):
        return None
    coef = np.linalg.lstsq(design / scale, target, rcond=None)[0] / scale
    residual = np.abs(design @ coef - target).max() / np.abs(target).max()
    return coef, float(residual)


def extrapolate(rows, to=EXTRAPOLATE_TO):
    """Fit seconds/epoch and fit MB as functions of rows and labels; predict at ``to``.

    Per estimator, over the measured text cases with the same number of columns:
    seconds/epoch = a + b*rows + c*rows*labels (per row, a cost per label plus one that does
    not depend on them; a: fixed per fit) and fit MB = a + b*rows + c*labels +
    d*rows*labels (d: anything dense over rows x labels; c: weights and optimizer state),
    by linear least squares. Returns the printed lines.
    """
    lines = []
    by_columns = {}
    for name, row in rows.items():
        n, n_features, n_labels, _ = TEXT_CASES[name]
        by_columns.setdefault(n_features, []).append((name, n, n_labels, row))
    n_to, labels_to = to
    for n_features, cases in by_columns.items():
        lines.append(
            f"Extrapolation to {n_to:,} rows x {labels_to:,} labels "
            f"({n_features:,} columns, hidden {TEXT_HIDDEN}, batch {TEXT_BATCH}), linear least "
            f"squares on the {len(cases)} text cases measured: "
            + ", ".join(f"{name} ({n:,} x {labels:,})" for name, n, labels, _ in cases)
        )
        x_row = np.mean([row["data"]["x_bytes"] / n for _, n, _, row in cases])
        y_row_label = np.mean(
            [row["data"]["y_bytes"] / n / row["data"]["labels_per_row"] for _, n, _, row in cases]
        )
        labels_per_row = max(cases, key=lambda c: c[2])[3]["data"]["labels_per_row"]
        size = n_to * (x_row + y_row_label * labels_per_row) + 3 * 4 * text_weights(
            n_features, labels_to
        )
        lines.append(
            f"- size there: {size / MB:,.0f} MB (X and y bytes a row as measured, "
            f"{labels_per_row:.2f} labels a row, weights and Adam state as float32)"
        )
        for label, key in (("ours", "ours"), ("MLPClassifier", "mlp")):
            measured = [(n, labels, r) for _, n, labels, r in cases if "skipped" not in r[key]]
            for what, unit, model, field, per in (
                ("seconds/epoch", "s", TIME_MODEL, "seconds", "epochs"),
                ("fit MB", "MB", MEMORY_MODEL, "fit_bytes", None),
            ):
                fitted = fit_linear(
                    model,
                    [
                        (n, labels, r[key][field] / (r[per] if per else MB))
                        for n, labels, r in measured
                    ],
                )
                if fitted is None:
                    lines.append(
                        f"- {label} {what} = {formula(model)}: not enough points "
                        f"({len(measured)}; it needs {len(model)} that vary rows, labels and "
                        "both at once)"
                    )
                    continue
                coef, residual = fitted
                pairs = list(zip("abcd"[: len(model)], coef, model, strict=True))
                predicted = sum(c * TERMS[term](n_to, labels_to) for _, c, term in pairs)
                terms = ", ".join(f"{letter} = {c:.4g}" for letter, c, _ in pairs)
                ratio = f" (fit MB / size {predicted * MB / size:.1f})" if unit == "MB" else ""
                if len(measured) == len(model):
                    check = "exact fit: as many points as terms, nothing left to check it"
                else:
                    check = (
                        f"largest residual on the measured points {residual:.0%} of the "
                        "largest value"
                    )
                if predicted <= 0:
                    check += "; not positive: the points are too small or noisy to extrapolate"
                lines.append(
                    f"- {label} {what} = {formula(model)} with {terms}: {predicted:,.1f} {unit}"
                    f"{ratio}; {check}"
                )
    return lines


def report_text(rows, load_before, load_after):
    """Tables, target lines and extrapolation of the text cases."""
    backend = next(r["ours"]["backend"] for r in rows.values() if "backend" in r["ours"])
    print(
        f"Text-like data, one epoch of one fit: skmultimlp (backend {backend}) vs sklearn "
        f"MLPClassifier, hidden {TEXT_HIDDEN}, batch {TEXT_BATCH} on both, Adam 1e-3, no weight "
        f"penalty, no dropout, no early stopping; {os.cpu_count()} CPUs, 1-min load average "
        f"{load_before:.1f} before, {load_after:.1f} after."
    )
    print(
        "X: TF-IDF-like CSR float32 (Zipf vocabulary, rows L2-normalised); y: sparse uint8 CSR "
        "(Zipf label frequencies), passed as it is to both estimators. MLPClassifier accepts "
        "the sparse y but binarises it into dense arrays (uint8 copies, an int64 one, then "
        "bool): its fit memory includes that dense y."
    )
    print()
    print(
        "| case | rows | columns | labels | nnz a row | labels a row | top label's rows "
        "| median positives a label | labels under 5 positives | X MB | y MB | size MB |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for name, row in rows.items():
        n, n_features, n_labels, _ = TEXT_CASES[name]
        d = row["data"]
        print(
            f"| {name} | {n} | {n_features} | {n_labels} | {d['nnz_per_row']:.1f} "
            f"| {d['labels_per_row']:.2f} | {d['top_label']:.1%} | {d['median_positives']:.0f} "
            f"| {d['under_5']} | {d['x_bytes'] / MB:.1f} | {d['y_bytes'] / MB:.1f} "
            f"| {text_size(name, row) / MB:.1f} |"
        )
    print()
    print(
        "size = X (data + indices + indptr) + y (the same) + weights (every kernel and bias "
        "as float32) + Adam state (2 x the weights). 'ours 1st': first fit of a fresh process "
        "(includes start-up and compilation); 'ours 2nd': an identical fit right after it (warm). "
        "MLPClassifier is fitted once. fit MB = peak (VmHWM) of the fit process - peak of a "
        "process that only imports, loads the data and builds the estimator."
    )
    print()
    print(
        "| case | ours 1st s | ours 2nd s/epoch | MLP s/epoch | ours 2nd / MLP | ours fit MB "
        "| ours fit / size | MLP fit MB | MLP fit / size | MLP estimated MB |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for name, row in rows.items():
        ours, mlp, e = row["ours"], row["mlp"], row["epochs"]
        size = text_size(name, row)
        skipped = "skipped" in mlp
        cells = [
            name,
            f"{ours['first_seconds']:.2f}",
            f"{ours['seconds'] / e:.2f}",
            "skipped" if skipped else f"{mlp['seconds'] / e:.2f}",
            "-" if skipped else f"{ours['seconds'] / mlp['seconds']:.3f}",
            f"{ours['fit_bytes'] / MB:.0f}",
            f"{ours['fit_bytes'] / size:.2f}",
            "skipped" if skipped else f"{mlp['fit_bytes'] / MB:.0f}",
            "-" if skipped else f"{mlp['fit_bytes'] / size:.2f}",
            f"{mlp_estimate_bytes(*TEXT_CASES[name][:3]) / MB:.0f}",
        ]
        print("| " + " | ".join(cells) + " |")
    print()
    print(
        f"Targets (ours): memory fit MB / size <= {MEMORY_TARGET}; time 2nd-fit s/epoch / "
        f"MLPClassifier's s/epoch <= {TIME_TARGET}."
    )
    for name, row in rows.items():
        ours, mlp = row["ours"], row["mlp"]
        size = text_size(name, row)
        memory = ours["fit_bytes"] / size
        line = (
            f"- {name}: memory: size {size / MB:.1f} MB, ours fit {ours['fit_bytes'] / MB:.1f} MB "
            f"(ratio {memory:.2f}) {'PASS' if memory <= MEMORY_TARGET else 'FAIL'}"
        )
        if "skipped" in mlp:
            line += f", MLPClassifier not run ({mlp['skipped']}); time: no MLPClassifier figure"
        else:
            ratio = ours["seconds"] / mlp["seconds"]
            line += (
                f", MLPClassifier fit {mlp['fit_bytes'] / MB:.1f} MB (ratio "
                f"{mlp['fit_bytes'] / size:.2f}); time: ours {ours['seconds']:.2f} s / MLP "
                f"{mlp['seconds']:.2f} s = {ratio:.3f} {'PASS' if ratio <= TIME_TARGET else 'FAIL'}"
            )
        print(line)
    print()
    for line in extrapolate(rows):
        print(line)


def text_size(name, row):
    """Bytes of X and y as CSR, float32 weights and Adam's two moments."""
    _, n_features, n_labels, _ = TEXT_CASES[name]
    d = row["data"]
    return d["x_bytes"] + d["y_bytes"] + 3 * 4 * text_weights(n_features, n_labels)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5, help="epochs per fit below 100k rows")
    parser.add_argument("--epochs-100k", type=int, default=3, help="epochs per fit at 100k rows")
    parser.add_argument("--quick", action="store_true", help=f"only the cases {', '.join(QUICK)}")
    parser.add_argument("--text", action="store_true", help=f"the text cases {', '.join(TEXT)}")
    parser.add_argument(
        "--text-quick",
        action="store_true",
        help=f"tiny text cases to check the script end to end: {', '.join(TEXT_QUICK)}",
    )
    parser.add_argument(
        "--skip-mlp",
        action="store_true",
        help="do not run MLPClassifier on text-100k-10k (its estimated memory is printed); "
        f"it is never run where its estimate exceeds {MLP_MAX_BYTES / 1e9:.0f} GB or the "
        "memory available",
    )
    parser.add_argument(
        "--cases", help=f"comma-separated subset of: {', '.join([*CASES, *TEXT_CASES])}"
    )
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

    if args.cases:
        names = args.cases.split(",")
    elif args.text or args.text_quick or args.quick:
        names = (QUICK if args.quick else []) + (TEXT if args.text else [])
        names += TEXT_QUICK if args.text_quick else []
    else:
        names = list(CASES)
    unknown = set(names) - set(CASES) - set(TEXT_CASES)
    if unknown:
        parser.error(
            f"unknown cases {sorted(unknown)}; choose from {', '.join([*CASES, *TEXT_CASES])}"
        )

    load_before = os.getloadavg()[0]
    rows, text_rows = {}, {}
    with tempfile.TemporaryDirectory(prefix="bench_scale-") as directory:
        for name in names:
            if name in TEXT_CASES:
                text_rows[name] = measure_text(name, args.backend, directory, args.skip_mlp)
                continue
            epochs = args.epochs_100k if CASES[name][0] >= 100_000 else args.epochs
            rows[name] = measure(name, epochs, args.backend, directory)
    load_after = os.getloadavg()[0]

    if rows:
        report(rows, load_before, load_after)
    if rows and text_rows:
        print()
    if text_rows:
        report_text(text_rows, load_before, load_after)


def report(rows, load_before, load_after):
    """Tables of the dense and small sparse cases."""
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
