package config

import (
	"fmt"
	"path"
	"strings"
)

// softAlertf prints an alert that HAProxy does not count as fatal
// (`'maxconn' already specified. Continuing.`): shown, but the
// configuration stays valid.
func (p *parser) softAlertf(format string, a ...any) {
	p.rec.msgs = append(p.rec.msgs, Message{LevelAlert, fmt.Sprintf("parsing [%s:%d] : ", p.file, p.line) + fmt.Sprintf(format, a...)})
}

// tooManyArgs is HAProxy's alertif_too_many_args_idx(): true (and an
// error recorded) when args has a word after position index+max.
func (p *parser) tooManyArgs(max, index int, args []string) bool {
	i := index + max + 1
	if i >= len(args) || args[i] == "" {
		return false
	}
	kw := strings.Join(args[:index+1], " ")
	p.alertf("'%s' cannot handle unexpected argument '%s'.", kw, args[i])
	return true
}

// arg returns args[i] or "" (HAProxy's args[] is padded with empty words).
func arg(args []string, i int) string {
	if i < len(args) {
		return args[i]
	}
	return ""
}

// parseGlobal handles one line of the global section through
// globalTable.
func (p *parser) parseGlobal(args []string, kwm int) {
	k, ok := globalTable.get(args[0])
	if !ok {
		p.unknownKeyword(args[0], globalTable.suggest)
		return
	}
	if k.parse != nil && !k.parse(p, args, kwm) {
		return
	}
	if k.tls && p.opts.AllowTLS {
		return // a TLS setting, typed into Global.TLS for the `ssl` lines it serves
	}
	p.knownKeyword(k.status, k.why, args[0])
}

// filePath turns a file name from the configuration into the path to
// open, applying `default-path` to relative names.
func (p *parser) filePath(name string) string {
	if p.defaultPath == "" || name == "" || name[0] == '/' {
		return name
	}
	return path.Clean(p.defaultPath + "/" + name)
}
