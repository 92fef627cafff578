package stream

import (
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

// compStream is a compress.Stream seen as a FilterStream.
type compStream compress.Stream

func streamOf(s *compress.Stream) FilterStream {
	if s == nil {
		return nil
	}
	return (*compStream)(s)
}

func (c *compStream) RequestHeaders(h HeaderEdit) {
	if (*compress.Stream)(c).Offload() {
		h.Del("accept-encoding")
	}
}

func (c *compStream) ResponseHeaders(status int, h HeaderEdit) bool {
	return (*compress.Stream)(c).Response(status, h.msg, h)
}

func (c *compStream) ResponseBody(dst, in []byte, end bool) []byte {
	return (*compress.Stream)(c).Body(dst, in, end)
}

func (c *compStream) End() { (*compress.Stream)(c).End() }
