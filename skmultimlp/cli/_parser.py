"""The command line's arguments: their types, the parser, and the checks argparse cannot do.

This module imports nothing heavy (no numpy, pandas, scikit-learn or Keras), so that
``skmultimlp --help``, ``--version`` and every usage error answer at once.
"""

import argparse
import difflib
import math
import os

from .. import __version__

# KerasMultiLabelClassifier's parameters (its get_params() keys; a test keeps them equal)
# and the keys of skmultimlp.metrics.SCORERS, spelled out so that parsing imports neither.
ESTIMATOR_PARAMETERS = (
    "activation",
    "alpha",
    "batch_size",
    "callbacks",
    "dropout",
    "early_stopping",
    "epochs",
    "hidden_layer_sizes",
    "label_weight",
    "learning_rate",
    "model",
    "n_iter_no_change",
    "n_networks",
    "output_bias_init",
    "random_state",
    "scoring",
    "sparse_output",
    "threshold",
    "tol",
    "validation_fraction",
    "verbose",
    "warm_start",
)
SCORER_NAMES = (
    "exact_match",
    "neg_hamming_loss",
    "f1_macro",
    "f1_micro",
    "f1_samples",
    "jaccard_samples",
)
SCALERS = ("standard", "maxabs", "none")

# Parameters that hold Python objects, which a command line cannot spell.
# A warm start needs a fitted estimator, which a command-line run never starts from; the
# command reads dense label columns from CSV and writes predictions as CSV, so a sparse
# predict (sparse_output) has nothing to give it.
_NOT_ON_COMMAND_LINE = ("model", "callbacks", "warm_start", "sparse_output")


def did_you_mean(word, choices):
    """`` did you mean 'x'?`` for the closest of ``choices``, or an empty string."""
    word = str(word)
    close = [c for c in choices if c.startswith(word) and word] or difflib.get_close_matches(
        word, choices, n=1
    )
    return f" did you mean {close[0]!r}?" if close else ""


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


def grid_entry(text):
    """``NAME=V1;V2...`` as ``(name, [values])``; the name must be a parameter."""
    name, equals, values = text.partition("=")
    name = name.strip()
    values = [value for value in values.split(";") if value.strip()]
    if not equals or not name or not values:
        raise argparse.ArgumentTypeError(
            f"expected NAME=VALUE;VALUE..., e.g. 'hidden_layer_sizes=10;20;20,20', got {text!r}"
        )
    params = [p for p in ESTIMATOR_PARAMETERS if p not in _NOT_ON_COMMAND_LINE]
    if name not in params:
        raise argparse.ArgumentTypeError(
            f"unknown parameter {name!r};{did_you_mean(name, params)} "
            "KerasMultiLabelClassifier's parameters: " + ", ".join(params)
        )
    return name, [_grid_value(value) for value in values]


# ------------------------------------------------------------------------------------ parser


class _Parser(argparse.ArgumentParser):
    # Every option string of the command and its subcommands, for "did you mean" hints.
    known_options = ()

    def error(self, message):
        # One line, like every other error of the command, instead of usage + message.
        if message.startswith("unrecognized arguments:"):
            unknown = next((w for w in message.split()[2:] if w.startswith("--")), None)
            hint = did_you_mean(unknown.split("=")[0], self.known_options) if unknown else ""
            message += f";{hint}" if hint else ""
        self.exit(2, f"skmultimlp: error: {message} (see '{self.prog} --help')\n")


def _add_label_options(parser):
    group = parser.add_argument_group("labels (one of --labels and --label-column)")
    which = group.add_mutually_exclusive_group()
    which.add_argument(
        "--labels",
        type=_names,
        action="extend",
        metavar="COL[,COL...]",
        help="label columns holding 0/1; an empty cell is an unknown label. If one holds "
        "other values (names, integers), each column is an output of a multi-class "
        "target and its values are the classes",
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
        "--classes",
        type=_names,
        metavar="NAME[,NAME...]",
        help="with --label-column: the label set, fixed; a name outside it is an error",
    )
    group.add_argument(
        "--strict-labels",
        action="store_true",
        help="make the label-name warnings (rare, case-only differences, stray separators) errors",
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
        help="hold out 10%% and stop when its validation loss stops improving (the "
        "estimator's default, auto: on from 1000 training rows whose labels have a mean "
        "frequency of at least 0.25)",
    )
    group.add_argument(
        "--scale",
        choices=SCALERS,
        default="standard",
        help="feature scaling fitted on the training rows and stored with the model: "
        "standard (zero mean, unit variance; default), maxabs (divides by each column's "
        "largest absolute value: keeps zeros, for sparse counts such as TF-IDF), none",
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


def _add_output_options(parser, what, required=False):
    parser.add_argument(
        "-o", "--output", required=required, metavar="FILE", help=f"{what} to write"
    )
    parser.add_argument(
        "--force", action="store_true", help="overwrite the output files if they exist"
    )


def _add_plot_option(parser, what):
    parser.add_argument("--plot", metavar="IMAGE", help=f"write {what} (png, pdf, svg...)")


def build_parser():
    """The argument parser of the ``skmultimlp`` command.

    Examples
    --------
    >>> from skmultimlp.cli import build_parser
    >>> args = build_parser().parse_args(["fit", "data.csv", "--labels", "a,b", "-o", "m.skops"])
    >>> args.labels, args.hidden, args.epochs, args.scale
    (['a', 'b'], (20,), 100, 'standard')
    """
    parser = _Parser(
        prog="skmultimlp",
        description=(
            "A Keras multi-label MLP from the command line: cross-validate it, fit it, "
            "predict with it and tune it on CSV files. Without a command it runs the "
            "reference evaluation: repeated 10-fold CV on the built-in data set "
            "(1,000 samples, 10 features, 3 labels)."
        ),
        epilog="TensorFlow's own log lines are hidden; set TF_CPP_MIN_LOG_LEVEL=0 to see them.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    ev = sub.add_parser(
        "evaluate",
        help="repeated k-fold evaluation (the default command)",
        description=(
            "Cross-validate a fresh network per fold and print the mean ± std of every "
            "multi-label scorer (for class columns: exact match, hamming loss, macro F1 "
            "and each output's accuracy). Without DATA.csv: the built-in reference data set."
        ),
    )
    ev.add_argument("data", nargs="?", metavar="DATA.csv", help="data file (default: reference)")
    _add_label_options(ev)
    _add_model_options(ev)
    _add_cv_options(ev, splits=10, repeats=3)
    _add_plot_option(ev, "CV scores, per-label scores and a loss curve")
    ev.add_argument("--force", action="store_true", help="overwrite the --plot image if it exists")
    ev.set_defaults(command="evaluate", parser=ev)

    fit = sub.add_parser(
        "fit",
        help="fit on a CSV file and save the model",
        description="Fit a network on all rows of DATA.csv and save it for 'skmultimlp predict'.",
    )
    fit.add_argument("data", metavar="DATA.csv", help="data file")
    _add_label_options(fit)
    _add_model_options(fit)
    _add_output_options(fit, "model file (see skmultimlp.save)", required=True)
    _add_plot_option(fit, "the training loss curve")
    fit.set_defaults(parser=fit)

    predict = sub.add_parser(
        "predict",
        help="predict the labels of new rows with a saved model",
        description=(
            "Predict the labels of the rows of NEW.csv, which must have the feature "
            "columns the model was fitted on. Writes one 0/1 column per label (one "
            "column of label names for a model fitted with --label-column, the predicted "
            "class of each output for class columns), preceded by the --ignore columns "
            "present, copied as they are."
        ),
    )
    predict.add_argument("model", metavar="MODEL", help="model file written by 'skmultimlp fit'")
    predict.add_argument("data", metavar="NEW.csv", help="rows to predict")
    _add_output_options(predict, "CSV file (default: standard output)")
    predict.add_argument(
        "--proba",
        action="store_true",
        help="write each label's probability instead (class columns: one column "
        "OUTPUT=CLASS per class of each output)",
    )
    predict.add_argument(
        "--trust-pickle",
        action="store_true",
        help="also read a pickle model file (skmultimlp 0.1's format); a pickle can run "
        "any code when loaded: only for files you trust",
    )
    predict.set_defaults(parser=predict)

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
        type=grid_entry,
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
        choices=SCORER_NAMES,
        default="exact_match",
        help="scorer that ranks the candidates (default exact_match; class columns: "
        "exact_match, neg_hamming_loss or f1_macro)",
    )
    _add_model_options(tune)
    _add_cv_options(tune, splits=5, repeats=1)
    _add_output_options(tune, "model file of the refitted best model")
    tune.set_defaults(parser=tune)
    _Parser.known_options = sorted(
        {
            option
            for p in (parser, ev, fit, predict, tune)
            for a in p._actions
            for option in a.option_strings
            if option.startswith("--")
        }
    )
    return parser


def check_arguments(args):
    """Usage errors that argparse cannot see: combinations of options (exit status 2)."""
    if args.command != "predict":
        _check_label_arguments(args, args.parser.error)


def _check_label_arguments(args, error):
    given = [
        option
        for option, value in (
            ("--labels", args.labels),
            ("--label-column", args.label_column),
            ("--sep", args.sep),
            ("--classes", args.classes),
            ("--ignore", args.ignore),
        )
        if value is not None
    ]
    if args.data is None:
        if given:
            error(f"{given[0]} needs a DATA.csv file")
        return
    if args.labels is None and args.label_column is None:
        error("name the labels: --labels COL[,COL...] (0/1 or class columns) or --label-column COL")
    if args.sep is not None and args.label_column is None:
        error("--sep goes with --label-column")
    if args.classes is not None and args.label_column is None:
        error("--classes goes with --label-column (with --labels, the columns are the labels)")
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


def output_problem(args):
    """Why a file the command would write cannot be written, or None: it is one of the
    command's inputs, it exists (without --force), or its folder does not exist."""
    inputs = [path for path in (getattr(args, "data", None), getattr(args, "model", None)) if path]
    for option in ("output", "plot"):
        path = getattr(args, option, None)
        if not path:
            continue
        flag = "-o" if option == "output" else "--plot"
        for source in inputs:
            if os.path.exists(source) and os.path.exists(path) and os.path.samefile(source, path):
                return f"{flag} {path} is an input of this command; write to another file"
        if os.path.exists(path) and not args.force:
            return f"{flag} {path} exists; pass --force to overwrite it"
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            return f"cannot write {path}: there is no folder {folder}"
    return None
