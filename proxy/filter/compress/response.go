package compress

import (
	"bytes"

	"github.com/goha/goha/proxy/http1"
)

// minSize is the smallest Content-Length compressed: gzip's header and
// trailer alone take 18 bytes, so a smaller body can only grow (nginx's
// gzip_min_length default is the same 20).
const minSize = 20

// A response rule says why a response is sent as is; the rules are
// HAProxy 2.6's (select_compression_response_header), in its order.
type rule struct {
	why  string
	skip func(status int, resp *http1.Message, types []string) bool
}

var rules = []rule{
	{"HTTP/1.0 response", func(_ int, m *http1.Message, _ []string) bool { return m.Minor < 1 }},
	{"status other than 200, 201, 202, 203", func(st int, _ *http1.Message, _ []string) bool { return st < 200 || st > 203 }},
	{"no length and not chunked (close-delimited), or empty", func(_ int, m *http1.Message, _ []string) bool {
		return !m.Chunked && m.ContentLength <= 0
	}},
	// Beyond HAProxy 2.6, which gzips a 3-byte body into 23 bytes: a
	// body announced smaller than minSize is sent as is.
	{"smaller than the gzip framing", func(_ int, m *http1.Message, _ []string) bool {
		return !m.Chunked && m.ContentLength > 0 && m.ContentLength < minSize
	}},
	{"already Content-Encoded", func(_ int, m *http1.Message, _ []string) bool { return has(m, "content-encoding") }},
	{"Cache-Control: no-transform", func(_ int, m *http1.Message, _ []string) bool { return noTransform(m) }},
	{"invalid or several ETags", func(_ int, m *http1.Message, _ []string) bool { return badETag(m) }},
	{"multipart or unlisted Content-Type", func(_ int, m *http1.Message, types []string) bool { return !typeListed(m, types) }},
}

// compressible reports whether a response passes every rule.
func compressible(status int, resp *http1.Message, types []string) bool {
	return whyNot(status, resp, types) == ""
}

// whyNot returns the first rule that keeps the response as is, or "".
func whyNot(status int, resp *http1.Message, types []string) string {
	for _, r := range rules {
		if r.skip(status, resp, types) {
			return r.why
		}
	}
	return ""
}

func has(m *http1.Message, name string) bool {
	for i := range m.Headers {
		if string(m.Headers[i].Name) == name {
			return true
		}
	}
	return false
}

// noTransform reports a "no-transform" element in any Cache-Control.
func noTransform(m *http1.Message) bool {
	found := false
	for i := range m.Headers {
		if string(m.Headers[i].Name) != "cache-control" {
			continue
		}
		forEachElement(m.Headers[i].Value, func(el []byte) {
			found = found || bytes.EqualFold(el, []byte("no-transform"))
		})
	}
	return found
}

// badETag reports several ETag headers or one that is neither "x" nor
// W/"x".
func badETag(m *http1.Message) bool {
	n := 0
	var v []byte
	for i := range m.Headers {
		if string(m.Headers[i].Name) == "etag" {
			n++
			v = bytes.Trim(m.Headers[i].Value, " \t")
		}
	}
	switch {
	case n == 0:
		return false
	case n > 1, len(v) < 2, v[len(v)-1] != '"':
		return true
	}
	return v[0] != '"' && !bytes.HasPrefix(v, []byte(`W/"`))
}

// typeListed reports whether the first Content-Type allows compression:
// never multipart, and one of types (prefixes, any case) when there are
// types; without a Content-Type, only when there are no types.
func typeListed(m *http1.Message, types []string) bool {
	if !has(m, "content-type") {
		return len(types) == 0
	}
	ct := bytes.Trim(firstValue(m, "content-type"), " \t")
	if hasPrefixFold(ct, "multipart") {
		return false
	}
	if len(types) == 0 {
		return true
	}
	for _, t := range types {
		if hasPrefixFold(ct, t) {
			return true
		}
	}
	return false
}

func hasPrefixFold(s []byte, prefix string) bool {
	return len(s) >= len(prefix) && bytes.EqualFold(s[:len(prefix)], []byte(prefix))
}
