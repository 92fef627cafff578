package sample

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/goha/goha/proxy/http1"
)

// The request line, the response status line, captures and the
// transaction (headers, cookies and parameters are in fetch_hdr.go).
var httpFetches = []fetchKw{
	{"path", reqStrFetch(func(r *http1.Request) []byte { return URIPath(r.URI) })},
	{"pathq", reqStrFetch(func(r *http1.Request) []byte { return uriPathQuery(r.URI) })},
	{"url", reqStrFetch(reqURI)},
	{"query", reqStrFetch(reqQuery)},
	{"method", reqStrFetch(reqMethod)},
	{"req.ver", reqStrFetch(reqVersion)},
	{"req_ver", reqStrFetch(reqVersion)},
	{"capture.req.method", reqStrFetch(reqMethod)},
	{"capture.req.uri", reqStrFetch(reqURI)},
	{"capture.req.ver", reqStrFetch(func(r *http1.Request) []byte { return r.Proto })},
	{"capture.req.hdr", compileCaptureReqHdr},
	{"base", func(e *sampleExpr, _ []string, _ *Options) error { e.fetch = fetchBase; return nil }},
	{"res.ver", strFetch(resVersion)},
	{"status", intFetch(resStatus, stInt)},
	{"http_first_req", intFetch(firstReq, stBool)},
	{"req.proto_http", intFetch(func(x *Ctx) (int64, bool) { return b2i(x.Req != nil), true }, stBool)},
}

func init() { registerFetches(httpFetches) }

func reqURI(r *http1.Request) []byte { return r.URI }

func reqMethod(r *http1.Request) []byte { return r.Method }

// reqQuery is the query string, without its '?'.
func reqQuery(r *http1.Request) []byte {
	if q := bytes.IndexByte(r.URI, '?'); q >= 0 {
		return r.URI[q+1:]
	}
	return nil
}

// reqVersion is "1.1" of "HTTP/1.1".
func reqVersion(r *http1.Request) []byte {
	if len(r.Proto) > 5 {
		return r.Proto[5:]
	}
	return nil
}

func resVersion(x *Ctx) []byte {
	if x.Resp == nil || len(x.Resp.Proto) <= 5 {
		return nil
	}
	return x.Resp.Proto[5:]
}

func resStatus(x *Ctx) (int64, bool) {
	if x.Resp == nil {
		return 0, false
	}
	return int64(x.Resp.Status), true
}

// firstReq is http_first_req: the request is the connection's first.
func firstReq(x *Ctx) (int64, bool) {
	if x.Req == nil {
		return 0, false
	}
	return b2i(x.NReq == 0), true
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// compileCaptureReqHdr compiles capture.req.hdr(slot).
func compileCaptureReqHdr(e *sampleExpr, args []string, _ *Options) error {
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
