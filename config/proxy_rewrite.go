package config

import "fmt"

// ProxyRewrite is what a proxy section says about unique ids and
// declared capture slots.
type ProxyRewrite struct {
	// UniqueIDFormat is `unique-id-format` (a log-format string);
	// UniqueIDHeader `unique-id-header`, the request header carrying it
	// to the server.
	UniqueIDFormat string
	UniqueIDHeader string
}

// proxyUniqueIDFormat handles `unique-id-format FMT`.
func (p *parser) proxyUniqueIDFormat(px *Proxy, args []string, k int) bool {
	if !p.proxyOtherLogFormat(px, args, k) {
		return false
	}
	if msg := checkUniqueIDFormat(args[1]); msg != "" {
		p.alertf("'%s' : %s.", args[0], msg)
		return false
	}
	px.Rewrite.UniqueIDFormat = args[1]
	return true
}

// checkUniqueIDFormat reports what goha cannot evaluate in a
// unique-id-format: what rule values refuse, and %o (the option setter)
// is allowed.
func checkUniqueIDFormat(s string) string {
	msg, _ := scanLogFormat(s,
		func(name string) string {
			if name != "o" && name != "rt" && !SupportedLogVars[name] {
				return fmt.Sprintf("log-format variable '%%%s' is known to HAProxy but goha does not support it yet in unique-id-format", name)
			}
			return ""
		},
		func(expr string) string { return checkGohaFormat("%[" + expr + "]") })
	return msg
}

// proxyUniqueIDHeader handles `unique-id-header NAME`.
func (p *parser) proxyUniqueIDHeader(px *Proxy, args []string, _ int) bool {
	if arg(args, 1) == "" {
		p.alertf("%s expects an argument.", args[0])
		return false
	}
	px.Rewrite.UniqueIDHeader = args[1]
	return true
}

// proxyDeclareCapture handles `declare capture request|response len N`:
// a slot that http-request/http-response capture ... id N fill.
func (p *parser) proxyDeclareCapture(px *Proxy, args []string, _ int) bool {
	if arg(args, 1) != "capture" || (arg(args, 2) != "request" && arg(args, 2) != "response") || arg(args, 3) != "len" {
		p.alertf("'%s' only supports 'capture request|response len <length>'.", args[0])
		return false
	}
	n := atoiC(arg(args, 4))
	if n <= 0 {
		p.alertf("'%s capture %s' expects a positive length (got '%s').", args[0], args[2], arg(args, 4))
		return false
	}
	c := Capture{Len: n}
	if args[2] == "request" {
		px.CaptureRequestHeaders = append(px.CaptureRequestHeaders, c)
	} else {
		px.CaptureResponseHeaders = append(px.CaptureResponseHeaders, c)
	}
	return true
}

// exprACL reports whether an ACL's criterion is a sample expression the
// data plane evaluates through its sample layer: a sample fetch that is
// not an ACL criterion, or one with converters other than lower and
// upper, when goha supports the fetch and every converter.
func exprACL(fetch string, convs []sampleConv, expr string) bool {
	if !SupportedSampleFetches[fetch] || checkGohaFormat("%["+expr+"]") != "" {
		return false
	}
	if !SupportedFetches[fetch] {
		return true
	}
	for _, c := range convs {
		if c.Name != "lower" && c.Name != "upper" {
			return true
		}
	}
	return false
}
