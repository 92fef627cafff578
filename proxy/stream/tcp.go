package stream

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/relay"
	"github.com/goha/goha/proxy/sample"
	"github.com/goha/goha/proxy/stick"
	"github.com/goha/goha/proxy/tlog"
)

// tcpSession is one client connection in mode tcp.
type tcpSession struct {
	f      *Frontend
	cli    net.Conn // replaced (under mu) by startRelay: others read it under mu, or peer
	mu     sync.Mutex
	srv    net.Conn
	r      *relay.Relay // set (under mu) before a relay loop takes the connections
	killed atomic.Bool
	// last activity in either direction, Unix ns
	last atomic.Int64

	// What finish needs, set before the relay starts.
	accepted time.Time
	smp      sample.Conn
	be       *Backend
	cr       connectResult

	// peer is the client's address, set before the session is listed and
	// never changed (show sess reads it without a lock).
	peer net.Addr
	// served is the server connected to, for show sess and `shutdown
	// sessions server` (sessview.go).
	served atomic.Pointer[Server]
}

func (s *tcpSession) kill() {
	s.killed.Store(true)
	s.mu.Lock()
	if s.r == nil || !s.r.ShutdownLocked() {
		s.cli.Close()
		if s.srv != nil {
			s.srv.Close()
		}
	}
	s.mu.Unlock()
}

// softStop: a TCP session carries on until it ends (HAProxy does the
// same; hard-stop-after bounds it).
func (s *tcpSession) softStop() {}

// serveTCP runs a mode tcp session on its own goroutine: it connects,
// then hands both connections to a relay loop (package relay) and
// returns, or relays them itself when they are not plain TCP sockets.
// ctrs are the stick counters tcp-request connection rules tracked.
func (f *Frontend) serveTCP(c net.Conn, accepted time.Time, ctrs *stick.Counters) {
	s := f.newTCPSession(c, accepted, ctrs)
	// tcp-request content rules (tlsinspect.go): peek, never consume.
	if !f.inspectContent(c, &s.smp) {
		s.finish(0, 0, [2]byte{'P', 'R'})
		return
	}
	if !s.route() {
		return
	}
	s.cr = s.tcpStickConnect(s.be)
	s.forward()
}

// startTCP begins a mode tcp session on the accept loop's goroutine,
// for as long as nothing has to wait: without content rules or stick
// rules, with a free server and a connect that completes inside
// connect(2) (loopback and near servers), the session reaches its relay
// loop without a goroutine of its own. Anything that may wait (content
// rules, a queue, a connect in progress, retries) goes on to a
// goroutine.
func (f *Frontend) startTCP(c net.Conn, accepted time.Time, ctrs *stick.Counters) {
	if len(f.contentRules) != 0 {
		go f.serveTCP(c, accepted, ctrs)
		return
	}
	s := f.newTCPSession(c, accepted, ctrs)
	if !s.route() {
		return
	}
	if s.be.stk != nil {
		go func() {
			s.cr = s.tcpStickConnect(s.be)
			s.forward()
		}()
		return
	}
	src := s.smp.Client.Addr()
	srv, first, ok := s.be.connectNow(src)
	switch {
	case !ok:
		go func() {
			s.cr = s.be.connect(s.connectCtx(s.be), src, nil, nil, nil)
			s.forward()
		}()
	case first.done && first.err == nil:
		s.cr.srv, s.cr.conn = srv, first.conn
		s.cr.tc = time.Since(first.t0)
		srv.Ctime.Add(s.cr.tc)
		s.be.Ctime.Add(s.cr.tc)
		s.forward()
	default:
		go func() {
			s.be.connectTo(s.connectCtx(s.be), &s.cr, srv, src, nil, nil, first)
			s.forward()
		}()
	}
}

// connectCtx is the context of the session's connect to be: the client
// watched while queued, the request's priority, and the client
// connection a server's `sni` expression reads.
func (s *tcpSession) connectCtx(be *Backend) context.Context {
	return be.sniContext(withPrio(s.queueCtx(), s.smp.Prio), &s.smp)
}

// newTCPSession lists a new mode tcp session for client connection c.
func (f *Frontend) newTCPSession(c net.Conn, accepted time.Time, ctrs *stick.Counters) *tcpSession {
	s := &tcpSession{f: f, cli: c, peer: c.RemoteAddr(), accepted: accepted}
	f.rt.addSession(s)
	if f.Cfg.Options.Clitcpka || f.Cfg.Options.Tcpka {
		relay.SetKeepAlive(c)
	} else if tc, ok := c.(*net.TCPConn); ok {
		tc.SetKeepAlive(false)
	}
	s.smp.Init(c)
	s.smp.Stick = ctrs
	if f.logger.Enabled() {
		// The log reads dst after the relay has taken the socket.
		s.smp.Local()
	}
	return s
}

// route picks the session's backend (use_backend rules). false: there
// is none, and the session has ended.
func (s *tcpSession) route() bool {
	be := s.f.pickBackend(&s.smp)
	s.smp.Peeked = nil
	s.be = be
	if be == nil {
		s.finish(0, 0, [2]byte{'P', 'C'})
		return false
	}
	be.sessStart(s.accepted)
	return true
}

// forward relays the connected session (s.cr) to its end, handing it to
// a relay loop when it can, or ends it when the connect failed.
func (s *tcpSession) forward() {
	cr := &s.cr
	if cr.conn != nil && cr.srv != nil {
		s.served.Store(cr.srv)
	}
	if cr.conn == nil {
		term := [2]byte{'-', '-'}
		if cr.err != nil {
			term = cr.term
		}
		s.finish(0, 0, term)
		return
	}
	tcli, tsrv := s.timeouts()
	r := relay.New(s, tcli, tsrv)
	s.mu.Lock()
	s.srv = cr.conn
	s.r = r
	killed := s.killed.Load()
	s.mu.Unlock()
	if killed {
		cr.conn.Close()
	}
	if !killed && s.startRelay(r) {
		return // the loop calls s.Finish
	}
	in, out, term := s.relay(cr.srv)
	s.finish(in, out, term)
}

// timeouts returns the inactivity timeouts of the client and server
// sides: timeout tunnel when set, else client and server.
func (s *tcpSession) timeouts() (tcli, tsrv time.Duration) {
	return tunnelTimeouts(s.f, s.cr.srv.Backend)
}

// startRelay hands the session's two connections to relay loop r. false
// means the loop did not take them: relay them on this goroutine
// instead (raw connections are turned into net.Conns for it).
func (s *tcpSession) startRelay(r *relay.Relay) bool {
	if r.Start(s.cli, s.srv) {
		return true
	}
	s.mu.Lock()
	s.cli, s.srv = relay.Usable(s.cli), relay.Usable(s.srv)
	s.mu.Unlock()
	return false
}

// Lock, Unlock, Killed and Finish make the session a relay.Owner.
func (s *tcpSession) Lock()        { s.mu.Lock() }
func (s *tcpSession) Unlock()      { s.mu.Unlock() }
func (s *tcpSession) Killed() bool { return s.killed.Load() }

// Finish ends the session for the relay loop (see finish).
func (s *tcpSession) Finish(in, out int64, term [2]byte) { s.finish(in, out, term) }

// acceptConn accepts the next connection of ln: raw ones, which the
// relay loop takes as they are, for mode tcp (relay.Accept), unless TLS
// (tb) is layered on them.
func (f *Frontend) acceptConn(ln net.Listener, tb *tlsBind) (net.Conn, error) {
	if f.mode != config.ModeTCP || tb != nil {
		return ln.Accept()
	}
	return relay.Accept(ln)
}

// finish ends a mode tcp session: counters, the traffic log, and the
// connection slots. in and out are the bytes from and to the client.
func (s *tcpSession) finish(in, out int64, term [2]byte) {
	f, be, cr := s.f, s.be, &s.cr
	rt := f.rt
	accepted := s.accepted
	if cr.conn != nil {
		cr.conn.Close()
		be.release(cr.srv)
		cr.srv.Bin.Add(in)
		cr.srv.Bout.Add(out)
		be.Bin.Add(in)
		be.Bout.Add(out)
		if term[0] == 'C' || term[0] == 'c' {
			be.CliAbrt.Add(1)
			cr.srv.CliAbrt.Add(1)
		} else if term[0] == 'S' || term[0] == 's' {
			be.SrvAbrt.Add(1)
			cr.srv.SrvAbrt.Add(1)
		}
		total := time.Since(accepted)
		cr.srv.Ttime.Add(total)
		be.Ttime.Add(total)
	}
	f.Bin.Add(in)
	f.Bout.Add(out)
	s.stickFinish(in, out)
	if s.killed.Load() {
		term = [2]byte{'K', term[1]}
	}
	if f.logger.Enabled() {
		var e tlog.Entry
		e.Tw, e.Tc = -1, -1
		if be != nil {
			e.Tw, e.Tc = cr.tw, cr.tc
		}
		e.Client = s.smp.Client
		e.Frontend = s.smp.Local()
		e.AcceptTime = accepted
		e.FrontendName = f.Name
		tlsEntry(&e, s.smp.TLS)
		if be != nil {
			e.BackendName = be.Name
		}
		if cr.srv != nil {
			e.ServerName = cr.srv.Name
			e.Server = cr.srv.addr.Load().ap
			e.SrvConn = int(cr.srv.Scur.Load())
		}
		e.Tt = time.Since(accepted)
		e.BytesOut, e.BytesIn = out, in
		e.Term = term
		e.ActConn = int(rt.ActConn.Load())
		e.FeConn = int(f.Scur.Load())
		if be != nil {
			e.BeConn = int(be.Scur.Load())
		}
		e.Retries, e.Redispatched = cr.retries, cr.redispatched
		if f.logger.ReadsSamples() {
			e.Samples = s.logEval(be, cr.srv)
		}
		f.logger.Log(&e)
	}
	if be != nil {
		be.sessEnd()
	}
	rt.removeSession(s)
	s.cli.Close()
	f.endSession()
}

// connectResult is the outcome of connecting to a server.
type connectResult struct {
	srv          *Server
	conn         net.Conn
	sc           *srvConn // set instead of conn when reuse supplied one
	tw, tc       time.Duration
	retries      int
	redispatched bool
	term         [2]byte
	err          error
}

// connect picks a server and connects to it, with retries, the
// turn-around pause between them and redispatch, as HAProxy does. On
// success the server slot stays taken (release it with be.release).
//
// reuse, when not nil, may supply an existing connection to the chosen
// server (HTTP connection reuse); it is asked before every dial.
func (be *Backend) connect(ctx context.Context, src netipAddr, req lbRequestArg, avoid *Server, reuse func(*Server) *srvConn) connectResult {
	var r connectResult
	s, qt, err := be.acquire(ctx, src, req, avoid)
	r.tw = qt
	if err != nil {
		r.err = err
		r.tw, r.tc = -1, -1
		if err == errQueueTimeout {
			r.term = [2]byte{'s', 'Q'}
			r.tw = qt
		} else if err == errQueueAbort {
			r.term = [2]byte{'C', 'Q'}
			r.tw = qt
		} else if err == errStopped {
			r.term = [2]byte{'K', 'Q'}
		} else {
			r.term = [2]byte{'S', 'C'}
		}
		return r
	}
	be.Qtime.Add(qt)
	be.connectTo(ctx, &r, s, src, req, reuse, dialAttempt{})
	return r
}

// dialAttempt is a connect begun before connectTo runs (connectNow): its
// socket, whether it completed, or its error, and when it began.
type dialAttempt struct {
	conn net.Conn
	done bool
	err  error
	t0   time.Time
}

// started reports whether the attempt was made.
func (a *dialAttempt) started() bool { return a.conn != nil || a.err != nil }

// connectTo connects to server s (its slot taken) into r, retrying and
// redispatching as connect says; first, when started, is the first
// attempt already under way.
func (be *Backend) connectTo(ctx context.Context, r *connectResult, s *Server, src netipAddr, req lbRequestArg, reuse func(*Server) *srvConn, first dialAttempt) {
	for {
		if reuse != nil && !first.started() {
			if sc := reuse(s); sc != nil {
				r.srv, r.sc = s, sc
				r.tc = 0
				return
			}
		}
		t0, c, err := be.attempt(be.withClientIP(ctx, src, s), s, req, &first)
		if err == nil {
			r.tc = time.Since(t0)
			s.Ctime.Add(r.tc)
			be.Ctime.Add(r.tc)
			r.srv, r.conn = s, c
			return
		}
		if r.retries >= be.retries || ctx.Err() != nil {
			be.connectFailed(ctx, r, s, err)
			return
		}
		r.retries++
		s.Wretr.Add(1)
		be.Wretr.Add(1)
		// HAProxy pauses (min(timeout connect, 1s)) after an immediate
		// failure before retrying.
		if time.Since(t0) < be.turnaround() {
			t := time.NewTimer(be.turnaround() - time.Since(t0))
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
			}
		}
		if be.redispatchNow(r.retries) {
			be.release(s)
			ns, _, err := be.acquire(ctx, src, req, s)
			if err != nil {
				r.err = err
				r.tc = -1
				r.term = [2]byte{'S', 'C'}
				return
			}
			if ns != s {
				r.redispatched = true
				s.Wredis.Add(1)
				be.Wredis.Add(1)
			}
			s = ns
		}
	}
}

// attempt makes one connect to s, or finishes the one first began (once).
func (be *Backend) attempt(ctx context.Context, s *Server, req lbRequestArg, first *dialAttempt) (time.Time, net.Conn, error) {
	if !first.started() {
		t0 := time.Now()
		// mode tcp (no HTTP request) dials on this goroutine: the
		// session goroutine ends once the relay loop has the connection,
		// so its stack size does not matter there.
		c, err := be.dialServerTLS(ctx, s, req)
		return t0, c, err
	}
	a := *first
	*first = dialAttempt{}
	if a.err != nil || a.done {
		return a.t0, a.conn, a.err
	}
	left := be.Cfg.Timeouts.Connect
	if left <= 0 {
		left = 5 * time.Second
	}
	left -= time.Since(a.t0)
	if left <= 0 {
		left = time.Nanosecond
	}
	if err := relay.DialFinish(ctx, a.conn, left); err != nil {
		return a.t0, nil, err
	}
	return a.t0, a.conn, nil
}

// connectFailed ends connect's retries: the failed request is counted
// (econ counts requests, not attempts, as in HAProxy) and s's slot
// released.
func (be *Backend) connectFailed(ctx context.Context, r *connectResult, s *Server, err error) {
	s.Econ.Add(1)
	be.Econ.Add(1)
	be.release(s)
	r.err = err
	r.tc = -1
	r.srv = s
	r.term = [2]byte{'S', 'C'}
	if isTimeout(err) || errors.Is(err, context.DeadlineExceeded) {
		r.term = [2]byte{'s', 'C'}
	}
	if ctx.Err() != nil {
		r.term = [2]byte{'K', 'C'}
	}
}

// connectNow is a mode tcp connect's first step taken without waiting,
// on the accept loop's goroutine: a free server taken (nobody queued)
// and a connect begun. ok false means nothing was taken: connect on a
// goroutine that may wait.
func (be *Backend) connectNow(src netipAddr) (s *Server, first dialAttempt, ok bool) {
	if be.waiting.Load() != 0 {
		return nil, first, false
	}
	w := waiter{src: src}
	s, err := be.pickFree(&w)
	if s == nil || err != nil {
		return nil, first, false
	}
	a := s.addr.Load()
	if a.network != "tcp" || s.tls != nil || be.sourceOf(s) != nil {
		return s, first, true // dialed by connectTo (on a goroutine)
	}
	first.t0 = time.Now()
	first.conn, first.done, first.err = relay.DialStart(a.ap, be.Cfg.Options.Srvtcpka || be.Cfg.Options.Tcpka)
	// Without raw connects (not Linux) nothing began: connectTo dials.
	return s, first, true
}
