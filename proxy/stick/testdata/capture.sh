#!/bin/bash
# capture.sh: how haproxy26-cli.txt was made. It runs Debian's HAProxy
# 2.6.12 (/usr/sbin/haproxy) on tables.cfg, sends 3 requests through the
# frontend "fe" (each tracked by track-sc0 src), then every command of
# commands.txt on the stats socket, writing "== COMMAND" and the answer
# (the CLI's closing empty line dropped). Run: ./capture.sh > haproxy26-cli.txt
set -e
D=$(mktemp -d); P=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
sed "s|@SOCK@|$D/admin.sock|; s|@PORT@|$P|" "$(dirname "$0")/tables.cfg" > $D/h.cfg
/usr/sbin/haproxy -D -p $D/pid -f $D/h.cfg
trap 'kill $(cat $D/pid); rm -rf $D' EXIT
for i in $(seq 50); do [ -S $D/admin.sock ] && break; sleep 0.1; done
for i in 1 2 3; do curl -s -o /dev/null http://127.0.0.1:$P/; done
while IFS= read -r c; do
    echo "== $c"
    printf '%s\n' "$c" | socat - $D/admin.sock | sed '$d'
done < "$(dirname "$0")/commands.txt"
