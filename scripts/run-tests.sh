#!/usr/bin/env bash
# The test run behind `make test`: every suite, with branch coverage of ses_core and a
# separate 95% gate on the pure domain modules (issue 2).
#
# Two pytest-xdist workers (SES_TEST_WORKERS; 0 runs in this process), each test file whole
# on one worker (--dist loadfile): a module's servers are started once, as without xdist,
# and most of a run is spent waiting on servers and child processes, not on a core. Files
# are handed out in collection order (--no-loadscope-reorder; xdist would sort them by
# their number of tests, which put the one-test topology file last), and tests/conftest.py
# puts the long files first.
set -euo pipefail
cd "$(dirname "$0")/.."

rm -f .coverage .coverage.*
.venv/bin/pytest -n "${SES_TEST_WORKERS:-2}" --dist loadfile --no-loadscope-reorder \
  --cov=ses_core --cov-branch --cov-report= -q "$@"

echo
echo "Branch coverage, ses_core (all modules): $(.venv/bin/coverage report --format=total)%"
echo
echo "Branch coverage, ses_core domain modules (gate: 95%):"
.venv/bin/coverage report --fail-under=95 --show-missing --skip-covered \
  --include='*/ses_core/errors.py,*/ses_core/limits/*,*/ses_core/events.py,*/ses_core/uploads.py,*/ses_core/uploads/*,*/ses_core/calendar.py,*/ses_core/calendar/*,*/ses_core/permissions.py,*/ses_core/permissions/*,*/ses_core/identity.py,*/ses_core/accounts/*,*/ses_core/notifications/*,*/ses_core/lifecycle/*,*/ses_core/models/*,*/ses_core/audit/*'
