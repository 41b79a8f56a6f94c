"""The ``skmultimlp`` command: evaluate, fit, predict with and tune the estimator.

::

    skmultimlp                     # the reference evaluation: 10-fold x 3 on built-in data
    skmultimlp evaluate data.csv --labels a,b,c [--stratified] [--plot cv.png]
    skmultimlp fit data.csv --labels a,b,c -o model.skops
    skmultimlp predict model.skops new.csv [-o predictions.csv] [--proba]
    skmultimlp tune data.csv --labels a,b,c --grid "hidden_layer_sizes=10;20;20,20"

A data file has a header and one row per sample. Its labels are 0/1 columns
(``--labels``; an empty cell is an unknown label, left out of the loss and of the scores)
or one column of label names joined by ``--sep`` (``--label-column``; an empty cell is no
label). All other columns, except those named by ``--ignore``, must be numeric features.

Bad input ends with one line ``skmultimlp: error: ...`` on stderr and exit status 2 for a
wrong command line, 1 for data or files that cannot be used.
"""

import argparse
import difflib
import math
import os
import sys
import time

import joblib
import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import check_scoring
from sklearn.model_selection import GridSearchCV, RepeatedKFold
from tqdm import tqdm

from . import __version__
from ._classifier import KerasMultiLabelClassifier
from ._csv import DataError, feature_frame, labelled_data, read_csv
from .datasets import load_reference
from .metrics import SCORERS, make_scorers
from .model_selection import RepeatedMultilabelStratifiedKFold
from .persistence import read_model_file, write_model_file

_PICKLE_FORMAT = "skmultimlp-cli-model"
"""The ``"format"`` entry of the dict that skmultimlp 0.1's ``fit`` pickled with joblib."""

# Readable names of the scorers; a scorer missing here is shown by its key.
_TITLES = {
    "exact_match": "exact-match accuracy",
    "neg_hamming_loss": "hamming loss",
    "f1_macro": "macro F1",
    "f1_micro": "micro F1",
    "f1_samples": "samples F1",
    "jaccard_samples": "samples Jaccard",
}

# Parameters that hold Python objects, which a command line cannot spell.
_NOT_ON_COMMAND_LINE = ("model", "callbacks")


class _Failure(Exception):
    """A command that cannot go on; the message is one line for the user (exit status 1)."""


def _metric(key):
    """Title of a scorer and the sign that turns its values into the metric's."""
    if key.startswith("neg_"):
        return _TITLES.get(key, key[len("neg_") :].replace("_", " ")), -1.0
    return _TITLES.get(key, key.replace("_", " ")), 1.0


def _one_line(exc):
    return " ".join(str(exc).split())


# ----------------------------------------------------------------------------- argument types


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


def _number(convert, accept, expected):
    """An argparse type: ``convert(text)``, refused unless ``accept(value)``."""

    def parse(text):
        try:
            value = convert(text)
        except ValueError:
            value = None
        if value is None or not accept(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value

    return parse


def _int_at_least(minimum):
    return _number(int, lambda value: value >= minimum, f"an integer >= {minimum}")


_positive_int = _int_at_least(1)
_n_jobs = _number(int, lambda value: value != 0, "a number of processes (>= 1, or -1 for all CPUs)")
_positive_float = _number(float, lambda value: 0 < value < math.inf, "a positive number")
_probability = _number(float, lambda value: 0 < value < 1, "a number between 0 and 1")


def _names(text):
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"expected column names such as a,b,c, got {text!r}")
    return names


def _grid_scalar(text):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return {"none": None, "true": True, "false": False}.get(text.lower(), text)


def _grid_value(text):
    text = text.strip()
    if text == "()":
        return ()
    if "," in text:  # a tuple, such as 20,20 or 20, for (20,)
        return tuple(_grid_scalar(part.strip()) for part in text.split(",") if part.strip())
    return _grid_scalar(text)


def _grid_entry(text):
    name, equals, values = text.partition("=")
    name = name.strip()
    values = [value for value in values.split(";") if value.strip()]
    if not equals or not name or not values:
        raise argparse.ArgumentTypeError(
            f"expected NAME=VALUE;VALUE..., e.g. 'hidden_layer_sizes=10;20;20,20', got {text!r}"
        )
    params = [p for p in KerasMultiLabelClassifier().get_params() if p not in _NOT_ON_COMMAND_LINE]
    if name not in params:
        close = [p for p in params if p.startswith(name)] or difflib.get_close_matches(
            name, params, n=1
        )
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise argparse.ArgumentTypeError(
            f"unknown parameter {name!r}; {hint}KerasMultiLabelClassifier's parameters: "
            + ", ".join(params)
        )
    return name, [_grid_value(value) for value in values]


# ------------------------------------------------------------------------------------ parser


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # One line, like every other error of the command, instead of usage + message.
        self.exit(2, f"skmultimlp: error: {message} (see '{self.prog} --help')\n")


def _add_label_options(parser):
    group = parser.add_argument_group("labels (one of --labels and --label-column)")
    which = group.add_mutually_exclusive_group()
    which.add_argument(
        "--labels",
        type=_names,
        action="extend",
        metavar="COL[,COL...]",
        help="label columns holding 0/1; an empty cell is an unknown label",
    )
    which.add_argument(
        "--label-column",
        metavar="COL",
        help="one column holding each row's label names, joined by --sep; empty is no label",
    )
    group.add_argument(
        "--sep",
        default=None,
        metavar="SEP",
        help="separator of the names in --label-column (default ';')",
    )
    group.add_argument(
        "--ignore",
        type=_names,
        action="extend",
        metavar="COL[,COL...]",
        help="columns that are neither features nor labels, e.g. an id (kept by predict)",
    )


def _add_model_options(parser):
    group = parser.add_argument_group("model")
    # The defaults are those of the reference evaluation.
    group.add_argument(
        "--hidden",
        type=_hidden_sizes,
        metavar="SIZES",
        default=(20,),
        help="hidden layer sizes, e.g. 20 or 64,32 (default 20)",
    )
    group.add_argument(
        "--epochs",
        type=_positive_int,
        default=100,
        metavar="N",
        help="epochs per fit (default 100)",
    )
    group.add_argument(
        "--batch-size",
        type=_positive_int,
        default=32,
        metavar="N",
        help="mini-batch size (default 32)",
    )
    group.add_argument(
        "--learning-rate",
        type=_positive_float,
        default=1e-3,
        metavar="RATE",
        help="Adam step (default 1e-3)",
    )
    group.add_argument(
        "--threshold",
        type=_probability,
        metavar="P",
        default=0.5,
        help="probability from which a label is predicted (default 0.5)",
    )
    group.add_argument(
        "--balanced",
        action="store_true",
        help="weigh each label's positives by n_negative / n_positive (label_weight='balanced')",
    )
    group.add_argument(
        "--early-stopping",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="hold out 10%% and stop when its validation loss stops improving "
        "(the estimator's default: on)",
    )
    group.add_argument(
        "--random-state",
        type=int,
        default=1,
        metavar="SEED",
        help="seed for folds and networks (default 1)",
    )


def _add_cv_options(parser, splits, repeats):
    group = parser.add_argument_group("cross-validation")
    group.add_argument(
        "--splits",
        type=_int_at_least(2),
        default=splits,
        metavar="K",
        help=f"folds per repeat (default {splits})",
    )
    group.add_argument(
        "--repeats",
        type=_positive_int,
        default=repeats,
        metavar="R",
        help=f"repeats of the k-fold split (default {repeats})",
    )
    group.add_argument(
        "--stratified",
        action="store_true",
        help="multi-label stratified folds (RepeatedMultilabelStratifiedKFold)",
    )
    group.add_argument(
        "--n-jobs",
        type=_n_jobs,
        default=1,
        metavar="N",
        help="fits run in parallel processes (-1: one per CPU; default 1)",
    )


def _add_plot_option(parser, what):
    parser.add_argument("--plot", metavar="IMAGE", help=f"write {what} (png, pdf, svg...)")


def build_parser():
    """The argument parser of the ``skmultimlp`` command.

    Examples
    --------
    >>> from skmultimlp.cli import build_parser
    >>> args = build_parser().parse_args(["fit", "data.csv", "--labels", "a,b", "-o", "m.skops"])
    >>> args.labels, args.hidden, args.epochs
    (['a', 'b'], (20,), 100)
    """
    parser = _Parser(
        prog="skmultimlp",
        description=(
            "A Keras multi-label MLP from the command line: cross-validate it, fit it, "
            "predict with it and tune it on CSV files. Without a command it runs the "
            "reference evaluation: repeated 10-fold CV on the built-in data set "
            "(1,000 samples, 10 features, 3 labels)."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    ev = sub.add_parser(
        "evaluate",
        help="repeated k-fold evaluation (the default command)",
        description=(
            "Cross-validate a fresh network per fold and print the mean ± std of every "
            "multi-label scorer. Without DATA.csv: the built-in reference data set."
        ),
    )
    ev.add_argument("data", nargs="?", metavar="DATA.csv", help="data file (default: reference)")
    _add_label_options(ev)
    _add_model_options(ev)
    _add_cv_options(ev, splits=10, repeats=3)
    _add_plot_option(ev, "CV scores, per-label scores and a loss curve")
    ev.set_defaults(run=_evaluate, parser=ev)

    fit = sub.add_parser(
        "fit",
        help="fit on a CSV file and save the model",
        description="Fit a network on all rows of DATA.csv and save it for 'skmultimlp predict'.",
    )
    fit.add_argument("data", metavar="DATA.csv", help="data file")
    _add_label_options(fit)
    _add_model_options(fit)
    fit.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="MODEL",
        help="model file to write (a skmultimlp model file: see skmultimlp.save)",
    )
    _add_plot_option(fit, "the training loss curve")
    fit.set_defaults(run=_fit, parser=fit)

    predict = sub.add_parser(
        "predict",
        help="predict the labels of new rows with a saved model",
        description=(
            "Predict the labels of the rows of NEW.csv, which must have the feature "
            "columns the model was fitted on. Writes one 0/1 column per label (or one "
            "column of label names for a model fitted with --label-column), preceded by "
            "the --ignore columns present."
        ),
    )
    predict.add_argument("model", metavar="MODEL", help="model file written by 'skmultimlp fit'")
    predict.add_argument("data", metavar="NEW.csv", help="rows to predict")
    predict.add_argument(
        "-o", "--output", metavar="OUT.csv", help="file to write (default: standard output)"
    )
    predict.add_argument(
        "--proba", action="store_true", help="write each label's probability instead"
    )
    predict.add_argument(
        "--trust-pickle",
        action="store_true",
        help="also read a pickle model file (skmultimlp 0.1's format); a pickle can run "
        "any code when loaded: only for files you trust",
    )
    predict.set_defaults(run=_predict, parser=predict)

    tune = sub.add_parser(
        "tune",
        help="grid search over the estimator's parameters",
        description=(
            "Cross-validate every combination of the --grid values (GridSearchCV), print "
            "the candidates ranked by --scoring, and refit the best on all rows."
        ),
    )
    tune.add_argument("data", metavar="DATA.csv", help="data file")
    _add_label_options(tune)
    tune.add_argument(
        "--grid",
        type=_grid_entry,
        action="append",
        required=True,
        metavar="NAME=V1;V2...",
        help=(
            "a parameter of KerasMultiLabelClassifier and its values, e.g. "
            "'hidden_layer_sizes=10;20;20,20' (a comma makes a tuple); repeat for more"
        ),
    )
    tune.add_argument(
        "--scoring",
        choices=list(SCORERS),
        default="exact_match",
        help="scorer that ranks the candidates (default exact_match)",
    )
    _add_model_options(tune)
    _add_cv_options(tune, splits=5, repeats=1)
    tune.add_argument(
        "-o",
        "--output",
        metavar="MODEL",
        help="write the refitted best model (a skmultimlp model file)",
    )
    tune.set_defaults(run=_tune, parser=tune)
    return parser


def _check_arguments(args):
    """Usage errors that argparse cannot see: combinations of options."""
    error = args.parser.error
    if args.command == "predict":
        return
    given = [
        option
        for option, value in (
            ("--labels", args.labels),
            ("--label-column", args.label_column),
            ("--sep", args.sep),
            ("--ignore", args.ignore),
        )
        if value is not None
    ]
    if args.data is None:
        if given:
            error(f"{given[0]} needs a DATA.csv file")
        return
    if args.labels is None and args.label_column is None:
        error("name the labels: --labels COL[,COL...] (0/1 columns) or --label-column COL")
    if args.sep is not None and args.label_column is None:
        error("--sep goes with --label-column")
    if args.sep == "":
        error("--sep must not be empty")
    labels = args.labels or [args.label_column]
    for name in labels:
        if labels.count(name) > 1:
            error(f"label column {name!r} is named twice")
        if name in (args.ignore or ()):
            error(f"column {name!r} is both a label and ignored")
    if args.command == "tune":
        names = [name for name, _ in args.grid]
        for name in names:
            if names.count(name) > 1:
                error(f"--grid names {name!r} twice")


def _check_output(path):
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise _Failure(f"cannot write {path}: there is no folder {folder}")


def _check_plot(args):
    if getattr(args, "plot", None) is None:
        return
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise _Failure("--plot needs matplotlib: pip install 'skmultimlp[plot]'") from None
    formats = Figure().canvas.get_supported_filetypes()
    extension = os.path.splitext(args.plot)[1].lstrip(".").lower()
    if extension not in formats:
        args.parser.error(
            f"--plot {args.plot}: give the image a file extension among {', '.join(formats)}"
        )
    _check_output(args.plot)


# ----------------------------------------------------------------------------------- helpers


def _estimator(args):
    return KerasMultiLabelClassifier(
        hidden_layer_sizes=args.hidden,
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        threshold=args.threshold,
        label_weight="balanced" if args.balanced else None,
        random_state=args.random_state,
        **({} if args.early_stopping is None else {"early_stopping": args.early_stopping}),
    )


def _describe(estimator, leave_out=()):
    """The estimator's repr with its main parameters always shown, but ``leave_out``."""
    params = estimator.get_params()
    defaults = KerasMultiLabelClassifier().get_params()
    always = ("hidden_layer_sizes", "epochs", "batch_size")
    others = [
        name
        for name, value in params.items()
        if name not in always and name != "random_state" and value != defaults[name]
    ]
    shown = [f"{name}={params[name]!r}" for name in [*always, *others] if name not in leave_out]
    return f"{type(estimator).__name__}({', '.join(shown)})"


def _cv(args):
    kind = RepeatedMultilabelStratifiedKFold if args.stratified else RepeatedKFold
    return kind(n_splits=args.splits, n_repeats=args.repeats, random_state=args.random_state)


def _cv_description(args, n_fits):
    kind = "stratified " if args.stratified else ""
    repeats = f"{args.repeats} repeat{'s' if args.repeats > 1 else ''}"
    return f"{kind}{args.splits}-fold x {repeats} = {n_fits} fits"


def _scorers(n_unknown):
    # With unknown labels, score the known entries; without, both give the same values.
    return make_scorers(missing="ignore") if n_unknown else SCORERS


def _read_labelled(args):
    return labelled_data(
        read_csv(args.data),
        args.data,
        labels=args.labels or (),
        label_column=args.label_column,
        sep=";" if args.sep is None else args.sep,
        ignore=args.ignore or (),
    )


def _data_description(source, X, y, names):
    return (
        f"{source} ({X.shape[0]} rows x {X.shape[1]} features, "
        f"{y.shape[1]} labels: {', '.join(str(name) for name in names)})"
    )


def _unknown_note(n_unknown, y):
    return (
        f"{n_unknown} of {y.size} label entries are unknown: left out of the training "
        "loss and of the scores"
    )


def _fit_estimator(estimator, X, y):
    try:
        return estimator.fit(X, y)
    except (ValueError, TypeError) as exc:  # the estimator's checks of the data
        raise _Failure(_one_line(exc)) from None


def _save_model(estimator, data, args, path):
    try:
        write_model_file(
            path,
            estimator,
            features=[str(name) for name in data.X.columns],
            labels=[str(name) for name in data.y.columns],
            label_column=args.label_column,
            sep=";" if args.sep is None else args.sep,
            ignore=list(args.ignore or ()),
        )
    except OSError as exc:
        raise _Failure(f"cannot write {path}: {exc.strerror or exc}") from None


def _load_model(path, trust_pickle=False):
    if not os.path.isfile(path):
        raise _Failure(f"no such model file: {path}")
    with open(path, "rb") as file:
        is_pickle = file.read(1) == b"\x80"  # what pickle and joblib.dump write starts so
    if is_pickle:
        if not trust_pickle:
            raise _Failure(
                f"{path} is a pickle (a model file of skmultimlp 0.1, or not ours); loading "
                "a pickle runs any code it holds. If you trust whoever made it, pass "
                "--trust-pickle, then save it again with 'skmultimlp fit'"
            )
        return _load_trusted_pickle(path)
    try:
        return read_model_file(path)
    except (ValueError, OSError) as exc:
        raise _Failure(_one_line(exc)) from None


def _load_trusted_pickle(path):
    not_ours = f"{path} is not a model file written by 'skmultimlp fit'"
    try:
        bundle = joblib.load(path)
    except Exception as exc:  # unpickling can fail in any way: missing classes, versions...
        raise _Failure(
            f"cannot load {path}, a joblib or pickle file: "
            f"{type(exc).__name__}: {_one_line(exc)[:200]}"
        ) from None
    if not isinstance(bundle, dict) or bundle.get("format") != _PICKLE_FORMAT:
        raise _Failure(f"{not_ours}: it holds another kind of object ({type(bundle).__name__})")
    return bundle


def _write_figure(figure, path):
    try:
        figure.savefig(path, dpi=100)
    except OSError as exc:
        raise _Failure(f"cannot write {path}: {exc.strerror or exc}") from None


# ---------------------------------------------------------------------------------- commands


def _fit_and_score(index, estimator, X, y, split, scorers, keep):
    """Fold ``index``, run in a joblib worker: fit and score with every scorer.

    With ``keep``, the fold's predictions come back too, and the fitted estimator if
    the fold is the first.
    """
    train, test = split
    estimator.fit(X[train], y[train])
    scores = check_scoring(estimator, scoring=scorers)(estimator, X[test], y[test])
    y_pred = estimator.predict(X[test]) if keep else None
    return index, scores, y_pred, estimator if keep and index == 0 else None


def _evaluate(args, out):
    """Cross-validate and print the mean ± std of every scorer of SCORERS."""
    if args.data is None:
        X, y = load_reference()
        names = list(range(y.shape[1]))
        description = f"the reference data ({X.shape[0]} x {X.shape[1]}, {y.shape[1]} labels)"
        n_unknown = 0
    else:
        data = _read_labelled(args)
        X, y, names = data.X.to_numpy(), data.y.to_numpy(), list(data.y.columns)
        description = _data_description(args.data, X, y, names)
        n_unknown = data.n_unknown
    estimator = _estimator(args)
    scorers = _scorers(n_unknown)
    try:
        splits = list(_cv(args).split(X, y))
    except ValueError as exc:
        raise _Failure(f"cannot split the data into folds: {_one_line(exc)}") from None
    plot = args.plot is not None
    # For the figure: out-of-fold predictions of the first repeat (each row once) and
    # the network of the first fold.
    fold = joblib.delayed(_fit_and_score)
    tasks = (
        fold(i, clone(estimator), X, y, split, scorers, keep=plot and i < args.splits)
        for i, split in enumerate(splits)
    )
    scores = {key: np.empty(len(splits)) for key in scorers}
    y_oof = np.zeros(y.shape, dtype=int)
    first_model = None
    start = time.perf_counter()
    parallel = joblib.Parallel(n_jobs=args.n_jobs, return_as="generator_unordered")
    with tqdm(total=len(splits), desc="folds", unit="fit", file=sys.stderr) as bar:
        try:
            for i, fold_scores, y_pred, model in parallel(tasks):
                for key, value in fold_scores.items():
                    scores[key][i] = value
                if y_pred is not None:
                    y_oof[splits[i][1]] = y_pred
                first_model = model if model is not None else first_model
                bar.update()
        except (ValueError, TypeError) as exc:  # the estimator's checks of the data
            raise _Failure(_one_line(exc)) from None
    elapsed = time.perf_counter() - start
    print(
        f"{_describe(estimator)} on {description}; "
        f"{_cv_description(args, len(splits))} in {elapsed:.1f} s",
        file=out,
    )
    if n_unknown:
        print(_unknown_note(n_unknown, y), file=out)
    for key, values in scores.items():
        title, sign = _metric(key)
        values = sign * values
        print(f"{title:>22}: {values.mean():.3f} ± {values.std():.3f}", file=out)
    if plot:
        _evaluation_figure(args, scores, y, y_oof, names, first_model, description)
        print(f"figure written to {args.plot}", file=out)
    return scores


def _evaluation_figure(args, scores, y, y_oof, names, model, description):
    from matplotlib.figure import Figure

    from .plotting import plot_cv_scores, plot_label_scores, plot_loss_curve

    figure = Figure(figsize=(16, 5), layout="constrained")
    cv_ax, label_ax, loss_ax = figure.subplots(1, 3)
    plot_cv_scores(scores, ax=cv_ax)
    plot_label_scores(y, y_oof, labels=names, ax=label_ax, missing="ignore")
    label_ax.set_title(label_ax.get_title() + "\n(out-of-fold, first repeat)")
    plot_loss_curve(model, ax=loss_ax)
    loss_ax.set_title(loss_ax.get_title() + " (first fold)")
    figure.suptitle(f"{_describe(model)} on {description}")
    _write_figure(figure, args.plot)


def _fit(args, out):
    """Fit on every row of the file and save the model with what predict must check."""
    _check_output(args.output)
    data = _read_labelled(args)
    estimator = _estimator(args)
    start = time.perf_counter()
    _fit_estimator(estimator, data.X, data.y)
    elapsed = time.perf_counter() - start
    _save_model(estimator, data, args, args.output)
    print(
        f"{_describe(estimator)} fitted on "
        f"{_data_description(args.data, data.X, data.y, data.y.columns)} in {elapsed:.1f} s; "
        f"last training loss {estimator.loss_curve_[-1]:.4f}",
        file=out,
    )
    if data.n_unknown:
        print(_unknown_note(data.n_unknown, data.y), file=out)
    print(f"model written to {args.output}", file=out)
    if args.plot is not None:
        from .plotting import plot_loss_curve

        ax = plot_loss_curve(estimator)
        ax.figure.set_size_inches(6.4, 4.8)
        _write_figure(ax.figure, args.plot)
        print(f"figure written to {args.plot}", file=out)
    return estimator


def _predict(args, out):
    """Predict the rows of a file with a saved model, after checking its columns."""
    if args.output is not None:
        _check_output(args.output)
    bundle = _load_model(args.model, trust_pickle=args.trust_pickle)
    frame = read_csv(args.data)
    features, ignore = bundle["features"], bundle["ignore"]
    # The label columns of a file with known labels are not features: leave them out.
    not_features = {*ignore, *bundle["labels"], bundle["label_column"]}
    missing = [name for name in features if name not in frame.columns]
    extra = [name for name in frame.columns if name not in not_features and name not in features]
    if missing or extra:
        parts = []
        if missing:
            parts.append("lacks feature columns " + ", ".join(map(str, missing)))
        if extra:
            parts.append("has columns the model was not fitted on: " + ", ".join(map(str, extra)))
        raise DataError(f"{args.data} " + " and ".join(parts))
    X = feature_frame(frame, args.data, features)
    estimator = bundle["estimator"]
    classes = [str(name) for name in estimator.classes_]
    if args.proba:
        result = pd.DataFrame(estimator.predict_proba(X), columns=classes)
    elif bundle["label_column"] is not None:
        joined = [bundle["sep"].join(map(str, row)) for row in estimator.predict_labels(X)]
        result = pd.DataFrame({bundle["label_column"]: joined})
    else:
        result = pd.DataFrame(estimator.predict(X), columns=classes)
    kept = frame[[name for name in ignore if name in frame.columns]].reset_index(drop=True)
    result = pd.concat([kept, result], axis=1)
    target = out if args.output is None else args.output
    try:
        result.to_csv(target, index=False, float_format="%.4f")
    except OSError as exc:
        raise _Failure(f"cannot write {args.output}: {exc.strerror or exc}") from None
    return result


def _format_value(value):
    return repr(value) if isinstance(value, tuple) else str(value)


def _tune(args, out):
    """Grid search: the candidates ranked by one scorer, the best refitted on all rows."""
    if args.output is not None:
        _check_output(args.output)
    data = _read_labelled(args)
    grid = dict(args.grid)
    cv = _cv(args)
    n_candidates = math.prod(len(values) for values in grid.values())
    n_splits = cv.get_n_splits()
    search = GridSearchCV(
        _estimator(args),
        grid,
        scoring=_scorers(data.n_unknown)[args.scoring],
        cv=cv,
        n_jobs=args.n_jobs,
        refit=True,
        error_score="raise",
    )
    print(
        f"tuning: {n_candidates} candidates x {n_splits} splits = "
        f"{n_candidates * n_splits} fits, then the best refitted on all rows...",
        file=sys.stderr,
    )
    start = time.perf_counter()
    _fit_estimator(search, data.X, data.y)
    elapsed = time.perf_counter() - start
    title, sign = _metric(args.scoring)
    print(
        f"GridSearchCV of {_describe(search.estimator, leave_out=grid)} on "
        f"{_data_description(args.data, data.X, data.y, data.y.columns)}; "
        f"{n_candidates} candidates, {_cv_description(args, n_candidates * n_splits)} "
        f"+ 1 refit in {elapsed:.1f} s",
        file=out,
    )
    if data.n_unknown:
        print(_unknown_note(data.n_unknown, data.y), file=out)
    results = search.cv_results_
    header = ["rank", title, *grid]
    rows = [
        [
            str(results["rank_test_score"][i]),
            f"{sign * results['mean_test_score'][i]:.3f} ± {results['std_test_score'][i]:.3f}",
            *(_format_value(results["params"][i][name]) for name in grid),
        ]
        for i in np.argsort(results["rank_test_score"], kind="stable")
    ]
    widths = [max(len(row[j]) for row in [header, *rows]) for j in range(len(header))]
    for row in [header, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        cells[0] = row[0].rjust(widths[0])
        print("  ".join(cells).rstrip(), file=out)
    best = ", ".join(f"{name}={_format_value(search.best_params_[name])}" for name in grid)
    print(f"best: {best}; refitted on all {data.X.shape[0]} rows", file=out)
    if args.output is not None:
        _save_model(search.best_estimator_, data, args, args.output)
        print(f"model written to {args.output}", file=out)
    return search


def main(argv=None):
    """Run the ``skmultimlp`` command with ``argv`` (default ``sys.argv[1:]``).

    Returns the exit status: 0, or 1 after a one-line error about the data or files.
    Command-line errors exit through ``SystemExit(2)``, as argparse does.

    Examples
    --------
    >>> import pandas as pd, tempfile
    >>> from sklearn.datasets import make_multilabel_classification
    >>> from skmultimlp.cli import main
    >>> X, y = make_multilabel_classification(n_samples=60, n_features=4, n_classes=3,
    ...                                       random_state=0)
    >>> frame = pd.DataFrame(X, columns=["f1", "f2", "f3", "f4"])
    >>> frame[["a", "b", "c"]] = y
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     frame.to_csv(f"{folder}/data.csv", index=False)
    ...     main(["evaluate", f"{folder}/data.csv", "--labels", "a,b,c",
    ...           "--hidden", "4", "--epochs", "2", "--splits", "2", "--repeats", "1"])
    ... # doctest: +ELLIPSIS
    KerasMultiLabelClassifier(...) on .../data.csv (60 rows x 4 features, 3 labels: a, b, c); ...
      exact-match accuracy: 0... ± 0...
              hamming loss: 0... ± 0...
    ...
    0
    >>> main(["predict", "no-model.skops", "new.csv"])  # the error goes to stderr
    1
    """
    # Keep TensorFlow's start-up log out of the output of worker processes.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        argv.insert(0, "evaluate")  # the reference evaluation, or it with options
    args = build_parser().parse_args(argv)
    _check_arguments(args)
    try:
        _check_plot(args)
        args.run(args, sys.stdout)
    except (DataError, _Failure) as exc:
        print(f"skmultimlp: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("skmultimlp: interrupted", file=sys.stderr)
        return 130
    return 0
