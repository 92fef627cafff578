package config

import (
	"strings"
	"testing"
)

// TestAddressFamilies covers the address prefixes of bind and server
// lines with HAProxy 2.6's rules for which family fits which keyword.
func TestAddressFamilies(t *testing.T) {
	tests := []struct {
		bind, server string
		network      string // the bind's Network ("" = parse error expected)
		addr         string
		unix         string // the server's Unix
		err          string
	}{
		{"fd@3", "", NetFD, "3", "", ""},
		{"fd@abc", "", "", "", "", "'bind' : file descriptor 'abc' is not a valid integer in 'fd@abc'"},
		{"", "fd@3", "", "", "", "'server b/s' : a file descriptor is not acceptable here in 'fd@3'"},
		{"abns@front", "abns@front", NetAbns, "front", "@front", ""},
		{"unix@/tmp/x.sock", "unix@/tmp/x.sock", "unix", "/tmp/x.sock", "/tmp/x.sock", ""},
		{"uxst@/tmp/x.sock", "", "unix", "/tmp/x.sock", "", ""},
		{"ipv4@127.0.0.1:8000", "ipv4@127.0.0.1:8000", "tcp4", "127.0.0.1:8000", "", ""},
		{"ipv6@[::1]:8000", "ipv6@[::1]:8000", "tcp6", "[::1]:8000", "", ""},
		{"ipv4@[::1]:8000", "", "", "", "", "'bind' : invalid address: '[::1]' in 'ipv4@[::1]:8000'"},
		{"ipv6@127.0.0.1:8000", "", "", "", "", "'bind' : invalid address: '127.0.0.1' in 'ipv6@127.0.0.1:8000'"},
		{"", "ipv6@127.0.0.1:8000", "", "", "", "'server b/s' : could not resolve address '127.0.0.1'."},
		{"udp@1.2.3.4:5", "", "", "", "", "'bind' : dgram-type address not acceptable in 'udp@1.2.3.4:5'"},
		{"", "udp@1.2.3.4:5", "", "", "", "'server b/s' : dgram-type address not acceptable in 'udp@1.2.3.4:5'"},
		{"abns@" + strings.Repeat("x", 108), "", "", "", "", "longer than 107 bytes"},
	}
	for _, tt := range tests {
		bind, server := tt.bind, tt.server
		if bind == "" {
			bind = "127.0.0.1:8000"
		}
		if server == "" {
			server = "127.0.0.1:9000"
		}
		cfg := "defaults\n mode tcp\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n" +
			"frontend f\n bind " + bind + "\n default_backend b\nbackend b\n server s " + server + "\n"
		c, err := Parse([]Source{{Name: "a.cfg", Data: []byte(cfg)}}, testOpts(nil))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("bind %s / server %s: error %v; want one with %q", bind, server, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("bind %s / server %s: %v", bind, server, err)
			continue
		}
		var fe, be *Proxy
		for _, p := range c.Proxies {
			if p.Name == "f" {
				fe = p
			} else if p.Name == "b" {
				be = p
			}
		}
		b := fe.Binds[0]
		if tt.bind != "" && (b.Network != tt.network || b.Addr != tt.addr) {
			t.Errorf("bind %s: network %q addr %q; want %q %q", bind, b.Network, b.Addr, tt.network, tt.addr)
		}
		if tt.server != "" && be.Servers[0].Unix != tt.unix {
			t.Errorf("server %s: Unix %q; want %q", server, be.Servers[0].Unix, tt.unix)
		}
	}
}

// TestAbstractSocketName pads an abns@ name to the whole sun_path, as
// HAProxy binds and connects to it.
func TestAbstractSocketName(t *testing.T) {
	n := AbstractSocketName("x")
	if len(n) != sunPathLen || n[:2] != "@x" || strings.Trim(n[2:], "\x00") != "" {
		t.Errorf("AbstractSocketName(x) = %q (%d bytes); want @x and NULs, %d bytes", n, len(n), sunPathLen)
	}
	if UnixSocketName("/run/x.sock") != "/run/x.sock" || UnixSocketName("@x") != n {
		t.Errorf("UnixSocketName changed a path or did not pad an abstract name")
	}
}
