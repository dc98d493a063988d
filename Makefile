# OneDoor. `make run` starts the hub with demo data and the three demo subsystems;
# `make test` runs the whole test suite. Both set up .venv on first use.
#
# Running needs Python alone: `make run` installs the hub's own dependencies. The test
# and lint targets install everything (the dev, postgres and card extras; the card
# extra's pyscard builds with gcc and libpcsclite-dev). Each set is stamped with a hash
# of pyproject.toml, so editing it installs again.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HASH := $(shell sha1sum pyproject.toml | cut -c1-12)
RUN_STAMP := $(VENV)/.installed-run-$(HASH)
ALL_STAMP := $(VENV)/.installed-all-$(HASH)
DEV_ENV := IDP_ENV=development IDP_INSTANCE_PATH=$(or $(IDP_INSTANCE_PATH),instance)

.PHONY: run test test-fast fuzz lint bench bench-smoke bench-exports bench-scale-load bench-scale clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Stamps of an older pyproject.toml go; the other set's current stamp stays.
$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	find $(VENV) -maxdepth 1 -name '.installed-*' ! -name '*-$(HASH)' -delete
	touch $@

$(ALL_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,postgres,card]'
	find $(VENV) -maxdepth 1 -name '.installed-*' ! -name '*-$(HASH)' -delete
	touch $(RUN_STAMP) $@

run: $(RUN_STAMP)
	$(DEV_ENV) $(BIN)/idp init
	$(DEV_ENV) $(BIN)/idp demo load
	@echo "Smartcard sign-in without a card: add the card extra ($(BIN)/pip install -e '.[card]';"
	@echo "it needs gcc and libpcsclite-dev, and softhsm2 for development cards), then run"
	@echo "'$(DEV_ENV) $(BIN)/idp card dev-setup' once and start the card agent it prints."
	$(DEV_ENV) $(BIN)/python -m clients.demo_rp.launch

# axe-core for the browser tests, from npm into a tests-only folder (not committed).
AXE := tests/browser/axe/node_modules/.installed

$(AXE): tests/browser/axe/package-lock.json
	npm ci --prefix tests/browser/axe --no-audit --no-fund
	touch $@

test: $(ALL_STAMP) $(AXE)
	$(BIN)/python -m pytest -q

test-fast: $(ALL_STAMP)
	$(BIN)/python -m pytest -q -m "not browser and not card"

# Every route fuzzed with many more examples than `make test` runs.
fuzz: $(ALL_STAMP)
	FUZZ_EXAMPLES=$(or $(FUZZ_EXAMPLES),100) $(BIN)/python -m pytest -q -m fuzz

bench-exports: $(ALL_STAMP)
	$(BIN)/python -m bench.export_signins

# The hub at national size: fill BENCH_DATABASE_URL (a PostgreSQL database, emptied)
# with ACCOUNTS accounts once, then measure as often as wanted.
ACCOUNTS ?= 1000000
bench-scale-load: $(ALL_STAMP)
	$(BIN)/python -m bench.load_accounts --accounts $(ACCOUNTS)

bench-scale: $(ALL_STAMP)
	$(BIN)/python -m bench.scale

lint: $(ALL_STAMP)
	$(BIN)/ruff check idp clients tests bench tools
	$(BIN)/ruff format --check idp clients tests bench tools
	$(BIN)/mypy idp clients

bench: $(ALL_STAMP)
	bash bench/run.sh

# One round of W3-W5 beside node-oidc-provider: a quick check, not the reported figures.
bench-smoke: $(ALL_STAMP)
	ROUNDS=1 bash bench/run.sh node-oidc project --workloads W3,W4,W5

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache tests/browser/axe/node_modules
