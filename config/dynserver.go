package config

import (
	"errors"
	"fmt"
	"strings"
)

// dynamicRefused are the server keywords HAProxy 2.6 does not accept on a
// server added at run time (`add server`): what needs the configuration
// around it (cookies, DNS resolution, namespaces) or a start state.
var dynamicRefused = map[string]bool{
	"cookie": true, "redir": true, "init-addr": true, "resolvers": true, "resolve-net": true,
	"resolve-opts": true, "resolve-prefer": true, "namespace": true, "disabled": true, "enabled": true,
}

// ParseDynamicServer parses the words of `add server BE/NAME ADDR
// [options]` after the backend name (NAME, ADDR, options) as a server
// line of px, with HAProxy 2.6's rules for dynamic servers: no
// default-server settings apply and a few keywords are refused. The
// error is HAProxy's CLI answer ("'cookie' option is not accepted for
// dynamic server", "unknown keyword 'x'...").
func ParseDynamicServer(px *Proxy, words []string, opts ParseOptions) (*Server, error) {
	if len(words) < 2 || words[0] == "" || words[1] == "" {
		return nil, errors.New("'server' expects <name> and <addr>[:<port>] as arguments.")
	}
	for _, w := range words[2:] {
		if dynamicRefused[w] {
			return nil, fmt.Errorf("'%s' option is not accepted for dynamic server", w)
		}
	}
	mode := "tcp"
	if px.Mode == ModeHTTP {
		mode = "http"
	}
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = quoteWord(w)
	}
	text := fmt.Sprintf("backend %s\n    mode %s\n    server %s\n", quoteWord(px.Name), mode, strings.Join(quoted, " "))
	cfg, err := Parse([]Source{{Name: "CLI", Data: []byte(text)}}, opts)
	if err != nil {
		var l *ErrorList
		if errors.As(err, &l) && len(l.Errs) > 0 {
			return nil, errors.New(cliServerError(l.Errs[0].Msg))
		}
		return nil, err
	}
	if len(cfg.Proxies) != 1 || len(cfg.Proxies[0].Servers) != 1 {
		return nil, fmt.Errorf("add server %s/%s: the server line did not parse", px.Name, words[0])
	}
	s := cfg.Proxies[0].Servers[0]
	s.File, s.Line = "CLI", 0
	if !s.Set["id"] {
		s.ID = 0 // numbered by the backend, among its servers now
	}
	return s, nil
}

// cliServerError strips the configuration position ("[CLI:3] : 'server
// be/s' : ", "parsing [CLI:3] : ") from a server line's error.
func cliServerError(msg string) string {
	if i := strings.Index(msg, "' : "); i >= 0 && strings.Contains(msg[:i], "'server ") {
		return msg[i+4:]
	}
	if i := strings.Index(msg, "] : "); i >= 0 {
		return msg[i+4:]
	}
	return msg
}

// quoteWord writes w so that the configuration's tokenizer reads it back
// as one word, unchanged.
func quoteWord(w string) string {
	if w != "" && !strings.ContainsAny(w, " \t\"'\\$#") {
		return w
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`)
	return `"` + r.Replace(w) + `"`
}
