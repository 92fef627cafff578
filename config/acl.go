package config

import (
	"fmt"
	"strings"
)

// SupportedFetches are the ACL criteria goha evaluates. Other fetches
// HAProxy knows are refused as not supported yet.
var SupportedFetches = map[string]bool{
	"path": true, "path_beg": true, "path_end": true, "path_reg": true, "path_sub": true, "path_dir": true,
	"path_dom": true, "path_len": true, "url": true, "url_beg": true, "url_end": true, "url_reg": true,
	"url_sub": true, "url_dir": true, "url_dom": true, "url_len": true, "url_param": true, "urlp": true,
	"hdr": true, "hdr_beg": true, "hdr_end": true, "hdr_dom": true, "hdr_sub": true, "hdr_reg": true,
	"hdr_dir": true, "hdr_len": true, "hdr_cnt": true, "hdr_val": true, "req.hdr": true, "method": true,
	"src": true, "dst": true, "dst_port": true, "src_port": true, "ssl_fc": true, "req.ssl_sni": true,
	"req_ssl_sni": true, "always_true": true, "always_false": true, "query": true, "base": true,
	"base_beg": true, "base_end": true, "base_sub": true, "base_reg": true, "base_dir": true, "base_dom": true,
	"http_auth": true, "http_auth_group": true, "nbsrv": true, "req.ver": true, "req_ver": true,
	"req.fhdr": true, "req.fhdr_cnt": true, "req.hdr_cnt": true, "req.hdr_val": true, "urlp_val": true,
	"ssl_fc_sni": true, "ssl_fc_sni_end": true, "ssl_fc_sni_reg": true,
	"req.ssl_hello_type": true, "req_ssl_hello_type": true, "req.len": true, "req_len": true,
	"host": false,
}

// predefinedACLs are HAProxy's built-in ACL names.
var predefinedACLs = map[string][2]string{
	"FALSE": {"always_false", ""}, "TRUE": {"always_true", ""}, "HTTP": {"req.proto_http", ""},
	"HTTP_1.0": {"req.ver", "1.0"}, "HTTP_1.1": {"req.ver", "1.1"}, "HTTP_2.0": {"req.ver", "2.0"},
	"HTTP_CONTENT": {"req.hdr_val", ""}, "HTTP_URL_ABS": {"url_reg", "^[^/:]*://"},
	"HTTP_URL_SLASH": {"url_beg", "/"}, "HTTP_URL_STAR": {"url", "*"}, "LOCALHOST": {"src", "127.0.0.1/8"},
	"METH_CONNECT": {"method", "CONNECT"}, "METH_DELETE": {"method", "DELETE"}, "METH_GET": {"method", "GET"},
	"METH_HEAD": {"method", "HEAD"}, "METH_OPTIONS": {"method", "OPTIONS"}, "METH_POST": {"method", "POST"},
	"METH_PUT": {"method", "PUT"}, "METH_TRACE": {"method", "TRACE"}, "RDP_COOKIE": {"req.rdp_cookie_cnt", ""},
	"REQ_CONTENT": {"req.len", ""}, "WAIT_END": {"wait_end", ""},
}

// boolFetches need no pattern.
var boolFetches = map[string]bool{"ssl_fc": true, "always_true": true, "always_false": true, "wait_end": true,
	"req.proto_http": true, "req_proto_http": true, "ssl_c_used": true, "ssl_fc_has_crt": true, "ssl_fc_has_sni": true,
	"http_auth": true}

// parseACLLine handles `acl NAME CRITERION [flags] [patterns...]`.
func (p *parser) parseACLLine(px *Proxy, args []string) {
	name := arg(args, 1)
	if name == "" || arg(args, 2) == "" {
		p.alertf("'%s' expects an ACL name and a criterion.", args[0])
		return
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !isAlnum(c) && c != '.' && c != ':' && c != '_' && c != '-' {
			p.alertf("'%s' : ACL name '%s' contains invalid character '%c'.", args[0], name, c)
			return
		}
	}
	if _, ok := predefinedACLs[name]; ok {
		p.warnf("acl '%s' will never match because it masks a predefined ACL with the same name.", name)
	}
	acl, msg := p.parseACLExpr(args[2:])
	if msg != "" {
		p.alertf("error detected while parsing ACL '%s' : %s.", name, msg)
		return
	}
	acl.Name = name
	st := p.state(px)
	st.acls[name] = append(st.acls[name], acl)
	px.ACLs = append(px.ACLs, acl)
}

// parseACLExpr parses `CRITERION [flags] [patterns...]`; msg is an error
// in HAProxy's words (without the trailing period).
func (p *parser) parseACLExpr(words []string) (*ACL, string) {
	for len(words) > 0 && words[len(words)-1] == "" {
		words = words[:len(words)-1]
	}
	if len(words) == 0 {
		return nil, "missing ACL expression"
	}
	expr := words[0]
	acl := &ACL{File: p.file, Line: p.line}
	fetch, fetchArg, convs, smsg := splitSample(expr)
	if smsg != "" {
		return nil, fmt.Sprintf("%s in ACL expression '%s'", smsg, expr)
	}
	acl.Arg = fetchArg
	if !haproxyFetches[fetch] {
		return nil, fmt.Sprintf("unknown fetch method '%s' in ACL expression '%s'", fetch, fetch)
	}
	if msg := p.checkConverters(convs); msg != "" {
		return nil, fmt.Sprintf("%s in ACL expression '%s'", msg, expr)
	}
	if _, _, stick := StickFetch(fetch); stick {
		p.noteStickACL(fetch, fetchArg)
	} else if exprACL(fetch, convs, expr) {
		acl.Expr = expr
	} else if !SupportedFetches[fetch] {
		return nil, fmt.Sprintf("fetch method '%s' in ACL expression '%s' is known to HAProxy but goha does not support it yet", fetch, expr)
	}
	acl.Fetch = fetch
	i := 1
	dashdash := false
	for ; i < len(words); i++ {
		w := words[i]
		if !strings.HasPrefix(w, "-") {
			break
		}
		switch w {
		case "-i":
			acl.IgnoreCase = true
		case "-n", "-u":
		case "--":
			dashdash = true
		case "-m":
			if i+1 >= len(words) {
				return nil, "missing matching method"
			}
			m := words[i+1]
			switch m {
			case "found", "bool", "int", "ip", "bin", "len", "str", "sub", "reg", "beg", "end", "dir", "dom":
			default:
				return nil, fmt.Sprintf("unknown matching method '%s' for ACL expression '%s'", m, expr)
			}
			acl.Match = m
			i++
		case "-f":
			if i+1 >= len(words) {
				return nil, "missing pattern file name"
			}
			file := words[i+1]
			data, err := p.opts.ReadFile(p.filePath(file))
			if err != nil {
				return nil, fmt.Sprintf("failed to open pattern file <%s>", file)
			}
			acl.PatternFiles = append(acl.PatternFiles, file)
			var lines []string
			for _, l := range strings.Split(string(data), "\n") {
				l = strings.TrimRight(l, "\r")
				l = strings.TrimLeft(l, " \t")
				if l == "" || l[0] == '#' {
					continue
				}
				l = strings.TrimRight(l, " \t")
				lines = append(lines, l)
			}
			acl.Patterns = append(acl.Patterns, lines...)
			acl.FilePatterns = append(acl.FilePatterns, lines)
			i++
		case "-M":
			return nil, "'-M' (map files) is known to HAProxy but goha does not support it yet"
		default:
			return nil, fmt.Sprintf("'%s' is not a valid ACL option. Please use '--' before any pattern beginning with a '-'", w)
		}
		if dashdash {
			i++
			break
		}
	}
	acl.Patterns = append(acl.Patterns, words[i:]...)
	if len(acl.Patterns) == 0 && len(acl.PatternFiles) == 0 && acl.Match == "" && !dashdash && !boolFetches[fetch] {
		p.rec.warn(p.file, p.line, fmt.Sprintf("parsing acl keyword '%s' :\n  no pattern to match against were provided, so this ACL will never match.\n  If this is what you intended, please add '--' to get rid of this warning.\n  If you intended to match only for existence, please use '-m found'.\n  If you wanted to force an int to match as a bool, please use '-m bool'.\n", fetch))
	}
	if acl.Expr == "" {
		if msg := caseConverters(acl, convs, expr); msg != "" {
			return nil, msg
		}
	}
	if acl.Match == "reg" || strings.HasSuffix(fetch, "_reg") {
		for _, pat := range acl.Patterns {
			if !validRegexp(pat) {
				return nil, fmt.Sprintf("regex '%s' is invalid", pat)
			}
		}
	}
	if fetch == "src" || fetch == "dst" {
		for _, pat := range acl.Patterns {
			if _, ok := parseCIDR(pat); !ok {
				return nil, fmt.Sprintf("'%s' is not a valid IPv4 or IPv6 address", pat)
			}
		}
	}
	return acl, ""
}

// parseCond parses `if|unless TERMS...` into a condition; msg is HAProxy's
// error text (without the trailing period).
func (p *parser) parseCond(px *Proxy, words []string) (*Cond, string) {
	for len(words) > 0 && words[len(words)-1] == "" {
		words = words[:len(words)-1]
	}
	c := &Cond{Unless: words[0] == "unless", Source: strings.Join(words[1:], " ")}
	cur := []CondTerm{}
	neg := false
	for i := 1; i < len(words); i++ {
		w := words[i]
		switch {
		case w == "!":
			neg = !neg
			continue
		case w == "!{":
			// HAProxy reads "!{" as a negated anonymous ACL.
			neg = !neg
			words = append(append(append([]string(nil), words[:i]...), "!", "{"), words[i+1:]...)
			continue
		case strings.EqualFold(w, "or") || w == "||":
			if len(cur) > 0 {
				c.Or = append(c.Or, cur)
			}
			cur = []CondTerm{}
			continue
		case w == "{":
			j := i + 1
			for j < len(words) && words[j] != "}" {
				j++
			}
			if j >= len(words) {
				return nil, "missing closing '}' in condition"
			}
			if j == i+1 {
				return nil, "missing ACL expression in anonymous ACL"
			}
			acl, msg := p.parseACLExpr(words[i+1 : j])
			if msg != "" {
				return nil, msg
			}
			cur = append(cur, CondTerm{Neg: neg, ACL: acl, ACLs: []*ACL{acl}})
			i = j
		default:
			name := w
			if strings.HasPrefix(name, "!") {
				neg = !neg
				name = name[1:]
			}
			if defs := p.state(px).acls[name]; len(defs) > 0 {
				cur = append(cur, CondTerm{Neg: neg, ACL: defs[0], ACLs: defs})
			} else if pre, ok := predefinedACLs[name]; ok {
				a := &ACL{Name: name, Fetch: pre[0], File: p.file, Line: p.line}
				if pre[1] != "" {
					a.Patterns = []string{pre[1]}
				}
				cur = append(cur, CondTerm{Neg: neg, ACL: a, ACLs: []*ACL{a}, Predefined: name})
			} else {
				return nil, fmt.Sprintf("no such ACL : '%s'", name)
			}
		}
		neg = false
	}
	if len(cur) > 0 {
		c.Or = append(c.Or, cur)
	}
	// An empty condition is valid in HAProxy: no term suite at all,
	// so `if` never holds and `unless` always does (c.Or stays empty).
	return c, ""
}

// caseConverters applies `,lower` / `,upper` converters of an ACL: when
// no pattern contains a letter of the other case and the match is not a
// regex, converting the sample then matching is exactly matching with
// -i, which is what goha's model records (acl.Converters keeps the
// words). Other converters are refused as not supported yet.
func caseConverters(acl *ACL, convs []sampleConv, expr string) string {
	for _, c := range convs {
		if c.Name != "lower" && c.Name != "upper" {
			return fmt.Sprintf("converter '%s' in ACL expression '%s' is known to HAProxy but goha does not support it yet (only lower and upper are)", c.Name, expr)
		}
		if acl.Match == "reg" || strings.HasSuffix(acl.Fetch, "_reg") {
			return fmt.Sprintf("converter '%s' in ACL expression '%s' is known to HAProxy but goha does not support it yet with regex matching", c.Name, expr)
		}
		for _, pat := range acl.Patterns {
			bad := strings.ToLower(pat) != pat
			if c.Name == "upper" {
				bad = strings.ToUpper(pat) != pat
			}
			if bad {
				return fmt.Sprintf("converter '%s' in ACL expression '%s' is known to HAProxy but goha does not support it yet with pattern '%s' (it could never match)", c.Name, expr, pat)
			}
		}
		acl.IgnoreCase = true
		acl.Converters = append(acl.Converters, c.Name)
	}
	return ""
}
