package sample

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/goha/goha/proxy/http1"
)

// Headers of the request and of the response, cookies and query
// parameters.
var hdrFetches = []fetchKw{
	{"hdr", hdrFetch(false, false)},
	{"req.hdr", hdrFetch(false, false)},
	{"req.fhdr", hdrFetch(false, true)},
	{"res.hdr", hdrFetch(true, false)},
	{"shdr", hdrFetch(true, false)},
	{"res.fhdr", hdrFetch(true, true)},
	{"hdr_cnt", hdrCntFetch(false, false)},
	{"req.hdr_cnt", hdrCntFetch(false, false)},
	{"req.fhdr_cnt", hdrCntFetch(false, true)},
	{"res.hdr_cnt", hdrCntFetch(true, false)},
	{"res.fhdr_cnt", hdrCntFetch(true, true)},
	{"url_param", namedFetch(fetchURLParam)},
	{"urlp", namedFetch(fetchURLParam)},
	{"cookie", namedFetch(fetchCookie)},
	{"cook", namedFetch(fetchCookie)},
	{"req.cook", namedFetch(fetchCookie)},
}

func init() { registerFetches(hdrFetches) }

// namedFetch compiles a fetch whose optional first argument is a name
// (a parameter or a cookie; without it, the first one).
func namedFetch(fn fetchFn) fetchCompiler {
	return func(e *sampleExpr, args []string, _ *Options) error {
		if len(args) > 0 {
			e.fa.name = args[0]
		}
		e.fetch = fn
		return nil
	}
}

// hdrFetch compiles hdr(name[,occ]) and friends. Without occ, hdr()
// returns the last value (HAProxy's default occurrence -1); values are
// split on commas unless full (fhdr).
func hdrFetch(res, full bool) fetchCompiler {
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

func hdrCntFetch(res, full bool) fetchCompiler {
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
