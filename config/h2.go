package config

// HTTP/2's keywords: `proto` on bind and server lines (which multiplexer
// speaks on the connection) and the global tune.h2.* settings.

// Protocol names `proto` takes on bind and server lines, as HAProxy 2.6
// registers its multiplexers ("fcgi" only on servers).
const (
	ProtoH1   = "h1"
	ProtoH2   = "h2"
	ProtoFCGI = "fcgi"
)

// bindProto handles a bind line's `proto h1|h2`: h2 serves HTTP/2 with
// prior knowledge (h2c on a clear bind).
func (p *parser) bindProto(l *bindLine, v string) bool {
	if v != ProtoH1 && v != ProtoH2 {
		p.alertf("'%s' in section '%s' : '%s' :  unknown MUX protocol '%s'", l.head, l.section, l.opt, v)
		return false
	}
	l.b.Proto = v
	return true
}

// serverProto handles a server line's `proto h1|h2`: h2 speaks HTTP/2
// to the server with prior knowledge (h2c unless ssl). goha has no
// FastCGI client, so `proto fcgi` is refused rather than sent HTTP/1.
func (p *parser) serverProto(l *serverLine, v string) bool {
	switch v {
	case ProtoH1, ProtoH2:
		l.s.Proto = v
		return true
	case ProtoFCGI:
		l.s.Proto = v // the backend's use-fcgi-app says which application
		return true
	}
	return l.fail(p, "'%s' :  unknown MUX protocol '%s'.", l.opt, v)
}

// globalH2Range returns the parser of a tune.h2 setting read as
// HAProxy's atoi() reads it (a word that is not a number is 0, which
// leaves the default), refusing values outside [lo, hi] in HAProxy's
// words ("a positive numeric value" when there is no upper bound).
func globalH2Range(field func(*Global) *int, lo, hi int) globalFunc {
	return func(p *parser, args []string, _ int) bool {
		if p.tooManyArgs(1, 0, args) {
			return false
		}
		n := atoiC(arg(args, 1))
		switch {
		case hi == 0 && (n < lo || n > 1<<31-1): // atoi() overflows past int32
			p.alertf("'%s' expects a positive numeric value.", args[0])
			return false
		case hi != 0 && (n < lo || n > hi):
			p.alertf("'%s' expects a numeric value between %d and %d.", args[0], lo, hi)
			return false
		}
		*field(&p.cfg.Global) = n
		return true
	}
}
