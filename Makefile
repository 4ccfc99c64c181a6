# The two commands of the README: `make run` and `make test`. Both create what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint eval bench clean

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

lint: install
	$(BIN)/wenjiao faq lint

eval: install
	$(BIN)/wenjiao eval ../shared/eval/dev.jsonl

bench: install
	$(BIN)/python benchmarks/match_latency.py

clean:
	rm -rf $(VENV) var .pytest_cache
