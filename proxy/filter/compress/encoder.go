package compress

import (
	"fmt"
	"sync"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
)

// Level is the deflate level the encoders use (klauspost/compress's
// levels). Level 1 is HAProxy's tune.comp.maxlevel default and, with
// klauspost's fast encoder, is at least as fast as HAProxy's libslz
// while its output is smaller (README's compression figures).
const Level = 1

// format is an algorithm's wire format.
type format uint8

const (
	fmtIdentity format = iota // the body unchanged
	fmtZlib                   // RFC 1950, "deflate"
	fmtRaw                    // RFC 1951, "raw-deflate"
	fmtGzip                   // RFC 1952, "gzip"
)

// algo is one of HAProxy's compression algorithms.
type algo struct {
	name   string // configuration name
	token  string // Accept-Encoding token, and Content-Encoding value
	format format
}

// algos are HAProxy 2.6's algorithms; raw-deflate answers the same
// "deflate" token as deflate.
var algos = map[string]*algo{
	"identity":    {"identity", "identity", fmtIdentity},
	"deflate":     {"deflate", "deflate", fmtZlib},
	"raw-deflate": {"raw-deflate", "deflate", fmtRaw},
	"gzip":        {"gzip", "gzip", fmtGzip},
}

// sink is the io.Writer the encoders write to: it appends to buf.
type sink struct{ buf []byte }

func (s *sink) Write(p []byte) (int, error) {
	s.buf = append(s.buf, p...)
	return len(p), nil
}

// writer is what the three deflate formats' writers share.
type writer interface {
	Write([]byte) (int, error)
	Flush() error
	Close() error
}

// encoder is a pooled writer with its sink.
type encoder struct {
	out   sink
	w     writer
	reset func(*encoder)
}

// pools keep encoders per format: a deflate writer is a few hundred
// kilobytes of tables, worth reusing.
var pools = [...]sync.Pool{
	fmtZlib: {New: func() any { return newEncoder(fmtZlib) }},
	fmtRaw:  {New: func() any { return newEncoder(fmtRaw) }},
	fmtGzip: {New: func() any { return newEncoder(fmtGzip) }},
}

func newEncoder(f format) *encoder {
	e := &encoder{}
	var err error
	switch f {
	case fmtZlib:
		var z *zlib.Writer
		z, err = zlib.NewWriterLevel(&e.out, Level)
		e.w, e.reset = z, func(e *encoder) { z.Reset(&e.out) }
	case fmtRaw:
		var d *flate.Writer
		d, err = flate.NewWriter(&e.out, Level)
		e.w, e.reset = d, func(e *encoder) { d.Reset(&e.out) }
	case fmtGzip:
		var g *gzip.Writer
		g, err = gzip.NewWriterLevel(&e.out, Level)
		e.w, e.reset = g, func(e *encoder) { g.Reset(&e.out) }
	}
	if err != nil {
		panic(fmt.Sprintf("compress: level %d refused for format %d: %v", Level, f, err))
	}
	return e
}

// getEncoder returns a fresh encoder for f.
func getEncoder(f format) *encoder {
	e := pools[f].Get().(*encoder)
	e.reset(e)
	return e
}

// putEncoder gives e back to its pool.
func putEncoder(f format, e *encoder) {
	e.out.buf = nil
	pools[f].Put(e)
}

// encode appends to dst what the encoder makes of in: the data written
// and flushed (so that a client sees every piece the server sent as
// soon as it came, as HAProxy does), or the stream's end when end is
// set.
func (e *encoder) encode(dst, in []byte, end bool) []byte {
	e.out.buf = dst
	// Writes into a sink cannot fail.
	if len(in) > 0 {
		e.w.Write(in)
	}
	if end {
		e.w.Close()
	} else if len(in) > 0 {
		e.w.Flush()
	}
	dst, e.out.buf = e.out.buf, nil
	return dst
}
