package worker

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/google/renameio/v2"
	"github.com/rs/zerolog"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy"
	"github.com/goha/goha/proxy/stats"
)

// ApplyServerState applies a `show servers state` dump (the previous
// generation's, or a server-state file) to rt before it serves: each
// server found by backend and server name gets back its administrative
// state (maint, drain), its weight, and its address and port, so that a
// server disabled with the CLI stays disabled after a reload.
//
// As HAProxy does: a weight is restored only if the configured weight did
// not change; maintenance that came from `disabled` in the previous
// configuration is not restored when the new one dropped the keyword.
// Servers missing from the new configuration are skipped. Trap (HAProxy
// #3296): an address in the dump wins over an address changed in the
// configuration.
func ApplyServerState(rt *proxy.Runtime, text string) error {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	states, err := stats.ParseServersState(strings.NewReader(text))
	if err != nil {
		return err
	}
	var errs []error
	for _, st := range states {
		b := rt.FindBackend(st.BackendName)
		if b == nil {
			continue
		}
		s := b.FindServer(st.Name)
		if s == nil {
			continue
		}
		if err := applyOne(rt, s, st); err != nil {
			errs = append(errs, fmt.Errorf("server %s/%s: %w", st.BackendName, st.Name, err))
		}
	}
	return errors.Join(errs...)
}

func applyOne(rt *proxy.Runtime, s *proxy.Server, st stats.ServerState) error {
	cmaint := st.AdminState&stats.AdminConfigMaint != 0
	fmaint := st.AdminState&stats.AdminForcedMaint != 0
	switch {
	case cmaint && !s.Cfg.Disabled:
		// `disabled` was removed from the config: leave maintenance.
		rt.ServerAdmin(s, proxy.AdminReady)
	case fmaint && !cmaint:
		rt.ServerAdmin(s, proxy.AdminMaint)
	case st.AdminState&stats.AdminForcedDrain != 0:
		rt.ServerAdmin(s, proxy.AdminDrain)
	}
	if st.OpState == stats.OpStopped && st.AdminState == 0 && st.CheckState&0x02 != 0 {
		rt.RestoreDown(s) // a checked server that was down stays down until its checks pass
	}
	if st.IWeight == s.InitialWeight() && st.UWeight != s.Weight() {
		if err := s.SetWeight(st.UWeight); err != nil {
			return err
		}
	}
	if ok, err := restoreResolved(rt, s, st); ok {
		return err
	}
	if s.Cfg.Unix != "" || st.Addr == "" {
		return nil
	}
	host, port, err := net.SplitHostPort(s.Addr())
	if err != nil {
		return nil
	}
	cur, _ := strconv.Atoi(port)
	if st.Addr != host || (st.Port > 0 && st.Port != cur) {
		p := 0
		if st.Port > 0 {
			p = st.Port
		}
		return rt.SetServerAddr(s, st.Addr, p)
	}
	return nil
}

// serverStatePath returns the configured server-state file, made
// absolute with server-state-base as HAProxy does ("" when none).
func serverStatePath(g config.Global) string {
	p := g.ServerStateFile
	if p == "" {
		return ""
	}
	if !filepath.IsAbs(p) && g.ServerStateBase != "" {
		p = filepath.Join(g.ServerStateBase, p)
	}
	return p
}

// LoadServerState restores servers' runtime state at start: from the
// previous generation's dump handed over by the master when there is one
// (goha's default, no configuration needed), otherwise from the global
// `server-state-file` if it exists. It is called before privileges are
// dropped; problems are logged, never fatal.
//
// Deviation: HAProxy reads the file only for backends with
// `load-server-state-from-file global`; goha's parser does not keep that
// keyword yet, so a configured server-state-file is read for every
// backend (per-backend `server-state-file-name` files are not read).
func LoadServerState(log zerolog.Logger, rt *proxy.Runtime, cfg *config.Config, handoff string) {
	if strings.TrimSpace(handoff) != "" {
		if err := ApplyServerState(rt, handoff); err != nil {
			log.Warn().Msgf("server states from the previous generation: %v", err)
		}
		return
	}
	path := serverStatePath(cfg.Global)
	if path == "" {
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			log.Warn().Msgf("Can't open server state file '%s': %v", path, err)
		}
		return
	}
	if err := ApplyServerState(rt, string(b)); err != nil {
		log.Warn().Msgf("server state file '%s': %v", path, err)
	}
}

// SaveServerState writes the global `server-state-file` atomically
// (renameio) in `show servers state` format. goha writes it when a worker
// stops (soft stop at a reload, or exit), so the file always holds the
// last state a worker served with and a cold start can reload it; HAProxy
// users' `show servers state > file` before a reload keeps working too.
// After a chroot the path is taken relative to the chroot when it lies
// inside it. Errors are returned for the caller to log.
func SaveServerState(rt *proxy.Runtime, cfg *config.Config) error {
	path := serverStatePath(cfg.Global)
	if path == "" {
		return nil
	}
	if root := cfg.Global.Chroot; root != "" && root != "/" {
		if rel, err := filepath.Rel(root, path); err == nil && !strings.HasPrefix(rel, "..") {
			path = "/" + rel
		}
	}
	data := stats.AppendServersState(nil, rt.ServerStates(nil))
	pf, err := renameio.NewPendingFile(path, renameio.WithTempDir(filepath.Dir(path)), renameio.WithStaticPermissions(0o644))
	if err != nil {
		return fmt.Errorf("server state file %q: %w", path, err)
	}
	defer pf.Cleanup()
	if _, err := pf.Write(data); err != nil {
		return fmt.Errorf("server state file %q: %w", path, err)
	}
	if err := pf.CloseAtomicallyReplace(); err != nil {
		return fmt.Errorf("server state file %q: %w", path, err)
	}
	return nil
}

// saveServerState writes the server-state file, logging a failure.
func saveServerState(log zerolog.Logger, rt *proxy.Runtime, cfg *config.Config) {
	if err := SaveServerState(rt, cfg); err != nil {
		log.Warn().Msgf("%v", err)
	}
}
