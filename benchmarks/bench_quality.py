"""Predictive quality: our defaults and our tuned variant against the usual baselines.

Run: ``.venv/bin/python benchmarks/bench_quality.py``. It needs the ``bench`` extra
(``.venv/bin/python -m pip install -e ".[bench]"``, which installs ``river`` for the yeast
data) and ``make bench-data``, which downloads the ``orange3==3.20.1`` Windows wheel (a plain
zip, 4 MB) into ``benchmarks/.data/`` for emotions and flags; the data are read straight out
of the wheel and never copied into the repository.

5-fold ``MultilabelStratifiedKFold(shuffle=True, random_state=0)`` on each data set; every
model sits behind the same preprocessing (``StandardScaler`` for dense features,
``TfidfTransformer`` for the sparse ones). Columns: hamming loss, exact-match, macro F1,
micro F1 (mean ± standard deviation over the 5 folds), the mean fit time of one fold, and that
time over ours' with the same kind of thresholds (0.5 or tuned), measured in the same run.
Each heading gives the data set's role, its shape, its label frequencies (rarest and most
frequent, and the positives of the rarest label) and the fewest positives of any label in
any training and test fold, outer and inner (the tuner's).

Data sets, and their role. "selection": the defaults of ``KerasMultiLabelClassifier`` are
chosen with this script on them (docs/defaults.md; the current defaults on the first four,
``many rare labels`` was added after), so our figures there are not out-of-sample.
"report": held out, only reported, never used to choose anything.

* ``yeast`` (selection): the Mulan/MEKA yeast gene-function data (Elisseeff & Weston, NIPS
  2001), 2417 rows, 103 features, 14 labels, read from the copy that the ``river`` package
  (BSD-3-Clause) ships inside its wheel (``river/datasets/yeast.csv.gz``);
* ``few labels`` (selection): ``make_multilabel_classification(2000, 20 features, 4
  labels)``;
* ``rare labels`` (selection): ``make_multilabel_classification(3000, 50 features, 20
  labels, n_labels=3)``, four labels under 3 % frequency (the rarest 0.7 %);
* ``sparse text`` (selection): ``make_multilabel_classification(2000, 2000 features, 10
  labels, sparse=True)``: bag-of-words counts, through TF-IDF;
* ``many rare labels`` (selection), shaped like genbase: 660 rows, 1000 binary features
  (``make_multilabel_classification(sparse=True)``'s counts read as present / absent, 18 %
  of them on, sparse, through TF-IDF), 27 labels, at least one a row (1.5 a row:
  ``n_labels`` is an integer, so genbase's 1.25 is out of reach), frequencies 0.6 % to 10 %,
  four labels under 1 % (4 to 6 positives);
* ``rare motifs`` (selection, added with the threshold tuner's fallback, which it was
  chosen on), shaped like genbase where a model at 0.5 is nearly right: 660 rows, 400
  binary features, 27 labels of power-law frequency, each switching on its own few features
  ("motifs") over background noise (``rare_motifs``): well learnt, with many labels of
  4 to 10 positives;
* ``emotions`` (report): music clips by emotion (Trohidis et al., ISMIR 2008), 593 rows, 72
  continuous audio features, 6 labels (the columns the file flags ``class``);
* ``flags`` (report): the UCI flags data, 194 countries, 7 labels: the colours red, green,
  blue, gold, white, black, orange of the flag. The file flags no column as ``class`` (the
  labels are taken by name), and types every column but Area and Population as discrete,
  counts included. Dropped: Country (a name) and MainHue, TopLeft, BotRight (colour names,
  i.e. the labels). Of the 19 remaining columns, the four nominal codes Landmass (6 values),
  Zone (4), Language (10) and Religion (8) are one-hot encoded; the others stay numbers:
  Area and Population (thousands of km², millions), the counts Bars, Stripes, Colors,
  Circles, Crosses, Saltires, Quarters, Sunstars, and the 0/1 Crescent, Triangle, Icon,
  Animate, Text; 43 features in all. Colors, the number of colours in the flag, equals the
  number of labels in 180 of the 194 rows (14 have one more, e.g. brown, which is not a
  label); it is kept, as in Mulan's flags, though it hands every model the label count.
  Argentina is there twice ("Argentina", "Argentine", flags differing in gold): kept;
* ``many labels`` (report), shaped like CAL500: 500 rows, 68 dense count features, 174
  labels, 26 a row, frequencies 0.6 % to 31 %, seven labels under 2 %, five with 3 to 5
  positives;
* ``rare text`` (report), shaped like medical: 1000 rows, 1500 sparse word counts (15 % on)
  through TF-IDF, 45 labels, at least one a row (1.6 a row), frequencies 0.4 % to 10 %, nine
  labels under 1 %, the rarest with 4 positives.

The synthetic sets use fixed ``random_state`` values. For many rare labels, many labels and
rare text the seed is, among 0 to 59, the one with the most labels under 1 % of those whose
rarest label has 3 to 5 positives (the first on a tie), chosen on the labels alone. Each
outer training fold then has at least 2 positives of every label and each of the tuner's
inner training folds at least 1 (``ClassifierChain(LogisticRegression)`` cannot fit a label
without a positive). Some test folds hold no positive of such a label: its F1 there is 0
for every model (``zero_division=0``), which lowers every model's macro F1 alike. The words
a row (``length``) of many rare labels and rare text, 200 and 250, make them denser (18 %
and 15 % of the features on) than ``length=30`` would (3 % and 2 %), but the generator's
words carry so little signal each that at ``length=30`` a one-vs-rest logistic regression
reached a micro F1 of only 0.22 and 0.12 at its best threshold on a held-out fifth (0.59 and
0.45 at 200 and 250): the benchmark would measure noise. A model that fails on a data set is
reported as failed, not left out silently.

Models: ``KerasMultiLabelClassifier()`` with its defaults, and scikit-learn's
``MLPClassifier``, ``RandomForestClassifier``, ``KNeighborsClassifier``, one-vs-rest
``LogisticRegression`` and ``ClassifierChain(LogisticRegression)``, all with their defaults
(``max_iter=1000`` for the logistic regressions so they converge; ``random_state=0``). Each
model appears twice: read at the 0.5 threshold ("<model>"), and inside the same
``MultiLabelThresholdTuner(scoring="f1", cv=<stratified 3-fold, random_state=1>)``
("<model> + threshold tuner"), which tunes one threshold per label of any estimator with
``predict_proba``.

Targets (issue #13), checked on every data set, printed at the end as met / MISSED with the
numbers (means over the 5 folds):

* (a) the tuner never backfires: for every model, ours and each peer, tuned against the same
  model at 0.5, macro F1 tuned >= macro F1 at 0.5 and micro F1 tuned >= micro F1 at 0.5 -
  0.02;
* (b) ours at 0.5 against the best peer at 0.5: hamming loss at most 0.005 above it, micro
  F1 at most 0.01 below it;
* (c) ours + tuner has the best macro F1 of all (>= every peer, at 0.5 and tuned).

Options: ``--ours key=value`` (repeatable) overrides a parameter of our estimator, e.g.
``--ours epochs=50 --ours alpha=1e-3``: the tool used to choose the defaults
(docs/defaults.md). ``--tuner key=value`` (repeatable) passes a parameter to every
``MultiLabelThresholdTuner`` of the run. ``--role selection`` or ``--role report`` runs one
half, ``--datasets`` and ``--models`` pick a subset, ``--describe`` prints the headings only.

Another script can use the data sets: ``from bench_quality import DATASETS, load``;
``DATASETS`` maps each name to its role, ``load(name)`` returns ``(X, Y, is_sparse)``.
"""

import argparse
import ast
import gzip
import importlib.util
import json
import os
import warnings
import zipfile

import numpy as np
from sklearn.base import clone
from sklearn.datasets import make_multilabel_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_validate
from sklearn.multiclass import OneVsRestClassifier
from sklearn.multioutput import ClassifierChain
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmultimlp import SCORERS, KerasMultiLabelClassifier, MultiLabelThresholdTuner
from skmultimlp.model_selection import MultilabelStratifiedKFold

SCORING = {k: SCORERS[k] for k in ("neg_hamming_loss", "exact_match", "f1_macro", "f1_micro")}
OURS = "ours (defaults)"
TUNER = " + threshold tuner"
TUNED = OURS.replace(" (defaults)", "") + TUNER  # "ours + threshold tuner"
BASELINES = (
    "MLPClassifier",
    "RandomForest",
    "KNeighbors",
    "one-vs-rest LogisticRegression",
    "ClassifierChain(LogisticRegression)",
)
# Each model at 0.5 and the same model inside the tuner.
PAIRS = {base: TUNED if base == OURS else base + TUNER for base in (OURS, *BASELINES)}

# name -> role: "selection" (the defaults are chosen on it) or "report" (held out, only reported).
DATASETS = {
    "yeast": "selection",
    "few labels": "selection",
    "rare labels": "selection",
    "sparse text": "selection",
    "many rare labels": "selection",
    "rare motifs": "selection",
    "emotions": "report",
    "flags": "report",
    "many labels": "report",
    "rare text": "report",
}

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".data")
ORANGE_WHEEL = os.path.join(DATA_DIR, "Orange3-3.20.1-cp36-none-win_amd64.whl")
FLAG_COLOURS = ("Red", "Green", "Blue", "Gold", "White", "Black", "Orange")
# Nominal codes (UCI's description: continent, quadrant, language, religion), one-hot encoded.
FLAG_NOMINAL = ("Landmass", "Zone", "Language", "Religion")
FLAG_DROPPED = ("Country", "MainHue", "TopLeft", "BotRight")


def load_yeast():
    """The yeast data shipped inside the ``river`` wheel, as (X float64, Y int8)."""
    spec = importlib.util.find_spec("river")
    if spec is None:
        raise SystemExit(
            "bench_quality needs the yeast data of the river package: "
            '.venv/bin/python -m pip install -e ".[bench]"'
        )
    path = os.path.join(spec.submodule_search_locations[0], "datasets", "yeast.csv.gz")
    with gzip.open(path, "rt") as fh:
        header = fh.readline().strip().split(",")
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    labels = [i for i, name in enumerate(header) if name.startswith("Class")]
    return np.delete(data, labels, axis=1), data[:, labels].astype(np.int8)


def read_orange_tab(name):
    """Columns of ``Orange/datasets/<name>.tab`` inside the orange3 wheel, without extracting.

    Returns {column name: (type, flag, values as strings)}. The file is tab-separated with
    three header rows: names, types (``c``/``continuous``, ``d``/``discrete`` or the list of
    values, ``string``) and flags (``class`` for a target, ``i`` for ignored; shorter rows mean
    no flag)."""
    if not os.path.exists(ORANGE_WHEEL):
        raise SystemExit(
            "bench_quality needs the emotions and flags data of the orange3 3.20.1 wheel, which "
            f"is not in {DATA_DIR}: run `make bench-data` (it downloads the wheel there, 4 MB)."
        )
    with zipfile.ZipFile(ORANGE_WHEEL) as wheel:
        text = wheel.read(f"Orange/datasets/{name}.tab").decode("utf-8")
    names, types, flags, *rows = (line.split("\t") for line in text.splitlines() if line)
    flags += [""] * (len(names) - len(flags))
    if any(len(row) != len(names) for row in rows):
        raise ValueError(f"{name}.tab: rows of different lengths")
    values = zip(*rows, strict=True)
    return {n: (t, f, np.array(v)) for n, t, f, v in zip(names, types, flags, values, strict=True)}


def load_emotions():
    """emotions: the 72 continuous columns as X, the 6 columns flagged ``class`` as Y."""
    columns = read_orange_tab("emotions")
    labels = [n for n, (_, flag, _) in columns.items() if flag == "class"]
    features = [n for n in columns if n not in labels]
    assert len(labels) == 6 and all(columns[n][0] == "0 1" for n in labels)
    assert len(features) == 72 and all(columns[n][0] == "continuous" for n in features)
    X = np.column_stack([columns[n][2].astype(float) for n in features])
    Y = np.column_stack([columns[n][2].astype(np.int8) for n in labels])
    return X, Y


def load_flags():
    """flags: the 7 colour columns as Y; the 4 nominal codes one-hot, the rest as numbers."""
    columns = read_orange_tab("flag")
    Y = np.column_stack([columns[n][2].astype(np.int8) for n in FLAG_COLOURS])
    rest = [n for n in columns if n not in FLAG_COLOURS + FLAG_DROPPED]
    assert len(rest) == 19 and set(FLAG_NOMINAL) <= set(rest)
    parts = []
    for n in rest:
        values = columns[n][2].astype(float)
        if n in FLAG_NOMINAL:
            parts.append(values[:, None] == np.unique(values))
        else:
            parts.append(values[:, None])
    return np.hstack(parts).astype(float), Y


def rare_motifs(n_samples=660, n_labels=27, n_features=400, seed=87):
    """Labels of power-law frequency (0.5 / rank ** 1.3), each switching on its own few
    binary features (a "motif", 2 % of the features, each present 90 % of the time) over
    2 % background noise: well learnt, with many rare labels. The seed is the first from
    61 on whose rarest label has at least 4 positives, so that every training fold of the
    tuner has one (ClassifierChain cannot fit a label without)."""
    rng = np.random.RandomState(seed)
    frequency = 0.5 / np.arange(1, n_labels + 1) ** 1.3
    Y = (rng.uniform(size=(n_samples, n_labels)) < frequency).astype(np.int8)
    motif = rng.uniform(size=(n_labels, n_features)) < 0.02
    on = (Y @ motif > 0) & (rng.uniform(size=(n_samples, n_features)) < 0.9)
    return (on | (rng.uniform(size=(n_samples, n_features)) < 0.02)).astype(float), Y


def load(name):
    """The data set ``name`` (a key of ``DATASETS``) as ``(X, Y, is_sparse)``.

    ``Y`` is a 0/1 indicator matrix; ``X`` is a scipy sparse matrix when ``is_sparse``
    (features meant for ``TfidfTransformer``), a dense array otherwise (for
    ``StandardScaler``)."""
    if name == "yeast":
        return (*load_yeast(), False)
    if name == "rare motifs":
        return (*rare_motifs(), False)
    if name == "emotions":
        return (*load_emotions(), False)
    if name == "flags":
        return (*load_flags(), False)
    if name == "few labels":
        X, Y = make_multilabel_classification(
            n_samples=2000, n_features=20, n_classes=4, n_labels=2, random_state=11
        )
        return X, Y, False
    if name == "rare labels":
        X, Y = make_multilabel_classification(
            n_samples=3000, n_features=50, n_classes=20, n_labels=3, random_state=21
        )
        return X, Y, False
    if name == "sparse text":
        X, Y = make_multilabel_classification(
            n_samples=2000,
            n_features=2000,
            n_classes=10,
            n_labels=2,
            length=80,
            sparse=True,
            random_state=13,
        )
        return X, Y, True
    if name == "many rare labels":
        X, Y = make_multilabel_classification(
            n_samples=660,
            n_features=1000,
            n_classes=27,
            n_labels=1,
            allow_unlabeled=False,
            length=200,
            sparse=True,
            random_state=0,
        )
        return (X > 0).astype(np.float64), Y, True
    if name == "many labels":
        X, Y = make_multilabel_classification(
            n_samples=500, n_features=68, n_classes=174, n_labels=26, random_state=19
        )
        return X, Y, False
    if name == "rare text":
        X, Y = make_multilabel_classification(
            n_samples=1000,
            n_features=1500,
            n_classes=45,
            n_labels=1,
            allow_unlabeled=False,
            length=250,
            sparse=True,
            random_state=33,
        )
        return X, Y, True
    raise ValueError(f"unknown data set {name!r}; the data sets are {list(DATASETS)}")


def tuned(estimator, tuner_params):
    """The one threshold tuner, with the same parameters and inner folds for every model."""
    params = {
        "scoring": "f1",
        "cv": MultilabelStratifiedKFold(n_splits=3, shuffle=True, random_state=1),
        **tuner_params,
    }
    return MultiLabelThresholdTuner(estimator, **params)


def models(ours_params, tuner_params):
    """name -> estimator: each model at the 0.5 threshold, then inside the same tuner."""
    lr = LogisticRegression(max_iter=1000)
    plain = {
        OURS: KerasMultiLabelClassifier(random_state=0, **ours_params),
        "MLPClassifier": MLPClassifier(random_state=0),
        "RandomForest": RandomForestClassifier(random_state=0),
        "KNeighbors": KNeighborsClassifier(),
        "one-vs-rest LogisticRegression": OneVsRestClassifier(lr),
        "ClassifierChain(LogisticRegression)": ClassifierChain(lr, random_state=0),
    }
    out = {}
    for name, est in plain.items():
        out[name] = est
        out[PAIRS[name]] = tuned(clone(est), tuner_params)
    return out


def fewest_positives(cv, Y):
    """Fewest positives of any label in any training fold and in any test fold of ``cv``."""
    folds = list(cv.split(np.zeros((len(Y), 1)), Y))
    train = min(int(Y[tr].sum(axis=0).min()) for tr, _ in folds)
    test = min(int(Y[te].sum(axis=0).min()) for _, te in folds)
    return folds, train, test


def heading(name, X, Y, is_sparse):
    counts = Y.sum(axis=0)
    freq = counts / Y.shape[0]
    return (
        f"## {name} ({DATASETS[name]}): {X.shape[0]} rows, {X.shape[1]} features"
        f"{' (sparse)' if is_sparse else ''}, {Y.shape[1]} labels (frequency "
        f"{freq.min():.1%} .. {freq.max():.1%}, rarest label {counts.min()} positives, "
        f"{Y.sum(axis=1).mean():.2f} per row)"
    )


def fold_check(cv, Y, tuner_params):
    """One line: the fewest positives of a label in the outer folds and the tuner's folds."""
    Y = np.asarray(Y)
    folds, train, test = fewest_positives(cv, Y)
    line = f"fewest positives of a label: {train} in an outer training fold, {test} in a test fold"
    inner_cv = tuned(None, tuner_params).cv
    if hasattr(inner_cv, "split"):
        inner = min(fewest_positives(inner_cv, Y[tr])[1] for tr, _ in folds)
        line += f", {inner} in a training fold of the tuner's"
    if train == 0 or (hasattr(inner_cv, "split") and inner == 0):
        line += (
            " (a label without positives in a training fold: the peers learn one class for it, "
            "ClassifierChain(LogisticRegression) cannot fit)"
        )
    return line


def mean_std(values, digits):
    return f"{values.mean():.{digits}f} ± {values.std():.{digits}f}"


def parse_params(pairs):
    params = {}
    for pair in pairs:
        key, _, text = pair.partition("=")
        try:
            params[key] = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            params[key] = text
    return params


def compare(value, reference, margin, digits, higher=True):
    """(met, "value vs reference (>= or <= reference + margin: met or MISSED)")."""
    bound = reference + margin
    met = bool(value >= bound if higher else value <= bound)
    return met, (
        f"{value:.{digits}f} vs {reference:.{digits}f} ({'>=' if higher else '<='} "
        f"{bound:.{digits}f}: {'met' if met else 'MISSED'})"
    )


def targets(results):
    """The targets of issue #13 on one data set: a list of (met, line), met None where a
    model failed."""
    ok = {n: r for n, r in results.items() if r is not None}
    mean = {n: {k: np.mean(v) for k, v in r.items()} for n, r in ok.items()}
    out = []
    # (a) the tuner never backfires, for every model.
    for base, tuned_name in PAIRS.items():
        if base not in results or tuned_name not in results:
            continue
        if base not in ok or tuned_name not in ok:
            out.append((None, f"(a) {base}: failed, not checked"))
            continue
        tuned_, plain = mean[tuned_name], mean[base]
        m1, macro = compare(tuned_["macro"], plain["macro"], 0.0, 3)
        m2, micro = compare(tuned_["micro"], plain["micro"], -0.02, 3)
        out.append((m1 and m2, f"(a) {base}, tuned vs at 0.5: macro F1 {macro}, micro F1 {micro}"))
    # (b) ours at 0.5 against the best peer at 0.5.
    peers = [b for b in BASELINES if b in ok]
    if OURS in ok and peers:
        best = min(peers, key=lambda b: mean[b]["hamming"])
        met, line = compare(mean[OURS]["hamming"], mean[best]["hamming"], 0.005, 4, False)
        out.append((met, f"(b) ours at 0.5 vs the best peer at 0.5 ({best}): hamming {line}"))
        best = max(peers, key=lambda b: mean[b]["micro"])
        met, line = compare(mean[OURS]["micro"], mean[best]["micro"], -0.01, 3)
        out.append((met, f"(b) ours at 0.5 vs the best peer at 0.5 ({best}): micro F1 {line}"))
    # (c) ours + tuner: the best macro F1 of all.
    rivals = [b for b in (*BASELINES, *(PAIRS[b] for b in BASELINES)) if b in ok]
    if TUNED in ok and rivals:
        best = max(rivals, key=lambda b: mean[b]["macro"])
        met, line = compare(mean[TUNED]["macro"], mean[best]["macro"], 0.0, 3)
        out.append((met, f"(c) ours + tuner vs the best peer ({best}): macro F1 {line}"))
    return out


def cache_key(data_name, model_name, tuner_params, ours_params):
    ours = f" | {sorted(ours_params.items())!r}" if model_name in (OURS, TUNED) else ""
    return f"{data_name} | {model_name} | {sorted(tuner_params.items())!r}{ours}"


def run(name, X, Y, is_sparse, cv, chosen_models, ours_params, tuner_params, cache, cache_ours):
    """Print the table of one data set; return name -> scores (None for a failed model).

    ``cache`` (a dict, saved by the caller) holds the baselines' fold scores from earlier
    runs with the same tuner parameters: they do not depend on our estimator, so only our
    two rows are refitted. Delete the file when the tuner's code changes. With
    ``cache_ours`` our rows are cached too (keyed by our parameters): only for runs of
    the same code, e.g. ours and the baselines run in two processes at once."""
    print(
        "| model | hamming loss | exact-match | macro F1 | micro F1 | fit s "
        "| fit s / ours' (same thresholds) |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|")
    results = {}
    for model_name, model in models(ours_params, tuner_params).items():
        if chosen_models and model_name not in chosen_models:
            continue
        prep = TfidfTransformer() if is_sparse else StandardScaler()
        key = cache_key(name, model_name, tuner_params, ours_params)
        cacheable = cache_ours or model_name not in (OURS, TUNED)
        if cacheable and key in cache:
            row = {k: np.asarray(v) if k != "fit" else v for k, v in cache[key].items()}
            results[model_name] = row
            print(_table_row(model_name, row, results, cached=True), flush=True)
            continue
        try:
            scores = cross_validate(
                make_pipeline(prep, model), X, Y, cv=cv, scoring=SCORING, error_score="raise"
            )
        except Exception as exc:  # reported in the table, and the run goes on
            results[model_name] = None
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            print(f"| {model_name} | failed: {type(exc).__name__}: {reason[:200]} | | | | | |")
            continue
        row = {
            "hamming": -scores["test_neg_hamming_loss"],
            "exact": scores["test_exact_match"],
            "macro": scores["test_f1_macro"],
            "micro": scores["test_f1_micro"],
            "fit": scores["fit_time"].mean(),
        }
        results[model_name] = row
        if cacheable:
            cache[key] = {k: np.asarray(v).tolist() for k, v in row.items()}
        print(_table_row(model_name, row, results), flush=True)
    return results


def _table_row(model_name, row, results, cached=False):
    same = results.get(TUNED if model_name.endswith(TUNER) else OURS)
    ratio = f"{row['fit'] / same['fit']:.2f}" if same else ""
    return (
        f"| {model_name}{' (cached)' if cached else ''} | {mean_std(row['hamming'], 4)} "
        f"| {mean_std(row['exact'], 3)} | {mean_std(row['macro'], 3)} "
        f"| {mean_std(row['micro'], 3)} | {row['fit']:.2f} | {ratio} |"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ours", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--tuner", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--role", choices=("selection", "report"), help="run one half")
    parser.add_argument("--datasets", nargs="*", choices=list(DATASETS), metavar="NAME")
    parser.add_argument("--models", nargs="*", choices=list(PAIRS) + list(PAIRS.values()))
    parser.add_argument("--describe", action="store_true", help="headings only, fit nothing")
    parser.add_argument(
        "--cache",
        metavar="FILE",
        help="JSON file of the baselines' fold scores: read, and written after each data set",
    )
    parser.add_argument(
        "--cache-ours",
        action="store_true",
        help="cache our two rows too (only between runs of the same code)",
    )
    args = parser.parse_args()
    cache = {}
    if args.cache and os.path.exists(args.cache):
        with open(args.cache) as fh:
            cache = json.load(fh)
    ours_params = parse_params(args.ours)
    tuner_params = parse_params(args.tuner)
    names = [
        n
        for n, role in DATASETS.items()
        if (not args.datasets or n in args.datasets) and (not args.role or role == args.role)
    ]
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    print(f"{os.cpu_count()} CPUs; our parameters: {ours_params or 'defaults'}")
    print(f"our defaults: {KerasMultiLabelClassifier(**ours_params).get_params()}")
    print(f"tuner parameters: {tuner_params or 'as in the docstring'}")
    cv = MultilabelStratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    data = {name: load(name) for name in names}  # a missing data set stops the run here
    all_targets = {}
    for name, (X, Y, is_sparse) in data.items():
        print()
        print(heading(name, X, Y, is_sparse))
        print(fold_check(cv, Y, tuner_params))
        if args.describe:
            continue
        print()
        results = run(
            name,
            X,
            Y,
            is_sparse,
            cv,
            args.models,
            ours_params,
            tuner_params,
            cache,
            args.cache_ours,
        )
        if args.cache:
            with open(args.cache, "w") as fh:
                json.dump(cache, fh)
        all_targets[name] = targets(results)
    if args.describe:
        return
    print()
    print("## Targets (issue #13; means over the folds)")
    for name, lines in all_targets.items():
        print()
        print(f"{name} ({DATASETS[name]}):")
        for _, line in lines:
            print(f"  {line}")
    print()
    for role in ("selection", "report"):
        checked = [m for n, lines in all_targets.items() if DATASETS[n] == role for m, _ in lines]
        if checked:
            met, failed = checked.count(True), checked.count(None)
            print(
                f"{role} data sets: {met} of {len(checked)} targets met"
                + (f" ({failed} not checked: a model failed)" if failed else "")
            )


if __name__ == "__main__":
    main()
