package config

import "strconv"

// The parsers of the bind options goha implements.

// bindLine is the state of one bind line (or `stats socket`) while its
// options are read.
type bindLine struct {
	b *Bind
	// head and section start every message: "'bind :80' in section
	// 'frontend'".
	head, section string
	// opt is the option being read.
	opt string
}

// bindFlag returns the parser of an option without value setting a field.
func bindFlag(field func(*Bind) *bool) bindFunc {
	return func(_ *parser, l *bindLine, _ string) bool {
		*field(l.b) = true
		return true
	}
}

// bindInt returns the parser of an integer read as atoi() does.
func bindInt(field func(*Bind) *int) bindFunc {
	return func(_ *parser, l *bindLine, v string) bool {
		*field(l.b) = atoiC(v)
		return true
	}
}

// bindString returns the parser of a word kept as is.
func bindString(field func(*Bind) *string) bindFunc {
	return func(_ *parser, l *bindLine, v string) bool {
		*field(l.b) = v
		return true
	}
}

// bindMode handles `mode OCTAL` (of a UNIX socket).
func (p *parser) bindMode(l *bindLine, v string) bool {
	m, err := strconv.ParseUint(v, 8, 32)
	if err != nil {
		p.alertf("'%s' in section '%s' : '%s' : missing or invalid mode '%s' (octal integer expected)", l.head, l.section, l.opt, v)
		return false
	}
	l.b.Mode = uint32(m)
	return true
}

func (p *parser) bindUser(l *bindLine, v string) bool {
	id, err := p.opts.LookupUser(v)
	if err != nil {
		p.alertf("'%s' in section '%s' : '%s' : unknown user name '%s'", l.head, l.section, l.opt, v)
		return false
	}
	l.b.User, l.b.UID = v, id
	return true
}

func (p *parser) bindGroup(l *bindLine, v string) bool {
	id, err := p.opts.LookupGroup(v)
	if err != nil {
		p.alertf("'%s' in section '%s' : '%s' : unknown group name '%s'", l.head, l.section, l.opt, v)
		return false
	}
	l.b.Group, l.b.GID = v, id
	return true
}

// bindLevel handles `level user|operator|admin` (of a stats socket).
func (p *parser) bindLevel(l *bindLine, v string) bool {
	switch v {
	case "user", "operator", "admin":
		l.b.Level = v
		return true
	}
	p.alertf("'%s' in section '%s' : '%s' only supports 'user', 'operator', and 'admin' (got '%s')", l.head, l.section, l.opt, v)
	return false
}

// bindExposeFD handles `expose-fd listeners` (of a stats socket).
func (p *parser) bindExposeFD(l *bindLine, v string) bool {
	if v != "listeners" {
		p.alertf("'%s' in section '%s' : '%s' only supports 'listeners' (got '%s')", l.head, l.section, l.opt, v)
		return false
	}
	l.b.ExposeFD = true
	return true
}
