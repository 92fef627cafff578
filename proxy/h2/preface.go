package h2

import (
	"bufio"
	"bytes"
	"net"
)

// Preface is the client connection preface (RFC 9113 §3.4) that starts
// every HTTP/2 connection, and the way an h2c client with prior knowledge
// is told apart from an HTTP/1.1 one on a clear-text port.
const Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

// IsPreface reports whether b starts with the client preface, and
// whether it could still (b is a prefix of the preface): a caller that
// sniffs reads until it knows.
func IsPreface(b []byte) (is, maybe bool) {
	if len(b) >= len(Preface) {
		return string(b[:len(Preface)]) == Preface, false
	}
	return false, bytes.HasPrefix([]byte(Preface), b)
}

// SniffPreface reads from c until it knows whether the client sent the
// HTTP/2 preface, without consuming anything: the returned conn replays
// what was read. It stops at the first byte that differs, so an
// HTTP/1.1 request costs no extra wait. Choosing h2c by an
// `Upgrade: h2c` request is left to the caller (HAProxy 2.6 does not).
func SniffPreface(c net.Conn) (net.Conn, bool, error) {
	br := bufio.NewReaderSize(c, len(Preface))
	for n := 1; ; n++ {
		b, err := br.Peek(n)
		is, maybe := IsPreface(b)
		if is || !maybe || err != nil {
			return &peekedConn{Conn: c, r: br}, is, err
		}
	}
}

// peekedConn is a net.Conn whose first bytes come from a bufio.Reader.
type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

// Read reads what was peeked, then from the conn itself.
func (p *peekedConn) Read(b []byte) (int, error) {
	if p.r != nil {
		if p.r.Buffered() > 0 {
			return p.r.Read(b)
		}
		p.r = nil
	}
	return p.Conn.Read(b)
}
