# Every command a developer or CI needs. Only Python 3, pip and make are assumed: the first
# target run creates .venv with the pinned tool chain of requirements-dev.txt.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BUILD := build
# The venv's tools first: ansible-lint and antsibull-docs call ansible-doc and ansible-galaxy.
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: help test units lint sanity docs docs-check changelog-lint build-check shellcheck clean venv

help:
	@echo "make test    run every check: unit tests, ansible-lint, ansible-test sanity, docs, changelog, build"
	@echo "make units   unit tests only"
	@echo "make docs    regenerate docs/llmobs_dataset_clone_module.rst from the module's documentation"
	@echo "make clean   remove .venv and build/"

venv: $(STAMP)

$(STAMP): requirements-dev.txt requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/python tests/utils/link_collection.py
	touch $(STAMP)

test: units lint sanity docs-check changelog-lint build-check shellcheck
	@echo "make test: every check passed"

units: $(STAMP)
	$(BIN)/python -m pytest tests/unit

lint: $(STAMP)
	$(BIN)/ansible-lint

sanity: $(STAMP)
	tests/utils/run-sanity.sh "$(abspath $(BIN))"

docs: $(STAMP)
	$(BIN)/antsibull-docs plugin --fail-on-error --no-add-antsibull-docs-version --output-format simplified-rst --dest-dir docs \
		--plugin-type module llmobs.datadog.llmobs_dataset_clone
	mv docs/llmobs.datadog.llmobs_dataset_clone_module.rst docs/llmobs_dataset_clone_module.rst

# The committed reference must be what the module's documentation generates today.
docs-check: $(STAMP)
	rm -rf $(BUILD)/docs && mkdir -p $(BUILD)/docs
	$(BIN)/antsibull-docs lint-collection-docs --plugin-docs --validate-collection-refs all .
	$(BIN)/antsibull-docs plugin --fail-on-error --no-add-antsibull-docs-version --output-format simplified-rst --dest-dir $(BUILD)/docs \
		--plugin-type module llmobs.datadog.llmobs_dataset_clone
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
	$(BIN)/shellcheck .ci/run tests/utils/*.sh

clean:
	rm -rf $(VENV) $(BUILD) .pytest_cache
