# The compendium's commands. `make book` sets up .venv on first use.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: book test browser bench reconstruct reference clean

$(VENV)/.installed: requirements.lock pyproject.toml
	@$(PYTHON) -c "import sys; assert sys.version_info[:2] == (3, 11), sys.version" || { echo "Python 3.11 is required"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	if $(PY) -m pip install -q uv 2>/dev/null; then \
	  $(VENV)/bin/uv pip install -q --python $(PY) --compile-bytecode -r requirements.lock && \
	  $(VENV)/bin/uv pip install -q --python $(PY) --no-deps -e . ; \
	else \
	  $(PY) -m pip install -q -r requirements.lock && $(PY) -m pip install -q --no-deps -e . ; \
	fi
	touch $@

book: $(VENV)/.installed    ## jupytext -> papermill (parallel, cached) -> jupyter-book
	$(PY) -m cart_hsct.build

test: book browser          ## the test suite, on the freshly built book (browser tests included)
	$(PY) -m pytest -q -n 2

# Debian's Chromium and ChromeDriver drive the browser tests; nothing is downloaded at test time.
# .ci/apt-install waits while another install holds the package manager's lock.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  .ci/apt-install chromium chromium-driver

bench: $(VENV)/.installed   ## clean build, no-op rebuild, one touched notebook, toolkit speed
	$(PY) -m cart_hsct.bench

reconstruct: $(VENV)/.installed   ## regenerate data/cohorts from data/specs
	$(PY) -m cart_hsct.reconstruct chen2021 cao2023 --seed 1 --ensemble 20

reference:                  ## R parity fixtures (needs r-base-core, r-cran-survival, r-cran-cmprsk, r-cran-maxstat)
	cd tests/reference && for f in *.R; do [ $$f = json_writer.R ] || Rscript $$f; done  # json_writer.R is sourced by the others

clean:                      ## remove build output (executed notebooks and _build)
	rm -rf _build
	find book -name '*.ipynb' -delete
