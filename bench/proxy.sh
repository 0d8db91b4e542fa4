#!/usr/bin/env bash
# Valet against nginx and HAProxy as reverse proxies, on loopback, in one run.
#
#   bench/proxy.sh                     # 30 s warm-up per proxy, then 3 interleaved rounds of 10 s per case (about 15 minutes)
#   bench/proxy.sh --rounds 1 --duration 3   # a quick look
#
# One backend (nginx, one worker, a small fixed JSON body and a 100 KiB file) on two ports; in front
# of it nginx, HAProxy and Valet with the same two endpoints in round robin, each adding
# X-Forwarded-For/-Proto/-Host; responses are streamed, request bodies too except by nginx, which
# reads them into memory first. wrk drives
# each in turn (nginx, HAProxy, Valet, nginx, ...), plus the backend directly as the ceiling.
# CPU pinning keeps the fight fair on a small machine: the proxy under test gets CPU 1 (each
# proxy sized to the CPUs it has), wrk and the backend share CPU 0.
# Prints one table and saves it, with the machine's description, under bench/results/.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
rounds=3
duration=10
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    *) echo "usage: bench/proxy.sh [--rounds N] [--duration SECONDS]" >&2; exit 2 ;;
  esac
done

need=()
for pair in nginx:nginx-light haproxy:haproxy wrk:wrk; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair##*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

cpus=$(nproc)
if [ "$cpus" -ge 2 ]; then
  load_cpu=0; proxy_cpu=1-$((cpus - 1)); proxy_cpus=$((cpus - 1))
else
  load_cpu=0; proxy_cpu=0; proxy_cpus=1
fi

work=$(mktemp -d /tmp/valet-proxy-bench.XXXXXX)
chmod 755 "$work"   # nginx workers (an unprivileged user) read the 100 KiB file from here
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

B1=18081 B2=18082 NGINX=18090 HAPROXY=18091 VALET=18092 VALET_ADMIN=18093
KEY=bench-key-0123456789abcdef

# --- backend -------------------------------------------------------------------------------------
mkdir -p "$work/backend" "$work/nginx" "$work/www"
head -c 102400 /dev/zero | tr '\0' 'x' > "$work/www/big"
cat > "$work/backend/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $work/backend/nginx.pid;
error_log $work/backend/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 10000000;
  client_max_body_size 4m;
  client_body_buffer_size 2m;
  server {
    listen 127.0.0.1:$B1;
    listen 127.0.0.1:$B2;
    location = / { default_type application/json; return 200 '{"ok":true,"service":"bench","message":"hello from the backend"}'; }
    location = /big { alias $work/www/big; default_type application/octet-stream; }
    # An upload endpoint that reads the whole body before it answers, as a real one does
    # (nginx's return alone answers first and drops the rest of the body).
    location = /upload { mirror /drain; mirror_request_body on; default_type application/json; return 200 '{"ok":true}'; }
    location = /drain { internal; return 204; }
  }
}
EOF
taskset -c "$load_cpu" nginx -c "$work/backend/nginx.conf" -p "$work/backend" &
pids+=($!)

# --- nginx as the proxy --------------------------------------------------------------------------
cat > "$work/nginx/nginx.conf" <<EOF
worker_processes $proxy_cpus;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 10000000;
  client_max_body_size 4m;
  # nginx reads a request body whole before it proxies it (streaming it, proxy_request_buffering
  # off, resets keep-alive connections under wrk here); 2 MiB keeps 1 MiB bodies in memory.
  client_body_buffer_size 2m;
  upstream backends { server 127.0.0.1:$B1; server 127.0.0.1:$B2; keepalive 512; }
  server {
    listen 127.0.0.1:$NGINX;
    location /bench/ {
      proxy_pass http://backends/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_set_header X-Forwarded-Host \$host;
      proxy_buffering off;
    }
  }
}
EOF
taskset -c "$proxy_cpu" nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
pids+=($!)

# --- HAProxy -------------------------------------------------------------------------------------
cat > "$work/haproxy.cfg" <<EOF
global
  nbthread $proxy_cpus
  maxconn 8000
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  option http-keep-alive
  option forwardfor
  http-reuse always
frontend fe
  bind 127.0.0.1:$HAPROXY
  http-request set-header X-Forwarded-Proto http
  http-request set-header X-Forwarded-Host %[req.hdr(host)]
  default_backend be
backend be
  balance roundrobin
  http-request replace-path ^/bench/?(.*) /\1
  server s1 127.0.0.1:$B1
  server s2 127.0.0.1:$B2
EOF
taskset -c "$proxy_cpu" haproxy -q -f "$work/haproxy.cfg" &
pids+=($!)

# --- Valet (Release, ReadyToRun) -----------------------------------------------------------------
echo "publishing Valet (Release, ReadyToRun)..." >&2
dotnet publish "$here/Valet.Daemon/Valet.Daemon.csproj" -c Release -r linux-x64 --self-contained false \
  -p:PublishReadyToRun=true -o "$work/valet" -v quiet -nologo >/dev/null
mkdir -p "$work/conf"
cat > "$work/conf/bench.json" <<EOF
{ "name": "bench", "description": "proxy benchmark",
  "endpoints": [ { "host": "127.0.0.1", "port": $B1 }, { "host": "127.0.0.1", "port": $B2 } ] }
EOF
cat > "$work/conf/benchpol.json" <<EOF
{ "name": "benchpol", "description": "proxy benchmark with API-key auth and a rate limit that never rejects",
  "authorize": true, "authKey": "$KEY", "rateLimit": true, "limitValue": 2000000000,
  "endpoints": [ { "host": "127.0.0.1", "port": $B1 }, { "host": "127.0.0.1", "port": $B2 } ] }
EOF
valet_flags=(--conf "$work/conf" --port "$VALET" --admin-port "$VALET_ADMIN" --bind 127.0.0.1)
if "$work/valet/valet" --help 2>/dev/null | grep -q -- '--access-log'; then
  valet_flags+=(--access-log off)   # nginx and HAProxy log nothing either
fi
# The runtime environment the systemd unit sets (its Environment= lines): Valet as deployed.
valet_env=()
while IFS= read -r line; do valet_env+=("${line#Environment=}"); done < <(grep '^Environment=' "$here/valet.service")
env "${valet_env[@]}" taskset -c "$proxy_cpu" "$work/valet/valet" "${valet_flags[@]}" > "$work/valet.log" 2>&1 &
valet_pid=$!
pids+=($valet_pid)

for port in $B1 $B2 $NGINX $HAPROXY $VALET; do
  for _ in $(seq 1 200); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/$([ "$port" -le $B2 ] && echo "" || echo bench/)" 2>/dev/null && break
    sleep 0.05
  done
  curl -fsS -o /dev/null "http://127.0.0.1:$port/$([ "$port" -le $B2 ] && echo "" || echo bench/)" \
    || { echo "port $port does not answer"; cat "$work/valet.log"; exit 1; }
done

# --- load ----------------------------------------------------------------------------------------
cat > "$work/post.lua" <<'EOF'
wrk.method = "POST"
wrk.body = string.rep("x", 1048576)
wrk.headers["Content-Type"] = "application/octet-stream"
EOF

# wrk_run NAME URL CONNECTIONS [extra wrk args...] -> appends "name conns rps p50ms p99ms errors" to $work/raw
wrk_run() {
  local name=$1 url=$2 conns=$3; shift 3
  local out
  out=$(taskset -c "$load_cpu" wrk -t1 -c"$conns" -d"${duration}s" --latency "$@" "$url" 2>&1)
  local rps p50 p99 non2xx sock
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out" | to_ms)
  p99=$(awk '$1=="99%" {print $2}' <<<"$out" | to_ms)
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out"); non2xx=${non2xx:-0}
  sock=$(awk '/Socket errors:/ {gsub(",", ""); print $4+$6+$8+$10}' <<<"$out"); sock=${sock:-0}
  echo "$name $conns ${rps:-0} ${p50:-0} ${p99:-0} $((non2xx + sock))" >> "$work/raw"
  printf '  %-22s c=%-4s %10s req/s  p50 %7s ms  p99 %7s ms  errors %s\n' "$name" "$conns" "${rps:-0}" "${p50:-0}" "${p99:-0}" "$((non2xx + sock))" >&2
}
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.3f\n", v}'; }

: > "$work/raw"
direct="http://127.0.0.1:$B1/"
# Every proxy gets the same warm-up, long enough for .NET's tiered JIT to reach its optimised
# code on the request path (on one core that takes tens of seconds: measured with 3 s of warm-up,
# Valet's first rounds ran 15-40% slower than its later ones). The measured rounds are steady state,
# which is what a daemon serves for days; README's Performance section says so.
warmup=${VALET_BENCH_WARMUP:-30}
echo "warming up (${warmup} s per proxy)..." >&2
for url in "$direct" "http://127.0.0.1:$NGINX/bench/" "http://127.0.0.1:$HAPROXY/bench/" "http://127.0.0.1:$VALET/bench/"; do
  taskset -c "$load_cpu" wrk -t1 -c64 -d"${warmup}s" "$url" >/dev/null 2>&1
done
taskset -c "$load_cpu" wrk -t1 -c64 -d"$((warmup / 3 + 1))s" -H "X-Valet-Auth: $KEY" "http://127.0.0.1:$VALET/benchpol/" >/dev/null 2>&1

for conns in 64 256; do
  for r in $(seq 1 "$rounds"); do
    echo "round $r, $conns connections" >&2
    wrk_run backend "$direct" "$conns"
    wrk_run nginx "http://127.0.0.1:$NGINX/bench/" "$conns"
    wrk_run haproxy "http://127.0.0.1:$HAPROXY/bench/" "$conns"
    wrk_run valet "http://127.0.0.1:$VALET/bench/" "$conns"
  done
done
rss_main=$(awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$valet_pid/status")

for r in $(seq 1 "$rounds"); do
  echo "round $r, 1 MiB POST, 100 KiB response, policies" >&2
  wrk_run nginx-post1m "http://127.0.0.1:$NGINX/bench/upload" 64 -s "$work/post.lua"
  wrk_run haproxy-post1m "http://127.0.0.1:$HAPROXY/bench/upload" 64 -s "$work/post.lua"
  wrk_run valet-post1m "http://127.0.0.1:$VALET/bench/upload" 64 -s "$work/post.lua"
  wrk_run nginx-get100k "http://127.0.0.1:$NGINX/bench/big" 64
  wrk_run haproxy-get100k "http://127.0.0.1:$HAPROXY/bench/big" 64
  wrk_run valet-get100k "http://127.0.0.1:$VALET/bench/big" 64
  wrk_run valet-nopolicy "http://127.0.0.1:$VALET/bench/" 64 -H "X-Valet-Auth: $KEY"
  wrk_run valet-policies "http://127.0.0.1:$VALET/benchpol/" 64 -H "X-Valet-Auth: $KEY"
done
rss_all=$(awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$valet_pid/status")

# --- report --------------------------------------------------------------------------------------
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print 0; else if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
col() { awk -v n="$1" -v c="$2" -v k="$3" '$1==n && $2==c {print $k}' "$work/raw" | median; }
errs() { awk -v n="$1" -v c="$2" '$1==n && $2==c {s+=$6} END {print s+0}' "$work/raw"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b>0) printf "%.2f", a/b; else print "n/a"}'; }

stamp=$(date -u +%Y%m%d-%H%M)
report="$here/bench/results/proxy-$stamp.md"
{
  echo "# Proxy benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Machine: $(nproc) CPUs ($(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2; exit}')), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r)."
  echo "Proxies pinned to CPU $proxy_cpu ($proxy_cpus CPU: nginx workers and HAProxy threads = $proxy_cpus); wrk (1 thread) and the backend nginx share CPU $load_cpu."
  echo "Software: $(nginx -v 2>&1 | sed 's/nginx version: //'), HAProxy $(haproxy -v | awk 'NR==1 {print $3}'), wrk $(wrk -v 2>&1 | awk 'NR==1 {print $2}'), .NET $(dotnet --version)."
  echo "Runs: ${warmup} s of warm-up per proxy, then $rounds interleaved rounds of ${duration} s per case; medians over rounds; errors summed."
  echo
  echo "| case | conns | req/s | p50 ms | p99 ms | errors | Valet/nginx req/s | Valet/HAProxy req/s | Valet p99 / nginx p99 |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for conns in 64 256; do
    for name in backend nginx haproxy valet; do
      rps=$(col $name $conns 3); p50=$(col $name $conns 4); p99=$(col $name $conns 5)
      extra="| | |"
      if [ $name = valet ]; then
        extra="| $(ratio "$rps" "$(col nginx $conns 3)") | $(ratio "$rps" "$(col haproxy $conns 3)") | $(ratio "$p99" "$(col nginx $conns 5)")"
      fi
      echo "| $name | $conns | $rps | $p50 | $p99 | $(errs $name $conns) $extra |"
    done
  done
  for kind in post1m get100k; do
    for name in nginx haproxy valet; do
      rps=$(col $name-$kind 64 3); p99=$(col $name-$kind 64 5)
      extra="| | |"
      if [ $name = valet ]; then
        extra="| $(ratio "$rps" "$(col nginx-$kind 64 3)") | $(ratio "$rps" "$(col haproxy-$kind 64 3)") | $(ratio "$p99" "$(col nginx-$kind 64 5)")"
      fi
      echo "| $name, $([ $kind = post1m ] && echo '1 MiB POST' || echo '100 KiB response') | 64 | $rps | $(col $name-$kind 64 4) | $p99 | $(errs $name-$kind 64) $extra |"
    done
  done
  plain=$(col valet-nopolicy 64 3); pol=$(col valet-policies 64 3)
  echo "| valet, no policies | 64 | $plain | $(col valet-nopolicy 64 4) | $(col valet-nopolicy 64 5) | $(errs valet-nopolicy 64) | | | |"
  echo "| valet, API key + rate limit | 64 | $pol | $(col valet-policies 64 4) | $(col valet-policies 64 5) | $(errs valet-policies 64) | | | |"
  echo
  echo "Policies' cost (API key + rate limit vs none, req/s): $(awk -v a="$plain" -v b="$pol" 'BEGIN {if (a>0) printf "%.1f%%", (a-b)*100/a; else print "n/a"}')."
  echo "Valet peak RSS: $rss_main MiB after the 64/256-connection runs, $rss_all MiB after all cases."
} > "$report"
cat "$report"
echo "saved to ${report#"$here"/}" >&2
