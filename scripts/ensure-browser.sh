# Sourced by scripts/test.sh and scripts/start.sh: makes sure Debian's Chromium is installed
# (Playwright drives it through executablePath; it cannot download its own browsers here).
# Set ERLMESH_CHROMIUM to use another binary.
CHROMIUM="${ERLMESH_CHROMIUM:-/usr/bin/chromium}"
if [[ ! -x "$CHROMIUM" ]]; then
  printf '==> installing Chromium from Debian (apt-get install chromium)\n'
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq </dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium </dev/null >/dev/null
fi
export ERLMESH_CHROMIUM="$CHROMIUM"
