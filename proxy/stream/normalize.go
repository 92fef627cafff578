package stream

import (
	"bytes"
	"sort"

	"github.com/goha/goha/proxy/rules"
)

// normalize-uri: HAProxy 2.6's normalizers, one row each, applied to the
// request target (path and query, the scheme and authority of an
// absolute target kept).

// normalizer rewrites a path and query (query with its '?') into dst.
type normalizer func(dst, path, query []byte, rw *rules.Rewrite) []byte

var normalizers = map[string]normalizer{
	"path-merge-slashes":        func(d, p, q []byte, _ *rules.Rewrite) []byte { return append(mergeSlashes(d, p), q...) },
	"path-strip-dot":            func(d, p, q []byte, _ *rules.Rewrite) []byte { return append(stripDot(d, p), q...) },
	"path-strip-dotdot":         func(d, p, q []byte, rw *rules.Rewrite) []byte { return append(stripDotDot(d, p, rw.Full), q...) },
	"percent-to-uppercase":      func(d, p, q []byte, _ *rules.Rewrite) []byte { return percentUpper(percentUpper(d, p), q) },
	"percent-decode-unreserved": func(d, p, q []byte, _ *rules.Rewrite) []byte { return decodeUnreserved(decodeUnreserved(d, p), q) },
	"query-sort-by-name":        func(d, p, q []byte, _ *rules.Rewrite) []byte { return sortQuery(append(d, p...), q) },
	"fragment-strip":            fragment(false),
	"fragment-encode":           fragment(true),
}

func runNormalizeURI(s *httpSession, r *rules.HTTPRule, _ bool) bool {
	fn := normalizers[r.RW.Normalizer]
	if fn == nil {
		return true
	}
	prefix, path, query := splitTarget(s.w.req.URI)
	rs := &s.w.rws
	a := len(rs.rw)
	rs.rw = append(rs.rw, prefix...)
	rs.rw = fn(rs.rw, path, query, r.RW)
	return s.setURI(rs.rw[a:len(rs.rw):len(rs.rw)])
}

func mergeSlashes(d, p []byte) []byte {
	for i, c := range p {
		if c == '/' && i > 0 && p[i-1] == '/' {
			continue
		}
		d = append(d, c)
	}
	return d
}

// segments splits a path on '/' (the leading one dropped).
func segments(p []byte) [][]byte {
	if len(p) > 0 && p[0] == '/' {
		p = p[1:]
	}
	return bytes.Split(p, []byte("/"))
}

func joinSegments(d []byte, segs [][]byte) []byte {
	for _, sg := range segs {
		d = append(d, '/')
		d = append(d, sg...)
	}
	if len(segs) == 0 {
		d = append(d, '/')
	}
	return d
}

// stripDot removes "." segments.
func stripDot(d, p []byte) []byte {
	if len(p) == 0 || p[0] != '/' {
		return append(d, p...)
	}
	segs := segments(p)
	out := segs[:0:0]
	for i, sg := range segs {
		if string(sg) == "." {
			if i == len(segs)-1 {
				out = append(out, nil)
			}
			continue
		}
		out = append(out, sg)
	}
	return joinSegments(d, out)
}

// stripDotDot removes ".." segments with the segment before them; with
// full, ".." at the start is dropped too.
func stripDotDot(d, p []byte, full bool) []byte {
	if len(p) == 0 || p[0] != '/' {
		return append(d, p...)
	}
	segs := segments(p)
	var out [][]byte
	for i, sg := range segs {
		if string(sg) != ".." {
			out = append(out, sg)
			continue
		}
		switch {
		case len(out) > 0 && string(out[len(out)-1]) != "..":
			out = out[:len(out)-1]
		case !full:
			out = append(out, sg)
			continue
		}
		if i == len(segs)-1 {
			out = append(out, nil)
		}
	}
	return joinSegments(d, out)
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func upperHex(c byte) byte {
	if c >= 'a' && c <= 'f' {
		return c - 'a' + 'A'
	}
	return c
}

func percentUpper(d, p []byte) []byte {
	for i := 0; i < len(p); i++ {
		if p[i] == '%' && i+2 < len(p) && isHex(p[i+1]) && isHex(p[i+2]) {
			d = append(d, '%', upperHex(p[i+1]), upperHex(p[i+2]))
			i += 2
			continue
		}
		d = append(d, p[i])
	}
	return d
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

func unreserved(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

func decodeUnreserved(d, p []byte) []byte {
	for i := 0; i < len(p); i++ {
		if p[i] == '%' && i+2 < len(p) && isHex(p[i+1]) && isHex(p[i+2]) {
			if c := unhex(p[i+1])<<4 | unhex(p[i+2]); unreserved(c) {
				d = append(d, c)
				i += 2
				continue
			}
		}
		d = append(d, p[i])
	}
	return d
}

// sortQuery sorts the query's parameters by name, keeping the order of
// equal names.
func sortQuery(d, q []byte) []byte {
	if len(q) < 2 {
		return append(d, q...)
	}
	params := bytes.Split(q[1:], []byte("&"))
	sort.SliceStable(params, func(i, j int) bool {
		ni, _, _ := bytes.Cut(params[i], []byte("="))
		nj, _, _ := bytes.Cut(params[j], []byte("="))
		return bytes.Compare(ni, nj) < 0
	})
	d = append(d, '?')
	return append(d, bytes.Join(params, []byte("&"))...)
}

// fragment strips a '#fragment' from the target, or encodes its '#'.
func fragment(encode bool) normalizer {
	return func(d, p, q []byte, _ *rules.Rewrite) []byte {
		all := append(append([]byte(nil), p...), q...)
		i := bytes.IndexByte(all, '#')
		if i < 0 {
			return append(d, all...)
		}
		if !encode {
			return append(d, all[:i]...)
		}
		d = append(d, all[:i]...)
		d = append(d, "%23"...)
		return append(d, all[i+1:]...)
	}
}
