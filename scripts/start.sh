#!/usr/bin/env bash
# Runs the KVS walkthrough example: `npm start`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=scripts/ensure-deps.sh
source scripts/ensure-deps.sh

exec npx --no-install tsx examples/kvs-walkthrough.ts "$@"
