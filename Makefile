# Pattern Server: the two commands a newcomer needs.
#   make run    build a release server and run it with the first-party plugins
#   make test   unit tests, then the black-box integration tests against the real binary
# Every step installs what it needs first (Debian packages, a Python venv for the tests).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

SWIFT ?= swift
CC ?= cc
PYTHON ?= python3
VENV := .build/venv
# The MCP Python SDK's previous major, as a second peer for the MCP plugin's tests: it cannot
# share a venv with the current one.
MCP1_VENV := .build/venv-mcp1
ABI_INCLUDE := Sources/PluginABI/include
PLUGIN_CFLAGS := -shared -fPIC -fvisibility=hidden -O2 -Wall -Wextra -Werror -I $(ABI_INCLUDE)
FIXTURE_DIR := .build/c-fixtures
FIXTURES := $(patsubst Tests/Fixtures/c-plugins/%.c,$(FIXTURE_DIR)/lib%.so,$(wildcard Tests/Fixtures/c-plugins/*.c))

BUILD_PACKAGES := libsqlite3-dev libssl-dev libcrypt-dev pkg-config
TEST_PACKAGES := $(BUILD_PACKAGES) curl prometheus nginx openssl g++ cmake
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test build release unit integration c-plugins plugin-template docs build-deps test-deps venv clean

# ----- run ---------------------------------------------------------------------------------

run: build-deps release
	.build/release/pattern-server $(ARGS)

release:
	$(SWIFT) build -c release

# ----- test --------------------------------------------------------------------------------

# Both suites run even when the first fails; the exit status is non-zero if either failed.
test: test-deps build c-plugins plugin-template venv
	@status=0; \
	$(MAKE) --no-print-directory unit || status=1; \
	$(MAKE) --no-print-directory integration || status=1; \
	exit $$status

build:
	$(SWIFT) build --build-tests

unit:
	$(SWIFT) test --skip-build

integration: venv
	PATTERN_BIN_DIR="$$($(SWIFT) build --show-bin-path)" $(VENV)/bin/pytest -q Tests/integration $(PYTEST_ARGS)

# The C examples (and hello-rust, built with rustc) and the loader fixtures: a compile check
# with the plugin flags (the integration suite compiles its own copies into a temporary directory).
c-plugins: $(FIXTURES)
	$(MAKE) -C Examples/hello-c OUT=$(CURDIR)/$(FIXTURE_DIR) CC=$(CC)
	$(MAKE) -C Examples/ws-echo OUT=$(CURDIR)/$(FIXTURE_DIR) CC=$(CC)
	$(MAKE) -C Examples/sse-c OUT=$(CURDIR)/$(FIXTURE_DIR) CC=$(CC)
	$(MAKE) -C Examples/relay-c OUT=$(CURDIR)/$(FIXTURE_DIR) CC=$(CC)
	$(MAKE) -C Examples/notes-c OUT=$(CURDIR)/$(FIXTURE_DIR) CC=$(CC)
	$(MAKE) -C Examples/hello-rust OUT=$(CURDIR)/$(FIXTURE_DIR)

# The out-of-tree Swift plugin template, built as its own package against PluginKit by path,
# with its own unit tests (test_plugin_template.py then loads it through [plugins] extra_dirs).
plugin-template:
	$(SWIFT) build --package-path Examples/plugin-template-swift --build-tests
	$(SWIFT) test --package-path Examples/plugin-template-swift --skip-build

$(FIXTURE_DIR)/lib%.so: Tests/Fixtures/c-plugins/%.c $(wildcard $(ABI_INCLUDE)/*.h)
	@mkdir -p $(FIXTURE_DIR)
	$(CC) $(PLUGIN_CFLAGS) $< -o $@

venv: $(VENV)/.installed $(MCP1_VENV)/.installed

$(VENV)/.installed: Tests/integration/requirements.txt Tests/integration/install_llama.sh
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r Tests/integration/requirements.txt
	Tests/integration/install_llama.sh $(VENV)
	touch $@

$(MCP1_VENV)/.installed: Tests/integration/requirements-mcp1.txt
	$(PYTHON) -m venv $(MCP1_VENV)
	$(MCP1_VENV)/bin/pip install --quiet --disable-pip-version-check -r $<
	touch $@

# ----- docs --------------------------------------------------------------------------------

# docs/api/<plugin>.md from the OpenAPI document of a server with every first-party plugin
# (test_docs.py fails when the committed pages are stale).
docs: build
	$(PYTHON) docs/generate_api_pages.py --binary "$$($(SWIFT) build --show-bin-path)/pattern-server"

# ----- system packages (installed only when dpkg says they are missing) --------------------

build-deps:
	@$(call install_missing,$(BUILD_PACKAGES))

# rustc (for Examples/hello-rust) from Debian only when none is on PATH (rustup's will do).
test-deps:
	@$(call install_missing,$(TEST_PACKAGES) $(if $(shell $(PYTHON) -c 'import venv, ensurepip' 2>/dev/null && echo ok),,python3-venv) $(if $(shell command -v rustc),,rustc))

define install_missing
if command -v dpkg >/dev/null; then \
  missing=""; \
  for p in $(1); do dpkg -s "$$p" >/dev/null 2>&1 || missing="$$missing $$p"; done; \
  if [ -n "$$missing" ]; then \
    echo "installing:$$missing"; \
    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
  fi; \
else \
  echo "no dpkg here: make sure these are installed: $(1)"; \
fi
endef

clean:
	$(SWIFT) package clean
	rm -rf $(FIXTURE_DIR) $(VENV)
	$(MAKE) -C Examples/hello-c clean
	$(MAKE) -C Examples/ws-echo clean
	$(MAKE) -C Examples/sse-c clean
	$(MAKE) -C Examples/relay-c clean
	$(MAKE) -C Examples/notes-c clean
	$(MAKE) -C Examples/hello-rust clean
	rm -rf Examples/plugin-template-swift/.build
