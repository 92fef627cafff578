package proxy

import (
	"net"
	"strconv"
	"time"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/check"
	"github.com/goha/goha/proxy/stats"
)

// StatRows returns every `show stat` row with the live counters, per
// proxy in config order: the frontend, then the servers, then the
// backend, as HAProxy lists them. Columns HAProxy fills but goha does not
// count (SSL, cache, h2) keep their zero values.
func (rt *Runtime) StatRows() []stats.Row {
	var rows []stats.Row
	var row stats.Row
	rt.eachStatRow(allRows, false, &row, func() bool {
		rows = append(rows, row)
		return true
	})
	return rows
}

// allRows asks eachStatRow for every row type.
const allRows = 1<<stats.ObjFrontend | 1<<stats.ObjBackend | 1<<stats.ObjServer | 1<<stats.ObjListener

// eachStatRow fills row with each `show stat` row whose type is in
// types (bits 1<<stats.ObjType) in StatRows' order, calling emit after
// each until it returns false. skipDisabled leaves out disabled proxies
// (the Prometheus exporter does).
func (rt *Runtime) eachStatRow(types int, skipDisabled bool, row *stats.Row, emit func() bool) {
	now := time.Now()
	pid := int64(rt.opt.ProcessNum)
	if pid <= 0 {
		pid = 1
	}
	want := func(obj stats.ObjType) bool { return types&(1<<obj) != 0 }
	for _, p := range rt.cfg.Proxies {
		if skipDisabled && p.Disabled {
			continue
		}
		if f := rt.FindFrontend(p.Name); f != nil && p.IsFrontend() {
			if want(stats.ObjFrontend) {
				if *row = rt.frontendRow(f, pid); !emit() {
					return
				}
			}
			if want(stats.ObjListener) && !listenerRows(f, pid, row, emit) {
				return
			}
		}
		b := rt.FindBackend(p.Name)
		if b == nil || !p.IsBackend() {
			continue
		}
		if want(stats.ObjServer) {
			for _, s := range b.ServerList() {
				if *row = rt.serverRow(s, pid, now); !emit() {
					return
				}
			}
		}
		if want(stats.ObjBackend) {
			if *row = rt.backendRow(b, pid, now); !emit() {
				return
			}
		}
	}
}

func setCommon(r *stats.Row, c *Counters, http bool) {
	r.Set(stats.ColScur, c.Scur.Load())
	r.Set(stats.ColSmax, c.Smax.Load())
	r.Set(stats.ColStot, c.Stot.Load())
	r.Set(stats.ColBin, c.Bin.Load())
	r.Set(stats.ColBout, c.Bout.Load())
	if http {
		for i, col := range []int{stats.ColHrsp1xx, stats.ColHrsp2xx, stats.ColHrsp3xx, stats.ColHrsp4xx, stats.ColHrsp5xx, stats.ColHrspOther} {
			r.Set(col, c.Hrsp[i].Load())
		}
		r.Set(stats.ColReqTot, c.ReqTot.Load())
	}
}

func (rt *Runtime) frontendRow(f *Frontend, pid int64) stats.Row {
	http := f.Mode() == config.ModeHTTP
	r := stats.NewRow(stats.ObjFrontend, f.Name, "FRONTEND", f.Cfg.ID, 0, http)
	r.Set(stats.ColPid, pid)
	setCommon(&r, &f.Counters, http)
	setComp(&r, &f.Counters)
	slim := f.Maxconn()
	if slim <= 0 {
		slim = rt.Maxconn()
	}
	r.Set(stats.ColSlim, int64(slim))
	r.Set(stats.ColDreq, f.Dreq.Load())
	r.Set(stats.ColDresp, f.Dresp.Load())
	r.Set(stats.ColEreq, f.Ereq.Load())
	status := "OPEN"
	switch {
	case rt.Stopping() || f.Cfg.Disabled:
		status = "STOP"
	case f.Disabled():
		status = "PAUSED"
	case slim > 0 && f.Scur.Load() >= int64(slim):
		status = "FULL"
	}
	r.SetStr(stats.ColStatus, status)
	sess, sessMax, req, reqMax, conn, connMax := rt.FrontendRates(f)
	r.Set(stats.ColRate, sess)
	r.Set(stats.ColRateMax, sessMax)
	r.Set(stats.ColReqRate, req)
	r.Set(stats.ColReqRateMax, reqMax)
	r.Set(stats.ColConnRate, conn)
	r.Set(stats.ColConnRateMax, connMax)
	r.Set(stats.ColConnTot, f.ConnTot.Load())
	if http {
		r.Set(stats.ColIntercepted, f.Intercepted.Load())
		r.Set(stats.ColH1OpenConnections, f.Scur.Load())
		r.Set(stats.ColH1TotalConnections, f.ConnTot.Load())
		r.Set(stats.ColH1TotalStreams, f.ReqTot.Load())
		r.Set(stats.ColH1BytesIn, f.Bin.Load())
		r.Set(stats.ColH1BytesOut, f.Bout.Load())
	}
	r.Set(stats.ColDcon, f.DeniedConn.Load())
	return r
}

// fullconn is the backend's `fullconn`, or HAProxy's default: a tenth of
// the maxconn of the frontends that can reach it (at least 1).
func (rt *Runtime) fullconn(b *Backend) int64 {
	if b.Cfg.Fullconn > 0 {
		return int64(b.Cfg.Fullconn)
	}
	var sum int64
	for _, f := range rt.Frontends() {
		if f.Reaches(b) {
			m := int64(f.Maxconn())
			if m <= 0 {
				m = int64(rt.Maxconn())
			}
			sum += m
		}
	}
	return max((sum+9)/10, 1)
}

func secsSince(now time.Time, unixSec int64) int64 {
	if unixSec == 0 {
		return -1
	}
	return max(now.Unix()-unixSec, 0)
}

func (rt *Runtime) backendRow(b *Backend, pid int64, now time.Time) stats.Row {
	http := b.Mode() == config.ModeHTTP
	r := stats.NewRow(stats.ObjBackend, b.Name, "BACKEND", b.Cfg.ID, 0, http)
	r.Set(stats.ColPid, pid)
	setCommon(&r, &b.Counters, http)
	setComp(&r, &b.Counters)
	r.Set(stats.ColQcur, b.Qcur.Load())
	r.Set(stats.ColQmax, b.Qmax.Load())
	r.Set(stats.ColSlim, rt.fullconn(b))
	r.Set(stats.ColDreq, b.Dreq.Load())
	r.Set(stats.ColDresp, b.Dresp.Load())
	r.Set(stats.ColEcon, b.Econ.Load())
	r.Set(stats.ColEresp, b.Eresp.Load())
	r.Set(stats.ColWretr, b.Wretr.Load())
	r.Set(stats.ColWredis, b.Wredis.Load())
	var act, bck, wact, wbck, uw, lbtot, downs int64
	var nbUp int
	for _, s := range b.ServerList() {
		lbtot += s.Lbtot.Load()
		if snap, ok := s.CheckSnapshot(); ok {
			downs += snap.Downs
		}
		if !s.Usable() {
			continue
		}
		nbUp++
		w := int64(s.Weight())
		if w == 0 {
			continue
		}
		if s.Cfg.Backup {
			bck++
			wbck += w
		} else {
			act++
			wact += w
			uw += w
		}
	}
	weight := wact
	if act == 0 {
		weight = wbck
	}
	status := "UP"
	if len(b.ServerList()) > 0 && weight == 0 {
		status = "DOWN"
	}
	r.SetStr(stats.ColStatus, status)
	r.NbUp, r.NbSrv = nbUp, len(b.ServerList())
	r.Set(stats.ColWeight, weight)
	r.Set(stats.ColAct, act)
	r.Set(stats.ColBck, bck)
	r.Set(stats.ColChkdown, downs)
	r.Set(stats.ColLastchg, int64(now.Sub(time.Unix(0, b.Health().LastChange.Load()))/time.Second))
	if len(b.ServerList()) > 0 {
		d := b.Health().Downtime.Load()
		if since := b.Health().DownSince.Load(); since != 0 {
			d += now.UnixNano() - since
		}
		r.Set(stats.ColDowntime, d/int64(time.Second))
	}
	r.Set(stats.ColLbtot, lbtot)
	rate, rateMax := rt.BackendRate(b)
	r.Set(stats.ColRate, rate)
	r.Set(stats.ColRateMax, rateMax)
	r.Set(stats.ColCliAbrt, b.CliAbrt.Load())
	r.Set(stats.ColSrvAbrt, b.SrvAbrt.Load())
	r.Set(stats.ColLastsess, secsSince(now, b.Lastsess.Load()))
	r.Set(stats.ColQtime, b.Qtime.Value())
	r.Set(stats.ColCtime, b.Ctime.Value())
	r.Set(stats.ColRtime, b.Rtime.Value())
	r.Set(stats.ColTtime, b.Ttime.Value())
	algo := b.Cfg.Balance.Algo
	if algo == "" {
		algo = "roundrobin"
	}
	r.SetStr(stats.ColAlgo, algo)
	r.Set(stats.ColConnect, lbtot)
	r.Set(stats.ColUweight, uw)
	if http {
		r.Set(stats.ColH1TotalConnections, b.Stot.Load())
		r.Set(stats.ColH1TotalStreams, b.ReqTot.Load())
		r.Set(stats.ColH1BytesIn, b.Bout.Load())
		r.Set(stats.ColH1BytesOut, b.Bin.Load())
	}
	return r
}

func (rt *Runtime) serverRow(s *Server, pid int64, now time.Time) stats.Row {
	b := s.Backend
	http := b.Mode() == config.ModeHTTP
	r := stats.NewRow(stats.ObjServer, b.Name, s.Name, b.Cfg.ID, s.ID, http)
	r.Set(stats.ColPid, pid)
	setCommon(&r, &s.Counters, http)
	r.Set(stats.ColQcur, s.Qcur.Load())
	r.Set(stats.ColQmax, s.Qmax.Load())
	if m := s.Maxconn(); m > 0 {
		r.Set(stats.ColSlim, int64(m))
	}
	r.Set(stats.ColDresp, s.Dresp.Load())
	r.Set(stats.ColEcon, s.Econ.Load())
	r.Set(stats.ColEresp, s.Eresp.Load())
	r.Set(stats.ColWretr, s.Wretr.Load())
	r.Set(stats.ColWredis, s.Wredis.Load())
	r.SetStr(stats.ColStatus, s.ServerStatus())
	r.Maint = s.AdminState() == AdminMaint || s.ResolvMaint()
	r.Down = !r.Maint && !s.CheckUp()
	r.Set(stats.ColWeight, int64(s.Weight()))
	r.Set(stats.ColUweight, int64(s.Weight()))
	if s.Cfg.Backup {
		r.Set(stats.ColBck, 1)
	} else {
		r.Set(stats.ColAct, 1)
	}
	r.Set(stats.ColLastchg, int64(now.Sub(s.LastChange())/time.Second))
	if s.Cfg.Maxqueue > 0 {
		r.Set(stats.ColQlimit, int64(s.Cfg.Maxqueue))
	}
	r.Set(stats.ColLbtot, s.Lbtot.Load())
	rate, rateMax := rt.ServerRate(s)
	r.Set(stats.ColRate, rate)
	r.Set(stats.ColRateMax, rateMax)
	if snap, ok := s.CheckSnapshot(); ok && s.CheckEnabled() {
		r.Set(stats.ColChkfail, snap.Failed)
		r.Set(stats.ColChkdown, snap.Downs)
		r.Set(stats.ColDowntime, int64(s.Downtime()/time.Second))
		r.SetStr(stats.ColCheckStatus, snap.CheckStatus())
		if snap.Last.Code > 0 {
			r.Set(stats.ColCheckCode, int64(snap.Last.Code))
		}
		if snap.Last.Duration >= 0 {
			r.Set(stats.ColCheckDuration, snap.Last.Duration.Milliseconds())
		}
		if snap.Last.Info != "" {
			r.SetStr(stats.ColLastChk, snap.Last.Info)
		}
		r.SetStr(stats.ColCheckDesc, snap.Last.Status.Desc())
		r.Set(stats.ColCheckRise, int64(snap.Rise))
		r.Set(stats.ColCheckFall, int64(snap.Fall))
		r.Set(stats.ColCheckHealth, int64(snap.Health))
	}
	agentColumns(&r, s)
	r.Set(stats.ColCliAbrt, s.CliAbrt.Load())
	r.Set(stats.ColSrvAbrt, s.SrvAbrt.Load())
	r.Set(stats.ColLastsess, secsSince(now, s.Lastsess.Load()))
	r.Set(stats.ColQtime, s.Qtime.Value())
	r.Set(stats.ColCtime, s.Ctime.Value())
	r.Set(stats.ColRtime, s.Rtime.Value())
	r.Set(stats.ColTtime, s.Ttime.Value())
	r.SetStr(stats.ColAddr, s.Addr())
	if s.Cfg.Cookie != "" {
		r.SetStr(stats.ColCookie, s.Cfg.Cookie)
	}
	r.Set(stats.ColConnect, s.Lbtot.Load())
	idle := int64(s.IdleConns())
	r.Set(stats.ColSrvIcur, idle)
	r.Set(stats.ColSafeConnCur, idle)
	r.Set(stats.ColUsedConnCur, s.Scur.Load())
	r.Set(stats.ColNeedConnEst, s.Scur.Load())
	return r
}

// ProxyID maps a proxy name to its numeric id.
func (rt *Runtime) ProxyID(name string) (int, bool) {
	for _, p := range rt.cfg.Proxies {
		if p.Name == name {
			return p.ID, true
		}
	}
	return 0, false
}

// ClearCounters is `clear counters`: the maxima (all: every counter)
// start again from zero.
func (rt *Runtime) ClearCounters(all bool) {
	for _, f := range rt.Frontends() {
		f.Counters.Clear(all)
	}
	for _, b := range rt.Backends() {
		b.Counters.Clear(all)
		for _, s := range b.ServerList() {
			s.Counters.Clear(all)
		}
	}
	rt.ClearRates(all)
}

// ServerStates returns the `show servers state` lines of backend b (nil:
// every backend).
func (rt *Runtime) ServerStates(b *Backend) []stats.ServerState {
	var out []stats.ServerState
	now := time.Now()
	for _, be := range rt.Backends() {
		if b != nil && be != b {
			continue
		}
		for _, s := range be.ServerList() {
			st := serverState(be, s, now)
			rt.fillDNSState(&st, s)
			out = append(out, st)
		}
	}
	return out
}

func serverState(b *Backend, s *Server, now time.Time) stats.ServerState {
	st := stats.ServerState{
		BackendID: b.Cfg.ID, BackendName: b.Name, ID: s.ID, Name: s.Name,
		UWeight: s.Weight(), IWeight: s.InitialWeight(),
		LastChange:  int64(now.Sub(s.LastChange()) / time.Second),
		CheckStatus: 1, // HCHK_STATUS_INI
		ForcedID:    s.Cfg.Set["id"],
	}
	if host, port, err := net.SplitHostPort(s.Addr()); err == nil {
		st.Addr = host
		st.Port, _ = strconv.Atoi(port)
	} else {
		st.Addr = s.Addr()
	}
	switch {
	case s.AdminState() == AdminMaint:
		st.OpState = stats.OpStopped
	case !s.CheckUp():
		st.OpState = stats.OpStopped
	default:
		st.OpState = stats.OpRunning
	}
	switch s.AdminState() {
	case AdminMaint:
		st.AdminState = stats.AdminForcedMaint
	case AdminDrain:
		st.AdminState = stats.AdminForcedDrain
	}
	if s.Cfg.Disabled && s.AdminState() == AdminMaint {
		st.AdminState = stats.AdminForcedMaint | stats.AdminConfigMaint
	}
	if snap, ok := s.CheckSnapshot(); ok {
		st.CheckStatus = haproxyCheckStatus[snap.Last.Status]
		switch {
		case snap.Last.Status.Failed():
			st.CheckResult = 2
		case snap.Last.Status.Passed():
			st.CheckResult = 3
		}
		st.CheckHealth = snap.Health
		st.CheckState = 0x02 // configured
		if s.CheckEnabled() {
			st.CheckState |= 0x04
		}
		if snap.Paused {
			st.CheckState |= 0x08
		}
		st.CheckPort = s.Cfg.CheckPort
		st.CheckAddr = s.Cfg.CheckAddr
	} else {
		st.CheckHealth = 2 // HAProxy's health of an unchecked server: rise
		if !s.CheckUp() {
			st.CheckHealth = 0
		}
	}
	return st
}

// haproxyCheckStatus maps check statuses to HAProxy 2.6's HCHK_STATUS_*
// numbers, as `show servers state` prints them.
var haproxyCheckStatus = map[check.Status]int{
	check.StatusUnknown: 0, check.StatusInit: 1, check.StatusSockErr: 5,
	check.StatusL4OK: 6, check.StatusL4TOUT: 7, check.StatusL4CON: 8,
	check.StatusL6OK: 9, check.StatusL6TOUT: 10, check.StatusL6RSP: 11,
	check.StatusL7TOUT: 12, check.StatusL7RSP: 13, check.StatusL7OK: 15,
	check.StatusL7OKC: 16, check.StatusL7STS: 17,
}
