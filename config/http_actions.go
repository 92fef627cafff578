package config

import "fmt"

// The parsers of the http-request, http-response and
// http-after-response actions goha implements. Each fills the rule
// from the words between the action and its condition, and returns ""
// or what is wrong (the end of an error message).

// actionFunc parses an action's words into r.
type actionFunc func(p *parser, r *Rule, body []string) string

// akw returns a row of an action table.
func akw(name string, parse actionFunc) keyword[actionFunc] { return kw(name, parse).hidden() }

// actionNoArg handles `allow` and `reject`.
func (p *parser) actionNoArg(_ *Rule, body []string) string {
	if len(body) > 0 {
		return fmt.Sprintf("unexpected argument '%s'.", body[0])
	}
	return ""
}

// actionDeny handles `deny` and `tarpit [deny_status N] [content-type
// T] [string|lf-string S] [hdr NAME VALUE]...`.
func (p *parser) actionDeny(r *Rule, body []string) string {
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case "deny_status", "status":
			if i+1 >= len(body) {
				return "missing status code."
			}
			if msg := actionStatus(r, body[i+1]); msg != "" {
				return msg
			}
			i++
		default:
			n, msg := actionPayload(r, body, i)
			if msg != "" {
				return msg
			}
			i += n
		}
	}
	return p.checkLFBody(r)
}

// actionReturn handles `return [status N] [content-type T] [string|
// lf-string S|file|lf-file|errorfile F] [hdr NAME VALUE]...`.
func (p *parser) actionReturn(r *Rule, body []string) string {
	r.Status = 200
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case "status":
			if i+1 >= len(body) {
				return "missing status code."
			}
			if msg := actionStatus(r, body[i+1]); msg != "" {
				return msg
			}
			i++
		case "file", "lf-file", "errorfile":
			if i+1 >= len(body) {
				return fmt.Sprintf("'%s' expects a value.", body[i])
			}
			data, err := p.opts.ReadFile(p.filePath(body[i+1]))
			if err != nil {
				return fmt.Sprintf("failed to open file '%s'.", body[i+1])
			}
			r.Body, r.BodyLF = data, body[i] == "lf-file"
			i++
		case "default-errorfiles":
		default:
			n, msg := actionPayload(r, body, i)
			if msg != "" {
				return msg
			}
			i += n
		}
	}
	if msg := p.checkLFBody(r); msg != "" {
		return msg
	}
	if len(r.Body) > 0 && r.ContentType == "" {
		return "a content-type must be defined when non-empty payload is configured."
	}
	return ""
}

// actionStatus reads the status code of deny, tarpit and return.
func actionStatus(r *Rule, w string) string {
	code := atoiC(w)
	if code < 200 || code > 599 {
		return fmt.Sprintf("status code '%d' not handled.", code)
	}
	r.Status = code
	return ""
}

// actionPayload reads the answer options deny, tarpit and return share
// at body[i] (content-type, string, lf-string, hdr); it returns how many
// more words it used.
func actionPayload(r *Rule, body []string, i int) (int, string) {
	switch body[i] {
	case "content-type":
		if i+1 >= len(body) {
			return 0, fmt.Sprintf("'%s' expects a value.", body[i])
		}
		r.ContentType = body[i+1]
		return 1, ""
	case "string", "lf-string":
		if i+1 >= len(body) {
			return 0, fmt.Sprintf("'%s' expects a value.", body[i])
		}
		r.Body, r.BodyLF = []byte(body[i+1]), body[i] == "lf-string"
		return 1, ""
	case "hdr":
		if i+2 >= len(body) {
			return 0, "'hdr' expects <name> and <value>."
		}
		r.Headers = append(r.Headers, [2]string{body[i+1], body[i+2]})
		return 2, ""
	}
	return 0, fmt.Sprintf("'%s' is a known HAProxy option that goha does not support yet.", body[i])
}

// checkLFBody checks a log-format answer body.
func (p *parser) checkLFBody(r *Rule) string {
	if r.BodyLF {
		if msg := p.checkRuleFormat(string(r.Body)); msg != "" {
			return msg + "."
		}
	}
	return ""
}

func (p *parser) actionRedirect(r *Rule, body []string) string {
	if msg := parseRedirect(r, body); msg != "" {
		return msg
	}
	if msg := p.checkRuleFormat(r.Value); msg != "" {
		return msg + "."
	}
	return ""
}

// actionAuth handles `auth [realm REALM]`.
func (p *parser) actionAuth(r *Rule, body []string) string {
	for i := 0; i < len(body); i++ {
		if body[i] == "realm" && i+1 < len(body) {
			r.Realm = body[i+1]
			i++
			continue
		}
		return "expects only 'realm' option."
	}
	return ""
}

// actionSetHeader handles `set-header` and `add-header NAME FORMAT`.
func (p *parser) actionSetHeader(r *Rule, body []string) string {
	if len(body) != 2 {
		return "expects exactly 2 arguments."
	}
	if msg := p.checkRuleFormat(body[1]); msg != "" {
		return msg + "."
	}
	r.Name, r.Value = body[0], body[1]
	return ""
}

// actionDelHeader handles `del-header NAME [-m METH]`.
func (p *parser) actionDelHeader(r *Rule, body []string) string {
	if len(body) != 1 && !(len(body) == 3 && body[1] == "-m") {
		return "expects exactly 1 arguments."
	}
	r.Name = body[0]
	if len(body) == 3 {
		r.Flags = []string{"-m", body[2]}
	}
	return ""
}

func (p *parser) actionSetPath(r *Rule, body []string) string {
	if len(body) != 1 {
		return "expects exactly 1 argument."
	}
	if msg := p.checkRuleFormat(body[0]); msg != "" {
		return msg + "."
	}
	r.Value = body[0]
	return ""
}
