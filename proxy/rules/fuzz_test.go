package rules

import (
	"testing"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/sample"
)

// FuzzCompileRuleLine compiles an http-request/http-response rule line
// written in a config: the parser and the compiler may refuse it, never
// panic.
func FuzzCompileRuleLine(f *testing.F) {
	for _, s := range []string{
		`http-request replace-header X-Auth ^Basic\ (.*)$ Bearer\ \1`,
		`http-request set-var(txn.path_match) var(txn.host),concat(,txn.path,),lower`,
		`http-request set-var-fmt(sess.x) %[src]:%[src_port]`,
		`http-request replace-uri ^/ru/([^?]*)\?(.*)$ /uri/\2/\1 if { var(txn.x) -m beg /a }`,
		`http-response set-status 299 reason "Fine" if { status 404 }`,
		`http-request del-header x-drop- -m reg`,
		`http-request capture req.hdr(host),field(1,:) len 10`,
		`http-request normalize-uri path-strip-dotdot full`,
		`http-request set-header X %[req.body,json_query('$.a[0]'),add(1)]`,
		`http-request set-dst-port int(8080)`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		text := "defaults\n    mode http\nfrontend fe\n    bind 127.0.0.1:1\n    " + line + "\n    default_backend be\nbackend be\n    server s 127.0.0.1:2\n"
		cfg, err := config.Parse([]config.Source{{Name: "f.cfg", Data: []byte(text)}}, config.ParseOptions{})
		if err != nil {
			return
		}
		for _, p := range cfg.Proxies {
			if p.Name == "fe" {
				CompileSet(p, nil, &sample.Options{Maps: cfg.MapFiles})
			}
		}
	})
}
