# Floorshare: `make demo` and `make test` work on a fresh machine (Python 3.11 and network to PyPI).
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.floorshare-installed

.PHONY: setup demo test test-isa kernel-paths test-fast dashboard bench bench-cluster clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## setup: create .venv, install Floorshare with its test extras, fetch and verify the models
setup: $(STAMP)
	$(BIN)/floorshare models fetch
	$(BIN)/floorshare models verify

## demo: analyse the bundled samples and print where the reports are
demo: setup
	$(BIN)/floorshare analyze samples/pyannote-sample/sample.wav samples/ami/tst00.wav --out out/demo

## test: install everything and run the whole suite (unit, integration with the real models, dashboard)
test: setup
	$(BIN)/python -m pytest -q -p no:cacheprovider

## test-isa: the real-model tests on the kernels an AVX2 AMD CPU runs (CTranslate2 AVX2 without MKL,
## torch AVX2), forced on any x86-64 CPU with AVX2: a developer on AVX-512 sees what an AVX2 machine sees
test-isa: setup
	$(BIN)/python -m tests.kernels avx2-onednn -q -p no:cacheprovider -m integration

## kernel-paths: the real-model figures behind the test bounds on each CPU kernel path (docs/accuracy.md)
kernel-paths: setup
	$(BIN)/python -m tests.kernel_paths

## test-fast: the pure unit tests only
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/unit

## dashboard: launch the Streamlit dashboard (headless) and print its URL
dashboard: setup
	$(BIN)/floorshare dashboard

## bench: time each stage on a composed 10-minute meeting (RTF, peak memory, ratio to faster-whisper)
bench: setup
	$(BIN)/floorshare bench --minutes 10

## bench-cluster: `bench batch` on a two-node Ray cluster started here (ray start --head + ray start --address)
## beside the local engines, in one run; files per hour as a ratio to local x 2 (docs/scale-out.md)
bench-cluster: setup
	$(BIN)/python -m tests.bench_cluster

clean:
	rm -rf out .pytest_cache
