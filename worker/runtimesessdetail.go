package worker

import (
	"errors"
	"fmt"
	"time"

	"github.com/goha/goha/cli"
	"github.com/goha/goha/proxy/stream"
)

// `show sess <id>` (one session in detail, HAProxy 2.6's first lines:
// what goha has of the stream, the frontend, backend and server) and
// `show servers conn [<backend>]` (each server's connection use and
// idle pool).

// SessionDetail is what `show sess <id>` adds to a SessionInfo.
type SessionDetail stream.SessionDetail

// writeSessionDetail prints one session as `show sess <id>` does.
func writeSessionDetail(w *cli.Writer, ss *SessionInfo) {
	d := &ss.Detail
	when := d.Accepted
	if when.IsZero() {
		when = time.Now().Add(-ss.Age)
	}
	w.Printf("%#x: [%s] id=0 proto=%s source=%s\n", ss.ID, when.Format("02/Jan/2006:15:04:05.000000"), ss.Proto, ss.Src)
	srvConn := "(nil)"
	if d.ServerID >= 0 {
		srvConn = fmt.Sprintf("%#x", d.ServerID)
	}
	w.Printf("  flags=0x0, conn_retries=0, conn_exp=<NEVER> conn_et=0x000 srv_conn=%s, pend_pos=(nil) waiting=0 epoch=0\n", srvConn)
	listener := d.Listener
	if listener == "" {
		listener = "?"
	}
	w.Printf("  frontend=%s (id=%d mode=%s), listener=? (id=1) addr=%s\n", ss.Frontend, d.FrontendID, d.Mode, listener)
	if d.BackendID >= 0 {
		w.Printf("  backend=%s (id=%d mode=%s) addr=?\n", ss.Backend, d.BackendID, d.Mode)
		w.Printf("  server=%s (id=%d) addr=%s\n", ss.Server, d.ServerID, d.ServerAddr)
	} else {
		w.Printf("  backend=<NONE> (id=-1 mode=-) addr=?\n")
		w.Printf("  server=<NONE> (id=-1)\n")
	}
	w.Printf("  task=%#x (state=0x00 nice=0 calls=%d rate=0 exp=<NEVER> tmask=0x1 age=%s)\n", ss.ID, ss.Calls, humanTime(ss.Age))
}

// ServerConn is one `show servers conn` line.
type ServerConn struct {
	Backend, Server     string
	BackendID, ServerID int
	Addr                string
	Port                int
	Used, UsedMax, Idle int
}

// ServerConns lists servers' connection use; a RuntimeData that has it
// implements it (ErrNoSuchBackend for an unknown backend, "" for all).
type ServerConns interface {
	ServerConns(backend string) ([]ServerConn, error)
}

func (a *runtimeAPI) serverConnCommands() []cli.Command {
	return []cli.Command{
		{Words: []string{"show", "servers", "conn"}, Usage: "show servers conn [<backend>]", Help: "dump server connections status (all or for a single backend)", Level: cli.LevelUser, Handler: a.showServersConn},
	}
}

func (a *runtimeAPI) showServersConn(s *cli.Session, args []string, _ string, w *cli.Writer) error {
	sc, ok := a.d.(ServerConns)
	if !ok {
		return errors.New("server connections cannot be listed in this process.")
	}
	rows, err := sc.ServerConns(arg(args, 3))
	if errors.Is(err, ErrNoSuchBackend) {
		return errors.New("Can't find backend.")
	}
	if err != nil {
		return err
	}
	w.WriteString("# bkname/svname bkid/svid addr port - purge_delay used_cur used_max need_est unsafe_nb safe_nb idle_lim idle_cur idle_per_thr[1]\n")
	for _, r := range rows {
		// One thread's pool: need_est is what is in use, every idle
		// connection is safe (reusable for any request), no limit.
		w.Printf("%s/%s %d/%d %s %d - 5000 %d %d %d 0 %d -1 %d %d\n",
			r.Backend, r.Server, r.BackendID, r.ServerID, r.Addr, r.Port, r.Used, r.UsedMax, r.Used, r.Idle, r.Idle, r.Idle)
	}
	return nil
}
