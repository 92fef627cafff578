package getsocks

import (
	"bytes"
	"errors"
	"net"
	"os"
	"sync"
	"time"
)

// ListenerOptions configure a stats socket's Listener.
type ListenerOptions struct {
	// Expose is `expose-fd listeners`: answer `_getsocks`. Without it a
	// `_getsocks` connection is closed without an answer, as HAProxy does.
	Expose bool
	// Sockets returns the process's listening sockets (fresh duplicates,
	// closed after sending) when a client asks for them.
	Sockets func() ([]*os.File, error)
	// Timeout bounds the wait for a connection's first line and the
	// exchange (0 = DefaultTimeout).
	Timeout time.Duration
	// Event, if set, is told about every `_getsocks` request: how many
	// sockets were sent, or why none were.
	Event func(sent int, err error)
	// MaxPending bounds connections whose first line is still awaited
	// (0 = 64); more are closed at once.
	MaxPending int
}

// ErrRefused is given to ListenerOptions.Event for a `_getsocks` on a
// socket without `expose-fd listeners`.
var ErrRefused = errors.New("_getsocks refused: this stats socket lacks `expose-fd listeners`")

// Listener wraps a stats socket's listener: a connection whose first line
// is `_getsocks` is served here; Accept returns every other connection,
// with the bytes already read replayed first.
type Listener struct {
	ln    net.Listener
	opts  ListenerOptions
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
	slots chan struct{}
	wg    sync.WaitGroup
}

// NewListener starts accepting on ln. Close stops it and closes ln.
func NewListener(ln net.Listener, o ListenerOptions) *Listener {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxPending <= 0 {
		o.MaxPending = 64
	}
	l := &Listener{ln: ln, opts: o, conns: make(chan net.Conn), done: make(chan struct{}), slots: make(chan struct{}, o.MaxPending)}
	l.wg.Add(1)
	go l.acceptLoop()
	return l
}

// Unwrap returns the wrapped listener (to duplicate its descriptor).
func (l *Listener) Unwrap() net.Listener { return l.ln }

// Accept returns the next connection that is not a `_getsocks` request.
func (l *Listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, &net.OpError{Op: "accept", Net: l.ln.Addr().Network(), Addr: l.ln.Addr(), Err: net.ErrClosed}
	}
}

// Close stops accepting, closes the wrapped listener and waits for the
// connections being examined to be closed or handed over.
func (l *Listener) Close() error {
	var err error
	l.once.Do(func() {
		close(l.done)
		err = l.ln.Close()
	})
	l.wg.Wait()
	return err
}

// Addr returns the wrapped listener's address.
func (l *Listener) Addr() net.Addr { return l.ln.Addr() }

func (l *Listener) acceptLoop() {
	defer l.wg.Done()
	for {
		c, err := l.ln.Accept()
		if err != nil {
			select {
			case <-l.done:
				return
			default:
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// EMFILE and friends: back off a little, unless closed.
			select {
			case <-l.done:
				return
			case <-time.After(10 * time.Millisecond):
			}
			continue
		}
		select {
		case l.slots <- struct{}{}:
		default:
			c.Close()
			continue
		}
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			defer func() { <-l.slots }()
			l.examine(c)
		}()
	}
}

// examine reads as much of the first line as tells whether it is
// `_getsocks`, then serves it or hands the connection over.
func (l *Listener) examine(c net.Conn) {
	want := []byte(Command + "\n")
	buf := make([]byte, 0, 64)
	c.SetReadDeadline(time.Now().Add(l.opts.Timeout))
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		select {
		case <-l.done:
			c.SetReadDeadline(time.Now())
		case <-stop:
		}
	}()
	isCmd := false
	for {
		n, err := c.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if line, _, ok := bytes.Cut(buf, []byte("\n")); ok {
			isCmd = string(bytes.TrimSuffix(line, []byte("\r"))) == Command
			break
		}
		if !bytes.HasPrefix(want, buf) || len(buf) == cap(buf) {
			break
		}
		if err != nil {
			if len(buf) == 0 {
				c.Close()
				return
			}
			break
		}
	}
	if isCmd {
		l.serve(c)
		return
	}
	c.SetReadDeadline(time.Time{})
	pc := &prefixConn{Conn: c, pre: buf}
	select {
	case l.conns <- pc:
	case <-l.done:
		c.Close()
	}
}

func (l *Listener) serve(c net.Conn) {
	defer c.Close()
	event := l.opts.Event
	if event == nil {
		event = func(int, error) {}
	}
	if !l.opts.Expose {
		event(0, ErrRefused)
		return
	}
	uc, ok := c.(*net.UnixConn)
	if !ok {
		event(0, errors.New("_getsocks needs a unix stats socket"))
		return
	}
	if l.opts.Sockets == nil {
		event(0, errors.New("no socket to send"))
		return
	}
	files, err := l.opts.Sockets()
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	if err != nil {
		event(0, err)
		return
	}
	if err := Send(uc, files, l.opts.Timeout); err != nil {
		event(0, err)
		return
	}
	event(len(files), nil)
}

// prefixConn replays bytes already read before reading from the
// connection.
type prefixConn struct {
	net.Conn
	pre []byte
}

func (p *prefixConn) Read(b []byte) (int, error) {
	if len(p.pre) > 0 {
		n := copy(b, p.pre)
		p.pre = p.pre[n:]
		return n, nil
	}
	return p.Conn.Read(b)
}

// CloseWrite half-closes a unix or TCP connection.
func (p *prefixConn) CloseWrite() error {
	if cw, ok := p.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
