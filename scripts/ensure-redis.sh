# Sourced by scripts/test.sh: makes sure redis-server is installed, for the relay-cluster tests
# (test/server/relay-cluster.test.ts starts its own on a free loopback port and kills it after;
# apt-get install redis-server when missing). Nothing here starts a Redis service.
if ! command -v redis-server >/dev/null 2>&1; then
  printf '==> installing Redis from Debian (apt-get install redis-server)\n'
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq </dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server </dev/null >/dev/null
fi
