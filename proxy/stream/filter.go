package stream

import (
	"io"
	"strconv"
	"time"

	"github.com/goha/goha/proxy/http1"
)

// Filters, the way HAProxy's filters (flt_ops: attach, headers,
// payload, end) and Envoy's filter chain work: every HTTP request of a
// frontend or backend that declares filters passes through them in
// order (the frontend's, then the backend's). A filter may change the
// request head before it goes to the server, the response head before
// it goes to the client and, streamed, the response body: a filter that
// changes the body never sees it whole, and the response then goes to
// the client chunked. Compression and the cache are filters.

// Filter is one declared filter.
type Filter interface {
	// Start returns the filter's state for one request, or nil to stay
	// out of it.
	Start(req *http1.Request) FilterStream
}

// Pairer is a filter HAProxy runs once per request even when the
// frontend and the backend both declare it (compression): the
// frontend's is then started with the backend's declaration, and the
// backend's is skipped.
type Pairer interface {
	Filter
	// Pairs reports whether be, one of the backend's filters, is a
	// declaration of the same filter.
	Pairs(be Filter) bool
	// StartPair is Start with be's declaration too.
	StartPair(req *http1.Request, be Filter) FilterStream
}

// FilterStream is a filter's view of one request.
type FilterStream interface {
	// RequestHeaders may change the request head before it is sent.
	RequestHeaders(h HeaderEdit)
	// ResponseHeaders may change the response head before it is sent;
	// it returns true when the filter will change the body.
	ResponseHeaders(status int, h HeaderEdit) (transformsBody bool)
	// ResponseBody appends to dst what the filter makes of in, a piece
	// of the response body, and returns it; end is set on the last
	// call (in may then be empty). It is called only when
	// ResponseHeaders returned true.
	ResponseBody(dst, in []byte, end bool) []byte
	// End is called once the request is over, whatever its outcome.
	End()
}

// hdrOp is a header edit's kind.
type hdrOp uint8

const (
	hdrSet hdrOp = iota // replace every occurrence
	hdrAdd              // append one occurrence
	hdrDel              // remove every occurrence
)

// hdrEdit is one header change a filter asked for.
type hdrEdit struct {
	op          hdrOp
	name, value []byte // name lowercased
}

// HeaderEdit gives a filter the head it sees and records its changes,
// which are applied when the head is written out, after the rules'.
type HeaderEdit struct {
	msg   *http1.Message
	edits *[]hdrEdit
	// On the response side: the process and the request's frontend and
	// backend counters, for filters that count (compression).
	rt     *Process
	fe, be *Counters
}

// Get returns the last value of header name (lowercase) as received
// (not as changed by edits), and whether it is there.
func (h HeaderEdit) Get(name string) ([]byte, bool) {
	var v []byte
	ok := false
	for i := range h.msg.Headers {
		if string(h.msg.Headers[i].Name) == name {
			v, ok = h.msg.Headers[i].Value, true
		}
	}
	return v, ok
}

// Set replaces every occurrence of header name (lowercase) by one.
func (h HeaderEdit) Set(name, value string) { h.add(hdrSet, name, value) }

// Add appends an occurrence of header name (lowercase).
func (h HeaderEdit) Add(name, value string) { h.add(hdrAdd, name, value) }

// Del removes every occurrence of header name (lowercase).
func (h HeaderEdit) Del(name string) { h.add(hdrDel, name, "") }

func (h HeaderEdit) add(op hdrOp, name, value string) {
	*h.edits = append(*h.edits, hdrEdit{op: op, name: []byte(name), value: []byte(value)})
}

// removedByEdits reports whether a filter set or deleted header name.
func removedByEdits(edits []hdrEdit, name []byte) bool {
	for i := range edits {
		if e := &edits[i]; e.op != hdrAdd && string(e.name) == string(name) {
			return true
		}
	}
	return false
}

// appendEdits appends the headers filters set or added, in order; a
// value is dropped when a later edit sets or deletes the same name.
func appendEdits(out []byte, edits []hdrEdit) []byte {
	for i := range edits {
		e := &edits[i]
		if e.op == hdrDel || removedByEdits(edits[i+1:], e.name) {
			continue
		}
		out = appendHeader(out, e.name, e.value)
	}
	return out
}

// maxFiltersPerRequest bounds the filters one request runs through
// (frontend's and backend's together).
const maxFiltersPerRequest = 8

// startFilters starts the frontend's and the backend's filters for the
// request and lets them edit its head.
func (s *httpSession) startFilters(t *txn) {
	w := s.w
	var paired uint64 // the backend's filters a frontend's took along
	for _, f := range s.f.filters {
		if p, g := pairOf(f, t.be.filters, &paired); g != nil {
			t.addFilter(p.StartPair(&w.req, g))
		} else {
			t.addFilter(f.Start(&w.req))
		}
	}
	for i, f := range t.be.filters {
		if i >= 64 || paired&(1<<i) == 0 {
			t.addFilter(f.Start(&w.req))
		}
	}
	for _, fs := range t.filters[:t.nf] {
		fs.RequestHeaders(HeaderEdit{msg: &w.req.Message, edits: &w.reqEdits})
	}
}

// pairOf finds among the backend's filters (not yet paired) the
// declaration a frontend's Pairer f runs with, and marks it paired.
func pairOf(f Filter, be []Filter, paired *uint64) (Pairer, Filter) {
	p, ok := f.(Pairer)
	if !ok {
		return nil, nil
	}
	for i, g := range be {
		if i < 64 && *paired&(1<<i) == 0 && p.Pairs(g) {
			*paired |= 1 << i
			return p, g
		}
	}
	return nil, nil
}

// addFilter adds a started filter to the request's, up to
// maxFiltersPerRequest.
func (t *txn) addFilter(fs FilterStream) {
	if fs != nil && t.nf < maxFiltersPerRequest {
		t.filters[t.nf] = fs
		t.nf++
	}
}

// filterResponseHead lets the filters edit the response head and says
// whether one of them transforms the body.
func (s *httpSession) filterResponseHead(t *txn) {
	w := s.w
	bodied := t.rkind != http1.BodyNone && !t.switched
	for i, fs := range t.filters[:t.nf] {
		if fs.ResponseHeaders(t.status, s.responseEdit(t)) && bodied {
			t.ftrans[i] = true
			t.transform = true
		}
	}
	if t.transform {
		// The body's length changes: it goes out chunked (close
		// delimited to an HTTP/1.0 client).
		w.rspEdits = append(w.rspEdits, hdrEdit{op: hdrDel, name: []byte("content-length")},
			hdrEdit{op: hdrDel, name: []byte("transfer-encoding")})
		if isHTTP10(&w.req.Message) {
			s.w.rq.closeAfter = true
		} else {
			w.rspEdits = append(w.rspEdits, hdrEdit{op: hdrSet, name: []byte("transfer-encoding"), value: []byte("chunked")})
		}
	}
}

// responseEdit is the HeaderEdit the filters get for the response head.
func (s *httpSession) responseEdit(t *txn) HeaderEdit {
	h := HeaderEdit{msg: &s.w.resp.Message, edits: &s.w.rspEdits, rt: s.rt, fe: &s.f.Counters}
	if t.be != nil {
		h.be = &t.be.Counters
	}
	return h
}

// endFilters tells every started filter the request is over.
func (t *txn) endFilters() {
	for i, fs := range t.filters[:t.nf] {
		fs.End()
		t.filters[i], t.ftrans[i] = nil, false
	}
	t.nf, t.transform = 0, false
}

// filterBody runs a piece of the response body through the filters
// that transform it and returns what goes to the client, chunk-encoded
// unless the client is HTTP/1.0.
func (s *httpSession) filterBody(t *txn, in []byte, end bool) []byte {
	w := s.w
	cur, k := in, 0
	for i, fs := range t.filters[:t.nf] {
		if !t.ftrans[i] {
			continue
		}
		dst := fs.ResponseBody(w.fbuf[k&1][:0], cur, end)
		w.fbuf[k&1] = dst
		cur = dst
		k++
	}
	out := w.fout[:0]
	if isHTTP10(&w.req.Message) {
		out = append(out, cur...)
	} else {
		if len(cur) > 0 {
			out = strconv.AppendInt(out, int64(len(cur)), 16)
			out = append(out, "\r\n"...)
			out = append(out, cur...)
			out = append(out, "\r\n"...)
		}
		if end {
			out = append(out, "0\r\n\r\n"...)
		}
	}
	w.fout = out
	return out
}

// forwardFiltered sends the response head, then the body through the
// filters that transform it: the body at hand first, then the rest as
// the server sends it (its chunked framing removed), each piece written
// to the client as it comes out of the filters.
func (s *httpSession) forwardFiltered(t *txn) verdict {
	w := s.w
	tc := s.clientTimeout()
	err := s.writeClient(w.out, nil, tc)
	t.bytesOut = int64(len(w.out))
	done := t.rrest == 0 && !t.rchunk && t.rkind != http1.BodyUntilClose
	if err == nil {
		err = s.writeFiltered(t, t.rsend, done)
	}
	if err != nil {
		t.sc.c.Close()
		x := xfer{failed: sideClient, timeout: isTimeout(err)}
		s.finish(t.e, t.rs, t.be, t.srv, t.cr, x, 'D', t.status, t.bytesIn, t.bytesOut, t.tReqSent, t.tRespHead)
		return doneClose
	}
	if !done {
		t.x = s.streamFiltered(t)
		if t.x.failed != sideNone {
			t.srvKeep = false
			s.w.rq.closeAfter = true
		}
	}
	return next
}

// writeFiltered runs in through the filters and writes the result.
func (s *httpSession) writeFiltered(t *txn, in []byte, end bool) error {
	out := s.filterBody(t, in, end)
	if len(out) == 0 {
		return nil
	}
	s.dl.setWrite(s.c, time.Now(), s.clientTimeout())
	n, err := writeFull(s.c, out)
	t.bytesOut += int64(n)
	return err
}

// streamFiltered is streamResponseBody for a body the filters
// transform.
func (s *httpSession) streamFiltered(t *txn) xfer {
	w := s.w
	buf := w.rsp
	ts := serverTimeout(t.be)
	var x xfer
	rest, chunked, untilClose := t.rrest, t.rchunk, t.rkind == http1.BodyUntilClose
	var werr error
	emit := func(d []byte) {
		if werr == nil {
			werr = s.writeFiltered(t, d, false)
		}
	}
	for chunked || rest > 0 || untilClose {
		lim := len(buf)
		if !chunked && !untilClose && int64(lim) > rest {
			lim = int(rest)
		}
		t.sc.dl.setRead(t.sc.c, time.Now(), ts)
		k, err := t.sc.c.Read(buf[:lim])
		if k > 0 {
			if chunked {
				n, done, perr := w.chunk.Decode(buf[:k], emit)
				if perr != nil {
					x.failed = sideServer
					return x
				}
				chunked = !done
				x.extra = done && n < k
			} else {
				if !untilClose {
					rest -= int64(k)
				}
				emit(buf[:k])
			}
			if werr != nil {
				x.failed, x.timeout = sideClient, isTimeout(werr)
				return x
			}
			continue
		}
		if err == io.EOF && untilClose {
			break
		}
		if err != nil {
			x.failed, x.timeout = sideServer, isTimeout(err)
			return x
		}
	}
	if err := s.writeFiltered(t, nil, true); err != nil {
		x.failed, x.timeout = sideClient, isTimeout(err)
	}
	return x
}
