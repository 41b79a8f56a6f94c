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
label). ``--labels`` columns that hold other values (names, integers) are class columns,
each an output of a multi-class target whose class ``predict`` writes. All other
columns, except those named by ``--ignore``, must be numeric features.

Bad input ends with one line ``skmultimlp: error: ...`` on stderr and exit status 2 for a
wrong command line, 1 for data or files that cannot be used.

Rooms: ``_parser`` (arguments; imports nothing heavy, so ``--help`` is instant),
``_commands`` (the four commands), ``_folds`` (evaluate's folds and progress bar),
``_output_scores`` (the scores of class columns), ``_report`` (what is printed),
``_model_file`` (model files), ``_quiet`` (TensorFlow's native log lines).
"""

import os
import sys

from ._errors import CommandError
from ._parser import build_parser, check_arguments, output_problem
from ._quiet import native_stderr_silenced

__all__ = ["build_parser", "main"]


def _check_plot(args):
    if getattr(args, "plot", None) is None:
        return
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise CommandError(
            "--plot needs matplotlib: pip install matplotlib (or, in the clone, "
            "pip install -e '.[plot]')"
        ) from None
    formats = Figure().canvas.get_supported_filetypes()
    extension = os.path.splitext(args.plot)[1].lstrip(".").lower()
    if extension not in formats:
        args.parser.error(
            f"--plot {args.plot}: give the image a file extension among {', '.join(formats)}"
        )


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
    ...     main(["evaluate", f"{folder}/data.csv", "--labels", "a,b,c", "--hidden", "4",
    ...           "--epochs", "2", "--splits", "2", "--repeats", "1", "--no-early-stopping"])
    ... # doctest: +ELLIPSIS
    StandardScaler + KerasMultiLabelClassifier(...) on .../data.csv (60 rows x 4 features, ...
    per fit: 2 epochs run (means over the folds)
      exact-match accuracy: 0... ± 0...
              hamming loss: 0... ± 0...
    ...
    0
    >>> main(["predict", "no-model.skops", "new.csv"])  # the error goes to stderr
    1
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        argv.insert(0, "evaluate")  # the reference evaluation, or it with options
    args = build_parser().parse_args(argv)
    check_arguments(args)
    try:
        problem = output_problem(args)
        if problem:
            raise CommandError(problem)
        _check_plot(args)
        with native_stderr_silenced():
            from . import _commands

            getattr(_commands, args.command)(args, sys.stdout)
    except CommandError as exc:
        print(f"skmultimlp: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("skmultimlp: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of standard output stopped (`skmultimlp predict ... | head`): end
        # quietly, and keep Python from failing to flush stdout at exit (Python's advice).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except ValueError as exc:
        from .._csv import DataError

        if not isinstance(exc, DataError):
            raise
        print(f"skmultimlp: error: {exc}", file=sys.stderr)
        return 1
    return 0
