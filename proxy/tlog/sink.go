package tlog

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// Target is one `log` line. Its fields are those of Target, in
// the same order, so a parsed target converts with tlog.Target(t); tlog
// itself does not import config.
type Target struct {
	// Addr is "udp:host:port", "unix:/path", "stdout", "stderr" or "fd@N".
	Addr string
	// Len is the max line length, header included, before the final
	// "\n" (0 = 1024).
	Len int
	// Format is local (default, also ""), rfc3164, rfc5424, priority,
	// short, timed, iso or raw.
	Format string
	// Facility is 0..23 (16 = local0).
	Facility int
	// Level is the max level sent (0 emerg .. 7 debug): messages of a
	// higher (less severe) level are not sent to this target. MinLevel
	// caps the other end: a more severe message is sent with MinLevel
	// (HAProxy's `log ... FACILITY LEVEL MINLEVEL`).
	Level    int
	MinLevel int
}

// Sink is one `log` target: its socket (or file), a bounded queue and the
// goroutine that drains the queue into the socket. Queuing never blocks:
// when the queue is full the message is dropped and counted.
//
// Sinks are made by Hub.Open before the process chroots (a unix socket
// such as /dev/log must be reachable when it is opened) and live until
// Hub.Close.
type Sink struct {
	hub    *Hub
	target Target
	maxLen int
	hdr    headerBuilder

	q      chan *msg
	stop   chan struct{}
	exited chan struct{}

	// the writer, owned by the goroutine (and Close once it has ended)
	kind     sinkKind
	udp      net.Conn
	unixPath string
	unix     *net.UnixConn
	lastDial time.Time
	file     *os.File
	ownsFile bool

	out []byte // scratch datagram
	// prev is the last datagram sent over UDP, sent again when the next
	// write reveals (ECONNREFUSED) that it met a closed port.
	prev []byte

	// abort makes the goroutine drop what is left instead of writing it,
	// once Close has waited long enough.
	abort atomic.Bool

	sent, dropped atomic.Uint64
}

type sinkKind uint8

const (
	sinkUDP sinkKind = iota
	sinkUnix
	sinkFile
)

// unixRedialEvery limits how often a broken unix socket is reconnected.
const unixRedialEvery = time.Second

// unixWriteTimeout bounds one write to a unix socket whose reader is slow.
const unixWriteTimeout = time.Second

func newSink(h *Hub, t Target) (*Sink, error) {
	f, err := parseSyslogFormat(t.Format)
	if err != nil {
		return nil, fmt.Errorf("log target %q: %w", t.Addr, err)
	}
	if t.Facility < 0 || t.Facility > 23 {
		return nil, fmt.Errorf("log target %q: facility %d out of range 0..23", t.Addr, t.Facility)
	}
	s := &Sink{
		hub:    h,
		target: t,
		maxLen: t.Len,
		hdr:    headerBuilder{format: f, host: h.opts.Hostname, pid: strconv.Itoa(h.opts.PID), loc: h.opts.Location},
		q:      make(chan *msg, h.opts.QueueLen),
		stop:   make(chan struct{}),
		exited: make(chan struct{}),
	}
	if s.maxLen <= 0 {
		s.maxLen = 1024
	}
	if err := s.open(); err != nil {
		return nil, err
	}
	go s.run()
	return s, nil
}

// open creates the socket or file of the target.
func (s *Sink) open() error {
	a := s.target.Addr
	switch {
	case a == "stdout":
		s.kind, s.file = sinkFile, os.Stdout
	case a == "stderr":
		s.kind, s.file = sinkFile, os.Stderr
	case strings.HasPrefix(a, "fd@"):
		n, err := strconv.Atoi(a[3:])
		if err != nil || n < 0 {
			return fmt.Errorf("log target %q: bad file descriptor", a)
		}
		s.kind = sinkFile
		switch n {
		case 1:
			s.file = os.Stdout
		case 2:
			s.file = os.Stderr
		default:
			s.file, s.ownsFile = os.NewFile(uintptr(n), a), true
		}
	case strings.HasPrefix(a, "unix:"):
		s.kind, s.unixPath = sinkUnix, a[len("unix:"):]
		if s.unixPath == "" {
			return fmt.Errorf("log target %q: empty socket path", a)
		}
		// A missing socket is not an error (HAProxy does not check it
		// either): the sink connects when the first message goes out.
		_ = s.dialUnix()
	case strings.HasPrefix(a, "udp:"):
		hp := a[len("udp:"):]
		host, port, err := net.SplitHostPort(hp)
		if err != nil {
			// tolerate a bare IPv6 address followed by :port
			i := strings.LastIndexByte(hp, ':')
			if i < 0 {
				return fmt.Errorf("log target %q: %w", a, err)
			}
			host, port = strings.Trim(hp[:i], "[]"), hp[i+1:]
		}
		c, err := net.Dial("udp", net.JoinHostPort(host, port))
		if err != nil {
			return fmt.Errorf("log target %q: %w", a, err)
		}
		s.kind, s.udp = sinkUDP, c
	default:
		return fmt.Errorf("log target %q: unknown address kind (want udp:HOST:PORT, unix:PATH, stdout, stderr or fd@N)", a)
	}
	return nil
}

func (s *Sink) dialUnix() error {
	s.lastDial = time.Now()
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: s.unixPath, Net: "unixgram"})
	if err != nil {
		return err
	}
	s.unix = c
	return nil
}

// Target returns the `log` line this sink serves.
func (s *Sink) Target() Target { return s.target }

// Sent returns how many messages the sink has written.
func (s *Sink) Sent() uint64 { return s.sent.Load() }

// Dropped returns how many messages this sink has dropped (queue full or
// send failed).
func (s *Sink) Dropped() uint64 { return s.dropped.Load() }

// wants reports whether a message of level l passes the target's filter.
func (s *Sink) wants(l Level) bool { return int(l) <= s.target.Level }

// enqueue queues m without blocking; it reports false (and counts a drop)
// when the queue is full.
func (s *Sink) enqueue(m *msg) bool {
	select {
	case s.q <- m:
		return true
	default:
		s.drop()
		return false
	}
}

func (s *Sink) drop() {
	s.dropped.Add(1)
	s.hub.dropped.Add(1)
}

// run is the sink's goroutine: it writes queued messages until stop is
// closed, then writes what is still queued and returns.
func (s *Sink) run() {
	defer close(s.exited)
	for {
		select {
		case m := <-s.q:
			s.write(m)
		case <-s.stop:
			for {
				select {
				case m := <-s.q:
					s.write(m)
				default:
					return
				}
			}
		}
	}
}

// write sends one message as one datagram (or one write to a file):
// header, body cut to the target's len, and "\n".
func (s *Sink) write(m *msg) {
	defer m.release()
	if s.abort.Load() {
		s.drop()
		return
	}
	level := max(m.level, Level(s.target.MinLevel))
	fac := m.facility
	if fac < 0 {
		fac = s.target.Facility
	}
	out := s.hdr.append(s.out[:0], level, fac, m.t, m.tag)
	if len(out) > s.maxLen {
		out = out[:s.maxLen]
	}
	body := m.body
	for len(body) > 0 && (body[len(body)-1] == '\n' || body[len(body)-1] == 0) {
		body = body[:len(body)-1]
	}
	if room := s.maxLen - len(out); len(body) > room {
		body = body[:room]
	}
	out = append(out, body...)
	out = append(out, '\n')
	s.out = out
	if err := s.send(out); err != nil {
		s.drop()
		return
	}
	s.sent.Add(1)
}

func (s *Sink) send(b []byte) error {
	switch s.kind {
	case sinkUDP:
		_, err := s.udp.Write(b)
		if errors.Is(err, syscall.ECONNREFUSED) {
			// A connected UDP socket reports an earlier ICMP "port
			// unreachable" on the next write, which is then not sent:
			// the daemon was down before, not necessarily now. The
			// datagram that met the closed port is most likely the
			// previous one (a syslog daemon starting a moment after
			// goha, say): send it again, then this one.
			if len(s.prev) > 0 {
				s.udp.Write(s.prev)
			}
			_, err = s.udp.Write(b)
		}
		if err == nil {
			s.prev = append(s.prev[:0], b...)
		}
		return err
	case sinkFile:
		_, err := s.file.Write(b)
		return err
	}
	// unix datagram: reconnect lazily when the peer went away (syslog
	// restarted), at most once per unixRedialEvery.
	if s.unix != nil {
		// A syslog daemon that stops reading must not hold the
		// goroutine (and Close) for ever: give each write a bound.
		s.unix.SetWriteDeadline(time.Now().Add(unixWriteTimeout))
		_, err := s.unix.Write(b)
		if err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
			return err
		}
		s.unix.Close()
		s.unix = nil
	}
	if time.Since(s.lastDial) < unixRedialEvery {
		return errors.New("unix log socket not connected")
	}
	if err := s.dialUnix(); err != nil {
		return err
	}
	s.unix.SetWriteDeadline(time.Now().Add(unixWriteTimeout))
	_, err := s.unix.Write(b)
	return err
}

// close stops the goroutine, letting it flush the queue for up to grace,
// then closes the socket. A write blocked on a stuck file (a full pipe on
// stdout) cannot be interrupted; close then returns without waiting more.
func (s *Sink) close(grace time.Duration) error {
	close(s.stop)
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-s.exited:
	case <-t.C:
		// drop the rest and unblock a write stuck on a full socket buffer
		s.abort.Store(true)
		s.setDeadline()
		select {
		case <-s.exited:
		case <-time.After(grace):
			return fmt.Errorf("log target %q: writer still blocked after %v", s.target.Addr, 2*grace)
		}
	}
	switch s.kind {
	case sinkUDP:
		return s.udp.Close()
	case sinkUnix:
		if s.unix != nil {
			return s.unix.Close()
		}
	case sinkFile:
		if s.ownsFile {
			return s.file.Close()
		}
	}
	return nil
}

func (s *Sink) setDeadline() {
	past := time.Unix(1, 0)
	switch s.kind {
	case sinkUDP:
		s.udp.SetWriteDeadline(past)
	case sinkFile:
		s.file.SetWriteDeadline(past)
	}
}
