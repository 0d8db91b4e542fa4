#!/usr/bin/env bash
# Removes what scripts/install.sh installed, except app files, settings and tokens
# (/etc/valet, /etc/default/valet) and the valet user, so a reinstall serves the same apps.
#
#   sudo scripts/uninstall.sh
#   DESTDIR=/tmp/root scripts/uninstall.sh
set -euo pipefail

root="${DESTDIR:-}"
say() { printf 'valet uninstall: %s\n' "$*"; }

if [ -z "$root" ] && [ -d /run/systemd/system ]; then
  systemctl disable --now valet.service 2>/dev/null || true
fi

rm -f "$root/lib/systemd/system/valet.service"
rm -f "$root/usr/bin/valet"
rm -rf "$root/usr/lib/valet"

if [ -z "$root" ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
fi

say "removed the program and the unit; kept $root/etc/valet (app files, tokens) and $root/etc/default/valet"
