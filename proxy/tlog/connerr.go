package tlog

import (
	"net/netip"
	"strconv"
	"time"
)

// ConnError sends HAProxy's fixed-format line for a connection that
// failed before a stream started (a TLS handshake that failed), as its
// "error log format" prints it:
//
//	127.0.0.1:38740 [03/Dec/2026:14:33:38.475] fe/1: SSL handshake failure
//
// bind is the bind's `name`, else its number in the frontend. It is sent
// at level info, err with `option log-separate-errors`; with `option
// dontlognull` a connection that sent nothing (empty) is not logged. A
// proxy without log targets, or with `no log`, logs nothing.
func (l *Logger) ConnError(client netip.AddrPort, accepted time.Time, bind, reason string, empty bool) {
	if !l.HasTargets() || (empty && l.opts.DontLogNull) {
		return
	}
	level := Info
	if l.opts.SeparateErrors {
		level = Err
	}
	m := getMsg()
	b := m.body[:0]
	if client.IsValid() {
		b = client.Addr().WithZone("").AppendTo(b)
		b = append(b, ':')
		b = strconv.AppendUint(b, uint64(client.Port()), 10)
	} else {
		b = append(b, "unix:0"...)
	}
	b = append(b, " ["...)
	b = appendDateSecond(b, accepted.Local())
	b = append(b, '.')
	b = appendPad(b, accepted.Nanosecond()/1e6, 3)
	b = append(b, "] "...)
	b = append(b, l.opts.Name...)
	b = append(b, '/')
	b = append(b, bind...)
	b = append(b, ": "...)
	b = append(b, reason...)
	m.body = b
	l.dispatch(m, level)
}

// %sslv and %sslc: the client connection's TLS version and cipher.

func appendSSLVersion(_ *Format, dst []byte, e *Entry, _ *op) ([]byte, bool) {
	return appendOrDash(dst, e.SSLVersion), true
}

func appendSSLCipher(_ *Format, dst []byte, e *Entry, _ *op) ([]byte, bool) {
	return appendOrDash(dst, e.SSLCipher), true
}

func appendOrDash(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, '-')
	}
	return append(dst, s...)
}
