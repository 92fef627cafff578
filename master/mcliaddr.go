package master

import (
	"fmt"
	"os/user"
	"strconv"
	"strings"

	"github.com/goha/goha/config"
)

// ParseMasterCLI parses a -S specification: an address (a unix socket
// path, `unix@PATH`, `fd@N` (a listening socket inherited from the
// parent), `abns@NAME`, `ipv4@IP:PORT`, `ipv6@[IP]:PORT` or `IP:PORT`) then
// comma-separated bind options as HAProxy takes them: mode, uid, gid,
// user, group, level (default admin).
func ParseMasterCLI(spec string) (config.Bind, error) {
	parts := strings.Split(spec, ",")
	b := config.Bind{UID: -1, GID: -1, Level: "admin"}
	addr := parts[0]
	switch {
	case addr == "":
		return b, fmt.Errorf("-S %q: missing address", spec)
	case strings.HasPrefix(addr, "fd@"):
		n, err := strconv.Atoi(addr[len("fd@"):])
		if err != nil || n < 0 {
			return b, fmt.Errorf("-S %q: file descriptor '%s' is not a valid integer", spec, addr[len("fd@"):])
		}
		b.Network, b.Addr = config.NetFD, strconv.Itoa(n)
	case strings.HasPrefix(addr, "abns@"):
		b.Network, b.Addr = config.NetAbns, addr[len("abns@"):]
	case strings.HasPrefix(addr, "unix@"):
		b.Network, b.Addr = "unix", addr[len("unix@"):]
	case strings.HasPrefix(addr, "ipv4@"):
		b.Network, b.Addr = "tcp4", addr[len("ipv4@"):]
	case strings.HasPrefix(addr, "ipv6@"):
		b.Network, b.Addr = "tcp6", addr[len("ipv6@"):]
	case strings.HasPrefix(addr, "/") || strings.HasPrefix(addr, "./") || !strings.Contains(addr, ":"):
		b.Network, b.Addr = "unix", addr
	default:
		b.Network, b.Addr = "tcp", addr
	}
	opts := parts[1:]
	for i := 0; i < len(opts); i++ {
		kw := opts[i]
		if i+1 >= len(opts) {
			return b, fmt.Errorf("-S %q: '%s' expects an argument", spec, kw)
		}
		v := opts[i+1]
		i++
		switch kw {
		case "mode":
			n, err := strconv.ParseUint(v, 8, 32)
			if err != nil {
				return b, fmt.Errorf("-S %q: 'mode' expects an octal mode, not %q", spec, v)
			}
			b.Mode = uint32(n)
		case "uid":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return b, fmt.Errorf("-S %q: 'uid' expects a numeric uid, not %q", spec, v)
			}
			b.UID = n
		case "gid":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return b, fmt.Errorf("-S %q: 'gid' expects a numeric gid, not %q", spec, v)
			}
			b.GID = n
		case "user":
			u, err := user.Lookup(v)
			if err != nil {
				return b, fmt.Errorf("-S %q: unknown user %q", spec, v)
			}
			b.UID, _ = strconv.Atoi(u.Uid)
		case "group":
			g, err := user.LookupGroup(v)
			if err != nil {
				return b, fmt.Errorf("-S %q: unknown group %q", spec, v)
			}
			b.GID, _ = strconv.Atoi(g.Gid)
		case "level":
			if v != "user" && v != "operator" && v != "admin" {
				return b, fmt.Errorf("-S %q: 'level' only supports 'user', 'operator', and 'admin', not %q", spec, v)
			}
			b.Level = v
		default:
			return b, fmt.Errorf("-S %q: unknown option '%s'", spec, kw)
		}
	}
	return b, nil
}
