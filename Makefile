# Everything a fresh machine needs: `make run` plans the embedded sample county, `make test`
# passes the tests. Both create the virtual environment .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= out/sample

# Debian packages the tests use: Chromium opens report.html and the workbench's pages offline,
# GDAL's ogrinfo reads plan.gpkg, a CJK font makes the Chinese legible in the screenshots, and
# the workbench's store is tested on a PostgreSQL server of the tests' own
DEBIAN_PACKAGES ?= chromium gdal-bin fonts-wqy-microhei postgresql

.PHONY: setup run serve test lint format bench clean system-packages messages wheelhouse

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	@# setuptools' advice on editable layouts is no news here (PYTHONWARNINGS keeps it quiet)
	PYTHONWARNINGS=ignore::UserWarning $(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	@# an editable install leaves our modules uncompiled; where PYTHONDONTWRITEBYTECODE is set
	@# (as on CI) every run would compile them again (0.2 s a command)
	$(BIN)/python -m compileall -q optimizer constraints data
	@# the same for the compiled oscillation: numba caches its machine code on disk
	$(BIN)/python -c "from cunjing.optimizer.officers.oscillation import compile_ahead; compile_ahead()"
	touch $@

run: setup
	$(BIN)/cunjing plan --out $(OUT)

# the planners' workbench on http://127.0.0.1:8000/ with the sample county (the first start
# asks for the administrator's password)
serve: setup
	$(BIN)/cunjing serve --data out/serve --sample

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

# the message catalogue: the code's messages into cunjing.po (give the new ones their Chinese
# there, then run it again), and the compiled .mo the package reads
messages: setup
	$(BIN)/python -m cunjing.optimizer.i18n.catalogue

# An install for an offline intranet: every wheel the project needs on Linux and on Windows
# (x86-64, CPython 3.11), the project's own included, in one folder to copy on a USB stick
# (README, "Installing without internet"). What is needed comes from pyproject.toml at the
# versions of constraints.txt, with the PostgreSQL driver a city bureau's workbench may use.
WHEELHOUSE ?= wheelhouse
WHEEL_PLATFORMS ?= linux windows
WHEEL_PYTHON := 3.11
WHEEL_ABI := cp311
# uv resolves for the target: pip evaluates environment markers for the machine it runs on and
# would leave out what only Windows needs (colorama, for click and tqdm)
UV_PLATFORM_linux := x86_64-manylinux_2_28
UV_PLATFORM_windows := x86_64-pc-windows-msvc
# Linux with glibc 2.28 or newer (麒麟 V10, 统信 UOS 20, RHEL 8, Ubuntu 20.04 and later): wheels
# tagged for it or for any older manylinux
PIP_PLATFORMS_linux := manylinux_2_28_x86_64 manylinux_2_27_x86_64 manylinux_2_26_x86_64 \
	manylinux_2_24_x86_64 manylinux_2_17_x86_64 manylinux2014_x86_64 manylinux_2_12_x86_64 \
	manylinux2010_x86_64 manylinux_2_5_x86_64 manylinux1_x86_64
PIP_PLATFORMS_windows := win_amd64

define wheels_for
	$(BIN)/uv pip compile --quiet pyproject.toml --extra postgresql --constraint constraints.txt \
		--python-version $(WHEEL_PYTHON) --python-platform $(UV_PLATFORM_$(1)) \
		--only-binary :all: --no-header --no-annotate -o $(WHEELHOUSE)/requirements-$(1).txt
	$(BIN)/pip download --quiet --no-deps --only-binary=:all: --python-version $(WHEEL_PYTHON) \
		--implementation cp --abi $(WHEEL_ABI) $(addprefix --platform ,$(PIP_PLATFORMS_$(1))) \
		-r $(WHEELHOUSE)/requirements-$(1).txt -d $(WHEELHOUSE)

endef

wheelhouse: setup
	mkdir -p $(WHEELHOUSE)
	rm -f $(WHEELHOUSE)/*.whl $(WHEELHOUSE)/requirements-*.txt
	@# setuptools packs what build/ holds: a module since removed from the tree would ship too
	rm -rf build
	$(BIN)/pip wheel --quiet --no-deps --wheel-dir $(WHEELHOUSE) .
	$(foreach platform,$(WHEEL_PLATFORMS),$(call wheels_for,$(platform)))
	@echo "$(WHEELHOUSE): $$(ls $(WHEELHOUSE)/*.whl | wc -l) wheels, $$(du -sh $(WHEELHOUSE) | cut -f1)"

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
