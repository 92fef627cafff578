package peers

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// statusNames are `show peers`' last_status words.
var statusNames = map[int]string{
	StatusConnect: "CONN", StatusConnected: "HSHK", StatusSuccess: "ESTA", StatusTryAgain: "RETR",
	StatusErrProto: "PROT", StatusErrVers: "VERS", StatusErrHost: "NAME", StatusErrPeer: "UNKN",
}

// resyncFlags are HAProxy's PEERS_F_RESYNC_* bits for each state.
var resyncFlags = [...]uint32{resyncFromLocal: 0, resyncFromRemote: 0x1, resyncFinished: 0x3}

// humanTime is HAProxy's human_time() of a duration: two units at most
// ("1m5s", "2h3m"), "0s" for none.
func humanTime(d time.Duration) string {
	t := int(d / time.Second)
	if t < 0 {
		return "?"
	}
	var b strings.Builder
	cnt := 2
	if t >= 86400 {
		fmt.Fprintf(&b, "%dd", t/86400)
		cnt--
	}
	if cnt > 0 && t%86400/3600 != 0 {
		fmt.Fprintf(&b, "%dh", t%86400/3600)
		cnt--
	}
	if cnt > 0 && t%3600/60 != 0 {
		fmt.Fprintf(&b, "%dm", t%3600/60)
		cnt--
	}
	if (cnt > 0 && t%60 != 0) || t == 0 {
		fmt.Fprintf(&b, "%ds", t%60)
	}
	return b.String()
}

// timer prints a date as HAProxy prints its timers: "<NEVER>" when
// unset, "<PAST>" when over, else the time left.
func timer(at, now time.Time) string {
	switch {
	case at.IsZero():
		return "<NEVER>"
	case !now.Before(at):
		return "<PAST>"
	}
	return humanTime(at.Sub(now))
}

// Show writes the section as HAProxy 2.6's `show peers` does (without
// "dict": the dictionary caches are not dumped). first says it is the
// first section written (the others are preceded by an empty line).
func (s *Section) Show(w io.Writer, first bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	var b strings.Builder
	if !first {
		b.WriteString("\n")
	}
	flags := resyncFlags[s.resync]
	if s.assigned != nil {
		flags |= 0x4
	}
	resync := "<NEVER>"
	if !s.resyncEnd.IsZero() {
		resync = timer(s.resyncEnd, now)
	}
	fmt.Fprintf(&b, "%p: [%s] id=%s disabled=%d flags=0x%x resync_timeout=%s task_calls=%d\n",
		s, s.lastChange.Format("02/Jan/2006:15:04:05"), s.name, b2i(s.disabled), flags, resync, s.calls)
	for _, p := range s.peers {
		s.showPeer(&b, p, now)
	}
	io.WriteString(w, b.String())
}

// showPeer writes one peer's lines.
func (s *Section) showPeer(b *strings.Builder, p *peer, now time.Time) {
	role, act := "remote", "inactive"
	if p.local {
		role = "local"
	}
	if p.sess != nil {
		act = "active"
	}
	st := statusNames[p.status]
	if st == "" {
		st = "NONE"
	}
	hs := "<NEVER>"
	if !p.lastHdshk.IsZero() {
		hs = humanTime(now.Sub(p.lastHdshk))
	}
	fmt.Fprintf(b, "  %p: id=%s(%s,%s) addr=%s last_status=%s last_hdshk=%s\n", p, p.name, role, act, p.addr, st, hs)
	fmt.Fprintf(b, "        reconnect=%s heartbeat=%s confirm=%d tx_hbt=%d rx_hbt=%d no_hbt=%d new_conn=%d proto_err=%d coll=%d\n",
		timer(p.reconnect, now), timer(p.heartbeat, now), p.confirm, p.txHbt, p.rxHbt, p.noHbt, p.newConn, p.protoErr, p.coll)
	fmt.Fprintf(b, "        flags=0x%x", peerFlags(p))
	if ss := p.sess; ss != nil {
		src, dst := ss.c.RemoteAddr(), ss.c.LocalAddr()
		if ss.outgoing {
			src, dst = dst, src
		}
		fmt.Fprintf(b, " appctx:%p st0=7 st1=0 task_calls=0 state=EST\n        xprt=RAW src=%s addr=%s", ss, src, dst)
	}
	if len(s.tables) > 0 {
		b.WriteString("\n        shared tables:")
	}
	for i, sh := range s.tables {
		var stt sessTable
		if p.sess != nil {
			stt = *p.sess.tables[i]
		}
		last := sh.t.LastUpdate()
		fmt.Fprintf(b, "\n          %p local_id=%d remote_id=%d flags=0x0 remote_data=0x%x", sh, sh.id, stt.remoteID, remoteData(stt.remote))
		fmt.Fprintf(b, "\n              last_acked=%d last_pushed=%d last_get=%d teaching_origin=%d update=%d",
			stt.lastAcked, uint32(stt.lastPushed), stt.lastGet, uint32(stt.teachingOrigin), uint32(p.acked[i]))
		fmt.Fprintf(b, "\n              table:%p id=%s update=%d localupdate=%d commitupdate=%d refcnt=1",
			sh.t, sh.t.Name(), uint32(last), uint32(last), uint32(stt.lastPushed))
		b.WriteString("\n        Dictionary cache not dumped (use \"show peers dict\")")
	}
	b.WriteString("\n")
}

// peerFlags are the HAProxy PEER_F_* bits of a peer's session.
func peerFlags(p *peer) uint32 {
	var f uint32
	if ss := p.sess; ss != nil {
		if ss.teach {
			f |= 0x1
		}
		if ss.teachFinished {
			f |= 0x8
		}
		if ss.learn {
			f |= 0x100
		}
		if ss.alive {
			f |= 0x20000000
		}
	}
	if p.notUpToDate {
		f |= 0x200
	}
	return f
}

func remoteData(l *Layout) uint64 {
	if l == nil {
		return 0
	}
	return l.Data
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ShowPeers is the `show peers [dict|-] [SECTION]` command over sections:
// all of them, or the one named ("No such peers" otherwise).
func ShowPeers(w io.Writer, sections []*Section, args []string) {
	i := 0
	if i < len(args) && (args[i] == "dict" || args[i] == "-") {
		i++
	}
	list := sections
	if i < len(args) && args[i] != "" {
		list = nil
		for _, s := range sections {
			if s.name == args[i] {
				list = []*Section{s}
			}
		}
		if list == nil {
			io.WriteString(w, "No such peers\n")
			return
		}
	}
	for n, s := range list {
		s.Show(w, n == 0)
	}
}
