package sample

import "net/netip"

// The connection's addresses and ports, and its TLS layer (goha has
// none yet: ssl_fc is false, ssl_fc_sni empty).
var connFetches = []fetchKw{
	{"src", addrFetch(clientAddr, false)},
	{"fc_src", addrFetch(clientAddr, false)},
	{"src_port", addrFetch(clientAddr, true)},
	{"fc_src_port", addrFetch(clientAddr, true)},
	{"dst", addrFetch(localAddr, false)},
	{"fc_dst", addrFetch(localAddr, false)},
	{"dst_port", addrFetch(localAddr, true)},
	{"fc_dst_port", addrFetch(localAddr, true)},
	{"ssl_fc", intFetch(func(*Ctx) (int64, bool) { return 0, true }, stBool)},
	{"ssl_fc_sni", strFetch(func(*Ctx) []byte { return nil })},
}

func init() { registerFetches(connFetches) }

func clientAddr(c *Conn) netip.AddrPort { return c.Client }

func localAddr(c *Conn) netip.AddrPort { return c.Local() }
