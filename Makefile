# Two commands on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000

.PHONY: browser-deps serve test lint format bench endpoints readme schemas clean venv fuzz soak

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Runtime install (what `make serve` needs).
$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

# Test extras on top.
$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	# wechatpy 2.x ships the OA/check-in client; it shares the package name with the 1.8 line
	# the other client tests use, so it lives in its own folder (PYTHONPATH for one test).
	$(BIN)/pip install --quiet --no-deps --upgrade --target $(VENV)/wechatpy2 'wechatpy==2.0.0a26'
	touch $@

venv: $(VENV)/.installed-test

serve: $(VENV)/.installed
	$(BIN)/wecom-mock serve --host 127.0.0.1 --port $(PORT) --fixture fixtures/demo.yaml

# The browser tests drive Debian's chromium (never a downloaded browser); a CJK font makes
# the Chinese in the screenshots readable. Installed only when missing (needs root or sudo).
browser-deps:
	@command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "noto sans cjk" || \
	  { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk; }

test: $(VENV)/.installed-test browser-deps
	$(BIN)/ruff check mock_server tests contract_tests benchmarks tools
	$(BIN)/ruff format --check mock_server tests contract_tests benchmarks tools
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n auto -q tests
	$(BIN)/python -m pytest -n auto -q contract_tests && $(BIN)/python -m pytest -n auto -q contract_tests --wecom-target=live

lint: $(VENV)/.installed-test
	$(BIN)/ruff check mock_server tests contract_tests benchmarks tools
	$(BIN)/ruff format --check mock_server tests contract_tests benchmarks tools
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/mypy --strict mock_server/core

format: $(VENV)/.installed-test
	$(BIN)/ruff format mock_server tests contract_tests benchmarks tools
	$(BIN)/ruff check --fix mock_server tests contract_tests benchmarks tools

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/run.py

# 100,000 malformed requests over HTTP to a live loopback server; every count must be 0.
fuzz: $(VENV)/.installed-test
	$(BIN)/python -m mock_server.testing.fuzz --requests $(or $(REQUESTS),100000)

# Memory soak: the fuzzer plus 1 MB bodies and media uploads; RSS against the ceiling.
soak: $(VENV)/.installed-test
	$(BIN)/python benchmarks/soak_memory.py

endpoints: $(VENV)/.installed
	$(BIN)/wecom-mock endpoints

# Regenerate the README's endpoint table from the registry.
readme: $(VENV)/.installed
	$(BIN)/python tools/update_readme.py

# Write each response schema's x-errcodes from the endpoint declarations (the one source).
schemas: $(VENV)/.installed
	$(BIN)/wecom-mock schemas --sync-errcodes

clean:
	rm -rf $(VENV) build dist *.egg-info
