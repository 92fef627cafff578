package proxy

import (
	"errors"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"github.com/goha/goha/config"
	"github.com/goha/goha/internal/version"
	"github.com/goha/goha/proxy/acl"
	"github.com/goha/goha/proxy/stats"
	"github.com/goha/goha/proxy/statspage"
)

// initStatsPages builds the stats page of every HTTP frontend that has
// one, and gives the Prometheus exporter its source.
func (rt *Runtime) initStatsPages() error {
	rt.initMetrics()
	for _, f := range rt.Frontends() {
		st := &f.Cfg.Stats
		if !st.Enabled || f.Mode() != config.ModeHTTP {
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
		var cond *acl.Cond
		if st.Admin != nil {
			var err error
			if cond, err = acl.CompileWith(st.Admin, rt.ACLs()); err != nil {
				return errors.New("frontend " + strconv.Quote(f.Name) + ": stats admin: " + err.Error())
			}
		}
		f.SetStatsPage(statspage.New(c), cond, statsSource{rt})
	}
	return nil
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
		for _, x := range rt.Backends() {
			if x.Cfg.ID == n {
				b = x
			}
		}
	} else {
		b = rt.FindBackend(backend)
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
