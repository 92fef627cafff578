package tlog

import (
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// HubOptions are the process-wide settings of traffic and event logs.
// Zero values mean HAProxy's defaults.
type HubOptions struct {
	// Tag is the syslog tag (global `log-tag`; "" = "haproxy", the
	// default HAProxy users' syslog filters match on).
	Tag string
	// PID is printed in headers as TAG[PID] (0 = os.Getpid()).
	PID int
	// Hostname is the HOSTNAME of rfc3164/rfc5424 headers (global
	// `log-send-hostname`; "" = "localhost" in rfc3164, "-" in rfc5424,
	// as HAProxy does without log-send-hostname).
	Hostname string
	// QueueLen is each sink's queue capacity in messages (0 = 1024).
	// A message that finds its sink's queue full is dropped and counted.
	QueueLen int
	// Location is the time zone of header timestamps (nil = time.Local).
	Location *time.Location
	// Now returns the time stamped on messages (nil = time.Now).
	Now func() time.Time
	// CloseGrace bounds how long Close waits for each sink to flush
	// (0 = 1s).
	CloseGrace time.Duration
}

// Hub owns every log sink of a worker: it opens each distinct target once
// (so `log global` in many proxies shares one socket and one goroutine),
// counts dropped messages and closes everything at the end. Build it and
// every Logger before dropping privileges and chrooting.
type Hub struct {
	opts    HubOptions
	mu      sync.Mutex
	sinks   map[Target]*Sink
	order   []*Sink
	closed  bool
	dropped atomic.Uint64
}

// NewHub returns an empty Hub.
func NewHub(o HubOptions) *Hub {
	if o.Tag == "" {
		o.Tag = "haproxy"
	}
	if o.PID == 0 {
		o.PID = os.Getpid()
	}
	if o.QueueLen <= 0 {
		o.QueueLen = 1024
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.CloseGrace <= 0 {
		o.CloseGrace = time.Second
	}
	return &Hub{opts: o, sinks: make(map[Target]*Sink)}
}

// ErrClosed is returned by Open after Close.
var ErrClosed = errors.New("log hub closed")

// Open returns the sink of target t, opening its socket and starting its
// goroutine the first time t is seen.
func (h *Hub) Open(t Target) (*Sink, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrClosed
	}
	if s := h.sinks[t]; s != nil {
		return s, nil
	}
	s, err := newSink(h, t)
	if err != nil {
		return nil, err
	}
	h.sinks[t] = s
	h.order = append(h.order, s)
	return s, nil
}

// Dropped returns how many messages were dropped by all sinks: the
// `DroppedLogs` field of `show info`.
func (h *Hub) Dropped() uint64 { return h.dropped.Load() }

// Tag returns the syslog tag in use.
func (h *Hub) Tag() string { return h.opts.Tag }

// Close flushes and closes every sink. Loggers built on the hub must not
// be used afterwards (their messages are dropped, nothing panics).
func (h *Hub) Close() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	sinks := h.order
	h.mu.Unlock()
	var errs []error
	for _, s := range sinks {
		if err := s.close(h.opts.CloseGrace); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
