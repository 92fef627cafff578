package worker

import (
	"errors"
	"github.com/goha/goha/proxy/sample"
	"net/netip"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/goha/goha/cli"
	"github.com/goha/goha/config"
	"github.com/goha/goha/internal/version"
	"github.com/goha/goha/proxy"
	"github.com/goha/goha/proxy/lb"
	"github.com/goha/goha/proxy/stats"
)

// rtData is RuntimeData over a live proxy runtime: every read is a
// snapshot of the data plane's own counters, every change acts on the
// data plane at once.
type rtData struct {
	rt      *proxy.Runtime
	cfg     *config.Config
	maxconn int // the initial global maxconn (`set maxconn global 0`)
	ulimit  int
}

// registerRuntime registers the runtime API commands acting on rt, and
// gives rt the `show info` fields for its Prometheus exporter.
func registerRuntime(reg *cli.Registry, rt *proxy.Runtime, cfg *config.Config) {
	d := NewRuntimeData(rt, cfg)
	rt.SetInfo(func(in *stats.Info) { *in = d.Info() })
	if err := reg.Register(schemaCommands()...); err != nil {
		panic("worker: schema command registration: " + err.Error())
	}
	if err := RegisterRuntimeAPI(reg, d); err != nil {
		panic("worker: runtime API registration: " + err.Error()) // a programming error: duplicate command
	}
}

// NewRuntimeData returns the RuntimeData of a live runtime.
func NewRuntimeData(rt *proxy.Runtime, cfg *config.Config) RuntimeData {
	d := &rtData{rt: rt, cfg: cfg, maxconn: rt.Maxconn()}
	var rl unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &rl) == nil {
		d.ulimit = int(min(rl.Cur, 1<<31-1))
	}
	return d
}

// Info is `show info`.
func (d *rtData) Info() stats.Info {
	rt := d.rt
	in := stats.NewInfo()
	in.SetStr(stats.InfName, "goha")
	in.SetStr(stats.InfVersion, version.Version)
	in.SetStr(stats.InfReleaseDate, version.ReleaseDate)
	in.Set(stats.InfNbthread, int64(runtime.GOMAXPROCS(0)))
	if n := rt.Options().ProcessNum; n > 0 {
		in.Set(stats.InfProcessNum, int64(n))
	}
	pid := rt.Options().Pid
	if pid == 0 {
		pid = os.Getpid()
	}
	in.Set(stats.InfPid, int64(pid))
	in.SetUptime(rt.Uptime())
	in.Set(stats.InfUlimitN, int64(d.ulimit))
	in.Set(stats.InfMaxsock, int64(d.ulimit))
	in.Set(stats.InfMaxconn, int64(rt.Maxconn()))
	in.Set(stats.InfHardMaxconn, int64(d.maxconn))
	in.Set(stats.InfCurrConns, rt.ActConn.Load())
	setHeap(&in)
	in.Set(stats.InfCumConns, rt.CumConns.Load())
	in.Set(stats.InfCumReq, rt.CumReq.Load())
	conn, connMax, sess, sessMax := rt.ProcessRates()
	in.Set(stats.InfConnRate, conn)
	in.Set(stats.InfMaxConnRate, connMax)
	in.Set(stats.InfSessRate, sess)
	in.Set(stats.InfMaxSessRate, sessMax)
	in.Set(stats.InfTasks, int64(runtime.NumGoroutine()))
	in.Set(stats.InfIdlePct, rt.IdlePct())
	cin, cout, clim := rt.CompressRates()
	in.Set(stats.InfCompressBpsIn, cin)
	in.Set(stats.InfCompressBpsOut, cout)
	in.Set(stats.InfCompressBpsRateLim, clim)
	node := d.cfg.Global.Node
	if node == "" {
		node, _ = os.Hostname()
	}
	in.SetStr(stats.InfNode, node)
	if desc := d.cfg.Global.Description; desc != "" {
		in.SetStr(stats.InfDescription, desc)
	}
	if rt.Stopping() {
		in.Set(stats.InfStopping, 1)
	}
	listeners := 0
	var bout int64
	for _, f := range rt.Frontends() {
		if !f.Cfg.Disabled {
			listeners += len(f.Cfg.Binds)
		}
		bout += f.Bout.Load()
	}
	listeners += len(d.cfg.Global.StatsSockets)
	in.Set(stats.InfListeners, int64(listeners))
	in.Set(stats.InfJobs, rt.ActConn.Load()+int64(listeners))
	if h := rt.LogHub(); h != nil {
		in.Set(stats.InfDroppedLogs, int64(h.Dropped()))
	}
	in.Set(stats.InfTotalBytesOut, bout)
	in.SetStr(stats.InfBuildInfo, version.Version)
	in.Set(stats.InfStartTimeSec, rt.StartTime().Unix())
	return in
}

// StatRows is `show stat`.
func (d *rtData) StatRows() []stats.Row { return d.rt.StatRows() }

// ProxyID maps a proxy name to its id.
func (d *rtData) ProxyID(name string) (int, bool) { return d.rt.ProxyID(name) }

// Backends lists the backends in config order.
func (d *rtData) Backends() []string {
	var out []string
	for _, b := range d.rt.Backends() {
		out = append(out, b.Name)
	}
	return out
}

// findBackend resolves a backend name or "#<id>".
func (d *rtData) findBackend(name string) *proxy.Backend {
	if id, ok := strings.CutPrefix(name, "#"); ok {
		n, err := strconv.Atoi(id)
		if err != nil {
			return nil
		}
		for _, b := range d.rt.Backends() {
			if b.Cfg.ID == n {
				return b
			}
		}
		return nil
	}
	return d.rt.FindBackend(name)
}

// ServersState is `show servers state [backend]`.
func (d *rtData) ServersState(backend string) ([]stats.ServerState, error) {
	if backend == "" {
		return d.rt.ServerStates(nil), nil
	}
	b := d.findBackend(backend)
	if b == nil {
		return nil, ErrNoSuchBackend
	}
	return d.rt.ServerStates(b), nil
}

// Server finds backend/server.
func (d *rtData) Server(backend, server string) (RuntimeServer, error) {
	b := d.findBackend(backend)
	if b == nil {
		return nil, ErrNoSuchBackend
	}
	var s *proxy.Server
	if id, ok := strings.CutPrefix(server, "#"); ok {
		n, err := strconv.Atoi(id)
		if err == nil {
			for _, x := range b.ServerList() {
				if x.ID == n {
					s = x
				}
			}
		}
	} else {
		s = b.FindServer(server)
	}
	if s == nil {
		return nil, ErrNoSuchServer
	}
	return &rtServer{rt: d.rt, s: s}, nil
}

// Frontend finds a frontend by name or "#<id>".
func (d *rtData) Frontend(name string) (RuntimeFrontend, error) {
	for _, f := range d.rt.Frontends() {
		if f.Name == name || name == "#"+strconv.Itoa(f.Cfg.ID) {
			return rtFrontend{f}, nil
		}
	}
	return nil, ErrNoSuchFrontend
}

// SetGlobalMaxconn is `set maxconn global`.
func (d *rtData) SetGlobalMaxconn(n int) error {
	if n <= 0 {
		n = d.maxconn
	}
	if d.maxconn > 0 && n > d.maxconn {
		return ErrOutOfRange
	}
	d.rt.SetMaxconn(n)
	return nil
}

// ClearCounters is `clear counters [all]`.
func (d *rtData) ClearCounters(all bool) { d.rt.ClearCounters(all) }

// Sessions is `show sess`.
func (d *rtData) Sessions() []SessionInfo {
	var out []SessionInfo
	for _, s := range d.rt.Sessions() {
		si := SessionInfo{ID: s.ID, Proto: s.Proto, Src: s.Src, Frontend: s.Frontend,
			Backend: "<NONE>", Server: "<none>", Age: s.Age, Calls: 1, Detail: SessionDetail(s.Detail)}
		if s.Server != "" {
			si.Backend, si.Server = s.Backend, s.Server
		}
		out = append(out, si)
	}
	return out
}

// ShutdownSession is `shutdown session`.
func (d *rtData) ShutdownSession(id uint64) bool { return d.rt.ShutdownSession(id) }

// Errors is `show errors`: the last invalid request of each frontend and
// the last invalid response of each backend, in config order; px (a
// name, "#<id>" or "<id>") limits it to one proxy, an unknown one is
// refused.
func (d *rtData) Errors(px string) ([]CapturedError, error) {
	fes := map[string]*proxy.Frontend{}
	for _, f := range d.rt.Frontends() {
		fes[f.Name] = f
	}
	bes := map[string]*proxy.Backend{}
	for _, b := range d.rt.Backends() {
		bes[b.Name] = b
	}
	id := -1
	if n, err := strconv.Atoi(strings.TrimPrefix(px, "#")); err == nil {
		id = n
	}
	var out []CapturedError
	found := px == ""
	for _, p := range d.cfg.Proxies {
		if px != "" && p.Name != px && p.ID != id {
			continue
		}
		found = true
		ce := CapturedError{Proxy: p.Name, ProxyID: p.ID}
		if f := fes[p.Name]; f != nil {
			if e, ok := f.LastError(); ok {
				out = append(out, fillCaptured(ce, e, false))
			}
		}
		if b := bes[p.Name]; b != nil {
			if e, ok := b.LastError(); ok {
				out = append(out, fillCaptured(ce, e, true))
			}
		}
	}
	if !found {
		if _, ok := d.rt.ProxyID(px); !ok {
			return nil, ErrNoSuchProxy
		}
	}
	return out, nil
}

// fillCaptured completes ce from the data plane's capture.
func fillCaptured(ce CapturedError, e proxy.CapturedErr, response bool) CapturedError {
	ce.When, ce.Response, ce.Peer, ce.Server, ce.Pos, ce.Data = e.When, response, e.Peer, e.Server, e.Pos, e.Data
	ce.Reason = "invalid request"
	if response {
		ce.Reason = "invalid response"
	}
	if e.Reason != "" {
		ce.Reason += " (" + e.Reason + ")"
	}
	return ce
}

// Activity is `show activity`: the counters Go can give.
func (d *rtData) Activity() Activity {
	n := runtime.GOMAXPROCS(0)
	spread := func(v int64) []uint64 {
		out := make([]uint64, n)
		out[0] = uint64(max(v, 0))
		return out
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return Activity{Threads: n, Now: time.Now(), Counters: []ActivityCounter{
		{Name: "accepted", PerThread: spread(d.rt.CumConns.Load())},
		{Name: "stream_calls", PerThread: spread(d.rt.CumReq.Load())},
		{Name: "goroutines", PerThread: spread(int64(runtime.NumGoroutine()))},
		{Name: "gc_cycles", PerThread: spread(int64(ms.NumGC))},
		{Name: "heap_inuse", PerThread: spread(int64(ms.HeapInuse))},
		{Name: "heap_objects", PerThread: spread(int64(ms.HeapObjects))},
	}}
}

// setHeap fills show info's pool figures with Go's heap, goha's pools:
// PoolAlloc is the heap held from the system, PoolUsed the part in use.
func setHeap(in *stats.Info) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	held := int64(ms.HeapSys - ms.HeapReleased)
	used := int64(ms.HeapInuse)
	in.Set(stats.InfPoolAllocMB, held>>20)
	in.Set(stats.InfPoolUsedMB, used>>20)
	in.Set(stats.InfPoolAllocBytes, held)
	in.Set(stats.InfPoolUsedBytes, used)
}

// rtServer is one server for the runtime API.
type rtServer struct {
	rt *proxy.Runtime
	s  *proxy.Server
}

func (r *rtServer) Weight() (int, int) { return r.s.Weight(), r.s.InitialWeight() }

// SetWeight sets the server's weight; a static algorithm (static-rr and
// map-based hashing) only takes 0% or 100% of the initial weight.
func (r *rtServer) SetWeight(w int) error {
	if !lb.DynamicBalance(r.s.Backend.Cfg.Balance) && w != 0 && w != r.s.InitialWeight() {
		return errors.New("Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.")
	}
	return r.s.SetWeight(w)
}

func (r *rtServer) SetAdminState(st AdminState) error {
	a := proxy.AdminReady
	switch st {
	case StateDrain:
		a = proxy.AdminDrain
	case StateMaint:
		a = proxy.AdminMaint
	}
	r.rt.ServerAdmin(r.s, a)
	return nil
}

func (r *rtServer) SetHealth(h Health) error {
	ph := proxy.HealthUp
	switch h {
	case HealthStopping:
		ph = proxy.HealthStopping
	case HealthDown:
		ph = proxy.HealthDown
	}
	r.rt.SetServerHealth(r.s, ph)
	return nil
}

func (r *rtServer) Addr() (netip.Addr, int) {
	ap, err := netip.ParseAddrPort(r.s.Addr())
	if err != nil {
		return netip.Addr{}, 0
	}
	return ap.Addr(), int(ap.Port())
}

func (r *rtServer) SetAddr(a netip.Addr, port int) error {
	if r.s.Cfg.Unix != "" {
		return errors.New("cannot change the address of a server on a unix socket")
	}
	if port < 0 {
		port = 0 // keep
	}
	return r.rt.SetServerAddr(r.s, a.Unmap().String(), port)
}

func (r *rtServer) HasCheck() bool { return r.s.HasCheck() }

func (r *rtServer) SetCheck(on bool) error { return r.rt.SetCheckEnabled(r.s, on) }

func (r *rtServer) HasAgent() bool { return false }

func (r *rtServer) SetAgent(bool) error {
	return errors.New("Agent was not configured on this server, cannot enable.")
}

func (r *rtServer) SetAgentUp(bool) error {
	return errors.New("agent checks are not enabled on this server.")
}

func (r *rtServer) SetMaxconn(n int) error {
	r.s.SetMaxconn(n)
	return nil
}

// rtFrontend is one frontend for the runtime API.
type rtFrontend struct{ f *proxy.Frontend }

func (r rtFrontend) Pause() bool {
	if r.f.Disabled() {
		return false
	}
	r.f.Disable()
	return true
}

func (r rtFrontend) Resume() bool {
	if !r.f.Disabled() {
		return false
	}
	r.f.Enable()
	return true
}

func (r rtFrontend) SetMaxconn(n int) error {
	r.f.SetMaxconn(n)
	return nil
}

// Maps implements RuntimeData.
func (d *rtData) Maps() *sample.MapRefs { return d.rt.Maps() }
