#!/usr/bin/env bash
# The test run behind `make test`: every suite, with branch coverage of ses_core and a
# separate 95% gate on the pure domain modules (issue 2).
set -euo pipefail
cd "$(dirname "$0")/.."

rm -f .coverage .coverage.*
.venv/bin/pytest --cov=ses_core --cov-branch --cov-report= -q "$@"

echo
echo "Branch coverage, ses_core (all modules): $(.venv/bin/coverage report --format=total)%"
echo
echo "Branch coverage, ses_core domain modules (gate: 95%):"
.venv/bin/coverage report --fail-under=95 --show-missing --skip-covered \
  --include='*/ses_core/errors.py,*/ses_core/limits/*,*/ses_core/events.py,*/ses_core/uploads.py,*/ses_core/uploads/*,*/ses_core/calendar.py,*/ses_core/calendar/*,*/ses_core/permissions.py,*/ses_core/permissions/*,*/ses_core/identity.py,*/ses_core/accounts/*,*/ses_core/notifications/*,*/ses_core/lifecycle/*,*/ses_core/models/*,*/ses_core/audit/*'
