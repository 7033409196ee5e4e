# Everything a fresh machine needs: `make run` plans the embedded sample county, `make test`
# passes the tests. Both create the virtual environment .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= out/sample

# Debian packages the tests use: Chromium opens report.html offline, GDAL's ogrinfo reads
# plan.gpkg, and a CJK font makes the Chinese legible in the screenshots
DEBIAN_PACKAGES ?= chromium gdal-bin fonts-wqy-microhei

.PHONY: setup run test lint format bench clean system-packages messages

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

test: setup system-packages
	$(BIN)/python -m pytest

# installs what is missing (apt-get, as root or through sudo); does nothing when all are there
system-packages:
	@need=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$need" ]; then \
		sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
		echo "installing the Debian packages the tests need:" $$need; \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$need; \
	fi

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check optimizer constraints data tests benchmarks

format: setup
	$(BIN)/ruff format optimizer constraints data tests benchmarks
	$(BIN)/ruff check --fix .

# the message catalogue: new messages of the code into cunjing.po (give them their Chinese
# there), then the compiled .mo the package reads
CATALOGUE := optimizer/i18n/locale
messages: setup
	$(BIN)/pybabel -q extract -F babel.cfg --no-location --sort-output --omit-header \
		-o $(CATALOGUE)/cunjing.pot .
	$(BIN)/pybabel -q update --no-fuzzy-matching --omit-header --ignore-obsolete \
		-i $(CATALOGUE)/cunjing.pot -d $(CATALOGUE) -D cunjing -l zh_CN
	$(BIN)/pybabel -q compile -d $(CATALOGUE) -D cunjing -l zh_CN
	rm $(CATALOGUE)/cunjing.pot

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
