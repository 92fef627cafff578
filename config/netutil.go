package config

import (
	"net/netip"
	"regexp"
	"strings"
)

// parseCIDR accepts an IPv4/IPv6 address, optionally with /bits or a
// dotted IPv4 mask, as HAProxy's ACL and `except` arguments do.
func parseCIDR(s string) (netip.Prefix, bool) {
	if i := strings.IndexByte(s, '/'); i >= 0 {
		addr, mask := s[:i], s[i+1:]
		ip, err := netip.ParseAddr(addr)
		if err != nil {
			return netip.Prefix{}, false
		}
		if m, err := netip.ParseAddr(mask); err == nil && m.Is4() && ip.Is4() {
			b := m.As4()
			bits := 0
			for _, x := range b {
				for k := 7; k >= 0; k-- {
					if x&(1<<k) != 0 {
						bits++
					}
				}
			}
			return netip.PrefixFrom(ip, bits), true
		}
		pf, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		return pf, true
	}
	ip, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(ip, ip.BitLen()), true
}

// validRegexp reports whether Go can compile a PCRE-style pattern (a
// close approximation of what HAProxy's PCRE2 accepts).
func validRegexp(s string) bool {
	_, err := regexp.Compile(s)
	return err == nil
}

// envExpand is HAProxy's env_expand(), which str2sa_range() applies to
// every address (bind, server, log, stats socket, peer...) whatever the
// quoting: `$NAME` and `${NAME}` are replaced by the variable's value
// (empty when unset). Unlike the tokenizer there is no `${NAME-default}`:
// the name stops at the first character that is not alphanumeric or '_'.
func envExpand(s string, get func(string) (string, bool)) string {
	if strings.IndexByte(s, '$') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '$' {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i + 1
		brace := j < len(s) && s[j] == '{'
		if brace {
			j++
		}
		k := j
		for k < len(s) && (isAlnum(s[k]) || s[k] == '_') {
			k++
		}
		if v, ok := get(s[j:k]); ok {
			b.WriteString(v)
		}
		if brace && k < len(s) && s[k] == '}' {
			k++
		}
		i = k
	}
	return b.String()
}
