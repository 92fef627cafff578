// Package compress is HAProxy 2.6's HTTP compression (the `compression`
// keywords, src/flt_http_comp.c): it picks an algorithm from the
// request's Accept-Encoding, decides from the response head whether the
// body is compressed, and compresses it piece by piece as it streams,
// flushing after each piece so a slow server's data still flows.
//
// The package knows the HTTP head (package http1) and the settings
// (package config); package stream runs it as a filter.
//
// The deflate encoder is written here (deflate.go, encoder.go) rather
// than taken from a library, and this is why: a compression offloader is
// judged on bytes compressed per CPU-second beside HAProxy's libslz.
// github.com/klauspost/compress (level 1, and its stateless mode) and
// compress/flate keep hundreds of KiB of state per stream; with 64
// responses compressing at once that state leaves the CPU caches, and
// level 1 fell to 0.70-0.92x HAProxy's throughput (stateless mode 0.99x
// with larger output). A libslz-like encoder (fixed Huffman codes, one
// hash probe, no state between pieces but the checksum, one 32 KiB
// table per CPU) reaches about 1.06x HAProxy's throughput at 0.98x its
// output size (the README has the figures). Decompression, which only
// the tests need, is the standard library's.
package compress

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/http1"
)

// Settings is one proxy's `compression` declaration, ready to use.
type Settings struct {
	// algos are in HAProxy's order of preference: the last declared
	// first (HAProxy prepends each to its list).
	algos   []*algo
	types   []string
	offload bool
}

// New turns a proxy's `compression` declaration into Settings.
func New(c *config.Compression) (*Settings, error) {
	s := &Settings{types: c.Types, offload: c.Offload}
	for i := len(c.Algos) - 1; i >= 0; i-- {
		a := algos[c.Algos[i]]
		if a == nil {
			return nil, fmt.Errorf("compression algo %q is not one of identity, gzip, deflate, raw-deflate", c.Algos[i])
		}
		s.algos = append(s.algos, a)
	}
	return s, nil
}

// pair is a request's frontend and backend settings (either nil); as in
// HAProxy the backend's algorithms and types come first.
type pair struct{ fe, be *Settings }

func (p pair) algos() []*algo {
	if p.be != nil && len(p.be.algos) > 0 {
		return p.be.algos
	}
	if p.fe != nil {
		return p.fe.algos
	}
	return nil
}

func (p pair) types() []string {
	if p.be != nil && len(p.be.types) > 0 {
		return p.be.types
	}
	if p.fe != nil {
		return p.fe.types
	}
	return nil
}

func (p pair) offload() bool {
	return (p.be != nil && p.be.offload) || (p.fe != nil && p.fe.offload)
}

// Stream is the compression of one response.
type Stream struct {
	set     pair
	algo    *algo // chosen from Accept-Encoding
	enc     encoder
	encode  bool // the body goes through enc
	reqOK   bool // HTTP/1.1 or above, not HEAD
	offload bool
}

var streams = sync.Pool{New: func() any { return new(Stream) }}

// Start picks the algorithm for a request from its Accept-Encoding and
// User-Agent, given the frontend's and the backend's settings (either
// nil). It returns nil when none applies: the request and its response
// are then left alone.
func Start(fe, be *Settings, req *http1.Request) *Stream {
	p := pair{fe, be}
	a, matched := negotiate(p.algos(), &req.Message)
	if a == nil {
		return nil
	}
	s := streams.Get().(*Stream)
	*s = Stream{set: p, algo: a}
	s.reqOK = req.Minor >= 1 && string(req.Method) != "HEAD"
	// identity picked for want of a token the client accepts does not
	// remove Accept-Encoding: only a negotiated algorithm does.
	s.offload = p.offload() && matched
	return s
}

// Offload reports whether Accept-Encoding is to be removed from the
// request sent to the server (`compression offload`).
func (s *Stream) Offload() bool { return s.offload }

// Editor changes a response head; names are lowercase.
type Editor interface {
	Set(name, value string)
	Add(name, value string)
	Del(name string)
}

// Response decides from the response head whether the body is
// compressed; if so it records the head's changes in ed
// (Content-Encoding, a weakened ETag, Vary) and returns true. The
// caller removes Content-Length and sends the body chunked.
func (s *Stream) Response(status int, resp *http1.Message, ed Editor) bool {
	if !s.reqOK || !compressible(status, resp, s.set.types()) {
		return false
	}
	if s.algo.format != fmtIdentity {
		ed.Add("content-encoding", s.algo.token)
		s.enc.reset(s.algo.format)
		s.encode = true
	}
	if etag := lastValue(resp, "etag"); len(etag) > 0 && etag[0] == '"' {
		ed.Set("etag", "W/"+string(etag))
	}
	ed.Add("vary", "Accept-Encoding")
	return true
}

// Body appends to dst the encoding of in, a piece of the response
// body; end is set on the last piece.
func (s *Stream) Body(dst, in []byte, end bool) []byte {
	if !s.encode {
		return append(dst, in...)
	}
	return s.enc.encode(dst, in, end)
}

// End releases the stream once the request is over.
func (s *Stream) End() {
	*s = Stream{}
	streams.Put(s)
}

// lastValue returns the value of the only (or last) header name.
func lastValue(m *http1.Message, name string) []byte {
	var v []byte
	for i := range m.Headers {
		if string(m.Headers[i].Name) == name {
			v = m.Headers[i].Value
		}
	}
	return bytes.TrimSpace(v)
}
