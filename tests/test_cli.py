"""The ``skmultimlp`` command, run in-process through ``main`` on small CSV files."""

import hashlib
import io
import re
import subprocess
import sys
import warnings
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm
from sklearn.datasets import make_multilabel_classification
from sklearn.exceptions import DataConversionWarning

from skmultimlp import KerasMultiLabelClassifier
from skmultimlp.cli import main
from skmultimlp.cli._parser import grid_entry as _grid_entry
from skmultimlp.metrics import SCORERS
from skmultimlp.persistence import FORMAT, read_model_file

FAST = ["--epochs", "2", "--hidden", "4"]
CV = ["--splits", "2", "--repeats", "1"]
LABELS = ["sports", "tech", "politics"]
FEATURES = ["f1", "f2", "f3", "f4"]
TITLES = [
    "exact-match accuracy",
    "hamming loss",
    "macro F1",
    "micro F1",
    "samples F1",
    "samples Jaccard",
]
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """60 rows, an id column, 4 features, 3 labels: as 0/1 columns, with unknown
    entries, and as one column of names; plus 5 new rows to predict."""
    folder = tmp_path_factory.mktemp("cli")
    X, y = make_multilabel_classification(n_samples=60, n_features=4, n_classes=3, random_state=0)
    frame = pd.DataFrame(X, columns=FEATURES)
    frame.insert(0, "id", [f"r{i}" for i in range(len(frame))])
    labels = pd.DataFrame(y, columns=LABELS)
    paths = {name: folder / f"{name}.csv" for name in ("data", "partial", "tags", "new")}
    pd.concat([frame, labels], axis=1).to_csv(paths["data"], index=False)
    partial = labels.astype(float)
    partial[np.random.default_rng(0).random(partial.shape) < 0.2] = np.nan
    pd.concat([frame, partial], axis=1).to_csv(paths["partial"], index=False)
    tags = [";".join(n for n, on in zip(LABELS, row, strict=True) if on) for row in y]
    frame.assign(tags=tags).to_csv(paths["tags"], index=False)
    frame.head(5).to_csv(paths["new"], index=False)
    return paths


def run(argv, capsys):
    """``main(argv)``'s exit status and output; a usage error's SystemExit counts too."""
    try:
        code = main([str(arg) for arg in argv])
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, out.out, out.err


def error_line(err):
    """The error message, after checking that it is the one line of stderr."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("skmultimlp: error: "), err
    return lines[0]


def assert_every_scorer(out):
    assert len(TITLES) == len(SCORERS)
    for title in TITLES:
        assert re.search(rf"{title}: 0\.\d{{3}} ± 0\.\d{{3}}", out), out


@pytest.fixture(scope="module")
def model(files, tmp_path_factory):
    """A model fitted with ``skmultimlp fit`` on the 0/1 label columns, and its loss plot."""
    folder = tmp_path_factory.mktemp("model")
    path, plot = folder / "model.skops", folder / "loss.png"
    argv = ["fit", files["data"], "--labels", ",".join(LABELS), "--ignore", "id"]
    assert main([str(a) for a in [*argv, *FAST, "-o", path, "--plot", plot]]) == 0
    return path, plot


@pytest.fixture(scope="module")
def tags_model(files, tmp_path_factory):
    path = tmp_path_factory.mktemp("tags") / "model.skops"
    argv = ["fit", files["tags"], "--label-column", "tags", "--ignore", "id", *FAST, "-o", path]
    assert main([str(a) for a in argv]) == 0
    return path


# ------------------------------------------------------------------------------- evaluate


def test_evaluate_prints_mean_and_std_of_each_metric(monkeypatch, capsys):
    # The reference data's own generator takes seconds: a smaller one of the same kind.
    small = make_multilabel_classification(
        n_samples=100, n_features=10, n_classes=3, n_labels=2, random_state=1
    )
    monkeypatch.setattr("skmultimlp.cli._commands.load_reference", lambda: small)
    code, out, err = run(["--epochs", "2", "--splits", "2", "--repeats", "1"], capsys)
    assert code == 0
    assert "(hidden_layer_sizes=(20,), epochs=2, batch_size=32)" in out  # the defaults
    assert "the reference data (100 x 10, 3 labels)" in out
    assert "2 fits" in out
    assert_every_scorer(out)
    # Early stopping is "auto": off on 50 training rows.
    assert "per fit: 2 epochs run (means over the folds)" in out and err == ""
    code, out, err = run(
        ["--epochs", "2", "--splits", "2", "--repeats", "1", "--early-stopping"], capsys
    )
    assert code == 0 and "epochs=2, batch_size=32, early_stopping=True)" in out
    assert re.search(r"per fit: \d+(\.\d+)? epochs run, epoch \d+(\.\d+)? kept", out)
    # 50 training rows leave 5 to early stopping: too few, and the user is told.
    assert "early stopping holds out only 5 of 50 training rows" in err


def test_evaluate_csv_stratified_writes_the_figure(files, tmp_path, capsys):
    plot = tmp_path / "cv.png"
    argv = ["evaluate", files["data"], "--labels", "sports,tech", "--labels", "politics"]
    code, out, err = run(
        [*argv, "--ignore", "id", "--stratified", "--plot", plot, *FAST, *CV], capsys
    )
    assert code == 0, err
    assert "(60 rows x 4 features, 3 labels: sports, tech, politics)" in out
    assert "stratified 2-fold x 1 repeat = 2 fits" in out
    assert_every_scorer(out)
    assert plot.read_bytes().startswith(PNG)


def test_evaluate_scores_the_known_entries_of_partial_labels(files, tmp_path, capsys):
    argv = ["evaluate", files["partial"], "--labels", ",".join(LABELS), "--ignore", "id"]
    argv += ["--stratified", "--plot", tmp_path / "cv.svg"]
    code, out, err = run([*argv, *FAST, *CV], capsys)
    assert code == 0, err
    n_unknown = int(pd.read_csv(files["partial"])[LABELS].isna().to_numpy().sum())
    assert f"{n_unknown} of 180 label entries are unknown" in out
    assert_every_scorer(out)
    assert (tmp_path / "cv.svg").read_text().lstrip().startswith("<?xml")


def test_evaluate_label_name_column(files, capsys):
    argv = ["evaluate", files["tags"], "--label-column", "tags", "--ignore", "id"]
    code, out, err = run([*argv, *FAST, *CV], capsys)
    assert code == 0, err
    assert "3 labels: politics, sports, tech" in out  # sorted names
    assert_every_scorer(out)


def test_parallel_folds_give_the_same_scores(files, capsys):
    argv = ["evaluate", files["data"], "--labels", ",".join(LABELS), "--ignore", "id"]
    argv = [*argv, *FAST, "--splits", "2", "--repeats", "2"]
    _, sequential, _ = run(argv, capsys)
    # Threads keep the test fast; the command's default joblib backend uses processes.
    with joblib.parallel_config(backend="threading"):
        code, parallel, err = run([*argv, "--n-jobs", "2"], capsys)
    assert code == 0
    assert "folds" not in err  # no progress bar where stderr is not a terminal
    scores = [line for line in sequential.splitlines() if "±" in line]
    assert scores == [line for line in parallel.splitlines() if "±" in line]


# ------------------------------------------------------------------------ fit and predict


def test_fit_saves_the_model_with_its_columns(model):
    path, plot = model
    bundle = read_model_file(path)
    assert bundle["format"] == FORMAT
    assert bundle["features"] == FEATURES
    assert bundle["labels"] == LABELS
    assert bundle["ignore"] == ["id"]
    assert list(bundle["estimator"].classes_) == LABELS
    assert plot.read_bytes().startswith(PNG)


def test_predict_writes_what_the_estimator_predicts(files, model, capsys):
    code, out, err = run(["predict", model[0], files["new"]], capsys)
    assert code == 0, err
    written = pd.read_csv(io.StringIO(out))
    assert list(written.columns) == ["id", *LABELS]  # the ignored id column is kept
    new = pd.read_csv(files["new"])
    expected = read_model_file(model[0])["estimator"].predict(new[FEATURES])
    np.testing.assert_array_equal(written[LABELS].to_numpy(), expected)
    assert list(written["id"]) == list(new["id"])


def test_predict_proba_to_a_file(files, model, tmp_path, capsys):
    output = tmp_path / "proba.csv"
    code, out, err = run(["predict", model[0], files["new"], "--proba", "-o", output], capsys)
    assert code == 0, err
    assert out == ""
    written = pd.read_csv(output)
    new = pd.read_csv(files["new"])
    expected = read_model_file(model[0])["estimator"].predict_proba(new[FEATURES])
    np.testing.assert_allclose(written[LABELS].to_numpy(), expected, atol=1e-4)


def test_predict_takes_reordered_columns_and_leaves_label_columns_out(files, model, capsys):
    # The training file itself: labels present, columns in another order.
    frame = pd.read_csv(files["data"])
    shuffled = files["data"].with_name("shuffled.csv")
    frame[["politics", "f3", "f1", "id", "f4", "sports", "f2", "tech"]].to_csv(
        shuffled, index=False
    )
    code, out, err = run(["predict", model[0], shuffled], capsys)
    assert code == 0, err
    expected = read_model_file(model[0])["estimator"].predict(frame[FEATURES])
    written = pd.read_csv(io.StringIO(out))
    np.testing.assert_array_equal(written[LABELS].to_numpy(), expected)


def test_predict_joins_label_names_for_a_label_column_model(files, tags_model, capsys):
    code, out, err = run(["predict", tags_model, files["new"]], capsys)
    assert code == 0, err
    written = pd.read_csv(io.StringIO(out), keep_default_na=False)
    assert list(written.columns) == ["id", "tags"]
    estimator = read_model_file(tags_model)["estimator"]
    assert list(estimator.classes_) == sorted(LABELS)
    on = estimator.predict(pd.read_csv(files["new"])[FEATURES]).astype(bool)
    assert list(written["tags"]) == [";".join(np.array(sorted(LABELS))[row]) for row in on]


# -------------------------------------------------------------------------- class columns

DESKS = np.array(["politics", "science", "sports"])


@pytest.fixture(scope="module")
def class_file(files):
    """The rows of ``files["data"]`` with class columns: ``desk`` (names, two unknown),
    ``size`` (the integers 1, 2, 3, one unknown: pandas reads it as floats) and the 0/1
    column ``sports``."""
    frame = pd.read_csv(files["data"])
    y = frame[LABELS].to_numpy()
    frame["desk"] = DESKS[y.sum(axis=1) % 3]
    frame.loc[[3, 7], "desk"] = np.nan
    frame["size"] = (frame["f1"].rank(pct=True) * 2.999).astype(int) + 1.0
    frame.loc[5, "size"] = np.nan
    path = files["data"].with_name("classes.csv")
    frame.drop(columns=["tech", "politics"]).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def class_model(class_file, tmp_path_factory):
    """``skmultimlp fit`` on three class columns, its model file and its output."""
    path = tmp_path_factory.mktemp("classes") / "model.skops"
    argv = ["fit", class_file, "--labels", "sports,desk,size", "--ignore", "id", *FAST]
    code = main([str(a) for a in [*argv, "-o", path]])
    return code, path


def test_class_columns_are_a_multi_output_target(class_file, class_model, capsys):
    code, path = class_model
    assert code == 0
    estimator = read_model_file(path)["estimator"]
    network = estimator[-1]
    assert network.target_type_ == "multiclass-multioutput"
    assert [c.tolist() for c in network.classes_] == [[0, 1], DESKS.tolist(), [1, 2, 3]]
    assert read_model_file(path)["labels"] == ["sports", "desk", "size"]
    # The same columns, read again: the fit's description names the outputs' classes.
    argv = ["fit", class_file, "--labels", "sports,desk,size", "--ignore", "id", *FAST]
    code, out, err = run([*argv, "--epochs", "1", "-o", path.with_name("again.skops")], capsys)
    assert code == 0 and err == ""
    outputs = "3 outputs: sports (2 classes), desk (3 classes), size (3 classes)"
    assert f"(60 rows x 4 features, {outputs})" in out
    assert "3 of 180 label entries are unknown" in out


def test_predict_writes_the_class_of_each_output(files, class_model, capsys):
    _, path = class_model
    estimator = read_model_file(path)["estimator"]
    new = pd.read_csv(files["new"])
    code, out, err = run(["predict", path, files["new"]], capsys)
    assert code == 0, err
    rows = [line.split(",") for line in out.splitlines()]
    assert rows[0] == ["id", "sports", "desk", "size"]
    expected = estimator.predict(new[FEATURES])
    assert [row[1:] for row in rows[1:]] == [[str(v) for v in row] for row in expected]
    assert {row[2] for row in rows[1:]} <= set(DESKS) and {row[3] for row in rows[1:]} <= {
        "1", "2", "3",
    }  # fmt: skip
    code, out, err = run(["predict", path, files["new"], "--proba"], capsys)
    assert code == 0, err
    written = pd.read_csv(io.StringIO(out))
    names = ["sports=0", "sports=1", *(f"desk={d}" for d in DESKS), "size=1", "size=2", "size=3"]
    assert list(written.columns) == ["id", *names]
    proba = np.hstack(estimator.predict_proba(new[FEATURES]))
    np.testing.assert_allclose(written[names].to_numpy(), proba, atol=1e-4)


def test_one_class_column_is_a_multiclass_target(files, class_file, tmp_path, capsys):
    path = tmp_path / "desk.skops"
    argv = ["fit", class_file, "--labels", "desk", "--ignore", "id,sports,size", *FAST]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataConversionWarning)
        code, out, err = run([*argv, "-o", path], capsys)
    assert code == 0 and err == ""
    assert not [w for w in caught if w.category is DataConversionWarning]  # a 1-D target
    assert "1 output: desk (3 classes)" in out
    network = read_model_file(path)["estimator"][-1]
    assert network.target_type_ == "multiclass" and network.classes_.tolist() == list(DESKS)
    code, out, err = run(["predict", path, files["new"]], capsys)
    written = pd.read_csv(io.StringIO(out))
    assert list(written.columns) == ["id", "desk"]
    new = pd.read_csv(files["new"])[FEATURES]
    expected = read_model_file(path)["estimator"].predict(new)
    assert written["desk"].tolist() == expected.tolist()


def test_evaluate_class_columns(class_file, tmp_path, capsys):
    argv = ["evaluate", class_file, "--labels", "sports,desk,size", "--ignore", "id"]
    code, out, err = run([*argv, "--stratified", "--plot", tmp_path / "cv.png", *FAST, *CV], capsys)
    assert code == 0, err
    assert "stratified 2-fold x 1 repeat = 2 fits" in out
    for title in ("exact-match accuracy", "hamming loss", "macro F1", "sports accuracy",
                  "desk accuracy", "size accuracy"):  # fmt: skip
        assert re.search(rf"{title}: \d\.\d{{3}} ± \d\.\d{{3}}", out), out
    assert "samples F1" not in out
    assert (tmp_path / "cv.png").read_bytes().startswith(PNG)


def test_tune_class_columns(class_file, capsys):
    argv = ["tune", class_file, "--labels", "sports,desk,size", "--ignore", "id", *FAST]
    argv += ["--grid", "threshold=0.3;0.5", "--splits", "2", "--stratified"]
    code, out, err = run([*argv, "--scoring", "f1_macro"], capsys)
    assert code == 0, err
    assert "2 candidates, stratified 2-fold x 1 repeat = 4 fits + 1 refit" in out
    assert re.search(r"best: threshold=0\.[35]; refitted on all 60 rows", out)
    code, out, err = run([*argv, "--scoring", "f1_micro"], capsys)
    assert code == 1 and out == ""
    assert "choose exact_match, neg_hamming_loss or f1_macro" in error_line(err)


def test_output_scores_are_scikit_learn_s_on_the_known_entries():
    from skmultimlp.cli._output_scores import output_scorers

    rng = np.random.RandomState(0)
    truth = np.empty((40, 2), dtype=object)
    truth[:, 0], truth[:, 1] = rng.randint(0, 2, 40), DESKS[rng.randint(0, 3, 40)]
    pred = truth.copy()
    flip = rng.uniform(size=truth.shape) < 0.3
    pred[flip[:, 0], 0] = 1 - pred[flip[:, 0], 0]
    pred[flip[:, 1], 1] = "sports"
    truth[rng.uniform(size=truth.shape) < 0.2] = None
    known = truth != None  # noqa: E711
    scores = {
        key: scorer(_Predicts(pred), None, truth)
        for key, scorer in output_scorers(["urgent", "desk"]).items()
    }
    all_right = [
        (pred[i, known[i]] == truth[i, known[i]]).all() for i in range(40) if known[i].any()
    ]
    assert scores["exact_match"] == pytest.approx(np.mean(all_right))
    assert scores["neg_hamming_loss"] == pytest.approx(-np.mean(pred[known] != truth[known]))
    f1 = [
        skm.f1_score(list(truth[known[:, j], j]), list(pred[known[:, j], j]), average="macro")
        for j in range(2)
    ]
    assert scores["f1_macro"] == pytest.approx(np.mean(f1))
    for j, name in enumerate(["urgent", "desk"]):
        expected = skm.accuracy_score(list(truth[known[:, j], j]), list(pred[known[:, j], j]))
        assert scores[f"accuracy:{name}"] == pytest.approx(expected)


class _Predicts:
    def __init__(self, y_pred):
        self.y_pred = y_pred

    def predict(self, X):
        return self.y_pred


def test_class_columns_of_minus_one_zero_one(tmp_path, capsys):
    """The estimator reads a 2-D target of -1, 0 and 1 as 0/1 labels whose -1 is unknown:
    such class columns are refused, one of them alone is a multiclass target."""
    from skmultimlp._csv import labelled_data, read_csv

    path = write(tmp_path, "a,mood,sports\n1,-1,0\n2,0,1\n3,1,\n4,-1,1\n")
    code, _, err = run(["evaluate", path, "--labels", "mood,sports", *FAST], capsys)
    assert code == 1
    assert "'mood', 'sports' of" in error_line(err) and "hold only -1, 0 and 1" in err
    data = labelled_data(read_csv(path), path, labels=["mood"], ignore=["sports"])
    assert data.outputs and data.target.tolist() == [-1, 0, 1, -1]
    assert data.classes == [[-1, 0, 1]]


def test_class_columns_need_two_classes_each(tmp_path, capsys):
    path = write(tmp_path, "a,y,z\n1,0,x\n2,0,y\n3,,x\n")
    code, _, err = run(["evaluate", path, "--labels", "y,z", *FAST], capsys)
    assert code == 1
    line = error_line(err)
    assert f"label columns of {path} are outputs of a multi-class target" in line
    assert "each needs two classes or more; one class only: 'y' (0)" in line


def test_class_name_mistakes_are_named(class_file, tmp_path, capsys):
    frame = pd.read_csv(class_file)
    frame.loc[0, "desk"], frame.loc[1, "desk"] = "sprots", "Science"
    frame.to_csv(tmp_path / "typos.csv", index=False)
    argv = ["fit", tmp_path / "typos.csv", "--labels", "sports,desk", "--ignore", "id,size"]
    code, _, err = run([*argv, *FAST, "-o", tmp_path / "m.skops", "--strict-labels"], capsys)
    assert code == 1 and not (tmp_path / "m.skops").exists()
    line = error_line(err)
    assert (
        "classes seen in fewer than 2 rows: desk='Science' (1 row), desk='sprots' (1 row)" in line
    )
    assert "labels or classes that differ only in case: Science / science" in line


# ---------------------------------------------------------------------------------- tune


def test_tune_prints_the_ranked_table_and_saves_the_best(files, tmp_path, capsys):
    best = tmp_path / "best.skops"
    argv = ["tune", files["data"], "--labels", ",".join(LABELS), "--ignore", "id", *FAST]
    argv += ["--grid", "threshold=0.3;0.5", "--grid", "hidden_layer_sizes=4", "--splits", "2"]
    code, out, err = run([*argv, "--scoring", "f1_macro", "-o", best], capsys)
    assert code == 0, err
    described = "StandardScaler + KerasMultiLabelClassifier(epochs=2, batch_size=32)"
    assert f"GridSearchCV of {described} on" in out
    assert "2 candidates, 2-fold x 1 repeat = 4 fits + 1 refit" in out
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("rank"))
    assert lines[header].split() == ["rank", "macro", "F1", "threshold", "hidden_layer_sizes"]
    rows = [line.split() for line in lines[header + 1 : header + 3]]
    assert sorted(row[0] for row in rows) in (["1", "2"], ["1", "1"])
    assert {row[4] for row in rows} == {"0.3", "0.5"}
    means = [float(row[1]) for row in rows]
    assert means == sorted(means, reverse=True)
    assert re.search(r"best: threshold=0\.[35], hidden_layer_sizes=4; refitted on all 60", out)
    bundle = read_model_file(best)
    assert bundle["format"] == FORMAT and bundle["labels"] == LABELS


@pytest.mark.parametrize(
    "text, expected",
    [
        ("hidden_layer_sizes=10;20;20,20", ("hidden_layer_sizes", [10, 20, (20, 20)])),
        ("hidden_layer_sizes=20,;()", ("hidden_layer_sizes", [(20,), ()])),
        ("learning_rate=1e-3;0.01", ("learning_rate", [0.001, 0.01])),
        ("activation=relu;tanh", ("activation", ["relu", "tanh"])),
        ("label_weight=none;balanced", ("label_weight", [None, "balanced"])),
        ("early_stopping=true;false", ("early_stopping", [True, False])),
    ],
)
def test_grid_values_are_parsed(text, expected):
    assert _grid_entry(text) == expected


# ----------------------------------------------------------------------------- bad input


def write(tmp_path, text, name="bad.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


DATA_ERRORS = {
    "missing file": (["evaluate", "{tmp}/nope.csv", "--labels", "a"], "no such file"),
    "label column absent": (
        ["evaluate", "{data}", "--labels", "sports,spam", "--ignore", "id"],
        "has no column 'spam'; its columns are: id, f1, f2, f3, f4, sports, tech, politics",
    ),
    "text feature": (
        ["fit", "{data}", "--labels", "sports,tech,politics", "-o", "{tmp}/m.skops"],
        "not numeric: id (e.g. 'r0'); one-hot encode",
    ),
    "model of another kind": (["predict", "{data}", "{new}"], "is not a skmultimlp model file"),
    "missing model": (["predict", "{tmp}/nope.skops", "{new}"], "no such model file"),
    "no output folder": (
        ["fit", "{data}", "--labels", "sports", "--ignore", "id", "-o", "{tmp}/no/m.skops"],
        "there is no folder",
    ),
    "one label to evaluate": (
        ["evaluate", "{data}", "--labels", "sports", "--ignore", "id,tech,politics"],
        "evaluate needs two or more labels, got one (sports)",
    ),
    "samples scoring of one label": (
        [
            "tune",
            "{data}",
            "--labels",
            "sports",
            "--ignore",
            "id,tech,politics",
            "--grid",
            "epochs=1",
            "--scoring",
            "f1_samples",
        ],
        "--scoring f1_samples averages over samples",
    ),
    "more folds than rows": (
        ["evaluate", "{data}", "--labels", "sports,tech", "--ignore", "id", "--splits", "61"],
        "cannot split the data into folds",
    ),
}


@pytest.mark.parametrize("case", DATA_ERRORS)
def test_data_errors_give_one_line_and_status_1(case, files, tmp_path, capsys):
    argv, message = DATA_ERRORS[case]
    places = {name: str(path) for name, path in files.items()} | {"tmp": str(tmp_path)}
    code, out, err = run([arg.format(**places) for arg in argv], capsys)
    assert code == 1
    assert message in error_line(err)


@pytest.mark.parametrize(
    "text, message",
    [
        ("a,b,y\n1,2,0\n,3,1\n4,inf,1\n", "missing or infinite values: a (1 row), b (1 row)"),
        (
            "a,b,y\n1,2,0\n2,3,0.5\n3,4,1\n",
            "label column 'y' of {} holds numbers that are not whole (0.5)",
        ),
        ("a,y\n1,\n2,\n", "label column 'y' of {} has no known value"),
        ("a,y\n", "has a header but no data rows"),
        ("", "is empty"),
    ],
)
def test_bad_data_files(text, message, tmp_path, capsys):
    path = write(tmp_path, text)
    code, _, err = run(["evaluate", path, "--labels", "y", *FAST], capsys)
    assert code == 1
    assert message.format(path) in error_line(err)


def test_predict_names_missing_and_extra_columns(files, model, tmp_path, capsys):
    new = pd.read_csv(files["new"]).drop(columns=["f2"]).assign(color=1)
    new.to_csv(tmp_path / "other.csv", index=False)
    code, _, err = run(["predict", model[0], tmp_path / "other.csv"], capsys)
    assert code == 1
    line = error_line(err)
    assert "lacks feature columns f2 and has columns the model was not fitted on: color" in line


def test_predict_refuses_a_pickle_unless_trusted(files, model, tmp_path, capsys):
    marker = tmp_path / "ran"
    evil = tmp_path / "evil.joblib"
    joblib.dump(_CreatesFileWhenLoaded(marker), evil)
    code, _, err = run(["predict", evil, files["new"]], capsys)
    assert code == 1
    assert "is a pickle" in error_line(err) and "--trust-pickle" in error_line(err)
    assert not marker.exists()
    # A model file of skmultimlp 0.1 (a pickled dict) is read when the user trusts it.
    old = tmp_path / "old.joblib"
    bundle = read_model_file(model[0])
    joblib.dump({**bundle, "format": "skmultimlp-cli-model", "format_version": 1}, old)
    code, trusted_out, err = run(["predict", old, files["new"], "--trust-pickle"], capsys)
    assert code == 0, err
    assert trusted_out == run(["predict", model[0], files["new"]], capsys)[1]


def test_predict_refuses_a_model_file_of_another_kind(files, tmp_path, capsys):
    joblib.dump(KerasMultiLabelClassifier(), tmp_path / "estimator.joblib")
    argv = ["predict", tmp_path / "estimator.joblib", files["new"], "--trust-pickle"]
    code, _, err = run(argv, capsys)
    assert code == 1
    assert "another kind of object (KerasMultiLabelClassifier)" in error_line(err)
    (tmp_path / "text.skops").write_text("f1,f2\n1,2\n")
    code, _, err = run(["predict", tmp_path / "text.skops", files["new"]], capsys)
    assert code == 1
    assert "is not a skmultimlp model file" in error_line(err)


class _CreatesFileWhenLoaded:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return open, (str(self.path), "w")


def test_plot_without_matplotlib(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    code, _, err = run(["evaluate", "--plot", "x.png"], capsys)
    assert code == 1
    assert "--plot needs matplotlib: pip install matplotlib" in error_line(err)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--hidden", "a,b"], "--hidden takes comma-separated layer sizes"),
        (["--epochs", "0"], "expected an integer >= 1"),
        (["--splits", "x"], "argument --splits"),
        (["--splits", "1"], "expected an integer >= 2"),
        (["--threshold", "1.5"], "between 0 and 1"),
        (["--n-jobs", "0"], "number of processes"),
        (["evaluate", "--labels", "a"], "--labels needs a DATA.csv file"),
        (["evaluate", "{data}"], "name the labels"),
        (["evaluate", "{data}", "--labels", "a", "--label-column", "b"], "not allowed with"),
        (["evaluate", "{data}", "--labels", "a", "--sep", "|"], "--sep goes with --label-column"),
        (["evaluate", "{data}", "--labels", "a", "--ignore", "a"], "both a label and ignored"),
        (["evaluate", "--plot", "x.nope"], "give the image a file extension"),
        (["fit", "{data}", "--labels", "a"], "required: -o/--output"),
        (["predict", "model.skops"], "required: NEW.csv"),
        (["tune", "{data}", "--labels", "a"], "required: --grid"),
        (["tune", "{data}", "--labels", "a", "--grid", "hidden=1;2"], "did you mean 'hidden_"),
        (["tune", "{data}", "--labels", "a", "--grid", "model=x"], "unknown parameter 'model'"),
        (["tune", "{data}", "--labels", "a", "--grid", "epochs"], "expected NAME=VALUE"),
        (["tune", "{data}", "--labels", "a", "--grid", "epochs=1", "--grid", "epochs=2"], "twice"),
        (["tune", "{data}", "--labels", "a", "--grid", "epochs=1", "--scoring", "x"], "choice"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_usage_errors_give_one_line_and_status_2(argv, message, files, capsys):
    code, _, err = run([arg.format(data=files["data"]) for arg in argv], capsys)
    assert code == 2
    assert message in error_line(err)


def test_python_m_skmultimlp_help():
    result = subprocess.run(
        [sys.executable, "-m", "skmultimlp", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    for command in ("evaluate", "fit", "predict", "tune"):
        assert command in result.stdout


def test_the_parsers_lists_match_the_library():
    # The parser spells these out so that --help imports neither Keras nor scikit-learn.
    from skmultimlp.cli._parser import ESTIMATOR_PARAMETERS, SCORER_NAMES

    assert sorted(ESTIMATOR_PARAMETERS) == sorted(KerasMultiLabelClassifier().get_params())
    assert list(SCORER_NAMES) == list(SCORERS)


@pytest.mark.parametrize(
    "argv, hint",
    [
        (["fit", "d.csv", "--labels", "a", "-o", "m.skops", "--hiden", "20"], "'--hidden'"),
        (["evaluate", "--learning_rate", "0.1"], "'--learning-rate'"),
    ],
)
def test_a_misspelt_option_gets_a_hint(argv, hint, capsys):
    code, _, err = run(argv, capsys)
    assert code == 2
    line = error_line(err)
    assert f"unrecognized arguments: {argv[-2]}" in line and f"; did you mean {hint}?" in line


def _checksums(*paths):
    return {str(path): hashlib.sha256(Path(path).read_bytes()).hexdigest() for path in paths}


def test_outputs_never_overwrite_inputs_or_existing_files(files, model, tmp_path, capsys):
    inputs = _checksums(*files.values(), model[0])
    code, _, err = run(["predict", model[0], files["new"], "-o", files["new"]], capsys)
    assert code == 1 and "is an input of this command" in error_line(err)
    argv = ["fit", files["data"], "--labels", ",".join(LABELS), "--ignore", "id", *FAST]
    code, _, err = run([*argv, "-o", files["data"], "--force"], capsys)
    assert code == 1 and "is an input of this command" in error_line(err)
    code, _, err = run([*argv, "-o", model[0]], capsys)  # an existing file, not an input
    assert code == 1 and "exists; pass --force to overwrite it" in error_line(err)
    code, _, err = run(["predict", model[0], files["new"], "-o", files["data"]], capsys)
    assert code == 1 and "exists; pass --force" in error_line(err)
    assert _checksums(*files.values(), model[0]) == inputs
    out = tmp_path / "out.csv"
    out.write_text("old")
    code, _, err = run(["predict", model[0], files["new"], "-o", out, "--force"], capsys)
    assert code == 0 and out.read_text().startswith("id,")


def test_label_name_mistakes_are_named(files, tmp_path, capsys):
    frame = pd.read_csv(files["tags"], keep_default_na=False)
    frame.loc[0, "tags"], frame.loc[1, "tags"] = "sprots", "tech,politics"
    frame.loc[2, "tags"] = "Tech"
    frame.to_csv(tmp_path / "typos.csv", index=False)
    before = _checksums(tmp_path / "typos.csv")
    base = ["fit", tmp_path / "typos.csv", "--label-column", "tags", "--ignore", "id", *FAST]
    code, _, err = run([*base, "-o", tmp_path / "m.skops"], capsys)
    assert code == 0
    assert "labels seen in fewer than 2 rows: 'Tech' (1 row), 'sprots' (1 row)" in err
    assert "labels that differ only in case: Tech / tech" in err
    assert "although --sep is ';': 'tech,politics'; is --sep right?" in err
    code, _, err = run([*base, "-o", tmp_path / "strict.skops", "--strict-labels"], capsys)
    assert code == 1 and "(--strict-labels)" in error_line(err)
    classes = ["--classes", "sports,tech,politics"]
    code, _, err = run([*base, "-o", tmp_path / "fixed.skops", *classes], capsys)
    assert code == 1
    assert "outside --classes: 'Tech', 'sprots', 'tech,politics'" in error_line(err)
    assert not (tmp_path / "strict.skops").exists() and not (tmp_path / "fixed.skops").exists()
    assert _checksums(tmp_path / "typos.csv") == before
    # A 0/1 label column with a single positive row is named too.
    frame = pd.read_csv(files["data"])
    frame["rare"] = [1] + [0] * (len(frame) - 1)
    frame.to_csv(tmp_path / "rare.csv", index=False)
    argv = ["fit", tmp_path / "rare.csv", "--labels", "sports,rare", "--ignore", "id,tech,politics"]
    code, _, err = run([*argv, *FAST, "-o", tmp_path / "rare.skops"], capsys)
    assert code == 0 and "labels seen in fewer than 2 rows: 'rare' (1 row)" in err


def test_duplicate_headers_and_bad_grid_values_stop_before_training(files, tmp_path, capsys):
    (tmp_path / "twice.csv").write_text("f1,f1,a,b\n1,2,0,1\n3,4,1,0\n")
    argv = ["fit", tmp_path / "twice.csv", "--labels", "a,b", "-o", tmp_path / "m.skops"]
    code, _, err = run(argv, capsys)
    assert code == 1 and "more than one column named 'f1'" in error_line(err)
    argv = ["tune", files["data"], "--labels", ",".join(LABELS), "--ignore", "id", *FAST]
    code, out, err = run([*argv, "--grid", "activation=relu;tanhh"], capsys)
    assert code == 2 and out == ""
    line = error_line(err)
    assert "--grid activation='tanhh'" in line and "did you mean 'tanh'?" in line
    code, _, err = run([*argv, "--grid", "epochs=2;1.5"], capsys)
    assert code == 2 and "--grid epochs=1.5: epochs must be an instance of int" in error_line(err)
