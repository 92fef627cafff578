package config

import (
	"fmt"
	"strings"
)

// The %[...] sample expressions of `log-format` lines. HAProxy evaluates
// them when the log line is built, once the request and the response
// have been forwarded: fetches that read their headers or buffers are
// refused there (HAProxy's SMP_VAL_*_LOG_END capabilities), and goha
// refuses those it cannot evaluate, as in rule values.

// logTimeNeeds names, for each fetch that cannot be used at log time,
// what it needs, in HAProxy 2.6's words.
var logTimeNeeds = func() map[string]string {
	m := map[string]string{}
	add := func(what string, names ...string) {
		for _, n := range names {
			m[n] = what
		}
	}
	add("HTTP request headers", "path", "pathq", "url", "query", "req.ver", "req_ver", "base", "base32",
		"url32", "req.fhdr", "req.hdr", "hdr_cnt", "req.hdr_cnt", "req.fhdr_cnt", "url_param", "urlp",
		"cook", "req.cook", "req.cook_cnt", "cook_cnt", "hdr_ip", "req.hdr_ip", "hdr_val", "req.hdr_val",
		"url_ip", "url_port", "req.body", "req.body_len", "req.body_size", "req.body_param", "base32+src",
		"url32+src", "path_beg", "req.cook_val", "cook_val", "hdr_names", "req.hdr_names", "url_param_val",
		"http_auth", "http_auth_group", "http_auth_type", "http_auth_user", "http_auth_pass", "http_auth_bearer")
	add("HTTP request headers,HTTP response headers", "hdr", "cookie")
	add("HTTP response headers", "res.hdr", "shdr", "res.fhdr", "res.hdr_cnt", "shdr_cnt", "res.fhdr_cnt",
		"res.ver", "resp_ver", "res.cook", "scook", "res.cook_cnt", "scook_cnt", "res.hdr_ip", "shdr_ip",
		"res.hdr_val", "shdr_val", "res.cook_val", "scook_val", "res.hdr_names")
	add("request buffer", "req.len", "req_len", "req.payload", "req.payload_lv", "req.ssl_sni", "req_ssl_sni",
		"req.ssl_hello_type", "req_ssl_hello_type", "req.ssl_ver", "req_ssl_ver", "req.rdp_cookie",
		"req_rdp_cookie", "req.rdp_cookie_cnt", "rdp_cookie", "req.ssl_ec_ext", "req.ssl_st_ext", "req.ssl_alpn",
		"req.proto_http")
	add("response buffer", "res.len", "res.payload", "res.payload_lv", "res.ssl_hello_type")
	delete(m, "req.proto_http") // HAProxy keeps it at log time
	return m
}()

// checkLogLineExprs checks the sample expressions of a log-format line:
// what HAProxy refuses at log time (msg, in HAProxy's words after
// "failed to parse log-format : "), then what goha cannot evaluate
// (goha, a sentence of its own).
func checkLogLineExprs(s string) (msg, goha string) {
	msg, _ = scanLogFormat(s, func(string) string { return "" }, func(expr string) string {
		fetch, _, _, _ := splitSample(expr)
		if need := logTimeNeeds[fetch]; need != "" {
			rest := expr + "]"
			if i := strings.Index(s, "["+expr+"]"); i >= 0 {
				rest = s[i+1:]
			}
			return fmt.Sprintf("sample fetch <%s> may not be reliably used here because it needs '%s' which is not available here", rest, need)
		}
		return ""
	})
	if msg != "" {
		return msg, ""
	}
	goha, _ = scanLogFormat(s, func(string) string { return "" }, func(expr string) string {
		return gohaExprSupport(expr, "in log-format")
	})
	return "", goha
}
