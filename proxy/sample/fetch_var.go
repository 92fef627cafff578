package sample

import (
	"bytes"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Variables, the unique-id, addresses carried in headers and URLs,
// response cookies and the buffered request body.
var varFetches = []fetchKw{
	{"var", compileVarFetch},
	{"unique-id", strFetch(func(x *Ctx) []byte { return x.UniqueID })},
	{"req.hdr_ip", hdrIPFetch(false)},
	{"hdr_ip", hdrIPFetch(false)},
	{"res.hdr_ip", hdrIPFetch(true)},
	{"shdr_ip", hdrIPFetch(true)},
	{"req.hdr_val", hdrValFetch(false)},
	{"hdr_val", hdrValFetch(false)},
	{"res.hdr_val", hdrValFetch(true)},
	{"res.cook", namedFetch(fetchResCookie)},
	{"scook", namedFetch(fetchResCookie)},
	{"req.cook_cnt", cookCntFetch(false)},
	{"cook_cnt", cookCntFetch(false)},
	{"res.cook_cnt", cookCntFetch(true)},
	{"scook_cnt", cookCntFetch(true)},
	{"url_ip", fixed(fetchURLIP)},
	{"url_port", fixed(fetchURLPort)},
	{"req.body", strFetch(func(x *Ctx) []byte { return x.Body })},
	{"req.body_len", intFetch(func(x *Ctx) (int64, bool) { return int64(len(x.Body)), x.Req != nil }, stInt)},
	{"req.body_size", intFetch(bodySize, stInt)},
	{"req.body_param", namedFetch(fetchBodyParam)},
}

func init() {
	registerFetches(varFetches)
	logVars["ID"] = func(dst []byte, x *Ctx) []byte { return append(dst, x.UniqueID...) }
}

// hdrIPFetch compiles req.hdr_ip(name[,occ]): a header occurrence parsed
// as an address (the last one by default).
func hdrIPFetch(res bool) fetchCompiler {
	inner := hdrFetch(res, false)
	return func(e *sampleExpr, args []string, o *Options) error {
		if err := inner(e, args, o); err != nil {
			return err
		}
		get := e.fetch
		e.fetch = func(x *Ctx, a *fetchArgs, v *smpVal) bool {
			if !get(x, a, v) {
				return false
			}
			ip, ok := parseHdrIP(v.s)
			if !ok {
				return false
			}
			v.t, v.ip = stIP, ip
			return true
		}
		return nil
	}
}

// parseHdrIP parses an address as HAProxy's hdr_ip does: IPv4 with an
// optional port, or IPv6 (bracketed or not).
func parseHdrIP(b []byte) (netip.Addr, bool) {
	s := string(b)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

// hdrValFetch compiles req.hdr_val(name[,occ]): a header occurrence as
// an integer.
func hdrValFetch(res bool) fetchCompiler {
	inner := hdrFetch(res, false)
	return func(e *sampleExpr, args []string, o *Options) error {
		if err := inner(e, args, o); err != nil {
			return err
		}
		get := e.fetch
		e.fetch = func(x *Ctx, a *fetchArgs, v *smpVal) bool {
			return get(x, a, v) && toInt(v)
		}
		return nil
	}
}

// fetchResCookie returns the value of cookie a.name in the Set-Cookie
// headers of the response.
func fetchResCookie(x *Ctx, a *fetchArgs, v *smpVal) bool {
	if x.Resp == nil {
		return false
	}
	for i := range x.Resp.Headers {
		h := &x.Resp.Headers[i]
		if string(h.Name) != "set-cookie" {
			continue
		}
		kv := h.Value
		if j := bytes.IndexByte(kv, ';'); j >= 0 {
			kv = kv[:j]
		}
		name, val, ok := bytes.Cut(kv, []byte("="))
		if !ok {
			continue
		}
		if a.name == "" || string(bytes.TrimSpace(name)) == a.name {
			v.t, v.s = stStr, bytes.TrimSpace(val)
			return true
		}
	}
	return false
}

// cookCntFetch compiles req.cook_cnt([name]) and res.cook_cnt([name]).
func cookCntFetch(res bool) fetchCompiler {
	return func(e *sampleExpr, args []string, _ *Options) error {
		if len(args) > 0 {
			e.fa.name = args[0]
		}
		e.fetch = func(x *Ctx, a *fetchArgs, v *smpVal) bool {
			m := msgOf(x, res)
			if m == nil {
				return false
			}
			hname := "cookie"
			if res {
				hname = "set-cookie"
			}
			n := 0
			for i := range m.Headers {
				h := &m.Headers[i]
				if string(h.Name) != hname {
					continue
				}
				parts := [][]byte{h.Value}
				if !res {
					parts = bytes.Split(h.Value, []byte(";"))
				} else if j := bytes.IndexByte(h.Value, ';'); j >= 0 {
					parts[0] = h.Value[:j]
				}
				for _, p := range parts {
					name, _, ok := bytes.Cut(p, []byte("="))
					if ok && (a.name == "" || string(bytes.TrimSpace(name)) == a.name) {
						n++
					}
				}
			}
			v.t, v.i = stInt, int64(n)
			return true
		}
		return nil
	}
}

// urlHostPort returns the host and port of an absolute request target.
func urlHostPort(u []byte) (host, port []byte, ok bool) {
	i := bytes.Index(u, []byte("://"))
	if len(u) == 0 || u[0] == '/' || i < 0 {
		return nil, nil, false
	}
	auth := u[i+3:]
	if j := bytes.IndexAny(auth, "/?"); j >= 0 {
		auth = auth[:j]
	}
	if j := bytes.LastIndexByte(auth, '@'); j >= 0 {
		auth = auth[j+1:]
	}
	host = auth
	if j := bytes.LastIndexByte(auth, ':'); j >= 0 && !bytes.HasSuffix(auth, []byte("]")) {
		host, port = auth[:j], auth[j+1:]
	}
	return bytes.Trim(host, "[]"), port, true
}

// fetchURLIP is url_ip: the address in an absolute URL's authority.
func fetchURLIP(x *Ctx, _ *fetchArgs, v *smpVal) bool {
	if x.Req == nil {
		return false
	}
	host, _, ok := urlHostPort(x.Req.URI)
	if !ok {
		return false
	}
	a, err := netip.ParseAddr(string(host))
	if err != nil {
		return false
	}
	v.t, v.ip = stIP, a.Unmap()
	return true
}

// fetchURLPort is url_port: the port of an absolute URL (80 when none
// is written, as HAProxy answers).
func fetchURLPort(x *Ctx, _ *fetchArgs, v *smpVal) bool {
	if x.Req == nil {
		return false
	}
	_, port, ok := urlHostPort(x.Req.URI)
	if !ok {
		return false
	}
	n := int64(80)
	if len(port) > 0 {
		p, err := strconv.Atoi(string(port))
		if err != nil {
			return false
		}
		n = int64(p)
	}
	v.t, v.i = stInt, n
	return true
}

// bodySize is req.body_size: the announced length of the request body.
func bodySize(x *Ctx) (int64, bool) {
	if x.Req == nil {
		return 0, false
	}
	if x.Req.ContentLength >= 0 {
		return x.Req.ContentLength, true
	}
	return int64(len(x.Body)), true
}

// fetchBodyParam is req.body_param([name]): a parameter of an
// application/x-www-form-urlencoded body.
func fetchBodyParam(x *Ctx, a *fetchArgs, v *smpVal) bool {
	rest := x.Body
	for len(rest) > 0 {
		kv := rest
		if end := bytes.IndexByte(rest, '&'); end >= 0 {
			kv, rest = rest[:end], rest[end+1:]
		} else {
			rest = nil
		}
		name, val, _ := bytes.Cut(kv, []byte("="))
		if a.name == "" || string(name) == a.name {
			v.t, v.s = stStr, val
			return true
		}
	}
	return false
}

// varNameArg checks that s names a variable, for converters taking one.
func varNameArg(s string) (*VarRef, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	r, err := ParseVarName(s)
	if err != nil {
		return nil, fmt.Errorf("%w", err)
	}
	return &r, nil
}
