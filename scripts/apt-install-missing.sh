# Sourced by install-deps.sh and install-bench-deps.sh.
# apt_install_missing TAG PACKAGE...: installs (from Debian's apt) those of the
# packages not yet installed, as root or through sudo, refreshing the package
# lists and retrying once if the first attempt fails. TAG prefixes messages.
apt_install_missing() {
  local tag=$1; shift
  local missing=() p
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  ((${#missing[@]})) || return 0

  echo "$tag: installing missing packages: ${missing[*]}"
  local SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "$tag: error: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    SUDO=sudo
  fi
  if ! $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"; then
    echo "$tag: apt-get install failed; refreshing the package lists and retrying" >&2
    $SUDO apt-get update
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
  fi
}
