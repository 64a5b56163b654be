# Every command a developer or CI needs. Only Python 3, pip and make are assumed: the first
# target run creates the pinned virtualenvs it needs.
#
# The collection supports ansible-core 2.17 and later (meta/runtime.yml); `make test` proves it on
# every version of ANSIBLE_VERSIONS, newest last. The newest is .venv, the whole tool chain of
# requirements-dev.txt: every check runs there. Each older one gets .venv-<version>, pinned by
# tests/requirements/ansible-core-<version>.txt, for the unit tests and the integration targets
# that exercise what differs between versions (the matrix, below).
#
# Each virtualenv holds an editable link to this checkout, <venv>/collections/ansible_collections/
# llmobs/datadog (tests/utils/link_collection.py), that only the commands run from here see:
# ANSIBLE_COLLECTIONS_PATH and PYTHONPATH point at <venv>/collections. Outside make, the
# virtualenv has no llmobs.datadog, so its ansible-galaxy installs a built tarball like any other.
# `eval "$(make -s env)"` gives a shell the same settings.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
PYTHON_BOOTSTRAP ?= python3
ANSIBLE_VERSIONS := 2.17 2.18 2.19
NEWEST := $(lastword $(ANSIBLE_VERSIONS))
OLDER := $(filter-out $(NEWEST),$(ANSIBLE_VERSIONS))
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BUILD := build
EMULATOR_PORT ?= 8126
# Workers of `make pytest` (pytest-xdist). The reliability and emulator tests spend most of their
# time waiting on playbook runs, timeouts and lag, so more workers than cores still pays.
PYTEST_WORKERS ?= 4

# The virtualenv of an ansible-core version, and the environment that runs a command with it.
venv_of = $(if $(filter $(NEWEST),$(1)),$(VENV),.venv-$(1))
venv_env = PATH="$(abspath $(1))/bin:$$PATH" PYTHON="$(abspath $(1))/bin/python" \
	ANSIBLE_COLLECTIONS_PATH="$(abspath $(1))/collections" PYTHONPATH="$(abspath $(1))/collections"

# Every recipe runs with the newest virtualenv unless it says otherwise: its tools first on PATH
# (ansible-lint, antsibull-docs and the test scripts call ansible-* by name), and the checkout as
# llmobs.datadog for Ansible and for Python imports.
export PATH := $(abspath $(BIN)):$(PATH)
export PYTHON := $(abspath $(BIN))/python
export ANSIBLE_COLLECTIONS_PATH := $(abspath $(VENV))/collections
export PYTHONPATH := $(abspath $(VENV))/collections

# New modules and integration targets are picked up from their files.
MODULES := $(sort $(basename $(notdir $(filter-out %/__init__.py,$(wildcard plugins/modules/*.py)))))
LOOKUPS := $(sort $(basename $(notdir $(filter-out %/__init__.py,$(wildcard plugins/lookup/*.py)))))
INTEGRATION_TARGETS := $(sort $(notdir $(patsubst %/runme.sh,%,$(wildcard tests/integration/targets/*/runme.sh))))
# The integration matrix: every target on the newest ansible-core; on the older ones only the
# targets whose aliases file has the line `all_ansible_versions`: those that exercise what differs
# between versions (the action plugin and the in-process path, both execution paths under hostile
# input, the playbooks end to end). The rest of the code is the same Python on every version, and
# the unit tests run on each. So the matrix grows by one run per new module, not by one per version
# (docs/adding-a-module.md says when a target needs the alias; docs/testing.md has the figures).
ALL_VERSIONS_TARGETS := $(sort $(notdir $(patsubst %/aliases,%,$(shell grep -lx 'all_ansible_versions' tests/integration/targets/*/aliases 2>/dev/null))))
# The runs of the targets of every version come first: they are the longest, and on a clean clone
# (no timings of an earlier run) tests/utils/run-tests.sh starts the jobs in this order.
INTEGRATION_RUNS := $(foreach target,$(filter $(INTEGRATION_TARGETS),$(ALL_VERSIONS_TARGETS)),\
	$(foreach version,$(NEWEST) $(OLDER),integration/$(version)/$(target))) \
	$(addprefix integration/$(NEWEST)/,$(filter-out $(ALL_VERSIONS_TARGETS),$(INTEGRATION_TARGETS)))
# The steps of `make test`, the longest first (tests/utils/run-tests.sh starts them in this order
# when it has no timings of an earlier run).
TEST_STEPS := pytest sanity integration $(addprefix unit-,$(OLDER)) build-check lint docs-check changelog-lint \
	shellcheck

# Prerequisites of the per-version rules (unit-<version>, ...) name the version's virtualenv.
.SECONDEXPANSION:

.PHONY: help demo emulator test test-steps integration-runs pytest unit integration reliability bench lint sanity docs \
	docs-check changelog-lint build-check shellcheck clean venv venvs env

help:
	@echo "make demo           the demo playbook on the local emulator (or real Datadog with DD_API_KEY/DD_APP_KEY)"
	@echo "make test           every check, side by side (TEST_JOBS at a time; CI runs it too): the steps below, logs in $(BUILD)/test/"
	@echo "make pytest         unit, emulator and reliability tests on ansible-core $(NEWEST)"
	@echo "make unit           the unit tests on every ansible-core of the matrix ($(ANSIBLE_VERSIONS)); unit-<version> for one"
	@echo "make integration    the matrix: every integration target on $(NEWEST), the all_ansible_versions ones on $(OLDER) too"
	@echo "                    integration-<version>: every target on one version; integration/<version>/<target>: one run"
	@echo "make reliability    fault matrix, bad input, TLS and concurrency; rewrites docs/reliability.md"
	@echo "make bench          the module beside ping, uri and datadog-api-client; rewrites docs/performance.md"
	@echo "make emulator       run the emulator in the foreground on 127.0.0.1:$(EMULATOR_PORT)"
	@echo "make docs           regenerate docs/<module>_module.rst from every module's documentation"
	@echo "make build-check    build the tarball from a clean tree, check its contents, install it, read its docs"
	@echo "make venvs          create every virtualenv of the matrix (.venv and .venv-<version>)"
	@echo "make -s env         the environment of these commands, for a shell: eval \"\$$(make -s env)\" (env-<version> for an older core)"
	@echo "make clean          remove the virtualenvs, build/ and the test caches"

# Virtualenvs: .venv is the tool chain; .venv-<version> a minimal set for an older ansible-core.
# --no-compile: pip would compile every module it installs (the 9,800 of datadog-api-client among
# them), most of which no test imports; Python compiles and caches what is imported, once.
define make_venv
$(PYTHON_BOOTSTRAP) -m venv $(@D)
$(@D)/bin/python -m pip install --quiet --disable-pip-version-check --no-compile -r $<
$(@D)/bin/python tests/utils/link_collection.py > /dev/null
touch $@
endef

venv: $(STAMP)

venvs: $(STAMP) $(foreach version,$(OLDER),.venv-$(version)/.installed)

$(STAMP): requirements-dev.txt requirements.txt tests/utils/link_collection.py
	$(make_venv)

.venv-%/.installed: tests/requirements/ansible-core-%.txt tests/utils/link_collection.py
	$(make_venv)

env: $(STAMP)
	@echo 'export $(call venv_env,$(VENV))'

env-%: $$(call venv_of,$$*)/.installed
	@echo 'export $(call venv_env,$(call venv_of,$*))'

demo: $(STAMP)
	tests/utils/demo.sh

emulator:
	$(PYTHON_BOOTSTRAP) tests/emulator/run.py --port $(EMULATOR_PORT)

# Every step of TEST_STEPS, the integration matrix as one job per run, TEST_JOBS at a time; a failed
# step stops nothing else. tests/utils/run-tests.sh STEP... runs some steps the same way.
test:
	tests/utils/run-tests.sh

# The steps of `make test`, for tests/utils/run-tests.sh.
test-steps:
	@echo $(TEST_STEPS)

# tests/reliability/test_hostile.py runs the cases of the integration target hostile, which `make test`
# runs on every ansible-core already: it is left to `make reliability`, whose report it feeds.
pytest: $(STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --ignore=tests/reliability/test_hostile.py

unit: $(addprefix unit-,$(ANSIBLE_VERSIONS))

unit-%: $$(call venv_of,$$*)/.installed
	$(call venv_env,$(call venv_of,$*)) python -m pytest tests/unit

# The integration matrix (INTEGRATION_RUNS): one make target per run, integration/<version>/<target>,
# so that `make test` runs them side by side (each target starts its own emulator on a free port).
integration: $(INTEGRATION_RUNS)

# Every target on one ansible-core, the matrix's choice aside.
integration-%: $$(addprefix integration/$$*/,$$(INTEGRATION_TARGETS)) ;

# The runs of `make integration`, for tests/utils/run-tests.sh.
integration-runs:
	@echo $(INTEGRATION_RUNS)

# A target's runme.sh with the version's virtualenv first on PATH. The live target skips itself
# without credentials. INTEGRATION_SCOPE tells a target of every version how much to run: `full` on
# the newest ansible-core; `version` on the older ones, where a target may leave out the runs that
# prove nothing version-specific, which the newest already makes (docs/testing.md says which).
# INTEGRATION_SCOPE=full in the environment runs everything on any version.
integration_scope = $(if $(filter $(NEWEST),$(1)),full,version)
integration/%: $$(call venv_of,$$(firstword $$(subst /, ,$$*)))/.installed
	@version=$(firstword $(subst /, ,$*)); target=$(lastword $(subst /, ,$*)); started=$$(date +%s); \
	export INTEGRATION_SCOPE=$${INTEGRATION_SCOPE:-$(call integration_scope,$(firstword $(subst /, ,$*)))}; \
	echo "== ansible-core $${version}: $${target} ($${INTEGRATION_SCOPE})"; \
	$(call venv_env,$(call venv_of,$(firstword $(subst /, ,$*)))) tests/integration/targets/$${target}/runme.sh \
		|| { echo "== ansible-core $${version}: $${target} FAILED after $$(($$(date +%s) - started)) s"; exit 1; }; \
	echo "== ansible-core $${version}: $${target} passed in $$(($$(date +%s) - started)) s"

# The suite (also part of `make pytest`), the concurrency measurement, then the report from both.
# One process: the suite's outcome tables are written at the end of its session.
reliability: $(STAMP)
	$(BIN)/python -m pytest tests/reliability
	$(BIN)/python tests/reliability/concurrency.py 5 3
	$(BIN)/python tests/reliability/render_report.py

# A benchmark, not a test: it prints figures and writes docs/performance.md (about 30 minutes): the
# clone beside its peers, then both execution paths of every module, then records at scale, then the
# export of 100,000 records to a file, then the restore of a version of 100,000 records, then the
# scores of experiment runs of 1,000 to 10,000 records.
bench: $(STAMP)
	$(BIN)/python tests/bench/bench.py
	$(BIN)/python tests/bench/paths.py --output $(BUILD)/paths-bench.md
	$(BIN)/python tests/bench/records.py --out $(BUILD)/records-bench.md
	$(BIN)/python tests/bench/export.py --out $(BUILD)/export-bench.md
	$(BIN)/python tests/bench/restore.py --out $(BUILD)/restore-bench.md
	$(BIN)/python tests/bench/experiments.py --out $(BUILD)/experiments-bench.md
	cat $(BUILD)/paths-bench.md $(BUILD)/records-bench.md $(BUILD)/export-bench.md $(BUILD)/restore-bench.md \
		$(BUILD)/experiments-bench.md >> docs/performance.md

lint: $(STAMP)
	$(BIN)/ansible-lint

# Every test of ansible-test sanity but ansible-doc: docs-check reads the documentation of every plugin
# (antsibull-docs lint-collection-docs --plugin-docs fails on any that ansible-doc cannot load, and
# checks it against the schema), so that test would read it again, in a virtualenv of its own.
sanity: $(STAMP)
	tests/utils/run-sanity.sh "$(abspath $(BIN))" --skip-test ansible-doc

# `antsibull-docs plugin` for every module, in one process (tests/utils/module_docs.py); the lookups
# with a process each (one so far).
MODULE_DOCS = $(BIN)/python tests/utils/module_docs.py
ANTSIBULL_DOCS = $(BIN)/antsibull-docs plugin --fail-on-error --no-add-antsibull-docs-version \
	--output-format simplified-rst

# docs/<module>_module.rst for every module of plugins/modules, docs/<lookup>_lookup.rst for every lookup of
# plugins/lookup; pages of plugins that are gone go too.
docs: $(STAMP)
	$(MODULE_DOCS) docs $(MODULES)
	for module in $(MODULES); do \
		mv "docs/llmobs.datadog.$${module}_module.rst" "docs/$${module}_module.rst"; \
	done
	for lookup in $(LOOKUPS); do \
		$(ANTSIBULL_DOCS) --plugin-type lookup --dest-dir docs "llmobs.datadog.$${lookup}"; \
		mv "docs/llmobs.datadog.$${lookup}_lookup.rst" "docs/$${lookup}_lookup.rst"; \
	done
	for page in docs/*_module.rst; do \
		[ -e "plugins/modules/$$(basename "$${page}" _module.rst).py" ] || rm -v "$${page}"; \
	done
	for page in docs/*_lookup.rst; do \
		[ ! -e "$${page}" ] || [ -e "plugins/lookup/$$(basename "$${page}" _lookup.rst).py" ] || rm -v "$${page}"; \
	done

# The committed reference must be what every module's documentation generates today.
docs-check: $(STAMP)
	rm -rf $(BUILD)/docs && mkdir -p $(BUILD)/docs
	$(BIN)/antsibull-docs lint-collection-docs --plugin-docs --validate-collection-refs all .
	$(MODULE_DOCS) $(BUILD)/docs $(MODULES)
	stale=""; \
	for module in $(MODULES); do \
		diff -u "docs/$${module}_module.rst" "$(BUILD)/docs/llmobs.datadog.$${module}_module.rst" \
			|| stale="$${stale} docs/$${module}_module.rst"; \
	done; \
	for lookup in $(LOOKUPS); do \
		$(ANTSIBULL_DOCS) --plugin-type lookup --dest-dir $(BUILD)/docs "llmobs.datadog.$${lookup}"; \
		diff -u "docs/$${lookup}_lookup.rst" "$(BUILD)/docs/llmobs.datadog.$${lookup}_lookup.rst" \
			|| stale="$${stale} docs/$${lookup}_lookup.rst"; \
	done; \
	for page in docs/*_module.rst; do \
		[ -e "plugins/modules/$$(basename "$${page}" _module.rst).py" ] || stale="$${stale} $${page}"; \
	done; \
	for page in docs/*_lookup.rst; do \
		[ ! -e "$${page}" ] || [ -e "plugins/lookup/$$(basename "$${page}" _lookup.rst).py" ] || stale="$${stale} $${page}"; \
	done; \
	if [ -n "$${stale}" ]; then echo "stale:$${stale}: run 'make docs'"; exit 1; fi
	$(BIN)/ansible-doc $(addprefix llmobs.datadog.,$(MODULES)) > /dev/null
	$(if $(LOOKUPS),$(BIN)/ansible-doc -t lookup $(addprefix llmobs.datadog.,$(LOOKUPS)) > /dev/null)

# The fragments, then the release history: CHANGELOG.rst as generated from changelogs/changelog.yaml,
# galaxy.yml's version not older than the newest release (docs/releasing.md).
changelog-lint: $(STAMP)
	$(BIN)/antsibull-changelog lint
	$(BIN)/python tests/utils/release_check.py

# What must never ship: caches, build output, virtualenvs, and what works only in a checkout.
NOT_SHIPPED := (^|/)(__pycache__|\.pytest_cache|\.hypothesis|\.mypy_cache|\.ruff_cache|\.tox|\.cache|\.ansible|\.ansible-lint-cache)(/|$$)|\.py[co]$$|\.tar\.gz$$|(^|/)\.plugin-cache\.yaml$$|^(\.venv|build|tests/output|\.ci|tests/requirements)(/|$$)|^(Makefile|requirements-dev\.txt|pytest\.ini|tests/utils/(run-sanity\.sh|run-tests\.sh|demo\.sh|link_collection\.py|ansible_test_get_pip\.py|module_docs\.py))$$
# What must ship: the plugins, their metadata, the playbooks, the emulator and the release history.
SHIPPED := plugins meta playbooks tests/emulator CHANGELOG.rst changelogs/changelog.yaml
COLLECTION_BUILD := $(BUILD)/collection

# The tarball is built from a clean tree: a copy of the files git knows about (tracked, or new and
# not ignored). Its contents are checked; a build straight from this checkout (caches and all, as
# the README's "from a checkout" does) must hold the same files, or build_ignore misses something.
# Then the project's own ansible-galaxy installs it (no --force: it must not take the checkout for
# an installed copy) and the docs of every module are read from the installed copy.
build-check: $(STAMP)
	rm -rf $(COLLECTION_BUILD) && mkdir -p $(COLLECTION_BUILD)/tree $(COLLECTION_BUILD)/from-checkout
	@echo "copying the files git knows about to $(COLLECTION_BUILD)/tree"
	@git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' path; do \
		if [ -e "$${path}" ] || [ -L "$${path}" ]; then cp -P --parents -- "$${path}" $(COLLECTION_BUILD)/tree; fi; \
	done
	$(BIN)/ansible-galaxy collection build --output-path $(COLLECTION_BUILD) $(COLLECTION_BUILD)/tree
	$(BIN)/ansible-galaxy collection build --output-path $(COLLECTION_BUILD)/from-checkout .
	@tar -tzf $(COLLECTION_BUILD)/llmobs-datadog-*.tar.gz | grep -v '/$$' | sort > $(COLLECTION_BUILD)/files.txt
	@tar -tzf $(COLLECTION_BUILD)/from-checkout/llmobs-datadog-*.tar.gz | grep -v '/$$' | sort \
		> $(COLLECTION_BUILD)/from-checkout/files.txt
	@echo "checking the tarball's files ($(COLLECTION_BUILD)/files.txt)"
	@if grep -E '$(NOT_SHIPPED)' $(COLLECTION_BUILD)/files.txt; then \
		echo "the tarball holds the files above: caches, build output or checkout-only files"; exit 1; fi
	@git ls-files --cached --others --exclude-standard -- $(SHIPPED) | while IFS= read -r path; do \
		[ ! -e "$${path}" ] || echo "$${path}"; done | sort > $(COLLECTION_BUILD)/must-ship.txt
	@if comm -23 $(COLLECTION_BUILD)/must-ship.txt $(COLLECTION_BUILD)/files.txt | grep .; then \
		echo "the tarball lacks the files above: build_ignore in galaxy.yml leaves out too much"; exit 1; fi
	@diff -u $(COLLECTION_BUILD)/files.txt $(COLLECTION_BUILD)/from-checkout/files.txt || { \
		echo "a build from this checkout ships files (+) that a clean tree does not: add them to build_ignore in galaxy.yml"; \
		exit 1; }
	env -u PYTHONPATH ANSIBLE_COLLECTIONS_PATH=$(abspath $(COLLECTION_BUILD))/installed $(BIN)/ansible-galaxy \
		collection install -p $(COLLECTION_BUILD)/installed $(COLLECTION_BUILD)/llmobs-datadog-*.tar.gz \
		| tee $(COLLECTION_BUILD)/install.log
	@grep -q 'llmobs.datadog:.* was installed successfully' $(COLLECTION_BUILD)/install.log
	@echo "reading the docs of $(MODULES) from the installed copy"
	@env -u PYTHONPATH ANSIBLE_COLLECTIONS_PATH=$(abspath $(COLLECTION_BUILD))/installed $(BIN)/ansible-doc \
		$(addprefix llmobs.datadog.,$(MODULES)) > $(COLLECTION_BUILD)/doc.txt
	@for module in $(MODULES); do \
		grep -qF "$(abspath $(COLLECTION_BUILD))/installed/ansible_collections/llmobs/datadog/plugins/modules/$${module}.py)" \
			$(COLLECTION_BUILD)/doc.txt || { echo "ansible-doc did not read $${module} from the installed copy"; exit 1; }; \
	done
	@echo "build-check: $$(wc -l < $(COLLECTION_BUILD)/files.txt) files in $$(basename $(COLLECTION_BUILD)/llmobs-datadog-*.tar.gz), installed with the project's ansible-galaxy, docs of $(words $(MODULES)) modules read"

shellcheck: $(STAMP)
	$(BIN)/shellcheck -x .ci/run tests/utils/*.sh tests/integration/targets/*/runme.sh

clean:
	rm -rf $(VENV) $(addprefix .venv-,$(OLDER)) $(BUILD) .pytest_cache .hypothesis
