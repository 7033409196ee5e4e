# Everything a fresh machine needs: `make run` plans the embedded sample county, `make test`
# passes the tests, `make serve` opens the workbench on the sample county. They create the
# virtual environment .venv on first use; `make test` also installs the Debian packages the tests
# use when they are missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= out/sample

.PHONY: setup run serve test system-packages web-messages lint format bench clean

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

# the workbench on http://127.0.0.1:8000/ with the sample county (asks for the first
# administrator's password on the first start)
serve: setup
	$(BIN)/cunjing serve --data out/serve --sample

test: setup system-packages
	$(BIN)/python -m pytest

# Chromium (report and workbench pages), GDAL's ogrinfo (plan.gpkg), a CJK font (legible
# screenshots), PostgreSQL (the workbench's store is tested on it too)
system-packages:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v ogrinfo >/dev/null || missing="$$missing gdal-bin"; \
	[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing="$$missing fonts-wqy-microhei"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO="sudo"; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# the workbench's messages: extract, merge into the Chinese catalogue (then translate the new ones)
web-messages: setup
	$(BIN)/pybabel extract -F optimizer/web/babel.cfg -k N_ -k UploadRefused -k progress \
		--no-location --omit-header -o out/web.pot optimizer/web
	$(BIN)/pybabel update -i out/web.pot -d optimizer/web/locale -D web -l zh_CN --no-location -w 100

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check optimizer constraints data tests benchmarks

format: setup
	$(BIN)/ruff format optimizer constraints data tests benchmarks
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
