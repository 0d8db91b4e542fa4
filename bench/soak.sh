#!/usr/bin/env bash
# Soak: a Valet pair (two daemons peered with a token) and two backends on loopback, under steady
# load for 10 minutes, with on a schedule: 130 reloads (POST /reload, SIGHUP, PUT of a changed
# app), 24 admin PUT/DELETEs of an app that is being requested, a backend SIGKILLed and restarted,
# and a peer SIGKILLed and restarted. Reports requests, errors by kind (expected: in flight to a
# killed process, or to the app while deleted; anything else is unexpected and must be 0), memory
# at start / middle / end (growth <= 10% after warm-up), open fds, and whether the cluster
# counters ended equal on both nodes. Saves the table under bench/results/ and writes the soak
# section of docs/reliability.md. Not part of the test suite.
#
#   bench/soak.sh                          # 10 minutes at 300 requests/s
#   bench/soak.sh --minutes 2 --rate 200   # shorter
#   bench/soak.sh --no-doc                 # leave docs/reliability.md alone
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
minutes=10
rate=300
doc="$here/docs/reliability.md"
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --no-doc) doc="-"; shift ;;
    *) echo "usage: bench/soak.sh [--minutes N] [--rate REQUESTS_PER_SECOND] [--no-doc]" >&2; exit 2 ;;
  esac
done

dotnet build -c Release "$here/Valet.Daemon/Valet.Daemon.csproj" -v q -nologo
dotnet build -c Release "$here/bench/soak/Valet.Bench.Soak.csproj" -v q -nologo
cd "$here"
exec dotnet bench/soak/bin/Release/net10.0/Valet.Bench.Soak.dll Valet.Daemon/bin/Release/net10.0/valet.dll "$minutes" "$rate" bench/results "$doc"
