package worker

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/goha/goha/cli"
	"github.com/goha/goha/proxy/check"
	"github.com/goha/goha/proxy/sample"
	"github.com/goha/goha/proxy/stats"
)

// Errors a RuntimeData implementation returns; the runtime API answers
// them with HAProxy's texts.
var (
	ErrNoSuchBackend  = errors.New("No such backend.")
	ErrNoSuchServer   = errors.New("No such server.")
	ErrNoSuchFrontend = errors.New("No such frontend.")
	ErrNoSuchProxy    = errors.New("No such proxy.")
	ErrOutOfRange     = errors.New("Value out of range.")
)

// AdminState is what `set server ... state` asks for.
type AdminState int

// The server admin states of `set server <b>/<s> state`.
const (
	StateReady AdminState = iota // normal traffic
	StateDrain                   // no new load-balanced traffic
	StateMaint                   // no traffic, no checks
)

// Health is what `set server ... health` forces.
type Health int

// The forced health values.
const (
	HealthUp Health = iota
	HealthStopping
	HealthDown
)

// RuntimeData is what the runtime API needs from a worker's data plane.
// The integrator implements it over the live proxy runtime; every method
// must be safe to call from CLI sessions running concurrently with
// traffic, and every change must act on traffic at once.
type RuntimeData interface {
	// Info returns the `show info` snapshot.
	Info() stats.Info
	// StatRows returns every `show stat` row with live counters, per
	// proxy in config order: frontend, listeners, servers, backend.
	StatRows() []stats.Row
	// ProxyID maps a proxy name to its numeric id.
	ProxyID(name string) (int, bool)
	// Backends lists the proxies with a backend side, in config order.
	Backends() []string
	// ServersState returns the `show servers state` lines of one backend
	// ("" for all); ErrNoSuchBackend when unknown.
	ServersState(backend string) ([]stats.ServerState, error)
	// Server finds a server by backend and server name (either may be
	// "#<id>"); ErrNoSuchBackend or ErrNoSuchServer when missing.
	Server(backend, server string) (RuntimeServer, error)
	// Frontend finds a frontend by name or "#<id>"; ErrNoSuchFrontend.
	Frontend(name string) (RuntimeFrontend, error)
	// SetGlobalMaxconn sets the process maxconn; 0 or less restores the
	// initial value; ErrOutOfRange above the hard limit.
	SetGlobalMaxconn(n int) error
	// ClearCounters resets the max values (all: every counter).
	ClearCounters(all bool)
	// Sessions lists the current streams.
	Sessions() []SessionInfo
	// ShutdownSession closes the stream with that id; false if unknown.
	ShutdownSession(id uint64) bool
	// Errors returns the captured bad requests/responses of one proxy
	// ("" for all); ErrNoSuchProxy when unknown.
	Errors(proxy string) ([]CapturedError, error)
	// Activity returns the `show activity` counters.
	Activity() Activity
	// Maps returns the live map files (nil: none).
	Maps() *sample.MapRefs
}

// RuntimeServer is one server as the runtime API changes it.
type RuntimeServer interface {
	// Weight returns the current user weight and the configured one.
	Weight() (current, initial int)
	// SetWeight sets the user weight (0..256); an error is answered as is
	// (e.g. a static algorithm refusing it).
	SetWeight(w int) error
	// SetAdminState applies ready, drain or maint.
	SetAdminState(s AdminState) error
	// SetHealth forces the check result.
	SetHealth(h Health) error
	// Addr returns the server's address and port.
	Addr() (netip.Addr, int)
	// SetAddr changes the address and/or port (port < 0: unchanged).
	SetAddr(a netip.Addr, port int) error
	// HasCheck and HasAgent say whether checks and agent checks are
	// configured; SetCheck and SetAgent enable or disable them.
	HasCheck() bool
	SetCheck(enabled bool) error
	HasAgent() bool
	SetAgent(enabled bool) error
	// SetAgentUp forces the agent result.
	SetAgentUp(up bool) error
	// SetMaxconn changes the server's maxconn (0: unlimited).
	SetMaxconn(n int) error
}

// RuntimeFrontend is one frontend as the runtime API changes it.
type RuntimeFrontend interface {
	// Pause stops accepting; false if it was already paused.
	Pause() bool
	// Resume accepts again; false if it was already accepting.
	Resume() bool
	// SetMaxconn changes the frontend's maxconn.
	SetMaxconn(n int) error
}

// SessionInfo is one line of `show sess`.
type SessionInfo struct {
	ID       uint64 // printed as 0x%x; `shutdown session` takes it back
	Proto    string // "tcpv4", "tcpv6", "unix_stream"
	Src      string // "127.0.0.1:43210"
	Frontend string
	Backend  string // "<NONE>" before one is chosen
	Server   string // "<none>" before one is chosen
	Age      time.Duration
	Calls    uint64
	// Detail is what `show sess <id>` adds (runtimesessdetail.go).
	Detail SessionDetail
}

// CapturedError is one rejected request or response kept for `show
// errors`.
type CapturedError struct {
	When     time.Time
	Proxy    string
	ProxyID  int
	Response bool // false: a request rejected by a frontend
	Peer     string
	Server   string // the server that sent an invalid response, if any
	Reason   string
	Pos      int    // error offset in Data, -1 if unknown
	Data     []byte // the head as received
}

// Activity is the `show activity` snapshot: per-thread counters.
type Activity struct {
	Threads  int
	Now      time.Time
	Counters []ActivityCounter
}

// ActivityCounter is one `name: total [ per-thread ]` line.
type ActivityCounter struct {
	Name      string
	PerThread []uint64
}

// RegisterRuntimeAPI adds HAProxy 2.6's runtime API commands, acting on
// d, to reg.
func RegisterRuntimeAPI(reg *cli.Registry, d RuntimeData) error {
	a := &runtimeAPI{d: d}
	// One row per group of commands (a file each): add a group here.
	groups := []func() []cli.Command{
		a.commands,
		a.mapCommands,
		a.tableCommands,
		a.resolverCommands,
		a.cacheCommands,
		a.serverCommands,
		a.sessionCommands,
		a.mapVersionCommands,
		a.sslCommands,
		a.aclCommands,
		a.serverConnCommands,
	}
	var cmds []cli.Command
	for _, g := range groups {
		cmds = append(cmds, g()...)
	}
	return reg.Register(cmds...)
}

type runtimeAPI struct{ d RuntimeData }

func (a *runtimeAPI) commands() []cli.Command {
	const (
		user  = cli.LevelUser
		oper  = cli.LevelOperator
		admin = cli.LevelAdmin
	)
	return []cli.Command{
		{Words: []string{"show", "info"}, Usage: "show info [desc|json|typed|float]*", Help: "report information about the running process", Level: user, Handler: a.showInfo},
		{Words: []string{"show", "stat"}, Usage: "show stat [desc|json|no-maint|typed|up]*", Help: "report counters for each proxy and server", Level: user, Handler: a.showStat},
		{Words: []string{"show", "servers", "state"}, Usage: "show servers state [<backend>]", Help: "dump volatile server information (all or for a single backend)", Level: user, Handler: a.showServersState},
		{Words: []string{"show", "backend"}, Usage: "show backend", Help: "list backends in the current running config", Level: user, Handler: a.showBackend},
		{Words: []string{"show", "sess"}, Usage: "show sess [id]", Help: "report the list of current sessions or dump this exact session", Level: oper, Handler: a.showSess},
		{Words: []string{"show", "errors"}, Usage: "show errors [<px>] [request|response]", Help: "report last request and/or response errors for each proxy", Level: oper, Handler: a.showErrors},
		{Words: []string{"show", "activity"}, Usage: "show activity", Help: "show per-thread activity stats (for support/developers)", Level: user, Handler: a.showActivity},
		{Words: []string{"disable", "server"}, Usage: "disable server (DEPRECATED)", Help: "disable a server for maintenance (use 'set server' instead)", Level: admin, Handler: a.adminState(StateMaint)},
		{Words: []string{"enable", "server"}, Usage: "enable server  (DEPRECATED)", Help: "enable a disabled server (use 'set server' instead)", Level: admin, Handler: a.adminState(StateReady)},
		{Words: []string{"set", "server"}, Usage: "set server <bk>/<srv> [opts]", Help: "change a server's state, weight, address or ssl", Level: admin, Handler: a.setServer},
		{Words: []string{"set", "weight"}, Usage: "set weight <bk>/<srv>  (DEPRECATED)", Help: "change a server's weight (use 'set server' instead)", Level: admin, Handler: a.setWeight},
		{Words: []string{"get", "weight"}, Usage: "get weight <bk>/<srv>", Help: "report a server's current weight", Level: user, Handler: a.getWeight},
		{Words: []string{"disable", "health"}, Usage: "disable health", Help: "disable health checks", Level: admin, Handler: a.check(false, false)},
		{Words: []string{"enable", "health"}, Usage: "enable health", Help: "enable health checks", Level: admin, Handler: a.check(false, true)},
		{Words: []string{"disable", "agent"}, Usage: "disable agent", Help: "disable agent checks", Level: admin, Handler: a.check(true, false)},
		{Words: []string{"enable", "agent"}, Usage: "enable agent", Help: "enable agent checks", Level: admin, Handler: a.check(true, true)},
		{Words: []string{"disable", "frontend"}, Usage: "disable frontend <frontend>", Help: "temporarily disable specific frontend", Level: admin, Handler: a.frontend(false)},
		{Words: []string{"enable", "frontend"}, Usage: "enable frontend <frontend>", Help: "re-enable specific frontend", Level: admin, Handler: a.frontend(true)},
		{Words: []string{"set", "maxconn", "frontend"}, Usage: "set maxconn frontend <frontend> <value>", Help: "change a frontend's maxconn setting", Level: admin, Handler: a.setMaxconnFrontend},
		{Words: []string{"set", "maxconn", "server"}, Usage: "set maxconn server <bk>/<srv>", Help: "change a server's maxconn setting", Level: admin, Handler: a.setMaxconnServer},
		{Words: []string{"set", "maxconn", "global"}, Usage: "set maxconn global <value>", Help: "change the per-process maxconn setting", Level: admin, Handler: a.setMaxconnGlobal},
		{Words: []string{"clear", "counters"}, Usage: "clear counters [all]", Help: "clear max statistics counters (or all counters)", Level: oper, Handler: a.clearCounters},
		{Words: []string{"shutdown", "session"}, Usage: "shutdown session [id]", Help: "kill a specific session", Level: admin, Handler: a.shutdownSession},
	}
}

func arg(args []string, i int) string {
	if i < len(args) {
		return args[i]
	}
	return ""
}

func (a *runtimeAPI) showInfo(s *cli.Session, args []string, _ string, w *cli.Writer) error {
	format, desc := stats.ParseInfoArgs(args[2:])
	in := a.d.Info()
	return stats.WriteInfo(w, &in, format, desc)
}

func (a *runtimeAPI) showStat(s *cli.Session, args []string, _ string, w *cli.Writer) error {
	o, err := stats.ParseStatArgs(args[2:], a.d.ProxyID)
	if err != nil {
		return err
	}
	o.Legends = s.Level() >= cli.LevelOperator
	return stats.WriteStat(w, a.d.StatRows(), o)
}

func (a *runtimeAPI) showServersState(s *cli.Session, args []string, _ string, w *cli.Writer) error {
	st, err := a.d.ServersState(arg(args, 3))
	if err != nil {
		if errors.Is(err, ErrNoSuchBackend) {
			return errors.New("Can't find backend.")
		}
		return err
	}
	return stats.WriteServersState(w, st)
}

func (a *runtimeAPI) showBackend(s *cli.Session, _ []string, _ string, w *cli.Writer) error {
	_, err := w.Write(stats.AppendBackends(nil, a.d.Backends()))
	return err
}

// findServer resolves "<backend>/<server>" with HAProxy's answers.
func (a *runtimeAPI) findServer(spec string) (RuntimeServer, error) {
	be, sv, ok := strings.Cut(spec, "/")
	if !ok || be == "" || sv == "" {
		return nil, errors.New("Require 'backend/server'.")
	}
	return a.d.Server(be, sv)
}

func (a *runtimeAPI) adminState(st AdminState) cli.Handler {
	return func(s *cli.Session, args []string, _ string, w *cli.Writer) error {
		srv, err := a.findServer(arg(args, 2))
		if err != nil {
			return err
		}
		return srv.SetAdminState(st)
	}
}

func (a *runtimeAPI) setServer(s *cli.Session, args []string, _ string, w *cli.Writer) error {
	srv, err := a.findServer(arg(args, 2))
	if err != nil {
		return err
	}
	v := arg(args, 4)
	switch arg(args, 3) {
	case "weight":
		return setWeight(srv, v)
	case "state":
		switch v {
		case "ready":
			return srv.SetAdminState(StateReady)
		case "drain":
			return srv.SetAdminState(StateDrain)
		case "maint":
			return srv.SetAdminState(StateMaint)
		}
		return errors.New("'set server <srv> state' expects 'ready', 'drain' and 'maint'.")
	case "health":
		switch v {
		case "up":
			return srv.SetHealth(HealthUp)
		case "stopping":
			return srv.SetHealth(HealthStopping)
		case "down":
			return srv.SetHealth(HealthDown)
		}
		return errors.New("'set server <srv> health' expects 'up', 'stopping', or 'down'.")
	case "agent":
		if !srv.HasAgent() {
			return errors.New("agent checks are not enabled on this server.")
		}
		switch v {
		case "up":
			return srv.SetAgentUp(true)
		case "down":
			return srv.SetAgentUp(false)
		}
		return errors.New("'set server <srv> agent' expects 'up' or 'down'.")
	case "addr":
		return setAddr(srv, args[4:], w)
	case "fqdn":
		return setFQDN(srv, v, w)
	}
	return errors.New("usage: set server <backend>/<server> addr | agent | agent-addr | agent-port | agent-send | check-addr | check-port | fqdn | health | ssl | state | weight")
}

// setWeight parses "N" (0..256) or "N%" (of the configured weight) as
// the agent's weight answers are parsed (check.ParseWeight).
func setWeight(srv RuntimeServer, v string) error {
	_, initial := srv.Weight()
	w, err := check.ParseWeight(v, initial)
	if err != nil {
		return err
	}
	return srv.SetWeight(w)
}

// setAddr is `set server <b>/<s> addr <ip> [port <port>]`, answering what
// changed as HAProxy does.
func setAddr(srv RuntimeServer, args []string, w *cli.Writer) error {
	if len(args) == 0 || args[0] == "" {
		return errors.New("set server <b>/<s> addr requires an address and optionally a port.")
	}
	const by = " by 'stats socket command'"
	addr, err := netip.ParseAddr(args[0])
	if err != nil {
		return fmt.Errorf("Invalid addr '%s'%s", args[0], by)
	}
	port := -1
	if len(args) >= 3 && args[1] == "port" {
		p, err := strconv.Atoi(args[2])
		if err != nil || p < 0 || p > 65535 {
			return fmt.Errorf("problem converting port '%s' to an int%s", args[2], by)
		}
		port = p
	}
	cur, curPort := srv.Addr()
	var msg strings.Builder
	newAddr := addr
	if cur == addr.Unmap() || cur == addr {
		msg.WriteString("no need to change the addr")
		newAddr = cur
	} else {
		fmt.Fprintf(&msg, "IP changed from '%s' to '%s'", cur, args[0])
	}
	newPort := -1
	if port >= 0 {
		msg.WriteString(", ")
		if port == curPort {
			msg.WriteString("no need to change the port")
		} else {
			fmt.Fprintf(&msg, "port changed from '%d' to '%d'", curPort, port)
			newPort = port
		}
	}
	if newAddr != cur || newPort >= 0 {
		if err := srv.SetAddr(newAddr, newPort); err != nil {
			return err
		}
	}
	w.Printf("%s%s\n", msg.String(), by)
	return nil
}

func (a *runtimeAPI) setWeight(s *cli.Session, args []string, _ string, w *cli.Writer) error {
	srv, err := a.findServer(arg(args, 2))
	if err != nil {
		return err
	}
	return setWeight(srv, arg(args, 3))
}

func (a *runtimeAPI) getWeight(s *cli.Session, args []string, _ string, w *cli.Writer) error {
	srv, err := a.findServer(arg(args, 2))
	if err != nil {
		return err
	}
	cur, initial := srv.Weight()
	w.Printf("%d (initial %d)\n", cur, initial)
	return nil
}

func (a *runtimeAPI) check(agent, enable bool) cli.Handler {
	return func(s *cli.Session, args []string, _ string, w *cli.Writer) error {
		srv, err := a.findServer(arg(args, 2))
		if err != nil {
			return err
		}
		if agent {
			if enable && !srv.HasAgent() {
				return errors.New("Agent was not configured on this server, cannot enable.")
			}
			return srv.SetAgent(enable)
		}
		if enable && !srv.HasCheck() {
			return errors.New("Health check was not configured on this server, cannot enable.")
		}
		return srv.SetCheck(enable)
	}
}

func (a *runtimeAPI) frontend(enable bool) cli.Handler {
	return func(s *cli.Session, args []string, _ string, w *cli.Writer) error {
		name := arg(args, 2)
		if name == "" {
			return errors.New("A frontend name is expected.")
		}
		fe, err := a.d.Frontend(name)
		if err != nil {
			return err
		}
		if enable {
			if !fe.Resume() {
				return errors.New("All sockets are already enabled.")
			}
			return nil
		}
		if !fe.Pause() {
			return errors.New("All sockets are already disabled.")
		}
		return nil
	}
}

func (a *runtimeAPI) setMaxconnFrontend(s *cli.Session, args []string, _ string, w *cli.Writer) error {
	name := arg(args, 3)
	if name == "" {
		return errors.New("A frontend name is expected.")
	}
	fe, err := a.d.Frontend(name)
	if err != nil {
		return err
	}
	if arg(args, 4) == "" {
		return errors.New("Integer value expected.")
	}
	v := atoi(arg(args, 4))
	if v < 0 {
		return errors.New("Value out of range.")
	}
	return fe.SetMaxconn(v)
}

func (a *runtimeAPI) setMaxconnServer(s *cli.Session, args []string, _ string, w *cli.Writer) error {
	srv, err := a.findServer(arg(args, 3))
	if err != nil {
		return err
	}
	v := arg(args, 4)
	n, err := strconv.Atoi(v)
	switch {
	case v == "" || v[0] < '0' || v[0] > '9':
		return errors.New("maxconn string empty or preceded by garbage")
	case err != nil || n < 0:
		return errors.New("Trailing garbage in maxconn string")
	}
	return srv.SetMaxconn(n)
}

func (a *runtimeAPI) setMaxconnGlobal(s *cli.Session, args []string, _ string, w *cli.Writer) error {
	if arg(args, 3) == "" {
		return errors.New("Expects an integer value.")
	}
	return a.d.SetGlobalMaxconn(atoi(arg(args, 3)))
}

func (a *runtimeAPI) clearCounters(s *cli.Session, args []string, _ string, w *cli.Writer) error {
	all := arg(args, 2) == "all"
	if all && s.Level() < cli.LevelAdmin {
		return cli.ErrPermissionDenied
	}
	a.d.ClearCounters(all)
	return nil
}

// parseSessionID reads a `show sess` id: hexadecimal with or without 0x.
func parseSessionID(v string) (uint64, bool) {
	id, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimPrefix(v, "0x"), "0X"), 16, 64)
	return id, err == nil && v != ""
}

func (a *runtimeAPI) showSess(s *cli.Session, args []string, _ string, w *cli.Writer) error {
	want, one := uint64(0), false
	if v := arg(args, 2); v != "" && v != "all" {
		// HAProxy reads the id with strtoul: no number (or 0) is all.
		if id, ok := parseSessionID(v); ok && id != 0 {
			want, one = id, true
		}
	}
	found := false
	for _, ss := range a.d.Sessions() {
		if one && ss.ID != want {
			continue
		}
		found = true
		if one {
			writeSessionDetail(w, &ss) // runtimesessdetail.go
			continue
		}
		w.Printf("%#x: proto=%s src=%s fe=%s be=%s srv=%s ts=00 epoch=0 age=%s calls=%d\n",
			ss.ID, ss.Proto, ss.Src, ss.Frontend, ss.Backend, ss.Server, humanTime(ss.Age), ss.Calls)
	}
	if one && !found {
		return errors.New("Session not found.")
	}
	return nil
}

// humanTime prints a duration as HAProxy does in `show sess` ("1m3s").
func humanTime(d time.Duration) string {
	s := int64(d / time.Second)
	if s <= 0 {
		return "0s"
	}
	var b strings.Builder
	parts := []struct {
		n    int64
		unit string
	}{{s / 86400, "d"}, {s / 3600 % 24, "h"}, {s / 60 % 60, "m"}, {s % 60, "s"}}
	shown := 0
	for _, p := range parts {
		if (p.n > 0 || b.Len() > 0) && shown < 2 {
			fmt.Fprintf(&b, "%d%s", p.n, p.unit)
			shown++
		}
	}
	return b.String()
}

func (a *runtimeAPI) shutdownSession(s *cli.Session, args []string, _ string, w *cli.Writer) error {
	id, ok := parseSessionID(arg(args, 2))
	if !ok {
		return errors.New("Session pointer expected (use 'show sess').")
	}
	if !a.d.ShutdownSession(id) {
		return errors.New("No such session (use 'show sess').")
	}
	return nil
}

// clfTime prints HAProxy's bracketed date with milliseconds.
func clfTime(t time.Time) string {
	return t.Format("02/Jan/2006:15:04:05.000")
}

func (a *runtimeAPI) showErrors(s *cli.Session, args []string, _ string, w *cli.Writer) error {
	px, what := arg(args, 2), ""
	if px == "request" || px == "response" {
		px, what = "", px
	} else if v := arg(args, 3); v == "request" || v == "response" {
		what = v
	}
	if px == "-1" {
		px = ""
	}
	errs, err := a.d.Errors(px)
	if err != nil {
		return err
	}
	var kept []CapturedError
	for _, e := range errs {
		if what == "" || (what == "response") == e.Response {
			kept = append(kept, e)
		}
	}
	w.Printf("Total events captured on [%s] : %d\n", clfTime(time.Now()), len(kept))
	for i, e := range kept {
		side := "frontend"
		if e.Response {
			side = "backend"
		}
		w.Printf("\n[%s] %s %s (#%d): %s\n", clfTime(e.When), side, e.Proxy, e.ProxyID, e.Reason)
		if e.Server != "" {
			w.Printf("  server %s, event #%d, src %s\n", e.Server, i, e.Peer)
		} else {
			w.Printf("  event #%d, src %s\n", i, e.Peer)
		}
		if e.Pos >= 0 {
			w.Printf("  len %d, error at position %d\n", len(e.Data), e.Pos)
		}
		for off := 0; off < len(e.Data); {
			end := off + 64
			if nl := strings.IndexByte(string(e.Data[off:min(end, len(e.Data))]), '\n'); nl >= 0 {
				end = off + nl + 1
			}
			end = min(end, len(e.Data))
			w.Printf("  %05d  %s\n", off, escapeBytes(e.Data[off:end]))
			off = end
		}
	}
	return nil
}

// escapeBytes prints captured bytes as HAProxy does: printable as is,
// CR/LF/TAB as \r \n \t, others as \xHH.
func escapeBytes(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		switch {
		case c == '\r':
			s.WriteString(`\r`)
		case c == '\n':
			s.WriteString(`\n`)
		case c == '\t':
			s.WriteString(`\t`)
		case c < 0x20 || c >= 0x7f || c == '\\':
			fmt.Fprintf(&s, `\x%02x`, c)
		default:
			s.WriteByte(c)
		}
	}
	return s.String()
}

func (a *runtimeAPI) showActivity(s *cli.Session, _ []string, _ string, w *cli.Writer) error {
	act := a.d.Activity()
	threads := max(act.Threads, 1)
	w.Printf("thread_id: 1 (1..%d)\n", threads)
	w.Printf("date_now: %d.%06d\n", act.Now.Unix(), act.Now.Nanosecond()/1000)
	for _, c := range act.Counters {
		var total uint64
		for _, v := range c.PerThread {
			total += v
		}
		w.Printf("%s: %d", c.Name, total)
		if threads > 1 {
			w.WriteString(" [")
			for _, v := range c.PerThread {
				w.Printf(" %d", v)
			}
			w.WriteString(" ]")
		}
		w.WriteString("\n")
	}
	return nil
}

// atoi is C's atoi: the leading decimal integer, 0 if none.
func atoi(s string) int {
	i, neg := 0, false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	n := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9' && n < 1<<31; i++ {
		n = n*10 + int(s[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}
