# The two commands a new user needs: `make run` and `make test`. Both set everything up first.
VENV      ?= .venv
PY        := $(VENV)/bin/python
PERISCOPE := $(VENV)/bin/periscope
PYTEST_ARGS ?=

.PHONY: setup run test es-start es-stop es-status es-logs demo serve bench clean

setup:
	@bash scripts/setup.sh

run: setup
	$(PERISCOPE) up
	$(PERISCOPE) users ensure-admin
	$(PERISCOPE) demo
	@echo "Loading the rest of the Reuters-21578 demo corpus in the background (log: .cache/demo-full.log)"
	@nohup $(PERISCOPE) demo --limit 0 > .cache/demo-full.log 2>&1 &
	$(PERISCOPE) serve

test: setup
	$(VENV)/bin/lint-imports
	$(PERISCOPE) es start
	$(PY) -m pytest $(PYTEST_ARGS)

es-start: setup
	$(PERISCOPE) es start
es-stop:
	$(PERISCOPE) es stop
es-status:
	$(PERISCOPE) es status
es-logs:
	$(PERISCOPE) es logs

demo: setup
	$(PERISCOPE) up
	$(PERISCOPE) demo

serve: setup
	$(PERISCOPE) serve

bench: setup
	$(PERISCOPE) up
	$(PY) bench/enrich.py
	$(PY) bench/enrich.py --only-language
	$(PY) bench/ingest.py --limit 0 --small 2000
	$(PERISCOPE) demo --limit 0
	$(PY) bench/search.py
	$(PY) bench/ui_paint.py

clean:
	-$(PERISCOPE) es stop
	rm -rf $(VENV) .cache node_modules
