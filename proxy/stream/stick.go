package stream

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/acl"
	"github.com/goha/goha/proxy/lb"
	"github.com/goha/goha/proxy/rules"
	"github.com/goha/goha/proxy/sample"
	"github.com/goha/goha/proxy/stick"
)

// Stick tables in the pipeline: the generation's tables (one stick.Set,
// swept by one goroutine tied to the process's context), the stick
// counters of a connection (track-sc in tcp-request connection and
// session rules, kept for the connection; in tcp-request content and
// http-request rules, kept for the request), the events counted on them
// as HAProxy counts them, tarpit, silent-drop, rate-limit sessions and
// the stick on/match/store persistence of a backend's server choice.
//
// When counters move (HAProxy 2.6):
//   - track-sc: conn_cur+1, conn_cnt and conn_rate (stick.Table.Track);
//     conn_cur-1 when the counter is released.
//   - sess_cnt/sess_rate: once the tcp-request session rules accepted,
//     on the counters tracked by then.
//   - http_req_cnt/rate: when an HTTP request starts, on the counters
//     the connection tracks; and on a counter tracked by an
//     http-request or tcp-request content rule, when it is tracked.
//   - http_err (4xx) and http_fail (5xx but 501 and 505) for server
//     answers; bytes_in/out when the request ends, on every counter.

// stickProc is a generation's tables.
type stickProc struct {
	set     *stick.Set
	byProxy map[*config.Proxy]*stick.Table
}

// stickSweepEvery is how often expired entries are swept (they are also
// dropped when met).
const stickSweepEvery = time.Second

// buildTables makes the tables of every proxy with a stick-table. A
// backend with stick rules stores server_id and server_key, as HAProxy
// adds them.
func buildTables(cfg *config.Config) (*stickProc, error) {
	sp := &stickProc{byProxy: map[*config.Proxy]*stick.Table{}}
	var list []*stick.Table
	for _, p := range cfg.Proxies {
		if p.StickTable == nil {
			continue
		}
		tc := *p.StickTable
		if len(p.Sticks) > 0 {
			tc.Store = withStore(tc.Store, "server_id", "server_key")
		}
		t, err := stick.New(&tc, nil)
		if err != nil {
			return nil, fmt.Errorf("%s %q: %w", "proxy", p.Name, err)
		}
		sp.byProxy[p] = t
		list = append(list, t)
	}
	pt, err := peersTables(cfg)
	if err != nil {
		return nil, err
	}
	list = append(list, pt...)
	sp.set = stick.NewSet(list...)
	return sp, nil
}

// withStore returns st with the named data types added when missing.
func withStore(st []config.StickStore, names ...string) []config.StickStore {
	out := append([]config.StickStore(nil), st...)
	for _, n := range names {
		found := false
		for _, s := range st {
			found = found || s.Name == n
		}
		if !found {
			out = append(out, config.StickStore{Name: n})
		}
	}
	return out
}

// table returns the table a rule of p names ("" = p's own).
func (sp *stickProc) table(p *config.Proxy, name string) *stick.Table {
	if name == "" {
		return sp.byProxy[p]
	}
	return sp.set.Find(name)
}

// sweep sweeps every table until ctx ends.
func (sp *stickProc) sweep(ctx context.Context, done func()) {
	defer done()
	tk := time.NewTicker(stickSweepEvery)
	defer tk.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tk.C:
			for _, t := range sp.set.Tables() {
				t.Sweep()
			}
		}
	}
}

// Tables is the generation's stick tables, for the runtime API.
func (rt *Process) Tables() *stick.Set {
	if rt.stk == nil {
		return stick.NewSet()
	}
	return rt.stk.set
}

// startStick starts the sweeper of the tables, if any.
func (rt *Process) startStick() {
	if rt.stk == nil || len(rt.stk.set.Tables()) == 0 {
		return
	}
	rt.wg.Add(1)
	go rt.stk.sweep(rt.ctx, rt.wg.Done)
}

// feStick is what a frontend needs of stick tables: its own table, its
// tcp-request session rules, whether any rule tracks or reads counters,
// and its session rate limit.
type feStick struct {
	own       *stick.Table
	sessRules []*rules.TCPRule
	uses      bool
	limit     *rateLimit
}

// initStick sets up a frontend's stick state.
func (f *Frontend) initStick(p *config.Proxy) error {
	rt := f.rt
	sr, err := rules.CompileSessionRules(p, f.copts)
	if err != nil {
		return err
	}
	fs := &feStick{own: rt.stk.byProxy[p], sessRules: sr}
	fs.uses = fs.own != nil || len(sr) > 0 || len(rt.stk.set.Tables()) > 0
	if p.RateLimitSessions > 0 {
		fs.limit = newRateLimit(p.RateLimitSessions)
	}
	f.stk = fs
	return nil
}

// newCounters returns fresh counters for a connection of f, or nil when
// nothing in the generation tracks or reads stick tables.
func (f *Frontend) newCounters() *stick.Counters {
	if f.stk == nil || !f.stk.uses {
		return nil
	}
	return &stick.Counters{Set: f.rt.stk.set, Own: f.stk.own}
}

// tcpRuleAction runs the non-final part of a tcp-request rule (a stick
// counter action) on c; perRequest marks tracked counters as ending with
// the request, http that an HTTP request is counted on them.
func (f *Frontend) tcpRuleAction(r *rules.TCPRule, c *stick.Counters, x *sample.Ctx, perRequest, http bool) {
	if r.Track != nil && isLowKind(r.TrackKind) {
		f.lowAction(r.TrackKind, r.Track, x, x.Conn.NetConn())
		return
	}
	if c == nil || r.Track == nil {
		return
	}
	f.stickAction(r.TrackKind, r.Track, f.Cfg, c, x, perRequest, http)
}

// stickAction runs track-sc, sc-inc-gpc or sc-set-gpt for a rule of
// proxy p.
func (f *Frontend) stickAction(k rules.Kind, tr *rules.Track, p *config.Proxy, c *stick.Counters, x *sample.Ctx, perRequest, http bool) {
	switch k {
	case rules.TrackSC:
		t := f.rt.stk.table(p, tr.Table)
		if t == nil || c.SC[tr.SC].E != nil {
			return
		}
		key, ok := tr.Key.StickKey(x, t)
		if !ok || !c.Track(tr.SC, t, key, perRequest) {
			return
		}
		if http {
			t.Count(c.SC[tr.SC].E, stick.EvHTTPReq, 1)
		}
	case rules.IncGPC:
		if sc := c.SC[tr.SC]; sc.E != nil {
			sc.T.IncGPC(sc.E, tr.Array, tr.Idx)
		}
	case rules.SetGPT:
		sc := c.SC[tr.SC]
		if sc.E == nil {
			return
		}
		v := tr.Const
		if tr.Value != nil {
			n, ok := tr.Value.Int(x)
			if !ok {
				return
			}
			v = n
		}
		sc.T.SetGPT(sc.E, tr.Array, tr.Idx, uint32(v))
	}
}

// connRules applies tcp-request connection then session rules to a new
// connection c: it returns false when the connection is refused, and the
// connection's stick counters (nil when the generation has no tables).
func (f *Frontend) connRulesStick(c net.Conn) (bool, *stick.Counters) {
	ctrs := f.newCounters()
	if len(f.connRules) == 0 && (f.stk == nil || len(f.stk.sessRules) == 0) {
		return true, ctrs
	}
	x := &sample.Ctx{Frontend: f, Conn: &sample.Conn{Stick: ctrs}}
	x.Conn.Init(c)
	for _, set := range [2][]*rules.TCPRule{f.connRules, f.sessRules()} {
		if ok, done := f.runTCPRules(set, c, ctrs, x); done && !ok {
			if ctrs != nil {
				ctrs.Release()
			}
			return false, nil
		}
	}
	if ctrs != nil {
		ctrs.Count(stick.EvSess, 1)
	}
	return true, ctrs
}

// sessRules are the tcp-request session rules.
func (f *Frontend) sessRules() []*rules.TCPRule {
	if f.stk == nil {
		return nil
	}
	return f.stk.sessRules
}

// runTCPRules runs one list of tcp-request rules; done says an accept,
// reject or silent-drop ended it (ok: accepted).
func (f *Frontend) runTCPRules(set []*rules.TCPRule, c net.Conn, ctrs *stick.Counters, x *sample.Ctx) (ok, done bool) {
	for _, r := range set {
		if !r.Cond.Eval(x.Conn) {
			continue
		}
		switch {
		case r.SilentDrop:
			silentDrop(c)
			return false, true
		case r.Track != nil:
			f.tcpRuleAction(r, ctrs, x, false, false)
		default:
			return r.Accept, true
		}
	}
	return true, false
}

// silentDrop closes c without a word to the client, as HAProxy's
// silent-drop does: the TTL (hop limit) of the socket drops to 1 so that
// the reset does not reach a client beyond the first hop, and the
// connection is reset (SO_LINGER 0) rather than closed with a FIN. A
// client on the same host still sees the reset: Go offers no way to
// forget a connection without the kernel answering.
func silentDrop(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		if rc, err := tc.SyscallConn(); err == nil {
			rc.Control(func(fd uintptr) {
				syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IP, syscall.IP_TTL, 1)
				syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IPV6, syscall.IPV6_UNICAST_HOPS, 1)
			})
		}
		tc.SetLinger(0)
	}
	c.Close()
}

// httpReqStart counts a new HTTP request on the counters the connection
// tracks.
func (s *httpSession) stickReqStart() {
	s.smp.Prio = sample.Priority{}
	if c := s.smp.Stick; c != nil {
		c.Count(stick.EvHTTPReq, 1)
	}
}

// stickReqEnd counts the end of a request (its bytes, an error or
// failure status from a server) and releases the counters it tracked.
func (s *httpSession) stickReqEnd(t *txn) {
	c := s.smp.Stick
	if c == nil {
		return
	}
	if c.Tracking() {
		if t.bytesIn > 0 {
			c.Count(stick.EvBytesIn, uint64(t.bytesIn))
		}
		if t.bytesOut > 0 {
			c.Count(stick.EvBytesOut, uint64(t.bytesOut))
		}
		if t.srv != nil {
			switch st := t.status; {
			case st >= 400 && st < 500:
				c.Count(stick.EvHTTPErr, 1)
			case st >= 500 && st != 501 && st != 505:
				c.Count(stick.EvHTTPFail, 1)
			}
		}
	}
	c.EndRequest()
}

// stickEnd releases the connection's counters.
func (s *httpSession) stickEnd() {
	if c := s.smp.Stick; c != nil {
		c.Release()
	}
}

// httpStickRule runs a matching stick counter rule of an http-request
// or http-response rule set (p is the rule's proxy).
func (s *httpSession) httpStickRule(r *rules.HTTPRule, be *Backend) {
	c := s.smp.Stick
	if c == nil {
		return
	}
	p := s.f.Cfg
	if be != nil {
		p = be.Cfg
	}
	s.f.stickAction(r.Kind, r.Track, p, c, &s.w.x, true, s.w.x.Resp == nil)
}

// tarpit holds the request for `timeout tarpit` (else `timeout
// connect`), then answers the rule's page (500 by default), as HAProxy
// does. It returns whether the connection is kept.
func (s *httpSession) tarpit(r *rules.HTTPRule, be *Backend, closeLocal bool) bool {
	f := s.f
	d := f.Cfg.Timeouts.Tarpit
	if d <= 0 {
		d = f.Cfg.Timeouts.Connect
	}
	if d > 0 {
		tm := time.NewTimer(d)
		select {
		case <-tm.C:
		case <-s.rt.ctx.Done():
			tm.Stop()
		}
	}
	f.Dreq.Add(1)
	if be != nil {
		be.Dreq.Add(1)
	}
	return s.local(s.answerPage(r), r.Status, [2]byte{'P', 'T'}, closeLocal)
}

// httpSilentDrop is http-request silent-drop: the connection ends
// without an answer.
func (s *httpSession) httpSilentDrop() {
	s.f.Dreq.Add(1)
	s.logLocal(-1, 0, [2]byte{'P', 'R'})
	silentDrop(s.c)
}

// rateLimit is `rate-limit sessions N`: at most n sessions accepted in
// any second. The accept loop waits (the kernel's queue holds the
// clients) until the n-th last accept is a second old.
type rateLimit struct {
	mu   sync.Mutex
	last []time.Time // ring of the last n accept dates
	i    int
}

func newRateLimit(n int) *rateLimit { return &rateLimit{last: make([]time.Time, n)} }

// wait blocks until one more session fits in the limit, or ctx ends.
func (l *rateLimit) wait(ctx context.Context) bool {
	for {
		l.mu.Lock()
		oldest := l.last[l.i]
		now := time.Now()
		if oldest.IsZero() || now.Sub(oldest) >= time.Second {
			l.last[l.i] = now
			l.i = (l.i + 1) % len(l.last)
			l.mu.Unlock()
			return true
		}
		l.mu.Unlock()
		tm := time.NewTimer(time.Second - now.Sub(oldest))
		select {
		case <-tm.C:
		case <-ctx.Done():
			tm.Stop()
			return false
		}
	}
}

// waitRateLimit applies the frontend's rate-limit sessions.
func (f *Frontend) waitRateLimit() bool {
	if f.stk == nil || f.stk.limit == nil {
		return true
	}
	return f.stk.limit.wait(f.rt.ctx)
}

// beStick is a backend's stick rules, compiled.
type beStick struct {
	rules []stickRule
}

// stickRule is a compiled `stick` line.
type stickRule struct {
	match, store, response bool
	t                      *stick.Table
	expr                   *sample.Expr
	cond                   *acl.Cond
}

// stickTargetKey carries the server a request sticks to, in the
// connect context, to acquire.
type stickTargetKey struct{}

// stickTarget returns the server ctx says the request sticks to.
func stickTarget(ctx context.Context) *Server {
	s, _ := ctx.Value(stickTargetKey{}).(*Server)
	return s
}

// acquireSticky takes a slot on s, the server the request sticks to,
// waiting in the queue for that server when it is full.
func (b *Backend) acquireSticky(ctx context.Context, src netip.Addr, req lb.Request, s *Server) (*Server, time.Duration, error) {
	if b.waiting.Load() == 0 && lb.TryTake(b.bal, &s.lbs) {
		b.takeSlot(s)
		return s, 0, nil
	}
	return b.wait(ctx, &waiter{src: src, req: req, target: s})
}

// initStick compiles a backend's stick rules.
func (b *Backend) initStick(rt *Process) error {
	p := b.Cfg
	if len(p.Sticks) == 0 {
		return nil
	}
	o := &sample.Options{Maps: rt.cfg.MapFiles, Refs: rt.maps, ACLs: rt.acls}
	bs := &beStick{}
	for _, c := range p.Sticks {
		t := rt.stk.table(p, c.Table)
		if t == nil {
			return fmt.Errorf("backend %q [%s:%d]: stick %s: no table %q", p.Name, c.File, c.Line, c.Kind, c.Table)
		}
		e, err := sample.CompileExpr(c.Expr, o)
		if err != nil {
			return fmt.Errorf("backend %q [%s:%d]: stick %s: %w", p.Name, c.File, c.Line, c.Kind, err)
		}
		cond, err := acl.CompileWith(c.Cond, rt.acls)
		if err != nil {
			return fmt.Errorf("backend %q [%s:%d]: stick %s: %w", p.Name, c.File, c.Line, c.Kind, err)
		}
		bs.rules = append(bs.rules, stickRule{
			match: c.Kind == "on" || c.Kind == "match", store: c.Kind != "match",
			response: c.Kind == "store-response", t: t, expr: e, cond: cond})
	}
	b.stk = bs
	return nil
}

// stickMatch applies the backend's stick on/match rules: the first
// whose key names a usable server of the backend binds the request to it
// (carried in the returned context to acquire). A server down or in
// maintenance is not stuck to (`option persist` is not applied).
func (b *Backend) stickMatch(ctx context.Context, smp acl.Sample, x *sample.Ctx) context.Context {
	for i := range b.stk.rules {
		r := &b.stk.rules[i]
		if !r.match || !r.cond.Eval(smp) {
			continue
		}
		k, ok := r.expr.StickKey(x, r.t)
		if !ok {
			continue
		}
		id, name, found := r.t.MatchServer(k)
		if !found {
			continue
		}
		if srv := b.stuckServer(id, name); srv != nil && srv.Usable() {
			return context.WithValue(ctx, stickTargetKey{}, srv)
		}
	}
	return ctx
}

// stuckServer finds the server an entry names: by id, else by name.
func (b *Backend) stuckServer(id int32, name string) *Server {
	for _, s := range b.ServerList() {
		if id != 0 && s.ID == int(id) {
			return s
		}
	}
	for _, s := range b.ServerList() {
		if name != "" && s.Name == name {
			return s
		}
	}
	return nil
}

// stickStore applies the store rules of one direction (request, or
// response) once srv serves the request.
func (b *Backend) stickStore(srv *Server, smp acl.Sample, x *sample.Ctx, response bool) {
	if srv == nil {
		return
	}
	for i := range b.stk.rules {
		r := &b.stk.rules[i]
		if !r.store || r.response != response || !r.cond.Eval(smp) {
			continue
		}
		k, ok := r.expr.StickKey(x, r.t)
		if !ok {
			continue
		}
		key := srv.Name
		if r.t.Config().SrvKey == "addr" {
			key = srv.addrText()
		}
		r.t.StoreServer(k, int32(srv.ID), key)
	}
}

// addrText is a server's address as server_key stores it with `srvkey
// addr`.
func (s *Server) addrText() string {
	if a := s.addr.Load(); a != nil {
		return fmt.Sprint(a.ap)
	}
	return ""
}

// httpStickConnect is the HTTP connect with the backend's persistence:
// match before the choice, store after it.
func (s *httpSession) httpStickConnect(t *txn, ctx context.Context) connectResult {
	be := t.be
	ctx = withPrio(ctx, s.smp.Prio)
	if be.stk == nil {
		return be.connect(ctx, s.smp.Client.Addr(), sample.LBRequest{S: &s.smp}, nil, s.reuseFor(be))
	}
	if stickTarget(ctx) == nil {
		ctx = be.stickMatch(ctx, &s.smp, &s.w.x)
	}
	cr := be.connect(ctx, s.smp.Client.Addr(), sample.LBRequest{S: &s.smp}, nil, s.reuseFor(be))
	if cr.err == nil {
		be.stickStore(cr.srv, &s.smp, &s.w.x, false)
	}
	return cr
}

// contentRulesStick applies a mode http frontend's tcp-request content
// rules to the parsed request; counters they track end with the request
// and count it. False rejects.
func (s *httpSession) contentRulesStick() bool {
	f := s.f
	for _, r := range f.contentRules {
		if !r.Cond.Eval(&s.smp) {
			continue
		}
		switch {
		case r.Track != nil && isLowKind(r.TrackKind):
			f.lowAction(r.TrackKind, r.Track, &s.w.x, s.c)
			continue
		case r.Track != nil:
			f.tcpRuleAction(r, s.smp.Stick, &s.w.x, true, true)
			continue
		case r.Var != nil:
			r.Var.Run(&s.w.x)
			continue
		case r.SilentDrop:
			s.httpSilentDrop()
			return false
		case !r.Accept:
			f.Dreq.Add(1)
		}
		return r.Accept
	}
	return true
}

// tcpStickConnect is the mode tcp connect with the backend's
// persistence.
func (s *tcpSession) tcpStickConnect(be *Backend) connectResult {
	ctx := s.connectCtx(be)
	if be.stk == nil {
		return be.connect(ctx, s.smp.Client.Addr(), nil, nil, nil)
	}
	x := &sample.Ctx{Frontend: s.f, Backend: be, Conn: &s.smp}
	ctx = be.stickMatch(ctx, &s.smp, x)
	cr := be.connect(ctx, s.smp.Client.Addr(), nil, nil, nil)
	if cr.err == nil {
		be.stickStore(cr.srv, &s.smp, x, false)
	}
	return cr
}

// stickFinish counts a mode tcp session's bytes on its counters and
// releases them.
func (s *tcpSession) stickFinish(in, out int64) {
	c := s.smp.Stick
	if c == nil {
		return
	}
	if in > 0 {
		c.Count(stick.EvBytesIn, uint64(in))
	}
	if out > 0 {
		c.Count(stick.EvBytesOut, uint64(out))
	}
	c.Release()
}
