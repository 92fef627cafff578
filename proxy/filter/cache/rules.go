package cache

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"hash/crc32"
	"net/http"
	"strconv"
	"time"

	"github.com/goha/goha/proxy/http1"
)

// The HTTP caching rules as HAProxy 2.6 applies them (its
// http_check_request_for_cacheability, http_check_response_for_
// cacheability, http_calc_maxage, the Vary processing and the
// conditional requests of its cache applet), with one deliberate
// difference: a response carrying Set-Cookie is never stored (HAProxy
// stores it and gives one client's cookie to the next).

// Vary signature bits: the request headers a stored response varies on.
const (
	VaryAcceptEncoding uint32 = 1 << 0
	VaryReferer        uint32 = 1 << 1
)

// Accept-Encoding bitmap bits (HAProxy's vary_encoding).
const (
	encGzip = 1 << iota
	encDeflate
	encBr
	encCompress
	encAES128GCM
	encExi
	encPack200Gzip
	encZstd
	encIdentity
	encStar
	encOther
)

// encodings maps the content-codings HAProxy knows to their bit.
var encodings = map[string]uint32{
	"gzip": encGzip, "x-gzip": encGzip, "deflate": encDeflate, "br": encBr, "compress": encCompress,
	"x-compress": encCompress, "aes128gcm": encAES128GCM, "exi": encExi, "pack200-gzip": encPack200Gzip,
	"zstd": encZstd, "identity": encIdentity, "*": encStar,
}

// Request is what a request allows: Lookup when it may be answered from
// the cache, Store when its response may be stored.
type Request struct {
	Key    Key
	HasKey bool
	Lookup bool
	Store  bool
	// Unsafe is a method whose success invalidates the stored URL.
	Unsafe bool
	// Sec is the request's secondary key for every vary header
	// (reduced to a response's signature by SecFor); SecOK is false when
	// it cannot be built (too many accept-encoding values).
	Sec   SecKey
	SecOK bool
}

// AnalyzeRequest applies HAProxy's request rules: only GET and HEAD
// HTTP/1.1 requests use the cache, not with Authorization, nor with a
// Cache-Control max-age/no-cache/max-stale/min-fresh (or Pragma:
// no-cache alone); Cache-Control no-store forbids storing the answer.
// The key is "https://" + Host + URI for an origin-form target, the
// absolute URI otherwise.
func AnalyzeRequest(req *http1.Request) Request {
	var r Request
	m := string(req.Method)
	safe := m == "GET" || m == "HEAD" || m == "OPTIONS" || m == "TRACE"
	r.Unsafe = !safe
	r.Lookup = req.Minor >= 1 && (m == "GET" || m == "HEAD")
	r.Store = safe
	pragma, cc := false, false
	for i := range req.Headers {
		h := &req.Headers[i]
		switch string(h.Name) {
		case "pragma":
			pragma = pragma || http1.EqualFold(bytes.TrimSpace(h.Value), "no-cache")
		case "authorization":
			r.Lookup, r.Store = false, false
		case "cache-control":
			cc = true
			eachValue(h.Value, func(v []byte) {
				switch {
				case hasPrefixFold(v, "max-age"), hasPrefixFold(v, "no-cache"), hasPrefixFold(v, "max-stale"), hasPrefixFold(v, "min-fresh"):
					r.Lookup = false
				case hasPrefixFold(v, "no-store"):
					r.Store = false
				}
			})
		}
	}
	if pragma && !cc {
		r.Lookup = false
	}
	if !r.Lookup {
		// HAProxy's TX_CACHE_IGNORE: neither served nor stored.
		r.Store = false
	}
	r.Key, r.HasKey = requestKey(req)
	r.Sec, r.SecOK = requestSec(req)
	return r
}

// requestKey hashes the request's URL as HAProxy does.
func requestKey(req *http1.Request) (Key, bool) {
	if len(req.URI) == 0 {
		return Key{}, false
	}
	h := sha1.New()
	if req.Authority == nil {
		if req.Host == nil {
			return Key{}, false
		}
		h.Write([]byte("https://"))
		h.Write(req.Host)
	}
	h.Write(req.URI)
	var k Key
	h.Sum(k[:0])
	return k, binary.LittleEndian.Uint32(k[:4]) != 0
}

// requestSec builds the full secondary key of a request: its
// accept-encoding bitmap and the CRC-32 of its first Referer.
func requestSec(req *http1.Request) (SecKey, bool) {
	var k SecKey
	bitmap, rejected := uint32(encIdentity), ^uint32(0)
	count := 0
	for i := range req.Headers {
		h := &req.Headers[i]
		if string(h.Name) != "accept-encoding" {
			continue
		}
		var v []byte
		vals := h.Value
		for vals != nil && count < 16 {
			v, vals = nextValue(vals)
			count++
			if len(v) == 0 {
				continue
			}
			bit, zero, ok := parseEncoding(bytes.ToLower(v))
			switch {
			case !ok:
				bitmap |= encOther
			case zero:
				rejected &^= bit
			default:
				bitmap |= bit
			}
		}
	}
	if bitmap&encStar != 0 {
		bitmap = ^uint32(0)
	}
	bitmap &= rejected
	if count == 0 {
		bitmap = ^uint32(0)
	}
	if count >= 16 {
		return k, false
	}
	binary.LittleEndian.PutUint32(k[:4], bitmap)
	if ref := req.Get("referer"); ref != nil {
		binary.LittleEndian.PutUint32(k[4:], crc32.ChecksumIEEE(ref))
	}
	return k, true
}

// parseEncoding reads one accept-encoding or content-encoding value:
// its bit, whether its weight is q=0, and whether it is known.
func parseEncoding(v []byte) (bit uint32, zero, ok bool) {
	name, params := v, []byte(nil)
	if i := bytes.IndexByte(v, ';'); i >= 0 {
		name, params = v[:i], v[i+1:]
	}
	bit, ok = encodings[string(bytes.TrimRight(name, " \t"))]
	if !ok {
		return encOther, false, false
	}
	return bit, string(bytes.TrimLeft(params, " \t")) == "q=0", true
}

// SecFor reduces a request's full secondary key to a response's vary
// signature (HAProxy's http_request_reduce_secondary_key).
func SecFor(full SecKey, sig uint32) SecKey {
	k := full
	if sig&VaryAcceptEncoding == 0 {
		copy(k[:4], []byte{0, 0, 0, 0})
	}
	if sig&VaryReferer == 0 {
		copy(k[4:], []byte{0, 0, 0, 0})
	}
	return k
}

// secMatch reports whether a stored variant (ref, whose encoding part
// is the response's content-encoding) suits a request's key: the
// response's encoding accepted, the referer the same.
func secMatch(ref, req SecKey) bool {
	rb, qb := binary.LittleEndian.Uint32(ref[:4]), binary.LittleEndian.Uint32(req[:4])
	if rb&encOther != 0 || rb&qb != rb {
		return false
	}
	return bytes.Equal(ref[4:], req[4:])
}

// Meta is what is stored with a response besides its bytes.
type Meta struct {
	MaxAge        int
	Age           int64
	ETag          []byte
	LastModified  int64
	Sig           uint32
	ContentLength int64 // -1 when unknown (chunked)
}

// AnalyzeResponse applies HAProxy's response rules to the answer of a
// request r allowed to store: a 200 to a GET, no Vary (or, with
// process-vary, a Vary on accept-encoding and referer only), no
// Set-Cookie, not Cache-Control private/no-cache/no-store/max-age=0/
// s-maxage=0 or Pragma: no-cache, with freshness information or a
// validator, an Age below its max-age, a length within max-object-size.
// It returns what to store and the secondary key of the variant.
func (c *Cache) AnalyzeResponse(r *Request, req *http1.Request, resp *http1.Response, now time.Time) (Meta, SecKey, bool) {
	var m Meta
	if !r.Store || !r.HasKey || string(req.Method) != "GET" || resp.Status != 200 {
		return m, SecKey{}, false
	}
	m.ContentLength = resp.ContentLength
	if resp.Chunked {
		m.ContentLength = -1
	}
	if m.ContentLength > c.set.MaxObjectSize {
		return m, SecKey{}, false
	}
	var ok bool
	if m.Sig, ok = c.varySignature(resp); !ok || (m.Sig != 0 && !r.SecOK) {
		return m, SecKey{}, false
	}
	if !cacheable(resp) {
		return m, SecKey{}, false
	}
	maxAge, trueMaxAge := c.maxAge(resp, now)
	if maxAge <= 0 {
		return m, SecKey{}, false
	}
	m.MaxAge = maxAge
	if v := resp.Get("age"); v != nil {
		a, err := strconv.ParseInt(string(bytes.TrimSpace(v)), 10, 64)
		if err != nil || a <= 0 || a > int64(trueMaxAge) {
			return m, SecKey{}, false
		}
		m.Age = a
	}
	m.ETag = append([]byte(nil), resp.Get("etag")...)
	m.LastModified = httpDate(resp.Get("last-modified"))
	if m.LastModified == 0 {
		m.LastModified = httpDate(resp.Get("date"))
	}
	sec := SecFor(r.Sec, m.Sig)
	if m.Sig&VaryAcceptEncoding != 0 {
		enc, ok := contentEncoding(resp)
		if !ok {
			return m, SecKey{}, false
		}
		binary.LittleEndian.PutUint32(sec[:4], enc)
	}
	return m, sec, true
}

// varySignature reads the Vary header: ok false when the response may
// not be stored because of it.
func (c *Cache) varySignature(resp *http1.Response) (sig uint32, ok bool) {
	ok = true
	for i := range resp.Headers {
		h := &resp.Headers[i]
		if string(h.Name) != "vary" {
			continue
		}
		if !c.set.ProcessVary {
			return 0, false
		}
		eachValue(h.Value, func(v []byte) {
			switch {
			case http1.EqualFold(v, "accept-encoding"):
				sig |= VaryAcceptEncoding
			case http1.EqualFold(v, "referer"):
				sig |= VaryReferer
			default:
				ok = false
			}
		})
	}
	return sig, ok
}

// contentEncoding is the response's encoding bitmap (identity when it
// has none); false for an encoding HAProxy does not know.
func contentEncoding(resp *http1.Response) (uint32, bool) {
	var bitmap uint32
	ok := true
	for i := range resp.Headers {
		if string(resp.Headers[i].Name) == "content-encoding" {
			eachValue(resp.Headers[i].Value, func(v []byte) {
				bit, _, known := parseEncoding(bytes.ToLower(v))
				ok = ok && known
				bitmap |= bit
			})
		}
	}
	if bitmap == 0 {
		bitmap = encIdentity
	}
	return bitmap, ok
}

// cacheable is HAProxy's response cacheability check, Set-Cookie
// refused besides.
func cacheable(resp *http1.Response) bool {
	ok, cook, fresh := true, true, false
	for i := range resp.Headers {
		h := &resp.Headers[i]
		switch string(h.Name) {
		case "set-cookie":
			return false
		case "pragma":
			if http1.EqualFold(bytes.TrimSpace(h.Value), "no-cache") {
				return false
			}
		case "cache-control":
			eachValue(h.Value, func(v []byte) {
				switch {
				case http1.EqualFold(v, "public"):
					ok, cook = true, true
				case http1.EqualFold(v, "private"), http1.EqualFold(v, "no-cache"), http1.EqualFold(v, "no-store"),
					http1.EqualFold(v, "max-age=0"), http1.EqualFold(v, "s-maxage=0"):
					ok, cook = false, false
				case hasPrefixFold(v, `no-cache="set-cookie`):
					cook = false
				case hasPrefixFold(v, "s-maxage"), hasPrefixFold(v, "max-age"):
					fresh = true
				}
			})
		case "expires":
			fresh = true
		}
	}
	if !ok || !cook {
		return false
	}
	return fresh || resp.Get("etag") != nil || resp.Get("last-modified") != nil
}

// maxAge is HAProxy's http_calc_maxage: s-maxage, else max-age, else
// Expires minus now, else the cache's max-age, never beyond it; true is
// the response's own. -1 refuses the response (a malformed max-age).
func (c *Cache) maxAge(resp *http1.Response, now time.Time) (eff, true_ int) {
	smax, max_, expires := -1, -1, -1
	bad := false
	for i := range resp.Headers {
		h := &resp.Headers[i]
		if string(h.Name) != "cache-control" {
			continue
		}
		eachValue(h.Value, func(v []byte) {
			if n, found := directive(v, "s-maxage"); found {
				smax, bad = n, bad || n < 0
			}
			if n, found := directive(v, "max-age"); found {
				max_, bad = n, bad || n < 0
			}
		})
	}
	if bad {
		return -1, 0
	}
	if smax < 0 && max_ < 0 {
		if v := resp.Get("expires"); v != nil {
			expires = 0
			if t := httpDate(v); t > now.Unix() {
				expires = int(t - now.Unix())
			}
		}
	}
	switch {
	case smax > 0:
		return min(smax, c.set.MaxAge), smax
	case max_ > 0:
		return min(max_, c.set.MaxAge), max_
	case expires >= 0:
		return min(expires, c.set.MaxAge), expires
	}
	// No explicit lifetime: the server's Age must then be absent.
	return c.set.MaxAge, 0
}

// directive reads "name=N" (N possibly quoted): found, and N or -1
// when it is not a number.
func directive(v []byte, name string) (int, bool) {
	if len(v) <= len(name) || !http1.EqualFold(v[:len(name)], name) || v[len(name)] != '=' {
		return 0, false
	}
	s := v[len(name)+1:]
	s = bytes.TrimPrefix(s, []byte{'"'})
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return -1, true
	}
	n, err := strconv.Atoi(string(s[:i]))
	if err != nil {
		return -1, true
	}
	return n, true
}

// NotModified reports whether a conditional request gets a 304 from
// the entry: an If-None-Match matching its ETag (weak comparison) or
// "*", else an If-Modified-Since not before its last modification.
func (e *Entry) NotModified(req *http1.Request) bool {
	inm := false
	match := false
	for i := range req.Headers {
		h := &req.Headers[i]
		if string(h.Name) != "if-none-match" {
			continue
		}
		inm = true
		eachValue(h.Value, func(v []byte) {
			if string(v) == "*" || (len(e.etag) > 0 && etagEqual(e.etag, v)) {
				match = true
			}
		})
	}
	if inm {
		return match
	}
	if v := req.Get("if-modified-since"); v != nil {
		if t := httpDate(v); t != 0 {
			return e.lastModified <= t
		}
	}
	return false
}

// etagEqual is the weak comparison of two entity tags.
func etagEqual(a, b []byte) bool {
	a, okA := opaqueTag(a)
	b, okB := opaqueTag(b)
	return okA && okB && bytes.Equal(a, b)
}

func opaqueTag(t []byte) ([]byte, bool) {
	t = bytes.TrimPrefix(t, []byte("W/"))
	if len(t) < 2 || t[0] != '"' || t[len(t)-1] != '"' {
		return nil, false
	}
	return t, true
}

// httpDate parses an HTTP date into unix seconds (0 when invalid).
func httpDate(v []byte) int64 {
	if v == nil {
		return 0
	}
	t, err := http.ParseTime(string(bytes.TrimSpace(v)))
	if err != nil {
		return 0
	}
	return t.Unix()
}

// eachValue calls fn with each comma-separated value of a header,
// trimmed.
func eachValue(v []byte, fn func([]byte)) {
	for v != nil {
		var x []byte
		x, v = nextValue(v)
		if len(x) > 0 {
			fn(x)
		}
	}
}

// nextValue splits the first comma-separated value off v (rest nil at
// the end).
func nextValue(v []byte) (val, rest []byte) {
	if i := bytes.IndexByte(v, ','); i >= 0 {
		return bytes.TrimSpace(v[:i]), v[i+1:]
	}
	return bytes.TrimSpace(v), nil
}

func hasPrefixFold(v []byte, p string) bool {
	return len(v) >= len(p) && http1.EqualFold(v[:len(p)], p)
}
