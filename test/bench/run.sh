#!/bin/bash
# make bench: goha against Debian's HAProxy on loopback, same config file,
# in front of two nginx servers (one nginx, one worker). For HTTP
# keep-alive, HTTP with a new connection per request, and TCP mode it
# runs haproxy and goha alternately (ROUNDS rounds of DURATION seconds,
# wrk -t2 -c64 after a 1 s warm-up) and prints, per scenario, the median
# requests per second and requests per proxy CPU-second (utime+stime of
# the proxy's process tree from /proc/PID/stat during the measured run),
# and goha's ratio to HAProxy.
#
# Environment: GOHA_BIN (default bin/goha; any program that accepts
# `-db -f CFG`), HAPROXY (/usr/sbin/haproxy), ROUNDS (3), DURATION (4),
# SCENARIOS ("http-ka http-close tcp http-log"; http-log is http-ka with
# option httplog to a UDP syslog target, and prints the logging cost), CONNS (64), NBTHREAD (1: the
# `nbthread` both proxies get).
# Everything listens on 127.0.0.1 ports chosen at start; only processes
# started here are stopped, by PID.
set -u
cd "$(dirname "$0")/../.."
GOHA_BIN=${GOHA_BIN:-$PWD/bin/goha}
HAPROXY=${HAPROXY:-/usr/sbin/haproxy}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-4}
SCENARIOS=${SCENARIOS:-"http-ka http-close tcp http-log"}
CONNS=${CONNS:-64}
NBTHREAD=${NBTHREAD:-1}
for c in wrk nginx curl python3 socat "$HAPROXY" "$GOHA_BIN"; do
    command -v "$c" >/dev/null 2>&1 || { echo "bench: missing $c" >&2; exit 1; }
done
RUN=$(mktemp -d /tmp/goha-bench.XXXXXX)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
    sleep 0.2
    for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
    rm -rf "$RUN"
}
trap cleanup EXIT
# freeport: a free port below the ephemeral range (32768+ here), so that
# the load's own client sockets can never take it between runs.
freeport() { python3 -c '
import random, socket
while True:
    p = random.randint(20000, 32000)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass
    finally:
        s.close()'; }
wait_port() {
    local i=0
    while ! (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; do
        i=$((i+1)); [ $i -ge 100 ] && return 1; sleep 0.1
    done
}
B1=$(freeport); B2=$(freeport); P=$(freeport)
mkdir -p "$RUN/ngx/logs" "$RUN/ngx/www" "$RUN/ngx/tmp"
head -c 65536 /dev/zero | tr '\0' 'x' > "$RUN/ngx/www/64k"
cat > "$RUN/ngx/nginx.conf" <<NGX
worker_processes 1;
pid $RUN/ngx/nginx.pid;
error_log $RUN/ngx/logs/error.log;
events { worker_connections 16000; }
http {
  access_log off;
  keepalive_requests 1000000000;
  keepalive_timeout 300s;
  client_body_temp_path $RUN/ngx/tmp;
  server { listen 127.0.0.1:$B1 backlog=4096; listen 127.0.0.1:$B2 backlog=4096; root $RUN/ngx/www; location = /64k { } location / { return 200 "ok\n"; } }
}
NGX
nginx -p "$RUN/ngx/" -c "$RUN/ngx/nginx.conf" -g 'daemon off;' >"$RUN/ngx/out.log" 2>&1 &
PIDS+=($!)
wait_port $B1 && wait_port $B2 || { echo "bench: nginx did not start" >&2; exit 1; }

mkcfg() { # mkcfg MODE FILE
    cat > "$2" <<CFG
global
    nbthread $NBTHREAD
    maxconn 8000
defaults
    mode $1
    maxconn 8000
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    timeout http-keep-alive 30s
frontend fe
    bind 127.0.0.1:$P
    default_backend be
backend be
    balance roundrobin
    server s1 127.0.0.1:$B1
    server s2 127.0.0.1:$B2
CFG
    if [ "$1" = http ]; then
        sed -i 's/^defaults$/defaults\n    option http-keep-alive\n    http-reuse safe/' "$2"
    fi
}
mkcfg http "$RUN/http.cfg"
mkcfg tcp "$RUN/tcp.cfg"
# http-log: the HTTP config plus one httplog line per request to a UDP
# syslog target (a socat sink that discards what it receives).
L=$(freeport)
socat -u UDP-RECV:$L,bind=127.0.0.1 /dev/null &
PIDS+=($!)
sed "s/^global$/global\n    log 127.0.0.1:$L local0/; s/^defaults$/defaults\n    log global\n    option httplog/" "$RUN/http.cfg" > "$RUN/http-log.cfg"

ticks() { # utime+stime of PID and its children, in clock ticks
    local t=0 p
    for p in $(ps -o pid= --ppid "$1" 2>/dev/null) $1; do
        [ -r /proc/$p/stat ] && t=$((t + $(sed 's/.*) //' /proc/$p/stat | awk '{print $12+$13}')))
    done
    echo $t
}
HZ=$(getconf CLK_TCK)
run_one() { # run_one BIN CFG WRKARGS... -> "rps cpu_s errors"
    local bin=$1 cfg=$2; shift 2
    "$bin" -db -f "$cfg" >"$RUN/proxy.log" 2>&1 &
    local pid=$!
    if ! wait_port $P; then kill -KILL $pid 2>/dev/null; wait $pid 2>/dev/null; echo "0 0 999"; return; fi
    wrk -t2 -c"$CONNS" -d1s "$@" "http://127.0.0.1:$P/" >/dev/null 2>&1
    local t0 t1 out
    t0=$(ticks $pid)
    out=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" "$@" "http://127.0.0.1:$P/" 2>&1)
    t1=$(ticks $pid)
    kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null
    local rps errs non2
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    errs=$(echo "$out" | awk '/Socket errors/ {gsub(/,/,""); print $4+$6+$8+$10}')
    non2=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
    echo "${rps:-0} $(awk -v a=$t0 -v b=$t1 -v hz=$HZ 'BEGIN{printf "%.2f", (b-a)/hz}') $(( ${errs:-0} + ${non2:-0} ))"
}

printf '%-11s %12s %12s %14s %14s %7s %7s %s\n' scenario haproxy_rps goha_rps haproxy_req/cpu goha_req/cpu rps_x cpu_x goha_errors
for sc in $SCENARIOS; do
    case $sc in
        http-ka) cfg=$RUN/http.cfg; args=() ;;
        http-log) cfg=$RUN/http-log.cfg; args=() ;;
        http-close) cfg=$RUN/http.cfg; args=(-H "Connection: close") ;;
        tcp) cfg=$RUN/tcp.cfg; args=() ;;
        *) echo "bench: unknown scenario $sc" >&2; continue ;;
    esac
    rows=""
    for r in $(seq "$ROUNDS"); do
        rows+="h $(run_one "$HAPROXY" "$cfg" "${args[@]}")"$'\n'
        rows+="g $(run_one "$GOHA_BIN" "$cfg" "${args[@]}")"$'\n'
    done
    printf '%s' "$rows" | awk -v sc=$sc -v d=$DURATION '
        function med(a, n,   i, j, t) { for (i=1;i<=n;i++) for (j=i+1;j<=n;j++) if (a[j]<a[i]) {t=a[i];a[i]=a[j];a[j]=t}; return a[int((n+1)/2)] }
        { eff = ($3>0) ? $2*d/$3 : 0
          if ($1=="g") { g[++ng]=$2; ge[ng]=eff; gerr+=$4 } else { h[++nh]=$2; he[nh]=eff } }
        END { hr=med(h,nh); gr=med(g,ng); hc=med(he,nh); gc=med(ge,ng)
              printf "%-11s %12d %12d %14d %14d %7.2f %7.2f %d\n", sc, hr, gr, hc, gc, (hr>0)?gr/hr:0, (hc>0)?gc/hc:0, gerr
              printf "%s %d %d\n", sc, hc, gc >> "'"$RUN/medians"'" }'
done
# The cost of traffic logs: requests per CPU-second with httplog to UDP
# syslog over the same without logs, for each proxy.
if grep -q '^http-ka ' "$RUN/medians" 2>/dev/null && grep -q '^http-log ' "$RUN/medians"; then
    awk '$1=="http-ka" {hk=$2; gk=$3} $1=="http-log" {hl=$2; gl=$3}
        END { printf "logging cost (req/cpu with httplog to UDP syslog / without): haproxy %.2f, goha %.2f\n", (hk>0)?hl/hk:0, (gk>0)?gl/gk:0 }' "$RUN/medians"
fi
