package acl

import (
	"fmt"
	"net/netip"

	"github.com/goha/goha/config"
)

// Sample is what ACLs read from a connection or request. The HTTP engine
// implements it (and a TCP variant where HTTP fetches are unavailable).
// Methods must not retain nor modify the slices they return.
type Sample interface {
	// Method returns the request method as received ("GET").
	Method() []byte
	// Path returns the path part of the URI, without the query string.
	Path() []byte
	// URL returns the whole request target as received.
	URL() []byte
	// Header calls fn with each value of header name (a lowercase name),
	// values split on commas as HAProxy's hdr() does, in order, until fn
	// returns false. A header present with an empty value is reported as
	// one empty value.
	Header(name string, fn func(value []byte) bool)
	// Src returns the client address.
	Src() netip.Addr
	// DstPort returns the local port the client connected to.
	DstPort() int
	// SSL reports whether the client connection uses TLS.
	SSL() bool
	// SNI returns the TLS server name the client sent, or nil.
	SNI() []byte
	// HTTP reports whether the request is parsed HTTP; false in TCP mode
	// before or without HTTP parsing, where every HTTP fetch finds nothing.
	HTTP() bool
}

// VersionSample is an optional ability of a Sample: the HTTP version of the
// request without "HTTP/" ("1.1"), for req.ver and the predefined ACLs
// HTTP_1.0, HTTP_1.1 and HTTP_2.0. Without it those never match.
type VersionSample interface {
	Version() []byte
}

// SrcPortSample is an optional ability of a Sample: the client's port, for
// src_port. Without it src_port never matches.
type SrcPortSample interface {
	SrcPort() int
}

// DstSample is an optional ability of a Sample: the local address the
// client connected to, for dst. Without it dst never matches.
type DstSample interface {
	Dst() netip.Addr
}

// NbsrvSample is an optional ability of a Sample: the number of usable
// servers of a backend, for nbsrv(backend). Without it nbsrv is 0.
type NbsrvSample interface {
	Nbsrv(backend string) int
}

// AuthSample is an optional ability of a Sample, for http_auth(userlist)
// and http_auth_group(userlist): HTTPAuth checks the request's Basic
// credentials against the userlist and returns the user name when they
// are valid; InGroup reports whether that user is in group. Without it
// both never match.
type AuthSample interface {
	HTTPAuth(userlist string) (user []byte, ok bool)
	InGroup(userlist string, user []byte, group string) bool
}

// Cond is a compiled `if`/`unless` condition: an OR of AND-terms of ACLs,
// each possibly negated. A nil *Cond is always true. A Cond is immutable and
// safe for concurrent use.
type Cond struct {
	unless   bool
	or       [][]term
	source   string
	needHTTP bool
}

// term is one ACL reference: every definition sharing the name, ORed.
type term struct {
	neg bool
	ms  []*matcher
}

func (t *term) match(s Sample) bool {
	for _, m := range t.ms {
		if m.eval(s) {
			return true
		}
	}
	return false
}

// Compile compiles a condition. A nil condition compiles to nil, which Eval
// treats as true. Errors name the ACL, its place and the faulty input.
// Its patterns are private: use CompileWith for ones the runtime API
// changes.
func Compile(c *config.Cond) (*Cond, error) { return CompileWith(c, nil) }

// CompileWith compiles a condition whose ACLs read their patterns from
// the live references of refs (private ones when refs is nil).
func CompileWith(c *config.Cond, refs *Refs) (*Cond, error) {
	if c == nil {
		return nil, nil
	}
	out := &Cond{unless: c.Unless, source: c.Source}
	cache := map[*config.ACL]*matcher{}
	for _, and := range c.Or {
		ts := make([]term, 0, len(and))
		for _, t := range and {
			defs := t.ACLs
			if len(defs) == 0 && t.ACL != nil {
				defs = []*config.ACL{t.ACL}
			}
			if t.Predefined != "" {
				// A predefined name always means the built-in ACL
				// (HAProxy: a user ACL with that name never matches).
				p, ok := Predefined(t.Predefined)
				if !ok {
					return nil, fmt.Errorf("condition %q: unknown predefined ACL %q", c.Source, t.Predefined)
				}
				defs = []*config.ACL{p}
			}
			if len(defs) == 0 {
				return nil, fmt.Errorf("condition %q: term without ACL", c.Source)
			}
			tm := term{neg: t.Neg}
			for _, a := range defs {
				m, ok := cache[a]
				if !ok {
					var err error
					m, err = compileACL(a, refs)
					if err != nil {
						return nil, err
					}
					cache[a] = m
				}
				if m.def.http {
					out.needHTTP = true
				}
				tm.ms = append(tm.ms, m)
			}
			ts = append(ts, tm)
		}
		out.or = append(out.or, ts)
	}
	return out, nil
}

// Eval evaluates the condition against s. It does not allocate.
func (c *Cond) Eval(s Sample) bool {
	if c == nil {
		return true
	}
	r := false
	for _, and := range c.or {
		ok := true
		for _, t := range and {
			if t.match(s) == t.neg {
				ok = false
				break
			}
		}
		if ok {
			r = true
			break
		}
	}
	return r != c.unless
}

// NeedsHTTP reports whether the condition reads anything from an HTTP
// request (so a TCP-mode rule using it never matches on those terms).
func (c *Cond) NeedsHTTP() bool { return c != nil && c.needHTTP }

// String returns the condition as written.
func (c *Cond) String() string {
	if c == nil {
		return ""
	}
	return c.source
}

// ACL is one compiled ACL, for callers that evaluate a single ACL.
type ACL struct{ m *matcher }

// CompileACL compiles a single ACL definition.
func CompileACL(a *config.ACL) (*ACL, error) {
	m, err := compileACL(a, nil)
	if err != nil {
		return nil, err
	}
	return &ACL{m: m}, nil
}

// Match reports whether the ACL matches s. It does not allocate.
func (a *ACL) Match(s Sample) bool { return a.m.eval(s) }
