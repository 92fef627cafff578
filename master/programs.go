package master

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/goha/goha/config"
)

// Programs are the `program` sections: external commands the master runs
// beside its workers (a log shipper, an agent, the Data Plane API). They
// are started once the sockets are bound, restarted at a reload unless
// `no option start-on-reload` keeps them, and stopped with the master.
// Beyond HAProxy, which leaves a dead program dead, one that exits while
// it is current is started again after a backoff that doubles on every
// quick exit (programBackoffMin up to programBackoffMax).

const (
	// programBackoffMin is the delay before the first restart of a
	// program that exited; each exit within programStableAfter of its
	// start doubles it, up to programBackoffMax.
	programBackoffMin = 200 * time.Millisecond
	programBackoffMax = 10 * time.Second
	// programStableAfter is how long a program must run for its next
	// exit to be restarted after programBackoffMin again.
	programStableAfter = 10 * time.Second
	// programKillDelay bounds the stop of programs when the master stops
	// and no hard-stop-after is set: SIGKILL follows SIGTERM after it.
	programKillDelay = 4 * time.Second
)

// program is one `program` section's running instance in the master's
// table. Only the loop goroutine touches it.
type program struct {
	name string
	// cfg is the section it was started from (nil when the running
	// configuration has none: it cannot be restarted).
	cfg *config.Program
	// pid is 0 while the program waits for its restart (restartAt).
	pid            int
	started        time.Time
	reloadsAtStart int
	// restarts counts the restarts after exits (shown in show proc);
	// quick counts the exits within programStableAfter in a row (the
	// backoff's exponent).
	restarts  int
	quick     int
	restartAt time.Time
	// leaving is set once a reload replaced or removed it: it was sent
	// the soft-stop signal and is listed under `# old programs`.
	leaving bool
}

// progRec is a program carried across the master's re-exec.
type progRec struct {
	Name           string `json:"name"`
	Pid            int    `json:"pid"`
	Started        int64  `json:"started"`
	ReloadsAtStart int    `json:"reloads_at_start"`
	Restarts       int    `json:"restarts,omitempty"`
	Quick          int    `json:"quick,omitempty"`
	RestartAt      int64  `json:"restart_at,omitempty"`
	Leaving        bool   `json:"leaving,omitempty"`
}

// progView is a read-only copy of a running program for `show proc`.
type progView struct {
	Pid      int
	Name     string
	Reloads  int
	Started  time.Time
	Restarts int
	Leaving  bool
}

// programRecs returns the program table for the re-exec handoff.
func (m *Master) programRecs() []progRec {
	out := make([]progRec, 0, len(m.progs))
	for _, p := range m.progs {
		r := progRec{Name: p.name, Pid: p.pid, Started: p.started.UnixNano(), ReloadsAtStart: p.reloadsAtStart,
			Restarts: p.restarts, Quick: p.quick, Leaving: p.leaving}
		if !p.restartAt.IsZero() {
			r.RestartAt = p.restartAt.UnixNano()
		}
		out = append(out, r)
	}
	return out
}

// adoptPrograms takes over the previous image's programs; cfg is the
// configuration they were started from (their commands, for restarts).
func (m *Master) adoptPrograms(recs []progRec, cfg *config.Config) {
	for _, r := range recs {
		p := &program{name: r.Name, pid: r.Pid, started: time.Unix(0, r.Started), reloadsAtStart: r.ReloadsAtStart,
			restarts: r.Restarts, quick: r.Quick, leaving: r.Leaving}
		if r.RestartAt != 0 {
			p.restartAt = time.Unix(0, r.RestartAt)
		}
		if cfg != nil {
			p.cfg = findProgram(cfg, r.Name)
		}
		m.progs = append(m.progs, p)
	}
}

func findProgram(cfg *config.Config, name string) *config.Program {
	for _, pc := range cfg.Programs {
		if pc.Name == name {
			return pc
		}
	}
	return nil
}

// applyPrograms brings the program table to cfg's sections: the first
// start starts them all; a reload starts a new instance of each (the
// previous one gets the soft-stop signal), keeps those with `no option
// start-on-reload` untouched, and stops those no longer configured.
func (m *Master) applyPrograms(cfg *config.Config) {
	kept := map[string]bool{}
	for _, p := range m.progs {
		if p.leaving {
			continue
		}
		pc := findProgram(cfg, p.name)
		if pc != nil && !pc.StartOnReload {
			p.cfg = pc
			kept[p.name] = true
			continue
		}
		m.retireProgram(p)
	}
	for _, pc := range cfg.Programs {
		if !kept[pc.Name] {
			p := &program{name: pc.Name, cfg: pc}
			m.progs = append(m.progs, p)
			m.startProgram(p)
		}
	}
}

// retireProgram makes p a former program: SIGUSR1, as HAProxy sends its
// old processes at a reload; one waiting for its restart is dropped.
func (m *Master) retireProgram(p *program) {
	p.leaving = true
	if p.pid == 0 {
		m.dropProgram(p)
		return
	}
	syscall.Kill(p.pid, syscall.SIGUSR1)
}

func (m *Master) dropProgram(p *program) {
	for i, q := range m.progs {
		if q == p {
			m.progs = append(m.progs[:i], m.progs[i+1:]...)
			return
		}
	}
}

// startProgram forks p's command with its user and group, the master's
// stdio (or /dev/null when daemonised) and environment. A command that
// cannot be started is handled as an immediate exit.
func (m *Master) startProgram(p *program) {
	p.restartAt = time.Time{}
	p.reloadsAtStart = m.reloads
	p.started = time.Now()
	pid, err := forkProgram(p.cfg, m.opt.Daemon)
	if err != nil {
		m.log.Error().Msgf("Cannot execute %s: %v", p.cfg.Command[0], err)
		m.programExited(p, 1, "Exit")
		return
	}
	p.pid = pid
	m.log.Info().Msgf("New program '%s' (%d) forked", p.name, pid)
}

// forkProgram starts pc's command and returns its PID.
func forkProgram(pc *config.Program, daemon bool) (int, error) {
	path, err := exec.LookPath(pc.Command[0])
	if err != nil {
		return 0, err
	}
	files := []uintptr{0, 1, 2}
	if daemon {
		null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
		if err != nil {
			return 0, err
		}
		defer null.Close()
		n := null.Fd()
		files = []uintptr{n, n, n}
	}
	return syscall.ForkExec(path, pc.Command, &syscall.ProcAttr{
		Env:   programEnv(),
		Files: files,
		Sys:   &syscall.SysProcAttr{Credential: programCredential(pc)},
	})
}

// programCredential is the identity a program runs with: its `user`
// and `group` (a `group` drops the supplementary groups, as HAProxy's
// setgroups(0) does), nil when neither is set.
func programCredential(pc *config.Program) *syscall.Credential {
	if pc.UID < 0 && pc.GID < 0 {
		return nil
	}
	c := &syscall.Credential{Uid: uint32(os.Getuid()), Gid: uint32(os.Getgid()), NoSetGroups: true}
	if pc.UID >= 0 {
		c.Uid = uint32(pc.UID)
	}
	if pc.GID >= 0 {
		c.Gid = uint32(pc.GID)
		c.NoSetGroups = false
		c.Groups = []uint32{}
	}
	return c
}

// programEnv is the master's environment minus what only the master
// and its workers act on.
func programEnv() []string {
	return envWithout("NOTIFY_SOCKET", envHandoff, envRollback, envRolledBack, "GOHA_DAEMON_FD", "TABLEFLIP_HAS_PARENT_7DIU3", "GOHA_ROLE")
}

// reapPrograms collects exited programs and restarts those due.
func (m *Master) reapPrograms() {
	for _, p := range append([]*program(nil), m.progs...) {
		if p.pid == 0 {
			if !m.stopping && !p.restartAt.IsZero() && !time.Now().Before(p.restartAt) {
				p.restarts++
				m.startProgram(p)
			}
			continue
		}
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(p.pid, &ws, syscall.WNOHANG, nil)
		if pid == 0 || (err != nil && err != syscall.ECHILD) {
			continue
		}
		code, what := exitText(ws)
		if err == syscall.ECHILD {
			code, what = 0, "Exit"
		}
		m.programExited(p, code, what)
	}
}

// programExited logs p's exit as HAProxy does and decides what follows:
// a former or stopping program is forgotten; a current one triggers
// exit-on-failure as HAProxy's, or else is restarted after a backoff.
func (m *Master) programExited(p *program, code int, what string) {
	pid := p.pid
	p.pid = 0
	if p.leaving {
		m.log.Warn().Msgf("Former program '%s' (%d) exited with code %d (%s)", p.name, pid, code, what)
		m.dropProgram(p)
		return
	}
	if pid != 0 {
		m.log.Error().Msgf("Current program '%s' (%d) exited with code %d (%s)", p.name, pid, code, what)
	}
	if m.stopping || p.cfg == nil {
		m.dropProgram(p)
		return
	}
	if code != 0 && code != 130 && code != 143 && !m.cfg.Global.NoExitOnFailure {
		m.log.Error().Msg("exit-on-failure: killing every processes with SIGTERM")
		m.exitCode = code
		m.dropProgram(p)
		m.stopAll(syscall.SIGTERM)
		return
	}
	if time.Since(p.started) >= programStableAfter {
		p.quick = 0
	}
	delay := programBackoffMin << min(p.quick, 6)
	if delay > programBackoffMax {
		delay = programBackoffMax
	}
	p.quick++
	p.restartAt = time.Now().Add(delay)
	m.log.Warn().Msgf("Program '%s' will be started again in %s (restart %d)", p.name, delay, p.restarts+1)
}

// signalPrograms sends sig to every running program; for a stop
// (SIGTERM, SIGINT) a SIGKILL follows after hard-stop-after, or
// programKillDelay when it is not set.
func (m *Master) signalPrograms(sig syscall.Signal) {
	for _, p := range m.progs {
		if p.pid != 0 {
			syscall.Kill(p.pid, sig)
		}
	}
	if sig != syscall.SIGTERM && sig != syscall.SIGINT {
		return
	}
	delay := programKillDelay
	if m.cfg != nil && m.cfg.Global.HardStopAfter > 0 {
		delay = m.cfg.Global.HardStopAfter
	}
	time.AfterFunc(delay, func() {
		m.calls <- func() {
			for _, p := range m.progs {
				if p.pid != 0 {
					syscall.Kill(p.pid, syscall.SIGKILL)
				}
			}
		}
	})
}

// programsRunning reports whether a program process is still alive.
func (m *Master) programsRunning() bool {
	for _, p := range m.progs {
		if p.pid != 0 {
			return true
		}
	}
	return false
}

// progViews returns a copy of the running programs for CLI sessions.
func (m *Master) progViews() []progView {
	out := make([]progView, 0, len(m.progs))
	for _, p := range m.progs {
		if p.pid == 0 {
			continue
		}
		out = append(out, progView{Pid: p.pid, Name: p.name, Reloads: m.reloads - p.reloadsAtStart,
			Started: p.started, Restarts: p.restarts, Leaving: p.leaving})
	}
	return out
}

// programRows renders the `# programs` section of show proc, and
// `# old programs` when a reload left some: HAProxy 2.6's columns (PID,
// name, reloads, uptime, "-"). A program goha restarted after an exit
// shows `restarts=N` in the last column instead of "-".
func programRows(row func(...string), b interface{ WriteString(string) (int, error) }, progs []progView, now time.Time) {
	b.WriteString("# programs\n")
	old := false
	for _, leaving := range []bool{false, true} {
		for _, p := range progs {
			if p.Leaving != leaving {
				continue
			}
			if leaving && !old {
				b.WriteString("# old programs\n")
				old = true
			}
			last := "-"
			if p.Restarts > 0 {
				last = fmt.Sprintf("restarts=%d", p.Restarts)
			}
			row(fmt.Sprint(p.Pid), p.Name, fmt.Sprint(p.Reloads), formatUptime(now.Sub(p.Started)), last)
		}
	}
}
