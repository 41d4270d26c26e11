#!/usr/bin/env bash
# `npm start`: the relay, a server-node demo@<host> running kvs, and the demo page, all on
# one local port (http://127.0.0.1:8080/ by default; no outside service). Installs the
# dependencies and builds the page first when needed. Extra arguments go to `erlmesh demo`:
# `npm start -- --port 9000`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=scripts/ensure-deps.sh
source scripts/ensure-deps.sh

# Build the pages (dist/public) when missing or older than anything they are built from.
page=dist/public/index.html
if [[ ! -f $page ]] \
   || [[ -n "$(find public src/browser src/core vite.config.ts package-lock.json -newer "$page" -type f -print -quit)" ]]; then
  printf '==> building the demo page (vite build)\n'
  npx --no-install vite build --logLevel warn </dev/null
fi

# The CLI from the sources (a stale dist/src build is never used here).
export ERLMESH_FROM_SOURCE=1
exec node bin/erlmesh.js demo "$@"
