package sample

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/goha/goha/proxy/http1"
	"github.com/goha/goha/proxy/tlshello"
)

// fetchTable maps the fetches rule values support to their compiler.
// Keep in step with config.SupportedSampleFetches (TestSampleTables).
var fetchTable = map[string]func(e *sampleExpr, args []string, o *Options) error{}

func init() {
	str := func(f func(x *Ctx) []byte) func(*sampleExpr, []string, *Options) error {
		return func(e *sampleExpr, args []string, _ *Options) error {
			if len(args) > 0 {
				return fmt.Errorf("no argument expected")
			}
			e.fetch = func(x *Ctx, _ *fetchArgs, v *smpVal) bool {
				b := f(x)
				if b == nil {
					return false
				}
				v.t, v.s = stStr, b
				return true
			}
			return nil
		}
	}
	reqStr := func(f func(r *http1.Request) []byte) func(*sampleExpr, []string, *Options) error {
		return str(func(x *Ctx) []byte {
			if x.Req == nil {
				return nil
			}
			return f(x.Req)
		})
	}
	integer := func(f func(x *Ctx) (int64, bool), t smpType) func(*sampleExpr, []string, *Options) error {
		return func(e *sampleExpr, args []string, _ *Options) error {
			if len(args) > 0 {
				return fmt.Errorf("no argument expected")
			}
			e.fetch = func(x *Ctx, _ *fetchArgs, v *smpVal) bool {
				n, ok := f(x)
				if !ok {
					return false
				}
				v.t, v.i = t, n
				return true
			}
			return nil
		}
	}
	ip := func(f func(c *Conn) netip.AddrPort, port bool) func(*sampleExpr, []string, *Options) error {
		return func(e *sampleExpr, args []string, _ *Options) error {
			if len(args) > 0 {
				return fmt.Errorf("no argument expected")
			}
			e.fetch = func(x *Ctx, _ *fetchArgs, v *smpVal) bool {
				if x.Conn == nil {
					return false
				}
				ap := f(x.Conn)
				if !ap.IsValid() {
					return false
				}
				if port {
					v.t, v.i = stInt, int64(ap.Port())
				} else {
					v.t, v.ip = stIP, ap.Addr()
				}
				return true
			}
			return nil
		}
	}
	src := func(c *Conn) netip.AddrPort { return c.Client }
	dst := func(c *Conn) netip.AddrPort { return c.Local }
	for _, n := range []string{"src", "fc_src"} {
		fetchTable[n] = ip(src, false)
	}
	for _, n := range []string{"src_port", "fc_src_port"} {
		fetchTable[n] = ip(src, true)
	}
	for _, n := range []string{"dst", "fc_dst"} {
		fetchTable[n] = ip(dst, false)
	}
	for _, n := range []string{"dst_port", "fc_dst_port"} {
		fetchTable[n] = ip(dst, true)
	}
	fetchTable["path"] = reqStr(func(r *http1.Request) []byte { return URIPath(r.URI) })
	fetchTable["pathq"] = reqStr(func(r *http1.Request) []byte { return uriPathQuery(r.URI) })
	fetchTable["url"] = reqStr(func(r *http1.Request) []byte { return r.URI })
	fetchTable["query"] = reqStr(func(r *http1.Request) []byte {
		if q := bytes.IndexByte(r.URI, '?'); q >= 0 {
			return r.URI[q+1:]
		}
		return nil
	})
	fetchTable["method"] = reqStr(func(r *http1.Request) []byte { return r.Method })
	for _, n := range []string{"req.ver", "req_ver"} {
		fetchTable[n] = reqStr(func(r *http1.Request) []byte {
			if len(r.Proto) > 5 {
				return r.Proto[5:]
			}
			return nil
		})
	}
	fetchTable["capture.req.method"] = fetchTable["method"]
	fetchTable["capture.req.uri"] = fetchTable["url"]
	fetchTable["capture.req.ver"] = reqStr(func(r *http1.Request) []byte { return r.Proto })
	fetchTable["res.ver"] = str(func(x *Ctx) []byte {
		if x.Resp == nil || len(x.Resp.Proto) <= 5 {
			return nil
		}
		return x.Resp.Proto[5:]
	})
	fetchTable["base"] = func(e *sampleExpr, args []string, _ *Options) error {
		e.fetch = fetchBase
		return nil
	}
	for _, n := range []string{"hdr", "req.hdr"} {
		fetchTable[n] = hdrFetch(false, false)
	}
	fetchTable["req.fhdr"] = hdrFetch(false, true)
	for _, n := range []string{"res.hdr", "shdr"} {
		fetchTable[n] = hdrFetch(true, false)
	}
	fetchTable["res.fhdr"] = hdrFetch(true, true)
	for _, n := range []string{"hdr_cnt", "req.hdr_cnt"} {
		fetchTable[n] = hdrCntFetch(false, false)
	}
	fetchTable["req.fhdr_cnt"] = hdrCntFetch(false, true)
	fetchTable["res.hdr_cnt"] = hdrCntFetch(true, false)
	fetchTable["res.fhdr_cnt"] = hdrCntFetch(true, true)
	for _, n := range []string{"url_param", "urlp"} {
		fetchTable[n] = func(e *sampleExpr, args []string, _ *Options) error {
			if len(args) > 0 {
				e.fa.name = args[0]
			}
			e.fetch = fetchURLParam
			return nil
		}
	}
	for _, n := range []string{"cookie", "cook", "req.cook"} {
		fetchTable[n] = func(e *sampleExpr, args []string, _ *Options) error {
			if len(args) > 0 {
				e.fa.name = args[0]
			}
			e.fetch = fetchCookie
			return nil
		}
	}
	fetchTable["capture.req.hdr"] = func(e *sampleExpr, args []string, _ *Options) error {
		if len(args) != 1 {
			return fmt.Errorf("expects a capture slot number")
		}
		n, err := strconv.Atoi(args[0])
		if err != nil || n < 0 {
			return fmt.Errorf("invalid capture slot %q", args[0])
		}
		e.fa.n = int64(n)
		e.fetch = fetchCaptureReqHdr
		return nil
	}
	fetchTable["status"] = integer(func(x *Ctx) (int64, bool) {
		if x.Resp == nil {
			return 0, false
		}
		return int64(x.Resp.Status), true
	}, stInt)
	fetchTable["ssl_fc"] = integer(func(*Ctx) (int64, bool) { return 0, true }, stBool)
	fetchTable["ssl_fc_sni"] = str(func(*Ctx) []byte { return nil })
	fetchTable["http_first_req"] = integer(func(x *Ctx) (int64, bool) {
		if x.Req == nil {
			return 0, false
		}
		if x.NReq == 0 {
			return 1, true
		}
		return 0, true
	}, stBool)
	fetchTable["always_true"] = integer(func(*Ctx) (int64, bool) { return 1, true }, stBool)
	fetchTable["always_false"] = integer(func(*Ctx) (int64, bool) { return 0, true }, stBool)
	fetchTable["req.proto_http"] = integer(func(x *Ctx) (int64, bool) {
		if x.Req != nil {
			return 1, true
		}
		return 0, true
	}, stBool)
	fetchTable["date"] = func(e *sampleExpr, args []string, _ *Options) error {
		if len(args) > 0 {
			n, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return fmt.Errorf("invalid offset %q", args[0])
			}
			e.fa.n = n
		}
		e.fetch = func(x *Ctx, a *fetchArgs, v *smpVal) bool {
			v.t, v.i = stInt, time.Now().Unix()+a.n
			return true
		}
		return nil
	}
	fetchTable["env"] = func(e *sampleExpr, args []string, _ *Options) error {
		if len(args) != 1 {
			return fmt.Errorf("expects a variable name")
		}
		val, ok := os.LookupEnv(args[0])
		b := []byte(val)
		e.fetch = func(x *Ctx, a *fetchArgs, v *smpVal) bool {
			if !ok {
				return false
			}
			v.t, v.s = stStr, b
			return true
		}
		return nil
	}
	fetchTable["str"] = func(e *sampleExpr, args []string, _ *Options) error {
		if len(args) != 1 {
			return fmt.Errorf("expects a string")
		}
		b := []byte(args[0])
		e.fetch = func(x *Ctx, a *fetchArgs, v *smpVal) bool {
			v.t, v.s = stStr, b
			return true
		}
		return nil
	}
	fetchTable["int"] = func(e *sampleExpr, args []string, _ *Options) error {
		if len(args) != 1 {
			return fmt.Errorf("expects an integer")
		}
		n, err := strconv.ParseInt(args[0], 10, 64)
		if err != nil {
			return fmt.Errorf("invalid integer %q", args[0])
		}
		e.fetch = func(x *Ctx, a *fetchArgs, v *smpVal) bool {
			v.t, v.i = stInt, n
			return true
		}
		return nil
	}
	fetchTable["fe_name"] = str(func(x *Ctx) []byte {
		if x.Frontend == nil {
			return nil
		}
		return []byte(x.Frontend.ProxyName())
	})
	fetchTable["be_name"] = str(func(x *Ctx) []byte {
		if x.Backend == nil {
			return nil
		}
		return []byte(x.Backend.ProxyName())
	})
	fetchTable["nbsrv"] = func(e *sampleExpr, args []string, o *Options) error {
		if len(args) > 0 {
			e.fa.s = args[0]
		}
		e.fetch = func(x *Ctx, a *fetchArgs, v *smpVal) bool {
			var n int
			switch {
			case a.s != "" && x.Frontend != nil:
				var ok bool
				if n, ok = x.Frontend.UsableServersOf(a.s); !ok {
					return false
				}
			case x.Backend != nil:
				n = x.Backend.UsableServers()
			default:
				return false
			}
			v.t, v.i = stInt, int64(n)
			return true
		}
		return nil
	}
	for _, n := range []string{"req.len", "req_len"} {
		fetchTable[n] = integer(func(x *Ctx) (int64, bool) {
			if x.Req != nil {
				return 0, false
			}
			return int64(len(x.Payload)), true
		}, stInt)
	}
	for _, n := range []string{"req.ssl_sni", "req_ssl_sni"} {
		fetchTable[n] = str(func(x *Ctx) []byte {
			if x.Req != nil {
				return nil
			}
			h, st := tlshello.Parse(x.Payload)
			if st != tlshello.OK || h.SNI == nil {
				return nil
			}
			return h.SNI
		})
	}
	for _, n := range []string{"req.ssl_hello_type", "req_ssl_hello_type"} {
		fetchTable[n] = integer(func(x *Ctx) (int64, bool) {
			if x.Req != nil {
				return 0, false
			}
			t, st := tlshello.HandshakeType(x.Payload)
			return int64(t), st == tlshello.OK
		}, stInt)
	}
}

func compileFetch(e *sampleExpr, name string, args []string, o *Options) error {
	mk, ok := fetchTable[name]
	if !ok {
		return fmt.Errorf("fetch %q is not supported", name)
	}
	return mk(e, args, o)
}

// hdrFetch compiles hdr(name[,occ]) and friends. Without occ, hdr()
// returns the last value (HAProxy's default occurrence -1); values are
// split on commas unless full (fhdr).
func hdrFetch(res, full bool) func(*sampleExpr, []string, *Options) error {
	return func(e *sampleExpr, args []string, _ *Options) error {
		if len(args) == 0 || args[0] == "" {
			return fmt.Errorf("expects a header name")
		}
		e.fa.name = strings.ToLower(args[0])
		e.fa.occ = -1
		e.fa.full = full
		if len(args) > 1 {
			n, err := strconv.Atoi(args[1])
			if err != nil {
				return fmt.Errorf("invalid occurrence %q", args[1])
			}
			e.fa.occ = n
		}
		if len(args) > 2 {
			return fmt.Errorf("too many arguments")
		}
		if res {
			e.fetch = fetchResHdr
		} else {
			e.fetch = fetchReqHdr
		}
		return nil
	}
}

func hdrCntFetch(res, full bool) func(*sampleExpr, []string, *Options) error {
	return func(e *sampleExpr, args []string, _ *Options) error {
		if len(args) > 0 {
			e.fa.name = strings.ToLower(args[0])
		}
		e.fa.full = full
		e.fetch = func(x *Ctx, a *fetchArgs, v *smpVal) bool {
			m := msgOf(x, res)
			if m == nil {
				return false
			}
			n := 0
			walkHeader(m, a.name, a.full, func([]byte) bool { n++; return true })
			v.t, v.i = stInt, int64(n)
			return true
		}
		return nil
	}
}

func msgOf(x *Ctx, res bool) *http1.Message {
	if res {
		if x.Resp == nil {
			return nil
		}
		return &x.Resp.Message
	}
	if x.Req == nil {
		return nil
	}
	return &x.Req.Message
}

func fetchReqHdr(x *Ctx, a *fetchArgs, v *smpVal) bool {
	return headerOcc(msgOf(x, false), a, v)
}

func fetchResHdr(x *Ctx, a *fetchArgs, v *smpVal) bool {
	return headerOcc(msgOf(x, true), a, v)
}

// headerOcc fetches occurrence a.occ of header a.name: positive from the
// first, negative from the last (0 behaves as -1 here: the last).
func headerOcc(m *http1.Message, a *fetchArgs, v *smpVal) bool {
	if m == nil {
		return false
	}
	occ := a.occ
	if occ <= 0 {
		total := 0
		countHeader(m, a.name, a.full, &total)
		if occ == 0 {
			occ = -1
		}
		occ = total + occ + 1
		if occ <= 0 {
			return false
		}
	}
	n := 0
	var found []byte
	ok := false
	forEachValue(m, a.name, a.full, func(b []byte) bool {
		n++
		if n == occ {
			found, ok = b, true
			return false
		}
		return true
	})
	if !ok {
		return false
	}
	v.t, v.s = stStr, found
	return true
}

func countHeader(m *http1.Message, name string, full bool, n *int) {
	forEachValue(m, name, full, func([]byte) bool { *n++; return true })
}

// walkHeader is forEachValue for callers that count.
func walkHeader(m *http1.Message, name string, full bool, fn func([]byte) bool) {
	forEachValue(m, name, full, fn)
}

// forEachValue calls fn with each value of header name (lowercase):
// whole lines when full, else split on commas and trimmed.
func forEachValue(m *http1.Message, name string, full bool, fn func([]byte) bool) {
	for i := range m.Headers {
		h := &m.Headers[i]
		if string(h.Name) != name {
			continue
		}
		val := h.Value
		if full || len(val) == 0 {
			if !fn(val) {
				return
			}
			continue
		}
		for len(val) > 0 {
			j := bytes.IndexByte(val, ',')
			var part []byte
			if j < 0 {
				part, val = val, nil
			} else {
				part, val = val[:j], val[j+1:]
			}
			if !fn(bytes.TrimSpace(part)) {
				return
			}
		}
	}
}

// fetchBase is the first Host value followed by the path.
func fetchBase(x *Ctx, _ *fetchArgs, v *smpVal) bool {
	if x.Req == nil {
		return false
	}
	host := x.Req.Get("host")
	b := x.scratch()
	b = append(b, host...)
	b = append(b, URIPath(x.Req.URI)...)
	x.setStr(v, b)
	return true
}

// fetchURLParam returns the first value of query parameter a.name.
func fetchURLParam(x *Ctx, a *fetchArgs, v *smpVal) bool {
	if x.Req == nil {
		return false
	}
	u := x.Req.URI
	q := bytes.IndexByte(u, '?')
	if q < 0 {
		return false
	}
	rest := u[q+1:]
	for len(rest) > 0 {
		end := bytes.IndexAny(rest, "&;")
		kv := rest
		if end >= 0 {
			kv, rest = rest[:end], rest[end+1:]
		} else {
			rest = nil
		}
		name, val := kv, kv[len(kv):]
		if e := bytes.IndexByte(kv, '='); e >= 0 {
			name, val = kv[:e], kv[e+1:]
		}
		if a.name == "" || string(name) == a.name {
			v.t, v.s = stStr, val
			return true
		}
	}
	return false
}

// fetchCookie returns the first value of cookie a.name in the Cookie
// headers (any cookie when the name is empty).
func fetchCookie(x *Ctx, a *fetchArgs, v *smpVal) bool {
	if x.Req == nil {
		return false
	}
	for i := range x.Req.Headers {
		h := &x.Req.Headers[i]
		if string(h.Name) != "cookie" {
			continue
		}
		rest := h.Value
		for len(rest) > 0 {
			end := bytes.IndexByte(rest, ';')
			kv := rest
			if end >= 0 {
				kv, rest = rest[:end], rest[end+1:]
			} else {
				rest = nil
			}
			kv = bytes.TrimSpace(kv)
			e := bytes.IndexByte(kv, '=')
			if e < 0 {
				continue
			}
			name, val := bytes.TrimSpace(kv[:e]), bytes.TrimSpace(kv[e+1:])
			if a.name == "" || string(name) == a.name {
				v.t, v.s = stStr, val
				return true
			}
		}
	}
	return false
}

// fetchCaptureReqHdr returns what `capture request header` slot a.n
// holds: the last value of that header, cut to the capture length.
func fetchCaptureReqHdr(x *Ctx, a *fetchArgs, v *smpVal) bool {
	if x.Req == nil || x.Frontend == nil {
		return false
	}
	c, ok := x.Frontend.RequestCapture(int(a.n))
	if !ok {
		return false
	}
	name := strings.ToLower(c.Name)
	var found []byte
	ok = false
	for i := range x.Req.Headers {
		if string(x.Req.Headers[i].Name) == name {
			found, ok = x.Req.Headers[i].Value, true
		}
	}
	if !ok {
		return false
	}
	if c.Len > 0 && len(found) > c.Len {
		found = found[:c.Len]
	}
	v.t, v.s = stStr, found
	return true
}

// uriPathQuery returns the path and query of a request target (without
// scheme://authority for an absolute URI).
func uriPathQuery(u []byte) []byte {
	if len(u) > 0 && u[0] != '/' {
		if i := bytes.Index(u, []byte("://")); i >= 0 {
			rest := u[i+3:]
			j := bytes.IndexByte(rest, '/')
			if j < 0 {
				return nil
			}
			return rest[j:]
		}
	}
	return u
}
