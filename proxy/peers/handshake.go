package peers

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// protoName starts the first hello line.
const protoName = "HAProxyS"

// listenReuse listens with SO_REUSEADDR and SO_REUSEPORT, so that the
// next process of a reload can bind the same address.
func listenReuse(ctx context.Context, addr string) (net.Listener, error) {
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
			if serr == nil {
				serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, 0xf /* SO_REUSEPORT */, 1)
			}
		})
		if err != nil {
			return err
		}
		return serr
	}}
	return lc.Listen(ctx, "tcp", addr)
}

// acceptLoop accepts connections on the local peer's socket.
func (s *Section) acceptLoop() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if s.ctx.Err() != nil {
				return
			}
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				continue
			}
			s.logf("peers %s: accept: %v", s.name, err)
			select {
			case <-s.ctx.Done():
				return
			case <-time.After(50 * time.Millisecond):
			}
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.serveAccepted(c)
		}()
	}
}

// readLine reads one hello line (ending in \n, an optional \r before
// it dropped). A line not starting as a hello does after 9 bytes is
// returned at once (so that garbage is answered without waiting for a
// newline); a line longer than maxHelloLine is an error.
func readLine(r *bufio.Reader, first bool) (string, error) {
	var line []byte
	for {
		c, err := r.ReadByte()
		if err != nil {
			return "", err
		}
		if c == '\n' {
			return strings.TrimSuffix(string(line), "\r"), nil
		}
		line = append(line, c)
		if first && len(line) <= len(protoName)+1 && !bytes.HasPrefix([]byte(protoName+" "), line) {
			return string(line), nil
		}
		if len(line) > maxHelloLine {
			return "", fmt.Errorf("hello line longer than %d bytes", maxHelloLine)
		}
	}
}

// checkHello reads the three hello lines of a connecting peer and
// returns the peer with status 200, or the error status to answer (0:
// close without answering).
func (s *Section) checkHello(r *bufio.Reader, from net.IP) (*peer, int, string) {
	l1, err := readLine(r, true)
	if err != nil {
		return nil, 0, err.Error()
	}
	ver, ok := strings.CutPrefix(l1, protoName+" ")
	if !ok {
		return nil, StatusErrProto, "not a peers hello"
	}
	maj, min, ok := strings.Cut(ver, ".")
	mj, e1 := strconv.ParseUint(maj, 10, 32)
	mn, e2 := strconv.ParseUint(min, 10, 32)
	if !ok || e1 != nil || e2 != nil || mj != 2 || mn > 1 {
		return nil, StatusErrVers, "protocol version " + ver
	}
	l2, err := readLine(r, false)
	if err != nil {
		return nil, 0, err.Error()
	}
	if l2 != s.local.name {
		return nil, StatusErrHost, fmt.Sprintf("hello for peer %q, local peer is %q", l2, s.local.name)
	}
	l3, err := readLine(r, false)
	if err != nil {
		return nil, 0, err.Error()
	}
	name, _, ok := strings.Cut(l3, " ")
	if !ok {
		return nil, StatusErrProto, "malformed third hello line"
	}
	for _, p := range s.peers {
		if p.name == name {
			if !p.addrAllowed(from) {
				return nil, StatusErrPeer, fmt.Sprintf("peer %q connecting from %s, configured at %s", name, from, p.addr)
			}
			return p, StatusSuccess, ""
		}
	}
	return nil, StatusErrPeer, fmt.Sprintf("unknown peer %q", name)
}

// serveAccepted runs the handshake of an accepted connection, then its
// session.
func (s *Section) serveAccepted(c net.Conn) {
	defer c.Close()
	stop := context.AfterFunc(s.ctx, func() { c.Close() })
	defer stop()
	c.SetDeadline(time.Now().Add(helloTimeout))
	r := bufio.NewReaderSize(c, 4096)
	var from net.IP
	if ta, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		from = ta.IP
	}
	p, status, why := s.checkHello(r, from)
	if status != StatusSuccess {
		s.logf("peers %s: refused connection from %s: %s", s.name, c.RemoteAddr(), why)
		if status != 0 {
			fmt.Fprintf(c, "%d\n", status)
		}
		return
	}
	sess, status := s.admit(p, c, r)
	if sess == nil {
		fmt.Fprintf(c, "%d\n", status)
		return
	}
	c.SetDeadline(time.Time{})
	if _, err := fmt.Fprintf(c, "%d\n", StatusSuccess); err != nil {
		s.end(sess, err)
		return
	}
	sess.run()
}

// admit makes the session of an accepted peer: an existing session with
// it is killed (a collision: both ends connected), except for the local
// peer, which is told to try again.
func (s *Section) admit(p *peer, c net.Conn, r *bufio.Reader) (*session, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.sess == nil && p.dialing != nil && s.local.name < p.name {
		// both ends connecting at once: the lower name keeps its own
		// connection (HAProxy kills both and retries after a random
		// delay; this tie-break converges at once between goha peers)
		return nil, StatusTryAgain
	}
	if p.sess != nil || p.dialing != nil {
		if p.local {
			return nil, StatusTryAgain
		}
		// a collision: the peer's new session replaces ours
		p.reconnect = time.Now().Add(randomDelay())
		p.coll++
		if p.sess != nil {
			p.sess.close()
			p.sess = nil
		}
		if p.dialing != nil {
			p.dialing.Close()
			p.dialing = nil
		}
	}
	sess := s.newSession(p, c, r, false)
	p.sess = sess
	p.status = StatusSuccess
	p.lastHdshk = time.Now()
	s.initSession(sess)
	return sess, StatusSuccess
}

// connect opens a session to remote peer p (HAProxy's
// peer_session_create(), then the hello and its status).
func (s *Section) connect(p *peer) {
	s.mu.Lock()
	p.newConn++
	p.reconnect = time.Now().Add(reconnectAfter)
	p.heartbeat = time.Time{}
	p.status = StatusConnect
	p.lastHdshk = time.Now()
	s.mu.Unlock()
	d := net.Dialer{Timeout: helloTimeout}
	c, err := d.DialContext(s.ctx, "tcp", p.addr)
	if err != nil {
		return
	}
	s.mu.Lock()
	busy := p.sess != nil
	if !busy {
		p.dialing = c
	}
	s.mu.Unlock()
	if busy {
		c.Close()
		return
	}
	sess := s.handshake(p, c, false)
	if sess != nil {
		sess.run()
	}
	c.Close()
}

// handshake sends our hello on c and reads the status; on 200 it
// returns the registered session (nil when refused, or when a session
// with p was accepted meanwhile).
func (s *Section) handshake(p *peer, c net.Conn, handover bool) *session {
	stop := context.AfterFunc(s.ctx, func() { c.Close() })
	defer stop()
	c.SetDeadline(time.Now().Add(helloTimeout))
	if _, err := fmt.Fprintf(c, "%s 2.1\n%s\n%s %d 1\n", protoName, p.name, s.local.name, s.pid); err != nil {
		return nil
	}
	s.mu.Lock()
	p.status = StatusConnected
	s.mu.Unlock()
	r := bufio.NewReaderSize(c, 4096)
	line, err := readLine(r, false)
	code, _ := strconv.Atoi(strings.TrimSpace(line))
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		if p.dialing == c {
			p.dialing = nil
		}
		return nil
	}
	p.status, p.lastHdshk = code, time.Now()
	if !handover {
		if p.dialing != c {
			return nil // killed by an accepted session meanwhile
		}
		p.dialing = nil
	}
	if code != StatusSuccess || s.ctx.Err() != nil {
		return nil
	}
	c.SetDeadline(time.Time{})
	sess := s.newSession(p, c, r, true)
	sess.handover = handover
	if !handover {
		p.sess = sess
	}
	s.initSession(sess)
	return sess
}
