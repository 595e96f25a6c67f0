#!/usr/bin/env bash
# Install the contract's npm tools (scripts/node-tools/package.json, pinned by its
# package-lock.json) into .tools/node/node_modules, for `make contract-codegen` and the
# slow contract tests: protoc-gen-es (buf's TypeScript generator) and @bufbuild/protobuf,
# tsc, and @asyncapi/parser. Needs node 20+ and npm; node itself is a system package
# (scripts/ensure-system-deps.sh).
#
# Idempotent and cheap when nothing changed: `npm ci` runs only when the installed lock
# differs from the committed one. Install scripts are not run (--ignore-scripts): none of
# these tools needs one, and one transitive dependency's would only report usage.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
manifest=scripts/node-tools
target=.tools/node

for program in node npm; do
    command -v "$program" >/dev/null 2>&1 || {
        echo "node-tools: $program is not installed; install Node.js 20 or newer with npm" >&2
        echo "(as root, scripts/ensure-system-deps.sh does it with apt-get)." >&2
        exit 1
    }
done
major=$(node --version | sed -E 's/^v([0-9]+).*/\1/')
if (( major < 20 )); then
    echo "node-tools: node $(node --version) is too old; protoc-gen-es needs Node.js 20 or newer." >&2
    exit 1
fi

# Parallel test workers (pytest-xdist) may ask at once: one installs, the others wait.
mkdir -p .tools
exec 9>".tools/node.lock"
flock 9

if cmp -s "$manifest/package-lock.json" "$target/package-lock.json" \
    && [[ -f "$target/node_modules/.package-lock.json" ]]; then
    exit 0
fi
mkdir -p "$target"
cp "$manifest/package.json" "$manifest/package-lock.json" "$target/"
echo "node-tools: installing the pinned npm tools into $target"
(cd "$target" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
