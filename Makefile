# Two entry points for a fresh machine (Python 3.11+ and make):
#   make test   set everything up, then lint, type-check, check the contract and run all tests
#   make run    set everything up, then start the whole system on embedded defaults
# Everything else here is a step of those two.

SHELL := /bin/bash
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
PY := .venv/bin/python
PYTEST_ARGS ?=

.PHONY: setup system-deps stubs check-stubs asyncapi check-asyncapi lint typecheck layers contract \
	contract-release contract-codegen test test-fast unit fuzz topology run bench clean

$(UV):
	@command -v python3 >/dev/null || { echo "python3 (3.11+) is required"; exit 1; }
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# The generated stubs live in libs/ses_protos/src/ses and the SDK's typed client in
# libs/ses_sdk/src/ses_sdk/_generated (both git-ignored); the stubs' folder must exist
# before the editable install so that the package's source root is registered.
# Dependencies are installed with their bytecode compiled, and setup compiles the
# project's own sources: a first `ses up` then starts in about a second, not five.
.venv/.synced: $(UV) pyproject.toml uv.lock $(wildcard libs/*/pyproject.toml) $(wildcard services/*/pyproject.toml)
	mkdir -p libs/ses_protos/src/ses
	$(UV) sync --frozen --compile-bytecode
	touch $@

setup: .venv/.synced stubs
	$(PY) -m compileall -q -j 0 libs/ses_core/src libs/ses_protos/src libs/ses_sdk/src libs/ses_cli/src services bench >/dev/null

stubs: .venv/.synced
	$(PY) scripts/gen_protos.py
	$(PY) scripts/gen_sdk.py

check-stubs: .venv/.synced
	$(PY) scripts/gen_protos.py --check
	$(PY) scripts/gen_sdk.py --check

# The AsyncAPI document of the events (protos/asyncapi.json) is committed: regenerate it
# after editing an events.proto.
asyncapi: .venv/.synced
	$(PY) scripts/gen_asyncapi.py

check-asyncapi: .venv/.synced
	$(PY) scripts/gen_asyncapi.py --check

system-deps:
	bash scripts/ensure-system-deps.sh

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

typecheck: setup
	.venv/bin/mypy libs/ses_sdk/src/ses_sdk libs/ses_cli/src/ses_cli libs/ses_core/src/ses_core services/enrollment/src/ses_enrollment \
		services/complaints/src/ses_complaints services/files/src/ses_files \
		services/notify/src/ses_notify

layers: setup
	.venv/bin/lint-imports

contract: setup
	cd protos && ../.venv/bin/buf lint
	cd protos && ../.venv/bin/buf format --diff --exit-code
	bash scripts/buf-breaking.sh
	$(MAKE) --no-print-directory check-stubs check-asyncapi

# Make protos/ the released contract (rewrites protos/contract/ses-v1.binpb; commit it).
contract-release: setup
	bash scripts/contract-release.sh

# Python and TypeScript stubs into gen/ with protos/buf.gen.yaml (needs node 20+ and npm).
contract-codegen: setup
	bash scripts/ensure-node-tools.sh
	.venv/bin/buf generate protos --template protos/buf.gen.yaml

# The whole gate: what CI runs.
test: setup system-deps lint typecheck layers contract
	bash scripts/run-tests.sh $(PYTEST_ARGS)

# Fast loop for developers: no slow suites, no external-server suites.
test-fast: setup
	.venv/bin/pytest -m "not slow and not integration" -q $(PYTEST_ARGS)

unit: setup
	.venv/bin/pytest tests/unit -q $(PYTEST_ARGS)

# A long fuzzing campaign over every RPC (never part of `make test`, which runs a small fixed
# budget): the "fuzz" Hypothesis profile (tests/conftest.py), 2,000 generated and 2,000
# mutated requests per RPC; FUZZ_EXAMPLES=n for another count.
fuzz: setup
	HYPOTHESIS_PROFILE=fuzz SES_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) .venv/bin/pytest \
		tests/security/test_rpc_fuzzing.py -q --timeout=7200 $(PYTEST_ARGS)

run: setup
	.venv/bin/ses up

# The production topology under faults with the issue's 300 job-aid flows (`make test` runs
# the same test with SES_TOPOLOGY_FLOWS' default); TOPOLOGY_FLOWS=n for another count.
topology: setup system-deps
	SES_TOPOLOGY_FLOWS=$(or $(TOPOLOGY_FLOWS),300) .venv/bin/pytest tests/topology -q -s \
		--timeout=3600 $(PYTEST_ARGS)

# Benchmarks are never part of `make test`: `make bench` lists them, BENCH=upload runs one.
bench: setup
	$(PY) -m bench $(or $(BENCH),--help) $(BENCH_ARGS)

clean:
	rm -rf .venv $(TOOLS) gen libs/ses_protos/src/ses libs/ses_sdk/src/ses_sdk/_generated .pytest_cache .mypy_cache .ruff_cache .coverage
