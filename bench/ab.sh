#!/usr/bin/env bash
# A/B of two published Valet builds, with nginx as the anchor, on loopback: for tuning the
# forwarder between full bench/proxy.sh runs.
#
#   dotnet publish Valet.Daemon -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o /tmp/pubA
#   (change something)  ... -o /tmp/pubB
#   bench/ab.sh /tmp/pubA /tmp/pubB [rounds=3] [connections=64] [seconds=5]
#
# The same layout as bench/proxy.sh (backend nginx and wrk on CPU 0, the proxy under test on
# CPU 1, Valet with valet.service's Environment= lines), interleaved nginx A B nginx A B ...
# Prints per run: req/s, p99, the proxy's CPU time per request and Valet's RSS.
# Environment: EXTRA_A / EXTRA_B (more Valet flags or VAR=value pairs, split on spaces, given to
# env first), WARM (warm-up seconds, 15), PATHX (request path under the app, empty), WH (a wrk -H header).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
a=${1:?usage: bench/ab.sh DIR_A DIR_B [rounds] [connections] [seconds]}
b=${2:?usage: bench/ab.sh DIR_A DIR_B [rounds] [connections] [seconds]}
rounds=${3:-3} conns=${4:-64} secs=${5:-5}
warm=${WARM:-15} pathx=${PATHX:-}
B1=18081 B2=18082 NGINX=18090 PA=19011 PB=19021

work=$(mktemp -d /tmp/valet-ab.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

cat > "$work/backend.conf" <<EOF
worker_processes 1; daemon off; pid $work/backend.pid; error_log $work/backend.err warn;
events { worker_connections 8192; }
http { access_log off; keepalive_requests 10000000;
  server { listen 127.0.0.1:$B1; listen 127.0.0.1:$B2;
    location / { default_type application/json; return 200 '{"ok":true,"service":"bench","message":"hello from the backend"}'; } } }
EOF
cat > "$work/proxy.conf" <<EOF
worker_processes 1; daemon off; pid $work/proxy.pid; error_log $work/proxy.err warn;
events { worker_connections 8192; }
http { access_log off; keepalive_requests 10000000;
  upstream backends { server 127.0.0.1:$B1; server 127.0.0.1:$B2; keepalive 512; }
  server { listen 127.0.0.1:$NGINX;
    location /bench/ { proxy_pass http://backends/; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for; proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_set_header X-Forwarded-Host \$host; proxy_buffering off; } } }
EOF
taskset -c 0 nginx -c "$work/backend.conf" -p "$work" & pids+=($!)
taskset -c 1 nginx -c "$work/proxy.conf" -p "$work" & pids+=($!)
nginx_master=$!

mkdir -p "$work/conf"
echo "{ \"name\": \"bench\", \"endpoints\": [ { \"host\": \"127.0.0.1\", \"port\": $B1 }, { \"host\": \"127.0.0.1\", \"port\": $B2 } ] }" > "$work/conf/bench.json"
valet_env=()
while IFS= read -r line; do valet_env+=("${line#Environment=}"); done < <(grep '^Environment=' "$here/valet.service")
start_valet() { # DIR PORT EXTRA
  local vars=() flags=()
  for word in $3; do if [[ $word == *=* && $word != -* ]]; then vars+=("$word"); else flags+=("$word"); fi; done
  env "${valet_env[@]}" "${vars[@]}" taskset -c 1 "$1/valet" --conf "$work/conf" --port "$2" --admin-port $(($2 + 1)) \
    --bind 127.0.0.1 --access-log off "${flags[@]}" > "$work/valet-$2.log" 2>&1 &
  pids+=($!)
}
start_valet "$a" $PA "${EXTRA_A:-}"; pid_a=$!
start_valet "$b" $PB "${EXTRA_B:-}"; pid_b=$!
for port in $NGINX $PA $PB; do
  for _ in $(seq 1 200); do curl -fsS -o /dev/null "http://127.0.0.1:$port/bench/$pathx" 2>/dev/null && break; sleep 0.05; done
  curl -fsS -o /dev/null "http://127.0.0.1:$port/bench/$pathx" || { echo "port $port does not answer"; cat "$work"/valet-*.log; exit 1; }
done

header=(); [ -n "${WH:-}" ] && header=(-H "$WH")
cpu_ticks() { # PID -> utime+stime of the process and its children threads, in clock ticks
  local total=0 pid
  for pid in "$1" $(pgrep -P "$1" || true); do total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done
  echo "$total"
}
hz=$(getconf CLK_TCK)
run() { # NAME PORT PID
  local before after out rps p99 reqs
  before=$(cpu_ticks "$3")
  out=$(taskset -c 0 wrk -t1 -c"$conns" -d"${secs}s" --latency "${header[@]}" "http://127.0.0.1:$2/bench/$pathx" 2>&1)
  after=$(cpu_ticks "$3")
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out"); p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  reqs=$(awk '/requests in/ {print $1}' <<<"$out")
  local errs; errs=$(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr '\n' ' ' || true)
  local rss=""; [ "$1" != nginx ] && rss="rss $(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$3/status") MiB"
  printf '%-6s %9s req/s  p99 %8s  cpu %5.1f us/req  %s %s\n' "$1" "$rps" "$p99" \
    "$(awk -v t=$((after - before)) -v hz="$hz" -v n="$reqs" 'BEGIN {print t / hz * 1e6 / n}')" "$rss" "$errs"
}
echo "warming up ${warm} s each..." >&2
for port in $NGINX $PA $PB; do taskset -c 0 wrk -t1 -c"$conns" -d"${warm}s" "${header[@]}" "http://127.0.0.1:$port/bench/$pathx" >/dev/null; done
for r in $(seq 1 "$rounds"); do
  echo "-- round $r ($conns connections, ${secs} s)"
  run nginx $NGINX "$nginx_master"
  run A $PA "$pid_a"
  run B $PB "$pid_b"
done
echo "peak RSS: A $(awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$pid_a/status") MiB, B $(awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$pid_b/status") MiB"
