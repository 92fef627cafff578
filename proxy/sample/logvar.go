package sample

import (
	"bytes"
	"os"
	"strconv"
	"time"

	"github.com/goha/goha/proxy/http1"
)

// logVar appends the value of a %X variable to dst (nothing when the
// stream has none).
type logVar func(dst []byte, x *Ctx) []byte

// logVars are the log-format variables rule values may use, one row per
// variable (the rest of HAProxy's list is refused by the config parser;
// see config.SupportedLogVars).
var logVars = map[string]logVar{
	"ci":  func(dst []byte, x *Ctx) []byte { return appendAddr(dst, x.Conn, false, false) },
	"cp":  func(dst []byte, x *Ctx) []byte { return appendAddr(dst, x.Conn, false, true) },
	"fi":  func(dst []byte, x *Ctx) []byte { return appendAddr(dst, x.Conn, true, false) },
	"fp":  func(dst []byte, x *Ctx) []byte { return appendAddr(dst, x.Conn, true, true) },
	"f":   appendFrontendName,
	"ft":  appendFrontendName,
	"b":   appendBackendName,
	"s":   func(dst []byte, x *Ctx) []byte { return append(dst, x.Server...) },
	"H":   func(dst []byte, _ *Ctx) []byte { return append(dst, hostname...) },
	"pid": func(dst []byte, _ *Ctx) []byte { return strconv.AppendInt(dst, int64(os.Getpid()), 10) },
	"Ts":  func(dst []byte, _ *Ctx) []byte { return strconv.AppendInt(dst, time.Now().Unix(), 10) },
	"ms":  appendMillis,
	"fc":  appendFrontendConns,
	"bc":  appendBackendConns,
	"ac":  appendActiveConns,
	"ST":  appendStatus,
	"HM":  reqVar(func(dst []byte, r *http1.Request) []byte { return append(dst, r.Method...) }),
	"HU":  reqVar(func(dst []byte, r *http1.Request) []byte { return append(dst, r.URI...) }),
	"HP":  reqVar(func(dst []byte, r *http1.Request) []byte { return append(dst, URIPath(r.URI)...) }),
	"HPO": reqVar(func(dst []byte, r *http1.Request) []byte { return append(dst, URIPath(r.URI)...) }),
	"HQ":  reqVar(appendQuery),
	"HV":  reqVar(func(dst []byte, r *http1.Request) []byte { return append(dst, r.Proto...) }),
	"r":   reqVar(func(dst []byte, r *http1.Request) []byte { return append(dst, r.Line...) }),
}

// appendAddr appends the client's (or with local the frontend's)
// address or port.
func appendAddr(dst []byte, c *Conn, local, port bool) []byte {
	if c == nil {
		return dst
	}
	ap := c.Client
	if local {
		ap = c.Local()
	}
	switch {
	case !ap.IsValid():
		return dst
	case port:
		return strconv.AppendInt(dst, int64(ap.Port()), 10)
	}
	return ap.Addr().AppendTo(dst)
}

func appendFrontendName(dst []byte, x *Ctx) []byte {
	if x.Frontend == nil {
		return dst
	}
	return append(dst, x.Frontend.ProxyName()...)
}

func appendBackendName(dst []byte, x *Ctx) []byte {
	if x.Backend == nil {
		return dst
	}
	return append(dst, x.Backend.ProxyName()...)
}

func appendFrontendConns(dst []byte, x *Ctx) []byte {
	if x.Frontend == nil {
		return dst
	}
	return strconv.AppendInt(dst, x.Frontend.CurConns(), 10)
}

func appendBackendConns(dst []byte, x *Ctx) []byte {
	if x.Backend == nil {
		return dst
	}
	return strconv.AppendInt(dst, x.Backend.CurConns(), 10)
}

func appendActiveConns(dst []byte, x *Ctx) []byte {
	if x.Frontend == nil {
		return dst
	}
	return strconv.AppendInt(dst, x.Frontend.ActiveConns(), 10)
}

func appendMillis(dst []byte, _ *Ctx) []byte {
	ms := time.Now().Nanosecond() / 1e6
	return append(dst, byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
}

func appendStatus(dst []byte, x *Ctx) []byte {
	if x.Resp == nil {
		return dst
	}
	return strconv.AppendInt(dst, int64(x.Resp.Status), 10)
}

// appendQuery appends the query string with its '?' (%HQ).
func appendQuery(dst []byte, r *http1.Request) []byte {
	if q := bytes.IndexByte(r.URI, '?'); q >= 0 {
		return append(dst, r.URI[q:]...)
	}
	return dst
}

// reqVar is a variable read from the request, empty outside HTTP.
func reqVar(f func(dst []byte, r *http1.Request) []byte) logVar {
	return func(dst []byte, x *Ctx) []byte {
		if x.Req == nil {
			return dst
		}
		return f(dst, x.Req)
	}
}

var hostname = func() string {
	h, _ := os.Hostname()
	return h
}()
