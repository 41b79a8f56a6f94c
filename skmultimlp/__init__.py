"""Keras neural networks as first-class scikit-learn estimators for multi-label data."""

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

__version__ = "0.1.0"

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
