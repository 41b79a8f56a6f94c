"""Model files (skmultimlp.save / load): exact round trips, and no code run from a file."""

import pickle
import subprocess
import sys
import textwrap
import zipfile

import keras
import numpy as np
import pytest
import skops.io
from sklearn.datasets import make_multilabel_classification
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skmultimlp
from skmultimlp import KerasMultiLabelClassifier, MultiLabelThresholdTuner, load, save
from skmultimlp.persistence import FORMAT, FORMAT_VERSION


@pytest.fixture(scope="module")
def data():
    return make_multilabel_classification(
        n_samples=120, n_features=6, n_classes=3, n_labels=2, random_state=0
    )


@pytest.fixture(scope="module")
def fitted(data):
    X, y = data
    return KerasMultiLabelClassifier((8,), epochs=4, threshold=[0.3, 0.5, 0.7], random_state=0).fit(
        X, y
    )


def test_round_trip_predicts_bit_for_bit_and_keeps_every_attribute(fitted, data, tmp_path):
    X, _ = data
    path = tmp_path / "model.skops"
    save(fitted, path)
    assert zipfile.is_zipfile(path)
    loaded = load(path)
    assert loaded is not fitted and loaded.model_ is not fitted.model_
    np.testing.assert_array_equal(loaded.predict_proba(X), fitted.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), fitted.predict(X))
    assert loaded.get_params().keys() == fitted.get_params().keys()
    for name, value in fitted.get_params().items():
        np.testing.assert_array_equal(loaded.get_params()[name], value)
    for name in ("classes_", "n_features_in_", "n_iter_", "loss_curve_", "label_weight_"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(fitted, name))
    assert isinstance(fitted.model_, keras.Model)  # saving left the estimator as it was


def test_a_fresh_interpreter_loads_it_and_predicts_the_same_bits(fitted, data, tmp_path):
    X, _ = data
    path, X_file, out = tmp_path / "model.skops", tmp_path / "X.npy", tmp_path / "proba.npy"
    save(fitted, path)
    np.save(X_file, X)
    code = textwrap.dedent(
        f"""
        import numpy as np
        import skmultimlp
        model = skmultimlp.load({str(path)!r})
        np.save({str(out)!r}, model.predict_proba(np.load({str(X_file)!r})))
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    np.testing.assert_array_equal(np.load(out), fitted.predict_proba(X))


def test_pipeline_around_a_tuned_network(data, tmp_path):
    X, y = data
    net = KerasMultiLabelClassifier((8,), epochs=3, random_state=0)
    pipe = make_pipeline(StandardScaler(), MultiLabelThresholdTuner(net, cv=2, thresholds=9))
    pipe.fit(X, y)
    save(pipe, tmp_path / "pipe.skops")
    loaded = load(tmp_path / "pipe.skops")
    np.testing.assert_array_equal(loaded[-1].thresholds_, pipe[-1].thresholds_)
    np.testing.assert_array_equal(loaded.predict_proba(X), pipe.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), pipe.predict(X))


class _CreatesFileWhenLoaded:
    """Unpickling it creates ``path``: what a malicious pickle could do instead."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return open, (str(self.path), "w")


class _CreatesFileWhenBuilt:
    """Rebuilding it from a skops archive creates ``marker``."""

    def __init__(self, marker):
        self.marker = marker

    def __setstate__(self, state):
        open(state["marker"], "w").close()


def test_a_pickle_is_refused_without_being_unpickled(tmp_path):
    marker, path = tmp_path / "ran", tmp_path / "model.skops"
    path.write_bytes(pickle.dumps(_CreatesFileWhenLoaded(marker)))
    with pytest.raises(ValueError, match="is a pickle, not a skmultimlp model file"):
        load(path)
    assert not marker.exists()
    pickle.loads(path.read_bytes())  # the file is no dud: unpickling it does run code
    assert marker.exists()


def test_an_archive_with_an_untrusted_type_is_refused_before_anything_is_built(tmp_path):
    marker, path = tmp_path / "ran", tmp_path / "model.skops"
    content = {
        "format": FORMAT,
        "format_version": 1,
        "estimator": _CreatesFileWhenBuilt(str(marker)),
    }
    skops.io.dump(content, path)
    name = f"{__name__}._CreatesFileWhenBuilt"
    with pytest.raises(ValueError, match=f"not trusted.*{name}.*trusted="):
        load(path)
    assert not marker.exists()
    load(path, trusted=[name])  # trusting it explicitly does build it
    assert marker.exists()


def _lambda_network(meta, marker):
    return keras.Sequential(
        [
            keras.Input((meta["n_features_in_"],)),
            keras.layers.Dense(meta["n_outputs_"], activation="sigmoid"),
            # Runs whenever the layer is called, including while Keras rebuilds the model.
            keras.layers.Lambda(lambda x: (open(marker, "w").close(), x)[1]),
        ]
    )


def test_a_network_with_a_lambda_layer_is_refused_by_the_safe_loader(data, tmp_path):
    X, y = data
    marker = str(tmp_path / "ran")
    clf = KerasMultiLabelClassifier(
        model=lambda meta: _lambda_network(meta, marker), epochs=1, random_state=0
    ).fit(X, y)
    keras_file = tmp_path / "network.keras"
    clf.model_.save(keras_file)
    path = tmp_path / "model.skops"
    save(clf.set_params(model=None), path)
    (tmp_path / "ran").unlink()
    with pytest.raises(ValueError, match="cannot be loaded safely.*Lambda"):
        load(path)
    assert not (tmp_path / "ran").exists()
    # Without safe mode, the same network runs the function while it is rebuilt.
    keras.saving.load_model(keras_file, safe_mode=False)
    assert (tmp_path / "ran").exists()


def build_small_network(meta):
    return keras.Sequential(
        [
            keras.Input((meta["n_features_in_"],)),
            keras.layers.Dense(meta["n_outputs_"], activation="sigmoid"),
        ]
    )


def test_a_model_builder_must_be_trusted_by_name(data, tmp_path):
    X, y = data
    clf = KerasMultiLabelClassifier(model=build_small_network, epochs=2, random_state=0).fit(X, y)
    save(clf, tmp_path / "model.skops")
    name = f"{__name__}.build_small_network"
    with pytest.raises(ValueError, match=name):
        load(tmp_path / "model.skops")
    loaded = load(tmp_path / "model.skops", trusted=[name])
    assert loaded.model is build_small_network
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_callbacks_are_refused_with_the_parameter_named(data, tmp_path):
    X, y = data
    clf = KerasMultiLabelClassifier((4,), epochs=1, callbacks=[keras.callbacks.History()])
    tuner = MultiLabelThresholdTuner(clf, cv=2).fit(X, y)
    with pytest.raises(ValueError, match=r"estimator\.estimator has callbacks="):
        save(tuner, tmp_path / "m.skops")
    assert not (tmp_path / "m.skops").exists()


@pytest.mark.parametrize(
    "content, message",
    [
        ({"format": FORMAT, "format_version": FORMAT_VERSION + 1}, "newer than this release"),
        ({"something": "else"}, "not a skmultimlp model file"),
    ],
)
def test_other_skops_files_are_refused(tmp_path, content, message):
    skops.io.dump(content, tmp_path / "m.skops")
    with pytest.raises(ValueError, match=message):
        load(tmp_path / "m.skops")


def test_files_that_are_no_archive_are_refused(tmp_path):
    (tmp_path / "m.skops").write_text("f1,f2\n1,2\n")
    with pytest.raises(ValueError, match="not a skmultimlp model file"):
        load(tmp_path / "m.skops")


def test_keras_without_the_safe_mode_fixes_is_refused(fitted, tmp_path, monkeypatch):
    save(fitted, tmp_path / "m.skops")
    monkeypatch.setattr(keras, "__version__", "3.13.2")
    with pytest.raises(RuntimeError, match="Keras >= 3.14"):
        load(tmp_path / "m.skops")


def test_pickle_still_works(fitted, data):
    X, _ = data
    copy = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(copy.predict_proba(X), fitted.predict_proba(X))
    assert "save" in skmultimlp.__all__ and "load" in skmultimlp.__all__
