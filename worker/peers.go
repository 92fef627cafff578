package worker

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/goha/goha/cli"
	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/peers"
	"github.com/goha/goha/proxy/stick"
)

// A generation's peers sections (package proxy/peers): one Section per
// `peers` section naming this host, sharing the generation's tables
// that name it (`stick-table ... peers NAME`) and the section's own
// `table` lines. The local peer's listening socket is one more
// inherited listener (config.Config.PeerBinds): the master, or the
// standalone process, binds it and hands it over at a reload like a
// frontend's. At a reload the new generation waits for the old one to
// teach it (Options.FromLocal); the old one, told to stop softly, closes
// its copy of the socket, connects to the local peer's address (reaching
// the new generation, the only one still accepting on it), sends every
// entry and only then lets its tables go.

// handOverTimeout bounds the old generation's teaching at a reload.
const handOverTimeout = 5 * time.Second

// peersRun is a generation's running peers sections.
type peersRun struct {
	log    zerolog.Logger
	secs   []*peers.Section
	mu     sync.Mutex
	cancel context.CancelFunc // cancels a hand-over under way
	done   chan struct{}      // closed once the hand-over ended (nil before)
}

// splitPeerListeners removes the peers sections' sockets from lns and
// returns them by key.
func splitPeerListeners(cfg *config.Config, lns map[string]net.Listener) map[string]net.Listener {
	out := map[string]net.Listener{}
	for _, b := range cfg.PeerBinds() {
		if ln, ok := lns[b.Key()]; ok {
			out[b.Key()] = ln
			delete(lns, b.Key())
		}
	}
	return out
}

// peerTables returns the tables of set that section pr shares.
func peerTables(pr *config.Peers, set *stick.Set) []*stick.Table {
	own := map[string]bool{}
	for _, t := range pr.Tables {
		own[t.Name] = true
	}
	var out []*stick.Table
	for _, t := range set.Tables() {
		if c := t.Config(); own[t.Name()] || (c != nil && c.Peers == pr.Name) {
			out = append(out, t)
		}
	}
	return out
}

// startPeers builds and starts a Section for every peers section that
// runs on this host, on its inherited socket (lns, by key) or a socket
// of its own when none was handed down. fromLocal says an old process
// is to teach this one (a reload).
func startPeers(log zerolog.Logger, cfg *config.Config, set *stick.Set, lns map[string]net.Listener, fromLocal bool) (*peersRun, error) {
	r := &peersRun{log: log}
	for _, pr := range cfg.Peers {
		if !pr.Serving() {
			continue
		}
		sec, err := peers.New(pr, peers.Options{
			Local:     pr.LocalPeer().Name,
			Tables:    peerTables(pr, set),
			Listener:  lns[pr.Listen.Key()],
			FromLocal: fromLocal,
			Logf:      func(format string, args ...any) { log.Debug().Msgf(format, args...) },
		})
		if err == nil {
			err = sec.Start(context.Background())
		}
		if err != nil {
			r.stop()
			return nil, fmt.Errorf("peers section '%s': %w", pr.Name, err)
		}
		r.secs = append(r.secs, sec)
	}
	return r, nil
}

// handOver starts teaching the next generation every table (a soft
// stop); wait returns once it is over.
func (r *peersRun) handOver() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done != nil {
		return
	}
	r.done = make(chan struct{})
	ctx, cancel := context.WithTimeout(context.Background(), handOverTimeout)
	r.cancel = cancel
	go func() {
		defer close(r.done)
		defer cancel()
		var wg sync.WaitGroup
		for _, s := range r.secs {
			wg.Add(1)
			go func(s *peers.Section) {
				defer wg.Done()
				if err := s.HandOver(ctx); err != nil {
					r.log.Warn().Msgf("peers %s: %v", s.Name(), err)
				}
			}(s)
		}
		wg.Wait()
	}()
}

// wait returns once a hand-over started by handOver has ended.
func (r *peersRun) wait() {
	r.mu.Lock()
	done := r.done
	r.mu.Unlock()
	if done != nil {
		<-done
	}
}

// stop ends a hand-over under way and stops every section.
func (r *peersRun) stop() {
	r.mu.Lock()
	if r.cancel != nil {
		r.cancel()
	}
	r.mu.Unlock()
	r.wait()
	for _, s := range r.secs {
		s.Stop()
	}
}

// showPeersCommand is the runtime API's `show peers [dict|-] [SECTION]`.
func (r *peersRun) showPeersCommand() cli.Command {
	return cli.Command{Words: []string{"show", "peers"}, Usage: "show peers [dict|-] [section]", Help: "dump some information about all the peers or this peers section", Level: cli.LevelUser,
		Handler: func(_ *cli.Session, args []string, _ string, w *cli.Writer) error {
			peers.ShowPeers(w, r.secs, args[2:])
			return nil
		}}
}
