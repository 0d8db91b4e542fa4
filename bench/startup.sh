#!/usr/bin/env bash
# Start-up time: from exec of the published (ReadyToRun) daemon to READY=1 on $NOTIFY_SOCKET,
# with 100 app files. Prints the runs and the median, and saves them under bench/results/.
#   bench/startup.sh [runs]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-7}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

dotnet publish "$here/Valet.Daemon/Valet.Daemon.csproj" -c Release -r linux-x64 --self-contained false \
  -p:PublishReadyToRun=true -o "$work/bin" --nologo -v quiet >/dev/null

mkdir -p "$work/conf"
for i in $(seq -w 1 100); do
  cat > "$work/conf/app$i.json" <<JSON
{ "name": "app$i", "description": "generated app $i", "authorize": true, "authKey": "key-$i",
  "rateLimit": true, "limitValue": 1000, "methods": ["GET", "POST"],
  "endpoints": [ { "host": "127.0.0.1", "port": $((20000 + 10#$i)) }, { "host": "127.0.0.1", "port": $((21000 + 10#$i)) } ],
  "mocks": [ { "path": "/health", "body": { "ok": true } } ] }
JSON
done

/usr/bin/python3 - "$work" "$runs" <<'PY' | tee "$work/table.md"
import os, socket, statistics, subprocess, sys, time
work, runs = sys.argv[1], int(sys.argv[2])
times = []
for run in range(runs):
    path = os.path.join(work, f"notify{run}.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(30)
    env = dict(os.environ, NOTIFY_SOCKET=path)
    start = time.monotonic()
    proc = subprocess.Popen([os.path.join(work, "bin", "valet"), "--conf", os.path.join(work, "conf"),
                             "--port", "0", "--admin-port", "0", "--bind", "127.0.0.1"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        message = sock.recv(4096).decode()
        if message.startswith("READY=1"):
            break
    elapsed = (time.monotonic() - start) * 1000
    proc.terminate(); proc.wait(timeout=60); sock.close()
    if run > 0:  # the first run warms the page cache
        times.append(elapsed)
print("| measure | value |")
print("|---|---|")
print(f"| app files | 100 |")
print(f"| runs (after one warm-up) | {len(times)} |")
print(f"| exec → READY=1, each (ms) | {', '.join(f'{t:.0f}' for t in times)} |")
print(f"| exec → READY=1, median (ms) | {statistics.median(times):.0f} |")
print(f"| target | ≤ 500 ms |")
PY

out="$here/bench/results/startup-$(date -u +%Y%m%d).md"
{ echo "# Start-up with 100 app files ($(date -u +%F))"; echo; echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr), .NET $(dotnet --version)"; echo; cat "$work/table.md"; } > "$out"
echo "saved $out"
