package config

import (
	"context"
	"net"
	"time"
)

// systemResolve resolves a host name with the system resolver, preferring
// IPv4 as HAProxy's default init-addr does (first address returned).
func systemResolve(host string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		return "", err
	}
	for _, a := range addrs {
		if v4 := a.IP.To4(); v4 != nil {
			return v4.String(), nil
		}
	}
	if len(addrs) == 0 {
		return "", &net.DNSError{Err: "no address", Name: host}
	}
	return addrs[0].IP.String(), nil
}
