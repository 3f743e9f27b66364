# The two commands of the README: `make run` and `make test`. Both bootstrap .venv themselves.
.PHONY: run test test-e2e lint format venv data data-europe bench

VENV := .venv/bin
PORT ?= 8000
# gunicorn listens here; MATCHER_BIND from the environment wins over PORT. Exported so the app
# prints sign-in links for the address it really serves.
MATCHER_BIND ?= 127.0.0.1:$(PORT)
export MATCHER_BIND

venv:
	@scripts/bootstrap.sh

run: venv
	$(VENV)/matcher seed --if-empty
	@$(VENV)/matcher editors status
	$(VENV)/gunicorn --config gunicorn.conf.py --bind $(MATCHER_BIND) wsgi:app

test: venv
	$(VENV)/pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .

format: venv
	$(VENV)/ruff format .
	$(VENV)/ruff check --fix .

data: venv
	$(VENV)/python scripts/build_data.py

# The full set of ~99,000 Eurostat LAUs in the city import format, into git-ignored build/europe/.
data-europe: venv
	$(VENV)/python scripts/build_europe.py

bench: venv
	$(VENV)/python benchmarks/names.py
