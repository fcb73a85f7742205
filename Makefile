# cx-workbench: `make report` (install + demo reports) and `make test`. Needs Python >= 3.11; no conda.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install report lab test lint bench clean system-deps browser java

install: $(STAMP)

# Graphviz's `dot` draws the process maps. As root on Debian we install it; otherwise we say how.
system-deps:
	@command -v dot >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Graphviz (Debian package graphviz) ..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; \
	  else \
	    echo "Graphviz 'dot' is missing: install it (sudo apt-get install graphviz, or conda env create -f environment.yml), then run make again."; \
	    exit 1; \
	  fi; }

# Spark (the journeys engine past one machine; its tests run in `make test`) needs Java 17 or newer.
java:
	@v=$$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1); \
	if [ -z "$$v" ] || [ "$$v" -lt 17 ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Java 17 for Spark (Debian package openjdk-17-jre-headless) ..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null; \
	  else \
	    echo "Java 17 is missing (Spark needs it): install it (sudo apt-get install openjdk-17-jre-headless), then run make again."; \
	    exit 1; \
	  fi; fi

# Headless Chromium opens reports in the safety tests (no script runs, no network request).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing headless Chromium (Debian package chromium) for the report-safety tests ..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Chromium is missing: install it (sudo apt-get install chromium) to run the report-safety tests."; \
	  fi; }

$(STAMP): pyproject.toml | system-deps java
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "cx-workbench needs Python >= 3.11 (set PYTHON=python3.11)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# torch is pinned in pyproject.toml to the CPU build (2.13.0); pip installs it before sentence-transformers asks.
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[dev,text,spark]'
	$(BIN)/python -m ipykernel install --user --name cx-workbench --display-name "Python (cx-workbench)" >/dev/null
	# The embedding model for topics, exported offline to ONNX (int8) once, outside the cache (about half a minute).
	$(BIN)/python -c 'from cxlib.feedback import export_embedding_model; export_embedding_model()'
	@touch $(STAMP)

# The demo reports, and a screenshot of each report's first screen in reports/screenshots/ (headless Chromium).
report: $(STAMP) system-deps browser
	$(BIN)/cx report notebooks/suite.yml -o reports --screenshots

# JupyterLab from .venv on the repository root: (re-)registers the cx-workbench kernel the notebooks name, adds
# --allow-root when run as root, and keeps saves from rewriting unchanged notebooks. LAB_ARGS="--port 8890".
lab: $(STAMP) system-deps
	$(BIN)/cx lab $(LAB_ARGS)

test: $(STAMP) system-deps browser java
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check cxlib tests

clean:
	rm -rf reports/*.html reports/*.ipynb reports/*.json reports/screenshots
