#!/usr/bin/env bash
# Make sure the system programs the test suite uses are on this machine, installing Debian's
# packages when they are missing and we are root; otherwise says what to do. Never starts
# anything itself.
#   - PostgreSQL server binaries (initdb, pg_ctl): the suites start a throwaway cluster.
#   - kubectl (optional): renders the kustomize overlays under deploy/ for the manifest tests;
#     without it that half of tests/unit/deploy is skipped.
#   - Node.js 20+ with npm: the contract tests install the pinned npm tools with it
#     (scripts/ensure-node-tools.sh: TypeScript stubs from buf.gen.yaml compiled with tsc, the
#     AsyncAPI document checked by the AsyncAPI parser); without node they are skipped.
set -euo pipefail

apt_updated=0
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  if [ "$apt_updated" = 0 ]; then apt-get update -qq; apt_updated=1; fi
  apt-get install -y -qq "$@" >/dev/null
}

can_install() { [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; }

ensure_kubectl() {
  if command -v kubectl >/dev/null 2>&1; then
    echo "kubectl: found at $(command -v kubectl)"
  elif can_install && apt_install kubectl 2>/dev/null; then
    echo "kubectl: installed"
  else
    echo "kubectl: not available; rendered-manifest tests will be skipped"
  fi
}

ensure_node() {
  if ! { command -v node && command -v npm; } >/dev/null 2>&1 && can_install; then
    echo "node: installing nodejs and npm with apt-get"
    apt_install nodejs npm || true
  fi
  if ! { command -v node && command -v npm; } >/dev/null 2>&1; then
    echo "node: not available; the TypeScript and AsyncAPI parser contract tests will be skipped"
  elif [ "$(node --version | sed -E 's/^v([0-9]+).*/\1/')" -lt 20 ]; then
    echo "node: $(node --version) is older than 20, which protoc-gen-es needs: install Node.js 20+" >&2
  else
    echo "node: $(node --version) with npm $(npm --version)"
  fi
}

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

ensure_kubectl
ensure_node

if bindir=$(find_bindir); then
  echo "postgresql: server binaries found in $bindir"
  exit 0
fi

if [ "${SES_TEST_SKIP_POSTGRES:-}" = "1" ]; then
  echo "postgresql: not installed; SES_TEST_SKIP_POSTGRES=1 so PostgreSQL suites will be skipped"
  exit 0
fi

if can_install; then
  echo "postgresql: installing server packages with apt-get"
  apt_install postgresql
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
