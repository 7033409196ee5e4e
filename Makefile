# Everything a fresh machine needs: `make run` plans the embedded sample county, `make test`
# passes the tests. Both create the virtual environment .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= out/sample

.PHONY: setup run test lint format bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	@# an editable install leaves our modules uncompiled; where PYTHONDONTWRITEBYTECODE is set
	@# (as on CI) every run would compile them again (0.2 s a command)
	$(BIN)/python -m compileall -q optimizer constraints data
	touch $@

run: setup
	$(BIN)/cunjing plan --out $(OUT)

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check optimizer constraints data tests benchmarks

format: setup
	$(BIN)/ruff format optimizer constraints data tests benchmarks
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
