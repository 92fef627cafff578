package stream

import (
	"sync"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/filter/compress"
	"github.com/goha/goha/proxy/http1"
)

// compFilter runs HTTP compression (package compress) as the filter of
// a frontend or a backend that declares `compression`. HAProxy
// compresses a response once even when both declare it, with the
// backend's algorithms and types first: the frontend's filter then
// starts with the backend's settings (Pairer) and the backend's stays
// out.
type compFilter struct {
	set       *compress.Settings
	onBackend bool
}

var _ Pairer = (*compFilter)(nil)

// newCompFilter returns the compression filter of a proxy, or nil
// without `compression`.
func newCompFilter(p *config.Proxy, onBackend bool) (Filter, error) {
	if p.Compression == nil {
		return nil, nil
	}
	set, err := compress.New(p.Compression)
	if err != nil {
		return nil, err
	}
	return &compFilter{set: set, onBackend: onBackend}, nil
}

// Start starts compression with this proxy's settings alone.
func (f *compFilter) Start(req *http1.Request) FilterStream {
	if f.onBackend {
		return streamOf(compress.Start(nil, f.set, req))
	}
	return streamOf(compress.Start(f.set, nil, req))
}

// Pairs reports whether be is a backend's compression filter.
func (f *compFilter) Pairs(be Filter) bool {
	_, ok := be.(*compFilter)
	return ok && !f.onBackend
}

// StartPair starts compression with the frontend's and the backend's
// settings.
func (f *compFilter) StartPair(req *http1.Request, be Filter) FilterStream {
	return streamOf(compress.Start(f.set, be.(*compFilter).set, req))
}

// compStream is a compress.Stream seen as a FilterStream, with what
// its counters need: the process (rates and limits), and the request's
// frontend and backend, which HAProxy both credits whichever declared
// `compression`. It is pooled: starting one allocates nothing.
type compStream struct {
	s      *compress.Stream
	rt     *Process
	fe, be *Counters
}

var compStreams = sync.Pool{New: func() any { return new(compStream) }}

func streamOf(s *compress.Stream) FilterStream {
	if s == nil {
		return nil
	}
	c := compStreams.Get().(*compStream)
	c.s = s
	return c
}

func (c *compStream) RequestHeaders(h HeaderEdit) {
	if c.s.Offload() {
		h.Del("accept-encoding")
	}
}

// ResponseHeaders starts compressing the response unless the process is
// above maxcomprate or maxcompcpuusage: the response then goes out as
// the server sent it, without Vary, as HAProxy does.
func (c *compStream) ResponseHeaders(status int, h HeaderEdit) bool {
	if h.rt != nil && !h.rt.compAllowed() {
		return false
	}
	if !c.s.Response(status, h.msg, h) {
		return false
	}
	c.rt, c.fe, c.be = h.rt, h.fe, h.be
	return true
}

func (c *compStream) ResponseBody(dst, in []byte, end bool) []byte {
	n := len(dst)
	dst = c.s.Body(dst, in, end)
	if c.rt != nil {
		c.rt.compCount(c.fe, c.be, len(in), len(dst)-n)
		if end {
			c.fe.CompRsp.Add(1)
			if c.be != nil {
				c.be.CompRsp.Add(1)
			}
		}
	}
	return dst
}

func (c *compStream) End() {
	c.s.End()
	*c = compStream{}
	compStreams.Put(c)
}
