"""Keep TensorFlow's native log lines off the terminal.

TensorFlow and XLA write log lines from C++ straight to the process's stderr (file
descriptor 2) when they are imported and when XLA first compiles (oneDNN, CUDA probing, a
failed ``cuInit`` on a machine without a GPU), whatever ``TF_CPP_MIN_LOG_LEVEL`` says for
some of them. Read by a user they look like failures. So, while a command runs, descriptor
2 points at ``/dev/null`` and Python's ``sys.stderr`` (the command's own warnings and
errors, tqdm, tracebacks) writes to a copy of the real stderr. A user who asks for
TensorFlow's info or warning lines (``TF_CPP_MIN_LOG_LEVEL=0`` or ``1``) gets everything.
"""

import contextlib
import io
import os
import sys

_LEVEL = "TF_CPP_MIN_LOG_LEVEL"


def _writes_to_descriptor_2(stream):
    try:
        return stream.fileno() == 2
    except (AttributeError, OSError, io.UnsupportedOperation):
        return False


@contextlib.contextmanager
def native_stderr_silenced():
    """Within this block, only Python's ``sys.stderr`` reaches the real stderr."""
    if os.environ.get(_LEVEL) in ("0", "1"):  # the user asked for TensorFlow's logs
        yield
        return
    os.environ.setdefault(_LEVEL, "3")
    python_stderr = sys.stderr
    python_stderr.flush()
    real = os.dup(2)
    replacement = None
    if _writes_to_descriptor_2(python_stderr):
        replacement = open(  # noqa: SIM115 - closed in the finally clause
            real,
            "w",
            buffering=1,
            encoding=python_stderr.encoding,
            errors="backslashreplace",
            closefd=False,
        )
        sys.stderr = replacement
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    try:
        yield
    finally:
        sys.stderr.flush()
        sys.stderr = python_stderr
        if replacement is not None:
            replacement.close()
        os.dup2(real, 2)
        os.close(real)
