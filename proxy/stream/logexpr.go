package stream

import (
	"github.com/goha/goha/proxy/sample"
	"github.com/goha/goha/proxy/tlog"
)

// The %[...] sample expressions of log-format lines: compiled by package
// sample, evaluated at log time on the sample context of the request (or
// of the TCP session) the entry describes, which the engine puts in
// tlog.Entry.Samples. As in HAProxy, the status fetch finds the status
// of a server's response, not that of goha's own answers (a deny logs
// "-" there).

// logExpr compiles one log-format sample expression for tlog.
func (rt *Process) logExpr(src string) (tlog.ExprFunc, error) {
	ex, err := sample.CompileExpr(src, &sample.Options{Maps: rt.cfg.MapFiles, Refs: rt.maps})
	if err != nil {
		return nil, err
	}
	return func(e *tlog.Entry) ([]byte, bool) {
		x, _ := e.Samples.(*sample.Ctx)
		if x == nil {
			return nil, false
		}
		if f, ok := x.Frontend.(*Frontend); ok && x.Backend == nil {
			x.Backend = feBackend{f}
		}
		return ex.Text(x)
	}, nil
}

// earlyEval is the sample context of a request that ended before its
// head was read (logEarly): the connection only, no request and no
// variables.
func (s *httpSession) earlyEval() *sample.Ctx {
	if s.w == nil {
		return &sample.Ctx{Conn: &s.smp.Conn, Frontend: s.f, SessVars: &s.svars, ProcVars: s.rt.pvars}
	}
	s.resetEval()
	x := &s.w.x
	x.Req, x.Vars, x.UniqueID, x.Body = nil, nil, nil, nil
	return x
}

// logEval is the sample context of a TCP session at log time.
func (s *tcpSession) logEval(be *Backend, srv *Server) *sample.Ctx {
	x := &sample.Ctx{Conn: &s.smp, Frontend: s.f, ProcVars: s.f.rt.pvars}
	x.Backend = feBackend{s.f}
	if be != nil {
		x.Backend = be
	}
	if srv != nil {
		x.Server = srv.Name
	}
	return x
}

// feBackend is the backend of a stream no use_backend rule switched: its
// frontend, as in HAProxy (be_name and %b name the frontend at log time).
type feBackend struct{ *Frontend }

// UsableServers implements sample.Backend: a frontend has no servers.
func (feBackend) UsableServers() int { return 0 }
