package config

import "strings"

// Networks of a Bind besides "tcp", "tcp4", "tcp6" and "unix".
const (
	// NetFD is fd@N: Bind.Addr is the number of a listening socket the
	// process inherited from its parent (a service manager or a
	// supervisor that bound it).
	NetFD = "fd"
	// NetAbns is abns@NAME: Bind.Addr is the name of a Linux abstract
	// unix socket.
	NetAbns = "abns"
	// NetSockpair is sockpair@N: Bind.Addr is the number of one end of
	// a unix socket pair inherited from the parent, which sends accepted
	// connections over it (SCM_RIGHTS) instead of the process accepting.
	NetSockpair = "sockpair"
)

// sunPathLen is the size of sockaddr_un's sun_path on Linux.
const sunPathLen = 108

// maxAbstractName is the longest abns@ name: sun_path less the leading
// NUL that marks the abstract namespace.
const maxAbstractName = sunPathLen - 1

// AbstractSocketName returns the unix socket name Go's net package uses
// for HAProxy's abns@NAME. HAProxy binds and connects with the whole
// sun_path (NAME padded with NUL bytes), so the kernel sees
// "\x00NAME\x00\x00..." rather than "\x00NAME": goha pads the same way to
// meet HAProxy's abstract sockets and to be met by its clients.
func AbstractSocketName(name string) string {
	return "@" + name + strings.Repeat("\x00", maxAbstractName-len(name))
}

// UnixSocketName returns the name to dial for a unix address as goha
// keeps it (Server.Unix): a path, or "@NAME" for abns@NAME, padded as
// HAProxy pads it (AbstractSocketName).
func UnixSocketName(addr string) string {
	if strings.HasPrefix(addr, "@") {
		return AbstractSocketName(addr[1:])
	}
	return addr
}
