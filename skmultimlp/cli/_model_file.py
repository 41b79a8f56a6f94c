"""The command line's model files: the fitted estimator and the columns it needs.

A model file is a skmultimlp model file (:mod:`skmultimlp.persistence`) that also holds
the feature and label column names, the label-name column and its separator, and the
columns to ignore. A pickle (skmultimlp 0.1's format) is read only with --trust-pickle.
"""

import os

from ._errors import CommandError, one_line

_PICKLE_FORMAT = "skmultimlp-cli-model"
"""The ``"format"`` entry of the dict that skmultimlp 0.1's ``fit`` pickled with joblib."""


def save_model(estimator, data, args, path):
    """Write ``estimator`` with the columns of ``data`` (a :class:`LabelledData`)."""
    from ..persistence import write_model_file

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
        raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None


def load_model(path, trust_pickle=False):
    """The dict of the model file at ``path``; its ``"estimator"`` is fitted."""
    from ..persistence import read_model_file

    if not os.path.isfile(path):
        raise CommandError(f"no such model file: {path}")
    with open(path, "rb") as file:
        is_pickle = file.read(1) == b"\x80"  # what pickle and joblib.dump write starts so
    if is_pickle:
        if not trust_pickle:
            raise CommandError(
                f"{path} is a pickle (a model file of skmultimlp 0.1, or not ours); loading "
                "a pickle runs any code it holds. If you trust whoever made it, pass "
                "--trust-pickle, then save it again with 'skmultimlp fit'"
            )
        return _load_trusted_pickle(path)
    try:
        return read_model_file(path)
    except (ValueError, OSError) as exc:
        raise CommandError(one_line(exc)) from None


def _load_trusted_pickle(path):
    import joblib

    not_ours = f"{path} is not a model file written by 'skmultimlp fit'"
    try:
        bundle = joblib.load(path)
    except Exception as exc:  # unpickling can fail in any way: missing classes, versions...
        raise CommandError(
            f"cannot load {path}, a joblib or pickle file: "
            f"{type(exc).__name__}: {one_line(exc)[:200]}"
        ) from None
    if not isinstance(bundle, dict) or bundle.get("format") != _PICKLE_FORMAT:
        raise CommandError(f"{not_ours}: it holds another kind of object ({type(bundle).__name__})")
    return bundle
