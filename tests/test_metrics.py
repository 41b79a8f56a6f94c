from functools import partial

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
from sklearn import metrics as skm
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_multilabel_classification
from sklearn.model_selection import KFold, cross_val_score, cross_validate
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import MultiLabelBinarizer

from skmultimlp.metrics import (
    SCORERS,
    _f1_score,
    _jaccard_samples_score,
    exact_match_score,
    hamming_loss,
    macro_f1_score,
    make_scorers,
    multilabel_report,
)

rng = np.random.RandomState(0)
Y_TRUE = rng.randint(0, 2, size=(50, 4))
Y_PRED = rng.randint(0, 2, size=(50, 4))
Y_PRED[:, 3] = 0  # a label never predicted: zero_division matters
Y_PROBA = np.clip(Y_TRUE * 0.6 + rng.uniform(0, 0.4, size=Y_TRUE.shape), 0, 1)


def test_metric_wrappers_equal_sklearn():
    assert exact_match_score(Y_TRUE, Y_PRED) == skm.accuracy_score(Y_TRUE, Y_PRED)
    assert hamming_loss(Y_TRUE, Y_PRED) == skm.hamming_loss(Y_TRUE, Y_PRED)
    assert macro_f1_score(Y_TRUE, Y_PRED) == skm.f1_score(
        Y_TRUE, Y_PRED, average="macro", zero_division=0
    )
    w = rng.uniform(size=50)
    assert exact_match_score(Y_TRUE, Y_PRED, sample_weight=w) == pytest.approx(
        np.average((Y_TRUE == Y_PRED).all(1), weights=w)
    )


class _Fixed(ClassifierMixin, BaseEstimator):
    """A fitted classifier whose predictions are Y_PRED, to check the scorers alone."""

    classes_ = np.arange(4)

    def predict(self, X):
        return Y_PRED


@pytest.mark.parametrize(
    "name, reference",
    [
        ("exact_match", lambda t, p: np.mean((t == p).all(1))),
        ("neg_hamming_loss", lambda t, p: -np.mean(t != p)),
        ("f1_macro", lambda t, p: skm.f1_score(t, p, average="macro", zero_division=0)),
        ("f1_micro", lambda t, p: skm.f1_score(t, p, average="micro")),
        ("f1_samples", lambda t, p: skm.f1_score(t, p, average="samples", zero_division=0)),
        (
            "jaccard_samples",
            lambda t, p: skm.jaccard_score(t, p, average="samples", zero_division=0),
        ),
    ],
)
def test_scorers_match_numpy_or_sklearn(name, reference):
    assert SCORERS[name](_Fixed(), None, Y_TRUE) == pytest.approx(reference(Y_TRUE, Y_PRED))


def test_scorers_work_as_scoring_anywhere():
    X, y = make_multilabel_classification(n_samples=60, n_classes=3, random_state=0)
    for scorer in SCORERS.values():
        scores = cross_val_score(KNeighborsClassifier(), X, y, cv=3, scoring=scorer)
        assert scores.shape == (3,)


def test_report_matches_sklearn():
    report = multilabel_report(Y_TRUE, Y_PRED, Y_PROBA, labels=["a", "b", "c", "d"])
    p, r, f, s = skm.precision_recall_fscore_support(Y_TRUE, Y_PRED, zero_division=0)
    np.testing.assert_allclose(report.precision, p)
    np.testing.assert_allclose(report.recall, r)
    np.testing.assert_allclose(report.f1, f)
    np.testing.assert_array_equal(report.support, s)
    np.testing.assert_allclose(report.roc_auc, skm.roc_auc_score(Y_TRUE, Y_PROBA, average=None))
    assert report.averages["micro"]["f1"] == pytest.approx(
        skm.f1_score(Y_TRUE, Y_PRED, average="micro")
    )
    assert report.averages["macro"]["roc_auc"] == pytest.approx(skm.roc_auc_score(Y_TRUE, Y_PROBA))
    text = str(report)
    for word in ("precision", "recall", "f1", "support", "roc_auc", "macro avg", "micro avg", "d"):
        assert word in text
    assert report.to_dict()["a"]["support"] == int(s[0])


def test_report_without_proba_and_single_class_label():
    y_true = Y_TRUE.copy()
    y_true[:, 0] = 1
    report = multilabel_report(y_true, Y_PRED, Y_PROBA)
    assert np.isnan(report.roc_auc[0]) and not np.isnan(report.roc_auc[1:]).any()
    assert multilabel_report(Y_TRUE, Y_PRED).roc_auc is None
    assert "roc_auc" not in str(multilabel_report(Y_TRUE, Y_PRED))


def test_report_bad_input():
    with pytest.raises(ValueError, match="same shape"):
        multilabel_report(Y_TRUE, Y_PRED[:, :2])
    with pytest.raises(ValueError, match="labels has 2 names for 4"):
        multilabel_report(Y_TRUE, Y_PRED, labels=["a", "b"])
    with pytest.raises(ValueError, match="y_proba must have shape"):
        multilabel_report(Y_TRUE, Y_PRED, Y_PROBA[:, :2])


# --- missing labels ---------------------------------------------------------------------

Y_MISS = Y_TRUE.astype(float)
Y_MISS[rng.uniform(size=Y_MISS.shape) < 0.25] = np.nan
Y_MISS[0] = np.nan  # a sample with no known label
Y_MISS[:, 2] = np.where(np.arange(50) % 2, np.nan, Y_MISS[:, 2])  # a half-known label
KNOWN = ~np.isnan(Y_MISS)
W = rng.uniform(0.5, 2, size=50)


def _counts(t, p, w):
    """Weighted true positives, false positives and false negatives."""
    return (w * (t & p)).sum(), (w * (~t & p)).sum(), (w * (t & ~p)).sum()


def _f1(tp, fp, fn):
    return 0.0 if 2 * tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn)


def _numpy_reference(name, y, p, w):
    """Scores over the known entries of y (NaN: unknown), written out with numpy."""
    known = ~np.isnan(y)
    t, p = np.nan_to_num(y).astype(bool), p.astype(bool)
    rows = known.any(1)
    if name == "exact_match":
        right = np.array([(t[i, k] == p[i, k]).all() for i, k in enumerate(known)])
        return np.average(right[rows], weights=w[rows])
    if name == "neg_hamming_loss":
        wrong = ((t != p) & known).sum(1)
        return -(w * wrong).sum() / (w * known.sum(1)).sum()
    if name == "f1_macro":
        labels = [j for j in range(y.shape[1]) if known[:, j].any()]
        return np.mean(
            [_f1(*_counts(t[known[:, j], j], p[known[:, j], j], w[known[:, j]])) for j in labels]
        )
    if name == "f1_micro":
        ww = np.broadcast_to(w[:, None], y.shape)
        return _f1(*_counts(t[known], p[known], ww[known]))
    per_row = []
    for i in np.flatnonzero(rows):
        tp, fp, fn = _counts(t[i, known[i]], p[i, known[i]], 1)
        if name == "f1_samples":
            per_row.append(_f1(tp, fp, fn))
        else:  # jaccard_samples
            per_row.append(0.0 if tp + fp + fn == 0 else tp / (tp + fp + fn))
    return np.average(per_row, weights=w[rows])


FUNCTIONS = {
    "exact_match": exact_match_score,
    "neg_hamming_loss": lambda *a, **k: -hamming_loss(*a, **k),
    "f1_macro": macro_f1_score,
}


def test_missing_fixture_is_what_the_tests_need():
    assert not KNOWN[0].any() and KNOWN.any(1).mean() > 0.9
    assert 0 < KNOWN.mean() < 1 and KNOWN[:, 2].sum() < KNOWN[:, 0].sum()


@pytest.mark.parametrize("marker", [np.nan, -1])
@pytest.mark.parametrize("func", [exact_match_score, hamming_loss, macro_f1_score])
def test_metrics_raise_a_clear_error_on_missing_entries(func, marker):
    y = Y_TRUE.astype(float)
    y[3, 1] = marker
    with pytest.raises(ValueError, match=r"1 missing label entries.*missing='ignore'"):
        func(y, Y_PRED)
    with pytest.raises(ValueError, match="missing='ignore'"):
        multilabel_report(y, Y_PRED)


@pytest.mark.parametrize("name", sorted(SCORERS))
def test_every_scorer_raises_a_clear_error_on_missing_entries(name):
    y = Y_TRUE.copy()
    y[3, 1] = -1  # scikit-learn alone says "mix of multilabel-indicator and multiclass-..."
    with pytest.raises(
        ValueError, match=r"missing label entries.*make_scorers\(missing='ignore'\)"
    ):
        SCORERS[name](_Fixed(), None, y)


def test_scorers_keep_their_names_and_signs():
    ignore = make_scorers(missing="ignore")
    assert (
        list(ignore)
        == list(SCORERS)
        == [
            "exact_match",
            "neg_hamming_loss",
            "f1_macro",
            "f1_micro",
            "f1_samples",
            "jaccard_samples",
        ]
    )
    for name in SCORERS:
        assert SCORERS[name]._sign == ignore[name]._sign == (-1 if "hamming" in name else 1)
    assert make_scorers() is not make_scorers()  # a new dict each time


@pytest.mark.parametrize("w", [None, W], ids=["unweighted", "weighted"])
def test_ignore_equals_sklearn_when_nothing_is_missing(w):
    assert exact_match_score(Y_TRUE, Y_PRED, sample_weight=w, missing="ignore") == (
        skm.accuracy_score(Y_TRUE, Y_PRED, sample_weight=w)
    )
    assert hamming_loss(Y_TRUE, Y_PRED, sample_weight=w, missing="ignore") == (
        skm.hamming_loss(Y_TRUE, Y_PRED, sample_weight=w)
    )
    assert macro_f1_score(Y_TRUE, Y_PRED, sample_weight=w, missing="ignore") == skm.f1_score(
        Y_TRUE, Y_PRED, average="macro", zero_division=0, sample_weight=w
    )
    ignore = make_scorers(missing="ignore")
    for name, scorer in SCORERS.items():
        assert ignore[name](_Fixed(), None, Y_TRUE, sample_weight=w) == scorer(
            _Fixed(), None, Y_TRUE, sample_weight=w
        )


@pytest.mark.parametrize("w", [None, W], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("name", sorted(SCORERS))
def test_ignore_scores_the_known_entries(name, w):
    expected = _numpy_reference(name, Y_MISS, Y_PRED, np.ones(50) if w is None else w)
    scorer = make_scorers(missing="ignore")[name]
    assert scorer(_Fixed(), None, Y_MISS, sample_weight=w) == pytest.approx(expected)
    y_minus_one = np.where(KNOWN, Y_MISS, -1).astype(int)
    assert scorer(_Fixed(), None, y_minus_one, sample_weight=w) == pytest.approx(expected)
    if name in FUNCTIONS:
        got = FUNCTIONS[name](Y_MISS, Y_PRED, sample_weight=w, missing="ignore")
        assert got == pytest.approx(expected)


def test_ignore_leaves_out_a_label_known_nowhere():
    y = Y_MISS.copy()
    y[:, 3] = np.nan
    expected = np.mean(
        [skm.f1_score(y[KNOWN[:, j], j], Y_PRED[KNOWN[:, j], j], zero_division=0) for j in range(3)]
    )
    assert macro_f1_score(y, Y_PRED, missing="ignore") == pytest.approx(expected)


def test_ignore_accepts_nullable_dataframe_and_single_label():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(np.where(KNOWN, Y_MISS, -1).astype(int)).astype("Int64")
    frame = frame.mask(~KNOWN)  # pandas' NA
    assert exact_match_score(frame, Y_PRED, missing="ignore") == pytest.approx(
        _numpy_reference("exact_match", Y_MISS, Y_PRED, np.ones(50))
    )
    one = Y_MISS[:, [1]]
    assert macro_f1_score(one, Y_PRED[:, [1]], missing="ignore") == pytest.approx(
        skm.f1_score(Y_MISS[KNOWN[:, 1], 1], Y_PRED[KNOWN[:, 1], 1], zero_division=0)
    )


def test_missing_option_is_checked():
    for bad in ("drop", None):
        with pytest.raises(ValueError, match="missing must be 'raise' or 'ignore'"):
            exact_match_score(Y_TRUE, Y_PRED, missing=bad)
        with pytest.raises(ValueError, match="missing must be 'raise' or 'ignore'"):
            make_scorers(missing=bad)
    with pytest.raises(ValueError, match="no known label entry"):
        hamming_loss(np.full((3, 2), np.nan), np.zeros((3, 2)), missing="ignore")


def test_sparse_y_true_with_missing_entries():
    y = sp.csr_matrix(np.where(KNOWN, Y_MISS, -1))
    with pytest.raises(ValueError, match="missing label entries"):
        hamming_loss(y, Y_PRED)
    assert hamming_loss(y, Y_PRED, missing="ignore") == pytest.approx(
        -_numpy_reference("neg_hamming_loss", Y_MISS, Y_PRED, np.ones(50))
    )
    assert hamming_loss(sp.csr_matrix(Y_TRUE), Y_PRED) == skm.hamming_loss(Y_TRUE, Y_PRED)


def test_metrics_do_not_modify_their_inputs():
    y, p = Y_MISS.copy(), Y_PRED.copy()
    for func in (exact_match_score, hamming_loss, macro_f1_score):
        func(y, p, missing="ignore")
    multilabel_report(y, p, Y_PROBA, missing="ignore")
    np.testing.assert_array_equal(y, Y_MISS)
    np.testing.assert_array_equal(p, Y_PRED)


def test_report_ignore_scores_each_label_on_its_known_rows():
    y = Y_MISS.copy()
    y[:, 3] = np.nan  # known nowhere
    known = ~np.isnan(y)
    report = multilabel_report(y, Y_PRED, Y_PROBA, missing="ignore")
    for j in range(3):
        rows = known[:, j]
        p, r, f, s = skm.precision_recall_fscore_support(
            y[rows, j], Y_PRED[rows, j], average="binary", zero_division=0
        )
        assert (report.precision[j], report.recall[j], report.f1[j]) == pytest.approx((p, r, f))
        assert report.support[j] == int(y[rows, j].sum())
        assert report.roc_auc[j] == pytest.approx(skm.roc_auc_score(y[rows, j], Y_PROBA[rows, j]))
    assert np.isnan([report.precision[3], report.f1[3], report.roc_auc[3]]).all()
    assert report.support[3] == 0
    assert report.averages["macro"]["f1"] == pytest.approx(np.mean(report.f1[:3]))
    assert report.averages["micro"]["f1"] == pytest.approx(
        skm.f1_score(y[known], Y_PRED[known], zero_division=0)
    )
    assert report.averages["micro"]["roc_auc"] == pytest.approx(
        skm.roc_auc_score(y[known], Y_PROBA[known])
    )
    assert "nan" in str(report)


# --- target forms: everything fit accepts ------------------------------------------------

NAMES = ["arts", "politics", "sports", "tech", "weather"]
T5 = np.hstack([Y_TRUE, np.zeros((50, 1), dtype=int)])  # "weather": in y_pred only
P5 = np.hstack([Y_PRED, (rng.uniform(size=(50, 1)) < 0.2).astype(int)])  # "tech": y_true only
T5[:3] = 0  # samples with no label at all
P5[1:4] = 0


def _lists(Y, names=NAMES):
    return [[names[j] for j in np.flatnonzero(row)] for row in Y]


T_LISTS, P_LISTS = _lists(T5), _lists(P5)


def _binarised(y_true, y_pred):
    """The reference: scikit-learn's MultiLabelBinarizer on the union of the names."""
    binarizer = MultiLabelBinarizer().fit(list(y_true) + list(y_pred))
    return binarizer.transform(y_true), binarizer.transform(y_pred), list(binarizer.classes_)


def _forms():
    pd = pytest.importorskip("pandas")
    frame_t, frame_p = pd.DataFrame(T5, columns=NAMES), pd.DataFrame(P5, columns=NAMES)
    shuffled = NAMES[::-1]
    return {
        "label lists": (T_LISTS, P_LISTS, {}),
        "tuples vs sets": ([tuple(r) for r in T_LISTS], [set(r) for r in P_LISTS], {}),
        "object arrays": (np.array(T_LISTS, dtype=object), np.array(P_LISTS, dtype=object), {}),
        "dataframes": (frame_t, frame_p, {}),
        "dataframes, columns in another order": (frame_t, frame_p[shuffled], {}),
        "dataframe vs array": (frame_t, P5, {}),
        "dataframe vs label lists": (frame_t[shuffled], P_LISTS, {}),
        "sparse": (sp.csr_matrix(T5), sp.csr_matrix(P5), {}),
        "label lists vs matrix, labels=": (T_LISTS, P5, {"labels": NAMES}),
        "label lists, labels= in another order": (
            T_LISTS,
            P_LISTS,
            {"labels": shuffled},
        ),
    }


REFERENCE_METRICS = {
    "exact_match": (exact_match_score, skm.accuracy_score),
    "hamming_loss": (hamming_loss, skm.hamming_loss),
    "f1_macro": (
        macro_f1_score,
        partial(skm.f1_score, average="macro", zero_division=0),
    ),
    "f1_micro": (
        partial(_f1_score, average="micro"),
        partial(skm.f1_score, average="micro", zero_division=0),
    ),
    "f1_samples": (
        partial(_f1_score, average="samples"),
        partial(skm.f1_score, average="samples", zero_division=0),
    ),
    "jaccard_samples": (
        _jaccard_samples_score,
        partial(skm.jaccard_score, average="samples", zero_division=0),
    ),
}

FORMS = [
    "label lists",
    "tuples vs sets",
    "object arrays",
    "dataframes",
    "dataframes, columns in another order",
    "dataframe vs array",
    "dataframe vs label lists",
    "sparse",
    "label lists vs matrix, labels=",
    "label lists, labels= in another order",
]


def test_the_target_form_fixture_is_what_the_tests_need():
    assert set(FORMS) == set(_forms())
    assert {"weather"} == _names(P_LISTS) - _names(T_LISTS)
    assert {"tech"} == _names(T_LISTS) - _names(P_LISTS)
    assert [] in T_LISTS and [] in P_LISTS


def _names(rows):
    return {name for row in rows for name in row}


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("metric", sorted(REFERENCE_METRICS))
def test_metrics_accept_every_target_form_of_fit(metric, form):
    func, reference = REFERENCE_METRICS[metric]
    y_true, y_pred, kwargs = _forms()[form]
    t, p, _ = _binarised(T_LISTS, P_LISTS)
    expected = reference(t, p)
    assert func(y_true, y_pred, **kwargs) == pytest.approx(expected, abs=1e-15)
    w = W
    assert func(y_true, y_pred, sample_weight=w, **kwargs) == pytest.approx(
        reference(t, p, sample_weight=w), abs=1e-15
    )


def test_label_lists_are_binarised_on_the_union_of_both():
    # The metrics that count all-zero columns see them: "weather" is in y_pred only.
    t, p, names = _binarised(T_LISTS, P_LISTS)
    assert names == NAMES
    assert hamming_loss(T_LISTS, P_LISTS) == skm.hamming_loss(t, p)
    # Without "weather" in y_pred there is one column fewer.
    no_weather = [[n for n in row if n != "weather"] for row in P_LISTS]
    t4, p4, _ = _binarised(T_LISTS, no_weather)
    assert t4.shape[1] == 4
    assert hamming_loss(T_LISTS, no_weather) == skm.hamming_loss(t4, p4)
    # labels= adds a column no argument names.
    extra = [*NAMES, "zoo"]
    wider_t = np.hstack([t, np.zeros((50, 1), dtype=int)])
    wider_p = np.hstack([p, np.zeros((50, 1), dtype=int)])
    assert macro_f1_score(T_LISTS, P_LISTS, labels=extra) == skm.f1_score(
        wider_t, wider_p, average="macro", zero_division=0
    )


def test_dataframe_with_unknown_entries_keeps_them_unknown():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(Y_MISS, columns=NAMES[:4])
    expected = _numpy_reference("f1_macro", Y_MISS, Y_PRED, np.ones(50))
    shuffled_pred = pd.DataFrame(Y_PRED, columns=NAMES[:4])[NAMES[3::-1]]
    assert macro_f1_score(frame, shuffled_pred, missing="ignore") == pytest.approx(expected)
    with pytest.raises(ValueError, match="missing label entries"):
        macro_f1_score(frame, shuffled_pred)


@pytest.mark.parametrize("form", FORMS)
def test_report_accepts_every_target_form_of_fit(form):
    y_true, y_pred, kwargs = _forms()[form]
    t, p, names = _binarised(T_LISTS, P_LISTS)
    report = multilabel_report(y_true, y_pred, **kwargs)
    # The rows follow labels=, else the columns of a DataFrame, else the sorted names.
    frames = [y.columns for y in (y_true, y_pred) if hasattr(y, "columns")]
    in_order = kwargs.get("labels", list(frames[0]) if frames else names)
    order = [names.index(n) for n in in_order]
    expected_names = list(range(5)) if form == "sparse" else [names[j] for j in order]
    expected = multilabel_report(t[:, order], p[:, order], labels=expected_names)
    assert report.labels == expected.labels
    assert report.to_dict() == expected.to_dict()
    pr, rc, f1, support = skm.precision_recall_fscore_support(t, p, zero_division=0)
    np.testing.assert_allclose(report.f1, f1[order])
    np.testing.assert_array_equal(report.support, support[order])


def test_report_of_label_lists_names_its_rows():
    report = multilabel_report(T_LISTS, P_LISTS)
    t, p, names = _binarised(T_LISTS, P_LISTS)
    assert report.labels == NAMES == names
    assert str(report) == str(multilabel_report(t, p, labels=names))
    assert list(report.to_dict())[:5] == NAMES
    pd = pytest.importorskip("pandas")
    proba = pd.DataFrame(np.clip(P5 * 0.7 + 0.1, 0, 1), columns=NAMES)
    shuffled = multilabel_report(T_LISTS, P_LISTS, proba[NAMES[::-1]])
    np.testing.assert_allclose(
        shuffled.roc_auc[:4], skm.roc_auc_score(t[:, :4], proba.to_numpy()[:, :4], average=None)
    )


def test_target_forms_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match=r"y_pred has label names not in labels: \['weather'\]"):
        multilabel_report(T_LISTS, P_LISTS, labels=NAMES[:4])
    with pytest.raises(ValueError, match=r"y_true has label names not in labels: \['tech'\]"):
        hamming_loss(T_LISTS, P_LISTS, labels=["arts", "politics", "sports", "weather"])
    with pytest.raises(ValueError, match="an indicator matrix whose columns have no names"):
        exact_match_score(T_LISTS, P5)
    with pytest.raises(ValueError, match="y_pred holds label collections.*pass labels="):
        multilabel_report(T5, P_LISTS)
    with pytest.raises(ValueError, match="labels has 4 names for 5 label columns of y_pred"):
        macro_f1_score(T_LISTS, P5, labels=["arts", "politics", "sports", "tech"])
    with pytest.raises(ValueError, match="labels must not repeat a name"):
        multilabel_report(T_LISTS, P_LISTS, labels=[*NAMES, "arts"])
    with pytest.raises(ValueError, match="cannot be sorted.*pass labels="):
        hamming_loss([["a", 1], ["b"]], [["a"], [2]])
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(T5, columns=NAMES)
    with pytest.raises(ValueError, match=r"different columns: \['arts', 'zoo'\] are in only"):
        hamming_loss(frame, frame.rename(columns={"arts": "zoo"}))
    with pytest.raises(ValueError, match=r"y_pred has label names not in the columns of the Da"):
        hamming_loss(frame.drop(columns="weather"), P_LISTS)


# --- scorers with label lists ------------------------------------------------------------


class _Named(ClassifierMixin, BaseEstimator):
    """A fitted classifier with label names whose predictions are ``y_pred``."""

    def __init__(self, y_pred=None, classes=None):
        self.y_pred = y_pred
        self.classes = classes

    @property
    def classes_(self):
        return np.asarray(self.classes, dtype=object)

    def predict(self, X):
        return self.y_pred


@pytest.mark.parametrize("name", sorted(SCORERS))
def test_scorers_binarise_label_lists_against_classes(name):
    pd = pytest.importorskip("pandas")
    t, p, names = _binarised(T_LISTS, P_LISTS)
    clf = _Named(p, names)
    expected = SCORERS[name](clf, None, t)
    assert SCORERS[name](clf, None, T_LISTS) == pytest.approx(expected, abs=1e-15)
    frame = pd.DataFrame(t, columns=names)[names[::-1]]  # aligned by name
    assert SCORERS[name](clf, None, frame) == pytest.approx(expected, abs=1e-15)
    assert SCORERS[name](clf, None, T_LISTS, sample_weight=W) == pytest.approx(
        SCORERS[name](clf, None, t, sample_weight=W), abs=1e-15
    )
    # The estimator's column order, not the sorted names: classes_ in reverse order.
    backwards = _Named(p[:, ::-1], names[::-1])
    assert SCORERS[name](backwards, None, T_LISTS) == pytest.approx(expected, abs=1e-15)


@pytest.mark.parametrize("name", sorted(SCORERS))
def test_scorers_count_a_label_unseen_in_fit_as_never_predicted(name):
    t, p, names = _binarised(T_LISTS, P_LISTS)
    clf = _Named(p[:, 1:], names[1:])  # fitted without "arts"
    p_without_arts = p.copy()
    p_without_arts[:, 0] = 0
    expected = SCORERS[name](_Named(p_without_arts, names), None, t)
    assert SCORERS[name](clf, None, T_LISTS) == pytest.approx(expected, abs=1e-15)


def test_scorers_need_classes_for_label_lists():
    X, y = make_multilabel_classification(n_samples=30, n_classes=3, random_state=0)
    knn = KNeighborsClassifier(n_neighbors=3).fit(X, y)  # classes_: one array per label
    with pytest.raises(ValueError, match="KNeighborsClassifier has no classes_ naming"):
        SCORERS["f1_macro"](knn, X, _lists(y))
    assert SCORERS["f1_macro"](knn, X, y) == pytest.approx(
        skm.f1_score(y, knn.predict(X), average="macro", zero_division=0)
    )


def test_scorers_under_metadata_routing():
    X, y = make_multilabel_classification(n_samples=30, n_classes=3, random_state=0)
    w = np.linspace(0.5, 2, 30)
    with sklearn.config_context(enable_metadata_routing=True):
        scorers = make_scorers()
        scorers["f1_micro"].set_score_request(sample_weight=True)
        knn = KNeighborsClassifier(n_neighbors=3)
        scores = cross_validate(
            knn,
            X,
            y,
            cv=KFold(3),
            scoring={"f1_micro": scorers["f1_micro"]},
            params={"sample_weight": w},
        )
    folds = [
        skm.f1_score(
            y[test],
            knn.fit(X[train], y[train]).predict(X[test]),
            average="micro",
            sample_weight=w[test],
        )
        for train, test in KFold(3).split(X)
    ]
    np.testing.assert_allclose(scores["test_f1_micro"], folds)


@pytest.fixture(scope="module")
def news():
    """60 samples with three named labels, each in every training fold of FOLDS."""
    X, Y = make_multilabel_classification(
        n_samples=60, n_features=5, n_classes=3, n_labels=2, random_state=0
    )
    return X, Y, _lists(Y, ["politics", "sports", "tech"])


FOLDS = KFold(3, shuffle=True, random_state=0)


@pytest.mark.parametrize("name", list(SCORERS))
def test_cross_val_score_with_label_lists_equals_indicator_y(news, name):
    from skmultimlp import KerasMultiLabelClassifier

    X, Y, label_lists = news
    for train, _ in FOLDS.split(X):
        assert Y[train].any(axis=0).all()  # every fold's classes_ holds all three names
    clf = KerasMultiLabelClassifier(epochs=2, hidden_layer_sizes=(4,), random_state=0)
    scores = cross_val_score(
        clf, X, label_lists, cv=FOLDS, scoring=SCORERS[name], error_score="raise"
    )
    expected = cross_val_score(clf, X, Y, cv=FOLDS, scoring=SCORERS[name], error_score="raise")
    assert scores.shape == (3,) and not np.isnan(scores).any()
    np.testing.assert_allclose(scores, expected)


def test_cross_validate_with_a_dataframe_y_in_another_order(news):
    pd = pytest.importorskip("pandas")
    from skmultimlp import KerasMultiLabelClassifier

    X, Y, _ = news
    frame = pd.DataFrame(Y, columns=["politics", "sports", "tech"])[["tech", "politics", "sports"]]
    clf = KerasMultiLabelClassifier(epochs=2, hidden_layer_sizes=(4,), random_state=0)
    scores = cross_validate(clf, X, frame, cv=FOLDS, scoring=SCORERS, error_score="raise")
    expected = cross_validate(
        clf, X, frame.to_numpy(), cv=FOLDS, scoring=SCORERS, error_score="raise"
    )
    for name in SCORERS:
        np.testing.assert_allclose(scores[f"test_{name}"], expected[f"test_{name}"])


# --- binary, multiclass and multi-output targets -------------------------------------------

N = 50
BIN_TRUE = np.where(rng.uniform(size=N) < 0.4, -1, 7)  # -1 is a class here, not "unknown"
BIN_PRED = np.where(rng.uniform(size=N) < 0.5, BIN_TRUE, -BIN_TRUE + 6)
MC_TRUE = rng.choice(np.array(["cat", "cow", "dog", "emu"], dtype=object), N)
MC_PRED = np.where(rng.uniform(size=N) < 0.6, MC_TRUE, rng.choice(["cat", "dog"], N))
MC_PRED[MC_PRED == "emu"] = "cow"  # a class never predicted: zero_division matters
MO_TRUE = np.empty((N, 3), dtype=object)  # columns of str, int and str labels
MO_TRUE[:, 0] = MC_TRUE
MO_TRUE[:, 1] = rng.randint(0, 3, N)
MO_TRUE[:, 2] = rng.choice(["S", "L"], N)
MO_PRED = MO_TRUE.copy()
MO_PRED[:, 0] = MC_PRED
MO_PRED[:, 1] = np.where(rng.uniform(size=N) < 0.5, MO_TRUE[:, 1], 2)
MO_PRED[:, 2] = np.where(rng.uniform(size=N) < 0.3, "S", MO_TRUE[:, 2])
MO_PRED[:5] = MO_TRUE[:5]  # samples with every output right
TARGETS = {"binary": (BIN_TRUE, BIN_PRED), "multiclass": (MC_TRUE, MC_PRED)}
TARGETS["multiclass-multioutput"] = (MO_TRUE, MO_PRED)

METRICS = {
    "exact_match": exact_match_score,
    "hamming_loss": hamming_loss,
    "f1_macro": macro_f1_score,
    "f1_micro": partial(_f1_score, average="micro"),
    "f1_samples": partial(_f1_score, average="samples"),
    "jaccard_samples": _jaccard_samples_score,
}
# The scorer of SCORERS behind each metric, and its sign.
SCORER_OF = {"hamming_loss": ("neg_hamming_loss", -1)} | {
    name: (name, 1) for name in METRICS if name != "hamming_loss"
}


def _one_output_reference(name, t, p, w=None):
    """scikit-learn's metric of one output (1-D ``t`` and ``p``)."""
    t, p = list(t), list(p)
    if name == "hamming_loss":
        return skm.hamming_loss(t, p, sample_weight=w)
    if name in ("f1_macro", "f1_micro"):
        return skm.f1_score(t, p, average=name[3:], zero_division=0, sample_weight=w)
    # exact match, and the sample-wise scores of one class per sample: the accuracy
    return skm.accuracy_score(t, p, sample_weight=w)


def _as_label_sets(T, P):
    """A 0/1 column per (output, class): scikit-learn's one-hot encoding of each output."""
    from sklearn.preprocessing import OneHotEncoder

    encoder = OneHotEncoder().fit(np.vstack([T, P]))
    return encoder.transform(T).toarray(), encoder.transform(P).toarray()


def _reference(name, T, P, w=None):
    """scikit-learn's values for a 1-D or multi-output target without missing entries."""
    if T.ndim == 1:
        return _one_output_reference(name, T, P, w)
    per_output = [
        _one_output_reference(name, T[:, j], P[:, j], w)
        for j in range(T.shape[1])
        if name != "exact_match"
    ]
    if name == "exact_match":  # accuracy_score refuses multiclass-multioutput targets
        return np.average((T == P).all(axis=1), weights=w)
    if name in ("f1_samples", "jaccard_samples"):
        t, p = _as_label_sets(T, P)
        score = skm.f1_score if name == "f1_samples" else skm.jaccard_score
        return score(t, p, average="samples", zero_division=0, sample_weight=w)
    return np.mean(per_output)  # hamming: 1 - mean per-output accuracy


def test_the_target_type_fixtures_are_what_the_tests_need():
    from sklearn.utils.multiclass import type_of_target

    assert type_of_target(BIN_TRUE) == type_of_target(BIN_PRED) == "binary"
    assert type_of_target(MC_TRUE) == "multiclass" and set(MC_PRED) < set(MC_TRUE)
    assert all(type_of_target(MO_TRUE[:, j].tolist()) != "binary" for j in (0, 1))
    assert [type(v) for v in MO_TRUE[0]] == [str, int, str]
    assert {-1, 7} == set(BIN_TRUE) == set(BIN_PRED)
    for T, P in TARGETS.values():
        right = T == P if T.ndim == 1 else (T == P).all(axis=1)
        assert 0.2 < np.mean(right) < 0.9


@pytest.mark.parametrize("w", [None, W], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("name", sorted(METRICS))
@pytest.mark.parametrize("kind", sorted(TARGETS))
def test_metrics_equal_sklearn_for_every_target_type(kind, name, w):
    T, P = TARGETS[kind]
    expected = _reference(name, T, P, w)
    assert METRICS[name](T, P, sample_weight=w) == pytest.approx(expected, abs=1e-15)
    assert METRICS[name](T, P, sample_weight=w, target_type=kind) == pytest.approx(
        expected, abs=1e-15
    )


@pytest.mark.parametrize("w", [None, W], ids=["unweighted", "weighted"])
def test_multi_output_meanings_per_output(w):
    accuracy = [
        skm.accuracy_score(list(MO_TRUE[:, j]), list(MO_PRED[:, j]), sample_weight=w)
        for j in range(3)
    ]
    macro = [
        skm.f1_score(list(MO_TRUE[:, j]), list(MO_PRED[:, j]), average="macro", sample_weight=w)
        for j in range(3)
    ]
    # mean per-output accuracy: 1 - hamming, f1_micro and f1_samples
    assert 1 - hamming_loss(MO_TRUE, MO_PRED, sample_weight=w) == pytest.approx(np.mean(accuracy))
    assert _f1_score(MO_TRUE, MO_PRED, average="micro", sample_weight=w) == pytest.approx(
        np.mean(accuracy)
    )
    assert _f1_score(MO_TRUE, MO_PRED, average="samples", sample_weight=w) == pytest.approx(
        np.mean(accuracy)
    )
    assert macro_f1_score(MO_TRUE, MO_PRED, sample_weight=w) == pytest.approx(np.mean(macro))
    # every output right: the estimator's own score
    assert exact_match_score(MO_TRUE, MO_PRED, sample_weight=w) == pytest.approx(
        np.average((MO_TRUE == MO_PRED).all(axis=1), weights=w)
    )
    right = (MO_TRUE == MO_PRED).sum(axis=1)
    assert _jaccard_samples_score(MO_TRUE, MO_PRED, sample_weight=w) == pytest.approx(
        np.average(right / (6 - right), weights=w)
    )


def _target_forms(kind):
    pd = pytest.importorskip("pandas")
    T, P = TARGETS[kind]
    if T.ndim == 1:
        return {
            "arrays": (T, P),
            "lists": (T.tolist(), P.tolist()),
            "series": (pd.Series(T), pd.Series(P)),
            "column vectors": (T.reshape(-1, 1), P.reshape(-1, 1)),
        }
    columns = ["animal", "count", "size"]
    frame = pd.DataFrame(T, columns=columns).astype({"count": "Int64", "size": "string"})
    return {
        "dataframes": (frame, pd.DataFrame(P, columns=columns)),
        "dataframe vs array": (frame, P),
        "string array": (T.astype(str), P.astype(str)),
    }


@pytest.mark.parametrize("name", sorted(METRICS))
@pytest.mark.parametrize("kind", sorted(TARGETS))
def test_metrics_accept_every_form_of_each_target_type(kind, name):
    T, P = TARGETS[kind]
    expected = METRICS[name](T, P, sample_weight=W)
    for form, (y_true, y_pred) in _target_forms(kind).items():
        got = METRICS[name](y_true, y_pred, sample_weight=W)
        assert got == pytest.approx(expected, abs=1e-15), form


def test_the_type_is_told_as_fit_tells_it():
    # A 2-D array of 0 and 1 is multi-label (type_of_target: multilabel-indicator) ...
    macro_per_label = skm.f1_score(Y_TRUE, Y_PRED, average="macro", zero_division=0)
    assert macro_f1_score(Y_TRUE, Y_PRED) == macro_per_label
    # ... unless target_type says otherwise: then each column is an output of 2 classes.
    per_output = np.mean(
        [skm.f1_score(Y_TRUE[:, j], Y_PRED[:, j], average="macro") for j in range(4)]
    )
    assert macro_f1_score(Y_TRUE, Y_PRED, target_type="multiclass-multioutput") == (
        pytest.approx(per_output)
    )
    assert per_output != pytest.approx(macro_per_label)
    # Another value in y_pred, or in y_true, makes it multi-output.
    Y3 = Y_PRED.copy()
    Y3[0, 0] = 2
    per_output3 = np.mean([skm.f1_score(Y_TRUE[:, j], Y3[:, j], average="macro") for j in range(4)])
    assert macro_f1_score(Y_TRUE, Y3) == pytest.approx(per_output3)
    assert macro_f1_score(Y3, Y_TRUE) == pytest.approx(
        np.mean([skm.f1_score(Y3[:, j], Y_TRUE[:, j], average="macro") for j in range(4)])
    )
    # A 1-D 0/1 array is binary: the macro F1 of both classes.
    assert macro_f1_score(Y_TRUE[:, 0], Y_PRED[:, 0]) == skm.f1_score(
        Y_TRUE[:, 0], Y_PRED[:, 0], average="macro"
    )
    with pytest.raises(ValueError, match="target_type must be None or one of"):
        hamming_loss(MC_TRUE, MC_PRED, target_type="continuous")


def test_columns_of_str_and_int_are_checked_one_by_one():
    from sklearn.utils.multiclass import type_of_target

    with pytest.raises(TypeError):  # scikit-learn sorts all the labels together
        type_of_target(MO_TRUE)
    mixed = MO_PRED.copy()
    mixed[3, 1] = "two"  # str and int labels in one output
    with pytest.raises(ValueError, match=r"Output 1 of y_true and y_pred mix label types \['int'"):
        exact_match_score(MO_TRUE, mixed)
    with pytest.raises(ValueError, match="Unknown label type"):
        hamming_loss(MO_TRUE[:, 1:2].astype(float) + 0.5, MO_PRED[:, 1:2].astype(float))


# missing entries: None, NaN or pandas' NA (-1 is a class of BIN_TRUE)
MO_MISS = MO_TRUE.copy()
MO_MISS[rng.uniform(size=MO_MISS.shape) < 0.2] = None
MO_MISS[1] = np.nan  # a sample with no known output
MO_MISS[::3, 2] = None  # outputs known on different numbers of samples
MO_KNOWN = np.array([[v is not None and v == v for v in row] for row in MO_MISS])
MC_MISS = np.where(rng.uniform(size=N) < 0.2, None, MC_TRUE)
BIN_MISS = np.where(rng.uniform(size=N) < 0.2, np.nan, BIN_TRUE)


def _reference_on_known(name, T, known, P, w):
    """The metric of the known entries: sklearn's per output, a numpy pooled hamming."""
    w = np.ones(len(T)) if w is None else w
    if T.ndim == 1:
        return _one_output_reference(name, T[known], P[known], w[known])
    if name == "hamming_loss":
        wrong = (known & (T != P)).sum(axis=1)
        return (w * wrong).sum() / (w * known.sum(axis=1)).sum()
    if name == "exact_match":
        rows = known.any(axis=1)
        right = ((T == P) | ~known).all(axis=1)
        return np.average(right[rows], weights=w[rows])
    if name in ("f1_macro", "f1_micro"):
        return np.mean(
            [
                _one_output_reference(name, T[k, j], P[k, j], w[k])
                for j, k in enumerate(known.T)
                if k.any()
            ]
        )
    # label sets of the known outputs: n true and n predicted (output, class) pairs, r shared
    rows = known.any(axis=1)
    n, r = known.sum(axis=1)[rows], (known & (T == P)).sum(axis=1)[rows]
    per_sample = r / n if name == "f1_samples" else r / (2 * n - r)
    return np.average(per_sample, weights=w[rows])


MISSING_TARGETS = {
    "binary": (BIN_MISS, ~np.isnan(BIN_MISS), BIN_PRED),
    "multiclass": (MC_MISS, MC_MISS != None, MC_PRED),  # noqa: E711
    "multiclass-multioutput": (MO_MISS, MO_KNOWN, MO_PRED),
}


def test_the_missing_fixtures_are_what_the_tests_need():
    assert not MO_KNOWN[1].any() and MO_KNOWN.any(axis=1).sum() > 40
    # The outputs are known on different numbers of samples: the share of wrong known
    # entries (pooled) differs from 1 - the mean of the outputs' accuracies.
    right = (MO_MISS == MO_PRED) & MO_KNOWN
    pooled = 1 - right.sum() / MO_KNOWN.sum()
    assert pooled != pytest.approx(1 - np.mean(right.sum(axis=0) / MO_KNOWN.sum(axis=0)))
    for _, known, _ in MISSING_TARGETS.values():
        assert 0.6 < known.mean() < 0.9


@pytest.mark.parametrize("w", [None, W], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("name", sorted(METRICS))
@pytest.mark.parametrize("kind", sorted(MISSING_TARGETS))
def test_ignore_scores_the_known_entries_of_every_target_type(kind, name, w):
    T, known, P = MISSING_TARGETS[kind]
    expected = _reference_on_known(name, T, known, P, w)
    assert METRICS[name](T, P, sample_weight=w, missing="ignore") == pytest.approx(expected)
    with pytest.raises(ValueError, match=r"missing entries \(NaN, None or NA\).*missing='ignore'"):
        METRICS[name](T, P, sample_weight=w)


@pytest.mark.parametrize("name", sorted(METRICS))
def test_ignore_reads_none_nan_and_pandas_na_in_dataframes(name):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(MO_MISS, columns=["animal", "count", "size"])
    frame = frame.astype({"count": "Int64", "size": "string"})  # pd.NA in both
    assert frame.isna().to_numpy().sum() == (~MO_KNOWN).sum()
    expected = _reference_on_known(name, MO_MISS, MO_KNOWN, MO_PRED, W)
    got = METRICS[name](frame, MO_PRED, sample_weight=W, missing="ignore")
    assert got == pytest.approx(expected)
    series = pd.Series(MC_MISS, dtype="string")
    expected = _reference_on_known(name, MC_MISS, MC_MISS != None, MC_PRED, W)  # noqa: E711
    assert METRICS[name](series, MC_PRED, sample_weight=W, missing="ignore") == pytest.approx(
        expected
    )


def test_per_output_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match=r"same shape, got \(50, 3\) and \(50, 2\)"):
        exact_match_score(MO_TRUE, MO_PRED[:, :2])
    with pytest.raises(ValueError, match="different numbers of samples: 50 and 49"):
        hamming_loss(MC_TRUE, MC_PRED[1:])
    pred = MO_PRED.copy()
    pred[0, 0] = None
    with pytest.raises(ValueError, match="y_pred has 1 missing entries"):
        macro_f1_score(MO_TRUE, pred)
    with pytest.raises(ValueError, match="no known entry"):
        hamming_loss(np.full(4, np.nan), np.arange(4), missing="ignore")
    with pytest.raises(ValueError, match="labels has 2 class lists for 3 outputs"):
        macro_f1_score(MO_TRUE, MO_PRED, labels=[["cat"], [0, 1, 2]])
    with pytest.raises(
        ValueError, match=r"y_true and y_pred hold classes not in labels: \['emu'\]"
    ):
        macro_f1_score(MC_TRUE, MC_PRED, labels=["cat", "cow", "dog"])
    with pytest.raises(ValueError, match="sample_weight must have shape"):
        exact_match_score(MC_TRUE, MC_PRED, sample_weight=W[:3])


def test_labels_are_the_classes_averaged_as_in_sklearn():
    classes = ["cat", "cow", "dog", "emu", "yak"]  # "yak": in neither
    assert macro_f1_score(MC_TRUE, MC_PRED, labels=classes) == pytest.approx(
        skm.f1_score(list(MC_TRUE), list(MC_PRED), labels=classes, average="macro", zero_division=0)
    )
    per_output = [classes, [0, 1, 2, 3], ["L", "S"]]
    assert macro_f1_score(MO_TRUE, MO_PRED, labels=per_output) == pytest.approx(
        np.mean(
            [
                skm.f1_score(
                    list(MO_TRUE[:, j]),
                    list(MO_PRED[:, j]),
                    labels=c,
                    average="macro",
                    zero_division=0,
                )
                for j, c in enumerate(per_output)
            ]
        )
    )


def _probabilities(T, classes):
    """Rows summing to 1, leaning towards the true class: the format of predict_proba."""
    one_hot = (np.asarray(T)[:, None] == np.asarray(classes)).astype(float)
    return 0.4 * one_hot + 0.6 * rng.dirichlet(np.ones(len(classes)), size=len(T))


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_report_of_one_output_matches_sklearn(kind):
    T, P = TARGETS[kind]
    classes = sorted(set(T))
    proba = _probabilities(T, classes)
    report = multilabel_report(T, P, proba)
    assert report.labels == classes and report.target_type == kind
    p, r, f, s = skm.precision_recall_fscore_support(
        list(T), list(P), labels=classes, zero_division=0
    )
    np.testing.assert_allclose(report.precision, p)
    np.testing.assert_allclose(report.recall, r)
    np.testing.assert_allclose(report.f1, f)
    np.testing.assert_array_equal(report.support, s)
    one_hot = (T[:, None] == np.array(classes)).astype(int)
    np.testing.assert_allclose(report.roc_auc, skm.roc_auc_score(one_hot, proba, average=None))
    macro, micro = report.averages["macro"], report.averages["micro"]
    assert macro["f1"] == pytest.approx(skm.f1_score(list(T), list(P), average="macro"))
    assert macro["f1"] == pytest.approx(macro_f1_score(T, P))
    assert macro["recall"] == pytest.approx(skm.balanced_accuracy_score(list(T), list(P)))
    assert micro["f1"] == micro["precision"] == pytest.approx(skm.accuracy_score(T, P))
    if kind == "binary":
        assert macro["roc_auc"] == pytest.approx(skm.roc_auc_score(T, proba[:, 1]))
    else:
        assert macro["roc_auc"] == pytest.approx(skm.roc_auc_score(T, proba, multi_class="ovr"))
    assert micro["roc_auc"] == pytest.approx(skm.roc_auc_score(one_hot, proba, average="micro"))
    assert macro["support"] == N
    assert report.to_dict()[classes[0]]["support"] == int(s[0])
    column_vectors = multilabel_report(T[:, None], P[:, None], proba)  # one output, too
    assert column_vectors.labels == classes and column_vectors.target_type == kind


def test_report_of_multi_output_has_a_row_per_output_and_class():
    classes = [sorted(set(MO_TRUE[:, j]) | set(MO_PRED[:, j])) for j in range(3)]
    probas = [_probabilities(MO_TRUE[:, j], c) for j, c in enumerate(classes)]
    report = multilabel_report(MO_TRUE, MO_PRED, probas)
    assert report.target_type == "multiclass-multioutput"
    assert report.labels == [(j, c) for j in range(3) for c in classes[j]]
    macro_auc = []
    for j, c in enumerate(classes):
        rows = [i for i, (output, _) in enumerate(report.labels) if output == j]
        t, p = list(MO_TRUE[:, j]), list(MO_PRED[:, j])
        prfs = skm.precision_recall_fscore_support(t, p, labels=c, zero_division=0)
        for got, expected in zip((report.precision, report.recall, report.f1), prfs, strict=False):
            np.testing.assert_allclose(got[rows], expected)
        np.testing.assert_array_equal(report.support[rows], prfs[3])
        one_hot = (MO_TRUE[:, j][:, None] == np.array(c, dtype=object)).astype(int)
        auc = skm.roc_auc_score(one_hot, probas[j], average=None)
        np.testing.assert_allclose(report.roc_auc[rows], auc)
        macro_auc.append(np.mean(auc))
    macro, micro = report.averages["macro"], report.averages["micro"]
    assert macro["f1"] == pytest.approx(macro_f1_score(MO_TRUE, MO_PRED))
    assert micro["f1"] == pytest.approx(1 - hamming_loss(MO_TRUE, MO_PRED))
    assert macro["roc_auc"] == pytest.approx(np.mean(macro_auc))
    assert macro["support"] == 3 * N
    text = str(report)
    assert "(0, 'cat')" in text and "(1, 2)" in text and "roc_auc" in text
    assert report.to_dict()[(2, "S")]["support"] == int((MO_TRUE[:, 2] == "S").sum())


def test_report_ignore_scores_each_output_on_its_known_samples():
    y = MO_MISS.copy()
    y[:, 1] = None  # an output known nowhere
    known = MO_KNOWN.copy()
    known[:, 1] = False
    classes = [sorted(set(MO_TRUE[:, j]) | set(MO_PRED[:, j])) for j in range(3)]
    probas = [_probabilities(MO_TRUE[:, j], c) for j, c in enumerate(classes)]
    with pytest.raises(ValueError, match="missing entries"):
        multilabel_report(y, MO_PRED)
    report = multilabel_report(y, MO_PRED, probas, labels=classes, missing="ignore")
    for j in (0, 2):
        rows = [i for i, (output, _) in enumerate(report.labels) if output == j]
        k = known[:, j]
        t, p = list(y[k, j]), list(MO_PRED[k, j])
        prfs = skm.precision_recall_fscore_support(t, p, labels=classes[j], zero_division=0)
        np.testing.assert_allclose(report.f1[rows], prfs[2])
        np.testing.assert_array_equal(report.support[rows], prfs[3])
        one_hot = (y[k, j][:, None] == np.array(classes[j], dtype=object)).astype(int)
        auc = skm.roc_auc_score(one_hot, probas[j][k], average=None)
        np.testing.assert_allclose(report.roc_auc[rows], auc)
    unknown = [i for i, (output, _) in enumerate(report.labels) if output == 1]
    assert np.isnan(report.f1[unknown]).all() and np.isnan(report.roc_auc[unknown]).all()
    assert (report.support[unknown] == 0).all()
    assert report.averages["macro"]["f1"] == pytest.approx(
        macro_f1_score(y, MO_PRED, missing="ignore")
    )
    # A 1-D target leaves out the samples whose y_true is unknown.
    keep = MC_MISS != None  # noqa: E711
    assert multilabel_report(MC_MISS, MC_PRED, missing="ignore").to_dict() == (
        multilabel_report(MC_TRUE[keep], MC_PRED[keep]).to_dict()
    )


def test_report_labels_and_proba_of_other_target_types():
    classes = ["emu", "dog", "cow", "cat", "yak"]  # the estimator's order, "yak" in neither
    proba = _probabilities(MC_TRUE, classes)
    report = multilabel_report(MC_TRUE, MC_PRED, proba, labels=classes)
    assert report.labels == classes
    assert report.to_dict()["yak"] == {
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
        "support": 0,
        "roc_auc": pytest.approx(np.nan, nan_ok=True),
    }
    assert report.roc_auc[0] == pytest.approx(skm.roc_auc_score(MC_TRUE == "emu", proba[:, 0]))
    with pytest.raises(ValueError, match=r"y_proba must have shape \(50, 4\).*Pass labels="):
        multilabel_report(MC_TRUE, MC_PRED, proba)  # 5 columns for the 4 classes seen
    with pytest.raises(ValueError, match="one .* array per output"):
        multilabel_report(MO_TRUE, MO_PRED, [proba])
    with pytest.raises(ValueError, match=r"y_proba\[0\] must have shape"):
        multilabel_report(MO_TRUE, MO_PRED, [proba, proba, proba])


# --- scorers of every target type ----------------------------------------------------------


class _Predicts(ClassifierMixin, BaseEstimator):
    """A fitted classifier whose predictions are ``y_pred``, with classes_ that name no
    column of it (the scorers must not binarise against them)."""

    def __init__(self, y_pred=None, target_type=None):
        self.y_pred = y_pred
        self.target_type = target_type

    classes_ = np.array(["not", "these"])

    @property
    def target_type_(self):
        if self.target_type is None:
            raise AttributeError("target_type_")
        return self.target_type

    def fit(self, X, y):
        return self

    def __sklearn_is_fitted__(self):
        return True

    def predict(self, X):
        return self.y_pred


@pytest.mark.parametrize("w", [None, W], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("name", sorted(METRICS))
@pytest.mark.parametrize("kind", sorted(TARGETS))
def test_scorers_compare_predict_in_the_callers_labels(kind, name, w):
    T, P = TARGETS[kind]
    key, sign = SCORER_OF[name]
    expected = sign * _reference(name, T, P, w)
    for target_type in (None, kind):
        clf = _Predicts(P, target_type)
        assert SCORERS[key](clf, None, T, sample_weight=w) == pytest.approx(expected, abs=1e-15)


@pytest.mark.parametrize("w", [None, W], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("name", sorted(METRICS))
@pytest.mark.parametrize("kind", sorted(MISSING_TARGETS))
def test_ignore_scorers_score_the_known_entries_of_every_target_type(kind, name, w):
    T, known, P = MISSING_TARGETS[kind]
    key, sign = SCORER_OF[name]
    expected = sign * _reference_on_known(name, T, known, P, w)
    scorer = make_scorers(missing="ignore")[key]
    assert scorer(_Predicts(P), None, T, sample_weight=w) == pytest.approx(expected)
    with pytest.raises(ValueError, match=r"missing entries.*make_scorers\(missing='ignore'\)"):
        SCORERS[key](_Predicts(P), None, T)


def test_scorers_read_the_estimators_target_type_even_in_a_pipeline():
    from sklearn.pipeline import Pipeline

    # 0/1 outputs: multi-label by their values, multi-output by the estimator's word.
    per_output = macro_f1_score(Y_TRUE, Y_PRED, target_type="multiclass-multioutput")
    assert SCORERS["f1_macro"](_Predicts(Y_PRED), None, Y_TRUE) == macro_f1_score(Y_TRUE, Y_PRED)
    clf = _Predicts(Y_PRED, "multiclass-multioutput")
    assert SCORERS["f1_macro"](clf, None, Y_TRUE) == pytest.approx(per_output)
    pipe = Pipeline([("nothing", "passthrough"), ("clf", clf)])
    assert SCORERS["f1_macro"](pipe, Y_TRUE, Y_TRUE) == pytest.approx(per_output)


# --- the scorers on a real estimator, in cross-validation ----------------------------------

CV = KFold(3, shuffle=True, random_state=0)


def _cross_validate(y):
    """cross_validate(..., scoring=SCORERS) of a small network, with its fitted folds."""
    from sklearn.datasets import make_classification

    from skmultimlp import KerasMultiLabelClassifier

    X, _ = make_classification(n_samples=90, n_features=5, n_informative=3, random_state=0)
    clf = KerasMultiLabelClassifier(hidden_layer_sizes=(8,), epochs=3, random_state=0)
    y = y(X)
    result = cross_validate(
        clf,
        X,
        y,
        cv=CV,
        scoring=SCORERS,
        return_estimator=True,
        return_indices=True,
        error_score="raise",
    )
    return X, y, result


def _animals(X):
    return np.array(["cat", "cow", "dog"], dtype=object)[np.digitize(X[:, 0], [-0.5, 0.5])]


@pytest.fixture(scope="module")
def multiclass_cv():
    """Three fits of a multiclass target (names)."""
    return _cross_validate(_animals)


@pytest.fixture(scope="module")
def multi_output_cv():
    """Three fits of a multi-output DataFrame target: str, int and two-class columns."""
    pd = pytest.importorskip("pandas")

    def target(X):
        return pd.DataFrame(
            {
                "animal": _animals(X),
                "count": np.digitize(X[:, 1], [-0.5, 0.5]),  # 0, 1, 2
                "size": np.where(X[:, 2] > 0, "L", "S"),
            }
        )

    return _cross_validate(target)


def _fold_references(X, y, result, fold):
    """scikit-learn's values of each metric on a fold, from its estimator's predict."""
    test = result["indices"]["test"][fold]
    estimator = result["estimator"][fold]
    T = np.asarray(y.iloc[test] if hasattr(y, "iloc") else y[test], dtype=object)
    return estimator, X[test], T, estimator.predict(X[test])


@pytest.mark.parametrize("fixture", ["multiclass_cv", "multi_output_cv"])
def test_cross_validate_with_scorers_equals_sklearn_per_fold(fixture, request):
    X, y, result = request.getfixturevalue(fixture)
    for fold in range(3):
        estimator, X_test, T, P = _fold_references(X, y, result, fold)
        assert estimator.target_type_ == ("multiclass" if T.ndim == 1 else "multiclass-multioutput")
        for name in METRICS:
            key, sign = SCORER_OF[name]
            got = result[f"test_{key}"][fold]
            assert got == pytest.approx(sign * _reference(name, T, P), abs=1e-12), name
        assert result["test_exact_match"][fold] == pytest.approx(estimator.score(X_test, T))
    assert not np.isnan([result[f"test_{key}"] for key in SCORERS]).any()


@pytest.mark.parametrize("fixture", ["multiclass_cv", "multi_output_cv"])
def test_scorers_on_a_fitted_estimator_with_sample_weight(fixture, request):
    X, y, result = request.getfixturevalue(fixture)
    estimator, X_test, T, P = _fold_references(X, y, result, 0)
    w = np.linspace(0.5, 2, len(T))
    for name in METRICS:
        key, sign = SCORER_OF[name]
        got = SCORERS[key](estimator, X_test, T, sample_weight=w)
        assert got == pytest.approx(sign * _reference(name, T, P, w), abs=1e-12), name


@pytest.mark.parametrize("fixture", ["multiclass_cv", "multi_output_cv"])
def test_report_of_a_fitted_estimator_reads_its_predict_proba(fixture, request):
    X, y, result = request.getfixturevalue(fixture)
    estimator, X_test, T, P = _fold_references(X, y, result, 1)
    proba = estimator.predict_proba(X_test)
    report = multilabel_report(T, P, proba, labels=estimator.classes_)
    single = T.ndim == 1
    for j, classes in enumerate([estimator.classes_] if single else estimator.classes_):
        t = T if single else T[:, j]
        p = proba if single else proba[j]
        rows = [i for i, name in enumerate(report.labels) if single or name[0] == j]
        assert [report.labels[i] if single else report.labels[i][1] for i in rows] == (
            classes.tolist()
        )
        one_hot = (t[:, None] == classes).astype(int)
        np.testing.assert_allclose(
            report.roc_auc[rows], skm.roc_auc_score(one_hot, p, average=None)
        )
