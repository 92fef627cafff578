package config

import (
	"fmt"
	"strings"
)

// TLS material is checked the way HAProxy checks it while parsing, so
// that `goha -c` rejects what HAProxy rejects (a missing or broken
// certificate, a server verified against no CA) even though goha
// refuses TLS itself unless ParseOptions.AllowTLS is set.

// tlsPath applies crt-base/ca-base (then default-path) to a file name.
func (p *parser) tlsPath(base, name string) string {
	if base != "" && name != "" && name[0] != '/' {
		name = strings.TrimSuffix(base, "/") + "/" + name
	}
	return p.filePath(name)
}

// checkCertFile checks a `crt` argument: a directory of certificates or
// a PEM file holding a certificate and a private key (or with the key
// in NAME.key next to it). msg is HAProxy's error text after the
// "'bind ...' in section '...' : " prefix.
func (p *parser) checkCertFile(name string) string {
	path := p.tlsPath(p.cfg.Global.TLS.CrtBase, name)
	if err := p.opts.Stat(path); err != nil {
		return fmt.Sprintf("unable to stat SSL certificate from file '%s' : %s.", path, errnoText(err))
	}
	data, err := p.opts.ReadFile(path)
	if err != nil {
		return "" // a directory: HAProxy loads what it contains
	}
	s := string(data)
	if !strings.Contains(s, "-----BEGIN CERTIFICATE-----") {
		return fmt.Sprintf("unable to load certificate from file '%s'.", path)
	}
	if !strings.Contains(s, "PRIVATE KEY-----") {
		key, err := p.opts.ReadFile(path + ".key")
		if err != nil || !strings.Contains(string(key), "PRIVATE KEY-----") {
			return fmt.Sprintf("No Private Key found in '%s.key'.", path)
		}
	}
	return ""
}

// checkCrtList checks a `crt-list` file: one certificate per line
// (first word), blank lines and comments ignored.
func (p *parser) checkCrtList(name string) string {
	path := p.tlsPath(p.cfg.Global.TLS.CrtBase, name)
	data, err := p.opts.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("'crt-list' : cannot open file '%s' : %s", path, errnoText(err))
	}
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.Fields(l)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if msg := p.checkCertFile(f[0]); msg != "" {
			return msg
		}
	}
	return ""
}

// caPath applies ca-base to a CA file name ("@system-ca" stays).
func (p *parser) caPath(name string) string {
	if name == "@system-ca" {
		return name
	}
	return p.tlsPath(p.cfg.Global.TLS.CABase, name)
}

// checkCAFile checks a `ca-file` argument.
func (p *parser) checkCAFile(name string) string {
	if name == "@system-ca" {
		return ""
	}
	path := p.tlsPath(p.cfg.Global.TLS.CABase, name)
	if _, err := p.opts.ReadFile(path); err != nil {
		return fmt.Sprintf("Couldn't open the ca-file '%s' (%s).", path, errnoText(err))
	}
	return ""
}

// bindIgnoreErr handles `ca-ignore-err` and `crt-ignore-err`: "all" or
// a comma list of verify error ids from 1 to 63.
func (p *parser) bindIgnoreErr(l *bindLine, v string) bool {
	if v != "all" {
		for _, id := range strings.Split(v, ",") {
			if n := atoiC(id); n < 1 || n > 63 {
				p.alertf("'%s' in section '%s' : '%s' : ID '%d' out of range (1..63) in error IDs list '%s'", l.head, l.section, l.opt, n, v)
				return false
			}
		}
	}
	if l.opt == "ca-ignore-err" {
		l.b.TLS.CAIgnoreErr = v
	} else {
		l.b.TLS.CrtIgnoreErr = v
	}
	return true
}
