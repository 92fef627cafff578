package stream

import (
	"io"
	"strconv"
	"time"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/filter/cache"
	"github.com/goha/goha/proxy/http1"
	"github.com/goha/goha/proxy/rules"
)

// The small-object cache in the request pipeline, as HAProxy runs it:
// `http-request cache-use NAME` looks the request up when the rule is
// reached (a hit is answered by the "cache hit" phase, after the
// request rules and use_backend, with no server involved; the
// http-response rules still run on it), `http-response cache-store
// NAME` marks the server's response to be stored, which happens while
// it streams to the client (forwardStoring), within max-object-size:
// a response that outgrows it stops being stored and is never held
// back. The store and the HTTP caching rules are package cache.

// cacheTxn is one request's cache state.
type cacheTxn struct {
	req      cache.Request
	analyzed bool
	// hit is the entry cache-use found (held until the request ends),
	// from its cache; notMod says it is answered 304.
	hit    *cache.Entry
	from   *cache.Cache
	notMod bool
	// store is the cache cache-store chose; w stores the body as it
	// streams, dec decodes a chunked one.
	store *cache.Cache
	w     *cache.Writer
	dec   http1.ChunkScanner
}

// cacheServerName is what logs show as the server of a hit.
const cacheServerName = "<CACHE>"

// buildCaches makes the generation's caches, empty: a reload starts
// with empty caches, as HAProxy's new worker does.
func buildCaches(cfg *config.Config) map[string]*cache.Cache {
	m := make(map[string]*cache.Cache, len(cfg.Caches))
	for _, c := range cfg.Caches {
		m[c.Name] = cache.New(cache.Settings{Name: c.Name, TotalMaxSize: c.TotalMaxSize, MaxObjectSize: c.MaxObjectSize,
			MaxAge: c.MaxAge, ProcessVary: c.ProcessVary, MaxSecondaryEntries: c.MaxSecondaryEntries})
	}
	return m
}

// Caches returns the generation's caches in configuration order (show
// cache).
func (rt *Process) Caches() []*cache.Cache {
	var out []*cache.Cache
	for _, c := range rt.cfg.Caches {
		if x := rt.caches[c.Name]; x != nil {
			out = append(out, x)
		}
	}
	return out
}

// cacheEnd lets go of what the request holds of a cache.
func (t *txn) cacheEnd() {
	if t.cache.hit != nil {
		t.cache.hit.Release()
		t.cache.hit = nil
	}
	if t.cache.w != nil {
		t.cache.w.Abort()
		t.cache.w = nil
	}
}

// cacheUse runs `http-request cache-use`: the request is analysed once
// (key, whether it may be served and stored) and looked up.
func (s *httpSession) cacheUse(r *rules.HTTPRule) {
	ct := &s.w.t.cache
	c := s.rt.caches[string(r.Name)]
	if c == nil || ct.hit != nil {
		return
	}
	if !ct.analyzed {
		ct.req = cache.AnalyzeRequest(&s.w.req)
		ct.analyzed = true
	}
	if !ct.req.Lookup || !ct.req.HasKey {
		return
	}
	rq := &ct.req
	e := c.Lookup(rq.Key, func(sig uint32) (cache.SecKey, bool) { return cache.SecFor(rq.Sec, sig), rq.SecOK })
	if e == nil {
		return
	}
	ct.hit, ct.from = e, c
	ct.notMod = e.NotModified(&s.w.req)
}

// cacheStore runs `http-response cache-store`: a successful unsafe
// request invalidates the URL; otherwise the response is to be stored
// when it is forwarded.
func (s *httpSession) cacheStore(r *rules.HTTPRule) {
	t := &s.w.t
	ct := &t.cache
	c := s.rt.caches[string(r.Name)]
	if c == nil || ct.hit != nil || ct.store != nil || !ct.analyzed || !ct.req.HasKey {
		return
	}
	if ct.req.Unsafe {
		if st := s.w.resp.Status; st >= 200 && st < 400 {
			c.Invalidate(ct.req.Key)
		}
		return
	}
	ct.store = c
}

// phaseCacheHit answers a request cache-use found in a cache: the
// stored head (304 for a matching conditional request) with its Age,
// through the http-response rules, then the stored body.
func (s *httpSession) phaseCacheHit(t *txn) verdict {
	ct := &t.cache
	if ct.hit == nil {
		return next
	}
	w, f, be := s.w, s.f, t.be
	if t.bodyPending || !s.cacheHead(t) {
		t.cacheEnd()
		return next
	}
	t.status = w.resp.Status
	t.tRespHead = time.Now()
	w.x.Resp = &w.resp
	w.x.Server = cacheServerName
	w.x.CacheName = ct.from.Name()
	if deny := s.responseRules(be); deny != nil {
		f.Dresp.Add(1)
		be.Dresp.Add(1)
		page := deny.Page
		if deny.Dynamic() {
			w.vals = deny.AppendDynPage(w.vals[:0], &w.x)
			page = w.vals
		}
		return verdictOf(s.local(page, deny.Status, [2]byte{'P', 'H'}, true))
	}
	w.out = s.buildResponse(be, &w.resp, &w.req, w.rq.closeAfter, false)
	be.hrsp(t.status)
	f.hrsp(t.status)
	body := ct.hit.Body
	if w.rq.head || ct.notMod {
		body = nil
	}
	err := s.writeClient(w.out, body, s.clientTimeout())
	t.bytesOut = int64(len(w.out) + len(body))
	if next := w.rq.next; len(next) > 0 && !w.rq.closeAfter {
		s.inLen = copy(w.in, next)
	} else {
		s.inLen = 0
	}
	var x xfer
	if err != nil {
		x = xfer{failed: sideClient, timeout: isTimeout(err)}
	}
	s.logHit(t, x)
	t.cacheEnd()
	return verdictOf(err == nil && !w.rq.closeAfter)
}

// cacheHead builds the hit's response head in the response buffer and
// parses it into w.resp: the stored head, content-length and age.
func (s *httpSession) cacheHead(t *txn) bool {
	w, ct := s.w, &t.cache
	e := ct.hit
	buf := w.rsp[:0]
	head := e.Head
	if ct.notMod {
		buf = append(buf, "HTTP/1.1 304 Not Modified\r\n"...)
		for i := 0; i < len(head); i++ {
			if head[i] == '\n' {
				head = head[i+1:]
				break
			}
		}
	}
	buf = append(buf, head...)
	buf = append(buf, "content-length: "...)
	buf = strconv.AppendInt(buf, int64(len(e.Body)), 10)
	buf = append(buf, "\r\nage: "...)
	buf = strconv.AppendInt(buf, e.Age(time.Now()), 10)
	buf = append(buf, "\r\n\r\n"...)
	return http1.ParseResponse(buf, len(buf), &w.resp) == nil
}

// logHit counts and logs a request answered from the cache.
func (s *httpSession) logHit(t *txn, x xfer) {
	f, be := s.f, t.be
	f.Bin.Add(t.bytesIn)
	f.Bout.Add(t.bytesOut)
	be.Bin.Add(t.bytesIn)
	be.Bout.Add(t.bytesOut)
	tt := time.Since(t.rs.start)
	be.Ttime.Add(tt)
	e := t.e
	if e == nil {
		return
	}
	s.fillEntry(e, t.rs)
	e.TR = t.rs.headDone.Sub(t.rs.firstByte)
	e.Tw, e.Tc, e.Tr = 0, 0, 0
	e.BackendName, e.ServerName = be.Name, cacheServerName
	e.Status, e.BytesOut, e.BytesIn = t.status, t.bytesOut, t.bytesIn
	e.Term = [2]byte{'-', '-'}
	if x.failed == sideClient {
		e.Term = [2]byte{'C', 'D'}
		if x.timeout {
			e.Term[0] = 'c'
		}
	}
	e.BeConn = int(be.Scur.Load())
	e.ReqLine = s.w.line
	f.logger.Log(e)
}

// cacheStart decides, with the response head at hand, whether
// cache-store stores it, and starts the writer.
func (s *httpSession) cacheStart(t *txn) bool {
	ct := &t.cache
	w := s.w
	if t.transform || t.rkind == http1.BodyUntilClose || t.switched {
		return false
	}
	m, sec, ok := ct.store.AnalyzeResponse(&ct.req, &w.req, &w.resp, time.Now())
	if !ok {
		return false
	}
	ct.w = ct.store.Start(ct.req.Key, sec, m, storedHead(&w.resp))
	return ct.w != nil
}

// hopHeaders are the headers a stored response leaves out: framing and
// connection management are the hit's own, Age is recomputed.
var hopHeaders = map[string]bool{
	"connection": true, "keep-alive": true, "proxy-connection": true, "transfer-encoding": true,
	"content-length": true, "age": true, "te": true, "trailer": true, "upgrade": true,
}

// storedHead is the response head to store: its status line and
// end-to-end headers.
func storedHead(resp *http1.Response) []byte {
	n := len(resp.Line) + 2
	for i := range resp.Headers {
		n += len(resp.Headers[i].Name) + len(resp.Headers[i].Value) + 4
	}
	b := make([]byte, 0, n)
	b = append(b, resp.Line...)
	b = append(b, "\r\n"...)
	for i := range resp.Headers {
		h := &resp.Headers[i]
		if !hopHeaders[string(h.Name)] {
			b = appendHeader(b, h.Name, h.Value)
		}
	}
	return b
}

// cacheFeed gives a piece of the body to the writer; a writer that
// gives up is dropped.
func (ct *cacheTxn) feed(p []byte) {
	if ct.w != nil && !ct.w.Write(p) {
		ct.w = nil
	}
}

// forwardStoring is phaseForward for a response cache-store stores:
// the head and the body at hand go to the client, then the rest as the
// server sends it, each piece given to the cache too; the entry is
// stored once the body is complete.
func (s *httpSession) forwardStoring(t *txn) verdict {
	w, ct := s.w, &t.cache
	err := s.writeClient(w.out, t.rsend, s.clientTimeout())
	t.bytesOut = int64(len(w.out) + len(t.rsend))
	if err != nil {
		t.cacheEnd()
		t.sc.c.Close()
		x := xfer{failed: sideClient, timeout: isTimeout(err)}
		s.finish(t.e, t.rs, t.be, t.srv, t.cr, x, 'D', t.status, t.bytesIn, t.bytesOut, t.tReqSent, t.tRespHead)
		return doneClose
	}
	chunked := t.rkind == http1.BodyChunked
	if chunked {
		ct.dec.Reset()
		if _, _, err := ct.dec.Decode(t.rsend, ct.feed); err != nil {
			t.cacheEnd()
		}
	} else {
		ct.feed(t.rsend)
	}
	if t.rrest > 0 || t.rchunk {
		t.x = s.streamStoring(t)
		t.bytesOut += t.x.n
		if t.x.failed != sideNone {
			t.srvKeep = false
			w.rq.closeAfter = true
			t.cacheEnd()
			return next
		}
	}
	if ct.w != nil {
		ct.w.Commit()
		ct.w = nil
	}
	return next
}

// streamStoring is streamResponseBody for a body being stored.
func (s *httpSession) streamStoring(t *txn) xfer {
	w, ct := s.w, &t.cache
	buf := w.rsp
	tc, ts := s.clientTimeout(), serverTimeout(t.be)
	var x xfer
	rest, chunked := t.rrest, t.rchunk
	for chunked || rest > 0 {
		lim := len(buf)
		if !chunked && int64(lim) > rest {
			lim = int(rest)
		}
		now := time.Now()
		t.sc.dl.setRead(t.sc.c, now, ts)
		k, err := t.sc.c.Read(buf[:lim])
		if k > 0 {
			n := k
			if chunked {
				var done bool
				var perr error
				if n, done, perr = ct.dec.Decode(buf[:k], ct.feed); perr != nil {
					x.failed = sideServer
					return x
				}
				chunked = !done
				x.extra = done && n < k
			} else {
				rest -= int64(k)
				ct.feed(buf[:k])
			}
			s.dl.setWrite(s.c, now, tc)
			if _, werr := writeFull(s.c, buf[:n]); werr != nil {
				x.failed, x.timeout = sideClient, isTimeout(werr)
				return x
			}
			x.n += int64(n)
			continue
		}
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			x.failed, x.timeout = sideServer, isTimeout(err)
			return x
		}
	}
	return x
}

// AppendShowCache appends `show cache`: every cache in configuration
// order.
func (rt *Process) AppendShowCache(b []byte) []byte {
	for _, c := range rt.Caches() {
		b = c.AppendShow(b)
	}
	return b
}
