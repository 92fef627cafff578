package getsocks

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Take returns the first socket of socks bound at the address of a bind
// line: network is config.Bind.Network ("tcp", "tcp4", "tcp6", "unix", "abns")
// and addr its Addr (a single address: expand port ranges first) and marks it taken (its File field
// is cleared; the caller owns the returned file). It returns nil when no
// socket matches.
func Take(socks []Socket, network, addr string) *os.File {
	for i := range socks {
		if socks[i].File != nil && Matches(socks[i], network, addr) {
			f := socks[i].File
			socks[i].File = nil
			return f
		}
	}
	return nil
}

// Matches reports whether s is a listening socket bound at the address
// of a bind line (network and addr as for Take):
// same path for a unix socket (the ".PID.tmp" suffix of HAProxy-style
// binding ignored), same name for an abstract one, same port and address for TCP, where any unspecified
// address (empty, "*", 0.0.0.0, ::) matches any other. A socket announced
// with a network namespace or an interface never matches: goha binds
// neither.
func Matches(s Socket, network, addr string) bool {
	if !s.Listening || s.Namespace != "" || s.Interface != "" {
		return false
	}
	switch network {
	case "unix":
		return s.Network == "unix" && samePath(stripTmp(s.Path), addr)
	case "abns":
		// config.NetAbns: an abstract socket, named "@NAME" (its NUL
		// padding cut) by the socket's address.
		return s.Network == "unix" && s.Path == "@"+addr
	}
	if s.Network != "tcp4" && s.Network != "tcp6" {
		return false
	}
	switch network {
	case "tcp4":
		if s.Network != "tcp4" && s.IP.To4() == nil {
			return false
		}
	case "tcp6":
		if s.Network != "tcp6" {
			return false
		}
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	p, err := strconv.Atoi(port)
	if err != nil || p != s.Port {
		return false
	}
	if host == "" || host == "*" {
		return s.IP.IsUnspecified()
	}
	ip := net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	if ip == nil {
		addrs, err := net.LookupIP(host)
		if err != nil {
			return false
		}
		for _, a := range addrs {
			if a.Equal(s.IP) {
				return true
			}
		}
		return false
	}
	if ip.IsUnspecified() {
		return s.IP.IsUnspecified()
	}
	return ip.Equal(s.IP)
}

// stripTmp removes the ".PID.tmp" suffix of a unix socket bound at a
// temporary path and renamed into place.
func stripTmp(p string) string {
	base, ok := strings.CutSuffix(p, ".tmp")
	if !ok {
		return p
	}
	dot := strings.LastIndexByte(base, '.')
	if dot < 0 || dot == len(base)-1 {
		return p
	}
	for _, c := range base[dot+1:] {
		if c < '0' || c > '9' {
			return p
		}
	}
	return base[:dot]
}

// samePath compares two unix socket paths after cleaning, resolving a
// relative one against the working directory.
func samePath(a, b string) bool {
	abs := func(p string) string {
		if q, err := filepath.Abs(p); err == nil {
			return q
		}
		return filepath.Clean(p)
	}
	return abs(a) == abs(b)
}
