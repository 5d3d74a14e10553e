# Local development and release targets, under the original Stigmer CLI's
# names where they apply. `make help` lists them. Variables can be set on the
# command line: make build-agent-runner-image AGENT_RUNNER_DIR=../stigmer/backend/services/agent-runner
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules

# --- agent-runner image -------------------------------------------------------
# The agent-runner source folder and its Dockerfile; the build context is
# relative to that folder, as in the original layout (backend/services/agent-runner,
# context ../../.. = the repository root).
AGENT_RUNNER_DIR ?= backend/services/agent-runner
AGENT_RUNNER_DOCKERFILE ?= Dockerfile
AGENT_RUNNER_CONTEXT ?= ../../..
# The canonical local name: the local-image plugin looks for exactly this tag.
AGENT_RUNNER_IMAGE ?= stigmer-agent-runner:local
# The container `stigmer server start` runs (config key server.containerName's default).
AGENT_RUNNER_CONTAINER ?= stigmer-agent-runner
DOCKER ?= docker
# BuildKit where the docker CLI has buildx; the classic builder otherwise (a
# docker 23+ CLI without buildx refuses to build unless DOCKER_BUILDKIT=0).
DOCKER_BUILDKIT ?= $(shell $(DOCKER) buildx version >/dev/null 2>&1 && echo 1 || echo 0)

# --- the CLI ------------------------------------------------------------------
INSTALL_DIR ?= $(HOME)/bin
# Empty for a dev build (<package.json version>-dev); a release sets it from its tag.
STIGMER_VERSION ?=
export STIGMER_VERSION
SEA := packages/cli/dist/sea/stigmer
SEA_VERSION_STAMP := packages/cli/dist/sea/version.stamp
SEA_INPUTS := $(shell find packages -name node_modules -prune -o -name dist -prune -o -type f \
	\( -name '*.ts' -o -name '*.mjs' -o -name 'package.json' \) ! -name '*.test.ts' -print) package-lock.json

.PHONY: help build sea test lint bench build-agent-runner-image stop-agent-runner release-local release-local-full

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{ printf "  %-25s %s\n", $$1, $$2 }'

build: ## Build the CLI (tsc and the start-up bundle): node packages/cli/bin/stigmer.js
	npm run build

sea: $(SEA) ## Build the standalone executable packages/cli/dist/sea/stigmer

# Rebuilt only when a source, a dependency or the requested version changed.
$(SEA): $(SEA_INPUTS) $(SEA_VERSION_STAMP)
	node packages/cli/scripts/sea.mjs --out $@

# Holds the requested version; rewritten (so the binary rebuilds) only when it differs.
$(SEA_VERSION_STAMP): FORCE
	@mkdir -p $(@D)
	@[[ -f $@ && "$$(cat $@)" == "$(STIGMER_VERSION)" ]] || printf '%s' "$(STIGMER_VERSION)" > $@

.PHONY: FORCE
FORCE:

test: ## The README's test command: build, unit and integration tests
	npm test

lint: ## Lint, check formatting, type-check and lint the GitHub workflows
	npm run check

bench: ## Run the benchmarks in bench/
	npm run bench

build-agent-runner-image: ## Build the agent-runner's Dockerfile into stigmer-agent-runner:local (AGENT_RUNNER_DIR, _DOCKERFILE, _CONTEXT, _IMAGE)
	@[[ -f '$(AGENT_RUNNER_DIR)/$(AGENT_RUNNER_DOCKERFILE)' ]] || { \
	  echo "build-agent-runner-image: no $(AGENT_RUNNER_DIR)/$(AGENT_RUNNER_DOCKERFILE)." >&2; \
	  echo "  Point AGENT_RUNNER_DIR at the agent-runner source folder (and AGENT_RUNNER_CONTEXT at its build context, relative to it)." >&2; \
	  exit 2; }
	cd '$(AGENT_RUNNER_DIR)' && DOCKER_BUILDKIT=$(DOCKER_BUILDKIT) \
	  $(DOCKER) build -f '$(AGENT_RUNNER_DOCKERFILE)' -t '$(AGENT_RUNNER_IMAGE)' '$(AGENT_RUNNER_CONTEXT)'

# Removed, not only stopped: the next `stigmer server start` must create a
# container from the new image, not restart the old one.
stop-agent-runner: ## Remove the agent-runner container, if any (AGENT_RUNNER_CONTAINER=stigmer-agent-runner)
	@if [[ -n "$$($(DOCKER) ps -aq --filter 'name=^/$(AGENT_RUNNER_CONTAINER)$$')" ]]; then \
	  echo "removing container $(AGENT_RUNNER_CONTAINER)"; \
	  $(DOCKER) rm -f '$(AGENT_RUNNER_CONTAINER)' >/dev/null; \
	fi

release-local: $(SEA) ## Build the standalone CLI and install it as ~/bin/stigmer (INSTALL_DIR)
	install -d '$(INSTALL_DIR)'
	install -m 0755 $(SEA) '$(INSTALL_DIR)/stigmer'
	@echo "installed $(INSTALL_DIR)/stigmer $$('$(INSTALL_DIR)/stigmer' --version)"
	@[[ ":$$PATH:" == *":$(INSTALL_DIR):"* ]] || echo "note: $(INSTALL_DIR) is not on your PATH"

release-local-full: ## Stop the agent-runner, build its image, then release-local
	@$(MAKE) --no-print-directory stop-agent-runner
	@$(MAKE) --no-print-directory build-agent-runner-image
	@$(MAKE) --no-print-directory release-local
