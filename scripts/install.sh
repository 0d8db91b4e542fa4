#!/usr/bin/env bash
# Installs Valet as a systemd service. Idempotent: run it again to upgrade; it never overwrites
# app files, settings or tokens that are already there.
#
#   sudo scripts/install.sh            # install on this host and enable the service
#   DESTDIR=/tmp/root scripts/install.sh   # stage into a throwaway root (no user, no systemctl)
#
# Layout: /usr/lib/valet (ReadyToRun build, framework-dependent linux-x64), /usr/bin/valet,
# /etc/valet/conf.d (app files), /etc/valet/credentials (admin and peer tokens, root only),
# /etc/default/valet (settings), /lib/systemd/system/valet.service.
set -euo pipefail

root="${DESTDIR:-}"
here="$(cd "$(dirname "$0")/.." && pwd)"
lib="$root/usr/lib/valet"
etc="$root/etc/valet"

say() { printf 'valet install: %s\n' "$*"; }

say "publishing (Release, ReadyToRun, linux-x64) to $lib"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
dotnet publish "$here/Valet.Daemon/Valet.Daemon.csproj" -c Release -r linux-x64 --self-contained false \
  -p:PublishReadyToRun=true -o "$stage" --nologo -v quiet >/dev/null
rm -rf "$lib.new" && mkdir -p "$(dirname "$lib")" && cp -a "$stage" "$lib.new"
rm -rf "$lib.old"; [ -d "$lib" ] && mv "$lib" "$lib.old"
mv "$lib.new" "$lib" && rm -rf "$lib.old"

mkdir -p "$root/usr/bin"
ln -sfn /usr/lib/valet/valet "$root/usr/bin/valet"

install -d -m 0755 "$etc" "$etc/conf.d"
install -d -m 0700 "$etc/credentials"
if [ -z "$(find "$etc/conf.d" -maxdepth 1 -name '*.json' -print -quit)" ]; then
  say "adding the sample apps to $etc/conf.d"
  for f in "$here"/conf/*.json; do install -m 0644 "$f" "$etc/conf.d/"; done
else
  say "keeping the app files in $etc/conf.d"
  [ -f "$here/conf/app.schema.json" ] && install -m 0644 "$here/conf/app.schema.json" "$etc/conf.d/"
fi

for token in admin-token peer-token; do
  if [ ! -s "$etc/credentials/$token" ]; then
    say "generating $etc/credentials/$token"
    (umask 077; head -c 48 /dev/urandom | base64 | tr -d '/+=\n' | head -c 40 > "$etc/credentials/$token")
  fi
done

if [ ! -f "$root/etc/default/valet" ]; then
  install -d "$root/etc/default"
  cat > "$root/etc/default/valet" <<'SETTINGS'
# Valet settings (see `valet --help`). Restart the service after a change.
#VALET_PORT=8000
#VALET_BIND=
#VALET_ADMIN_PORT=8001
#VALET_ADMIN_BIND=127.0.0.1
# Redundant pair or cluster: this node's id and the other nodes' peer addresses.
#VALET_NODE_ID=
#VALET_PEERS=http://10.0.0.2:8002
#VALET_PEER_PORT=8002
SETTINGS
fi

install -d "$root/lib/systemd/system"
install -m 0644 "$here/valet.service" "$root/lib/systemd/system/valet.service"

if [ -n "$root" ]; then
  say "staged into $root (no user created, systemd untouched)"
  exit 0
fi

if ! getent passwd valet >/dev/null; then
  say "creating system user valet"
  useradd --system --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin --user-group valet
fi
chown -R valet:valet "$etc/conf.d"

if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable valet.service
  systemctl restart valet.service
  say "valet.service enabled and (re)started; admin token in $etc/credentials/admin-token"
else
  say "systemd is not running here: unit installed, start it with systemctl on a systemd host"
fi
