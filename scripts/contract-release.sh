#!/usr/bin/env bash
# `make contract-release`: make protos/ the released contract by rewriting the buf image
# protos/contract/ses-v1.binpb, which scripts/buf-breaking.sh checks every build against.
#
# - Lints first: a release is of a contract that passes `buf lint`.
# - Refuses a release that breaks the previous one, unless SES_CONTRACT_ACCEPT_BREAKING=1
#   says the break is intended (it shows what breaks either way). Releasing an additive
#   change needs nothing more.
# - Idempotent: when protos/ already is the released contract it says so and writes
#   nothing, so it is safe to re-run.
# - The image has the imports it needs (the well-known types) but no source info: comments
#   do not take part in breaking-change detection, and the image then changes only when
#   the contract's shape does. (The descriptor set shipped in the stubs package keeps them.)
#
# Commit the image afterwards; the commit is the release.
# SES_CONTRACT_PROTOS and SES_CONTRACT_IMAGE as in scripts/buf-breaking.sh.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
buf=.venv/bin/buf
protos=${SES_CONTRACT_PROTOS:-protos}
image=${SES_CONTRACT_IMAGE:-protos/contract/ses-v1.binpb}

"$buf" lint "$protos" || {
    echo "contract-release: fix the lint errors above first; nothing released." >&2
    exit 1
}

candidate=$(mktemp "${TMPDIR:-/tmp}/ses-contract.XXXXXX.binpb")
trap 'rm -f "$candidate"' EXIT
"$buf" build "$protos" --exclude-source-info -o "$candidate"

if [[ -f "$image" ]]; then
    if cmp -s "$candidate" "$image"; then
        echo "contract-release: $protos already is the released contract ($image); nothing to do."
        exit 0
    fi
    if ! "$buf" breaking "$protos" --against "$image"; then
        if [[ "${SES_CONTRACT_ACCEPT_BREAKING:-}" != "1" ]]; then
            echo "contract-release: refused: the changes above break the released contract." >&2
            echo "Make them additive, or re-run with SES_CONTRACT_ACCEPT_BREAKING=1 if every" >&2
            echo "client of the contract has agreed to the break." >&2
            exit 1
        fi
        echo "contract-release: SES_CONTRACT_ACCEPT_BREAKING=1: releasing the breaking changes above."
    fi
fi

mkdir -p "$(dirname "$image")"
cp "$candidate" "$image"
echo "contract-release: rewrote $image: the released contract is now $protos as it stands."
echo "  Commit it (git add $image); from this commit on, buf breaking guards this release."
