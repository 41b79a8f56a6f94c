"""The real ``skmultimlp`` command in a subprocess: exit status, stdout, stderr, and the
input files left byte for byte as they were. (Errors that stop before training are tested
in-process, in test_cli.py: each subprocess here pays for starting TensorFlow.)"""

import csv
import hashlib
import io
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_multilabel_classification

from skmultimlp.persistence import read_model_file

FEATURES = ["f1", "f2", "f3", "f4"]
LABELS = ["sports", "tech", "politics"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """300 rows (enough that early stopping holds out 30), an id and a price column kept
    as text, 4 features, 3 labels; 6 new rows."""
    path = tmp_path_factory.mktemp("process")
    X, y = make_multilabel_classification(n_samples=300, n_features=4, n_classes=3, random_state=0)
    frame = pd.DataFrame(X, columns=FEATURES)
    frame.insert(0, "id", [f"r{i}" for i in range(300)])
    frame.insert(1, "price", ["NA", "12.345678", "1e-7", "", "007", "3.10"] * 50)
    pd.concat([frame, pd.DataFrame(y, columns=LABELS)], axis=1).to_csv(
        path / "data.csv", index=False
    )
    frame.head(6).to_csv(path / "new.csv", index=False)
    return path


def start(*args, cwd, **popen):
    """``skmultimlp *args`` started in ``cwd``, its output piped.

    Each command pays a few seconds for starting TensorFlow, so the tests start the commands
    that do not depend on one another together, and :func:`finish` each.
    """
    command = [sys.executable, "-m", "skmultimlp", *map(str, args)]
    options = dict(stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd)
    return subprocess.Popen(command, **{**options, **popen})


def finish(process):
    out, err = process.communicate(timeout=300)
    return process.returncode, out, err


def checksums(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.csv")}


def text_rows(source):
    return list(csv.reader(io.StringIO(source)))


@pytest.fixture(scope="module")
def commands(folder):
    """``fit`` (to model.skops) and ``evaluate``, run at the same time on data.csv."""
    before = checksums(folder)
    columns = ["--labels", ",".join(LABELS), "--ignore", "id,price"]
    fit = start("fit", "data.csv", *columns, "--epochs", "5", "--scale", "maxabs",
                "-o", "model.skops", cwd=folder)  # fmt: skip
    evaluate = start("evaluate", "data.csv", *columns, "--epochs", "3", "--splits", "3",
                     "--repeats", "1", cwd=folder)  # fmt: skip
    results = {"fit": finish(fit), "evaluate": finish(evaluate)}
    assert checksums(folder) == before
    return results


@pytest.fixture(scope="module")
def fitted(commands):
    return commands["fit"]


@pytest.fixture(scope="module")
def predictions(folder, fitted, tmp_path_factory):
    """``predict`` on new.csv, and on big.csv into a pipe that its reader closes after the
    first line (``skmultimlp predict ... | head -1``), run at the same time."""
    before = checksums(folder)
    # More rows than a pipe buffers (64 KiB).
    big = tmp_path_factory.mktemp("big") / "big.csv"
    pd.concat([pd.read_csv(folder / "new.csv")] * 3000).to_csv(big, index=False)
    predict = start("predict", "model.skops", "new.csv", cwd=folder)
    piped = start("predict", "model.skops", big, cwd=folder, text=False)
    first = piped.stdout.readline()
    piped.stdout.close()
    err = piped.stderr.read().decode()
    piped.wait(timeout=300)
    results = {"predict": finish(predict), "piped": (first.decode(), err)}
    assert checksums(folder) == before
    return results


def test_help_and_usage_errors_start_no_tensorflow():
    code = (
        "import sys\n"
        "from skmultimlp.cli import main\n"
        "for argv in (['--help'], ['--version'], ['fit', 'x.csv']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(sorted(m for m in ('tensorflow', 'keras', 'jax', 'sklearn') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"
    assert "skmultimlp: error: the following arguments are required: -o/--output" in result.stderr


def test_fit_is_quiet_and_reports_its_epochs(folder, fitted):
    status, out, err = fitted
    assert status == 0, err
    assert err == ""
    assert "MaxAbsScaler + KerasMultiLabelClassifier" in out
    # Early stopping is "auto": off on this small file, so every epoch is run and kept.
    assert "5 epochs run;" in out and "kept" not in out
    bundle = read_model_file(folder / "model.skops")
    assert type(bundle["estimator"][0]).__name__ == "MaxAbsScaler"
    assert bundle["features"] == FEATURES and bundle["ignore"] == ["id", "price"]


def test_predict_copies_pass_through_columns_as_written(folder, predictions):
    status, out, err = predictions["predict"]
    assert (status, err) == (0, "")
    written = text_rows(out)
    source = text_rows((folder / "new.csv").read_text())
    assert written[0] == ["id", "price", *LABELS]
    assert [row[:2] for row in written[1:]] == [row[:2] for row in source[1:]]
    estimator = read_model_file(folder / "model.skops")["estimator"]
    new = pd.read_csv(folder / "new.csv")[FEATURES]
    expected = estimator.predict(new)  # the stored scaler applied, then the network
    np.testing.assert_array_equal(np.array([row[2:] for row in written[1:]], int), expected)


def test_evaluate_is_quiet(commands):
    status, out, err = commands["evaluate"]
    assert (status, err) == (0, ""), err
    assert "3-fold x 1 repeat = 3 fits" in out and "per fit: 3 epochs run" in out


def test_predict_into_a_pipe_closed_early_ends_quietly(predictions):
    first, err = predictions["piped"]
    assert first.startswith("id,price,")
    assert err == ""


def test_class_columns_fit_and_predict_quietly(tmp_path):
    """--labels columns of classes (names, and a 0/1 column beside them): fit and predict
    write nothing to stderr, and predict writes the class of each output."""
    X, y = make_multilabel_classification(n_samples=120, n_features=4, n_classes=3, random_state=1)
    frame = pd.DataFrame(X, columns=FEATURES)
    frame.insert(0, "id", [f"r{i}" for i in range(120)])
    frame["sports"] = y[:, 0]
    frame["desk"] = np.array(["politics", "science", "tech"])[y.sum(axis=1) % 3]
    frame.loc[::10, "desk"] = np.nan  # unknown entries
    frame.to_csv(tmp_path / "classes.csv", index=False)
    frame[["id", *FEATURES]].head(6).to_csv(tmp_path / "new.csv", index=False)
    status, out, err = finish(start(
        "fit", "classes.csv", "--labels", "sports,desk", "--ignore", "id", "--epochs", "3",
        "-o", "model.skops", cwd=tmp_path,
    ))  # fmt: skip
    assert (status, err) == (0, "")
    assert "2 outputs: sports (2 classes), desk (3 classes)" in out
    status, out, err = finish(start("predict", "model.skops", "new.csv", cwd=tmp_path))
    assert (status, err) == (0, "")
    written = text_rows(out)
    assert written[0] == ["id", "sports", "desk"]
    estimator = read_model_file(tmp_path / "model.skops")["estimator"]
    expected = estimator.predict(pd.read_csv(tmp_path / "new.csv")[FEATURES])
    assert [row[1:] for row in written[1:]] == [[str(v) for v in row] for row in expected]
