"""The ``skmultimlp`` command: evaluate the estimator with repeated k-fold CV."""

import argparse
import sys
import time

import numpy as np
from sklearn.model_selection import RepeatedKFold, cross_validate
from tqdm import tqdm

from ._classifier import KerasMultiLabelClassifier
from .datasets import load_reference
from .metrics import SCORERS

# Printed scorers: (SCORERS key, column title, sign that turns the scorer into the metric).
_REPORTED = (
    ("exact_match", "exact-match accuracy", 1.0),
    ("neg_hamming_loss", "hamming loss", -1.0),
    ("f1_macro", "macro F1", 1.0),
)


def _hidden_sizes(text):
    try:
        sizes = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--hidden takes comma-separated layer sizes such as 20 or 64,32, got {text!r}"
        ) from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(f"--hidden sizes must be positive, got {text!r}")
    return sizes


def _int_at_least(minimum):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum:
            raise argparse.ArgumentTypeError(f"expected an integer >= {minimum}, got {text!r}")
        return value

    return parse


_positive_int = _int_at_least(1)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="skmultimlp",
        description=(
            "Evaluate a Keras multi-label MLP with repeated k-fold cross-validation on "
            "the built-in reference data set (1,000 samples, 10 features, 3 labels)."
        ),
    )
    sub = parser.add_subparsers(dest="command")
    ev = sub.add_parser("evaluate", help="repeated k-fold evaluation (the default)")
    # The defaults are the reference evaluation itself; it runs in about a minute.
    ev.add_argument(
        "--hidden",
        type=_hidden_sizes,
        default=(20,),
        help="layer sizes, e.g. 20 or 64,32 (default 20)",
    )
    ev.add_argument(
        "--epochs", type=_positive_int, default=100, help="epochs per fit (default 100)"
    )
    ev.add_argument(
        "--batch-size", type=_positive_int, default=32, help="mini-batch size (default 32)"
    )
    ev.add_argument(
        "--splits", type=_int_at_least(2), default=10, help="folds per repeat (default 10)"
    )
    ev.add_argument(
        "--repeats", type=_positive_int, default=3, help="repeats of the k-fold split (default 3)"
    )
    ev.add_argument(
        "--random-state", type=int, default=1, help="seed for folds and networks (default 1)"
    )
    return parser


def evaluate(args, out=None):
    """Run the evaluation described by ``args`` and print mean ± std of each scorer."""
    out = sys.stdout if out is None else out
    X, y = load_reference()
    estimator = KerasMultiLabelClassifier(
        hidden_layer_sizes=args.hidden,
        epochs=args.epochs,
        batch_size=args.batch_size,
        random_state=args.random_state,
    )
    cv = RepeatedKFold(n_splits=args.splits, n_repeats=args.repeats, random_state=args.random_state)
    scorers = {key: SCORERS[key] for key, _, _ in _REPORTED}
    scores = {key: [] for key in scorers}
    start = time.perf_counter()
    splits = list(cv.split(X, y))
    for train, test in tqdm(splits, desc="folds", unit="fit", file=sys.stderr):
        # One split at a time so the progress bar moves; scikit-learn does the scoring.
        result = cross_validate(estimator, X, y, cv=[(train, test)], scoring=scorers)
        for key in scorers:
            scores[key].append(result[f"test_{key}"][0])
    elapsed = time.perf_counter() - start
    print(
        f"KerasMultiLabelClassifier(hidden_layer_sizes={args.hidden}, epochs={args.epochs}, "
        f"batch_size={args.batch_size}) on 1000 x 10, 3 labels; "
        f"{args.splits}-fold x {args.repeats} repeats = {len(splits)} fits in {elapsed:.1f} s",
        file=out,
    )
    for key, title, sign in _REPORTED:
        values = sign * np.asarray(scores[key])
        print(f"{title:>22}: {values.mean():.3f} ± {values.std():.3f}", file=out)
    return scores


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv.insert(0, "evaluate")
    args = build_parser().parse_args(argv)
    if args.command == "evaluate":
        evaluate(args)
    return 0
