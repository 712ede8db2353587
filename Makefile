# Loket: build, test and run. `make` (or `make help`) lists the targets.
#
# Variables you can set on the command line:
#   PYTEST_ARGS="-k sync -x"   extra arguments for pytest (`make test`)
#   BENCH_ARGS=...             extra arguments for `python -m bench`
#   RUN_ARGS=...               extra arguments for tools/run_demo.py (`make run`)
#   PYTHON=python3.12          interpreter used to create .venv (default: python3.11, else python3 >= 3.11)
#   LOKET_NO_APT=1             never apt-get install, only report what is missing

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
MAKEFLAGS += --no-print-directory

VENV        := .venv
VPY         := $(VENV)/bin/python
VENV_STAMP  := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
BENCH_ARGS  ?=
RUN_ARGS    ?=
LINT_DIRS   := $(wildcard common desktop syncserver tests bench tools installers)

.PHONY: help venv system-deps test lint bench run screenshots translations faults soak installer clean

help: ## List the targets (this text)
	@echo "Loket make targets:"
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  %-13s %s\n", $$1, $$2}'
	@echo
	@echo "Variables: PYTEST_ARGS='...' (make test), BENCH_ARGS, RUN_ARGS, PYTHON, LOKET_NO_APT=1"

venv: $(VENV_STAMP) ## Create .venv and pip install -e '.[dev,postgres]' (again only when pyproject.toml changes)

# The editable install uses setuptools' "compat" mode: a .pth file puts the repository root on
# sys.path, so packages created after the install (common/, desktop/, syncserver/) import
# without reinstalling. Only pyproject.toml changes (dependencies, entry points) need one.
$(VENV_STAMP): pyproject.toml
	@if [ -x $(VPY) ] && ! $(VPY) -c 'import sys' >/dev/null 2>&1; then \
		echo "venv: $(VENV) is broken, recreating"; rm -rf $(VENV); fi
	@if [ ! -x $(VPY) ]; then \
		py="$${PYTHON:-}"; \
		if [ -z "$$py" ]; then py=$$(command -v python3.11 || command -v python3 || true); fi; \
		if [ -z "$$py" ] || ! "$$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then \
			echo "venv: need Python 3.11 or newer (python3.11 or python3); found: $${py:-none}" >&2; exit 1; fi; \
		echo "venv: creating $(VENV) with $$py ($$("$$py" --version 2>&1))"; \
		"$$py" -m venv $(VENV); \
		$(VPY) -m pip install -q --disable-pip-version-check --upgrade pip || true; \
	fi
	@echo "venv: pip install -e '.[dev,postgres]'"
	$(VPY) -m pip install -q --disable-pip-version-check --progress-bar off \
		--config-settings editable_mode=compat -e '.[dev,postgres]'
	@touch $(VENV_STAMP)

system-deps: ## Install missing Debian packages the tests need (PostgreSQL, Xvfb, Qt libs, Chromium, fonts, poppler, nginx); no-op when present
	@bash tools/ensure-system-deps.sh

test: venv system-deps ## Run the whole test suite (tests/); extra pytest args via PYTEST_ARGS
	$(VPY) -m pytest $(PYTEST_ARGS)

lint: venv ## ruff check + ruff format --check, mypy (the ratchet in pyproject.toml), translation sources up to date
	@status=0; \
	echo "+ ruff check $(LINT_DIRS)"; \
	$(VPY) -m ruff check $(LINT_DIRS) || status=1; \
	echo "+ ruff format --check $(LINT_DIRS)"; \
	$(VPY) -m ruff format --check $(LINT_DIRS) || status=1; \
	echo "+ mypy (files and strictness from [tool.mypy] in pyproject.toml)"; \
	$(VPY) -m mypy || status=1; \
	echo "+ tools/update_translations.sh --check"; \
	VENV_BIN=$(VENV)/bin bash tools/update_translations.sh --check || status=1; \
	exit $$status

bench: venv system-deps ## Run the benchmarks (python -m bench) and rewrite docs/benchmarks.md's run section; args via BENCH_ARGS
	$(VPY) -m bench $(BENCH_ARGS)

run: venv system-deps ## Start the demo: sync server on 127.0.0.1:8470 (+ desktop app if there is a display)
	$(VPY) tools/run_demo.py $(RUN_ARGS)

screenshots: venv system-deps ## Render the desktop screens (Xvfb, 1366x768) and console pages (Chromium) into docs/screenshots/
	$(VPY) tools/screenshots.py
	$(VPY) tools/sync_screenshots.py
	$(VPY) tools/console_screenshots.py

translations: venv ## Update the Qt .ts sources from the code and compile the .qm files
	bash tools/update_translations.sh

faults: venv system-deps ## Long fault-injection run (>= 10,000 seeded faults; table of lost/doubled); args via FAULTS_ARGS
	$(VPY) tools/faults.py $(FAULTS_ARGS)

soak: venv system-deps ## Soak: 8 devices vs a 2-worker server on PostgreSQL for 10 min, RSS sampled; args via SOAK_ARGS
	$(VPY) tools/soak.py $(SOAK_ARGS)

installer: venv ## Desktop bundle dist/loket-desk/ (PyInstaller, minimal runtime venv) and dist/loket-desk_<version>_amd64.deb
	$(VPY) installers/desktop/build.py
	$(VPY) installers/linux/build_deb.py

clean: ## Remove .venv, caches, build output and the demo data (.demo/)
	rm -rf $(VENV) .demo build dist .tmp .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -path ./.git -prune -o \( -name __pycache__ -o -name '*.egg-info' \) -type d -print0 | xargs -0 rm -rf
