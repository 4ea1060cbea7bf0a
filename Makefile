# One command surface, the same locally and in CI.
#   make run    set up, then serve the whole product locally with a demo journey (port 3000)
#   make test   set up, then every gate: ruff, ruff format, mypy strict, cfn-lint,
#               sam validate --lint, pytest (unit, integration, e2e) with branch coverage
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SAM_VENV := .sam-venv
SAM_CLI_VERSION := 1.170.0
CHECKOV_VENV := .checkov-venv
CHECKOV_VERSION := 3.3.30
export SAM_CLI_TELEMETRY := 0
PORT ?= 3000
STAMP := $(VENV)/.installed

.PHONY: help install run test lint typecheck cfn-lint unit integration e2e chaos eval bench openapi sam validate checkov build build-runtime deploy clean

help:
	@echo "make run          serve Bounceback locally on an embedded AWS, with a demo journey (PORT=$(PORT))"
	@echo "make test         every gate: lint, validate, checkov, then unit + integration + e2e tests"
	@echo "make install      create .venv and install the pinned dependencies (every target does it)"
	@echo "make lint         ruff, ruff format --check, mypy strict, cfn-lint"
	@echo "make typecheck    mypy strict only"
	@echo "make cfn-lint     cfn-lint on template.yaml only"
	@echo "make unit         tests/unit (no network)"
	@echo "make integration  tests/integration (moto)"
	@echo "make e2e          tests/e2e (the local stack over HTTP)"
	@echo "make chaos        N journeys through duplicates and injected AWS faults, counted (N=200)"
	@echo "make eval         feedback-analysis quality: per-area precision/recall/F1 (HOLDOUT=<name>)"
	@echo "make bench        speed and cost figures, printed as ratios"
	@echo "make openapi      regenerate docs/openapi.json from the API's routes"
	@echo "make sam          install the AWS SAM CLI in .sam-venv"
	@echo "make validate     sam validate --lint (with AWS's serverless rules)"
	@echo "make checkov      checkov on the template, Fn::ForEach expanded"
	@echo "make build        sam build: needs python3.13 on PATH, or CONTAINER=1 (Docker, --use-container)"
	@echo "make deploy       make build, then sam deploy --guided (AWS credentials; README 'Deploy to AWS')"
	@echo "make clean        remove the virtual environments and build output"

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	$(BIN)/python -m bounceback.analysis.compiled >/dev/null  # the lexicon, compiled ahead of time
	@touch $@

install: $(STAMP)

run: $(STAMP)
	$(BIN)/bounceback-local serve --demo --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/cfn-lint

typecheck: $(STAMP)
	$(BIN)/mypy

cfn-lint: $(STAMP)
	$(BIN)/cfn-lint

test: lint validate checkov
	$(BIN)/pytest --cov --cov-branch --cov-report=term:skip-covered -p no:cacheprovider

unit: $(STAMP)
	$(BIN)/pytest tests/unit

integration: $(STAMP)
	$(BIN)/pytest tests/integration

e2e: $(STAMP)
	$(BIN)/pytest tests/e2e

# Journeys through duplicates and injected AWS faults, counted: nothing lost, twice or parked.
# make test runs a dozen (tests/chaos); this runs N against a stack of its own.
N ?= 200
chaos: $(STAMP)
	$(BIN)/python -m tests.chaos --journeys $(N)

# The development set is gated. A new held-out set (tests/eval/<name>.jsonl, never used to tune
# the rules) is scored as a report with: make eval HOLDOUT=<name>   (tests/eval/README.md)
eval: $(STAMP)
	$(BIN)/python tests/eval/evaluate.py
	$(if $(HOLDOUT),$(BIN)/python tests/eval/evaluate.py --set $(HOLDOUT))

# QUICK=1: three rounds of first events instead of five.
bench: $(STAMP)
	$(BIN)/python bench/run.py $(if $(QUICK),--quick)

openapi: $(STAMP)
	$(BIN)/python -c "from functions.api.app import openapi_document; print(openapi_document())" > docs/openapi.json

# aws-sam-cli pins its own boto3 and friends: it lives in a virtual environment of its own.
# Its --lint reads .cfnlintrc.yaml, which appends AWS's serverless rules: they are installed
# beside it, at the version constraints.txt pins.
$(SAM_VENV)/.installed: constraints.txt
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet aws-sam-cli==$(SAM_CLI_VERSION) \
		"cfn-lint-serverless==$$(sed -n 's/^cfn-lint-serverless==//p' constraints.txt)"
	@touch $@

sam: $(SAM_VENV)/.installed

validate: sam
	$(SAM_VENV)/bin/sam validate --lint --template template.yaml

# checkov pins its own dependencies: it too lives in a virtual environment of its own. It reads
# the template with its Fn::ForEach loops expanded (as CloudFormation will deploy it);
# .checkov.yaml lists each check that does not apply, with why.
$(CHECKOV_VENV)/.installed:
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet checkov==$(CHECKOV_VERSION)
	@touch $@

checkov: $(STAMP) $(CHECKOV_VENV)/.installed
	@mkdir -p .aws-sam
	$(BIN)/python -c 'import json, pathlib; from bounceback_local.cloudformation import expand_language_extensions as x, load_template as t; print(json.dumps(x(t(pathlib.Path("template.yaml")), {}), default=str))' > .aws-sam/template.expanded.json
	$(CHECKOV_VENV)/bin/checkov --config-file .checkov.yaml --skip-download -f .aws-sam/template.expanded.json

# sam build builds each function with its runtime's Python (python3.13): on PATH, or inside
# AWS's Lambda build image with CONTAINER=1 (sam build --use-container, needs Docker running).
CONTAINER ?=
build: build-runtime sam
	$(SAM_VENV)/bin/sam build --template template.yaml $(if $(CONTAINER),--use-container)

build-runtime:
	@if [ -n "$(CONTAINER)" ]; then \
		command -v docker >/dev/null || { \
		echo "make build CONTAINER=1 builds in AWS's Lambda build image: it needs Docker on PATH."; \
		exit 1; }; \
	elif ! command -v python3.13 >/dev/null; then \
		echo "make build: the functions run on Python 3.13 (template.yaml: Runtime: python3.13)"; \
		echo "and sam build needs python3.13 on PATH to build them. Either install it (pyenv"; \
		echo "install 3.13 && pyenv shell 3.13, or your package manager's python3.13), or build"; \
		echo "in AWS's Lambda build image with Docker: make build CONTAINER=1 (--use-container)"; \
		exit 1; \
	fi

deploy: build
	$(SAM_VENV)/bin/sam deploy --guided

clean:
	rm -rf $(VENV) $(SAM_VENV) $(CHECKOV_VENV) .aws-sam .mypy_cache .ruff_cache .pytest_cache .coverage
