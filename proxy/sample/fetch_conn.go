package sample

import "net/netip"

// The connection's addresses and ports (its TLS layer: fetch_ssl.go).
var connFetches = []fetchKw{
	{"src", addrFetch(clientAddr, false)},
	{"fc_src", addrFetch(clientAddr, false)},
	{"src_port", addrFetch(clientAddr, true)},
	{"fc_src_port", addrFetch(clientAddr, true)},
	{"dst", addrFetch(localAddr, false)},
	{"fc_dst", addrFetch(localAddr, false)},
	{"dst_port", addrFetch(localAddr, true)},
	{"fc_dst_port", addrFetch(localAddr, true)},
}

func init() { registerFetches(connFetches) }

func clientAddr(c *Conn) netip.AddrPort { return c.Client }

func localAddr(c *Conn) netip.AddrPort { return c.Local() }
