package config

import (
	"fmt"
	"strings"
)

// The TLS options of a bind line. Those a crt-list line may also carry
// between brackets (HAProxy's ssl_bind_kws) are one table,
// sslBindOptions, used by both: ParseCrtListOptions exports it for
// proxy/ssl, which reads crt-list files.

// tlsOptFunc sets one TLS option on t from its value v (opt is the
// keyword as written); it returns HAProxy's error text or "".
type tlsOptFunc func(t *BindTLS, opt, v string) string

// tlsOpt is a row of sslBindOptions.
type tlsOpt struct {
	values int
	set    tlsOptFunc
}

// sslBindOptions are the options valid both on bind lines and inside a
// crt-list line's brackets, keyed by keyword.
var sslBindOptions = map[string]tlsOpt{
	"allow-0rtt":     {0, func(t *BindTLS, _, _ string) string { t.Allow0RTT = true; return "" }},
	"alpn":           {1, func(t *BindTLS, _, v string) string { return protoList(&t.ALPN, v, "ALPN") }},
	"ca-file":        {1, func(t *BindTLS, _, v string) string { t.CAFile = v; return "" }},
	"ca-verify-file": {1, func(t *BindTLS, _, v string) string { t.CAFile = v; return "" }},
	"ciphers":        {1, tlsString(func(t *BindTLS) *string { return &t.Ciphers })},
	"ciphersuites":   {1, tlsString(func(t *BindTLS) *string { return &t.Ciphersuites })},
	"crl-file":       {1, func(t *BindTLS, _, v string) string { t.CRLFile = v; return "" }},
	"curves":         {1, tlsString(func(t *BindTLS) *string { return &t.Curves })},
	"ecdhe":          {1, tlsString(func(t *BindTLS) *string { return &t.ECDHE })},
	"no-ca-names":    {0, func(t *BindTLS, _, _ string) string { t.NoCANames = true; return "" }},
	"npn":            {1, func(t *BindTLS, opt, v string) string { return npnList(&t.NPN, opt, v) }},
	"ssl-min-ver":    {1, func(t *BindTLS, opt, v string) string { return t.Methods.minMax(opt, v) }},
	"ssl-max-ver":    {1, func(t *BindTLS, opt, v string) string { return t.Methods.minMax(opt, v) }},
	"verify":         {1, bindVerifyOpt},
}

// tlsString returns the setter of a string option kept as written.
func tlsString(field func(*BindTLS) *string) tlsOptFunc {
	return func(t *BindTLS, _, v string) string { *field(t) = v; return "" }
}

func bindVerifyOpt(t *BindTLS, opt, v string) string {
	switch v {
	case "none", "optional", "required":
		t.Verify = v
		return ""
	}
	return fmt.Sprintf("'%s' : unknown verify method '%s', only 'none', 'optional', and 'required' are supported", opt, v)
}

// protoList parses a comma-delimited ALPN list (each name at most 255
// bytes, none empty).
func protoList(into *[]string, v, what string) string {
	var out []string
	for _, n := range strings.Split(v, ",") {
		if len(n) > 255 {
			return fmt.Sprintf("%s protocol name too long : '%s'", what, n)
		}
		if n != "" {
			out = append(out, n)
		}
	}
	*into = out
	return ""
}

// npnList parses `npn LIST` like `alpn`.
func npnList(into *[]string, opt, v string) string {
	if msg := protoList(into, v, "NPN"); msg != "" {
		return fmt.Sprintf("'%s' : %s", opt, msg)
	}
	return ""
}

// minMax handles `ssl-min-ver` and `ssl-max-ver`.
func (m *TLSMethods) minMax(opt, v string) string {
	if v == "" {
		return fmt.Sprintf("'%s' : missing the ssl/tls version", opt)
	}
	if !contains(TLSVersionNames, v) {
		return fmt.Sprintf("'%s' : unknown ssl/tls version", v)
	}
	if opt == "ssl-min-ver" {
		m.Min = v
	} else {
		m.Max = v
	}
	return ""
}

// methodOptionVersions maps the suffix of no-*/force-* to a version.
var methodOptionVersions = map[string]string{
	"sslv3": "SSLv3", "tlsv10": "TLSv1.0", "tlsv11": "TLSv1.1", "tlsv12": "TLSv1.2", "tlsv13": "TLSv1.3",
}

// methodOption handles `no-sslv3`..`no-tlsv13` and `force-sslv3`..
// `force-tlsv13`; it reports whether opt is one of them.
func (m *TLSMethods) methodOption(opt string) bool {
	if v, ok := methodOptionVersions[strings.TrimPrefix(opt, "no-")]; ok && strings.HasPrefix(opt, "no-") {
		if !contains(m.No, v) {
			m.No = append(m.No[:len(m.No):len(m.No)], v)
		}
		return true
	}
	if v, ok := methodOptionVersions[strings.TrimPrefix(opt, "force-")]; ok && strings.HasPrefix(opt, "force-") {
		m.Min, m.Max = v, v
		return true
	}
	return false
}

// ParseCrtListOptions parses the options between a crt-list line's
// brackets, e.g. ["alpn", "h2", "verify", "required"], with the keywords
// HAProxy accepts there. File names (ca-file, crl-file) are kept as
// written: the caller applies ca-base and loads them.
func ParseCrtListOptions(words []string) (BindTLS, error) {
	var t BindTLS
	for i := 0; i < len(words); i++ {
		o, ok := sslBindOptions[words[i]]
		if !ok {
			return t, fmt.Errorf("unknown ssl keyword %s", words[i])
		}
		v := ""
		if o.values > 0 {
			if i+1 >= len(words) {
				return t, fmt.Errorf("ssl args out of '[]' for %s", words[i])
			}
			v = words[i+1]
		}
		if msg := o.set(&t, words[i], v); msg != "" {
			return t, fmt.Errorf("%s", msg)
		}
		i += o.values
	}
	return t, nil
}

// bindSSLOpt returns the bind parser of a row of sslBindOptions.
func bindSSLOpt(name string) bindFunc {
	return func(p *parser, l *bindLine, v string) bool {
		if msg := sslBindOptions[name].set(&l.b.TLS, l.opt, v); msg != "" {
			p.alertf("'%s' in section '%s' : %s", l.head, l.section, msg)
			return false
		}
		return true
	}
}

// bindTLSFlag returns the parser of a TLS option without value.
func bindTLSFlag(field func(*BindTLS) *bool) bindFunc {
	return func(_ *parser, l *bindLine, _ string) bool {
		*field(&l.b.TLS) = true
		return true
	}
}

// bindMethod handles no-*/force-* version options.
func bindMethod(p *parser, l *bindLine, _ string) bool {
	if !l.b.TLS.Methods.methodOption(l.opt) {
		p.alertf("'%s' in section '%s' : '%s' : option not implemented", l.head, l.section, l.opt)
		return false
	}
	return true
}

// bindCAFile handles `ca-file` and `ca-verify-file`: the file must be
// readable.
func (p *parser) bindCAFile(l *bindLine, v string) bool {
	if msg := p.checkCAFile(v); msg != "" {
		p.alertf("'%s' in section '%s' : %s", l.head, l.section, msg)
		return false
	}
	l.b.TLS.CAFile = p.caPath(v)
	return true
}

// bindCRLFile handles `crl-file`: the file must be readable.
func (p *parser) bindCRLFile(l *bindLine, v string) bool {
	path := p.tlsPath(p.cfg.Global.TLS.CABase, v)
	if _, err := p.opts.ReadFile(path); err != nil {
		p.alertf("'%s' in section '%s' : '%s' : unable to load %s", l.head, l.section, l.opt, path)
		return false
	}
	l.b.TLS.CRLFile = path
	return true
}

// bindTicketKeys handles `tls-ticket-keys FILE`: the file must be
// readable (proxy/ssl decodes it).
func (p *parser) bindTicketKeys(l *bindLine, v string) bool {
	path := p.filePath(v)
	if _, err := p.opts.ReadFile(path); err != nil {
		p.alertf("'%s' in section '%s' : '%s' : unable to load ssl tickets keys file", l.head, l.section, v)
		return false
	}
	l.b.TLS.TicketKeys = path
	return true
}

// bindCert returns the parser of `crt` or `crt-list`: check tells what
// is wrong with the file.
func bindCert(check func(*parser, string) string, list bool) bindFunc {
	return func(p *parser, l *bindLine, v string) bool {
		if msg := check(p, v); msg != "" {
			p.alertf("'%s' in section '%s' : %s", l.head, l.section, msg)
			return false
		}
		l.b.Crt = append(l.b.Crt, v)
		l.b.TLS.Certs = append(l.b.TLS.Certs, CertSource{Path: p.tlsPath(p.cfg.Global.TLS.CrtBase, v), List: list})
		return true
	}
}

// applyBindDefaults applies the global ssl-default-bind-* settings to a
// bind line with `ssl`, where the line set nothing of its own.
func (g *GlobalTLS) applyBindDefaults(t *BindTLS) {
	if t.Ciphers == "" {
		t.Ciphers = g.BindCiphers
	}
	if t.Ciphersuites == "" {
		t.Ciphersuites = g.BindCiphersuites
	}
	if t.Curves == "" {
		t.Curves = g.BindCurves
	}
	t.NoTLSTickets = t.NoTLSTickets || g.BindNoTickets
	t.PreferClientCiphers = t.PreferClientCiphers || g.BindPreferClient
	t.Methods.merge(g.BindMethods)
}
