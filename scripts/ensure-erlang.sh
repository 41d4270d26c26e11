# Sourced by scripts/test.sh: makes sure Erlang/OTP (erl, epmd) is installed, for the tests
# that run erlmesh beside real Erlang nodes (apt-get install erlang-nox when missing).
if ! command -v erl >/dev/null 2>&1 || ! command -v epmd >/dev/null 2>&1; then
  printf '==> installing Erlang/OTP from Debian (apt-get install erlang-nox)\n'
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq </dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq erlang-nox </dev/null >/dev/null
fi
