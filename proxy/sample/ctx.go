package sample

import (
	"net/netip"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/http1"
)

// Proxy is what fetches and %X variables read of a frontend or a
// backend.
type Proxy interface {
	// ProxyName is the section name (%f, %b, fe_name, be_name).
	ProxyName() string
	// CurConns is the number of sessions in progress (%fc, %bc).
	CurConns() int64
}

// Backends finds a backend by name, for nbsrv(NAME).
type Backends interface {
	// UsableServersOf returns the usable servers of the named backend
	// (its active ones, else its backups, as HAProxy's nbsrv counts
	// them); ok is false when there is no such backend.
	UsableServersOf(backend string) (n int, ok bool)
}

// Frontend is what fetches read of the frontend a stream arrived on.
type Frontend interface {
	Proxy
	Backends
	// ActiveConns is the process's current number of connections (%ac).
	ActiveConns() int64
	// RequestCapture returns `capture request header` slot n.
	RequestCapture(n int) (c config.Capture, ok bool)
}

// Backend is what fetches read of the backend a request was sent to.
type Backend interface {
	Proxy
	// UsableServers is the backend's nbsrv (see Backends).
	UsableServers() int
}

// Ctx is what sample fetches read: the connection, the request and
// response when there are some, and scratch space for converters. Its
// owner sets the exported fields; a Ctx is reused request after request
// so that its scratch buffers stop growing. It is not safe for
// concurrent use.
type Ctx struct {
	// Conn is the connection (nil: the address fetches find nothing).
	Conn *Conn
	// Req is the request (nil outside HTTP); Resp the response (nil
	// before there is one).
	Req  *http1.Request
	Resp *http1.Response
	// Frontend and Backend are the proxies of the stream; either may
	// be nil (never a typed nil pointer: fetches test for nil).
	Frontend Frontend
	Backend  Backend
	// Server is the name of the server the request went to (%s).
	Server string
	// NReq is the number of requests served before this one on the
	// connection (http_first_req).
	NReq int
	// Payload is the start of a TCP stream (tcp-request content);
	// Final says no more will be waited for.
	Payload []byte
	Final   bool
	// CacheName is the cache the response came from, "" when it came
	// from a server (res.cache_hit, res.cache_name).
	CacheName string
	// Vars holds the txn, req and res variables, SessVars the sess
	// ones, ProcVars the proc ones (vars.go); nil stores are empty.
	Vars     *Vars
	SessVars *Vars
	ProcVars *ProcVars
	// UniqueID is the request's unique-id (unique-id fetch, %ID).
	UniqueID []byte
	// ReqCounter is the process-wide request number (%rt).
	ReqCounter int64
	// Body is the request body at hand (req.body), when buffered.
	Body []byte

	// bufs are the converters' ping-pong scratch buffers; cur is the one
	// holding the current value.
	bufs [2][]byte
	cur  int
	// name is where AppendName builds a name.
	name []byte
	// v holds the value being evaluated (kept here so that it does not
	// escape to the heap on each evaluation).
	v smpVal
}

// scratch returns an empty buffer that does not alias the current value.
func (x *Ctx) scratch() []byte { return x.bufs[x.cur^1][:0] }

// setStr makes b (obtained from scratch) the current string value.
func (x *Ctx) setStr(v *smpVal, b []byte) {
	x.cur ^= 1
	x.bufs[x.cur] = b
	v.t, v.s = stStr, b
}

// smpType is the type of a sample value.
type smpType uint8

const (
	stNone smpType = iota
	stStr
	stInt
	stBool
	stIP
)

// smpVal is a typed sample value. s points into the request buffers or
// into a Ctx scratch buffer; it is valid until the next evaluation.
type smpVal struct {
	t  smpType
	s  []byte
	i  int64
	ip netip.Addr
}
