# The two commands of the README: `make run` (the service on the embedded store) and
# `make test` (lint, types, tests). Both set everything up on a fresh machine with Python 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run crawl test lint bench browser clean elasticsearch elasticsearch-stop

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

# Debian's chromium drives render_js sources and the browser tests; test tools' own browser
# downloads cannot work offline.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "make: install Debian's chromium (apt-get install chromium) for browser tests" >&2; fi; }

run: $(STAMP) browser
	$(BIN)/wildwatch run

crawl: $(STAMP)
	$(BIN)/wildwatch crawl

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

# A real single-node Elasticsearch (tools/elasticsearch): Maven fetches Elastic's distribution
# from Maven Central (cached in ~/.m2) and builds the launcher. Elasticsearch refuses to run as
# root, so as root the node runs as the system user $(ES_USER), created here when missing.
ES_TOOL := tools/elasticsearch
ES_BUILT := $(ES_TOOL)/target/.built
ES_HOME ?= var/elasticsearch
ES_PORT ?= 9200
ES_HEAP ?= 1g
ES_USER := wildwatch-es
ES_LAUNCHER = java -cp $(ES_TOOL)/target/classes wildwatch.ElasticsearchLauncher

$(ES_BUILT): $(ES_TOOL)/pom.xml $(ES_TOOL)/src/main/java/wildwatch/ElasticsearchLauncher.java
	cd $(ES_TOOL) && mvn -B -q compile
	touch $@

elasticsearch: $(ES_BUILT)
	@mkdir -p $(ES_HOME)
	@if [ "$$(id -u)" = 0 ] && ! id -u $(ES_USER) >/dev/null 2>&1; then \
	  useradd --system --no-create-home --shell /usr/sbin/nologin $(ES_USER); fi
	$(ES_LAUNCHER) start --home $(ES_HOME) --port $(ES_PORT) --heap $(ES_HEAP) \
	  --distribution $(firstword $(wildcard $(ES_TOOL)/target/elasticsearch-*/)) \
	  $$([ "$$(id -u)" = 0 ] && echo --user $(ES_USER))

elasticsearch-stop:
	@if [ -f $(ES_TOOL)/target/classes/wildwatch/ElasticsearchLauncher.class ]; then \
	  $(ES_LAUNCHER) stop --home $(ES_HOME); fi

# The contract and parity tests of tests/search run on both backends: on a throw-away node
# (port 9209, var/elasticsearch-test) wherever java and mvn exist, skipped elsewhere.
ES_TEST_HOME := var/elasticsearch-test
ES_TEST_PORT := 9209

test: $(STAMP) browser lint
	@if command -v java >/dev/null 2>&1 && command -v mvn >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory elasticsearch ES_HOME=$(ES_TEST_HOME) ES_PORT=$(ES_TEST_PORT) \
	    || exit 1; \
	  WILDWATCH_TEST_ELASTICSEARCH_URL=http://127.0.0.1:$(ES_TEST_PORT) $(BIN)/pytest; status=$$?; \
	  $(MAKE) --no-print-directory elasticsearch-stop ES_HOME=$(ES_TEST_HOME); exit $$status; \
	else \
	  echo "make test: no java or mvn: Elasticsearch contract and parity tests skipped"; \
	  $(BIN)/pytest; \
	fi

bench: $(STAMP)
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
