package config

import "fmt"

// The parsers of the options goha implements.

// optionFlag returns the parser of an on/off option valid in proxies
// with capability c ("no option" turns it off).
func optionFlag(field func(*Options) *bool, c Cap) optionFunc {
	return func(p *parser, px *Proxy, args []string, kwm int) bool {
		name := args[1]
		if p.tooManyArgs(0, 1, args) || !p.capOK(px, c, name) {
			return false
		}
		*field(&px.Options) = kwm == kwmStd
		return true
	}
}

// optionRemoved reports the options HAProxy removed.
func (p *parser) optionRemoved(_ *Proxy, args []string, _ int) bool {
	name := args[1]
	var text string
	switch name {
	case "forceclose":
		text = "is not supported any more since HAProxy 2.0, please just remove it, or use 'option httpclose' if absolutely needed."
	case "http-tunnel":
		text = "is not supported any more since HAProxy 2.1, please just remove it, it shouldn't be needed."
	default:
		text = "is not supported any more since HAProxy 2.5. This option stopped working in HAProxy 1.9 and usually had nasty side effects. It can be more reliably implemented with combinations of 'http-request set-dst' and 'http-request set-uri', and even 'http-request do-resolve' if DNS resolution is desired."
	}
	p.alertRaw(fmt.Sprintf("parsing [%s:%d]: option '%s' %s", p.file, p.line, name, text))
	return false
}

// optionConnMode handles httpclose, http-server-close and
// http-keep-alive: "no option X" clears X if it is the mode in force.
func (p *parser) optionConnMode(px *Proxy, args []string, kwm int) bool {
	name, o := args[1], &px.Options
	if p.tooManyArgs(0, 1, args) {
		return false
	}
	if kwm == kwmStd {
		o.HTTPConnMode = name
	} else if kwm == kwmNo && o.HTTPConnMode == name {
		o.HTTPConnMode = ""
	}
	if kwm == kwmDef {
		return p.plainOption(name, kwm) // reports that "default" is refused
	}
	return true
}

func (p *parser) optionRedispatch(px *Proxy, args []string, kwm int) bool {
	if !p.capOK(px, CapBackend, args[1]) {
		return false
	}
	px.Options.Redispatch = kwm == kwmStd
	return true
}

func (p *parser) optionTcpka(px *Proxy, args []string, kwm int) bool {
	if p.tooManyArgs(0, 1, args) {
		return false
	}
	px.Options.Tcpka = kwm == kwmStd
	return true
}

// optionHTTPLog handles `option httplog [clf]` and `option httpslog`
// (treated as httplog).
func (p *parser) optionHTTPLog(px *Proxy, args []string, kwm int) bool {
	name, o := args[1], &px.Options
	if !p.plainOption(name, kwm) {
		return false
	}
	if a := arg(args, 2); a != "" {
		if a != "clf" || name == "httpslog" {
			p.alertf("keyword '%s' only supports option 'clf'.", name)
			return false
		}
		if p.tooManyArgs(1, 1, args) {
			return false
		}
		o.HTTPLogCLF = true
	}
	o.HTTPLog, o.TCPLog = true, false
	px.LogFormat = ""
	if name == "httpslog" {
		p.warnf("option 'httpslog' is a known HAProxy option that goha accepts and treats as 'option httplog'.")
	}
	if px.Cap&CapDefaults == 0 && px.Cap&CapFrontend == 0 {
		p.warnf("backend '%s' : 'option %s' directive is ignored in backends.", px.Name, name)
	}
	return false // httpslog's status is reported above, in its own words
}

func (p *parser) optionTCPLog(px *Proxy, args []string, kwm int) bool {
	o := &px.Options
	if !p.plainOption(args[1], kwm) || p.tooManyArgs(0, 1, args) {
		return false
	}
	o.TCPLog, o.HTTPLog, o.HTTPLogCLF = true, false, false
	px.LogFormat = ""
	if px.Cap&CapDefaults == 0 && px.Cap&CapFrontend == 0 {
		p.warnf("backend '%s' : 'option tcplog' directive is ignored in backends.", px.Name)
	}
	return true
}

// optionForwardfor handles `option forwardfor [except NET] [header
// NAME] [if-none]`.
func (p *parser) optionForwardfor(px *Proxy, args []string, kwm int) bool {
	name, o := args[1], &px.Options
	if !p.plainOption(name, kwm) || !p.capOK(px, CapListen, name) {
		return false
	}
	o.Forwardfor, o.ForwardforHeader, o.ForwardforExcept, o.ForwardforIfNone = true, "", "", false
	for i := 2; i < len(args) && args[i] != ""; i++ {
		switch args[i] {
		case "except":
			if arg(args, i+1) == "" || !validNet(args[i+1]) {
				p.alertf("error: option 'forwardfor' expects a network/mask as an argument to 'except'.")
				return false
			}
			o.ForwardforExcept = args[i+1]
			i++
		case "header":
			if arg(args, i+1) == "" {
				p.alertf("error: option 'forwardfor' expects a header name as an argument to 'header'.")
				return false
			}
			o.ForwardforHeader = args[i+1]
			i++
		case "if-none":
			o.ForwardforIfNone = true
		default:
			p.alertf("option 'forwardfor' only supports optional values 'except', 'header' and 'if-none'.")
			return false
		}
	}
	return true
}

// optionHTTPChk handles `option httpchk [[METHOD] URI [VERSION]]`.
func (p *parser) optionHTTPChk(px *Proxy, args []string, kwm int) bool {
	name := args[1]
	if !p.plainOption(name, kwm) || !p.capOK(px, CapBackend, name) {
		return false
	}
	px.Options.HTTPChk = true
	h := &px.HealthChk
	rest := args[2:]
	for len(rest) > 0 && rest[len(rest)-1] == "" {
		rest = rest[:len(rest)-1]
	}
	switch len(rest) {
	case 0:
	case 1:
		h.URI = rest[0]
	case 2:
		h.Method, h.URI = rest[0], rest[1]
	case 3:
		h.Method, h.URI, h.Version = rest[0], rest[1], rest[2]
	default:
		p.alertf("'%s %s' cannot handle unexpected argument '%s'.", args[0], name, rest[3])
		return false
	}
	return true
}
