#!/usr/bin/env bash
# Make sure PostgreSQL server binaries (initdb, pg_ctl) are on this machine: the test suite
# starts a throwaway cluster with them. Installs Debian's package when missing and we are root;
# otherwise says what to do. Never starts anything itself.
set -euo pipefail

find_bindir() {
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir; return 0
  fi
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

if bindir=$(find_bindir); then
  echo "postgresql: server binaries found in $bindir"
  exit 0
fi

if [ "${SES_TEST_SKIP_POSTGRES:-}" = "1" ]; then
  echo "postgresql: not installed; SES_TEST_SKIP_POSTGRES=1 so PostgreSQL suites will be skipped"
  exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "postgresql: installing server packages with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
  bindir=$(find_bindir) || { echo "postgresql: install finished but initdb is still missing" >&2; exit 1; }
  echo "postgresql: server binaries installed in $bindir"
  exit 0
fi

cat >&2 <<'MSG'
postgresql: initdb/pg_ctl not found. Install the PostgreSQL server package
(e.g. `sudo apt-get install postgresql`), or run with SES_TEST_SKIP_POSTGRES=1 to skip
the PostgreSQL half of the suites (CI never does).
MSG
exit 1
