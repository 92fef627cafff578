package h2

import (
	"golang.org/x/net/http2"
)

// frameHandlers dispatches a frame by type; types not listed (extension
// frames) are ignored, as RFC 9113 §5.5 requires. CONTINUATION frames
// never get here: the Framer merges them into MetaHeadersFrame and
// refuses one out of place. It is filled by init: handlers lead back to
// the read loop (a parked connection's resume), which reads the table.
var frameHandlers map[http2.FrameType]func(c *conn, f http2.Frame) error

func init() { frameHandlers = frameTable() }

func frameTable() map[http2.FrameType]func(c *conn, f http2.Frame) error {
	return map[http2.FrameType]func(c *conn, f http2.Frame) error{
		http2.FrameData:         func(c *conn, f http2.Frame) error { return c.onData(f.(*http2.DataFrame)) },
		http2.FrameHeaders:      func(c *conn, f http2.Frame) error { return c.onHeaders(f.(*http2.MetaHeadersFrame)) },
		http2.FramePriority:     func(c *conn, f http2.Frame) error { return c.onPriority(f.(*http2.PriorityFrame)) },
		http2.FrameRSTStream:    func(c *conn, f http2.Frame) error { return c.onRST(f.(*http2.RSTStreamFrame)) },
		http2.FrameSettings:     func(c *conn, f http2.Frame) error { return c.onSettings(f.(*http2.SettingsFrame)) },
		http2.FramePushPromise:  func(c *conn, f http2.Frame) error { return connError(http2.ErrCodeProtocol) },
		http2.FramePing:         func(c *conn, f http2.Frame) error { return c.onPing(f.(*http2.PingFrame)) },
		http2.FrameGoAway:       func(c *conn, f http2.Frame) error { return c.onGoAway(f.(*http2.GoAwayFrame)) },
		http2.FrameWindowUpdate: func(c *conn, f http2.Frame) error { return c.onWindowUpdate(f.(*http2.WindowUpdateFrame)) },
	}
}

func connError(code http2.ErrCode) error { return http2.ConnectionError(code) }

func streamError(id uint32, code http2.ErrCode) error {
	return http2.StreamError{StreamID: id, Code: code}
}

// dispatch hands f to its handler.
func (c *conn) dispatch(f http2.Frame) error {
	if h := frameHandlers[f.Header().Type]; h != nil {
		return h(c, f)
	}
	return nil
}

// isIdleLocked reports whether id names a stream that was never opened.
func (c *conn) isIdleLocked(id uint32) bool {
	if c.client {
		return id%2 == 0 || id > c.lastID
	}
	return id%2 == 1 && id > c.lastID
}

// onData takes a DATA frame: connection then stream flow control, then
// the payload goes to the stream's HTTP/1.1 bytes.
func (c *conn) onData(f *http2.DataFrame) error {
	id, n := f.StreamID, int64(f.Length)
	c.mu.Lock()
	defer c.unlock()
	if n > c.recvAvail {
		return connError(http2.ErrCodeFlowControl)
	}
	// The connection window goes back at once: each stream's own window
	// bounds what is buffered.
	c.recvAvail -= n
	if c.recvAvail < connRecvWindow/2 {
		c.connUpd += uint32(connRecvWindow - c.recvAvail)
		c.recvAvail = connRecvWindow
	}
	s := c.streams[id]
	switch {
	case s == nil && c.isIdleLocked(id):
		return connError(http2.ErrCodeProtocol)
	case s == nil && c.resetByUsLocked(id):
		return nil // sent before the peer saw our RST_STREAM
	case s == nil || s.remoteDone:
		return streamError(id, http2.ErrCodeStreamClosed)
	case n > s.recvAvail:
		return streamError(id, http2.ErrCodeFlowControl)
	case !s.inHead:
		return streamError(id, http2.ErrCodeProtocol) // DATA before the final head
	}
	s.recvAvail -= n
	data := f.Data()
	s.unacked += int(n) - len(data) // padding is returned with the next update
	if s.inLeft >= 0 && int64(len(data)) > s.inLeft {
		return streamError(id, http2.ErrCodeProtocol) // more than content-length
	}
	if s.inLeft >= 0 {
		s.inLeft -= int64(len(data))
	}
	s.appendBody(data)
	if f.StreamEnded() {
		return c.endRemoteLocked(s)
	}
	return nil
}

// appendBody appends DATA payload as HTTP/1.1 body bytes.
func (s *StreamConn) appendBody(data []byte) {
	if len(data) == 0 {
		return
	}
	if s.inInfo.chunked {
		s.in = appendHex(s.in, len(data))
		s.in = append(s.in, "\r\n"...)
	}
	s.in = append(s.in, data...)
	if s.inInfo.chunked {
		s.in = append(s.in, "\r\n"...)
	}
	s.credit += len(data)
	s.cond.Broadcast()
}

func appendHex(dst []byte, n int) []byte {
	const digits = "0123456789abcdef"
	var b [16]byte
	i := len(b)
	for {
		i--
		b[i] = digits[n&15]
		n >>= 4
		if n == 0 {
			break
		}
	}
	return append(dst, b[i:]...)
}

// endRemoteLocked records END_STREAM from the peer: the declared length
// must have come (RFC 9113 §8.1.1), a chunked body gets its last chunk.
func (c *conn) endRemoteLocked(s *StreamConn) error {
	if s.inLeft > 0 {
		return streamError(s.id, http2.ErrCodeProtocol)
	}
	if s.inInfo.chunked {
		s.in = append(s.in, "0\r\n\r\n"...)
		s.inInfo.chunked = false
	}
	s.remoteDone = true
	s.cond.Broadcast()
	if s.localDone {
		c.forgetLocked(s)
	}
	return nil
}

// onTrailersLocked takes a HEADERS frame on a stream whose head came:
// trailers, which must end the stream and carry no pseudo-header.
func (c *conn) onTrailersLocked(s *StreamConn, f *http2.MetaHeadersFrame) error {
	if s.remoteDone {
		return streamError(s.id, http2.ErrCodeStreamClosed)
	}
	if !f.StreamEnded() {
		return streamError(s.id, http2.ErrCodeProtocol)
	}
	if s.inInfo.chunked {
		var err error
		if s.in, err = buildTrailers(s.in, f.Fields); err != nil {
			return streamError(s.id, http2.ErrCodeProtocol)
		}
		s.inInfo.chunked = false // the last chunk is written
	} else if _, err := buildTrailers(nil, f.Fields); err != nil {
		return streamError(s.id, http2.ErrCodeProtocol)
	}
	return c.endRemoteLocked(s)
}

// onHeaders takes a request (server) or response (client) head, or
// trailers.
func (c *conn) onHeaders(f *http2.MetaHeadersFrame) error {
	if f.HasPriority() && f.Priority.StreamDep == f.StreamID {
		return streamError(f.StreamID, http2.ErrCodeProtocol)
	}
	if c.client {
		return c.clientHeaders(f)
	}
	return c.serverHeaders(f)
}

func (c *conn) onPriority(f *http2.PriorityFrame) error {
	if f.StreamDep == f.StreamID {
		return streamError(f.StreamID, http2.ErrCodeProtocol)
	}
	return nil // priorities are accepted and not used
}

// onRST ends a stream the peer reset; a client resetting too many
// streams before their answer is complete is told to calm down.
func (c *conn) onRST(f *http2.RSTStreamFrame) error {
	c.mu.Lock()
	defer c.unlock()
	s := c.streams[f.StreamID]
	if s == nil {
		if c.isIdleLocked(f.StreamID) {
			return connError(http2.ErrCodeProtocol)
		}
		return nil
	}
	c.resetLocked(s, f.ErrCode, true)
	if !c.client && !s.localDone {
		c.resets++
		if c.resets > c.opts.MaxClientResets {
			return connError(http2.ErrCodeEnhanceYourCalm)
		}
	}
	return nil
}

// onSettings applies the peer's settings and acknowledges them. Both
// happen under the writer's lock: no frame sent under the new settings
// (DATA in a window they opened) goes out before the ACK.
func (c *conn) onSettings(f *http2.SettingsFrame) error {
	if f.IsAck() {
		return nil
	}
	var applyErr error
	err := c.w.doFlush(func(fr *http2.Framer) error {
		c.mu.Lock()
		applyErr = f.ForeachSetting(func(s http2.Setting) error {
			if err := s.Valid(); err != nil {
				return err
			}
			return c.applySettingLocked(s)
		})
		c.mu.Unlock()
		if applyErr != nil {
			return nil
		}
		return fr.WriteSettingsAck()
	}, !c.frameBuffered())
	if applyErr != nil {
		return applyErr
	}
	return err
}

// applySettingLocked applies one valid setting of the peer.
func (c *conn) applySettingLocked(s http2.Setting) error {
	switch s.ID {
	case http2.SettingInitialWindowSize:
		delta := int64(s.Val) - c.peerInit
		c.peerInit = int64(s.Val)
		for _, st := range c.streams {
			st.sendWindow += delta
			if st.sendWindow > maxWindow {
				return connError(http2.ErrCodeFlowControl)
			}
			st.cond.Broadcast()
		}
	case http2.SettingMaxFrameSize:
		c.peerFrame = s.Val
	case http2.SettingMaxConcurrentStreams:
		c.peerStreams = s.Val
	case http2.SettingEnablePush:
		if c.client && s.Val != 0 {
			return connError(http2.ErrCodeProtocol)
		}
	}
	return nil
}

func (c *conn) onPing(f *http2.PingFrame) error {
	if f.IsAck() {
		return nil
	}
	data := f.Data
	return c.w.doFlush(func(fr *http2.Framer) error { return fr.WritePing(true, data) }, !c.frameBuffered())
}

// onGoAway stops new streams; on the client side the streams the server
// did not take are reset with REFUSED_STREAM (safe to retry).
func (c *conn) onGoAway(f *http2.GoAwayFrame) error {
	c.mu.Lock()
	defer c.unlock()
	c.goawayRecv, c.peerLast = true, f.LastStreamID
	if c.client {
		for id, s := range c.streams {
			if id > f.LastStreamID {
				c.resetLocked(s, http2.ErrCodeRefusedStream, true)
			}
		}
	}
	if c.active == 0 {
		c.wakeReaderIfIdle()
	}
	return nil
}

// onWindowUpdate opens a send window; overflowing 2^31-1 is a flow
// control error (RFC 9113 §6.9.1).
func (c *conn) onWindowUpdate(f *http2.WindowUpdateFrame) error {
	c.mu.Lock()
	defer c.unlock()
	inc := int64(f.Increment)
	if f.StreamID == 0 {
		c.sendWindow += inc
		if c.sendWindow > maxWindow {
			return connError(http2.ErrCodeFlowControl)
		}
		for _, s := range c.streams {
			s.cond.Broadcast()
		}
		return nil
	}
	s := c.streams[f.StreamID]
	if s == nil {
		if c.isIdleLocked(f.StreamID) {
			return connError(http2.ErrCodeProtocol)
		}
		return nil
	}
	s.sendWindow += inc
	if s.sendWindow > maxWindow {
		return streamError(f.StreamID, http2.ErrCodeFlowControl)
	}
	s.cond.Broadcast()
	return nil
}
