package h2

import "time"

// Options are the settings of one HTTP/2 connection, named after the
// HAProxy tunables that set them.
type Options struct {
	// MaxConcurrentStreams is tune.h2.max-concurrent-streams: the streams
	// a peer may have open at once (HAProxy's default 100).
	MaxConcurrentStreams uint32
	// HeaderTableSize is tune.h2.header-table-size: the HPACK dynamic
	// table size this side accepts (default 4096).
	HeaderTableSize uint32
	// InitialWindowSize is tune.h2.initial-window-size: the flow-control
	// window of each stream this side receives on (default 65535). It is
	// also the most request (or response) body bytes buffered per stream.
	InitialWindowSize uint32
	// MaxFrameSize is tune.h2.max-frame-size: the largest frame payload
	// this side accepts (default 16384).
	MaxFrameSize uint32
	// MaxHeaderListSize bounds a decoded header block (names, values and
	// 32 bytes each, RFC 9113 §6.5.2); HAProxy bounds it by tune.bufsize,
	// 16384 by default. Larger blocks are refused before being buffered.
	MaxHeaderListSize uint32
	// IdleTimeout closes a connection with GOAWAY(NO_ERROR) after it has
	// had no open stream for this long (timeout http-keep-alive, or
	// timeout client); zero means never.
	IdleTimeout time.Duration
	// WriteTimeout bounds each write to the peer (timeout client/server):
	// a peer that stops reading (a PING flood whose ACKs are never read,
	// a zero-window stall) loses the connection. Zero means none.
	WriteTimeout time.Duration
	// MaxClientResets is how many streams a client may reset before their
	// response is complete, net of the exchanges it let complete (each
	// pays one back), before the connection is closed with
	// GOAWAY(ENHANCE_YOUR_CALM) (rapid reset, CVE-2023-44487): a browser
	// cancelling now and then never gets there. Default 4 x
	// MaxConcurrentStreams, at least 200.
	MaxClientResets int
	// MaxHeadBytes bounds an HTTP/1.1 head written into a stream's conn
	// (tune.bufsize); default 16384.
	MaxHeadBytes int
	// Lot, when set, is the parking lot of idle server-side connections:
	// one with no stream for 100 ms gives up its goroutine (and
	// holds no buffer) until its client sends or its idle timeout passes,
	// as an idle HTTP/1 connection does. Only connections with a socket
	// of their own (h2c) park.
	Lot Parker
}

const (
	defaultMaxStreams  = 100
	defaultTableSize   = 4096
	defaultWindow      = 65535
	defaultFrameSize   = 16384
	defaultHeaderList  = 16384
	maxWindow          = 1<<31 - 1
	maxStreamID        = 1<<31 - 1
	connRecvWindow     = 1 << 24 // this side's connection window
	minResetsAllowance = 200
)

// withDefaults returns o with every zero field set to its default.
func (o Options) withDefaults() Options {
	if o.MaxConcurrentStreams == 0 {
		o.MaxConcurrentStreams = defaultMaxStreams
	}
	if o.HeaderTableSize == 0 {
		o.HeaderTableSize = defaultTableSize
	}
	if o.InitialWindowSize == 0 {
		o.InitialWindowSize = defaultWindow
	}
	if o.InitialWindowSize > maxWindow {
		o.InitialWindowSize = maxWindow
	}
	if o.MaxFrameSize < defaultFrameSize {
		o.MaxFrameSize = defaultFrameSize
	}
	if o.MaxFrameSize > 1<<24-1 {
		o.MaxFrameSize = 1<<24 - 1
	}
	if o.MaxHeaderListSize == 0 {
		o.MaxHeaderListSize = defaultHeaderList
	}
	if o.MaxClientResets == 0 {
		o.MaxClientResets = max(4*int(o.MaxConcurrentStreams), minResetsAllowance)
	}
	if o.MaxHeadBytes == 0 {
		o.MaxHeadBytes = 16384
	}
	return o
}
