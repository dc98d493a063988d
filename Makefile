# OneDoor. `make run` starts the hub with demo data and the three demo subsystems;
# `make test` runs the whole test suite. Both set up .venv on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
DEV_ENV := IDP_ENV=development IDP_INSTANCE_PATH=$(or $(IDP_INSTANCE_PATH),instance)

.PHONY: run test test-fast lint bench bench-exports clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,postgres,card]'
	rm -f $(VENV)/.installed-*
	touch $@

run: $(STAMP)
	$(DEV_ENV) $(BIN)/idp init
	$(DEV_ENV) $(BIN)/idp demo load
	@echo "Smartcard sign-in without a card: run '$(DEV_ENV) $(BIN)/idp card dev-setup' once (SoftHSM2), then start the card agent it prints."
	$(DEV_ENV) $(BIN)/python -m clients.demo_rp.launch

# axe-core for the browser tests, from npm into a tests-only folder (not committed).
AXE := tests/browser/axe/node_modules/.installed

$(AXE): tests/browser/axe/package-lock.json
	npm ci --prefix tests/browser/axe --no-audit --no-fund
	touch $@

test: $(STAMP) $(AXE)
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not browser and not card"

bench-exports: $(STAMP)
	$(BIN)/python -m bench.export_signins

lint: $(STAMP)
	$(BIN)/ruff check idp clients tests bench tools
	$(BIN)/ruff format --check idp clients tests bench tools
	$(BIN)/mypy idp clients

bench: $(STAMP)
	bash bench/run.sh

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache tests/browser/axe/node_modules
