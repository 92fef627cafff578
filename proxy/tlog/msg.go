package tlog

import (
	"sync"
	"sync/atomic"
	"time"
)

// msg is one formatted log message on its way to one or more sinks. It is
// shared by the sinks it was queued to and goes back to the pool when the
// last one is done with it.
type msg struct {
	body     []byte
	level    Level
	facility int // -1: the sink's facility
	tag      string
	t        time.Time
	refs     atomic.Int32
}

// maxLine bounds a formatted line (HAProxy's largest `len`).
const maxLine = 65535

var msgPool = sync.Pool{New: func() any { return &msg{body: make([]byte, 0, 1024)} }}

func getMsg() *msg { return msgPool.Get().(*msg) }

// release drops one reference; the last one returns m to the pool.
func (m *msg) release() {
	if m.refs.Add(-1) == 0 {
		m.put()
	}
}

func (m *msg) put() {
	if cap(m.body) > 64<<10 {
		m.body = make([]byte, 0, 1024)
	}
	m.body = m.body[:0]
	m.tag = ""
	msgPool.Put(m)
}
