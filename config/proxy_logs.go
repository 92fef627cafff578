package config

import "fmt"

// The log format keywords of proxy sections.

func (p *parser) proxyLogFormat(px *Proxy, args []string, _ int) bool {
	kw, a1 := args[0], arg(args, 1)
	if a1 == "" {
		p.alertf("%s expects an argument.", kw)
		return false
	}
	if len(args) > 2 && args[2] != "" {
		p.alertf("%s expects only one argument, don't forget to escape spaces!", kw)
		return false
	}
	if msg := p.checkLogFormat(a1); msg != "" {
		p.alertRaw(fmt.Sprintf("Parsing [%s:%d]: failed to parse log-format : %s.", p.file, p.line, msg))
		return false
	}
	if msg, goha := checkLogLineExprs(a1); msg != "" {
		p.alertRaw(fmt.Sprintf("Parsing [%s:%d]: failed to parse log-format : %s.", p.file, p.line, msg))
		return false
	} else if goha != "" {
		p.alertf("'%s' : %s.", kw, goha)
		return false
	}
	px.LogFormat = a1
	return true
}

// otherLogFormats names the formats goha checks but ignores in messages.
var otherLogFormats = map[string]string{"unique-id-format": "unique-id", "log-format-sd": "log-format-sd", "error-log-format": "error-log-format"}

// proxyOtherLogFormat checks `unique-id-format`, `log-format-sd` and
// `error-log-format`, which goha then ignores.
func (p *parser) proxyOtherLogFormat(_ *Proxy, args []string, _ int) bool {
	if arg(args, 1) == "" {
		p.alertf("%s expects an argument.", args[0])
		return false
	}
	if msg := p.checkLogFormat(args[1]); msg != "" {
		p.alertRaw(fmt.Sprintf("Parsing [%s:%d]: failed to parse %s : %s.", p.file, p.line, otherLogFormats[args[0]], msg))
		return false
	}
	return true
}
