#!/bin/bash
# capture.sh: how testdata/haproxy-2.6.12.* were captured from the real
# HAProxy 2.6.12 (Debian 12's /usr/sbin/haproxy, built with USE_PROMEX=1).
# It runs haproxy.cfg (below) against a python HTTP server, sends a few
# requests, then takes, on the stats socket and the exporter, in a row:
# /metrics (.prom), then `show stat typed` and `show info typed`
# (.stat/.info). The exporter's request is the only traffic between the
# two, so the exporter's own frontend and a few process values are the
# only ones that differ (see TestHAProxyCapture).
# Run as: proxy/metrics/testdata/capture.sh (needs curl, socat, python3).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
cat > "$tmp/haproxy.cfg" <<CFG
global
    stats socket $tmp/hp.sock level admin
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend fe
    bind 127.0.0.1:18481
    default_backend be
frontend metrics
    bind 127.0.0.1:18482 name prom
    option socket-stats
    http-request use-service prometheus-exporter if { path /metrics }
frontend tcpfe
    mode tcp
    bind 127.0.0.1:18486
    default_backend tcpbe
backend be
    balance roundrobin
    stick-table type ip size 100
    option httpchk GET /
    server s1 127.0.0.1:18483 check inter 500ms maxconn 10
    server s2 127.0.0.1:18484
    server s3 127.0.0.1:18485 disabled
    server s4 127.0.0.1:18483 backup
backend tcpbe
    mode tcp
    server t1 127.0.0.1:18483
CFG
python3 -m http.server 18483 --bind 127.0.0.1 >/dev/null 2>&1 &
for i in $(seq 50); do curl -s -o /dev/null http://127.0.0.1:18483/ && break; sleep 0.1; done
/usr/sbin/haproxy -db -f "$tmp/haproxy.cfg" >"$tmp/haproxy.log" 2>&1 &
for i in $(seq 50); do [ -S "$tmp/hp.sock" ] && break; sleep 0.1; done
sleep 1.2   # two check rounds on s1
for i in 1 2 3 4; do curl -s -o /dev/null http://127.0.0.1:18481/; done
curl -s -o /dev/null http://127.0.0.1:18481/nothing-here   # a 404
curl -s -o /dev/null http://127.0.0.1:18486/               # through the tcp proxy
sleep 0.2
curl -s -o "$here/haproxy-2.6.12.prom" http://127.0.0.1:18482/metrics
echo "show stat typed" | socat - "$tmp/hp.sock" > "$here/haproxy-2.6.12.stat"
echo "show info typed" | socat - "$tmp/hp.sock" > "$here/haproxy-2.6.12.info"
curl -s -o "$here/haproxy-2.6.12-frontend-server-nomaint.prom" 'http://127.0.0.1:18482/metrics?scope=frontend&scope=server&no-maint'
curl -s -o "$here/haproxy-2.6.12-sticktable.prom" 'http://127.0.0.1:18482/metrics?scope=sticktable'
