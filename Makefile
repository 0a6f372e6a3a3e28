# gongkai task file. `make run` and `make test` work on a fresh machine: they create .venv and install.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# pytest-xdist workers for the test runs (the suite is timed on a 2-core machine)
WORKERS ?= 2
# Some machines (CI's among them) set PYTHONDONTWRITEBYTECODE: then every process the tests start
# (document workers, commands) compiles gongkai again, and pytest rewrites every test module again.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run samples check test explore lint fmt bench install system-packages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,ocr,cluster]'
	touch $(STAMP)

install: $(STAMP)

## system-packages: LibreOffice and poppler-utils from Debian's packages, where this machine allows
system-packages:
	./scripts/system-packages

## run: the web platform at http://127.0.0.1:8000 with demo data (made once), on the database every
## gongkai command uses by default ($GONGKAI_HOME/gongkai.db, else ~/.local/share/gongkai/gongkai.db),
## so that what the README's commands record shows in the web
run: $(STAMP)
	$(BIN)/gongkai demo --seeds ../shared/seeds
	$(BIN)/gongkai serve --host 127.0.0.1 --port 8000

## samples: check the sample reports that ship with the project and print the findings
samples: $(STAMP)
	$(BIN)/gongkai check samples/ || test $$? -eq 1

## check: the quick loop (under 2 minutes on 2 cores): lint and format check, then the tests not marked slow
## (no OCR, LibreOffice, browser, PostgreSQL or property rounds; the marks are in pyproject.toml)
check: $(STAMP)
	$(BIN)/ruff check gongkai tests bench
	$(BIN)/ruff format --check gongkai tests bench
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadgroup -m 'not slow'

## test: lint, then the whole suite (the store's tests on SQLite and on PostgreSQL: scripts/with-postgres),
## in $(WORKERS) processes; the tests sharing an expensive fixture (OCR scans, LibreOffice, the browser)
## keep to one worker (xdist_group marks, --dist loadgroup). Prints the 25 slowest.
test: $(STAMP) system-packages
	$(BIN)/ruff check gongkai tests bench
	$(BIN)/lint-imports
	./scripts/with-postgres $(BIN)/python -m pytest -n $(WORKERS) --dist loadgroup --durations=25

## explore: the property tests with new random examples, five rounds (make test draws the same ones each run),
## then a round of the mutation fuzzer (issue 14): 100,000 hostile inputs of every form, a new seed each run;
## failing inputs land in .fuzz-failures/ (index.tsv says why); FUZZ_SEED=N makes a round again
FUZZ_SEED ?= $(shell date +%s)
explore: $(STAMP)
	for round in 1 2 3 4 5; do \
		GONGKAI_HYPOTHESIS=explore ./scripts/with-postgres $(BIN)/python -m pytest -q $$(grep -rl '@given' tests) || exit 1; \
	done
	$(BIN)/python bench/fuzz.py --count 100000 --jobs 2 --seed $(FUZZ_SEED)

lint: $(STAMP)
	$(BIN)/ruff check gongkai tests bench
	$(BIN)/ruff format --check gongkai tests bench
	$(BIN)/lint-imports

fmt: $(STAMP)
	$(BIN)/ruff format gongkai tests bench
	$(BIN)/ruff check --fix gongkai tests bench

bench: $(STAMP)
	$(BIN)/python bench/parse_check.py
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/forms.py
	$(BIN)/python bench/writers.py
	$(BIN)/python bench/casework.py
	$(BIN)/python bench/notices.py
	$(BIN)/python bench/ledger_import.py
	$(BIN)/python bench/web.py --workers 2
	$(BIN)/python bench/catalogue.py
	$(BIN)/python bench/ingest.py --files 300 --per-form 200
	$(BIN)/python bench/corpus_scale.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
