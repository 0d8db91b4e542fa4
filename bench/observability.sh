#!/usr/bin/env bash
# The cost of Valet's observability on proxy throughput: the same Valet build twice, side by side on
# loopback, one with the defaults (metrics, JSON access log written to a file, /metrics scraped every
# second) and one with --access-log off and /metrics never scraped. wrk drives each in turn,
# interleaved (on, off, on, off, ...), on a plain app and on an app with an API key and a rate limit
# (so requests carry a consumer label).
#
#   bench/observability.sh                          # 5 rounds of 10 s per case (about 4 minutes)
#   bench/observability.sh --rounds 1 --duration 3  # a quick look
#
# CPU pinning as in bench/proxy.sh: the Valet under load on CPU 1 (the idle one waits there too),
# wrk, the backend and the scraper on CPU 0. Besides req/s, each run records the Valet process's CPU
# time (user + system, from /proc) per request answered: on a machine shared with other work,
# throughput swings with the neighbours, while CPU time per request is what observability costs.
# Prints one table and saves it under bench/results/.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
rounds=5
duration=10
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    *) echo "usage: bench/observability.sh [--rounds N] [--duration SECONDS]" >&2; exit 2 ;;
  esac
done

need=()
for pair in nginx:nginx-light wrk:wrk curl:curl; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair##*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

cpus=$(nproc)
if [ "$cpus" -ge 2 ]; then load_cpu=0; proxy_cpu=1-$((cpus - 1)); else load_cpu=0; proxy_cpu=0; fi

work=$(mktemp -d /tmp/valet-obs-bench.XXXXXX)
chmod 755 "$work"
pids=()
scraper=""
cleanup() {
  if [ -n "$scraper" ]; then kill "$scraper" 2>/dev/null || true; fi
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

B1=18181 B2=18182 ON=18190 ON_ADMIN=18191 OFF=18192 OFF_ADMIN=18193
KEY=bench-key-0123456789abcdef

# --- backend -------------------------------------------------------------------------------------
mkdir -p "$work/backend"
cat > "$work/backend/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/backend/nginx.pid;
error_log $work/backend/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 10000000;
  server {
    listen 127.0.0.1:$B1;
    listen 127.0.0.1:$B2;
    location / { default_type application/json; return 200 '{"ok":true,"service":"bench","message":"hello from the backend"}'; }
  }
}
CONF
taskset -c "$load_cpu" nginx -c "$work/backend/nginx.conf" -p "$work/backend" &
pids+=($!)

# --- two Valets from one build -------------------------------------------------------------------
echo "publishing Valet (Release, ReadyToRun)..." >&2
dotnet publish "$here/Valet.Daemon/Valet.Daemon.csproj" -c Release -r linux-x64 --self-contained false \
  -p:PublishReadyToRun=true -o "$work/valet" -v quiet -nologo >/dev/null
mkdir -p "$work/conf"
cat > "$work/conf/bench.json" <<CONF
{ "name": "bench", "description": "observability benchmark",
  "endpoints": [ { "host": "127.0.0.1", "port": $B1 }, { "host": "127.0.0.1", "port": $B2 } ] }
CONF
cat > "$work/conf/benchpol.json" <<CONF
{ "name": "benchpol", "description": "API key and a rate limit that never rejects: requests have a consumer",
  "authorize": true, "keys": [ { "id": "bench-consumer", "key": "$KEY" } ],
  "rateLimit": true, "limitValue": 2000000000, "limitBy": "consumer",
  "endpoints": [ { "host": "127.0.0.1", "port": $B1 }, { "host": "127.0.0.1", "port": $B2 } ] }
CONF
# The access log goes to a file, as it would to the journal or a log shipper (the console log too).
taskset -c "$proxy_cpu" "$work/valet/valet" --conf "$work/conf" --bind 127.0.0.1 --port $ON --admin-port $ON_ADMIN \
  > "$work/access-on.log" 2>&1 &
on_pid=$!
pids+=($on_pid)
taskset -c "$proxy_cpu" "$work/valet/valet" --conf "$work/conf" --bind 127.0.0.1 --port $OFF --admin-port $OFF_ADMIN --access-log off \
  > "$work/access-off.log" 2>&1 &
off_pid=$!
pids+=($off_pid)

for port in $ON $OFF; do
  for _ in $(seq 1 200); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/bench/" 2>/dev/null && break
    sleep 0.05
  done
  curl -fsS -o /dev/null "http://127.0.0.1:$port/bench/" || { echo "Valet on port $port does not answer"; cat "$work"/access-*.log; exit 1; }
done

# Prometheus-style scraping of the instrumented Valet, once a second, for the whole run.
( while true; do taskset -c "$load_cpu" curl -fsS -o /dev/null "http://127.0.0.1:$ON_ADMIN/metrics" || true; sleep 1; done ) &
scraper=$!

# --- load ----------------------------------------------------------------------------------------
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.3f\n", v}'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
ticks=$(getconf CLK_TCK)
# wrk_run NAME PID URL [wrk args...] -> "name rps p99ms errors cpu-us-per-request" in $work/raw
wrk_run() {
  local name=$1 pid=$2 url=$3; shift 3
  local out rps p99 errors requests before after us
  before=$(cpu_ticks "$pid")
  out=$(taskset -c "$load_cpu" wrk -t1 -c64 -d"${duration}s" --latency "$@" "$url" 2>&1)
  after=$(cpu_ticks "$pid")
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out" | to_ms)
  errors=$(awk '/Non-2xx or 3xx responses:/ {n=$NF} /Socket errors:/ {gsub(",", ""); s=$4+$6+$8+$10} END {print n+s}' <<<"$out")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  us=$(awk -v b="$before" -v a="$after" -v t="$ticks" -v n="${requests:-0}" 'BEGIN {if (n>0) printf "%.2f", (a-b)*1e6/t/n; else print 0}')
  echo "$name ${rps:-0} ${p99:-0} ${errors:-0} $us" >> "$work/raw"
  printf '  %-14s %10s req/s  p99 %7s ms  errors %s  CPU %s us/request\n' "$name" "${rps:-0}" "${p99:-0}" "${errors:-0}" "$us" >&2
}

: > "$work/raw"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "warming up..." >&2
for port in $ON $OFF; do
  taskset -c "$load_cpu" wrk -t1 -c64 -d3s "http://127.0.0.1:$port/bench/" >/dev/null 2>&1
  taskset -c "$load_cpu" wrk -t1 -c64 -d3s -H "X-Valet-Auth: $KEY" "http://127.0.0.1:$port/benchpol/" >/dev/null 2>&1
done
for r in $(seq 1 "$rounds"); do
  echo "round $r" >&2
  wrk_run on-plain "$on_pid" "http://127.0.0.1:$ON/bench/"
  wrk_run off-plain "$off_pid" "http://127.0.0.1:$OFF/bench/"
  wrk_run on-policies "$on_pid" "http://127.0.0.1:$ON/benchpol/" -H "X-Valet-Auth: $KEY"
  wrk_run off-policies "$off_pid" "http://127.0.0.1:$OFF/benchpol/" -H "X-Valet-Auth: $KEY"
done
kill "$scraper" 2>/dev/null || true
scraper=""
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
metrics=$(curl -fsS "http://127.0.0.1:$ON_ADMIN/metrics")
lines=$(grep -c '"requestId"' "$work/access-on.log" || true)
dropped=$(awk '/^valet_accesslog_dropped_total/ {print $2}' <<<"$metrics")
served=$(awk '/^valet_requests_total/ {s+=$2} END {print s+0}' <<<"$metrics")

# --- report --------------------------------------------------------------------------------------
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print 0; else if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
col() { awk -v n="$1" -v k="$2" '$1==n {print $k}' "$work/raw" | median; }
spread() { awk -v n="$1" '$1==n {print $2}' "$work/raw" | sort -g | awk '{a[NR]=$1} END {if (NR) printf "%s to %s", a[1], a[NR]}'; }
errs() { awk -v n="$1" '$1==n {s+=$4} END {print s+0}' "$work/raw"; }
cost() { awk -v on="$1" -v off="$2" 'BEGIN {if (off>0) printf "%.1f%%", (off-on)*100/off; else print "n/a"}'; }

stamp=$(date -u +%Y%m%d-%H%M)
report="$here/bench/results/observability-$stamp.md"
{
  echo "# Observability overhead, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Machine: $(nproc) CPUs ($(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2; exit}')), kernel $(uname -r); load average $load_before before the run, $load_after after."
  echo "Valet pinned to CPU $proxy_cpu; wrk (1 thread, 64 connections), the backend nginx and the scraper on CPU $load_cpu."
  echo "\"on\": defaults (metrics, JSON access log to a file, /metrics scraped every second). \"off\": --access-log off, /metrics never scraped."
  echo "Runs: $rounds interleaved rounds of ${duration} s per case; medians (and range) of req/s over rounds; CPU us/req = the Valet process's user + system time per request answered (median over rounds)."
  echo
  echo "| app | on req/s | off req/s | on range | off range | on p99 ms | off p99 ms | cost (req/s) | on CPU us/req | off CPU us/req | cost (CPU/req) | errors on/off |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  for app in plain policies; do
    on=$(col on-$app 2); off=$(col off-$app 2); con=$(col on-$app 5); coff=$(col off-$app 5)
    echo "| $app | $on | $off | $(spread on-$app) | $(spread off-$app) | $(col on-$app 3) | $(col off-$app 3) | $(cost "$on" "$off") | $con | $coff | $(awk -v a="$con" -v b="$coff" 'BEGIN {if (b>0) printf "%.1f%%", (a-b)*100/b; else print "n/a"}') | $(errs on-$app)/$(errs off-$app) |"
  done
  echo
  echo "Access log: $lines lines written for $served requests answered by the instrumented Valet; ${dropped:-0} dropped."
} > "$report"
cat "$report"
echo "saved to ${report#"$here"/}" >&2
