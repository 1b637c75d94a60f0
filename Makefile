# wandbkit — the two commands are `make demo` and `make test`; both work on a fresh machine.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install chromium codegen codegen-check lint typecheck arch test test-fast demo docs bench cassettes server clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,server,parquet,plots,docs]'
	$(MAKE) --no-print-directory chromium
	touch $(STAMP)

# The web view's browser test drives the distribution's Chromium (tests/server/web); it is
# skipped, saying why, only where no chromium binary can be had.
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO="sudo -n"; fi; \
	    $$SUDO apt-get install -y chromium >/dev/null 2>&1 || \
	    { $$SUDO apt-get update >/dev/null 2>&1 && $$SUDO apt-get install -y chromium >/dev/null 2>&1; } || \
	    echo "note: could not install chromium; the browser test will be skipped"; }

# schema/ + queries/ + codegen.toml -> src/wandbkit/_generated/ ; then the sync twins.
codegen: install
	$(PY) tools/codegen.py generate

codegen-check: install
	$(PY) tools/codegen.py check

lint: install
	$(VENV)/bin/ruff check src tests tools benchmarks examples
	$(VENV)/bin/ruff format --check src tests tools benchmarks examples

typecheck: install
	$(VENV)/bin/mypy

# Architecture contracts (pyproject.toml [tool.importlinter]) and the 600-line module rule.
arch: install
	$(VENV)/bin/lint-imports --no-cache
	$(PY) tools/check_sizes.py

test: install codegen-check lint typecheck arch
	$(VENV)/bin/pytest -q

test-fast: install
	$(VENV)/bin/pytest -q -x

cassettes: install
	$(VENV)/bin/pytest -q tests/cassette --record-mode=rewrite

demo: install
	$(PY) tools/demo.py $(if $(KEEP),--keep)

# The documentation site (mkdocs.yml, docs/) into site/; --strict fails on a broken link.
docs: install
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --site-dir site

bench: install
	$(PY) benchmarks/bench_import.py
	$(PY) benchmarks/bench_runs.py
	$(PY) benchmarks/bench_load.py
	$(PY) benchmarks/bench_artifacts.py
	$(PY) benchmarks/bench_ingest.py
	$(PY) benchmarks/bench_export.py

server: install
	$(VENV)/bin/wandbkit server --host 127.0.0.1 --port 8080 --db .wandbkit-server.db

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache site
