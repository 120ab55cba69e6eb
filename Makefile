# callcenter — developer entry points. `make demo` and `make test` are the two README commands.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install test lint typecheck asterisklint pytest test-pbx demo migrate seed clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

typecheck: $(STAMP)
	$(VENV)/bin/mypy src

# tests/pbx needs a real Asterisk: never part of `make test` (nor CI), see `make test-pbx`.
pytest: $(STAMP)
	$(PY) -m pytest -q --ignore=tests/pbx

# The real-PBX suite: the shipped asterisk/*.conf on an installed Asterisk (tests/pbx/README.md).
test-pbx: $(STAMP)
	@test -n "$$CALLCENTER_TEST_ASTERISK" || { echo "make test-pbx: set CALLCENTER_TEST_ASTERISK to the prefix of an installed Asterisk (see tests/pbx/README.md)" >&2; exit 2; }
	@test -x "$$CALLCENTER_TEST_ASTERISK/sbin/asterisk" || test -x "$$CALLCENTER_TEST_ASTERISK/bin/asterisk" || { echo "make test-pbx: no asterisk binary under $$CALLCENTER_TEST_ASTERISK/sbin or /bin" >&2; exit 2; }
	$(PY) -m pytest -q tests/pbx

# asterisklint does not model BLF `hint` lines; every other finding fails the build.
asterisklint: $(STAMP)
	ALINT_IGNORE=I_NOTIMPL_HINT $(VENV)/bin/asterisklint dialplan-check asterisk/extensions.conf

test: lint typecheck asterisklint pytest

migrate: $(STAMP)
	$(VENV)/bin/callcenter migrate

seed: $(STAMP)
	$(VENV)/bin/callcenter seed --customers 2000

demo: $(STAMP)
	$(VENV)/bin/callcenter demo

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
