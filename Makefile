# Fazhi — the two commands of the README:
#   make demo   set up .venv, migrate, load demo data, start on http://127.0.0.1:$(PORT)
#   make test   set up .venv with test tools, run the whole suite (SQLite, then PostgreSQL when installed)
#   make bench  every benchmark under bench/ at county scale; make bench SCALE=province at full
#   make chaos  kill -9 uploads, imports, builds and extractions KILLS times each, check nothing is lost
# Debian's python3 is built with profile-guided and link-time optimisation, a pyenv or source
# build by default is not: the platform's pages cost 8-15 % less CPU on it (README,
# "What a request costs"). It is used when it can make a venv; any python3 otherwise.
PYTHON ?= $(shell /usr/bin/python3 -c 'import ensurepip, venv' >/dev/null 2>&1 && echo /usr/bin/python3 || echo python3)
VENV ?= .venv
PORT ?= 8000
SCALE ?= county
KILLS ?= 20
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench chaos install install-test lint serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	bash scripts/system_packages.sh
	$(BIN)/fazhi migrate --no-input
	$(BIN)/fazhi collectstatic --no-input --verbosity 0
	$(BIN)/fazhi demo-data
	@echo "登录地址：http://127.0.0.1:$(PORT)/accounts/login/"
	PORT=$(PORT) $(BIN)/fazhi serve

serve: $(STAMP)
	PORT=$(PORT) $(BIN)/fazhi serve

test: $(STAMP)
	$(BIN)/ruff check fazhi bench scripts
	$(BIN)/fazhi makemigrations --check --dry-run --verbosity 0
	$(BIN)/python scripts/run_tests.py

bench: $(STAMP)
	$(BIN)/python bench/run.py --scale $(SCALE)

chaos: $(STAMP)
	$(BIN)/python bench/chaos.py --kills $(KILLS)

lint: $(STAMP)
	$(BIN)/ruff check fazhi bench scripts && $(BIN)/ruff format --check fazhi bench scripts

clean:
	rm -rf $(VENV) var
