package stream

import (
	"bytes"
	"context"
	"strings"
	"time"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/http1"
)

// Cookie persistence (`cookie NAME insert|rewrite|prefix ...` on a
// backend, `cookie VALUE` on its servers), as HAProxy 2.6 applies it:
//
//   - before the server is chosen (cookieRequest, from phaseConnect): the
//     request's cookie NAME names a server; a server that is up (or any,
//     with `option persist`) gets the request, through the same connect
//     context as `stick match` (stickTargetKey). A cookie past maxidle or
//     maxlife is ignored. In insert mode with indirect the cookie is
//     removed from the request sent on; in prefix mode its "SRV~" prefix.
//   - once the response head is read (cookieResponse, from
//     phaseResponseRules): insert mode adds Set-Cookie when the request
//     was not directed by a valid cookie (or its dates need refreshing),
//     and the server's own cookie NAME is deleted, rewritten (rewrite)
//     or prefixed (prefix).
//
// The log's %tsc shows the request's cookie (N none, I invalid, D down,
// V valid, E expired, O old) and what was done to the response's (N, I
// inserted, U updated, P kept, R rewritten, D deleted).

// cookiePersist is a backend's compiled `cookie` setting.
type cookiePersist struct {
	cfg     *config.CookiePersist
	name    []byte
	byValue map[string]*Server
	persist bool // option persist
	// attrs is what follows "; path=/" in an inserted Set-Cookie.
	attrs string
}

// cookieTxn is a request's cookie persistence state.
type cookieTxn struct {
	target    *Server // the server a valid cookie named
	req, resp byte    // the %tsc characters
	first     int64   // the cookie's first date (s), 0 = none
	last      int64   // its last date (s)
}

// cookieDelimDate separates the server's value from the cookie's dates.
const cookieDelimDate = '|'

// newCookiePersist compiles b's cookie setting (nil without one).
func newCookiePersist(b *Backend) *cookiePersist {
	c := b.Cfg.Cookie
	if c == nil {
		return nil
	}
	cp := &cookiePersist{cfg: c, name: []byte(c.Name), byValue: map[string]*Server{}, persist: b.Cfg.Options.Persist}
	for _, s := range b.ServerList() {
		if s.Cfg != nil && s.Cfg.Cookie != "" {
			if _, dup := cp.byValue[s.Cfg.Cookie]; !dup {
				cp.byValue[s.Cfg.Cookie] = s
			}
		}
	}
	var a strings.Builder
	for _, d := range c.Domains {
		a.WriteString("; domain=" + d)
	}
	if c.HTTPOnly {
		a.WriteString("; HttpOnly")
	}
	if c.Secure {
		a.WriteString("; Secure")
	}
	if len(c.Attrs) > 0 {
		a.WriteString("; " + strings.Join(c.Attrs, "; "))
	}
	cp.attrs = a.String()
	return cp
}

// logs reports whether %tsc shows cookie characters (a mode is set).
func (cp *cookiePersist) logs() bool { return cp.cfg.Mode != "" }

// cookieRequest reads the request's persistence cookie into t.ck,
// rewrites the request's Cookie headers when the mode says so, and
// returns ctx carrying the server the cookie directs the request to.
func (s *httpSession) cookieRequest(t *txn, ctx context.Context) context.Context {
	cp := t.be.ck
	t.ck = cookieTxn{req: 'N', resp: 'N'}
	w := s.w
	strip := cp.cfg.Mode == "prefix" || (cp.cfg.Mode == "insert" && cp.cfg.Indirect)
	var sent [][]byte // the Cookie headers to send, when one changed
	edited := false
	for i := range w.req.Headers {
		h := &w.req.Headers[i]
		if string(h.Name) != "cookie" {
			continue
		}
		v, _, changed := cp.scanCookieHeader(h.Value, strip, &t.ck)
		edited = edited || changed
		if len(v) > 0 {
			sent = append(sent, v)
		}
	}
	if edited {
		w.reqEdits = append(w.reqEdits, hdrEdit{op: hdrDel, name: []byte("cookie")})
		for _, v := range sent {
			w.reqEdits = append(w.reqEdits, hdrEdit{op: hdrAdd, name: []byte("cookie"), value: v})
		}
	}
	if t.ck.target != nil {
		return context.WithValue(ctx, stickTargetKey{}, t.ck.target)
	}
	return ctx
}

// scanCookieHeader looks for the persistence cookie in one Cookie
// header value: the first one found sets ck. It returns the value to
// send on (the cookie removed or its prefix stripped when strip),
// whether the cookie was there and whether the value changed.
func (cp *cookiePersist) scanCookieHeader(v []byte, strip bool, ck *cookieTxn) (out []byte, found, changed bool) {
	rest := v
	var parts [][]byte
	for len(rest) > 0 {
		var part []byte
		if i := bytes.IndexByte(rest, ';'); i >= 0 {
			part, rest = rest[:i], rest[i+1:]
		} else {
			part, rest = rest, nil
		}
		part = bytes.TrimSpace(part)
		name, val, _ := bytes.Cut(part, []byte("="))
		if !bytes.Equal(bytes.TrimSpace(name), cp.name) {
			if len(part) > 0 {
				parts = append(parts, part)
			}
			continue
		}
		if !found && ck.req == 'N' {
			cp.judge(val, ck)
		}
		found = true
		switch {
		case !strip:
			parts = append(parts, part)
		case cp.cfg.Mode == "prefix":
			if j := bytes.IndexByte(val, '~'); j >= 0 {
				part = append(append(append([]byte(nil), name...), '='), val[j+1:]...)
				changed = true
			}
			parts = append(parts, part)
		default:
			changed = true
		}
	}
	if !changed {
		return v, found, false
	}
	return bytes.Join(parts, []byte("; ")), found, true
}

// judge decides what the cookie value val says: the server it names, and
// whether that server takes the request (ck.target).
func (cp *cookiePersist) judge(val []byte, ck *cookieTxn) {
	srvVal := val
	if cp.cfg.Mode == "prefix" {
		if j := bytes.IndexByte(val, '~'); j >= 0 {
			srvVal = val[:j]
		}
	} else if j := bytes.IndexByte(val, cookieDelimDate); j >= 0 {
		srvVal = val[:j]
		ck.last, ck.first = cookieDates(val[j+1:])
	}
	now := time.Now().Unix()
	switch {
	case ck.first != 0 && cp.cfg.MaxLife > 0 && (now-ck.first > int64(cp.cfg.MaxLife/time.Second) || ck.first-now > 86400):
		ck.req, ck.first, ck.last = 'O', 0, 0
		return
	case ck.last != 0 && cp.cfg.MaxIdle > 0 && (now-ck.last > int64(cp.cfg.MaxIdle/time.Second) || ck.last-now > 86400):
		ck.req, ck.first, ck.last = 'E', 0, 0
		return
	}
	srv := cp.byValue[string(srvVal)]
	switch {
	case srv == nil:
		ck.req = 'I'
	case srv.Usable():
		ck.req, ck.target = 'V', srv
	case cp.persist:
		ck.req, ck.target = 'D', srv
	default:
		ck.req = 'D'
	}
}

// cookieDates decodes "LAST[|FIRST]", each five base64 characters of a
// date in seconds divided by 4 (HAProxy's s30tob64); 0 when absent or
// malformed.
func cookieDates(b []byte) (last, first int64) {
	last = b64s30(b)
	if len(b) > 6 && b[5] == cookieDelimDate {
		first = b64s30(b[6:])
	}
	return last, first
}

const b64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// b64s30 decodes five base64 characters into a date (s), 0 when bad.
func b64s30(b []byte) int64 {
	if len(b) < 5 {
		return 0
	}
	var v int64
	for _, c := range b[:5] {
		i := strings.IndexByte(b64Alphabet, c)
		if i < 0 {
			return 0
		}
		v = v<<6 | int64(i)
	}
	return v << 2
}

// s30b64 appends the five base64 characters of date (s) / 4.
func s30b64(dst []byte, date int64) []byte {
	v := date >> 2
	var out [5]byte
	for i := 4; i >= 0; i-- {
		out[i] = b64Alphabet[v&0x3f]
		v >>= 6
	}
	return append(dst, out[:]...)
}

// cookieResponse applies the backend's cookie mode to the response head
// of t (its server's cookie, then the inserted one) and records the
// %tsc characters in the log entry.
func (s *httpSession) cookieResponse(t *txn) {
	cp := t.be.ck
	srv := t.srv
	direct := t.ck.target != nil && srv == t.ck.target
	w := s.w
	scFound := false
	if cp.cfg.Mode != "" {
		scFound = s.serverCookies(t, cp, direct)
	}
	now := time.Now().Unix()
	insert := cp.cfg.Mode == "insert" && srv != nil && !(scFound && cp.cfg.Preserve) &&
		(!direct ||
			((cp.cfg.MaxIdle > 0 || t.ck.last != 0) && (t.ck.last == 0 || t.ck.last-now < 0)) ||
			(cp.cfg.MaxLife > 0 && t.ck.first == 0) ||
			(cp.cfg.MaxLife == 0 && t.ck.first != 0)) &&
		(!cp.cfg.PostOnly || string(w.req.Method) == "POST")
	if insert {
		w.rspEdits = append(w.rspEdits, hdrEdit{op: hdrAdd, name: []byte("set-cookie"), value: cp.setCookie(srv, t.ck.first, now)})
		t.ck.resp = 'I'
		if srv.Cfg.Cookie != "" && direct {
			t.ck.resp = 'U'
		}
		if cp.cfg.NoCache && cacheable(&w.resp) {
			w.rspEdits = append(w.rspEdits, hdrEdit{op: hdrAdd, name: []byte("cache-control"), value: []byte("private")})
		}
	}
	if e := t.e; e != nil && cp.logs() {
		e.Cookie = [2]byte{t.ck.req, t.ck.resp}
	}
}

// setCookie is the Set-Cookie value insert mode adds for srv (one
// clearing the cookie when srv has no cookie value).
func (cp *cookiePersist) setCookie(srv *Server, first, now int64) []byte {
	v := append([]byte(nil), cp.cfg.Name...)
	if srv.Cfg.Cookie == "" {
		v = append(v, "=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/"...)
		return append(v, cp.attrs...)
	}
	v = append(v, '=')
	v = append(v, srv.Cfg.Cookie...)
	if cp.cfg.MaxIdle > 0 || cp.cfg.MaxLife > 0 {
		v = s30b64(append(v, cookieDelimDate), now+3)
		if cp.cfg.MaxLife > 0 {
			if first == 0 {
				first = now + 3
			}
			v = s30b64(append(v, cookieDelimDate), first)
		}
	}
	v = append(v, "; path=/"...)
	return append(v, cp.attrs...)
}

// serverCookies applies the mode to the server's own Set-Cookie of the
// persistence cookie: kept with preserve, deleted in insert mode (or on
// a direct request with indirect), its value replaced by the server's
// (rewrite) or prefixed with it (prefix). It reports whether the server
// set the cookie.
func (s *httpSession) serverCookies(t *txn, cp *cookiePersist, direct bool) bool {
	w := s.w
	found, touched := false, false
	var kept [][]byte
	for i := range w.resp.Headers {
		h := &w.resp.Headers[i]
		if string(h.Name) != "set-cookie" {
			continue
		}
		name, val, _ := bytes.Cut(h.Value, []byte("="))
		if !bytes.Equal(bytes.TrimSpace(name), cp.name) {
			kept = append(kept, h.Value)
			continue
		}
		found = true
		srv := t.srv
		switch {
		case cp.cfg.Preserve:
			t.ck.resp = 'P'
			kept = append(kept, h.Value)
		case (srv != nil && cp.cfg.Mode == "insert") || (direct && cp.cfg.Indirect):
			t.ck.resp, touched = 'D', true
		case srv != nil && srv.Cfg.Cookie != "" && cp.cfg.Mode == "rewrite":
			end := bytes.IndexByte(val, ';')
			if end < 0 {
				end = len(val)
			}
			nv := append(append(append(append([]byte(nil), name...), '='), srv.Cfg.Cookie...), val[end:]...)
			kept, t.ck.resp, touched = append(kept, nv), 'R', true
		case srv != nil && srv.Cfg.Cookie != "" && cp.cfg.Mode == "prefix":
			nv := append(append(append(append(append([]byte(nil), name...), '='), srv.Cfg.Cookie...), '~'), val...)
			kept, t.ck.resp, touched = append(kept, nv), 'R', true
		default:
			t.ck.resp = 'P'
			kept = append(kept, h.Value)
		}
	}
	if touched {
		w.rspEdits = append(w.rspEdits, hdrEdit{op: hdrDel, name: []byte("set-cookie")})
		for _, v := range kept {
			w.rspEdits = append(w.rspEdits, hdrEdit{op: hdrAdd, name: []byte("set-cookie"), value: v})
		}
	}
	return found
}

// cacheable approximates HAProxy's TX_CACHEABLE for nocache: a status
// caches may keep, no Cache-Control already making it private, and an
// expiration time or a validator (RFC 7234 section 3: without either, a
// cache does not store it, and HAProxy adds nothing).
func cacheable(r *http1.Response) bool {
	switch r.Status {
	case 200, 203, 204, 206, 300, 301, 404, 405, 410, 414, 501:
	default:
		return false
	}
	fresh := false
	for i := range r.Headers {
		h := &r.Headers[i]
		switch string(h.Name) {
		case "cache-control":
			v := bytes.ToLower(h.Value)
			if bytes.Contains(v, []byte("private")) || bytes.Contains(v, []byte("no-cache")) || bytes.Contains(v, []byte("no-store")) {
				return false
			}
			fresh = fresh || bytes.Contains(v, []byte("max-age")) || bytes.Contains(v, []byte("public"))
		case "expires", "etag", "last-modified":
			fresh = true
		}
	}
	return fresh
}
