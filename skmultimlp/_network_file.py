"""A Keras network as the bytes of a ``.keras`` file, loaded back with Keras' safe mode.

:func:`skmultimlp.save` writes a fitted estimator's network in Keras' own ``.keras`` format
(a zip of a JSON configuration and the weights), never as a pickle, and
:func:`skmultimlp.load` reads it with ``safe_mode=True``: Keras then refuses the one part of
that format that holds Python code, a ``Lambda`` layer's function.

While a model file is written (:func:`saving`), the estimators hand their network over as
these bytes (``__getstate__``); outside of it, pickle keeps Keras' own way of pickling a model.
"""

import contextlib
import contextvars
import os
import tempfile

import keras

MIN_KERAS = (3, 14)
"""Keras releases before 3.14 could be made to run code from a ``.keras`` file despite
``safe_mode`` (CVE-2025-1550, CVE-2025-8747, CVE-2025-9906, CVE-2026-1462)."""

_SAVING = contextvars.ContextVar("skmultimlp_saving_model_file", default=False)


class UnsafeNetworkError(ValueError):
    """The network of a model file cannot be loaded without running code from the file."""


@contextlib.contextmanager
def saving():
    """Within this block, estimators give their network as ``.keras`` bytes when pickled
    for a model file (see :func:`network_state`)."""
    token = _SAVING.set(True)
    try:
        yield
    finally:
        _SAVING.reset(token)


def network_state(network):
    """What an estimator stores for ``network``: the model itself, or, while a model file
    is written, the bytes of its ``.keras`` file."""
    return network_to_bytes(network) if _SAVING.get() else network


def check_keras_version():
    version = tuple(int(part) for part in keras.__version__.split(".")[:2])
    if version < MIN_KERAS:
        raise RuntimeError(
            f"Loading model files needs Keras >= {'.'.join(map(str, MIN_KERAS))} (earlier "
            f"releases can run code from a .keras file even in safe mode); this is Keras "
            f"{keras.__version__}: pip install -U keras."
        )


def network_to_bytes(network):
    """The bytes of ``network`` saved in Keras' ``.keras`` format."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "network.keras")
        network.save(path)
        with open(path, "rb") as file:
            return file.read()


def network_from_bytes(data):
    """The network saved by :func:`network_to_bytes`, loaded in Keras' safe mode.

    Raises :class:`UnsafeNetworkError` for a network Keras will not load safely (a
    ``Lambda`` layer) or that is not a valid ``.keras`` file.
    """
    check_keras_version()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "network.keras")
        with open(path, "wb") as file:
            file.write(data)
        try:
            # compile=False: predicting needs no optimizer or loss, and so nothing of the
            # training configuration (a custom loss, say) is deserialised.
            return keras.saving.load_model(path, compile=False, safe_mode=True)
        except Exception as exc:  # Keras raises many kinds for a file it will not load
            raise UnsafeNetworkError(
                "The model file's Keras network cannot be loaded safely: "
                f"{' '.join(str(exc).split())[:300]} Networks with a Lambda layer (Python "
                "code) or layers from outside Keras and skmultimlp cannot be stored in a "
                "model file; use pickle for those, and only with files you trust."
            ) from None
