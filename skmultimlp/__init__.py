"""Keras neural networks as first-class scikit-learn estimators for multi-label data.

The public names below are imported on first use (PEP 562), so that ``import skmultimlp``
and the command line's ``--help`` do not start TensorFlow; ``from skmultimlp import
KerasMultiLabelClassifier`` works as usual.
"""

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# Each public name and the module that defines it.
_EXPORTS = {
    "KerasMultiLabelClassifier": "._classifier",
    "MultiLabelThresholdTuner": ".thresholds",
    "REFERENCE_NEW_ROW": ".datasets",
    "load_reference": ".datasets",
    "SCORERS": ".metrics",
    "exact_match_score": ".metrics",
    "hamming_loss": ".metrics",
    "macro_f1_score": ".metrics",
    "make_scorers": ".metrics",
    "multilabel_report": ".metrics",
    "load": ".persistence",
    "save": ".persistence",
}

__all__ = [
    "SCORERS",
    "REFERENCE_NEW_ROW",
    "KerasMultiLabelClassifier",
    "MultiLabelThresholdTuner",
    "__version__",
    "exact_match_score",
    "hamming_loss",
    "load",
    "load_reference",
    "macro_f1_score",
    "make_scorers",
    "multilabel_report",
    "save",
]

if TYPE_CHECKING:  # for static readers (type checkers, the API docs)
    from ._classifier import KerasMultiLabelClassifier
    from .datasets import REFERENCE_NEW_ROW, load_reference
    from .metrics import (
        SCORERS,
        exact_match_score,
        hamming_loss,
        macro_f1_score,
        make_scorers,
        multilabel_report,
    )
    from .persistence import load, save
    from .thresholds import MultiLabelThresholdTuner


def __getattr__(name):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__():
    return __all__
