# Sourced by scripts/test.sh and scripts/start.sh (run from the repository root):
# runs `npm ci` when node_modules is missing or older than package-lock.json.
if [[ ! -d node_modules || ! -f node_modules/.package-lock.json \
      || package-lock.json -nt node_modules/.package-lock.json ]]; then
  printf '==> installing dependencies (npm ci)\n'
  npm ci --no-audit --no-fund </dev/null
fi
