#!/usr/bin/env bash
# buf breaking (FILE rules, protos/buf.yaml) against the latest release of the contract.
#
# A release of the contract is a git tag named contract-v<version> (the first one is cut
# when the end-to-end job aid passes). Until such a tag exists the contract may change
# freely, so the check is skipped; once it exists, any breaking change fails the build.
# "Latest" means the highest version (git's version sort), not the newest tag date.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
buf=.venv/bin/buf
skipped="buf breaking: no release tag of the contract yet (contract-v*); skipped until the first release"

if ! git rev-parse --git-dir >/dev/null 2>&1; then
    echo "$skipped (not a git checkout)"
    exit 0
fi

latest=$(git tag --list 'contract-v*' --sort=-v:refname | sed -n 1p)
if [[ -z "$latest" ]]; then
    echo "$skipped"
    exit 0
fi

# The common dir is the repository's .git even inside a linked worktree, where .git is a file.
git_dir=$(git rev-parse --path-format=absolute --git-common-dir)
echo "buf breaking: checking protos/ against ${latest}"
if ! "$buf" breaking protos --against "${git_dir}#tag=${latest},subdir=protos"; then
    echo "buf breaking: the changes above break the released contract ${latest}." >&2
    echo "Keep the old fields, RPCs and numbers (add new ones beside them), or plan a new" >&2
    echo "package version (ses.<context>.v2) for an intentional break." >&2
    exit 1
fi
echo "buf breaking: no breaking change against ${latest}."
