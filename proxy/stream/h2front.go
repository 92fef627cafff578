package stream

import (
	"context"
	"net"
	"time"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/h2"
	"github.com/goha/goha/proxy/relay"
	"github.com/goha/goha/proxy/stick"
)

// HTTP/2 from clients (package h2's gateway design): an h2 connection is
// one session in the registry (h2Session: `show sess`, soft and hard
// stop, the frontend's connection counters) and each of its streams runs
// the HTTP/1 session machinery on an *h2.StreamConn for exactly one
// request (serveStream): every rule, ACL, balancer, filter, log format
// and counter works as for HTTP/1.1, requests are counted per stream. A
// stream's session is never parked (its conn has no socket: rc is nil),
// never splices (its conn is not a *net.TCPConn) and never keeps a
// server connection attached: it asks for "close after this request"
// from the start, so a kept server connection goes to the idle pool.
// The h2 connection itself, once it has no stream for relay.ParkAfter,
// is parked in the runtime's lot (h2Lot) with no goroutine and no
// buffer, as an idle HTTP/1 session is.

// h2Session is one HTTP/2 client connection.
type h2Session struct {
	f        *Frontend
	c        net.Conn
	srv      *h2.Server
	ctrs     *stick.Counters
	accepted time.Time
}

// serveH2 serves c, an accepted client connection whose next bytes are
// the HTTP/2 client preface, until it ends: a `proto h2` bind (h2c with
// prior knowledge), and the entry the TLS path calls once ALPN chose
// "h2" (c is then the *tls.Conn, whose handshake is done). It runs on
// the connection's goroutine, which the connection gives up when it is
// parked idle in the lot (then serveH2 returns early and the end runs on
// the goroutine that resumed it); the end undoes the accept's counting,
// as serveHTTP does.
func (f *Frontend) serveH2(c net.Conn, accepted time.Time, ctrs *stick.Counters) {
	rt := f.rt
	hs := &h2Session{f: f, c: c, ctrs: ctrs, accepted: accepted}
	if tc, ok := c.(*net.TCPConn); ok && !(f.Cfg.Options.Clitcpka || f.Cfg.Options.Tcpka) {
		tc.SetKeepAlive(false)
	}
	opts := rt.h2Options(f.Cfg.Timeouts, true)
	if rt.lot != nil {
		opts.Lot = h2Lot{rt.lot}
	}
	hs.srv = h2.NewServer(c, opts, hs.serveStream)
	rt.addSession(hs)
	// The soft stop comes through the registry (softStop), the hard stop
	// through kill: the connection needs no context of its own.
	hs.srv.Serve(context.Background(), func(error) { hs.end() })
}

// end is the end of the connection: it leaves the registry and undoes
// the accept's counting.
func (hs *h2Session) end() {
	hs.f.rt.removeSession(hs)
	if hs.ctrs != nil {
		hs.ctrs.Release()
	}
	hs.c.Close()
	hs.f.endSession()
}

// kill closes the connection now (hard stop, shutdown session): the
// streams in flight fail; a parked connection is taken up to end.
func (hs *h2Session) kill() { hs.srv.Kill() }

// softStop sends GOAWAY: the streams in flight finish, new ones are
// refused, and the connection closes when the last one ends.
func (hs *h2Session) softStop() { hs.srv.Shutdown() }

// serveStream runs one stream's request through the HTTP/1 session
// machinery (handle, the request phases) and ends it.
func (hs *h2Session) serveStream(vc net.Conn) {
	f := hs.f
	s := &httpSession{f: f, rt: f.rt, c: vc, accepted: time.Now()}
	s.smp.Init(vc)
	s.smp.Backends = f.rt
	s.smp.Stick = hs.ctrs
	// Close after this request: a stream carries one, and the server
	// connection goes back to the pool instead of staying attached.
	s.stop.Store(true)
	if s.readRequest() == reqReady {
		markH2(s.w)
		s.handle()
		s.endUpload()
		s.releaseBody()
	}
	s.releaseWork()
	if s.sc != nil {
		s.sc.c.Close()
		s.sc = nil
	}
	vc.Close()
}

// h2Lot adapts the runtime's parking lot to h2.Parker: an idle HTTP/2
// connection parks there as an idle HTTP/1 session does.
type h2Lot struct{ lot *relay.Lot }

// Spot returns a connection's place in the lot.
func (l h2Lot) Spot(control func(f func(fd uintptr)) error, resume func()) h2.ParkSpot {
	return &h2Spot{lot: l.lot, control: control, resume: resume}
}

// h2Spot is a parked HTTP/2 connection as the lot sees it (a
// relay.Parkable) and as package h2 sees its place (an h2.ParkSpot).
type h2Spot struct {
	lot     *relay.Lot
	control func(f func(fd uintptr)) error
	resume  func()
	k       relay.Parking
}

// Control runs f with the connection's socket descriptor.
func (s *h2Spot) Control(f func(fd uintptr)) error { return s.control(f) }

// Parking returns the connection's parking state.
func (s *h2Spot) Parking() *relay.Parking { return &s.k }

// Unpark resumes the connection on a new goroutine if it is parked.
func (s *h2Spot) Unpark() {
	if s.k.TakeUp() {
		go s.resume()
	}
}

// Park hands the connection to the lot until deadline.
func (s *h2Spot) Park(deadline time.Time) bool { return s.lot.Park(s, deadline) }

// Wake resumes the connection now if it is parked.
func (s *h2Spot) Wake() { s.Unpark() }

// Release frees the connection's slot in the lot.
func (s *h2Spot) Release() { s.lot.Release(s) }

// protoH2 is the request version of a stream (%HV, the req.ver fetch).
var protoH2 = []byte("HTTP/2.0")

// proto11 is what an HTTP/2 request is sent to an HTTP/1 server as.
var proto11 = []byte("HTTP/1.1")

// markH2 makes a stream's request say HTTP/2.0 wherever the request
// line or version is read (logs, samples), in place: the gateway wrote
// "HTTP/1.1", of the same length.
func markH2(w *work) {
	req := &w.req
	if l := req.Line; len(l) >= len(protoH2) && string(l[len(l)-len(protoH2):]) == "HTTP/1.1" {
		copy(l[len(l)-len(protoH2):], protoH2)
	}
	req.Proto = protoH2
}

// serverProto is the version a request is sent to a server with: the
// client's, but HTTP/1.1 for an HTTP/2 client.
func serverProto(p []byte) []byte {
	if len(p) == len(protoH2) && p[5] == '2' {
		return proto11
	}
	return p
}

// h2Options are the settings of HTTP/2 connections from the tune.h2.*
// keywords and the proxy's timeouts: to clients (timeout http-keep-alive,
// else timeout client, as the idle timeout; timeout client bounds
// writes) or to servers (timeout server bounds writes; idle connections
// are closed by the pool).
func (rt *Process) h2Options(t config.Timeouts, client bool) h2.Options {
	g := &rt.cfg.Global
	o := h2.Options{
		MaxConcurrentStreams: uint32(g.TuneH2MaxConcurrentStreams),
		HeaderTableSize:      uint32(g.TuneH2HeaderTableSize),
		InitialWindowSize:    uint32(g.TuneH2InitialWindowSize),
		MaxFrameSize:         uint32(g.TuneH2MaxFrameSize),
		MaxHeaderListSize:    uint32(rt.bufsize),
		MaxHeadBytes:         rt.bufsize,
	}
	if client {
		o.IdleTimeout = t.HTTPKeepAlive
		if o.IdleTimeout <= 0 {
			o.IdleTimeout = t.Client
		}
		o.WriteTimeout = t.Client
	} else {
		o.WriteTimeout = t.Server
	}
	return o
}

// isH2Listener reports whether ln is a `proto h2` bind's.
func (f *Frontend) isH2Listener(ln net.Listener) bool {
	for _, l := range f.h2ln {
		if l == ln {
			return true
		}
	}
	return false
}
