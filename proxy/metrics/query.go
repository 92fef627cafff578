package metrics

import (
	"errors"
	"fmt"
	"strings"
)

// Scope is a set of metric groups, as the `scope=` query parameter
// selects them.
type Scope uint8

// The scopes. ScopeAll is every one (`scope=*`, and the default when the
// query names no scope).
const (
	ScopeGlobal Scope = 1 << iota
	ScopeFrontend
	ScopeListener
	ScopeBackend
	ScopeServer
	ScopeStickTable

	ScopeAll = ScopeGlobal | ScopeFrontend | ScopeListener | ScopeBackend | ScopeServer | ScopeStickTable
)

var scopeNames = map[string]Scope{
	"global": ScopeGlobal, "frontend": ScopeFrontend, "listener": ScopeListener,
	"backend": ScopeBackend, "server": ScopeServer, "sticktable": ScopeStickTable, "*": ScopeAll,
}

// Options select what a scrape writes.
type Options struct {
	Scope Scope
	// NoMaint leaves out the servers in maintenance (their
	// haproxy_server_* samples; backend aggregates still count them).
	NoMaint bool
}

// DefaultOptions is a scrape without a query: every scope.
var DefaultOptions = Options{Scope: ScopeAll}

// ErrBadQuery is wrapped by the errors of ParseURI; HAProxy answers such a
// request with its 400 error page.
var ErrBadQuery = errors.New("bad prometheus-exporter query")

// ParseURI reads the query string of a request URI ("/metrics?scope=server
// &no-maint") as HAProxy 2.6 does: parameters are split at '&', the query
// ends at '#', names and values are URL-decoded ('+' is a space).
// `scope=NAME` adds a scope (global, frontend, listener, backend, server,
// sticktable, or * for all), an empty `scope=` removes every scope named
// before it, and naming any scope drops the default (all); `no-maint`
// hides servers in maintenance; other parameters are ignored. A `scope`
// without a value or with an unknown one, a value holding '=', and a bad
// %-escape are errors.
func ParseURI(uri string) (Options, error) {
	q := uri
	if i := strings.IndexByte(uri, '?'); i >= 0 {
		q = uri[i+1:]
	} else {
		return DefaultOptions, nil
	}
	if i := strings.IndexByte(q, '#'); i >= 0 {
		q = q[:i]
	}
	var o Options
	named := false
	for q != "" {
		var param string
		param, q, _ = strings.Cut(q, "&")
		rawKey, rawVal, hasVal := strings.Cut(param, "=")
		if strings.IndexByte(rawVal, '=') >= 0 {
			return o, fmt.Errorf("%w: %q: a value holds '='", ErrBadQuery, param)
		}
		key, err := unescape(rawKey)
		if err != nil {
			return o, fmt.Errorf("%w: %q: %v", ErrBadQuery, param, err)
		}
		val, err := unescape(rawVal)
		if err != nil {
			return o, fmt.Errorf("%w: %q: %v", ErrBadQuery, param, err)
		}
		switch key {
		case "scope":
			named = true
			if !hasVal {
				return o, fmt.Errorf("%w: %q: scope without a value", ErrBadQuery, param)
			}
			if val == "" {
				o.Scope = 0
				continue
			}
			s, ok := scopeNames[val]
			if !ok {
				return o, fmt.Errorf("%w: unknown scope %q (want global, frontend, listener, backend, server, sticktable or *)", ErrBadQuery, val)
			}
			o.Scope |= s
		case "no-maint":
			o.NoMaint = true
		}
	}
	if !named {
		o.Scope = ScopeAll
	}
	return o, nil
}

// unescape decodes %XX escapes and '+' (a space), as HAProxy's url_decode
// does for a form.
func unescape(s string) (string, error) {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b.WriteByte(' ')
		case '%':
			if i+2 >= len(s) || !ishex(s[i+1]) || !ishex(s[i+2]) {
				return "", fmt.Errorf("bad escape %q", s[i:min(i+3, len(s))])
			}
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}
