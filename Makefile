# Every command a developer or CI needs. Only Python 3, pip and make are assumed: the first
# target run creates .venv with the pinned tool chain of requirements-dev.txt.

PYTHON_BOOTSTRAP ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BUILD := build
# The venv's tools first: ansible-lint, antsibull-docs and the test scripts call ansible-* by name.
export PATH := $(abspath $(BIN)):$(PATH)
export PYTHON := $(abspath $(BIN))/python
EMULATOR_PORT ?= 8126

.PHONY: help demo emulator test pytest integration reliability bench lint sanity docs docs-check \
	changelog-lint build-check shellcheck clean venv

help:
	@echo "make demo         clone a dataset on the local emulator (or real Datadog with DD_API_KEY/DD_APP_KEY)"
	@echo "make test         every check, as CI runs it"
	@echo "make pytest       unit tests of the collection and tests of the emulator"
	@echo "make integration  real ansible-playbook runs against the emulator (and the opt-in live target)"
	@echo "make reliability  fault matrix, bad input, TLS and concurrency; rewrites docs/reliability.md"
	@echo "make bench        the module beside ping, uri and datadog-api-client; rewrites docs/performance.md"
	@echo "make emulator     run the emulator in the foreground on 127.0.0.1:$(EMULATOR_PORT)"
	@echo "make docs         regenerate docs/llmobs_dataset_clone_module.rst from the module's documentation"
	@echo "make clean        remove .venv and build/"

venv: $(STAMP)

$(STAMP): requirements-dev.txt requirements.txt
	$(PYTHON_BOOTSTRAP) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/python tests/utils/link_collection.py
	touch $(STAMP)

demo: $(STAMP)
	tests/utils/demo.sh

emulator:
	$(PYTHON_BOOTSTRAP) tests/emulator/run.py --port $(EMULATOR_PORT)

test: pytest integration lint sanity docs-check changelog-lint build-check shellcheck
	@echo "make test: every check passed"

pytest: $(STAMP)
	$(BIN)/python -m pytest

integration: $(STAMP)
	tests/integration/targets/llmobs_dataset_clone/runme.sh
	tests/integration/targets/llmobs_dataset_clone_live/runme.sh

# The suite (also part of `make pytest`), the concurrency measurement, then the report from both.
reliability: $(STAMP)
	$(BIN)/python -m pytest tests/reliability
	$(BIN)/python tests/reliability/concurrency.py 5 3
	$(BIN)/python tests/reliability/render_report.py

# A benchmark, not a test: it prints figures and writes docs/performance.md (about 10 minutes).
bench: $(STAMP)
	$(BIN)/python tests/bench/bench.py

lint: $(STAMP)
	$(BIN)/ansible-lint

sanity: $(STAMP)
	tests/utils/run-sanity.sh "$(abspath $(BIN))"

docs: $(STAMP)
	$(BIN)/antsibull-docs plugin --fail-on-error --no-add-antsibull-docs-version --output-format simplified-rst \
		--dest-dir docs --plugin-type module llmobs.datadog.llmobs_dataset_clone
	mv docs/llmobs.datadog.llmobs_dataset_clone_module.rst docs/llmobs_dataset_clone_module.rst

# The committed reference must be what the module's documentation generates today.
docs-check: $(STAMP)
	rm -rf $(BUILD)/docs && mkdir -p $(BUILD)/docs
	$(BIN)/antsibull-docs lint-collection-docs --plugin-docs --validate-collection-refs all .
	$(BIN)/antsibull-docs plugin --fail-on-error --no-add-antsibull-docs-version --output-format simplified-rst \
		--dest-dir $(BUILD)/docs --plugin-type module llmobs.datadog.llmobs_dataset_clone
	diff -u docs/llmobs_dataset_clone_module.rst $(BUILD)/docs/llmobs.datadog.llmobs_dataset_clone_module.rst \
		|| { echo "docs/llmobs_dataset_clone_module.rst is stale: run 'make docs'"; exit 1; }
	$(BIN)/ansible-doc llmobs.datadog.llmobs_dataset_clone > /dev/null

changelog-lint: $(STAMP)
	$(BIN)/antsibull-changelog lint

# Build the tarball, install it elsewhere and read the module's docs from the installed copy.
build-check: $(STAMP)
	rm -rf $(BUILD)/collection && mkdir -p $(BUILD)/collection
	$(BIN)/ansible-galaxy collection build --force --output-path $(BUILD)/collection .
	$(BIN)/ansible-galaxy collection install --force -p $(BUILD)/collection/installed \
		$(BUILD)/collection/llmobs-datadog-*.tar.gz
	ANSIBLE_COLLECTIONS_PATH=$(BUILD)/collection/installed $(BIN)/ansible-doc \
		llmobs.datadog.llmobs_dataset_clone > /dev/null

shellcheck: $(STAMP)
	$(BIN)/shellcheck -x .ci/run tests/utils/*.sh tests/integration/targets/*/runme.sh

clean:
	rm -rf $(VENV) $(BUILD) .pytest_cache
