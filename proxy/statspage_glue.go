package proxy

import (
	"errors"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/goha/goha/config"
	"github.com/goha/goha/internal/version"
	"github.com/goha/goha/proxy/acl"
	"github.com/goha/goha/proxy/http1"
	"github.com/goha/goha/proxy/stats"
	"github.com/goha/goha/proxy/statspage"
)

// statsPage is a frontend's stats page (`stats enable`, `stats uri`...)
// with its compiled `stats admin` condition.
type statsPage struct {
	page  *statspage.Page
	admin *acl.Cond // nil: no admin form
}

// maxStatsBody bounds the admin form's POST body.
const maxStatsBody = 8192

// initStatsPages builds the stats page of every HTTP frontend that has
// one.
func (rt *Runtime) initStatsPages() error {
	for _, f := range rt.frontends {
		st := &f.Cfg.Stats
		if !st.Enabled || f.mode != config.ModeHTTP {
			continue
		}
		c := statspage.Config{
			ProxyName: f.Name, URI: st.URI, Realm: st.Realm, Refresh: st.Refresh,
			HideVersion: st.HideVersion, ShowNode: st.ShowNode, NodeName: st.NodeName,
			ShowLegends: st.ShowLegends, ShowDesc: st.ShowDesc, Scope: st.Scope,
			Version: version.Version, ReleaseDate: version.ReleaseDate,
		}
		for _, a := range st.Auth {
			c.Auth = append(c.Auth, [2]string{a.User, a.Password})
		}
		sp := &statsPage{page: statspage.New(c)}
		if st.Admin != nil {
			cond, err := acl.Compile(st.Admin)
			if err != nil {
				return errors.New("frontend " + strconv.Quote(f.Name) + ": stats admin: " + err.Error())
			}
			sp.admin = cond
		}
		f.stats = sp
	}
	return nil
}

// serveStats answers a request for the stats page and logs it as server
// <STATS>. It returns false when the connection must close.
func (s *httpSession) serveStats(sp *statsPage, closeAfter bool) bool {
	f, rt, w := s.f, s.rt, s.w
	req := &w.req
	f.Intercepted.Add(1)
	method := string(req.Method)
	pr := statspage.Request{Method: method, URI: string(req.URI), Authorization: string(req.Get("authorization"))}
	// The admin form's body: Content-Length only, bounded.
	consumed := req.HeadLen
	switch req.RequestBody() {
	case http1.BodyLength:
		n := req.ContentLength
		if n > maxStatsBody || n > int64(len(w.in)-req.HeadLen) {
			return s.local(http1.MuxErrorPage(413), 413, [2]byte{'P', 'R'}, true)
		}
		need := req.HeadLen + int(n)
		if s.inLen < need {
			t := f.Cfg.Timeouts.HTTPRequest
			if t <= 0 {
				t = f.Cfg.Timeouts.Client
			}
			if t <= 0 {
				t = 10 * time.Second
			}
			s.dl.setReadExact(s.c, time.Now().Add(t))
			for s.inLen < need {
				m, err := s.c.Read(w.in[s.inLen:])
				s.inLen += m
				if err != nil && m == 0 {
					return false
				}
			}
		}
		pr.Body = w.in[req.HeadLen:need]
		consumed = need
	case http1.BodyChunked:
		return s.local(http1.MuxErrorPage(400), 400, [2]byte{'P', 'R'}, true)
	}
	if sp.admin != nil {
		pr.Admin = sp.admin.Eval(&s.smp)
	}
	resp := sp.page.Serve(pr, statsSource{rt})
	if isHTTP10(&req.Message) && !req.ConnKeepAlive {
		closeAfter = true
	}
	out := w.out[:0]
	out = append(out, "HTTP/1.1 "...)
	out = strconv.AppendInt(out, int64(resp.Status), 10)
	out = append(out, ' ')
	out = append(out, statusText(resp.Status)...)
	out = append(out, "\r\n"...)
	for _, h := range resp.Header {
		out = append(out, h[0]...)
		out = append(out, ": "...)
		out = append(out, h[1]...)
		out = append(out, "\r\n"...)
	}
	out = append(out, "content-length: "...)
	out = strconv.AppendInt(out, int64(len(resp.Body)), 10)
	out = append(out, "\r\n"...)
	if closeAfter {
		out = append(out, "connection: close\r\n"...)
	}
	out = append(out, "\r\n"...)
	w.out = out
	body := resp.Body
	if method == "HEAD" {
		body = nil
	}
	s.dl.setWrite(s.c, time.Now(), f.Cfg.Timeouts.Client)
	err := s.write2(s.c, out, body)
	n := int64(len(out) + len(body))
	f.Bin.Add(int64(consumed))
	f.Bout.Add(n)
	f.hrsp(resp.Status)
	if f.logger.Enabled() {
		e := &w.entry
		e.Reset()
		s.fillEntry(e, s.w.cur)
		e.TR = s.w.cur.headDone.Sub(s.w.cur.firstByte)
		e.Tw, e.Tc, e.Tr = 0, 0, 0
		e.BackendName, e.ServerName = f.Name, "<STATS>"
		e.Status = resp.Status
		e.BytesOut, e.BytesIn = n, int64(consumed)
		e.Term = [2]byte{'L', 'R'}
		e.ReqLine = w.line
		f.logger.Log(e)
	}
	if err != nil || closeAfter {
		return false
	}
	s.inLen = copy(w.in, w.in[consumed:s.inLen])
	return true
}

func statusText(code int) string {
	if code == 303 {
		return "See Other"
	}
	return http1.Reason(code)
}

// statsSource is the data plane as the stats page sees it.
type statsSource struct{ rt *Runtime }

func (s statsSource) StatRows() []stats.Row { return s.rt.StatRows() }

func (s statsSource) PageInfo() statspage.Info {
	rt := s.rt
	var rl syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl)
	pid := rt.opt.Pid
	if pid == 0 {
		pid = os.Getpid()
	}
	conn, _, _, _ := rt.ProcessRates()
	node := rt.cfg.Global.Node
	if node == "" {
		node, _ = os.Hostname()
	}
	return statspage.Info{
		Pid: pid, ProcessNum: max(rt.opt.ProcessNum, 1), Nbthread: runtime.GOMAXPROCS(0),
		Uptime: rt.Uptime(), Ulimit: int(min(rl.Cur, 1<<31-1)), Maxsock: int(min(rl.Cur, 1<<31-1)),
		Maxconn: rt.Maxconn(), CurConns: rt.ActConn.Load(), ConnRate: conn,
		Tasks: runtime.NumGoroutine(), Node: node, Description: rt.cfg.Global.Description,
	}
}

// ServerAction applies an admin form action.
func (s statsSource) ServerAction(backend, server, action string) error {
	rt := s.rt
	var b *Backend
	if id, ok := strings.CutPrefix(backend, "#"); ok {
		n, _ := strconv.Atoi(id)
		for _, x := range rt.backends {
			if x.Cfg.ID == n {
				b = x
			}
		}
	} else {
		b = rt.beByName[backend]
	}
	if b == nil {
		return errors.New("no such backend")
	}
	srv := b.FindServer(server)
	if srv == nil {
		return errors.New("no such server")
	}
	switch action {
	case "ready":
		rt.ServerAdmin(srv, AdminReady)
	case "drain":
		rt.ServerAdmin(srv, AdminDrain)
	case "maint":
		rt.ServerAdmin(srv, AdminMaint)
	case "dhlth":
		return rt.SetCheckEnabled(srv, false)
	case "ehlth":
		return rt.SetCheckEnabled(srv, true)
	case "hrunn":
		rt.SetServerHealth(srv, HealthUp)
	case "hnolb":
		rt.SetServerHealth(srv, HealthStopping)
	case "hdown":
		rt.SetServerHealth(srv, HealthDown)
	case "shutdown":
		// Sessions are not tracked per server: nothing to kill.
		return errors.New("no session to kill")
	default:
		return statspage.ErrUnknownAction
	}
	return nil
}
