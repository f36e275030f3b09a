#!/bin/sh
# Puts microapp in your desktop's application menu (for you alone, no root needed): copies the
# desktop entry, the AppStream metadata and the icons into $XDG_DATA_HOME (~/.local/share).
#   packaging/linux/install-desktop-files.sh               install (again: replaces them)
#   packaging/linux/install-desktop-files.sh --uninstall   remove exactly those files
# microapp itself is installed separately (pipx install .); the menu entry runs `microapp`
# from your PATH.
set -eu

app_id=io.github.microapp.Microapp
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-}
case $data in /*) ;; *) data="$HOME/.local/share" ;; esac  # unset or relative: the default
sizes="16 22 24 32 48 64 128 256 512"

put() {  # put SOURCE TARGET: a copy readable by everyone (install -D is GNU-only)
  mkdir -p "$(dirname "$2")"
  cp "$1" "$2.tmp.$$" && chmod 0644 "$2.tmp.$$" && mv -f "$2.tmp.$$" "$2"
}

refresh() {
  # Menus and icon themes notice new files by folder times; an icon cache, where one exists
  # (none by default in a home folder), would hide new icons until it is rebuilt.
  if [ -f "$data/icons/hicolor/icon-theme.cache" ] && command -v gtk-update-icon-cache >/dev/null 2>&1; then
    gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
  fi
  touch "$data/icons/hicolor" "$data/applications" 2>/dev/null || true
}

case ${1:-} in
  --uninstall)
    rm -f "$data/applications/$app_id.desktop" "$data/metainfo/$app_id.metainfo.xml" \
          "$data/icons/hicolor/scalable/apps/$app_id.svg"
    for n in $sizes; do rm -f "$data/icons/hicolor/${n}x${n}/apps/$app_id.png"; done
    [ -d "$data/icons/hicolor" ] && refresh
    echo "microapp's menu entry, metadata and icons are removed from $data."
    ;;
  "")
    put "$here/$app_id.desktop" "$data/applications/$app_id.desktop"
    put "$here/$app_id.metainfo.xml" "$data/metainfo/$app_id.metainfo.xml"
    put "$here/icons/hicolor/scalable/apps/$app_id.svg" \
        "$data/icons/hicolor/scalable/apps/$app_id.svg"
    for n in $sizes; do
      put "$here/icons/hicolor/${n}x${n}/apps/$app_id.png" \
          "$data/icons/hicolor/${n}x${n}/apps/$app_id.png"
    done
    refresh
    echo "microapp is in your application menu (files in $data)."
    command -v microapp >/dev/null 2>&1 ||
      echo "Note: 'microapp' is not on your PATH yet; install it first (pipx install .)." >&2
    ;;
  *)
    echo "usage: $0 [--uninstall]" >&2
    exit 2
    ;;
esac
