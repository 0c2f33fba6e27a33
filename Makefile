# Every target sets up .venv itself, so each works on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# axe-core for the accessibility tests (tests/a11y), from the npm registry, pinned by its lock.
AXE := tests/a11y/node_modules/axe-core/axe.min.js
$(AXE): tests/a11y/package.json tests/a11y/package-lock.json
	npm ci --prefix tests/a11y --no-audit --no-fund --loglevel=error
	touch $(AXE)

run: $(STAMP)
	$(BIN)/engage serve

test: $(STAMP) $(AXE)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The benchmark scripts; bench/ also holds their helpers (bare_app, loadgen, spam_http).
BENCHES := views comments scale queue moderation profanity spam_eval stream vs_isso notify

bench: $(STAMP)
	for name in $(BENCHES); do $(BIN)/python bench/$$name.py || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts tests/a11y/node_modules
