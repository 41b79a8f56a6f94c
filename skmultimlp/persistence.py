"""Model files that run no code when loaded: :func:`save` and :func:`load`.

A pickle can run any code when it is loaded (scikit-learn's own guidance is never to load
one from an untrusted source), so skmultimlp's model files are not pickles. A model file
is a `skops <https://skops.readthedocs.io>`_ archive: a zip of a JSON tree that names
every object it holds by type, each rebuilt only if its type is trusted (scikit-learn's
estimators, numpy arrays and Python's plain types are; skmultimlp adds its own
estimators). The Keras network inside is stored in Keras' own ``.keras`` format and
loaded with Keras' ``safe_mode``, which refuses Python code (``Lambda`` layers).

Why skops and not a format of our own: a Pipeline's other steps (scalers, vectorizers)
and a :class:`~skmultimlp.MultiLabelThresholdTuner`'s inner estimator are scikit-learn
objects, and skops already stores those safely, with a maintained list of trusted types
and an audit that refuses the rest before anything is built.

File layout (format version 1): the skops archive holds one dict
``{"format": "skmultimlp-model", "format_version": 1, "skmultimlp_version": ...,
"estimator": ...}`` (the command-line tool adds the column names it needs). Loading needs
``import skmultimlp`` (done by :func:`load`): the network's Dropout layer is skmultimlp's.
"""

import os
import zipfile

import skops.io

from . import _network_file

__all__ = ["FORMAT", "FORMAT_VERSION", "load", "save"]

FORMAT = "skmultimlp-model"
"""The ``"format"`` entry of a model file."""

FORMAT_VERSION = 1
"""The version of the model-file layout this release writes; it reads this one and older."""

_PICKLE_START = b"\x80"  # the protocol opcode every pickle of protocol >= 2 starts with


def _our_types():
    from ._classifier import KerasMultiLabelClassifier
    from .thresholds import MultiLabelThresholdTuner

    return [KerasMultiLabelClassifier, MultiLabelThresholdTuner]


def _version():
    from . import __version__

    return __version__


def _check_saveable(estimator, where="estimator"):
    """Refuse, with the parameter's path, what a model file cannot hold safely."""
    from ._classifier import KerasMultiLabelClassifier

    if isinstance(estimator, KerasMultiLabelClassifier) and estimator.callbacks is not None:
        raise ValueError(
            f"{where} has callbacks={estimator.callbacks!r}: Keras callbacks are Python "
            f"objects that a model file does not store. Set {where}.callbacks to None "
            "(set_params(callbacks=None)) before saving; the fitted network is unchanged."
        )
    get_params = getattr(estimator, "get_params", None)
    if get_params is None:
        return
    for name, value in get_params(deep=False).items():
        if hasattr(value, "get_params"):
            _check_saveable(value, f"{where}.{name}")
        elif name == "steps" and isinstance(value, list):
            for step, step_estimator in value:
                _check_saveable(step_estimator, f"{where}[{step!r}]")
    fitted = getattr(estimator, "estimator_", None)
    if fitted is not None:
        _check_saveable(fitted, f"{where}.estimator_")


def write_model_file(path, estimator, **extra):
    """Write ``estimator`` (and JSON-like ``extra`` entries) to the model file ``path``."""
    _check_saveable(estimator)
    content = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "skmultimlp_version": _version(),
        **extra,
        "estimator": estimator,
    }
    with _network_file.saving():
        data = skops.io.dumps(content, compression=zipfile.ZIP_DEFLATED)
    with open(path, "wb") as file:
        file.write(data)


def read_model_file(path, trusted=None):
    """The dict of a model file written by :func:`write_model_file`.

    Raises ``ValueError`` naming the problem for anything else: a pickle, another kind of
    file, a type that is not trusted, a network Keras will not load safely.
    """
    path = os.fspath(path)
    with open(path, "rb") as file:
        data = file.read()
    if data.startswith(_PICKLE_START):
        raise ValueError(
            f"{path} is a pickle, not a skmultimlp model file. Loading a pickle runs any "
            "code it holds, so skmultimlp.load never does; if you trust whoever made the "
            "file, load it with pickle or joblib yourself and save it again with "
            "skmultimlp.save."
        )
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{path} is not a skmultimlp model file (not a zip archive).")
    _network_file.check_keras_version()
    trusted_types = _our_types() + list(trusted or [])
    try:
        untrusted = skops.io.get_untrusted_types(data=data)
    except Exception as exc:  # a zip that is no skops archive fails in many ways
        raise ValueError(
            f"{path} is not a skmultimlp model file: {type(exc).__name__}: {exc}"
        ) from None
    names = {skops_name(t) for t in trusted_types}
    refused = sorted(set(untrusted) - names)
    if refused:
        raise ValueError(
            f"{path} holds objects of types that are not trusted, so it was not loaded: "
            f"{refused}. Loading them would run their code. If you trust the file, pass "
            f"trusted={refused!r} to skmultimlp.load."
        )
    content = skops.io.loads(data, trusted=trusted_types)
    if not isinstance(content, dict) or content.get("format") != FORMAT:
        raise ValueError(
            f"{path} is a skops file but not a skmultimlp model file (it holds a "
            f"{type(content).__name__}); load it with skops.io.load."
        )
    if content.get("format_version", 0) > FORMAT_VERSION:
        raise ValueError(
            f"{path} was written by skmultimlp {content.get('skmultimlp_version')} in model-"
            f"file format {content.get('format_version')}, newer than this release "
            f"({_version()}) reads: upgrade skmultimlp."
        )
    return content


def skops_name(t):
    """A type's name as skops lists it (``module.QualName``); strings pass through."""
    return t if isinstance(t, str) else f"{t.__module__}.{t.__name__}"


def save(estimator, path):
    """Save a fitted estimator to a model file that runs no code when loaded.

    Parameters
    ----------
    estimator : estimator
        A :class:`~skmultimlp.KerasMultiLabelClassifier`, a
        :class:`~skmultimlp.MultiLabelThresholdTuner`, a
        :class:`~sklearn.pipeline.Pipeline` ending in one, or any scikit-learn estimator
        that skops can store.
    path : str or path-like
        The file to write (a zip archive; ``.skops`` is the usual extension).

    Raises
    ------
    ValueError
        For what a model file cannot hold: Keras ``callbacks`` (set them to None first).

    See Also
    --------
    load : reads the file back.

    Notes
    -----
    An estimator built with ``model=`` keeps its builder function as a parameter; the
    file names it by module and name, and :func:`load` asks you to trust it explicitly.
    A network with a ``Lambda`` layer is saved, but :func:`load` refuses it (Keras' safe
    mode): pickle such estimators, and load the pickle only if you trust it.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from sklearn.datasets import make_multilabel_classification
    >>> from skmultimlp import KerasMultiLabelClassifier, load, save
    >>> X, y = make_multilabel_classification(n_samples=100, n_features=5, random_state=0)
    >>> clf = KerasMultiLabelClassifier((8,), epochs=3, random_state=0).fit(X, y)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     save(clf, os.path.join(folder, "model.skops"))
    ...     loaded = load(os.path.join(folder, "model.skops"))
    >>> bool(np.array_equal(loaded.predict_proba(X), clf.predict_proba(X)))
    True
    """
    write_model_file(path, estimator)


def load(path, *, trusted=None):
    """Load an estimator saved by :func:`save`, running no code from the file.

    Parameters
    ----------
    path : str or path-like
        A model file written by :func:`save` (or by ``skmultimlp fit``).
    trusted : list of str or type, default=None
        Types to trust besides scikit-learn's, numpy's and skmultimlp's, as the error
        for an untrusted type lists them (e.g. the module and name of a ``model=``
        builder). Only list what you trust: loading it runs its code.

    Returns
    -------
    estimator : estimator
        The fitted estimator; it predicts exactly what the saved one did.

    Raises
    ------
    ValueError
        If the file is a pickle (never loaded), not a model file, holds an untrusted
        type, or holds a network Keras will not load in safe mode (a ``Lambda`` layer).

    See Also
    --------
    save : writes the file.

    Examples
    --------
    >>> import pickle, tempfile, os
    >>> from skmultimlp import load
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "model.pkl")
    ...     with open(path, "wb") as file:
    ...         pickle.dump({"not": "a model file"}, file)
    ...     load(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: ...model.pkl is a pickle, not a skmultimlp model file. ...
    """
    return read_model_file(path, trusted=trusted)["estimator"]
