# Two entry points for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: demo test docs lint clean bench-data

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

$(VENV)/.installed-docs: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[docs]"
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/python -m skmultimlp

# The whole suite on Keras' default TensorFlow backend, then the tests of what differs per
# backend (the estimator's fit paths, the compiled loops and their cache, the vmapped
# programs of the batched search and of ensembles) again on the JAX backend; then a strict
# build of the documentation site. Network construction, the cache's keys, the scikeras
# wrapper and scikit-learn's API checks do not depend on the backend and run once; so do the
# tests of these files marked single_backend (see tests/conftest.py).
JAX_TESTS := tests/test_classifier.py tests/test_trainer.py tests/test_search.py \
	tests/test_outputs.py tests/test_incremental.py tests/test_sparse_targets.py \
	tests/test_sparse.py

test: $(VENV)/.installed-test
	$(BIN)/python -m ruff check skmultimlp tests benchmarks
	$(BIN)/python -m ruff format --check skmultimlp tests benchmarks
	$(BIN)/python -m pytest
	KERAS_BACKEND=jax $(BIN)/python -m pytest -m "not single_backend" $(JAX_TESTS)
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict --quiet --site-dir build/site-check

# The documentation site (mkdocs-material, API pages from the docstrings) into site/;
# --strict turns every warning into an error.
docs: $(VENV)/.installed-docs
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict --site-dir site

# The emotions and flags data of benchmarks/bench_quality.py: the orange3 3.20.1 Windows wheel,
# a plain zip that pip downloads on any platform (later releases no longer ship the files).
# The benchmark reads them out of the zip; nothing is extracted or copied into the repository.
BENCH_DATA := benchmarks/.data
ORANGE_WHEEL := $(BENCH_DATA)/Orange3-3.20.1-cp36-none-win_amd64.whl

bench-data: $(ORANGE_WHEEL)

$(ORANGE_WHEEL): | $(BIN)/python
	$(BIN)/python -m pip download --quiet --no-deps orange3==3.20.1 --only-binary=:all: \
		--python-version 3.6 --platform win_amd64 -d $(BENCH_DATA)

clean:
	rm -rf $(VENV) build site *.egg-info
