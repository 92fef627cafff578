package h2

import (
	"strconv"
	"strings"

	"github.com/goha/goha/proxy/http1"
	"golang.org/x/net/http2/hpack"
)

// errMalformed is the cause of a stream error PROTOCOL_ERROR for a
// message RFC 9113 §8.1.1 calls malformed.
type errMalformed string

// Error says what made the message malformed.
func (e errMalformed) Error() string { return "h2: malformed message: " + string(e) }

// connectionSpecific are the fields RFC 9113 §8.2.2 forbids in HTTP/2;
// they are refused when received and dropped when converting HTTP/1.1.
var connectionSpecific = map[string]bool{
	"connection": true, "keep-alive": true, "proxy-connection": true,
	"transfer-encoding": true, "upgrade": true,
}

// msgInfo is what the conversion learned about a message's framing.
type msgInfo struct {
	method        string // requests
	status        int    // responses
	contentLength int64  // -1 when not declared
	chunked       bool   // the HTTP/1.1 body is sent chunked
	trailer       bool   // a Trailer field announces trailers
}

// requestPseudo collects a request's pseudo-header fields.
type requestPseudo struct {
	method, scheme, path, authority string
	seen                            int
}

// pseudoSetters is the table of request pseudo-header fields; any other
// field starting with ':' makes the request malformed.
var pseudoSetters = map[string]func(p *requestPseudo, v string){
	":method":    func(p *requestPseudo, v string) { p.method = v },
	":scheme":    func(p *requestPseudo, v string) { p.scheme = v },
	":path":      func(p *requestPseudo, v string) { p.path = v },
	":authority": func(p *requestPseudo, v string) { p.authority = v },
}

// checkRequestPseudo validates the request pseudo-headers (RFC 9113
// §8.3.1): CONNECT has :method and :authority only; others need a
// :method, a :scheme and a non-empty :path.
func checkRequestPseudo(p *requestPseudo, fields []hpack.HeaderField) error {
	for _, f := range fields {
		if !strings.HasPrefix(f.Name, ":") {
			break
		}
		set, ok := pseudoSetters[f.Name]
		if !ok {
			return errMalformed("pseudo-header " + f.Name + " in a request")
		}
		set(p, f.Value)
		p.seen++
	}
	switch {
	case !isToken(p.method):
		return errMalformed(":method " + strconv.Quote(p.method))
	case !visible(p.path) || !visible(p.authority) || strings.ContainsAny(p.authority, "/?#@"):
		return errMalformed(":path or :authority with a byte HTTP/1.1 does not allow")
	case p.method == "CONNECT":
		if p.scheme != "" || p.path != "" || p.authority == "" {
			return errMalformed("CONNECT needs :authority and no :scheme nor :path")
		}
	case p.scheme == "" || p.path == "":
		return errMalformed("no :scheme or empty :path")
	case p.path[0] != '/' && !(p.path == "*" && p.method == "OPTIONS"):
		return errMalformed("bad :path " + strconv.Quote(p.path))
	}
	return nil
}

// checkField validates one regular field of a request or response
// (connection-specific fields, TE) and folds Content-Length into info.
func checkField(f hpack.HeaderField, info *msgInfo) error {
	if strings.HasPrefix(f.Name, ":") {
		return errMalformed("pseudo-header " + f.Name + " after regular fields")
	}
	if connectionSpecific[f.Name] {
		return errMalformed("connection-specific field " + f.Name)
	}
	switch f.Name {
	case "te":
		if f.Value != "trailers" {
			return errMalformed("te: " + f.Value)
		}
	case "trailer":
		info.trailer = true
	case "content-length":
		n, err := strconv.ParseInt(f.Value, 10, 64)
		if err != nil || n < 0 || f.Value[0] == '+' || (info.contentLength >= 0 && n != info.contentLength) {
			return errMalformed("content-length " + strconv.Quote(f.Value))
		}
		info.contentLength = n
	}
	return nil
}

// appendFields appends the regular fields as HTTP/1.1 lines, the cookie
// crumbs joined into one field with "; " (RFC 9113 §8.2.3), skipping
// "host" when skipHost (the :authority took its place).
func appendFields(dst []byte, fields []hpack.HeaderField, skipHost bool, info *msgInfo) ([]byte, error) {
	cookieDone := false
	for i, f := range fields {
		if err := checkField(f, info); err != nil {
			return dst, err
		}
		switch {
		case f.Name == "host" && skipHost, f.Name == "content-length":
			continue
		case f.Name == "cookie":
			if cookieDone {
				continue
			}
			cookieDone = true
			dst = appendCookies(dst, fields[i:])
			continue
		}
		dst = appendLine(dst, f.Name, f.Value)
	}
	return dst, nil
}

// appendCookies appends one cookie line joining every cookie field of
// fields in order.
func appendCookies(dst []byte, fields []hpack.HeaderField) []byte {
	dst = append(dst, "cookie: "...)
	n := 0
	for _, f := range fields {
		if f.Name == "cookie" {
			if n > 0 {
				dst = append(dst, "; "...)
			}
			dst = append(dst, f.Value...)
			n++
		}
	}
	return append(dst, "\r\n"...)
}

func appendLine(dst []byte, name, value string) []byte {
	dst = append(dst, name...)
	dst = append(dst, ": "...)
	dst = append(dst, value...)
	return append(dst, "\r\n"...)
}

// appendFraming appends Content-Length or Transfer-Encoding as the body
// requires: the declared length, zero when the message ended with its
// head and may carry a body, chunked when the length is unknown.
// A declared length with announced trailers goes chunked, as HTTP/1.1
// carries trailers only there (gRPC over HTTP/2 may declare both).
func appendFraming(dst []byte, info *msgInfo, ended, bodyless bool) []byte {
	switch {
	case info.contentLength >= 0 && !(info.trailer && !ended && !bodyless):
		if !bodyless || info.method == "HEAD" {
			dst = append(dst, "content-length: "...)
			dst = strconv.AppendInt(dst, info.contentLength, 10)
			dst = append(dst, "\r\n"...)
		}
	case bodyless:
	case ended:
		if info.method != "GET" && info.method != "HEAD" && info.method != "" || info.status != 0 {
			dst = append(dst, "content-length: 0\r\n"...)
		}
		info.contentLength = 0
	default:
		info.chunked = true
		dst = append(dst, "transfer-encoding: chunked\r\n"...)
	}
	return dst
}

// buildRequest appends the HTTP/1.1 request head that the fields of a
// HEADERS block stand for. ended is true when the HEADERS frame ended
// the stream (no body).
func buildRequest(dst []byte, fields []hpack.HeaderField, ended bool) ([]byte, msgInfo, error) {
	info := msgInfo{contentLength: -1}
	var p requestPseudo
	if err := checkRequestPseudo(&p, fields); err != nil {
		return dst, info, err
	}
	info.method = p.method
	if dst == nil {
		n := 64
		for _, f := range fields {
			n += len(f.Name) + len(f.Value) + 4
		}
		dst = make([]byte, 0, n)
	}
	dst = append(dst, p.method...)
	dst = append(dst, ' ')
	if p.method == "CONNECT" {
		dst = append(dst, p.authority...)
	} else {
		dst = append(dst, p.path...)
	}
	dst = append(dst, " HTTP/1.1\r\n"...)
	if p.authority != "" {
		dst = appendLine(dst, "host", p.authority)
	}
	var err error
	if dst, err = appendFields(dst, fields[p.seen:], p.authority != "", &info); err != nil {
		return dst, info, err
	}
	if ended && info.contentLength > 0 {
		return dst, info, errMalformed("content-length with no DATA")
	}
	dst = appendFraming(dst, &info, ended, p.method == "CONNECT")
	return append(dst, "\r\n"...), info, nil
}

// buildResponse appends the HTTP/1.1 response head that the fields of a
// response HEADERS block stand for; head tells whether the request was
// HEAD (no body whatever the fields say).
func buildResponse(dst []byte, fields []hpack.HeaderField, ended, head bool) ([]byte, msgInfo, error) {
	info := msgInfo{contentLength: -1}
	if len(fields) == 0 || fields[0].Name != ":status" {
		return dst, info, errMalformed("no :status")
	}
	st, err := strconv.Atoi(fields[0].Value)
	if err != nil || st < 100 || st > 999 || len(fields[0].Value) != 3 {
		return dst, info, errMalformed(":status " + strconv.Quote(fields[0].Value))
	}
	info.status = st
	dst = append(dst, "HTTP/1.1 "...)
	dst = append(dst, fields[0].Value...)
	dst = append(dst, ' ')
	dst = append(dst, reason(st)...)
	dst = append(dst, "\r\n"...)
	if dst, err = appendFields(dst, fields[1:], false, &info); err != nil {
		return dst, info, err
	}
	if head {
		info.method = "HEAD"
	}
	bodyless := head || st < 200 || st == 204 || st == 304
	dst = appendFraming(dst, &info, ended, bodyless)
	if bodyless {
		info.contentLength, info.chunked = 0, false
	}
	return append(dst, "\r\n"...), info, nil
}

// buildTrailers appends the trailer section of a chunked body: the last
// chunk, the trailer fields (no pseudo-header allowed) and the end.
func buildTrailers(dst []byte, fields []hpack.HeaderField) ([]byte, error) {
	dst = append(dst, "0\r\n"...)
	for _, f := range fields {
		if strings.HasPrefix(f.Name, ":") {
			return dst, errMalformed("pseudo-header " + f.Name + " in trailers")
		}
		if connectionSpecific[f.Name] {
			return dst, errMalformed("connection-specific field " + f.Name + " in trailers")
		}
		dst = appendLine(dst, f.Name, f.Value)
	}
	return append(dst, "\r\n"...), nil
}

// reason returns the reason phrase written on a converted status line.
func reason(status int) string {
	if r := http1.Reason(status); r != "" {
		return r
	}
	return "Other"
}

// isToken reports whether s is a non-empty RFC 9110 token (a method).
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if !tokenChar[s[i]] {
			return false
		}
	}
	return s != ""
}

// visible reports whether s has only visible ASCII (no space), as a
// request-target must (RFC 9112 §3.2).
func visible(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

var tokenChar = func() (t [256]bool) {
	for c := '0'; c <= 'z'; c++ {
		t[c] = c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a'
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return
}()
