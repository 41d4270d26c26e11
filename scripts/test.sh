#!/usr/bin/env bash
# Full check: install if needed, then lint, typecheck, unit/integration tests.
# Non-interactive: safe with CI=true and no stdin.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec </dev/null

# Plain text in logs: CI=true makes the color libraries emit ANSI codes even into a pipe,
# which breaks grepping for summary lines like "Tests  N passed". FORCE_COLOR=1 overrides.
if [[ ! -t 1 && -z "${FORCE_COLOR:-}" ]]; then
  export NO_COLOR=1
fi

# shellcheck source=scripts/ensure-deps.sh
source scripts/ensure-deps.sh

step() { printf '\n==> %s\n' "$*"; }

step "lint (eslint .)"
npm run --silent lint

step "typecheck (tsconfig.json + tsconfig.core.json)"
npm run --silent typecheck

step "API reference (typedoc, warnings are errors)"
npm run --silent docs

# shellcheck source=scripts/ensure-erlang.sh
source scripts/ensure-erlang.sh

# shellcheck source=scripts/ensure-redis.sh
source scripts/ensure-redis.sh

step "tests (vitest run)"
npx --no-install vitest run

# shellcheck source=scripts/ensure-browser.sh
source scripts/ensure-browser.sh

step "build the browser pages (vite build)"
npx --no-install vite build --logLevel warn

step "e2e (playwright, Debian chromium)"
npx --no-install playwright test

step "all checks passed"
