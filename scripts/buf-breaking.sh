#!/usr/bin/env bash
# buf breaking (FILE rules, protos/buf.yaml) against the released contract.
#
# The released contract is a buf image committed in the repository,
# protos/contract/ses-v1.binpb, so the check runs on every clone (tags do not travel with
# a clone; a committed file does). `make contract-release` (scripts/contract-release.sh)
# rewrites the image on purpose. Until the first release the image is absent, the contract
# may change freely and the check says that it is skipped; from then on any breaking
# change to a service or to an events.proto fails the build (both are in the image).
#
# SES_CONTRACT_PROTOS and SES_CONTRACT_IMAGE point the check at another module or image
# (the tests use them on copies); relative paths are taken from the repository root.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
buf=.venv/bin/buf
protos=${SES_CONTRACT_PROTOS:-protos}
image=${SES_CONTRACT_IMAGE:-protos/contract/ses-v1.binpb}

if [[ ! -f "$image" ]]; then
    echo "buf breaking: skipped: no released contract yet ($image is absent)."
    echo "  \`make contract-release\` cuts the first release; from then on breaking changes fail."
    exit 0
fi

echo "buf breaking: checking $protos against the released contract $image"
if ! "$buf" breaking "$protos" --against "$image"; then
    echo "buf breaking: the changes above break the released contract ($image)." >&2
    echo "Keep the old fields, RPCs, events and numbers (add new ones beside them), or plan" >&2
    echo "a new package version (ses.<context>.v2) for an intentional break." >&2
    exit 1
fi
echo "buf breaking: no breaking change against the released contract."
