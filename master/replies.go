package master

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// replyTimeout bounds the write of one `reload` answer: a client that
// does not read it loses it, the master never waits on it.
const replyTimeout = 10 * time.Second

// startupLogMax caps the messages kept for `show startup-logs` and the
// `reload` answer (the latest are kept).
const startupLogMax = 64 << 10

// replyWriter writes CLI answers from goroutines of their own, so a
// client that never reads cannot stall the master's loop.
type replyWriter struct {
	wg   sync.WaitGroup
	mu   sync.Mutex
	live map[net.Conn]bool
}

// send writes text to c and closes it, within replyTimeout.
func (r *replyWriter) send(c net.Conn, text string) {
	r.mu.Lock()
	if r.live == nil {
		r.live = map[net.Conn]bool{}
	}
	r.live[c] = true
	r.mu.Unlock()
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		c.SetWriteDeadline(time.Now().Add(replyTimeout))
		io.WriteString(c, text)
		c.Close()
		r.mu.Lock()
		delete(r.live, c)
		r.mu.Unlock()
	}()
}

// flush gives the answers being written up to d to finish, then cuts
// the others short and waits for their goroutines.
func (r *replyWriter) flush(d time.Duration) {
	done := make(chan struct{})
	go func() {
		r.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return
	case <-time.After(d):
	}
	r.mu.Lock()
	for c := range r.live {
		c.SetWriteDeadline(time.Unix(1, 0))
	}
	r.mu.Unlock()
	<-done
}

// tailBuffer keeps the last max bytes written to it (whole lines), with
// a note of how much was dropped before them.
type tailBuffer struct {
	max     int
	b       bytes.Buffer
	dropped int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b.Write(p)
	if t.max > 0 && t.b.Len() > t.max {
		cut := t.b.Len() - t.max
		data := t.b.Bytes()
		if i := bytes.IndexByte(data[cut:], '\n'); i >= 0 {
			cut += i + 1
		}
		t.dropped += cut
		t.b.Next(cut)
	}
	return len(p), nil
}

// WriteString appends s.
func (t *tailBuffer) WriteString(s string) { t.Write([]byte(s)) }

// Reset empties the buffer.
func (t *tailBuffer) Reset() { t.b.Reset(); t.dropped = 0 }

func (t *tailBuffer) String() string {
	if t.dropped == 0 {
		return t.b.String()
	}
	return fmt.Sprintf("[... %d bytes of earlier messages dropped ...]\n%s", t.dropped, t.b.String())
}
