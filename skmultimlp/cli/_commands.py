"""The four commands: evaluate, fit, predict and tune."""

import math
import sys
import time

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, ParameterGrid, RepeatedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MaxAbsScaler, StandardScaler

from .._classifier import KerasMultiLabelClassifier
from .._csv import (
    DataError,
    feature_frame,
    label_warnings,
    labelled_data,
    read_csv,
    read_text_columns,
)
from .._early_stopping import SCORES as STOPPING_SCORES
from .._network import ACTIVATIONS
from ..datasets import load_reference
from ..metrics import SCORERS, make_scorers
from ..model_selection import RepeatedMultilabelStratifiedKFold
from ._errors import CommandError, one_line
from ._folds import run_folds
from ._model_file import load_model, save_model
from ._output_scores import SCORES as OUTPUT_SCORES
from ._output_scores import output_scorers
from ._parser import did_you_mean
from ._report import (
    data_description,
    describe,
    epochs_text,
    kept_epoch,
    metric,
    network_of,
    print_scores,
    unknown_note,
    warn,
)

MIN_VALIDATION_ROWS = 10
"""Early stopping judges each epoch on the held-out rows; with fewer than this many its
stopping point is noise (measured, see docs/troubleshooting.md: with 3 held-out rows 2 of
10 fits stopped far too early, with 6 or more none did), so the command warns."""

# Scorers that average over samples: undefined for a single label.
_SAMPLE_SCORERS = ("f1_samples", "jaccard_samples")

# Parameters whose value is one of a few names: a misspelt one gets a hint.
_NAMED_VALUES = {
    "activation": sorted(ACTIVATIONS),
    "scoring": list(STOPPING_SCORES),
    "output_bias_init": ["zeros", "prior"],
    "label_weight": ["balanced"],
}


# ----------------------------------------------------------------------------------- helpers


def make_estimator(args, network=None):
    """The command's network (or ``network``), behind the ``--scale`` scaler."""
    if network is None:
        network = KerasMultiLabelClassifier(
            hidden_layer_sizes=args.hidden,
            epochs=args.epochs,
            batch_size=args.batch_size,
            learning_rate=args.learning_rate,
            threshold=args.threshold,
            label_weight="balanced" if args.balanced else None,
            random_state=args.random_state,
            **({} if args.early_stopping is None else {"early_stopping": args.early_stopping}),
        )
    if args.scale == "none":
        return network
    scaler = StandardScaler() if args.scale == "standard" else MaxAbsScaler()
    return Pipeline([("scale", scaler), ("network", network)])


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


def _describe_data(args, data):
    names = list(data.y.columns)
    return data_description(args.data, data.X, data.y, names, data.classes)


def _read_labelled(args):
    data = labelled_data(
        read_csv(args.data),
        args.data,
        labels=args.labels or (),
        label_column=args.label_column,
        sep=";" if args.sep is None else args.sep,
        ignore=args.ignore or (),
        classes=args.classes,
    )
    problems = label_warnings(
        data.y,
        sep=(";" if args.sep is None else args.sep) if args.label_column else None,
        outputs=data.outputs,
    )
    if problems and args.strict_labels:
        raise DataError(f"{args.data}: " + "; ".join(problems) + " (--strict-labels)")
    for problem in problems:
        warn(f"{args.data}: {problem}")
    return data


def _check_validation_rows(estimator, n_train):
    """Warn when early stopping would judge the epochs on too few held-out rows."""
    network = network_of(estimator)
    # "auto" stops early only from 1000 rows on, which leave 100 held out.
    if isinstance(network.early_stopping, str) or not network.early_stopping:
        return
    n_val = math.ceil(network.validation_fraction * n_train)
    if n_val < MIN_VALIDATION_ROWS:
        warn(
            f"early stopping holds out only {n_val} of {n_train} training rows to decide "
            f"when to stop (fewer than {MIN_VALIDATION_ROWS}): it may stop before the labels "
            "are learnt. Pass --no-early-stopping, or give it more rows."
        )


def _fit_estimator(estimator, X, y):
    try:
        return estimator.fit(X, y)
    except (ValueError, TypeError) as exc:  # the estimator's checks of the data
        raise CommandError(one_line(exc)) from None


def _write_figure(figure, path):
    try:
        figure.savefig(path, dpi=100)
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None


# ---------------------------------------------------------------------------------- commands


def evaluate(args, out):
    """Cross-validate and print the mean ± std of every scorer of SCORERS (of
    :func:`~skmultimlp.cli._output_scores.output_scorers` for class columns)."""
    outputs = False
    if args.data is None:
        X, y = load_reference()
        names = list(range(y.shape[1]))
        description = f"the reference data ({X.shape[0]} x {X.shape[1]}, {y.shape[1]} labels)"
        n_unknown = 0
        stratify = y
    else:
        data = _read_labelled(args)
        X, y, names = data.X.to_numpy(), data.target.to_numpy(), list(data.y.columns)
        description = _describe_data(args, data)
        n_unknown, outputs, stratify = data.n_unknown, data.outputs, data.stratification()
    if not outputs and y.shape[1] < 2:
        raise CommandError(
            f"evaluate needs two or more labels, got one ({names[0]}): its samples-based "
            "scores (samples F1, samples Jaccard) are not defined for a single label. For "
            "one label, use scikit-learn's binary classifiers and scores."
        )
    estimator = make_estimator(args)
    try:
        splits = list(_cv(args).split(X, stratify))
    except ValueError as exc:
        raise CommandError(f"cannot split the data into folds: {one_line(exc)}") from None
    _check_validation_rows(estimator, min(len(train) for train, _ in splits))
    start = time.perf_counter()
    try:
        results = run_folds(
            estimator,
            X,
            y,
            splits,
            output_scorers(names) if outputs else _scorers(n_unknown),
            keep_first=args.splits if args.plot is not None else 0,
            n_jobs=args.n_jobs,
            predictions=not outputs,
        )
    except (ValueError, TypeError) as exc:  # the estimator's checks of the data
        raise CommandError(one_line(exc)) from None
    elapsed = time.perf_counter() - start
    print(
        f"{describe(estimator)} on {description}; "
        f"{_cv_description(args, len(splits))} in {elapsed:.1f} s",
        file=out,
    )
    kept = None if np.isnan(results.kept).all() else results.kept.mean()
    print(f"per fit: {epochs_text(results.n_iter.mean(), kept)} (means over the folds)", file=out)
    if n_unknown:
        print(unknown_note(n_unknown, y), file=out)
    print_scores(results.scores, out)
    if args.plot is not None:
        _evaluation_figure(args, results, y, names, description, outputs)
        print(f"figure written to {args.plot}", file=out)
    return results.scores


def _evaluation_figure(args, results, y, names, description, outputs=False):
    """CV scores, per-label scores (labels only: class columns have their accuracies
    among the CV scores) and the first fold's loss curve."""
    from matplotlib.figure import Figure

    from ..plotting import plot_cv_scores, plot_label_scores, plot_loss_curve

    model = network_of(results.first_model)
    figure = Figure(figsize=(16, 5), layout="constrained")
    if outputs:
        cv_ax, loss_ax = figure.subplots(1, 2)
    else:
        cv_ax, label_ax, loss_ax = figure.subplots(1, 3)
    plot_cv_scores(results.scores, ax=cv_ax)
    if not outputs:
        plot_label_scores(y, results.y_oof, labels=names, ax=label_ax, missing="ignore")
        label_ax.set_title(label_ax.get_title() + "\n(out-of-fold, first repeat)")
    plot_loss_curve(model, ax=loss_ax)
    loss_ax.set_title(loss_ax.get_title() + " (first fold)")
    figure.suptitle(f"{describe(results.first_model)} on {description}")
    _write_figure(figure, args.plot)


def fit(args, out):
    """Fit on every row of the file and save the model with what predict must check."""
    data = _read_labelled(args)
    estimator = make_estimator(args)
    _check_validation_rows(estimator, data.X.shape[0])
    start = time.perf_counter()
    _fit_estimator(estimator, data.X, data.target)
    elapsed = time.perf_counter() - start
    save_model(estimator, data, args, args.output)
    network = network_of(estimator)
    print(
        f"{describe(estimator)} fitted on {_describe_data(args, data)} in {elapsed:.1f} s; "
        f"{epochs_text(network.n_iter_, kept_epoch(network))}; "
        f"last training loss {network.loss_curve_[-1]:.4f}",
        file=out,
    )
    if data.n_unknown:
        print(unknown_note(data.n_unknown, data.y), file=out)
    print(f"model written to {args.output}", file=out)
    if args.plot is not None:
        from ..plotting import plot_loss_curve

        ax = plot_loss_curve(network)
        ax.figure.set_size_inches(6.4, 4.8)
        _write_figure(ax.figure, args.plot)
        print(f"figure written to {args.plot}", file=out)
    return estimator


def predict(args, out):
    """Predict the rows of a file with a saved model, after checking its columns.

    The --ignore columns are copied as written in the file; only the columns computed
    here are formatted.
    """
    bundle = load_model(args.model, trust_pickle=args.trust_pickle)
    frame = read_csv(args.data)
    features, ignore = bundle["features"], bundle["ignore"]
    columns = [str(name) for name in frame.columns]
    frame.columns = columns
    # The label columns of a file with known labels are not features: leave them out.
    not_features = {*ignore, *bundle["labels"], bundle["label_column"]}
    missing = [name for name in features if name not in columns]
    extra = [name for name in columns if name not in not_features and name not in features]
    if missing or extra:
        parts = []
        if missing:
            parts.append("lacks feature columns " + ", ".join(map(str, missing)))
        if extra:
            parts.append("has columns the model was not fitted on: " + ", ".join(map(str, extra)))
        raise DataError(f"{args.data} " + " and ".join(parts))
    X = feature_frame(frame, args.data, features)
    estimator = bundle["estimator"]
    target_type = getattr(network_of(estimator), "target_type_", "multilabel-indicator")
    if target_type != "multilabel-indicator":
        result = _predict_classes(estimator, X, bundle["labels"], args.proba)
    elif args.proba:
        classes = [str(name) for name in estimator.classes_]
        proba = estimator.predict_proba(X)
        result = pd.DataFrame(
            {name: [f"{p:.4f}" for p in proba[:, j]] for j, name in enumerate(classes)}
        )
    elif bundle["label_column"] is not None:
        on = estimator.predict(X).astype(bool)
        names = np.asarray(estimator.classes_)
        joined = [bundle["sep"].join(map(str, names[row])) for row in on]
        result = pd.DataFrame({bundle["label_column"]: joined})
    else:
        classes = [str(name) for name in estimator.classes_]
        result = pd.DataFrame(estimator.predict(X), columns=classes)
    kept = read_text_columns(args.data, [name for name in ignore if name in columns])
    result = pd.concat([kept, result], axis=1)
    target = out if args.output is None else args.output
    try:
        result.to_csv(target, index=False)
    except BrokenPipeError:
        raise  # the reader of standard output stopped reading: main ends quietly
    except OSError as exc:
        where = "standard output" if args.output is None else args.output
        raise CommandError(f"cannot write {where}: {exc.strerror or exc}") from None
    return result


def _predict_classes(estimator, X, labels, proba):
    """The predicted class of each output (class columns), a column each named after it;
    with ``proba``, the probability of each class of each output, a column each named
    ``<output>=<class>``."""
    if not proba:
        predicted = np.asarray(estimator.predict(X)).reshape(X.shape[0], len(labels))
        return pd.DataFrame({name: predicted[:, j] for j, name in enumerate(labels)})
    network = network_of(estimator)
    blocks = estimator.predict_proba(X)
    classes = network.classes_
    if network.target_type_ != "multiclass-multioutput":
        blocks, classes = [blocks], [classes]
    columns = {}
    for name, block, output_classes in zip(labels, blocks, classes, strict=True):
        for k, value in enumerate(output_classes):
            columns[f"{name}={value}"] = [f"{p:.4f}" for p in block[:, k]]
    return pd.DataFrame(columns)


def _format_value(value):
    return repr(value) if isinstance(value, tuple) else str(value)


def _check_grid(args, estimator, grid):
    """Every candidate's parameters checked before anything trains (exit status 2)."""
    network = network_of(estimator)
    for candidate in ParameterGrid(grid):
        message = _parameter_problem(network, candidate)
        if message is None:
            continue
        # Name the value at fault: the first that fails on its own, if one does.
        for name, value in candidate.items():
            if _parameter_problem(network, {name: value}) is not None:
                hint = did_you_mean(value, _NAMED_VALUES[name]) if name in _NAMED_VALUES else ""
                args.parser.error(f"--grid {name}={value!r}: {message}{hint}")
        args.parser.error(f"--grid candidate {candidate}: {message}")


def _parameter_problem(network, params):
    """The error ``network`` with ``params`` would raise in ``fit``, in one line, or None."""
    try:
        clone(network).set_params(**params)._validate_params()
    except (ValueError, TypeError) as exc:
        return one_line(exc)
    return None


def tune(args, out):
    """Grid search: the candidates ranked by one scorer, the best refitted on all rows."""
    data = _read_labelled(args)
    estimator = make_estimator(args)
    grid = dict(args.grid)
    _check_grid(args, estimator, grid)
    if data.outputs and args.scoring not in OUTPUT_SCORES:
        raise CommandError(
            f"--scoring {args.scoring} is a multi-label score, and the label columns of "
            f"{args.data} are class columns (outputs of a multi-class target); choose "
            f"{', '.join(OUTPUT_SCORES[:-1])} or {OUTPUT_SCORES[-1]}"
        )
    if not data.outputs and data.y.shape[1] < 2 and args.scoring in _SAMPLE_SCORERS:
        raise CommandError(
            f"--scoring {args.scoring} averages over samples, which is not defined for a "
            "single label; choose exact_match, neg_hamming_loss, f1_macro or f1_micro"
        )
    prefix = "network__" if estimator is not network_of(estimator) else ""
    cv = _cv(args)
    if data.outputs:  # the folds of class columns, stratified on their classes' columns
        try:
            cv = list(cv.split(data.X, data.stratification()))
        except ValueError as exc:
            raise CommandError(f"cannot split the data into folds: {one_line(exc)}") from None
    _check_validation_rows(estimator, data.X.shape[0] * (args.splits - 1) // args.splits)
    n_candidates = math.prod(len(values) for values in grid.values())
    n_splits = len(cv) if data.outputs else cv.get_n_splits()
    scorers = output_scorers() if data.outputs else _scorers(data.n_unknown)
    search = GridSearchCV(
        estimator,
        {prefix + name: values for name, values in grid.items()},
        scoring=scorers[args.scoring],
        cv=cv,
        n_jobs=args.n_jobs,
        refit=True,
        error_score="raise",
    )
    if sys.stderr.isatty():
        print(
            f"tuning: {n_candidates} candidates x {n_splits} splits = "
            f"{n_candidates * n_splits} fits, then the best refitted on all rows...",
            file=sys.stderr,
        )
    start = time.perf_counter()
    _fit_estimator(search, data.X, data.target)
    elapsed = time.perf_counter() - start
    title, sign = metric(args.scoring)
    print(
        f"GridSearchCV of {describe(search.estimator, leave_out=grid)} on "
        f"{_describe_data(args, data)}; "
        f"{n_candidates} candidates, {_cv_description(args, n_candidates * n_splits)} "
        f"+ 1 refit in {elapsed:.1f} s",
        file=out,
    )
    if data.n_unknown:
        print(unknown_note(data.n_unknown, data.y), file=out)
    results = search.cv_results_
    header = ["rank", title, *grid]
    rows = [
        [
            str(results["rank_test_score"][i]),
            f"{sign * results['mean_test_score'][i]:.3f} ± {results['std_test_score'][i]:.3f}",
            *(_format_value(results["params"][i][prefix + name]) for name in grid),
        ]
        for i in np.argsort(results["rank_test_score"], kind="stable")
    ]
    widths = [max(len(row[j]) for row in [header, *rows]) for j in range(len(header))]
    for row in [header, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        cells[0] = row[0].rjust(widths[0])
        print("  ".join(cells).rstrip(), file=out)
    best = ", ".join(f"{name}={_format_value(search.best_params_[prefix + name])}" for name in grid)
    print(f"best: {best}; refitted on all {data.X.shape[0]} rows", file=out)
    if args.output is not None:
        save_model(search.best_estimator_, data, args, args.output)
        print(f"model written to {args.output}", file=out)
    return search
