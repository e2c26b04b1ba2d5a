# Every routine task of Sportello Welfare. `make help` lists them.
# Two environments: .venv-bot (Python 3.10, Rasa 3.6) and .venv-app (FastAPI & co.).
SHELL := /bin/bash
.DEFAULT_GOAL := help

BOT := .venv-bot/bin
APP := .venv-app/bin
export PYTHONPATH := $(CURDIR)
export TF_CPP_MIN_LOG_LEVEL ?= 2
# Keep pytest's cache and Rasa's telemetry out of the way on shared machines.
export RASA_TELEMETRY_ENABLED := false
# Pipeline used by train/run/test; see README for the opt-in spaCy model.
NLU_CONFIG ?= $(or $(SPORTELLO_NLU_CONFIG),config.yml)

.PHONY: help setup run test test-fast train generate check-kb eval compare bench lint typecheck docs-config clean lock-bot lock-app operator purge

help:  ## Show this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup:  ## Create or refresh both virtual environments (idempotent)
	@scripts/venv.sh bot
	@scripts/venv.sh app

generate: setup  ## Regenerate Rasa training data and responses from knowledge_base/
	@$(BOT)/python -m bot.kb.generate

check-kb: setup  ## Validate the knowledge base and check the generated files are current
	@$(BOT)/python -m bot.kb.check
	@$(BOT)/python -m bot.kb.generate --check

train: generate  ## Train the model when its inputs changed
	@scripts/train.sh $(NLU_CONFIG) sportello

run: train  ## Set up, train if needed and run the whole assistant (Ctrl-C stops it)
	@$(APP)/python -m scripts.run_all

test: check-kb  ## Set up, train if needed and run every test (both environments, coverage)
	@scripts/train.sh $(NLU_CONFIG) sportello
	@scripts/test.sh

test-fast: check-kb  ## Run the tests that need no trained model and no browser
	@scripts/test.sh -m "not slow"

eval: train  ## Accuracy on the held-out questions; appends the figures to docs/benchmarks.md
	$(BOT)/python -m bot.eval.run --model models/sportello.tar.gz --label $(NLU_CONFIG) --record

compare: generate  ## Train and evaluate every candidate NLU pipeline (slow)
	$(BOT)/python -m bot.eval.compare

bench: train  ## Latency, start time, memory and training time; the ticket queue and the monitoring dashboard on SQLite and PostgreSQL
	$(APP)/python -m scripts.bench
	$(APP)/python -m scripts.bench_tickets
	$(APP)/python -m scripts.bench_monitoring

lint: setup  ## ruff, the allowed imports between the two environments, the README's variables table
	$(APP)/ruff check .
	$(APP)/ruff format --check .
	$(APP)/lint-imports
	$(APP)/python -m sportello.config --check

typecheck: setup  ## mypy on the app-env code and the bot code (bot env)
	$(APP)/mypy api connectors sportello scripts
	$(BOT)/mypy bot sportello

operator: setup  ## Create the console's first administrator (asks username, name and password)
	@$(APP)/python -m api.operators create-admin

purge: setup  ## Delete conversation data older than SPORTELLO_RETENTION_DAYS (and old closed tickets); schedule it daily
	@$(APP)/python -m api.monitoring.retention purge

docs-config:  ## Regenerate the README's table of SPORTELLO_* variables from sportello/config/registry.py
	@$(APP)/python -m sportello.config --write

clean:  ## Remove models and local data (keeps the environments)
	rm -rf models .var .pytest_cache .coverage-*

lock-bot:  ## Re-resolve requirements/bot.in into bot.lock (needs Python 3.10)
	@py=$$(scripts/find_python.sh bot) && rm -rf /tmp/sportello-lock-bot && $$py -m venv /tmp/sportello-lock-bot \
	  && /tmp/sportello-lock-bot/bin/pip install -q -r requirements/bot.in \
	  && { echo "# Frozen from requirements/bot.in on Python 3.10 (make lock-bot). Do not edit by hand."; \
	       /tmp/sportello-lock-bot/bin/pip freeze | sed 's/^packaging==.*/packaging==20.9/'; } > requirements/bot.lock

lock-app:  ## Re-resolve requirements/app.in into app.lock
	@py=$$(scripts/find_python.sh app) && rm -rf /tmp/sportello-lock-app && $$py -m venv /tmp/sportello-lock-app \
	  && /tmp/sportello-lock-app/bin/pip install -q -r requirements/app.in \
	  && { echo "# Frozen from requirements/app.in (make lock-app). Do not edit by hand."; \
	       /tmp/sportello-lock-app/bin/pip freeze; } > requirements/app.lock
