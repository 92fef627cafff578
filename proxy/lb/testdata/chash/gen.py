#!/usr/bin/env python3
"""Regenerates the HAProxy consistent-hashing references in this directory.

Each scenario is a backend `be` with `hash-type consistent`; the real HAProxy
2.6 (/usr/sbin/haproxy) serves it with servers that answer their own name,
and every key is sent once. A .txt file holds the backend section, a line
"----", then one "KEY SERVER" line per key. TestCHashMatchesHAProxy parses
the backend with goha's config package and checks that goha picks the same
server for every key.

Run: python3 gen.py [/usr/sbin/haproxy]   (from this directory)
"""
import os, socket, subprocess, sys, time

HAPROXY = sys.argv[1] if len(sys.argv) > 1 else "/usr/sbin/haproxy"

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def uri_keys(n=300):
    return ["/obj/%d" % i for i in range(n)]

SCENARIOS = {
    # name: (balance and hash-type lines, server lines, key kind, keys)
    "uri": (["balance uri", "hash-type consistent"],
            ["server s1 {a1}", "server s2 {a2}", "server s3 {a3}", "server s4 {a4}"], "uri", uri_keys()),
    "uri-maint": (["balance uri", "hash-type consistent"],
                  ["server s1 {a1}", "server s2 {a2} disabled", "server s3 {a3}", "server s4 {a4}"], "uri", uri_keys()),
    "uri-weights-ids": (["balance uri", "hash-type consistent"],
                        ["server s1 {a1} id 3", "server s2 {a2} weight 2 id 10", "server s3 {a3} weight 5",
                         "server s4 {a4} weight 10 id 100", "server s5 {a5} weight 0"], "uri", uri_keys()),
    "uri-depth-whole": (["balance uri depth 2 whole", "hash-type consistent"],
                        ["server s1 {a1}", "server s2 {a2}", "server s3 {a3}"], "uri",
                        ["/d%d/e%d/f%d?q=%d" % (i % 7, i % 11, i, i % 5) for i in range(200)]),
    "djb2": (["balance uri", "hash-type consistent djb2"],
             ["server s1 {a1}", "server s2 {a2}", "server s3 {a3}", "server s4 {a4}"], "uri", uri_keys(200)),
    "wt6-avalanche": (["balance uri", "hash-type consistent wt6 avalanche"],
                      ["server s1 {a1}", "server s2 {a2}", "server s3 {a3}", "server s4 {a4}"], "uri", uri_keys(200)),
    "crc32": (["balance uri", "hash-type consistent crc32"],
              ["server s1 {a1}", "server s2 {a2}", "server s3 {a3}", "server s4 {a4}"], "uri", uri_keys(200)),
    "sdbm-plain": (["balance uri", "hash-type consistent sdbm"],
                   ["server s1 {a1}", "server s2 {a2}", "server s3 {a3}", "server s4 {a4}"], "uri", uri_keys(200)),
    "url_param": (["balance url_param id", "hash-type consistent"],
                  ["server s1 {a1}", "server s2 {a2}", "server s3 {a3}", "server s4 {a4}"], "uri",
                  ["/p?x=1&id=%d&y=2" % i for i in range(200)] + ["/p?id=", "/p?a=b&id=&c=d"]),
    "hdr": (["balance hdr(host)", "hash-type consistent"],
            ["server s1 {a1}", "server s2 {a2}", "server s3 {a3}", "server s4 {a4}"], "host",
            ["host-%d.example.com" % i for i in range(200)]),
    "hdr-domain": (["balance hdr(host) use_domain_only", "hash-type consistent"],
                   ["server s1 {a1}", "server s2 {a2}", "server s3 {a3}", "server s4 {a4}"], "host",
                   ["www.site%d.example:8080" % i for i in range(150)] + ["a.b%d.c" % i for i in range(50)]),
    "source": (["balance source", "hash-type consistent"],
               ["server s1 {a1}", "server s2 {a2}", "server s3 {a3}", "server s4 {a4}"], "source",
               ["127.0.%d.%d" % (i // 50, 1 + i % 50 * 5) for i in range(200)]),
    "source-avalanche-off": (["balance source", "hash-type consistent crc32"],
                             ["server s1 {a1}", "server s2 {a2}", "server s3 {a3}"], "source",
                             ["127.%d.%d.%d" % (i % 3, i // 7, 1 + i % 200) for i in range(150)]),
}

def run(name, bal, servers, kind, keys):
    fe = free_port()
    ports = [free_port() for _ in range(6)]
    addrs = {"a%d" % (i + 1): "127.0.0.1:%d" % p for i, p in enumerate(ports)}
    be = ["backend be"] + ["    " + l for l in bal] + ["    " + s.format(**addrs) for s in servers]
    cfg = ["global", "    maxconn 1000", "defaults", "    mode http", "    timeout connect 2s",
           "    timeout client 5s", "    timeout server 5s",
           "frontend fe", "    bind 127.0.0.1:%d" % fe, "    default_backend be"] + be
    for i, p in enumerate(ports):
        cfg += ["frontend srv%d" % (i + 1), "    bind 127.0.0.1:%d" % p,
                "    http-request return status 200 content-type text/plain string s%d" % (i + 1)]
    path = "/tmp/chash-gen-%s.cfg" % name
    open(path, "w").write("\n".join(cfg) + "\n")
    hp = subprocess.Popen([HAPROXY, "-db", "-f", path], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", fe), 0.2).close(); break
            except OSError:
                time.sleep(0.05)
        out = []
        for k in keys:
            target, host, src = "/", "x", "127.0.0.1"
            if kind == "uri": target = k
            elif kind == "host": host = k
            else: src = k
            c = socket.socket(); c.bind((src, 0)); c.connect(("127.0.0.1", fe))
            c.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % (target, host)).encode())
            data = b""
            while True:
                d = c.recv(65536)
                if not d: break
                data += d
            c.close()
            body = data.split(b"\r\n\r\n", 1)[1].decode().strip()
            out.append("%s %s" % (k, body))
    finally:
        hp.terminate(); hp.wait()
    # The stored backend uses placeholder addresses: the test does not connect.
    be = ["backend be"] + ["    " + l for l in bal] + \
         ["    " + s.format(**{a: "127.0.0.1:%d" % (9000 + i) for i, a in enumerate(sorted(addrs))}) for s in servers]
    open(name + ".txt", "w").write("\n".join(be) + "\n----\n" + "\n".join(out) + "\n")
    print(name, len(out))

for n, sc in SCENARIOS.items():
    run(n, *sc)
