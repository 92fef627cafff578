package config

import (
	"fmt"
)

// SupportedSampleFetches are the sample fetches goha evaluates inside
// log-format rule values (set-header, add-header, set-path, redirect
// location, return lf-string, dynamic use_backend). Other fetches HAProxy
// knows are refused there as not supported yet. The data plane keeps its
// own table; a test in package proxy checks both agree.
var SupportedSampleFetches = set(
	"src", "src_port", "dst", "dst_port", "fc_src", "fc_src_port", "fc_dst", "fc_dst_port",
	"path", "pathq", "url", "query", "method", "req.ver", "req_ver", "base",
	"hdr", "req.hdr", "req.fhdr", "res.hdr", "shdr", "res.fhdr",
	"hdr_cnt", "req.hdr_cnt", "req.fhdr_cnt", "res.hdr_cnt", "res.fhdr_cnt",
	"url_param", "urlp", "cookie", "cook", "req.cook",
	"capture.req.hdr", "capture.req.method", "capture.req.uri", "capture.req.ver", "res.ver",
	"status", "ssl_fc", "ssl_fc_sni", "http_first_req", "always_true", "always_false", "req.proto_http",
	"date", "env", "str", "int", "fe_name", "be_name", "nbsrv",
	"prio_class", "prio_offset",
	"req.len", "req_len", "req.ssl_sni", "req_ssl_sni", "req.ssl_hello_type", "req_ssl_hello_type",
)

// SupportedConverters are the converters goha applies in those values.
var SupportedConverters = func() map[string]bool {
	m := set("lower", "upper", "base64", "b64dec", "ub64enc", "ub64dec", "hex", "length", "url_dec", "url_enc",
		"bytes", "field", "word", "regsub", "json", "ipmask", "add", "sub", "mul", "div", "mod", "and", "or",
		"xor", "neg", "cpl", "bool", "not", "odd", "even", "ltrim", "rtrim", "cut_crlf", "host_only",
		"port_only", "crc32", "crc32c", "djb2", "sdbm", "sha1", "sha2", "map")
	for _, k := range []string{"str", "beg", "sub", "end", "dir", "dom", "reg", "ip", "int"} {
		for _, o := range []string{"", "_int", "_ip"} {
			m["map_"+k+o] = true
		}
	}
	return m
}()

// SupportedLogVars are the %X log-format variables goha fills in rule
// values.
var SupportedLogVars = set("ci", "cp", "fi", "fp", "f", "ft", "fc", "b", "s", "H", "pid", "Ts", "ms",
	"HM", "HU", "HP", "HPO", "HQ", "HV", "ST", "r", "ac", "bc")

// unsupportedWhy explains the refusals of fetches users meet most.
var unsupportedWhy = map[string]string{
	"var":       "variables are not kept (set-var is accepted without effect)",
	"unique-id": "unique-id-format is accepted without effect",
}

// checkGohaFormat reports, for a log-format string HAProxy accepts, the
// first fetch, converter or variable goha cannot evaluate in a rule
// value ("" = all supported). It is HAProxy's syntax that checkLogFormat
// checks first; this is goha's own limit.
func checkGohaFormat(s string) string {
	msg, _ := scanLogFormat(s,
		func(name string) string {
			if !SupportedLogVars[name] {
				return fmt.Sprintf("log-format variable '%%%s' is known to HAProxy but goha does not support it yet in rule values", name)
			}
			return ""
		},
		func(expr string) string { return gohaExprSupport(expr, "in rule values") })
	return msg
}

// gohaExprSupport reports the first fetch or converter of a sample
// expression goha cannot evaluate ("" = all supported); where names the
// place ("in rule values").
func gohaExprSupport(expr, where string) string {
	fetch, _, convs, _ := splitSample(expr)
	if !SupportedSampleFetches[fetch] {
		why := unsupportedWhy[fetch]
		if why == "" {
			why = "not implemented"
		}
		return fmt.Sprintf("sample fetch '%s' is known to HAProxy but goha does not support it yet %s (%s)", fetch, where, why)
	}
	for _, c := range convs {
		if !SupportedConverters[c.Name] {
			return fmt.Sprintf("converter '%s' is known to HAProxy but goha does not support it yet %s", c.Name, where)
		}
	}
	return ""
}

// checkRuleFormat checks a rule value: HAProxy's syntax, then goha's
// support.
func (p *parser) checkRuleFormat(s string) string {
	if msg := p.checkLogFormat(s); msg != "" {
		return msg
	}
	return checkGohaFormat(s)
}
