"""Threshold rules out of sample: does tuning ever backfire?

Run: ``.venv/bin/python benchmarks/bench_thresholds.py`` (the data sets of
``bench_quality.py``: the ``bench`` extra and ``make bench-data``).

For each data set and model, 5-fold ``MultilabelStratifiedKFold(shuffle=True,
random_state=0)``; in each outer training part, the out-of-fold probabilities of an inner
stratified 3-fold (``random_state=1``), which is what ``MultiLabelThresholdTuner`` tunes on,
and the probabilities of the outer test part from a model fitted on the whole training part.
Each rule picks thresholds on the out-of-fold probabilities with the tuner's own functions;
the test part is scored at those thresholds. The probabilities are computed once per fold,
so every rule sees the same ones: the rules differ only in how they choose.

Rules (``MultiLabelThresholdTuner(scoring="f1", ...)``):

* ``0.5``: no tuning;
* ``old (max, no fallback)``: ``selection="max", fallback_score=0``, the tuner of 0.2;
* ``default (one_se, fallback 0.1)``: the default;
* ``one_se only``: ``fallback_score=0``;
* ``fallback 0.1 only``: ``selection="max"``.

The target (issue #13): the default's macro F1 at least that of 0.5 and its micro F1 no
more than 0.02 below 0.5's, on every data set and model. Columns: macro F1, micro F1,
hamming loss (mean ± standard deviation over the 5 outer folds).

``--models`` picks among ``ours`` (``KerasMultiLabelClassifier()``, defaults, seeded),
``knn`` (``KNeighborsClassifier()``) and ``mlp`` (``MLPClassifier()``, slow on the text
sets); ``--datasets`` among ``bench_quality.DATASETS``.
"""

import argparse
import warnings

import numpy as np
from bench_quality import DATASETS, load
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.metrics import f1_score, hamming_loss
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmultimlp import KerasMultiLabelClassifier
from skmultimlp.model_selection import MultilabelStratifiedKFold
from skmultimlp.thresholds import (
    _positive_proba,
    apply_floors,
    candidate_grids,
    tune_per_label,
)

MODELS = {
    "ours": KerasMultiLabelClassifier(random_state=0),
    "knn": KNeighborsClassifier(),
    "mlp": MLPClassifier(random_state=0),
}
RULES = {
    "0.5": None,
    "old (max, no fallback)": ("max", 0.0),
    "default (one_se, fallback 0.1)": ("one_se", 0.1),
    "one_se only": ("one_se", 0.0),
    "fallback 0.1 only": ("max", 0.1),
}
DEFAULT = "default (one_se, fallback 0.1)"


def probabilities(model, X, Y, is_sparse):
    """Per outer fold: (inner out-of-fold Y, their probabilities, test Y, test proba)."""
    outer = MultilabelStratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    inner = MultilabelStratifiedKFold(n_splits=3, shuffle=True, random_state=1)

    def fitted(rows):
        prep = TfidfTransformer() if is_sparse else StandardScaler()
        return make_pipeline(prep, clone(model)).fit(X[rows], Y[rows])

    def proba(pipe, rows):
        return _positive_proba(pipe, pipe.predict_proba(X[rows]), Y.shape[1])

    for train, test in outer.split(X, Y):
        oof_rows, oof = [], []
        for fit_rows, held_out in inner.split(X[train], Y[train]):
            oof_rows.append(train[held_out])
            oof.append(proba(fitted(train[fit_rows]), train[held_out]))
        rows = np.concatenate(oof_rows)
        yield Y[rows], np.concatenate(oof), Y[test], proba(fitted(train), test)


def thresholds(rule, Y, proba):
    if rule is None:
        return np.full(Y.shape[1], 0.5)
    known = np.ones(Y.shape, dtype=bool)
    grids = candidate_grids(proba, known, None)
    allowed = apply_floors(Y, proba, known, grids, {}, None)
    return tune_per_label("f1", Y, proba, known, grids, allowed, *rule)[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="*", choices=list(DATASETS), default=list(DATASETS))
    parser.add_argument("--models", nargs="*", choices=list(MODELS), default=["ours", "knn"])
    args = parser.parse_args()
    warnings.filterwarnings("ignore")  # ConvergenceWarning; labels absent from a fold
    verdicts = []
    for name in args.datasets:
        X, Y, is_sparse = load(name)
        for model_name in args.models:
            scores = {rule: [] for rule in RULES}
            for y_oof, p_oof, y_test, p_test in probabilities(MODELS[model_name], X, Y, is_sparse):
                for rule, how in RULES.items():
                    pred = (p_test >= thresholds(how, y_oof, p_oof)).astype(int)
                    scores[rule].append(
                        [
                            f1_score(y_test, pred, average="macro", zero_division=0),
                            f1_score(y_test, pred, average="micro", zero_division=0),
                            hamming_loss(y_test, pred),
                        ]
                    )
            print(f"\n## {name} ({DATASETS[name]}), {model_name}\n")
            print("| thresholds | macro F1 | micro F1 | hamming loss |\n|---|--:|--:|--:|")
            for rule, values in scores.items():
                m, s = np.mean(values, axis=0), np.std(values, axis=0)
                print(
                    f"| {rule} | {m[0]:.3f} ± {s[0]:.3f} | {m[1]:.3f} ± {s[1]:.3f} "
                    f"| {m[2]:.4f} ± {s[2]:.4f} |",
                    flush=True,
                )
            half, default = np.mean(scores["0.5"], axis=0), np.mean(scores[DEFAULT], axis=0)
            met = default[0] >= half[0] and default[1] >= half[1] - 0.02
            verdicts.append(
                f"{name}, {model_name}: default vs 0.5: macro F1 {default[0]:.3f} vs "
                f"{half[0]:.3f}, micro F1 {default[1]:.3f} vs {half[1]:.3f}: "
                f"{'met' if met else 'MISSED'}"
            )
    print("\n## Target: the default never backfires\n")
    print("\n".join(verdicts))


if __name__ == "__main__":
    main()
