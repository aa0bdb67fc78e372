# Warta: `make up` runs the system on this machine, `make test` proves it.
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .warta/tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
export UV_PYTHON_DOWNLOADS := never

.PHONY: help env system up demo test fuzz bench prod-local lint format schemas dashboards nats-config k8s clean

help:
	@echo "make up       run NATS, the database and the five services (Ctrl-C stops)"
	@echo "make demo     walk one request through all seven SOP steps (while 'make up' runs)"
	@echo "make test     lint and run every test suite on real servers"
	@echo "make fuzz     walk many whole requests with hostile text and files (make test walks a few)"
	@echo "make bench    measure speed on realistic data (numbers, not pass/fail)"
	@echo "make prod-local  run the rendered prod overlay here and kill the stream leader under load"
	@echo "               REQUESTS=N (12), KILLS=K (2)"
	@echo "make lint     ruff check, format check and mypy --strict"
	@echo "make format   apply ruff's formatting and fixes"
	@echo "make schemas  regenerate contracts/schemas and contracts/asyncapi.yaml from the event models"
	@echo "make dashboards  regenerate deploy/grafana from the dashboard code"
	@echo "make nats-config regenerate deploy/nats from the contracts' ownership table"
	@echo "make k8s      regenerate deploy/k8s and the NATS chart values from code"
	@echo "               IMAGE_DIGESTS=FILE: prod runs the images FILE names by digest"
	@echo "               PROMETHEUS_RELEASE=NAME: the release label the cluster's Prometheus selects on"
	@echo "make system   install the Debian packages of the servers the tests run (make test does)"

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: $(UV) uv.lock pyproject.toml */pyproject.toml services/*/pyproject.toml tools/devstack/pyproject.toml
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

env: $(VENV)/.synced

# Debian packages of the servers the tests run for real (WordPress, MariaDB, PHP).
system:
	tools/system/deps.sh

up: env
	$(PY) -m warta.devstack up

demo: env
	$(PY) -m warta.devstack demo

lint: env
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy $$($(PY) -m warta.devstack mypy-packages)
	$(PY) -m warta.devstack.long_functions runtime/src contracts/src tools/devstack/src services/*/src

format: env
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Two workers, each with servers of its own (NATS, the database, a WordPress where a test needs one); a
# file's tests stay on one worker, so its module fixtures start once. TEST_WORKERS=0 runs in this process.
TEST_WORKERS ?= 2
test: system lint
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile

fuzz: system env
	WARTA_FUZZ_FLOWS=$${WARTA_FUZZ_FLOWS:-40} WARTA_FUZZ_STEPS=$${WARTA_FUZZ_STEPS:-100} \
		$(VENV)/bin/pytest tests/security/test_fuzzed_flows.py

bench: env
	$(PY) bench/suggestion.py
	$(PY) bench/uploads.py
	$(PY) bench/media_email.py
	$(PY) bench/event_parsing.py
	$(PY) bench/system.py
	$(PY) bench/commands.py
	$(PY) bench/dashboard.py
	$(PY) bench/tracing.py
	$(PY) bench/loops.py
	$(PY) bench/loops.py --compare fetch
	$(PY) bench/before_after.py

# The prod overlay's Deployments as processes on this machine, a three-node NATS cluster from the
# chart values, the database with the operator's users; requests walked while the JetStream stream
# leader is SIGKILLed (tests/deploy/test_prod_local.py runs the same in make test).
prod-local: system env
	$(PY) -m warta.devstack.prod_local --requests $(or $(REQUESTS),12) --kills $(or $(KILLS),2)

schemas: env
	$(PY) -m warta.contracts.schemas contracts/schemas
	$(PY) -m warta.devstack asyncapi

dashboards: env
	$(PY) -m warta.devstack dashboards

nats-config: env
	$(PY) -m warta.devstack nats-config

# IMAGE_DIGESTS names a file of "<service> sha256:<hex>" lines (docs/operations.md, Release);
# PROMETHEUS_RELEASE the cluster's kube-prometheus-stack release. Either left out stays as the
# committed manifests have it.
k8s: env
	$(PY) -m warta.devstack k8s $(if $(IMAGE_DIGESTS),--image-digests $(IMAGE_DIGESTS)) \
		$(if $(PROMETHEUS_RELEASE),--prometheus-release $(PROMETHEUS_RELEASE))

clean:
	rm -rf .warta $(VENV)
