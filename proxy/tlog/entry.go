package tlog

import (
	"net/netip"
	"time"
)

// Entry is what the data plane knows about one connection (TCP mode) or
// one request (HTTP mode) when it ends: the input of a traffic log line.
//
// The engine fills one Entry per request, passes it by pointer to
// Logger.Log, and may reuse it afterwards (Log copies what it needs before
// returning; it keeps no reference to the Entry or to its byte slices).
// Call Reset between uses.
//
// Zero values are chosen so that an unset field prints what HAProxy prints
// when the information does not exist: an invalid netip.AddrPort prints
// "-", an empty name prints "-" (except ServerName: "<NOSRV>", and
// BackendName: the frontend's name), a nil ReqLine prints "<BADREQ>".
//
// Timers are durations printed in whole milliseconds (truncated); a
// negative timer means "phase not reached" and prints -1, exactly as
// HAProxy's. The engine measures each phase on its own:
//
//	accept ─Th─ handshake done ─Ti─ request starts ─TR─ headers received
//	       ─Tw─ left the queue ─Tc─ connected ─Tr─ response headers ... close
//	       Tt = accept to close
//
// Derived timers are computed here, as HAProxy does: %Tq = Th+Ti+TR,
// %Ta = Tt-(Th+Ti), %Tu = Tt-Ti, %Td = Tt-(Tq+Tw+Tc+Tr).
type Entry struct {
	// Client is the client's address (%ci:%cp).
	Client netip.AddrPort
	// Frontend is the local address the client reached (%fi:%fp).
	Frontend netip.AddrPort
	// BackendSrc is the local address of the connection to the server
	// (%bi:%bp); zero when no server connection was made.
	BackendSrc netip.AddrPort
	// Server is the server's address (%si:%sp); zero when none.
	Server netip.AddrPort
	// UnixListenerID is set (> 0) when the client came through a unix
	// socket listener: %ci prints "unix" and %cp/%fp print this listener
	// id, as HAProxy does.
	UnixListenerID int

	// AcceptTime is when the connection was accepted (%t, %T, %Tl, %Ts,
	// %ms). The engine always sets it (zero prints 01/Jan/0001).
	AcceptTime time.Time
	// RequestTime is when the request's first byte arrived (%tr, %trg,
	// %trl). Zero means AcceptTime + Th + Ti, which is how HAProxy derives
	// it; set it only if the engine measured it otherwise.
	RequestTime time.Time

	// FrontendName is the frontend (listen) section's name (%f, %ft).
	FrontendName string
	// BackendName is the backend's name (%b); empty means none was chosen
	// and prints the frontend's name, as HAProxy does.
	BackendName string
	// ServerName is the server's name (%s); empty prints "<NOSRV>".
	// The stats page uses "<STATS>", other applets their own name.
	ServerName string
	// TLS marks a connection accepted on an ssl bind: %ft appends "~".
	TLS bool
	// SSLVersion and SSLCipher are the client connection's TLS version
	// ("TLSv1.3") and cipher (OpenSSL's name) for %sslv and %sslc; empty
	// prints "-".
	SSLVersion, SSLCipher string

	// Th is the handshake time (accept to first byte usable), Ti the idle
	// time before the request (keep-alive wait), TR the time to receive
	// the full request headers, Tw the time spent in queues, Tc the time
	// to connect to the server, Tr the time the server took to send its
	// response headers, Tt the total time from accept to close. Negative
	// means not reached (-1). Th and Ti are 0 when they do not apply.
	Th, Ti, TR, Tw, Tc, Tr, Tt time.Duration

	// Status is the HTTP status sent to the client (%ST); HAProxy prints
	// -1 when no response was produced, so set -1 in that case. In TCP
	// mode leave 0.
	Status int
	// BytesOut counts bytes sent to the client (%B), headers included;
	// BytesIn bytes received from the client (%U). Option dontlognull
	// skips entries with BytesIn == 0.
	BytesOut, BytesIn int64

	// Term is the termination state (%ts, first two chars of %tsc): who
	// ended the session and in which phase, e.g. "--", "CD", "sH", "SC".
	// A zero byte prints '-'.
	Term [2]byte
	// Cookie is the persistence cookie state (last two chars of %tsc);
	// a zero byte prints '-'.
	Cookie [2]byte

	// ActConn is the process' current connections (%ac), FeConn the
	// frontend's (%fc), BeConn the backend's (%bc), SrvConn the server's
	// (%sc), all counted at log time and including this one.
	ActConn, FeConn, BeConn, SrvConn int
	// Retries is the number of connection retries (%rc); Redispatched
	// prefixes it with '+'.
	Retries      int
	Redispatched bool
	// SrvQueue and BackendQueue are the positions this request had in
	// the server's and the backend's queues (%sq, %bq); 0 when not queued.
	SrvQueue, BackendQueue int

	// ReqLine is the request line as received, without CRLF, e.g.
	// "GET / HTTP/1.1" (%r; %HM %HU %HP %HPO %HQ %HV are cut from it).
	// nil prints "<BADREQ>".
	ReqLine []byte
	// ReqCaptures holds one slot per `capture request header` of the
	// frontend, in order (%hr, %hrl), each already cut to its `len`; a nil
	// slot is a header that was absent. An empty slice means no capture is
	// configured: %hr prints nothing at all. ResCaptures is the same for
	// `capture response header` (%hs, %hsl).
	ReqCaptures, ResCaptures [][]byte
	// ClientCookie and ServerCookie are the captured request and response
	// cookies (%CC, %CS); nil prints "-".
	ClientCookie, ServerCookie []byte
	// UniqueID is the request's unique id (%ID); nil prints "-".
	UniqueID []byte
	// RequestCounter is the process-wide request number (%rt).
	RequestCounter uint64
	// Samples is what the format's %[...] sample expressions read,
	// handed to their FormatOptions.Expr functions (the engine's sample
	// context); nil when the engine has none.
	Samples any

	// logCount is the frontend's log counter (%lc), set by Logger.Log.
	logCount uint64
}

// Reset clears e for reuse, keeping the capture slices' length (so the
// number of configured captures is remembered) with every slot set to nil.
func (e *Entry) Reset() {
	rq, rs := e.ReqCaptures, e.ResCaptures
	for i := range rq {
		rq[i] = nil
	}
	for i := range rs {
		rs[i] = nil
	}
	*e = Entry{ReqCaptures: rq, ResCaptures: rs}
}
