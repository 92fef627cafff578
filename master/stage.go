package master

import (
	"fmt"
	"os"

	"github.com/goha/goha/config"
	"github.com/goha/goha/internal/listen"
)

// sockStage is the socket set a configuration needs, prepared without
// touching the running one: sockets whose key is already held are shared
// (their accept queue is never closed), new ones are bound. A reload
// commits it once its generation is ready; a failed one aborts it, which
// closes only what it bound.
type sockStage struct {
	next       map[string]*os.File
	fresh      map[string]*os.File
	workerKeys []string
	cliKeys    map[string]string // key -> level
}

// stageSockets prepares the sockets cfg needs: every frontend bind, every
// stats socket, and the master CLI. On error nothing is left bound.
func (m *Master) stageSockets(cfg *config.Config) (*sockStage, error) {
	wb, cb, err := m.wantedSockets(cfg)
	if err != nil {
		return nil, err
	}
	st := &sockStage{next: map[string]*os.File{}, fresh: map[string]*os.File{}, cliKeys: map[string]string{}}
	add := func(b config.Bind) error {
		k := b.Key()
		if _, dup := st.next[k]; dup {
			return nil
		}
		if f, ok := m.sockets[k]; ok {
			st.next[k] = f
			return nil
		}
		f, err := listen.Bind(b, m.opt.Listen)
		if err != nil {
			return fmt.Errorf("Starting proxy %s: %v", b.Addr, err)
		}
		st.fresh[k], st.next[k] = f, f
		return nil
	}
	for _, b := range wb {
		if err := add(b); err != nil {
			st.abort()
			return nil, err
		}
		if !contains(st.workerKeys, b.Key()) {
			st.workerKeys = append(st.workerKeys, b.Key())
		}
	}
	for _, b := range cb {
		if err := add(b); err != nil {
			st.abort()
			return nil, err
		}
		lvl := b.Level
		if lvl == "" {
			lvl = "admin"
		}
		st.cliKeys[b.Key()] = lvl
	}
	return st, nil
}

// abort closes the sockets the stage bound itself.
func (st *sockStage) abort() {
	for _, f := range st.fresh {
		f.Close()
	}
	st.fresh = nil
}

// commitSockets makes the stage the master's socket set and closes the
// sockets it no longer lists.
func (m *Master) commitSockets(st *sockStage) {
	for k, f := range m.sockets {
		if _, ok := st.next[k]; !ok {
			f.Close()
		}
	}
	m.sockets, m.workerKeys, m.cliKeys = st.next, st.workerKeys, st.cliKeys
	st.fresh = nil
}
