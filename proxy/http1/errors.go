package http1

import (
	"strconv"
)

// The two wire forms of every built-in error page, computed once at
// start-up and never modified.
var (
	// streamPages: the page as HAProxy's stream layer sends it, header
	// names lowercased (deny, 503, 502, 504, ...).
	streamPages = map[int][]byte{}
	// muxPages: the page exactly as written in HAProxy's source, sent by
	// its HTTP/1 layer for a request it could not parse (400) or that
	// did not arrive in time (408): capitalized names, Connection: close.
	muxPages = map[int][]byte{}
)

func init() {
	for _, p := range errorPages {
		line := "HTTP/1.1 " + strconv.Itoa(p.status) + " " + p.reason + "\r\n"
		n := strconv.Itoa(len(p.body))
		streamPages[p.status] = []byte(line + "content-length: " + n + "\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n" + p.body)
		conn := ""
		if p.status == 400 || p.status == 408 {
			conn = "Connection: close\r\n"
		}
		muxPages[p.status] = []byte(line + "Content-length: " + n + "\r\nCache-Control: no-cache\r\n" + conn + "Content-Type: text/html\r\n\r\n" + p.body)
	}
}

// ErrorPage returns HAProxy's built-in page for status as its stream
// layer sends it (lowercased header names), or nil if there is none. The
// result is shared: do not modify it.
func ErrorPage(status int) []byte { return streamPages[status] }

// MuxErrorPage returns the page HAProxy's HTTP/1 layer sends for a
// request it rejects while parsing (400) or that timed out (408): the
// source's capitalized form, with Connection: close.
func MuxErrorPage(status int) []byte { return muxPages[status] }

// ErrorPageBody returns the HTML body of the built-in page for status.
func ErrorPageBody(status int) string {
	for _, p := range errorPages {
		if p.status == status {
			return p.body
		}
	}
	return ""
}

// Reason returns HAProxy's reason phrase for a status code
// (http_get_reason), "Other" for codes it does not know.
func Reason(status int) string {
	switch status {
	case 100:
		return "Continue"
	case 101:
		return "Switching Protocols"
	case 200:
		return "OK"
	case 201:
		return "Created"
	case 202:
		return "Accepted"
	case 203:
		return "Non-Authoritative Information"
	case 204:
		return "No Content"
	case 205:
		return "Reset Content"
	case 206:
		return "Partial Content"
	case 300:
		return "Multiple Choices"
	case 301:
		return "Moved Permanently"
	case 302:
		return "Found"
	case 303:
		return "See Other"
	case 304:
		return "Not Modified"
	case 307:
		return "Temporary Redirect"
	case 308:
		return "Permanent Redirect"
	case 400:
		return "Bad Request"
	case 401:
		return "Unauthorized"
	case 402:
		return "Payment Required"
	case 403:
		return "Forbidden"
	case 404:
		return "Not Found"
	case 405:
		return "Method Not Allowed"
	case 406:
		return "Not Acceptable"
	case 407:
		return "Proxy Authentication Required"
	case 408:
		return "Request Timeout"
	case 409:
		return "Conflict"
	case 410:
		return "Gone"
	case 411:
		return "Length Required"
	case 412:
		return "Precondition Failed"
	case 413:
		return "Payload Too Large"
	case 414:
		return "URI Too Long"
	case 415:
		return "Unsupported Media Type"
	case 416:
		return "Range Not Satisfiable"
	case 417:
		return "Expectation Failed"
	case 418:
		return "I'm a teapot"
	case 421:
		return "Misdirected Request"
	case 422:
		return "Unprocessable Content"
	case 425:
		return "Too Early"
	case 426:
		return "Upgrade Required"
	case 429:
		return "Too Many Requests"
	case 500:
		return "Internal Server Error"
	case 501:
		return "Not Implemented"
	case 502:
		return "Bad Gateway"
	case 503:
		return "Service Unavailable"
	case 504:
		return "Gateway Timeout"
	case 505:
		return "HTTP Version Not Supported"
	}
	return "Other"
}

// NormalizeErrorFile turns the raw contents of an `errorfile` into the
// bytes goha sends: the head is parsed, header names lowercased, the
// Connection header dropped and a content-length added when missing, as
// HAProxy does when it loads the file into its internal message form.
// It fails when the file is not an HTTP response.
func NormalizeErrorFile(raw []byte) ([]byte, error) {
	buf := append([]byte(nil), raw...)
	// Files are often written with bare LF line endings; the parser
	// accepts them.
	var r Response
	if err := ParseResponse(buf, len(buf)+1, &r); err != nil {
		if err == ErrNeedMore {
			// A head without its final empty line.
			buf = append(buf, "\r\n"...)
			if err = ParseResponse(buf, len(buf)+1, &r); err != nil {
				return nil, err
			}
		} else {
			return nil, err
		}
	}
	body := buf[r.HeadLen:]
	if r.ContentLength >= 0 && int(r.ContentLength) < len(body) {
		body = body[:r.ContentLength]
	}
	out := make([]byte, 0, len(buf)+32)
	out = append(out, r.Line...)
	out = append(out, "\r\n"...)
	for _, h := range r.Headers {
		if string(h.Name) == "connection" {
			continue
		}
		if string(h.Name) == "content-length" {
			if r.Chunked {
				continue
			}
			out = append(out, "content-length: "...)
			out = strconv.AppendInt(out, int64(len(body)), 10)
			out = append(out, "\r\n"...)
			continue
		}
		out = append(out, h.Name...)
		out = append(out, ": "...)
		out = append(out, h.Value...)
		out = append(out, "\r\n"...)
	}
	if !r.Chunked && r.ContentLength < 0 {
		out = append(out, "content-length: "...)
		out = strconv.AppendInt(out, int64(len(body)), 10)
		out = append(out, "\r\n"...)
	}
	out = append(out, "\r\n"...)
	out = append(out, body...)
	return out, nil
}
