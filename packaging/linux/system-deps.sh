#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages microapp needs beyond Python itself:
#   run   - the libraries Qt's X11/Wayland platform plugins load (a fresh machine lacks some),
#           and notify-send (libnotify-bin): without dbus-python it is how notifications leave
#   test  - the above plus Xvfb, a tray host (trayer) and X tools for the end-to-end tests
#           (x11-xserver-utils: xrandr, which splits one Xvfb screen into two monitors), and a
#           real notification daemon (dunst) for tests/integration/test_notifications_real.py;
#           desktop-file-utils, appstream and gio (libglib2.0-bin) check the Linux desktop files
#           (to build the bundle PyInstaller needs objdump from binutils, and the shared libpython
#           that Debian's own python3 leaves to libpython3-dev)
# Only missing packages are installed; without root or sudo it prints the command instead.
set -euo pipefail

what=${1:-run}
run_pkgs=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4
          libxcb-keysyms1 libxcb-shape0 libxcb-render-util0 libxcb-image0 libxcb-xinerama0
          libxcb-randr0 libdbus-1-3 libfontconfig1 fonts-dejavu-core libnotify-bin)
test_pkgs=(xvfb trayer x11-utils x11-xserver-utils xdotool imagemagick dbus dunst
           desktop-file-utils appstream libglib2.0-bin binutils libpython3-dev)

pkgs=("${run_pkgs[@]}")
[ "$what" = "test" ] && pkgs+=("${test_pkgs[@]}")

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system-deps: not a Debian-like system; install Qt 6's X11 libraries with your package manager." >&2
  exit 0
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
  echo "system-deps: please install: apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
