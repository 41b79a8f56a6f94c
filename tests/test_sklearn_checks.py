"""scikit-learn's own estimator checks, run on a small, fast configuration.

Every expected failure below has one of three causes, none of them a bug: two are
properties of multi-label classification, one of training in float32.
``test_classifier.py`` covers the same behaviour (sample weights as lists/Series and as
repeated rows, dtypes, sparse formats, sample-order invariance, list input) with real 0/1
multi-label targets and float32 tolerances.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skmultimlp import KerasMultiLabelClassifier

NOT_ZERO_ONE = (
    "the check draws a binary target with arbitrary class values such as {1, 2}; a "
    "multi-label indicator is 0/1 by definition, and -1/2 are rejected with a clear error"
)
SINGLE_OUTPUT_SHAPES = (
    "the check expects single-output shapes (predict of shape (n,), predict_proba of "
    "shape (n, n_classes) summing to 1); multi-label predict_proba has one independent "
    "probability per label, as MLPClassifier's multi-label predict_proba does"
)
FLOAT32_ROUNDING = (
    "the network trains in float32: integer weights and repeated rows give the same model up "
    "to float32 rounding (relative differences of about 1e-7, from the order of the sums), "
    "but the check asks for rtol=1e-7; test_sample_weight_equals_repeated_rows checks this "
    "at float32 precision"
)

EXPECTED_FAILED_CHECKS = {
    "check_estimators_dtypes": NOT_ZERO_ONE,
    "check_sample_weights_pandas_series": NOT_ZERO_ONE,
    "check_sample_weights_not_an_array": NOT_ZERO_ONE,
    "check_sample_weights_shape": NOT_ZERO_ONE,
    "check_sample_weights_not_overwritten": NOT_ZERO_ONE,
    "check_classifier_data_not_an_array": NOT_ZERO_ONE,
    "check_classifiers_classes": NOT_ZERO_ONE,
    "check_methods_sample_order_invariance": NOT_ZERO_ONE,
    "check_fit2d_1feature": NOT_ZERO_ONE,
    "check_estimator_sparse_array": SINGLE_OUTPUT_SHAPES,
    "check_estimator_sparse_matrix": SINGLE_OUTPUT_SHAPES,
    "check_classifiers_train": SINGLE_OUTPUT_SHAPES,
    "check_sample_weight_equivalence_on_dense_data": FLOAT32_ROUNDING,
    "check_sample_weight_equivalence_on_sparse_data": FLOAT32_ROUNDING,
}


@parametrize_with_checks(
    [KerasMultiLabelClassifier(hidden_layer_sizes=(16,), epochs=20, random_state=0)],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
