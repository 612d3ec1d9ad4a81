# The PyTorch course: `make demo` (the instructor's whole pipeline on a sample class)
# and `make test` (the test suite). Both set up .venv first and are safe to re-run.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The offline data mirror: ../shared/datasets when it is there, else the network.
COURSE_DATA_MIRROR ?= $(abspath $(wildcard ../shared/datasets))
export COURSE_DATA_MIRROR
# `make demo CUDA=1` grades on the GPU; `make demo FULL=1` trains for real (slow on a CPU).
ifdef CUDA
export COURSE_DEVICE := cuda
endif
ifndef FULL
export COURSE_FAST := 1
endif
# `make demo LANG=zh`: the class in Chinese (docs/i18n.md). Only a LANG given on the command line
# names the course's language; the locale's LANG (en_US.UTF-8, C.UTF-8) is left alone.
ifeq ($(origin LANG),command line)
export COURSE_LANG := $(LANG)
override LANG := C.UTF-8
export LANG
endif

.PHONY: setup demo test benchmark clean-demo
setup: $(STAMP)

$(STAMP): pyproject.toml
	@echo "[setup] creating $(VENV) and installing the pinned packages (first time: a few minutes)"
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check 'setuptools<81' wheel
	@# visdom 0.2.4 is an sdist whose setup.py imports pkg_resources: build it without isolation
	$(PY) -m pip install --quiet --disable-pip-version-check --no-build-isolation visdom==0.2.4
	$(PY) -m pip install --quiet --disable-pip-version-check --no-build-isolation -e '.[test]' 'setuptools<81'
	touch $@
	@echo "[setup] done"

demo: setup
	$(PY) -m course demo --root .

test: setup
	$(PY) -m pytest

# Times every lecture (fast mode; `make benchmark FULL=1` for the real training) into docs/results.md
benchmark: setup
	$(PY) benchmarks/lectures.py $(if $(FULL),--full)

clean-demo:
	rm -rf gradebook.db exchange submitted feedback grades.csv .class
	find autograded -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +

-include mk/*.mk
