"""Keep TensorFlow's start-up log lines off the terminal.

Importing TensorFlow prints a few lines to the process's stderr from C++ (oneDNN, CUDA
probing) whatever ``TF_CPP_MIN_LOG_LEVEL`` says, and more later (a failed ``cuInit`` on
a machine without a GPU) unless it is 3. Read by a user they look like failures, so the
command sets ``TF_CPP_MIN_LOG_LEVEL=3`` and imports the Keras backend with the process's
stderr pointed at ``/dev/null``. A user who sets ``TF_CPP_MIN_LOG_LEVEL`` themselves gets
everything, as they asked.
"""

import contextlib
import os
import sys

_LEVEL = "TF_CPP_MIN_LOG_LEVEL"


@contextlib.contextmanager
def _stderr_to_devnull():
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def import_backend_quietly():
    """Import Keras and its backend, hiding TensorFlow's log lines unless asked for."""
    if "keras" in sys.modules:
        return
    if _LEVEL in os.environ:  # the user's choice: show what they asked for
        import keras  # noqa: F401

        return
    os.environ[_LEVEL] = "3"
    with _stderr_to_devnull():
        import keras  # noqa: F401
        import keras.ops

        keras.ops.zeros(1)  # TensorFlow probes the devices on its first operation
