# The two commands of the README: `make run` and `make test`. Both create what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint eval bench lock admin clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: install
	$(BIN)/wenjiao serve

test: install
	$(BIN)/python -m pytest
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/ruff check bot services intents

# The first staff account: make admin USER=NAME [ROLE=admin|publisher|editor] (asks the password).
ROLE ?= admin
admin: install
	@test "$(origin USER)" = "command line" || { echo "usage: make admin USER=NAME [ROLE=admin]" >&2; exit 2; }
	$(BIN)/wenjiao admin create-user "$(USER)" --role "$(ROLE)"

lint: install
	$(BIN)/wenjiao faq lint

eval: install
	$(BIN)/wenjiao eval ../shared/eval/dev.jsonl

bench: install
	$(BIN)/python benchmarks/match_latency.py

# requirements.lock: every package `pip install .` brings in, at the exact version (the Docker
# image installs it in its own layer before the code; tests/test_packaging.py checks it is whole).
LOCK_VENV := build/lock-venv
lock:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet .
	( echo "# Made by \`make lock\` from pyproject.toml: the runtime dependencies and theirs, pinned."; \
	  $(LOCK_VENV)/bin/python -m pip freeze --exclude wenjiao ) > requirements.lock
	rm -rf $(LOCK_VENV)

clean:
	rm -rf $(VENV) var .pytest_cache
