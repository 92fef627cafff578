#!/bin/bash
# make bench: goha against Debian's HAProxy on loopback, same config file,
# in front of two nginx servers (one nginx, one worker). For each scenario
# it runs haproxy and goha alternately (ROUNDS rounds of DURATION seconds,
# wrk -t2 -c64 or h2load after a 1 s warm-up) and prints, per scenario, the
# median requests per second and requests per proxy CPU-second
# (utime+stime of the proxy's process tree from /proc/PID/stat during the
# measured run), and goha's ratio to HAProxy.
#
# Scenarios (SCENARIOS, space-separated; "all" means every one):
#   http-ka     HTTP/1.1 keep-alive, 3-byte answer          (default)
#   http-close  HTTP with Connection: close, a new connection per request (default)
#   tcp         mode tcp, keep-alive HTTP through it         (default)
#   http-log    http-ka with option httplog to a UDP syslog target; also
#               prints the logging cost                     (default)
#   https-ka    http-ka over TLS (bind ... ssl crt, ECDSA P-256 certificate
#               made at start, TLS 1.3 as negotiated by wrk; HAProxy picks
#               AES-256-GCM there, goha AES-128-GCM)
#   https-hs    https with Connection: close: one full handshake per request
#               (no-tls-tickets and tune.ssl.cachesize 0: no resumption)
#   h2          h2load -c16 -m10 over h2c (bind ... proto h2), skipped
#               without h2load (Debian: nghttp2-client)
#   gzip        a 1 MiB text/plain body through `compression algo gzip`
#               with Accept-Encoding: gzip; also prints uncompressed MiB per
#               proxy CPU-second and each proxy's compressed size
#   cache       cache hits: a 4 KiB nginx answer with Cache-Control max-age
#               through a `cache` section (cache-use / cache-store)
# The default list stays at the first four to keep `make bench` near two
# minutes; each further scenario adds about ROUNDS*2*(DURATION+1.5) s.
#
# Environment: GOHA_BIN (default bin/goha; any program that accepts
# `-db -f CFG`), HAPROXY (/usr/sbin/haproxy), ROUNDS (3), DURATION (4),
# SCENARIOS ("http-ka http-close tcp http-log"), CONNS (64: wrk's
# connections), NBTHREAD (1: the `nbthread` both proxies get).
# Everything listens on 127.0.0.1 ports chosen at start; only processes
# started here are stopped, by PID.
set -u
cd "$(dirname "$0")/../.."
GOHA_BIN=${GOHA_BIN:-$PWD/bin/goha}
HAPROXY=${HAPROXY:-/usr/sbin/haproxy}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-4}
SCENARIOS=${SCENARIOS:-"http-ka http-close tcp http-log"}
ALL="http-ka http-close tcp http-log https-ka https-hs h2 gzip cache"
[ "$SCENARIOS" = all ] && SCENARIOS=$ALL
CONNS=${CONNS:-64}
NBTHREAD=${NBTHREAD:-1}
for c in wrk nginx curl python3 socat openssl "$HAPROXY" "$GOHA_BIN"; do
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
head -c 4096 /dev/zero | tr '\0' 'c' > "$RUN/ngx/www/4k"
# 1 MiB of text that compresses like prose (about 3:1 at gzip -1), not
# like zeros: words of a 500-word vocabulary drawn with Zipf's weights.
python3 -c '
import random, sys
r = random.Random(1)
words = ["".join(r.choice("etaoinshrdlucmfwypvbgkqjxz") for _ in range(r.randint(2, 9))) for _ in range(500)]
weights = [1.0 / (i + 1) for i in range(len(words))]
out, n = [], 0
while n < 1 << 20:
    w = r.choices(words, weights)[0] + (" " if r.random() > 0.08 else ".\n")
    out.append(w); n += len(w)
sys.stdout.write("".join(out)[: 1 << 20])' > "$RUN/ngx/www/1m.txt"
# nginx's worker runs as nobody when started by root: let it read the files.
chmod a+rx "$RUN" "$RUN/ngx" "$RUN/ngx/www" && chmod a+r "$RUN"/ngx/www/*
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
  server { listen 127.0.0.1:$B1 backlog=4096; listen 127.0.0.1:$B2 backlog=4096; root $RUN/ngx/www; location = /64k { } location = /1m.txt { } location = /4k { add_header Cache-Control "max-age=600"; } location / { return 200 "ok\n"; } }
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

# https-ka, https-hs: the HTTP config on a TLS bind with an ECDSA P-256
# certificate made now; no tickets and no session cache, so that every
# new connection of https-hs is a full handshake on both proxies.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj /CN=localhost -keyout "$RUN/key.pem" -out "$RUN/crt.pem" 2>/dev/null \
    && cat "$RUN/crt.pem" "$RUN/key.pem" > "$RUN/bench.pem" \
    || { echo "bench: openssl could not make a certificate" >&2; exit 1; }
sed "s|^global$|global\n    tune.ssl.cachesize 0|; s|^    bind 127.0.0.1:$P$|    bind 127.0.0.1:$P ssl crt $RUN/bench.pem no-tls-tickets|" \
    "$RUN/http.cfg" > "$RUN/https.cfg"
# h2: the HTTP config with a cleartext HTTP/2 (prior knowledge) bind.
sed "s|^    bind 127.0.0.1:$P$|    bind 127.0.0.1:$P proto h2|" "$RUN/http.cfg" > "$RUN/h2.cfg"
# gzip: the HTTP config compressing text/plain answers.
sed "s|^backend be$|backend be\n    compression algo gzip\n    compression type text/plain|" "$RUN/http.cfg" > "$RUN/gzip.cfg"
# cache: the HTTP config with a 64 MiB cache in front of the backend.
sed "s|^backend be$|backend be\n    http-request cache-use c\n    http-response cache-store c|" "$RUN/http.cfg" > "$RUN/cache.cfg"
printf 'cache c\n    total-max-size 64\n    max-object-size 65536\n    max-age 600\n' >> "$RUN/cache.cfg"

ticks() { # utime+stime of PID and its children, in clock ticks
    local t=0 p
    for p in $(ps -o pid= --ppid "$1" 2>/dev/null) $1; do
        [ -r /proc/$p/stat ] && t=$((t + $(sed 's/.*) //' /proc/$p/stat | awk '{print $12+$13}')))
    done
    echo $t
}
HZ=$(getconf CLK_TCK)
# Per scenario: CFG, LOAD (wrk or h2load), URL, ARGS (the load tool's
# extra arguments) and PROBE (a function run once per proxy while it is
# up, before the load; its output goes to $RUN/probe.<h|g>).
load() { # load SECONDS -> the load tool's output
    if [ "$LOAD" = h2load ]; then
        h2load -c16 -m10 -t2 -D "$1" "${ARGS[@]}" "$URL" 2>&1
    else
        wrk -t2 -c"$CONNS" -d"${1}s" "${ARGS[@]}" "$URL" 2>&1
    fi
}
parse() { # parse < load output -> "rps errors"
    if [ "$LOAD" = h2load ]; then
        awk '/^finished in/ {gsub(/,/,""); rps=$4}
             /^requests:/ {gsub(/,/,""); err=$10+$12+$14}
             /^status codes:/ {gsub(/,/,""); err+=$5+$7+$9}
             END {print (rps?rps:0), err+0}'
    else
        awk '/Requests\/sec/ {rps=$2}
             /Socket errors/ {gsub(/,/,""); err+=$4+$6+$8+$10}
             /Non-2xx/ {err+=$NF}
             END {print (rps?rps:0), err+0}'
    fi
}
run_one() { # run_one BIN WHO -> "rps cpu_s errors"
    local bin=$1 who=$2
    "$bin" -db -f "$CFG" >"$RUN/proxy.log" 2>&1 &
    local pid=$!
    if ! wait_port $P; then kill -KILL $pid 2>/dev/null; wait $pid 2>/dev/null; echo "0 0 999"; return; fi
    [ -n "$PROBE" ] && [ ! -e "$RUN/probe.$who" ] && $PROBE > "$RUN/probe.$who" 2>&1
    load 1 >/dev/null
    local t0 t1 out
    t0=$(ticks $pid)
    out=$(load "$DURATION")
    t1=$(ticks $pid)
    kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null
    set -- $(echo "$out" | parse)
    echo "$1 $(awk -v a=$t0 -v b=$t1 -v hz=$HZ 'BEGIN{printf "%.2f", (b-a)/hz}') $2"
}
# Probes: gzip prints the compressed size of the 1 MiB body; cache prints
# whether the second fetch was a hit (an Age header).
probe_gzip() { curl --compressed -so /dev/null -w '%{size_download}' "$URL"; }
probe_cache() {
    curl -so /dev/null "$URL"
    curl -sD - -o /dev/null "$URL" | grep -qi '^age:' && echo hit || echo miss
}

printf '%-11s %12s %12s %14s %14s %7s %7s %s\n' scenario haproxy_rps goha_rps haproxy_req/cpu goha_req/cpu rps_x cpu_x goha_errors
for sc in $SCENARIOS; do
    rm -f "$RUN"/probe.*
    LOAD=wrk URL=http://127.0.0.1:$P/ ARGS=() PROBE=
    case $sc in
        http-ka) CFG=$RUN/http.cfg ;;
        http-log) CFG=$RUN/http-log.cfg ;;
        http-close) CFG=$RUN/http.cfg; ARGS=(-H "Connection: close") ;;
        tcp) CFG=$RUN/tcp.cfg ;;
        https-ka) CFG=$RUN/https.cfg; URL=https://127.0.0.1:$P/ ;;
        https-hs) CFG=$RUN/https.cfg; URL=https://127.0.0.1:$P/; ARGS=(-H "Connection: close") ;;
        h2) CFG=$RUN/h2.cfg; LOAD=h2load
            command -v h2load >/dev/null 2>&1 || { echo "bench: h2 skipped: no h2load (apt-get install nghttp2-client)" >&2; continue; } ;;
        gzip) CFG=$RUN/gzip.cfg; URL=http://127.0.0.1:$P/1m.txt; ARGS=(-H "Accept-Encoding: gzip"); PROBE=probe_gzip ;;
        cache) CFG=$RUN/cache.cfg; URL=http://127.0.0.1:$P/4k; PROBE=probe_cache ;;
        *) echo "bench: unknown scenario $sc" >&2; continue ;;
    esac
    rows=""
    for r in $(seq "$ROUNDS"); do
        rows+="h $(run_one "$HAPROXY" h)"$'\n'
        rows+="g $(run_one "$GOHA_BIN" g)"$'\n'
    done
    printf '%s' "$rows" | awk -v sc=$sc -v d=$DURATION '
        function med(a, n,   i, j, t) { for (i=1;i<=n;i++) for (j=i+1;j<=n;j++) if (a[j]<a[i]) {t=a[i];a[i]=a[j];a[j]=t}; return a[int((n+1)/2)] }
        { eff = ($3>0) ? $2*d/$3 : 0
          if ($1=="g") { g[++ng]=$2; ge[ng]=eff; gerr+=$4 } else { h[++nh]=$2; he[nh]=eff } }
        END { hr=med(h,nh); gr=med(g,ng); hc=med(he,nh); gc=med(ge,ng)
              printf "%-11s %12d %12d %14d %14d %7.2f %7.2f %d\n", sc, hr, gr, hc, gc, (hr>0)?gr/hr:0, (hc>0)?gc/hc:0, gerr
              printf "%s %d %d\n", sc, hc, gc >> "'"$RUN/medians"'" }'
    ph=$(cat "$RUN/probe.h" 2>/dev/null) pg=$(cat "$RUN/probe.g" 2>/dev/null)
    case $sc in
        gzip) awk -v ph="${ph:-0}" -v pg="${pg:-0}" '$1=="gzip" {
                printf "gzip: uncompressed MiB per proxy CPU-second haproxy %d, goha %d (%.2fx); 1 MiB compressed to haproxy %d B, goha %d B (goha/haproxy size %.2f)\n", $2, $3, ($2>0)?$3/$2:0, ph, pg, (ph>0)?pg/ph:0 }' "$RUN/medians" ;;
        cache) echo "cache: second fetch of /4k: haproxy ${ph:-?}, goha ${pg:-?} (hit = an Age header)" ;;
    esac
done
# The cost of traffic logs: requests per CPU-second with httplog to UDP
# syslog over the same without logs, for each proxy.
if grep -q '^http-ka ' "$RUN/medians" 2>/dev/null && grep -q '^http-log ' "$RUN/medians"; then
    awk '$1=="http-ka" {hk=$2; gk=$3} $1=="http-log" {hl=$2; gl=$3}
        END { printf "logging cost (req/cpu with httplog to UDP syslog / without): haproxy %.2f, goha %.2f\n", (hk>0)?hl/hk:0, (gk>0)?gl/gk:0 }' "$RUN/medians"
fi
