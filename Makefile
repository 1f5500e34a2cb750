# Two commands do everything on a fresh machine:  make run   and   make test
# Every command here runs with Rasa telemetry off: conversations never leave the machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
MODEL := models/citas.tar.gz
TRAINING_INPUTS := config.yml domain.yml $(shell find data -name '*.yml') $(wildcard appointments/rasa/nlu/*.py)
export RASA_TELEMETRY_ENABLED := false
export PYTHONPATH := $(CURDIR)

.DEFAULT_GOAL := help
.PHONY: help install redis browser train run run-replicas shell test validate pytest conversations security test-stories evaluate export-conversation agent-add audit bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(INSTALLED): requirements/rasa.txt requirements/runtime.txt requirements/test.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip==26.3
	@# rasa 3.6 declares Python <3.11 but runs on 3.11 with the pins in runtime.txt
	$(BIN)/pip install -q --no-deps --ignore-requires-python -r requirements/rasa.txt
	$(BIN)/pip install -q -r requirements/runtime.txt -r requirements/test.txt
	@touch $@

install: $(INSTALLED) ## Create .venv and install the pinned dependencies

redis: $(INSTALLED) ## Make sure Redis answers (start a local one if needed)
	@$(BIN)/python scripts/ensure_redis.py

browser: ## Install Debian's Chromium for the agent console browser test (needs root or sudo)
	@command -v chromium >/dev/null && exit 0; \
	SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	echo "Installing Debian's chromium for the browser test..."; \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null \
	  || { $$SUDO apt-get update -q >/dev/null && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null; } \
	  || { echo "Could not install chromium: run 'sudo apt-get install chromium' and retry." >&2; exit 1; }

$(MODEL): $(INSTALLED) $(TRAINING_INPUTS)
	$(BIN)/rasa train --config config.yml --domain domain.yml --data data \
		--out models --fixed-model-name citas
	@touch $@

train: $(MODEL) ## Train the model (only when data/, domain.yml or config.yml changed)

run: redis train ## Run the assistant: actions :5055, Rasa :5005 (REST, WhatsApp), agent console :5056
	scripts/run.sh

run-replicas: redis train ## Two Rasa + two action servers behind one address (:8080); see deploy/nginx.conf
	scripts/run_replicas.sh

shell: redis train ## Chat with the assistant in the terminal
	scripts/run.sh shell

validate: $(INSTALLED) ## Check data/, domain.yml and config.yml for mistakes
	$(BIN)/rasa data validate --fail-on-warnings --data data --domain domain.yml --config config.yml

pytest: redis browser train ## Unit and integration tests in random order, then end-to-end, security and conversations
	@$(BIN)/python -m pytest tests/unit tests/integration
	@$(BIN)/python -m pytest -p no:randomly tests/conversations tests/e2e tests/security

conversations: redis train ## Play tests/conversations/*.yml through the real stack; print the success rate
	@$(BIN)/python -m pytest -q -s tests/conversations

security: redis train ## Security tests only (tests/security): public surface, DoS, privacy, console
	@$(BIN)/python -m pytest -q tests/security

test-stories: train ## Conversation tests: tests/test_stories.yml must be predicted exactly
	NLU_REFERENCE_TIME=2026-11-25T10:00:00-06:00 $(BIN)/rasa test core --stories tests/test_stories.yml --model $(MODEL) \
		--fail-on-prediction-errors --out results/stories

test: validate pytest test-stories ## Everything QA needs: validation, pytest, conversation tests

evaluate: train ## Held-out NLU scores, Spanish and English apart (tests/nlu/): intent accuracy/F1, entities
	$(BIN)/rasa test nlu --nlu tests/nlu/test_nlu.yml --model $(MODEL) --out results/nlu
	$(BIN)/rasa test nlu --nlu tests/nlu/test_nlu_en.yml --model $(MODEL) --out results/nlu_en
	@echo "== Spanish: tests/nlu/test_nlu.yml (results/nlu)"
	@$(BIN)/python scripts/nlu_summary.py results/nlu
	@echo "== English: tests/nlu/test_nlu_en.yml (results/nlu_en)"
	@$(BIN)/python scripts/nlu_summary.py results/nlu_en

audit: $(INSTALLED) ## Known vulnerabilities in .venv (pip-audit if a service answers, else requirements/advisories.json)
	@$(BIN)/python scripts/audit.py

agent-add: $(INSTALLED) ## Create a console agent account or change its password: NAME=ana
	@test -n "$(NAME)" || (echo "usage: make agent-add NAME=ana" >&2; exit 2)
	@$(BIN)/python scripts/agent_add.py "$(NAME)"

export-conversation: $(INSTALLED) ## Print a WhatsApp conversation from the log: PHONE=whatsapp:+52... [FORMAT=json]
	@test -n "$(PHONE)" || (echo "usage: make export-conversation PHONE=whatsapp:+5215512345678" >&2; exit 2)
	@$(BIN)/python scripts/export_conversation.py "$(PHONE)" --format $(or $(FORMAT),text)

bench: redis train ## Print performance numbers (bench/): latency, throughput, RSS
	$(BIN)/python bench/rest_load.py
	$(BIN)/python bench/webhook_load.py
	$(BIN)/python bench/scale.py
	$(BIN)/python bench/adversarial.py
	$(BIN)/python bench/long_history.py
	$(BIN)/python bench/answers_latency.py
	$(BIN)/python bench/llm_latency.py
	$(BIN)/python bench/reminders_throughput.py
	$(BIN)/python bench/english_dates.py
	$(BIN)/python bench/train_time.py
	$(BIN)/python bench/language_detection.py

clean: ## Remove models, results and local data (keeps .venv)
	rm -rf models results var .rasa
